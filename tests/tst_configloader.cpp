#include "TestEnvironment.h"
#include "core/ConfigLoader.h"
#include "core/SecretStore.h"
#include "core/TaskSchedule.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
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

    void libraryMetadataImagesTasksDefaults();
    void libraryMetadataImagesTasksParsed();
    void librarySectionsDoNotSwitchToExternal();
    void scheduleForms_data();
    void scheduleForms();
    void unquotedAtScheduleIsReported();
    void newSectionOverrides();
    void newSectionBadOverrides();
    void metadataApiKeySources();
    void shippedExampleIsValidAndDefault();

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

    // library, metadata, images, tasks
    QTest::newRow("watch not a bool")
        << QByteArray("library:\n  watch: sometimes\n") << 2 << "library.watch"
        << "expected true or false, got 'sometimes'";
    QTest::newRow("debounce zero") << QByteArray("library:\n  watch_debounce_seconds: 0\n") << 2
                                   << "library.watch_debounce_seconds"
                                   << "0 is out of range (1-3600)";
    QTest::newRow("scan timeout too long")
        << QByteArray("library:\n  scan_timeout_minutes: 10081\n") << 2
        << "library.scan_timeout_minutes"
        << "10081 is out of range (1-10080)";
    QTest::newRow("provider imdb")
        << QByteArray("metadata:\n  provider: imdb\n") << 2 << "metadata.provider"
        << "expected tmdb or none, got 'imdb'";
    QTest::newRow("provider upper case")
        << QByteArray("metadata: { provider: TMDB }\n") << 1 << "metadata.provider"
        << "expected tmdb or none, got 'TMDB'";
    QTest::newRow("base_url ftp") << QByteArray("metadata:\n  base_url: ftp://x\n") << 2
                                  << "metadata.base_url"
                                  << "'ftp://x' is not an http(s) URL";
    QTest::newRow("base_url not a url")
        << QByteArray("metadata:\n  language: de\n  base_url: not a url\n") << 3
        << "metadata.base_url"
        << "'not a url' is not an http(s) URL";
    QTest::newRow("base_url without host")
        << QByteArray("metadata:\n  base_url: http://\n") << 2 << "metadata.base_url"
        << "is not an http(s) URL";
    QTest::newRow("image_base_url empty")
        << QByteArray("metadata:\n  image_base_url: \"\"\n") << 2 << "metadata.image_base_url"
        << "is not an http(s) URL";
    QTest::newRow("image_base_url relative")
        << QByteArray("metadata:\n  image_base_url: /t/p/original\n") << 2
        << "metadata.image_base_url"
        << "is not an http(s) URL";
    QTest::newRow("language empty")
        << QByteArray("metadata:\n  language: \"\"\n") << 2 << "metadata.language"
        << "must not be empty";
    QTest::newRow("requests_per_second zero") << QByteArray("metadata:\n  requests_per_second: 0\n")
                                              << 2 << "metadata.requests_per_second"
                                              << "out of range (1-1000)";
    QTest::newRow("burst not a number")
        << QByteArray("metadata:\n  burst: lots\n") << 2 << "metadata.burst"
        << "expected an integer, got 'lots'";
    QTest::newRow("cache_hours too long")
        << QByteArray("metadata:\n  cache_hours: 8761\n") << 2 << "metadata.cache_hours"
        << "8761 is out of range (1-8760)";
    QTest::newRow("thumbnail_width too small")
        << QByteArray("images:\n  thumbnail_width: 10\n") << 2 << "images.thumbnail_width"
        << "10 is out of range (32-4096)";
    QTest::newRow("thumbnail_width too large")
        << QByteArray("images:\n  thumbnail_width: 5000\n") << 2 << "images.thumbnail_width"
        << "5000 is out of range (32-4096)";
    QTest::newRow("max_download_mb zero")
        << QByteArray("images:\n  max_download_mb: 0\n") << 2 << "images.max_download_mb"
        << "out of range (1-1024)";
    QTest::newRow("cache_max_mb negative")
        << QByteArray("images: { cache_max_mb: -5 }\n") << 1 << "images.cache_max_mb"
        << "out of range";
    QTest::newRow("schedule in words")
        << QByteArray("tasks:\n  library_scan: every day\n") << 2 << "tasks.library_scan"
        << "'every day' is not off, an interval like 30m, 6h or 1d, nor a cron expression";
    QTest::newRow("schedule too often")
        << QByteArray("tasks:\n  library_scan: 30s\n") << 2 << "tasks.library_scan"
        << "'30s' is too often: at least one minute";
    QTest::newRow("schedule zero")
        << QByteArray("tasks:\n  image_trim: 0m\n") << 2 << "tasks.image_trim"
        << "too often";
    QTest::newRow("schedule unknown unit")
        << QByteArray("tasks:\n  session_cleanup: 2w\n") << 2 << "tasks.session_cleanup"
        << "is not off, an interval";
    QTest::newRow("schedule upper-case unit")
        << QByteArray("tasks:\n  session_cleanup: 1H\n") << 2 << "tasks.session_cleanup"
        << "is not off, an interval";
    QTest::newRow("schedule negative")
        << QByteArray("tasks:\n  metadata_refresh: -1h\n") << 2 << "tasks.metadata_refresh"
        << "is not off, an interval";
    QTest::newRow("cron minute out of range")
        << QByteArray("tasks:\n  metadata_refresh: \"61 * * * *\"\n") << 2
        << "tasks.metadata_refresh"
        << "nor a cron expression";
    QTest::newRow("cron too few fields")
        << QByteArray("tasks:\n  image_trim: \"0 3 *\"\n") << 2 << "tasks.image_trim"
        << "nor a cron expression";
    QTest::newRow("unknown @ schedule")
        << QByteArray("tasks:\n  image_trim: \"@fortnightly\"\n") << 2 << "tasks.image_trim"
        << "nor a cron expression";
    QTest::newRow("empty schedule")
        << QByteArray("tasks:\n  library_scan: \"\"\n") << 2 << "tasks.library_scan"
        << "nor a cron expression";
    QTest::newRow("null schedule")
        << QByteArray("tasks:\n  library_scan:\n  image_trim: 1d\n") << 2 << "tasks.library_scan"
        << "nor a cron expression";
    QTest::newRow("schedule as a list")
        << QByteArray("tasks:\n  library_scan: [1h, 2h]\n") << 2 << "tasks.library_scan"
        << "expected a single value, got a list";
    QTest::newRow("tasks is a scalar") << QByteArray("tasks: daily\n") << 1 << "tasks"
                                       << "expected a mapping";
    QTest::newRow("unset variable in schedule")
        << QByteArray("tasks:\n  library_scan: ${SCAN_EVERY}\n") << 2 << "tasks.library_scan"
        << "environment variable SCAN_EVERY is not set";
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

