#include "HttpClient.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/PgQuery.h"
#include "services/Ports.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>
#include <signal.h>

using namespace Revenge;
using namespace Revenge::Test;

// The revenge executable as a user runs it: config check, migrate, secret, a headless run
// stopped by SIGTERM, and configuration errors that stop it before anything starts.
class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void configCheckPrintsEffectiveConfigMasked();
    void configCheckFailsOnErrors();
    void headlessRefusesBadConfig();
    void migrateExternalDatabase();
    void migrateManagedDatabaseStartsAndStopsIt();
    void secretRoundTrip();
    void headlessRunStopsCleanlyOnSigterm();
    void unknownCommandIsUsageError();
    void jobsCommandsAgainstARunningServer();
    void searchReindexAndQuery();
    void libraryAddListAndBadInput();
    void libraryScanNowQueuedAndHistory();
    void libraryScanNowRefusesWhileAScanRuns();
    void tasksListAndRun();

private:
    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Run revenge(const QStringList &args, const QProcessEnvironment &extra = {},
                const QByteArray &input = {});
    QString writeFile(const QString &name, const QByteArray &content);
    QProcessEnvironment baseEnv() const;
    // A fresh, migrated database on the shared external PostgreSQL; cli() then runs against it.
    ConnectionSettings useExternalDatabase(const QString &name);
    Run cli(const QStringList &args);
    QString touch(const QString &relative, const QByteArray &content = "x");

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestPostgres> m_pg; // started by the first test that needs it
    QStringList m_dbArgs;
    QProcessEnvironment m_dbEnv;
};

namespace {
// The migrations embedded in the binary (the test links the same resources).
int migrationCount()
{
    return int(QDir(QStringLiteral(":/migrations")).entryList({QStringLiteral("*.sql")}).size());
}
} // namespace

void TestCli::initTestCase()
{
    QVERIFY2(QFileInfo(revengeBinary()).isExecutable(),
             "REVENGE_BINARY must point at the revenge executable");
    QVERIFY(migrationCount() >= 5);
}

void TestCli::init()
{
    m_dir = makeTempDir(QStringLiteral("revenge-cli"));
}

QProcessEnvironment TestCli::baseEnv() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REVENGE_KEYCHAIN"), QStringLiteral("off"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->path() + QStringLiteral("/config"));
    env.insert(QStringLiteral("REVENGE_DATA_DIR"), m_dir->path() + QStringLiteral("/data"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    return env;
}

TestCli::Run TestCli::revenge(const QStringList &args, const QProcessEnvironment &extra,
                              const QByteArray &input)
{
    QProcess p;
    QProcessEnvironment env = baseEnv();
    for (const QString &key : extra.keys())
        env.insert(key, extra.value(key));
    p.setProcessEnvironment(env);
    p.start(revengeBinary(), args);
    p.write(input);
    p.closeWriteChannel();
    Run r;
    if (!p.waitForFinished(180000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString TestCli::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir->path() + QLatin1Char('/') + name;
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return path;
}

void TestCli::configCheckPrintsEffectiveConfigMasked()
{
    const QString file = writeFile(QStringLiteral("ok.yaml"),
                                   "server:\n  port: 9000\n"
                                   "database:\n  host: db.lan\n  password: ${DB_PASSWORD}\n");
    QProcessEnvironment env;
    env.insert(QStringLiteral("DB_PASSWORD"), QStringLiteral("hunter2"));
    const Run r = revenge(
        {QStringLiteral("config"), QStringLiteral("check"), QStringLiteral("--config"), file}, env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("port: 9000")), qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("host: db.lan")));
    QVERIFY(r.out.contains(QStringLiteral("password: \"********\"")));
    QVERIFY(!r.out.contains(QStringLiteral("hunter2")));
    QVERIFY(!r.err.contains(QStringLiteral("hunter2")));
    QVERIFY(
        r.out.contains(QStringLiteral("cache:\n  managed: true"))); // absent section stays managed

    // Without --config it reads $XDG_CONFIG_HOME/revenge/revenge.yaml; without that, defaults.
    const Run defaults = revenge({QStringLiteral("config"), QStringLiteral("check")});
    QCOMPARE(defaults.exitCode, 0);
    QVERIFY(defaults.out.contains(QStringLiteral("built-in defaults")));
    QDir().mkpath(m_dir->path() + QStringLiteral("/config/revenge"));
    writeFile(QStringLiteral("config/revenge/revenge.yaml"), "server:\n  port: 9100\n");
    const Run xdg = revenge({QStringLiteral("config"), QStringLiteral("check")});
    QCOMPARE(xdg.exitCode, 0);
    QVERIFY(xdg.out.contains(QStringLiteral("port: 9100")));
}

void TestCli::configCheckFailsOnErrors()
{
    const QString file =
        writeFile(QStringLiteral("bad.yaml"), "server:\n  port: 70000\n  colour: blue\n"
                                              "database:\n  password: ${DB_PASSWORD}\n");
    const Run r = revenge(
        {QStringLiteral("config"), QStringLiteral("check"), QStringLiteral("--config"), file});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(file + QStringLiteral(":2: error: server.port: 70000 is out of range")),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(file + QStringLiteral(":3: warning: server.colour: unknown key")),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("DB_PASSWORD")), qPrintable(r.err));

    const Run missing =
        revenge({QStringLiteral("config"), QStringLiteral("check"), QStringLiteral("--config"),
                 m_dir->path() + QStringLiteral("/nope.yaml")});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains(QStringLiteral("nope.yaml")), qPrintable(missing.err));
}

