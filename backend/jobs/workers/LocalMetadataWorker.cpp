#include "LocalMetadataWorker.h"

#include "core/Logging.h"
#include "jobs/JobClient.h"
#include "library/metadata/LocalArtwork.h"
#include "library/metadata/MetadataWriter.h"
#include "library/metadata/NfoReader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

namespace Revenge {

namespace {

const QStringList &typesOf(const QString &schema)
{
    static const QStringList media = {QStringLiteral("movie"),        QStringLiteral("series"),
                                      QStringLiteral("season"),       QStringLiteral("episode"),
                                      QStringLiteral("music_artist"), QStringLiteral("music_album"),
                                      QStringLiteral("music_track")};
    static const QStringList adult = {QStringLiteral("movie"), QStringLiteral("scene")};
    static const QStringList none;
    if (schema == QLatin1String("media"))
        return media;
    if (schema == QLatin1String("c"))
        return adult;
    return none;
}

// The NFO root an item type expects; a tvshow.nfo read for a movie is a broken NFO.
bool fits(NfoReader::Type nfo, const QString &itemType)
{
    switch (nfo) {
    case NfoReader::Type::UrlOnly:
        return true;
    case NfoReader::Type::Movie:
        return itemType == QLatin1String("movie") || itemType == QLatin1String("scene");
    case NfoReader::Type::TvShow:
        return itemType == QLatin1String("series");
    case NfoReader::Type::Season:
        return itemType == QLatin1String("season");
    case NfoReader::Type::Episode:
        return itemType == QLatin1String("episode");
    }
    return false;
}

// Follow-ups are unique by args while they wait or run; a finished one does not stop the next
// run from reading a changed poster or fetching again.
UniqueOptions pendingOnly()
{
    UniqueOptions unique;
    unique.byArgs = true;
    unique.byState = {JobState::Available, JobState::Pending, JobState::Retryable,
                      JobState::Running, JobState::Scheduled};
    return unique;
}

} // namespace

LocalMetadataWorker::LocalMetadataWorker(std::shared_ptr<DatabasePool> pool,
                                         std::shared_ptr<JobClient> jobs, bool remoteEnabled)
    : m_pool(std::move(pool))
    , m_jobs(std::move(jobs))
    , m_writer(std::make_unique<MetadataWriter>(m_pool))
    , m_remoteEnabled(remoteEnabled)
{}

LocalMetadataWorker::~LocalMetadataWorker() = default;

JobResult LocalMetadataWorker::work(JobContext &context)
{
    const QJsonObject &args = context.args();
    const QString schema = args.value(QStringLiteral("schema")).toString();
    const QString itemType = args.value(QStringLiteral("item_type")).toString();
    if (schema != QLatin1String("media") && schema != QLatin1String("c"))
        return JobResult::discard(
            QStringLiteral("invalid args: schema must be \"media\" or \"c\", not %1")
                .arg(QString::fromUtf8(
                    QJsonDocument(QJsonArray{args.value(QStringLiteral("schema"))})
                        .toJson(QJsonDocument::Compact))));
    if (!typesOf(schema).contains(itemType))
        return JobResult::discard(
            QStringLiteral("invalid args: item_type '%1' is not one of %2 in schema %3")
                .arg(itemType, typesOf(schema).join(QStringLiteral(", ")), schema));
    const QJsonValue idsValue = args.value(QStringLiteral("item_ids"));
    if (!idsValue.isArray())
        return JobResult::discard(
            QStringLiteral("invalid args: item_ids must be an array of uuids"));
    const QJsonArray idArray = idsValue.toArray();
    if (idArray.size() > kMaxItems)
        return JobResult::discard(QStringLiteral("invalid args: %1 item_ids, at most %2 per job")
                                      .arg(idArray.size())
                                      .arg(kMaxItems));
    QStringList ids;
    for (qsizetype i = 0; i < idArray.size(); ++i) {
        const QString id = idArray.at(i).toString();
        const QUuid uuid = QUuid::fromString(id);
        if (!idArray.at(i).isString() || uuid.isNull())
            return JobResult::discard(
                QStringLiteral("invalid args: item_ids[%1] is not a uuid").arg(i));
        ids << uuid.toString(QUuid::WithoutBraces);
    }

    int applied = 0, empty = 0, gone = 0, broken = 0;
    QString firstBroken;
    QList<InsertParams> followUps;
    for (int i = 0; i < ids.size(); ++i) {
        if (context.isCancelled())
            // Shutdown: back to available; timeout: retried; what was applied stays.
            return JobResult::error(
                QStringLiteral("interrupted after %1 of %2 items").arg(i).arg(ids.size()));
        const ItemRef ref{schema, itemType, ids.at(i)};
        QString error;
        const auto item = m_writer->load(ref, &error);
        if (!item) {
            if (error.startsWith(QLatin1String("not found"))) {
                ++gone;
                continue;
            }
            return JobResult::error(error); // the database is away: retried with backoff
        }

        const QString path = item->filePaths.value(0);
        MediaMetadata metadata;
        metadata.source = QStringLiteral("local");
        if (const QString nfo = LocalArtwork::findNfo(path, itemType); !nfo.isEmpty()) {
            QString nfoError;
            NfoReader::Type nfoType = NfoReader::Type::UrlOnly;
            auto read = NfoReader::read(nfo, &nfoError, &nfoType);
            if (read && !fits(nfoType, itemType)) {
                nfoError = QStringLiteral("%1: a <%2> NFO does not describe a %3")
                               .arg(nfo, NfoReader::typeName(nfoType), itemType);
                read.reset();
            }
            if (read)
                metadata = *read;
            else {
                ++broken;
                if (firstBroken.isEmpty())
                    firstBroken = nfoError;
                qCWarning(lcMetadata).noquote() << "ignoring broken NFO:" << nfoError;
            }
        }
        const QList<ImageRef> local = LocalArtwork::find(path, itemType, item->season);
        metadata.images += local;

        const bool hasNfo = metadata.source == QLatin1String("nfo");
        if (!hasNfo && local.isEmpty()) {
            ++empty;
        } else {
            if (!m_writer->apply(ref, metadata, &error)) {
                if (error.startsWith(QLatin1String("not found"))) {
                    ++gone;
                    continue;
                }
                return JobResult::error(error);
            }
            ++applied;
        }

        if (m_jobs) {
            for (const ImageRef &image : local) {
                InsertParams p;
                p.kind = QStringLiteral("images.download");
                p.args = {
                    {QStringLiteral("schema"), schema},   {QStringLiteral("item_type"), itemType},
                    {QStringLiteral("item_id"), ref.id},  {QStringLiteral("kind"), image.kind},
                    {QStringLiteral("path"), image.path}, {QStringLiteral("order"), image.order}};
                p.options.unique = pendingOnly();
                followUps << p;
            }
            // Remote providers are not asked about adult items.
            if (m_remoteEnabled && schema == QLatin1String("media") &&
                (itemType == QLatin1String("movie") || itemType == QLatin1String("series"))) {
                InsertParams p;
                p.kind = QStringLiteral("metadata.fetch");
                p.args = {{QStringLiteral("schema"), schema},
                          {QStringLiteral("item_type"), itemType},
                          {QStringLiteral("item_id"), ref.id}};
                p.options.unique = pendingOnly();
                followUps << p;
            }
        }
        context.reportProgress(QStringLiteral("local metadata"), i + 1, ids.size());
    }

    if (m_jobs && !followUps.isEmpty()) {
        QString error;
        if (!m_jobs->insertMany(followUps, &error))
            // Applying again is harmless, so the whole job is retried.
            return JobResult::error(QStringLiteral("enqueueing follow-up jobs: %1").arg(error));
    }
    QString summary = QStringLiteral("%1 updated, %2 without local metadata, %3 gone")
                          .arg(applied)
                          .arg(empty)
                          .arg(gone);
    if (broken > 0)
        summary += QStringLiteral(", %1 broken NFO (first: %2)").arg(broken).arg(firstBroken);
    context.reportProgress(QStringLiteral("done"), ids.size(), ids.size(), summary);
    qCInfo(lcMetadata).noquote() << "metadata.local" << schema << itemType << summary;
    return JobResult::complete();
}

} // namespace Revenge
