#include "ConfigLoader.h"

#include "Logging.h"
#include "SecretStore.h"
#include "TaskSchedule.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>
#include <functional>
#include <optional>
#include <yaml-cpp/yaml.h>

namespace Revenge {

namespace {

enum class Kind
{
    String,
    ListenAddress,
    Port,
    Int,
    Bool,
    Secret,
    Protocol,
    Url,
    Schedule,
    Provider
};

struct KeySpec
{
    const char *section;
    const char *key;
    Kind kind;
    int min = 0;
    int max = 0;
};

// Every key revenge.yaml knows. Anything else is reported as unknown (a warning).
const KeySpec kKeys[] = {
    {"server", "host", Kind::ListenAddress},
    {"server", "port", Kind::Port},
    {"database", "managed", Kind::Bool},
    {"database", "host", Kind::String},
    {"database", "port", Kind::Port},
    {"database", "name", Kind::String},
    {"database", "user", Kind::String},
    {"database", "password", Kind::Secret},
    {"database", "pool_size", Kind::Int, 1, 500},
    {"cache", "managed", Kind::Bool},
    {"cache", "host", Kind::String},
    {"cache", "port", Kind::Port},
    {"cache", "password", Kind::Secret},
    {"cache", "db", Kind::Int, 0, 15},
    {"search", "managed", Kind::Bool},
    {"search", "protocol", Kind::Protocol},
    {"search", "host", Kind::String},
    {"search", "port", Kind::Port},
    {"search", "api_key", Kind::Secret},
    {"jobs", "workers", Kind::Int, 1, 1000},
    {"jobs", "timeout_seconds", Kind::Int, 1, 7 * 24 * 3600},
    {"jobs", "rescue_after_minutes", Kind::Int, 1, 7 * 24 * 60},
    {"jobs", "keep_completed_hours", Kind::Int, 1, 24 * 3650},
    {"jobs", "keep_cancelled_hours", Kind::Int, 1, 24 * 3650},
    {"jobs", "keep_discarded_hours", Kind::Int, 1, 24 * 3650},
    {"library", "watch", Kind::Bool},
    {"library", "watch_debounce_seconds", Kind::Int, 1, 3600},
    {"library", "scan_timeout_minutes", Kind::Int, 1, 7 * 24 * 60},
    {"metadata", "provider", Kind::Provider},
    {"metadata", "base_url", Kind::Url},
    {"metadata", "image_base_url", Kind::Url},
    {"metadata", "api_key", Kind::Secret},
    {"metadata", "language", Kind::String},
    {"metadata", "requests_per_second", Kind::Int, 1, 1000},
    {"metadata", "burst", Kind::Int, 1, 1000},
    {"metadata", "cache_hours", Kind::Int, 1, 24 * 365},
    {"images", "max_download_mb", Kind::Int, 1, 1024},
    {"images", "thumbnail_width", Kind::Int, 32, 4096},
    {"images", "cache_max_mb", Kind::Int, 1, 100 * 1024 * 1024},
    {"tasks", "library_scan", Kind::Schedule},
    {"tasks", "metadata_refresh", Kind::Schedule},
    {"tasks", "session_cleanup", Kind::Schedule},
    {"tasks", "image_trim", Kind::Schedule},
};

const QRegularExpression kQueueName(QStringLiteral("^[a-z0-9][a-z0-9_-]{0,63}$"));

const char *const kSections[] = {"server",  "database", "cache",  "search", "jobs",
                                 "library", "metadata", "images", "tasks"};

// Secrets may also come from the secret store, so an unset ${VAR} there is judged in finish(),
// once the store has been asked, rather than at substitution time.
bool isOptional(const QString &dotted)
{
    return dotted == QLatin1String("cache.password") ||
           dotted == QLatin1String("database.password") ||
           dotted == QLatin1String("search.api_key") || dotted == QLatin1String("metadata.api_key");
}

QString envName(const QString &section, const QString &key)
{
    return QStringLiteral("REVENGE_") + section.toUpper() + QLatin1Char('_') + key.toUpper();
}

// YAML forbids '{' and '}' in plain scalars inside flow collections, so the documented shape
// `{ port: ${DB_PORT:5432} }` would not parse. Quote a placeholder that stands alone as a value;
// line numbers are unchanged.
QByteArray quoteBarePlaceholders(const QByteArray &yaml)
{
    static const QRegularExpression re(
        QStringLiteral(R"((:[ \t]+|[\[,{][ \t]*|^[ \t]*-[ \t]+))"
                       R"((\$\{[A-Za-z_][A-Za-z0-9_]*(?::[^}"'\n]*)?\}))"
                       R"((?=[ \t]*(?:[,}\]]|#|$)))"),
        QRegularExpression::MultilineOption);
    QString text = QString::fromUtf8(yaml);
    text.replace(re, QStringLiteral("\\1\"\\2\""));
    return text.toUtf8();
}

class Builder
{
public:
    Builder(const QProcessEnvironment &env, SecretStore *secrets, QString file)
        : m_env(env)
        , m_secrets(secrets)
        , m_file(std::move(file))
    {}

