#pragma once

#include <QString>

namespace Revenge {

enum class ServiceState
{
    Stopped,
    Starting,
    Running,
    Restarting,
    Failed,
    External, // not ours: the user runs it, we only connect
};

inline QString serviceStateName(ServiceState state)
{
    switch (state) {
    case ServiceState::Stopped:
        return QStringLiteral("stopped");
    case ServiceState::Starting:
        return QStringLiteral("starting");
    case ServiceState::Running:
        return QStringLiteral("running");
    case ServiceState::Restarting:
        return QStringLiteral("restarting");
    case ServiceState::Failed:
        return QStringLiteral("failed");
    case ServiceState::External:
        return QStringLiteral("external");
    }
    return QStringLiteral("unknown");
}

struct ServiceStatus
{
    QString name;
    ServiceState state = ServiceState::Stopped;
    QString detail;
    qint64 pid = 0;
    int restarts = 0;
    quint16 port = 0;
    QString version;
};

} // namespace Revenge
