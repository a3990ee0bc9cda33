#include "ScheduledTasks.h"

#include "CronSchedule.h"
#include "core/TaskSchedule.h"
#include "db/PgQuery.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

namespace Revenge {

ScheduledTasks::ScheduledTasks(const TasksConfig &config, const QMap<QString, int> &queues)
{
    const QString low =
        queues.contains(QStringLiteral("low")) ? QStringLiteral("low") : queues.firstKey();
    const QString normal =
        queues.contains(QStringLiteral("default")) ? QStringLiteral("default") : queues.firstKey();
    struct Spec
    {
        const char *name;
        const char *description;
        const char *kind;
        QString schedule;
        QString queue;
    };
    const Spec specs[] = {
        {"library_scan", "Rescan every library", "library.scan_all", config.libraryScan, normal},
        {"metadata_refresh", "Fetch missing and stale remote metadata", "metadata.refresh",
         config.metadataRefresh, low},
        {"session_cleanup", "Delete expired sessions", "sessions.cleanup", config.sessionCleanup,
         low},
        {"image_trim", "Trim the image cache", "images.trim", config.imageTrim, low},
    };
    for (const Spec &s : specs) {
        ScheduledTask t;
        t.name = QLatin1String(s.name);
        t.description = QLatin1String(s.description);
        t.kind = QLatin1String(s.kind);
        t.schedule = s.schedule;
        const auto parsed = TaskSchedule::parse(s.schedule);
        t.enabled = parsed && parsed->enabled;
        t.job.name = t.name;
        t.job.kind = t.kind;
        t.job.options.queue = s.queue;
        t.job.options.maxAttempts = 3;
        if (parsed) {
            t.job.interval = parsed->interval;
            t.job.cron = parsed->cron;
        }
        // Session cleanup also runs at start: a server that was off for a while has a backlog.
        t.job.runOnStart = t.name == QLatin1String("session_cleanup");
        m_tasks << t;
    }
}

const ScheduledTask *ScheduledTasks::find(const QString &name) const
{
    for (const ScheduledTask &t : m_tasks)
        if (t.name == name)
            return &t;
    return nullptr;
}

QList<PeriodicJob> ScheduledTasks::periodicJobs() const
{
    QList<PeriodicJob> out;
    for (const ScheduledTask &t : m_tasks)
        if (t.enabled)
            out << t.job;
    return out;
}

QJsonArray ScheduledTasks::status(QSqlDatabase &db, QString *error) const
{
    QStringList kinds;
    for (const ScheduledTask &t : m_tasks)
        kinds << t.kind;
    // The newest job of each kind, periodic or run by hand.
    const PgResult r =
        pgExec(db,
               "SELECT DISTINCT ON (kind) kind, id, state::text, (extract(epoch FROM coalesce("
               "finalized_at, attempted_at, scheduled_at)) * 1000)::bigint, errors->-1->>'error' "
               "FROM jobs.job WHERE kind = ANY($1::text[]) ORDER BY kind, id DESC",
               {pgTextArray(kinds)});
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return {};
    }
    QHash<QString, QJsonObject> last;
    QHash<QString, QDateTime> lastAt;
    for (int i = 0; i < r.rows(); ++i) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(r.toInt(i, 3), Qt::UTC);
        lastAt.insert(r.text(i, 0), at);
        last.insert(r.text(i, 0), {{QStringLiteral("job_id"), r.toInt(i, 1)},
                                   {QStringLiteral("state"), r.text(i, 2)},
                                   {QStringLiteral("at"), at.toString(Qt::ISODateWithMs)},
                                   {QStringLiteral("error"),
                                    r.isNull(i, 4) ? QJsonValue() : QJsonValue(r.text(i, 4))}});
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QJsonArray out;
    for (const ScheduledTask &t : m_tasks) {
        QDateTime next;
        if (t.enabled && !t.job.cron.isEmpty()) {
            if (const auto cron = CronSchedule::parse(t.job.cron))
                next = cron->next(now.toLocalTime()).toUTC();
        } else if (t.enabled && t.job.interval.count() > 0) {
            // Interval schedules fire at the start of each interval bucket (see Maintenance).
            const qint64 n = t.job.interval.count();
            next = QDateTime::fromSecsSinceEpoch((now.toSecsSinceEpoch() / n + 1) * n, Qt::UTC);
        }
        out.append(QJsonObject{
            {QStringLiteral("name"), t.name},
            {QStringLiteral("description"), t.description},
            {QStringLiteral("kind"), t.kind},
            {QStringLiteral("schedule"), t.schedule},
            {QStringLiteral("enabled"), t.enabled},
            {QStringLiteral("last_run"),
             last.contains(t.kind) ? QJsonValue(last.value(t.kind)) : QJsonValue()},
            {QStringLiteral("next_run"),
             next.isValid() ? QJsonValue(next.toString(Qt::ISODateWithMs)) : QJsonValue()}});
    }
    return out;
}

} // namespace Revenge
