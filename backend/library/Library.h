#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <chrono>
#include <optional>

namespace Revenge {

// One row of shared.libraries.
struct Library
{
    QString id;
    QString name;
    QString type; // movies, tvshows, music, mixed, adult
    QStringList paths;
    bool enabled = true;
    bool isAdult() const { return type == QLatin1String("adult"); }
    // Where its files and items live: "c" for adult libraries, else "media".
    QString schema() const { return isAdult() ? QStringLiteral("c") : QStringLiteral("media"); }
    std::optional<std::chrono::seconds> scanInterval;
    QDateTime lastScanAt;
    QDateTime createdAt;

    QJsonObject toJson() const;
};

// One row of shared.library_scans.
struct LibraryScan
{
    qint64 id = 0;
    QString libraryId;
    QString status; // running, completed, failed, cancelled
    QString phase;
    QDateTime startedAt;
    QDateTime finishedAt;
    qint64 scanned = 0, added = 0, updated = 0, removed = 0, moved = 0, errors = 0;
    qint64 durationMs = 0;
    QString error;
    QJsonArray errorSamples; // [{path, error}]
    qint64 jobId = 0;

    QJsonObject toJson() const;
};

} // namespace Revenge
