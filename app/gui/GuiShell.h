#pragma once

#include <QObject>
#include <QPointer>
#include <QSystemTrayIcon>
#include <QTranslator>
#include <memory>

class QMenu;
class QQmlApplicationEngine;
class QQuickWindow;

namespace Revenge {

class DashboardModel;
class JobsModel;
class LibrariesModel;
class TasksModel;
class Server;

// The desktop face of a running Server: a tray icon whose colour follows the health report,
// its menu (open the dashboard, copy the server URL, quit) and the QML dashboard window.
// Lives on the GUI thread; needs a QApplication. Closing the window keeps Revenge running in
// the tray; without a system tray, closing the window quits.
class GuiShell : public QObject
{
    Q_OBJECT

public:
    explicit GuiShell(Server *server, QObject *parent = nullptr);
    ~GuiShell() override;

    void showDashboard();
    void copyServerUrl();

private:
    void loadTranslations();
    void loadDashboard();
    void createTray();
    void updateStatus();

    Server *m_server;
    QTranslator m_translator;
    std::unique_ptr<DashboardModel> m_model;
    std::unique_ptr<JobsModel> m_jobs;
    std::unique_ptr<LibrariesModel> m_libraries;
    std::unique_ptr<TasksModel> m_tasks;
    std::unique_ptr<QQmlApplicationEngine> m_engine; // after the models: destroyed before them
    QPointer<QQuickWindow> m_window;
    std::unique_ptr<QMenu> m_menu;
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace Revenge
