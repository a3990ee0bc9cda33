#pragma once

#include "jobs/Job.h"

#include <QString>
#include <optional>

namespace Revenge {
class DatabasePool;
class JobClient;
} // namespace Revenge

namespace Revenge::Test {

// The first column of the first row of `query` as a number; -1 (and a warning) on failure.
qint64 queryScalar(DatabasePool &pool, const QString &query);

// Polls until job `id` is in `state` (processing events meanwhile); nullopt, with a warning
// naming the state it is in, when it does not get there within timeoutMs.
std::optional<Job> waitForJobState(JobClient &client, qint64 id, JobState state, int timeoutMs);

} // namespace Revenge::Test
