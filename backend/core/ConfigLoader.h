#pragma once

#include "Config.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>

namespace Revenge {

class SecretStore;

struct ConfigDiagnostic
{
    enum class Severity
    {
        Warning,
        Error
    };
    Severity severity = Severity::Error;
    QString file; // path, or "environment" for REVENGE_* overrides
    int line = 0; // 1-based; 0 when unknown
    QString key;  // dotted key such as database.port
    QString message;

    bool isError() const { return severity == Severity::Error; }
    QString toString() const;
};

// Reads revenge.yaml (yaml-cpp), substitutes ${VAR} / ${VAR:default} in every scalar, applies
// REVENGE_<SECTION>_<KEY> overrides and secrets, and validates. Never throws: problems come back
// as diagnostics naming file, line and key.
class ConfigLoader
{
public:
    struct Result
    {
        Config config;
        QList<ConfigDiagnostic> diagnostics;
        bool hasErrors() const;
        QString errorSummary() const; // one diagnostic per line, errors and warnings
    };

    explicit ConfigLoader(QProcessEnvironment env = QProcessEnvironment::systemEnvironment(),
                          SecretStore *secrets = nullptr);

    // --config wins; else $XDG_CONFIG_HOME/revenge/revenge.yaml when it exists; else empty.
    static QString locate(const QString &cliPath, const QProcessEnvironment &env);

    // Loads what locate() finds, or the built-in defaults (everything managed) when nothing.
    Result load(const QString &cliPath = {}) const;
    Result loadFile(const QString &path) const;
    Result loadString(const QByteArray &yaml, const QString &fileLabel) const;
    Result defaults() const;

    // The effective configuration as YAML; secrets are masked unless asked otherwise.
    static QString toYaml(const Config &config, bool maskSecrets = true);

private:
    QProcessEnvironment m_env;
    SecretStore *m_secrets = nullptr;
};

} // namespace Revenge
