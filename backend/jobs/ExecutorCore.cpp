#include "ExecutorCore.h"

#include "JobClient.h"
#include "LeaderElector.h"
#include "Maintenance.h"
#include "RetryPolicy.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QJsonDocument>
#include <QSqlDriver>
#include <QSqlError>
#include <QThreadPool>
#include <QUuid>
#include <algorithm>

namespace Revenge {

namespace {

QByteArray fetchSql()
{
    // One statement: lock up to $2 available jobs of queue $1 in priority order, skipping rows
    // other executors hold, and mark them running for client $3.
    static const QByteArray sql =
        "WITH locked AS (SELECT id FROM jobs.job WHERE state = 'available' AND queue = $1 "
        "                AND scheduled_at <= now() ORDER BY priority, scheduled_at, id LIMIT $2 "
        "                FOR UPDATE SKIP LOCKED) "
        "UPDATE jobs.job j SET state = 'running', attempt = j.attempt + 1, attempted_at = now(), "
        "       attempted_by = j.attempted_by[greatest(cardinality(j.attempted_by) - 98, 1):] || "
        "$3::text "
        "FROM locked WHERE j.id = locked.id RETURNING " +
        QByteArray(JobClient::jobColumns()).replace("id, state", "j.id, j.state");
    return sql;
}

qint64 nowSecond()
{
    return QDateTime::currentSecsSinceEpoch();
}

} // namespace

void ProgressHub::report(const JobProgress &progress)
{
    {
        QMutexLocker lock(&m_mutex);
        m_latest.insert(progress.jobId, progress);
        // At most ten updates a second per job reach listeners; the latest is always kept.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const bool last = progress.total > 0 && progress.current >= progress.total;
        if (!last && now - m_lastEmitMs.value(progress.jobId, 0) < 100)
            return;
        m_lastEmitMs.insert(progress.jobId, now);
    }
    Q_EMIT this->progress(progress);
}

std::optional<JobProgress> ProgressHub::latest(qint64 jobId) const
{
    QMutexLocker lock(&m_mutex);
    if (!m_latest.contains(jobId))
        return std::nullopt;
    return m_latest.value(jobId);
}

void ProgressHub::forget(qint64 jobId)
{
    QMutexLocker lock(&m_mutex);
    m_latest.remove(jobId);
    m_lastEmitMs.remove(jobId);
}

ExecutorCore::ExecutorCore(std::shared_ptr<DatabasePool> pool, ExecutorOptions options,
                           QHash<QString, std::shared_ptr<JobWorker>> workers,
                           QList<PeriodicJob> periodic)
    : m_handle(std::make_shared<Handle>())
    , m_pool(std::move(pool))
    , m_options(std::move(options))
    , m_workers(std::move(workers))
    , m_periodic(std::move(periodic))
    , m_workerPool(new QThreadPool)
    , m_progress(std::make_shared<ProgressHub>())
{
    m_handle->core = this;
    int total = 0;
    for (auto it = m_options.queues.begin(); it != m_options.queues.end(); ++it) {
        m_producers[it.key()] = Producer{it.key(), it.value()};
        total += it.value();
    }
    if (m_options.maxWorkers <= 0 || m_options.maxWorkers > total)
        m_options.maxWorkers = total;
    m_workerPool->setMaxThreadCount(std::max(1, m_options.maxWorkers));
    m_workerPool->setExpiryTimeout(-1); // keep worker threads: starting one costs more than a job
    connect(m_progress.get(), &ProgressHub::progress, this, &ExecutorCore::jobProgress,
            Qt::DirectConnection);
    m_pollTimer.setInterval(int(m_options.pollInterval.count()));
    connect(&m_pollTimer, &QTimer::timeout, this, &ExecutorCore::pollTick);
    m_deadlineTimer.setInterval(100);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &ExecutorCore::checkDeadlines);
    m_stats.clientId = m_options.clientId;
}

ExecutorCore::~ExecutorCore()
{
    {
        QMutexLocker lock(&m_handle->mutex);
        m_handle->core = nullptr; // results of workers still running are dropped from now on
    }
    delete m_workerPool; // null when released
}

