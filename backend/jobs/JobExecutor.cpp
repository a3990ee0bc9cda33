#include "JobExecutor.h"

#include "ExecutorCore.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"

#include <QDeadlineTimer>
#include <QHostInfo>
#include <QRandomGenerator>
#include <QThread>
#include <QThreadPool>
#include <unistd.h>

namespace Revenge {

JobExecutor::JobExecutor(std::shared_ptr<DatabasePool> pool, ExecutorOptions options,
                         QObject *parent)
    : QObject(parent)
    , m_pool(std::move(pool))
    , m_options(std::move(options))
{
    if (m_options.clientId.isEmpty())
        m_options.clientId =
            QStringLiteral("%1-%2-%3")
                .arg(QHostInfo::localHostName())
                .arg(::getpid())
                .arg(QRandomGenerator::global()->generate() & 0xffff, 4, 16, QLatin1Char('0'));
    qRegisterMetaType<Revenge::JobState>();
    qRegisterMetaType<Revenge::JobProgress>();
}

JobExecutor::~JobExecutor()
{
    stop(std::chrono::seconds(5));
}

void JobExecutor::registerWorker(std::shared_ptr<JobWorker> worker)
{
    m_workers.insert(worker->kind(), std::move(worker));
}

void JobExecutor::addPeriodicJob(const PeriodicJob &job)
{
    m_periodic << job;
}

QString JobExecutor::clientId() const
{
    return m_options.clientId;
}

bool JobExecutor::isRunning() const
{
    return m_core && !m_stopped;
}

bool JobExecutor::start(QString *error)
{
    if (m_core)
        return true;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("jobs"));
    // The executor's own connections (control thread, completer, maintenance), so that workers
    // and HTTP handlers holding the shared pool never starve the queue, nor the reverse.
    const bool synchronous = m_options.synchronousCommit;
    auto adjust = [synchronous](ConnectionSettings &s) {
        s.applicationName = QStringLiteral("revenge-jobs");
        if (!synchronous)
            s.sessionOptions = QStringLiteral("-c synchronous_commit=off");
    };
    ConnectionSettings settings = m_pool->settings();
    adjust(settings);
    auto pool = std::make_shared<DatabasePool>(settings, 4);
    m_pool->addFollower(pool, adjust); // a moved server moves this pool too
    m_core = new ExecutorCore(pool, m_options, m_workers, m_periodic);
    m_core->moveToThread(m_thread);
    connect(m_core, &ExecutorCore::jobStateChanged, this, &JobExecutor::jobStateChanged,
            Qt::DirectConnection);
    connect(m_core, &ExecutorCore::jobProgress, this, &JobExecutor::jobProgress,
            Qt::DirectConnection);
    connect(m_core, &ExecutorCore::leadershipChanged, this, &JobExecutor::leadershipChanged,
            Qt::DirectConnection);
    m_thread->start();
    bool ok = false;
    QString startError;
    QMetaObject::invokeMethod(
        m_core, [&] { ok = m_core->startInThread(&startError); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        if (error)
            *error = startError;
        QMetaObject::invokeMethod(
            m_core, [this] { m_core->finishStop(); }, Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
        delete m_core;
        m_core = nullptr;
        delete m_thread;
        m_thread = nullptr;
        return false;
    }
    m_stopped = false;
    return true;
}

void JobExecutor::stop(std::chrono::milliseconds graceful)
{
    if (!m_core || m_stopped)
        return;
    m_stopped = true;
    QMetaObject::invokeMethod(
        m_core, [this] { m_core->beginStop(); }, Qt::BlockingQueuedConnection);

    // Soft stop: running jobs may finish (their results are still recorded).
    QDeadlineTimer soft(graceful);
    while (m_core->runningCount() > 0 && !soft.hasExpired())
        QThread::msleep(5);
    // Hard stop: cancel what is left and give it a moment to return.
    if (m_core->runningCount() > 0) {
        qCInfo(lcJobs) << m_core->runningCount()
                       << "job(s) still running at shutdown; cancelling them";
        QMetaObject::invokeMethod(
            m_core, [this] { m_core->cancelAll(CancellationToken::Reason::Shutdown); },
            Qt::BlockingQueuedConnection);
        QDeadlineTimer hard(std::chrono::seconds(5));
        while (m_core->runningCount() > 0 && !hard.hasExpired())
            QThread::msleep(5);
    }
    QMetaObject::invokeMethod(
        m_core, [this] { m_core->finishStop(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    QThreadPool *workers = m_core->releaseWorkerPool();
    delete m_core;
    m_core = nullptr;
    // A worker that ignores cancellation keeps its thread; the pool cannot be destroyed under it.
    if (workers->waitForDone(1000))
        delete workers;
    else
        qCWarning(lcJobs) << "a job worker ignored cancellation; leaving its thread behind";
}

ExecutorStats JobExecutor::stats() const
{
    if (!m_core)
        return ExecutorStats{m_options.clientId};
    return m_core->stats();
}

} // namespace Revenge
