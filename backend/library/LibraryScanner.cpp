#include "LibraryScanner.h"

#include "CatalogWriter.h"
#include "FilenameParser.h"
#include "LibraryRepository.h"
#include "LibraryWalker.h"
#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <condition_variable>
#include <deque>
#include <libpq-fe.h>
#include <mutex>
#include <thread>

namespace Revenge {

namespace {

constexpr int kMaxErrorSamples = 50;
constexpr int kReadPage = 5000;
constexpr int kProgressIntervalMs = 250;
constexpr int kRowUpdateIntervalMs = 1000;

// One row of <schema>.media_files as the merge reads it.
struct KnownFile
{
    QByteArray id;
    QByteArray path;
    qint64 size = 0;
    qint64 mtimeUs = 0;
    bool missing = false;
};

// Reads the library's rows in path order, a page at a time, on its own thread and connection,
// a couple of pages ahead of the merge: the database read overlaps the directory walk. Rows the
// scan inserts meanwhile are never read (their paths sort before the page being merged).
class KnownReader
{
public:
    KnownReader(std::shared_ptr<DatabasePool> pool, QByteArray schema, QByteArray libraryId)
        : m_pool(std::move(pool))
        , m_schema(std::move(schema))
        , m_libraryId(std::move(libraryId))
    {
        m_thread = std::thread([this] { run(); });
    }
    ~KnownReader()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }
    // The next page; false at the end, or on an error (then error() says what).
    bool next(QList<KnownFile> &page, QString *error)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_pages.empty() || m_done; });
        if (m_pages.empty()) {
            *error = m_error;
            return false;
        }
        page = std::move(m_pages.front());
        m_pages.pop_front();
        m_changed.notify_all();
        return true;
    }

private:
    static constexpr size_t kAhead = 2;

    void run()
    {
        QByteArray last;
        bool first = true;
        QString error;
        auto lease = m_pool->acquire(10000, &error);
        const QByteArray sql =
            "SELECT id, path, size, (extract(epoch FROM mtime) * 1000000)::bigint, "
            "missing_since IS NOT NULL FROM " +
            m_schema +
            ".media_files WHERE library_id = $1 AND path > $2 "
            "ORDER BY path LIMIT " +
            QByteArray::number(kReadPage);
        for (bool more = bool(lease); more;) {
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [this] { return m_pages.size() < kAhead || m_stop; });
                if (m_stop)
                    break;
            }
            const PgResult r =
                pgExec(lease->db(), sql, {m_libraryId, first ? QByteArray("") : last});
            if (!r.ok()) {
                error = r.error();
                break;
            }
            first = false;
            QList<KnownFile> page;
            page.reserve(r.rows());
            for (int i = 0; i < r.rows(); ++i)
                page.append(
                    {r.bytes(i, 0), r.bytes(i, 1), r.toInt(i, 2), r.toInt(i, 3), r.toBool(i, 4)});
            more = r.rows() == kReadPage;
            if (!page.isEmpty()) {
                last = page.last().path;
                std::lock_guard lock(m_mutex);
                m_pages.push_back(std::move(page));
            }
            m_changed.notify_all();
        }
        std::lock_guard lock(m_mutex);
        m_done = true;
        m_error = error;
        m_changed.notify_all();
    }

    std::shared_ptr<DatabasePool> m_pool;
    QByteArray m_schema;
    QByteArray m_libraryId;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<QList<KnownFile>> m_pages;
    bool m_done = false;
    bool m_stop = false;
    QString m_error;
};

// Links the walk's new files to items on a second thread and connection, so the walk (and its
// inserts) and the item writes run side by side on two cores. One batch at a time, in order:
// find-or-create of series and albums sees every earlier batch. At most two batches wait.
class IdentifyPipeline
{
public:
    struct Batch
    {
        QList<QByteArray> ids, paths;
        QList<Identification> identifications;
    };

