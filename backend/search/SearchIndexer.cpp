#include "SearchIndexer.h"

#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

namespace Revenge {

namespace {

// People of an item by role, in credit order.
QByteArray people(const char *itemColumn, const char *roles)
{
    return QByteArray(
               "coalesce((SELECT json_agg(p.name ORDER BY c.sort_order) FROM media.credits c "
               "JOIN media.people p ON p.id = c.person_id WHERE c.item_id = ") +
           itemColumn + " AND c.role IN (" + roles + ")), '[]')";
}

QByteArray genres(const char *itemColumn)
{
    return QByteArray(
               "coalesce((SELECT json_agg(g.name::text ORDER BY g.name) FROM media.item_genres ig "
               "JOIN media.genres g ON g.id = ig.genre_id WHERE ig.item_id = ") +
           itemColumn + "), '[]')";
}

// Adult items: performers as the cast, tags as the genres.
QByteArray adultPerformers()
{
    return "coalesce((SELECT json_agg(p.name ORDER BY pc.sort_order) FROM c.performer_credits pc "
           "JOIN c.performers p ON p.id = pc.performer_id WHERE pc.item_id = x.id), '[]')";
}

QByteArray adultTags()
{
    return "coalesce((SELECT json_agg(t.name::text ORDER BY t.name) FROM c.item_tags it "
           "JOIN c.tags t ON t.id = it.tag_id WHERE it.item_id = x.id), '[]')";
}

// Movies and series: the same document from a table with the same columns.
QByteArray titled(const char *table, const char *directorRoles)
{
    return "SELECT json_build_object('id', x.id, 'title', x.title, 'original_title', "
           "x.original_title, "
           "'overview', x.overview, 'year', x.year, 'library', l.name, 'content_rating', "
           "x.content_rating, "
           "'cast', " +
           people("x.id", "'actor','guest_star'") + ", 'directors', " +
           people("x.id", directorRoles) + ", 'genres', " + genres("x.id") + ") FROM " + table +
           " x JOIN shared.libraries l ON l.id = x.library_id WHERE true";
}

// One SELECT per collection producing a JSON object per item; $1 ids (or NULL), $2 after id, $3
// limit.
QByteArray selectFor(SearchCollection c)
{
    const QByteArray page =
        " AND ($1::uuid[] IS NULL OR x.id = ANY($1::uuid[])) AND x.id > $2::uuid "
        "ORDER BY x.id LIMIT $3";
    switch (c) {
    case SearchCollection::Movies:
        return titled("media.movies", "'director'") + page;
    case SearchCollection::Series:
        return titled("media.series", "'director','creator'") + page;
    case SearchCollection::Episodes:
        return "SELECT json_build_object('id', x.id, 'title', coalesce(x.title, s.title || ' S' || "
               "x.season_number "
               "|| 'E' || coalesce(x.episode_number::text, '?')), 'overview', x.overview, "
               "'year', extract(year FROM x.air_date)::int, 'library', l.name, 'content_rating', "
               "s.content_rating, "
               "'series_title', s.title, 'season', x.season_number, 'episode', x.episode_number, "
               "'cast', " +
               people("x.id", "'actor','guest_star'") + ", 'directors', " +
               people("x.id", "'director'") + ", 'genres', " + genres("s.id") +
               ") FROM media.episodes x JOIN media.series s ON s.id = x.series_id "
               "JOIN shared.libraries l ON l.id = x.library_id WHERE true" +
               page;
    case SearchCollection::Artists:
        return "SELECT json_build_object('id', x.id, 'title', x.name, 'overview', x.overview, "
               "'library', l.name, "
               "'genres', " +
               genres("x.id") +
               ") FROM media.music_artists x JOIN shared.libraries l ON l.id = x.library_id WHERE "
               "true" +
               page;
    case SearchCollection::Albums:
        return "SELECT json_build_object('id', x.id, 'title', x.title, 'overview', x.overview, "
               "'year', x.year, "
               "'library', l.name, 'cast', coalesce(json_build_array(a.name), '[]'), 'genres', " +
               genres("x.id") +
               ") FROM media.music_albums x JOIN shared.libraries l ON l.id = x.library_id "
               "LEFT JOIN media.music_artists a ON a.id = x.artist_id WHERE true" +
               page;
    case SearchCollection::Tracks:
        return "SELECT json_build_object('id', x.id, 'title', x.title, 'year', al.year, 'library', "
               "l.name, "
               "'series_title', al.title, 'cast', coalesce(json_build_array(a.name), '[]'), "
               "'genres', " +
               genres("x.id") +
               ") FROM media.music_tracks x JOIN shared.libraries l ON l.id = x.library_id "
               "LEFT JOIN media.music_albums al ON al.id = x.album_id "
               "LEFT JOIN media.music_artists a ON a.id = x.artist_id WHERE true" +
               page;
    case SearchCollection::People:
        return "SELECT json_build_object('id', x.id, 'title', x.name, 'overview', x.biography, "
               "'year', extract(year FROM x.birth_date)::int) FROM media.people x WHERE true" +
               page;
    case SearchCollection::AdultMovies:
        return "SELECT json_build_object('id', x.id, 'title', x.title, 'original_title', "
               "x.original_title, "
               "'overview', x.overview, 'year', x.year, 'library', l.name, "
               "'directors', CASE WHEN x.director IS NULL THEN '[]'::json ELSE "
               "json_build_array(x.director) END, "
               "'cast', " +
               adultPerformers() + ", 'genres', " + adultTags() +
               ") "
               "FROM c.movies x JOIN shared.libraries l ON l.id = x.library_id WHERE true" +
               page;
    case SearchCollection::AdultScenes:
        return "SELECT json_build_object('id', x.id, 'title', x.title, 'overview', x.overview, "
               "'year', extract(year FROM x.release_date)::int, 'library', l.name, 'series_title', "
               "m.title, "
               "'cast', " +
               adultPerformers() + ", 'genres', " + adultTags() +
               ") "
               "FROM c.scenes x JOIN shared.libraries l ON l.id = x.library_id "
               "LEFT JOIN c.movies m ON m.id = x.movie_id WHERE true" +
               page;
    }
    return {};
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        if (e.isString())
            out << e.toString();
    return out;
}

SearchDocument toDocument(SearchCollection c, const QJsonObject &o)
{
    SearchDocument d;
    d.id = o.value(QStringLiteral("id")).toString();
    d.collection = c;
    d.title = o.value(QStringLiteral("title")).toString();
    d.originalTitle = o.value(QStringLiteral("original_title")).toString();
    d.overview = o.value(QStringLiteral("overview")).toString();
    d.year = o.value(QStringLiteral("year")).toInt();
    d.library = o.value(QStringLiteral("library")).toString();
    d.contentRating = o.value(QStringLiteral("content_rating")).toString();
    d.seriesTitle = o.value(QStringLiteral("series_title")).toString();
    d.season = o.value(QStringLiteral("season")).toInt();
    d.episode = o.value(QStringLiteral("episode")).toInt();
    d.cast = strings(o.value(QStringLiteral("cast")));
    d.directors = strings(o.value(QStringLiteral("directors")));
    d.genres = strings(o.value(QStringLiteral("genres")));
    return d;
}

QByteArray uuidArray(const QStringList &ids)
{
    return "{" + ids.join(QLatin1Char(',')).toUtf8() + "}";
}

} // namespace

SearchIndexer::SearchIndexer(std::shared_ptr<DatabasePool> pool, SearchBackend *backend)
    : m_pool(std::move(pool))
    , m_backend(backend)
{}

std::optional<QList<SearchDocument>> SearchIndexer::load(SearchCollection collection,
                                                         const QStringList &ids,
                                                         const QString &afterId, int limit,
                                                         QString *error)
{
    for (const QString &id : ids) {
        if (QUuid::fromString(id).isNull()) {
            if (error)
                *error = QStringLiteral("'%1' is not an item id").arg(id.left(64));
            return std::nullopt;
        }
    }
    QString e;
    auto lease = m_pool->acquire(5000, &e);
    if (!lease) {
        if (error)
            *error = e;
        return std::nullopt;
    }
    const PgResult r = pgExec(
        lease->db(), selectFor(collection),
        {ids.isEmpty() ? QByteArray() : uuidArray(ids),
         (afterId.isEmpty() ? QStringLiteral("00000000-0000-0000-0000-000000000000") : afterId)
             .toUtf8(),
         QByteArray::number(limit)});
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    QList<SearchDocument> docs;
    docs.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        docs << toDocument(collection, QJsonDocument::fromJson(r.bytes(i, 0)).object());
    return docs;
}

std::optional<IndexReport> SearchIndexer::index(SearchCollection collection, const QStringList &ids,
                                                QString *error)
{
    const auto docs = load(collection, ids, {}, std::max<int>(1, int(ids.size())), error);
    if (!docs)
        return std::nullopt;
    IndexReport report;
    if (!docs->isEmpty()) {
        const auto r = m_backend->upsert(*docs, error);
        if (!r)
            return std::nullopt;
        report = *r;
    }
    // Ids that no longer exist were deleted: take them out of the index too.
    QSet<QString> present;
    for (const SearchDocument &d : *docs)
        present.insert(d.id);
    QStringList gone;
    for (const QString &id : ids)
        if (!present.contains(id))
            gone << id;
    if (!gone.isEmpty() && !m_backend->remove(collection, gone, error))
        return std::nullopt;
    return report;
}

std::optional<IndexReport>
SearchIndexer::reindexAll(const Progress &progress, const std::atomic<bool> *cancel, QString *error)
{
    IndexReport total;
    QList<SearchCollection> all = ordinaryCollections() + adultCollections();
    for (SearchCollection c : all) {
        QString after;
        qint64 done = 0;
        for (;;) {
            if (cancel && cancel->load()) {
                if (error)
                    *error = QStringLiteral("cancelled");
                return std::nullopt;
            }
            const auto docs = load(c, {}, after, 1000, error);
            if (!docs)
                return std::nullopt;
            if (docs->isEmpty())
                break;
            const auto r = m_backend->upsert(*docs, error);
            if (!r)
                return std::nullopt;
            total.indexed += r->indexed;
            total.failures += r->failures;
            done += docs->size();
            after = docs->last().id;
            if (progress)
                progress(collectionName(c), done, 0);
            if (docs->size() < 1000)
                break;
        }
    }
    return total;
}

} // namespace Revenge
