#include "LibraryRepository.h"

#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTimeZone>
#include <QUuid>

namespace Revenge {

namespace {

const char *kLibraryColumns =
    "id, name, type, paths::text, enabled, extract(epoch FROM scan_interval)::bigint, "
    "(extract(epoch FROM last_scan_at) * 1000)::bigint, "
    "(extract(epoch FROM created_at) * 1000)::bigint";

const char *kScanColumns =
    "id, library_id, status, phase, (extract(epoch FROM started_at) * 1000)::bigint, "
    "(extract(epoch FROM finished_at) * 1000)::bigint, scanned, added, updated, removed, "
    "moved, errors, duration_ms, error, error_samples::text, job_id";

QDateTime timeAt(const PgResult &r, int row, int col)
{
    if (r.isNull(row, col))
        return {};
    // Timestamps are selected as epoch milliseconds: no time zone text to parse.
    return QDateTime::fromMSecsSinceEpoch(r.toInt(row, col), Qt::UTC);
}

// PostgreSQL's text form of text[]: {a,"b c"} with backslash escapes inside quotes.
QStringList parseTextArray(const QString &s)
{
    QStringList out;
    if (s.size() < 2)
        return out;
    QString current;
    bool quoted = false, inQuotes = false, any = false;
    for (int i = 1; i < s.size() - 1; ++i) {
        const QChar c = s.at(i);
        if (inQuotes) {
            if (c == QLatin1Char('\\') && i + 1 < s.size() - 1)
                current += s.at(++i);
            else if (c == QLatin1Char('"'))
                inQuotes = false;
            else
                current += c;
        } else if (c == QLatin1Char('"')) {
            inQuotes = quoted = any = true;
        } else if (c == QLatin1Char(',')) {
            out << current;
            current.clear();
            quoted = false;
        } else {
            current += c;
            any = true;
        }
    }
    if (any || quoted)
        out << current;
    return out;
}

Library libraryFrom(const PgResult &r, int row)
{
    Library l;
    l.id = r.text(row, 0);
    l.name = r.text(row, 1);
    l.type = r.text(row, 2);
    l.paths = parseTextArray(r.text(row, 3));
    l.enabled = r.toBool(row, 4);
    if (!r.isNull(row, 5))
        l.scanInterval = std::chrono::seconds(r.toInt(row, 5));
    l.lastScanAt = timeAt(r, row, 6);
    l.createdAt = timeAt(r, row, 7);
    return l;
}

LibraryScan scanFrom(const PgResult &r, int row)
{
    LibraryScan s;
    s.id = r.toInt(row, 0);
    s.libraryId = r.text(row, 1);
    s.status = r.text(row, 2);
    s.phase = r.text(row, 3);
    s.startedAt = timeAt(r, row, 4);
    s.finishedAt = timeAt(r, row, 5);
    s.scanned = r.toInt(row, 6);
    s.added = r.toInt(row, 7);
    s.updated = r.toInt(row, 8);
    s.removed = r.toInt(row, 9);
    s.moved = r.toInt(row, 10);
    s.errors = r.toInt(row, 11);
    s.durationMs = r.toInt(row, 12);
    s.error = r.text(row, 13);
    s.errorSamples = QJsonDocument::fromJson(r.bytes(row, 14)).array();
    s.jobId = r.toInt(row, 15);
    return s;
}

QString notFound(const QString &libraryId)
{
    return QStringLiteral("not found: library %1").arg(libraryId);
}

bool isUuid(const QString &s)
{
    return !QUuid::fromString(s).isNull();
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

LibraryRepository::LibraryRepository(std::shared_ptr<DatabasePool> pool)
    : m_pool(std::move(pool))
{}

QString LibraryRepository::validateType(const QString &type)
{
    static const QStringList types{QStringLiteral("movies"), QStringLiteral("tvshows"),
                                   QStringLiteral("music"), QStringLiteral("mixed"),
                                   QStringLiteral("adult")};
    if (!types.contains(type))
        return QStringLiteral("type: '%1' is not one of %2")
            .arg(type, types.join(QLatin1String(", ")));
    return {};
}

QString LibraryRepository::validatePaths(const QStringList &paths)
{
    if (paths.isEmpty())
        return QStringLiteral("paths: at least one folder is needed");
    QStringList clean;
    for (const QString &p : paths) {
        if (p.trimmed().isEmpty())
            return QStringLiteral("paths: an empty path was given");
        if (!QDir::isAbsolutePath(p))
            return QStringLiteral("paths: '%1' is not an absolute path").arg(p);
        const QFileInfo info(p);
        if (!info.exists())
            return QStringLiteral("paths: '%1' does not exist").arg(p);
        if (!info.isDir())
            return QStringLiteral("paths: '%1' is not a folder").arg(p);
        if (!info.isReadable())
            return QStringLiteral("paths: '%1' is not readable by this process").arg(p);
        clean << QDir::cleanPath(p);
    }
    for (int i = 0; i < clean.size(); ++i)
        for (int j = 0; j < clean.size(); ++j)
            if (i != j &&
                (clean[i] == clean[j] || clean[j].startsWith(clean[i] + QLatin1Char('/')) ||
                 (clean[i] == QLatin1String("/") && clean[j] != clean[i])))
                return QStringLiteral("paths: '%1' is inside '%2' (give only the outer folder)")
                    .arg(clean[j], clean[i]);
    return {};
}

std::optional<Library> LibraryRepository::create(const QString &name, const QString &type,
                                                 const QStringList &paths, QString *error)
{
    if (name.trimmed().isEmpty()) {
        setError(error, QStringLiteral("name: must not be empty"));
        return std::nullopt;
    }
    if (name.size() > 200) {
        setError(error, QStringLiteral("name: longer than 200 characters"));
        return std::nullopt;
    }
    if (const QString why = validateType(type); !why.isEmpty()) {
        setError(error, why);
        return std::nullopt;
    }
    if (const QString why = validatePaths(paths); !why.isEmpty()) {
        setError(error, why);
        return std::nullopt;
    }
    QStringList clean;
    for (const QString &p : paths)
        clean << QDir::cleanPath(p);
    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    // Another library of the same schema over the same folders would scan the files twice.
    const PgResult overlap = pgExec(
        lease->db(),
        "SELECT l.name, p, n FROM shared.libraries l, unnest(l.paths) p, unnest($1::text[]) n "
        "WHERE l.is_adult = ($2 = 'adult') AND (p = n OR n LIKE p || '/%' OR p LIKE n || '/%') "
        "LIMIT 1",
        {pgTextArray(clean), type.toUtf8()});
    if (!overlap.ok()) {
        setError(error, overlap.error());
        return std::nullopt;
    }
    if (overlap.rows() > 0) {
        setError(error, QStringLiteral("paths: '%1' overlaps folder '%2' of library '%3'")
                            .arg(overlap.text(0, 2), overlap.text(0, 1), overlap.text(0, 0)));
        return std::nullopt;
    }
    const PgResult r = pgExec(lease->db(),
                              QByteArray("INSERT INTO shared.libraries (name, type, paths) "
                                         "VALUES ($1, $2, $3::text[]) RETURNING ") +
                                  kLibraryColumns,
                              {name.trimmed().toUtf8(), type.toUtf8(), pgTextArray(clean)});
    if (!r.ok()) {
        setError(error,
                 r.sqlState() == QLatin1String("23505")
                     ? QStringLiteral("name: a library named '%1' exists").arg(name.trimmed())
                     : r.error());
        return std::nullopt;
    }
    return libraryFrom(r, 0);
}

std::optional<PgResult> LibraryRepository::run(const QByteArray &sql,
                                               const QList<QByteArray> &params, QString *error)
{
    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    PgResult r = pgExec(lease->db(), sql, params);
    if (!r.ok()) {
        setError(error, r.error());
        return std::nullopt;
    }
    return r;
}

std::optional<QList<Library>> LibraryRepository::list(QString *error)
{
    const auto r =
        run(QByteArray("SELECT ") + kLibraryColumns + " FROM shared.libraries ORDER BY name", {},
            error);
    if (!r)
        return std::nullopt;
    QList<Library> out;
    for (int i = 0; i < r->rows(); ++i)
        out << libraryFrom(*r, i);
    return out;
}

std::optional<Library> LibraryRepository::get(const QString &id, QString *error)
{
    if (!isUuid(id)) {
        setError(error, notFound(id));
        return std::nullopt;
    }
    return selectOne("id", id, notFound(id), error);
}

std::optional<Library> LibraryRepository::find(const QString &idOrName, QString *error)
{
    if (isUuid(idOrName))
        return get(idOrName, error);
    return selectOne("name", idOrName, QStringLiteral("not found: library '%1'").arg(idOrName),
                     error);
}

std::optional<Library> LibraryRepository::selectOne(const char *column, const QString &value,
                                                    const QString &notFoundMessage, QString *error)
{
    const auto r = run(QByteArray("SELECT ") + kLibraryColumns + " FROM shared.libraries WHERE " +
                           column + " = $1",
                       {value.toUtf8()}, error);
    if (!r)
        return std::nullopt;
    if (r->rows() == 0) {
        setError(error, notFoundMessage);
        return std::nullopt;
    }
    return libraryFrom(*r, 0);
}

bool LibraryRepository::remove(const QString &id, QString *error)
{
    return changeOne("DELETE FROM shared.libraries WHERE id = $1", id, {}, error);
}

bool LibraryRepository::setEnabled(const QString &id, bool enabled, QString *error)
{
    return changeOne("UPDATE shared.libraries SET enabled = $2 WHERE id = $1", id,
                     enabled ? "true" : "false", error);
}

bool LibraryRepository::changeOne(const QByteArray &sql, const QString &id, const QByteArray &value,
                                  QString *error)
{
    if (!isUuid(id)) {
        setError(error, notFound(id));
        return false;
    }
    QList<QByteArray> params{id.toUtf8()};
    if (!value.isNull())
        params << value;
    const auto r = run(sql, params, error);
    if (!r)
        return false;
    if (r->affected() == 0) {
        setError(error, notFound(id));
        return false;
    }
    return true;
}

std::optional<QList<LibraryScan>> LibraryRepository::scans(const QString &libraryId, int limit,
                                                           QString *error)
{
    if (!isUuid(libraryId)) {
        setError(error, notFound(libraryId));
        return std::nullopt;
    }
    const auto r = run(QByteArray("SELECT ") + kScanColumns +
                           " FROM shared.library_scans WHERE library_id = $1 "
                           "ORDER BY started_at DESC, id DESC LIMIT $2",
                       {libraryId.toUtf8(), QByteArray::number(qBound(1, limit, 1000))}, error);
    if (!r)
        return std::nullopt;
    QList<LibraryScan> out;
    for (int i = 0; i < r->rows(); ++i)
        out << scanFrom(*r, i);
    return out;
}

std::optional<LibraryScan> LibraryRepository::scan(qint64 scanId, QString *error)
{
    const auto r =
        run(QByteArray("SELECT ") + kScanColumns + " FROM shared.library_scans WHERE id = $1",
            {QByteArray::number(scanId)}, error);
    if (!r)
        return std::nullopt;
    if (r->rows() == 0) {
        setError(error, QStringLiteral("not found: scan %1").arg(scanId));
        return std::nullopt;
    }
    return scanFrom(*r, 0);
}

} // namespace Revenge
