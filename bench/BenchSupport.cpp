#include "BenchSupport.h"

#include "core/SecretStore.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "services/PostgresService.h"

namespace Revenge::Bench {

BenchPostgres::BenchPostgres(const QString &dir)
    : m_secrets(std::make_unique<FileSecretStore>(dir + QStringLiteral("/secrets.json")))
{
    PostgresService::Options options;
    options.baseDir = dir + QStringLiteral("/postgres");
    m_pg = std::make_unique<PostgresService>(options, m_secrets.get());
}

BenchPostgres::~BenchPostgres() = default;

bool BenchPostgres::start()
{
    QString error;
    if (m_pg->startAndWait(m_pg->startTimeoutMs(), &error))
        return true;
    say(QStringLiteral("cannot start PostgreSQL: ") + error);
    return false;
}

std::shared_ptr<DatabasePool> BenchPostgres::migratedPool(int connections)
{
    auto pool = std::make_shared<DatabasePool>(m_pg->connectionSettings(), connections);
    QString error;
    auto lease = pool->acquire(5000, &error);
    if (lease && Migrator(lease->db()).up(&error))
        return pool;
    say(QStringLiteral("migrations: ") + error);
    return nullptr;
}

std::shared_ptr<DatabasePool> BenchPostgres::startMigrated(int connections)
{
    return start() ? migratedPool(connections) : nullptr;
}

} // namespace Revenge::Bench
