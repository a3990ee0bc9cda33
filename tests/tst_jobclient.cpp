#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"

#include <QSet>
#include <QThreadPool>
#include <QtConcurrent>
#include <QtTest>
#include <latch>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// JobClient against a real PostgreSQL: inserts (defaults, validation, batches, unique keys,
// concurrency, transactions), cancel/retry/remove, queues, listings and the schema's checks.
class TestJobClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void insertUsesDefaults();
    void futureScheduledAtIsScheduled();
    void badInputIsRejectedAndNothingInserted_data();
    void badInputIsRejectedAndNothingInserted();
    void insertManyInsertsTenThousandInOrder();
    void uniqueByArgs();
    void uniqueByQueue();
    void uniqueByPeriod();
    void uniqueByState();
    void uniqueAllowsANewJobAfterCancel();
    void uniqueDuplicatesInsideOneBatch();
    void uniqueUnderConcurrency();
    void transactionalInsertRollsBackAndCommits();
    void cancelAvailableAndCompleted();
    void missingJobsGiveClearErrors();
    void retryDiscardedRaisesMaxAttempts();
    void removeRefusesRunningJobs();
    void pauseAndResumeQueues();
    void listFiltersAndPages();
    void queuesCountByState();
    void latestErrors();
    void finalizedAtIsRequiredBySchema();

private:
    qint64 count(const QString &where = QStringLiteral("true"));
    bool sql(const QString &statement, QString *error = nullptr);

    TestPostgres m_pg;
    ConnectionSettings m_settings;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<JobClient> m_client;
};

void TestJobClient::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_settings = m_pg.createDatabase(QStringLiteral("jobclient"));
    m_pool = std::make_shared<DatabasePool>(m_settings, 12);
    auto lease = m_pool->acquire();
    QVERIFY(lease);
    QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    m_client = std::make_unique<JobClient>(m_pool);
}

void TestJobClient::init()
{
    // Every test starts from empty job tables (cheaper than a database per test, same isolation).
    QVERIFY(sql(QStringLiteral(
        "TRUNCATE jobs.job, jobs.queue, jobs.leader, jobs.client RESTART IDENTITY")));
}

qint64 TestJobClient::count(const QString &where)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(
        lease->db(), (QStringLiteral("SELECT count(*) FROM jobs.job WHERE ") + where).toUtf8());
    if (!r.ok()) {
        qWarning().noquote() << r.error();
        return -1;
    }
    return r.toInt(0, 0);
}

bool TestJobClient::sql(const QString &statement, QString *error)
{
    auto lease = m_pool->acquire();
    QString failure;
    const bool ok = DatabasePool::execScript(lease->db(), statement.toUtf8(), &failure);
    if (!ok) {
        if (error)
            *error = failure;
        else
            qWarning().noquote() << statement << "->" << failure;
    }
    return ok;
}

void TestJobClient::insertUsesDefaults()
{
    QString error;
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const auto r = m_client->insert(QStringLiteral("email"),
                                    {{QStringLiteral("to"), QStringLiteral("a@b")}}, {}, &error);
    QVERIFY2(r, qPrintable(error));
    QVERIFY(!r->duplicate);
    const Job &j = r->job;
    QVERIFY(j.id > 0);
    QCOMPARE(j.state, JobState::Available);
    QCOMPARE(j.attempt, 0);
    QCOMPARE(j.maxAttempts, 25);
    QCOMPARE(j.priority, 1);
    QCOMPARE(j.queue, QStringLiteral("default"));
    QCOMPARE(j.kind, QStringLiteral("email"));
    QCOMPARE(j.args.value(QStringLiteral("to")).toString(), QStringLiteral("a@b"));
    QVERIFY(j.errors.isEmpty());
    QVERIFY(j.attemptedBy.isEmpty());
    QVERIFY(!j.attemptedAt.isValid());
    QVERIFY(!j.finalizedAt.isValid());
    QVERIFY(j.createdAt >= before);
    QVERIFY(j.scheduledAt <= QDateTime::currentDateTimeUtc().addSecs(1));

    // The stored row agrees with what insert() returned.
    const auto stored = m_client->get(j.id, &error);
    QVERIFY2(stored, qPrintable(error));
    QCOMPARE(stored->state, JobState::Available);
    QCOMPARE(stored->args, j.args);
    QCOMPARE(count(), 1);

    InsertOptions o;
    o.queue = QStringLiteral("low");
    o.priority = 3;
    o.maxAttempts = 2;
    o.tags = {QStringLiteral("x"), QStringLiteral("y")};
    o.metadata = {{QStringLiteral("source"), QStringLiteral("test")}};
    const auto custom = m_client->insert(QStringLiteral("email"), {}, o, &error);
    QVERIFY2(custom, qPrintable(error));
    QCOMPARE(custom->job.queue, QStringLiteral("low"));
    QCOMPARE(custom->job.priority, 3);
    QCOMPARE(custom->job.maxAttempts, 2);
    QCOMPARE(custom->job.tags, o.tags);
    QCOMPARE(custom->job.metadata.value(QStringLiteral("source")).toString(),
             QStringLiteral("test"));
}

