#pragma once

#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class DatabasePool;
class JobClient;
class MetadataWriter;

// `metadata.local` {"schema": "media"|"c", "item_type": "movie"|..., "item_ids": [uuid, ...]}
// (at most kMaxItems ids): reads each item's NFO and the artwork next to its files and writes
// them into the catalogue. Then, with a job client, it enqueues images.download for each local
// image, and, when remote metadata is enabled, metadata.fetch for movies and series.
//
// A broken NFO costs only that NFO: the item still gets its artwork, the job completes, and the
// failures are counted in the final progress message. Items deleted meanwhile are skipped.
class LocalMetadataWorker : public JobWorker
{
public:
    static constexpr int kMaxItems = 100;

    LocalMetadataWorker(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs,
                        bool remoteEnabled);
    ~LocalMetadataWorker() override;

    QString kind() const override { return QStringLiteral("metadata.local"); }
    std::chrono::milliseconds timeout() const override { return std::chrono::minutes(5); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
    std::unique_ptr<MetadataWriter> m_writer;
    bool m_remoteEnabled;
};

} // namespace Revenge
