#include "HttpClient.h"
#include "Server.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "cache/DistributedLock.h"
#include "cache/RateLimiter.h"
#include "cache/RedisClient.h"
#include "cache/SessionStore.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "events/EventBus.h"
#include "services/ManagedService.h"
#include "services/Ports.h"
#include "services/Supervisor.h"

#include <QJsonArray>
#include <QTcpServer>
#include <QtTest>
#include <signal.h>

using namespace Revenge;
using namespace Revenge::Test;

// The composed server over HTTP: health endpoints, the embedded default, degraded mode when the
// cache goes away, an external database that appears late, start-up refusals.
class TestServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void managedDefaultComesUpHealthy();
    void cacheStoppedDegradesAndRecovers();
    void externalDatabaseUnreachableThenAppears();
    void secondServerOnSameDataDirIsRefused();
    void portInUseIsRefused();

private:
    static Config managedConfig();
    QString url(const Server &server, const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(server.httpPort()).arg(path);
    }
    bool waitForStatus(const Server &server, const QString &path, int status, int timeoutMs);
    QString componentStatus(const Server &server, const QString &component);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FileSecretStore> m_secrets;
};

void TestServer::init()
{
    m_dir = makeTempDir(QStringLiteral("revenge-server"));
    m_secrets =
        std::make_unique<FileSecretStore>(m_dir->path() + QStringLiteral("/data/secrets.json"));
}

void TestServer::cleanup()
{
    m_secrets.reset();
    m_dir.reset();
}

Config TestServer::managedConfig()
{
    Config c;
    c.server.host = QStringLiteral("127.0.0.1");
    c.server.port = 0; // any free port
    return c;
}

bool TestServer::waitForStatus(const Server &server, const QString &path, int status, int timeoutMs)
{
    return waitUntil([&] { return httpGet(url(server, path), 3000).status == status; }, timeoutMs);
}

QString TestServer::componentStatus(const Server &server, const QString &component)
{
    return httpGet(url(server, QStringLiteral("/health")))
        .json()
        .value(QStringLiteral("components"))
        .toObject()
        .value(component)
        .toObject()
        .value(QStringLiteral("status"))
        .toString();
}

void TestServer::managedDefaultComesUpHealthy()
{
    Server server(managedConfig(), m_dir->path() + QStringLiteral("/data"), m_secrets.get());
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    QVERIFY(server.httpPort() > 0);

    // Live at once, ready once PostgreSQL is initialised and migrated.
    QCOMPARE(httpGet(url(server, QStringLiteral("/health/live"))).status, 200);
    QVERIFY(waitForStatus(server, QStringLiteral("/health/ready"), 200, 120000));
    QVERIFY(waitUntil(
        [&] {
            return componentStatus(server, QStringLiteral("cache")) == QLatin1String("healthy");
        },
        30000));
    QVERIFY(waitUntil(
        [&] { return componentStatus(server, QStringLiteral("jobs")) == QLatin1String("healthy"); },
        30000));

    const HttpResult health = httpGet(url(server, QStringLiteral("/health")));
    QCOMPARE(health.status, 200);
    QVERIFY(health.contentType.startsWith("application/json"));
    const QJsonObject report = health.json();
    QCOMPARE(report.value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
    const QJsonObject components = report.value(QStringLiteral("components")).toObject();
    for (const char *name : {"database", "cache", "search", "jobs", "http"}) {
        const QJsonObject c = components.value(QLatin1String(name)).toObject();
        QVERIFY2(c.value(QStringLiteral("status")).toString() == QLatin1String("healthy"), name);
        QVERIFY2(c.contains(QStringLiteral("latency_ms")), name);
        QVERIFY2(c.contains(QStringLiteral("managed")), name);
    }
    const QJsonObject db = components.value(QStringLiteral("database")).toObject();
    QVERIFY(db.value(QStringLiteral("managed")).toBool());
    QVERIFY(db.value(QStringLiteral("version")).toString().startsWith(QLatin1String("15")));
    QCOMPARE(db.value(QStringLiteral("pool")).toObject().value(QStringLiteral("size")).toInt(), 10);
    QCOMPARE(db.value(QStringLiteral("service_state")).toString(), QStringLiteral("running"));
    const QJsonObject cache = components.value(QStringLiteral("cache")).toObject();
    QVERIFY(cache.value(QStringLiteral("managed")).toBool());
    QVERIFY(!cache.value(QStringLiteral("version")).toString().isEmpty());
    QCOMPARE(components.value(QStringLiteral("search"))
                 .toObject()
                 .value(QStringLiteral("engine"))
                 .toString(),
             QStringLiteral("postgres"));
    // The job executor runs the configured queues and leads (it is alone).
    const QJsonObject jobs = components.value(QStringLiteral("jobs")).toObject();
    QVERIFY(jobs.value(QStringLiteral("leader")).toBool());
    const QJsonObject queues = jobs.value(QStringLiteral("queues")).toObject();
    QCOMPARE(
        queues.value(QStringLiteral("default")).toObject().value(QStringLiteral("workers")).toInt(),
        5);
    QCOMPARE(
        queues.value(QStringLiteral("high")).toObject().value(QStringLiteral("workers")).toInt(),
        10);
    QCOMPARE(
        queues.value(QStringLiteral("low")).toObject().value(QStringLiteral("workers")).toInt(), 2);
    // The built-in periodic clean-up ran once at start, on the low queue.
    QVERIFY(waitUntil(
        [&] {
            return httpGet(url(server, QStringLiteral("/health")))
                       .json()[QStringLiteral("components")][QStringLiteral("jobs")]
                              [QStringLiteral("queues")][QStringLiteral("low")]
                              [QStringLiteral("jobs")][QStringLiteral("completed")]
                       .toInt() == 1;
        },
        30000));

    // Unknown routes answer JSON, not HTML.
    const HttpResult missing = httpGet(url(server, QStringLiteral("/no/such/route")));
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.json()
                 .value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
             QStringLiteral("not_found"));

    // Stopping shuts everything down in order and frees the port.
    const quint16 port = server.httpPort();
    const qint64 pgPid = server.supervisor()->status(QStringLiteral("database"))->pid;
    server.stop();
    QCOMPARE(httpGet(QStringLiteral("http://127.0.0.1:%1/health/live").arg(port), 1000).status, 0);
    QVERIFY(::kill(pid_t(pgPid), 0) != 0);
}

