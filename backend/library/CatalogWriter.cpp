#include "CatalogWriter.h"

#include "db/PgQuery.h"
#include "jobs/JobClient.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Revenge {
namespace {

QJsonValue numberOrNull(const std::optional<int> &n, int min, int max)
{
    return n && *n >= min && *n <= max ? QJsonValue(*n) : QJsonValue();
}

QString baseTitle(const QString &path)
{
    return QFileInfo(path).completeBaseName().replace(QLatin1Char('_'), QLatin1Char(' ')).trimmed();
}

// The columns of the scan_input table, in order.
const char *kInputColumns =
    "file_id uuid, kind text, title text, year int, series text, season int, episode int, "
    "episode_end int, air_date date, artist text, album text, track int, disc int, part int, "
    "link_kind text, ident jsonb, series_id uuid, artist_id uuid, album_id uuid, item_id uuid";

// Item lookups shared by the statements below ($1 = library id).
const char *kMovieOf =
    "SELECT id FROM %1.movies m WHERE m.library_id = $1::uuid AND lower(m.title) = lower(s.title) "
    "AND m.year IS NOT DISTINCT FROM s.year ORDER BY m.added_at, m.id LIMIT 1";
const char *kSeriesOf =
    "SELECT id FROM media.series x WHERE x.library_id = $1::uuid AND lower(x.title) = "
    "lower(s.series) ORDER BY x.added_at, x.id LIMIT 1";
// Each branch is one index look-up (an OR of both would scan the series' episodes, and make a
// series' first scan quadratic in its length).
const char *kEpisodeOf =
    "(SELECT id FROM media.episodes e WHERE s.episode IS NOT NULL AND e.series_id = s.series_id "
    "AND e.season_number = s.season AND e.episode_number = s.episode "
    "UNION ALL SELECT id FROM media.episodes e WHERE s.episode IS NULL AND e.series_id = "
    "s.series_id "
    "AND e.air_date = s.air_date AND e.episode_number IS NULL AND e.season_number = s.season) "
    "LIMIT 1";
const char *kArtistOf =
    "SELECT id FROM media.music_artists a WHERE a.library_id = $1::uuid AND lower(a.name) = "
    "lower(s.artist) ORDER BY a.added_at, a.id LIMIT 1";
// Same for albums with and without an artist (IS NOT DISTINCT FROM cannot use the index).
const char *kAlbumOf =
    "(SELECT id FROM media.music_albums b WHERE s.artist_id IS NOT NULL AND b.library_id = "
    "$1::uuid AND b.artist_id = s.artist_id AND lower(b.title) = lower(s.album) "
    "UNION ALL SELECT id FROM media.music_albums b WHERE s.artist_id IS NULL AND b.library_id = "
    "$1::uuid AND b.artist_id IS NULL AND lower(b.title) = lower(s.album)) LIMIT 1";

// Resolves each distinct series of the batch once into scan_input.series_id.
const char *kResolveSeries =
    "UPDATE scan_input s SET series_id = k.id FROM (SELECT d.key, x.id FROM (SELECT DISTINCT "
    "lower(series) AS key FROM scan_input WHERE series IS NOT NULL) d CROSS JOIN LATERAL (SELECT "
    "id FROM media.series x WHERE x.library_id = $1::uuid AND lower(x.title) = d.key ORDER BY "
    "x.added_at, x.id LIMIT 1) x) k WHERE s.series IS NOT NULL AND lower(s.series) = k.key";

QByteArray sql(const char *text, const QByteArray &schema = "media")
{
    return QString::fromLatin1(text).arg(QString::fromLatin1(schema)).toLatin1();
}

} // namespace

CatalogWriter::CatalogWriter(QSqlDatabase &db, const Library &library, JobClient *jobs)
    : m_db(db)
    , m_library(library)
    , m_schema(library.schema().toUtf8())
    , m_jobs(jobs)
{}

Identification CatalogWriter::identify(const Library &library, const QString &absolutePath)
{
    QString relative = absolutePath;
    qsizetype best = -1;
    for (const QString &root : library.paths) {
        const QString prefix = root.endsWith(QLatin1Char('/')) ? root : root + QLatin1Char('/');
        if (absolutePath.startsWith(prefix) && prefix.size() > best) {
            best = prefix.size();
            relative = absolutePath.mid(prefix.size());
        }
    }
    Identification id = FilenameParser::identify(relative);
    id.path = absolutePath;
    return id;
}

