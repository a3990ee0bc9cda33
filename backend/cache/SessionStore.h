#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHostAddress>
#include <QMutex>
#include <QSet>
#include <QString>
#include <QUuid>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace Revenge {

class DatabasePool;
class RedisClient;

// What the client told us when it logged in (stored with the session, shown in "your devices").
struct SessionInfo
{
    QString deviceId;
    QString deviceName;
    QString clientName;
    QString clientVersion;
    QHostAddress ip;
    QString userAgent;
};

// A live session as the per-request path needs it: who, with which rights, from what.
struct Session
{
    QUuid id;
    QUuid userId;
    QString username;
    bool isAdmin = false;
    bool canViewAdult = false;
    QString deviceId;
    QString deviceName;
    QString clientName;
    QString clientVersion;
    QDateTime createdAt;
    QDateTime lastSeenAt;
    // When the session lapses unless it is used again (the TTL slides with every use).
    QDateTime expiresAt;
};

// Login sessions. PostgreSQL (shared.sessions) is authoritative; the cache, when there is one, is
// read-through and write-through under `revenge:session:<hex SHA-256 of the token>` with a
// sliding TTL. Only the token's SHA-256 is stored anywhere.
//
// validate() is the per-request path: with the cache up a hit is one round trip (a Lua script
// that reads the record and slides its TTL). PostgreSQL's last_seen_at/expires_at are written
// back at most once per write-back interval (60 s, or ttl/2 when that is shorter) per session;
// that write-back also re-reads the user, so a change made behind the store's back (user
// disabled, rights changed, session revoked by another process whose cache delete was lost)
// reaches the cache within one interval. revoke*() and invalidateUser() act at once.
//
// Without a cache, or while it is unreachable, everything runs on PostgreSQL alone and no cache
// error reaches the caller; the cache is used again as soon as RedisClient reaches it. Cache
// deletes that fail are remembered and replayed before the cache is read again, so a revoked
// session cannot come back from a cache that kept its data through an outage.
//
// Thread-safe. Never throws.
class SessionStore
{
public:
    enum class Rejection
    {
        InvalidToken, // malformed: rejected without any query
        NotFound,     // unknown, expired or revoked token, or disabled user
        Unavailable,  // PostgreSQL could not answer (and the cache had nothing): not the client's
                      // fault
    };

    SessionStore(std::shared_ptr<DatabasePool> pool, RedisClient *cache,
                 std::chrono::seconds ttl = std::chrono::hours(24));
    ~SessionStore();
    SessionStore(const SessionStore &) = delete;
    SessionStore &operator=(const SessionStore &) = delete;

    // A new session for an existing, enabled user: {token, session}. The token (32 random bytes,
    // base64url without padding) is returned only here.
    std::optional<std::pair<QString, Session>> create(const QUuid &userId, const SessionInfo &info,
                                                      QString *error = nullptr);

    // The session behind a bearer token, sliding its expiry; nullopt with a reason otherwise.
    std::optional<Session> validate(const QString &token, QString *error = nullptr,
                                    Rejection *rejection = nullptr);

    // Revokes one session in PostgreSQL and then drops it from the cache. False when the token
    // names no live session (or on a database error, see `error`).
    bool revoke(const QString &token, QString *error = nullptr);
    // Revokes every live session of a user ("log out everywhere", user disabled); the number
    // revoked, -1 on a database error.
    int revokeAllForUser(const QUuid &userId, QString *error = nullptr);
    // Drops the cached records of a user's live sessions without revoking them, so the next
    // request reads username and rights from PostgreSQL again (call after changing them).
    // The number of sessions affected, -1 on a database error.
    int invalidateUser(const QUuid &userId, QString *error = nullptr);

    // Deletes sessions that expired or were revoked more than a day ago; the number deleted,
    // -1 on a database error.
    int purgeExpired(QString *error = nullptr);

    std::chrono::seconds ttl() const { return m_ttl; }
    std::chrono::milliseconds writeBackInterval() const { return m_writeBack; }

    // The cache key of a token (tests and tools).
    static QByteArray cacheKey(const QString &token);
    // Format check only: 1..512 characters of base64url. False with a reason.
    static bool isWellFormed(const QString &token, QString *error = nullptr);

private:
    enum class CacheUse
    {
        None,    // the cache is away
        Fill,    // it had nothing
        Replace, // it had something unreadable
    };

    std::optional<Session> validateFromDatabase(const QByteArray &hash, CacheUse use,
                                                QString *error, Rejection *rejection);
    std::optional<Session> writeBack(const QByteArray &hash, const Session &cached, bool *gone);
    // Stores the record, then makes sure the session was not revoked meanwhile (a revoke that
    // ran between our read and our write would otherwise be undone). False when it was.
    bool populate(const QByteArray &hash, const Session &session, qint64 dbTouchedMs);
    void deleteKeys(const QList<QByteArray> &hashes);
    // Runs `sql` (returning token hashes of the user's sessions) and drops those cache records;
    // the number of sessions, or -1 with "failure: why".
    int dropCachedSessions(const char *statement, const QByteArray &sql, const QUuid &userId,
                           const QString &failure, QString *error);
    // Replays deletes that failed earlier; false while they still cannot be done (the cache must
    // not be read then).
    bool flushPendingDeletes();
    QByteArray encode(const Session &session, qint64 dbTouchedMs) const;

    std::shared_ptr<DatabasePool> m_pool;
    RedisClient *m_cache;
    std::chrono::seconds m_ttl;
    std::chrono::milliseconds m_writeBack;

    QMutex m_pendingMutex;
    QSet<QByteArray> m_pendingDeletes; // token hashes (hex)
    std::atomic<bool> m_hasPending{false};
};

} // namespace Revenge
