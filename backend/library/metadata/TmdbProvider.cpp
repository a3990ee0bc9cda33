#include "TmdbProvider.h"

#include "cache/RateLimiter.h"
#include "cache/RedisClient.h"
#include "core/Config.h"
#include "core/Logging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <algorithm>
#include <cmath>

namespace Revenge {

namespace {

ProviderError makeError(ProviderError::Kind kind, QString message, int status = 0,
                        std::chrono::milliseconds retryAfter = std::chrono::milliseconds(0))
{
    ProviderError e;
    e.kind = kind;
    e.message = std::move(message);
    e.httpStatus = status;
    e.retryAfter = retryAfter;
    return e;
}

bool isBearerToken(const QString &key)
{
    // v4 read access tokens are JWTs; their base64url header always starts "eyJ" ('{"').
    return key.startsWith(QLatin1String("eyJ"));
}

// Retry-After: delta-seconds or an HTTP-date. Zero when absent or unreadable.
std::chrono::milliseconds parseRetryAfter(const QByteArray &value)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return std::chrono::milliseconds(0);
    bool ok = false;
    const qint64 seconds = v.toLongLong(&ok);
    if (ok)
        return std::chrono::milliseconds(std::clamp<qint64>(seconds, 0, 24 * 3600) * 1000);
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(v), Qt::RFC2822Date);
    if (!at.isValid())
        return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(
        std::clamp<qint64>(QDateTime::currentDateTimeUtc().msecsTo(at), 0, 24 * 3600 * 1000));
}

QString tmdbStatusMessage(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString message = o.value(QStringLiteral("status_message")).toString();
    if (!message.isEmpty())
        return message;
    // Some gateways answer with plain text or HTML; a short excerpt helps, a page does not.
    return QString::fromUtf8(body.left(200)).simplified();
}

QString nonEmpty(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString().trimmed();
}

void setIfNonEmpty(std::optional<QString> &field, const QString &value)
{
    if (!value.isEmpty())
        field = value;
}

// TMDb ids are JSON numbers; external ids are strings or numbers (tvdb_id) or null.
QString idText(const QJsonValue &v)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d > 0 && std::floor(d) == d)
            return QString::number(qint64(d));
        return {};
    }
    return v.toString().trimmed();
}

QString encodeQuery(const QList<QPair<QString, QString>> &items)
{
    QString out;
    for (const auto &[key, value] : items) {
        if (!out.isEmpty())
            out += QLatin1Char('&');
        out += QString::fromLatin1(QUrl::toPercentEncoding(key)) + QLatin1Char('=') +
               QString::fromLatin1(QUrl::toPercentEncoding(value));
    }
    return out;
}

// What every TMDb object says alike: the date (and its year), the rating when anybody voted,
// the genres, and the ids under `external_ids` named in `keys`.
void setDate(MediaMetadata &m, const QJsonObject &j, const char *key)
{
    const QDate date = QDate::fromString(nonEmpty(j, key), Qt::ISODate);
    if (date.isValid()) {
        m.releaseDate = date;
        m.year = date.year();
    }
}

void setRuntime(MediaMetadata &m, int minutes)
{
    if (minutes > 0)
        m.runtimeMinutes = minutes;
}

void setRating(MediaMetadata &m, const QJsonObject &j)
{
    if (j.value(QStringLiteral("vote_count")).toInt() <= 0)
        return;
    const double rating = j.value(QStringLiteral("vote_average")).toDouble();
    if (rating >= 0 && rating <= 10)
        m.rating = std::round(rating * 10) / 10;
}

void addGenres(MediaMetadata &m, const QJsonObject &j)
{
    for (const QJsonValue &g : j.value(QStringLiteral("genres")).toArray())
        if (const QString name = nonEmpty(g.toObject(), "name"); !name.isEmpty())
            m.genres << name;
}

void addExternalIds(MediaMetadata &m, const QJsonObject &j,
                    std::initializer_list<std::pair<const char *, const char *>> keys)
{
    m.externalIds.insert(QStringLiteral("tmdb"), idText(j.value(QStringLiteral("id"))));
    const QJsonObject ext = j.value(QStringLiteral("external_ids")).toObject();
    for (const auto &[field, name] : keys)
        if (const QString id = idText(ext.value(QLatin1String(field))); !id.isEmpty())
            m.externalIds.insert(QLatin1String(name), id);
}

