#include "DatabaseTestSupport.h"
#include "ImageTestSupport.h"
#include "JobTestSupport.h"
#include "TestEnvironment.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/workers/ImageDownloadWorker.h"
#include "jobs/workers/ImageTrimWorker.h"
#include "library/images/ImageStore.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QImage>
#include <QImageReader>
#include <QtConcurrent>
#include <QtEndian>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

namespace {

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char c : data) {
        crc ^= quint8(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// A real 1x1 PNG whose header claims width x height: decoding it would allocate the claimed size.
QByteArray pngClaiming(quint32 width, quint32 height)
{
    QByteArray png = encodeImage(testPicture(1, 1, Qt::red), "png");
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    const int ihdr = 12;
    Q_ASSERT(png.mid(ihdr, 4) == "IHDR");
    qToBigEndian(width, png.data() + ihdr + 4);
    qToBigEndian(height, png.data() + ihdr + 8);
    qToBigEndian(crc32(png.mid(ihdr, 4 + 13)), png.data() + ihdr + 4 + 13);
    return png;
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestImageStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void dedupesIdenticalBytes();
    void restoresMissingFiles();
    void makesThumbnails();
    void refusesNonImages_data();
    void refusesNonImages();
    void refusesDecompressionBombs();
    void concurrentPuts();
    void trimRemovesUnreferencedAndOrphans();
    void trimSparesRecentBlobs();
    void trimEvictsLeastRecentlyUsed();
    void trimWorker();
    void importsLocalFiles();
    void workerImportsLocalPath();

private:
    qint64 scalar(const QByteArray &query)
    {
        return queryScalar(*m_pool, QString::fromUtf8(query));
    }
    bool sql(const QByteArray &statement) { return execSql(*m_pool, statement); }
    QString root() const { return m_dir->filePath(QStringLiteral("images")); }
    bool reference(const char *item, const QString &kind, const QByteArray &hashHex);

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<ImageStore> m_store;
    QByteArray m_png;  // 600x900 opaque
    QByteArray m_jpeg; // 1280x720

    static constexpr const char *kMovieA = "bbbbbbbb-0000-4000-8000-000000000001";
    static constexpr const char *kMovieB = "bbbbbbbb-0000-4000-8000-000000000002";
};

void TestImageStore::initTestCase()
{
    QVERIFY2(QImageReader::supportedImageFormats().contains("jpeg"),
             "the Qt JPEG image plugin is missing");
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("imagestore")), 4);
    {
        auto lease = m_pool->acquire();
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    QVERIFY(sql("INSERT INTO shared.libraries (name, type, paths) VALUES "
                "('Films', 'movies', ARRAY['/media/films'])"));
    QVERIFY(sql(QByteArray("INSERT INTO media.movies (id, library_id, title) SELECT v.id::uuid, "
                           "l.id, v.t FROM shared.libraries l, (VALUES ('") +
                kMovieA + "', 'Alpha'), ('" + kMovieB + "', 'Beta')) v(id, t)"));
    m_png = encodeImage(testPicture(600, 900, Qt::darkGreen), "png");
    m_jpeg = encodeImage(testPicture(1280, 720, Qt::darkRed), "jpeg");
    QVERIFY(!m_png.isEmpty() && !m_jpeg.isEmpty());
}

// Every test starts from an empty cache.
void TestImageStore::init()
{
    QVERIFY(sql("DELETE FROM media.images"));
    QVERIFY(sql("DELETE FROM shared.image_blobs"));
    m_dir = makeTempDir(QStringLiteral("revenge-imagestore"));
    m_store = std::make_shared<ImageStore>(m_pool, root());
}

bool TestImageStore::reference(const char *item, const QString &kind, const QByteArray &hashHex)
{
    return sql(QByteArray("INSERT INTO media.images (item_type, item_id, kind, source_url, "
                          "content_hash) VALUES ('movie', '") +
               item + "', '" + kind.toUtf8() + "', 'http://example.invalid/" + hashHex +
               "', decode('" + hashHex + "', 'hex'))");
}

void TestImageStore::dedupesIdenticalBytes()
{
    QString error;
    const auto first = m_store->put(m_png, QStringLiteral("image/png"), &error);
    QVERIFY2(first, qPrintable(error));
    QVERIFY(first->created);
    QCOMPARE(first->hashHex(), sha256Hex(m_png));
    QCOMPARE(first->mime, QStringLiteral("image/png"));
    QCOMPARE(first->width, 600);
    QCOMPARE(first->height, 900);
    QCOMPARE(first->path, first->hashHex().left(2) + QLatin1Char('/') + first->hashHex() +
                              QStringLiteral(".png"));
    QFile file(m_store->absolutePath(first->path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), m_png);

    // The server's claim does not matter: the stored mime comes from the bytes.
    const auto second = m_store->put(m_png, QStringLiteral("image/jpeg"), &error);
    QVERIFY2(second, qPrintable(error));
    QVERIFY(!second->created);
    QCOMPARE(second->hash, first->hash);
    QCOMPARE(second->path, first->path);
    QCOMPARE(second->mime, QStringLiteral("image/png"));
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), 1);
    QCOMPARE(scalar("SELECT bytes FROM shared.image_blobs"), m_png.size());
    QCOMPARE(
        QDir(root() + QLatin1Char('/') + first->hashHex().left(2)).entryList(QDir::Files).size(),
        2); // the image and its thumbnail, nothing else

    const auto found = m_store->find(first->hash);
    QVERIFY(found);
    QCOMPARE(found->thumbnailPath, first->thumbnailPath);
}

