#include "library/metadata/NfoReader.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace Revenge;

// Kodi-style NFO files: every shape we read, and every kind of bad input refused with a clear
// reason (never a crash, never a partial read of broken XML).
class TestNfoReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void movie();
    void tvShowAndEpisode();
    void season();
    void ratingsPickDefaultAndScale();
    void legacyIds();
    void urlOnly();
    void urlAfterXml();
    void multiEpisodeTakesFirst();
    void byteOrderMarks();
    void latin1Declared();
    void invalidUtf8FallsBackToLatin1();
    void outOfRangeValuesIgnored();
    void emptyAndWhitespace();
    void malformedXml_data();
    void malformedXml();
    void wrongRoot_data();
    void wrongRoot();
    void plainTextWithoutIds();
    void tooLarge();
    void readFromFile();
    void missingFile();
    void hostileInputs();
};

static const char kMovie[] = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- written by Kodi -->
<movie>
    <title>The Matrix</title>
    <originaltitle>The Matrix</originaltitle>
    <sorttitle>Matrix 1</sorttitle>
    <year>1999</year>
    <premiered>1999-03-30</premiered>
    <outline>Short.</outline>
    <plot>A hacker learns the truth &amp; fights.</plot>
    <tagline>Welcome to the Real World.</tagline>
    <mpaa>Rated R</mpaa>
    <runtime>136</runtime>
    <ratings>
        <rating name="imdb" max="10"><value>8.7</value><votes>1900000</votes></rating>
        <rating name="themoviedb" max="10" default="true"><value>8.2</value></rating>
    </ratings>
    <genre>Action</genre>
    <genre>Science Fiction</genre>
    <genre>action</genre>
    <studio>Warner Bros.</studio>
    <director>Lana Wachowski</director>
    <director>Lilly Wachowski</director>
    <credits>Lana Wachowski</credits>
    <uniqueid type="imdb" default="true">tt0133093</uniqueid>
    <uniqueid type="tmdb">603</uniqueid>
    <thumb aspect="poster" preview="https://img/p_small.jpg">https://img/poster.jpg</thumb>
    <thumb aspect="clearlogo">https://img/logo.png</thumb>
    <thumb aspect="landscape">https://img/landscape.jpg</thumb>
    <thumb aspect="discart">https://img/disc.png</thumb>
    <thumb aspect="poster">file:///etc/passwd</thumb>
    <fanart url="https://img/">
        <thumb preview="x">fanart1.jpg</thumb>
        <thumb>https://other/fanart2.jpg</thumb>
    </fanart>
    <actor>
        <name>Keanu Reeves</name>
        <role>Neo</role>
        <order>0</order>
        <thumb>https://img/keanu.jpg</thumb>
    </actor>
    <actor>
        <name>Laurence Fishburne</name>
        <role>Morpheus</role>
        <order>1</order>
    </actor>
    <actor><name>  </name><role>Nobody</role></actor>
    <fileinfo><streamdetails><video><codec>h264</codec></video></streamdetails></fileinfo>
</movie>
)";

