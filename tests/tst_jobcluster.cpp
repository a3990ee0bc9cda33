#include "JobTestSupport.h"
#include "LineProcess.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSet>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// One revenge_test_jobprocess (tests/helpers/jobprocess.cpp): a job executor in its own process.
// Killed (SIGKILL) when destroyed, so a failing test leaves no process behind.
class JobProcess : public LineProcess
{
public:
    JobProcess(const QString &program, const ConnectionSettings &s, const QString &clientId,
               const QStringList &extra)
        : LineProcess(program,
                      QStringList{QStringLiteral("--host"), s.host, QStringLiteral("--port"),
                                  QString::number(s.port), QStringLiteral("--db"), s.database,
                                  QStringLiteral("--user"), s.user, QStringLiteral("--password"),
                                  s.password, QStringLiteral("--client-id"), clientId} +
                          extra,
                      clientId)
    {}

    QString clientId() const { return name(); }
    // Starts the process and waits for its READY line.
    bool start(int timeoutMs = 15000)
    {
        return LineProcess::start(QStringLiteral("READY ") + clientId(), timeoutMs);
    }
    // Whether this process holds the lease by its own account (its last LEADER line).
    bool isLeader()
    {
        const QStringList all = lines();
        for (auto it = all.crbegin(); it != all.crend(); ++it)
            if (it->startsWith(QStringLiteral("LEADER ")))
                return *it == QStringLiteral("LEADER 1");
        return false;
    }
};

// Several executors in separate processes on one database: periodic jobs enqueued once,
// rescue after SIGKILL, leader failover (lapsed and resigned lease), cancelling a job running
// in another process, and graceful shutdown of a process.
class TestJobCluster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void periodicJobsAreEnqueuedOnceWithTwoProcesses();
    void jobsOfAKilledProcessAreRescued();
    void leaderFailover();
    void cancelJobRunningInAnotherProcess();
    void cancelJobWhoseProcessDied();
    void gracefulShutdownOfAProcess();

private:
    JobProcess *spawn(const QString &clientId,
                      const QStringList &extra = {QStringLiteral("--fast")});
    std::optional<Job> waitForState(qint64 id, JobState state, int timeoutMs);
    qint64 scalar(const QString &query);

    TestPostgres m_pg;
    QString m_program;
    ConnectionSettings m_settings;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<JobClient> m_client;
    std::vector<std::unique_ptr<JobProcess>> m_processes;
    int m_db = 0;
};

void TestJobCluster::initTestCase()
{
    m_program = qEnvironmentVariable("REVENGE_JOBPROCESS");
    if (m_program.isEmpty()) // run by hand: it is built next to this test
        m_program =
            QCoreApplication::applicationDirPath() + QStringLiteral("/revenge_test_jobprocess");
    QVERIFY2(QFileInfo(m_program).isExecutable(),
             qPrintable(m_program + QStringLiteral(" is missing (REVENGE_JOBPROCESS)")));
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
}

void TestJobCluster::init()
{
    // A fresh database per test: processes killed by an earlier test leave nothing behind.
    m_client.reset();
    m_pool.reset();
    m_settings = m_pg.createDatabase(QStringLiteral("cluster_%1").arg(++m_db));
    m_pool = std::make_shared<DatabasePool>(m_settings, 4);
    auto lease = m_pool->acquire();
    QVERIFY(lease);
    QString error;
    QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    QVERIFY2(DatabasePool::execScript(
                 lease->db(),
                 "CREATE TABLE test_done (job_id bigint PRIMARY KEY, client text NOT NULL)",
                 &error),
             qPrintable(error));
    m_client = std::make_unique<JobClient>(m_pool);
}

void TestJobCluster::cleanup()
{
    if (QTest::currentTestFailed())
        for (const auto &p : m_processes)
            qWarning().noquote() << p->log();
    m_processes.clear(); // SIGKILLs whatever still runs
}

JobProcess *TestJobCluster::spawn(const QString &clientId, const QStringList &extra)
{
    m_processes.push_back(std::make_unique<JobProcess>(m_program, m_settings, clientId, extra));
    JobProcess *p = m_processes.back().get();
    if (!p->start())
        qWarning().noquote() << "process" << clientId << "did not get ready:" << p->log();
    return p;
}

qint64 TestJobCluster::scalar(const QString &query)
{
    return queryScalar(*m_pool, query);
}

