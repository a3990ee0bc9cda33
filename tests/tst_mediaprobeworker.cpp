#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/workers/MediaProbeWorker.h"
#include "library/LibraryRepository.h"
#include "library/LibraryScanner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// media.probe end to end: a scan queues the probes of its new files; the worker fills in
// container, duration and streams, and the file's tags refine the track the folders made
// (title, number, artist, album). Files that cannot be probed are marked, not retried.
class TestMediaProbeWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tagsRefineTheTrack();
    void unreadableFilesAreMarked();
    void badArgsAreDiscarded();

private:
    JobResult runJob(const QJsonObject &args);
    QString value(const QByteArray &sql);

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_libraryId;
};

namespace {

void le32(QByteArray &b, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        b.append(char((v >> (8 * i)) & 0xff));
}

void le16(QByteArray &b, quint16 v)
{
    b.append(char(v & 0xff));
    b.append(char(v >> 8));
}

// One second of 16-bit mono PCM with a RIFF INFO list: INAM title, IART artist, IPRD album,
// ITRK track - what libavformat reads as the file's tags.
QByteArray taggedWav(const QMap<QByteArray, QByteArray> &info)
{
    QByteArray list = "INFO";
    for (auto it = info.cbegin(); it != info.cend(); ++it) {
        QByteArray value = it.value() + '\0';
        if (value.size() % 2)
            value += '\0';
        list += it.key();
        le32(list, quint32(value.size()));
        list += value;
    }
    const quint32 rate = 8000, dataSize = rate * 2;
    QByteArray fmt;
    le16(fmt, 1);
    le16(fmt, 1);
    le32(fmt, rate);
    le32(fmt, rate * 2);
    le16(fmt, 2);
    le16(fmt, 16);
    QByteArray body = "WAVEfmt ";
    le32(body, quint32(fmt.size()));
    body += fmt;
    body += "LIST";
    le32(body, quint32(list.size()));
    body += list;
    body += "data";
    le32(body, dataSize);
    body += QByteArray(dataSize, '\0');
    QByteArray file = "RIFF";
    le32(file, quint32(body.size()));
    return file + body;
}

} // namespace

void TestMediaProbeWorker::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("probe")), 4);
    {
        auto lease = m_pool->acquire();
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    m_dir = makeTempDir(QStringLiteral("revenge-probe"));
    const QString album = m_dir->path() + QStringLiteral("/Unknown Artist/Some Album");
    QVERIFY(QDir().mkpath(album));
    QFile tagged(album + QStringLiteral("/01 - track one.wav"));
    QVERIFY(tagged.open(QIODevice::WriteOnly));
    tagged.write(taggedWav({{"INAM", "Comfortably Numb"},
                            {"IART", "Pink Floyd"},
                            {"IPRD", "The Wall"},
                            {"ITRK", "6/13"},
                            {"ICRD", "1979"}}));
    tagged.close();
    QFile garbage(album + QStringLiteral("/02 - broken.mp3"));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write(QByteArray(4096, '\x5a'));
    garbage.close();
    const auto library = LibraryRepository(m_pool).create(
        QStringLiteral("Music"), QStringLiteral("music"), {m_dir->path()}, &error);
    QVERIFY2(library, qPrintable(error));
    m_libraryId = library->id;
    const auto scan =
        LibraryScanner(m_pool, std::make_shared<JobClient>(m_pool)).scan(m_libraryId, {}, &error);
    QVERIFY2(scan && scan->status == QLatin1String("completed"), qPrintable(error));
}

QString TestMediaProbeWorker::value(const QByteArray &sql)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), sql);
    if (!r.ok())
        qWarning().noquote() << r.error();
    return r.ok() && r.rows() ? r.text(0, 0) : QString();
}

JobResult TestMediaProbeWorker::runJob(const QJsonObject &args)
{
    Job job;
    job.id = 1;
    job.kind = QStringLiteral("media.probe");
    job.args = args;
    job.attempt = 1;
    JobContext context(job, std::make_shared<CancellationToken>(), [](const JobProgress &) {});
    return MediaProbeWorker(m_pool).work(context);
}

