#pragma once

#include <QHash>
#include <QMutex>
#include <QReadWriteLock>
#include <QSet>
#include <QString>
#include <atomic>
#include <chrono>
#include <optional>

namespace Revenge {

class RedisClient;

// GCRA rate limiting (the "leaky bucket as a meter" of ATM networks): per key, one number is
// kept, the theoretical arrival time (TAT) of the next request. A request of cost c is admitted
// when TAT + c·T - burst·T <= now, T = 1/rate; it then moves TAT to max(TAT, now) + c·T. A key at
// rest therefore admits `burst` requests at once and then one every T.
//
// With a cache the check is one Lua script on the server (atomic across every thread and
// process; the server's clock, so processes on different hosts agree). Without one (null, down,
// or the script failed) an in-process limiter with the same semantics takes over and
// Decision::degraded says so; each process then enforces the limit on its own, so the effective
// limit is multiplied by the number of processes until the cache is back. The next check after
// the cache returns uses it again; nothing has to be reset.
//
// Thread-safe.
class RateLimiter
{
public:
    struct Limit
    {
        double ratePerSecond = 0; // steady rate, > 0
        int burst = 0;            // requests admitted at once from rest, >= 1
    };

    struct Decision
    {
        bool allowed = true;
        int remaining = 0;                       // requests of cost 1 still admitted right now
        std::chrono::milliseconds retryAfter{0}; // when denied: until this request would pass
        std::chrono::milliseconds resetAfter{0}; // until the key is back at rest (full burst)
        bool degraded = false;                   // decided in-process, not through the cache
        int limit = 0;                           // the policy's burst (X-RateLimit-Limit)

        // The value for an HTTP Retry-After header: whole seconds, rounded up, at least 1 when
        // denied.
        qint64 retryAfterSeconds() const;
    };

    // Full refill (burst / rate) may not exceed this; a longer window is almost certainly a
    // unit mistake, and the cache key would live as long.
    static constexpr std::chrono::hours kMaxWindow{24 * 30};
    // In-process keys kept at most; beyond it the ones closest to rest are dropped (a dropped
    // key simply starts again with a full burst).
    static constexpr int kDefaultMaxLocalKeys = 100000;

    // `cache` may be null (always in-process) and must outlive the limiter.
    explicit RateLimiter(RedisClient *cache, int maxLocalKeys = kDefaultMaxLocalKeys);
    ~RateLimiter();
    RateLimiter(const RateLimiter &) = delete;
    RateLimiter &operator=(const RateLimiter &) = delete;

    // Adds or replaces a policy. Defaults: "api" 10/s burst 20 (per client IP), "auth" 1/s
    // burst 5 (authentication endpoints). Names are [A-Za-z0-9_.-]+ (they become part of a
    // cache key). False with an error for a bad name, a rate <= 0 (or not finite), a burst < 1
    // or a refill window over kMaxWindow; the previous policy, if any, stays.
    bool setPolicy(const QString &name, Limit limit, QString *error = nullptr);
    std::optional<Limit> policy(const QString &name) const;

    // Counts `cost` requests against `key` (e.g. the client's IP) under `policy`.
    //
    // Misuse is a programming error, not something the client did, so it never turns into an
    // outage nor into a silent pass: an unknown policy is admitted (allowed, limit 0) with a
    // warning logged once per name; a cost < 0 is treated as 0 (a query that consumes
    // nothing); a cost above the policy's burst can never be admitted and is denied with
    // retryAfter = the full refill window, without touching the key.
    Decision check(const QString &policy, const QString &key, int cost = 1);

    // True while the last check was decided in-process.
    bool isDegraded() const { return m_degraded.load(); }
    // In-process keys currently tracked (tests, health).
    int localKeyCount() const;

private:
    std::optional<Decision> checkRemote(const QString &policy, const QString &key,
                                        const Limit &limit, int cost, QString *error);
    Decision checkLocal(const QString &policy, const QString &key, const Limit &limit, int cost);
    void evictLocked(double nowUs);
    void noteDegraded(bool degraded, const QString &why);

    RedisClient *m_cache;
    const int m_maxLocalKeys;

    mutable QReadWriteLock m_policyLock;
    QHash<QString, Limit> m_policies;
    QSet<QString> m_warnedPolicies; // under m_policyLock (write)

    mutable QMutex m_localMutex;
    QHash<QString, double> m_localTat; // "<policy>:<key>" -> TAT, steady-clock microseconds
    double m_lastSweepUs = 0;
    double m_lastFullWarningUs = -1e18;

    std::atomic<bool> m_degraded{false};
};

} // namespace Revenge
