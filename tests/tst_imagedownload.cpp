#include "DatabaseTestSupport.h"
#include "ImageTestSupport.h"
#include "JobTestSupport.h"
#include "TestEnvironment.h"
#include "TestHttpServer.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/workers/ImageDownloadWorker.h"
#include "library/images/ImageDownloader.h"
#include "library/images/ImageStore.h"

#include <QImage>
#include <QImageReader>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>
#include <atomic>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kFiftyMb = 50LL * 1024 * 1024;
constexpr qint64 kLimit = 20LL * 1024 * 1024; // ImagesConfig::maxDownloadMb's default

// A small HTTP/1.1 server on its own thread (TestHttpServer), so the synchronous downloader can
// block the test thread. Large bodies are generated as the socket drains, never held in memory,
// and the bytes actually sent are counted.
class ImageServer : public TestHttpServer
{
public:
    QByteArray png = encodeImage(testPicture(600, 900, Qt::darkBlue, Qt::yellow), "png");
    QByteArray jpeg = encodeImage(testPicture(1280, 720, Qt::darkBlue, Qt::yellow), "jpeg");
    QByteArray html = "<!DOCTYPE html><html><head><title>Nope</title></head><body>Sign in to see "
                      "this image</body></html>";
    std::atomic<qint64> hugeSent{0};
    std::atomic<qint64> chunkedSent{0};
    std::atomic<qint64> errorPageSent{0};
    std::atomic<int> openStreams{0};

    ImageServer()
        : TestHttpServer(QStringLiteral("ImageServer"))
    {}
    ~ImageServer() override { stop(); }

protected:
    Reply handle(const Request &) override { return {}; } // every request goes to respond()

private:
    static void send(QTcpSocket *socket, int status, const QByteArray &type, const QByteArray &body,
                     const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        write(socket, {status, body, type, headers});
    }

    // Writes `total` bytes of body as the socket drains (64 KB at a time), chunked or not.
    void stream(QTcpSocket *socket, qint64 total, bool chunked, std::atomic<qint64> *sent)
    {
        static const QByteArray block(64 * 1024, '\x42');
        ++openStreams;
        auto written = std::make_shared<qint64>(0);
        auto pump = [socket, total, chunked, sent, written] {
            while (socket->state() == QAbstractSocket::ConnectedState &&
                   socket->bytesToWrite() < 256 * 1024 && *written < total) {
                const qint64 n = std::min<qint64>(block.size(), total - *written);
                if (chunked)
                    socket->write(QByteArray::number(n, 16) + "\r\n" + block.left(n) + "\r\n");
                else
                    socket->write(block.left(n));
                *written += n;
                *sent += n;
                if (*written == total && chunked)
                    socket->write("0\r\n\r\n");
            }
        };
        QObject::connect(socket, &QTcpSocket::bytesWritten, socket, pump);
        QObject::connect(socket, &QObject::destroyed, [this] { --openStreams; });
        pump();
    }

    void respond(QTcpSocket *socket, Request &request) override
    {
        record(request);
        const QString &path = request.path;
        if (path == QLatin1String("/poster.png") || path == QLatin1String("/same-poster.png"))
            return send(socket, 200, "image/png", png);
        if (path == QLatin1String("/octet.png"))
            return send(socket, 200, "application/octet-stream", png);
        if (path == QLatin1String("/backdrop.jpg"))
            return send(socket, 200, "image/jpeg", jpeg);
        if (path == QLatin1String("/page.html"))
            return send(socket, 200, "text/html; charset=utf-8", html);
        if (path == QLatin1String("/liar.jpg"))
            return send(socket, 200, "image/jpeg", html);
        if (path == QLatin1String("/missing.jpg"))
            return send(socket, 404, "text/html", html);
        if (path == QLatin1String("/gone.jpg"))
            return send(socket, 410, "text/html", html);
        if (path == QLatin1String("/forbidden.jpg"))
            return send(socket, 403, "text/html", html);
        if (path == QLatin1String("/error.jpg"))
            return send(socket, 500, "text/plain", "boom");
        if (path.startsWith(QLatin1String("/redirect/"))) {
            const int n = path.mid(10).toInt();
            const QByteArray to = n > 0 ? QByteArray("/redirect/" + QByteArray::number(n - 1))
                                        : QByteArray("/poster.png");
            return send(socket, 302, "text/html", {}, {{"Location", to}});
        }
        if (path == QLatin1String("/redirect-ftp"))
            return send(socket, 301, {}, {}, {{"Location", "ftp://127.0.0.1/poster.png"}});
        if (path == QLatin1String("/huge.jpg")) {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                          QByteArray::number(kFiftyMb) + "\r\nConnection: close\r\n\r\n");
            return stream(socket, kFiftyMb, false, &hugeSent);
        }
        if (path == QLatin1String("/huge-chunked.jpg")) {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
                          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            return stream(socket, kFiftyMb, true, &chunkedSent);
        }
        if (path == QLatin1String("/missing-huge.jpg")) {
            // An error page as big as the 50 MB body: not read, not waited for.
            socket->write("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: " +
                          QByteArray::number(kFiftyMb) + "\r\nConnection: close\r\n\r\n");
            return stream(socket, kFiftyMb, false, &errorPageSent);
        }
        if (path == QLatin1String("/stall.jpg")) {
            // Headers and a few bytes, then nothing: the connection stays open.
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: "
                          "100000\r\nConnection: close\r\n\r\n\xFF\xD8\xFF");
            return;
        }
        send(socket, 404, "text/plain", "no route");
    }
};

} // namespace

