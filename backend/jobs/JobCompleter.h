#pragma once

#include "Job.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>

namespace Revenge {

class DatabasePool;

// The outcome of one attempt, to be written back.
struct Completion
{
    qint64 id = 0;
    JobState state = JobState::Completed;
    QDateTime scheduledAt; // retryable/scheduled/available: when to run next
    QString error;         // appended to the job's errors when set
    int attemptDelta = 0;  // -1: the attempt does not count (snooze, interrupted)
};

// Writes completions in batches: every flushInterval, or at once when batchSize are waiting.
// Lives on the executor's control thread. A failed write keeps the batch and tries again, so a
// database outage delays completions but loses none.
class JobCompleter : public QObject
{
    Q_OBJECT

public:
    JobCompleter(std::shared_ptr<DatabasePool> pool, int flushIntervalMs, int batchSize, QObject *parent = nullptr);

    void add(const Completion &completion);
    // Writes everything now; false if the database refused (the batch is kept).
    bool flush();
    int pending() const { return int(m_pending.size()); }

private:
    std::shared_ptr<DatabasePool> m_pool;
    QList<Completion> m_pending;
    QTimer m_timer;
    int m_batchSize;
};

} // namespace Revenge
