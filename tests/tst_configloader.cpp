#include "TestEnvironment.h"
#include "core/ConfigLoader.h"
#include "core/SecretStore.h"

#include <QDir>
#include <QFile>
#include <QProcessEnvironment>
#include <QTest>
#include <initializer_list>
#include <utility>

using namespace Revenge;

namespace {

const QString kLabel = QStringLiteral("test.yaml");

// The shape documented in the issue, flow style. Line numbers matter to the tests below.
const QByteArray kFlowYaml = R"(server:   { host: 0.0.0.0, port: 8096 }
database: { host: "${DB_HOST:localhost}", port: ${DB_PORT:5432}, name: revenge,
            user: "${DB_USER:revenge}", password: "${DB_PASSWORD}", pool_size: 10 }
cache:    { host: "${CACHE_HOST:localhost}", port: ${CACHE_PORT:6379} }
search:   { host: "${SEARCH_HOST:localhost}", port: ${SEARCH_PORT:8108}, api_key: "${TYPESENSE_API_KEY}" }
jobs:     { workers: 10, queues: { default: 5, high: 10, low: 2 } }
)";
const int kFlowPasswordLine = 3;
const int kFlowApiKeyLine = 5;

// The same in block style, placeholders left bare (the loader must quote them itself).
const QByteArray kBlockYaml = R"(# revenge.yaml
server:
  host: 0.0.0.0
  port: 8096
database:
  host: ${DB_HOST:localhost}
  port: ${DB_PORT:5432}
  name: revenge
  user: ${DB_USER:revenge}
  password: ${DB_PASSWORD}
  pool_size: 10
cache:
  host: ${CACHE_HOST:localhost}
  port: ${CACHE_PORT:6379}
search:
  host: ${SEARCH_HOST:localhost}
  port: ${SEARCH_PORT:8108}
  api_key: ${TYPESENSE_API_KEY}
jobs:
  workers: 10
  queues:
    default: 5
    high: 10
    low: 2
)";
const int kBlockPasswordLine = 10;
const int kBlockApiKeyLine = 18;

QProcessEnvironment makeEnv(std::initializer_list<std::pair<const char *, const char *>> vars = {})
{
    QProcessEnvironment env;
    for (const auto &[name, value] : vars)
        env.insert(QLatin1String(name), QString::fromUtf8(value));
    return env;
}

ConfigLoader::Result parse(const QByteArray &yaml, const QProcessEnvironment &env = {},
                           SecretStore *secrets = nullptr)
{
    return ConfigLoader(env, secrets).loadString(yaml, kLabel);
}

QList<ConfigDiagnostic> errorsOf(const ConfigLoader::Result &r)
{
    QList<ConfigDiagnostic> out;
    for (const auto &d : r.diagnostics)
        if (d.isError())
            out << d;
    return out;
}

QList<ConfigDiagnostic> warningsOf(const ConfigLoader::Result &r)
{
    QList<ConfigDiagnostic> out;
    for (const auto &d : r.diagnostics)
        if (!d.isError())
            out << d;
    return out;
}

std::optional<ConfigDiagnostic> diagnosticFor(const ConfigLoader::Result &r, const QString &key,
                                              ConfigDiagnostic::Severity severity)
{
    for (const auto &d : r.diagnostics)
        if (d.key == key && d.severity == severity)
            return d;
    return std::nullopt;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

const QMap<QString, int> kDefaultQueues{
    {QStringLiteral("default"), 5}, {QStringLiteral("high"), 10}, {QStringLiteral("low"), 2}};

} // namespace

// ConfigLoader through its public API, always with a hand-made environment: defaults, ${VAR}
// substitution, REVENGE_* overrides, secrets, and diagnostics that name file, line and key.
class TestConfigLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsWithoutFile();
    void loadWithoutFileUsesDefaults();
    void emptyFileUsesDefaults();

    void documentedShapeWithEnvironment_data();
    void documentedShapeWithEnvironment();
    void documentedShapeWithoutEnvironment_data();
    void documentedShapeWithoutEnvironment();
    void documentedShapeWithSecretsOnly_data();
    void documentedShapeWithSecretsOnly();

    void placeholderInsideString();
    void severalPlaceholdersInOneScalar();
    void emptyDefault();
    void emptyVariableTakesTheDefault();
    void unsetVariableWithoutDefault();
    void invalidVariableName();
    void placeholderInList();

    void environmentOverrides();
    void overrideOnManagedSectionWarnsFromEnvironment();
    void managedOverride();
    void overrideSuppliesMissingPassword();
    void badOverride();
    void badQueueOverride();

    void errors_data();
    void errors();
    void invalidYaml_data();
    void invalidYaml();
    void topLevelNotMapping_data();
    void topLevelNotMapping();

    void unknownKeyIsWarning();
    void unknownSectionIsWarning();
    void dataDir();

    void absentSectionStaysManaged();
    void presentSectionIsExternal();
    void managedTrueKeepsManaged();
    void managedSectionWithHostAndPortWarns_data();
    void managedSectionWithHostAndPortWarns();
    void cachePasswordUnsetIsWarning();
    void partialSecretIsError();
    void databaseErrorDoesNotHideCacheWarning();
    void queuesReplaceDefaults();
    void jobTimingsAndRetention();

    void loadFileMissing();
    void loadFileReadsFile();
    void locateCliWins();
    void locateXdgOnlyWhenExists();
    void locateFallsBackToHome();
    void loadUsesXdgFile();

    void secretFromStoreForDatabase();
    void secretFromStoreForSearch_data();
    void secretFromStoreForSearch();
    void secretFromStoreForCache();
    void managedDatabaseIgnoresStore();

    void toYamlMasksSecrets();
    void toYamlUnmasked();
    void toYamlUnmaskedRoundTripsQuotes();
    void toYamlDefaults();

    void diagnosticToString();
    void errorSummary();
};

void TestConfigLoader::defaultsWithoutFile()
{
    const auto r = ConfigLoader(makeEnv()).defaults();
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(!r.hasErrors());
    const Config &c = r.config;
    QVERIFY(c.sourceFile.isEmpty());
    QVERIFY(c.dataDir.isEmpty());
    QCOMPARE(c.server.host, QStringLiteral("0.0.0.0"));
    QCOMPARE(c.server.port, quint16(8096));
    QVERIFY(c.database.managed);
    QCOMPARE(c.database.poolSize, 10);
    QVERIFY(c.database.password.isEmpty());
    QVERIFY(c.cache.managed);
    QVERIFY(c.search.managed);
    QCOMPARE(c.jobs.workers, 10);
    QCOMPARE(c.jobs.queues, kDefaultQueues);
    QVERIFY(ConfigLoader::toYaml(c).contains(QStringLiteral("engine: postgres")));
}