bool CatalogWriter::allows(const char *kind) const
{
    const QString &type = m_library.type;
    if (type == QLatin1String("mixed") || type == QLatin1String("adult"))
        return true;
    if (type == QLatin1String("movies"))
        return qstrcmp(kind, "movie") == 0;
    if (type == QLatin1String("tvshows"))
        return qstrcmp(kind, "episode") == 0;
    if (type == QLatin1String("music"))
        return qstrcmp(kind, "track") == 0;
    return false;
}

bool CatalogWriter::identifyNew(const QList<QByteArray> &ids, const QList<QByteArray> &paths,
                                const QList<Identification> &identifications, bool enqueueMetadata,
                                QString *error)
{
    if (ids.isEmpty())
        return true;
    if (!ensureInputTable(error))
        return false;
    return processBatch(ids, paths, &identifications, false, enqueueMetadata, error) &&
           afterBatch(error);
}

QList<InsertParams> CatalogWriter::localMetadataJobs(const QByteArray &schema,
                                                     const QString &itemType,
                                                     const QStringList &itemIds)
{
    QList<InsertParams> jobs;
    for (qsizetype i = 0; i < itemIds.size(); i += 100) {
        InsertParams p;
        p.kind = QStringLiteral("metadata.local");
        p.args = {{QStringLiteral("schema"), QString::fromLatin1(schema)},
                  {QStringLiteral("item_type"), itemType},
                  {QStringLiteral("item_ids"), QJsonArray::fromStringList(itemIds.mid(i, 100))}};
        p.options.maxAttempts = 5;
        jobs << p;
    }
    return jobs;
}

QList<InsertParams> CatalogWriter::probeJobs(const QByteArray &schema,
                                             const QList<QByteArray> &fileIds)
{
    QList<InsertParams> jobs;
    for (qsizetype i = 0; i < fileIds.size(); i += 100) {
        QJsonArray ids;
        for (qsizetype j = i; j < qMin(fileIds.size(), i + 100); ++j)
            ids.append(QString::fromLatin1(fileIds.at(j)));
        InsertParams p;
        p.kind = QStringLiteral("media.probe");
        p.args = {{QStringLiteral("schema"), QString::fromLatin1(schema)},
                  {QStringLiteral("file_ids"), ids}};
        p.options.queue = QStringLiteral("low");
        p.options.maxAttempts = 3;
        jobs << p;
    }
    return jobs;
}

QJsonObject CatalogWriter::compactJson(const Identification &id)
{
    QJsonObject o = id.toJson();
    for (auto it = o.begin(); it != o.end();)
        it = it.value().isNull() ? o.erase(it) : std::next(it);
    o.remove(QStringLiteral("path")); // the row has it
    return o;
}

// The planner must see the catalogue as it grows: with statistics of an empty series table the
// item look-ups become sequential scans and the first scan of a big library quadratic. Sampled
// and cheap, on a doubling schedule.
bool CatalogWriter::afterBatch(QString *error)
{
    ++m_batches;
    // By 32 batches the statistics describe the library well enough.
    if ((m_batches & (m_batches - 1)) != 0)
        return true;
    return analyze(error);
}

bool CatalogWriter::analyze(QString *error)
{
    const QByteArray tables = m_library.isAdult()
                                  ? QByteArray("c.movies, c.scenes")
                                  : QByteArray("media.movies, "
                                               "media.series, media.seasons, media.episodes, "
                                               "media.music_artists, media.music_albums, "
                                               "media.music_tracks");
    const PgResult r = pgExec(m_db, "ANALYZE " + tables);
    if (!r.ok())
        *error = r.error();
    return r.ok();
}

