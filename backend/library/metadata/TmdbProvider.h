#pragma once

#include "MetadataProvider.h"

#include <QByteArray>
#include <QJsonObject>
#include <QUrlQuery>
#include <memory>

namespace Revenge {

class RedisClient;
class RateLimiter;
struct MetadataConfig;

struct TmdbSettings
{
    QString baseUrl = QStringLiteral("https://api.themoviedb.org/3");
    QString imageBaseUrl = QStringLiteral("https://image.tmdb.org/t/p/original");
    // A v3 key (sent as ?api_key=) or a v4 read access token (a JWT, "eyJ...", sent as
    // "Authorization: Bearer"). Empty: the provider is disabled.
    QString apiKey;
    QString language = QStringLiteral("en-US");
    double requestsPerSecond = 4;
    int burst = 10;
    int cacheHours = 24; // 0: no caching
    int timeoutMs = 15000;
    // How long a call may wait for a rate-limit token before it gives up as RateLimited (the
    // job then snoozes instead of holding a worker thread).
    int rateLimitWaitMs = 1000;
    int maxResponseBytes = 8 * 1024 * 1024;
    int castLimit = 20;
    bool enabled = true; // false: provider "none"

    static TmdbSettings fromConfig(const MetadataConfig &config);
};

// TMDb API v3 over QNetworkAccessManager, used synchronously: each call makes its own manager
// and event loop on the calling thread, so it works from any worker thread and is thread-safe.
//
// Requests go through the shared RateLimiter (policy "metadata.tmdb", keyed by the API host,
// so every process of a cluster shares TMDb's budget); answers of 200 are cached in the cache
// under "revenge:metadata:tmdb:<sha1 of the URL without the key>" for cacheHours. The cache is
// optional: a null or unreachable cache only costs the requests it would have saved.
class TmdbProvider : public MetadataProvider
{
public:
    static constexpr const char *kPolicy = "metadata.tmdb";
    static constexpr const char *kCachePrefix = "revenge:metadata:tmdb:";

    // `cache` and `limiter` may be null (no cache; a private in-process limiter) and must
    // outlive the provider.
    TmdbProvider(TmdbSettings settings, RedisClient *cache, RateLimiter *limiter);
    ~TmdbProvider() override;

    QString name() const override { return QStringLiteral("tmdb"); }
    bool isEnabled(QString *why = nullptr) const override;

    ProviderResult<QList<MetadataCandidate>> search(const QString &itemType, const QString &title,
                                                    std::optional<int> year) override;
    ProviderResult<QList<MetadataCandidate>>
    findByExternalId(const QString &itemType, const QString &source, const QString &id) override;
    ProviderResult<MediaMetadata> details(const QString &itemType, const QString &id) override;
    ProviderResult<MediaMetadata> episode(const QString &seriesId, int season,
                                          int episode) override;

    // One GET of `path` (e.g. "/movie/603") with `query` (api_key and language are added):
    // the parsed JSON object, from the cache when it is there.
    ProviderResult<QJsonObject> get(const QString &path, QUrlQuery query);

    const TmdbSettings &settings() const { return m_settings; }
    // The cache key of a request (tests).
    QByteArray cacheKey(const QString &path, const QUrlQuery &query) const;

    // Mapping of TMDb's JSON (public for tests).
    MediaMetadata movieFromJson(const QJsonObject &json) const;
    MediaMetadata seriesFromJson(const QJsonObject &json) const;
    MediaMetadata episodeFromJson(const QJsonObject &json) const;
    static QList<MetadataCandidate> candidatesFromJson(const QString &itemType,
                                                       const QJsonArray &results);

private:
    ProviderError acquireToken();
    QUrl requestUrl(const QString &path, QUrlQuery query, bool withKey) const;
    QString region() const;
    QString imageUrl(const QJsonValue &path) const;
    void addCredits(MediaMetadata &m, const QJsonObject &credits, bool guestStars) const;
    void addImages(MediaMetadata &m, const QJsonObject &json,
                   std::initializer_list<std::pair<const char *, const char *>> blocks) const;

    TmdbSettings m_settings;
    RedisClient *m_cache;
    RateLimiter *m_limiter;
    std::unique_ptr<RateLimiter> m_ownLimiter;
    QString m_limiterKey;
};

} // namespace Revenge
