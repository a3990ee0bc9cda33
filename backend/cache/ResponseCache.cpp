#include "ResponseCache.h"

#include "RedisClient.h"
#include "core/Logging.h"
#include "events/EventBus.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QtEndian>
#include <algorithm>
#include <deque>
#include <future>
#include <list>
#include <stdexcept>
#include <thread>

namespace Revenge {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kMagic[4] = {'R', 'V', 'R', 'C'};
constexpr char kFormatVersion = 1;
constexpr qsizetype kUnlinkChunk = 512;

QByteArray entryKey(const QString &key)
{
    // `tag:` and `gen:` name our bookkeeping keys and `~` marks an escaped key, so that the
    // mapping from cache keys to Redis keys stays one-to-one.
    QByteArray k(ResponseCache::kKeyPrefix);
    if (key.startsWith(QLatin1String("tag:")) || key.startsWith(QLatin1String("gen:")) ||
        key.startsWith(QLatin1Char('~')))
        k += '~';
    return k + key.toUtf8();
}

QByteArray tagKey(const QString &tag)
{
    return QByteArray(ResponseCache::kKeyPrefix) + "tag:" + tag.toUtf8();
}

QByteArray genKey(const QString &tag)
{
    return QByteArray(ResponseCache::kKeyPrefix) + "gen:" + tag.toUtf8();
}

// Random, never a counter: a generation key that expired or was evicted and is created again
// must not match a token an old entry carries.
QByteArray newToken()
{
    return QByteArray::number(QRandomGenerator::global()->generate64(), 16);
}

void appendU16(QByteArray &out, quint16 v)
{
    char b[2];
    qToBigEndian(v, b);
    out.append(b, 2);
}

// An entry in Redis: "RVRC" 0x01 | u16 tag count | per tag: u16 length, UTF-8 name, u8
// length, generation token | the value. The magic makes a value written by anything else a
// miss rather than garbage served to a client.
std::optional<QByteArray> encodeEntry(const QByteArray &value, const QStringList &tags,
                                      const QHash<QString, QByteArray> &tokens)
{
    if (tags.size() > 0xffff)
        return std::nullopt;
    QByteArray out;
    out.reserve(value.size() + 8 + tags.size() * 40);
    out.append(kMagic, 4);
    out.append(kFormatVersion);
    appendU16(out, quint16(tags.size()));
    for (const QString &tag : tags) {
        const QByteArray name = tag.toUtf8();
        const QByteArray token = tokens.value(tag);
        if (name.size() > 0xffff || token.isEmpty() || token.size() > 0xff)
            return std::nullopt;
        appendU16(out, quint16(name.size()));
        out.append(name);
        out.append(char(token.size()));
        out.append(token);
    }
    out.append(value);
    return out;
}

struct DecodedEntry
{
    QStringList tags;
    QList<QByteArray> tokens;
    QByteArray value;
};

std::optional<DecodedEntry> decodeEntry(const QByteArray &blob)
{
    const qsizetype n = blob.size();
    if (n < 7 || memcmp(blob.constData(), kMagic, 4) != 0 || blob.at(4) != kFormatVersion)
        return std::nullopt;
    const auto *p = reinterpret_cast<const uchar *>(blob.constData());
    qsizetype at = 5;
    const quint16 count = qFromBigEndian<quint16>(p + at);
    at += 2;
    DecodedEntry e;
    for (int i = 0; i < count; ++i) {
        if (at + 2 > n)
            return std::nullopt;
        const quint16 nameLen = qFromBigEndian<quint16>(p + at);
        at += 2;
        if (at + nameLen + 1 > n)
            return std::nullopt;
        e.tags.append(QString::fromUtf8(blob.constData() + at, nameLen));
        at += nameLen;
        const int tokenLen = p[at++];
        if (tokenLen == 0 || at + tokenLen > n)
            return std::nullopt;
        e.tokens.append(blob.mid(at, tokenLen));
        at += tokenLen;
    }
    e.value = blob.mid(at);
    return e;
}

void warnMalformed(const QString &key, const char *why)
{
    // At most one line per 10 s: a hot malformed key must not flood the log.
    static std::atomic<qint64> last{0};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 previous = last.load();
    if (now - previous < 10000 || !last.compare_exchange_strong(previous, now))
        return;
    qCWarning(lcCache).noquote()
        << QStringLiteral(
               "response cache: ignoring a malformed entry for %1 (%2): treated as a miss")
               .arg(key, QString::fromUtf8(why));
}

QStringList stringsOf(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray())
        if (s.isString())
            out.append(s.toString());
    return out;
}

