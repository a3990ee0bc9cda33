#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>
#include <QVariantList>

namespace Revenge {

class Server;

// The scheduled tasks (Server::tasks(): library_scan, metadata_refresh, session_cleanup,
// image_trim) with their last and next run, as the dashboard's "Tasks" page shows them, on the
// GUI thread. ScheduledTasks::status() runs on a private one-thread pool every kRefreshMs while
// `active`, and its result comes back through QFuture::then(this, ...), at most one in flight.
// runNow() queues the task's job kind with the task's job options on the same pool, like
// POST /api/tasks/<name>/run does.
class TasksModel : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    // Refresh periodically only while true (the page binds it to its visibility). Default true.
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    // One map per task, in the server's order: name, description, kind, schedule, enabled,
    // hasLastRun, lastRunJobId, lastRunState (a job state), lastRunAt (local time), lastRunError,
    // nextRun (local time; invalid when the task is off).
    Q_PROPERTY(QVariantList tasks READ tasks NOTIFY tasksChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // Task names whose "Run now" is being queued.
    Q_PROPERTY(QStringList pending READ pending NOTIFY pendingChanged)
    Q_PROPERTY(QDateTime lastRefreshed READ lastRefreshed NOTIFY lastRefreshedChanged)

public:
    static constexpr int kRefreshMs = 2000;
    static constexpr int kActionRefreshMs = 300;

    explicit TasksModel(Server *server, QObject *parent = nullptr);
    ~TasksModel() override;

    bool available() const { return m_available; }
    bool active() const { return m_active; }
    void setActive(bool active);
    QVariantList tasks() const { return m_tasks; }
    QString lastError() const { return m_actionError.isEmpty() ? m_refreshError : m_actionError; }
    QStringList pending() const { return m_pending; }
    QDateTime lastRefreshed() const { return m_lastRefreshed; }

    Q_INVOKABLE void refresh();
    // Queues the task's job now, whatever its schedule (also when it is off).
    Q_INVOKABLE void runNow(const QString &name);
    Q_INVOKABLE void clearError();

    // Stops refreshing and waits for the work in flight; idempotent.
    void shutdown();

Q_SIGNALS:
    void availableChanged();
    void activeChanged();
    void tasksChanged();
    void lastErrorChanged();
    void pendingChanged();
    void lastRefreshedChanged();

private:
    struct Snapshot;

    void apply(const Snapshot &snapshot);
    void setAvailable(bool available);
    void setRefreshError(const QString &error);
    void setActionError(const QString &error);

    Server *m_server;
    QThreadPool m_pool;
    QTimer m_refreshTimer;
    bool m_inFlight = false;
    bool m_refreshAgain = false;
    bool m_shutdown = false;
    bool m_active = true;

    bool m_available = false;
    QVariantList m_tasks;
    QString m_refreshError;
    QString m_actionError;
    QStringList m_pending;
    QDateTime m_lastRefreshed;
};

} // namespace Revenge
