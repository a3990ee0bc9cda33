#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/workers/LocalMetadataWorker.h"
#include "library/metadata/LocalArtwork.h"
#include "library/metadata/MetadataWriter.h"
#include "library/metadata/NfoReader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

namespace {

const char kHeatNfo[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<movie>
  <title>Heat</title>
  <originaltitle>Heat</originaltitle>
  <sorttitle>Heat (Mann)</sorttitle>
  <year>1995</year>
  <premiered>1995-12-15</premiered>
  <plot>A group of professional bank robbers.</plot>
  <tagline>A Los Angeles crime saga.</tagline>
  <mpaa>R</mpaa>
  <runtime>170</runtime>
  <rating>8.26</rating>
  <genre>Crime</genre>
  <genre>Drama</genre>
  <director>Michael Mann</director>
  <credits>Michael Mann</credits>
  <actor><name>Al Pacino</name><role>Vincent Hanna</role><order>0</order></actor>
  <actor><name>Robert De Niro</name><role>Neil McCauley</role><order>1</order></actor>
  <uniqueid type="imdb">tt0113277</uniqueid>
  <uniqueid type="tmdb">949</uniqueid>
  <thumb aspect="poster">https://img.example/heat.jpg</thumb>
</movie>
)";

} // namespace

// MetadataWriter and the metadata.local worker against a real PostgreSQL: fields, the lock,
// genres/credits replaced (not duplicated), external ids merged, local images written once.
class TestMetadataWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadMovie();
    void applyMovieFromNfo();
    void reapplyDoesNotDuplicate();
    void genresAndCreditsReplaced();
    void lockedItemOnlyGainsEmptyFields();
    void peopleMatchedByExternalId();
    void seriesSeasonAndEpisode();
    void workerSeriesAndEpisode();
    void workerStopsWhenCancelled();
    void adultMovieScalarsOnly();
    void missingAndInvalidItems();
    void workerAppliesNfoAndArtwork();
    void workerBrokenNfoStillGetsArtwork();
    void workerBadArgs_data();
    void workerBadArgs();

private:
    bool sql(const QByteArray &statement, const QList<QByteArray> &params = {});
    QString scalar(const QByteArray &statement, const QList<QByteArray> &params = {});
    qint64 count(const QByteArray &statement, const QList<QByteArray> &params = {});
    QString write(const QString &relative, const QByteArray &content = "x");
    QString addMovie(const QString &title, const QString &file, const QString &schema = "media");
    JobResult runWorker(LocalMetadataWorker &worker, const QJsonObject &args,
                        QString *lastMessage = nullptr);

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<MetadataWriter> m_writer;
    QTemporaryDir m_media;
    QString m_films, m_shows, m_adult;
};

void TestMetadataWriter::initTestCase()
{
    QVERIFY(m_media.isValid());
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("metadata")), 4);
    {
        auto lease = m_pool->acquire();
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    m_writer = std::make_unique<MetadataWriter>(m_pool);
    m_films = scalar("INSERT INTO shared.libraries (name, type, paths) VALUES ('Films', 'movies', "
                     "ARRAY[$1]) RETURNING id",
                     {m_media.path().toUtf8()});
    m_shows = scalar("INSERT INTO shared.libraries (name, type, paths) VALUES ('Shows', "
                     "'tvshows', ARRAY[$1]) RETURNING id",
                     {m_media.path().toUtf8()});
    m_adult = scalar("INSERT INTO shared.libraries (name, type, paths) VALUES ('Private', "
                     "'adult', ARRAY[$1]) RETURNING id",
                     {m_media.path().toUtf8()});
    QVERIFY(!m_films.isEmpty() && !m_shows.isEmpty() && !m_adult.isEmpty());
}

bool TestMetadataWriter::sql(const QByteArray &statement, const QList<QByteArray> &params)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), statement, params);
    if (!r.ok())
        qWarning().noquote() << statement << "->" << r.error();
    return r.ok();
}

QString TestMetadataWriter::scalar(const QByteArray &statement, const QList<QByteArray> &params)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), statement, params);
    if (!r.ok() || r.rows() == 0) {
        qWarning().noquote() << statement << "->" << (r.ok() ? "no rows" : r.error());
        return {};
    }
    return r.isNull(0, 0) ? QStringLiteral("<null>") : r.text(0, 0);
}

qint64 TestMetadataWriter::count(const QByteArray &statement, const QList<QByteArray> &params)
{
    return scalar(statement, params).toLongLong();
}

QString TestMetadataWriter::write(const QString &relative, const QByteArray &content)
{
    const QString path = m_media.filePath(relative);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qWarning() << "cannot write" << path;
    f.write(content);
    return path;
}

// A movie row with one main file; returns its id.
QString TestMetadataWriter::addMovie(const QString &title, const QString &file,
                                     const QString &schema)
{
    const QByteArray s = schema.toUtf8();
    const QByteArray library = (schema == QLatin1String("c") ? m_adult : m_films).toUtf8();
    const QString id =
        scalar("INSERT INTO " + s + ".movies (library_id, title) VALUES ($1, $2) RETURNING id",
               {library, title.toUtf8()});
    const QString fileId =
        scalar("INSERT INTO " + s +
                   ".media_files (library_id, path, size, mtime) VALUES ($1, $2, 1, now()) "
                   "RETURNING id",
               {library, file.toUtf8()});
    sql("INSERT INTO " + s + ".item_files (item_type, item_id, file_id) VALUES ('movie', $1, $2)",
        {id.toUtf8(), fileId.toUtf8()});
    return id;
}

