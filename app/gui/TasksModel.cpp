#include "TasksModel.h"

#include "GuiLogging.h"
#include "Server.h"
#include "db/DatabasePool.h"
#include "jobs/JobClient.h"
#include "jobs/ScheduledTasks.h"

#include <QFuture>
#include <QJsonArray>
#include <QJsonObject>
#include <QtConcurrent>
#include <exception>

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
    : QObject(parent)
    , m_server(server)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
    m_pool.setObjectName(QStringLiteral("dashboard-tasks"));

    // The tasks themselves come from the configuration: show them before the database answers.
    if (const auto tasks = m_server->tasks())
        for (const ScheduledTask &t : tasks->tasks())
            m_tasks << taskRow(t, {});

    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        if (!m_inFlight)
            refresh();
    });
    m_refreshTimer.start();
    connect(m_server, &Server::databaseReady, this, &TasksModel::refresh);
    QTimer::singleShot(0, this, &TasksModel::refresh);
}

TasksModel::~TasksModel()
{
    shutdown();
}

void TasksModel::shutdown()
{
    if (m_shutdown)
        return;
    m_shutdown = true;
    m_refreshTimer.stop();
    m_pool.waitForDone();
}

void TasksModel::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (!m_shutdown) {
        if (active) {
            m_refreshTimer.start();
            refresh();
        } else {
            m_refreshTimer.stop();
        }
    }
    Q_EMIT activeChanged();
}

void TasksModel::setAvailable(bool available)
{
    if (available == m_available)
        return;
    m_available = available;
    Q_EMIT availableChanged();
}

void TasksModel::refresh()
{
    if (m_shutdown)
        return;
    if (m_inFlight) {
        m_refreshAgain = true;
        return;
    }
    std::shared_ptr<DatabasePool> pool = m_server->database();
    std::shared_ptr<const ScheduledTasks> tasks = m_server->tasks();
    setAvailable(pool != nullptr);
    if (!pool || !tasks)
        return;
    m_inFlight = true;
    m_refreshAgain = false;
    QtConcurrent::run(&m_pool, [pool, tasks] {
        Snapshot s;
        auto lease = pool->acquire(5000, &s.error);
        if (!lease)
            return s;
        s.status = tasks->status(lease->db(), &s.error);
        s.read = s.error.isEmpty();
        return s;
    }).then(this, [this](QFuture<Snapshot> future) {
        m_inFlight = false;
        if (m_shutdown)
            return;
        try {
            apply(future.result());
        } catch (const std::exception &e) {
            setRefreshError(tr("Cannot read the tasks: %1").arg(QString::fromLocal8Bit(e.what())));
        } catch (...) {
            setRefreshError(tr("Cannot read the tasks: %1").arg(QStringLiteral("unknown error")));
        }
        if (m_refreshAgain)
            QTimer::singleShot(kActionRefreshMs, this, &TasksModel::refresh);
    });
}

void TasksModel::apply(const Snapshot &s)
{
    const std::shared_ptr<const ScheduledTasks> tasks = m_server->tasks();
    if (!s.read || !tasks) {
        setRefreshError(tr("Cannot read the tasks: %1").arg(s.error));
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
    m_lastRefreshed = QDateTime::currentDateTime();
    Q_EMIT lastRefreshedChanged();
}

void TasksModel::runNow(const QString &name)
{
    if (m_shutdown || m_pending.contains(name))
        return;
    const QString failure = tr("Cannot run the task %1: %2").arg(name, QStringLiteral("%1"));
    std::shared_ptr<const ScheduledTasks> tasks = m_server->tasks();
    const ScheduledTask *task = tasks ? tasks->find(name) : nullptr;
    if (!task) {
        setActionError(tr("Cannot run the task: there is no task named '%1'").arg(name));
        return;
    }
    std::shared_ptr<DatabasePool> pool = m_server->database();
    if (!pool) {
        setActionError(failure.arg(tr("the database is not ready")));
        return;
    }
    // As POST /api/tasks/<name>/run: the periodic job's options, marked as started by hand.
    InsertOptions options = task->job.options;
    options.metadata.insert(QStringLiteral("manual"), true);
    const QString kind = task->kind;
    m_pending << name;
    Q_EMIT pendingChanged();
    QtConcurrent::run(&m_pool, [pool, kind, options] {
        QString error;
        if (!JobClient(pool).insert(kind, {}, options, &error))
            return error.isEmpty() ? QStringLiteral("the job could not be queued") : error;
        return QString();
    }).then(this, [this, name, failure](QFuture<QString> future) {
        if (m_shutdown)
            return;
        m_pending.removeAll(name);
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

void TasksModel::clearError()
{
    setActionError({});
    setRefreshError({});
}

void TasksModel::setRefreshError(const QString &error)
{
    if (error == m_refreshError)
        return;
    const QString before = lastError();
    m_refreshError = error;
    if (lastError() != before)
        Q_EMIT lastErrorChanged();
}

void TasksModel::setActionError(const QString &error)
{
    if (error == m_actionError)
        return;
    const QString before = lastError();
    m_actionError = error;
    if (lastError() != before)
        Q_EMIT lastErrorChanged();
}

} // namespace Revenge
