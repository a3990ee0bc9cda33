#include "library/metadata/TitleMatcher.h"

#include <QtTest>

using namespace Revenge;

namespace {

MetadataCandidate candidate(const QString &id, const QString &title, std::optional<int> year,
                            const QString &original = {}, double popularity = 1)
{
    MetadataCandidate c;
    c.id = id;
    c.title = title;
    c.originalTitle = original.isEmpty() ? title : original;
    c.year = year;
    c.popularity = popularity;
    return c;
}

QString bestId(const QString &title, std::optional<int> year,
               const QList<MetadataCandidate> &candidates)
{
    const auto m = TitleMatcher::bestMatch(title, year, candidates);
    return m ? candidates.at(m->index).id : QString();
}

} // namespace

// TitleMatcher: normalisation and the choice among realistic TMDb search results.
class TestTitleMatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalize_data();
    void normalize();
    void similarity();
    void remakesAreToldApartByYear();
    void sequelsDoNotWinOverTheFilm();
    void foreignTitlesMatchTheOriginalTitle();
    void yearOffByOneStillMatches();
    void wrongYearOrWrongFilmIsNoMatch();
    void tiesGoToThePopularOne();
    void hostileInput();
};

void TestTitleMatcher::normalize_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("case") << "THE MATRIX"
                          << "matrix";
    QTest::newRow("accents") << "Amélie"
                             << "amelie";
    QTest::newRow("ligature and eszett") << "Œuvre Straße"
                                         << "oeuvre strasse";
    QTest::newRow("punctuation") << "Spider-Man: No Way Home"
                                 << "spider man no way home";
    QTest::newRow("apostrophe") << "Schindler's List"
                                << "schindlers list";
    QTest::newRow("typographic apostrophe") << "Schindler\u2019s List"
                                            << "schindlers list";
    QTest::newRow("ampersand") << "Fast & Furious"
                               << "fast and furious";
    QTest::newRow("leading article") << "The Lord of the Rings"
                                     << "lord of the rings";
    QTest::newRow("trailing article") << "Matrix, The"
                                      << "matrix";
    QTest::newRow("french article") << "Le Fabuleux Destin d'Amélie Poulain"
                                    << "fabuleux destin damelie poulain";
    QTest::newRow("article alone stays") << "The"
                                         << "the";
    QTest::newRow("roman numerals") << "Rocky IV"
                                    << "rocky 4";
    QTest::newRow("roman II") << "The Godfather: Part II"
                              << "godfather part 2";
    QTest::newRow("single letters stay") << "Malcolm X"
                                         << "malcolm x";
    QTest::newRow("V stays") << "V for Vendetta"
                             << "v for vendetta";
    QTest::newRow("whitespace") << "  Blade\tRunner  2049 "
                                << "blade runner 2049";
    QTest::newRow("cjk kept") << "臥虎藏龍"
                              << "臥虎藏龍";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("only punctuation") << "?!..."
                                      << "";
}

void TestTitleMatcher::normalize()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(TitleMatcher::normalize(input), expected);
}

void TestTitleMatcher::similarity()
{
    QCOMPARE(TitleMatcher::similarity(QStringLiteral("The Matrix"), QStringLiteral("Matrix, The")),
             1.0);
    QCOMPARE(TitleMatcher::similarity(QStringLiteral("Spiderman"), QStringLiteral("Spider-Man")),
             1.0);
    QCOMPARE(TitleMatcher::similarity(QStringLiteral("Rocky 2"), QStringLiteral("Rocky II")), 1.0);
    QVERIFY(TitleMatcher::similarity(QStringLiteral("The Matrx"), QStringLiteral("The Matrix")) >
            0.8);
    QVERIFY(TitleMatcher::similarity(QStringLiteral("Alien"), QStringLiteral("Aliens")) < 1.0);
    QVERIFY(TitleMatcher::similarity(QStringLiteral("Heat"), QStringLiteral("Casablanca")) < 0.3);
    QCOMPARE(TitleMatcher::similarity(QString(), QStringLiteral("Heat")), 0.0);
}

