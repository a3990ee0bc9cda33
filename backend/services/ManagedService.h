#pragma once

#include "ServiceState.h"
#include "ServiceUser.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QMutex>
#include <QObject>
#include <QProcess>
#include <QThreadPool>
#include <QTimer>
#include <optional>

namespace Revenge {

// One child process that Revenge starts and owns (PostgreSQL, the cache). A run is:
// prepare() on a worker thread (initdb, folders), spawn the process, probe() until it answers,
// afterReady() on a worker thread (roles, databases), then Running. What happens when the
// process dies is the Supervisor's decision, not ours.
class ManagedService : public QObject
{
    Q_OBJECT

public:
    explicit ManagedService(QString name, QObject *parent = nullptr);
    ~ManagedService() override;

    QString name() const { return m_name; }
    ServiceStatus status() const; // thread-safe
    ServiceState state() const { return status().state; }
    qint64 pid() const;

    // Starts one run; ends with ready() or startFailed(). Call from the owning thread.
    void start();
    // start() and wait for the outcome (an event loop runs meanwhile). For command-line tools,
    // tests and benchmarks; the server itself never blocks on a service.
    bool startAndWait(int timeoutMs, QString *error = nullptr);
    // Stops the process cleanly (the service's own shutdown signal), killing it after timeoutMs.
    // Blocking; no exited() is emitted for a stop we asked for.
    void stop(int timeoutMs = 30000);

    // How long the current run has been ready (0 when it is not running).
    // How long the last run that ended had been ready.
    qint64 lastUptimeMs() const { return m_lastUptimeMs; }
    qint64 uptimeMs() const
    {
        return state() == ServiceState::Running && m_readyClock.isValid() ? m_readyClock.elapsed()
                                                                          : 0;
    }

    int startTimeoutMs() const { return m_startTimeoutMs; }
    void setStartTimeoutMs(int ms) { m_startTimeoutMs = ms; }

Q_SIGNALS:
    void ready();
    void startFailed(const QString &error);
    // The process ended without being asked to.
    void exited(int exitCode, const QString &description);
    void statusChanged(const Revenge::ServiceStatus &status);

protected:
    // Worker thread. Create folders, initdb... Blocking is fine.
    virtual bool prepare(QString *error) = 0;
    virtual QString program() const = 0;
    virtual QStringList arguments() const = 0;
    // Worker thread, called repeatedly until true: does the service answer?
    virtual bool probe() = 0;
    // Worker thread, once the service answers.
    virtual bool afterReady(QString *error) { return true; }
    // The signal that asks the service to shut down cleanly.
    virtual int stopSignal() const;
    virtual std::optional<ServiceUser> runAs() const { return std::nullopt; }
    // Where the child's stdout/stderr go (empty: discarded).
    virtual QString logFile() const { return {}; }
    // A short excerpt of the service's own log, for error messages.
    QString logTail(int lines = 5) const;

    // Subclasses call this in their destructor: stops the process and waits for workers that
    // may still call the subclass's overrides.
    void shutdown(int timeoutMs = 30000);

    void setVersion(const QString &version);
    void setPort(quint16 port);

private:
    friend class Supervisor;
    void setState(ServiceState state, const QString &detail = {});
    void bumpRestarts();
    void onPrepared(bool ok, const QString &error);
    void pollReady();
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void fail(const QString &error);

    QString m_name;
    mutable QMutex m_mutex;
    ServiceStatus m_status;
    QProcess *m_process = nullptr;
    QTimer m_probeTimer;
    QElapsedTimer m_startClock;
    QElapsedTimer m_readyClock;
    qint64 m_lastUptimeMs = 0;
    int m_startTimeoutMs = 60000;
    bool m_stopping = false;
    bool m_probing = false;
    QThreadPool m_workers; // prepare/probe/afterReady run here; waited for on destruction
    quint64 m_run = 0;     // increases per start(); stale callbacks compare against it
};

} // namespace Revenge
