#include "FakeTypesense.h"
#include "search/TypesenseClient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTcpServer>
#include <QtTest>
#include <atomic>
#include <thread>

using namespace Revenge;

class TstTypesenseClient : public QObject
{
    Q_OBJECT

private:
    TypesenseSettings settingsFor(const FakeTypesense &fake, const QString &key = {}) const
    {
        TypesenseSettings s;
        s.host = fake.host();
        s.port = fake.port();
        s.apiKey = key.isEmpty() ? fake.apiKey() : key;
        s.retryBaseDelayMs = 10; // keep the suite fast; backoff shape is the same
        return s;
    }

    static QJsonObject moviesSchema()
    {
        auto field = [](const QString &name, const QString &type, bool facet = false,
                        bool optional = false) {
            return QJsonObject{{QStringLiteral("name"), name},
                               {QStringLiteral("type"), type},
                               {QStringLiteral("facet"), facet},
                               {QStringLiteral("optional"), optional}};
        };
        return {
            {QStringLiteral("name"), QStringLiteral("movies")},
            {QStringLiteral("fields"),
             QJsonArray{field(QStringLiteral("title"), QStringLiteral("string")),
                        field(QStringLiteral("overview"), QStringLiteral("string"), false, true),
                        field(QStringLiteral("genres"), QStringLiteral("string[]"), true),
                        field(QStringLiteral("year"), QStringLiteral("int32"), true)}},
            {QStringLiteral("default_sorting_field"), QStringLiteral("year")}};
    }

    static QJsonObject movie(const QString &id, const QString &title, const QStringList &genres,
                             int year)
    {
        return {{QStringLiteral("id"), id},
                {QStringLiteral("title"), title},
                {QStringLiteral("genres"), QJsonArray::fromStringList(genres)},
                {QStringLiteral("year"), year}};
    }

