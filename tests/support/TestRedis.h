#pragma once

#include "cache/RedisConnection.h"
#include "core/SecretStore.h"
#include "services/CacheService.h"

#include <QTemporaryDir>
#include <memory>

namespace Revenge::Test {

// A throwaway redis-server on a free loopback port in a temporary directory, built on the same
// CacheService that runs the managed cache. Stopped and removed on destruction.
class TestRedis
{
public:
    explicit TestRedis(bool requirePassword = false);
    ~TestRedis();

    bool start(QString *error = nullptr, int timeoutMs = 30000);
    void stop();
    RedisEndpoint endpoint() const { return m_service->endpoint(); }
    CacheService *service() const { return m_service.get(); }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<CacheService> m_service;
};

} // namespace Revenge::Test
