#include "ServiceUser.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Revenge {

namespace {
std::optional<ServiceUser> firstExisting(std::initializer_list<const char *> candidates)
{
    if (::geteuid() != 0)
        return std::nullopt;
    for (const char *candidate : candidates) {
        if (const passwd *pw = ::getpwnam(candidate))
            return ServiceUser{pw->pw_uid, pw->pw_gid, QString::fromLocal8Bit(candidate)};
    }
    return ServiceUser{65534, 65534, QStringLiteral("nobody")};
}
} // namespace

std::optional<ServiceUser> ServiceUser::forPostgres()
{
    return firstExisting({"postgres", "nobody"});
}

std::optional<ServiceUser> ServiceUser::forCache()
{
    return firstExisting({"redis", "nobody"});
}

bool ServiceUser::chownRecursive(const QString &path, QString *error) const
{
    auto one = [&](const QString &p) {
        if (::lchown(QFile::encodeName(p).constData(), uid, gid) != 0) {
            if (error)
                *error = QStringLiteral("cannot give %1 to user %2: %3")
                             .arg(p, name, QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        return true;
    };
    if (!one(path))
        return false;
    QDirIterator it(path, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        if (!one(it.next()))
            return false;
    return true;
}

bool ServiceUser::canTraverse(const QString &path, QString *blocking) const
{
    QString current = QFileInfo(path).absoluteFilePath();
    while (!current.isEmpty() && current != QLatin1String("/")) {
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(current).constData(), &st) == 0) {
            const bool ok = st.st_uid == uid   ? (st.st_mode & S_IXUSR)
                            : st.st_gid == gid ? (st.st_mode & S_IXGRP)
                                               : (st.st_mode & S_IXOTH);
            if (!ok) {
                if (blocking)
                    *blocking = current;
                return false;
            }
        }
        current = QFileInfo(current).absolutePath();
        if (current == QLatin1String("/"))
            break;
    }
    return true;
}

std::function<void()> childModifier(std::optional<ServiceUser> user, int parentDeathSignal)
{
    const pid_t parent = ::getpid();
    return [user, parentDeathSignal, parent] {
        // Only async-signal-safe calls here: we are between fork() and exec().
        ::setpgid(0, 0);
        if (user) {
            ::setgroups(0, nullptr);
            if (::setgid(user->gid) != 0 || ::setuid(user->uid) != 0)
                ::_exit(126);
        }
        // After setuid: changing credentials clears the parent-death signal.
        if (parentDeathSignal)
            ::prctl(PR_SET_PDEATHSIG, parentDeathSignal);
        if (::getppid() != parent)
            ::_exit(125);
    };
}

} // namespace Revenge