void TestServer::cacheStoppedDegradesAndRecovers()
{
    Server server(managedConfig(), m_dir->path() + QStringLiteral("/data"), m_secrets.get());
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    QVERIFY(waitForStatus(server, QStringLiteral("/health/ready"), 200, 120000));
    QVERIFY(waitUntil(
        [&] {
            return componentStatus(server, QStringLiteral("cache")) == QLatin1String("healthy");
        },
        30000));

    // A user and a session, with the cache up.
    QVERIFY(waitUntil([&] { return server.sessions() != nullptr; }, 30000));
    QUuid userId;
    {
        auto lease = server.database()->acquire();
        const PgResult r = pgExec(
            lease->db(),
            "INSERT INTO shared.users (username, password_hash) VALUES "
            "('alice', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g') RETURNING id");
        QVERIFY2(r.ok(), qPrintable(r.error()));
        userId = QUuid::fromString(r.text(0, 0));
    }
    const auto created = server.sessions()->create(userId, {}, &error);
    QVERIFY2(created, qPrintable(error));
    const QString token = created->first;
    QVERIFY(server.sessions()->validate(token));
    QVERIFY(
        !server.rateLimiter()->check(QStringLiteral("api"), QStringLiteral("10.0.0.1")).degraded);
    QVERIFY(
        server.locks()->tryAcquire(QStringLiteral("scan:1"), std::chrono::seconds(5))->isRedis());
    QVERIFY(waitUntil(
        [&] {
            return server.cache()->command({"EXISTS", SessionStore::cacheKey(token)})->integer == 1;
        },
        5000));

    ManagedService *cache = server.supervisor()->service(QStringLiteral("cache"));
    QVERIFY(cache);
    cache->stop();

    // Nothing the user does fails: sessions from PostgreSQL, limits in-process, locks through
    // PostgreSQL advisory locks, events in-process.
    QVERIFY2(server.sessions()->validate(token, &error), qPrintable(error));
    QVERIFY(server.sessions()->create(userId, {}, &error));
    QVERIFY(server.rateLimiter()->check(QStringLiteral("api"), QStringLiteral("10.0.0.1")).allowed);
    QVERIFY(
        server.rateLimiter()->check(QStringLiteral("api"), QStringLiteral("10.0.0.1")).degraded);
    {
        auto lock =
            server.locks()->tryAcquire(QStringLiteral("scan:2"), std::chrono::seconds(5), &error);
        QVERIFY2(lock && lock->isPostgres(), qPrintable(error));
    }
    int delivered = 0;
    connect(
        server.events(), &EventBus::event, this, [&](const Event &) { ++delivered; },
        Qt::DirectConnection);
    server.events()->publish(QStringLiteral("library.changed"), {{QStringLiteral("id"), 1}});
    QCOMPARE(delivered, 1);

    const HttpResult degraded = httpGet(url(server, QStringLiteral("/health")));
    QCOMPARE(degraded.status, 200); // degraded is still serving
    QCOMPARE(degraded.json().value(QStringLiteral("status")).toString(),
             QStringLiteral("degraded"));
    QCOMPARE(componentStatus(server, QStringLiteral("cache")), QStringLiteral("degraded"));
    QCOMPARE(componentStatus(server, QStringLiteral("database")), QStringLiteral("healthy"));
    QCOMPARE(httpGet(url(server, QStringLiteral("/health/ready"))).status,
             200); // readiness needs only PostgreSQL

    cache->start();
    QVERIFY(waitUntil(
        [&] {
            return componentStatus(server, QStringLiteral("cache")) == QLatin1String("healthy");
        },
        30000));

    // A crash is noticed and repaired by the supervisor without anyone asking.
    const qint64 pid = server.supervisor()->status(QStringLiteral("cache"))->pid;
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
    QVERIFY(waitUntil(
        [&] {
            const auto s = server.supervisor()->status(QStringLiteral("cache"));
            return s->state == ServiceState::Running && s->pid != pid;
        },
        30000));
    QVERIFY(waitUntil(
        [&] {
            return httpGet(url(server, QStringLiteral("/health")))
                       .json()
                       .value(QStringLiteral("status"))
                       .toString() == QLatin1String("healthy");
        },
        30000));
    server.stop();
}

