#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "library/LibraryRepository.h"
#include "library/LibraryScanner.h"

#include <QDir>
#include <QFile>
#include <QSemaphore>
#include <QtTest>
#include <fcntl.h>
#include <sys/fsuid.h>
#include <thread>
#include <unistd.h>

using namespace Revenge;
using namespace Revenge::Test;

// The scanner against a real PostgreSQL and real folders: what a first scan makes of a library,
// what rescans change (nothing, a changed file, a move, a deletion), and the bad inputs (hidden
// and litter folders, symlink loops, unreadable folders, non-UTF-8 names, an unmounted folder).
class TestLibraryScanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void firstScanIdentifiesEverything();
    void unchangedRescanWritesNothing();
    void changedFileIsUpdated();
    void movedFileKeepsItsRowAndItems();
    void renamedMovieIsIdentifiedAgain();
    void deletedFileRemovesItsItem();
    void badInputsAreRecordedAndTheScanGoesOn();
    void unreadableFolderKeepsItsFiles();
    void unreachableRootKeepsItsFiles();
    void secondScanOfALibraryIsRefused();
    void cancelledScanRemovesNothing();
    void enrichmentIsQueued();
    void libraryValidation();
    void adultLibraryStaysInItsSchema();

private:
    QString touch(const QString &relative, qint64 size = 1000);
    LibraryScan scan(const ScanOptions &options = {});
    qint64 count(const QByteArray &sql);
    QString value(const QByteArray &sql);

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_root;
    QString m_libraryId;
};

void TestLibraryScanner::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("scanner")), 4);
    auto lease = m_pool->acquire();
    QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    m_jobs = std::make_shared<JobClient>(m_pool);
}

void TestLibraryScanner::init()
{
    m_dir = makeTempDir(QStringLiteral("revenge-scan"));
    m_root = m_dir->path() + QStringLiteral("/media");
    QVERIFY(QDir().mkpath(m_root));
    touch(QStringLiteral("Inception (2010)/Inception (2010).mkv"));
    touch(QStringLiteral("Inception (2010)/Inception (2010).en.srt"), 100);
    touch(QStringLiteral("Inception (2010)/Inception (2010)-trailer.mkv"));
    touch(QStringLiteral("Inception (2010)/poster.jpg"), 50);
    touch(QStringLiteral("Inception (2010)/movie.nfo"), 50);
    touch(QStringLiteral("Heat.1995.1080p.BluRay.x264-GRP.mkv"));
    touch(QStringLiteral("Breaking Bad/Season 01/Breaking Bad - S01E01 - Pilot.mkv"));
    touch(QStringLiteral("Breaking Bad/Season 01/Breaking Bad - S01E02.mkv"));
    touch(QStringLiteral("Breaking Bad/Season 01/Breaking Bad - S01E03E04.mkv"));
    touch(QStringLiteral("The Daily Show/The Daily Show 2024-01-15.mkv"));
    touch(QStringLiteral("Pink Floyd/The Wall (1979)/01 - In the Flesh.flac"));
    touch(QStringLiteral("Pink Floyd/The Wall (1979)/02 - The Thin Ice.flac"));
    // Never scanned.
    touch(QStringLiteral(".Trash-1000/files/Deleted (2001).mkv"));
    touch(QStringLiteral("@eaDir/Inception (2010).mkv/SYNOVIDEO_VIDEO_SCREENSHOT.jpg"));
    touch(QStringLiteral(".hidden.mkv"));
    touch(QStringLiteral("notes.txt"));
    touch(QStringLiteral("#recycle/Old (1999).mkv"));

    LibraryRepository repository(m_pool);
    QString error;
    const auto library =
        repository.create(QStringLiteral("Everything"), QStringLiteral("mixed"), {m_root}, &error);
    QVERIFY2(library, qPrintable(error));
    m_libraryId = library->id;
}

void TestLibraryScanner::cleanup()
{
    LibraryRepository(m_pool).remove(m_libraryId);
    auto lease = m_pool->acquire();
    pgExec(lease->db(), "DELETE FROM jobs.job");
    if (m_dir) {
        // Unreadable folders left by a test must not stop the removal.
        QProcess::execute(QStringLiteral("chmod"),
                          {QStringLiteral("-R"), QStringLiteral("u+rwx"), m_dir->path()});
    }
    m_dir.reset();
}

