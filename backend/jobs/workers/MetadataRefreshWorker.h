#pragma once

#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class DatabasePool;
class JobClient;

// `metadata.refresh` {"stale_days"?: n, "limit"?: n} (scheduled, tasks.metadata_refresh):
// enqueues `metadata.fetch` for the movies and series of every enabled, non-adult library that
// have no "tmdb" id yet or were last updated more than stale_days (default 30) ago - never
// fetched first, then the stalest - at most `limit` (default 5000) per run, in insertMany batches.
// Fetches are unique by args while unfinished, so overlapping runs do not queue an item twice.
class MetadataRefreshWorker : public JobWorker
{
public:
    static constexpr const char *kKind = "metadata.refresh";

    struct Options
    {
        int staleDays = 30;
        int limit = 5000;
        int batchSize = 500;
        QString queue = QStringLiteral("low"); // background work: behind user-triggered jobs
    };

    MetadataRefreshWorker(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs,
                          Options options);
    MetadataRefreshWorker(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs)
        : MetadataRefreshWorker(std::move(pool), std::move(jobs), Options{})
    {}

    QString kind() const override { return QString::fromLatin1(kKind); }
    std::chrono::milliseconds timeout() const override { return std::chrono::minutes(10); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
    Options m_options;
};

} // namespace Revenge
