#pragma once

#include <QStringList>

namespace Revenge {
struct Config;
class SecretStore;
} // namespace Revenge

// `revenge config check`, `revenge migrate status|up`, `revenge secret get|set|delete KEY`.
// Each returns the process exit code: 0 success, 1 failure, 2 bad usage or configuration.
namespace Cli {

bool isCommand(const QString &word);
int run(const QStringList &positional, const QString &configPath, const QString &dataDirOverride);

} // namespace Cli
