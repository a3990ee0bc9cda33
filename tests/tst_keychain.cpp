#include "TestEnvironment.h"
#include "core/SecretStore.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusReply>
#include <QDBusVariant>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMap>
#include <QTest>
#include <memory>
#include <optional>
#include <signal.h>
#include <sys/types.h>

using namespace Revenge;

// The real system keychain: KeychainSecretStore (QtKeychain -> libsecret -> Secret Service) against
// a real gnome-keyring-daemon. Must run through tests/run-with-keyring.sh, which provides a private
// session bus and a throwaway, unlocked keyring (ctest does that); run any other way it fails.
// What the store writes is checked a second way, by asking the Secret Service itself over D-Bus.

namespace KeychainTest {

// org.freedesktop.Secret.Secret: (oayays)
struct Secret
{
    QDBusObjectPath session;
    QByteArray parameters;
    QByteArray value;
    QString contentType;
};

QDBusArgument &operator<<(QDBusArgument &arg, const Secret &s)
{
    arg.beginStructure();
    arg << s.session << s.parameters << s.value << s.contentType;
    arg.endStructure();
    return arg;
}

const QDBusArgument &operator>>(const QDBusArgument &arg, Secret &s)
{
    arg.beginStructure();
    arg >> s.session >> s.parameters >> s.value >> s.contentType;
    arg.endStructure();
    return arg;
}

using StringMap = QMap<QString, QString>;

} // namespace KeychainTest

Q_DECLARE_METATYPE(KeychainTest::Secret)

namespace KeychainTest {

const QString kService = QStringLiteral("org.freedesktop.secrets");
const QString kServicePath = QStringLiteral("/org/freedesktop/secrets");
const QString kServiceIface = QStringLiteral("org.freedesktop.Secret.Service");
const QString kItemIface = QStringLiteral("org.freedesktop.Secret.Item");
const QString kCollectionIface = QStringLiteral("org.freedesktop.Secret.Collection");
const QString kPropsIface = QStringLiteral("org.freedesktop.DBus.Properties");

// A minimal Secret Service client, independent of QtKeychain and libsecret.
class SecretService
{
public:
    QString lastError;

    QDBusMessage call(const QString &path, const QString &iface, const QString &method,
                      const QVariantList &args = {})
    {
        QDBusMessage msg = QDBusMessage::createMethodCall(kService, path, iface, method);
        msg.setArguments(args);
        // Never start a service: the wrapper's bus has none to start anyway.
        msg.setAutoStartService(false);
        const QDBusMessage reply = QDBusConnection::sessionBus().call(msg, QDBus::Block, 5000);
        if (reply.type() != QDBusMessage::ReplyMessage)
            lastError = method + QStringLiteral(": ") + reply.errorName() + QStringLiteral(" ") +
                        reply.errorMessage();
        return reply;
    }

    QVariant property(const QString &path, const QString &iface, const QString &name)
    {
        const QDBusMessage reply = call(path, kPropsIface, QStringLiteral("Get"), {iface, name});
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
            return {};
        return qvariant_cast<QDBusVariant>(reply.arguments().constFirst()).variant();
    }

    // The object path the "default" alias points at; empty when there is none.
    QString defaultCollection()
    {
        const QDBusMessage reply = call(kServicePath, kServiceIface, QStringLiteral("ReadAlias"),
                                        {QStringLiteral("default")});
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
            return {};
        const QString path = qvariant_cast<QDBusObjectPath>(reply.arguments().constFirst()).path();
        return path == QLatin1String("/") ? QString() : path;
    }

    bool isLocked(const QString &collection)
    {
        const QVariant v = property(collection, kCollectionIface, QStringLiteral("Locked"));
        return !v.isValid() || v.toBool();
    }

    // A "plain" session: secrets travel unencrypted over the private bus, fine for a test.
    QDBusObjectPath session()
    {
        if (m_session.path().isEmpty()) {
            const QDBusMessage reply =
                call(kServicePath, kServiceIface, QStringLiteral("OpenSession"),
                     {QStringLiteral("plain"), QVariant::fromValue(QDBusVariant(QString()))});
            if (reply.type() == QDBusMessage::ReplyMessage && reply.arguments().size() == 2)
                m_session = qvariant_cast<QDBusObjectPath>(reply.arguments().at(1));
        }
        return m_session;
    }