QString TestLibraryScanner::touch(const QString &relative, qint64 size)
{
    const QString path = m_root + QLatin1Char('/') + relative;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !f.resize(size))
        qWarning() << "cannot create" << path;
    return path;
}

LibraryScan TestLibraryScanner::scan(const ScanOptions &options)
{
    LibraryScanner scanner(m_pool, m_jobs);
    QString error;
    const auto result = scanner.scan(m_libraryId, options, &error);
    if (!result)
        qWarning().noquote() << "scan failed:" << error;
    return result.value_or(LibraryScan{});
}

qint64 TestLibraryScanner::count(const QByteArray &sql)
{
    return value(sql).toLongLong();
}

QString TestLibraryScanner::value(const QByteArray &sql)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), sql, {});
    if (!r.ok()) {
        qWarning().noquote() << sql << r.error();
        return {};
    }
    return r.rows() ? r.text(0, 0) : QString();
}

void TestLibraryScanner::firstScanIdentifiesEverything()
{
    QList<ScanProgress> reports;
    ScanOptions options;
    options.progress = [&](const ScanProgress &p) { reports << p; };
    const LibraryScan s = scan(options);
    QCOMPARE(s.status, QStringLiteral("completed"));
    QCOMPARE(s.scanned, 12);
    QCOMPARE(s.added, 12);
    QCOMPARE(s.updated + s.removed + s.moved + s.errors, 0);
    QVERIFY(!reports.isEmpty());
    QCOMPARE(reports.first().phase, QStringLiteral("walking"));

    QCOMPARE(count("SELECT count(*) FROM media.media_files WHERE path LIKE '%Trash%' OR path LIKE "
                   "'%eaDir%' OR path LIKE '%hidden%' OR path LIKE '%recycle%' OR path LIKE "
                   "'%.txt'"),
             0);
    QCOMPARE(value("SELECT string_agg(title || ' ' || year, ', ' ORDER BY title) FROM "
                   "media.movies"),
             QStringLiteral("Heat 1995, Inception 2010"));
    // The subtitle and the trailer belong to the movie.
    QCOMPARE(value("SELECT string_agg(i.kind, ',' ORDER BY i.kind) FROM media.item_files i JOIN "
                   "media.movies m ON m.id = i.item_id WHERE m.title = 'Inception'"),
             QStringLiteral("main,subtitle,trailer"));
    QCOMPARE(value("SELECT string_agg(e.season_number || 'x' || e.episode_number || "
                   "coalesce('-' || e.episode_number_end, ''), ',' ORDER BY e.episode_number) "
                   "FROM media.episodes e JOIN media.series x ON x.id = e.series_id "
                   "WHERE x.title = 'Breaking Bad'"),
             QStringLiteral("1x1,1x2,1x3-4"));
    QCOMPARE(value("SELECT e.air_date::text FROM media.episodes e JOIN media.series x ON x.id = "
                   "e.series_id WHERE x.title = 'The Daily Show'"),
             QStringLiteral("2024-01-15"));
    QCOMPARE(value("SELECT a.name || '/' || b.title || '/' || string_agg(t.track_number || ' ' "
                   "|| t.title, ',' ORDER BY t.track_number) FROM media.music_tracks t JOIN "
                   "media.music_albums b ON b.id = t.album_id JOIN media.music_artists a ON a.id "
                   "= b.artist_id GROUP BY a.name, b.title"),
             QStringLiteral("Pink Floyd/The Wall/1 In the Flesh,2 The Thin Ice"));
    QCOMPARE(count("SELECT count(*) FROM media.media_files WHERE identification IS NULL AND kind "
                   "IN ('video', 'audio', 'subtitle')"),
             0);
    const LibraryScan row = LibraryRepository(m_pool).scans(m_libraryId)->first();
    QCOMPARE(row.status, QStringLiteral("completed"));
    QCOMPARE(row.scanned, 12);
    QVERIFY(row.finishedAt.isValid());
}

