#include "TestRedis.h"

#include "TestEnvironment.h"

namespace Revenge::Test {

TestRedis::TestRedis(bool requirePassword)
    : m_dir(makeTempDir(QStringLiteral("revenge-redis")))
    , m_secrets(std::make_unique<FileSecretStore>(m_dir->path() + QStringLiteral("/secrets.json")))
{
    CacheService::Options options;
    options.baseDir = m_dir->path() + QStringLiteral("/cache");
    options.program = QStringLiteral("redis-server"); // tests pin the reference server
    options.requirePassword = requirePassword;
    m_service = std::make_unique<CacheService>(options, m_secrets.get());
}

TestRedis::~TestRedis()
{
    stop();
}

bool TestRedis::start(QString *error, int timeoutMs)
{
    return m_service->startAndWait(timeoutMs, error);
}

void TestRedis::stop()
{
    if (m_service)
        m_service->stop(10000);
}

} // namespace Revenge::Test