void TestConfigLoader::libraryMetadataImagesTasksDefaults()
{
    // Built-in defaults and a file without these sections give the same values.
    for (const auto &r : {ConfigLoader(makeEnv()).defaults(), parse("server: { port: 8096 }\n")}) {
        QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
        const Config &c = r.config;
        QCOMPARE(c.library.watch, false);
        QCOMPARE(c.library.watchDebounceSeconds, 10);
        QCOMPARE(c.library.scanTimeoutMinutes, 360);
        QCOMPARE(c.metadata.provider, QStringLiteral("tmdb"));
        QCOMPARE(c.metadata.baseUrl, QStringLiteral("https://api.themoviedb.org/3"));
        QCOMPARE(c.metadata.imageBaseUrl, QStringLiteral("https://image.tmdb.org/t/p/original"));
        QVERIFY(c.metadata.apiKey.isEmpty());
        QCOMPARE(c.metadata.language, QStringLiteral("en-US"));
        QCOMPARE(c.metadata.requestsPerSecond, 4);
        QCOMPARE(c.metadata.burst, 10);
        QCOMPARE(c.metadata.cacheHours, 24);
        QCOMPARE(c.images.maxDownloadMb, 20);
        QCOMPARE(c.images.thumbnailWidth, 320);
        QCOMPARE(c.images.cacheMaxMb, 4096);
        QCOMPARE(c.tasks.libraryScan, QStringLiteral("@daily"));
        QCOMPARE(c.tasks.metadataRefresh, QStringLiteral("@daily"));
        QCOMPARE(c.tasks.sessionCleanup, QStringLiteral("1h"));
        QCOMPARE(c.tasks.imageTrim, QStringLiteral("@weekly"));
        // Every default schedule is itself valid and on.
        for (const QString &t : {c.tasks.libraryScan, c.tasks.metadataRefresh,
                                 c.tasks.sessionCleanup, c.tasks.imageTrim}) {
            const auto schedule = TaskSchedule::parse(t);
            QVERIFY2(schedule && schedule->enabled, qPrintable(t));
        }
    }
    // Empty sections are no different.
    const auto empty = parse("library:\nmetadata:\nimages: {}\ntasks:\n");
    QVERIFY2(empty.diagnostics.isEmpty(), qPrintable(empty.errorSummary()));
    QCOMPARE(empty.config.images.thumbnailWidth, 320);
    QCOMPARE(empty.config.tasks.sessionCleanup, QStringLiteral("1h"));
}

