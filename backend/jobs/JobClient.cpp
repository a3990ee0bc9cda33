#include "JobClient.h"

#include "core/Logging.h"
#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QSet>

namespace Revenge {

namespace {

QByteArray compact(const QJsonValue &v)
{
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    return {};
}

QDateTime fromEpochMs(const PgResult &r, int row, int col)
{
    return r.isNull(row, col) ? QDateTime()
                              : QDateTime::fromMSecsSinceEpoch(r.toInt(row, col), Qt::UTC);
}

QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

// Runs `fn` on this thread's pooled connection.
template<typename Fn>
auto withConnection(DatabasePool &pool, QString *error, Fn fn)
    -> decltype(fn(std::declval<QSqlDatabase &>()))
{
    QString e;
    auto lease = pool.acquire(5000, &e);
    if (!lease) {
        if (error)
            *error = e;
        return {};
    }
    return fn(lease->db());
}

const QString kColumnsTemplate =
    QStringLiteral("%1id, %1state::text, %1attempt, %1max_attempts, %1priority, %1queue, %1kind, "
                   "%1args, %1metadata, "
                   "%1errors, to_jsonb(%1attempted_by), to_jsonb(%1tags), "
                   "(extract(epoch FROM %1scheduled_at) * 1000)::bigint, (extract(epoch FROM "
                   "%1attempted_at) * 1000)::bigint, "
                   "(extract(epoch FROM %1created_at) * 1000)::bigint, (extract(epoch FROM "
                   "%1finalized_at) * 1000)::bigint");

QByteArray columns(const char *alias = "")
{
    return kColumnsTemplate.arg(QLatin1String(alias)).toUtf8();
}

} // namespace

JobClient::JobClient(std::shared_ptr<DatabasePool> pool)
    : m_pool(std::move(pool))
{}

const char *JobClient::jobColumns()
{
    static const QByteArray c = columns();
    return c.constData();
}

Job JobClient::jobFromRow(const PgResult &r, int row)
{
    Job j;
    j.id = r.toInt(row, 0);
    j.state = jobStateFromName(r.text(row, 1)).value_or(JobState::Available);
    j.attempt = int(r.toInt(row, 2));
    j.maxAttempts = int(r.toInt(row, 3));
    j.priority = int(r.toInt(row, 4));
    j.queue = r.text(row, 5);
    j.kind = r.text(row, 6);
    j.args = QJsonDocument::fromJson(r.bytes(row, 7)).object();
    j.metadata = QJsonDocument::fromJson(r.bytes(row, 8)).object();
    j.errors = QJsonDocument::fromJson(r.bytes(row, 9)).array();
    for (const QJsonValue &v : QJsonDocument::fromJson(r.bytes(row, 10)).array())
        j.attemptedBy << v.toString();
    for (const QJsonValue &v : QJsonDocument::fromJson(r.bytes(row, 11)).array())
        j.tags << v.toString();
    j.scheduledAt = fromEpochMs(r, row, 12);
    j.attemptedAt = fromEpochMs(r, row, 13);
    j.createdAt = fromEpochMs(r, row, 14);
    j.finalizedAt = fromEpochMs(r, row, 15);
    return j;
}

QByteArray JobClient::uniqueStates(const UniqueOptions &unique)
{
    QList<JobState> states = unique.byState;
    if (states.isEmpty())
        states = {JobState::Available, JobState::Completed, JobState::Pending,
                  JobState::Retryable, JobState::Running,   JobState::Scheduled};
    QByteArray bits("00000000");
    for (JobState s : states)
        bits[7 - int(s)] = '1'; // matches jobs.state_bit(): the enum order
    return bits;
}

QByteArray JobClient::uniqueKey(const QString &kind, const QJsonObject &args,
                                const InsertOptions &options, const QDateTime &now)
{
    if (!options.unique)
        return {};
    const UniqueOptions &u = *options.unique;
    QByteArray material = "kind=" + kind.toUtf8();
    if (u.byArgs)
        material += "&args=" + compact(args); // QJsonObject keeps keys sorted: canonical
    if (u.byPeriod.count() > 0) {
        const QDateTime at = options.scheduledAt.isValid() ? options.scheduledAt : now;
        material += "&period=" + QByteArray::number(at.toSecsSinceEpoch() / u.byPeriod.count());
    }
    if (u.byQueue)
        material += "&queue=" + options.queue.toUtf8();
    if (!u.extra.isEmpty())
        material += "&extra=" + u.extra.toUtf8();
    return QCryptographicHash::hash(material, QCryptographicHash::Sha256);
}

std::optional<InsertResult> JobClient::insert(const QString &kind, const QJsonObject &args,
                                              const InsertOptions &options, QString *error)
{
    return withConnection(
        *m_pool, error, [&](QSqlDatabase &db) { return insertTx(db, kind, args, options, error); });
}

std::optional<InsertResult> JobClient::insertTx(QSqlDatabase &db, const QString &kind,
                                                const QJsonObject &args,
                                                const InsertOptions &options, QString *error)
{
    auto results = insertManyTx(db, {{kind, args, options}}, error);
    if (!results)
        return std::nullopt;
    return results->first();
}

std::optional<QList<InsertResult>> JobClient::insertMany(const QList<InsertParams> &jobs,
                                                         QString *error)
{
    return withConnection(*m_pool, error,
                          [&](QSqlDatabase &db) { return insertManyTx(db, jobs, error); });
}

std::optional<QList<InsertResult>>
JobClient::insertManyTx(QSqlDatabase &db, const QList<InsertParams> &jobs, QString *error)
{
    QList<InsertResult> results;
    if (jobs.isEmpty())
        return results;
    const QDateTime now = QDateTime::currentDateTimeUtc();

    // Validate everything before touching the database: a bad job fails the whole batch.
    QByteArray payload;
    payload.reserve(jobs.size() * 160);
    payload += '[';
    QHash<QByteArray, int> firstWithKey;   // unique key -> index in `sent`
    QList<int> sentIndex(jobs.size(), -1); // input -> row in the statement's output
    QList<int> duplicateOf(jobs.size(), -1);
    int sent = 0;
    for (int i = 0; i < jobs.size(); ++i) {
        const InsertParams &p = jobs.at(i);
        const InsertOptions &o = p.options;
        QString problem;
        if (p.kind.isEmpty() || p.kind.size() > 128)
            problem = QStringLiteral("kind must be 1-128 characters");
        else if (o.queue.isEmpty() || o.queue.size() > 128)
            problem = QStringLiteral("queue must be 1-128 characters");
        else if (o.priority < 1 || o.priority > 4)
            problem = QStringLiteral("priority %1 is out of range 1-4").arg(o.priority);
        else if (o.maxAttempts < 1 || o.maxAttempts > 10000)
            problem = QStringLiteral("max_attempts %1 is out of range 1-10000").arg(o.maxAttempts);
        if (!problem.isEmpty()) {
            if (error)
                *error = QStringLiteral("job %1 (%2): %3").arg(i).arg(p.kind, problem);
            return std::nullopt;
        }
        const QByteArray key = uniqueKey(p.kind, p.args, o, now);
        if (!key.isEmpty()) {
            if (auto it = firstWithKey.find(key); it != firstWithKey.end()) {
                duplicateOf[i] = it.value();
                continue;
            }
            firstWithKey.insert(key, i);
        }
        QJsonObject row{{QStringLiteral("kind"), p.kind},
                        {QStringLiteral("args"), p.args},
                        {QStringLiteral("queue"), o.queue},
                        {QStringLiteral("priority"), o.priority},
                        {QStringLiteral("max_attempts"), o.maxAttempts},
                        {QStringLiteral("tags"), QJsonArray::fromStringList(o.tags)},
                        {QStringLiteral("metadata"), o.metadata}};
        if (o.scheduledAt.isValid())
            row.insert(QStringLiteral("scheduled_at"), isoUtc(o.scheduledAt));
        if (!key.isEmpty()) {
            row.insert(QStringLiteral("unique_key"), QString::fromLatin1(key.toHex()));
            row.insert(QStringLiteral("unique_states"),
                       QString::fromLatin1(uniqueStates(*o.unique)));
        }
        if (sent)
            payload += ',';
        payload += QJsonDocument(row).toJson(QJsonDocument::Compact);
        sentIndex[i] = sent++;
    }
    payload += ']';

    static const QByteArray sql =
        "INSERT INTO jobs.job AS j (state, kind, args, queue, priority, max_attempts, "
        "scheduled_at, tags, "
        "                           metadata, unique_key, unique_states) "
        "SELECT CASE WHEN x.scheduled_at > now() THEN 'scheduled' ELSE 'available' "
        "END::jobs.job_state, "
        "       x.kind, x.args, x.queue, x.priority, x.max_attempts, coalesce(x.scheduled_at, "
        "now()), "
        "       coalesce(x.tags, '{}'), coalesce(x.metadata, '{}'), decode(x.unique_key, 'hex'), "
        "       x.unique_states::bit(8) "
        "FROM jsonb_to_recordset($1::jsonb) AS x(kind text, args jsonb, queue text, priority "
        "smallint, "
        "     max_attempts smallint, scheduled_at timestamptz, tags text[], metadata jsonb, "
        "unique_key text, "
        "     unique_states text) "
        "ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND "
        "jobs.state_in_bitmask(unique_states, state) "
        "DO UPDATE SET kind = EXCLUDED.kind "
        "RETURNING " +
        columns("j.") + ", (j.xmax <> 0) AS duplicate";
    const PgResult r = pgExec(db, sql.constData(), {payload});
    if (!r.ok()) {
        if (error)
            *error =
                QStringLiteral("inserting %1 job(s) failed: %2").arg(jobs.size()).arg(r.error());
        return std::nullopt;
    }
    if (r.rows() != sent) {
        if (error)
            *error =
                QStringLiteral("inserting jobs returned %1 rows for %2").arg(r.rows()).arg(sent);
        return std::nullopt;
    }
    const int dupCol = r.columns() - 1;
    results.resize(jobs.size());
    for (int i = 0; i < jobs.size(); ++i) {
        if (sentIndex[i] >= 0) {
            results[i].job = jobFromRow(r, sentIndex[i]);
            results[i].duplicate = r.toBool(sentIndex[i], dupCol);
        }
    }
    for (int i = 0; i < jobs.size(); ++i) {
        if (duplicateOf[i] >= 0) {
            results[i].job = results[duplicateOf[i]].job;
            results[i].duplicate = true;
        }
    }
    return results;
}

std::optional<Job> JobClient::get(qint64 id, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> std::optional<Job> {
        const PgResult r =
            pgExec(db, QByteArray("SELECT ") + jobColumns() + " FROM jobs.job WHERE id = $1",
                   {QByteArray::number(id)});
        if (!r.ok() || r.rows() == 0) {
            if (error)
                *error = r.ok() ? QStringLiteral("job %1 does not exist").arg(id) : r.error();
            return std::nullopt;
        }
        return jobFromRow(r, 0);
    });
}

