#pragma once

#include <QLoggingCategory>
#include <QString>

// One category per module, so `QT_LOGGING_RULES="revenge.db.debug=true"` targets one concern.
Q_DECLARE_LOGGING_CATEGORY(lcConfig)
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)
Q_DECLARE_LOGGING_CATEGORY(lcDb)
Q_DECLARE_LOGGING_CATEGORY(lcMigrate)
Q_DECLARE_LOGGING_CATEGORY(lcServices)
Q_DECLARE_LOGGING_CATEGORY(lcHealth)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcCache)
Q_DECLARE_LOGGING_CATEGORY(lcJobs)
Q_DECLARE_LOGGING_CATEGORY(lcLibrary)
Q_DECLARE_LOGGING_CATEGORY(lcMetadata)
Q_DECLARE_LOGGING_CATEGORY(lcImages)

namespace Revenge::Logging {

// Sends Qt's messages to stderr and to <dir>/revenge.log, rotated at maxBytes keeping `keep`
// old files (revenge.log.1 ... revenge.log.N). Safe to call once per process.
void install(const QString &dir, qint64 maxBytes = 10 * 1024 * 1024, int keep = 5);

// Stops writing the log file (stderr continues). Called on shutdown.
void uninstall();

} // namespace Revenge::Logging
