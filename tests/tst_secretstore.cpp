#include "TestEnvironment.h"
#include "core/SecretStore.h"
#include "core/Startup.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTest>
#include <optional>
#include <sys/stat.h>
#include <utility>
#include <vector>

using namespace Revenge;

namespace {

// A keychain that is off must answer at once; 2 s leaves room for a loaded CI box while still
// catching the 5 s keychain timeout.
constexpr qint64 kQuickMs = 2000;

// Sets or unsets process environment variables for one scope and restores them afterwards.
class EnvGuard
{
public:
    ~EnvGuard()
    {
        for (auto it = m_saved.crbegin(); it != m_saved.crend(); ++it) {
            if (it->second)
                qputenv(it->first.constData(), *it->second);
            else
                qunsetenv(it->first.constData());
        }
    }
    void set(const char *name, const QByteArray &value)
    {
        save(name);
        qputenv(name, value);
    }
    void unset(const char *name)
    {
        save(name);
        qunsetenv(name);
    }

private:
    void save(const char *name)
    {
        m_saved.emplace_back(QByteArray(name), qEnvironmentVariableIsSet(name)
                                                   ? std::optional<QByteArray>(qgetenv(name))
                                                   : std::nullopt);
    }
    std::vector<std::pair<QByteArray, std::optional<QByteArray>>> m_saved;
};

int modeOf(const QString &path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

mode_t currentUmask()
{
    const mode_t m = ::umask(0);
    ::umask(m);
    return m;
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

// The file store, the keychain when it is off or unreachable (never hanging), the fallback
// between them, and Startup wiring the data dir, the store and the configuration together.
class TestSecretStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void fileRoundTrip();
    void fileMissingReadsNothing();
    void fileCreatesParentDirectory();
    void filePermissions();
    void fileTightensLoosePermissions();
    void fileRestoresUmask();
    void fileCorruptReadsNothing_data();
    void fileCorruptReadsNothing();
    void fileValuesSurvive_data();
    void fileValuesSurvive();
    void fileEmptyValueIsStored();

    void keychainOff_data();
    void keychainOff();
    void keychainWithoutSessionBus();

    void fallbackUsesFile();
    void createDefaultFallsBackToDataDir();

    void startupUsesExplicitDataDir();
    void startupUsesDataDirFromFile();
    void startupEnvironmentDataDirWins();
    void startupSecretsCompleteConfig();
    void startupWithoutFile();
};

void TestSecretStore::initTestCase()
{
    // ctest sets this; running the binary by hand must not reach a real keychain either.
    qputenv("REVENGE_KEYCHAIN", "off");
}

void TestSecretStore::fileRoundTrip()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/secrets.json");
    FileSecretStore store(path);
    QVERIFY(store.name().contains(path));

    QString error;
    QVERIFY2(store.write(QStringLiteral("database.password"), QStringLiteral("one"), &error),
             qPrintable(error));
    QVERIFY(store.write(QStringLiteral("search.api_key"), QStringLiteral("two")));
    QCOMPARE(store.read(QStringLiteral("database.password")), std::optional(QStringLiteral("one")));
    QCOMPARE(store.read(QStringLiteral("search.api_key")), std::optional(QStringLiteral("two")));
    QCOMPARE(store.read(QStringLiteral("cache.password")), std::nullopt);

    // Overwrite keeps the other keys.
    QVERIFY(store.write(QStringLiteral("database.password"), QStringLiteral("three")));
    QCOMPARE(store.read(QStringLiteral("database.password")),
             std::optional(QStringLiteral("three")));
    QCOMPARE(store.read(QStringLiteral("search.api_key")), std::optional(QStringLiteral("two")));

    // A second instance on the same file sees the same data.
    FileSecretStore other(path);
    QCOMPARE(other.read(QStringLiteral("database.password")),
             std::optional(QStringLiteral("three")));

    QVERIFY2(store.remove(QStringLiteral("database.password"), &error), qPrintable(error));
    QCOMPARE(store.read(QStringLiteral("database.password")), std::nullopt);
    QCOMPARE(store.read(QStringLiteral("search.api_key")), std::optional(QStringLiteral("two")));
    // Removing what is not there is not an error.
    QVERIFY(store.remove(QStringLiteral("database.password"), &error));
    QVERIFY(store.remove(QStringLiteral("never.stored"), &error));

    const QJsonObject json = readJson(path);
    QCOMPARE(json.keys(), QStringList{QStringLiteral("search.api_key")});
}

void TestSecretStore::fileMissingReadsNothing()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/none/secrets.json");
    FileSecretStore store(path);
    QCOMPARE(store.read(QStringLiteral("database.password")), std::nullopt);
    QVERIFY(store.remove(QStringLiteral("database.password")));
    // Neither a read nor a remove creates the file.
    QVERIFY(!QFileInfo::exists(path));
}