void TestMetadataWriter::loadMovie()
{
    const QString file = write(QStringLiteral("Load/Load.mkv"));
    const QString id = addMovie(QStringLiteral("Load"), file);
    const QString extra = scalar(
        "INSERT INTO media.media_files (library_id, path, size, mtime, kind) VALUES ($1, $2, 1, "
        "now(), 'subtitle') RETURNING id",
        {m_films.toUtf8(), m_media.filePath(QStringLiteral("Load/Load.en.srt")).toUtf8()});
    QVERIFY(sql("INSERT INTO media.item_files (item_type, item_id, file_id, kind) VALUES "
                "('movie', $1, $2, 'subtitle')",
                {id.toUtf8(), extra.toUtf8()}));
    QVERIFY(sql("UPDATE media.movies SET year = 2001, external_ids = '{\"imdb\": \"tt0000001\"}' "
                "WHERE id = $1",
                {id.toUtf8()}));
    QString error;
    const auto item =
        m_writer->load({QStringLiteral("media"), QStringLiteral("movie"), id}, &error);
    QVERIFY2(item, qPrintable(error));
    QCOMPARE(item->title, QStringLiteral("Load"));
    QCOMPARE(item->libraryId, m_films);
    QCOMPARE(item->year, 2001);
    QCOMPARE(item->externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0000001"));
    QVERIFY(!item->metadataLocked);
    QCOMPARE(item->filePaths.size(), 2);
    QCOMPARE(item->filePaths.first(), file); // main first
}

void TestMetadataWriter::applyMovieFromNfo()
{
    const QString file = write(QStringLiteral("Heat (1995)/Heat (1995).mkv"));
    write(QStringLiteral("Heat (1995)/Heat (1995).nfo"), kHeatNfo);
    write(QStringLiteral("Heat (1995)/poster.jpg"));
    write(QStringLiteral("Heat (1995)/fanart.jpg"));
    const QString id = addMovie(QStringLiteral("Heat 1995"), file);
    const ItemRef ref{QStringLiteral("media"), QStringLiteral("movie"), id};

    QString error;
    auto metadata = NfoReader::read(LocalArtwork::findNfo(file, ref.type), &error);
    QVERIFY2(metadata, qPrintable(error));
    metadata->images += LocalArtwork::find(file, ref.type);
    QVERIFY2(m_writer->apply(ref, *metadata, &error), qPrintable(error));

    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(),
                              "SELECT title, original_title, sort_title, year, overview, tagline, "
                              "content_rating, runtime_minutes, release_date, community_rating, "
                              "external_ids->>'imdb', external_ids->>'tmdb' FROM media.movies "
                              "WHERE id = $1",
                              {id.toUtf8()});
    QVERIFY2(r.ok() && r.rows() == 1, qPrintable(r.error()));
    QCOMPARE(r.text(0, 0), QStringLiteral("Heat"));
    QCOMPARE(r.text(0, 1), QStringLiteral("Heat"));
    QCOMPARE(r.text(0, 2), QStringLiteral("Heat (Mann)"));
    QCOMPARE(r.toInt(0, 3), 1995);
    QCOMPARE(r.text(0, 4), QStringLiteral("A group of professional bank robbers."));
    QCOMPARE(r.text(0, 5), QStringLiteral("A Los Angeles crime saga."));
    QCOMPARE(r.text(0, 6), QStringLiteral("R"));
    QCOMPARE(r.toInt(0, 7), 170);
    QCOMPARE(r.text(0, 8), QStringLiteral("1995-12-15"));
    QCOMPARE(r.text(0, 9), QStringLiteral("8.3"));
    QCOMPARE(r.text(0, 10), QStringLiteral("tt0113277"));
    QCOMPARE(r.text(0, 11), QStringLiteral("949"));

    QCOMPARE(scalar("SELECT string_agg(g.name::text, ',' ORDER BY g.name) FROM media.item_genres "
                    "ig JOIN media.genres g ON g.id = ig.genre_id WHERE ig.item_id = $1",
                    {id.toUtf8()}),
             QStringLiteral("Crime,Drama"));
    QCOMPARE(
        scalar("SELECT string_agg(p.name || ':' || c.role || ':' || "
               "coalesce(c.character_name, '-'), ',' ORDER BY c.role, c.sort_order) FROM "
               "media.credits c JOIN media.people p ON p.id = c.person_id WHERE c.item_id = $1",
               {id.toUtf8()}),
        QStringLiteral("Al Pacino:actor:Vincent Hanna,Robert De Niro:actor:Neil McCauley,"
                       "Michael Mann:director:-,Michael Mann:writer:-"));
    // One person for Michael Mann, director and writer.
    QCOMPARE(count("SELECT count(*) FROM media.people WHERE name = 'Michael Mann'"), 1);
    QCOMPARE(scalar("SELECT string_agg(kind || ':' || sort_order || ':' || path, ',' ORDER BY "
                    "kind) FROM media.images WHERE item_id = $1",
                    {id.toUtf8()}),
             QStringLiteral("backdrop:0:%1,poster:0:%2")
                 .arg(m_media.filePath(QStringLiteral("Heat (1995)/fanart.jpg")),
                      m_media.filePath(QStringLiteral("Heat (1995)/poster.jpg"))));
    // The remote poster URL of the NFO is not written: images.download handles those.
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE source_url IS NOT NULL"), 0);
}

