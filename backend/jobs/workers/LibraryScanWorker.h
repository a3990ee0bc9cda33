#pragma once

#include "jobs/JobClient.h"
#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class DatabasePool;

// `library.scan` {library_id}: scans one library (LibraryScanner). Unique per library while one
// is queued or running; a full re-identification is asked for with metadata {"full": true}.
class LibraryScanWorker : public JobWorker
{
public:
    LibraryScanWorker(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs,
                      std::chrono::minutes timeout = std::chrono::minutes(360));
    QString kind() const override { return QStringLiteral("library.scan"); }
    std::chrono::milliseconds timeout() const override { return m_timeout; }
    JobResult work(JobContext &context) override;

    // Queues a scan of the library; returns the queued or running scan job when there is one.
    static std::optional<InsertResult> enqueue(JobClient &jobs, const QString &libraryId,
                                               bool full = false, QString *error = nullptr);
    static InsertParams params(const QString &libraryId, bool full = false);

private:
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
    std::chrono::milliseconds m_timeout;
};

// `library.scan_all`: the scheduled rescan; queues library.scan for every enabled library.
class LibraryScanAllWorker : public JobWorker
{
public:
    LibraryScanAllWorker(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs);
    QString kind() const override { return QStringLiteral("library.scan_all"); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
};

} // namespace Revenge
