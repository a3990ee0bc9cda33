#include "TestEnvironment.h"
#include "library/FilenameParser.h"

#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

using namespace Revenge;

// FilenameParser on real-world-looking names: movies, episodes, anime, music, extras, subtitles,
// and hostile input; then `revenge identify` as a user runs it.
class TestFilenameParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identify_data();
    void identify();
    void hostile_data();
    void hostile();
    void jsonHasEveryKey();
    void identifyCommand();
    void identifyCommandWithoutPathsIsUsageError();
};

namespace {
constexpr int N = -1; // null in the table
} // namespace

void TestFilenameParser::identify_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("title");
    QTest::addColumn<QString>("series");
    QTest::addColumn<int>("season");
    QTest::addColumn<int>("episode");
    QTest::addColumn<int>("episodeEnd");
    QTest::addColumn<QString>("date");
    QTest::addColumn<int>("year");
    // Further keys to check, "key=value;key=value" against toJson().
    QTest::addColumn<QString>("more");

    auto row = [](const char *path, const char *kind, const char *title, const char *series,
                  int season, int episode, int episodeEnd, const char *date, int year,
                  const char *more = "") {
        QTest::newRow(path) << QString::fromUtf8(path) << QString::fromLatin1(kind)
                            << QString::fromUtf8(title) << QString::fromUtf8(series) << season
                            << episode << episodeEnd << QString::fromLatin1(date) << year
                            << QString::fromUtf8(more);
    };

    // Movies
    row("The Matrix (1999)/The Matrix (1999).mkv", "movie", "The Matrix", "", N, N, N, "", 1999,
        "extension=mkv");
    row("The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", "movie", "The Matrix", "", N, N, N, "", 1999,
        "quality=1080p;release_group=GRP");
    row("Inception.2010.720p.BRRip.x264.AAC-ETRG.mp4", "movie", "Inception", "", N, N, N, "", 2010,
        "quality=720p;release_group=ETRG");
    row("Blade.Runner.2049.2017.2160p.UHD.BluRay.REMUX.HDR.HEVC.Atmos-EPSiLON.mkv", "movie",
        "Blade Runner 2049", "", N, N, N, "", 2017, "quality=2160p;release_group=EPSiLON");
    row("Blade Runner 2049 (2017).mkv", "movie", "Blade Runner 2049", "", N, N, N, "", 2017);
    row("Movie.Name.2010.Directors.Cut.1080p.BluRay.DTS-HD.MA.5.1.H.264-GRP.mkv", "movie",
        "Movie Name", "", N, N, N, "", 2010, "release_group=GRP");
    row("Alien (1979) Director's Cut.mkv", "movie", "Alien", "", N, N, N, "", 1979);
    row("Gladiator.2000.EXTENDED.REMASTERED.1080p.BluRay.x265.10bit-RARBG.mkv", "movie",
        "Gladiator", "", N, N, N, "", 2000, "release_group=RARBG");
    row("Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX.mkv", "movie",
        "Dune Part Two", "", N, N, N, "", 2024, "quality=2160p;release_group=FLUX");
    row("Oppenheimer.2023.IMAX.1080p.WEBRip.x264.AAC5.1-YTS.mp4", "movie", "Oppenheimer", "", N, N,
        N, "", 2023);
    row("The_Big_Lebowski_1998_DVDRip_XviD.avi", "movie", "The Big Lebowski", "", N, N, N, "",
        1998);
    row("Inception (2010)/movie.mkv", "movie", "Inception", "", N, N, N, "", 2010);
    row("Movies/Heat (1995)/VIDEO_TS/VTS_01_1.VOB", "movie", "Heat", "", N, N, N, "", 1995);
    row("Movies/Heat (1995)/VIDEO_TS/VIDEO_TS.IFO", "movie", "Heat", "", N, N, N, "", 1995);
    row("Avatar (2009)/BDMV/STREAM/00000.m2ts", "movie", "Avatar", "", N, N, N, "", 2009);
    row("Movie Name (2010)/Movie Name.mkv", "movie", "Movie Name", "", N, N, N, "", 2010);
    row("Movie Name (2010) [imdbid-tt1234567]/Movie Name (2010) [1080p].mkv", "movie", "Movie Name",
        "", N, N, N, "", 2010, "quality=1080p");
    row("2001 A Space Odyssey (1968).mkv", "movie", "2001 A Space Odyssey", "", N, N, N, "", 1968);
    row("1917 (2019).mkv", "movie", "1917", "", N, N, N, "", 2019);
    row("2012.2009.1080p.BluRay.x264.mkv", "movie", "2012", "", N, N, N, "", 2009);
    row("Charlotte's Web (1973).mkv", "movie", "Charlotte's Web", "", N, N, N, "", 1973);
    row("Spider-Man.2002.720p.BluRay.mkv", "movie", "Spider-Man", "", N, N, N, "", 2002);
    row("Amélie (2001).mkv", "movie", "Amélie", "", N, N, N, "", 2001);
    row("Le.Fabuleux.Destin.d'Amélie.Poulain.2001.FRENCH.1080p.BluRay.mkv", "movie",
        "Le Fabuleux Destin d'Amélie Poulain", "", N, N, N, "", 2001);
    row("千と千尋の神隠し (2001).mkv", "movie", "千と千尋の神隠し", "", N, N, N, "", 2001);
    row("Some Home Video.mp4", "movie", "Some Home Video", "", N, N, N, "", N);
    row("Pulp Fiction (1994) - cd1.avi", "movie", "Pulp Fiction", "", N, N, N, "", 1994);

    // Episodes
    row("Show.Name.S01E05.mkv", "episode", "", "Show Name", 1, 5, N, "", N);
    row("Show.Name.S01E05E06.720p.HDTV.x264-KILLERS.mkv", "episode", "", "Show Name", 1, 5, 6, "",
        N, "quality=720p;release_group=KILLERS");
    row("Show Name - S01E05-E06 - Title.mkv", "episode", "Title", "Show Name", 1, 5, 6, "", N);
    row("Show.Name.S02E01-02.1080p.WEB.h264-GRP.mkv", "episode", "", "Show Name", 2, 1, 2, "", N);
    row("Show.Name.1x05.Pilot.mkv", "episode", "Pilot", "Show Name", 1, 5, N, "", N);
    row("Friends - 3x12 - The One With All The Jealousy.avi", "episode",
        "The One With All The Jealousy", "Friends", 3, 12, N, "", N);
    row("The.Office.US.S05E14.Stress.Relief.720p.WEB-DL.mkv", "episode", "Stress Relief",
        "The Office US", 5, 14, N, "", N);
    row("Doctor.Who.2005.S13E01.1080p.mkv", "episode", "", "Doctor Who", 13, 1, N, "", 2005);
    row("Breaking Bad/Season 1/05 - Gray Matter.mkv", "episode", "Gray Matter", "Breaking Bad", 1,
        5, N, "", N);
    row("Breaking Bad (2008)/Season 01/Breaking Bad - S01E05.mkv", "episode", "", "Breaking Bad", 1,
        5, N, "", N);
    row("TV/Lost/Season 2/E03 Orientation.mkv", "episode", "Orientation", "Lost", 2, 3, N, "", N);
    row("The Wire (2002)/Season 3/S03E11.mkv", "episode", "", "The Wire", 3, 11, N, "", 2002);
    row("Seinfeld/Specials/01 - The Pitch.mkv", "episode", "The Pitch", "Seinfeld", 0, 1, N, "", N);
    row("Show/S02/Show.S02E07.mkv", "episode", "", "Show", 2, 7, N, "", N);
    row("Sherlock/Season 1/Sherlock - Season 1 Episode 2.mkv", "episode", "", "Sherlock", 1, 2, N,
        "", N);
    row("Mr. Robot/Season 2/Mr. Robot - S02E01 - Unmask.mkv", "episode", "Unmask", "Mr. Robot", 2,
        1, N, "", N);
    row("The.Daily.Show.2024-01-15.Guest.Name.720p.WEB.h264-GRP.mkv", "episode", "Guest Name",
        "The Daily Show", N, N, N, "2024-01-15", N);
    row("Jeopardy/Jeopardy 2023-11-02.mp4", "episode", "", "Jeopardy", N, N, N, "2023-11-02", N);
    row("Late.Night.2023.12.05.mkv", "episode", "", "Late Night", N, N, N, "2023-12-05", N);

    // Anime: absolute numbering, the season stays null unless the title names one.
    row("[SubsPlease] Jujutsu Kaisen - 05 (1080p) [ABCD1234].mkv", "episode", "", "Jujutsu Kaisen",
        N, 5, N, "", N, "release_group=SubsPlease;quality=1080p");
    row("[HorribleSubs] One Piece - 1000 [720p].mkv", "episode", "", "One Piece", N, 1000, N, "", N,
        "release_group=HorribleSubs");
    row("[Erai-raws] Spy x Family - 12v2 [1080p][Multiple Subtitle].mkv", "episode", "",
        "Spy x Family", N, 12, N, "", N, "release_group=Erai-raws");
    row("[Judas] Attack on Titan S2 - 03 [1080p].mkv", "episode", "", "Attack on Titan", 2, 3, N,
        "", N);
    row("[Group] Show Name - 01-02 [BD 1080p].mkv", "episode", "", "Show Name", N, 1, 2, "", N);

    // Music
    row("Pink Floyd/The Dark Side of the Moon (1973)/01 - Speak to Me.flac", "track", "Speak to Me",
        "", N, N, N, "", 1973, "artist=Pink Floyd;album=The Dark Side of the Moon;track=1");
    row("Radiohead/OK Computer/02. Paranoid Android.mp3", "track", "Paranoid Android", "", N, N, N,
        "", N, "artist=Radiohead;album=OK Computer;track=2");
    row("Music/The Beatles/1969 - Abbey Road/07 Here Comes the Sun.m4a", "track",
        "Here Comes the Sun", "", N, N, N, "", 1969, "artist=The Beatles;album=Abbey Road;track=7");
    row("Pink Floyd/The Wall (1979)/CD2/1-03 Hey You.flac", "track", "Hey You", "", N, N, N, "",
        1979, "album=The Wall;disc=1;track=3");
    row("Queen/Queen - A Night at the Opera [1975]/11 - Queen - Bohemian Rhapsody.flac", "track",
        "Bohemian Rhapsody", "", N, N, N, "", 1975, "album=A Night at the Opera;track=11");
    row("loose track.ogg", "track", "loose track", "", N, N, N, "", N);

    // Extras
    row("Inception (2010)/Inception (2010)-trailer.mkv", "extra", "Inception", "", N, N, N, "",
        2010, "extra_type=trailer");
    row("Inception (2010)/Trailers/Official Trailer.mp4", "extra", "Inception", "", N, N, N, "",
        2010, "extra_type=trailer");
    row("Inception (2010)/Featurettes/Dreams.mkv", "extra", "Inception", "", N, N, N, "", 2010,
        "extra_type=featurette");
    row("Inception (2010)/Behind The Scenes/Making of.mkv", "extra", "Inception", "", N, N, N, "",
        2010, "extra_type=behindthescenes");
    row("Inception (2010)/Deleted Scenes/Alternate Ending.mkv", "extra", "Inception", "", N, N, N,
        "", 2010, "extra_type=deleted");
    row("Movie.2010.1080p.BluRay.x264-sample.mkv", "extra", "Movie", "", N, N, N, "", 2010,
        "extra_type=sample");
    row("Movie.2010.1080p.BluRay.x264-GRP/Sample/movie.2010.sample.mkv", "extra", "Movie", "", N, N,
        N, "", 2010, "extra_type=sample");
    row("Heat (1995)/trailer.mp4", "extra", "Heat", "", N, N, N, "", 1995, "extra_type=trailer");
    row("Heat (1995)/theme.mp3", "extra", "Heat", "", N, N, N, "", 1995, "extra_type=theme");
    row("Heat (1995)/poster.jpg", "extra", "Heat", "", N, N, N, "", 1995, "extra_type=poster");
    row("Heat (1995)/Heat (1995)-fanart.jpg", "extra", "Heat", "", N, N, N, "", 1995,
        "extra_type=fanart");
    row("Breaking Bad/season01-poster.jpg", "extra", "", "Breaking Bad", 1, N, N, "", N,
        "extra_type=poster");

    // Subtitles
    row("Movie (2010).en.srt", "subtitle", "Movie", "", N, N, N, "", 2010,
        "language=en;forced=false");
    row("Inception (2010)/Inception (2010).en.forced.srt", "subtitle", "Inception", "", N, N, N, "",
        2010, "language=en;forced=true");
    row("Show.Name.S01E05.720p.HDTV.x264-GRP.eng.srt", "subtitle", "", "Show Name", 1, 5, N, "", N,
        "language=eng");
    row("Amélie (2001)/Amélie (2001).fr.ass", "subtitle", "Amélie", "", N, N, N, "", 2001,
        "language=fr");
    row("Movie (2010)/Movie (2010).pt-BR.sdh.srt", "subtitle", "Movie", "", N, N, N, "", 2010,
        "language=pt-br");
    row("The Matrix (1999).srt", "subtitle", "The Matrix", "", N, N, N, "", 1999, "language=");

    // Unknown
    row("notes.txt", "unknown", "notes", "", N, N, N, "", N, "extension=txt");
    row("Movie (2010)/movie.nfo", "unknown", "movie", "", N, N, N, "", N, "extension=nfo");
    row("README", "unknown", "README", "", N, N, N, "", N, "extension=");
}

