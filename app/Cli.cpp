#include "Cli.h"

#include "core/ConfigLoader.h"
#include "core/Paths.h"
#include "core/Startup.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/ScheduledTasks.h"
#include "jobs/workers/LibraryScanWorker.h"
#include "library/FilenameParser.h"
#include "library/LibraryRepository.h"
#include "library/LibraryScanner.h"
#include "search/FallbackSearchBackend.h"
#include "search/PostgresSearchBackend.h"
#include "search/SearchIndexer.h"
#include "search/TypesenseSearchBackend.h"
#include "services/PostgresService.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QTextStream>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>

using namespace Revenge;

namespace Cli {

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}
QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

bool reportDiagnostics(const ConfigLoader::Result &loaded)
{
    for (const auto &d : loaded.diagnostics)
        err() << d.toString() << Qt::endl;
    return !loaded.hasErrors();
}

// Runs `fn` on a connection to the configured database. A managed cluster that no running
// Revenge owns is started for the duration and stopped afterwards. With `migrate`, pending
// migrations are applied first (as the server does at start), so commands work on a fresh
// machine before the server ever ran.
int withDatabase(
    Startup &startup,
    const std::function<int(const std::shared_ptr<DatabasePool> &, QSqlDatabase &)> &fn,
    bool migrate = false)
{
    const Config &config = startup.loaded.config;
    ConnectionSettings settings;
    std::unique_ptr<PostgresService> pg;
    QLockFile lock(startup.dataDir + QStringLiteral("/revenge.lock"));
    if (!config.database.managed) {
        settings.host = config.database.host;
        settings.port = config.database.port;
        settings.database = config.database.name;
        settings.user = config.database.user;
        settings.password = config.database.password;
    } else if (QDir().mkpath(startup.dataDir) && lock.tryLock(0)) {
        PostgresService::Options options;
        options.baseDir = Paths::postgresDir(startup.dataDir);
        options.database = config.database.name;
        options.role = config.database.user;
        pg = std::make_unique<PostgresService>(options, startup.secrets.get());
        QString error;
        if (!pg->startAndWait(pg->startTimeoutMs(), &error)) {
            err() << "cannot start the managed PostgreSQL: " << error << Qt::endl;
            return 1;
        }
        settings = pg->connectionSettings();
    } else {
        // A running Revenge owns the cluster: use it where it listens.
        QFile portFile(Paths::postgresDir(startup.dataDir) + QStringLiteral("/port"));
        portFile.open(QIODevice::ReadOnly);
        settings.host = QStringLiteral("127.0.0.1");
        settings.port = quint16(portFile.readAll().trimmed().toUInt());
        settings.password =
            startup.secrets->read(QLatin1String(PostgresService::kPasswordKey)).value_or(QString());
        settings.database = config.database.name;
        settings.user = config.database.user;
    }

    auto pool = std::make_shared<DatabasePool>(settings, 1);
    QString error;
    int code = 1;
    {
        // Nested leases on this thread (e.g. JobClient's) share this connection.
        auto lease = pool->acquire(10000, &error);
        if (!lease)
            err() << "cannot connect to PostgreSQL at " << settings.host << ":" << settings.port
                  << ": " << error << Qt::endl;
        else if (migrate && !Migrator(lease->db()).up(&error))
            err() << "cannot migrate the database: " << error << Qt::endl;
        else
            code = fn(pool, lease->db());
    }
    if (pg)
        pg->stop();
    return code;
}

int configCommand(const QStringList &args, Startup &startup)
{
    if (args.value(1) != QLatin1String("check")) {
        err() << "usage: revenge config check [--config FILE]" << Qt::endl;
        return 2;
    }
    const bool ok = reportDiagnostics(startup.loaded);
    out() << ConfigLoader::toYaml(startup.loaded.config) << Qt::flush;
    if (!ok)
        err() << "configuration has errors" << Qt::endl;
    return ok ? 0 : 2; // 2: a configuration error, as everywhere else
}

