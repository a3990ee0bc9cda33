#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "TestRedis.h"
#include "cache/RedisClient.h"
#include "cache/SessionStore.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>
#include <atomic>
#include <thread>
#include <vector>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// SessionStore against a real PostgreSQL and a real redis-server: write-through on create,
// read-through on a miss, the sliding TTL and its throttled write-back, revocation from both
// stores, malformed cache records, bad tokens, and the degraded mode with the server stopped
// and started again mid-test.
class TestSessionStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void createAndValidate();
    void createRefusesUnknownAndDisabledUsers();
    void cacheHoldsTheRecordWithTtl();
    void secondValidateIsServedByTheCache();
    void slidingTtl();
    void writeBackAtMostOncePerInterval();
    void writeBackNoticesRevocationBehindTheCache();
    void expiredSessionRejected();
    void revokeRemovesFromBoth();
    void revokeAllForUser();
    void disabledUserRejected();
    void invalidateUserRereadsRights();
    void malformedCachedValueIsAMiss_data();
    void malformedCachedValueIsAMiss();
    void badTokensRejectedWithoutTheDatabase_data();
    void badTokensRejectedWithoutTheDatabase();
    void worksWithoutACache();
    void degradedModeAndRecovery();
    void revokeWhileCacheUnreachableNeverResurrects();
    void concurrentValidation();
    void purgeExpired();

private:
    QUuid makeUser(const QString &name);
    bool sql(const QString &statement);
    QVariant scalar(const QByteArray &query, const QList<QByteArray> &params = {});
    std::optional<RedisReply> redis(const QList<QByteArray> &args);
    QByteArray cached(const QString &token);
    int exists(const QString &token);
    bool del(const QString &token);
    // Makes the cached record look as if PostgreSQL was last written long ago.
    void ageWriteBack(const QString &token);

    TestPostgres m_pg;
    TestRedis m_redisServer;
    bool m_redisStopped = false;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<RedisClient> m_redis;
    std::unique_ptr<SessionStore> m_store;
    QUuid m_alice;
    QUuid m_bob;
};

void TestSessionStore::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    QVERIFY2(m_redisServer.start(&error), qPrintable(error));
    m_pool =
        std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("sessionstore")), 12);
    {
        auto lease = m_pool->acquire();
        QVERIFY(lease);
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    m_redis = std::make_unique<RedisClient>(m_redisServer.endpoint());
    m_store = std::make_unique<SessionStore>(m_pool, m_redis.get());
    m_alice = makeUser(QStringLiteral("alice"));
    m_bob = makeUser(QStringLiteral("bob"));
    QVERIFY(!m_alice.isNull() && !m_bob.isNull());
}

void TestSessionStore::init()
{
    QVERIFY(sql(QStringLiteral("DELETE FROM shared.sessions; "
                               "UPDATE shared.users SET disabled_at = NULL, is_admin = false, "
                               "username = CASE WHEN id = '%1' THEN 'alice' ELSE 'bob' END")
                    .arg(m_alice.toString(QUuid::WithoutBraces))));
    m_redis->retryNow();
    const auto r = redis({"FLUSHALL"});
    QVERIFY(r && !r->isError());
}

void TestSessionStore::cleanup()
{
    // A failed degraded-mode test must not leave the next ones without a cache.
    if (m_redisStopped) {
        QString error;
        QVERIFY2(m_redisServer.start(&error), qPrintable(error));
        m_redisStopped = false;
    }
}

QUuid TestSessionStore::makeUser(const QString &name)
{
    return QUuid::fromString(
        scalar("INSERT INTO shared.users (username, password_hash) "
               "VALUES ($1, '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA') RETURNING id",
               {name.toUtf8()})
            .toString());
}

bool TestSessionStore::sql(const QString &statement)
{
    auto lease = m_pool->acquire();
    QString error;
    if (!DatabasePool::execScript(lease->db(), statement.toUtf8(), &error)) {
        qWarning().noquote() << statement << "->" << error;
        return false;
    }
    return true;
}

QVariant TestSessionStore::scalar(const QByteArray &query, const QList<QByteArray> &params)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), query, params);
    if (!r.ok()) {
        qWarning().noquote() << query << "->" << r.error();
        return {};
    }
    if (r.rows() == 0 || r.isNull(0, 0))
        return {};
    return r.text(0, 0);
}

