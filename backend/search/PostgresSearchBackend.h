#pragma once

#include "SearchBackend.h"

#include <QLoggingCategory>
#include <memory>

namespace Revenge {

class DatabasePool;

Q_DECLARE_LOGGING_CATEGORY(lcPgSearch)

// The embedded search engine: documents in search.documents (adult ones in c.search_documents,
// never queried together), a weighted tsvector for full text, a title vocabulary with a deletion
// neighbourhood for Typesense-like per-word typos, pg_trgm on the normalised title for ranking,
// and facet counts computed in the same statement as the page of hits.
class PostgresSearchBackend : public SearchBackend
{
public:
    explicit PostgresSearchBackend(std::shared_ptr<DatabasePool> pool);

    QString engine() const override { return QStringLiteral("postgres"); }
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

    // Documents per upsert statement.
    static constexpr int kBatchSize = 1000;
    // Text matches ranked with the full (tsvector) score; the rest are ordered by the title score.
    static constexpr int kRankWindow = 300;
    // Broad queries ("the", "t", "*"): relevance-ranked text searches score at most this many
    // candidates (plus titles equal to or starting with the query), and facets and `found` are
    // estimated from a sample when more than this many items match. See search().
    static constexpr int kCandidateCap = 2000;
    // The share of the table's pages (percent) sampled for those estimates.
    static constexpr int kSamplePercent = 5;

    // Exposed for tests: the lower-case, unaccented words of a query, as the tsvector has them.
    static QStringList queryWords(const QString &text);
    // Optimal-string-alignment distance (a transposition is one typo, as Typesense counts).
    static int typoDistance(const QString &a, const QString &b);

private:
    std::shared_ptr<DatabasePool> m_pool;
};

} // namespace Revenge