void TestConfigLoader::loadWithoutFileUsesDefaults()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    // No revenge.yaml under either XDG_CONFIG_HOME or HOME: built-in defaults.
    const auto env = makeEnv({});
    QProcessEnvironment e = env;
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), dir->path() + QStringLiteral("/xdg"));
    e.insert(QStringLiteral("HOME"), dir->path() + QStringLiteral("/home"));
    const auto r = ConfigLoader(e).load();
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(r.config.sourceFile.isEmpty());
    QVERIFY(r.config.database.managed);
    QVERIFY(r.config.cache.managed);
    QVERIFY(r.config.search.managed);
}

void TestConfigLoader::emptyFileUsesDefaults()
{
    const auto r = parse("# nothing here yet\n");
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.sourceFile, kLabel);
    QVERIFY(r.config.database.managed);
    QVERIFY(r.config.cache.managed);
    QVERIFY(r.config.search.managed);
    QCOMPARE(r.config.server.port, quint16(8096));
}

void TestConfigLoader::documentedShapeWithEnvironment_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::newRow("flow") << kFlowYaml;
    QTest::newRow("block") << kBlockYaml;
}

void TestConfigLoader::documentedShapeWithEnvironment()
{
    QFETCH(QByteArray, yaml);
    const auto env = makeEnv({{"DB_HOST", "db.internal"},
                              {"DB_PORT", "6543"},
                              {"DB_USER", "media"},
                              {"DB_PASSWORD", "s3cret \"quoted\""},
                              {"CACHE_HOST", "redis.internal"},
                              {"CACHE_PORT", "6380"},
                              {"SEARCH_HOST", "ts.internal"},
                              {"SEARCH_PORT", "8109"},
                              {"TYPESENSE_API_KEY", "ts-key"}});
    const auto r = parse(yaml, env);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    const Config &c = r.config;
    QCOMPARE(c.sourceFile, kLabel);
    QCOMPARE(c.server.host, QStringLiteral("0.0.0.0"));
    QCOMPARE(c.server.port, quint16(8096));
    QVERIFY(!c.database.managed);
    QCOMPARE(c.database.host, QStringLiteral("db.internal"));
    QCOMPARE(c.database.port, quint16(6543));
    QCOMPARE(c.database.name, QStringLiteral("revenge"));
    QCOMPARE(c.database.user, QStringLiteral("media"));
    QCOMPARE(c.database.password, QStringLiteral("s3cret \"quoted\""));
    QCOMPARE(c.database.poolSize, 10);
    QVERIFY(!c.cache.managed);
    QCOMPARE(c.cache.host, QStringLiteral("redis.internal"));
    QCOMPARE(c.cache.port, quint16(6380));
    QVERIFY(c.cache.password.isEmpty());
    QVERIFY(!c.search.managed);
    QCOMPARE(c.search.protocol, QStringLiteral("http"));
    QCOMPARE(c.search.host, QStringLiteral("ts.internal"));
    QCOMPARE(c.search.port, quint16(8109));
    QCOMPARE(c.search.apiKey, QStringLiteral("ts-key"));
    QCOMPARE(c.jobs.workers, 10);
    QCOMPARE(c.jobs.queues, kDefaultQueues);
}

void TestConfigLoader::documentedShapeWithoutEnvironment_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("passwordLine");
    QTest::addColumn<int>("apiKeyLine");
    QTest::newRow("flow") << kFlowYaml << kFlowPasswordLine << kFlowApiKeyLine;
    QTest::newRow("block") << kBlockYaml << kBlockPasswordLine << kBlockApiKeyLine;
}

void TestConfigLoader::documentedShapeWithoutEnvironment()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, passwordLine);
    QFETCH(int, apiKeyLine);
    const auto r = parse(yaml, makeEnv());
    const Config &c = r.config;

    // The defaults inside the placeholders are used...
    QVERIFY(!c.database.managed);
    QCOMPARE(c.database.host, QStringLiteral("localhost"));
    QCOMPARE(c.database.port, quint16(5432));
    QCOMPARE(c.database.user, QStringLiteral("revenge"));
    QCOMPARE(c.cache.host, QStringLiteral("localhost"));
    QCOMPARE(c.cache.port, quint16(6379));
    QCOMPARE(c.search.host, QStringLiteral("localhost"));
    QCOMPARE(c.search.port, quint16(8108));

    // ...and the two secrets without a default are errors that say where and what to set.
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 2);
    const auto password =
        diagnosticFor(r, QStringLiteral("database.password"), ConfigDiagnostic::Severity::Error);
    QVERIFY2(password, qPrintable(r.errorSummary()));
    QCOMPARE(password->file, kLabel);
    QCOMPARE(password->line, passwordLine);
    QVERIFY2(password->message.contains(QStringLiteral("DB_PASSWORD")),
             qPrintable(password->message));
    QVERIFY(password->toString().startsWith(
        QStringLiteral("test.yaml:%1: error: database.password: ").arg(passwordLine)));

    const auto apiKey =
        diagnosticFor(r, QStringLiteral("search.api_key"), ConfigDiagnostic::Severity::Error);
    QVERIFY2(apiKey, qPrintable(r.errorSummary()));
    QCOMPARE(apiKey->file, kLabel);
    QCOMPARE(apiKey->line, apiKeyLine);
    QVERIFY2(apiKey->message.contains(QStringLiteral("TYPESENSE_API_KEY")),
             qPrintable(apiKey->message));
}

void TestConfigLoader::documentedShapeWithSecretsOnly_data()
{
    documentedShapeWithoutEnvironment_data();
}

void TestConfigLoader::documentedShapeWithSecretsOnly()
{
    QFETCH(QByteArray, yaml);
    const auto r = parse(yaml, makeEnv({{"DB_PASSWORD", "pw"}, {"TYPESENSE_API_KEY", "key"}}));
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.database.host, QStringLiteral("localhost"));
    QCOMPARE(r.config.database.password, QStringLiteral("pw"));
    QCOMPARE(r.config.search.apiKey, QStringLiteral("key"));
}

