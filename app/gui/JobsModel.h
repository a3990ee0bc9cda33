#pragma once

#include "PollingModel.h"
#include "jobs/Job.h"
#include "jobs/JobWorker.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QPointer>
#include <QVariantList>
#include <functional>

namespace Revenge {

class JobClient;
class JobExecutor;

// The job queue as the dashboard's "Queues" page shows it, on the GUI thread. Every refresh
// (PollingModel) takes a snapshot (the executor's stats, JobClient::queues() and latestErrors())
// on the model's pool. Between snapshots the executor's jobStateChanged/jobProgress signals (queued
// to this thread) keep the "running now" list live; they are coalesced so QML sees at most one
// update every kCoalesceMs, and a burst of state changes brings the next snapshot forward (no more
// than one every kActivityRefreshMs). Queue and job actions run on the same pool and refresh when
// done; a failure shows in lastError. `available`: the job executor exists (the database is ready)
// and runs. `pending`: actions under way, as "queue:<name>" and "job:<id>".
class JobsModel : public PollingModel
{
    Q_OBJECT
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

public:
    static constexpr int kCoalesceMs = 250;
    static constexpr int kActivityRefreshMs = 1000;
    // A job state change is written by the executor's completer in batches (~50 ms): wait a
    // little before reading the counts it changed.
    static constexpr int kActivityDelayMs = 300;
    static constexpr int kErrorLimit = 10;

    explicit JobsModel(Server *server, QObject *parent = nullptr);
    ~JobsModel() override;

    QVariantList queues() const { return m_queues; }
    QVariantList runningJobs() const { return m_runningJobs; }
    QVariantList latestErrors() const { return m_latestErrors; }
    double jobsPerSecond() const { return m_jobsPerSecond; }
    qint64 completedLastMinute() const { return m_completedLastMinute; }
    bool leader() const { return m_leader; }
    QString clientId() const { return m_clientId; }

    Q_INVOKABLE void pauseQueue(const QString &name);
    Q_INVOKABLE void resumeQueue(const QString &name);
    Q_INVOKABLE void retryJob(qint64 id);
    Q_INVOKABLE void cancelJob(qint64 id);

Q_SIGNALS:
    void queuesChanged();
    void runningJobsChanged();
    void latestErrorsChanged();
    void statsChanged();

protected:
    void startRefresh() override;
    // A burst of activity or a refresh asked for meanwhile: no more than one per
    // kActivityRefreshMs.
    void refreshAgain() override { scheduleActivityRefresh(); }
    // Stops the other timers and lets go of the executor's signals.
    void stopping() override;

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
    void applySnapshot(const Snapshot &snapshot);
    void onJobStateChanged(qint64 id, const QString &kind, const QString &queue, JobState state);
    void onJobProgress(const JobProgress &progress);
    void scheduleFlush();
    void flushRunning();
    void scheduleActivityRefresh();
    void runJobAction(const QString &key, const QString &failure, Action action);

    QTimer m_coalesceTimer;
    QTimer m_activityTimer;
    QElapsedTimer m_sinceRefresh; // since the last snapshot was requested
    quint64 m_refreshSeq = 0;

    QPointer<JobExecutor> m_watched;
    QMetaObject::Connection m_stateConnection;
    QMetaObject::Connection m_progressConnection;

    QMap<qint64, RunningRow> m_rows;  // by job id, i.e. roughly in start order
    QHash<qint64, qint64> m_finished; // job id -> when it left "running" (ms since epoch)

    QVariantList m_queues;
    QVariantList m_runningJobs;
    QVariantList m_latestErrors;
    double m_jobsPerSecond = 0;
    qint64 m_completedLastMinute = 0;
    bool m_leader = false;
    QString m_clientId;
};

} // namespace Revenge
