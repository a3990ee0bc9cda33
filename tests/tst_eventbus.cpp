#include "LineProcess.h"
#include "TestEnvironment.h"
#include "TestRedis.h"
#include "cache/CacheSubscriber.h"
#include "cache/RedisClient.h"
#include "events/EventBus.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QtTest>
#include <memory>
#include <vector>

using namespace Revenge;
using namespace Revenge::Test;

namespace {

// One revenge_test_eventprocess (tests/helpers/eventprocess.cpp): another Revenge process's
// event bus. Killed (SIGKILL) when destroyed, so a failing test leaves no process behind.
class EventProcess : public LineProcess
{
public:
    EventProcess(const QString &program, const RedisEndpoint &ep, const QString &instance)
        : LineProcess(program, arguments(ep, instance), instance)
    {}

    QString instance() const { return name(); }
    bool start(int timeoutMs = 15000)
    {
        return LineProcess::start(QStringLiteral("READY"), timeoutMs);
    }

    void publish(const QString &type, const QJsonObject &data)
    {
        write("PUB " + type.toUtf8() + ' ' + QJsonDocument(data).toJson(QJsonDocument::Compact) +
              '\n');
    }

    // The events that came from the cache: the lines that are JSON.
    QList<Event> received()
    {
        QList<Event> events;
        for (const QString &line : lines())
            if (line.startsWith(QLatin1Char('{')))
                if (auto e = Event::fromJson(line.toUtf8()))
                    events.append(*e);
        return events;
    }
    // Local deliveries of what this process published.
    QList<Event> published()
    {
        QList<Event> events;
        for (const QString &line : lines())
            if (line.startsWith(QLatin1String("PUBLISHED ")))
                if (auto e = Event::fromJson(line.mid(10).toUtf8()))
                    events.append(*e);
        return events;
    }

private:
    static QStringList arguments(const RedisEndpoint &ep, const QString &instance)
    {
        QStringList args{QStringLiteral("--host"),     ep.host,
                         QStringLiteral("--port"),     QString::number(ep.port),
                         QStringLiteral("--instance"), instance};
        if (!ep.password.isEmpty())
            args << QStringLiteral("--password") << ep.password;
        return args;
    }
};

// This test process as a Revenge node: a bus with the cache attached and a subscriber. Keeps
// every event its bus emits (local and remote), received on the main thread.
class Node
{
public:
    Node(const QString &instance, const RedisEndpoint &ep)
        : client(ep)
        , bus(instance)
        , subscriber(ep, &bus)
    {
        bus.attachCache(&client);
        QObject::connect(&bus, &EventBus::event, &context,
                         [this](const Event &e) { events.append(e); });
        subscriber.start();
    }
    ~Node() { subscriber.stop(); }

    QList<Event> ofType(const QString &type) const
    {
        QList<Event> out;
        for (const Event &e : events)
            if (e.type == type)
                out.append(e);
        return out;
    }

    RedisClient client;
    EventBus bus;
    CacheSubscriber subscriber;
    QObject context;
    QList<Event> events;
};

// A server on a thread of its own that answers the first data on each connection with a fixed
// blob and then keeps the connection open, saying nothing more.
class OneShotServer : public QThread
{
public:
    explicit OneShotServer(QByteArray answer)
        : m_answer(std::move(answer))
    {}
    ~OneShotServer() override
    {
        quit();
        wait();
    }
    quint16 listen()
    {
        start();
        m_ready.acquire();
        return m_port;
    }

protected:
    void run() override
    {
        QTcpServer server;
        if (server.listen(QHostAddress::LocalHost, 0))
            m_port = server.serverPort();
        m_ready.release();
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    socket->readAll();
                    if (!socket->property("answered").toBool()) {
                        socket->setProperty("answered", true);
                        socket->write(m_answer);
                        socket->flush();
                    }
                });
            }
        });
        exec();
    }

private:
    QByteArray m_answer;
    QSemaphore m_ready;
    std::atomic<quint16> m_port{0};
};

QByteArray bulk(const QByteArray &s)
{
    return '$' + QByteArray::number(s.size()) + "\r\n" + s + "\r\n";
}

QList<Event> ofType(const QList<Event> &events, const QString &type)
{
    QList<Event> out;
    for (const Event &e : events)
        if (e.type == type)
            out.append(e);
    return out;
}

} // namespace