void TestConfigLoader::libraryMetadataImagesTasksParsed()
{
    const QByteArray yaml = R"(library:
  watch: yes
  watch_debounce_seconds: 30
  scan_timeout_minutes: 120
metadata:
  provider: none
  base_url: "http://tmdb.lan:8080/3/"
  image_base_url: https://img.example/t/p/w780
  api_key: abc123
  language: de-DE
  requests_per_second: 40
  burst: 80
  cache_hours: 72
images:
  max_download_mb: 5
  thumbnail_width: 480
  cache_max_mb: 100
tasks:
  library_scan: "0 3 * * *"
  metadata_refresh: off
  session_cleanup: " 90s "
  image_trim: "@monthly"
)";
    const auto r = parse(yaml);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    const Config &c = r.config;
    QCOMPARE(c.library.watch, true);
    QCOMPARE(c.library.watchDebounceSeconds, 30);
    QCOMPARE(c.library.scanTimeoutMinutes, 120);
    QCOMPARE(c.metadata.provider, QStringLiteral("none"));
    QCOMPARE(c.metadata.baseUrl, QStringLiteral("http://tmdb.lan:8080/3")); // trailing '/' dropped
    QCOMPARE(c.metadata.imageBaseUrl, QStringLiteral("https://img.example/t/p/w780"));
    QCOMPARE(c.metadata.apiKey, QStringLiteral("abc123"));
    QCOMPARE(c.metadata.language, QStringLiteral("de-DE"));
    QCOMPARE(c.metadata.requestsPerSecond, 40);
    QCOMPARE(c.metadata.burst, 80);
    QCOMPARE(c.metadata.cacheHours, 72);
    QCOMPARE(c.images.maxDownloadMb, 5);
    QCOMPARE(c.images.thumbnailWidth, 480);
    QCOMPARE(c.images.cacheMaxMb, 100);
    QCOMPARE(c.tasks.libraryScan, QStringLiteral("0 3 * * *"));
    QCOMPARE(c.tasks.metadataRefresh, QStringLiteral("off"));
    QCOMPARE(c.tasks.sessionCleanup, QStringLiteral("90s")); // trimmed
    QCOMPARE(c.tasks.imageTrim, QStringLiteral("@monthly"));

    // The range ends are accepted.
    const auto ends = parse("images: { thumbnail_width: 32, max_download_mb: 1024 }\n"
                            "library: { watch_debounce_seconds: 3600, scan_timeout_minutes: 1 }\n"
                            "metadata: { cache_hours: 8760, burst: 1000 }\n");
    QVERIFY2(ends.diagnostics.isEmpty(), qPrintable(ends.errorSummary()));
    QCOMPARE(ends.config.images.thumbnailWidth, 32);
    QCOMPARE(ends.config.images.maxDownloadMb, 1024);
    QCOMPARE(ends.config.library.watchDebounceSeconds, 3600);
    QCOMPARE(ends.config.metadata.cacheHours, 8760);

    // ${VAR} works in these sections like anywhere else.
    const auto vars = parse("tasks:\n  library_scan: ${SCAN_EVERY:6h}\n"
                            "images:\n  thumbnail_width: ${THUMB}\n",
                            makeEnv({{"THUMB", "640"}}));
    QVERIFY2(vars.diagnostics.isEmpty(), qPrintable(vars.errorSummary()));
    QCOMPARE(vars.config.tasks.libraryScan, QStringLiteral("6h"));
    QCOMPARE(vars.config.images.thumbnailWidth, 640);
}

