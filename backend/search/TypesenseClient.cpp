#include "search/TypesenseClient.h"

#include "core/Config.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>
#include <QUrl>

Q_LOGGING_CATEGORY(lcSearch, "revenge.search")

namespace Revenge {

namespace {

void setError(TypesenseError *error, int status, const QString &message, bool retryable)
{
    if (error)
        *error = TypesenseError{status, message, retryable};
}

QString pathSegment(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

// Typesense errors are {"message": ...}; anything else (a proxy's HTML page) is shown truncated.
QString httpErrorMessage(int status, const QByteArray &body)
{
    const QJsonObject obj = QJsonDocument::fromJson(body).object();
    const QString message = obj.contains(QStringLiteral("message"))
                                ? obj.value(QStringLiteral("message")).toString()
                                : QString::fromUtf8(body.left(300)).trimmed();
    return QStringLiteral("Typesense %1: %2").arg(status).arg(message);
}

bool isRetryableStatus(int status)
{
    return status == 503 || status == 429;
}

std::optional<QJsonObject> parseObject(const QByteArray &body, TypesenseError *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        setError(error, 0,
                 QStringLiteral("Typesense returned an invalid JSON response: %1")
                     .arg(QString::fromUtf8(body.left(200))),
                 false);
        return std::nullopt;
    }
    return doc.object();
}

} // namespace

TypesenseSettings TypesenseSettings::fromConfig(const SearchConfig &config)
{
    TypesenseSettings s;
    s.protocol = config.protocol;
    s.host = config.host;
    s.port = config.port;
    s.apiKey = config.apiKey;
    return s;
}

QByteArray encodeQuery(const QUrlQuery &query)
{
    QByteArray out;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

TypesenseClient::TypesenseClient(TypesenseSettings settings)
    : m_settings(std::move(settings))
{}

TypesenseClient::Response TypesenseClient::send(const QByteArray &method, const QString &path,
                                                const QUrlQuery &query, const QByteArray &body,
                                                const QByteArray &contentType, int timeoutMs,
                                                bool withKey) const
{
    QByteArray encoded = QStringLiteral("%1://%2:%3")
                             .arg(m_settings.protocol, m_settings.host)
                             .arg(m_settings.port)
                             .toUtf8() +
                         path.toUtf8();
    const QByteArray q = encodeQuery(query);
    if (!q.isEmpty())
        encoded += '?' + q;
    QNetworkRequest request(QUrl::fromEncoded(encoded, QUrl::StrictMode));
    if (withKey)
        request.setRawHeader("X-TYPESENSE-API-KEY", m_settings.apiKey.toUtf8());
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    request.setRawHeader("Accept", "application/json");

    // A NAM and loop per call on the calling thread: no shared state, usable from any thread.
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    bool timedOut = false;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort(); // emits finished
    });
    deadline.start(timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    deadline.stop();

    Response r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (!timedOut)
        r.body = reply->readAll();
    r.retryAfter = reply->rawHeader("Retry-After");
    r.timedOut = timedOut;
    // HTTP error statuses also set reply->error(); only a missing status is a transport error.
    r.transportError = timedOut || r.status == 0;
    r.errorString =
        timedOut ? QStringLiteral("timed out after %1 ms").arg(timeoutMs) : reply->errorString();
    delete reply;
    return r;
}

std::optional<TypesenseClient::Response>
TypesenseClient::call(const QByteArray &method, const QString &path, const QUrlQuery &query,
                      const QByteArray &body, const QByteArray &contentType, int timeoutMs,
                      TypesenseError *error) const
{
    const int attempts = 1 + std::max(0, m_settings.maxRetries);
    Response r;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        r = send(method, path, query, body, contentType, timeoutMs, true);
        if (r.timedOut) {
            // Not retried: the server may still be working on it, and retrying would multiply
            // the caller's wait (imports time out after minutes).
            setError(error, 0,
                     QStringLiteral("Typesense %1 %2 timed out after %3 ms")
                         .arg(QString::fromLatin1(method), path)
                         .arg(timeoutMs),
                     true);
            return std::nullopt;
        }
        if (!r.transportError && r.status >= 200 && r.status < 300)
            return r;
        const bool retryable = r.transportError || isRetryableStatus(r.status);
        if (!retryable || attempt + 1 == attempts)
            break;
        int delay = m_settings.retryBaseDelayMs << attempt;
        delay += QRandomGenerator::global()->bounded(delay / 2 + 1);
        bool ok = false;
        const int retryAfter = r.retryAfter.trimmed().toInt(&ok);
        if (ok && retryAfter >= 0)
            delay = std::min(retryAfter * 1000, m_settings.maxRetryAfterMs);
        qCDebug(lcSearch) << "Typesense" << method << path << "failed"
                          << (r.transportError ? r.errorString : QString::number(r.status))
                          << "- retry" << attempt + 1 << "in" << delay << "ms";
        QThread::msleep(static_cast<unsigned long>(delay));
    }
    if (r.transportError) {
        setError(error, 0,
                 QStringLiteral("Typesense unreachable at %1:%2: %3 (after %4 attempts)")
                     .arg(m_settings.host)
                     .arg(m_settings.port)
                     .arg(r.errorString)
                     .arg(attempts),
                 true);
    } else {
        setError(error, r.status, httpErrorMessage(r.status, r.body), isRetryableStatus(r.status));
    }
    return std::nullopt;
}

