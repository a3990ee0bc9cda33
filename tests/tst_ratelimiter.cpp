#include "TestEnvironment.h"
#include "TestRedis.h"
#include "cache/RateLimiter.h"
#include "cache/RedisClient.h"

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

// GCRA against a real redis-server: bursts, refill, sharing between instances, cost, policies,
// the in-process fallback while the server is away, and exactness under concurrency.
class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void burstThenDenied();
    void refillsOverTime();
    void keysAreIndependent();
    void instancesShareTheLimit();
    void authPolicy();
    void costAboveOne();
    void policyValidation();
    void unknownPolicyIsAdmittedAndLoggedOnce();
    void retryAfterSeconds();
    void degradedWhileTheServerIsDownAndBack();
    void nullCacheLimitsInProcess();
    void unexpectedStateDegradesOnlyThatCheck();
    void concurrentThreadsAdmitExactlyTheBurst_data();
    void concurrentThreadsAdmitExactlyTheBurst();
    void inProcessTableStaysBounded();

private:
    // Runs `n` checks and returns how many were allowed.
    static int allowedOf(RateLimiter &limiter, const QString &policy, const QString &key, int n);
    TestRedis m_redis;
    std::unique_ptr<RedisClient> m_cache;
};

void TestRateLimiter::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    m_cache = std::make_unique<RedisClient>(m_redis.endpoint());
}

void TestRateLimiter::init()
{
    m_cache->retryNow();
    const auto r = m_cache->command({"FLUSHDB"});
    QVERIFY(r && !r->isError());
}

int TestRateLimiter::allowedOf(RateLimiter &limiter, const QString &policy, const QString &key,
                               int n)
{
    int allowed = 0;
    for (int i = 0; i < n; ++i)
        allowed += limiter.check(policy, key).allowed ? 1 : 0;
    return allowed;
}

void TestRateLimiter::burstThenDenied()
{
    RateLimiter limiter(m_cache.get());
    const QString ip = QStringLiteral("192.0.2.1");
    QElapsedTimer timer;
    timer.start();
    QList<RateLimiter::Decision> burst;
    for (int i = 0; i < 20; ++i)
        burst << limiter.check(QStringLiteral("api"), ip);
    const auto denied = limiter.check(QStringLiteral("api"), ip);
    const qint64 elapsed = timer.elapsed();
    // 21 local round trips take a few ms; one refill (100 ms) during them changes the answers.
    if (elapsed >= 90)
        QSKIP(qPrintable(QStringLiteral("the burst took %1 ms: machine too busy").arg(elapsed)));

    for (int i = 0; i < 20; ++i) {
        const auto &d = burst.at(i);
        QVERIFY2(d.allowed, qPrintable(QStringLiteral("request %1 denied").arg(i + 1)));
        QVERIFY(!d.degraded);
        QCOMPARE(d.limit, 20);
        QCOMPARE(d.remaining, 19 - i);
        QCOMPARE(d.retryAfter, 0ms);
        // The key is back at rest (i + 1) emission intervals from now.
        QVERIFY2(d.resetAfter >= (i + 1) * 100ms - 100ms && d.resetAfter <= (i + 1) * 100ms,
                 qPrintable(QString::number(d.resetAfter.count())));
    }
    QVERIFY(!denied.allowed);
    QVERIFY(!denied.degraded);
    QCOMPARE(denied.remaining, 0);
    // One emission interval (100 ms) minus the little time the burst took.
    QVERIFY2(denied.retryAfter >= 100ms - std::chrono::milliseconds(elapsed + 1) &&
                 denied.retryAfter <= 100ms,
             qPrintable(QString::number(denied.retryAfter.count())));
    QVERIFY2(denied.resetAfter > 1900ms && denied.resetAfter <= 2000ms,
             qPrintable(QString::number(denied.resetAfter.count())));
    QCOMPARE(denied.retryAfterSeconds(), 1);

    // A denial consumes nothing: the TAT in the server is unchanged.
    const auto ttl = m_cache->command({"PTTL", "revenge:rl:api:192.0.2.1"});
    QVERIFY(ttl && ttl->type == RedisReply::Type::Integer);
    QVERIFY2(ttl->integer > 1800 && ttl->integer <= 2000,
             qPrintable(QString::number(ttl->integer)));
}

