#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "TestRedis.h"
#include "cache/DistributedLock.h"
#include "cache/RedisClient.h"
#include "db/DatabasePool.h"

#include <QElapsedTimer>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// Locks through a real redis-server (SET NX PX, token-checked release and extend) and, while the
// cache is away, through PostgreSQL advisory locks on connections of their own.
class TestDistributedLock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void tryAcquireExcludes();
    void contention_data();
    void contention();
    void releaseByAFormerHolderDoesNotFreeTheNextHolder();
    void extendKeepsTheLock();
    void raiiReleasesAndMoves();
    void twoInstancesExclude();
    void acquireWaitsForTheHolder();
    void postgresLocksExcludeAndRelease();
    void postgresLockReleasedOnAnotherThread();
    void degradedFallsBackToPostgresAndBack();
    void invalidArguments();

private:
    QString keyOwner(const QString &name);
    // 8 threads (over two DistributedLock instances) take `name` in a loop; returns the number
    // of times two were inside at once, and the lost updates of a deliberately racy counter.
    struct Run
    {
        int overlaps = 0;
        int counter = 0;
        int failures = 0;
        int redis = 0;
        int postgres = 0;
        QString lastError;
    };
    static Run hammer(DistributedLock &a, DistributedLock &b, const QString &name, int threads,
                      int rounds);

    TestRedis m_redis;
    TestPostgres m_pg;
    std::unique_ptr<RedisClient> m_cache;
    std::unique_ptr<RedisClient> m_otherCache; // a second "process"
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<DatabasePool> m_otherPool;
};

void TestDistributedLock::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    const ConnectionSettings settings = m_pg.createDatabase(QStringLiteral("locks"));
    m_pool = std::make_shared<DatabasePool>(settings, 4);
    m_otherPool = std::make_shared<DatabasePool>(settings, 4);
    m_cache = std::make_unique<RedisClient>(m_redis.endpoint());
    m_otherCache = std::make_unique<RedisClient>(m_redis.endpoint());
}

void TestDistributedLock::init()
{
    m_cache->retryNow();
    m_otherCache->retryNow();
    const auto r = m_cache->command({"FLUSHDB"});
    QVERIFY(r && !r->isError());
}

QString TestDistributedLock::keyOwner(const QString &name)
{
    const auto r = m_cache->command({"GET", DistributedLock::redisKey(name)});
    return r ? QString::fromUtf8(r->string) : QStringLiteral("<error>");
}

TestDistributedLock::Run TestDistributedLock::hammer(DistributedLock &a, DistributedLock &b,
                                                     const QString &name, int threads, int rounds)
{
    Run run;
    std::atomic<bool> inside{false};
    std::atomic<int> overlaps{0}, failures{0}, redis{0}, postgres{0};
    int counter = 0; // only ever touched under the lock
    QMutex errorMutex;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            DistributedLock &lock = t % 2 ? b : a;
            for (int i = 0; i < rounds; ++i) {
                QString error;
                auto handle = lock.acquire(name, 10s, 20s, &error);
                if (!handle) {
                    ++failures;
                    QMutexLocker l(&errorMutex);
                    run.lastError = error;
                    continue;
                }
                (handle->isRedis() ? redis : postgres)++;
                if (inside.exchange(true))
                    ++overlaps;
                // A read-modify-write with a pause in the middle: any overlap loses an update.
                const int seen = counter;
                std::this_thread::sleep_for(200us);
                counter = seen + 1;
                inside.store(false);
                handle->release();
            }
        });
    for (auto &w : workers)
        w.join();
    run.overlaps = overlaps.load();
    run.counter = counter;
    run.failures = failures.load();
    run.redis = redis.load();
    run.postgres = postgres.load();
    return run;
}

