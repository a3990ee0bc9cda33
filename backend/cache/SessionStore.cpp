#include "SessionStore.h"

#include "RedisClient.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

namespace Revenge {

namespace {

constexpr qsizetype kMaxTokenLength = 512;
constexpr int kFormatVersion = 1;
// Failed deletes kept for replay; beyond this the write-back interval is the only bound.
constexpr qsizetype kMaxPendingDeletes = 100000;
// Keys per DEL command.
constexpr qsizetype kDeleteChunk = 1000;
const QByteArray kKeyPrefix = QByteArrayLiteral("revenge:session:");

// Reads the record and slides its TTL in one round trip. When the last write-back to PostgreSQL
// is older than the interval, claims the next one by moving "dt" forward (so that concurrent
// requests do not all write) and returns 1 with the value. A value of another type makes GET
// fail (WRONGTYPE): the caller treats that as a miss and overwrites it.
// KEYS[1] record; ARGV[1] ttl ms, ARGV[2] now ms, ARGV[3] write-back interval ms.
const RedisScript kValidateScript(QByteArrayLiteral(R"lua(
local v = redis.call('GET', KEYS[1])
if not v then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local dt = tonumber(string.match(v, '"dt":(%d+)'))
if dt and tonumber(ARGV[2]) - dt >= tonumber(ARGV[3]) then
    local nv = string.gsub(v, '"dt":%d+', '"dt":' .. ARGV[2], 1)
    redis.call('SET', KEYS[1], nv, 'PX', ARGV[1])
    return {v, 1}
end
return {v, 0}
)lua"));

// The columns every statement returns, in Row order. `s` is the session, `u` the user.
#define SESSION_COLUMNS                                                                            \
    "s.id, s.user_id, u.username, u.is_admin, u.can_view_adult, s.device_id, s.device_name, "      \
    "s.client_name, s.client_version, (extract(epoch FROM s.created_at) * 1000)::bigint, "         \
    "(extract(epoch FROM s.last_seen_at) * 1000)::bigint, "                                        \
    "(extract(epoch FROM s.expires_at) * 1000)::bigint"

// Only enabled users get sessions. $1 hash, $2 user, $3..$8 info, $9 ttl ms.
const QByteArray kCreateSql = QByteArrayLiteral(
    "WITH u AS (SELECT id, username, is_admin, can_view_adult FROM shared.users "
    "           WHERE id = $2::uuid AND disabled_at IS NULL), "
    "s AS (INSERT INTO shared.sessions (token_hash, user_id, device_id, device_name, client_name, "
    "          client_version, ip, user_agent, expires_at) "
    "      SELECT $1::bytea, u.id, $3, $4, $5, $6, $7::inet, $8, "
    "             now() + $9::bigint * interval '1 millisecond' FROM u "
    "      RETURNING *) "
    "SELECT " SESSION_COLUMNS " FROM s JOIN u ON u.id = s.user_id");

// The read path without the cache's record. Slides last_seen_at/expires_at only when the last
// write is older than the write-back interval, so that running on PostgreSQL alone does not cost
// a write per request either. $1 hash, $2 ttl ms, $3 write-back interval ms.
const QByteArray kValidateSql = QByteArrayLiteral(
    "WITH s AS (SELECT " SESSION_COLUMNS " FROM shared.sessions s "
    "           JOIN shared.users u ON u.id = s.user_id "
    "           WHERE s.token_hash = $1::bytea AND s.revoked_at IS NULL "
    "             AND s.expires_at > now() AND u.disabled_at IS NULL), "
    "t AS (UPDATE shared.sessions x SET last_seen_at = now(), "
    "             expires_at = now() + $2::bigint * interval '1 millisecond' "
    "      FROM s WHERE x.id = s.id "
    "        AND x.last_seen_at < now() - $3::bigint * interval '1 millisecond' "
    "      RETURNING (extract(epoch FROM x.last_seen_at) * 1000)::bigint AS seen, "
    "                (extract(epoch FROM x.expires_at) * 1000)::bigint AS expires) "
    "SELECT s.*, t.seen, t.expires FROM s LEFT JOIN t ON true");

// The write-back of a cache hit, which also re-reads what the cache may hold stale. The cache's
// TTL governs expiry between write-backs, so PostgreSQL's expires_at may lag by up to one
// interval; a session expired in PostgreSQL for longer than that (set by hand) is refused.
// $1 hash, $2 ttl ms, $3 allowed lag ms.
const QByteArray kTouchSql = QByteArrayLiteral(
    "UPDATE shared.sessions s SET last_seen_at = now(), "
    "       expires_at = now() + $2::bigint * interval '1 millisecond' "
    "FROM shared.users u "
    "WHERE s.token_hash = $1::bytea AND u.id = s.user_id AND s.revoked_at IS NULL "
    "  AND u.disabled_at IS NULL "
    "  AND s.expires_at > now() - $3::bigint * interval '1 millisecond' "
    "RETURNING " SESSION_COLUMNS);

const QByteArray kStillLiveSql =
    QByteArrayLiteral("SELECT 1 FROM shared.sessions s JOIN shared.users u ON u.id = s.user_id "
                      "WHERE s.id = $1::uuid AND s.revoked_at IS NULL AND u.disabled_at IS NULL");

const QByteArray kRevokeSql =
    QByteArrayLiteral("UPDATE shared.sessions SET revoked_at = now() "
                      "WHERE token_hash = $1::bytea AND revoked_at IS NULL RETURNING id");

const QByteArray kRevokeAllSql = QByteArrayLiteral(
    "UPDATE shared.sessions SET revoked_at = now() "
    "WHERE user_id = $1::uuid AND revoked_at IS NULL RETURNING encode(token_hash, 'hex')");

const QByteArray kUserSessionsSql =
    QByteArrayLiteral("SELECT encode(token_hash, 'hex') FROM shared.sessions "
                      "WHERE user_id = $1::uuid AND revoked_at IS NULL");

const QByteArray kPurgeSql =
    QByteArrayLiteral("DELETE FROM shared.sessions WHERE expires_at < now() - interval '1 day' "
                      "OR revoked_at < now() - interval '1 day'");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

QByteArray hashOf(const QString &token)
{
    return QCryptographicHash::hash(token.toLatin1(), QCryptographicHash::Sha256).toHex();
}

QByteArray keyOf(const QByteArray &hexHash)
{
    return kKeyPrefix + hexHash;
}

// bytea in text form, for a parameter sent as text.
QByteArray byteaParam(const QByteArray &hexHash)
{
    return QByteArrayLiteral("\\x") + hexHash;
}

QByteArray uuidParam(const QUuid &id)
{
    return id.toByteArray(QUuid::WithoutBraces);
}

// A nullable text parameter: empty strings are stored as NULL.
QByteArray textParam(const QString &s, qsizetype maxLength)
{
    return s.isEmpty() ? QByteArray() : s.left(maxLength).toUtf8();
}

// One row of SESSION_COLUMNS starting at column 0.
Session sessionFromRow(const PgResult &r, int row)
{
    Session s;
    s.id = QUuid::fromString(r.text(row, 0));
    s.userId = QUuid::fromString(r.text(row, 1));
    s.username = r.text(row, 2);
    s.isAdmin = r.toBool(row, 3);
    s.canViewAdult = r.toBool(row, 4);
    s.deviceId = r.text(row, 5);
    s.deviceName = r.text(row, 6);
    s.clientName = r.text(row, 7);
    s.clientVersion = r.text(row, 8);
    s.createdAt = fromMs(r.toInt(row, 9));
    s.lastSeenAt = fromMs(r.toInt(row, 10));
    s.expiresAt = fromMs(r.toInt(row, 11));
    return s;
}

// The cached record back into a Session; nullopt for anything we did not write.
std::optional<Session> decode(const QByteArray &json, qint64 *dbTouchedMs)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    if (o.value(QLatin1String("v")).toInt(-1) != kFormatVersion)
        return std::nullopt;
    const auto uuid = [&](const char *name) {
        const QJsonValue v = o.value(QLatin1String(name));
        return v.isString() ? QUuid::fromString(v.toString()) : QUuid();
    };
    const auto string = [&](const char *name, bool *ok) {
        const QJsonValue v = o.value(QLatin1String(name));
        if (!v.isString() && !v.isUndefined())
            *ok = false;
        return v.toString();
    };
    Session s;
    bool ok = true;
    s.id = uuid("id");
    s.userId = uuid("uid");
    s.username = string("u", &ok);
    s.deviceId = string("did", &ok);
    s.deviceName = string("dn", &ok);
    s.clientName = string("cn", &ok);
    s.clientVersion = string("cv", &ok);
    const QJsonValue admin = o.value(QLatin1String("adm"));
    const QJsonValue adult = o.value(QLatin1String("adl"));
    const QJsonValue created = o.value(QLatin1String("ca"));
    const QJsonValue touched = o.value(QLatin1String("dt"));
    if (!ok || s.id.isNull() || s.userId.isNull() || s.username.isEmpty() || !admin.isBool() ||
        !adult.isBool() || !created.isDouble() || !touched.isDouble())
        return std::nullopt;
    s.isAdmin = admin.toBool();
    s.canViewAdult = adult.toBool();
    s.createdAt = fromMs(created.toInteger());
    *dbTouchedMs = touched.toInteger();
    return s;
}

} // namespace

SessionStore::SessionStore(std::shared_ptr<DatabasePool> pool, RedisClient *cache,
                           std::chrono::seconds ttl)
    : m_pool(std::move(pool))
    , m_cache(cache)
    , m_ttl(std::max(ttl, std::chrono::seconds(1)))
    // Shorter than half the TTL, so PostgreSQL never considers a session in use expired.
    , m_writeBack(std::min<std::chrono::milliseconds>(std::chrono::seconds(60),
                                                      std::chrono::milliseconds(m_ttl) / 2))
{}

SessionStore::~SessionStore() = default;

QByteArray SessionStore::cacheKey(const QString &token)
{
    return keyOf(hashOf(token));
}

bool SessionStore::isWellFormed(const QString &token, QString *error)
{
    const auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (token.isEmpty())
        return fail(QStringLiteral("invalid session token: empty"));
    if (token.size() > kMaxTokenLength)
        return fail(QStringLiteral("invalid session token: longer than %1 characters (%2)")
                        .arg(kMaxTokenLength)
                        .arg(token.size()));
    for (const QChar c : token) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                        (u >= '0' && u <= '9') || u == '-' || u == '_';
        if (!ok)
            return fail(QStringLiteral("invalid session token: not base64url"));
    }
    return true;
}

