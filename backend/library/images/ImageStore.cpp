#include "ImageStore.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>

namespace Revenge {

namespace {

struct Format
{
    const char *qtName;
    const char *mime;
    const char *extension;
};

// The formats we keep: what browsers and clients display. Qt also decodes XPM, PBM and the like,
// which no artwork source serves; they are refused like any other non-image.
constexpr Format kFormats[] = {
    {"png", "image/png", "png"}, {"jpeg", "image/jpeg", "jpg"},  {"jpg", "image/jpeg", "jpg"},
    {"gif", "image/gif", "gif"}, {"webp", "image/webp", "webp"}, {"bmp", "image/bmp", "bmp"},
};

const Format *formatFor(const QByteArray &qtName)
{
    for (const Format &f : kFormats)
        if (qtName == f.qtName)
            return &f;
    return nullptr;
}

QByteArray hexParam(const QByteArray &hash)
{
    return QByteArrayLiteral("\\x") + hash.toHex();
}

// A PostgreSQL text[] literal of hex strings (no quoting needed: only [0-9a-f]).
QByteArray hexArrayParam(const QList<QByteArray> &hashes)
{
    QByteArrayList parts;
    for (const QByteArray &h : hashes)
        parts << h.toHex();
    return '{' + parts.join(',') + '}';
}

// What the bytes look like when they are not an image, for the error message.
QString describeNonImage(const QByteArray &bytes)
{
    const QByteArray head = bytes.left(512).trimmed().toLower();
    if (head.startsWith("<!doctype html") || head.startsWith("<html") || head.contains("<body") ||
        head.contains("<head"))
        return QStringLiteral("an HTML page");
    if (head.startsWith("<?xml") || head.startsWith("<svg"))
        return QStringLiteral("XML/SVG text");
    if (head.startsWith('{') || head.startsWith('['))
        return QStringLiteral("JSON text");
    return QStringLiteral("not a recognised image format");
}

// libjpeg turns a truncated file into an image padded with grey and only warns; an intact JPEG
// ends with the EOI marker (possibly followed by a little padding).
bool jpegLooksComplete(const QByteArray &bytes)
{
    return bytes.right(4096).contains("\xFF\xD9");
}

void setError(QString *error, ImageStore::Error *kind, ImageStore::Error k, const QString &message)
{
    if (error)
        *error = message;
    if (kind)
        *kind = k;
}

std::optional<StoredImage> rowToImage(const PgResult &r, int row)
{
    StoredImage s;
    s.hash = QByteArray::fromHex(r.bytes(row, r.column("hash")));
    s.mime = r.text(row, r.column("mime"));
    s.bytes = r.toInt(row, r.column("bytes"));
    s.width = int(r.toInt(row, r.column("width")));
    s.height = int(r.toInt(row, r.column("height")));
    s.path = r.text(row, r.column("path"));
    s.thumbnailPath = r.text(row, r.column("thumbnail_path"));
    return s;
}

} // namespace

ImageStore::ImageStore(std::shared_ptr<DatabasePool> pool, QString root, Options options)
    : m_pool(std::move(pool))
    , m_root(QDir::cleanPath(std::move(root)))
    , m_options(options)
{
    // Qt refuses to allocate decoded images over a process-wide limit (128 MB by default), which
    // an 8K backdrop exceeds; raise it to ours (never lower it for other users of QImageReader).
    const int wantMb = int(m_options.maxDecodedBytes / (1024 * 1024));
    if (QImageReader::allocationLimit() < wantMb)
        QImageReader::setAllocationLimit(wantMb);
}

ImageStore::ImageStore(std::shared_ptr<DatabasePool> pool, QString root)
    : ImageStore(std::move(pool), std::move(root), Options{})
{}

QString ImageStore::absolutePath(const QString &relative) const
{
    return m_root + QLatin1Char('/') + relative;
}

QString ImageStore::errorName(Error error)
{
    switch (error) {
    case Error::None:
        return QStringLiteral("none");
    case Error::NotImage:
        return QStringLiteral("not an image");
    case Error::TooLarge:
        return QStringLiteral("too large");
    case Error::Io:
        return QStringLiteral("disk error");
    case Error::Database:
        return QStringLiteral("database error");
    }
    return {};
}

bool ImageStore::writeFile(const QString &relative, const QByteArray &data, QString *error) const
{
    const QString path = absolutePath(relative);
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = QStringLiteral("cannot create directory %1").arg(QFileInfo(path).absolutePath());
        return false;
    }
    // Written to a temporary file and renamed: a crash never leaves a half image under the
    // final name, and two writers of the same hash write the same bytes.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

std::optional<StoredImage> ImageStore::put(const QByteArray &bytes, const QString &declaredMime,
                                           QString *error, Error *kind)
{
    if (bytes.isEmpty()) {
        setError(error, kind, Error::NotImage, QStringLiteral("empty file"));
        return std::nullopt;
    }
    const QByteArray hash = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    const QString hex = QString::fromLatin1(hash.toHex());

    QReadLocker locker(&m_lock);
    {
        // Deduplication: identical bytes were decoded and stored before, and their files are
        // there. (The connection is not held while decoding.)
        auto lease = m_pool->acquire();
        if (!lease) {
            setError(error, kind, Error::Database, QStringLiteral("no database connection"));
            return std::nullopt;
        }
        const PgResult known =
            pgExec(lease->db(),
                   "UPDATE shared.image_blobs SET last_used_at = greatest(now(), created_at) "
                   "WHERE content_hash = $1 "
                   "RETURNING encode(content_hash, 'hex') AS hash, mime, bytes, width, height, "
                   "path, thumbnail_path",
                   {hexParam(hash)});
        if (!known.ok()) {
            setError(error, kind, Error::Database, known.error());
            return std::nullopt;
        }
        if (known.rows() == 1) {
            auto existing = rowToImage(known, 0);
            const QString wantedThumb = hex.left(2) + QLatin1Char('/') + hex +
                                        QStringLiteral("_w%1.").arg(m_options.thumbnailWidth);
            if (QFile::exists(absolutePath(existing->path)) &&
                existing->thumbnailPath.startsWith(wantedThumb) &&
                QFile::exists(absolutePath(existing->thumbnailPath)))
                return existing;
            // A file went missing or the thumbnail width changed: decode and write again.
        }
    }

    QByteArray data = bytes; // shares the buffer; QBuffer wants a non-const pointer
    QBuffer buffer(&data);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setDecideFormatFromContent(true);
    const Format *format = formatFor(reader.format());
    if (!format) {
        const QString what = reader.format().isEmpty()
                                 ? describeNonImage(bytes)
                                 : QStringLiteral("unsupported image format '%1'")
                                       .arg(QString::fromLatin1(reader.format()));
        setError(error, kind, Error::NotImage, what);
        return std::nullopt;
    }
    // The header's dimensions, before anything is decoded: a tiny file can claim 50000x50000.
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty()) {
        setError(error, kind, Error::NotImage,
                 QStringLiteral("%1 data without valid dimensions").arg(format->extension));
        return std::nullopt;
    }
    if (size.width() > m_options.maxDimension || size.height() > m_options.maxDimension ||
        qint64(size.width()) * size.height() * 4 > m_options.maxDecodedBytes) {
        setError(error, kind, Error::TooLarge,
                 QStringLiteral("%1x%2 pixels is over the limit (%3 per side, %4 MB decoded)")
                     .arg(size.width())
                     .arg(size.height())
                     .arg(m_options.maxDimension)
                     .arg(m_options.maxDecodedBytes / (1024 * 1024)));
        return std::nullopt;
    }
    QImage image = reader.read();
    if (image.isNull()) {
        setError(error, kind, Error::NotImage,
                 QStringLiteral("%1 data that does not decode: %2")
                     .arg(format->extension, reader.errorString()));
        return std::nullopt;
    }
    if (qstrcmp(format->mime, "image/jpeg") == 0 && !jpegLooksComplete(bytes)) {
        setError(error, kind, Error::NotImage, QStringLiteral("truncated JPEG (no end marker)"));
        return std::nullopt;
    }
    if (!declaredMime.isEmpty() && declaredMime != QLatin1String(format->mime))
        qCDebug(lcImages).noquote()
            << "declared" << declaredMime << "but the data is" << format->mime;

