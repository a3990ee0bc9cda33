#include "LibraryWatcher.h"

#include "LibraryRepository.h"
#include "LibraryWalker.h"
#include "core/Logging.h"
#include "jobs/workers/LibraryScanWorker.h"

#include <QDirIterator>
#include <QFutureWatcher>
#include <QtConcurrent>

namespace Revenge {

namespace {

// Every folder under the roots that the scanner would enter.
QStringList foldersUnder(const QStringList &roots)
{
    QStringList out;
    for (const QString &root : roots) {
        if (!QFileInfo(root).isDir())
            continue;
        out << root;
        QStringList pending{root};
        while (!pending.isEmpty()) {
            const QString dir = pending.takeLast();
            QDirIterator children(dir, QDir::Dirs | QDir::NoDotAndDotDot | QDir::NoSymLinks);
            while (children.hasNext()) {
                const QString child = children.next();
                if (LibraryWalker::isIgnoredName(
                        QFile::encodeName(children.fileName()).constData()))
                    continue;
                out << child;
                pending << child;
            }
        }
    }
    return out;
}

} // namespace

LibraryWatcher::LibraryWatcher(std::shared_ptr<DatabasePool> pool, std::shared_ptr<JobClient> jobs,
                               std::chrono::milliseconds debounce, QObject *parent)
    : QObject(parent)
    , m_pool(std::move(pool))
    , m_jobs(std::move(jobs))
    , m_debounce(debounce)
{
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &LibraryWatcher::onChanged);
    m_reload.setInterval(std::chrono::minutes(5));
    connect(&m_reload, &QTimer::timeout, this, &LibraryWatcher::reload);
}

LibraryWatcher::~LibraryWatcher() = default;

void LibraryWatcher::start()
{
    reload();
    m_reload.start();
}

int LibraryWatcher::watchedFolders() const
{
    return int(m_watcher.directories().size());
}

void LibraryWatcher::reload()
{
    auto *watcher = new QFutureWatcher<QList<Library>>(this);
    connect(watcher, &QFutureWatcher<QList<Library>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QList<Library> libraries = watcher->result();
        QSet<QString> current;
        for (const Library &l : libraries) {
            if (!l.enabled)
                continue;
            current.insert(l.id);
            if (!m_libraries.contains(l.id) || m_libraries.value(l.id).roots != l.paths)
                refresh(l.id, l.paths);
        }
        for (auto it = m_libraries.begin(); it != m_libraries.end();) {
            if (current.contains(it.key())) {
                ++it;
                continue;
            }
            if (!it->folders.isEmpty())
                m_watcher.removePaths(it->folders);
            delete it->debounce;
            it = m_libraries.erase(it);
        }
    });
    watcher->setFuture(QtConcurrent::run([pool = m_pool] {
        QString error;
        const auto list = LibraryRepository(pool).list(&error);
        if (!list)
            qCWarning(lcLibrary).noquote() << "folder watching: cannot read libraries:" << error;
        return list.value_or(QList<Library>());
    }));
}

void LibraryWatcher::refresh(const QString &libraryId, const QStringList &roots)
{
    auto *watcher = new QFutureWatcher<QStringList>(this);
    connect(
        watcher, &QFutureWatcher<QStringList>::finished, this, [this, watcher, libraryId, roots] {
            watcher->deleteLater();
            Watched &w = m_libraries[libraryId];
            if (!w.debounce) {
                w.debounce = new QTimer(this);
                w.debounce->setSingleShot(true);
                w.debounce->setInterval(m_debounce);
                connect(w.debounce, &QTimer::timeout, this, [this, libraryId] { fire(libraryId); });
            }
            w.roots = roots;
            const QStringList folders = watcher->result();
            const QSet<QString> before(w.folders.begin(), w.folders.end());
            QStringList added;
            for (const QString &f : folders)
                if (!before.contains(f))
                    added << f;
            const QStringList failed = added.isEmpty() ? QStringList() : m_watcher.addPaths(added);
            if (!failed.isEmpty() && !m_limitWarned) {
                m_limitWarned = true;
                qCWarning(lcLibrary).noquote()
                    << "folder watching: cannot watch" << failed.size()
                    << "folders (inotify limit? raise fs.inotify.max_user_watches); "
                       "scheduled rescans still find their changes";
            }
            w.folders = folders;
            emit watching(libraryId, int(folders.size() - failed.size()));
        });
    watcher->setFuture(QtConcurrent::run([roots] { return foldersUnder(roots); }));
}

void LibraryWatcher::onChanged(const QString &path)
{
    QString best;
    qsizetype bestLength = -1;
    for (auto it = m_libraries.cbegin(); it != m_libraries.cend(); ++it)
        for (const QString &root : it->roots)
            if ((path == root || path.startsWith(root + QLatin1Char('/'))) &&
                root.size() > bestLength) {
                best = it.key();
                bestLength = root.size();
            }
    if (best.isEmpty())
        return;
    // Restarted by every change: the scan waits until the library has been quiet a while.
    m_libraries[best].debounce->start();
}

void LibraryWatcher::fire(const QString &libraryId)
{
    const QStringList roots = m_libraries.value(libraryId).roots;
    QtConcurrent::run([jobs = m_jobs, libraryId] {
        QString error;
        if (!LibraryScanWorker::enqueue(*jobs, libraryId, false, &error))
            qCWarning(lcLibrary).noquote() << "folder watching: cannot queue a scan:" << error;
    });
    qCInfo(lcLibrary).noquote() << "folders of library" << libraryId << "changed: scan queued";
    emit scanQueued(libraryId);
    // New subfolders are watched too.
    refresh(libraryId, roots);
}

} // namespace Revenge
