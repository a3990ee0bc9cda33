#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"

#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// The executor against a real PostgreSQL: fetch, run, complete; errors and retries; snooze;
// cancellation; timeouts; shutdown.
class TestJobExecutor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void runsAJobToCompletion();

private:
    std::optional<Job> waitForState(qint64 id, JobState state, int timeoutMs = 10000);
    ExecutorOptions fastOptions() const;

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<JobClient> m_client;
    int m_db = 0;
};

void TestJobExecutor::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
}

void TestJobExecutor::init()
{
    const ConnectionSettings s = m_pg.createDatabase(QStringLiteral("jobs_%1").arg(++m_db));
    m_client.reset();
    m_pool = std::make_shared<DatabasePool>(s, 8);
    auto lease = m_pool->acquire();
    QString error;
    QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    m_client = std::make_unique<JobClient>(m_pool);
}

ExecutorOptions TestJobExecutor::fastOptions() const
{
    ExecutorOptions o;
    o.queues = {{QStringLiteral("default"), 4}};
    o.schedulerInterval = 100ms;
    o.heartbeatInterval = 200ms;
    o.leaderTtl = 1000ms;
    return o;
}

std::optional<Job> TestJobExecutor::waitForState(qint64 id, JobState state, int timeoutMs)
{
    std::optional<Job> job;
    waitUntil([&] {
        job = m_client->get(id);
        return job && job->state == state;
    }, timeoutMs);
    return job;
}

void TestJobExecutor::runsAJobToCompletion()
{
    JobExecutor executor(m_pool, fastOptions());
    std::atomic<int> runs{0};
    executor.registerWorker(std::make_shared<FunctionWorker>(QStringLiteral("hello"), [&](JobContext &ctx) {
        ++runs;
        ctx.reportProgress(QStringLiteral("greeting"), 1, 1);
        return ctx.args().value(QStringLiteral("fail")).toBool() ? JobResult::error(QStringLiteral("asked to fail"))
                                                                   : JobResult::complete();
    }));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    const auto inserted = m_client->insert(QStringLiteral("hello"), {{QStringLiteral("name"), QStringLiteral("world")}}, {}, &error);
    QVERIFY2(inserted, qPrintable(error));
    const auto done = waitForState(inserted->job.id, JobState::Completed);
    QVERIFY(done);
    qDebug().noquote() << QJsonDocument(done->toJson()).toJson();
    QCOMPARE(done->attempt, 1);
    QVERIFY(done->finalizedAt.isValid());
    QCOMPARE(done->attemptedBy, QStringList{executor.clientId()});
    QCOMPARE(runs.load(), 1);

    const auto failing = m_client->insert(QStringLiteral("hello"), {{QStringLiteral("fail"), true}}, {}, &error);
    const auto retryable = waitForState(failing->job.id, JobState::Retryable);
    QVERIFY(retryable);
    QCOMPARE(retryable->errors.size(), 1);
    QCOMPARE(retryable->errors.at(0).toObject().value(QStringLiteral("error")).toString(), QStringLiteral("asked to fail"));
    executor.stop();
}

QTEST_GUILESS_MAIN(TestJobExecutor)
#include "tst_jobexecutor.moc"
