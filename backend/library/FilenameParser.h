#pragma once

#include <QDate>
#include <QJsonObject>
#include <QString>
#include <optional>

namespace Revenge {

// What the scanner makes of one file, from its path alone (no I/O, no tags, no probing).
struct Identification
{
    enum class Kind
    {
        Unknown,
        Movie,
        Episode,
        Track,
        Extra,
        Subtitle
    };

    QString path;
    Kind kind = Kind::Unknown;
    QString title;  // movie or track title; an episode's own title; an extra's owner title
    QString series; // episodes (and extras/subtitles of episodes)
    std::optional<int> season, episode, episodeEnd;
    QDate date; // daily shows
    std::optional<int> year;
    QString extension; // lower case, without the dot
    QString language;  // subtitles: "en" from movie.en.srt
    bool forced = false;
    QString extraType; // trailer, featurette, behindthescenes, deleted, sample, poster, ...
    QString releaseGroup;
    QString quality; // 2160p, 1080p, 720p, ...
    // Music, from folders (Artist/Album (Year)/01 - Track.flac).
    QString artist;
    QString album;
    std::optional<int> track, disc;

    static QString kindName(Kind kind);
    // Keys: path, kind, title, series, season, episode, episode_end, date (YYYY-MM-DD), year,
    // extension, language, forced, extra_type, quality, release_group, artist, album, track,
    // disc; null where unknown.
    QJsonObject toJson() const;
};

// Reads a path relative to a library root. Pure and thread-safe: the path need not exist.
class FilenameParser
{
public:
    static Identification identify(const QString &relativePath);

    // What a file with this extension (lower case, no dot) is to a library: "video", "audio",
    // "subtitle", "image", "nfo", or empty for anything the scanner should skip (disc images,
    // text, archives, partial downloads).
    static QString fileKind(const QString &extension);
};

} // namespace Revenge
