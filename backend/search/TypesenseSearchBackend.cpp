#include "TypesenseSearchBackend.h"

#include "Embedding.h"

#include <QElapsedTimer>
#include <QJsonArray>

namespace Revenge {

namespace {

QString message(const TypesenseError &e)
{
    return e.message;
}

QJsonArray toArray(const QVector<float> &v)
{
    QJsonArray a;
    for (float x : v)
        a.append(double(x));
    return a;
}

// "field:[`a`,`b`]" with every value backtick-quoted; nullopt with the error when one cannot be.
std::optional<QString> anyOf(const QString &field, const QStringList &values, QString *error)
{
    QStringList quoted;
    for (const QString &v : values) {
        TypesenseError e;
        const auto q = TypesenseClient::quoteFilterValue(v, &e);
        if (!q) {
            if (error)
                *error = e.message;
            return std::nullopt;
        }
        quoted << *q;
    }
    return QStringLiteral("%1:[%2]").arg(field, quoted.join(QLatin1Char(',')));
}

} // namespace

TypesenseSearchBackend::TypesenseSearchBackend(TypesenseSettings settings)
    : m_client(std::move(settings))
{}

bool TypesenseSearchBackend::isAvailable(QString *why)
{
    TypesenseError e;
    const auto ok = m_client.health(&e);
    if (ok && *ok)
        return true;
    if (why)
        *why = ok ? QStringLiteral("Typesense reports itself unhealthy %1").arg(e.message)
                  : message(e);
    return false;
}

QJsonObject TypesenseSearchBackend::schema(SearchCollection c)
{
    auto field = [](const char *name, const char *type, bool facet = false, bool optional = true) {
        return QJsonObject{{QStringLiteral("name"), QLatin1String(name)},
                           {QStringLiteral("type"), QLatin1String(type)},
                           {QStringLiteral("facet"), facet},
                           {QStringLiteral("optional"), optional}};
    };
    QJsonArray fields{field("title", "string", false, false),
                      field("original_title", "string"),
                      field("series_title", "string"),
                      field("overview", "string"),
                      field("cast", "string[]"),
                      field("directors", "string[]", true),
                      field("genres", "string[]", true),
                      field("year", "int32", true),
                      field("library", "string", true),
                      field("content_rating", "string", true),
                      field("season", "int32"),
                      field("episode", "int32")};
    QJsonObject embedding = field("embedding", "float[]");
    embedding.insert(QStringLiteral("num_dim"), Embedding::kDimensions);
    embedding.insert(QStringLiteral("vec_dist"), QStringLiteral("cosine"));
    fields.append(embedding);
    return {{QStringLiteral("name"), typesenseName(c)}, {QStringLiteral("fields"), fields}};
}

bool TypesenseSearchBackend::prepare(QString *error)
{
    for (SearchCollection c : ordinaryCollections() + adultCollections()) {
        TypesenseError e;
        if (m_client.getCollection(typesenseName(c), &e))
            continue;
        if (e.httpStatus != 404 || !m_client.createCollection(schema(c), &e)) {
            if (error)
                *error = message(e);
            return false;
        }
    }
    return true;
}

QJsonObject TypesenseSearchBackend::toTypesense(const SearchDocument &d)
{
    QJsonObject o{{QStringLiteral("id"), d.id}, {QStringLiteral("title"), d.title}};
    auto text = [&](const char *key, const QString &v) {
        if (!v.isEmpty())
            o.insert(QLatin1String(key), v);
    };
    text("original_title", d.originalTitle);
    text("series_title", d.seriesTitle);
    text("overview", d.overview);
    text("library", d.library);
    text("content_rating", d.contentRating);
    if (!d.cast.isEmpty())
        o.insert(QStringLiteral("cast"), QJsonArray::fromStringList(d.cast));
    if (!d.directors.isEmpty())
        o.insert(QStringLiteral("directors"), QJsonArray::fromStringList(d.directors));
    if (!d.genres.isEmpty())
        o.insert(QStringLiteral("genres"), QJsonArray::fromStringList(d.genres));
    if (d.year > 0)
        o.insert(QStringLiteral("year"), d.year);
    if (d.season > 0)
        o.insert(QStringLiteral("season"), d.season);
    if (d.episode > 0)
        o.insert(QStringLiteral("episode"), d.episode);
    o.insert(QStringLiteral("embedding"),
             toArray(d.embedding.isEmpty() ? Embedding::compute(d) : d.embedding));
    return o;
}

std::optional<IndexReport> TypesenseSearchBackend::upsert(const QList<SearchDocument> &documents,
                                                          QString *error)
{
    // One import per collection; Typesense answers each line, and failed lines are reported.
    QMap<int, QList<QJsonObject>> byCollection;
    QMap<int, QStringList> ids;
    for (const SearchDocument &d : documents) {
        byCollection[int(d.collection)] << toTypesense(d);
        ids[int(d.collection)] << d.id;
    }
    IndexReport report;
    for (auto it = byCollection.begin(); it != byCollection.end(); ++it) {
        TypesenseError e;
        const auto r = m_client.importDocuments(typesenseName(SearchCollection(it.key())),
                                                it.value(), QStringLiteral("upsert"), &e);
        if (!r) {
            if (error)
                *error = message(e);
            return std::nullopt;
        }
        report.indexed += r->ok;
        for (const ImportFailure &f : r->failures)
            report.failures.append({ids[it.key()].value(f.line - 1), f.error});
    }
    return report;
}

std::optional<int> TypesenseSearchBackend::remove(SearchCollection collection,
                                                  const QStringList &ids, QString *error)
{
    if (ids.isEmpty())
        return 0;
    const auto filter = anyOf(QStringLiteral("id"), ids, error);
    if (!filter)
        return std::nullopt;
    TypesenseError e;
    const auto n = m_client.deleteByFilter(typesenseName(collection), *filter, &e);
    if (!n && error)
        *error = message(e);
    return n;
}

std::optional<QJsonObject> TypesenseSearchBackend::parameters(const SearchRequest &r,
                                                              SearchCollection c, QString *error)
{
    QJsonObject p{
        {QStringLiteral("collection"), typesenseName(c)},
        {QStringLiteral("q"), r.text.trimmed().isEmpty() ? QStringLiteral("*") : r.text},
        {QStringLiteral("query_by"),
         QStringLiteral("title,original_title,series_title,cast,directors,overview")},
        {QStringLiteral("query_by_weights"), QStringLiteral("8,5,4,2,2,1")},
        {QStringLiteral("num_typos"), r.numTypos},
        {QStringLiteral("min_len_1typo"), 4},
        {QStringLiteral("min_len_2typo"), 7},
        {QStringLiteral("prefix"), r.prefix ? QStringLiteral("true") : QStringLiteral("false")},
        {QStringLiteral("page"), r.page},
        {QStringLiteral("per_page"), r.perPage},
        {QStringLiteral("exclude_fields"), QStringLiteral("embedding")}};
    QStringList filters;
    auto addAnyOf = [&](const char *field, const QStringList &values) {
        if (values.isEmpty())
            return true;
        const auto f = anyOf(QLatin1String(field), values, error);
        if (f)
            filters << *f;
        return f.has_value();
    };
    if (!addAnyOf("genres", r.filters.genres) || !addAnyOf("directors", r.filters.directors) ||
        !addAnyOf("library", r.filters.libraries) ||
        !addAnyOf("content_rating", r.filters.contentRatings))
        return std::nullopt;
    if (r.filters.yearFrom)
        filters << QStringLiteral("year:>=%1").arg(r.filters.yearFrom);
    if (r.filters.yearTo)
        filters << QStringLiteral("year:<=%1").arg(r.filters.yearTo);
    if (!filters.isEmpty())
        p.insert(QStringLiteral("filter_by"), filters.join(QStringLiteral(" && ")));
    if (!r.facets.isEmpty())
        p.insert(QStringLiteral("facet_by"), r.facets.join(QLatin1Char(',')));
    switch (r.sort) {
    case SearchRequest::Sort::Relevance:
        break;
    case SearchRequest::Sort::YearDesc:
        p.insert(QStringLiteral("sort_by"), QStringLiteral("year:desc"));
        break;
    case SearchRequest::Sort::YearAsc:
        p.insert(QStringLiteral("sort_by"), QStringLiteral("year:asc"));
        break;
    case SearchRequest::Sort::TitleAsc:
        p.insert(QStringLiteral("sort_by"),
                 QStringLiteral("_text_match:desc")); // titles are not sortable fields
        break;
    }
    return p;
}

std::optional<SearchResponse> TypesenseSearchBackend::toResponse(const QJsonObject &result,
                                                                 SearchCollection c) const
{
    SearchResponse out;
    out.engine = engine();
    out.found = result.value(QStringLiteral("found")).toInt();
    out.page = result.value(QStringLiteral("page")).toInt(1);
    out.tookMs = result.value(QStringLiteral("search_time_ms")).toDouble();
    for (const QJsonValue &h : result.value(QStringLiteral("hits")).toArray()) {
        const QJsonObject hit = h.toObject();
        const QJsonObject doc = hit.value(QStringLiteral("document")).toObject();
        SearchHit sh;
        sh.id = doc.value(QStringLiteral("id")).toString();
        sh.collection = c;
        sh.title = doc.value(QStringLiteral("title")).toString();
        sh.year = doc.value(QStringLiteral("year")).toInt();
        sh.score = hit.contains(QStringLiteral("vector_distance"))
                       ? 1.0 - hit.value(QStringLiteral("vector_distance")).toDouble()
                       : hit.value(QStringLiteral("text_match")).toDouble();
        sh.document = doc;
        out.hits << sh;
    }
    for (const QJsonValue &f : result.value(QStringLiteral("facet_counts")).toArray()) {
        const QJsonObject facet = f.toObject();
        QList<FacetValue> values;
        for (const QJsonValue &v : facet.value(QStringLiteral("counts")).toArray())
            values << FacetValue{v.toObject().value(QStringLiteral("value")).toString(),
                                 v.toObject().value(QStringLiteral("count")).toInt()};
        out.facets.insert(facet.value(QStringLiteral("field_name")).toString(), values);
    }
    return out;
}

std::optional<SearchResponse> TypesenseSearchBackend::search(const SearchRequest &request,
                                                             QString *error)
{
    const auto all = multiSearch({request}, error);
    if (!all)
        return std::nullopt;
    return all->first();
}

std::optional<QList<SearchResponse>>
TypesenseSearchBackend::multiSearch(const QList<SearchRequest> &requests, QString *error)
{
    // Each request may span collections: one Typesense search per (request, collection), merged
    // back per request by score.
    QJsonArray searches;
    QList<std::pair<int, SearchCollection>> origin;
    for (int i = 0; i < requests.size(); ++i) {
        if (auto invalid = validateSearchRequest(requests[i])) {
            if (error)
                *error = *invalid;
            return std::nullopt;
        }
        const QList<SearchCollection> collections =
            requests[i].collections.isEmpty() ? ordinaryCollections() : requests[i].collections;
        for (SearchCollection c : collections) {
            auto p = parameters(requests[i], c, error);
            if (!p)
                return std::nullopt;
            searches.append(*p);
            origin.append({i, c});
        }
    }
    QElapsedTimer t;
    t.start();
    TypesenseError e;
    const auto results = m_client.multiSearch(searches, {}, &e);
    if (!results) {
        if (error)
            *error = message(e);
        return std::nullopt;
    }
    QList<SearchResponse> out(requests.size());
    for (qsizetype j = 0; j < results->size() && j < origin.size(); ++j) {
        const QJsonObject r = results->at(j).toObject();
        if (r.contains(QStringLiteral("error"))) {
            if (error)
                *error = QStringLiteral("Typesense %1: %2")
                             .arg(r.value(QStringLiteral("code")).toInt())
                             .arg(r.value(QStringLiteral("error")).toString());
            return std::nullopt;
        }
        const auto part = toResponse(r, origin[j].second);
        SearchResponse &merged = out[origin[j].first];
        merged.engine = engine();
        merged.page = part->page;
        merged.found += part->found;
        merged.hits += part->hits;
        for (auto f = part->facets.begin(); f != part->facets.end(); ++f)
            merged.facets[f.key()] += f.value();
    }
    for (int i = 0; i < out.size(); ++i) {
        std::stable_sort(out[i].hits.begin(), out[i].hits.end(),
                         [](const SearchHit &a, const SearchHit &b) { return a.score > b.score; });
        while (out[i].hits.size() > requests[i].perPage)
            out[i].hits.removeLast();
        out[i].tookMs = t.nsecsElapsed() / 1e6;
    }
    return out;
}

std::optional<SearchResponse> TypesenseSearchBackend::similar(SearchCollection collection,
                                                              const QString &id, int k,
                                                              bool allowAdult, QString *error)
{
    if (isAdult(collection) && !allowAdult) {
        if (error)
            *error = QStringLiteral("adult collections need the adult permission");
        return std::nullopt;
    }
    TypesenseError e;
    const auto quoted = TypesenseClient::quoteFilterValue(id, &e);
    if (!quoted) {
        if (error)
            *error = e.message;
        return std::nullopt;
    }
    // The item's own vector first, then its nearest neighbours (excluding itself).
    QUrlQuery find;
    find.addQueryItem(QStringLiteral("q"), QStringLiteral("*"));
    find.addQueryItem(QStringLiteral("filter_by"), QString(QStringLiteral("id:=") + *quoted));
    find.addQueryItem(QStringLiteral("include_fields"), QStringLiteral("id,embedding"));
    const auto found = m_client.search(typesenseName(collection), find, &e);
    if (!found) {
        if (error)
            *error = e.message;
        return std::nullopt;
    }
    const QJsonArray hits = found->value(QStringLiteral("hits")).toArray();
    if (hits.isEmpty()) {
        if (error)
            *error = QStringLiteral("no item %1 in %2").arg(id, collectionName(collection));
        return std::nullopt;
    }
    const QJsonArray vector =
        hits.first()[QStringLiteral("document")][QStringLiteral("embedding")].toArray();
    QStringList values;
    for (const QJsonValue &v : vector)
        values << QString::number(v.toDouble(), 'g', 6);
    QJsonObject p{
        {QStringLiteral("collection"), typesenseName(collection)},
        {QStringLiteral("q"), QStringLiteral("*")},
        {QStringLiteral("vector_query"),
         QStringLiteral("embedding:([%1], k:%2)").arg(values.join(QLatin1Char(','))).arg(k + 1)},
        {QStringLiteral("filter_by"), QString(QStringLiteral("id:!=") + *quoted)},
        {QStringLiteral("per_page"), k},
        {QStringLiteral("exclude_fields"), QStringLiteral("embedding")}};
    const auto results = m_client.multiSearch(QJsonArray{p}, {}, &e);
    if (!results || results->isEmpty()) {
        if (error)
            *error = e.message;
        return std::nullopt;
    }
    return toResponse(results->first().toObject(), collection);
}

} // namespace Revenge