bool isOk(const RedisReply &r)
{
    return r.type == RedisReply::Type::Status && r.string == "OK";
}

} // namespace

// ---- L1: the in-process LRU ---------------------------------------------------------------

struct ResponseCache::L1
{
    struct Node
    {
        QString key;
        QByteArray value;
        QStringList tags;
        Clock::time_point expires;
        qint64 bytes = 0;
    };
    using List = std::list<Node>;

    // What was dropped recently, numbered. A value read (from L2 or compute) before an
    // invalidation that concerns it must not enter L1 after that invalidation ran: inserts carry
    // the sequence number seen before the read and are refused when a later drop matches.
    struct Drop
    {
        enum class Kind
        {
            All,
            Tag,
            Key
        };
        quint64 seq;
        Kind kind;
        QString name;
    };
    static constexpr size_t kHistory = 1024;

    L1(qsizetype maxEntries, qint64 maxBytes)
        : m_maxEntries(maxEntries)
        , m_maxBytes(maxBytes)
    {}

    static Node makeNode(const QString &key, const QByteArray &value, const QStringList &tags,
                         Clock::time_point expires)
    {
        qint64 bytes = value.size() + key.size() * 2 + 96; // 96: node, hash slot, list links
        for (const QString &t : tags)
            bytes += t.size() * 2 + 32;
        return Node{key, value, tags, expires, bytes};
    }

    std::optional<QByteArray> lookup(const QString &key, quint64 *seq)
    {
        const auto now = Clock::now();
        List graveyard; // freed after the lock is released
        std::lock_guard lock(m_mutex);
        if (seq)
            *seq = m_seq;
        const auto it = m_index.constFind(key);
        if (it == m_index.cend())
            return std::nullopt;
        const List::iterator node = *it;
        if (node->expires <= now) {
            eraseLocked(node, graveyard);
            return std::nullopt;
        }
        m_lru.splice(m_lru.begin(), m_lru, node);
        return node->value;
    }

    quint64 sequence()
    {
        std::lock_guard lock(m_mutex);
        return m_seq;
    }

    bool insert(Node node, quint64 seenSeq)
    {
        if (m_maxEntries <= 0 || node.bytes > m_maxBytes)
            return false;
        List graveyard;
        std::lock_guard lock(m_mutex);
        if (droppedSinceLocked(node, seenSeq))
            return false;
        if (const auto it = m_index.constFind(node.key); it != m_index.cend())
            eraseLocked(*it, graveyard);
        m_lru.push_front(std::move(node));
        const List::iterator front = m_lru.begin();
        m_index.insert(front->key, front);
        for (const QString &t : std::as_const(front->tags))
            m_byTag[t].insert(front->key);
        m_bytes += front->bytes;
        while (!m_lru.empty() && (qsizetype(m_lru.size()) > m_maxEntries || m_bytes > m_maxBytes))
            eraseLocked(std::prev(m_lru.end()), graveyard);
        return true;
    }

    void dropTags(const QStringList &tags)
    {
        List graveyard;
        std::lock_guard lock(m_mutex);
        for (const QString &tag : tags) {
            recordLocked(Drop::Kind::Tag, tag);
            const QSet<QString> keys = m_byTag.value(tag);
            for (const QString &key : keys)
                if (const auto it = m_index.constFind(key); it != m_index.cend())
                    eraseLocked(*it, graveyard);
        }
    }

