#include "FakeTmdb.h"
#include "JobTestSupport.h"
#include "TestPostgres.h"
#include "db/DatabasePool.h"
#include "db/Migrator.h"
#include "db/PgQuery.h"
#include "jobs/JobClient.h"
#include "jobs/JobExecutor.h"
#include "jobs/workers/MetadataFetchWorker.h"
#include "jobs/workers/MetadataRefreshWorker.h"
#include "library/metadata/TmdbProvider.h"

#include <QJsonArray>
#include <QtTest>

using namespace Revenge;
using namespace Revenge::Test;
using namespace std::chrono_literals;

// metadata.fetch and metadata.refresh on a real PostgreSQL, against FakeTmdb: fields written,
// images.download queued, and each failure class turned into the right job outcome.
class TestMetadataFetch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void movieIsMatchedWrittenAndImagesQueued();
    void remakeByYearAndKnownIds();
    void seriesAndEpisode();
    void outcomes();
    void badArguments();
    void snoozeThroughTheExecutor();
    void refreshEnqueuesDueItems();

private:
    bool sql(const QByteArray &statement);
    QString scalar(const QByteArray &query);
    QString insertMovie(const QString &title, const QString &year, const QString &extra = {});
    JobResult run(MetadataFetchWorker &worker, const QString &type, const QString &id);
    std::shared_ptr<MetadataFetchWorker>
    worker(const QString &key = QString::fromLatin1(FakeTmdb::kApiKey));

    TestPostgres m_pg;
    std::shared_ptr<DatabasePool> m_pool;
    std::shared_ptr<JobClient> m_jobs;
    std::unique_ptr<FakeTmdb> m_fake;
    QString m_library;
    int m_movies = 0;
};

void TestMetadataFetch::initTestCase()
{
    QString error;
    QVERIFY2(m_pg.start(&error), qPrintable(error));
    m_pool = std::make_shared<DatabasePool>(m_pg.createDatabase(QStringLiteral("metadata")), 4);
    {
        auto lease = m_pool->acquire();
        QVERIFY2(Migrator(lease->db()).up(&error), qPrintable(error));
    }
    m_jobs = std::make_shared<JobClient>(m_pool);
    m_fake = std::make_unique<FakeTmdb>();
    QVERIFY(sql("INSERT INTO shared.libraries (name, type, paths) VALUES "
                "('Films', 'movies', ARRAY['/media/films']), "
                "('Shows', 'tvshows', ARRAY['/media/shows']), "
                "('Old', 'movies', ARRAY['/media/old'])"));
    m_library = scalar("SELECT id FROM shared.libraries WHERE name = 'Films'");
}

void TestMetadataFetch::init()
{
    m_fake->resetRequests();
    m_fake->failNextRequests(0, 200);
    m_fake->sendBadJsonNext(0);
    QVERIFY(sql("DELETE FROM jobs.job"));
}

bool TestMetadataFetch::sql(const QByteArray &statement)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), statement);
    if (!r.ok())
        qWarning().noquote() << statement << "->" << r.error();
    return r.ok();
}

QString TestMetadataFetch::scalar(const QByteArray &query)
{
    auto lease = m_pool->acquire();
    const PgResult r = pgExec(lease->db(), query);
    if (!r.ok() || r.rows() == 0) {
        qWarning().noquote() << query << "->" << r.error();
        return {};
    }
    return r.text(0, 0);
}

QString TestMetadataFetch::insertMovie(const QString &title, const QString &year,
                                       const QString &extra)
{
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString statement =
        QStringLiteral("INSERT INTO media.movies (id, library_id, title, year%1) VALUES ('%2', "
                       "'%3', '%4', %5%6)")
            .arg(extra.isEmpty() ? QString() : QStringLiteral(", external_ids"), id, m_library,
                 QString(title).replace(QLatin1Char('\''), QLatin1String("''")), year,
                 extra.isEmpty() ? QString() : QStringLiteral(", '%1'").arg(extra));
    return sql(statement.toUtf8()) ? id : QString();
}

std::shared_ptr<MetadataFetchWorker> TestMetadataFetch::worker(const QString &key)
{
    TmdbSettings s;
    s.baseUrl = m_fake->baseUrl();
    s.apiKey = key;
    s.requestsPerSecond = 1000;
    s.burst = 1000;
    s.timeoutMs = 5000;
    auto provider = std::make_shared<TmdbProvider>(s, nullptr, nullptr);
    return std::make_shared<MetadataFetchWorker>(m_pool, provider, m_jobs);
}