void TestTitleMatcher::remakesAreToldApartByYear()
{
    // search/movie?query=Dune, as TMDb orders it (popularity).
    const QList<MetadataCandidate> dune{
        candidate(QStringLiteral("438631"), QStringLiteral("Dune"), 2021, {}, 120.5),
        candidate(QStringLiteral("841"), QStringLiteral("Dune"), 1984, {}, 30.1),
        candidate(QStringLiteral("693134"), QStringLiteral("Dune: Part Two"), 2024, {}, 300),
        candidate(QStringLiteral("1149948"), QStringLiteral("Dune: The Sisterhood"), 2024, {}, 5),
    };
    QCOMPARE(bestId(QStringLiteral("Dune"), 1984, dune), QStringLiteral("841"));
    QCOMPARE(bestId(QStringLiteral("Dune"), 2021, dune), QStringLiteral("438631"));
    QCOMPARE(bestId(QStringLiteral("Dune Part Two"), 2024, dune), QStringLiteral("693134"));
    // No year: the more popular of the exact titles.
    QCOMPARE(bestId(QStringLiteral("Dune"), std::nullopt, dune), QStringLiteral("438631"));

    const QList<MetadataCandidate> psycho{
        candidate(QStringLiteral("539"), QStringLiteral("Psycho"), 1960, {}, 40),
        candidate(QStringLiteral("11252"), QStringLiteral("Psycho"), 1998, {}, 15),
        candidate(QStringLiteral("12662"), QStringLiteral("Psycho II"), 1983, {}, 12),
    };
    QCOMPARE(bestId(QStringLiteral("Psycho"), 1998, psycho), QStringLiteral("11252"));
    QCOMPARE(bestId(QStringLiteral("Psycho"), 1960, psycho), QStringLiteral("539"));
    QCOMPARE(bestId(QStringLiteral("Psycho 2"), 1983, psycho), QStringLiteral("12662"));
}

void TestTitleMatcher::sequelsDoNotWinOverTheFilm()
{
    const QList<MetadataCandidate> matrix{
        candidate(QStringLiteral("604"), QStringLiteral("The Matrix Reloaded"), 2003, {}, 43),
        candidate(QStringLiteral("605"), QStringLiteral("The Matrix Revolutions"), 2003, {}, 40),
        candidate(QStringLiteral("624860"), QStringLiteral("The Matrix Resurrections"), 2021, {},
                  60),
        candidate(QStringLiteral("603"), QStringLiteral("The Matrix"), 1999, {}, 82),
    };
    QCOMPARE(bestId(QStringLiteral("The Matrix"), 1999, matrix), QStringLiteral("603"));
    QCOMPARE(bestId(QStringLiteral("Matrix"), std::nullopt, matrix), QStringLiteral("603"));
    QCOMPARE(bestId(QStringLiteral("The Matrix Reloaded"), 2003, matrix), QStringLiteral("604"));
    QCOMPARE(bestId(QStringLiteral("Matrix Revolutions"), 2003, matrix), QStringLiteral("605"));

    const QList<MetadataCandidate> blade{
        candidate(QStringLiteral("335984"), QStringLiteral("Blade Runner 2049"), 2017, {}, 90),
        candidate(QStringLiteral("78"), QStringLiteral("Blade Runner"), 1982, {}, 60),
    };
    QCOMPARE(bestId(QStringLiteral("Blade Runner"), 1982, blade), QStringLiteral("78"));
    QCOMPARE(bestId(QStringLiteral("Blade Runner"), std::nullopt, blade), QStringLiteral("78"));
    QCOMPARE(bestId(QStringLiteral("Blade Runner 2049"), 2017, blade), QStringLiteral("335984"));
}

