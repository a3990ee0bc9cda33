#include "HttpClient.h"
#include "Server.h"
#include "TestEnvironment.h"
#include "core/SecretStore.h"
#include "search/SearchBackend.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkInterface>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// Libraries and scheduled tasks over HTTP on the composed server: a library added through the
// API is scanned by the job queue while the API keeps answering; bad requests get clear errors.
class TestLibraryApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void scanRunsWhileTheApiAnswers();
    void badRequestsGetClearErrors();
    void tasksAreListedAndRun();
    void changesOnlyFromThisMachine();

private:
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->httpPort()).arg(path);
    }
    HttpResult post(const QString &path, const QByteArray &body = {})
    {
        return httpRequest("POST", url(path), body);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<Server> m_server;
    QString m_media;
    int m_files = 0;
};

void TestLibraryApi::initTestCase()
{
    m_dir = makeTempDir(QStringLiteral("revenge-libapi"));
    m_secrets =
        std::make_unique<FileSecretStore>(m_dir->path() + QStringLiteral("/data/secrets.json"));
    Config config;
    config.server.host = QStringLiteral("0.0.0.0");
    config.server.port = 0;
    config.metadata.provider = QStringLiteral("none");
    m_server =
        std::make_unique<Server>(config, m_dir->path() + QStringLiteral("/data"), m_secrets.get());
    QString error;
    QVERIFY2(m_server->start(&error), qPrintable(error));
    QVERIFY(waitUntil([&] { return httpGet(url(QStringLiteral("/health/ready"))).status == 200; },
                      60000));
    QVERIFY(waitUntil([&] { return m_server->jobs() != nullptr; }, 30000));

    // A library big enough that its first scan takes a moment: 400 shows of 30 episodes, 6000
    // movies.
    m_media = m_dir->path() + QStringLiteral("/media");
    for (int s = 0; s < 400; ++s) {
        const QString season = m_media + QStringLiteral("/Show %1/Season 01").arg(s);
        QVERIFY(QDir().mkpath(season));
        for (int e = 1; e <= 30; ++e) {
            QFile f(season +
                    QStringLiteral("/Show %1 - S01E%2.mkv").arg(s).arg(e, 2, 10, QLatin1Char('0')));
            QVERIFY(f.open(QIODevice::WriteOnly));
            ++m_files;
        }
    }
    for (int m = 0; m < 6000; ++m) {
        const QString folder = m_media + QStringLiteral("/Movie %1 (%2)").arg(m).arg(1950 + m % 70);
        QVERIFY(QDir().mkpath(folder));
        QFile f(folder + QStringLiteral("/Movie %1 (%2).mkv").arg(m).arg(1950 + m % 70));
        QVERIFY(f.open(QIODevice::WriteOnly));
        ++m_files;
    }
}

void TestLibraryApi::cleanupTestCase()
{
    if (m_server)
        m_server->stop();
    m_server.reset();
}

