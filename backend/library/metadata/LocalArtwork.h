#pragma once

#include "MediaMetadata.h"

#include <QList>
#include <QString>
#include <optional>

namespace Revenge {

// Artwork and NFO files stored next to media, named the way Kodi, Jellyfin and Plex name them
// (https://kodi.wiki/view/Artwork_types). Names are matched case-insensitively; extensions
// jpg, jpeg, png, webp and tbn.
//
//   movie   <name>-poster / poster / folder / cover, <name>-fanart / fanart / backdrop /
//           background, banner, clearlogo / logo, landscape / thumb. The folder-wide names
//           (poster.jpg, movie.nfo) count only when the folder holds one movie, so that a flat
//           folder of films does not give every film the same poster.
//   series  poster / folder / cover / show, fanart / backdrop / background, banner,
//           clearlogo / logo, landscape / thumb in the series folder.
//   season  seasonNN-poster / -fanart / -banner / -landscape in the series folder
//           (season-specials-* for 0), then folder / poster / ... in the season's own folder.
//   episode <name>-thumb, then <name>.
//
// Pure file-system look-ups: no database, no image decoding.
class LocalArtwork
{
public:
    // `path`: the item's main file (movie, episode), or any episode file or the folder itself
    // (series, season). `season` is the season number, for the seasonNN-* names. Image kinds are
    // poster, backdrop, logo, thumb, banner; `order` counts per kind from 0.
    static QList<ImageRef> find(const QString &path, const QString &itemType,
                                std::optional<int> season = {});

    // The NFO of an item, or an empty string: movie <name>.nfo then movie.nfo; series
    // tvshow.nfo in the series folder; season season.nfo in the season folder; episode
    // <name>.nfo.
    static QString findNfo(const QString &path, const QString &itemType);

    // The series folder for an episode file (its folder, or the parent when that is a season
    // folder); a directory path is taken as the folder it names (or its parent, likewise).
    static QString seriesFolder(const QString &path);
    // The folder of an episode when it is a season folder, else empty.
    static QString seasonFolder(const QString &path);
    // "Season 1", "Season 01", "S01", "Series 2", "Staffel 3", "Saison 4", "Specials".
    static bool isSeasonFolderName(const QString &name);

    static const QStringList &imageExtensions();
};

} // namespace Revenge