void TestCli::headlessRefusesBadConfig()
{
    const QString file = writeFile(QStringLiteral("bad.yaml"), "server:\n  port: abc\n");
    const Run r = revenge({QStringLiteral("--headless"), QStringLiteral("--config"), file});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("server.port: expected an integer")), qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("nothing was started")));
    QVERIFY(
        !QFileInfo::exists(m_dir->path() + QStringLiteral("/data/postgres"))); // nothing started

    const Run port =
        revenge({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("http")});
    QCOMPARE(port.exitCode, 2);
    QVERIFY2(port.err.contains(QStringLiteral("--port http")), qPrintable(port.err));
}

void TestCli::migrateExternalDatabase()
{
    TestPostgres pg;
    QString error;
    QVERIFY2(pg.start(&error), qPrintable(error));
    const ConnectionSettings s = pg.settings();
    const QString file = writeFile(
        QStringLiteral("ext.yaml"),
        QStringLiteral("database:\n  host: 127.0.0.1\n  port: %1\n  password: ${DB_PASSWORD}\n")
            .arg(s.port)
            .toUtf8());
    QProcessEnvironment env;
    env.insert(QStringLiteral("DB_PASSWORD"), s.password);
    const QStringList config{QStringLiteral("--config"), file};

    const Run before =
        revenge(QStringList{QStringLiteral("migrate"), QStringLiteral("status")} + config, env);
    QCOMPARE(before.exitCode, 0);
    QVERIFY2(before.out.contains(QStringLiteral("0001_extensions_and_shared.sql")),
             qPrintable(before.out));
    QVERIFY2(before.out.contains(QStringLiteral("pending")), qPrintable(before.out));

    const Run up =
        revenge(QStringList{QStringLiteral("migrate"), QStringLiteral("up")} + config, env);
    QCOMPARE(up.exitCode, 0);
    QVERIFY2(up.out.contains(QStringLiteral("applied %1 migration(s)").arg(migrationCount())),
             qPrintable(up.out + up.err));
    QVERIFY(up.out.contains(QStringLiteral(", 0 pending")));

    const Run again =
        revenge(QStringList{QStringLiteral("migrate"), QStringLiteral("up")} + config, env);
    QCOMPARE(again.exitCode, 0);
    QVERIFY(again.out.contains(QStringLiteral("applied 0 migration(s)")));

    // Wrong password: a clear error, exit 1.
    env.insert(QStringLiteral("DB_PASSWORD"), QStringLiteral("wrong"));
    const Run denied =
        revenge(QStringList{QStringLiteral("migrate"), QStringLiteral("status")} + config, env);
    QCOMPARE(denied.exitCode, 1);
    QVERIFY2(denied.err.contains(QStringLiteral("password authentication failed")),
             qPrintable(denied.err));

    const Run usage = revenge({QStringLiteral("migrate"), QStringLiteral("sideways")});
    QCOMPARE(usage.exitCode, 2);
}

void TestCli::migrateManagedDatabaseStartsAndStopsIt()
{
    const Run up = revenge({QStringLiteral("migrate"), QStringLiteral("up")});
    QVERIFY2(up.exitCode == 0, qPrintable(up.err));
    QVERIFY2(up.out.contains(QStringLiteral("applied %1 migration(s)").arg(migrationCount())),
             qPrintable(up.out));
    // The cluster it created was stopped cleanly afterwards.
    const QString pgData = m_dir->path() + QStringLiteral("/data/postgres/data");
    QVERIFY(QFileInfo::exists(pgData + QStringLiteral("/PG_VERSION")));
    QVERIFY(!QFileInfo::exists(pgData + QStringLiteral("/postmaster.pid")));
    const Run status = revenge({QStringLiteral("migrate"), QStringLiteral("status")});
    QCOMPARE(status.exitCode, 0);
    QVERIFY2(status.out.contains(QStringLiteral("%1 migrations, 0 pending").arg(migrationCount())),
             qPrintable(status.out));
}

