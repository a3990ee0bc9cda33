#include "FakeTmdb.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace Revenge {

namespace {

// Details as /movie/{id}?append_to_response=credits,images,external_ids,release_dates answers
// them (trimmed to the fields a client reads, plus a few it must ignore).
const char *const kMovies[] = {
    R"({"adult":false,"backdrop_path":"/l4QHerTSbMI7qgvasqxP36pqjN6.jpg","belongs_to_collection":{"id":2344,"name":"The Matrix Collection","poster_path":"/bV9qTVHTVf0gkW0j7p7M0ILD4pG.jpg","backdrop_path":"/bRm2DEgUiYciDw3myHuYFInD7la.jpg"},"budget":63000000,"genres":[{"id":28,"name":"Action"},{"id":878,"name":"Science Fiction"}],"homepage":"http://www.warnerbros.com/matrix","id":603,"imdb_id":"tt0133093","original_language":"en","original_title":"The Matrix","overview":"Set in the 22nd century, The Matrix tells the story of a computer hacker who joins a group of underground insurgents fighting the vast and powerful computers who now rule the earth.","popularity":82.31,"poster_path":"/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg","production_companies":[{"id":79,"logo_path":"/at4uYdwAAgNRKhZuuFX8ShKSybw.png","name":"Village Roadshow Pictures","origin_country":"US"}],"release_date":"1999-03-31","revenue":463517383,"runtime":136,"spoken_languages":[{"english_name":"English","iso_639_1":"en","name":"English"}],"status":"Released","tagline":"Welcome to the Real World.","title":"The Matrix","video":false,"vote_average":8.206,"vote_count":24873,
       "credits":{"cast":[{"adult":false,"gender":2,"id":6384,"known_for_department":"Acting","name":"Keanu Reeves","original_name":"Keanu Reeves","popularity":40.1,"profile_path":"/4D0PpNI0kmP58hgrwGC3wCjxhnm.jpg","cast_id":34,"character":"Thomas A. Anderson / Neo","credit_id":"52fe425bc3a36847f80181c1","order":0},{"adult":false,"gender":1,"id":530,"known_for_department":"Acting","name":"Carrie-Anne Moss","original_name":"Carrie-Anne Moss","popularity":20.2,"profile_path":"/xD4jTA3KmVp5Rq3aHcymL9DUGjD.jpg","cast_id":21,"character":"Trinity","credit_id":"52fe425bc3a36847f8018169","order":2},{"adult":false,"gender":2,"id":2975,"known_for_department":"Acting","name":"Laurence Fishburne","original_name":"Laurence Fishburne","popularity":22.5,"profile_path":"/8suOhUmPbfKqDQ17jQ1Gy0mI3P4.jpg","cast_id":20,"character":"Morpheus","credit_id":"52fe425bc3a36847f8018165","order":1},{"adult":false,"gender":2,"id":1331,"known_for_department":"Acting","name":"Hugo Weaving","original_name":"Hugo Weaving","popularity":18.4,"profile_path":"/lSpCZOBZ8pcqJOZMXvEtOQDNkKX.jpg","cast_id":22,"character":"Agent Smith","credit_id":"52fe425bc3a36847f801816d","order":3}],
                  "crew":[{"adult":false,"gender":1,"id":9340,"known_for_department":"Directing","name":"Lana Wachowski","original_name":"Lana Wachowski","popularity":5.1,"profile_path":"/5Vi6FDrV0UR6MSMa5Ny4q0pGtUB.jpg","credit_id":"52fe425bc3a36847f8018177","department":"Directing","job":"Director"},{"adult":false,"gender":1,"id":9339,"known_for_department":"Directing","name":"Lilly Wachowski","original_name":"Lilly Wachowski","popularity":4.3,"profile_path":"/5NkdbHXbuVNXU8WP5wz8gR1hZ5Y.jpg","credit_id":"52fe425bc3a36847f801817d","department":"Directing","job":"Director"},{"adult":false,"gender":1,"id":9340,"known_for_department":"Directing","name":"Lana Wachowski","original_name":"Lana Wachowski","popularity":5.1,"profile_path":"/5Vi6FDrV0UR6MSMa5Ny4q0pGtUB.jpg","credit_id":"52fe425bc3a36847f8018183","department":"Writing","job":"Writer"},{"adult":false,"gender":1,"id":9339,"known_for_department":"Directing","name":"Lilly Wachowski","original_name":"Lilly Wachowski","popularity":4.3,"profile_path":null,"credit_id":"52fe425bc3a36847f8018189","department":"Writing","job":"Writer"},{"adult":false,"gender":2,"id":1091,"known_for_department":"Sound","name":"Don Davis","original_name":"Don Davis","popularity":1.2,"profile_path":null,"credit_id":"52fe425bc3a36847f80181a5","department":"Sound","job":"Original Music Composer"},{"adult":false,"gender":2,"id":1090,"known_for_department":"Camera","name":"Bill Pope","original_name":"Bill Pope","popularity":1.5,"profile_path":null,"credit_id":"52fe425bc3a36847f80181ab","department":"Camera","job":"Director of Photography"}]},
       "images":{"backdrops":[{"aspect_ratio":1.778,"height":2160,"iso_639_1":null,"file_path":"/l4QHerTSbMI7qgvasqxP36pqjN6.jpg","vote_average":5.5,"vote_count":12,"width":3840},{"aspect_ratio":1.778,"height":1080,"iso_639_1":null,"file_path":"/ncEsesgOJDNrTUED89hYbA117wo.jpg","vote_average":5.4,"vote_count":9,"width":1920},{"aspect_ratio":1.778,"height":1080,"iso_639_1":null,"file_path":"/7u3pxc0K1wx32IleAkLv78MKgrw.jpg","vote_average":5.3,"vote_count":5,"width":1920},{"aspect_ratio":1.778,"height":1080,"iso_639_1":"en","file_path":"/icmmSD4vTTDKOq2vvdulafOGw93.jpg","vote_average":5.2,"vote_count":4,"width":1920},{"aspect_ratio":1.778,"height":1080,"iso_639_1":null,"file_path":"/tlm8UkiQsitc8rSuIAscQDCnP8d.jpg","vote_average":5.1,"vote_count":3,"width":1920}],"logos":[{"aspect_ratio":3.5,"height":400,"iso_639_1":"en","file_path":"/hUgaVWSr6kbtJCnQyTzWdcVp9pW.png","vote_average":5.3,"vote_count":4,"width":1400}],"posters":[{"aspect_ratio":0.667,"height":3000,"iso_639_1":"en","file_path":"/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg","vote_average":5.7,"vote_count":20,"width":2000},{"aspect_ratio":0.667,"height":1500,"iso_639_1":"en","file_path":"/aOIuZAjPaRIE6CMzbazvcHuHXDc.jpg","vote_average":5.4,"vote_count":8,"width":1000}]},
       "external_ids":{"imdb_id":"tt0133093","wikidata_id":"Q83495","facebook_id":"TheMatrixMovie","instagram_id":null,"twitter_id":null},
       "release_dates":{"results":[{"iso_3166_1":"DE","release_dates":[{"certification":"16","descriptors":[],"iso_639_1":"","note":"","release_date":"1999-06-17T00:00:00.000Z","type":3}]},{"iso_3166_1":"US","release_dates":[{"certification":"","descriptors":[],"iso_639_1":"","note":"Premiere","release_date":"1999-03-24T00:00:00.000Z","type":1},{"certification":"R","descriptors":[],"iso_639_1":"","note":"","release_date":"1999-03-31T00:00:00.000Z","type":3}]}]}})",
    R"({"adult":false,"backdrop_path":"/7pJYRlPRQj4CvrzgsQspSK0CbjF.jpg","budget":150000000,"genres":[{"id":12,"name":"Adventure"},{"id":28,"name":"Action"},{"id":53,"name":"Thriller"},{"id":878,"name":"Science Fiction"}],"id":604,"imdb_id":"tt0234215","original_language":"en","original_title":"The Matrix Reloaded","overview":"Six months after the events depicted in The Matrix, Neo has proved to be a good omen for the free humans.","popularity":43.2,"poster_path":"/9TGHDvWrqKBzwDxDodHYXEmOE6J.jpg","release_date":"2003-05-15","runtime":138,"status":"Released","tagline":"Free your mind.","title":"The Matrix Reloaded","video":false,"vote_average":7.0,"vote_count":10911,"credits":{"cast":[{"id":6384,"name":"Keanu Reeves","character":"Neo","order":0,"profile_path":"/4D0PpNI0kmP58hgrwGC3wCjxhnm.jpg"}],"crew":[]},"images":{"backdrops":[],"logos":[],"posters":[]},"external_ids":{"imdb_id":"tt0234215"},"release_dates":{"results":[]}})",
    R"({"adult":false,"backdrop_path":"/5xVY6TeM0xtF4VShwFWuspEZ9Fb.jpg","budget":40000000,"genres":[{"id":28,"name":"Action"},{"id":878,"name":"Science Fiction"},{"id":12,"name":"Adventure"}],"id":841,"imdb_id":"tt0087182","original_language":"en","original_title":"Dune","overview":"In the year 10,191, the most precious substance in the universe is the spice Melange.","popularity":30.1,"poster_path":"/a3nHdx8JIVRYRlmC5Nc9q2CtqHx.jpg","release_date":"1984-12-14","runtime":137,"status":"Released","tagline":"A world beyond your experience, beyond your imagination.","title":"Dune","video":false,"vote_average":6.3,"vote_count":2793,"credits":{"cast":[{"id":7,"name":"Kyle MacLachlan","character":"Paul Atreides","order":0,"profile_path":"/2ZSHCxgszb7TBXwY0NSfHrW8iEY.jpg"}],"crew":[{"id":5602,"name":"David Lynch","department":"Directing","job":"Director","profile_path":null},{"id":5602,"name":"David Lynch","department":"Writing","job":"Screenplay","profile_path":null},{"id":22146,"name":"Frank Herbert","department":"Writing","job":"Novel","profile_path":null}]},"images":{"backdrops":[],"logos":[],"posters":[]},"external_ids":{"imdb_id":"tt0087182"},"release_dates":{"results":[{"iso_3166_1":"US","release_dates":[{"certification":"PG-13","descriptors":[],"iso_639_1":"","note":"","release_date":"1984-12-14T00:00:00.000Z","type":3}]}]}})",
    R"({"adult":false,"backdrop_path":"/jYEW5xZkZk2WTrdbMGAPFuBqbDc.jpg","budget":165000000,"genres":[{"id":878,"name":"Science Fiction"},{"id":12,"name":"Adventure"}],"id":438631,"imdb_id":"tt1160419","original_language":"en","original_title":"Dune","overview":"Paul Atreides, a brilliant and gifted young man born into a great destiny beyond his understanding, must travel to the most dangerous planet in the universe.","popularity":120.5,"poster_path":"/d5NXSklXo0qyIYkgV94XAgMIckC.jpg","release_date":"2021-09-15","runtime":155,"status":"Released","tagline":"It begins.","title":"Dune","video":false,"vote_average":7.8,"vote_count":11043,"credits":{"cast":[{"id":1190668,"name":"Timothée Chalamet","character":"Paul Atreides","order":0,"profile_path":"/BE2sdjpgsa2rNTFa66f7upkaOP.jpg"}],"crew":[{"id":137427,"name":"Denis Villeneuve","department":"Directing","job":"Director","profile_path":null}]},"images":{"backdrops":[],"logos":[],"posters":[]},"external_ids":{"imdb_id":"tt1160419"},"release_dates":{"results":[{"iso_3166_1":"US","release_dates":[{"certification":"PG-13","descriptors":[],"iso_639_1":"","note":"","release_date":"2021-10-22T00:00:00.000Z","type":3}]}]}})",
    R"({"adult":false,"backdrop_path":"/8LMtHmLa1SFBHCR6PWDYiAeHMxq.jpg","budget":10000000,"genres":[{"id":35,"name":"Comedy"},{"id":10749,"name":"Romance"}],"id":194,"imdb_id":"tt0211915","original_language":"fr","original_title":"Le Fabuleux Destin d'Amélie Poulain","overview":"At a tiny Parisian café, the adorable yet painfully shy Amélie accidentally discovers a gift for helping others.","popularity":35.7,"poster_path":"/nSxDa3M9aMvGVLoItzWTepQ5h5d.jpg","release_date":"2001-04-25","runtime":122,"status":"Released","tagline":"One person can change your life forever.","title":"Amélie","video":false,"vote_average":7.9,"vote_count":10560,"credits":{"cast":[{"id":3874,"name":"Audrey Tautou","character":"Amélie Poulain","order":0,"profile_path":null}],"crew":[{"id":2419,"name":"Jean-Pierre Jeunet","department":"Directing","job":"Director","profile_path":null}]},"images":{"backdrops":[],"logos":[],"posters":[]},"external_ids":{"imdb_id":"tt0211915"},"release_dates":{"results":[]}})",
};

