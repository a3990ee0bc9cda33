#include "RedisClient.h"

#include "core/Logging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <memory>

namespace Revenge {

namespace {

std::atomic<int> g_nextClientId{1};

// One of this thread's connections, and the client's failure count when it was opened.
struct ThreadConnection
{
    std::shared_ptr<RedisConnection> connection;
    quint64 generation = 0;
};

// This thread's connections, one per client. Closed when the thread exits.
thread_local QHash<int, ThreadConnection> t_connections;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

RedisScript::RedisScript(QByteArray source_)
    : source(std::move(source_))
    , sha1(QCryptographicHash::hash(source, QCryptographicHash::Sha1).toHex())
{}

RedisClient::RedisClient(RedisEndpoint endpoint, QObject *parent)
    : RedisClient(parent)
{
    setEndpoint(std::move(endpoint));
}

RedisClient::RedisClient(QObject *parent)
    : QObject(parent)
    , m_id(g_nextClientId++)
{}

RedisEndpoint RedisClient::endpoint() const
{
    QMutexLocker lock(&m_endpointMutex);
    return m_endpoint;
}

void RedisClient::setEndpoint(RedisEndpoint endpoint)
{
    // A connect never takes longer than a command may.
    endpoint.connectTimeoutMs = std::min(endpoint.connectTimeoutMs, endpoint.commandTimeoutMs);
    {
        QMutexLocker lock(&m_endpointMutex);
        m_endpoint = std::move(endpoint);
    }
    m_configured = true;
    ++m_generation; // connections to the old address are dropped on their next use
    m_downUntilMs.store(0);
}

RedisClient::~RedisClient()
{
    t_connections.remove(m_id);
}

RedisConnection *RedisClient::connectionForThisThread(QString *error)
{
    auto &slot = t_connections[m_id];
    // A connection opened before the client last saw the server fail is most likely dead too
    // (the server restarted): open a new one rather than fail a call, and report the server
    // away a second time, on every thread in turn.
    if (slot.connection && slot.connection->isConnected() && slot.generation == m_generation.load())
        return slot.connection.get();
    slot.connection.reset();
    const qint64 now = nowMs();
    if (now < m_downUntilMs.load()) {
        if (error)
            *error = QStringLiteral("the cache is unavailable (next try in %1 ms)")
                         .arg(m_downUntilMs.load() - now);
        return nullptr;
    }
    if (!m_configured.load()) {
        if (error)
            *error = QStringLiteral("the cache is unavailable (its address is not known yet)");
        return nullptr;
    }
    auto connection = std::make_shared<RedisConnection>();
    const quint64 generation = m_generation.load();
    if (!connection->connect(endpoint())) {
        markDown(connection->error());
        if (error)
            *error = connection->error();
        return nullptr;
    }
    slot = {connection, generation};
    markUp();
    return connection.get();
}

void RedisClient::markDown(const QString &why)
{
    ++m_generation;
    const int failures = ++m_failures;
    const int backoff = std::min(5000, 250 << std::min(failures - 1, 5));
    m_downUntilMs.store(nowMs() + backoff);
    if (m_available.exchange(false)) {
        qCWarning(lcCache).noquote()
            << "cache unavailable:" << why << "- falling back until it returns";
        Q_EMIT availabilityChanged(false);
    }
}

void RedisClient::markUp()
{
    m_failures.store(0);
    m_downUntilMs.store(0);
    if (!m_available.exchange(true)) {
        qCInfo(lcCache) << "cache available again";
        Q_EMIT availabilityChanged(true);
    }
}

std::optional<RedisReply> RedisClient::command(const QList<QByteArray> &args, QString *error)
{
    RedisConnection *c = connectionForThisThread(error);
    if (!c)
        return std::nullopt;
    auto reply = c->command(args);
    if (!reply) {
        // A broken connection (server restarted, protocol garbage): the next call reconnects.
        const QString why = c->error();
        t_connections.remove(m_id);
        markDown(why);
        if (error)
            *error = why;
    }
    return reply;
}

std::optional<QList<RedisReply>> RedisClient::pipeline(const QList<QList<QByteArray>> &commands,
                                                       QString *error)
{
    RedisConnection *c = connectionForThisThread(error);
    if (!c)
        return std::nullopt;
    auto replies = c->pipeline(commands);
    if (!replies) {
        const QString why = c->error();
        t_connections.remove(m_id);
        markDown(why);
        if (error)
            *error = why;
    }
    return replies;
}

std::optional<RedisReply> RedisClient::eval(const RedisScript &script,
                                            const QList<QByteArray> &keys,
                                            const QList<QByteArray> &args, QString *error)
{
    QList<QByteArray> call{"EVALSHA", script.sha1, QByteArray::number(keys.size())};
    call += keys;
    call += args;
    auto reply = command(call, error);
    if (reply && reply->isError() && reply->string.startsWith("NOSCRIPT")) {
        call[0] = "EVAL";
        call[1] = script.source;
        reply = command(call, error);
    }
    return reply;
}

} // namespace Revenge
