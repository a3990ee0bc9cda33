#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <atomic>

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

    QString instanceId() const { return m_instanceId; }
    void attachCache(RedisClient *client) { m_cache.store(client); }
    void detachCache() { m_cache.store(nullptr); }

    void publish(const QString &type, const QJsonObject &data);
    // From the subscriber: an event another process published.
    void deliverRemote(const Event &event);

    static constexpr const char *kChannel = "revenge:events";

Q_SIGNALS:
    void event(const Revenge::Event &event);

private:
    QString m_instanceId;
    std::atomic<RedisClient *> m_cache{nullptr};
};

} // namespace Revenge

Q_DECLARE_METATYPE(Revenge::Event)
