#include "JobTestSupport.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"
#include "jobs/Maintenance.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QSignalSpy>
#include <QtTest>
#include <stdexcept>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// Re-emits the executor's signals (sent from its control and worker threads) on the test
// thread, where a QSignalSpy can safely record them.
class Relay : public QObject
{
    Q_OBJECT
public:
    explicit Relay(JobExecutor &executor)
    {
        connect(&executor, &JobExecutor::jobStateChanged, this, &Relay::jobStateChanged,
                Qt::QueuedConnection);
        connect(&executor, &JobExecutor::jobProgress, this, &Relay::jobProgress,
                Qt::QueuedConnection);
    }
    // The states one job went through, in order.
    static QList<JobState> statesOf(const QSignalSpy &spy, qint64 id)
    {
        QList<JobState> out;
        for (const QList<QVariant> &args : spy)
            if (args.at(0).toLongLong() == id)
                out << args.at(3).value<JobState>();
        return out;
    }
Q_SIGNALS:
    void jobStateChanged(qint64 id, const QString &kind, const QString &queue,
                         Revenge::JobState state);
    void jobProgress(const Revenge::JobProgress &progress);
};

// The executor against a real PostgreSQL: every state transition (complete, error/retry with
// backoff, discard, snooze, cancel, exceptions, missing workers, timeouts), priorities, remote
// cancellation, pause/resume, signals and stats, the global worker limit, graceful and hard
// shutdown; and the leader's maintenance services called directly.
class TestJobExecutor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void runsAJobToCompletion();
    void errorIsRetriedWithBackoff();
    void errorAtMaxAttemptsIsDiscarded();
    void snoozeReschedulesWithoutAnAttempt();
    void snoozeZeroMakesItAvailableAtOnce();
    void workerCancelAndDiscardAreFinal();
    void exceptionIsAnError();
    void missingWorkerIsRetryable();
    void higherPriorityRunsFirst();
    void scheduledJobRunsWhenDue();
    void timeoutCancelsAndRetries();
    void cancelRunningJobThroughClient();
    void pausedQueueHoldsJobsUntilResumed();
    void progressSignalsAndStats();
    void globalWorkerLimit();
    void gracefulStopFinishesRunningJobs();
    void hardStopReturnsJobsToAvailable();
    void stopWithAWorkerThatIgnoresCancellation();
    void workerReturningAfterTheExecutorIsGone();
    void cleanerDeletesOnlyOldFinalizedJobs();
    void rescuerRetriesJobsOfDeadExecutors();
    void periodicIntervalJobOncePerBucket();
    void periodicCronJob();

private:
    std::optional<Job> waitForState(qint64 id, JobState state, int timeoutMs = 10000);
    ExecutorOptions fastOptions() const;
    qint64 insert(const QString &kind, const QJsonObject &args = {},
                  const InsertOptions &options = {});
    bool sql(const QString &statement);
    qint64 scalar(const QString &query);

    TestPostgres m_pg;
    ConnectionSettings m_settings;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<JobClient> m_client;
};

namespace {

std::shared_ptr<FunctionWorker> worker(const QString &kind, FunctionWorker::Function f,
                                       std::chrono::milliseconds timeout = 1min)
{
    return std::make_shared<FunctionWorker>(kind, std::move(f), timeout);
}

// Polls the token like a well-behaved worker; false when the safety limit ran out first.
bool waitForCancel(JobContext &ctx, int limitMs = 20000)
{
    QElapsedTimer t;
    t.start();
    while (!ctx.isCancelled()) {
        if (t.elapsed() > limitMs)
            return false;
        QThread::msleep(5);
    }
    return true;
}

QString lastError(const Job &job)
{
    return job.errors.last().toObject().value(QStringLiteral("error")).toString();
}

} // namespace

void TestJobExecutor::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_settings = m_pg.createDatabase(QStringLiteral("jobs"));
    m_pool = std::make_shared<DatabasePool>(m_settings, 16);
    auto lease = m_pool->acquire();
    QVERIFY(lease);
    QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    m_client = std::make_unique<JobClient>(m_pool);
}

void TestJobExecutor::init()
{
    // Each test starts from empty job tables; every executor of a test is stopped when it ends.
    QVERIFY(sql(QStringLiteral(
        "TRUNCATE jobs.job, jobs.queue, jobs.leader, jobs.client RESTART IDENTITY")));
}

ExecutorOptions TestJobExecutor::fastOptions() const
{
    ExecutorOptions o;
    o.queues = {{QStringLiteral("default"), 4}};
    o.schedulerInterval = 100ms;
    o.heartbeatInterval = 200ms;
    o.leaderTtl = 1000ms;
    o.pollInterval = 200ms;
    return o;
}

qint64 TestJobExecutor::insert(const QString &kind, const QJsonObject &args,
                               const InsertOptions &options)
{
    QString error;
    const auto r = m_client->insert(kind, args, options, &error);
    if (!r) {
        qWarning().noquote() << "insert failed:" << error;
        return 0;
    }
    return r->job.id;
}

bool TestJobExecutor::sql(const QString &statement)
{
    auto lease = m_pool->acquire();
    QString error;
    if (DatabasePool::execScript(lease->db(), statement.toUtf8(), &error))
        return true;
    qWarning().noquote() << statement << "->" << error;
    return false;
}

qint64 TestJobExecutor::scalar(const QString &query)
{
    return queryScalar(*m_pool, query);
}