class TestImageDownload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void downloadsImages();
    void refusesHtml();
    void lyingContentTypeIsCaughtByTheStore();
    void refusesFiftyMbWithContentLength();
    void abortsFiftyMbChunkedBody();
    void statusesMapToErrors_data();
    void statusesMapToErrors();
    void hugeErrorPageIsNotRead();
    void followsLimitedRedirects();
    void stallTimesOut();
    void cancellationStopsTheDownload();
    void refusesNonHttpUrls();
    void unreachableServerIsTransient();

    void workerInsertsRowOnce();
    void itemsSharingAUrlShareOneBlob();
    void workerRefetchesEvictedRow();
    void workerOutcomes_data();
    void workerOutcomes();
    void workerBadArgsDiscarded_data();
    void workerBadArgsDiscarded();
    void workerAdultSchema();

private:
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path);
    }
    ImageDownloader downloader(std::chrono::milliseconds idle = 10s) const
    {
        ImageDownloader::Options o;
        o.maxBytes = kLimit;
        o.idleTimeout = idle;
        o.totalTimeout = 60s;
        return ImageDownloader(o);
    }
    JobResult runWorker(const QJsonObject &args, std::chrono::milliseconds timeout = 20s);
    qint64 scalar(const QByteArray &query)
    {
        return queryScalar(*m_pool, QString::fromUtf8(query));
    }
    bool sql(const QByteArray &statement) { return execSql(*m_pool, statement); }

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<ImageStore> m_store;
    ImageServer m_server;
    quint16 m_port = 0;

    static constexpr const char *kMovieA = "aaaaaaaa-0000-4000-8000-000000000001";
    static constexpr const char *kMovieB = "aaaaaaaa-0000-4000-8000-000000000002";
    static constexpr const char *kAdult = "cccccccc-0000-4000-8000-000000000001";
};

void TestImageDownload::initTestCase()
{
    QVERIFY2(QImageReader::supportedImageFormats().contains("jpeg"),
             "the Qt JPEG image plugin is missing");
    m_port = m_server.start();
    QVERIFY(m_port != 0);

    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("images")), 4);
    {
        auto lease = m_pool->acquire();
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    m_dir = makeTempDir(QStringLiteral("revenge-images"));
    m_store = std::make_shared<ImageStore>(m_pool, m_dir->filePath(QStringLiteral("images")));
    QVERIFY(sql("INSERT INTO shared.libraries (name, type, paths) VALUES "
                "('Films', 'movies', ARRAY['/media/films']), ('P', 'adult', ARRAY['/media/p'])"));
    QVERIFY(sql(QByteArray("INSERT INTO media.movies (id, library_id, title) SELECT v.id::uuid, "
                           "l.id, v.t FROM shared.libraries l, (VALUES ('") +
                kMovieA + "', 'Alpha'), ('" + kMovieB +
                "', 'Beta')) v(id, t) WHERE l.name = 'Films'"));
    QVERIFY(sql(QByteArray("INSERT INTO c.movies (id, library_id, title) SELECT '") + kAdult +
                "', id, 'Gamma' FROM shared.libraries WHERE name = 'P'"));
}

