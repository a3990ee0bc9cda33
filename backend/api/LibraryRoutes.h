#pragma once

#include <QList>
#include <QPair>
#include <QRegularExpression>
#include <QString>
#include <memory>

class QHttpServer;
class QThreadPool;

namespace Revenge {

class HealthMonitor;
class ScheduledTasks;

// /api/libraries (list, create, get, delete, scan, scan history, items) and /api/tasks (the
// scheduled tasks and running one now). Handlers run on `workers`; changes are accepted from
// loopback clients only until the API has accounts.
class LibraryRoutes
{
public:
    static void install(QHttpServer *server, QThreadPool *workers, HealthMonitor *health,
                        std::shared_ptr<const ScheduledTasks> tasks);
    // Path patterns and the methods they answer, for 405 responses.
    static QList<QPair<QRegularExpression, QString>> allowedMethods();
};

} // namespace Revenge
