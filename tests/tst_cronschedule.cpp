#include "jobs/CronSchedule.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTest>
#include <QTimeZone>

using namespace Revenge;

namespace {

// "2025-06-15T10:20" or with seconds, read as UTC.
QDateTime utc(const QString &iso)
{
    QDateTime dt = QDateTime::fromString(iso + u'Z', Qt::ISODate);
    Q_ASSERT(dt.isValid());
    return dt;
}

// An ISO date-time with explicit offset, e.g. "2025-10-26T02:10:00+01:00", as Berlin time.
QDateTime berlin(const QString &isoWithOffset)
{
    const QDateTime dt = QDateTime::fromString(isoWithOffset, Qt::ISODate);
    Q_ASSERT(dt.isValid());
    return dt.toTimeZone(QTimeZone("Europe/Berlin"));
}

// Whether the wall-clock time of `at` was already shown an hour earlier (Berlin's DST overlap).
bool isSecondPass(const QDateTime &at)
{
    const QDateTime hourAgo = at.addSecs(-3600);
    return hourAgo.date() == at.date() && hourAgo.time() == at.time();
}

CronSchedule mustParse(const QString &expression)
{
    QString error;
    const auto schedule = CronSchedule::parse(expression, &error);
    if (!schedule)
        qFatal("'%s' did not parse: %s", qPrintable(expression), qPrintable(error));
    return *schedule;
}

// The next `count` occurrences after `after`, each as ISO text with its offset ("...Z" for UTC).
QStringList occurrences(const CronSchedule &schedule, QDateTime after, int count)
{
    QStringList out;
    for (int i = 0; i < count; ++i) {
        after = schedule.next(after);
        out << (after.isValid() ? after.toString(Qt::ISODate) : QStringLiteral("<invalid>"));
        if (!after.isValid())
            break;
    }
    return out;
}

} // namespace

class TestCronSchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nextOccurrences_data();
    void nextOccurrences();
    void macros_data();
    void macros();
    void rejects_data();
    void rejects();
    void possibleDaysAreAccepted_data();
    void possibleDaysAreAccepted();
    void expressionIsKept();
    void nextIsStrictlyAfter_data();
    void nextIsStrictlyAfter();
    void keepsTheSpecOfAfter();
    void invalidAfterGivesInvalid();
    void dstGapIsSkipped();
    void dstOverlapFiresOnce();
    void agreesWithMinuteByMinuteScan_data();
    void agreesWithMinuteByMinuteScan();
    void sparseSchedulesAreFast();
};

