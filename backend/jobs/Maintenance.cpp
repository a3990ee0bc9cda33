#include "Maintenance.h"

#include "CronSchedule.h"
#include "JobClient.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

namespace Revenge {

namespace {
QByteArray ms(std::chrono::milliseconds d)
{
    return QByteArray::number(qint64(d.count()));
}
} // namespace

Maintenance::Maintenance(std::shared_ptr<DatabasePool> pool, ExecutorOptions options,
                         QList<PeriodicJob> periodic, QObject *parent)
    : QObject(parent)
    , m_pool(std::move(pool))
    , m_client(std::make_unique<JobClient>(m_pool))
    , m_options(std::move(options))
{
    for (const PeriodicJob &p : periodic) {
        PeriodicState s;
        s.job = p;
        if (p.interval.count() <= 0) {
            QString error;
            auto cron = CronSchedule::parse(p.cron, &error);
            if (!cron) {
                qCWarning(lcJobs).noquote()
                    << "periodic job" << p.name << "ignored: cron" << p.cron << error;
                continue;
            }
            s.cron = std::make_shared<CronSchedule>(*cron);
        }
        m_periodic << s;
    }
    m_scheduler.setInterval(int(m_options.schedulerInterval.count()));
    m_rescuer.setInterval(int(m_options.rescueInterval.count()));
    m_cleaner.setInterval(int(m_options.cleanerInterval.count()));
    m_periodicTimer.setInterval(1000);
    connect(&m_scheduler, &QTimer::timeout, this, &Maintenance::schedule);
    connect(&m_rescuer, &QTimer::timeout, this, &Maintenance::rescue);
    connect(&m_cleaner, &QTimer::timeout, this, &Maintenance::clean);
    connect(&m_periodicTimer, &QTimer::timeout, this,
            [this] { enqueuePeriodic(QDateTime::currentDateTimeUtc()); });
}

Maintenance::~Maintenance() = default;

void Maintenance::setActive(bool leader)
{
    if (leader == m_active)
        return;
    m_active = leader;
    if (!leader) {
        m_scheduler.stop();
        m_rescuer.stop();
        m_cleaner.stop();
        m_periodicTimer.stop();
        return;
    }
    // A new leader starts each schedule from now: the unique slot keys stop a period from being
    // enqueued twice when leadership moves within it.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (PeriodicState &s : m_periodic) {
        if (s.cron) // cron schedules follow the server's local clock ("0 3 * * *" is 03:00 here)
            s.nextFire = s.cron->next(now.toLocalTime());
        else
            s.lastBucket = now.toSecsSinceEpoch() / s.job.interval.count();
        if (s.job.runOnStart)
            enqueue(s, QStringLiteral("start@") + QString::number(now.toSecsSinceEpoch()));
    }
    schedule();
    rescue();
    clean();
    m_scheduler.start();
    m_rescuer.start();
    m_cleaner.start();
    if (!m_periodic.isEmpty())
        m_periodicTimer.start();
}

int Maintenance::schedule()
{
    QString error;
    auto lease = m_pool->acquire(2000, &error);
    if (!lease)
        return 0;
    const PgResult r =
        pgExec(lease->db(),
               "WITH due AS (SELECT id FROM jobs.job WHERE state IN ('scheduled', 'retryable') "
               "             AND scheduled_at <= now() ORDER BY scheduled_at LIMIT 10000 "
               "             FOR UPDATE SKIP LOCKED), "
               "upd AS (UPDATE jobs.job j SET state = 'available' FROM due WHERE j.id = due.id "
               "        RETURNING j.queue) "
               "SELECT count(*), (SELECT count(pg_notify('revenge_jobs_insert', q.queue)) "
               "                  FROM (SELECT DISTINCT queue FROM upd) q) FROM upd");
    if (!r.ok()) {
        qCWarning(lcJobs).noquote() << "scheduler:" << r.error();
        return 0;
    }
    return int(r.toInt(0, 0));
}

