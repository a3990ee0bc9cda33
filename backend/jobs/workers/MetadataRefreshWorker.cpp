#include "MetadataRefreshWorker.h"

#include "MetadataFetchWorker.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"

#include <algorithm>

namespace Revenge {

MetadataRefreshWorker::MetadataRefreshWorker(std::shared_ptr<DatabasePool> pool,
                                             std::shared_ptr<JobClient> jobs, Options options)
    : m_pool(std::move(pool))
    , m_jobs(std::move(jobs))
    , m_options(std::move(options))
{}

JobResult MetadataRefreshWorker::work(JobContext &context)
{
    const QJsonObject &a = context.args();
    const QJsonValue staleArg = a.value(QStringLiteral("stale_days"));
    const QJsonValue limitArg = a.value(QStringLiteral("limit"));
    if (!staleArg.isUndefined() && (!staleArg.isDouble() || staleArg.toDouble() < 0))
        return JobResult::discard(
            QStringLiteral("metadata.refresh: stale_days must be a number >= 0"));
    if (!limitArg.isUndefined() && (!limitArg.isDouble() || limitArg.toDouble() < 1))
        return JobResult::discard(QStringLiteral("metadata.refresh: limit must be a number >= 1"));
    const int staleDays =
        staleArg.isUndefined() ? m_options.staleDays : int(std::min(staleArg.toDouble(), 36500.0));
    const int limit =
        limitArg.isUndefined() ? m_options.limit : int(std::min(limitArg.toDouble(), 1e6));

    // Never fetched (no tmdb id) first, then the stalest. Adult libraries have no remote source.
    static const char *sql = R"(
        SELECT item_type, id::text FROM (
            SELECT 'movie' AS item_type, m.id, m.external_ids ? 'tmdb' AS known, m.updated_at
              FROM media.movies m JOIN shared.libraries l ON l.id = m.library_id
             WHERE l.enabled AND NOT l.is_adult
               AND (NOT m.external_ids ? 'tmdb' OR m.updated_at < now() - make_interval(days => $1::int))
            UNION ALL
            SELECT 'series', s.id, s.external_ids ? 'tmdb', s.updated_at
              FROM media.series s JOIN shared.libraries l ON l.id = s.library_id
             WHERE l.enabled AND NOT l.is_adult
               AND (NOT s.external_ids ? 'tmdb' OR s.updated_at < now() - make_interval(days => $1::int))
        ) due
        ORDER BY known, updated_at, id
        LIMIT $2::int)";
    PgResult rows;
    {
        auto lease = m_pool->acquire();
        rows = pgExec(lease->db(), sql, {QByteArray::number(staleDays), QByteArray::number(limit)});
    }
    if (!rows.ok())
        return JobResult::error(
            QStringLiteral("metadata.refresh: finding due items: %1").arg(rows.error()));

    UniqueOptions unique;
    unique.byArgs = true;
    unique.byState = {JobState::Available, JobState::Pending, JobState::Retryable,
                      JobState::Running, JobState::Scheduled};
    InsertOptions options;
    options.queue = m_options.queue;
    options.priority = 3;
    options.unique = unique;

    const int total = rows.rows();
    const int batch = std::max(1, m_options.batchSize);
    int queued = 0;
    int duplicates = 0;
    for (int start = 0; start < total; start += batch) {
        if (context.isCancelled())
            return JobResult::cancel(
                QStringLiteral("cancelled after %1 of %2").arg(start).arg(total));
        QList<InsertParams> jobs;
        for (int row = start; row < std::min(total, start + batch); ++row)
            jobs << InsertParams{QString::fromLatin1(MetadataFetchWorker::kKind),
                                 MetadataFetchWorker::args(QStringLiteral("media"),
                                                           rows.text(row, 0), rows.text(row, 1)),
                                 options};
        QString error;
        const auto inserted = m_jobs->insertMany(jobs, &error);
        if (!inserted)
            return JobResult::error(QStringLiteral("metadata.refresh: enqueueing: %1").arg(error));
        for (const InsertResult &r : *inserted)
            r.duplicate ? ++duplicates : ++queued;
        context.reportProgress(QStringLiteral("enqueue"), start + jobs.size(), total);
    }
    qCInfo(lcMetadata).noquote() << "metadata.refresh:" << queued << "fetch(es) queued,"
                                 << duplicates << "already queued";
    JobResult r = JobResult::complete();
    r.message = QStringLiteral("%1 queued, %2 already queued").arg(queued).arg(duplicates);
    return r;
}

} // namespace Revenge