QThreadPool *ExecutorCore::releaseWorkerPool()
{
    return std::exchange(m_workerPool, nullptr);
}

bool ExecutorCore::openListener(QString *error)
{
    if (m_listenName.isEmpty())
        m_listenName = QStringLiteral("revenge-jobs-listen-") +
                       QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (QSqlDatabase::contains(m_listenName)) {
        m_listen.close();
    } else {
        m_listen = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_listenName);
    }
    DatabasePool::configure(m_listen, m_pool->settings());
    if (!m_listen.open()) {
        if (error)
            *error = QStringLiteral("cannot open the notification connection: %1")
                         .arg(m_listen.lastError().text());
        return false;
    }
    DatabasePool::routeNotices(m_listen);
    QSqlDriver *driver = m_listen.driver();
    for (const char *channel : {JobClient::kInsertChannel, JobClient::kControlChannel}) {
        if (!driver->subscribeToNotification(QLatin1String(channel))) {
            if (error)
                *error = QStringLiteral("cannot LISTEN on %1: %2")
                             .arg(QLatin1String(channel), driver->lastError().text());
            return false;
        }
    }
    QObject::disconnect(m_notificationConnection);
    m_notificationConnection =
        connect(driver, &QSqlDriver::notification, this,
                [this](const QString &name, QSqlDriver::NotificationSource,
                       const QVariant &payload) { onNotification(name, payload); });
    return true;
}

bool ExecutorCore::startInThread(QString *error)
{
    if (!openListener(error))
        return false;
    refreshPaused();
    m_completer = new JobCompleter(m_pool, int(m_options.completerFlushInterval.count()),
                                   m_options.completerBatchSize, this);
    m_maintenance = new Maintenance(m_pool, m_options, m_periodic, this);
    m_elector =
        new LeaderElector(m_pool, m_options.clientId, int(m_options.heartbeatInterval.count()),
                          int(m_options.leaderTtl.count()), m_options.maintenance, this);
    connect(m_elector, &LeaderElector::leadershipChanged, this, [this](bool leader) {
        m_maintenance->setActive(leader);
        {
            QMutexLocker lock(&m_statsMutex);
            m_stats.leader = leader;
        }
        Q_EMIT leadershipChanged(leader);
    });
    // The heartbeat row must exist before this executor holds any job, or the rescuer would
    // take its jobs for orphans.
    m_elector->start();
    m_started = true;
    {
        QMutexLocker lock(&m_statsMutex);
        m_stats.started = true;
    }
    publishStats();
    m_pollTimer.start();
    for (auto &[name, producer] : m_producers)
        requestFetch(name);
    qCInfo(lcJobs).noquote() << "executor" << m_options.clientId << "started with queues"
                             << QStringList(m_options.queues.keys()).join(QLatin1Char(','));
    return true;
}

void ExecutorCore::onNotification(const QString &channel, const QVariant &payload)
{
    if (channel == QLatin1String(JobClient::kInsertChannel)) {
        requestFetch(payload.toString());
        return;
    }
    const QJsonObject message = QJsonDocument::fromJson(payload.toString().toUtf8()).object();
    const QString action = message.value(QStringLiteral("action")).toString();
    if (action == QLatin1String("cancel")) {
        const qint64 id = message.value(QStringLiteral("id")).toInteger();
        if (auto it = m_running.find(id); it != m_running.end()) {
            qCInfo(lcJobs) << "cancelling running job" << id << "on request";
            it->token->cancel(CancellationToken::Reason::Remote);
        }
    } else if (action == QLatin1String("pause") || action == QLatin1String("resume")) {
        const QString queue = message.value(QStringLiteral("queue")).toString();
        if (auto it = m_producers.find(queue); it != m_producers.end()) {
            it->second.paused = action == QLatin1String("pause");
            qCInfo(lcJobs).noquote()
                << "queue" << queue << (it->second.paused ? "paused" : "resumed");
            publishStats();
            if (!it->second.paused)
                requestFetch(queue);
        }
    } else if (action == QLatin1String("leader_resigned") && m_elector) {
        m_elector->tick();
    }
}

