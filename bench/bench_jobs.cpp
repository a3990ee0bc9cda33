// Job queue benchmark: throughput (100k no-op jobs inserted in one batch, worked down by 10
// workers on one queue) and enqueue-to-start latency (200 single inserts with idle workers),
// then the same two measurements for graphile-worker (default and batched mode) on the same
// PostgreSQL server in the same run. Prints every row, the ratios, and one JSON line last.
//
//   bench_jobs [--jobs N] [--latency-jobs N] [--workers N] [--peer-dir DIR] [--no-peer]
//              [--async-commit]

#include "BenchSupport.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"
#include "services/PostgresService.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cstdio>

using namespace Revenge;
using namespace Revenge::Bench;
using namespace std::chrono_literals;

namespace {

bool prepare(QSqlDatabase &db)
{
    // The same preparation for every contender: fresh statistics, nothing dirty in the buffers.
    for (const char *sql : {"VACUUM ANALYZE", "CHECKPOINT"}) {
        const PgResult r = pgExec(db, sql);
        if (!r.ok()) {
            say(QStringLiteral("preparation failed (%1): %2").arg(QLatin1String(sql), r.error()));
            return false;
        }
    }
    return true;
}

struct Figures
{
    double insertsPerSecond = 0;
    double jobsPerSecond = 0;
    double p50 = 0;
    double p99 = 0;
};

// Starts and waits for the measurement of one mode of the peer; nullopt when it cannot run.
std::optional<Figures> runPeer(const QString &dir, const QString &url, const QString &mode,
                               int jobs, int latencyJobs, int workers)
{
    QProcess node;
    node.setWorkingDirectory(dir);
    node.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    node.start(QStringLiteral("node"),
               {QStringLiteral("bench.mjs"), QStringLiteral("--connection"), url,
                QStringLiteral("--mode"), mode, QStringLiteral("--jobs"), QString::number(jobs),
                QStringLiteral("--latency-jobs"), QString::number(latencyJobs),
                QStringLiteral("--concurrency"), QString::number(workers)});
    if (!node.waitForStarted(10000)) {
        say(QStringLiteral("graphile-worker (%1): cannot start node: %2")
                .arg(mode, node.errorString()));
        return std::nullopt;
    }
    node.waitForFinished(15 * 60 * 1000);
    const QStringList lines = QString::fromUtf8(node.readAllStandardOutput())
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines)
        say(QStringLiteral("  [graphile-worker %1] %2").arg(mode, line));
    if (node.exitCode() != 0 || lines.isEmpty()) {
        say(QStringLiteral("graphile-worker (%1) failed with exit code %2")
                .arg(mode)
                .arg(node.exitCode()));
        return std::nullopt;
    }
    const QJsonObject o = QJsonDocument::fromJson(lines.last().toUtf8()).object();
    return Figures{o.value(QStringLiteral("inserts_per_s")).toDouble(),
                   o.value(QStringLiteral("jobs_per_s")).toDouble(),
                   o.value(QStringLiteral("latency_p50_ms")).toDouble(),
                   o.value(QStringLiteral("latency_p99_ms")).toDouble()};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // Figures only: the library's own progress lines would drown them.
    QLoggingCategory::setFilterRules(QStringLiteral("revenge.*.debug=false\nrevenge.*.info=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption jobsOpt(QStringLiteral("jobs"),
                                     QStringLiteral("Jobs for the throughput run."),
                                     QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption latencyOpt(QStringLiteral("latency-jobs"),
                                        QStringLiteral("Single inserts for the latency run."),
                                        QStringLiteral("n"), QStringLiteral("200"));
    const QCommandLineOption workersOpt(QStringLiteral("workers"),
                                        QStringLiteral("Workers on the one queue."),
                                        QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption peerOpt(QStringLiteral("peer-dir"),
                                     QStringLiteral("Folder with the graphile-worker bench.mjs."),
                                     QStringLiteral("dir"));
    const QCommandLineOption noPeerOpt(QStringLiteral("no-peer"),
                                       QStringLiteral("Skip graphile-worker."));
    const QCommandLineOption syncOpt(
        QStringLiteral("async-commit"),
        QStringLiteral("Let the executor's writes skip the WAL flush "
                       "(ExecutorOptions::synchronousCommit = false)."));
    parser.addOptions({jobsOpt, latencyOpt, workersOpt, peerOpt, noPeerOpt, syncOpt});
    parser.process(app);
    const int jobCount = parser.value(jobsOpt).toInt();
    const int latencyJobs = parser.value(latencyOpt).toInt();
    const int workers = parser.value(workersOpt).toInt();

    // A private PostgreSQL 15 with default durability (fsync on), as a user would run it.
    const auto work = makeWorkDir(QStringLiteral("jobs"));
    QTemporaryDir &dir = *work;
    BenchPostgres db(dir.path());
    if (!db.start())
        return 1;
    PostgresService &pg = db.service();
    ConnectionSettings settings = pg.connectionSettings();
    {
        // CHECKPOINT needs pg_checkpoint (PostgreSQL 15); both contenders use this role.
        DatabasePool su(pg.superuserSettings(), 1);
        auto lease = su.acquire();
        pgExec(lease->db(), QByteArray("GRANT pg_checkpoint TO ") + settings.user.toUtf8());
        const PgResult v = pgExec(
            lease->db(), "SELECT current_setting('server_version'), current_setting('fsync'), "
                         "current_setting('synchronous_commit')");
        say(QStringLiteral("PostgreSQL %1 (fsync=%2, synchronous_commit=%3) on %4 cores")
                .arg(v.text(0, 0), v.text(0, 1), v.text(0, 2))
                .arg(QThread::idealThreadCount()));
    }
    const auto pool = db.migratedPool();
    if (!pool)
        return 1;
    JobClient client(pool);

    // --- throughput ---------------------------------------------------------------------------
    Figures ours;
    {
        auto lease = pool->acquire();
        if (!prepare(lease->db()))
            return 1;
    }
    QList<InsertParams> batch;
    batch.reserve(jobCount);
    for (int i = 0; i < jobCount; ++i)
        batch.append({QStringLiteral("noop"), {}, {}});
    QElapsedTimer t;
    t.start();
    QString error;
    if (!client.insertMany(batch, &error)) {
        say(QStringLiteral("insert failed: ") + error);
        return 1;
    }
    ours.insertsPerSecond = jobCount / (t.nsecsElapsed() / 1e9);
    say(QStringLiteral("revenge: inserted %1 jobs in one batch in %2 s: %3 inserts/s")
            .arg(jobCount)
            .arg(t.nsecsElapsed() / 1e9, 0, 'f', 3)
            .arg(ours.insertsPerSecond, 0, 'f', 0));

    ExecutorOptions options;
    options.queues = {{QStringLiteral("default"), workers}};
    options.maxWorkers = workers;
    options.maintenance = false;                        // measure the work path alone
    options.synchronousCommit = !parser.isSet(syncOpt); // the default: durable
    {
        auto lease = pool->acquire();
        if (!prepare(lease->db()))
            return 1;
    }
    JobExecutor executor(pool, options);
    executor.registerWorker(std::make_shared<FunctionWorker>(
        QStringLiteral("noop"), [](JobContext &) { return JobResult::complete(); }));
    QElapsedTimer steady;
    steady.start();
    QMutex startedMutex;
    QHash<int, qint64> startedAt; // latency run: sequence -> ns since `steady` started
    executor.registerWorker(
        std::make_shared<FunctionWorker>(QStringLiteral("probe"), [&](JobContext &ctx) {
            const qint64 now = steady.nsecsElapsed();
            QMutexLocker lock(&startedMutex);
            startedAt.insert(ctx.args().value(QStringLiteral("seq")).toInt(), now);
            return JobResult::complete();
        }));
    t.restart();
    if (!executor.start(&error)) {
        say(QStringLiteral("executor: ") + error);
        return 1;
    }
    // Done means written back: wait for the workers (in-process count, cheap), then for the rows
    // to say completed (one count at the end: polling a count of 100k rows would load the server).
    qint64 lastDone = 0;
    QElapsedTimer tick;
    tick.start();
    while (executor.stats().completedTotal < jobCount) {
        QThread::msleep(20);
        if (tick.elapsed() >= 2000) {
            const qint64 now = executor.stats().completedTotal;
            say(QStringLiteral("  ... %1 done, %2 jobs/s")
                    .arg(now)
                    .arg((now - lastDone) * 1000.0 / tick.elapsed(), 0, 'f', 0));
            lastDone = now;
            tick.restart();
        }
        if (t.elapsed() > 15 * 60 * 1000) {
            say(QStringLiteral("gave up after 15 minutes with %1 done")
                    .arg(executor.stats().completedTotal));
            return 1;
        }
    }
    for (;;) {
        auto lease = pool->acquire();
        const PgResult r =
            pgExec(lease->db(), "SELECT count(*) FROM jobs.job WHERE state = 'completed'");
        if (r.toInt(0, 0) >= jobCount)
            break;
        QThread::msleep(5);
    }
    ours.jobsPerSecond = jobCount / (t.nsecsElapsed() / 1e9);
    say(QStringLiteral("revenge: worked %1 jobs with %2 workers on one queue in %3 s: %4 jobs/s")
            .arg(jobCount)
            .arg(workers)
            .arg(t.nsecsElapsed() / 1e9, 0, 'f', 3)
            .arg(ours.jobsPerSecond, 0, 'f', 0));

    // --- latency ------------------------------------------------------------------------------
    QThread::msleep(1500); // let the executor go idle
    QHash<int, qint64> insertedAt;
    for (int i = 0; i < latencyJobs; ++i) {
        const qint64 before = steady.nsecsElapsed();
        if (!client.insert(QStringLiteral("probe"), {{QStringLiteral("seq"), i}}, {}, &error)) {
            say(QStringLiteral("insert failed: ") + error);
            return 1;
        }
        insertedAt.insert(i, before);
        QThread::msleep(15); // one at a time: each insert meets idle workers
    }
    QThread::msleep(1000);
    QList<double> latencies;
    {
        QMutexLocker lock(&startedMutex);
        for (auto it = insertedAt.begin(); it != insertedAt.end(); ++it)
            if (startedAt.contains(it.key()))
                latencies << (startedAt.value(it.key()) - it.value()) / 1e6;
    }
    executor.stop(5s);
    if (latencies.size() != latencyJobs)
        say(QStringLiteral("warning: only %1 of %2 probe jobs started")
                .arg(latencies.size())
                .arg(latencyJobs));
    ours.p50 = percentile(latencies, 0.5);
    ours.p99 = percentile(latencies, 0.99);
    say(QStringLiteral("revenge: enqueue-to-start over %1 single inserts: p50 %2 ms, p99 %3 ms")
            .arg(latencies.size())
            .arg(ours.p50, 0, 'f', 2)
            .arg(ours.p99, 0, 'f', 2));

    // --- the peer -----------------------------------------------------------------------------
    std::optional<Figures> peer, peerBatched;
    if (!parser.isSet(noPeerOpt) && parser.isSet(peerOpt)) {
        {
            auto lease = pool->acquire();
            pgExec(lease->db(), "TRUNCATE jobs.job");
        }
        const QString url = QStringLiteral("postgres://%1:%2@%3:%4/%5")
                                .arg(settings.user, settings.password, settings.host)
                                .arg(settings.port)
                                .arg(settings.database);
        peer = runPeer(parser.value(peerOpt), url, QStringLiteral("default"), jobCount, latencyJobs,
                       workers);
        peerBatched = runPeer(parser.value(peerOpt), url, QStringLiteral("batched"), jobCount,
                              latencyJobs, workers);
    }
    pg.stop();

    auto row = [](const QString &who, const Figures &f) {
        say(QStringLiteral("%1 %2 %3 %4 %5")
                .arg(who, -34)
                .arg(f.insertsPerSecond, 12, 'f', 0)
                .arg(f.jobsPerSecond, 10, 'f', 0)
                .arg(f.p50, 8, 'f', 2)
                .arg(f.p99, 8, 'f', 2));
    };
    say(QString());
    say(QStringLiteral("%1 %2 %3 %4 %5")
            .arg(QStringLiteral("contender"), -34)
            .arg(QStringLiteral("inserts/s"), 12)
            .arg(QStringLiteral("jobs/s"), 10)
            .arg(QStringLiteral("p50 ms"), 8)
            .arg(QStringLiteral("p99 ms"), 8));
    row(QStringLiteral("revenge"), ours);
    if (peer)
        row(QStringLiteral("graphile-worker 0.18 (default)"), *peer);
    if (peerBatched)
        row(QStringLiteral("graphile-worker 0.18 (batched)"), *peerBatched);
    QJsonObject result{{QStringLiteral("inserts_per_s"), qRound(ours.insertsPerSecond)},
                       {QStringLiteral("jobs_per_s"), qRound(ours.jobsPerSecond)},
                       {QStringLiteral("latency_p50_ms"), qRound(ours.p50 * 100) / 100.0},
                       {QStringLiteral("latency_p99_ms"), qRound(ours.p99 * 100) / 100.0},
                       {QStringLiteral("jobs"), jobCount},
                       {QStringLiteral("workers"), workers}};
    if (peer) {
        result.insert(QStringLiteral("peer_jobs_per_s"), qRound(peer->jobsPerSecond));
        result.insert(QStringLiteral("peer_inserts_per_s"), qRound(peer->insertsPerSecond));
        result.insert(QStringLiteral("peer_latency_p50_ms"), qRound(peer->p50 * 100) / 100.0);
        result.insert(QStringLiteral("ratio"),
                      qRound(ours.jobsPerSecond / peer->jobsPerSecond * 100) / 100.0);
        say(QStringLiteral("ratio (ours / graphile default): %1x jobs/s")
                .arg(ours.jobsPerSecond / peer->jobsPerSecond, 0, 'f', 2));
    }
    if (peerBatched) {
        result.insert(QStringLiteral("peer_batched_jobs_per_s"),
                      qRound(peerBatched->jobsPerSecond));
        result.insert(QStringLiteral("peer_batched_latency_p50_ms"),
                      qRound(peerBatched->p50 * 100) / 100.0);
        result.insert(QStringLiteral("ratio_batched"),
                      qRound(ours.jobsPerSecond / peerBatched->jobsPerSecond * 100) / 100.0);
        say(QStringLiteral("ratio (ours / graphile batched): %1x jobs/s")
                .arg(ours.jobsPerSecond / peerBatched->jobsPerSecond, 0, 'f', 2));
    }
    say(QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)));
    return 0;
}
