#include "JobTestSupport.h"

#include "TestEnvironment.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"

#include <QDebug>
#include <QJsonDocument>

namespace Revenge::Test {

qint64 queryScalar(DatabasePool &pool, const QString &query)
{
    auto lease = pool.acquire();
    if (!lease)
        return -1;
    const PgResult r = pgExec(lease->db(), query.toUtf8());
    if (!r.ok() || r.rows() == 0) {
        qWarning().noquote() << query << "->" << r.error();
        return -1;
    }
    return r.toInt(0, 0);
}

std::optional<Job> waitForJobState(JobClient &client, qint64 id, JobState state, int timeoutMs)
{
    std::optional<Job> job;
    waitUntil(
        [&] {
            job = client.get(id);
            return job && job->state == state;
        },
        timeoutMs);
    if (job && job->state != state)
        qWarning().noquote() << "job" << id << "is" << jobStateName(job->state) << "not"
                             << jobStateName(state)
                             << QJsonDocument(job->toJson()).toJson(QJsonDocument::Compact);
    return job && job->state == state ? job : std::nullopt;
}

} // namespace Revenge::Test