void TestRateLimiter::refillsOverTime()
{
    RateLimiter limiter(m_cache.get());
    const QString ip = QStringLiteral("192.0.2.2");
    QCOMPARE(allowedOf(limiter, QStringLiteral("api"), ip, 20), 20);
    const auto denied = limiter.check(QStringLiteral("api"), ip);
    QVERIFY(!denied.allowed);

    // After retryAfter, exactly one request fits again.
    QThread::msleep(quint64(denied.retryAfter.count()) + 15);
    const auto again = limiter.check(QStringLiteral("api"), ip);
    QVERIFY(again.allowed);
    QCOMPARE(again.remaining, 0);
    QVERIFY(!limiter.check(QStringLiteral("api"), ip).allowed);

    // 10 per second: ~350 ms is three more (four if the sleep overshot by 50 ms).
    QElapsedTimer timer;
    timer.start();
    QThread::msleep(350);
    const int allowed = allowedOf(limiter, QStringLiteral("api"), ip, 10);
    const int expected = int(timer.elapsed() / 100);
    QVERIFY2(
        allowed >= 3 && allowed <= expected + 1,
        qPrintable(QStringLiteral("%1 allowed after %2 ms").arg(allowed).arg(timer.elapsed())));
}

void TestRateLimiter::keysAreIndependent()
{
    RateLimiter limiter(m_cache.get());
    QCOMPARE(allowedOf(limiter, QStringLiteral("api"), QStringLiteral("10.0.0.1"), 25), 20);
    QCOMPARE(allowedOf(limiter, QStringLiteral("api"), QStringLiteral("10.0.0.2"), 25), 20);
    // The same key under another policy is another bucket.
    QCOMPARE(allowedOf(limiter, QStringLiteral("auth"), QStringLiteral("10.0.0.1"), 6), 5);
    const auto keys = m_cache->command({"KEYS", "revenge:rl:*"});
    QVERIFY(keys);
    QCOMPARE(keys->elements.size(), 3);
}

void TestRateLimiter::instancesShareTheLimit()
{
    // Two "processes": separate clients (separate connections) and separate limiters.
    RedisClient otherCache(m_redis.endpoint());
    RateLimiter a(m_cache.get());
    RateLimiter b(&otherCache);
    const QString ip = QStringLiteral("198.51.100.7");
    int allowed = 0;
    for (int i = 0; i < 20; ++i) {
        allowed += a.check(QStringLiteral("api"), ip).allowed;
        allowed += b.check(QStringLiteral("api"), ip).allowed;
    }
    QCOMPARE(allowed, 20);
    const auto fromB = b.check(QStringLiteral("api"), ip);
    QVERIFY(!fromB.allowed);
    QVERIFY(!fromB.degraded);
}

void TestRateLimiter::authPolicy()
{
    RateLimiter limiter(m_cache.get());
    const auto policy = limiter.policy(QStringLiteral("auth"));
    QVERIFY(policy);
    QCOMPARE(policy->ratePerSecond, 1.0);
    QCOMPARE(policy->burst, 5);
    for (int i = 0; i < 5; ++i) {
        const auto d = limiter.check(QStringLiteral("auth"), QStringLiteral("203.0.113.9"));
        QVERIFY(d.allowed);
        QCOMPARE(d.remaining, 4 - i);
    }
    const auto denied = limiter.check(QStringLiteral("auth"), QStringLiteral("203.0.113.9"));
    QVERIFY(!denied.allowed);
    QVERIFY2(denied.retryAfter >= 900ms && denied.retryAfter <= 1000ms,
             qPrintable(QString::number(denied.retryAfter.count())));
    QCOMPARE(denied.retryAfterSeconds(), 1);
    QCOMPARE(denied.limit, 5);
}

