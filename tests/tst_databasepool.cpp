#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QtConcurrent>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// Per-thread connections, the pool limit, and recovery after PostgreSQL restarts.
class TestDatabasePool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void eachThreadHasItsOwnConnection();
    void nestedLeasesShareTheSlot();
    void poolSizeBoundsConcurrentUse();
    void reconnectsAfterServerRestart();
    void badCredentialsGiveAClearError();
    void scriptErrorsInLaterStatementsAreReported();
    void followsAServerThatMoved();

private:
    static int backendPid(DatabasePool &pool);
    TestPostgres m_pg;
};

void TestDatabasePool::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
}

int TestDatabasePool::backendPid(DatabasePool &pool)
{
    QString error;
    auto lease = pool.acquire(5000, &error);
    if (!lease) {
        qDebug() << "acquire failed:" << error;
        return -1;
    }
    QSqlQuery q(lease->db());
    if (q.exec(QStringLiteral("SELECT pg_backend_pid()")) && q.next())
        return q.value(0).toInt();
    qDebug() << "query failed:" << q.lastError().text()
             << "broken:" << DatabasePool::isBroken(lease->db());
    return -1;
}

void TestDatabasePool::eachThreadHasItsOwnConnection()
{
    DatabasePool pool(m_pg.settings(), 4);
    const int mine = backendPid(pool);
    QVERIFY(mine > 0);
    QCOMPARE(backendPid(pool), mine); // reused on the same thread
    QThreadPool threads;
    threads.setMaxThreadCount(2);
    QSet<int> pids;
    QMutex mutex;
    QList<QFuture<void>> runs;
    QSemaphore together(0);
    for (int i = 0; i < 2; ++i)
        runs << QtConcurrent::run(&threads, [&] {
            auto lease = pool.acquire();
            QSqlQuery q(lease->db());
            q.exec(QStringLiteral("SELECT pg_backend_pid()"));
            q.next();
            QMutexLocker lock(&mutex);
            pids.insert(q.value(0).toInt());
            lock.unlock();
            together.release();
            together.acquire(); // hold the lease until both threads have theirs
            together.release();
        });
    for (auto &r : runs)
        r.waitForFinished();
    QCOMPARE(pids.size(), 2);
    QVERIFY(!pids.contains(mine));
}

void TestDatabasePool::nestedLeasesShareTheSlot()
{
    DatabasePool pool(m_pg.settings(), 1);
    auto outer = pool.acquire(1000);
    QVERIFY(outer);
    QCOMPARE(pool.inUse(), 1);
    {
        auto inner = pool.acquire(100);
        QVERIFY2(inner, "a nested acquire on the same thread must not deadlock on a pool of one");
        QCOMPARE(pool.inUse(), 1);
    }
    QCOMPARE(pool.inUse(), 1);
}

void TestDatabasePool::poolSizeBoundsConcurrentUse()
{
    DatabasePool pool(m_pg.settings(), 2);
    QSemaphore held(0), release(0);
    QThreadPool threads;
    threads.setMaxThreadCount(2);
    QList<QFuture<void>> holders;
    for (int i = 0; i < 2; ++i)
        holders << QtConcurrent::run(&threads, [&] {
            auto lease = pool.acquire();
            held.release();
            release.acquire();
        });
    held.acquire(2);
    QCOMPARE(pool.inUse(), 2);
    QString error;
    QVERIFY(!pool.acquire(200, &error));
    QVERIFY2(error.contains(QStringLiteral("busy")), qPrintable(error));
    release.release(2);
    for (auto &h : holders)
        h.waitForFinished();
    QCOMPARE(pool.inUse(), 0);
    QVERIFY(pool.acquire(200));
}

void TestDatabasePool::reconnectsAfterServerRestart()
{
    DatabasePool pool(m_pg.settings(), 2);
    const int before = backendPid(pool);
    QVERIFY(before > 0);

    m_pg.stop();
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));

    // The old connection died with the server. At most one query fails; then the pool reopens.
    int after = backendPid(pool);
    if (after <= 0)
        after = backendPid(pool);
    QVERIFY(after > 0);
    QVERIFY(after != before);
    QCOMPARE(backendPid(pool), after);
}

void TestDatabasePool::badCredentialsGiveAClearError()
{
    ConnectionSettings wrong = m_pg.settings();
    wrong.password = QStringLiteral("wrong");
    DatabasePool pool(wrong, 1);
    QString error;
    QVERIFY(!pool.acquire(1000, &error));
    QVERIFY2(error.contains(QStringLiteral("password authentication failed")), qPrintable(error));
    QCOMPARE(pool.inUse(), 0); // the slot went back

    ConnectionSettings nowhere = m_pg.settings();
    nowhere.port = 1; // nothing listens there
    DatabasePool unreachable(nowhere, 1);
    QVERIFY(!unreachable.acquire(1000, &error));
    QVERIFY2(!error.isEmpty(), "an unreachable server is reported");
}

void TestDatabasePool::scriptErrorsInLaterStatementsAreReported()
{
    DatabasePool pool(m_pg.settings(), 1);
    auto lease = pool.acquire();
    QString error;
    QVERIFY(DatabasePool::execScript(
        lease->db(), "CREATE TEMP TABLE a (x int); INSERT INTO a VALUES (1);", &error));
    QVERIFY(
        !DatabasePool::execScript(lease->db(), "SELECT 1; SELECT * FROM missing_table;", &error));
    QVERIFY2(error.contains(QStringLiteral("missing_table")), qPrintable(error));
    // The connection stays usable.
    QSqlQuery q(lease->db());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM a")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
}

void TestDatabasePool::followsAServerThatMoved()
{
    // A second server stands for the managed PostgreSQL after it had to change port.
    TestPostgres moved;
    moved.setPassword(m_pg.settings().password);
    QString error;
    QVERIFY2(moved.start(&error), qPrintable(error));

    auto pool = std::make_shared<DatabasePool>(m_pg.settings(), 2);
    auto follower = std::make_shared<DatabasePool>(m_pg.settings(), 1);
    pool->addFollower(
        follower, [](ConnectionSettings &s) { s.applicationName = QStringLiteral("follower"); });
    auto port = [](DatabasePool &p) {
        auto lease = p.acquire();
        QSqlQuery q(lease->db());
        return q.exec(QStringLiteral("SHOW port")) && q.next() ? q.value(0).toInt() : -1;
    };
    QCOMPARE(port(*pool), int(m_pg.settings().port));
    QCOMPARE(port(*follower), int(m_pg.settings().port));

    pool->setSettings(moved.settings());
    QCOMPARE(port(*pool), int(moved.settings().port));
    QCOMPARE(port(*follower), int(moved.settings().port));
    QCOMPARE(follower->settings().applicationName, QStringLiteral("follower"));
    QCOMPARE(pool->settings().port, moved.settings().port);
}

QTEST_GUILESS_MAIN(TestDatabasePool)
#include "tst_databasepool.moc"
