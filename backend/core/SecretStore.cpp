#include "SecretStore.h"

#include "Logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QSaveFile>
#include <QTimer>
#include <qt6keychain/keychain.h>
#include <sys/stat.h>

namespace Revenge {

namespace {

// QtKeychain is asynchronous; secrets are needed during start-up, so wait with a bound.
// A job that did not finish in time must not be deleted: its backend (libsecret) calls back into
// it whenever the keychain does answer (an unlock prompt answered late, a stalled daemon), which
// would then be a use after free. Such a job is released (`job` becomes null) and deletes itself
// once it finishes.
template<typename Job> bool runJob(std::unique_ptr<Job> &job, QString *error)
{
    job->setAutoDelete(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(job.get(), &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    job->start();
    if (!finished)
        loop.exec();
    if (!finished) {
        if (error)
            *error = QStringLiteral("the keychain did not answer within 5 s");
        job->setAutoDelete(true);
        job.release();
        return false;
    }
    if (job->error() != QKeychain::NoError) {
        if (error)
            *error = job->errorString();
        return false;
    }
    return true;
}

bool sessionBusReachable()
{
    const auto env = QProcessEnvironment::systemEnvironment();
    if (!env.value(QStringLiteral("DBUS_SESSION_BUS_ADDRESS")).isEmpty())
        return true;
    const QString runtime = env.value(QStringLiteral("XDG_RUNTIME_DIR"));
    return !runtime.isEmpty() && QFileInfo::exists(runtime + QStringLiteral("/bus"));
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{}

bool KeychainSecretStore::isAvailable()
{
    if (m_available)
        return *m_available;
    const QString off = qEnvironmentVariable("REVENGE_KEYCHAIN").toLower();
    if (off == QLatin1String("off") || off == QLatin1String("0") || off == QLatin1String("false")) {
        m_reason = QStringLiteral("REVENGE_KEYCHAIN=off");
        m_available = false;
    } else if (!QCoreApplication::instance()) {
        m_reason = QStringLiteral("no Qt application object");
        m_available = false;
    } else if (!sessionBusReachable()) {
        // Without a session bus QtKeychain may try to autolaunch one; do not go there.
        m_reason = QStringLiteral("no D-Bus session bus");
        m_available = false;
    } else {
        auto job = std::make_unique<QKeychain::ReadPasswordJob>(m_service);
        job->setKey(QStringLiteral("revenge.probe"));
        QString error;
        const bool ok = runJob(job, &error);
        m_available = ok || (job && job->error() == QKeychain::EntryNotFound);
        if (!*m_available)
            m_reason = error;
    }
    return *m_available;
}

std::optional<QString> KeychainSecretStore::read(const QString &key)
{
    if (!isAvailable())
        return std::nullopt;
    auto job = std::make_unique<QKeychain::ReadPasswordJob>(m_service);
    job->setKey(key);
    QString error;
    if (!runJob(job, &error)) {
        if (!job || job->error() != QKeychain::EntryNotFound)
            qCWarning(lcSecrets) << "reading" << key << "from the keychain failed:" << error;
        return std::nullopt;
    }
    return job->textData();
}

bool KeychainSecretStore::write(const QString &key, const QString &value, QString *error)
{
    if (!isAvailable()) {
        if (error)
            *error = m_reason;
        return false;
    }
    auto job = std::make_unique<QKeychain::WritePasswordJob>(m_service);
    job->setKey(key);
    job->setTextData(value);
    return runJob(job, error);
}

bool KeychainSecretStore::remove(const QString &key, QString *error)
{
    if (!isAvailable()) {
        if (error)
            *error = m_reason;
        return false;
    }
    auto job = std::make_unique<QKeychain::DeletePasswordJob>(m_service);
    job->setKey(key);
    return runJob(job, error) || (job && job->error() == QKeychain::EntryNotFound);
}

FileSecretStore::FileSecretStore(QString path)
    : m_path(std::move(path))
{}

std::optional<QString> FileSecretStore::read(const QString &key)
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject obj = QJsonDocument::fromJson(file.readAll()).object();
    if (!obj.contains(key))
        return std::nullopt;
    return obj.value(key).toString();
}

bool FileSecretStore::write(const QString &key, const QString &value, QString *error)
{
    QJsonObject obj;
    {
        QFile file(m_path);
        if (file.open(QIODevice::ReadOnly))
            obj = QJsonDocument::fromJson(file.readAll()).object();
    }
    obj.insert(key, value);
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    // Create with 0600 before any byte is written, then replace atomically.
    const mode_t old = ::umask(077);
    QSaveFile file(m_path);
    bool ok = file.open(QIODevice::WriteOnly);
    if (ok) {
        file.write(QJsonDocument(obj).toJson());
        ok = file.commit();
    }
    ::umask(old);
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (!ok && error)
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString());
    return ok;
}

bool FileSecretStore::remove(const QString &key, QString *error)
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return true;
    QJsonObject obj = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    if (!obj.contains(key))
        return true;
    obj.remove(key);
    QSaveFile out(m_path);
    if (!out.open(QIODevice::WriteOnly)) {
        if (error)
            *error = out.errorString();
        return false;
    }
    out.write(QJsonDocument(obj).toJson());
    return out.commit();
}

FallbackSecretStore::FallbackSecretStore(std::unique_ptr<KeychainSecretStore> keychain,
                                         std::unique_ptr<FileSecretStore> file)
    : m_keychain(std::move(keychain))
    , m_file(std::move(file))
{}

SecretStore *FallbackSecretStore::active()
{
    if (m_keychain->isAvailable())
        return m_keychain.get();
    if (!m_warned) {
        m_warned = true;
        qCInfo(lcSecrets).noquote()
            << "no keychain service is reachable (" + m_keychain->unavailableReason() +
                   "); secrets come from the environment/config and"
            << m_file->name();
    }
    return m_file.get();
}

QString FallbackSecretStore::name() const
{
    return m_keychain->unavailableReason().isEmpty() ? m_keychain->name() : m_file->name();
}

std::optional<QString> FallbackSecretStore::read(const QString &key)
{
    SecretStore *store = active();
    if (store == m_keychain.get()) {
        if (auto v = m_keychain->read(key))
            return v;
        // A value the keychain refused earlier went to the file.
    }
    return m_file->read(key);
}

bool FallbackSecretStore::write(const QString &key, const QString &value, QString *error)
{
    SecretStore *store = active();
    if (store == m_keychain.get()) {
        QString keychainError;
        if (m_keychain->write(key, value, &keychainError)) {
            m_file->remove(key); // one place per secret
            return true;
        }
        // A keychain that answers but cannot store (a locked keyring on a box without a display
        // to unlock it) must not stop the server: keep the secret in the file instead.
        if (!m_warnedWrite) {
            m_warnedWrite = true;
            qCWarning(lcSecrets).noquote()
                << "the keychain refused to store" << key << "(" + keychainError + ");"
                << "keeping secrets in" << m_file->name();
        }
    }
    return m_file->write(key, value, error);
}

bool FallbackSecretStore::remove(const QString &key, QString *error)
{
    bool ok = m_file->remove(key, error);
    if (active() == m_keychain.get())
        ok = m_keychain->remove(key, error) && ok;
    return ok;
}

std::unique_ptr<SecretStore> SecretStore::createDefault(const QString &dataDir)
{
    return std::make_unique<FallbackSecretStore>(
        std::make_unique<KeychainSecretStore>(),
        std::make_unique<FileSecretStore>(dataDir + QStringLiteral("/secrets.json")));
}

} // namespace Revenge