QByteArray SessionStore::encode(const Session &s, qint64 dbTouchedMs) const
{
    QJsonObject o;
    o.insert(QLatin1String("v"), kFormatVersion);
    o.insert(QLatin1String("id"), s.id.toString(QUuid::WithoutBraces));
    o.insert(QLatin1String("uid"), s.userId.toString(QUuid::WithoutBraces));
    o.insert(QLatin1String("u"), s.username);
    o.insert(QLatin1String("adm"), s.isAdmin);
    o.insert(QLatin1String("adl"), s.canViewAdult);
    if (!s.deviceId.isEmpty())
        o.insert(QLatin1String("did"), s.deviceId);
    if (!s.deviceName.isEmpty())
        o.insert(QLatin1String("dn"), s.deviceName);
    if (!s.clientName.isEmpty())
        o.insert(QLatin1String("cn"), s.clientName);
    if (!s.clientVersion.isEmpty())
        o.insert(QLatin1String("cv"), s.clientVersion);
    o.insert(QLatin1String("ca"), s.createdAt.toMSecsSinceEpoch());
    // The script finds this with a pattern; integers keep it matchable.
    o.insert(QLatin1String("dt"), dbTouchedMs);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<std::pair<QString, Session>>
SessionStore::create(const QUuid &userId, const SessionInfo &info, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<std::pair<QString, Session>> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (userId.isNull())
        return fail(QStringLiteral("no user given"));

    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / qsizetype(sizeof(quint32)));
    const QString token = QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    const QByteArray hash = hashOf(token);

    QString dbError;
    auto lease = m_pool->acquire(5000, &dbError);
    if (!lease)
        return fail(QStringLiteral("cannot create the session: %1").arg(dbError));
    const PgResult r =
        pgExecPrepared(lease->db(), "revenge_session_create", kCreateSql,
                       {byteaParam(hash), uuidParam(userId), textParam(info.deviceId, 256),
                        textParam(info.deviceName, 256), textParam(info.clientName, 256),
                        textParam(info.clientVersion, 64),
                        info.ip.isNull() ? QByteArray() : info.ip.toString().toLatin1(),
                        textParam(info.userAgent, 1024),
                        QByteArray::number(qint64(std::chrono::milliseconds(m_ttl).count()))});
    if (!r.ok())
        return fail(QStringLiteral("cannot create the session: %1").arg(r.error()));
    if (r.rows() == 0)
        return fail(QStringLiteral("no such user, or the user is disabled"));
    const Session session = sessionFromRow(r, 0);
    if (m_cache && !populate(hash, session, session.lastSeenAt.toMSecsSinceEpoch()))
        return fail(QStringLiteral("the session was revoked while it was being created"));
    return std::make_pair(token, session);
}

