#include "RateLimiter.h"

#include "RedisClient.h"
#include "core/Logging.h"

#include <QDateTime>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>
#include <vector>

namespace Revenge {

namespace {

// GCRA on the server. Times are microseconds; Lua numbers are doubles, exact for integers up to
// 2^53 (~285 years of microseconds since 1970), so the TAT is stored as a plain integer string:
// Lua's tostring would print it as "%.14g" and lose the last digits.
//
// KEYS[1]  the key's TAT (revenge:rl:<policy>:<key>)
// ARGV[1]  emission interval T in µs (1e6 / rate)
// ARGV[2]  burst tolerance in µs (burst · T)
// ARGV[3]  cost
// ARGV[4]  the caller's wall clock in µs, used only if the server's TIME is unusable
// Returns {allowed 0/1, remaining, retry-after ms, reset-after ms}.
//
// TIME is non-deterministic; since Redis 5 scripts replicate their effects (the SET), not the
// script, so a write after TIME is fine (on older servers redis.replicate_commands() opts in).
// Dragonfly has been seen answering TIME with {0, 0} inside scripts (dragonfly#2555): a frozen
// clock would never refill, so the caller's clock stands in for an implausible one (anything
// before 2001-09-09, 1e15 µs).
const RedisScript kGcraScript(R"lua(
if redis.replicate_commands then pcall(redis.replicate_commands) end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if now < 1000000000000000 then now = tonumber(ARGV[4]) end
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then tat = math.max(tonumber(stored) or now, now) end
local newTat = tat + cost * interval
local allowAt = newTat - tolerance
if now < allowAt then
  local remaining = math.max(0, math.floor((tolerance - (tat - now)) / interval + 1e-6))
  return {0, remaining, math.ceil((allowAt - now) / 1000), math.ceil((tat - now) / 1000)}
end
local resetMs = math.ceil((newTat - now) / 1000)
if cost > 0 and resetMs > 0 then
  redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', resetMs)
end
local remaining = math.max(0, math.floor((tolerance - (newTat - now)) / interval + 1e-6))
return {1, remaining, 0, resetMs}
)lua");

double steadyNowUs()
{
    return double(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

std::chrono::milliseconds ceilMs(double us)
{
    return std::chrono::milliseconds(qint64(std::ceil(std::max(0.0, us) / 1000.0)));
}

double intervalUs(const RateLimiter::Limit &limit)
{
    return 1e6 / limit.ratePerSecond;
}

int remainingFor(double tolerance, double ahead, double interval)
{
    return int(std::max(0.0, std::floor((tolerance - ahead) / interval + 1e-6)));
}

} // namespace

qint64 RateLimiter::Decision::retryAfterSeconds() const
{
    if (allowed)
        return 0;
    return std::max<qint64>(1, (retryAfter.count() + 999) / 1000);
}

RateLimiter::RateLimiter(RedisClient *cache, int maxLocalKeys)
    : m_cache(cache)
    , m_maxLocalKeys(std::max(16, maxLocalKeys))
{
    setPolicy(QStringLiteral("api"), {10.0, 20});
    setPolicy(QStringLiteral("auth"), {1.0, 5});
}

RateLimiter::~RateLimiter() = default;

bool RateLimiter::setPolicy(const QString &name, Limit limit, QString *error)
{
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9_.-]+$"));
    QString why;
    if (!validName.match(name).hasMatch())
        why = QStringLiteral("rate-limit policy name \"%1\" is invalid (use letters, digits, "
                             "'_', '.', '-')")
                  .arg(name);
    else if (!std::isfinite(limit.ratePerSecond) || limit.ratePerSecond <= 0)
        why = QStringLiteral("rate-limit policy \"%1\": the rate must be greater than 0 per "
                             "second (got %2)")
                  .arg(name)
                  .arg(limit.ratePerSecond);
    else if (limit.burst < 1)
        why = QStringLiteral("rate-limit policy \"%1\": the burst must be at least 1 (got %2)")
                  .arg(name)
                  .arg(limit.burst);
    else if (double(limit.burst) / limit.ratePerSecond >
             double(std::chrono::duration_cast<std::chrono::seconds>(kMaxWindow).count()))
        why = QStringLiteral("rate-limit policy \"%1\": burst %2 at %3/s takes longer than %4 "
                             "days to refill")
                  .arg(name)
                  .arg(limit.burst)
                  .arg(limit.ratePerSecond)
                  .arg(kMaxWindow.count() / 24);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    QWriteLocker lock(&m_policyLock);
    m_policies.insert(name, limit);
    return true;
}

std::optional<RateLimiter::Limit> RateLimiter::policy(const QString &name) const
{
    QReadLocker lock(&m_policyLock);
    auto it = m_policies.constFind(name);
    if (it == m_policies.cend())
        return std::nullopt;
    return *it;
}

RateLimiter::Decision RateLimiter::check(const QString &policyName, const QString &key, int cost)
{
    const std::optional<Limit> limit = policy(policyName);
    if (!limit) {
        QWriteLocker lock(&m_policyLock);
        if (!m_warnedPolicies.contains(policyName)) {
            m_warnedPolicies.insert(policyName);
            qCWarning(lcCache).noquote()
                << "rate limiting: no policy named" << policyName << "- requests pass unlimited";
        }
        return Decision{};
    }
    cost = std::max(0, cost);
    if (cost > limit->burst) {
        // Could never pass; a fixed answer keeps the key untouched for the requests that can.
        Decision d;
        d.allowed = false;
        d.limit = limit->burst;
        d.retryAfter = d.resetAfter = ceilMs(intervalUs(*limit) * limit->burst);
        d.degraded = m_degraded.load();
        return d;
    }

    if (m_cache) {
        // Always ask the client, even while it reports the cache down: during its backoff it
        // fails at once, and afterwards this call is what notices that the cache is back.
        QString error;
        if (auto d = checkRemote(policyName, key, *limit, cost, &error)) {
            noteDegraded(false, {});
            return *d;
        }
        noteDegraded(true, error);
    } else if (!m_degraded.load()) {
        m_degraded.store(true);
    }
    return checkLocal(policyName, key, *limit, cost);
}

std::optional<RateLimiter::Decision> RateLimiter::checkRemote(const QString &policy,
                                                              const QString &key,
                                                              const Limit &limit, int cost,
                                                              QString *error)
{
    const double interval = intervalUs(limit);
    const QByteArray cacheKey = "revenge:rl:" + policy.toUtf8() + ':' + key.toUtf8();
    const qint64 wallUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    auto reply = m_cache->eval(kGcraScript, {cacheKey},
                               {QByteArray::number(interval, 'f', 3),
                                QByteArray::number(interval * limit.burst, 'f', 3),
                                QByteArray::number(cost), QByteArray::number(wallUs)},
                               error);
    if (!reply)
        return std::nullopt;
    if (reply->isError()) {
        *error =
            QStringLiteral("rate-limit script failed: %1").arg(QString::fromUtf8(reply->string));
        return std::nullopt;
    }
    const auto &e = reply->elements;
    if (reply->type != RedisReply::Type::Array || e.size() != 4 ||
        std::any_of(e.cbegin(), e.cend(),
                    [](const RedisReply &r) { return r.type != RedisReply::Type::Integer; })) {
        *error = QStringLiteral("rate-limit script gave an unexpected reply");
        return std::nullopt;
    }
    Decision d;
    d.allowed = e[0].integer == 1;
    d.remaining = int(std::clamp<qint64>(e[1].integer, 0, limit.burst));
    d.retryAfter = std::chrono::milliseconds(std::max<qint64>(0, e[2].integer));
    d.resetAfter = std::chrono::milliseconds(std::max<qint64>(0, e[3].integer));
    d.limit = limit.burst;
    return d;
}

RateLimiter::Decision RateLimiter::checkLocal(const QString &policy, const QString &key,
                                              const Limit &limit, int cost)
{
    // Same arithmetic as the script, on the monotonic clock.
    const double interval = intervalUs(limit);
    const double tolerance = interval * limit.burst;
    const QString localKey = policy + QLatin1Char(':') + key;

    QMutexLocker lock(&m_localMutex);
    const double now = steadyNowUs();
    evictLocked(now);
    auto it = m_localTat.find(localKey);
    const double tat = it == m_localTat.end() ? now : std::max(*it, now);
    const double newTat = tat + cost * interval;
    const double allowAt = newTat - tolerance;

    Decision d;
    d.degraded = true;
    d.limit = limit.burst;
    if (now < allowAt) {
        d.allowed = false;
        d.remaining = remainingFor(tolerance, tat - now, interval);
        d.retryAfter = ceilMs(allowAt - now);
        d.resetAfter = ceilMs(tat - now);
        return d;
    }
    if (cost > 0) {
        if (it == m_localTat.end())
            m_localTat.insert(localKey, newTat);
        else
            *it = newTat;
    }
    d.remaining = remainingFor(tolerance, newTat - now, interval);
    d.resetAfter = ceilMs(newTat - now);
    return d;
}

void RateLimiter::evictLocked(double nowUs)
{
    // A key whose TAT has passed is at rest, exactly like an absent one: dropping it changes no
    // decision. Swept every 10 s, or at once when the table is full.
    const bool full = m_localTat.size() >= m_maxLocalKeys;
    if (!full && nowUs - m_lastSweepUs < 10e6)
        return;
    m_lastSweepUs = nowUs;
    m_localTat.removeIf([nowUs](const auto &entry) { return entry.value() <= nowUs; });
    if (m_localTat.size() < m_maxLocalKeys)
        return;

    // Still full of active keys (many clients at once): drop the 10% closest to rest. They lose
    // at most what remains of their refill, never more than one burst.
    std::vector<double> tats;
    tats.reserve(size_t(m_localTat.size()));
    for (auto it = m_localTat.cbegin(); it != m_localTat.cend(); ++it)
        tats.push_back(it.value());
    const size_t drop = size_t(m_localTat.size() - m_maxLocalKeys * 9 / 10);
    std::nth_element(tats.begin(), tats.begin() + qsizetype(drop - 1), tats.end());
    const double cutoff = tats[drop - 1];
    size_t dropped = 0;
    m_localTat.removeIf([&](const auto &entry) {
        if (dropped < drop && entry.value() <= cutoff) {
            ++dropped;
            return true;
        }
        return false;
    });
    if (nowUs - m_lastFullWarningUs >= 60e6) { // an attack would repeat it on every sweep
        m_lastFullWarningUs = nowUs;
        qCWarning(lcCache) << "in-process rate limiter full:" << dropped
                           << "keys dropped to stay within" << m_maxLocalKeys;
    }
}

void RateLimiter::noteDegraded(bool degraded, const QString &why)
{
    if (degraded) {
        if (!m_degraded.exchange(true))
            qCWarning(lcCache).noquote()
                << "rate limiting in-process (per process, not shared) until the cache is back:"
                << why;
        return;
    }
    // A plain load first: the common case (not degraded) then writes nothing shared.
    if (m_degraded.load() && m_degraded.exchange(false)) {
        qCInfo(lcCache) << "rate limiting through the cache again";
        // The in-process state is no longer consulted; free it.
        QMutexLocker lock(&m_localMutex);
        m_localTat.clear();
    }
}

int RateLimiter::localKeyCount() const
{
    QMutexLocker lock(&m_localMutex);
    return int(m_localTat.size());
}

} // namespace Revenge
