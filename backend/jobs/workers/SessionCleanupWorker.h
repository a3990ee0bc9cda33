#pragma once

#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class DatabasePool;

// Deletes sessions that expired (or were revoked) more than a day ago. Periodic, hourly.
class SessionCleanupWorker : public JobWorker
{
public:
    explicit SessionCleanupWorker(std::shared_ptr<DatabasePool> pool);
    QString kind() const override { return QStringLiteral("sessions.cleanup"); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<DatabasePool> m_pool;
};

} // namespace Revenge
