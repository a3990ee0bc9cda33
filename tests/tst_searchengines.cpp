#include "FakeTypesense.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "search/Embedding.h"
#include "search/FallbackSearchBackend.h"
#include "search/PostgresSearchBackend.h"
#include "search/TypesenseSearchBackend.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// The Typesense engine against a server that speaks Typesense's documented API, and the
// fallback to the PostgreSQL engine when Typesense is away - both through SearchBackend.
class TestSearchEngines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void typesenseIndexesAndSearches();
    void typesenseFiltersAreQuoted();
    void typesenseRefusesUnquotableValues();
    void typesenseImportFailuresAreReported();
    void typesenseTyposPrefixAndPagesAreAskedFor();
    void typesenseSimilarity();
    void fallbackAnswersWhenTypesenseIsDown();
    void adultIsolationAndBadRequestsThroughTheInterface();

private:
    static QList<SearchDocument> catalogue();
    TypesenseSettings settings() const;

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<FakeTypesense> m_typesense;
    int m_db = 0;
};

void TestSearchEngines::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
}

void TestSearchEngines::init()
{
    m_pool = std::make_shared<DatabasePool>(
        m_pg.createDatabase(QStringLiteral("search_%1").arg(++m_db)), 4);
    auto lease = m_pool->acquire();
    QString error;
    QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    m_typesense = std::make_unique<FakeTypesense>();
}

TypesenseSettings TestSearchEngines::settings() const
{
    TypesenseSettings s;
    s.host = m_typesense->host();
    s.port = m_typesense->port();
    s.apiKey = m_typesense->apiKey();
    s.timeoutMs = 2000;
    s.maxRetries = 1;
    s.retryBaseDelayMs = 10;
    return s;
}

QList<SearchDocument> TestSearchEngines::catalogue()
{
    auto doc = [](const char *id, const char *title, QStringList genres, QStringList directors,
                  int year) {
        SearchDocument d;
        d.id = QLatin1String(id);
        d.collection = SearchCollection::Movies;
        d.title = QLatin1String(title);
        d.genres = genres;
        d.directors = directors;
        d.year = year;
        d.library = QStringLiteral("Movies");
        d.overview = QStringLiteral("A film called ") + d.title;
        return d;
    };
    return {doc("8f0c7e3a-0000-4000-8000-000000000001", "The Matrix", {"Sci-Fi", "Action"},
                {"Lana Wachowski"}, 1999),
            doc("8f0c7e3a-0000-4000-8000-000000000002", "The Matrix Reloaded", {"Sci-Fi", "Action"},
                {"Lana Wachowski"}, 2003),
            doc("8f0c7e3a-0000-4000-8000-000000000003", "Amelie", {"Comedy", "Romance"},
                {"Jean-Pierre Jeunet"}, 2001),
            doc("8f0c7e3a-0000-4000-8000-000000000004", "Alien", {"Sci-Fi", "Horror"},
                {"Ridley Scott"}, 1979)};
}

void TestSearchEngines::typesenseIndexesAndSearches()
{
    TypesenseSearchBackend ts(settings());
    QString error;
    QVERIFY2(ts.isAvailable(&error), qPrintable(error));
    QVERIFY2(ts.prepare(&error), qPrintable(error));
    QVERIFY2(ts.prepare(&error), qPrintable(error)); // idempotent: existing collections are kept
    const auto report = ts.upsert(catalogue(), &error);
    QVERIFY2(report, qPrintable(error));
    QCOMPARE(report->indexed, 4);
    QVERIFY(report->failures.isEmpty());
    const QJsonArray stored = m_typesense->documents(QStringLiteral("revenge_movies"));
    QCOMPARE(stored.size(), 4);
    QCOMPARE(stored.at(0)[QStringLiteral("embedding")].toArray().size(), Embedding::kDimensions);

    SearchRequest r;
    r.text = QStringLiteral("matrix");
    r.collections = {SearchCollection::Movies};
    r.facets = {QStringLiteral("genres")};
    const auto response = ts.search(r, &error);
    QVERIFY2(response, qPrintable(error));
    QCOMPARE(response->engine, QStringLiteral("typesense"));
    QCOMPARE(response->found, 2);
    QVERIFY(response->hits.first().title.startsWith(QLatin1String("The Matrix")));
    QVERIFY(response->facets.contains(QStringLiteral("genres")));

    QVERIFY(ts.remove(SearchCollection::Movies,
                      {QStringLiteral("8f0c7e3a-0000-4000-8000-000000000003")}, &error));
    QCOMPARE(m_typesense->documents(QStringLiteral("revenge_movies")).size(), 3);
}