const char *const kSeries =
    R"({"adult":false,"backdrop_path":"/tsRy63Mu5cu8etL1X7ZLyf7UP1M.jpg","created_by":[{"id":66633,"credit_id":"52542286760ee31328001a7b","name":"Vince Gilligan","original_name":"Vince Gilligan","gender":2,"profile_path":"/z3E0DhBg1V1PZVEtS9vfFPzOWYB.jpg"}],"episode_run_time":[45,47],"first_air_date":"2008-01-20","genres":[{"id":18,"name":"Drama"},{"id":80,"name":"Crime"}],"homepage":"https://www.sonypictures.com/tv/breakingbad","id":1396,"in_production":false,"languages":["en"],"last_air_date":"2013-09-29","name":"Breaking Bad","number_of_episodes":62,"number_of_seasons":5,"origin_country":["US"],"original_language":"en","original_name":"Breaking Bad","overview":"Walter White, a New Mexico chemistry teacher, is diagnosed with Stage III cancer and given a prognosis of only two years left to live.","popularity":300.2,"poster_path":"/ztkUQFLlC19CCMYHW9o1zWhJRNq.jpg","seasons":[{"air_date":"2008-01-20","episode_count":7,"id":3572,"name":"Season 1","overview":"","poster_path":"/1BP4xYv9ZG4ZVHkL7ocOziBbSYH.jpg","season_number":1,"vote_average":8.3}],"status":"Ended","tagline":"Remember my name","type":"Scripted","vote_average":8.9,"vote_count":13411,
       "credits":{"cast":[{"adult":false,"gender":2,"id":17419,"known_for_department":"Acting","name":"Bryan Cranston","original_name":"Bryan Cranston","popularity":50.1,"profile_path":"/7Jahy5LZX2Fo8fGJltMreAI49hC.jpg","character":"Walter White","credit_id":"52542282760ee313280017f9","order":0},{"adult":false,"gender":2,"id":84497,"known_for_department":"Acting","name":"Aaron Paul","original_name":"Aaron Paul","popularity":20.3,"profile_path":"/8Ac9uuoYwZoYVAIJfRLzzLsGGJn.jpg","character":"Jesse Pinkman","credit_id":"52542282760ee31328001845","order":1}],"crew":[]},
       "external_ids":{"imdb_id":"tt0903747","freebase_mid":"/m/03d34x8","freebase_id":"/en/breaking_bad","tvdb_id":81189,"tvrage_id":18164,"wikidata_id":"Q1079","facebook_id":"BreakingBad","instagram_id":"breakingbad","twitter_id":"BreakingBad"},
       "content_ratings":{"results":[{"descriptors":[],"iso_3166_1":"DE","rating":"16"},{"descriptors":[],"iso_3166_1":"US","rating":"TV-MA"}]},
       "images":{"backdrops":[{"aspect_ratio":1.778,"height":1080,"iso_639_1":null,"file_path":"/9faGSFi5jam6pDWGNd0p8JcJgXQ.jpg","vote_average":5.4,"vote_count":6,"width":1920}],"logos":[],"posters":[]}})";

