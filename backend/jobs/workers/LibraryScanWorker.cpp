#include "LibraryScanWorker.h"

#include "library/LibraryRepository.h"
#include "library/LibraryScanner.h"

#include <QUuid>

namespace Revenge {

LibraryScanWorker::LibraryScanWorker(std::shared_ptr<DatabasePool> pool,
                                     std::shared_ptr<JobClient> jobs, std::chrono::minutes timeout)
    : m_pool(std::move(pool))
    , m_jobs(std::move(jobs))
    , m_timeout(timeout)
{}

InsertParams LibraryScanWorker::params(const QString &libraryId, bool full)
{
    InsertParams p;
    p.kind = QStringLiteral("library.scan");
    p.args = {{QStringLiteral("library_id"), libraryId}};
    p.options.maxAttempts = 3;
    if (full)
        p.options.metadata = {{QStringLiteral("full"), true}};
    UniqueOptions unique;
    unique.byArgs = true;
    // "While one is queued or running": a finished scan does not block the next.
    unique.byState = {JobState::Available, JobState::Pending, JobState::Scheduled,
                      JobState::Running, JobState::Retryable};
    p.options.unique = unique;
    return p;
}

std::optional<InsertResult> LibraryScanWorker::enqueue(JobClient &jobs, const QString &libraryId,
                                                       bool full, QString *error)
{
    const InsertParams p = params(libraryId, full);
    return jobs.insert(p.kind, p.args, p.options, error);
}

JobResult LibraryScanWorker::work(JobContext &context)
{
    const QString id = context.args().value(QStringLiteral("library_id")).toString();
    if (QUuid::fromString(id).isNull())
        return JobResult::discard(
            QStringLiteral("args.library_id: '%1' is not a library id (uuid)").arg(id));
    ScanOptions options;
    options.full = context.job().metadata.value(QStringLiteral("full")).toBool();
    options.jobId = context.job().id;
    options.progress = [&context](const ScanProgress &p) {
        context.reportProgress(p.phase, p.current, p.total);
    };
    options.cancelled = [&context] { return context.isCancelled(); };
    QString error;
    const auto scan = LibraryScanner(m_pool, m_jobs).scan(id, options, &error);
    if (!scan) {
        if (error.startsWith(QLatin1String("not found")))
            return JobResult::cancel(error);
        if (error.contains(QLatin1String("already running")))
            return JobResult::snoozeFor(std::chrono::seconds(30));
        return JobResult::error(error);
    }
    if (scan->status == QLatin1String("failed"))
        return JobResult::error(scan->error);
    if (scan->status == QLatin1String("cancelled"))
        return JobResult::error(QStringLiteral("scan %1 cancelled").arg(scan->id));
    return JobResult::complete();
}

LibraryScanAllWorker::LibraryScanAllWorker(std::shared_ptr<DatabasePool> pool,
                                           std::shared_ptr<JobClient> jobs)
    : m_pool(std::move(pool))
    , m_jobs(std::move(jobs))
{}

JobResult LibraryScanAllWorker::work(JobContext &)
{
    QString error;
    const auto libraries = LibraryRepository(m_pool).list(&error);
    if (!libraries)
        return JobResult::error(error);
    QList<InsertParams> scans;
    for (const Library &l : *libraries)
        if (l.enabled)
            scans << LibraryScanWorker::params(l.id);
    if (!scans.isEmpty() && !m_jobs->insertMany(scans, &error))
        return JobResult::error(error);
    return JobResult::complete();
}

} // namespace Revenge
