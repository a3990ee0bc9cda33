#include "LibraryWalker.h"

#include "FilenameParser.h"

#include <QDir>
#include <QUtf8StringView>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace Revenge {

namespace {

constexpr int kMaxDepth = 64;

struct Entry
{
    QByteArray key; // name, plus '/' for folders: sorting keys sorts full paths bytewise
    bool folder = false;
    const char *kind = nullptr;
};

const char *kindOf(const char *name)
{
    const char *dot = std::strrchr(name, '.');
    if (!dot || dot == name || !dot[1])
        return nullptr;
    char ext[8];
    size_t n = 0;
    for (const char *p = dot + 1; *p; ++p) {
        if (n + 1 >= sizeof ext)
            return nullptr;
        ext[n++] = char(std::tolower(static_cast<unsigned char>(*p)));
    }
    ext[n] = 0;
    // Interned: the walker hands out stable pointers.
    static const char *const kinds[] = {"video", "audio", "subtitle", "image", "nfo"};
    const QString kind = FilenameParser::fileKind(QString::fromLatin1(ext, int(n)));
    for (const char *k : kinds)
        if (kind == QLatin1String(k))
            return k;
    return nullptr;
}

QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

} // namespace

LibraryWalker::LibraryWalker(const QStringList &roots)
{
    for (const QString &r : roots) {
        QByteArray clean = QDir::cleanPath(r).toUtf8();
        if (clean.size() > 1 && clean.endsWith('/'))
            clean.chop(1);
        if (!m_roots.contains(clean))
            m_roots << clean;
    }
    // Sorted by "<root>/", the prefix of every path under it.
    std::sort(m_roots.begin(), m_roots.end(),
              [](const QByteArray &a, const QByteArray &b) { return a + '/' < b + '/'; });
}

bool LibraryWalker::isIgnoredName(const char *name)
{
    if (name[0] == '.')
        return true; // hidden: .Trash-1000, .recycle, .DS_Store, ._AppleDouble, .@__thumb
    static const char *const litter[] = {"@eaDir",     "#recycle",
                                         "#snapshot",  "$RECYCLE.BIN",
                                         "lost+found", "System Volume Information",
                                         "@Recycle",   "@Recently-Snapshot"};
    for (const char *l : litter)
        if (std::strcmp(name, l) == 0)
            return true;
    return false;
}

bool LibraryWalker::walk(const Callbacks &callbacks)
{
    for (int i = 0; i < m_roots.size(); ++i) {
        QByteArray path = m_roots.at(i);
        const int fd = ::open(path.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            const int err = errno;
            if (callbacks.error)
                callbacks.error(path, QStringLiteral("library folder cannot be read: %1 "
                                                     "(unmounted? its files are kept)")
                                          .arg(errnoText(err)));
            if (callbacks.skippedFolder)
                callbacks.skippedFolder(path);
            continue;
        }
        m_stack.clear();
        if (!walkFolder(fd, path, i, 0, callbacks))
            return false;
    }
    return true;
}

// Takes ownership of fd.
bool LibraryWalker::walkFolder(int fd, QByteArray &path, int root, int depth,
                               const Callbacks &callbacks)
{
    struct stat self;
    if (::fstat(fd, &self) == 0) {
        const QPair<quint64, quint64> id(quint64(self.st_dev), quint64(self.st_ino));
        if (m_stack.contains(id)) {
            ::close(fd);
            if (callbacks.error)
                callbacks.error(path, QStringLiteral("symbolic link loop: skipped"));
            return true;
        }
        m_stack.append(id);
    } else {
        m_stack.append({0, 0});
    }
    DIR *dir = ::fdopendir(fd);
    if (!dir) {
        const int err = errno;
        ::close(fd);
        m_stack.removeLast();
        if (callbacks.error)
            callbacks.error(path, QStringLiteral("folder cannot be read: %1").arg(errnoText(err)));
        if (callbacks.skippedFolder)
            callbacks.skippedFolder(path);
        return true;
    }

    std::vector<Entry> entries;
    errno = 0;
    while (dirent *e = ::readdir(dir)) {
        const char *name = e->d_name;
        if (isIgnoredName(name))
            continue;
        unsigned char type = e->d_type;
        if (type == DT_LNK || type == DT_UNKNOWN) {
            struct stat st;
            if (::fstatat(fd, name, &st, 0) != 0) {
                const int err = errno;
                if (callbacks.error && kindOf(name))
                    callbacks.error(path + '/' + name,
                                    QStringLiteral("cannot be read: %1").arg(errnoText(err)));
                continue;
            }
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        Entry entry;
        if (type == DT_DIR) {
            entry.folder = true;
        } else if (type == DT_REG) {
            entry.kind = kindOf(name);
            if (!entry.kind)
                continue;
        } else {
            continue;
        }
        const QByteArray bytes(name);
        if (!QUtf8StringView(bytes).isValidUtf8()) {
            if (callbacks.error)
                callbacks.error(path + '/' + bytes,
                                QStringLiteral("name is not valid UTF-8: skipped (rename it)"));
            continue;
        }
        entry.key = entry.folder ? bytes + '/' : bytes;
        entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry &a, const Entry &b) { return a.key < b.key; });

    bool go = true;
    const qsizetype base = path.size();
    for (const Entry &entry : entries) {
        path.resize(base);
        path += '/';
        if (entry.folder) {
            path.append(entry.key.constData(), entry.key.size() - 1);
            if (depth + 1 >= kMaxDepth) {
                if (callbacks.error)
                    callbacks.error(path, QStringLiteral("folders nested too deep: skipped"));
                continue;
            }
            const QByteArray name = entry.key.left(entry.key.size() - 1);
            const int child = ::openat(fd, name.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (child < 0) {
                const int err = errno;
                if (callbacks.error)
                    callbacks.error(
                        path, QStringLiteral("folder cannot be read: %1").arg(errnoText(err)));
                if (callbacks.skippedFolder)
                    callbacks.skippedFolder(path);
                continue;
            }
            if (!walkFolder(child, path, root, depth + 1, callbacks)) {
                go = false;
                break;
            }
            continue;
        }
        path += entry.key;
        struct stat st;
        if (::fstatat(fd, entry.key.constData(), &st, 0) != 0) {
            const int err = errno;
            if (callbacks.error)
                callbacks.error(path, QStringLiteral("cannot be read: %1").arg(errnoText(err)));
            continue;
        }
        WalkedFile f;
        f.path = path;
        f.root = root;
        f.size = st.st_size;
        f.mtimeUs = qint64(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
        f.device = quint64(st.st_dev);
        f.inode = quint64(st.st_ino);
        f.kind = entry.kind;
        if (!callbacks.file(f)) {
            go = false;
            break;
        }
    }
    path.resize(base);
    ::closedir(dir);
    m_stack.removeLast();
    return go;
}

} // namespace Revenge
