#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QPair>
#include <QString>
#include <atomic>
#include <memory>

class QObject;
class QTcpSocket;
class QThread;

namespace Revenge {

// A local HTTP/1.1 server for tests, on its own thread and 127.0.0.1:<random port>, so that
// synchronous clients can call it from the test thread. One request per connection, answered
// with "Connection: close". Every request is kept in a log the test can read.
// Subclasses answer in handle() (or, for replies that must be streamed, respond()); their
// constructor calls start() last and their destructor calls stop() first, so that no request
// reaches a half-built or half-destroyed object.
class TestHttpServer
{
public:
    struct Request
    {
        QByteArray method;
        QString path;                         // percent-decoded, without the query
        QByteArray rawQuery;                  // as received, percent-encoded
        QMap<QString, QString> params;        // decoded ('+' is a space, as in forms)
        QMap<QByteArray, QByteArray> headers; // names lower-cased
        QByteArray body;                      // Content-Length bytes
        qint64 atMs = 0;                      // when it arrived, since the server started
        int status = 0;                       // what it was answered (handle()'s replies)
    };

    struct Reply
    {
        int status = 200;
        QByteArray body;
        QByteArray contentType = "application/json"; // none sent when empty
        QList<QPair<QByteArray, QByteArray>> headers;
        int delayMs = 0; // answered this long after the request arrived
    };

    TestHttpServer(const TestHttpServer &) = delete;
    TestHttpServer &operator=(const TestHttpServer &) = delete;
    virtual ~TestHttpServer();

    // Listens on 127.0.0.1 and a free port; returns the port (0 when it cannot listen).
    quint16 start();
    // Closes the listener and every open connection, and ends the thread. Idempotent.
    void stop();

    quint16 port() const { return m_port; }
    // Every answer from now on waits ms more (as a slow server would).
    void setDelayMs(int ms) { m_delayMs = ms; }
    // "http://127.0.0.1:<port>" + path.
    QString url(const QString &path = {}) const;

    int requestCount() const;
    int count(int status) const; // requests answered with status
    QList<Request> requests() const;
    Request lastRequest() const;
    void resetRequests();

    // "Not Found" for 404, and so on.
    static QByteArray reasonPhrase(int status);

protected:
    explicit TestHttpServer(const QString &threadName);

    // The answer to one request, on the server thread.
    virtual Reply handle(const Request &request) = 0;
    // Answers one request on the server thread: by default logs it with handle()'s status and
    // writes handle()'s reply. Overridden by servers that write to the socket themselves.
    virtual void respond(QTcpSocket *socket, Request &request);
    // Appends a request to the log.
    void record(const Request &request);
    // Writes a whole reply (after reply.delayMs) and closes the connection.
    static void write(QTcpSocket *socket, const Reply &reply);

private:
    const QString m_threadName;
    quint16 m_port = 0;
    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr; // lives in m_thread; owns the listener and the sockets
    QElapsedTimer m_clock;
    std::atomic<int> m_delayMs{0};

    mutable QMutex m_logMutex;
    QList<Request> m_log;
};

} // namespace Revenge