std::optional<RedisReply> TestSessionStore::redis(const QList<QByteArray> &args)
{
    QString error;
    auto r = m_redis->command(args, &error);
    if (!r)
        qWarning().noquote() << args.first() << "->" << error;
    return r;
}

QByteArray TestSessionStore::cached(const QString &token)
{
    const auto r = redis({"GET", SessionStore::cacheKey(token)});
    return r && r->type == RedisReply::Type::String ? r->string : QByteArray();
}

int TestSessionStore::exists(const QString &token)
{
    const auto r = redis({"EXISTS", SessionStore::cacheKey(token)});
    return r && r->type == RedisReply::Type::Integer ? int(r->integer) : -1;
}

bool TestSessionStore::del(const QString &token)
{
    const auto r = redis({"DEL", SessionStore::cacheKey(token)});
    return r && r->type == RedisReply::Type::Integer && r->integer == 1;
}

void TestSessionStore::ageWriteBack(const QString &token)
{
    QByteArray value = cached(token);
    QVERIFY(!value.isEmpty());
    const QByteArray aged =
        QString::fromUtf8(value)
            .replace(QRegularExpression(QStringLiteral("\"dt\":\\d+")), QStringLiteral("\"dt\":0"))
            .toUtf8();
    QVERIFY(aged != value);
    const auto r = redis({"SET", SessionStore::cacheKey(token), aged, "KEEPTTL"});
    QVERIFY(r && !r->isError());
}

void TestSessionStore::createAndValidate()
{
    SessionInfo info;
    info.deviceId = QStringLiteral("dev-1");
    info.deviceName = QStringLiteral("Living room TV");
    info.clientName = QStringLiteral("Revenge Web");
    info.clientVersion = QStringLiteral("1.2.3");
    info.ip = QHostAddress(QStringLiteral("192.0.2.7"));
    info.userAgent = QStringLiteral("Mozilla/5.0");
    QString error;
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const auto created = m_store->create(m_alice, info, &error);
    QVERIFY2(created, qPrintable(error));
    const auto &[token, session] = *created;
    QCOMPARE(token.size(), 43); // 32 bytes, base64url without padding
    QVERIFY(SessionStore::isWellFormed(token));
    QVERIFY(!session.id.isNull());
    QCOMPARE(session.userId, m_alice);
    QCOMPARE(session.username, QStringLiteral("alice"));
    QVERIFY(!session.isAdmin);
    QCOMPARE(session.deviceName, info.deviceName);
    QVERIFY(session.createdAt >= before);
    QVERIFY(session.expiresAt > QDateTime::currentDateTimeUtc().addSecs(23 * 3600));

    // Only the SHA-256 of the token is stored, with what the client told us.
    QCOMPARE(scalar("SELECT count(*) FROM shared.sessions WHERE token_hash = sha256($1::bytea) "
                    "AND ip = '192.0.2.7' AND user_agent = 'Mozilla/5.0' AND device_id = 'dev-1'",
                    {token.toLatin1()})
                 .toInt(),
             1);

    const auto v = m_store->validate(token, &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->id, session.id);
    QCOMPARE(v->userId, m_alice);
    QCOMPARE(v->username, QStringLiteral("alice"));
    QCOMPARE(v->deviceId, info.deviceId);
    QCOMPARE(v->deviceName, info.deviceName);
    QCOMPARE(v->clientName, info.clientName);
    QCOMPARE(v->clientVersion, info.clientVersion);
    QCOMPARE(v->createdAt, session.createdAt);
    QVERIFY(v->expiresAt > QDateTime::currentDateTimeUtc().addSecs(23 * 3600));

    // Tokens are unique.
    const auto other = m_store->create(m_alice, {}, &error);
    QVERIFY2(other, qPrintable(error));
    QVERIFY(other->first != token);
    QVERIFY(other->second.id != session.id);
}

