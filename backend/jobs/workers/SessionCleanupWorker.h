#pragma once

#include "jobs/JobWorker.h"

namespace Revenge {

class SessionStore;

// Deletes sessions that expired (or were revoked) more than a day ago. Periodic, hourly.
class SessionCleanupWorker : public JobWorker
{
public:
    explicit SessionCleanupWorker(SessionStore *sessions);
    QString kind() const override { return QStringLiteral("sessions.cleanup"); }
    JobResult work(JobContext &context) override;

private:
    SessionStore *m_sessions;
};

} // namespace Revenge
