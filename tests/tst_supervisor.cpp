#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "cache/RedisConnection.h"
#include "core/SecretStore.h"
#include "services/CacheService.h"
#include "services/PostgresService.h"
#include "services/Supervisor.h"

#include <QSignalSpy>
#include <QtTest>
#include <signal.h>

using namespace Revenge;
using namespace Revenge::Test;

// Managed PostgreSQL and cache under the Supervisor: first start, clean stop, restart after a
// crash, data surviving the restart, giving up on a service that cannot start.
class TestSupervisor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void backoffGrowsAndIsCapped();
    void managedPostgresLifecycle();
    void killedPostgresIsRestartedAndKeepsData();
    void killedCacheIsRestarted();
    void serviceThatCannotStartEndsFailed();
    void crashLoopEndsFailed();
    void dragonflyIsPreferredWhenOnPath();
    void orphanedPostmasterIsStoppedBeforeStart();

private:
    bool waitForState(Supervisor &s, const QString &name, ServiceState state,
                      int timeoutMs = 60000);
    PostgresService *addPostgres(Supervisor &s);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FileSecretStore> m_secrets;
};

void TestSupervisor::init()
{
    m_dir = makeTempDir(QStringLiteral("revenge-sup"));
    m_secrets = std::make_unique<FileSecretStore>(m_dir->path() + QStringLiteral("/secrets.json"));
}

void TestSupervisor::cleanup()
{
    m_secrets.reset();
    m_dir.reset();
}

bool TestSupervisor::waitForState(Supervisor &s, const QString &name, ServiceState state,
                                  int timeoutMs)
{
    return waitUntil([&] { return s.status(name) && s.status(name)->state == state; }, timeoutMs);
}

PostgresService *TestSupervisor::addPostgres(Supervisor &s)
{
    PostgresService::Options options;
    options.baseDir = m_dir->path() + QStringLiteral("/postgres");
    options.unsafeFast = true;
    auto *pg = new PostgresService(options, m_secrets.get());
    s.addManaged(pg);
    return pg;
}

void TestSupervisor::backoffGrowsAndIsCapped()
{
    QCOMPARE(Supervisor::backoffMs(1), 500);
    QCOMPARE(Supervisor::backoffMs(2), 1000);
    QCOMPARE(Supervisor::backoffMs(3), 2000);
    QCOMPARE(Supervisor::backoffMs(7), 30000);
    QCOMPARE(Supervisor::backoffMs(50), 30000);
}

void TestSupervisor::managedPostgresLifecycle()
{
    Supervisor supervisor;
    PostgresService *pg = addPostgres(supervisor);
    QSignalSpy ready(&supervisor, &Supervisor::serviceReady);
    supervisor.startAll();
    QVERIFY2(waitForState(supervisor, QStringLiteral("database"), ServiceState::Running, 120000),
             qPrintable(supervisor.status(QStringLiteral("database"))->detail));
    QCOMPARE(ready.count(), 1);

    // initdb ran, the role got a generated password kept in the secret store, the database exists.
    QVERIFY(QFileInfo::exists(pg->dataDir() + QStringLiteral("/PG_VERSION")));
    const auto password = m_secrets->read(QLatin1String(PostgresService::kPasswordKey));
    QVERIFY(password && password->size() >= 24);
    {
        ScopedConnection c(pg->connectionSettings());
        QVERIFY2(c.isOpen(), qPrintable(c.error()));
        QCOMPARE(c.scalar(QStringLiteral("SELECT current_user")).toString(),
                 QStringLiteral("revenge"));
        QCOMPARE(c.scalar(QStringLiteral("SELECT current_database()")).toString(),
                 QStringLiteral("revenge"));
        QVERIFY(c.scalar(QStringLiteral("SHOW server_version"))
                    .toString()
                    .startsWith(QLatin1String("15")));
    }
    // A wrong password is refused over TCP: the cluster is not open to everyone.
    ConnectionSettings wrong = pg->connectionSettings();
    wrong.password = QStringLiteral("not-the-password");
    QVERIFY(!ScopedConnection(wrong).isOpen());
    // Listening on loopback only.
    QCOMPARE(ScopedConnection(pg->superuserSettings())
                 .scalar(QStringLiteral("SHOW listen_addresses"))
                 .toString(),
             QStringLiteral("127.0.0.1"));

    const qint64 pid = supervisor.status(QStringLiteral("database"))->pid;
    QVERIFY(pid > 0);
    supervisor.stopAll();
    QCOMPARE(supervisor.status(QStringLiteral("database"))->state, ServiceState::Stopped);
    QVERIFY(::kill(pid_t(pid), 0) != 0); // the postmaster is gone
    QVERIFY(
        !QFileInfo::exists(pg->dataDir() + QStringLiteral("/postmaster.pid"))); // clean shutdown

    // Second start: no initdb, same password, same port.
    const quint16 port = pg->port();
    supervisor.startAll();
    QVERIFY(waitForState(supervisor, QStringLiteral("database"), ServiceState::Running));
    QCOMPARE(pg->port(), port);
    QCOMPARE(m_secrets->read(QLatin1String(PostgresService::kPasswordKey)), password);
    QVERIFY(ScopedConnection(pg->connectionSettings()).isOpen());
    supervisor.stopAll();
}