JobResult TestMetadataFetch::run(MetadataFetchWorker &worker, const QString &type,
                                 const QString &id)
{
    Job job;
    job.id = 1;
    job.kind = QStringLiteral("metadata.fetch");
    job.args = MetadataFetchWorker::args(QStringLiteral("media"), type, id);
    JobContext context(job, std::make_shared<CancellationToken>(), {});
    return worker.work(context);
}

void TestMetadataFetch::movieIsMatchedWrittenAndImagesQueued()
{
    const QString id = insertMovie(QStringLiteral("The Matrix"), QStringLiteral("1999"));
    QVERIFY(!id.isEmpty());
    auto w = worker();
    const JobResult r = run(*w, QStringLiteral("movie"), id);
    QCOMPARE(r.kind, JobResult::Kind::Complete);

    const QByteArray where = "FROM media.movies WHERE id = '" + id.toUtf8() + "'";
    QCOMPARE(scalar("SELECT external_ids->>'tmdb' " + where), QStringLiteral("603"));
    QCOMPARE(scalar("SELECT external_ids->>'imdb' " + where), QStringLiteral("tt0133093"));
    QCOMPARE(scalar("SELECT runtime_minutes " + where), QStringLiteral("136"));
    QCOMPARE(scalar("SELECT tagline " + where), QStringLiteral("Welcome to the Real World."));
    QCOMPARE(scalar("SELECT content_rating " + where), QStringLiteral("R"));
    QCOMPARE(scalar("SELECT community_rating " + where), QStringLiteral("8.2"));
    QVERIFY(scalar("SELECT overview " + where).startsWith(QLatin1String("Set in the 22nd")));
    QCOMPARE(scalar("SELECT count(*) FROM media.credits WHERE item_id = '" + id.toUtf8() +
                    "' AND role = 'actor'"),
             QStringLiteral("4"));
    QCOMPARE(scalar("SELECT count(*) FROM media.credits WHERE item_id = '" + id.toUtf8() +
                    "' AND role = 'director'"),
             QStringLiteral("2"));

    // Poster + three backdrops, with the documented args.
    auto jobs = m_jobs->list({{}, {}, QStringLiteral("images.download"), 100, 0});
    QVERIFY(jobs);
    QCOMPARE(jobs->size(), 4);
    int posters = 0;
    int backdrops = 0;
    for (const Job &j : *jobs) {
        QCOMPARE(j.args.value(QStringLiteral("schema")).toString(), QStringLiteral("media"));
        QCOMPARE(j.args.value(QStringLiteral("item_type")).toString(), QStringLiteral("movie"));
        QCOMPARE(j.args.value(QStringLiteral("item_id")).toString(), id);
        QVERIFY(j.args.value(QStringLiteral("url"))
                    .toString()
                    .startsWith(QLatin1String("https://image.tmdb.org/t/p/original/")));
        QVERIFY(j.args.contains(QStringLiteral("order")));
        const QString kind = j.args.value(QStringLiteral("kind")).toString();
        if (kind == QLatin1String("poster")) {
            ++posters;
            QCOMPARE(j.args.value(QStringLiteral("url")).toString(),
                     QStringLiteral(
                         "https://image.tmdb.org/t/p/original/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg"));
        } else {
            QCOMPARE(kind, QStringLiteral("backdrop"));
            ++backdrops;
        }
    }
    QCOMPARE(posters, 1);
    QCOMPARE(backdrops, 3);

    // Again: the id is known now (no search), and the queued downloads are not duplicated.
    m_fake->resetRequests();
    QCOMPARE(run(*w, QStringLiteral("movie"), id).kind, JobResult::Kind::Complete);
    QCOMPARE(m_fake->requestCount(), 1);
    QCOMPARE(m_fake->lastRequest().path, QStringLiteral("/3/movie/603"));
    QCOMPARE(m_jobs->list({{}, {}, QStringLiteral("images.download"), 100, 0})->size(), 4);
}

