#pragma once

#include "PollingModel.h"

#include <QVariantList>

namespace Revenge {

// The libraries and their latest scan, as the dashboard's "Libraries" page shows them, on the
// GUI thread. Every refresh (PollingModel) reads a snapshot (LibraryRepository::list, each
// library's latest scan, the queued library.scan jobs) on the model's pool; QML sees a change
// only when the snapshot differs. The scanner updates its scan row about once a second, so a
// running scan's phase and counters move on every refresh. `available`: the database is ready
// (before that there is nothing to read). `pending`: library ids whose "Scan now" is being
// queued.
class LibrariesModel : public PollingModel
{
    Q_OBJECT
    // One map per library, by name: id, name, type, paths (list of strings), enabled,
    // queued (a library.scan job waits for a worker), running (its latest scan is running),
    // hasScan, scanId, status (running/completed/failed/cancelled, "" before the first scan),
    // phase, scanned, added, updated, removed, moved, errors, durationMs, startedAt, finishedAt
    // (local time, invalid when unset), error.
    Q_PROPERTY(QVariantList libraries READ libraries NOTIFY librariesChanged)

public:
    explicit LibrariesModel(Server *server, QObject *parent = nullptr);

    QVariantList libraries() const { return m_libraries; }

    // Queues a scan of the library (LibraryScanWorker::enqueue, on the worker thread). A scan
    // already queued or running is not queued twice.
    Q_INVOKABLE void scanNow(const QString &libraryId);

Q_SIGNALS:
    void librariesChanged();

protected:
    void startRefresh() override;

private:
    struct Snapshot;

    void apply(const Snapshot &snapshot);

    QVariantList m_libraries;
};

} // namespace Revenge
