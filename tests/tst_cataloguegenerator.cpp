#include "search/CatalogueGenerator.h"
#include "search/QuerySet.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QtTest>

using namespace Revenge::Bench;

// The search benchmark's synthetic catalogue and labelled queries: deterministic, a realistic
// mix, sane fields, unique titles, and queries whose labels are right by construction.
class TestCatalogueGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void deterministicForASeed();
    void kindMixMatchesShares();
    void fieldsArePopulated();
    void titlesAreUnique();
    void jsonHasTheSearchFields();
    void generatesAHundredThousand();
    void querySetHasEveryKind();
    void expectedItemsExist();
    void typosAreWithinTheirDistance();
    void prefixesAndMultiwordsComeFromTheTitle();
    void filtersAreSatisfied();
    void querySetIsDeterministic();

private:
    static constexpr int kCount = 20000;
    static constexpr int kPerKind = 100;
    QList<CatalogueItem> m_items;
    QHash<QString, int> m_byId;
    QList<LabelledQuery> m_queries;
};

void TestCatalogueGenerator::initTestCase()
{
    m_items = CatalogueGenerator(42).generate(kCount);
    for (int i = 0; i < m_items.size(); ++i)
        m_byId.insert(m_items.at(i).id, i);
    m_queries = QuerySet::build(m_items, kPerKind, 7);
}

static bool sameItem(const CatalogueItem &a, const CatalogueItem &b)
{
    return a.id == b.id && a.kind == b.kind && a.title == b.title &&
           a.originalTitle == b.originalTitle && a.overview == b.overview && a.cast == b.cast &&
           a.directors == b.directors && a.genres == b.genres && a.year == b.year &&
           a.library == b.library && a.contentRating == b.contentRating && a.adult == b.adult &&
           a.seriesTitle == b.seriesTitle && a.season == b.season && a.episode == b.episode;
}

void TestCatalogueGenerator::deterministicForASeed()
{
    CatalogueGenerator generator(42);
    const QList<CatalogueItem> again = generator.generate(kCount);
    QCOMPARE(again.size(), m_items.size());
    for (int i = 0; i < again.size(); ++i)
        QVERIFY2(sameItem(again.at(i), m_items.at(i)), qPrintable(QString::number(i)));
    // Generating twice from one generator restarts from the seed.
    const QList<CatalogueItem> third = generator.generate(kCount);
    QVERIFY(sameItem(third.last(), m_items.last()));

    const QList<CatalogueItem> other = CatalogueGenerator(43).generate(kCount);
    QCOMPARE(other.size(), m_items.size());
    int differentTitles = 0;
    for (int i = 0; i < other.size(); ++i)
        differentTitles += other.at(i).title != m_items.at(i).title;
    QVERIFY(differentTitles > kCount * 9 / 10);
    QVERIFY(other.first().id != m_items.first().id);
}

void TestCatalogueGenerator::kindMixMatchesShares()
{
    const QHash<QString, double> shares = {{"movie", 0.45},  {"series", 0.05}, {"episode", 0.30},
                                           {"artist", 0.03}, {"album", 0.04},  {"track", 0.10},
                                           {"person", 0.03}};
    QHash<QString, int> counts;
    int adult = 0;
    for (const CatalogueItem &item : m_items) {
        ++counts[item.kind];
        adult += item.adult;
    }
    QCOMPARE(m_items.size(), kCount);
    for (auto it = shares.begin(); it != shares.end(); ++it) {
        const double share = double(counts.value(it.key())) / kCount;
        QVERIFY2(qAbs(share - it.value()) <= 0.02,
                 qPrintable(QStringLiteral("%1: %2").arg(it.key()).arg(share)));
    }
    QVERIFY(qAbs(double(adult) / kCount - 0.01) <= 0.005);
    QCOMPARE(counts.size(), CatalogueGenerator::kinds().size());
}