void TestMetadataWriter::reapplyDoesNotDuplicate()
{
    const QString id = scalar("SELECT id FROM media.movies WHERE title = 'Heat'");
    QVERIFY(!id.isEmpty());
    const QString file = m_media.filePath(QStringLiteral("Heat (1995)/Heat (1995).mkv"));
    const ItemRef ref{QStringLiteral("media"), QStringLiteral("movie"), id};
    const qint64 people = count("SELECT count(*) FROM media.people");
    const qint64 genres = count("SELECT count(*) FROM media.genres");
    for (int i = 0; i < 3; ++i) {
        QString error;
        auto metadata = NfoReader::read(LocalArtwork::findNfo(file, ref.type), &error);
        QVERIFY2(metadata, qPrintable(error));
        metadata->images += LocalArtwork::find(file, ref.type);
        QVERIFY2(m_writer->apply(ref, *metadata, &error), qPrintable(error));
    }
    QCOMPARE(count("SELECT count(*) FROM media.people"), people);
    QCOMPARE(count("SELECT count(*) FROM media.genres"), genres);
    QCOMPARE(count("SELECT count(*) FROM media.item_genres WHERE item_id = $1", {id.toUtf8()}), 2);
    QCOMPARE(count("SELECT count(*) FROM media.credits WHERE item_id = $1", {id.toUtf8()}), 4);
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE item_id = $1", {id.toUtf8()}), 2);
}

void TestMetadataWriter::genresAndCreditsReplaced()
{
    const QString id = scalar("SELECT id FROM media.movies WHERE title = 'Heat'");
    const ItemRef ref{QStringLiteral("media"), QStringLiteral("movie"), id};
    MediaMetadata m;
    m.source = QStringLiteral("test");
    m.genres = {QStringLiteral("Thriller"), QStringLiteral("crime"), QStringLiteral("  ")};
    PersonCredit val;
    val.name = QStringLiteral("Val Kilmer");
    val.character = QStringLiteral("Chris Shiherlis");
    PersonCredit bogus;
    bogus.name = QStringLiteral("Nobody");
    bogus.role = QStringLiteral("caterer"); // not a credit role: dropped
    m.credits = {val, bogus};
    m.externalIds = {{QStringLiteral("tvdb"), QStringLiteral("123")},
                     {QStringLiteral("imdb"), QStringLiteral("tt0113277")},
                     {QStringLiteral("empty"), QString()}};
    // An empty optional / blank string means "not said": the title stays.
    m.title = QStringLiteral("   ");
    QString error;
    QVERIFY2(m_writer->apply(ref, m, &error), qPrintable(error));
    QCOMPARE(scalar("SELECT title FROM media.movies WHERE id = $1", {id.toUtf8()}),
             QStringLiteral("Heat"));
    // "crime" is the existing genre Crime (citext), not a new one.
    QCOMPARE(scalar("SELECT string_agg(g.name::text, ',' ORDER BY g.name) FROM media.item_genres "
                    "ig JOIN media.genres g ON g.id = ig.genre_id WHERE ig.item_id = $1",
                    {id.toUtf8()}),
             QStringLiteral("Crime,Thriller"));
    QCOMPARE(count("SELECT count(*) FROM media.genres WHERE name = 'crime'"), 1);
    QCOMPARE(scalar("SELECT string_agg(p.name, ',') FROM media.credits c JOIN media.people p ON "
                    "p.id = c.person_id WHERE c.item_id = $1",
                    {id.toUtf8()}),
             QStringLiteral("Val Kilmer"));
    QCOMPARE(scalar("SELECT external_ids::text FROM media.movies WHERE id = $1", {id.toUtf8()}),
             QStringLiteral("{\"imdb\": \"tt0113277\", \"tmdb\": \"949\", \"tvdb\": \"123\"}"));
    // No genres and no credits in the source: the item keeps its own.
    MediaMetadata none;
    none.overview = QStringLiteral("Changed.");
    QVERIFY2(m_writer->apply(ref, none, &error), qPrintable(error));
    QCOMPARE(count("SELECT count(*) FROM media.item_genres WHERE item_id = $1", {id.toUtf8()}), 2);
    QCOMPARE(count("SELECT count(*) FROM media.credits WHERE item_id = $1", {id.toUtf8()}), 1);
    QCOMPARE(scalar("SELECT overview FROM media.movies WHERE id = $1", {id.toUtf8()}),
             QStringLiteral("Changed."));
}