std::optional<Job> TestJobCluster::waitForState(qint64 id, JobState state, int timeoutMs)
{
    return waitForJobState(*m_client, id, state, timeoutMs);
}

void TestJobCluster::periodicJobsAreEnqueuedOnceWithTwoProcesses()
{
    const QStringList args{QStringLiteral("--periodic"), QStringLiteral("tick:1"),
                           QStringLiteral("--fast")};
    JobProcess *a = spawn(QStringLiteral("periodic-a"), args);
    JobProcess *b = spawn(QStringLiteral("periodic-b"), args);
    QVERIFY(a->hasLine(QStringLiteral("READY periodic-a")));
    QVERIFY(b->hasLine(QStringLiteral("READY periodic-b")));
    auto ticks = [&] {
        return scalar(
            QStringLiteral("SELECT count(*) FROM jobs.job WHERE metadata->>'periodic' = 'tick'"));
    };
    // About 3.5 s of both running (a new leader starts with the next period).
    QVERIFY(waitUntil([&] { return ticks() >= 3; }, 10000));
    QTest::qWait(500);
    // One of them led the whole time.
    QCOMPARE(int(a->lines().count(QStringLiteral("LEADER 1")) +
                 b->lines().count(QStringLiteral("LEADER 1"))),
             1);
    // Stop the follower first (stopping the leader first would hand the lease over).
    JobProcess *leader = a->isLeader() ? a : b;
    JobProcess *follower = leader == a ? b : a;
    QVERIFY(leader->isLeader());
    follower->terminate();
    QVERIFY(follower->waitForExit(15000));
    leader->terminate();
    QVERIFY(leader->waitForExit(15000));
    QCOMPARE(a->process().exitCode(), 0);
    QCOMPARE(b->process().exitCode(), 0);

    // Map every job back to its one-second slot: the key is the kind plus "periodic:tick@<slot>".
    auto lease = m_pool->acquire();
    const PgResult r =
        pgExec(lease->db(), "SELECT id, encode(unique_key, 'hex'), floor(extract(epoch FROM "
                            "created_at))::bigint, state::text "
                            "FROM jobs.job WHERE metadata->>'periodic' = 'tick' ORDER BY id");
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QVERIFY(r.rows() >= 3);
    QSet<qint64> seenSlots;
    for (int i = 0; i < r.rows(); ++i) {
        const QByteArray key = r.bytes(i, 1);
        const qint64 created = r.toInt(i, 2);
        qint64 slot = -1;
        for (qint64 s = created - 3; s <= created + 1 && slot < 0; ++s) {
            InsertOptions o;
            o.unique = UniqueOptions{};
            o.unique->extra = QStringLiteral("periodic:tick@%1").arg(s);
            if (JobClient::uniqueKey(QStringLiteral("noop"), {}, o, {}).toHex() == key)
                slot = s;
        }
        QVERIFY2(slot >= 0,
                 qPrintable(QStringLiteral(
                                "job %1 (key %2, created %3) has no slot near its creation time")
                                .arg(r.toInt(i, 0))
                                .arg(QString::fromLatin1(key))
                                .arg(created)));
        QVERIFY2(!seenSlots.contains(slot),
                 qPrintable(QStringLiteral("slot %1 was enqueued twice").arg(slot)));
        seenSlots.insert(slot);
        // Enqueued in its own second (allowing for the statement starting just after it ended).
        QVERIFY(created - slot >= 0 && created - slot <= 1);
    }
    QCOMPARE(qint64(seenSlots.size()), qint64(r.rows()));
    // They ran, too (the noop worker, in either process).
    QVERIFY(
        scalar(QStringLiteral("SELECT count(*) FROM jobs.job WHERE metadata->>'periodic' = 'tick' "
                              "AND state = 'completed'")) >= 2);
}

