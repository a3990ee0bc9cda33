#pragma once

#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class ImageStore;

// `images.trim` {}: the scheduled "image cache trimming" task. Brings the image cache under
// images.cache_max_mb (see ImageStore::trim for the order: unreferenced blobs, then the least
// recently used, then stray files).
class ImageTrimWorker : public JobWorker
{
public:
    ImageTrimWorker(std::shared_ptr<ImageStore> store, qint64 maxBytes);
    QString kind() const override { return QStringLiteral("images.trim"); }
    std::chrono::milliseconds timeout() const override { return std::chrono::minutes(30); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<ImageStore> m_store;
    qint64 m_maxBytes;
};

} // namespace Revenge
