#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/Migrator.h"

#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QtConcurrent>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// Migrations against a real PostgreSQL: fresh, repeated, concurrent, tampered, failing.
class TestMigrator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void embeddedMigrationsAreWellFormed();
    void freshDatabaseGetsTheWholeSchema();
    void repeatedRunAppliesNothing();
    void concurrentStartsApplyEachMigrationOnce();
    void tamperedChecksumStopsStartup();
    void failingMigrationIsRolledBackWhole();
    void badFileNameIsRejected();
    void schemaEnforcesItsRules();

private:
    int embeddedCount();
    QString writeMigrations(const QMap<QString, QByteArray> &files);

    TestPostgres m_pg;
    std::unique_ptr<QTemporaryDir> m_scratch;
    int m_db = 0;
    ConnectionSettings freshDatabase()
    {
        return m_pg.createDatabase(QStringLiteral("mig_%1").arg(++m_db));
    }
};

void TestMigrator::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_scratch = makeTempDir();
}

int TestMigrator::embeddedCount()
{
    QString error;
    ScopedConnection c(m_pg.settings());
    const auto list = Migrator(c.db()).available(&error);
    return list ? int(list->size()) : -1;
}

QString TestMigrator::writeMigrations(const QMap<QString, QByteArray> &files)
{
    static int n = 0;
    const QString dir = m_scratch->path() + QStringLiteral("/set%1").arg(++n);
    QDir().mkpath(dir);
    for (auto it = files.begin(); it != files.end(); ++it) {
        QFile f(dir + QLatin1Char('/') + it.key());
        f.open(QIODevice::WriteOnly);
        f.write(it.value());
    }
    return dir;
}

void TestMigrator::embeddedMigrationsAreWellFormed()
{
    ScopedConnection c(m_pg.settings());
    QString error;
    const auto list = Migrator(c.db()).available(&error);
    QVERIFY2(list, qPrintable(error));
    QVERIFY(list->size() >= 4);
    for (int i = 0; i < list->size(); ++i) {
        QCOMPARE(list->at(i).version, i + 1); // no gaps, in order
        QCOMPARE(list->at(i).checksum.size(), 64);
    }
}

void TestMigrator::freshDatabaseGetsTheWholeSchema()
{
    ScopedConnection c(freshDatabase());
    QVERIFY2(c.isOpen(), qPrintable(c.error()));
    Migrator migrator(c.db());
    QString error;
    int applied = 0;
    QVERIFY2(migrator.up(&error, &applied), qPrintable(error));
    QCOMPARE(applied, embeddedCount());
    QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM public.schema_migrations")).toInt(),
             applied);
    for (const char *table : {"shared.users",
                              "shared.sessions",
                              "shared.api_keys",
                              "shared.libraries",
                              "shared.library_scans",
                              "shared.server_settings",
                              "shared.audit_log",
                              "media.movies",
                              "media.series",
                              "media.seasons",
                              "media.episodes",
                              "media.music_artists",
                              "media.music_albums",
                              "media.music_tracks",
                              "media.media_files",
                              "media.people",
                              "media.credits",
                              "media.genres",
                              "media.images",
                              "media.user_item_progress",
                              "media.watch_history",
                              "c.movies",
                              "c.scenes",
                              "c.performers",
                              "c.media_files",
                              "c.user_item_progress"}) {
        QVERIFY2(
            c.scalar(
                 QStringLiteral("SELECT to_regclass('%1') IS NOT NULL").arg(QLatin1String(table)))
                .toBool(),
            table);
    }
    const auto status = migrator.status(&error);
    QVERIFY(status);
    for (const auto &s : *status) {
        QVERIFY(s.applied);
        QVERIFY(!s.checksumMismatch);
    }
}

void TestMigrator::repeatedRunAppliesNothing()
{
    ScopedConnection c(freshDatabase());
    Migrator migrator(c.db());
    QString error;
    int applied = -1;
    QVERIFY2(migrator.up(&error, &applied), qPrintable(error));
    QVERIFY(applied > 0);
    QVERIFY2(migrator.up(&error, &applied), qPrintable(error));
    QCOMPARE(applied, 0);
    QVERIFY2(migrator.up(&error, &applied), qPrintable(error));
    QCOMPARE(applied, 0);
}

void TestMigrator::concurrentStartsApplyEachMigrationOnce()
{
    // Four "processes" (separate sessions) start together; the advisory lock serialises them.
    const ConnectionSettings settings = freshDatabase();
    QThreadPool pool;
    pool.setMaxThreadCount(4);
    QList<QFuture<std::pair<bool, int>>> runs;
    for (int i = 0; i < 4; ++i) {
        runs << QtConcurrent::run(&pool, [settings] {
            ScopedConnection c(settings);
            QString error;
            int applied = 0;
            const bool ok = Migrator(c.db()).up(&error, &applied);
            if (!ok)
                qWarning() << error;
            return std::make_pair(ok, applied);
        });
    }
    int total = 0;
    for (auto &f : runs) {
        const auto [ok, applied] = f.result();
        QVERIFY(ok);
        total += applied;
    }
    QCOMPARE(total, embeddedCount());
    ScopedConnection c(settings);
    QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM public.schema_migrations")).toInt(),
             embeddedCount());
}