    StoredImage stored;
    stored.hash = hash;
    stored.mime = QString::fromLatin1(format->mime);
    stored.bytes = bytes.size();
    stored.width = image.width();
    stored.height = image.height();
    stored.path =
        hex.left(2) + QLatin1Char('/') + hex + QLatin1Char('.') + QLatin1String(format->extension);

    // Thumbnail: the configured width (never upscaled), JPEG unless transparency must survive.
    const bool alpha = image.hasAlphaChannel();
    const bool jpegWriter = QImageWriter::supportedImageFormats().contains("jpeg");
    const char *thumbFormat = (alpha || !jpegWriter) ? "png" : "jpeg";
    stored.thumbnailPath = hex.left(2) + QLatin1Char('/') + hex +
                           QStringLiteral("_w%1.").arg(m_options.thumbnailWidth) +
                           QLatin1String(qstrcmp(thumbFormat, "png") == 0 ? "png" : "jpg");
    QImage thumb = image.width() > m_options.thumbnailWidth
                       ? image.scaledToWidth(m_options.thumbnailWidth, Qt::SmoothTransformation)
                       : image;
    if (!alpha)
        thumb = thumb.convertToFormat(QImage::Format_RGB888);
    QByteArray thumbBytes;
    {
        QBuffer out(&thumbBytes);
        out.open(QIODevice::WriteOnly);
        QImageWriter writer(&out, thumbFormat);
        if (qstrcmp(thumbFormat, "jpeg") == 0)
            writer.setQuality(85);
        if (!writer.write(thumb)) {
            setError(error, kind, Error::Io,
                     QStringLiteral("cannot encode the thumbnail: %1").arg(writer.errorString()));
            return std::nullopt;
        }
    }

