#pragma once

#include "ServiceState.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QTimer>

namespace Revenge {

class ManagedService;

// Starts the managed services, restarts one that dies (with exponential backoff: 0.5 s doubling
// to 30 s), gives up after kMaxConsecutiveFailures failed starts in a row (state failed), and
// keeps a thread-safe view of every service, external ones included, for health and the GUI.
class Supervisor : public QObject
{
    Q_OBJECT

public:
    explicit Supervisor(QObject *parent = nullptr);
    ~Supervisor() override;

    // Takes ownership. Services are started in the order added and stopped in reverse.
    void addManaged(ManagedService *service);
    // A service the user runs; we only report it.
    void addExternal(const QString &name, const QString &detail);

    void startAll();
    void stopAll(int timeoutMs = 30000);

    QList<ServiceStatus> snapshot() const;
    std::optional<ServiceStatus> status(const QString &name) const;
    ManagedService *service(const QString &name) const;

    static constexpr int kMaxConsecutiveFailures = 5;
    // A service that dies sooner than this after becoming ready counts as a failed start, so a
    // crash loop backs off and ends failed instead of restarting forever at full speed.
    static constexpr qint64 kStableUptimeMs = 30000;
    static int backoffMs(int attempt); // attempt 1, 2, ...

    // Tests shorten the backoff.
    void setBackoffScale(double scale) { m_backoffScale = scale; }

Q_SIGNALS:
    void serviceReady(const QString &name);
    void serviceChanged(const Revenge::ServiceStatus &status);

private:
    struct Entry
    {
        ManagedService *service = nullptr;
        int consecutiveFailures = 0;
        QTimer *retry = nullptr;
    };

    void onExited(Entry *entry, const QString &description);
    void onStartFailed(Entry *entry, const QString &error);
    void scheduleRestart(Entry *entry, const QString &reason);
    void publish(const ServiceStatus &status);

    QList<Entry *> m_entries;
    mutable QMutex m_mutex;
    QHash<QString, ServiceStatus> m_statuses;
    QStringList m_order;
    bool m_stopping = false;
    double m_backoffScale = 1.0;
};

} // namespace Revenge
