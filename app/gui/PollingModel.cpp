#include "PollingModel.h"

#include "GuiLogging.h"
#include "Server.h"

#include <exception>

namespace Revenge {

namespace {

// What a read or an action threw, for lastError.
QString currentError()
{
    try {
        throw;
    } catch (const std::exception &e) {
        return QString::fromLocal8Bit(e.what());
    } catch (...) {
        return QStringLiteral("unknown error");
    }
}

} // namespace

PollingModel::PollingModel(Server *server, const QString &poolName, const QString &readFailure,
                           QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_readFailure(readFailure)
{
    // One thread, kept alive: it keeps its own pooled database connection between refreshes,
    // and actions and refreshes run one after the other.
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
    m_pool.setObjectName(poolName);

    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        if (!m_inFlight) // else its result is on its way
            refresh();
    });
    m_refreshTimer.start();
    connect(m_server, &Server::databaseReady, this, &PollingModel::refresh);
    // Not now: the subclass is not constructed yet.
    QTimer::singleShot(0, this, &PollingModel::refresh);
}

PollingModel::~PollingModel()
{
    shutdown();
}

void PollingModel::shutdown()
{
    if (m_shutdown)
        return;
    m_shutdown = true;
    m_refreshTimer.stop();
    stopping();
    // Reads and actions take milliseconds (a few seconds at worst, with the pool's timeouts);
    // this runs while the application quits, before the server stops under them.
    m_pool.waitForDone();
}

void PollingModel::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (!m_shutdown) {
        if (active) {
            m_refreshTimer.start();
            refresh(); // what it shows may be old
        } else {
            m_refreshTimer.stop();
        }
    }
    Q_EMIT activeChanged();
}

void PollingModel::setAvailable(bool available)
{
    if (available == m_available)
        return;
    m_available = available;
    Q_EMIT availableChanged();
}

void PollingModel::refresh()
{
    if (!m_shutdown)
        startRefresh();
}

bool PollingModel::deferIfReading()
{
    if (!m_inFlight)
        return false;
    m_refreshAgain = true; // after the running one: something changed since it started
    return true;
}

void PollingModel::refreshAgain()
{
    QTimer::singleShot(kActionRefreshMs, this, &PollingModel::refresh);
}

void PollingModel::finishRead(const std::function<void()> &apply)
{
    m_inFlight = false;
    if (m_shutdown)
        return;
    try {
        apply();
    } catch (...) {
        const QString error = m_readFailure.arg(currentError());
        qCWarning(lcGui).noquote() << error;
        setRefreshError(error);
    }
    if (m_refreshAgain)
        refreshAgain();
}

std::shared_ptr<DatabasePool> PollingModel::actionDatabase(const QString &failure)
{
    std::shared_ptr<DatabasePool> pool = m_server->database();
    if (!pool)
        setActionError(failure.arg(tr("the database is not ready")));
    return pool;
}

void PollingModel::runAction(const QString &key, const QString &failure,
                             std::function<QString()> work)
{
    m_pending << key;
    Q_EMIT pendingChanged();
    QtConcurrent::run(&m_pool, std::move(work))
        .then(this, [this, key, failure](QFuture<QString> future) {
            if (m_shutdown)
                return;
            m_pending.removeAll(key);
            Q_EMIT pendingChanged();
            QString error;
            try {
                error = future.result();
            } catch (...) {
                error = currentError();
            }
            if (!error.isEmpty())
                qCWarning(lcGui).noquote() << failure.arg(error);
            setActionError(error.isEmpty() ? QString() : failure.arg(error));
            refresh(); // queued behind the read in flight, if any
        });
}

void PollingModel::clearError()
{
    setActionError({});
    setRefreshError({});
}

void PollingModel::setRefreshError(const QString &error)
{
    if (error == m_refreshError)
        return;
    const QString before = lastError();
    m_refreshError = error;
    if (lastError() != before)
        Q_EMIT lastErrorChanged();
}

void PollingModel::setActionError(const QString &error)
{
    if (error == m_actionError)
        return;
    const QString before = lastError();
    m_actionError = error;
    if (lastError() != before)
        Q_EMIT lastErrorChanged();
}

void PollingModel::markRefreshed()
{
    m_lastRefreshed = QDateTime::currentDateTime();
    Q_EMIT lastRefreshedChanged();
}

} // namespace Revenge
