#pragma once

#include <QProcessEnvironment>
#include <QString>

namespace Revenge::Paths {

// Where Revenge keeps its data (managed PostgreSQL cluster, cache dump, secrets fallback, logs):
// $REVENGE_DATA_DIR, else $XDG_DATA_HOME/revenge, else ~/.local/share/revenge. As root it is
// /var/lib/revenge (unless REVENGE_DATA_DIR says otherwise): root runs Revenge as a system
// service, and the managed PostgreSQL runs as an unprivileged user that cannot enter /root.
QString defaultDataDir(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

QString logDir(const QString &dataDir);
QString postgresDir(const QString &dataDir);
QString cacheDir(const QString &dataDir);

bool runningAsRoot();

} // namespace Revenge::Paths
