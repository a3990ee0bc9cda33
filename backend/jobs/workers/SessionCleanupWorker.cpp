#include "SessionCleanupWorker.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

namespace Revenge {

SessionCleanupWorker::SessionCleanupWorker(std::shared_ptr<DatabasePool> pool)
    : m_pool(std::move(pool))
{}

JobResult SessionCleanupWorker::work(JobContext &context)
{
    QString error;
    auto lease = m_pool->acquire(5000, &error);
    if (!lease)
        return JobResult::error(error);
    const PgResult r = pgExec(
        lease->db(), "DELETE FROM shared.sessions WHERE expires_at < now() - interval '1 day' "
                     "OR revoked_at < now() - interval '1 day'");
    if (!r.ok())
        return JobResult::error(r.error());
    context.reportProgress(QStringLiteral("cleanup"), 1, 1,
                           QStringLiteral("%1 session(s) removed").arg(r.affected()));
    if (r.affected())
        qCInfo(lcJobs) << "removed" << r.affected() << "expired session(s)";
    return JobResult::complete();
}

} // namespace Revenge