void TestCatalogueGenerator::fieldsArePopulated()
{
    const QSet<QString> genres(CatalogueGenerator::genres().begin(),
                               CatalogueGenerator::genres().end());
    const QSet<QString> libraries = {"Movies", "Shows", "Music", "Private"};
    QSet<QString> ids;
    QSet<QString> seriesTitles;
    for (const CatalogueItem &item : m_items) {
        if (item.kind == QLatin1String("series"))
            seriesTitles.insert(item.title);
    }
    for (const CatalogueItem &item : m_items) {
        const QString where = item.kind + ' ' + item.title;
        QVERIFY2(!item.id.isEmpty() && !ids.contains(item.id), qPrintable(where));
        ids.insert(item.id);
        QVERIFY2(!item.title.trimmed().isEmpty(), qPrintable(where));
        QCOMPARE(item.title, item.title.trimmed());
        QVERIFY2(!item.originalTitle.isEmpty(), qPrintable(where));
        QVERIFY2(!item.overview.isEmpty(), qPrintable(where));
        QVERIFY2(item.year >= CatalogueGenerator::kMinYear &&
                     item.year <= CatalogueGenerator::kMaxYear,
                 qPrintable(where));
        QVERIFY2(item.adult == (item.library == QLatin1String("Private")), qPrintable(where));
        for (const QString &g : item.genres)
            QVERIFY2(genres.contains(g), qPrintable(where + ": " + g));
        if (item.kind == QLatin1String("person")) {
            QVERIFY(item.genres.isEmpty());
            QVERIFY(item.library.isEmpty());
            QVERIFY(item.overview.contains(item.title));
            continue;
        }
        QVERIFY2(item.genres.size() >= 1 && item.genres.size() <= 3, qPrintable(where));
        QVERIFY2(libraries.contains(item.library), qPrintable(where));
        const bool music = item.kind == QLatin1String("artist") ||
                           item.kind == QLatin1String("album") ||
                           item.kind == QLatin1String("track");
        QCOMPARE(item.library == QLatin1String("Music"), music);
        if (music) {
            QVERIFY(item.contentRating.isEmpty());
        } else {
            QVERIFY2(!item.contentRating.isEmpty(), qPrintable(where));
            QVERIFY2(item.cast.size() >= 2, qPrintable(where));
            QVERIFY2(!item.directors.isEmpty(), qPrintable(where));
        }
        if (item.kind == QLatin1String("album") || item.kind == QLatin1String("track"))
            QCOMPARE(item.cast.size(), 1);
        if (item.kind == QLatin1String("episode")) {
            QVERIFY2(seriesTitles.contains(item.seriesTitle), qPrintable(where));
            QVERIFY(item.season >= 1 && item.episode >= 1);
        }
        if (item.adult)
            QCOMPARE(item.kind, QStringLiteral("movie"));
    }
}

void TestCatalogueGenerator::titlesAreUnique()
{
    QSet<QString> titles;
    for (const CatalogueItem &item : m_items)
        titles.insert(item.title.toLower());
    QVERIFY2(titles.size() >= m_items.size() * 99 / 100,
             qPrintable(QStringLiteral("%1 of %2").arg(titles.size()).arg(m_items.size())));
    // Diverse vocabulary: titles use many distinct words.
    QSet<QString> words;
    for (const CatalogueItem &item : m_items) {
        for (const QString &w : item.title.toLower().split(' ', Qt::SkipEmptyParts))
            words.insert(w);
    }
    QVERIFY2(words.size() > 1000, qPrintable(QString::number(words.size())));
}

