#include "Server.h"

#include "api/ApiServer.h"
#include "cache/CacheSubscriber.h"
#include "cache/DistributedLock.h"
#include "cache/RateLimiter.h"
#include "cache/RedisClient.h"
#include "cache/ResponseCache.h"
#include "cache/SessionStore.h"
#include "core/Logging.h"
#include "core/Paths.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "events/EventBus.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"
#include "jobs/ScheduledTasks.h"
#include "jobs/workers/ImageDownloadWorker.h"
#include "jobs/workers/ImageTrimWorker.h"
#include "jobs/workers/LibraryScanWorker.h"
#include "jobs/workers/LocalMetadataWorker.h"
#include "jobs/workers/MediaProbeWorker.h"
#include "jobs/workers/MetadataFetchWorker.h"
#include "jobs/workers/MetadataRefreshWorker.h"
#include "jobs/workers/SearchIndexWorker.h"
#include "jobs/workers/SessionCleanupWorker.h"
#include "library/LibraryWatcher.h"
#include "library/images/ImageStore.h"
#include "library/metadata/TmdbProvider.h"
#include "search/FallbackSearchBackend.h"
#include "search/PostgresSearchBackend.h"
#include "search/SearchIndexer.h"
#include "search/TypesenseSearchBackend.h"
#include "services/CacheService.h"
#include "services/HealthMonitor.h"
#include "services/PostgresService.h"
#include "services/Supervisor.h"

#include <QCoreApplication>
#include <QDir>
#include <QHostInfo>
#include <QSqlError>
#include <QThread>
#include <QTimer>
#include <QtConcurrent>

