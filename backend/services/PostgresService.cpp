#include "PostgresService.h"

#include "Ports.h"
#include "core/Logging.h"
#include "core/SecretStore.h"
#include "db/DatabasePool.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

namespace Revenge {

namespace {

QString generatePassword()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / 4);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString quoteIdent(const QString &ident)
{
    QString s = ident;
    return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
           QLatin1Char('"');
}

QString quoteLiteral(const QString &literal)
{
    QString s = literal;
    return QLatin1Char('\'') + s.replace(QLatin1Char('\''), QStringLiteral("''")) +
           QLatin1Char('\'');
}

bool processAlive(pid_t pid)
{
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

} // namespace

PostgresService::PostgresService(Options options, SecretStore *secrets, QObject *parent)
    : ManagedService(QStringLiteral("database"), parent)
    , m_options(std::move(options))
    , m_secrets(secrets)
    , m_user(ServiceUser::forPostgres())
{
    // First start includes initdb; later starts take a second or two.
    setStartTimeoutMs(120000);
}

PostgresService::~PostgresService()
{
    shutdown();
}

QString PostgresService::binDir()
{
    for (const char *version : {"15", "16", "17", "14", "13"}) {
        const QString dir =
            QStringLiteral("/usr/lib/postgresql/%1/bin").arg(QLatin1String(version));
        if (QFileInfo::exists(dir + QStringLiteral("/initdb")) &&
            QFileInfo::exists(dir + QStringLiteral("/postgres")))
            return dir;
    }
    return {};
}

QString PostgresService::dataDir() const
{
    return m_options.baseDir + QStringLiteral("/data");
}

QString PostgresService::logFile() const
{
    return m_options.baseDir + QStringLiteral("/postgres.log");
}

QString PostgresService::runDir() const
{
    // A unix socket path must fit in 107 bytes; deep data dirs put the socket under /tmp.
    const QString preferred = m_options.baseDir + QStringLiteral("/run");
    if (QFile::encodeName(preferred).size() + 20 < 100)
        return preferred;
    const QByteArray hash =
        QCryptographicHash::hash(m_options.baseDir.toUtf8(), QCryptographicHash::Sha1).toHex();
    return QDir::tempPath() + QStringLiteral("/revenge-pg-") + QString::fromLatin1(hash.left(12));
}

ConnectionSettings PostgresService::connectionSettings() const
{
    ConnectionSettings s;
    s.host = QStringLiteral("127.0.0.1");
    s.port = m_port;
    s.database = m_options.database;
    s.user = m_options.role;
    s.password = m_password;
    return s;
}

ConnectionSettings PostgresService::superuserSettings() const
{
    ConnectionSettings s;
    s.host = runDir();
    s.port = m_port;
    s.database = QStringLiteral("postgres");
    s.user = QStringLiteral("postgres");
    s.connectTimeoutSeconds = 3;
    s.applicationName = QStringLiteral("revenge-supervisor");
    return s;
}

bool PostgresService::prepare(QString *error)
{
    const QString bin = binDir();
    if (bin.isEmpty()) {
        *error = QStringLiteral("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                                "(install postgresql-15, or configure an external database)");
        return false;
    }
    if (!QDir().mkpath(m_options.baseDir) || !QDir().mkpath(runDir())) {
        *error = QStringLiteral("cannot create %1").arg(m_options.baseDir);
        return false;
    }
    QFile::setPermissions(m_options.baseDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QFile::setPermissions(runDir(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (m_user) {
        QString blocking;
        if (!m_user->canTraverse(QFileInfo(m_options.baseDir).absolutePath(), &blocking)) {
            *error = QStringLiteral(
                         "PostgreSQL runs as user %1 (it refuses root), which cannot enter %2; "
                         "choose a data directory it can reach with REVENGE_DATA_DIR (e.g. "
                         "/var/lib/revenge)")
                         .arg(m_user->name, blocking);
            return false;
        }
        if (!m_user->chownRecursive(m_options.baseDir, error) ||
            !m_user->chownRecursive(runDir(), error))
            return false;
    }
    if (!QFileInfo::exists(dataDir() + QStringLiteral("/PG_VERSION")) && !initdb(error))
        return false;

    QFile versionFile(dataDir() + QStringLiteral("/PG_VERSION"));
    if (versionFile.open(QIODevice::ReadOnly)) {
        const QString clusterVersion = QString::fromLatin1(versionFile.readAll()).trimmed();
        const QString binVersion = bin.section(QLatin1Char('/'), -2, -2);
        if (clusterVersion != binVersion) {
            *error =
                QStringLiteral("the cluster in %1 is PostgreSQL %2 but the installed server is %3; "
                               "upgrade it with pg_upgrade or install postgresql-%2")
                    .arg(dataDir(), clusterVersion, binVersion);
            return false;
        }
    }
    if (!stopOrphan(error) || !choosePort(error))
        return false;
    setPort(m_port);

    const auto stored = m_secrets ? m_secrets->read(QLatin1String(kPasswordKey)) : std::nullopt;
    if (stored && !stored->isEmpty()) {
        m_password = *stored;
    } else {
        m_password = generatePassword();
        QString writeError;
        if (m_secrets && !m_secrets->write(QLatin1String(kPasswordKey), m_password, &writeError)) {
            *error = QStringLiteral("cannot keep the database password in the secret store: %1")
                         .arg(writeError);
            return false;
        }
    }
    return true;
}

bool PostgresService::initdb(QString *error)
{
    // initdb into a scratch folder and rename, so an interrupted first start can simply retry.
    const QString scratch = m_options.baseDir + QStringLiteral("/data.initdb");
    QDir(scratch).removeRecursively();
    QDir(dataDir()).removeRecursively();
    qCInfo(lcServices).noquote() << "creating a PostgreSQL cluster in" << dataDir()
                                 << (m_user ? QStringLiteral("as user ") + m_user->name
                                            : QString());
    QProcess initdb;
    initdb.setProgram(binDir() + QStringLiteral("/initdb"));
    QStringList args{QStringLiteral("-D"),
                     scratch,
                     QStringLiteral("-U"),
                     QStringLiteral("postgres"),
                     QStringLiteral("--auth-local=trust"),
                     QStringLiteral("--auth-host=scram-sha-256"),
                     QStringLiteral("-E"),
                     QStringLiteral("UTF8"),
                     QStringLiteral("--locale=C.UTF-8")};
    if (m_options.unsafeFast)
        args << QStringLiteral("--no-sync");
    initdb.setArguments(args);
    initdb.setWorkingDirectory(m_options.baseDir);
    initdb.setProcessChannelMode(QProcess::MergedChannels);
    initdb.setChildProcessModifier(childModifier(m_user, SIGTERM));
    initdb.start();
    if (!initdb.waitForFinished(180000) || initdb.exitStatus() != QProcess::NormalExit ||
        initdb.exitCode() != 0) {
        const QString out = QString::fromLocal8Bit(initdb.readAll()).trimmed();
        *error = QStringLiteral("initdb failed: %1")
                     .arg(out.isEmpty() ? initdb.errorString() : out.right(600));
        return false;
    }
    if (!QDir().rename(scratch, dataDir())) {
        *error = QStringLiteral("cannot move the new cluster into %1").arg(dataDir());
        return false;
    }
    return true;
}

bool PostgresService::stopOrphan(QString *error)
{
    QFile pidFile(dataDir() + QStringLiteral("/postmaster.pid"));
    if (!pidFile.open(QIODevice::ReadOnly))
        return true;
    const pid_t pid = pid_t(QString::fromLatin1(pidFile.readLine()).trimmed().toLongLong());
    pidFile.close();
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!processAlive(pid) || !cmdline.open(QIODevice::ReadOnly) ||
        !cmdline.readAll().contains("postgres"))
        return true; // stale pid file: PostgreSQL deals with it
    qCWarning(lcServices)
        << "stopping a PostgreSQL left running on this cluster by an earlier run, pid" << pid;
    for (int sig : {SIGINT, SIGQUIT, SIGKILL}) {
        ::kill(pid, sig);
        for (int i = 0; i < 150 && processAlive(pid); ++i)
            QThread::msleep(100);
        if (!processAlive(pid))
            return true;
    }
    *error = QStringLiteral("a PostgreSQL (pid %1) still runs on %2 and cannot be stopped")
                 .arg(pid)
                 .arg(dataDir());
    return false;
}

bool PostgresService::choosePort(QString *error)
{
    const QString portFile = m_options.baseDir + QStringLiteral("/port");
    quint16 wanted = m_options.preferredPort;
    if (!wanted) {
        QFile f(portFile);
        if (f.open(QIODevice::ReadOnly))
            wanted = quint16(f.readAll().trimmed().toUInt());
    }
    m_port = Ports::isFree(wanted) ? wanted : Ports::pickFree();
    if (!m_port) {
        *error = QStringLiteral("no free port on 127.0.0.1 for PostgreSQL");
        return false;
    }
    QFile f(portFile);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(QByteArray::number(m_port) + '\n');
    return true;
}

QString PostgresService::program() const
{
    return binDir() + QStringLiteral("/postgres");
}

QStringList PostgresService::arguments() const
{
    QStringList args{QStringLiteral("-D"), dataDir(),
                     QStringLiteral("-p"), QString::number(m_port),
                     QStringLiteral("-k"), runDir(),
                     QStringLiteral("-c"), QStringLiteral("listen_addresses=127.0.0.1"),
                     QStringLiteral("-c"), QStringLiteral("unix_socket_permissions=0700")};
    if (m_options.unsafeFast)
        // Only an OS crash can lose data with these; a killed server still recovers every commit.
        args << QStringLiteral("-c") << QStringLiteral("fsync=off") << QStringLiteral("-c")
             << QStringLiteral("full_page_writes=off");
    return args;
}

bool PostgresService::probe()
{
    const QByteArray conninfo = superuserSettings().conninfo().toUtf8();
    return PQping(conninfo.constData()) == PQPING_OK;
}

int PostgresService::stopSignal() const
{
    return SIGINT;
} // "fast" shutdown: roll back, checkpoint, exit

bool PostgresService::afterReady(QString *error)
{
    const QString name =
        QStringLiteral("revenge-supervisor-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        DatabasePool::configure(db, superuserSettings());
        if (!db.open()) {
            *error = QStringLiteral("cannot connect to the managed PostgreSQL as superuser: %1")
                         .arg(db.lastError().text());
        } else {
            QSqlQuery q(db);
            auto run = [&](const QString &sql) {
                if (q.exec(sql))
                    return true;
                *error = QStringLiteral("setting up the managed database failed: %1")
                             .arg(q.lastError().text());
                return false;
            };
            // The password always follows the secret store, so a lost keychain entry heals itself.
            q.prepare(QStringLiteral("SELECT 1 FROM pg_roles WHERE rolname = ?"));
            q.addBindValue(m_options.role);
            ok = q.exec();
            const bool roleExists = ok && q.next();
            const QString verb = roleExists ? QStringLiteral("ALTER") : QStringLiteral("CREATE");
            ok = ok && run(QStringLiteral("%1 ROLE %2 LOGIN PASSWORD %3")
                               .arg(verb, quoteIdent(m_options.role), quoteLiteral(m_password)));
            if (ok) {
                q.prepare(QStringLiteral("SELECT 1 FROM pg_database WHERE datname = ?"));
                q.addBindValue(m_options.database);
                ok = q.exec();
                if (ok && !q.next())
                    ok = run(QStringLiteral(
                                 "CREATE DATABASE %1 OWNER %2 ENCODING 'UTF8' TEMPLATE template0")
                                 .arg(quoteIdent(m_options.database), quoteIdent(m_options.role)));
            }
            if (ok && run(QStringLiteral("SHOW server_version")) && q.next())
                setVersion(q.value(0).toString());
            if (!ok && error->isEmpty())
                *error = q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace Revenge