void TestTitleMatcher::foreignTitlesMatchTheOriginalTitle()
{
    const QList<MetadataCandidate> amelie{
        candidate(QStringLiteral("194"), QStringLiteral("Amélie"), 2001,
                  QStringLiteral("Le Fabuleux Destin d'Amélie Poulain"), 35),
    };
    QCOMPARE(bestId(QStringLiteral("Le fabuleux destin d'Amelie Poulain"), 2001, amelie),
             QStringLiteral("194"));
    QCOMPARE(bestId(QStringLiteral("Amelie"), 2001, amelie), QStringLiteral("194"));

    const QList<MetadataCandidate> tiger{
        candidate(QStringLiteral("146"), QStringLiteral("Crouching Tiger, Hidden Dragon"), 2000,
                  QStringLiteral("臥虎藏龍"), 25),
        candidate(QStringLiteral("323272"),
                  QStringLiteral("Crouching Tiger, Hidden Dragon: Sword "
                                 "of Destiny"),
                  2016, QStringLiteral("卧虎藏龙：青冥宝剑"), 15),
    };
    QCOMPARE(bestId(QStringLiteral("臥虎藏龍"), 2000, tiger), QStringLiteral("146"));
    QCOMPARE(bestId(QStringLiteral("Crouching Tiger Hidden Dragon"), 2000, tiger),
             QStringLiteral("146"));

    const QList<MetadataCandidate> spirited{
        candidate(QStringLiteral("129"), QStringLiteral("Spirited Away"), 2001,
                  QStringLiteral("千と千尋の神隠し"), 90),
    };
    QCOMPARE(bestId(QStringLiteral("Sen to Chihiro no Kamikakushi"), 2001, spirited), QString());
}

void TestTitleMatcher::yearOffByOneStillMatches()
{
    // Festival premiere in December, theatrical release in January.
    const QList<MetadataCandidate> list{
        candidate(QStringLiteral("1"), QStringLiteral("Parasite"), 2019, QStringLiteral("기생충"),
                  70),
    };
    QCOMPARE(bestId(QStringLiteral("Parasite"), 2020, list), QStringLiteral("1"));
    QVERIFY(TitleMatcher::score(QStringLiteral("Parasite"), 2020, list.first()) <
            TitleMatcher::score(QStringLiteral("Parasite"), 2019, list.first()));
}

void TestTitleMatcher::wrongYearOrWrongFilmIsNoMatch()
{
    // Only the 1984 Dune comes back but the file says 2021: a different film, not a match.
    const QList<MetadataCandidate> old{
        candidate(QStringLiteral("841"), QStringLiteral("Dune"), 1984)};
    QCOMPARE(bestId(QStringLiteral("Dune"), 2021, old), QString());
    // A vaguely similar title is not a match either.
    const QList<MetadataCandidate> other{
        candidate(QStringLiteral("9"), QStringLiteral("Heat"), 1995),
        candidate(QStringLiteral("10"), QStringLiteral("The Heat"), 2013)};
    QCOMPARE(bestId(QStringLiteral("Hearts"), 1995, other), QString());
    QCOMPARE(bestId(QStringLiteral("Anything"), std::nullopt, {}), QString());
}

void TestTitleMatcher::tiesGoToThePopularOne()
{
    const QList<MetadataCandidate> list{
        candidate(QStringLiteral("a"), QStringLiteral("Crash"), 2004, {}, 10),
        candidate(QStringLiteral("b"), QStringLiteral("Crash"), 1996, {}, 12),
    };
    QCOMPARE(bestId(QStringLiteral("Crash"), std::nullopt, list), QStringLiteral("b"));
    QCOMPARE(bestId(QStringLiteral("Crash"), 2004, list), QStringLiteral("a"));
}

void TestTitleMatcher::hostileInput()
{
    // Very long, control characters, lone surrogates: an answer, quickly, no crash.
    const QString huge(100000, QLatin1Char('a'));
    const QList<MetadataCandidate> list{candidate(QStringLiteral("1"), huge, 2000)};
    QVERIFY(TitleMatcher::bestMatch(huge, 2000, list).has_value());
    QString weird = QStringLiteral("\x01\x02 Title \n\t");
    weird += QChar(0xD800);
    QCOMPARE(
        bestId(weird, std::nullopt, {candidate(QStringLiteral("2"), QStringLiteral("Title"), 1)}),
        QStringLiteral("2"));
    QCOMPARE(bestId(QString(), 2000, {candidate(QStringLiteral("3"), QString(), 2000)}), QString());
}

QTEST_GUILESS_MAIN(TestTitleMatcher)
#include "tst_titlematcher.moc"
