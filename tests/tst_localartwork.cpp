#include "library/metadata/LocalArtwork.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace Revenge;

// Local artwork and NFO files found next to media, in directory trees written by the test.
class TestLocalArtwork : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void movieInOwnFolder();
    void movieNamedFilesWin();
    void flatMovieFolderIgnoresFolderWideNames();
    void caseInsensitiveAndExtensions();
    void seriesFolder();
    void seasonArt();
    void episodeThumb();
    void nfoLookup();
    void seasonFolderNames_data();
    void seasonFolderNames();
    void missingAndEmptyPaths();

private:
    QString touch(const QString &relative);
    static QStringList describe(const QList<ImageRef> &images);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestLocalArtwork::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestLocalArtwork::touch(const QString &relative)
{
    const QString path = m_dir->filePath(relative);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qWarning() << "cannot create" << path;
    f.write("x");
    return path;
}

// "kind:order:file name relative to the temp dir"
QStringList TestLocalArtwork::describe(const QList<ImageRef> &images)
{
    QStringList out;
    for (const ImageRef &i : images)
        out << QStringLiteral("%1:%2:%3")
                   .arg(i.kind)
                   .arg(i.order)
                   .arg(i.path.section(QLatin1Char('/'), -2));
    return out;
}

void TestLocalArtwork::movieInOwnFolder()
{
    const QString movie = touch(QStringLiteral("Movies/Heat (1995)/Heat (1995).mkv"));
    touch(QStringLiteral("Movies/Heat (1995)/Heat (1995)-trailer.mkv")); // not a second movie
    touch(QStringLiteral("Movies/Heat (1995)/folder.jpg"));
    touch(QStringLiteral("Movies/Heat (1995)/fanart.jpg"));
    touch(QStringLiteral("Movies/Heat (1995)/fanart1.png"));
    touch(QStringLiteral("Movies/Heat (1995)/backdrop.jpg"));
    touch(QStringLiteral("Movies/Heat (1995)/banner.jpg"));
    touch(QStringLiteral("Movies/Heat (1995)/clearlogo.png"));
    touch(QStringLiteral("Movies/Heat (1995)/logo.png"));
    touch(QStringLiteral("Movies/Heat (1995)/landscape.jpg"));
    touch(QStringLiteral("Movies/Heat (1995)/notes.txt"));
    touch(QStringLiteral("Movies/Heat (1995)/disc.png"));
    const auto images = LocalArtwork::find(movie, QStringLiteral("movie"));
    QCOMPARE(describe(images), (QStringList{QStringLiteral("poster:0:Heat (1995)/folder.jpg"),
                                            QStringLiteral("backdrop:0:Heat (1995)/fanart.jpg"),
                                            QStringLiteral("backdrop:1:Heat (1995)/backdrop.jpg"),
                                            QStringLiteral("backdrop:2:Heat (1995)/fanart1.png"),
                                            QStringLiteral("banner:0:Heat (1995)/banner.jpg"),
                                            QStringLiteral("logo:0:Heat (1995)/clearlogo.png"),
                                            QStringLiteral("thumb:0:Heat (1995)/landscape.jpg")}));
    for (const ImageRef &i : images) {
        QVERIFY(QFileInfo(i.path).isAbsolute());
        QVERIFY(i.url.isEmpty());
    }
}

void TestLocalArtwork::movieNamedFilesWin()
{
    const QString movie = touch(QStringLiteral("Heat/Heat.1995.1080p.mkv"));
    touch(QStringLiteral("Heat/poster.jpg"));
    touch(QStringLiteral("Heat/Heat.1995.1080p-poster.jpg"));
    touch(QStringLiteral("Heat/Heat.1995.1080p-fanart.jpg"));
    touch(QStringLiteral("Heat/fanart.jpg"));
    touch(QStringLiteral("Heat/Heat.1995.1080p-clearlogo.png"));
    QCOMPARE(describe(LocalArtwork::find(movie, QStringLiteral("movie"))),
             (QStringList{QStringLiteral("poster:0:Heat/Heat.1995.1080p-poster.jpg"),
                          QStringLiteral("backdrop:0:Heat/Heat.1995.1080p-fanart.jpg"),
                          QStringLiteral("logo:0:Heat/Heat.1995.1080p-clearlogo.png"),
                          QStringLiteral("backdrop:1:Heat/fanart.jpg")}));
}

void TestLocalArtwork::flatMovieFolderIgnoresFolderWideNames()
{
    const QString heat = touch(QStringLiteral("Flat/Heat (1995).mkv"));
    const QString alien = touch(QStringLiteral("Flat/Alien (1979).mp4"));
    touch(QStringLiteral("Flat/poster.jpg"));
    touch(QStringLiteral("Flat/fanart.jpg"));
    touch(QStringLiteral("Flat/movie.nfo"));
    touch(QStringLiteral("Flat/Heat (1995).jpg"));
    touch(QStringLiteral("Flat/Alien (1979)-fanart.jpg"));
    QCOMPARE(describe(LocalArtwork::find(heat, QStringLiteral("movie"))),
             QStringList{QStringLiteral("poster:0:Flat/Heat (1995).jpg")});
    QCOMPARE(describe(LocalArtwork::find(alien, QStringLiteral("movie"))),
             QStringList{QStringLiteral("backdrop:0:Flat/Alien (1979)-fanart.jpg")});
    QCOMPARE(LocalArtwork::findNfo(heat, QStringLiteral("movie")), QString());
}

