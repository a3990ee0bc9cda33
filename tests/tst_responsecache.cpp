#include "TestEnvironment.h"
#include "TestRedis.h"
#include "cache/CacheSubscriber.h"
#include "cache/RedisClient.h"
#include "cache/ResponseCache.h"
#include "events/EventBus.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QtTest>
#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

namespace {

// Spins (without processing events: worker threads call it) until `predicate` holds.
bool spinUntil(const std::function<bool()> &predicate, int timeoutMs = 5000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!predicate()) {
        if (deadline.hasExpired())
            return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

ResponseCacheOptions longL1()
{
    ResponseCacheOptions o;
    o.l1MaxTtl = 60s; // so that only an invalidation (never expiry) can empty L1 in a test
    return o;
}

} // namespace

// ResponseCache against a real redis-server: both levels, TTLs per prefix, LRU bounds, tag
// invalidation in one process and across two (through real pub/sub), single-flight, the
// degraded mode (server stopped and started mid-test) and malformed entries.
class TestResponseCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void l1Hit();
    void l2HitAfterClear();
    void ttlPerPrefix();
    void l1NeverOutlivesL2();
    void lruEvictsByCount();
    void lruEvictsByBytes();
    void tagInvalidationRemovesFromBothLevels();
    void invalidationDuringComputeIsNeverServed();
    void invalidationAcrossProcesses();
    void vanishedGenerationIsAMiss();
    void singleFlightComputesOnce();
    void differentKeysComputeIndependently();
    void exceptionReachesEveryWaiterAndNothingIsCached();
    void recursiveComputeIsRefused();
    void degradedModeAndRecovery();
    void invalidationWhileDownIsAppliedOnReturn();
    void malformedValuesAreMisses();
    void keysThatLookLikeBookkeeping();
    void lookupThroughput();

private:
    RedisReply raw(const QList<QByteArray> &args);
    bool exists(const QByteArray &key) { return raw({"EXISTS", key}).integer == 1; }

    TestRedis m_redis;
};

void TestResponseCache::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void TestResponseCache::init()
{
    // A test that failed while the server was stopped must not take the next one down.
    if (raw({"PING"}).type != RedisReply::Type::Status) {
        QString error;
        QVERIFY2(m_redis.start(&error), qPrintable(error));
    }
    QVERIFY(raw({"FLUSHALL"}).type == RedisReply::Type::Status);
}

RedisReply TestResponseCache::raw(const QList<QByteArray> &args)
{
    RedisConnection c;
    if (!c.connect(m_redis.endpoint()))
        return {};
    return c.command(args).value_or(RedisReply{});
}

void TestResponseCache::l1Hit()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    cache.put(QStringLiteral("movies:1"), "{\"id\":1}");
    QCOMPARE(cache.get(QStringLiteral("movies:1")), QByteArray("{\"id\":1}"));
    QCOMPARE(cache.get(QStringLiteral("movies:1")), QByteArray("{\"id\":1}"));
    const auto s = cache.stats();
    QCOMPARE(s.l1Hits, 2u);
    QCOMPARE(s.l2Hits, 0u);
    QCOMPARE(s.misses, 0u);
    QCOMPARE(s.l1Entries, 1);
    QVERIFY(s.l1Bytes > 8);
    QVERIFY(raw({"GET", "revenge:resp:movies:1"}).string.startsWith("RVRC"));
    QVERIFY(!cache.get(QStringLiteral("movies:2")));
    QCOMPARE(cache.stats().misses, 1u);
}

void TestResponseCache::l2HitAfterClear()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    cache.put(QStringLiteral("k"), "value", {QStringLiteral("lib:1")});
    cache.clear();
    QCOMPARE(cache.stats().l1Entries, 0);
    QCOMPARE(cache.get(QStringLiteral("k")), QByteArray("value"));
    QCOMPARE(cache.stats().l2Hits, 1u);
    QCOMPARE(cache.stats().l1Entries, 1); // filled from L2
    QCOMPARE(cache.get(QStringLiteral("k")), QByteArray("value"));
    QCOMPARE(cache.stats().l1Hits, 1u);

    // A cache that never saw the value can only have it from Redis.
    ResponseCache other(&client);
    QCOMPARE(other.get(QStringLiteral("k")), QByteArray("value"));
    QCOMPARE(other.stats().l2Hits, 1u);
}

