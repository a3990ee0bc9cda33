#pragma once

#include "Library.h"

#include <functional>
#include <memory>
#include <optional>

namespace Revenge {

class DatabasePool;
class JobClient;

struct ScanProgress
{
    QString phase; // walking, moves, identifying, cleanup, enqueueing
    qint64 current = 0;
    qint64 total = 0; // 0: unknown yet
};

struct ScanOptions
{
    // Re-identify every file, not only new and changed ones.
    bool full = false;
    int batchSize = 2500;
    qint64 jobId = 0; // recorded on the scan row
    // Called at most a few times per second, on the scanning thread.
    std::function<void(const ScanProgress &)> progress;
    // Polled between batches; true stops the scan (the scan row ends "cancelled").
    std::function<bool()> cancelled;
    // Enqueue enrichment (media.probe, metadata.local) for new and changed files. Off in
    // benchmarks that measure the scan alone.
    bool enqueueEnrichment = true;
};

// Walks a library's folders and brings its files and items in the database up to date.
// Incremental: a file whose size and mtime are unchanged costs no write. Streams: the walk and
// the library's rows (read in path order) are merged, so memory does not grow with the library.
// One scan per library at a time (the scan row's unique index); thread-safe otherwise.
class LibraryScanner
{
public:
    LibraryScanner(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs = {});
    ~LibraryScanner();

    // The scan row as finished. nullopt with `error` when the scan could not run at all
    // (unknown library, a scan already running, database down); problems with single files
    // are counted in the row instead.
    std::optional<LibraryScan> scan(const QString &libraryId, const ScanOptions &options = {},
                                    QString *error = nullptr);

private:
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
};

} // namespace Revenge