namespace Revenge {

Server::Server(Config config, QString dataDir, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_dataDir(std::move(dataDir))
    , m_secrets(secrets)
    , m_lock(m_dataDir + QStringLiteral("/revenge.lock"))
    , m_supervisor(new Supervisor(this))
    , m_health(std::make_unique<HealthMonitor>(m_config, m_supervisor))
    , m_events(new EventBus(QStringLiteral("%1-%2")
                                .arg(QHostInfo::localHostName())
                                .arg(QCoreApplication::applicationPid()),
                            this))
{
    m_background.setMaxThreadCount(1);
    m_lock.setStaleLockTime(0);
    // The cache's users exist from the start and fall back by themselves while it is away.
    m_cache = std::make_unique<RedisClient>();
    m_events->attachCache(m_cache.get());
    m_responses = std::make_unique<ResponseCache>(m_cache.get(), m_events);
    m_rateLimiter = std::make_unique<RateLimiter>(m_cache.get());
    m_tasks = std::make_shared<ScheduledTasks>(m_config.tasks, m_config.jobs.queues);
    connect(this, &Server::databaseReady, this, &Server::startJobs);
}

Server::~Server()
{
    stop();
}

std::shared_ptr<DatabasePool> Server::database() const
{
    // Published to the health monitor once migrations are done.
    return m_health->databasePool();
}

bool Server::start(QString *error)
{
    if (!QDir().mkpath(m_dataDir)) {
        *error = QStringLiteral("cannot create the data directory %1").arg(m_dataDir);
        return false;
    }
    if (!m_lock.tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock.getLockInfo(&pid, &host, &app);
        *error = QStringLiteral("another Revenge (pid %1) is using the data directory %2")
                     .arg(pid)
                     .arg(m_dataDir);
        return false;
    }

    // HTTP first, so /health/live and /health/ready answer while the rest comes up.
    m_httpThread = new QThread(this);
    m_httpThread->setObjectName(QStringLiteral("http"));
    m_api = new ApiServer(m_health.get(), m_tasks);
    m_api->moveToThread(m_httpThread);
    connect(m_httpThread, &QThread::finished, m_api, &QObject::deleteLater);
    m_httpThread->start();
    QString listenError;
    QMetaObject::invokeMethod(
        m_api,
        [&] {
            m_httpPort = m_api->listen(m_config.server.host, m_config.server.port, &listenError);
        },
        Qt::BlockingQueuedConnection);
    if (!m_httpPort) {
        *error = listenError;
        return false;
    }
    m_health->setHttpListening(m_config.server.host, m_httpPort);

    if (m_config.database.managed) {
        PostgresService::Options options;
        options.baseDir = Paths::postgresDir(m_dataDir);
        options.database = m_config.database.name;
        options.role = m_config.database.user;
        auto *pg = new PostgresService(options, m_secrets);
        m_supervisor->addManaged(pg);
        m_health->setDatabaseDetail(QStringLiteral("starting the managed PostgreSQL"));
        connect(m_supervisor, &Supervisor::serviceReady, this, [this, pg](const QString &name) {
            if (name == pg->name())
                connectDatabase(pg->connectionSettings());
        });
    } else {
        m_supervisor->addExternal(
            QStringLiteral("database"),
            QStringLiteral("%1:%2").arg(m_config.database.host).arg(m_config.database.port));
        ConnectionSettings s;
        s.host = m_config.database.host;
        s.port = m_config.database.port;
        s.database = m_config.database.name;
        s.user = m_config.database.user;
        s.password = m_config.database.password;
        connectDatabase(s);
    }

    if (m_config.cache.managed) {
        CacheService::Options options;
        options.baseDir = Paths::cacheDir(m_dataDir);
        auto *cache = new CacheService(options, m_secrets);
        m_supervisor->addManaged(cache);
        connect(m_supervisor, &Supervisor::serviceReady, this, [this, cache](const QString &name) {
            if (name == cache->name())
                attachCache(cache->endpoint());
        });
    } else {
        m_supervisor->addExternal(
            QStringLiteral("cache"),
            QStringLiteral("%1:%2").arg(m_config.cache.host).arg(m_config.cache.port));
        RedisEndpoint ep;
        ep.host = m_config.cache.host;
        ep.port = m_config.cache.port;
        ep.password = m_config.cache.password;
        ep.db = m_config.cache.db;
        attachCache(ep);
    }

    if (!m_config.search.managed)
        m_supervisor->addExternal(QStringLiteral("search"),
                                  QStringLiteral("Typesense at %1://%2:%3")
                                      .arg(m_config.search.protocol, m_config.search.host)
                                      .arg(m_config.search.port));

    m_supervisor->startAll();
    return true;
}

void Server::connectDatabase(const ConnectionSettings &settings)
{
    // A restarted managed PostgreSQL normally keeps its port and password and the pool simply
    // reconnects. If the port had to move, the one pool is re-pointed: everything holding it
    // (sessions, locks, jobs, health) follows.
    if (m_databaseSettings == settings)
        return;
    const bool first = !m_databaseSettings;
    m_databaseSettings = settings;
    if (!first) {
        qCInfo(lcServer) << "PostgreSQL moved to" << settings.host << settings.port
                         << "; following it";
        m_pool->setSettings(settings);
        return;
    }
    m_pool = std::make_shared<DatabasePool>(settings, m_config.database.poolSize);
    QtConcurrent::run(&m_background, [this] { runDatabaseLoop(); });
}

void Server::runDatabaseLoop()
{
    const std::shared_ptr<DatabasePool> pool = m_pool;
    for (int attempt = 1; !m_stopping; ++attempt) {
        const ConnectionSettings settings = pool->settings(); // may move while we retry
        QString error;
        {
            auto lease = pool->acquire(5000, &error);
            if (lease) {
                Migrator migrator(lease->db());
                int applied = 0;
                if (migrator.up(&error, &applied)) {
                    qCInfo(lcServer) << "database ready;" << applied << "migrations applied";
                    m_health->setDatabaseDetail(QStringLiteral("ready"));
                    m_health->setDatabasePool(pool);
                    QMetaObject::invokeMethod(this, &Server::databaseReady, Qt::QueuedConnection);
                    return;
                }
                // A migration that fails on a live connection will fail again: stop start-up.
                if (!DatabasePool::isBroken(lease->db())) {
                    qCCritical(lcMigrate).noquote() << error;
                    m_health->setDatabaseDetail(error);
                    QMetaObject::invokeMethod(
                        this, [this, error] { Q_EMIT fatalError(error); }, Qt::QueuedConnection);
                    return;
                }
            }
        }
        const int delayMs = std::min(30000, 500 * (1 << std::min(attempt - 1, 6)));
        const QString detail =
            QStringLiteral("cannot reach PostgreSQL at %1:%2 (attempt %3): %4; retrying in %5 s")
                .arg(settings.host)
                .arg(settings.port)
                .arg(attempt)
                .arg(error)
                .arg(delayMs / 1000.0);
        qCWarning(lcDb).noquote() << detail;
        m_health->setDatabaseDetail(detail);
        for (int waited = 0; waited < delayMs && !m_stopping; waited += 100)
            QThread::msleep(100);
    }
}

void Server::attachCache(const RedisEndpoint &endpoint)
{
    m_health->setCacheEndpoint(endpoint);
    m_cache->setEndpoint(endpoint);
    if (m_subscriber) {
        const RedisEndpoint current = m_subscriber->endpoint();
        if (current.host == endpoint.host && current.port == endpoint.port &&
            current.password == endpoint.password)
            return;          // a restarted managed cache normally keeps its address
        delete m_subscriber; // it moved: listen there instead
        m_subscriber = nullptr;
    }
    m_subscriber = new CacheSubscriber(endpoint, m_events, this);
    // Invalidations published while we were not listening are lost: start the local level afresh.
    connect(m_subscriber, &CacheSubscriber::subscribedChanged, this, [this](bool subscribed) {
        if (subscribed)
            m_responses->clear();
    });
    m_subscriber->start();
}

void Server::startJobs()
{
    if (m_stopping || !database())
        return;
    if (!m_sessions) {
        m_sessions = std::make_shared<SessionStore>(database(), m_cache.get());
        m_locks = std::make_unique<DistributedLock>(m_cache.get(), database());
        auto postgres = std::make_unique<PostgresSearchBackend>(database());
        if (m_config.search.managed) {
            m_search = std::move(postgres);
        } else {
            TypesenseSettings ts;
            ts.protocol = m_config.search.protocol;
            ts.host = m_config.search.host;
            ts.port = m_config.search.port;
            ts.apiKey = m_config.search.apiKey;
            m_search = std::make_shared<FallbackSearchBackend>(
                std::make_unique<TypesenseSearchBackend>(ts), std::move(postgres));
        }
        m_indexer = std::make_shared<SearchIndexer>(database(), m_search.get());
        // Typesense collections are created over the network: not on this thread.
        QtConcurrent::run(&m_background, [search = m_search] {
            QString error;
            if (!search->prepare(&error))
                qCWarning(lcServer).noquote() << "search engine not ready:" << error;
        });
    }
    if (m_jobs || m_stopping || m_config.jobs.queues.isEmpty())
        return;
    ExecutorOptions options;
    options.queues = m_config.jobs.queues;
    options.maxWorkers = m_config.jobs.workers;
    options.defaultTimeout = std::chrono::seconds(m_config.jobs.timeoutSeconds);
    options.rescueAfter = std::chrono::minutes(m_config.jobs.rescueAfterMinutes);
    options.completedRetention = std::chrono::hours(m_config.jobs.keepCompletedHours);
    options.cancelledRetention = std::chrono::hours(m_config.jobs.keepCancelledHours);
    options.discardedRetention = std::chrono::hours(m_config.jobs.keepDiscardedHours);
    m_jobs = std::make_unique<JobExecutor>(database(), options);
    m_jobs->registerWorker(std::make_shared<SessionCleanupWorker>(m_sessions));
    m_jobs->registerWorker(std::make_shared<SearchIndexWorker>(m_indexer));
    m_jobs->registerWorker(std::make_shared<SearchReindexWorker>(m_indexer));
    registerLibraryWorkers();
    // Job progress and outcomes reach dashboards and clients of every process as events.
    connect(
        m_jobs.get(), &JobExecutor::jobProgress, m_events,
        [this](const JobProgress &p) {
            m_events->publish(QStringLiteral("job.progress"),
                              {{QStringLiteral("id"), p.jobId},
                               {QStringLiteral("kind"), p.kind},
                               {QStringLiteral("queue"), p.queue},
                               {QStringLiteral("phase"), p.phase},
                               {QStringLiteral("current"), p.current},
                               {QStringLiteral("total"), p.total},
                               {QStringLiteral("message"), p.message}});
        },
        Qt::DirectConnection);
    for (const PeriodicJob &task : m_tasks->periodicJobs())
        m_jobs->addPeriodicJob(task);
    QString error;
    if (!m_jobs->start(&error)) {
        // The executor retries nothing by itself at start: try again shortly.
        qCWarning(lcServer).noquote()
            << "cannot start the job executor:" << error << "; retrying in 5 s";
        m_jobs.reset();
        QTimer::singleShot(5000, this, &Server::startJobs);
        return;
    }
    m_health->setJobExecutor(m_jobs.get());
    if (m_config.library.watch && !m_watcher) {
        m_watcher =
            new LibraryWatcher(database(), std::make_shared<JobClient>(database()),
                               std::chrono::seconds(m_config.library.watchDebounceSeconds), this);
        m_watcher->start();
    }
}

// Scanning, probing, local and remote metadata, artwork.
void Server::registerLibraryWorkers()
{
    auto client = std::make_shared<JobClient>(database());
    const MetadataConfig &meta = m_config.metadata;
    const bool remote = meta.provider != QLatin1String("none") && !meta.apiKey.isEmpty();
    if (meta.provider != QLatin1String("none") && meta.apiKey.isEmpty())
        qCInfo(lcServer) << "remote metadata is off: no metadata.api_key (set one with `revenge "
                            "secret set metadata.api_key`)";
    if (!m_metadataProvider)
        m_metadataProvider = std::make_shared<TmdbProvider>(TmdbSettings::fromConfig(meta),
                                                            m_cache.get(), m_rateLimiter.get());
    if (!m_images) {
        ImageStore::Options options;
        options.thumbnailWidth = m_config.images.thumbnailWidth;
        m_images = std::make_shared<ImageStore>(database(), m_dataDir + QStringLiteral("/images"),
                                                options);
    }
    m_jobs->registerWorker(std::make_shared<LibraryScanWorker>(
        database(), client, std::chrono::minutes(m_config.library.scanTimeoutMinutes)));
    m_jobs->registerWorker(std::make_shared<LibraryScanAllWorker>(database(), client));
    m_jobs->registerWorker(std::make_shared<MediaProbeWorker>(database()));
    m_jobs->registerWorker(std::make_shared<LocalMetadataWorker>(database(), client, remote));
    m_jobs->registerWorker(
        std::make_shared<MetadataFetchWorker>(database(), m_metadataProvider, client));
    m_jobs->registerWorker(std::make_shared<MetadataRefreshWorker>(database(), client));
    m_jobs->registerWorker(std::make_shared<ImageDownloadWorker>(
        database(), m_images, qint64(m_config.images.maxDownloadMb) * 1024 * 1024,
        std::chrono::seconds(60)));
    m_jobs->registerWorker(std::make_shared<ImageTrimWorker>(
        m_images, qint64(m_config.images.cacheMaxMb) * 1024 * 1024));
}

void Server::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_stopping = true;
    qCInfo(lcServer) << "stopping: HTTP";
    if (m_httpThread) {
        if (m_api)
            QMetaObject::invokeMethod(
                m_api, [this] { m_api->close(); }, Qt::BlockingQueuedConnection);
        m_httpThread->quit();
        m_httpThread->wait();
        m_api = nullptr;
    }
    qCInfo(lcServer) << "stopping: jobs";
    if (m_jobs) {
        m_health->setJobExecutor(nullptr);
        m_jobs->stop(std::chrono::seconds(10));
    }
    if (m_subscriber)
        m_subscriber->stop();
    m_events->detachCache();
    m_sessions.reset();
    m_locks.reset();
    qCInfo(lcServer) << "stopping: background work";
    m_background.waitForDone();
    m_health->setDatabasePool(nullptr);
    qCInfo(lcServer) << "stopping: managed services";
    m_supervisor->stopAll();
    m_lock.unlock();
    qCInfo(lcServer) << "stopped";
}

} // namespace Revenge