void TestLibraryScanner::unchangedRescanWritesNothing()
{
    QCOMPARE(scan().status, QStringLiteral("completed"));
    const QString before = value("SELECT max(updated_at)::text || count(*) FROM "
                                 "media.media_files");
    const qint64 jobs = count("SELECT count(*) FROM jobs.job");
    const qint64 writes = count("SELECT n_tup_ins + n_tup_upd + n_tup_del FROM "
                                "pg_stat_user_tables WHERE relname = 'media_files' AND "
                                "schemaname = 'media'");
    QList<ScanProgress> reports;
    ScanOptions options;
    options.progress = [&](const ScanProgress &p) { reports << p; };
    const LibraryScan s = scan(options);
    QCOMPARE(s.status, QStringLiteral("completed"));
    QCOMPARE(s.scanned, 12);
    // A rescan knows how long its walk will be.
    QVERIFY(!reports.isEmpty());
    QCOMPARE(reports.first().phase, QStringLiteral("walking"));
    QCOMPARE(reports.first().total, 12);
    QCOMPARE(s.added + s.updated + s.removed + s.moved, 0);
    QCOMPARE(value("SELECT max(updated_at)::text || count(*) FROM media.media_files"), before);
    QCOMPARE(count("SELECT count(*) FROM jobs.job"), jobs);
    // Statistics arrive asynchronously; a write would only ever raise the counter.
    QTest::qWait(600);
    QCOMPARE(count("SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables WHERE "
                   "relname = 'media_files' AND schemaname = 'media'"),
             writes);
}

void TestLibraryScanner::changedFileIsUpdated()
{
    scan();
    QVERIFY(count("UPDATE media.media_files SET probe = '{}', probed_at = now() WHERE path LIKE "
                  "'%Heat%' RETURNING 1") >= 0);
    QFile f(m_root + QStringLiteral("/Heat.1995.1080p.BluRay.x264-GRP.mkv"));
    QVERIFY(f.open(QIODevice::ReadWrite) && f.resize(5000));
    f.close();
    const LibraryScan s = scan();
    QCOMPARE(s.updated, 1);
    QCOMPARE(s.added + s.removed + s.moved, 0);
    QCOMPARE(value("SELECT size || ' ' || (probed_at IS NULL) FROM media.media_files WHERE path "
                   "LIKE '%Heat%'"),
             QStringLiteral("5000 true"));
    QCOMPARE(count("SELECT count(*) FROM media.movies WHERE title = 'Heat'"), 1);
}

void TestLibraryScanner::movedFileKeepsItsRowAndItems()
{
    scan();
    const QString fileId = value("SELECT id FROM media.media_files WHERE path LIKE '%S01E02%'");
    const QString episodeId =
        value("SELECT item_id FROM media.item_files WHERE file_id = '" + fileId.toUtf8() + "'");
    QVERIFY(!episodeId.isEmpty());
    QVERIFY(QDir().mkpath(m_root + QStringLiteral("/Breaking Bad/S1")));
    QVERIFY(QFile::rename(m_root + QStringLiteral("/Breaking Bad/Season 01/Breaking Bad - "
                                                  "S01E02.mkv"),
                          m_root + QStringLiteral("/Breaking Bad/S1/Breaking Bad - S01E02.mkv")));
    const LibraryScan s = scan();
    QCOMPARE(s.moved, 1);
    QCOMPARE(s.added + s.removed + s.updated, 0);
    QCOMPARE(value("SELECT path FROM media.media_files WHERE id = '" + fileId.toUtf8() + "'"),
             m_root + QStringLiteral("/Breaking Bad/S1/Breaking Bad - S01E02.mkv"));
    QCOMPARE(
        value("SELECT item_id FROM media.item_files WHERE file_id = '" + fileId.toUtf8() + "'"),
        episodeId);
}

void TestLibraryScanner::renamedMovieIsIdentifiedAgain()
{
    scan();
    QVERIFY(QFile::rename(m_root + QStringLiteral("/Heat.1995.1080p.BluRay.x264-GRP.mkv"),
                          m_root + QStringLiteral("/Ronin (1998).mkv")));
    const LibraryScan s = scan();
    QCOMPARE(s.moved, 1);
    QCOMPARE(value("SELECT string_agg(title || ' ' || year, ', ' ORDER BY title) FROM "
                   "media.movies"),
             QStringLiteral("Inception 2010, Ronin 1998"));
}

