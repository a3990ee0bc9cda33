#pragma once

#include "Library.h"
#include "db/PgQuery.h"

#include <QList>
#include <memory>
#include <optional>

namespace Revenge {

class DatabasePool;

// Libraries and their scan history in PostgreSQL. Thread-safe (each call borrows the calling
// thread's pooled connection). Errors name what was wrong ("paths: '/x' is not a directory").
class LibraryRepository
{
public:
    explicit LibraryRepository(std::shared_ptr<DatabasePool> pool);

    // Validates name, type and paths (absolute, existing directories, not nested in each other
    // or in another library of the same schema) and inserts the library.
    std::optional<Library> create(const QString &name, const QString &type,
                                  const QStringList &paths, QString *error = nullptr);
    std::optional<QList<Library>> list(QString *error = nullptr);
    // nullopt with error "not found: <id>" for an unknown (or malformed) id.
    std::optional<Library> get(const QString &id, QString *error = nullptr);
    // By id, or by name (case-insensitive).
    std::optional<Library> find(const QString &idOrName, QString *error = nullptr);
    bool remove(const QString &id, QString *error = nullptr);
    bool setEnabled(const QString &id, bool enabled, QString *error = nullptr);

    std::optional<QList<LibraryScan>> scans(const QString &libraryId, int limit = 20,
                                            QString *error = nullptr);
    std::optional<LibraryScan> scan(qint64 scanId, QString *error = nullptr);

    // Checks without writing: empty when fine, else what is wrong.
    static QString validateType(const QString &type);
    static QString validatePaths(const QStringList &paths);

private:
    // One statement on this thread's pooled connection; nullopt with `error` on failure.
    std::optional<PgResult> run(const QByteArray &sql, const QList<QByteArray> &params,
                                QString *error);
    std::optional<Library> selectOne(const char *column, const QString &value,
                                     const QString &notFoundMessage, QString *error);
    // An UPDATE/DELETE of the library `id` ($1, and `value` as $2 unless null).
    bool changeOne(const QByteArray &sql, const QString &id, const QByteArray &value,
                   QString *error);

    std::shared_ptr<DatabasePool> m_pool;
};

} // namespace Revenge
