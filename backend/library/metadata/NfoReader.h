#pragma once

#include "MediaMetadata.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace Revenge {

// Reads Kodi-style .nfo files (https://kodi.wiki/view/NFO_files): XML with a <movie>, <tvshow>,
// <episodedetails> or (Jellyfin) <season> root, or a plain text file naming an IMDb/TMDb/TVDb URL.
// Invalid values (a year of 99999, a date that is not one, a rating outside its scale) are dropped,
// not reported: one bad field must not cost the rest of the file. A file that is not well-formed
// XML is refused as a whole, with the line and column of the fault.
class NfoReader
{
public:
    enum class Type
    {
        Movie,   // <movie>
        TvShow,  // <tvshow>
        Episode, // <episodedetails> (the first one of a multi-episode file)
        Season,  // <season> (Jellyfin's season.nfo)
        UrlOnly  // no XML: only ids taken from URLs
    };

    // Larger files are refused unread: real NFOs are a few kB.
    static constexpr qint64 kMaxSize = 5 * 1024 * 1024;

    // nullopt with `error` set ("<path>: <reason>") when the file cannot be read or parsed.
    static std::optional<MediaMetadata> read(const QString &path, QString *error = nullptr,
                                             Type *type = nullptr);
    static std::optional<MediaMetadata> parse(const QByteArray &data, QString *error = nullptr,
                                              Type *type = nullptr);

    // Provider ids named by URLs or bare ids in free text ("https://www.imdb.com/title/tt0133093/",
    // "https://www.themoviedb.org/movie/603-the-matrix", "tt0133093"), as {"imdb": ..., ...}.
    static QMap<QString, QString> idsFromText(const QString &text);

    static QString typeName(Type type);
};

} // namespace Revenge
