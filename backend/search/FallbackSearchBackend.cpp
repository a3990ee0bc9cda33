#include "FallbackSearchBackend.h"

#include "TypesenseClient.h"

#include <QDateTime>

namespace Revenge {

namespace {
constexpr qint64 kRecheckMs = 5000;
qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

FallbackSearchBackend::FallbackSearchBackend(std::unique_ptr<SearchBackend> primary,
                                             std::unique_ptr<SearchBackend> fallback)
    : m_primary(std::move(primary))
    , m_fallback(std::move(fallback))
{}

QString FallbackSearchBackend::engine() const
{
    return m_degraded.load() ? m_fallback->engine() : m_primary->engine();
}

QString FallbackSearchBackend::degradedReason() const
{
    QMutexLocker lock(&m_mutex);
    return m_reason;
}

bool FallbackSearchBackend::isAvailable(QString *why)
{
    QString reason;
    const bool up = m_primary->isAvailable(&reason);
    if (up) {
        m_degraded = false;
        m_retryAtMs = 0;
    } else {
        notePrimaryFailure(reason);
        if (why)
            *why = reason;
    }
    return up;
}

void FallbackSearchBackend::notePrimaryFailure(const QString &why)
{
    if (!m_degraded.exchange(true))
        qCWarning(lcSearch).noquote()
            << m_primary->engine() << "unreachable (" + why + "); searching with"
            << m_fallback->engine();
    m_retryAtMs = nowMs() + kRecheckMs;
    QMutexLocker lock(&m_mutex);
    m_reason = why;
}

bool FallbackSearchBackend::primaryUsable()
{
    if (!m_degraded.load())
        return true;
    if (nowMs() < m_retryAtMs.load())
        return false;
    return isAvailable();
}

bool FallbackSearchBackend::prepare(QString *error)
{
    if (!m_fallback->prepare(error))
        return false;
    QString why;
    if (!m_primary->prepare(&why))
        notePrimaryFailure(why); // indexing into it resumes with the next reindex
    return true;
}

std::optional<IndexReport> FallbackSearchBackend::upsert(const QList<SearchDocument> &documents,
                                                         QString *error)
{
    // The fallback must know everything, so it is written first and its failure is the caller's.
    auto report = m_fallback->upsert(documents, error);
    if (!report)
        return std::nullopt;
    if (primaryUsable()) {
        QString why;
        auto primary = m_primary->upsert(documents, &why);
        if (!primary)
            notePrimaryFailure(why);
        else
            report = primary; // the primary's per-document failures are the ones users see
    }
    return report;
}

std::optional<int> FallbackSearchBackend::remove(SearchCollection collection,
                                                 const QStringList &ids, QString *error)
{
    auto n = m_fallback->remove(collection, ids, error);
    if (n && primaryUsable()) {
        QString why;
        if (!m_primary->remove(collection, ids, &why))
            notePrimaryFailure(why);
    }
    return n;
}

std::optional<SearchResponse> FallbackSearchBackend::search(const SearchRequest &request,
                                                            QString *error)
{
    if (auto invalid = validateSearchRequest(request)) {
        if (error)
            *error = *invalid;
        return std::nullopt;
    }
    if (primaryUsable()) {
        QString why;
        if (auto r = m_primary->search(request, &why))
            return r;
        notePrimaryFailure(why);
    }
    return m_fallback->search(request, error);
}

std::optional<QList<SearchResponse>>
FallbackSearchBackend::multiSearch(const QList<SearchRequest> &requests, QString *error)
{
    if (primaryUsable()) {
        QString why;
        if (auto r = m_primary->multiSearch(requests, &why))
            return r;
        notePrimaryFailure(why);
    }
    return m_fallback->multiSearch(requests, error);
}

std::optional<SearchResponse> FallbackSearchBackend::similar(SearchCollection collection,
                                                             const QString &id, int k,
                                                             bool allowAdult, QString *error)
{
    if (primaryUsable()) {
        QString why;
        if (auto r = m_primary->similar(collection, id, k, allowAdult, &why))
            return r;
        notePrimaryFailure(why);
    }
    return m_fallback->similar(collection, id, k, allowAdult, error);
}

} // namespace Revenge
