#pragma once

#include "jobs/Job.h"
#include "jobs/JobWorker.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>
#include <QVariantList>
#include <functional>

namespace Revenge {

class JobClient;
class JobExecutor;
class Server;

// The job queue as the dashboard's "Queues" page shows it, on the GUI thread. Like
// DashboardModel it never touches the database: every kRefreshMs a snapshot (the executor's
// stats, JobClient::queues() and latestErrors()) is taken on a private one-thread pool and
// applied through QFuture::then(this, ...), at most one in flight. Between snapshots the
// executor's jobStateChanged/jobProgress signals (queued to this thread) keep the "running now"
// list live; they are coalesced so QML sees at most one update every kCoalesceMs, and a burst
// of state changes brings the next snapshot forward (no more than one every kActivityRefreshMs).
// Queue and job actions run on the same pool and refresh when done; a failure shows in lastError.
class JobsModel : public QObject
{
    Q_OBJECT
    // The job executor exists (the database is ready) and runs.
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    // One map per queue: name, workers, running (on this executor), paused, pausedAt,
    // configured (this executor works it), total, counts: {available, running, scheduled,
    // retryable, completed, cancelled, discarded} (the whole cluster, from the database).
    Q_PROPERTY(QVariantList queues READ queues NOTIFY queuesChanged)
    // One map per job running on this executor: id, kind, queue, attempt, startedAt, phase,
    // current, total, message.
    Q_PROPERTY(QVariantList runningJobs READ runningJobs NOTIFY runningJobsChanged)
    // The latest failed attempts, newest first: id, kind, queue, state (the job's state now),
    // attempt, at, error.
    Q_PROPERTY(QVariantList latestErrors READ latestErrors NOTIFY latestErrorsChanged)
    Q_PROPERTY(double jobsPerSecond READ jobsPerSecond NOTIFY statsChanged)
    Q_PROPERTY(qint64 completedLastMinute READ completedLastMinute NOTIFY statsChanged)
    Q_PROPERTY(bool leader READ leader NOTIFY statsChanged)
    Q_PROPERTY(QString clientId READ clientId NOTIFY statsChanged)
    // A failed action (until the next action succeeds or clearError()), else a failed refresh.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // Actions under way, as "queue:<name>" and "job:<id>" (QML disables their buttons).
    Q_PROPERTY(QStringList pending READ pending NOTIFY pendingChanged)
    // When the last snapshot was applied (invalid before the first one).
    Q_PROPERTY(QDateTime lastRefreshed READ lastRefreshed NOTIFY lastRefreshedChanged)

public:
    static constexpr int kRefreshMs = 2000;
    static constexpr int kCoalesceMs = 250;
    static constexpr int kActivityRefreshMs = 1000;
    // A job state change is written by the executor's completer in batches (~50 ms): wait a
    // little before reading the counts it changed.
    static constexpr int kActivityDelayMs = 300;
    static constexpr int kErrorLimit = 10;

    explicit JobsModel(Server *server, QObject *parent = nullptr);
    ~JobsModel() override;

    bool available() const { return m_available; }
    QVariantList queues() const { return m_queues; }
    QVariantList runningJobs() const { return m_runningJobs; }
    QVariantList latestErrors() const { return m_latestErrors; }
    double jobsPerSecond() const { return m_jobsPerSecond; }
    qint64 completedLastMinute() const { return m_completedLastMinute; }
    bool leader() const { return m_leader; }
    QString clientId() const { return m_clientId; }
    QString lastError() const { return m_actionError.isEmpty() ? m_refreshError : m_actionError; }
    QStringList pending() const { return m_pending; }
    QDateTime lastRefreshed() const { return m_lastRefreshed; }

    Q_INVOKABLE void refresh();
    Q_INVOKABLE void pauseQueue(const QString &name);
    Q_INVOKABLE void resumeQueue(const QString &name);
    Q_INVOKABLE void retryJob(qint64 id);
    Q_INVOKABLE void cancelJob(qint64 id);
    Q_INVOKABLE void clearError();

    // Stops refreshing, lets go of the executor's signals and waits for the work in flight.
    // Call it before the server stops (GuiShell does on aboutToQuit); idempotent.
    void shutdown();

Q_SIGNALS:
    void availableChanged();
    void queuesChanged();
    void runningJobsChanged();
    void latestErrorsChanged();
    void statsChanged();
    void lastErrorChanged();
    void pendingChanged();
    void lastRefreshedChanged();

private:
    struct Snapshot;
    struct RunningRow
    {
        qint64 id = 0;
        QString kind;
        QString queue;
        int attempt = 0;
        QDateTime startedAt;
        QString phase;
        qint64 current = 0;
        qint64 total = 0;
        QString message;
        quint64 touchedSeq = 0; // m_refreshSeq when a signal last changed the row
    };
    using Action = std::function<bool(JobClient &client, QString *error)>;

    JobExecutor *currentExecutor() const;
    void watchExecutor(JobExecutor *executor);
    void unwatchExecutor();
    void setAvailable(bool available);
    void applySnapshot(const Snapshot &snapshot);
    void onJobStateChanged(qint64 id, const QString &kind, const QString &queue, JobState state);
    void onJobProgress(const JobProgress &progress);
    void scheduleFlush();
    void flushRunning();
    void scheduleActivityRefresh();
    void runAction(const QString &key, const QString &failure, Action action);
    void setRefreshError(const QString &error);
    void setActionError(const QString &error);

    Server *m_server;
    QThreadPool m_pool;
    QTimer m_refreshTimer;
    QTimer m_coalesceTimer;
    QTimer m_activityTimer;
    QElapsedTimer m_sinceRefresh; // since the last snapshot was requested
    bool m_inFlight = false;
    bool m_refreshAgain = false;
    bool m_shutdown = false;
    quint64 m_refreshSeq = 0;

    QPointer<JobExecutor> m_watched;
    QMetaObject::Connection m_stateConnection;
    QMetaObject::Connection m_progressConnection;

    QMap<qint64, RunningRow> m_rows;  // by job id, i.e. roughly in start order
    QHash<qint64, qint64> m_finished; // job id -> when it left "running" (ms since epoch)

    bool m_available = false;
    QVariantList m_queues;
    QVariantList m_runningJobs;
    QVariantList m_latestErrors;
    double m_jobsPerSecond = 0;
    qint64 m_completedLastMinute = 0;
    bool m_leader = false;
    QString m_clientId;
    QString m_refreshError;
    QString m_actionError;
    QStringList m_pending;
    QDateTime m_lastRefreshed;
};

} // namespace Revenge
