// Library scan benchmark: a synthetic tree of 100,000 media files (movies, shows, music; empty
// sparse files with real-world names) scanned by LibraryScanner into a private PostgreSQL, as a
// user's first scan does; then the same tree rescanned unchanged, and `find` walking it in the
// same run for the floor. Memory: the peak RSS of each scan (VmHWM, reset between phases), and a
// scan of a tree a quarter the size first, to show memory does not grow with the library.
// Enrichment jobs (media.probe, metadata.local) are inserted as a real scan inserts them, but no
// executor runs them: the figures are the scan alone. Last line: one JSON object.
//
//   bench_scan [--files N] [--root DIR] [--seed S] [--rescans N] [--libraries mixed|split]
//              [--no-growth]

#include "BenchSupport.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "library/LibraryRepository.h"
#include "library/LibraryScanner.h"
#include "scan/TreeGenerator.h"
#include "services/PostgresService.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <algorithm>
#include <malloc.h>

using namespace Revenge;
using namespace Revenge::Bench;

namespace {

constexpr double kTargetFilesPerSecond = 10000;
constexpr double kTargetRescanVsFind = 5;

// A line of /proc/<pid>/status in MB ("VmHWM:   123456 kB"), 0 when unreadable.
double statusMb(const QString &pid, const char *field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return 0;
}

double peakRssMb()
{
    return statusMb(QStringLiteral("self"), "VmHWM");
}

// Resets this process's peak RSS to its current RSS (Linux >= 4.0), so each phase's peak is its
// own. False where the kernel refuses; the peaks are then cumulative, which the output says.
bool resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    return f.open(QIODevice::WriteOnly) && f.write("5") == 1;
}

// The PostgreSQL server's processes: the largest peak RSS of one of them (a backend's shared
// buffers are counted by each process touching them, so a sum would overstate it).
double postgresPeakMb(const QString &dataDir)
{
    QFile pidFile(dataDir + QStringLiteral("/postmaster.pid"));
    if (!pidFile.open(QIODevice::ReadOnly))
        return 0;
    const qint64 postmaster = pidFile.readLine().trimmed().toLongLong();
    double peak = statusMb(QString::number(postmaster), "VmHWM");
    const QDir proc(QStringLiteral("/proc"));
    for (const QString &pid : proc.entryList(QDir::Dirs)) {
        if (pid.isEmpty() || !pid.at(0).isDigit())
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray s = stat.readAll();
        // "pid (comm) state ppid ...": the comm may hold spaces, so read after the last ')'.
        const QList<QByteArray> rest = s.mid(s.lastIndexOf(')') + 2).split(' ');
        if (rest.size() > 1 && rest.at(1).toLongLong() == postmaster)
            peak = std::max(peak, statusMb(pid, "VmHWM"));
    }
    return peak;
}

struct FindRun
{
    double seconds = 0;
    qint64 files = 0;
    QString error;
};

// `find ROOT -type f | wc -l`, the count read here instead of by wc.
FindRun runFind(const QString &root)
{
    FindRun run;
    QProcess find;
    find.setProcessChannelMode(QProcess::SeparateChannels);
    QElapsedTimer t;
    t.start();
    find.start(QStringLiteral("find"), {root, QStringLiteral("-type"), QStringLiteral("f")});
    if (!find.waitForStarted(10000)) {
        run.error = QStringLiteral("cannot run find: ") + find.errorString();
        return run;
    }
    while (find.state() != QProcess::NotRunning || find.bytesAvailable() > 0) {
        find.waitForReadyRead(100);
        const QByteArray chunk = find.readAllStandardOutput();
        run.files += chunk.count('\n');
        if (find.state() == QProcess::NotRunning && find.bytesAvailable() == 0)
            break;
    }
    find.waitForFinished(-1);
    run.seconds = t.nsecsElapsed() / 1e9;
    if (find.exitStatus() != QProcess::NormalExit || find.exitCode() != 0)
        run.error = QStringLiteral("find exited with %1: %2")
                        .arg(find.exitCode())
                        .arg(QString::fromLocal8Bit(find.readAllStandardError()).trimmed());
    return run;
}

double median(QList<double> v)
{
    return percentile(std::move(v), 0.5);
}

struct ScanRun
{
    LibraryScan total; // counters summed over the libraries
    double seconds = 0;
    double peakMb = 0; // this scan's peak RSS
    QString error;
    QList<std::pair<QString, double>> phases; // seconds per phase, from the progress reports
};

