#pragma once

#include "RedisConnection.h"

#include <QThread>
#include <atomic>

namespace Revenge {

class EventBus;

// Listens to the cache's pub/sub channel on a connection and thread of its own and hands what
// other processes publish to the local EventBus. Reconnects with backoff when the cache goes
// away; stop() returns within about a quarter second.
class CacheSubscriber : public QThread
{
    Q_OBJECT

public:
    CacheSubscriber(RedisEndpoint endpoint, EventBus *bus, QObject *parent = nullptr);
    ~CacheSubscriber() override;

    void stop();
    RedisEndpoint endpoint() const { return m_endpoint; }
    // After idleMs without traffic the subscriber PINGs; no answer within pongMs: reconnect.
    // Before start(). (30 s / 5 s by default; tests shorten them.)
    void setKeepAlive(int idleMs, int pongMs)
    {
        m_idleMs = idleMs;
        m_pongMs = pongMs;
    }
    bool isSubscribed() const { return m_subscribed.load(); }

Q_SIGNALS:
    void subscribedChanged(bool subscribed);

protected:
    void run() override;

private:
    bool listen(); // one connection's life; false when it broke

    RedisEndpoint m_endpoint;
    EventBus *m_bus;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_subscribed{false};
    int m_idleMs = 30000;
    int m_pongMs = 5000;
};

} // namespace Revenge
