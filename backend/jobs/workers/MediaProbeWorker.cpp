#include "MediaProbeWorker.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "library/MediaProbe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

namespace Revenge {

namespace {

// "3/12" -> 3; nonsense -> null.
QByteArray leadingNumber(const QString &text, int max)
{
    bool ok = false;
    const int n = text.section(QLatin1Char('/'), 0, 0).trimmed().toInt(&ok);
    return ok && n >= 0 && n <= max ? QByteArray::number(n) : QByteArray();
}

QByteArray yearOf(const QString &date)
{
    bool ok = false;
    const int y = date.left(4).toInt(&ok);
    return ok && y >= 1800 && y <= 2200 ? QByteArray::number(y) : QByteArray();
}

QByteArray orNull(const QString &s)
{
    return s.trimmed().isEmpty() ? QByteArray() : s.trimmed().toUtf8();
}

} // namespace

MediaProbeWorker::MediaProbeWorker(std::shared_ptr<DatabasePool> pool)
    : m_pool(std::move(pool))
{}

JobResult MediaProbeWorker::work(JobContext &context)
{
    const QString schema = context.args().value(QStringLiteral("schema")).toString();
    if (schema != QLatin1String("media") && schema != QLatin1String("c"))
        return JobResult::discard(
            QStringLiteral("args.schema: expected \"media\" or \"c\", got '%1'").arg(schema));
    const QJsonValue idsValue = context.args().value(QStringLiteral("file_ids"));
    if (!idsValue.isArray())
        return JobResult::discard(QStringLiteral("args.file_ids: expected an array of file ids"));
    QList<QByteArray> ids;
    for (const QJsonValue &v : idsValue.toArray()) {
        if (QUuid::fromString(v.toString()).isNull())
            return JobResult::discard(
                QStringLiteral("args.file_ids: '%1' is not a file id (uuid)").arg(v.toString()));
        ids << v.toString().toUtf8();
    }
    const QByteArray s = schema.toUtf8();
    int probed = 0, failed = 0;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (context.isCancelled())
            return JobResult::error(QStringLiteral("cancelled after %1 files").arg(i));
        QString error;
        QString path;
        {
            auto lease = m_pool->acquire(10000, &error);
            if (!lease)
                return JobResult::error(error);
            const PgResult r = pgExec(lease->db(),
                                      "SELECT path FROM " + s +
                                          ".media_files WHERE id = $1 AND missing_since IS NULL",
                                      {ids.at(i)});
            if (!r.ok())
                return JobResult::error(r.error());
            if (r.rows() == 0)
                continue; // gone since the scan
            path = r.text(0, 0);
        }
        // No connection is held while libavformat reads the file.
        const auto result = MediaProbe::probe(path, &error);
        context.reportProgress(QStringLiteral("probing"), i + 1, ids.size());
        auto lease = m_pool->acquire(10000, &error);
        if (!lease)
            return JobResult::error(error);
        QSqlDatabase &db = lease->db();
        if (!result) {
            ++failed;
            const PgResult r =
                pgExec(db, "UPDATE " + s + ".media_files SET probe_error = $2 WHERE id = $1",
                       {ids.at(i), error.toUtf8()});
            if (!r.ok())
                return JobResult::error(r.error());
            continue;
        }
        ++probed;
        const PgResult r =
            pgExec(db,
                   "UPDATE " + s +
                       ".media_files SET container = $2, duration_ms = NULLIF($3, '0')::bigint, "
                       "probe = $4::jsonb, probed_at = now(), probe_error = NULL WHERE id = $1",
                   {ids.at(i), result->container.toUtf8(), QByteArray::number(result->durationMs),
                    QJsonDocument(result->toJson()).toJson(QJsonDocument::Compact)});
        if (!r.ok())
            return JobResult::error(r.error());
        if (schema != QLatin1String("media"))
            continue;
        // Runtime of movies and episodes that do not know theirs.
        if (result->durationMs >= 60000) {
            const QByteArray minutes = QByteArray::number(result->durationMs / 60000);
            for (const char *table : {"movies", "episodes"}) {
                const PgResult u = pgExec(
                    db,
                    QByteArray("UPDATE media.") + table +
                        " t SET runtime_minutes = $2 FROM media.item_files i WHERE i.item_id = "
                        "t.id AND i.file_id = $1 AND i.kind = 'main' AND t.runtime_minutes IS NULL",
                    {ids.at(i), minutes});
                if (!u.ok())
                    return JobResult::error(u.error());
            }
        }
        // Tags of music files: the track's own title, number and disc, its artist and album.
        const auto &tags = result->tags;
        if (tags.isEmpty())
            continue;
        const QString artist = tags.value(QStringLiteral("artist"));
        const QString albumArtist = tags.value(QStringLiteral("album_artist"), artist);
        const QString album = tags.value(QStringLiteral("album"));
        if (!db.transaction())
            return JobResult::error(QStringLiteral("cannot begin a transaction"));
        const PgResult track = pgExec(
            db,
            "SELECT t.id, t.library_id FROM media.music_tracks t JOIN media.item_files i ON "
            "i.item_id = t.id AND i.file_id = $1 AND i.kind = 'main' WHERE NOT t.metadata_locked",
            {ids.at(i)});
        bool ok = track.ok();
        if (ok && track.rows() == 1) {
            const QByteArray trackId = track.bytes(0, 0), library = track.bytes(0, 1);
            // Track artist and album artist (they may differ).
            for (const QString &name : {artist, albumArtist})
                if (ok && !name.trimmed().isEmpty())
                    ok = pgExec(db,
                                "INSERT INTO media.music_artists (library_id, name) SELECT $1, "
                                "$2::text WHERE NOT EXISTS (SELECT 1 FROM media.music_artists a "
                                "WHERE a.library_id = $1 AND lower(a.name) = lower($2::text))",
                                {library, name.trimmed().toUtf8()})
                             .ok();
            if (ok && !album.trimmed().isEmpty())
                ok = pgExec(db,
                            "INSERT INTO media.music_albums (library_id, artist_id, title, year) "
                            "SELECT $1, (SELECT id FROM media.music_artists a WHERE a.library_id "
                            "= $1 AND lower(a.name) = lower($2::text) ORDER BY added_at LIMIT 1), "
                            "$3::text, $4::smallint WHERE NOT EXISTS (SELECT 1 FROM "
                            "media.music_albums b LEFT JOIN media.music_artists a ON a.id = "
                            "b.artist_id WHERE b.library_id = $1 AND lower(b.title) = "
                            "lower($3::text) AND lower(a.name) IS NOT DISTINCT FROM "
                            "lower($2::text))",
                            {library, orNull(albumArtist), album.trimmed().toUtf8(),
                             yearOf(tags.value(QStringLiteral("date")))})
                         .ok();
            if (ok)
                ok = pgExec(
                         db,
                         "UPDATE media.music_tracks t SET "
                         "title = coalesce($2::text, t.title), "
                         "track_number = coalesce($3::smallint, t.track_number), "
                         "disc_number = coalesce($4::smallint, t.disc_number), "
                         "duration_ms = coalesce(NULLIF($5::text, '0')::int, t.duration_ms), "
                         "artist_id = coalesce((SELECT id FROM media.music_artists a WHERE "
                         "a.library_id = t.library_id AND lower(a.name) = lower($6::text) ORDER BY "
                         "added_at LIMIT 1), t.artist_id), "
                         "album_id = coalesce((SELECT b.id FROM media.music_albums b LEFT JOIN "
                         "media.music_artists a ON a.id = b.artist_id WHERE b.library_id = "
                         "t.library_id AND lower(b.title) = lower($7::text) AND lower(a.name) IS "
                         "NOT DISTINCT FROM lower($8::text) ORDER BY b.added_at LIMIT 1), "
                         "t.album_id) "
                         "WHERE t.id = $1",
                         {trackId, orNull(tags.value(QStringLiteral("title"))),
                          leadingNumber(tags.value(QStringLiteral("track")), 32000),
                          leadingNumber(tags.value(QStringLiteral("disc")), 32000),
                          QByteArray::number(qMin<qint64>(result->durationMs, 2000000000)),
                          orNull(artist), orNull(album), orNull(albumArtist)})
                         .ok();
        }
        if (!ok || !db.commit()) {
            db.rollback();
            return JobResult::error(QStringLiteral("cannot apply the tags of %1").arg(path));
        }
    }
    qCDebug(lcLibrary) << "probed" << probed << "files," << failed << "failed";
    return JobResult::complete();
}

} // namespace Revenge