ScanRun scanAll(LibraryScanner &scanner, const QList<Library> &libraries, bool peaksReset)
{
    ScanRun run;
    if (peaksReset)
        resetPeakRss();
    QElapsedTimer t;
    t.start();
    // Where the time goes: a phase lasts from its first progress report to the next phase's.
    QString phase = QStringLiteral("starting");
    qint64 phaseStart = 0;
    auto switchTo = [&](const QString &next) {
        const double s = (t.nsecsElapsed() - phaseStart) / 1e9;
        auto it = std::find_if(run.phases.begin(), run.phases.end(),
                               [&](const auto &p) { return p.first == phase; });
        if (it == run.phases.end())
            run.phases.append({phase, s});
        else
            it->second += s;
        phase = next;
        phaseStart = t.nsecsElapsed();
    };
    ScanOptions options;
    options.progress = [&](const ScanProgress &p) {
        if (p.phase != phase)
            switchTo(p.phase);
    };
    for (const Library &library : libraries) {
        QString error;
        const auto scan = scanner.scan(library.id, options, &error);
        switchTo(QStringLiteral("finishing"));
        if (!scan) {
            run.error = QStringLiteral("scan of %1 failed: %2").arg(library.name, error);
            return run;
        }
        if (scan->status != QLatin1String("completed")) {
            run.error = QStringLiteral("scan of %1 ended %2: %3")
                            .arg(library.name, scan->status, scan->error);
            return run;
        }
        run.total.scanned += scan->scanned;
        run.total.added += scan->added;
        run.total.updated += scan->updated;
        run.total.removed += scan->removed;
        run.total.moved += scan->moved;
        run.total.errors += scan->errors;
    }
    run.seconds = t.nsecsElapsed() / 1e9;
    run.peakMb = peakRssMb();
    return run;
}

QString phaseLine(const ScanRun &run)
{
    QStringList parts;
    for (const auto &[name, seconds] : run.phases)
        if (seconds >= 0.005)
            parts << QStringLiteral("%1 %2 s").arg(name).arg(seconds, 0, 'f', 2);
    return QStringLiteral("  phases: ") + parts.join(QStringLiteral(", "));
}

QString counters(const LibraryScan &s)
{
    return QStringLiteral("scanned %1, added %2, updated %3, removed %4, moved %5, errors %6")
        .arg(s.scanned)
        .arg(s.added)
        .arg(s.updated)
        .arg(s.removed)
        .arg(s.moved)
        .arg(s.errors);
}

// One mixed library over the tree's root, or one library per type over its top folders.
std::optional<QList<Library>> createLibraries(LibraryRepository &repo, const QString &name,
                                              const QString &root, bool split, QString *error)
{
    QList<Library> out;
    if (!split) {
        auto lib = repo.create(name, QStringLiteral("mixed"), {root}, error);
        if (!lib)
            return std::nullopt;
        out << *lib;
        return out;
    }
    static const QHash<QString, QString> types{{QStringLiteral("movies"), QStringLiteral("movies")},
                                               {QStringLiteral("shows"), QStringLiteral("tvshows")},
                                               {QStringLiteral("music"), QStringLiteral("music")}};
    for (const QString &category : TreeGenerator::categories()) {
        const QString dir = root + QLatin1Char('/') + TreeGenerator::topFolder(category);
        if (!QFileInfo(dir).isDir())
            continue; // a tiny tree may have no music
        auto lib =
            repo.create(name + QLatin1Char(' ') + category, types.value(category), {dir}, error);
        if (!lib)
            return std::nullopt;
        out << *lib;
    }
    return out;
}