const char *const kEpisode =
    R"({"air_date":"2008-01-20","crew":[{"department":"Directing","job":"Director","credit_id":"52542275760ee313280006ce","adult":false,"gender":2,"id":66633,"known_for_department":"Writing","name":"Vince Gilligan","original_name":"Vince Gilligan","popularity":4.5,"profile_path":"/z3E0DhBg1V1PZVEtS9vfFPzOWYB.jpg"},{"department":"Writing","job":"Writer","credit_id":"52542275760ee3132800068e","adult":false,"gender":2,"id":66633,"known_for_department":"Writing","name":"Vince Gilligan","original_name":"Vince Gilligan","popularity":4.5,"profile_path":"/z3E0DhBg1V1PZVEtS9vfFPzOWYB.jpg"}],"episode_number":1,"guest_stars":[{"character":"Bogdan Wolynetz","credit_id":"52542273760ee31328000676","order":500,"adult":false,"gender":2,"id":92495,"known_for_department":"Acting","name":"Marius Stan","original_name":"Marius Stan","popularity":1.2,"profile_path":"/ikpKlWd7kP0frCxDKbbIXg3Bndt.jpg"}],"name":"Pilot","overview":"When an unassuming high school chemistry teacher discovers he has a rare form of lung cancer, he decides to team up with a former student.","id":62085,"production_code":"","runtime":58,"season_number":1,"still_path":"/ydlY3iPfeOAvu8gVqrxPoMvzNCn.jpg","vote_average":8.1,"vote_count":192,
       "credits":{"cast":[{"character":"Walter White","credit_id":"52542282760ee313280017f9","order":0,"adult":false,"gender":2,"id":17419,"known_for_department":"Acting","name":"Bryan Cranston","original_name":"Bryan Cranston","popularity":50.1,"profile_path":"/7Jahy5LZX2Fo8fGJltMreAI49hC.jpg"}],"crew":[{"department":"Directing","job":"Director","credit_id":"52542275760ee313280006ce","adult":false,"gender":2,"id":66633,"known_for_department":"Writing","name":"Vince Gilligan","original_name":"Vince Gilligan","popularity":4.5,"profile_path":"/z3E0DhBg1V1PZVEtS9vfFPzOWYB.jpg"}],"guest_stars":[{"character":"Bogdan Wolynetz","credit_id":"52542273760ee31328000676","order":500,"adult":false,"gender":2,"id":92495,"known_for_department":"Acting","name":"Marius Stan","original_name":"Marius Stan","popularity":1.2,"profile_path":"/ikpKlWd7kP0frCxDKbbIXg3Bndt.jpg"}]},
       "external_ids":{"imdb_id":"tt0959621","freebase_mid":"/m/03mb620","freebase_id":null,"tvdb_id":349232,"tvrage_id":637041,"wikidata_id":"Q1062383"}})";

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

