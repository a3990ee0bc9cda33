// revenge_test_jobprocess: one job executor in its own process, for the multi-process tests
// (tst_jobcluster). Not a test itself.
//
//   revenge_test_jobprocess --host H --port P --db NAME --user U --password PW
//                           [--queues default=4[,other=2]] [--client-id ID]
//                           [--periodic NAME:SECONDS]... [--fast]
//                           [--heartbeat-ms N] [--leader-ttl-ms N]
//
// Workers: "noop" (completes), "sleep" (args.ms, polls cancellation every 10 ms; cancelled:
// error "cancelled"), "record" (sleeps args.ms like "sleep", then inserts its job id into
// test_done(job_id, client) and completes).
//
// stdout protocol, one line each, flushed at once:
//   READY <clientId>     the executor has started
//   LEADER <0|1>         leadership changed
//   STOPPED              the executor stopped after SIGTERM/SIGINT (then exit code 0)
//   ERROR <message>      startup failed (then exit code 1)

#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobExecutor.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QThread>
#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Revenge;
using namespace std::chrono_literals;

namespace {

int g_signalFds[2] = {-1, -1};

void onSignal(int signal)
{
    const unsigned char byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] auto n = ::write(g_signalFds[0], &byte, 1);
}

void say(const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

// Sleeps `ms` in 10 ms steps; false when cancelled first.
bool sleepUnlessCancelled(JobContext &ctx, qint64 ms)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        if (ctx.isCancelled())
            return false;
        QThread::msleep(std::min<qint64>(10, std::max<qint64>(1, ms - timer.elapsed())));
    }
    return !ctx.isCancelled();
}

