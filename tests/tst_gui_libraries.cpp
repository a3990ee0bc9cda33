#include "Server.h"
#include "TestEnvironment.h"
#include "core/SecretStore.h"
#include "gui/DashboardModel.h"
#include "gui/JobsModel.h"
#include "gui/LibrariesModel.h"
#include "gui/TasksModel.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"
#include "library/LibraryRepository.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QMutex>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QUuid>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;

namespace {

// Every warning from QML (load errors, binding errors, TypeErrors, console.warn), from any
// thread: the pages must load and update without one.
QMutex g_warningsMutex;
QStringList g_qmlWarnings;
QtMessageHandler g_previousHandler = nullptr;

void recordQmlWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray category = context.category ? QByteArray(context.category) : QByteArray();
    if (type != QtDebugMsg && type != QtInfoMsg &&
        (category.startsWith("qml") || category.startsWith("js") || category.startsWith("qt.qml") ||
         message.contains(QLatin1String(".qml")))) {
        QMutexLocker lock(&g_warningsMutex);
        g_qmlWarnings << message;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

QStringList takeWarnings()
{
    QMutexLocker lock(&g_warningsMutex);
    return std::exchange(g_qmlWarnings, {});
}

// REVENGE_SCREENSHOT_DIR=<dir>: save what the page looks like, to look at by hand.
void saveScreenshot(QQuickWindow *window, const QString &name)
{
    const QString dir = qEnvironmentVariable("REVENGE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        window->grabWindow().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

} // namespace

// The Libraries and Tasks pages against a real server (offscreen): the models read libraries,
// scans and scheduled tasks on their own threads, "Scan now" and "Run now" queue real jobs that
// the server's executor runs, and the QML pages load and update without a warning.
class TestGuiLibraries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void librariesModelScans();
    void librariesModelRefusesBadIds();
    void tasksModelListsAndRuns();
    void pagesLoadWithoutWarnings();

private:
    QString touch(const QString &relative);
    static QVariantMap row(const QVariantList &rows, const QString &key, const QString &value);
    QVariantMap library(const LibrariesModel &model) const
    {
        return row(model.libraries(), QStringLiteral("id"), m_libraryId);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QTemporaryDir> m_media;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<Server> m_server;
    QString m_libraryId;
};

void TestGuiLibraries::initTestCase()
{
    g_previousHandler = qInstallMessageHandler(recordQmlWarnings);
    m_dir = makeTempDir(QStringLiteral("revenge-gui-lib"));
    m_media = makeTempDir(QStringLiteral("revenge-gui-media"));
    m_secrets = std::make_unique<FileSecretStore>(m_dir->path() + QStringLiteral("/secrets.json"));
    Config config;
    config.server.host = QStringLiteral("127.0.0.1");
    config.server.port = 0;
    m_server =
        std::make_unique<Server>(config, m_dir->path() + QStringLiteral("/data"), m_secrets.get());
    QString error;
    QVERIFY2(m_server->start(&error), qPrintable(error));
    QVERIFY(waitUntil([&] { return m_server->jobs() && m_server->jobs()->isRunning(); }, 120000));

    touch(QStringLiteral("Alien (1979).mkv"));
    touch(QStringLiteral("Heat (1995)/Heat (1995).mkv"));
    touch(QStringLiteral("Brazil.1985.1080p.BluRay.x264-GRP.mkv"));
    const auto created =
        LibraryRepository(m_server->database())
            .create(QStringLiteral("Films"), QStringLiteral("movies"), {m_media->path()}, &error);
    QVERIFY2(created, qPrintable(error));
    m_libraryId = created->id;
}

void TestGuiLibraries::cleanupTestCase()
{
    if (m_server)
        m_server->stop();
    qInstallMessageHandler(g_previousHandler);
}

QString TestGuiLibraries::touch(const QString &relative)
{
    const QString path = m_media->path() + QLatin1Char('/') + relative;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(QByteArray(1000, 'x'));
    return path;
}

QVariantMap TestGuiLibraries::row(const QVariantList &rows, const QString &key,
                                  const QString &value)
{
    for (const QVariant &v : rows) {
        const QVariantMap m = v.toMap();
        if (m.value(key).toString() == value)
            return m;
    }
    return {};
}

void TestGuiLibraries::librariesModelScans()
{
    LibrariesModel model(m_server.get());
    QVERIFY(waitUntil([&] { return !library(model).isEmpty(); }, 10000));
    QVERIFY(model.available());
    QVariantMap l = library(model);
    QCOMPARE(l.value(QStringLiteral("name")).toString(), QStringLiteral("Films"));
    QCOMPARE(l.value(QStringLiteral("type")).toString(), QStringLiteral("movies"));
    QCOMPARE(l.value(QStringLiteral("paths")).toStringList(), QStringList{m_media->path()});
    QVERIFY(!l.value(QStringLiteral("hasScan")).toBool());
    QVERIFY(l.value(QStringLiteral("status")).toString().isEmpty());
    QVERIFY(!l.value(QStringLiteral("running")).toBool());
    QVERIFY(!l.value(QStringLiteral("queued")).toBool());

    // With its queue paused the scan job waits: the model shows it queued.
    QString error;
    JobClient client(m_server->database());
    QVERIFY2(client.pauseQueue(QStringLiteral("default"), &error), qPrintable(error));
    model.scanNow(m_libraryId);
    QVERIFY(model.pending().contains(m_libraryId));
    QVERIFY(
        waitUntil([&] { return library(model).value(QStringLiteral("queued")).toBool(); }, 10000));
    QVERIFY(model.pending().isEmpty());
    QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
    QVERIFY(!library(model).value(QStringLiteral("hasScan")).toBool());
    // A second "Scan now" while one is queued does not queue another.
    model.scanNow(m_libraryId);
    QVERIFY(waitUntil([&] { return model.pending().isEmpty(); }, 10000));
    QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));

    QVERIFY2(client.resumeQueue(QStringLiteral("default"), &error), qPrintable(error));
    QVERIFY(waitUntil(
        [&] {
            return library(model).value(QStringLiteral("status")).toString() ==
                   QLatin1String("completed");
        },
        60000));
    l = library(model);
    QCOMPARE(l.value(QStringLiteral("scanned")).toLongLong(), 3);
    QCOMPARE(l.value(QStringLiteral("added")).toLongLong(), 3);
    QCOMPARE(l.value(QStringLiteral("errors")).toLongLong(), 0);
    QVERIFY(l.value(QStringLiteral("hasScan")).toBool());
    QVERIFY(l.value(QStringLiteral("durationMs")).toLongLong() >= 0);
    QVERIFY(l.value(QStringLiteral("startedAt")).toDateTime().isValid());
    QVERIFY(l.value(QStringLiteral("finishedAt")).toDateTime().isValid());
    QVERIFY(l.value(QStringLiteral("error")).toString().isEmpty());
    QVERIFY(waitUntil(
        [&] {
            return !library(model).value(QStringLiteral("running")).toBool() &&
                   !library(model).value(QStringLiteral("queued")).toBool();
        },
        10000));
    // Exactly one scan ran for the two clicks.
    const auto scans = LibraryRepository(m_server->database()).scans(m_libraryId, 20, &error);
    QVERIFY2(scans, qPrintable(error));
    QCOMPARE(scans->size(), 1);
    QCOMPARE(l.value(QStringLiteral("scanId")).toLongLong(), scans->first().id);

    // A second scan: nothing changed, the counters say so.
    const qint64 firstScan = scans->first().id;
    model.scanNow(m_libraryId);
    QVERIFY(waitUntil(
        [&] {
            const QVariantMap r = library(model);
            return r.value(QStringLiteral("scanId")).toLongLong() > firstScan &&
                   r.value(QStringLiteral("status")).toString() == QLatin1String("completed");
        },
        60000));
    l = library(model);
    QCOMPARE(l.value(QStringLiteral("scanned")).toLongLong(), 3);
    QCOMPARE(l.value(QStringLiteral("added")).toLongLong(), 0);
    QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));

    // Not active: no periodic refresh (a new library does not show until it is active again).
    model.setActive(false);
    QTest::qWait(300); // let a refresh in flight land
    const QDateTime before = model.lastRefreshed();
    QTest::qWait(int(LibrariesModel::kRefreshMs * 1.5));
    QCOMPARE(model.lastRefreshed(), before);
    model.setActive(true);
    QVERIFY(waitUntil([&] { return model.lastRefreshed() != before; }, 5000));

    model.shutdown();
    model.scanNow(m_libraryId);
    QVERIFY(model.pending().isEmpty());
}

