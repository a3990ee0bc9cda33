#pragma once

#include "ManagedService.h"
#include "cache/RedisConnection.h"

namespace Revenge {

class SecretStore;

// A private cache server bound to loopback: `dragonfly` when it is on PATH, else `redis-server`.
// Nothing is persisted (the cache only holds what PostgreSQL can rebuild); a generated password
// kept in the secret store keeps other local users out.
class CacheService : public ManagedService
{
    Q_OBJECT

public:
    struct Options
    {
        QString baseDir;
        QString program;           // empty: dragonfly, else redis-server, from PATH
        quint16 preferredPort = 0; // 0: keep the last port, else a free one
        bool requirePassword = true;
    };

    CacheService(Options options, SecretStore *secrets, QObject *parent = nullptr);
    ~CacheService() override;

    static QString findProgram();
    RedisEndpoint endpoint() const;
    quint16 port() const { return m_port; }

    static constexpr const char *kPasswordKey = "managed.cache.password";

protected:
    bool prepare(QString *error) override;
    QString program() const override { return m_program; }
    QStringList arguments() const override;
    bool probe() override;
    bool afterReady(QString *error) override;
    QString logFile() const override;
    std::optional<ServiceUser> runAs() const override { return m_user; }

private:
    std::optional<ServiceUser> m_user;
    Options m_options;
    SecretStore *m_secrets;
    QString m_program;
    quint16 m_port = 0;
    QString m_password;
};

} // namespace Revenge
