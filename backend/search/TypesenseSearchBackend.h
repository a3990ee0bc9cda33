#pragma once

#include "SearchBackend.h"
#include "TypesenseClient.h"

namespace Revenge {

// The SearchBackend over Typesense (written against the v27 HTTP API; see docs/search.md): one
// collection per SearchCollection, named revenge_<collection>, documents with an embedding for
// vector_query similarity. Filters are always backtick-quoted; values Typesense cannot quote are
// refused with a clear error.
class TypesenseSearchBackend : public SearchBackend
{
public:
    explicit TypesenseSearchBackend(TypesenseSettings settings);

    QString engine() const override { return QStringLiteral("typesense"); }
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

    static QString typesenseName(SearchCollection c)
    {
        return QStringLiteral("revenge_") + collectionName(c);
    }
    static QJsonObject schema(SearchCollection c);
    static QJsonObject toTypesense(const SearchDocument &d);
    // The search parameters for one collection of a request (shared by search and multiSearch).
    static std::optional<QJsonObject> parameters(const SearchRequest &request, SearchCollection c,
                                                 QString *error);

private:
    std::optional<SearchResponse> toResponse(const QJsonObject &result, SearchCollection c) const;

    TypesenseClient m_client;
};

} // namespace Revenge
