#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <atomic>
#include <optional>

namespace Revenge {

class RedisClient;

// Something that happened: job or scan progress, a library change, playback progress, a
// notification. `origin` is the Revenge process that published it.
struct Event
{
    QString type; // e.g. "job.progress", "library.changed"
    QJsonObject data;
    QString origin;
    QDateTime at;

    QByteArray toJson() const;
    static std::optional<Event> fromJson(const QByteArray &json);
};

// The in-process event bus. publish() delivers to this process at once and, while a cache is
// attached and reachable, to every other Revenge process through the cache's pub/sub (their
// CacheSubscriber hands it to their bus). Without the cache events stay in-process: nothing
// fails. Thread-safe; event() is emitted on the publishing thread (or the subscriber's thread
// for remote events): receivers connect queued.
class EventBus : public QObject
{
    Q_OBJECT

public:
    explicit EventBus(QString instanceId, QObject *parent = nullptr);
    ~EventBus() override;

    QString instanceId() const { return m_instanceId; }
    void attachCache(RedisClient *client);
    // Stops sending to the cache and waits for sends in flight (before the client goes away).
    void detachCache();

    void publish(const QString &type, const QJsonObject &data);
    // From the subscriber: an event another process published.
    void deliverRemote(const Event &event);

    static constexpr const char *kChannel = "revenge:events";

Q_SIGNALS:
    void event(const Revenge::Event &event);

private:
    QString m_instanceId;
    std::atomic<RedisClient *> m_cache{nullptr};
    // Sends to the cache happen here, in order, so that publishing (e.g. from the job executor's
    // control thread) never waits for a network round trip. Bounded: when the cache is slow,
    // other processes miss events rather than this one growing without limit.
    QThreadPool m_sender;
    QMutex m_sendMutex;
    std::atomic<int> m_queued{0};
    static constexpr int kMaxQueued = 10000;
};

} // namespace Revenge

Q_DECLARE_METATYPE(Revenge::Event)
