#include "SearchIndexWorker.h"

#include "search/SearchIndexer.h"

#include <QJsonArray>
#include <atomic>

namespace Revenge {

SearchIndexWorker::SearchIndexWorker(std::shared_ptr<SearchIndexer> indexer)
    : m_indexer(std::move(indexer))
{}

JobResult SearchIndexWorker::work(JobContext &context)
{
    const auto collection =
        collectionFromName(context.args().value(QStringLiteral("collection")).toString());
    if (!collection)
        return JobResult::discard(
            QStringLiteral("unknown collection '%1'")
                .arg(context.args().value(QStringLiteral("collection")).toString()));
    QStringList ids;
    for (const QJsonValue &v : context.args().value(QStringLiteral("ids")).toArray())
        ids << v.toString();
    if (ids.isEmpty())
        return JobResult::complete();
    QString error;
    const auto report = m_indexer->index(*collection, ids, &error);
    if (!report)
        return JobResult::error(error); // the engine or the database is away: retried with backoff
    context.reportProgress(
        QStringLiteral("index"), ids.size(), ids.size(),
        QStringLiteral("%1 indexed, %2 failed").arg(report->indexed).arg(report->failures.size()));
    if (!report->failures.isEmpty())
        return JobResult::discard(
            QStringLiteral("%1 document(s) refused, first: %2: %3")
                .arg(report->failures.size())
                .arg(report->failures.first().first, report->failures.first().second));
    return JobResult::complete();
}

SearchReindexWorker::SearchReindexWorker(std::shared_ptr<SearchIndexer> indexer)
    : m_indexer(std::move(indexer))
{}

JobResult SearchReindexWorker::work(JobContext &context)
{
    std::atomic<bool> cancelled{false};
    QString error;
    const auto report = m_indexer->reindexAll(
        [&](const QString &phase, qint64 done, qint64 total) {
            context.reportProgress(phase, done, total);
            if (context.isCancelled())
                cancelled = true;
        },
        &cancelled, &error);
    if (!report)
        return context.isCancelled() ? JobResult::cancel(QStringLiteral("cancelled"))
                                     : JobResult::error(error);
    context.reportProgress(
        QStringLiteral("done"), report->indexed, report->indexed,
        QStringLiteral("%1 indexed, %2 failed").arg(report->indexed).arg(report->failures.size()));
    return JobResult::complete();
}

} // namespace Revenge