    ConfigLoader::Result build(const YAML::Node *root)
    {
        m_result.config.sourceFile = m_file;
        QSet<QString> present;
        if (root && root->IsDefined() && !root->IsNull()) {
            if (!root->IsMap()) {
                error(*root, QString(),
                      QStringLiteral("the top level must be a mapping of sections"));
                return m_result;
            }
            for (auto it = root->begin(); it != root->end(); ++it) {
                const QString section = QString::fromStdString(it->first.Scalar());
                if (section == QLatin1String("data_dir")) {
                    if (auto v = scalar(it->second, section, lineOf(it->first)))
                        m_result.config.dataDir = *v;
                    continue;
                }
                if (!isSection(section)) {
                    warn(it->first, section, QStringLiteral("unknown section (ignored)"));
                    continue;
                }
                present.insert(section);
                readSection(section, it->second, lineOf(it->first));
            }
        }
        applyEnvironmentOverrides();
        finish(present);
        return m_result;
    }

    void error(const YAML::Node &node, const QString &key, const QString &message)
    {
        add(ConfigDiagnostic::Severity::Error, lineOf(node), key, message);
    }
    void warn(const YAML::Node &node, const QString &key, const QString &message)
    {
        add(ConfigDiagnostic::Severity::Warning, lineOf(node), key, message);
    }
    void add(ConfigDiagnostic::Severity severity, int line, const QString &key,
             const QString &message, const QString &file = {})
    {
        m_result.diagnostics.append(
            {severity, file.isEmpty() ? m_file : file, line < 0 ? 0 : line, key, message});
    }

private:
    // Diagnostics about a key point at the key: a null value's mark is on the next line.
    static int lineOf(const YAML::Node &node) { return node.Mark().line + 1; }

    static bool isSection(const QString &name)
    {
        for (const char *s : kSections)
            if (name == QLatin1String(s))
                return true;
        return false;
    }

    static const KeySpec *spec(const QString &section, const QString &key)
    {
        for (const KeySpec &k : kKeys)
            if (section == QLatin1String(k.section) && key == QLatin1String(k.key))
                return &k;
        return nullptr;
    }

    // The scalar's text after ${VAR} substitution, or nullopt after reporting why not.
    std::optional<QString> scalar(const YAML::Node &node, const QString &dotted, int line)
    {
        if (!node.IsScalar() && !node.IsNull()) {
            add(ConfigDiagnostic::Severity::Error, line, dotted,
                QStringLiteral("expected a single value, got a %1")
                    .arg(node.IsMap() ? QStringLiteral("mapping") : QStringLiteral("list")));
            return std::nullopt;
        }
        const QString raw = node.IsNull() ? QString() : QString::fromStdString(node.Scalar());
        return substitute(raw, dotted, line);
    }