    // A collection with 12 movies for search tests.
    static void seed(const TypesenseClient &client)
    {
        QVERIFY(client.createCollection(moviesSchema()));
        QList<QJsonObject> docs;
        for (int i = 0; i < 10; ++i)
            docs << movie(QString::number(i), QStringLiteral("Star Voyage %1").arg(i),
                          {i % 2 ? QStringLiteral("Drama") : QStringLiteral("Sci-Fi")}, 2000 + i);
        docs << movie(QStringLiteral("10"), QStringLiteral("The Matrix"),
                      {QStringLiteral("Sci-Fi"), QStringLiteral("Action")}, 1999);
        docs << movie(QStringLiteral("11"), QStringLiteral("Heat"), {QStringLiteral("Crime")},
                      1995);
        const auto r = client.importDocuments(QStringLiteral("movies"), docs);
        QVERIFY(r);
        QCOMPARE(r->ok, 12);
    }

private slots:
    void healthOkAnd503()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake, QStringLiteral("wrong"))); // no key needed
        TypesenseError err;
        QCOMPARE(client.health(&err), std::optional<bool>(true));
        QVERIFY(fake.lastRequest().headers.contains("x-typesense-api-key") == false);
        fake.setHealthy(false, QStringLiteral("OUT_OF_DISK"));
        QCOMPARE(client.health(&err), std::optional<bool>(false));
        QCOMPARE(err.httpStatus, 503);
        QVERIFY2(err.message.contains(QLatin1String("OUT_OF_DISK")), qPrintable(err.message));
        QCOMPARE(fake.requestCount(), 2); // health is a probe: not retried
    }

    void badApiKey()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake, QStringLiteral("nope")));
        TypesenseError err;
        QVERIFY(!client.getCollection(QStringLiteral("movies"), &err));
        QCOMPARE(err.httpStatus, 401);
        QCOMPARE(err.message,
                 QStringLiteral("Typesense 401: Forbidden - a valid `x-typesense-api-key` header "
                                "must be sent."));
        QVERIFY(!err.retryable);
        QCOMPARE(fake.requestCount(), 1);
    }

    void createDuplicateGetDelete()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        TypesenseError err;
        const auto created = client.createCollection(moviesSchema(), &err);
        QVERIFY2(created, qPrintable(err.message));
        QCOMPARE(created->value(QStringLiteral("num_documents")).toInt(), 0);
        QVERIFY(!client.createCollection(moviesSchema(), &err));
        QCOMPARE(err.httpStatus, 409);
        QCOMPARE(err.message,
                 QStringLiteral("Typesense 409: A collection with name `movies` already exists."));
        QVERIFY(client.getCollection(QStringLiteral("movies")));
        QVERIFY(client.deleteCollection(QStringLiteral("movies")));
        QVERIFY(!client.getCollection(QStringLiteral("movies"), &err));
        QCOMPARE(err.httpStatus, 404);
    }

    void importReportsFailedLines()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        QVERIFY(client.createCollection(moviesSchema()));
        QJsonObject noTitle = movie(QStringLiteral("2"), {}, {QStringLiteral("Drama")}, 2001);
        noTitle.remove(QStringLiteral("title"));
        QJsonObject badYear = movie(QStringLiteral("4"), QStringLiteral("Bad"), {}, 0);
        badYear.insert(QStringLiteral("year"), QStringLiteral("nineteen"));
        const QList<QJsonObject> docs{
            movie(QStringLiteral("1"), QStringLiteral("Alien"), {QStringLiteral("Horror")}, 1979),
            noTitle,
            movie(QStringLiteral("3"), QStringLiteral("Aliens"), {QStringLiteral("Action")}, 1986),
            badYear,
            movie(QStringLiteral("5"), QStringLiteral("Alien 3"), {QStringLiteral("Horror")},
                  1992)};
        TypesenseError err;
        const auto r = client.importDocuments(QStringLiteral("movies"), docs, "upsert", &err);
        QVERIFY2(r, qPrintable(err.message));
        QCOMPARE(r->ok, 3);
        QCOMPARE(r->failures.size(), 2);
        // Lines are 1-based, as in the JSONL body.
        QCOMPARE(r->failures.at(0).line, 2);
        QCOMPARE(r->failures.at(1).line, 4);
        QVERIFY2(r->failures.at(0).error.contains(QLatin1String("`title`")),
                 qPrintable(r->failures.at(0).error));
        QVERIFY2(r->failures.at(1).error.contains(QLatin1String("`year`")),
                 qPrintable(r->failures.at(1).error));
        QCOMPARE(QJsonDocument::fromJson(r->failures.at(1).document.toUtf8()).object(), badYear);
        QCOMPARE(fake.documents(QStringLiteral("movies")).size(), 3);
        const auto req = fake.lastRequest();
        QCOMPARE(req.path, QStringLiteral("/collections/movies/documents/import"));
        QCOMPARE(req.params.value(QStringLiteral("action")), QStringLiteral("upsert"));
        QVERIFY(req.headers.value("content-type").startsWith("text/plain"));
        QCOMPARE(req.body.count('\n'), 4);
    }

    void importLineCountMismatchIsError()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        QVERIFY(client.createCollection(moviesSchema()));
        const QList<QJsonObject> docs{movie("a", "A", {}, 2000), movie("b", "B", {}, 2001)};
        for (int skew : {-1, 1}) {
            fake.setImportLineSkew(skew);
            TypesenseError err;
            QVERIFY(!client.importDocuments(QStringLiteral("movies"), docs, "upsert", &err));
            QVERIFY2(err.message.contains(QLatin1String("result lines for 2 documents")),
                     qPrintable(err.message));
        }
        fake.setImportLineSkew(0);
        TypesenseError err;
        QVERIFY(!client.importDocuments(QStringLiteral("nosuch"), docs, "upsert", &err));
        QCOMPARE(err.httpStatus, 404);
    }

    void deleteByFilter()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        seed(client);
        TypesenseError err;
        QCOMPARE(
            client.deleteByFilter(QStringLiteral("movies"), QStringLiteral("genres:=Drama"), &err),
            std::optional<int>(5));
        QCOMPARE(client.deleteByFilter(QStringLiteral("movies"), QStringLiteral("id:[10,11]")),
                 std::optional<int>(2));
        QCOMPARE(fake.documents(QStringLiteral("movies")).size(), 5);
    }

    void searchFilterFacetsPagination()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        seed(client);
        QUrlQuery p;
        p.addQueryItem(QStringLiteral("q"), QStringLiteral("star"));
        p.addQueryItem(QStringLiteral("query_by"), QStringLiteral("title"));
        p.addQueryItem(QStringLiteral("filter_by"),
                       QStringLiteral("year:>2002 && genres:[Sci-Fi,Drama]"));
        p.addQueryItem(QStringLiteral("facet_by"), QStringLiteral("genres,year"));
        p.addQueryItem(QStringLiteral("per_page"), QStringLiteral("3"));
        p.addQueryItem(QStringLiteral("page"), QStringLiteral("2"));
        TypesenseError err;
        const auto r = client.search(QStringLiteral("movies"), p, &err);
        QVERIFY2(r, qPrintable(err.message));
        QCOMPARE(r->value(QStringLiteral("found")).toInt(), 7); // 2003..2009
        QCOMPARE(r->value(QStringLiteral("out_of")).toInt(), 12);
        QCOMPARE(r->value(QStringLiteral("page")).toInt(), 2);
        const QJsonArray hits = r->value(QStringLiteral("hits")).toArray();
        QCOMPARE(hits.size(), 3);
        // Equal text match: ordered by default_sorting_field year desc -> page 2 is 2006..2004.
        QCOMPARE(hits.at(0).toObject().value("document").toObject().value("year").toInt(), 2006);
        const QJsonArray facets = r->value(QStringLiteral("facet_counts")).toArray();
        QCOMPARE(facets.size(), 2);
        QCOMPARE(facets.at(0).toObject().value("field_name").toString(), QStringLiteral("genres"));
        const QJsonArray counts = facets.at(0).toObject().value("counts").toArray();
        QCOMPARE(counts.at(0).toObject().value("value").toString(), QStringLiteral("Drama"));
        QCOMPARE(counts.at(0).toObject().value("count").toInt(), 4);
        QCOMPARE(facets.at(1).toObject().value("stats").toObject().value("max").toDouble(), 2009.0);

        // Reserved characters survive the query string ('+' is not a space).
        QUrlQuery q2;
        q2.addQueryItem(QStringLiteral("q"), QStringLiteral("C++ & a=b"));
        q2.addQueryItem(QStringLiteral("query_by"), QStringLiteral("title"));
        QVERIFY(client.search(QStringLiteral("movies"), q2));
        QCOMPARE(fake.lastRequest().params.value(QStringLiteral("q")), QStringLiteral("C++ & a=b"));

        // Unknown field: 404 message surfaced.
        p.removeAllQueryItems(QStringLiteral("filter_by"));
        p.addQueryItem(QStringLiteral("filter_by"), QStringLiteral("nope:=1"));
        QVERIFY(!client.search(QStringLiteral("movies"), p, &err));
        QCOMPARE(err.httpStatus, 404);
        QVERIFY2(err.message.contains(QLatin1String("`nope`")), qPrintable(err.message));
    }

    void longQueryUsesMultiSearch()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        seed(client);
        QStringList ids;
        for (int i = 0; i < 800; ++i)
            ids << QString::number(1000 + i);
        ids << QStringLiteral("10");
        QUrlQuery p;
        p.addQueryItem(QStringLiteral("q"), QStringLiteral("*"));
        p.addQueryItem(QStringLiteral("filter_by"),
                       QStringLiteral("id:[%1]").arg(ids.join(QLatin1Char(','))));
        QVERIFY(encodeQuery(p).size() > TypesenseClient::MaxGetQueryLength);
        TypesenseError err;
        const auto r = client.search(QStringLiteral("movies"), p, &err);
        QVERIFY2(r, qPrintable(err.message));
        QCOMPARE(r->value(QStringLiteral("found")).toInt(), 1);
        QCOMPARE(fake.lastRequest().path, QStringLiteral("/multi_search"));
        QCOMPARE(fake.lastRequest().method, QByteArray("POST"));
    }

    void multiSearchKeepsFailedSearch()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        seed(client);
        const QJsonArray searches{QJsonObject{{"collection", "movies"}, {"q", "matrix"}},
                                  QJsonObject{{"collection", "nosuch"}, {"q", "matrix"}}};
        QUrlQuery common;
        common.addQueryItem(QStringLiteral("query_by"), QStringLiteral("title"));
        TypesenseError err;
        const auto r = client.multiSearch(searches, common, &err);
        QVERIFY2(r, qPrintable(err.message));
        QCOMPARE(r->size(), 2);
        QCOMPARE(r->at(0).toObject().value("found").toInt(), 1);
        QCOMPARE(r->at(1).toObject().value("code").toInt(), 404);
        QVERIFY(r->at(1).toObject().value("error").toString().contains(QLatin1String("nosuch")));
    }

    void retriesOn503ThenSucceeds()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        QVERIFY(client.createCollection(moviesSchema()));
        fake.resetRequests();
        fake.failNextRequests(2, 503, QStringLiteral("Not Ready or Lagging"));
        TypesenseError err;
        QVERIFY2(client.getCollection(QStringLiteral("movies"), &err), qPrintable(err.message));
        QCOMPARE(fake.requestCount(), 3);
    }

    void retriesExhaustedSurface503()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        fake.failNextRequests(10, 503, QStringLiteral("Not Ready or Lagging"));
        TypesenseError err;
        QVERIFY(!client.getCollection(QStringLiteral("movies"), &err));
        QCOMPARE(fake.requestCount(), 4); // 1 + maxRetries
        QCOMPARE(err.message, QStringLiteral("Typesense 503: Not Ready or Lagging"));
        QVERIFY(err.retryable);
    }

    void honoursRetryAfter()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        QVERIFY(client.createCollection(moviesSchema()));
        fake.resetRequests();
        fake.failNextRequests(1, 429, QStringLiteral("Rate limit exceeded"), 1);
        QElapsedTimer t;
        t.start();
        TypesenseError err;
        QVERIFY2(client.getCollection(QStringLiteral("movies"), &err), qPrintable(err.message));
        QCOMPARE(fake.requestCount(), 2);
        QVERIFY(t.elapsed() >= 900); // waited Retry-After: 1, not the 10 ms backoff
    }

    void badRequestNotRetried()
    {
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        fake.failNextRequests(1, 400, QStringLiteral("Bad request."));
        TypesenseError err;
        QVERIFY(!client.getCollection(QStringLiteral("movies"), &err));
        QCOMPARE(err.httpStatus, 400);
        QCOMPARE(err.message, QStringLiteral("Typesense 400: Bad request."));
        QCOMPARE(fake.requestCount(), 1);
    }

    void timeout()
    {
        FakeTypesense fake;
        TypesenseSettings s = settingsFor(fake);
        s.timeoutMs = 200;
        TypesenseClient client(s);
        fake.setDelayMs(2000);
        TypesenseError err;
        QElapsedTimer t;
        t.start();
        QVERIFY(!client.getCollection(QStringLiteral("movies"), &err));
        QVERIFY2(err.message.contains(QLatin1String("timed out after 200 ms")),
                 qPrintable(err.message));
        QVERIFY(t.elapsed() < 1500);
        QCOMPARE(err.httpStatus, 0);
    }

    void serverDown()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        } // closed: connections are refused
        TypesenseSettings s;
        s.host = QStringLiteral("127.0.0.1");
        s.port = port;
        s.apiKey = QStringLiteral("k");
        s.retryBaseDelayMs = 10;
        TypesenseClient client(s);
        TypesenseError err;
        QVERIFY(!client.getCollection(QStringLiteral("movies"), &err));
        QCOMPARE(err.httpStatus, 0);
        QVERIFY(err.retryable);
        QVERIFY2(err.message.contains(QLatin1String("unreachable")) &&
                     err.message.contains(QLatin1String("after 4 attempts")),
                 qPrintable(err.message));
        QVERIFY(!client.health(&err));
    }

    void usableFromWorkerThreads()
    {
        FakeTypesense fake;
        const TypesenseClient client(settingsFor(fake));
        seed(client);
        std::atomic<int> found{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&] {
                QUrlQuery p;
                p.addQueryItem(QStringLiteral("q"), QStringLiteral("matrix"));
                p.addQueryItem(QStringLiteral("query_by"), QStringLiteral("title"));
                const auto r = client.search(QStringLiteral("movies"), p);
                if (r)
                    found += r->value(QStringLiteral("found")).toInt();
            });
        for (auto &t : threads)
            t.join();
        QCOMPARE(found.load(), 4);
    }

    void quoteFilterValue()
    {
        QCOMPARE(TypesenseClient::quoteFilterValue(QStringLiteral("O'Brien \"Jr\"")),
                 std::optional<QString>(QStringLiteral("`O'Brien \"Jr\"`")));
        QCOMPARE(TypesenseClient::quoteFilterValue(QStringLiteral("C:\\path\\")),
                 std::optional<QString>(QStringLiteral("`C:\\path\\`")));
        QCOMPARE(TypesenseClient::quoteFilterValue(QStringLiteral("Action, Adventure && [x]")),
                 std::optional<QString>(QStringLiteral("`Action, Adventure && [x]`")));
        TypesenseError err;
        QVERIFY(!TypesenseClient::quoteFilterValue(QStringLiteral("a`b"), &err));
        QCOMPARE(err.httpStatus, 400);
        QVERIFY(err.message.contains(QLatin1String("backtick")));

        // A quoted value with commas and quotes filters as one value end to end.
        FakeTypesense fake;
        TypesenseClient client(settingsFor(fake));
        QVERIFY(client.createCollection(moviesSchema()));
        QVERIFY(client.importDocuments(
            QStringLiteral("movies"),
            {movie("1", "X", {QStringLiteral("Action, \"Adventure\"")}, 2000),
             movie("2", "Y", {QStringLiteral("Action")}, 2000)}));
        QCOMPARE(client.deleteByFilter(QStringLiteral("movies"),
                                       QStringLiteral("genres:=") +
                                           *TypesenseClient::quoteFilterValue(
                                               QStringLiteral("Action, \"Adventure\""))),
                 std::optional<int>(1));
    }
};

QTEST_GUILESS_MAIN(TstTypesenseClient)
#include "tst_typesenseclient.moc"
