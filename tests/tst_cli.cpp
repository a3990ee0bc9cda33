#include "HttpClient.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
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

    std::unique_ptr<QTemporaryDir> m_dir;
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

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
