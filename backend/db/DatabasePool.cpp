#include "DatabasePool.h"

#include "PgQuery.h"
#include "core/Logging.h"

#include <QCoreApplication>
#include <QHash>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QVariant>
#include <libpq-fe.h>
#include <mutex>
#include <openssl/crypto.h>

namespace Revenge {

namespace {

std::atomic<int> g_nextPoolId{1};

// A thread that ends while the process exits (a pool thread still winding down after main()
// returned) must not touch QtSql's connection registry, which static destruction removes. The
// application's destruction marks the process as exiting; cleanups take the same lock, so one in
// progress finishes first and later ones are skipped (the server closes their sockets).
QBasicMutex g_cleanupMutex;
bool g_exiting = false;

void markExiting()
{
    const std::lock_guard lock(g_cleanupMutex);
    g_exiting = true;
}

// Connections this thread opened, removed when the thread exits.
struct ThreadConnections
{
    QHash<int, int> depth;          // pool id -> nested leases held by this thread
    QHash<int, quint64> generation; // pool id -> settings generation this thread's connection uses
    QStringList names;
    ~ThreadConnections()
    {
        const std::lock_guard lock(g_cleanupMutex);
        if (g_exiting || !QCoreApplication::instance())
            return;
        for (const QString &name : std::as_const(names)) {
            {
                QSqlDatabase db = QSqlDatabase::database(name, false);
                db.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
    }
};

// libpq initialises OpenSSL, which by default frees its per-thread state in an atexit handler:
// a worker thread still winding down while the process exits then crashes in OpenSSL's thread
// clean-up (seen as SIGSEGV on SIGTERM). Nothing needs that clean-up at exit; skip it. Must run
// before the first connection, hence in the first pool's constructor.
void initOpenSslWithoutAtExit()
{
    static std::once_flag once;
    std::call_once(once, [] { OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr); });
}

ThreadConnections &threadConnections()
{
    static std::once_flag registered;
    std::call_once(registered, [] {
        if (QCoreApplication::instance())
            qAddPostRoutine(markExiting);
    });
    thread_local ThreadConnections connections;
    return connections;
}

} // namespace

DatabasePool::DatabasePool(ConnectionSettings settings, int size)
    : m_settings(std::move(settings))
    , m_size(std::max(1, size))
    , m_id(g_nextPoolId++)
    , m_slots(m_size)
{
    initOpenSslWithoutAtExit();
}

DatabasePool::~DatabasePool()
{
    // Only this thread's connection can be closed here; other threads close theirs on exit.
    const QString name = connectionName();
    if (QSqlDatabase::contains(name)) {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        threadConnections().names.removeAll(name);
    }
}

ConnectionSettings DatabasePool::settings() const
{
    QMutexLocker lock(&m_settingsMutex);
    return m_settings;
}

void DatabasePool::setSettings(const ConnectionSettings &settings)
{
    std::vector<std::pair<std::shared_ptr<DatabasePool>, std::function<void(ConnectionSettings &)>>>
        followers;
    {
        QMutexLocker lock(&m_settingsMutex);
        m_settings = settings;
        ++m_generation;
        for (const auto &[weak, adjust] : std::as_const(m_followers))
            if (auto f = weak.lock())
                followers.emplace_back(f, adjust);
    }
    for (const auto &[follower, adjust] : std::as_const(followers)) {
        ConnectionSettings adjusted = settings;
        adjust(adjusted);
        follower->setSettings(adjusted);
    }
}

void DatabasePool::addFollower(std::weak_ptr<DatabasePool> follower,
                               std::function<void(ConnectionSettings &)> adjust)
{
    QMutexLocker lock(&m_settingsMutex);
    m_followers.emplace_back(std::move(follower), std::move(adjust));
}

QString DatabasePool::connectionName() const
{
    return QStringLiteral("revenge-db-%1-%2")
        .arg(m_id)
        .arg(quintptr(QThread::currentThreadId()), 0, 16);
}

void DatabasePool::configure(QSqlDatabase &db, const ConnectionSettings &s)
{
    db.setHostName(s.host);
    db.setPort(s.port);
    db.setDatabaseName(s.database);
    db.setUserName(s.user);
    db.setPassword(s.password);
    QString options = QStringLiteral("connect_timeout=%1;application_name=%2")
                          .arg(s.connectTimeoutSeconds)
                          .arg(s.applicationName);
    if (!s.sessionOptions.isEmpty())
        options += QStringLiteral(";options='%1'")
                       .arg(s.sessionOptions); // QPSQL passes it through to libpq
    db.setConnectOptions(options);
}

namespace {
void forwardNotice(void *, const char *message)
{
    qCDebug(lcDb).noquote() << "server notice:" << QString::fromUtf8(message).trimmed();
}
} // namespace

bool DatabasePool::isBroken(const QSqlDatabase &db)
{
    if (!db.isOpen())
        return true;
    PGconn *conn = pgConnection(db);
    return conn && PQstatus(conn) != CONNECTION_OK;
}

void DatabasePool::routeNotices(QSqlDatabase &db)
{
    if (PGconn *conn = pgConnection(db))
        PQsetNoticeProcessor(conn, forwardNotice, nullptr);
}

bool DatabasePool::execScript(QSqlDatabase &db, const QByteArray &sql, QString *error)
{
    PGconn *conn = pgConnection(db);
    if (!conn) {
        *error = QStringLiteral("not connected to PostgreSQL");
        return false;
    }
    // PQexec runs every statement and returns the last result, or the first error.
    PGresult *result = PQexec(conn, sql.constData());
    const ExecStatusType status = PQresultStatus(result);
    const bool ok =
        status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
    if (!ok)
        *error = QString::fromUtf8(result ? PQresultErrorMessage(result) : PQerrorMessage(conn))
                     .trimmed();
    PQclear(result);
    return ok;
}

std::optional<DatabasePool::Lease> DatabasePool::acquire(int timeoutMs, QString *error)
{
    ThreadConnections &tc = threadConnections();
    int &depth = tc.depth[m_id];
    const bool ownsSlot = depth == 0;
    if (ownsSlot && !m_slots.tryAcquire(1, timeoutMs)) {
        if (error)
            *error = QStringLiteral("all %1 database connections are busy").arg(m_size);
        return std::nullopt;
    }

    const QString name = connectionName();
    QSqlDatabase db = QSqlDatabase::contains(name)
                          ? QSqlDatabase::database(name, false)
                          : QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    if (!tc.names.contains(name))
        tc.names.append(name);
    if (db.isOpen() && isBroken(db) && depth == 0) {
        qCInfo(lcDb) << "connection" << name << "was lost; reconnecting";
        db.close();
    }
    const quint64 generation = m_generation.load();
    if (db.isOpen() && depth == 0 && tc.generation.value(m_id) != generation)
        db.close(); // the server moved
    if (!db.isOpen()) {
        configure(db, settings());
        tc.generation.insert(m_id, generation);
        if (!db.open()) {
            if (error)
                *error = db.lastError().text().trimmed();
            if (ownsSlot)
                m_slots.release();
            return std::nullopt;
        }
        routeNotices(db);
    }
    ++depth;
    return Lease(this, db, ownsSlot);
}

void DatabasePool::release(bool ownsSlot)
{
    --threadConnections().depth[m_id];
    if (ownsSlot)
        m_slots.release();
}

DatabasePool::Lease::Lease(DatabasePool *pool, QSqlDatabase db, bool ownsSlot)
    : m_pool(pool)
    , m_db(std::move(db))
    , m_ownsSlot(ownsSlot)
{}

DatabasePool::Lease::Lease(Lease &&other) noexcept
    : m_pool(std::exchange(other.m_pool, nullptr))
    , m_db(std::move(other.m_db))
    , m_ownsSlot(other.m_ownsSlot)
{}

DatabasePool::Lease::~Lease()
{
    if (m_pool)
        m_pool->release(m_ownsSlot);
}

} // namespace Revenge
