#include "CronSchedule.h"

#include <QRegularExpression>
#include <QStringList>
#include <QTimeZone>
#include <array>
#include <bit>

namespace Revenge {

namespace {

enum class Names
{
    None,
    Months,
    Weekdays
};

struct FieldSpec
{
    const char *name;
    int low;
    int high;
    Names names;
};

constexpr std::array<FieldSpec, 5> kFields{{
    {"minute", 0, 59, Names::None},
    {"hour", 0, 23, Names::None},
    {"day-of-month", 1, 31, Names::None},
    {"month", 1, 12, Names::Months},
    {"day-of-week", 0, 7, Names::Weekdays},
}};

constexpr std::array<const char *, 12> kMonthNames{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char *, 7> kWeekdayNames{"SUN", "MON", "TUE", "WED",
                                                    "THU", "FRI", "SAT"};

struct Macro
{
    const char *name;
    const char *fields;
};

constexpr std::array<Macro, 7> kMacros{{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

struct Field
{
    quint64 bits = 0;
    bool star = false; // begins with '*': unrestricted for the day-matching rule
};

bool isDigits(const QString &text)
{
    if (text.isEmpty())
        return false;
    for (QChar c : text)
        if (c < u'0' || c > u'9')
            return false;
    return true;
}

QString fieldError(const FieldSpec &spec, const QString &message)
{
    return QLatin1String(spec.name) + QLatin1String(": ") + message;
}

// One value of a field: a number in range, or a name where the field has names.
std::optional<int> parseValue(const QString &token, const QString &element, const FieldSpec &spec,
                              QString *error)
{
    if (token.isEmpty()) {
        *error = fieldError(spec, QStringLiteral("missing value in '%1'").arg(element));
        return std::nullopt;
    }
    if (isDigits(token)) {
        bool ok = false;
        const int value = token.toInt(&ok);
        if (!ok || value < spec.low || value > spec.high) {
            *error = fieldError(
                spec,
                QStringLiteral("%1 is out of range %2-%3").arg(token).arg(spec.low).arg(spec.high));
            return std::nullopt;
        }
        return value;
    }
    const QString upper = token.toUpper();
    switch (spec.names) {
    case Names::Months:
        for (int i = 0; i < int(kMonthNames.size()); ++i)
            if (upper == QLatin1String(kMonthNames[i]))
                return i + 1;
        *error = fieldError(spec, QStringLiteral("'%1' is not a month name").arg(token));
        return std::nullopt;
    case Names::Weekdays:
        for (int i = 0; i < int(kWeekdayNames.size()); ++i)
            if (upper == QLatin1String(kWeekdayNames[i]))
                return i;
        *error = fieldError(spec, QStringLiteral("'%1' is not a weekday name").arg(token));
        return std::nullopt;
    case Names::None:
        break;
    }
    *error = fieldError(spec, QStringLiteral("'%1' is not a number").arg(token));
    return std::nullopt;
}

std::optional<Field> parseField(const QString &text, const FieldSpec &spec, QString *error)
{
    Field field;
    // Vixie cron looks only at the first character to decide "unrestricted".
    field.star = text.startsWith(u'*');
    for (const QString &element : text.split(u',')) {
        if (element.isEmpty()) {
            *error = fieldError(spec, QStringLiteral("empty list element in '%1'").arg(text));
            return std::nullopt;
        }
        QString range = element;
        int step = 1;
        const qsizetype slash = element.indexOf(u'/');
        if (slash >= 0) {
            const QString stepText = element.mid(slash + 1);
            bool ok = false;
            step = isDigits(stepText) ? stepText.toInt(&ok) : 0;
            if (!ok || step < 1) {
                *error = fieldError(
                    spec, QStringLiteral("step '%1' must be a positive number").arg(stepText));
                return std::nullopt;
            }
            range = element.left(slash);
        }

        int low = 0;
        int high = 0;
        if (range == QLatin1String("*")) {
            low = spec.low;
            // 7 is only an alias of Sunday; stepping over 0-6 gives the same days without it.
            high = spec.names == Names::Weekdays ? 6 : spec.high;
        } else if (const qsizetype dash = range.indexOf(u'-'); dash >= 0) {
            const auto first = parseValue(range.left(dash), element, spec, error);
            if (!first)
                return std::nullopt;
            const auto last = parseValue(range.mid(dash + 1), element, spec, error);
            if (!last)
                return std::nullopt;
            low = *first;
            high = *last;
            // "FRI-SUN": SUN as the end of a weekday range means 7, not 0.
            if (spec.names == Names::Weekdays && high == 0 && low > 0)
                high = 7;
            if (low > high) {
                *error = fieldError(spec, QStringLiteral("range '%1' runs backwards").arg(range));
                return std::nullopt;
            }
        } else {
            if (slash >= 0) {
                // Vixie cron has no "a/n"; other crons read it differently, so refuse it.
                *error = fieldError(
                    spec, QStringLiteral("step in '%1' needs a range or '*'").arg(element));
                return std::nullopt;
            }
            const auto value = parseValue(range, element, spec, error);
            if (!value)
                return std::nullopt;
            low = high = *value;
        }
        for (qint64 v = low; v <= high; v += step) // 64-bit: a step may be up to INT_MAX
            field.bits |= quint64(1) << v;
    }
    if (spec.names == Names::Weekdays && (field.bits & (quint64(1) << 7))) {
        field.bits &= ~(quint64(1) << 7);
        field.bits |= 1;
    }
    return field;
}

// Bits 1..n set: the days a month of n days has.
constexpr quint64 daysMask(int n)
{
    return ((quint64(1) << (n + 1)) - 1) & ~quint64(1);
}

int daysInMonth(int year, int month)
{
    static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && QDate::isLeapYear(year) ? 29 : kDays[month - 1];
}

// The lowest set bit at or above `from`, or -1.
int nextBit(quint64 bits, int from)
{
    if (from >= 64)
        return -1;
    const quint64 rest = bits & (~quint64(0) << from);
    return rest ? std::countr_zero(rest) : -1;
}

// Maps wall-clock times to instants in the spec of a reference QDateTime. Done by hand rather
// than with QDateTime(date, time, zone): Qt 6.4 resolves a repeated hour to its second pass (we
// want the first), and how Qt resolves DST gaps and overlaps changed again in 6.7.
class WallClock
{
public:
    explicit WallClock(const QDateTime &reference)
        : m_spec(reference.timeSpec())
        , m_fixedOffset(reference.offsetFromUtc())
        , m_zone(m_spec == Qt::TimeZone ? reference.timeZone() : QTimeZone())
    {}

    // The first instant showing date/time on the wall clock; invalid inside a DST gap.
    QDateTime resolve(QDate date, QTime time) const
    {
        const qint64 naive = QDateTime(date, time, Qt::UTC).toMSecsSinceEpoch();
        if (m_spec == Qt::UTC || m_spec == Qt::OffsetFromUTC)
            return at(naive - qint64(m_fixedOffset) * 1000);

        // A wall time t is shown at the instant t - o for each offset o in force around it
        // that is still in force at t - o. Transitions are far more than a day apart.
        constexpr qint64 kDayMs = 24 * 3600 * 1000;
        std::optional<qint64> first;
        for (qint64 probe : {naive - kDayMs, naive, naive + kDayMs}) {
            const int offset = offsetAt(probe);
            const qint64 instant = naive - qint64(offset) * 1000;
            if (offsetAt(instant) == offset && (!first || instant < *first))
                first = instant;
        }
        return first ? at(*first) : QDateTime();
    }

private:
    QDateTime at(qint64 ms) const
    {
        switch (m_spec) {
        case Qt::TimeZone:
            return QDateTime::fromMSecsSinceEpoch(ms, m_zone);
        case Qt::LocalTime:
            return QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime);
        case Qt::OffsetFromUTC:
            return QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, m_fixedOffset);
        case Qt::UTC:
            break;
        }
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    }

    int offsetAt(qint64 ms) const
    {
        if (m_spec == Qt::TimeZone)
            return m_zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
        return at(ms).offsetFromUtc();
    }

    Qt::TimeSpec m_spec;
    int m_fixedOffset;
    QTimeZone m_zone;
};

} // namespace

std::optional<CronSchedule> CronSchedule::parse(const QString &expression, QString *error)
{
    QString ignored;
    QString &message = error ? *error : ignored;

    const QString trimmed = expression.trimmed();
    if (trimmed.isEmpty()) {
        message = QStringLiteral("empty expression");
        return std::nullopt;
    }

    QStringList fields = trimmed.split(QRegularExpression(QStringLiteral("\\s+")));
    if (fields.first().startsWith(u'@')) {
        const QString name = fields.first().toLower();
        const Macro *macro = nullptr;
        for (const Macro &m : kMacros)
            if (name == QLatin1String(m.name))
                macro = &m;
        if (!macro) {
            message = QStringLiteral("unknown macro '%1'").arg(fields.first());
            return std::nullopt;
        }
        if (fields.size() > 1) {
            message = QStringLiteral("unexpected text after '%1'").arg(fields.first());
            return std::nullopt;
        }
        fields = QString::fromLatin1(macro->fields).split(u' ');
    }
    if (fields.size() != int(kFields.size())) {
        message =
            QStringLiteral("expected %1 fields, got %2").arg(kFields.size()).arg(fields.size());
        return std::nullopt;
    }

    std::array<Field, 5> parsed;
    for (size_t i = 0; i < kFields.size(); ++i) {
        const auto field = parseField(fields[int(i)], kFields[i], &message);
        if (!field)
            return std::nullopt;
        parsed[i] = *field;
    }

    CronSchedule schedule;
    schedule.m_expression = trimmed;
    schedule.m_minutes = parsed[0].bits;
    schedule.m_hours = parsed[1].bits;
    schedule.m_daysOfMonth = parsed[2].bits;
    schedule.m_months = parsed[3].bits;
    schedule.m_daysOfWeek = parsed[4].bits;
    schedule.m_eitherDay = !parsed[2].star && !parsed[4].star;

    // Rejecting impossible schedules here keeps next() from searching centuries for nothing.
    // Under the OR rule every weekday occurs in every month, so only the AND rule can fail, and
    // then only by day-of-month: each existing month/day (Feb 29 included) falls on every
    // weekday within one 400-year cycle.
    if (!schedule.m_eitherDay) {
        bool possible = false;
        for (int month = 1; month <= 12 && !possible; ++month)
            if (schedule.m_months & (quint64(1) << month)) // 2000: leap, so February has 29
                possible = schedule.m_daysOfMonth & daysMask(daysInMonth(2000, month));
        if (!possible) {
            message =
                QStringLiteral("never matches: day-of-month '%1' does not occur in month '%2'")
                    .arg(fields[2], fields[3]);
            return std::nullopt;
        }
    }
    return schedule;
}

bool CronSchedule::dayMatches(int day, int weekday) const
{
    const bool dom = m_daysOfMonth & (quint64(1) << day);
    const bool dow = m_daysOfWeek & (quint64(1) << weekday);
    return m_eitherDay ? (dom || dow) : (dom && dow);
}

bool CronSchedule::matches(const QDateTime &at) const
{
    if (!at.isValid())
        return false;
    const QDate date = at.date();
    const QTime time = at.time();
    return (m_minutes & (quint64(1) << time.minute())) && (m_hours & (quint64(1) << time.hour())) &&
           (m_months & (quint64(1) << date.month())) &&
           dayMatches(date.day(), date.dayOfWeek() % 7);
}

QDateTime CronSchedule::next(const QDateTime &after) const
{
    if (!after.isValid())
        return {};
    const WallClock clock(after);
    const qint64 afterMs = after.toMSecsSinceEpoch();

    // Search wall-clock minutes from the one after `after`'s; seconds do not count.
    const QTime t = after.time();
    const QDateTime start =
        QDateTime(after.date(), QTime(t.hour(), t.minute()), Qt::UTC).addSecs(60);
    const QDate startDate = start.date();
    const int startHour = start.time().hour();
    const int startMinute = start.time().minute();

    // Walk months, then days, then the set bits of hours and minutes, so a sparse schedule costs
    // a few dozen steps per year instead of half a million minutes. 400 Gregorian years are a
    // whole number of weeks, so the calendar repeats after them: no match there means none ever.
    const int lastYear = startDate.year() + 400;
    for (int year = startDate.year(); year <= lastYear; ++year) {
        if (year == 0) // QDate has no year 0
            continue;
        const bool startYear = year == startDate.year();
        for (int month = startYear ? startDate.month() : 1; month <= 12; ++month) {
            if (!(m_months & (quint64(1) << month)))
                continue;
            const bool startMonth = startYear && month == startDate.month();
            int day = startMonth ? startDate.day() : 1;
            int weekday = QDate(year, month, day).dayOfWeek() % 7;
            for (const int days = daysInMonth(year, month); day <= days;
                 ++day, weekday = (weekday + 1) % 7) {
                if (!dayMatches(day, weekday))
                    continue;
                const bool startDay = startMonth && day == startDate.day();
                for (int hour = nextBit(m_hours, startDay ? startHour : 0); hour >= 0;
                     hour = nextBit(m_hours, hour + 1)) {
                    const bool startHourNow = startDay && hour == startHour;
                    for (int minute = nextBit(m_minutes, startHourNow ? startMinute : 0);
                         minute >= 0; minute = nextBit(m_minutes, minute + 1)) {
                        const QDateTime at =
                            clock.resolve(QDate(year, month, day), QTime(hour, minute));
                        // Invalid: skipped by a DST gap. Not after `after`: `after` is in the
                        // second pass of a repeated hour, and this time fired in the first.
                        if (at.isValid() && at.toMSecsSinceEpoch() > afterMs)
                            return at;
                    }
                }
            }
        }
    }
    return {};
}

} // namespace Revenge