void TestCatalogueGenerator::jsonHasTheSearchFields()
{
    for (const CatalogueItem &item : {m_items.first(), m_items.at(kCount / 2)}) {
        const QJsonObject o = CatalogueGenerator::toJson(item);
        for (const char *key :
             {"id", "kind", "title", "original_title", "overview", "cast", "directors", "genres",
              "year", "library", "content_rating", "adult"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value("title").toString(), item.title);
        QCOMPARE(o.value("year").toInt(), item.year);
        QCOMPARE(o.value("genres").toArray().size(), item.genres.size());
    }
    for (const CatalogueItem &item : m_items) {
        if (item.kind == QLatin1String("episode")) {
            const QJsonObject o = CatalogueGenerator::toJson(item);
            QCOMPARE(o.value("series_title").toString(), item.seriesTitle);
            QCOMPARE(o.value("season").toInt(), item.season);
            break;
        }
    }
}

void TestCatalogueGenerator::generatesAHundredThousand()
{
    QElapsedTimer timer;
    timer.start();
    const QList<CatalogueItem> items = CatalogueGenerator(42).generate(100000);
    const qint64 generateMs = timer.restart();
    QCOMPARE(items.size(), 100000);
    QSet<QString> titles;
    for (const CatalogueItem &item : items)
        titles.insert(item.title.toLower());
    QVERIFY(titles.size() >= 99000);
    const QList<LabelledQuery> queries = QuerySet::build(items, 100);
    QCOMPARE(queries.size(), 600);
    qInfo("100k items in %lld ms, %lld distinct titles, 600 queries in %lld ms", generateMs,
          qint64(titles.size()), timer.elapsed());
}

void TestCatalogueGenerator::querySetHasEveryKind()
{
    QHash<QString, int> counts;
    for (const LabelledQuery &q : m_queries)
        ++counts[q.kind];
    for (const QString &kind : QuerySet::kinds())
        QVERIFY2(counts.value(kind) == kPerKind,
                 qPrintable(QStringLiteral("%1: %2").arg(kind).arg(counts.value(kind))));
    QCOMPARE(m_queries.size(), kPerKind * QuerySet::kinds().size());
}

void TestCatalogueGenerator::expectedItemsExist()
{
    QHash<QString, int> titleCount;
    for (const CatalogueItem &item : m_items)
        ++titleCount[item.title.toLower()];
    for (const LabelledQuery &q : m_queries) {
        QVERIFY2(m_byId.contains(q.expectedId), qPrintable(QuerySet::describe(q)));
        const CatalogueItem &item = m_items.at(m_byId.value(q.expectedId));
        QVERIFY(!item.adult);
        QCOMPARE(titleCount.value(item.title.toLower()), 1);
        QVERIFY(!q.text.trimmed().isEmpty());
        if (q.kind == QLatin1String("exact"))
            QCOMPARE(q.text, item.title);
        if (q.kind != QLatin1String("filtered"))
            QVERIFY(q.filters.isEmpty());
    }
}

void TestCatalogueGenerator::typosAreWithinTheirDistance()
{
    QSet<QString> titles;
    for (const CatalogueItem &item : m_items)
        titles.insert(item.title.toLower());
    QCOMPARE(QuerySet::editDistance("river", "rvier"), 1);
    QCOMPARE(QuerySet::editDistance("river", "rivers"), 1);
    QCOMPARE(QuerySet::editDistance("kitten", "sitting"), 3);
    for (const LabelledQuery &q : m_queries) {
        if (!q.kind.startsWith(QLatin1String("typo")))
            continue;
        const QString title = m_items.at(m_byId.value(q.expectedId)).title;
        const int expected = q.kind == QLatin1String("typo1") ? 1 : 2;
        const QString text = q.text.toLower();
        QVERIFY2(text != title.toLower(), qPrintable(QuerySet::describe(q)));
        QVERIFY2(QuerySet::editDistance(text, title.toLower()) == expected,
                 qPrintable(QuerySet::describe(q) + " vs " + title));
        QVERIFY2(!titles.contains(text), qPrintable(QuerySet::describe(q)));
        // Typesense's rule per word: 1 typo from 4 letters, 2 from 7.
        const QStringList a = title.toLower().split(' ');
        const QStringList b = text.split(' ');
        QCOMPARE(a.size(), b.size());
        for (int i = 0; i < a.size(); ++i) {
            const int d = QuerySet::editDistance(a.at(i), b.at(i));
            QString letters = a.at(i);
            letters.remove(QRegularExpression(QStringLiteral("[^\\p{L}]")));
            QVERIFY2(d == 0 || (d == 1 && letters.size() >= 4) || (d == 2 && letters.size() >= 7),
                     qPrintable(QuerySet::describe(q) + " vs " + title));
        }
    }
}

void TestCatalogueGenerator::prefixesAndMultiwordsComeFromTheTitle()
{
    for (const LabelledQuery &q : m_queries) {
        const CatalogueItem &item = m_items.at(m_byId.value(q.expectedId));
        if (q.kind == QLatin1String("prefix")) {
            QVERIFY(item.title.startsWith(q.text));
            QVERIFY(q.text.size() < item.title.size());
            QVERIFY2(q.text.size() >= 3 && q.text.size() >= item.title.size() * 0.6,
                     qPrintable(QuerySet::describe(q)));
        } else if (q.kind == QLatin1String("multiword") || q.kind == QLatin1String("filtered")) {
            const QString haystack = (item.title + ' ' + item.cast.join(' ')).toLower();
            const QStringList words = q.text.toLower().split(' ', Qt::SkipEmptyParts);
            QVERIFY(!words.isEmpty());
            if (q.kind == QLatin1String("multiword"))
                QVERIFY2(words.size() >= 2, qPrintable(QuerySet::describe(q)));
            for (const QString &w : words)
                QVERIFY2(haystack.contains(w), qPrintable(QuerySet::describe(q)));
            QVERIFY(q.text.toLower() != item.title.toLower());
        }
    }
}

void TestCatalogueGenerator::filtersAreSatisfied()
{
    for (const LabelledQuery &q : m_queries) {
        if (q.kind != QLatin1String("filtered"))
            continue;
        QCOMPARE(q.filters.size(), 1);
        QVERIFY2(QuerySet::satisfies(m_items.at(m_byId.value(q.expectedId)), q.filters),
                 qPrintable(QuerySet::describe(q)));
    }
    CatalogueItem item;
    item.genres = {"Drama"};
    item.year = 1999;
    QVERIFY(QuerySet::satisfies(item, {{"genres", "Drama"}}));
    QVERIFY(!QuerySet::satisfies(item, {{"genres", "Comedy"}}));
    QVERIFY(QuerySet::satisfies(item, {{"year", 1999}}));
    QVERIFY(!QuerySet::satisfies(item, {{"year", 2000}}));
    QVERIFY(!QuerySet::satisfies(item, {{"unknown", "x"}}));
}

void TestCatalogueGenerator::querySetIsDeterministic()
{
    const QList<LabelledQuery> again = QuerySet::build(m_items, kPerKind, 7);
    QCOMPARE(again.size(), m_queries.size());
    for (int i = 0; i < again.size(); ++i) {
        QCOMPARE(again.at(i).text, m_queries.at(i).text);
        QCOMPARE(again.at(i).expectedId, m_queries.at(i).expectedId);
        QCOMPARE(again.at(i).filters, m_queries.at(i).filters);
    }
    if (qEnvironmentVariableIsSet("REVENGE_PRINT_SAMPLES")) {
        for (int i = 0; i < 10; ++i)
            qInfo().noquote() << QJsonDocument(
                                     CatalogueGenerator::toJson(m_items.at(i * kCount / 10)))
                                     .toJson(QJsonDocument::Compact);
        for (const QString &kind : QuerySet::kinds()) {
            int shown = 0;
            for (const LabelledQuery &q : m_queries) {
                if (q.kind == kind && shown++ < 2)
                    qInfo().noquote()
                        << QuerySet::describe(q, m_items.at(m_byId.value(q.expectedId)));
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestCatalogueGenerator)
#include "tst_cataloguegenerator.moc"