void TestJobClient::futureScheduledAtIsScheduled()
{
    InsertOptions o;
    o.scheduledAt = QDateTime::currentDateTimeUtc().addSecs(3600);
    QString error;
    const auto r = m_client->insert(QStringLiteral("later"), {}, o, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->job.state, JobState::Scheduled);
    QVERIFY(qAbs(r->job.scheduledAt.msecsTo(o.scheduledAt)) < 2);

    o.scheduledAt = QDateTime::currentDateTimeUtc().addSecs(-3600);
    const auto past = m_client->insert(QStringLiteral("earlier"), {}, o, &error);
    QVERIFY2(past, qPrintable(error));
    QCOMPARE(past->job.state, JobState::Available);
}

void TestJobClient::badInputIsRejectedAndNothingInserted_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("queue");
    QTest::addColumn<int>("priority");
    QTest::addColumn<int>("maxAttempts");
    QTest::addColumn<QString>("expected");
    const QString k = QStringLiteral("k");
    const QString q = QStringLiteral("default");
    QTest::newRow("priority 0") << k << q << 0 << 25
                                << QStringLiteral("priority 0 is out of range 1-4");
    QTest::newRow("priority 5") << k << q << 5 << 25
                                << QStringLiteral("priority 5 is out of range 1-4");
    QTest::newRow("empty kind") << QString() << q << 1 << 25
                                << QStringLiteral("kind must be 1-128 characters");
    QTest::newRow("long kind") << QString(129, QLatin1Char('k')) << q << 1 << 25
                               << QStringLiteral("kind must be 1-128 characters");
    QTest::newRow("max_attempts 0")
        << k << q << 1 << 0 << QStringLiteral("max_attempts 0 is out of range");
    QTest::newRow("empty queue") << k << QString() << 1 << 25
                                 << QStringLiteral("queue must be 1-128 characters");
}

