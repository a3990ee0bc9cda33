#include "Paths.h"

#include <QDir>
#include <unistd.h>

namespace Revenge::Paths {

QString defaultDataDir(const QProcessEnvironment &env)
{
    if (const QString dir = env.value(QStringLiteral("REVENGE_DATA_DIR")); !dir.isEmpty())
        return QDir::cleanPath(dir);
    if (runningAsRoot())
        return QStringLiteral("/var/lib/revenge");
    if (const QString xdg = env.value(QStringLiteral("XDG_DATA_HOME")); !xdg.isEmpty())
        return QDir::cleanPath(xdg + QStringLiteral("/revenge"));
    return QDir::cleanPath(env.value(QStringLiteral("HOME"), QDir::homePath()) +
                           QStringLiteral("/.local/share/revenge"));
}

QString logDir(const QString &dataDir)
{
    return dataDir + QStringLiteral("/logs");
}
QString postgresDir(const QString &dataDir)
{
    return dataDir + QStringLiteral("/postgres");
}
QString cacheDir(const QString &dataDir)
{
    return dataDir + QStringLiteral("/cache");
}

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

} // namespace Revenge::Paths