void TestConfigLoader::librarySectionsDoNotSwitchToExternal()
{
    // Unlike database/cache/search, these sections have no managed flag: being present changes
    // nothing about the managed services, and gives no warning.
    const auto r = parse("library: { watch: true }\nmetadata: { language: fr }\n"
                         "images: { thumbnail_width: 200 }\ntasks: { image_trim: off }\n");
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QVERIFY(r.config.database.managed);
    QVERIFY(r.config.cache.managed);
    QVERIFY(r.config.search.managed);

    // A `managed` key there is unknown: a warning, not a switch.
    const auto m = parse("metadata:\n  managed: false\n");
    QVERIFY(!m.hasErrors());
    QCOMPARE(m.diagnostics.size(), 1);
    QCOMPARE(m.diagnostics.first().key, QStringLiteral("metadata.managed"));
    QCOMPARE(m.diagnostics.first().line, 2);
    QVERIFY(m.diagnostics.first().message.contains(QStringLiteral("unknown key")));
}

void TestConfigLoader::scheduleForms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<qint64>("intervalSeconds");
    QTest::addColumn<QString>("cron");

    QTest::newRow("off") << "off" << false << qint64(0) << "";
    QTest::newRow("OFF") << "OFF" << false << qint64(0) << "";
    QTest::newRow("false") << "false" << false << qint64(0) << "";
    QTest::newRow("one minute") << "1m" << true << qint64(60) << "";
    QTest::newRow("60s") << "60s" << true << qint64(60) << "";
    QTest::newRow("90s") << "90s" << true << qint64(90) << "";
    QTest::newRow("30m") << "30m" << true << qint64(1800) << "";
    QTest::newRow("6h") << "6h" << true << qint64(6 * 3600) << "";
    QTest::newRow("1d") << "1d" << true << qint64(86400) << "";
    QTest::newRow("space before unit") << "12 h" << true << qint64(12 * 3600) << "";
    QTest::newRow("@daily") << "@daily" << true << qint64(0) << "@daily";
    QTest::newRow("@hourly") << "@hourly" << true << qint64(0) << "@hourly";
    QTest::newRow("five fields") << "0 3 * * *" << true << qint64(0) << "0 3 * * *";
    QTest::newRow("steps") << "*/15 * * * 1-5" << true << qint64(0) << "*/15 * * * 1-5";
}

void TestConfigLoader::scheduleForms()
{
    // What each accepted tasks.* value means, through the loader and TaskSchedule.
    QFETCH(QString, text);
    QFETCH(bool, enabled);
    QFETCH(qint64, intervalSeconds);
    QFETCH(QString, cron);
    const QByteArray yaml = "tasks:\n  library_scan: \"" + text.toUtf8() + "\"\n";
    const auto r = parse(yaml);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    QString why;
    const auto s = TaskSchedule::parse(r.config.tasks.libraryScan, &why);
    QVERIFY2(s, qPrintable(why));
    QCOMPARE(s->enabled, enabled);
    QCOMPARE(qint64(s->interval.count()), intervalSeconds);
    QCOMPARE(s->cron, cron);
}