void TestSessionStore::createRefusesUnknownAndDisabledUsers()
{
    QString error;
    QVERIFY(!m_store->create(QUuid::createUuid(), {}, &error));
    QVERIFY2(error.contains(QStringLiteral("no such user")), qPrintable(error));
    QVERIFY(
        sql(QStringLiteral("UPDATE shared.users SET disabled_at = now() WHERE username = 'bob'")));
    error.clear();
    QVERIFY(!m_store->create(m_bob, {}, &error));
    QVERIFY2(error.contains(QStringLiteral("disabled")), qPrintable(error));
    QCOMPARE(scalar("SELECT count(*) FROM shared.sessions").toInt(), 0);
    const auto keys = redis({"KEYS", "revenge:session:*"});
    QVERIFY(keys && keys->elements.isEmpty());
}

void TestSessionStore::cacheHoldsTheRecordWithTtl()
{
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    const QByteArray key = SessionStore::cacheKey(created->first);
    const QByteArray hash =
        QCryptographicHash::hash(created->first.toLatin1(), QCryptographicHash::Sha256).toHex();
    QCOMPARE(key, "revenge:session:" + hash);

    const auto pttl = redis({"PTTL", key});
    QVERIFY(pttl && pttl->type == RedisReply::Type::Integer);
    QVERIFY2(pttl->integer > 0 && pttl->integer <= 24 * 3600 * 1000,
             qPrintable(QString::number(pttl->integer)));

    const QJsonObject o = QJsonDocument::fromJson(cached(created->first)).object();
    QCOMPARE(o.value(QLatin1String("uid")).toString(), m_alice.toString(QUuid::WithoutBraces));
    QCOMPARE(o.value(QLatin1String("u")).toString(), QStringLiteral("alice"));
    QVERIFY(!cached(created->first).contains(created->first.toLatin1())); // no token in it
}

void TestSessionStore::secondValidateIsServedByTheCache()
{
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    QVERIFY(m_store->validate(created->first));

    // Renamed behind the store's back: the cached record still answers...
    QVERIFY(sql(
        QStringLiteral("UPDATE shared.users SET username = 'alicia' WHERE username = 'alice'")));
    auto v = m_store->validate(created->first, &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->username, QStringLiteral("alice"));

    // ...until it is gone; then PostgreSQL answers and the cache is filled again.
    QVERIFY(del(created->first));
    v = m_store->validate(created->first, &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->username, QStringLiteral("alicia"));
    QCOMPARE(exists(created->first), 1);
    QVERIFY(cached(created->first).contains("alicia"));
    v = m_store->validate(created->first, &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->username, QStringLiteral("alicia"));
}

void TestSessionStore::slidingTtl()
{
    SessionStore store(m_pool, m_redis.get(), 10s);
    QString error;
    const auto created = store.create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    const QByteArray key = SessionStore::cacheKey(created->first);
    QVERIFY(redis({"PTTL", key})->integer <= 10000);

    // As if 8 of the 10 seconds had passed; a use gives it the full TTL again.
    QVERIFY(redis({"PEXPIRE", key, "2000"})->integer == 1);
    const auto v = store.validate(created->first, &error);
    QVERIFY2(v, qPrintable(error));
    const qint64 pttl = redis({"PTTL", key})->integer;
    QVERIFY2(pttl > 5000 && pttl <= 10000, qPrintable(QString::number(pttl)));
    QVERIFY(v->expiresAt > QDateTime::currentDateTimeUtc().addSecs(5));
}

void TestSessionStore::writeBackAtMostOncePerInterval()
{
    SessionStore store(m_pool, m_redis.get(), 10s);
    QCOMPARE(store.writeBackInterval().count(), 5000);
    QString error;
    const auto created = store.create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    const QByteArray token = created->first.toLatin1();
    const auto lastSeenIsOld = [&] {
        return scalar("SELECT last_seen_at < now() - interval '30 minutes' FROM shared.sessions "
                      "WHERE token_hash = sha256($1::bytea)",
                      {token})
                   .toString() == QLatin1String("t");
    };
    const auto markOld = [&] {
        return sql(QStringLiteral("UPDATE shared.sessions SET last_seen_at = now() - "
                                  "interval '1 hour'"));
    };

    // Requests within the interval do not write to PostgreSQL.
    QVERIFY(markOld());
    for (int i = 0; i < 5; ++i)
        QVERIFY(store.validate(created->first));
    QVERIFY(lastSeenIsOld());

    // Once the interval has passed, one request writes back, and re-reads the user on the way.
    QVERIFY(
        sql(QStringLiteral("UPDATE shared.users SET is_admin = true WHERE username = 'alice'")));
    ageWriteBack(created->first);
    auto v = store.validate(created->first, &error);
    QVERIFY2(v, qPrintable(error));
    QVERIFY(v->isAdmin);
    QVERIFY(!lastSeenIsOld());
    QCOMPARE(scalar("SELECT expires_at > now() + interval '5 seconds' FROM shared.sessions "
                    "WHERE token_hash = sha256($1::bytea)",
                    {token})
                 .toString(),
             QStringLiteral("t"));
    QCOMPARE(QJsonDocument::fromJson(cached(created->first))
                 .object()
                 .value(QLatin1String("adm"))
                 .toBool(),
             true);

    // And the next ones do not again.
    QVERIFY(markOld());
    for (int i = 0; i < 5; ++i) {
        v = store.validate(created->first, &error);
        QVERIFY2(v, qPrintable(error));
        QVERIFY(v->isAdmin);
    }
    QVERIFY(lastSeenIsOld());
}

