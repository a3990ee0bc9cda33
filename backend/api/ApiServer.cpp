#include "ApiServer.h"

#include "ApiResponses.h"
#include "LibraryRoutes.h"
#include "core/Logging.h"
#include "services/HealthMonitor.h"

#include <QHttpServer>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QtConcurrent>

namespace Revenge {

using Api::errorBody;
using Api::json;

ApiServer::ApiServer(HealthMonitor *health, std::shared_ptr<const ScheduledTasks> tasks,
                     QObject *parent)
    : QObject(parent)
    , m_health(health)
    , m_tasks(std::move(tasks))
{
    m_workers.setMaxThreadCount(8);
}

ApiServer::~ApiServer()
{
    close();
    m_workers.waitForDone();
}

quint16 ApiServer::listen(const QString &host, quint16 port, QString *error)
{
    close();
    m_server = new QHttpServer(this);
    registerRoutes();
    QHostAddress address;
    if (host == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host)) {
        *error = QStringLiteral("server.host '%1' is not an IP address").arg(host);
        return 0;
    }
    const quint16 bound = m_server->listen(address, port);
    if (!bound) {
        // QHttpServer keeps no failed socket to ask; a plain listen tells why.
        QTcpServer probe;
        const QString why =
            probe.listen(address, port) ? QStringLiteral("unknown error") : probe.errorString();
        *error = QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(port).arg(why);
        delete m_server;
        m_server = nullptr;
        return 0;
    }
    qCInfo(lcHttp).noquote() << "listening on"
                             << QStringLiteral("http://%1:%2").arg(host).arg(bound);
    return bound;
}

void ApiServer::close()
{
    if (!m_server)
        return;
    delete m_server; // closes the listening sockets and open connections
    m_server = nullptr;
}

void ApiServer::registerRoutes()
{
    using Method = QHttpServerRequest::Method;
    HealthMonitor *health = m_health;
    QThreadPool *pool = &m_workers;

    m_server->route(QStringLiteral("/health/live"), Method::Get, [] {
        return json({{QStringLiteral("status"), QStringLiteral("alive")}},
                    QHttpServerResponse::StatusCode::Ok);
    });

    m_server->route(QStringLiteral("/health/ready"), Method::Get, [health, pool] {
        return QtConcurrent::run(pool, [health] {
            QString reason;
            if (health->ready(&reason))
                return json({{QStringLiteral("status"), QStringLiteral("ready")}},
                            QHttpServerResponse::StatusCode::Ok);
            return json({{QStringLiteral("status"), QStringLiteral("not_ready")},
                         {QStringLiteral("reason"), reason}},
                        QHttpServerResponse::StatusCode::ServiceUnavailable);
        });
    });

    m_server->route(QStringLiteral("/health"), Method::Get, [health, pool] {
        return QtConcurrent::run(pool, [health] {
            const QJsonObject report = health->check();
            const bool unhealthy =
                report.value(QStringLiteral("status")).toString() == QLatin1String("unhealthy");
            return json(report, unhealthy ? QHttpServerResponse::StatusCode::ServiceUnavailable
                                          : QHttpServerResponse::StatusCode::Ok);
        });
    });

    LibraryRoutes::install(m_server, pool, health, m_tasks);

    m_server->afterRequest(
        [health](QHttpServerResponse &&response, const QHttpServerRequest &request) {
            health->countRequest();
            qCDebug(lcHttp).noquote()
                << request.method() << request.url().path() << int(response.statusCode());
            response.setHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
            return std::move(response);
        });

    m_server->setMissingHandler([health](const QHttpServerRequest &request,
                                         QHttpServerResponder &&responder) {
        health->countRequest();
        // A known path asked with another method is 405 (with Allow), anything else 404.
        static const QStringList getOnly{QStringLiteral("/health"), QStringLiteral("/health/live"),
                                         QStringLiteral("/health/ready")};
        static const auto apiRoutes = LibraryRoutes::allowedMethods();
        const QString path = request.url().path();
        QString allow = getOnly.contains(path) ? QStringLiteral("GET") : QString();
        for (const auto &[pattern, methods] : apiRoutes)
            if (allow.isEmpty() && pattern.match(path).hasMatch())
                allow = methods;
        const bool known = !allow.isEmpty();
        const QJsonObject body =
            known ? errorBody(QStringLiteral("method_not_allowed"),
                              QStringLiteral("%1 only answers %2").arg(path, allow))
                  : errorBody(QStringLiteral("not_found"),
                              QStringLiteral("no route for %1").arg(path));
        const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
        if (known)
            responder.write(json,
                            {{"Content-Type", "application/json"},
                             {"Cache-Control", "no-store"},
                             {"Allow", allow.toLatin1()}},
                            QHttpServerResponder::StatusCode::MethodNotAllowed);
        else
            responder.write(json,
                            {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}},
                            QHttpServerResponder::StatusCode::NotFound);
    });
}

} // namespace Revenge