bool CatalogWriter::ensureInputTable(QString *error)
{
    const PgResult exists = pgExec(m_db, "SELECT to_regclass('pg_temp.scan_input') IS NOT NULL");
    if (!exists.ok()) {
        *error = exists.error();
        return false;
    }
    if (exists.toBool(0, 0))
        return true;
    const PgResult r = pgExec(m_db, QByteArray("CREATE TEMP TABLE scan_input (") + kInputColumns +
                                        ") ON COMMIT DELETE ROWS");
    if (!r.ok())
        *error = r.error();
    return r.ok();
}

bool CatalogWriter::identifyUnlinked(bool enqueueMetadata, QString *error)
{
    if (!ensureInputTable(error))
        return false;
    qint64 done = 0;
    // Pass 1 makes the items, pass 2 attaches extras and subtitles to them (their items may have
    // been made by a later batch of pass 1).
    for (int pass = 1; pass <= 2; ++pass) {
        QByteArray last = "00000000-0000-0000-0000-000000000000";
        for (;;) {
            if (m_cancelled && m_cancelled()) {
                *error = QStringLiteral("cancelled");
                return false;
            }
            // Each filter matches a partial index on (library_id, id): a batch costs its own
            // rows, not the library's.
            const QByteArray filter =
                pass == 2 ? QByteArray("(f.identification->>'kind') IN ('extra', 'subtitle')")
                : m_all   ? QByteArray("f.kind IN ('video', 'audio', 'subtitle')")
                          : QByteArray("f.identification IS NULL AND f.kind IN ('video', "
                                         "'audio', 'subtitle')");
            const PgResult r =
                pgExec(m_db,
                       "SELECT f.id, f.path FROM " + m_schema +
                           ".media_files f WHERE f.library_id = $1 AND f.missing_since IS NULL "
                           "AND f.id > $2 AND " +
                           filter + " AND NOT EXISTS (SELECT 1 FROM " + m_schema +
                           ".item_files i WHERE i.file_id = f.id) ORDER BY f.id LIMIT " +
                           QByteArray::number(m_batch),
                       {m_library.id.toUtf8(), last});
            if (!r.ok()) {
                *error = r.error();
                return false;
            }
            if (r.rows() == 0)
                break;
            QList<QByteArray> ids, paths;
            for (int i = 0; i < r.rows(); ++i) {
                ids << r.bytes(i, 0);
                paths << r.bytes(i, 1);
            }
            if (!processBatch(ids, paths, nullptr, pass == 2, enqueueMetadata, error) ||
                !afterBatch(error))
                return false;
            done += r.rows();
            if (m_progress)
                m_progress(done);
            last = ids.last();
            if (r.rows() < m_batch)
                break;
        }
    }
    return true;
}

