#include "EventBus.h"

#include "cache/RedisClient.h"

#include <QJsonDocument>

namespace Revenge {

QByteArray Event::toJson() const
{
    return QJsonDocument(
               QJsonObject{{QStringLiteral("type"), type},
                           {QStringLiteral("data"), data},
                           {QStringLiteral("origin"), origin},
                           {QStringLiteral("at"), at.toUTC().toString(Qt::ISODateWithMs)}})
        .toJson(QJsonDocument::Compact);
}

std::optional<Event> Event::fromJson(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    if (!o.value(QStringLiteral("type")).isString() ||
        o.value(QStringLiteral("type")).toString().isEmpty())
        return std::nullopt;
    return Event{
        o.value(QStringLiteral("type")).toString(), o.value(QStringLiteral("data")).toObject(),
        o.value(QStringLiteral("origin")).toString(),
        QDateTime::fromString(o.value(QStringLiteral("at")).toString(), Qt::ISODateWithMs)};
}

EventBus::EventBus(QString instanceId, QObject *parent)
    : QObject(parent)
    , m_instanceId(std::move(instanceId))
{
    qRegisterMetaType<Revenge::Event>();
    m_sender.setMaxThreadCount(1);
    m_sender.setExpiryTimeout(-1);
}

void EventBus::publish(const QString &type, const QJsonObject &data)
{
    const Event e{type, data, m_instanceId, QDateTime::currentDateTimeUtc()};
    Q_EMIT event(e);
    // Best effort: local delivery happened. Not gated on isAvailable(): that only turns true
    // again when a call gets through, and while the cache is away the client fails calls at
    // once until its backoff lets one try again.
    // Under the mutex, so that detachCache() cannot slip between reading the client and queueing
    // the send (the send would then outlive the client).
    QMutexLocker lock(&m_sendMutex);
    RedisClient *cache = m_cache.load();
    if (!cache)
        return;
    // Bounded; but cache invalidations are never dropped: a lost one leaves other processes
    // serving stale responses, a lost progress update is replaced by the next.
    if (m_queued.load() >= kMaxQueued && !type.startsWith(QLatin1String("cache.")))
        return;
    ++m_queued;
    m_sender.start([this, payload = e.toJson()] {
        if (RedisClient *c = m_cache.load())
            c->command({"PUBLISH", kChannel, payload});
        --m_queued;
    });
}

void EventBus::attachCache(RedisClient *client)
{
    QMutexLocker lock(&m_sendMutex);
    m_cache.store(client);
}

void EventBus::detachCache()
{
    {
        QMutexLocker lock(&m_sendMutex);
        m_cache.store(nullptr);
        m_sender.clear(); // queued sends are dropped: shutdown must not wait on a slow cache
    }
    m_sender.waitForDone();
    m_queued.store(0);
}

EventBus::~EventBus()
{
    detachCache();
}

void EventBus::deliverRemote(const Event &e)
{
    if (e.origin == m_instanceId)
        return; // our own, already delivered locally
    Q_EMIT event(e);
}

} // namespace Revenge