    // Items (unlocked and locked) whose attributes include `attributes`.
    QStringList search(const StringMap &attributes)
    {
        const QDBusMessage reply = call(kServicePath, kServiceIface, QStringLiteral("SearchItems"),
                                        {QVariant::fromValue(attributes)});
        QStringList paths;
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().size() != 2)
            return {QStringLiteral("<SearchItems failed: %1>").arg(lastError)};
        for (const QVariant &list : reply.arguments()) {
            const auto items = qdbus_cast<QList<QDBusObjectPath>>(list);
            for (const QDBusObjectPath &p : items)
                paths << p.path();
        }
        return paths;
    }

    // The items QtKeychain stores for `key` in `service` (its libsecret schema "org.qt.keychain").
    QStringList qtKeychainItems(const QString &service, const QString &key)
    {
        return search({{QStringLiteral("server"), service}, {QStringLiteral("user"), key}});
    }

    std::optional<QByteArray> secret(const QString &item)
    {
        const QDBusMessage reply =
            call(item, kItemIface, QStringLiteral("GetSecret"), {QVariant::fromValue(session())});
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
            return std::nullopt;
        return qdbus_cast<Secret>(reply.arguments().constFirst()).value;
    }

    StringMap attributes(const QString &item)
    {
        const QVariant v = property(item, kItemIface, QStringLiteral("Attributes"));
        return qdbus_cast<StringMap>(v);
    }

    // What `secret-tool store` does: another program puts an item into the default collection.
    bool createItem(const QString &label, const StringMap &attributes, const QByteArray &value)
    {
        const QString collection = defaultCollection();
        if (collection.isEmpty())
            return false;
        QVariantMap props;
        props.insert(kItemIface + QStringLiteral(".Label"), label);
        props.insert(kItemIface + QStringLiteral(".Attributes"), QVariant::fromValue(attributes));
        const Secret s{session(), QByteArray(), value, QStringLiteral("text/plain")};
        const QDBusMessage reply = call(collection, kCollectionIface, QStringLiteral("CreateItem"),
                                        {props, QVariant::fromValue(s), true});
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().size() != 2)
            return false;
        // "/" as the prompt: done without asking anybody.
        return qvariant_cast<QDBusObjectPath>(reply.arguments().at(1)).path() == QLatin1String("/");
    }

private:
    QDBusObjectPath m_session;
};

QString longValue(int size)
{
    QString s;
    s.reserve(size);
    const QString alphabet = QStringLiteral("abcdefghijklmnopqrstuvwxyz0123456789+/=-_ äöü€");
    for (int i = 0; i < size; ++i)
        s.append(alphabet.at((i * 7 + i / 13) % alphabet.size()));
    return s;
}

} // namespace KeychainTest

using namespace KeychainTest;

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void isAvailable();
    void roundTrip_data();
    void roundTrip();
    void missingKey();
    void overwriteKeepsOneItem();
    void secondInstanceAndOtherService();
    void readsItemStoredByAnotherProgram();
    void fallbackUsesKeychain();
    void createDefaultUsesKeychain();
    void stalledKeychain();

private:
    // One service name per run; createDefault() has to use the real one ("revenge").
    const QString m_service =
        QStringLiteral("revenge-test-%1").arg(QCoreApplication::applicationPid());
    SecretService m_ss;
};

void TestKeychain::initTestCase()
{
    qDBusRegisterMetaType<Secret>();
    qDBusRegisterMetaType<StringMap>();
    qDBusRegisterMetaType<QList<QDBusObjectPath>>();

    // Refuse to run against the caller's own keyring: only the wrapper's throwaway one will do.
    const QString keyringDir = qEnvironmentVariable("REVENGE_TEST_KEYRING");
    QVERIFY2(!keyringDir.isEmpty() && QFileInfo(keyringDir).isDir(),
             "REVENGE_TEST_KEYRING is not set: run this test through tests/run-with-keyring.sh "
             "(ctest does), which starts a private D-Bus session with an unlocked gnome-keyring");
    const QString bus = qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
    QVERIFY2(bus.contains(keyringDir),
             qPrintable(QStringLiteral("the session bus %1 is not the private one under %2")
                            .arg(bus, keyringDir)));
    QVERIFY2(qEnvironmentVariable("HOME").startsWith(keyringDir),
             "HOME is not the wrapper's temporary home");

    const QString keychainVar = qEnvironmentVariable("REVENGE_KEYCHAIN");
    QVERIFY2(
        keychainVar.isEmpty(),
        qPrintable(QStringLiteral("REVENGE_KEYCHAIN=%1 is set; this test needs the keychain on")
                       .arg(keychainVar)));

    QVERIFY2(QDBusConnection::sessionBus().isConnected(),
             qPrintable(QDBusConnection::sessionBus().lastError().message()));
    QVERIFY2(QDBusConnection::sessionBus().interface()->isServiceRegistered(kService),
             "nothing owns org.freedesktop.secrets on the session bus (gnome-keyring-daemon?)");

    const QString collection = m_ss.defaultCollection();
    QVERIFY2(!collection.isEmpty(),
             qPrintable(QStringLiteral("no default collection: ") + m_ss.lastError));
    QVERIFY2(!m_ss.isLocked(collection), qPrintable(collection + QStringLiteral(" is locked")));
    QVERIFY2(!m_ss.session().path().isEmpty(), qPrintable(m_ss.lastError));
    qInfo().noquote() << "Secret Service default collection:" << collection;
}

