#include "LocalArtwork.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>

namespace Revenge {

namespace {

// One directory's files by lower-case name, listed once per look-up.
class Listing
{
public:
    explicit Listing(const QString &dir)
        : m_dir(dir)
    {
        if (dir.isEmpty())
            return;
        const QStringList names = QDir(dir).entryList(QDir::Files | QDir::Readable, QDir::Name);
        for (const QString &name : names)
            m_files.insert(name.toLower(), name);
    }

    bool isEmpty() const { return m_files.isEmpty(); }
    const QString &dir() const { return m_dir; }

    // Full path of `<stem>.<ext>` for the first image extension present, else empty.
    QString image(const QString &stem) const
    {
        const QString lower = stem.toLower();
        for (const QString &ext : LocalArtwork::imageExtensions())
            if (const auto it = m_files.constFind(lower + QLatin1Char('.') + ext);
                it != m_files.cend())
                return m_dir + QLatin1Char('/') + it.value();
        return {};
    }

    QString file(const QString &name) const
    {
        const auto it = m_files.constFind(name.toLower());
        return it == m_files.cend() ? QString() : m_dir + QLatin1Char('/') + it.value();
    }

    // Video files other than trailers and samples: more than one means a flat folder of films.
    int videoCount() const
    {
        static const QStringList videos = {
            QStringLiteral("mkv"),  QStringLiteral("mp4"),  QStringLiteral("m4v"),
            QStringLiteral("avi"),  QStringLiteral("mov"),  QStringLiteral("wmv"),
            QStringLiteral("ts"),   QStringLiteral("m2ts"), QStringLiteral("mpg"),
            QStringLiteral("mpeg"), QStringLiteral("webm"), QStringLiteral("flv"),
            QStringLiteral("iso"),  QStringLiteral("ogm"),  QStringLiteral("divx"),
            QStringLiteral("3gp")};
        static const QRegularExpression extra(
            QStringLiteral("[-._ ](trailer|sample)(\\d*)\\.[^.]+$|^sample\\."));
        int count = 0;
        for (auto it = m_files.cbegin(); it != m_files.cend(); ++it) {
            const QString suffix = it.key().section(QLatin1Char('.'), -1);
            if (videos.contains(suffix) && !extra.match(it.key()).hasMatch())
                ++count;
        }
        return count;
    }

private:
    QString m_dir;
    QHash<QString, QString> m_files;
};

class Collector
{
public:
    // The first of `stems` present becomes the item's `kind` image, unless it already has one.
    void first(const Listing &listing, const QString &kind, const QStringList &stems)
    {
        if (m_orders.value(kind) > 0)
            return;
        for (const QString &stem : stems)
            if (const QString path = listing.image(stem); !path.isEmpty()) {
                add(kind, path);
                return;
            }
    }
    // Every one of `stems` present (backdrops: an item can have several).
    void all(const Listing &listing, const QString &kind, const QStringList &stems)
    {
        for (const QString &stem : stems)
            if (const QString path = listing.image(stem); !path.isEmpty())
                add(kind, path);
    }
    QList<ImageRef> images() const { return m_images; }

private:
    void add(const QString &kind, const QString &path)
    {
        for (const ImageRef &i : std::as_const(m_images))
            if (i.path == path)
                return;
        ImageRef image;
        image.kind = kind;
        image.path = path;
        image.order = m_orders[kind]++;
        m_images << image;
    }
    QList<ImageRef> m_images;
    QHash<QString, int> m_orders;
};

// fanart, fanart1..fanart9, fanart-1..: extra backdrops as Kodi and Jellyfin name them.
QStringList numbered(const QStringList &stems)
{
    QStringList out = stems;
    for (const QString &stem : stems)
        for (int i = 1; i <= 9; ++i)
            out << stem + QString::number(i) << stem + QLatin1Char('-') + QString::number(i);
    return out;
}

bool isMovieType(const QString &type)
{
    return type == QLatin1String("movie") || type == QLatin1String("scene");
}

QString directoryOf(const QString &path)
{
    const QFileInfo info(path);
    return QDir::cleanPath(info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

void folderArt(Collector &c, const Listing &dir, const QStringList &posterNames)
{
    c.first(dir, QStringLiteral("poster"), posterNames);
    c.all(dir, QStringLiteral("backdrop"),
          numbered({QStringLiteral("fanart"), QStringLiteral("backdrop"),
                    QStringLiteral("background")}));
    c.first(dir, QStringLiteral("banner"), {QStringLiteral("banner")});
    c.first(dir, QStringLiteral("logo"), {QStringLiteral("clearlogo"), QStringLiteral("logo")});
    c.first(dir, QStringLiteral("thumb"), {QStringLiteral("landscape"), QStringLiteral("thumb")});
}

} // namespace

const QStringList &LocalArtwork::imageExtensions()
{
    static const QStringList extensions = {QStringLiteral("jpg"), QStringLiteral("jpeg"),
                                           QStringLiteral("png"), QStringLiteral("webp"),
                                           QStringLiteral("tbn")};
    return extensions;
}

bool LocalArtwork::isSeasonFolderName(const QString &name)
{
    static const QRegularExpression season(
        QStringLiteral("^(?:(?:season|series|saison|staffel|temporada|stagione)[\\s._-]*\\d{1,4}"
                       "|s\\d{1,4}|specials?)(?:\\s*[-(\\[].*)?$"),
        QRegularExpression::CaseInsensitiveOption);
    return season.match(name.trimmed()).hasMatch();
}

QString LocalArtwork::seasonFolder(const QString &path)
{
    if (path.isEmpty())
        return {};
    const QString dir = directoryOf(path);
    return isSeasonFolderName(QFileInfo(dir).fileName()) ? dir : QString();
}

QString LocalArtwork::seriesFolder(const QString &path)
{
    if (path.isEmpty())
        return {};
    const QString dir = directoryOf(path);
    if (isSeasonFolderName(QFileInfo(dir).fileName()))
        return QFileInfo(dir).absolutePath();
    return dir;
}

QList<ImageRef> LocalArtwork::find(const QString &path, const QString &itemType,
                                   std::optional<int> season)
{
    Collector c;
    if (path.isEmpty())
        return {};
    const QFileInfo info(path);
    if (isMovieType(itemType)) {
        const Listing dir(info.absolutePath());
        const QString name = info.completeBaseName();
        const bool ownFolder = dir.videoCount() <= 1;
        QStringList posters = {name + QStringLiteral("-poster")};
        if (ownFolder)
            posters << QStringLiteral("poster") << QStringLiteral("folder")
                    << QStringLiteral("cover") << QStringLiteral("movie");
        posters << name; // Kodi's <name>.tbn / Jellyfin's <name>.jpg
        c.first(dir, QStringLiteral("poster"), posters);
        c.all(dir, QStringLiteral("backdrop"),
              numbered({name + QStringLiteral("-fanart"), name + QStringLiteral("-backdrop")}));
        c.first(dir, QStringLiteral("banner"), {name + QStringLiteral("-banner")});
        c.first(dir, QStringLiteral("logo"),
                {name + QStringLiteral("-clearlogo"), name + QStringLiteral("-logo")});
        c.first(dir, QStringLiteral("thumb"),
                {name + QStringLiteral("-landscape"), name + QStringLiteral("-thumb")});
        if (ownFolder)
            folderArt(c, dir, {});
    } else if (itemType == QLatin1String("series")) {
        const Listing dir(seriesFolder(path));
        folderArt(c, dir,
                  {QStringLiteral("poster"), QStringLiteral("folder"), QStringLiteral("cover"),
                   QStringLiteral("show"), QStringLiteral("default")});
    } else if (itemType == QLatin1String("season")) {
        const Listing series(seriesFolder(path));
        if (season && *season >= 0) {
            QStringList prefixes;
            if (*season == 0)
                prefixes << QStringLiteral("season-specials") << QStringLiteral("season00");
            else
                prefixes << QStringLiteral("season%1").arg(*season, 2, 10, QLatin1Char('0'))
                         << QStringLiteral("season%1").arg(*season);
            QStringList poster, fanart, banner, landscape;
            for (const QString &p : prefixes) {
                poster << p + QStringLiteral("-poster") << p;
                fanart << p + QStringLiteral("-fanart");
                banner << p + QStringLiteral("-banner");
                landscape << p + QStringLiteral("-landscape") << p + QStringLiteral("-thumb");
            }
            c.first(series, QStringLiteral("poster"), poster);
            c.all(series, QStringLiteral("backdrop"), fanart);
            c.first(series, QStringLiteral("banner"), banner);
            c.first(series, QStringLiteral("thumb"), landscape);
        }
        if (const QString own = seasonFolder(path); !own.isEmpty())
            folderArt(
                c, Listing(own),
                {QStringLiteral("folder"), QStringLiteral("poster"), QStringLiteral("cover")});
    } else if (itemType == QLatin1String("episode")) {
        const Listing dir(info.absolutePath());
        const QString name = info.completeBaseName();
        c.first(dir, QStringLiteral("thumb"), {name + QStringLiteral("-thumb"), name});
    }
    return c.images();
}

QString LocalArtwork::findNfo(const QString &path, const QString &itemType)
{
    if (path.isEmpty())
        return {};
    const QFileInfo info(path);
    if (isMovieType(itemType)) {
        const Listing dir(info.absolutePath());
        if (QString own = dir.file(info.completeBaseName() + QStringLiteral(".nfo"));
            !own.isEmpty())
            return own;
        return dir.videoCount() <= 1 ? dir.file(QStringLiteral("movie.nfo")) : QString();
    }
    if (itemType == QLatin1String("series"))
        return Listing(seriesFolder(path)).file(QStringLiteral("tvshow.nfo"));
    if (itemType == QLatin1String("season")) {
        const QString own = seasonFolder(path);
        return own.isEmpty() ? QString() : Listing(own).file(QStringLiteral("season.nfo"));
    }
    if (itemType == QLatin1String("episode"))
        return Listing(info.absolutePath()).file(info.completeBaseName() + QStringLiteral(".nfo"));
    return {};
}

} // namespace Revenge