void TestMetadataFetch::remakeByYearAndKnownIds()
{
    auto w = worker();
    const QString old = insertMovie(QStringLiteral("Dune"), QStringLiteral("1984"));
    const QString recent = insertMovie(QStringLiteral("Dune"), QStringLiteral("2021"));
    QCOMPARE(run(*w, QStringLiteral("movie"), old).kind, JobResult::Kind::Complete);
    QCOMPARE(run(*w, QStringLiteral("movie"), recent).kind, JobResult::Kind::Complete);
    QCOMPARE(
        scalar("SELECT external_ids->>'tmdb' FROM media.movies WHERE id = '" + old.toUtf8() + "'"),
        QStringLiteral("841"));
    QCOMPARE(scalar("SELECT external_ids->>'tmdb' FROM media.movies WHERE id = '" +
                    recent.toUtf8() + "'"),
             QStringLiteral("438631"));

    // A file year off by one: the year-filtered search finds nothing, the wider one matches.
    const QString offByOne = insertMovie(QStringLiteral("Amelie"), QStringLiteral("2002"));
    QCOMPARE(run(*w, QStringLiteral("movie"), offByOne).kind, JobResult::Kind::Complete);
    QCOMPARE(scalar("SELECT external_ids->>'tmdb' FROM media.movies WHERE id = '" +
                    offByOne.toUtf8() + "'"),
             QStringLiteral("194"));

    // An IMDb id (e.g. from an NFO) is used through /find.
    m_fake->resetRequests();
    const QString byImdb = insertMovie(QStringLiteral("Some file name"), QStringLiteral("NULL"),
                                       QStringLiteral("{\"imdb\": \"tt0234215\"}"));
    QCOMPARE(run(*w, QStringLiteral("movie"), byImdb).kind, JobResult::Kind::Complete);
    QCOMPARE(m_fake->requests().first().path, QStringLiteral("/3/find/tt0234215"));
    QCOMPARE(scalar("SELECT title FROM media.movies WHERE id = '" + byImdb.toUtf8() + "'"),
             QStringLiteral("The Matrix Reloaded"));
}

void TestMetadataFetch::seriesAndEpisode()
{
    const QString shows = scalar("SELECT id FROM shared.libraries WHERE name = 'Shows'");
    const QString series = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QVERIFY(sql(QStringLiteral("INSERT INTO media.series (id, library_id, title, year) VALUES "
                               "('%1', '%2', 'Breaking Bad', 2008)")
                    .arg(series, shows)
                    .toUtf8()));
    auto w = worker();
    const JobResult r = run(*w, QStringLiteral("series"), series);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    const QByteArray where = "FROM media.series WHERE id = '" + series.toUtf8() + "'";
    QCOMPARE(scalar("SELECT external_ids->>'tmdb' " + where), QStringLiteral("1396"));
    QCOMPARE(scalar("SELECT external_ids->>'tvdb' " + where), QStringLiteral("81189"));
    QCOMPARE(scalar("SELECT content_rating " + where), QStringLiteral("TV-MA"));
    QCOMPARE(scalar("SELECT count(*) FROM media.credits WHERE item_id = '" + series.toUtf8() +
                    "' AND role = 'creator'"),
             QStringLiteral("1"));
}

void TestMetadataFetch::outcomes()
{
    auto w = worker();
    const QString matrix = insertMovie(QStringLiteral("The Matrix"), QStringLiteral("1999"),
                                       QStringLiteral("{\"tmdb\": \"603\"}"));

    // 429 -> snoozed 5 minutes, or the server's Retry-After when longer.
    m_fake->failNextRequests(1, 429, 2);
    JobResult r = run(*w, QStringLiteral("movie"), matrix);
    QCOMPARE(r.kind, JobResult::Kind::Snooze);
    QCOMPARE(r.snooze, std::chrono::milliseconds(5min));
    m_fake->failNextRequests(1, 429, 900);
    r = run(*w, QStringLiteral("movie"), matrix);
    QCOMPARE(r.kind, JobResult::Kind::Snooze);
    QCOMPARE(r.snooze, std::chrono::milliseconds(900s));

    // A known id that TMDb no longer has -> cancelled.
    const QString gone = insertMovie(QStringLiteral("Gone"), QStringLiteral("2000"),
                                     QStringLiteral("{\"tmdb\": \"999999\"}"));
    r = run(*w, QStringLiteral("movie"), gone);
    QCOMPARE(r.kind, JobResult::Kind::Cancel);
    QVERIFY2(r.message.startsWith(QLatin1String("not found")), qPrintable(r.message));
    QVERIFY(r.message.contains(QLatin1String("999999")));

    // Rejected key -> discarded, saying which setting.
    auto wrongKey = worker(QStringLiteral("not-the-key"));
    r = run(*wrongKey, QStringLiteral("movie"), matrix);
    QCOMPARE(r.kind, JobResult::Kind::Discard);
    QVERIFY2(r.message.contains(QLatin1String("metadata.api_key rejected")), qPrintable(r.message));

    // Bad JSON, 5xx -> error (retried with backoff).
    m_fake->sendBadJsonNext(1);
    r = run(*w, QStringLiteral("movie"), matrix);
    QCOMPARE(r.kind, JobResult::Kind::Error);
    QVERIFY(r.message.contains(QLatin1String("invalid JSON")));
    m_fake->failNextRequests(1, 503);
    r = run(*w, QStringLiteral("movie"), matrix);
    QCOMPARE(r.kind, JobResult::Kind::Error);

    // Turned off -> completed, no request.
    m_fake->resetRequests();
    auto off = worker(QString());
    r = run(*off, QStringLiteral("movie"), matrix);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    QVERIFY2(r.message.contains(QLatin1String("remote metadata disabled")), qPrintable(r.message));
    QCOMPARE(m_fake->requestCount(), 0);

    // Nothing that matches -> completed with "no match", nothing written.
    const QString unknown =
        insertMovie(QStringLiteral("Zzyzx Nonexistent Picture"), QStringLiteral("1977"));
    r = run(*w, QStringLiteral("movie"), unknown);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    QVERIFY2(r.message.startsWith(QLatin1String("no match")), qPrintable(r.message));
    QCOMPARE(
        scalar("SELECT external_ids::text FROM media.movies WHERE id = '" + unknown.toUtf8() + "'"),
        QStringLiteral("{}"));
    // Only the remake from another year: not a match either.
    const QString wrongYear =
        insertMovie(QStringLiteral("The Matrix Reloaded"), QStringLiteral("1960"));
    QVERIFY(
        run(*w, QStringLiteral("movie"), wrongYear).message.startsWith(QLatin1String("no match")));

    // The item was deleted meanwhile -> cancelled.
    r = run(*w, QStringLiteral("movie"), QUuid::createUuid().toString(QUuid::WithoutBraces));
    QCOMPARE(r.kind, JobResult::Kind::Cancel);
    QVERIFY2(r.message.contains(QLatin1String("not found")), qPrintable(r.message));
}

