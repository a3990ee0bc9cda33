#include "TestEnvironment.h"
#include "TestRedis.h"
#include "cache/RedisClient.h"
#include "cache/RedisConnection.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QProcess>
#include <QSemaphore>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <memory>
#include <vector>

using namespace Revenge;
using namespace Revenge::Test;

namespace {

// A server that speaks just enough of the protocol to read commands, and answers each one with
// whatever the test tells it to (garbage, a lying bulk length, half a reply and a hang-up...).
// Runs its QTcpServer on a thread of its own, since the client under test blocks the test's.
class FakeRedis : public QThread
{
public:
    FakeRedis(QByteArray reply, bool closeAfter)
        : m_reply(std::move(reply))
        , m_closeAfter(closeAfter)
    {}
    ~FakeRedis() override
    {
        quit();
        wait();
    }

    bool listen()
    {
        start();
        m_ready.acquire();
        return m_port != 0;
    }
    quint16 port() const { return m_port; }
    int connections() const { return m_connections.load(); }
    int commands() const { return m_commands.load(); }
    void setReply(const QByteArray &reply, bool closeAfter)
    {
        QMutexLocker lock(&m_mutex);
        m_reply = reply;
        m_closeAfter = closeAfter;
    }

protected:
    void run() override
    {
        QTcpServer server;
        if (server.listen(QHostAddress::LocalHost, 0))
            m_port = server.serverPort();
        m_ready.release();
        if (!m_port)
            return;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                ++m_connections;
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                    *buffer += socket->readAll();
                    while (takeCommand(*buffer)) {
                        ++m_commands;
                        QMutexLocker lock(&m_mutex);
                        socket->write(m_reply);
                        socket->flush();
                        if (m_closeAfter) {
                            socket->disconnectFromHost();
                            return;
                        }
                    }
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        exec();
    }

private:
    // Removes one complete command ("*N\r\n" then N "$len\r\n<bytes>\r\n") from the front.
    static bool takeCommand(QByteArray &buffer)
    {
        auto line = [&](qsizetype from, qsizetype *next) -> std::optional<QByteArray> {
            const qsizetype end = buffer.indexOf("\r\n", from);
            if (end < 0)
                return std::nullopt;
            *next = end + 2;
            return buffer.mid(from, end - from);
        };
        qsizetype pos = 0;
        const auto header = line(0, &pos);
        if (!header || !header->startsWith('*'))
            return false;
        const int count = header->mid(1).toInt();
        for (int i = 0; i < count; ++i) {
            const auto length = line(pos, &pos);
            if (!length)
                return false;
            pos += length->mid(1).toInt() + 2;
            if (pos > buffer.size())
                return false;
        }
        buffer.remove(0, pos);
        return true;
    }

    QSemaphore m_ready;
    std::atomic<quint16> m_port{0};
    std::atomic<int> m_connections{0};
    std::atomic<int> m_commands{0};
    QMutex m_mutex;
    QByteArray m_reply;
    bool m_closeAfter;
};

RedisReply makeReply(RedisReply::Type type, QByteArray string = {}, qint64 integer = 0,
                     QList<RedisReply> elements = {})
{
    RedisReply r;
    r.type = type;
    r.string = std::move(string);
    r.integer = integer;
    r.elements = std::move(elements);
    return r;
}

} // namespace

// RedisClient and RedisConnection against a real redis-server: replies converted to Qt types,
// pipelining, authentication, db selection, unix sockets, Lua with the NOSCRIPT fallback, use
// from many threads, command timeouts, reconnection after the server restarts, and a fake
// server answering garbage.
class TestRedisClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void replyTypesRoundTrip();
    void binaryStringsKeepEveryByte();
    void errorsAreValues();
    void toVariantHandlesEveryType();
    void unexpectedReplyTypeIsTheCallersToCheck();
    void pipelineRepliesInOrder();
    void passwordAuthentication();
    void wrongPasswordIsAClearError();
    void dbIndexSelection();
    void unixSocket();
    void luaEvalFallsBackOnNoscript();
    void threadSafety();
    void commandTimeoutReturnsAnError();
    void reconnectsAfterServerRestart();
    void retryNowSkipsTheBackoff();
    void restartIsNoticedOnceAcrossThreads();
    void malformedReplies_data();
    void malformedReplies();
    void malformedReplyInAPipeline();
    void serverVersion();

