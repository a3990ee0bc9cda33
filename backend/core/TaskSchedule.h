#pragma once

#include <QString>
#include <chrono>
#include <optional>

namespace Revenge {

// When a scheduled task runs, as written in tasks.*: "off", an interval ("90s", "30m", "6h",
// "1d", at least one minute) or a cron expression ("@daily", "0 3 * * *", see CronSchedule).
struct TaskSchedule
{
    bool enabled = false;
    std::chrono::seconds interval{0}; // 0: cron
    QString cron;

    // nullopt with `error` naming what is wrong.
    static std::optional<TaskSchedule> parse(const QString &text, QString *error = nullptr);
    QString toString() const;
};

} // namespace Revenge