void TestLocalArtwork::caseInsensitiveAndExtensions()
{
    const QString movie = touch(QStringLiteral("Case/Movie.MKV"));
    touch(QStringLiteral("Case/POSTER.JPEG"));
    touch(QStringLiteral("Case/FanArt.WebP"));
    touch(QStringLiteral("Case/Movie-Banner.TBN"));
    touch(QStringLiteral("Case/logo.gif")); // not an artwork extension
    touch(QStringLiteral("Case/MOVIE.NFO"));
    QCOMPARE(describe(LocalArtwork::find(movie, QStringLiteral("movie"))),
             (QStringList{QStringLiteral("poster:0:Case/POSTER.JPEG"),
                          QStringLiteral("banner:0:Case/Movie-Banner.TBN"),
                          QStringLiteral("backdrop:0:Case/FanArt.WebP")}));
    QCOMPARE(LocalArtwork::findNfo(movie, QStringLiteral("movie")),
             m_dir->filePath("Case/MOVIE.NFO"));
}

void TestLocalArtwork::seriesFolder()
{
    const QString e1 = touch(QStringLiteral("TV/Breaking Bad/Season 01/Breaking Bad S01E01.mkv"));
    const QString e2 = touch(QStringLiteral("TV/Breaking Bad/Breaking Bad S02E01.mkv"));
    touch(QStringLiteral("TV/Breaking Bad/poster.jpg"));
    touch(QStringLiteral("TV/Breaking Bad/fanart.jpg"));
    touch(QStringLiteral("TV/Breaking Bad/banner.png"));
    touch(QStringLiteral("TV/Breaking Bad/clearlogo.png"));
    touch(QStringLiteral("TV/Breaking Bad/tvshow.nfo"));
    const QString show = m_dir->filePath(QStringLiteral("TV/Breaking Bad"));
    QCOMPARE(LocalArtwork::seriesFolder(e1), show);
    QCOMPARE(LocalArtwork::seriesFolder(e2), show);
    QCOMPARE(LocalArtwork::seriesFolder(show), show);
    QCOMPARE(
        LocalArtwork::seriesFolder(m_dir->filePath(QStringLiteral("TV/Breaking Bad/Season 01"))),
        show);
    QCOMPARE(LocalArtwork::seasonFolder(e1),
             m_dir->filePath(QStringLiteral("TV/Breaking Bad/Season 01")));
    QCOMPARE(LocalArtwork::seasonFolder(e2), QString());
    const QStringList expected = {QStringLiteral("poster:0:Breaking Bad/poster.jpg"),
                                  QStringLiteral("backdrop:0:Breaking Bad/fanart.jpg"),
                                  QStringLiteral("banner:0:Breaking Bad/banner.png"),
                                  QStringLiteral("logo:0:Breaking Bad/clearlogo.png")};
    QCOMPARE(describe(LocalArtwork::find(e1, QStringLiteral("series"))), expected);
    QCOMPARE(describe(LocalArtwork::find(e2, QStringLiteral("series"))), expected);
    QCOMPARE(describe(LocalArtwork::find(show, QStringLiteral("series"))), expected);
    QCOMPARE(LocalArtwork::findNfo(e1, QStringLiteral("series")), show + "/tvshow.nfo");
}

void TestLocalArtwork::seasonArt()
{
    const QString e1 = touch(QStringLiteral("TV/Show/Season 1/Show S01E01.mkv"));
    const QString e2 = touch(QStringLiteral("TV/Show/Season 2/Show S02E01.mkv"));
    const QString sp = touch(QStringLiteral("TV/Show/Specials/Show S00E01.mkv"));
    touch(QStringLiteral("TV/Show/season01-poster.jpg"));
    touch(QStringLiteral("TV/Show/season01-fanart.jpg"));
    touch(QStringLiteral("TV/Show/season-specials-poster.png"));
    touch(QStringLiteral("TV/Show/Season 1/folder.jpg")); // the named one wins
    touch(QStringLiteral("TV/Show/Season 2/folder.jpg"));
    touch(QStringLiteral("TV/Show/Season 2/season.nfo"));
    QCOMPARE(describe(LocalArtwork::find(e1, QStringLiteral("season"), 1)),
             (QStringList{QStringLiteral("poster:0:Show/season01-poster.jpg"),
                          QStringLiteral("backdrop:0:Show/season01-fanart.jpg")}));
    QCOMPARE(describe(LocalArtwork::find(e2, QStringLiteral("season"), 2)),
             QStringList{QStringLiteral("poster:0:Season 2/folder.jpg")});
    QCOMPARE(describe(LocalArtwork::find(sp, QStringLiteral("season"), 0)),
             QStringList{QStringLiteral("poster:0:Show/season-specials-poster.png")});
    QCOMPARE(LocalArtwork::findNfo(e2, QStringLiteral("season")),
             m_dir->filePath(QStringLiteral("TV/Show/Season 2/season.nfo")));
    QCOMPARE(LocalArtwork::findNfo(e1, QStringLiteral("season")), QString());
}

