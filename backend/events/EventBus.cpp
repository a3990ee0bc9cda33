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
    RedisClient *cache = m_cache.load();
    if (!cache)
        return;
    if (m_queued.load() >= kMaxQueued)
        return;
    ++m_queued;
    m_sender.start([this, cache, payload = e.toJson()] {
        cache->command({"PUBLISH", kChannel, payload});
        --m_queued;
    });
}

void EventBus::detachCache()
{
    m_cache.store(nullptr);
    m_sender.waitForDone();
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