void TestLibraryApi::scanRunsWhileTheApiAnswers()
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("name"), QStringLiteral("Media")},
                                  {QStringLiteral("type"), QStringLiteral("mixed")},
                                  {QStringLiteral("paths"), QJsonArray{m_media}}})
            .toJson();
    const HttpResult created = post(QStringLiteral("/api/libraries"), body);
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());

    // Creating a library queues its first scan. While it runs, every endpoint answers.
    int answeredWhileRunning = 0, requests = 0;
    QString status;
    QJsonObject lastScan;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 120000) {
        const HttpResult library = httpGet(url(QStringLiteral("/api/libraries/") + id));
        QCOMPARE(library.status, 200);
        lastScan = library.json().value(QStringLiteral("last_scan")).toObject();
        status = lastScan.value(QStringLiteral("status")).toString();
        const QStringList paths{QStringLiteral("/health/live"), QStringLiteral("/health"),
                                QStringLiteral("/api/libraries"),
                                QStringLiteral("/api/libraries/%1/items?limit=5").arg(id)};
        for (const QString &path : paths) {
            const HttpResult r = httpGet(url(path), 5000);
            QVERIFY2(r.status == 200,
                     qPrintable(path + QStringLiteral(" -> ") + QString::number(r.status)));
            ++requests;
            if (status == QLatin1String("running"))
                ++answeredWhileRunning;
        }
        if (status == QLatin1String("completed") || status == QLatin1String("failed"))
            break;
        QTest::qWait(20);
    }
    QCOMPARE(status, QStringLiteral("completed"));
    QVERIFY2(answeredWhileRunning > 0,
             qPrintable(
                 QStringLiteral("no request landed during the scan (%1 requests)").arg(requests)));
    QCOMPARE(lastScan.value(QStringLiteral("scanned")).toInt(), m_files);
    QCOMPARE(lastScan.value(QStringLiteral("added")).toInt(), m_files);

    // Browsable: the movies page by page, the shows.
    const HttpResult page =
        httpGet(url(QStringLiteral("/api/libraries/%1/items?type=movies&limit=100").arg(id)));
    QCOMPARE(page.status, 200);
    QCOMPARE(page.json().value(QStringLiteral("items")).toArray().size(), 100);
    const QString next = page.json().value(QStringLiteral("next")).toString();
    QVERIFY(!next.isEmpty());
    const HttpResult second = httpGet(url(
        QStringLiteral("/api/libraries/%1/items?type=movies&limit=100&after=%2").arg(id, next)));
    QCOMPARE(second.status, 200);
    QVERIFY(second.json()
                .value(QStringLiteral("items"))
                .toArray()
                .first()
                .toObject()
                .value(QStringLiteral("title")) != page.json()
                                                       .value(QStringLiteral("items"))
                                                       .toArray()
                                                       .last()
                                                       .toObject()
                                                       .value(QStringLiteral("title")));
    const HttpResult shows =
        httpGet(url(QStringLiteral("/api/libraries/%1/items?type=series&limit=500").arg(id)));
    QCOMPARE(shows.json().value(QStringLiteral("items")).toArray().size(), 400);

    // Searchable: the scan's new items reach the search engine through the search.index jobs.
    QVERIFY(waitUntil(
        [&] {
            SearchRequest request;
            request.text = QStringLiteral("Movie 4242");
            request.collections = {SearchCollection::Movies};
            const auto found = m_server->search()->search(request);
            return found && !found->hits.isEmpty() &&
                   found->hits.first().title == QLatin1String("Movie 4242");
        },
        60000));
    SearchRequest showSearch;
    showSearch.text = QStringLiteral("Show 17");
    showSearch.collections = {SearchCollection::Series};
    QVERIFY(waitUntil(
        [&] {
            const auto found = m_server->search()->search(showSearch);
            return found && !found->hits.isEmpty();
        },
        30000));

    // A rescan on demand; asked twice, it is queued once.
    const HttpResult scan = post(QStringLiteral("/api/libraries/%1/scan").arg(id));
    QCOMPARE(scan.status, 202);
    const HttpResult again = post(QStringLiteral("/api/libraries/%1/scan").arg(id));
    QCOMPARE(again.status, 202);
    if (again.json().value(QStringLiteral("state")).toString() != QLatin1String("completed"))
        QCOMPARE(again.json().value(QStringLiteral("job_id")), scan.json().value("job_id"));
    QVERIFY(waitUntil(
        [&] {
            const auto scans = httpGet(url(QStringLiteral("/api/libraries/%1/scans").arg(id)))
                                   .json()
                                   .value(QStringLiteral("scans"))
                                   .toArray();
            return scans.size() >= 2 && scans.first().toObject().value("status") == "completed";
        },
        60000));
    const QJsonObject rescan = httpGet(url(QStringLiteral("/api/libraries/%1/scans").arg(id)))
                                   .json()
                                   .value(QStringLiteral("scans"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QCOMPARE(rescan.value(QStringLiteral("scanned")).toInt(), m_files);
    QCOMPARE(rescan.value(QStringLiteral("added")).toInt(), 0);
}

void TestLibraryApi::badRequestsGetClearErrors()
{
    auto message = [](const HttpResult &r) {
        return r.json()
            .value(QStringLiteral("error"))
            .toObject()
            .value(QStringLiteral("message"))
            .toString();
    };
    HttpResult r = post(QStringLiteral("/api/libraries"), "{not json");
    QCOMPARE(r.status, 400);
    QVERIFY2(message(r).startsWith(QStringLiteral("body:")), qPrintable(message(r)));
    r = post(QStringLiteral("/api/libraries"), R"({"name": "X", "type": "movies"})");
    QCOMPARE(r.status, 400);
    QVERIFY2(message(r).startsWith(QStringLiteral("paths:")), qPrintable(message(r)));
    r = post(QStringLiteral("/api/libraries"),
             R"({"name": "X", "type": "films", "paths": ["/tmp"]})");
    QCOMPARE(r.status, 400);
    QVERIFY2(message(r).startsWith(QStringLiteral("type:")), qPrintable(message(r)));
    r = post(QStringLiteral("/api/libraries"),
             R"({"name": "X", "type": "movies", "paths": ["/nonexistent/folder"]})");
    QCOMPARE(r.status, 400);
    QVERIFY2(message(r).contains(QStringLiteral("does not exist")), qPrintable(message(r)));
    r = post(QStringLiteral("/api/libraries"), R"({"name": "X", "type": "movies", "paths": [3]})");
    QCOMPARE(r.status, 400);

    const QString unknown = QStringLiteral("/api/libraries/00000000-0000-0000-0000-000000000001");
    QCOMPARE(httpGet(url(unknown)).status, 404);
    QCOMPARE(httpGet(url(QStringLiteral("/api/libraries/not-a-uuid"))).status, 404);
    QCOMPARE(post(unknown + QStringLiteral("/scan")).status, 404);
    QCOMPARE(httpGet(url(unknown + QStringLiteral("/scans"))).status, 404);

    const QString id = httpGet(url(QStringLiteral("/api/libraries")))
                           .json()
                           .value(QStringLiteral("libraries"))
                           .toArray()
                           .first()
                           .toObject()
                           .value(QStringLiteral("id"))
                           .toString();
    r = httpGet(url(QStringLiteral("/api/libraries/%1/items?limit=0").arg(id)));
    QCOMPARE(r.status, 400);
    QVERIFY(message(r).startsWith(QStringLiteral("limit:")));
    r = httpGet(url(QStringLiteral("/api/libraries/%1/items?type=scenes").arg(id)));
    QCOMPARE(r.status, 400);
    r = httpGet(url(QStringLiteral("/api/libraries/%1/items?after=garbage").arg(id)));
    QCOMPARE(r.status, 400);
    QVERIFY(message(r).startsWith(QStringLiteral("after:")));
    r = post(QStringLiteral("/api/libraries/%1/scan?full=maybe").arg(id));
    QCOMPARE(r.status, 400);

    r = httpRequest("PUT", url(QStringLiteral("/api/libraries")));
    QCOMPARE(r.status, 405);
    QVERIFY(message(r).contains(QStringLiteral("GET, POST")));
    r = httpRequest("GET", url(QStringLiteral("/api/libraries/%1/scan").arg(id)));
    QCOMPARE(r.status, 405);
}

void TestLibraryApi::tasksAreListedAndRun()
{
    const HttpResult list = httpGet(url(QStringLiteral("/api/tasks")));
    QCOMPARE(list.status, 200);
    QStringList names;
    for (const QJsonValue &t : list.json().value(QStringLiteral("tasks")).toArray()) {
        names << t.toObject().value(QStringLiteral("name")).toString();
        if (t.toObject().value(QStringLiteral("enabled")).toBool())
            QVERIFY(!t.toObject().value(QStringLiteral("next_run")).toString().isEmpty());
    }
    QCOMPARE(names, (QStringList{QStringLiteral("library_scan"), QStringLiteral("metadata_refresh"),
                                 QStringLiteral("session_cleanup"), QStringLiteral("image_trim")}));
    QCOMPARE(post(QStringLiteral("/api/tasks/nope/run")).status, 404);
    const HttpResult run = post(QStringLiteral("/api/tasks/library_scan/run"));
    QCOMPARE(run.status, 202);
    const qint64 job = run.json().value(QStringLiteral("job_id")).toInteger();
    // The run shows up as the task's last run.
    QVERIFY(waitUntil(
        [&] {
            for (const QJsonValue &t :
                 httpGet(url(QStringLiteral("/api/tasks"))).json().value("tasks").toArray())
                if (t.toObject().value("name") == "library_scan")
                    return t.toObject().value("last_run").toObject().value("job_id").toInteger() ==
                               job &&
                           t.toObject().value("last_run").toObject().value("state") == "completed";
            return false;
        },
        30000));
}

void TestLibraryApi::changesOnlyFromThisMachine()
{
    QString address;
    for (const QHostAddress &a : QNetworkInterface::allAddresses())
        if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback())
            address = a.toString();
    if (address.isEmpty())
        QSKIP("no non-loopback address on this machine");
    const QString base = QStringLiteral("http://%1:%2").arg(address).arg(m_server->httpPort());
    QCOMPARE(httpGet(base + QStringLiteral("/api/libraries")).status, 200);
    const HttpResult r = httpRequest("POST", base + QStringLiteral("/api/libraries"),
                                     R"({"name": "Remote", "type": "movies", "paths": ["/tmp"]})");
    QCOMPARE(r.status, 403);
    QCOMPARE(httpRequest("POST", base + QStringLiteral("/api/tasks/image_trim/run")).status, 403);
}

QTEST_GUILESS_MAIN(TestLibraryApi)
#include "tst_libraryapi.moc"
