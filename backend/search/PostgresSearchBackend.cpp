#include "PostgresSearchBackend.h"

#include "Embedding.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <algorithm>
#include <vector>

namespace Revenge {

Q_LOGGING_CATEGORY(lcPgSearch, "revenge.search.postgres")

namespace {

// Table names are chosen from these constants only, never from request text.
struct Tables
{
    const char *documents;
    const char *vocabulary;
    const char *deletes;
};
constexpr Tables kOrdinary{"search.documents", "search.vocabulary", "search.vocabulary_deletes"};
constexpr Tables kAdult{"c.search_documents", "c.search_vocabulary", "c.search_vocabulary_deletes"};

const Tables &tablesFor(SearchCollection collection)
{
    return isAdult(collection) ? kAdult : kOrdinary;
}

QByteArray sqlFor(const char *pattern, const Tables &t)
{
    return QByteArray(pattern)
        .replace("%DOCS%", t.documents)
        .replace("%VOCAB%", t.vocabulary)
        .replace("%DELETES%", t.deletes);
}

// A lexeme quoted for the tsquery input syntax (the text is a bound parameter cast to tsquery;
// quoting keeps & | ! : * ( ) < > in a lexeme from being read as operators).
QString tsLexeme(const QString &word, bool prefix)
{
    QString quoted = word;
    quoted.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('\''), QLatin1String("''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'') +
           (prefix ? QLatin1String(":*") : QLatin1String());
}

// Typesense's rule: 1 typo from 4 characters, 2 from 7, never more than the request allows.
int allowedTypos(const QString &word, int requested)
{
    const int n = int(word.size());
    return std::min(requested, n >= 7 ? 2 : n >= 4 ? 1 : 0);
}

// Every string reachable from `word` by deleting up to `k` characters (k <= 2).
void addDeletes(const QString &word, int k, QSet<QString> &out)
{
    out.insert(word);
    if (k <= 0 || word.size() > 24)
        return;
    for (qsizetype i = 0; i < word.size(); ++i) {
        QString one = word;
        one.remove(i, 1);
        out.insert(one);
        if (k >= 2)
            for (qsizetype j = i; j < one.size(); ++j) {
                QString two = one;
                two.remove(j, 1);
                out.insert(two);
            }
    }
}

// The top values of one facet over the rows of CTE `source` (aliased m), each count multiplied
// by `scale` (1 for exact counts; 100 / sampled percent for estimates from a sample).
QString facetSql(const QString &facet, const char *source, int scale)
{
    auto top = [&](const char *valueExpr, const char *from) {
        return QStringLiteral("(SELECT coalesce(json_agg(json_build_array(v, n) ORDER BY n DESC, "
                              "v), '[]'::json) "
                              "FROM (SELECT %1 AS v, count(*) * %3 AS n FROM %4 m%2 GROUP BY 1 "
                              "ORDER BY 2 DESC, 1 LIMIT 10) f)")
            .arg(QLatin1String(valueExpr), QLatin1String(from))
            .arg(scale)
            .arg(QLatin1String(source));
    };
    if (facet == QLatin1String("genres"))
        return top("g", ", unnest(m.genres) g");
    if (facet == QLatin1String("directors"))
        return top("g", ", unnest(m.directors) g");
    if (facet == QLatin1String("year"))
        return top("m.year::text", " WHERE m.year IS NOT NULL");
    if (facet == QLatin1String("library"))
        return top("m.library", " WHERE coalesce(m.library, '') <> ''");
    return top("m.content_rating", " WHERE coalesce(m.content_rating, '') <> ''");
}

const char *const kHitJson =
    "json_build_object('id', d.id, 'collection', d.collection, 'title', d.title, "
    "'original_title', d.original_title, 'overview', d.overview, 'cast', d.cast_names, "
    "'directors', d.directors, 'genres', d.genres, 'year', d.year, 'library', d.library, "
    "'content_rating', d.content_rating, 'series_title', d.series_title, 'season', d.season, "
    "'episode', d.episode, 'score', p.score)";

// Reads the single row of a search statement: found, hits (json array), facets (json object).
SearchResponse readResponse(const PgResult &r, int page)
{
    SearchResponse response;
    response.engine = QStringLiteral("postgres");
    response.page = page;
    response.found = int(r.toInt(0, 0));
    const QJsonArray hits = QJsonDocument::fromJson(r.bytes(0, 1)).array();
    for (const QJsonValue &v : hits) {
        const QJsonObject o = v.toObject();
        SearchHit hit;
        hit.id = o.value(QLatin1String("id")).toString();
        hit.collection = collectionFromName(o.value(QLatin1String("collection")).toString())
                             .value_or(hit.collection);
        hit.title = o.value(QLatin1String("title")).toString();
        hit.year = o.value(QLatin1String("year")).toInt();
        hit.score = o.value(QLatin1String("score")).toDouble();
        hit.document = o;
        hit.document.remove(QLatin1String("score"));
        response.hits.append(hit);
    }
    if (r.columns() > 2) {
        const QJsonObject facets = QJsonDocument::fromJson(r.bytes(0, 2)).object();
        for (auto it = facets.begin(); it != facets.end(); ++it) {
            QList<FacetValue> values;
            for (const QJsonValue &pair : it.value().toArray())
                values.append({pair.toArray().at(0).toString(), pair.toArray().at(1).toInt()});
            response.facets.insert(it.key(), values);
        }
    }
    return response;
}

} // namespace

PostgresSearchBackend::PostgresSearchBackend(std::shared_ptr<DatabasePool> pool)
    : m_pool(std::move(pool))
{}

QStringList PostgresSearchBackend::queryWords(const QString &text)
{
    // Mirrors shared.search_norm + the 'simple' parser for the words people type: runs of letters
    // and digits, accents stripped (NFKD without marks), lower-cased.
    QString folded;
    folded.reserve(text.size());
    for (const QChar ch : text.normalized(QString::NormalizationForm_KD)) {
        if (ch.isMark())
            continue;
        switch (ch.unicode()) {
        case 0x00DF:
            folded += QLatin1String("ss");
            break; // ß
        case 0x00E6:
        case 0x00C6:
            folded += QLatin1String("ae");
            break;
        case 0x0153:
        case 0x0152:
            folded += QLatin1String("oe");
            break;
        case 0x00F8:
        case 0x00D8:
            folded += QLatin1Char('o');
            break;
        case 0x0142:
        case 0x0141:
            folded += QLatin1Char('l');
            break;
        case 0x0111:
        case 0x0110:
            folded += QLatin1Char('d');
            break;
        default:
            folded += ch.toLower();
        }
    }
    QStringList words;
    QString current;
    for (const QChar ch : std::as_const(folded)) {
        if (ch.isLetterOrNumber()) {
            current += ch;
        } else if (!current.isEmpty()) {
            words.append(current);
            current.clear();
        }
    }
    if (!current.isEmpty())
        words.append(current);
    return words;
}

int PostgresSearchBackend::typoDistance(const QString &a, const QString &b)
{
    const qsizetype n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(size_t(n + 1), std::vector<int>(size_t(m + 1)));
    for (qsizetype i = 0; i <= n; ++i)
        d[i][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][j] = int(j);
    for (qsizetype i = 1; i <= n; ++i)
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

bool PostgresSearchBackend::isAvailable(QString *why)
{
    auto lease = m_pool->acquire(5000, why);
    if (!lease)
        return false;
    const PgResult r = pgExec(lease->db(), "SELECT to_regclass('search.documents') IS NOT NULL");
    if (!r.ok() || !r.toBool(0, 0)) {
        if (why)
            *why = r.ok() ? QStringLiteral("the search schema is missing (migrations not applied)")
                          : r.error();
        return false;
    }
    return true;
}

bool PostgresSearchBackend::prepare(QString *error)
{
    // The tables come from migration 0006; there is nothing to create at run time.
    return isAvailable(error);
}

std::optional<IndexReport> PostgresSearchBackend::upsert(const QList<SearchDocument> &documents,
                                                         QString *error)
{
    static const char *const kUpsert =
        "WITH rows AS ("
        "  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(collection text, id text, title text, "
        "    original_title text, overview text, people text, cast_names text[], directors text[], "
        "    genres text[], year int, library text, content_rating text, series_title text, season "
        "int, "
        "    episode int, embedding real[])"
        "), ins AS ("
        "  INSERT INTO %DOCS% AS d (collection, id, title, original_title, overview, people, "
        "cast_names, "
        "    directors, genres, year, library, content_rating, series_title, season, episode, "
        "embedding) "
        "  SELECT collection, id, coalesce(title, ''), original_title, overview, people, "
        "    coalesce(cast_names, '{}'), coalesce(directors, '{}'), coalesce(genres, '{}'), year, "
        "library, "
        "    content_rating, series_title, season, episode, embedding FROM rows "
        "  ON CONFLICT (collection, id) DO UPDATE SET title = EXCLUDED.title, "
        "    original_title = EXCLUDED.original_title, overview = EXCLUDED.overview, "
        "    people = EXCLUDED.people, cast_names = EXCLUDED.cast_names, directors = "
        "EXCLUDED.directors, "
        "    genres = EXCLUDED.genres, year = EXCLUDED.year, library = EXCLUDED.library, "
        "    content_rating = EXCLUDED.content_rating, series_title = EXCLUDED.series_title, "
        "    season = EXCLUDED.season, episode = EXCLUDED.episode, embedding = EXCLUDED.embedding, "
        "    updated_at = now() "
        "  RETURNING 1"
        "), words AS ("
        "  INSERT INTO %VOCAB% (word) "
        "  SELECT DISTINCT w FROM rows, unnest(tsvector_to_array(to_tsvector('simple', "
        "    shared.search_norm(concat_ws(' ', title, original_title, series_title, people))))) w "
        "  ON CONFLICT DO NOTHING RETURNING word"
        "), dels AS ("
        "  INSERT INTO %DELETES% (variant, word) "
        "  SELECT v, words.word FROM words, shared.search_deletes(words.word) v "
        "  ON CONFLICT DO NOTHING RETURNING 1"
        ") SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM dels)";

    IndexReport report;
    // Last version of each (collection, id) wins; one statement may not update a row twice.
    QHash<QPair<int, QString>, int> latest;
    for (int i = 0; i < documents.size(); ++i) {
        const SearchDocument &doc = documents.at(i);
        if (doc.id.isEmpty()) {
            report.failures.append({doc.id, QStringLiteral("the document has no id")});
            continue;
        }
        latest.insert({int(doc.collection), doc.id}, i);
    }
    QList<int> order = latest.values();
    std::sort(order.begin(), order.end());

    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    for (const bool adult : {false, true}) {
        QJsonArray batch;
        auto flush = [&]() -> bool {
            if (batch.isEmpty())
                return true;
            const QByteArray json = QJsonDocument(batch).toJson(QJsonDocument::Compact);
            const PgResult r =
                pgExec(lease->db(), sqlFor(kUpsert, adult ? kAdult : kOrdinary), {json});
            if (!r.ok()) {
                qCWarning(lcPgSearch) << "search upsert failed:" << r.error();
                if (error)
                    *error = QStringLiteral("cannot index %1 documents: %2")
                                 .arg(batch.size())
                                 .arg(r.error());
                return false;
            }
            report.indexed += int(r.toInt(0, 0));
            batch = QJsonArray();
            return true;
        };
        for (const int i : std::as_const(order)) {
            const SearchDocument &doc = documents.at(i);
            if (isAdult(doc.collection) != adult)
                continue;
            const QVector<float> embedding =
                doc.embedding.isEmpty() ? Embedding::compute(doc) : doc.embedding;
            QJsonArray vector;
            for (const float f : embedding)
                vector.append(double(f));
            QJsonObject o{
                {QStringLiteral("collection"), collectionName(doc.collection)},
                {QStringLiteral("id"), doc.id},
                {QStringLiteral("title"), doc.title},
                {QStringLiteral("original_title"), doc.originalTitle},
                {QStringLiteral("overview"), doc.overview},
                {QStringLiteral("people"), (doc.cast + doc.directors).join(QLatin1Char(' '))},
                {QStringLiteral("cast_names"), QJsonArray::fromStringList(doc.cast)},
                {QStringLiteral("directors"), QJsonArray::fromStringList(doc.directors)},
                {QStringLiteral("genres"), QJsonArray::fromStringList(doc.genres)},
                {QStringLiteral("library"), doc.library},
                {QStringLiteral("content_rating"), doc.contentRating},
                {QStringLiteral("series_title"), doc.seriesTitle},
                {QStringLiteral("embedding"), vector}};
            if (doc.year > 0)
                o.insert(QStringLiteral("year"), doc.year);
            if (doc.season > 0)
                o.insert(QStringLiteral("season"), doc.season);
            if (doc.episode > 0)
                o.insert(QStringLiteral("episode"), doc.episode);
            batch.append(o);
            if (batch.size() >= kBatchSize && !flush())
                return std::nullopt;
        }
        if (!flush())
            return std::nullopt;
    }
    return report;
}

std::optional<int> PostgresSearchBackend::remove(SearchCollection collection,
                                                 const QStringList &ids, QString *error)
{
    if (ids.isEmpty())
        return 0;
    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    const PgResult r =
        pgExec(lease->db(),
               sqlFor("DELETE FROM %DOCS% WHERE collection = $1 AND id = ANY($2::text[])",
                      tablesFor(collection)),
               {collectionName(collection).toUtf8(), pgTextArray(ids)});
    if (!r.ok()) {
        if (error)
            *error = QStringLiteral("cannot remove search documents: %1").arg(r.error());
        return std::nullopt;
    }
    return int(r.affected());
}

std::optional<SearchResponse> PostgresSearchBackend::search(const SearchRequest &request,
                                                            QString *error)
{
    QElapsedTimer timer;
    timer.start();
    if (const auto invalid = validateSearchRequest(request)) {
        if (error)
            *error = *invalid;
        return std::nullopt;
    }
    const QList<SearchCollection> collections =
        request.collections.isEmpty() ? ordinaryCollections() : request.collections;
    const Tables &tables = tablesFor(collections.first());
    QStringList collectionNames;
    for (const SearchCollection c : collections)
        collectionNames.append(collectionName(c));

    const QString text = request.text.trimmed();
    const bool listing = text.isEmpty() || text == QLatin1String("*");
    const QStringList words = listing ? QStringList() : queryWords(text);
    if (!listing && words.isEmpty()) {
        // Only punctuation: nothing can match (never "everything").
        SearchResponse empty;
        empty.engine = engine();
        empty.page = request.page;
        for (const QString &f : request.facets)
            empty.facets.insert(f, {});
        empty.tookMs = timer.nsecsElapsed() / 1e6;
        return empty;
    }

    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    QSqlDatabase &db = lease->db();

    // Typo expansion: vocabulary words within each query word's typo budget, found through the
    // deletion-variant index and confirmed with the OSA distance.
    QList<QStringList> alternatives;
    for (const QString &w : words)
        alternatives.append({w});
    {
        QSet<QString> variants;
        for (const QString &w : words)
            if (const int k = allowedTypos(w, request.numTypos); k > 0)
                addDeletes(w, k, variants);
        if (!variants.isEmpty()) {
            const PgResult r =
                pgExec(db,
                       sqlFor("SELECT DISTINCT word FROM %DELETES% WHERE variant = ANY($1::text[])",
                              tables),
                       {pgTextArray(QStringList(variants.begin(), variants.end()))});
            if (!r.ok()) {
                qCWarning(lcPgSearch) << "typo expansion failed:" << r.error();
                if (error)
                    *error = QStringLiteral("search failed: %1").arg(r.error());
                return std::nullopt;
            }
            for (int row = 0; row < r.rows(); ++row) {
                const QString candidate = r.text(row, 0);
                for (qsizetype i = 0; i < words.size(); ++i) {
                    const int k = allowedTypos(words.at(i), request.numTypos);
                    if (k > 0 && candidate != words.at(i) &&
                        std::abs(candidate.size() - words.at(i).size()) <= k &&
                        typoDistance(candidate, words.at(i)) <= k)
                        alternatives[i].append(candidate);
                }
            }
        }
    }
    auto buildQuery = [&](bool fuzzy, const char *joiner, bool allowPrefix = true) {
        QStringList groups;
        for (qsizetype i = 0; i < words.size(); ++i) {
            const bool prefix = allowPrefix && request.prefix && i == words.size() - 1;
            QStringList terms;
            for (const QString &w : fuzzy ? alternatives.at(i) : QStringList{words.at(i)})
                terms.append(tsLexeme(w, prefix));
            groups.append(QLatin1Char('(') + terms.join(QLatin1String(" | ")) + QLatin1Char(')'));
        }
        return groups.join(QLatin1String(joiner)).toUtf8();
    };

    // Parameters: $1 collections, filters, then the text query's.
    QList<QByteArray> params{pgTextArray(collectionNames)};
    auto param = [&params](const QByteArray &value) {
        params.append(value);
        return QStringLiteral("$%1").arg(params.size());
    };
    QString where = QStringLiteral("d.collection = ANY($1::text[])");
    const SearchFilters &f = request.filters;
    if (!f.genres.isEmpty())
        where += QStringLiteral(" AND d.genres && %1::text[]").arg(param(pgTextArray(f.genres)));
    if (!f.directors.isEmpty())
        where +=
            QStringLiteral(" AND d.directors && %1::text[]").arg(param(pgTextArray(f.directors)));
    if (!f.libraries.isEmpty())
        where +=
            QStringLiteral(" AND d.library = ANY(%1::text[])").arg(param(pgTextArray(f.libraries)));
    if (!f.contentRatings.isEmpty())
        where += QStringLiteral(" AND d.content_rating = ANY(%1::text[])")
                     .arg(param(pgTextArray(f.contentRatings)));
    if (f.yearFrom > 0)
        where +=
            QStringLiteral(" AND d.year >= %1::int").arg(param(QByteArray::number(f.yearFrom)));
    if (f.yearTo > 0)
        where += QStringLiteral(" AND d.year <= %1::int").arg(param(QByteArray::number(f.yearTo)));
    const QList<QByteArray> filterParams = params;

    const int limit = request.perPage;
    const int offset = (request.page - 1) * request.perPage;
    QString order;
    switch (request.sort) {
    case SearchRequest::Sort::YearDesc:
        order = QStringLiteral("year DESC NULLS LAST, score DESC, title_norm, id");
        break;
    case SearchRequest::Sort::YearAsc:
        order = QStringLiteral("year ASC NULLS LAST, score DESC, title_norm, id");
        break;
    case SearchRequest::Sort::TitleAsc:
        order = QStringLiteral("title_norm, year DESC NULLS LAST, id");
        break;
    case SearchRequest::Sort::Relevance:
        order = listing ? QStringLiteral("year DESC NULLS LAST, title_norm, id")
                        : QStringLiteral("score DESC, year DESC NULLS LAST, title_norm, id");
        break;
    }
    // Facets are counted exactly over the matches (m) when they are few, and estimated from a
    // page sample of the matches (s, counts scaled up) when more than kCandidateCap match: counting
    // 90,000 matches per keystroke costs far more than the rest of the search.
    const int scale = 100 / kSamplePercent;
    auto facetsOver = [&](const char *source, int factor) {
        QStringList parts;
        for (const QString &facet : request.facets)
            parts.append(QStringLiteral("'%1', %2").arg(facet, facetSql(facet, source, factor)));
        return QStringLiteral("json_build_object(%1)").arg(parts.join(QLatin1String(", ")));
    };
    const QString facetsSql =
        request.facets.isEmpty()
            ? QStringLiteral("'{}'::json")
            : QStringLiteral("CASE WHEN (SELECT broad FROM cap) THEN %1 ELSE %2 END")
                  .arg(facetsOver("s", scale), facetsOver("m", 1));
    const QString sampleSql =
        QStringLiteral("s AS (SELECT d.year, d.genres, d.directors, d.library, d.content_rating "
                       "FROM %DOCS% d TABLESAMPLE SYSTEM (%1) REPEATABLE (0)%2 WHERE %3%4)");

    // How text candidates are found: the tsvector (exact words, typo expansions, last-word
    // prefix), or, when that finds nothing, trigram similarity of the whole title.
    enum class Match
    {
        Words,
        Trigram
    };
    // Broad queries (more than kCandidateCap matches: "the", "t", "st", "*") are answered
    // without visiting every match:
    // - relevance-ranked text searches score kCandidateCap matches taken as the index yields
    //   them, plus up to kCandidateCap titles that start with the query and every title equal to
    //   it (btree lookups) - the items the title score ranks highest;
    // - `found` is then an estimate (matches in a kSamplePercent page sample, scaled up; never
    //   below the candidates) - SearchResponse has no flag for that: a broad query's count is
    //   approximate, as a search-as-you-type count may be;
    // - facets are estimated from the same sample.
    // Searches with at most kCandidateCap matches (nearly every real query) are exact, as are
    // `found` for listings and the hits of other sorts.
    auto run = [&](const QByteArray &tsquery, Match match) -> PgResult {
        params = filterParams;
        QString sql;
        QString found;
        if (listing) {
            sql = QStringLiteral(
                      "WITH m AS (SELECT d.collection, d.id, d.title_norm, d.year, d.genres, "
                      "d.directors, d.library, d.content_rating FROM %DOCS% d WHERE %1), "
                      "n AS MATERIALIZED (SELECT count(*) AS n FROM %DOCS% d WHERE %1), "
                      "cap AS (SELECT n > %5 AS broad FROM n), %6, "
                      "p AS (SELECT x.collection, x.id, x.score, row_number() OVER () AS ord FROM "
                      "(SELECT d.collection, d.id, 0::float8 AS score FROM %DOCS% d WHERE %1 "
                      "ORDER BY %2 LIMIT %3 OFFSET %4) x) ")
                      .arg(where, order)
                      .arg(limit)
                      .arg(offset)
                      .arg(kCandidateCap)
                      .arg(sampleSql.arg(kSamplePercent).arg(QString(), where, QString()));
            found = QStringLiteral("(SELECT n FROM n)");
        } else {
            const QString tsq = param(tsquery);
            const QString qn = param(text.toUtf8());
            const bool byRelevance = request.sort == SearchRequest::Sort::Relevance;
            // Typesense ranks fewer typos first, and whole words above prefixes.
            const QString exact = byRelevance ? param(buildQuery(false, " & ")) : QString();
            const QString whole = byRelevance ? param(buildQuery(false, " & ", false)) : QString();
            const QString matchSql = match == Match::Words
                                         ? QStringLiteral("d.tsv @@ %1::tsquery").arg(tsq)
                                         : QStringLiteral("d.title_norm % q.qn");
            // The title score is cheap (no tsvector read) and ranks every candidate; the full
            // score adds ts_rank_cd over the weighted tsvector for the best kRankWindow of them.
            const QString titleScore =
                QStringLiteral("(CASE WHEN d.title_norm = q.qn THEN 100 ELSE 0 END"
                               " + CASE WHEN starts_with(d.title_norm, q.qn) THEN 10 ELSE 0 END"
                               " + %1 * similarity(d.title_norm, q.qn))")
                    // Trigram matches were found by title similarity: let it dominate their order.
                    .arg(match == Match::Words ? 10 : 60);
            const QString ranked =
                byRelevance
                    ? QStringLiteral(
                          "r AS (SELECT t.collection, t.id, t.title_norm, t.year, t.score"
                          " + 4 * ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', d.tsv, %1::tsquery)"
                          " + CASE WHEN d.tsv @@ %2::tsquery THEN 15 ELSE 0 END"
                          " + CASE WHEN d.tsv @@ %3::tsquery THEN 12 ELSE 0 END AS score"
                          " FROM (SELECT * FROM m ORDER BY score DESC, title_norm, id LIMIT %4) t"
                          " JOIN %DOCS% d ON d.collection = t.collection AND d.id = t.id)")
                          .arg(tsq, exact, whole)
                          .arg(std::max(kRankWindow, offset + limit))
                    : QStringLiteral("r AS (SELECT * FROM m)");
            // Other sorts need every match in order: only relevance caps the candidates.
            const QString candidates =
                byRelevance
                    ? QStringLiteral(
                          "m0 AS MATERIALIZED (SELECT d.collection, d.id FROM %DOCS% d, q "
                          "WHERE %1 AND %2 LIMIT %3), "
                          "cap AS (SELECT count(*) > %4 AS broad FROM m0), "
                          "c AS (SELECT collection, id FROM m0 UNION "
                          "(SELECT d.collection, d.id FROM %DOCS% d, q "
                          "WHERE (SELECT broad FROM cap) AND %1 AND d.title_norm ~>=~ q.qn "
                          "AND d.title_norm ~<~ (q.qn || chr(1114111)) "
                          "AND starts_with(d.title_norm, q.qn) AND %2 LIMIT %4) UNION "
                          "(SELECT d.collection, d.id FROM %DOCS% d, q "
                          "WHERE (SELECT broad FROM cap) AND %1 AND d.title_norm = q.qn AND %2))")
                          .arg(where, matchSql)
                          .arg(kCandidateCap + 1)
                          .arg(kCandidateCap)
                    : QStringLiteral("c AS (SELECT d.collection, d.id FROM %DOCS% d, q "
                                     "WHERE %1 AND %2), "
                                     "cap AS (SELECT count(*) > %3 AS broad FROM c)")
                          .arg(where, matchSql)
                          .arg(kCandidateCap);
            sql =
                QStringLiteral(
                    "WITH q AS (SELECT shared.search_norm(%1::text) AS qn), %2, "
                    "m AS MATERIALIZED (SELECT d.collection, d.id, d.title_norm, d.year, "
                    "d.genres, d.directors, d.library, d.content_rating, %3 AS score "
                    "FROM c JOIN %DOCS% d ON d.collection = c.collection AND d.id = c.id, q), "
                    "%4, %5, "
                    "p AS (SELECT r.collection, r.id, r.score, row_number() OVER () AS ord FROM "
                    "(SELECT * FROM r ORDER BY %6 LIMIT %7 OFFSET %8) r) ")
                    .arg(qn, candidates, titleScore,
                         sampleSql.arg(kSamplePercent)
                             .arg(QStringLiteral(", q"), where, QStringLiteral(" AND ") + matchSql),
                         ranked, order)
                    .arg(limit)
                    .arg(offset);
            found = byRelevance ? QStringLiteral("CASE WHEN (SELECT broad FROM cap) THEN "
                                                 "greatest((SELECT count(*) FROM s) * %1, %2) "
                                                 "ELSE (SELECT count(*) FROM m) END")
                                      .arg(scale)
                                      .arg(kCandidateCap + 1)
                                : QStringLiteral("(SELECT count(*) FROM m)");
        }
        sql += QStringLiteral("SELECT %3, "
                              "(SELECT coalesce(json_agg(%1 ORDER BY p.ord), '[]'::json) FROM p "
                              "JOIN %DOCS% d ON d.collection = p.collection AND d.id = p.id), %2")
                   .arg(QLatin1String(kHitJson), facetsSql, found);
        return pgExec(db, sqlFor(sql.toUtf8().constData(), tables), params);
    };

    PgResult r = run(listing ? QByteArray() : buildQuery(true, " & "), Match::Words);
    // Nothing has every word (a typo beyond the per-word budget, a short word mistyped): titles
    // similar as a whole (pg_trgm's % with its 0.3 threshold, GIN-indexed); then, like
    // Typesense's token dropping, any of the words. The trigram step goes beyond the per-word
    // typo budget, so only the default, most tolerant requests (2 typos, prefix) take it.
    if (r.ok() && !listing && r.toInt(0, 0) == 0 && request.numTypos == 2 && request.prefix)
        r = run(buildQuery(true, " | "), Match::Trigram);
    if (r.ok() && !listing && words.size() > 1 && r.toInt(0, 0) == 0)
        r = run(buildQuery(true, " | "), Match::Words);
    if (!r.ok()) {
        qCWarning(lcPgSearch) << "search failed:" << r.error();
        if (error)
            *error = QStringLiteral("search failed: %1").arg(r.error());
        return std::nullopt;
    }
    SearchResponse response = readResponse(r, request.page);
    response.tookMs = timer.nsecsElapsed() / 1e6;
    return response;
}

std::optional<QList<SearchResponse>>
PostgresSearchBackend::multiSearch(const QList<SearchRequest> &requests, QString *error)
{
    QList<SearchResponse> responses;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        QString why;
        auto response = search(requests.at(i), &why);
        if (!response) {
            if (error)
                *error = QStringLiteral("search %1: %2").arg(i + 1).arg(why);
            return std::nullopt;
        }
        responses.append(*response);
    }
    return responses;
}

std::optional<SearchResponse> PostgresSearchBackend::similar(SearchCollection collection,
                                                             const QString &id, int k,
                                                             bool allowAdult, QString *error)
{
    QElapsedTimer timer;
    timer.start();
    if (isAdult(collection) && !allowAdult) {
        if (error)
            *error = QStringLiteral("adult collections need the adult permission");
        return std::nullopt;
    }
    if (k < 1 || k > 250) {
        if (error)
            *error = QStringLiteral("k %1 is out of range 1-250").arg(k);
        return std::nullopt;
    }
    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    // Exact cosine (the stored vectors are normalised: a dot product) over candidates that share
    // people or genres with the item; the whole collection only when it has neither.
    static const char *const kSimilar =
        "WITH item AS (SELECT embedding, genres, directors, cast_names FROM %DOCS% "
        "  WHERE collection = $1 AND id = $2), "
        "cand AS ("
        "  (SELECT d.id FROM %DOCS% d, item WHERE d.collection = $1 AND d.id <> $2 "
        "     AND (d.directors && item.directors OR d.cast_names && item.cast_names) LIMIT 500) "
        "  UNION (SELECT d.id FROM %DOCS% d, item WHERE d.collection = $1 AND d.id <> $2 "
        "     AND cardinality(item.genres) > 0 AND d.genres @> item.genres LIMIT 1000) "
        "  UNION (SELECT d.id FROM %DOCS% d, item WHERE d.collection = $1 AND d.id <> $2 "
        "     AND d.genres && item.genres LIMIT 300) "
        "  UNION (SELECT d.id FROM %DOCS% d, item WHERE d.collection = $1 AND d.id <> $2 "
        "     AND cardinality(item.genres) = 0 AND cardinality(item.directors) = 0 LIMIT 2000)), "
        "p AS (SELECT s.collection, s.id, s.score, row_number() OVER () AS ord FROM ("
        "  SELECT d.collection, d.id, (SELECT coalesce(sum(a * b), 0) FROM unnest(d.embedding, "
        "item.embedding) "
        "    AS v(a, b))::float8 AS score FROM cand JOIN %DOCS% d ON d.collection = $1 AND d.id = "
        "cand.id, item "
        "  ORDER BY score DESC, d.id LIMIT $3::int) s) "
        "SELECT (SELECT count(*) FROM item), "
        "  (SELECT coalesce(json_agg(%HIT% ORDER BY p.ord), '[]'::json) FROM p "
        "   JOIN %DOCS% d ON d.collection = p.collection AND d.id = p.id)";
    const QByteArray sql = sqlFor(kSimilar, tablesFor(collection)).replace("%HIT%", kHitJson);
    const PgResult r =
        pgExec(lease->db(), sql,
               {collectionName(collection).toUtf8(), id.toUtf8(), QByteArray::number(k)});
    if (!r.ok()) {
        qCWarning(lcPgSearch) << "similar failed:" << r.error();
        if (error)
            *error = QStringLiteral("similar failed: %1").arg(r.error());
        return std::nullopt;
    }
    if (r.toInt(0, 0) == 0) {
        if (error)
            *error = QStringLiteral("no document %1 in %2").arg(id, collectionName(collection));
        return std::nullopt;
    }
    SearchResponse response = readResponse(r, 1);
    response.found = int(response.hits.size());
    response.tookMs = timer.nsecsElapsed() / 1e6;
    return response;
}

} // namespace Revenge