void TestCli::secretRoundTrip()
{
    const Run set =
        revenge({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("search.api_key")},
                {}, "abc123\n");
    QCOMPARE(set.exitCode, 0);
    const Run get = revenge(
        {QStringLiteral("secret"), QStringLiteral("get"), QStringLiteral("search.api_key")});
    QCOMPARE(get.exitCode, 0);
    QCOMPARE(get.out.trimmed(), QStringLiteral("abc123"));
    // The stored key satisfies a Typesense search section that asks for an unset variable.
    const QString file = writeFile(QStringLiteral("ts.yaml"),
                                   "search:\n  host: ts.lan\n  api_key: ${TYPESENSE_API_KEY}\n");
    const Run check = revenge(
        {QStringLiteral("config"), QStringLiteral("check"), QStringLiteral("--config"), file});
    QVERIFY2(check.exitCode == 0, qPrintable(check.err));
    QVERIFY(check.out.contains(QStringLiteral("engine: typesense")));
    const Run del = revenge(
        {QStringLiteral("secret"), QStringLiteral("delete"), QStringLiteral("search.api_key")});
    QCOMPARE(del.exitCode, 0);
    QCOMPARE(
        revenge({QStringLiteral("secret"), QStringLiteral("get"), QStringLiteral("search.api_key")})
            .exitCode,
        1);
    QCOMPARE(
        revenge({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("x")}).exitCode,
        2); // no input
}

void TestCli::headlessRunStopsCleanlyOnSigterm()
{
    const quint16 port = Ports::pickFree();
    QProcess p;
    p.setProcessEnvironment(baseEnv());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(revengeBinary(),
            {QStringLiteral("--port"), QString::number(port)}); // no display: headless by itself
    QVERIFY(p.waitForStarted());
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    QVERIFY(waitUntil(
        [&] { return httpGet(url + QStringLiteral("/health/ready"), 2000).status == 200; },
        120000));
    QVERIFY(waitUntil(
        [&] {
            return httpGet(url + QStringLiteral("/health"))
                       .json()
                       .value(QStringLiteral("status"))
                       .toString() == QLatin1String("healthy");
        },
        30000));

    // Data written through the managed database survives the shutdown (checked via migrate status).
    QFile pidFile(m_dir->path() + QStringLiteral("/data/postgres/data/postmaster.pid"));
    QVERIFY(pidFile.open(QIODevice::ReadOnly));
    const pid_t pgPid = pid_t(pidFile.readLine().trimmed().toLongLong());
    pidFile.close();

    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(60000));
    const QString output = QString::fromUtf8(p.readAll());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, qPrintable(output));
    // Stopped in order: HTTP, background work, then the managed services.
    const qsizetype http = output.indexOf(QStringLiteral("stopping: HTTP"));
    const qsizetype services = output.indexOf(QStringLiteral("stopping: managed services"));
    QVERIFY2(http >= 0 && services > http, qPrintable(output));
    QVERIFY(output.contains(QStringLiteral("stopped")));
    QVERIFY(::kill(pgPid, 0) != 0);
    QVERIFY(!QFileInfo::exists(pidFile.fileName()));
    QCOMPARE(httpGet(url + QStringLiteral("/health/live"), 1000).status, 0);

    // It also logged to the rotating file under the data directory.
    QFile log(m_dir->path() + QStringLiteral("/data/logs/revenge.log"));
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY(log.readAll().contains("stopping: managed services"));
}