int migrateCommand(const QStringList &args, Startup &startup)
{
    const QString sub = args.value(1, QStringLiteral("status"));
    if (sub != QLatin1String("status") && sub != QLatin1String("up")) {
        err() << "usage: revenge migrate status|up" << Qt::endl;
        return 2;
    }
    if (!reportDiagnostics(startup.loaded))
        return 2;
    return withDatabase(startup, [&](const std::shared_ptr<DatabasePool> &, QSqlDatabase &db) {
        Migrator migrator(db);
        QString error;
        if (sub == QLatin1String("up")) {
            int applied = 0;
            if (!migrator.up(&error, &applied)) {
                err() << error << Qt::endl;
                return 1;
            }
            out() << "applied " << applied << " migration(s)" << Qt::endl;
        }
        const auto status = migrator.status(&error);
        if (!status) {
            err() << error << Qt::endl;
            return 1;
        }
        int pending = 0, tampered = 0;
        for (const auto &s : *status) {
            QString state =
                s.applied
                    ? QStringLiteral("applied %1").arg(s.appliedAt.toUTC().toString(Qt::ISODate))
                    : QStringLiteral("pending");
            if (s.checksumMismatch) {
                state = QStringLiteral("CHANGED after it was applied");
                ++tampered;
            }
            pending += s.applied ? 0 : 1;
            out() << QStringLiteral("%1  %2  %3")
                         .arg(s.migration.version, 4, 10, QLatin1Char('0'))
                         .arg(s.migration.name, -36)
                         .arg(state)
                  << Qt::endl;
        }
        out() << status->size() << " migrations, " << pending << " pending" << Qt::endl;
        return tampered ? 1 : 0;
    });
}

int secretCommand(const QStringList &args, Startup &startup)
{
    const QString sub = args.value(1);
    const QString key = args.value(2);
    if (key.isEmpty() || (sub != QLatin1String("get") && sub != QLatin1String("set") &&
                          sub != QLatin1String("delete"))) {
        err() << "usage: revenge secret get|set|delete KEY   (set reads the value from standard "
                 "input)"
              << Qt::endl;
        return 2;
    }
    SecretStore *store = startup.secrets.get();
    QString error;
    if (sub == QLatin1String("get")) {
        const auto v = store->read(key);
        if (!v) {
            err() << key << " is not in " << store->name() << Qt::endl;
            return 1;
        }
        out() << *v << Qt::endl;
        return 0;
    }
    if (sub == QLatin1String("set")) {
        QTextStream in(stdin);
        const QString value = in.readLine();
        if (value.isEmpty()) {
            err() << "no value on standard input" << Qt::endl;
            return 2;
        }
        if (!store->write(key, value, &error)) {
            err() << "cannot store " << key << ": " << error << Qt::endl;
            return 1;
        }
        out() << "stored " << key << " in " << store->name() << Qt::endl;
        return 0;
    }
    if (!store->remove(key, &error)) {
        err() << "cannot delete " << key << ": " << error << Qt::endl;
        return 1;
    }
    return 0;
}

QString age(const QDateTime &t)
{
    if (!t.isValid())
        return QStringLiteral("-");
    const qint64 s = t.secsTo(QDateTime::currentDateTimeUtc());
    if (s < 0)
        return QStringLiteral("in %1s").arg(-s);
    if (s < 120)
        return QStringLiteral("%1s ago").arg(s);
    if (s < 7200)
        return QStringLiteral("%1m ago").arg(s / 60);
    if (s < 172800)
        return QStringLiteral("%1h ago").arg(s / 3600);
    return QStringLiteral("%1d ago").arg(s / 86400);
}

