#include "Cli.h"
#include "Server.h"
#include "SignalWatcher.h"
#include "core/Logging.h"
#include "core/Paths.h"
#include "core/Startup.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QLockFile>

#ifdef REVENGE_WITH_GUI
#include "gui/GuiShell.h"

#include <QApplication>
#endif

#include <cstdio>
#include <memory>

using namespace Revenge;

namespace {

struct Invocation
{
    bool headless = false;
    bool command = false;
};

// The application object must exist before QCommandLineParser runs, and its type depends on
// the arguments: look at them once by hand.
Invocation scan(int argc, char **argv)
{
    Invocation inv;
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--headless")
            inv.headless = true;
        else if (a == "--config" || a == "-c" || a == "--data-dir" || a == "--port" ||
                 a == "--state" || a == "--queue" || a == "--kind" || a == "--limit" ||
                 a == "--type")
            ++i;
        else if (!a.startsWith('-')) {
            inv.command = Cli::isCommand(QString::fromLocal8Bit(a));
            break;
        }
    }
    const bool display =
        qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
    if (!display)
        inv.headless = true;
    return inv;
}

} // namespace

int main(int argc, char **argv)
{
    const Invocation inv = scan(argc, argv);
    std::unique_ptr<QCoreApplication> app;
#ifdef REVENGE_WITH_GUI
    if (!inv.headless && !inv.command)
        app = std::make_unique<QApplication>(argc, argv);
    else
#endif
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("revenge"));
    QCoreApplication::setOrganizationName(QStringLiteral("Revenge"));
    QCoreApplication::setApplicationVersion(QStringLiteral(REVENGE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Revenge media server.\n\n") + Cli::helpText());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOpt(
        {QStringLiteral("c"), QStringLiteral("config")},
        QStringLiteral("Configuration file (default $XDG_CONFIG_HOME/revenge/revenge.yaml)."),
        QStringLiteral("file"));
    const QCommandLineOption dataOpt(
        QStringLiteral("data-dir"),
        QStringLiteral("Data directory (default $XDG_DATA_HOME/revenge)."), QStringLiteral("dir"));
    const QCommandLineOption headlessOpt(QStringLiteral("headless"),
                                         QStringLiteral("Run without tray icon and dashboard."));
    const QCommandLineOption portOpt(QStringLiteral("port"),
                                     QStringLiteral("HTTP port (overrides server.port)."),
                                     QStringLiteral("port"));
    const QCommandLineOption jsonOpt(QStringLiteral("json"),
                                     QStringLiteral("Commands: print JSON."));
    const QCommandLineOption stateOpt(QStringLiteral("state"),
                                      QStringLiteral("jobs list: only this state."),
                                      QStringLiteral("state"));
    const QCommandLineOption queueOpt(QStringLiteral("queue"),
                                      QStringLiteral("jobs list: only this queue."),
                                      QStringLiteral("queue"));
    const QCommandLineOption kindOpt(QStringLiteral("kind"),
                                     QStringLiteral("jobs list: only this kind."),
                                     QStringLiteral("kind"));
    const QCommandLineOption limitOpt(
        QStringLiteral("limit"),
        QStringLiteral("jobs list, library scans: at most this many (default 50)."),
        QStringLiteral("n"), QStringLiteral("50"));
    const QCommandLineOption typeOpt(
        QStringLiteral("type"),
        QStringLiteral("library add: movies, tvshows, music, mixed or adult."),
        QStringLiteral("type"));
    const QCommandLineOption fullOpt(QStringLiteral("full"),
                                     QStringLiteral("library scan: re-identify every file."));
    const QCommandLineOption nowOpt(
        QStringLiteral("now"),
        QStringLiteral("library scan: scan in this process instead of queueing a job."));
    parser.addOptions({configOpt, dataOpt, headlessOpt, portOpt, jsonOpt, stateOpt, queueOpt,
                       kindOpt, limitOpt, typeOpt, fullOpt, nowOpt});
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("Optional command (see above)."),
                                 QStringLiteral("[command...]"));
    parser.process(*app);

    if (!parser.positionalArguments().isEmpty()) {
        Cli::Options options;
        options.configPath = parser.value(configOpt);
        options.dataDir = parser.value(dataOpt);
        options.json = parser.isSet(jsonOpt);
        options.state = parser.value(stateOpt);
        options.queue = parser.value(queueOpt);
        options.kind = parser.value(kindOpt);
        options.type = parser.value(typeOpt);
        options.full = parser.isSet(fullOpt);
        options.now = parser.isSet(nowOpt);
        bool ok = false;
        options.limit = parser.value(limitOpt).toInt(&ok);
        if (!ok || options.limit < 1 || options.limit > 10000) {
            std::fprintf(stderr, "revenge: --limit %s is not a number from 1 to 10000\n",
                         qPrintable(parser.value(limitOpt)));
            return 2;
        }
        return Cli::run(parser.positionalArguments(), options);
    }

    Startup startup = Startup::load(parser.value(configOpt), parser.value(dataOpt));
    for (const auto &d : startup.loaded.diagnostics)
        std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
    if (startup.loaded.hasErrors()) {
        std::fprintf(stderr, "revenge: the configuration has errors; nothing was started\n");
        return 2;
    }
    Config config = startup.loaded.config;
    if (parser.isSet(portOpt)) {
        bool ok = false;
        const uint port = parser.value(portOpt).toUInt(&ok);
        if (!ok || port > 65535) {
            std::fprintf(stderr, "revenge: --port %s is not a port number (0-65535)\n",
                         qPrintable(parser.value(portOpt)));
            return 2;
        }
        config.server.port = quint16(port);
    }

    // Another Revenge on this data directory: say so before touching its log file.
    {
        QDir().mkpath(startup.dataDir);
        QLockFile probe(startup.dataDir + QStringLiteral("/revenge.lock"));
        if (!probe.tryLock(0)) {
            qint64 pid = 0;
            QString host, appName;
            probe.getLockInfo(&pid, &host, &appName);
            std::fprintf(stderr,
                         "revenge: another Revenge (pid %lld) is using the data directory %s\n",
                         pid, qPrintable(startup.dataDir));
            return 1;
        }
    }
    Logging::install(Paths::logDir(startup.dataDir));
    qCInfo(lcServer).noquote() << "Revenge" << REVENGE_VERSION << "starting; data directory"
                               << startup.dataDir << "; configuration"
                               << (config.sourceFile.isEmpty() ? QStringLiteral("built-in defaults")
                                                               : config.sourceFile);

    Server server(config, startup.dataDir, startup.secrets.get());
    int exitCode = 0;
    QObject::connect(&server, &Server::fatalError, app.get(), [&](const QString &message) {
        qCCritical(lcServer).noquote() << "cannot continue:" << message;
        exitCode = 1;
        QCoreApplication::quit();
    });
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, app.get(), [](int sig) {
        qCInfo(lcServer) << "signal" << sig << "received; shutting down";
        QCoreApplication::quit();
    });

    QString error;
    if (!server.start(&error)) {
        qCCritical(lcServer).noquote() << "cannot start:" << error;
        server.stop();
        return 1;
    }

#ifdef REVENGE_WITH_GUI
    std::unique_ptr<GuiShell> gui;
    if (!inv.headless)
        gui = std::make_unique<GuiShell>(&server);
#endif

    const int loopCode = app->exec();
    server.stop();
    Logging::uninstall();
    return exitCode ? exitCode : loopCode;
}