void TestKeychain::isAvailable()
{
    KeychainSecretStore store(m_service);
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(store.isAvailable(), qPrintable(store.unavailableReason()));
    QVERIFY2(timer.elapsed() < 3000,
             qPrintable(QStringLiteral("the probe took %1 ms").arg(timer.elapsed())));
    QVERIFY(store.unavailableReason().isEmpty());
    QCOMPARE(store.name(), QStringLiteral("system keychain"));
    // Probed once: the answer stays.
    QVERIFY(store.isAvailable());
    // The probe only reads; it leaves nothing behind.
    QCOMPARE(m_ss.qtKeychainItems(m_service, QStringLiteral("revenge.probe")), QStringList());
}

void TestKeychain::roundTrip_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");

    QTest::newRow("ascii") << QStringLiteral("database.password") << QStringLiteral("s3cr3t-P@ss");
    QTest::newRow("unicode value")
        << QStringLiteral("providers.tmdb.api_key") << QStringLiteral("Pässwörd ✓ 密码 🔑 Ωμέγα");
    QTest::newRow("unicode key") << QStringLiteral("schlüssel.密钥") << QStringLiteral("value");
    QTest::newRow("quotes and newlines")
        << QStringLiteral("search.api_key")
        << QStringLiteral("line1\nline2\t\"q\" 'a' \\ {\"json\": 1}");
    QTest::newRow("long 4 KiB") << QStringLiteral("cache.password") << longValue(4096);
    QTest::newRow("long 256 KiB") << QStringLiteral("big.blob") << longValue(256 * 1024);
}

void TestKeychain::roundTrip()
{
    QFETCH(QString, key);
    QFETCH(QString, value);

    KeychainSecretStore store(m_service);
    QString error;
    QVERIFY2(store.write(key, value, &error), qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));

    const std::optional<QString> read = store.read(key);
    QVERIFY(read.has_value());
    QCOMPARE(read->size(), value.size());
    QCOMPARE(*read, value);

    // It is in the keyring: the Secret Service itself has exactly this item, in the default
    // collection, holding the UTF-8 bytes.
    const QStringList items = m_ss.qtKeychainItems(m_service, key);
    QCOMPARE(items.size(), 1);
    QVERIFY2(items.constFirst().startsWith(m_ss.defaultCollection() + QLatin1Char('/')),
             qPrintable(items.constFirst()));
    const std::optional<QByteArray> raw = m_ss.secret(items.constFirst());
    QVERIFY2(raw.has_value(), qPrintable(m_ss.lastError));
    QCOMPARE(*raw, value.toUtf8());
    const StringMap attrs = m_ss.attributes(items.constFirst());
    QCOMPARE(attrs.value(QStringLiteral("server")), m_service);
    QCOMPARE(attrs.value(QStringLiteral("user")), key);

    QVERIFY2(store.remove(key, &error), qPrintable(error));
    QCOMPARE(store.read(key), std::nullopt);
    QCOMPARE(m_ss.qtKeychainItems(m_service, key), QStringList());
}

void TestKeychain::missingKey()
{
    KeychainSecretStore store(m_service);
    QVERIFY2(store.isAvailable(), qPrintable(store.unavailableReason()));
    QCOMPARE(store.read(QStringLiteral("never.stored")), std::nullopt);
    // Removing what is not there is not an error.
    QString error;
    QVERIFY2(store.remove(QStringLiteral("never.stored"), &error), qPrintable(error));
    QCOMPARE(store.read(QStringLiteral("never.stored")), std::nullopt);
}

