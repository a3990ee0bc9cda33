#include "RedisConnection.h"

#include <hiredis/hiredis.h>
#include <vector>

namespace Revenge {

namespace {

timeval toTimeval(int ms)
{
    return timeval{ms / 1000, (ms % 1000) * 1000};
}

RedisReply convert(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.string = QByteArray(r->str, int(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.string = QByteArray(r->str, int(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.string = QByteArray(r->str, int(r->len));
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    default:
        out.type = RedisReply::Type::Nil;
    }
    return out;
}

// Whether the reader holds bytes beyond the replies we asked for. A server answers each command
// exactly once; anything more means the stream is out of step, and the next command would take
// this data for its own answer.
bool hasUnreadData(const redisContext *c)
{
    return c->reader && c->reader->pos < c->reader->len;
}

const QString kOutOfStep =
    QStringLiteral("protocol error: unexpected data after the reply (connection out of step)");

} // namespace

QVariant RedisReply::toVariant() const
{
    switch (type) {
    case Type::Nil:
        return {};
    case Type::Integer:
        return integer;
    case Type::Array: {
        QVariantList list;
        for (const auto &e : elements)
            list.append(e.toVariant());
        return list;
    }
    default:
        return string;
    }
}

void RedisConnection::ContextDeleter::operator()(redisContext *c) const
{
    redisFree(c);
}

RedisConnection::RedisConnection() = default;
RedisConnection::~RedisConnection() = default;

bool RedisConnection::isConnected() const
{
    return m_ctx && m_ctx->err == 0;
}

void RedisConnection::disconnect()
{
    m_ctx.reset();
}

bool RedisConnection::connect(const RedisEndpoint &ep)
{
    m_ctx.reset();
    m_error.clear();
    const timeval tv = toTimeval(ep.connectTimeoutMs);
    redisContext *ctx =
        ep.host.startsWith(QLatin1Char('/'))
            ? redisConnectUnixWithTimeout(ep.host.toLocal8Bit().constData(), tv)
            : redisConnectWithTimeout(ep.host.toLocal8Bit().constData(), ep.port, tv);
    if (!ctx) {
        m_error = QStringLiteral("out of memory creating a Redis context");
        return false;
    }
    m_ctx.reset(ctx);
    if (ctx->err) {
        m_error = QStringLiteral("cannot connect to %1:%2: %3")
                      .arg(ep.host)
                      .arg(ep.port)
                      .arg(QString::fromLocal8Bit(ctx->errstr));
        m_ctx.reset();
        return false;
    }
    redisSetTimeout(ctx, toTimeval(ep.commandTimeoutMs));
    if (!ep.password.isEmpty()) {
        auto r = command({"AUTH", ep.password.toUtf8()});
        if (!r || r->isError()) {
            m_error =
                r ? QStringLiteral("authentication failed: %1").arg(QString::fromUtf8(r->string))
                  : m_error;
            m_ctx.reset();
            return false;
        }
    }
    if (ep.db != 0) {
        auto r = command({"SELECT", QByteArray::number(ep.db)});
        if (!r || r->isError()) {
            m_error = r ? QStringLiteral("cannot select db %1: %2")
                              .arg(ep.db)
                              .arg(QString::fromUtf8(r->string))
                        : m_error;
            m_ctx.reset();
            return false;
        }
    }
    return true;
}

std::optional<RedisReply> RedisConnection::command(const QList<QByteArray> &args)
{
    if (!m_ctx) {
        m_error = QStringLiteral("not connected");
        return std::nullopt;
    }
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    argv.reserve(size_t(args.size()));
    lens.reserve(size_t(args.size()));
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lens.push_back(size_t(a.size()));
    }
    auto *reply = static_cast<redisReply *>(
        redisCommandArgv(m_ctx.get(), int(argv.size()), argv.data(), lens.data()));
    if (!reply) {
        m_error = QString::fromLocal8Bit(m_ctx->errstr);
        m_ctx.reset(); // a context with an error cannot be used again
        return std::nullopt;
    }
    RedisReply out = convert(reply);
    freeReplyObject(reply);
    if (hasUnreadData(m_ctx.get())) {
        m_error = kOutOfStep;
        m_ctx.reset();
        return std::nullopt;
    }
    return out;
}

std::optional<QList<RedisReply>> RedisConnection::pipeline(const QList<QList<QByteArray>> &commands)
{
    if (!m_ctx) {
        m_error = QStringLiteral("not connected");
        return std::nullopt;
    }
    for (const QList<QByteArray> &args : commands) {
        std::vector<const char *> argv;
        std::vector<size_t> lens;
        for (const QByteArray &a : args) {
            argv.push_back(a.constData());
            lens.push_back(size_t(a.size()));
        }
        if (redisAppendCommandArgv(m_ctx.get(), int(argv.size()), argv.data(), lens.data()) !=
            REDIS_OK) {
            m_error = QString::fromLocal8Bit(m_ctx->errstr);
            m_ctx.reset();
            return std::nullopt;
        }
    }
    QList<RedisReply> replies;
    replies.reserve(commands.size());
    for (qsizetype i = 0; i < commands.size(); ++i) {
        void *raw = nullptr;
        if (redisGetReply(m_ctx.get(), &raw) != REDIS_OK || !raw) {
            m_error = QString::fromLocal8Bit(m_ctx->errstr);
            m_ctx.reset();
            return std::nullopt;
        }
        auto *reply = static_cast<redisReply *>(raw);
        replies.append(convert(reply));
        freeReplyObject(reply);
    }
    if (hasUnreadData(m_ctx.get())) {
        m_error = kOutOfStep;
        m_ctx.reset();
        return std::nullopt;
    }
    return replies;
}

std::optional<std::pair<QString, QString>> RedisConnection::serverVersion()
{
    auto r = command({"INFO", "server"});
    if (!r || r->type != RedisReply::Type::String)
        return std::nullopt;
    QString name = QStringLiteral("redis");
    QString version;
    for (const QByteArray &line : r->string.split('\n')) {
        const QByteArray l = line.trimmed();
        if (l.startsWith("dragonfly_version:")) {
            name = QStringLiteral("dragonfly");
            version = QString::fromUtf8(l.mid(18));
        } else if (l.startsWith("redis_version:") && version.isEmpty()) {
            version = QString::fromUtf8(l.mid(14));
        }
    }
    return std::make_pair(name, version);
}

} // namespace Revenge
