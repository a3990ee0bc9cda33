#include "TestHttpServer.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <algorithm>

namespace Revenge {

namespace {

QString decode(QByteArray s)
{
    s.replace('+', ' ');
    return QUrl::fromPercentEncoding(s);
}

// The request in `buffer` once all of it (headers and Content-Length bytes of body) is there.
bool parseRequest(const QByteArray &buffer, TestHttpServer::Request *r)
{
    const int end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    r->method = first.value(0);
    const QByteArray target = first.value(1);
    const int qm = target.indexOf('?');
    r->path = QUrl::fromPercentEncoding(qm < 0 ? target : target.left(qm));
    r->rawQuery = qm < 0 ? QByteArray() : target.mid(qm + 1);
    for (const QByteArray &kv : r->rawQuery.split('&')) {
        if (kv.isEmpty())
            continue;
        const int eq = kv.indexOf('=');
        r->params.insert(decode(kv.left(eq)), eq < 0 ? QString() : decode(kv.mid(eq + 1)));
    }
    for (int i = 1; i < lines.size(); ++i) {
        const int c = lines.at(i).indexOf(':');
        if (c > 0)
            r->headers.insert(lines.at(i).left(c).trimmed().toLower(),
                              lines.at(i).mid(c + 1).trimmed());
    }
    const qsizetype length = r->headers.value("content-length").toLongLong();
    if (buffer.size() < end + 4 + length)
        return false;
    r->body = buffer.mid(end + 4, length);
    return true;
}

} // namespace

TestHttpServer::TestHttpServer(const QString &threadName)
    : m_threadName(threadName)
{}

TestHttpServer::~TestHttpServer()
{
    stop();
}

quint16 TestHttpServer::start()
{
    if (m_thread)
        return m_port;
    m_clock.start();
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(m_threadName);
    m_thread->start();
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            auto *tcp = new QTcpServer(m_context);
            QObject::connect(tcp, &QTcpServer::newConnection, tcp, [this, tcp] {
                while (QTcpSocket *socket = tcp->nextPendingConnection()) {
                    auto buffer = std::make_shared<QByteArray>();
                    QObject::connect(socket, &QTcpSocket::disconnected, socket,
                                     &QObject::deleteLater);
                    QObject::connect(socket, &QTcpSocket::readyRead, socket, [=, this] {
                        if (socket->property("answered").toBool())
                            return; // one request per connection
                        *buffer += socket->readAll();
                        Request request;
                        if (!parseRequest(*buffer, &request))
                            return;
                        socket->setProperty("answered", true);
                        buffer->clear();
                        request.atMs = m_clock.elapsed();
                        respond(socket, request);
                    });
                }
            });
            if (tcp->listen(QHostAddress::LocalHost, 0))
                m_port = tcp->serverPort();
        },
        Qt::BlockingQueuedConnection);
    return m_port;
}

void TestHttpServer::stop()
{
    if (!m_thread)
        return;
    // The listener and the sockets are children of m_context: delete them on their own thread.
    QMetaObject::invokeMethod(
        m_context, [this] { qDeleteAll(m_context->children()); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_context;
    m_context = nullptr;
    m_thread.reset();
}

QString TestHttpServer::url(const QString &path) const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port) + path;
}

void TestHttpServer::respond(QTcpSocket *socket, Request &request)
{
    Reply reply = handle(request);
    reply.delayMs += m_delayMs;
    request.status = reply.status;
    record(request);
    write(socket, reply);
}

void TestHttpServer::record(const Request &request)
{
    QMutexLocker lock(&m_logMutex);
    m_log.append(request);
}

void TestHttpServer::write(QTcpSocket *socket, const Reply &reply)
{
    QByteArray out =
        "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
    if (!reply.contentType.isEmpty())
        out += "Content-Type: " + reply.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\nConnection: close\r\n";
    for (const auto &[k, v] : reply.headers)
        out += k + ": " + v + "\r\n";
    out += "\r\n" + reply.body;
    QPointer<QTcpSocket> guard(socket);
    auto send = [guard, out] {
        if (!guard)
            return;
        guard->write(out);
        guard->disconnectFromHost();
    };
    if (reply.delayMs > 0)
        QTimer::singleShot(reply.delayMs, socket, send);
    else
        send();
}

int TestHttpServer::requestCount() const
{
    QMutexLocker lock(&m_logMutex);
    return m_log.size();
}

int TestHttpServer::count(int status) const
{
    QMutexLocker lock(&m_logMutex);
    return int(std::count_if(m_log.cbegin(), m_log.cend(),
                             [status](const Request &r) { return r.status == status; }));
}

QList<TestHttpServer::Request> TestHttpServer::requests() const
{
    QMutexLocker lock(&m_logMutex);
    return m_log;
}

TestHttpServer::Request TestHttpServer::lastRequest() const
{
    QMutexLocker lock(&m_logMutex);
    return m_log.isEmpty() ? Request{} : m_log.last();
}

void TestHttpServer::resetRequests()
{
    QMutexLocker lock(&m_logMutex);
    m_log.clear();
}

QByteArray TestHttpServer::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace Revenge