    IdentifyPipeline(std::shared_ptr<DatabasePool> pool, const Library &library, JobClient *jobs,
                     int batchSize, bool enqueueMetadata)
        : m_pool(std::move(pool))
        , m_library(library)
        , m_jobs(jobs)
        , m_batchSize(batchSize)
        , m_enqueue(enqueueMetadata)
    {
        m_thread = std::thread([this] { run(); });
    }
    ~IdentifyPipeline()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }
    // Blocks while two batches wait. False once the pipeline failed (error says why).
    bool submit(Batch batch, QString *error)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_queue.size() < 2 || !m_error.isEmpty(); });
        if (!m_error.isEmpty()) {
            *error = m_error;
            return false;
        }
        m_queue.push_back(std::move(batch));
        m_changed.notify_all();
        return true;
    }
    // Waits until every submitted batch is written.
    bool drain(QString *error)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return (m_queue.empty() && !m_busy) || !m_error.isEmpty(); });
        *error = m_error;
        return m_error.isEmpty();
    }

private:
    void run()
    {
        QString error;
        auto lease = m_pool->acquire(30000, &error);
        std::optional<CatalogWriter> writer;
        if (lease) {
            writer.emplace(lease->db(), m_library, m_jobs);
            writer->setBatchSize(m_batchSize);
            // Off like the scan's own connection: everything here is derived from the folders.
            pgExec(lease->db(), "SET synchronous_commit = off");
        }
        for (;;) {
            Batch batch;
            {
                std::unique_lock lock(m_mutex);
                if (!lease && m_error.isEmpty())
                    m_error = error.isEmpty() ? QStringLiteral("no database connection") : error;
                m_changed.wait(lock, [this] { return !m_queue.empty() || m_stop; });
                if (m_queue.empty() || !m_error.isEmpty()) {
                    m_queue.clear();
                    m_changed.notify_all();
                    if (m_stop)
                        break;
                    continue;
                }
                batch = std::move(m_queue.front());
                m_queue.pop_front();
                m_busy = true;
            }
            const bool ok = writer->identifyNew(batch.ids, batch.paths, batch.identifications,
                                                m_enqueue, &error);
            std::lock_guard lock(m_mutex);
            m_busy = false;
            if (!ok)
                m_error = error;
            m_changed.notify_all();
        }
        if (lease)
            pgExec(lease->db(), "RESET synchronous_commit");
    }

    std::shared_ptr<DatabasePool> m_pool;
    const Library &m_library;
    JobClient *m_jobs;
    int m_batchSize;
    bool m_enqueue;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Batch> m_queue;
    bool m_busy = false;
    bool m_stop = false;
    QString m_error;
};

} // namespace

// The state of one scan: the merge of the walk with the library's rows, and the batches of
// writes it produces.
class ScanRun
{
public:
    ScanRun(std::shared_ptr<DatabasePool> pool, QSqlDatabase &db, const Library &library,
            const ScanOptions &options, qint64 scanId, QByteArray startedAt, JobClient *jobs)
        : m_pool(std::move(pool))
        , m_db(db)
        , m_library(library)
        , m_options(options)
        , m_schema(library.schema().toUtf8())
        , m_scanId(scanId)
        , m_startedAt(std::move(startedAt))
        , m_jobs(jobs)
    {
        m_clock.start();
        m_lastProgress.start();
        m_lastRowUpdate.start();
        m_batch = qMax(1, options.batchSize);
    }

    LibraryScan stats;
    QString fatal; // a database failure: the scan ends failed

    bool run();

private:
    bool cancelled() const { return m_options.cancelled && m_options.cancelled(); }
    void progress(const QString &phase, qint64 current, qint64 total, bool force = false);
    void recordError(const QByteArray &path, const QString &error);
    bool exec(const QByteArray &sql, const QList<QByteArray> &params, PgResult *out = nullptr);

    // Walk phase.
    bool nextKnown();
    bool onFile(const WalkedFile &file);
    void onSkippedFolder(const QByteArray &folder);
    bool markMissingBefore(const QByteArray &path);
    bool flushInserts(bool force);
    bool flushUpdates(bool force);
    bool flushMissing(bool force);
    bool flushAll();

