#include "Startup.h"

#include "Paths.h"

#include <QDir>

namespace Revenge {

Startup Startup::load(const QString &configPath, const QString &dataDirOverride,
                      const QProcessEnvironment &env)
{
    Startup s;
    const ConfigLoader::Result first = ConfigLoader(env).load(configPath);
    s.dataDir = !dataDirOverride.isEmpty()                         ? dataDirOverride
                : env.contains(QStringLiteral("REVENGE_DATA_DIR")) ? Paths::defaultDataDir(env)
                : !first.config.dataDir.isEmpty()                  ? first.config.dataDir
                                                                   : Paths::defaultDataDir(env);
    s.dataDir = QDir::cleanPath(QDir(s.dataDir).absolutePath());
    s.secrets = SecretStore::createDefault(s.dataDir);
    s.loaded = ConfigLoader(env, s.secrets.get()).load(configPath);
    s.loaded.config.dataDir = s.dataDir;
    return s;
}

} // namespace Revenge