    std::optional<QString> substitute(const QString &raw, const QString &dotted, int line)
    {
        static const QRegularExpression re(QStringLiteral(R"(\$\{([^}:]*)(?::([^}]*))?\})"));
        QString out;
        qsizetype last = 0;
        bool ok = true;
        auto it = re.globalMatch(raw);
        while (it.hasNext()) {
            const auto m = it.next();
            out += raw.mid(last, m.capturedStart() - last);
            last = m.capturedEnd();
            const QString name = m.captured(1);
            static const QRegularExpression validName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
            if (!validName.match(name).hasMatch()) {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("'%1' is not a valid environment variable name").arg(name));
                ok = false;
                continue;
            }
            // As in the shell's ${VAR:-default}, a set but empty variable takes the default.
            if (!m_env.value(name).isEmpty() || (m_env.contains(name) && m.capturedStart(2) < 0)) {
                out += m_env.value(name);
            } else if (m.capturedStart(2) >= 0) {
                out += m.captured(2);
            } else if (isOptional(dotted) && m.capturedLength() == raw.size()) {
                // Only a placeholder that is the whole secret can be completed from the store.
                m_unsetOptional.insert(dotted, name);
            } else {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("environment variable %1 is not set and has no default (write "
                                   "${%1:default} to give one)")
                        .arg(name));
                ok = false;
            }
        }
        out += raw.mid(last);
        if (!ok)
            return std::nullopt;
        return out;
    }

    void readSection(const QString &section, const YAML::Node &node, int line)
    {
        if (node.IsNull())
            return;
        if (!node.IsMap()) {
            add(ConfigDiagnostic::Severity::Error, line, section,
                QStringLiteral("expected a mapping of keys"));
            return;
        }
        for (auto it = node.begin(); it != node.end(); ++it) {
            const QString key = QString::fromStdString(it->first.Scalar());
            const QString dotted = section + QLatin1Char('.') + key;
            if (section == QLatin1String("jobs") && key == QLatin1String("queues")) {
                readQueues(it->second, lineOf(it->first));
                continue;
            }
            const KeySpec *s = spec(section, key);
            if (!s) {
                warn(it->first, dotted, QStringLiteral("unknown key (ignored)"));
                continue;
            }
            const int line = lineOf(it->first);
            if (auto v = scalar(it->second, dotted, line))
                set(*s, dotted, *v, line, {});
        }
    }