void TestCronSchedule::nextOccurrences_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QStringList>("expected");

    // 2025-06-15 is a Sunday.
    const QString sun = QStringLiteral("2025-06-15T10:20:30");

    QTest::newRow("every minute") << "* * * * *" << sun
                                  << QStringList{"2025-06-15T10:21:00Z", "2025-06-15T10:22:00Z",
                                                 "2025-06-15T10:23:00Z"};
    QTest::newRow("number") << "5 * * * *" << sun
                            << QStringList{"2025-06-15T11:05:00Z", "2025-06-15T12:05:00Z"};
    QTest::newRow("list") << "5,35 * * * *" << sun
                          << QStringList{"2025-06-15T10:35:00Z", "2025-06-15T11:05:00Z",
                                         "2025-06-15T11:35:00Z"};
    QTest::newRow("range") << "0 9-11 * * *" << sun
                           << QStringList{"2025-06-15T11:00:00Z", "2025-06-16T09:00:00Z",
                                          "2025-06-16T10:00:00Z"};
    QTest::newRow("star step") << "*/20 * * * *" << sun
                               << QStringList{"2025-06-15T10:40:00Z", "2025-06-15T11:00:00Z",
                                              "2025-06-15T11:20:00Z"};
    QTest::newRow("range step") << "10-30/7 * * * *" << sun
                                << QStringList{"2025-06-15T10:24:00Z", "2025-06-15T11:10:00Z",
                                               "2025-06-15T11:17:00Z", "2025-06-15T11:24:00Z",
                                               "2025-06-15T12:10:00Z"};
    QTest::newRow("hour step across midnight")
        << "0 */6 * * *" << sun
        << QStringList{"2025-06-15T12:00:00Z", "2025-06-15T18:00:00Z", "2025-06-16T00:00:00Z"};
    QTest::newRow("list of range step and number")
        << "0 0-4/2,22 * * *" << sun
        << QStringList{"2025-06-15T22:00:00Z", "2025-06-16T00:00:00Z", "2025-06-16T02:00:00Z",
                       "2025-06-16T04:00:00Z", "2025-06-16T22:00:00Z"};
    QTest::newRow("step larger than range")
        << "*/90 * * * *" << sun << QStringList{"2025-06-15T11:00:00Z"};
    QTest::newRow("huge step") << "5-10/2147483647 * * * *" << sun
                               << QStringList{"2025-06-15T11:05:00Z"};
    QTest::newRow("day-of-month list")
        << "0 0 1,15 * *" << sun
        << QStringList{"2025-07-01T00:00:00Z", "2025-07-15T00:00:00Z", "2025-08-01T00:00:00Z"};
    QTest::newRow("month names, any case")
        << "0 0 1 jan,Jul *" << sun
        << QStringList{"2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z"};
    QTest::newRow("month name range")
        << "0 0 1 MAR-may *" << sun
        << QStringList{"2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z",
                       "2027-03-01T00:00:00Z"};
    QTest::newRow("month step") << "0 0 1 */3 *" << sun
                                << QStringList{"2025-07-01T00:00:00Z", "2025-10-01T00:00:00Z",
                                               "2026-01-01T00:00:00Z"};
    QTest::newRow("month range step")
        << "0 0 1 FEB-DEC/5 *" << sun
        << QStringList{"2025-07-01T00:00:00Z", "2025-12-01T00:00:00Z", "2026-02-01T00:00:00Z"};
    QTest::newRow("weekday name range")
        << "0 8 * * mon-FRI" << sun
        << QStringList{"2025-06-16T08:00:00Z", "2025-06-17T08:00:00Z", "2025-06-18T08:00:00Z",
                       "2025-06-19T08:00:00Z", "2025-06-20T08:00:00Z", "2025-06-23T08:00:00Z"};
    QTest::newRow("weekday name list")
        << "0 0 * * SAT,sun" << sun
        << QStringList{"2025-06-21T00:00:00Z", "2025-06-22T00:00:00Z", "2025-06-28T00:00:00Z"};
    QTest::newRow("sunday is 0") << "0 0 * * 0" << sun
                                 << QStringList{"2025-06-22T00:00:00Z", "2025-06-29T00:00:00Z"};
    QTest::newRow("sunday is 7") << "0 0 * * 7" << sun
                                 << QStringList{"2025-06-22T00:00:00Z", "2025-06-29T00:00:00Z"};
    QTest::newRow("weekday range up to 7")
        << "0 0 * * 5-7" << sun
        << QStringList{"2025-06-20T00:00:00Z", "2025-06-21T00:00:00Z", "2025-06-22T00:00:00Z",
                       "2025-06-27T00:00:00Z"};
    QTest::newRow("weekday range ending in SUN")
        << "0 0 * * FRI-SUN" << sun
        << QStringList{"2025-06-20T00:00:00Z", "2025-06-21T00:00:00Z", "2025-06-22T00:00:00Z",
                       "2025-06-27T00:00:00Z"};
    QTest::newRow("weekday range step")
        << "0 0 * * MON-FRI/2" << sun
        << QStringList{"2025-06-16T00:00:00Z", "2025-06-18T00:00:00Z", "2025-06-20T00:00:00Z",
                       "2025-06-23T00:00:00Z"};
    QTest::newRow("extra whitespace")
        << "  0\t12  * *   * " << sun << QStringList{"2025-06-15T12:00:00Z"};

    // Rollovers.
    QTest::newRow("month and year rollover")
        << "0 0 1 * *"
        << "2025-12-31T23:59:59" << QStringList{"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"};
    QTest::newRow("last minute of the year")
        << "59 23 31 12 *"
        << "2025-12-31T23:59" << QStringList{"2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"};
    QTest::newRow("minute rollover into next day")
        << "*/15 * * * *"
        << "2025-12-31T23:50" << QStringList{"2026-01-01T00:00:00Z", "2026-01-01T00:15:00Z"};
    QTest::newRow("31st skips short months")
        << "0 0 31 * *"
        << "2025-01-31T00:00"
        << QStringList{"2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z",
                       "2025-08-31T00:00:00Z", "2025-10-31T00:00:00Z", "2025-12-31T00:00:00Z",
                       "2026-01-31T00:00:00Z"};
    QTest::newRow("30th skips February")
        << "0 0 30 * *"
        << "2025-01-30T12:00" << QStringList{"2025-03-30T00:00:00Z", "2025-04-30T00:00:00Z"};

    // Leap days, including the Gregorian century rules.
    QTest::newRow("leap day") << "0 0 29 2 *"
                              << "2025-03-01T00:00"
                              << QStringList{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z",
                                             "2036-02-29T00:00:00Z"};
    QTest::newRow("leap day in 2000") << "0 0 29 FEB *"
                                      << "1999-03-01T00:00" << QStringList{"2000-02-29T00:00:00Z"};
    QTest::newRow("no leap day in 2100")
        << "0 0 29 2 *"
        << "2096-03-01T00:00" << QStringList{"2104-02-29T00:00:00Z"};

    // Day-of-month and day-of-week: OR when both are restricted, else AND (Vixie cron).
    QTest::newRow("13th OR friday")
        << "0 0 13 * FRI"
        << "2025-06-01T00:00"
        << QStringList{"2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z",
                       "2025-06-27T00:00:00Z", "2025-07-04T00:00:00Z", "2025-07-11T00:00:00Z",
                       "2025-07-13T00:00:00Z", "2025-07-18T00:00:00Z"};
    QTest::newRow("OR rule with month restriction")
        << "0 0 29 2 MON"
        << "2025-03-01T00:00"
        << QStringList{"2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-16T00:00:00Z",
                       "2026-02-23T00:00:00Z", "2027-02-01T00:00:00Z"};
    QTest::newRow("only day-of-week restricted")
        << "0 0 * * MON" << sun << QStringList{"2025-06-16T00:00:00Z", "2025-06-23T00:00:00Z"};
    QTest::newRow("only day-of-month restricted")
        << "0 0 13 * *" << sun << QStringList{"2025-07-13T00:00:00Z", "2025-08-13T00:00:00Z"};
    QTest::newRow("star-step day-of-month is unrestricted: AND")
        << "0 0 */10 * MON"
        << "2025-01-01T00:00"
        << QStringList{"2025-03-31T00:00:00Z", "2025-04-21T00:00:00Z", "2025-07-21T00:00:00Z",
                       "2025-08-11T00:00:00Z"};
    QTest::newRow("star-step day-of-week is unrestricted: AND")
        << "0 0 29 2 */7"
        << "2000-01-01T00:00"
        << QStringList{"2004-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z",
                       "2088-02-29T00:00:00Z"};
}

