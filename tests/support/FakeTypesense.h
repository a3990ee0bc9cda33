#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>
#include <memory>

class QThread;

namespace Revenge {

// A local HTTP server speaking the subset of Typesense's API that TypesenseClient uses, with
// the exact request/response formats of /work/shared/reference/typesense-api.md. Runs in its
// own thread on 127.0.0.1:<random port>, so synchronous clients can call it from the test thread.
class FakeTypesense
{
public:
    struct Request
    {
        QByteArray method;
        QString path;
        QByteArray rawQuery;                  // as received, percent-encoded
        QMap<QString, QString> params;        // decoded ('+' is a space, as in forms)
        QMap<QByteArray, QByteArray> headers; // names lower-cased
        QByteArray body;
    };

    explicit FakeTypesense(const QString &apiKey = QStringLiteral("test-key"));
    ~FakeTypesense();

    QString host() const { return QStringLiteral("127.0.0.1"); }
    quint16 port() const { return m_port; }
    QString apiKey() const { return m_apiKey; }

    // Knobs.
    void setHealthy(bool ok, const QString &resourceError = {});
    // The next n requests (any endpoint) answer status {"message": message}.
    void failNextRequests(int n, int status, const QString &message, int retryAfterSeconds = -1);
    void setDelayMs(int ms);
    // Misbehave on import: <0 drops that many result lines, >0 appends that many extra lines.
    void setImportLineSkew(int delta);

    int requestCount() const;
    Request lastRequest() const;
    QList<Request> requests() const;
    void resetRequests();
    QJsonArray documents(const QString &collection) const;

    // Called on the server thread.
    struct Reply
    {
        int status = 200;
        QByteArray body;
        QByteArray contentType = "application/json";
        QList<QPair<QByteArray, QByteArray>> headers;
    };
    Reply handle(const Request &request, int *delayMs);

private:
    struct Collection
    {
        QJsonObject schema;
        QList<QJsonObject> docs; // insertion order
    };

    Reply route(const Request &request);
    Reply importDocs(Collection &c, const Request &request);
    QJsonObject runSearch(const QString &collection, const QMap<QString, QString> &params,
                          int *status);
    QJsonObject collectionJson(const Collection &c) const;

    QString m_apiKey;
    quint16 m_port = 0;
    std::unique_ptr<QThread> m_thread;
    QObject *m_server = nullptr; // lives in m_thread

    mutable QMutex m_mutex;
    QMap<QString, Collection> m_collections;
    QList<Request> m_requests;
    bool m_healthy = true;
    QString m_resourceError;
    int m_failCount = 0;
    int m_failStatus = 503;
    QString m_failMessage;
    int m_failRetryAfter = -1;
    int m_delayMs = 0;
    int m_importSkew = 0;
};

} // namespace Revenge