void TestSupervisor::killedPostgresIsRestartedAndKeepsData()
{
    Supervisor supervisor;
    supervisor.setBackoffScale(0.2);
    PostgresService *pg = addPostgres(supervisor);
    supervisor.startAll();
    QVERIFY(waitForState(supervisor, QStringLiteral("database"), ServiceState::Running, 120000));
    {
        ScopedConnection c(pg->connectionSettings());
        QVERIFY(c.exec(QStringLiteral(
            "CREATE TABLE survivor (v text); INSERT INTO survivor VALUES ('still here')")));
    }
    const qint64 pid = supervisor.status(QStringLiteral("database"))->pid;
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);

    QVERIFY(waitUntil(
        [&] {
            const auto s = supervisor.status(QStringLiteral("database"));
            return s->state == ServiceState::Running && s->pid != pid;
        },
        60000));
    const auto status = supervisor.status(QStringLiteral("database"));
    QCOMPARE(status->restarts, 1);
    ScopedConnection c(pg->connectionSettings());
    QVERIFY2(c.isOpen(), qPrintable(c.error()));
    QCOMPARE(c.scalar(QStringLiteral("SELECT v FROM survivor")).toString(),
             QStringLiteral("still here"));
    supervisor.stopAll();
}

void TestSupervisor::killedCacheIsRestarted()
{
    Supervisor supervisor;
    supervisor.setBackoffScale(0.2);
    CacheService::Options options;
    options.baseDir = m_dir->path() + QStringLiteral("/cache");
    options.program = QStringLiteral("redis-server");
    auto *cache = new CacheService(options, m_secrets.get());
    supervisor.addManaged(cache);
    QList<ServiceState> seen;
    connect(&supervisor, &Supervisor::serviceChanged, this,
            [&](const ServiceStatus &s) { seen << s.state; });
    supervisor.startAll();
    QVERIFY(waitForState(supervisor, QStringLiteral("cache"), ServiceState::Running, 30000));

    // Bound to loopback with a password from the secret store.
    RedisConnection c;
    QVERIFY2(c.connect(cache->endpoint()), qPrintable(c.error()));
    QVERIFY(!cache->endpoint().password.isEmpty());
    RedisEndpoint noPassword = cache->endpoint();
    noPassword.password.clear();
    RedisConnection anonymous;
    QVERIFY(anonymous.connect(noPassword));
    const auto denied = anonymous.command({"GET", "x"});
    QVERIFY(denied && denied->isError());
    QVERIFY(denied->string.startsWith("NOAUTH"));

    const qint64 pid = supervisor.status(QStringLiteral("cache"))->pid;
    seen.clear();
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
    QVERIFY(waitUntil(
        [&] {
            const auto s = supervisor.status(QStringLiteral("cache"));
            return s->state == ServiceState::Running && s->pid != pid;
        },
        30000));
    QVERIFY2(seen.contains(ServiceState::Restarting), "the restart was reported");
    QVERIFY(c.connect(cache->endpoint()));
    QVERIFY(c.command({"PING"}).has_value());
    supervisor.stopAll();
    QCOMPARE(supervisor.status(QStringLiteral("cache"))->state, ServiceState::Stopped);
}

void TestSupervisor::serviceThatCannotStartEndsFailed()
{
    Supervisor supervisor;
    supervisor.setBackoffScale(0.01);
    CacheService::Options options;
    options.baseDir = m_dir->path() + QStringLiteral("/cache");
    options.program = QStringLiteral("/nonexistent/redis-server");
    supervisor.addManaged(new CacheService(options, m_secrets.get()));
    supervisor.startAll();
    QVERIFY(waitForState(supervisor, QStringLiteral("cache"), ServiceState::Failed, 30000));
    const auto s = supervisor.status(QStringLiteral("cache"));
    QVERIFY2(s->detail.contains(
                 QStringLiteral("gave up after %1").arg(Supervisor::kMaxConsecutiveFailures)),
             qPrintable(s->detail));
    QVERIFY2(s->detail.contains(QStringLiteral("/nonexistent/redis-server")),
             qPrintable(s->detail));
    // It stays failed: no further attempts.
    QTest::qWait(300);
    QCOMPARE(supervisor.status(QStringLiteral("cache"))->state, ServiceState::Failed);
}