// TMDb's Content-Type on every answer.
const QByteArray kJsonUtf8 = "application/json;charset=utf-8";

FakeTmdb::Reply errorReply(int status, int code, const QString &message)
{
    const QJsonObject body{{QStringLiteral("status_code"), code},
                           {QStringLiteral("status_message"), message},
                           {QStringLiteral("success"), false}};
    return {status, QJsonDocument(body).toJson(QJsonDocument::Compact), kJsonUtf8, {}};
}

FakeTmdb::Reply ok(const QJsonObject &body)
{
    return {200, QJsonDocument(body).toJson(QJsonDocument::Compact), kJsonUtf8, {}};
}

// Lower-case words without accents, as TMDb's search tokenizer sees them.
QStringList words(const QString &s)
{
    QString folded;
    for (const QChar c : s.normalized(QString::NormalizationForm_D))
        if (c.category() != QChar::Mark_NonSpacing)
            folded += c;
    static const QRegularExpression sep(QStringLiteral("[^\\p{L}\\p{N}]+"));
    return folded.toLower().split(sep, Qt::SkipEmptyParts);
}

bool matches(const QString &query, const QStringList &titles)
{
    const QStringList q = words(query);
    if (q.isEmpty())
        return false;
    for (const QString &t : titles) {
        const QStringList w = words(t);
        if (std::all_of(q.cbegin(), q.cend(), [&](const QString &x) { return w.contains(x); }))
            return true;
    }
    return false;
}