void TestConfigLoader::unquotedAtScheduleIsReported()
{
    // YAML reserves '@' at the start of a plain scalar (the docs and revenge.yaml say to quote
    // it): yaml-cpp refuses the file, and the error names the line.
    const auto r = parse("# tasks\ntasks:\n  library_scan: @daily\n");
    const auto errors = errorsOf(r);
    QVERIFY2(errors.size() == 1, qPrintable(r.errorSummary()));
    QCOMPARE(errors.first().file, kLabel);
    QCOMPARE(errors.first().line, 3);
    QVERIFY2(errors.first().message.startsWith(QStringLiteral("invalid YAML")),
             qPrintable(errors.first().message));
    // Quoted, it is the schedule.
    const auto quoted = parse("tasks:\n  library_scan: \"@daily\"\n  image_trim: '@hourly'\n");
    QVERIFY2(quoted.diagnostics.isEmpty(), qPrintable(quoted.errorSummary()));
    QCOMPARE(quoted.config.tasks.imageTrim, QStringLiteral("@hourly"));
}

void TestConfigLoader::newSectionOverrides()
{
    const auto env = makeEnv({{"REVENGE_TASKS_LIBRARY_SCAN", "off"},
                              {"REVENGE_TASKS_IMAGE_TRIM", "2d"},
                              {"REVENGE_LIBRARY_WATCH", "on"},
                              {"REVENGE_LIBRARY_SCAN_TIMEOUT_MINUTES", "30"},
                              {"REVENGE_METADATA_PROVIDER", "none"},
                              {"REVENGE_METADATA_BASE_URL", "https://proxy.lan/tmdb/3/"},
                              {"REVENGE_METADATA_API_KEY", "env-key"},
                              {"REVENGE_METADATA_LANGUAGE", "ja-JP"},
                              {"REVENGE_IMAGES_THUMBNAIL_WIDTH", "400"},
                              {"REVENGE_IMAGES_CACHE_MAX_MB", "512"}});
    const auto r = parse("tasks:\n  library_scan: 6h\nmetadata:\n  api_key: file-key\n", env);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    const Config &c = r.config;
    QCOMPARE(c.tasks.libraryScan, QStringLiteral("off"));
    QVERIFY(!TaskSchedule::parse(c.tasks.libraryScan)->enabled);
    QCOMPARE(c.tasks.imageTrim, QStringLiteral("2d"));
    QCOMPARE(c.tasks.metadataRefresh, QStringLiteral("@daily"));
    QCOMPARE(c.library.watch, true);
    QCOMPARE(c.library.scanTimeoutMinutes, 30);
    QCOMPARE(c.metadata.provider, QStringLiteral("none"));
    QCOMPARE(c.metadata.baseUrl, QStringLiteral("https://proxy.lan/tmdb/3"));
    QCOMPARE(c.metadata.apiKey, QStringLiteral("env-key"));
    QCOMPARE(c.metadata.language, QStringLiteral("ja-JP"));
    QCOMPARE(c.images.thumbnailWidth, 400);
    QCOMPARE(c.images.cacheMaxMb, 512);

    // They apply to the built-in defaults too.
    const auto d = ConfigLoader(makeEnv({{"REVENGE_TASKS_LIBRARY_SCAN", "off"},
                                         {"REVENGE_METADATA_API_KEY", "k"}}))
                       .defaults();
    QVERIFY2(d.diagnostics.isEmpty(), qPrintable(d.errorSummary()));
    QCOMPARE(d.config.tasks.libraryScan, QStringLiteral("off"));
    QCOMPARE(d.config.metadata.apiKey, QStringLiteral("k"));
}