bool CatalogWriter::processBatch(const QList<QByteArray> &ids, const QList<QByteArray> &paths,
                                 const QList<Identification> *known, bool ownersOnly,
                                 bool enqueueMetadata, QString *error)
{
    const bool adult = m_library.isAdult();
    const bool store = !known && !ownersOnly; // identification not written with the row yet
    QJsonArray input;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const Identification id =
            known ? known->at(i) : identify(m_library, QString::fromUtf8(paths.at(i)));
        QString kind = Identification::kindName(id.kind);
        QString title = id.title.trimmed();
        QString series = id.series.trimmed();
        std::optional<int> season = id.season;
        std::optional<int> episode = id.episode;
        QJsonObject row{{QStringLiteral("file_id"), QString::fromLatin1(ids.at(i))}};
        if (store)
            row.insert(QStringLiteral("ident"), compactJson(id));
        if (kind == QLatin1String("movie") && title.isEmpty())
            title = baseTitle(id.path);
        if (kind == QLatin1String("episode")) {
            // Daily shows go to the season of their year, absolute-numbered anime to season 1.
            if (!season)
                season = id.date.isValid() ? id.date.year() : 1;
            if (series.isEmpty() || (!episode && !id.date.isValid()))
                kind = QStringLiteral("unknown");
        }
        if (kind == QLatin1String("track") && title.isEmpty())
            title = baseTitle(id.path);
        if (adult && kind != QLatin1String("movie") &&
            FilenameParser::fileKind(id.extension) == QLatin1String("video")) {
            // Adult libraries: any video that is not a movie is a scene ("Studio - Title
            // 2023-05-01" is not a daily show, "Name-scene.mp4" not an extra).
            kind = QStringLiteral("scene");
            if (title.isEmpty())
                title = series.isEmpty() ? baseTitle(id.path) : series;
        }
        if (!allows(kind.toLatin1().constData()) && kind != QLatin1String("extra") &&
            kind != QLatin1String("subtitle") && !(adult && kind == QLatin1String("scene")))
            kind = QStringLiteral("unknown");
        QString linkKind = QStringLiteral("main");
        if (kind == QLatin1String("subtitle"))
            linkKind = QStringLiteral("subtitle");
        else if (kind == QLatin1String("extra"))
            linkKind = id.extraType == QLatin1String("trailer") ? QStringLiteral("trailer")
                                                                : QStringLiteral("extra");
        if (ownersOnly != (linkKind != QLatin1String("main")))
            kind = QStringLiteral("skip");
        row.insert(QStringLiteral("kind"), kind);
        row.insert(QStringLiteral("title"), title.isEmpty() ? QJsonValue() : QJsonValue(title));
        row.insert(QStringLiteral("year"), numberOrNull(id.year, 1850, 2200));
        row.insert(QStringLiteral("series"), series.isEmpty() ? QJsonValue() : QJsonValue(series));
        row.insert(QStringLiteral("season"), numberOrNull(season, 0, 32000));
        row.insert(QStringLiteral("episode"), numberOrNull(episode, 0, 32000));
        row.insert(QStringLiteral("episode_end"),
                   id.episodeEnd && episode && *id.episodeEnd > *episode
                       ? numberOrNull(id.episodeEnd, 0, 32000)
                       : QJsonValue());
        row.insert(QStringLiteral("air_date"),
                   id.date.isValid() ? QJsonValue(id.date.toString(Qt::ISODate)) : QJsonValue());
        row.insert(QStringLiteral("artist"),
                   id.artist.trimmed().isEmpty() ? QJsonValue() : QJsonValue(id.artist.trimmed()));
        row.insert(QStringLiteral("album"), id.album.trimmed().isEmpty()
                                                ? QJsonValue(QStringLiteral("Unknown Album"))
                                                : QJsonValue(id.album.trimmed()));
        row.insert(QStringLiteral("track"), numberOrNull(id.track, 0, 32000));
        row.insert(QStringLiteral("disc"), numberOrNull(id.disc, 0, 32000));
        row.insert(QStringLiteral("part"), 1);
        row.insert(QStringLiteral("link_kind"), linkKind);
        input.append(row);
    }

    if (!m_db.transaction()) {
        *error = QStringLiteral("cannot begin a transaction");
        return false;
    }
    const QByteArray lib = m_library.id.toUtf8();
    QList<InsertParams> jobs;
    auto queueMetadata = [&](const char *itemType, const PgResult &created) {
        if (!enqueueMetadata || !m_jobs)
            return;
        QStringList ids;
        for (int i = 0; i < created.rows(); ++i)
            ids << created.text(i, 0);
        jobs << localMetadataJobs(m_schema, QLatin1String(itemType), ids);
    };
    bool ok = true;
    auto run = [&](const QByteArray &statement, const QList<QByteArray> &params = {},
                   PgResult *out = nullptr) {
        if (!ok)
            return;
        PgResult r = pgExec(m_db, statement, params);
        if (!r.ok()) {
            ok = false;
            *error = r.error();
        } else if (out) {
            *out = std::move(r);
        }
    };

    run(QByteArray("INSERT INTO scan_input SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(") +
            kInputColumns + ")",
        {QJsonDocument(input).toJson(QJsonDocument::Compact)});
    if (store)
        run("UPDATE " + m_schema +
            ".media_files f SET identification = s.ident FROM scan_input s WHERE f.id = s.file_id");

    if (!ownersOnly) {
        // Movies (both schemas).
        PgResult created;
        run("INSERT INTO " + m_schema +
                ".movies (library_id, title, year, primary_file_id) "
                "SELECT $1::uuid, s.title, s.year, s.file_id FROM (SELECT DISTINCT ON "
                "(lower(title), year) title, year, file_id FROM scan_input WHERE kind = 'movie' "
                "ORDER BY lower(title), year, part, file_id) s WHERE NOT EXISTS (" +
                sql(kMovieOf, m_schema) + ") RETURNING id",
            {lib}, &created);
        queueMetadata("movie", created);
        run("INSERT INTO " + m_schema +
                ".item_files (item_type, item_id, file_id, kind, part) "
                "SELECT 'movie', m.id, s.file_id, 'main', s.part FROM scan_input s "
                "CROSS JOIN LATERAL (" +
                sql(kMovieOf, m_schema) + ") m WHERE s.kind = 'movie' ON CONFLICT DO NOTHING",
            {lib});
    }
    if (!ownersOnly && m_library.isAdult()) {
        PgResult created;
        // Two statements: an item's registry row exists once its insert has finished.
        run("WITH t AS (INSERT INTO c.scenes (library_id, title, release_date, primary_file_id) "
            "SELECT $1::uuid, s.title, s.air_date, s.file_id FROM scan_input s "
            "WHERE s.kind = 'scene' RETURNING id, primary_file_id), "
            "u AS (UPDATE scan_input s SET item_id = t.id FROM t WHERE s.file_id = "
            "t.primary_file_id) SELECT id FROM t",
            {lib}, &created);
        run("INSERT INTO c.item_files (item_type, item_id, file_id, kind, part) SELECT 'scene', "
            "item_id, file_id, 'main', 1 FROM scan_input WHERE kind = 'scene' AND item_id IS NOT "
            "NULL");
        queueMetadata("scene", created);
    }
    if (!ownersOnly && !m_library.isAdult()) {
        PgResult created;
        run(QByteArray("INSERT INTO media.series (library_id, title, year) "
                       "SELECT DISTINCT ON (lower(s.series)) $1::uuid, s.series, s.year "
                       "FROM scan_input s WHERE s.kind = 'episode' AND NOT EXISTS (") +
                kSeriesOf + ") ORDER BY lower(s.series), s.year NULLS LAST RETURNING id",
            {lib}, &created);
        queueMetadata("series", created);
        run(kResolveSeries, {lib});
        run("INSERT INTO media.seasons (series_id, season_number) SELECT DISTINCT series_id, "
            "season FROM scan_input WHERE kind = 'episode' AND series_id IS NOT NULL "
            "ON CONFLICT DO NOTHING");
        PgResult episodes;
        run(QByteArray("INSERT INTO media.episodes (library_id, series_id, season_id, "
                       "season_number, episode_number, episode_number_end, air_date, title, "
                       "primary_file_id) "
                       "SELECT DISTINCT ON (s.series_id, s.season, s.episode, s.air_date) "
                       "$1::uuid, s.series_id, sn.id, sn.season_number, s.episode, "
                       "s.episode_end, s.air_date, s.title, s.file_id FROM scan_input s "
                       "JOIN media.seasons sn ON sn.series_id = s.series_id AND "
                       "sn.season_number = s.season WHERE s.kind = 'episode' AND NOT EXISTS (") +
                kEpisodeOf +
                ") ORDER BY s.series_id, s.season, s.episode, s.air_date, s.file_id "
                "ON CONFLICT DO NOTHING RETURNING id",
            {lib}, &episodes);
        queueMetadata("episode", episodes);
        run(QByteArray("UPDATE scan_input s SET item_id = (") + kEpisodeOf +
            ") WHERE s.kind = 'episode' AND s.series_id IS NOT NULL");
        run("INSERT INTO media.item_files (item_type, item_id, file_id, kind, part) "
            "SELECT 'episode', item_id, file_id, 'main', 1 FROM scan_input "
            "WHERE kind = 'episode' AND item_id IS NOT NULL ON CONFLICT DO NOTHING");

        // Music: artist and album from the folders (tags refine them when probed). Each
        // distinct artist and album of the batch is looked up once.
        run(QByteArray("INSERT INTO media.music_artists (library_id, name) "
                       "SELECT $1::uuid, s.artist FROM (SELECT DISTINCT ON (lower(artist)) "
                       "artist FROM scan_input WHERE kind = 'track' AND artist IS NOT NULL "
                       "ORDER BY lower(artist), artist) s WHERE NOT EXISTS (") +
                kArtistOf + ")",
            {lib});
        run("UPDATE scan_input s SET artist_id = k.id FROM (SELECT d.key, a.id FROM (SELECT "
            "DISTINCT lower(artist) AS key FROM scan_input WHERE kind = 'track' AND artist IS "
            "NOT NULL) d CROSS JOIN LATERAL (SELECT id FROM media.music_artists a WHERE "
            "a.library_id = $1::uuid AND lower(a.name) = d.key ORDER BY a.added_at, a.id LIMIT "
            "1) a) k WHERE s.kind = 'track' AND lower(s.artist) = k.key",
            {lib});
        run(QByteArray("INSERT INTO media.music_albums (library_id, artist_id, title, year) "
                       "SELECT $1::uuid, s.artist_id, s.album, CASE WHEN s.year BETWEEN 1800 "
                       "AND 2200 THEN s.year END FROM (SELECT DISTINCT ON (artist_id, "
                       "lower(album)) artist_id, album, year FROM scan_input WHERE kind = "
                       "'track' ORDER BY artist_id, lower(album), year NULLS LAST) s "
                       "WHERE NOT EXISTS (") +
                kAlbumOf + ")",
            {lib});
        run(QByteArray("UPDATE scan_input t SET album_id = k.id FROM (SELECT s.artist_id, "
                       "lower(s.album) AS key, (") +
                kAlbumOf +
                ") AS id FROM (SELECT DISTINCT artist_id, album FROM scan_input WHERE kind = "
                "'track') s) k WHERE t.kind = 'track' AND t.artist_id IS NOT DISTINCT FROM "
                "k.artist_id AND lower(t.album) = k.key",
            {lib});
        run("WITH t AS (INSERT INTO media.music_tracks (library_id, album_id, artist_id, title, "
            "disc_number, track_number, primary_file_id) SELECT $1::uuid, album_id, artist_id, "
            "title, coalesce(disc, 1), track, file_id FROM scan_input WHERE kind = 'track' AND "
            "album_id IS NOT NULL RETURNING id, primary_file_id) "
            "UPDATE scan_input s SET item_id = t.id FROM t WHERE s.file_id = t.primary_file_id",
            {lib});
        run("INSERT INTO media.item_files (item_type, item_id, file_id, kind, part) "
            "SELECT 'music_track', item_id, file_id, 'main', 1 FROM scan_input "
            "WHERE kind = 'track' AND item_id IS NOT NULL");
    }
    if (ownersOnly) {
        // Extras and subtitles of movies (matched by title, and year when the name has one)...
        run("INSERT INTO " + m_schema +
                ".item_files (item_type, item_id, file_id, kind, part) "
                "SELECT 'movie', m.id, s.file_id, s.link_kind, 1 FROM scan_input s "
                "CROSS JOIN LATERAL (SELECT id FROM " +
                m_schema +
                ".movies m WHERE m.library_id = $1::uuid AND lower(m.title) = lower(s.title) "
                "AND (s.year IS NULL OR m.year = s.year) ORDER BY m.added_at, m.id LIMIT 1) m "
                "WHERE s.kind IN ('extra', 'subtitle') AND s.series IS NULL "
                "ON CONFLICT DO NOTHING",
            {lib});
        // ... and of episodes.
        if (!m_library.isAdult()) {
            run(kResolveSeries, {lib});
            run(QByteArray("INSERT INTO media.item_files (item_type, item_id, file_id, kind, "
                           "part) SELECT 'episode', e.id, s.file_id, s.link_kind, 1 "
                           "FROM scan_input s CROSS JOIN LATERAL (") +
                kEpisodeOf +
                ") e WHERE s.kind IN ('extra', 'subtitle') AND s.series_id IS NOT NULL "
                "ON CONFLICT DO NOTHING");
        }
    }
    if (known && enqueueMetadata && m_jobs) {
        // New files are probed; queued with their items, so a crash cannot lose the probe.
        QList<QByteArray> probe;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            const QString kind = FilenameParser::fileKind(known->at(i).extension);
            if (kind == QLatin1String("video") || kind == QLatin1String("audio"))
                probe << ids.at(i);
        }
        jobs << probeJobs(m_schema, probe);
    }
    if (ok && !jobs.isEmpty() && !m_jobs->insertManyTx(m_db, jobs, error))
        ok = false;
    if (!ok || !m_db.commit()) {
        m_db.rollback();
        if (ok)
            *error = QStringLiteral("cannot commit the identified items");
        return false;
    }
    return true;
}

