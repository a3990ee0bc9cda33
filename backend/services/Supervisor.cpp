#include "Supervisor.h"

#include "ManagedService.h"
#include "core/Logging.h"

namespace Revenge {

Supervisor::Supervisor(QObject *parent)
    : QObject(parent)
{}

Supervisor::~Supervisor()
{
    stopAll(10000);
    for (Entry *e : std::as_const(m_entries))
        delete e;
}

int Supervisor::backoffMs(int attempt)
{
    const int capped = std::clamp(attempt, 1, 10);
    return std::min(30000, 500 * (1 << (capped - 1)));
}

void Supervisor::addManaged(ManagedService *service)
{
    service->setParent(this);
    auto *entry = new Entry{service};
    entry->retry = new QTimer(this);
    entry->retry->setSingleShot(true);
    connect(entry->retry, &QTimer::timeout, service, [this, entry] {
        if (!m_stopping)
            entry->service->start();
    });
    connect(service, &ManagedService::statusChanged, this,
            [this](const ServiceStatus &s) { publish(s); });
    connect(service, &ManagedService::ready, this,
            [this, entry] { Q_EMIT serviceReady(entry->service->name()); });
    connect(service, &ManagedService::exited, this,
            [this, entry](int, const QString &description) { onExited(entry, description); });
    connect(service, &ManagedService::startFailed, this,
            [this, entry](const QString &error) { onStartFailed(entry, error); });
    m_entries.append(entry);
    {
        QMutexLocker lock(&m_mutex);
        m_order.append(service->name());
    }
    publish(service->status());
}

void Supervisor::addExternal(const QString &name, const QString &detail)
{
    {
        QMutexLocker lock(&m_mutex);
        m_order.append(name);
    }
    ServiceStatus s;
    s.name = name;
    s.state = ServiceState::External;
    s.detail = detail;
    publish(s);
}

void Supervisor::startAll()
{
    m_stopping = false;
    for (Entry *e : std::as_const(m_entries))
        e->service->start();
}

void Supervisor::stopAll(int timeoutMs)
{
    m_stopping = true;
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it) {
        (*it)->retry->stop();
        (*it)->service->stop(timeoutMs);
    }
}

void Supervisor::onExited(Entry *entry, const QString &description)
{
    if (m_stopping)
        return;
    if (entry->service->lastUptimeMs() < kStableUptimeMs) {
        onStartFailed(entry, QStringLiteral("%1 %2 s after it started")
                                 .arg(description)
                                 .arg(entry->service->lastUptimeMs() / 1000));
        return;
    }
    entry->consecutiveFailures = 0;
    scheduleRestart(entry, QStringLiteral("%1; restarting").arg(description));
}

void Supervisor::onStartFailed(Entry *entry, const QString &error)
{
    if (m_stopping)
        return;
    if (++entry->consecutiveFailures >= kMaxConsecutiveFailures) {
        qCCritical(lcServices).noquote()
            << entry->service->name() << "failed" << entry->consecutiveFailures
            << "times in a row; giving up:" << error;
        entry->service->setState(ServiceState::Failed,
                                 QStringLiteral("gave up after %1 failed starts: %2")
                                     .arg(entry->consecutiveFailures)
                                     .arg(error));
        return;
    }
    scheduleRestart(entry, error);
}

void Supervisor::scheduleRestart(Entry *entry, const QString &reason)
{
    const int attempt = entry->consecutiveFailures + 1;
    const int delay = int(backoffMs(attempt) * m_backoffScale);
    entry->service->bumpRestarts();
    entry->service->setState(ServiceState::Restarting,
                             QStringLiteral("%1 (next try in %2 ms)").arg(reason).arg(delay));
    qCWarning(lcServices).noquote()
        << entry->service->name() << "will be restarted in" << delay << "ms:" << reason;
    entry->retry->start(delay);
}

void Supervisor::publish(const ServiceStatus &status)
{
    {
        QMutexLocker lock(&m_mutex);
        m_statuses.insert(status.name, status);
    }
    Q_EMIT serviceChanged(status);
}

QList<ServiceStatus> Supervisor::snapshot() const
{
    QMutexLocker lock(&m_mutex);
    QList<ServiceStatus> out;
    for (const QString &name : m_order)
        out.append(m_statuses.value(name));
    return out;
}

std::optional<ServiceStatus> Supervisor::status(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    if (!m_statuses.contains(name))
        return std::nullopt;
    return m_statuses.value(name);
}

ManagedService *Supervisor::service(const QString &name) const
{
    for (Entry *e : m_entries)
        if (e->service->name() == name)
            return e->service;
    return nullptr;
}

} // namespace Revenge