    // Later phases.
    bool reconcileMoves();
    bool identify();
    bool cleanup();
    bool enqueueEnrichment();
    bool updateRow(bool force);

    std::shared_ptr<DatabasePool> m_pool;
    QSqlDatabase &m_db;
    const Library &m_library;
    const ScanOptions &m_options;
    QByteArray m_schema;
    qint64 m_scanId;
    QByteArray m_startedAt; // the scan row's started_at, as text: marks this scan's writes
    JobClient *m_jobs;
    int m_batch = 1000;
    QElapsedTimer m_clock, m_lastProgress, m_lastRowUpdate;
    QString m_phase;

    // The library's rows, read in path order one page at a time.
    std::unique_ptr<KnownReader> m_reader;
    QList<KnownFile> m_page;
    qsizetype m_pageIndex = 0;
    bool m_knownDone = false;

    // Pending writes.
    QList<QByteArray> m_insPath, m_insKind;
    QList<qint64> m_insSize, m_insMtime, m_insDev, m_insIno;
    QList<QByteArray> m_updId;
    QList<qint64> m_updSize, m_updMtime, m_updDev, m_updIno;
    QList<QByteArray> m_missing;
    qint64 m_missingCount = 0;
    qint64 m_knownTotal = 0;          // files the library had when the scan began
    QList<QByteArray> m_changedMedia; // changed video and audio files: probed again
    std::unique_ptr<IdentifyPipeline> m_pipeline;
    // Folders holding NFO or artwork that changed: their items' local metadata is read again.
    QSet<QByteArray> m_artworkFolders;
};

void ScanRun::progress(const QString &phase, qint64 current, qint64 total, bool force)
{
    m_phase = phase;
    if (!m_options.progress || (!force && m_lastProgress.elapsed() < kProgressIntervalMs))
        return;
    m_lastProgress.restart();
    m_options.progress({phase, current, total});
}

void ScanRun::recordError(const QByteArray &path, const QString &error)
{
    ++stats.errors;
    qCInfo(lcLibrary).noquote() << QString::fromUtf8(path) << ':' << error;
    if (stats.errorSamples.size() < kMaxErrorSamples)
        stats.errorSamples.append(QJsonObject{{QStringLiteral("path"), QString::fromUtf8(path)},
                                              {QStringLiteral("error"), error}});
}

bool ScanRun::exec(const QByteArray &sql, const QList<QByteArray> &params, PgResult *out)
{
    PgResult r = pgExec(m_db, sql, params);
    if (!r.ok()) {
        fatal = r.error();
        qCWarning(lcLibrary).noquote() << "scan of" << m_library.name << "failed:" << fatal;
        return false;
    }
    if (out)
        *out = std::move(r);
    return true;
}

bool ScanRun::nextKnown()
{
    if (m_pageIndex < m_page.size())
        return true;
    if (m_knownDone)
        return false;
    if (!m_reader)
        m_reader = std::make_unique<KnownReader>(m_pool, m_schema, m_library.id.toUtf8());
    m_page.clear();
    m_pageIndex = 0;
    QString error;
    if (!m_reader->next(m_page, &error)) {
        m_knownDone = true;
        m_reader.reset();
        if (!error.isEmpty())
            fatal = error;
        return false;
    }
    return true;
}

// Known rows sorted before `path` were not found by the walk.
bool ScanRun::markMissingBefore(const QByteArray &path)
{
    while (nextKnown()) {
        const KnownFile &k = m_page.at(m_pageIndex);
        if (!(k.path < path))
            break;
        m_missing.append(k.id);
        ++m_missingCount;
        ++m_pageIndex;
        if (!flushMissing(false))
            return false;
    }
    return fatal.isEmpty();
}