void TestMetadataWriter::lockedItemOnlyGainsEmptyFields()
{
    const QString id = addMovie(QStringLiteral("My Cut"), write(QStringLiteral("Locked/a.mkv")));
    QVERIFY(sql("UPDATE media.movies SET metadata_locked = true, tagline = 'Mine', sort_title = "
                "'Cut, My', external_ids = '{\"imdb\": \"tt1111111\"}' WHERE id = $1",
                {id.toUtf8()}));
    QVERIFY(sql("INSERT INTO media.genres (name) VALUES ('Documentary') ON CONFLICT DO NOTHING"));
    QVERIFY(sql("INSERT INTO media.item_genres (genre_id, item_type, item_id) SELECT id, 'movie', "
                "$1 FROM media.genres WHERE name = 'Documentary'",
                {id.toUtf8()}));
    const ItemRef ref{QStringLiteral("media"), QStringLiteral("movie"), id};
    QString error;
    auto item = m_writer->load(ref, &error);
    QVERIFY2(item, qPrintable(error));
    QVERIFY(item->metadataLocked);

    MediaMetadata m;
    m.title = QStringLiteral("Their Cut");
    m.sortTitle = QStringLiteral("Their Cut");
    m.overview = QStringLiteral("Filled in.");
    m.tagline = QStringLiteral("Theirs");
    m.year = 2005;
    m.genres = {QStringLiteral("Action")};
    PersonCredit actor;
    actor.name = QStringLiteral("Someone");
    m.credits = {actor};
    m.externalIds = {{QStringLiteral("imdb"), QStringLiteral("tt2222222")},
                     {QStringLiteral("tmdb"), QStringLiteral("77")}};
    QVERIFY2(m_writer->apply(ref, m, &error), qPrintable(error));

    auto lease = m_pool->acquire();
    const PgResult r =
        pgExec(lease->db(),
               "SELECT title, sort_title, overview, tagline, year, external_ids::text "
               "FROM media.movies WHERE id = $1",
               {id.toUtf8()});
    QVERIFY(r.ok() && r.rows() == 1);
    QCOMPARE(r.text(0, 0), QStringLiteral("My Cut"));
    QCOMPARE(r.text(0, 1), QStringLiteral("Cut, My"));
    QCOMPARE(r.text(0, 2), QStringLiteral("Filled in."));
    QCOMPARE(r.text(0, 3), QStringLiteral("Mine"));
    QCOMPARE(r.toInt(0, 4), 2005);
    QCOMPARE(r.text(0, 5), QStringLiteral("{\"imdb\": \"tt1111111\", \"tmdb\": \"77\"}"));
    // Genres it had stay; credits it lacked are filled in.
    QCOMPARE(scalar("SELECT string_agg(g.name::text, ',') FROM media.item_genres ig JOIN "
                    "media.genres g ON g.id = ig.genre_id WHERE ig.item_id = $1",
                    {id.toUtf8()}),
             QStringLiteral("Documentary"));
    QCOMPARE(count("SELECT count(*) FROM media.credits WHERE item_id = $1", {id.toUtf8()}), 1);
}

void TestMetadataWriter::peopleMatchedByExternalId()
{
    const QString a = addMovie(QStringLiteral("A"), write(QStringLiteral("People/a.mkv")));
    const QString b = addMovie(QStringLiteral("B"), write(QStringLiteral("People2/b.mkv")));
    PersonCredit first;
    first.name = QStringLiteral("Chris Evans");
    first.externalIds = {{QStringLiteral("tmdb"), QStringLiteral("16828")}};
    MediaMetadata m;
    m.credits = {first};
    QString error;
    QVERIFY2(m_writer->apply({QStringLiteral("media"), QStringLiteral("movie"), a}, m, &error),
             qPrintable(error));
    // A homonym with another TMDb id is another person; the same id is the same person even
    // under a different spelling.
    PersonCredit homonym = first;
    homonym.externalIds = {{QStringLiteral("tmdb"), QStringLiteral("99999")}};
    PersonCredit respelled = first;
    respelled.name = QStringLiteral("Christopher Evans");
    respelled.role = QStringLiteral("producer");
    respelled.externalIds.insert(QStringLiteral("imdb"), QStringLiteral("nm0262635"));
    m.credits = {homonym, respelled};
    QVERIFY2(m_writer->apply({QStringLiteral("media"), QStringLiteral("movie"), b}, m, &error),
             qPrintable(error));
    QCOMPARE(count("SELECT count(*) FROM media.people WHERE name = 'Chris Evans'"), 2);
    QCOMPARE(count("SELECT count(*) FROM media.people WHERE name = 'Christopher Evans'"), 0);
    QCOMPARE(scalar("SELECT external_ids::text FROM media.people WHERE external_ids @> "
                    "'{\"tmdb\": \"16828\"}'"),
             QStringLiteral("{\"imdb\": \"nm0262635\", \"tmdb\": \"16828\"}"));
}