    void readQueues(const YAML::Node &node, int line)
    {
        if (!node.IsMap()) {
            add(ConfigDiagnostic::Severity::Error, line, QStringLiteral("jobs.queues"),
                QStringLiteral("expected a mapping of queue name to worker count"));
            return;
        }
        QMap<QString, int> queues;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const QString name = QString::fromStdString(it->first.Scalar());
            const QString dotted = QStringLiteral("jobs.queues.") + name;
            if (!kQueueName.match(name).hasMatch()) {
                error(it->first, dotted,
                      QStringLiteral("queue names are 1-64 lowercase letters, digits, '_' or '-'"));
                continue;
            }
            const int line = lineOf(it->first);
            const auto v = scalar(it->second, dotted, line);
            if (!v)
                continue;
            if (auto n = toInt(*v, dotted, line, 1, 1000, {}))
                queues.insert(name, *n);
        }
        if (node.size() == 0) {
            add(ConfigDiagnostic::Severity::Error, line, QStringLiteral("jobs.queues"),
                QStringLiteral("must name at least one queue (e.g. default: 5)"));
            return;
        }
        if (!queues.isEmpty())
            m_result.config.jobs.queues = queues;
    }

    std::optional<int> toInt(const QString &text, const QString &dotted, int line, int min, int max,
                             const QString &file)
    {
        bool ok = false;
        const qlonglong n = text.trimmed().toLongLong(&ok);
        if (!ok) {
            add(ConfigDiagnostic::Severity::Error, line, dotted,
                QStringLiteral("expected an integer, got '%1'").arg(text), file);
            return std::nullopt;
        }
        if (n < min || n > max) {
            add(ConfigDiagnostic::Severity::Error, line, dotted,
                QStringLiteral("%1 is out of range (%2-%3)").arg(n).arg(min).arg(max), file);
            return std::nullopt;
        }
        return int(n);
    }

    void set(const KeySpec &s, const QString &dotted, const QString &value, int line,
             const QString &file)
    {
        QString normalized = value;
        switch (s.kind) {
        case Kind::Port: {
            auto n = toInt(value, dotted, line, 1, 65535, file);
            if (!n)
                return;
            normalized = QString::number(*n);
            break;
        }
        case Kind::Int: {
            auto n = toInt(value, dotted, line, s.min, s.max, file);
            if (!n)
                return;
            normalized = QString::number(*n);
            break;
        }
        case Kind::Bool: {
            const QString v = value.trimmed().toLower();
            if (v == "true" || v == "yes" || v == "on" || v == "1")
                normalized = QStringLiteral("true");
            else if (v == "false" || v == "no" || v == "off" || v == "0")
                normalized = QStringLiteral("false");
            else {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("expected true or false, got '%1'").arg(value), file);
                return;
            }
            break;
        }
        case Kind::Protocol:
            if (value != QLatin1String("http") && value != QLatin1String("https")) {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("expected http or https, got '%1'").arg(value), file);
                return;
            }
            break;
        case Kind::String:
            if (value.trimmed().isEmpty()) {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("must not be empty"), file);
                return;
            }
            break;
        case Kind::ListenAddress:
            if (value.trimmed().isEmpty()) {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("must not be empty"), file);
                return;
            }
            // What the HTTP server binds to: an address of this machine, not a name to resolve.
            if (value.trimmed() != QLatin1String("localhost") &&
                QHostAddress(value.trimmed()).isNull()) {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("'%1' is not an IP address (use 0.0.0.0 for every interface, "
                                   "127.0.0.1 or localhost "
                                   "for this machine only)")
                        .arg(value),
                    file);
                return;
            }
            normalized = value.trimmed();
            break;
        case Kind::Url: {
            const QUrl url(value.trimmed(), QUrl::StrictMode);
            if (!url.isValid() ||
                (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
                url.host().isEmpty()) {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("'%1' is not an http(s) URL").arg(value), file);
                return;
            }
            normalized = value.trimmed();
            while (normalized.endsWith(QLatin1Char('/')))
                normalized.chop(1);
            break;
        }
        case Kind::Schedule: {
            QString why;
            if (!TaskSchedule::parse(value, &why)) {
                add(ConfigDiagnostic::Severity::Error, line, dotted, why, file);
                return;
            }
            normalized = value.trimmed();
            break;
        }
        case Kind::Provider:
            if (value.trimmed() != QLatin1String("tmdb") &&
                value.trimmed() != QLatin1String("none")) {
                add(ConfigDiagnostic::Severity::Error, line, dotted,
                    QStringLiteral("expected tmdb or none, got '%1'").arg(value), file);
                return;
            }
            normalized = value.trimmed();
            break;
        case Kind::Secret:
            break;
        }
        m_values.insert(dotted, normalized);
        m_lines.insert(dotted, line);
        m_files.insert(dotted, file);
    }

    void applyEnvironmentOverrides()
    {
        for (const KeySpec &s : kKeys) {
            const QString section = QLatin1String(s.section);
            const QString key = QLatin1String(s.key);
            const QString name = envName(section, key);
            if (!m_env.contains(name))
                continue;
            const QString dotted = section + QLatin1Char('.') + key;
            set(s, dotted, m_env.value(name), 0, QStringLiteral("environment (%1)").arg(name));
            // The override replaces the file's value, and with it any unset ${VAR} in that value.
            m_unsetOptional.remove(dotted);
        }
        // Queue sizes: REVENGE_JOBS_QUEUES_<NAME>.
        const QString prefix = QStringLiteral("REVENGE_JOBS_QUEUES_");
        for (const QString &name : m_env.keys()) {
            if (!name.startsWith(prefix))
                continue;
            const QString queue = name.mid(prefix.size()).toLower();
            if (!kQueueName.match(queue).hasMatch()) {
                add(ConfigDiagnostic::Severity::Error, 0, QStringLiteral("jobs.queues.") + queue,
                    QStringLiteral("queue names are 1-64 lowercase letters, digits, '_' or '-'"),
                    QStringLiteral("environment (%1)").arg(name));
                continue;
            }
            if (auto n = toInt(m_env.value(name), QStringLiteral("jobs.queues.") + queue, 0, 1,
                               1000, QStringLiteral("environment (%1)").arg(name)))
                m_result.config.jobs.queues.insert(queue, *n);
        }
    }

    QString value(const char *dotted, const QString &fallback) const
    {
        return m_values.value(QLatin1String(dotted), fallback);
    }
    int intValue(const char *dotted, int fallback) const
    {
        return m_values.contains(QLatin1String(dotted))
                   ? m_values.value(QLatin1String(dotted)).toInt()
                   : fallback;
    }

    bool managed(const char *section, const QSet<QString> &present) const
    {
        const QString key = QLatin1String(section) + QStringLiteral(".managed");
        if (m_values.contains(key))
            return m_values.value(key) == QLatin1String("true");
        return !present.contains(QLatin1String(section));
    }

    QString secret(const char *dotted, const QString &configured)
    {
        // A REVENGE_<SECTION>_<KEY> variable is the most explicit word there is: it beats the
        // secret store. Values from the file (also through ${VAR}) yield to the store.
        if (!configured.isEmpty() &&
            m_files.value(QLatin1String(dotted)).startsWith(QLatin1String("environment")))
            return configured;
        if (m_secrets) {
            if (auto v = m_secrets->read(QLatin1String(dotted)); v && !v->isEmpty())
                return *v;
        }
        return configured;
    }

    void finish(const QSet<QString> &present)
    {
        Config &c = m_result.config;
        c.server.host = value("server.host", c.server.host);
        c.server.port = quint16(intValue("server.port", c.server.port));

        c.database.managed = managed("database", present);
        c.database.host = value("database.host", c.database.host);
        c.database.port = quint16(intValue("database.port", c.database.port));
        c.database.name = value("database.name", c.database.name);
        c.database.user = value("database.user", c.database.user);
        c.database.poolSize = intValue("database.pool_size", c.database.poolSize);
        c.database.password = c.database.managed
                                  ? QString()
                                  : secret("database.password", value("database.password", {}));

        c.cache.managed = managed("cache", present);
        c.cache.host = value("cache.host", c.cache.host);
        c.cache.port = quint16(intValue("cache.port", c.cache.port));
        c.cache.db = intValue("cache.db", c.cache.db);
        c.cache.password =
            c.cache.managed ? QString() : secret("cache.password", value("cache.password", {}));

        c.search.managed = managed("search", present);
        c.search.protocol = value("search.protocol", c.search.protocol);
        c.search.host = value("search.host", c.search.host);
        c.search.port = quint16(intValue("search.port", c.search.port));
        c.search.apiKey = secret("search.api_key", value("search.api_key", {}));

        c.jobs.workers = intValue("jobs.workers", c.jobs.workers);
        c.jobs.timeoutSeconds = intValue("jobs.timeout_seconds", c.jobs.timeoutSeconds);
        c.jobs.rescueAfterMinutes =
            intValue("jobs.rescue_after_minutes", c.jobs.rescueAfterMinutes);
        c.jobs.keepCompletedHours =
            intValue("jobs.keep_completed_hours", c.jobs.keepCompletedHours);
        c.jobs.keepCancelledHours =
            intValue("jobs.keep_cancelled_hours", c.jobs.keepCancelledHours);
        c.jobs.keepDiscardedHours =
            intValue("jobs.keep_discarded_hours", c.jobs.keepDiscardedHours);

        c.library.watch = value("library.watch", QStringLiteral("false")) == QLatin1String("true");
        c.library.watchDebounceSeconds =
            intValue("library.watch_debounce_seconds", c.library.watchDebounceSeconds);
        c.library.scanTimeoutMinutes =
            intValue("library.scan_timeout_minutes", c.library.scanTimeoutMinutes);

        c.metadata.provider = value("metadata.provider", c.metadata.provider);
        c.metadata.baseUrl = value("metadata.base_url", c.metadata.baseUrl);
        c.metadata.imageBaseUrl = value("metadata.image_base_url", c.metadata.imageBaseUrl);
        c.metadata.apiKey = secret("metadata.api_key", value("metadata.api_key", {}));
        c.metadata.language = value("metadata.language", c.metadata.language);
        c.metadata.requestsPerSecond =
            intValue("metadata.requests_per_second", c.metadata.requestsPerSecond);
        c.metadata.burst = intValue("metadata.burst", c.metadata.burst);
        c.metadata.cacheHours = intValue("metadata.cache_hours", c.metadata.cacheHours);

        c.images.maxDownloadMb = intValue("images.max_download_mb", c.images.maxDownloadMb);
        c.images.thumbnailWidth = intValue("images.thumbnail_width", c.images.thumbnailWidth);
        c.images.cacheMaxMb = intValue("images.cache_max_mb", c.images.cacheMaxMb);

        c.tasks.libraryScan = value("tasks.library_scan", c.tasks.libraryScan);
        c.tasks.metadataRefresh = value("tasks.metadata_refresh", c.tasks.metadataRefresh);
        c.tasks.sessionCleanup = value("tasks.session_cleanup", c.tasks.sessionCleanup);
        c.tasks.imageTrim = value("tasks.image_trim", c.tasks.imageTrim);

        // An external server needs its secret when the file asked for one from the environment.
        if (!c.database.managed && c.database.password.isEmpty() &&
            m_unsetOptional.contains("database.password"))
            keyDiagnostic(
                ConfigDiagnostic::Severity::Error, QStringLiteral("database.password"),
                QStringLiteral(
                    "environment variable %1 is not set and no password is in the secret store")
                    .arg(m_unsetOptional.value("database.password")));
        if (!c.cache.managed && c.cache.password.isEmpty() &&
            m_unsetOptional.contains("cache.password"))
            keyDiagnostic(
                ConfigDiagnostic::Severity::Warning, QStringLiteral("cache.password"),
                QStringLiteral("environment variable %1 is not set; connecting without a password")
                    .arg(m_unsetOptional.value("cache.password")));
        if (!c.search.managed && c.search.apiKey.isEmpty() && !hasError("search.api_key")) {
            const QString unset = m_unsetOptional.value("search.api_key");
            const QString why =
                unset.isEmpty()
                    ? QStringLiteral(
                          "Typesense needs an API key (search.api_key, REVENGE_SEARCH_API_KEY "
                          "or the secret store)")
                    : QStringLiteral("environment variable %1 is not set and no API key is in the "
                                     "secret store; Typesense needs one")
                          .arg(unset);
            keyDiagnostic(
                ConfigDiagnostic::Severity::Error, QStringLiteral("search.api_key"),
                why + QStringLiteral(
                          "; remove the search section to use the built-in PostgreSQL engine"));
        }

        // Keys that a managed service ignores are worth a word: the user probably meant external.
        for (const char *section : {"database", "cache", "search"}) {
            if (!managed(section, present))
                continue;
            for (const char *key : {"host", "port"}) {
                const QString dotted =
                    QLatin1String(section) + QLatin1Char('.') + QLatin1String(key);
                if (m_values.contains(dotted))
                    keyDiagnostic(
                        ConfigDiagnostic::Severity::Warning, dotted,
                        QStringLiteral(
                            "ignored because %1 is managed (set %1.managed: false to use an "
                            "external server)")
                            .arg(QLatin1String(section)));
            }
        }
    }

    // A diagnostic about a key's final value, attributed to where that value came from.
    void keyDiagnostic(ConfigDiagnostic::Severity severity, const QString &dotted,
                       const QString &message)
    {
        add(severity, m_lines.value(dotted), dotted, message, m_files.value(dotted));
    }

    bool hasError(const QString &key) const
    {
        for (const auto &d : m_result.diagnostics)
            if (d.isError() && d.key == key)
                return true;
        return false;
    }

    const QProcessEnvironment &m_env;
    SecretStore *m_secrets;
    QString m_file;
    ConfigLoader::Result m_result;
    QHash<QString, QString> m_values;        // dotted key -> validated text
    QHash<QString, int> m_lines;             // dotted key -> line in the file
    QHash<QString, QString> m_files;         // dotted key -> "environment (...)" for overrides
    QHash<QString, QString> m_unsetOptional; // dotted key -> unset variable name
};

} // namespace