// A search/find result entry: the summary fields of a details object.
QJsonObject movieResult(const QJsonObject &d)
{
    QJsonArray genreIds;
    for (const QJsonValue &g : d.value(QStringLiteral("genres")).toArray())
        genreIds.append(g.toObject().value(QStringLiteral("id")));
    QJsonObject r;
    for (const char *key : {"adult", "backdrop_path", "id", "original_language", "original_title",
                            "overview", "popularity", "poster_path", "release_date", "title",
                            "video", "vote_average", "vote_count"})
        r.insert(QLatin1String(key), d.value(QLatin1String(key)));
    r.insert(QStringLiteral("genre_ids"), genreIds);
    return r;
}

QJsonObject tvResult(const QJsonObject &d)
{
    QJsonArray genreIds;
    for (const QJsonValue &g : d.value(QStringLiteral("genres")).toArray())
        genreIds.append(g.toObject().value(QStringLiteral("id")));
    QJsonObject r;
    for (const char *key : {"adult", "backdrop_path", "id", "origin_country", "original_language",
                            "original_name", "overview", "popularity", "poster_path",
                            "first_air_date", "name", "vote_average", "vote_count"})
        r.insert(QLatin1String(key), d.value(QLatin1String(key)));
    r.insert(QStringLiteral("genre_ids"), genreIds);
    return r;
}