void TestSessionStore::writeBackNoticesRevocationBehindTheCache()
{
    // Another process revoked it, and its cache delete was lost: the next write-back notices.
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    QVERIFY(sql(QStringLiteral("UPDATE shared.sessions SET revoked_at = now()")));
    ageWriteBack(created->first);
    SessionStore::Rejection why{};
    QVERIFY(!m_store->validate(created->first, &error, &why));
    QCOMPARE(why, SessionStore::Rejection::NotFound);
    QCOMPARE(exists(created->first), 0);
}

void TestSessionStore::expiredSessionRejected()
{
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    QVERIFY(sql(QStringLiteral(
        "UPDATE shared.sessions SET created_at = now() - interval '3 hours', "
        "last_seen_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'")));
    QVERIFY(del(created->first));
    SessionStore::Rejection why{};
    error.clear();
    QVERIFY(!m_store->validate(created->first, &error, &why));
    QCOMPARE(why, SessionStore::Rejection::NotFound);
    QVERIFY2(error.contains(QStringLiteral("expired")), qPrintable(error));
    QCOMPARE(exists(created->first), 0);
    // Nor did the failed validation slide it.
    QCOMPARE(scalar("SELECT expires_at < now() FROM shared.sessions").toString(),
             QStringLiteral("t"));
}

void TestSessionStore::revokeRemovesFromBoth()
{
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    const auto kept = m_store->create(m_alice, {}, &error);
    QVERIFY2(kept, qPrintable(error));
    QVERIFY(m_store->validate(created->first));

    QVERIFY2(m_store->revoke(created->first, &error), qPrintable(error));
    QCOMPARE(exists(created->first), 0);
    QCOMPARE(scalar("SELECT revoked_at IS NOT NULL FROM shared.sessions WHERE id = $1::uuid",
                    {created->second.id.toByteArray(QUuid::WithoutBraces)})
                 .toString(),
             QStringLiteral("t"));
    SessionStore::Rejection why{};
    QVERIFY(!m_store->validate(created->first, &error, &why));
    QCOMPARE(why, SessionStore::Rejection::NotFound);
    // The miss did not bring it back into the cache.
    QCOMPARE(exists(created->first), 0);

    error.clear();
    QVERIFY(!m_store->revoke(created->first, &error));
    QVERIFY2(error.contains(QStringLiteral("already revoked")), qPrintable(error));
    QVERIFY(!m_store->revoke(QStringLiteral("unknownToken"), &error));
    QVERIFY(m_store->validate(kept->first)); // the other session is untouched
}

void TestSessionStore::revokeAllForUser()
{
    QString error;
    QList<QString> alice;
    for (int i = 0; i < 3; ++i) {
        const auto c = m_store->create(m_alice, {}, &error);
        QVERIFY2(c, qPrintable(error));
        alice.append(c->first);
    }
    const auto bob = m_store->create(m_bob, {}, &error);
    QVERIFY2(bob, qPrintable(error));
    for (const QString &t : std::as_const(alice))
        QVERIFY(m_store->validate(t));

    QCOMPARE(m_store->revokeAllForUser(m_alice, &error), 3);
    for (const QString &t : std::as_const(alice)) {
        QCOMPARE(exists(t), 0);
        QVERIFY(!m_store->validate(t));
    }
    QCOMPARE(scalar("SELECT count(*) FROM shared.sessions WHERE revoked_at IS NOT NULL").toInt(),
             3);
    QVERIFY(m_store->validate(bob->first));
    QCOMPARE(exists(bob->first), 1);
    QCOMPARE(m_store->revokeAllForUser(m_alice, &error), 0);
}

