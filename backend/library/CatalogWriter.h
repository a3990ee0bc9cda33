#pragma once

#include "FilenameParser.h"
#include "Library.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <functional>

namespace Revenge {

class JobClient;
struct InsertParams;

// Turns identified files into catalogue items: movies, series/seasons/episodes, artists/albums/
// tracks (schema media) or movies/scenes (schema c), and attaches extras and subtitles to their
// items. Set-based: one batch of files is a handful of statements in one transaction, and new
// items are queued for local metadata (metadata.local) in the same transaction.
// Runs on the caller's connection; not thread-safe (one per scan).
class CatalogWriter
{
public:
    CatalogWriter(QSqlDatabase &db, const Library &library, JobClient *jobs);

    void setBatchSize(int files) { m_batch = qMax(1, files); }
    void setProgress(std::function<void(qint64 files)> progress)
    {
        m_progress = std::move(progress);
    }
    void setCancelled(std::function<bool()> cancelled) { m_cancelled = std::move(cancelled); }
    // Only files not identified yet (identification IS NULL) are read; with `all`, every file
    // without an item.
    void setAll(bool all) { m_all = all; }

    // What the scanner makes of a file of this library: the path relative to its library folder.
    static Identification identify(const Library &library, const QString &absolutePath);

    // Links files just inserted (with their identification) to items: the scan's walk calls
    // this batch by batch.
    bool identifyNew(const QList<QByteArray> &ids, const QList<QByteArray> &paths,
                     const QList<Identification> &identifications, bool enqueueMetadata,
                     QString *error);
    // metadata.local jobs for these items, 100 items a job.
    static QList<InsertParams> localMetadataJobs(const QByteArray &schema, const QString &itemType,
                                                 const QStringList &itemIds);
    // media.probe jobs for these files, 100 files a job.
    static QList<InsertParams> probeJobs(const QByteArray &schema,
                                         const QList<QByteArray> &fileIds);
    // The identification as stored in media_files.identification (no nulls, no path).
    static QJsonObject compactJson(const Identification &id);

    // Identifies the library's files that no item links yet and links them.
    bool identifyUnlinked(bool enqueueMetadata, QString *error);
    // Deletes items left without a main file (and empty seasons, series, albums, artists).
    bool removeOrphans(QString *error);
    // Queues metadata.local for items made before `since` whose files lie under these folders
    // (their NFO or artwork changed).
    bool enqueueLocalMetadataUnder(const QList<QByteArray> &folders, const QByteArray &since,
                                   QString *error);

private:
    bool processBatch(const QList<QByteArray> &ids, const QList<QByteArray> &paths,
                      const QList<Identification> *known, bool ownersOnly, bool enqueueMetadata,
                      QString *error);
    bool afterBatch(QString *error);
    bool ensureInputTable(QString *error);
    bool analyze(QString *error);
    bool allows(const char *kind) const;

    QSqlDatabase &m_db;
    const Library &m_library;
    QByteArray m_schema;
    JobClient *m_jobs;
    int m_batch = 1000;
    qint64 m_batches = 0;
    bool m_all = false;
    std::function<void(qint64)> m_progress;
    std::function<bool()> m_cancelled;
};

} // namespace Revenge