void TestNfoReader::movie()
{
    QString error;
    NfoReader::Type type = NfoReader::Type::UrlOnly;
    const auto m = NfoReader::parse(kMovie, &error, &type);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(type, NfoReader::Type::Movie);
    QCOMPARE(m->source, QStringLiteral("nfo"));
    QCOMPARE(m->title, QStringLiteral("The Matrix"));
    QCOMPARE(m->originalTitle, QStringLiteral("The Matrix"));
    QCOMPARE(m->sortTitle, QStringLiteral("Matrix 1"));
    QCOMPARE(m->year, 1999);
    QCOMPARE(m->releaseDate, QDate(1999, 3, 30));
    QCOMPARE(m->overview, QStringLiteral("A hacker learns the truth & fights."));
    QCOMPARE(m->tagline, QStringLiteral("Welcome to the Real World."));
    QCOMPARE(m->contentRating, QStringLiteral("R"));
    QCOMPARE(m->runtimeMinutes, 136);
    QCOMPARE(m->rating, 8.2); // the default rating, not the first
    QCOMPARE(m->genres, (QStringList{QStringLiteral("Action"), QStringLiteral("Science Fiction")}));
    QCOMPARE(m->externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0133093"));
    QCOMPARE(m->externalIds.value(QStringLiteral("tmdb")), QStringLiteral("603"));

    QList<PersonCredit> actors, directors, writers;
    for (const PersonCredit &c : m->credits) {
        if (c.role == QLatin1String("actor"))
            actors << c;
        else if (c.role == QLatin1String("director"))
            directors << c;
        else if (c.role == QLatin1String("writer"))
            writers << c;
    }
    QCOMPARE(actors.size(), 2); // the nameless one is dropped
    QCOMPARE(actors[0].name, QStringLiteral("Keanu Reeves"));
    QCOMPARE(actors[0].character, QStringLiteral("Neo"));
    QCOMPARE(actors[0].order, 0);
    QCOMPARE(actors[0].imageUrl, QStringLiteral("https://img/keanu.jpg"));
    QCOMPARE(actors[1].name, QStringLiteral("Laurence Fishburne"));
    QCOMPARE(actors[1].order, 1);
    QCOMPARE(directors.size(), 2);
    QCOMPARE(directors[1].name, QStringLiteral("Lilly Wachowski"));
    QCOMPARE(directors[1].order, 1);
    QCOMPARE(writers.size(), 1);

    QStringList images;
    for (const ImageRef &i : m->images) {
        QVERIFY(i.path.isEmpty());
        images << QStringLiteral("%1:%2:%3").arg(i.kind, i.url).arg(i.order);
    }
    QCOMPARE(images, (QStringList{QStringLiteral("poster:https://img/poster.jpg:0"),
                                  QStringLiteral("logo:https://img/logo.png:0"),
                                  QStringLiteral("thumb:https://img/landscape.jpg:0"),
                                  QStringLiteral("backdrop:https://img/fanart1.jpg:0"),
                                  QStringLiteral("backdrop:https://other/fanart2.jpg:1")}));
}

void TestNfoReader::tvShowAndEpisode()
{
    const QByteArray show = R"(<tvshow>
  <title>Breaking Bad</title>
  <plot></plot>
  <outline>A chemistry teacher turns.</outline>
  <premiered>2008-01-20</premiered>
  <rating>9.5</rating>
  <genre>Drama / Crime</genre>
  <uniqueid type="tvdb" default="true">81189</uniqueid>
  <uniqueid type="imdb">tt0903747</uniqueid>
  <thumb aspect="banner">https://img/banner.jpg</thumb>
  <thumb aspect="poster" type="season" season="1">https://img/s1.jpg</thumb>
  <thumb>https://img/show-poster.jpg</thumb>
  <episodeguide><url cache="81189.xml">https://tvdb/81189</url></episodeguide>
</tvshow>)";
    QString error;
    NfoReader::Type type = NfoReader::Type::UrlOnly;
    auto m = NfoReader::parse(show, &error, &type);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(type, NfoReader::Type::TvShow);
    QCOMPARE(m->title, QStringLiteral("Breaking Bad"));
    QCOMPARE(m->overview, QStringLiteral("A chemistry teacher turns.")); // empty plot: outline
    QCOMPARE(m->releaseDate, QDate(2008, 1, 20));
    QCOMPARE(m->year, 2008); // from the premiere
    QCOMPARE(m->rating, 9.5);
    QCOMPARE(m->genres, (QStringList{QStringLiteral("Drama"), QStringLiteral("Crime")}));
    QCOMPARE(m->externalIds.value(QStringLiteral("tvdb")), QStringLiteral("81189"));
    QCOMPARE(m->externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0903747"));
    QCOMPARE(m->images.size(), 2); // the season poster is not the show's
    QCOMPARE(m->images[0].kind, QStringLiteral("banner"));
    QCOMPARE(m->images[1].kind, QStringLiteral("poster"));

    const QByteArray episode = R"(<episodedetails>
  <title>Pilot</title>
  <season>1</season><episode>1</episode>
  <aired>2008-01-20</aired>
  <runtime>58 min</runtime>
  <plot>Walter is diagnosed.</plot>
  <director>Vince Gilligan</director>
  <credits>Vince Gilligan</credits>
  <actor><name>Bryan Cranston</name><role>Walter White</role></actor>
  <uniqueid type="tvdb">349232</uniqueid>
  <thumb>https://img/ep-still.jpg</thumb>
</episodedetails>)";
    m = NfoReader::parse(episode, &error, &type);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(type, NfoReader::Type::Episode);
    QCOMPARE(m->title, QStringLiteral("Pilot"));
    QCOMPARE(m->releaseDate, QDate(2008, 1, 20));
    QCOMPARE(m->runtimeMinutes, 58);
    QCOMPARE(m->credits.size(), 3);
    QCOMPARE(m->externalIds.value(QStringLiteral("tvdb")), QStringLiteral("349232"));
    QCOMPARE(m->images.size(), 1);
    QCOMPARE(m->images[0].kind, QStringLiteral("thumb")); // an episode's image is its still
}

