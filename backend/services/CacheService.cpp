#include "CacheService.h"

#include "Ports.h"
#include "core/SecretStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>

namespace Revenge {

CacheService::CacheService(Options options, SecretStore *secrets, QObject *parent)
    : ManagedService(QStringLiteral("cache"), parent)
    , m_options(std::move(options))
    , m_secrets(secrets)
    , m_user(ServiceUser::forCache())
{
    setStartTimeoutMs(20000);
}

CacheService::~CacheService()
{
    shutdown();
}

QString CacheService::findProgram()
{
    for (const char *name : {"dragonfly", "redis-server"}) {
        const QString path = QStandardPaths::findExecutable(QLatin1String(name));
        if (!path.isEmpty())
            return path;
    }
    return {};
}

QString CacheService::logFile() const
{
    return m_options.baseDir + QStringLiteral("/cache.log");
}

RedisEndpoint CacheService::endpoint() const
{
    RedisEndpoint ep;
    ep.host = QStringLiteral("127.0.0.1");
    ep.port = m_port;
    ep.password = m_password;
    return ep;
}

bool CacheService::prepare(QString *error)
{
    m_program = m_options.program.isEmpty() ? findProgram() : m_options.program;
    if (m_program.isEmpty()) {
        *error = QStringLiteral("neither dragonfly nor redis-server is on PATH "
                                "(install redis-server, or configure an external cache)");
        return false;
    }
    if (!QDir().mkpath(m_options.baseDir)) {
        *error = QStringLiteral("cannot create %1").arg(m_options.baseDir);
        return false;
    }
    // As root the cache runs unprivileged: it gets its own folder and nothing else.
    if (m_user && !m_user->chownRecursive(m_options.baseDir, error))
        return false;
    const QString portFile = m_options.baseDir + QStringLiteral("/port");
    quint16 wanted = m_options.preferredPort;
    if (!wanted) {
        QFile f(portFile);
        if (f.open(QIODevice::ReadOnly))
            wanted = quint16(f.readAll().trimmed().toUInt());
    }
    m_port = Ports::isFree(wanted) ? wanted : Ports::pickFree();
    if (!m_port) {
        *error = QStringLiteral("no free port on 127.0.0.1 for the cache");
        return false;
    }
    QFile f(portFile);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(QByteArray::number(m_port) + '\n');
    setPort(m_port);

    if (m_options.requirePassword) {
        const auto stored = m_secrets ? m_secrets->read(QLatin1String(kPasswordKey)) : std::nullopt;
        if (stored && !stored->isEmpty()) {
            m_password = *stored;
        } else {
            QByteArray bytes(24, Qt::Uninitialized);
            QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                                  bytes.size() / 4);
            m_password = QString::fromLatin1(
                bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
            QString writeError;
            if (m_secrets &&
                !m_secrets->write(QLatin1String(kPasswordKey), m_password, &writeError)) {
                *error = QStringLiteral("cannot keep the cache password in the secret store: %1")
                             .arg(writeError);
                return false;
            }
        }
    }
    return true;
}

QStringList CacheService::arguments() const
{
    const bool dragonfly = QFileInfo(m_program).fileName().startsWith(QLatin1String("dragonfly"));
    QStringList args;
    if (dragonfly) {
        args << QStringLiteral("--port=%1").arg(m_port) << QStringLiteral("--bind=127.0.0.1")
             << QStringLiteral("--dir=%1").arg(m_options.baseDir)
             << QStringLiteral("--dbfilename=");
        if (!m_password.isEmpty())
            args << QStringLiteral("--requirepass=%1").arg(m_password);
    } else {
        args << QStringLiteral("--port") << QString::number(m_port) << QStringLiteral("--bind")
             << QStringLiteral("127.0.0.1") << QStringLiteral("--dir") << m_options.baseDir
             << QStringLiteral("--save") << QString() << QStringLiteral("--appendonly")
             << QStringLiteral("no") << QStringLiteral("--daemonize") << QStringLiteral("no")
             << QStringLiteral("--protected-mode") << QStringLiteral("yes");
        if (!m_password.isEmpty())
            args << QStringLiteral("--requirepass") << m_password;
    }
    return args;
}

bool CacheService::probe()
{
    RedisEndpoint ep = endpoint();
    ep.connectTimeoutMs = 300;
    RedisConnection c;
    if (!c.connect(ep))
        return false;
    const auto r = c.command({"PING"});
    return r && !r->isError();
}

bool CacheService::afterReady(QString *error)
{
    RedisConnection c;
    if (!c.connect(endpoint())) {
        *error = c.error();
        return false;
    }
    if (auto v = c.serverVersion())
        setVersion(v->first + QLatin1Char(' ') + v->second);
    return true;
}

} // namespace Revenge