void ExecutorCore::requestFetch(const QString &queue)
{
    auto it = m_producers.find(queue);
    if (it == m_producers.end() || it->second.fetchQueued || m_stopping)
        return;
    it->second.fetchQueued = true;
    // Coalesce a burst of notifications and freed slots into one fetch.
    QMetaObject::invokeMethod(
        this,
        [this, queue] {
            auto p = m_producers.find(queue);
            if (p == m_producers.end())
                return;
            p->second.fetchQueued = false;
            fetch(queue);
        },
        Qt::QueuedConnection);
}

void ExecutorCore::fetch(const QString &queue)
{
    Producer &p = m_producers[queue];
    // A queue's own slots, within what is left of the global limit.
    const int free = std::min(p.workers - p.running, m_options.maxWorkers - m_runningCount.load());
    if (m_stopping || p.paused || free <= 0)
        return;
    QString error;
    auto lease = m_pool->acquire(1000, &error);
    if (!lease)
        return; // the poll tick tries again
    static const QByteArray sql = fetchSql();
    const PgResult r =
        pgExecPrepared(lease->db(), "revenge_jobs_fetch", sql,
                       {queue.toUtf8(), QByteArray::number(free), m_options.clientId.toUtf8()});
    if (!r.ok()) {
        qCWarning(lcJobs).noquote() << "fetching from queue" << queue << "failed:" << r.error();
        return;
    }
    QList<Job> jobs;
    for (int i = 0; i < r.rows(); ++i)
        jobs << JobClient::jobFromRow(r, i);
    std::sort(jobs.begin(), jobs.end(), [](const Job &a, const Job &b) {
        return std::tie(a.priority, a.scheduledAt, a.id) <
               std::tie(b.priority, b.scheduledAt, b.id);
    });
    for (const Job &job : jobs)
        dispatch(p, job);
    // A full batch means more may be waiting: ask again as soon as slots free up.
    if (r.rows() == free && free > 0)
        requestFetch(queue);
}

void ExecutorCore::finishWithoutRunning(Producer &producer, const Job &job,
                                        const Completion &completion)
{
    m_completer->add(completion);
    Q_EMIT jobStateChanged(job.id, job.kind, job.queue, completion.state);
    recordOutcome(completion.state == JobState::Completed);
    Q_UNUSED(producer);
}

void ExecutorCore::dispatch(Producer &producer, const Job &job)
{
    if (job.metadata.contains(QStringLiteral("cancel_attempted_at"))) {
        // Cancelled while we were fetching it: never start it.
        finishWithoutRunning(
            producer, job,
            {job.id, JobState::Cancelled, {}, QStringLiteral("cancelled before it started"), -1});
        return;
    }
    const std::shared_ptr<JobWorker> worker = m_workers.value(job.kind);
    if (!worker) {
        const bool last = job.attempt >= job.maxAttempts;
        finishWithoutRunning(producer, job,
                             {job.id, last ? JobState::Discarded : JobState::Retryable,
                              last ? QDateTime()
                                   : QDateTime::currentDateTimeUtc().addMSecs(
                                         RetryPolicy::delay(job.attempt).count()),
                              QStringLiteral("no worker for kind '%1' on executor %2")
                                  .arg(job.kind, m_options.clientId),
                              0});
        return;
    }
    ++producer.running;
    ++m_runningCount;
    auto token = std::make_shared<CancellationToken>();
    const std::chrono::milliseconds timeout =
        worker->timeout().count() > 0 ? worker->timeout() : m_options.defaultTimeout;
    m_running.insert(job.id, Running{job, token, QDeadlineTimer(timeout), timeout,
                                     QDateTime::currentDateTimeUtc()});
    if (!m_deadlineTimer.isActive())
        m_deadlineTimer.start();
    Q_EMIT jobStateChanged(job.id, job.kind, job.queue, JobState::Running);

    std::shared_ptr<ProgressHub> hub = m_progress;
    std::shared_ptr<Handle> handle = m_handle;
    m_workerPool->start([worker, job, token, hub, handle] {
        JobResult result;
        JobContext context(job, token, [hub](const JobProgress &p) { hub->report(p); });
        try {
            result = worker->work(context);
        } catch (const std::exception &e) {
            result = JobResult::error(
                QStringLiteral("exception: %1").arg(QString::fromLocal8Bit(e.what())));
        } catch (...) {
            result = JobResult::error(QStringLiteral("unknown exception"));
        }
        // Not QFuture::then(this, ...): its context pointer must outlive the worker (Qt asserts).
        QMutexLocker lock(&handle->mutex);
        if (ExecutorCore *core = handle->core) {
            const qint64 id = job.id;
            QMetaObject::invokeMethod(
                core, [core, id, result] { core->onFinished(id, result); }, Qt::QueuedConnection);
        }
    });
}

