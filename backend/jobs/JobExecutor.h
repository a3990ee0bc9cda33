#pragma once

#include "ExecutorOptions.h"
#include "Job.h"
#include "JobWorker.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QObject>
#include <memory>

class QThread;

namespace Revenge {

class DatabasePool;
class ExecutorCore;

struct RunningJobInfo
{
    qint64 id = 0;
    QString kind;
    QString queue;
    int attempt = 0;
    QDateTime startedAt;
    JobProgress progress;
};

struct QueueRuntime
{
    int workers = 0;
    int running = 0;
    bool paused = false;
};

// What this executor is doing now (the database holds the rest: see JobClient::queues()).
struct ExecutorStats
{
    QString clientId;
    bool started = false;
    bool leader = false;
    QMap<QString, QueueRuntime> queues;
    QList<RunningJobInfo> running;
    qint64 completedLastMinute = 0;
    double jobsPerSecond = 0; // completed jobs per second over the last minute
    qint64 completedTotal = 0;
    qint64 failedTotal = 0;
};

// Runs jobs: producers per queue fetch available jobs with FOR UPDATE SKIP LOCKED up to their free
// worker slots, woken by LISTEN/NOTIFY (and a slow poll); workers run on a private QThreadPool;
// completions are written in batches; the leader runs maintenance. All database work happens on
// one control thread that this object owns, never on the caller's.
class JobExecutor : public QObject
{
    Q_OBJECT

public:
    JobExecutor(std::shared_ptr<DatabasePool> pool, ExecutorOptions options,
                QObject *parent = nullptr);
    ~JobExecutor() override;

    // Before start().
    void registerWorker(std::shared_ptr<JobWorker> worker);
    void addPeriodicJob(const PeriodicJob &job);

    // Starts the control thread and waits until it listens for notifications.
    bool start(QString *error = nullptr);
    // Stops fetching, lets running jobs finish for up to `graceful`, then cancels them; jobs that
    // were interrupted go back to available without counting an attempt. Blocking; idempotent.
    void stop(std::chrono::milliseconds graceful = std::chrono::seconds(10));

    bool isRunning() const;
    QString clientId() const;
    ExecutorStats stats() const; // thread-safe

Q_SIGNALS:
    // Emitted on the control thread; connect with a queued connection from GUI code.
    void jobStateChanged(qint64 id, const QString &kind, const QString &queue,
                         Revenge::JobState state);
    // Emitted on the worker thread that reports it (at most ten a second per job).
    void jobProgress(const Revenge::JobProgress &progress);
    void leadershipChanged(bool leader);

private:
    std::shared_ptr<DatabasePool> m_pool;
    ExecutorOptions m_options;
    QHash<QString, std::shared_ptr<JobWorker>> m_workers;
    QList<PeriodicJob> m_periodic;
    QThread *m_thread = nullptr;
    ExecutorCore *m_core = nullptr;
    bool m_stopped = false;
};

} // namespace Revenge