void TestLocalArtwork::episodeThumb()
{
    const QString e1 = touch(QStringLiteral("TV/Show/Season 1/Show S01E01.mkv"));
    const QString e2 = touch(QStringLiteral("TV/Show/Season 1/Show S01E02.mkv"));
    touch(QStringLiteral("TV/Show/Season 1/Show S01E01-thumb.jpg"));
    touch(QStringLiteral("TV/Show/Season 1/Show S01E01.jpg"));
    touch(QStringLiteral("TV/Show/Season 1/Show S01E02.png"));
    touch(QStringLiteral("TV/Show/Season 1/folder.jpg")); // the season's, not the episode's
    QCOMPARE(describe(LocalArtwork::find(e1, QStringLiteral("episode"))),
             QStringList{QStringLiteral("thumb:0:Season 1/Show S01E01-thumb.jpg")});
    QCOMPARE(describe(LocalArtwork::find(e2, QStringLiteral("episode"))),
             QStringList{QStringLiteral("thumb:0:Season 1/Show S01E02.png")});
}

void TestLocalArtwork::nfoLookup()
{
    const QString movie = touch(QStringLiteral("M/Alien/Alien.mkv"));
    touch(QStringLiteral("M/Alien/movie.nfo"));
    QCOMPARE(LocalArtwork::findNfo(movie, QStringLiteral("movie")),
             m_dir->filePath("M/Alien/movie.nfo"));
    touch(QStringLiteral("M/Alien/Alien.nfo")); // <name>.nfo first
    QCOMPARE(LocalArtwork::findNfo(movie, QStringLiteral("movie")),
             m_dir->filePath("M/Alien/Alien.nfo"));

    const QString ep = touch(QStringLiteral("TV/S/S01/S S01E01.mkv"));
    QCOMPARE(LocalArtwork::findNfo(ep, QStringLiteral("episode")), QString());
    touch(QStringLiteral("TV/S/S01/S S01E01.nfo"));
    QCOMPARE(LocalArtwork::findNfo(ep, QStringLiteral("episode")),
             m_dir->filePath("TV/S/S01/S S01E01.nfo"));
    QCOMPARE(LocalArtwork::findNfo(ep, QStringLiteral("series")), QString());
    touch(QStringLiteral("TV/S/TVShow.NFO"));
    QCOMPARE(LocalArtwork::findNfo(ep, QStringLiteral("series")),
             m_dir->filePath("TV/S/TVShow.NFO"));
    QCOMPARE(LocalArtwork::findNfo(ep, QStringLiteral("music_album")), QString());
}

void TestLocalArtwork::seasonFolderNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("season");
    QTest::newRow("Season 1") << "Season 1" << true;
    QTest::newRow("Season 01") << "Season 01" << true;
    QTest::newRow("season.02") << "season.02" << true;
    QTest::newRow("S01") << "S01" << true;
    QTest::newRow("s3") << "s3" << true;
    QTest::newRow("Specials") << "Specials" << true;
    QTest::newRow("Special") << "special" << true;
    QTest::newRow("Staffel 2") << "Staffel 2" << true;
    QTest::newRow("Season 1 (2008)") << "Season 1 (2008)" << true;
    QTest::newRow("Breaking Bad") << "Breaking Bad" << false;
    QTest::newRow("Seasons") << "Seasons" << false;
    QTest::newRow("S01E01") << "S01E01" << false;
    QTest::newRow("Season") << "Season" << false;
    QTest::newRow("Specialist") << "Specialist" << false;
    QTest::newRow("empty") << "" << false;
}

void TestLocalArtwork::seasonFolderNames()
{
    QFETCH(QString, name);
    QFETCH(bool, season);
    QCOMPARE(LocalArtwork::isSeasonFolderName(name), season);
}

void TestLocalArtwork::missingAndEmptyPaths()
{
    QVERIFY(LocalArtwork::find(QString(), QStringLiteral("movie")).isEmpty());
    QVERIFY(LocalArtwork::find(QStringLiteral("/nonexistent/x/y.mkv"), QStringLiteral("movie"))
                .isEmpty());
    QVERIFY(LocalArtwork::find(QStringLiteral("/nonexistent/x/y.mkv"), QStringLiteral("series"))
                .isEmpty());
    QVERIFY(LocalArtwork::findNfo(QString(), QStringLiteral("series")).isEmpty());
    QVERIFY(LocalArtwork::findNfo(QStringLiteral("/nonexistent/y.mkv"), QStringLiteral("episode"))
                .isEmpty());
    QVERIFY(LocalArtwork::find(touch(QStringLiteral("x.mkv")), QStringLiteral("bogus")).isEmpty());
    QCOMPARE(LocalArtwork::seriesFolder(QString()), QString());
}

QTEST_GUILESS_MAIN(TestLocalArtwork)
#include "tst_localartwork.moc"
