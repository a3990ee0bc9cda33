#include "DistributedLock.h"

#include "RedisClient.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <atomic>
#include <thread>

namespace Revenge {

namespace {

// Delete / re-arm the key only while it still holds the caller's token: after our TTL ran out
// someone else may hold it, and a plain DEL or PEXPIRE would act on their lock.
//
// KEYS[1] revenge:lock:<name>; ARGV[1] our token (ARGV[2] the new TTL in ms). 1 done, 0 not ours.
const RedisScript kReleaseScript(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua");

const RedisScript kExtendScript(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
)lua");

// Namespaced like the Redis key so that other advisory-lock users (the migrator's fixed key)
// are unlikely to collide.
const char kPgTryLock[] = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";
const char kPgUnlock[] = "SELECT pg_advisory_unlock(hashtextextended($1, 0))";

std::atomic<quint64> g_nextConnection{1};
// Logged once per change, not per lock.
std::atomic<bool> g_onPostgres{false};

QByteArray newToken()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex();
}

QByteArray pgLockName(const QString &name)
{
    return "revenge:lock:" + name.toUtf8();
}

void closeConnection(QSqlDatabase &db, const QString &connectionName)
{
    db.close();
    db = QSqlDatabase(); // no copy may remain when it is removed
    QSqlDatabase::removeDatabase(connectionName);
}

void noteBackend(bool postgres, const QString &why)
{
    if (postgres && !g_onPostgres.exchange(true))
        qCWarning(lcCache).noquote()
            << "locks fall back to PostgreSQL advisory locks until the cache is back:" << why;
    else if (!postgres && g_onPostgres.exchange(false))
        qCInfo(lcCache) << "locks are taken through the cache again";
}

} // namespace

struct LockHandle::State
{
    QString name;
    Backend backend = Backend::Redis;
    bool released = false;
    // Redis
    RedisClient *cache = nullptr;
    QByteArray token;
    // PostgreSQL: the session that holds the advisory lock
    QString connectionName;
    QSqlDatabase db;
};

LockHandle::LockHandle(std::unique_ptr<State> state)
    : d(std::move(state))
{}

LockHandle::LockHandle(LockHandle &&other) noexcept = default;

LockHandle &LockHandle::operator=(LockHandle &&other) noexcept
{
    if (this != &other) {
        release();
        d = std::move(other.d);
    }
    return *this;
}

LockHandle::~LockHandle()
{
    if (!isHeld())
        return;
    QString error;
    if (!release(&error))
        qCWarning(lcCache).noquote() << "releasing lock" << d->name << "failed:" << error;
}

QString LockHandle::name() const
{
    return d ? d->name : QString();
}

LockHandle::Backend LockHandle::backend() const
{
    return d ? d->backend : Backend::Redis;
}

QByteArray LockHandle::token() const
{
    return d ? d->token : QByteArray();
}

bool LockHandle::isHeld() const
{
    return d && !d->released;
}

bool LockHandle::release(QString *error)
{
    if (!isHeld()) {
        if (error)
            *error = QStringLiteral("the lock was already released");
        return false;
    }
    d->released = true;
    if (d->backend == Backend::Redis) {
        QString why;
        auto reply =
            d->cache->eval(kReleaseScript, {DistributedLock::redisKey(d->name)}, {d->token}, &why);
        if (reply && reply->type == RedisReply::Type::Integer)
            why = reply->integer == 1
                      ? QString()
                      : QStringLiteral("lock %1 had expired before its release").arg(d->name);
        else if (reply)
            why = QStringLiteral("unexpected reply releasing lock %1: %2")
                      .arg(d->name, QString::fromUtf8(reply->string));
        if (error)
            *error = why;
        return why.isEmpty();
    }

    const PgResult r = pgExec(d->db, kPgUnlock, {pgLockName(d->name)});
    const bool ok = r.ok() && r.rows() == 1 && r.toBool(0, 0);
    if (error)
        *error = ok       ? QString()
                 : r.ok() ? QStringLiteral("advisory lock %1 was not held").arg(d->name)
                          : r.error();
    // Closing the session releases the lock in any case.
    closeConnection(d->db, d->connectionName);
    return ok;
}

DistributedLock::DistributedLock(RedisClient *cache, std::shared_ptr<DatabasePool> pool)
    : m_cache(cache)
    , m_pool(std::move(pool))
{}

DistributedLock::~DistributedLock() = default;

std::optional<LockHandle> DistributedLock::tryAcquire(const QString &name,
                                                      std::chrono::milliseconds ttl, QString *error)
{
    if (error)
        error->clear();
    if (name.isEmpty() || ttl.count() < 1) {
        if (error)
            *error = QStringLiteral("a lock needs a name and a TTL of at least 1 ms");
        return std::nullopt;
    }
    if (!m_cache)
        return tryAcquirePostgres(name, error);

    const QByteArray token = newToken();
    QString why;
    auto reply = m_cache->command(
        {"SET", redisKey(name), token, "NX", "PX", QByteArray::number(qint64(ttl.count()))}, &why);
    if (!reply) {
        // Unreachable (or in its backoff window): PostgreSQL stands in.
        noteBackend(true, why);
        return tryAcquirePostgres(name, error);
    }
    noteBackend(false, {});
    if (reply->type == RedisReply::Type::Nil)
        return std::nullopt; // held by someone else
    if (reply->type != RedisReply::Type::Status || reply->string != "OK") {
        // The server is up but refused (e.g. out of memory). Not a reason to take the lock
        // elsewhere: others that reach it would not see that lock.
        if (error)
            *error = QStringLiteral("cannot take lock %1: %2")
                         .arg(name, reply->isError() ? QString::fromUtf8(reply->string)
                                                     : QStringLiteral("unexpected reply"));
        return std::nullopt;
    }
    auto state = std::make_unique<LockHandle::State>();
    state->name = name;
    state->backend = LockHandle::Backend::Redis;
    state->cache = m_cache;
    state->token = token;
    return LockHandle(std::move(state));
}

std::optional<LockHandle> DistributedLock::tryAcquirePostgres(const QString &name, QString *error)
{
    if (!m_pool) {
        if (error)
            *error = QStringLiteral("cannot take lock %1: the cache is unavailable and there is "
                                    "no database to fall back to")
                         .arg(name);
        return std::nullopt;
    }
    const QString connectionName =
        QStringLiteral("revenge-lock-%1").arg(g_nextConnection.fetch_add(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    // Named apart so that an operator can tell lock sessions in pg_stat_activity.
    ConnectionSettings settings = m_pool->settings();
    settings.applicationName += QStringLiteral("-lock");
    DatabasePool::configure(db, settings);
    if (!db.open()) {
        if (error)
            *error = QStringLiteral("cannot take lock %1 in PostgreSQL: %2")
                         .arg(name, db.lastError().text().trimmed());
        closeConnection(db, connectionName);
        return std::nullopt;
    }
    DatabasePool::routeNotices(db);
    const PgResult r = pgExec(db, kPgTryLock, {pgLockName(name)});
    if (!r.ok() || r.rows() != 1 || !r.toBool(0, 0)) {
        if (!r.ok() && error)
            *error = QStringLiteral("cannot take lock %1 in PostgreSQL: %2").arg(name, r.error());
        closeConnection(db, connectionName);
        return std::nullopt;
    }
    auto state = std::make_unique<LockHandle::State>();
    state->name = name;
    state->backend = LockHandle::Backend::Postgres;
    state->connectionName = connectionName;
    state->db = db;
    return LockHandle(std::move(state));
}

std::optional<LockHandle> DistributedLock::acquire(const QString &name,
                                                   std::chrono::milliseconds ttl,
                                                   std::chrono::milliseconds waitTimeout,
                                                   QString *error)
{
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + waitTimeout;
    int baseMs = 5;
    QString lastError;
    for (;;) {
        QString why;
        if (auto handle = tryAcquire(name, ttl, &why))
            return handle;
        if (!why.isEmpty())
            lastError = why;
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            break;
        // Jitter spreads waiters out so they do not all retry at the same instant.
        const int sleepMs = baseMs / 2 + int(QRandomGenerator::global()->bounded(baseMs / 2 + 1));
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(sleepMs)));
        baseMs = std::min(100, baseMs * 2);
    }
    if (error)
        *error = QStringLiteral("timed out after %1 ms waiting for lock %2%3")
                     .arg(waitTimeout.count())
                     .arg(name, lastError.isEmpty() ? QString() : QStringLiteral(": ") + lastError);
    return std::nullopt;
}

bool DistributedLock::extend(LockHandle &handle, std::chrono::milliseconds ttl, QString *error)
{
    QString why;
    if (!handle.isHeld()) {
        why = QStringLiteral("the lock was released");
    } else if (ttl.count() < 1) {
        why = QStringLiteral("a TTL must be at least 1 ms");
    } else if (handle.d->backend == LockHandle::Backend::Redis) {
        auto reply =
            handle.d->cache->eval(kExtendScript, {redisKey(handle.d->name)},
                                  {handle.d->token, QByteArray::number(qint64(ttl.count()))}, &why);
        if (reply && reply->type == RedisReply::Type::Integer)
            why = reply->integer == 1
                      ? QString()
                      : QStringLiteral("lock %1 has expired (maybe taken by someone else)")
                            .arg(handle.d->name);
        else if (reply)
            why = QStringLiteral("unexpected reply extending lock %1: %2")
                      .arg(handle.d->name, QString::fromUtf8(reply->string));
    } else {
        // Session-level: held for as long as the session lives.
        const PgResult r = pgExec(handle.d->db, "SELECT 1");
        if (!r.ok())
            why = QStringLiteral("advisory lock %1 lost with its connection: %2")
                      .arg(handle.d->name, r.error());
    }
    if (error)
        *error = why;
    return why.isEmpty();
}

} // namespace Revenge
