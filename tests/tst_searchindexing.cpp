#include "JobTestSupport.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobExecutor.h"
#include "jobs/workers/SearchIndexWorker.h"
#include "search/PostgresSearchBackend.h"
#include "search/SearchIndexer.h"

#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// Incremental indexing end to end: a change to the library enqueues a search.index job (by
// trigger), the executor runs it, and the item is searchable - new, renamed, re-credited, deleted.
// And the full rebuild.
class TestSearchIndexing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void changesBecomeSearchableWithinSeconds();
    void reindexRebuildsEverything();

private:
    bool sql(const QByteArray &statement);
    QStringList titlesFor(const QString &text,
                          SearchCollection collection = SearchCollection::Movies);

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<PostgresSearchBackend> m_search;
};

void TestSearchIndexing::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("indexing")), 4);
    auto lease = m_pool->acquire();
    QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    m_search = std::make_shared<PostgresSearchBackend>(m_pool);
    QVERIFY2(m_search->prepare(&error), qPrintable(error));
    QVERIFY(sql("INSERT INTO shared.libraries (name, type, paths) VALUES ('Films', 'movies', "
                "ARRAY['/media/films']), "
                "('Private', 'adult', ARRAY['/media/p'])"));
}

bool TestSearchIndexing::sql(const QByteArray &statement)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), statement);
    if (!r.ok())
        qWarning().noquote() << statement << "->" << r.error();
    return r.ok();
}

QStringList TestSearchIndexing::titlesFor(const QString &text, SearchCollection collection)
{
    SearchRequest r;
    r.text = text;
    r.collections = {collection};
    r.allowAdult = isAdult(collection);
    QString error;
    const auto response = m_search->search(r, &error);
    QStringList titles;
    if (response)
        for (const SearchHit &h : response->hits)
            titles << h.title;
    return titles;
}

void TestSearchIndexing::changesBecomeSearchableWithinSeconds()
{
    auto indexer = std::make_shared<SearchIndexer>(m_pool, m_search.get());
    ExecutorOptions options;
    options.queues = {{QStringLiteral("default"), 2}};
    options.schedulerInterval = 100ms;
    JobExecutor executor(m_pool, options);
    executor.registerWorker(std::make_shared<SearchIndexWorker>(indexer));
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));

    // A new movie with a director and a genre.
    QVERIFY(sql("INSERT INTO media.movies (id, library_id, title, year) SELECT "
                "'11111111-1111-4111-8111-111111111111', id, 'Blade Runner', 1982 FROM "
                "shared.libraries WHERE name = 'Films'"));
    QVERIFY(waitUntil(
        [&] {
            return titlesFor(QStringLiteral("blade runner"))
                .contains(QStringLiteral("Blade Runner"));
        },
        15000));
    // Typo tolerance comes with it.
    QVERIFY(titlesFor(QStringLiteral("blade runer")).contains(QStringLiteral("Blade Runner")));

    // Renamed: found under the new title, not the old one.
    QVERIFY(sql("UPDATE media.movies SET title = 'Blade Runner: The Final Cut' "
                "WHERE id = '11111111-1111-4111-8111-111111111111'"));
    QVERIFY(waitUntil(
        [&] {
            return titlesFor(QStringLiteral("final cut"))
                .contains(QStringLiteral("Blade Runner: The Final Cut"));
        },
        15000));

    // Credits and genres are part of the document: adding them re-indexes the item.
    QVERIFY(sql("INSERT INTO media.people (id, name) VALUES "
                "('22222222-2222-4222-8222-222222222222', 'Ridley Scott')"));
    QVERIFY(sql("INSERT INTO media.credits (person_id, item_type, item_id, role) VALUES "
                "('22222222-2222-4222-8222-222222222222', 'movie', "
                "'11111111-1111-4111-8111-111111111111', 'director')"));
    QVERIFY(waitUntil(
        [&] {
            SearchRequest r;
            r.text = QStringLiteral("*");
            r.collections = {SearchCollection::Movies};
            r.filters.directors = {QStringLiteral("Ridley Scott")};
            const auto response = m_search->search(r);
            return response && response->found == 1;
        },
        15000));
    // The person is searchable too.
    QVERIFY(waitUntil(
        [&] {
            return titlesFor(QStringLiteral("ridley"), SearchCollection::People)
                .contains(QStringLiteral("Ridley Scott"));
        },
        15000));

    // Deleted: gone from the index.
    QVERIFY(sql("DELETE FROM media.movies WHERE id = '11111111-1111-4111-8111-111111111111'"));
    QVERIFY(waitUntil([&] { return titlesFor(QStringLiteral("blade runner")).isEmpty(); }, 15000));

    // Adult items go to their own collection only.
    QVERIFY(sql("INSERT INTO c.movies (library_id, title) SELECT id, 'Secret Garden' FROM "
                "shared.libraries WHERE name = 'Private'"));
    QVERIFY(waitUntil(
        [&] {
            return titlesFor(QStringLiteral("secret garden"), SearchCollection::AdultMovies)
                .contains(QStringLiteral("Secret Garden"));
        },
        15000));
    QVERIFY(titlesFor(QStringLiteral("secret garden")).isEmpty());
    executor.stop();
}

void TestSearchIndexing::reindexRebuildsEverything()
{
    // Movies that were never indexed (straight into the tables, then the index emptied).
    QVERIFY(sql("INSERT INTO media.movies (library_id, title, year) SELECT l.id, 'Movie number ' "
                "|| n, 2000 + n % 20 "
                "FROM shared.libraries l, generate_series(1, 2500) AS n WHERE l.name = 'Films'"));
    QVERIFY(sql("INSERT INTO shared.libraries (name, type, paths) VALUES ('Shows', 'tvshows', "
                "ARRAY['/media/shows'])"));
    QVERIFY(
        sql("INSERT INTO media.series (library_id, title, year) SELECT id, 'Breaking Bad', 2008 "
            "FROM shared.libraries WHERE name = 'Shows'"));
    QVERIFY(sql("DELETE FROM search.documents"));
    QCOMPARE(titlesFor(QStringLiteral("movie number 1234")).size(), 0);

    SearchIndexer indexer(m_pool, m_search.get());
    QStringList phases;
    qint64 lastDone = 0;
    QString error;
    const auto report = indexer.reindexAll(
        [&](const QString &phase, qint64 done, qint64) {
            if (!phases.contains(phase))
                phases << phase;
            if (phase == QLatin1String("movies"))
                lastDone = done;
        },
        nullptr, &error);
    QVERIFY2(report, qPrintable(error));
    QVERIFY(report->indexed >= 2500);
    QVERIFY(report->failures.isEmpty());
    QCOMPARE(lastDone, 2500); // progress reached the end of the movies
    QVERIFY(phases.contains(QStringLiteral("movies")));
    QVERIFY(titlesFor(QStringLiteral("movie number 1234"))
                .contains(QStringLiteral("Movie number 1234")));

    // A cancelled rebuild stops and says so.
    std::atomic<bool> cancel{true};
    QVERIFY(!indexer.reindexAll({}, &cancel, &error));
    QCOMPARE(error, QStringLiteral("cancelled"));
    // Bad ids in an index batch are refused, not passed to SQL.
    QVERIFY(!indexer.index(SearchCollection::Movies,
                           {QStringLiteral("'; DROP TABLE media.movies; --")}, &error));
    QVERIFY2(error.contains(QStringLiteral("not an item id")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestSearchIndexing)
#include "tst_searchindexing.moc"
