#pragma once

#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class SessionStore;

// Deletes sessions that expired (or were revoked) more than a day ago. Periodic, hourly.
class SessionCleanupWorker : public JobWorker
{
public:
    explicit SessionCleanupWorker(std::shared_ptr<SessionStore> sessions);
    QString kind() const override { return QStringLiteral("sessions.cleanup"); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<SessionStore> m_sessions;
};

} // namespace Revenge
