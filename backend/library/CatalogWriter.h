#pragma once

#include "FilenameParser.h"
#include "Library.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <functional>

namespace Revenge {

class JobClient;

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

    // Identifies the library's files that no item links yet and links them.
    bool identifyUnlinked(bool enqueueMetadata, QString *error);
    // Deletes items left without a main file (and empty seasons, series, albums, artists).
    bool removeOrphans(QString *error);
    // Queues metadata.local for items made before `since` whose files lie under these folders
    // (their NFO or artwork changed).
    bool enqueueLocalMetadataUnder(const QList<QByteArray> &folders, const QByteArray &since,
                                   QString *error);

private:
    struct Batch;
    bool processBatch(const QList<QByteArray> &ids, const QList<QByteArray> &paths, bool ownersOnly,
                      bool enqueueMetadata, QString *error);
    bool ensureInputTable(QString *error);
    bool allows(const char *kind) const;

    QSqlDatabase &m_db;
    const Library &m_library;
    QByteArray m_schema;
    JobClient *m_jobs;
    int m_batch = 1000;
    bool m_all = false;
    std::function<void(qint64)> m_progress;
    std::function<bool()> m_cancelled;
};

} // namespace Revenge
