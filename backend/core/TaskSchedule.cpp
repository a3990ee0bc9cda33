#include "TaskSchedule.h"

#include "jobs/CronSchedule.h"

#include <QRegularExpression>

namespace Revenge {

std::optional<TaskSchedule> TaskSchedule::parse(const QString &text, QString *error)
{
    const QString t = text.trimmed();
    TaskSchedule s;
    if (t.compare(QLatin1String("off"), Qt::CaseInsensitive) == 0 ||
        t.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0)
        return s;
    static const QRegularExpression interval(QStringLiteral("^(\\d{1,6})\\s*([smhd])$"));
    if (const auto m = interval.match(t); m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 factor = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400;
        if (n * factor < 60) {
            if (error)
                *error = QStringLiteral("'%1' is too often: at least one minute").arg(t);
            return std::nullopt;
        }
        s.enabled = true;
        s.interval = std::chrono::seconds(n * factor);
        return s;
    }
    QString why;
    if (!CronSchedule::parse(t, &why)) {
        if (error)
            *error = QStringLiteral("'%1' is not off, an interval like 30m, 6h or 1d, nor a cron "
                                    "expression (%2)")
                         .arg(t, why);
        return std::nullopt;
    }
    s.enabled = true;
    s.cron = t;
    return s;
}

QString TaskSchedule::toString() const
{
    if (!enabled)
        return QStringLiteral("off");
    if (!cron.isEmpty())
        return cron;
    const qint64 n = interval.count();
    if (n % 86400 == 0)
        return QString::number(n / 86400) + QLatin1Char('d');
    if (n % 3600 == 0)
        return QString::number(n / 3600) + QLatin1Char('h');
    if (n % 60 == 0)
        return QString::number(n / 60) + QLatin1Char('m');
    return QString::number(n) + QLatin1Char('s');
}

} // namespace Revenge