    QString ioError;
    const QFileInfo existing(absolutePath(stored.path));
    if (!(existing.exists() && existing.size() == bytes.size()) &&
        !writeFile(stored.path, bytes, &ioError)) {
        setError(error, kind, Error::Io, ioError);
        return std::nullopt;
    }
    if (!writeFile(stored.thumbnailPath, thumbBytes, &ioError)) {
        setError(error, kind, Error::Io, ioError);
        return std::nullopt;
    }

    auto lease = m_pool->acquire();
    if (!lease) {
        setError(error, kind, Error::Database, QStringLiteral("no database connection"));
        return std::nullopt;
    }
    const PgResult r = pgExec(
        lease->db(),
        "INSERT INTO shared.image_blobs (content_hash, mime, bytes, width, height, path, "
        "thumbnail_path, thumbnail_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        // now() is the transaction's start: a put that began before a concurrent one inserted
        // the row would set last_used_at before created_at.
        "ON CONFLICT (content_hash) DO UPDATE SET last_used_at = greatest(now(), "
        "shared.image_blobs.created_at), path = EXCLUDED.path, "
        "thumbnail_path = EXCLUDED.thumbnail_path, thumbnail_bytes = EXCLUDED.thumbnail_bytes "
        "RETURNING (xmax = 0) AS created",
        {hexParam(hash), stored.mime.toUtf8(), QByteArray::number(stored.bytes),
         QByteArray::number(stored.width), QByteArray::number(stored.height), stored.path.toUtf8(),
         stored.thumbnailPath.toUtf8(), QByteArray::number(thumbBytes.size())});
    if (!r.ok() || r.rows() != 1) {
        setError(error, kind, Error::Database, r.error());
        return std::nullopt;
    }
    stored.created = r.toBool(0, 0);
    qCDebug(lcImages).noquote() << (stored.created ? "stored" : "restored") << stored.path
                                << stored.width << "x" << stored.height;
    return stored;
}

