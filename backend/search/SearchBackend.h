#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>
#include <utility>

namespace Revenge {

// What is searchable. Adult collections hold the `c` schema's content: they are answered only to
// callers with the adult permission who ask for them by name, never mixed into ordinary results.
enum class SearchCollection
{
    Movies,
    Series,
    Episodes,
    Artists,
    Albums,
    Tracks,
    People,
    AdultMovies,
    AdultScenes
};

QString collectionName(SearchCollection collection); // "movies", ..., "adult_movies"
std::optional<SearchCollection> collectionFromName(const QString &name);
bool isAdult(SearchCollection collection);
QList<SearchCollection> ordinaryCollections();
QList<SearchCollection> adultCollections();

// One searchable item, as both engines index it.
struct SearchDocument
{
    QString id; // the item's id (uuid text)
    SearchCollection collection = SearchCollection::Movies;
    QString title;
    QString originalTitle;
    QString overview;
    QStringList cast;
    QStringList directors;
    QStringList genres;
    int year = 0; // 0: unknown
    QString library;
    QString contentRating;
    QString seriesTitle; // episodes
    int season = 0;
    int episode = 0;
    QVector<float> embedding; // empty: computed from the fields (see Embedding)
};

// Facet filters. Values are matched exactly; several values of one field mean "any of".
struct SearchFilters
{
    QStringList genres;
    QStringList directors;
    QStringList libraries;
    QStringList contentRatings;
    int yearFrom = 0; // 0: open
    int yearTo = 0;
};

struct SearchRequest
{
    QString text;                        // "*" or empty: everything (filtered, sorted)
    QList<SearchCollection> collections; // empty: every ordinary collection
    SearchFilters filters;
    QStringList facets; // of: genres, year, directors, library, content_rating
    enum class Sort
    {
        Relevance,
        YearDesc,
        YearAsc,
        TitleAsc
    };
    Sort sort = Sort::Relevance;
    int numTypos = 2;   // 0-2; words of 4+ letters may have 1, of 7+ letters 2 (Typesense's rule)
    bool prefix = true; // the last word may be a prefix (search as you type)
    int page = 1;       // from 1
    int perPage = 20;   // 1-250
    bool allowAdult = false; // the caller has the adult permission
};

struct SearchHit
{
    QString id;
    SearchCollection collection = SearchCollection::Movies;
    QString title;
    int year = 0;
    double score = 0; // higher is better; comparable within one response
    QJsonObject document;
};

struct FacetValue
{
    QString value;
    int count = 0;
};

struct SearchResponse
{
    int found = 0; // matches in total (all pages)
    int page = 1;
    QList<SearchHit> hits;
    QMap<QString, QList<FacetValue>> facets; // facet name -> values, most frequent first
    double tookMs = 0;
    QString engine; // "postgres" or "typesense"
};

struct IndexReport
{
    int indexed = 0;
    QList<std::pair<QString, QString>> failures; // document id, why
};

// The one interface everything else uses; the engine is chosen by configuration.
// Implementations are thread-safe and synchronous (call them from worker threads).
class SearchBackend
{
public:
    virtual ~SearchBackend() = default;

    virtual QString engine() const = 0;
    virtual bool isAvailable(QString *why = nullptr) = 0;
    // Creates collections/tables when missing. Idempotent.
    virtual bool prepare(QString *error = nullptr) = 0;
    virtual std::optional<IndexReport> upsert(const QList<SearchDocument> &documents,
                                              QString *error = nullptr) = 0;
    virtual std::optional<int> remove(SearchCollection collection, const QStringList &ids,
                                      QString *error = nullptr) = 0;
    virtual std::optional<SearchResponse> search(const SearchRequest &request,
                                                 QString *error = nullptr) = 0;
    // Several searches in one call (e.g. one per collection), each answered in order.
    virtual std::optional<QList<SearchResponse>> multiSearch(const QList<SearchRequest> &requests,
                                                             QString *error = nullptr) = 0;
    // "More like this": the k nearest items of the same collection by cosine similarity.
    virtual std::optional<SearchResponse> similar(SearchCollection collection, const QString &id,
                                                  int k, bool allowAdult,
                                                  QString *error = nullptr) = 0;
};

// Checks a request before any engine sees it; the error reads like a 400 response
// ("perPage 500 is out of range 1-250", "adult collections need the adult permission", ...).
std::optional<QString> validateSearchRequest(const SearchRequest &request);

} // namespace Revenge
