#pragma once

#include <QMap>
#include <QString>
#include <QtGlobal>

namespace Revenge {

// The effective configuration after files, ${VAR} substitution, REVENGE_* overrides and the
// secret store have been applied. Plain values: behaviour lives in ConfigLoader.

struct ServerConfig
{
    QString host = QStringLiteral("0.0.0.0");
    quint16 port = 8096;
};

struct DatabaseConfig
{
    bool managed = true;
    QString host = QStringLiteral("localhost");
    quint16 port = 5432;
    QString name = QStringLiteral("revenge");
    QString user = QStringLiteral("revenge");
    QString password;
    int poolSize = 10;
};

struct CacheConfig
{
    bool managed = true;
    QString host = QStringLiteral("localhost");
    quint16 port = 6379;
    QString password;
    int db = 0;
};

// managed search = the PostgreSQL-native engine; otherwise Typesense at host:port.
struct SearchConfig
{
    bool managed = true;
    QString protocol = QStringLiteral("http");
    QString host = QStringLiteral("localhost");
    quint16 port = 8108;
    QString apiKey;
};

struct JobsConfig
{
    int workers = 10;
    QMap<QString, int> queues{
        {QStringLiteral("default"), 5}, {QStringLiteral("high"), 10}, {QStringLiteral("low"), 2}};
    int timeoutSeconds = 60;         // a job kind without its own timeout
    int rescueAfterMinutes = 60;     // running this long: stuck, retried
    int keepCompletedHours = 24 * 7; // the cleaner deletes finished jobs after these
    int keepCancelledHours = 24;
    int keepDiscardedHours = 24 * 30;
};

struct Config
{
    ServerConfig server;
    DatabaseConfig database;
    CacheConfig cache;
    SearchConfig search;
    JobsConfig jobs;
    QString dataDir;    // empty: Paths::defaultDataDir()
    QString sourceFile; // empty: built-in defaults
};

} // namespace Revenge