private:
    RedisEndpoint endpoint(int commandTimeoutMs = 2000) const;

    TestRedis m_redis;
    TestRedis m_secure{true};
};

void TestRedisClient::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY2(m_secure.start(&error), qPrintable(error));
    QVERIFY(!m_secure.endpoint().password.isEmpty());
}

void TestRedisClient::init()
{
    RedisConnection c;
    QVERIFY2(c.connect(m_redis.endpoint()), qPrintable(c.error()));
    for (int db : {0, 3}) {
        c.command({"SELECT", QByteArray::number(db)});
        const auto r = c.command({"FLUSHDB"});
        QVERIFY(r && !r->isError());
    }
}

RedisEndpoint TestRedisClient::endpoint(int commandTimeoutMs) const
{
    RedisEndpoint ep = m_redis.endpoint();
    ep.commandTimeoutMs = commandTimeoutMs;
    return ep;
}

void TestRedisClient::replyTypesRoundTrip()
{
    RedisClient client(endpoint());
    QString error;

    // Status
    auto r = client.command({"PING"}, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->type, RedisReply::Type::Status);
    QCOMPARE(r->string, QByteArray("PONG"));
    r = client.command({"SET", "k", "v"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Status);
    QCOMPARE(r->toVariant(), QVariant(QByteArray("OK")));

    // Integer
    r = client.command({"INCRBY", "n", "-42"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Integer);
    QCOMPARE(r->integer, -42);
    QCOMPARE(r->toVariant().typeId(), QMetaType::LongLong);
    QCOMPARE(r->toVariant().toLongLong(), -42);
    r = client.command({"INCRBY", "big", "9007199254740993"}); // beyond a double's precision
    QVERIFY(r);
    QCOMPARE(r->integer, Q_INT64_C(9007199254740993));

    // Bulk string
    r = client.command({"GET", "k"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::String);
    QCOMPARE(r->string, QByteArray("v"));
    QCOMPARE(r->toVariant().typeId(), QMetaType::QByteArray);
    QCOMPARE(r->toVariant().toByteArray(), QByteArray("v"));
    client.command({"SET", "empty", ""});
    r = client.command({"GET", "empty"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::String); // an empty string is not nil
    QVERIFY(r->string.isEmpty());

    // Nil
    r = client.command({"GET", "missing"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Nil);
    QVERIFY(!r->isError());
    QVERIFY(!r->toVariant().isValid());

    // Array, including nil elements and an empty array
    client.command({"RPUSH", "list", "a", "b", "c"});
    r = client.command({"LRANGE", "list", "0", "-1"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Array);
    QCOMPARE(r->elements.size(), 3);
    QCOMPARE(r->elements.at(2).string, QByteArray("c"));
    QCOMPARE(r->toVariant(),
             QVariant(QVariantList{QByteArray("a"), QByteArray("b"), QByteArray("c")}));
    r = client.command({"MGET", "k", "missing"});
    QVERIFY(r);
    QCOMPARE(r->elements.size(), 2);
    QCOMPARE(r->elements.at(1).type, RedisReply::Type::Nil);
    r = client.command({"LRANGE", "nolist", "0", "-1"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Array);
    QVERIFY(r->elements.isEmpty());
    QCOMPARE(r->toVariant(), QVariant(QVariantList{}));

    // Nested array: SCAN answers [cursor, [keys]]; a Lua table nests deeper.
    r = client.command({"SCAN", "0", "MATCH", "lis*", "COUNT", "1000"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Array);
    QCOMPARE(r->elements.size(), 2);
    QCOMPARE(r->elements.at(1).type, RedisReply::Type::Array);
    QCOMPARE(r->elements.at(1).elements.size(), 1);
    QCOMPARE(r->elements.at(1).elements.at(0).string, QByteArray("list"));
    r = client.command({"EVAL", "return {1, {'a', {2, false}}, 'x'}", "0"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Array);
    QCOMPARE(r->elements.size(), 3);
    const RedisReply &inner = r->elements.at(1);
    QCOMPARE(inner.type, RedisReply::Type::Array);
    QCOMPARE(inner.elements.at(1).elements.at(0).integer, 2);
    QCOMPARE(inner.elements.at(1).elements.at(1).type, RedisReply::Type::Nil); // Lua false
    const QVariant v = r->toVariant();
    QCOMPARE(v, QVariant(QVariantList{qint64(1),
                                      QVariantList{QByteArray("a"), QVariantList{qint64(2), {}}},
                                      QByteArray("x")}));
}

void TestRedisClient::binaryStringsKeepEveryByte()
{
    RedisClient client(endpoint());
    QByteArray value("a\0b\r\n\xff\x00$3\r\n", 12);
    for (int i = 0; i < 256; ++i)
        value.append(char(i));
    value += QByteArray(100000, '\0'); // larger than one socket read
    QCOMPARE(value.size(), 12 + 256 + 100000);
    const QByteArray key("bin\0key", 7); // keys are binary too
    auto r = client.command({"SET", key, value});
    QVERIFY(r && !r->isError());
    r = client.command({"GET", key});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::String);
    QCOMPARE(r->string.size(), value.size());
    QVERIFY(r->string == value);
    QVERIFY(r->toVariant().toByteArray() == value);
    r = client.command({"STRLEN", key});
    QVERIFY(r);
    QCOMPARE(r->integer, value.size());
    r = client.command({"GET", QByteArray("bin")}); // the NUL is part of the key
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Nil);
}

void TestRedisClient::errorsAreValues()
{
    RedisClient client(endpoint());
    QString error;
    auto r = client.command({"NOSUCHCOMMAND", "x"}, &error);
    QVERIFY(r); // the server answered: a value, not a failure
    QVERIFY(error.isEmpty());
    QVERIFY(r->isError());
    QCOMPARE(r->type, RedisReply::Type::Error);
    QVERIFY2(r->string.startsWith("ERR unknown command"), r->string.constData());

    client.command({"SET", "s", "text"});
    r = client.command({"LPUSH", "s", "x"});
    QVERIFY(r && r->isError());
    QVERIFY(r->string.startsWith("WRONGTYPE"));
    r = client.command({"INCR", "s"});
    QVERIFY(r && r->isError());
    QVERIFY(r->string.contains("not an integer"));

    // An error reply does not break the connection or the availability.
    QVERIFY(client.isAvailable());
    r = client.command({"PING"});
    QVERIFY(r && r->string == "PONG");
}

void TestRedisClient::toVariantHandlesEveryType()
{
    using T = RedisReply::Type;
    QVERIFY(!makeReply(T::Nil).toVariant().isValid());

    const QVariant status = makeReply(T::Status, "OK").toVariant();
    QCOMPARE(status.typeId(), QMetaType::QByteArray);
    QCOMPARE(status.toByteArray(), QByteArray("OK"));

    const QVariant error = makeReply(T::Error, "ERR boom").toVariant();
    QCOMPARE(error.typeId(), QMetaType::QByteArray);
    QCOMPARE(error.toByteArray(), QByteArray("ERR boom"));

    const QVariant integer = makeReply(T::Integer, {}, -7).toVariant();
    QCOMPARE(integer.typeId(), QMetaType::LongLong);
    QCOMPARE(integer.toLongLong(), -7);
    QCOMPARE(makeReply(T::Integer, {}, std::numeric_limits<qint64>::max()).toVariant(),
             QVariant(std::numeric_limits<qint64>::max()));

    const QVariant string = makeReply(T::String, QByteArray("x\0y", 3)).toVariant();
    QCOMPARE(string.typeId(), QMetaType::QByteArray);
    QCOMPARE(string.toByteArray(), QByteArray("x\0y", 3));

    QCOMPARE(makeReply(T::Array).toVariant(), QVariant(QVariantList{}));
    const RedisReply nested = makeReply(
        T::Array, {}, 0,
        {makeReply(T::Nil), makeReply(T::Integer, {}, 1), makeReply(T::Status, "s"),
         makeReply(T::Error, "e"),
         makeReply(T::Array, {}, 0, {makeReply(T::String, "deep"), makeReply(T::Array)})});
    const QVariant v = nested.toVariant();
    QCOMPARE(v.typeId(), QMetaType::QVariantList);
    const QVariantList list = v.toList();
    QCOMPARE(list.size(), 5);
    QVERIFY(!list.at(0).isValid());
    QCOMPARE(list.at(1), QVariant(qint64(1)));
    QCOMPARE(list.at(2), QVariant(QByteArray("s")));
    QCOMPARE(list.at(3), QVariant(QByteArray("e")));
    QCOMPARE(list.at(4), QVariant(QVariantList{QByteArray("deep"), QVariantList{}}));
}

void TestRedisClient::unexpectedReplyTypeIsTheCallersToCheck()
{
    // A string where the caller expects an integer arrives as what it is; the caller checks the
    // type (or the conversion) and nothing in the client misreads it.
    RedisClient client(endpoint());
    client.command({"SET", "notanumber", "12abc"});
    auto r = client.command({"GET", "notanumber"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::String);
    QCOMPARE(r->integer, 0);
    bool ok = true;
    r->toVariant().toLongLong(&ok);
    QVERIFY(!ok);
    // And an integer reply where a string was expected converts only when the caller asks.
    r = client.command({"STRLEN", "notanumber"});
    QVERIFY(r);
    QCOMPARE(r->type, RedisReply::Type::Integer);
    QVERIFY(r->string.isEmpty());
    QCOMPARE(r->toVariant().toByteArray(), QByteArray("5"));
}

void TestRedisClient::pipelineRepliesInOrder()
{
    RedisClient client(endpoint());
    QList<QList<QByteArray>> commands;
    for (int i = 0; i < 100; ++i) {
        switch (i % 4) {
        case 0:
            commands.append({"RPUSH", "plist", QByteArray::number(i)});
            break;
        case 1:
            commands.append({"ECHO", "echo-" + QByteArray::number(i)});
            break;
        case 2:
            commands.append({"INCRBY", "pcounter", QByteArray::number(i)});
            break;
        default:
            commands.append({i == 51 ? QByteArray("NOSUCHCOMMAND") : QByteArray("GET"),
                             "missing-" + QByteArray::number(i)});
        }
    }
    QString error;
    const auto replies = client.pipeline(commands, &error);
    QVERIFY2(replies, qPrintable(error));
    QCOMPARE(replies->size(), 100);
    qint64 sum = 0;
    for (int i = 0; i < 100; ++i) {
        const RedisReply &r = replies->at(i);
        switch (i % 4) {
        case 0:
            QCOMPARE(r.type, RedisReply::Type::Integer);
            QCOMPARE(r.integer, i / 4 + 1); // the list's length after this push
            break;
        case 1:
            QCOMPARE(r.string, "echo-" + QByteArray::number(i));
            break;
        case 2:
            sum += i;
            QCOMPARE(r.integer, sum);
            break;
        default:
            if (i == 51)
                QVERIFY(r.isError()); // an error in its own slot, the rest unaffected
            else
                QCOMPARE(r.type, RedisReply::Type::Nil);
        }
    }
    const auto list = client.command({"LRANGE", "plist", "0", "-1"});
    QVERIFY(list);
    QCOMPARE(list->elements.size(), 25);
    QCOMPARE(list->elements.last().string, QByteArray("96"));

    // An empty pipeline is no round trip and no failure.
    const auto none = client.pipeline({});
    QVERIFY(none);
    QVERIFY(none->isEmpty());
}

void TestRedisClient::passwordAuthentication()
{
    RedisClient client(m_secure.endpoint());
    QString error;
    auto r = client.command({"SET", "secret", "1"}, &error);
    QVERIFY2(r, qPrintable(error));
    QVERIFY2(!r->isError(), r->string.constData());
    r = client.command({"GET", "secret"});
    QVERIFY(r);
    QCOMPARE(r->string, QByteArray("1"));

    // Without the password the server refuses every command: an error value saying so.
    RedisEndpoint none = m_secure.endpoint();
    none.password.clear();
    RedisClient anonymous(none);
    r = anonymous.command({"GET", "secret"}, &error);
    QVERIFY(r);
    QVERIFY(r->isError());
    QVERIFY2(r->string.startsWith("NOAUTH"), r->string.constData());
}

void TestRedisClient::wrongPasswordIsAClearError()
{
    RedisEndpoint ep = m_secure.endpoint();
    ep.password = QStringLiteral("not-the-password");
    RedisClient client(ep);
    QSignalSpy availability(&client, &RedisClient::availabilityChanged);
    QString error;
    const auto r = client.command({"PING"}, &error);
    QVERIFY(!r);
    QVERIFY2(error.contains(QLatin1String("authentication failed")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("WRONGPASS")), qPrintable(error));
    QVERIFY(!client.isAvailable());
    QCOMPARE(availability.size(), 1);
    QCOMPARE(availability.at(0).at(0).toBool(), false);

    RedisConnection c;
    QVERIFY(!c.connect(ep));
    QVERIFY2(c.error().contains(QLatin1String("authentication failed")), qPrintable(c.error()));
    QVERIFY(!c.isConnected());
    QVERIFY(!c.command({"PING"}));
    QCOMPARE(c.error(), QStringLiteral("not connected"));
}

void TestRedisClient::dbIndexSelection()
{
    RedisEndpoint ep3 = endpoint();
    ep3.db = 3;
    RedisClient db3(ep3);
    RedisClient db0(endpoint());
    QVERIFY(db3.command({"SET", "shared-name", "in-3"}));
    QVERIFY(db0.command({"SET", "shared-name", "in-0"}));
    QVERIFY(db3.command({"SET", "only-in-3", "x"}));
    QCOMPARE(db3.command({"GET", "shared-name"})->string, QByteArray("in-3"));
    QCOMPARE(db0.command({"GET", "shared-name"})->string, QByteArray("in-0"));
    QCOMPARE(db0.command({"GET", "only-in-3"})->type, RedisReply::Type::Nil);
    QCOMPARE(db3.command({"DBSIZE"})->integer, 2);
    QCOMPARE(db0.command({"DBSIZE"})->integer, 1);

    // A db the server does not have: a clear error.
    RedisEndpoint bad = endpoint();
    bad.db = 999;
    RedisConnection c;
    QVERIFY(!c.connect(bad));
    QVERIFY2(c.error().contains(QLatin1String("cannot select db 999")), qPrintable(c.error()));
}

void TestRedisClient::unixSocket()
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty())
        QSKIP("redis-server is not on PATH");
    auto dir = makeTempDir(QStringLiteral("revenge-redis-unix"));
    QVERIFY(dir->isValid());
    const QString socket = dir->path() + QStringLiteral("/redis.sock");
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(program,
                 {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--unixsocket"),
                  socket, QStringLiteral("--unixsocketperm"), QStringLiteral("700"),
                  QStringLiteral("--dir"), dir->path(), QStringLiteral("--save"), QString(),
                  QStringLiteral("--appendonly"), QStringLiteral("no"),
                  QStringLiteral("--daemonize"), QStringLiteral("no")});
    QVERIFY2(server.waitForStarted(5000), qPrintable(server.errorString()));
    auto killServer = qScopeGuard([&] {
        server.kill();
        server.waitForFinished(5000);
    });
    QVERIFY2(waitUntil([&] { return QFile::exists(socket); }, 10000), server.readAll().constData());

    RedisEndpoint ep;
    ep.host = socket;
    ep.port = 0;
    RedisClient client(ep);
    QString error;
    std::optional<RedisReply> r;
    QVERIFY2(waitUntil(
                 [&] {
                     client.retryNow();
                     r = client.command({"PING"}, &error);
                     return r && !r->isError();
                 },
                 10000),
             qPrintable(error));
    QVERIFY(client.command({"SET", "over-unix", "yes"}));
    r = client.command({"GET", "over-unix"});
    QVERIFY(r);
    QCOMPARE(r->string, QByteArray("yes"));
    // It is this server (no TCP port at all) that we talk to.
    r = client.command({"CONFIG", "GET", "port"});
    QVERIFY(r && r->elements.size() == 2);
    QCOMPARE(r->elements.at(1).string, QByteArray("0"));

    RedisEndpoint missing;
    missing.host = dir->path() + QStringLiteral("/nope.sock");
    RedisConnection c;
    QVERIFY(!c.connect(missing));
    QVERIFY2(c.error().contains(QLatin1String("nope.sock")), qPrintable(c.error()));
}

void TestRedisClient::luaEvalFallsBackOnNoscript()
{
    RedisClient client(endpoint());
    const RedisScript script(
        "return redis.call('INCRBY', KEYS[1], ARGV[1]) + tonumber(ARGV[2] or '0')");
    QCOMPARE(script.sha1.size(), 40);
    auto r = client.command({"SCRIPT", "FLUSH"});
    QVERIFY(r && !r->isError());
    r = client.command({"SCRIPT", "EXISTS", script.sha1});
    QVERIFY(r);
    QCOMPARE(r->elements.at(0).integer, 0);

    QString error;
    r = client.eval(script, {"lua-counter"}, {"5"}, &error); // NOSCRIPT, then EVAL
    QVERIFY2(r, qPrintable(error));
    QVERIFY2(!r->isError(), r->string.constData());
    QCOMPARE(r->integer, 5);
    r = client.command({"SCRIPT", "EXISTS", script.sha1});
    QCOMPARE(r->elements.at(0).integer, 1); // EVAL left it cached: EVALSHA from now on
    r = client.eval(script, {"lua-counter"}, {"2", "100"});
    QVERIFY(r);
    QCOMPARE(r->integer, 107);

    // Flushed again (a server restart does the same): still works.
    client.command({"SCRIPT", "FLUSH"});
    r = client.eval(script, {"lua-counter"}, {"1"});
    QVERIFY(r);
    QCOMPARE(r->integer, 8);

    // A script's own error is an error value, not the NOSCRIPT fallback looping.
    const RedisScript broken("return redis.call('NOSUCHCOMMAND', KEYS[1])");
    r = client.eval(broken, {"k"}, {});
    QVERIFY(r);
    QVERIFY(r->isError());
    QVERIFY(!r->string.startsWith("NOSCRIPT"));
    QVERIFY(client.isAvailable());
}

void TestRedisClient::threadSafety()
{
    RedisClient client(endpoint());
    std::atomic<int> failures{0};
    std::atomic<int> wrongReplies{0};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back(QThread::create([&] {
            for (int i = 0; i < 500; ++i) {
                const auto r = client.command({"INCR", "threads"});
                if (!r)
                    ++failures;
                else if (r->type != RedisReply::Type::Integer)
                    ++wrongReplies;
            }
        }));
    }
    for (auto &t : threads)
        t->start();
    for (auto &t : threads)
        QVERIFY(t->wait(60000));
    QCOMPARE(failures.load(), 0);
    QCOMPARE(wrongReplies.load(), 0);
    const auto r = client.command({"GET", "threads"});
    QVERIFY(r);
    QCOMPARE(r->string, QByteArray("4000"));
    QVERIFY(client.isAvailable());
}

void TestRedisClient::commandTimeoutReturnsAnError()
{
    // BLPOP would block for 5 s; the client gives up after its 300 ms command timeout. (DEBUG
    // SLEEP needs enable-debug-command, which the managed server leaves off.)
    RedisClient client(endpoint(300));
    QVERIFY(client.command({"PING"}));
    QElapsedTimer timer;
    timer.start();
    QString error;
    const auto r = client.command({"BLPOP", "never-pushed", "5"}, &error);
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(!r, r ? qPrintable(QStringLiteral("got a reply of type %1").arg(int(r->type))) : "");
    QVERIFY(!error.isEmpty());
    QVERIFY2(elapsed < 4000, qPrintable(QStringLiteral("took %1 ms").arg(elapsed)));

    // The timed-out connection is dropped (its late reply must not answer a later command);
    // the next call connects again.
    client.retryNow();
    const auto ping = client.command({"PING"}, &error);
    QVERIFY2(ping, qPrintable(error));
    QCOMPARE(ping->string, QByteArray("PONG"));
    QVERIFY(client.isAvailable());
}

void TestRedisClient::reconnectsAfterServerRestart()
{
    TestRedis redis;
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    const RedisEndpoint ep = redis.endpoint();
    RedisClient client(ep);
    QSignalSpy availability(&client, &RedisClient::availabilityChanged);
    QVERIFY(client.command({"SET", "k", "before"}));
    QVERIFY(client.isAvailable());

    redis.stop();
    // The first call finds the connection dead, the ones after it fail at once.
    QVERIFY(!client.command({"GET", "k"}, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!client.isAvailable());
    QCOMPARE(availability.size(), 1);
    QCOMPARE(availability.at(0).at(0).toBool(), false);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 100; ++i) {
        error.clear();
        QVERIFY(!client.command({"GET", "k"}, &error));
        QVERIFY2(error.contains(QLatin1String("unavailable")), qPrintable(error));
    }
    QVERIFY2(timer.elapsed() < 200, qPrintable(QStringLiteral("%1 ms").arg(timer.elapsed())));
    // After the backoff one call tries again, is refused, and stays quiet about it.
    QTest::qWait(300);
    QVERIFY(!client.command({"GET", "k"}, &error));
    QVERIFY(!error.contains(QLatin1String("unavailable (next try")));
    QCOMPARE(availability.size(), 1);

    QVERIFY2(redis.start(&error), qPrintable(error));
    QCOMPARE(redis.endpoint().port, ep.port);
    timer.restart();
    std::optional<RedisReply> r;
    QVERIFY2(waitUntil(
                 [&] {
                     r = client.command({"PING"});
                     return r.has_value();
                 },
                 8000),
             "no reconnection");
    QVERIFY2(timer.elapsed() <= 5500, qPrintable(QStringLiteral("%1 ms").arg(timer.elapsed())));
    QVERIFY(client.isAvailable());
    QCOMPARE(availability.size(), 2);
    QCOMPARE(availability.at(1).at(0).toBool(), true);
    QVERIFY(client.command({"SET", "k", "after"}));
    QCOMPARE(client.command({"GET", "k"})->string, QByteArray("after"));
}

void TestRedisClient::retryNowSkipsTheBackoff()
{
    TestRedis redis;
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    RedisClient client(redis.endpoint());
    QSignalSpy availability(&client, &RedisClient::availabilityChanged);
    QVERIFY(client.command({"PING"}));
    redis.stop();
    // Run the backoff up to its 5 s ceiling: a plain retry would wait that long.
    for (int i = 0; i < 8; ++i) {
        client.retryNow();
        QVERIFY(!client.command({"PING"}));
    }
    QVERIFY(!client.command({"PING"}, &error));
    QVERIFY2(error.contains(QLatin1String("unavailable")), qPrintable(error));
    QVERIFY2(redis.start(&error), qPrintable(error));
    QVERIFY(!client.command({"PING"})); // still backing off
    client.retryNow();
    const auto r = client.command({"PING"}, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->string, QByteArray("PONG"));
    QCOMPARE(availability.size(), 2);
    QCOMPARE(availability.at(0).at(0).toBool(), false);
    QCOMPARE(availability.at(1).at(0).toBool(), true);
}

void TestRedisClient::restartIsNoticedOnceAcrossThreads()
{
    // Every thread has its own connection; after a restart each of them is dead. Once one
    // thread has found that out and the client has reconnected, another thread's old
    // connection must not fail its call and report the cache away a second time.
    TestRedis redis;
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    RedisClient client(redis.endpoint());
    QSignalSpy availability(&client, &RedisClient::availabilityChanged);
    QThread other;
    other.start();
    QObject worker;
    worker.moveToThread(&other);
    const auto stopOther = qScopeGuard([&] {
        other.quit();
        other.wait();
    });
    auto onOther = [&](const QList<QByteArray> &args, QString *why) {
        std::optional<RedisReply> r;
        QMetaObject::invokeMethod(
            &worker, [&] { r = client.command(args, why); }, Qt::BlockingQueuedConnection);
        return r;
    };
    QVERIFY(client.command({"PING"}));
    QVERIFY(onOther({"PING"}, &error)); // both threads hold a connection now

    redis.stop();
    QVERIFY2(redis.start(&error), qPrintable(error));
    QVERIFY(!client.command({"PING"})); // this thread finds its connection dead
    QCOMPARE(availability.size(), 1);
    client.retryNow();
    QVERIFY2(client.command({"PING"}, &error), qPrintable(error));
    QCOMPARE(availability.size(), 2);

    const auto r = onOther({"PING"}, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->string, QByteArray("PONG"));
    QCOMPARE(availability.size(), 2);
    QVERIFY(client.isAvailable());
}

void TestRedisClient::malformedReplies_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<bool>("closeAfter");
    QTest::newRow("unknown type byte") << QByteArray("?what\r\n") << false;
    QTest::newRow("bulk length lies (too long, then silence)")
        << QByteArray("$100\r\nshort\r\n") << false;
    QTest::newRow("bulk length is not a number") << QByteArray("$abc\r\nxyz\r\n") << false;
    QTest::newRow("closed mid-reply") << QByteArray("$10\r\nabc") << true;
    QTest::newRow("array shorter than announced") << QByteArray("*3\r\n:1\r\n$1\r\na\r\n") << true;
    QTest::newRow("closed without a reply") << QByteArray() << true;
    QTest::newRow("no line end, then silence") << QByteArray("+OK") << false;
    // Two answers to one command: taking the first would hand the second to the next command.
    QTest::newRow("more than one reply") << QByteArray("+OK\r\n:1\r\n") << false;
}

void TestRedisClient::malformedReplies()
{
    QFETCH(QByteArray, reply);
    QFETCH(bool, closeAfter);
    FakeRedis fake(reply, closeAfter);
    QVERIFY(fake.listen());
    RedisEndpoint ep;
    ep.host = QStringLiteral("127.0.0.1");
    ep.port = fake.port();
    ep.commandTimeoutMs = 300;
    RedisClient client(ep);
    QSignalSpy availability(&client, &RedisClient::availabilityChanged);

    QElapsedTimer timer;
    timer.start();
    QString error;
    const auto r = client.command({"GET", "k"}, &error);
    QVERIFY2(!r, r ? qPrintable(QStringLiteral("accepted a reply of type %1: %2")
                                    .arg(int(r->type))
                                    .arg(QString::fromUtf8(r->string)))
                   : "");
    QVERIFY(!error.isEmpty());
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QStringLiteral("%1 ms").arg(timer.elapsed())));
    QCOMPARE(fake.commands(), 1);
    // The connection is broken: dropped and the server marked away.
    QVERIFY(!client.isAvailable());
    QCOMPARE(availability.size(), 1);

    // Once the server behaves, the same client opens a new connection and works.
    fake.setReply("+PONG\r\n", false);
    client.retryNow();
    const auto ok = client.command({"PING"}, &error);
    QVERIFY2(ok, qPrintable(error));
    QCOMPARE(ok->string, QByteArray("PONG"));
    QCOMPARE(fake.connections(), 2);
    QVERIFY(client.isAvailable());

    // And a client pointed at the real server is unaffected.
    RedisClient real(endpoint());
    const auto pong = real.command({"PING"}, &error);
    QVERIFY2(pong, qPrintable(error));
    QCOMPARE(pong->string, QByteArray("PONG"));
}

void TestRedisClient::malformedReplyInAPipeline()
{
    FakeRedis fake("+OK\r\n", false);
    QVERIFY(fake.listen());
    RedisEndpoint ep;
    ep.port = fake.port();
    ep.commandTimeoutMs = 300;
    RedisClient client(ep);
    auto replies = client.pipeline({{"SET", "a", "1"}, {"SET", "b", "2"}});
    QVERIFY(replies);
    QCOMPARE(replies->size(), 2);

    fake.setReply("+OK\r\n!garbage\r\n", false); // the second half of each answer is bad
    QString error;
    replies = client.pipeline({{"SET", "a", "1"}, {"SET", "b", "2"}, {"SET", "c", "3"}}, &error);
    QVERIFY(!replies); // all or nothing: a half-read pipeline is no answer
    QVERIFY(!error.isEmpty());
    QVERIFY(!client.isAvailable());
}

void TestRedisClient::serverVersion()
{
    RedisConnection c;
    QVERIFY2(c.connect(m_redis.endpoint()), qPrintable(c.error()));
    const auto v = c.serverVersion();
    QVERIFY(v);
    QCOMPARE(v->first, QStringLiteral("redis"));
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\.\\d+\\.\\d+$")).match(v->second).hasMatch(),
             qPrintable(v->second));
}

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