void TestCli::unknownCommandIsUsageError()
{
    const Run r = revenge({QStringLiteral("config"), QStringLiteral("frobnicate")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains(QStringLiteral("usage")));
}

void TestCli::jobsCommandsAgainstARunningServer()
{
    const quint16 port = Ports::pickFree();
    QProcess server;
    server.setProcessEnvironment(baseEnv());
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(revengeBinary(), {QStringLiteral("--port"), QString::number(port)});
    QVERIFY(server.waitForStarted());
    const auto stopServer = qScopeGuard([&] {
        ::kill(pid_t(server.processId()), SIGTERM);
        if (!server.waitForFinished(30000))
            server.kill();
    });
    const QString url = QStringLiteral("http://127.0.0.1:%1/health").arg(port);
    QVERIFY(waitUntil(
        [&] {
            return httpGet(url)
                       .json()[QStringLiteral("components")][QStringLiteral("jobs")]
                              [QStringLiteral("status")]
                       .toString() == QLatin1String("healthy");
        },
        120000));

    // The server enqueued its start-up clean-up; the CLI sees it through the same database.
    QVERIFY(waitUntil(
        [&] {
            return revenge({QStringLiteral("jobs"), QStringLiteral("list"),
                            QStringLiteral("--state"), QStringLiteral("completed")})
                .out.contains(QStringLiteral("sessions.cleanup"));
        },
        30000));
    const Run listed =
        revenge({QStringLiteral("jobs"), QStringLiteral("list"), QStringLiteral("--json"),
                 QStringLiteral("--kind"), QStringLiteral("sessions.cleanup")});
    QCOMPARE(listed.exitCode, 0);
    const QJsonArray jobs = QJsonDocument::fromJson(listed.out.toUtf8()).array();
    QCOMPARE(jobs.size(), 1);
    const qint64 id = jobs.at(0)[QStringLiteral("id")].toInteger();
    QCOMPARE(jobs.at(0)[QStringLiteral("state")].toString(), QStringLiteral("completed"));

    const Run stats = revenge({QStringLiteral("jobs"), QStringLiteral("stats")});
    QCOMPARE(stats.exitCode, 0);
    QVERIFY2(stats.out.contains(QStringLiteral("low: 1 completed")), qPrintable(stats.out));
    QVERIFY2(stats.out.contains(QStringLiteral(", leader")), qPrintable(stats.out));

    // Retry runs it again on the live server; cancelling a finished job changes nothing.
    const Run retried =
        revenge({QStringLiteral("jobs"), QStringLiteral("retry"), QString::number(id)});
    QVERIFY2(retried.exitCode == 0, qPrintable(retried.err));
    QVERIFY(waitUntil(
        [&] {
            const QJsonArray again =
                QJsonDocument::fromJson(revenge({QStringLiteral("jobs"), QStringLiteral("list"),
                                                 QStringLiteral("--json"), QStringLiteral("--kind"),
                                                 QStringLiteral("sessions.cleanup")})
                                            .out.toUtf8())
                    .array();
            return again.size() == 1 &&
                   again.at(0)[QStringLiteral("state")].toString() == QLatin1String("completed") &&
                   again.at(0)[QStringLiteral("attempt")].toInt() == 2;
        },
        30000));
    const Run cancelled =
        revenge({QStringLiteral("jobs"), QStringLiteral("cancel"), QString::number(id)});
    QCOMPARE(cancelled.exitCode, 0);
    QVERIFY(cancelled.out.contains(QStringLiteral("completed")));

    // Bad input: clear errors, usage exit codes.
    const Run missing =
        revenge({QStringLiteral("jobs"), QStringLiteral("cancel"), QStringLiteral("999999")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(QStringLiteral("does not exist")), qPrintable(missing.err));
    QCOMPARE(
        revenge({QStringLiteral("jobs"), QStringLiteral("cancel"), QStringLiteral("abc")}).exitCode,
        2);
    const Run badState = revenge({QStringLiteral("jobs"), QStringLiteral("list"),
                                  QStringLiteral("--state"), QStringLiteral("sleeping")});
    QCOMPARE(badState.exitCode, 2);
    QVERIFY(badState.err.contains(QStringLiteral("unknown job state 'sleeping'")));
    QCOMPARE(revenge({QStringLiteral("jobs"), QStringLiteral("list"), QStringLiteral("--limit"),
                      QStringLiteral("0")})
                 .exitCode,
             2);
}

void TestCli::searchReindexAndQuery()
{
    // Items written straight into the tables of the managed database, then a rebuild.
    QVERIFY(revenge({QStringLiteral("migrate"), QStringLiteral("up")}).exitCode == 0);
    const Run reindexEmpty = revenge({QStringLiteral("search"), QStringLiteral("reindex")});
    QVERIFY2(reindexEmpty.exitCode == 0, qPrintable(reindexEmpty.err));
    QVERIFY2(reindexEmpty.out.contains(QStringLiteral("indexed 0 item(s) with postgres")),
             qPrintable(reindexEmpty.out));

    const Run query = revenge(
        {QStringLiteral("search"), QStringLiteral("query"), QStringLiteral("nothing here")});
    QCOMPARE(query.exitCode, 0);
    QVERIFY2(query.out.contains(QStringLiteral("0 found with postgres")), qPrintable(query.out));

    const Run tooLong = revenge(
        {QStringLiteral("search"), QStringLiteral("query"), QString(600, QLatin1Char('x'))});
    QCOMPARE(tooLong.exitCode, 2);
    QVERIFY2(tooLong.err.contains(QStringLiteral("characters long")), qPrintable(tooLong.err));
    QCOMPARE(revenge({QStringLiteral("search"), QStringLiteral("sideways")}).exitCode, 2);
}

ConnectionSettings TestCli::useExternalDatabase(const QString &name)
{
    if (!m_pg) {
        m_pg = std::make_unique<TestPostgres>();
        QString error;
        if (!m_pg->start(&error)) {
            qWarning() << "cannot start PostgreSQL:" << error;
            return {};
        }
    }
    const ConnectionSettings s = m_pg->createDatabase(name);
    const QString file = writeFile(name + QStringLiteral(".yaml"),
                                   QStringLiteral("database:\n  host: 127.0.0.1\n  port: %1\n"
                                                  "  name: %2\n  password: ${DB_PASSWORD}\n")
                                       .arg(s.port)
                                       .arg(name)
                                       .toUtf8());
    m_dbArgs = {QStringLiteral("--config"), file};
    m_dbEnv = QProcessEnvironment();
    m_dbEnv.insert(QStringLiteral("DB_PASSWORD"), s.password);
    const Run up = cli({QStringLiteral("migrate"), QStringLiteral("up")});
    if (up.exitCode != 0)
        qWarning() << "migrate up failed:" << up.err;
    return s;
}

TestCli::Run TestCli::cli(const QStringList &args)
{
    return revenge(args + m_dbArgs, m_dbEnv);
}

QString TestCli::touch(const QString &relative, const QByteArray &content)
{
    const QString path = m_dir->path() + QStringLiteral("/media/") + relative;
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return path;
}

void TestCli::libraryAddListAndBadInput()
{
    const ConnectionSettings db = useExternalDatabase(QStringLiteral("cli_library"));
    QVERIFY(!m_dbArgs.isEmpty());
    const QString movies = m_dir->path() + QStringLiteral("/media/movies");
    const QString shows = m_dir->path() + QStringLiteral("/media/shows");
    QVERIFY(QDir().mkpath(movies) && QDir().mkpath(shows));

    const QString lib = QStringLiteral("library");
    const Run empty = cli({lib, QStringLiteral("list")});
    QCOMPARE(empty.exitCode, 0);
    QVERIFY2(empty.out.contains(QStringLiteral("0 libraries")), qPrintable(empty.out + empty.err));

    const Run added = cli({lib, QStringLiteral("add"), QStringLiteral("Films"),
                           QStringLiteral("--type"), QStringLiteral("movies"), movies});
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    QVERIFY2(added.out.contains(QStringLiteral("Films  (movies)  id ")), qPrintable(added.out));
    QVERIFY(added.out.contains(QStringLiteral("folders: ") + movies));
    QVERIFY(added.out.contains(QStringLiteral("last scan: never")));
    QVERIFY2(added.err.contains(QStringLiteral("queued its first scan as job ")),
             qPrintable(added.err));
    QVERIFY(cli({lib, QStringLiteral("add"), QStringLiteral("Shows"), QStringLiteral("--type"),
                 QStringLiteral("tvshows"), shows})
                .exitCode == 0);

    const Run listed = cli({lib, QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(listed.exitCode, 0);
    QJsonParseError parseError;
    const QJsonArray libraries = QJsonDocument::fromJson(listed.out.toUtf8(), &parseError).array();
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(listed.out));
    QCOMPARE(libraries.size(), 2);
    QCOMPARE(libraries.at(0)[QStringLiteral("name")].toString(), QStringLiteral("Films"));
    QCOMPARE(libraries.at(0)[QStringLiteral("type")].toString(), QStringLiteral("movies"));
    QCOMPARE(libraries.at(0)[QStringLiteral("paths")].toArray(), QJsonArray{movies});
    QCOMPARE(libraries.at(0)[QStringLiteral("enabled")].toBool(), true);
    QVERIFY(libraries.at(0)[QStringLiteral("last_scan")].isNull());
    QVERIFY(!libraries.at(0)[QStringLiteral("id")].toString().isEmpty());
    QCOMPARE(libraries.at(1)[QStringLiteral("name")].toString(), QStringLiteral("Shows"));
    // The first scans were queued as library.scan jobs for a server to run.
    ScopedConnection sql(db);
    QCOMPARE(sql.scalar(QStringLiteral("SELECT count(*) FROM jobs.job WHERE kind = "
                                       "'library.scan' AND state = 'available'"))
                 .toInt(),
             2);

    // Bad input: exit 2, an error naming the field, nothing written.
    struct Bad
    {
        QStringList args;
        QString message;
    };
    const QList<Bad> bad{
        {{QStringLiteral("X"), QStringLiteral("--type"), QStringLiteral("films"), movies},
         QStringLiteral("type: 'films' is not one of")},
        {{QStringLiteral("X"), movies}, QStringLiteral("type: missing")},
        {{QStringLiteral("X"), QStringLiteral("--type"), QStringLiteral("movies")},
         QStringLiteral("paths: at least one folder is needed")},
        {{QStringLiteral("X"), QStringLiteral("--type"), QStringLiteral("movies"),
          QStringLiteral("media/movies")},
         QStringLiteral("paths: 'media/movies' is not an absolute path")},
        {{QStringLiteral("X"), QStringLiteral("--type"), QStringLiteral("movies"),
          movies + QStringLiteral("/nope")},
         QStringLiteral("does not exist")},
        {{QStringLiteral("X"), QStringLiteral("--type"), QStringLiteral("movies"),
          movies + QStringLiteral("/sub")},
         QStringLiteral("paths: '") + movies + QStringLiteral("/sub' overlaps folder '") + movies +
             QStringLiteral("' of library 'Films'")},
        {{QStringLiteral("X"), QStringLiteral("--type"), QStringLiteral("movies"), shows},
         QStringLiteral("of library 'Shows'")},
    };
    QVERIFY(QDir().mkpath(m_dir->path() + QStringLiteral("/media/other")));
    QVERIFY(QDir().mkpath(movies + QStringLiteral("/sub")));
    for (const Bad &b : bad) {
        const Run r = cli(QStringList{lib, QStringLiteral("add")} + b.args);
        QVERIFY2(r.exitCode == 2, qPrintable(b.args.join(' ') + QStringLiteral(": ") + r.err));
        QVERIFY2(r.err.contains(b.message),
                 qPrintable(b.args.join(' ') + QStringLiteral(": ") + r.err));
    }
    // The relative folder also gets a hint with the absolute path it may have meant.
    const Run relative =
        cli({lib, QStringLiteral("add"), QStringLiteral("X"), QStringLiteral("--type"),
             QStringLiteral("music"), QStringLiteral("Music")});
    QVERIFY2(relative.err.contains(QStringLiteral("did you mean /")), qPrintable(relative.err));
    const Run duplicate =
        cli({lib, QStringLiteral("add"), QStringLiteral("Films"), QStringLiteral("--type"),
             QStringLiteral("movies"), m_dir->path() + QStringLiteral("/media/other")});
    QCOMPARE(duplicate.exitCode, 2);
    QVERIFY2(duplicate.err.contains(QStringLiteral("name: a library named 'Films' exists")),
             qPrintable(duplicate.err));
    QCOMPARE(sql.scalar(QStringLiteral("SELECT count(*) FROM shared.libraries")).toInt(), 2);

    // Usage errors.
    QCOMPARE(cli({lib, QStringLiteral("frobnicate")}).exitCode, 2);
    QCOMPARE(cli({lib, QStringLiteral("remove")}).exitCode, 2);
    QCOMPARE(cli({lib, QStringLiteral("list"), QStringLiteral("--now")}).exitCode, 2);
    QCOMPARE(cli({lib, QStringLiteral("scans"), QStringLiteral("Films"), QStringLiteral("--limit"),
                  QStringLiteral("0")})
                 .exitCode,
             2);
    const Run unknown = cli({lib, QStringLiteral("scan"), QStringLiteral("Nope")});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains(QStringLiteral("not found: library 'Nope'")),
             qPrintable(unknown.err));

    // Remove by name and by id.
    const Run removed = cli({lib, QStringLiteral("remove"), QStringLiteral("Films")});
    QVERIFY2(removed.exitCode == 0, qPrintable(removed.err));
    QVERIFY2(removed.out.contains(QStringLiteral("removed library 'Films'")),
             qPrintable(removed.out));
    QVERIFY(QFileInfo::exists(movies)); // the folder itself is left alone
    const QString showsId = libraries.at(1)[QStringLiteral("id")].toString();
    QCOMPARE(cli({lib, QStringLiteral("remove"), showsId}).exitCode, 0);
    const Run again = cli({lib, QStringLiteral("remove"), showsId});
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains(QStringLiteral("not found: library")), qPrintable(again.err));
    QVERIFY(cli({lib, QStringLiteral("list")}).out.contains(QStringLiteral("0 libraries")));
}

void TestCli::libraryScanNowQueuedAndHistory()
{
    const ConnectionSettings db = useExternalDatabase(QStringLiteral("cli_scan"));
    QVERIFY(!m_dbArgs.isEmpty());
    touch(QStringLiteral("Inception (2010)/Inception (2010).mkv"), QByteArray(1000, 'a'));
    touch(QStringLiteral("Inception (2010)/Inception (2010).en.srt"), QByteArray(100, 'b'));
    const QString heat =
        touch(QStringLiteral("Heat.1995.1080p.BluRay.x264-GRP.mkv"), QByteArray(2000, 'c'));
    touch(QStringLiteral("notes.txt")); // not media: never counted
    const QString root = m_dir->path() + QStringLiteral("/media");
    const QString lib = QStringLiteral("library");
    const Run added = cli({lib, QStringLiteral("add"), QStringLiteral("Films"),
                           QStringLiteral("--type"), QStringLiteral("movies"), root});
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));

    // In this process, with progress on stderr and the scan row's counters on stdout.
    const Run first =
        cli({lib, QStringLiteral("scan"), QStringLiteral("Films"), QStringLiteral("--now")});
    QVERIFY2(first.exitCode == 0, qPrintable(first.err));
    QVERIFY2(first.err.contains(QStringLiteral("walking 0 files…")), qPrintable(first.err));
    QVERIFY2(first.out.contains(QStringLiteral("completed")), qPrintable(first.out));
    QVERIFY2(first.out.contains(
                 QStringLiteral("3 scanned, 3 added, 0 updated, 0 removed, 0 moved, 0 errors")),
             qPrintable(first.out));
    ScopedConnection sql(db);
    QCOMPARE(sql.scalar(QStringLiteral("SELECT string_agg(title || ' ' || year, ', ' ORDER BY "
                                       "title) FROM media.movies"))
                 .toString(),
             QStringLiteral("Heat 1995, Inception 2010"));

    // A new file, then a deleted one; --full re-identifies without changing the counts.
    touch(QStringLiteral("Alien (1979)/Alien (1979).mkv"), QByteArray(3000, 'd'));
    const Run second = cli({lib, QStringLiteral("scan"), QStringLiteral("Films"),
                            QStringLiteral("--now"), QStringLiteral("--full")});
    QVERIFY2(second.exitCode == 0, qPrintable(second.err));
    QVERIFY2(second.out.contains(QStringLiteral("4 scanned, 1 added, 0 updated, 0 removed")),
             qPrintable(second.out));
    QVERIFY(QFile::remove(heat));
    const Run third =
        cli({lib, QStringLiteral("scan"), QStringLiteral("Films"), QStringLiteral("--now")});
    QVERIFY2(third.exitCode == 0, qPrintable(third.err));
    QVERIFY2(third.out.contains(QStringLiteral("3 scanned, 0 added, 0 updated, 1 removed")),
             qPrintable(third.out));

    // The list shows the last scan.
    const QJsonArray libraries =
        QJsonDocument::fromJson(
            cli({lib, QStringLiteral("list"), QStringLiteral("--json")}).out.toUtf8())
            .array();
    QCOMPARE(libraries.size(), 1);
    const QJsonObject last = libraries.at(0)[QStringLiteral("last_scan")].toObject();
    QCOMPARE(last[QStringLiteral("status")].toString(), QStringLiteral("completed"));
    QCOMPARE(last[QStringLiteral("scanned")].toInt(), 3);
    QCOMPARE(last[QStringLiteral("removed")].toInt(), 1);
    QVERIFY(!libraries.at(0)[QStringLiteral("last_scan_at")].isNull());
    const Run text = cli({lib, QStringLiteral("list")});
    QVERIFY2(text.out.contains(QStringLiteral("last scan: scan ")) &&
                 text.out.contains(QStringLiteral("3 scanned, 0 added, 0 updated, 1 removed")),
             qPrintable(text.out));

    // Queued: the first scan that `library add` queued is still waiting, so it is reported;
    // once it is gone, a new one is queued, and asking again finds that one.
    const qint64 firstJob =
        sql.scalar(QStringLiteral("SELECT max(id) FROM jobs.job WHERE kind = 'library.scan'"))
            .toLongLong();
    const Run pending = cli({lib, QStringLiteral("scan"), QStringLiteral("Films")});
    QCOMPARE(pending.exitCode, 0);
    QVERIFY2(pending.out.contains(QStringLiteral("already queued as job %1").arg(firstJob)),
             qPrintable(pending.out));
    QCOMPARE(
        cli({QStringLiteral("jobs"), QStringLiteral("cancel"), QString::number(firstJob)}).exitCode,
        0);
    const Run queued = cli({lib, QStringLiteral("scan"), QStringLiteral("Films")});
    QCOMPARE(queued.exitCode, 0);
    QVERIFY2(queued.out.contains(QStringLiteral("queued a scan of library 'Films' as job ")),
             qPrintable(queued.out));
    const qint64 secondJob =
        sql.scalar(QStringLiteral("SELECT max(id) FROM jobs.job WHERE kind = 'library.scan'"))
            .toLongLong();
    QVERIFY(secondJob > firstJob);
    const Run twice = cli({lib, QStringLiteral("scan"), QStringLiteral("Films")});
    QCOMPARE(twice.exitCode, 0);
    QVERIFY2(
        twice.out.contains(QStringLiteral("already queued as job %1 (available)").arg(secondJob)),
        qPrintable(twice.out));
    QCOMPARE(sql.scalar(QStringLiteral("SELECT count(*) FROM jobs.job WHERE kind = "
                                       "'library.scan' AND state = 'available'"))
                 .toInt(),
             1);

    // History, newest first (names match case-insensitively).
    const Run history = cli({lib, QStringLiteral("scans"), QStringLiteral("films")});
    QCOMPARE(history.exitCode, 0);
    QVERIFY2(history.out.contains(QStringLiteral("3 scan(s) of library 'Films'")),
             qPrintable(history.out));
    const QJsonArray scans =
        QJsonDocument::fromJson(
            cli({lib, QStringLiteral("scans"), QStringLiteral("Films"), QStringLiteral("--json"),
                 QStringLiteral("--limit"), QStringLiteral("2")})
                .out.toUtf8())
            .array();
    QCOMPARE(scans.size(), 2);
    QCOMPARE(scans.at(0)[QStringLiteral("removed")].toInt(), 1);
    QCOMPARE(scans.at(1)[QStringLiteral("added")].toInt(), 1);
    QVERIFY(scans.at(0)[QStringLiteral("id")].toInteger() >
            scans.at(1)[QStringLiteral("id")].toInteger());
}