void TestSearchEngines::typesenseFiltersAreQuoted()
{
    TypesenseSearchBackend ts(settings());
    QString error;
    QVERIFY(ts.prepare(&error));
    QVERIFY(ts.upsert(catalogue(), &error));
    SearchRequest r;
    r.text = QStringLiteral("*");
    r.collections = {SearchCollection::Movies};
    r.filters.genres = {QStringLiteral("Sci-Fi")};
    r.filters.yearFrom = 1990;
    const auto response = ts.search(r, &error);
    QVERIFY2(response, qPrintable(error));
    QCOMPARE(response->found, 2); // The Matrix, Reloaded; Alien is too old
    const QByteArray body = m_typesense->lastRequest().body;
    QVERIFY2(body.contains("genres:[`Sci-Fi`]"), body.constData());
    QVERIFY2(body.contains("year:>=1990"), body.constData());
}

void TestSearchEngines::typesenseRefusesUnquotableValues()
{
    TypesenseSearchBackend ts(settings());
    SearchRequest r;
    r.text = QStringLiteral("x");
    r.filters.directors = {QStringLiteral("a`b || id:*")};
    QString error;
    QVERIFY(!ts.search(r, &error));
    QVERIFY2(error.contains(QStringLiteral("backtick")), qPrintable(error));
}

void TestSearchEngines::typesenseImportFailuresAreReported()
{
    TypesenseSearchBackend ts(settings());
    QString error;
    QVERIFY(ts.prepare(&error));
    // The server answers one line less than it was sent: the whole import is an error, not a
    // silent partial success.
    m_typesense->setImportLineSkew(-1);
    QVERIFY(!ts.upsert(catalogue(), &error));
    QVERIFY2(!error.isEmpty(), "a mismatched import answer is reported");
}

void TestSearchEngines::typesenseTyposPrefixAndPagesAreAskedFor()
{
    // Typo tolerance and prefixes are Typesense's own: what we owe is asking for them with its
    // parameters (1 typo from 4 letters, 2 from 7, prefix on), and reading pages right.
    TypesenseSearchBackend ts(settings());
    QString error;
    QVERIFY(ts.prepare(&error));
    QVERIFY(ts.upsert(catalogue(), &error));
    SearchRequest r;
    r.text = QStringLiteral("*");
    r.collections = {SearchCollection::Movies};
    r.perPage = 3;
    r.page = 2;
    r.numTypos = 1;
    r.prefix = false;
    const auto response = ts.search(r, &error);
    QVERIFY2(response, qPrintable(error));
    QCOMPARE(response->found, 4);
    QCOMPARE(response->page, 2);
    QCOMPARE(response->hits.size(), 1); // the fourth of four
    const QJsonObject sent =
        QJsonDocument::fromJson(m_typesense->lastRequest().body)[QStringLiteral("searches")][0]
            .toObject();
    QCOMPARE(sent.value(QStringLiteral("num_typos")).toInt(), 1);
    QCOMPARE(sent.value(QStringLiteral("min_len_1typo")).toInt(), 4);
    QCOMPARE(sent.value(QStringLiteral("min_len_2typo")).toInt(), 7);
    QCOMPARE(sent.value(QStringLiteral("prefix")).toString(), QStringLiteral("false"));
    QCOMPARE(sent.value(QStringLiteral("page")).toInt(), 2);
    QCOMPARE(sent.value(QStringLiteral("per_page")).toInt(), 3);
}