void TestMigrator::tamperedChecksumStopsStartup()
{
    const QString dir =
        writeMigrations({{QStringLiteral("0001_first.sql"), "CREATE TABLE first_t (id int);"},
                         {QStringLiteral("0002_second.sql"), "CREATE TABLE second_t (id int);"}});
    ScopedConnection c(freshDatabase());
    QString error;
    QVERIFY2(Migrator(c.db(), dir).up(&error), qPrintable(error));

    QFile f(dir + QStringLiteral("/0001_first.sql"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("CREATE TABLE first_t (id int, sneaky text);");
    f.close();

    Migrator migrator(c.db(), dir);
    QVERIFY(!migrator.up(&error));
    QVERIFY2(error.contains(QStringLiteral("0001_first.sql")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("changed after it was applied")), qPrintable(error));
    const auto status = migrator.status(&error);
    QVERIFY(status);
    QVERIFY(status->at(0).checksumMismatch);
    QVERIFY(!status->at(1).checksumMismatch);
}

void TestMigrator::failingMigrationIsRolledBackWhole()
{
    const QString dir =
        writeMigrations({{QStringLiteral("0001_good.sql"), "CREATE TABLE good_t (id int);"},
                         {QStringLiteral("0002_bad.sql"),
                          "CREATE TABLE half_t (id int);\nINSERT INTO no_such_table VALUES (1);"},
                         {QStringLiteral("0003_later.sql"), "CREATE TABLE later_t (id int);"}});
    ScopedConnection c(freshDatabase());
    QString error;
    int applied = 0;
    QVERIFY(!Migrator(c.db(), dir).up(&error, &applied));
    QVERIFY2(error.contains(QStringLiteral("0002_bad.sql")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("no_such_table")), qPrintable(error));
    QCOMPARE(applied, 1);
    QVERIFY(c.scalar(QStringLiteral("SELECT to_regclass('good_t') IS NOT NULL")).toBool());
    QVERIFY(!c.scalar(QStringLiteral("SELECT to_regclass('half_t') IS NOT NULL")).toBool());
    QVERIFY(!c.scalar(QStringLiteral("SELECT to_regclass('later_t') IS NOT NULL")).toBool());
    QCOMPARE(c.scalar(QStringLiteral("SELECT max(version) FROM public.schema_migrations")).toInt(),
             1);
    // The connection is still usable after the rollback.
    QVERIFY(c.exec(QStringLiteral("SELECT 1")));
}

void TestMigrator::badFileNameIsRejected()
{
    const QString dir = writeMigrations({{QStringLiteral("0001_ok.sql"), "SELECT 1;"},
                                         {QStringLiteral("2_missing_padding.sql"), "SELECT 1;"}});
    ScopedConnection c(freshDatabase());
    QString error;
    QVERIFY(!Migrator(c.db(), dir).up(&error));
    QVERIFY2(error.contains(QStringLiteral("2_missing_padding.sql")), qPrintable(error));

    const QString dup = writeMigrations(
        {{QStringLiteral("0001_a.sql"), "SELECT 1;"}, {QStringLiteral("0001_b.sql"), "SELECT 1;"}});
    QVERIFY(!Migrator(c.db(), dup).up(&error));
    QVERIFY2(error.contains(QStringLiteral("share version 1")), qPrintable(error));
}

void TestMigrator::schemaEnforcesItsRules()
{
    ScopedConnection c(freshDatabase());
    QString error;
    QVERIFY2(Migrator(c.db()).up(&error), qPrintable(error));

    // Passwords are Argon2id PHC strings, never plain text.
    QVERIFY(!c.exec(
        QStringLiteral(
            "INSERT INTO shared.users (username, password_hash) VALUES ('eve', 'plaintext')"),
        &error));
    QVERIFY(c.exec(
        QStringLiteral("INSERT INTO shared.users (username, password_hash) VALUES "
                       "('alice', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g')"),
        &error));
    // Usernames are case-insensitive.
    QVERIFY(!c.exec(
        QStringLiteral("INSERT INTO shared.users (username, password_hash) VALUES "
                       "('ALICE', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g')"),
        &error));

    // Adult content only lives in adult libraries, and ordinary content never does.
    QVERIFY2(c.exec(QStringLiteral("INSERT INTO shared.libraries (name, type, paths) VALUES "
                                   "('Films', 'movies', ARRAY['/media/films']), ('Private', "
                                   "'adult', ARRAY['/media/p'])"),
                    &error),
             qPrintable(error));
    QVERIFY(!c.exec(QStringLiteral("INSERT INTO c.movies (library_id, title) "
                                   "SELECT id, 'x' FROM shared.libraries WHERE name = 'Films'"),
                    &error));
    QVERIFY2(c.exec(QStringLiteral("INSERT INTO c.movies (library_id, title) "
                                   "SELECT id, 'x' FROM shared.libraries WHERE name = 'Private'"),
                    &error),
             qPrintable(error));
    QVERIFY(!c.exec(QStringLiteral("INSERT INTO media.movies (library_id, title) "
                                   "SELECT id, 'y' FROM shared.libraries WHERE name = 'Private'"),
                    &error));
    QVERIFY2(c.exec(QStringLiteral("INSERT INTO media.movies (library_id, title) "
                                   "SELECT id, 'y' FROM shared.libraries WHERE name = 'Films'"),
                    &error),
             qPrintable(error));
}

QTEST_GUILESS_MAIN(TestMigrator)
#include "tst_migrator.moc"
