#pragma once

#include "Job.h"

#include <QString>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

namespace Revenge {

// What a worker decides about its job.
struct JobResult
{
    enum class Kind
    {
        Complete,
        Error,
        Snooze,
        Cancel,
        Discard
    };
    Kind kind = Kind::Complete;
    QString message;
    std::chrono::milliseconds snooze{0};

    static JobResult complete() { return {}; }
    // Retried with backoff (attempt^4 s) until max_attempts, then discarded.
    static JobResult error(QString message) { return {Kind::Error, std::move(message), {}}; }
    // Run again after `delay`; does not count as an attempt.
    static JobResult snoozeFor(std::chrono::milliseconds delay)
    {
        return {Kind::Snooze, {}, delay};
    }
    static JobResult cancel(QString message) { return {Kind::Cancel, std::move(message), {}}; }
    static JobResult discard(QString message) { return {Kind::Discard, std::move(message), {}}; }
};

// Cooperative cancellation: the executor cancels (remote cancel, timeout, shutdown); the worker
// checks isCancelled() at convenient points and returns.
class CancellationToken
{
public:
    enum class Reason
    {
        None,
        Remote,
        Timeout,
        Shutdown
    };
    void cancel(Reason reason)
    {
        Reason expected = Reason::None;
        m_reason.compare_exchange_strong(expected, reason);
    }
    bool isCancelled() const { return m_reason.load() != Reason::None; }
    Reason reason() const { return m_reason.load(); }

private:
    std::atomic<Reason> m_reason{Reason::None};
};

struct JobProgress
{
    qint64 jobId = 0;
    QString kind;
    QString queue;
    QString phase;
    qint64 current = 0;
    qint64 total = 0;
    QString message;
};

// Handed to a worker for one attempt of one job.
class JobContext
{
public:
    using ProgressSink = std::function<void(const JobProgress &)>;
    JobContext(Job job, std::shared_ptr<CancellationToken> token, ProgressSink sink);

    const Job &job() const { return m_job; }
    const QJsonObject &args() const { return m_job.args; }
    int attempt() const { return m_job.attempt; }
    bool isCancelled() const { return m_token->isCancelled(); }
    CancellationToken::Reason cancelReason() const { return m_token->reason(); }
    void reportProgress(const QString &phase, qint64 current, qint64 total,
                        const QString &message = {});

private:
    Job m_job;
    std::shared_ptr<CancellationToken> m_token;
    ProgressSink m_sink;
};

// One kind of work. Implementations must be thread-safe: several jobs of a kind run at once.
class JobWorker
{
public:
    virtual ~JobWorker() = default;
    virtual QString kind() const = 0;
    // After this the token is cancelled; a worker that then fails is retried.
    // 0: the executor's default (jobs.timeout_seconds, one minute unless configured).
    virtual std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(0); }
    // An exception counts as an error.
    virtual JobResult work(JobContext &context) = 0;
};

// A worker from a function, for small kinds and tests.
class FunctionWorker : public JobWorker
{
public:
    using Function = std::function<JobResult(JobContext &)>;
    FunctionWorker(QString kind, Function function,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(0))
        : m_kind(std::move(kind))
        , m_function(std::move(function))
        , m_timeout(timeout)
    {}
    QString kind() const override { return m_kind; }
    std::chrono::milliseconds timeout() const override { return m_timeout; }
    JobResult work(JobContext &context) override { return m_function(context); }

private:
    QString m_kind;
    Function m_function;
    std::chrono::milliseconds m_timeout;
};

} // namespace Revenge

Q_DECLARE_METATYPE(Revenge::JobProgress)