QString ConfigDiagnostic::toString() const
{
    QString where = file.isEmpty() ? QStringLiteral("<defaults>") : file;
    if (line > 0)
        where += QLatin1Char(':') + QString::number(line);
    const QString level =
        severity == Severity::Error ? QStringLiteral("error") : QStringLiteral("warning");
    return key.isEmpty() ? QStringLiteral("%1: %2: %3").arg(where, level, message)
                         : QStringLiteral("%1: %2: %3: %4").arg(where, level, key, message);
}

bool ConfigLoader::Result::hasErrors() const
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const auto &d) { return d.isError(); });
}

QString ConfigLoader::Result::errorSummary() const
{
    QStringList lines;
    for (const auto &d : diagnostics)
        lines << d.toString();
    return lines.join(QLatin1Char('\n'));
}

ConfigLoader::ConfigLoader(QProcessEnvironment env, SecretStore *secrets)
    : m_env(std::move(env))
    , m_secrets(secrets)
{}

QString ConfigLoader::locate(const QString &cliPath, const QProcessEnvironment &env)
{
    if (!cliPath.isEmpty())
        return cliPath;
    QString base = env.value(QStringLiteral("XDG_CONFIG_HOME"));
    if (base.isEmpty())
        base = env.value(QStringLiteral("HOME"), QDir::homePath()) + QStringLiteral("/.config");
    const QString path = base + QStringLiteral("/revenge/revenge.yaml");
    return QFileInfo::exists(path) ? path : QString();
}