void TestFilenameParser::identify()
{
    QFETCH(QString, path);
    QFETCH(QString, kind);
    QFETCH(QString, title);
    QFETCH(QString, series);
    QFETCH(int, season);
    QFETCH(int, episode);
    QFETCH(int, episodeEnd);
    QFETCH(QString, date);
    QFETCH(int, year);
    QFETCH(QString, more);

    const Identification id = FilenameParser::identify(path);
    const QJsonObject json = id.toJson();
    auto intOr = [](const QJsonValue &v) { return v.isNull() ? N : v.toInt(); };
    QCOMPARE(json.value(QStringLiteral("path")).toString(), path);
    QCOMPARE(json.value(QStringLiteral("kind")).toString(), kind);
    QCOMPARE(json.value(QStringLiteral("title")).toString(), title);
    QCOMPARE(json.value(QStringLiteral("series")).toString(), series);
    QCOMPARE(intOr(json.value(QStringLiteral("season"))), season);
    QCOMPARE(intOr(json.value(QStringLiteral("episode"))), episode);
    QCOMPARE(intOr(json.value(QStringLiteral("episode_end"))), episodeEnd);
    QCOMPARE(json.value(QStringLiteral("date")).toString(), date);
    QCOMPARE(intOr(json.value(QStringLiteral("year"))), year);
    for (const QString &pair : more.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QString key = pair.section(QLatin1Char('='), 0, 0);
        const QString expected = pair.section(QLatin1Char('='), 1);
        const QJsonValue v = json.value(key);
        const QString actual = v.isBool()
                                   ? (v.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                               : v.isDouble() ? QString::number(v.toInt())
                                              : v.toString();
        QVERIFY2(actual == expected,
                 qPrintable(
                     QStringLiteral("%1: expected \"%2\", got \"%3\"").arg(key, expected, actual)));
    }
}

void TestFilenameParser::hostile_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("kind");
    QTest::newRow("empty") << QString() << QStringLiteral("unknown");
    QTest::newRow("slash") << QStringLiteral("/") << QStringLiteral("unknown");
    QTest::newRow("slashes and dots") << QStringLiteral("/././/") << QStringLiteral("unknown");
    QTest::newRow("only dots") << QStringLiteral("....") << QStringLiteral("unknown");
    QTest::newRow("dot dot") << QStringLiteral("../..") << QStringLiteral("unknown");
    QTest::newRow("only extension") << QStringLiteral(".mkv") << QStringLiteral("movie");
    QTest::newRow("dots then extension") << QStringLiteral("....mkv") << QStringLiteral("movie");
    QTest::newRow("4 kB name") << QString(4096, QLatin1Char('a')) + QStringLiteral(".mkv")
                               << QStringLiteral("movie");
    QTest::newRow("4 kB of dots and tags")
        << QStringLiteral("A.").repeated(2048) + QStringLiteral("S01E05.mkv")
        << QStringLiteral("episode");
    QTest::newRow("4 kB anime-ish") << QStringLiteral("[") + QString(4096, QLatin1Char('x')) +
                                           QStringLiteral("] - - - 05 [.mkv")
                                    << QStringLiteral("movie");
    QTest::newRow("deep path") << QStringLiteral("a/").repeated(1000) + QStringLiteral("b.mkv")
                               << QStringLiteral("movie");
    QTest::newRow("U+FFFD") << QStringLiteral("Bad\uFFFDName (2005)/\uFFFD\uFFFD.mkv")
                            << QStringLiteral("movie");
    QTest::newRow("U+FFFD only") << QStringLiteral("\uFFFD") << QStringLiteral("unknown");
    QTest::newRow("brackets only") << QStringLiteral("[][]{}().mkv") << QStringLiteral("movie");
    QTest::newRow("backslashes") << QStringLiteral("Show\\Season 1\\01.mkv")
                                 << QStringLiteral("episode");
    QTest::newRow("invalid date") << QStringLiteral("Show.2024-13-45.mkv")
                                  << QStringLiteral("movie");
}

