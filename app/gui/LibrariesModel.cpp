#include "LibrariesModel.h"

#include "Server.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/workers/LibraryScanWorker.h"
#include "library/LibraryRepository.h"

#include <QHash>
#include <QUuid>
#include <optional>

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
    : PollingModel(server, QStringLiteral("dashboard-libraries"),
                   tr("Cannot read the libraries: %1"), parent)
{}

void LibrariesModel::startRefresh()
{
    if (deferIfReading())
        return;
    std::shared_ptr<DatabasePool> pool = server()->database();
    setAvailable(pool != nullptr);
    if (!pool)
        return;
    read(
        [pool] {
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
                const PgResult r =
                    pgExec(lease->db(),
                           "SELECT args->>'library_id', bool_or(state = 'running') FROM jobs.job "
                           "WHERE kind = 'library.scan' AND state IN ('available', 'pending', "
                           "'scheduled', 'retryable', 'running') GROUP BY 1");
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
        },
        [this](const Snapshot &s) { apply(s); });
}

void LibrariesModel::apply(const Snapshot &s)
{
    if (!s.read) {
        // Keep what we showed rather than an empty page; say why it is not current.
        setRefreshError(readFailure().arg(s.error));
        return;
    }
    if (s.libraries != m_libraries) {
        m_libraries = s.libraries;
        Q_EMIT librariesChanged();
    }
    setRefreshError({});
    markRefreshed();
}

void LibrariesModel::scanNow(const QString &libraryId)
{
    if (!canAct(libraryId))
        return;
    const QString failure = tr("Cannot scan the library: %1");
    if (QUuid::fromString(libraryId).isNull()) {
        setActionError(failure.arg(tr("'%1' is not a library id").arg(libraryId)));
        return;
    }
    std::shared_ptr<DatabasePool> pool = actionDatabase(failure);
    if (!pool)
        return;
    runAction(libraryId, failure, [pool, libraryId] {
        QString error;
        // An unknown library is refused here rather than by the worker, where nobody sees it.
        if (!LibraryRepository(pool).get(libraryId, &error))
            return error;
        JobClient jobs(pool);
        if (!LibraryScanWorker::enqueue(jobs, libraryId, false, &error))
            return error.isEmpty() ? QStringLiteral("the scan could not be queued") : error;
        return QString();
    });
}

} // namespace Revenge