void TestMetadataWriter::seriesSeasonAndEpisode()
{
    const QString series =
        scalar("INSERT INTO media.series (library_id, title) VALUES ($1, 'Show') RETURNING id",
               {m_shows.toUtf8()});
    const QString season = scalar("INSERT INTO media.seasons (series_id, season_number) VALUES "
                                  "($1, 1) RETURNING id",
                                  {series.toUtf8()});
    const QString episode =
        scalar("INSERT INTO media.episodes (library_id, series_id, season_id, season_number, "
               "episode_number) VALUES ($1, $2, $3, 1, 1) RETURNING id",
               {m_shows.toUtf8(), series.toUtf8(), season.toUtf8()});
    const QString file = write(QStringLiteral("TV/Show/Season 1/Show S01E01.mkv"));
    const QString fileId = scalar("INSERT INTO media.media_files (library_id, path, size, mtime) "
                                  "VALUES ($1, $2, 1, now()) RETURNING id",
                                  {m_shows.toUtf8(), file.toUtf8()});
    QVERIFY(sql("INSERT INTO media.item_files (item_type, item_id, file_id) VALUES ('episode', "
                "$1, $2)",
                {episode.toUtf8(), fileId.toUtf8()}));
    QVERIFY(sql("UPDATE media.series SET external_ids = '{\"tvdb\": \"5\"}' WHERE id = $1",
                {series.toUtf8()}));

    QString error;
    const auto ep =
        m_writer->load({QStringLiteral("media"), QStringLiteral("episode"), episode}, &error);
    QVERIFY2(ep, qPrintable(error));
    QCOMPARE(ep->seriesId, series);
    QCOMPARE(ep->seriesTitle, QStringLiteral("Show"));
    QCOMPARE(ep->seriesExternalIds.value(QStringLiteral("tvdb")), QStringLiteral("5"));
    QCOMPARE(ep->season, 1);
    QCOMPARE(ep->episode, 1);
    QCOMPARE(ep->libraryId, m_shows);
    QCOMPARE(ep->filePaths, QStringList{file});
    const auto show =
        m_writer->load({QStringLiteral("media"), QStringLiteral("series"), series}, &error);
    QVERIFY2(show, qPrintable(error));
    QCOMPARE(show->filePaths, QStringList{file}); // its episodes' files locate its folder
    const auto s1 =
        m_writer->load({QStringLiteral("media"), QStringLiteral("season"), season}, &error);
    QVERIFY2(s1, qPrintable(error));
    QCOMPARE(s1->season, 1);
    QCOMPARE(s1->seriesId, series);
    QCOMPARE(s1->filePaths, QStringList{file});

    // Series: release date is the first air date; tagline and runtime have no column.
    MediaMetadata m;
    m.title = QStringLiteral("The Show");
    m.overview = QStringLiteral("About a show.");
    m.tagline = QStringLiteral("ignored");
    m.runtimeMinutes = 50;
    m.releaseDate = QDate(2008, 1, 20);
    m.rating = 9.46;
    m.genres = {QStringLiteral("Drama")};
    PersonCredit creator;
    creator.name = QStringLiteral("Vince Gilligan");
    creator.role = QStringLiteral("creator");
    m.credits = {creator};
    m.externalIds = {{QStringLiteral("tmdb"), QStringLiteral("1396")}};
    QVERIFY2(
        m_writer->apply({QStringLiteral("media"), QStringLiteral("series"), series}, m, &error),
        qPrintable(error));
    QCOMPARE(scalar("SELECT title || '|' || sort_title || '|' || year || '|' || first_air_date || "
                    "'|' || community_rating || '|' || external_ids::text FROM media.series "
                    "WHERE id = $1",
                    {series.toUtf8()}),
             QStringLiteral("The Show|The Show|2008|2008-01-20|9.5|{\"tmdb\": \"1396\", \"tvdb\": "
                            "\"5\"}"));
    QCOMPARE(count("SELECT count(*) FROM media.item_genres WHERE item_id = $1", {series.toUtf8()}),
             1);

    // Season: title, overview, air date; no genres or credits table for seasons.
    MediaMetadata sm;
    sm.title = QStringLiteral("Season One");
    sm.releaseDate = QDate(2008, 1, 20);
    sm.genres = {QStringLiteral("Drama")};
    QVERIFY2(
        m_writer->apply({QStringLiteral("media"), QStringLiteral("season"), season}, sm, &error),
        qPrintable(error));
    QCOMPARE(scalar("SELECT title || '|' || air_date FROM media.seasons WHERE id = $1",
                    {season.toUtf8()}),
             QStringLiteral("Season One|2008-01-20"));

    // Episode: air date, runtime; genres have no place, credits do.
    MediaMetadata em;
    em.title = QStringLiteral("Pilot");
    em.releaseDate = QDate(2008, 1, 20);
    em.runtimeMinutes = 58;
    em.genres = {QStringLiteral("Drama")};
    PersonCredit guest;
    guest.name = QStringLiteral("Guest Person");
    guest.role = QStringLiteral("guest_star");
    guest.character = QStringLiteral("Cameo");
    em.credits = {guest};
    ImageRef still;
    still.kind = QStringLiteral("thumb");
    still.path = write(QStringLiteral("TV/Show/Season 1/Show S01E01-thumb.jpg"));
    em.images = {still};
    QVERIFY2(
        m_writer->apply({QStringLiteral("media"), QStringLiteral("episode"), episode}, em, &error),
        qPrintable(error));
    QCOMPARE(scalar("SELECT title || '|' || air_date || '|' || runtime_minutes FROM "
                    "media.episodes WHERE id = $1",
                    {episode.toUtf8()}),
             QStringLiteral("Pilot|2008-01-20|58"));
    QCOMPARE(
        scalar("SELECT character_name FROM media.credits WHERE item_id = $1", {episode.toUtf8()}),
        QStringLiteral("Cameo"));
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE item_type = 'episode' AND item_id = $1",
                   {episode.toUtf8()}),
             1);
}

