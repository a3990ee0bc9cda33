#pragma once

#include <QString>
#include <memory>
#include <optional>

namespace Revenge {

// Where secrets live: database/cache passwords, the Typesense API key, provider keys, the
// generated password of the managed database. Keys are dotted names such as "database.password".
class SecretStore
{
public:
    virtual ~SecretStore() = default;

    virtual QString name() const = 0;
    // nullopt when the key is not stored (or the store cannot be reached).
    virtual std::optional<QString> read(const QString &key) = 0;
    virtual bool write(const QString &key, const QString &value, QString *error = nullptr) = 0;
    virtual bool remove(const QString &key, QString *error = nullptr) = 0;

    // The system keychain when one is reachable, else a 0600 file under dataDir. Says once, in the
    // log, when it falls back. REVENGE_KEYCHAIN=off skips the keychain (headless boxes, tests).
    static std::unique_ptr<SecretStore> createDefault(const QString &dataDir);
};

// The system keychain through QtKeychain (Secret Service / KWallet on Linux).
class KeychainSecretStore : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("revenge"));

    // Whether a keychain service answers at all; probes once.
    bool isAvailable();
    QString unavailableReason() const { return m_reason; }

    QString name() const override { return QStringLiteral("system keychain"); }
    std::optional<QString> read(const QString &key) override;
    bool write(const QString &key, const QString &value, QString *error = nullptr) override;
    bool remove(const QString &key, QString *error = nullptr) override;

private:
    QString m_service;
    std::optional<bool> m_available;
    QString m_reason;
};

// A JSON file readable only by its owner. The fallback when no keychain is reachable.
class FileSecretStore : public SecretStore
{
public:
    explicit FileSecretStore(QString path);

    QString name() const override { return QStringLiteral("file %1").arg(m_path); }
    std::optional<QString> read(const QString &key) override;
    bool write(const QString &key, const QString &value, QString *error = nullptr) override;
    bool remove(const QString &key, QString *error = nullptr) override;

private:
    QString m_path;
};

// Tries the keychain first and falls back to the file, so a box without a desktop still works:
// when no keychain answers at all, and also for a write the keychain refuses.
class FallbackSecretStore : public SecretStore
{
public:
    FallbackSecretStore(std::unique_ptr<KeychainSecretStore> keychain,
                        std::unique_ptr<FileSecretStore> file);

    QString name() const override;
    std::optional<QString> read(const QString &key) override;
    bool write(const QString &key, const QString &value, QString *error = nullptr) override;
    bool remove(const QString &key, QString *error = nullptr) override;

private:
    SecretStore *active();

    std::unique_ptr<KeychainSecretStore> m_keychain;
    std::unique_ptr<FileSecretStore> m_file;
    bool m_warned = false;
    bool m_warnedWrite = false;
};

} // namespace Revenge