void TestLibraryScanner::deletedFileRemovesItsItem()
{
    scan();
    QVERIFY(QFile::remove(m_root + QStringLiteral("/Breaking Bad/Season 01/Breaking Bad - "
                                                  "S01E01 - Pilot.mkv")));
    QVERIFY(QFile::remove(m_root + QStringLiteral("/The Daily Show/The Daily Show "
                                                  "2024-01-15.mkv")));
    const LibraryScan s = scan();
    QCOMPARE(s.removed, 2);
    QCOMPARE(s.added + s.updated + s.moved, 0);
    QCOMPARE(count("SELECT count(*) FROM media.episodes e JOIN media.series x ON x.id = "
                   "e.series_id WHERE x.title = 'Breaking Bad'"),
             2);
    // A series without episodes goes too.
    QCOMPARE(count("SELECT count(*) FROM media.series WHERE title = 'The Daily Show'"), 0);
    QCOMPARE(count("SELECT count(*) FROM media.media_files"), 10);
}

void TestLibraryScanner::badInputsAreRecordedAndTheScanGoesOn()
{
    // A symlink loop, a dangling link with a media name, a name that is not UTF-8, deep nesting.
    QVERIFY(QFile::link(m_root, m_root + QStringLiteral("/Breaking Bad/loop")));
    QVERIFY(QFile::link(m_root + QStringLiteral("/nowhere.mkv"),
                        m_root + QStringLiteral("/Dangling (2000).mkv")));
    const QByteArray bad = QFile::encodeName(m_root) + "/Bad\xff\xfeName (2001).mkv";
    const int fd = ::open(bad.constData(), O_CREAT | O_WRONLY, 0644);
    QVERIFY(fd >= 0);
    ::close(fd);
    QString deep = QStringLiteral("deep");
    for (int i = 0; i < 70; ++i)
        deep += QStringLiteral("/d");
    touch(deep + QStringLiteral("/Deep (2002).mkv"));

    const LibraryScan s = scan();
    QCOMPARE(s.status, QStringLiteral("completed"));
    QCOMPARE(s.scanned, 12);
    QVERIFY2(s.errors >= 4, qPrintable(QString::number(s.errors)));
    const QString samples = QString::fromUtf8(QJsonDocument(s.errorSamples).toJson());
    QVERIFY2(samples.contains(QStringLiteral("symbolic link loop")), qPrintable(samples));
    QVERIFY2(samples.contains(QStringLiteral("not valid UTF-8")), qPrintable(samples));
    QVERIFY2(samples.contains(QStringLiteral("nested too deep")), qPrintable(samples));
    QVERIFY2(samples.contains(QStringLiteral("Dangling")), qPrintable(samples));
    QCOMPARE(count("SELECT count(*) FROM media.media_files"), 12);
}

void TestLibraryScanner::unreadableFolderKeepsItsFiles()
{
    scan();
    const QString season = m_root + QStringLiteral("/Breaking Bad/Season 01");
    QVERIFY(QFile::setPermissions(season, QFileDevice::Permissions()));
    // Root reads any folder: drop to an ordinary user's file-system rights for the walk (the
    // database connection is already open).
    const bool root = ::geteuid() == 0;
    count("SELECT 1");
    if (root)
        ::setfsuid(65534);
    const LibraryScan s = scan();
    if (root)
        ::setfsuid(0);
    QFile::setPermissions(season, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                      QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                      QFileDevice::ExeOther);
    QCOMPARE(s.status, QStringLiteral("completed"));
    QCOMPARE(s.removed, 0);
    QCOMPARE(s.errors, 1);
    QVERIFY(QString::fromUtf8(QJsonDocument(s.errorSamples).toJson())
                .contains(QStringLiteral("cannot be read")));
    QCOMPARE(count("SELECT count(*) FROM media.episodes"), 4);
}

