#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Revenge::Test {

// A blocking HTTP GET for tests, with a bounded wait.
struct HttpResult
{
    int status = 0; // 0: no answer
    QByteArray body;
    QByteArray contentType;
    QJsonObject json() const;
};

HttpResult httpGet(const QString &url, int timeoutMs = 10000);
// Any method, with an optional JSON body.
HttpResult httpRequest(const QByteArray &method, const QString &url, const QByteArray &body = {},
                       int timeoutMs = 10000);

} // namespace Revenge::Test