int jobsCommand(const QStringList &args, const Options &options, Startup &startup)
{
    const QString sub = args.value(1);
    const bool needsId = sub == QLatin1String("cancel") || sub == QLatin1String("retry");
    bool idOk = false;
    const qint64 id = args.value(2).toLongLong(&idOk);
    if ((sub != QLatin1String("list") && sub != QLatin1String("stats") && !needsId) ||
        (needsId && (!idOk || id <= 0))) {
        err()
            << "usage: revenge jobs list [--state S] [--queue Q] [--kind K] [--limit N] [--json]\n"
               "       revenge jobs stats [--json]\n"
               "       revenge jobs cancel ID | retry ID"
            << Qt::endl;
        return 2;
    }
    JobFilter filter;
    if (!options.state.isEmpty()) {
        for (const QString &name : options.state.split(QLatin1Char(','))) {
            const auto state = jobStateFromName(name.trimmed());
            if (!state) {
                err() << "unknown job state '" << name
                      << "' (one of available, cancelled, completed, discarded, "
                      << "pending, retryable, running, scheduled)" << Qt::endl;
                return 2;
            }
            filter.states << *state;
        }
    }
    filter.queue = options.queue;
    filter.kind = options.kind;
    filter.limit = options.limit;
    if (!reportDiagnostics(startup.loaded))
        return 2;
    return withDatabase(startup, [&](const std::shared_ptr<DatabasePool> &pool, QSqlDatabase &db) {
        JobClient client(pool);
        QString error;
        auto printJob = [&](const Job &j) {
            const QString lastError =
                j.errors.isEmpty()
                    ? QString()
                    : j.errors.last().toObject().value(QStringLiteral("error")).toString();
            out() << QStringLiteral("%1  %2  %3  %4  attempt %5/%6  %7%8")
                         .arg(j.id, 8)
                         .arg(jobStateName(j.state), -9)
                         .arg(j.queue, -8)
                         .arg(j.kind, -22)
                         .arg(j.attempt)
                         .arg(j.maxAttempts)
                         .arg(isFinal(j.state) ? QStringLiteral("finished ") + age(j.finalizedAt)
                                               : QStringLiteral("scheduled ") + age(j.scheduledAt))
                         .arg(lastError.isEmpty()
                                  ? QString()
                                  : QStringLiteral("  last error: ") + lastError.left(80))
                  << Qt::endl;
        };
        if (sub == QLatin1String("list")) {
            const auto jobs = client.list(filter, &error);
            if (!jobs) {
                err() << error << Qt::endl;
                return 1;
            }
            if (options.json) {
                QJsonArray array;
                for (const Job &j : *jobs)
                    array.append(j.toJson());
                out() << QJsonDocument(array).toJson(QJsonDocument::Indented) << Qt::flush;
            } else {
                for (const Job &j : *jobs)
                    printJob(j);
                out() << jobs->size() << " job(s)" << Qt::endl;
            }
            return 0;
        }
        if (needsId) {
            const auto job = sub == QLatin1String("cancel") ? client.cancel(id, &error)
                                                            : client.retry(id, &error);
            if (!job) {
                err() << "cannot " << sub << " job " << id << ": " << error << Qt::endl;
                return 1;
            }
            if (options.json)
                out() << QJsonDocument(job->toJson()).toJson(QJsonDocument::Indented) << Qt::flush;
            else if (sub == QLatin1String("cancel") && job->state == JobState::Running)
                out() << "job " << id << " is running; its executor was told to stop it"
                      << Qt::endl;
            else
                printJob(*job);
            return 0;
        }
        // stats
        const auto queues = client.queues(&error);
        const auto errors = client.latestErrors(10, &error);
        const PgResult clients = pgExec(
            db,
            "SELECT c.id, c.hostname, c.pid, (extract(epoch FROM now() - c.heartbeat_at))::int, "
            "       c.id = l.leader_id "
            "FROM jobs.client c LEFT JOIN jobs.leader l ON l.name = 'default' AND l.expires_at > "
            "now() "
            "ORDER BY c.started_at");
        const PgResult rate = pgExec(db, "SELECT count(*) FROM jobs.job WHERE state = 'completed' "
                                         "AND finalized_at > now() - interval '1 minute'");
        if (!queues || !errors || !clients.ok() || !rate.ok()) {
            err() << (error.isEmpty() ? clients.error() + rate.error() : error) << Qt::endl;
            return 1;
        }
        const double perSecond = rate.toInt(0, 0) / 60.0;
        if (options.json) {
            QJsonObject q;
            for (const QueueInfo &info : *queues) {
                QJsonObject counts;
                for (auto it = info.counts.begin(); it != info.counts.end(); ++it)
                    counts.insert(it.key(), it.value());
                q.insert(info.name, QJsonObject{{QStringLiteral("paused"), info.paused},
                                                {QStringLiteral("jobs"), counts}});
            }
            QJsonArray c;
            for (int i = 0; i < clients.rows(); ++i)
                c.append(QJsonObject{{QStringLiteral("id"), clients.text(i, 0)},
                                     {QStringLiteral("host"), clients.text(i, 1)},
                                     {QStringLiteral("pid"), clients.toInt(i, 2)},
                                     {QStringLiteral("heartbeat_age_s"), clients.toInt(i, 3)},
                                     {QStringLiteral("leader"), clients.toBool(i, 4)}});
            out() << QJsonDocument(QJsonObject{{QStringLiteral("queues"), q},
                                               {QStringLiteral("executors"), c},
                                               {QStringLiteral("jobs_per_second"), perSecond},
                                               {QStringLiteral("latest_errors"), *errors}})
                         .toJson(QJsonDocument::Indented)
                  << Qt::flush;
            return 0;
        }
        out() << "queues:" << Qt::endl;
        for (const QueueInfo &info : *queues) {
            QStringList parts;
            for (auto it = info.counts.begin(); it != info.counts.end(); ++it)
                parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
            out() << QStringLiteral("  %1%2: %3")
                         .arg(info.name, info.paused ? QStringLiteral(" (paused)") : QString())
                         .arg(parts.isEmpty() ? QStringLiteral("no jobs")
                                              : parts.join(QStringLiteral(", ")))
                  << Qt::endl;
        }
        out() << QStringLiteral("completed in the last minute: %1/s").arg(perSecond, 0, 'f', 2)
              << Qt::endl;
        out() << "executors:" << Qt::endl;
        for (int i = 0; i < clients.rows(); ++i)
            out() << QStringLiteral("  %1 (%2 pid %3) heartbeat %4s ago%5")
                         .arg(clients.text(i, 0), clients.text(i, 1))
                         .arg(clients.toInt(i, 2))
                         .arg(clients.toInt(i, 3))
                         .arg(clients.toBool(i, 4) ? QStringLiteral(", leader") : QString())
                  << Qt::endl;
        if (!errors->isEmpty()) {
            out() << "latest errors:" << Qt::endl;
            for (const QJsonValue &v : *errors) {
                const QJsonObject e = v.toObject();
                out() << QStringLiteral("  job %1 %2 attempt %3: %4")
                             .arg(e.value(QStringLiteral("id")).toInteger())
                             .arg(e.value(QStringLiteral("kind")).toString())
                             .arg(e.value(QStringLiteral("attempt")).toInt())
                             .arg(e.value(QStringLiteral("error")).toString().left(100))
                      << Qt::endl;
            }
        }
        return 0;
    });
}