ConfigLoader::Result ConfigLoader::load(const QString &cliPath) const
{
    const QString path = locate(cliPath, m_env);
    return path.isEmpty() ? defaults() : loadFile(path);
}

ConfigLoader::Result ConfigLoader::loadFile(const QString &path) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        Result r;
        r.diagnostics.append(
            {ConfigDiagnostic::Severity::Error,
             path,
             0,
             {},
             QStringLiteral("cannot read the configuration file: %1").arg(file.errorString())});
        return r;
    }
    return loadString(file.readAll(), path);
}

ConfigLoader::Result ConfigLoader::loadString(const QByteArray &yaml,
                                              const QString &fileLabel) const
{
    Builder builder(m_env, m_secrets, fileLabel);
    YAML::Node root;
    try {
        root = YAML::Load(quoteBarePlaceholders(yaml).toStdString());
    } catch (const YAML::Exception &e) {
        Result r;
        r.config.sourceFile = fileLabel;
        r.diagnostics.append(
            {ConfigDiagnostic::Severity::Error,
             fileLabel,
             e.mark.line + 1,
             {},
             QStringLiteral("invalid YAML: %1%2")
                 .arg(QString::fromStdString(e.msg),
                      // "@daily" and "*/5 * * * *" are YAML syntax unless quoted.
                      e.msg.find("unknown token") != std::string::npos ||
                              e.msg.find("alias") != std::string::npos
                          ? QStringLiteral(" (quote values that start with @ or *, like "
                                           "\"@daily\")")
                          : QString())});
        return r;
    }
    return builder.build(&root);
}

