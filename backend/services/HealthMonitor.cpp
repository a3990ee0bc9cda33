#include "HealthMonitor.h"

#include "Supervisor.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QtConcurrent>

namespace Revenge {

namespace {

QJsonObject component(HealthMonitor::Status status, double latencyMs, const QString &detail)
{
    return {{QStringLiteral("status"), HealthMonitor::toString(status)},
            {QStringLiteral("latency_ms"), std::round(latencyMs * 100) / 100},
            {QStringLiteral("detail"), detail}};
}

double elapsedMs(const QElapsedTimer &t)
{
    return t.nsecsElapsed() / 1e6;
}

} // namespace

QString HealthMonitor::toString(Status status)
{
    switch (status) {
    case Status::Healthy:
        return QStringLiteral("healthy");
    case Status::Degraded:
        return QStringLiteral("degraded");
    case Status::Unhealthy:
        return QStringLiteral("unhealthy");
    }
    return {};
}

HealthMonitor::HealthMonitor(const Config &config, Supervisor *supervisor)
    : m_config(config)
    , m_supervisor(supervisor)
{}

void HealthMonitor::setDatabasePool(std::shared_ptr<DatabasePool> pool)
{
    auto checkPool = pool ? std::make_shared<DatabasePool>(pool->settings(), 2) : nullptr;
    if (pool)
        pool->addFollower(checkPool, [](ConnectionSettings &) {});
    QMutexLocker lock(&m_mutex);
    m_pool = std::move(pool);
    m_checkPool = std::move(checkPool);
}

std::shared_ptr<DatabasePool> HealthMonitor::databasePool() const
{
    QMutexLocker lock(&m_mutex);
    return m_pool;
}

void HealthMonitor::setDatabaseDetail(const QString &detail)
{
    QMutexLocker lock(&m_mutex);
    m_databaseDetail = detail;
}

void HealthMonitor::setCacheEndpoint(std::optional<RedisEndpoint> endpoint)
{
    QMutexLocker lock(&m_mutex);
    m_cache = std::move(endpoint);
}

void HealthMonitor::setJobExecutor(JobExecutor *executor)
{
    QMutexLocker lock(&m_mutex);
    m_jobs = executor;
}

void HealthMonitor::setHttpListening(const QString &address, quint16 port)
{
    QMutexLocker lock(&m_mutex);
    m_httpAddress = address;
    m_httpPort = port;
}

QJsonObject HealthMonitor::serviceInfo(const QString &name, bool managed) const
{
    QJsonObject info{{QStringLiteral("managed"), managed}};
    if (m_supervisor) {
        if (auto s = m_supervisor->status(name)) {
            info.insert(QStringLiteral("service_state"), serviceStateName(s->state));
            if (s->pid)
                info.insert(QStringLiteral("pid"), s->pid);
            if (s->restarts)
                info.insert(QStringLiteral("restarts"), s->restarts);
            if (!s->detail.isEmpty())
                info.insert(QStringLiteral("service_detail"), s->detail);
        }
    }
    return info;
}

bool HealthMonitor::ready(QString *reason)
{
    std::shared_ptr<DatabasePool> pool;
    QString detail;
    {
        QMutexLocker lock(&m_mutex);
        pool = m_checkPool;
        detail = m_databaseDetail;
    }
    if (!pool) {
        if (reason)
            *reason = QStringLiteral("database not ready: %1").arg(detail);
        return false;
    }
    QString error;
    auto lease = pool->acquire(2000, &error);
    if (lease) {
        QSqlQuery q(lease->db());
        if (q.exec(QStringLiteral("SELECT 1")))
            return true;
        error = q.lastError().text();
    }
    if (reason)
        *reason = QStringLiteral("database unreachable: %1").arg(error);
    return false;
}

QJsonObject HealthMonitor::checkDatabase()
{
    std::shared_ptr<DatabasePool> pool, checkPool;
    QString detail;
    {
        QMutexLocker lock(&m_mutex);
        pool = m_pool;
        checkPool = m_checkPool;
        detail = m_databaseDetail;
    }
    QElapsedTimer t;
    t.start();
    QJsonObject out;
    if (!pool) {
        out = component(Status::Unhealthy, 0, detail);
    } else {
        QString error;
        auto lease = checkPool->acquire(2000, &error);
        if (lease) {
            QSqlQuery q(lease->db());
            if (q.exec(QStringLiteral("SELECT current_setting('server_version'), "
                                      "(SELECT count(*) FROM public.schema_migrations)")) &&
                q.next()) {
                out = component(Status::Healthy, elapsedMs(t),
                                QStringLiteral("%1 migrations applied").arg(q.value(1).toInt()));
                out.insert(QStringLiteral("version"), q.value(0).toString());
            } else {
                error = q.lastError().text().trimmed();
            }
        }
        if (out.isEmpty())
            out = component(Status::Unhealthy, elapsedMs(t), error);
        out.insert(QStringLiteral("pool"), QJsonObject{{QStringLiteral("size"), pool->size()},
                                                       {QStringLiteral("in_use"), pool->inUse()}});
    }
    const QJsonObject info = serviceInfo(QStringLiteral("database"), m_config.database.managed);
    for (auto it = info.begin(); it != info.end(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

QJsonObject HealthMonitor::checkCache()
{
    std::optional<RedisEndpoint> endpoint;
    {
        QMutexLocker lock(&m_mutex);
        endpoint = m_cache;
    }
    QJsonObject out;
    QElapsedTimer t;
    t.start();
    if (!endpoint) {
        out = component(Status::Degraded, 0, QStringLiteral("not available yet"));
    } else {
        RedisEndpoint ep = *endpoint;
        ep.connectTimeoutMs = 500;
        ep.commandTimeoutMs = 500;
        RedisConnection c;
        if (!c.connect(ep)) {
            out = component(
                Status::Degraded, elapsedMs(t),
                c.error() +
                    QStringLiteral(
                        "; sessions, rate limits and events fall back to PostgreSQL/in-process"));
        } else if (auto r = c.command({"PING"}); !r || r->isError()) {
            out = component(Status::Degraded, elapsedMs(t),
                            r ? QString::fromUtf8(r->string) : c.error());
        } else {
            out = component(Status::Healthy, elapsedMs(t),
                            QStringLiteral("%1:%2").arg(ep.host).arg(ep.port));
            if (auto v = c.serverVersion()) {
                out.insert(QStringLiteral("version"), v->second);
                out.insert(QStringLiteral("server"), v->first);
            }
        }
    }
    const QJsonObject info = serviceInfo(QStringLiteral("cache"), m_config.cache.managed);
    for (auto it = info.begin(); it != info.end(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

QJsonObject HealthMonitor::checkSearch(const QJsonObject &database)
{
    if (m_config.search.managed) {
        // The PostgreSQL-native engine lives in the database: it is as healthy as the database.
        const bool dbOk =
            database.value(QStringLiteral("status")).toString() == QLatin1String("healthy");
        QJsonObject out = component(dbOk ? Status::Healthy : Status::Degraded, 0,
                                    QStringLiteral("PostgreSQL-native engine"));
        out.insert(QStringLiteral("engine"), QStringLiteral("postgres"));
        out.insert(QStringLiteral("managed"), true);
        return out;
    }
    QElapsedTimer t;
    t.start();
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(QStringLiteral("%1://%2:%3/health")
                                     .arg(m_config.search.protocol, m_config.search.host)
                                     .arg(m_config.search.port)));
    request.setRawHeader("X-TYPESENSE-API-KEY", m_config.search.apiKey.toUtf8());
    request.setTransferTimeout(2000);
    QNetworkReply *reply = nam.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const QByteArray body = reply->readAll();
    const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QJsonObject out;
    if (reply->error() == QNetworkReply::NoError && code == 200 && body.contains("true")) {
        out = component(Status::Healthy, elapsedMs(t), request.url().toString());
    } else {
        const QString why =
            reply->error() != QNetworkReply::NoError
                ? reply->errorString()
                : QStringLiteral("HTTP %1: %2").arg(code).arg(QString::fromUtf8(body.left(200)));
        out = component(
            Status::Degraded, elapsedMs(t),
            QStringLiteral("Typesense unreachable (%1); searches use the PostgreSQL engine")
                .arg(why));
    }
    reply->deleteLater();
    out.insert(QStringLiteral("engine"), QStringLiteral("typesense"));
    out.insert(QStringLiteral("managed"), false);
    return out;
}

QJsonObject HealthMonitor::checkJobs(const QJsonObject &database)
{
    // Jobs live in PostgreSQL: no database, no jobs.
    const bool dbOk =
        database.value(QStringLiteral("status")).toString() == QLatin1String("healthy");
    std::shared_ptr<DatabasePool> pool;
    ExecutorStats stats;
    bool haveExecutor = false;
    {
        QMutexLocker lock(&m_mutex);
        pool = m_checkPool;
        // stats() is thread-safe; the executor outlives this call because Server::stop()
        // unregisters it (under this mutex) before stopping it.
        if (m_jobs) {
            stats = m_jobs->stats();
            haveExecutor = true;
        }
    }
    QElapsedTimer t;
    t.start();
    QJsonObject queues;
    for (auto it = stats.queues.begin(); it != stats.queues.end(); ++it)
        queues.insert(it.key(), QJsonObject{{QStringLiteral("workers"), it->workers},
                                            {QStringLiteral("running"), it->running},
                                            {QStringLiteral("paused"), it->paused}});
    QString countsError;
    if (dbOk && pool) {
        if (const auto infos = JobClient(pool).queues(&countsError)) {
            for (const QueueInfo &q : *infos) {
                QJsonObject entry = queues.value(q.name).toObject();
                QJsonObject counts;
                for (auto c = q.counts.begin(); c != q.counts.end(); ++c)
                    counts.insert(c.key(), c.value());
                entry.insert(QStringLiteral("jobs"), counts);
                entry.insert(QStringLiteral("paused"), q.paused);
                queues.insert(q.name, entry);
            }
        }
    }
    Status status = Status::Healthy;
    QString detail;
    if (!dbOk) {
        status = Status::Unhealthy;
        detail = QStringLiteral("the job queue needs the database");
    } else if (!haveExecutor || !stats.started) {
        status = Status::Degraded;
        detail = QStringLiteral("the job executor is not running");
    } else if (!countsError.isEmpty()) {
        status = Status::Degraded;
        detail = countsError;
    } else {
        int running = 0;
        for (const auto &q : stats.queues)
            running += q.running;
        detail = QStringLiteral("%1 running, %2 jobs/s over the last minute%3")
                     .arg(running)
                     .arg(stats.jobsPerSecond, 0, 'f', 2)
                     .arg(stats.leader ? QStringLiteral(", leader") : QString());
    }
    QJsonObject out = component(status, elapsedMs(t), detail);
    out.insert(QStringLiteral("managed"), true);
    out.insert(QStringLiteral("queues"), queues);
    if (haveExecutor) {
        out.insert(QStringLiteral("client_id"), stats.clientId);
        out.insert(QStringLiteral("leader"), stats.leader);
        out.insert(QStringLiteral("jobs_per_second"), stats.jobsPerSecond);
    }
    return out;
}

QJsonObject HealthMonitor::checkHttp()
{
    QMutexLocker lock(&m_mutex);
    QJsonObject out = component(
        m_httpPort ? Status::Healthy : Status::Unhealthy, 0,
        m_httpPort ? QStringLiteral("listening on %1:%2").arg(m_httpAddress).arg(m_httpPort)
                   : QStringLiteral("not listening"));
    out.insert(QStringLiteral("requests"), m_requests.load());
    out.insert(QStringLiteral("managed"), true);
    return out;
}

QJsonObject HealthMonitor::check()
{
    // Database and cache are independent network checks: run them side by side.
    QFuture<QJsonObject> cache = QtConcurrent::run([this] { return checkCache(); });
    const QJsonObject database = checkDatabase();
    QJsonObject components{{QStringLiteral("database"), database},
                           {QStringLiteral("search"), checkSearch(database)},
                           {QStringLiteral("jobs"), checkJobs(database)},
                           {QStringLiteral("http"), checkHttp()},
                           {QStringLiteral("cache"), cache.result()}};
    Status overall = Status::Healthy;
    if (database.value(QStringLiteral("status")).toString() != QLatin1String("healthy")) {
        overall = Status::Unhealthy;
    } else {
        for (auto it = components.begin(); it != components.end(); ++it)
            if (it.value().toObject().value(QStringLiteral("status")).toString() !=
                QLatin1String("healthy"))
                overall = Status::Degraded;
    }
    return {
        {QStringLiteral("status"), toString(overall)},
        {QStringLiteral("version"), QStringLiteral(REVENGE_VERSION)},
        {QStringLiteral("checked_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("components"), components}};
}

} // namespace Revenge
