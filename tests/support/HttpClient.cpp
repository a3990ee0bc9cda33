#include "HttpClient.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace Revenge::Test {

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpResult httpGet(const QString &url, int timeoutMs)
{
    return httpRequest(QByteArrayLiteral("GET"), url, {}, timeoutMs);
}

HttpResult httpRequest(const QByteArray &method, const QString &url, const QByteArray &body,
                       int timeoutMs)
{
    QNetworkAccessManager nam;
    QNetworkRequest request{QUrl(url)};
    request.setTransferTimeout(timeoutMs);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
    QNetworkReply *reply = nam.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs + 1000, &loop, &QEventLoop::quit);
    loop.exec();
    HttpResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return r;
}

} // namespace Revenge::Test