QJsonObject page(const QJsonArray &results)
{
    return {{QStringLiteral("page"), 1},
            {QStringLiteral("results"), results},
            {QStringLiteral("total_pages"), results.isEmpty() ? 0 : 1},
            {QStringLiteral("total_results"), results.size()}};
}

// Keeps only the appended blocks that were asked for, as TMDb does.
QJsonObject withAppended(QJsonObject details, const QString &append, const QStringList &blocks)
{
    const QStringList asked = append.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &b : blocks)
        if (!asked.contains(b))
            details.remove(b);
    return details;
}

} // namespace

FakeTmdb::FakeTmdb()
    : TestHttpServer(QStringLiteral("FakeTmdb"))
{
    m_clock.start();
    start();
}

FakeTmdb::~FakeTmdb()
{
    stop(); // before the members handle() reads go away
}

QString FakeTmdb::baseUrl() const
{
    return url(QStringLiteral("/3"));
}

void FakeTmdb::failNextRequests(int n, int status, int retryAfterSeconds)
{
    QMutexLocker lock(&m_mutex);
    m_failCount = n;
    m_failStatus = status;
    m_failRetryAfter = retryAfterSeconds;
}

void FakeTmdb::sendBadJsonNext(int n)
{
    QMutexLocker lock(&m_mutex);
    m_badJsonCount = n;
}

