#pragma once

#include "Job.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <chrono>
#include <memory>
#include <optional>

namespace Revenge {

class DatabasePool;

// Uniqueness: a duplicate insert returns the existing job instead of adding one. The key is
// the kind plus whichever of args, period bucket and queue are chosen; it holds while the
// existing job is in one of `states` (default: every state but cancelled and discarded).
struct UniqueOptions
{
    bool byArgs = false;
    std::chrono::seconds byPeriod{0}; // 0: no period
    bool byQueue = false;
    QList<JobState> byState; // empty: the default set
    QString extra;           // more key material (periodic jobs put their time slot here)
};

struct InsertOptions
{
    QString queue = QStringLiteral("default");
    int priority = 1;      // 1 (highest) .. 4
    QDateTime scheduledAt; // invalid: now
    int maxAttempts = 25;
    QStringList tags;
    QJsonObject metadata;
    std::optional<UniqueOptions> unique;
};

struct InsertParams
{
    QString kind;
    QJsonObject args;
    InsertOptions options;
};

struct InsertResult
{
    Job job;
    bool duplicate = false; // an existing unique job was returned
};

struct JobFilter
{
    QList<JobState> states; // empty: any
    QString queue;
    QString kind;
    int limit = 100;
    qint64 beforeId = 0; // paging: ids below this (0: from the newest)
};

struct QueueInfo
{
    QString name;
    bool paused = false;
    QDateTime pausedAt;
    QHash<QString, qint64> counts; // state name -> jobs
};

// Inserting and managing jobs. Every call is synchronous and thread-safe (it borrows this
// thread's pooled connection); the *Tx variants run on the caller's connection inside the
// caller's transaction, so a rollback leaves no job behind.
class JobClient
{
public:
    explicit JobClient(std::shared_ptr<DatabasePool> pool);

    std::optional<InsertResult> insert(const QString &kind, const QJsonObject &args,
                                       const InsertOptions &options = {}, QString *error = nullptr);
    std::optional<InsertResult> insertTx(QSqlDatabase &db, const QString &kind,
                                         const QJsonObject &args, const InsertOptions &options = {},
                                         QString *error = nullptr);
    // One statement for the whole batch. Returns one result per input, in order; jobs in the
    // batch that share a unique key with an earlier one are returned as duplicates of it.
    std::optional<QList<InsertResult>> insertMany(const QList<InsertParams> &jobs,
                                                  QString *error = nullptr);
    std::optional<QList<InsertResult>>
    insertManyTx(QSqlDatabase &db, const QList<InsertParams> &jobs, QString *error = nullptr);

    std::optional<Job> get(qint64 id, QString *error = nullptr);
    // Cancels a job that has not finished. A running job anywhere in the cluster is told to stop
    // (through NOTIFY) and ends cancelled when its worker returns; the row is returned as it is
    // now.
    std::optional<Job> cancel(qint64 id, QString *error = nullptr);
    // Makes a job that is not running available again now (a discarded job gets one more attempt).
    std::optional<Job> retry(qint64 id, QString *error = nullptr);
    // Deletes a job that is not running.
    bool remove(qint64 id, QString *error = nullptr);

    bool pauseQueue(const QString &queue, QString *error = nullptr);
    bool resumeQueue(const QString &queue, QString *error = nullptr);

    std::optional<QList<Job>> list(const JobFilter &filter, QString *error = nullptr);
    // Counts grouped by queue and state, with the pause flag of every known queue.
    std::optional<QList<QueueInfo>> queues(QString *error = nullptr);
    // The latest failed attempts: {id, kind, queue, attempt, at, error}.
    std::optional<QJsonArray> latestErrors(int limit = 10, QString *error = nullptr);

    // The unique key and state bitmask stored for a job (exposed for tests and tools).
    static QByteArray uniqueKey(const QString &kind, const QJsonObject &args,
                                const InsertOptions &options, const QDateTime &now);
    static QByteArray uniqueStates(const UniqueOptions &unique);
    static Job jobFromRow(const class PgResult &result, int row);
    static const char *jobColumns();

    static constexpr const char *kInsertChannel = "revenge_jobs_insert";
    static constexpr const char *kControlChannel = "revenge_jobs_control";

private:
    std::shared_ptr<DatabasePool> m_pool;
};

} // namespace Revenge