std::optional<Session> SessionStore::validate(const QString &token, QString *error,
                                              Rejection *rejection)
{
    if (!isWellFormed(token, error)) {
        if (rejection)
            *rejection = Rejection::InvalidToken;
        return std::nullopt;
    }
    const QByteArray hash = hashOf(token);
    // A delete that still cannot be replayed means the cache may hold a revoked session.
    if (!m_cache || !flushPendingDeletes())
        return validateFromDatabase(hash, CacheUse::None, error, rejection);

    const qint64 now = nowMs();
    const qint64 ttlMs = std::chrono::milliseconds(m_ttl).count();
    QString cacheError;
    const auto reply = m_cache->eval(kValidateScript, {keyOf(hash)},
                                     {QByteArray::number(ttlMs), QByteArray::number(now),
                                      QByteArray::number(qint64(m_writeBack.count()))},
                                     &cacheError);
    if (!reply) {
        // Down, or it went down just now: PostgreSQL alone, without trying the cache again.
        qCDebug(lcCache).noquote() << "session cache unavailable:" << cacheError;
        return validateFromDatabase(hash, CacheUse::None, error, rejection);
    }
    if (reply->type == RedisReply::Type::Nil)
        return validateFromDatabase(hash, CacheUse::Fill, error, rejection);

    qint64 dbTouched = 0;
    std::optional<Session> cached;
    if (reply->type == RedisReply::Type::Array && reply->elements.size() == 2 &&
        reply->elements[0].type == RedisReply::Type::String &&
        reply->elements[1].type == RedisReply::Type::Integer)
        cached = decode(reply->elements[0].string, &dbTouched);
    if (!cached) {
        // Not ours (or not any more): read PostgreSQL and overwrite it.
        qCWarning(lcCache).noquote() << "unreadable session record in the cache, replacing it:"
                                     << (reply->isError() ? QString::fromUtf8(reply->string)
                                                          : QStringLiteral("unexpected content"));
        return validateFromDatabase(hash, CacheUse::Replace, error, rejection);
    }
    cached->lastSeenAt = fromMs(now);
    cached->expiresAt = fromMs(now + ttlMs);
    if (reply->elements[1].integer == 1) {
        bool gone = false;
        auto fresh = writeBack(hash, *cached, &gone);
        if (gone) {
            if (error)
                *error = QStringLiteral("unknown, expired or revoked session");
            if (rejection)
                *rejection = Rejection::NotFound;
            return std::nullopt;
        }
        if (fresh)
            return fresh;
    }
    return cached;
}