void TestImageStore::restoresMissingFiles()
{
    const auto stored = m_store->put(m_jpeg);
    QVERIFY(stored);
    QVERIFY(QFile::remove(m_store->absolutePath(stored->path)));
    QVERIFY(QFile::remove(m_store->absolutePath(stored->thumbnailPath)));
    const auto again = m_store->put(m_jpeg);
    QVERIFY(again);
    QVERIFY(!again->created);
    QVERIFY(QFile::exists(m_store->absolutePath(stored->path)));
    QVERIFY(QFile::exists(m_store->absolutePath(stored->thumbnailPath)));
}

void TestImageStore::makesThumbnails()
{
    // Opaque: a JPEG of the configured width, aspect kept.
    const auto jpeg = m_store->put(m_jpeg);
    QVERIFY(jpeg);
    QCOMPARE(jpeg->thumbnailPath, jpeg->path.chopped(4) + QStringLiteral("_w320.jpg"));
    QImageReader jpegThumb(m_store->absolutePath(jpeg->thumbnailPath));
    QCOMPARE(jpegThumb.format(), QByteArray("jpeg"));
    QCOMPARE(jpegThumb.size(), QSize(320, 180));
    QVERIFY(QFileInfo(m_store->absolutePath(jpeg->thumbnailPath)).size() < m_jpeg.size());

    // Transparent and smaller than the width: a PNG (alpha kept), not upscaled.
    const QByteArray alpha =
        encodeImage(testPicture(100, 50, Qt::transparent, Qt::white, QImage::Format_ARGB32), "png");
    const auto small = m_store->put(alpha);
    QVERIFY(small);
    QVERIFY(small->thumbnailPath.endsWith(QStringLiteral("_w320.png")));
    const QImage thumb(m_store->absolutePath(small->thumbnailPath));
    QCOMPARE(thumb.size(), QSize(100, 50));
    QVERIFY(thumb.hasAlphaChannel());
    QCOMPARE(qAlpha(thumb.pixel(0, 0)), 0);

    // Another configured width: a new thumbnail for the same blob, recorded in its row.
    ImageStore::Options options;
    options.thumbnailWidth = 200;
    ImageStore narrow(m_pool, root(), options);
    const auto again = narrow.put(m_jpeg);
    QVERIFY(again);
    QVERIFY(again->thumbnailPath.endsWith(QStringLiteral("_w200.jpg")));
    QCOMPARE(QImageReader(narrow.absolutePath(again->thumbnailPath)).size(), QSize(200, 113));
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs WHERE thumbnail_path LIKE "
                    "'%_w200.jpg'"),
             1);
}

void TestImageStore::refusesNonImages_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text");
    const QByteArray png = encodeImage(testPicture(300, 300, Qt::blue), "png");
    const QByteArray jpeg = encodeImage(testPicture(300, 300, Qt::blue), "jpeg");
    QTest::newRow("empty") << QByteArray() << "empty";
    QTest::newRow("html") << QByteArray("<!DOCTYPE html>\n<html><body>Login</body></html>")
                          << "HTML page";
    QTest::newRow("json") << QByteArray("{\"error\": \"rate limited\"}") << "JSON";
    QTest::newRow("random") << QByteArray(4096, '\x17') << "not a recognised image format";
    QTest::newRow("png signature only") << png.left(8) << "png";
    QTest::newRow("truncated png") << png.left(png.size() / 2) << "png";
    QTest::newRow("truncated jpeg") << jpeg.left(jpeg.size() / 2) << "JPEG";
    QTest::newRow("xpm") << QByteArray("/* XPM */\nstatic char *x[] = {\"1 1 1 1\", \"a c "
                                       "#000000\", \"a\"};\n")
                         << "unsupported image format 'xpm'";
}

