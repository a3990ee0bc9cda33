#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariant>
#include <memory>
#include <optional>

struct redisContext;

namespace Revenge {

// One reply of the Redis protocol, converted from hiredis' redisReply.
struct RedisReply
{
    enum class Type
    {
        Nil,
        Status,
        Error,
        Integer,
        String,
        Array
    };
    Type type = Type::Nil;
    QByteArray string; // Status, Error, String
    qint64 integer = 0;
    QList<RedisReply> elements;

    bool isError() const { return type == Type::Error; }
    QVariant toVariant() const;
};

struct RedisEndpoint
{
    QString host = QStringLiteral("127.0.0.1"); // or a unix socket path when it starts with '/'
    quint16 port = 6379;
    QString password;
    int db = 0;
    int connectTimeoutMs = 1000;
    int commandTimeoutMs = 1000;
};

// A blocking connection over hiredis. Not thread-safe: one per thread. Errors are values.
class RedisConnection
{
public:
    RedisConnection();
    ~RedisConnection();
    RedisConnection(const RedisConnection &) = delete;
    RedisConnection &operator=(const RedisConnection &) = delete;

    // Connects, authenticates and selects the db. False with error() on failure.
    bool connect(const RedisEndpoint &endpoint);
    bool isConnected() const;
    void disconnect();

    // Sends one command; nullopt on a connection/protocol error (see error()), a RedisReply of
    // type Error when the server answered with one.
    std::optional<RedisReply> command(const QList<QByteArray> &args);

    QString error() const { return m_error; }
    // The hiredis context, for the pub/sub reader (null when not connected).
    redisContext *context() const { return m_ctx.get(); }

    // Sends all commands, then reads all replies: one round trip. nullopt on a connection or
    // protocol error (the connection is then closed).
    std::optional<QList<RedisReply>> pipeline(const QList<QList<QByteArray>> &commands);

    // Server name and version from INFO server, e.g. {"redis", "7.0.15"} or {"dragonfly", "1.x"}.
    std::optional<std::pair<QString, QString>> serverVersion();

private:
    struct ContextDeleter
    {
        void operator()(redisContext *c) const;
    };
    std::unique_ptr<redisContext, ContextDeleter> m_ctx;
    QString m_error;
};

} // namespace Revenge