void TestLibraryScanner::unreachableRootKeepsItsFiles()
{
    scan();
    const QString moved = m_dir->path() + QStringLiteral("/unplugged");
    QVERIFY(QDir().rename(m_root, moved));
    const LibraryScan s = scan();
    QDir().rename(moved, m_root);
    QCOMPARE(s.removed, 0);
    QCOMPARE(s.errors, 1);
    QVERIFY(QString::fromUtf8(QJsonDocument(s.errorSamples).toJson())
                .contains(QStringLiteral("unmounted")));
    QCOMPARE(count("SELECT count(*) FROM media.media_files"), 12);
    QCOMPARE(count("SELECT count(*) FROM media.movies"), 2);
}

void TestLibraryScanner::secondScanOfALibraryIsRefused()
{
    // A scan running in another process holds the library's lock and has a "running" row.
    auto other = std::make_shared<DatabasePool>(m_pool->settings(), 1);
    std::thread holder;
    QSemaphore locked, release;
    holder = std::thread([&] {
        auto lease = other->acquire();
        pgExec(lease->db(),
               "SELECT pg_advisory_lock(hashtextextended('revenge.library.scan:' || $1, 0))",
               {m_libraryId.toUtf8()});
        locked.release();
        release.acquire();
        pgExec(lease->db(),
               "SELECT pg_advisory_unlock(hashtextextended('revenge.library.scan:' || $1, 0))",
               {m_libraryId.toUtf8()});
    });
    locked.acquire();
    QCOMPARE(count("INSERT INTO shared.library_scans (library_id) VALUES ('" +
                   m_libraryId.toUtf8() + "') RETURNING 1"),
             1);
    LibraryScanner scanner(m_pool, m_jobs);
    QString error;
    QVERIFY(!scanner.scan(m_libraryId, {}, &error));
    QVERIFY2(error.contains(QStringLiteral("already running")), qPrintable(error));
    // Once that process is gone, its row is closed as interrupted and scanning works again.
    release.release();
    holder.join();
    QCOMPARE(scan().status, QStringLiteral("completed"));
    QCOMPARE(value("SELECT error FROM shared.library_scans WHERE status = 'failed'"),
             QStringLiteral("interrupted (the process running it stopped)"));
    // An unknown library.
    QVERIFY(!scanner.scan(QStringLiteral("not-a-uuid"), {}, &error));
    QVERIFY2(error.contains(QStringLiteral("not found")), qPrintable(error));
}

void TestLibraryScanner::cancelledScanRemovesNothing()
{
    scan();
    QVERIFY(QFile::remove(m_root + QStringLiteral("/Heat.1995.1080p.BluRay.x264-GRP.mkv")));
    int seen = 0;
    ScanOptions options;
    options.cancelled = [&] { return ++seen > 3; };
    const LibraryScan s = scan(options);
    QCOMPARE(s.status, QStringLiteral("cancelled"));
    QCOMPARE(s.removed, 0);
    QCOMPARE(count("SELECT count(*) FROM media.movies"), 2);
    // The next scan finishes the job.
    const LibraryScan next = scan();
    QCOMPARE(next.status, QStringLiteral("completed"));
    QCOMPARE(next.removed, 1);
    QCOMPARE(count("SELECT count(*) FROM media.movies"), 1);
}

void TestLibraryScanner::enrichmentIsQueued()
{
    scan();
    // Probes for the new video and audio files, local metadata for the new items.
    QCOMPARE(count("SELECT sum(jsonb_array_length(args->'file_ids')) FROM jobs.job WHERE kind = "
                   "'media.probe'"),
             9);
    QCOMPARE(count("SELECT sum(jsonb_array_length(args->'item_ids')) FROM jobs.job WHERE kind = "
                   "'metadata.local' AND args->>'item_type' = 'movie'"),
             2);
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'metadata.local' AND "
                   "args->>'item_type' = 'series'"),
             1);
    // A new NFO next to a movie queues that movie's local metadata again.
    count("DELETE FROM jobs.job");
    touch(QStringLiteral("Inception (2010)/Inception (2010).nfo"), 10);
    scan();
    QCOMPARE(value("SELECT string_agg(args->>'item_type', ',') FROM jobs.job WHERE kind = "
                   "'metadata.local'"),
             QStringLiteral("movie"));
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'media.probe'"), 0);
}

