#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>
#include <QVariantList>

namespace Revenge {

class Server;

// What the QML dashboard shows, on the GUI thread. It never touches a socket or the database:
// HealthMonitor::check() runs on a private one-thread pool every kRefreshMs and its report comes
// back to the GUI thread through QFuture::then(this, ...); at most one check is in flight.
// Supervisor changes are coalesced (kCoalesceMs) so QML sees at most a few updates per second.
class DashboardModel : public QObject
{
    Q_OBJECT
    // "starting" until PostgreSQL first answers (or a service fails, or kStartupGraceMs pass),
    // then the health report's own "healthy" / "degraded" / "unhealthy".
    Q_PROPERTY(QString overallStatus READ overallStatus NOTIFY overallStatusChanged)
    // One map per component (database, cache, search, jobs, http): name, status, latencyMs,
    // version, managed, detail, facts (a list of {label, value} for whatever else the report has).
    Q_PROPERTY(QVariantList components READ components NOTIFY componentsChanged)
    // One map per supervised service: name, state, detail, pid, restarts, port, version.
    Q_PROPERTY(QVariantList services READ services NOTIFY servicesChanged)
    Q_PROPERTY(QString serverUrl READ serverUrl CONSTANT)
    Q_PROPERTY(QString version READ version CONSTANT)
    Q_PROPERTY(QString dataDir READ dataDir CONSTANT)
    // When the last report was produced (invalid before the first one).
    Q_PROPERTY(QDateTime lastChecked READ lastChecked NOTIFY lastCheckedChanged)

public:
    static constexpr int kRefreshMs = 2000;
    static constexpr int kCoalesceMs = 250;
    static constexpr qint64 kStartupGraceMs = 120000;

    explicit DashboardModel(Server *server, QObject *parent = nullptr);
    ~DashboardModel() override;

    QString overallStatus() const { return m_overallStatus; }
    QVariantList components() const { return m_components; }
    QVariantList services() const { return m_services; }
    QString serverUrl() const { return m_serverUrl; }
    QString version() const;
    QString dataDir() const;
    QDateTime lastChecked() const { return m_lastChecked; }

    Q_INVOKABLE void refresh();
    Q_INVOKABLE void copyToClipboard(const QString &text) const;
    Q_INVOKABLE void openServerUrl() const;

    // Stops refreshing and waits for a check in flight (called once the event loop is ending,
    // before the server stops).
    void shutdown();

Q_SIGNALS:
    void overallStatusChanged();
    void componentsChanged();
    void servicesChanged();
    void lastCheckedChanged();

private:
    // The translated name of a Supervisor state ("running" -> "Running").
    static QString stateLabel(const QString &state);

    void applyReport(const QJsonObject &report);
    void updateServices();
    void updateOverallStatus();

    Server *m_server;
    QThreadPool m_pool;
    QTimer m_refreshTimer;
    QTimer m_coalesceTimer;
    QElapsedTimer m_age;
    bool m_inFlight = false;
    bool m_shutdown = false;
    bool m_everReady = false;

    QString m_reportedStatus; // the last report's "status", empty before the first
    QString m_overallStatus = QStringLiteral("starting");
    QVariantList m_components;
    QVariantList m_services;
    QString m_serverUrl;
    QDateTime m_lastChecked;
};

} // namespace Revenge