void TestImageDownload::cleanupTestCase()
{
    m_server.stop();
}

JobResult TestImageDownload::runWorker(const QJsonObject &args, std::chrono::milliseconds timeout)
{
    ImageDownloadWorker worker(m_pool, m_store, kLimit, timeout);
    Job job;
    job.id = 1;
    job.kind = worker.kind();
    job.args = args;
    JobContext context(job, std::make_shared<CancellationToken>(), [](const JobProgress &) {});
    return worker.work(context);
}

void TestImageDownload::downloadsImages()
{
    auto png = downloader().get(QUrl(url(QStringLiteral("/poster.png"))));
    QVERIFY2(png.ok(), qPrintable(png.message));
    QCOMPARE(png.status, 200);
    QCOMPARE(png.contentType, QStringLiteral("image/png"));
    QCOMPARE(png.body, m_server.png);

    auto jpeg = downloader().get(QUrl(url(QStringLiteral("/backdrop.jpg"))));
    QVERIFY2(jpeg.ok(), qPrintable(jpeg.message));
    QCOMPARE(jpeg.body, m_server.jpeg);

    // A generic binary type is let through: the store decodes the bytes anyway.
    auto octet = downloader().get(QUrl(url(QStringLiteral("/octet.png"))));
    QVERIFY2(octet.ok(), qPrintable(octet.message));
    QCOMPARE(octet.body, m_server.png);
}

void TestImageDownload::refusesHtml()
{
    const QString u = url(QStringLiteral("/page.html"));
    auto r = downloader().get(QUrl(u));
    QCOMPARE(r.error, ImageDownloader::Error::NotImage);
    QVERIFY2(r.message.contains(u) && r.message.contains(QStringLiteral("text/html")),
             qPrintable(r.message));
    QVERIFY(r.body.isEmpty());
}

void TestImageDownload::lyingContentTypeIsCaughtByTheStore()
{
    auto r = downloader().get(QUrl(url(QStringLiteral("/liar.jpg"))));
    QVERIFY2(r.ok(), qPrintable(r.message)); // the headers say image/jpeg...
    QString error;
    ImageStore::Error kind = ImageStore::Error::None;
    QVERIFY(!m_store->put(r.body, r.contentType, &error, &kind)); // ...the bytes do not
    QCOMPARE(kind, ImageStore::Error::NotImage);
    QVERIFY2(error.contains(QStringLiteral("HTML")), qPrintable(error));
}

void TestImageDownload::refusesFiftyMbWithContentLength()
{
    const QString u = url(QStringLiteral("/huge.jpg"));
    auto r = downloader().get(QUrl(u));
    QCOMPARE(r.error, ImageDownloader::Error::TooLarge);
    QVERIFY2(r.message.contains(u) && r.message.contains(QStringLiteral("Content-Length")),
             qPrintable(r.message));
    QVERIFY(r.body.isEmpty());
    // Refused on the headers: the client hung up, so the server stopped long before 50 MB.
    QVERIFY(waitUntil([&] { return m_server.openStreams == 0; }, 10000));
    QVERIFY2(m_server.hugeSent < kLimit, qPrintable(QString::number(m_server.hugeSent)));
}

void TestImageDownload::abortsFiftyMbChunkedBody()
{
    const QString u = url(QStringLiteral("/huge-chunked.jpg"));
    auto r = downloader().get(QUrl(u));
    QCOMPARE(r.error, ImageDownloader::Error::TooLarge);
    QVERIFY2(r.message.contains(u) && r.message.contains(QStringLiteral("download stopped")),
             qPrintable(r.message));
    QVERIFY(r.body.isEmpty());
    // Stopped once past the limit: the rest of the 50 MB was never sent (socket buffers aside).
    QVERIFY(waitUntil([&] { return m_server.openStreams == 0; }, 10000));
    QVERIFY2(m_server.chunkedSent > kLimit, qPrintable(QString::number(m_server.chunkedSent)));
    QVERIFY2(m_server.chunkedSent < kFiftyMb, qPrintable(QString::number(m_server.chunkedSent)));
}

