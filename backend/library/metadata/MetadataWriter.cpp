#include "MetadataWriter.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QUuid>
#include <cmath>

namespace Revenge {

namespace {

// Where each field of MediaMetadata lives in one item table; nullptr: the table has no such
// column and the field is ignored. Names are fixed here, never taken from input.
struct TableSpec
{
    const char *table = nullptr;
    const char *title = "title";
    const char *sortTitle = nullptr;
    const char *originalTitle = nullptr;
    const char *overview = "overview";
    const char *tagline = nullptr;
    const char *contentRating = nullptr;
    const char *year = nullptr;
    int minYear = 1850;
    const char *runtime = nullptr;
    const char *date = nullptr;
    const char *rating = nullptr;
    const char *director = nullptr; // c.movies keeps a director's name as text
    bool genres = false;            // media.item_genres accepts the type
    bool credits = false;           // media.credits accepts the type
    bool ownFiles = false;          // linked through item_files
};

std::optional<TableSpec> specFor(const QString &schema, const QString &type)
{
    TableSpec s;
    if (schema == QLatin1String("media")) {
        if (type == QLatin1String("movie")) {
            s.table = "media.movies";
            s.sortTitle = "sort_title";
            s.originalTitle = "original_title";
            s.tagline = "tagline";
            s.contentRating = "content_rating";
            s.year = "year";
            s.runtime = "runtime_minutes";
            s.date = "release_date";
            s.rating = "community_rating";
            s.genres = s.credits = s.ownFiles = true;
        } else if (type == QLatin1String("series")) {
            s.table = "media.series";
            s.sortTitle = "sort_title";
            s.originalTitle = "original_title";
            s.contentRating = "content_rating";
            s.year = "year";
            s.date = "first_air_date";
            s.rating = "community_rating";
            s.genres = s.credits = true;
        } else if (type == QLatin1String("season")) {
            s.table = "media.seasons";
            s.date = "air_date";
        } else if (type == QLatin1String("episode")) {
            s.table = "media.episodes";
            s.runtime = "runtime_minutes";
            s.date = "air_date";
            s.rating = "community_rating";
            s.credits = s.ownFiles = true;
        } else if (type == QLatin1String("music_artist")) {
            s.table = "media.music_artists";
            s.title = "name";
            s.sortTitle = "sort_name";
            s.genres = true;
        } else if (type == QLatin1String("music_album")) {
            s.table = "media.music_albums";
            s.sortTitle = "sort_title";
            s.year = "year";
            s.minYear = 1800;
            s.date = "release_date";
            s.genres = true;
        } else if (type == QLatin1String("music_track")) {
            s.table = "media.music_tracks";
            s.overview = nullptr;
            s.genres = s.ownFiles = true;
        } else
            return std::nullopt;
        return s;
    }
    if (schema == QLatin1String("c")) {
        // Adult items: tags and performers instead of genres and people, so only the scalars.
        if (type == QLatin1String("movie")) {
            s.table = "c.movies";
            s.sortTitle = "sort_title";
            s.originalTitle = "original_title";
            s.year = "year";
            s.runtime = "runtime_minutes";
            s.date = "release_date";
            s.director = "director";
            s.ownFiles = true;
        } else if (type == QLatin1String("scene")) {
            s.table = "c.scenes";
            s.sortTitle = "sort_title";
            s.date = "release_date";
            s.ownFiles = true;
        } else
            return std::nullopt;
        return s;
    }
    return std::nullopt;
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

QString describe(const ItemRef &item)
{
    return QStringLiteral("%1 %2 %3").arg(item.schema, item.type, item.id);
}

// nullopt (with `error`) for an unknown schema/type or an id that is not a uuid.
std::optional<TableSpec> checkRef(const ItemRef &item, QString *error)
{
    const auto spec = specFor(item.schema, item.type);
    if (!spec) {
        fail(error, QStringLiteral("unsupported item type '%1' in schema '%2'")
                        .arg(item.type, item.schema));
        return std::nullopt;
    }
    if (QUuid::fromString(item.id).isNull()) {
        fail(error, QStringLiteral("invalid item id '%1' (not a uuid)").arg(item.id));
        return std::nullopt;
    }
    return spec;
}

QMap<QString, QString> idsFromJson(const QByteArray &json)
{
    QMap<QString, QString> ids;
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (it.value().isString())
            ids.insert(it.key(), it.value().toString());
    return ids;
}

// The schema's CHECK wants a flat object of strings; empty keys or values are dropped.
QByteArray idsToJson(const QMap<QString, QString> &ids)
{
    QJsonObject o;
    for (auto it = ids.cbegin(); it != ids.cend(); ++it) {
        const QString key = it.key().trimmed().toLower();
        const QString value = it.value().trimmed();
        if (!key.isEmpty() && !value.isEmpty())
            o.insert(key, value);
    }
    return o.isEmpty() ? QByteArray() : QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray text(const std::optional<QString> &value)
{
    if (!value)
        return {};
    const QString t = value->trimmed();
    return t.isEmpty() ? QByteArray() : t.toUtf8();
}

const QSet<QString> &creditRoles()
{
    static const QSet<QString> roles = {QStringLiteral("actor"),    QStringLiteral("guest_star"),
                                        QStringLiteral("director"), QStringLiteral("writer"),
                                        QStringLiteral("producer"), QStringLiteral("composer"),
                                        QStringLiteral("creator")};
    return roles;
}

const QSet<QString> &imageKinds()
{
    static const QSet<QString> kinds = {QStringLiteral("poster"), QStringLiteral("backdrop"),
                                        QStringLiteral("logo"), QStringLiteral("thumb"),
                                        QStringLiteral("banner")};
    return kinds;
}

// Builds "UPDATE <table> SET ..." with one parameter per value; $1 is the item id.
class UpdateBuilder
{
public:
    UpdateBuilder(bool locked, const QString &id)
        : m_locked(locked)
    {
        m_params << id.toUtf8();
    }

    // Locked items only gain values for columns that are still NULL.
    void set(const char *column, const QByteArray &value, const char *cast = "text")
    {
        if (!column || value.isNull())
            return;
        const QByteArray p = param(value) + "::" + cast;
        const QByteArray col(column);
        m_sets << (m_locked ? QByteArray(col + " = COALESCE(" + col + ", " + p + ")")
                            : QByteArray(col + " = " + p));
    }
    void raw(const QByteArray &assignment) { m_sets << assignment; }
    QByteArray param(const QByteArray &value)
    {
        m_params << value;
        return "$" + QByteArray::number(m_params.size());
    }
    bool isEmpty() const { return m_sets.isEmpty(); }
    QByteArray sql(const char *table) const
    {
        return QByteArray("UPDATE ") + table + " SET " + m_sets.join(", ") + " WHERE id = $1";
    }
    const QList<QByteArray> &params() const { return m_params; }

private:
    bool m_locked;
    QList<QByteArray> m_sets;
    QList<QByteArray> m_params;
};

} // namespace

MetadataWriter::MetadataWriter(std::shared_ptr<DatabasePool> pool)
    : m_pool(std::move(pool))
{}

std::optional<ItemSummary> MetadataWriter::load(const ItemRef &item, QString *error)
{
    const auto spec = checkRef(item, error);
    if (!spec)
        return std::nullopt;
    QString e;
    auto lease = m_pool->acquire(5000, &e);
    if (!lease) {
        fail(error, QStringLiteral("database: %1").arg(e));
        return std::nullopt;
    }
    QSqlDatabase &db = lease->db();

    // Columns: id, library, title, year, ids, locked, series id, series title, series ids,
    // season, episode, air date.
    QByteArray sql;
    const QByteArray table(spec->table);
    if (item.type == QLatin1String("season"))
        sql = "SELECT s.id, se.library_id, COALESCE(s.title, ''), NULL, s.external_ids, "
              "s.metadata_locked, se.id, se.title, se.external_ids, s.season_number, NULL, "
              "s.air_date FROM media.seasons s JOIN media.series se ON se.id = s.series_id "
              "WHERE s.id = $1::uuid";
    else if (item.type == QLatin1String("episode"))
        sql = "SELECT e.id, e.library_id, COALESCE(e.title, ''), NULL, e.external_ids, "
              "e.metadata_locked, se.id, se.title, se.external_ids, e.season_number, "
              "e.episode_number, e.air_date FROM media.episodes e "
              "JOIN media.series se ON se.id = e.series_id WHERE e.id = $1::uuid";
    else
        sql = "SELECT id, library_id, " + QByteArray(spec->title) + ", " +
              (spec->year ? QByteArray(spec->year)
                          : (spec->date ? "extract(year FROM " + QByteArray(spec->date) + ")::int"
                                        : QByteArray("NULL"))) +
              ", external_ids, metadata_locked, NULL, NULL, NULL, NULL, NULL, NULL FROM " + table +
              " WHERE id = $1::uuid";
    const PgResult r = pgExec(db, sql, {item.id.toUtf8()});
    if (!r.ok()) {
        fail(error, QStringLiteral("loading %1: %2").arg(describe(item), r.error()));
        return std::nullopt;
    }
    if (r.rows() == 0) {
        fail(error, QStringLiteral("not found: %1").arg(describe(item)));
        return std::nullopt;
    }
    ItemSummary s;
    s.ref = item;
    s.libraryId = r.text(0, 1);
    s.title = r.text(0, 2);
    if (!r.isNull(0, 3))
        s.year = int(r.toInt(0, 3));
    s.externalIds = idsFromJson(r.bytes(0, 4));
    s.metadataLocked = r.toBool(0, 5);
    if (!r.isNull(0, 6)) {
        s.seriesId = r.text(0, 6);
        s.seriesTitle = r.text(0, 7);
        s.seriesExternalIds = idsFromJson(r.bytes(0, 8));
    }
    if (!r.isNull(0, 9))
        s.season = int(r.toInt(0, 9));
    if (!r.isNull(0, 10))
        s.episode = int(r.toInt(0, 10));
    if (!r.isNull(0, 11))
        s.airDate = QDate::fromString(r.text(0, 11), Qt::ISODate);

    // Files: the item's own, main first. Series, seasons and albums have none of their own; their
    // episodes' / tracks' files say where their folder is.
    const QByteArray schema = item.schema.toUtf8();
    QByteArray files;
    if (spec->ownFiles)
        files = "SELECT f.path FROM " + schema + ".item_files i JOIN " + schema +
                ".media_files f ON f.id = i.file_id WHERE i.item_id = $1::uuid "
                "ORDER BY (i.kind = 'main') DESC, i.part, f.path";
    else if (item.type == QLatin1String("series") || item.type == QLatin1String("season"))
        files = "SELECT f.path FROM media.episodes e JOIN media.item_files i ON i.item_id = e.id "
                "AND i.kind = 'main' JOIN media.media_files f ON f.id = i.file_id WHERE " +
                QByteArray(item.type == QLatin1String("series") ? "e.series_id" : "e.season_id") +
                " = $1::uuid ORDER BY e.season_number, e.episode_number NULLS LAST, f.path "
                "LIMIT 50";
    else if (item.type == QLatin1String("music_album"))
        files = "SELECT f.path FROM media.music_tracks t JOIN media.item_files i ON i.item_id = "
                "t.id AND i.kind = 'main' JOIN media.media_files f ON f.id = i.file_id WHERE "
                "t.album_id = $1::uuid ORDER BY t.disc_number, t.track_number, f.path LIMIT 50";
    if (!files.isEmpty()) {
        const PgResult f = pgExec(db, files, {item.id.toUtf8()});
        if (!f.ok()) {
            fail(error, QStringLiteral("loading files of %1: %2").arg(describe(item), f.error()));
            return std::nullopt;
        }
        for (int i = 0; i < f.rows(); ++i)
            s.filePaths << f.text(i, 0);
    }
    return s;
}

bool MetadataWriter::apply(const ItemRef &item, const MediaMetadata &metadata, QString *error)
{
    const auto spec = checkRef(item, error);
    if (!spec)
        return false;
    QString e;
    auto lease = m_pool->acquire(5000, &e);
    if (!lease)
        return fail(error, QStringLiteral("database: %1").arg(e));
    QSqlDatabase &db = lease->db();
    if (!db.transaction())
        return fail(error, QStringLiteral("cannot begin a transaction"));
    const QByteArray id = item.id.toUtf8();
    const QByteArray type = item.type.toUtf8();
    const QByteArray schema = item.schema.toUtf8();
    auto rollback = [&](const QString &step, const PgResult &r) {
        db.rollback();
        return fail(error, QStringLiteral("%1 of %2: %3").arg(step, describe(item), r.error()));
    };

    // The row lock also serialises concurrent applies to one item (images, credits).
    const PgResult current = pgExec(
        db, "SELECT metadata_locked FROM " + QByteArray(spec->table) + " WHERE id = $1 FOR UPDATE",
        {id});
    if (!current.ok())
        return rollback(QStringLiteral("locking"), current);
    if (current.rows() == 0) {
        db.rollback();
        return fail(error, QStringLiteral("not found: %1").arg(describe(item)));
    }
    const bool locked = current.toBool(0, 0);

    // Scalars.
    UpdateBuilder update(locked, item.id);
    const QByteArray title = text(metadata.title);
    update.set(spec->title, title);
    if (spec->sortTitle && !locked) {
        if (const QByteArray sort = text(metadata.sortTitle); !sort.isNull())
            update.set(spec->sortTitle, sort);
        else if (!title.isNull()) {
            // A new title brings its own sort key (the table's trigger copies it when blank).
            const QByteArray p = update.param(title);
            update.raw(QByteArray(spec->sortTitle) + " = CASE WHEN " + spec->title +
                       " IS DISTINCT FROM " + p + "::text THEN '' ELSE " + spec->sortTitle +
                       " END");
        }
    }
    update.set(spec->originalTitle, text(metadata.originalTitle));
    update.set(spec->overview, text(metadata.overview));
    update.set(spec->tagline, text(metadata.tagline));
    update.set(spec->contentRating, text(metadata.contentRating));
    std::optional<int> year = metadata.year;
    if (!year && metadata.releaseDate && metadata.releaseDate->isValid())
        year = metadata.releaseDate->year();
    if (year && *year >= spec->minYear && *year <= 2200)
        update.set(spec->year, QByteArray::number(*year), "smallint");
    if (metadata.runtimeMinutes && *metadata.runtimeMinutes > 0 &&
        *metadata.runtimeMinutes < 100000)
        update.set(spec->runtime, QByteArray::number(*metadata.runtimeMinutes), "integer");
    if (metadata.releaseDate && metadata.releaseDate->isValid() &&
        metadata.releaseDate->year() >= 1800 && metadata.releaseDate->year() <= 2200)
        update.set(spec->date, metadata.releaseDate->toString(Qt::ISODate).toUtf8(), "date");
    if (metadata.rating && std::isfinite(*metadata.rating) && *metadata.rating >= 0 &&
        *metadata.rating <= 10)
        update.set(spec->rating, QByteArray::number(std::round(*metadata.rating * 10) / 10, 'f', 1),
                   "numeric");
    if (spec->director)
        for (const PersonCredit &c : metadata.credits)
            if (c.role == QLatin1String("director") && !c.name.trimmed().isEmpty()) {
                update.set(spec->director, c.name.trimmed().toUtf8());
                break;
            }
    if (const QByteArray ids = idsToJson(metadata.externalIds); !ids.isNull()) {
        // Merged: the source's ids win, except on a locked item, whose ids win.
        const QByteArray p = update.param(ids) + "::jsonb";
        update.raw(locked ? QByteArray("external_ids = " + p + " || external_ids")
                          : QByteArray("external_ids = external_ids || " + p));
    }
    if (!update.isEmpty()) {
        const PgResult r = pgExec(db, update.sql(spec->table), update.params());
        if (!r.ok())
            return rollback(QStringLiteral("updating"), r);
    }

    // Genres: the source's list replaces the item's (a locked item keeps any it has).
    if (spec->genres && !metadata.genres.isEmpty()) {
        QJsonArray names;
        for (const QString &g : metadata.genres)
            if (const QString name = g.simplified(); !name.isEmpty())
                names << name;
        bool replace = !names.isEmpty();
        if (replace && locked) {
            const PgResult r =
                pgExec(db, "SELECT 1 FROM media.item_genres WHERE item_id = $1 LIMIT 1", {id});
            if (!r.ok())
                return rollback(QStringLiteral("reading genres"), r);
            replace = r.rows() == 0;
        }
        if (replace) {
            const QByteArray json = QJsonDocument(names).toJson(QJsonDocument::Compact);
            PgResult r = pgExec(db,
                                "INSERT INTO media.genres (name) SELECT g FROM "
                                "jsonb_array_elements_text($1::jsonb) AS t(g) "
                                "ON CONFLICT (name) DO NOTHING",
                                {json});
            if (r.ok())
                r = pgExec(db, "DELETE FROM media.item_genres WHERE item_id = $1", {id});
            if (r.ok())
                r = pgExec(db,
                           "INSERT INTO media.item_genres (genre_id, item_type, item_id) "
                           "SELECT g.id, $2, $1::uuid FROM media.genres g WHERE g.name IN "
                           "(SELECT t.g::citext FROM jsonb_array_elements_text($3::jsonb) AS t(g)) "
                           "ON CONFLICT DO NOTHING",
                           {id, type, json});
            if (!r.ok())
                return rollback(QStringLiteral("writing genres"), r);
        }
    }

    // Credits: likewise replaced when the source names any.
    QList<PersonCredit> credits;
    if (spec->credits)
        for (const PersonCredit &c : metadata.credits)
            if (!c.name.trimmed().isEmpty() && creditRoles().contains(c.role))
                credits << c;
    if (!credits.isEmpty()) {
        bool replace = true;
        if (locked) {
            const PgResult r =
                pgExec(db, "SELECT 1 FROM media.credits WHERE item_id = $1 LIMIT 1", {id});
            if (!r.ok())
                return rollback(QStringLiteral("reading credits"), r);
            replace = r.rows() == 0;
        }
        if (replace) {
            QHash<QString, QString> personIds; // by name + ids, within this apply
            QJsonArray rows;
            for (const PersonCredit &c : std::as_const(credits)) {
                const QString name = c.name.simplified();
                const QByteArray ids = idsToJson(c.externalIds);
                const QString key = name.toLower() + QLatin1Char('\n') + QString::fromUtf8(ids);
                QString personId = personIds.value(key);
                if (personId.isEmpty()) {
                    // Serialises find-or-create of one name across concurrent applies.
                    PgResult r = pgExec(db,
                                        "SELECT pg_advisory_xact_lock(hashtext('media.people:' "
                                        "|| lower($1)))",
                                        {name.toUtf8()});
                    if (!r.ok())
                        return rollback(QStringLiteral("locking person"), r);
                    // Same provider id first; else the same name without a conflicting id.
                    for (auto it = c.externalIds.cbegin();
                         personId.isEmpty() && it != c.externalIds.cend(); ++it) {
                        const QByteArray one = idsToJson({{it.key(), it.value()}});
                        if (one.isNull())
                            continue;
                        r = pgExec(db,
                                   "SELECT id FROM media.people WHERE external_ids @> $1::jsonb "
                                   "ORDER BY created_at, id LIMIT 1",
                                   {one});
                        if (!r.ok())
                            return rollback(QStringLiteral("finding person"), r);
                        if (r.rows() > 0)
                            personId = r.text(0, 0);
                    }
                    if (personId.isEmpty()) {
                        r = pgExec(db,
                                   "SELECT id FROM media.people WHERE name = $1 AND NOT EXISTS "
                                   "(SELECT 1 FROM jsonb_each_text(COALESCE($2::jsonb, '{}')) n "
                                   "WHERE external_ids ? n.key AND external_ids ->> n.key <> "
                                   "n.value) ORDER BY created_at, id LIMIT 1",
                                   {name.toUtf8(), ids});
                        if (!r.ok())
                            return rollback(QStringLiteral("finding person"), r);
                        if (r.rows() > 0)
                            personId = r.text(0, 0);
                    }
                    if (personId.isEmpty()) {
                        r = pgExec(db,
                                   "INSERT INTO media.people (name, external_ids) VALUES "
                                   "($1, COALESCE($2::jsonb, '{}')) RETURNING id",
                                   {name.toUtf8(), ids});
                        if (!r.ok())
                            return rollback(QStringLiteral("adding person"), r);
                        personId = r.text(0, 0);
                    } else if (!ids.isNull()) {
                        // Ids already known for the person win over the source's.
                        r = pgExec(db,
                                   "UPDATE media.people SET external_ids = $2::jsonb || "
                                   "external_ids WHERE id = $1",
                                   {personId.toUtf8(), ids});
                        if (!r.ok())
                            return rollback(QStringLiteral("updating person"), r);
                    }
                    personIds.insert(key, personId);
                }
                QJsonObject row;
                row.insert(QStringLiteral("person"), personId);
                row.insert(QStringLiteral("role"), c.role);
                const bool playsCharacter =
                    c.role == QLatin1String("actor") || c.role == QLatin1String("guest_star");
                if (playsCharacter && !c.character.trimmed().isEmpty())
                    row.insert(QStringLiteral("character"), c.character.trimmed());
                row.insert(QStringLiteral("order"), c.order);
                rows << row;
            }
            PgResult r = pgExec(db, "DELETE FROM media.credits WHERE item_id = $1", {id});
            if (r.ok())
                r = pgExec(db,
                           "INSERT INTO media.credits (person_id, item_type, item_id, role, "
                           "character_name, sort_order) SELECT (x->>'person')::uuid, $2, "
                           "$1::uuid, x->>'role', x->>'character', (x->>'order')::int "
                           "FROM jsonb_array_elements($3::jsonb) AS x ON CONFLICT DO NOTHING",
                           {id, type, QJsonDocument(rows).toJson(QJsonDocument::Compact)});
            if (!r.ok())
                return rollback(QStringLiteral("writing credits"), r);
        }
    }

    // Local images: one row per (kind, path); images.download fills in hash, size and mime.
    for (const ImageRef &image : metadata.images) {
        if (image.path.isEmpty())
            continue; // remote: the caller enqueues images.download
        if (!imageKinds().contains(image.kind)) {
            qCWarning(lcMetadata) << "ignoring image of unknown kind" << image.kind << "for"
                                  << describe(item);
            continue;
        }
        const QList<QByteArray> params = {type, id, image.kind.toUtf8(), image.path.toUtf8(),
                                          QByteArray::number(image.order)};
        PgResult r = pgExec(db,
                            "UPDATE " + schema +
                                ".images SET sort_order = $5::int WHERE item_type = $1 AND "
                                "item_id = $2::uuid AND kind = $3 AND path = $4 AND sort_order "
                                "<> $5::int",
                            params);
        if (r.ok())
            r = pgExec(db,
                       "INSERT INTO " + schema +
                           ".images (item_type, item_id, kind, path, sort_order) SELECT $1, "
                           "$2::uuid, $3, $4, $5::int WHERE NOT EXISTS (SELECT 1 FROM " +
                           schema +
                           ".images WHERE item_type = $1 AND item_id = $2::uuid AND kind = $3 "
                           "AND path = $4)",
                       params);
        if (!r.ok())
            return rollback(QStringLiteral("writing images"), r);
    }

    if (!db.commit()) {
        db.rollback();
        return fail(error, QStringLiteral("committing metadata of %1").arg(describe(item)));
    }
    return true;
}

} // namespace Revenge
