#pragma once

#include "Job.h"

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QThreadPool>
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
// The writes run on a thread of their own, so that fetching new jobs never waits for them.
// A failed write keeps the batch and tries again, so a database outage delays completions but
// loses none. add() is called on the executor's control thread.
class JobCompleter : public QObject
{
    Q_OBJECT

public:
    JobCompleter(std::shared_ptr<DatabasePool> pool, int flushIntervalMs, int batchSize,
                 QObject *parent = nullptr);
    ~JobCompleter() override;

    void add(const Completion &completion);
    // Writes everything now and waits; false if the database refused (the rows are kept).
    bool flush();
    int pending() const;

private:
    void startWrite();
    // Writer thread: one statement per 5,000 rows. Returns false when the database refused.
    bool write();

    std::shared_ptr<DatabasePool> m_pool;
    mutable QMutex m_mutex;
    QList<Completion> m_pending;
    QThreadPool m_writer; // one thread
    QFuture<bool> m_inFlight;
    QTimer m_timer;
    int m_batchSize;
    int m_flushIntervalMs;
};

} // namespace Revenge