void TestRateLimiter::costAboveOne()
{
    RateLimiter limiter(m_cache.get());
    QVERIFY(limiter.setPolicy(QStringLiteral("bulk"), {10.0, 20}));
    const QString key = QStringLiteral("uploader");
    auto d = limiter.check(QStringLiteral("bulk"), key, 5);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 15);
    d = limiter.check(QStringLiteral("bulk"), key, 15);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 0);
    d = limiter.check(QStringLiteral("bulk"), key, 3);
    QVERIFY(!d.allowed);
    // Three intervals must pass for a cost of three.
    QVERIFY2(d.retryAfter > 250ms && d.retryAfter <= 300ms,
             qPrintable(QString::number(d.retryAfter.count())));

    // Cost 0 asks without consuming.
    QVERIFY(limiter.setPolicy(QStringLiteral("peek"), {10.0, 4}));
    QVERIFY(limiter.check(QStringLiteral("peek"), key, 3).allowed);
    d = limiter.check(QStringLiteral("peek"), key, 0);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 1);
    QCOMPARE(limiter.check(QStringLiteral("peek"), key, -5).remaining, 1); // treated as 0

    // More than the burst can never pass; it is denied without touching the bucket.
    d = limiter.check(QStringLiteral("peek"), key, 5);
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfter, 400ms); // the full refill window
    QVERIFY(limiter.check(QStringLiteral("peek"), key, 1).allowed);
}

void TestRateLimiter::policyValidation()
{
    RateLimiter limiter(m_cache.get());
    QString error;
    QVERIFY(!limiter.setPolicy(QStringLiteral("zero"), {0.0, 5}, &error));
    QVERIFY2(error.contains(QLatin1String("rate must be greater than 0")), qPrintable(error));
    QVERIFY(!limiter.setPolicy(QStringLiteral("neg"), {-1.0, 5}, &error));
    QVERIFY(!limiter.setPolicy(QStringLiteral("nan"), {qQNaN(), 5}, &error));
    QVERIFY(!limiter.setPolicy(QStringLiteral("inf"), {qInf(), 5}, &error));
    QVERIFY(!limiter.setPolicy(QStringLiteral("burst"), {1.0, 0}, &error));
    QVERIFY2(error.contains(QLatin1String("burst must be at least 1")), qPrintable(error));
    QVERIFY(!limiter.setPolicy(QStringLiteral("a:b"), {1.0, 1}, &error));
    QVERIFY2(error.contains(QLatin1String("invalid")), qPrintable(error));
    QVERIFY(!limiter.setPolicy(QString(), {1.0, 1}, &error));
    QVERIFY(!limiter.setPolicy(QStringLiteral("slow"), {1e-9, 100}, &error));
    QVERIFY2(error.contains(QLatin1String("days to refill")), qPrintable(error));
    QVERIFY(!limiter.policy(QStringLiteral("zero")));

    // A rejected update keeps the policy that was there.
    QVERIFY(!limiter.setPolicy(QStringLiteral("api"), {0.0, 0}, &error));
    QCOMPARE(limiter.policy(QStringLiteral("api"))->burst, 20);
    // A valid one replaces it.
    QVERIFY(limiter.setPolicy(QStringLiteral("api"), {2.0, 3}, &error));
    QCOMPARE(allowedOf(limiter, QStringLiteral("api"), QStringLiteral("replaced"), 5), 3);
}