void TestImageStore::refusesNonImages()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);
    QString error;
    ImageStore::Error kind = ImageStore::Error::None;
    QVERIFY(!m_store->put(bytes, QStringLiteral("image/jpeg"), &error, &kind));
    QCOMPARE(kind, ImageStore::Error::NotImage);
    QVERIFY2(error.contains(text), qPrintable(error));
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), 0);
    QVERIFY(QDir(root()).isEmpty() || !QDir(root()).exists());
}

void TestImageStore::refusesDecompressionBombs()
{
    for (const QSize claimed : {QSize(50000, 50000), QSize(12001, 10), QSize(11000, 11000)}) {
        const QByteArray bomb = pngClaiming(claimed.width(), claimed.height());
        QVERIFY(bomb.size() < 200);
        QBuffer buffer;
        buffer.setData(bomb);
        QCOMPARE(QImageReader(&buffer).size(), claimed);

        QString error;
        ImageStore::Error kind = ImageStore::Error::None;
        QVERIFY(!m_store->put(bomb, {}, &error, &kind));
        QCOMPARE(kind, ImageStore::Error::TooLarge);
        QVERIFY2(error.contains(
                     QStringLiteral("%1x%2 pixels").arg(claimed.width()).arg(claimed.height())),
                 qPrintable(error));
    }
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), 0);
}

void TestImageStore::concurrentPuts()
{
    // Eight threads: four store the same bytes, four store distinct ones.
    QList<QByteArray> inputs;
    for (int i = 0; i < 4; ++i)
        inputs << m_png;
    for (int i = 0; i < 4; ++i)
        inputs << encodeImage(testPicture(200 + i, 100, QColor::fromHsv(i * 60, 200, 200)), "png");
    QThreadPool pool;
    pool.setMaxThreadCount(8);
    QList<QFuture<bool>> futures;
    for (const QByteArray &bytes : inputs)
        futures << QtConcurrent::run(&pool, [this, bytes] {
            QString error;
            const bool ok = m_store->put(bytes, {}, &error).has_value();
            if (!ok)
                qWarning() << error;
            return ok;
        });
    for (auto &f : futures)
        QVERIFY(f.result());
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), 5);
}

void TestImageStore::trimRemovesUnreferencedAndOrphans()
{
    const auto kept = m_store->put(m_png);
    const auto unused = m_store->put(m_jpeg);
    QVERIFY(kept && unused);
    QVERIFY(reference(kMovieA, QStringLiteral("poster"), kept->hash.toHex()));

    // Left by a crash: a file with no row, and a temporary file of an interrupted write.
    const QString shard = root() + QStringLiteral("/ab");
    QVERIFY(QDir().mkpath(shard));
    const QString orphan = shard + QLatin1Char('/') + QString(64, QLatin1Char('a')) + ".jpg";
    const QString temp = shard + QLatin1Char('/') + QString(64, QLatin1Char('b')) + ".jpg.Xyz123";
    // Not ours: left alone.
    const QString outside = root() + QStringLiteral("/README");
    const QString otherDir = root() + QStringLiteral("/backup/x.jpg");
    QVERIFY(QDir().mkpath(root() + QStringLiteral("/backup")));
    for (const QString &p : {orphan, temp, outside, otherDir}) {
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("stale");
    }

    QString error;
    const auto report = m_store->trim(1LL << 40, &error, 0s);
    QVERIFY2(report, qPrintable(error));
    QCOMPARE(report->unreferencedRemoved, 1);
    QCOMPARE(report->evicted, 0);
    QCOMPARE(report->orphanFilesRemoved, 2);
    QVERIFY(report->bytesFreed >= m_jpeg.size());

    QVERIFY(QFile::exists(m_store->absolutePath(kept->path)));
    QVERIFY(QFile::exists(m_store->absolutePath(kept->thumbnailPath)));
    QVERIFY(!QFile::exists(m_store->absolutePath(unused->path)));
    QVERIFY(!QFile::exists(m_store->absolutePath(unused->thumbnailPath)));
    QVERIFY(!QFile::exists(orphan) && !QFile::exists(temp));
    QVERIFY(!QDir(shard).exists()); // emptied shard directories go too
    QVERIFY(QFile::exists(outside) && QFile::exists(otherDir));
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), 1);
    QCOMPARE(report->bytesAfter, scalar("SELECT bytes + thumbnail_bytes FROM shared.image_blobs"));
    QCOMPARE(scalar("SELECT count(*) FROM media.images WHERE content_hash IS NOT NULL"), 1);
}

