#include "Library.h"

#include <QJsonArray>

namespace Revenge {

namespace {
QJsonValue timeOrNull(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}
} // namespace

QJsonObject Library::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("type"), type},
            {QStringLiteral("paths"), QJsonArray::fromStringList(paths)},
            {QStringLiteral("enabled"), enabled},
            {QStringLiteral("scan_interval_seconds"),
             scanInterval ? QJsonValue(qint64(scanInterval->count())) : QJsonValue()},
            {QStringLiteral("last_scan_at"), timeOrNull(lastScanAt)},
            {QStringLiteral("created_at"), timeOrNull(createdAt)}};
}

QJsonObject LibraryScan::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("library_id"), libraryId},
            {QStringLiteral("status"), status},
            {QStringLiteral("phase"), phase.isEmpty() ? QJsonValue() : QJsonValue(phase)},
            {QStringLiteral("started_at"), timeOrNull(startedAt)},
            {QStringLiteral("finished_at"), timeOrNull(finishedAt)},
            {QStringLiteral("scanned"), scanned},
            {QStringLiteral("added"), added},
            {QStringLiteral("updated"), updated},
            {QStringLiteral("removed"), removed},
            {QStringLiteral("moved"), moved},
            {QStringLiteral("errors"), errors},
            {QStringLiteral("duration_ms"), durationMs},
            {QStringLiteral("error"), error.isEmpty() ? QJsonValue() : QJsonValue(error)},
            {QStringLiteral("error_samples"), errorSamples},
            {QStringLiteral("job_id"), jobId ? QJsonValue(jobId) : QJsonValue()}};
}

} // namespace Revenge
