#include "Server.h"
#include "TestEnvironment.h"
#include "core/SecretStore.h"
#include "gui/DashboardModel.h"
#include "gui/GuiShell.h"
#include "services/ManagedService.h"
#include "services/Supervisor.h"

#include <QApplication>
#include <QQuickItem>
#include <QQuickWindow>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// The dashboard against a real server (offscreen): the model follows health without the GUI
// thread touching a socket, the QML window loads, and degraded mode shows.
class TestGuiDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void modelReportsRealHealth();
    void dashboardWindowLoads();
    void stoppedCacheShowsDegraded();

private:
    static QString componentStatus(const DashboardModel &model, const QString &name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<Server> m_server;
};

void TestGuiDashboard::initTestCase()
{
    m_dir = makeTempDir(QStringLiteral("revenge-gui"));
    m_secrets = std::make_unique<FileSecretStore>(m_dir->path() + QStringLiteral("/secrets.json"));
    Config config;
    config.server.host = QStringLiteral("127.0.0.1");
    config.server.port = 0;
    m_server = std::make_unique<Server>(config, m_dir->path() + QStringLiteral("/data"), m_secrets.get());
    QString error;
    QVERIFY2(m_server->start(&error), qPrintable(error));
}

void TestGuiDashboard::cleanupTestCase()
{
    if (m_server)
        m_server->stop();
}

QString TestGuiDashboard::componentStatus(const DashboardModel &model, const QString &name)
{
    for (const QVariant &v : model.components()) {
        const QVariantMap c = v.toMap();
        if (c.value(QStringLiteral("name")).toString() == name)
            return c.value(QStringLiteral("status")).toString();
    }
    return {};
}

void TestGuiDashboard::modelReportsRealHealth()
{
    DashboardModel model(m_server.get());
    QCOMPARE(model.overallStatus(), QStringLiteral("starting"));
    QCOMPARE(model.serverUrl(), QStringLiteral("http://localhost:%1").arg(m_server->httpPort()));
    QVERIFY(waitUntil([&] { return model.overallStatus() == QLatin1String("healthy"); }, 120000));
    QCOMPARE(model.components().size(), 5);
    QCOMPARE(componentStatus(model, QStringLiteral("database")), QStringLiteral("healthy"));
    QVERIFY(model.lastChecked().isValid());
    QStringList names;
    for (const QVariant &v : model.services())
        names << v.toMap().value(QStringLiteral("name")).toString();
    QVERIFY(names.contains(QStringLiteral("database")));
    QVERIFY(names.contains(QStringLiteral("cache")));
    model.shutdown();
}

void TestGuiDashboard::dashboardWindowLoads()
{
    GuiShell shell(m_server.get());
    QQuickWindow *window = nullptr;
    QVERIFY(waitUntil([&] {
        for (QWindow *w : QGuiApplication::topLevelWindows())
            if (auto *q = qobject_cast<QQuickWindow *>(w); q && q->isVisible())
                window = q;
        return window != nullptr;
    }, 10000));
    QVERIFY(window->title().contains(QStringLiteral("Revenge")));
    // The QML tree was built from the module (no load errors): it has content.
    QVERIFY(!window->contentItem()->childItems().isEmpty());
}

void TestGuiDashboard::stoppedCacheShowsDegraded()
{
    DashboardModel model(m_server.get());
    QVERIFY(waitUntil([&] { return model.overallStatus() == QLatin1String("healthy"); }, 60000));
    ManagedService *cache = m_server->supervisor()->service(QStringLiteral("cache"));
    cache->stop();
    QVERIFY(waitUntil([&] { return model.overallStatus() == QLatin1String("degraded"); }, 20000));
    QCOMPARE(componentStatus(model, QStringLiteral("cache")), QStringLiteral("degraded"));
    cache->start();
    QVERIFY(waitUntil([&] { return model.overallStatus() == QLatin1String("healthy"); }, 30000));
    model.shutdown();
}

QTEST_MAIN(TestGuiDashboard)
#include "tst_gui_dashboard.moc"