void TestMetadataFetch::badArguments()
{
    auto w = worker();
    auto runArgs = [&](const QJsonObject &args) {
        Job job;
        job.kind = QStringLiteral("metadata.fetch");
        job.args = args;
        JobContext context(job, std::make_shared<CancellationToken>(), {});
        return w->work(context);
    };
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    JobResult r =
        runArgs(MetadataFetchWorker::args(QStringLiteral("c"), QStringLiteral("movie"), id));
    QCOMPARE(r.kind, JobResult::Kind::Discard);
    QVERIFY(r.message.contains(QLatin1String("schema")));
    r = runArgs(
        MetadataFetchWorker::args(QStringLiteral("media"), QStringLiteral("music_track"), id));
    QCOMPARE(r.kind, JobResult::Kind::Discard);
    QVERIFY(r.message.contains(QLatin1String("item_type")));
    r = runArgs(MetadataFetchWorker::args(QStringLiteral("media"), QStringLiteral("movie"),
                                          QStringLiteral("'; DROP TABLE media.movies; --")));
    QCOMPARE(r.kind, JobResult::Kind::Discard);
    QVERIFY(r.message.contains(QLatin1String("item_id")));
    r = runArgs({});
    QCOMPARE(r.kind, JobResult::Kind::Discard);
    QCOMPARE(m_fake->requestCount(), 0);
}

void TestMetadataFetch::snoozeThroughTheExecutor()
{
    // The whole path: a queued job, the executor, a 429 -> the job waits ~5 minutes, uncounted.
    const QString id = insertMovie(QStringLiteral("The Matrix"), QStringLiteral("1999"),
                                   QStringLiteral("{\"tmdb\": \"603\"}"));
    ExecutorOptions options;
    options.queues = {{QStringLiteral("default"), 1}};
    JobExecutor executor(m_pool, options);
    executor.registerWorker(worker());
    QString error;
    QVERIFY2(executor.start(&error), qPrintable(error));
    m_fake->failNextRequests(1, 429, 1);
    const auto inserted = m_jobs->insert(
        QStringLiteral("metadata.fetch"),
        MetadataFetchWorker::args(QStringLiteral("media"), QStringLiteral("movie"), id));
    QVERIFY(inserted);
    const auto job = waitForJobState(*m_jobs, inserted->job.id, JobState::Scheduled, 15000);
    QVERIFY(job);
    QVERIFY(job->scheduledAt > QDateTime::currentDateTimeUtc().addSecs(4 * 60));
    QCOMPARE(m_fake->count(429), 1);

    // Available again (as after the snooze): it completes and queues the artwork.
    QVERIFY(m_jobs->retry(inserted->job.id));
    QVERIFY(waitForJobState(*m_jobs, inserted->job.id, JobState::Completed, 15000));
    executor.stop();
    QVERIFY(m_jobs->list({{}, {}, QStringLiteral("images.download"), 100, 0})->size() >= 1);
}