std::optional<StoredImage> ImageStore::putFile(const QString &localPath, qint64 maxBytes,
                                               QString *error, Error *kind)
{
    const QFileInfo info(localPath);
    if (!info.exists() || !info.isFile()) {
        setError(error, kind, Error::Io, QStringLiteral("%1: no such file").arg(localPath));
        return std::nullopt;
    }
    if (info.size() > maxBytes) {
        setError(error, kind, Error::TooLarge,
                 QStringLiteral("%1: %2 bytes is over the %3-byte limit")
                     .arg(localPath)
                     .arg(info.size())
                     .arg(maxBytes));
        return std::nullopt;
    }
    QFile file(localPath);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, kind, Error::Io,
                 QStringLiteral("%1: cannot read: %2").arg(localPath, file.errorString()));
        return std::nullopt;
    }
    // read() bounded by the limit: the file may have grown since stat().
    const QByteArray bytes = file.read(maxBytes + 1);
    if (bytes.size() > maxBytes) {
        setError(error, kind, Error::TooLarge,
                 QStringLiteral("%1: over the %2-byte limit").arg(localPath).arg(maxBytes));
        return std::nullopt;
    }
    QString why;
    auto stored = put(bytes, {}, &why, kind);
    if (!stored && error)
        *error = localPath + QStringLiteral(": ") + why;
    return stored;
}

std::optional<StoredImage> ImageStore::find(const QByteArray &hash, QString *error)
{
    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    const PgResult r =
        pgExec(lease->db(),
               "SELECT encode(content_hash, 'hex') AS hash, mime, bytes, width, height, path, "
               "thumbnail_path FROM shared.image_blobs WHERE content_hash = $1",
               {hexParam(hash)});
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    if (r.rows() == 0)
        return std::nullopt;
    return rowToImage(r, 0);
}

bool ImageStore::touch(const QList<QByteArray> &hashes, QString *error)
{
    if (hashes.isEmpty())
        return true;
    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return false;
    const PgResult r =
        pgExec(lease->db(),
               "UPDATE shared.image_blobs SET last_used_at = greatest(now(), created_at) "
               "WHERE content_hash IN (SELECT decode(h, 'hex') FROM unnest($1::text[]) h)",
               {hexArrayParam(hashes)});
    if (!r.ok() && error)
        *error = r.error();
    return r.ok();
}