void FakeTmdb::setRateLimit(double ratePerSecond, int burst)
{
    QMutexLocker lock(&m_mutex);
    m_rate = ratePerSecond;
    m_burst = std::max(1, burst);
    m_tatMs = 0;
}

FakeTmdb::Reply FakeTmdb::handle(const Request &request)
{
    // The log (TestHttpServer's) does not hold this request yet.
    const int requestNumber = requestCount() + 1;
    QMutexLocker lock(&m_mutex);
    Reply reply;
    if (m_rate > 0) {
        // GCRA on the server's clock: admitted when TAT - burst*T <= now.
        const double t = 1000.0 / m_rate;
        const double now = double(m_clock.nsecsElapsed()) / 1e6;
        const double tat = std::max(m_tatMs, now);
        if (tat - now > (m_burst - 1) * t + 1e-6) {
            const int retry = int(std::ceil((tat - now - (m_burst - 1) * t) / 1000.0));
            reply = errorReply(429, 25,
                               QStringLiteral("Your request count (%1) is over the allowed "
                                              "limit of (%2).")
                                   .arg(requestNumber)
                                   .arg(m_burst));
            reply.headers.append({"Retry-After", QByteArray::number(std::max(1, retry))});
        } else {
            m_tatMs = tat + t;
        }
    }
    if (reply.status == 429) {
        // answered above
    } else if (m_failCount > 0) {
        --m_failCount;
        if (m_failStatus == 429)
            reply = errorReply(429, 25,
                               QStringLiteral("Your request count (41) is over the allowed limit "
                                              "of (40)."));
        else if (m_failStatus == 401)
            reply = errorReply(401, 7,
                               QStringLiteral("Invalid API key: You must be granted a valid key."));
        else if (m_failStatus == 404)
            reply = errorReply(404, 34,
                               QStringLiteral("The resource you requested could not be found."));
        else
            reply = errorReply(m_failStatus, 11,
                               QStringLiteral("Internal error: Something went "
                                              "wrong, contact TMDb."));
        if (m_failRetryAfter >= 0)
            reply.headers.append({"Retry-After", QByteArray::number(m_failRetryAfter)});
    } else if (m_badJsonCount > 0) {
        --m_badJsonCount;
        reply = {200, "{\"page\":1,\"results\":[{\"id\":603,\"title\":\"The Ma", kJsonUtf8, {}};
    } else {
        reply = route(request);
    }
    return reply;
}