    void dropKeys(const QStringList &keys)
    {
        List graveyard;
        std::lock_guard lock(m_mutex);
        for (const QString &key : keys) {
            recordLocked(Drop::Kind::Key, key);
            if (const auto it = m_index.constFind(key); it != m_index.cend())
                eraseLocked(*it, graveyard);
        }
    }

    void dropAll()
    {
        List graveyard;
        std::lock_guard lock(m_mutex);
        recordLocked(Drop::Kind::All, {});
        graveyard.splice(graveyard.end(), m_lru);
        m_index.clear();
        m_byTag.clear();
        m_bytes = 0;
    }

    std::pair<qsizetype, qint64> size()
    {
        std::lock_guard lock(m_mutex);
        return {qsizetype(m_lru.size()), m_bytes};
    }

private:
    void eraseLocked(List::iterator node, List &graveyard)
    {
        for (const QString &t : std::as_const(node->tags)) {
            const auto tagIt = m_byTag.find(t);
            if (tagIt == m_byTag.end())
                continue;
            tagIt->remove(node->key);
            if (tagIt->isEmpty())
                m_byTag.erase(tagIt);
        }
        m_index.remove(node->key);
        m_bytes -= node->bytes;
        graveyard.splice(graveyard.end(), m_lru, node);
    }

    void recordLocked(Drop::Kind kind, const QString &name)
    {
        m_history.push_back(Drop{++m_seq, kind, name});
        if (m_history.size() > kHistory)
            m_history.pop_front();
    }

    bool droppedSinceLocked(const Node &node, quint64 seenSeq) const
    {
        if (seenSeq == m_seq)
            return false;
        if (m_history.empty() || m_history.front().seq > seenSeq + 1)
            return true; // too much happened since: we cannot tell, so refuse
        for (auto d = m_history.rbegin(); d != m_history.rend() && d->seq > seenSeq; ++d) {
            if (d->kind == Drop::Kind::All || (d->kind == Drop::Kind::Key && d->name == node.key) ||
                (d->kind == Drop::Kind::Tag && node.tags.contains(d->name)))
                return true;
        }
        return false;
    }

    const qsizetype m_maxEntries;
    const qint64 m_maxBytes;
    std::mutex m_mutex;
    List m_lru; // most recently used first
    QHash<QString, List::iterator> m_index;
    QHash<QString, QSet<QString>> m_byTag;
    qint64 m_bytes = 0;
    quint64 m_seq = 0;
    std::deque<Drop> m_history;
};

struct ResponseCache::Flight
{
    std::promise<QByteArray> promise;
    std::shared_future<QByteArray> result = promise.get_future().share();
    std::thread::id leader = std::this_thread::get_id();
};

struct ResponseCache::L2Read
{
    std::optional<QByteArray> value; // a well-formed entry whose tag generations are current
    QStringList tags;
    qint64 pttlMs = -2;
    Clock::time_point sentAt; // PTTL counts from no earlier than this
    // The current generation tokens of the tags the caller named (nullopt: unknown, e.g. the
    // cache is down; then nothing tagged may be written to L2).
    std::optional<QHash<QString, QByteArray>> tokens;
};

// ---- ResponseCache ------------------------------------------------------------------------

