#pragma once

#include <QLoggingCategory>

// The tray icon and dashboard: `QT_LOGGING_RULES="revenge.gui.debug=true"`.
Q_DECLARE_LOGGING_CATEGORY(lcGui)
