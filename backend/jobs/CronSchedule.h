#pragma once

#include <QDateTime>
#include <QString>
#include <QtGlobal>
#include <optional>

namespace Revenge {

// When a periodic job is due: a standard five-field cron expression
//   minute hour day-of-month month day-of-week
// with `*`, numbers, lists `a,b`, ranges `a-b`, steps `*/n` and `a-b/n`, month names JAN-DEC,
// weekday names SUN-SAT (case-insensitive; day-of-week 0 and 7 are both Sunday), and the macros
// @yearly/@annually, @monthly, @weekly, @daily/@midnight and @hourly.
//
// Day matching follows Vixie cron exactly: when both day fields are restricted, a day matches if
// EITHER matches ("0 0 13 * FRI" = every 13th and every Friday). As in Vixie cron, a field that
// begins with `*` counts as unrestricted, so "0 0 */2 * MON" means odd days that are Mondays.
//
// Schedules that can never fire ("0 0 30 2 *") are rejected by parse(), so next() on a parsed
// schedule always finds a match unless the calendar runs out (see next()).
class CronSchedule
{
public:
    // Returns nullopt for a malformed or never-matching expression and then sets *error (when
    // given) to a message naming the field and value, e.g. "minute: 61 is out of range 0-59".
    static std::optional<CronSchedule> parse(const QString &expression, QString *error = nullptr);

    // The first matching minute strictly after `after` (its seconds are dropped), as wall-clock
    // time in the time zone/spec of `after` and returned in that spec. Wall-clock times skipped
    // by a DST gap do not fire; times repeated by a DST overlap fire once, on their first pass.
    // Invalid `after`, or no match within 400 years (one full Gregorian cycle: only possible
    // near the end of QDateTime's range or through pathological zone rules), gives an invalid
    // QDateTime.
    QDateTime next(const QDateTime &after) const;

    // Whether the wall-clock minute of `at` (in its own spec) matches; seconds are ignored.
    bool matches(const QDateTime &at) const;

    // The expression as given to parse(), trimmed.
    QString expression() const { return m_expression; }

private:
    CronSchedule() = default;
    bool dayMatches(int day, int weekday) const;

    QString m_expression;
    quint64 m_minutes = 0;     // bit n: minute n
    quint64 m_hours = 0;       // bit n: hour n
    quint64 m_daysOfMonth = 0; // bits 1-31
    quint64 m_months = 0;      // bits 1-12
    quint64 m_daysOfWeek = 0;  // bits 0-6, Sunday = 0
    bool m_eitherDay = false;  // both day fields restricted: Vixie's OR rule
};

} // namespace Revenge
