#pragma once

#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <chrono>
#include <memory>

namespace Revenge {

class DatabasePool;
class JobClient;

// Optional real-time monitoring (library.watch): watches the folders of every enabled library
// with inotify (QFileSystemWatcher) and queues an incremental library.scan once a library has
// been quiet for the debounce time after a change. Folder lists are built off this thread; the
// database is only touched from the thread pool.
class LibraryWatcher : public QObject
{
    Q_OBJECT

public:
    LibraryWatcher(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs,
                   std::chrono::milliseconds debounce, QObject *parent = nullptr);
    ~LibraryWatcher() override;

    // Reads the libraries and starts watching; the library list is read again every few minutes
    // (libraries added through the API are picked up).
    void start();
    // Reads the library list again now (added, removed, disabled or moved libraries).
    void reload();
    int watchedFolders() const;

Q_SIGNALS:
    // After the folders of a library are watched (also after each refresh).
    void watching(const QString &libraryId, int folders);
    // A debounced change queued a scan.
    void scanQueued(const QString &libraryId);

private:
    struct Watched
    {
        QStringList roots;
        QStringList folders;
        QTimer *debounce = nullptr;
    };
    void refresh(const QString &libraryId, const QStringList &roots);
    void onChanged(const QString &path);
    void fire(const QString &libraryId);

    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
    std::chrono::milliseconds m_debounce;
    QFileSystemWatcher m_watcher;
    QTimer m_reload;
    QHash<QString, Watched> m_libraries;
    bool m_limitWarned = false;
};

} // namespace Revenge