// The engine the server would use, over the CLI's connection.
std::unique_ptr<SearchBackend> makeSearch(const Config &config,
                                          const std::shared_ptr<DatabasePool> &pool)
{
    auto postgres = std::make_unique<PostgresSearchBackend>(pool);
    if (config.search.managed)
        return postgres;
    TypesenseSettings ts;
    ts.protocol = config.search.protocol;
    ts.host = config.search.host;
    ts.port = config.search.port;
    ts.apiKey = config.search.apiKey;
    return std::make_unique<FallbackSearchBackend>(std::make_unique<TypesenseSearchBackend>(ts),
                                                   std::move(postgres));
}

int searchCommand(const QStringList &args, const Options &options, Startup &startup)
{
    const QString sub = args.value(1);
    if (sub != QLatin1String("reindex") && (sub != QLatin1String("query") || args.size() < 3)) {
        err() << "usage: revenge search reindex\n"
                 "       revenge search query TEXT [--json]"
              << Qt::endl;
        return 2;
    }
    if (!reportDiagnostics(startup.loaded))
        return 2;
    return withDatabase(startup, [&](const std::shared_ptr<DatabasePool> &pool, QSqlDatabase &) {
        auto search = makeSearch(startup.loaded.config, pool);
        QString error;
        if (!search->prepare(&error)) {
            err() << "search engine not ready: " << error << Qt::endl;
            return 1;
        }
        if (sub == QLatin1String("reindex")) {
            SearchIndexer indexer(pool, search.get());
            QString lastPhase;
            const auto report = indexer.reindexAll(
                [&](const QString &phase, qint64 done, qint64) {
                    if (phase != lastPhase && !lastPhase.isEmpty())
                        out() << Qt::endl;
                    lastPhase = phase;
                    out() << "\r" << phase << ": " << done << Qt::flush;
                },
                nullptr, &error);
            out() << Qt::endl;
            if (!report) {
                err() << "reindex failed: " << error << Qt::endl;
                return 1;
            }
            out() << "indexed " << report->indexed << " item(s) with " << search->engine() << ", "
                  << report->failures.size() << " refused" << Qt::endl;
            for (const auto &[id, why] : report->failures)
                err() << "  " << id << ": " << why << Qt::endl;
            return report->failures.isEmpty() ? 0 : 1;
        }
        SearchRequest request;
        request.text = args.mid(2).join(QLatin1Char(' '));
        request.facets = {QStringLiteral("genres"), QStringLiteral("year")};
        const auto response = search->search(request, &error);
        if (!response) {
            err() << "search failed: " << error << Qt::endl;
            return 2; // a refused query is the caller's to fix
        }
        if (options.json) {
            QJsonArray hits;
            for (const SearchHit &h : response->hits)
                hits.append(
                    QJsonObject{{QStringLiteral("id"), h.id},
                                {QStringLiteral("collection"), collectionName(h.collection)},
                                {QStringLiteral("title"), h.title},
                                {QStringLiteral("year"), h.year},
                                {QStringLiteral("score"), h.score}});
            out() << QJsonDocument(QJsonObject{{QStringLiteral("found"), response->found},
                                               {QStringLiteral("engine"), response->engine},
                                               {QStringLiteral("hits"), hits}})
                         .toJson(QJsonDocument::Indented)
                  << Qt::flush;
            return 0;
        }
        for (const SearchHit &h : response->hits)
            out() << QStringLiteral("%1  %2  %3%4")
                         .arg(h.score, 8, 'f', 3)
                         .arg(collectionName(h.collection), -9)
                         .arg(h.title)
                         .arg(h.year ? QStringLiteral(" (%1)").arg(h.year) : QString())
                  << Qt::endl;
        out() << response->found << " found with " << response->engine << " in " << response->tookMs
              << " ms" << Qt::endl;
        return 0;
    });
}

