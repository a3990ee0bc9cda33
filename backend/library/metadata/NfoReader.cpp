#include "NfoReader.h"

#include "core/Logging.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QUrl>
#include <QXmlStreamReader>
#include <cmath>

namespace Revenge {

namespace {

constexpr int kMinYear = 1800;
constexpr int kMaxYear = 2200;

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

// The text of the file. XML declares its encoding, but NFO writers often lie or say nothing:
// a BOM wins, then the declaration, then UTF-8 when the bytes are valid UTF-8, then Latin-1
// (what Windows tools that write "ANSI" produce, near enough).
std::optional<QString> decode(const QByteArray &data, QString *error)
{
    if (const auto bom = QStringConverter::encodingForData(data)) {
        QStringDecoder decoder(*bom);
        return QString(decoder.decode(data));
    }
    static const QRegularExpression declaration(
        QStringLiteral("^\\s*<\\?xml[^>]*encoding\\s*=\\s*[\"']([A-Za-z0-9._:-]+)[\"']"));
    const auto match = declaration.match(QString::fromLatin1(data.left(256)));
    QString declared = match.hasMatch() ? match.captured(1).toLower() : QString();
    if (!declared.isEmpty() && declared != QLatin1String("utf-8") &&
        declared != QLatin1String("utf8")) {
        QStringDecoder decoder(declared.toLatin1().constData());
        if (!decoder.isValid()) {
            // Without ICU, Qt knows only the UTF and Latin-1 encodings; cp1252 is Latin-1 with
            // printable characters in 0x80-0x9f, close enough for titles.
            if (declared == QLatin1String("windows-1252") || declared == QLatin1String("cp1252") ||
                declared == QLatin1String("iso-8859-15"))
                decoder = QStringDecoder(QStringDecoder::Latin1);
            else {
                setError(error, QStringLiteral("unsupported encoding '%1'").arg(declared));
                return std::nullopt;
            }
        }
        const QString text = decoder.decode(data);
        if (decoder.hasError()) {
            setError(error, QStringLiteral("invalid %1 content").arg(declared));
            return std::nullopt;
        }
        return text;
    }
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString text = utf8.decode(data);
    if (!utf8.hasError())
        return text;
    qCDebug(lcMetadata) << "NFO is not valid UTF-8; reading it as Latin-1";
    return QString::fromLatin1(data);
}

bool isHttpUrl(const QString &s)
{
    const QUrl url(s, QUrl::StrictMode);
    return url.isValid() &&
           (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")) &&
           !url.host().isEmpty();
}

std::optional<int> toYear(const QString &s)
{
    bool ok = false;
    const int y = s.toInt(&ok);
    if (ok && y >= kMinYear && y <= kMaxYear)
        return y;
    return std::nullopt;
}

std::optional<QDate> toDate(const QString &s)
{
    const QDate d = QDate::fromString(s.left(10), Qt::ISODate);
    if (d.isValid() && d.year() >= kMinYear && d.year() <= kMaxYear)
        return d;
    return std::nullopt;
}

std::optional<double> toNumber(QString s)
{
    s.replace(QLatin1Char(','), QLatin1Char('.'));
    bool ok = false;
    const double v = s.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::optional<double> toRating(const QString &s, double max = 10.0)
{
    auto v = toNumber(s);
    if (!v || !(max > 0))
        return std::nullopt;
    const double scaled = *v * 10.0 / max;
    if (scaled < 0 || scaled > 10)
        return std::nullopt;
    return std::round(scaled * 10.0) / 10.0;
}

// "imdb", "tmdb", ... and a value of the right shape; anything else is dropped.
bool validId(const QString &type, const QString &value)
{
    static const QRegularExpression imdb(QStringLiteral("^tt\\d{5,10}$"));
    static const QRegularExpression numeric(QStringLiteral("^\\d{1,12}$"));
    static const QRegularExpression typeName(QStringLiteral("^[a-z0-9_]{1,32}$"));
    if (!typeName.match(type).hasMatch() || value.isEmpty() || value.size() > 200)
        return false;
    if (type == QLatin1String("imdb"))
        return imdb.match(value).hasMatch();
    if (type == QLatin1String("tmdb") || type == QLatin1String("tvdb"))
        return numeric.match(value).hasMatch() && value.toLongLong() > 0;
    return true;
}

class Parser
{
public:
    Parser(QXmlStreamReader &reader, NfoReader::Type type)
        : m_reader(reader)
        , m_type(type)
    {
        m_metadata.source = QStringLiteral("nfo");
    }

    void parseRoot()
    {
        while (m_reader.readNextStartElement())
            parseChild();
    }

    MediaMetadata finish()
    {
        if (!m_metadata.overview && !m_outline.isEmpty())
            m_metadata.overview = m_outline;
        if (m_defaultRating)
            m_metadata.rating = m_defaultRating;
        else if (m_firstRating)
            m_metadata.rating = m_firstRating;
        else if (m_legacyRating)
            m_metadata.rating = m_legacyRating;
        if (!m_metadata.year && m_metadata.releaseDate)
            m_metadata.year = m_metadata.releaseDate->year();
        // Ids in <uniqueid> win over the older single-id elements.
        QMap<QString, QString> ids = m_legacyIds;
        for (auto it = m_uniqueIds.cbegin(); it != m_uniqueIds.cend(); ++it)
            ids.insert(it.key(), it.value());
        m_metadata.externalIds = ids;
        return m_metadata;
    }

private:
    QString text()
    {
        return m_reader.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }

    static void setOnce(std::optional<QString> &field, const QString &value)
    {
        if (!field && !value.isEmpty())
            field = value;
    }

    void addLegacyId(const QString &type, const QString &value)
    {
        if (validId(type, value) && !m_legacyIds.contains(type))
            m_legacyIds.insert(type, value);
    }

    void addImage(const QString &kind, const QString &url)
    {
        if (kind.isEmpty() || !isHttpUrl(url))
            return;
        for (const ImageRef &i : std::as_const(m_metadata.images))
            if (i.kind == kind && i.url == url)
                return;
        ImageRef image;
        image.kind = kind;
        image.url = url;
        image.order = m_imageOrder[kind]++;
        m_metadata.images << image;
    }

    void addCredit(const QString &name, const QString &role, const QString &character = {},
                   std::optional<int> order = {}, const QString &imageUrl = {})
    {
        const QString n = name.simplified();
        if (n.isEmpty() || n.size() > 500)
            return;
        for (const PersonCredit &c : std::as_const(m_metadata.credits))
            if (c.role == role && c.name.compare(n, Qt::CaseInsensitive) == 0 &&
                c.character == character)
                return;
        PersonCredit credit;
        credit.name = n;
        credit.role = role;
        credit.character = character;
        credit.order = order.value_or(m_creditOrder[role]);
        ++m_creditOrder[role];
        if (isHttpUrl(imageUrl))
            credit.imageUrl = imageUrl;
        m_metadata.credits << credit;
    }

    void parseChild()
    {
        const QString name = m_reader.name().toString().toLower();
        if (name == QLatin1String("title"))
            setOnce(m_metadata.title, text().simplified());
        else if (name == QLatin1String("originaltitle"))
            setOnce(m_metadata.originalTitle, text().simplified());
        else if (name == QLatin1String("sorttitle"))
            setOnce(m_metadata.sortTitle, text().simplified());
        else if (name == QLatin1String("year")) {
            if (!m_metadata.year)
                m_metadata.year = toYear(text());
            else
                m_reader.skipCurrentElement();
        } else if (name == QLatin1String("premiered") || name == QLatin1String("aired") ||
                   name == QLatin1String("releasedate")) {
            const auto date = toDate(text());
            if (!m_metadata.releaseDate)
                m_metadata.releaseDate = date;
        } else if (name == QLatin1String("plot"))
            setOnce(m_metadata.overview, text());
        else if (name == QLatin1String("outline")) {
            if (m_outline.isEmpty())
                m_outline = text();
            else
                m_reader.skipCurrentElement();
        } else if (name == QLatin1String("tagline"))
            setOnce(m_metadata.tagline, text());
        else if (name == QLatin1String("mpaa") || name == QLatin1String("certification")) {
            QString rating = text();
            if (rating.startsWith(QLatin1String("Rated "), Qt::CaseInsensitive))
                rating = rating.mid(6).trimmed();
            if (rating.size() <= 50)
                setOnce(m_metadata.contentRating, rating);
        } else if (name == QLatin1String("runtime")) {
            // "120", sometimes "120 min".
            static const QRegularExpression minutes(QStringLiteral("^(\\d{1,5})"));
            const auto match = minutes.match(text());
            const int value = match.hasMatch() ? match.captured(1).toInt() : 0;
            if (!m_metadata.runtimeMinutes && value > 0 && value <= 10000)
                m_metadata.runtimeMinutes = value;
        } else if (name == QLatin1String("rating")) {
            // The pre-v17 single <rating>; a <ratings> block wins.
            const auto value = toRating(text());
            if (!m_legacyRating)
                m_legacyRating = value;
        } else if (name == QLatin1String("ratings"))
            parseRatings();
        else if (name == QLatin1String("genre")) {
            // Some writers put "Action / Comedy" in one element.
            for (const QString &part : text().split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
                const QString genre = part.simplified();
                if (genre.isEmpty() || genre.size() > 100 ||
                    m_metadata.genres.contains(genre, Qt::CaseInsensitive))
                    continue;
                m_metadata.genres << genre;
            }
        } else if (name == QLatin1String("actor"))
            parseActor();
        else if (name == QLatin1String("director"))
            addCredit(text(), QStringLiteral("director"));
        else if (name == QLatin1String("credits") || name == QLatin1String("writer"))
            addCredit(text(), QStringLiteral("writer"));
        else if (name == QLatin1String("uniqueid")) {
            QString type = m_reader.attributes().value(QLatin1String("type")).toString().toLower();
            const QString value = text();
            if (type.isEmpty() || type == QLatin1String("unknown"))
                type = value.startsWith(QLatin1String("tt")) ? QStringLiteral("imdb") : QString();
            if (validId(type, value))
                m_uniqueIds.insert(type, value);
        } else if (name == QLatin1String("id")) {
            const QString value = text();
            if (value.startsWith(QLatin1String("tt")))
                addLegacyId(QStringLiteral("imdb"), value);
            else
                // Kodi's old scrapers: TMDb ids for movies, TVDb ids for shows and episodes.
                addLegacyId(m_type == NfoReader::Type::Movie ? QStringLiteral("tmdb")
                                                             : QStringLiteral("tvdb"),
                            value);
        } else if (name == QLatin1String("imdbid") || name == QLatin1String("imdb_id"))
            addLegacyId(QStringLiteral("imdb"), text());
        else if (name == QLatin1String("tmdbid"))
            addLegacyId(QStringLiteral("tmdb"), text());
        else if (name == QLatin1String("tvdbid"))
            addLegacyId(QStringLiteral("tvdb"), text());
        else if (name == QLatin1String("thumb"))
            parseThumb();
        else if (name == QLatin1String("fanart"))
            parseFanart();
        else
            // studio, set, tag, fileinfo, episodeguide, ...: not kept.
            m_reader.skipCurrentElement();
    }

    void parseRatings()
    {
        while (m_reader.readNextStartElement()) {
            if (m_reader.name() != QLatin1String("rating")) {
                m_reader.skipCurrentElement();
                continue;
            }
            const auto attributes = m_reader.attributes();
            const bool isDefault = attributes.value(QLatin1String("default"))
                                       .compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
            double max = 10.0;
            if (attributes.hasAttribute(QLatin1String("max")))
                max = toNumber(attributes.value(QLatin1String("max")).toString()).value_or(0);
            std::optional<double> value;
            while (m_reader.readNextStartElement()) {
                if (m_reader.name() == QLatin1String("value"))
                    value = toRating(text(), max);
                else
                    m_reader.skipCurrentElement();
            }
            if (!value)
                continue;
            if (isDefault && !m_defaultRating)
                m_defaultRating = value;
            if (!m_firstRating)
                m_firstRating = value;
        }
    }

    void parseActor()
    {
        QString name, role, thumb;
        std::optional<int> order;
        while (m_reader.readNextStartElement()) {
            const auto child = m_reader.name();
            if (child == QLatin1String("name"))
                name = text();
            else if (child == QLatin1String("role"))
                role = text().simplified();
            else if (child == QLatin1String("order")) {
                bool ok = false;
                const int o = text().toInt(&ok);
                if (ok && o >= 0 && o < 100000)
                    order = o;
            } else if (child == QLatin1String("thumb"))
                thumb = text();
            else
                m_reader.skipCurrentElement();
        }
        addCredit(name, QStringLiteral("actor"), role.left(500), order, thumb);
    }

    QString kindForAspect(const QString &aspect) const
    {
        if (aspect.isEmpty())
            return m_type == NfoReader::Type::Episode ? QStringLiteral("thumb")
                                                      : QStringLiteral("poster");
        if (aspect == QLatin1String("poster") || aspect == QLatin1String("keyart"))
            return QStringLiteral("poster");
        if (aspect == QLatin1String("banner"))
            return QStringLiteral("banner");
        if (aspect == QLatin1String("clearlogo") || aspect == QLatin1String("logo"))
            return QStringLiteral("logo");
        if (aspect == QLatin1String("landscape") || aspect == QLatin1String("thumb"))
            return QStringLiteral("thumb");
        if (aspect == QLatin1String("fanart"))
            return QStringLiteral("backdrop");
        return {}; // clearart, discart, characterart: no such kind here
    }

    void parseThumb()
    {
        const auto attributes = m_reader.attributes();
        // <thumb aspect="poster" type="season" season="1">: a season's art, not this item's.
        const bool seasonArt = attributes.value(QLatin1String("type")) == QLatin1String("season") ||
                               attributes.hasAttribute(QLatin1String("season"));
        const QString kind =
            kindForAspect(attributes.value(QLatin1String("aspect")).toString().toLower());
        const QString url = text();
        if (!seasonArt)
            addImage(kind, url);
    }

    void parseFanart()
    {
        // <fanart url="https://base/"><thumb preview="...">path</thumb></fanart>
        const QString base = m_reader.attributes().value(QLatin1String("url")).toString();
        while (m_reader.readNextStartElement()) {
            if (m_reader.name() != QLatin1String("thumb")) {
                m_reader.skipCurrentElement();
                continue;
            }
            const QString value = text();
            addImage(QStringLiteral("backdrop"), isHttpUrl(value) ? value : base + value);
        }
    }

    QXmlStreamReader &m_reader;
    NfoReader::Type m_type;
    MediaMetadata m_metadata;
    QString m_outline;
    std::optional<double> m_legacyRating, m_defaultRating, m_firstRating;
    QMap<QString, QString> m_legacyIds, m_uniqueIds;
    QMap<QString, int> m_imageOrder, m_creditOrder;
};

} // namespace

QString NfoReader::typeName(Type type)
{
    switch (type) {
    case Type::Movie:
        return QStringLiteral("movie");
    case Type::TvShow:
        return QStringLiteral("tvshow");
    case Type::Episode:
        return QStringLiteral("episodedetails");
    case Type::Season:
        return QStringLiteral("season");
    case Type::UrlOnly:
        return QStringLiteral("url");
    }
    return {};
}

QMap<QString, QString> NfoReader::idsFromText(const QString &text)
{
    QMap<QString, QString> ids;
    static const QRegularExpression imdb(QStringLiteral("\\b(tt\\d{7,10})\\b"));
    static const QRegularExpression tmdb(QStringLiteral("themoviedb\\.org/(?:movie|tv)/(\\d+)"),
                                         QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression tvdbQuery(
        QStringLiteral("thetvdb\\.com/\\S*[?&](?:id|seriesid)=(\\d+)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression tvdbPath(
        QStringLiteral("thetvdb\\.com/(?:dereferrer/)?series/(\\d+)"),
        QRegularExpression::CaseInsensitiveOption);
    if (const auto m = imdb.match(text); m.hasMatch())
        ids.insert(QStringLiteral("imdb"), m.captured(1));
    if (const auto m = tmdb.match(text); m.hasMatch())
        ids.insert(QStringLiteral("tmdb"), m.captured(1));
    if (const auto m = tvdbQuery.match(text); m.hasMatch())
        ids.insert(QStringLiteral("tvdb"), m.captured(1));
    else if (const auto m2 = tvdbPath.match(text); m2.hasMatch())
        ids.insert(QStringLiteral("tvdb"), m2.captured(1));
    for (auto it = ids.begin(); it != ids.end();)
        it = validId(it.key(), it.value()) ? std::next(it) : ids.erase(it);
    return ids;
}

std::optional<MediaMetadata> NfoReader::read(const QString &path, QString *error, Type *type)
{
    QFile file(path);
    const QFileInfo info(path);
    if (!info.exists()) {
        setError(error, QStringLiteral("%1: no such file").arg(path));
        return std::nullopt;
    }
    if (info.size() > kMaxSize) {
        setError(error, QStringLiteral("%1: %2 bytes, larger than the %3 byte limit for an NFO")
                            .arg(path)
                            .arg(info.size())
                            .arg(kMaxSize));
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("%1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    // One byte over the limit tells a file that grew since the size check.
    const QByteArray data = file.read(kMaxSize + 1);
    QString parseError;
    auto metadata = parse(data, &parseError, type);
    if (!metadata)
        setError(error, QStringLiteral("%1: %2").arg(path, parseError));
    return metadata;
}

std::optional<MediaMetadata> NfoReader::parse(const QByteArray &data, QString *error, Type *type)
{
    if (data.size() > kMaxSize) {
        setError(error, QStringLiteral("%1 bytes, larger than the %2 byte limit for an NFO")
                            .arg(data.size())
                            .arg(kMaxSize));
        return std::nullopt;
    }
    const auto decoded = decode(data, error);
    if (!decoded)
        return std::nullopt;
    QString text = *decoded;
    if (text.startsWith(QChar(0xfeff)))
        text.remove(0, 1);
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        setError(error, QStringLiteral("empty file"));
        return std::nullopt;
    }

    if (!trimmed.startsWith(QLatin1Char('<'))) {
        // Kodi accepts an NFO that holds nothing but the item's URL on IMDb/TMDb/TVDb.
        const auto ids = idsFromText(trimmed);
        if (ids.isEmpty()) {
            setError(error, QStringLiteral("neither XML nor an IMDb, TMDb or TVDb URL"));
            return std::nullopt;
        }
        MediaMetadata metadata;
        metadata.source = QStringLiteral("nfo");
        metadata.externalIds = ids;
        if (type)
            *type = Type::UrlOnly;
        return metadata;
    }

    QXmlStreamReader reader(text);
    std::optional<Parser> parser;
    std::optional<Type> rootType;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.hasError())
            break;
        if (!reader.isStartElement())
            continue;
        const QString root = reader.name().toString().toLower();
        if (root == QLatin1String("movie"))
            rootType = Type::Movie;
        else if (root == QLatin1String("tvshow"))
            rootType = Type::TvShow;
        else if (root == QLatin1String("episodedetails"))
            rootType = Type::Episode;
        else if (root == QLatin1String("season"))
            rootType = Type::Season;
        else if (root == QLatin1String("musicvideo") || root == QLatin1String("album") ||
                 root == QLatin1String("artist")) {
            setError(error, QStringLiteral("unsupported NFO type <%1>").arg(root));
            return std::nullopt;
        } else {
            setError(error,
                     QStringLiteral("not an NFO: root element <%1> (expected <movie>, <tvshow>, "
                                    "<episodedetails> or <season>)")
                         .arg(root));
            return std::nullopt;
        }
        parser.emplace(reader, *rootType);
        parser->parseRoot();
        break;
    }
    if (reader.hasError()) {
        setError(error, QStringLiteral("malformed XML at line %1, column %2: %3")
                            .arg(reader.lineNumber())
                            .arg(reader.columnNumber())
                            .arg(reader.errorString()));
        return std::nullopt;
    }
    if (!parser) {
        setError(error, QStringLiteral("no root element"));
        return std::nullopt;
    }
    MediaMetadata metadata = parser->finish();
    // Kodi also allows a URL after the XML; what follows the root is not parsed as XML (a
    // multi-episode NFO repeats <episodedetails>: the first one is this file's).
    const QString rest = text.mid(int(reader.characterOffset()));
    if (!rest.trimmed().isEmpty()) {
        const auto ids = idsFromText(rest.left(4096).remove(QRegularExpression(
            QStringLiteral("<episodedetails>.*"), QRegularExpression::DotMatchesEverythingOption)));
        for (auto it = ids.cbegin(); it != ids.cend(); ++it)
            if (!metadata.externalIds.contains(it.key()))
                metadata.externalIds.insert(it.key(), it.value());
    }
    if (type)
        *type = *rootType;
    return metadata;
}

} // namespace Revenge