// The in-process event bus (delivery, queued receivers, the JSON form of an event) and its
// cross-process delivery through the cache's pub/sub, between this process and helper
// processes: no echo to the publisher, nothing fails while the cache is away, the subscriber
// and publisher recover by themselves, malformed messages are ignored.
class TestEventBus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void silentConnectionIsNoticed();
    void initTestCase();
    void cleanup();
    void localDeliveryIsImmediate();
    void queuedReceiversOnOtherThreads();
    void remoteDeliverySkipsOwnEvents();
    void jsonRoundTrip();
    void malformedJsonIsRejected_data();
    void malformedJsonIsRejected();
    void crossProcessDelivery();
    void degradedModeAndRecovery();
    void malformedMessagesAreIgnored();
    void messageInTheSameReadAsTheConfirmation();

private:
    EventProcess *spawn(const QString &instance, const RedisEndpoint &ep);

    TestRedis m_redis{true};
    QString m_program;
    std::vector<std::unique_ptr<EventProcess>> m_processes;
};

void TestEventBus::initTestCase()
{
    m_program = qEnvironmentVariable("REVENGE_EVENTPROCESS");
    if (m_program.isEmpty()) // run by hand: it is built next to this test
        m_program =
            QCoreApplication::applicationDirPath() + QStringLiteral("/revenge_test_eventprocess");
    QVERIFY2(QFileInfo(m_program).isExecutable(),
             qPrintable(m_program + QStringLiteral(" is missing (REVENGE_EVENTPROCESS)")));
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void TestEventBus::cleanup()
{
    if (QTest::currentTestFailed())
        for (const auto &p : m_processes)
            qWarning().noquote() << p->log();
    m_processes.clear(); // SIGKILLs whatever still runs
}

EventProcess *TestEventBus::spawn(const QString &instance, const RedisEndpoint &ep)
{
    m_processes.push_back(std::make_unique<EventProcess>(m_program, ep, instance));
    EventProcess *p = m_processes.back().get();
    if (!p->start()) {
        qWarning().noquote() << "process" << instance << "did not get ready:" << p->log();
        return nullptr;
    }
    return p;
}

void TestEventBus::localDeliveryIsImmediate()
{
    EventBus bus(QStringLiteral("local"));
    QSignalSpy spy(&bus, &EventBus::event);
    const QDateTime before = QDateTime::currentDateTimeUtc();
    bus.publish(QStringLiteral("job.progress"),
                {{QStringLiteral("job"), 12}, {QStringLiteral("percent"), 40.5}});
    QCOMPARE(spy.size(), 1); // synchronously, no cache needed
    const auto e = spy.at(0).at(0).value<Event>();
    QCOMPARE(e.type, QStringLiteral("job.progress"));
    QCOMPARE(e.origin, QStringLiteral("local"));
    QCOMPARE(e.data.value(QStringLiteral("job")).toInt(), 12);
    QCOMPARE(e.data.value(QStringLiteral("percent")).toDouble(), 40.5);
    QVERIFY(e.at.isValid());
    QVERIFY(e.at >= before.addMSecs(-1) && e.at <= QDateTime::currentDateTimeUtc());
    QCOMPARE(bus.instanceId(), QStringLiteral("local"));

    // Attached and detached again: still purely local.
    bus.detachCache();
    bus.publish(QStringLiteral("x"), {});
    QCOMPARE(spy.size(), 2);
}

void TestEventBus::queuedReceiversOnOtherThreads()
{
    EventBus bus(QStringLiteral("threads"));

    // A receiver living on a worker thread gets events published on this one, on its thread.
    QThread worker;
    worker.start();
    QObject remoteReceiver;
    remoteReceiver.moveToThread(&worker);
    std::atomic<int> onWorker{0};
    std::atomic<int> elsewhere{0};
    connect(&bus, &EventBus::event, &remoteReceiver,
            [&](const Event &) { (QThread::currentThread() == &worker ? onWorker : elsewhere)++; });

    // A receiver on this thread gets events published on a worker, queued to this thread.
    QList<Event> mine;
    QList<QThread *> threads;
    QObject localReceiver;
    connect(&bus, &EventBus::event, &localReceiver, [&](const Event &e) {
        mine.append(e);
        threads.append(QThread::currentThread());
    });

    bus.publish(QStringLiteral("from.main"), {});
    QCOMPARE(mine.size(), 1); // same thread: direct
    std::unique_ptr<QThread> publisher(QThread::create([&] {
        for (int i = 0; i < 10; ++i)
            bus.publish(QStringLiteral("from.worker"), {{QStringLiteral("i"), i}});
    }));
    publisher->start();
    QVERIFY(publisher->wait(5000));
    QCOMPARE(mine.size(), 1); // queued: nothing yet, this thread has not run its loop
    QVERIFY(waitUntil([&] { return mine.size() == 11; }, 5000));
    for (QThread *t : threads)
        QCOMPARE(t, QThread::currentThread());
    for (int i = 0; i < 10; ++i) // in publishing order
        QCOMPARE(mine.at(i + 1).data.value(QStringLiteral("i")).toInt(), i);
    QVERIFY(waitUntil([&] { return onWorker.load() == 11; }, 5000));
    QCOMPARE(elsewhere.load(), 0);
    worker.quit();
    worker.wait();
}

void TestEventBus::remoteDeliverySkipsOwnEvents()
{
    EventBus bus(QStringLiteral("me"));
    QSignalSpy spy(&bus, &EventBus::event);
    const QDateTime at = QDateTime::currentDateTimeUtc();
    bus.deliverRemote({QStringLiteral("t"), {}, QStringLiteral("me"), at});
    QCOMPARE(spy.size(), 0); // our own, already delivered when published
    bus.deliverRemote(
        {QStringLiteral("t"), {{QStringLiteral("k"), 1}}, QStringLiteral("other"), at});
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).value<Event>().origin, QStringLiteral("other"));
}