std::optional<Job> JobClient::cancel(qint64 id, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> std::optional<Job> {
        if (!db.transaction()) {
            if (error)
                *error = QStringLiteral("cannot begin a transaction");
            return std::nullopt;
        }
        auto fail = [&](const QString &message) -> std::optional<Job> {
            db.rollback();
            if (error)
                *error = message;
            return std::nullopt;
        };
        const QByteArray idText = QByteArray::number(id);
        const PgResult current =
            pgExec(db, "SELECT state::text FROM jobs.job WHERE id = $1 FOR UPDATE", {idText});
        if (!current.ok())
            return fail(current.error());
        if (current.rows() == 0)
            return fail(QStringLiteral("job %1 does not exist").arg(id));
        const auto state = jobStateFromName(current.text(0, 0));
        QByteArray sql;
        if (state == JobState::Running) {
            // The executor running it stops it; the row stays running until its worker returns.
            sql = "UPDATE jobs.job SET metadata = metadata || "
                  "jsonb_build_object('cancel_attempted_at', now()) "
                  "WHERE id = $1 RETURNING " +
                  columns();
            const PgResult n =
                pgExec(db, "SELECT pg_notify($1, $2)",
                       {kControlChannel, "{\"action\":\"cancel\",\"id\":" + idText + "}"});
            if (!n.ok())
                return fail(n.error());
        } else if (state && isFinal(*state)) {
            sql = QByteArray("SELECT ") + jobColumns() + " FROM jobs.job WHERE id = $1";
        } else {
            sql = "UPDATE jobs.job SET state = 'cancelled', finalized_at = now() WHERE id = $1 "
                  "RETURNING " +
                  columns();
        }
        const PgResult r = pgExec(db, sql.constData(), {idText});
        if (!r.ok() || r.rows() == 0)
            return fail(r.error());
        if (!db.commit())
            return fail(QStringLiteral("commit failed"));
        return jobFromRow(r, 0);
    });
}