void TestSessionStore::disabledUserRejected()
{
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    QVERIFY(sql(
        QStringLiteral("UPDATE shared.users SET disabled_at = now() WHERE username = 'alice'")));
    QVERIFY(del(created->first));
    SessionStore::Rejection why{};
    QVERIFY(!m_store->validate(created->first, &error, &why));
    QCOMPARE(why, SessionStore::Rejection::NotFound);
    QCOMPARE(exists(created->first), 0);
}

void TestSessionStore::invalidateUserRereadsRights()
{
    QString error;
    const auto a = m_store->create(m_alice, {}, &error);
    QVERIFY2(a, qPrintable(error));
    const auto b = m_store->create(m_alice, {}, &error);
    QVERIFY2(b, qPrintable(error));
    QVERIFY(
        sql(QStringLiteral("UPDATE shared.users SET is_admin = true WHERE username = 'alice'")));
    QVERIFY(!m_store->validate(a->first)->isAdmin); // cached

    QCOMPARE(m_store->invalidateUser(m_alice, &error), 2);
    QCOMPARE(exists(a->first), 0);
    QVERIFY(m_store->validate(a->first)->isAdmin);
    QVERIFY(m_store->validate(b->first)->isAdmin);

    // Disabled: invalidating makes it take effect at once.
    QVERIFY(sql(
        QStringLiteral("UPDATE shared.users SET disabled_at = now() WHERE username = 'alice'")));
    QCOMPARE(m_store->invalidateUser(m_alice, &error), 2);
    QVERIFY(!m_store->validate(a->first));
    QVERIFY(!m_store->validate(b->first));
}

void TestSessionStore::malformedCachedValueIsAMiss_data()
{
    QTest::addColumn<QList<QByteArray>>("write");
    QTest::newRow("not json") << QList<QByteArray>{"SET", "KEY", "garbage \"dt\":1"};
    QTest::newRow("empty") << QList<QByteArray>{"SET", "KEY", ""};
    QTest::newRow("json array") << QList<QByteArray>{"SET", "KEY", "[1,2,3]"};
    QTest::newRow("wrong fields") << QList<QByteArray>{"SET", "KEY", R"({"v":1,"hello":"world"})"};
    QTest::newRow("wrong types") << QList<QByteArray>{
        "SET", "KEY",
        R"({"v":1,"id":"x","uid":42,"u":"alice","adm":"yes","adl":false,"ca":1,"dt":1})"};
    QTest::newRow("other version") << QList<QByteArray>{
        "SET", "KEY",
        R"({"v":99,"id":"6f1c7c43-2a43-4b8e-9a39-5f3f3e0c7d11","uid":"6f1c7c43-2a43-4b8e-9a39-5f3f3e0c7d11","u":"mallory","adm":true,"adl":true,"ca":1,"dt":1})"};
    QTest::newRow("a hash") << QList<QByteArray>{"HSET", "KEY", "u", "mallory"};
    QTest::newRow("a list") << QList<QByteArray>{"RPUSH", "KEY", "x"};
}

void TestSessionStore::malformedCachedValueIsAMiss()
{
    QFETCH(QList<QByteArray>, write);
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    const QByteArray key = SessionStore::cacheKey(created->first);
    QVERIFY(redis({"DEL", key}));
    write[1] = key;
    const auto w = redis(write);
    QVERIFY(w && !w->isError());

    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("unreadable session record")));
    const auto v = m_store->validate(created->first, &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->id, created->second.id);
    QCOMPARE(v->username, QStringLiteral("alice"));
    QVERIFY(!v->isAdmin);

    // Repaired: a proper record with a TTL, served without another warning.
    QCOMPARE(redis({"TYPE", key})->string, QByteArray("string"));
    QCOMPARE(QJsonDocument::fromJson(cached(created->first))
                 .object()
                 .value(QLatin1String("id"))
                 .toString(),
             created->second.id.toString(QUuid::WithoutBraces));
    QVERIFY(redis({"PTTL", key})->integer > 0);
    QVERIFY(m_store->validate(created->first));
}