void TestJobCluster::jobsOfAKilledProcessAreRescued()
{
    JobProcess *victim =
        spawn(QStringLiteral("victim"),
              {QStringLiteral("--queues"), QStringLiteral("default=4"), QStringLiteral("--fast")});
    QVERIFY(victim->hasLine(QStringLiteral("READY victim")));
    QList<InsertParams> batch;
    for (int i = 0; i < 20; ++i)
        batch << InsertParams{
            QStringLiteral("record"), {{QStringLiteral("ms"), 300}, {QStringLiteral("n"), i}}, {}};
    QString error;
    const auto inserted = m_client->insertMany(batch, &error);
    QVERIFY2(inserted, qPrintable(error));

    // Kill it mid-work: some jobs done, some running.
    QVERIFY(waitUntil(
        [&] {
            return scalar(QStringLiteral("SELECT count(*) FROM test_done")) >= 2 &&
                   scalar(QStringLiteral("SELECT count(*) FROM jobs.job WHERE state = 'running'")) >
                       0;
        },
        15000));
    victim->kill();
    QCOMPARE(victim->process().exitStatus(), QProcess::CrashExit);

    // What it held when it died stays running until someone rescues it.
    QList<qint64> orphans;
    {
        auto lease = m_pool->acquire();
        const PgResult r =
            pgExec(lease->db(), "SELECT id FROM jobs.job WHERE state = 'running' ORDER BY id");
        QVERIFY(r.ok());
        for (int i = 0; i < r.rows(); ++i)
            orphans << r.toInt(i, 0);
    }
    QVERIFY(!orphans.isEmpty());

    JobProcess *rescuer = spawn(QStringLiteral("rescuer"), {QStringLiteral("--fast")});
    QVERIFY(rescuer->hasLine(QStringLiteral("READY rescuer")));
    QVERIFY2(waitUntil(
                 [&] {
                     return scalar(QStringLiteral(
                                "SELECT count(*) FROM jobs.job WHERE state = 'completed'")) == 20;
                 },
                 30000),
             qPrintable(QStringLiteral("%1 of 20 completed")
                            .arg(scalar(QStringLiteral(
                                "SELECT count(*) FROM jobs.job WHERE state = 'completed'")))));
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM test_done")), 20);
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs.job")), 20);

    for (qint64 id : orphans) {
        const auto job = m_client->get(id);
        QVERIFY(job);
        QCOMPARE(job->state, JobState::Completed);
        QCOMPARE(job->attempt, 2);
        QCOMPARE(job->attemptedBy,
                 (QStringList{QStringLiteral("victim"), QStringLiteral("rescuer")}));
        QCOMPARE(job->errors.size(), 1);
        const QString message =
            job->errors.at(0).toObject().value(QStringLiteral("error")).toString();
        QVERIFY2(message.startsWith(QStringLiteral("rescued: ")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("victim")), qPrintable(message));
    }
    // Nothing else was retried.
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs.job WHERE errors <> '[]'")),
             qint64(orphans.size()));
}

void TestJobCluster::leaderFailover()
{
    JobProcess *a = spawn(QStringLiteral("leader-a"));
    QVERIFY(a->waitForLine(QStringLiteral("LEADER 1"), 5000));
    JobProcess *b = spawn(QStringLiteral("leader-b"));
    QVERIFY(b->hasLine(QStringLiteral("READY leader-b")));
    QTest::qWait(300); // a few of b's election attempts, all lost
    QVERIFY(!b->isLeader());
    QCOMPARE(
        scalar(QStringLiteral("SELECT count(*) FROM jobs.leader WHERE leader_id = 'leader-a'")), 1);

    // A dies without a word: b takes over once the lease (1 s) lapses.
    a->kill();
    QVERIFY(b->waitForLine(QStringLiteral("LEADER 1"), 10000));
    QCOMPARE(
        scalar(QStringLiteral("SELECT count(*) FROM jobs.leader WHERE leader_id = 'leader-b'")), 1);

    // c renews only every 10 s: it can become leader this soon only through the resignation
    // notice that b sends when it shuts down.
    JobProcess *c = spawn(QStringLiteral("leader-c"),
                          {QStringLiteral("--heartbeat-ms"), QStringLiteral("10000"),
                           QStringLiteral("--leader-ttl-ms"), QStringLiteral("30000")});
    QVERIFY(c->hasLine(QStringLiteral("READY leader-c")));
    QVERIFY(!c->isLeader());
    QElapsedTimer sinceStop;
    sinceStop.start();
    b->terminate();
    QVERIFY(c->waitForLine(QStringLiteral("LEADER 1"), 10000));
    QVERIFY2(sinceStop.elapsed() < 5000,
             qPrintable(QStringLiteral("took over after %1 ms").arg(sinceStop.elapsed())));
    QVERIFY(b->waitForExit(15000));
    QCOMPARE(b->process().exitCode(), 0);
    QVERIFY(b->hasLine(QStringLiteral("LEADER 0")));
    QCOMPARE(
        scalar(QStringLiteral("SELECT count(*) FROM jobs.leader WHERE leader_id = 'leader-c'")), 1);
}

