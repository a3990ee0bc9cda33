#pragma once

#include "SearchBackend.h"

#include <QMutex>
#include <atomic>
#include <memory>

namespace Revenge {

// Typesense when it answers, the PostgreSQL engine when it does not. Every document goes to both,
// so that the fallback always knows everything; searches go to the primary while it is healthy
// and to the fallback otherwise (re-checked at most every few seconds). isDegraded() tells health.
class FallbackSearchBackend : public SearchBackend
{
public:
    FallbackSearchBackend(std::unique_ptr<SearchBackend> primary,
                          std::unique_ptr<SearchBackend> fallback);

    QString engine() const override;
    bool isAvailable(QString *why = nullptr) override;
    bool prepare(QString *error = nullptr) override;
    std::optional<IndexReport> upsert(const QList<SearchDocument> &documents,
                                      QString *error = nullptr) override;
    std::optional<int> remove(SearchCollection collection, const QStringList &ids,
                              QString *error = nullptr) override;
    std::optional<SearchResponse> search(const SearchRequest &request,
                                         QString *error = nullptr) override;
    std::optional<QList<SearchResponse>> multiSearch(const QList<SearchRequest> &requests,
                                                     QString *error = nullptr) override;
    std::optional<SearchResponse> similar(SearchCollection collection, const QString &id, int k,
                                          bool allowAdult, QString *error = nullptr) override;

    bool isDegraded() const { return m_degraded.load(); }
    QString degradedReason() const;
    SearchBackend *primary() const { return m_primary.get(); }
    SearchBackend *fallback() const { return m_fallback.get(); }

private:
    // Whether to try the primary now (healthy, or the re-check interval passed).
    bool primaryUsable();
    void notePrimaryFailure(const QString &why);

    std::unique_ptr<SearchBackend> m_primary;
    std::unique_ptr<SearchBackend> m_fallback;
    std::atomic<bool> m_degraded{false};
    std::atomic<qint64> m_retryAtMs{0};
    mutable QMutex m_mutex;
    QString m_reason;
};

} // namespace Revenge
