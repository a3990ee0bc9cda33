#pragma once

#include <QString>
#include <functional>
#include <optional>
#include <sys/types.h>

namespace Revenge {

// The account a managed child process runs as. PostgreSQL refuses to run as root, so as root we
// switch to an unprivileged system user (postgres, else nobody).
struct ServiceUser
{
    uid_t uid = 0;
    gid_t gid = 0;
    QString name;

    // The user to run PostgreSQL as: nullopt when we are not root (run as ourselves).
    static std::optional<ServiceUser> forPostgres();
    // The user to run the cache as when we are root: redis (from Debian's package), else nobody.
    static std::optional<ServiceUser> forCache();

    // Gives `path` and everything below it to this user (chown -R).
    bool chownRecursive(const QString &path, QString *error) const;
    // Whether this user can reach `path` (x on every ancestor), with the first blocking folder.
    bool canTraverse(const QString &path, QString *blocking) const;
};

// The QProcess::setChildProcessModifier() body for a supervised child: its own process group
// (a terminal's Ctrl+C must not reach it before we stop it in order), the service user when
// given, and a signal on our death so that a crashed Revenge leaves no orphan behind.
std::function<void()> childModifier(std::optional<ServiceUser> user, int parentDeathSignal);

} // namespace Revenge