void TestEventBus::jsonRoundTrip()
{
    const QJsonObject data{
        {QStringLiteral("library"), 7},
        {QStringLiteral("name"), QStringLiteral("Filme – Ünïcödé 映画 \"quoted\"\n")},
        {QStringLiteral("ratio"), 0.25},
        {QStringLiteral("big"), 9007199254740991.0},
        {QStringLiteral("flag"), true},
        {QStringLiteral("none"), QJsonValue::Null},
        {QStringLiteral("list"), QJsonArray{1, QStringLiteral("two"), QJsonObject{{"three", 3}}}},
        {QStringLiteral("nested"), QJsonObject{{QStringLiteral("a"), QJsonObject{{"b", "c"}}}}}};
    const Event e{QStringLiteral("library.changed"), data, QStringLiteral("node-1"),
                  QDateTime::currentDateTimeUtc()};
    const QByteArray json = e.toJson();
    QVERIFY(!json.contains('\n')); // one line: compact
    const auto back = Event::fromJson(json);
    QVERIFY(back);
    QCOMPARE(back->type, e.type);
    QCOMPARE(back->origin, e.origin);
    QCOMPARE(back->data, e.data);
    QCOMPARE(back->at, e.at);
    QCOMPARE(back->at.toMSecsSinceEpoch(), e.at.toMSecsSinceEpoch()); // millisecond precision
    QCOMPARE(back->toJson(), json);

    // A local time goes out as UTC and means the same instant.
    const QDateTime local =
        QDateTime(QDate(2024, 5, 6), QTime(7, 8, 9, 123), Qt::OffsetFromUTC, 2 * 3600);
    const auto fromLocal = Event::fromJson(Event{QStringLiteral("t"), {}, {}, local}.toJson());
    QVERIFY(fromLocal);
    QCOMPARE(fromLocal->at.toMSecsSinceEpoch(), local.toMSecsSinceEpoch());

    // Only the type is required.
    const auto minimal = Event::fromJson(R"({"type":"ping"})");
    QVERIFY(minimal);
    QCOMPARE(minimal->type, QStringLiteral("ping"));
    QVERIFY(minimal->data.isEmpty());
    QVERIFY(minimal->origin.isEmpty());
    QVERIFY(!minimal->at.isValid());
}