void TestConfigLoader::placeholderInsideString()
{
    const QByteArray yaml = "database:\n"
                            "  name: \"postgres-${ENV:dev}\"\n"
                            "  user: revenge-${ENV:dev}-user\n";
    auto r = parse(yaml, makeEnv());
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.database.name, QStringLiteral("postgres-dev"));
    QCOMPARE(r.config.database.user, QStringLiteral("revenge-dev-user"));

    r = parse(yaml, makeEnv({{"ENV", "prod"}}));
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.database.name, QStringLiteral("postgres-prod"));
    QCOMPARE(r.config.database.user, QStringLiteral("revenge-prod-user"));
}

void TestConfigLoader::severalPlaceholdersInOneScalar()
{
    const QByteArray yaml = "database: { host: \"${SUB}.${ZONE:lan}.${TLD:example}\", "
                            "name: \"${A:a}${B:b}\" }\n";
    const auto r = parse(yaml, makeEnv({{"SUB", "db1"}, {"TLD", "org"}, {"B", "X"}}));
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.database.host, QStringLiteral("db1.lan.org"));
    QCOMPARE(r.config.database.name, QStringLiteral("aX"));
}

void TestConfigLoader::emptyDefault()
{
    // An empty default is a value, not "unset": no error, and the rest of the scalar stays.
    const QByteArray yaml = "database:\n"
                            "  host: \"db${SUFFIX:}\"\n"
                            "  password: ${DB_PASSWORD:}\n";
    const auto r = parse(yaml, makeEnv());
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.database.host, QStringLiteral("db"));
    QVERIFY(r.config.database.password.isEmpty());

    // Where an empty value is invalid, the empty default is reported as such.
    const auto bad = parse("server:\n  host: ${HOST:}\n", makeEnv());
    const auto errors = errorsOf(bad);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().key, QStringLiteral("server.host"));
    QCOMPARE(errors.first().line, 2);
    QVERIFY(errors.first().message.contains(QStringLiteral("empty")));
}

void TestConfigLoader::emptyVariableTakesTheDefault()
{
    // Like the shell's ${VAR:-default}: PORT= (set, empty) is no port number.
    const auto r = parse("server:\n  port: ${PORT:9000}\n  host: \"${HOST}\"\n",
                         makeEnv({{"PORT", ""}, {"HOST", ""}}));
    QCOMPARE(r.config.server.port, quint16(9000));
    // Without a default, a set-but-empty variable is its (empty) value: here an error on host.
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().key, QStringLiteral("server.host"));
}

void TestConfigLoader::unsetVariableWithoutDefault()
{
    const auto r = parse("server:\n  host: 0.0.0.0\n  port: ${PORT}\n", makeEnv());
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().key, QStringLiteral("server.port"));
    QCOMPARE(errors.first().line, 3);
    QCOMPARE(errors.first().file, kLabel);
    QVERIFY(errors.first().message.contains(QStringLiteral("PORT")));
    QCOMPARE(r.config.server.port, quint16(8096));
}

void TestConfigLoader::invalidVariableName()
{
    const auto r = parse("server:\n  host: \"${1BAD}\"\n", makeEnv({{"1BAD", "x"}}));
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().key, QStringLiteral("server.host"));
    QCOMPARE(errors.first().line, 2);
    QVERIFY(errors.first().message.contains(QStringLiteral("1BAD")));
}

void TestConfigLoader::placeholderInList()
{
    // A list where a single value belongs is a type error, even when its items are placeholders.
    const auto r = parse("server:\n  host: [ ${A:x}, ${B:y} ]\n", makeEnv());
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().key, QStringLiteral("server.host"));
    QCOMPARE(errors.first().line, 2);
}

void TestConfigLoader::environmentOverrides()
{
    const QByteArray yaml = "server: { port: 8096 }\n"
                            "database: { host: db, password: pw, pool_size: 10 }\n";
    const auto env = makeEnv({{"REVENGE_SERVER_PORT", "9000"},
                              {"REVENGE_SERVER_HOST", "127.0.0.1"},
                              {"REVENGE_DATABASE_POOL_SIZE", "25"},
                              {"REVENGE_DATABASE_HOST", "db.override"},
                              {"REVENGE_JOBS_QUEUES_HIGH", "20"},
                              {"REVENGE_JOBS_QUEUES_BULK", "3"},
                              {"REVENGE_JOBS_WORKERS", "4"}});
    const auto r = parse(yaml, env);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.server.port, quint16(9000));
    QCOMPARE(r.config.server.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(r.config.database.poolSize, 25);
    QCOMPARE(r.config.database.host, QStringLiteral("db.override"));
    QCOMPARE(r.config.jobs.workers, 4);
    QMap<QString, int> queues = kDefaultQueues;
    queues.insert(QStringLiteral("high"), 20);
    queues.insert(QStringLiteral("bulk"), 3);
    QCOMPARE(r.config.jobs.queues, queues);

    // Overrides apply to the built-in defaults too.
    const auto d = ConfigLoader(makeEnv({{"REVENGE_SERVER_PORT", "9000"},
                                         {"REVENGE_DATABASE_POOL_SIZE", "25"},
                                         {"REVENGE_JOBS_QUEUES_HIGH", "20"}}))
                       .defaults();
    QVERIFY2(d.diagnostics.isEmpty(), qPrintable(d.errorSummary()));
    QCOMPARE(d.config.server.port, quint16(9000));
    QCOMPARE(d.config.database.poolSize, 25);
    QCOMPARE(d.config.jobs.queues.value(QStringLiteral("high")), 20);
}

void TestConfigLoader::overrideOnManagedSectionWarnsFromEnvironment()
{
    // The warning points at the variable that set the ignored value, not at a file.
    const auto r = ConfigLoader(makeEnv({{"REVENGE_DATABASE_HOST", "db.example"}})).defaults();
    QVERIFY(!r.hasErrors());
    QCOMPARE(r.diagnostics.size(), 1);
    const auto &w = r.diagnostics.first();
    QCOMPARE(w.key, QStringLiteral("database.host"));
    QCOMPARE(w.file, QStringLiteral("environment (REVENGE_DATABASE_HOST)"));
    QCOMPARE(w.line, 0);

    const auto f = parse("server: { port: 1 }\n", makeEnv({{"REVENGE_CACHE_PORT", "6390"}}));
    QCOMPARE(f.diagnostics.size(), 1);
    QCOMPARE(f.diagnostics.first().file, QStringLiteral("environment (REVENGE_CACHE_PORT)"));
}

