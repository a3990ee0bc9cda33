#pragma once

#include <QRandomGenerator>
#include <chrono>
#include <cmath>

namespace Revenge::RetryPolicy {

// River's backoff: attempt^4 seconds with +-10% jitter (1 s, 16 s, 81 s, 4 min, ... ~4.5 days at
// 25).
inline std::chrono::milliseconds delay(int attempt, double jitterUnit /* -1..1 */)
{
    const double base = std::pow(double(std::max(1, attempt)), 4.0) * 1000.0;
    return std::chrono::milliseconds(qint64(base * (1.0 + 0.1 * jitterUnit)));
}

inline std::chrono::milliseconds delay(int attempt)
{
    return delay(attempt, QRandomGenerator::global()->generateDouble() * 2.0 - 1.0);
}

} // namespace Revenge::RetryPolicy
