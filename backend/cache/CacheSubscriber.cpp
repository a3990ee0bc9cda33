#include "CacheSubscriber.h"

#include "core/Logging.h"
#include "events/EventBus.h"

#include <QElapsedTimer>
#include <cerrno>
#include <hiredis/hiredis.h>
#include <poll.h>

namespace Revenge {

CacheSubscriber::CacheSubscriber(RedisEndpoint endpoint, EventBus *bus, QObject *parent)
    : QThread(parent)
    , m_endpoint(std::move(endpoint))
    , m_bus(bus)
{
    setObjectName(QStringLiteral("cache-subscriber"));
}

CacheSubscriber::~CacheSubscriber()
{
    stop();
}

void CacheSubscriber::stop()
{
    m_stop = true;
    wait();
    m_stop = false; // start() may run it again
}

void CacheSubscriber::run()
{
    int failures = 0;
    while (!m_stop) {
        if (listen())
            failures = 0;
        if (m_subscribed.exchange(false))
            Q_EMIT subscribedChanged(false);
        // Back off 0.25 s doubling to 5 s, in slices so that stop() is quick.
        const int delay = std::min(5000, 250 << std::min(failures++, 5));
        for (int waited = 0; waited < delay && !m_stop; waited += 50)
            msleep(50);
    }
}

bool CacheSubscriber::listen()
{
    RedisConnection connection;
    if (!connection.connect(m_endpoint))
        return false;
    redisContext *c = connection.context();
    // SUBSCRIBE is read by hand rather than with command(): messages may follow the
    // confirmation in the same read, and they stay in the reader for the loop below.
    void *raw = nullptr;
    if (redisAppendCommand(c, "SUBSCRIBE %s", EventBus::kChannel) != REDIS_OK ||
        redisGetReply(c, &raw) != REDIS_OK || !raw)
        return false;
    const auto *confirmation = static_cast<redisReply *>(raw);
    const bool ok = confirmation->type == REDIS_REPLY_ARRAY && confirmation->elements == 3 &&
                    confirmation->element[0]->type == REDIS_REPLY_STRING &&
                    qstrcmp(confirmation->element[0]->str, "subscribe") == 0;
    freeReplyObject(raw);
    if (!ok)
        return false;
    m_subscribed = true;
    Q_EMIT subscribedChanged(true);
    // A connection that silently died (a half-open TCP connection to a remote cache) delivers
    // nothing and reports nothing: after m_idleMs without traffic, PING; no answer within
    // m_pongMs means reconnect.
    QElapsedTimer quiet;
    quiet.start();
    bool pingSent = false;
    while (!m_stop) {
        // First whatever the reader already holds, then wait for more.
        raw = nullptr;
        while (redisGetReplyFromReader(c, &raw) == REDIS_OK && raw) {
            auto *reply = static_cast<redisReply *>(raw);
            quiet.restart();
            pingSent = false;
            // ["message", channel, payload]; anything else (e.g. our PING's "pong") is not for us.
            if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
                reply->element[0]->type == REDIS_REPLY_STRING &&
                qstrcmp(reply->element[0]->str, "message") == 0 &&
                reply->element[2]->type == REDIS_REPLY_STRING) {
                const QByteArray payload(reply->element[2]->str, int(reply->element[2]->len));
                if (auto event = Event::fromJson(payload))
                    m_bus->deliverRemote(*event);
                else
                    qCWarning(lcCache)
                        << "ignored a malformed event on" << EventBus::kChannel << payload.left(80);
            }
            freeReplyObject(reply);
            raw = nullptr;
        }
        if (c->err)
            return true; // protocol garbage; reconnect
        if (!pingSent && quiet.elapsed() > m_idleMs) {
            int done = 0;
            if (redisAppendCommand(c, "PING") != REDIS_OK)
                return true;
            while (!done)
                if (redisBufferWrite(c, &done) != REDIS_OK)
                    return true;
            pingSent = true;
            quiet.restart();
        } else if (pingSent && quiet.elapsed() > m_pongMs) {
            qCWarning(lcCache) << "the event subscription stopped answering; reconnecting";
            return true;
        }
        pollfd pfd{c->fd, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, 250);
        if (ready < 0) {
            if (errno == EINTR)
                continue; // a signal, not a failure
            return true;
        }
        if (ready == 0)
            continue;
        if (redisBufferRead(c) != REDIS_OK)
            return true; // the server went away; reconnect
    }
    return true;
}

} // namespace Revenge