// Errors from LibraryRepository name the field ("name: ...", "type: ...", "paths: ..."): those are
// the caller's to fix.
bool isInputError(const QString &error)
{
    return error.startsWith(QLatin1String("name:")) || error.startsWith(QLatin1String("type:")) ||
           error.startsWith(QLatin1String("paths:"));
}

// A database that was never migrated answers "relation ... does not exist": say what to do.
QString withHint(const QString &error)
{
    if (error.contains(QLatin1String("relation")) &&
        error.contains(QLatin1String("does not exist")))
        return error + QStringLiteral(" (is the database migrated? run `revenge migrate up`)");
    return error;
}

QString scanCounters(const LibraryScan &s)
{
    return QStringLiteral("%1 scanned, %2 added, %3 updated, %4 removed, %5 moved, %6 errors")
        .arg(s.scanned)
        .arg(s.added)
        .arg(s.updated)
        .arg(s.removed)
        .arg(s.moved)
        .arg(s.errors);
}

QString scanLine(const LibraryScan &s)
{
    const QString when = s.finishedAt.isValid() ? QStringLiteral("finished ") + age(s.finishedAt)
                                                : QStringLiteral("started ") + age(s.startedAt);
    QString line = QStringLiteral("scan %1  %2  %3").arg(s.id).arg(s.status, -9).arg(when);
    if (s.status == QLatin1String("running") && !s.phase.isEmpty())
        line += QStringLiteral(" (") + s.phase + QLatin1Char(')');
    if (s.finishedAt.isValid())
        line += QStringLiteral(" in %1 s").arg(s.durationMs / 1000.0, 0, 'f', 1);
    line += QStringLiteral(": ") + scanCounters(s);
    if (s.jobId)
        line += QStringLiteral("  job %1").arg(s.jobId);
    if (!s.error.isEmpty())
        line += QStringLiteral("  error: ") + s.error;
    return line;
}

void printLibrary(const Library &l, const std::optional<LibraryScan> &last)
{
    out() << l.name << "  (" << l.type << (l.enabled ? "" : ", disabled") << ")  id " << l.id
          << Qt::endl;
    out() << "  folders: " << l.paths.join(QStringLiteral(", ")) << Qt::endl;
    out() << "  last scan: " << (last ? scanLine(*last) : QStringLiteral("never")) << Qt::endl;
}

// Set by SIGINT/SIGTERM during `library scan --now`; the scanner polls it between batches so
// the scan row ends "cancelled" instead of being left "running".
std::atomic<bool> g_interrupted{false};

void onInterrupt(int sig)
{
    g_interrupted.store(true);
    ::signal(sig, SIG_DFL); // a second signal ends the process at once
}

int scanNow(const std::shared_ptr<DatabasePool> &pool, const Library &library, bool full)
{
    // Per-file problems are counted in the scan row (and sampled below); the scanner's info log
    // would repeat each of them on the terminal.
    QLoggingCategory::setFilterRules(QStringLiteral("revenge.library.info=false"));
    ScanOptions options;
    options.full = full;
    options.progress = [](const ScanProgress &p) {
        // The scanner calls this at most every 250 ms.
        if (p.phase == QLatin1String("walking") || p.phase == QLatin1String("identifying"))
            err() << p.phase << " " << p.current << " files…" << Qt::endl;
        else
            err() << p.phase << "…" << Qt::endl;
    };
    options.cancelled = [] { return g_interrupted.load(); };
    g_interrupted.store(false);
    const auto previousInt = ::signal(SIGINT, onInterrupt);
    const auto previousTerm = ::signal(SIGTERM, onInterrupt);
    QString error;
    const auto scan =
        LibraryScanner(pool, std::make_shared<JobClient>(pool)).scan(library.id, options, &error);
    ::signal(SIGINT, previousInt);
    ::signal(SIGTERM, previousTerm);
    if (!scan) {
        err() << "cannot scan library '" << library.name << "': " << withHint(error) << Qt::endl;
        return 1;
    }
    out() << scanLine(*scan) << Qt::endl;
    for (const QJsonValue &v : scan->errorSamples)
        err() << "  " << v[QLatin1String("path")].toString() << ": "
              << v[QLatin1String("error")].toString() << Qt::endl;
    if (scan->errors > scan->errorSamples.size())
        err() << "  (" << scan->errors - scan->errorSamples.size() << " more)" << Qt::endl;
    return scan->status == QLatin1String("completed") ? 0 : 1;
}