void TestImageDownload::statusesMapToErrors_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<ImageDownloader::Error>("error");
    QTest::addColumn<QString>("text");
    QTest::newRow("404") << "/missing.jpg" << ImageDownloader::Error::NotFound << "HTTP 404";
    QTest::newRow("410") << "/gone.jpg" << ImageDownloader::Error::NotFound << "HTTP 410";
    QTest::newRow("403") << "/forbidden.jpg" << ImageDownloader::Error::Rejected << "HTTP 403";
    QTest::newRow("500") << "/error.jpg" << ImageDownloader::Error::Transient << "HTTP 500";
}

void TestImageDownload::statusesMapToErrors()
{
    QFETCH(QString, path);
    QFETCH(ImageDownloader::Error, error);
    QFETCH(QString, text);
    auto r = downloader().get(QUrl(url(path)));
    QCOMPARE(r.error, error);
    QVERIFY2(r.message.contains(text) && r.message.contains(url(path)), qPrintable(r.message));
}

void TestImageDownload::hugeErrorPageIsNotRead()
{
    auto r = downloader().get(QUrl(url(QStringLiteral("/missing-huge.jpg"))));
    QCOMPARE(r.error, ImageDownloader::Error::NotFound);
    QVERIFY(waitUntil([&] { return m_server.openStreams == 0; }, 10000));
    QVERIFY2(m_server.errorPageSent < kLimit, qPrintable(QString::number(m_server.errorPageSent)));
}

void TestImageDownload::followsLimitedRedirects()
{
    auto ok = downloader().get(QUrl(url(QStringLiteral("/redirect/4")))); // 5 redirects
    QVERIFY2(ok.ok(), qPrintable(ok.message));
    QCOMPARE(ok.body, m_server.png);
    QCOMPARE(ok.finalUrl, QUrl(url(QStringLiteral("/poster.png"))));

    auto tooMany = downloader().get(QUrl(url(QStringLiteral("/redirect/5")))); // 6
    QCOMPARE(tooMany.error, ImageDownloader::Error::Rejected);
    QVERIFY2(tooMany.message.contains(QStringLiteral("more than 5 redirects")),
             qPrintable(tooMany.message));

    auto ftp = downloader().get(QUrl(url(QStringLiteral("/redirect-ftp"))));
    QCOMPARE(ftp.error, ImageDownloader::Error::BadUrl);
    QVERIFY2(ftp.message.contains(QStringLiteral("ftp://")), qPrintable(ftp.message));
}

void TestImageDownload::stallTimesOut()
{
    auto r = downloader(500ms).get(QUrl(url(QStringLiteral("/stall.jpg"))));
    QCOMPARE(r.error, ImageDownloader::Error::Transient);
    QVERIFY2(r.message.contains(QStringLiteral("stalled")), qPrintable(r.message));

    // The overall deadline applies too, whatever the idle timeout.
    ImageDownloader::Options o;
    o.idleTimeout = 60s;
    o.totalTimeout = 700ms;
    auto total = ImageDownloader(o).get(QUrl(url(QStringLiteral("/stall.jpg"))));
    QCOMPARE(total.error, ImageDownloader::Error::Transient);
    QVERIFY2(total.message.contains(QStringLiteral("timed out")), qPrintable(total.message));
}

void TestImageDownload::cancellationStopsTheDownload()
{
    int polls = 0;
    auto r =
        downloader(60s).get(QUrl(url(QStringLiteral("/stall.jpg"))), [&] { return ++polls >= 3; });
    QCOMPARE(r.error, ImageDownloader::Error::Cancelled);
}

void TestImageDownload::refusesNonHttpUrls()
{
    for (const char *u :
         {"file:///etc/passwd", "ftp://127.0.0.1/x.jpg", "not a url", "", "http:///nohost.jpg"}) {
        auto r = downloader().get(QUrl(QString::fromLatin1(u)));
        QCOMPARE(r.error, ImageDownloader::Error::BadUrl);
    }
}

void TestImageDownload::unreachableServerIsTransient()
{
    QTcpServer probe; // a port nobody listens on
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    auto r = downloader().get(QUrl(QStringLiteral("http://127.0.0.1:%1/x.jpg").arg(port)));
    QCOMPARE(r.error, ImageDownloader::Error::Transient);
}