std::optional<Session> SessionStore::writeBack(const QByteArray &hash, const Session &cached,
                                               bool *gone)
{
    // Best effort on the request path: a busy pool is not waited for long.
    QString dbError;
    auto lease = m_pool->acquire(250, &dbError);
    if (!lease) {
        // The cache vouched for it a moment ago; the next interval tries again.
        qCDebug(lcCache).noquote() << "session write-back skipped:" << dbError;
        return std::nullopt;
    }
    const qint64 ttlMs = std::chrono::milliseconds(m_ttl).count();
    const PgResult r = pgExecPrepared(lease->db(), "revenge_session_touch", kTouchSql,
                                      {byteaParam(hash), QByteArray::number(ttlMs),
                                       QByteArray::number(qint64(2 * m_writeBack.count()))});
    if (!r.ok()) {
        qCDebug(lcCache).noquote() << "session write-back failed:" << r.error();
        return std::nullopt;
    }
    if (r.rows() == 0) {
        // Revoked, disabled or deleted behind the cache's back.
        *gone = true;
        deleteKeys({hash});
        return std::nullopt;
    }
    Session fresh = sessionFromRow(r, 0);
    if (fresh.id != cached.id) {
        *gone = true;
        deleteKeys({hash});
        return std::nullopt;
    }
    // XX: when a revoke deleted the key meanwhile, it stays deleted.
    QString cacheError;
    const auto reply =
        m_cache->command({"SET", keyOf(hash), encode(fresh, fresh.lastSeenAt.toMSecsSinceEpoch()),
                          "PX", QByteArray::number(ttlMs), "XX"},
                         &cacheError);
    if (!reply || reply->isError())
        qCDebug(lcCache).noquote() << "session record not refreshed:"
                                   << (reply ? QString::fromUtf8(reply->string) : cacheError);
    return fresh;
}