void TestNfoReader::season()
{
    QString error;
    NfoReader::Type type = NfoReader::Type::UrlOnly;
    const auto m = NfoReader::parse("<season><title>Season One</title><plot>First.</plot>"
                                    "<premiered>2008-01-20</premiered></season>",
                                    &error, &type);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(type, NfoReader::Type::Season);
    QCOMPARE(m->title, QStringLiteral("Season One"));
    QCOMPARE(m->overview, QStringLiteral("First."));
}

void TestNfoReader::ratingsPickDefaultAndScale()
{
    QString error;
    // No default: the first usable one; a max of 100 is scaled to 10; a legacy <rating> loses.
    auto m = NfoReader::parse(R"(<movie><rating>5.0</rating><ratings>
        <rating name="metacritic" max="100"><value>73</value></rating>
        <rating name="imdb"><value>8,1</value></rating></ratings></movie>)",
                              &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->rating, 7.3);
    // Out of its scale, or max="0": dropped, and the legacy rating is used.
    m = NfoReader::parse(R"(<movie><rating>6.4</rating><ratings>
        <rating name="a" max="10" default="true"><value>11</value></rating>
        <rating name="b" max="0"><value>3</value></rating></ratings></movie>)",
                         &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->rating, 6.4);
    m = NfoReader::parse("<movie><rating>NaN</rating><rating>-1</rating></movie>", &error);
    QVERIFY2(m, qPrintable(error));
    QVERIFY(!m->rating);
}