void TestMetadataWriter::workerSeriesAndEpisode()
{
    const QString series = scalar("SELECT id FROM media.series WHERE title = 'The Show'");
    const QString episode =
        scalar("SELECT id FROM media.episodes WHERE series_id = $1", {series.toUtf8()});
    QVERIFY(!series.isEmpty() && !episode.isEmpty());
    write(QStringLiteral("TV/Show/tvshow.nfo"),
          "<tvshow><title>The Show (NFO)</title><uniqueid type=\"tvdb\">5</uniqueid></tvshow>");
    write(QStringLiteral("TV/Show/poster.jpg"));
    write(QStringLiteral("TV/Show/Season 1/Show S01E01.nfo"),
          "<episodedetails><title>Pilot (NFO)</title><aired>2008-01-21</aired></episodedetails>");
    auto jobs = std::make_shared<JobClient>(m_pool);
    LocalMetadataWorker worker(m_pool, jobs, true);
    QString message;
    QCOMPARE(
        int(runWorker(
                worker,
                {{"schema", "media"}, {"item_type", "series"}, {"item_ids", QJsonArray{series}}},
                &message)
                .kind),
        int(JobResult::Kind::Complete));
    QCOMPARE(message, QStringLiteral("1 updated, 0 without local metadata, 0 gone"));
    QCOMPARE(scalar("SELECT title FROM media.series WHERE id = $1", {series.toUtf8()}),
             QStringLiteral("The Show (NFO)"));
    QCOMPARE(scalar("SELECT path FROM media.images WHERE item_type = 'series' AND item_id = $1",
                    {series.toUtf8()}),
             m_media.filePath(QStringLiteral("TV/Show/poster.jpg")));
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'metadata.fetch' AND "
                   "args->>'item_id' = $1",
                   {series.toUtf8()}),
             1);

    QCOMPARE(
        int(runWorker(
                worker,
                {{"schema", "media"}, {"item_type", "episode"}, {"item_ids", QJsonArray{episode}}},
                &message)
                .kind),
        int(JobResult::Kind::Complete));
    QCOMPARE(scalar("SELECT title || '|' || air_date FROM media.episodes WHERE id = $1",
                    {episode.toUtf8()}),
             QStringLiteral("Pilot (NFO)|2008-01-21"));
    // Episodes are not fetched remotely one by one (the series fetch covers them).
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'metadata.fetch' AND "
                   "args->>'item_id' = $1",
                   {episode.toUtf8()}),
             0);
}

void TestMetadataWriter::workerStopsWhenCancelled()
{
    LocalMetadataWorker worker(m_pool, nullptr, false);
    Job job;
    job.kind = worker.kind();
    job.args = {{"schema", "media"},
                {"item_type", "movie"},
                {"item_ids", QJsonArray{QStringLiteral("00000000-0000-4000-8000-000000000001")}}};
    auto token = std::make_shared<CancellationToken>();
    token->cancel(CancellationToken::Reason::Shutdown);
    JobContext context(job, token, [](const JobProgress &) {});
    const JobResult result = worker.work(context);
    QCOMPARE(int(result.kind), int(JobResult::Kind::Error));
    QCOMPARE(result.message, QStringLiteral("interrupted after 0 of 1 items"));
}

void TestMetadataWriter::adultMovieScalarsOnly()
{
    const QString id = addMovie(QStringLiteral("Private Film"),
                                write(QStringLiteral("Adult/p.mkv")), QStringLiteral("c"));
    QVERIFY(!id.isEmpty());
    const ItemRef ref{QStringLiteral("c"), QStringLiteral("movie"), id};
    QString error;
    const auto item = m_writer->load(ref, &error);
    QVERIFY2(item, qPrintable(error));
    QCOMPARE(item->libraryId, m_adult);
    QCOMPARE(item->filePaths.size(), 1);

    MediaMetadata m;
    m.title = QStringLiteral("Named Film");
    m.overview = QStringLiteral("Overview.");
    m.releaseDate = QDate(2010, 5, 1);
    m.tagline = QStringLiteral("no column");
    m.genres = {QStringLiteral("Not A Genre Here")};
    PersonCredit director;
    director.name = QStringLiteral("Some Director");
    director.role = QStringLiteral("director");
    m.credits = {director};
    m.externalIds = {{QStringLiteral("stashdb"), QStringLiteral("abc")}};
    ImageRef poster;
    poster.kind = QStringLiteral("poster");
    poster.path = write(QStringLiteral("Adult/poster.jpg"));
    m.images = {poster};
    QVERIFY2(m_writer->apply(ref, m, &error), qPrintable(error));
    QCOMPARE(scalar("SELECT title || '|' || overview || '|' || year || '|' || release_date || '|' "
                    "|| director || '|' || external_ids::text FROM c.movies WHERE id = $1",
                    {id.toUtf8()}),
             QStringLiteral("Named Film|Overview.|2010|2010-05-01|Some Director|{\"stashdb\": "
                            "\"abc\"}"));
    QCOMPARE(count("SELECT count(*) FROM media.genres WHERE name = 'Not A Genre Here'"), 0);
    QCOMPARE(count("SELECT count(*) FROM media.people WHERE name = 'Some Director'"), 0);
    QCOMPARE(count("SELECT count(*) FROM c.images WHERE item_id = $1", {id.toUtf8()}), 1);
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE item_id = $1", {id.toUtf8()}), 0);
}

