#include "LibrariesModel.h"

#include "GuiLogging.h"
#include "Server.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/workers/LibraryScanWorker.h"
#include "library/LibraryRepository.h"

#include <QFuture>
#include <QHash>
#include <QUuid>
#include <QtConcurrent>
#include <exception>

namespace Revenge {

namespace {

QDateTime local(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime() : QDateTime();
}

QVariantMap libraryRow(const Library &l, const std::optional<LibraryScan> &scan,
                       const QString &jobState)
{
    const bool scanRunning = scan && scan->status == QLatin1String("running");
    const bool jobRunning = jobState == QLatin1String("running");
    QVariantMap row{
        {QStringLiteral("id"), l.id},
        {QStringLiteral("name"), l.name},
        {QStringLiteral("type"), l.type},
        {QStringLiteral("paths"), l.paths},
        {QStringLiteral("enabled"), l.enabled},
        {QStringLiteral("running"), scanRunning || jobRunning},
        {QStringLiteral("queued"), !jobState.isEmpty() && !jobRunning && !scanRunning},
        {QStringLiteral("hasScan"), scan.has_value()},
    };
    const LibraryScan s = scan.value_or(LibraryScan{});
    row.insert(QStringLiteral("scanId"), s.id);
    row.insert(QStringLiteral("status"), s.status);
    row.insert(QStringLiteral("phase"), s.phase);
    row.insert(QStringLiteral("scanned"), s.scanned);
    row.insert(QStringLiteral("added"), s.added);
    row.insert(QStringLiteral("updated"), s.updated);
    row.insert(QStringLiteral("removed"), s.removed);
    row.insert(QStringLiteral("moved"), s.moved);
    row.insert(QStringLiteral("errors"), s.errors);
    row.insert(QStringLiteral("durationMs"), s.durationMs);
    row.insert(QStringLiteral("startedAt"), local(s.startedAt));
    row.insert(QStringLiteral("finishedAt"), local(s.finishedAt));
    row.insert(QStringLiteral("error"), s.error);
    return row;
}

} // namespace

// What one refresh read on the worker thread.
struct LibrariesModel::Snapshot
{
    bool read = false; // false: the database was not ready
    QVariantList libraries;
    QString error;
};

LibrariesModel::LibrariesModel(Server *server, QObject *parent)
    : QObject(parent)
    , m_server(server)
{
    // One thread, kept alive: it keeps its own pooled connection, and refreshes and actions run
    // one after the other.
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
    m_pool.setObjectName(QStringLiteral("dashboard-libraries"));

    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        if (!m_inFlight)
            refresh();
    });
    m_refreshTimer.start();
    connect(m_server, &Server::databaseReady, this, &LibrariesModel::refresh);
    QTimer::singleShot(0, this, &LibrariesModel::refresh);
}

LibrariesModel::~LibrariesModel()
{
    shutdown();
}

void LibrariesModel::shutdown()
{
    if (m_shutdown)
        return;
    m_shutdown = true;
    m_refreshTimer.stop();
    m_pool.waitForDone();
}

void LibrariesModel::setActive(bool active)
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

void LibrariesModel::setAvailable(bool available)
{
    if (available == m_available)
        return;
    m_available = available;
    Q_EMIT availableChanged();
}