void TestConfigLoader::newSectionBadOverrides()
{
    struct Case
    {
        const char *name, *value, *key, *fragment;
    };
    const Case cases[] = {
        {"REVENGE_TASKS_LIBRARY_SCAN", "30s", "tasks.library_scan", "too often"},
        {"REVENGE_TASKS_SESSION_CLEANUP", "hourly", "tasks.session_cleanup",
         "is not off, an interval"},
        {"REVENGE_METADATA_PROVIDER", "imdb", "metadata.provider", "expected tmdb or none"},
        {"REVENGE_METADATA_IMAGE_BASE_URL", "ftp://x", "metadata.image_base_url",
         "not an http(s) URL"},
        {"REVENGE_IMAGES_THUMBNAIL_WIDTH", "10", "images.thumbnail_width",
         "out of range (32-4096)"},
        {"REVENGE_LIBRARY_WATCH", "", "library.watch", "expected true or false"},
        {"REVENGE_METADATA_BURST", "many", "metadata.burst", "expected an integer"},
    };
    for (const Case &k : cases) {
        const auto r = parse("tasks:\n  library_scan: 6h\n", makeEnv({{k.name, k.value}}));
        const auto errors = errorsOf(r);
        QVERIFY2(errors.size() == 1, qPrintable(QLatin1String(k.name) + ": " + r.errorSummary()));
        const auto &e = errors.first();
        QCOMPARE(e.key, QLatin1String(k.key));
        QCOMPARE(e.file, QStringLiteral("environment (%1)").arg(QLatin1String(k.name)));
        QCOMPARE(e.line, 0);
        QVERIFY2(e.message.contains(QLatin1String(k.fragment)), qPrintable(e.message));
        // The rejected override leaves the file's value (or the default) in place.
        QCOMPARE(r.config.tasks.libraryScan, QStringLiteral("6h"));
        QCOMPARE(r.config.images.thumbnailWidth, 320);
        QCOMPARE(r.config.metadata.provider, QStringLiteral("tmdb"));
    }
}

void TestConfigLoader::metadataApiKeySources()
{
    auto dir = Test::makeTempDir();
    QVERIFY(dir->isValid());
    FileSecretStore empty(dir->path() + QStringLiteral("/empty.json"));
    FileSecretStore store(dir->path() + QStringLiteral("/secrets.json"));
    QVERIFY(store.write(QStringLiteral("metadata.api_key"), QStringLiteral("from-store")));
    const QByteArray placeholder = "metadata:\n  api_key: \"${TMDB_API_KEY}\"\n";

    // An unset ${VAR} as the whole key is no error: the key stays empty (remote metadata off).
    const auto unset = parse(placeholder, makeEnv(), &empty);
    QVERIFY2(unset.diagnostics.isEmpty(), qPrintable(unset.errorSummary()));
    QVERIFY(unset.config.metadata.apiKey.isEmpty());

    // The store completes it, with or without an api_key line.
    for (const QByteArray &yaml :
         {placeholder, QByteArray("metadata: { language: en-GB }\n"), QByteArray("# nothing\n")}) {
        const auto r = parse(yaml, makeEnv(), &store);
        QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
        QCOMPARE(r.config.metadata.apiKey, QStringLiteral("from-store"));
    }
    const auto d = ConfigLoader(makeEnv(), &store).defaults();
    QCOMPARE(d.config.metadata.apiKey, QStringLiteral("from-store"));

    // The store wins over the file (also a value from ${VAR}) ...
    const auto fromVar = parse(placeholder, makeEnv({{"TMDB_API_KEY", "from-var"}}), &store);
    QCOMPARE(fromVar.config.metadata.apiKey, QStringLiteral("from-store"));
    QCOMPARE(
        parse(placeholder, makeEnv({{"TMDB_API_KEY", "from-var"}}), &empty).config.metadata.apiKey,
        QStringLiteral("from-var"));
    // ... and REVENGE_METADATA_API_KEY wins over the store.
    const auto env =
        parse(placeholder, makeEnv({{"REVENGE_METADATA_API_KEY", "from-env"}}), &store);
    QVERIFY2(env.diagnostics.isEmpty(), qPrintable(env.errorSummary()));
    QCOMPARE(env.config.metadata.apiKey, QStringLiteral("from-env"));

    // A placeholder that is only part of the key must be set.
    const auto partial = parse("metadata:\n  api_key: \"v3-${TMDB_API_KEY}\"\n", makeEnv(), &store);
    QCOMPARE(errorsOf(partial).size(), 1);
    QCOMPARE(errorsOf(partial).first().key, QStringLiteral("metadata.api_key"));
    QCOMPARE(errorsOf(partial).first().line, 2);
}