void TestSecretStore::fileCreatesParentDirectory()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/a/b/secrets.json");
    FileSecretStore store(path);
    QString error;
    QVERIFY2(store.write(QStringLiteral("k"), QStringLiteral("v"), &error), qPrintable(error));
    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(store.read(QStringLiteral("k")), std::optional(QStringLiteral("v")));
}

void TestSecretStore::filePermissions()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/secrets.json");
    FileSecretStore store(path);

    QVERIFY(store.write(QStringLiteral("a"), QStringLiteral("1")));
    QCOMPARE(modeOf(path), 0600);
    QVERIFY(store.write(QStringLiteral("b"), QStringLiteral("2")));
    QCOMPARE(modeOf(path), 0600);
    QVERIFY(store.remove(QStringLiteral("a")));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(store.read(QStringLiteral("b")), std::optional(QStringLiteral("2")));
}

void TestSecretStore::fileTightensLoosePermissions()
{
    // A file someone created by hand with the usual 0644 must not stay world-readable.
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/secrets.json");
    QVERIFY(writeFile(path, R"({"old": "value"})"));
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
    QCOMPARE(modeOf(path), 0644);

    FileSecretStore store(path);
    QCOMPARE(store.read(QStringLiteral("old")), std::optional(QStringLiteral("value")));
    QVERIFY(store.write(QStringLiteral("new"), QStringLiteral("secret")));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(store.read(QStringLiteral("old")), std::optional(QStringLiteral("value")));
    QCOMPARE(store.read(QStringLiteral("new")), std::optional(QStringLiteral("secret")));
}

void TestSecretStore::fileRestoresUmask()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const mode_t before = currentUmask();
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("k"), QStringLiteral("v")));
    QCOMPARE(currentUmask(), before);
}

void TestSecretStore::fileCorruptReadsNothing_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("not json") << QByteArray("this is not JSON {{{");
    QTest::newRow("truncated") << QByteArray(R"({"database.password": "abc)");
    QTest::newRow("array") << QByteArray(R"(["database.password", "abc"])");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe\x01", 4);
}

void TestSecretStore::fileCorruptReadsNothing()
{
    QFETCH(QByteArray, content);
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/secrets.json");
    QVERIFY(writeFile(path, content));

    FileSecretStore store(path);
    QCOMPARE(store.read(QStringLiteral("database.password")), std::nullopt);
    QVERIFY(store.remove(QStringLiteral("database.password")));

    // A write replaces the damaged file with a clean one holding just the new key.
    QString error;
    QVERIFY2(store.write(QStringLiteral("database.password"), QStringLiteral("fresh"), &error),
             qPrintable(error));
    QCOMPARE(store.read(QStringLiteral("database.password")),
             std::optional(QStringLiteral("fresh")));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QVERIFY(doc.isObject());
    QCOMPARE(doc.object().keys(), QStringList{QStringLiteral("database.password")});
    QCOMPARE(modeOf(path), 0600);
}

