#pragma once

#include "core/Config.h"
#include "db/ConnectionSettings.h"

#include <QLockFile>
#include <QObject>
#include <QThreadPool>
#include <atomic>
#include <memory>
#include <optional>

class QThread;

namespace Revenge {

class ApiServer;
class DatabasePool;
class CacheSubscriber;
class DistributedLock;
class EventBus;
class RateLimiter;
class ResponseCache;
class SessionStore;
class SearchBackend;
class SearchIndexer;
class JobExecutor;
class ScheduledTasks;
class LibraryWatcher;
class ImageStore;
class MetadataProvider;
class HealthMonitor;
class RedisClient;
class SecretStore;
class Supervisor;

// The composition root: builds the components from the configuration, wires them, owns their
// threads, and starts and stops them in order. Start-up is asynchronous: HTTP answers at once
// (/health/ready says 503 until PostgreSQL is usable); managed services come up behind it.
class Server : public QObject
{
    Q_OBJECT

public:
    Server(Config config, QString dataDir, SecretStore *secrets, QObject *parent = nullptr);
    ~Server() override;

    // Takes the data directory lock, starts HTTP and the managed services. False (with error)
    // only for problems a retry cannot fix: another Revenge owns the data dir, the port is taken.
    bool start(QString *error);
    // HTTP first, then background work, then the managed services. Blocking; idempotent.
    void stop();

    HealthMonitor *health() const { return m_health.get(); }
    Supervisor *supervisor() const { return m_supervisor; }
    std::shared_ptr<DatabasePool> database() const;
    // The job executor, once the database is ready (null before).
    JobExecutor *jobs() const { return m_jobs.get(); }
    // The cache client once the cache's address is known (null before; it may be unreachable:
    // every user falls back by itself). Events always work in-process.
    RedisClient *cache() const { return m_cache.get(); }
    EventBus *events() const { return m_events; }
    ResponseCache *responses() const { return m_responses.get(); }
    RateLimiter *rateLimiter() const { return m_rateLimiter.get(); }
    // Once the database is ready (null before).
    SessionStore *sessions() const { return m_sessions.get(); }
    DistributedLock *locks() const { return m_locks.get(); }
    // The configured search engine (Typesense with the PostgreSQL engine behind it, or the
    // PostgreSQL engine alone), once the database is ready.
    SearchBackend *search() const { return m_search.get(); }
    quint16 httpPort() const { return m_httpPort; }
    const Config &config() const { return m_config; }
    // The scheduled tasks (tasks.* in the configuration).
    std::shared_ptr<const ScheduledTasks> tasks() const { return m_tasks; }
    QString dataDir() const { return m_dataDir; }

Q_SIGNALS:
    void databaseReady();
    // Start-up cannot continue (e.g. a tampered migration). The application should exit non-zero.
    void fatalError(const QString &message);

private:
    void startJobs();
    void registerLibraryWorkers();
    void attachCache(const struct RedisEndpoint &endpoint);
    void connectDatabase(const ConnectionSettings &settings);
    void runDatabaseLoop();

    Config m_config;
    QString m_dataDir;
    SecretStore *m_secrets;
    QLockFile m_lock;
    Supervisor *m_supervisor;
    std::unique_ptr<HealthMonitor> m_health;
    QThread *m_httpThread = nullptr;
    ApiServer *m_api = nullptr;
    quint16 m_httpPort = 0;
    QThreadPool m_background; // the database connect/migrate loop
    std::unique_ptr<JobExecutor> m_jobs;
    std::unique_ptr<RedisClient> m_cache; // address set once the cache is known
    EventBus *m_events;
    std::unique_ptr<ResponseCache> m_responses;
    std::unique_ptr<RateLimiter> m_rateLimiter;
    std::shared_ptr<SessionStore>
        m_sessions; // shared with the clean-up worker, which may outlive stop()
    std::unique_ptr<DistributedLock> m_locks;
    std::shared_ptr<SearchBackend> m_search;
    std::shared_ptr<SearchIndexer> m_indexer;
    std::shared_ptr<ScheduledTasks> m_tasks;
    std::shared_ptr<MetadataProvider> m_metadataProvider;
    std::shared_ptr<ImageStore> m_images;
    LibraryWatcher *m_watcher = nullptr;
    CacheSubscriber *m_subscriber = nullptr;
    std::atomic<bool> m_stopping{false};
    std::optional<ConnectionSettings> m_databaseSettings; // what the pool connects to
    std::shared_ptr<DatabasePool> m_pool;
    bool m_stopped = false;
};

} // namespace Revenge