void TestConfigLoader::managedOverride()
{
    const auto env = makeEnv({{"REVENGE_DATABASE_MANAGED", "false"},
                              {"REVENGE_DATABASE_HOST", "db.example"},
                              {"REVENGE_SEARCH_MANAGED", "no"},
                              {"REVENGE_SEARCH_API_KEY", "key"}});
    const auto r = ConfigLoader(env).defaults();
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    QVERIFY(!r.config.database.managed);
    QCOMPARE(r.config.database.host, QStringLiteral("db.example"));
    QVERIFY(r.config.cache.managed);
    QVERIFY(!r.config.search.managed);
    QCOMPARE(r.config.search.apiKey, QStringLiteral("key"));

    // And the other way round: a section in the file made managed from the environment.
    const auto m =
        parse("database: { host: db }\n", makeEnv({{"REVENGE_DATABASE_MANAGED", "true"}}));
    QVERIFY(m.config.database.managed);
    QVERIFY(!m.hasErrors());
}

void TestConfigLoader::overrideSuppliesMissingPassword()
{
    // REVENGE_DATABASE_PASSWORD fills in for an unset ${DB_PASSWORD}; REVENGE_SEARCH_API_KEY for
    // an unset ${TYPESENSE_API_KEY}.
    const auto r =
        parse(kFlowYaml,
              makeEnv({{"REVENGE_DATABASE_PASSWORD", "pw"}, {"REVENGE_SEARCH_API_KEY", "key"}}));
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.database.password, QStringLiteral("pw"));
    QCOMPARE(r.config.search.apiKey, QStringLiteral("key"));
}

void TestConfigLoader::badOverride()
{
    const auto r = parse("server: { port: 8097 }\n", makeEnv({{"REVENGE_SERVER_PORT", "abc"}}));
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 1);
    const auto &e = errors.first();
    QCOMPARE(e.key, QStringLiteral("server.port"));
    QVERIFY2(e.file.contains(QStringLiteral("environment")), qPrintable(e.file));
    QVERIFY2(e.file.contains(QStringLiteral("REVENGE_SERVER_PORT")), qPrintable(e.file));
    QCOMPARE(e.line, 0);
    QVERIFY(e.message.contains(QStringLiteral("abc")));
    QCOMPARE(e.toString(),
             QStringLiteral("environment (REVENGE_SERVER_PORT): error: server.port: ") + e.message);
    // The file's value survives a rejected override.
    QCOMPARE(r.config.server.port, quint16(8097));

    const auto range = ConfigLoader(makeEnv({{"REVENGE_SERVER_PORT", "70000"}})).defaults();
    QCOMPARE(errorsOf(range).size(), 1);
    QVERIFY(errorsOf(range).first().file.contains(QStringLiteral("REVENGE_SERVER_PORT")));

    const auto managed = ConfigLoader(makeEnv({{"REVENGE_CACHE_MANAGED", "perhaps"}})).defaults();
    QCOMPARE(errorsOf(managed).size(), 1);
    QCOMPARE(errorsOf(managed).first().key, QStringLiteral("cache.managed"));
    QVERIFY(errorsOf(managed).first().file.contains(QStringLiteral("REVENGE_CACHE_MANAGED")));
    QVERIFY(managed.config.cache.managed);
}

void TestConfigLoader::badQueueOverride()
{
    const auto r = ConfigLoader(makeEnv({{"REVENGE_JOBS_QUEUES_HIGH", "0"}})).defaults();
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().key, QStringLiteral("jobs.queues.high"));
    QVERIFY(errors.first().file.contains(QStringLiteral("REVENGE_JOBS_QUEUES_HIGH")));
    QCOMPARE(r.config.jobs.queues, kDefaultQueues);

    const auto badName = ConfigLoader(makeEnv({{"REVENGE_JOBS_QUEUES_BAD.NAME", "3"}})).defaults();
    QCOMPARE(errorsOf(badName).size(), 1);
    QVERIFY(errorsOf(badName).first().message.contains(QStringLiteral("queue names")));
    QCOMPARE(badName.config.jobs.queues, kDefaultQueues);
}