void TestResponseCache::ttlPerPrefix()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    cache.setTtl(QStringLiteral("short:"), 300ms);
    cache.setTtl(QStringLiteral("short:long:"), 5s);
    cache.setTtl(QStringLiteral("library:"), 30s);
    cache.setTtl(QStringLiteral("nocache:"), 0ms);
    QCOMPARE(cache.ttlFor(QStringLiteral("short:a")), 300ms);
    QCOMPARE(cache.ttlFor(QStringLiteral("short:long:b")), 5000ms); // the longest prefix wins
    QCOMPARE(cache.ttlFor(QStringLiteral("library:1")), 30000ms);
    QCOMPARE(cache.ttlFor(QStringLiteral("other")), 60000ms);
    cache.setDefaultTtl(45s);
    QCOMPARE(cache.ttlFor(QStringLiteral("other")), 45000ms);

    for (const char *k : {"short:a", "short:long:b", "library:1", "other", "nocache:x"})
        cache.put(QString::fromLatin1(k), "v");

    const auto pttl = [&](const char *k) {
        return raw({"PTTL", QByteArray("revenge:resp:") + k}).integer;
    };
    QVERIFY(pttl("short:a") > 0 && pttl("short:a") <= 300);
    QVERIFY(pttl("short:long:b") > 4000 && pttl("short:long:b") <= 5000);
    QVERIFY(pttl("library:1") > 29000 && pttl("library:1") <= 30000);
    QVERIFY(pttl("other") > 44000 && pttl("other") <= 45000);
    QVERIFY(!exists("revenge:resp:nocache:x")); // TTL 0: not cached anywhere
    QVERIFY(!cache.get(QStringLiteral("nocache:x")));

    // Expires from both levels (get() answers from L1 first, so L1 must have expired too).
    QVERIFY(waitUntil([&] { return !cache.get(QStringLiteral("short:a")); }, 5000));
    QVERIFY(!exists("revenge:resp:short:a"));
    QCOMPARE(cache.get(QStringLiteral("library:1")), QByteArray("v"));
}

void TestResponseCache::l1NeverOutlivesL2()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache writer(&client);
    writer.put(QStringLiteral("k"), "v"); // 60 s
    // Someone shortened it in Redis; the reader's L1 copy must not outlive it.
    QCOMPARE(raw({"PEXPIRE", "revenge:resp:k", "300"}).integer, 1);
    ResponseCache reader(&client, nullptr, longL1());
    QCOMPARE(reader.get(QStringLiteral("k")), QByteArray("v"));
    QCOMPARE(reader.stats().l1Entries, 1);
    QVERIFY(waitUntil([&] { return !reader.get(QStringLiteral("k")); }, 5000));
}

void TestResponseCache::lruEvictsByCount()
{
    ResponseCacheOptions o;
    o.maxEntries = 3;
    ResponseCache cache(nullptr, nullptr, o);
    cache.put(QStringLiteral("a"), "1");
    cache.put(QStringLiteral("b"), "2");
    cache.put(QStringLiteral("c"), "3");
    QVERIFY(cache.get(QStringLiteral("a"))); // a is now the most recently used; b the least
    cache.put(QStringLiteral("d"), "4");
    QCOMPARE(cache.stats().l1Entries, 3);
    QVERIFY(!cache.get(QStringLiteral("b")));
    QVERIFY(cache.get(QStringLiteral("a")));
    QVERIFY(cache.get(QStringLiteral("c")));
    QVERIFY(cache.get(QStringLiteral("d")));
    cache.put(QStringLiteral("a"), "1b"); // replacing does not grow it
    QCOMPARE(cache.stats().l1Entries, 3);
    QCOMPARE(cache.get(QStringLiteral("a")), QByteArray("1b"));
}

void TestResponseCache::lruEvictsByBytes()
{
    ResponseCacheOptions o;
    o.maxBytes = 5000; // an entry below costs 1000 + key + overhead, about 1100
    ResponseCache cache(nullptr, nullptr, o);
    const QByteArray kb(1000, 'x');
    for (int i = 0; i < 4; ++i)
        cache.put(QStringLiteral("k%1").arg(i), kb);
    QCOMPARE(cache.stats().l1Entries, 4);
    cache.put(QStringLiteral("k4"), kb);
    QCOMPARE(cache.stats().l1Entries, 4);
    QVERIFY(cache.stats().l1Bytes <= 5000);
    QVERIFY(!cache.get(QStringLiteral("k0"))); // the oldest went
    QVERIFY(cache.get(QStringLiteral("k4")));
    // Larger than the whole L1: not kept, and it evicts nothing.
    cache.put(QStringLiteral("huge"), QByteArray(6000, 'y'));
    QVERIFY(!cache.get(QStringLiteral("huge")));
    QCOMPARE(cache.stats().l1Entries, 4);
}

