#include "LeaderElector.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QHostInfo>
#include <unistd.h>

namespace Revenge {

LeaderElector::LeaderElector(std::shared_ptr<DatabasePool> pool, QString clientId, int intervalMs,
                             int ttlMs, bool compete, QObject *parent)
    : QObject(parent)
    , m_pool(std::move(pool))
    , m_clientId(std::move(clientId))
    , m_ttlMs(ttlMs)
    , m_compete(compete)
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &LeaderElector::tick);
}

void LeaderElector::start()
{
    tick();
    m_timer.start();
}

void LeaderElector::tick()
{
    QString error;
    auto lease = m_pool->acquire(2000, &error);
    if (!lease) {
        // Without the database we cannot renew: behave as if the lease lapsed.
        setLeader(false);
        return;
    }
    const PgResult beat = pgExec(
        lease->db(),
        "INSERT INTO jobs.client (id, hostname, pid) VALUES ($1, $2, $3) "
        "ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()",
        {m_clientId.toUtf8(), QHostInfo::localHostName().toUtf8(), QByteArray::number(::getpid())});
    if (!beat.ok())
        qCWarning(lcJobs).noquote() << "heartbeat failed:" << beat.error();
    if (!m_compete)
        return;
    const PgResult r = pgExec(
        lease->db(),
        "INSERT INTO jobs.leader (name, leader_id, elected_at, expires_at) "
        "VALUES ('default', $1, now(), now() + make_interval(secs => $2::double precision / 1000)) "
        "ON CONFLICT (name) DO UPDATE SET leader_id = EXCLUDED.leader_id, "
        "  elected_at = CASE WHEN jobs.leader.leader_id = EXCLUDED.leader_id THEN "
        "jobs.leader.elected_at ELSE now() END, "
        "  expires_at = EXCLUDED.expires_at "
        "WHERE jobs.leader.leader_id = EXCLUDED.leader_id OR jobs.leader.expires_at < now() "
        "RETURNING leader_id",
        {m_clientId.toUtf8(), QByteArray::number(m_ttlMs)});
    if (!r.ok()) {
        qCWarning(lcJobs).noquote() << "leader election failed:" << r.error();
        setLeader(false);
        return;
    }
    setLeader(r.rows() == 1);
}

void LeaderElector::setLeader(bool leader)
{
    if (leader == m_leader)
        return;
    m_leader = leader;
    qCInfo(lcJobs).noquote() << m_clientId
                             << (leader ? "is now the job queue leader"
                                        : "is no longer the leader");
    Q_EMIT leadershipChanged(leader);
}

void LeaderElector::resign()
{
    m_timer.stop();
    QString error;
    auto lease = m_pool->acquire(2000, &error);
    if (lease) {
        if (m_leader)
            pgExec(lease->db(),
                   "WITH d AS (DELETE FROM jobs.leader WHERE name = 'default' AND leader_id = $1 "
                   "RETURNING 1) "
                   "SELECT pg_notify('revenge_jobs_control', '{\"action\":\"leader_resigned\"}') "
                   "FROM d",
                   {m_clientId.toUtf8()});
        pgExec(lease->db(), "DELETE FROM jobs.client WHERE id = $1", {m_clientId.toUtf8()});
    }
    setLeader(false);
}

} // namespace Revenge
