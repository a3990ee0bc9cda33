// Cache benchmark: session validation on the per-request path (SessionStore::validate) with the
// cache up and with it stopped (PostgreSQL alone), redis-benchmark's GET latency against the
// same server in the same run as the floor to compare with, and the throughput of cached
// response lookups (ResponseCache::getOrCompute hits) from several threads. A private
// redis-server (or dragonfly) through CacheService and a private PostgreSQL through
// PostgresService, both with their defaults. Prints every figure and one JSON line last.
//
//   bench_cache [--validations N] [--down-validations N] [--threads N] [--seconds S]
//               [--redis-benchmark-requests N]

#include "BenchSupport.h"
#include "cache/RedisClient.h"
#include "cache/ResponseCache.h"
#include "cache/SessionStore.h"
#include "core/SecretStore.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "services/CacheService.h"
#include "services/PostgresService.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Revenge;
using namespace Revenge::Bench;
using Clock = std::chrono::steady_clock;

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

// The key a lookup thread asks for next: a per-thread pseudo-random sequence, so that threads do
// not fall into step on the same keys (which single-flight would then coalesce).
int keyIndex(int thread, quint64 i, int keys)
{
    quint64 x = (i + 1) * 0x9E3779B97F4A7C15ull ^ (quint64(thread + 1) << 40);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return int(x % quint64(keys));
}

double round2(double v)
{
    return qRound64(v * 100) / 100.0;
}

struct Latency
{
    double p50 = 0;
    double p99 = 0;
    double mean = 0;
    int failures = 0;
};

// Validates `token` n times, one at a time, timing each call (µs).
Latency measureValidation(SessionStore &store, const QString &token, const QUuid &userId, int n)
{
    std::vector<double> us;
    us.reserve(size_t(n));
    Latency out;
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        const auto session = store.validate(token);
        const double elapsed = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        if (!session || session->userId != userId)
            ++out.failures;
        us.push_back(elapsed);
        sum += elapsed;
    }
    out.p50 = percentile(us, 0.5);
    out.p99 = percentile(us, 0.99);
    out.mean = n ? sum / n : 0;
    return out;
}

// Calls lookup(thread, i) from `threads` threads for `seconds`; lookups per second.
double measureThroughput(int threads, double seconds,
                         const std::function<bool(int, quint64)> &lookup, quint64 *failures)
{
    std::atomic<bool> stop{false};
    std::atomic<quint64> total{0};
    std::atomic<quint64> failed{0};
    std::vector<std::unique_ptr<QThread>> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([&, t] {
            quint64 done = 0, bad = 0;
            for (quint64 i = 0; !stop.load(std::memory_order_relaxed); ++i) {
                if (!lookup(t, i))
                    ++bad;
                ++done;
            }
            total += done;
            failed += bad;
        }));
    }
    const auto t0 = Clock::now();
    for (auto &w : workers)
        w->start();
    QThread::msleep(qRound(seconds * 1000));
    stop = true;
    for (auto &w : workers)
        w->wait();
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    if (failures)
        *failures = failed.load();
    return total.load() / elapsed;
}

struct RedisBenchmark
{
    double p50us = 0;
    double p99us = 0;
    double rps = 0;
};