void TestMetadataFetch::refreshEnqueuesDueItems()
{
    QVERIFY(sql("DELETE FROM media.movies"));
    QVERIFY(sql("DELETE FROM media.series"));
    const QString fresh = insertMovie(QStringLiteral("Fresh"), QStringLiteral("2000"),
                                      QStringLiteral("{\"tmdb\": \"1\"}"));
    const QString never = insertMovie(QStringLiteral("Never fetched"), QStringLiteral("2000"));
    const QString stale = insertMovie(QStringLiteral("Stale"), QStringLiteral("2000"),
                                      QStringLiteral("{\"tmdb\": \"2\"}"));
    QVERIFY(sql("UPDATE media.movies SET updated_at = now() - interval '60 days' WHERE id = '" +
                stale.toUtf8() + "'"));
    // The touch trigger may have reset it: force it past the trigger if so.
    if (scalar("SELECT updated_at < now() - interval '59 days' FROM media.movies WHERE id = '" +
               stale.toUtf8() + "'") != QLatin1String("t")) {
        QVERIFY(sql("ALTER TABLE media.movies DISABLE TRIGGER movies_touch_updated_at"));
        QVERIFY(sql("UPDATE media.movies SET updated_at = now() - interval '60 days' WHERE id = '" +
                    stale.toUtf8() + "'"));
        QVERIFY(sql("ALTER TABLE media.movies ENABLE TRIGGER movies_touch_updated_at"));
    }
    // A movie in a disabled library is left alone.
    const QString oldLib = scalar("SELECT id FROM shared.libraries WHERE name = 'Old'");
    QVERIFY(sql("UPDATE shared.libraries SET enabled = false WHERE name = 'Old'"));
    QVERIFY(sql(QStringLiteral("INSERT INTO media.movies (library_id, title) VALUES ('%1', 'Off')")
                    .arg(oldLib)
                    .toUtf8()));
    const QString shows = scalar("SELECT id FROM shared.libraries WHERE name = 'Shows'");
    QVERIFY(
        sql(QStringLiteral("INSERT INTO media.series (library_id, title) VALUES ('%1', 'A Show')")
                .arg(shows)
                .toUtf8()));

    MetadataRefreshWorker::Options options;
    options.batchSize = 2; // several insertMany batches
    MetadataRefreshWorker refresh(m_pool, m_jobs, options);
    Job job;
    job.kind = QStringLiteral("metadata.refresh");
    JobContext context(job, std::make_shared<CancellationToken>(), {});
    JobResult r = refresh.work(context);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    QCOMPARE(r.message, QStringLiteral("3 queued, 0 already queued"));
    auto jobs = m_jobs->list({{}, {}, QStringLiteral("metadata.fetch"), 100, 0});
    QVERIFY(jobs);
    QSet<QString> ids;
    for (const Job &j : *jobs) {
        QCOMPARE(j.args.value(QStringLiteral("schema")).toString(), QStringLiteral("media"));
        QCOMPARE(j.queue, QStringLiteral("low"));
        ids.insert(j.args.value(QStringLiteral("item_id")).toString());
    }
    QCOMPARE(ids.size(), 3);
    QVERIFY(ids.contains(never));
    QVERIFY(ids.contains(stale));
    QVERIFY(!ids.contains(fresh));

    // Overlapping runs do not queue an item twice; the limit caps a run.
    r = refresh.work(context);
    QCOMPARE(r.message, QStringLiteral("0 queued, 3 already queued"));
    Job limited;
    limited.kind = QStringLiteral("metadata.refresh");
    limited.args = {{QStringLiteral("limit"), 1}, {QStringLiteral("stale_days"), 0}};
    JobContext limitedContext(limited, std::make_shared<CancellationToken>(), {});
    r = refresh.work(limitedContext);
    QCOMPARE(r.kind, JobResult::Kind::Complete);
    QCOMPARE(r.message, QStringLiteral("0 queued, 1 already queued")); // never-fetched first

    Job bad;
    bad.kind = QStringLiteral("metadata.refresh");
    bad.args = {{QStringLiteral("limit"), QStringLiteral("lots")}};
    JobContext badContext(bad, std::make_shared<CancellationToken>(), {});
    QCOMPARE(refresh.work(badContext).kind, JobResult::Kind::Discard);
}

QTEST_GUILESS_MAIN(TestMetadataFetch)
#include "tst_metadatafetch.moc"
