// Search benchmark: a synthetic catalogue of 100,000 items indexed into the PostgreSQL-native
// engine, then a labelled query set (exact titles, 1- and 2-typo titles, prefixes, multi-word,
// facet-filtered) answered through SearchBackend, and the same queries answered the way
// Jellyfin does it (a plain ILIKE '%term%' scan over the same rows). Prints latency percentiles,
// the share of queries whose expected item is in the top 3, and one JSON line last.
//
//   bench_search [--items N] [--per-kind N]

#include "BenchSupport.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "search/CatalogueGenerator.h"
#include "search/PostgresSearchBackend.h"
#include "search/QuerySet.h"
#include "services/PostgresService.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <cstdio>

using namespace Revenge;
using namespace Revenge::Bench;

namespace {

SearchCollection collectionOf(const CatalogueItem &item)
{
    if (item.adult)
        return SearchCollection::AdultMovies;
    static const QHash<QString, SearchCollection> kinds{
        {QStringLiteral("movie"), SearchCollection::Movies},
        {QStringLiteral("series"), SearchCollection::Series},
        {QStringLiteral("episode"), SearchCollection::Episodes},
        {QStringLiteral("artist"), SearchCollection::Artists},
        {QStringLiteral("album"), SearchCollection::Albums},
        {QStringLiteral("track"), SearchCollection::Tracks},
        {QStringLiteral("person"), SearchCollection::People}};
    return kinds.value(item.kind, SearchCollection::Movies);
}

SearchDocument toDocument(const CatalogueItem &item)
{
    SearchDocument d;
    d.id = item.id;
    d.collection = collectionOf(item);
    d.title = item.title;
    d.originalTitle = item.originalTitle;
    d.overview = item.overview;
    d.cast = item.cast;
    d.directors = item.directors;
    d.genres = item.genres;
    d.year = item.year;
    d.library = item.library;
    d.contentRating = item.contentRating;
    d.seriesTitle = item.seriesTitle;
    d.season = item.season;
    d.episode = item.episode;
    return d;
}

SearchRequest toRequest(const LabelledQuery &q)
{
    SearchRequest r;
    r.text = q.text;
    r.perPage = 10;
    const QJsonObject f = q.filters;
    if (f.contains(QStringLiteral("genres")))
        r.filters.genres = {f.value(QStringLiteral("genres")).toString()};
    if (f.contains(QStringLiteral("director")))
        r.filters.directors = {f.value(QStringLiteral("director")).toString()};
    if (f.contains(QStringLiteral("library")))
        r.filters.libraries = {f.value(QStringLiteral("library")).toString()};
    if (f.contains(QStringLiteral("content_rating")))
        r.filters.contentRatings = {f.value(QStringLiteral("content_rating")).toString()};
    if (f.contains(QStringLiteral("year")))
        r.filters.yearFrom = r.filters.yearTo = f.value(QStringLiteral("year")).toInt();
    return r;
}

QByteArray likePattern(const QString &text)
{
    QString t = text;
    t.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('%'), QStringLiteral("\\%"));
    t.replace(QLatin1Char('_'), QStringLiteral("\\_"));
    return ('%' + t + '%').toUtf8();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("revenge.*.debug=false\nrevenge.*.info=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption itemsOpt(QStringLiteral("items"), QStringLiteral("Catalogue size."),
                                      QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption perKindOpt(QStringLiteral("per-kind"),
                                        QStringLiteral("Labelled queries per kind."),
                                        QStringLiteral("n"), QStringLiteral("100"));
    parser.addOptions({itemsOpt, perKindOpt});
    parser.process(app);
    const int itemCount = parser.value(itemsOpt).toInt();
    const int perKind = parser.value(perKindOpt).toInt();

    const auto work = makeWorkDir(QStringLiteral("search"));
    BenchPostgres db(work->path());
    const auto pool = db.startMigrated();
    if (!pool)
        return 1;
    QString error;
    PostgresSearchBackend search(pool);
    if (!search.prepare(&error)) {
        say(QStringLiteral("prepare: ") + error);
        return 1;
    }

    QElapsedTimer t;
    t.start();
    const QList<CatalogueItem> items = CatalogueGenerator(42).generate(itemCount);
    say(QStringLiteral("generated %1 items in %2 s")
            .arg(items.size())
            .arg(t.elapsed() / 1000.0, 0, 'f', 2));
    QHash<QString, const CatalogueItem *> byId;
    for (const CatalogueItem &item : items)
        byId.insert(item.id, &item);

    // Indexing: the whole catalogue in batches of 1,000, as a reindex does.
    t.restart();
    for (qsizetype i = 0; i < items.size(); i += 1000) {
        QList<SearchDocument> batch;
        for (qsizetype j = i; j < std::min<qsizetype>(items.size(), i + 1000); ++j)
            batch << toDocument(items.at(j));
        const auto report = search.upsert(batch, &error);
        if (!report || !report->failures.isEmpty()) {
            say(QStringLiteral("indexing failed at %1: %2")
                    .arg(i)
                    .arg(report ? report->failures.first().second : error));
            return 1;
        }
    }
    {
        auto lease = pool->acquire();
        pgExec(lease->db(), "VACUUM ANALYZE");
    }
    const double indexSeconds = t.nsecsElapsed() / 1e9;
    say(QStringLiteral("indexed %1 items in %2 s (%3 items/s)")
            .arg(items.size())
            .arg(indexSeconds, 0, 'f', 2)
            .arg(items.size() / indexSeconds, 0, 'f', 0));

    const QList<LabelledQuery> queries = QuerySet::build(items, perKind);
    say(QStringLiteral("%1 labelled queries (%2 per kind)").arg(queries.size()).arg(perKind));

    // Warm the caches the way a running server has them, then measure.
    for (int i = 0; i < std::min<qsizetype>(queries.size(), 50); ++i)
        search.search(toRequest(queries.at(i)), &error);
    QList<double> latencies, ilikeLatencies;
    QHash<QString, std::pair<int, int>> perKindTop3; // kind -> (hits, total)
    int top3 = 0, ilikeTop3 = 0, failures = 0;
    auto lease = pool->acquire();
    for (const LabelledQuery &q : queries) {
        QElapsedTimer qt;
        qt.start();
        const auto response = search.search(toRequest(q), &error);
        latencies << qt.nsecsElapsed() / 1e6;
        bool hit = false;
        if (!response) {
            ++failures;
            say(QStringLiteral("  query failed: %1: %2").arg(q.text, error));
        } else {
            for (int i = 0; i < std::min<qsizetype>(3, response->hits.size()); ++i)
                hit = hit || response->hits.at(i).id == q.expectedId;
        }
        top3 += hit ? 1 : 0;
        auto &k = perKindTop3[q.kind];
        k.first += hit ? 1 : 0;
        ++k.second;

        // Jellyfin's way: the same text, ILIKE '%text%' over the titles, no ranking.
        qt.restart();
        const PgResult r = pgExec(
            lease->db(),
            "SELECT id FROM search.documents WHERE title ILIKE $1 OR original_title ILIKE $1 "
            "ORDER BY title LIMIT 10",
            {likePattern(q.text)});
        ilikeLatencies << qt.nsecsElapsed() / 1e6;
        for (int i = 0; i < std::min(3, r.rows()); ++i)
            if (r.text(i, 0) == q.expectedId) {
                ++ilikeTop3;
                break;
            }
    }
    const double share = double(top3) / queries.size();
    const double ilikeShare = double(ilikeTop3) / queries.size();
    const double p50 = percentile(latencies, 0.5), p95 = percentile(latencies, 0.95),
                 p99 = percentile(latencies, 0.99);
    const double ip50 = percentile(ilikeLatencies, 0.5), ip95 = percentile(ilikeLatencies, 0.95);
    say(QString());
    say(QStringLiteral("PostgreSQL engine: p50 %1 ms, p95 %2 ms, p99 %3 ms; expected item in the "
                       "top 3: %4% (%5 failures)")
            .arg(p50, 0, 'f', 2)
            .arg(p95, 0, 'f', 2)
            .arg(p99, 0, 'f', 2)
            .arg(share * 100, 0, 'f', 1)
            .arg(failures));
    for (auto it = perKindTop3.begin(); it != perKindTop3.end(); ++it)
        say(QStringLiteral("  %1: %2/%3 in the top 3")
                .arg(it.key(), -9)
                .arg(it->first)
                .arg(it->second));
    say(QStringLiteral(
            "ILIKE '%term%' scan (Jellyfin): p50 %1 ms, p95 %2 ms; expected item in the top 3: %3%")
            .arg(ip50, 0, 'f', 2)
            .arg(ip95, 0, 'f', 2)
            .arg(ilikeShare * 100, 0, 'f', 1));
    say(QStringLiteral("latency ratio (ILIKE p95 / engine p95): %1x")
            .arg(ip95 / std::max(p95, 1e-6), 0, 'f', 1));
    say(QStringLiteral("targets: p95 < 20 ms, top 3 >= 95%, indexing < 60 s"));
    lease.reset();
    db.service().stop();

    QJsonObject result{{QStringLiteral("items"), items.size()},
                       {QStringLiteral("queries"), queries.size()},
                       {QStringLiteral("p50_ms"), qRound(p50 * 100) / 100.0},
                       {QStringLiteral("p95_ms"), qRound(p95 * 100) / 100.0},
                       {QStringLiteral("p99_ms"), qRound(p99 * 100) / 100.0},
                       {QStringLiteral("top3_share"), qRound(share * 1000) / 1000.0},
                       {QStringLiteral("ilike_p50_ms"), qRound(ip50 * 100) / 100.0},
                       {QStringLiteral("ilike_p95_ms"), qRound(ip95 * 100) / 100.0},
                       {QStringLiteral("ilike_top3_share"), qRound(ilikeShare * 1000) / 1000.0},
                       {QStringLiteral("ratio"), qRound(ip95 / std::max(p95, 1e-6) * 10) / 10.0},
                       {QStringLiteral("index_seconds"), qRound(indexSeconds * 100) / 100.0}};
    say(QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)));
    return 0;
}
