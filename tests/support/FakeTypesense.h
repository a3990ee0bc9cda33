#pragma once

#include "TestHttpServer.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>

namespace Revenge {

// A local HTTP server speaking the subset of Typesense's API that TypesenseClient uses, with
// the exact request/response formats of /work/shared/reference/typesense-api.md. Runs in its
// own thread on 127.0.0.1:<random port> (TestHttpServer), so synchronous clients can call it
// from the test thread; requests(), lastRequest() and the rest of the log come from there.
class FakeTypesense : public TestHttpServer
{
public:
    explicit FakeTypesense(const QString &apiKey = QStringLiteral("test-key"));
    ~FakeTypesense() override;

    QString host() const { return QStringLiteral("127.0.0.1"); }
    QString apiKey() const { return m_apiKey; }

    // Knobs.
    void setHealthy(bool ok, const QString &resourceError = {});
    // The next n requests (any endpoint) answer status {"message": message}.
    void failNextRequests(int n, int status, const QString &message, int retryAfterSeconds = -1);
    // Misbehave on import: <0 drops that many result lines, >0 appends that many extra lines.
    void setImportLineSkew(int delta);

    QJsonArray documents(const QString &collection) const;

protected:
    Reply handle(const Request &request) override;

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

    mutable QMutex m_mutex;
    QMap<QString, Collection> m_collections;
    bool m_healthy = true;
    QString m_resourceError;
    int m_failCount = 0;
    int m_failStatus = 503;
    QString m_failMessage;
    int m_failRetryAfter = -1;
    int m_importSkew = 0;
};

} // namespace Revenge