void TestNfoReader::legacyIds()
{
    QString error;
    auto m = NfoReader::parse("<movie><id>tt0133093</id><tmdbid>603</tmdbid></movie>", &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0133093"));
    QCOMPARE(m->externalIds.value(QStringLiteral("tmdb")), QStringLiteral("603"));
    // A numeric <id> is TMDb's for a movie, TVDb's for a show; <uniqueid> wins over <id>.
    m = NfoReader::parse("<movie><id>604</id><uniqueid type=\"tmdb\">605</uniqueid></movie>",
                         &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->externalIds.value(QStringLiteral("tmdb")), QStringLiteral("605"));
    m = NfoReader::parse("<tvshow><id>81189</id><imdbid>tt0903747</imdbid></tvshow>", &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->externalIds.value(QStringLiteral("tvdb")), QStringLiteral("81189"));
    QCOMPARE(m->externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0903747"));
    // Malformed ids are dropped, not stored.
    m = NfoReader::parse(
        "<movie><uniqueid type=\"imdb\">0133093</uniqueid>"
        "<uniqueid type=\"tmdb\">abc</uniqueid><uniqueid type=\"tvdb\">0</uniqueid>"
        "<uniqueid type=\"bad type!\">1</uniqueid>"
        "<uniqueid type=\"anidb\">  4563 </uniqueid></movie>",
        &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->externalIds,
             (QMap<QString, QString>{{QStringLiteral("anidb"), QStringLiteral("4563")}}));
}

void TestNfoReader::urlOnly()
{
    QString error;
    NfoReader::Type type = NfoReader::Type::Movie;
    auto m = NfoReader::parse("https://www.imdb.com/title/tt0133093/\n", &error, &type);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(type, NfoReader::Type::UrlOnly);
    QCOMPARE(m->externalIds,
             (QMap<QString, QString>{{QStringLiteral("imdb"), QStringLiteral("tt0133093")}}));
    QVERIFY(!m->title);

    m = NfoReader::parse("  https://www.themoviedb.org/movie/603-the-matrix  ", &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->externalIds.value(QStringLiteral("tmdb")), QStringLiteral("603"));
    m = NfoReader::parse("http://thetvdb.com/?tab=series&id=81189", &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->externalIds.value(QStringLiteral("tvdb")), QStringLiteral("81189"));
    m = NfoReader::parse("https://www.themoviedb.org/tv/1396", &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->externalIds.value(QStringLiteral("tmdb")), QStringLiteral("1396"));
}

void TestNfoReader::urlAfterXml()
{
    QString error;
    const auto m = NfoReader::parse("<movie><title>The Matrix</title></movie>\n"
                                    "https://www.imdb.com/title/tt0133093/\n",
                                    &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("The Matrix"));
    QCOMPARE(m->externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0133093"));
    // The XML's own id wins over the trailing URL.
    const auto m2 = NfoReader::parse("<movie><uniqueid type=\"imdb\">tt0000001</uniqueid></movie>"
                                     "https://www.imdb.com/title/tt0133093/",
                                     &error);
    QVERIFY2(m2, qPrintable(error));
    QCOMPARE(m2->externalIds.value(QStringLiteral("imdb")), QStringLiteral("tt0000001"));
}

void TestNfoReader::multiEpisodeTakesFirst()
{
    QString error;
    const auto m = NfoReader::parse(
        "<episodedetails><title>Part 1</title></episodedetails>\n"
        "<episodedetails><title>Part 2</title><uniqueid type=\"imdb\">tt1234567</uniqueid>"
        "</episodedetails>",
        &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("Part 1"));
    QVERIFY(m->externalIds.isEmpty()); // the second episode's id is not this one's
}

void TestNfoReader::byteOrderMarks()
{
    QString error;
    const QString xml = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                       "<movie><title>Amélie</title></movie>");
    auto m = NfoReader::parse("\xEF\xBB\xBF" + xml.toUtf8(), &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("Amélie"));

    // UTF-16 with its BOM (the declaration says UTF-8, the BOM wins).
    QByteArray utf16("\xFF\xFE", 2);
    for (const QChar c : xml) {
        utf16.append(char(c.unicode() & 0xff));
        utf16.append(char(c.unicode() >> 8));
    }
    m = NfoReader::parse(utf16, &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("Amélie"));
}

void TestNfoReader::latin1Declared()
{
    QString error;
    const QByteArray latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                              "<movie><title>Am\xE9lie</title><plot>Caf\xE9</plot></movie>";
    auto m = NfoReader::parse(latin1, &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("Amélie"));
    QCOMPARE(m->overview, QStringLiteral("Café"));

    const QByteArray cp1252 = "<?xml version='1.0' encoding='windows-1252'?>"
                              "<movie><title>Am\xE9lie</title></movie>";
    m = NfoReader::parse(cp1252, &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("Amélie"));

    m = NfoReader::parse("<?xml version='1.0' encoding='klingon-8'?><movie/>", &error);
    QVERIFY(!m);
    QVERIFY2(error.contains(QLatin1String("unsupported encoding 'klingon-8'")), qPrintable(error));
}

void TestNfoReader::invalidUtf8FallsBackToLatin1()
{
    QString error;
    const auto m = NfoReader::parse("<movie><title>Am\xE9lie</title></movie>", &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("Amélie"));
}

void TestNfoReader::outOfRangeValuesIgnored()
{
    QString error;
    const auto m = NfoReader::parse(R"(<movie>
        <title>Odd</title>
        <year>99999</year>
        <premiered>1999-02-31</premiered>
        <aired>0001-01-01</aired>
        <runtime>-5</runtime>
        <rating>99</rating>
        <actor><name>A</name><order>-3</order></actor>
        <mpaa>)" + QByteArray(80, 'x') + R"(</mpaa>
    </movie>)",
                                    &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->title, QStringLiteral("Odd"));
    QVERIFY(!m->year);
    QVERIFY(!m->releaseDate);
    QVERIFY(!m->runtimeMinutes);
    QVERIFY(!m->rating);
    QVERIFY(!m->contentRating);
    QCOMPARE(m->credits.size(), 1);
    QCOMPARE(m->credits[0].order, 0);

    const auto y = NfoReader::parse("<movie><year>abc</year><year>2001</year></movie>", &error);
    QVERIFY2(y, qPrintable(error));
    QCOMPARE(y->year, 2001); // the first usable <year>
}

void TestNfoReader::emptyAndWhitespace()
{
    QString error;
    QVERIFY(!NfoReader::parse(QByteArray(), &error));
    QCOMPARE(error, QStringLiteral("empty file"));
    QVERIFY(!NfoReader::parse(" \n\t\r\n", &error));
    QCOMPARE(error, QStringLiteral("empty file"));
    QVERIFY(!NfoReader::parse("\xEF\xBB\xBF", &error));
    QCOMPARE(error, QStringLiteral("empty file"));
    QVERIFY(!NfoReader::parse("<?xml version=\"1.0\"?>\n<!-- nothing -->", &error));
    QVERIFY2(error.contains(QLatin1String("malformed XML")) ||
                 error.contains(QLatin1String("no root element")),
             qPrintable(error));
}

void TestNfoReader::malformedXml_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("where");
    QTest::newRow("unclosed") << QByteArray("<movie>\n<title>The Matrix</title>\n") << "line 3";
    QTest::newRow("mismatched") << QByteArray("<movie>\n  <title>X</titel>\n</movie>") << "line 2";
    QTest::newRow("bad entity") << QByteArray("<movie><title>&nope;</title></movie>") << "line 1";
    QTest::newRow("truncated attr") << QByteArray("<movie><thumb aspect=\"poster>") << "line 1";
    QTest::newRow("control char") << QByteArray("<movie><title>a\x01b</title></movie>") << "line 1";
    QTest::newRow("two roots garbage") << QByteArray("<movie><title>X</title><") << "line 1";
}

