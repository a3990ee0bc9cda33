#pragma once

// Small helpers the benchmark programs share: printing figures, percentiles, a work folder, a
// private PostgreSQL (BenchSupport.cpp, in the revenge_benchsupport library).

#include <QDir>
#include <QFile>
#include <QList>
#include <QString>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <memory>

namespace Revenge {
class DatabasePool;
class FileSecretStore;
class PostgresService;
} // namespace Revenge

namespace Revenge::Bench {

// One line to stdout, flushed at once (the last line of a run is its JSON).
inline void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

// Nearest-rank percentile, p in 0..1.
inline double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.at(
        std::min<qsizetype>(values.size() - 1, qsizetype(p * (values.size() - 1) + 0.5)));
}

// A temporary folder the services' unprivileged users can enter (as root PostgreSQL runs as
// postgres). Removed when it goes out of scope.
inline std::unique_ptr<QTemporaryDir> makeWorkDir(const QString &name)
{
    auto dir = std::make_unique<QTemporaryDir>(
        QDir::tempPath() + QStringLiteral("/revenge-bench-") + name + QStringLiteral("-XXXXXX"));
    QFile::setPermissions(dir->path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                           QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                           QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                           QFileDevice::ExeOther);
    return dir;
}

// A private PostgreSQL for one run, with default durability (fsync on) as a user would run it:
// its cluster under <dir>/postgres, its password in <dir>/secrets.json (secrets(), for the other
// services a run starts). Stopped when it goes out of scope.
class BenchPostgres
{
public:
    explicit BenchPostgres(const QString &dir);
    ~BenchPostgres();

    FileSecretStore &secrets() { return *m_secrets; }
    PostgresService &service() { return *m_pg; }

    // Starts the server; false, having said "cannot start PostgreSQL: <why>", when it does not.
    bool start();
    // A pool of `connections` to the application database, migrated to the latest schema;
    // nullptr, having said "migrations: <why>", when migrating fails.
    std::shared_ptr<DatabasePool> migratedPool(int connections = 4);
    // start(), then migratedPool(): nullptr, having said why, when either fails.
    std::shared_ptr<DatabasePool> startMigrated(int connections = 4);

private:
    std::unique_ptr<FileSecretStore> m_secrets; // outlives m_pg, which reads it
    std::unique_ptr<PostgresService> m_pg;
};

} // namespace Revenge::Bench
