#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <utility>

namespace Revenge {

class EventBus;
class RedisClient;

struct ResponseCacheOptions
{
    // L1 bounds: whichever is reached first evicts the least recently used entries.
    qsizetype maxEntries = 10000;
    qint64 maxBytes = 64 * 1024 * 1024; // approximate: value + key + tags + per-entry overhead
    std::chrono::milliseconds defaultTtl{60000};
    // No L1 entry lives longer than this, whatever its TTL. It bounds how long another
    // process's invalidation can go unnoticed here when its pub/sub event is lost.
    std::chrono::milliseconds l1MaxTtl{10000};
};

struct ResponseCacheStats
{
    quint64 l1Hits = 0;
    quint64 l2Hits = 0;
    quint64 misses = 0;    // found in neither level
    quint64 computes = 0;  // getOrCompute ran compute()
    quint64 coalesced = 0; // getOrCompute callers that waited for another caller's compute
    qsizetype l1Entries = 0;
    qint64 l1Bytes = 0;
};

// A two-level cache for API responses: a bounded in-process LRU (L1) in front of the Redis
// cache (L2, `revenge:resp:<key>`). Thread-safe. Cache failures never throw and never fail a
// request: without Redis (null, stopped, unreachable) L1 works alone and L2 is used again as
// soon as the RedisClient reaches the server.
//
// Invalidation by tag, across processes:
// - L2 correctness comes from per-tag generations. `revenge:resp:gen:<tag>` holds a random
//   token; invalidateTag() replaces it. A stored entry carries the tokens of its tags as they
//   were *before* its value was computed; a read compares them with the current tokens (same
//   round trip when the caller names the tags, one more MGET otherwise) and treats any
//   difference, or a missing token, as a miss. This closes the race where a value computed
//   from old data is written after the invalidation (a tag set alone would keep it), works
//   for any number of processes, and needs no script with undeclared keys. Tokens are random,
//   never counters, so an expired or evicted generation key can only cause misses, never
//   revive an old entry.
// - `revenge:resp:tag:<tag>` sets are housekeeping only: invalidateTag() SMEMBERS them and
//   UNLINKs the entries so that they do not occupy memory until their TTL.
// - L1 of other processes: invalidateTag() publishes "cache.invalidate" on the EventBus after
//   the L2 update; every ResponseCache on a bus drops its L1 entries with that tag. L1 entries
//   filled from a read that raced with an invalidation are not inserted (see L1's history).
//   Staleness bound for another process's L1: the pub/sub delivery latency (milliseconds)
//   while its CacheSubscriber is subscribed. Redis pub/sub is at-most-once, so an event sent
//   while that subscriber is reconnecting is lost; then the bound is the entry's L1 lifetime,
//   min(prefix TTL, remaining L2 TTL, l1MaxTtl). Without an EventBus it is always the latter.
//   L1 is also emptied whenever the RedisClient reconnects, since invalidations made while we
//   could not hear them are unknown.
// - An invalidation that cannot reach Redis (down, or unreachable from this process only) is
//   kept and applied before this process uses L2 again, so a server that comes back with its
//   data (or a partition that heals) does not serve what was invalidated meanwhile.
class ResponseCache
{
public:
    explicit ResponseCache(RedisClient *redis = nullptr, EventBus *bus = nullptr,
                           ResponseCacheOptions options = {});
    ~ResponseCache();
    ResponseCache(const ResponseCache &) = delete;
    ResponseCache &operator=(const ResponseCache &) = delete;

    // TTL for keys starting with `prefix` (the longest matching prefix wins). A TTL <= 0 means
    // "do not cache".
    void setTtl(const QString &prefix, std::chrono::milliseconds ttl);
    void setDefaultTtl(std::chrono::milliseconds ttl);
    std::chrono::milliseconds ttlFor(const QString &key) const;

    std::optional<QByteArray> get(const QString &key);
    // Stores what it is given. A value computed before a concurrent invalidateTag() of one of
    // its tags is stored as current: use getOrCompute(), which reads the tag generations
    // before computing, when that race matters.
    void put(const QString &key, const QByteArray &value, const QStringList &tags = {});

    // Returns the cached value or computes, caches and returns it. Concurrent misses of one key
    // (any number of threads) run compute once; the others wait for its result. An exception
    // from compute is rethrown to the caller that ran it and to every waiter, and nothing is
    // cached. compute must not call getOrCompute for the same key.
    QByteArray getOrCompute(const QString &key, const std::function<QByteArray()> &compute,
                            const QStringList &tags = {});

    // Both levels, in every process (the same event as invalidateTag).
    void remove(const QString &key);
    void invalidateTag(const QString &tag);
    // This process's L1 only.
    void clear();

    ResponseCacheStats stats() const;

    static constexpr const char *kInvalidateEvent = "cache.invalidate";
    static constexpr const char *kKeyPrefix = "revenge:resp:";

private:
    struct L1;
    struct Flight;
    struct L2Read;

    L2Read readL2(const QString &key, const QStringList &ensureTags);
    std::optional<QHash<QString, QByteArray>> currentTokens(const QStringList &tags);
    void store(const QString &key, const QByteArray &value, const QStringList &tags,
               const std::optional<QHash<QString, QByteArray>> &tokens, quint64 l1Seq);
    std::optional<QByteArray> lookupL2AndFill(const QString &key, const QStringList &ensureTags,
                                              quint64 l1Seq,
                                              std::optional<QHash<QString, QByteArray>> *tokens);
    QByteArray lead(const QString &key, const std::function<QByteArray()> &compute,
                    const QStringList &tags, quint64 l1Seq);
    void publishInvalidation(const QStringList &tags, const QStringList &keys);
    bool invalidateTagL2(const QString &tag);
    bool removeL2(const QString &key);
    bool flushPending();
    std::chrono::milliseconds generationTtl() const;
    std::chrono::milliseconds longestTtl() const;

    RedisClient *m_redis;
    EventBus *m_bus;
    const std::chrono::milliseconds m_l1MaxTtl;
    // Shared with the EventBus and RedisClient callbacks, which may outlive us for a moment.
    std::shared_ptr<L1> m_l1;
    QList<QMetaObject::Connection> m_connections;

    mutable std::shared_mutex m_ttlMutex;
    std::chrono::milliseconds m_defaultTtl;
    QList<std::pair<QString, std::chrono::milliseconds>> m_prefixTtls;

    std::mutex m_flightMutex;
    QHash<QString, std::shared_ptr<Flight>> m_flights;

    // Invalidations Redis has not seen yet (it was unreachable); applied before L2 is used again.
    std::mutex m_pendingMutex;
    QSet<QString> m_pendingTags;
    QSet<QString> m_pendingKeys;
    std::atomic<bool> m_hasPending{false};

    std::atomic<quint64> m_l1Hits{0};
    std::atomic<quint64> m_l2Hits{0};
    std::atomic<quint64> m_misses{0};
    std::atomic<quint64> m_computes{0};
    std::atomic<quint64> m_coalesced{0};
};

} // namespace Revenge