const char *kCreateDone =
    "CREATE TABLE IF NOT EXISTS test_done (job_id bigint PRIMARY KEY, client text NOT NULL)";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption host(QStringLiteral("host"),
                                  QStringLiteral("Server host or socket directory."),
                                  QStringLiteral("host"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Server port."),
                                  QStringLiteral("port"));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database name."),
                                QStringLiteral("name"));
    const QCommandLineOption user(QStringLiteral("user"), QStringLiteral("Role."),
                                  QStringLiteral("user"));
    const QCommandLineOption password(QStringLiteral("password"), QStringLiteral("Password."),
                                      QStringLiteral("password"));
    const QCommandLineOption queues(QStringLiteral("queues"),
                                    QStringLiteral("name=workers[,name=workers]"),
                                    QStringLiteral("spec"), QStringLiteral("default=4"));
    const QCommandLineOption clientId(QStringLiteral("client-id"),
                                      QStringLiteral("Executor client id."), QStringLiteral("id"));
    const QCommandLineOption periodic(QStringLiteral("periodic"),
                                      QStringLiteral("A periodic noop job NAME:SECONDS."),
                                      QStringLiteral("spec"));
    const QCommandLineOption fast(QStringLiteral("fast"),
                                  QStringLiteral("Short maintenance and lease intervals."));
    const QCommandLineOption heartbeat(QStringLiteral("heartbeat-ms"),
                                       QStringLiteral("Heartbeat/lease renewal interval."),
                                       QStringLiteral("ms"));
    const QCommandLineOption leaderTtl(QStringLiteral("leader-ttl-ms"),
                                       QStringLiteral("Leader lease TTL."), QStringLiteral("ms"));
    parser.addOptions(
        {host, port, db, user, password, queues, clientId, periodic, fast, heartbeat, leaderTtl});
    parser.process(app);

    ConnectionSettings settings;
    settings.host = parser.value(host);
    settings.port = quint16(parser.value(port).toUInt());
    settings.database = parser.value(db);
    settings.user = parser.value(user);
    settings.password = parser.value(password);
    settings.applicationName = QStringLiteral("revenge-test-jobprocess");

    ExecutorOptions options;
    options.queues.clear();
    int workers = 0;
    for (const QString &spec : parser.value(queues).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList parts = spec.split(QLatin1Char('='));
        const int n = parts.value(1, QStringLiteral("1")).toInt();
        options.queues.insert(parts.at(0), std::max(1, n));
        workers += std::max(1, n);
    }
    options.clientId = parser.value(clientId);
    if (parser.isSet(fast)) {
        options.heartbeatInterval = 200ms;
        options.leaderTtl = 1000ms;
        options.schedulerInterval = 100ms;
        options.rescueInterval = 200ms;
        options.clientTtl = 1000ms;
        options.pollInterval = 200ms;
    }
    if (parser.isSet(heartbeat))
        options.heartbeatInterval = std::chrono::milliseconds(parser.value(heartbeat).toInt());
    if (parser.isSet(leaderTtl))
        options.leaderTtl = std::chrono::milliseconds(parser.value(leaderTtl).toInt());

    // Workers, the control thread, maintenance and one spare.
    auto pool = std::make_shared<DatabasePool>(settings, workers + 4);
    {
        QString error;
        auto lease = pool->acquire(5000, &error);
        if (!lease || !DatabasePool::execScript(lease->db(), kCreateDone, &error)) {
            say(QStringLiteral("ERROR ") + error);
            return 1;
        }
    }

    JobExecutor executor(pool, options);
    executor.registerWorker(std::make_shared<FunctionWorker>(
        QStringLiteral("noop"), [](JobContext &) { return JobResult::complete(); }));
    executor.registerWorker(
        std::make_shared<FunctionWorker>(QStringLiteral("sleep"), [](JobContext &ctx) {
            if (!sleepUnlessCancelled(ctx, ctx.args().value(QStringLiteral("ms")).toInteger()))
                return JobResult::error(QStringLiteral("cancelled"));
            return JobResult::complete();
        }));
    const QString id = executor.clientId();
    executor.registerWorker(
        std::make_shared<FunctionWorker>(QStringLiteral("record"), [pool, id](JobContext &ctx) {
            if (!sleepUnlessCancelled(ctx, ctx.args().value(QStringLiteral("ms")).toInteger()))
                return JobResult::error(QStringLiteral("cancelled"));
            QString error;
            auto lease = pool->acquire(5000, &error);
            if (!lease)
                return JobResult::error(error);
            const PgResult r = pgExec(
                lease->db(),
                "INSERT INTO test_done (job_id, client) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                {QByteArray::number(ctx.job().id), id.toUtf8()});
            return r.ok() ? JobResult::complete() : JobResult::error(r.error());
        }));
    for (const QString &spec : parser.values(periodic)) {
        const QStringList parts = spec.split(QLatin1Char(':'));
        PeriodicJob job;
        job.name = parts.at(0);
        job.interval = std::chrono::seconds(parts.value(1, QStringLiteral("1")).toInt());
        job.kind = QStringLiteral("noop");
        executor.addPeriodicJob(job);
    }
    // Printed from the control thread as it happens (stdio is thread-safe), so a line is never
    // lost to a quitting event loop.
    QObject::connect(
        &executor, &JobExecutor::leadershipChanged, &app,
        [](bool leader) { say(QStringLiteral("LEADER %1").arg(leader ? 1 : 0)); },
        Qt::DirectConnection);

    // SIGTERM/SIGINT -> a byte on a socket pair -> graceful stop on the main thread.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalFds) != 0) {
        say(QStringLiteral("ERROR socketpair failed"));
        return 1;
    }
    QSocketNotifier notifier(g_signalFds[1], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        unsigned char byte = 0;
        [[maybe_unused]] auto n = ::read(g_signalFds[1], &byte, 1);
        notifier.setEnabled(false);
        executor.stop(10s);
        say(QStringLiteral("STOPPED"));
        app.quit();
    });
    struct sigaction sa
    {
    };
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);

    QString error;
    if (!executor.start(&error)) {
        say(QStringLiteral("ERROR ") + error);
        return 1;
    }
    say(QStringLiteral("READY ") + executor.clientId());
    const int rc = app.exec();
    executor.stop(10s);
    return rc;
}
