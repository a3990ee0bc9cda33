#pragma once

#include <QDate>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>

namespace Revenge {

// Names one catalogue item. schema "media" or "c" (adult); type as in <schema>.items.item_type:
// movie, series, season, episode, music_artist, music_album, music_track (c: movie, scene).
struct ItemRef
{
    QString schema = QStringLiteral("media");
    QString type;
    QString id; // uuid text

    bool isValid() const { return !type.isEmpty() && !id.isEmpty(); }
};

struct PersonCredit
{
    QString name;
    QString role = QStringLiteral("actor"); // actor, guest_star, director, writer, producer, ...
    QString character;                      // actors only
    int order = 0;
    QString imageUrl;                   // remote photo, if the source has one
    QMap<QString, QString> externalIds; // e.g. {"tmdb": "287"}
};

// Artwork named by a source: a remote URL (downloaded by images.download) or a local file.
struct ImageRef
{
    QString kind; // poster, backdrop, logo, thumb, banner
    QString url;  // http(s) URL, or empty
    QString path; // local file, or empty
    int order = 0;
};

// What a metadata source (an NFO file, a remote provider) says about one item. Unset optionals
// and empty lists mean "the source does not say", never "clear this".
struct MediaMetadata
{
    QString source; // "nfo", "tmdb", ...
    std::optional<QString> title;
    std::optional<QString> originalTitle;
    std::optional<QString> sortTitle;
    std::optional<QString> overview;
    std::optional<QString> tagline;
    std::optional<QString> contentRating;
    std::optional<int> year;
    std::optional<int> runtimeMinutes;
    std::optional<QDate> releaseDate; // movies: release; series: first air; episodes: air date
    std::optional<double> rating;     // 0..10
    QStringList genres;
    QList<PersonCredit> credits;
    QMap<QString, QString> externalIds; // imdb, tmdb, tvdb, ...
    QList<ImageRef> images;
};

// What the scanner and earlier sources know of an item: the input of a provider's matching.
struct ItemSummary
{
    ItemRef ref;
    QString libraryId;
    QString title;
    std::optional<int> year;
    QMap<QString, QString> externalIds;
    bool metadataLocked = false;
    // Episodes and seasons: their series, and the numbers within it.
    QString seriesId;
    QString seriesTitle;
    QMap<QString, QString> seriesExternalIds;
    std::optional<int> season;
    std::optional<int> episode;
    QDate airDate;
    // Paths of the item's files (main first), for local metadata next to them.
    QStringList filePaths;
};

} // namespace Revenge