std::optional<Job> JobClient::retry(qint64 id, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> std::optional<Job> {
        static const QByteArray sql =
            "WITH updated AS ("
            "  UPDATE jobs.job SET state = 'available', scheduled_at = now(), finalized_at = NULL, "
            "    max_attempts = greatest(max_attempts, attempt + 1), metadata = metadata - "
            "'cancel_attempted_at' "
            "  WHERE id = $1 AND state <> 'running' RETURNING " +
            columns() +
            ") "
            "SELECT *, pg_notify('revenge_jobs_insert', queue) FROM updated";
        const PgResult r = pgExec(db, sql.constData(), {QByteArray::number(id)});
        if (!r.ok()) {
            if (error)
                *error = r.error();
            return std::nullopt;
        }
        if (r.rows() == 0) {
            if (error) {
                const auto existing = get(id, nullptr);
                *error = existing ? QStringLiteral("job %1 is running; cancel it first").arg(id)
                                  : QStringLiteral("job %1 does not exist").arg(id);
            }
            return std::nullopt;
        }
        return jobFromRow(r, 0);
    });
}

bool JobClient::remove(qint64 id, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> bool {
        const PgResult r =
            pgExec(db, "DELETE FROM jobs.job WHERE id = $1 AND state <> 'running' RETURNING id",
                   {QByteArray::number(id)});
        if (!r.ok()) {
            if (error)
                *error = r.error();
            return false;
        }
        if (r.rows() == 0) {
            if (error)
                *error = get(id, nullptr)
                             ? QStringLiteral("job %1 is running; cancel it first").arg(id)
                             : QStringLiteral("job %1 does not exist").arg(id);
            return false;
        }
        return true;
    });
}