ResponseCache::ResponseCache(RedisClient *redis, EventBus *bus, ResponseCacheOptions options)
    : m_redis(redis)
    , m_bus(bus)
    , m_l1MaxTtl(options.l1MaxTtl)
    , m_l1(std::make_shared<L1>(options.maxEntries, options.maxBytes))
    , m_defaultTtl(options.defaultTtl)
{
    // The callbacks run on whatever thread emits (the subscriber's for remote events) and hold
    // only a weak reference, so a late event after our destruction finds nothing to touch.
    const std::weak_ptr<L1> weak = m_l1;
    if (m_bus) {
        m_connections.append(QObject::connect(m_bus, &EventBus::event, [weak](const Event &e) {
            if (e.type != QLatin1String(kInvalidateEvent))
                return;
            if (const auto l1 = weak.lock()) {
                l1->dropTags(stringsOf(e.data.value(QLatin1String("tags"))));
                l1->dropKeys(stringsOf(e.data.value(QLatin1String("keys"))));
            }
        }));
    }
    if (m_redis) {
        // Invalidations published while we could not hear them are lost: start L1 afresh.
        m_connections.append(
            QObject::connect(m_redis, &RedisClient::availabilityChanged, [weak](bool available) {
                if (const auto l1 = weak.lock(); l1 && available)
                    l1->dropAll();
            }));
    }
}

ResponseCache::~ResponseCache()
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        QObject::disconnect(c);
}

void ResponseCache::setTtl(const QString &prefix, milliseconds ttl)
{
    std::unique_lock lock(m_ttlMutex);
    for (auto &[p, t] : m_prefixTtls) {
        if (p == prefix) {
            t = ttl;
            return;
        }
    }
    m_prefixTtls.append({prefix, ttl});
}

void ResponseCache::setDefaultTtl(milliseconds ttl)
{
    std::unique_lock lock(m_ttlMutex);
    m_defaultTtl = ttl;
}

milliseconds ResponseCache::ttlFor(const QString &key) const
{
    std::shared_lock lock(m_ttlMutex);
    qsizetype best = -1;
    milliseconds ttl = m_defaultTtl;
    for (const auto &[prefix, t] : m_prefixTtls) {
        if (prefix.size() > best && key.startsWith(prefix)) {
            best = prefix.size();
            ttl = t;
        }
    }
    return ttl;
}

milliseconds ResponseCache::longestTtl() const
{
    std::shared_lock lock(m_ttlMutex);
    milliseconds longest = m_defaultTtl;
    for (const auto &[prefix, t] : m_prefixTtls)
        longest = std::max(longest, t);
    return std::max(longest, milliseconds(1));
}

milliseconds ResponseCache::generationTtl() const
{
    // Only efficiency depends on it (a vanished generation turns its entries into misses), so
    // generous: twice the longest TTL, at least an hour, refreshed whenever the tag is used.
    return std::max(milliseconds(1h), 2 * longestTtl());
}

bool ResponseCache::flushPending()
{
    if (!m_hasPending.load())
        return true;
    // One thread replays; the others meanwhile leave L2 alone rather than wait.
    std::unique_lock lock(m_pendingMutex, std::try_to_lock);
    if (!lock.owns_lock())
        return false;
    const QSet<QString> tags = std::exchange(m_pendingTags, {});
    const QSet<QString> keys = std::exchange(m_pendingKeys, {});
    for (const QString &tag : tags)
        if (!invalidateTagL2(tag))
            m_pendingTags.insert(tag);
    for (const QString &key : keys)
        if (!removeL2(key))
            m_pendingKeys.insert(key);
    const bool done = m_pendingTags.isEmpty() && m_pendingKeys.isEmpty();
    m_hasPending.store(!done);
    if (done && !(tags.isEmpty() && keys.isEmpty()))
        qCInfo(lcCache) << "response cache: applied" << tags.size() + keys.size()
                        << "invalidation(s) made while the cache was unreachable";
    return done;
}