void TestEventBus::malformedJsonIsRejected_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not json") << QByteArray("not json");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("binary") << QByteArray("\xff\x00\xfe{", 4);
    QTest::newRow("truncated") << QByteArray(R"({"type":"x","data":{)");
    QTest::newRow("array") << QByteArray(R"([{"type":"x"}])");
    QTest::newRow("string") << QByteArray(R"("type")");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("no type") << QByteArray(R"({"data":{}})");
    QTest::newRow("empty type") << QByteArray(R"({"type":""})");
    QTest::newRow("type is a number") << QByteArray(R"({"type":42})");
    QTest::newRow("trailing garbage") << QByteArray(R"({"type":"x"} trailing)");
}

void TestEventBus::malformedJsonIsRejected()
{
    QFETCH(QByteArray, json);
    QVERIFY(!Event::fromJson(json));
}

void TestEventBus::crossProcessDelivery()
{
    const RedisEndpoint ep = m_redis.endpoint();
    EventProcess *a = spawn(QStringLiteral("proc-a"), ep);
    EventProcess *b = spawn(QStringLiteral("proc-b"), ep);
    QVERIFY(a && b);
    Node node(QStringLiteral("test-node"), ep);
    QVERIFY(waitUntil([&] { return node.subscriber.isSubscribed(); }, 10000));

    // From one child to the other (and to us), not back to the publisher.
    const QJsonObject data{{QStringLiteral("library"), 7}, {QStringLiteral("what"), "scan"}};
    a->publish(QStringLiteral("library.changed"), data);
    QVERIFY(waitUntil([&] { return !ofType(b->received(), "library.changed").isEmpty(); }, 5000));
    const Event atB = ofType(b->received(), QStringLiteral("library.changed")).first();
    QCOMPARE(atB.origin, QStringLiteral("proc-a"));
    QCOMPARE(atB.data, data);
    QVERIFY(
        waitUntil([&] { return !node.ofType(QStringLiteral("library.changed")).isEmpty(); }, 5000));
    QCOMPARE(node.ofType(QStringLiteral("library.changed")).first().origin,
             QStringLiteral("proc-a"));
    QCOMPARE(a->published().size(), 1); // delivered locally once, when published
    QCOMPARE(a->published().first().data, data);
    QTest::qWait(300); // the echo had as long as the others' copies, and more
    QVERIFY2(a->received().isEmpty(), qPrintable(a->log()));
    QCOMPARE(ofType(b->received(), QStringLiteral("library.changed")).size(), 1);

    // From this process's bus: both children get it, we get it once (locally).
    const QJsonObject progress{{QStringLiteral("job"), 99}, {QStringLiteral("percent"), 50}};
    node.bus.publish(QStringLiteral("job.progress"), progress);
    QCOMPARE(node.ofType(QStringLiteral("job.progress")).size(), 1); // local, at once
    QVERIFY(waitUntil(
        [&] {
            return !ofType(a->received(), "job.progress").isEmpty() &&
                   !ofType(b->received(), "job.progress").isEmpty();
        },
        5000));
    for (EventProcess *p : {a, b}) {
        const Event e = ofType(p->received(), QStringLiteral("job.progress")).first();
        QCOMPARE(e.origin, QStringLiteral("test-node"));
        QCOMPARE(e.data, progress);
    }
    QTest::qWait(300);
    QCOMPARE(node.ofType(QStringLiteral("job.progress")).size(), 1); // no echo here either

    // Many in a row arrive complete and in order.
    for (int i = 0; i < 50; ++i)
        b->publish(QStringLiteral("playback.progress"), {{QStringLiteral("seq"), i}});
    QVERIFY(
        waitUntil([&] { return ofType(a->received(), "playback.progress").size() == 50; }, 10000));
    const QList<Event> seq = ofType(a->received(), QStringLiteral("playback.progress"));
    for (int i = 0; i < 50; ++i)
        QCOMPARE(seq.at(i).data.value(QStringLiteral("seq")).toInt(), i);
    QVERIFY(ofType(b->received(), QStringLiteral("playback.progress")).isEmpty());
}

