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

// The libraries and their latest scan, as the dashboard's "Libraries" page shows them, on the
// GUI thread. Like JobsModel it never touches the database: every kRefreshMs while `active`, a
// snapshot (LibraryRepository::list, each library's latest scan, the queued library.scan jobs)
// is read on a private one-thread pool and applied through QFuture::then(this, ...), at most one
// in flight; QML sees a change only when the snapshot differs. The scanner updates its scan row
// about once a second, so a running scan's phase and counters move on every refresh.
class LibrariesModel : public QObject
{
    Q_OBJECT
    // The database is ready (before that there is nothing to read).
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    // Refresh periodically only while true (the page binds it to its visibility). Default true.
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    // One map per library, by name: id, name, type, paths (list of strings), enabled,
    // queued (a library.scan job waits for a worker), running (its latest scan is running),
    // hasScan, scanId, status (running/completed/failed/cancelled, "" before the first scan),
    // phase, scanned, added, updated, removed, moved, errors, durationMs, startedAt, finishedAt
    // (local time, invalid when unset), error.
    Q_PROPERTY(QVariantList libraries READ libraries NOTIFY librariesChanged)
    // A failed action (until the next action succeeds or clearError()), else a failed refresh.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // Library ids whose "Scan now" is being queued (QML disables their buttons).
    Q_PROPERTY(QStringList pending READ pending NOTIFY pendingChanged)
    Q_PROPERTY(QDateTime lastRefreshed READ lastRefreshed NOTIFY lastRefreshedChanged)

public:
    static constexpr int kRefreshMs = 2000;
    // After "Scan now", look again soon: the job is picked up within milliseconds.
    static constexpr int kActionRefreshMs = 300;

    explicit LibrariesModel(Server *server, QObject *parent = nullptr);
    ~LibrariesModel() override;

    bool available() const { return m_available; }
    bool active() const { return m_active; }
    void setActive(bool active);
    QVariantList libraries() const { return m_libraries; }
    QString lastError() const { return m_actionError.isEmpty() ? m_refreshError : m_actionError; }
    QStringList pending() const { return m_pending; }
    QDateTime lastRefreshed() const { return m_lastRefreshed; }

    Q_INVOKABLE void refresh();
    // Queues a scan of the library (LibraryScanWorker::enqueue, on the worker thread). A scan
    // already queued or running is not queued twice.
    Q_INVOKABLE void scanNow(const QString &libraryId);
    Q_INVOKABLE void clearError();

    // Stops refreshing and waits for the work in flight. Call it before the server stops
    // (GuiShell does on aboutToQuit); idempotent.
    void shutdown();

Q_SIGNALS:
    void availableChanged();
    void activeChanged();
    void librariesChanged();
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
    QVariantList m_libraries;
    QString m_refreshError;
    QString m_actionError;
    QStringList m_pending;
    QDateTime m_lastRefreshed;
};

} // namespace Revenge
