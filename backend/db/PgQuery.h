#pragma once

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <memory>

struct pg_result;
struct pg_conn;

namespace Revenge {

// The result of one libpq statement: rows of text values, or an error.
class PgResult
{
public:
    PgResult() = default;
    explicit PgResult(pg_result *result, QString error);

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    // SQLSTATE of the error (e.g. "23505"), empty on success.
    QString sqlState() const { return m_sqlState; }

    int rows() const;
    int columns() const;
    int column(const char *name) const; // -1 when absent
    bool isNull(int row, int col) const;
    QByteArray bytes(int row, int col) const;
    QString text(int row, int col) const { return QString::fromUtf8(bytes(row, col)); }
    qint64 toInt(int row, int col) const { return bytes(row, col).toLongLong(); }
    bool toBool(int row, int col) const { return bytes(row, col) == "t"; }
    // Rows affected by an INSERT/UPDATE/DELETE.
    qint64 affected() const;

private:
    struct Deleter
    {
        void operator()(pg_result *r) const;
    };
    std::shared_ptr<pg_result> m_result;
    QString m_error;
    QString m_sqlState;
};

// The libpq connection under a QPSQL connection, or nullptr when it is not open.
pg_conn *pgConnection(const QSqlDatabase &db);

// Runs one parameterised statement with libpq's extended protocol on a QPSQL connection.
// Used on hot paths (job fetch and completion, bulk inserts) where QPSQL's prepared-statement
// emulation would quote megabytes of JSON into SQL text. A null QByteArray is SQL NULL.
PgResult pgExec(QSqlDatabase &db, const char *sql, const QList<QByteArray> &params = {});
inline PgResult pgExec(QSqlDatabase &db, const QByteArray &sql,
                       const QList<QByteArray> &params = {})
{
    return pgExec(db, sql.constData(), params);
}

// Like pgExec, for statements run often: prepared once per connection under `name` and then
// executed without being parsed and planned again.
PgResult pgExecPrepared(QSqlDatabase &db, const char *name, const QByteArray &sql,
                        const QList<QByteArray> &params);

// Array literals for text[] / bigint[] parameters ('{"a","b \"c\""}', '{1,2}'): every text
// element double-quoted and escaped, so any value round-trips.
QByteArray pgTextArray(const QList<QByteArray> &values);
QByteArray pgTextArray(const QStringList &values);
QByteArray pgNumberArray(const QList<qint64> &values);

} // namespace Revenge