ConfigLoader::Result ConfigLoader::defaults() const
{
    Builder builder(m_env, m_secrets, {});
    return builder.build(nullptr);
}

QString ConfigLoader::toYaml(const Config &c, bool maskSecrets)
{
    auto secret = [&](QString s) {
        if (!maskSecrets)
            return QStringLiteral("\"%1\"").arg(
                s.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
                    .replace(QLatin1Char('"'), QStringLiteral("\\\"")));
        return s.isEmpty() ? QStringLiteral("\"\"") : QStringLiteral("\"********\"");
    };
    auto b = [](bool v) { return v ? QStringLiteral("true") : QStringLiteral("false"); };
    QString out;
    out += QStringLiteral("# effective configuration (%1)\n")
               .arg(c.sourceFile.isEmpty() ? QStringLiteral("built-in defaults") : c.sourceFile);
    if (!c.dataDir.isEmpty())
        out += QStringLiteral("data_dir: \"%1\"\n").arg(c.dataDir);
    out +=
        QStringLiteral("server:\n  host: %1\n  port: %2\n").arg(c.server.host).arg(c.server.port);
    out += QStringLiteral("database:\n  managed: %1\n").arg(b(c.database.managed));
    if (!c.database.managed)
        out += QStringLiteral("  host: %1\n  port: %2\n").arg(c.database.host).arg(c.database.port);
    out += QStringLiteral("  name: %1\n  user: %2\n  password: %3\n  pool_size: %4\n")
               .arg(c.database.name, c.database.user,
                    c.database.managed ? QStringLiteral("\"(generated, in the secret store)\"")
                                       : secret(c.database.password))
               .arg(c.database.poolSize);
    out += QStringLiteral("cache:\n  managed: %1\n").arg(b(c.cache.managed));
    if (!c.cache.managed)
        out += QStringLiteral("  host: %1\n  port: %2\n  password: %3\n  db: %4\n")
                   .arg(c.cache.host)
                   .arg(c.cache.port)
                   .arg(secret(c.cache.password))
                   .arg(c.cache.db);
    out += QStringLiteral("search:\n  managed: %1\n").arg(b(c.search.managed));
    if (c.search.managed)
        out += QStringLiteral("  engine: postgres\n");
    else
        out += QStringLiteral(
                   "  engine: typesense\n  protocol: %1\n  host: %2\n  port: %3\n  api_key: %4\n")
                   .arg(c.search.protocol, c.search.host)
                   .arg(c.search.port)
                   .arg(secret(c.search.apiKey));
    out +=
        QStringLiteral("jobs:\n  workers: %1\n  timeout_seconds: %2\n  rescue_after_minutes: %3\n"
                       "  keep_completed_hours: %4\n  keep_cancelled_hours: %5\n  "
                       "keep_discarded_hours: %6\n  queues:\n")
            .arg(c.jobs.workers)
            .arg(c.jobs.timeoutSeconds)
            .arg(c.jobs.rescueAfterMinutes)
            .arg(c.jobs.keepCompletedHours)
            .arg(c.jobs.keepCancelledHours)
            .arg(c.jobs.keepDiscardedHours);
    for (auto it = c.jobs.queues.begin(); it != c.jobs.queues.end(); ++it)
        out += QStringLiteral("    %1: %2\n").arg(it.key()).arg(it.value());
    out += QStringLiteral("library:\n  watch: %1\n  watch_debounce_seconds: %2\n"
                          "  scan_timeout_minutes: %3\n")
               .arg(b(c.library.watch))
               .arg(c.library.watchDebounceSeconds)
               .arg(c.library.scanTimeoutMinutes);
    out += QStringLiteral("metadata:\n  provider: %1\n  base_url: %2\n  image_base_url: %3\n"
                          "  api_key: %4\n  language: %5\n  requests_per_second: %6\n"
                          "  burst: %7\n  cache_hours: %8\n")
               .arg(c.metadata.provider, c.metadata.baseUrl, c.metadata.imageBaseUrl,
                    secret(c.metadata.apiKey), c.metadata.language)
               .arg(c.metadata.requestsPerSecond)
               .arg(c.metadata.burst)
               .arg(c.metadata.cacheHours);
    out += QStringLiteral("images:\n  max_download_mb: %1\n  thumbnail_width: %2\n"
                          "  cache_max_mb: %3\n")
               .arg(c.images.maxDownloadMb)
               .arg(c.images.thumbnailWidth)
               .arg(c.images.cacheMaxMb);
    out += QStringLiteral("tasks:\n  library_scan: \"%1\"\n  metadata_refresh: \"%2\"\n"
                          "  session_cleanup: \"%3\"\n  image_trim: \"%4\"\n")
               .arg(c.tasks.libraryScan, c.tasks.metadataRefresh, c.tasks.sessionCleanup,
                    c.tasks.imageTrim);
    return out;
}

} // namespace Revenge
