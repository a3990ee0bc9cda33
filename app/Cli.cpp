#include "Cli.h"

#include "core/ConfigLoader.h"
#include "core/Paths.h"
#include "core/Startup.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "services/PostgresService.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QLockFile>
#include <QSqlDatabase>
#include <QTextStream>

#include <cstdio>
#include <functional>
#include <iostream>

using namespace Revenge;

namespace Cli {

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}
QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

bool reportDiagnostics(const ConfigLoader::Result &loaded)
{
    for (const auto &d : loaded.diagnostics)
        err() << d.toString() << Qt::endl;
    return !loaded.hasErrors();
}

// Runs `fn` on a connection to the configured database. A managed cluster that no running
// Revenge owns is started for the duration and stopped afterwards.
int withDatabase(Startup &startup, const std::function<int(QSqlDatabase &)> &fn)
{
    const Config &config = startup.loaded.config;
    ConnectionSettings settings;
    std::unique_ptr<PostgresService> pg;
    QLockFile lock(startup.dataDir + QStringLiteral("/revenge.lock"));
    if (!config.database.managed) {
        settings.host = config.database.host;
        settings.port = config.database.port;
        settings.database = config.database.name;
        settings.user = config.database.user;
        settings.password = config.database.password;
    } else if (QDir().mkpath(startup.dataDir) && lock.tryLock(0)) {
        PostgresService::Options options;
        options.baseDir = Paths::postgresDir(startup.dataDir);
        pg = std::make_unique<PostgresService>(options, startup.secrets.get());
        QEventLoop loop;
        QString error;
        QObject::connect(pg.get(), &ManagedService::ready, &loop, &QEventLoop::quit);
        QObject::connect(pg.get(), &ManagedService::startFailed, &loop, [&](const QString &e) {
            error = e;
            loop.quit();
        });
        pg->start();
        loop.exec();
        if (!error.isEmpty()) {
            err() << "cannot start the managed PostgreSQL: " << error << Qt::endl;
            return 1;
        }
        settings = pg->connectionSettings();
    } else {
        // A running Revenge owns the cluster: use it where it listens.
        QFile portFile(Paths::postgresDir(startup.dataDir) + QStringLiteral("/port"));
        portFile.open(QIODevice::ReadOnly);
        settings.host = QStringLiteral("127.0.0.1");
        settings.port = quint16(portFile.readAll().trimmed().toUInt());
        settings.password = startup.secrets->read(QLatin1String(PostgresService::kPasswordKey)).value_or(QString());
    }

    DatabasePool pool(settings, 1);
    QString error;
    int code = 1;
    {
        auto lease = pool.acquire(10000, &error);
        if (!lease)
            err() << "cannot connect to PostgreSQL at " << settings.host << ":" << settings.port << ": " << error << Qt::endl;
        else
            code = fn(lease->db());
    }
    if (pg)
        pg->stop();
    return code;
}

int configCommand(const QStringList &args, Startup &startup)
{
    if (args.value(1) != QLatin1String("check")) {
        err() << "usage: revenge config check [--config FILE]" << Qt::endl;
        return 2;
    }
    const bool ok = reportDiagnostics(startup.loaded);
    out() << ConfigLoader::toYaml(startup.loaded.config) << Qt::flush;
    if (!ok)
        err() << "configuration has errors" << Qt::endl;
    return ok ? 0 : 1;
}

int migrateCommand(const QStringList &args, Startup &startup)
{
    const QString sub = args.value(1, QStringLiteral("status"));
    if (sub != QLatin1String("status") && sub != QLatin1String("up")) {
        err() << "usage: revenge migrate status|up" << Qt::endl;
        return 2;
    }
    if (!reportDiagnostics(startup.loaded))
        return 2;
    return withDatabase(startup, [&](QSqlDatabase &db) {
        Migrator migrator(db);
        QString error;
        if (sub == QLatin1String("up")) {
            int applied = 0;
            if (!migrator.up(&error, &applied)) {
                err() << error << Qt::endl;
                return 1;
            }
            out() << "applied " << applied << " migration(s)" << Qt::endl;
        }
        const auto status = migrator.status(&error);
        if (!status) {
            err() << error << Qt::endl;
            return 1;
        }
        int pending = 0, tampered = 0;
        for (const auto &s : *status) {
            QString state = s.applied ? QStringLiteral("applied %1").arg(s.appliedAt.toUTC().toString(Qt::ISODate))
                                      : QStringLiteral("pending");
            if (s.checksumMismatch) {
                state = QStringLiteral("CHANGED after it was applied");
                ++tampered;
            }
            pending += s.applied ? 0 : 1;
            out() << QStringLiteral("%1  %2  %3").arg(s.migration.version, 4, 10, QLatin1Char('0')).arg(s.migration.name, -36).arg(state)
                  << Qt::endl;
        }
        out() << status->size() << " migrations, " << pending << " pending" << Qt::endl;
        return tampered ? 1 : 0;
    });
}

int secretCommand(const QStringList &args, Startup &startup)
{
    const QString sub = args.value(1);
    const QString key = args.value(2);
    if (key.isEmpty() || (sub != QLatin1String("get") && sub != QLatin1String("set") && sub != QLatin1String("delete"))) {
        err() << "usage: revenge secret get|set|delete KEY   (set reads the value from standard input)" << Qt::endl;
        return 2;
    }
    SecretStore *store = startup.secrets.get();
    QString error;
    if (sub == QLatin1String("get")) {
        const auto v = store->read(key);
        if (!v) {
            err() << key << " is not in " << store->name() << Qt::endl;
            return 1;
        }
        out() << *v << Qt::endl;
        return 0;
    }
    if (sub == QLatin1String("set")) {
        QTextStream in(stdin);
        const QString value = in.readLine();
        if (value.isEmpty()) {
            err() << "no value on standard input" << Qt::endl;
            return 2;
        }
        if (!store->write(key, value, &error)) {
            err() << "cannot store " << key << ": " << error << Qt::endl;
            return 1;
        }
        out() << "stored " << key << " in " << store->name() << Qt::endl;
        return 0;
    }
    if (!store->remove(key, &error)) {
        err() << "cannot delete " << key << ": " << error << Qt::endl;
        return 1;
    }
    return 0;
}

} // namespace

bool isCommand(const QString &word)
{
    return word == QLatin1String("config") || word == QLatin1String("migrate") || word == QLatin1String("secret");
}

int run(const QStringList &positional, const QString &configPath, const QString &dataDirOverride)
{
    Startup startup = Startup::load(configPath, dataDirOverride);
    const QString command = positional.value(0);
    if (command == QLatin1String("config"))
        return configCommand(positional, startup);
    if (command == QLatin1String("migrate"))
        return migrateCommand(positional, startup);
    if (command == QLatin1String("secret"))
        return secretCommand(positional, startup);
    err() << "unknown command " << command << Qt::endl;
    return 2;
}

} // namespace Cli