std::optional<QJsonObject> TypesenseClient::callJson(const QByteArray &method, const QString &path,
                                                     const QUrlQuery &query,
                                                     const QJsonObject &body,
                                                     TypesenseError *error) const
{
    const QByteArray payload =
        body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    const auto r = call(method, path, query, payload,
                        payload.isEmpty() ? QByteArray() : QByteArrayLiteral("application/json"),
                        m_settings.timeoutMs, error);
    if (!r)
        return std::nullopt;
    return parseObject(r->body, error);
}

std::optional<bool> TypesenseClient::health(TypesenseError *error) const
{
    const Response r =
        send("GET", QStringLiteral("/health"), {}, {}, {}, m_settings.timeoutMs, false);
    if (r.transportError) {
        setError(error, 0,
                 QStringLiteral("Typesense unreachable at %1:%2: %3")
                     .arg(m_settings.host)
                     .arg(m_settings.port)
                     .arg(r.errorString),
                 true);
        return std::nullopt;
    }
    const QJsonObject obj = QJsonDocument::fromJson(r.body).object();
    if (!obj.contains(QStringLiteral("ok"))) {
        setError(error, r.status, httpErrorMessage(r.status, r.body), isRetryableStatus(r.status));
        return std::nullopt;
    }
    const bool ok = obj.value(QStringLiteral("ok")).toBool() && r.status == 200;
    if (!ok) {
        // Keep the reason (e.g. resource_error OUT_OF_DISK) for the health report.
        const QString why = obj.value(QStringLiteral("resource_error")).toString();
        setError(error, r.status,
                 QStringLiteral("Typesense %1: not healthy%2")
                     .arg(r.status)
                     .arg(why.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(why)),
                 true);
    }
    return ok;
}

std::optional<QJsonObject> TypesenseClient::createCollection(const QJsonObject &schema,
                                                             TypesenseError *error) const
{
    return callJson("POST", QStringLiteral("/collections"), {}, schema, error);
}

std::optional<QJsonObject> TypesenseClient::getCollection(const QString &name,
                                                          TypesenseError *error) const
{
    return callJson("GET", QStringLiteral("/collections/") + pathSegment(name), {}, {}, error);
}

std::optional<QJsonObject> TypesenseClient::deleteCollection(const QString &name,
                                                             TypesenseError *error) const
{
    return callJson("DELETE", QStringLiteral("/collections/") + pathSegment(name), {}, {}, error);
}

