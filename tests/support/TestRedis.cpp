#include "TestRedis.h"

#include "TestEnvironment.h"

#include <QEventLoop>
#include <QTimer>

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
    QEventLoop loop;
    QString failure;
    bool ready = false;
    auto c1 = QObject::connect(m_service.get(), &ManagedService::ready, &loop, [&] {
        ready = true;
        loop.quit();
    });
    auto c2 = QObject::connect(m_service.get(), &ManagedService::startFailed, &loop,
                               [&](const QString &e) {
                                   failure = e;
                                   loop.quit();
                               });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    m_service->start();
    loop.exec();
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    if (!ready && error)
        *error = failure.isEmpty() ? QStringLiteral("redis-server did not start in time") : failure;
    return ready;
}

void TestRedis::stop()
{
    if (m_service)
        m_service->stop(10000);
}

} // namespace Revenge::Test