void TestCronSchedule::nextOccurrences()
{
    QFETCH(QString, expression);
    QFETCH(QString, after);
    QFETCH(QStringList, expected);

    const CronSchedule schedule = mustParse(expression);
    QCOMPARE(occurrences(schedule, utc(after), int(expected.size())), expected);
    // next() and matches() agree.
    for (const QString &at : expected)
        QVERIFY2(schedule.matches(QDateTime::fromString(at, Qt::ISODate)), qPrintable(at));
}

void TestCronSchedule::macros_data()
{
    QTest::addColumn<QString>("macro");
    QTest::addColumn<QString>("equivalent");
    QTest::addColumn<QString>("expectedNext"); // after 2025-06-15T10:20:30Z, a Sunday

    QTest::newRow("@yearly") << "@yearly"
                             << "0 0 1 1 *"
                             << "2026-01-01T00:00:00Z";
    QTest::newRow("@annually") << "@annually"
                               << "0 0 1 1 *"
                               << "2026-01-01T00:00:00Z";
    QTest::newRow("@monthly") << "@monthly"
                              << "0 0 1 * *"
                              << "2025-07-01T00:00:00Z";
    QTest::newRow("@weekly") << "@weekly"
                             << "0 0 * * 0"
                             << "2025-06-22T00:00:00Z";
    QTest::newRow("@daily") << "@daily"
                            << "0 0 * * *"
                            << "2025-06-16T00:00:00Z";
    QTest::newRow("@midnight") << "@midnight"
                               << "0 0 * * *"
                               << "2025-06-16T00:00:00Z";
    QTest::newRow("@hourly") << "@hourly"
                             << "0 * * * *"
                             << "2025-06-15T11:00:00Z";
    QTest::newRow("case-insensitive") << " @Daily "
                                      << "0 0 * * *"
                                      << "2025-06-16T00:00:00Z";
}