QString writerJob(const QString &job)
{
    static const QSet<QString> jobs{QStringLiteral("Screenplay"), QStringLiteral("Writer"),
                                    QStringLiteral("Story"),      QStringLiteral("Novel"),
                                    QStringLiteral("Teleplay"),   QStringLiteral("Author")};
    return jobs.contains(job) ? QStringLiteral("writer") : QString();
}

} // namespace

TmdbSettings TmdbSettings::fromConfig(const MetadataConfig &config)
{
    TmdbSettings s;
    s.enabled = config.provider.compare(QLatin1String("none"), Qt::CaseInsensitive) != 0;
    s.baseUrl = config.baseUrl;
    s.imageBaseUrl = config.imageBaseUrl;
    s.apiKey = config.apiKey;
    s.language = config.language;
    s.requestsPerSecond = config.requestsPerSecond;
    s.burst = config.burst;
    s.cacheHours = config.cacheHours;
    return s;
}

TmdbProvider::TmdbProvider(TmdbSettings settings, RedisClient *cache, RateLimiter *limiter)
    : m_settings(std::move(settings))
    , m_cache(cache)
    , m_limiter(limiter)
{
    while (m_settings.baseUrl.endsWith(QLatin1Char('/')))
        m_settings.baseUrl.chop(1);
    while (m_settings.imageBaseUrl.endsWith(QLatin1Char('/')))
        m_settings.imageBaseUrl.chop(1);
    if (!m_limiter) {
        m_ownLimiter = std::make_unique<RateLimiter>(nullptr);
        m_limiter = m_ownLimiter.get();
    }
    QString error;
    if (!m_limiter->setPolicy(QString::fromLatin1(kPolicy),
                              {m_settings.requestsPerSecond, std::max(1, m_settings.burst)},
                              &error))
        qCWarning(lcMetadata).noquote()
            << "metadata rate limit (requests_per_second" << m_settings.requestsPerSecond
            << ", burst" << m_settings.burst << ") refused:" << error
            << "- remote metadata is disabled";
    // TMDb limits per client; one key per API host shares the budget across the cluster.
    const QUrl base(m_settings.baseUrl);
    m_limiterKey = base.host() + QLatin1Char('_') + QString::number(base.port(0));
}

TmdbProvider::~TmdbProvider() = default;

bool TmdbProvider::isEnabled(QString *why) const
{
    auto fail = [&](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (!m_settings.enabled)
        return fail(QStringLiteral("remote metadata disabled (metadata.provider is \"none\")"));
    if (m_settings.apiKey.trimmed().isEmpty())
        return fail(QStringLiteral("remote metadata disabled (no metadata.api_key in the secret "
                                   "store or configuration)"));
    const QUrl base(m_settings.baseUrl);
    if (!base.isValid() ||
        (base.scheme() != QLatin1String("http") && base.scheme() != QLatin1String("https")) ||
        base.host().isEmpty())
        return fail(QStringLiteral("remote metadata disabled (metadata.base_url \"%1\" is not an "
                                   "http(s) URL)")
                        .arg(m_settings.baseUrl));
    if (!m_limiter->policy(QString::fromLatin1(kPolicy)))
        return fail(QStringLiteral("remote metadata disabled (invalid rate limit: "
                                   "requests_per_second %1, burst %2)")
                        .arg(m_settings.requestsPerSecond)
                        .arg(m_settings.burst));
    return true;
}

QString TmdbProvider::region() const
{
    const int dash = m_settings.language.indexOf(QLatin1Char('-'));
    return dash > 0 ? m_settings.language.mid(dash + 1).toUpper() : QStringLiteral("US");
}

QUrl TmdbProvider::requestUrl(const QString &path, QUrlQuery query, bool withKey) const
{
    QList<QPair<QString, QString>> items = query.queryItems(QUrl::FullyDecoded);
    if (withKey && !isBearerToken(m_settings.apiKey))
        items.append({QStringLiteral("api_key"), m_settings.apiKey.trimmed()});
    const QString q = encodeQuery(items);
    return QUrl::fromEncoded(
        (m_settings.baseUrl + path + (q.isEmpty() ? QString() : QLatin1Char('?') + q)).toUtf8(),
        QUrl::TolerantMode);
}

QByteArray TmdbProvider::cacheKey(const QString &path, const QUrlQuery &query) const
{
    // The key never takes part: everyone asking the same question shares the answer, and the
    // secret does not end up in the cache.
    QList<QPair<QString, QString>> items = query.queryItems(QUrl::FullyDecoded);
    items.removeIf([](const auto &kv) { return kv.first == QLatin1String("api_key"); });
    std::sort(items.begin(), items.end());
    const QByteArray canonical =
        (m_settings.baseUrl + path + QLatin1Char('?') + encodeQuery(items)).toUtf8();
    return QByteArray(kCachePrefix) +
           QCryptographicHash::hash(canonical, QCryptographicHash::Sha1).toHex();
}

ProviderError TmdbProvider::acquireToken()
{
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        const RateLimiter::Decision d =
            m_limiter->check(QString::fromLatin1(kPolicy), m_limiterKey);
        if (d.allowed)
            return {};
        const qint64 budget = m_settings.rateLimitWaitMs - waited.elapsed();
        if (d.retryAfter.count() > budget)
            return makeError(ProviderError::Kind::RateLimited,
                             QStringLiteral("TMDb request budget (%1/s, burst %2) used up; next "
                                            "request possible in %3 ms")
                                 .arg(m_settings.requestsPerSecond)
                                 .arg(m_settings.burst)
                                 .arg(d.retryAfter.count()),
                             0, d.retryAfter);
        QThread::msleep(std::max<qint64>(1, d.retryAfter.count()));
    }
}

