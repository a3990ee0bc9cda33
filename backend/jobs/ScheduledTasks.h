#pragma once

#include "ExecutorOptions.h"
#include "core/Config.h"

#include <QJsonArray>
#include <QList>
#include <QSqlDatabase>

namespace Revenge {

// One scheduled task: a periodic job with a user-facing name and schedule (tasks.* in the
// configuration).
struct ScheduledTask
{
    QString name;        // library_scan, metadata_refresh, session_cleanup, image_trim
    QString description; // for the dashboard and the API
    QString kind;        // the job kind it enqueues
    QString schedule;    // as configured: "off", "1h", "@daily", "0 3 * * *"
    PeriodicJob job;     // job.interval/cron unset when off
    bool enabled = false;
};

// The scheduled tasks of this server, built from the configuration, and their state read from
// the job queue (last run, outcome, next run).
class ScheduledTasks
{
public:
    ScheduledTasks() = default;
    ScheduledTasks(const TasksConfig &config, const QMap<QString, int> &queues);

    const QList<ScheduledTask> &tasks() const { return m_tasks; }
    const ScheduledTask *find(const QString &name) const;
    // The enabled tasks, for JobExecutor::addPeriodicJob.
    QList<PeriodicJob> periodicJobs() const;
    // [{name, description, kind, schedule, enabled, last_run: {job_id, state, at, error}|null,
    //   next_run}], from the last job each task enqueued.
    QJsonArray status(QSqlDatabase &db, QString *error = nullptr) const;

private:
    QList<ScheduledTask> m_tasks;
};

} // namespace Revenge