void TestSessionStore::badTokensRejectedWithoutTheDatabase_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("too long") << QString(513, QLatin1Char('a'))
                              << QStringLiteral("longer than 512");
    QTest::newRow("standard base64")
        << QStringLiteral("abc+def/ghi") << QStringLiteral("base64url");
    QTest::newRow("padding") << QStringLiteral("abcd==") << QStringLiteral("base64url");
    QTest::newRow("space") << QStringLiteral("abc def") << QStringLiteral("base64url");
    QTest::newRow("bearer prefix") << QStringLiteral("Bearer abc") << QStringLiteral("base64url");
    QTest::newRow("non-ascii") << QStringLiteral("tök\u00e9n") << QStringLiteral("base64url");
    QTest::newRow("sql") << QStringLiteral("x' OR '1'='1") << QStringLiteral("base64url");
}

void TestSessionStore::badTokensRejectedWithoutTheDatabase()
{
    QFETCH(QString, token);
    QFETCH(QString, reason);
    // A store whose database does not exist: any query would fail with a connection error.
    ConnectionSettings nowhere;
    nowhere.host = QStringLiteral("127.0.0.1");
    nowhere.port = 1;
    nowhere.connectTimeoutSeconds = 1;
    SessionStore store(std::make_shared<DatabasePool>(nowhere, 2), nullptr);
    QString error;
    SessionStore::Rejection why = SessionStore::Rejection::Unavailable;
    QVERIFY(!store.validate(token, &error, &why));
    QCOMPARE(why, SessionStore::Rejection::InvalidToken);
    QVERIFY2(error.startsWith(QStringLiteral("invalid session token")), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    error.clear();
    QVERIFY(!store.revoke(token, &error));
    QVERIFY2(error.startsWith(QStringLiteral("invalid session token")), qPrintable(error));

    // The real store says the same (and a valid token of 512 characters is merely unknown).
    QVERIFY(!m_store->validate(token, &error, &why));
    QCOMPARE(why, SessionStore::Rejection::InvalidToken);
    QVERIFY(!m_store->validate(QString(512, QLatin1Char('A')), &error, &why));
    QCOMPARE(why, SessionStore::Rejection::NotFound);
}

void TestSessionStore::worksWithoutACache()
{
    SessionStore store(m_pool, nullptr);
    QString error;
    const auto created = store.create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    QCOMPARE(exists(created->first), 0);
    const auto v = store.validate(created->first, &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->username, QStringLiteral("alice"));
    QVERIFY(store.revoke(created->first, &error));
    QVERIFY(!store.validate(created->first));
}

void TestSessionStore::degradedModeAndRecovery()
{
    QString error;
    const auto before = m_store->create(m_alice, {}, &error);
    QVERIFY2(before, qPrintable(error));
    const auto doomed = m_store->create(m_alice, {}, &error);
    QVERIFY2(doomed, qPrintable(error));
    QVERIFY(m_store->validate(before->first));
    const quint16 port = m_redisServer.endpoint().port;

    QSignalSpy availability(m_redis.get(), &RedisClient::availabilityChanged);
    m_redisServer.stop();
    m_redisStopped = true;

    // Everything keeps working from PostgreSQL, and no error reaches the caller.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cache unavailable")));
    error.clear();
    auto v = m_store->validate(before->first, &error);
    QVERIFY2(v, qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(v->username, QStringLiteral("alice"));
    QVERIFY(!m_redis->isAvailable());

    const auto during = m_store->create(m_alice, {}, &error);
    QVERIFY2(during, qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (int i = 0; i < 20; ++i) {
        v = m_store->validate(during->first, &error);
        QVERIFY2(v, qPrintable(error));
    }
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(m_store->revoke(doomed->first, &error), qPrintable(error));
    QVERIFY(!m_store->validate(doomed->first));
    QCOMPARE(m_store->revokeAllForUser(m_bob, &error), 0);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // The cache returns (on the same port) and is used again by itself.
    QVERIFY2(m_redisServer.start(&error), qPrintable(error));
    m_redisStopped = false;
    QCOMPARE(m_redisServer.endpoint().port, port);
    m_redis->retryNow(); // instead of waiting out the backoff (at most 5 s)
    QVERIFY(waitUntil(
        [&] { return m_store->validate(during->first).has_value() && exists(during->first) == 1; },
        10000));
    QVERIFY(m_redis->isAvailable());
    QVERIFY(m_store->validate(before->first));
    QCOMPARE(exists(before->first), 1);
    QVERIFY(!m_store->validate(doomed->first));
    QCOMPARE(exists(doomed->first), 0);
    QVERIFY(availability.size() >= 2);
    QCOMPARE(availability.first().first().toBool(), false);
    QCOMPARE(availability.last().first().toBool(), true);
}

void TestSessionStore::revokeWhileCacheUnreachableNeverResurrects()
{
    // The cache keeps its data but cannot be reached while the session is revoked (paused
    // here, which makes the DEL time out): it must not serve the session once reachable again.
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    QVERIFY(m_store->validate(created->first));

    RedisConnection admin;
    QVERIFY2(admin.connect(m_redisServer.endpoint()), qPrintable(admin.error()));
    const auto paused = admin.command({"CLIENT", "PAUSE", "1500", "ALL"});
    QVERIFY(paused && !paused->isError());
    QElapsedTimer pauseClock;
    pauseClock.start();

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cache unavailable")));
    QVERIFY2(m_store->revoke(created->first, &error), qPrintable(error));
    QVERIFY(!m_store->validate(created->first)); // from PostgreSQL meanwhile

    QThread::msleep(std::max<qint64>(0, 1700 - pauseClock.elapsed()));
    m_redis->retryNow();
    QCOMPARE(exists(created->first), 1); // the timed-out DEL did not happen: the stale record
    SessionStore::Rejection why{};
    QVERIFY(!m_store->validate(created->first, &error, &why));
    QCOMPARE(why, SessionStore::Rejection::NotFound);
    QCOMPARE(exists(created->first), 0);
}

void TestSessionStore::concurrentValidation()
{
    QString error;
    const auto created = m_store->create(m_alice, {}, &error);
    QVERIFY2(created, qPrintable(error));
    const QString token = created->first;
    const QUuid id = created->second.id;
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                const auto v = m_store->validate(token);
                if (v && v->id == id && v->username == QLatin1String("alice"))
                    ++ok;
                else
                    ++failed;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(failed.load(), 0);
    QCOMPARE(ok.load(), 1600);

    // The same with the record expiring in the middle: misses race to fill it, all succeed.
    QVERIFY(redis({"DEL", SessionStore::cacheKey(token)}));
    ok = 0;
    threads.clear();
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                if (t == 0 && i % 20 == 0)
                    m_redis->command({"DEL", SessionStore::cacheKey(token)});
                if (m_store->validate(token))
                    ++ok;
                else
                    ++failed;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(failed.load(), 0);
    QCOMPARE(ok.load(), 1600);
}

void TestSessionStore::purgeExpired()
{
    QString error;
    const auto live = m_store->create(m_alice, {}, &error);
    QVERIFY2(live, qPrintable(error));
    const QString user = m_alice.toString(QUuid::WithoutBraces);
    QVERIFY(sql(
        QStringLiteral("INSERT INTO shared.sessions (token_hash, user_id, created_at, expires_at, "
                       "revoked_at) VALUES "
                       "(sha256('a'), '%1', now() - interval '3 days', now() - interval '2 days', "
                       "NULL), "
                       "(sha256('b'), '%1', now() - interval '3 days', now() + interval '1 day', "
                       "now() - interval '2 days'), "
                       "(sha256('c'), '%1', now() - interval '2 days', now() - interval '1 hour', "
                       "NULL), "
                       "(sha256('d'), '%1', now() - interval '1 hour', now() + interval '1 day', "
                       "now() - interval '1 minute')")
            .arg(user)));
    QCOMPARE(m_store->purgeExpired(&error), 2);
    QCOMPARE(scalar("SELECT count(*) FROM shared.sessions").toInt(), 3);
    QVERIFY(m_store->validate(live->first));
    QCOMPARE(m_store->purgeExpired(&error), 0);
}

QTEST_GUILESS_MAIN(TestSessionStore)
#include "tst_sessionstore.moc"