void TestConfigLoader::errors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("port not a number")
        << QByteArray("server:\n  host: 0.0.0.0\n  port: abc\n") << 3 << "server.port"
        << "expected an integer, got 'abc'";
    QTest::newRow("port zero") << QByteArray("server:\n  port: 0\n") << 2 << "server.port"
                               << "out of range";
    QTest::newRow("listen host is a name")
        << QByteArray("server:\n  host: myserver.lan\n") << 2 << "server.host"
        << "'myserver.lan' is not an IP address";
    QTest::newRow("no queues") << QByteArray("jobs:\n  workers: 4\n  queues: {}\n") << 3
                               << "jobs.queues"
                               << "must name at least one queue";
    QTest::newRow("port too large") << QByteArray("server:\n  port: 70000\n") << 2 << "server.port"
                                    << "70000 is out of range (1-65535)";
    QTest::newRow("port negative") << QByteArray("database: { port: -1 }\n") << 1 << "database.port"
                                   << "out of range";
    QTest::newRow("port fractional") << QByteArray("cache:\n  port: 80.5\n") << 2 << "cache.port"
                                     << "expected an integer";
    QTest::newRow("pool_size list")
        << QByteArray("database:\n  host: db\n  pool_size: [1, 2]\n") << 3 << "database.pool_size"
        << "list";
    QTest::newRow("pool_size mapping")
        << QByteArray("database:\n  pool_size: { a: 1 }\n") << 2 << "database.pool_size"
        << "mapping";
    QTest::newRow("pool_size zero")
        << QByteArray("database:\n  pool_size: 0\n") << 2 << "database.pool_size"
        << "out of range (1-500)";
    QTest::newRow("pool_size too large")
        << QByteArray("database:\n\n  pool_size: 501\n") << 3 << "database.pool_size"
        << "501 is out of range";
    QTest::newRow("cache db too large") << QByteArray("cache:\n  db: 16\n") << 2 << "cache.db"
                                        << "out of range (0-15)";
    QTest::newRow("workers zero") << QByteArray("jobs:\n  workers: 0\n") << 2 << "jobs.workers"
                                  << "out of range";
    QTest::newRow("section is a list")
        << QByteArray("server:\n  - host\n  - port\n") << 1 << "server"
        << "expected a mapping";
    QTest::newRow("section is a flow list") << QByteArray("jobs: [1, 2]\n") << 1 << "jobs"
                                            << "expected a mapping";
    QTest::newRow("section is a scalar") << QByteArray("# c\ncache: redis\n") << 2 << "cache"
                                         << "expected a mapping";
    QTest::newRow("bad bool") << QByteArray("database:\n  managed: maybe\n") << 2
                              << "database.managed"
                              << "expected true or false, got 'maybe'";
    QTest::newRow("bad protocol") << QByteArray("search:\n  api_key: k\n  protocol: ftp\n") << 3
                                  << "search.protocol"
                                  << "expected http or https, got 'ftp'";
    QTest::newRow("empty host") << QByteArray("database:\n  host: \"\"\n") << 2 << "database.host"
                                << "must not be empty";
    QTest::newRow("null host") << QByteArray("server:\n  port: 1\n  host:\n") << 3 << "server.host"
                               << "must not be empty";
    QTest::newRow("blank name") << QByteArray("database: { name: \"   \" }\n") << 1
                                << "database.name"
                                << "must not be empty";
    QTest::newRow("queue name uppercase")
        << QByteArray("jobs:\n  queues:\n    default: 5\n    High: 10\n") << 4 << "jobs.queues.High"
        << "queue names";
    QTest::newRow("queue name with space")
        << QByteArray("jobs: { queues: { \"bulk jobs\": 1 } }\n") << 1 << "jobs.queues.bulk jobs"
        << "queue names";
    QTest::newRow("queue size zero")
        << QByteArray("jobs:\n  queues:\n    low: 0\n") << 3 << "jobs.queues.low"
        << "out of range";
    QTest::newRow("queue size not a number")
        << QByteArray("jobs:\n  queues:\n    low: two\n") << 3 << "jobs.queues.low"
        << "expected an integer";
    QTest::newRow("queues not a mapping")
        << QByteArray("jobs:\n  queues: [a, b]\n") << 2 << "jobs.queues"
        << "expected a mapping";
    // A null value's YAML mark is on the next line; the diagnostic must name the key's line.
    QTest::newRow("null queues") << QByteArray("jobs:\n  queues:\n  workers: 2\n") << 2
                                 << "jobs.queues"
                                 << "expected a mapping";
    QTest::newRow("null queue size")
        << QByteArray("jobs:\n  queues:\n    low:\n\n") << 3 << "jobs.queues.low"
        << "expected an integer";
    QTest::newRow("null host mid-section")
        << QByteArray("server:\n  host:\n  port: 1\n") << 2 << "server.host"
        << "must not be empty";
}

void TestConfigLoader::errors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);
    QFETCH(QString, key);
    QFETCH(QString, fragment);

    const auto r = parse(yaml, makeEnv());
    const auto errors = errorsOf(r);
    QVERIFY2(errors.size() == 1, qPrintable(r.errorSummary()));
    const auto &e = errors.first();
    QCOMPARE(e.file, kLabel);
    QCOMPARE(e.key, key);
    QCOMPARE(e.line, line);
    QVERIFY2(e.message.contains(fragment), qPrintable(e.message));
    QCOMPARE(e.toString(),
             QStringLiteral("test.yaml:%1: error: %2: %3").arg(line).arg(key, e.message));
}

void TestConfigLoader::invalidYaml_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");

    QTest::newRow("map value in plain scalar")
        << QByteArray("server:\n  host: 0.0.0.0\n  port: 80: 90\n") << 3;
    QTest::newRow("unclosed flow mapping")
        << QByteArray("server: { host: 0.0.0.0\ndatabase:\n  host: db\n") << 2;
    QTest::newRow("bad indentation") << QByteArray("server:\n  host: 0.0.0.0\n port: 8096\n") << 3;
    QTest::newRow("unknown alias") << QByteArray("server:\n  host: *missing\n") << 2;
}

void TestConfigLoader::invalidYaml()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);

    const auto r = parse(yaml, makeEnv());
    const auto errors = errorsOf(r);
    QVERIFY2(errors.size() == 1, qPrintable(r.errorSummary()));
    QCOMPARE(errors.first().file, kLabel);
    QVERIFY2(errors.first().line == line, qPrintable(errors.first().toString()));
    QVERIFY(errors.first().key.isEmpty());
    QVERIFY(errors.first().message.startsWith(QStringLiteral("invalid YAML")));
    QCOMPARE(r.config.sourceFile, kLabel);
}

void TestConfigLoader::topLevelNotMapping_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::newRow("list") << QByteArray("- server\n- database\n") << 1;
    QTest::newRow("scalar") << QByteArray("\n\nrevenge\n") << 3;
}

void TestConfigLoader::topLevelNotMapping()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);
    const auto r = parse(yaml, makeEnv());
    const auto errors = errorsOf(r);
    QVERIFY2(errors.size() == 1, qPrintable(r.errorSummary()));
    QCOMPARE(errors.first().line, line);
    QCOMPARE(errors.first().file, kLabel);
    QVERIFY(errors.first().message.contains(QStringLiteral("mapping")));
}

void TestConfigLoader::unknownKeyIsWarning()
{
    const auto r = parse("server:\n  host: 0.0.0.0\n  hostname: media\n", makeEnv());
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    const auto warnings = warningsOf(r);
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings.first().key, QStringLiteral("server.hostname"));
    QCOMPARE(warnings.first().line, 3);
    QCOMPARE(warnings.first().file, kLabel);
    QVERIFY(warnings.first().toString().startsWith(
        QStringLiteral("test.yaml:3: warning: server.hostname: ")));
}

void TestConfigLoader::unknownSectionIsWarning()
{
    const auto r = parse("server: { port: 8100 }\nmedia:\n  path: /srv\n", makeEnv());
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    const auto warnings = warningsOf(r);
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings.first().key, QStringLiteral("media"));
    QCOMPARE(warnings.first().line, 2);
    // The rest of the file still applies.
    QCOMPARE(r.config.server.port, quint16(8100));
}

void TestConfigLoader::dataDir()
{
    const auto r = parse("data_dir: \"${BASE:/srv}/revenge\"\n", makeEnv());
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.dataDir, QStringLiteral("/srv/revenge"));
}

void TestConfigLoader::absentSectionStaysManaged()
{
    const auto r = parse("server:\n  port: 9000\njobs:\n  workers: 2\n", makeEnv());
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(r.config.database.managed);
    QVERIFY(r.config.cache.managed);
    QVERIFY(r.config.search.managed);
    QCOMPARE(r.config.jobs.workers, 2);
}

