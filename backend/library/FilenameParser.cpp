#include "FilenameParser.h"

#include <QRegularExpression>
#include <QSet>
#include <QStringList>

namespace Revenge {

namespace {

using Kind = Identification::Kind;
using RE = QRegularExpression;

constexpr auto CI = RE::CaseInsensitiveOption;

enum class FileClass
{
    Video,
    Audio,
    Subtitle,
    Image,
    Other
};

const QHash<QString, QString> &kindsByExtension()
{
    static const QHash<QString, QString> kinds = [] {
        QHash<QString, QString> h;
        const auto add = [&h](const char *kind, std::initializer_list<const char *> exts) {
            for (const char *e : exts)
                h.insert(QString::fromLatin1(e), QString::fromLatin1(kind));
        };
        add("video",
            {"mkv", "mp4",  "m4v", "avi", "mov", "wmv", "mpg", "mpeg", "m2v",  "ts",   "m2ts",
             "mts", "webm", "flv", "f4v", "ogv", "ogm", "vob", "3gp",  "divx", "rmvb", "asf"});
        add("audio", {"mp3", "flac", "m4a", "m4b", "aac", "ogg", "oga", "opus", "wav", "wma",
                      "alac", "aiff", "aif", "ape", "wv", "mka", "dsf", "dff", "mp2"});
        add("subtitle", {"srt", "ass", "ssa", "sub", "idx", "vtt", "sup", "smi"});
        add("image", {"jpg", "jpeg", "png", "webp", "gif", "bmp", "tbn"});
        add("nfo", {"nfo"});
        return h;
    }();
    return kinds;
}

FileClass classify(const QString &ext)
{
    const QString kind = kindsByExtension().value(ext);
    if (kind == QLatin1String("video"))
        return FileClass::Video;
    if (kind == QLatin1String("audio"))
        return FileClass::Audio;
    if (kind == QLatin1String("subtitle"))
        return FileClass::Subtitle;
    if (kind == QLatin1String("image"))
        return FileClass::Image;
    // Not files a library plays, but their names still read as the movie they hold.
    static const QSet<QString> videoLike{QStringLiteral("iso"), QStringLiteral("ifo"),
                                         QStringLiteral("img"), QStringLiteral("strm")};
    return videoLike.contains(ext) ? FileClass::Video : FileClass::Other;
}

// Quality, source, codec and edition words that end a title. Words that are also ordinary
// English ("Web", "Limited", "Complete") only count in the upper case scene names use.
bool isNoise(const QString &token)
{
    static const RE ci(
        QStringLiteral(
            R"(^(?:\d{3,4}[pi]|[48]k|uhd|x26[45]|h26[45]|hevc|avc|xvid|divx|10-?bit|8-?bit|)"
            R"(hi10p?|blu-?ray|bdrip|brrip|bd-?remux|remux|web-?dl|web-?rip|hdtv(?:rip)?|pdtv|)"
            R"(dvd-?rip|dvdscr|dvd[59r]|hdrip|hdcam|camrip|telesync|aac[0-9.]*|e?ac-?3[0-9.]*|)"
            R"(ddp?[0-9.]+|ddp|dd\+[0-9.]*|dts(?:-?hd|-?x|-?ma)?|truehd[0-9.]*|atmos|hdr(?:10)?\+?|)"
            R"(dovi|sdr|proper|repack|rerip|extended|unrated|uncut|remastered|imax|subbed|dubbed|)"
            R"(criterion)$)"),
        CI);
    static const RE cs(QStringLiteral(
        R"(^(?:WEB|DV|NF|AMZN|DSNP|HMAX|ATVP|HULU|PCOK|MA|LIMITED|INTERNAL|MULTI|COMPLETE|HC|)"
        R"(FS|WS|READNFO|TS|CAM|R5|DVD|HD|SD|FLAC|MP3|AAC|MULTi|DUAL|VOSTFR|SUBFRENCH|TRUEFRENCH|)"
        R"(FRENCH|GERMAN|ITALIAN|SPANISH|KOREAN|JAPANESE|CHINESE|SWEDISH|DANISH|NORWEGIAN|FINNISH|)"
        R"(DUTCH|RUSSIAN|POLISH|HINDI|NORDIC|PORTUGUESE|TURKISH)$)"));
    return ci.match(token).hasMatch() || cs.match(token).hasMatch();
}

// "German" in "Show.S02E01.German.1080p": a language name right before noise (or last) is a tag.
bool isLanguageWord(const QString &token)
{
    static const QSet<QString> words{
        QStringLiteral("english"),  QStringLiteral("french"),     QStringLiteral("german"),
        QStringLiteral("italian"),  QStringLiteral("spanish"),    QStringLiteral("korean"),
        QStringLiteral("japanese"), QStringLiteral("chinese"),    QStringLiteral("swedish"),
        QStringLiteral("danish"),   QStringLiteral("norwegian"),  QStringLiteral("finnish"),
        QStringLiteral("dutch"),    QStringLiteral("russian"),    QStringLiteral("polish"),
        QStringLiteral("hindi"),    QStringLiteral("portuguese"), QStringLiteral("turkish")};
    return words.contains(token.toLower());
}

// "Director's Cut", "Extended Edition": the pair ends a title.
bool isEditionPair(const QString &a, const QString &b)
{
    static const QSet<QString> first{
        QStringLiteral("director's"),  QStringLiteral("directors"),  QStringLiteral("director’s"),
        QStringLiteral("final"),       QStringLiteral("special"),    QStringLiteral("ultimate"),
        QStringLiteral("collector's"), QStringLiteral("collectors"), QStringLiteral("anniversary"),
        QStringLiteral("theatrical"),  QStringLiteral("extended"),   QStringLiteral("unrated")};
    static const QSet<QString> second{QStringLiteral("cut"), QStringLiteral("edition"),
                                      QStringLiteral("version")};
    return first.contains(a.toLower()) && second.contains(b.toLower());
}

bool isYear(const QString &token, int *year)
{
    static const RE re(QStringLiteral(R"(^(?:18[89]\d|19\d\d|20\d\d)$)"));
    if (!re.match(token).hasMatch())
        return false;
    const int y = token.toInt();
    // A year in the future is a title ("Blade Runner 2049"), not a release year.
    // Read once: asking the clock (and time zone) per word is most of the parse time.
    static const int latest = QDate::currentDate().year() + 2;
    if (y > latest)
        return false;
    *year = y;
    return true;
}

QString trimSeparators(QString s)
{
    static const RE ends(QStringLiteral(R"(^[\s\-_.,:;~+]+|[\s\-_.,:;~+]+$)"));
    return s.remove(ends);
}

QString qualityOf(const QString &raw)
{
    static const RE re(
        QStringLiteral(
            R"((?<![A-Za-z0-9])(2160p|1440p|1080[pi]|720p|576[pi]|480[pi]|4k|uhd)(?![A-Za-z0-9]))"),
        CI);
    const auto m = re.match(raw);
    if (!m.hasMatch())
        return {};
    const QString q = m.captured(1).toLower();
    return (q == QLatin1String("4k") || q == QLatin1String("uhd")) ? QStringLiteral("2160p") : q;
}

// Stands for the dots of an acronym while names are split on dots; identify() puts them back.
constexpr QChar kAcronymDot(0x2024);

// Turns a raw name into space-separated words: bracketed tags dropped, dots and underscores of
// scene names to spaces, while "H.264" and "DD5.1" stay single words.
QString normalize(QString s)
{
    static const RE h26x(QStringLiteral(R"(\b([hx])\.(26[45])\b)"), CI);
    static const RE channels(
        QStringLiteral(
            R"(\b(DDP?|DD\+|AAC|E?AC-?3|DTS(?:-HD)?|TrueHD|FLAC|Opus)[ .]?([1-9])\.([0-2])\b)"),
        CI);
    static const RE brackets(QStringLiteral(R"(\[[^\]]*\]|\{[^}]*\}|【[^】]*】)"));
    static const RE innerDot(QStringLiteral(R"((?<=\S)\.(?=\S))"));
    // "S.W.A.T.", "E.T.", "S.H.I.E.L.D.": single letters each followed by a dot keep their dots
    // (as a look-alike restored by identify()), so they stay one word.
    static const RE acronym(QStringLiteral(R"((?<![\p{L}\p{N}])(?:\p{L}\.){2,})"));
    s.replace(h26x, QStringLiteral("\\1\\2"));
    if (s.contains(QLatin1Char('.'))) {
        QList<std::pair<qsizetype, qsizetype>> spans;
        for (auto it = acronym.globalMatch(s); it.hasNext();) {
            const auto m = it.next();
            spans.append({m.capturedStart(0), m.capturedEnd(0)});
        }
        for (auto span = spans.crbegin(); span != spans.crend(); ++span) {
            for (qsizetype i = span->first; i < span->second; ++i)
                if (s[i] == QLatin1Char('.'))
                    s[i] = kAcronymDot;
            if (span->second < s.size() && s[span->second] != QLatin1Char(' '))
                s.insert(span->second, QLatin1Char(' ')); // "S.W.A.T.2017" → "S.W.A.T. 2017"
        }
    }
    s.replace(channels, QStringLiteral("\\1\\2\\3"));
    s.replace(brackets, QStringLiteral(" "));
    const bool spaced = s.contains(QLatin1Char(' '));
    s.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (spaced)
        s.replace(innerDot, QStringLiteral(" ")); // "Mr. Robot" keeps its dot
    else
        s.replace(QLatin1Char('.'), QLatin1Char(' '));
    s.replace(QLatin1Char('('), QLatin1Char(' '));
    s.replace(QLatin1Char(')'), QLatin1Char(' '));
    return s.simplified();
}

// "Title.2010.1080p.BluRay.x264-GRP": the release group follows the last noise word.
QString takeReleaseGroup(QString *raw)
{
    static const RE re(QStringLiteral(R"(^(.*?)-([A-Za-z0-9]{2,20})(\s*\[[^\]]*\])?$)"));
    const auto m = re.match(*raw);
    if (!m.hasMatch())
        return {};
    const QString prefix = m.captured(1);
    static const RE separator(QStringLiteral(R"([.\s_])"));
    QString last = prefix.section(separator, -1);
    last.remove(QLatin1Char('(')).remove(QLatin1Char(')'));
    static const RE h26x(QStringLiteral(R"(^[hx]\.?26[45]$)"), CI);
    static const RE channels(QStringLiteral(R"([.\s][1-9]\.[0-2]$)"));
    int y = 0;
    if (!isNoise(last) && !isYear(last, &y) && !h26x.match(last).hasMatch() &&
        !channels.match(prefix).hasMatch() && !prefix.endsWith(QLatin1Char(']')) &&
        !prefix.endsWith(QLatin1String("H.264"), Qt::CaseInsensitive) &&
        !prefix.endsWith(QLatin1String("H.265"), Qt::CaseInsensitive))
        return {};
    *raw = prefix + m.captured(3);
    return m.captured(2);
}

struct NameInfo
{
    QString title;
    std::optional<int> year;
};

// Title and year from normalized words: the title ends at the release year or the first
// noise word. The first word is never a year or noise ("2012", "1917 (2019)").
NameInfo readTitle(const QString &normalized, bool withYear = true, int firstNoise = 1)
{
    NameInfo info;
    QStringList tokens = normalized.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    // Edition phrases ("Director's Cut", "The Final Cut") go, so a year after them still counts;
    // never when they are the whole name ("The Final Cut (2004)").
    for (qsizetype i = 1; i + 1 < tokens.size(); ++i) {
        if (!isEditionPair(tokens[i], tokens[i + 1]))
            continue;
        qsizetype from = i;
        if (tokens[i - 1].compare(QLatin1String("the"), Qt::CaseInsensitive) == 0) {
            if (i == 1)
                continue;
            from = i - 1;
        }
        tokens.remove(from, i + 2 - from);
        i = from - 1;
    }
    qsizetype cut = tokens.size();
    for (qsizetype i = firstNoise; i < tokens.size(); ++i) {
        if (isNoise(tokens[i]) ||
            (isLanguageWord(tokens[i]) && (i + 1 == tokens.size() || isNoise(tokens[i + 1])))) {
            cut = i;
            break;
        }
    }
    qsizetype end = cut;
    if (withYear) {
        for (qsizetype i = 1; i < cut; ++i) {
            int y = 0;
            if (isYear(tokens[i], &y)) {
                info.year = y;
                end = i; // the last year wins: "Blade Runner 2049 (2017)"
            }
        }
    }
    info.title = trimSeparators(tokens.mid(0, end).join(QLatin1Char(' ')));
    return info;
}

struct Marker
{
    qsizetype start = -1, end = -1;
    std::optional<int> season, episode, episodeEnd;
    QDate date;
};

// SxxEyy (multi-episode too), 1x05, "Season 1 Episode 5", daily 2024-01-15.
Marker findMarker(const QString &s)
{
    static const RE sxe(
        QStringLiteral(
            R"(\bS(\d{1,4})\s?E(\d{1,4})((?:\s?-?\s?E\d{1,4})*)(?:-(\d{1,4}))?(?![0-9]))"),
        CI);
    static const RE nx(QStringLiteral(R"(\b(\d{1,2})x(\d{1,3})(?:(?:-|x|-\d{1,2}x)(\d{1,3}))?\b)"),
                       CI);
    static const RE words(QStringLiteral(R"(\bSeason\s?(\d{1,3})\s?-?\s?Episode\s?(\d{1,4})\b)"),
                          CI);
    static const RE daily(QStringLiteral(R"(\b((?:19|20)\d\d)[ -](\d\d)[ -](\d\d)\b)"));
    static const RE num(QStringLiteral(R"(\d+)"));
    Marker m;
    auto set = [&](const QRegularExpressionMatch &r) {
        m.start = r.capturedStart(0);
        m.end = r.capturedEnd(0);
    };
    if (auto r = sxe.match(s); r.hasMatch()) {
        set(r);
        m.season = r.captured(1).toInt();
        m.episode = r.captured(2).toInt();
        int last = *m.episode;
        for (auto it = num.globalMatch(r.captured(3)); it.hasNext();)
            last = std::max(last, it.next().captured(0).toInt());
        if (r.hasCaptured(4))
            last = std::max(last, r.captured(4).toInt());
        if (last > *m.episode)
            m.episodeEnd = last;
        return m;
    }
    if (auto r = words.match(s); r.hasMatch()) {
        set(r);
        m.season = r.captured(1).toInt();
        m.episode = r.captured(2).toInt();
        return m;
    }
    if (auto r = nx.match(s); r.hasMatch()) {
        set(r);
        m.season = r.captured(1).toInt();
        m.episode = r.captured(2).toInt();
        if (r.hasCaptured(3) && r.captured(3).toInt() > *m.episode)
            m.episodeEnd = r.captured(3).toInt();
        return m;
    }
    for (auto it = daily.globalMatch(s); it.hasNext();) {
        const auto r = it.next();
        const QDate d(r.captured(1).toInt(), r.captured(2).toInt(), r.captured(3).toInt());
        if (d.isValid()) {
            set(r);
            m.date = d;
            return m;
        }
    }
    return m;
}

std::optional<int> seasonFolder(const QString &dir)
{
    static const RE re(
        QStringLiteral(
            R"(^(?:season|series|saison|staffel|temporada|stagione)[\s._-]*(\d{1,4})$|^s(\d{1,3})$)"),
        CI);
    static const RE specials(QStringLiteral(R"(^specials?$)"), CI);
    if (specials.match(dir).hasMatch())
        return 0;
    const auto m = re.match(dir.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    return (m.hasCaptured(1) ? m.captured(1) : m.captured(2)).toInt();
}

// Folders inside an item that are not the item: DVD/Blu-ray structure, multi-disc parts.
bool isStructural(const QString &dir)
{
    static const RE re(
        QStringLiteral(R"(^(?:video_ts|audio_ts|bdmv|stream|playlist|clipinf|certificate|backup|)"
                       R"((?:cd|disc|disk|dvd|part)[\s._-]*\d{1,2})$)"),
        CI);
    return re.match(dir).hasMatch();
}

QString extraFolderType(const QString &dir)
{
    static const QHash<QString, QString> map{
        {QStringLiteral("trailers"), QStringLiteral("trailer")},
        {QStringLiteral("trailer"), QStringLiteral("trailer")},
        {QStringLiteral("featurettes"), QStringLiteral("featurette")},
        {QStringLiteral("behind the scenes"), QStringLiteral("behindthescenes")},
        {QStringLiteral("deleted scenes"), QStringLiteral("deleted")},
        {QStringLiteral("interviews"), QStringLiteral("interview")},
        {QStringLiteral("scenes"), QStringLiteral("scene")},
        {QStringLiteral("shorts"), QStringLiteral("short")},
        {QStringLiteral("extras"), QStringLiteral("extra")},
        {QStringLiteral("extra"), QStringLiteral("extra")},
        {QStringLiteral("bonus"), QStringLiteral("extra")},
        {QStringLiteral("other"), QStringLiteral("other")},
        {QStringLiteral("others"), QStringLiteral("other")},
        {QStringLiteral("clips"), QStringLiteral("clip")},
        {QStringLiteral("sample"), QStringLiteral("sample")},
        {QStringLiteral("samples"), QStringLiteral("sample")},
        {QStringLiteral("backdrops"), QStringLiteral("theme")},
        {QStringLiteral("theme-music"), QStringLiteral("theme")}};
    QString key = dir.toLower().simplified();
    key.replace(QLatin1Char('_'), QLatin1Char(' '));
    return map.value(key);
}

// "Movie (2010)-trailer", "movie.sample", "sample-movie": the type, and the name without it.
QString takeExtraSuffix(QString *base)
{
    static const RE suffix(
        QStringLiteral(R"([-._ ](trailer|sample|featurette|behindthescenes|deleted|deletedscene|)"
                       R"(interview|scene|short|extra|other|clip|theme|themesong)\d*$)"),
        CI);
    static const RE prefix(QStringLiteral(R"(^(sample|trailer)(?:[-._ ]|$))"), CI);
    if (auto m = suffix.match(*base); m.hasMatch()) {
        QString type = m.captured(1).toLower();
        if (type == QLatin1String("deletedscene"))
            type = QStringLiteral("deleted");
        if (type == QLatin1String("themesong"))
            type = QStringLiteral("theme");
        base->truncate(m.capturedStart(0));
        return type;
    }
    if (auto m = prefix.match(*base); m.hasMatch()) {
        base->remove(0, m.capturedEnd(0));
        return m.captured(1).toLower();
    }
    return {};
}

bool isGenericName(const QString &base)
{
    static const RE re(
        QStringLiteral(R"(^(?:movie|video|video_ts|vts_\d+_\d+|\d{5}|main|feature|film|index|bdmv|)"
                       R"(trailer|sample|poster|folder|cover|fanart|backdrop|background|banner|)"
                       R"(logo|clearlogo|clearart|landscape|thumb|disc|discart|art|theme)?$)"),
        CI);
    return re.match(base.trimmed()).hasMatch();
}

QString simplifiedKey(const QString &s)
{
    QString out;
    for (const QChar c : s)
        if (c.isLetterOrNumber())
            out += c.toLower();
    return out;
}

class Reader
{
public:
    explicit Reader(Identification &id)
        : m_id(id)
    {}

    // A video (or what a subtitle/extra belongs to): `dirs` are the folders above `base`.
    void video(const QStringList &dirs, QString base)
    {
        // "www.Torrenting.com - Name...", "[ www.Speed.Cd ] - Name...": a tracker's advert.
        static const RE site(
            QStringLiteral(R"(^\s*(?:[\[(]\s*)?www\.[^\s\])]+\.[a-z]{2,4}(?:\s*[\])])?\s*-?\s*)"),
            CI);
        base.remove(site);
        if (m_id.quality.isEmpty())
            m_id.quality = qualityOf(base);
        std::optional<int> folderSeason;
        qsizetype seasonAt = -1;
        for (qsizetype i = dirs.size() - 1; i >= 0; --i) {
            if (auto s = seasonFolder(dirs[i])) {
                folderSeason = s;
                seasonAt = i;
                break;
            }
        }
        const QString showDir =
            seasonAt > 0 ? dirs[seasonAt - 1] : (dirs.isEmpty() ? QString() : dirs.last());
        if (readAnime(base)) {
            if (!m_id.season)
                m_id.season = folderSeason;
            return;
        }
        const QString group = takeReleaseGroup(&base);
        if (m_id.releaseGroup.isEmpty())
            m_id.releaseGroup = group;
        const QString name = normalize(base);

        const Marker marker = findMarker(name);
        if (marker.start >= 0) {
            m_id.kind = Kind::Episode;
            const NameInfo before = readTitle(name.left(marker.start));
            m_id.series = before.title;
            m_id.year = before.year;
            if (m_id.series.isEmpty())
                setSeriesFromFolder(showDir);
            else
                yearFromShowFolder(showDir);
            m_id.season = marker.season;
            if (!m_id.season && marker.date.isNull())
                m_id.season = folderSeason;
            m_id.episode = marker.episode;
            m_id.episodeEnd = marker.episodeEnd;
            m_id.date = marker.date;
            m_id.title = readTitle(name.mid(marker.end), false, 0).title;
            return;
        }
        if (readDashNumber(name)) {
            // "Title - 05" (anime without a [Group]): absolute numbering unless a folder says.
            m_id.season = folderSeason;
            yearFromShowFolder(showDir);
            return;
        }
        if (folderSeason) {
            // Show/Season 1/05 - Title.mkv: the number leads, the title follows.
            static const RE lead(
                QStringLiteral(
                    R"(^(?:(?:e|ep|episode)\s?)?(\d{1,4})(?:\s?-\s?(?:e|ep)?(\d{1,4}))?(?:\s|$))"),
                CI);
            static const RE inner(QStringLiteral(R"(\b(?:e|ep|episode)\s?(\d{1,4})\b)"), CI);
            m_id.kind = Kind::Episode;
            m_id.season = folderSeason;
            setSeriesFromFolder(showDir);
            if (auto m = lead.match(name); m.hasMatch()) {
                m_id.episode = m.captured(1).toInt();
                if (m.hasCaptured(2) && m.captured(2).toInt() > *m_id.episode)
                    m_id.episodeEnd = m.captured(2).toInt();
                m_id.title = readTitle(name.mid(m.capturedEnd(0)), false, 0).title;
            } else if (auto m = inner.match(name); m.hasMatch()) {
                m_id.episode = m.captured(1).toInt();
                m_id.title = readTitle(name.mid(m.capturedEnd(0)), false, 0).title;
            } else {
                m_id.title = readTitle(name).title;
            }
            return;
        }
        movie(dirs, base, name);
    }

    // Artist/Album (Year)/01 - Track.flac, Artist/Album/CD1/1-01 Track.mp3, compilations
    // (Various Artists/Album/01 - Artist - Title.mp3), loose "Artist - Title.mp3".
    void track(QStringList dirs, const QString &base)
    {
        m_id.kind = Kind::Track;
        static const RE discDir(QStringLiteral(R"(^(?:cd|disc|disk)[\s._-]*(\d{1,2})$)"), CI);
        static const RE root(
            QStringLiteral(R"(^(?:music|audio|mp3|flac|albums|library|media|musik|musique)$)"), CI);
        static const RE various(
            QStringLiteral(
                R"(^(?:various(?: artists)?|va|v\.a\.|compilations?|soundtracks?|ost)$)"),
            CI);
        if (!dirs.isEmpty()) {
            if (auto m = discDir.match(dirs.last()); m.hasMatch()) {
                m_id.disc = m.captured(1).toInt();
                dirs.removeLast();
            }
        }
        while (!dirs.isEmpty() && root.match(dirs.first().trimmed()).hasMatch())
            dirs.removeFirst();
        bool compilation = false;
        if (dirs.size() >= 2) {
            m_id.artist = dirs[dirs.size() - 2].trimmed();
            if (various.match(m_id.artist).hasMatch()) {
                compilation = true;
                m_id.artist.clear();
            }
        }
        if (!dirs.isEmpty())
            readAlbum(dirs.last().trimmed(), &compilation);

        QString name = base;
        if (!name.contains(QLatin1Char(' ')))
            name.replace(QLatin1Char('.'), QLatin1Char(' '));
        name.replace(QLatin1Char('_'), QLatin1Char(' '));
        name = name.simplified();
        static const RE number(
            QStringLiteral(R"(^(?:(\d{1,2})[-.](?=\d{2}))?(\d{1,3})(?:\s*[-.]\s*|\s+)(?=\S))"));
        if (auto m = number.match(name); m.hasMatch()) {
            if (m.hasCaptured(1))
                m_id.disc = m.captured(1).toInt();
            m_id.track = m.captured(2).toInt();
            name = name.mid(m.capturedEnd(0));
        }
        if (!m_id.artist.isEmpty()) {
            // "11 - Queen - Bohemian Rhapsody", scene style "01-pink_floyd-speak_to_me".
            if (name.startsWith(m_id.artist, Qt::CaseInsensitive)) {
                static const RE dash(QStringLiteral(R"(^\s*-\s*(?=\S))"));
                if (auto m = dash.match(QStringView(name).mid(m_id.artist.size())); m.hasMatch())
                    name = name.mid(m_id.artist.size() + m.capturedLength(0));
                // "Artist - Album - 01 - Title": the album, then the number.
                if (!m_id.album.isEmpty() &&
                    name.startsWith(m_id.album + QStringLiteral(" - "), Qt::CaseInsensitive))
                    name = name.mid(m_id.album.size() + 3);
                if (auto m = number.match(name); !m_id.track && m.hasMatch()) {
                    m_id.track = m.captured(2).toInt();
                    name = name.mid(m.capturedEnd(0));
                }
            }
        } else {
            // Compilations and loose files: "Artist - Title".
            const qsizetype dash = name.indexOf(QStringLiteral(" - "));
            if (dash > 0 && dash + 3 < name.size()) {
                m_id.artist = trimSeparators(name.left(dash));
                name = name.mid(dash + 3);
            }
        }
        m_id.title = trimSeparators(name);
    }

    // "1969 - Abbey Road", "Kind of Blue (1959) [24-96 FLAC]", "Queen - Greatest Hits (1981)".
    void readAlbum(QString a, bool *compilation)
    {
        static const RE lastBracket(QStringLiteral(R"(\s*[\[(]([^\[\]()]*)[\])]$)"));
        static const RE yearOnly(QStringLiteral(R"(^((?:19|20)\d\d)(?:[-.]\d\d){0,2}$)"));
        static const RE tagOnly(
            QStringLiteral(
                R"(^(?:[\s,;+/-]*(?:flac|mp3|aac|alac|ogg|opus|wav|dsd|320|256|192|v0|v2|web|cd|)"
                R"(vinyl|lp|lossless|hi-?res|remaster(?:ed)?|\d{2}\s?bit|\d{2}-\d{2,3}|)"
                R"(\d{2,3}(?:\.\d)?\s?khz|\d{3}\s?kbps))+[\s,;+/-]*$)"),
            CI);
        static const RE leadingYear(QStringLiteral(R"(^[\[(]?((?:19|20)\d\d)[\])]?\s*-\s*)"));
        for (;;) {
            const auto m = lastBracket.match(a);
            if (!m.hasMatch())
                break;
            if (auto ym = yearOnly.match(m.captured(1).trimmed()); ym.hasMatch()) {
                if (!m_id.year)
                    m_id.year = ym.captured(1).toInt();
            } else if (!tagOnly.match(m.captured(1)).hasMatch()) {
                break;
            }
            a.truncate(m.capturedStart(0));
        }
        if (auto m = leadingYear.match(a); m.hasMatch() && a.size() > m.capturedEnd(0)) {
            if (!m_id.year)
                m_id.year = m.captured(1).toInt();
            a = a.mid(m.capturedEnd(0));
        }
        const qsizetype dash = a.indexOf(QStringLiteral(" - "));
        if (!m_id.artist.isEmpty() &&
            a.startsWith(m_id.artist + QStringLiteral(" - "), Qt::CaseInsensitive)) {
            a = a.mid(m_id.artist.size() + 3);
        } else if (m_id.artist.isEmpty() && !*compilation && dash > 0) {
            // "Queen - Greatest Hits" with no artist folder above it.
            static const RE various(QStringLiteral(R"(^(?:various(?: artists)?|va|v\.a\.)$)"), CI);
            const QString who = a.left(dash).trimmed();
            if (various.match(who).hasMatch())
                *compilation = true;
            else
                m_id.artist = who;
            a = a.mid(dash + 3);
        }
        m_id.album = trimSeparators(a);
    }

    // The item a folder names: a movie folder, or a season folder of a show.
    void owner(const QStringList &dirs)
    {
        QStringList above = dirs;
        while (!above.isEmpty() && isStructural(above.last()))
            above.removeLast();
        if (above.isEmpty())
            return;
        const QString dir = above.takeLast();
        if (auto s = seasonFolder(dir)) {
            m_id.season = s;
            if (!above.isEmpty())
                setSeriesFromFolder(above.last());
            return;
        }
        const NameInfo info = readTitle(normalize(dir));
        m_id.title = info.title;
        m_id.year = info.year;
        if (m_id.quality.isEmpty())
            m_id.quality = qualityOf(dir);
    }

private:
    bool readAnime(const QString &base)
    {
        // [Group] Title - 05 [1080p]: absolute numbering, so the season stays unknown (null)
        // unless the title names one ("Title S2 - 05").
        static const RE re(
            QStringLiteral(
                R"(^\s*[\[【]([^\]】]+)[\]】][\s_]*(.+?)[\s_]+-[\s_]+(?:E|EP)?(\d{1,4})(?:v\d)?)"
                R"((?:[\s_]*-[\s_]*(\d{1,4})(?:v\d)?)?(?:[\s_]*(?:END|FINAL))?[\s_]*(?:[\[(].*)?$)"),
            CI);
        static const RE seasonTail(
            QStringLiteral(
                R"(\s+(?:S(\d{1,2})|Season\s?(\d{1,2})|(\d{1,2})(?:nd|rd|th|st) Season)$)"),
            CI);
        // "[Coalgirls]_Clannad_After_Story_01_(1280x720...)": no dash, a zero-padded number.
        static const RE dashless(
            QStringLiteral(
                R"(^\s*[\[【]([^\]】]+)[\]】][\s_]*(.+?)[\s_]+(?:E|EP)?(\d{2,4})(?:v\d)?)"
                R"((?:[\s_]*(?:END|FINAL))?[\s_]*(?:[\[(].*)?$)"),
            CI);
        auto m = re.match(base);
        if (!m.hasMatch()) {
            m = dashless.match(base);
            int y = 0;
            if (m.hasMatch() && isYear(m.captured(3), &y))
                return false;
        }
        if (!m.hasMatch() || trimSeparators(m.captured(2)).isEmpty())
            return false;
        m_id.kind = Kind::Episode;
        m_id.releaseGroup = m.captured(1).trimmed();
        QString series = m.captured(2);
        series.replace(QLatin1Char('_'), QLatin1Char(' '));
        if (auto s = seasonTail.match(series); s.hasMatch()) {
            for (int i = 1; i <= 3; ++i)
                if (s.hasCaptured(i))
                    m_id.season = s.captured(i).toInt();
            series.truncate(s.capturedStart(0));
        }
        m_id.series = trimSeparators(series.simplified());
        m_id.episode = m.captured(3).toInt();
        if (m.hasCaptured(4) && m.captured(4).toInt() > *m_id.episode)
            m_id.episodeEnd = m.captured(4).toInt();
        return true;
    }

    // "Cowboy Bebop - 01 - Asteroid Blues", "One Piece - 1071 1080p": a number after " - "
    // that is not a year, followed by nothing, noise, or " - " and the episode's title.
    bool readDashNumber(const QString &name)
    {
        static const RE re(
            QStringLiteral(
                R"(^(.+?)\s+-\s+(?:E|EP)?(\d{1,4})(?:v\d)?(?:-(\d{1,4})(?:v\d)?)?(?=\s|$)(.*)$)"),
            CI);
        static const RE titleDash(QStringLiteral(R"(^\s+-\s+)"));
        const auto m = re.match(name);
        if (!m.hasMatch())
            return false;
        int y = 0;
        if (m.captured(2).size() == 4 && isYear(m.captured(2), &y))
            return false;
        const NameInfo series = readTitle(m.captured(1));
        if (series.title.isEmpty())
            return false;
        const QString rest = m.captured(4);
        QString title;
        if (auto t = titleDash.match(rest); t.hasMatch())
            title = readTitle(rest.mid(t.capturedEnd(0)), false, 0).title;
        else if (!readTitle(rest, false, 0).title.isEmpty())
            return false; // "Movie - 2 The Sequel": words follow, not an episode number
        m_id.kind = Kind::Episode;
        m_id.series = series.title;
        m_id.year = series.year;
        m_id.episode = m.captured(2).toInt();
        if (m.hasCaptured(3) && m.captured(3).toInt() > *m_id.episode)
            m_id.episodeEnd = m.captured(3).toInt();
        m_id.title = title;
        return true;
    }

    // "Breaking Bad (2008)/Season 1/Breaking Bad - S01E05.mkv": the show folder's year.
    void yearFromShowFolder(const QString &dir)
    {
        if (m_id.year || dir.isEmpty() || isStructural(dir))
            return;
        const NameInfo info = readTitle(normalize(dir));
        if (info.year && simplifiedKey(info.title) == simplifiedKey(m_id.series))
            m_id.year = info.year;
    }

    void setSeriesFromFolder(const QString &dir)
    {
        if (dir.isEmpty())
            return;
        const NameInfo info = readTitle(normalize(dir));
        m_id.series = info.title;
        if (!m_id.year)
            m_id.year = info.year;
    }

    void movie(const QStringList &dirs, const QString &base, const QString &name)
    {
        m_id.kind = Kind::Movie;
        const NameInfo file = readTitle(name);
        QStringList above = dirs;
        bool insideStructure = false;
        while (!above.isEmpty() && isStructural(above.last())) {
            above.removeLast();
            insideStructure = true;
        }
        NameInfo folder;
        if (!above.isEmpty())
            folder = readTitle(normalize(above.last()));
        // Movie Name (2010)/movie.mkv, .../VIDEO_TS/VTS_01_1.VOB: the folder names the movie.
        const bool useFolder =
            !folder.title.isEmpty() &&
            (insideStructure || isGenericName(base) || file.title.isEmpty() ||
             (!file.year && folder.year &&
              (simplifiedKey(folder.title).contains(simplifiedKey(file.title)) ||
               simplifiedKey(file.title).contains(simplifiedKey(folder.title)))));
        if (useFolder) {
            m_id.title = folder.title;
            m_id.year = folder.year ? folder.year : file.year;
            if (m_id.quality.isEmpty())
                m_id.quality = qualityOf(above.last());
        } else {
            m_id.title = file.title;
            m_id.year = file.year;
        }
    }

    Identification &m_id;
};

QString languageOf(const QString &tag)
{
    static const QSet<QString> codes{
        QStringLiteral("en"),      QStringLiteral("fr"),       QStringLiteral("de"),
        QStringLiteral("es"),      QStringLiteral("it"),       QStringLiteral("pt"),
        QStringLiteral("nl"),      QStringLiteral("sv"),       QStringLiteral("no"),
        QStringLiteral("nb"),      QStringLiteral("da"),       QStringLiteral("fi"),
        QStringLiteral("pl"),      QStringLiteral("cs"),       QStringLiteral("hu"),
        QStringLiteral("ro"),      QStringLiteral("el"),       QStringLiteral("tr"),
        QStringLiteral("ru"),      QStringLiteral("uk"),       QStringLiteral("ar"),
        QStringLiteral("he"),      QStringLiteral("hi"),       QStringLiteral("ja"),
        QStringLiteral("ko"),      QStringLiteral("zh"),       QStringLiteral("th"),
        QStringLiteral("vi"),      QStringLiteral("id"),       QStringLiteral("ms"),
        QStringLiteral("hr"),      QStringLiteral("sr"),       QStringLiteral("sk"),
        QStringLiteral("sl"),      QStringLiteral("bg"),       QStringLiteral("et"),
        QStringLiteral("lv"),      QStringLiteral("lt"),       QStringLiteral("fa"),
        QStringLiteral("ca"),      QStringLiteral("eng"),      QStringLiteral("fre"),
        QStringLiteral("fra"),     QStringLiteral("ger"),      QStringLiteral("deu"),
        QStringLiteral("spa"),     QStringLiteral("ita"),      QStringLiteral("por"),
        QStringLiteral("dut"),     QStringLiteral("nld"),      QStringLiteral("swe"),
        QStringLiteral("nor"),     QStringLiteral("dan"),      QStringLiteral("fin"),
        QStringLiteral("pol"),     QStringLiteral("cze"),      QStringLiteral("ces"),
        QStringLiteral("hun"),     QStringLiteral("rum"),      QStringLiteral("ron"),
        QStringLiteral("gre"),     QStringLiteral("ell"),      QStringLiteral("tur"),
        QStringLiteral("rus"),     QStringLiteral("ukr"),      QStringLiteral("ara"),
        QStringLiteral("heb"),     QStringLiteral("hin"),      QStringLiteral("jpn"),
        QStringLiteral("kor"),     QStringLiteral("chi"),      QStringLiteral("zho"),
        QStringLiteral("tha"),     QStringLiteral("vie"),      QStringLiteral("ind"),
        QStringLiteral("english"), QStringLiteral("french"),   QStringLiteral("german"),
        QStringLiteral("spanish"), QStringLiteral("italian"),  QStringLiteral("portuguese"),
        QStringLiteral("dutch"),   QStringLiteral("swedish"),  QStringLiteral("norwegian"),
        QStringLiteral("danish"),  QStringLiteral("finnish"),  QStringLiteral("polish"),
        QStringLiteral("russian"), QStringLiteral("japanese"), QStringLiteral("korean"),
        QStringLiteral("chinese"), QStringLiteral("arabic"),   QStringLiteral("hebrew"),
        QStringLiteral("turkish"), QStringLiteral("greek")};
    static const RE region(QStringLiteral(R"(^([a-z]{2,3})[-_]([a-z]{2,4}|\d{3})$)"));
    const QString t = tag.toLower();
    if (codes.contains(t))
        return t;
    if (auto m = region.match(t); m.hasMatch() && codes.contains(m.captured(1)))
        return t; // pt-br, zh-hans
    return {};
}

QString artworkType(const QString &base)
{
    static const RE re(
        QStringLiteral(R"((?:^|[-._ ])(poster|folder|cover|fanart|backdrop|background|banner|logo|)"
                       R"(clearlogo|clearart|landscape|thumb|disc|discart|art)\d*$)"),
        CI);
    const auto m = re.match(base);
    return m.hasMatch() ? m.captured(1).toLower() : QString();
}

} // namespace

QString Identification::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Movie:
        return QStringLiteral("movie");
    case Kind::Episode:
        return QStringLiteral("episode");
    case Kind::Track:
        return QStringLiteral("track");
    case Kind::Extra:
        return QStringLiteral("extra");
    case Kind::Subtitle:
        return QStringLiteral("subtitle");
    case Kind::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QJsonObject Identification::toJson() const
{
    auto str = [](const QString &s) { return s.isEmpty() ? QJsonValue() : QJsonValue(s); };
    auto num = [](const std::optional<int> &n) { return n ? QJsonValue(*n) : QJsonValue(); };
    QJsonObject o{{QStringLiteral("path"), path},
                  {QStringLiteral("kind"), kindName(kind)},
                  {QStringLiteral("title"), str(title)},
                  {QStringLiteral("series"), str(series)},
                  {QStringLiteral("season"), num(season)},
                  {QStringLiteral("episode"), num(episode)},
                  {QStringLiteral("episode_end"), num(episodeEnd)},
                  {QStringLiteral("date"),
                   date.isValid() ? QJsonValue(date.toString(Qt::ISODate)) : QJsonValue()},
                  {QStringLiteral("year"), num(year)},
                  {QStringLiteral("extension"), str(extension)},
                  {QStringLiteral("language"), str(language)},
                  {QStringLiteral("extra_type"), str(extraType)},
                  {QStringLiteral("quality"), str(quality)},
                  {QStringLiteral("release_group"), str(releaseGroup)},
                  {QStringLiteral("artist"), str(artist)},
                  {QStringLiteral("album"), str(album)},
                  {QStringLiteral("track"), num(track)},
                  {QStringLiteral("disc"), num(disc)}};
    if (kind == Kind::Subtitle)
        o.insert(QStringLiteral("forced"), forced);
    return o;
}

namespace {
Identification identifyPath(const QString &relativePath);
} // namespace

QString FilenameParser::fileKind(const QString &extension)
{
    return kindsByExtension().value(extension);
}

Identification FilenameParser::identify(const QString &relativePath)
{
    // Lone surrogates (names decoded from broken bytes) make every regular expression fail to
    // match; read them as U+FFFD like any other undecodable character.
    QString clean = relativePath;
    for (qsizetype i = 0; i < clean.size(); ++i) {
        if (!clean[i].isSurrogate())
            continue;
        if (clean[i].isHighSurrogate() && i + 1 < clean.size() && clean[i + 1].isLowSurrogate())
            ++i;
        else
            clean[i] = QChar::ReplacementCharacter;
    }
    Identification id = identifyPath(clean);
    id.path = relativePath;
    id.title.replace(kAcronymDot, QLatin1Char('.'));
    id.series.replace(kAcronymDot, QLatin1Char('.'));
    return id;
}

namespace {

Identification identifyPath(const QString &relativePath)
{
    Identification id;
    id.path = relativePath;
    QString p = relativePath;
    p.replace(QLatin1Char('\\'), QLatin1Char('/'));
    QStringList dirs = p.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    dirs.removeAll(QStringLiteral("."));
    if (dirs.isEmpty())
        return id;
    const QString file = dirs.takeLast();

    // The extension: a short alphanumeric suffix with a letter in it ("Movie.2010" has none).
    static const RE extRe(QStringLiteral(R"(\.([A-Za-z0-9]{1,5})$)"));
    static const RE letter(QStringLiteral(R"([A-Za-z])"));
    QString base = file;
    if (auto m = extRe.match(file); m.hasMatch() && letter.match(m.captured(1)).hasMatch()) {
        id.extension = m.captured(1).toLower();
        base = file.left(m.capturedStart(0));
    }
    const FileClass cls = classify(id.extension);
    Reader reader(id);

    if (cls == FileClass::Subtitle) {
        // Movie (2010).en.forced.srt: peel tags off the end, then read what is left as a video.
        static const QSet<QString> flags{QStringLiteral("forced"),  QStringLiteral("sdh"),
                                         QStringLiteral("cc"),      QStringLiteral("hi"),
                                         QStringLiteral("default"), QStringLiteral("foreign")};
        while (base.contains(QLatin1Char('.'))) {
            const QString tag = base.section(QLatin1Char('.'), -1);
            const QString lower = tag.toLower();
            if (flags.contains(lower)) {
                if (lower == QLatin1String("forced") || lower == QLatin1String("foreign"))
                    id.forced = true;
            } else if (id.language.isEmpty() && !languageOf(tag).isEmpty()) {
                id.language = languageOf(tag);
            } else {
                break;
            }
            base.chop(tag.size() + 1);
        }
        // Release folders keep subtitles in Subs/ (RARBG: Subs/2_English.srt, or
        // Subs/<episode name>/2_English.srt): the language is the name, the owner a folder.
        static const RE subsDir(QStringLiteral(R"(^(?:subs|subtitles?|sub)$)"), CI);
        static const RE indexed(QStringLiteral(R"(^\d{1,3}_)"));
        dirs.removeIf([](const QString &d) { return subsDir.match(d.trimmed()).hasMatch(); });
        if (!base.contains(QLatin1Char('.')) && id.language.isEmpty()) {
            QString tag = base;
            tag.remove(indexed);
            if (const QString lang = languageOf(tag); !lang.isEmpty()) {
                id.language = lang;
                base.clear();
            }
        }
        if (base.trimmed().isEmpty() || isGenericName(base)) {
            if (!dirs.isEmpty() && !seasonFolder(dirs.last()) && !isStructural(dirs.last()))
                reader.video(dirs.mid(0, dirs.size() - 1), dirs.last());
            else
                reader.owner(dirs);
        } else {
            reader.video(dirs, base);
        }
        id.kind = Kind::Subtitle;
        return id;
    }

    if (cls == FileClass::Image) {
        // Artwork belongs to the item its folder (or its name prefix) names.
        id.extraType = artworkType(base);
        if (id.extraType.isEmpty())
            id.extraType = QStringLiteral("image");
        QString owner = base;
        static const RE tail(QStringLiteral(R"([-._ ]?[A-Za-z]+\d*$)"));
        if (!artworkType(base).isEmpty())
            owner.remove(tail);
        static const RE seasonArt(QStringLiteral(R"(^season[\s._-]*(\d{1,3}|specials)$)"), CI);
        if (auto m = seasonArt.match(owner); m.hasMatch()) {
            reader.owner(dirs);
            id.series = id.title;
            id.title.clear();
            id.season =
                m.captured(1).toLower() == QLatin1String("specials") ? 0 : m.captured(1).toInt();
        } else if (owner.trimmed().isEmpty() || isGenericName(owner)) {
            reader.owner(dirs);
        } else {
            reader.video(dirs, owner);
        }
        id.kind = Kind::Extra;
        return id;
    }

    if (cls == FileClass::Video || cls == FileClass::Audio) {
        // Extras by folder (Trailers/, Behind The Scenes/) or by name (-trailer, sample).
        for (qsizetype i = dirs.size() - 1; i >= 0; --i) {
            const QString type = extraFolderType(dirs[i]);
            if (!type.isEmpty()) {
                reader.owner(dirs.mid(0, i));
                id.kind = Kind::Extra;
                id.extraType = type;
                return id;
            }
        }
        QString owner = base;
        QString type = takeExtraSuffix(&owner);
        if (type.isEmpty() && cls == FileClass::Audio &&
            base.compare(QLatin1String("theme"), Qt::CaseInsensitive) == 0)
            type = QStringLiteral("theme");
        if (!type.isEmpty()) {
            if (owner.trimmed().isEmpty() || isGenericName(owner)) {
                reader.owner(dirs);
            } else {
                reader.video(dirs, owner);
                // "Movie (2010)/Making Of-behindthescenes.mkv": the name describes the extra;
                // the folder names its owner.
                if (id.kind == Kind::Movie && !id.year && !dirs.isEmpty()) {
                    Identification fresh;
                    fresh.path = id.path;
                    fresh.extension = id.extension;
                    id = fresh;
                    reader.owner(dirs);
                }
            }
            if (id.kind == Kind::Episode && id.title.isEmpty())
                id.title.clear();
            id.kind = Kind::Extra;
            id.extraType = type;
            return id;
        }
        if (cls == FileClass::Audio)
            reader.track(dirs, base);
        else
            reader.video(dirs, base);
        return id;
    }

    // Not a media file: say what its name reads as, nothing more.
    id.title = readTitle(normalize(base)).title;
    return id;
}

} // namespace

} // namespace Revenge
