#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <optional>

namespace Revenge {

// Applies migrations/NNNN_name.sql (embedded under :/migrations) in order, each in its own
// transaction, under a PostgreSQL advisory lock so that processes starting together do not race.
// Applied migrations are recorded in public.schema_migrations with a SHA-256 checksum; a file
// changed after it was applied stops start-up.
class Migrator
{
public:
    struct Migration
    {
        int version = 0;
        QString name; // file name, e.g. 0001_shared.sql
        QByteArray sql;
        QByteArray checksum; // hex SHA-256 of sql
    };

    struct Status
    {
        Migration migration;
        bool applied = false;
        QDateTime appliedAt;
        bool checksumMismatch = false;
    };

    explicit Migrator(QSqlDatabase db, QString directory = QStringLiteral(":/migrations"));

    // The migrations found in the directory, sorted; nullopt with an error for a bad file name
    // or a duplicated version.
    std::optional<QList<Migration>> available(QString *error) const;

    std::optional<QList<Status>> status(QString *error);

    // Applies what is pending. Returns false with a clear error on a tampered checksum or a
    // failing migration (which is rolled back whole).
    bool up(QString *error, int *appliedCount = nullptr);

    static constexpr qint64 kAdvisoryLockKey = 0x52455645'4e474531; // "REVENGE1"

private:
    bool ensureTable(QString *error);
    std::optional<QHash<int, std::pair<QByteArray, QDateTime>>> applied(QString *error);

    QSqlDatabase m_db;
    QString m_directory;
};

} // namespace Revenge