void TestSecretStore::fileValuesSurvive_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::newRow("quotes") << QStringLiteral("database.password")
                            << QStringLiteral(R"(p"a's's\"w\o'r"d)");
    QTest::newRow("unicode") << QStringLiteral("search.api_key")
                             << QStringLiteral("pässwörd-日本語-😀-Ωμέγα");
    QTest::newRow("control characters")
        << QStringLiteral("cache.password") << QStringLiteral("line1\nline2\ttab\r\u0001");
    QTest::newRow("json-looking") << QStringLiteral("provider.tmdb")
                                  << QStringLiteral(R"({"nested": ["json", 1]})");
    QTest::newRow("spaces") << QStringLiteral("key with spaces ünd ümlauts")
                            << QStringLiteral("  leading and trailing  ");
    QTest::newRow("long") << QStringLiteral("long") << QString(10000, QLatin1Char('x'));
}

void TestSecretStore::fileValuesSurvive()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/secrets.json");
    {
        FileSecretStore store(path);
        QVERIFY(store.write(QStringLiteral("neighbour"), QStringLiteral("n")));
        QVERIFY(store.write(key, value));
    }
    FileSecretStore reopened(path);
    QCOMPARE(reopened.read(key), std::optional(value));
    QCOMPARE(reopened.read(QStringLiteral("neighbour")), std::optional(QStringLiteral("n")));
}

void TestSecretStore::fileEmptyValueIsStored()
{
    // Stored-but-empty and not stored are different answers.
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("empty"), QString()));
    QCOMPARE(store.read(QStringLiteral("empty")), std::optional(QString()));
    QCOMPARE(store.read(QStringLiteral("absent")), std::nullopt);
}

void TestSecretStore::keychainOff_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("off") << QByteArray("off");
    QTest::newRow("OFF") << QByteArray("OFF");
    QTest::newRow("0") << QByteArray("0");
    QTest::newRow("false") << QByteArray("false");
}

void TestSecretStore::keychainOff()
{
    QFETCH(QByteArray, value);
    EnvGuard env;
    env.set("REVENGE_KEYCHAIN", value);

    QElapsedTimer timer;
    timer.start();
    KeychainSecretStore keychain(QStringLiteral("revenge-test"));
    QVERIFY(!keychain.isAvailable());
    QVERIFY(!keychain.unavailableReason().isEmpty());
    QVERIFY2(keychain.unavailableReason().contains(QStringLiteral("REVENGE_KEYCHAIN")),
             qPrintable(keychain.unavailableReason()));
    QCOMPARE(keychain.read(QStringLiteral("database.password")), std::nullopt);

    QString error;
    QVERIFY(!keychain.write(QStringLiteral("database.password"), QStringLiteral("x"), &error));
    QCOMPARE(error, keychain.unavailableReason());
    error.clear();
    QVERIFY(!keychain.remove(QStringLiteral("database.password"), &error));
    QCOMPARE(error, keychain.unavailableReason());
    QVERIFY2(timer.elapsed() < kQuickMs, qPrintable(QString::number(timer.elapsed())));
}

void TestSecretStore::keychainWithoutSessionBus()
{
    // No REVENGE_KEYCHAIN, no session bus address and no bus socket: the store must say so at
    // once instead of letting QtKeychain try to autolaunch a bus.
    auto runtime = Test::makeTempDir();
    QVERIFY(runtime->isValid());
    EnvGuard env;
    env.unset("REVENGE_KEYCHAIN");
    env.unset("DBUS_SESSION_BUS_ADDRESS");
    env.set("XDG_RUNTIME_DIR", QFile::encodeName(runtime->path()));

    QElapsedTimer timer;
    timer.start();
    KeychainSecretStore keychain(QStringLiteral("revenge-test"));
    QVERIFY(!keychain.isAvailable());
    QVERIFY2(keychain.unavailableReason().contains(QStringLiteral("D-Bus")),
             qPrintable(keychain.unavailableReason()));
    QCOMPARE(keychain.read(QStringLiteral("database.password")), std::nullopt);
    QVERIFY(!keychain.write(QStringLiteral("database.password"), QStringLiteral("x")));
    QVERIFY2(timer.elapsed() < kQuickMs, qPrintable(QString::number(timer.elapsed())));
}

