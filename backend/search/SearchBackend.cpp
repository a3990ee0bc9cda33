#include "SearchBackend.h"

namespace Revenge {

namespace {
const char *const kNames[] = {"movies", "series", "episodes",     "artists",     "albums",
                              "tracks", "people", "adult_movies", "adult_scenes"};
constexpr int kCount = 9;
} // namespace

QString collectionName(SearchCollection c)
{
    return QLatin1String(kNames[int(c)]);
}

std::optional<SearchCollection> collectionFromName(const QString &name)
{
    for (int i = 0; i < kCount; ++i)
        if (name == QLatin1String(kNames[i]))
            return SearchCollection(i);
    return std::nullopt;
}

bool isAdult(SearchCollection c)
{
    return c == SearchCollection::AdultMovies || c == SearchCollection::AdultScenes;
}

QList<SearchCollection> ordinaryCollections()
{
    return {SearchCollection::Movies,  SearchCollection::Series, SearchCollection::Episodes,
            SearchCollection::Artists, SearchCollection::Albums, SearchCollection::Tracks,
            SearchCollection::People};
}

QList<SearchCollection> adultCollections()
{
    return {SearchCollection::AdultMovies, SearchCollection::AdultScenes};
}

std::optional<QString> validateSearchRequest(const SearchRequest &r)
{
    if (r.text.size() > 512)
        return QStringLiteral("the query is %1 characters long; at most 512 are searched")
            .arg(r.text.size());
    if (r.text.contains(QChar(0xFFFD)))
        return QStringLiteral("the query is not valid UTF-8");
    for (const QChar ch : r.text)
        if (ch.category() == QChar::Other_Control && ch != QLatin1Char('\t'))
            return QStringLiteral("the query contains control characters");
    if (r.page < 1 || r.page > 10000)
        return QStringLiteral("page %1 is out of range 1-10000").arg(r.page);
    if (r.perPage < 1 || r.perPage > 250)
        return QStringLiteral("perPage %1 is out of range 1-250").arg(r.perPage);
    if (r.numTypos < 0 || r.numTypos > 2)
        return QStringLiteral("numTypos %1 is out of range 0-2").arg(r.numTypos);
    static const QStringList facets{QStringLiteral("genres"), QStringLiteral("year"),
                                    QStringLiteral("directors"), QStringLiteral("library"),
                                    QStringLiteral("content_rating")};
    for (const QString &f : r.facets)
        if (!facets.contains(f))
            return QStringLiteral("cannot facet by '%1' (one of %2)")
                .arg(f, facets.join(QStringLiteral(", ")));
    if (r.filters.yearFrom && r.filters.yearTo && r.filters.yearFrom > r.filters.yearTo)
        return QStringLiteral("yearFrom %1 is after yearTo %2")
            .arg(r.filters.yearFrom)
            .arg(r.filters.yearTo);
    for (SearchCollection c : r.collections)
        if (isAdult(c) && !r.allowAdult)
            return QStringLiteral("adult collections need the adult permission");
    for (SearchCollection c : r.collections)
        if (isAdult(c) != isAdult(r.collections.first()))
            return QStringLiteral("adult and ordinary collections are never searched together");
    return std::nullopt;
}

} // namespace Revenge