void TestDistributedLock::tryAcquireExcludes()
{
    DistributedLock locks(m_cache.get(), m_pool);
    QString error;
    auto first = locks.tryAcquire(QStringLiteral("scan:1"), 10s, &error);
    QVERIFY2(first, qPrintable(error));
    QVERIFY(first->isRedis());
    QVERIFY(first->isHeld());
    QCOMPARE(first->name(), QStringLiteral("scan:1"));
    QCOMPARE(first->token().size(), 32);
    QCOMPARE(keyOwner(QStringLiteral("scan:1")), QString::fromLatin1(first->token()));
    const auto pttl = m_cache->command({"PTTL", "revenge:lock:scan:1"});
    QVERIFY(pttl && pttl->integer > 9000 && pttl->integer <= 10000);

    // Held: no lock and no error (busy is not a failure).
    error = QStringLiteral("untouched");
    QVERIFY(!locks.tryAcquire(QStringLiteral("scan:1"), 10s, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // Another name is another lock.
    auto other = locks.tryAcquire(QStringLiteral("scan:2"), 10s);
    QVERIFY(other);
    QVERIFY(other->token() != first->token());

    QVERIFY2(first->release(&error), qPrintable(error));
    QVERIFY(!first->isHeld());
    QCOMPARE(keyOwner(QStringLiteral("scan:1")), QString());
    QVERIFY(!first->release(&error)); // twice: nothing to do
    QVERIFY(locks.tryAcquire(QStringLiteral("scan:1"), 10s));
}

void TestDistributedLock::contention_data()
{
    QTest::addColumn<bool>("withCache");
    QTest::addColumn<int>("rounds");
    QTest::newRow("redis") << true << 25;
    QTest::newRow("postgres") << false << 8; // a connection per attempt: fewer rounds
}

void TestDistributedLock::contention()
{
    QFETCH(bool, withCache);
    QFETCH(int, rounds);
    DistributedLock a(withCache ? m_cache.get() : nullptr, m_pool);
    DistributedLock b(withCache ? m_otherCache.get() : nullptr, m_otherPool);
    constexpr int kThreads = 8;
    const Run run = hammer(a, b, QStringLiteral("scan:1"), kThreads, rounds);
    QVERIFY2(run.failures == 0, qPrintable(run.lastError));
    QCOMPARE(run.overlaps, 0);
    QCOMPARE(run.counter, kThreads * rounds);
    QCOMPARE(withCache ? run.redis : run.postgres, kThreads * rounds);
    if (withCache)
        QCOMPARE(keyOwner(QStringLiteral("scan:1")), QString()); // all released
}

void TestDistributedLock::releaseByAFormerHolderDoesNotFreeTheNextHolder()
{
    DistributedLock processA(m_cache.get(), m_pool);
    DistributedLock processB(m_otherCache.get(), m_otherPool);
    auto a = processA.tryAcquire(QStringLiteral("scan:steal"), 100ms);
    QVERIFY(a);
    QThread::msleep(200); // A's TTL runs out while A still thinks it holds the lock
    auto b = processB.tryAcquire(QStringLiteral("scan:steal"), 10s);
    QVERIFY(b);
    QVERIFY(b->isRedis());

    QString error;
    // A can neither extend nor release B's lock.
    QVERIFY(!processA.extend(*a, 60s, &error));
    QVERIFY2(error.contains(QLatin1String("expired")), qPrintable(error));
    QVERIFY(!a->release(&error));
    QVERIFY2(error.contains(QLatin1String("expired")), qPrintable(error));
    QCOMPARE(keyOwner(QStringLiteral("scan:steal")), QString::fromLatin1(b->token()));
    const auto pttl = m_cache->command({"PTTL", "revenge:lock:scan:steal"});
    QVERIFY2(pttl && pttl->integer > 9000 && pttl->integer <= 10000,
             qPrintable(QString::number(pttl ? pttl->integer : -1)));
    QVERIFY(!processA.tryAcquire(QStringLiteral("scan:steal"), 10s));

    // A plain DEL-based release would have freed it; ours only frees the holder's own lock.
    QVERIFY(b->release(&error));
    QVERIFY(processA.tryAcquire(QStringLiteral("scan:steal"), 10s));
}

void TestDistributedLock::extendKeepsTheLock()
{
    DistributedLock locks(m_cache.get(), m_pool);
    DistributedLock other(m_otherCache.get(), m_otherPool);
    auto h = locks.tryAcquire(QStringLiteral("scan:3"), 300ms);
    QVERIFY(h);
    QString error;
    QVERIFY2(locks.extend(*h, 5s, &error), qPrintable(error));
    const auto pttl = m_cache->command({"PTTL", "revenge:lock:scan:3"});
    QVERIFY(pttl && pttl->integer > 4000 && pttl->integer <= 5000);
    QThread::msleep(500); // past the original TTL
    QVERIFY(!other.tryAcquire(QStringLiteral("scan:3"), 1s));
    QCOMPARE(keyOwner(QStringLiteral("scan:3")), QString::fromLatin1(h->token()));
    // Shortening works too (it sets the remaining time).
    QVERIFY(locks.extend(*h, 100ms, &error));
    QThread::msleep(200);
    QVERIFY(other.tryAcquire(QStringLiteral("scan:3"), 1s));
    QVERIFY(!locks.extend(*h, 5s, &error));
    h->release();
    QVERIFY(!locks.extend(*h, 5s, &error));
    QVERIFY2(error.contains(QLatin1String("released")), qPrintable(error));
}

void TestDistributedLock::raiiReleasesAndMoves()
{
    DistributedLock locks(m_cache.get(), m_pool);
    DistributedLock other(m_otherCache.get(), m_otherPool);
    {
        auto h = locks.tryAcquire(QStringLiteral("scan:4"), 30s);
        QVERIFY(h);
        QVERIFY(!other.tryAcquire(QStringLiteral("scan:4"), 30s));
    }
    QCOMPARE(keyOwner(QStringLiteral("scan:4")), QString()); // released at once, not at the TTL
    auto h = other.tryAcquire(QStringLiteral("scan:4"), 30s);
    QVERIFY(h);

    // Moving transfers ownership; the moved-from handle releases nothing.
    LockHandle moved(std::move(*h));
    QVERIFY(!h->isHeld());
    QVERIFY(moved.isHeld());
    h.reset();
    QCOMPARE(keyOwner(QStringLiteral("scan:4")), QString::fromLatin1(moved.token()));

    // Move-assigning releases the lock the target held.
    auto five = locks.tryAcquire(QStringLiteral("scan:5"), 30s);
    QVERIFY(five);
    moved = std::move(*five);
    QCOMPARE(keyOwner(QStringLiteral("scan:4")), QString());
    QCOMPARE(moved.name(), QStringLiteral("scan:5"));
    QCOMPARE(keyOwner(QStringLiteral("scan:5")), QString::fromLatin1(moved.token()));
    five.reset();
    QCOMPARE(keyOwner(QStringLiteral("scan:5")), QString::fromLatin1(moved.token()));
}

void TestDistributedLock::twoInstancesExclude()
{
    DistributedLock processA(m_cache.get(), m_pool);
    DistributedLock processB(m_otherCache.get(), m_otherPool);
    auto a = processA.tryAcquire(QStringLiteral("library:42"), 10s);
    QVERIFY(a);
    QString error;
    QVERIFY(!processB.tryAcquire(QStringLiteral("library:42"), 10s, &error));
    QVERIFY(error.isEmpty());
    QVERIFY(!processB.acquire(QStringLiteral("library:42"), 10s, 150ms, &error));
    QVERIFY2(error.contains(QLatin1String("timed out")), qPrintable(error));
    a.reset();
    QVERIFY(processB.tryAcquire(QStringLiteral("library:42"), 10s));
}

void TestDistributedLock::acquireWaitsForTheHolder()
{
    DistributedLock locks(m_cache.get(), m_pool);
    auto held = locks.tryAcquire(QStringLiteral("scan:wait"), 10s);
    QVERIFY(held);
    std::thread releaser([&] {
        std::this_thread::sleep_for(300ms);
        held.reset();
    });
    QElapsedTimer timer;
    timer.start();
    QString error;
    auto h = locks.acquire(QStringLiteral("scan:wait"), 10s, 5s, &error);
    const qint64 waited = timer.elapsed();
    releaser.join();
    QVERIFY2(h, qPrintable(error));
    QVERIFY2(waited >= 250 && waited < 1000, qPrintable(QString::number(waited)));
}

void TestDistributedLock::postgresLocksExcludeAndRelease()
{
    // No cache at all: PostgreSQL only. Two "processes" with pools of their own.
    DistributedLock processA(nullptr, m_pool);
    DistributedLock processB(nullptr, m_otherPool);
    QString error;
    auto a = processA.tryAcquire(QStringLiteral("scan:pg"), 1s, &error);
    QVERIFY2(a, qPrintable(error));
    QVERIFY(a->isPostgres());
    QVERIFY(a->token().isEmpty());
    // The same instance cannot take it again either: every lock is its own session (an
    // advisory lock is re-entrant within one session).
    QVERIFY(!processA.tryAcquire(QStringLiteral("scan:pg"), 1s, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!processB.tryAcquire(QStringLiteral("scan:pg"), 1s, &error));
    QVERIFY(error.isEmpty());
    // No TTL: still held long after it.
    QThread::msleep(1200);
    QVERIFY(processA.extend(*a, 1s, &error));
    QVERIFY(!processB.tryAcquire(QStringLiteral("scan:pg"), 1s));
    // Other names are independent.
    QVERIFY(processB.tryAcquire(QStringLiteral("scan:pg2"), 1s));

    // The lock lives on a connection of its own, visible in pg_locks until released.
    ScopedConnection admin(m_pg.superuser());
    QVERIFY(admin.isOpen());
    const QString countAdvisory =
        QStringLiteral("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
    QCOMPARE(admin.scalar(countAdvisory).toInt(), 1);
    QCOMPARE(admin
                 .scalar(QStringLiteral("SELECT a.application_name FROM pg_locks l JOIN "
                                        "pg_stat_activity a USING (pid) WHERE l.locktype = "
                                        "'advisory'"))
                 .toString(),
             m_pool->settings().applicationName + QStringLiteral("-lock"));
    QVERIFY2(a->release(&error), qPrintable(error));
    QCOMPARE(admin.scalar(countAdvisory).toInt(), 0);
    QVERIFY(!processA.extend(*a, 1s, &error));
    {
        auto b = processB.tryAcquire(QStringLiteral("scan:pg"), 1s);
        QVERIFY(b);
        QVERIFY(b->isPostgres());
        QCOMPARE(admin.scalar(countAdvisory).toInt(), 1);
    }
    // RAII: the handle's destructor closed its session.
    QCOMPARE(admin.scalar(countAdvisory).toInt(), 0);
    QVERIFY(processA.tryAcquire(QStringLiteral("scan:pg"), 1s));
}

void TestDistributedLock::postgresLockReleasedOnAnotherThread()
{
    DistributedLock processA(nullptr, m_pool);
    DistributedLock processB(nullptr, m_otherPool);
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    auto a = processA.tryAcquire(QStringLiteral("scan:thread"), 1s);
    QVERIFY(a);
    std::thread([&] { a.reset(); }).join(); // taken on this thread, released on another
    QVERIFY(processB.tryAcquire(QStringLiteral("scan:thread"), 1s));
}

void TestDistributedLock::degradedFallsBackToPostgresAndBack()
{
    TestRedis redis;
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    RedisClient cacheA(redis.endpoint());
    RedisClient cacheB(redis.endpoint());
    DistributedLock processA(&cacheA, m_pool);
    DistributedLock processB(&cacheB, m_otherPool);
    auto before = processA.tryAcquire(QStringLiteral("scan:7"), 30s);
    QVERIFY(before);
    QVERIFY(before->isRedis());

    redis.stop();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cache unavailable")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cache unavailable")));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("fall back to PostgreSQL")));
    // A holder from before the outage learns that it cannot vouch for its lock any more.
    QVERIFY(!processA.extend(*before, 30s, &error));
    QVERIFY(!error.isEmpty());

    auto a = processA.tryAcquire(QStringLiteral("scan:7"), 30s, &error);
    QVERIFY2(a, qPrintable(error));
    QVERIFY(a->isPostgres());
    QVERIFY(!processB.tryAcquire(QStringLiteral("scan:7"), 30s, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(processA.extend(*a, 30s, &error));
    a.reset();
    auto b = processB.tryAcquire(QStringLiteral("scan:7"), 30s, &error);
    QVERIFY2(b, qPrintable(error));
    QVERIFY(b->isPostgres());
    b.reset();

    // Contention across both instances while the cache is down.
    const Run run = hammer(processA, processB, QStringLiteral("scan:7"), 8, 5);
    QVERIFY2(run.failures == 0, qPrintable(run.lastError));
    QCOMPARE(run.overlaps, 0);
    QCOMPARE(run.counter, 40);
    QCOMPARE(run.postgres, 40);

    // The releasing of `before` failed quietly? It is released when it goes; the cache is down,
    // so it will lapse at its TTL (the server has restarted empty anyway).
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("releasing lock scan:7")));
    before.reset();

    QVERIFY2(redis.start(&error), qPrintable(error));
    // Back to Redis by itself once the client's backoff lets a call through.
    std::optional<LockHandle> again;
    QVERIFY2(waitUntil(
                 [&] {
                     again = processA.tryAcquire(QStringLiteral("scan:7"), 30s);
                     return again && again->isRedis();
                 },
                 8000),
             "locks did not return to the cache");
    cacheB.retryNow();
    QVERIFY(!processB.tryAcquire(QStringLiteral("scan:7"), 30s, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(cacheB.isAvailable());
    again.reset();
    auto viaRedis = processB.tryAcquire(QStringLiteral("scan:7"), 30s);
    QVERIFY(viaRedis && viaRedis->isRedis());
}

void TestDistributedLock::invalidArguments()
{
    DistributedLock locks(m_cache.get(), m_pool);
    QString error;
    QVERIFY(!locks.tryAcquire(QString(), 1s, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!locks.tryAcquire(QStringLiteral("x"), 0ms, &error));
    QVERIFY(!error.isEmpty());
    auto h = locks.tryAcquire(QStringLiteral("x"), 1s);
    QVERIFY(h);
    QVERIFY(!locks.extend(*h, 0ms, &error));
    QVERIFY(!error.isEmpty());

    // No cache and no database: a clear error, not a crash.
    DistributedLock nothing(nullptr, nullptr);
    QVERIFY(!nothing.tryAcquire(QStringLiteral("x"), 1s, &error));
    QVERIFY2(error.contains(QLatin1String("no database")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestDistributedLock)
#include "tst_distributedlock.moc"