void TestRateLimiter::unknownPolicyIsAdmittedAndLoggedOnce()
{
    RateLimiter limiter(m_cache.get());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no policy named typo")));
    for (int i = 0; i < 50; ++i) {
        const auto d = limiter.check(QStringLiteral("typo"), QStringLiteral("1.2.3.4"));
        QVERIFY(d.allowed);
        QCOMPARE(d.limit, 0);
    }
    // Logged once: a second warning would fail the test as unexpected.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("no policy named")));
    QVERIFY(limiter.check(QStringLiteral("typo"), QStringLiteral("1.2.3.4")).allowed);
    const auto keys = m_cache->command({"KEYS", "revenge:rl:*"});
    QVERIFY(keys);
    QCOMPARE(keys->elements.size(), 0);
}

void TestRateLimiter::retryAfterSeconds()
{
    RateLimiter::Decision d;
    QCOMPARE(d.retryAfterSeconds(), 0); // allowed
    d.allowed = false;
    d.retryAfter = 0ms;
    QCOMPARE(d.retryAfterSeconds(), 1);
    d.retryAfter = 1ms;
    QCOMPARE(d.retryAfterSeconds(), 1);
    d.retryAfter = 1000ms;
    QCOMPARE(d.retryAfterSeconds(), 1);
    d.retryAfter = 1001ms;
    QCOMPARE(d.retryAfterSeconds(), 2);
}

void TestRateLimiter::degradedWhileTheServerIsDownAndBack()
{
    TestRedis redis;
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    RedisClient cache(redis.endpoint());
    RateLimiter limiter(&cache);
    QVERIFY(!limiter.check(QStringLiteral("api"), QStringLiteral("before")).degraded);
    QVERIFY(!limiter.isDegraded());

    redis.stop();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cache unavailable")));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("rate limiting in-process")));
    // Still limiting, in-process, with the same burst and the same answers.
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 20; ++i) {
        const auto d = limiter.check(QStringLiteral("api"), QStringLiteral("192.0.2.50"));
        QVERIFY2(d.allowed, qPrintable(QStringLiteral("request %1 denied").arg(i + 1)));
        QVERIFY(d.degraded);
        QCOMPARE(d.remaining, 19 - i);
    }
    const auto denied = limiter.check(QStringLiteral("api"), QStringLiteral("192.0.2.50"));
    QVERIFY(!denied.allowed);
    QVERIFY(denied.degraded);
    QVERIFY2(denied.retryAfter >= 50ms && denied.retryAfter <= 100ms,
             qPrintable(QString::number(denied.retryAfter.count())));
    // Without waiting for connect timeouts: the client fails fast while the server is away.
    QVERIFY2(timer.elapsed() < 500, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(limiter.isDegraded());
    QVERIFY(limiter.localKeyCount() >= 1);

    QVERIFY2(redis.start(&error), qPrintable(error));
    // Back by itself once the client's backoff lets a call through (at most 5 s).
    QVERIFY2(
        waitUntil(
            [&] { return !limiter.check(QStringLiteral("api"), QStringLiteral("after")).degraded; },
            8000),
        "still degraded after the cache came back");
    QVERIFY(!limiter.isDegraded());
    QCOMPARE(limiter.localKeyCount(), 0); // the fallback's state is dropped
    const auto d = limiter.check(QStringLiteral("api"), QStringLiteral("192.0.2.51"));
    QVERIFY(d.allowed);
    QVERIFY(!d.degraded);
    QCOMPARE(d.remaining, 19);
    const auto key = cache.command({"EXISTS", "revenge:rl:api:192.0.2.51"});
    QVERIFY(key);
    QCOMPARE(key->integer, 1);
}

void TestRateLimiter::nullCacheLimitsInProcess()
{
    RateLimiter limiter(nullptr);
    for (int i = 0; i < 5; ++i) {
        const auto d = limiter.check(QStringLiteral("auth"), QStringLiteral("local"));
        QVERIFY(d.allowed);
        QVERIFY(d.degraded);
        QCOMPARE(d.remaining, 4 - i);
    }
    const auto denied = limiter.check(QStringLiteral("auth"), QStringLiteral("local"));
    QVERIFY(!denied.allowed);
    QVERIFY2(denied.retryAfter >= 900ms && denied.retryAfter <= 1000ms,
             qPrintable(QString::number(denied.retryAfter.count())));
    QVERIFY(limiter.isDegraded());
    // Refill works in-process too.
    QThread::msleep(quint64(denied.retryAfter.count()) + 15);
    QVERIFY(limiter.check(QStringLiteral("auth"), QStringLiteral("local")).allowed);
    QVERIFY(!limiter.check(QStringLiteral("auth"), QStringLiteral("local")).allowed);
}