QString gb(qint64 bytes)
{
    return QString::number(bytes / 1e12, 'f', 1) + QStringLiteral(" TB");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("revenge.*.debug=false\nrevenge.*.info=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Library scan benchmark."));
    parser.addHelpOption();
    const QCommandLineOption filesOpt(QStringLiteral("files"),
                                      QStringLiteral("Files in the generated tree."),
                                      QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption rootOpt(
        QStringLiteral("root"),
        QStringLiteral("Generate the tree here (kept afterwards) instead of in a temporary "
                       "folder. Must not hold the tree already."),
        QStringLiteral("dir"));
    const QCommandLineOption seedOpt(QStringLiteral("seed"), QStringLiteral("Generator seed."),
                                     QStringLiteral("n"), QStringLiteral("42"));
    const QCommandLineOption rescansOpt(QStringLiteral("rescans"),
                                        QStringLiteral("Unchanged rescans (median reported)."),
                                        QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption librariesOpt(
        QStringLiteral("libraries"),
        QStringLiteral("mixed: one mixed library over the tree; split: movies, tvshows and "
                       "music libraries over its top folders."),
        QStringLiteral("mixed|split"), QStringLiteral("mixed"));
    const QCommandLineOption noGrowthOpt(
        QStringLiteral("no-growth"),
        QStringLiteral("Skip the quarter-size scan that checks memory growth."));
    parser.addOptions({filesOpt, rootOpt, seedOpt, rescansOpt, librariesOpt, noGrowthOpt});
    parser.process(app);

    auto intOption = [&](const QCommandLineOption &o, int min) -> std::optional<int> {
        bool ok = false;
        const int v = parser.value(o).toInt(&ok);
        if (!ok || v < min) {
            say(QStringLiteral("--%1: expected a whole number >= %2, got '%3'")
                    .arg(o.names().first())
                    .arg(min)
                    .arg(parser.value(o)));
            return std::nullopt;
        }
        return v;
    };
    const auto fileCount = intOption(filesOpt, 1);
    const auto rescans = intOption(rescansOpt, 1);
    bool seedOk = false;
    const quint64 seed = parser.value(seedOpt).toULongLong(&seedOk);
    if (!fileCount || !rescans)
        return 2;
    if (!seedOk) {
        say(QStringLiteral("--seed: expected a whole number, got '%1'").arg(parser.value(seedOpt)));
        return 2;
    }
    const QString librariesMode = parser.value(librariesOpt);
    if (librariesMode != QLatin1String("mixed") && librariesMode != QLatin1String("split")) {
        say(QStringLiteral("--libraries: expected mixed or split, got '%1'").arg(librariesMode));
        return 2;
    }
    const bool split = librariesMode == QLatin1String("split");
    const bool growth = !parser.isSet(noGrowthOpt);

    const auto work = makeWorkDir(QStringLiteral("scan"));
    QTemporaryDir &dir = *work;
    QString root = parser.isSet(rootOpt) ? QDir(parser.value(rootOpt)).absolutePath()
                                         : dir.path() + QStringLiteral("/library");
    if (parser.isSet(rootOpt) && QDir(root).exists() &&
        !QDir(root).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)) {
        say(QStringLiteral("--root: '%1' is not empty; give a new or empty folder").arg(root));
        return 2;
    }

    BenchPostgres db(dir.path());
    const auto pool = db.startMigrated();
    if (!pool)
        return 1;
    QString error;

    // The trees: the library, and a quarter-size one for the memory-growth check.
    QElapsedTimer t;
    t.start();
    const auto counts = TreeGenerator(seed).write(root, *fileCount, &error);
    if (!counts) {
        say(QStringLiteral("generating the tree: ") + error);
        return 1;
    }
    const double generateSeconds = t.nsecsElapsed() / 1e9;
    say(QStringLiteral("generated %1 files in %2 folders under %3 in %4 s (%5 apparent, sparse)")
            .arg(counts->files)
            .arg(counts->directories)
            .arg(root)
            .arg(generateSeconds, 0, 'f', 1)
            .arg(gb(counts->bytes)));
    say(QStringLiteral("  movies %1, episodes %2, tracks %3, subtitles %4, artwork/extras %5, "
                       "other (.nfo, .cue, .log) %6")
            .arg(counts->movies)
            .arg(counts->episodes)
            .arg(counts->tracks)
            .arg(counts->subtitles)
            .arg(counts->extras)
            .arg(counts->other));
    const QString smallRoot = dir.path() + QStringLiteral("/library-quarter");
    std::optional<TreeCounts> smallCounts;
    if (growth) {
        smallCounts = TreeGenerator(seed + 1).write(smallRoot, std::max(1, *fileCount / 4), &error);
        if (!smallCounts) {
            say(QStringLiteral("generating the quarter-size tree: ") + error);
            return 1;
        }
    }

    auto jobs = std::make_shared<JobClient>(pool);
    LibraryScanner scanner(pool, jobs);
    LibraryRepository repo(pool);
    // The generator's freed heap back to the system, so the scans' peaks start from a clean
    // process and show what scanning costs.
    malloc_trim(0);
    const bool peaksReset = resetPeakRss();
    const double baseRssMb = statusMb(QStringLiteral("self"), "VmRSS");
    say(QStringLiteral("libraries: %1; enrichment jobs are inserted as in a real scan, no "
                       "executor runs them; page cache warm (tree just written)")
            .arg(split ? QStringLiteral("movies, tvshows and music over the top folders")
                       : QStringLiteral("one mixed library over the tree")));

    // Memory growth: the quarter-size library first.
    ScanRun small;
    if (growth) {
        const auto libs =
            createLibraries(repo, QStringLiteral("Quarter"), smallRoot, split, &error);
        if (!libs) {
            say(QStringLiteral("creating the quarter-size library: ") + error);
            return 1;
        }
        small = scanAll(scanner, *libs, peaksReset);
        if (!small.error.isEmpty()) {
            say(small.error);
            return 1;
        }
        say(QStringLiteral("quarter-size scan: %1 files in %2 s, peak RSS %3 MB (%4)")
                .arg(smallCounts->files)
                .arg(small.seconds, 0, 'f', 2)
                .arg(small.peakMb, 0, 'f', 1)
                .arg(counters(small.total)));
        say(phaseLine(small));
    }

    const auto libs = createLibraries(repo, QStringLiteral("Library"), root, split, &error);
    if (!libs) {
        say(QStringLiteral("creating the library: ") + error);
        return 1;
    }
    const ScanRun initial = scanAll(scanner, *libs, peaksReset);
    if (!initial.error.isEmpty()) {
        say(initial.error);
        return 1;
    }
    const double filesPerSecond = initial.total.scanned / std::max(initial.seconds, 1e-9);
    say(QStringLiteral("initial scan: %1 s, %2 files/s (%3)")
            .arg(initial.seconds, 0, 'f', 2)
            .arg(filesPerSecond, 0, 'f', 0)
            .arg(counters(initial.total)));
    say(phaseLine(initial));
    say(QStringLiteral("  peak RSS %1 MB").arg(initial.peakMb, 0, 'f', 1));
    if (initial.total.scanned != counts->files)
        say(QStringLiteral("  note: %1 files on disk, the scan counted %2 (files of no kind it "
                           "knows, .cue and .log, are not counted)")
                .arg(counts->files)
                .arg(initial.total.scanned));

    QList<double> rescanSeconds;
    double rescanPeakMb = 0;
    LibraryScan lastRescan;
    for (int i = 0; i < *rescans; ++i) {
        const ScanRun rescan = scanAll(scanner, *libs, peaksReset);
        if (!rescan.error.isEmpty()) {
            say(rescan.error);
            return 1;
        }
        rescanSeconds << rescan.seconds;
        rescanPeakMb = std::max(rescanPeakMb, rescan.peakMb);
        lastRescan = rescan.total;
        say(QStringLiteral("unchanged rescan %1: %2 s (%3)")
                .arg(i + 1)
                .arg(rescan.seconds, 0, 'f', 2)
                .arg(counters(rescan.total)));
        say(phaseLine(rescan));
        if (rescan.total.added + rescan.total.updated + rescan.total.removed + rescan.total.moved)
            say(QStringLiteral("  note: an unchanged tree should change nothing"));
    }
    const double rescan = median(rescanSeconds);

    // The floor: find walking the same tree, in the same run, as often as the rescans.
    QList<double> findSeconds;
    qint64 findFiles = 0;
    for (int i = 0; i < *rescans; ++i) {
        const FindRun f = runFind(root);
        if (!f.error.isEmpty()) {
            say(f.error);
            return 1;
        }
        findSeconds << f.seconds;
        findFiles = f.files;
    }
    const double find = median(findSeconds);
    say(QStringLiteral("find %1 -type f: %2 s (median of %3), %4 files")
            .arg(root)
            .arg(find, 0, 'f', 3)
            .arg(findSeconds.size())
            .arg(findFiles));

    // Jobs the scan queued for enrichment (left for an executor this benchmark does not run).
    qint64 queued = 0;
    {
        auto lease = pool->acquire();
        const PgResult r = pgExec(lease->db(), "SELECT count(*) FROM jobs.job");
        if (r.ok() && r.rows() == 1)
            queued = r.text(0, 0).toLongLong();
    }
    const double pgPeakMb = postgresPeakMb(db.service().dataDir());
    const double peakMb = peakRssMb();
    const double overallPeakMb = std::max({peakMb, initial.peakMb, rescanPeakMb, small.peakMb});
    db.service().stop();

    const double rescanVsFind = rescan / std::max(find, 1e-9);
    const double initialVsTarget = filesPerSecond / kTargetFilesPerSecond;
    say(QString());
    say(QStringLiteral("initial scan: %1 files/s = %2x the target of %3 files/s")
            .arg(filesPerSecond, 0, 'f', 0)
            .arg(initialVsTarget, 0, 'f', 2)
            .arg(kTargetFilesPerSecond, 0, 'f', 0));
    say(QStringLiteral("unchanged rescan: %1 s = %2x find (%3 s); target within %4x")
            .arg(rescan, 0, 'f', 2)
            .arg(rescanVsFind, 0, 'f', 1)
            .arg(find, 0, 'f', 3)
            .arg(kTargetRescanVsFind, 0, 'f', 0));
    say(QStringLiteral("initial scan vs find: %1x")
            .arg(initial.seconds / std::max(find, 1e-9), 0, 'f', 1));
    say(QStringLiteral("peak RSS of the benchmark process: %1 MB (%2 MB before scanning); "
                       "largest PostgreSQL process: %3 MB")
            .arg(overallPeakMb, 0, 'f', 1)
            .arg(baseRssMb, 0, 'f', 1)
            .arg(pgPeakMb, 0, 'f', 1));
    double rssGrowthMb = 0;
    if (growth) {
        rssGrowthMb = initial.peakMb - small.peakMb;
        say(QStringLiteral("memory growth: peak %1 MB scanning %2 files, %3 MB scanning %4 files "
                           "(%5 MB for %6x the files)%7")
                .arg(small.peakMb, 0, 'f', 1)
                .arg(smallCounts->files)
                .arg(initial.peakMb, 0, 'f', 1)
                .arg(counts->files)
                .arg(rssGrowthMb, 0, 'f', 1)
                .arg(double(counts->files) / smallCounts->files, 0, 'f', 1)
                .arg(peaksReset ? QString()
                                : QStringLiteral(" [peaks cumulative: clear_refs refused]")));
    }
    say(QStringLiteral("enrichment jobs queued (not run): %1").arg(queued));

    auto round2 = [](double v) { return qRound64(v * 100) / 100.0; };
    QJsonObject result{
        {QStringLiteral("files"), counts->files},
        {QStringLiteral("directories"), counts->directories},
        {QStringLiteral("scanned"), initial.total.scanned},
        {QStringLiteral("added"), initial.total.added},
        {QStringLiteral("libraries"), librariesMode},
        {QStringLiteral("generate_seconds"), round2(generateSeconds)},
        {QStringLiteral("initial_seconds"), qRound64(initial.seconds * 1000) / 1000.0},
        {QStringLiteral("files_per_s"), qRound64(filesPerSecond)},
        {QStringLiteral("initial_vs_target"), round2(initialVsTarget)},
        {QStringLiteral("rescan_seconds"), qRound64(rescan * 1000) / 1000.0},
        {QStringLiteral("rescan_changes"),
         lastRescan.added + lastRescan.updated + lastRescan.removed + lastRescan.moved},
        {QStringLiteral("find_seconds"), qRound64(find * 1000) / 1000.0},
        {QStringLiteral("find_files"), findFiles},
        {QStringLiteral("rescan_vs_find"), round2(rescanVsFind)},
        {QStringLiteral("initial_vs_find"), round2(initial.seconds / std::max(find, 1e-9))},
        {QStringLiteral("peak_rss_mb"), round2(overallPeakMb)},
        {QStringLiteral("initial_peak_rss_mb"), round2(initial.peakMb)},
        {QStringLiteral("rescan_peak_rss_mb"), round2(rescanPeakMb)},
        {QStringLiteral("postgres_peak_rss_mb"), round2(pgPeakMb)},
        {QStringLiteral("enrichment_jobs_queued"), queued},
        {QStringLiteral("executor"), QStringLiteral("none")}};
    QJsonObject phases;
    for (const auto &[name, seconds] : initial.phases)
        phases.insert(name, round2(seconds));
    result.insert(QStringLiteral("initial_phase_seconds"), phases);
    if (growth) {
        result.insert(QStringLiteral("growth_files"), smallCounts->files);
        result.insert(QStringLiteral("growth_peak_rss_mb"), round2(small.peakMb));
        result.insert(QStringLiteral("rss_growth_mb"), round2(rssGrowthMb));
    }
    say(QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)));
    return 0;
}