std::optional<Job> TestJobExecutor::waitForState(qint64 id, JobState state, int timeoutMs)
{
    return waitForJobState(*m_client, id, state, timeoutMs);
}

void TestJobExecutor::runsAJobToCompletion()
{
    std::atomic<int> runs{0};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(
        std::make_shared<FunctionWorker>(QStringLiteral("hello"), [&](JobContext &ctx) {
            ++runs;
            ctx.reportProgress(QStringLiteral("greeting"), 1, 1);
            return ctx.args().value(QStringLiteral("fail")).toBool()
                       ? JobResult::error(QStringLiteral("asked to fail"))
                       : JobResult::complete();
        }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const auto inserted = m_client->insert(
        QStringLiteral("hello"), {{QStringLiteral("name"), QStringLiteral("world")}}, {}, &error);
    QVERIFY2(inserted, qPrintable(error));
    const auto done = waitForState(inserted->job.id, JobState::Completed);
    QVERIFY(done);
    QCOMPARE(done->attempt, 1);
    QVERIFY(done->finalizedAt.isValid());
    QVERIFY(done->attemptedAt.isValid());
    QVERIFY(done->errors.isEmpty());
    QCOMPARE(done->attemptedBy, QStringList{executor.clientId()});
    QCOMPARE(runs.load(), 1);

    const auto failing =
        m_client->insert(QStringLiteral("hello"), {{QStringLiteral("fail"), true}}, {}, &error);
    const auto retryable = waitForState(failing->job.id, JobState::Retryable);
    QVERIFY(retryable);
    QCOMPARE(retryable->errors.size(), 1);
    QCOMPARE(lastError(*retryable), QStringLiteral("asked to fail"));
    executor.stop();
}

void TestJobExecutor::errorIsRetriedWithBackoff()
{
    std::atomic<int> runs{0};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("flaky"), [&](JobContext &ctx) {
        ++runs;
        return ctx.attempt() == 1 ? JobResult::error(QStringLiteral("boom"))
                                  : JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("flaky"));
    QVERIFY(id);

    // available -> running -> retryable, the error recorded, due again after 1^4 s +-10%.
    const auto retryable = waitForState(id, JobState::Retryable);
    QVERIFY(retryable);
    QCOMPARE(retryable->attempt, 1);
    QVERIFY(!retryable->finalizedAt.isValid());
    QCOMPARE(retryable->errors.size(), 1);
    const QJsonObject e = retryable->errors.at(0).toObject();
    QCOMPARE(e.value(QStringLiteral("error")).toString(), QStringLiteral("boom"));
    QCOMPARE(e.value(QStringLiteral("attempt")).toInt(), 1);
    QVERIFY(!e.value(QStringLiteral("at")).toString().isEmpty());
    const qint64 delay = retryable->attemptedAt.msecsTo(retryable->scheduledAt);
    QVERIFY2(delay >= 800 && delay <= 1300,
             qPrintable(QStringLiteral("retry delay %1 ms").arg(delay)));

    // The scheduler makes it available when due; it runs again as attempt 2.
    const auto done = waitForState(id, JobState::Completed);
    QVERIFY(done);
    QCOMPARE(done->attempt, 2);
    QCOMPARE(done->errors.size(), 1);
    QCOMPARE(done->attemptedBy, (QStringList{executor.clientId(), executor.clientId()}));
    QCOMPARE(runs.load(), 2);
    // It did not run before it was due.
    QVERIFY(done->attemptedAt >= retryable->scheduledAt.addMSecs(-50));
}

void TestJobExecutor::errorAtMaxAttemptsIsDiscarded()
{
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("doomed"), [](JobContext &ctx) {
        return JobResult::error(QStringLiteral("failure %1").arg(ctx.attempt()));
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    InsertOptions o;
    o.maxAttempts = 2;
    const qint64 id = insert(QStringLiteral("doomed"), {}, o);
    QVERIFY(waitForState(id, JobState::Retryable));
    const auto discarded = waitForState(id, JobState::Discarded);
    QVERIFY(discarded);
    QCOMPARE(discarded->attempt, 2);
    QVERIFY(discarded->finalizedAt.isValid());
    QCOMPARE(discarded->errors.size(), 2);
    QCOMPARE(lastError(*discarded), QStringLiteral("failure 2"));

    o.maxAttempts = 1;
    const qint64 once = insert(QStringLiteral("doomed"), {}, o);
    const auto direct = waitForState(once, JobState::Discarded);
    QVERIFY(direct);
    QCOMPARE(direct->errors.size(), 1);
}

void TestJobExecutor::snoozeReschedulesWithoutAnAttempt()
{
    std::atomic<int> runs{0};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("sleepy"), [&](JobContext &) {
        return ++runs == 1 ? JobResult::snoozeFor(300ms) : JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("sleepy"));
    const auto scheduled = waitForState(id, JobState::Scheduled, 5000);
    QVERIFY(scheduled);
    QCOMPARE(scheduled->attempt, 0); // a snooze is not an attempt
    QVERIFY(scheduled->errors.isEmpty());
    const qint64 delay = scheduled->attemptedAt.msecsTo(scheduled->scheduledAt);
    QVERIFY2(delay >= 250 && delay <= 1000,
             qPrintable(QStringLiteral("snoozed for %1 ms").arg(delay)));

    const auto done = waitForState(id, JobState::Completed);
    QVERIFY(done);
    QCOMPARE(done->attempt, 1);
    QVERIFY(done->errors.isEmpty());
    QCOMPARE(runs.load(), 2);
}

void TestJobExecutor::snoozeZeroMakesItAvailableAtOnce()
{
    std::atomic<int> runs{0};
    JobExecutor executor(m_pool, fastOptions());
    Relay relay(executor);
    QSignalSpy states(&relay, &Relay::jobStateChanged);
    executor.registerWorker(worker(QStringLiteral("again"), [&](JobContext &) {
        return ++runs == 1 ? JobResult::snoozeFor(0ms) : JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("again"));
    const auto done = waitForState(id, JobState::Completed);
    QVERIFY(done);
    QCOMPARE(done->attempt, 1);
    QCOMPARE(runs.load(), 2);
    QVERIFY(waitUntil([&] { return Relay::statesOf(states, id).size() >= 4; }, 2000));
    QCOMPARE(Relay::statesOf(states, id),
             (QList<JobState>{JobState::Running, JobState::Available, JobState::Running,
                              JobState::Completed}));
}

void TestJobExecutor::workerCancelAndDiscardAreFinal()
{
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("quit"), [](JobContext &) {
        return JobResult::cancel(QStringLiteral("not needed"));
    }));
    executor.registerWorker(worker(QStringLiteral("drop"), [](JobContext &) {
        return JobResult::discard(QStringLiteral("bad input"));
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 quit = insert(QStringLiteral("quit"));
    const qint64 drop = insert(QStringLiteral("drop"));
    const auto cancelled = waitForState(quit, JobState::Cancelled);
    QVERIFY(cancelled);
    QVERIFY(cancelled->finalizedAt.isValid());
    QCOMPARE(cancelled->attempt, 1);
    QCOMPARE(lastError(*cancelled), QStringLiteral("not needed"));
    const auto discarded = waitForState(drop, JobState::Discarded);
    QVERIFY(discarded);
    QVERIFY(discarded->finalizedAt.isValid());
    QCOMPARE(discarded->attempt, 1); // discarded at once, attempts left or not
    QCOMPARE(discarded->maxAttempts, 25);
    QCOMPARE(lastError(*discarded), QStringLiteral("bad input"));
}

void TestJobExecutor::exceptionIsAnError()
{
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("throws"), [](JobContext &ctx) -> JobResult {
        if (ctx.args().value(QStringLiteral("std")).toBool())
            throw std::runtime_error("kaboom");
        throw 42;
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 a = insert(QStringLiteral("throws"), {{QStringLiteral("std"), true}});
    const qint64 b = insert(QStringLiteral("throws"), {{QStringLiteral("std"), false}});
    const auto ra = waitForState(a, JobState::Retryable);
    QVERIFY(ra);
    QCOMPARE(lastError(*ra), QStringLiteral("exception: kaboom"));
    QCOMPARE(ra->attempt, 1);
    const auto rb = waitForState(b, JobState::Retryable);
    QVERIFY(rb);
    QCOMPARE(lastError(*rb), QStringLiteral("unknown exception"));
    QVERIFY(executor.isRunning()); // the executor survives its workers' exceptions
}

void TestJobExecutor::missingWorkerIsRetryable()
{
    JobExecutor executor(m_pool, fastOptions());
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("nobody"));
    const auto r = waitForState(id, JobState::Retryable);
    QVERIFY(r);
    QCOMPARE(r->attempt, 1);
    QVERIFY2(lastError(*r).contains(QStringLiteral("no worker for kind 'nobody'")),
             qPrintable(lastError(*r)));
    QVERIFY(r->scheduledAt >
            QDateTime::currentDateTimeUtc().addMSecs(-500)); // backed off, not hot-looping

    InsertOptions once;
    once.maxAttempts = 1;
    const qint64 last = insert(QStringLiteral("nobody"), {}, once);
    const auto d = waitForState(last, JobState::Discarded);
    QVERIFY(d);
    QVERIFY(d->finalizedAt.isValid());
}

void TestJobExecutor::higherPriorityRunsFirst()
{
    // Queued before the executor starts; one worker takes them one at a time.
    QList<InsertParams> batch;
    const QList<int> priorities{4, 4, 2, 4, 1, 3, 1, 2, 4, 1};
    for (int i = 0; i < priorities.size(); ++i) {
        InsertParams p{QStringLiteral("ordered"), {{QStringLiteral("n"), i}}, {}};
        p.options.priority = priorities.at(i);
        batch << p;
    }
    QString error;
    QVERIFY2(m_client->insertMany(batch, &error), qPrintable(error));

    QMutex mutex;
    QList<int> order;
    ExecutorOptions o = fastOptions();
    o.queues = {{QStringLiteral("default"), 1}};
    JobExecutor executor(m_pool, o);
    executor.registerWorker(worker(QStringLiteral("ordered"), [&](JobContext &ctx) {
        QMutexLocker lock(&mutex);
        order << ctx.args().value(QStringLiteral("n")).toInt();
        return JobResult::complete();
    }));
    QVERIFY2(executor.start(&error), qPrintable(error));
    QVERIFY(waitUntil(
        [&] {
            return scalar(QStringLiteral(
                       "SELECT count(*) FROM jobs.job WHERE state = 'completed'")) == 10;
        },
        10000));
    QMutexLocker lock(&mutex);
    // Priority first, then (same scheduled_at) insertion order.
    QCOMPARE(order, (QList<int>{4, 6, 9, 2, 7, 5, 0, 1, 3, 8}));
}

void TestJobExecutor::scheduledJobRunsWhenDue()
{
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(
        worker(QStringLiteral("later"), [](JobContext &) { return JobResult::complete(); }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    InsertOptions o;
    o.scheduledAt = QDateTime::currentDateTimeUtc().addMSecs(600);
    const qint64 id = insert(QStringLiteral("later"), {}, o);
    QCOMPARE(m_client->get(id)->state, JobState::Scheduled);
    const auto done = waitForState(id, JobState::Completed);
    QVERIFY(done);
    QCOMPARE(done->attempt, 1);
    QVERIFY(done->attemptedAt >= o.scheduledAt.addMSecs(-50)); // not before it was due
}

void TestJobExecutor::timeoutCancelsAndRetries()
{
    std::atomic<int> reason{-1};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(
        QStringLiteral("slow"),
        [&](JobContext &ctx) {
            waitForCancel(ctx);
            reason = int(ctx.cancelReason());
            return JobResult::error(QStringLiteral("stopped"));
        },
        200ms));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("slow"));
    const auto r = waitForState(id, JobState::Retryable);
    QVERIFY(r);
    QCOMPARE(reason.load(), int(CancellationToken::Reason::Timeout));
    QVERIFY2(lastError(*r).contains(QStringLiteral("timed out")), qPrintable(lastError(*r)));
    QVERIFY2(lastError(*r).contains(QStringLiteral("stopped")), qPrintable(lastError(*r)));
    QCOMPARE(r->attempt, 1);
    executor.stop();

    // A worker without a timeout of its own gets the executor's default.
    reason = -1;
    ExecutorOptions o = fastOptions();
    o.defaultTimeout = 200ms;
    JobExecutor second(m_pool, o);
    second.registerWorker(worker(
        QStringLiteral("slow"),
        [&](JobContext &ctx) {
            waitForCancel(ctx);
            reason = int(ctx.cancelReason());
            return JobResult::error(QStringLiteral("stopped"));
        },
        0ms));
    QVERIFY2(second.start(&error), qPrintable(error));
    const qint64 other = insert(QStringLiteral("slow"));
    const auto r2 = waitForState(other, JobState::Retryable);
    QVERIFY(r2);
    QCOMPARE(reason.load(), int(CancellationToken::Reason::Timeout));
    QVERIFY2(lastError(*r2).contains(QStringLiteral("timed out after 200 ms")),
             qPrintable(lastError(*r2)));
}

void TestJobExecutor::cancelRunningJobThroughClient()
{
    std::atomic<bool> started{false};
    std::atomic<bool> sawCancel{false};
    std::atomic<int> reason{-1};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("long"), [&](JobContext &ctx) {
        started = true;
        sawCancel = waitForCancel(ctx);
        reason = int(ctx.cancelReason());
        return sawCancel ? JobResult::error(QStringLiteral("cancelled")) : JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("long"));
    QVERIFY(waitUntil([&] { return started.load(); }, 10000));
    QVERIFY(waitForState(id, JobState::Running));

    // Another client on its own connection, as the CLI or another process would be.
    auto otherPool = std::make_shared<DatabasePool>(m_settings, 2);
    JobClient other(otherPool);
    const auto now = other.cancel(id, &error);
    QVERIFY2(now, qPrintable(error));
    QCOMPARE(now->state, JobState::Running); // it ends when its worker returns
    QVERIFY(now->metadata.contains(QStringLiteral("cancel_attempted_at")));

    const auto cancelled = waitForState(id, JobState::Cancelled, 10000);
    QVERIFY(cancelled);
    QVERIFY(sawCancel.load());
    QCOMPARE(reason.load(), int(CancellationToken::Reason::Remote));
    QVERIFY(cancelled->finalizedAt.isValid());
    QCOMPARE(lastError(*cancelled), QStringLiteral("cancelled"));
}

void TestJobExecutor::pausedQueueHoldsJobsUntilResumed()
{
    std::atomic<int> runs{0};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("noop"), [&](JobContext &) {
        ++runs;
        return JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    QVERIFY2(m_client->pauseQueue(QStringLiteral("default"), &error), qPrintable(error));
    QVERIFY(waitUntil(
        [&] { return executor.stats().queues.value(QStringLiteral("default")).paused; }, 5000));

    QList<qint64> ids;
    for (int i = 0; i < 3; ++i)
        ids << insert(QStringLiteral("noop"));
    // Notifications and several poll ticks pass: nothing is fetched.
    QTest::qWait(700);
    QCOMPARE(runs.load(), 0);
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs.job WHERE state = 'available'")), 3);

    QVERIFY2(m_client->resumeQueue(QStringLiteral("default"), &error), qPrintable(error));
    for (qint64 id : ids)
        QVERIFY(waitForState(id, JobState::Completed));
    QCOMPARE(runs.load(), 3);
    QVERIFY(!executor.stats().queues.value(QStringLiteral("default")).paused);
    executor.stop();

    // A queue paused while no executor runs stays paused when one starts.
    QVERIFY(m_client->pauseQueue(QStringLiteral("default"), &error));
    const qint64 held = insert(QStringLiteral("noop"));
    JobExecutor second(m_pool, fastOptions());
    second.registerWorker(worker(QStringLiteral("noop"), [&](JobContext &) {
        ++runs;
        return JobResult::complete();
    }));
    QVERIFY2(second.start(&error), qPrintable(error));
    QVERIFY(second.stats().queues.value(QStringLiteral("default")).paused);
    QTest::qWait(400);
    QCOMPARE(m_client->get(held)->state, JobState::Available);
    QVERIFY(m_client->resumeQueue(QStringLiteral("default"), &error));
    QVERIFY(waitForState(held, JobState::Completed));
}

void TestJobExecutor::progressSignalsAndStats()
{
    std::atomic<bool> release{false};
    JobExecutor executor(m_pool, fastOptions());
    Relay relay(executor);
    QSignalSpy progress(&relay, &Relay::jobProgress);
    QSignalSpy states(&relay, &Relay::jobStateChanged);
    executor.registerWorker(worker(QStringLiteral("report"), [&](JobContext &ctx) {
        ctx.reportProgress(QStringLiteral("scan"), 1, 3, QStringLiteral("first"));
        QElapsedTimer t;
        t.start();
        while (!release && !ctx.isCancelled() && t.elapsed() < 20000)
            QThread::msleep(5);
        ctx.reportProgress(QStringLiteral("scan"), 3, 3, QStringLiteral("done"));
        return JobResult::complete();
    }));
    executor.registerWorker(
        worker(QStringLiteral("noop"), [](JobContext &) { return JobResult::complete(); }));
    executor.registerWorker(worker(QStringLiteral("chatty"), [](JobContext &ctx) {
        for (int i = 1; i <= 500; ++i)
            ctx.reportProgress(QStringLiteral("count"), i, 500);
        return JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("report"), {}, {});

    // While it runs, stats() lists it with its latest progress.
    auto runningInfo = [&]() -> std::optional<RunningJobInfo> {
        for (const RunningJobInfo &r : executor.stats().running)
            if (r.id == id)
                return r;
        return std::nullopt;
    };
    QVERIFY(waitUntil(
        [&] { return runningInfo() && runningInfo()->progress.phase == QStringLiteral("scan"); },
        10000));
    const RunningJobInfo info = *runningInfo();
    QCOMPARE(info.kind, QStringLiteral("report"));
    QCOMPARE(info.queue, QStringLiteral("default"));
    QCOMPARE(info.attempt, 1);
    QVERIFY(info.startedAt.isValid());
    QCOMPARE(info.progress.current, 1);
    QCOMPARE(info.progress.total, 3);
    QCOMPARE(info.progress.message, QStringLiteral("first"));
    QCOMPARE(executor.stats().queues.value(QStringLiteral("default")).running, 1);
    QVERIFY(executor.stats().started);
    QVERIFY(executor.stats().leader); // the only executor holds the lease
    QCOMPARE(executor.stats().clientId, executor.clientId());

    release = true;
    QVERIFY(waitForState(id, JobState::Completed));
    QVERIFY(waitUntil([&] { return progress.size() >= 2; }, 2000));
    const auto first = progress.first().at(0).value<JobProgress>();
    QCOMPARE(first.jobId, id);
    QCOMPARE(first.kind, QStringLiteral("report"));
    QCOMPARE(first.phase, QStringLiteral("scan"));
    QCOMPARE(first.current, 1);
    const auto last = progress.last().at(0).value<JobProgress>();
    QCOMPARE(last.current, 3);
    QCOMPARE(last.total, 3);
    QCOMPARE(last.message, QStringLiteral("done"));

    QVERIFY(waitUntil([&] { return Relay::statesOf(states, id).size() >= 2; }, 2000));
    QCOMPARE(Relay::statesOf(states, id),
             (QList<JobState>{JobState::Running, JobState::Completed}));
    // The state signal carries kind and queue.
    for (const QList<QVariant> &args : states) {
        if (args.at(0).toLongLong() == id) {
            QCOMPARE(args.at(1).toString(), QStringLiteral("report"));
            QCOMPARE(args.at(2).toString(), QStringLiteral("default"));
        }
    }

    // A chatty worker is throttled (at most ten updates a second reach listeners), but its final
    // update always arrives.
    const qint64 chatty = insert(QStringLiteral("chatty"));
    QVERIFY(waitForState(chatty, JobState::Completed));
    QList<JobProgress> chattyUpdates;
    QVERIFY(waitUntil(
        [&] {
            chattyUpdates.clear();
            for (const QList<QVariant> &args : progress)
                if (args.at(0).value<JobProgress>().jobId == chatty)
                    chattyUpdates << args.at(0).value<JobProgress>();
            return !chattyUpdates.isEmpty() && chattyUpdates.last().current == 500;
        },
        2000));
    QVERIFY2(chattyUpdates.size() <= 20, qPrintable(QString::number(chattyUpdates.size())));

    // Throughput over the last minute.
    for (int i = 0; i < 5; ++i)
        insert(QStringLiteral("noop"));
    QVERIFY(waitUntil([&] { return executor.stats().completedTotal >= 7; }, 10000));
    const ExecutorStats s = executor.stats();
    QVERIFY(s.jobsPerSecond > 0);
    QVERIFY(s.completedLastMinute >= 7);
    QCOMPARE(s.failedTotal, 0);
    QVERIFY(waitUntil([&] { return !runningInfo(); }, 3000));
}

void TestJobExecutor::globalWorkerLimit()
{
    std::atomic<int> current{0};
    std::atomic<int> peak{0};
    QMutex mutex;
    QSet<QString> queuesSeen;
    ExecutorOptions o = fastOptions();
    o.queues = {{QStringLiteral("a"), 2}, {QStringLiteral("b"), 2}};
    o.maxWorkers = 2;
    JobExecutor executor(m_pool, o);
    executor.registerWorker(worker(QStringLiteral("count"), [&](JobContext &ctx) {
        const int now = ++current;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        {
            QMutexLocker lock(&mutex);
            queuesSeen.insert(ctx.job().queue);
        }
        QThread::msleep(40);
        --current;
        return JobResult::complete();
    }));
    QString error;
    QList<InsertParams> batch;
    for (int i = 0; i < 12; ++i) {
        InsertParams p{QStringLiteral("count"), {{QStringLiteral("n"), i}}, {}};
        p.options.queue = i % 2 ? QStringLiteral("a") : QStringLiteral("b");
        batch << p;
    }
    QVERIFY2(m_client->insertMany(batch, &error), qPrintable(error));
    QVERIFY2(executor.start(&error), qPrintable(error));
    QCOMPARE(executor.stats().queues.value(QStringLiteral("a")).workers, 2);
    QVERIFY(waitUntil(
        [&] {
            return scalar(QStringLiteral(
                       "SELECT count(*) FROM jobs.job WHERE state = 'completed'")) == 12;
        },
        20000));
    QVERIFY2(peak.load() <= 2, qPrintable(QStringLiteral("%1 jobs ran at once").arg(peak.load())));
    QCOMPARE(peak.load(), 2); // and the two slots were used
    QMutexLocker lock(&mutex);
    QCOMPARE(queuesSeen, (QSet<QString>{QStringLiteral("a"), QStringLiteral("b")}));
}

void TestJobExecutor::gracefulStopFinishesRunningJobs()
{
    std::atomic<bool> started{false};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("steady"), [&](JobContext &) {
        started = true;
        QThread::msleep(500);
        return JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("steady"));
    const qint64 waiting = insert(QStringLiteral("steady"), {}, [] {
        InsertOptions o;
        o.queue = QStringLiteral("elsewhere"); // no producer here: must stay untouched
        return o;
    }());
    QVERIFY(waitUntil([&] { return started.load(); }, 10000));
    executor.stop(5s);
    QVERIFY(!executor.isRunning());
    // Recorded before stop() returned.
    const auto job = m_client->get(id);
    QVERIFY(job);
    QCOMPARE(job->state, JobState::Completed);
    QCOMPARE(job->attempt, 1);
    QCOMPARE(m_client->get(waiting)->state, JobState::Available);
    // The executor left the cluster: no heartbeat row, no lease.
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs.client")), 0);
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs.leader")), 0);
}

void TestJobExecutor::hardStopReturnsJobsToAvailable()
{
    std::atomic<int> started{0};
    std::atomic<int> reason{-1};
    QString error;
    qint64 id = 0;
    {
        JobExecutor executor(m_pool, fastOptions());
        executor.registerWorker(worker(QStringLiteral("endless"), [&](JobContext &ctx) {
            ++started;
            waitForCancel(ctx);
            reason = int(ctx.cancelReason());
            return JobResult::error(QStringLiteral("interrupted"));
        }));
        QVERIFY2(executor.start(&error), qPrintable(error));
        id = insert(QStringLiteral("endless"));
        QVERIFY(waitUntil([&] { return started.load() == 1; }, 10000));
        QVERIFY(waitForState(id, JobState::Running));
        executor.stop(100ms);
        QCOMPARE(reason.load(), int(CancellationToken::Reason::Shutdown));
    }
    const auto job = m_client->get(id);
    QVERIFY(job);
    QCOMPARE(job->state, JobState::Available);
    QCOMPARE(job->attempt, 0);      // the interrupted attempt does not count
    QVERIFY(job->errors.isEmpty()); // and is no error
    QVERIFY(!job->finalizedAt.isValid());

    // The next executor runs it normally.
    JobExecutor next(m_pool, fastOptions());
    next.registerWorker(
        worker(QStringLiteral("endless"), [](JobContext &) { return JobResult::complete(); }));
    QVERIFY2(next.start(&error), qPrintable(error));
    const auto done = waitForState(id, JobState::Completed);
    QVERIFY(done);
    QCOMPARE(done->attempt, 1);
}

void TestJobExecutor::stopWithAWorkerThatIgnoresCancellation()
{
    std::atomic<bool> started{false};
    std::atomic<bool> returned{false};
    JobExecutor executor(m_pool, fastOptions());
    executor.registerWorker(worker(QStringLiteral("stubborn"), [&](JobContext &ctx) {
        started = true;
        QThread::msleep(1500); // does not look at the token
        returned = true;
        return ctx.isCancelled() ? JobResult::error(QStringLiteral("too late"))
                                 : JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const qint64 id = insert(QStringLiteral("stubborn"));
    QVERIFY(waitUntil([&] { return started.load(); }, 10000));
    QVERIFY(waitForState(id, JobState::Running));
    executor.stop(50ms); // waits for the worker after cancelling it (up to 5 s)
    QVERIFY(!executor.isRunning());
    QVERIFY(returned.load());
    const auto job = m_client->get(id);
    QVERIFY(job);
    QCOMPARE(job->state, JobState::Available);
    QCOMPARE(job->attempt, 0);
    QVERIFY(job->errors.isEmpty());
}

void TestJobExecutor::workerReturningAfterTheExecutorIsGone()
{
    // A worker that outlasts stop()'s 5 s wait after cancelling: stop() gives its job back and
    // returns; when the worker finally returns, nothing may touch the deleted executor.
    auto returned = std::make_shared<std::atomic<bool>>(false);
    auto started = std::make_shared<std::atomic<bool>>(false);
    qint64 id = 0;
    {
        JobExecutor executor(m_pool, fastOptions());
        executor.registerWorker(worker(QStringLiteral("deaf"), [returned, started](JobContext &) {
            *started = true;
            QThread::msleep(6000);
            *returned = true;
            return JobResult::error(QStringLiteral("finally"));
        }));
        QString error;
        QVERIFY2(executor.start(&error), qPrintable(error));
        id = insert(QStringLiteral("deaf"));
        QVERIFY(waitUntil([&] { return started->load(); }, 10000));
        QVERIFY(waitForState(id, JobState::Running));
        executor.stop(50ms); // gives up on the worker after 5 s; the worker returns ~1 s later
        const auto job = m_client->get(id);
        QVERIFY(job);
        QCOMPARE(job->state, JobState::Available);
        QCOMPARE(job->attempt, 0);
    }
    QVERIFY(waitUntil([&] { return returned->load(); }, 10000));
    QTest::qWait(300); // the late result goes nowhere (no crash, no write)
    const auto job = m_client->get(id);
    QVERIFY(job);
    QCOMPARE(job->state, JobState::Available);
    QVERIFY(job->errors.isEmpty());
}

void TestJobExecutor::cleanerDeletesOnlyOldFinalizedJobs()
{
    struct Row
    {
        const char *state;
        const char *age;
        bool kept;
    };
    // Defaults: completed 7 days, cancelled 24 h, discarded 30 days.
    const QList<Row> rows{{"completed", "8 days", false},   {"completed", "6 days", true},
                          {"cancelled", "25 hours", false}, {"cancelled", "23 hours", true},
                          {"discarded", "31 days", false},  {"discarded", "29 days", true}};
    QList<qint64> kept;
    for (const Row &r : rows) {
        const qint64 id = insert(QStringLiteral("old"));
        QVERIFY(sql(QStringLiteral(
                        "UPDATE jobs.job SET state = '%1', finalized_at = now() - interval '%2', "
                        "created_at = now() - interval '40 days' WHERE id = %3")
                        .arg(QLatin1String(r.state), QLatin1String(r.age))
                        .arg(id)));
        if (r.kept)
            kept << id;
    }
    // Old but not finished: never cleaned.
    const qint64 pending = insert(QStringLiteral("old"));
    QVERIFY(sql(
        QStringLiteral("UPDATE jobs.job SET created_at = now() - interval '90 days' WHERE id = %1")
            .arg(pending)));
    kept << pending;

    Maintenance maintenance(m_pool, ExecutorOptions{}, {});
    QCOMPARE(maintenance.clean(), 3);
    QList<qint64> left;
    const auto remaining = m_client->list(JobFilter{});
    QVERIFY(remaining);
    for (const Job &j : *remaining)
        left.prepend(j.id);
    QCOMPARE(left, kept);
    QCOMPARE(maintenance.clean(), 0);

    // Retention is configurable.
    ExecutorOptions shortRetention;
    shortRetention.completedRetention = std::chrono::hours(1);
    Maintenance strict(m_pool, shortRetention, {});
    QCOMPARE(strict.clean(), 1); // the 6-day-old completed job
}

void TestJobExecutor::rescuerRetriesJobsOfDeadExecutors()
{
    ExecutorOptions o;
    o.clientTtl = 1000ms;
    o.rescueAfter = std::chrono::hours(1);
    QVERIFY(
        sql(QStringLiteral("INSERT INTO jobs.client (id, hostname, pid) VALUES ('alive', 'h', 1); "
                           "INSERT INTO jobs.client (id, hostname, pid, heartbeat_at) "
                           "VALUES ('silent', 'h', 2, now() - interval '1 minute')")));
    auto running = [&](const QString &client, int attempt, int maxAttempts, const QString &ranFor) {
        InsertOptions io;
        io.maxAttempts = maxAttempts;
        const qint64 id = insert(QStringLiteral("work"), {}, io);
        sql(QStringLiteral("UPDATE jobs.job SET state = 'running', attempt = %1, attempted_by = "
                           "ARRAY['earlier', '%2'], "
                           "attempted_at = now() - interval '%3' WHERE id = %4")
                .arg(attempt)
                .arg(client, ranFor)
                .arg(id));
        return id;
    };
    const qint64 orphan =
        running(QStringLiteral("ghost"), 1, 25, QStringLiteral("1 second")); // no heartbeat row
    const qint64 healthy =
        running(QStringLiteral("alive"), 1, 25, QStringLiteral("1 second")); // live executor
    const qint64 silent =
        running(QStringLiteral("silent"), 2, 25, QStringLiteral("1 second")); // stale heartbeat
    const qint64 lastTry =
        running(QStringLiteral("ghost"), 3, 3, QStringLiteral("1 second")); // out of attempts
    const qint64 stuck =
        running(QStringLiteral("alive"), 1, 25, QStringLiteral("2 hours")); // ran too long

    Maintenance maintenance(m_pool, o, {});
    QCOMPARE(maintenance.rescue(), 4);

    const auto a = m_client->get(orphan);
    QCOMPARE(a->state, JobState::Retryable);
    QCOMPARE(a->attempt, 1);
    QVERIFY2(lastError(*a).startsWith(QStringLiteral("rescued: ")), qPrintable(lastError(*a)));
    QVERIFY2(lastError(*a).contains(QStringLiteral("ghost")), qPrintable(lastError(*a)));
    QCOMPARE(a->errors.last().toObject().value(QStringLiteral("attempt")).toInt(), 1);
    QVERIFY(a->scheduledAt <= QDateTime::currentDateTimeUtc().addSecs(1));

    QCOMPARE(m_client->get(healthy)->state, JobState::Running);
    QVERIFY(m_client->get(healthy)->errors.isEmpty());

    const auto c = m_client->get(silent);
    QCOMPARE(c->state, JobState::Retryable);
    QVERIFY(lastError(*c).startsWith(QStringLiteral("rescued: ")));

    const auto d = m_client->get(lastTry);
    QCOMPARE(d->state, JobState::Discarded);
    QVERIFY(d->finalizedAt.isValid());
    QVERIFY(lastError(*d).startsWith(QStringLiteral("rescued: ")));

    const auto e = m_client->get(stuck);
    QCOMPARE(e->state, JobState::Retryable);
    QVERIFY2(lastError(*e).contains(QStringLiteral("ran longer")), qPrintable(lastError(*e)));

    // Rescued jobs are ordinary retryable jobs: the scheduler makes them available.
    QCOMPARE(maintenance.schedule(), 3);
    QCOMPARE(m_client->get(orphan)->state, JobState::Available);
    QCOMPARE(maintenance.rescue(), 0);
}

void TestJobExecutor::periodicIntervalJobOncePerBucket()
{
    PeriodicJob p;
    p.name = QStringLiteral("tick");
    p.interval = 60s;
    p.kind = QStringLiteral("noop");
    p.args = {{QStringLiteral("from"), QStringLiteral("periodic")}};
    p.options.queue = QStringLiteral("low");
    const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60 * 60;
    const QDateTime t0 = QDateTime::fromSecsSinceEpoch(minute + 5, Qt::UTC);
    auto periodicJobs = [&] {
        return scalar(
            QStringLiteral("SELECT count(*) FROM jobs.job WHERE metadata->>'periodic' = 'tick'"));
    };

    Maintenance leader(m_pool, ExecutorOptions{}, {p});
    QCOMPARE(leader.enqueuePeriodic(t0), 1);
    QCOMPARE(leader.enqueuePeriodic(t0.addSecs(30)), 0); // same bucket
    QCOMPARE(periodicJobs(), 1);
    QCOMPARE(leader.enqueuePeriodic(t0.addSecs(60)), 1); // next bucket
    QCOMPARE(periodicJobs(), 2);

    // Another leader (after a failover) in the same bucket adds nothing: the slot is unique.
    Maintenance other(m_pool, ExecutorOptions{}, {p});
    other.enqueuePeriodic(t0.addSecs(61));
    other.enqueuePeriodic(t0);
    QCOMPARE(periodicJobs(), 2);

    JobFilter f;
    f.kind = QStringLiteral("noop");
    const auto jobs = m_client->list(f);
    QVERIFY(jobs);
    for (const Job &j : *jobs) {
        QCOMPARE(j.queue, QStringLiteral("low"));
        QCOMPARE(j.args.value(QStringLiteral("from")).toString(), QStringLiteral("periodic"));
        QCOMPARE(j.state, JobState::Available);
    }

    // runOnStart: a new leader enqueues it once at once.
    PeriodicJob eager = p;
    eager.name = QStringLiteral("eager");
    eager.runOnStart = true;
    Maintenance starting(m_pool, ExecutorOptions{}, {eager});
    starting.setActive(true);
    starting.setActive(false);
    QCOMPARE(scalar(QStringLiteral(
                 "SELECT count(*) FROM jobs.job WHERE metadata->>'periodic' = 'eager'")),
             1);
}

void TestJobExecutor::periodicCronJob()
{
    // Keep clear of a minute boundary while the schedule is armed.
    if (QDateTime::currentDateTimeUtc().time().second() >= 57)
        QVERIFY(
            waitUntil([] { return QDateTime::currentDateTimeUtc().time().second() < 5; }, 10000));
    PeriodicJob p;
    p.name = QStringLiteral("minutely");
    p.cron = QStringLiteral("* * * * *");
    p.kind = QStringLiteral("noop");
    Maintenance maintenance(m_pool, ExecutorOptions{}, {p});
    const QDateTime now = QDateTime::currentDateTimeUtc();
    maintenance.setActive(true); // arms the schedule: next fire at the next minute
    maintenance.setActive(false);
    const QDateTime next =
        QDateTime::fromSecsSinceEpoch(now.toSecsSinceEpoch() / 60 * 60 + 60, Qt::UTC);
    auto count = [&] {
        return scalar(QStringLiteral(
            "SELECT count(*) FROM jobs.job WHERE metadata->>'periodic' = 'minutely'"));
    };

    QCOMPARE(maintenance.enqueuePeriodic(now), 0);
    QCOMPARE(maintenance.enqueuePeriodic(next.addSecs(-1)), 0);
    QCOMPARE(count(), 0);
    QCOMPARE(maintenance.enqueuePeriodic(next.addSecs(1)), 1);
    QCOMPARE(maintenance.enqueuePeriodic(next.addSecs(30)), 0);
    QCOMPARE(count(), 1);
    QCOMPARE(maintenance.enqueuePeriodic(next.addSecs(61)), 1);
    QCOMPARE(count(), 2);
}

QTEST_GUILESS_MAIN(TestJobExecutor)
#include "tst_jobexecutor.moc"
