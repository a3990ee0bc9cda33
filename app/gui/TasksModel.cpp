#include "TasksModel.h"

#include "Server.h"
#include "db/DatabasePool.h"
#include "jobs/JobClient.h"
#include "jobs/ScheduledTasks.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Revenge {

namespace {

QDateTime localTime(const QJsonValue &v)
{
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toLocalTime() : QDateTime();
}

// One row from ScheduledTasks::status(), or (status null) from the configuration alone.
QVariantMap taskRow(const ScheduledTask &task, const QJsonObject &status)
{
    const QJsonValue last = status.value(QStringLiteral("last_run"));
    const QJsonObject run = last.toObject();
    return {
        {QStringLiteral("name"), task.name},
        {QStringLiteral("description"), task.description},
        {QStringLiteral("kind"), task.kind},
        {QStringLiteral("schedule"), task.schedule},
        {QStringLiteral("enabled"), task.enabled},
        {QStringLiteral("hasLastRun"), last.isObject()},
        {QStringLiteral("lastRunJobId"), run.value(QStringLiteral("job_id")).toInteger()},
        {QStringLiteral("lastRunState"), run.value(QStringLiteral("state")).toString()},
        {QStringLiteral("lastRunAt"), localTime(run.value(QStringLiteral("at")))},
        {QStringLiteral("lastRunError"), run.value(QStringLiteral("error")).toString()},
        {QStringLiteral("nextRun"), localTime(status.value(QStringLiteral("next_run")))},
    };
}

} // namespace

struct TasksModel::Snapshot
{
    bool read = false;
    QJsonArray status;
    QString error;
};

TasksModel::TasksModel(Server *server, QObject *parent)
    : PollingModel(server, QStringLiteral("dashboard-tasks"), tr("Cannot read the tasks: %1"),
                   parent)
{
    // The tasks themselves come from the configuration: show them before the database answers.
    if (const auto tasks = server->tasks())
        for (const ScheduledTask &t : tasks->tasks())
            m_tasks << taskRow(t, {});
}

void TasksModel::startRefresh()
{
    if (deferIfReading())
        return;
    std::shared_ptr<DatabasePool> pool = server()->database();
    std::shared_ptr<const ScheduledTasks> tasks = server()->tasks();
    setAvailable(pool != nullptr);
    if (!pool || !tasks)
        return;
    read(
        [pool, tasks] {
            Snapshot s;
            auto lease = pool->acquire(5000, &s.error);
            if (!lease)
                return s;
            s.status = tasks->status(lease->db(), &s.error);
            s.read = s.error.isEmpty();
            return s;
        },
        [this](const Snapshot &s) { apply(s); });
}

void TasksModel::apply(const Snapshot &s)
{
    const std::shared_ptr<const ScheduledTasks> tasks = server()->tasks();
    if (!s.read || !tasks) {
        setRefreshError(readFailure().arg(s.error));
        return;
    }
    QVariantList rows;
    for (const QJsonValue &v : s.status) {
        const QJsonObject o = v.toObject();
        if (const ScheduledTask *t = tasks->find(o.value(QStringLiteral("name")).toString()))
            rows << taskRow(*t, o);
    }
    if (rows != m_tasks) {
        m_tasks = rows;
        Q_EMIT tasksChanged();
    }
    setRefreshError({});
    markRefreshed();
}

void TasksModel::runNow(const QString &name)
{
    if (!canAct(name))
        return;
    const QString failure = tr("Cannot run the task %1: %2").arg(name, QStringLiteral("%1"));
    std::shared_ptr<const ScheduledTasks> tasks = server()->tasks();
    const ScheduledTask *task = tasks ? tasks->find(name) : nullptr;
    if (!task) {
        setActionError(tr("Cannot run the task: there is no task named '%1'").arg(name));
        return;
    }
    std::shared_ptr<DatabasePool> pool = actionDatabase(failure);
    if (!pool)
        return;
    // As POST /api/tasks/<name>/run: the periodic job's options, marked as started by hand.
    InsertOptions options = task->job.options;
    options.metadata.insert(QStringLiteral("manual"), true);
    runAction(name, failure, [pool, kind = task->kind, options] {
        QString error;
        if (!JobClient(pool).insert(kind, {}, options, &error))
            return error.isEmpty() ? QStringLiteral("the job could not be queued") : error;
        return QString();
    });
}

} // namespace Revenge