void TestCronSchedule::macros()
{
    QFETCH(QString, macro);
    QFETCH(QString, equivalent);
    QFETCH(QString, expectedNext);

    const CronSchedule schedule = mustParse(macro);
    QCOMPARE(schedule.expression(), macro.trimmed());
    const QDateTime after = utc(QStringLiteral("2025-06-15T10:20:30"));
    QCOMPARE(schedule.next(after).toString(Qt::ISODate), expectedNext);
    QCOMPARE(occurrences(schedule, after, 10), occurrences(mustParse(equivalent), after, 10));
}

void TestCronSchedule::rejects_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << ""
                           << "empty expression";
    QTest::newRow("blank") << "  \t "
                           << "empty expression";
    QTest::newRow("4 fields") << "* * * *"
                              << "expected 5 fields, got 4";
    QTest::newRow("6 fields") << "0 * * * * *"
                              << "expected 5 fields, got 6";

    QTest::newRow("minute too big") << "61 * * * *"
                                    << "minute: 61 is out of range 0-59";
    QTest::newRow("hour too big") << "0 24 * * *"
                                  << "hour: 24 is out of range 0-23";
    QTest::newRow("day 0") << "0 0 0 * *"
                           << "day-of-month: 0 is out of range 1-31";
    QTest::newRow("day 32") << "0 0 32 * *"
                            << "day-of-month: 32 is out of range 1-31";
    QTest::newRow("month 0") << "0 0 1 0 *"
                             << "month: 0 is out of range 1-12";
    QTest::newRow("month 13") << "0 0 1 13 *"
                              << "month: 13 is out of range 1-12";
    QTest::newRow("weekday 8") << "0 0 * * 8"
                               << "day-of-week: 8 is out of range 0-7";
    QTest::newRow("range end out of range") << "50-60 * * * *"
                                            << "minute: 60 is out of range 0-59";
    QTest::newRow("huge number") << "99999999999 * * * *"
                                 << "minute: 99999999999 is out of range 0-59";

    QTest::newRow("bad weekday name") << "0 0 * * FUNDAY"
                                      << "day-of-week: 'FUNDAY' is not a weekday name";
    QTest::newRow("month name as weekday") << "0 0 * * JAN"
                                           << "day-of-week: 'JAN' is not a weekday name";
    QTest::newRow("bad month name") << "0 0 1 FOO *"
                                    << "month: 'FOO' is not a month name";
    QTest::newRow("weekday name as month") << "0 0 1 JAN-MON *"
                                           << "month: 'MON' is not a month name";
    QTest::newRow("full month name") << "0 0 1 January *"
                                     << "month: 'January' is not a month name";
    QTest::newRow("word as minute") << "x * * * *"
                                    << "minute: 'x' is not a number";
    QTest::newRow("name as hour") << "0 MON * * *"
                                  << "hour: 'MON' is not a number";
    QTest::newRow("question mark") << "0 0 ? * *"
                                   << "day-of-month: '?' is not a number";
    QTest::newRow("negative") << "-5 * * * *"
                              << "minute: missing value in '-5'";
    QTest::newRow("open range") << "1- * * * *"
                                << "minute: missing value in '1-'";
    QTest::newRow("empty list element") << "1,,2 * * * *"
                                        << "minute: empty list element in '1,,2'";
    QTest::newRow("trailing comma") << "0 1, * * *"
                                    << "hour: empty list element in '1,'";
    QTest::newRow("backwards range") << "30-10 * * * *"
                                     << "minute: range '30-10' runs backwards";
    QTest::newRow("backwards weekday range") << "0 0 * * FRI-MON"
                                             << "day-of-week: range 'FRI-MON' runs backwards";
    QTest::newRow("step 0") << "*/0 * * * *"
                            << "minute: step '0' must be a positive number";
    QTest::newRow("step word") << "*/x * * * *"
                               << "minute: step 'x' must be a positive number";
    QTest::newRow("step missing") << "0 1-5/ * * *"
                                  << "hour: step '' must be a positive number";
    QTest::newRow("step without range") << "5/10 * * * *"
                                        << "minute: step in '5/10' needs a range or '*'";

    QTest::newRow("unknown macro") << "@fortnightly"
                                   << "unknown macro '@fortnightly'";
    QTest::newRow("@reboot is not periodic") << "@reboot"
                                             << "unknown macro '@reboot'";
    QTest::newRow("text after macro") << "@daily 5"
                                      << "unexpected text after '@daily'";

    // Parse-time rejection of schedules that can never fire.
    QTest::newRow("30 February") << "0 0 30 2 *"
                                 << "never matches: day-of-month '30' does not occur in month '2'";
    QTest::newRow("31st of 30-day months")
        << "0 0 31 APR,jun,9,11 *"
        << "never matches: day-of-month '31' does not occur in month 'APR,jun,9,11'";
    QTest::newRow("day-of-week starting with * is unrestricted")
        << "0 0 30-31 feb */7"
        << "never matches: day-of-month '30-31' does not occur in month 'feb'";
}