bool ScanRun::onFile(const WalkedFile &f)
{
    ++stats.scanned;
    if (!markMissingBefore(f.path))
        return false;
    const bool artwork =
        f.kind[0] == 'n' || f.kind[0] == 'i'; // nfo, image: local metadata of nearby items
    if (nextKnown() && m_page.at(m_pageIndex).path == f.path) {
        const KnownFile &k = m_page.at(m_pageIndex++);
        if (k.size != f.size || k.mtimeUs != f.mtimeUs || k.missing) {
            m_updId << k.id;
            m_updSize << f.size;
            m_updMtime << f.mtimeUs;
            m_updDev << qint64(f.device);
            m_updIno << qint64(f.inode);
            if (!k.missing)
                ++stats.updated;
            if (f.kind[0] == 'v' || f.kind[0] == 'a')
                m_changedMedia << k.id;
            if (artwork)
                m_artworkFolders.insert(f.path.left(f.path.lastIndexOf('/')));
        }
    } else {
        m_insPath << f.path;
        m_insKind << QByteArray(f.kind);
        m_insSize << f.size;
        m_insMtime << f.mtimeUs;
        m_insDev << qint64(f.device);
        m_insIno << qint64(f.inode);
        ++stats.added;
        if (artwork)
            m_artworkFolders.insert(f.path.left(f.path.lastIndexOf('/')));
    }
    if (!flushInserts(false) || !flushUpdates(false))
        return false;
    // The library's size before the scan is the best guess of the walk's length.
    progress(QStringLiteral("walking"), stats.scanned,
             m_knownTotal > 0 ? qMax(m_knownTotal, stats.scanned) : 0);
    updateRow(false);
    return !cancelled();
}

// Rows under a folder the walk could not read are neither found nor missing: skip them.
void ScanRun::onSkippedFolder(const QByteArray &folder)
{
    const QByteArray prefix = folder + '/';
    if (!markMissingBefore(prefix))
        return;
    while (nextKnown() && m_page.at(m_pageIndex).path.startsWith(prefix))
        ++m_pageIndex;
}

// New files are inserted with what their names say and linked to their items in the same
// breath: the walk's batch is the identification's batch, so nothing is read back later.
bool ScanRun::flushInserts(bool force)
{
    if (m_insPath.isEmpty() || (!force && m_insPath.size() < m_batch))
        return true;
    QList<Identification> identifications;
    QList<QByteArray> identificationJson;
    identifications.reserve(m_insPath.size());
    identificationJson.reserve(m_insPath.size());
    for (qsizetype i = 0; i < m_insPath.size(); ++i) {
        const QByteArray &kind = m_insKind.at(i);
        if (kind == "video" || kind == "audio" || kind == "subtitle") {
            identifications << CatalogWriter::identify(m_library,
                                                       QString::fromUtf8(m_insPath.at(i)));
            identificationJson << QJsonDocument(CatalogWriter::compactJson(identifications.last()))
                                      .toJson(QJsonDocument::Compact);
        } else {
            identifications << Identification{};
            identificationJson << QByteArray();
        }
    }
    QByteArray jsonArray = "[";
    for (qsizetype i = 0; i < identificationJson.size(); ++i) {
        if (i)
            jsonArray += ',';
        jsonArray +=
            identificationJson.at(i).isNull() ? QByteArray("null") : identificationJson.at(i);
    }
    jsonArray += ']';
    const QByteArray sql =
        "INSERT INTO " + m_schema +
        ".media_files (library_id, path, size, mtime, device, inode, kind, identification) "
        "SELECT $1, p, s, timestamptz 'epoch' + m * interval '1 microsecond', d, i, k, "
        "NULLIF(j, 'null'::jsonb) "
        "FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], "
        "$7::text[]) WITH ORDINALITY AS t(p, s, m, d, i, k, n) "
        "JOIN jsonb_array_elements($8::jsonb) WITH ORDINALITY AS x(j, n) USING (n) "
        "RETURNING id, path";
    PgResult inserted;
    bool ok = exec(sql,
                   {m_library.id.toUtf8(), pgTextArray(m_insPath), pgNumberArray(m_insSize),
                    pgNumberArray(m_insMtime), pgNumberArray(m_insDev), pgNumberArray(m_insIno),
                    pgTextArray(m_insKind), jsonArray},
                   &inserted);
    if (ok) {
        QHash<QByteArray, qsizetype> index;
        index.reserve(m_insPath.size());
        for (qsizetype i = 0; i < m_insPath.size(); ++i)
            index.insert(m_insPath.at(i), i);
        IdentifyPipeline::Batch batch;
        for (int r = 0; r < inserted.rows(); ++r) {
            const qsizetype i = index.value(inserted.bytes(r, 1), -1);
            if (i < 0 || identificationJson.at(i).isNull())
                continue;
            batch.ids << inserted.bytes(r, 0);
            batch.paths << inserted.bytes(r, 1);
            batch.identifications << identifications.at(i);
        }
        QString error;
        if (!batch.ids.isEmpty() && !m_pipeline->submit(std::move(batch), &error)) {
            fatal = error;
            ok = false;
        }
    }
    m_insPath.clear();
    m_insKind.clear();
    m_insSize.clear();
    m_insMtime.clear();
    m_insDev.clear();
    m_insIno.clear();
    return ok;
}