void TestEventBus::degradedModeAndRecovery()
{
    // A server of its own: this test stops it.
    TestRedis redis(true);
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    const RedisEndpoint ep = redis.endpoint();
    EventProcess *a = spawn(QStringLiteral("deg-a"), ep);
    EventProcess *b = spawn(QStringLiteral("deg-b"), ep);
    QVERIFY(a && b);
    Node node(QStringLiteral("deg-node"), ep);
    QVERIFY(waitUntil([&] { return node.subscriber.isSubscribed(); }, 10000));
    node.bus.publish(QStringLiteral("warmup"), {});
    QVERIFY(waitUntil([&] { return !ofType(b->received(), "warmup").isEmpty(); }, 5000));

    redis.stop();

    // Publishing goes on: delivered locally, at once, no error anywhere.
    QElapsedTimer timer;
    for (int i = 0; i < 20; ++i) {
        timer.start();
        node.bus.publish(QStringLiteral("offline.node"), {{QStringLiteral("i"), i}});
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QStringLiteral("%1 ms").arg(timer.elapsed())));
        QCOMPARE(node.ofType(QStringLiteral("offline.node")).size(), i + 1);
        QTest::qWait(20);
    }
    QVERIFY(!node.client.isAvailable());
    a->publish(QStringLiteral("offline.a"), {});
    QVERIFY(waitUntil([&] { return !ofType(a->published(), "offline.a").isEmpty(); }, 5000));
    QVERIFY(a->isRunning() && b->isRunning());

    // Every subscriber notices.
    QVERIFY(waitUntil([&] { return !node.subscriber.isSubscribed(); }, 5000));
    QVERIFY(a->waitForLine(QStringLiteral("SUBSCRIBED 0"), 5000));
    QVERIFY(b->waitForLine(QStringLiteral("SUBSCRIBED 0"), 5000));

    // The server returns (same port): subscribers come back by themselves...
    QTest::qWait(1500); // long enough for the backoff to have grown
    QVERIFY2(redis.start(&error), qPrintable(error));
    QCOMPARE(redis.endpoint().port, ep.port);
    QVERIFY(waitUntil([&] { return node.subscriber.isSubscribed(); }, 10000));
    QVERIFY(a->waitForLine(QStringLiteral("SUBSCRIBED 1"), 10000));
    QVERIFY(b->waitForLine(QStringLiteral("SUBSCRIBED 1"), 10000));

    // ...and so do publishers: no one calls retryNow(); the next publish after the backoff
    // reaches the others. Events published while the cache was away stayed local.
    int seq = 0;
    QVERIFY2(
        waitUntil(
            [&] {
                node.bus.publish(QStringLiteral("online.node"), {{QStringLiteral("seq"), seq++}});
                QTest::qWait(100);
                return !ofType(a->received(), "online.node").isEmpty() &&
                       !ofType(b->received(), "online.node").isEmpty();
            },
            10000),
        "this process's events no longer reach the others");
    QVERIFY(node.client.isAvailable());
    QVERIFY2(waitUntil(
                 [&] {
                     a->publish(QStringLiteral("online.a"), {{QStringLiteral("seq"), seq++}});
                     QTest::qWait(100);
                     return !ofType(b->received(), "online.a").isEmpty() &&
                            !node.ofType(QStringLiteral("online.a")).isEmpty();
                 },
                 10000),
             "a child's events no longer reach the others");
    QVERIFY(ofType(b->received(), QStringLiteral("offline.node")).isEmpty());
    QVERIFY(ofType(b->received(), QStringLiteral("offline.a")).isEmpty());
    QVERIFY(node.ofType(QStringLiteral("offline.a")).isEmpty());
    QVERIFY(ofType(a->received(), QStringLiteral("offline.node")).isEmpty());
}