FakeTmdb::Reply FakeTmdb::route(const Request &request)
{
    const QByteArray auth = request.headers.value("authorization");
    const bool authorized =
        request.params.value(QStringLiteral("api_key")) == QLatin1String(kApiKey) ||
        auth == QByteArray("Bearer ") + kBearerToken;
    if (!authorized)
        return errorReply(401, 7,
                          QStringLiteral("Invalid API key: You must be granted a valid key."));
    const Reply notFound =
        errorReply(404, 34, QStringLiteral("The resource you requested could not be found."));
    if (!request.path.startsWith(QLatin1String("/3/")))
        return notFound;
    const QString path = request.path.mid(2);
    const QString append = request.params.value(QStringLiteral("append_to_response"));

    QList<QJsonObject> movies;
    for (const char *m : kMovies)
        movies << parse(m);
    const QJsonObject series = parse(kSeries);

    static const QRegularExpression movieRe(QStringLiteral("^/movie/(\\d+)$"));
    static const QRegularExpression tvRe(QStringLiteral("^/tv/(\\d+)$"));
    static const QRegularExpression episodeRe(
        QStringLiteral("^/tv/(\\d+)/season/(\\d+)/episode/(\\d+)$"));
    static const QRegularExpression findRe(QStringLiteral("^/find/([^/]+)$"));

    if (path == QLatin1String("/search/movie")) {
        const QString query = request.params.value(QStringLiteral("query"));
        if (query.trimmed().isEmpty())
            return errorReply(422, 47, QStringLiteral("The input is not valid."));
        const QString year = request.params.value(QStringLiteral("year"));
        QList<QJsonObject> hits;
        for (const QJsonObject &m : movies) {
            if (!matches(query, {m.value(QStringLiteral("title")).toString(),
                                 m.value(QStringLiteral("original_title")).toString()}))
                continue;
            if (!year.isEmpty() &&
                !m.value(QStringLiteral("release_date")).toString().startsWith(year))
                continue;
            hits << m;
        }
        std::stable_sort(hits.begin(), hits.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return a.value(QStringLiteral("popularity")).toDouble() >
                   b.value(QStringLiteral("popularity")).toDouble();
        });
        QJsonArray results;
        for (const QJsonObject &m : hits)
            results.append(movieResult(m));
        return ok(page(results));
    }
    if (path == QLatin1String("/search/tv")) {
        const QString query = request.params.value(QStringLiteral("query"));
        if (query.trimmed().isEmpty())
            return errorReply(422, 47, QStringLiteral("The input is not valid."));
        const QString year = request.params.value(QStringLiteral("first_air_date_year"));
        QJsonArray results;
        if (matches(query, {series.value(QStringLiteral("name")).toString()}) &&
            (year.isEmpty() ||
             series.value(QStringLiteral("first_air_date")).toString().startsWith(year)))
            results.append(tvResult(series));
        return ok(page(results));
    }
    if (const auto m = movieRe.match(path); m.hasMatch()) {
        for (const QJsonObject &movie : movies)
            if (movie.value(QStringLiteral("id")).toInt() == m.captured(1).toInt())
                return ok(withAppended(movie, append,
                                       {QStringLiteral("credits"), QStringLiteral("images"),
                                        QStringLiteral("external_ids"),
                                        QStringLiteral("release_dates")}));
        return notFound;
    }
    if (const auto m = tvRe.match(path); m.hasMatch()) {
        if (m.captured(1).toInt() != series.value(QStringLiteral("id")).toInt())
            return notFound;
        return ok(
            withAppended(series, append,
                         {QStringLiteral("credits"), QStringLiteral("images"),
                          QStringLiteral("external_ids"), QStringLiteral("content_ratings")}));
    }
    if (const auto m = episodeRe.match(path); m.hasMatch()) {
        if (m.captured(1).toInt() != 1396 || m.captured(2).toInt() != 1 ||
            m.captured(3).toInt() != 1)
            return notFound;
        return ok(withAppended(parse(kEpisode), append,
                               {QStringLiteral("credits"), QStringLiteral("external_ids")}));
    }
    if (const auto m = findRe.match(path); m.hasMatch()) {
        const QString source = request.params.value(QStringLiteral("external_source"));
        if (source.isEmpty())
            return errorReply(400, 5,
                              QStringLiteral("Invalid parameters: Your request parameters "
                                             "are incorrect."));
        QJsonArray movieResults;
        QJsonArray tvResults;
        if (source == QLatin1String("imdb_id")) {
            for (const QJsonObject &movie : movies)
                if (movie.value(QStringLiteral("imdb_id")).toString() == m.captured(1))
                    movieResults.append(movieResult(movie));
            if (series.value(QStringLiteral("external_ids"))
                    .toObject()
                    .value(QStringLiteral("imdb_id"))
                    .toString() == m.captured(1))
                tvResults.append(tvResult(series));
        }
        return ok({{QStringLiteral("movie_results"), movieResults},
                   {QStringLiteral("person_results"), QJsonArray()},
                   {QStringLiteral("tv_results"), tvResults},
                   {QStringLiteral("tv_episode_results"), QJsonArray()},
                   {QStringLiteral("tv_season_results"), QJsonArray()}});
    }
    return notFound;
}

} // namespace Revenge
