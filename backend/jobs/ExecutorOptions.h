#pragma once

#include "JobClient.h"

#include <QMap>
#include <QString>
#include <chrono>
#include <optional>

namespace Revenge {

class CronSchedule;

using namespace std::chrono_literals;

// How often and how much: defaults follow River's, scaled for a home server.
struct ExecutorOptions
{
    QMap<QString, int> queues{
        {QStringLiteral("default"), 5}, {QStringLiteral("high"), 10}, {QStringLiteral("low"), 2}};
    int maxWorkers =
        0; // jobs running at once over all queues (jobs.workers); 0: the sum of the queues
    QString clientId; // empty: <host>-<pid>-<random>

    std::chrono::milliseconds pollInterval = 1000ms; // covers missed notifications
    std::chrono::milliseconds completerFlushInterval = 50ms;
    int completerBatchSize = 100;                         // flush at once when this many wait
    std::chrono::milliseconds heartbeatInterval = 2000ms; // client heartbeat and leader renewal
    std::chrono::milliseconds clientTtl = 10000ms; // silent this long: its running jobs are rescued
    std::chrono::milliseconds leaderTtl = 8000ms;
    std::chrono::milliseconds schedulerInterval = 1000ms; // scheduled/retryable -> available
    std::chrono::milliseconds rescueInterval = 5000ms;
    std::chrono::milliseconds rescueAfter = std::chrono::hours(1); // running this long: stuck
    std::chrono::milliseconds cleanerInterval = std::chrono::minutes(1);
    std::chrono::seconds completedRetention = std::chrono::hours(24 * 7);
    std::chrono::seconds cancelledRetention = std::chrono::hours(24);
    std::chrono::seconds discardedRetention = std::chrono::hours(24 * 30);
    std::chrono::milliseconds defaultTimeout = std::chrono::minutes(1);
    bool maintenance = true; // take part in leader election (rescuer, scheduler, cleaner, periodic)
    // false: the executor's own writes (fetch, completion, maintenance) do not wait for the WAL
    // flush (~25% more jobs/s). A PostgreSQL crash could then lose the last few: a job runs
    // again, or one completed just before the crash waits for the rescuer. Durable by default.
    bool synchronousCommit = true;
};

// A job enqueued on a schedule by the leader, once per period across the cluster.
struct PeriodicJob
{
    QString name; // identifies the schedule in unique keys; keep it stable
    std::chrono::seconds interval{0};
    QString cron; // used when interval is 0; 5-field cron or @daily etc.
    QString kind;
    QJsonObject args;
    InsertOptions options;
    bool runOnStart = false; // also enqueue when a leader starts
};

} // namespace Revenge