void LibrariesModel::refresh()
{
    if (m_shutdown)
        return;
    if (m_inFlight) {
        m_refreshAgain = true;
        return;
    }
    std::shared_ptr<DatabasePool> pool = m_server->database();
    setAvailable(pool != nullptr);
    if (!pool)
        return;
    m_inFlight = true;
    m_refreshAgain = false;
    QtConcurrent::run(&m_pool, [pool] {
        Snapshot s;
        LibraryRepository repository(pool);
        QString error;
        const auto libraries = repository.list(&error);
        if (!libraries) {
            s.error = error;
            return s;
        }
        // Scan jobs not finished yet, by library: "Scan now" shows as queued before the
        // scanner writes its row.
        QHash<QString, QString> jobStates;
        {
            auto lease = pool->acquire(5000, &error);
            if (!lease) {
                s.error = error;
                return s;
            }
            const PgResult r = pgExec(
                lease->db(),
                "SELECT args->>'library_id', bool_or(state = 'running') FROM jobs.job "
                "WHERE kind = 'library.scan' AND state IN ('available', 'pending', 'scheduled', "
                "'retryable', 'running') GROUP BY 1");
            if (!r.ok()) {
                s.error = r.error();
                return s;
            }
            for (int i = 0; i < r.rows(); ++i)
                jobStates.insert(r.text(i, 0), r.toBool(i, 1) ? QStringLiteral("running")
                                                              : QStringLiteral("queued"));
        }
        for (const Library &l : *libraries) {
            const auto scans = repository.scans(l.id, 1, &error);
            if (!scans) {
                s.error = error;
                return s;
            }
            std::optional<LibraryScan> latest;
            if (!scans->isEmpty())
                latest = scans->first();
            s.libraries << libraryRow(l, latest, jobStates.value(l.id));
        }
        s.read = true;
        return s;
    }).then(this, [this](QFuture<Snapshot> future) {
        m_inFlight = false;
        if (m_shutdown)
            return;
        try {
            apply(future.result());
        } catch (const std::exception &e) {
            setRefreshError(
                tr("Cannot read the libraries: %1").arg(QString::fromLocal8Bit(e.what())));
        } catch (...) {
            setRefreshError(
                tr("Cannot read the libraries: %1").arg(QStringLiteral("unknown error")));
        }
        if (m_refreshAgain)
            QTimer::singleShot(kActionRefreshMs, this, &LibrariesModel::refresh);
    });
}

void LibrariesModel::apply(const Snapshot &s)
{
    if (!s.read) {
        // Keep what we showed rather than an empty page; say why it is not current.
        setRefreshError(tr("Cannot read the libraries: %1").arg(s.error));
        return;
    }
    if (s.libraries != m_libraries) {
        m_libraries = s.libraries;
        Q_EMIT librariesChanged();
    }
    setRefreshError({});
    m_lastRefreshed = QDateTime::currentDateTime();
    Q_EMIT lastRefreshedChanged();
}

void LibrariesModel::scanNow(const QString &libraryId)
{
    if (m_shutdown || m_pending.contains(libraryId))
        return;
    const QString failure = tr("Cannot scan the library: %1");
    if (QUuid::fromString(libraryId).isNull()) {
        setActionError(failure.arg(tr("'%1' is not a library id").arg(libraryId)));
        return;
    }
    std::shared_ptr<DatabasePool> pool = m_server->database();
    if (!pool) {
        setActionError(failure.arg(tr("the database is not ready")));
        return;
    }
    m_pending << libraryId;
    Q_EMIT pendingChanged();
    QtConcurrent::run(&m_pool, [pool, libraryId] {
        QString error;
        // An unknown library is refused here rather than by the worker, where nobody sees it.
        if (!LibraryRepository(pool).get(libraryId, &error))
            return error;
        JobClient jobs(pool);
        if (!LibraryScanWorker::enqueue(jobs, libraryId, false, &error))
            return error.isEmpty() ? QStringLiteral("the scan could not be queued") : error;
        return QString();
    }).then(this, [this, libraryId, failure](QFuture<QString> future) {
        if (m_shutdown)
            return;
        m_pending.removeAll(libraryId);
        Q_EMIT pendingChanged();
        QString error;
        try {
            error = future.result();
        } catch (const std::exception &e) {
            error = QString::fromLocal8Bit(e.what());
        } catch (...) {
            error = QStringLiteral("unknown error");
        }
        if (!error.isEmpty())
            qCWarning(lcGui).noquote() << failure.arg(error);
        setActionError(error.isEmpty() ? QString() : failure.arg(error));
        refresh();
    });
}

void LibrariesModel::clearError()
{
    setActionError({});
    setRefreshError({});
}

void LibrariesModel::setRefreshError(const QString &error)
{
    if (error == m_refreshError)
        return;
    const QString before = lastError();
    m_refreshError = error;
    if (lastError() != before)
        Q_EMIT lastErrorChanged();
}

void LibrariesModel::setActionError(const QString &error)
{
    if (error == m_actionError)
        return;
    const QString before = lastError();
    m_actionError = error;
    if (lastError() != before)
        Q_EMIT lastErrorChanged();
}

} // namespace Revenge