void TestResponseCache::tagInvalidationRemovesFromBothLevels()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    cache.put(QStringLiteral("lib:1:items"), "a", {QStringLiteral("lib:1")});
    cache.put(QStringLiteral("lib:1:genres"), "b",
              {QStringLiteral("lib:1"), QStringLiteral("user:7")});
    cache.put(QStringLiteral("lib:2:items"), "c", {QStringLiteral("lib:2")});
    cache.put(QStringLiteral("untagged"), "d");
    QCOMPARE(raw({"SCARD", "revenge:resp:tag:lib:1"}).integer, 2);
    QVERIFY(raw({"PTTL", "revenge:resp:tag:lib:1"}).integer >= 59000); // the longest TTL

    cache.invalidateTag(QStringLiteral("lib:1"));
    QVERIFY(!cache.get(QStringLiteral("lib:1:items")));
    QVERIFY(!cache.get(QStringLiteral("lib:1:genres")));
    QCOMPARE(cache.get(QStringLiteral("lib:2:items")), QByteArray("c"));
    QCOMPARE(cache.get(QStringLiteral("untagged")), QByteArray("d"));
    QVERIFY(!exists("revenge:resp:lib:1:items"));
    QVERIFY(!exists("revenge:resp:lib:1:genres"));
    QVERIFY(!exists("revenge:resp:tag:lib:1"));
    QVERIFY(exists("revenge:resp:lib:2:items"));
    QCOMPARE(cache.stats().l1Entries, 2);

    // Nothing left in L2 for a fresh cache either; remove() works the same for one key.
    ResponseCache other(&client);
    QVERIFY(!other.get(QStringLiteral("lib:1:items")));
    cache.remove(QStringLiteral("lib:2:items"));
    QVERIFY(!cache.get(QStringLiteral("lib:2:items")));
    QVERIFY(!exists("revenge:resp:lib:2:items"));
}

void TestResponseCache::invalidationDuringComputeIsNeverServed()
{
    // The race a tag set alone loses: a value computed from old data, written after the
    // invalidation. Generations read before compute make that entry stale at once.
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client, nullptr, longL1());
    QSemaphore started, go;
    QByteArray result;
    std::thread t([&] {
        result = cache.getOrCompute(QStringLiteral("lib:1:items"),
                                    [&] {
                                        started.release();
                                        go.tryAcquire(1, 10000);
                                        return QByteArray("old");
                                    },
                                    {QStringLiteral("lib:1")});
    });
    QVERIFY(started.tryAcquire(1, 10000));
    cache.invalidateTag(QStringLiteral("lib:1"));
    go.release();
    t.join();
    QCOMPARE(result, QByteArray("old")); // its caller asked before the change: fine

    QVERIFY(exists("revenge:resp:lib:1:items"));        // written after the invalidation...
    QVERIFY(!cache.get(QStringLiteral("lib:1:items"))); // ...but never served, here
    ResponseCache other(&client);
    QVERIFY(!other.get(QStringLiteral("lib:1:items"))); // or anywhere

    QCOMPARE(cache.getOrCompute(QStringLiteral("lib:1:items"), [] { return QByteArray("new"); },
                                {QStringLiteral("lib:1")}),
             QByteArray("new"));
    QCOMPARE(other.get(QStringLiteral("lib:1:items")), QByteArray("new"));
}

