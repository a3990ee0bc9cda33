#include "JobWorker.h"

namespace Revenge {

JobContext::JobContext(Job job, std::shared_ptr<CancellationToken> token, ProgressSink sink)
    : m_job(std::move(job))
    , m_token(std::move(token))
    , m_sink(std::move(sink))
{}

void JobContext::reportProgress(const QString &phase, qint64 current, qint64 total,
                                const QString &message)
{
    if (m_sink)
        m_sink({m_job.id, m_job.kind, m_job.queue, phase, current, total, message});
}

} // namespace Revenge