void TestCronSchedule::rejects()
{
    QFETCH(QString, expression);
    QFETCH(QString, error);

    QString message = QStringLiteral("unchanged");
    QVERIFY(!CronSchedule::parse(expression, &message));
    QCOMPARE(message, error);
    QVERIFY(!CronSchedule::parse(expression)); // no error pointer: must not crash
}

void TestCronSchedule::possibleDaysAreAccepted_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("expectedNext"); // after 2025-03-01T00:00Z

    QTest::newRow("29 February") << "0 0 29 2 *"
                                 << "2028-02-29T00:00:00Z";
    // OR rule: Mondays in February always exist.
    QTest::newRow("30 February or Monday") << "0 0 30 2 MON"
                                           << "2026-02-02T00:00:00Z";
    QTest::newRow("31st in May, not April") << "0 0 31 4,5 *"
                                            << "2025-05-31T00:00:00Z";
}

void TestCronSchedule::possibleDaysAreAccepted()
{
    QFETCH(QString, expression);
    QFETCH(QString, expectedNext);
    QCOMPARE(
        mustParse(expression).next(utc(QStringLiteral("2025-03-01T00:00"))).toString(Qt::ISODate),
        expectedNext);
}

void TestCronSchedule::expressionIsKept()
{
    QCOMPARE(mustParse(QStringLiteral("*/5 1-3 * JAN mon")).expression(),
             QStringLiteral("*/5 1-3 * JAN mon"));
    QCOMPARE(mustParse(QStringLiteral("  0 0 * * *\n")).expression(), QStringLiteral("0 0 * * *"));
}

void TestCronSchedule::nextIsStrictlyAfter_data()
{
    QTest::addColumn<QString>("after");
    QTest::addColumn<QString>("expected"); // for "0 12 * * *"

    QTest::newRow("exact match") << "2025-06-15T12:00:00.000"
                                 << "2025-06-16T12:00:00Z";
    QTest::newRow("just before") << "2025-06-15T11:59:59.999"
                                 << "2025-06-15T12:00:00Z";
    QTest::newRow("seconds into the match") << "2025-06-15T12:00:30"
                                            << "2025-06-16T12:00:00Z";
    QTest::newRow("milliseconds into the match") << "2025-06-15T12:00:00.001"
                                                 << "2025-06-16T12:00:00Z";
    QTest::newRow("a minute later") << "2025-06-15T12:01:00"
                                    << "2025-06-16T12:00:00Z";
}

void TestCronSchedule::nextIsStrictlyAfter()
{
    QFETCH(QString, after);
    QFETCH(QString, expected);
    const QDateTime next = mustParse(QStringLiteral("0 12 * * *")).next(utc(after));
    QCOMPARE(next.toString(Qt::ISODate), expected);
    QCOMPARE(next.time().second(), 0);
    QCOMPARE(next.time().msec(), 0);
}