void TestSearchEngines::typesenseSimilarity()
{
    TypesenseSearchBackend ts(settings());
    QString error;
    QVERIFY(ts.prepare(&error));
    QVERIFY(ts.upsert(catalogue(), &error));
    // The Matrix: its sequel shares genres and director; Amelie shares nothing.
    const auto response =
        ts.similar(SearchCollection::Movies, QStringLiteral("8f0c7e3a-0000-4000-8000-000000000001"),
                   2, false, &error);
    QVERIFY2(response, qPrintable(error));
    QCOMPARE(response->hits.size(), 2);
    QCOMPARE(response->hits.first().title, QStringLiteral("The Matrix Reloaded"));
    for (const SearchHit &h : response->hits)
        QVERIFY(h.id != QLatin1String("8f0c7e3a-0000-4000-8000-000000000001")); // not itself
    QVERIFY(!ts.similar(SearchCollection::AdultMovies, QStringLiteral("x"), 2, false, &error));
    QVERIFY(error.contains(QStringLiteral("adult permission")));
}

void TestSearchEngines::fallbackAnswersWhenTypesenseIsDown()
{
    FallbackSearchBackend search(std::make_unique<TypesenseSearchBackend>(settings()),
                                 std::make_unique<PostgresSearchBackend>(m_pool));
    QString error;
    QVERIFY2(search.prepare(&error), qPrintable(error));
    QVERIFY2(search.upsert(catalogue(), &error), qPrintable(error));
    SearchRequest r;
    r.text = QStringLiteral("alien");
    r.collections = {SearchCollection::Movies};
    auto response = search.search(r, &error);
    QVERIFY2(response, qPrintable(error));
    QCOMPARE(response->engine, QStringLiteral("typesense"));
    QVERIFY(!search.isDegraded());

    // Typesense goes away: the same question is answered by PostgreSQL, which had every document.
    m_typesense.reset();
    response = search.search(r, &error);
    QVERIFY2(response, qPrintable(error));
    QCOMPARE(response->engine, QStringLiteral("postgres"));
    QVERIFY(!response->hits.isEmpty());
    QCOMPARE(response->hits.first().title, QStringLiteral("Alien"));
    QVERIFY(search.isDegraded());
    QVERIFY(!search.isAvailable(&error));
    QVERIFY(!error.isEmpty());
}

void TestSearchEngines::adultIsolationAndBadRequestsThroughTheInterface()
{
    FallbackSearchBackend search(std::make_unique<TypesenseSearchBackend>(settings()),
                                 std::make_unique<PostgresSearchBackend>(m_pool));
    QString error;
    QVERIFY(search.prepare(&error));
    SearchRequest adult;
    adult.text = QStringLiteral("x");
    adult.collections = {SearchCollection::AdultMovies};
    QVERIFY(!search.search(adult, &error));
    QVERIFY2(error.contains(QStringLiteral("adult permission")), qPrintable(error));

    SearchRequest tooLong;
    tooLong.text = QString(10 * 1024, QLatin1Char('a'));
    QVERIFY(!search.search(tooLong, &error));
    QVERIFY2(error.contains(QStringLiteral("characters long")), qPrintable(error));

    SearchRequest badUtf8;
    badUtf8.text = QString::fromUtf8("caf\xc3\x28 \xff");
    QVERIFY(!search.search(badUtf8, &error));
    QVERIFY2(error.contains(QStringLiteral("UTF-8")), qPrintable(error));

    SearchRequest page;
    page.text = QStringLiteral("x");
    page.perPage = 1000;
    QVERIFY(!search.search(page, &error));
    QVERIFY2(error.contains(QStringLiteral("perPage")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestSearchEngines)
#include "tst_searchengines.moc"
