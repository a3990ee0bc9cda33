#pragma once

#include <QByteArray>
#include <QReadWriteLock>
#include <QSize>
#include <QString>
#include <chrono>
#include <memory>
#include <optional>

namespace Revenge {

class DatabasePool;

// One image in the cache (a row of shared.image_blobs).
struct StoredImage
{
    QByteArray hash; // SHA-256 of the bytes, 32 raw bytes
    QString mime; // from the decoded data: image/jpeg, image/png, image/gif, image/webp, image/bmp
    qint64 bytes = 0;
    int width = 0;
    int height = 0;
    QString path;          // relative to the store's root: <h0h1>/<hash>.<ext>
    QString thumbnailPath; // relative: <h0h1>/<hash>_w<width>.jpg (.png when the image has alpha)
    bool created = false;  // false: these bytes were already stored (deduplicated)

    QString hashHex() const { return QString::fromLatin1(hash.toHex()); }
};

struct ImageTrimReport
{
    int unreferencedRemoved = 0; // blobs no images row pointed at
    int evicted = 0;             // referenced blobs removed to get under the budget
    int orphanFilesRemoved = 0;  // files with no blob row (left by a crash)
    qint64 bytesFreed = 0;
    qint64 bytesAfter = 0; // blobs + thumbnails still stored
};

// The content-addressed image cache under <data>/images. Each distinct image is stored once:
// <root>/<h0h1>/<hash>.<ext> plus a thumbnail, recorded in shared.image_blobs. Only bytes that
// decode as an image (PNG, JPEG, GIF, WebP, BMP, as the Qt plugins allow) are accepted.
// Thread-safe; several processes may share one root (files are written atomically, and trimming
// spares anything touched within its grace period).
class ImageStore
{
public:
    enum class Error
    {
        None,
        NotImage, // does not decode, empty, truncated, or a format we do not keep
        TooLarge, // bytes over the limit, or pixel dimensions over maxDimension (decompression
                  // bomb)
        Io,       // the disk
        Database  // the blob row
    };

    struct Options
    {
        int thumbnailWidth = 320;
        int maxDimension = 12000;                   // per side, checked before decoding
        qint64 maxDecodedBytes = 256 * 1024 * 1024; // QImageReader's allocation limit
    };

    ImageStore(std::shared_ptr<DatabasePool> pool, QString root, Options options);
    ImageStore(std::shared_ptr<DatabasePool> pool, QString root);

    QString root() const { return m_root; }
    QString absolutePath(const QString &relative) const;
    const Options &options() const { return m_options; }

    // Decodes `bytes` to make sure they are an image, then stores them (once: identical bytes
    // are deduplicated by hash), makes the thumbnail and records the blob. `declaredMime` (what
    // the server said) is only compared for the log. nullopt with *error/*kind on refusal.
    std::optional<StoredImage> put(const QByteArray &bytes, const QString &declaredMime = {},
                                   QString *error = nullptr, Error *kind = nullptr);
    // put() for a local artwork file; files over maxBytes are refused before being read.
    std::optional<StoredImage> putFile(const QString &localPath, qint64 maxBytes,
                                       QString *error = nullptr, Error *kind = nullptr);

    // The blob with this hash (32 raw bytes), when stored.
    std::optional<StoredImage> find(const QByteArray &hash, QString *error = nullptr);
    // Marks blobs as used now (serving an image), so trimming keeps them longest.
    bool touch(const QList<QByteArray> &hashes, QString *error = nullptr);

    // Brings the cache under maxBytes (blob + thumbnail bytes):
    //   1. deletes blobs no media.images / c.images row references;
    //   2. if still over, evicts referenced blobs, least recently used first: their images rows
    //      keep source_url / path but get content_hash NULL, so the next images.download for
    //      that item and source fetches them again (the row stays, the bytes go);
    //   3. deletes files under the root that no blob row names (a crash between writing a
    //      file and recording it, a thumbnail width that changed).
    // Anything created or used within `grace` is spared by 1 and 3: another worker may have
    // stored it and not yet written the images row that references it.
    std::optional<ImageTrimReport> trim(qint64 maxBytes, QString *error = nullptr,
                                        std::chrono::seconds grace = std::chrono::hours(1));

    static QString errorName(Error error);

private:
    bool writeFile(const QString &relative, const QByteArray &data, QString *error) const;

    std::shared_ptr<DatabasePool> m_pool;
    QString m_root;
    Options m_options;
    // put() holds it shared, trim() exclusively: a blob being stored is never trimmed halfway.
    mutable QReadWriteLock m_lock;
};

} // namespace Revenge