void TestEventBus::malformedMessagesAreIgnored()
{
    const RedisEndpoint ep = m_redis.endpoint();
    EventProcess *a = spawn(QStringLiteral("mal-a"), ep);
    QVERIFY(a);
    Node node(QStringLiteral("mal-node"), ep);
    QVERIFY(waitUntil([&] { return node.subscriber.isSubscribed(); }, 10000));
    const int before = int(node.events.size());

    RedisClient raw(ep);
    const QList<QByteArray> garbage{"not json",
                                    "",
                                    QByteArray("\xff\x00\xfe\r\n*3\r\n", 9),
                                    "[1,2,3]",
                                    R"({"type":""})",
                                    R"({"type":42,"data":{}})",
                                    R"({"type":"x","data":)",
                                    QByteArray(70000, '{')};
    for (const QByteArray &payload : garbage) {
        const auto r = raw.command({"PUBLISH", EventBus::kChannel, payload});
        QVERIFY(r);
        QCOMPARE(r->type, RedisReply::Type::Integer);
        QVERIFY(r->integer >= 2); // the child and us
    }
    // A well-formed one published raw afterwards still arrives: nothing got stuck.
    const Event good{QStringLiteral("notification"),
                     {{QStringLiteral("text"), "hi"}},
                     QStringLiteral("raw-publisher"),
                     QDateTime::currentDateTimeUtc()};
    QVERIFY(raw.command({"PUBLISH", EventBus::kChannel, good.toJson()}));
    QVERIFY(waitUntil([&] { return !ofType(a->received(), "notification").isEmpty(); }, 5000));
    QVERIFY(
        waitUntil([&] { return !node.ofType(QStringLiteral("notification")).isEmpty(); }, 5000));
    QCOMPARE(a->received().size(), 1);
    QCOMPARE(a->received().first().data, good.data);
    QCOMPARE(int(node.events.size()), before + 1);
    QVERIFY(a->isRunning());
    QVERIFY(node.subscriber.isSubscribed());
    QVERIFY(!a->lines().contains(QStringLiteral("SUBSCRIBED 0"))); // never dropped the line
}

void TestEventBus::messageInTheSameReadAsTheConfirmation()
{
    // A message the server sends right behind the SUBSCRIBE confirmation (one TCP segment) is
    // delivered at once, not left in the reader until more data happens to arrive.
    const Event e{QStringLiteral("scan.progress"),
                  {{QStringLiteral("n"), 1}},
                  QStringLiteral("elsewhere"),
                  QDateTime::currentDateTimeUtc()};
    const QByteArray channel(EventBus::kChannel);
    OneShotServer server("*3\r\n" + bulk("subscribe") + bulk(channel) + ":1\r\n" + "*3\r\n" +
                         bulk("message") + bulk(channel) + bulk(e.toJson()));
    RedisEndpoint ep;
    ep.port = server.listen();
    QVERIFY(ep.port);
    EventBus bus(QStringLiteral("local"));
    QList<Event> received;
    QObject context;
    connect(&bus, &EventBus::event, &context, [&](const Event &ev) { received.append(ev); });
    CacheSubscriber subscriber(ep, &bus);
    subscriber.start();
    QVERIFY(waitUntil([&] { return subscriber.isSubscribed(); }, 5000));
    QVERIFY(waitUntil([&] { return !received.isEmpty(); }, 3000));
    QCOMPARE(received.first().type, e.type);
    QCOMPARE(received.first().data, e.data);
    QVERIFY(subscriber.isSubscribed());
    subscriber.stop();
}

void TestEventBus::silentConnectionIsNoticed()
{
    // A "server" that confirms the subscription and then never says another word, like a
    // half-open connection: the keep-alive PING goes unanswered and the subscriber reconnects.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    int connections = 0;
    connect(&silent, &QTcpServer::newConnection, &silent, [&] {
        while (QTcpSocket *s = silent.nextPendingConnection()) { // children of `silent`
            ++connections;
            connect(s, &QTcpSocket::readyRead, s, [s] {
                const QByteArray in = s->readAll();
                if (in.contains("SUBSCRIBE"))
                    s->write("*3\r\n$9\r\nsubscribe\r\n$14\r\nrevenge:events\r\n:1\r\n");
                // PING: no answer.
            });
        }
    });
    RedisEndpoint ep;
    ep.host = QStringLiteral("127.0.0.1");
    ep.port = silent.serverPort();
    EventBus bus(QStringLiteral("silent-test"));
    CacheSubscriber subscriber(ep, &bus);
    subscriber.setKeepAlive(300, 300);
    // Counted on the subscriber's own thread (direct): no queued call can outlive this frame.
    std::atomic<int> drops{0};
    connect(
        &subscriber, &CacheSubscriber::subscribedChanged, &subscriber,
        [&](bool on) { drops += on ? 0 : 1; }, Qt::DirectConnection);
    subscriber.start();
    QVERIFY(waitUntil([&] { return drops >= 1 && connections >= 2; }, 10000));
    subscriber.stop();
}

QTEST_GUILESS_MAIN(TestEventBus)
#include "tst_eventbus.moc"