int libraryUsage()
{
    err() << "usage: revenge library list [--json]\n"
             "       revenge library add NAME --type movies|tvshows|music|mixed|adult FOLDER...\n"
             "       revenge library remove NAME|ID\n"
             "       revenge library scan NAME|ID [--full] [--now]\n"
             "       revenge library scans NAME|ID [--limit N] [--json]"
          << Qt::endl;
    return 2;
}

int libraryCommand(const QStringList &args, const Options &options, Startup &startup)
{
    const QString sub = args.value(1);
    const QString target = args.value(2);
    if (sub == QLatin1String("list")) {
        if (args.size() != 2)
            return libraryUsage();
    } else if (sub == QLatin1String("add")) {
        if (target.isEmpty())
            return libraryUsage();
        if (options.type.isEmpty()) {
            err() << "type: missing; give --type movies|tvshows|music|mixed|adult" << Qt::endl;
            return 2;
        }
        // Checked before any database is started; the repository checks again when it writes.
        QString invalid = LibraryRepository::validateType(options.type);
        if (invalid.isEmpty())
            invalid = LibraryRepository::validatePaths(args.mid(3));
        if (!invalid.isEmpty()) {
            err() << invalid << Qt::endl;
            for (const QString &p : args.mid(3))
                if (QDir::isRelativePath(p))
                    err() << "  (folders must be absolute: did you mean "
                          << QFileInfo(p).absoluteFilePath() << "?)" << Qt::endl;
            return 2;
        }
    } else if (sub == QLatin1String("remove") || sub == QLatin1String("scan") ||
               sub == QLatin1String("scans")) {
        if (target.isEmpty() || args.size() != 3)
            return libraryUsage();
    } else {
        return libraryUsage();
    }
    if ((options.full || options.now) && sub != QLatin1String("scan")) {
        err() << "--full and --now apply to `revenge library scan` only" << Qt::endl;
        return 2;
    }
    if (!options.type.isEmpty() && sub != QLatin1String("add")) {
        err() << "--type applies to `revenge library add` only" << Qt::endl;
        return 2;
    }
    if (!reportDiagnostics(startup.loaded))
        return 2;
    return withDatabase(
        startup,
        [&](const std::shared_ptr<DatabasePool> &pool, QSqlDatabase &) {
            LibraryRepository repository(pool);
            JobClient jobs(pool);
            QString error;
            auto lastScan = [&](const Library &l) -> std::optional<LibraryScan> {
                const auto scans = repository.scans(l.id, 1);
                if (!scans || scans->isEmpty())
                    return std::nullopt;
                return scans->first();
            };

            if (sub == QLatin1String("list")) {
                const auto libraries = repository.list(&error);
                if (!libraries) {
                    err() << "cannot list libraries: " << withHint(error) << Qt::endl;
                    return 1;
                }
                if (options.json) {
                    QJsonArray array;
                    for (const Library &l : *libraries) {
                        QJsonObject o = l.toJson();
                        const auto last = lastScan(l);
                        o.insert(QStringLiteral("last_scan"),
                                 last ? QJsonValue(last->toJson()) : QJsonValue());
                        array.append(o);
                    }
                    out() << QJsonDocument(array).toJson(QJsonDocument::Indented) << Qt::flush;
                    return 0;
                }
                for (const Library &l : *libraries)
                    printLibrary(l, lastScan(l));
                out() << libraries->size() << " librar" << (libraries->size() == 1 ? "y" : "ies")
                      << Qt::endl;
                return 0;
            }

            if (sub == QLatin1String("add")) {
                const auto library = repository.create(target, options.type, args.mid(3), &error);
                if (!library) {
                    err() << "cannot add library '" << target << "': " << withHint(error)
                          << Qt::endl;
                    return isInputError(error) ? 2 : 1;
                }
                if (options.json)
                    out() << QJsonDocument(library->toJson()).toJson(QJsonDocument::Indented)
                          << Qt::flush;
                else
                    printLibrary(*library, std::nullopt);
                // A new library is scanned at once, as the API does; the server's executor runs it.
                const auto queued = LibraryScanWorker::enqueue(jobs, library->id, false, &error);
                if (!queued) {
                    err() << "library added, but its first scan could not be queued: " << error
                          << Qt::endl;
                    return 1;
                }
                err() << "queued its first scan as job " << queued->job.id
                      << " (a running server picks it up; or run `revenge library scan "
                      << library->name << " --now`)" << Qt::endl;
                return 0;
            }

            const auto library = repository.find(target, &error);
            if (!library) {
                err() << withHint(error) << Qt::endl;
                return 1;
            }

            if (sub == QLatin1String("remove")) {
                if (!repository.remove(library->id, &error)) {
                    err() << "cannot remove library '" << library->name << "': " << withHint(error)
                          << Qt::endl;
                    return 1;
                }
                out() << "removed library '" << library->name << "' (" << library->id
                      << "); its files on disk were not touched" << Qt::endl;
                return 0;
            }

            if (sub == QLatin1String("scans")) {
                const auto scans = repository.scans(library->id, options.limit, &error);
                if (!scans) {
                    err() << "cannot read the scans of '" << library->name
                          << "': " << withHint(error) << Qt::endl;
                    return 1;
                }
                if (options.json) {
                    QJsonArray array;
                    for (const LibraryScan &s : *scans)
                        array.append(s.toJson());
                    out() << QJsonDocument(array).toJson(QJsonDocument::Indented) << Qt::flush;
                    return 0;
                }
                for (const LibraryScan &s : *scans)
                    out() << scanLine(s) << Qt::endl;
                out() << scans->size() << " scan(s) of library '" << library->name << "'"
                      << Qt::endl;
                return 0;
            }

            // scan
            if (options.now)
                return scanNow(pool, *library, options.full);
            const auto queued = LibraryScanWorker::enqueue(jobs, library->id, options.full, &error);
            if (!queued) {
                err() << "cannot queue a scan of '" << library->name << "': " << withHint(error)
                      << Qt::endl;
                return 1;
            }
            if (queued->duplicate)
                out() << "a scan of library '" << library->name << "' is already queued as job "
                      << queued->job.id << " (" << jobStateName(queued->job.state) << ")"
                      << Qt::endl;
            else
                out() << "queued a " << (options.full ? "full " : "") << "scan of library '"
                      << library->name << "' as job " << queued->job.id
                      << " (a running server picks it up)" << Qt::endl;
            return 0;
        },
        /*migrate=*/true);
}