std::optional<ImageTrimReport> ImageStore::trim(qint64 maxBytes, QString *error,
                                                std::chrono::seconds grace)
{
    QWriteLocker locker(&m_lock);
    auto lease = m_pool->acquire(5000, error);
    if (!lease)
        return std::nullopt;
    ImageTrimReport report;
    const QByteArray graceParam = QByteArray::number(qint64(grace.count()));

    auto removeFiles = [&](const PgResult &r) {
        for (int i = 0; i < r.rows(); ++i) {
            QFile::remove(absolutePath(r.text(i, 0)));
            if (!r.isNull(i, 1))
                QFile::remove(absolutePath(r.text(i, 1)));
            report.bytesFreed += r.toInt(i, 2);
        }
        // A file that could not be removed has no row any more: step 3 retries next time.
    };

    // 1. Unreferenced blobs.
    const PgResult unreferenced = pgExec(
        lease->db(),
        "DELETE FROM shared.image_blobs b "
        "WHERE b.last_used_at < now() - $1::bigint * interval '1 second' "
        "AND NOT EXISTS (SELECT 1 FROM media.images i WHERE i.content_hash = b.content_hash) "
        "AND NOT EXISTS (SELECT 1 FROM c.images i WHERE i.content_hash = b.content_hash) "
        "RETURNING path, thumbnail_path, bytes + thumbnail_bytes",
        {graceParam});
    if (!unreferenced.ok()) {
        if (error)
            *error = unreferenced.error();
        return std::nullopt;
    }
    report.unreferencedRemoved = unreferenced.rows();
    removeFiles(unreferenced);

    // 2. Least recently used beyond the budget. One statement: the images rows lose their hash
    //    in the same transaction as the blob row goes, so no row ever points at a missing blob.
    //    (Data-modifying CTEs run to completion whether or not the DELETE reads them.)
    const PgResult evicted = pgExec(
        lease->db(),
        "WITH total AS (SELECT coalesce(sum(bytes + thumbnail_bytes), 0) AS n "
        "               FROM shared.image_blobs), "
        "ordered AS (SELECT content_hash, bytes + thumbnail_bytes AS size, "
        "                   sum(bytes + thumbnail_bytes) OVER (ORDER BY last_used_at, "
        "                       content_hash) AS running "
        "            FROM shared.image_blobs "
        "            WHERE last_used_at < now() - $2::bigint * interval '1 second'), "
        "victims AS (SELECT content_hash FROM ordered, total "
        "            WHERE ordered.running - ordered.size < total.n - $1::bigint), "
        "m AS (UPDATE media.images SET content_hash = NULL "
        "      WHERE content_hash IN (SELECT content_hash FROM victims) RETURNING 1), "
        "a AS (UPDATE c.images SET content_hash = NULL "
        "      WHERE content_hash IN (SELECT content_hash FROM victims) RETURNING 1) "
        "DELETE FROM shared.image_blobs WHERE content_hash IN (SELECT content_hash FROM victims) "
        "RETURNING path, thumbnail_path, bytes + thumbnail_bytes",
        {QByteArray::number(maxBytes), graceParam});
    if (!evicted.ok()) {
        if (error)
            *error = evicted.error();
        return std::nullopt;
    }
    report.evicted = evicted.rows();
    removeFiles(evicted);

    // 3. Files that no row names.
    const PgResult known =
        pgExec(lease->db(), "SELECT path, thumbnail_path FROM shared.image_blobs");
    if (!known.ok()) {
        if (error)
            *error = known.error();
        return std::nullopt;
    }
    QSet<QString> names;
    for (int i = 0; i < known.rows(); ++i) {
        names.insert(known.text(i, 0));
        if (!known.isNull(i, 1))
            names.insert(known.text(i, 1));
    }
    static const QRegularExpression shard(QStringLiteral("^[0-9a-f]{2}$"));
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-qint64(grace.count()));
    const QDir root(m_root);
    for (const QString &dirName : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!shard.match(dirName).hasMatch())
            continue; // not ours
        QDir dir(root.filePath(dirName));
        for (const QFileInfo &file : dir.entryInfoList(QDir::Files | QDir::Hidden)) {
            const QString relative = dirName + QLatin1Char('/') + file.fileName();
            if (names.contains(relative) || file.lastModified().toUTC() > cutoff)
                continue;
            if (QFile::remove(file.absoluteFilePath())) {
                ++report.orphanFilesRemoved;
                report.bytesFreed += file.size();
            } else {
                qCWarning(lcImages).noquote() << "cannot remove" << file.absoluteFilePath();
            }
        }
        if (dir.isEmpty())
            root.rmdir(dirName);
    }

    const PgResult after = pgExec(
        lease->db(), "SELECT coalesce(sum(bytes + thumbnail_bytes), 0) FROM shared.image_blobs");
    report.bytesAfter = after.ok() ? after.toInt(0, 0) : -1;
    qCInfo(lcImages).noquote() << QStringLiteral(
                                      "trim: %1 unreferenced and %2 least-recently-used blobs, "
                                      "%3 orphan files removed; %4 bytes freed, %5 bytes kept")
                                      .arg(report.unreferencedRemoved)
                                      .arg(report.evicted)
                                      .arg(report.orphanFilesRemoved)
                                      .arg(report.bytesFreed)
                                      .arg(report.bytesAfter);
    return report;
}

} // namespace Revenge