void TestSecretStore::fallbackUsesFile()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/secrets.json");
    EnvGuard env;
    env.set("REVENGE_KEYCHAIN", "off");

    QElapsedTimer timer;
    timer.start();
    FallbackSecretStore store(std::make_unique<KeychainSecretStore>(QStringLiteral("revenge-test")),
                              std::make_unique<FileSecretStore>(path));
    QCOMPARE(store.read(QStringLiteral("database.password")), std::nullopt);
    QString error;
    QVERIFY2(
        store.write(QStringLiteral("database.password"), QStringLiteral("fallback-pw"), &error),
        qPrintable(error));
    QCOMPARE(store.read(QStringLiteral("database.password")),
             std::optional(QStringLiteral("fallback-pw")));
    QVERIFY(store.name().contains(path));

    // It really is the file that holds it.
    QCOMPARE(FileSecretStore(path).read(QStringLiteral("database.password")),
             std::optional(QStringLiteral("fallback-pw")));
    QCOMPARE(readJson(path).value(QStringLiteral("database.password")).toString(),
             QStringLiteral("fallback-pw"));
    QCOMPARE(modeOf(path), 0600);

    QVERIFY(store.remove(QStringLiteral("database.password"), &error));
    QCOMPARE(store.read(QStringLiteral("database.password")), std::nullopt);
    QVERIFY(!readJson(path).contains(QStringLiteral("database.password")));
    QVERIFY2(timer.elapsed() < kQuickMs, qPrintable(QString::number(timer.elapsed())));
}

void TestSecretStore::createDefaultFallsBackToDataDir()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    EnvGuard env;
    env.set("REVENGE_KEYCHAIN", "off");

    auto store = SecretStore::createDefault(dir->path());
    QVERIFY(store);
    QVERIFY(store->write(QStringLiteral("search.api_key"), QStringLiteral("k")));
    const QString path = dir->path() + QStringLiteral("/secrets.json");
    QVERIFY(store->name().contains(path));
    QCOMPARE(FileSecretStore(path).read(QStringLiteral("search.api_key")),
             std::optional(QStringLiteral("k")));
}

void TestSecretStore::startupUsesExplicitDataDir()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString xdg = dir->path() + QStringLiteral("/config");
    const QString configFile = xdg + QStringLiteral("/revenge/revenge.yaml");
    QVERIFY(writeFile(configFile, "data_dir: " + QFile::encodeName(dir->path()) +
                                      "/from-file\n"
                                      "server:\n  port: ${PORT:8123}\n"
                                      "database:\n  host: db.example\n  password: ${DB_PASSWORD}\n"
                                      "jobs:\n  queues: { default: 7 }\n"));

    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), xdg);
    env.insert(QStringLiteral("HOME"), dir->path() + QStringLiteral("/home"));
    env.insert(QStringLiteral("DB_PASSWORD"), QStringLiteral("env-pw"));

    // Deliberately unclean: Startup hands back a clean absolute path.
    const QString explicitDir = dir->path() + QStringLiteral("/explicit/../data");
    const QString expected = dir->path() + QStringLiteral("/data");

    QElapsedTimer timer;
    timer.start();
    Startup s = Startup::load({}, explicitDir, env);
    QVERIFY2(timer.elapsed() < kQuickMs, qPrintable(QString::number(timer.elapsed())));

    QVERIFY2(!s.loaded.hasErrors(), qPrintable(s.loaded.errorSummary()));
    QCOMPARE(s.dataDir, expected);
    QCOMPARE(s.loaded.config.dataDir, expected);
    QCOMPARE(s.loaded.config.sourceFile, configFile);
    QCOMPARE(s.loaded.config.server.port, quint16(8123));
    QVERIFY(!s.loaded.config.database.managed);
    QCOMPARE(s.loaded.config.database.host, QStringLiteral("db.example"));
    QCOMPARE(s.loaded.config.database.password, QStringLiteral("env-pw"));
    QCOMPARE(s.loaded.config.jobs.queues.value(QStringLiteral("default")), 7);
    QVERIFY(s.loaded.config.cache.managed);

    // The secret store lives in the chosen data dir.
    QVERIFY(s.secrets);
    QVERIFY(s.secrets->write(QStringLiteral("probe"), QStringLiteral("1")));
    QVERIFY(QFileInfo::exists(expected + QStringLiteral("/secrets.json")));
    QVERIFY(!QFileInfo::exists(dir->path() + QStringLiteral("/from-file")));
}