void TestConfigLoader::shippedExampleIsValidAndDefault()
{
    // resources/revenge.yaml says "every key with its default" and "copied unchanged it keeps the
    // embedded default": hold it to that.
    const QString path = QFileInfo(QStringLiteral(__FILE__)).absolutePath() +
                         QStringLiteral("/../resources/revenge.yaml");
    QVERIFY2(QFileInfo::exists(path), qPrintable(path));
    const auto r = ConfigLoader(makeEnv()).loadFile(path);
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.errorSummary()));
    const Config d = ConfigLoader(makeEnv()).defaults().config;
    const Config &c = r.config;
    QVERIFY(c.database.managed);
    QVERIFY(c.cache.managed);
    QVERIFY(c.search.managed);
    QCOMPARE(c.server.port, d.server.port);
    QCOMPARE(c.database.poolSize, d.database.poolSize);
    QCOMPARE(c.jobs.workers, d.jobs.workers);
    QCOMPARE(c.jobs.queues, d.jobs.queues);
    QCOMPARE(c.jobs.timeoutSeconds, d.jobs.timeoutSeconds);
    QCOMPARE(c.jobs.keepDiscardedHours, d.jobs.keepDiscardedHours);
    QCOMPARE(c.library.watch, d.library.watch);
    QCOMPARE(c.library.watchDebounceSeconds, d.library.watchDebounceSeconds);
    QCOMPARE(c.library.scanTimeoutMinutes, d.library.scanTimeoutMinutes);
    QCOMPARE(c.metadata.provider, d.metadata.provider);
    QCOMPARE(c.metadata.baseUrl, d.metadata.baseUrl);
    QCOMPARE(c.metadata.imageBaseUrl, d.metadata.imageBaseUrl);
    QCOMPARE(c.metadata.apiKey, d.metadata.apiKey);
    QCOMPARE(c.metadata.language, d.metadata.language);
    QCOMPARE(c.metadata.requestsPerSecond, d.metadata.requestsPerSecond);
    QCOMPARE(c.metadata.burst, d.metadata.burst);
    QCOMPARE(c.metadata.cacheHours, d.metadata.cacheHours);
    QCOMPARE(c.images.maxDownloadMb, d.images.maxDownloadMb);
    QCOMPARE(c.images.thumbnailWidth, d.images.thumbnailWidth);
    QCOMPARE(c.images.cacheMaxMb, d.images.cacheMaxMb);
    QCOMPARE(c.tasks.libraryScan, d.tasks.libraryScan);
    QCOMPARE(c.tasks.metadataRefresh, d.tasks.metadataRefresh);
    QCOMPARE(c.tasks.sessionCleanup, d.tasks.sessionCleanup);
    QCOMPARE(c.tasks.imageTrim, d.tasks.imageTrim);

    // Its TMDB_API_KEY placeholder takes the key when set.
    const auto withKey = ConfigLoader(makeEnv({{"TMDB_API_KEY", "k"}})).loadFile(path);
    QVERIFY2(withKey.diagnostics.isEmpty(), qPrintable(withKey.errorSummary()));
    QCOMPARE(withKey.config.metadata.apiKey, QStringLiteral("k"));
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
    // The managed search engine has no key; the metadata key is shown only as set or not.
    QVERIFY(!yaml.section(QStringLiteral("search:"), 1)
                 .section(QStringLiteral("jobs:"), 0, 0)
                 .contains(QStringLiteral("api_key")));
    QVERIFY(yaml.contains(QStringLiteral("metadata:\n  provider: tmdb\n")));
    QVERIFY(yaml.contains(QStringLiteral("  api_key: \"\"\n  language: en-US\n")));
    QVERIFY(yaml.contains(QStringLiteral("tasks:\n  library_scan: \"@daily\"\n")));
    c.metadata.apiKey = QStringLiteral("tmdb-secret");
    const QString withKey = ConfigLoader::toYaml(c);
    QVERIFY(!withKey.contains(QStringLiteral("tmdb-secret")));
    QVERIFY(withKey.contains(QStringLiteral("  api_key: \"********\"\n  language")));
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