void TestResponseCache::invalidationAcrossProcesses()
{
    // Two "processes": their own client, bus and subscriber; one Redis between them.
    RedisClient clientA(m_redis.endpoint()), clientB(m_redis.endpoint());
    EventBus busA(QStringLiteral("proc-a")), busB(QStringLiteral("proc-b"));
    busA.attachCache(&clientA);
    busB.attachCache(&clientB);
    CacheSubscriber subA(m_redis.endpoint(), &busA), subB(m_redis.endpoint(), &busB);
    subA.start();
    subB.start();
    QVERIFY(waitUntil([&] { return subA.isSubscribed() && subB.isSubscribed(); }, 10000));
    ResponseCache a(&clientA, &busA, longL1()), b(&clientB, &busB, longL1());

    a.put(QStringLiteral("lib:1:items"), "v1", {QStringLiteral("lib:1")});
    a.put(QStringLiteral("lib:2:items"), "v2", {QStringLiteral("lib:2")});
    QCOMPARE(b.get(QStringLiteral("lib:1:items")), QByteArray("v1"));
    QCOMPARE(b.get(QStringLiteral("lib:2:items")), QByteArray("v2"));
    QCOMPARE(b.get(QStringLiteral("lib:1:items")), QByteArray("v1"));
    QCOMPARE(b.stats().l2Hits, 2u);
    QCOMPARE(b.stats().l1Hits, 1u);
    QCOMPARE(b.stats().l1Entries, 2);

    // B's L1 would serve v1 for a minute; the event through Redis pub/sub drops it.
    a.invalidateTag(QStringLiteral("lib:1"));
    QVERIFY(waitUntil([&] { return b.stats().l1Entries == 1; }, 5000));
    QVERIFY(!b.get(QStringLiteral("lib:1:items")));
    QCOMPARE(b.get(QStringLiteral("lib:2:items")), QByteArray("v2"));

    // remove() of one key, the other way round.
    b.put(QStringLiteral("x"), "1");
    QCOMPARE(a.get(QStringLiteral("x")), QByteArray("1"));
    const qsizetype before = a.stats().l1Entries;
    b.remove(QStringLiteral("x"));
    QVERIFY(waitUntil([&] { return a.stats().l1Entries == before - 1; }, 5000));
    QVERIFY(!a.get(QStringLiteral("x")));
}

void TestResponseCache::vanishedGenerationIsAMiss()
{
    // A generation key that expired or was evicted must not let an old entry count as current.
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    cache.put(QStringLiteral("k"), "v", {QStringLiteral("t")});
    QVERIFY(exists("revenge:resp:gen:t"));
    QCOMPARE(raw({"DEL", "revenge:resp:gen:t"}).integer, 1);
    cache.clear();
    QVERIFY(!cache.get(QStringLiteral("k")));
    // and a put afterwards starts a new generation that works
    cache.put(QStringLiteral("k"), "v2", {QStringLiteral("t")});
    cache.clear();
    QCOMPARE(cache.get(QStringLiteral("k")), QByteArray("v2"));
}

void TestResponseCache::singleFlightComputesOnce()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    constexpr int kThreads = 16;
    std::atomic<int> computes{0};
    std::latch ready(kThreads);
    QList<QByteArray> results(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            ready.arrive_and_wait();
            results[i] = cache.getOrCompute(
                QStringLiteral("hot"),
                [&] {
                    ++computes;
                    // Stay in compute until every other caller is waiting on us (at most 5 s),
                    // so that the burst overlaps without depending on timing.
                    spinUntil([&] { return cache.stats().coalesced == kThreads - 1; });
                    std::this_thread::sleep_for(100ms);
                    return QByteArray("computed");
                },
                {QStringLiteral("t")});
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(computes.load(), 1);
    for (const QByteArray &r : std::as_const(results))
        QCOMPARE(r, QByteArray("computed"));
    const auto s = cache.stats();
    QCOMPARE(s.computes, 1u);
    QCOMPARE(s.coalesced, quint64(kThreads - 1));
    QCOMPARE(s.misses, 1u);
    QCOMPARE(cache.get(QStringLiteral("hot")), QByteArray("computed"));
}