bool ScanRun::flushUpdates(bool force)
{
    if (m_updId.isEmpty() || (!force && m_updId.size() < m_batch))
        return true;
    // A changed file is probed again; its item links stay.
    const QByteArray sql =
        "UPDATE " + m_schema +
        ".media_files f SET size = t.s, mtime = timestamptz 'epoch' + t.m * interval "
        "'1 microsecond', device = t.d, inode = t.i, missing_since = NULL, probe = NULL, "
        "probed_at = NULL, probe_error = NULL, container = NULL, duration_ms = NULL "
        "FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) "
        "AS t(id, s, m, d, i) WHERE f.id = t.id";
    const bool ok =
        exec(sql, {pgTextArray(m_updId), pgNumberArray(m_updSize), pgNumberArray(m_updMtime),
                   pgNumberArray(m_updDev), pgNumberArray(m_updIno)});
    m_updId.clear();
    m_updSize.clear();
    m_updMtime.clear();
    m_updDev.clear();
    m_updIno.clear();
    return ok;
}

bool ScanRun::flushMissing(bool force)
{
    if (m_missing.isEmpty() || (!force && m_missing.size() < m_batch))
        return true;
    const bool ok = exec("UPDATE " + m_schema +
                             ".media_files SET missing_since = $2 WHERE id = ANY($1::uuid[])",
                         {pgTextArray(m_missing), m_startedAt});
    m_missing.clear();
    return ok;
}

bool ScanRun::flushAll()
{
    if (!flushInserts(true) || !flushUpdates(true) || !flushMissing(true))
        return false;
    QString error;
    if (m_pipeline && !m_pipeline->drain(&error)) {
        fatal = error;
        return false;
    }
    return true;
}

bool ScanRun::updateRow(bool force)
{
    if (!force && m_lastRowUpdate.elapsed() < kRowUpdateIntervalMs)
        return true;
    m_lastRowUpdate.restart();
    return exec("UPDATE shared.library_scans SET phase = $2, scanned = $3, added = $4, "
                "updated = $5, removed = $6, moved = $7, errors = $8, error_samples = $9::jsonb "
                "WHERE id = $1",
                {QByteArray::number(m_scanId), m_phase.toUtf8(), QByteArray::number(stats.scanned),
                 QByteArray::number(stats.added), QByteArray::number(stats.updated),
                 QByteArray::number(stats.removed), QByteArray::number(stats.moved),
                 QByteArray::number(stats.errors),
                 QJsonDocument(stats.errorSamples).toJson(QJsonDocument::Compact)});
}