void TestImageDownload::workerInsertsRowOnce()
{
    const QJsonObject args{{"schema", "media"},
                           {"item_type", "movie"},
                           {"item_id", kMovieA},
                           {"kind", "poster"},
                           {"url", url(QStringLiteral("/poster.png"))}};
    JobResult r = runWorker(args);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    const QByteArray where =
        QByteArray("FROM media.images WHERE item_id = '") + kMovieA + "' AND kind = 'poster'";
    QCOMPARE(scalar("SELECT count(*) " + where), 1);
    QCOMPARE(scalar("SELECT width " + where), 600);
    QCOMPARE(scalar("SELECT height " + where), 900);
    QCOMPARE(scalar("SELECT count(*) " + where +
                    " AND mime = 'image/png' AND path IS NULL "
                    "AND source_url LIKE 'http%/poster.png'"),
             1);
    QCOMPARE(scalar("SELECT count(*) " + where + " AND content_hash = sha256(decode('" +
                    m_server.png.toHex() + "', 'hex'))"),
             1);

    // The same job again: no second row, still one blob.
    const qint64 blobs = scalar("SELECT count(*) FROM shared.image_blobs");
    r = runWorker(args);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    QCOMPARE(scalar("SELECT count(*) " + where), 1);
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), blobs);

    // The same bytes at another URL for the same item and kind: still one row.
    QJsonObject other = args;
    other[QStringLiteral("url")] = url(QStringLiteral("/same-poster.png"));
    other[QStringLiteral("order")] = 2;
    QCOMPARE(runWorker(other).kind, JobResult::Kind::Complete);
    QCOMPARE(scalar("SELECT count(*) " + where), 1);
    QCOMPARE(scalar("SELECT sort_order " + where), 2);
}

void TestImageDownload::itemsSharingAUrlShareOneBlob()
{
    const qint64 blobsBefore = scalar("SELECT count(*) FROM shared.image_blobs");
    for (const char *item : {kMovieA, kMovieB}) {
        const JobResult r = runWorker({{"schema", "media"},
                                       {"item_type", "movie"},
                                       {"item_id", item},
                                       {"kind", "backdrop"},
                                       {"url", url(QStringLiteral("/backdrop.jpg"))}});
        QCOMPARE(r.kind, JobResult::Kind::Complete);
    }
    QCOMPARE(scalar("SELECT count(*) FROM media.images WHERE kind = 'backdrop'"), 2);
    QCOMPARE(scalar("SELECT count(DISTINCT content_hash) FROM media.images WHERE kind = "
                    "'backdrop'"),
             1);
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs"), blobsBefore + 1);
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs b JOIN media.images i USING "
                    "(content_hash) WHERE i.kind = 'backdrop' AND b.width = 1280 AND b.height "
                    "= 720 AND b.mime = 'image/jpeg' AND b.thumbnail_path LIKE '%_w320.jpg'"),
             2);
}

void TestImageDownload::workerRefetchesEvictedRow()
{
    // A row that knows its source but has no bytes (evicted by images.trim, or recorded by a
    // metadata provider before any download): the job fills it in rather than adding a row.
    QVERIFY(sql(QByteArray("INSERT INTO media.images (item_type, item_id, kind, source_url) "
                           "VALUES ('movie', '") +
                kMovieB + "', 'logo', '" + url(QStringLiteral("/octet.png")).toUtf8() + "')"));
    const JobResult r = runWorker({{"schema", "media"},
                                   {"item_type", "movie"},
                                   {"item_id", kMovieB},
                                   {"kind", "logo"},
                                   {"url", url(QStringLiteral("/octet.png"))}});
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    const QByteArray where =
        QByteArray("FROM media.images WHERE item_id = '") + kMovieB + "' AND kind = 'logo'";
    QCOMPARE(scalar("SELECT count(*) " + where), 1);
    QCOMPARE(scalar("SELECT count(*) " + where + " AND content_hash IS NOT NULL AND width = 600"),
             1);
}

void TestImageDownload::workerOutcomes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<JobResult::Kind>("kind");
    QTest::addColumn<QString>("text");
    QTest::newRow("html") << "/page.html" << JobResult::Kind::Discard << "text/html";
    QTest::newRow("lying html") << "/liar.jpg" << JobResult::Kind::Discard << "HTML page";
    QTest::newRow("50 MB") << "/huge.jpg" << JobResult::Kind::Discard << "50.0 MB";
    QTest::newRow("50 MB chunked")
        << "/huge-chunked.jpg" << JobResult::Kind::Discard << "over the 20.0 MB limit";
    QTest::newRow("404") << "/missing.jpg" << JobResult::Kind::Cancel << "404";
    QTest::newRow("403") << "/forbidden.jpg" << JobResult::Kind::Discard << "403";
    QTest::newRow("500") << "/error.jpg" << JobResult::Kind::Error << "500";
    QTest::newRow("stall") << "/stall.jpg" << JobResult::Kind::Error << "1.5 s";
}