ProviderResult<QJsonObject> TmdbProvider::get(const QString &path, QUrlQuery query)
{
    QString why;
    if (!isEnabled(&why))
        return makeError(ProviderError::Kind::Disabled, why);
    if (!m_settings.language.isEmpty() && !query.hasQueryItem(QStringLiteral("language")))
        query.addQueryItem(QStringLiteral("language"), m_settings.language);

    const QByteArray key = cacheKey(path, query);
    const bool caching = m_cache && m_settings.cacheHours > 0;
    if (caching) {
        QString cacheError;
        const auto cached = m_cache->command({"GET", key}, &cacheError);
        if (cached && cached->type == RedisReply::Type::String) {
            const QJsonDocument doc = QJsonDocument::fromJson(cached->string);
            if (doc.isObject())
                return doc.object();
        } else if (!cached) {
            qCDebug(lcMetadata).noquote() << "metadata cache unavailable:" << cacheError;
        }
    }

    if (ProviderError e = acquireToken(); e.kind != ProviderError::Kind::None)
        return e;

    QNetworkRequest request(requestUrl(path, query, true));
    request.setRawHeader("Accept", "application/json");
    if (isBearerToken(m_settings.apiKey))
        request.setRawHeader("Authorization", "Bearer " + m_settings.apiKey.trimmed().toUtf8());
    request.setTransferTimeout(m_settings.timeoutMs);

    // A manager and loop per call on the calling thread: no shared state between worker threads.
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(request);
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    bool timedOut = false;
    bool tooLarge = false;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort();
    });
    QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, [&](qint64 received, qint64) {
        if (received > m_settings.maxResponseBytes && !tooLarge) {
            tooLarge = true;
            reply->abort();
        }
    });
    deadline.start(m_settings.timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    deadline.stop();

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = (timedOut || tooLarge) ? QByteArray() : reply->readAll();
    const QByteArray retryAfterHeader = reply->rawHeader("Retry-After");
    const QString networkError = reply->errorString();
    delete reply;

    const QString what = QStringLiteral("TMDb GET %1").arg(path);
    if (timedOut)
        return makeError(
            ProviderError::Kind::Transient,
            QStringLiteral("%1 timed out after %2 ms").arg(what).arg(m_settings.timeoutMs));
    if (tooLarge)
        return makeError(ProviderError::Kind::InvalidResponse,
                         QStringLiteral("%1: response larger than %2 bytes")
                             .arg(what)
                             .arg(m_settings.maxResponseBytes));
    if (status == 0)
        return makeError(ProviderError::Kind::Transient,
                         QStringLiteral("%1 failed: %2").arg(what, networkError));
    if (status == 401)
        return makeError(ProviderError::Kind::Unauthorized,
                         QStringLiteral("metadata.api_key rejected by TMDb (401: %1)")
                             .arg(tmdbStatusMessage(body)),
                         status);
    if (status == 404)
        return makeError(
            ProviderError::Kind::NotFound,
            QStringLiteral("%1: not found (404: %2)").arg(what, tmdbStatusMessage(body)), status);
    if (status == 429)
        return makeError(
            ProviderError::Kind::RateLimited,
            QStringLiteral("%1: rate limited by TMDb (429: %2)").arg(what, tmdbStatusMessage(body)),
            status, parseRetryAfter(retryAfterHeader));
    if (status >= 500 || status == 408)
        return makeError(
            ProviderError::Kind::Transient,
            QStringLiteral("%1: HTTP %2: %3").arg(what).arg(status).arg(tmdbStatusMessage(body)),
            status);
    if (status < 200 || status >= 300)
        return makeError(
            ProviderError::Kind::Rejected,
            QStringLiteral("%1: HTTP %2: %3").arg(what).arg(status).arg(tmdbStatusMessage(body)),
            status);

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(ProviderError::Kind::InvalidResponse,
                         QStringLiteral("%1: invalid JSON at offset %2: %3")
                             .arg(what)
                             .arg(parseError.offset)
                             .arg(parseError.errorString()),
                         status);
    if (!doc.isObject())
        return makeError(ProviderError::Kind::InvalidResponse,
                         QStringLiteral("%1: expected a JSON object").arg(what), status);

    if (caching) {
        QString cacheError;
        const auto stored =
            m_cache->command({"SET", key, doc.toJson(QJsonDocument::Compact), "EX",
                              QByteArray::number(qint64(m_settings.cacheHours) * 3600)},
                             &cacheError);
        if (!stored)
            qCDebug(lcMetadata).noquote() << "metadata cache unavailable:" << cacheError;
    }
    return doc.object();
}