// A file that vanished from one path and appeared at another with the same device, inode and
// size was moved: the old row (with its probe, items and watch state) takes the new path.
bool ScanRun::reconcileMoves()
{
    progress(QStringLiteral("moves"), 0, 0, true);
    if (!m_db.transaction()) {
        fatal = QStringLiteral("cannot begin a transaction");
        return false;
    }
    PgResult moved;
    const QByteArray files = m_schema + ".media_files";
    bool ok =
        exec("CREATE TEMP TABLE scan_moves ON COMMIT DROP AS "
             "SELECT DISTINCT ON (n.id) o.id AS old_id, n.id AS new_id, n.path AS new_path, "
             "n.mtime, o.identification AS old_identification, o.path AS old_path "
             "FROM " +
                 files + " o JOIN " + files +
                 " n ON n.library_id = o.library_id AND n.device = o.device "
                 "AND n.inode = o.inode AND n.size = o.size AND n.kind = o.kind AND n.id <> o.id "
                 "WHERE o.library_id = $1 AND o.missing_since = $2 AND n.missing_since IS NULL "
                 "AND n.created_at >= $2 ORDER BY n.id, o.path",
             {m_library.id.toUtf8(), m_startedAt}) &&
        exec("DELETE FROM scan_moves m USING scan_moves d WHERE m.old_id = d.old_id "
             "AND m.new_id > d.new_id",
             {}) &&
        exec("DELETE FROM " + files + " WHERE id IN (SELECT new_id FROM scan_moves)", {}) &&
        exec("UPDATE " + files +
                 " f SET path = m.new_path, mtime = m.mtime, missing_since = NULL "
                 "FROM scan_moves m WHERE f.id = m.old_id RETURNING f.id, f.path, "
                 "m.old_identification::text",
             {}, &moved);
    if (ok && moved.rows() > 0) {
        // A file renamed to fix its identification is identified again: unlink it here.
        QList<QByteArray> relink;
        for (int i = 0; i < moved.rows(); ++i) {
            const QJsonObject before = QJsonDocument::fromJson(moved.bytes(i, 2)).object();
            const QJsonObject after =
                CatalogWriter::identify(m_library, QString::fromUtf8(moved.bytes(i, 1))).toJson();
            for (const char *key : {"kind", "title", "series", "season", "episode", "year", "date",
                                    "artist", "album", "track"}) {
                if (before.value(QLatin1String(key)) != after.value(QLatin1String(key))) {
                    relink << moved.bytes(i, 0);
                    break;
                }
            }
        }
        if (!relink.isEmpty())
            ok = exec("DELETE FROM " + m_schema + ".item_files WHERE file_id = ANY($1::uuid[])",
                      {pgTextArray(relink)}) &&
                 exec("UPDATE " + m_schema +
                          ".media_files SET identification = NULL WHERE id = ANY($1::uuid[])",
                      {pgTextArray(relink)});
    }
    if (!ok || !m_db.commit()) {
        m_db.rollback();
        if (fatal.isEmpty())
            fatal = QStringLiteral("cannot commit the moves");
        return false;
    }
    stats.moved = moved.rows();
    stats.added -= stats.moved;
    return true;
}

// What the walk did not identify: files whose move changed what their name says, files of an
// interrupted scan, everything on a full scan; then extras and subtitles whose item may only
// now exist.
bool ScanRun::identify()
{
    CatalogWriter writer(m_db, m_library, m_jobs);
    writer.setBatchSize(m_batch);
    writer.setAll(m_options.full);
    writer.setProgress([this](qint64 done) { progress(QStringLiteral("identifying"), done, 0); });
    writer.setCancelled([this] { return cancelled(); });
    QString error;
    if (!writer.identifyUnlinked(m_options.enqueueEnrichment, &error)) {
        if (!cancelled())
            fatal = error;
        return false;
    }
    return true;
}

// Files still missing after the moves are gone: their rows go, and with them items that no
// longer have a file.
bool ScanRun::cleanup()
{
    progress(QStringLiteral("cleanup"), 0, 0, true);
    PgResult removed;
    if (!exec("DELETE FROM " + m_schema +
                  ".media_files WHERE library_id = $1 AND missing_since = $2",
              {m_library.id.toUtf8(), m_startedAt}, &removed))
        return false;
    stats.removed = removed.affected();
    if (stats.removed == 0 && stats.moved == 0)
        return true;
    QString error;
    if (!CatalogWriter(m_db, m_library, nullptr).removeOrphans(&error)) {
        fatal = error;
        return false;
    }
    return true;
}

