#pragma once

#include "ExecutorOptions.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <memory>

namespace Revenge {

class DatabasePool;
class JobClient;

// The leader's services: the scheduler (due scheduled/retryable jobs become available), the
// rescuer (running jobs whose executor died, or that ran past rescueAfter, are retried or
// discarded), the cleaner (old finalized jobs are deleted in batches) and the periodic enqueuer.
// Runs only while this executor holds the lease. Lives on the control thread.
class Maintenance : public QObject
{
    Q_OBJECT

public:
    Maintenance(std::shared_ptr<DatabasePool> pool, ExecutorOptions options,
                QList<PeriodicJob> periodic, QObject *parent = nullptr);
    ~Maintenance() override;

    void setActive(bool leader);
    bool isActive() const { return m_active; }

    // One pass of each service (also used by tests and the CLI).
    int schedule();
    int rescue();
    int clean();
    int enqueuePeriodic(const QDateTime &now);

private:
    struct PeriodicState
    {
        PeriodicJob job;
        std::shared_ptr<class CronSchedule> cron;
        qint64 lastBucket = -1; // interval jobs: the last period enqueued
        QDateTime nextFire;     // cron jobs
    };
    // 1: a new job, 0: the slot already had its job, -1: the insert failed.
    int enqueue(const PeriodicState &state, const QString &slot);

    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<JobClient> m_client;
    ExecutorOptions m_options;
    QList<PeriodicState> m_periodic;
    bool m_active = false;
    QTimer m_scheduler;
    QTimer m_rescuer;
    QTimer m_cleaner;
    QTimer m_periodicTimer;
};

} // namespace Revenge
