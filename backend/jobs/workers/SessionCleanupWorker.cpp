#include "SessionCleanupWorker.h"

#include "cache/SessionStore.h"
#include "core/Logging.h"

namespace Revenge {

SessionCleanupWorker::SessionCleanupWorker(std::shared_ptr<SessionStore> sessions)
    : m_sessions(std::move(sessions))
{}

JobResult SessionCleanupWorker::work(JobContext &context)
{
    QString error;
    const int removed = m_sessions->purgeExpired(&error);
    if (removed < 0)
        return JobResult::error(error);
    context.reportProgress(QStringLiteral("cleanup"), 1, 1,
                           QStringLiteral("%1 session(s) removed").arg(removed));
    if (removed)
        qCInfo(lcJobs) << "removed" << removed << "expired session(s)";
    return JobResult::complete();
}

} // namespace Revenge