void TestImageStore::trimSparesRecentBlobs()
{
    // Just stored, not yet referenced (a worker is about to write its images row): kept.
    const auto fresh = m_store->put(m_jpeg);
    QVERIFY(fresh);
    const auto report = m_store->trim(0); // default grace: an hour
    QVERIFY(report);
    QCOMPARE(report->unreferencedRemoved + report->evicted + report->orphanFilesRemoved, 0);
    QVERIFY(QFile::exists(m_store->absolutePath(fresh->path)));
}

void TestImageStore::trimEvictsLeastRecentlyUsed()
{
    const auto older = m_store->put(m_png);
    const auto newer = m_store->put(m_jpeg);
    QVERIFY(older && newer);
    QVERIFY(reference(kMovieA, QStringLiteral("poster"), older->hash.toHex()));
    QVERIFY(reference(kMovieB, QStringLiteral("poster"), newer->hash.toHex()));
    QVERIFY(sql("UPDATE shared.image_blobs SET created_at = now() - interval '3 days', "
                "last_used_at = now() - interval '2 days' WHERE content_hash = decode('" +
                older->hash.toHex() + "', 'hex')"));
    QVERIFY(sql("UPDATE shared.image_blobs SET created_at = now() - interval '3 days', "
                "last_used_at = now() - interval '1 day' WHERE content_hash = decode('" +
                newer->hash.toHex() + "', 'hex')"));
    // Serving the older one makes it the most recently used.
    QVERIFY(m_store->touch({older->hash}));
    QVERIFY(sql("UPDATE shared.image_blobs SET last_used_at = now() - interval '12 hours' "
                "WHERE content_hash = decode('" +
                older->hash.toHex() + "', 'hex')"));

    const qint64 olderSize = scalar("SELECT bytes + thumbnail_bytes FROM shared.image_blobs "
                                    "WHERE content_hash = decode('" +
                                    older->hash.toHex() + "', 'hex')");
    QString error;
    // Room for the older (now more recently used) one only.
    const auto report = m_store->trim(olderSize, &error, 1h);
    QVERIFY2(report, qPrintable(error));
    QCOMPARE(report->unreferencedRemoved, 0);
    QCOMPARE(report->evicted, 1);
    QCOMPARE(report->bytesAfter, olderSize);
    QVERIFY(!QFile::exists(m_store->absolutePath(newer->path)));
    QVERIFY(QFile::exists(m_store->absolutePath(older->path)));
    // The evicted image's row stays, with its source, to be fetched again.
    QCOMPARE(scalar(QByteArray("SELECT count(*) FROM media.images WHERE item_id = '") + kMovieB +
                    "' AND content_hash IS NULL AND source_url IS NOT NULL"),
             1);
    QCOMPARE(scalar(QByteArray("SELECT count(*) FROM media.images WHERE item_id = '") + kMovieA +
                    "' AND content_hash IS NOT NULL"),
             1);
    QVERIFY(!m_store->find(newer->hash));

    // Already under the budget: nothing more goes.
    const auto again = m_store->trim(olderSize, &error, 0s);
    QVERIFY(again);
    QCOMPARE(again->evicted, 0);
}

void TestImageStore::trimWorker()
{
    const auto unused = m_store->put(m_jpeg);
    QVERIFY(unused);
    QVERIFY(sql("UPDATE shared.image_blobs SET created_at = now() - interval '3 hours', "
                "last_used_at = now() - interval '2 hours'"));
    ImageTrimWorker worker(m_store, 4096LL * 1024 * 1024);
    QCOMPARE(worker.kind(), QStringLiteral("images.trim"));
    Job job;
    job.kind = worker.kind();
    QString progress;
    JobContext context(job, std::make_shared<CancellationToken>(),
                       [&](const JobProgress &p) { progress = p.message; });
    QCOMPARE(worker.work(context).kind, JobResult::Kind::Complete);
    QVERIFY2(progress.startsWith(QStringLiteral("1 unreferenced")), qPrintable(progress));
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), 0);
}

