#include "MetadataFetchWorker.h"

#include "core/Logging.h"
#include "jobs/JobClient.h"
#include "library/metadata/MetadataProvider.h"
#include "library/metadata/MetadataWriter.h"
#include "library/metadata/TitleMatcher.h"

#include <QRegularExpression>
#include <QUuid>

namespace Revenge {

namespace {

constexpr std::chrono::minutes kRateLimitSnooze{5};

JobResult completeWith(const QString &message)
{
    qCInfo(lcMetadata).noquote() << "metadata.fetch:" << message;
    JobResult r = JobResult::complete();
    r.message = message;
    return r;
}

QString describe(const ItemSummary &item)
{
    QString s = QStringLiteral("%1 %2").arg(item.ref.type, item.ref.id);
    if (!item.title.isEmpty())
        s += QStringLiteral(" \"%1\"").arg(item.title);
    if (item.year)
        s += QStringLiteral(" (%1)").arg(*item.year);
    return s;
}

// What a provider failure means for the job.
JobResult fromProviderError(const ProviderError &e)
{
    switch (e.kind) {
    case ProviderError::Kind::RateLimited:
        return JobResult::snoozeFor(
            std::max<std::chrono::milliseconds>(kRateLimitSnooze, e.retryAfter));
    case ProviderError::Kind::Unauthorized:
    case ProviderError::Kind::Rejected:
        return JobResult::discard(e.message);
    case ProviderError::Kind::NotFound:
        return JobResult::cancel(QStringLiteral("not found: ") + e.message);
    case ProviderError::Kind::Disabled:
        return completeWith(e.message);
    case ProviderError::Kind::Transient:
    case ProviderError::Kind::InvalidResponse:
    case ProviderError::Kind::None:
        break;
    }
    return JobResult::error(e.message);
}

} // namespace

MetadataFetchWorker::MetadataFetchWorker(std::shared_ptr<DatabasePool> pool,
                                         std::shared_ptr<MetadataProvider> provider,
                                         std::shared_ptr<JobClient> jobs)
    : m_pool(std::move(pool))
    , m_provider(std::move(provider))
    , m_jobs(std::move(jobs))
{}

QJsonObject MetadataFetchWorker::args(const QString &schema, const QString &itemType,
                                      const QString &itemId)
{
    return {{QStringLiteral("schema"), schema},
            {QStringLiteral("item_type"), itemType},
            {QStringLiteral("item_id"), itemId}};
}

JobResult MetadataFetchWorker::work(JobContext &context)
{
    const QJsonObject &a = context.args();
    const QString schema = a.value(QStringLiteral("schema")).toString(QStringLiteral("media"));
    const QString type = a.value(QStringLiteral("item_type")).toString();
    const QString id = a.value(QStringLiteral("item_id")).toString();
    // Adult items ("c") have no remote source here; music has none yet.
    if (schema != QLatin1String("media"))
        return JobResult::discard(
            QStringLiteral("metadata.fetch: unsupported schema \"%1\" (only \"media\")")
                .arg(schema));
    if (type != QLatin1String("movie") && type != QLatin1String("series") &&
        type != QLatin1String("episode"))
        return JobResult::discard(QStringLiteral("metadata.fetch: unsupported item_type \"%1\" "
                                                 "(movie, series or episode)")
                                      .arg(type));
    if (QUuid::fromString(id).isNull())
        return JobResult::discard(
            QStringLiteral("metadata.fetch: item_id \"%1\" is not a uuid").arg(id.left(80)));
    if (!m_provider)
        return completeWith(QStringLiteral("remote metadata disabled (no provider)"));
    QString why;
    if (!m_provider->isEnabled(&why))
        return completeWith(why.isEmpty() ? QStringLiteral("remote metadata disabled") : why);

    MetadataWriter writer(m_pool);
    QString error;
    const ItemRef ref{schema, type, id};
    const auto item = writer.load(ref, &error);
    if (!item) {
        if (error.startsWith(QLatin1String("not found")))
            return JobResult::cancel(error);
        return JobResult::error(QStringLiteral("loading %1 %2: %3").arg(type, id, error));
    }
    if (context.isCancelled())
        return JobResult::cancel(QStringLiteral("cancelled"));
    return type == QLatin1String("episode") ? fetchEpisode(context, *item)
                                            : fetchTitle(context, *item);
}

JobResult MetadataFetchWorker::fetchTitle(JobContext &context, const ItemSummary &item)
{
    const QString type = item.ref.type;
    QString providerId = item.externalIds.value(m_provider->name()).trimmed();
    const bool known = !providerId.isEmpty();

    context.reportProgress(QStringLiteral("match"), 0, 3);
    const QString imdb = item.externalIds.value(QStringLiteral("imdb")).trimmed();
    if (!known && !imdb.isEmpty()) {
        const auto found = m_provider->findByExternalId(type, QStringLiteral("imdb"), imdb);
        if (!found.ok() && found.error().kind != ProviderError::Kind::Rejected)
            return fromProviderError(found.error());
        if (found.ok() && !found.value().isEmpty())
            providerId = found.value().first().id;
    }
    if (providerId.isEmpty()) {
        if (item.title.trimmed().isEmpty())
            return completeWith(QStringLiteral("no match: %1 has no title").arg(describe(item)));
        auto found = m_provider->search(type, item.title, item.year);
        if (!found.ok())
            return fromProviderError(found.error());
        QList<MetadataCandidate> candidates = found.value();
        std::optional<TitleMatcher::Match> match =
            TitleMatcher::bestMatch(item.title, item.year, candidates);
        // A year from the file name can be off (festival premiere, wrong tag): search again
        // without it and let the matcher weigh the year instead.
        if (!match && item.year) {
            if (context.isCancelled())
                return JobResult::cancel(QStringLiteral("cancelled"));
            auto wider = m_provider->search(type, item.title, std::nullopt);
            if (!wider.ok())
                return fromProviderError(wider.error());
            candidates = wider.value();
            match = TitleMatcher::bestMatch(item.title, item.year, candidates);
        }
        if (!match)
            return completeWith(QStringLiteral("no match for %1 among %2 result(s) at %3")
                                    .arg(describe(item))
                                    .arg(candidates.size())
                                    .arg(m_provider->name()));
        providerId = candidates.at(match->index).id;
        qCDebug(lcMetadata).noquote()
            << describe(item) << "matched" << m_provider->name() << providerId
            << candidates.at(match->index).title << "score" << match->score;
    }
    if (context.isCancelled())
        return JobResult::cancel(QStringLiteral("cancelled"));

    context.reportProgress(QStringLiteral("details"), 1, 3);
    const auto details = m_provider->details(type, providerId);
    if (!details.ok()) {
        if (details.error().kind == ProviderError::Kind::NotFound)
            return JobResult::cancel(QStringLiteral("not found: %1 %2 %3 (for %4): %5")
                                         .arg(m_provider->name(), type, providerId, describe(item),
                                              details.error().message));
        return fromProviderError(details.error());
    }
    return store(context, item, details.value());
}

JobResult MetadataFetchWorker::fetchEpisode(JobContext &context, const ItemSummary &item)
{
    const QString seriesId = item.seriesExternalIds.value(m_provider->name()).trimmed();
    if (seriesId.isEmpty())
        return completeWith(QStringLiteral("no match: the series of %1 has no %2 id yet")
                                .arg(describe(item), m_provider->name()));
    if (!item.season || !item.episode)
        return completeWith(
            QStringLiteral("no match: %1 has no season/episode number").arg(describe(item)));
    context.reportProgress(QStringLiteral("details"), 1, 3);
    const auto details = m_provider->episode(seriesId, *item.season, *item.episode);
    if (!details.ok()) {
        if (details.error().kind == ProviderError::Kind::NotFound)
            return JobResult::cancel(QStringLiteral("not found: %1 series %2 S%3E%4: %5")
                                         .arg(m_provider->name(), seriesId)
                                         .arg(*item.season)
                                         .arg(*item.episode)
                                         .arg(details.error().message));
        return fromProviderError(details.error());
    }
    return store(context, item, details.value());
}

JobResult MetadataFetchWorker::store(JobContext &context, const ItemSummary &item,
                                     const MediaMetadata &metadata)
{
    if (context.isCancelled())
        return JobResult::cancel(QStringLiteral("cancelled"));
    MetadataWriter writer(m_pool);
    QString error;
    if (!writer.apply(item.ref, metadata, &error))
        return JobResult::error(QStringLiteral("writing %1: %2").arg(describe(item), error));

    // Artwork: the first poster, the first few backdrops, an episode's still. A locked item
    // keeps the artwork the user chose.
    context.reportProgress(QStringLiteral("images"), 2, 3);
    if (item.metadataLocked || !m_jobs)
        return JobResult::complete();
    UniqueOptions unique;
    unique.byArgs = true;
    // Unique only while unfinished: a later refresh may download the same URL again.
    unique.byState = {JobState::Available, JobState::Pending, JobState::Retryable,
                      JobState::Running, JobState::Scheduled};
    QList<InsertParams> jobs;
    int posters = 0;
    int backdrops = 0;
    int thumbs = 0;
    for (const ImageRef &image : metadata.images) {
        if (image.url.isEmpty())
            continue;
        if (image.kind == QLatin1String("poster")     ? posters++ >= 1
            : image.kind == QLatin1String("backdrop") ? backdrops++ >= kMaxBackdrops
            : image.kind == QLatin1String("thumb")    ? thumbs++ >= 1
                                                      : true)
            continue;
        InsertParams p;
        p.kind = QStringLiteral("images.download");
        p.args = {{QStringLiteral("schema"), item.ref.schema},
                  {QStringLiteral("item_type"), item.ref.type},
                  {QStringLiteral("item_id"), item.ref.id},
                  {QStringLiteral("kind"), image.kind},
                  {QStringLiteral("url"), image.url},
                  {QStringLiteral("order"), image.order}};
        p.options.unique = unique;
        jobs << p;
    }
    if (!jobs.isEmpty() && !m_jobs->insertMany(jobs, &error))
        // The metadata is written; a retry writes it again (same values) and enqueues these.
        return JobResult::error(
            QStringLiteral("enqueueing images for %1: %2").arg(describe(item), error));
    context.reportProgress(QStringLiteral("done"), 3, 3,
                           QStringLiteral("%1 image download(s) queued").arg(jobs.size()));
    return JobResult::complete();
}

} // namespace Revenge
