#include "ManagedService.h"

#include "core/Logging.h"

#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QtConcurrent>
#include <signal.h>

namespace Revenge {

ManagedService::ManagedService(QString name, QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
{
    m_status.name = m_name;
    m_probeTimer.setInterval(100);
    connect(&m_probeTimer, &QTimer::timeout, this, &ManagedService::pollReady);
    m_workers.setMaxThreadCount(2);
}

ManagedService::~ManagedService()
{
    shutdown(10000);
}

void ManagedService::shutdown(int timeoutMs)
{
    stop(timeoutMs);
    m_workers.waitForDone();
}

ServiceStatus ManagedService::status() const
{
    QMutexLocker lock(&m_mutex);
    return m_status;
}

qint64 ManagedService::pid() const
{
    return status().pid;
}

int ManagedService::stopSignal() const
{
    return SIGTERM;
}

void ManagedService::setState(ServiceState state, const QString &detail)
{
    ServiceStatus copy;
    {
        QMutexLocker lock(&m_mutex);
        m_status.state = state;
        m_status.detail = detail;
        m_status.pid =
            (m_process && m_process->state() != QProcess::NotRunning) ? m_process->processId() : 0;
        copy = m_status;
    }
    Q_EMIT statusChanged(copy);
}

void ManagedService::bumpRestarts()
{
    QMutexLocker lock(&m_mutex);
    ++m_status.restarts;
}

void ManagedService::setVersion(const QString &version)
{
    QMutexLocker lock(&m_mutex);
    m_status.version = version;
}

void ManagedService::setPort(quint16 port)
{
    QMutexLocker lock(&m_mutex);
    m_status.port = port;
}

QString ManagedService::logTail(int lines) const
{
    QFile file(logFile());
    if (file.fileName().isEmpty() || !file.open(QIODevice::ReadOnly))
        return {};
    if (file.size() > 8192)
        file.seek(file.size() - 8192);
    QStringList all =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return all.mid(std::max<qsizetype>(0, all.size() - lines)).join(QStringLiteral(" | "));
}

void ManagedService::start()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        return;
    const quint64 run = ++m_run;
    m_stopping = false;
    m_startClock.start();
    setState(ServiceState::Starting, QStringLiteral("preparing"));
    QtConcurrent::run(&m_workers, [this] {
        QString error;
        const bool ok = prepare(&error);
        return std::make_pair(ok, error);
    }).then(this, [this, run](std::pair<bool, QString> result) {
        if (run == m_run)
            onPrepared(result.first, result.second);
    });
}

bool ManagedService::startAndWait(int timeoutMs, QString *error)
{
    QEventLoop loop;
    QString failure;
    bool ready = false;
    const auto onReady = connect(this, &ManagedService::ready, &loop, [&] {
        ready = true;
        loop.quit();
    });
    const auto onFailed = connect(this, &ManagedService::startFailed, &loop, [&](const QString &e) {
        failure = e;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    start();
    loop.exec();
    disconnect(onReady);
    disconnect(onFailed);
    if (!ready && error)
        *error =
            failure.isEmpty()
                ? QStringLiteral("%1 did not start within %2 s").arg(m_name).arg(timeoutMs / 1000)
                : failure;
    return ready;
}

void ManagedService::onPrepared(bool ok, const QString &error)
{
    if (!ok) {
        fail(error);
        return;
    }
    delete m_process;
    m_process = new QProcess(this);
    m_process->setProgram(program());
    m_process->setArguments(arguments());
    m_process->setChildProcessModifier(childModifier(runAs(), stopSignal()));
    if (const QString log = logFile(); !log.isEmpty()) {
        // The service's own log is kept to two files of at most 10 MB: rotated at each start.
        if (QFileInfo(log).size() > 10 * 1024 * 1024) {
            QFile::remove(log + QStringLiteral(".1"));
            QFile::rename(log, log + QStringLiteral(".1"));
        }
        m_process->setWorkingDirectory(QFileInfo(log).absolutePath());
        m_process->setStandardOutputFile(log, QIODevice::Append);
        m_process->setStandardErrorFile(log, QIODevice::Append);
    } else {
        m_process->setStandardOutputFile(QProcess::nullDevice());
        m_process->setStandardErrorFile(QProcess::nullDevice());
    }
    connect(m_process, &QProcess::finished, this, &ManagedService::onProcessFinished);
    m_process->start();
    if (!m_process->waitForStarted(10000)) {
        fail(QStringLiteral("cannot start %1: %2").arg(program(), m_process->errorString()));
        return;
    }
    qCInfo(lcServices).noquote() << m_name << "started, pid" << m_process->processId();
    setState(ServiceState::Starting, QStringLiteral("waiting for it to answer"));
    m_probing = false;
    m_probeTimer.start();
}

void ManagedService::pollReady()
{
    if (m_probing)
        return;
    if (m_startClock.elapsed() > m_startTimeoutMs) {
        fail(QStringLiteral("%1 did not answer within %2 s %3")
                 .arg(m_name)
                 .arg(m_startTimeoutMs / 1000)
                 .arg(logTail()));
        return;
    }
    m_probing = true;
    const quint64 run = m_run;
    QtConcurrent::run(&m_workers, [this] {
        return probe();
    }).then(this, [this, run](bool answered) {
        m_probing = false;
        if (run != m_run || !answered || !m_probeTimer.isActive())
            return;
        m_probeTimer.stop();
        QtConcurrent::run(&m_workers, [this] {
            QString error;
            const bool ok = afterReady(&error);
            return std::make_pair(ok, error);
        }).then(this, [this, run](std::pair<bool, QString> result) {
            if (run != m_run)
                return;
            if (!result.first) {
                fail(result.second);
                return;
            }
            qCInfo(lcServices).noquote()
                << m_name << "is ready after" << m_startClock.elapsed() << "ms";
            m_readyClock.start();
            setState(ServiceState::Running);
            Q_EMIT ready();
        });
    });
}

void ManagedService::onProcessFinished(int exitCode, QProcess::ExitStatus exitStatus)
{
    if (m_stopping)
        return;
    const QString how = exitStatus == QProcess::CrashExit
                            ? QStringLiteral("crashed")
                            : QStringLiteral("exited with code %1").arg(exitCode);
    const bool starting = state() == ServiceState::Starting;
    m_lastUptimeMs = uptimeMs();
    m_probeTimer.stop();
    ++m_run;
    qCWarning(lcServices).noquote() << m_name << how << logTail(3);
    if (starting) {
        setState(ServiceState::Failed, QStringLiteral("%1 during start-up %2").arg(how, logTail()));
        Q_EMIT startFailed(status().detail);
    } else {
        setState(ServiceState::Stopped, how);
        Q_EMIT exited(exitCode, how);
    }
}

void ManagedService::fail(const QString &error)
{
    m_probeTimer.stop();
    ++m_run;
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_stopping = true;
        m_process->kill();
        m_process->waitForFinished(5000);
        m_stopping = false;
    }
    qCWarning(lcServices).noquote() << m_name << "failed to start:" << error;
    setState(ServiceState::Failed, error);
    Q_EMIT startFailed(error);
}

void ManagedService::stop(int timeoutMs)
{
    m_stopping = true;
    m_probeTimer.stop();
    ++m_run;
    if (m_process && m_process->state() != QProcess::NotRunning) {
        const qint64 pid = m_process->processId();
        qCInfo(lcServices).noquote() << "stopping" << m_name << "pid" << pid;
        ::kill(pid_t(pid), stopSignal());
        if (!m_process->waitForFinished(timeoutMs)) {
            qCWarning(lcServices).noquote()
                << m_name << "did not stop within" << timeoutMs << "ms; killing it";
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    if (state() != ServiceState::Stopped)
        setState(ServiceState::Stopped);
}

} // namespace Revenge