bool CatalogWriter::removeOrphans(QString *error)
{
    const QByteArray lib = m_library.id.toUtf8();
    QList<QByteArray> statements;
    const QByteArray s = m_schema;
    auto noMain = [&](const char *alias) -> QByteArray {
        return "NOT EXISTS (SELECT 1 FROM " + s + ".item_files i WHERE i.item_id = " + alias +
               ".id AND i.kind = 'main')";
    };
    statements << "DELETE FROM " + s + ".movies m WHERE m.library_id = $1 AND " + noMain("m");
    if (m_library.isAdult()) {
        statements << "DELETE FROM c.scenes m WHERE m.library_id = $1 AND " + noMain("m");
    } else {
        statements
            << "DELETE FROM media.episodes e WHERE e.library_id = $1 AND " + noMain("e")
            << "DELETE FROM media.seasons sn USING media.series x WHERE sn.series_id = x.id AND "
               "x.library_id = $1 AND NOT EXISTS (SELECT 1 FROM media.episodes e WHERE "
               "e.season_id = sn.id)"
            << "DELETE FROM media.series x WHERE x.library_id = $1 AND NOT EXISTS (SELECT 1 FROM "
               "media.episodes e WHERE e.series_id = x.id)"
            << "DELETE FROM media.music_tracks t WHERE t.library_id = $1 AND " + noMain("t")
            << "DELETE FROM media.music_albums b WHERE b.library_id = $1 AND NOT EXISTS (SELECT "
               "1 FROM media.music_tracks t WHERE t.album_id = b.id)"
            << "DELETE FROM media.music_artists a WHERE a.library_id = $1 AND NOT EXISTS (SELECT "
               "1 FROM media.music_tracks t WHERE t.artist_id = a.id) AND NOT EXISTS (SELECT 1 "
               "FROM media.music_albums b WHERE b.artist_id = a.id)";
    }
    for (const QByteArray &statement : statements) {
        const PgResult r = pgExec(m_db, statement, {lib});
        if (!r.ok()) {
            *error = r.error();
            return false;
        }
    }
    return true;
}

