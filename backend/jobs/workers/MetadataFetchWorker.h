#pragma once

#include "jobs/JobWorker.h"

#include <QJsonObject>
#include <memory>

namespace Revenge {

class DatabasePool;
class JobClient;
class MetadataProvider;
struct ItemSummary;
struct MediaMetadata;

// `metadata.fetch` {"schema": "media", "item_type": "movie"|"series"|"episode", "item_id": uuid}:
// finds the item at the remote provider (its id from earlier fetches, else an IMDb id, else a
// search matched by title and year), writes what the provider says through MetadataWriter and
// enqueues `images.download` for the poster and the first backdrops (episodes: the still).
//
// Outcomes: rate limited -> snoozed (5 min, or longer when the provider says so); the item's
// provider id is gone (404) -> cancelled; API key rejected -> discarded; network, server errors
// and malformed answers -> error (retried with backoff); remote metadata turned off, no match,
// an episode whose series has no provider id -> completed with a message.
class MetadataFetchWorker : public JobWorker
{
public:
    static constexpr const char *kKind = "metadata.fetch";
    static constexpr int kMaxBackdrops = 3;

    MetadataFetchWorker(std::shared_ptr<DatabasePool> pool,
                        std::shared_ptr<MetadataProvider> provider,
                        std::shared_ptr<JobClient> jobs);

    QString kind() const override { return QString::fromLatin1(kKind); }
    // A handful of requests, each bounded by the provider's timeout.
    std::chrono::milliseconds timeout() const override { return std::chrono::minutes(2); }
    JobResult work(JobContext &context) override;

    // The args of a fetch for one item (for enqueuers).
    static QJsonObject args(const QString &schema, const QString &itemType, const QString &itemId);

private:
    JobResult fetchTitle(JobContext &context, const ItemSummary &item);
    JobResult fetchEpisode(JobContext &context, const ItemSummary &item);
    JobResult store(JobContext &context, const ItemSummary &item, const MediaMetadata &metadata);

    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<MetadataProvider> m_provider;
    std::shared_ptr<JobClient> m_jobs;
};

} // namespace Revenge
