#include "GuiShell.h"

#include "DashboardModel.h"
#include "GuiLogging.h"
#include "JobsModel.h"
#include "LibrariesModel.h"
#include "Server.h"
#include "TasksModel.h"

#include <QAction>
#include <QApplication>
#include <QIcon>
#include <QLocale>
#include <QMenu>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QUrl>

namespace Revenge {

namespace {

const QString kDashboardUrl = QStringLiteral("qrc:/qt/qml/Revenge/Dashboard/Main.qml");

QIcon iconFor(const QString &status)
{
    static const QStringList known{QStringLiteral("starting"), QStringLiteral("healthy"),
                                   QStringLiteral("degraded"), QStringLiteral("unhealthy")};
    const QString name = known.contains(status) ? status : QStringLiteral("unhealthy");
    return QIcon(QStringLiteral(":/icons/tray-%1.png").arg(name));
}

} // namespace

GuiShell::GuiShell(Server *server, QObject *parent)
    : QObject(parent)
    , m_server(server)
{
    loadTranslations();
    m_model = std::make_unique<DashboardModel>(server);
    connect(m_model.get(), &DashboardModel::overallStatusChanged, this, &GuiShell::updateStatus);
    // Stop the health checks before main() stops the server under them.
    connect(qApp, &QCoreApplication::aboutToQuit, m_model.get(), &DashboardModel::shutdown);
    m_jobs = std::make_unique<JobsModel>(server);
    connect(qApp, &QCoreApplication::aboutToQuit, m_jobs.get(), &JobsModel::shutdown);
    m_libraries = std::make_unique<LibrariesModel>(server);
    connect(qApp, &QCoreApplication::aboutToQuit, m_libraries.get(), &LibrariesModel::shutdown);
    m_tasks = std::make_unique<TasksModel>(server);
    connect(qApp, &QCoreApplication::aboutToQuit, m_tasks.get(), &TasksModel::shutdown);

    const bool tray = QSystemTrayIcon::isSystemTrayAvailable();
    // With a tray the window is only a view: closing it keeps the server running. Without one
    // there would be no way back to a closed window, so closing it quits.
    QApplication::setQuitOnLastWindowClosed(!tray);
    if (tray)
        createTray();
    else
        qCInfo(lcGui) << "no system tray available; closing the dashboard window quits Revenge";

    loadDashboard();
    updateStatus();
    showDashboard();
}

GuiShell::~GuiShell()
{
    delete m_tray; // before the menu it shows
    m_tray = nullptr;
    m_model->shutdown();
    m_jobs->shutdown();
    m_libraries->shutdown();
    m_tasks->shutdown();
    m_engine.reset(); // the QML objects refer to the model
}

void GuiShell::loadTranslations()
{
    // qt_add_translations embeds revenge_<locale>.qm under :/i18n.
    if (m_translator.load(QLocale(), QStringLiteral("revenge"), QStringLiteral("_"),
                          QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(&m_translator);
        qCDebug(lcGui) << "translation loaded:" << m_translator.filePath();
    }
}

void GuiShell::loadDashboard()
{
    m_engine = std::make_unique<QQmlApplicationEngine>();
    // Qt 6.4 does not search qrc:/qt/qml by default (6.5 does): the module's qmldir is there.
    m_engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    m_engine->setInitialProperties(
        {{QStringLiteral("dashboard"), QVariant::fromValue(m_model.get())},
         {QStringLiteral("jobs"), QVariant::fromValue(m_jobs.get())},
         {QStringLiteral("libraries"), QVariant::fromValue(m_libraries.get())},
         {QStringLiteral("tasks"), QVariant::fromValue(m_tasks.get())}});
    connect(m_engine.get(), &QQmlApplicationEngine::warnings, this,
            [](const QList<QQmlError> &warnings) {
                for (const QQmlError &w : warnings)
                    qCWarning(lcGui).noquote() << w.toString();
            });
    m_engine->load(QUrl(kDashboardUrl));
    const QList<QObject *> roots = m_engine->rootObjects();
    m_window = roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(roots.first());
    if (!m_window) {
        qCCritical(lcGui).noquote()
            << "cannot load the dashboard from" << kDashboardUrl << "; the server keeps running";
        if (!m_tray)
            QApplication::setQuitOnLastWindowClosed(false);
    }
}

void GuiShell::createTray()
{
    m_menu = std::make_unique<QMenu>();
    QAction *open = m_menu->addAction(tr("Open dashboard"));
    connect(open, &QAction::triggered, this, &GuiShell::showDashboard);
    QAction *copy = m_menu->addAction(tr("Copy server URL (%1)").arg(m_model->serverUrl()));
    connect(copy, &QAction::triggered, this, &GuiShell::copyServerUrl);
    m_menu->addSeparator();
    QAction *quit = m_menu->addAction(tr("Quit Revenge"));
    connect(quit, &QAction::triggered, qApp, &QCoreApplication::quit, Qt::QueuedConnection);

    m_tray = new QSystemTrayIcon(this);
    m_tray->setContextMenu(m_menu.get());
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    showDashboard();
            });
}

void GuiShell::showDashboard()
{
    if (!m_window)
        return;
    m_window->show();
    m_window->raise();
    m_window->requestActivate();
}

void GuiShell::copyServerUrl()
{
    m_model->copyToClipboard(m_model->serverUrl());
}

void GuiShell::updateStatus()
{
    const QString status = m_model->overallStatus();
    const QIcon icon = iconFor(status);
    QGuiApplication::setWindowIcon(icon);
    if (!m_tray)
        return;
    QString label;
    if (status == QLatin1String("starting"))
        label = tr("Starting");
    else if (status == QLatin1String("healthy"))
        label = tr("Healthy");
    else if (status == QLatin1String("degraded"))
        label = tr("Degraded");
    else
        label = tr("Unhealthy");
    m_tray->setIcon(icon);
    m_tray->setToolTip(tr("Revenge — %1\n%2").arg(label, m_model->serverUrl()));
    if (!m_tray->isVisible())
        m_tray->show();
}

} // namespace Revenge
