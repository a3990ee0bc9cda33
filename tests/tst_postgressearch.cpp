#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "search/PostgresSearchBackend.h"

#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// The PostgreSQL search engine against a real, migrated database with ~200 hand-made documents:
// ranking, Typesense-like typos and prefixes, filters, facets, pagination, sorting, similarity,
// adult isolation, hostile input and index maintenance.
class TestPostgresSearch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void exactTitleComesFirst();
    void oneAndTwoTyposFindTheTitle_data();
    void oneAndTwoTyposFindTheTitle();
    void shortWordsAreNotFuzzy();
    void lastWordIsAPrefix();
    void numTyposZeroDisablesFuzziness();
    void prefixFalseNeedsWholeWords();
    void multiWordAndPeople();
    void filtersNarrowResults();
    void facetsCountTheMatchingSet();
    void paginationIsStable();
    void sortByYear();
    void similarRanksRelatedItemsFirst();
    void adultIsIsolated();
    void hostileQueriesNeverReachSql_data();
    void hostileQueriesNeverReachSql();
    void oversizedAndInvalidQueriesAreRejected();
    void multiSearchAnswersInOrder();
    void upsertReplacesAndRemoveDeletes();

private:
    SearchResponse find(const QString &text,
                        const std::function<void(SearchRequest &)> &adjust = {});
    static int rankOf(const SearchResponse &response, const QString &id); // 0-based, -1 when absent

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<PostgresSearchBackend> m_search;
    QList<SearchDocument> m_docs;
};

namespace {

SearchDocument doc(const QString &id, const QString &title, int year, const QStringList &genres,
                   const QStringList &directors, const QStringList &cast = {},
                   const QString &library = "Movies", const QString &rating = "PG-13")
{
    SearchDocument d;
    d.id = id;
    d.title = title;
    d.year = year;
    d.genres = genres;
    d.directors = directors;
    d.cast = cast;
    d.library = library;
    d.contentRating = rating;
    d.overview = QStringLiteral("A film made in %1.").arg(year);
    return d;
}

} // namespace