void TestMetadataWriter::missingAndInvalidItems()
{
    QString error;
    const QString ghost = QStringLiteral("00000000-0000-4000-8000-000000000000");
    QVERIFY(!m_writer->load({QStringLiteral("media"), QStringLiteral("movie"), ghost}, &error));
    QCOMPARE(error, QStringLiteral("not found: media movie %1").arg(ghost));
    MediaMetadata m;
    m.title = QStringLiteral("x");
    QVERIFY(!m_writer->apply({QStringLiteral("media"), QStringLiteral("movie"), ghost}, m, &error));
    QCOMPARE(error, QStringLiteral("not found: media movie %1").arg(ghost));

    QVERIFY(!m_writer->load({QStringLiteral("media"), QStringLiteral("movie"),
                             QStringLiteral("1; DROP TABLE media.movies")},
                            &error));
    QVERIFY2(error.contains(QLatin1String("not a uuid")), qPrintable(error));
    QVERIFY(!m_writer->apply({QStringLiteral("media"), QStringLiteral("scene"), ghost}, m, &error));
    QVERIFY2(error.contains(QLatin1String("unsupported item type 'scene'")), qPrintable(error));
    QVERIFY(!m_writer->load({QStringLiteral("public"), QStringLiteral("movie"), ghost}, &error));
    QVERIFY2(error.contains(QLatin1String("schema 'public'")), qPrintable(error));
    QVERIFY(count("SELECT count(*) FROM media.movies") > 0);

    // A value the table refuses (an image of an unknown kind is skipped, not fatal).
    const QString id = scalar("SELECT id FROM media.movies WHERE title = 'Heat'");
    ImageRef odd;
    odd.kind = QStringLiteral("discart");
    odd.path = QStringLiteral("/x/disc.png");
    MediaMetadata withOdd;
    withOdd.images = {odd};
    QVERIFY2(
        m_writer->apply({QStringLiteral("media"), QStringLiteral("movie"), id}, withOdd, &error),
        qPrintable(error));
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE path = '/x/disc.png'"), 0);
}

JobResult TestMetadataWriter::runWorker(LocalMetadataWorker &worker, const QJsonObject &args,
                                        QString *lastMessage)
{
    Job job;
    job.id = 1;
    job.kind = worker.kind();
    job.args = args;
    job.attempt = 1;
    JobContext context(job, std::make_shared<CancellationToken>(), [&](const JobProgress &p) {
        if (lastMessage && !p.message.isEmpty())
            *lastMessage = p.message;
    });
    return worker.work(context);
}

void TestMetadataWriter::workerAppliesNfoAndArtwork()
{
    const QString file = write(QStringLiteral("Worker/Alien (1979)/Alien (1979).mkv"));
    write(QStringLiteral("Worker/Alien (1979)/movie.nfo"),
          "<movie><title>Alien</title><year>1979</year><genre>Horror</genre>"
          "<uniqueid type=\"tmdb\">348</uniqueid></movie>");
    write(QStringLiteral("Worker/Alien (1979)/folder.jpg"));
    write(QStringLiteral("Worker/Alien (1979)/Alien (1979)-fanart.png"));
    const QString id = addMovie(QStringLiteral("Alien 1979"), file);
    const QString bare =
        addMovie(QStringLiteral("Bare"), write(QStringLiteral("Worker/Bare/Bare.mkv")));
    const QString gone = QStringLiteral("00000000-0000-4000-8000-0000000000aa");

    auto jobs = std::make_shared<JobClient>(m_pool);
    LocalMetadataWorker worker(m_pool, jobs, true);
    QCOMPARE(worker.kind(), QStringLiteral("metadata.local"));
    const QJsonObject args{
        {"schema", "media"}, {"item_type", "movie"}, {"item_ids", QJsonArray{id, bare, gone}}};
    QString message;
    JobResult result = runWorker(worker, args, &message);
    QCOMPARE(int(result.kind), int(JobResult::Kind::Complete));
    QCOMPARE(message, QStringLiteral("1 updated, 1 without local metadata, 1 gone"));
    QCOMPARE(scalar("SELECT title || '|' || year || '|' || external_ids::text FROM media.movies "
                    "WHERE id = $1",
                    {id.toUtf8()}),
             QStringLiteral("Alien|1979|{\"tmdb\": \"348\"}"));
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE item_id = $1", {id.toUtf8()}), 2);

    // Follow-ups: one images.download per local image, metadata.fetch for both movies there.
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'images.download' AND "
                   "args->>'item_id' = $1",
                   {id.toUtf8()}),
             2);
    const QJsonObject posterArgs =
        QJsonDocument::fromJson(scalar("SELECT args::text FROM jobs.job WHERE kind = "
                                       "'images.download' AND args->>'kind' = 'poster' AND "
                                       "args->>'item_id' = $1",
                                       {id.toUtf8()})
                                    .toUtf8())
            .object();
    const QJsonObject expectedArgs{
        {"schema", "media"},
        {"item_type", "movie"},
        {"item_id", id},
        {"kind", "poster"},
        {"path", m_media.filePath(QStringLiteral("Worker/Alien (1979)/folder.jpg"))},
        {"order", 0}};
    QCOMPARE(posterArgs, expectedArgs);
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'metadata.fetch' AND "
                   "args->>'item_id' IN ($1, $2)",
                   {id.toUtf8(), bare.toUtf8()}),
             2);

    // Again: nothing doubles, neither rows nor (unique) jobs.
    result = runWorker(worker, args, &message);
    QCOMPARE(int(result.kind), int(JobResult::Kind::Complete));
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE item_id = $1", {id.toUtf8()}), 2);
    QCOMPARE(count("SELECT count(*) FROM media.item_genres WHERE item_id = $1", {id.toUtf8()}), 1);
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE args->>'item_id' IN ($1, $2)",
                   {id.toUtf8(), bare.toUtf8()}),
             4);

    // Without remote metadata: no metadata.fetch; without a job client: no jobs at all.
    QVERIFY(sql("DELETE FROM jobs.job"));
    LocalMetadataWorker localOnly(m_pool, jobs, false);
    QCOMPARE(int(runWorker(localOnly, args).kind), int(JobResult::Kind::Complete));
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'metadata.fetch'"), 0);
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind = 'images.download'"), 2);
    QVERIFY(sql("DELETE FROM jobs.job"));
    LocalMetadataWorker noJobs(m_pool, nullptr, true);
    QCOMPARE(int(runWorker(noJobs, args).kind), int(JobResult::Kind::Complete));
    QCOMPARE(count("SELECT count(*) FROM jobs.job WHERE kind <> 'search.index'"), 0);
}