void TestKeychain::overwriteKeepsOneItem()
{
    const QString key = QStringLiteral("database.password");
    KeychainSecretStore store(m_service);
    QVERIFY(store.write(key, QStringLiteral("first")));
    QVERIFY(store.write(key, QStringLiteral("second")));
    QCOMPARE(store.read(key), std::optional(QStringLiteral("second")));
    const QStringList items = m_ss.qtKeychainItems(m_service, key);
    QCOMPARE(items.size(), 1);
    QCOMPARE(m_ss.secret(items.constFirst()), std::optional(QByteArray("second")));

    // Other keys of the same service are untouched by a write and a remove.
    QVERIFY(store.write(QStringLiteral("cache.password"), QStringLiteral("other")));
    QVERIFY(store.remove(key));
    QCOMPARE(store.read(key), std::nullopt);
    QCOMPARE(store.read(QStringLiteral("cache.password")), std::optional(QStringLiteral("other")));
    QVERIFY(store.remove(QStringLiteral("cache.password")));
}

void TestKeychain::secondInstanceAndOtherService()
{
    const QString key = QStringLiteral("database.password");
    const QString other = m_service + QStringLiteral("-other");
    {
        KeychainSecretStore writer(m_service);
        QVERIFY(writer.write(key, QStringLiteral("mine")));
    }
    // A new store (as after a restart) finds it: it lives in the daemon, not in the object.
    KeychainSecretStore reader(m_service);
    QCOMPARE(reader.read(key), std::optional(QStringLiteral("mine")));

    // The service name separates applications: same key, different service, different secret.
    KeychainSecretStore stranger(other);
    QCOMPARE(stranger.read(key), std::nullopt);
    QVERIFY(stranger.write(key, QStringLiteral("theirs")));
    QCOMPARE(stranger.read(key), std::optional(QStringLiteral("theirs")));
    QCOMPARE(reader.read(key), std::optional(QStringLiteral("mine")));
    QVERIFY(stranger.remove(key));
    QCOMPARE(reader.read(key), std::optional(QStringLiteral("mine")));
    QVERIFY(reader.remove(key));
    QCOMPARE(m_ss.qtKeychainItems(m_service, key), QStringList());
    QCOMPARE(m_ss.qtKeychainItems(other, key), QStringList());
}

void TestKeychain::readsItemStoredByAnotherProgram()
{
    // How an administrator provisions a secret without Revenge, e.g.
    //   secret-tool store --label=... xdg:schema org.qt.keychain server revenge user
    //   database.password type plaintext
    const QString key = QStringLiteral("provisioned.token");
    QVERIFY2(m_ss.createItem(QStringLiteral("provisioned"),
                             {{QStringLiteral("xdg:schema"), QStringLiteral("org.qt.keychain")},
                              {QStringLiteral("server"), m_service},
                              {QStringLiteral("user"), key},
                              {QStringLiteral("type"), QStringLiteral("plaintext")}},
                             QStringLiteral("from outside ✓").toUtf8()),
             qPrintable(m_ss.lastError));
    KeychainSecretStore store(m_service);
    QCOMPARE(store.read(key), std::optional(QStringLiteral("from outside ✓")));
    QVERIFY(store.remove(key));
    QCOMPARE(m_ss.qtKeychainItems(m_service, key), QStringList());
}