void TestGuiLibraries::librariesModelRefusesBadIds()
{
    LibrariesModel model(m_server.get());
    model.scanNow(QStringLiteral("not-a-uuid"));
    QVERIFY(model.pending().isEmpty());
    QVERIFY2(model.lastError().contains(QStringLiteral("'not-a-uuid' is not a library id")),
             qPrintable(model.lastError()));
    model.clearError();
    QVERIFY(model.lastError().isEmpty());

    const QString unknown = QUuid::createUuid().toString(QUuid::WithoutBraces);
    model.scanNow(unknown);
    QVERIFY(waitUntil([&] { return !model.lastError().isEmpty(); }, 10000));
    QVERIFY2(model.lastError().contains(QStringLiteral("not found")),
             qPrintable(model.lastError()));
    QVERIFY(model.pending().isEmpty());
    // Nothing was queued for it.
    QString error;
    JobFilter filter;
    filter.kind = QStringLiteral("library.scan");
    const auto jobs = JobClient(m_server->database()).list(filter, &error);
    QVERIFY2(jobs, qPrintable(error));
    for (const Job &j : *jobs)
        QVERIFY(j.args.value(QStringLiteral("library_id")).toString() != unknown);
    model.shutdown();
}

void TestGuiLibraries::tasksModelListsAndRuns()
{
    TasksModel model(m_server.get());
    // The tasks come from the configuration: listed before the first read.
    QStringList names;
    for (const QVariant &v : model.tasks())
        names << v.toMap().value(QStringLiteral("name")).toString();
    QCOMPARE(names, (QStringList{QStringLiteral("library_scan"), QStringLiteral("metadata_refresh"),
                                 QStringLiteral("session_cleanup"), QStringLiteral("image_trim")}));

    // session_cleanup runs at start.
    const auto task = [&](const QString &name) {
        return row(model.tasks(), QStringLiteral("name"), name);
    };
    QVERIFY(waitUntil(
        [&] {
            return task(QStringLiteral("session_cleanup"))
                       .value(QStringLiteral("lastRunState"))
                       .toString() == QLatin1String("completed");
        },
        60000));
    QVERIFY(model.available());
    QVERIFY(model.lastRefreshed().isValid());
    for (const QVariant &v : model.tasks()) {
        const QVariantMap t = v.toMap();
        QVERIFY(t.value(QStringLiteral("enabled")).toBool());
        QVERIFY2(t.value(QStringLiteral("nextRun")).toDateTime() > QDateTime::currentDateTime(),
                 qPrintable(t.value(QStringLiteral("name")).toString()));
        QVERIFY(!t.value(QStringLiteral("description")).toString().isEmpty());
    }
    QCOMPARE(task(QStringLiteral("session_cleanup")).value(QStringLiteral("schedule")).toString(),
             QStringLiteral("1h"));
    QVERIFY(task(QStringLiteral("session_cleanup"))
                .value(QStringLiteral("lastRunAt"))
                .toDateTime()
                .isValid());

    // Run now: a new job of the task's kind, which the executor runs.
    const QVariantMap before = task(QStringLiteral("image_trim"));
    const qint64 previous = before.value(QStringLiteral("lastRunJobId")).toLongLong();
    model.runNow(QStringLiteral("image_trim"));
    QVERIFY(model.pending().contains(QStringLiteral("image_trim")));
    QVERIFY(waitUntil(
        [&] {
            const QVariantMap t = task(QStringLiteral("image_trim"));
            return t.value(QStringLiteral("lastRunJobId")).toLongLong() > previous &&
                   t.value(QStringLiteral("lastRunState")).toString() == QLatin1String("completed");
        },
        60000));
    QVERIFY(model.pending().isEmpty());
    QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
    const QVariantMap after = task(QStringLiteral("image_trim"));
    QVERIFY(after.value(QStringLiteral("hasLastRun")).toBool());
    QVERIFY(after.value(QStringLiteral("lastRunAt")).toDateTime().isValid());
    QVERIFY(after.value(QStringLiteral("lastRunError")).toString().isEmpty());
    QString error;
    const auto job = JobClient(m_server->database())
                         .get(after.value(QStringLiteral("lastRunJobId")).toLongLong(), &error);
    QVERIFY2(job, qPrintable(error));
    QCOMPARE(job->kind, QStringLiteral("images.trim"));
    QVERIFY(job->metadata.value(QStringLiteral("manual")).toBool());

    // An unknown task is refused at once, naming it.
    model.runNow(QStringLiteral("no_such_task"));
    QVERIFY(model.pending().isEmpty());
    QVERIFY2(model.lastError().contains(QStringLiteral("no task named 'no_such_task'")),
             qPrintable(model.lastError()));
    model.clearError();
    model.shutdown();
}

