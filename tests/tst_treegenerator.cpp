#include "library/FilenameParser.h"
#include "scan/TreeGenerator.h"

#include <QDirIterator>
#include <QHash>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <sys/stat.h>

using namespace Revenge;
using namespace Revenge::Bench;

// The scan benchmark's synthetic media tree: deterministic, exact counts, a realistic mix,
// sparse files of the stated sizes, and names the filename parser reads as intended.
class TestTreeGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void deterministicForASeed();
    void otherSeedsDiffer();
    void exactCounts_data();
    void exactCounts();
    void mixOfKinds();
    void pathsAreUniqueAndRelative();
    void writesSparseFilesOfTheStatedSizes();
    void parserReadsNamesAsIntended();
    void badRootsAreRefused();

private:
    static constexpr int kCount = 2000;
    QList<GeneratedFile> m_files;
    TreeCounts m_counts;
};

static QList<GeneratedFile> collect(quint64 seed, int count, TreeCounts *counts = nullptr)
{
    QList<GeneratedFile> files;
    const TreeCounts c =
        TreeGenerator(seed).generate(count, [&](const GeneratedFile &f) { files << f; });
    if (counts)
        *counts = c;
    return files;
}

// Compared the way a scene name spells a title: letters and digits, "&" as "and".
static QString key(QString s)
{
    s.replace(QLatin1Char('&'), QLatin1String("and"));
    QString out;
    for (const QChar c : std::as_const(s))
        if (c.isLetterOrNumber())
            out += c.toLower();
    return out;
}

void TestTreeGenerator::initTestCase()
{
    m_files = collect(42, kCount, &m_counts);
}

void TestTreeGenerator::deterministicForASeed()
{
    const QList<GeneratedFile> again = collect(42, kCount);
    QCOMPARE(again.size(), m_files.size());
    for (qsizetype i = 0; i < again.size(); ++i) {
        QCOMPARE(again.at(i).path, m_files.at(i).path);
        QCOMPARE(again.at(i).size, m_files.at(i).size);
    }
    // The same generator object gives the same tree on a second call too.
    TreeGenerator generator(42);
    QStringList first, second;
    generator.generate(300, [&](const GeneratedFile &f) { first << f.path; });
    generator.generate(300, [&](const GeneratedFile &f) { second << f.path; });
    QCOMPARE(first, second);
}

void TestTreeGenerator::otherSeedsDiffer()
{
    const QList<GeneratedFile> other = collect(7, kCount);
    QSet<QString> ours;
    for (const GeneratedFile &f : m_files)
        ours.insert(f.path);
    int same = 0;
    for (const GeneratedFile &f : other)
        same += ours.contains(f.path) ? 1 : 0;
    QVERIFY2(same < kCount / 10, qPrintable(QStringLiteral("%1 paths shared").arg(same)));
}

void TestTreeGenerator::exactCounts_data()
{
    QTest::addColumn<int>("count");
    QTest::newRow("none") << 0;
    QTest::newRow("one") << 1;
    QTest::newRow("ten") << 10;
    QTest::newRow("odd") << 2001;
    QTest::newRow("25k") << 25000;
}

void TestTreeGenerator::exactCounts()
{
    QFETCH(int, count);
    int visited = 0;
    const TreeCounts c =
        TreeGenerator(42).generate(count, [&](const GeneratedFile &) { ++visited; });
    QCOMPARE(visited, count);
    QCOMPARE(c.files, qint64(count));
    QCOMPARE(c.movies + c.episodes + c.tracks + c.subtitles + c.extras + c.other, qint64(count));
    QCOMPARE(c.movieFiles + c.showFiles + c.musicFiles, qint64(count));
    QCOMPARE(c.movieFiles, qRound64(count * 0.30));
    QCOMPARE(c.showFiles, qRound64(count * 0.45));
}

