#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>

namespace Revenge {

class DatabasePool;

// Keeps this executor's heartbeat row in jobs.client and competes for the lease in jobs.leader:
// the holder renews it every interval; when it lapses (ttl) another executor takes it over.
// Lives on the executor's control thread.
class LeaderElector : public QObject
{
    Q_OBJECT

public:
    LeaderElector(std::shared_ptr<DatabasePool> pool, QString clientId, int intervalMs, int ttlMs,
                  bool compete, QObject *parent = nullptr);

    void start();
    // Gives the lease up (so another executor takes over at once) and removes the heartbeat row.
    void resign();
    bool isLeader() const { return m_leader; }
    // Try now (e.g. when told that the leader resigned).
    void tick();

Q_SIGNALS:
    void leadershipChanged(bool leader);

private:
    void setLeader(bool leader);

    std::shared_ptr<DatabasePool> m_pool;
    QString m_clientId;
    int m_ttlMs;
    bool m_compete;
    bool m_leader = false;
    QTimer m_timer;
};

} // namespace Revenge