void TestPostgresSearch::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    const ConnectionSettings settings = m_pg.createDatabase(QStringLiteral("pgsearch"));
    m_pool = std::make_shared<DatabasePool>(settings, 4);
    {
        auto lease = m_pool->acquire();
        QVERIFY(lease);
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    m_search = std::make_unique<PostgresSearchBackend>(m_pool);
    QVERIFY2(m_search->prepare(&error), qPrintable(error));
    QCOMPARE(m_search->engine(), QStringLiteral("postgres"));

    m_docs = {
        doc("godfather", "The Godfather", 1972, {"Crime", "Drama"}, {"Francis Ford Coppola"},
            {"Marlon Brando", "Al Pacino"}),
        doc("godfather2", "The Godfather Part II", 1974, {"Crime", "Drama"},
            {"Francis Ford Coppola"}, {"Al Pacino"}),
        doc("starwars", "Star Wars: A New Hope", 1977, {"Science Fiction", "Adventure"},
            {"George Lucas"}, {"Mark Hamill", "Harrison Ford"}),
        doc("empire", "The Empire Strikes Back", 1980, {"Science Fiction", "Adventure"},
            {"Irvin Kershner"}, {"Mark Hamill"}),
        doc("startrek", "Star Trek", 2009, {"Science Fiction"}, {"J. J. Abrams"}, {"Chris Pine"}),
        doc("stardust", "Stardust", 2007, {"Fantasy"}, {"Matthew Vaughn"}, {"Claire Danes"}),
        doc("interstellar", "Interstellar", 2014, {"Science Fiction", "Drama"},
            {"Christopher Nolan"}, {"Matthew McConaughey"}),
        doc("inception", "Inception", 2010, {"Science Fiction", "Thriller"}, {"Christopher Nolan"},
            {"Leonardo DiCaprio"}),
        doc("dune", "Dune", 2021, {"Science Fiction"}, {"Denis Villeneuve"}, {"Timothée Chalamet"}),
        doc("cat", "Cat", 1999, {"Family"}, {"Ann Other"}),
        doc("amelie", "Amélie", 2001, {"Comedy", "Romance"}, {"Jean-Pierre Jeunet"},
            {"Audrey Tautou"}, "World", "R"),
        doc("alien", "Alien", 1979, {"Horror", "Science Fiction"}, {"Ridley Scott"},
            {"Sigourney Weaver"}, "Movies", "R"),
        doc("bladerunner", "Blade Runner", 1982, {"Science Fiction", "Thriller"}, {"Ridley Scott"},
            {"Harrison Ford"}, "Movies", "R"),
        doc("gladiator", "Gladiator", 2000, {"Action", "Drama"}, {"Ridley Scott"},
            {"Russell Crowe"}, "Movies", "R"),
        doc("casablanca", "Casablanca", 1942, {"Romance", "Drama"}, {"Michael Curtiz"},
            {"Humphrey Bogart"}, "Classics", "PG"),
        doc("vertigo", "Vertigo", 1958, {"Thriller", "Mystery"}, {"Alfred Hitchcock"},
            {"James Stewart"}, "Classics", "PG"),
        doc("psycho", "Psycho", 1960, {"Horror", "Thriller"}, {"Alfred Hitchcock"},
            {"Anthony Perkins"}, "Classics", "R"),
        doc("quote", "Rock 'n' Roll High School", 1979, {"Comedy", "Music"}, {"Allan Arkush"}),
    };
    // Filler: 24 adjectives x 8 nouns -> 192 distinct two-word titles, years, genres and libraries
    // cycling, so filters and facets have something to count.
    const QStringList adjectives{
        "Silent",   "Golden",   "Broken",   "Hidden",    "Burning",  "Frozen", "Wild",    "Lonely",
        "Crimson",  "Distant",  "Electric", "Forgotten", "Hollow",   "Iron",   "Jade",    "Lucky",
        "Midnight", "Northern", "Painted",  "Quiet",     "Restless", "Savage", "Twisted", "Velvet"};
    const QStringList nouns{"River",   "Mountain", "Harbour", "Garden",
                            "Kingdom", "Letter",   "Mirror",  "Orchard"};
    const QStringList genres{"Drama", "Comedy", "Thriller", "Western", "Documentary"};
    const QStringList directors{"Ada Lovelace", "Grace Hopper", "Alan Turing"};
    int n = 0;
    for (const QString &a : adjectives)
        for (const QString &noun : nouns) {
            SearchDocument d =
                doc(QStringLiteral("f%1").arg(n, 3, 10, QLatin1Char('0')), a + ' ' + noun,
                    1950 + n % 70, {genres.at(n % 5), genres.at((n / 5) % 5)},
                    {directors.at(n % 3)}, {}, n % 2 ? "Movies" : "Archive", n % 3 ? "PG" : "R");
            d.genres.removeDuplicates();
            m_docs.append(d);
            ++n;
        }
    QElapsedTimer t;
    t.start();
    const auto report = m_search->upsert(m_docs, &error);
    QVERIFY2(report, qPrintable(error));
    QCOMPARE(report->indexed, int(m_docs.size()));
    QVERIFY(report->failures.isEmpty());
    qInfo() << "indexed" << m_docs.size() << "documents in" << t.elapsed() << "ms";
}

SearchResponse TestPostgresSearch::find(const QString &text,
                                        const std::function<void(SearchRequest &)> &adjust)
{
    SearchRequest request;
    request.text = text;
    if (adjust)
        adjust(request);
    QString error;
    const auto response = m_search->search(request, &error);
    if (!response) {
        qWarning() << "search" << text << "failed:" << error;
        return {};
    }
    return *response;
}

int TestPostgresSearch::rankOf(const SearchResponse &response, const QString &id)
{
    for (int i = 0; i < response.hits.size(); ++i)
        if (response.hits.at(i).id == id)
            return i;
    return -1;
}

void TestPostgresSearch::exactTitleComesFirst()
{
    const SearchResponse r = find("The Godfather");
    QCOMPARE(r.engine, QStringLiteral("postgres"));
    QVERIFY(r.found >= 2);
    QCOMPARE(r.hits.first().id, QStringLiteral("godfather"));
    QCOMPARE(r.hits.first().collection, SearchCollection::Movies);
    QCOMPARE(r.hits.first().year, 1972);
    QCOMPARE(r.hits.first().document.value("directors").toArray().first().toString(),
             QStringLiteral("Francis Ford Coppola"));
    QVERIFY(r.hits.at(0).score > r.hits.at(1).score);
    // Accents are ignored both ways.
    QCOMPARE(find("amelie").hits.value(0).id, QStringLiteral("amelie"));
    QCOMPARE(find("AMÉLIE").hits.value(0).id, QStringLiteral("amelie"));
}

