#pragma once

#include "RedisConnection.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>
#include <atomic>
#include <optional>

namespace Revenge {

// A Lua script run with EVALSHA (EVAL once when the server does not know it yet). Scripts
// declare every key they touch in KEYS, as Dragonfly requires.
struct RedisScript
{
    explicit RedisScript(QByteArray source);
    QByteArray source;
    QByteArray sha1; // hex
};

// The cache client everything else uses. Thread-safe: each thread talks over its own hiredis
// connection (a context is not thread-safe), opened on first use. Errors are values.
//
// When the server goes away the client marks it down and, for a backoff window (0.25 s doubling
// to 5 s), fails calls at once instead of letting every caller wait for a connect timeout; then
// one call tries again. A caller never waits longer than the command timeout. availability
// changes are announced once per change.
class RedisClient : public QObject
{
    Q_OBJECT

public:
    explicit RedisClient(RedisEndpoint endpoint, QObject *parent = nullptr);
    // A client whose server is not known yet (the managed cache picks its port as it starts):
    // calls fail fast as "unavailable" until setEndpoint().
    explicit RedisClient(QObject *parent = nullptr);
    ~RedisClient() override;

    RedisEndpoint endpoint() const;
    // Points the client at a (new) server; every thread reconnects on its next call.
    void setEndpoint(RedisEndpoint endpoint);

    std::optional<RedisReply> command(const QList<QByteArray> &args, QString *error = nullptr);
    // One round trip for several commands; replies in order.
    std::optional<QList<RedisReply>> pipeline(const QList<QList<QByteArray>> &commands,
                                              QString *error = nullptr);
    std::optional<RedisReply> eval(const RedisScript &script, const QList<QByteArray> &keys,
                                   const QList<QByteArray> &args, QString *error = nullptr);

    // The last thing we know: false while the server is unreachable.
    bool isAvailable() const { return m_available.load(); }
    // Forget the backoff and try on the next call (tests, and "the managed cache restarted").
    void retryNow() { m_downUntilMs.store(0); }

Q_SIGNALS:
    void availabilityChanged(bool available);

private:
    RedisConnection *connectionForThisThread(QString *error);
    void markDown(const QString &why);
    void markUp();

    mutable QMutex m_endpointMutex;
    RedisEndpoint m_endpoint;
    std::atomic<bool> m_configured{false};
    const int m_id;
    std::atomic<bool> m_available{true};
    std::atomic<qint64> m_downUntilMs{0};
    std::atomic<int> m_failures{0};
    std::atomic<quint64> m_generation{0}; // failures seen so far; see connectionForThisThread()
};

} // namespace Revenge
