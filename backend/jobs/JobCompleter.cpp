#include "JobCompleter.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Revenge {

JobCompleter::JobCompleter(std::shared_ptr<DatabasePool> pool, int flushIntervalMs, int batchSize, QObject *parent)
    : QObject(parent)
    , m_pool(std::move(pool))
    , m_batchSize(std::max(1, batchSize))
{
    m_timer.setInterval(flushIntervalMs);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!flush())
            m_timer.start(std::max(1000, int(m_timer.interval()))); // the database is away: back off
    });
}

void JobCompleter::add(const Completion &completion)
{
    m_pending.append(completion);
    if (m_pending.size() >= m_batchSize)
        flush();
    else if (!m_timer.isActive())
        m_timer.start();
}

bool JobCompleter::flush()
{
    if (m_pending.isEmpty())
        return true;
    // At most 5,000 rows per statement keeps each UPDATE short.
    while (!m_pending.isEmpty()) {
        const qsizetype n = std::min<qsizetype>(m_pending.size(), 5000);
        QByteArray payload = "[";
        for (qsizetype i = 0; i < n; ++i) {
            const Completion &c = m_pending.at(i);
            QJsonObject row{{QStringLiteral("id"), c.id},
                            {QStringLiteral("state"), jobStateName(c.state)},
                            {QStringLiteral("attempt_delta"), c.attemptDelta}};
            if (c.scheduledAt.isValid())
                row.insert(QStringLiteral("scheduled_at"), c.scheduledAt.toUTC().toString(Qt::ISODateWithMs));
            if (!c.error.isNull())
                row.insert(QStringLiteral("error"), c.error);
            if (i)
                payload += ',';
            payload += QJsonDocument(row).toJson(QJsonDocument::Compact);
        }
        payload += ']';

        static const char *sql =
            "WITH u AS (SELECT * FROM jsonb_to_recordset($1::jsonb) "
            "           AS u(id bigint, state text, scheduled_at timestamptz, error text, attempt_delta int)), "
            "upd AS (UPDATE jobs.job j SET "
            "    state = u.state::jobs.job_state, "
            "    finalized_at = CASE WHEN u.state IN ('completed', 'cancelled', 'discarded') THEN now() END, "
            "    scheduled_at = coalesce(u.scheduled_at, j.scheduled_at), "
            "    attempt = j.attempt + u.attempt_delta, "
            "    errors = CASE WHEN u.error IS NULL THEN j.errors ELSE j.errors || jsonb_build_array("
            "        jsonb_build_object('attempt', j.attempt, 'at', now(), 'error', u.error)) END "
            "  FROM u WHERE j.id = u.id AND j.state = 'running' "
            "  RETURNING j.queue, j.state) "
            "SELECT pg_notify('revenge_jobs_insert', queue) "
            "FROM (SELECT DISTINCT queue FROM upd WHERE state = 'available') q";
        QString error;
        auto lease = m_pool->acquire(2000, &error);
        if (!lease) {
            qCWarning(lcJobs).noquote() << "cannot write" << m_pending.size() << "job completion(s):" << error;
            return false;
        }
        const PgResult r = pgExec(lease->db(), sql, {payload});
        if (!r.ok()) {
            qCWarning(lcJobs).noquote() << "cannot write" << m_pending.size() << "job completion(s):" << r.error();
            return false;
        }
        m_pending.remove(0, n);
    }
    m_timer.stop();
    return true;
}

} // namespace Revenge