std::optional<Session> SessionStore::validateFromDatabase(const QByteArray &hash, CacheUse use,
                                                          QString *error, Rejection *rejection)
{
    const auto fail = [&](Rejection why, const QString &message) -> std::optional<Session> {
        if (error)
            *error = message;
        if (rejection)
            *rejection = why;
        return std::nullopt;
    };
    QString dbError;
    auto lease = m_pool->acquire(5000, &dbError);
    if (!lease)
        return fail(Rejection::Unavailable,
                    QStringLiteral("cannot check the session: %1").arg(dbError));
    const PgResult r = pgExecPrepared(
        lease->db(), "revenge_session_validate", kValidateSql,
        {byteaParam(hash), QByteArray::number(qint64(std::chrono::milliseconds(m_ttl).count())),
         QByteArray::number(qint64(m_writeBack.count()))});
    if (!r.ok())
        return fail(Rejection::Unavailable,
                    QStringLiteral("cannot check the session: %1").arg(r.error()));
    if (r.rows() == 0) {
        if (use == CacheUse::Replace)
            deleteKeys({hash});
        return fail(Rejection::NotFound, QStringLiteral("unknown, expired or revoked session"));
    }
    Session session = sessionFromRow(r, 0);
    if (!r.isNull(0, 12)) { // written back just now
        session.lastSeenAt = fromMs(r.toInt(0, 12));
        session.expiresAt = fromMs(r.toInt(0, 13));
    }
    if (use != CacheUse::None && !populate(hash, session, session.lastSeenAt.toMSecsSinceEpoch()))
        return fail(Rejection::NotFound, QStringLiteral("unknown, expired or revoked session"));
    return session;
}

bool SessionStore::populate(const QByteArray &hash, const Session &session, qint64 dbTouchedMs)
{
    QString cacheError;
    const auto reply =
        m_cache->command({"SET", keyOf(hash), encode(session, dbTouchedMs), "PX",
                          QByteArray::number(qint64(std::chrono::milliseconds(m_ttl).count()))},
                         &cacheError);
    if (!reply || reply->isError()) {
        // It may still have been stored (a timeout): make sure it is gone before the cache is
        // read again, since the check below cannot vouch for it.
        qCDebug(lcCache).noquote()
            << "session not cached:" << (reply ? QString::fromUtf8(reply->string) : cacheError);
        if (!reply)
            deleteKeys({hash});
        return true;
    }
    // A revoke between our read and our write deleted the key before we wrote it.
    auto lease = m_pool->acquire(5000);
    const PgResult r = lease ? pgExecPrepared(lease->db(), "revenge_session_still_live",
                                              kStillLiveSql, {uuidParam(session.id)})
                             : PgResult(nullptr, QStringLiteral("no connection"));
    if (r.ok() && r.rows() == 1)
        return true;
    deleteKeys({hash});
    // Unknown (database error): answer from what we read, just do not keep it cached.
    return !r.ok();
}

