#include "PgQuery.h"

#include <QSet>
#include <QSqlDriver>
#include <QVariant>
#include <libpq-fe.h>
#include <vector>

namespace Revenge {

void PgResult::Deleter::operator()(pg_result *r) const
{
    PQclear(r);
}

PgResult::PgResult(pg_result *result, QString error)
    : m_result(result, Deleter())
    , m_error(std::move(error))
{
    if (result && !m_error.isEmpty())
        m_sqlState = QString::fromLatin1(PQresultErrorField(result, PG_DIAG_SQLSTATE));
}

int PgResult::rows() const
{
    return m_result ? PQntuples(m_result.get()) : 0;
}
int PgResult::columns() const
{
    return m_result ? PQnfields(m_result.get()) : 0;
}
int PgResult::column(const char *name) const
{
    return m_result ? PQfnumber(m_result.get(), name) : -1;
}
bool PgResult::isNull(int row, int col) const
{
    return !m_result || PQgetisnull(m_result.get(), row, col);
}

QByteArray PgResult::bytes(int row, int col) const
{
    if (isNull(row, col))
        return {};
    return QByteArray(PQgetvalue(m_result.get(), row, col), PQgetlength(m_result.get(), row, col));
}

qint64 PgResult::affected() const
{
    return m_result ? QByteArray(PQcmdTuples(m_result.get())).toLongLong() : 0;
}

pg_conn *pgConnection(const QSqlDatabase &db)
{
    if (!db.isOpen())
        return nullptr;
    const QVariant handle = db.driver()->handle();
    // QPSQL hands out its PGconn; the metatype name is the underlying struct's.
    if (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0)
        return nullptr;
    return *static_cast<PGconn *const *>(handle.data());
}

PgResult pgExec(QSqlDatabase &db, const char *sql, const QList<QByteArray> &params)
{
    PGconn *conn = pgConnection(db);
    if (!conn)
        return PgResult(nullptr, QStringLiteral("not connected to PostgreSQL"));
    std::vector<const char *> values;
    std::vector<int> lengths;
    values.reserve(size_t(params.size()));
    lengths.reserve(size_t(params.size()));
    for (const QByteArray &p : params) {
        values.push_back(p.isNull() ? nullptr : p.constData());
        lengths.push_back(int(p.size()));
    }
    PGresult *result = PQexecParams(conn, sql, int(values.size()), nullptr, values.data(),
                                    lengths.data(), nullptr, 0);
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return PgResult(result, {});
    const QString error =
        QString::fromUtf8(result ? PQresultErrorMessage(result) : PQerrorMessage(conn)).trimmed();
    return PgResult(result, error.isEmpty() ? QStringLiteral("unknown PostgreSQL error") : error);
}

} // namespace Revenge

namespace Revenge {

namespace {
// Statements prepared on each connection of this thread (a connection is used by one thread).
thread_local QHash<const void *, QSet<QByteArray>> t_prepared;

PgResult toResult(PGconn *conn, PGresult *result)
{
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return PgResult(result, {});
    const QString error =
        QString::fromUtf8(result ? PQresultErrorMessage(result) : PQerrorMessage(conn)).trimmed();
    return PgResult(result, error.isEmpty() ? QStringLiteral("unknown PostgreSQL error") : error);
}
} // namespace

PgResult pgExecPrepared(QSqlDatabase &db, const char *name, const QByteArray &sql,
                        const QList<QByteArray> &params)
{
    PGconn *conn = pgConnection(db);
    if (!conn)
        return PgResult(nullptr, QStringLiteral("not connected to PostgreSQL"));
    QSet<QByteArray> &prepared = t_prepared[conn];
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!prepared.contains(name)) {
            PgResult p =
                toResult(conn, PQprepare(conn, name, sql.constData(), int(params.size()), nullptr));
            // "already exists": a new connection at a recycled address, or prepared elsewhere.
            if (!p.ok() && p.sqlState() != QLatin1String("42P05"))
                return p;
            prepared.insert(name);
        }
        std::vector<const char *> values;
        std::vector<int> lengths;
        for (const QByteArray &v : params) {
            values.push_back(v.isNull() ? nullptr : v.constData());
            lengths.push_back(int(v.size()));
        }
        PgResult r = toResult(conn, PQexecPrepared(conn, name, int(values.size()), values.data(),
                                                   lengths.data(), nullptr, 0));
        if (r.ok() || r.sqlState() != QLatin1String("26000")) // 26000: no such prepared statement
            return r;
        prepared.remove(name);
    }
    return PgResult(nullptr, QStringLiteral("cannot prepare %1").arg(QLatin1String(name)));
}

QByteArray pgTextArray(const QList<QByteArray> &values)
{
    QByteArray out;
    out.reserve(values.size() * 48 + 2);
    out += '{';
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        out += '"';
        for (const char c : values.at(i)) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

QByteArray pgTextArray(const QStringList &values)
{
    QList<QByteArray> bytes;
    bytes.reserve(values.size());
    for (const QString &v : values)
        bytes << v.toUtf8();
    return pgTextArray(bytes);
}

QByteArray pgNumberArray(const QList<qint64> &values)
{
    QByteArray out = "{";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        out += QByteArray::number(values.at(i));
    }
    return out + '}';
}

} // namespace Revenge