void TestPostgresSearch::oneAndTwoTyposFindTheTitle_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("expected");
    QTest::newRow("1 typo, 4 letters (transposition)") << "Dnue"
                                                       << "dune";
    QTest::newRow("1 typo, 5 letters (substitution)") << "Alein"
                                                      << "alien";
    QTest::newRow("1 typo, 6 letters (deletion)") << "Pscho"
                                                  << "psycho";
    QTest::newRow("2 typos, 9 letters") << "Inceptoin"
                                        << "inception"; // transposition = 1
    QTest::newRow("2 typos, 12 letters") << "Intrestelar"
                                         << "interstellar";
    QTest::newRow("2 typos, 10 letters") << "Casablnaca"
                                         << "casablanca";
    QTest::newRow("typos in two words") << "Gladiater"
                                        << "gladiator";
    QTest::newRow("typo plus prefix") << "Blade Runer"
                                      << "bladerunner";
    QTest::newRow("typo in first word of two") << "Godfater Part"
                                               << "godfather2";
}

void TestPostgresSearch::oneAndTwoTyposFindTheTitle()
{
    QFETCH(QString, query);
    QFETCH(QString, expected);
    const SearchResponse r = find(query);
    const int rank = rankOf(r, expected);
    QVERIFY2(rank >= 0 && rank < 3,
             qPrintable(QStringLiteral("%1 ranked %2").arg(expected).arg(rank)));
}

void TestPostgresSearch::shortWordsAreNotFuzzy()
{
    // "Cot" is 3 letters: no typo allowed, so it must not match "Cat".
    QCOMPARE(rankOf(find("Cot"), QStringLiteral("cat")), -1);
    QCOMPARE(find("Cat").hits.value(0).id, QStringLiteral("cat"));
    // 4 letters allow one typo but not two.
    QCOMPARE(rankOf(find("Dnuw"), QStringLiteral("dune")), -1);
    // 6 letters: two typos are too many.
    QCOMPARE(rankOf(find("Pzycjo"), QStringLiteral("psycho")), -1);
}

void TestPostgresSearch::lastWordIsAPrefix()
{
    SearchResponse r = find("star w");
    QCOMPARE(r.hits.value(0).id, QStringLiteral("starwars"));
    r = find("interst");
    QCOMPARE(r.hits.value(0).id, QStringLiteral("interstellar"));
    r = find("sta");
    QVERIFY(rankOf(r, "starwars") >= 0 && rankOf(r, "startrek") >= 0 && rankOf(r, "stardust") >= 0);
}

void TestPostgresSearch::numTyposZeroDisablesFuzziness()
{
    QVERIFY(rankOf(find("Dnue"), "dune") >= 0);
    const SearchResponse r = find("Dnue", [](SearchRequest &q) { q.numTypos = 0; });
    QCOMPARE(rankOf(r, "dune"), -1);
    // numTypos 1 caps long words at one typo.
    QCOMPARE(rankOf(find("Intrestelar", [](SearchRequest &q) { q.numTypos = 1; }), "interstellar"),
             -1);
    QVERIFY(rankOf(find("Interstelar", [](SearchRequest &q) { q.numTypos = 1; }), "interstellar") >=
            0);
}

void TestPostgresSearch::prefixFalseNeedsWholeWords()
{
    QCOMPARE(find("interst", [](SearchRequest &q) { q.prefix = false; }).found, 0);
    QCOMPARE(find("interst").hits.value(0).id, QStringLiteral("interstellar"));
    QCOMPARE(find("star wars", [](SearchRequest &q) { q.prefix = false; }).hits.value(0).id,
             QStringLiteral("starwars"));
}

void TestPostgresSearch::multiWordAndPeople()
{
    // Words out of order, and a cast member's name with a title word.
    QCOMPARE(find("hope star").hits.value(0).id, QStringLiteral("starwars"));
    const SearchResponse r = find("Hamill empire");
    QCOMPARE(r.hits.value(0).id, QStringLiteral("empire"));
    // A director's name finds their films.
    const SearchResponse nolan = find("Christopher Nolan");
    QCOMPARE(nolan.found, 2);
}

