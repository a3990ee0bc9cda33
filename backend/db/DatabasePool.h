#pragma once

#include "ConnectionSettings.h"

#include <QList>
#include <QMutex>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Revenge {

// Per-thread QSqlDatabase connections (Qt 6.4 connections cannot change threads), at most
// `size` in use at once. A connection found broken (the server restarted) is reopened on the
// next acquire, so callers only ever see one failed query per outage.
class DatabasePool
{
public:
    DatabasePool(ConnectionSettings settings, int size);
    ~DatabasePool();
    DatabasePool(const DatabasePool &) = delete;
    DatabasePool &operator=(const DatabasePool &) = delete;

    // Holds this thread's connection and one slot of the pool until destroyed. Nested leases on
    // one thread share the connection and the slot.
    class Lease
    {
    public:
        Lease(Lease &&other) noexcept;
        Lease &operator=(Lease &&) = delete;
        ~Lease();
        QSqlDatabase &db() { return m_db; }
        QSqlDatabase *operator->() { return &m_db; }

    private:
        friend class DatabasePool;
        Lease(DatabasePool *pool, QSqlDatabase db, bool ownsSlot);
        DatabasePool *m_pool;
        QSqlDatabase m_db;
        bool m_ownsSlot;
    };

    // Waits up to timeoutMs for a free slot, then opens (or reuses) this thread's connection.
    std::optional<Lease> acquire(int timeoutMs = 5000, QString *error = nullptr);

    ConnectionSettings settings() const;
    // Points the pool at a moved server (a managed PostgreSQL that had to change port): each
    // thread's connection is reopened with the new settings on its next acquire, and followers
    // are moved too. Holders of the pool keep working.
    void setSettings(const ConnectionSettings &settings);
    // `follower` (e.g. the job executor's own pool) is re-pointed whenever this pool is, with
    // `adjust` applied (application name, session options).
    void addFollower(std::weak_ptr<DatabasePool> follower,
                     std::function<void(ConnectionSettings &)> adjust);
    int size() const { return m_size; }
    int inUse() const { return m_size - m_slots.available(); }

    // Adds the QPSQL connection options to `db` (used by the pool and by one-off connections).
    static void configure(QSqlDatabase &db, const ConnectionSettings &settings);
    // True when libpq says the connection is gone.
    static bool isBroken(const QSqlDatabase &db);
    // Runs a multi-statement script with libpq's simple query protocol. Qt 6.4's QPSQL reads only
    // the first result of such a string, so an error in a later statement would go unnoticed.
    static bool execScript(QSqlDatabase &db, const QByteArray &sql, QString *error);
    // Sends the server's NOTICEs to the revenge.db log category instead of stderr.
    static void routeNotices(QSqlDatabase &db);

private:
    friend class Lease;
    QString connectionName() const;
    void release(bool ownsSlot);

    mutable QMutex m_settingsMutex;
    ConnectionSettings m_settings;
    std::atomic<quint64> m_generation{0};
    std::vector<std::pair<std::weak_ptr<DatabasePool>, std::function<void(ConnectionSettings &)>>>
        m_followers;
    int m_size;
    int m_id;
    QSemaphore m_slots;
};

} // namespace Revenge
