#pragma once

#include "jobs/JobWorker.h"

#include <chrono>
#include <memory>

namespace Revenge {

class DatabasePool;
class ImageStore;

// `images.download` {schema: "media"|"c", item_type, item_id, kind, url | path, order}: fetches
// an item's artwork (or reads a local file), stores it in the ImageStore and records it in
// <schema>.images.
//
// The images row: source_url (downloads) or path (local files) says where the image comes
// from; content_hash points at the cached blob. One row per item, kind and image: the same bytes
// again add no row, and a row for the same source that had no hash yet (never fetched, or
// evicted by images.trim) gets it.
//
// Outcomes: stored -> complete; item deleted meanwhile -> complete (nothing to do);
// not an image / too large / bad arguments -> discard, naming the URL and what was wrong;
// 404 / 410 / missing file -> cancel; 5xx, timeouts, network, database -> error (retried).
class ImageDownloadWorker : public JobWorker
{
public:
    ImageDownloadWorker(std::shared_ptr<DatabasePool> pool, std::shared_ptr<ImageStore> store,
                        qint64 maxBytes, std::chrono::milliseconds timeout);
    QString kind() const override { return QStringLiteral("images.download"); }
    // The download's own limit plus room for decoding and the database.
    std::chrono::milliseconds timeout() const override
    {
        return m_timeout + std::chrono::seconds(30);
    }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<ImageStore> m_store;
    qint64 m_maxBytes;
    std::chrono::milliseconds m_timeout;
};

} // namespace Revenge
