#include "LibraryRoutes.h"

#include "ApiResponses.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/ScheduledTasks.h"
#include "jobs/workers/LibraryScanWorker.h"
#include "library/LibraryRepository.h"
#include "services/HealthMonitor.h"

#include <QHttpServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>
#include <QUuid>
#include <QtConcurrent>

namespace Revenge {

namespace {

using Status = QHttpServerResponse::StatusCode;

// Until accounts and sessions reach the API, only this machine may change libraries and run
// tasks; reading is open like /health.
bool isLocal(const QHostAddress &address)
{
    return address.isLoopback() ||
           address.isEqual(QHostAddress::LocalHost, QHostAddress::ConvertV4MappedToIPv4);
}

QHttpServerResponse forbidden()
{
    return Api::error(Status::Forbidden, QStringLiteral("forbidden"),
                      QStringLiteral("changes are only accepted from this machine until the API "
                                     "has accounts"));
}

QHttpServerResponse fromError(const QString &error)
{
    if (error.startsWith(QLatin1String("not found")))
        return Api::error(Status::NotFound, QStringLiteral("not_found"), error);
    if (error.startsWith(QLatin1String("name:")) || error.startsWith(QLatin1String("type:")) ||
        error.startsWith(QLatin1String("paths:")))
        return Api::error(Status::BadRequest, QStringLiteral("invalid"), error);
    return Api::error(Status::ServiceUnavailable, QStringLiteral("unavailable"), error);
}

QJsonObject libraryWithLastScan(const Library &library, LibraryRepository &repository)
{
    QJsonObject o = library.toJson();
    const auto scans = repository.scans(library.id, 1);
    o.insert(QStringLiteral("last_scan"),
             scans && !scans->isEmpty() ? QJsonValue(scans->first().toJson()) : QJsonValue());
    return o;
}

// Browsing: the library's top-level items in title order, keyset-paged.
QHttpServerResponse items(QSqlDatabase &db, const Library &library, const QUrlQuery &query)
{
    bool ok = true;
    const int limit = query.hasQueryItem(QStringLiteral("limit"))
                          ? query.queryItemValue(QStringLiteral("limit")).toInt(&ok)
                          : 50;
    if (!ok || limit < 1 || limit > 500)
        return Api::error(Status::BadRequest, QStringLiteral("invalid"),
                          QStringLiteral("limit: expected a number from 1 to 500"));
    static const QHash<QString, QByteArray> tables{{QStringLiteral("movies"), "movies"},
                                                   {QStringLiteral("series"), "series"},
                                                   {QStringLiteral("albums"), "music_albums"},
                                                   {QStringLiteral("artists"), "music_artists"},
                                                   {QStringLiteral("scenes"), "scenes"}};
    QString type = query.queryItemValue(QStringLiteral("type"));
    if (type.isEmpty())
        type = library.type == QLatin1String("tvshows") ? QStringLiteral("series")
               : library.type == QLatin1String("music") ? QStringLiteral("albums")
                                                        : QStringLiteral("movies");
    const bool adultType = type == QLatin1String("movies") || type == QLatin1String("scenes");
    if (!tables.contains(type) || (library.isAdult() && !adultType) ||
        (!library.isAdult() && type == QLatin1String("scenes")))
        return Api::error(
            Status::BadRequest, QStringLiteral("invalid"),
            QStringLiteral("type: '%1' is not a kind of item of this library").arg(type));
    const bool named = type == QLatin1String("artists");
    const QByteArray title = named ? "name" : "title";
    const QByteArray sort = named ? "sort_name" : "sort_title";
    const QByteArray year = type == QLatin1String("scenes") ? "extract(year FROM release_date)"
                            : named                         ? "NULL"
                                                            : "year";
    // The cursor is the last row's (sort key, id), opaque to clients.
    QByteArray afterSort, afterId;
    if (query.hasQueryItem(QStringLiteral("after"))) {
        const QByteArray raw =
            QByteArray::fromBase64(query.queryItemValue(QStringLiteral("after")).toLatin1(),
                                   QByteArray::Base64UrlEncoding);
        const qsizetype cut = raw.lastIndexOf('\x1f');
        if (cut < 0 || QUuid::fromString(QLatin1String(raw.mid(cut + 1))).isNull())
            return Api::error(Status::BadRequest, QStringLiteral("invalid"),
                              QStringLiteral("after: not a cursor this API returned"));
        afterSort = raw.left(cut);
        afterId = raw.mid(cut + 1);
    }
    const QByteArray sql = "SELECT id, " + title + ", " + year + "::int, " + sort + " FROM " +
                           library.schema().toUtf8() + "." + tables.value(type) +
                           " WHERE library_id = $1 AND ($2::text IS NULL OR (" + sort +
                           ", id) > ($2::text, $3::uuid)) ORDER BY " + sort + ", id LIMIT " +
                           QByteArray::number(limit + 1);
    const PgResult r = pgExec(db, sql, {library.id.toUtf8(), afterSort, afterId});
    if (!r.ok())
        return Api::error(Status::ServiceUnavailable, QStringLiteral("unavailable"), r.error());
    QJsonArray list;
    for (int i = 0; i < qMin(r.rows(), limit); ++i)
        list.append(QJsonObject{
            {QStringLiteral("id"), r.text(i, 0)},
            {QStringLiteral("type"), type},
            {QStringLiteral("title"), r.text(i, 1)},
            {QStringLiteral("year"), r.isNull(i, 2) ? QJsonValue() : QJsonValue(r.toInt(i, 2))}});
    QJsonValue next;
    if (r.rows() > limit) {
        const int last = limit - 1;
        const QByteArray cursor = r.bytes(last, 3) + '\x1f' + r.bytes(last, 0);
        next = QString::fromLatin1(cursor.toBase64(QByteArray::Base64UrlEncoding));
    }
    return Api::json({{QStringLiteral("items"), list}, {QStringLiteral("next"), next}});
}

} // namespace

void LibraryRoutes::install(QHttpServer *server, QThreadPool *workers, HealthMonitor *health,
                            std::shared_ptr<const ScheduledTasks> tasks)
{
    using Method = QHttpServerRequest::Method;
    // Every handler runs on the worker pool; the database pool is the health monitor's, published
    // once migrations are done.
    auto run = [workers, health](auto body) {
        return QtConcurrent::run(workers, [health, body]() -> QHttpServerResponse {
            const std::shared_ptr<DatabasePool> pool = health->databasePool();
            if (!pool)
                return Api::error(Status::ServiceUnavailable, QStringLiteral("starting"),
                                  QStringLiteral("the database is not ready yet"));
            return body(pool);
        });
    };

    server->route(QStringLiteral("/api/libraries"), Method::Get, [run] {
        return run([](const std::shared_ptr<DatabasePool> &pool) {
            LibraryRepository repository(pool);
            QString error;
            const auto libraries = repository.list(&error);
            if (!libraries)
                return fromError(error);
            QJsonArray list;
            for (const Library &l : *libraries)
                list.append(libraryWithLastScan(l, repository));
            return Api::json({{QStringLiteral("libraries"), list}});
        });
    });

    server->route(
        QStringLiteral("/api/libraries"), Method::Post, [run](const QHttpServerRequest &request) {
            const bool local = isLocal(request.remoteAddress());
            const QByteArray body = request.body();
            return run([local, body](const std::shared_ptr<DatabasePool> &pool) {
                if (!local)
                    return forbidden();
                QJsonParseError parseError;
                const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
                if (!doc.isObject())
                    return Api::error(Status::BadRequest, QStringLiteral("invalid"),
                                      QStringLiteral("body: expected a JSON object (%1)")
                                          .arg(parseError.error ? parseError.errorString()
                                                                : QStringLiteral("not an object")));
                const QJsonObject o = doc.object();
                const QJsonValue paths = o.value(QStringLiteral("paths"));
                if (!paths.isArray())
                    return Api::error(Status::BadRequest, QStringLiteral("invalid"),
                                      QStringLiteral("paths: expected an array of folders"));
                QStringList list;
                for (const QJsonValue &p : paths.toArray()) {
                    if (!p.isString())
                        return Api::error(Status::BadRequest, QStringLiteral("invalid"),
                                          QStringLiteral("paths: every entry must be a string"));
                    list << p.toString();
                }
                QString error;
                const auto library = LibraryRepository(pool).create(
                    o.value(QStringLiteral("name")).toString(),
                    o.value(QStringLiteral("type")).toString(), list, &error);
                if (!library)
                    return fromError(error);
                // A new library is scanned at once.
                JobClient jobs(pool);
                LibraryScanWorker::enqueue(jobs, library->id);
                return Api::json(library->toJson(), Status::Created);
            });
        });

    server->route(QStringLiteral("/api/libraries/<arg>"), Method::Get, [run](const QString &id) {
        return run([id](const std::shared_ptr<DatabasePool> &pool) {
            LibraryRepository repository(pool);
            QString error;
            const auto library = repository.get(id, &error);
            if (!library)
                return fromError(error);
            return Api::json(libraryWithLastScan(*library, repository));
        });
    });

    server->route(QStringLiteral("/api/libraries/<arg>"), Method::Delete,
                  [run](const QString &id, const QHttpServerRequest &request) {
                      const bool local = isLocal(request.remoteAddress());
                      return run([id, local](const std::shared_ptr<DatabasePool> &pool) {
                          if (!local)
                              return forbidden();
                          QString error;
                          if (!LibraryRepository(pool).remove(id, &error))
                              return fromError(error);
                          return QHttpServerResponse(Status::NoContent);
                      });
                  });

    server->route(
        QStringLiteral("/api/libraries/<arg>/scan"), Method::Post,
        [run](const QString &id, const QHttpServerRequest &request) {
            const bool local = isLocal(request.remoteAddress());
            const QString full = QUrlQuery(request.url()).queryItemValue(QStringLiteral("full"));
            return run([id, local, full](const std::shared_ptr<DatabasePool> &pool) {
                if (!local)
                    return forbidden();
                if (!full.isEmpty() && full != QLatin1String("true") &&
                    full != QLatin1String("false"))
                    return Api::error(Status::BadRequest, QStringLiteral("invalid"),
                                      QStringLiteral("full: expected true or false"));
                QString error;
                if (!LibraryRepository(pool).get(id, &error))
                    return fromError(error);
                JobClient jobs(pool);
                const auto queued =
                    LibraryScanWorker::enqueue(jobs, id, full == QLatin1String("true"), &error);
                if (!queued)
                    return fromError(error);
                return Api::json({{QStringLiteral("job_id"), queued->job.id},
                                  {QStringLiteral("state"), jobStateName(queued->job.state)},
                                  {QStringLiteral("already_queued"), queued->duplicate}},
                                 Status::Accepted);
            });
        });

    server->route(
        QStringLiteral("/api/libraries/<arg>/scans"), Method::Get,
        [run](const QString &id, const QHttpServerRequest &request) {
            const QUrlQuery query(request.url());
            return run([id, query](const std::shared_ptr<DatabasePool> &pool) {
                bool ok = true;
                const int limit = query.hasQueryItem(QStringLiteral("limit"))
                                      ? query.queryItemValue(QStringLiteral("limit")).toInt(&ok)
                                      : 20;
                if (!ok || limit < 1 || limit > 1000)
                    return Api::error(Status::BadRequest, QStringLiteral("invalid"),
                                      QStringLiteral("limit: expected a number from 1 to 1000"));
                LibraryRepository repository(pool);
                QString error;
                if (!repository.get(id, &error))
                    return fromError(error);
                const auto scans = repository.scans(id, limit, &error);
                if (!scans)
                    return fromError(error);
                QJsonArray list;
                for (const LibraryScan &s : *scans)
                    list.append(s.toJson());
                return Api::json({{QStringLiteral("scans"), list}});
            });
        });

    server->route(QStringLiteral("/api/libraries/<arg>/items"), Method::Get,
                  [run](const QString &id, const QHttpServerRequest &request) {
                      const QUrlQuery query(request.url());
                      return run([id, query](const std::shared_ptr<DatabasePool> &pool) {
                          QString error;
                          const auto library = LibraryRepository(pool).get(id, &error);
                          if (!library)
                              return fromError(error);
                          auto lease = pool->acquire(5000, &error);
                          if (!lease)
                              return fromError(error);
                          return items(lease->db(), *library, query);
                      });
                  });

    server->route(QStringLiteral("/api/tasks"), Method::Get, [run, tasks] {
        return run([tasks](const std::shared_ptr<DatabasePool> &pool) {
            if (!tasks)
                return Api::json({{QStringLiteral("tasks"), QJsonArray()}});
            QString error;
            auto lease = pool->acquire(5000, &error);
            if (!lease)
                return fromError(error);
            const QJsonArray status = tasks->status(lease->db(), &error);
            if (!error.isEmpty())
                return fromError(error);
            return Api::json({{QStringLiteral("tasks"), status}});
        });
    });

    server->route(
        QStringLiteral("/api/tasks/<arg>/run"), Method::Post,
        [run, tasks](const QString &name, const QHttpServerRequest &request) {
            const bool local = isLocal(request.remoteAddress());
            return run([name, local, tasks](const std::shared_ptr<DatabasePool> &pool) {
                if (!local)
                    return forbidden();
                const ScheduledTask *task = tasks ? tasks->find(name) : nullptr;
                if (!task)
                    return Api::error(Status::NotFound, QStringLiteral("not_found"),
                                      QStringLiteral("not found: task '%1'").arg(name));
                InsertOptions options = task->job.options;
                options.metadata.insert(QStringLiteral("manual"), true);
                QString error;
                const auto queued = JobClient(pool).insert(task->kind, {}, options, &error);
                if (!queued)
                    return fromError(error);
                return Api::json({{QStringLiteral("job_id"), queued->job.id}}, Status::Accepted);
            });
        });
}

QList<QPair<QRegularExpression, QString>> LibraryRoutes::allowedMethods()
{
    return {
        {QRegularExpression(QStringLiteral("^/api/libraries$")), QStringLiteral("GET, POST")},
        {QRegularExpression(QStringLiteral("^/api/libraries/[^/]+$")),
         QStringLiteral("GET, DELETE")},
        {QRegularExpression(QStringLiteral("^/api/libraries/[^/]+/scan$")), QStringLiteral("POST")},
        {QRegularExpression(QStringLiteral("^/api/libraries/[^/]+/(scans|items)$")),
         QStringLiteral("GET")},
        {QRegularExpression(QStringLiteral("^/api/tasks$")), QStringLiteral("GET")},
        {QRegularExpression(QStringLiteral("^/api/tasks/[^/]+/run$")), QStringLiteral("POST")},
    };
}

} // namespace Revenge