ResponseCache::L2Read ResponseCache::readL2(const QString &key, const QStringList &ensureTags)
{
    L2Read r;
    if (!m_redis || !flushPending())
        return r;
    const QByteArray ek = entryKey(key);
    const QByteArray genTtl = QByteArray::number(qint64(generationTtl().count()));
    QList<QList<QByteArray>> commands{{"GET", ek}, {"PTTL", ek}};
    for (const QString &tag : ensureTags) {
        // Creates the tag's generation when it has none yet, then reads it.
        const QByteArray gk = genKey(tag);
        commands.append({"SET", gk, newToken(), "NX", "PX", genTtl});
        commands.append({"PEXPIRE", gk, genTtl});
        commands.append({"GET", gk});
    }
    r.sentAt = Clock::now();
    const auto replies = m_redis->pipeline(commands);
    if (!replies || replies->size() != commands.size())
        return r; // unreachable: bypass L2

    QHash<QString, QByteArray> current;
    bool complete = true;
    for (qsizetype i = 0; i < ensureTags.size(); ++i) {
        const RedisReply &g = replies->at(2 + 3 * i + 2);
        if (g.type == RedisReply::Type::String && !g.string.isEmpty())
            current.insert(ensureTags.at(i), g.string);
        else
            complete = false;
    }
    if (complete)
        r.tokens = current;

    const RedisReply &entry = replies->at(0);
    if (entry.type == RedisReply::Type::Nil)
        return r;
    if (entry.type != RedisReply::Type::String) {
        warnMalformed(key, entry.isError() ? entry.string.constData() : "not a string");
        return r;
    }
    auto decoded = decodeEntry(entry.string);
    if (!decoded) {
        warnMalformed(key, "unknown format");
        return r;
    }

    // The generations of the entry's tags that the caller did not name: one more round trip.
    QStringList unknown;
    for (const QString &tag : std::as_const(decoded->tags))
        if (!current.contains(tag) && !unknown.contains(tag))
            unknown.append(tag);
    if (!unknown.isEmpty()) {
        QList<QByteArray> mget{"MGET"};
        for (const QString &tag : std::as_const(unknown))
            mget.append(genKey(tag));
        const auto m = m_redis->command(mget);
        if (!m || m->type != RedisReply::Type::Array || m->elements.size() != unknown.size())
            return r;
        for (qsizetype i = 0; i < unknown.size(); ++i)
            if (m->elements.at(i).type == RedisReply::Type::String)
                current.insert(unknown.at(i), m->elements.at(i).string);
    }
    for (qsizetype i = 0; i < decoded->tags.size(); ++i)
        if (current.value(decoded->tags.at(i)) != decoded->tokens.at(i))
            return r; // invalidated since it was computed (or its generation vanished)

    r.value = std::move(decoded->value);
    r.tags = std::move(decoded->tags);
    const RedisReply &pttl = replies->at(1);
    r.pttlMs = pttl.type == RedisReply::Type::Integer ? pttl.integer : -2;
    return r;
}

std::optional<QByteArray>
ResponseCache::lookupL2AndFill(const QString &key, const QStringList &ensureTags, quint64 l1Seq,
                               std::optional<QHash<QString, QByteArray>> *tokens)
{
    L2Read r = readL2(key, ensureTags);
    if (tokens)
        *tokens = std::move(r.tokens);
    if (!r.value)
        return std::nullopt;
    // L1 never outlives L2: the remaining PTTL caps it (-1: written without one by someone
    // else; the prefix TTL then applies; -2: it expired just now, keep it out of L1).
    milliseconds life = std::min(ttlFor(key), m_l1MaxTtl);
    if (r.pttlMs >= 0)
        life = std::min(life, milliseconds(r.pttlMs));
    else if (r.pttlMs != -1)
        life = 0ms;
    if (life > 0ms)
        m_l1->insert(L1::makeNode(key, *r.value, r.tags, r.sentAt + life), l1Seq);
    return r.value;
}

