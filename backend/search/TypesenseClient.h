#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QString>
#include <QUrlQuery>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcSearch)

namespace Revenge {

struct SearchConfig;

// Written against the Typesense v27 HTTP API (formats unchanged through v30); see
// docs in /work/shared/reference/typesense-api.md for the facts it relies on.
struct TypesenseSettings
{
    QString protocol = QStringLiteral("http");
    QString host = QStringLiteral("localhost");
    quint16 port = 8108;
    QString apiKey;
    int timeoutMs = 5000;                // whole request, not just inactivity
    int importTimeoutMs = 5 * 60 * 1000; // imports of large batches are slow
    int maxRetries = 3;                  // extra attempts on 503/429/connection errors
    int retryBaseDelayMs = 100;          // doubles per attempt, plus up to 50% jitter
    int maxRetryAfterMs = 30000;         // cap on a server's Retry-After

    static TypesenseSettings fromConfig(const SearchConfig &config);
};

// httpStatus 0: no HTTP answer (connection error, timeout, malformed response, or a request
// rejected locally before sending).
struct TypesenseError
{
    int httpStatus = 0;
    QString message;
    bool retryable = false;
};

struct ImportFailure
{
    int line = 0; // 1-based line of the JSONL body (= index in the input list + 1)
    QString error;
    QString document; // the line as Typesense echoed it
};

struct ImportResult
{
    int ok = 0;
    QList<ImportFailure> failures;
};

// Synchronous protocol layer over Typesense's HTTP API. Thread-safe: the object is immutable
// and every call builds its own QNetworkAccessManager and QEventLoop on the calling thread, so
// it can be used from job worker threads. Errors are values: each method returns std::nullopt
// and fills *error (when given) on failure.
class TypesenseClient
{
public:
    explicit TypesenseClient(TypesenseSettings settings);

    const TypesenseSettings &settings() const { return m_settings; }

    // The server's "ok" (false on 503 {"ok":false}); nullopt when there is no usable answer.
    // Not retried: a probe should answer fast.
    std::optional<bool> health(TypesenseError *error = nullptr) const;

    std::optional<QJsonObject> createCollection(const QJsonObject &schema,
                                                TypesenseError *error = nullptr) const;
    std::optional<QJsonObject> getCollection(const QString &name,
                                             TypesenseError *error = nullptr) const;
    std::optional<QJsonObject> deleteCollection(const QString &name,
                                                TypesenseError *error = nullptr) const;

    // Per-document failures are part of the result, not an error. An error means the import as
    // a whole failed or its response could not be trusted (line count mismatch, bad line).
    std::optional<ImportResult> importDocuments(const QString &collection,
                                                const QList<QJsonObject> &documents,
                                                const QString &action = QStringLiteral("upsert"),
                                                TypesenseError *error = nullptr) const;

    // Returns num_deleted.
    std::optional<int> deleteByFilter(const QString &collection, const QString &filterBy,
                                      TypesenseError *error = nullptr) const;

    // GET search; switches to POST /multi_search when the query string exceeds 4000 characters.
    std::optional<QJsonObject> search(const QString &collection, const QUrlQuery &params,
                                      TypesenseError *error = nullptr) const;

    // Results in order; a failed search inside is {"error","code"} and is returned as is.
    std::optional<QJsonArray> multiSearch(const QJsonArray &searches, const QUrlQuery &common = {},
                                          TypesenseError *error = nullptr) const;

    // `value` wrapped in backticks for filter_by. Typesense has no escape for a backtick inside
    // a backtick-quoted value, so such values are rejected (nullopt, httpStatus 400) rather than
    // producing a filter that means something else.
    static std::optional<QString> quoteFilterValue(const QString &value,
                                                   TypesenseError *error = nullptr);

    static constexpr int MaxGetQueryLength = 4000;

    struct Response
    {
        int status = 0;
        QByteArray body;
        QByteArray retryAfter;
        bool transportError = false;
        bool timedOut = false;
        QString errorString;
    };

private:
    Response send(const QByteArray &method, const QString &path, const QUrlQuery &query,
                  const QByteArray &body, const QByteArray &contentType, int timeoutMs,
                  bool withKey) const;
    // send() with retries; on failure fills *error and returns nullopt.
    std::optional<Response> call(const QByteArray &method, const QString &path,
                                 const QUrlQuery &query, const QByteArray &body,
                                 const QByteArray &contentType, int timeoutMs,
                                 TypesenseError *error) const;
    std::optional<QJsonObject> callJson(const QByteArray &method, const QString &path,
                                        const QUrlQuery &query, const QJsonObject &body,
                                        TypesenseError *error) const;

    TypesenseSettings m_settings;
};

// Percent-encodes every reserved character (QUrlQuery leaves '+' alone, which servers read as a
// space). Exposed so the 4000-character limit is measured on what is actually sent.
QByteArray encodeQuery(const QUrlQuery &query);

} // namespace Revenge