QString TmdbProvider::imageUrl(const QJsonValue &path) const
{
    const QString p = path.toString().trimmed();
    if (p.isEmpty())
        return {};
    return m_settings.imageBaseUrl + (p.startsWith(QLatin1Char('/')) ? p : QLatin1Char('/') + p);
}

QList<MetadataCandidate> TmdbProvider::candidatesFromJson(const QString &itemType,
                                                          const QJsonArray &results)
{
    const bool tv = itemType == QLatin1String("series");
    QList<MetadataCandidate> out;
    for (const QJsonValue &v : results) {
        const QJsonObject o = v.toObject();
        MetadataCandidate c;
        c.id = idText(o.value(QStringLiteral("id")));
        c.title = nonEmpty(o, tv ? "name" : "title");
        c.originalTitle = nonEmpty(o, tv ? "original_name" : "original_title");
        const QDate date =
            QDate::fromString(nonEmpty(o, tv ? "first_air_date" : "release_date"), Qt::ISODate);
        if (date.isValid())
            c.year = date.year();
        c.popularity = o.value(QStringLiteral("popularity")).toDouble();
        c.overview = nonEmpty(o, "overview");
        if (!c.id.isEmpty() && !c.title.isEmpty())
            out << c;
    }
    return out;
}

ProviderResult<QList<MetadataCandidate>>
TmdbProvider::search(const QString &itemType, const QString &title, std::optional<int> year)
{
    const bool tv = itemType == QLatin1String("series");
    if (!tv && itemType != QLatin1String("movie"))
        return makeError(ProviderError::Kind::Rejected,
                         QStringLiteral("TMDb search: unsupported item type \"%1\"").arg(itemType));
    const QString q = title.simplified();
    if (q.isEmpty())
        return makeError(ProviderError::Kind::Rejected, QStringLiteral("TMDb search: empty title"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("query"), q);
    query.addQueryItem(QStringLiteral("include_adult"), QStringLiteral("false"));
    if (year)
        query.addQueryItem(tv ? QStringLiteral("first_air_date_year") : QStringLiteral("year"),
                           QString::number(*year));
    auto r = get(tv ? QStringLiteral("/search/tv") : QStringLiteral("/search/movie"), query);
    if (!r.ok())
        return r.error();
    const QJsonValue results = r.value().value(QStringLiteral("results"));
    if (!results.isArray())
        return makeError(ProviderError::Kind::InvalidResponse,
                         QStringLiteral("TMDb search: the answer has no \"results\" array"), 200);
    return candidatesFromJson(itemType, results.toArray());
}

ProviderResult<QList<MetadataCandidate>>
TmdbProvider::findByExternalId(const QString &itemType, const QString &source, const QString &id)
{
    static const QMap<QString, QString> sources{
        {QStringLiteral("imdb"), QStringLiteral("imdb_id")},
        {QStringLiteral("tvdb"), QStringLiteral("tvdb_id")}};
    if (!sources.contains(source))
        return makeError(ProviderError::Kind::Rejected,
                         QStringLiteral("TMDb find: unsupported id source \"%1\"").arg(source));
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    if (!safe.match(id).hasMatch())
        return makeError(
            ProviderError::Kind::Rejected,
            QStringLiteral("TMDb find: malformed %1 id \"%2\"").arg(source, id.left(80)));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("external_source"), sources.value(source));
    auto r = get(QStringLiteral("/find/") + id, query);
    if (!r.ok())
        return r.error();
    const bool tv = itemType == QLatin1String("series");
    return candidatesFromJson(
        itemType, r.value()
                      .value(tv ? QStringLiteral("tv_results") : QStringLiteral("movie_results"))
                      .toArray());
}

