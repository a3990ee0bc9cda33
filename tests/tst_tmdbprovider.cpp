#include "FakeTmdb.h"
#include "TestRedis.h"
#include "cache/RateLimiter.h"
#include "cache/RedisClient.h"
#include "library/metadata/TitleMatcher.h"
#include "library/metadata/TmdbProvider.h"

#include <QTcpServer>
#include <QThread>
#include <QtTest>
#include <algorithm>
#include <cmath>

using namespace Revenge;
using namespace Revenge::Test;

// TmdbProvider against FakeTmdb (TMDb v3 shapes): search, match, details mapping, auth, every
// error class, the cache (real redis-server, and without it) and the request rate limit.
class TestTmdbProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void searchMatchAndMovieDetails();
    void remakeAndForeignTitleSearch();
    void bearerTokenIsSentAsHeader();
    void seriesAndEpisode();
    void findByImdbId();
    void errors();
    void timeout();
    void disabledAndBadInput();
    void cacheServesRepeatedRequests();
    void cacheDownStillWorks();
    void limiterKeepsTheRateAtTheServer();
    void limiterSharedAcrossInstancesThroughTheCache();
    void noTokenSoonIsRateLimited();

private:
    TmdbSettings settings(const QString &key = QString::fromLatin1(FakeTmdb::kApiKey)) const;
    // Every prefix of the arrivals stays within burst + rate * elapsed (+ slack requests).
    void verifyRateBound(const QList<FakeTmdb::Request> &requests, double rate, int burst,
                         int slack);

    std::unique_ptr<FakeTmdb> m_fake;
    TestRedis m_redis;
    std::unique_ptr<RedisClient> m_cache;
};

void TestTmdbProvider::initTestCase()
{
    m_fake = std::make_unique<FakeTmdb>();
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    m_cache = std::make_unique<RedisClient>(m_redis.endpoint());
}

void TestTmdbProvider::init()
{
    m_fake->resetRequests();
    m_fake->failNextRequests(0, 200);
    m_fake->sendBadJsonNext(0);
    m_fake->setDelayMs(0);
    m_fake->setRateLimit(0, 1);
    if (m_cache)
        m_cache->command({"FLUSHALL"});
}

TmdbSettings TestTmdbProvider::settings(const QString &key) const
{
    TmdbSettings s;
    s.baseUrl = m_fake->baseUrl();
    s.imageBaseUrl = QStringLiteral("https://image.tmdb.org/t/p/original");
    s.apiKey = key;
    s.requestsPerSecond = 1000; // not under test here
    s.burst = 1000;
    s.timeoutMs = 5000;
    return s;
}