void ExecutorCore::onFinished(qint64 id, const JobResult &result)
{
    auto it = m_running.find(id);
    if (it == m_running.end())
        return; // already written off at shutdown
    const Running run = it.value();
    m_running.erase(it);
    --m_runningCount;
    m_progress->forget(id);
    Producer &p = m_producers[run.job.queue];
    --p.running;

    const Job &job = run.job;
    const auto reason = run.token->reason();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Completion c{id, JobState::Completed, {}, {}, 0};
    using K = JobResult::Kind;
    if (result.kind != K::Complete && reason == CancellationToken::Reason::Shutdown) {
        c = {id, JobState::Available, now, {}, -1}; // interrupted: not an attempt
    } else if (result.kind != K::Complete && reason == CancellationToken::Reason::Remote) {
        c = {id,
             JobState::Cancelled,
             {},
             result.message.isEmpty() ? QStringLiteral("cancelled on request") : result.message,
             0};
    } else {
        switch (result.kind) {
        case K::Complete:
            break;
        case K::Error: {
            QString message = result.message.isEmpty() ? QStringLiteral("failed") : result.message;
            if (reason == CancellationToken::Reason::Timeout)
                message = QStringLiteral("timed out after %1 ms: %2")
                              .arg(run.timeout.count())
                              .arg(message);
            if (job.attempt >= job.maxAttempts)
                c = {id, JobState::Discarded, {}, message, 0};
            else
                c = {id, JobState::Retryable, now.addMSecs(RetryPolicy::delay(job.attempt).count()),
                     message, 0};
            break;
        }
        case K::Snooze:
            c = result.snooze.count() <= 0
                    ? Completion{id, JobState::Available, now, {}, -1}
                    : Completion{
                          id, JobState::Scheduled, now.addMSecs(result.snooze.count()), {}, -1};
            break;
        case K::Cancel:
            c = {id,
                 JobState::Cancelled,
                 {},
                 result.message.isEmpty() ? QStringLiteral("cancelled by its worker")
                                          : result.message,
                 0};
            break;
        case K::Discard:
            c = {id,
                 JobState::Discarded,
                 {},
                 result.message.isEmpty() ? QStringLiteral("discarded by its worker")
                                          : result.message,
                 0};
            break;
        }
    }
    m_completer->add(c);
    recordOutcome(c.state == JobState::Completed);
    Q_EMIT jobStateChanged(id, job.kind, job.queue, c.state);
    if (m_running.isEmpty()) {
        m_deadlineTimer.stop();
        publishStats(); // the deadline tick no longer refreshes the running list
    }
    if (!m_stopping) {
        requestFetch(job.queue);
        if (m_runningCount.load() + 1 == m_options.maxWorkers) // the global limit was binding
            for (auto &[name, producer] : m_producers)
                requestFetch(name);
    }
}

void ExecutorCore::checkDeadlines()
{
    for (auto it = m_running.begin(); it != m_running.end(); ++it) {
        if (it->deadline.hasExpired() && !it->token->isCancelled()) {
            qCWarning(lcJobs) << "job" << it.key() << it->job.kind << "exceeded its timeout of"
                              << it->timeout.count() << "ms";
            it->token->cancel(CancellationToken::Reason::Timeout);
        }
    }
    publishStats();
}