void TestJobClient::badInputIsRejectedAndNothingInserted()
{
    QFETCH(QString, kind);
    QFETCH(QString, queue);
    QFETCH(int, priority);
    QFETCH(int, maxAttempts);
    QFETCH(QString, expected);
    InsertOptions o;
    o.queue = queue;
    o.priority = priority;
    o.maxAttempts = maxAttempts;
    QString error;
    QVERIFY(!m_client->insert(kind, {}, o, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QCOMPARE(count(), 0);

    // One bad job fails the whole batch: the good ones before it are not inserted either.
    error.clear();
    QList<InsertParams> batch{
        {QStringLiteral("good"), {}, {}}, {QStringLiteral("good"), {}, {}}, {kind, {}, o}};
    QVERIFY(!m_client->insertMany(batch, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.startsWith(QStringLiteral("job 2 ")), qPrintable(error)); // names the bad one
    QCOMPARE(count(), 0);
}

void TestJobClient::insertManyInsertsTenThousandInOrder()
{
    QList<InsertParams> batch;
    for (int i = 0; i < 10000; ++i) {
        InsertParams p;
        p.kind = QStringLiteral("bulk");
        p.args = {{QStringLiteral("n"), i}};
        p.options.priority = 1 + i % 4;
        batch << p;
    }
    QString error;
    const auto results = m_client->insertMany(batch, &error);
    QVERIFY2(results, qPrintable(error));
    QCOMPARE(results->size(), 10000);
    QSet<qint64> ids;
    for (int i = 0; i < results->size(); ++i) {
        const InsertResult &r = results->at(i);
        QVERIFY(!r.duplicate);
        // Results come back in input order.
        QCOMPARE(r.job.args.value(QStringLiteral("n")).toInt(), i);
        QCOMPARE(r.job.priority, 1 + i % 4);
        ids.insert(r.job.id);
    }
    QCOMPARE(ids.size(), 10000);
    QCOMPARE(count(QStringLiteral("kind = 'bulk' AND state = 'available'")), 10000);
    QVERIFY(m_client->insertMany({}, &error)); // an empty batch is fine
}

void TestJobClient::uniqueByArgs()
{
    InsertOptions o;
    o.unique = UniqueOptions{};
    o.unique->byArgs = true;
    QString error;
    const QJsonObject args{{QStringLiteral("file"), QStringLiteral("a.mkv")},
                           {QStringLiteral("n"), 1}};
    const auto first = m_client->insert(QStringLiteral("scan"), args, o, &error);
    QVERIFY2(first, qPrintable(error));
    QVERIFY(!first->duplicate);

    // The same args in another key order are the same args.
    const QJsonObject reordered{{QStringLiteral("n"), 1},
                                {QStringLiteral("file"), QStringLiteral("a.mkv")}};
    const auto again = m_client->insert(QStringLiteral("scan"), reordered, o, &error);
    QVERIFY2(again, qPrintable(error));
    QVERIFY(again->duplicate);
    QCOMPARE(again->job.id, first->job.id);
    QCOMPARE(again->job.state, JobState::Available);

    const auto other = m_client->insert(
        QStringLiteral("scan"), {{QStringLiteral("file"), QStringLiteral("b.mkv")}}, o, &error);
    QVERIFY2(other, qPrintable(error));
    QVERIFY(!other->duplicate);
    QVERIFY(other->job.id != first->job.id);

    // Another kind with the same args is another job.
    const auto otherKind = m_client->insert(QStringLiteral("probe"), args, o, &error);
    QVERIFY2(otherKind, qPrintable(error));
    QVERIFY(!otherKind->duplicate);

    // A non-unique insert is never deduplicated.
    QVERIFY(m_client->insert(QStringLiteral("scan"), args, {}, &error));
    QCOMPARE(count(QStringLiteral("kind = 'scan'")), 3);
}

void TestJobClient::uniqueByQueue()
{
    QString error;
    InsertOptions o;
    o.unique = UniqueOptions{};
    o.unique->byQueue = true;
    o.queue = QStringLiteral("a");
    const auto a1 = m_client->insert(QStringLiteral("sync"), {}, o, &error);
    QVERIFY2(a1, qPrintable(error));
    QVERIFY(!a1->duplicate);
    const auto a2 =
        m_client->insert(QStringLiteral("sync"), {{QStringLiteral("any"), 1}}, o, &error);
    QVERIFY2(a2, qPrintable(error));
    QVERIFY(a2->duplicate); // args are not part of this key
    QCOMPARE(a2->job.id, a1->job.id);
    o.queue = QStringLiteral("b");
    const auto b1 = m_client->insert(QStringLiteral("sync"), {}, o, &error);
    QVERIFY2(b1, qPrintable(error));
    QVERIFY(!b1->duplicate);
    QCOMPARE(b1->job.queue, QStringLiteral("b"));

    // Without byQueue the key is the kind alone: another queue is a duplicate.
    InsertOptions plain;
    plain.unique = UniqueOptions{};
    plain.queue = QStringLiteral("c");
    QVERIFY(!m_client->insert(QStringLiteral("once"), {}, plain, &error)->duplicate);
    plain.queue = QStringLiteral("d");
    const auto d = m_client->insert(QStringLiteral("once"), {}, plain, &error);
    QVERIFY2(d, qPrintable(error));
    QVERIFY(d->duplicate);
    QCOMPARE(d->job.queue, QStringLiteral("c"));
    QCOMPARE(count(), 3);
}

void TestJobClient::uniqueByPeriod()
{
    // Periods are buckets of scheduled_at (or of now): one job per hour here.
    const qint64 hour = QDateTime::currentSecsSinceEpoch() / 3600 - 24;
    const QDateTime base = QDateTime::fromSecsSinceEpoch(hour * 3600, Qt::UTC);
    InsertOptions o;
    o.unique = UniqueOptions{};
    o.unique->byPeriod = 3600s;
    QString error;
    o.scheduledAt = base.addSecs(10 * 60);
    const auto first = m_client->insert(QStringLiteral("digest"), {}, o, &error);
    QVERIFY2(first, qPrintable(error));
    QVERIFY(!first->duplicate);
    o.scheduledAt = base.addSecs(50 * 60);
    const auto sameHour = m_client->insert(QStringLiteral("digest"), {}, o, &error);
    QVERIFY2(sameHour, qPrintable(error));
    QVERIFY(sameHour->duplicate);
    QCOMPARE(sameHour->job.id, first->job.id);
    o.scheduledAt = base.addSecs(70 * 60);
    const auto nextHour = m_client->insert(QStringLiteral("digest"), {}, o, &error);
    QVERIFY2(nextHour, qPrintable(error));
    QVERIFY(!nextHour->duplicate);

    // Without scheduled_at the bucket is the current one.
    InsertOptions now;
    now.unique = UniqueOptions{};
    now.unique->byPeriod = 3600s;
    const auto n1 = m_client->insert(QStringLiteral("digest"), {}, now, &error);
    const auto n2 = m_client->insert(QStringLiteral("digest"), {}, now, &error);
    QVERIFY2(n1 && n2, qPrintable(error));
    // (Two hour buckets can only differ if the hour turned between the calls.)
    if (n1->job.createdAt.toSecsSinceEpoch() / 3600 ==
        n2->job.createdAt.toSecsSinceEpoch() / 3600) {
        QVERIFY(!n1->duplicate);
        QVERIFY(n2->duplicate);
        QCOMPARE(n2->job.id, n1->job.id);
    }
}

void TestJobClient::uniqueByState()
{
    QString error;
    // Only available/running jobs count for this key: a completed one lets a new one in.
    InsertOptions o;
    o.unique = UniqueOptions{};
    o.unique->byState = {JobState::Available, JobState::Running};
    const auto first = m_client->insert(QStringLiteral("refresh"), {}, o, &error);
    QVERIFY2(first, qPrintable(error));
    QCOMPARE(JobClient::uniqueStates(*o.unique), QByteArray("01000001")); // running, available
    const auto dup = m_client->insert(QStringLiteral("refresh"), {}, o, &error);
    QVERIFY(dup && dup->duplicate);
    QVERIFY(sql(QStringLiteral(
                    "UPDATE jobs.job SET state = 'completed', finalized_at = now() WHERE id = %1")
                    .arg(first->job.id)));
    const auto second = m_client->insert(QStringLiteral("refresh"), {}, o, &error);
    QVERIFY2(second, qPrintable(error));
    QVERIFY(!second->duplicate);
    QVERIFY(second->job.id != first->job.id);

    // With the default states a completed job still counts.
    InsertOptions d;
    d.unique = UniqueOptions{};
    QCOMPARE(JobClient::uniqueStates(*d.unique),
             QByteArray("11110101")); // all but cancelled, discarded
    const auto k1 = m_client->insert(QStringLiteral("import"), {}, d, &error);
    QVERIFY2(k1, qPrintable(error));
    QVERIFY(sql(QStringLiteral(
                    "UPDATE jobs.job SET state = 'completed', finalized_at = now() WHERE id = %1")
                    .arg(k1->job.id)));
    const auto k2 = m_client->insert(QStringLiteral("import"), {}, d, &error);
    QVERIFY2(k2, qPrintable(error));
    QVERIFY(k2->duplicate);
    QCOMPARE(k2->job.id, k1->job.id);
    QCOMPARE(k2->job.state, JobState::Completed);
}

void TestJobClient::uniqueAllowsANewJobAfterCancel()
{
    QString error;
    InsertOptions o;
    o.unique = UniqueOptions{};
    o.unique->byArgs = true;
    const QJsonObject args{{QStringLiteral("id"), 7}};
    const auto first = m_client->insert(QStringLiteral("fetch"), args, o, &error);
    QVERIFY2(first, qPrintable(error));
    const auto cancelled = m_client->cancel(first->job.id, &error);
    QVERIFY2(cancelled, qPrintable(error));
    QCOMPARE(cancelled->state, JobState::Cancelled);
    const auto second = m_client->insert(QStringLiteral("fetch"), args, o, &error);
    QVERIFY2(second, qPrintable(error));
    QVERIFY(!second->duplicate);
    QVERIFY(second->job.id != first->job.id);
    // ... and the new one is unique again.
    const auto third = m_client->insert(QStringLiteral("fetch"), args, o, &error);
    QVERIFY(third && third->duplicate);
    QCOMPARE(third->job.id, second->job.id);
    // A discarded one does not count either.
    QVERIFY(sql(QStringLiteral(
                    "UPDATE jobs.job SET state = 'discarded', finalized_at = now() WHERE id = %1")
                    .arg(second->job.id)));
    const auto fourth = m_client->insert(QStringLiteral("fetch"), args, o, &error);
    QVERIFY(fourth && !fourth->duplicate);
    QCOMPARE(count(QStringLiteral("kind = 'fetch'")), 3);
}

void TestJobClient::uniqueDuplicatesInsideOneBatch()
{
    InsertOptions o;
    o.unique = UniqueOptions{};
    o.unique->byArgs = true;
    QList<InsertParams> batch;
    for (int i = 0; i < 6; ++i)
        batch << InsertParams{QStringLiteral("thumb"), {{QStringLiteral("n"), i % 3}}, o};
    batch << InsertParams{QStringLiteral("thumb"), {{QStringLiteral("n"), 0}}, {}}; // not unique
    QString error;
    const auto r = m_client->insertMany(batch, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->size(), 7);
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!r->at(i).duplicate);
        QVERIFY(r->at(i + 3).duplicate);
        QCOMPARE(r->at(i + 3).job.id, r->at(i).job.id);
        QCOMPARE(r->at(i + 3).job.args.value(QStringLiteral("n")).toInt(), i);
    }
    QVERIFY(!r->at(6).duplicate);
    QCOMPARE(count(), 4);

    // A second batch with the same keys only returns duplicates, plus a new key.
    batch = {{QStringLiteral("thumb"), {{QStringLiteral("n"), 1}}, o},
             {QStringLiteral("thumb"), {{QStringLiteral("n"), 9}}, o}};
    const auto again = m_client->insertMany(batch, &error);
    QVERIFY2(again, qPrintable(error));
    QVERIFY(again->at(0).duplicate);
    QCOMPARE(again->at(0).job.id, r->at(1).job.id);
    QVERIFY(!again->at(1).duplicate);
    QCOMPARE(count(), 5);
}

void TestJobClient::uniqueUnderConcurrency()
{
    constexpr int kThreads = 8;
    constexpr int kEach = 50;
    InsertOptions o;
    o.unique = UniqueOptions{};
    o.unique->byArgs = true;
    const QJsonObject args{{QStringLiteral("library"), 1}};

    QThreadPool threads;
    threads.setMaxThreadCount(kThreads);
    std::latch go(kThreads);
    QList<QFuture<QList<InsertResult>>> futures;
    for (int t = 0; t < kThreads; ++t) {
        futures << QtConcurrent::run(&threads, [&] {
            QList<InsertResult> out;
            go.arrive_and_wait(); // all threads start together
            for (int i = 0; i < kEach; ++i) {
                QString error;
                const auto r = m_client->insert(QStringLiteral("scan-library"), args, o, &error);
                if (!r)
                    qWarning().noquote() << "insert failed:" << error;
                else
                    out << *r;
            }
            return out;
        });
    }
    QSet<qint64> ids;
    int inserted = 0;
    int total = 0;
    for (auto &f : futures) {
        const QList<InsertResult> results = f.result();
        QCOMPARE(results.size(), kEach);
        for (const InsertResult &r : results) {
            ids.insert(r.job.id);
            inserted += r.duplicate ? 0 : 1;
            ++total;
        }
    }
    threads.waitForDone();
    QCOMPARE(total, kThreads * kEach);
    QCOMPARE(ids.size(), 1);
    QCOMPARE(inserted, 1);
    QCOMPARE(count(QStringLiteral("kind = 'scan-library'")), 1);
}

void TestJobClient::transactionalInsertRollsBackAndCommits()
{
    QString error;
    qint64 id = 0;
    {
        auto lease = m_pool->acquire();
        QSqlDatabase &db = lease->db();
        QVERIFY(db.transaction());
        const auto r =
            m_client->insertTx(db, QStringLiteral("tx"), {{QStringLiteral("n"), 1}}, {}, &error);
        QVERIFY2(r, qPrintable(error));
        id = r->job.id;
        // Visible inside the transaction, invisible outside it.
        QVERIFY(m_client->get(id)); // same thread: the same connection
        ScopedConnection other(m_settings);
        QVERIFY(other.isOpen());
        QCOMPARE(other.scalar(QStringLiteral("SELECT count(*) FROM jobs.job")).toInt(), 0);
        QVERIFY(db.rollback());
    }
    QVERIFY(!m_client->get(id, &error));
    QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
    QCOMPARE(count(), 0);

    {
        auto lease = m_pool->acquire();
        QSqlDatabase &db = lease->db();
        QVERIFY(db.transaction());
        const auto many = m_client->insertManyTx(
            db, {{QStringLiteral("tx"), {}, {}}, {QStringLiteral("tx"), {}, {}}}, &error);
        QVERIFY2(many, qPrintable(error));
        const auto one =
            m_client->insertTx(db, QStringLiteral("tx"), {{QStringLiteral("n"), 2}}, {}, &error);
        QVERIFY2(one, qPrintable(error));
        id = one->job.id;
        QVERIFY(db.commit());
    }
    const auto stored = m_client->get(id, &error);
    QVERIFY2(stored, qPrintable(error));
    QCOMPARE(stored->args.value(QStringLiteral("n")).toInt(), 2);
    QCOMPARE(count(), 3);
}

void TestJobClient::cancelAvailableAndCompleted()
{
    QString error;
    const auto r = m_client->insert(QStringLiteral("c"), {}, {}, &error);
    QVERIFY2(r, qPrintable(error));
    const auto cancelled = m_client->cancel(r->job.id, &error);
    QVERIFY2(cancelled, qPrintable(error));
    QCOMPARE(cancelled->state, JobState::Cancelled);
    QVERIFY(cancelled->finalizedAt.isValid());
    QCOMPARE(m_client->get(r->job.id)->state, JobState::Cancelled);

    // Scheduled and retryable jobs can be cancelled too.
    InsertOptions later;
    later.scheduledAt = QDateTime::currentDateTimeUtc().addSecs(600);
    const auto scheduled = m_client->insert(QStringLiteral("c"), {}, later, &error);
    QCOMPARE(m_client->cancel(scheduled->job.id, &error)->state, JobState::Cancelled);

    // A finished job stays as it is.
    const auto done = m_client->insert(QStringLiteral("c"), {}, {}, &error);
    QVERIFY(sql(
        QStringLiteral(
            "UPDATE jobs.job SET state = 'completed', finalized_at = now() - interval '1 minute' "
            "WHERE id = %1")
            .arg(done->job.id)));
    const QDateTime finalized = m_client->get(done->job.id)->finalizedAt;
    const auto unchanged = m_client->cancel(done->job.id, &error);
    QVERIFY2(unchanged, qPrintable(error));
    QCOMPARE(unchanged->state, JobState::Completed);
    QCOMPARE(unchanged->finalizedAt, finalized);
    QCOMPARE(m_client->get(done->job.id)->state, JobState::Completed);
}

void TestJobClient::missingJobsGiveClearErrors()
{
    QString error;
    QVERIFY(!m_client->cancel(424242, &error));
    QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
    error.clear();
    QVERIFY(!m_client->retry(424242, &error));
    QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
    error.clear();
    QVERIFY(!m_client->remove(424242, &error));
    QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
    error.clear();
    QVERIFY(!m_client->get(424242, &error));
    QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
}

void TestJobClient::retryDiscardedRaisesMaxAttempts()
{
    QString error;
    InsertOptions o;
    o.maxAttempts = 3;
    const auto r = m_client->insert(QStringLiteral("flaky"), {}, o, &error);
    QVERIFY2(r, qPrintable(error));
    QVERIFY(sql(QStringLiteral(
                    "UPDATE jobs.job SET state = 'discarded', attempt = 3, finalized_at = now(), "
                    "metadata = '{\"cancel_attempted_at\": \"x\"}', "
                    "scheduled_at = now() - interval '1 day' WHERE id = %1")
                    .arg(r->job.id)));
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const auto retried = m_client->retry(r->job.id, &error);
    QVERIFY2(retried, qPrintable(error));
    QCOMPARE(retried->state, JobState::Available);
    QCOMPARE(retried->maxAttempts, 4);
    QCOMPARE(retried->attempt, 3);
    QVERIFY(!retried->finalizedAt.isValid());
    QVERIFY(retried->scheduledAt >= before);
    QVERIFY(!retried->metadata.contains(QStringLiteral("cancel_attempted_at")));
    QCOMPARE(m_client->get(r->job.id)->state, JobState::Available);

    // A retryable job with attempts left keeps its max_attempts and runs now.
    const auto r2 = m_client->insert(QStringLiteral("flaky"), {}, o, &error);
    QVERIFY(sql(QStringLiteral("UPDATE jobs.job SET state = 'retryable', attempt = 1, "
                               "scheduled_at = now() + interval '1 hour' WHERE id = %1")
                    .arg(r2->job.id)));
    const auto retried2 = m_client->retry(r2->job.id, &error);
    QVERIFY2(retried2, qPrintable(error));
    QCOMPARE(retried2->state, JobState::Available);
    QCOMPARE(retried2->maxAttempts, 3);
    QVERIFY(retried2->scheduledAt <= QDateTime::currentDateTimeUtc().addSecs(1));

    // A running job cannot be retried.
    QVERIFY(sql(
        QStringLiteral("UPDATE jobs.job SET state = 'running', attempted_at = now() WHERE id = %1")
            .arg(r2->job.id)));
    QVERIFY(!m_client->retry(r2->job.id, &error));
    QVERIFY2(error.contains(QStringLiteral("running")), qPrintable(error));
}

void TestJobClient::removeRefusesRunningJobs()
{
    QString error;
    const auto running = m_client->insert(QStringLiteral("r"), {}, {}, &error);
    const auto idle = m_client->insert(QStringLiteral("r"), {}, {}, &error);
    QVERIFY2(running && idle, qPrintable(error));
    QVERIFY(sql(QStringLiteral("UPDATE jobs.job SET state = 'running', attempt = 1, attempted_at = "
                               "now() WHERE id = %1")
                    .arg(running->job.id)));
    QVERIFY(!m_client->remove(running->job.id, &error));
    QVERIFY2(error.contains(QStringLiteral("is running")), qPrintable(error));
    QVERIFY(m_client->get(running->job.id));
    QVERIFY2(m_client->remove(idle->job.id, &error), qPrintable(error));
    QVERIFY(!m_client->get(idle->job.id));
    QCOMPARE(count(), 1);
}

void TestJobClient::pauseAndResumeQueues()
{
    QString error;
    QVERIFY2(m_client->pauseQueue(QStringLiteral("media"), &error), qPrintable(error));
    auto lease = m_pool->acquire();
    PgResult r =
        pgExec(lease->db(), "SELECT paused_at IS NOT NULL FROM jobs.queue WHERE name = 'media'");
    QVERIFY(r.ok());
    QCOMPARE(r.rows(), 1);
    QVERIFY(r.toBool(0, 0));
    // Pausing twice keeps the first pause time.
    const QString first = QString::fromUtf8(
        pgExec(lease->db(), "SELECT paused_at::text FROM jobs.queue WHERE name = 'media'")
            .bytes(0, 0));
    QVERIFY(m_client->pauseQueue(QStringLiteral("media"), &error));
    QCOMPARE(QString::fromUtf8(
                 pgExec(lease->db(), "SELECT paused_at::text FROM jobs.queue WHERE name = 'media'")
                     .bytes(0, 0)),
             first);

    auto queues = m_client->queues(&error);
    QVERIFY2(queues, qPrintable(error));
    QCOMPARE(queues->size(), 1);
    QCOMPARE(queues->first().name, QStringLiteral("media"));
    QVERIFY(queues->first().paused);
    QVERIFY(queues->first().pausedAt.isValid());

    QVERIFY2(m_client->resumeQueue(QStringLiteral("media"), &error), qPrintable(error));
    r = pgExec(lease->db(), "SELECT paused_at IS NULL FROM jobs.queue WHERE name = 'media'");
    QCOMPARE(r.rows(), 1);
    QVERIFY(r.toBool(0, 0));
    queues = m_client->queues(&error);
    QVERIFY(queues && !queues->first().paused);

    // Resuming a queue that was never paused records it as running.
    QVERIFY(m_client->resumeQueue(QStringLiteral("fresh"), &error));
    QCOMPARE(
        pgExec(lease->db(), "SELECT count(*) FROM jobs.queue WHERE paused_at IS NULL").toInt(0, 0),
        2);
}

void TestJobClient::listFiltersAndPages()
{
    QString error;
    QList<InsertParams> batch;
    for (int i = 0; i < 30; ++i) {
        InsertParams p;
        p.kind = i % 2 ? QStringLiteral("odd") : QStringLiteral("even");
        p.args = {{QStringLiteral("n"), i}};
        p.options.queue = i < 20 ? QStringLiteral("default") : QStringLiteral("other");
        batch << p;
    }
    const auto inserted = m_client->insertMany(batch, &error);
    QVERIFY2(inserted, qPrintable(error));
    // Three of them are cancelled.
    for (int i : {0, 1, 2})
        QVERIFY(m_client->cancel(inserted->at(i).job.id, &error));

    JobFilter all;
    auto jobs = m_client->list(all, &error);
    QVERIFY2(jobs, qPrintable(error));
    QCOMPARE(jobs->size(), 30);
    QCOMPARE(jobs->first().id, inserted->last().job.id); // newest first

    JobFilter byState;
    byState.states = {JobState::Cancelled};
    jobs = m_client->list(byState, &error);
    QCOMPARE(jobs->size(), 3);
    byState.states = {JobState::Cancelled, JobState::Available};
    QCOMPARE(m_client->list(byState, &error)->size(), 30);

    JobFilter byQueue;
    byQueue.queue = QStringLiteral("other");
    jobs = m_client->list(byQueue, &error);
    QCOMPARE(jobs->size(), 10);
    for (const Job &j : *jobs)
        QCOMPARE(j.queue, QStringLiteral("other"));

    JobFilter byKind;
    byKind.kind = QStringLiteral("odd");
    byKind.queue = QStringLiteral("default");
    byKind.states = {JobState::Available};
    jobs = m_client->list(byKind, &error);
    QCOMPARE(jobs->size(), 9); // odd of 0..19, minus job 1 (cancelled)

    // Paging: 7 at a time, each page below the last id seen, until the end.
    JobFilter page;
    page.limit = 7;
    QList<qint64> seen;
    for (int round = 0; round < 10; ++round) {
        const auto p = m_client->list(page, &error);
        QVERIFY2(p, qPrintable(error));
        if (p->isEmpty())
            break;
        QVERIFY(p->size() <= 7);
        for (const Job &j : *p) {
            if (!seen.isEmpty())
                QVERIFY(j.id < seen.last());
            seen << j.id;
        }
        page.beforeId = p->last().id;
    }
    QCOMPARE(seen.size(), 30);
}

void TestJobClient::queuesCountByState()
{
    QString error;
    QList<InsertParams> batch;
    for (int i = 0; i < 5; ++i)
        batch << InsertParams{QStringLiteral("k"), {}, {}};
    InsertOptions low;
    low.queue = QStringLiteral("low");
    for (int i = 0; i < 3; ++i)
        batch << InsertParams{QStringLiteral("k"), {}, low};
    const auto inserted = m_client->insertMany(batch, &error);
    QVERIFY2(inserted, qPrintable(error));
    QVERIFY(m_client->cancel(inserted->at(0).job.id, &error));
    QVERIFY(m_client->cancel(inserted->at(5).job.id, &error));
    QVERIFY(m_client->pauseQueue(QStringLiteral("idle"), &error));

    const auto queues = m_client->queues(&error);
    QVERIFY2(queues, qPrintable(error));
    QHash<QString, QueueInfo> byName;
    for (const QueueInfo &q : *queues)
        byName.insert(q.name, q);
    QCOMPARE(byName.size(), 3);
    QCOMPARE(byName.value(QStringLiteral("default")).counts.value(QStringLiteral("available")), 4);
    QCOMPARE(byName.value(QStringLiteral("default")).counts.value(QStringLiteral("cancelled")), 1);
    QCOMPARE(byName.value(QStringLiteral("low")).counts.value(QStringLiteral("available")), 2);
    QCOMPARE(byName.value(QStringLiteral("low")).counts.value(QStringLiteral("cancelled")), 1);
    QVERIFY(!byName.value(QStringLiteral("default")).paused);
    QVERIFY(byName.value(QStringLiteral("idle")).paused); // known but empty
    QVERIFY(byName.value(QStringLiteral("idle")).counts.isEmpty());
}

void TestJobClient::latestErrors()
{
    QString error;
    const auto a = m_client->insert(QStringLiteral("a"), {}, {}, &error);
    const auto b = m_client->insert(QStringLiteral("b"), {}, {}, &error);
    QVERIFY(m_client->insert(QStringLiteral("fine"), {}, {}, &error));
    QVERIFY(sql(
        QStringLiteral(
            "UPDATE jobs.job SET state = 'retryable', attempt = 2, attempted_at = now() - interval "
            "'1 minute', "
            "errors = '[{\"attempt\": 1, \"at\": \"2024-01-01T00:00:00Z\", \"error\": \"old\"}, "
            "           {\"attempt\": 2, \"at\": \"2024-01-01T00:01:00Z\", \"error\": \"first "
            "failure\"}]' WHERE id = %1")
            .arg(a->job.id)));
    QVERIFY(sql(QStringLiteral("UPDATE jobs.job SET state = 'discarded', finalized_at = now(), "
                               "attempt = 1, attempted_at = now(), "
                               "errors = '[{\"attempt\": 1, \"at\": \"2024-01-01T00:02:00Z\", "
                               "\"error\": \"second failure\"}]' WHERE id = %1")
                    .arg(b->job.id)));
    const auto errors = m_client->latestErrors(10, &error);
    QVERIFY2(errors, qPrintable(error));
    QCOMPARE(errors->size(), 2);
    const QJsonObject newest = errors->at(0).toObject();
    QCOMPARE(newest.value(QStringLiteral("id")).toInteger(), b->job.id);
    QCOMPARE(newest.value(QStringLiteral("kind")).toString(), QStringLiteral("b"));
    QCOMPARE(newest.value(QStringLiteral("error")).toString(), QStringLiteral("second failure"));
    const QJsonObject older = errors->at(1).toObject();
    QCOMPARE(older.value(QStringLiteral("error")).toString(),
             QStringLiteral("first failure")); // the latest of its errors
    QCOMPARE(older.value(QStringLiteral("attempt")).toInt(), 2);
    QCOMPARE(m_client->latestErrors(1, &error)->size(), 1);
}

void TestJobClient::finalizedAtIsRequiredBySchema()
{
    QString error;
    const auto r = m_client->insert(QStringLiteral("x"), {}, {}, &error);
    QVERIFY2(r, qPrintable(error));
    ScopedConnection c(m_settings);
    QVERIFY(c.isOpen());
    for (const char *state : {"completed", "cancelled", "discarded"}) {
        error.clear();
        QVERIFY(!c.exec(QStringLiteral("UPDATE jobs.job SET state = '%1' WHERE id = %2")
                            .arg(QLatin1String(state))
                            .arg(r->job.id),
                        &error));
        QVERIFY2(error.contains(QStringLiteral("finalized_state_has_finalized_at")),
                 qPrintable(error));
    }
    // A job that is not final cannot carry finalized_at.
    error.clear();
    QVERIFY(!c.exec(
        QStringLiteral("UPDATE jobs.job SET finalized_at = now() WHERE id = %1").arg(r->job.id),
        &error));
    QVERIFY2(error.contains(QStringLiteral("finalized_state_has_finalized_at")), qPrintable(error));
    // Both together are fine.
    QVERIFY(
        c.exec(QStringLiteral(
                   "UPDATE jobs.job SET state = 'completed', finalized_at = now() WHERE id = %1")
                   .arg(r->job.id)));
    // Other checks: priority range, unique key without states.
    error.clear();
    QVERIFY(
        !c.exec(QStringLiteral("INSERT INTO jobs.job (kind, priority) VALUES ('x', 5)"), &error));
    QVERIFY2(error.contains(QStringLiteral("priority")), qPrintable(error));
    error.clear();
    QVERIFY(!c.exec(QStringLiteral("INSERT INTO jobs.job (kind, unique_key) VALUES ('x', '\\x01')"),
                    &error));
    QVERIFY2(error.contains(QStringLiteral("unique_key_has_states")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestJobClient)
#include "tst_jobclient.moc"