void TestPostgresSearch::filtersNarrowResults()
{
    auto expected = [this](const std::function<bool(const SearchDocument &)> &pred) {
        return int(std::count_if(m_docs.begin(), m_docs.end(), pred));
    };
    SearchResponse r = find("*", [](SearchRequest &q) {
        q.filters.genres = {"Western"};
        q.perPage = 250;
    });
    QCOMPARE(r.found,
             expected([](const SearchDocument &d) { return d.genres.contains("Western"); }));
    for (const SearchHit &h : r.hits)
        QVERIFY(h.document.value("genres").toArray().contains("Western"));

    r = find("*", [](SearchRequest &q) {
        q.filters.yearFrom = 1970;
        q.filters.yearTo = 1979;
    });
    QCOMPARE(r.found,
             expected([](const SearchDocument &d) { return d.year >= 1970 && d.year <= 1979; }));

    r = find("*", [](SearchRequest &q) { q.filters.libraries = {"Classics", "World"}; });
    QCOMPARE(r.found, 4);

    r = find("*", [](SearchRequest &q) {
        q.filters.directors = {"Ridley Scott"};
        q.filters.contentRatings = {"R"};
    });
    QCOMPARE(r.found, 3);

    // A text query with a filter: only the Hitchcock thriller among "psycho"/"vertigo".
    r = find("Vertigo", [](SearchRequest &q) { q.filters.directors = {"Alfred Hitchcock"}; });
    QCOMPARE(r.hits.value(0).id, QStringLiteral("vertigo"));
    r = find("Vertigo", [](SearchRequest &q) { q.filters.directors = {"Ridley Scott"}; });
    QCOMPARE(r.found, 0);
}

void TestPostgresSearch::facetsCountTheMatchingSet()
{
    const SearchResponse r = find("River", [](SearchRequest &q) {
        q.facets = {"genres", "year", "directors", "library", "content_rating"};
        q.prefix = false;
    });
    QList<SearchDocument> matching;
    for (const SearchDocument &d : m_docs)
        if (d.title.split(' ').contains("River"))
            matching.append(d);
    QCOMPARE(r.found, int(matching.size()));
    QMap<QString, int> genres, libraries;
    for (const SearchDocument &d : matching) {
        for (const QString &g : d.genres)
            ++genres[g];
        ++libraries[d.library];
    }
    const QList<FacetValue> g = r.facets.value("genres");
    QCOMPARE(g.size(), genres.size());
    for (int i = 0; i < g.size(); ++i) {
        QCOMPARE(g.at(i).count, genres.value(g.at(i).value));
        if (i)
            QVERIFY(g.at(i - 1).count >= g.at(i).count); // most frequent first
    }
    for (const FacetValue &v : r.facets.value("library"))
        QCOMPARE(v.count, libraries.value(v.value));
    QVERIFY(!r.facets.value("year").isEmpty());
    QVERIFY(!r.facets.value("directors").isEmpty());
    QVERIFY(!r.facets.value("content_rating").isEmpty());
    QVERIFY(r.facets.value("genres").size() <= 10);
}

void TestPostgresSearch::paginationIsStable()
{
    auto page = [this](int n) {
        return find("*", [n](SearchRequest &q) {
            q.sort = SearchRequest::Sort::TitleAsc;
            q.perPage = 10;
            q.page = n;
        });
    };
    const SearchResponse all = find("*", [](SearchRequest &q) {
        q.sort = SearchRequest::Sort::TitleAsc;
        q.perPage = 30;
    });
    const SearchResponse p1 = page(1), p2 = page(2), p3 = page(3);
    QCOMPARE(p1.found, int(m_docs.size()));
    QCOMPARE(p2.found, p1.found);
    QCOMPARE(p2.page, 2);
    QCOMPARE(p2.hits.size(), 10);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(p1.hits.at(i).id, all.hits.at(i).id);
        QCOMPARE(p2.hits.at(i).id, all.hits.at(10 + i).id);
        QCOMPARE(p3.hits.at(i).id, all.hits.at(20 + i).id);
    }
    // Text queries page the same way.
    const SearchResponse t1 = find("midnight", [](SearchRequest &q) { q.perPage = 3; });
    const SearchResponse t2 = find("midnight", [](SearchRequest &q) {
        q.perPage = 3;
        q.page = 2;
    });
    const SearchResponse tAll = find("midnight", [](SearchRequest &q) { q.perPage = 6; });
    QCOMPARE(t1.found, 8);
    QCOMPARE(t2.found, 8);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(t2.hits.at(i).id, tAll.hits.at(3 + i).id);
    const SearchResponse beyond = find("midnight", [](SearchRequest &q) { q.page = 5; });
    QCOMPARE(beyond.found, 8);
    QVERIFY(beyond.hits.isEmpty());
}

