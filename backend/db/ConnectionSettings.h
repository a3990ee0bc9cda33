#pragma once

#include <QString>
#include <QtGlobal>

namespace Revenge {

// How to reach one PostgreSQL database. `host` may be a directory (a unix socket).
struct ConnectionSettings
{
    QString host = QStringLiteral("localhost");
    quint16 port = 5432;
    QString database = QStringLiteral("revenge");
    QString user = QStringLiteral("revenge");
    QString password;
    int connectTimeoutSeconds = 5;
    QString applicationName = QStringLiteral("revenge");
    // Server settings for the session, e.g. "-c synchronous_commit=off" (libpq's options).
    QString sessionOptions;

    // libpq keyword/value string, for PQping and direct libpq use.
    QString conninfo() const;

    bool operator==(const ConnectionSettings &) const = default;
};

} // namespace Revenge
