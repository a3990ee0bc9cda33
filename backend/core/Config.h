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

// Library scanning and folder watching.
struct LibraryConfig
{
    bool watch = false;            // rescan a library shortly after its folders change
    int watchDebounceSeconds = 10; // quiet time after the last change before the scan
    int scanTimeoutMinutes = 360;  // a library.scan running longer is cancelled and retried
};

// Remote metadata (TMDb-style API). provider "none" turns remote fetching off.
struct MetadataConfig
{
    QString provider = QStringLiteral("tmdb");
    QString baseUrl = QStringLiteral("https://api.themoviedb.org/3");
    QString imageBaseUrl = QStringLiteral("https://image.tmdb.org/t/p/original");
    QString apiKey; // secret store key metadata.api_key; empty: no remote fetching
    QString language = QStringLiteral("en-US");
    int requestsPerSecond = 4;
    int burst = 10;
    int cacheHours = 24;
};

struct ImagesConfig
{
    int maxDownloadMb = 20;   // larger downloads are refused
    int thumbnailWidth = 320; // pixels
    int cacheMaxMb = 4096;    // images.trim deletes unreferenced, then oldest-used, above this
};

// Scheduled tasks: "off", an interval ("30m", "6h", "1d") or a cron expression ("@daily",
// "0 3 * * *").
struct TasksConfig
{
    QString libraryScan = QStringLiteral("@daily");
    QString metadataRefresh = QStringLiteral("@daily");
    QString sessionCleanup = QStringLiteral("1h");
    QString imageTrim = QStringLiteral("@weekly");
};

struct Config
{
    ServerConfig server;
    DatabaseConfig database;
    CacheConfig cache;
    SearchConfig search;
    JobsConfig jobs;
    LibraryConfig library;
    MetadataConfig metadata;
    ImagesConfig images;
    TasksConfig tasks;
    QString dataDir;    // empty: Paths::defaultDataDir()
    QString sourceFile; // empty: built-in defaults
};

} // namespace Revenge