void TestConfigLoader::presentSectionIsExternal()
{
    const auto r = parse("database:\n  host: db.example\ncache:\n  managed: false\n", makeEnv());
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(!r.config.database.managed);
    QCOMPARE(r.config.database.host, QStringLiteral("db.example"));
    QVERIFY(!r.config.cache.managed);
    QCOMPARE(r.config.cache.host, QStringLiteral("localhost"));
    QVERIFY(r.config.search.managed);

    // An external search engine is Typesense and needs a key.
    const auto s = parse("search:\n  host: ts.example\n", makeEnv());
    QVERIFY(!s.config.search.managed);
    const auto errors = errorsOf(s);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().key, QStringLiteral("search.api_key"));
}

void TestConfigLoader::managedTrueKeepsManaged()
{
    const QByteArray yaml = "database:\n  managed: true\n  pool_size: 20\n"
                            "cache:\n  managed: yes\n"
                            "search:\n  managed: on\n";
    const auto r = parse(yaml, makeEnv());
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(r.config.database.managed);
    QCOMPARE(r.config.database.poolSize, 20);
    QVERIFY(r.config.cache.managed);
    QVERIFY(r.config.search.managed);
}

void TestConfigLoader::managedSectionWithHostAndPortWarns_data()
{
    QTest::addColumn<QString>("section");
    QTest::newRow("database") << QStringLiteral("database");
    QTest::newRow("cache") << QStringLiteral("cache");
    QTest::newRow("search") << QStringLiteral("search");
}

void TestConfigLoader::managedSectionWithHostAndPortWarns()
{
    QFETCH(QString, section);
    const QByteArray yaml = (section + QStringLiteral(":\n  managed: true\n  host: remote.example\n"
                                                      "  port: 5555\n"))
                                .toUtf8();
    const auto r = parse(yaml, makeEnv());
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    const auto host =
        diagnosticFor(r, section + QStringLiteral(".host"), ConfigDiagnostic::Severity::Warning);
    const auto port =
        diagnosticFor(r, section + QStringLiteral(".port"), ConfigDiagnostic::Severity::Warning);
    QVERIFY2(host, qPrintable(r.errorSummary()));
    QVERIFY2(port, qPrintable(r.errorSummary()));
    QCOMPARE(host->line, 3);
    QCOMPARE(port->line, 4);
    QVERIFY(host->message.contains(QStringLiteral("managed")));
    QCOMPARE(warningsOf(r).size(), 2);

    // The same keys on an external section are what it is for: no warning.
    const QByteArray external = (section + QStringLiteral(":\n  managed: false\n  host: remote\n"
                                                          "  api_key: k\n"))
                                    .toUtf8();
    const auto e = parse(external, makeEnv());
    QVERIFY(
        !diagnosticFor(e, section + QStringLiteral(".host"), ConfigDiagnostic::Severity::Warning));
}

void TestConfigLoader::cachePasswordUnsetIsWarning()
{
    const auto r = parse("cache:\n  host: redis\n  password: ${REDIS_PASSWORD}\n", makeEnv());
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    const auto w =
        diagnosticFor(r, QStringLiteral("cache.password"), ConfigDiagnostic::Severity::Warning);
    QVERIFY2(w, qPrintable(r.errorSummary()));
    QCOMPARE(w->line, 3);
    QVERIFY(w->message.contains(QStringLiteral("REDIS_PASSWORD")));
    QVERIFY(r.config.cache.password.isEmpty());

    // A managed cache ignores the password, so there is nothing to warn about.
    const auto m = parse("cache:\n  managed: true\n  password: ${REDIS_PASSWORD}\n", makeEnv());
    QVERIFY2(m.diagnostics.isEmpty(), qPrintable(m.errorSummary()));
}

void TestConfigLoader::partialSecretIsError()
{
    // A store cannot complete half a secret: an unset variable inside a longer value is an error,
    // even where the whole value could come from the store.
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("search.api_key"), QStringLiteral("stored")));
    const QByteArray yaml = "database:\n  password: \"pre-${DB_PASSWORD}\"\n"
                            "search:\n  api_key: \"${KEY_PREFIX}-${KEY}\"\n";
    const auto r = parse(yaml, makeEnv({{"KEY", "k"}}), &store);
    const auto db =
        diagnosticFor(r, QStringLiteral("database.password"), ConfigDiagnostic::Severity::Error);
    QVERIFY2(db, qPrintable(r.errorSummary()));
    QCOMPARE(db->line, 2);
    QVERIFY(db->message.contains(QStringLiteral("DB_PASSWORD")));
    const auto key =
        diagnosticFor(r, QStringLiteral("search.api_key"), ConfigDiagnostic::Severity::Error);
    QVERIFY2(key, qPrintable(r.errorSummary()));
    QCOMPARE(key->line, 4);
    QVERIFY(key->message.contains(QStringLiteral("KEY_PREFIX")));
    QCOMPARE(errorsOf(r).size(), 2);
}

void TestConfigLoader::databaseErrorDoesNotHideCacheWarning()
{
    // Two unrelated problems: both must be reported.
    const QByteArray yaml = "database:\n  password: ${DB_PASSWORD}\n"
                            "cache:\n  password: ${REDIS_PASSWORD}\n";
    const auto r = parse(yaml, makeEnv());
    QVERIFY2(
        diagnosticFor(r, QStringLiteral("database.password"), ConfigDiagnostic::Severity::Error),
        qPrintable(r.errorSummary()));
    QVERIFY2(
        diagnosticFor(r, QStringLiteral("cache.password"), ConfigDiagnostic::Severity::Warning),
        qPrintable(r.errorSummary()));
}

void TestConfigLoader::queuesReplaceDefaults()
{
    const auto r = parse("jobs:\n  queues:\n    default: 3\n    media-scan: 4\n", makeEnv());
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    const QMap<QString, int> expected{{QStringLiteral("default"), 3},
                                      {QStringLiteral("media-scan"), 4}};
    QCOMPARE(r.config.jobs.queues, expected);
}