bool JobClient::pauseQueue(const QString &queue, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> bool {
        const PgResult r =
            pgExec(db,
                   "WITH q AS (INSERT INTO jobs.queue (name, paused_at) VALUES ($1, now()) "
                   "           ON CONFLICT (name) DO UPDATE SET paused_at = "
                   "coalesce(jobs.queue.paused_at, now()), "
                   "           updated_at = now() RETURNING name) "
                   "SELECT pg_notify('revenge_jobs_control', json_build_object('action', 'pause', "
                   "'queue', name)::text) FROM q",
                   {queue.toUtf8()});
        if (!r.ok() && error)
            *error = r.error();
        return r.ok();
    });
}

bool JobClient::resumeQueue(const QString &queue, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> bool {
        const PgResult r =
            pgExec(db,
                   "WITH q AS (INSERT INTO jobs.queue (name, paused_at) VALUES ($1, NULL) "
                   "           ON CONFLICT (name) DO UPDATE SET paused_at = NULL, updated_at = "
                   "now() RETURNING name) "
                   "SELECT pg_notify('revenge_jobs_control', json_build_object('action', 'resume', "
                   "'queue', name)::text), "
                   "       pg_notify('revenge_jobs_insert', name) FROM q",
                   {queue.toUtf8()});
        if (!r.ok() && error)
            *error = r.error();
        return r.ok();
    });
}