void TestCli::libraryScanNowRefusesWhileAScanRuns()
{
    const ConnectionSettings db = useExternalDatabase(QStringLiteral("cli_running"));
    QVERIFY(!m_dbArgs.isEmpty());
    touch(QStringLiteral("Heat (1995).mkv"));
    const Run added = cli({QStringLiteral("library"), QStringLiteral("add"),
                           QStringLiteral("Films"), QStringLiteral("--type"),
                           QStringLiteral("movies"), m_dir->path() + QStringLiteral("/media")});
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    // A scan running elsewhere: it holds the library's scan lock, its job is running and its
    // row says so.
    ScopedConnection sql(db);
    QVERIFY(sql.exec(QStringLiteral(
        "SELECT pg_advisory_lock(hashtextextended('revenge.library.scan:' || id::text, 0)) "
        "FROM shared.libraries WHERE name = 'Films'")));
    QVERIFY(sql.exec(QStringLiteral(
        "UPDATE jobs.job SET state = 'running', attempt = 1, attempted_at = now() "
        "WHERE kind = 'library.scan'; "
        "INSERT INTO shared.library_scans (library_id, job_id) "
        "SELECT (args->>'library_id')::uuid, id FROM jobs.job WHERE kind = 'library.scan'")));
    const Run refused = cli({QStringLiteral("library"), QStringLiteral("scan"),
                             QStringLiteral("Films"), QStringLiteral("--now")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(
                 QStringLiteral("cannot scan library 'Films': a scan of library 'Films' is "
                                "already running")),
             qPrintable(refused.err));
    // Queueing one says it is already there (the running job).
    const Run queued =
        cli({QStringLiteral("library"), QStringLiteral("scan"), QStringLiteral("Films")});
    QVERIFY2(queued.out.contains(QStringLiteral("already queued")) &&
                 queued.out.contains(QStringLiteral("(running)")),
             qPrintable(queued.out));
    const Run history =
        cli({QStringLiteral("library"), QStringLiteral("scans"), QStringLiteral("Films")});
    QVERIFY2(history.out.contains(QStringLiteral("running")), qPrintable(history.out));
}

void TestCli::tasksListAndRun()
{
    useExternalDatabase(QStringLiteral("cli_tasks"));
    QVERIFY(!m_dbArgs.isEmpty());
    const Run listed =
        cli({QStringLiteral("tasks"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
    const QJsonArray tasks = QJsonDocument::fromJson(listed.out.toUtf8()).array();
    QStringList names;
    for (const QJsonValue &t : tasks)
        names << t[QStringLiteral("name")].toString();
    QCOMPARE(names, (QStringList{QStringLiteral("library_scan"), QStringLiteral("metadata_refresh"),
                                 QStringLiteral("session_cleanup"), QStringLiteral("image_trim")}));
    QCOMPARE(tasks.at(2)[QStringLiteral("schedule")].toString(), QStringLiteral("1h"));
    QVERIFY(tasks.at(2)[QStringLiteral("last_run")].isNull());
    QVERIFY(!tasks.at(2)[QStringLiteral("next_run")].isNull());

    const Run text = cli({QStringLiteral("tasks"), QStringLiteral("list")});
    QCOMPARE(text.exitCode, 0);
    for (const QString &name : names)
        QVERIFY2(text.out.contains(name), qPrintable(text.out));
    QVERIFY(text.out.contains(QStringLiteral("never run")));

    const Run run =
        cli({QStringLiteral("tasks"), QStringLiteral("run"), QStringLiteral("session_cleanup")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("queued task session_cleanup (sessions.cleanup) as "
                                             "job ")) &&
                 run.out.contains(QStringLiteral("on queue low")),
             qPrintable(run.out));
    const QJsonArray after =
        QJsonDocument::fromJson(
            cli({QStringLiteral("tasks"), QStringLiteral("list"), QStringLiteral("--json")})
                .out.toUtf8())
            .array();
    QCOMPARE(after.at(2)[QStringLiteral("last_run")][QStringLiteral("state")].toString(),
             QStringLiteral("available"));

    const Run bogus =
        cli({QStringLiteral("tasks"), QStringLiteral("run"), QStringLiteral("bogus")});
    QCOMPARE(bogus.exitCode, 2);
    QVERIFY2(bogus.err.contains(QStringLiteral("unknown task 'bogus' (one of library_scan, "
                                               "metadata_refresh, session_cleanup, image_trim)")),
             qPrintable(bogus.err));
    QCOMPARE(cli({QStringLiteral("tasks"), QStringLiteral("run")}).exitCode, 2);
    QCOMPARE(cli({QStringLiteral("tasks"), QStringLiteral("sideways")}).exitCode, 2);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
