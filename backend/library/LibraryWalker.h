#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <functional>

namespace Revenge {

// One media file found by the walk.
struct WalkedFile
{
    QByteArray path; // absolute, UTF-8
    int root = 0;    // index into the walker's roots
    qint64 size = 0;
    qint64 mtimeUs = 0; // microseconds since the epoch
    quint64 device = 0;
    quint64 inode = 0;
    const char *kind = nullptr; // video, audio, subtitle, image, nfo
};

// Walks library folders with POSIX calls and reports media files in byte order of their full
// paths, which is PostgreSQL's "C" collation order: the scanner merges this stream with the
// library's rows read in path order, so neither side is held in memory.
//
// Skips hidden entries (.Trash-*, .DS_Store, ...), NAS litter (@eaDir, #recycle, $RECYCLE.BIN,
// lost+found) and files that are not media by extension. Symbolic links are followed, with loops
// detected on the folder stack. A folder that cannot be read, or a name that is not valid UTF-8,
// is reported and skipped; the walk goes on.
class LibraryWalker
{
public:
    struct Callbacks
    {
        // Return false to stop the walk.
        std::function<bool(const WalkedFile &)> file;
        std::function<void(const QByteArray &path, const QString &error)> error;
        // A folder whose contents are unknown this time (unreadable, unreachable root): files
        // under it that the library already has must be kept. Reported in walk order.
        std::function<void(const QByteArray &folder)> skippedFolder;
    };

    explicit LibraryWalker(const QStringList &roots);

    // The roots, cleaned and in walk order.
    const QList<QByteArray> &roots() const { return m_roots; }

    // false when a callback stopped it.
    bool walk(const Callbacks &callbacks);

    // Whether a file or folder name is skipped (hidden or NAS litter).
    static bool isIgnoredName(const char *name);

private:
    bool walkFolder(int fd, QByteArray &path, int root, int depth, const Callbacks &callbacks);

    QList<QByteArray> m_roots;
    QList<QPair<quint64, quint64>> m_stack; // (device, inode) of the folders being walked
};

} // namespace Revenge
