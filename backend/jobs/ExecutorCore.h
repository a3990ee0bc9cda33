#pragma once

#include "ExecutorOptions.h"
#include "JobCompleter.h"
#include "JobExecutor.h"
#include "JobWorker.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QTimer>
#include <atomic>
#include <deque>
#include <map>
#include <memory>

class QThreadPool;

namespace Revenge {

class DatabasePool;
class LeaderElector;
class Maintenance;

// Forwards worker progress from worker threads; shared with the running jobs so that a worker
// that outlives the executor never reports into freed memory.
class ProgressHub : public QObject
{
    Q_OBJECT
public:
    void report(const JobProgress &progress);
    std::optional<JobProgress> latest(qint64 jobId) const;
    void forget(qint64 jobId);
Q_SIGNALS:
    void progress(const Revenge::JobProgress &progress);

private:
    mutable QMutex m_mutex;
    QHash<qint64, JobProgress> m_latest;
    QHash<qint64, qint64> m_lastEmitMs;
};

// The executor's inside. Lives on the control thread; JobExecutor drives it with blocking
// queued calls. See JobExecutor for the design.
class ExecutorCore : public QObject
{
    Q_OBJECT

public:
    ExecutorCore(std::shared_ptr<DatabasePool> pool, ExecutorOptions options,
                 QHash<QString, std::shared_ptr<JobWorker>> workers, QList<PeriodicJob> periodic);
    ~ExecutorCore() override;

    bool startInThread(QString *error);
    void beginStop();
    void cancelAll(CancellationToken::Reason reason);
    void finishStop();

    int runningCount() const { return m_runningCount.load(); }
    ExecutorStats stats() const;
    const QString &clientId() const { return m_options.clientId; }
    // The worker pool may outlive the core when a worker ignores cancellation.
    QThreadPool *releaseWorkerPool();

Q_SIGNALS:
    void jobStateChanged(qint64 id, const QString &kind, const QString &queue,
                         Revenge::JobState state);
    void jobProgress(const Revenge::JobProgress &progress);
    void leadershipChanged(bool leader);

private:
    struct Producer
    {
        QString queue;
        int workers = 0;
        int running = 0;
        bool paused = false;
        bool fetchQueued = false;
    };
    struct Running
    {
        Job job;
        std::shared_ptr<CancellationToken> token;
        QDeadlineTimer deadline;
        std::chrono::milliseconds timeout{0};
        QDateTime startedAt;
    };

    bool openListener(QString *error);
    void onNotification(const QString &channel, const QVariant &payload);
    void requestFetch(const QString &queue);
    void fetch(const QString &queue);
    void dispatch(Producer &producer, const Job &job);
    void onFinished(qint64 id, const JobResult &result);
    void finishWithoutRunning(Producer &producer, const Job &job, const Completion &completion);
    void checkDeadlines();
    void pollTick();
    void refreshPaused();
    void recordOutcome(bool completed);
    void publishStats();

    // Shared with the running workers, which post their results through it: a worker that
    // returns after the core is gone (it ignored cancellation past stop()'s wait) finds null
    // here instead of a dangling pointer.
    struct Handle
    {
        QMutex mutex;
        ExecutorCore *core = nullptr;
    };

    std::shared_ptr<Handle> m_handle;
    std::shared_ptr<DatabasePool> m_pool;
    ExecutorOptions m_options;
    QHash<QString, std::shared_ptr<JobWorker>> m_workers;
    QList<PeriodicJob> m_periodic;
    std::map<QString, Producer> m_producers;
    QHash<qint64, Running> m_running;
    std::atomic<int> m_runningCount{0};
    QThreadPool *m_workerPool;
    std::shared_ptr<ProgressHub> m_progress;
    JobCompleter *m_completer = nullptr;
    LeaderElector *m_elector = nullptr;
    Maintenance *m_maintenance = nullptr;
    QString m_listenName;
    QSqlDatabase m_listen;
    QTimer m_pollTimer{this}; // parented: they move to the control thread with us
    QTimer m_deadlineTimer{this};
    QMetaObject::Connection m_notificationConnection;
    bool m_stopping = false;
    bool m_started = false;

    mutable QMutex m_statsMutex;
    ExecutorStats m_stats;
    std::deque<std::pair<qint64, int>> m_completedPerSecond; // (second, count), last 60 s
};

} // namespace Revenge