void TestKeychain::fallbackUsesKeychain()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString file = dir->path() + QStringLiteral("/secrets.json");
    FallbackSecretStore store(std::make_unique<KeychainSecretStore>(m_service),
                              std::make_unique<FileSecretStore>(file));

    QString error;
    QVERIFY2(
        store.write(QStringLiteral("database.password"), QStringLiteral("via fallback"), &error),
        qPrintable(error));
    QCOMPARE(store.name(), QStringLiteral("system keychain"));
    QCOMPARE(store.read(QStringLiteral("database.password")),
             std::optional(QStringLiteral("via fallback")));
    QCOMPARE(store.read(QStringLiteral("never.stored")), std::nullopt);
    QCOMPARE(m_ss.qtKeychainItems(m_service, QStringLiteral("database.password")).size(), 1);
    QVERIFY2(!QFileInfo::exists(file), "the fallback file was written although the keychain works");

    QVERIFY2(store.remove(QStringLiteral("database.password"), &error), qPrintable(error));
    QCOMPARE(store.read(QStringLiteral("database.password")), std::nullopt);
    QCOMPARE(m_ss.qtKeychainItems(m_service, QStringLiteral("database.password")), QStringList());
    QVERIFY(!QFileInfo::exists(file));
    QCOMPARE(QDir(dir->path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
}

void TestKeychain::createDefaultUsesKeychain()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString file = dir->path() + QStringLiteral("/secrets.json");
    const QString service = QStringLiteral("revenge"); // what the server itself uses
    const QString key = QStringLiteral("database.password");

    const std::unique_ptr<SecretStore> store = SecretStore::createDefault(dir->path());
    QVERIFY(store);
    QCOMPARE(store->read(key), std::nullopt);
    QCOMPARE(store->name(), QStringLiteral("system keychain"));

    QString error;
    QVERIFY2(store->write(key, QStringLiteral("generated-☃-password"), &error), qPrintable(error));
    QCOMPARE(store->read(key), std::optional(QStringLiteral("generated-☃-password")));
    QVERIFY2(!QFileInfo::exists(file),
             "createDefault() wrote the file although the keychain works");

    // Under the service name "revenge", where the next start (and any other tool) finds it.
    const QStringList items = m_ss.qtKeychainItems(service, key);
    QCOMPARE(items.size(), 1);
    QCOMPARE(m_ss.secret(items.constFirst()),
             std::optional(QStringLiteral("generated-☃-password").toUtf8()));
    QCOMPARE(KeychainSecretStore().read(key),
             std::optional(QStringLiteral("generated-☃-password")));
    QCOMPARE(SecretStore::createDefault(dir->path())->read(key),
             std::optional(QStringLiteral("generated-☃-password")));

    QVERIFY2(store->remove(key, &error), qPrintable(error));
    QCOMPARE(store->read(key), std::nullopt);
    QCOMPARE(m_ss.qtKeychainItems(service, key), QStringList());
    QVERIFY(!QFileInfo::exists(file));
}

void TestKeychain::stalledKeychain()
{
    // A keychain that does not answer (gnome-keyring-daemon frozen; on a desktop: an unlock prompt
    // nobody answers in time). The store gives up after its bound and the fallback uses the file;
    // when the answer does come, late, the abandoned job must still be alive to take it (this
    // crashed with a use after free when runJob deleted jobs that had timed out).
    const QDBusReply<uint> pidReply =
        QDBusConnection::sessionBus().interface()->servicePid(kService);
    QVERIFY2(pidReply.isValid(), qPrintable(pidReply.error().message()));
    const pid_t daemon = pid_t(pidReply.value());
    QVERIFY(daemon > 1);
    struct Resume
    {
        pid_t pid;
        ~Resume() { ::kill(pid, SIGCONT); }
    } resume{daemon};
    QCOMPARE(::kill(daemon, SIGSTOP), 0);

    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString file = dir->path() + QStringLiteral("/secrets.json");
    FallbackSecretStore store(std::make_unique<KeychainSecretStore>(m_service),
                              std::make_unique<FileSecretStore>(file));
    QElapsedTimer timer;
    timer.start();
    QString error;
    QVERIFY2(
        store.write(QStringLiteral("database.password"), QStringLiteral("to the file"), &error),
        qPrintable(error));
    QVERIFY2(timer.elapsed() < 9000, qPrintable(QStringLiteral("took %1 ms").arg(timer.elapsed())));
    QVERIFY(QFileInfo::exists(file));
    QVERIFY2(store.name().contains(file), qPrintable(store.name()));
    QCOMPARE(store.read(QStringLiteral("database.password")),
             std::optional(QStringLiteral("to the file")));

    // Let the daemon answer the abandoned probe now, and give the answer time to arrive.
    QCOMPARE(::kill(daemon, SIGCONT), 0);
    QTest::qWait(1500);

    // The keychain works again for a new store; the secret went to the file, not the keychain.
    KeychainSecretStore fresh(m_service);
    QVERIFY2(fresh.isAvailable(), qPrintable(fresh.unavailableReason()));
    QCOMPARE(fresh.read(QStringLiteral("database.password")), std::nullopt);
    QVERIFY(fresh.write(QStringLiteral("after.stall"), QStringLiteral("ok")));
    QCOMPARE(fresh.read(QStringLiteral("after.stall")), std::optional(QStringLiteral("ok")));
    QVERIFY(fresh.remove(QStringLiteral("after.stall")));
}

QTEST_GUILESS_MAIN(TestKeychain)

#include "tst_keychain.moc"
