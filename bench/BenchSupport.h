#pragma once

// Small helpers the benchmark programs share: printing figures, percentiles, a work folder.

#include <QDir>
#include <QFile>
#include <QList>
#include <QString>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <memory>

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

} // namespace Revenge::Bench