void TestLibraryScanner::libraryValidation()
{
    LibraryRepository repository(m_pool);
    QString error;
    QVERIFY(!repository.create(QString(), QStringLiteral("movies"), {m_root}, &error));
    QVERIFY2(error.startsWith(QStringLiteral("name:")), qPrintable(error));
    QVERIFY(!repository.create(QStringLiteral("X"), QStringLiteral("films"), {m_root}, &error));
    QVERIFY2(error.startsWith(QStringLiteral("type:")), qPrintable(error));
    QVERIFY(!repository.create(QStringLiteral("X"), QStringLiteral("movies"),
                               {QStringLiteral("relative/path")}, &error));
    QVERIFY2(error.contains(QStringLiteral("not an absolute path")), qPrintable(error));
    QVERIFY(!repository.create(QStringLiteral("X"), QStringLiteral("movies"),
                               {m_root + QStringLiteral("/missing")}, &error));
    QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
    QVERIFY(!repository.create(QStringLiteral("X"), QStringLiteral("movies"),
                               {m_root + QStringLiteral("/Heat.1995.1080p.BluRay.x264-GRP.mkv")},
                               &error));
    QVERIFY2(error.contains(QStringLiteral("not a folder")), qPrintable(error));
    QVERIFY(!repository.create(QStringLiteral("X"), QStringLiteral("movies"),
                               {m_root, m_root + QStringLiteral("/Breaking Bad")}, &error));
    QVERIFY2(error.contains(QStringLiteral("inside")), qPrintable(error));
    // Overlapping another library of the same kind of content.
    QVERIFY(!repository.create(QStringLiteral("X"), QStringLiteral("movies"),
                               {m_root + QStringLiteral("/Breaking Bad")}, &error));
    QVERIFY2(error.contains(QStringLiteral("of library 'Everything'")), qPrintable(error));
    QVERIFY(!repository.create(QStringLiteral("everything"), QStringLiteral("adult"), {m_root},
                               &error));
    QVERIFY2(error.contains(QStringLiteral("exists")), qPrintable(error));
}

void TestLibraryScanner::adultLibraryStaysInItsSchema()
{
    const QString root = m_dir->path() + QStringLiteral("/private");
    QVERIFY(QDir().mkpath(root + QStringLiteral("/Some Feature (2019)")));
    for (const QString &name : {QStringLiteral("/Some Feature (2019)/Some Feature (2019).mkv"),
                                QStringLiteral("/Studio - Scene Title 2023-05-01.mp4"),
                                QStringLiteral("/Another Scene.mp4")}) {
        QFile f(root + name);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    QString error;
    const auto adult = LibraryRepository(m_pool).create(QStringLiteral("Private"),
                                                        QStringLiteral("adult"), {root}, &error);
    QVERIFY2(adult, qPrintable(error));
    const qint64 mediaFiles = count("SELECT count(*) FROM media.media_files");
    const auto s = LibraryScanner(m_pool, m_jobs).scan(adult->id, {}, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(s->status, QStringLiteral("completed"));
    QCOMPARE(s->added, 3);
    QCOMPARE(count("SELECT count(*) FROM c.media_files"), 3);
    QCOMPARE(count("SELECT count(*) FROM media.media_files"), mediaFiles);
    QCOMPARE(value("SELECT title || ' ' || year FROM c.movies"),
             QStringLiteral("Some Feature 2019"));
    QCOMPARE(count("SELECT count(*) FROM c.scenes"), 2);
    QCOMPARE(count("SELECT count(*) FROM c.item_files WHERE kind = 'main'"), 3);
    // Its enrichment jobs name schema c.
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind IN ('media.probe', "
                   "'metadata.local') AND args->>'schema' = 'c'"),
             3);
    // Deleting a scene's file removes the scene.
    QVERIFY(QFile::remove(root + QStringLiteral("/Another Scene.mp4")));
    QCOMPARE(LibraryScanner(m_pool, m_jobs).scan(adult->id, {}, &error)->removed, 1);
    QCOMPARE(count("SELECT count(*) FROM c.scenes"), 1);
    LibraryRepository(m_pool).remove(adult->id);
}

QTEST_GUILESS_MAIN(TestLibraryScanner)
#include "tst_libraryscanner.moc"