void TestConfigLoader::jobTimingsAndRetention()
{
    const auto defaults = ConfigLoader(makeEnv()).defaults();
    QCOMPARE(defaults.config.jobs.timeoutSeconds, 60);
    QCOMPARE(defaults.config.jobs.rescueAfterMinutes, 60);
    QCOMPARE(defaults.config.jobs.keepCompletedHours, 168);
    QCOMPARE(defaults.config.jobs.keepCancelledHours, 24);
    QCOMPARE(defaults.config.jobs.keepDiscardedHours, 720);
    const auto r = parse("jobs:\n  timeout_seconds: 300\n  keep_completed_hours: 48\n",
                         makeEnv({{"REVENGE_JOBS_KEEP_DISCARDED_HOURS", "1000"}}));
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.jobs.timeoutSeconds, 300);
    QCOMPARE(r.config.jobs.keepCompletedHours, 48);
    QCOMPARE(r.config.jobs.keepDiscardedHours, 1000);
    const auto bad = parse("jobs:\n  rescue_after_minutes: 0\n", makeEnv());
    QCOMPARE(errorsOf(bad).size(), 1);
    QCOMPARE(errorsOf(bad).first().key, QStringLiteral("jobs.rescue_after_minutes"));
    QCOMPARE(errorsOf(bad).first().line, 2);
}

void TestConfigLoader::loadFileMissing()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/missing/revenge.yaml");
    const auto r = ConfigLoader(makeEnv()).loadFile(path);
    QVERIFY(r.hasErrors());
    QCOMPARE(r.diagnostics.size(), 1);
    QCOMPARE(r.diagnostics.first().file, path);
    QCOMPARE(r.diagnostics.first().line, 0);
    QVERIFY(r.diagnostics.first().toString().startsWith(path + QStringLiteral(": error: ")));

    // load() with an explicit --config that does not exist fails the same way.
    const auto viaLoad = ConfigLoader(makeEnv()).load(path);
    QVERIFY(viaLoad.hasErrors());
    QCOMPARE(viaLoad.diagnostics.first().file, path);
}

void TestConfigLoader::loadFileReadsFile()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/revenge.yaml");
    QVERIFY(writeFile(path, "server:\n  port: 8200\ndatabase:\n  port: nope\n"));
    const auto r = ConfigLoader(makeEnv()).loadFile(path);
    QCOMPARE(r.config.sourceFile, path);
    QCOMPARE(r.config.server.port, quint16(8200));
    const auto errors = errorsOf(r);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, path);
    QCOMPARE(errors.first().line, 4);
    QCOMPARE(errors.first().toString(),
             path + QStringLiteral(":4: error: database.port: ") + errors.first().message);
}

void TestConfigLoader::locateCliWins()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    QVERIFY(writeFile(dir->path() + QStringLiteral("/xdg/revenge/revenge.yaml"), "{}\n"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir->path() + QStringLiteral("/xdg"));
    QCOMPARE(ConfigLoader::locate(QStringLiteral("/etc/revenge/custom.yaml"), env),
             QStringLiteral("/etc/revenge/custom.yaml"));
}

void TestConfigLoader::locateXdgOnlyWhenExists()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir->path());
    env.insert(QStringLiteral("HOME"), dir->path() + QStringLiteral("/home"));
    QVERIFY(ConfigLoader::locate({}, env).isEmpty());

    const QString path = dir->path() + QStringLiteral("/revenge/revenge.yaml");
    QVERIFY(writeFile(path, "server: { port: 8300 }\n"));
    QCOMPARE(ConfigLoader::locate({}, env), path);
}

void TestConfigLoader::locateFallsBackToHome()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), dir->path());
    QVERIFY(ConfigLoader::locate({}, env).isEmpty());
    const QString path = dir->path() + QStringLiteral("/.config/revenge/revenge.yaml");
    QVERIFY(writeFile(path, "{}\n"));
    QCOMPARE(ConfigLoader::locate({}, env), path);
}

void TestConfigLoader::loadUsesXdgFile()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    const QString path = dir->path() + QStringLiteral("/revenge/revenge.yaml");
    QVERIFY(writeFile(path, "server: { port: ${PORT:8300} }\n"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir->path());
    env.insert(QStringLiteral("PORT"), QStringLiteral("8301"));
    const auto r = ConfigLoader(env).load();
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.sourceFile, path);
    QCOMPARE(r.config.server.port, quint16(8301));
}

void TestConfigLoader::secretFromStoreForDatabase()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("database.password"), QStringLiteral("from-store")));

    const QByteArray yaml = "database:\n  host: db.example\n  password: \"${DB_PASSWORD}\"\n";
    const auto r = parse(yaml, makeEnv(), &store);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(!r.config.database.managed);
    QCOMPARE(r.config.database.password, QStringLiteral("from-store"));

    // Without a password line at all the store still completes the config.
    const auto bare = parse("database: { host: db.example }\n", makeEnv(), &store);
    QVERIFY2(bare.diagnostics.isEmpty(), qPrintable(bare.errorSummary()));
    QCOMPARE(bare.config.database.password, QStringLiteral("from-store"));

    // The flow shape: only the Typesense key is missing now.
    const auto flow = parse(kFlowYaml, makeEnv(), &store);
    QCOMPARE(errorsOf(flow).size(), 1);
    QCOMPARE(errorsOf(flow).first().key, QStringLiteral("search.api_key"));
    QCOMPARE(flow.config.database.password, QStringLiteral("from-store"));

    // An explicit REVENGE_DATABASE_PASSWORD beats the store (a stale keychain entry cannot
    // silently win over what the operator just set).
    const auto overridden =
        parse(yaml, makeEnv({{"REVENGE_DATABASE_PASSWORD", "from-env"}}), &store);
    QVERIFY2(!overridden.hasErrors(), qPrintable(overridden.errorSummary()));
    QCOMPARE(overridden.config.database.password, QStringLiteral("from-env"));
}

void TestConfigLoader::secretFromStoreForSearch_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::newRow("no api_key line") << QByteArray("search:\n  host: ts.example\n");
    QTest::newRow("unset placeholder")
        << QByteArray("search:\n  host: ts.example\n  api_key: \"${TYPESENSE_API_KEY}\"\n");
    QTest::newRow("documented shape, db password set") << kFlowYaml;
}

void TestConfigLoader::secretFromStoreForSearch()
{
    QFETCH(QByteArray, yaml);
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("search.api_key"), QStringLiteral("ts-from-store")));

    const auto r = parse(yaml, makeEnv({{"DB_PASSWORD", "pw"}}), &store);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(!r.config.search.managed);
    QCOMPARE(r.config.search.apiKey, QStringLiteral("ts-from-store"));
}