void TestCronSchedule::keepsTheSpecOfAfter()
{
    const CronSchedule schedule = mustParse(QStringLiteral("0 12 * * *"));

    // A fixed offset: 12:00 is wall-clock time at +05:30, not UTC.
    const QDateTime india =
        QDateTime::fromString(QStringLiteral("2025-06-15T10:20:00+05:30"), Qt::ISODate);
    QCOMPARE(india.timeSpec(), Qt::OffsetFromUTC);
    const QDateTime next = schedule.next(india);
    QCOMPARE(next.toString(Qt::ISODate), QStringLiteral("2025-06-15T12:00:00+05:30"));
    QCOMPARE(next.timeSpec(), Qt::OffsetFromUTC);

    const QTimeZone tokyo("Asia/Tokyo");
    if (tokyo.isValid()) {
        const QDateTime after = utc(QStringLiteral("2025-06-15T10:20")).toTimeZone(tokyo);
        const QDateTime inTokyo = schedule.next(after); // 19:20 in Tokyo: tomorrow's noon
        QCOMPARE(inTokyo.timeSpec(), Qt::TimeZone);
        QCOMPARE(inTokyo.timeZone(), tokyo);
        QCOMPARE(inTokyo.toString(Qt::ISODate), QStringLiteral("2025-06-16T12:00:00+09:00"));
    }

    const QDateTime local = QDateTime(QDate(2025, 6, 15), QTime(10, 20), Qt::LocalTime);
    const QDateTime inLocal = schedule.next(local);
    QCOMPARE(inLocal.timeSpec(), Qt::LocalTime);
    QCOMPARE(inLocal.time(), QTime(12, 0));
}

void TestCronSchedule::invalidAfterGivesInvalid()
{
    QVERIFY(!mustParse(QStringLiteral("* * * * *")).next(QDateTime()).isValid());
    QVERIFY(!mustParse(QStringLiteral("* * * * *")).matches(QDateTime()));
}

// Berlin springs forward on 2025-03-30: 02:00 CET becomes 03:00 CEST; 02:xx does not exist.
void TestCronSchedule::dstGapIsSkipped()
{
    const QTimeZone zone("Europe/Berlin");
    if (!zone.isValid())
        QSKIP("no tz data for Europe/Berlin");

    // The nonexistent 02:30 does not fire that day (nor is it moved to 03:30).
    const CronSchedule daily = mustParse(QStringLiteral("30 2 * * *"));
    QCOMPARE(occurrences(daily, berlin(QStringLiteral("2025-03-29T12:00:00+01:00")), 2),
             (QStringList{"2025-03-31T02:30:00+02:00", "2025-04-01T02:30:00+02:00"}));

    // Frequent jobs carry on at 03:00 CEST, 15 real minutes after 01:45 CET.
    const CronSchedule quarter = mustParse(QStringLiteral("*/15 * * * *"));
    const QDateTime beforeGap = berlin(QStringLiteral("2025-03-30T01:40:00+01:00"));
    QCOMPARE(occurrences(quarter, beforeGap, 3),
             (QStringList{"2025-03-30T01:45:00+01:00", "2025-03-30T03:00:00+02:00",
                          "2025-03-30T03:15:00+02:00"}));
    const QDateTime first = quarter.next(beforeGap);
    QCOMPARE(first.secsTo(quarter.next(first)), 15 * 60);

    // Every minute of the missing hour is skipped, not just the named one.
    QCOMPARE(occurrences(mustParse(QStringLiteral("* 2 * * *")),
                         berlin(QStringLiteral("2025-03-29T23:00:00+01:00")), 1),
             QStringList{"2025-03-31T02:00:00+02:00"});
    QCOMPARE(daily.next(berlin(QStringLiteral("2025-03-29T12:00:00+01:00"))).timeZone(), zone);
}

// Berlin falls back on 2025-10-26: 03:00 CEST becomes 02:00 CET; 02:xx happens twice.
void TestCronSchedule::dstOverlapFiresOnce()
{
    const QTimeZone zone("Europe/Berlin");
    if (!zone.isValid())
        QSKIP("no tz data for Europe/Berlin");

    // 02:30 fires on its first pass (CEST) only.
    const CronSchedule daily = mustParse(QStringLiteral("30 2 * * *"));
    QCOMPARE(occurrences(daily, berlin(QStringLiteral("2025-10-25T12:00:00+02:00")), 2),
             (QStringList{"2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"}));

    // From inside the second pass, today's 02:30 has already fired.
    QCOMPARE(daily.next(berlin(QStringLiteral("2025-10-26T02:10:00+01:00"))).toString(Qt::ISODate),
             QStringLiteral("2025-10-27T02:30:00+01:00"));

    // Half-hourly: the repeated 02:00 and 02:30 fire once; 03:00 CET follows 02:30 CEST.
    const CronSchedule halfHourly = mustParse(QStringLiteral("0,30 * * * *"));
    QCOMPARE(occurrences(halfHourly, berlin(QStringLiteral("2025-10-26T01:50:00+02:00")), 4),
             (QStringList{"2025-10-26T02:00:00+02:00", "2025-10-26T02:30:00+02:00",
                          "2025-10-26T03:00:00+01:00", "2025-10-26T03:30:00+01:00"}));
    QCOMPARE(
        halfHourly.next(berlin(QStringLiteral("2025-10-26T02:10:00+01:00"))).toString(Qt::ISODate),
        QStringLiteral("2025-10-26T03:00:00+01:00"));

    // The last minute of the first pass is followed by the first after the repeated hour.
    QCOMPARE(mustParse(QStringLiteral("* * * * *"))
                 .next(berlin(QStringLiteral("2025-10-26T02:59:00+02:00")))
                 .toString(Qt::ISODate),
             QStringLiteral("2025-10-26T03:00:00+01:00"));
}