void TestGuiLibraries::pagesLoadWithoutWarnings()
{
    takeWarnings();
    DashboardModel dashboard(m_server.get());
    JobsModel jobs(m_server.get());
    LibrariesModel libraries(m_server.get());
    TasksModel tasks(m_server.get());
    {
        QQmlApplicationEngine engine;
        QStringList engineWarnings;
        connect(&engine, &QQmlApplicationEngine::warnings, this,
                [&](const QList<QQmlError> &warnings) {
                    for (const QQmlError &w : warnings)
                        engineWarnings << w.toString();
                });
        engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        engine.setInitialProperties({{QStringLiteral("dashboard"), QVariant::fromValue(&dashboard)},
                                     {QStringLiteral("jobs"), QVariant::fromValue(&jobs)},
                                     {QStringLiteral("libraries"), QVariant::fromValue(&libraries)},
                                     {QStringLiteral("tasks"), QVariant::fromValue(&tasks)}});
        engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Revenge/Dashboard/Main.qml")));
        QCOMPARE(engine.rootObjects().size(), 1);
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().first());
        QVERIFY(window);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));

        auto *librariesPage = window->findChild<QQuickItem *>(QStringLiteral("librariesPage"));
        auto *tasksPage = window->findChild<QQuickItem *>(QStringLiteral("tasksPage"));
        QVERIFY(librariesPage);
        QVERIFY(tasksPage);
        QObject *tabs = window->findChild<QObject *>(QStringLiteral("tabs"));
        QVERIFY(tabs);
        // Hidden pages do not poll.
        QVERIFY(!librariesPage->isVisible());
        QVERIFY(!libraries.active());
        QVERIFY(!tasks.active());

        // The visible Text items under a page (delegates are visual children, not QObject
        // children).
        const std::function<void(QQuickItem *, QStringList &)> collect =
            [&collect](QQuickItem *item, QStringList &out) {
                if (!item->isVisible())
                    return;
                if (item->inherits("QQuickText"))
                    out << item->property("text").toString();
                for (QQuickItem *child : item->childItems())
                    collect(child, out);
            };
        const auto texts = [&collect](QQuickItem *root) {
            QStringList out;
            collect(root, out);
            return out;
        };

        // The Libraries page: the library's card with its name, folder and last scan.
        tabs->setProperty("currentIndex", 3);
        QVERIFY(waitUntil([&] { return librariesPage->isVisible(); }, 5000));
        QVERIFY(libraries.active());
        QVERIFY(!tasks.active());
        QVERIFY(waitUntil(
            [&] {
                const QStringList t = texts(librariesPage);
                return t.contains(QStringLiteral("Films")) && t.contains(m_media->path()) &&
                       t.contains(QStringLiteral("Scan now"));
            },
            10000));
        // Scanning from the page's model while the page shows: its card follows the scan.
        const qint64 lastScan = library(libraries).value(QStringLiteral("scanId")).toLongLong();
        libraries.scanNow(m_libraryId);
        QVERIFY(waitUntil(
            [&] {
                const QVariantMap r = library(libraries);
                return r.value(QStringLiteral("scanId")).toLongLong() > lastScan &&
                       r.value(QStringLiteral("status")).toString() == QLatin1String("completed");
            },
            60000));
        QTest::qWait(300);
        saveScreenshot(window, QStringLiteral("libraries"));

        // The Tasks page: one row per task, each with "Run now".
        tabs->setProperty("currentIndex", 4);
        QVERIFY(waitUntil([&] { return tasksPage->isVisible(); }, 5000));
        QVERIFY(tasks.active());
        QVERIFY(!libraries.active());
        QVERIFY2(waitUntil(
                     [&] {
                         const QStringList t = texts(tasksPage);
                         return t.count(QStringLiteral("Run now")) == 4 &&
                                t.contains(QStringLiteral("Library scan")) &&
                                t.contains(QStringLiteral("Image cache trim")) &&
                                t.contains(QStringLiteral("Every 1h"));
                     },
                     10000),
                 qPrintable(texts(tasksPage).join(QLatin1Char('|'))));
        tasks.runNow(QStringLiteral("session_cleanup"));
        QVERIFY(waitUntil([&] { return tasks.pending().isEmpty(); }, 10000));
        QTest::qWait(TasksModel::kRefreshMs + 500); // a periodic refresh lands while shown
        saveScreenshot(window, QStringLiteral("tasks"));

        QVERIFY2(engineWarnings.isEmpty(), qPrintable(engineWarnings.join(QLatin1Char('\n'))));
        const QStringList warnings = takeWarnings();
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
    }
    dashboard.shutdown();
    jobs.shutdown();
    libraries.shutdown();
    tasks.shutdown();
}

QTEST_MAIN(TestGuiLibraries)
#include "tst_gui_libraries.moc"