void TestNfoReader::malformedXml()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, where);
    QString error;
    NfoReader::Type type = NfoReader::Type::UrlOnly;
    const auto m = NfoReader::parse(data, &error, &type);
    QVERIFY(!m);
    QVERIFY2(error.startsWith(QLatin1String("malformed XML at ")), qPrintable(error));
    QVERIFY2(error.contains(where), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("column")), qPrintable(error));
}

void TestNfoReader::wrongRoot_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected");
    QTest::newRow("musicvideo") << QByteArray("<musicvideo><title>x</title></musicvideo>")
                                << "unsupported NFO type <musicvideo>";
    QTest::newRow("album") << QByteArray("<album/>") << "unsupported NFO type <album>";
    QTest::newRow("artist") << QByteArray("<artist/>") << "unsupported NFO type <artist>";
    QTest::newRow("html") << QByteArray("<html><body>hi</body></html>")
                          << "not an NFO: root element <html>";
}

void TestNfoReader::wrongRoot()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!NfoReader::parse(data, &error));
    QVERIFY2(error.startsWith(expected), qPrintable(error));
}

void TestNfoReader::plainTextWithoutIds()
{
    QString error;
    QVERIFY(!NfoReader::parse("Ripped by me. Enjoy!\nhttps://example.com/", &error));
    QCOMPARE(error, QStringLiteral("neither XML nor an IMDb, TMDb or TVDb URL"));
    QVERIFY(!NfoReader::parse(QByteArray(4096, '\0'), &error));
}