int tasksCommand(const QStringList &args, const Options &options, Startup &startup)
{
    const QString sub = args.value(1);
    if (!((sub == QLatin1String("list") && args.size() == 2) ||
          (sub == QLatin1String("run") && args.size() == 3))) {
        err() << "usage: revenge tasks list [--json]\n"
                 "       revenge tasks run NAME"
              << Qt::endl;
        return 2;
    }
    if (!reportDiagnostics(startup.loaded))
        return 2;
    const Config &config = startup.loaded.config;
    const ScheduledTasks tasks(config.tasks, config.jobs.queues);
    const ScheduledTask *task = nullptr;
    if (sub == QLatin1String("run")) {
        task = tasks.find(args.value(2));
        if (!task) {
            QStringList names;
            for (const ScheduledTask &t : tasks.tasks())
                names << t.name;
            err() << "unknown task '" << args.value(2) << "' (one of "
                  << names.join(QStringLiteral(", ")) << ")" << Qt::endl;
            return 2;
        }
    }
    return withDatabase(
        startup,
        [&](const std::shared_ptr<DatabasePool> &pool, QSqlDatabase &db) {
            QString error;
            if (task) {
                // As the API's "run now": the task's job with its queue and attempts, marked
                // manual.
                InsertOptions insert = task->job.options;
                insert.metadata.insert(QStringLiteral("manual"), true);
                const auto queued = JobClient(pool).insert(task->kind, {}, insert, &error);
                if (!queued) {
                    err() << "cannot queue task " << task->name << ": " << withHint(error)
                          << Qt::endl;
                    return 1;
                }
                out() << "queued task " << task->name << " (" << task->kind << ") as job "
                      << queued->job.id << " on queue " << queued->job.queue
                      << " (a running server picks it up)" << Qt::endl;
                return 0;
            }
            const QJsonArray status = tasks.status(db, &error);
            if (!error.isEmpty()) {
                err() << "cannot read the tasks' last runs: " << withHint(error) << Qt::endl;
                return 1;
            }
            if (options.json) {
                out() << QJsonDocument(status).toJson(QJsonDocument::Indented) << Qt::flush;
                return 0;
            }
            for (const QJsonValue &v : status) {
                const QJsonObject t = v.toObject();
                const QJsonObject last = t.value(QStringLiteral("last_run")).toObject();
                QString lastText = QStringLiteral("never run");
                if (!last.isEmpty()) {
                    lastText =
                        QStringLiteral("last %1 %2 (job %3)")
                            .arg(last.value(QStringLiteral("state")).toString())
                            .arg(age(QDateTime::fromString(
                                last.value(QStringLiteral("at")).toString(), Qt::ISODateWithMs)))
                            .arg(last.value(QStringLiteral("job_id")).toInteger());
                    const QString lastError = last.value(QStringLiteral("error")).toString();
                    if (!lastError.isEmpty())
                        lastText += QStringLiteral(": ") + lastError.left(80);
                }
                const QDateTime next = QDateTime::fromString(
                    t.value(QStringLiteral("next_run")).toString(), Qt::ISODateWithMs);
                out() << QStringLiteral("%1  %2  %3  %4  %5")
                             .arg(t.value(QStringLiteral("name")).toString(), -16)
                             .arg(t.value(QStringLiteral("schedule")).toString(), -10)
                             .arg(next.isValid() ? QStringLiteral("next ") +
                                                       next.toLocalTime().toString(
                                                           QStringLiteral("yyyy-MM-dd HH:mm"))
                                                 : QStringLiteral("off"),
                                  -21)
                             .arg(lastText)
                             .arg(t.value(QStringLiteral("description")).toString())
                      << Qt::endl;
            }
            return 0;
        },
        /*migrate=*/true);
}