// redis-benchmark -t get -c 1 against the same server; p50/p99 from its CSV summary.
std::optional<RedisBenchmark> runRedisBenchmark(const RedisEndpoint &ep, int requests)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-benchmark"));
    if (program.isEmpty()) {
        say(QStringLiteral("redis-benchmark is not on PATH (install redis-tools)"));
        return std::nullopt;
    }
    QStringList args{QStringLiteral("-h"),   ep.host,
                     QStringLiteral("-p"),   QString::number(ep.port),
                     QStringLiteral("-t"),   QStringLiteral("get"),
                     QStringLiteral("-n"),   QString::number(requests),
                     QStringLiteral("-c"),   QStringLiteral("1"),
                     QStringLiteral("--csv")};
    if (!ep.password.isEmpty())
        args << QStringLiteral("-a") << ep.password;
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(5000) || !p.waitForFinished(5 * 60 * 1000)) {
        say(QStringLiteral("redis-benchmark did not run: ") + p.errorString());
        return std::nullopt;
    }
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
    // "p99_latency_ms","max_latency_ms"
    // "GET","35087.72","0.027","0.016","0.023","0.039","0.071","1.279"
    for (const QString &line : out.split(QLatin1Char('\n'))) {
        say(QStringLiteral("  [redis-benchmark] ") + line.trimmed());
        if (!line.startsWith(QLatin1String("\"GET\"")))
            continue;
        QStringList cells = line.trimmed().split(QLatin1Char(','));
        for (QString &c : cells)
            c.remove(QLatin1Char('"'));
        if (cells.size() < 7)
            break;
        RedisBenchmark r;
        r.rps = cells.at(1).toDouble();
        r.p50us = cells.at(4).toDouble() * 1000;
        r.p99us = cells.at(6).toDouble() * 1000;
        if (r.p50us > 0)
            return r;
    }
    say(QStringLiteral("cannot read redis-benchmark's output (exit %1): %2 %3")
            .arg(p.exitCode())
            .arg(out, QString::fromUtf8(p.readAllStandardError())));
    return std::nullopt;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // Figures only: the library's progress lines (and the expected "cache unavailable" warning
    // of the cache-down run) would drown them.
    QLoggingCategory::setFilterRules(
        QStringLiteral("revenge.*.debug=false\nrevenge.*.info=false\nrevenge.cache.warning=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption validationsOpt(QStringLiteral("validations"),
                                            QStringLiteral("Validations with the cache up."),
                                            QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption downOpt(QStringLiteral("down-validations"),
                                     QStringLiteral("Validations with the cache stopped."),
                                     QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption threadsOpt(QStringLiteral("threads"),
                                        QStringLiteral("Threads for the lookup throughput."),
                                        QStringLiteral("n"), QStringLiteral("4"));
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"),
                                        QStringLiteral("Duration of each throughput run."),
                                        QStringLiteral("s"), QStringLiteral("2"));
    const QCommandLineOption rbOpt(QStringLiteral("redis-benchmark-requests"),
                                   QStringLiteral("Requests for redis-benchmark -t get -c 1."),
                                   QStringLiteral("n"), QStringLiteral("100000"));
    parser.addOptions({validationsOpt, downOpt, threadsOpt, secondsOpt, rbOpt});
    parser.process(app);
    const int validations = parser.value(validationsOpt).toInt();
    const int downValidations = parser.value(downOpt).toInt();
    const int threads = std::max(1, parser.value(threadsOpt).toInt());
    const double seconds = std::max(0.1, parser.value(secondsOpt).toDouble());

    const auto work = makeWorkDir(QStringLiteral("cache"));
    QTemporaryDir &dir = *work;

    // --- servers ------------------------------------------------------------------------------
    BenchPostgres db(dir.path());
    PostgresService &pg = db.service();
    CacheService::Options cacheOptions;
    cacheOptions.baseDir = dir.path() + QStringLiteral("/cache");
    CacheService cache(cacheOptions, &db.secrets());
    QString failure;
    if (!cache.startAndWait(cache.startTimeoutMs(), &failure)) {
        say(QStringLiteral("cannot start the cache: ") + failure);
        return 1;
    }
    if (!db.start())
        return 1;
    const RedisEndpoint ep = cache.endpoint();
    QString cacheVersion;
    {
        RedisConnection c;
        if (c.connect(ep))
            if (auto v = c.serverVersion())
                cacheVersion = v->first + QLatin1Char(' ') + v->second;
    }
    const auto pool = db.migratedPool();
    if (!pool)
        return 1;
    QUuid userId;
    {
        auto lease = pool->acquire();
        if (!lease) {
            say(QStringLiteral("no database connection"));
            return 1;
        }
        const PgResult v = pgExec(lease->db(), "SELECT current_setting('server_version')");
        say(QStringLiteral("PostgreSQL %1, cache %2 on 127.0.0.1:%3 (password), %4 cores")
                .arg(v.text(0, 0), cacheVersion)
                .arg(ep.port)
                .arg(QThread::idealThreadCount()));
        const PgResult u = pgExec(
            lease->db(),
            "INSERT INTO shared.users (username, password_hash) VALUES ($1, $2) RETURNING id",
            {"bench", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"});
        if (!u.ok() || u.rows() != 1) {
            say(QStringLiteral("cannot create the user: ") + u.error());
            return 1;
        }
        userId = QUuid::fromString(u.text(0, 0));
    }

    RedisClient client(ep);
    SessionStore store(pool, &client);
    SessionInfo info;
    info.deviceId = QStringLiteral("bench-device");
    info.deviceName = QStringLiteral("Benchmark");
    info.clientName = QStringLiteral("bench_cache");
    info.clientVersion = QStringLiteral("1");
    info.ip = QHostAddress(QStringLiteral("127.0.0.1"));
    QString error;
    const auto created = store.create(userId, info, &error);
    if (!created) {
        say(QStringLiteral("cannot create the session: ") + error);
        return 1;
    }
    const QString token = created->first;

    // --- session validation, cache up ---------------------------------------------------------
    // The first validation fills the cache (read-through); the warm-up also loads the Lua
    // script and the prepared statements.
    const Latency warm = measureValidation(store, token, userId, 2000);
    const auto cached = client.command({"EXISTS", SessionStore::cacheKey(token)});
    if (warm.failures || !cached || cached->integer != 1) {
        say(QStringLiteral("warm-up failed: %1 failures, cached: %2")
                .arg(warm.failures)
                .arg(cached ? cached->integer : -1));
        return 1;
    }
    const Latency up = measureValidation(store, token, userId, validations);
    say(QStringLiteral("session validation, cache up (SessionStore::validate: one EVALSHA that "
                       "reads the record and slides its TTL), %1 calls: p50 %2 us, p99 %3 us, "
                       "mean %4 us, %5 failures")
            .arg(validations)
            .arg(up.p50, 0, 'f', 1)
            .arg(up.p99, 0, 'f', 1)
            .arg(up.mean, 0, 'f', 1)
            .arg(up.failures));

    // --- redis-benchmark: the floor -----------------------------------------------------------
    const auto rb = runRedisBenchmark(ep, parser.value(rbOpt).toInt());
    if (rb)
        say(QStringLiteral("redis-benchmark GET, 1 client: p50 %1 us, p99 %2 us, %3 requests/s")
                .arg(rb->p50us, 0, 'f', 1)
                .arg(rb->p99us, 0, 'f', 1)
                .arg(rb->rps, 0, 'f', 0));

    // --- cached lookups: throughput -----------------------------------------------------------
    // 200 response-sized entries (2 KiB) under one tag, filled once, then hit from N threads.
    const int keys = 200;
    const QByteArray value(2048, 'r');
    const QStringList tags{QStringLiteral("library:1")};
    auto lookupRun = [&](ResponseCache &rc, const QString &label, quint64 *computes) {
        for (int k = 0; k < keys; ++k)
            rc.getOrCompute(
                QStringLiteral("bench:listing:%1").arg(k), [&] { return value; }, tags);
        std::atomic<quint64> misses{0};
        quint64 failures = 0;
        const double perSecond = measureThroughput(
            threads, seconds,
            [&](int t, quint64 i) {
                const QString key = QStringLiteral("bench:listing:%1").arg(keyIndex(t, i, keys));
                const QByteArray v = rc.getOrCompute(
                    key,
                    [&] {
                        ++misses;
                        return value;
                    },
                    tags);
                return v.size() == value.size();
            },
            &failures);
        *computes = misses.load();
        const ResponseCacheStats s = rc.stats();
        say(QStringLiteral("%1, %2 threads, %3 s: %4 lookups/s (L1 hits %5, L2 hits %6, "
                           "coalesced %9, computed %7, wrong %8)")
                .arg(label)
                .arg(threads)
                .arg(seconds)
                .arg(perSecond, 0, 'f', 0)
                .arg(s.l1Hits)
                .arg(s.l2Hits)
                .arg(*computes)
                .arg(failures)
                .arg(s.coalesced));
        return perSecond;
    };
    quint64 computes = 0, computesL2 = 0;
    double lookups = 0, lookupsL2 = 0;
    {
        ResponseCache rc(&client);
        lookups =
            lookupRun(rc, QStringLiteral("ResponseCache::getOrCompute hits (L1 + L2)"), &computes);
    }
    {
        ResponseCacheOptions l2Only;
        l2Only.maxEntries = 0; // no in-process level: every hit is a Redis round trip
        ResponseCache rc(&client, nullptr, l2Only);
        lookupsL2 = lookupRun(rc, QStringLiteral("ResponseCache::getOrCompute hits (L2 only)"),
                              &computesL2);
    }
    quint64 getFailures = 0;
    const double rawGets = measureThroughput(
        threads, seconds,
        [&](int t, quint64 i) {
            const auto r = client.command(
                {"GET", "revenge:resp:bench:listing:" + QByteArray::number(keyIndex(t, i, keys))});
            return r && r->type == RedisReply::Type::String;
        },
        &getFailures);
    say(QStringLiteral(
            "RedisClient GET hits (reference), %1 threads, %2 s: %3 GETs/s (%4 not hits)")
            .arg(threads)
            .arg(seconds)
            .arg(rawGets, 0, 'f', 0)
            .arg(getFailures));

    // --- session validation, cache stopped ----------------------------------------------------
    cache.stop();
    store.validate(token); // notices (the connection is dead) and falls back
    const Latency down = measureValidation(store, token, userId, downValidations);
    say(QStringLiteral("session validation, cache stopped (PostgreSQL: one prepared SELECT ... "
                       "FROM shared.sessions JOIN shared.users), %1 calls: p50 %2 us, p99 %3 us, "
                       "mean %4 us, %5 failures (cache available: %6)")
            .arg(downValidations)
            .arg(down.p50, 0, 'f', 1)
            .arg(down.p99, 0, 'f', 1)
            .arg(down.mean, 0, 'f', 1)
            .arg(down.failures)
            .arg(client.isAvailable() ? QStringLiteral("yes") : QStringLiteral("no")));
    pg.stop();

    // --- summary ------------------------------------------------------------------------------
    const double ratio = rb && rb->p50us > 0 ? up.p50 / rb->p50us : 0;
    say(QString());
    say(QStringLiteral("target: session p99 < 500 us with the cache up: %1 (%2 us)")
            .arg(up.p99 < 500 ? QStringLiteral("met") : QStringLiteral("NOT met"))
            .arg(up.p99, 0, 'f', 1));
    if (rb)
        say(QStringLiteral("target: within 3x redis-benchmark GET: p50 %1x (%2 / %3 us)%4, "
                           "p99 %5x (%6 / %7 us)")
                .arg(ratio, 0, 'f', 2)
                .arg(up.p50, 0, 'f', 1)
                .arg(rb->p50us, 0, 'f', 1)
                .arg(ratio <= 3 ? QStringLiteral(" met") : QStringLiteral(" NOT met"))
                .arg(up.p99 / rb->p99us, 0, 'f', 2)
                .arg(up.p99, 0, 'f', 1)
                .arg(rb->p99us, 0, 'f', 1));
    QJsonObject result{
        {QStringLiteral("session_p50_us"), round2(up.p50)},
        {QStringLiteral("session_p99_us"), round2(up.p99)},
        {QStringLiteral("session_down_p50_us"), round2(down.p50)},
        {QStringLiteral("session_down_p99_us"), round2(down.p99)},
        {QStringLiteral("redis_get_p50_us"), rb ? round2(rb->p50us) : 0.0},
        {QStringLiteral("redis_get_p99_us"), rb ? round2(rb->p99us) : 0.0},
        {QStringLiteral("ratio"), round2(ratio)},
        {QStringLiteral("cached_lookups_per_s"), qRound64(lookups)},
        {QStringLiteral("cached_lookups_l2_only_per_s"), qRound64(lookupsL2)},
        {QStringLiteral("redis_client_gets_per_s"), qRound64(rawGets)},
        {QStringLiteral("lookup_threads"), threads},
        {QStringLiteral("validations"), validations},
        {QStringLiteral("failures"), up.failures + down.failures},
        {QStringLiteral("session_path"), QStringLiteral("SessionStore::validate")},
        {QStringLiteral("lookup_path"), QStringLiteral("ResponseCache::getOrCompute")},
        {QStringLiteral("cache"), cacheVersion}};
    say(QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)));
    return up.failures + down.failures == 0 ? 0 : 1;
}