void TestMediaProbeWorker::tagsRefineTheTrack()
{
    // From the folders alone: the artist and album folders, the file name.
    QCOMPARE(value("SELECT a.name || '/' || b.title || '/' || t.track_number || ' ' || t.title "
                   "FROM media.music_tracks t JOIN media.music_albums b ON b.id = t.album_id "
                   "JOIN media.music_artists a ON a.id = b.artist_id WHERE t.title ILIKE "
                   "'%one%'"),
             QStringLiteral("Unknown Artist/Some Album/1 track one"));
    // The scan queued the probes of its two audio files.
    const QString args = value("SELECT args::text FROM jobs.job WHERE kind = 'media.probe'");
    const QJsonObject jobArgs = QJsonDocument::fromJson(args.toUtf8()).object();
    QCOMPARE(jobArgs.value(QStringLiteral("file_ids")).toArray().size(), 2);

    const JobResult result = runJob(jobArgs);
    QCOMPARE(int(result.kind), int(JobResult::Kind::Complete));
    QCOMPARE(value("SELECT container || ' ' || duration_ms || ' ' || "
                   "jsonb_array_length(probe->'streams') FROM media.media_files WHERE path LIKE "
                   "'%track one.wav'"),
             QStringLiteral("wav 1000 1"));
    QCOMPARE(value("SELECT a.name || '/' || b.title || '/' || t.track_number || ' ' || t.title || "
                   "' ' || t.duration_ms FROM media.music_tracks t JOIN media.music_albums b ON "
                   "b.id = t.album_id JOIN media.music_artists a ON a.id = t.artist_id JOIN "
                   "media.item_files i ON i.item_id = t.id JOIN media.media_files f ON f.id = "
                   "i.file_id WHERE f.path LIKE '%track one.wav'"),
             QStringLiteral("Pink Floyd/The Wall/6 Comfortably Numb 1000"));
    QCOMPARE(value("SELECT year FROM media.music_albums WHERE title = 'The Wall'"),
             QStringLiteral("1979"));
    // A track whose metadata is locked keeps what the user set.
    value("UPDATE media.music_tracks SET title = 'Mine', metadata_locked = true WHERE title = "
          "'Comfortably Numb' RETURNING 1");
    value("UPDATE media.media_files SET probed_at = NULL, probe = NULL RETURNING 1");
    QCOMPARE(int(runJob(jobArgs).kind), int(JobResult::Kind::Complete));
    QCOMPARE(value("SELECT count(*) FROM media.music_tracks WHERE title = 'Mine'"),
             QStringLiteral("1"));
}

void TestMediaProbeWorker::unreadableFilesAreMarked()
{
    const QString error =
        value("SELECT probe_error FROM media.media_files WHERE path LIKE '%broken.mp3'");
    QVERIFY2(error.contains(QStringLiteral("broken.mp3")), qPrintable(error));
    QCOMPARE(value("SELECT probe IS NULL FROM media.media_files WHERE path LIKE '%broken.mp3'"),
             QStringLiteral("t"));
    // A file removed since the scan is skipped.
    const QString id = value("SELECT id FROM media.media_files WHERE path LIKE '%broken.mp3'");
    value("UPDATE media.media_files SET missing_since = now() WHERE path LIKE '%broken.mp3' "
          "RETURNING 1");
    QCOMPARE(int(runJob({{QStringLiteral("schema"), QStringLiteral("media")},
                         {QStringLiteral("file_ids"), QJsonArray{id}}})
                     .kind),
             int(JobResult::Kind::Complete));
}

void TestMediaProbeWorker::badArgsAreDiscarded()
{
    const QList<QPair<QJsonObject, QString>> cases{
        {{{QStringLiteral("file_ids"), QJsonArray()}}, QStringLiteral("args.schema")},
        {{{QStringLiteral("schema"), QStringLiteral("public")},
          {QStringLiteral("file_ids"), QJsonArray()}},
         QStringLiteral("args.schema")},
        {{{QStringLiteral("schema"), QStringLiteral("media")}}, QStringLiteral("args.file_ids")},
        {{{QStringLiteral("schema"), QStringLiteral("media")},
          {QStringLiteral("file_ids"), QStringLiteral("x")}},
         QStringLiteral("args.file_ids")},
        {{{QStringLiteral("schema"), QStringLiteral("media")},
          {QStringLiteral("file_ids"), QJsonArray{QStringLiteral("'; DROP TABLE x")}}},
         QStringLiteral("not a file id")},
    };
    for (const auto &[args, expected] : cases) {
        const JobResult r = runJob(args);
        QCOMPARE(int(r.kind), int(JobResult::Kind::Discard));
        QVERIFY2(r.message.contains(expected), qPrintable(r.message));
    }
}

QTEST_GUILESS_MAIN(TestMediaProbeWorker)
#include "tst_mediaprobeworker.moc"