void TestSecretStore::startupUsesDataDirFromFile()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString xdg = dir->path() + QStringLiteral("/config");
    QVERIFY(writeFile(xdg + QStringLiteral("/revenge/revenge.yaml"),
                      "data_dir: " + QFile::encodeName(dir->path()) + "/from-file\n"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), xdg);
    env.insert(QStringLiteral("HOME"), dir->path() + QStringLiteral("/home"));

    Startup s = Startup::load({}, {}, env);
    QVERIFY2(!s.loaded.hasErrors(), qPrintable(s.loaded.errorSummary()));
    QCOMPARE(s.dataDir, dir->path() + QStringLiteral("/from-file"));
    QCOMPARE(s.loaded.config.dataDir, s.dataDir);
}

void TestSecretStore::startupEnvironmentDataDirWins()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString xdg = dir->path() + QStringLiteral("/config");
    QVERIFY(writeFile(xdg + QStringLiteral("/revenge/revenge.yaml"),
                      "data_dir: " + QFile::encodeName(dir->path()) + "/from-file\n"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), xdg);
    env.insert(QStringLiteral("HOME"), dir->path() + QStringLiteral("/home"));
    env.insert(QStringLiteral("REVENGE_DATA_DIR"), dir->path() + QStringLiteral("/from-env"));

    Startup s = Startup::load({}, {}, env);
    QCOMPARE(s.dataDir, dir->path() + QStringLiteral("/from-env"));

    // ...but an explicit --data-dir beats the environment.
    Startup e = Startup::load({}, dir->path() + QStringLiteral("/cli"), env);
    QCOMPARE(e.dataDir, dir->path() + QStringLiteral("/cli"));
}

void TestSecretStore::startupSecretsCompleteConfig()
{
    // A password kept in the data dir's secret store satisfies an unset ${DB_PASSWORD}.
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString dataDir = dir->path() + QStringLiteral("/data");
    QVERIFY(FileSecretStore(dataDir + QStringLiteral("/secrets.json"))
                .write(QStringLiteral("database.password"), QStringLiteral("stored-pw")));
    const QString configFile = dir->path() + QStringLiteral("/custom.yaml");
    QVERIFY(
        writeFile(configFile, "database: { host: db.example, password: \"${DB_PASSWORD}\" }\n"));

    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), dir->path() + QStringLiteral("/home"));
    Startup s = Startup::load(configFile, dataDir, env);
    QVERIFY2(s.loaded.diagnostics.isEmpty(), qPrintable(s.loaded.errorSummary()));
    QCOMPARE(s.loaded.config.sourceFile, configFile);
    QCOMPARE(s.loaded.config.database.password, QStringLiteral("stored-pw"));

    // Without the stored secret the same file is an error that names the variable.
    const QString emptyDataDir = dir->path() + QStringLiteral("/empty");
    Startup t = Startup::load(configFile, emptyDataDir, env);
    QVERIFY(t.loaded.hasErrors());
    QVERIFY(t.loaded.errorSummary().contains(QStringLiteral("DB_PASSWORD")));
}

void TestSecretStore::startupWithoutFile()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir->path() + QStringLiteral("/config"));
    env.insert(QStringLiteral("HOME"), dir->path() + QStringLiteral("/home"));
    env.insert(QStringLiteral("REVENGE_DATA_DIR"), dir->path() + QStringLiteral("/data"));

    Startup s = Startup::load({}, {}, env);
    QVERIFY2(s.loaded.diagnostics.isEmpty(), qPrintable(s.loaded.errorSummary()));
    QVERIFY(s.loaded.config.sourceFile.isEmpty());
    QVERIFY(s.loaded.config.database.managed);
    QCOMPARE(s.dataDir, dir->path() + QStringLiteral("/data"));
}

QTEST_GUILESS_MAIN(TestSecretStore)

#include "tst_secretstore.moc"