void TestPostgresSearch::sortByYear()
{
    SearchResponse r = find("*", [](SearchRequest &q) {
        q.sort = SearchRequest::Sort::YearDesc;
        q.perPage = 50;
    });
    for (int i = 1; i < r.hits.size(); ++i)
        QVERIFY(r.hits.at(i - 1).year >= r.hits.at(i).year);
    QCOMPARE(r.hits.first().year, 2021);
    r = find("star", [](SearchRequest &q) { q.sort = SearchRequest::Sort::YearAsc; });
    QVERIFY(r.found >= 3);
    for (int i = 1; i < r.hits.size(); ++i)
        QVERIFY(r.hits.at(i - 1).year <= r.hits.at(i).year);
}

void TestPostgresSearch::similarRanksRelatedItemsFirst()
{
    QString error;
    const auto r = m_search->similar(SearchCollection::Movies, "godfather", 10, false, &error);
    QVERIFY2(r, qPrintable(error));
    QVERIFY(!r->hits.isEmpty());
    QCOMPARE(r->hits.first().id, QStringLiteral("godfather2")); // same genres, director and cast
    QCOMPARE(rankOf(*r, "godfather"), -1);
    const auto nolan =
        m_search->similar(SearchCollection::Movies, "interstellar", 5, false, &error);
    QVERIFY2(nolan, qPrintable(error));
    QVERIFY(rankOf(*nolan, "inception") >= 0);
    QVERIFY(rankOf(*nolan, "inception") < rankOf(*nolan, "casablanca") ||
            rankOf(*nolan, "casablanca") < 0);
    QVERIFY(!m_search->similar(SearchCollection::Movies, "no-such-id", 5, false, &error));
    QVERIFY(error.contains("no-such-id"));
}

void TestPostgresSearch::adultIsIsolated()
{
    SearchDocument a =
        doc("adult1", "The Godfather Unrated", 1999, {"Drama"}, {"Francis Ford Coppola"});
    a.collection = SearchCollection::AdultMovies;
    SearchDocument b = doc("adult2", "Velvet Harbour Nights", 2001, {"Drama"}, {"Someone"});
    b.collection = SearchCollection::AdultMovies;
    QString error;
    QVERIFY2(m_search->upsert({a, b}, &error), qPrintable(error));

    for (const bool allow : {false, true}) {
        const SearchResponse r =
            find("godfather", [allow](SearchRequest &q) { q.allowAdult = allow; });
        QCOMPARE(rankOf(r, "adult1"), -1);
        const SearchResponse all = find("*", [allow](SearchRequest &q) {
            q.allowAdult = allow;
            q.perPage = 250;
        });
        QCOMPARE(all.found, int(m_docs.size()));
    }
    SearchRequest q;
    q.text = "godfather";
    q.collections = {SearchCollection::AdultMovies};
    QVERIFY(!m_search->search(q, &error));
    QVERIFY(error.contains("adult"));
    q.allowAdult = true;
    const auto adult = m_search->search(q, &error);
    QVERIFY2(adult, qPrintable(error));
    QCOMPARE(adult->found, 1);
    QCOMPARE(adult->hits.first().collection, SearchCollection::AdultMovies);
    // Adult typo vocabulary is separate too, and similar() is gated.
    q.text = "Harbuor Nights";
    QCOMPARE(m_search->search(q, &error)->hits.value(0).id, QStringLiteral("adult2"));
    QVERIFY(!m_search->similar(SearchCollection::AdultMovies, "adult1", 5, false, &error));
    const auto sim = m_search->similar(SearchCollection::AdultMovies, "adult1", 5, true, &error);
    QVERIFY2(sim, qPrintable(error));
    QCOMPARE(sim->hits.value(0).id, QStringLiteral("adult2"));
    // Ordinary similar() never returns adult items.
    const auto ordinary =
        m_search->similar(SearchCollection::Movies, "godfather", 250, true, &error);
    QVERIFY2(ordinary, qPrintable(error));
    QCOMPARE(rankOf(*ordinary, "adult1"), -1);
}

