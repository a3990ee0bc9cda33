#pragma once

#include <QHostAddress>
#include <QObject>
#include <QThreadPool>
#include <memory>

class QHttpServer;

namespace Revenge {

class HealthMonitor;
class ScheduledTasks;

// The HTTP API. Lives on the HTTP thread (see Server): that thread only parses requests and writes
// responses; handlers that touch the database or the network run on a worker pool and answer
// through QFuture<QHttpServerResponse>.
class ApiServer : public QObject
{
    Q_OBJECT

public:
    explicit ApiServer(HealthMonitor *health, std::shared_ptr<const ScheduledTasks> tasks = nullptr,
                       QObject *parent = nullptr);
    ~ApiServer() override;

    // Call on the HTTP thread. Returns the bound port, 0 with `error` set on failure.
    quint16 listen(const QString &host, quint16 port, QString *error);
    // Call on the HTTP thread: stop accepting, drop the server.
    void close();

private:
    void registerRoutes();

    HealthMonitor *m_health;
    std::shared_ptr<const ScheduledTasks> m_tasks;
    QThreadPool m_workers;
    QHttpServer *m_server = nullptr;
};

} // namespace Revenge
