#include "ConnectionSettings.h"

#include <QStringList>

namespace Revenge {

namespace {
QString quoted(QString value)
{
    value.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return QLatin1Char('\'') + value + QLatin1Char('\'');
}
} // namespace

QString ConnectionSettings::conninfo() const
{
    QStringList parts{QStringLiteral("host=") + quoted(host),
                      QStringLiteral("port=%1").arg(port),
                      QStringLiteral("dbname=") + quoted(database),
                      QStringLiteral("user=") + quoted(user),
                      QStringLiteral("connect_timeout=%1").arg(connectTimeoutSeconds),
                      QStringLiteral("application_name=") + quoted(applicationName)};
    if (!password.isEmpty())
        parts << QStringLiteral("password=") + quoted(password);
    if (!sessionOptions.isEmpty())
        parts << QStringLiteral("options=") + quoted(sessionOptions);
    return parts.join(QLatin1Char(' '));
}

} // namespace Revenge
