#include "DashboardModel.h"

#include "GuiLogging.h"
#include "Server.h"
#include "services/HealthMonitor.h"
#include "services/Supervisor.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QFuture>
#include <QGuiApplication>
#include <QUrl>
#include <QtConcurrent>
#include <exception>

namespace Revenge {

namespace {

// The order the dashboard shows the components in; anything else the report has comes after.
const QStringList kComponentOrder{QStringLiteral("database"), QStringLiteral("cache"),
                                  QStringLiteral("search"), QStringLiteral("jobs"),
                                  QStringLiteral("http")};

QVariantMap fact(const QString &label, const QString &value)
{
    return {{QStringLiteral("label"), label}, {QStringLiteral("value"), value}};
}

} // namespace

QString DashboardModel::stateLabel(const QString &state)
{
    if (state == QLatin1String("stopped"))
        return tr("Stopped");
    if (state == QLatin1String("starting"))
        return tr("Starting");
    if (state == QLatin1String("running"))
        return tr("Running");
    if (state == QLatin1String("restarting"))
        return tr("Restarting");
    if (state == QLatin1String("failed"))
        return tr("Failed");
    if (state == QLatin1String("external"))
        return tr("External");
    return state;
}

DashboardModel::DashboardModel(Server *server, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_serverUrl(QStringLiteral("http://localhost:%1").arg(server->httpPort()))
{
    // One thread, kept alive: it keeps its own pooled database connection between checks.
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
    m_pool.setObjectName(QStringLiteral("dashboard-health"));
    m_age.start();

    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &DashboardModel::refresh);
    m_refreshTimer.start();

    m_coalesceTimer.setSingleShot(true);
    m_coalesceTimer.setInterval(kCoalesceMs);
    connect(&m_coalesceTimer, &QTimer::timeout, this, [this] {
        updateServices();
        refresh(); // a service changed: the health report is likely to change too
    });

    if (Supervisor *supervisor = m_server->supervisor()) {
        // Emitted on the main thread today; AutoConnection queues it should that ever change.
        connect(supervisor, &Supervisor::serviceChanged, this, [this] {
            if (!m_coalesceTimer.isActive() && !m_shutdown)
                m_coalesceTimer.start();
        });
    }
    connect(m_server, &Server::databaseReady, this, [this] {
        m_everReady = true;
        refresh();
    });

    updateServices();
    QTimer::singleShot(0, this, &DashboardModel::refresh);
}

DashboardModel::~DashboardModel()
{
    shutdown();
}

QString DashboardModel::version() const
{
    return QCoreApplication::applicationVersion();
}

QString DashboardModel::dataDir() const
{
    return m_server->dataDir();
}

void DashboardModel::shutdown()
{
    m_shutdown = true;
    m_refreshTimer.stop();
    m_coalesceTimer.stop();
    // A check takes milliseconds (a few seconds at worst, with its timeouts); this runs only
    // while the application quits, so the server is not stopped under a running check.
    m_pool.waitForDone();
}

void DashboardModel::refresh()
{
    if (m_inFlight || m_shutdown)
        return; // the running check's report is on its way
    HealthMonitor *health = m_server->health();
    if (!health)
        return;
    m_inFlight = true;
    QtConcurrent::run(&m_pool, [health] {
        return health->check();
    }).then(this, [this](QFuture<QJsonObject> future) {
        m_inFlight = false;
        try {
            applyReport(future.result());
        } catch (const std::exception &e) {
            qCWarning(lcGui) << "health check failed:" << e.what();
        } catch (...) {
            qCWarning(lcGui) << "health check failed";
        }
    });
}

void DashboardModel::copyToClipboard(const QString &text) const
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

void DashboardModel::openServerUrl() const
{
    QDesktopServices::openUrl(QUrl(m_serverUrl));
}

void DashboardModel::applyReport(const QJsonObject &report)
{
    if (m_shutdown || report.isEmpty())
        return;

    const QJsonObject components = report.value(QStringLiteral("components")).toObject();
    QStringList names;
    for (const QString &name : kComponentOrder)
        if (components.contains(name))
            names << name;
    for (auto it = components.begin(); it != components.end(); ++it)
        if (!names.contains(it.key()))
            names << it.key();

    QVariantList list;
    for (const QString &name : names) {
        const QJsonObject c = components.value(name).toObject();
        QVariantList facts;
        if (c.contains(QStringLiteral("server")))
            facts << fact(tr("Server"), c.value(QStringLiteral("server")).toString());
        if (c.contains(QStringLiteral("engine")))
            facts << fact(tr("Engine"), c.value(QStringLiteral("engine")).toString());
        if (c.contains(QStringLiteral("pool"))) {
            const QJsonObject pool = c.value(QStringLiteral("pool")).toObject();
            facts << fact(tr("Connections"), tr("%1 of %2 in use")
                                                 .arg(pool.value(QStringLiteral("in_use")).toInt())
                                                 .arg(pool.value(QStringLiteral("size")).toInt()));
        }
        if (c.contains(QStringLiteral("requests")))
            facts << fact(tr("Requests"),
                          QString::number(c.value(QStringLiteral("requests")).toInteger()));
        if (c.contains(QStringLiteral("service_state")))
            facts << fact(tr("Process"),
                          stateLabel(c.value(QStringLiteral("service_state")).toString()));
        if (c.contains(QStringLiteral("pid")))
            facts << fact(tr("PID"), QString::number(c.value(QStringLiteral("pid")).toInteger()));
        if (c.contains(QStringLiteral("restarts")))
            facts << fact(tr("Restarts"),
                          QString::number(c.value(QStringLiteral("restarts")).toInt()));
        if (c.contains(QStringLiteral("service_detail")))
            facts << fact(tr("Service"), c.value(QStringLiteral("service_detail")).toString());

        list << QVariantMap{
            {QStringLiteral("name"), name},
            {QStringLiteral("status"), c.value(QStringLiteral("status")).toString()},
            {QStringLiteral("latencyMs"), c.value(QStringLiteral("latency_ms")).toDouble()},
            {QStringLiteral("version"), c.value(QStringLiteral("version")).toString()},
            {QStringLiteral("managed"), c.value(QStringLiteral("managed")).toBool()},
            {QStringLiteral("detail"), c.value(QStringLiteral("detail")).toString()},
            {QStringLiteral("facts"), facts},
        };
    }
    if (list != m_components) {
        m_components = list;
        Q_EMIT componentsChanged();
    }

    const QString database = components.value(QStringLiteral("database"))
                                 .toObject()
                                 .value(QStringLiteral("status"))
                                 .toString();
    if (database == QLatin1String("healthy"))
        m_everReady = true;
    m_reportedStatus = report.value(QStringLiteral("status")).toString();
    updateOverallStatus();

    QDateTime checked = QDateTime::fromString(report.value(QStringLiteral("checked_at")).toString(),
                                              Qt::ISODateWithMs);
    checked = checked.isValid() ? checked.toLocalTime() : QDateTime::currentDateTime();
    if (checked != m_lastChecked) {
        m_lastChecked = checked;
        Q_EMIT lastCheckedChanged();
    }
}

void DashboardModel::updateServices()
{
    Supervisor *supervisor = m_server->supervisor();
    if (!supervisor)
        return;
    QVariantList list;
    const QList<ServiceStatus> snapshot = supervisor->snapshot();
    for (const ServiceStatus &s : snapshot) {
        list << QVariantMap{
            {QStringLiteral("name"), s.name},
            {QStringLiteral("state"), serviceStateName(s.state)},
            {QStringLiteral("detail"), s.detail},
            {QStringLiteral("pid"), s.pid},
            {QStringLiteral("restarts"), s.restarts},
            {QStringLiteral("port"), int(s.port)},
            {QStringLiteral("version"), s.version},
        };
    }
    if (list != m_services) {
        m_services = list;
        Q_EMIT servicesChanged();
    }
    updateOverallStatus();
}

void DashboardModel::updateOverallStatus()
{
    bool anyFailed = false;
    for (const QVariant &s : std::as_const(m_services))
        if (s.toMap().value(QStringLiteral("state")).toString() == QLatin1String("failed"))
            anyFailed = true;

    QString status = m_reportedStatus;
    if (status.isEmpty())
        status = QStringLiteral("starting");
    else if (status == QLatin1String("unhealthy") && !m_everReady && !anyFailed &&
             m_age.elapsed() < kStartupGraceMs)
        status = QStringLiteral("starting"); // PostgreSQL is still coming up
    if (status != m_overallStatus) {
        m_overallStatus = status;
        Q_EMIT overallStatusChanged();
    }
}

} // namespace Revenge
