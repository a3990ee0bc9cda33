#pragma once

#include "MediaMetadata.h"

#include <QList>
#include <QString>
#include <chrono>
#include <optional>
#include <utility>

namespace Revenge {

// One search hit of a remote provider: what the matcher needs to pick the right one.
struct MetadataCandidate
{
    QString id; // the provider's id, e.g. TMDb's "603"
    QString title;
    QString originalTitle;
    std::optional<int> year;
    double popularity = 0; // provider-specific scale; only compared between candidates
    QString overview;
};

// Why a provider call failed. Each kind asks the caller for a different reaction (see
// MetadataFetchWorker): wait, give up on the item, fix the configuration, or retry later.
struct ProviderError
{
    enum class Kind
    {
        None,
        NotFound,        // 404: the id does not exist (any more)
        RateLimited,     // 429, or our own limiter had no token soon enough; see retryAfter
        Unauthorized,    // 401: the API key was rejected
        Transient,       // 5xx, network error, timeout: worth retrying with backoff
        InvalidResponse, // a 2xx that is not the JSON we expect
        Rejected,        // any other 4xx: the request itself is wrong; retrying will not help
        Disabled         // no provider configured or no API key
    };
    Kind kind = Kind::None;
    QString message;
    std::chrono::milliseconds retryAfter{0}; // RateLimited: the server's or limiter's hint
    int httpStatus = 0;                      // 0: no HTTP answer
};

inline QString providerErrorKindName(ProviderError::Kind kind)
{
    switch (kind) {
    case ProviderError::Kind::None:
        return QStringLiteral("none");
    case ProviderError::Kind::NotFound:
        return QStringLiteral("not found");
    case ProviderError::Kind::RateLimited:
        return QStringLiteral("rate limited");
    case ProviderError::Kind::Unauthorized:
        return QStringLiteral("unauthorized");
    case ProviderError::Kind::Transient:
        return QStringLiteral("transient");
    case ProviderError::Kind::InvalidResponse:
        return QStringLiteral("invalid response");
    case ProviderError::Kind::Rejected:
        return QStringLiteral("rejected");
    case ProviderError::Kind::Disabled:
        return QStringLiteral("disabled");
    }
    return QStringLiteral("unknown");
}

// A value or the reason there is none.
template<typename T> class ProviderResult
{
public:
    ProviderResult(T value)
        : m_value(std::move(value))
    {}
    ProviderResult(ProviderError error)
        : m_error(std::move(error))
    {}

    bool ok() const { return m_value.has_value(); }
    const T &value() const { return *m_value; }
    T &value() { return *m_value; }
    const ProviderError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    ProviderError m_error;
};

// A remote metadata source (TMDb and look-alikes). Item types use the catalogue's names:
// "movie", "series". Implementations are thread-safe and synchronous: they are called from job
// worker threads, and each call blocks until the answer (bounded by the provider's timeout).
class MetadataProvider
{
public:
    virtual ~MetadataProvider() = default;

    // The key of this provider's ids in MediaMetadata::externalIds, e.g. "tmdb".
    virtual QString name() const = 0;
    // False (with the reason) when the provider cannot be used at all: turned off, no API key.
    virtual bool isEnabled(QString *why = nullptr) const = 0;

    // Search by title; `year` narrows the search when given.
    virtual ProviderResult<QList<MetadataCandidate>>
    search(const QString &itemType, const QString &title, std::optional<int> year) = 0;
    // Items known by another source's id, e.g. ("imdb", "tt0133093").
    virtual ProviderResult<QList<MetadataCandidate>>
    findByExternalId(const QString &itemType, const QString &source, const QString &id) = 0;
    // Full details of a movie or series by this provider's id.
    virtual ProviderResult<MediaMetadata> details(const QString &itemType, const QString &id) = 0;
    // One episode of a series known by this provider's id.
    virtual ProviderResult<MediaMetadata> episode(const QString &seriesId, int season,
                                                  int episode) = 0;
};

} // namespace Revenge
