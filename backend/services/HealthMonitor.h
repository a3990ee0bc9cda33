#pragma once

#include "cache/RedisConnection.h"
#include "core/Config.h"

#include <QJsonObject>
#include <QMutex>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>

namespace Revenge {

class DatabasePool;
class JobExecutor;
class Supervisor;

// Answers "is Revenge healthy?" for /health, /health/ready and the dashboard. Each check runs
// live with a short timeout. Readiness needs PostgreSQL; the cache and search only degrade.
// Thread-safe: the server's start-up sets the sources, HTTP worker threads call check().
class HealthMonitor
{
public:
    enum class Status
    {
        Healthy,
        Degraded,
        Unhealthy
    };
    static QString toString(Status status);

    HealthMonitor(const Config &config, Supervisor *supervisor);

    void setDatabasePool(std::shared_ptr<DatabasePool> pool);
    std::shared_ptr<DatabasePool> databasePool() const;
    void setDatabaseDetail(const QString &detail); // e.g. "connecting (attempt 3): ..."
    void setCacheEndpoint(std::optional<RedisEndpoint> endpoint);
    void setHttpListening(const QString &address, quint16 port);
    void setJobExecutor(JobExecutor *executor);
    void countRequest() { ++m_requests; }

    // The full report: {"status", "checked_at", "components": {database, cache, search, jobs,
    // http}}.
    QJsonObject check();
    // True when PostgreSQL answers a query and the schema is migrated.
    bool ready(QString *reason = nullptr);

private:
    QJsonObject checkDatabase();
    QJsonObject checkCache();
    QJsonObject checkSearch(const QJsonObject &database);
    QJsonObject checkJobs(const QJsonObject &database);
    QJsonObject checkHttp();
    QJsonObject serviceInfo(const QString &name, bool managed) const;

    const Config m_config;
    Supervisor *m_supervisor;
    mutable QMutex m_mutex;
    std::shared_ptr<DatabasePool> m_pool;
    // Checks borrow from their own two connections, so that a busy server (HTTP workers and jobs
    // holding every pooled connection) still answers its health checks.
    std::shared_ptr<DatabasePool> m_checkPool;
    QString m_databaseDetail = QStringLiteral("starting");
    std::optional<RedisEndpoint> m_cache;
    JobExecutor *m_jobs = nullptr;
    QString m_httpAddress;
    quint16 m_httpPort = 0;
    std::atomic<qint64> m_requests{0};
};

} // namespace Revenge