void TestRateLimiter::unexpectedStateDegradesOnlyThatCheck()
{
    // Something else wrote a hash where a TAT belongs: the script fails with WRONGTYPE.
    QVERIFY(m_cache->command({"HSET", "revenge:rl:api:odd", "a", "b"}));
    RateLimiter limiter(m_cache.get());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("WRONGTYPE")));
    const auto d = limiter.check(QStringLiteral("api"), QStringLiteral("odd"));
    QVERIFY(d.allowed);
    QVERIFY(d.degraded);
    QVERIFY(m_cache->isAvailable()); // a script error is not an outage
    const auto next = limiter.check(QStringLiteral("api"), QStringLiteral("normal"));
    QVERIFY(next.allowed);
    QVERIFY(!next.degraded);
}

void TestRateLimiter::concurrentThreadsAdmitExactlyTheBurst_data()
{
    QTest::addColumn<bool>("withCache");
    QTest::newRow("redis") << true;
    QTest::newRow("in-process") << false;
}

void TestRateLimiter::concurrentThreadsAdmitExactlyTheBurst()
{
    QFETCH(bool, withCache);
    RateLimiter limiter(withCache ? m_cache.get() : nullptr);
    // A refill so slow (one per 1000 s) that the whole run is one burst window.
    QVERIFY(limiter.setPolicy(QStringLiteral("hammer"), {0.001, 20}));
    constexpr int kThreads = 8;
    constexpr int kChecksPerThread = 40;
    std::atomic<int> allowed{0};
    std::atomic<int> wrongMode{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            ++ready;
            while (ready.load() < kThreads)
                std::this_thread::yield(); // start together
            for (int i = 0; i < kChecksPerThread; ++i) {
                const auto d = limiter.check(QStringLiteral("hammer"), QStringLiteral("one-key"));
                allowed += d.allowed;
                wrongMode += d.degraded == withCache;
            }
        });
    for (auto &t : threads)
        t.join();
    QCOMPARE(allowed.load(), 20);
    QCOMPARE(wrongMode.load(), 0);
}

void TestRateLimiter::inProcessTableStaysBounded()
{
    RateLimiter limiter(nullptr, 100);
    QVERIFY(limiter.setPolicy(QStringLiteral("many"), {0.01, 5})); // keys stay active long
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("rate limiter full")));
    for (int i = 0; i < 1000; ++i)
        limiter.check(QStringLiteral("many"), QStringLiteral("client-%1").arg(i));
    QVERIFY2(limiter.localKeyCount() <= 100, qPrintable(QString::number(limiter.localKeyCount())));
    QVERIFY(limiter.localKeyCount() >= 50);
    // Recent clients are still limited.
    for (int i = 0; i < 4; ++i)
        QVERIFY(limiter.check(QStringLiteral("many"), QStringLiteral("client-999")).allowed);
    QVERIFY(!limiter.check(QStringLiteral("many"), QStringLiteral("client-999")).allowed);

    // Keys at rest are dropped without any limit being lost.
    RateLimiter fast(nullptr, 100);
    QVERIFY(fast.setPolicy(QStringLiteral("quick"), {1000.0, 1}));
    for (int i = 0; i < 100; ++i)
        fast.check(QStringLiteral("quick"), QStringLiteral("c%1").arg(i));
    QThread::msleep(5);                                            // all at rest again
    fast.check(QStringLiteral("quick"), QStringLiteral("c-last")); // the table is full: sweep
    QCOMPARE(fast.localKeyCount(), 1);
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