void TestNfoReader::tooLarge()
{
    QByteArray big = "<movie><title>Big</title><plot>";
    big += QByteArray(NfoReader::kMaxSize, 'a');
    big += "</plot></movie>";
    QString error;
    QVERIFY(!NfoReader::parse(big, &error));
    QVERIFY2(error.contains(QLatin1String("larger than the")), qPrintable(error));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("big.nfo"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(big);
    f.close();
    QVERIFY(!NfoReader::read(path, &error));
    QVERIFY2(error.startsWith(path + QLatin1String(": ")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("larger than the")), qPrintable(error));
}

void TestNfoReader::readFromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("The Matrix (1999).nfo"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(kMovie);
    f.close();
    QString error;
    NfoReader::Type type = NfoReader::Type::UrlOnly;
    const auto m = NfoReader::read(path, &error, &type);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(type, NfoReader::Type::Movie);
    QCOMPARE(m->title, QStringLiteral("The Matrix"));

    const QString broken = dir.filePath(QStringLiteral("broken.nfo"));
    QFile b(broken);
    QVERIFY(b.open(QIODevice::WriteOnly));
    b.write("<movie>\n<title>x</title>\n<year>");
    b.close();
    QVERIFY(!NfoReader::read(broken, &error));
    QVERIFY2(error.startsWith(broken + QLatin1String(": malformed XML at line 3")),
             qPrintable(error));
}

void TestNfoReader::missingFile()
{
    QString error;
    QVERIFY(!NfoReader::read(QStringLiteral("/nonexistent/dir/x.nfo"), &error));
    QCOMPARE(error, QStringLiteral("/nonexistent/dir/x.nfo: no such file"));
    QTemporaryDir dir;
    QVERIFY(!NfoReader::read(dir.path(), &error)); // a directory
    QVERIFY(!error.isEmpty());
}

void TestNfoReader::hostileInputs()
{
    QString error;
    // Entity expansion ("billion laughs") is bounded by QXmlStreamReader: an error, no hang.
    QByteArray laughs = "<?xml version=\"1.0\"?><!DOCTYPE movie [<!ENTITY a \"aaaaaaaaaa\">";
    for (int i = 1; i < 10; ++i)
        laughs += QByteArrayLiteral("<!ENTITY ") + char('a' + i) + " \"" + QByteArray("&") +
                  char('a' + i - 1) + ";" + QByteArray("&") + char('a' + i - 1) + ";&" +
                  char('a' + i - 1) + ";&" + char('a' + i - 1) + ";&" + char('a' + i - 1) + ";&" +
                  char('a' + i - 1) + ";&" + char('a' + i - 1) + ";&" + char('a' + i - 1) + ";&" +
                  char('a' + i - 1) + ";&" + char('a' + i - 1) + ";\">";
    laughs += "]><movie><title>&j;</title></movie>";
    const auto m = NfoReader::parse(laughs, &error);
    if (m)
        QVERIFY(m->title->size() < 100'000'000);
    else
        QVERIFY(!error.isEmpty());

    // Deep nesting and an external entity: refused or ignored, never fetched.
    QByteArray deep = "<movie>";
    for (int i = 0; i < 5000; ++i)
        deep += "<x>";
    for (int i = 0; i < 5000; ++i)
        deep += "</x>";
    deep += "<title>Deep</title></movie>";
    const auto d = NfoReader::parse(deep, &error);
    QVERIFY2(d, qPrintable(error));
    QCOMPARE(d->title, QStringLiteral("Deep"));

    const auto ext = NfoReader::parse("<?xml version=\"1.0\"?><!DOCTYPE movie [<!ENTITY x SYSTEM "
                                      "\"file:///etc/passwd\">]><movie><title>&x;</title></movie>",
                                      &error);
    if (ext)
        QVERIFY(!ext->title || !ext->title->contains(QLatin1String("root:")));
}

QTEST_GUILESS_MAIN(TestNfoReader)
#include "tst_nforeader.moc"
