#include "Migrator.h"

#include "DatabasePool.h"
#include "core/Logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

namespace Revenge {

namespace {

QString sqlError(const QSqlQuery &q)
{
    return q.lastError().text().trimmed();
}

// Holds the migration lock for the lifetime of the object.
class AdvisoryLock
{
public:
    explicit AdvisoryLock(QSqlDatabase &db)
        : m_db(db)
    {
        QSqlQuery q(m_db);
        m_locked =
            q.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(Migrator::kAdvisoryLockKey));
        if (!m_locked)
            m_error = sqlError(q);
    }
    ~AdvisoryLock()
    {
        if (m_locked) {
            QSqlQuery q(m_db);
            q.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(Migrator::kAdvisoryLockKey));
        }
    }
    bool locked() const { return m_locked; }
    QString error() const { return m_error; }

private:
    QSqlDatabase &m_db;
    bool m_locked = false;
    QString m_error;
};

} // namespace

Migrator::Migrator(QSqlDatabase db, QString directory)
    : m_db(std::move(db))
    , m_directory(std::move(directory))
{}

std::optional<QList<Migrator::Migration>> Migrator::available(QString *error) const
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{4})_([a-z0-9_]+)\\.sql$"));
    QList<Migration> result;
    const QStringList files =
        QDir(m_directory).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString &fileName : files) {
        const auto m = pattern.match(fileName);
        if (!m.hasMatch()) {
            *error = QStringLiteral("migration file %1 is not named NNNN_name.sql").arg(fileName);
            return std::nullopt;
        }
        QFile file(m_directory + QLatin1Char('/') + fileName);
        if (!file.open(QIODevice::ReadOnly)) {
            *error =
                QStringLiteral("cannot read migration %1: %2").arg(fileName, file.errorString());
            return std::nullopt;
        }
        Migration mig;
        mig.version = m.captured(1).toInt();
        mig.name = fileName;
        mig.sql = file.readAll();
        mig.checksum = QCryptographicHash::hash(mig.sql, QCryptographicHash::Sha256).toHex();
        if (!result.isEmpty() && result.last().version == mig.version) {
            *error = QStringLiteral("migrations %1 and %2 share version %3")
                         .arg(result.last().name, fileName)
                         .arg(mig.version);
            return std::nullopt;
        }
        result.append(mig);
    }
    return result;
}

bool Migrator::ensureTable(QString *error)
{
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral("SELECT to_regclass('public.schema_migrations') IS NOT NULL")) &&
        q.next() && q.value(0).toBool())
        return true;
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS public.schema_migrations ("
                               " version integer PRIMARY KEY,"
                               " name text NOT NULL,"
                               " checksum text NOT NULL,"
                               " applied_at timestamptz NOT NULL DEFAULT now(),"
                               " duration_ms integer NOT NULL DEFAULT 0)"))) {
        *error = QStringLiteral("cannot create schema_migrations: %1").arg(sqlError(q));
        return false;
    }
    return true;
}

std::optional<QHash<int, std::pair<QByteArray, QDateTime>>> Migrator::applied(QString *error)
{
    QHash<int, std::pair<QByteArray, QDateTime>> result;
    QSqlQuery q(m_db);
    if (!q.exec(
            QStringLiteral("SELECT version, checksum, applied_at FROM public.schema_migrations"))) {
        *error = QStringLiteral("cannot read schema_migrations: %1").arg(sqlError(q));
        return std::nullopt;
    }
    while (q.next())
        result.insert(q.value(0).toInt(), {q.value(1).toByteArray(), q.value(2).toDateTime()});
    return result;
}

std::optional<QList<Migrator::Status>> Migrator::status(QString *error)
{
    const auto migrations = available(error);
    if (!migrations || !ensureTable(error))
        return std::nullopt;
    const auto done = applied(error);
    if (!done)
        return std::nullopt;
    QList<Status> result;
    for (const Migration &m : *migrations) {
        Status s;
        s.migration = m;
        if (auto it = done->find(m.version); it != done->end()) {
            s.applied = true;
            s.appliedAt = it->second;
            s.checksumMismatch = it->first != m.checksum;
        }
        result.append(s);
    }
    return result;
}

bool Migrator::up(QString *error, int *appliedCount)
{
    if (appliedCount)
        *appliedCount = 0;
    const auto migrations = available(error);
    if (!migrations)
        return false;
    AdvisoryLock lock(m_db);
    if (!lock.locked()) {
        *error = QStringLiteral("cannot take the migration lock: %1").arg(lock.error());
        return false;
    }
    // Read what is applied only once the lock is held: another process may just have finished.
    if (!ensureTable(error))
        return false;
    const auto done = applied(error);
    if (!done)
        return false;

    for (const Migration &m : *migrations) {
        if (auto it = done->find(m.version); it != done->end()) {
            if (it->first != m.checksum) {
                *error = QStringLiteral(
                             "migration %1 was changed after it was applied (recorded checksum %2, "
                             "file now %3); restore the original file or write a new migration")
                             .arg(m.name, QString::fromLatin1(it->first.left(12)),
                                  QString::fromLatin1(m.checksum.left(12)));
                return false;
            }
            continue;
        }
        QElapsedTimer timer;
        timer.start();
        if (!m_db.transaction()) {
            *error = QStringLiteral("cannot begin a transaction: %1").arg(m_db.lastError().text());
            return false;
        }
        QString scriptError;
        if (!DatabasePool::execScript(m_db, m.sql, &scriptError)) {
            *error = QStringLiteral("migration %1 failed and was rolled back: %2")
                         .arg(m.name, scriptError);
            m_db.rollback();
            return false;
        }
        QSqlQuery record(m_db);
        record.prepare(QStringLiteral(
            "INSERT INTO public.schema_migrations (version, name, checksum, duration_ms) "
            "VALUES (?, ?, ?, ?)"));
        record.addBindValue(m.version);
        record.addBindValue(m.name);
        record.addBindValue(QString::fromLatin1(m.checksum));
        record.addBindValue(int(timer.elapsed()));
        if (!record.exec() || !m_db.commit()) {
            *error = QStringLiteral("cannot record migration %1: %2").arg(m.name, sqlError(record));
            m_db.rollback();
            return false;
        }
        qCInfo(lcMigrate).noquote() << "applied" << m.name << "in" << timer.elapsed() << "ms";
        if (appliedCount)
            ++*appliedCount;
    }
    return true;
}

} // namespace Revenge