std::optional<QList<Job>> JobClient::list(const JobFilter &f, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> std::optional<QList<Job>> {
        QStringList states;
        for (JobState s : f.states)
            states << jobStateName(s);
        const QByteArray sql =
            QByteArray("SELECT ") + jobColumns() +
            " FROM jobs.job WHERE ($1::text[] IS NULL OR state::text = ANY($1::text[])) "
            "AND ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR kind = $3) "
            "AND ($4::bigint = 0 OR id < $4) ORDER BY id DESC LIMIT $5";
        const PgResult r = pgExec(
            db, sql.constData(),
            {states.isEmpty() ? QByteArray() : ("{" + states.join(QLatin1Char(',')).toUtf8() + "}"),
             f.queue.isEmpty() ? QByteArray() : f.queue.toUtf8(),
             f.kind.isEmpty() ? QByteArray() : f.kind.toUtf8(), QByteArray::number(f.beforeId),
             QByteArray::number(std::clamp(f.limit, 1, 10000))});
        if (!r.ok()) {
            if (error)
                *error = r.error();
            return std::nullopt;
        }
        QList<Job> out;
        for (int i = 0; i < r.rows(); ++i)
            out << jobFromRow(r, i);
        return out;
    });
}

std::optional<QList<QueueInfo>> JobClient::queues(QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> std::optional<QList<QueueInfo>> {
        const PgResult r = pgExec(
            db,
            "SELECT coalesce(c.queue, q.name), c.state, coalesce(c.n, 0), q.paused_at IS NOT NULL, "
            "       (extract(epoch FROM q.paused_at) * 1000)::bigint "
            "FROM (SELECT queue, state::text AS state, count(*) AS n FROM jobs.job GROUP BY 1, 2) "
            "c "
            "FULL JOIN jobs.queue q ON q.name = c.queue ORDER BY 1, 2");
        if (!r.ok()) {
            if (error)
                *error = r.error();
            return std::nullopt;
        }
        QList<QueueInfo> out;
        for (int i = 0; i < r.rows(); ++i) {
            const QString name = r.text(i, 0);
            if (out.isEmpty() || out.last().name != name) {
                QueueInfo info;
                info.name = name;
                out << info;
            }
            QueueInfo &info = out.last();
            if (!r.isNull(i, 1))
                info.counts.insert(r.text(i, 1), r.toInt(i, 2));
            info.paused = info.paused || r.toBool(i, 3);
            if (!r.isNull(i, 4))
                info.pausedAt = QDateTime::fromMSecsSinceEpoch(r.toInt(i, 4), Qt::UTC);
        }
        return out;
    });
}

std::optional<QJsonArray> JobClient::latestErrors(int limit, QString *error)
{
    return withConnection(*m_pool, error, [&](QSqlDatabase &db) -> std::optional<QJsonArray> {
        const PgResult r = pgExec(
            db,
            "SELECT json_build_object('id', id, 'kind', kind, 'queue', queue, 'state', state, "
            "  'attempt', errors->-1->'attempt', 'at', errors->-1->'at', 'error', "
            "errors->-1->'error') "
            "FROM jobs.job WHERE errors <> '[]'::jsonb ORDER BY attempted_at DESC NULLS LAST LIMIT "
            "$1",
            {QByteArray::number(std::clamp(limit, 1, 1000))});
        if (!r.ok()) {
            if (error)
                *error = r.error();
            return std::nullopt;
        }
        QJsonArray out;
        for (int i = 0; i < r.rows(); ++i)
            out.append(QJsonDocument::fromJson(r.bytes(i, 0)).object());
        return out;
    });
}

} // namespace Revenge
