#pragma once

#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class DatabasePool;

// `media.probe` {schema, file_ids}: reads container, duration and streams of each file with
// libavformat into <schema>.media_files, and for music files refines the track (title, number,
// disc, artist, album) from the file's tags unless the track's metadata is locked. A file that
// cannot be probed gets probe_error and is not tried again until it changes.
class MediaProbeWorker : public JobWorker
{
public:
    explicit MediaProbeWorker(std::shared_ptr<DatabasePool> pool);
    QString kind() const override { return QStringLiteral("media.probe"); }
    std::chrono::milliseconds timeout() const override { return std::chrono::minutes(30); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<DatabasePool> m_pool;
};

} // namespace Revenge