void TestServer::externalDatabaseUnreachableThenAppears()
{
    const quint16 pgPort = Ports::pickFree();
    Config config = managedConfig();
    config.database.managed = false;
    config.database.host = QStringLiteral("127.0.0.1");
    config.database.port = pgPort;
    config.database.password = QStringLiteral("s3cret-for-tests");
    config.cache.managed = false;
    config.cache.host = QStringLiteral("127.0.0.1");
    config.cache.port = Ports::pickFree(); // nothing there: degraded, not fatal

    Server server(config, m_dir->path() + QStringLiteral("/data"), m_secrets.get());
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    // Not ready, and says why; unhealthy overall; the process keeps running and retrying.
    QVERIFY(waitUntil(
        [&] {
            return httpGet(url(server, QStringLiteral("/health/ready")))
                .json()
                .value(QStringLiteral("reason"))
                .toString()
                .contains(QStringLiteral("cannot reach PostgreSQL"));
        },
        10000));
    const HttpResult ready = httpGet(url(server, QStringLiteral("/health/ready")));
    QCOMPARE(ready.status, 503);
    const HttpResult health = httpGet(url(server, QStringLiteral("/health")));
    QCOMPARE(health.status, 503);
    const QJsonObject report = health.json();
    QCOMPARE(report.value(QStringLiteral("status")).toString(), QStringLiteral("unhealthy"));
    const QJsonObject db = report.value(QStringLiteral("components"))
                               .toObject()
                               .value(QStringLiteral("database"))
                               .toObject();
    QCOMPARE(db.value(QStringLiteral("managed")).toBool(), false);
    QCOMPARE(db.value(QStringLiteral("service_state")).toString(), QStringLiteral("external"));
    QCOMPARE(componentStatus(server, QStringLiteral("cache")), QStringLiteral("degraded"));

    // The database appears: the server notices on its own.
    TestPostgres pg(pgPort);
    pg.setPassword(config.database.password);
    QVERIFY2(pg.start(&error), qPrintable(error));
    QVERIFY(waitForStatus(server, QStringLiteral("/health/ready"), 200, 60000));
    QCOMPARE(componentStatus(server, QStringLiteral("database")), QStringLiteral("healthy"));
    QCOMPARE(httpGet(url(server, QStringLiteral("/health")))
                 .json()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("degraded")); // the cache is still missing
    server.stop();
}

void TestServer::secondServerOnSameDataDirIsRefused()
{
    Config config = managedConfig();
    config.database.managed = false; // no need for real services here
    config.database.port = Ports::pickFree();
    config.cache.managed = false;
    const QString dataDir = m_dir->path() + QStringLiteral("/data");
    Server first(config, dataDir, m_secrets.get());
    QString error;
    QVERIFY2(first.start(&error), qPrintable(error));
    Server second(config, dataDir, m_secrets.get());
    QVERIFY(!second.start(&error));
    QVERIFY2(error.contains(QStringLiteral("another Revenge")), qPrintable(error));
    QVERIFY2(error.contains(dataDir), qPrintable(error));
}

void TestServer::portInUseIsRefused()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost));
    Config config = managedConfig();
    config.server.port = squatter.serverPort();
    config.database.managed = false;
    config.cache.managed = false;
    Server server(config, m_dir->path() + QStringLiteral("/data"), m_secrets.get());
    QString error;
    QVERIFY(!server.start(&error));
    QVERIFY2(
        error.contains(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(squatter.serverPort())),
        qPrintable(error));
}

QTEST_GUILESS_MAIN(TestServer)
#include "tst_server.moc"