void TestTreeGenerator::mixOfKinds()
{
    const TreeCounts &c = m_counts;
    qInfo().noquote() << QJsonDocument(c.toJson()).toJson(QJsonDocument::Compact);
    QCOMPARE(c.files, qint64(kCount));
    // Primary media dominate; the rest are the subtitles, artwork and .nfo a real library has.
    QVERIFY(c.movies > kCount / 20);
    QVERIFY(c.episodes > kCount / 5);
    QVERIFY(c.tracks > kCount / 6);
    QVERIFY(c.subtitles > kCount / 50);
    QVERIFY(c.extras > kCount / 50);
    QVERIFY(c.other > kCount / 100);
    QVERIFY(c.movies + c.episodes + c.tracks > kCount / 2);
    // Realistic fan-out: many folders, none holding most of the files.
    QVERIFY2(c.directories > kCount / 20, qPrintable(QString::number(c.directories)));
    QHash<QString, int> perDir;
    for (const GeneratedFile &f : m_files)
        ++perDir[f.path.section(QLatin1Char('/'), 0, -2)];
    int biggest = 0;
    for (int n : std::as_const(perDir))
        biggest = std::max(biggest, n);
    QVERIFY2(biggest < 200, qPrintable(QString::number(biggest)));
    // Each style shows up: scene names, anime, daily shows, multi-episode files, multi-disc.
    auto any = [&](const char *pattern) {
        const QRegularExpression re(QString::fromLatin1(pattern));
        return std::any_of(m_files.cbegin(), m_files.cend(),
                           [&](const GeneratedFile &f) { return re.match(f.path).hasMatch(); });
    };
    const QList<GeneratedFile> large = collect(42, 20000);
    auto anyLarge = [&](const char *pattern) {
        const QRegularExpression re(QString::fromLatin1(pattern));
        return std::any_of(large.cbegin(), large.cend(),
                           [&](const GeneratedFile &f) { return re.match(f.path).hasMatch(); });
    };
    QVERIFY(any(R"(^Movies/[^/]+ \(\d{4}\)/[^/]+ \(\d{4}\)[^/]*\.(mkv|mp4|avi)$)"));
    QVERIFY(any(R"(^Movies/[^/ ]+\.\d{4}\.\d{3,4}p\.[^/]+-\w+/)"));
    QVERIFY(any(R"(/Season \d+/[^/]+S\d\dE\d\d)"));
    QVERIFY(anyLarge(R"(/\[[\w-]+\] [^/]+ - \d{2,3} \[\d+p\]\.mkv$)"));
    QVERIFY(anyLarge(R"( - \d{4}-\d\d-\d\d - )"));
    QVERIFY(anyLarge(R"(S\d\dE\d\d-E\d\d)"));
    QVERIFY(anyLarge(R"(^Music/[^/]+/[^/]+/(CD|Disc )\d/)"));
    QVERIFY(any(R"(\.en\.srt$)"));
    QVERIFY(any(R"(/poster\.jpg$)"));
    QVERIFY(any(R"(\.nfo$)"));
    QVERIFY(any(R"(\.flac$)"));
    QVERIFY(any(R"(\.mp3$)"));
}

void TestTreeGenerator::pathsAreUniqueAndRelative()
{
    QSet<QString> seen;
    for (const GeneratedFile &f : m_files) {
        QVERIFY2(!seen.contains(f.path), qPrintable(f.path));
        seen.insert(f.path);
        QVERIFY2(!f.path.startsWith(QLatin1Char('/')), qPrintable(f.path));
        QVERIFY2(!f.path.contains(QStringLiteral("//")), qPrintable(f.path));
        const QStringList parts = f.path.split(QLatin1Char('/'));
        QVERIFY2(!parts.contains(QStringLiteral("..")) && !parts.contains(QStringLiteral(".")),
                 qPrintable(f.path));
        QCOMPARE(parts.first(), TreeGenerator::topFolder(f.category));
        QVERIFY2(f.size > 0, qPrintable(f.path));
    }
    // Case-insensitive uniqueness too, so the tree copies onto any file system.
    QSet<QString> lower;
    for (const QString &p : std::as_const(seen))
        lower.insert(p.toLower());
    QCOMPARE(lower.size(), seen.size());
}

void TestTreeGenerator::writesSparseFilesOfTheStatedSizes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString root = dir.path() + QStringLiteral("/library");
    QHash<QString, qint64> expected;
    QString error;
    const auto counts = TreeGenerator(42).write(
        root, kCount, &error, [&](const GeneratedFile &f) { expected.insert(f.path, f.size); });
    QVERIFY2(counts, qPrintable(error));
    QCOMPARE(counts->files, qint64(kCount));
    QCOMPARE(expected.size(), kCount);

    int found = 0;
    qint64 allocatedBlocks = 0, apparent = 0;
    QSet<qint64> sizes;
    QSet<QString> dirs;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = path.mid(root.size() + 1);
        QVERIFY2(expected.contains(rel), qPrintable(rel));
        const QFileInfo info = it.fileInfo();
        QCOMPARE(info.size(), expected.value(rel));
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        allocatedBlocks += st.st_blocks;
        apparent += info.size();
        sizes.insert(info.size());
        dirs.insert(info.path());
        ++found;
    }
    QCOMPARE(found, kCount);
    QCOMPARE(apparent, counts->bytes);
    // Sizes vary, so size-based change detection sees real differences.
    QVERIFY(sizes.size() > kCount * 9 / 10);
    // Sparse: terabytes of apparent size, (almost) nothing allocated.
    QVERIFY(apparent > qint64(1) << 40);
    QVERIFY2(allocatedBlocks * 512 < 64LL * 1024 * 1024,
             qPrintable(QString::number(allocatedBlocks)));
    QVERIFY(dirs.size() > 100);
}

