#pragma once

#include <QByteArray>
#include <QString>
#include <chrono>
#include <memory>
#include <optional>

namespace Revenge {

class DatabasePool;
class RedisClient;

// A lock held through DistributedLock. Released when destroyed (or by release()); movable, not
// copyable. Must not outlive the RedisClient it was taken through. A PostgreSQL lock owns a
// connection of its own for as long as it is held.
class LockHandle
{
public:
    enum class Backend
    {
        Redis,
        Postgres
    };

    LockHandle(LockHandle &&other) noexcept;
    // Releases the lock this handle held before taking over `other`'s.
    LockHandle &operator=(LockHandle &&other) noexcept;
    ~LockHandle();
    LockHandle(const LockHandle &) = delete;
    LockHandle &operator=(const LockHandle &) = delete;

    QString name() const;
    Backend backend() const;
    bool isRedis() const { return backend() == Backend::Redis; }
    bool isPostgres() const { return backend() == Backend::Postgres; }
    // The random value stored in the Redis key; empty for a PostgreSQL lock.
    QByteArray token() const;
    // False once released (or moved from). Says nothing about expiry: see DistributedLock::extend.
    bool isHeld() const;

    // Releases now. True when the lock was still ours and is now free. False (with error) when
    // it had already expired (maybe taken by someone else, who keeps it: only our own token is
    // deleted) or the server could not be reached (a Redis lock then lapses at its TTL, a
    // PostgreSQL lock with its connection, closed here). The handle is released either way.
    bool release(QString *error = nullptr);

private:
    friend class DistributedLock;
    struct State;
    explicit LockHandle(std::unique_ptr<State> state);
    std::unique_ptr<State> d;
};

// Mutual exclusion across threads and processes, e.g. one scan per library.
//
// Through the cache: SET revenge:lock:<name> <random token> NX PX <ttl>; release and extend are
// Lua scripts that act only while the key still holds our token, so a holder whose lock expired
// can never release or extend the next holder's. The TTL bounds how long a crashed holder blocks
// the others; a holder that works longer must extend() before it runs out, and stop working
// (it no longer has the lock) when extend() says false.
//
// Degraded: when the cache is null or unreachable, PostgreSQL session-level advisory locks on
// hashtextextended('revenge:lock:' || name, 0), each on a connection of its own that the handle
// keeps until release (an advisory lock belongs to the session; on a pooled connection other
// code would share, and re-entrantly re-take, it). They have no TTL: they end with release() or
// with the connection (the process dies), and extend() only checks the connection is alive.
//
// Known window, accepted for simplicity: the two mechanisms do not see each other. While the
// cache is down for some processes but not others (or just after it returns, while locks taken
// during the outage are still held), a Redis holder and a PostgreSQL holder of the same name can
// coexist. Holders taken through Redis before an outage find out at their next extend(), which
// fails while the cache is unreachable; work guarded by a lock should therefore extend
// periodically and stop when that fails, and work that must never overlap should also be
// idempotent or protected in the database itself.
//
// Thread-safe; handles may be used, moved and released on any thread (one thread at a time).
class DistributedLock
{
public:
    // `cache` may be null (PostgreSQL only); `pool` may be null (no fallback: while the cache
    // is unreachable acquiring fails). The PostgreSQL fallback uses pool->settings() to open its
    // own connections, not the pool's.
    DistributedLock(RedisClient *cache, std::shared_ptr<DatabasePool> pool);
    ~DistributedLock();

    // One attempt. nullopt when the lock is held by someone else (error left empty) or could not
    // be taken at all (error says why). ttl must be >= 1 ms.
    std::optional<LockHandle> tryAcquire(const QString &name, std::chrono::milliseconds ttl,
                                         QString *error = nullptr);
    // Retries with short jittered sleeps (5 ms growing to 100 ms) until taken or waitTimeout has
    // passed; then nullopt with an error.
    std::optional<LockHandle> acquire(const QString &name, std::chrono::milliseconds ttl,
                                      std::chrono::milliseconds waitTimeout,
                                      QString *error = nullptr);
    // Sets a Redis lock's remaining time to `ttl` if it is still ours. A PostgreSQL lock has no
    // TTL: true while its connection is alive. False (with error) when the lock is lost or its
    // server cannot be reached.
    bool extend(LockHandle &handle, std::chrono::milliseconds ttl, QString *error = nullptr);

    static QByteArray redisKey(const QString &name) { return "revenge:lock:" + name.toUtf8(); }

private:
    std::optional<LockHandle> tryAcquirePostgres(const QString &name, QString *error);

    RedisClient *m_cache;
    std::shared_ptr<DatabasePool> m_pool;
};

} // namespace Revenge