std::optional<ImportResult> TypesenseClient::importDocuments(const QString &collection,
                                                             const QList<QJsonObject> &documents,
                                                             const QString &action,
                                                             TypesenseError *error) const
{
    if (documents.isEmpty())
        return ImportResult{};
    QByteArray body;
    QList<QByteArray> sent;
    sent.reserve(documents.size());
    for (const QJsonObject &doc : documents) {
        // Compact JSON escapes newlines inside strings, so one document is exactly one line.
        sent.append(QJsonDocument(doc).toJson(QJsonDocument::Compact));
        if (!body.isEmpty())
            body += '\n';
        body += sent.last();
    }
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("action"), action);
    const auto r = call(
        "POST", QStringLiteral("/collections/%1/documents/import").arg(pathSegment(collection)),
        query, body, "text/plain", m_settings.importTimeoutMs, error);
    if (!r)
        return std::nullopt;

    // Always HTTP 200: success is decided line by line, and every line must be accounted for.
    QList<QByteArray> lines = r->body.split('\n');
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    if (lines.size() != documents.size()) {
        setError(error, r->status,
                 QStringLiteral("Typesense import into %1: response has %2 result lines for %3 "
                                "documents; import outcome unknown")
                     .arg(collection)
                     .arg(lines.size())
                     .arg(documents.size()),
                 false);
        return std::nullopt;
    }
    ImportResult result;
    for (int i = 0; i < lines.size(); ++i) {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(lines.at(i), &pe);
        const QJsonObject obj = doc.object();
        if (pe.error != QJsonParseError::NoError || !doc.isObject() ||
            !obj.value(QStringLiteral("success")).isBool()) {
            setError(error, r->status,
                     QStringLiteral("Typesense import into %1: unparsable result line %2: %3")
                         .arg(collection)
                         .arg(i + 1)
                         .arg(QString::fromUtf8(lines.at(i).left(200))),
                     false);
            return std::nullopt;
        }
        if (obj.value(QStringLiteral("success")).toBool()) {
            ++result.ok;
            continue;
        }
        ImportFailure f;
        f.line = i + 1;
        f.error = obj.value(QStringLiteral("error")).toString();
        f.document = obj.contains(QStringLiteral("document"))
                         ? obj.value(QStringLiteral("document")).toString()
                         : QString::fromUtf8(sent.at(i));
        result.failures.append(f);
    }
    if (!result.failures.isEmpty())
        qCWarning(lcSearch) << "Typesense import into" << collection << ":" << result.ok << "ok,"
                            << result.failures.size()
                            << "failed; first:" << result.failures.first().error;
    return result;
}

std::optional<int> TypesenseClient::deleteByFilter(const QString &collection,
                                                   const QString &filterBy,
                                                   TypesenseError *error) const
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("filter_by"), filterBy);
    const auto obj =
        callJson("DELETE", QStringLiteral("/collections/%1/documents").arg(pathSegment(collection)),
                 query, {}, error);
    if (!obj)
        return std::nullopt;
    return obj->value(QStringLiteral("num_deleted")).toInt();
}

std::optional<QJsonObject> TypesenseClient::search(const QString &collection,
                                                   const QUrlQuery &params,
                                                   TypesenseError *error) const
{
    if (encodeQuery(params).size() <= MaxGetQueryLength)
        return callJson(
            "GET", QStringLiteral("/collections/%1/documents/search").arg(pathSegment(collection)),
            params, {}, error);

    // Typesense refuses longer GET query strings; the same search fits in a multi_search body.
    QJsonObject one{{QStringLiteral("collection"), collection}};
    const auto items = params.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items)
        one.insert(key, value);
    const auto results = multiSearch(QJsonArray{one}, {}, error);
    if (!results)
        return std::nullopt;
    const QJsonObject result = results->at(0).toObject();
    if (result.contains(QStringLiteral("error"))) {
        const int code = result.value(QStringLiteral("code")).toInt();
        setError(error, code,
                 QStringLiteral("Typesense %1: %2")
                     .arg(code)
                     .arg(result.value(QStringLiteral("error")).toString()),
                 isRetryableStatus(code));
        return std::nullopt;
    }
    return result;
}

std::optional<QJsonArray> TypesenseClient::multiSearch(const QJsonArray &searches,
                                                       const QUrlQuery &common,
                                                       TypesenseError *error) const
{
    const auto obj = callJson("POST", QStringLiteral("/multi_search"), common,
                              QJsonObject{{QStringLiteral("searches"), searches}}, error);
    if (!obj)
        return std::nullopt;
    const QJsonArray results = obj->value(QStringLiteral("results")).toArray();
    if (results.size() != searches.size()) {
        setError(error, 200,
                 QStringLiteral("Typesense multi_search returned %1 results for %2 searches")
                     .arg(results.size())
                     .arg(searches.size()),
                 false);
        return std::nullopt;
    }
    return results;
}

std::optional<QString> TypesenseClient::quoteFilterValue(const QString &value,
                                                         TypesenseError *error)
{
    // Inside backticks, commas, quotes, backslashes, brackets and && are literal; the only
    // character that cannot be represented is the backtick itself (no escape exists).
    if (value.contains(QLatin1Char('`'))) {
        setError(error, 400,
                 QStringLiteral("filter value contains a backtick, which Typesense filter syntax "
                                "cannot express: %1")
                     .arg(value.left(100)),
                 false);
        return std::nullopt;
    }
    return QLatin1Char('`') + value + QLatin1Char('`');
}

} // namespace Revenge