void TestJobCluster::cancelJobRunningInAnotherProcess()
{
    JobProcess *p = spawn(QStringLiteral("sleeper"));
    QVERIFY(p->hasLine(QStringLiteral("READY sleeper")));
    QString error;
    const auto inserted =
        m_client->insert(QStringLiteral("sleep"), {{QStringLiteral("ms"), 30000}}, {}, &error);
    QVERIFY2(inserted, qPrintable(error));
    const qint64 id = inserted->job.id;
    QVERIFY(waitForState(id, JobState::Running, 10000));

    QElapsedTimer timer;
    timer.start();
    const auto now = m_client->cancel(id, &error);
    QVERIFY2(now, qPrintable(error));
    QCOMPARE(now->state, JobState::Running);
    const auto cancelled = waitForState(id, JobState::Cancelled, 10000); // far sooner than its 30 s
    QVERIFY(cancelled);
    QVERIFY(timer.elapsed() < 10000);
    QVERIFY(cancelled->finalizedAt.isValid());
    QCOMPARE(cancelled->attemptedBy, QStringList{QStringLiteral("sleeper")});
    QCOMPARE(cancelled->errors.last().toObject().value(QStringLiteral("error")).toString(),
             QStringLiteral("cancelled"));
    QCOMPARE(p->process().state(), QProcess::Running); // the process carries on
}

void TestJobCluster::cancelJobWhoseProcessDied()
{
    // Cancelled while its executor is dead: nobody hears the request, but the job must not run
    // again once it is rescued.
    JobProcess *victim = spawn(QStringLiteral("doomed"));
    QVERIFY(victim->hasLine(QStringLiteral("READY doomed")));
    QString error;
    const auto inserted =
        m_client->insert(QStringLiteral("record"), {{QStringLiteral("ms"), 30000}}, {}, &error);
    QVERIFY2(inserted, qPrintable(error));
    const qint64 id = inserted->job.id;
    QVERIFY(waitForState(id, JobState::Running, 10000));
    victim->kill();
    const auto now = m_client->cancel(id, &error);
    QVERIFY2(now, qPrintable(error));
    QCOMPARE(now->state, JobState::Running);

    JobProcess *rescuer = spawn(QStringLiteral("heir"));
    QVERIFY(rescuer->hasLine(QStringLiteral("READY heir")));
    const auto cancelled = waitForState(id, JobState::Cancelled, 15000);
    QVERIFY(cancelled);
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM test_done")), 0); // never ran to the end
    QVERIFY(cancelled->errors.first()
                .toObject()
                .value(QStringLiteral("error"))
                .toString()
                .startsWith(QStringLiteral("rescued: ")));
    QCOMPARE(cancelled->attempt, 1); // it was not started again
}

void TestJobCluster::gracefulShutdownOfAProcess()
{
    JobProcess *p = spawn(QStringLiteral("graceful"));
    QVERIFY(p->hasLine(QStringLiteral("READY graceful")));
    QString error;
    const auto inserted =
        m_client->insert(QStringLiteral("record"), {{QStringLiteral("ms"), 500}}, {}, &error);
    QVERIFY2(inserted, qPrintable(error));
    const qint64 id = inserted->job.id;
    QVERIFY(waitForState(id, JobState::Running, 10000));

    p->terminate(); // SIGTERM while the job runs: it may finish
    QVERIFY(p->waitForExit(15000));
    QCOMPARE(p->process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(p->process().exitCode(), 0);
    QVERIFY(p->hasLine(QStringLiteral("STOPPED")));

    const auto job = m_client->get(id);
    QVERIFY(job);
    QCOMPARE(job->state, JobState::Completed);
    QCOMPARE(job->attempt, 1);
    QVERIFY(job->errors.isEmpty());
    QCOMPARE(scalar(QStringLiteral(
                        "SELECT count(*) FROM test_done WHERE job_id = %1 AND client = 'graceful'")
                        .arg(id)),
             1);
    // It left the cluster cleanly: no heartbeat row, no lease.
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs.client")), 0);
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs.leader")), 0);
}

QTEST_GUILESS_MAIN(TestJobCluster)
#include "tst_jobcluster.moc"
