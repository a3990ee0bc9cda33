#pragma once

#include <QDateTime>
#include <QFuture>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <functional>
#include <memory>
#include <type_traits>

namespace Revenge {

class DatabasePool;
class Server;

// What the dashboard's pages (JobsModel, LibrariesModel, TasksModel) share: they live on the GUI
// thread and never touch the database or a socket there. Every kRefreshMs while `active`, the
// subclass's startRefresh() hands a read to read(): it runs on a private one-thread pool and its
// result comes back to the GUI thread through QFuture::then(this, ...), at most one in flight (a
// refresh asked for meanwhile runs after it, see refreshAgain()). Actions (runAction()) run on
// the same pool, show their key in `pending` while under way and their failure in `lastError`.
class PollingModel : public QObject
{
    Q_OBJECT
    // There is something to read (the subclass says what: the database, the job executor).
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    // Refresh periodically only while true (a page binds it to its visibility). Default true.
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    // A failed action (until the next action succeeds or clearError()), else a failed refresh.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // The keys of the actions under way (QML disables their buttons).
    Q_PROPERTY(QStringList pending READ pending NOTIFY pendingChanged)
    // When the last read was applied (invalid before the first one).
    Q_PROPERTY(QDateTime lastRefreshed READ lastRefreshed NOTIFY lastRefreshedChanged)

public:
    static constexpr int kRefreshMs = 2000;
    // After an action, or when a refresh was asked for while one ran, look again soon.
    static constexpr int kActionRefreshMs = 300;

    ~PollingModel() override;

    bool available() const { return m_available; }
    bool active() const { return m_active; }
    void setActive(bool active);
    QString lastError() const { return m_actionError.isEmpty() ? m_refreshError : m_actionError; }
    QStringList pending() const { return m_pending; }
    QDateTime lastRefreshed() const { return m_lastRefreshed; }

    Q_INVOKABLE void refresh();
    Q_INVOKABLE void clearError();

    // Stops refreshing and waits for the work in flight. Call it before the server stops
    // (GuiShell does on aboutToQuit); idempotent. A subclass with a stopping() calls it from its
    // own destructor too (the base's runs too late to reach the subclass).
    void shutdown();

Q_SIGNALS:
    void availableChanged();
    void activeChanged();
    void lastErrorChanged();
    void pendingChanged();
    void lastRefreshedChanged();

protected:
    // poolName names the worker thread; readFailure ("Cannot read ...: %1") is lastError when a
    // read throws.
    PollingModel(Server *server, const QString &poolName, const QString &readFailure,
                 QObject *parent);

    // refresh(), on the GUI thread, unless shut down: update `available`, then (unless
    // deferIfReading()) call read() with what to read, or nothing when there is nothing yet.
    virtual void startRefresh() = 0;
    // A refresh was asked for while a read ran: by default another one kActionRefreshMs later.
    virtual void refreshAgain();
    // In shutdown(), before waiting for the pool: let go of other timers and signals.
    virtual void stopping() {}

    // True (and refresh again once it is done) when a read is in flight.
    bool deferIfReading();
    // Runs work() on the pool, then apply(result) here, on the GUI thread (not after shutdown).
    template<typename Work, typename Apply> void read(Work work, Apply apply)
    {
        using Result = std::invoke_result_t<Work>;
        m_inFlight = true;
        m_refreshAgain = false;
        QtConcurrent::run(&m_pool, std::move(work))
            .then(this, [this, apply = std::move(apply)](QFuture<Result> future) {
                finishRead([&] { apply(future.result()); });
            });
    }

    // Whether an action on `key` may start: not shut down, and not under way already.
    bool canAct(const QString &key) const { return !m_shutdown && !m_pending.contains(key); }
    // The database for an action, or null (and lastError is failure: "not ready").
    std::shared_ptr<DatabasePool> actionDatabase(const QString &failure);
    // Runs work() (the error, empty on success) on the pool with `key` in `pending`; then shows
    // failure.arg(error) as lastError, or clears it, and refreshes.
    void runAction(const QString &key, const QString &failure, std::function<QString()> work);

    Server *server() const { return m_server; }
    bool isShutDown() const { return m_shutdown; }
    QString readFailure() const { return m_readFailure; }
    void setAvailable(bool available);
    void setRefreshError(const QString &error);
    void setActionError(const QString &error);
    // A read was applied: lastRefreshed is now.
    void markRefreshed();

private:
    void finishRead(const std::function<void()> &apply);

    Server *m_server;
    QString m_readFailure;
    QThreadPool m_pool;
    QTimer m_refreshTimer;
    bool m_inFlight = false;
    bool m_refreshAgain = false;
    bool m_shutdown = false;
    bool m_active = true;

    bool m_available = false;
    QString m_refreshError;
    QString m_actionError;
    QStringList m_pending;
    QDateTime m_lastRefreshed;
};

} // namespace Revenge
