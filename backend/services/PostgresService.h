#pragma once

#include "ManagedService.h"
#include "db/ConnectionSettings.h"

namespace Revenge {

class SecretStore;

// A private PostgreSQL cluster under `baseDir` (data/, run/ for the socket, postgres.log, port):
// initdb on first start with the installed binaries, a loopback port of its own, the application
// role and database created with a generated password kept in the secret store.
class PostgresService : public ManagedService
{
    Q_OBJECT

public:
    struct Options
    {
        QString baseDir;
        QString database = QStringLiteral("revenge");
        QString role = QStringLiteral("revenge");
        // Tests trade durability for speed: initdb --no-sync and fsync=off (safe unless the OS
        // crashes).
        bool unsafeFast = false;
        quint16 preferredPort = 0; // 0: keep the last port, else a free one
    };

    PostgresService(Options options, SecretStore *secrets, QObject *parent = nullptr);
    ~PostgresService() override;

    // Where the installed binaries are (initdb, postgres): PG 15 first, then newer/older.
    static QString binDir();

    // How the application connects (TCP on loopback, the role's password). Valid once ready.
    ConnectionSettings connectionSettings() const;
    // How to connect as the cluster superuser over the private socket.
    ConnectionSettings superuserSettings() const;
    QString dataDir() const;
    quint16 port() const { return m_port; }

    static constexpr const char *kPasswordKey = "managed.database.password";

protected:
    bool prepare(QString *error) override;
    QString program() const override;
    QStringList arguments() const override;
    bool probe() override;
    bool afterReady(QString *error) override;
    int stopSignal() const override;
    std::optional<ServiceUser> runAs() const override { return m_user; }
    QString logFile() const override;

private:
    bool initdb(QString *error);
    bool stopOrphan(QString *error);
    bool choosePort(QString *error);
    QString runDir() const;

    Options m_options;
    SecretStore *m_secrets;
    std::optional<ServiceUser> m_user;
    quint16 m_port = 0;
    QString m_password;
};

} // namespace Revenge