void ExecutorCore::pollTick()
{
    if (m_stopping)
        return;
    if (DatabasePool::isBroken(m_listen)) {
        QString error;
        if (openListener(&error))
            qCInfo(lcJobs) << "notification connection re-established";
        else
            qCWarning(lcJobs).noquote() << error;
    }
    refreshPaused();
    for (auto &[name, producer] : m_producers)
        requestFetch(name);
    publishStats();
}

void ExecutorCore::refreshPaused()
{
    QString error;
    auto lease = m_pool->acquire(1000, &error);
    if (!lease)
        return;
    const PgResult r =
        pgExec(lease->db(), "SELECT name FROM jobs.queue WHERE paused_at IS NOT NULL");
    if (!r.ok())
        return;
    QSet<QString> paused;
    for (int i = 0; i < r.rows(); ++i)
        paused.insert(r.text(i, 0));
    for (auto &[name, producer] : m_producers)
        producer.paused = paused.contains(name);
}

void ExecutorCore::recordOutcome(bool completed)
{
    QMutexLocker lock(&m_statsMutex);
    if (!completed) {
        ++m_stats.failedTotal;
        return;
    }
    ++m_stats.completedTotal;
    const qint64 second = nowSecond();
    if (m_completedPerSecond.empty() || m_completedPerSecond.back().first != second)
        m_completedPerSecond.emplace_back(second, 0);
    ++m_completedPerSecond.back().second;
    while (!m_completedPerSecond.empty() && m_completedPerSecond.front().first <= second - 60)
        m_completedPerSecond.pop_front();
}

void ExecutorCore::publishStats()
{
    QMutexLocker lock(&m_statsMutex);
    m_stats.queues.clear();
    for (const auto &[name, p] : m_producers)
        m_stats.queues.insert(name, QueueRuntime{p.workers, p.running, p.paused});
    m_stats.running.clear();
    for (auto it = m_running.cbegin(); it != m_running.cend(); ++it) {
        RunningJobInfo info{it.key(),        it->job.kind,  it->job.queue,
                            it->job.attempt, it->startedAt, {}};
        if (auto p = m_progress->latest(it.key()))
            info.progress = *p;
        m_stats.running << info;
    }
}

ExecutorStats ExecutorCore::stats() const
{
    QMutexLocker lock(&m_statsMutex);
    ExecutorStats s = m_stats;
    const qint64 second = nowSecond();
    qint64 total = 0;
    for (const auto &[at, n] : m_completedPerSecond)
        if (at > second - 60)
            total += n;
    s.completedLastMinute = total;
    s.jobsPerSecond = total / 60.0;
    return s;
}

void ExecutorCore::beginStop()
{
    m_stopping = true;
    m_pollTimer.stop();
    publishStats();
}

void ExecutorCore::cancelAll(CancellationToken::Reason reason)
{
    for (auto it = m_running.begin(); it != m_running.end(); ++it)
        it->token->cancel(reason);
}

void ExecutorCore::finishStop()
{
    // Workers that never returned: give their jobs back without counting the attempt.
    for (auto it = m_running.begin(); it != m_running.end(); ++it) {
        qCWarning(lcJobs) << "job" << it.key() << it->job.kind
                          << "did not stop; returning it to the queue";
        m_completer->add({it.key(), JobState::Available, QDateTime::currentDateTimeUtc(), {}, -1});
    }
    m_running.clear();
    m_runningCount = 0;
    m_deadlineTimer.stop();
    if (m_completer) {
        for (int i = 0; i < 3 && !m_completer->flush(); ++i)
            QThread::msleep(200);
        if (m_completer->pending())
            qCWarning(lcJobs)
                << m_completer->pending()
                << "completion(s) could not be written; the rescuer will retry those jobs";
    }
    if (m_maintenance)
        m_maintenance->setActive(false);
    if (m_elector)
        m_elector->resign();
    m_listen.close();
    m_listen = QSqlDatabase();
    if (!m_listenName.isEmpty())
        QSqlDatabase::removeDatabase(m_listenName);
    {
        QMutexLocker lock(&m_statsMutex);
        m_stats.started = false;
        m_stats.leader = false;
    }
    publishStats();
    qCInfo(lcJobs).noquote() << "executor" << m_options.clientId << "stopped";
}

} // namespace Revenge
