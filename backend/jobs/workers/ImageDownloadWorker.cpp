#include "ImageDownloadWorker.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"
#include "library/images/ImageDownloader.h"
#include "library/images/ImageStore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

namespace Revenge {

namespace {

struct Args
{
    QString schema;
    QString itemType;
    QString itemId;
    QString kind;
    QString url;
    QString path;
    int order = 0;
};

const QStringList kMediaTypes = {QStringLiteral("movie"),        QStringLiteral("series"),
                                 QStringLiteral("season"),       QStringLiteral("episode"),
                                 QStringLiteral("music_artist"), QStringLiteral("music_album"),
                                 QStringLiteral("music_track"),  QStringLiteral("person")};
const QStringList kAdultTypes = {QStringLiteral("studio"), QStringLiteral("performer"),
                                 QStringLiteral("movie"), QStringLiteral("scene")};
const QStringList kKinds = {QStringLiteral("poster"), QStringLiteral("backdrop"),
                            QStringLiteral("logo"), QStringLiteral("thumb"),
                            QStringLiteral("banner")};

std::optional<Args> parseArgs(const QJsonObject &json, QString *error)
{
    Args a;
    a.schema = json.value(QStringLiteral("schema")).toString();
    if (a.schema != QLatin1String("media") && a.schema != QLatin1String("c")) {
        *error = QStringLiteral("schema must be \"media\" or \"c\", not %1")
                     .arg(QString::fromUtf8(QJsonDocument(QJsonArray{json.value("schema")})
                                                .toJson(QJsonDocument::Compact)));
        return std::nullopt;
    }
    a.itemType = json.value(QStringLiteral("item_type")).toString();
    const QStringList &types = a.schema == QLatin1String("c") ? kAdultTypes : kMediaTypes;
    if (!types.contains(a.itemType)) {
        *error = QStringLiteral("item_type '%1' is not one of %2 (schema %3)")
                     .arg(a.itemType, types.join(QStringLiteral(", ")), a.schema);
        return std::nullopt;
    }
    const QUuid id = QUuid::fromString(json.value(QStringLiteral("item_id")).toString());
    if (id.isNull()) {
        *error = QStringLiteral("item_id '%1' is not a UUID")
                     .arg(json.value(QStringLiteral("item_id")).toString());
        return std::nullopt;
    }
    a.itemId = id.toString(QUuid::WithoutBraces);
    a.kind = json.value(QStringLiteral("kind")).toString();
    if (!kKinds.contains(a.kind)) {
        *error = QStringLiteral("kind '%1' is not one of %2")
                     .arg(a.kind, kKinds.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    const bool hasUrl = json.contains(QStringLiteral("url"));
    const bool hasPath = json.contains(QStringLiteral("path"));
    if (hasUrl == hasPath) {
        *error = QStringLiteral("exactly one of url and path is needed");
        return std::nullopt;
    }
    if (hasUrl) {
        a.url = json.value(QStringLiteral("url")).toString();
        const QUrl url(a.url, QUrl::StrictMode);
        if (a.url.isEmpty() || !url.isValid() || url.host().isEmpty() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            *error = QStringLiteral("url '%1' is not an http(s) URL").arg(a.url);
            return std::nullopt;
        }
    } else {
        a.path = json.value(QStringLiteral("path")).toString();
        if (a.path.isEmpty() || !QDir::isAbsolutePath(a.path)) {
            *error = QStringLiteral("path '%1' is not an absolute path").arg(a.path);
            return std::nullopt;
        }
    }
    if (json.contains(QStringLiteral("order"))) {
        const QJsonValue order = json.value(QStringLiteral("order"));
        const double d = order.toDouble(-1);
        if (!order.isDouble() || d < 0 || d > 1e6 || d != double(int(d))) {
            *error = QStringLiteral("order must be a whole number from 0 to 1000000");
            return std::nullopt;
        }
        a.order = int(d);
    }
    return a;
}

QByteArray nullable(const QString &s)
{
    return s.isEmpty() ? QByteArray() : s.toUtf8();
}

enum class Recorded
{
    Inserted,
    Updated, // a row for the same source got the (new) hash
    Unchanged,
    ItemGone
};

// Records the stored image in <schema>.images (see the class comment for the rules).
std::optional<Recorded> record(QSqlDatabase &db, const Args &a, const StoredImage &image,
                               QString *error)
{
    const QString s = a.schema; // validated: "media" or "c"
    const QByteArray hash = QByteArrayLiteral("\\x") + image.hash.toHex();
    auto run = [&](const QString &sql, const QList<QByteArray> &params) {
        return pgExec(db, sql.toUtf8(), params);
    };
    auto fail = [&](const PgResult &r) -> std::optional<Recorded> {
        run(QStringLiteral("ROLLBACK"), {});
        if (r.sqlState() == QLatin1String("23503")) // the item was deleted meanwhile
            return Recorded::ItemGone;
        *error = r.error();
        return std::nullopt;
    };
    PgResult r = run(QStringLiteral("BEGIN"), {});
    if (!r.ok())
        return fail(r);

    const QByteArray order = QByteArray::number(a.order);
    const QByteArray width = QByteArray::number(image.width);
    const QByteArray height = QByteArray::number(image.height);
    // 1. The same image is already there: nothing new, but keep order and source current.
    r = run(QStringLiteral(
                "UPDATE %1.images SET sort_order = $5, source_url = coalesce(source_url, $6), "
                "path = coalesce(path, $7), width = $8, height = $9, mime = $10 "
                "WHERE item_type = $1 AND item_id = $2 AND kind = $3 AND content_hash = $4 "
                "RETURNING id")
                .arg(s),
            {a.itemType.toUtf8(), a.itemId.toUtf8(), a.kind.toUtf8(), hash, order, nullable(a.url),
             nullable(a.path), width, height, image.mime.toUtf8()});
    if (!r.ok())
        return fail(r);
    Recorded outcome = Recorded::Unchanged;
    if (r.rows() > 0) {
        // Another source of this item and kind gave the same bytes (folder.jpg = poster.jpg):
        // a hashless row recorded for this source would only duplicate it.
        r = run(QStringLiteral("DELETE FROM %1.images WHERE item_type = $1 AND item_id = $2 AND "
                               "kind = $3 AND content_hash IS NULL AND (source_url = $4 OR path "
                               "= $5)")
                    .arg(s),
                {a.itemType.toUtf8(), a.itemId.toUtf8(), a.kind.toUtf8(), nullable(a.url),
                 nullable(a.path)});
        if (!r.ok())
            return fail(r);
    } else {
        // 2. A row for this source without a hash (not fetched yet, or evicted), or whose
        //    image changed at the source: it gets this one.
        r = run(QStringLiteral(
                    "UPDATE %1.images SET content_hash = $4, sort_order = $5, width = $8, "
                    "height = $9, mime = $10 "
                    "WHERE id = (SELECT id FROM %1.images WHERE item_type = $1 AND item_id = $2 "
                    "AND kind = $3 AND (source_url = $6 OR path = $7) "
                    "ORDER BY content_hash IS NULL DESC, sort_order LIMIT 1 FOR UPDATE) "
                    "RETURNING id")
                    .arg(s),
                {a.itemType.toUtf8(), a.itemId.toUtf8(), a.kind.toUtf8(), hash, order,
                 nullable(a.url), nullable(a.path), width, height, image.mime.toUtf8()});
        if (!r.ok())
            return fail(r);
        outcome = Recorded::Updated;
    }
    if (outcome == Recorded::Updated && r.rows() == 0) {
        // 3. New. A concurrent identical job may win the race: then the unique key keeps one.
        r = run(QStringLiteral("INSERT INTO %1.images (item_type, item_id, kind, content_hash, "
                               "sort_order, source_url, path, width, height, mime) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                               "ON CONFLICT ON CONSTRAINT images_item_kind_hash_key DO NOTHING "
                               "RETURNING id")
                    .arg(s),
                {a.itemType.toUtf8(), a.itemId.toUtf8(), a.kind.toUtf8(), hash, order,
                 nullable(a.url), nullable(a.path), width, height, image.mime.toUtf8()});
        if (!r.ok())
            return fail(r);
        outcome = r.rows() == 1 ? Recorded::Inserted : Recorded::Unchanged;
    }
    r = run(QStringLiteral("COMMIT"), {});
    if (!r.ok())
        return fail(r);
    return outcome;
}

} // namespace

ImageDownloadWorker::ImageDownloadWorker(std::shared_ptr<DatabasePool> pool,
                                         std::shared_ptr<ImageStore> store, qint64 maxBytes,
                                         std::chrono::milliseconds timeout)
    : m_pool(std::move(pool))
    , m_store(std::move(store))
    , m_maxBytes(maxBytes)
    , m_timeout(timeout)
{}

JobResult ImageDownloadWorker::work(JobContext &context)
{
    QString error;
    const auto args = parseArgs(context.args(), &error);
    if (!args)
        return JobResult::discard(QStringLiteral("images.download: bad arguments: ") + error);
    const QString source = args->url.isEmpty() ? args->path : args->url;

    {
        auto lease = m_pool->acquire(5000, &error);
        if (!lease)
            return JobResult::error(error);
        const PgResult r =
            pgExec(lease->db(),
                   QStringLiteral("SELECT 1 FROM %1.items WHERE id = $1 AND item_type = $2")
                       .arg(args->schema)
                       .toUtf8(),
                   {args->itemId.toUtf8(), args->itemType.toUtf8()});
        if (!r.ok())
            return JobResult::error(r.error());
        if (r.rows() == 0)
            return JobResult::complete(); // the item was deleted: nothing to do
    }

    // The bytes: downloaded or read, at most m_maxBytes of them ever in memory.
    std::optional<StoredImage> stored;
    ImageStore::Error storeError = ImageStore::Error::None;
    if (!args->url.isEmpty()) {
        ImageDownloader::Options options;
        options.maxBytes = m_maxBytes;
        options.totalTimeout = m_timeout;
        options.idleTimeout =
            std::min<std::chrono::milliseconds>(m_timeout, std::chrono::seconds(30));
        const ImageDownloader downloader(options);
        auto fetched = downloader.get(QUrl(args->url), [&] { return context.isCancelled(); });
        switch (fetched.error) {
        case ImageDownloader::Error::None:
            break;
        case ImageDownloader::Error::NotFound:
            return JobResult::cancel(fetched.message);
        case ImageDownloader::Error::Transient:
        case ImageDownloader::Error::Cancelled:
            return JobResult::error(fetched.message);
        case ImageDownloader::Error::BadUrl:
        case ImageDownloader::Error::Rejected:
        case ImageDownloader::Error::TooLarge:
        case ImageDownloader::Error::NotImage:
            qCWarning(lcImages).noquote() << "refused" << fetched.message;
            return JobResult::discard(fetched.message);
        }
        stored = m_store->put(fetched.body, fetched.contentType, &error, &storeError);
        if (!stored)
            error = args->url + QStringLiteral(": ") + error;
    } else {
        if (!QFileInfo::exists(args->path))
            return JobResult::cancel(args->path + QStringLiteral(": no such file"));
        stored = m_store->putFile(args->path, m_maxBytes, &error, &storeError);
    }
    if (!stored) {
        switch (storeError) {
        case ImageStore::Error::NotImage:
        case ImageStore::Error::TooLarge:
            qCWarning(lcImages).noquote() << "refused" << error;
            return JobResult::discard(error);
        default:
            return JobResult::error(error); // disk or database: may well work next time
        }
    }

    auto lease = m_pool->acquire(5000, &error);
    if (!lease)
        return JobResult::error(error);
    const auto recorded = record(lease->db(), *args, *stored, &error);
    if (!recorded)
        return JobResult::error(
            QStringLiteral("%1: cannot record the image: %2").arg(source, error));
    static const char *names[] = {"added", "updated", "already recorded", "item deleted"};
    context.reportProgress(
        QStringLiteral("done"), 1, 1,
        QStringLiteral("%1 %2 %3: %4 (%5x%6)")
            .arg(args->itemType, args->kind, QLatin1String(names[int(*recorded)]), source)
            .arg(stored->width)
            .arg(stored->height));
    return JobResult::complete();
}

} // namespace Revenge