void TestCronSchedule::agreesWithMinuteByMinuteScan_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("zone"); // empty: UTC

    const char *const expressions[] = {
        "*/7 1-5 * * *", "15,45 */2 1-10 * MON,FRI", "0 0 13 * FRI", "0 12 */3 * *",
        "30 2 * * *",    "0-10/5 0-3 * * 0",         "0 0 1 * *",    "* * * * *"};
    for (const char *expression : expressions) {
        QTest::addRow("%s UTC", expression) << QString::fromLatin1(expression) << QString();
        QTest::addRow("%s Berlin", expression)
            << QString::fromLatin1(expression) << QStringLiteral("Europe/Berlin");
    }
}

// Brute force: step through every minute and ask matches(), over 50 days around each DST change
// of 2025. In a DST overlap the scan sees the repeated minutes twice; next()
// must return the first.
void TestCronSchedule::agreesWithMinuteByMinuteScan()
{
    QFETCH(QString, expression);
    QFETCH(QString, zone);
    const CronSchedule schedule = mustParse(expression);
    const QTimeZone tz = zone.isEmpty() ? QTimeZone::utc() : QTimeZone(zone.toLatin1());
    if (!tz.isValid())
        QSKIP("no tz data");

    for (const QString &startText :
         {QStringLiteral("2025-03-10T00:00"), QStringLiteral("2025-10-05T00:00")}) {
        QDateTime from = utc(startText).toTimeZone(tz);
        const QDateTime end = from.addDays(50);
        QDateTime scan = from.addSecs(60);
        while (from < end) {
            // The next matching minute strictly after `from`, not yet fired on a first pass.
            while (!schedule.matches(scan) || isSecondPass(scan))
                scan = scan.addSecs(60);
            const QDateTime expected = scan;
            const QDateTime actual = schedule.next(from);
            QVERIFY2(actual == expected,
                     qPrintable(QStringLiteral("after %1: got %2, want %3")
                                    .arg(from.toString(Qt::ISODate), actual.toString(Qt::ISODate),
                                         expected.toString(Qt::ISODate))));
            from = actual;
            scan = from.addSecs(60);
        }
    }
}

// Far-apart matches must not cost a minute-by-minute walk: ~150 days are visited per leap-day
// lookup, not ~2 million minutes. Does not assert a time, only that it completes and is right.
void TestCronSchedule::sparseSchedulesAreFast()
{
    const CronSchedule leapDay = mustParse(QStringLiteral("0 0 29 2 *"));
    const CronSchedule leapSunday = mustParse(QStringLiteral("30 2 29 2 */7")); // AND rule
    const QDateTime start = utc(QStringLiteral("2001-03-01T00:00"));
    const QTimeZone zone("Europe/Berlin");

    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 10000; ++i) {
        const QDateTime next = leapDay.next(start.addDays(i));
        QCOMPARE(next.date().month(), 2);
        QCOMPARE(next.date().day(), 29);
    }
    QDateTime chained = start;
    for (int i = 0; i < 1000; ++i) // ~4000 years of leap days
        chained = leapDay.next(chained);
    QCOMPARE(chained.date(), QDate(6124, 2, 29));

    if (zone.isValid()) {
        for (int i = 0; i < 10000; i += 10) {
            const QDateTime next = leapSunday.next(start.addDays(i).toTimeZone(zone));
            QCOMPARE(next.date().dayOfWeek(), 7);
            QCOMPARE(next.time(), QTime(2, 30));
        }
    }
    qDebug("sparse schedules: %lld ms", timer.elapsed());
}

QTEST_GUILESS_MAIN(TestCronSchedule)

#include "tst_cronschedule.moc"