ProviderResult<MediaMetadata> TmdbProvider::details(const QString &itemType, const QString &id)
{
    const bool tv = itemType == QLatin1String("series");
    if (!tv && itemType != QLatin1String("movie"))
        return makeError(
            ProviderError::Kind::Rejected,
            QStringLiteral("TMDb details: unsupported item type \"%1\"").arg(itemType));
    static const QRegularExpression numeric(QStringLiteral("^[0-9]{1,12}$"));
    if (!numeric.match(id).hasMatch())
        return makeError(ProviderError::Kind::Rejected,
                         QStringLiteral("TMDb details: malformed tmdb id \"%1\"").arg(id.left(80)));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("append_to_response"),
                       tv ? QStringLiteral("credits,external_ids,content_ratings,images")
                          : QStringLiteral("credits,images,external_ids,release_dates"));
    // Images in the configured language plus language-neutral ones (TMDb filters by language).
    const QString lang = m_settings.language.section(QLatin1Char('-'), 0, 0);
    query.addQueryItem(QStringLiteral("include_image_language"),
                       lang.isEmpty() ? QStringLiteral("null") : lang + QStringLiteral(",null"));
    auto r = get((tv ? QStringLiteral("/tv/") : QStringLiteral("/movie/")) + id, query);
    if (!r.ok())
        return r.error();
    if (idText(r.value().value(QStringLiteral("id"))).isEmpty())
        return makeError(ProviderError::Kind::InvalidResponse,
                         QStringLiteral("TMDb %1/%2: the answer has no id").arg(itemType, id), 200);
    return tv ? seriesFromJson(r.value()) : movieFromJson(r.value());
}

ProviderResult<MediaMetadata> TmdbProvider::episode(const QString &seriesId, int season,
                                                    int episode)
{
    static const QRegularExpression numeric(QStringLiteral("^[0-9]{1,12}$"));
    if (!numeric.match(seriesId).hasMatch() || season < 0 || episode < 0)
        return makeError(ProviderError::Kind::Rejected,
                         QStringLiteral("TMDb episode: malformed request (series \"%1\", season "
                                        "%2, episode %3)")
                             .arg(seriesId.left(80))
                             .arg(season)
                             .arg(episode));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("append_to_response"),
                       QStringLiteral("credits,external_ids"));
    auto r =
        get(QStringLiteral("/tv/%1/season/%2/episode/%3").arg(seriesId).arg(season).arg(episode),
            query);
    if (!r.ok())
        return r.error();
    return episodeFromJson(r.value());
}

