#include "JobsModel.h"

#include "GuiLogging.h"
#include "Server.h"
#include "db/DatabasePool.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>
#include <iterator>
#include <optional>

namespace Revenge {

namespace {

// The states a queue card shows, in the order of a job's life.
const QStringList kCountStates{QStringLiteral("available"), QStringLiteral("running"),
                               QStringLiteral("scheduled"), QStringLiteral("retryable"),
                               QStringLiteral("completed"), QStringLiteral("cancelled"),
                               QStringLiteral("discarded")};

// A job that left "running" this long ago can no longer be in a snapshot taken before it did.
constexpr qint64 kFinishedMemoryMs = 15000;

QVariantMap rowMap(qint64 id, const QString &kind, const QString &queue, int attempt,
                   const QDateTime &startedAt, const QString &phase, qint64 current, qint64 total,
                   const QString &message)
{
    return {
        {QStringLiteral("id"), id},
        {QStringLiteral("kind"), kind},
        {QStringLiteral("queue"), queue},
        {QStringLiteral("attempt"), attempt},
        {QStringLiteral("startedAt"), startedAt.isValid() ? startedAt.toLocalTime() : QDateTime()},
        {QStringLiteral("phase"), phase},
        {QStringLiteral("current"), current},
        {QStringLiteral("total"), total},
        {QStringLiteral("message"), message},
    };
}

} // namespace

// What one refresh read on the worker thread.
struct JobsModel::Snapshot
{
    quint64 seq = 0;
    bool haveStats = false;
    ExecutorStats stats;
    std::optional<QList<QueueInfo>> queues;
    std::optional<QJsonArray> errors;
    QString error;
};

JobsModel::JobsModel(Server *server, QObject *parent)
    : PollingModel(server, QStringLiteral("dashboard-jobs"), tr("Cannot read the job queue: %1"),
                   parent)
{
    m_coalesceTimer.setSingleShot(true);
    m_coalesceTimer.setInterval(kCoalesceMs);
    connect(&m_coalesceTimer, &QTimer::timeout, this, &JobsModel::flushRunning);

    m_activityTimer.setSingleShot(true);
    connect(&m_activityTimer, &QTimer::timeout, this, &JobsModel::refresh);

    // PollingModel refreshes on Server::databaseReady. Server::startJobs() is connected first,
    // so the executor exists (or failed to start and is retried later, which the periodic
    // refresh notices) by the time that refresh runs.
    m_sinceRefresh.start();
}

JobsModel::~JobsModel()
{
    shutdown(); // while stopping() still reaches this class
}

void JobsModel::stopping()
{
    m_coalesceTimer.stop();
    m_activityTimer.stop();
    unwatchExecutor();
}

JobExecutor *JobsModel::currentExecutor() const
{
    // Server::jobs() and JobExecutor::isRunning() belong to the thread that starts and stops the
    // server: this one. A stopped executor (after Server::stop()) is left alone.
    JobExecutor *executor = server()->jobs();
    return executor && executor->isRunning() ? executor : nullptr;
}

void JobsModel::watchExecutor(JobExecutor *executor)
{
    if (executor == m_watched)
        return;
    unwatchExecutor();
    if (!executor)
        return;
    m_watched = executor;
    // Emitted on the executor's threads: queued, so the handlers run here.
    m_stateConnection = connect(executor, &JobExecutor::jobStateChanged, this,
                                &JobsModel::onJobStateChanged, Qt::QueuedConnection);
    m_progressConnection = connect(executor, &JobExecutor::jobProgress, this,
                                   &JobsModel::onJobProgress, Qt::QueuedConnection);
    qCDebug(lcGui) << "jobs model follows executor" << executor->clientId();
}

void JobsModel::unwatchExecutor()
{
    disconnect(m_stateConnection);
    disconnect(m_progressConnection);
    m_stateConnection = {};
    m_progressConnection = {};
    m_watched = nullptr;
}

void JobsModel::startRefresh()
{
    JobExecutor *executor = currentExecutor();
    watchExecutor(executor);
    setAvailable(executor != nullptr);
    if (deferIfReading())
        return;
    std::shared_ptr<DatabasePool> pool = server()->database();
    if (!executor && !pool)
        return; // nothing to read yet
    m_activityTimer.stop();
    m_sinceRefresh.restart();
    const quint64 seq = ++m_refreshSeq;
    read(
        [executor, pool, seq] {
            Snapshot s;
            s.seq = seq;
            if (executor) {
                // Thread-safe; the executor is not stopped while this runs (shutdown()
                // waits for it before the server stops).
                s.stats = executor->stats();
                s.haveStats = true;
            }
            if (pool) {
                JobClient client(pool);
                QString error;
                s.queues = client.queues(&error);
                if (s.queues)
                    s.errors = client.latestErrors(kErrorLimit, &error);
                s.error = error;
            }
            return s;
        },
        [this](const Snapshot &s) { applySnapshot(s); });
}

void JobsModel::applySnapshot(const Snapshot &s)
{
    // Queues: the executor's own (workers, running here) merged with the database's (counts and
    // the pause flag, which is what every executor of the cluster obeys).
    QHash<QString, QVariantMap> previous;
    for (const QVariant &v : std::as_const(m_queues)) {
        const QVariantMap q = v.toMap();
        previous.insert(q.value(QStringLiteral("name")).toString(), q);
    }
    QStringList names;
    QHash<QString, QVariantMap> byName;
    auto entry = [&](const QString &name) -> QVariantMap & {
        if (!byName.contains(name)) {
            names << name;
            QVariantMap q{{QStringLiteral("name"), name},
                          {QStringLiteral("workers"), 0},
                          {QStringLiteral("running"), 0},
                          {QStringLiteral("paused"), false},
                          {QStringLiteral("pausedAt"), QDateTime()},
                          {QStringLiteral("configured"), false}};
            if (!s.queues) { // keep the last counts we read rather than show zeros
                const QVariantMap old = previous.value(name);
                q.insert(QStringLiteral("counts"), old.value(QStringLiteral("counts")));
                q.insert(QStringLiteral("total"), old.value(QStringLiteral("total")));
                q.insert(QStringLiteral("paused"), old.value(QStringLiteral("paused"), false));
                q.insert(QStringLiteral("pausedAt"), old.value(QStringLiteral("pausedAt")));
            }
            byName.insert(name, q);
        }
        return byName[name];
    };
    if (s.haveStats) {
        for (auto it = s.stats.queues.cbegin(); it != s.stats.queues.cend(); ++it) {
            QVariantMap &q = entry(it.key());
            q.insert(QStringLiteral("workers"), it->workers);
            q.insert(QStringLiteral("running"), it->running);
            q.insert(QStringLiteral("paused"), it->paused);
            q.insert(QStringLiteral("configured"), true);
        }
    }
    if (s.queues) {
        for (const QueueInfo &info : *s.queues) {
            QVariantMap &q = entry(info.name);
            QVariantMap counts;
            qint64 total = 0;
            for (const QString &state : kCountStates)
                counts.insert(state, info.counts.value(state, 0));
            for (auto c = info.counts.cbegin(); c != info.counts.cend(); ++c)
                total += c.value();
            q.insert(QStringLiteral("counts"), counts);
            q.insert(QStringLiteral("total"), total);
            q.insert(QStringLiteral("paused"), info.paused);
            q.insert(QStringLiteral("pausedAt"),
                     info.pausedAt.isValid() ? info.pausedAt.toLocalTime() : QDateTime());
        }
    }
    QVariantList queues;
    for (const QString &name : std::as_const(names)) {
        QVariantMap q = byName.value(name);
        if (!q.value(QStringLiteral("counts")).isValid()) {
            QVariantMap counts;
            for (const QString &state : kCountStates)
                counts.insert(state, qint64(0));
            q.insert(QStringLiteral("counts"), counts);
            q.insert(QStringLiteral("total"), qint64(0));
        }
        queues << q;
    }
    if (queues != m_queues) {
        m_queues = queues;
        Q_EMIT queuesChanged();
    }

    if (s.errors) {
        QVariantList errors;
        for (const QJsonValue &v : *s.errors) {
            const QJsonObject e = v.toObject();
            QDateTime at =
                QDateTime::fromString(e.value(QStringLiteral("at")).toString(), Qt::ISODateWithMs);
            errors << QVariantMap{
                {QStringLiteral("id"), e.value(QStringLiteral("id")).toInteger()},
                {QStringLiteral("kind"), e.value(QStringLiteral("kind")).toString()},
                {QStringLiteral("queue"), e.value(QStringLiteral("queue")).toString()},
                {QStringLiteral("state"), e.value(QStringLiteral("state")).toString()},
                {QStringLiteral("attempt"), e.value(QStringLiteral("attempt")).toInt()},
                {QStringLiteral("at"), at.isValid() ? at.toLocalTime() : QDateTime()},
                {QStringLiteral("error"), e.value(QStringLiteral("error")).toString()},
            };
        }
        if (errors != m_latestErrors) {
            m_latestErrors = errors;
            Q_EMIT latestErrorsChanged();
        }
    }

    if (s.haveStats) {
        const ExecutorStats &st = s.stats;
        if (st.jobsPerSecond != m_jobsPerSecond ||
            st.completedLastMinute != m_completedLastMinute || st.leader != m_leader ||
            st.clientId != m_clientId) {
            m_jobsPerSecond = st.jobsPerSecond;
            m_completedLastMinute = st.completedLastMinute;
            m_leader = st.leader;
            m_clientId = st.clientId;
            Q_EMIT statsChanged();
        }

        // Running jobs: the snapshot is authoritative, except for what the executor's signals
        // told us after it was taken (a job that finished meanwhile, newer progress).
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (auto it = m_finished.begin(); it != m_finished.end();)
            it = now - it.value() > kFinishedMemoryMs ? m_finished.erase(it) : std::next(it);
        QMap<qint64, RunningRow> rows;
        for (const RunningJobInfo &job : st.running) {
            if (m_finished.contains(job.id))
                continue;
            RunningRow row;
            row.id = job.id;
            row.kind = job.kind;
            row.queue = job.queue;
            row.attempt = job.attempt;
            row.startedAt = job.startedAt;
            row.phase = job.progress.phase;
            row.current = job.progress.current;
            row.total = job.progress.total;
            row.message = job.progress.message;
            const auto live = m_rows.constFind(job.id);
            if (live != m_rows.cend() && live->touchedSeq >= s.seq) {
                row.phase = live->phase;
                row.current = live->current;
                row.total = live->total;
                row.message = live->message;
                row.touchedSeq = live->touchedSeq;
            }
            rows.insert(job.id, row);
        }
        for (const RunningRow &live : std::as_const(m_rows))
            if (live.touchedSeq >= s.seq && !rows.contains(live.id))
                rows.insert(live.id, live); // started after the snapshot was taken
        m_rows = rows;
    } else {
        m_rows.clear();
    }
    flushRunning();

    setRefreshError(s.error.isEmpty() ? QString() : readFailure().arg(s.error));
    markRefreshed();
}

void JobsModel::onJobStateChanged(qint64 id, const QString &kind, const QString &queue,
                                  JobState state)
{
    if (isShutDown())
        return;
    if (state == JobState::Running) {
        m_finished.remove(id);
        RunningRow &row = m_rows[id];
        if (row.id == 0) {
            row.id = id;
            row.kind = kind;
            row.queue = queue;
            row.startedAt = QDateTime::currentDateTimeUtc();
        }
        row.touchedSeq = m_refreshSeq;
    } else {
        m_rows.remove(id);
        m_finished.insert(id, QDateTime::currentMSecsSinceEpoch());
    }
    scheduleFlush();
    scheduleActivityRefresh(); // the counts changed
}

void JobsModel::onJobProgress(const JobProgress &progress)
{
    if (isShutDown() || m_finished.contains(progress.jobId))
        return;
    RunningRow &row = m_rows[progress.jobId];
    if (row.id == 0) {
        row.id = progress.jobId;
        row.kind = progress.kind;
        row.queue = progress.queue;
    }
    row.phase = progress.phase;
    row.current = progress.current;
    row.total = progress.total;
    row.message = progress.message;
    row.touchedSeq = m_refreshSeq;
    scheduleFlush();
}

void JobsModel::scheduleFlush()
{
    if (!m_coalesceTimer.isActive() && !isShutDown())
        m_coalesceTimer.start();
}

void JobsModel::flushRunning()
{
    m_coalesceTimer.stop();
    QVariantList list;
    for (const RunningRow &r : std::as_const(m_rows))
        list << rowMap(r.id, r.kind, r.queue, r.attempt, r.startedAt, r.phase, r.current, r.total,
                       r.message);
    if (list != m_runningJobs) {
        m_runningJobs = list;
        Q_EMIT runningJobsChanged();
    }
}

void JobsModel::scheduleActivityRefresh()
{
    if (isShutDown() || m_activityTimer.isActive() || deferIfReading())
        return;
    const qint64 spacing = kActivityRefreshMs - m_sinceRefresh.elapsed();
    m_activityTimer.start(int(std::max<qint64>(kActivityDelayMs, spacing)));
}

void JobsModel::pauseQueue(const QString &name)
{
    runJobAction(
        QStringLiteral("queue:") + name,
        tr("Cannot pause the queue %1: %2").arg(name, QStringLiteral("%1")),
        [name](JobClient &client, QString *error) { return client.pauseQueue(name, error); });
}

void JobsModel::resumeQueue(const QString &name)
{
    runJobAction(
        QStringLiteral("queue:") + name,
        tr("Cannot resume the queue %1: %2").arg(name, QStringLiteral("%1")),
        [name](JobClient &client, QString *error) { return client.resumeQueue(name, error); });
}

void JobsModel::retryJob(qint64 id)
{
    runJobAction(
        QStringLiteral("job:%1").arg(id),
        tr("Cannot retry job %1: %2").arg(id).arg(QStringLiteral("%1")),
        [id](JobClient &client, QString *error) { return client.retry(id, error).has_value(); });
}

void JobsModel::cancelJob(qint64 id)
{
    runJobAction(
        QStringLiteral("job:%1").arg(id),
        tr("Cannot cancel job %1: %2").arg(id).arg(QStringLiteral("%1")),
        [id](JobClient &client, QString *error) { return client.cancel(id, error).has_value(); });
}

void JobsModel::runJobAction(const QString &key, const QString &failure, Action action)
{
    if (!canAct(key))
        return;
    std::shared_ptr<DatabasePool> pool = actionDatabase(failure);
    if (!pool)
        return;
    runAction(key, failure, [pool, action = std::move(action)] {
        JobClient client(pool);
        QString error;
        const bool ok = action(client, &error);
        if (!ok && error.isEmpty())
            error = QStringLiteral("no such job, or not in a state that allows it");
        return ok ? QString() : error;
    });
}

} // namespace Revenge
