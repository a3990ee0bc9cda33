#pragma once

#include "library/FilenameParser.h"

#include <QDate>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>
#include <random>

namespace Revenge::Bench {

// One file of the synthetic media tree, with what FilenameParser is meant to make of it.
struct GeneratedFile
{
    QString path;     // relative to the tree's root, '/'-separated
    qint64 size = 0;  // apparent size in bytes; the file is sparse, no data is written
    QString category; // movies, shows, music: the top folder it lives under
    Identification::Kind kind = Identification::Kind::Unknown;
    // The intended identification, where it applies (empty / 0 / nullopt otherwise).
    QString title;  // movies: the movie; tracks: the track
    QString series; // episodes
    int year = 0;   // movies
    std::optional<int> season, episode;
    QDate date;     // daily shows
    QString artist; // tracks
    QString album;  // tracks
    int track = 0;  // tracks
    int disc = 0;   // tracks on multi-disc albums
};

// What a generation produced.
struct TreeCounts
{
    qint64 files = 0;
    qint64 directories = 0; // distinct folders holding files, their parents included
    qint64 bytes = 0;       // apparent (sparse) total
    qint64 movies = 0, episodes = 0, tracks = 0, subtitles = 0, extras = 0, other = 0;
    qint64 movieFiles = 0, showFiles = 0, musicFiles = 0; // by top folder
    QJsonObject toJson() const;
};

// Deterministic generator of a realistic media library: the same seed and count give the same
// paths and sizes, in the same order, on every run. Shares by file count: 30% under "Movies"
// (folder per movie, Radarr-style and scene-style names, subtitles, artwork, .nfo, a few
// trailers), 45% under "TV Shows" (Show (Year)/Season NN/..., scene names, multi-episode files,
// daily shows, anime with absolute numbers, artwork, .nfo, subtitles) and 25% under "Music"
// (Artist/Album (Year)/NN - Track.flac|mp3, multi-disc albums, cover art, cue sheets). Names come
// from embedded word lists. Files are empty and sparse: their size is set without writing data,
// so a tree of 100,000 files takes seconds to write and almost no disk.
class TreeGenerator
{
public:
    explicit TreeGenerator(quint64 seed = 42);

    // Produces `count` files, calling `visit` for each, without touching the disk.
    TreeCounts generate(int count, const std::function<void(const GeneratedFile &)> &visit = {});

    // Creates the tree under `root` (made if missing; must not hold files already at the same
    // paths). nullopt with `error` naming the path that failed.
    std::optional<TreeCounts> write(const QString &root, int count, QString *error = nullptr,
                                    const std::function<void(const GeneratedFile &)> &visit = {});

    static QString topFolder(const QString &category); // "movies" -> "Movies", ...
    static const QStringList &categories();            // movies, shows, music

private:
    using Add = std::function<bool(GeneratedFile)>; // false: the budget is spent
    void movie(const Add &add);
    void show(const Add &add);
    void album(const Add &add);

    quint64 next() { return m_rng(); }
    int bounded(int n); // uniform in [0, n), portable (no std distributions)
    double unit();      // uniform in [0, 1)
    bool chance(double p) { return unit() < p; }
    int between(int lo, int hi) { return lo + bounded(hi - lo + 1); }
    qint64 sizeBetween(qint64 lo, qint64 hi);
    const QString &pick(const QStringList &list) { return list.at(bounded(int(list.size()))); }
    int year(int from = 1950);

    QString title(int minWords = 1, int maxWords = 4);
    QString uniqueName(QSet<QString> &used, const std::function<QString()> &make);
    QString personName();
    QString sceneName(const QString &title) const; // "The Lost Road" -> "The.Lost.Road"
    QString releaseGroup();

    quint64 m_seed;
    std::mt19937_64 m_rng;
    QSet<QString> m_movieFolders, m_showFolders, m_artists, m_albums; // lower-cased
    QStringList m_artistList; // m_artists in creation order, for deterministic picks
};

} // namespace Revenge::Bench