void TmdbProvider::addCredits(MediaMetadata &m, const QJsonObject &credits, bool guestStars) const
{
    auto person = [&](const QJsonObject &o, const QString &role) {
        PersonCredit p;
        p.name = nonEmpty(o, "name");
        p.role = role;
        p.imageUrl = imageUrl(o.value(QStringLiteral("profile_path")));
        const QString id = idText(o.value(QStringLiteral("id")));
        if (!id.isEmpty())
            p.externalIds.insert(QStringLiteral("tmdb"), id);
        return p;
    };
    auto addCast = [&](const QJsonArray &cast, const QString &role) {
        QList<QJsonObject> sorted;
        for (const QJsonValue &v : cast)
            sorted << v.toObject();
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const QJsonObject &a, const QJsonObject &b) {
                             return a.value(QStringLiteral("order")).toInt() <
                                    b.value(QStringLiteral("order")).toInt();
                         });
        int n = 0;
        for (const QJsonObject &o : sorted) {
            if (n >= m_settings.castLimit)
                break;
            PersonCredit p = person(o, role);
            if (p.name.isEmpty())
                continue;
            p.character = nonEmpty(o, "character");
            p.order = o.value(QStringLiteral("order")).toInt(n);
            m.credits << p;
            ++n;
        }
    };
    addCast(credits.value(QStringLiteral("cast")).toArray(), QStringLiteral("actor"));
    if (guestStars)
        addCast(credits.value(QStringLiteral("guest_stars")).toArray(),
                QStringLiteral("guest_star"));
    QSet<QString> seen; // one credit per person and role (TMDb lists "Screenplay" and "Story")
    int order = 0;
    for (const QJsonValue &v : credits.value(QStringLiteral("crew")).toArray()) {
        const QJsonObject o = v.toObject();
        const QString job = nonEmpty(o, "job");
        QString role;
        if (job == QLatin1String("Director"))
            role = QStringLiteral("director");
        else if (job == QLatin1String("Producer"))
            role = QStringLiteral("producer");
        else if (job == QLatin1String("Original Music Composer") || job == QLatin1String("Music"))
            role = QStringLiteral("composer");
        else
            role = writerJob(job);
        if (role.isEmpty())
            continue;
        PersonCredit p = person(o, role);
        if (p.name.isEmpty() || seen.contains(role + QLatin1Char('\n') + p.name))
            continue;
        seen.insert(role + QLatin1Char('\n') + p.name);
        p.order = order++;
        m.credits << p;
    }
}

MediaMetadata TmdbProvider::movieFromJson(const QJsonObject &j) const
{
    MediaMetadata m;
    m.source = QStringLiteral("tmdb");
    setIfNonEmpty(m.title, nonEmpty(j, "title"));
    setIfNonEmpty(m.originalTitle, nonEmpty(j, "original_title"));
    setIfNonEmpty(m.overview, nonEmpty(j, "overview"));
    setIfNonEmpty(m.tagline, nonEmpty(j, "tagline"));
    setDate(m, j, "release_date");
    setRuntime(m, j.value(QStringLiteral("runtime")).toInt());
    setRating(m, j);
    addGenres(m, j);
    addCredits(m, j.value(QStringLiteral("credits")).toObject(), false);
    addExternalIds(m, j, {{"imdb_id", "imdb"}, {"wikidata_id", "wikidata"}});
    // Movies also carry their IMDb id at top level; it wins.
    if (const QString imdb = idText(j.value(QStringLiteral("imdb_id"))); !imdb.isEmpty())
        m.externalIds.insert(QStringLiteral("imdb"), imdb);

    // Certification for our region: the theatrical release (type 3) when it has one.
    const QString wanted = region();
    for (const QJsonValue &country : j.value(QStringLiteral("release_dates"))
                                         .toObject()
                                         .value(QStringLiteral("results"))
                                         .toArray()) {
        const QJsonObject c = country.toObject();
        if (c.value(QStringLiteral("iso_3166_1")).toString() != wanted)
            continue;
        QString any;
        for (const QJsonValue &rd : c.value(QStringLiteral("release_dates")).toArray()) {
            const QString cert = nonEmpty(rd.toObject(), "certification");
            if (cert.isEmpty())
                continue;
            if (rd.toObject().value(QStringLiteral("type")).toInt() == 3) {
                any = cert;
                break;
            }
            if (any.isEmpty())
                any = cert;
        }
        setIfNonEmpty(m.contentRating, any);
    }

    addImages(m, j, {{"posters", "poster"}, {"backdrops", "backdrop"}, {"logos", "logo"}});
    return m;
}