void TestPostgresSearch::hostileQueriesNeverReachSql_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("quote") << "Rock 'n' Roll";
    QTest::newRow("double quote") << "\"Godfather\"";
    QTest::newRow("backslashes") << "\\\\ \\' \\";
    QTest::newRow("sql") << "'; DROP TABLE search.documents; --";
    QTest::newRow("tsquery operators") << "a & b | !c";
    QTest::newRow("tsquery syntax") << "star:* <-> (wars) & !!";
    QTest::newRow("like wildcards") << "%_";
    QTest::newRow("paren") << "(";
    QTest::newRow("dollar quoting") << "$$ $1 $body$";
    QTest::newRow("unicode") << "東京物語 🎬 Ωmega";
    QTest::newRow("long word") << QString(200, 'x');
    QTest::newRow("many words") << QStringList(100, "abcd").join(' ');
}

void TestPostgresSearch::hostileQueriesNeverReachSql()
{
    QFETCH(QString, query);
    SearchRequest q;
    q.text = query;
    q.facets = {"genres"};
    QString error;
    const auto r = m_search->search(q, &error);
    QVERIFY2(r, qPrintable(error));
    if (query.startsWith("Rock"))
        QCOMPARE(r->hits.value(0).id, QStringLiteral("quote"));
    // The table is still there.
    QCOMPARE(find("The Godfather").hits.value(0).id, QStringLiteral("godfather"));
}

void TestPostgresSearch::oversizedAndInvalidQueriesAreRejected()
{
    QString error;
    SearchRequest q;
    q.text = QString(10240, 'a');
    QVERIFY(!m_search->search(q, &error));
    QVERIFY2(error.contains("512"), qPrintable(error));
    q.text = QString::fromUtf8("god\xff\xfe father");
    QVERIFY(!m_search->search(q, &error));
    QVERIFY2(error.contains("UTF-8"), qPrintable(error));
    q.text = "godfather";
    q.perPage = 500;
    QVERIFY(!m_search->search(q, &error));
    QVERIFY2(error.contains("perPage"), qPrintable(error));
    q.perPage = 20;
    q.facets = {"title; DROP"};
    QVERIFY(!m_search->search(q, &error));
    QVERIFY2(error.contains("facet"), qPrintable(error));
}

void TestPostgresSearch::multiSearchAnswersInOrder()
{
    SearchRequest a, b, c;
    a.text = "dune";
    b.text = "casablanca";
    c.text = "x";
    c.perPage = 0;
    QString error;
    auto r = m_search->multiSearch({a, b}, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->size(), 2);
    QCOMPARE(r->at(0).hits.value(0).id, QStringLiteral("dune"));
    QCOMPARE(r->at(1).hits.value(0).id, QStringLiteral("casablanca"));
    QVERIFY(!m_search->multiSearch({a, c}, &error));
    QVERIFY2(error.contains("perPage"), qPrintable(error));
}

void TestPostgresSearch::upsertReplacesAndRemoveDeletes()
{
    QString error;
    SearchDocument d = doc("temp", "Zanzibar Express", 1990, {"Action"}, {"Nobody"});
    QVERIFY(m_search->upsert({d}, &error));
    QCOMPARE(find("zanzibar").hits.value(0).id, QStringLiteral("temp"));
    d.title = "Quixotic Voyage";
    QVERIFY(m_search->upsert({d, d}, &error)); // duplicates in one batch: last wins
    QCOMPARE(find("zanzibar").found, 0);
    QCOMPARE(find("quixotic").hits.value(0).id, QStringLiteral("temp"));
    QCOMPARE(find("quixotc voyage").hits.value(0).id,
             QStringLiteral("temp")); // new words are typo-searchable
    const auto removed = m_search->remove(SearchCollection::Movies, {"temp", "not-there"}, &error);
    QVERIFY2(removed, qPrintable(error));
    QCOMPARE(*removed, 1);
    QCOMPARE(find("quixotic").found, 0);
}

QTEST_GUILESS_MAIN(TestPostgresSearch)
#include "tst_postgressearch.moc"