std::optional<QHash<QString, QByteArray>> ResponseCache::currentTokens(const QStringList &tags)
{
    if (!m_redis || !flushPending())
        return std::nullopt;
    if (tags.isEmpty())
        return QHash<QString, QByteArray>{};
    const QByteArray genTtl = QByteArray::number(qint64(generationTtl().count()));
    QList<QList<QByteArray>> commands;
    for (const QString &tag : tags) {
        const QByteArray gk = genKey(tag);
        commands.append({"SET", gk, newToken(), "NX", "PX", genTtl});
        commands.append({"PEXPIRE", gk, genTtl});
        commands.append({"GET", gk});
    }
    const auto replies = m_redis->pipeline(commands);
    if (!replies || replies->size() != commands.size())
        return std::nullopt;
    QHash<QString, QByteArray> tokens;
    for (qsizetype i = 0; i < tags.size(); ++i) {
        const RedisReply &g = replies->at(3 * i + 2);
        if (g.type != RedisReply::Type::String || g.string.isEmpty())
            return std::nullopt;
        tokens.insert(tags.at(i), g.string);
    }
    return tokens;
}

void ResponseCache::store(const QString &key, const QByteArray &value, const QStringList &tags,
                          const std::optional<QHash<QString, QByteArray>> &tokens, quint64 l1Seq)
{
    const milliseconds ttl = ttlFor(key);
    if (ttl <= 0ms)
        return;
    // Taken before the SET so that the L1 copy expires no later than the L2 one.
    const Clock::time_point l1Expires = Clock::now() + std::min(ttl, m_l1MaxTtl);
    // Into L2 only with the tag generations read before the value was made: without them the
    // entry could not be invalidated reliably.
    if (m_redis && tokens) {
        if (const auto blob = encodeEntry(value, tags, *tokens)) {
            const QByteArray ek = entryKey(key);
            const QByteArray setTtl = QByteArray::number(qint64(longestTtl().count()));
            QList<QList<QByteArray>> commands{
                {"SET", ek, *blob, "PX", QByteArray::number(qint64(ttl.count()))}};
            for (const QString &tag : tags) {
                commands.append({"SADD", tagKey(tag), ek});
                commands.append({"PEXPIRE", tagKey(tag), setTtl});
            }
            m_redis->pipeline(commands); // best effort: a failure is degraded mode
        }
    }
    m_l1->insert(L1::makeNode(key, value, tags, l1Expires), l1Seq);
}

std::optional<QByteArray> ResponseCache::get(const QString &key)
{
    quint64 seq = 0;
    if (auto hit = m_l1->lookup(key, &seq)) {
        ++m_l1Hits;
        return hit;
    }
    if (auto hit = lookupL2AndFill(key, {}, seq, nullptr)) {
        ++m_l2Hits;
        return hit;
    }
    ++m_misses;
    return std::nullopt;
}

void ResponseCache::put(const QString &key, const QByteArray &value, const QStringList &tags)
{
    const quint64 seq = m_l1->sequence();
    store(key, value, tags, currentTokens(tags), seq);
}

QByteArray ResponseCache::getOrCompute(const QString &key,
                                       const std::function<QByteArray()> &compute,
                                       const QStringList &tags)
{
    quint64 seq = 0;
    if (auto hit = m_l1->lookup(key, &seq)) {
        ++m_l1Hits;
        return *hit;
    }

    std::shared_ptr<Flight> flight;
    bool leader = false;
    {
        std::lock_guard lock(m_flightMutex);
        auto &slot = m_flights[key];
        if (!slot) {
            slot = std::make_shared<Flight>();
            leader = true;
        }
        flight = slot;
    }
    if (!leader) {
        if (flight->leader == std::this_thread::get_id())
            throw std::logic_error("ResponseCache::getOrCompute: compute asked for its own key");
        ++m_coalesced;
        return flight->result.get(); // the leader's value, or its exception rethrown
    }

    const auto done = qScopeGuard([&] {
        std::lock_guard lock(m_flightMutex);
        m_flights.remove(key);
    });
    try {
        QByteArray value = lead(key, compute, tags, seq);
        flight->promise.set_value(value);
        return value;
    } catch (...) {
        flight->promise.set_exception(std::current_exception());
        throw;
    }
}