// New and changed files are probed; folders whose NFO or artwork changed have their items'
// local metadata read again. New items were queued for local metadata as they were made.
bool ScanRun::enqueueEnrichment()
{
    if (!m_jobs || !m_options.enqueueEnrichment)
        return true;
    progress(QStringLiteral("enqueueing"), 0, 0, true);
    // New files were queued for probing with their items; changed ones are queued here.
    for (qsizetype i = 0; i < m_changedMedia.size(); i += 5000) {
        QString error;
        if (!m_jobs->insertManyTx(
                m_db, CatalogWriter::probeJobs(m_schema, m_changedMedia.mid(i, 5000)), &error)) {
            fatal = error;
            return false;
        }
    }
    if (!m_artworkFolders.isEmpty()) {
        QList<QByteArray> folders(m_artworkFolders.begin(), m_artworkFolders.end());
        QString error;
        if (!CatalogWriter(m_db, m_library, m_jobs)
                 .enqueueLocalMetadataUnder(folders, m_startedAt, &error)) {
            fatal = error;
            return false;
        }
    }
    return true;
}

bool ScanRun::run()
{
    m_pipeline = std::make_unique<IdentifyPipeline>(m_pool, m_library, m_jobs, m_batch,
                                                    m_options.enqueueEnrichment);
    LibraryWalker walker(m_library.paths);
    LibraryWalker::Callbacks callbacks;
    callbacks.file = [this](const WalkedFile &f) { return onFile(f); };
    callbacks.error = [this](const QByteArray &path, const QString &error) {
        recordError(path, error);
    };
    callbacks.skippedFolder = [this](const QByteArray &folder) { onSkippedFolder(folder); };
    PgResult known;
    if (!exec("SELECT count(*) FROM " + m_schema + ".media_files WHERE library_id = $1",
              {m_library.id.toUtf8()}, &known))
        return false;
    m_knownTotal = known.toInt(0, 0);
    progress(QStringLiteral("walking"), 0, m_knownTotal, true);
    const bool completed = walker.walk(callbacks);
    if (!fatal.isEmpty())
        return false;
    if (!completed || cancelled())
        return flushAll() && false;
    // What is left of the library's rows was not found.
    if (!flushAll())
        return false;
    while (nextKnown()) {
        m_missing.append(m_page.at(m_pageIndex++).id);
        ++m_missingCount;
        if (!flushMissing(false))
            return false;
    }
    if (!flushMissing(true))
        return false;
    updateRow(true);
    // A move is a file missing at one path and new at another.
    if (stats.added > 0 && m_missingCount > 0 && !reconcileMoves())
        return false;
    if (cancelled())
        return false;
    if (!identify())
        return false;
    if (cancelled())
        return false;
    if (!cleanup() || !enqueueEnrichment())
        return false;
    return true;
}

LibraryScanner::LibraryScanner(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs)
    : m_pool(std::move(pool))
    , m_jobs(std::move(jobs))
{}

LibraryScanner::~LibraryScanner() = default;