bool CatalogWriter::enqueueLocalMetadataUnder(const QList<QByteArray> &folders,
                                              const QByteArray &since, QString *error)
{
    if (!m_jobs || folders.isEmpty())
        return true;
    QList<QByteArray> patterns;
    for (QByteArray f : folders) {
        f.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        patterns << f + "/%";
    }
    QByteArray query = "SELECT DISTINCT i.item_type, i.item_id FROM " + m_schema +
                       ".media_files f JOIN " + m_schema +
                       ".item_files i ON i.file_id = f.id AND i.kind = 'main' "
                       "WHERE f.library_id = $1 AND f.path LIKE ANY($2::text[]) "
                       "AND i.created_at < $3"; // new items were queued when they were made
    if (!m_library.isAdult())
        query = "WITH items AS (" + query +
                ") SELECT item_type, item_id FROM items UNION SELECT DISTINCT 'series', "
                "e.series_id FROM media.episodes e JOIN items ON items.item_id = e.id";
    const PgResult r = pgExec(m_db, query, {m_library.id.toUtf8(), pgTextArray(patterns), since});
    if (!r.ok()) {
        *error = r.error();
        return false;
    }
    QHash<QString, QStringList> byType;
    for (int i = 0; i < r.rows(); ++i)
        byType[r.text(i, 0)] << r.text(i, 1);
    QList<InsertParams> jobs;
    for (auto it = byType.cbegin(); it != byType.cend(); ++it)
        if (it.key() != QLatin1String("music_track")) // no local metadata for music yet
            jobs << localMetadataJobs(m_schema, it.key(), it.value());
    return jobs.isEmpty() || m_jobs->insertManyTx(m_db, jobs, error).has_value();
}

} // namespace Revenge
