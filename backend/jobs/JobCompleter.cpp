#include "JobCompleter.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent>

namespace Revenge {

JobCompleter::JobCompleter(std::shared_ptr<DatabasePool> pool, int flushIntervalMs, int batchSize,
                           QObject *parent)
    : QObject(parent)
    , m_pool(std::move(pool))
    , m_batchSize(std::max(1, batchSize))
    , m_flushIntervalMs(flushIntervalMs)
{
    m_writer.setMaxThreadCount(1);
    m_writer.setExpiryTimeout(-1);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &JobCompleter::startWrite);
}

JobCompleter::~JobCompleter()
{
    m_writer.waitForDone();
}

int JobCompleter::pending() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_pending.size());
}

void JobCompleter::add(const Completion &completion)
{
    qsizetype n;
    {
        QMutexLocker lock(&m_mutex);
        m_pending.append(completion);
        n = m_pending.size();
    }
    if (n >= m_batchSize)
        startWrite();
    else if (!m_timer.isActive())
        m_timer.start(m_flushIntervalMs);
}

void JobCompleter::startWrite()
{
    if (m_inFlight.isRunning())
        return; // its continuation starts the next write
    m_timer.stop();
    if (pending() == 0)
        return;
    m_inFlight = QtConcurrent::run(&m_writer, [this] { return write(); });
    m_inFlight.then(this, [this](bool ok) {
        if (!ok)
            m_timer.start(std::max(1000, m_flushIntervalMs)); // the database is away: back off
        else if (pending() >= m_batchSize)
            startWrite();
        else if (pending() > 0 && !m_timer.isActive())
            m_timer.start(m_flushIntervalMs);
    });
}

bool JobCompleter::flush()
{
    m_timer.stop();
    m_inFlight.waitForFinished();
    return QtConcurrent::run(&m_writer, [this] { return write(); }).result();
}

bool JobCompleter::write()
{
    static const char *sql =
        "WITH u AS (SELECT * FROM jsonb_to_recordset($1::jsonb) "
        "           AS u(id bigint, state text, scheduled_at timestamptz, error text, "
        "attempt_delta int)), "
        "upd AS (UPDATE jobs.job j SET "
        "    state = u.state::jobs.job_state, "
        "    finalized_at = CASE WHEN u.state IN ('completed', 'cancelled', 'discarded') THEN "
        "now() END, "
        "    scheduled_at = coalesce(u.scheduled_at, j.scheduled_at), "
        "    attempt = j.attempt + u.attempt_delta, "
        "    errors = CASE WHEN u.error IS NULL THEN j.errors ELSE j.errors || jsonb_build_array("
        "        jsonb_build_object('attempt', j.attempt, 'at', now(), 'error', u.error)) END "
        "  FROM u WHERE j.id = u.id AND j.state = 'running' "
        "  RETURNING j.queue, j.state) "
        "SELECT pg_notify('revenge_jobs_insert', queue) "
        "FROM (SELECT DISTINCT queue FROM upd WHERE state = 'available') q";
    for (;;) {
        QList<Completion> batch;
        {
            QMutexLocker lock(&m_mutex);
            // At most 5,000 rows per statement keeps each UPDATE short.
            const qsizetype n = std::min<qsizetype>(m_pending.size(), 5000);
            if (n == 0)
                return true;
            batch = m_pending.mid(0, n);
            m_pending.remove(0, n);
        }
        QByteArray payload = "[";
        for (qsizetype i = 0; i < batch.size(); ++i) {
            const Completion &c = batch.at(i);
            QJsonObject row{{QStringLiteral("id"), c.id},
                            {QStringLiteral("state"), jobStateName(c.state)},
                            {QStringLiteral("attempt_delta"), c.attemptDelta}};
            if (c.scheduledAt.isValid())
                row.insert(QStringLiteral("scheduled_at"),
                           c.scheduledAt.toUTC().toString(Qt::ISODateWithMs));
            if (!c.error.isNull())
                row.insert(QStringLiteral("error"), c.error);
            if (i)
                payload += ',';
            payload += QJsonDocument(row).toJson(QJsonDocument::Compact);
        }
        payload += ']';
        QString error;
        auto lease = m_pool->acquire(2000, &error);
        PgResult r;
        if (lease)
            r = pgExecPrepared(lease->db(), "revenge_jobs_complete", sql, {payload});
        if (!lease || !r.ok()) {
            qCWarning(lcJobs).noquote() << "cannot write" << batch.size()
                                        << "job completion(s):" << (lease ? r.error() : error);
            QMutexLocker lock(&m_mutex);
            m_pending = batch + m_pending; // keep them, in order, for the next try
            return false;
        }
    }
}

} // namespace Revenge