// The primary poster and backdrop first, then the named blocks of `images`; each URL once,
// ordered within its kind.
void TmdbProvider::addImages(
    MediaMetadata &m, const QJsonObject &j,
    std::initializer_list<std::pair<const char *, const char *>> blocks) const
{
    QSet<QString> seen;
    auto add = [&](const QString &kind, const QJsonValue &path) {
        const QString url = imageUrl(path);
        if (url.isEmpty() || seen.contains(url))
            return;
        seen.insert(url);
        const int order = int(std::count_if(m.images.cbegin(), m.images.cend(),
                                            [&](const ImageRef &i) { return i.kind == kind; }));
        m.images << ImageRef{kind, url, {}, order};
    };
    add(QStringLiteral("poster"), j.value(QStringLiteral("poster_path")));
    add(QStringLiteral("backdrop"), j.value(QStringLiteral("backdrop_path")));
    const QJsonObject images = j.value(QStringLiteral("images")).toObject();
    for (const auto &[block, kind] : blocks)
        for (const QJsonValue &v : images.value(QLatin1String(block)).toArray())
            add(QLatin1String(kind), v.toObject().value(QStringLiteral("file_path")));
}

MediaMetadata TmdbProvider::seriesFromJson(const QJsonObject &j) const
{
    MediaMetadata m;
    m.source = QStringLiteral("tmdb");
    setIfNonEmpty(m.title, nonEmpty(j, "name"));
    setIfNonEmpty(m.originalTitle, nonEmpty(j, "original_name"));
    setIfNonEmpty(m.overview, nonEmpty(j, "overview"));
    setIfNonEmpty(m.tagline, nonEmpty(j, "tagline"));
    setDate(m, j, "first_air_date");
    const QJsonArray runtimes = j.value(QStringLiteral("episode_run_time")).toArray();
    if (!runtimes.isEmpty())
        setRuntime(m, runtimes.first().toInt());
    setRating(m, j);
    addGenres(m, j);
    int order = 0;
    for (const QJsonValue &v : j.value(QStringLiteral("created_by")).toArray()) {
        const QJsonObject o = v.toObject();
        PersonCredit p;
        p.name = nonEmpty(o, "name");
        p.role = QStringLiteral("creator");
        p.order = order++;
        p.imageUrl = imageUrl(o.value(QStringLiteral("profile_path")));
        if (const QString id = idText(o.value(QStringLiteral("id"))); !id.isEmpty())
            p.externalIds.insert(QStringLiteral("tmdb"), id);
        if (!p.name.isEmpty())
            m.credits << p;
    }
    addCredits(m, j.value(QStringLiteral("credits")).toObject(), false);
    addExternalIds(m, j, {{"imdb_id", "imdb"}, {"tvdb_id", "tvdb"}});

    const QString wanted = region();
    for (const QJsonValue &v : j.value(QStringLiteral("content_ratings"))
                                   .toObject()
                                   .value(QStringLiteral("results"))
                                   .toArray())
        if (v.toObject().value(QStringLiteral("iso_3166_1")).toString() == wanted)
            setIfNonEmpty(m.contentRating, nonEmpty(v.toObject(), "rating"));

    addImages(m, j, {{"backdrops", "backdrop"}});
    return m;
}

MediaMetadata TmdbProvider::episodeFromJson(const QJsonObject &j) const
{
    MediaMetadata m;
    m.source = QStringLiteral("tmdb");
    setIfNonEmpty(m.title, nonEmpty(j, "name"));
    setIfNonEmpty(m.overview, nonEmpty(j, "overview"));
    setDate(m, j, "air_date");
    setRuntime(m, j.value(QStringLiteral("runtime")).toInt());
    setRating(m, j);
    // The episode object carries its crew and guest stars at top level.
    QJsonObject credits = j.value(QStringLiteral("credits")).toObject();
    if (credits.isEmpty()) {
        credits.insert(QStringLiteral("crew"), j.value(QStringLiteral("crew")));
        credits.insert(QStringLiteral("guest_stars"), j.value(QStringLiteral("guest_stars")));
    } else if (!credits.contains(QStringLiteral("guest_stars"))) {
        credits.insert(QStringLiteral("guest_stars"), j.value(QStringLiteral("guest_stars")));
    }
    addCredits(m, credits, true);
    addExternalIds(m, j, {{"imdb_id", "imdb"}, {"tvdb_id", "tvdb"}});
    if (const QString still = imageUrl(j.value(QStringLiteral("still_path"))); !still.isEmpty())
        m.images << ImageRef{QStringLiteral("thumb"), still, {}, 0};
    return m;
}

} // namespace Revenge
