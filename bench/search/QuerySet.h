#pragma once

#include "search/CatalogueGenerator.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Revenge::Bench {

// A benchmark query with the item a good engine should rank in its top 3.
struct LabelledQuery
{
    QString text;
    QString kind; // exact, typo1, typo2, prefix, multiword, filtered
    QString expectedId;
    // Only for "filtered": one facet the expected item satisfies, one of
    // {"genres": "Drama"}, {"year": 1999}, {"director": "..."}, {"library": "..."},
    // {"content_rating": "..."} (keys as in CatalogueGenerator::toJson).
    QJsonObject filters;
};

// Builds labelled queries from a generated catalogue. Targets are non-adult items whose title is
// unique (case-insensitively); typos follow Typesense's rule (1 typo from 4 letters, 2 from 7 per
// word) and never produce another item's title.
class QuerySet
{
public:
    static QList<LabelledQuery> build(const QList<CatalogueItem> &items, int perKind = 100,
                                      quint64 seed = 7);
    static const QStringList &kinds();

    // True if `item` satisfies every facet in `filters` (director matches any of its directors,
    // genres any of its genres).
    static bool satisfies(const CatalogueItem &item, const QJsonObject &filters);
    // Optimal-string-alignment (Damerau) distance, as Typesense counts typos.
    static int editDistance(const QString &a, const QString &b);

    static QString describe(const LabelledQuery &query);
    static QString describe(const LabelledQuery &query, const CatalogueItem &expected);
};

} // namespace Revenge::Bench
