#include "GuiLogging.h"

Q_LOGGING_CATEGORY(lcGui, "revenge.gui")