// `revenge identify PATH...`: what the scanner would make of each path, one JSON line each.
// Needs no configuration and no database; the paths need not exist.
int identifyCommand(const QStringList &args)
{
    if (args.size() < 2) {
        err() << "usage: revenge identify PATH..." << Qt::endl;
        return 2;
    }
    for (const QString &path : args.mid(1))
        out()
            << QJsonDocument(FilenameParser::identify(path).toJson()).toJson(QJsonDocument::Compact)
            << Qt::endl;
    return 0;
}

} // namespace

bool isCommand(const QString &word)
{
    return word == QLatin1String("config") || word == QLatin1String("migrate") ||
           word == QLatin1String("secret") || word == QLatin1String("jobs") ||
           word == QLatin1String("search") || word == QLatin1String("library") ||
           word == QLatin1String("tasks") || word == QLatin1String("identify");
}

QString helpText()
{
    return QStringLiteral(
        "Commands:\n"
        "  config check            print the effective configuration (secrets masked), exit 2 on "
        "errors\n"
        "  migrate status|up       show or apply database migrations\n"
        "  secret get|set|delete K read or change a secret in the keychain (set reads standard "
        "input)\n"
        "  jobs list               list jobs, newest first (--state, --queue, --kind, --limit, "
        "--json)\n"
        "  jobs stats              jobs per queue and state, executors, leader, latest errors\n"
        "  jobs cancel ID          cancel a job (a running one is stopped wherever it runs)\n"
        "  jobs retry ID           run a finished or failed job again\n"
        "  search reindex          rebuild the search index from the library, with progress\n"
        "  search query TEXT       search as a client would (--json)\n"
        "  library list            libraries with their folders and last scan (--json)\n"
        "  library add NAME --type movies|tvshows|music|mixed|adult FOLDER...\n"
        "                          add a library and queue its first scan\n"
        "  library remove NAME|ID  remove a library and its catalogue (files are not touched)\n"
        "  library scan NAME|ID    queue a scan (--full: re-identify every file; --now: scan in\n"
        "                          this process, with progress, instead of queueing a job)\n"
        "  library scans NAME|ID   scan history, newest first (--limit, --json)\n"
        "  tasks list              scheduled tasks: schedule, next and last run (--json)\n"
        "  tasks run NAME          queue a scheduled task's job now\n"
        "  identify PATH...        print, one JSON line per path, what a library scan makes of "
        "it\n\n"
        "Exit codes: 0 success, 1 failure, 2 bad usage, input or configuration.");
}

int run(const QStringList &positional, const Options &options)
{
    if (positional.value(0) == QLatin1String("identify"))
        return identifyCommand(positional); // before Startup: no configuration is read
    Startup startup = Startup::load(options.configPath, options.dataDir);
    const QString command = positional.value(0);
    if (command == QLatin1String("config"))
        return configCommand(positional, startup);
    if (command == QLatin1String("migrate"))
        return migrateCommand(positional, startup);
    if (command == QLatin1String("secret"))
        return secretCommand(positional, startup);
    if (command == QLatin1String("jobs"))
        return jobsCommand(positional, options, startup);
    if (command == QLatin1String("search"))
        return searchCommand(positional, options, startup);
    if (command == QLatin1String("library"))
        return libraryCommand(positional, options, startup);
    if (command == QLatin1String("tasks"))
        return tasksCommand(positional, options, startup);
    err() << "unknown command " << command << Qt::endl;
    return 2;
}

} // namespace Cli
