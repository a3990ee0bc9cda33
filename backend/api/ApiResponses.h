#pragma once

#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>

// JSON responses of the HTTP API: bodies are compact JSON; errors are
// {"error": {"code": "...", "message": "..."}} with a message naming what was wrong.
namespace Revenge::Api {

inline QJsonObject errorBody(const QString &code, const QString &message)
{
    return {{QStringLiteral("error"),
             QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

inline QHttpServerResponse
json(const QJsonObject &body,
     QHttpServerResponse::StatusCode status = QHttpServerResponse::StatusCode::Ok)
{
    return QHttpServerResponse(QByteArrayLiteral("application/json"),
                               QJsonDocument(body).toJson(QJsonDocument::Compact), status);
}

inline QHttpServerResponse error(QHttpServerResponse::StatusCode status, const QString &code,
                                 const QString &message)
{
    return json(errorBody(code, message), status);
}

} // namespace Revenge::Api
