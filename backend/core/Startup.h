#pragma once

#include "ConfigLoader.h"
#include "SecretStore.h"

#include <memory>

namespace Revenge {

// What every entry point (server, CLI) needs first: the configuration, the data directory and the
// secret store, resolved in the one order that works (the data dir may come from the config; the
// secret store lives in the data dir; secrets complete the config).
struct Startup
{
    ConfigLoader::Result loaded;
    QString dataDir;
    std::unique_ptr<SecretStore> secrets;

    static Startup load(const QString &configPath, const QString &dataDirOverride,
                        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
};

} // namespace Revenge
