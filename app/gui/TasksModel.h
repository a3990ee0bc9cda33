#pragma once

#include "PollingModel.h"

#include <QVariantList>

namespace Revenge {

// The scheduled tasks (Server::tasks(): library_scan, metadata_refresh, session_cleanup,
// image_trim) with their last and next run, as the dashboard's "Tasks" page shows them, on the
// GUI thread. Every refresh (PollingModel) runs ScheduledTasks::status() on the model's pool.
// runNow() queues the task's job kind with the task's job options on the same pool, like
// POST /api/tasks/<name>/run does. `available`: the database is ready. `pending`: task names
// whose "Run now" is being queued.
class TasksModel : public PollingModel
{
    Q_OBJECT
    // One map per task, in the server's order: name, description, kind, schedule, enabled,
    // hasLastRun, lastRunJobId, lastRunState (a job state), lastRunAt (local time), lastRunError,
    // nextRun (local time; invalid when the task is off).
    Q_PROPERTY(QVariantList tasks READ tasks NOTIFY tasksChanged)

public:
    explicit TasksModel(Server *server, QObject *parent = nullptr);

    QVariantList tasks() const { return m_tasks; }

    // Queues the task's job now, whatever its schedule (also when it is off).
    Q_INVOKABLE void runNow(const QString &name);

Q_SIGNALS:
    void tasksChanged();

protected:
    void startRefresh() override;

private:
    struct Snapshot;

    void apply(const Snapshot &snapshot);

    QVariantList m_tasks;
};

} // namespace Revenge