void TestImageDownload::workerOutcomes()
{
    QFETCH(QString, path);
    QFETCH(JobResult::Kind, kind);
    QFETCH(QString, text);
    const qint64 rows = scalar("SELECT count(*) FROM media.images");
    const JobResult r = runWorker({{"schema", "media"},
                                   {"item_type", "movie"},
                                   {"item_id", kMovieA},
                                   {"kind", "thumb"},
                                   {"url", url(path)}},
                                  1500ms);
    QCOMPARE(r.kind, kind);
    QVERIFY2(r.message.contains(url(path)) && r.message.contains(text), qPrintable(r.message));
    QCOMPARE(scalar("SELECT count(*) FROM media.images"), rows);
}

void TestImageDownload::workerBadArgsDiscarded_data()
{
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QString>("text");
    const QJsonObject good{{"schema", "media"},
                           {"item_type", "movie"},
                           {"item_id", kMovieA},
                           {"kind", "poster"},
                           {"url", "http://127.0.0.1:1/x.jpg"}};
    auto with = [&](const char *key, const QJsonValue &value) {
        QJsonObject o = good;
        if (value.isUndefined())
            o.remove(QLatin1String(key));
        else
            o[QLatin1String(key)] = value;
        return o;
    };
    QTest::newRow("no args") << QJsonObject() << "schema";
    QTest::newRow("schema") << with("schema", "public") << "schema";
    QTest::newRow("item_type") << with("item_type", "scene") << "item_type 'scene'";
    QTest::newRow("item_id") << with("item_id", "42") << "item_id '42'";
    QTest::newRow("kind") << with("kind", "avatar") << "kind 'avatar'";
    QTest::newRow("no source") << with("url", QJsonValue::Undefined) << "url and path";
    QTest::newRow("both") << with("path", "/tmp/x.png") << "url and path";
    QTest::newRow("file url") << with("url", "file:///etc/passwd") << "file:///etc/passwd";
    QTest::newRow("url number") << with("url", 12) << "url ''";
    QTest::newRow("order") << with("order", -1) << "order";
    QTest::newRow("order text") << with("order", "first") << "order";
    QJsonObject relative = with("url", QJsonValue::Undefined);
    relative[QStringLiteral("path")] = "posters/x.png";
    QTest::newRow("relative path") << relative << "posters/x.png";
}

void TestImageDownload::workerBadArgsDiscarded()
{
    QFETCH(QJsonObject, args);
    QFETCH(QString, text);
    const JobResult r = runWorker(args);
    QCOMPARE(r.kind, JobResult::Kind::Discard);
    QVERIFY2(r.message.contains(QStringLiteral("bad arguments")) && r.message.contains(text),
             qPrintable(r.message));
}

void TestImageDownload::workerAdultSchema()
{
    const QJsonObject args{{"schema", "c"},
                           {"item_type", "movie"},
                           {"item_id", kAdult},
                           {"kind", "poster"},
                           {"url", url(QStringLiteral("/poster.png"))}};
    QCOMPARE(runWorker(args).kind, JobResult::Kind::Complete);
    QCOMPARE(scalar(QByteArray("SELECT count(*) FROM c.images WHERE item_id = '") + kAdult + "'"),
             1);
    // Same bytes as the media poster: one blob for both schemas.
    QCOMPARE(scalar("SELECT count(*) FROM shared.image_blobs b WHERE EXISTS (SELECT 1 FROM "
                    "c.images i WHERE i.content_hash = b.content_hash) AND EXISTS (SELECT 1 "
                    "FROM media.images i WHERE i.content_hash = b.content_hash)"),
             1);

    // An item that no longer exists: nothing to do.
    QJsonObject gone = args;
    gone[QStringLiteral("item_id")] = "cccccccc-0000-4000-8000-0000000000ff";
    const JobResult r = runWorker(gone);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    QCOMPARE(scalar("SELECT count(*) FROM c.images WHERE item_id = "
                    "'cccccccc-0000-4000-8000-0000000000ff'"),
             0);
}

QTEST_GUILESS_MAIN(TestImageDownload)
#include "tst_imagedownload.moc"