void TestTreeGenerator::parserReadsNamesAsIntended()
{
    // Identified as a mixed library at the tree's root sees them (top folder included), and as
    // per-type libraries over the top folders see them.
    for (bool fromCategory : {false, true}) {
        QHash<int, std::pair<int, int>> perKind; // kind -> (right, total)
        int right = 0;
        QStringList wrong;
        for (const GeneratedFile &f : m_files) {
            const QString rel = fromCategory ? f.path.section(QLatin1Char('/'), 1) : f.path;
            const Identification id = FilenameParser::identify(rel);
            bool ok = id.kind == f.kind;
            switch (f.kind) {
            case Identification::Kind::Movie:
                ok = ok && key(id.title) == key(f.title) && id.year == f.year;
                break;
            case Identification::Kind::Episode:
                ok = ok && key(id.series) == key(f.series);
                if (f.season)
                    ok = ok && id.season == f.season;
                if (f.episode)
                    ok = ok && id.episode == f.episode;
                if (f.date.isValid())
                    ok = ok && id.date == f.date;
                break;
            case Identification::Kind::Track:
                ok = ok && key(id.artist) == key(f.artist) && key(id.album) == key(f.album) &&
                     id.track == f.track && key(id.title) == key(f.title);
                if (f.disc)
                    ok = ok && id.disc == f.disc;
                break;
            case Identification::Kind::Subtitle:
                if (!f.title.isEmpty())
                    ok = ok && key(id.title) == key(f.title);
                if (!f.series.isEmpty())
                    ok = ok && key(id.series) == key(f.series);
                break;
            default:
                break;
            }
            auto &k = perKind[int(f.kind)];
            ++k.second;
            if (ok) {
                ++right;
                ++k.first;
            } else if (wrong.size() < 15) {
                wrong << QStringLiteral("%1 -> %2")
                             .arg(rel,
                                  QString::fromUtf8(
                                      QJsonDocument(id.toJson()).toJson(QJsonDocument::Compact)));
            }
        }
        for (const QString &w : std::as_const(wrong))
            qInfo().noquote() << "not as intended:" << w;
        const double share = double(right) / m_files.size();
        qInfo().noquote() << (fromCategory ? "per-type libraries:" : "mixed library:")
                          << QString::number(share * 100, 'f', 1) + "% as intended";
        QVERIFY2(share >= 0.95, qPrintable(QString::number(share)));
        for (auto it = perKind.cbegin(); it != perKind.cend(); ++it) {
            const double s = double(it->first) / it->second;
            QVERIFY2(s >= 0.9,
                     qPrintable(QStringLiteral("%1: %2/%3")
                                    .arg(Identification::kindName(Identification::Kind(it.key())))
                                    .arg(it->first)
                                    .arg(it->second)));
        }
    }
}

void TestTreeGenerator::badRootsAreRefused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString error;
    QVERIFY(!TreeGenerator(42).write(QString(), 10, &error));
    QVERIFY2(error.contains(QStringLiteral("root")), qPrintable(error));

    // A root that is a file.
    const QString file = dir.path() + QStringLiteral("/afile");
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    error.clear();
    QVERIFY(!TreeGenerator(42).write(file, 10, &error));
    QVERIFY2(error.contains(file), qPrintable(error));

    // Writing the same tree twice: refused, naming the file that exists, nothing overwritten.
    const QString root = dir.path() + QStringLiteral("/tree");
    QVERIFY(TreeGenerator(42).write(root, 50, &error));
    error.clear();
    QVERIFY(!TreeGenerator(42).write(root, 50, &error));
    QVERIFY2(error.contains(root), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestTreeGenerator)
#include "tst_treegenerator.moc"
