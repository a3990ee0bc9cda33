#pragma once

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <random>

namespace Revenge::Bench {

// One item of the synthetic search catalogue. The fields mirror what the search collections
// index (title, original title, overview, people, genres, year, library, rating).
struct CatalogueItem
{
    QString id;   // deterministic UUID (v5 of seed and index), so it fits uuid columns
    QString kind; // movie, series, episode, artist, album, track, person
    QString title;
    QString originalTitle;
    QString overview;
    QStringList cast;      // actors; the artist for albums and tracks
    QStringList directors; // directors; creators for series; empty for music and people
    QStringList genres;    // 1-3 from CatalogueGenerator::genres(); empty for people
    int year = 0;          // release year; birth year for people
    QString library;       // Movies, Shows, Music, Private; empty for people
    QString contentRating; // empty for music and people
    bool adult = false;    // adult items live only in the "Private" library
    QString seriesTitle;   // episodes: the series; tracks: the album
    int season = 0;        // episodes: season; tracks: disc
    int episode = 0;       // episodes: episode number; tracks: track number
};

// Deterministic generator for a synthetic catalogue: the same seed gives the same items, in the
// same order, on every run, so both search engines and the ILIKE baseline see identical data.
// Titles are built from embedded word lists and de-duplicated (case-insensitively) by appending
// a subtitle, so exact-title queries are unambiguous.
class CatalogueGenerator
{
public:
    explicit CatalogueGenerator(quint64 seed = 42);

    // Kind mix: 45% movies (1% of all items adult, in "Private"), 5% series, 30% episodes,
    // 3% artists, 4% albums, 10% tracks, 3% people. Counts are exact shares of `count`.
    QList<CatalogueItem> generate(int count = 100000);

    static QJsonObject toJson(const CatalogueItem &item);
    static const QStringList &genres();
    static const QStringList &kinds();
    static constexpr int kMinYear = 1920;
    static constexpr int kMaxYear = 2025;

private:
    quint64 next() { return m_rng(); }
    int bounded(int n); // uniform in [0, n), portable (no std distributions)
    double unit();      // uniform in [0, 1)
    bool chance(double p) { return unit() < p; }
    const QString &pick(const QStringList &list) { return list.at(bounded(int(list.size()))); }
    int recentYear(int from = kMinYear);

    QString movieTitle();
    QString seriesTitle();
    QString episodeTitle();
    QString artistName();
    QString albumTitle();
    QString trackTitle();
    QString foreignTitle();
    QString subtitle();
    QString personName();
    enum class TitleStyle
    {
        Normal,
        Music,
        Person
    };
    QString uniqueTitle(QString title, TitleStyle style = TitleStyle::Normal);
    QStringList videoGenres();
    QStringList musicGenres();
    QString keyword(const QString &title);
    QString overviewFor(const CatalogueItem &item);

    quint64 m_seed;
    std::mt19937_64 m_rng;
    QSet<QString> m_titles; // lower-cased, for de-duplication
};

} // namespace Revenge::Bench
