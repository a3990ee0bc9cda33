#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "library/LibraryRepository.h"
#include "library/LibraryWatcher.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// Folder watching: a burst of changes anywhere in a library (also in a folder made after the
// watch began) queues one incremental scan once the library is quiet.
class TestLibraryWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void burstOfChangesQueuesOneScan();
    void newFoldersAreWatchedToo();
    void removedLibraryIsNoLongerWatched();

private:
    qint64 scanJobs();

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LibraryWatcher> m_watcher;
    QString m_root;
    QString m_libraryId;
};

void TestLibraryWatcher::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("watcher")), 4);
    {
        auto lease = m_pool->acquire();
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    m_dir = makeTempDir(QStringLiteral("revenge-watch"));
    m_root = m_dir->path();
    QVERIFY(QDir().mkpath(m_root + QStringLiteral("/Show/Season 01")));
    QVERIFY(QDir().mkpath(m_root + QStringLiteral("/.hidden")));
    const auto library = LibraryRepository(m_pool).create(
        QStringLiteral("Watched"), QStringLiteral("tvshows"), {m_root}, &error);
    QVERIFY2(library, qPrintable(error));
    m_libraryId = library->id;
    m_watcher = std::make_unique<LibraryWatcher>(m_pool, std::make_shared<JobClient>(m_pool),
                                                 std::chrono::milliseconds(700));
    QSignalSpy watching(m_watcher.get(), &LibraryWatcher::watching);
    m_watcher->start();
    QVERIFY(watching.wait(10000));
    // The root and the two show folders; hidden folders are not watched.
    QCOMPARE(watching.first().at(1).toInt(), 3);
}

qint64 TestLibraryWatcher::scanJobs()
{
    auto lease = m_pool->acquire();
    return pgExec(lease->db(), "SELECT count(*) FROM jobs.job WHERE kind = 'library.scan'")
        .toInt(0, 0);
}

void TestLibraryWatcher::burstOfChangesQueuesOneScan()
{
    QSignalSpy queued(m_watcher.get(), &LibraryWatcher::scanQueued);
    for (int i = 1; i <= 20; ++i) {
        QFile f(m_root + QStringLiteral("/Show/Season 01/Show - S01E%1.mkv").arg(i));
        QVERIFY(f.open(QIODevice::WriteOnly));
        QTest::qWait(20);
    }
    QVERIFY(queued.wait(10000));
    QTest::qWait(1500);
    QCOMPARE(queued.size(), 1);
    QCOMPARE(queued.first().at(0).toString(), m_libraryId);
    QVERIFY(waitUntil([&] { return scanJobs() == 1; }, 5000));
}

void TestLibraryWatcher::newFoldersAreWatchedToo()
{
    QSignalSpy watching(m_watcher.get(), &LibraryWatcher::watching);
    QSignalSpy queued(m_watcher.get(), &LibraryWatcher::scanQueued);
    QVERIFY(QDir().mkpath(m_root + QStringLiteral("/Show/Season 02")));
    QVERIFY(queued.wait(10000)); // the new folder itself is a change of its parent
    QVERIFY(watching.wait(10000) || !watching.isEmpty());
    queued.clear();
    QFile f(m_root + QStringLiteral("/Show/Season 02/Show - S02E01.mkv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(queued.wait(10000));
}

void TestLibraryWatcher::removedLibraryIsNoLongerWatched()
{
    QVERIFY(LibraryRepository(m_pool).remove(m_libraryId));
    m_watcher->reload();
    QVERIFY(waitUntil([&] { return m_watcher->watchedFolders() == 0; }, 10000));
}

QTEST_GUILESS_MAIN(TestLibraryWatcher)
#include "tst_librarywatcher.moc"
