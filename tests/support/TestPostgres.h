#pragma once

#include "core/SecretStore.h"
#include "db/ConnectionSettings.h"
#include "services/PostgresService.h"

#include <QSqlDatabase>
#include <QTemporaryDir>
#include <memory>

namespace Revenge::Test {

// A throwaway PostgreSQL 15 cluster: initdb in a temporary directory, a free loopback port, run as
// an unprivileged user when the tests run as root, fsync off. Built on the same PostgresService
// that runs the managed database, so the harness exercises it too. Stopped and removed on
// destruction.
class TestPostgres
{
public:
    explicit TestPostgres(quint16 port = 0); // 0: any free port
    ~TestPostgres();

    // Fixes the application role's password (before start()); otherwise one is generated.
    void setPassword(const QString &password);

    // Starts the cluster and waits until the application role and database exist.
    bool start(QString *error = nullptr, int timeoutMs = 120000);
    void stop();

    // A fresh, empty database owned by the application role; each test can have its own.
    ConnectionSettings createDatabase(const QString &name);
    ConnectionSettings settings() const; // the default application database
    ConnectionSettings superuser() const;

    PostgresService *service() const { return m_service.get(); }
    QString baseDir() const;

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<PostgresService> m_service;
};

// Opens a one-off connection with a unique name; closed and removed with the returned guard.
class ScopedConnection
{
public:
    explicit ScopedConnection(const ConnectionSettings &settings);
    ~ScopedConnection();
    QSqlDatabase &db() { return m_db; }
    bool isOpen() const { return m_db.isOpen(); }
    QString error() const;
    // Runs one or more statements (simple query protocol); false with the server's error.
    bool exec(const QString &sql, QString *error = nullptr);
    QVariant scalar(const QString &sql);

private:
    QString m_name;
    QSqlDatabase m_db;
};

} // namespace Revenge::Test