void TestSupervisor::crashLoopEndsFailed()
{
    // Starts fine, dies a second later, every time: backs off and ends failed.
    const QString script = m_dir->path() + QStringLiteral("/flaky-redis");
    QFile f(script);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("#!/bin/sh\nexec timeout 1 redis-server \"$@\"\n");
    f.close();
    // As root the cache runs as an unprivileged user, who must be able to run the script.
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                     QFileDevice::ReadOther | QFileDevice::ExeOther);

    Supervisor supervisor;
    supervisor.setBackoffScale(0.01);
    CacheService::Options options;
    options.baseDir = m_dir->path() + QStringLiteral("/cache");
    options.program = script;
    supervisor.addManaged(new CacheService(options, m_secrets.get()));
    int readyCount = 0;
    connect(&supervisor, &Supervisor::serviceReady, this, [&] { ++readyCount; });
    supervisor.startAll();
    QVERIFY(waitForState(supervisor, QStringLiteral("cache"), ServiceState::Failed, 60000));
    QCOMPARE(readyCount, Supervisor::kMaxConsecutiveFailures); // it did come up each time
    QVERIFY(supervisor.status(QStringLiteral("cache"))->detail.contains(QStringLiteral("gave up")));
}

void TestSupervisor::dragonflyIsPreferredWhenOnPath()
{
    // A stand-in `dragonfly` (Dragonfly's flag syntax, served by redis-server) placed on PATH.
    const QString bin = m_dir->path() + QStringLiteral("/bin");
    QDir().mkpath(bin);
    const QString logDir = m_dir->path() + QStringLiteral("/log");
    QDir().mkpath(logDir);
    QFile::setPermissions(logDir,
                          QFileDevice::Permissions(0x7777)); // writable by the cache's user too
    const QString argsLog = logDir + QStringLiteral("/dragonfly-args");
    QFile f(bin + QStringLiteral("/dragonfly"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("#!/bin/bash\n"
                           "echo \"$@\" > '%1'\n"
                           "args=()\n"
                           "for a in \"$@\"; do\n"
                           "  case \"$a\" in\n"
                           "    --port=*) args+=(--port \"${a#--port=}\") ;;\n"
                           "    --bind=*) args+=(--bind \"${a#--bind=}\") ;;\n"
                           "    --dir=*) args+=(--dir \"${a#--dir=}\") ;;\n"
                           "    --requirepass=*) args+=(--requirepass \"${a#--requirepass=}\") ;;\n"
                           "    --dbfilename=) args+=(--save '') ;;\n"
                           "  esac\n"
                           "done\n"
                           "exec redis-server \"${args[@]}\"\n")
                .arg(argsLog)
                .toUtf8());
    f.close();
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                     QFileDevice::ReadOther | QFileDevice::ExeOther);
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", bin.toUtf8() + ':' + oldPath);
    const auto restore = qScopeGuard([&] { qputenv("PATH", oldPath); });

    QCOMPARE(CacheService::findProgram(), bin + QStringLiteral("/dragonfly"));
    Supervisor supervisor;
    CacheService::Options options;
    options.baseDir = m_dir->path() + QStringLiteral("/cache");
    auto *cache = new CacheService(options, m_secrets.get());
    supervisor.addManaged(cache);
    supervisor.startAll();
    QVERIFY2(waitForState(supervisor, QStringLiteral("cache"), ServiceState::Running, 30000),
             qPrintable(supervisor.status(QStringLiteral("cache"))->detail));
    QFile log(argsLog);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray args = log.readAll();
    QVERIFY2(args.contains(QByteArray(QByteArray("--port=") + QByteArray::number(cache->port()))),
             args.constData());
    QVERIFY(args.contains("--bind=127.0.0.1"));
    QVERIFY(args.contains("--requirepass="));
    RedisConnection c;
    QVERIFY2(c.connect(cache->endpoint()), qPrintable(c.error()));
    supervisor.stopAll();
}

void TestSupervisor::orphanedPostmasterIsStoppedBeforeStart()
{
    // A PostgreSQL left running on our cluster (its Revenge died) is stopped, then ours starts.
    PostgresService::Options options;
    options.baseDir = m_dir->path() + QStringLiteral("/postgres");
    options.unsafeFast = true;
    {
        Supervisor first;
        auto *pg = new PostgresService(options, m_secrets.get());
        first.addManaged(pg);
        first.startAll();
        QVERIFY(waitForState(first, QStringLiteral("database"), ServiceState::Running, 120000));
        // Detach the process from the service so that it outlives it, as after a crash.
        const qint64 pid = first.status(QStringLiteral("database"))->pid;
        QVERIFY(pid > 0);
        QFile pidFile(pg->dataDir() + QStringLiteral("/postmaster.pid"));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        QCOMPARE(pidFile.readLine().trimmed().toLongLong(), pid);
        pidFile.close();

        Supervisor second;
        auto *again = new PostgresService(options, m_secrets.get());
        second.addManaged(again);
        second.startAll();
        QVERIFY2(waitForState(second, QStringLiteral("database"), ServiceState::Running, 120000),
                 qPrintable(second.status(QStringLiteral("database"))->detail));
        QVERIFY(::kill(pid_t(pid), 0) != 0); // the old postmaster was stopped
        QVERIFY(ScopedConnection(again->connectionSettings()).isOpen());
        second.stopAll();
        first.stopAll();
    }
}

QTEST_GUILESS_MAIN(TestSupervisor)
#include "tst_supervisor.moc"