int Maintenance::rescue()
{
    QString error;
    auto lease = m_pool->acquire(2000, &error);
    if (!lease)
        return 0;
    // Running jobs whose executor stopped heartbeating (killed, crashed, cut off), or that have
    // run longer than rescueAfter, are retried (or discarded when out of attempts).
    const PgResult r = pgExec(
        lease->db(),
        "WITH stuck AS ("
        "  SELECT j.id, CASE WHEN j.attempted_at < now() - make_interval(secs => $1::double "
        "precision / 1000) "
        "                THEN 'ran longer than the rescue threshold' "
        "                ELSE 'its executor ' || "
        "coalesce(j.attempted_by[cardinality(j.attempted_by)], '?') "
        "                     || ' stopped heartbeating' END AS why "
        "  FROM jobs.job j WHERE j.state = 'running' AND ("
        "    j.attempted_at < now() - make_interval(secs => $1::double precision / 1000) OR NOT "
        "EXISTS ("
        "      SELECT 1 FROM jobs.client c WHERE c.id = "
        "j.attempted_by[cardinality(j.attempted_by)] "
        "      AND c.heartbeat_at > now() - make_interval(secs => $2::double precision / 1000))) "
        "  ORDER BY j.id LIMIT 1000 FOR UPDATE OF j SKIP LOCKED) "
        "UPDATE jobs.job j SET "
        "  state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'retryable' "
        "END::jobs.job_state, "
        "  finalized_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END, "
        "  scheduled_at = now(), "
        "  errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempt, 'at', "
        "now(), "
        "           'error', 'rescued: ' || stuck.why)) "
        "FROM stuck WHERE j.id = stuck.id RETURNING j.id",
        {ms(m_options.rescueAfter), ms(m_options.clientTtl)});
    if (!r.ok()) {
        qCWarning(lcJobs).noquote() << "rescuer:" << r.error();
        return 0;
    }
    if (r.rows())
        qCInfo(lcJobs) << "rescued" << r.rows() << "stuck job(s)";
    // Forget executors that have been silent for a long time.
    pgExec(lease->db(), "DELETE FROM jobs.client WHERE heartbeat_at < now() - interval '1 day'");
    return r.rows();
}

int Maintenance::clean()
{
    QString error;
    auto lease = m_pool->acquire(2000, &error);
    if (!lease)
        return 0;
    int total = 0;
    const std::pair<const char *, std::chrono::seconds> rules[] = {
        {"completed", m_options.completedRetention},
        {"cancelled", m_options.cancelledRetention},
        {"discarded", m_options.discardedRetention}};
    for (const auto &[state, keep] : rules) {
        // Batches of 5,000 keep each transaction short and the table free of long locks.
        for (int round = 0; round < 100; ++round) {
            const PgResult r = pgExec(lease->db(),
                                      "DELETE FROM jobs.job WHERE id IN (SELECT id FROM jobs.job "
                                      "  WHERE state = $1::jobs.job_state AND finalized_at < now() "
                                      "- make_interval(secs => $2) "
                                      "  LIMIT 5000)",
                                      {state, QByteArray::number(qint64(keep.count()))});
            if (!r.ok()) {
                qCWarning(lcJobs).noquote() << "cleaner:" << r.error();
                break;
            }
            total += int(r.affected());
            if (r.affected() < 5000)
                break;
        }
    }
    if (total)
        qCInfo(lcJobs) << "cleaned" << total << "old job(s)";
    return total;
}

int Maintenance::enqueue(const PeriodicState &state, const QString &slot)
{
    InsertOptions options = state.job.options;
    UniqueOptions unique;
    unique.extra = QStringLiteral("periodic:%1@%2").arg(state.job.name, slot);
    unique.byState = allJobStates(); // a slot runs once, whatever became of it
    options.unique = unique;
    options.metadata.insert(QStringLiteral("periodic"), state.job.name);
    QString error;
    const auto r = m_client->insert(state.job.kind, state.job.args, options, &error);
    if (!r) {
        qCWarning(lcJobs).noquote() << "periodic job" << state.job.name << "not enqueued:" << error;
        return -1;
    }
    if (r->duplicate)
        return 0;
    qCInfo(lcJobs).noquote() << "enqueued periodic job" << state.job.name << "as job" << r->job.id;
    return 1;
}

int Maintenance::enqueuePeriodic(const QDateTime &now)
{
    int enqueued = 0;
    for (PeriodicState &s : m_periodic) {
        if (s.cron) {
            while (s.nextFire.isValid() && s.nextFire <= now) {
                const int r = enqueue(s, QString::number(s.nextFire.toSecsSinceEpoch()));
                if (r < 0)
                    break; // try this fire again on the next tick
                enqueued += r;
                s.nextFire = s.cron->next(s.nextFire);
            }
        } else {
            const qint64 bucket = now.toSecsSinceEpoch() / s.job.interval.count();
            if (bucket != s.lastBucket) {
                const int r = enqueue(s, QString::number(bucket));
                if (r >= 0) {
                    s.lastBucket = bucket;
                    enqueued += r;
                }
            }
        }
    }
    return enqueued;
}

} // namespace Revenge