void TestImageStore::importsLocalFiles()
{
    const QString file = m_dir->filePath(QStringLiteral("poster.png"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_png);
    }
    QString error;
    ImageStore::Error kind = ImageStore::Error::None;
    const auto stored = m_store->putFile(file, 1024 * 1024, &error, &kind);
    QVERIFY2(stored, qPrintable(error));
    QCOMPARE(stored->hashHex(), sha256Hex(m_png));
    QCOMPARE(stored->width, 600);

    QVERIFY(!m_store->putFile(m_dir->filePath(QStringLiteral("missing.png")), 1024 * 1024, &error,
                              &kind));
    QCOMPARE(kind, ImageStore::Error::Io);
    QVERIFY2(error.contains(QStringLiteral("missing.png")), qPrintable(error));

    QVERIFY(!m_store->putFile(file, 100, &error, &kind));
    QCOMPARE(kind, ImageStore::Error::TooLarge);
    QVERIFY2(error.contains(file), qPrintable(error));

    QVERIFY(!m_store->putFile(m_dir->path(), 1024 * 1024, &error, &kind)); // a directory
    QCOMPARE(kind, ImageStore::Error::Io);

    const QString text = m_dir->filePath(QStringLiteral("poster.jpg"));
    {
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("<html>not really</html>");
    }
    QVERIFY(!m_store->putFile(text, 1024 * 1024, &error, &kind));
    QCOMPARE(kind, ImageStore::Error::NotImage);
    QVERIFY2(error.startsWith(text), qPrintable(error));
}

void TestImageStore::workerImportsLocalPath()
{
    const QString file = m_dir->filePath(QStringLiteral("folder.jpg"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_jpeg);
    }
    ImageDownloadWorker worker(m_pool, m_store, 20LL * 1024 * 1024, 10s);
    auto run = [&](const QJsonObject &args) {
        Job job;
        job.kind = worker.kind();
        job.args = args;
        JobContext context(job, std::make_shared<CancellationToken>(), [](const JobProgress &) {});
        return worker.work(context);
    };
    QJsonObject args{{"schema", "media"},  {"item_type", "movie"}, {"item_id", kMovieA},
                     {"kind", "backdrop"}, {"path", file},         {"order", 1}};
    QCOMPARE(run(args).kind, JobResult::Kind::Complete);
    QCOMPARE(run(args).kind, JobResult::Kind::Complete);
    QCOMPARE(scalar(QByteArray("SELECT count(*) FROM media.images WHERE item_id = '") + kMovieA +
                    "' AND kind = 'backdrop' AND source_url IS NULL AND path = '" + file.toUtf8() +
                    "' AND sort_order = 1 AND width = 1280 AND mime = "
                    "'image/jpeg' AND content_hash IS NOT NULL"),
             1);

    // Two local files with the same bytes, both recorded (hashless) by the metadata writer:
    // one row remains.
    const QString copy = m_dir->filePath(QStringLiteral("poster-copy.jpg"));
    QVERIFY(QFile::copy(file, copy));
    QVERIFY(sql(QByteArray("INSERT INTO media.images (item_type, item_id, kind, path) VALUES "
                           "('movie', '") +
                kMovieB + "', 'poster', '" + file.toUtf8() + "'), ('movie', '" + kMovieB +
                "', 'poster', '" + copy.toUtf8() + "')"));
    for (const QString &p : {file, copy}) {
        QJsonObject both = args;
        both[QStringLiteral("item_id")] = kMovieB;
        both[QStringLiteral("kind")] = "poster";
        both[QStringLiteral("path")] = p;
        QCOMPARE(run(both).kind, JobResult::Kind::Complete);
    }
    QCOMPARE(scalar(QByteArray("SELECT count(*) FROM media.images WHERE item_id = '") + kMovieB +
                    "' AND kind = 'poster'"),
             1);
    QCOMPARE(scalar(QByteArray("SELECT count(*) FROM media.images WHERE item_id = '") + kMovieB +
                    "' AND kind = 'poster' AND content_hash IS NOT NULL AND path = '" +
                    file.toUtf8() + "'"),
             1);

    args[QStringLiteral("path")] = m_dir->filePath(QStringLiteral("gone.jpg"));
    JobResult r = run(args);
    QCOMPARE(r.kind, JobResult::Kind::Cancel);
    QVERIFY2(r.message.contains(QStringLiteral("gone.jpg")), qPrintable(r.message));

    const QString text = m_dir->filePath(QStringLiteral("fanart.jpg"));
    {
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a picture");
    }
    args[QStringLiteral("path")] = text;
    r = run(args);
    QCOMPARE(r.kind, JobResult::Kind::Discard);
    QVERIFY2(r.message.contains(text), qPrintable(r.message));
}

QTEST_GUILESS_MAIN(TestImageStore)
#include "tst_imagestore.moc"