std::optional<LibraryScan> LibraryScanner::scan(const QString &libraryId,
                                                const ScanOptions &options, QString *error)
{
    LibraryRepository repository(m_pool);
    const auto library = repository.get(libraryId, error);
    if (!library)
        return std::nullopt;
    auto lease = m_pool->acquire(10000, error);
    if (!lease)
        return std::nullopt;
    QSqlDatabase &db = lease->db();

    // One scan per library across every process (server jobs, `revenge library scan --now`):
    // a session-level advisory lock, which PostgreSQL releases by itself if the process dies.
    const QByteArray lockKey = "hashtextextended('revenge.library.scan:' || $1, 0)";
    const PgResult locked =
        pgExec(db, "SELECT pg_try_advisory_lock(" + lockKey + ")", {libraryId.toUtf8()});
    if (!locked.ok() || !locked.toBool(0, 0)) {
        if (error)
            *error =
                locked.ok()
                    ? QStringLiteral("a scan of library '%1' is already running").arg(library->name)
                    : locked.error();
        return std::nullopt;
    }
    struct Unlock
    {
        QSqlDatabase &db;
        QByteArray key, id;
        ~Unlock() { pgExec(db, "SELECT pg_advisory_unlock(" + key + ")", {id}); }
    } unlock{db, lockKey, libraryId.toUtf8()};
    // With the lock held, a row still "running" belongs to a process that stopped.
    const PgResult stale =
        pgExec(db,
               "UPDATE shared.library_scans SET status = 'failed', finished_at = now(), "
               "error = 'interrupted (the process running it stopped)' "
               "WHERE library_id = $1 AND status = 'running'",
               {libraryId.toUtf8()});
    if (!stale.ok()) {
        if (error)
            *error = stale.error();
        return std::nullopt;
    }
    const PgResult started =
        pgExec(db,
               "INSERT INTO shared.library_scans (library_id, job_id, phase) "
               "VALUES ($1, NULLIF($2, 0), 'walking') RETURNING id, started_at::text",
               {libraryId.toUtf8(), QByteArray::number(options.jobId)});
    if (!started.ok()) {
        if (error)
            *error =
                started.sqlState() == QLatin1String("23505")
                    ? QStringLiteral("a scan of library '%1' is already running").arg(library->name)
                    : started.error();
        return std::nullopt;
    }
    const qint64 scanId = started.toInt(0, 0);
    // Everything a scan writes is derived from the folders: a crash losing its last batches
    // only means the next scan finds those files again. So its commits do not wait for the WAL
    // flush (about a hundred commits per 100,000 files).
    pgExec(db, "SET synchronous_commit = off");
    qCInfo(lcLibrary).noquote() << "scan" << scanId << "of" << library->name << "started";

    QElapsedTimer clock;
    clock.start();
    // The reader and the item writer get their own two connections: a scan never waits for
    // (or starves) the caller's pool, whatever its size.
    auto helpers = std::make_shared<DatabasePool>(m_pool->settings(), 2);
    ScanRun run(helpers, db, *library, options, scanId, started.bytes(0, 1), m_jobs.get());
    const bool ok = run.run();
    const bool wasCancelled = !ok && run.fatal.isEmpty();
    if (!ok && PQtransactionStatus(pgConnection(db)) != PQTRANS_IDLE)
        db.rollback();
    const QString status = ok             ? QStringLiteral("completed")
                           : wasCancelled ? QStringLiteral("cancelled")
                                          : QStringLiteral("failed");
    const LibraryScan &s = run.stats;
    pgExec(db, "RESET synchronous_commit");
    const PgResult finished = pgExec(
        db,
        "UPDATE shared.library_scans SET status = $2, finished_at = now(), phase = NULL, "
        "scanned = $3, added = $4, updated = $5, removed = $6, moved = $7, errors = $8, "
        "error_samples = $9::jsonb, duration_ms = $10, error = NULLIF($11, '') WHERE id = $1",
        {QByteArray::number(scanId), status.toUtf8(), QByteArray::number(s.scanned),
         QByteArray::number(qMax<qint64>(0, s.added)), QByteArray::number(s.updated),
         QByteArray::number(s.removed), QByteArray::number(s.moved), QByteArray::number(s.errors),
         QJsonDocument(s.errorSamples).toJson(QJsonDocument::Compact),
         QByteArray::number(clock.elapsed()), run.fatal.toUtf8()});
    if (!finished.ok()) {
        if (error)
            *error = finished.error();
        return std::nullopt;
    }
    if (ok)
        pgExec(db, "UPDATE shared.libraries SET last_scan_at = now() WHERE id = $1",
               {libraryId.toUtf8()});
    qCInfo(lcLibrary).noquote() << "scan" << scanId << "of" << library->name << status << "in"
                                << clock.elapsed() << "ms:" << s.scanned << "files," << s.added
                                << "added," << s.updated << "updated," << s.removed << "removed,"
                                << s.moved << "moved," << s.errors << "errors";
    return repository.scan(scanId, error);
}

} // namespace Revenge