void SessionStore::deleteKeys(const QList<QByteArray> &hashes)
{
    if (!m_cache || hashes.isEmpty())
        return;
    QList<QByteArray> failed;
    for (qsizetype i = 0; i < hashes.size(); i += kDeleteChunk) {
        QList<QByteArray> command{"DEL"};
        const qsizetype end = std::min(hashes.size(), i + kDeleteChunk);
        for (qsizetype j = i; j < end; ++j)
            command.append(keyOf(hashes[j]));
        const auto reply = m_cache->command(command);
        if (!reply || reply->isError())
            failed += hashes.mid(i, end - i);
    }
    if (failed.isEmpty())
        return;
    QMutexLocker lock(&m_pendingMutex);
    for (const QByteArray &h : std::as_const(failed)) {
        if (m_pendingDeletes.size() >= kMaxPendingDeletes) {
            qCWarning(lcCache) << "too many session deletes waiting for the cache; dropping some";
            break;
        }
        m_pendingDeletes.insert(h);
    }
    m_hasPending.store(true);
}

bool SessionStore::flushPendingDeletes()
{
    if (!m_hasPending.load())
        return true;
    // Held while deleting, so that no other thread reads the cache before the deletes landed.
    QMutexLocker lock(&m_pendingMutex);
    if (m_pendingDeletes.isEmpty())
        return true;
    const QList<QByteArray> hashes = m_pendingDeletes.values();
    for (qsizetype i = 0; i < hashes.size(); i += kDeleteChunk) {
        QList<QByteArray> command{"DEL"};
        const qsizetype end = std::min(hashes.size(), i + kDeleteChunk);
        for (qsizetype j = i; j < end; ++j)
            command.append(keyOf(hashes[j]));
        const auto reply = m_cache->command(command);
        if (!reply || reply->isError())
            return false;
        for (qsizetype j = i; j < end; ++j)
            m_pendingDeletes.remove(hashes[j]);
    }
    m_hasPending.store(false);
    return true;
}

bool SessionStore::revoke(const QString &token, QString *error)
{
    if (!isWellFormed(token, error))
        return false;
    const QByteArray hash = hashOf(token);
    QString dbError;
    auto lease = m_pool->acquire(5000, &dbError);
    if (!lease) {
        if (error)
            *error = QStringLiteral("cannot revoke the session: %1").arg(dbError);
        return false;
    }
    // PostgreSQL first: once the key is deleted, no read-through can bring the session back.
    const PgResult r =
        pgExecPrepared(lease->db(), "revenge_session_revoke", kRevokeSql, {byteaParam(hash)});
    if (!r.ok()) {
        if (error)
            *error = QStringLiteral("cannot revoke the session: %1").arg(r.error());
        return false;
    }
    deleteKeys({hash}); // also when it was revoked already: a stale record must not survive
    if (r.rows() == 0 && error)
        *error = QStringLiteral("unknown or already revoked session");
    return r.rows() > 0;
}

int SessionStore::revokeAllForUser(const QUuid &userId, QString *error)
{
    return dropCachedSessions("revenge_session_revoke_all", kRevokeAllSql, userId,
                              QStringLiteral("cannot revoke the sessions"), error);
}

int SessionStore::invalidateUser(const QUuid &userId, QString *error)
{
    return dropCachedSessions("revenge_session_of_user", kUserSessionsSql, userId,
                              QStringLiteral("cannot list the sessions"), error);
}

int SessionStore::dropCachedSessions(const char *statement, const QByteArray &sql,
                                     const QUuid &userId, const QString &failure, QString *error)
{
    QString dbError;
    auto lease = m_pool->acquire(5000, &dbError);
    if (!lease) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(failure, dbError);
        return -1;
    }
    const PgResult r = pgExecPrepared(lease->db(), statement, sql, {uuidParam(userId)});
    if (!r.ok()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(failure, r.error());
        return -1;
    }
    QList<QByteArray> hashes;
    hashes.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        hashes.append(r.bytes(i, 0));
    deleteKeys(hashes);
    return r.rows();
}

int SessionStore::purgeExpired(QString *error)
{
    QString dbError;
    auto lease = m_pool->acquire(5000, &dbError);
    if (!lease) {
        if (error)
            *error = QStringLiteral("cannot purge sessions: %1").arg(dbError);
        return -1;
    }
    const PgResult r = pgExec(lease->db(), kPurgeSql);
    if (!r.ok()) {
        if (error)
            *error = QStringLiteral("cannot purge sessions: %1").arg(r.error());
        return -1;
    }
    return int(r.affected());
}

} // namespace Revenge
