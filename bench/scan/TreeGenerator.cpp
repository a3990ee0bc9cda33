#include "scan/TreeGenerator.h"

#include <QDir>
#include <QFile>
#include <algorithm>
#include <cmath>

namespace Revenge::Bench {

namespace {

using Kind = Identification::Kind;

// Compact word lists embedded in the source (no downloads), split once on first use. Words the
// filename parser reads as quality/edition noise or extra types (Extended, Trailer, Theme,
// Sample, Poster, Disc, Part, Season, ...) are left out: real titles rarely end in them, and a
// title that does would make the realism check measure the word list, not the names.
const char *const kAdjectives =
    "Silent Broken Golden Hidden Last Lost Dark Bright Crimson Scarlet Silver Iron Frozen "
    "Savage Gentle Hollow Wild Quiet Distant Endless Forgotten Secret Midnight Eternal Fallen "
    "Rising Wicked Lonely Restless Shattered Velvet Wandering Bitter Sweet Cold Warm Empty "
    "Blue Black White Red Green Grey Emerald Amber Ivory Obsidian Electric Atomic Cosmic "
    "Invisible Ancient Modern Brave Fearless Reckless Honest Crooked Twisted Sacred Cursed "
    "Haunted Hungry Sleepless Dreaming Falling Flying Running Dancing Northern Southern Royal "
    "Imperial Rebel Outlaw Lucky Perfect Strange Curious Dangerous Beautiful Terrible Glorious "
    "Mysterious Gilded Rusted Paper Glass Stone Wooden Marble Copper Bronze Crystal Neon Radiant "
    "Pale Faded Vivid Hazy Misty Stormy Sunny Rainy Deep Narrow Little Giant Gothic Lunar Solar "
    "Stellar Primal Feral Noble Humble Proud Jealous Furious Brilliant Clever Foolish Merry Grim";
const char *const kNouns =
    "River Road Heart Night Storm Shadow Fire Ocean Mountain Garden House City Kingdom Empire "
    "Dream Memory Promise Secret Song Voice Letter Journey Harbor Island Forest Desert Valley "
    "Tower Bridge Window Door Mirror Clock Crown Sword Shield Arrow Wolf Raven Fox Lion Tiger "
    "Dragon Serpent Horse Hunter Stranger Soldier Doctor Detective Witness Prisoner Thief King "
    "Queen Prince Sister Brother Mother Father Daughter Son Widow Orphan Angel Devil Ghost Saint "
    "Sinner Machine Signal Code Protocol Mission Escape Return Revenge Rescue Reckoning Summer "
    "Winter Autumn Spring Morning Evening Dawn Dusk Horizon Frontier Border Station Highway "
    "Engine Circus Carnival Festival Wedding Funeral Harvest Flood Fever Hunger Silence Thunder "
    "Lightning Comet Planet Moon Star Galaxy Orbit Empire Colony Paradise Labyrinth Maze Puzzle "
    "Riddle Game Gambit Heist Chase Hunt Trap Lullaby Anthem Ballad Requiem Symphony Serenade";
const char *const kPlaces =
    "Paris Berlin Tokyo Cairo Havana Lisbon Vienna Prague Dublin Oslo Madrid Rome Venice Naples "
    "Boston Chicago Memphis Detroit Denver Phoenix Austin Seattle Brooklyn Harlem Manhattan "
    "Savannah Tangier Marrakesh Istanbul Budapest Warsaw Sydney Auckland Montreal Quebec Alaska "
    "Texas Montana Nevada Dakota Carolina Georgia Avalon Eden Atlantis Babylon Sparta Troy "
    "Camelot Arcadia Zanzibar Casablanca Bombay Shanghai Kyoto Hanoi Manila Lagos Nairobi Cusco";
const char *const kFirstNames =
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony "
    "Betty Mark Sandra Paul Ashley Steven Emily Andrew Donna Joshua Michelle Kevin Carol Brian "
    "Amanda George Melissa Edward Deborah Ronald Stephanie Timothy Rebecca Jason Laura Jeffrey "
    "Helen Ryan Sharon Jacob Cynthia Gary Kathleen Nicholas Amy Eric Angela Jonathan Anna "
    "Stephen Ruth Larry Brenda Justin Pamela Scott Nicole Brandon Katherine Frank Samantha "
    "Gregory Christine Raymond Emma Benjamin Catherine Samuel Virginia Patrick Rachel Alexander";
const char *const kLastNames =
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Taylor Moore Jackson Martin Lee Perez Thompson Harris Sanchez "
    "Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores "
    "Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans "
    "Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson";
const char *const kSceneGroups =
    "SPARKS GECKOS FLUX CAKES AMIABLE DIMENSION KILLERS EDITH SiGMA NTb playWEB TEPES SMURF "
    "GGEZ ROVERS DRONES FGT EVO CMRG NOGRP BLOW ION10 TOMMY MeGusta";
const char *const kAnimeGroups = "SubsPlease Erai-raws HorribleSubs Judas EMBER ASW Commie";

struct Words
{
    QStringList adjectives, nouns, places, firstNames, lastNames, sceneGroups, animeGroups;
};

const Words &words()
{
    static const Words w{
        QString::fromLatin1(kAdjectives).split(QLatin1Char(' '), Qt::SkipEmptyParts),
        QString::fromLatin1(kNouns).split(QLatin1Char(' '), Qt::SkipEmptyParts),
        QString::fromLatin1(kPlaces).split(QLatin1Char(' '), Qt::SkipEmptyParts),
        QString::fromLatin1(kFirstNames).split(QLatin1Char(' '), Qt::SkipEmptyParts),
        QString::fromLatin1(kLastNames).split(QLatin1Char(' '), Qt::SkipEmptyParts),
        QString::fromLatin1(kSceneGroups).split(QLatin1Char(' '), Qt::SkipEmptyParts),
        QString::fromLatin1(kAnimeGroups).split(QLatin1Char(' '), Qt::SkipEmptyParts)};
    return w;
}

constexpr qint64 KB = 1024, MB = 1024 * KB, GB = 1024 * MB;

QString two(int n)
{
    return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0'));
}

QString sxe(int season, int episode)
{
    return QStringLiteral("S%1E%2").arg(two(season), two(episode));
}

GeneratedFile file(const QString &path, qint64 size, Kind kind)
{
    GeneratedFile f;
    f.path = path;
    f.size = size;
    f.kind = kind;
    return f;
}

} // namespace

QJsonObject TreeCounts::toJson() const
{
    return QJsonObject{
        {QStringLiteral("files"), files},          {QStringLiteral("directories"), directories},
        {QStringLiteral("bytes"), bytes},          {QStringLiteral("movies"), movies},
        {QStringLiteral("episodes"), episodes},    {QStringLiteral("tracks"), tracks},
        {QStringLiteral("subtitles"), subtitles},  {QStringLiteral("extras"), extras},
        {QStringLiteral("other"), other},          {QStringLiteral("movie_files"), movieFiles},
        {QStringLiteral("show_files"), showFiles}, {QStringLiteral("music_files"), musicFiles}};
}

TreeGenerator::TreeGenerator(quint64 seed)
    : m_seed(seed)
    , m_rng(seed)
{}

const QStringList &TreeGenerator::categories()
{
    static const QStringList list{QStringLiteral("movies"), QStringLiteral("shows"),
                                  QStringLiteral("music")};
    return list;
}

QString TreeGenerator::topFolder(const QString &category)
{
    if (category == QLatin1String("movies"))
        return QStringLiteral("Movies");
    if (category == QLatin1String("shows"))
        return QStringLiteral("TV Shows");
    if (category == QLatin1String("music"))
        return QStringLiteral("Music");
    return {};
}

int TreeGenerator::bounded(int n)
{
    // Plain modulo of the top bits: deterministic across standard libraries, which the std
    // distributions are not; the bias is negligible for these ranges.
    return n <= 0 ? 0 : int((next() >> 11) % quint64(n));
}

double TreeGenerator::unit()
{
    return double(next() >> 11) * (1.0 / 9007199254740992.0);
}

qint64 TreeGenerator::sizeBetween(qint64 lo, qint64 hi)
{
    return lo + qint64(unit() * double(hi - lo));
}

int TreeGenerator::year(int from)
{
    // Skewed towards recent years, as libraries are.
    const double u = std::pow(unit(), 1.7);
    return std::clamp(2025 - int((2025 - from + 1) * u), from, 2025);
}

QString TreeGenerator::title(int minWords, int maxWords)
{
    const Words &w = words();
    QString t;
    switch (bounded(10)) {
    case 0:
    case 1:
        t = QStringLiteral("The %1 %2").arg(pick(w.adjectives), pick(w.nouns));
        break;
    case 2:
        t = QStringLiteral("%1 %2").arg(pick(w.adjectives), pick(w.nouns));
        break;
    case 3:
        t = QStringLiteral("%1 of %2").arg(pick(w.nouns), pick(w.places));
        break;
    case 4:
        t = QStringLiteral("The %1 of the %2").arg(pick(w.nouns), pick(w.nouns));
        break;
    case 5:
        t = QStringLiteral("%1's %2").arg(pick(w.firstNames), pick(w.nouns));
        break;
    case 6:
        t = QStringLiteral("%1 %2").arg(pick(w.places), pick(w.nouns));
        break;
    case 7:
        t = QStringLiteral("%1 & %2").arg(pick(w.nouns), pick(w.nouns));
        break;
    case 8:
        t = QStringLiteral("The %1").arg(pick(w.nouns));
        break;
    default:
        t = pick(w.adjectives) + QLatin1Char(' ') + pick(w.adjectives) + QLatin1Char(' ') +
            pick(w.nouns);
        break;
    }
    // Clip to the requested word count (track and album titles are shorter).
    QStringList parts = t.split(QLatin1Char(' '));
    const int n = std::clamp(int(parts.size()), minWords, maxWords);
    while (parts.size() > n)
        parts.removeFirst();
    while (parts.size() < n)
        parts.prepend(pick(w.adjectives));
    while (!parts.isEmpty() &&
           (parts.first() == QLatin1String("&") || parts.first() == QLatin1String("of") ||
            parts.first() == QLatin1String("the")))
        parts.removeFirst();
    if (parts.isEmpty())
        parts << pick(w.nouns);
    return parts.join(QLatin1Char(' '));
}

QString TreeGenerator::uniqueName(QSet<QString> &used, const std::function<QString()> &make)
{
    for (int attempt = 0;; ++attempt) {
        QString name = make();
        if (attempt > 20) // word lists exhausted for this pattern: number it, as real sequels do
            name += QStringLiteral(" %1").arg(attempt);
        const QString key = name.toLower();
        if (!used.contains(key)) {
            used.insert(key);
            return name;
        }
    }
}

QString TreeGenerator::personName()
{
    return pick(words().firstNames) + QLatin1Char(' ') + pick(words().lastNames);
}

QString TreeGenerator::sceneName(const QString &title) const
{
    QString out;
    for (const QString &word : title.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        QString clean;
        for (const QChar c : word)
            if (c.isLetterOrNumber())
                clean += c;
        if (word == QLatin1String("&"))
            clean = QStringLiteral("and");
        if (clean.isEmpty())
            continue;
        if (!out.isEmpty())
            out += QLatin1Char('.');
        out += clean;
    }
    return out;
}

QString TreeGenerator::releaseGroup()
{
    return pick(words().sceneGroups);
}

void TreeGenerator::movie(const Add &add)
{
    int y = 0;
    QString t;
    uniqueName(m_movieFolders, [&] {
        t = title();
        if (chance(0.04))
            t += QStringLiteral(" - ") + title(2, 3); // "Title: Subtitle" on disk
        else if (chance(0.03))
            t += QStringLiteral(" %1").arg(between(2, 4)); // a sequel
        y = year(1930);
        return QStringLiteral("%1 (%2)").arg(t).arg(y);
    });
    const QString named = QStringLiteral("%1 (%2)").arg(t).arg(y);
    auto expect = [&](GeneratedFile f) {
        f.title = t;
        f.year = y;
        return f;
    };
    static const QStringList qualities{QStringLiteral("720p"), QStringLiteral("1080p"),
                                       QStringLiteral("1080p"), QStringLiteral("2160p")};
    const QString quality = pick(qualities);
    const qint64 videoSize = quality == QLatin1String("2160p")   ? sizeBetween(15 * GB, 65 * GB)
                             : quality == QLatin1String("1080p") ? sizeBetween(4 * GB, 16 * GB)
                                                                 : sizeBetween(1 * GB, 4 * GB);
    const double style = unit();
    QString dir, base;
    QString ext = QStringLiteral("mkv");
    if (style < 0.55) {
        // Radarr-style: Title (Year)/Title (Year) [Bluray-1080p].mkv
        dir = named;
        static const QStringList tags{QString(),
                                      QString(),
                                      QStringLiteral(" [%1]"),
                                      QStringLiteral(" [Bluray-%1]"),
                                      QStringLiteral(" [WEBDL-%1]"),
                                      QStringLiteral(" - %1")};
        const QString tag = pick(tags);
        base = named + (tag.isEmpty() ? tag : tag.arg(quality));
        if (chance(0.04))
            base += chance(0.5) ? QStringLiteral(" - Director's Cut")
                                : QStringLiteral(" - Extended Edition");
        if (chance(0.15))
            ext = chance(0.8) ? QStringLiteral("mp4") : QStringLiteral("avi");
    } else if (style < 0.82) {
        // Scene release kept as downloaded.
        static const QStringList sources{QStringLiteral("BluRay.x264"),
                                         QStringLiteral("BluRay.x265"),
                                         QStringLiteral("WEB-DL.DDP5.1.H.264"),
                                         QStringLiteral("WEBRip.x264"), QStringLiteral("REMUX")};
        base = QStringLiteral("%1.%2.%3.%4-%5")
                   .arg(sceneName(t))
                   .arg(y)
                   .arg(quality, pick(sources), releaseGroup());
        dir = base;
    } else if (style < 0.9) {
        // A loose file in the movies folder.
        base = named;
    } else {
        // Folder named, file named differently (lower case, no year).
        dir = named;
        base = sceneName(t).toLower() + QLatin1Char('.') + quality;
    }
    const QString at = dir.isEmpty() ? QString() : dir + QLatin1Char('/');
    if (!add(expect(file(at + base + QLatin1Char('.') + ext, videoSize, Kind::Movie))))
        return;
    // Subtitles next to the video.
    if (chance(0.35))
        add(expect(file(at + base + QStringLiteral(".en.srt"), sizeBetween(40 * KB, 140 * KB),
                        Kind::Subtitle)));
    if (chance(0.12)) {
        static const QStringList langs{QStringLiteral("de"),    QStringLiteral("fr"),
                                       QStringLiteral("es"),    QStringLiteral("it"),
                                       QStringLiteral("pt-br"), QStringLiteral("nl")};
        add(expect(file(at + base + QLatin1Char('.') + pick(langs) + QStringLiteral(".srt"),
                        sizeBetween(40 * KB, 140 * KB), Kind::Subtitle)));
    }
    if (chance(0.04))
        add(expect(file(at + base + QStringLiteral(".en.forced.srt"), sizeBetween(2 * KB, 9 * KB),
                        Kind::Subtitle)));
    if (dir.isEmpty())
        return;
    // Artwork and metadata written by Radarr, Kodi or Jellyfin.
    if (chance(0.65))
        add(expect(
            file(at + QStringLiteral("poster.jpg"), sizeBetween(150 * KB, 2 * MB), Kind::Extra)));
    if (chance(0.45))
        add(expect(
            file(at + QStringLiteral("fanart.jpg"), sizeBetween(300 * KB, 4 * MB), Kind::Extra)));
    if (chance(0.45))
        add(expect(file(at + (chance(0.7) ? QStringLiteral("movie.nfo") : base + ".nfo"),
                        sizeBetween(2 * KB, 12 * KB), Kind::Unknown)));
    if (chance(0.05))
        add(expect(file(at + named + QStringLiteral("-trailer.mp4"), sizeBetween(20 * MB, 200 * MB),
                        Kind::Extra)));
    if (chance(0.03))
        add(expect(file(at + QStringLiteral("Featurettes/") + title(2, 3) + QStringLiteral(".mkv"),
                        sizeBetween(100 * MB, 900 * MB), Kind::Extra)));
    if (style >= 0.55 && style < 0.82 && chance(0.3))
        add(expect(
            file(at + QStringLiteral("Sample/") + base.toLower() + QStringLiteral("-sample.mkv"),
                 sizeBetween(30 * MB, 120 * MB), Kind::Extra)));
}

void TreeGenerator::show(const Add &add)
{
    const Words &w = words();
    int y = year(1970);
    QString t;
    const QString folder = uniqueName(m_showFolders, [&] {
        t = title(1, 4);
        return chance(0.8) ? QStringLiteral("%1 (%2)").arg(t).arg(y) : t;
    });
    auto expect = [&](GeneratedFile f) {
        f.series = t;
        return f;
    };
    const double style = unit();
    enum
    {
        Sonarr,
        Scene,
        Anime,
        Daily,
        Cross,
        Bare
    } kind;
    kind = style < 0.55   ? Sonarr
           : style < 0.75 ? Scene
           : style < 0.87 ? Anime
           : style < 0.92 ? Daily
           : style < 0.96 ? Cross
                          : Bare;
    // Show-level artwork and metadata first: a show cut short by the budget still has files.
    const QString at = folder + QLatin1Char('/');
    if (chance(0.5))
        add(file(at + QStringLiteral("tvshow.nfo"), sizeBetween(2 * KB, 10 * KB), Kind::Unknown));
    if (chance(0.7))
        add(file(at + QStringLiteral("poster.jpg"), sizeBetween(150 * KB, 2 * MB), Kind::Extra));
    if (chance(0.4))
        add(file(at + QStringLiteral("fanart.jpg"), sizeBetween(300 * KB, 4 * MB), Kind::Extra));
    if (chance(0.2))
        add(file(at + QStringLiteral("banner.jpg"), sizeBetween(50 * KB, 300 * KB), Kind::Extra));

    const bool subtitles = chance(0.25);
    const bool episodeNfo = chance(0.15);
    const bool thumbs = chance(0.1);
    static const QStringList tvQualities{QStringLiteral("HDTV-720p"), QStringLiteral("WEBDL-1080p"),
                                         QStringLiteral("Bluray-1080p"),
                                         QStringLiteral("WEBRip-2160p")};
    const QString quality = pick(tvQualities);
    const bool tagged = chance(0.4);
    const QString group = kind == Anime ? pick(w.animeGroups) : releaseGroup();
    static const QStringList sources{QStringLiteral("HDTV.x264"), QStringLiteral("WEB.h264"),
                                     QStringLiteral("AMZN.WEB-DL.DDP5.1.H.264"),
                                     QStringLiteral("BluRay.x264")};
    const QString source = pick(sources);
    const bool shortSeasonName = kind == Scene && chance(0.5); // "Season 1", not "Season 01"
    const qint64 lo = quality.endsWith(QLatin1String("720p")) ? 200 * MB : 700 * MB;
    const qint64 hi = quality.endsWith(QLatin1String("2160p")) ? 9 * GB : 3 * GB;

    // Accessories of one episode file: subtitle, .nfo, thumbnail, all named after it.
    auto extras = [&](const QString &dir, const QString &base, GeneratedFile like) {
        if (subtitles && chance(0.8)) {
            like.kind = Kind::Subtitle;
            like.path = dir + base + QStringLiteral(".en.srt");
            like.size = sizeBetween(20 * KB, 90 * KB);
            if (!add(like))
                return false;
        }
        if (episodeNfo) {
            if (!add(file(dir + base + QStringLiteral(".nfo"), sizeBetween(1 * KB, 6 * KB),
                          Kind::Unknown)))
                return false;
        }
        if (thumbs) {
            GeneratedFile thumb = file(dir + base + QStringLiteral("-thumb.jpg"),
                                       sizeBetween(30 * KB, 250 * KB), Kind::Extra);
            if (!add(thumb))
                return false;
        }
        return true;
    };

    if (kind == Anime) {
        // [Group] Show - 05 [1080p].mkv: absolute numbers, usually no season folders.
        const int episodes = chance(0.2) ? between(40, 160) : between(11, 26);
        const bool inSeason = chance(0.3);
        const QString dir = at + (inSeason ? QStringLiteral("Season 01/") : QString());
        const QString res = chance(0.7) ? QStringLiteral("1080p") : QStringLiteral("720p");
        for (int e = 1; e <= episodes; ++e) {
            const QString num =
                episodes >= 100 ? QStringLiteral("%1").arg(e, 3, 10, QLatin1Char('0')) : two(e);
            const QString base = QStringLiteral("[%1] %2 - %3 [%4]").arg(group, t, num, res);
            GeneratedFile f = expect(file(dir + base + QStringLiteral(".mkv"),
                                          sizeBetween(250 * MB, 1400 * MB), Kind::Episode));
            f.episode = e;
            if (!add(f) || !extras(dir, base, f))
                return;
        }
        return;
    }

    if (kind == Daily) {
        // Show/Season 2023/Show - 2023-05-14 - Guest Name.mkv
        const int seasons = between(1, 3);
        QDate day(std::min(y, 2021), 1, 1);
        day = day.addDays(bounded(200));
        for (int s = 0; s < seasons; ++s) {
            const int count = between(20, 90);
            for (int e = 0; e < count; ++e) {
                day = day.addDays(day.dayOfWeek() >= 5 ? 8 - day.dayOfWeek() : 1);
                const QString dir = at + QStringLiteral("Season %1/").arg(day.year());
                const QString base =
                    QStringLiteral("%1 - %2 - %3").arg(t, day.toString(Qt::ISODate), personName());
                GeneratedFile f = expect(file(dir + base + QStringLiteral(".mkv"),
                                              sizeBetween(300 * MB, 1500 * MB), Kind::Episode));
                f.date = day;
                if (!add(f) || !extras(dir, base, f))
                    return;
            }
        }
        return;
    }

    const double r = unit();
    const int seasons = r < 0.6 ? between(1, 3) : r < 0.9 ? between(4, 7) : between(8, 12);
    const bool specials = chance(0.1);
    const int perSeason = chance(0.45) ? between(6, 13) : chance(0.6) ? between(18, 24) : 10;
    for (int s = specials ? 0 : 1; s <= seasons; ++s) {
        const QString seasonDir =
            s == 0 ? QStringLiteral("Specials")
                   : QStringLiteral("Season %1").arg(shortSeasonName ? QString::number(s) : two(s));
        const QString dir = at + seasonDir + QLatin1Char('/');
        if (s > 0 && chance(0.3))
            add(file(at + QStringLiteral("season%1-poster.jpg").arg(two(s)),
                     sizeBetween(100 * KB, 1 * MB), Kind::Extra));
        const int episodes = s == 0 ? between(1, 4) : std::max(1, perSeason + between(-2, 2));
        for (int e = 1; e <= episodes; ++e) {
            int last = e;
            if (kind == Sonarr && e < episodes && chance(0.03))
                last = e + 1; // a double episode in one file
            const QString epTitle = title(1, 4);
            QString base;
            switch (kind) {
            case Sonarr:
                base = QStringLiteral("%1 - %2%3 - %4%5")
                           .arg(folder, sxe(s, e),
                                last > e ? QStringLiteral("-E%1").arg(two(last)) : QString(),
                                epTitle, tagged ? QStringLiteral(" [%1]").arg(quality) : QString());
                break;
            case Scene:
                base = QStringLiteral("%1.%2.%3.%4-%5")
                           .arg(sceneName(t) + (folder.endsWith(QLatin1Char(')'))
                                                    ? QStringLiteral(".%1").arg(y)
                                                    : QString()),
                                sxe(s, e), quality.section(QLatin1Char('-'), -1), source, group);
                break;
            case Cross:
                base = QStringLiteral("%1 - %2x%3 - %4").arg(t).arg(s).arg(two(e)).arg(epTitle);
                break;
            default: // Bare: the folders name the show and season
                base = QStringLiteral("%1 - %2").arg(two(e), epTitle);
                break;
            }
            GeneratedFile f = expect(
                file(dir + base + QStringLiteral(".mkv"), sizeBetween(lo, hi), Kind::Episode));
            f.season = s;
            f.episode = e;
            if (!add(f) || !extras(dir, base, f))
                return;
            e = last;
        }
    }
}

void TreeGenerator::album(const Add &add)
{
    const Words &w = words();
    // Half the albums belong to an artist already in the library (discographies).
    QString artist;
    if (!m_artists.isEmpty() && chance(0.5)) {
        // QSet order is not deterministic: pick from the ordered list instead.
        artist = m_artistList.at(bounded(int(m_artistList.size())));
    } else {
        artist = uniqueName(m_artists, [&]() -> QString {
            switch (bounded(5)) {
            case 0:
                return personName();
            case 1:
                return QStringLiteral("The %1s").arg(pick(w.nouns));
            case 2:
                return QStringLiteral("%1 %2").arg(pick(w.adjectives), pick(w.nouns));
            case 3:
                return QStringLiteral("%1 & the %2s").arg(pick(w.firstNames), pick(w.nouns));
            default:
                return QString(pick(w.adjectives) + pick(w.nouns).toLower());
            }
        });
        m_artistList << artist;
        if (chance(0.2) && !add(file(artist + QStringLiteral("/artist.jpg"),
                                     sizeBetween(100 * KB, 1 * MB), Kind::Extra)))
            return;
    }
    const int y = year(1960);
    const QString albumTitle = uniqueName(m_albums, [&] { return title(1, 3); });
    const double fs = unit();
    const QString albumDir = fs < 0.7    ? QStringLiteral("%1 (%2)").arg(albumTitle).arg(y)
                             : fs < 0.85 ? QStringLiteral("%1 - %2").arg(y).arg(albumTitle)
                             : fs < 0.95
                                 ? QStringLiteral("%1 - %2 (%3)").arg(artist, albumTitle).arg(y)
                                 : albumTitle;
    const QString at = artist + QLatin1Char('/') + albumDir + QLatin1Char('/');
    const double fr = unit();
    const QString ext = fr < 0.55   ? QStringLiteral("flac")
                        : fr < 0.95 ? QStringLiteral("mp3")
                                    : QStringLiteral("m4a");
    const qint64 lo = ext == QLatin1String("flac") ? 15 * MB : 3 * MB;
    const qint64 hi = ext == QLatin1String("flac") ? 60 * MB : 12 * MB;
    const int discs = chance(0.08) ? between(2, 3) : 1;
    const double ns = unit();
    for (int d = 1; d <= discs; ++d) {
        const QString dir =
            at + (discs > 1
                      ? (chance(0.7) ? QStringLiteral("CD%1/") : QStringLiteral("Disc %1/")).arg(d)
                      : QString());
        const int tracks = between(8, 16);
        for (int n = 1; n <= tracks; ++n) {
            const QString name = title(1, 4);
            const QString base = ns < 0.6    ? QStringLiteral("%1 - %2").arg(two(n), name)
                                 : ns < 0.75 ? QStringLiteral("%1. %2").arg(two(n), name)
                                 : ns < 0.88
                                     ? QStringLiteral("%1 %2").arg(two(n), name)
                                     : QStringLiteral("%1 - %2 - %3").arg(two(n), artist, name);
            GeneratedFile f =
                file(dir + base + QLatin1Char('.') + ext, sizeBetween(lo, hi), Kind::Track);
            f.title = name;
            f.artist = artist;
            f.album = albumTitle;
            f.track = n;
            f.disc = discs > 1 ? d : 0;
            if (!add(f))
                return;
        }
    }
    if (chance(0.6))
        add(file(at + QStringLiteral("folder.jpg"), sizeBetween(80 * KB, 1500 * KB), Kind::Extra));
    else if (chance(0.5))
        add(file(at + QStringLiteral("cover.jpg"), sizeBetween(80 * KB, 1500 * KB), Kind::Extra));
    if (ext == QLatin1String("flac") && chance(0.3)) {
        add(file(at + albumTitle + QStringLiteral(".cue"), sizeBetween(1 * KB, 4 * KB),
                 Kind::Unknown));
        add(file(at + albumTitle + QStringLiteral(".log"), sizeBetween(4 * KB, 20 * KB),
                 Kind::Unknown));
    }
}

TreeCounts TreeGenerator::generate(int count,
                                   const std::function<void(const GeneratedFile &)> &visit)
{
    // A fresh generator state per call, so generate() and write() agree for one seed.
    m_rng.seed(m_seed);
    m_movieFolders.clear();
    m_showFolders.clear();
    m_artists.clear();
    m_artistList.clear();
    m_albums.clear();

    TreeCounts counts;
    count = std::max(0, count);
    const qint64 movieBudget = qRound64(count * 0.30);
    const qint64 showBudget = qRound64(count * 0.45);
    const qint64 budgets[] = {movieBudget, showBudget, count - movieBudget - showBudget};
    QSet<QString> dirs;
    for (int c = 0; c < 3; ++c) {
        const QString category = categories().at(c);
        const QString top = topFolder(category);
        qint64 left = budgets[c];
        const Add add = [&](GeneratedFile f) {
            if (left <= 0)
                return false;
            --left;
            f.category = category;
            f.path = top + QLatin1Char('/') + f.path;
            ++counts.files;
            counts.bytes += f.size;
            (c == 0 ? counts.movieFiles : c == 1 ? counts.showFiles : counts.musicFiles)++;
            switch (f.kind) {
            case Kind::Movie:
                ++counts.movies;
                break;
            case Kind::Episode:
                ++counts.episodes;
                break;
            case Kind::Track:
                ++counts.tracks;
                break;
            case Kind::Subtitle:
                ++counts.subtitles;
                break;
            case Kind::Extra:
                ++counts.extras;
                break;
            case Kind::Unknown:
                ++counts.other;
                break;
            }
            for (QString d = f.path.section(QLatin1Char('/'), 0, -2); !d.isEmpty();
                 d = d.section(QLatin1Char('/'), 0, -2)) {
                if (dirs.contains(d))
                    break;
                dirs.insert(d);
                if (!d.contains(QLatin1Char('/')))
                    break;
            }
            if (visit)
                visit(f);
            return true;
        };
        while (left > 0) {
            if (c == 0)
                movie(add);
            else if (c == 1)
                show(add);
            else
                album(add);
        }
    }
    counts.directories = dirs.size();
    return counts;
}

std::optional<TreeCounts>
TreeGenerator::write(const QString &root, int count, QString *error,
                     const std::function<void(const GeneratedFile &)> &visit)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (root.isEmpty())
        return fail(QStringLiteral("root: empty path"));
    if (!QDir().mkpath(root))
        return fail(QStringLiteral("root: cannot create '%1'").arg(root));
    const QString base = QDir(root).absolutePath() + QLatin1Char('/');
    QString lastDir;
    QString failure;
    const TreeCounts counts = generate(count, [&](const GeneratedFile &f) {
        if (!failure.isEmpty())
            return;
        const QString path = base + f.path;
        const QString dir = path.section(QLatin1Char('/'), 0, -2);
        if (dir != lastDir) {
            if (!QDir().mkpath(dir)) {
                failure = QStringLiteral("cannot create folder '%1'").arg(dir);
                return;
            }
            lastDir = dir;
        }
        // Empty file, then its size: a sparse file, no data blocks written.
        QFile out(path);
        if (!out.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
            failure = QStringLiteral("cannot create '%1': %2").arg(path, out.errorString());
            return;
        }
        if (!out.resize(f.size)) {
            failure = QStringLiteral("cannot size '%1' to %2 bytes: %3")
                          .arg(path)
                          .arg(f.size)
                          .arg(out.errorString());
            return;
        }
        if (visit)
            visit(f);
    });
    if (!failure.isEmpty())
        return fail(failure);
    return counts;
}

} // namespace Revenge::Bench