void TestTmdbProvider::searchMatchAndMovieDetails()
{
    TmdbProvider tmdb(settings(), nullptr, nullptr);
    QVERIFY(tmdb.isEnabled());
    const auto found = tmdb.search(QStringLiteral("movie"), QStringLiteral("The Matrix"), 1999);
    QVERIFY2(found.ok(), qPrintable(found.error().message));
    const FakeTmdb::Request search = m_fake->lastRequest();
    QCOMPARE(search.path, QStringLiteral("/3/search/movie"));
    QCOMPARE(search.params.value(QStringLiteral("query")), QStringLiteral("The Matrix"));
    QCOMPARE(search.params.value(QStringLiteral("year")), QStringLiteral("1999"));
    QCOMPARE(search.params.value(QStringLiteral("api_key")),
             QString::fromLatin1(FakeTmdb::kApiKey));
    QCOMPARE(search.params.value(QStringLiteral("language")), QStringLiteral("en-US"));
    QVERIFY(!search.headers.contains("authorization"));
    QCOMPARE(found.value().size(), 1);
    const MetadataCandidate c = found.value().first();
    QCOMPARE(c.id, QStringLiteral("603"));
    QCOMPARE(c.year, 1999);

    const auto all = tmdb.search(QStringLiteral("movie"), QStringLiteral("Matrix"), std::nullopt);
    QVERIFY(all.ok());
    QCOMPARE(all.value().size(), 2); // with the sequel
    const auto match = TitleMatcher::bestMatch(QStringLiteral("The Matrix"), 1999, all.value());
    QVERIFY(match);
    QCOMPARE(all.value().at(match->index).id, QStringLiteral("603"));

    const auto details = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
    QVERIFY2(details.ok(), qPrintable(details.error().message));
    const FakeTmdb::Request detailRequest = m_fake->lastRequest();
    QCOMPARE(detailRequest.path, QStringLiteral("/3/movie/603"));
    QCOMPARE(detailRequest.params.value(QStringLiteral("append_to_response")),
             QStringLiteral("credits,images,external_ids,release_dates"));
    const MediaMetadata &m = details.value();
    QCOMPARE(m.source, QStringLiteral("tmdb"));
    QCOMPARE(m.title, QStringLiteral("The Matrix"));
    QCOMPARE(m.originalTitle, QStringLiteral("The Matrix"));
    QCOMPARE(m.year, 1999);
    QCOMPARE(m.releaseDate, QDate(1999, 3, 31));
    QCOMPARE(m.runtimeMinutes, 136);
    QCOMPARE(m.tagline, QStringLiteral("Welcome to the Real World."));
    QVERIFY(m.overview->startsWith(QLatin1String("Set in the 22nd century")));
    QCOMPARE(m.rating, 8.2);
    QCOMPARE(m.contentRating, QStringLiteral("R")); // US theatrical, not the premiere's ""
    QCOMPARE(m.genres, (QStringList{QStringLiteral("Action"), QStringLiteral("Science Fiction")}));
    QCOMPARE(m.externalIds.value(QStringLiteral("tmdb")), QStringLiteral("603"));
    QCOMPARE(m.externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0133093"));

    // Cast in billing order (the fixture lists them out of order), with characters.
    QList<PersonCredit> actors;
    QStringList directors, writers, composers;
    for (const PersonCredit &p : m.credits) {
        if (p.role == QLatin1String("actor"))
            actors << p;
        else if (p.role == QLatin1String("director"))
            directors << p.name;
        else if (p.role == QLatin1String("writer"))
            writers << p.name;
        else if (p.role == QLatin1String("composer"))
            composers << p.name;
        else
            QFAIL(qPrintable(QStringLiteral("unexpected role %1 for %2").arg(p.role, p.name)));
    }
    QCOMPARE(actors.size(), 4);
    QCOMPARE(actors.at(0).name, QStringLiteral("Keanu Reeves"));
    QCOMPARE(actors.at(0).character, QStringLiteral("Thomas A. Anderson / Neo"));
    QCOMPARE(actors.at(0).order, 0);
    QCOMPARE(actors.at(0).externalIds.value(QStringLiteral("tmdb")), QStringLiteral("6384"));
    QCOMPARE(actors.at(0).imageUrl,
             QStringLiteral("https://image.tmdb.org/t/p/original/4D0PpNI0kmP58hgrwGC3wCjxhnm.jpg"));
    QCOMPARE(actors.at(1).name, QStringLiteral("Laurence Fishburne"));
    QCOMPARE(actors.at(2).character, QStringLiteral("Trinity"));
    QCOMPARE(directors,
             (QStringList{QStringLiteral("Lana Wachowski"), QStringLiteral("Lilly Wachowski")}));
    QCOMPARE(writers,
             (QStringList{QStringLiteral("Lana Wachowski"), QStringLiteral("Lilly Wachowski")}));
    QCOMPARE(composers, QStringList{QStringLiteral("Don Davis")}); // not the cinematographer

    // Images: the primary poster and backdrop first, no duplicates.
    QStringList posters, backdrops, logos;
    for (const ImageRef &i : m.images) {
        QVERIFY(i.path.isEmpty());
        (i.kind == QLatin1String("poster")     ? posters
         : i.kind == QLatin1String("backdrop") ? backdrops
                                               : logos)
            << i.url;
    }
    QCOMPARE(posters.value(0),
             QStringLiteral("https://image.tmdb.org/t/p/original/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg"));
    QCOMPARE(posters.size(), 2);
    QCOMPARE(backdrops.value(0),
             QStringLiteral("https://image.tmdb.org/t/p/original/l4QHerTSbMI7qgvasqxP36pqjN6.jpg"));
    QCOMPARE(backdrops.size(), 5);
    QCOMPARE(logos.size(), 1);
}

void TestTmdbProvider::remakeAndForeignTitleSearch()
{
    TmdbProvider tmdb(settings(), nullptr, nullptr);
    const auto dune = tmdb.search(QStringLiteral("movie"), QStringLiteral("Dune"), std::nullopt);
    QVERIFY(dune.ok());
    QCOMPARE(dune.value().size(), 2);
    for (const auto &[year, id] : {std::pair{1984, "841"}, std::pair{2021, "438631"}}) {
        const auto m = TitleMatcher::bestMatch(QStringLiteral("Dune"), year, dune.value());
        QVERIFY(m);
        QCOMPARE(dune.value().at(m->index).id, QString::fromLatin1(id));
    }
    // The fake, like TMDb, filters by year.
    const auto dune84 = tmdb.search(QStringLiteral("movie"), QStringLiteral("Dune"), 1984);
    QVERIFY(dune84.ok());
    QCOMPARE(dune84.value().size(), 1);
    QCOMPARE(dune84.value().first().id, QStringLiteral("841"));

    const auto amelie = tmdb.search(QStringLiteral("movie"),
                                    QStringLiteral("Le Fabuleux Destin d'Amélie Poulain"), 2001);
    QVERIFY(amelie.ok());
    QCOMPARE(amelie.value().size(), 1);
    QCOMPARE(amelie.value().first().originalTitle,
             QStringLiteral("Le Fabuleux Destin d'Amélie Poulain"));
    QVERIFY(TitleMatcher::bestMatch(QStringLiteral("Le Fabuleux Destin d'Amelie Poulain"), 2001,
                                    amelie.value()));
    const auto details = tmdb.details(QStringLiteral("movie"), QStringLiteral("194"));
    QVERIFY(details.ok());
    QCOMPARE(details.value().title, QStringLiteral("Amélie"));
    QVERIFY(!details.value().contentRating); // no US certification in the fixture
}

void TestTmdbProvider::bearerTokenIsSentAsHeader()
{
    TmdbProvider tmdb(settings(QString::fromLatin1(FakeTmdb::kBearerToken)), nullptr, nullptr);
    const auto details = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
    QVERIFY2(details.ok(), qPrintable(details.error().message));
    const FakeTmdb::Request r = m_fake->lastRequest();
    QCOMPARE(r.headers.value("authorization"), QByteArray("Bearer ") + FakeTmdb::kBearerToken);
    QVERIFY(!r.params.contains(QStringLiteral("api_key")));
}

void TestTmdbProvider::seriesAndEpisode()
{
    TmdbProvider tmdb(settings(), nullptr, nullptr);
    const auto found = tmdb.search(QStringLiteral("series"), QStringLiteral("Breaking Bad"), 2008);
    QVERIFY2(found.ok(), qPrintable(found.error().message));
    QCOMPARE(m_fake->lastRequest().path, QStringLiteral("/3/search/tv"));
    QCOMPARE(m_fake->lastRequest().params.value(QStringLiteral("first_air_date_year")),
             QStringLiteral("2008"));
    QCOMPARE(found.value().size(), 1);
    QCOMPARE(found.value().first().id, QStringLiteral("1396"));
    QCOMPARE(found.value().first().year, 2008);

    const auto series = tmdb.details(QStringLiteral("series"), QStringLiteral("1396"));
    QVERIFY2(series.ok(), qPrintable(series.error().message));
    QCOMPARE(m_fake->lastRequest().path, QStringLiteral("/3/tv/1396"));
    const MediaMetadata &s = series.value();
    QCOMPARE(s.title, QStringLiteral("Breaking Bad"));
    QCOMPARE(s.releaseDate, QDate(2008, 1, 20));
    QCOMPARE(s.runtimeMinutes, 45);
    QCOMPARE(s.contentRating, QStringLiteral("TV-MA"));
    QCOMPARE(s.externalIds.value(QStringLiteral("tvdb")), QStringLiteral("81189")); // a number
    QCOMPARE(s.externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0903747"));
    QCOMPARE(s.credits.first().role, QStringLiteral("creator"));
    QCOMPARE(s.credits.first().name, QStringLiteral("Vince Gilligan"));
    QVERIFY(std::any_of(s.credits.cbegin(), s.credits.cend(), [](const PersonCredit &p) {
        return p.name == QLatin1String("Bryan Cranston") &&
               p.character == QLatin1String("Walter White");
    }));

    const auto episode = tmdb.episode(QStringLiteral("1396"), 1, 1);
    QVERIFY2(episode.ok(), qPrintable(episode.error().message));
    QCOMPARE(m_fake->lastRequest().path, QStringLiteral("/3/tv/1396/season/1/episode/1"));
    const MediaMetadata &e = episode.value();
    QCOMPARE(e.title, QStringLiteral("Pilot"));
    QCOMPARE(e.releaseDate, QDate(2008, 1, 20));
    QCOMPARE(e.runtimeMinutes, 58);
    QCOMPARE(e.externalIds.value(QStringLiteral("tmdb")), QStringLiteral("62085"));
    QCOMPARE(e.images.size(), 1);
    QCOMPARE(e.images.first().kind, QStringLiteral("thumb"));
    QVERIFY(std::any_of(e.credits.cbegin(), e.credits.cend(), [](const PersonCredit &p) {
        return p.role == QLatin1String("guest_star") && p.name == QLatin1String("Marius Stan") &&
               p.character == QLatin1String("Bogdan Wolynetz");
    }));
    // Director and writer once each, although TMDb lists the crew twice.
    QCOMPARE(
        std::count_if(e.credits.cbegin(), e.credits.cend(),
                      [](const PersonCredit &p) { return p.role == QLatin1String("director"); }),
        1);

    const auto missing = tmdb.episode(QStringLiteral("1396"), 9, 9);
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind, ProviderError::Kind::NotFound);
}

void TestTmdbProvider::findByImdbId()
{
    TmdbProvider tmdb(settings(), nullptr, nullptr);
    const auto movie = tmdb.findByExternalId(QStringLiteral("movie"), QStringLiteral("imdb"),
                                             QStringLiteral("tt0133093"));
    QVERIFY2(movie.ok(), qPrintable(movie.error().message));
    QCOMPARE(m_fake->lastRequest().path, QStringLiteral("/3/find/tt0133093"));
    QCOMPARE(m_fake->lastRequest().params.value(QStringLiteral("external_source")),
             QStringLiteral("imdb_id"));
    QCOMPARE(movie.value().size(), 1);
    QCOMPARE(movie.value().first().id, QStringLiteral("603"));
    const auto tv = tmdb.findByExternalId(QStringLiteral("series"), QStringLiteral("imdb"),
                                          QStringLiteral("tt0903747"));
    QVERIFY(tv.ok());
    QCOMPARE(tv.value().first().id, QStringLiteral("1396"));
    const auto none = tmdb.findByExternalId(QStringLiteral("movie"), QStringLiteral("imdb"),
                                            QStringLiteral("tt9999999"));
    QVERIFY(none.ok());
    QVERIFY(none.value().isEmpty());
    // An id that could smuggle a path or a query is refused before any request.
    const int before = m_fake->requestCount();
    const auto bad = tmdb.findByExternalId(QStringLiteral("movie"), QStringLiteral("imdb"),
                                           QStringLiteral("../movie/603?x=1"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().kind, ProviderError::Kind::Rejected);
    QCOMPARE(m_fake->requestCount(), before);
}

void TestTmdbProvider::errors()
{
    TmdbProvider tmdb(settings(), nullptr, nullptr);

    // 401: TMDb's body, and a message that names the setting.
    TmdbProvider wrongKey(settings(QStringLiteral("wrong")), nullptr, nullptr);
    auto r = wrongKey.details(QStringLiteral("movie"), QStringLiteral("603"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ProviderError::Kind::Unauthorized);
    QCOMPARE(r.error().httpStatus, 401);
    QVERIFY2(r.error().message.contains(QLatin1String("metadata.api_key rejected")),
             qPrintable(r.error().message));
    QVERIFY(r.error().message.contains(QLatin1String("Invalid API key")));
    QVERIFY(!r.error().message.contains(QLatin1String("wrong"))); // never the key itself

    r = tmdb.details(QStringLiteral("movie"), QStringLiteral("999999"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ProviderError::Kind::NotFound);
    QVERIFY(r.error().message.contains(QLatin1String("could not be found")));

    m_fake->failNextRequests(1, 429, 7);
    r = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
    QCOMPARE(r.error().kind, ProviderError::Kind::RateLimited);
    QCOMPARE(r.error().retryAfter, std::chrono::milliseconds(7000));

    m_fake->failNextRequests(1, 503);
    r = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
    QCOMPARE(r.error().kind, ProviderError::Kind::Transient);
    QCOMPARE(r.error().httpStatus, 503);

    m_fake->sendBadJsonNext(1);
    r = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
    QCOMPARE(r.error().kind, ProviderError::Kind::InvalidResponse);
    QVERIFY2(r.error().message.contains(QLatin1String("invalid JSON")),
             qPrintable(r.error().message));

    // 422 for an empty query: refused before sending.
    const auto empty = tmdb.search(QStringLiteral("movie"), QStringLiteral("   "), std::nullopt);
    QCOMPARE(empty.error().kind, ProviderError::Kind::Rejected);

    // Nothing listening.
    TmdbSettings closed = settings();
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closed.baseUrl = QStringLiteral("http://127.0.0.1:%1/3").arg(probe.serverPort());
    }
    TmdbProvider nowhere(closed, nullptr, nullptr);
    r = nowhere.details(QStringLiteral("movie"), QStringLiteral("603"));
    QCOMPARE(r.error().kind, ProviderError::Kind::Transient);

    // After all that, the provider still works.
    QVERIFY(tmdb.details(QStringLiteral("movie"), QStringLiteral("603")).ok());
}

void TestTmdbProvider::timeout()
{
    TmdbSettings s = settings();
    s.timeoutMs = 300;
    TmdbProvider tmdb(s, nullptr, nullptr);
    m_fake->setDelayMs(3000);
    const auto r = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ProviderError::Kind::Transient);
    QVERIFY2(r.error().message.contains(QLatin1String("timed out after 300 ms")),
             qPrintable(r.error().message));
    m_fake->setDelayMs(0);
}

void TestTmdbProvider::disabledAndBadInput()
{
    const int before = m_fake->requestCount();
    TmdbProvider noKey(settings(QString()), nullptr, nullptr);
    QString why;
    QVERIFY(!noKey.isEnabled(&why));
    QVERIFY2(why.contains(QLatin1String("metadata.api_key")), qPrintable(why));
    QCOMPARE(noKey.details(QStringLiteral("movie"), QStringLiteral("603")).error().kind,
             ProviderError::Kind::Disabled);

    TmdbSettings none = settings();
    none.enabled = false;
    TmdbProvider off(none, nullptr, nullptr);
    QVERIFY(!off.isEnabled(&why));
    QVERIFY(why.contains(QLatin1String("none")));

    TmdbSettings badUrl = settings();
    badUrl.baseUrl = QStringLiteral("ftp://example.org/3");
    QVERIFY(!TmdbProvider(badUrl, nullptr, nullptr).isEnabled(&why));
    QVERIFY(why.contains(QLatin1String("base_url")));

    TmdbSettings badRate = settings();
    badRate.requestsPerSecond = 0;
    QVERIFY(!TmdbProvider(badRate, nullptr, nullptr).isEnabled(&why));
    QVERIFY(why.contains(QLatin1String("rate limit")));

    TmdbProvider tmdb(settings(), nullptr, nullptr);
    QCOMPARE(tmdb.details(QStringLiteral("movie"), QStringLiteral("603/../../x")).error().kind,
             ProviderError::Kind::Rejected);
    QCOMPARE(tmdb.details(QStringLiteral("music_album"), QStringLiteral("1")).error().kind,
             ProviderError::Kind::Rejected);
    QCOMPARE(tmdb.episode(QStringLiteral("1396"), -1, 1).error().kind,
             ProviderError::Kind::Rejected);
    QCOMPARE(m_fake->requestCount(), before);

    // Hostile search text is sent encoded and answered.
    const auto r =
        tmdb.search(QStringLiteral("movie"), QStringLiteral("a&b=c?d#e%f+g/h"), std::nullopt);
    QVERIFY2(r.ok(), qPrintable(r.error().message));
    QCOMPARE(m_fake->lastRequest().params.value(QStringLiteral("query")),
             QStringLiteral("a&b=c?d#e%f+g/h"));
}

void TestTmdbProvider::cacheServesRepeatedRequests()
{
    TmdbSettings s = settings();
    s.cacheHours = 24;
    TmdbProvider tmdb(s, m_cache.get(), nullptr);
    QVERIFY(tmdb.details(QStringLiteral("movie"), QStringLiteral("603")).ok());
    QCOMPARE(m_fake->requestCount(), 1);
    const auto again = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
    QVERIFY(again.ok());
    QCOMPARE(again.value().title, QStringLiteral("The Matrix"));
    QCOMPARE(m_fake->requestCount(), 1); // from the cache

    // Another instance (another process) with another key shares the answer; the key is not
    // part of the cache key, nor stored.
    TmdbProvider other(settings(QString::fromLatin1(FakeTmdb::kBearerToken)), m_cache.get(),
                       nullptr);
    QVERIFY(other.details(QStringLiteral("movie"), QStringLiteral("603")).ok());
    QCOMPARE(m_fake->requestCount(), 1);
    const QUrlQuery q;
    QCOMPARE(tmdb.cacheKey(QStringLiteral("/movie/603"), q),
             other.cacheKey(QStringLiteral("/movie/603"), q));
    const auto keys = m_cache->command({"KEYS", "revenge:metadata:tmdb:*"});
    QVERIFY(keys);
    QCOMPARE(keys->elements.size(), 1);
    const auto ttl = m_cache->command({"TTL", keys->elements.first().string});
    QVERIFY(ttl && ttl->integer > 23 * 3600 && ttl->integer <= 24 * 3600);
    const auto value = m_cache->command({"GET", keys->elements.first().string});
    QVERIFY(!value->string.contains(FakeTmdb::kApiKey));

    // Errors are not cached.
    QVERIFY(!tmdb.details(QStringLiteral("movie"), QStringLiteral("999999")).ok());
    QVERIFY(!tmdb.details(QStringLiteral("movie"), QStringLiteral("999999")).ok());
    QCOMPARE(m_fake->requestCount(), 3);
    m_fake->sendBadJsonNext(1);
    QVERIFY(!tmdb.details(QStringLiteral("movie"), QStringLiteral("604")).ok());
    QVERIFY(tmdb.details(QStringLiteral("movie"), QStringLiteral("604")).ok());
    QCOMPARE(m_fake->requestCount(), 5);
    // A different question is a different entry (language is part of the key).
    TmdbSettings german = s;
    german.language = QStringLiteral("de-DE");
    TmdbProvider de(german, m_cache.get(), nullptr);
    QVERIFY(de.details(QStringLiteral("movie"), QStringLiteral("603")).ok());
    QCOMPARE(m_fake->requestCount(), 6);
    QCOMPARE(de.details(QStringLiteral("movie"), QStringLiteral("603")).value().contentRating,
             QStringLiteral("16"));
    QCOMPARE(m_fake->requestCount(), 6);

    // A corrupted cache entry is refetched, not trusted.
    m_cache->command({"SET", tmdb.cacheKey(QStringLiteral("/movie/605"), QUrlQuery()), "garbage"});
    QVERIFY(!tmdb.details(QStringLiteral("movie"), QStringLiteral("605")).ok()); // 404 upstream
}

void TestTmdbProvider::cacheDownStillWorks()
{
    TestRedis redis;
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    RedisClient cache(redis.endpoint());
    RateLimiter limiter(&cache);
    TmdbSettings s = settings();
    TmdbProvider tmdb(s, &cache, &limiter);
    QVERIFY(tmdb.details(QStringLiteral("movie"), QStringLiteral("603")).ok());
    QVERIFY(tmdb.details(QStringLiteral("movie"), QStringLiteral("603")).ok());
    QCOMPARE(m_fake->requestCount(), 1);

    redis.stop();
    for (int i = 0; i < 3; ++i) {
        const auto r = tmdb.details(QStringLiteral("movie"), QStringLiteral("603"));
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        QCOMPARE(r.value().title, QStringLiteral("The Matrix"));
    }
    QCOMPARE(m_fake->requestCount(), 4); // every call reached the server
    QVERIFY(limiter.isDegraded());       // limits went in-process
}

void TestTmdbProvider::verifyRateBound(const QList<FakeTmdb::Request> &requests, double rate,
                                       int burst, int slack)
{
    QVERIFY(!requests.isEmpty());
    QList<qint64> at;
    for (const FakeTmdb::Request &r : requests)
        at << r.atMs;
    std::sort(at.begin(), at.end());
    for (int i = 0; i < at.size(); ++i) {
        const double elapsed = double(at.at(i) - at.first()) / 1000.0;
        const double allowed = burst + rate * elapsed + slack;
        QVERIFY2(i + 1 <= allowed, qPrintable(QStringLiteral("%1 requests within %2 s, at most "
                                                             "%3 allowed")
                                                  .arg(i + 1)
                                                  .arg(elapsed)
                                                  .arg(allowed)));
    }
}

void TestTmdbProvider::limiterKeepsTheRateAtTheServer()
{
    // 30 requests from 3 threads through one provider: never more than burst + rate * elapsed
    // reach the server, and the server's own limit (same rate, 2 requests of slack for network
    // jitter) never has to answer 429.
    TmdbSettings s = settings();
    s.requestsPerSecond = 20;
    s.burst = 5;
    s.rateLimitWaitMs = 10000;
    TmdbProvider tmdb(s, nullptr, nullptr);
    m_fake->setRateLimit(20, 5 + 2);
    std::atomic<int> failures{0};
    QList<QThread *> threads;
    for (int t = 0; t < 3; ++t)
        threads << QThread::create([&, t] {
            for (int i = 0; i < 10; ++i) {
                // Distinct URLs (no cache here anyway): every call is a request.
                const auto r =
                    tmdb.search(QStringLiteral("movie"),
                                QStringLiteral("Matrix %1").arg(t * 10 + i), std::nullopt);
                if (!r.ok()) {
                    qWarning() << r.error().message;
                    ++failures;
                }
            }
        });
    for (QThread *t : threads)
        t->start();
    for (QThread *t : threads) {
        QVERIFY(t->wait(60000));
        delete t;
    }
    QCOMPARE(failures.load(), 0);
    QCOMPARE(m_fake->requestCount(), 30);
    QCOMPARE(m_fake->count(429), 0);
    // One request of slack: the bound starts at the first arrival, which may lag its token.
    verifyRateBound(m_fake->requests(), 20, 5, 1);
}

void TestTmdbProvider::limiterSharedAcrossInstancesThroughTheCache()
{
    // Two providers with their own limiters over one cache, as two processes of a cluster:
    // together they stay within one budget.
    RedisClient otherCache(m_redis.endpoint());
    RateLimiter limiterA(m_cache.get());
    RateLimiter limiterB(&otherCache);
    TmdbSettings s = settings();
    s.requestsPerSecond = 20;
    s.burst = 4;
    s.rateLimitWaitMs = 10000;
    s.cacheHours = 0;
    TmdbProvider a(s, m_cache.get(), &limiterA);
    TmdbProvider b(s, &otherCache, &limiterB);
    std::atomic<int> failures{0};
    auto run = [&](TmdbProvider *p) {
        return QThread::create([&, p] {
            for (int i = 0; i < 12; ++i)
                if (!p->details(QStringLiteral("movie"), QStringLiteral("603")).ok())
                    ++failures;
        });
    };
    QThread *ta = run(&a);
    QThread *tb = run(&b);
    ta->start();
    tb->start();
    QVERIFY(ta->wait(60000));
    QVERIFY(tb->wait(60000));
    delete ta;
    delete tb;
    QCOMPARE(failures.load(), 0);
    QCOMPARE(m_fake->requestCount(), 24);
    QVERIFY(!limiterA.isDegraded());
    verifyRateBound(m_fake->requests(), 20, 4, 1);
}

void TestTmdbProvider::noTokenSoonIsRateLimited()
{
    TmdbSettings s = settings();
    s.requestsPerSecond = 0.1; // one per 10 s
    s.burst = 1;
    s.rateLimitWaitMs = 200;
    TmdbProvider tmdb(s, nullptr, nullptr);
    QVERIFY(tmdb.details(QStringLiteral("movie"), QStringLiteral("603")).ok());
    const auto r = tmdb.details(QStringLiteral("movie"), QStringLiteral("604"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ProviderError::Kind::RateLimited);
    QVERIFY(r.error().retryAfter > std::chrono::milliseconds(200));
    QCOMPARE(m_fake->requestCount(), 1); // the second never left
}

QTEST_GUILESS_MAIN(TestTmdbProvider)
#include "tst_tmdbprovider.moc"
