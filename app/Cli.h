#pragma once

#include <QStringList>

namespace Revenge {
struct Config;
class SecretStore;
} // namespace Revenge

// `revenge config check`, `revenge migrate status|up`, `revenge secret get|set|delete KEY`,
// `revenge jobs list|stats|cancel ID|retry ID`, `revenge search reindex|query`,
// `revenge library list|add|remove|scan|scans`, `revenge tasks list|run`, `revenge identify`.
// Each returns the process exit code: 0 success, 1 failure, 2 bad usage or configuration.
namespace Cli {

struct Options
{
    QString configPath;
    QString dataDir;
    bool json = false;
    // jobs list filters
    QString state;
    QString queue;
    QString kind;
    int limit = 50;
    // library add
    QString type;
    // library scan
    bool full = false; // re-identify every file
    bool now = false;  // scan in this process instead of queueing a job
};

// The "Commands:" part of `revenge --help`.
QString helpText();

bool isCommand(const QString &word);
int run(const QStringList &positional, const Options &options);

} // namespace Cli