QByteArray ResponseCache::lead(const QString &key, const std::function<QByteArray()> &compute,
                               const QStringList &tags, quint64 l1Seq)
{
    // A flight that ended between our L1 miss and our taking the lead has filled L1.
    if (auto hit = m_l1->lookup(key, &l1Seq)) {
        ++m_l1Hits;
        return *hit;
    }
    // The tags' generations are read in the same round trip and *before* compute: if the tag
    // is invalidated while we compute, the entry we store is already stale everywhere.
    std::optional<QHash<QString, QByteArray>> tokens;
    if (auto hit = lookupL2AndFill(key, tags, l1Seq, &tokens)) {
        ++m_l2Hits;
        return *hit;
    }
    ++m_misses;
    ++m_computes;
    QByteArray value = compute(); // an exception leaves here: nothing is stored
    store(key, value, tags, tokens, l1Seq);
    return value;
}

bool ResponseCache::removeL2(const QString &key)
{
    const auto r = m_redis->command({"UNLINK", entryKey(key)});
    return r && !r->isError();
}

bool ResponseCache::invalidateTagL2(const QString &tag)
{
    // The new generation is what makes every entry of the tag stale, in every process; the
    // UNLINKs only free memory early. SREM (not DEL) of exactly what we read keeps a member
    // added meanwhile by a concurrent put.
    const QByteArray tk = tagKey(tag);
    const QByteArray genTtl = QByteArray::number(qint64(generationTtl().count()));
    const auto replies =
        m_redis->pipeline({{"SET", genKey(tag), newToken(), "PX", genTtl}, {"SMEMBERS", tk}});
    if (!replies || replies->size() != 2 || !isOk(replies->at(0)))
        return false;
    QList<QByteArray> members;
    if (replies->at(1).type == RedisReply::Type::Array)
        for (const RedisReply &m : replies->at(1).elements)
            if (m.type == RedisReply::Type::String)
                members.append(m.string);
    QList<QList<QByteArray>> commands;
    for (qsizetype i = 0; i < members.size(); i += kUnlinkChunk) {
        const QList<QByteArray> chunk = members.mid(i, kUnlinkChunk);
        commands.append(QList<QByteArray>{"UNLINK"} + chunk);
        commands.append(QList<QByteArray>{"SREM", tk} + chunk);
    }
    if (!commands.isEmpty())
        m_redis->pipeline(commands);
    return true;
}

void ResponseCache::remove(const QString &key)
{
    // L2 before L1: a reader in between would otherwise refill L1 from the old L2 entry.
    if (m_redis && !(flushPending() && removeL2(key))) {
        std::lock_guard lock(m_pendingMutex);
        m_pendingKeys.insert(key);
        m_hasPending.store(true);
    }
    m_l1->dropKeys({key});
    publishInvalidation({}, {key});
}

void ResponseCache::invalidateTag(const QString &tag)
{
    // Order matters: L2 first, then our L1, then the event. Another process dropping its L1 on
    // the event must find L2 already invalidated, or it could refill L1 with the old value.
    if (m_redis && !(flushPending() && invalidateTagL2(tag))) {
        std::lock_guard lock(m_pendingMutex);
        m_pendingTags.insert(tag);
        m_hasPending.store(true);
    }
    m_l1->dropTags({tag});
    publishInvalidation({tag}, {});
}

void ResponseCache::publishInvalidation(const QStringList &tags, const QStringList &keys)
{
    if (!m_bus)
        return;
    m_bus->publish(QLatin1String(kInvalidateEvent),
                   QJsonObject{{QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
                               {QStringLiteral("keys"), QJsonArray::fromStringList(keys)}});
}

void ResponseCache::clear()
{
    m_l1->dropAll();
}

ResponseCacheStats ResponseCache::stats() const
{
    ResponseCacheStats s;
    s.l1Hits = m_l1Hits.load();
    s.l2Hits = m_l2Hits.load();
    s.misses = m_misses.load();
    s.computes = m_computes.load();
    s.coalesced = m_coalesced.load();
    std::tie(s.l1Entries, s.l1Bytes) = m_l1->size();
    return s;
}

} // namespace Revenge