void TestFilenameParser::hostile()
{
    QFETCH(QString, path);
    QFETCH(QString, kind);
    const Identification id = FilenameParser::identify(path);
    QCOMPARE(Identification::kindName(id.kind), kind);
    const QJsonObject json = id.toJson();
    QCOMPARE(json.value(QStringLiteral("path")).toString(), path);
    QVERIFY(!QJsonDocument(json).toJson(QJsonDocument::Compact).isEmpty());
}

void TestFilenameParser::jsonHasEveryKey()
{
    const QJsonObject json = FilenameParser::identify(QStringLiteral("x")).toJson();
    for (const char *key :
         {"path", "kind", "title", "series", "season", "episode", "episode_end", "date", "year",
          "extension", "language", "extra_type", "quality", "release_group"})
        QVERIFY2(json.contains(QLatin1String(key)), key);
    QVERIFY(json.value(QStringLiteral("season")).isNull());
    QVERIFY(json.value(QStringLiteral("date")).isNull());
}

void TestFilenameParser::identifyCommand()
{
    const QString binary = Test::revengeBinary();
    if (binary.isEmpty())
        QSKIP("REVENGE_BINARY is not set (run through ctest)");
    const QStringList paths{QStringLiteral("The Matrix (1999)/The Matrix (1999).mkv"),
                            QStringLiteral("Show.Name.S01E05E06.720p.HDTV.x264-GRP.mkv"),
                            QStringLiteral("千と千尋の神隠し (2001).en.srt")};
    QProcess p;
    // No configuration, no database: a bogus config path must not matter.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), QStringLiteral("/nonexistent"));
    p.setProcessEnvironment(env);
    p.start(binary, QStringList{QStringLiteral("identify")} + paths);
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    const QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QJsonObject j[3];
    for (int i = 0; i < 3; ++i) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(lines[i], &error);
        QVERIFY2(doc.isObject(), qPrintable(error.errorString()));
        j[i] = doc.object();
        QCOMPARE(j[i].value(QStringLiteral("path")).toString(), paths[i]);
    }
    QCOMPARE(j[0].value(QStringLiteral("kind")).toString(), QStringLiteral("movie"));
    QCOMPARE(j[0].value(QStringLiteral("title")).toString(), QStringLiteral("The Matrix"));
    QCOMPARE(j[0].value(QStringLiteral("year")).toInt(), 1999);
    QCOMPARE(j[1].value(QStringLiteral("kind")).toString(), QStringLiteral("episode"));
    QCOMPARE(j[1].value(QStringLiteral("series")).toString(), QStringLiteral("Show Name"));
    QCOMPARE(j[1].value(QStringLiteral("episode")).toInt(), 5);
    QCOMPARE(j[1].value(QStringLiteral("episode_end")).toInt(), 6);
    QCOMPARE(j[2].value(QStringLiteral("kind")).toString(), QStringLiteral("subtitle"));
    QCOMPARE(j[2].value(QStringLiteral("title")).toString(), QStringLiteral("千と千尋の神隠し"));
    QCOMPARE(j[2].value(QStringLiteral("language")).toString(), QStringLiteral("en"));
}

void TestFilenameParser::identifyCommandWithoutPathsIsUsageError()
{
    const QString binary = Test::revengeBinary();
    if (binary.isEmpty())
        QSKIP("REVENGE_BINARY is not set (run through ctest)");
    QProcess p;
    p.start(binary, {QStringLiteral("identify")});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("usage"));
}

QTEST_GUILESS_MAIN(TestFilenameParser)
#include "tst_filenameparser.moc"