void TestMetadataWriter::workerBrokenNfoStillGetsArtwork()
{
    const QString broken = write(QStringLiteral("Broken/Bad (2000)/Bad (2000).mkv"));
    write(QStringLiteral("Broken/Bad (2000)/Bad (2000).nfo"),
          "<movie>\n<title>Bad</title>\n<year>");
    write(QStringLiteral("Broken/Bad (2000)/poster.jpg"));
    const QString wrongRoot = write(QStringLiteral("Broken/Wrong/Wrong.mkv"));
    write(QStringLiteral("Broken/Wrong/Wrong.nfo"), "<tvshow><title>Not a movie</title></tvshow>");
    const QString a = addMovie(QStringLiteral("Bad 2000"), broken);
    const QString b = addMovie(QStringLiteral("Wrong"), wrongRoot);

    LocalMetadataWorker worker(m_pool, nullptr, false);
    QString message;
    const JobResult result = runWorker(
        worker, {{"schema", "media"}, {"item_type", "movie"}, {"item_ids", QJsonArray{a, b}}},
        &message);
    QCOMPARE(int(result.kind), int(JobResult::Kind::Complete));
    QVERIFY2(message.startsWith(QLatin1String("1 updated, 1 without local metadata, 0 gone, 2 "
                                              "broken NFO (first: ")),
             qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("malformed XML at line 3")), qPrintable(message));
    QCOMPARE(scalar("SELECT title FROM media.movies WHERE id = $1", {a.toUtf8()}),
             QStringLiteral("Bad 2000")); // nothing from the broken file
    QCOMPARE(count("SELECT count(*) FROM media.images WHERE item_id = $1 AND kind = 'poster'",
                   {a.toUtf8()}),
             1);
    QCOMPARE(scalar("SELECT title FROM media.movies WHERE id = $1", {b.toUtf8()}),
             QStringLiteral("Wrong"));
}

void TestMetadataWriter::workerBadArgs_data()
{
    const QString ok = QStringLiteral("00000000-0000-4000-8000-000000000001");
    QJsonArray tooMany;
    for (int i = 0; i < 101; ++i)
        tooMany << ok;
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no schema") << QJsonObject{{"item_type", "movie"}, {"item_ids", QJsonArray{ok}}}
                               << "schema must be";
    QTest::newRow("bad schema") << QJsonObject{{"schema", "public"},
                                               {"item_type", "movie"},
                                               {"item_ids", QJsonArray{ok}}}
                                << "schema must be";
    QTest::newRow("schema not string")
        << QJsonObject{{"schema", 5}, {"item_type", "movie"}, {"item_ids", QJsonArray{ok}}}
        << "schema must be";
    QTest::newRow("bad type") << QJsonObject{{"schema", "media"},
                                             {"item_type", "scene"},
                                             {"item_ids", QJsonArray{ok}}}
                              << "item_type 'scene'";
    QTest::newRow("ids not array")
        << QJsonObject{{"schema", "media"}, {"item_type", "movie"}, {"item_ids", ok}}
        << "item_ids must be an array";
    QTest::newRow("id not uuid") << QJsonObject{{"schema", "media"},
                                                {"item_type", "movie"},
                                                {"item_ids", QJsonArray{ok, "nope"}}}
                                 << "item_ids[1] is not a uuid";
    QTest::newRow("id not string")
        << QJsonObject{{"schema", "c"}, {"item_type", "scene"}, {"item_ids", QJsonArray{42}}}
        << "item_ids[0] is not a uuid";
    QTest::newRow("too many") << QJsonObject{{"schema", "media"},
                                             {"item_type", "movie"},
                                             {"item_ids", tooMany}}
                              << "101 item_ids, at most 100";
}

void TestMetadataWriter::workerBadArgs()
{
    QFETCH(QJsonObject, args);
    QFETCH(QString, expected);
    LocalMetadataWorker worker(m_pool, nullptr, false);
    const JobResult result = runWorker(worker, args);
    QCOMPARE(int(result.kind), int(JobResult::Kind::Discard));
    QVERIFY2(result.message.startsWith(QLatin1String("invalid args: ")),
             qPrintable(result.message));
    QVERIFY2(result.message.contains(expected), qPrintable(result.message));
}

QTEST_GUILESS_MAIN(TestMetadataWriter)
#include "tst_metadatawriter.moc"
