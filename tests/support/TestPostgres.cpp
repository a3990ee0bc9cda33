#include "TestPostgres.h"

#include "TestEnvironment.h"
#include "db/DatabasePool.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace Revenge::Test {

TestPostgres::TestPostgres(quint16 port)
    : m_dir(makeTempDir(QStringLiteral("revenge-pg")))
    , m_secrets(std::make_unique<FileSecretStore>(m_dir->path() + QStringLiteral("/secrets.json")))
{
    PostgresService::Options options;
    options.baseDir = baseDir();
    options.unsafeFast = true;
    options.preferredPort = port;
    m_service = std::make_unique<PostgresService>(options, m_secrets.get());
}

TestPostgres::~TestPostgres()
{
    stop();
}

void TestPostgres::setPassword(const QString &password)
{
    m_secrets->write(QLatin1String(PostgresService::kPasswordKey), password);
}

QString TestPostgres::baseDir() const
{
    return m_dir->path() + QStringLiteral("/postgres");
}

bool TestPostgres::start(QString *error, int timeoutMs)
{
    return m_service->startAndWait(timeoutMs, error);
}

void TestPostgres::stop()
{
    if (m_service)
        m_service->stop(15000);
}

ConnectionSettings TestPostgres::settings() const
{
    return m_service->connectionSettings();
}

ConnectionSettings TestPostgres::superuser() const
{
    return m_service->superuserSettings();
}

ConnectionSettings TestPostgres::createDatabase(const QString &name)
{
    ScopedConnection su(superuser());
    su.exec(QStringLiteral("DROP DATABASE IF EXISTS \"%1\" WITH (FORCE)").arg(name));
    su.exec(QStringLiteral("CREATE DATABASE \"%1\" OWNER revenge TEMPLATE template0").arg(name));
    ConnectionSettings s = settings();
    s.database = name;
    return s;
}

ScopedConnection::ScopedConnection(const ConnectionSettings &settings)
    : m_name(QStringLiteral("test-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
    DatabasePool::configure(m_db, settings);
    if (m_db.open())
        DatabasePool::routeNotices(m_db);
}

ScopedConnection::~ScopedConnection()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_name);
}

QString ScopedConnection::error() const
{
    return m_db.lastError().text();
}

bool ScopedConnection::exec(const QString &sql, QString *error)
{
    QString failure;
    if (DatabasePool::execScript(m_db, sql.toUtf8(), &failure))
        return true;
    if (error)
        *error = failure;
    else
        qWarning().noquote() << "SQL failed:" << sql << "->" << failure;
    return false;
}

QVariant ScopedConnection::scalar(const QString &sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql) || !q.next()) {
        qWarning().noquote() << "SQL failed:" << sql << "->" << q.lastError().text();
        return {};
    }
    return q.value(0);
}

} // namespace Revenge::Test