void TestResponseCache::differentKeysComputeIndependently()
{
    // Eight keys, two callers each: eight computes, all running at the same time (each waits
    // until all eight have started: a cache that serialised them would never get there).
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    constexpr int kKeys = 8;
    std::atomic<int> running{0};
    std::atomic<int> overlapped{0};
    std::latch ready(2 * kKeys);
    QList<QByteArray> results(2 * kKeys);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2 * kKeys; ++i) {
        threads.emplace_back([&, i] {
            const QString key = QStringLiteral("key:%1").arg(i % kKeys);
            ready.arrive_and_wait();
            results[i] = cache.getOrCompute(key, [&, key] {
                ++running;
                if (spinUntil([&] {
                        return running.load() == kKeys && cache.stats().coalesced == kKeys;
                    }))
                    ++overlapped;
                return key.toUtf8();
            });
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(overlapped.load(), kKeys);
    QCOMPARE(cache.stats().computes, quint64(kKeys));
    for (int i = 0; i < 2 * kKeys; ++i)
        QCOMPARE(results[i], QStringLiteral("key:%1").arg(i % kKeys).toUtf8());
}

void TestResponseCache::exceptionReachesEveryWaiterAndNothingIsCached()
{
    // Choice: the exception itself is rethrown to the computing caller and every waiter.
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    constexpr int kThreads = 8;
    std::atomic<int> computes{0};
    std::latch ready(kThreads);
    QStringList caught(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            ready.arrive_and_wait();
            try {
                cache.getOrCompute(QStringLiteral("failing"), [&]() -> QByteArray {
                    ++computes;
                    spinUntil([&] { return cache.stats().coalesced == kThreads - 1; });
                    throw std::runtime_error("backend failed");
                });
                caught[i] = QStringLiteral("no exception");
            } catch (const std::runtime_error &e) {
                caught[i] = QString::fromLatin1(e.what());
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(computes.load(), 1);
    for (const QString &c : std::as_const(caught))
        QCOMPARE(c, QStringLiteral("backend failed"));
    QCOMPARE(cache.stats().l1Entries, 0);
    QVERIFY(!exists("revenge:resp:failing"));
    QVERIFY(!cache.get(QStringLiteral("failing")));
    // The next caller computes again.
    QCOMPARE(cache.getOrCompute(QStringLiteral("failing"), [] { return QByteArray("ok"); }),
             QByteArray("ok"));
    QCOMPARE(cache.stats().computes, 2u);
}

void TestResponseCache::recursiveComputeIsRefused()
{
    // compute asking for its own key would wait for itself forever; it gets an exception.
    ResponseCache cache;
    bool threw = false;
    try {
        cache.getOrCompute(QStringLiteral("k"), [&] {
            return cache.getOrCompute(QStringLiteral("k"), [] { return QByteArray("inner"); });
        });
    } catch (const std::logic_error &) {
        threw = true;
    }
    QVERIFY(threw);
    QCOMPARE(cache.getOrCompute(QStringLiteral("k"), [] { return QByteArray("v"); }),
             QByteArray("v"));
}

void TestResponseCache::degradedModeAndRecovery()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    cache.put(QStringLiteral("before"), "1");
    QVERIFY(exists("revenge:resp:before"));

    // Only the client's own "cache unavailable" line is expected; the response cache is quiet.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cache unavailable")));
    QTest::failOnWarning(QRegularExpression(QStringLiteral("response cache")));
    m_redis.stop();

    QCOMPARE(cache.get(QStringLiteral("before")), QByteArray("1")); // from L1
    cache.put(QStringLiteral("during"), "2", {QStringLiteral("t")});
    QCOMPARE(cache.get(QStringLiteral("during")), QByteArray("2"));
    int computes = 0;
    const auto compute = [&] {
        ++computes;
        return QByteArray("3");
    };
    QCOMPARE(cache.getOrCompute(QStringLiteral("computed"), compute), QByteArray("3"));
    QCOMPARE(cache.getOrCompute(QStringLiteral("computed"), compute), QByteArray("3"));
    QCOMPARE(computes, 1);
    QVERIFY(!cache.get(QStringLiteral("absent")));
    cache.invalidateTag(QStringLiteral("t"));
    QVERIFY(!cache.get(QStringLiteral("during")));
    cache.remove(QStringLiteral("before"));
    QVERIFY(!cache.get(QStringLiteral("before")));
    QVERIFY(!client.isAvailable());
    QCOMPARE(cache.stats().l2Hits, 0u);

    // Back: L2 is used again without anything being recreated.
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    client.retryNow();
    cache.put(QStringLiteral("after"), "4", {QStringLiteral("t")});
    QVERIFY(client.isAvailable());
    QVERIFY(exists("revenge:resp:after"));
    cache.clear();
    QCOMPARE(cache.get(QStringLiteral("after")), QByteArray("4"));
    QCOMPARE(cache.stats().l2Hits, 1u);
}

void TestResponseCache::invalidationWhileDownIsAppliedOnReturn()
{
    // A scan finishes while this process cannot reach the cache, which then comes back with
    // its data (a healed partition; here: the data is restored after a restart).
    RedisClient clientA(m_redis.endpoint()), clientB(m_redis.endpoint());
    ResponseCache a(&clientA), b(&clientB);
    a.put(QStringLiteral("lib:7:items"), "old", {QStringLiteral("lib:7")});
    const QByteArray entry = raw({"GET", "revenge:resp:lib:7:items"}).string;
    const QByteArray generation = raw({"GET", "revenge:resp:gen:lib:7"}).string;
    QVERIFY(!entry.isEmpty() && !generation.isEmpty());

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cache unavailable")));
    m_redis.stop();
    a.invalidateTag(QStringLiteral("lib:7"));
    QVERIFY(!a.get(QStringLiteral("lib:7:items")));

    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    raw({"SET", "revenge:resp:lib:7:items", entry, "PX", "60000"});
    raw({"SET", "revenge:resp:gen:lib:7", generation, "PX", "60000"});

    clientA.retryNow();
    QVERIFY(!a.get(QStringLiteral("lib:7:items"))); // the pending invalidation went first
    QVERIFY(raw({"GET", "revenge:resp:gen:lib:7"}).string != generation);
    QVERIFY(!b.get(QStringLiteral("lib:7:items"))); // and holds for everyone
}

void TestResponseCache::malformedValuesAreMisses()
{
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    raw({"SET", "revenge:resp:garbage", "not an entry"});
    raw({"SET", "revenge:resp:truncated", QByteArray("RVRC\x01\x00\x05\x00\x09lib", 12)});
    raw({"SET", "revenge:resp:badversion", QByteArray("RVRC\x07\x00\x00value", 12)});
    raw({"RPUSH", "revenge:resp:list", "x"});
    for (const char *k : {"garbage", "truncated", "badversion", "list"})
        QVERIFY2(!cache.get(QString::fromLatin1(k)), k);
    QCOMPARE(cache.stats().misses, 4u);
    QCOMPARE(cache.stats().l2Hits, 0u);

    // getOrCompute treats them as misses too, and replaces them with a good entry.
    QCOMPARE(cache.getOrCompute(QStringLiteral("garbage"), [] { return QByteArray("good"); }),
             QByteArray("good"));
    QCOMPARE(cache.getOrCompute(QStringLiteral("list"), [] { return QByteArray("good"); }),
             QByteArray("good"));
    cache.clear();
    QCOMPARE(cache.get(QStringLiteral("garbage")), QByteArray("good"));
    QCOMPARE(cache.get(QStringLiteral("list")), QByteArray("good"));
    QCOMPARE(cache.stats().l2Hits, 2u);
}

void TestResponseCache::keysThatLookLikeBookkeeping()
{
    // A key named like a tag set must not clobber it (nor be clobbered).
    RedisClient client(m_redis.endpoint());
    ResponseCache cache(&client);
    cache.put(QStringLiteral("tag:lib:1"), "x");
    cache.put(QStringLiteral("k"), "v", {QStringLiteral("lib:1")});
    QCOMPARE(raw({"TYPE", "revenge:resp:tag:lib:1"}).string, QByteArray("set"));
    QVERIFY(exists("revenge:resp:~tag:lib:1"));
    cache.clear();
    QCOMPARE(cache.get(QStringLiteral("tag:lib:1")), QByteArray("x"));
    cache.invalidateTag(QStringLiteral("lib:1"));
    QVERIFY(!cache.get(QStringLiteral("k")));
    QCOMPARE(cache.get(QStringLiteral("tag:lib:1")), QByteArray("x"));
}

void TestResponseCache::lookupThroughput()
{
    // Reports L1 hits/s from several threads (scripts/bench.sh measures it properly); asserts
    // only that every lookup hit.
    ResponseCache cache;
    constexpr int kKeys = 1000, kThreads = 4, kLookups = 200000;
    for (int i = 0; i < kKeys; ++i)
        cache.put(QStringLiteral("movies:%1").arg(i), QByteArray(512, 'x'));
    QStringList keys;
    for (int i = 0; i < kKeys; ++i)
        keys.append(QStringLiteral("movies:%1").arg(i));
    std::atomic<int> hits{0};
    QElapsedTimer timer;
    timer.start();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            int local = 0;
            for (int i = 0; i < kLookups; ++i)
                local += cache.get(keys.at((i * 7 + t) % kKeys)).has_value();
            hits += local;
        });
    }
    for (auto &th : threads)
        th.join();
    const qint64 ns = std::max<qint64>(1, timer.nsecsElapsed());
    QCOMPARE(hits.load(), kThreads * kLookups);
    qInfo("L1 lookups: %.0f/s with %d threads", double(kThreads) * kLookups * 1e9 / double(ns),
          kThreads);
}

QTEST_GUILESS_MAIN(TestResponseCache)
#include "tst_responsecache.moc"