void TestConfigLoader::secretFromStoreForCache()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("cache.password"), QStringLiteral("redis-pw")));
    const auto r =
        parse("cache:\n  host: redis\n  password: ${REDIS_PASSWORD}\n", makeEnv(), &store);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.cache.password, QStringLiteral("redis-pw"));
}

void TestConfigLoader::managedDatabaseIgnoresStore()
{
    // The managed cluster's generated password is the service's business, not the config's.
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("database.password"), QStringLiteral("generated")));
    const auto r = ConfigLoader(makeEnv(), &store).defaults();
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(r.config.database.managed);
    QVERIFY(r.config.database.password.isEmpty());
}

void TestConfigLoader::toYamlMasksSecrets()
{
    const auto r =
        parse(kFlowYaml,
              makeEnv({{"DB_PASSWORD", "hunter2-db"}, {"TYPESENSE_API_KEY", "ts-secret-key"}}));
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    Config c = r.config;
    c.cache.password = QStringLiteral("redis-secret");

    const QString yaml = ConfigLoader::toYaml(c);
    QVERIFY(!yaml.contains(QStringLiteral("hunter2-db")));
    QVERIFY(!yaml.contains(QStringLiteral("ts-secret-key")));
    QVERIFY(!yaml.contains(QStringLiteral("redis-secret")));
    QCOMPARE(yaml.count(QStringLiteral("\"********\"")), 3);
    QVERIFY(yaml.contains(QStringLiteral("  password: \"********\"\n")));
    QVERIFY(yaml.contains(QStringLiteral("  api_key: \"********\"\n")));
    QVERIFY(yaml.contains(QStringLiteral("engine: typesense")));
    QVERIFY(yaml.contains(QStringLiteral("# effective configuration (test.yaml)")));

    // An empty secret is shown as empty, not as a mask that suggests one is set.
    c.cache.password.clear();
    QCOMPARE(ConfigLoader::toYaml(c).count(QStringLiteral("\"********\"")), 2);

    // The masked output is itself a valid configuration (engine is informational: a warning).
    const auto reparsed = parse(yaml.toUtf8(), makeEnv());
    QVERIFY2(!reparsed.hasErrors(), qPrintable(reparsed.errorSummary()));
    QCOMPARE(reparsed.config.database.host, c.database.host);
    QCOMPARE(reparsed.config.database.port, c.database.port);
    QCOMPARE(reparsed.config.search.port, c.search.port);
    QCOMPARE(reparsed.config.jobs.queues, c.jobs.queues);
}

void TestConfigLoader::toYamlUnmasked()
{
    const auto r =
        parse(kFlowYaml,
              makeEnv({{"DB_PASSWORD", "hunter2-db"}, {"TYPESENSE_API_KEY", "ts-secret-key"}}));
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    const QString yaml = ConfigLoader::toYaml(r.config, false);
    QVERIFY(yaml.contains(QStringLiteral("password: \"hunter2-db\"")));
    QVERIFY(yaml.contains(QStringLiteral("api_key: \"ts-secret-key\"")));
    QVERIFY(!yaml.contains(QStringLiteral("********")));
}

void TestConfigLoader::toYamlUnmaskedRoundTripsQuotes()
{
    // An unmasked secret with quotes and backslashes must still be valid YAML that reads back.
    const QString tricky = QStringLiteral("a\"b\\c'd");
    const auto r =
        parse("database:\n  password: ${DB_PASSWORD}\n", makeEnv({{"DB_PASSWORD", "a\"b\\c'd"}}));
    QVERIFY2(!r.hasErrors(), qPrintable(r.errorSummary()));
    QCOMPARE(r.config.database.password, tricky);
    const QString yaml = ConfigLoader::toYaml(r.config, false);
    const auto again = parse(yaml.toUtf8(), makeEnv());
    QVERIFY2(!again.hasErrors(), qPrintable(again.errorSummary()));
    QCOMPARE(again.config.database.password, tricky);
}

void TestConfigLoader::toYamlDefaults()
{
    Config c;
    c.dataDir = QStringLiteral("/srv/revenge");
    const QString yaml = ConfigLoader::toYaml(c);
    QVERIFY(yaml.contains(QStringLiteral("# effective configuration (built-in defaults)")));
    QVERIFY(yaml.contains(QStringLiteral("data_dir: \"/srv/revenge\"")));
    QVERIFY(yaml.contains(QStringLiteral("server:\n  host: 0.0.0.0\n  port: 8096\n")));
    QVERIFY(yaml.contains(QStringLiteral("database:\n  managed: true\n")));
    QVERIFY(yaml.contains(QStringLiteral("search:\n  managed: true\n  engine: postgres\n")));
    QVERIFY(yaml.contains(QStringLiteral("    default: 5\n    high: 10\n    low: 2\n")));
    QVERIFY(!yaml.contains(QStringLiteral("api_key")));
}

void TestConfigLoader::diagnosticToString()
{
    ConfigDiagnostic d{ConfigDiagnostic::Severity::Error, QStringLiteral("/etc/revenge.yaml"), 7,
                       QStringLiteral("database.port"), QStringLiteral("70000 is out of range")};
    QCOMPARE(d.toString(),
             QStringLiteral("/etc/revenge.yaml:7: error: database.port: 70000 is out of range"));

    d.severity = ConfigDiagnostic::Severity::Warning;
    QCOMPARE(d.toString(),
             QStringLiteral("/etc/revenge.yaml:7: warning: database.port: 70000 is out of range"));

    d.severity = ConfigDiagnostic::Severity::Error;
    d.line = 0;
    QCOMPARE(d.toString(),
             QStringLiteral("/etc/revenge.yaml: error: database.port: 70000 is out of range"));

    d.line = 3;
    d.key.clear();
    QCOMPARE(d.toString(), QStringLiteral("/etc/revenge.yaml:3: error: 70000 is out of range"));

    d.file.clear();
    d.line = 0;
    QCOMPARE(d.toString(), QStringLiteral("<defaults>: error: 70000 is out of range"));
}

void TestConfigLoader::errorSummary()
{
    const auto r = parse("server:\n  port: 0\n  bogus: 1\n", makeEnv());
    QCOMPARE(r.diagnostics.size(), 2);
    const QStringList lines = r.errorSummary().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines.contains(r.diagnostics.at(0).toString()));
    QVERIFY(lines.contains(r.diagnostics.at(1).toString()));
}

QTEST_GUILESS_MAIN(TestConfigLoader)

#include "tst_configloader.moc"
