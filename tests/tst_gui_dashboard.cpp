#include "Server.h"
#include "TestEnvironment.h"
#include "core/SecretStore.h"
#include "gui/DashboardModel.h"
#include "gui/GuiShell.h"
#include "gui/JobsModel.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"
#include "services/ManagedService.h"
#include "services/Supervisor.h"

#include <QApplication>
#include <QQuickItem>
#include <QQuickWindow>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

// The dashboard against a real server (offscreen): the model follows health without the GUI
// thread touching a socket, the QML window loads (with its Queues page), the jobs model shows
// the real queues and pauses/retries through the database, and degraded mode shows.
class TestGuiDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void modelReportsRealHealth();
    void dashboardWindowLoads();
    void jobsModelShowsQueues();
    void jobsModelRetriesFailedJob();
    void stoppedCacheShowsDegraded();

private:
    static QString componentStatus(const DashboardModel &model, const QString &name);
    static QVariantMap queue(const JobsModel &model, const QString &name);
    static QVariantMap latestError(const JobsModel &model, qint64 id);

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
    m_server =
        std::make_unique<Server>(config, m_dir->path() + QStringLiteral("/data"), m_secrets.get());
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

QVariantMap TestGuiDashboard::queue(const JobsModel &model, const QString &name)
{
    for (const QVariant &v : model.queues()) {
        const QVariantMap q = v.toMap();
        if (q.value(QStringLiteral("name")).toString() == name)
            return q;
    }
    return {};
}

QVariantMap TestGuiDashboard::latestError(const JobsModel &model, qint64 id)
{
    for (const QVariant &v : model.latestErrors()) {
        const QVariantMap e = v.toMap();
        if (e.value(QStringLiteral("id")).toLongLong() == id)
            return e;
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
    QVERIFY(waitUntil(
        [&] {
            for (QWindow *w : QGuiApplication::topLevelWindows())
                if (auto *q = qobject_cast<QQuickWindow *>(w); q && q->isVisible())
                    window = q;
            return window != nullptr;
        },
        10000));
    QVERIFY(window->title().contains(QStringLiteral("Revenge")));
    // The QML tree was built from the module (no load errors): it has content.
    QVERIFY(!window->contentItem()->childItems().isEmpty());
    // The third tab's page was built too (a QML error in it would leave it out).
    QVERIFY(window->findChild<QQuickItem *>(QStringLiteral("queuesPage")));
}

void TestGuiDashboard::jobsModelShowsQueues()
{
    QVERIFY(waitUntil([&] { return m_server->jobs() && m_server->jobs()->isRunning(); }, 120000));
    JobsModel model(m_server.get());
    const auto count = [&](const QString &name, const QString &state) {
        return queue(model, name).value(QStringLiteral("counts")).toMap().value(state).toLongLong();
    };
    // The built-in start-up job: sessions.cleanup, run once in "low" as soon as a leader is
    // elected.
    QVERIFY(waitUntil(
        [&] {
            return model.available() &&
                   count(QStringLiteral("low"), QStringLiteral("completed")) >= 1;
        },
        60000));
    QCOMPARE(count(QStringLiteral("low"), QStringLiteral("completed")), 1);
    QStringList names;
    for (const QVariant &v : model.queues())
        names << v.toMap().value(QStringLiteral("name")).toString();
    QCOMPARE(names, (QStringList{QStringLiteral("default"), QStringLiteral("high"),
                                 QStringLiteral("low")}));
    QCOMPARE(queue(model, QStringLiteral("default")).value(QStringLiteral("workers")).toInt(), 5);
    QCOMPARE(queue(model, QStringLiteral("high")).value(QStringLiteral("workers")).toInt(), 10);
    QCOMPARE(queue(model, QStringLiteral("low")).value(QStringLiteral("workers")).toInt(), 2);
    QVERIFY(!queue(model, QStringLiteral("low")).value(QStringLiteral("paused")).toBool());
    QCOMPARE(model.clientId(), m_server->jobs()->clientId());
    QVERIFY(model.leader()); // the only executor on this database

    // Pausing goes through the database on the model's worker thread, then refreshes.
    model.pauseQueue(QStringLiteral("low"));
    QVERIFY(model.pending().contains(QStringLiteral("queue:low")));
    QVERIFY(waitUntil(
        [&] {
            return queue(model, QStringLiteral("low")).value(QStringLiteral("paused")).toBool();
        },
        10000));
    QVERIFY(model.pending().isEmpty());
    QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
    QVERIFY(!queue(model, QStringLiteral("default")).value(QStringLiteral("paused")).toBool());
    model.resumeQueue(QStringLiteral("low"));
    QVERIFY(waitUntil(
        [&] {
            return !queue(model, QStringLiteral("low")).value(QStringLiteral("paused")).toBool();
        },
        10000));
    QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));

    // After shutdown the model neither refreshes nor acts.
    model.shutdown();
    model.pauseQueue(QStringLiteral("low"));
    QVERIFY(model.pending().isEmpty());
    QTest::qWait(300);
    QVERIFY(model.pending().isEmpty());
    auto infos = JobClient(m_server->database()).queues();
    QVERIFY(infos);
    for (const QueueInfo &q : *infos)
        QVERIFY2(!q.paused, qPrintable(q.name));
}

void TestGuiDashboard::jobsModelRetriesFailedJob()
{
    QVERIFY(waitUntil([&] { return m_server->jobs() && m_server->jobs()->isRunning(); }, 120000));
    // A kind no worker handles fails its attempt at once: with one attempt allowed it is discarded.
    InsertOptions options;
    options.queue = QStringLiteral("high");
    options.maxAttempts = 1;
    QString error;
    const auto inserted =
        JobClient(m_server->database()).insert(QStringLiteral("test.nobody"), {}, options, &error);
    QVERIFY2(inserted, qPrintable(error));
    const qint64 id = inserted->job.id;

    JobsModel model(m_server.get());
    QVERIFY(waitUntil(
        [&] {
            return latestError(model, id).value(QStringLiteral("state")).toString() ==
                   QLatin1String("discarded");
        },
        20000));
    QVariantMap e = latestError(model, id);
    QCOMPARE(e.value(QStringLiteral("kind")).toString(), QStringLiteral("test.nobody"));
    QCOMPARE(e.value(QStringLiteral("queue")).toString(), QStringLiteral("high"));
    QCOMPARE(e.value(QStringLiteral("attempt")).toInt(), 1);
    QVERIFY(e.value(QStringLiteral("error")).toString().contains(QStringLiteral("no worker")));
    QVERIFY(e.value(QStringLiteral("at")).toDateTime().isValid());

    // Retry gives it one more attempt, which fails the same way.
    model.retryJob(id);
    QVERIFY(waitUntil(
        [&] { return latestError(model, id).value(QStringLiteral("attempt")).toInt() == 2; },
        20000));
    QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));

    // An action that the database refuses shows in lastError until dismissed.
    const qint64 missing = id + 1000000;
    model.cancelJob(missing);
    QVERIFY(waitUntil([&] { return !model.lastError().isEmpty(); }, 10000));
    QVERIFY2(model.lastError().contains(QStringLiteral("does not exist")),
             qPrintable(model.lastError()));
    model.clearError();
    QVERIFY(model.lastError().isEmpty());
    model.shutdown();
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
