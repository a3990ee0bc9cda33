#include "FakeTypesense.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace Revenge {

namespace {

const char *const ForbiddenMessage =
    "Forbidden - a valid `x-typesense-api-key` header must be sent.";

FakeTypesense::Reply jsonReply(int status, const QJsonObject &obj)
{
    return {status, QJsonDocument(obj).toJson(QJsonDocument::Compact), "application/json", {}};
}

FakeTypesense::Reply message(int status, const QString &text)
{
    return jsonReply(status, {{QStringLiteral("message"), text}});
}

// The schema entry of a field, or empty.
QJsonObject schemaField(const QJsonObject &schema, const QString &name)
{
    if (name == QLatin1String("id")) // implicit in every collection, filterable
        return {{QStringLiteral("name"), name}, {QStringLiteral("type"), QStringLiteral("string")}};
    for (const QJsonValue &f : schema.value(QStringLiteral("fields")).toArray())
        if (f.toObject().value(QStringLiteral("name")).toString() == name)
            return f.toObject();
    return {};
}

bool scalarMatchesType(const QJsonValue &v, const QString &type)
{
    if (type == QLatin1String("string"))
        return v.isString();
    if (type == QLatin1String("bool"))
        return v.isBool();
    if (type == QLatin1String("float"))
        return v.isDouble();
    if (type == QLatin1String("int32") || type == QLatin1String("int64")) {
        if (!v.isDouble() || std::floor(v.toDouble()) != v.toDouble())
            return false;
        return type == QLatin1String("int64") || std::abs(v.toDouble()) <= 2147483647.0;
    }
    return true; // auto, string*, object, geopoint...: not checked
}

// Typesense-style message for a value of the wrong type, or empty when it fits.
QString typeError(const QString &field, const QString &type, const QJsonValue &v)
{
    if (type.endsWith(QLatin1String("[]"))) {
        const QString inner = type.chopped(2);
        if (!v.isArray())
            return QStringLiteral("Field `%1` must be an array.").arg(field);
        for (const QJsonValue &e : v.toArray())
            if (!scalarMatchesType(e, inner))
                return QStringLiteral("Field `%1` must be an array of %2.").arg(field, inner);
        return {};
    }
    if (!scalarMatchesType(v, type))
        return QStringLiteral("Field `%1` must be %2 %3.")
            .arg(field,
                 type.startsWith(QLatin1Char('i')) ? QStringLiteral("an") : QStringLiteral("a"),
                 type);
    return {};
}

QString valueText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    return {};
}

QStringList splitOutsideBackticks(const QString &s, QChar sep)
{
    QStringList out;
    QString cur;
    bool quoted = false;
    for (QChar c : s) {
        if (c == QLatin1Char('`'))
            quoted = !quoted;
        if (c == sep && !quoted) {
            out << cur;
            cur.clear();
        } else {
            cur += c;
        }
    }
    out << cur;
    return out;
}

QString unquote(QString v)
{
    v = v.trimmed();
    if (v.size() >= 2 && v.startsWith(QLatin1Char('`')) && v.endsWith(QLatin1Char('`')))
        return v.mid(1, v.size() - 2);
    return v;
}

struct Clause
{
    QString field, op;
    QStringList values; // op "in": list; "range": [lo, hi]
};

// Supports `&&`-joined clauses: f:v, f:=v, f:!=v, f:[a,b], f:[lo..hi], f:>n, f:>=n, f:<n, f:<=n.
std::optional<QList<Clause>> parseFilter(const QString &filter)
{
    QList<Clause> out;
    // Split on && outside backticks.
    QStringList parts;
    QString cur;
    bool quoted = false;
    for (int i = 0; i < filter.size(); ++i) {
        const QChar c = filter.at(i);
        if (c == QLatin1Char('`'))
            quoted = !quoted;
        if (!quoted && c == QLatin1Char('&') && i + 1 < filter.size() &&
            filter.at(i + 1) == QLatin1Char('&')) {
            parts << cur;
            cur.clear();
            ++i;
            continue;
        }
        if (!quoted && (c == QLatin1Char('(') || c == QLatin1Char('|')))
            return std::nullopt; // unsupported by the fake
        cur += c;
    }
    if (quoted)
        return std::nullopt;
    parts << cur;
    for (const QString &part : parts) {
        const int colon = part.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return std::nullopt;
        Clause c;
        c.field = part.left(colon).trimmed();
        QString rest = part.mid(colon + 1).trimmed();
        for (const char *op : {"!=", ">=", "<=", "=", ">", "<"}) {
            if (rest.startsWith(QLatin1String(op))) {
                c.op = QLatin1String(op);
                rest = rest.mid(c.op.size()).trimmed();
                break;
            }
        }
        if (c.op.isEmpty())
            c.op = QStringLiteral(":");
        if (rest.startsWith(QLatin1Char('[')) && rest.endsWith(QLatin1Char(']'))) {
            const QString inner = rest.mid(1, rest.size() - 2);
            if (!inner.contains(QLatin1Char('`')) && inner.contains(QLatin1String(".."))) {
                c.values = inner.split(QStringLiteral(".."));
                c.op = c.op == QLatin1String("!=") ? QStringLiteral("!range")
                                                   : QStringLiteral("range");
            } else {
                for (const QString &v : splitOutsideBackticks(inner, QLatin1Char(',')))
                    c.values << unquote(v);
                c.op = c.op == QLatin1String("!=") ? QStringLiteral("!in") : QStringLiteral("in");
            }
        } else {
            if (rest.isEmpty())
                return std::nullopt;
            c.values << unquote(rest);
        }
        out << c;
    }
    return out;
}

bool valueMatches(const QJsonValue &v, const Clause &c)
{
    const QString text = valueText(v);
    const double num = v.toDouble();
    if (c.op == QLatin1String(":") || c.op == QLatin1String("="))
        return text.compare(c.values.first(), Qt::CaseInsensitive) == 0;
    if (c.op == QLatin1String("!="))
        return text.compare(c.values.first(), Qt::CaseInsensitive) != 0;
    if (c.op == QLatin1String("in") || c.op == QLatin1String("!in")) {
        bool any = false;
        for (const QString &want : c.values)
            any = any || text.compare(want, Qt::CaseInsensitive) == 0;
        return c.op == QLatin1String("in") ? any : !any;
    }
    if (c.op.endsWith(QLatin1String("range"))) {
        const bool in = num >= c.values.value(0).toDouble() && num <= c.values.value(1).toDouble();
        return c.op == QLatin1String("range") ? in : !in;
    }
    const double n = c.values.first().toDouble();
    if (c.op == QLatin1String(">"))
        return num > n;
    if (c.op == QLatin1String(">="))
        return num >= n;
    if (c.op == QLatin1String("<"))
        return num < n;
    return num <= n;
}

bool docMatches(const QJsonObject &doc, const Clause &c)
{
    const QJsonValue v = doc.value(c.field);
    const bool negative = c.op.startsWith(QLatin1Char('!'));
    if (v.isArray()) {
        // Arrays: positive ops need one element to match; negative ops need all to match.
        const QJsonArray a = v.toArray();
        if (negative)
            return std::all_of(a.begin(), a.end(),
                               [&](const QJsonValue &e) { return valueMatches(e, c); });
        return std::any_of(a.begin(), a.end(),
                           [&](const QJsonValue &e) { return valueMatches(e, c); });
    }
    if (v.isUndefined() || v.isNull())
        return negative;
    return valueMatches(v, c);
}

QStringList tokens(const QString &s)
{
    static const QRegularExpression sep(QStringLiteral("[^\\w]+"));
    return s.toLower().split(sep, Qt::SkipEmptyParts);
}

} // namespace

FakeTypesense::FakeTypesense(const QString &apiKey)
    : TestHttpServer(QStringLiteral("FakeTypesense"))
    , m_apiKey(apiKey)
{
    start();
}

FakeTypesense::~FakeTypesense()
{
    stop(); // before the members handle() reads go away
}

void FakeTypesense::setHealthy(bool ok, const QString &resourceError)
{
    QMutexLocker lock(&m_mutex);
    m_healthy = ok;
    m_resourceError = resourceError;
}

void FakeTypesense::failNextRequests(int n, int status, const QString &message,
                                     int retryAfterSeconds)
{
    QMutexLocker lock(&m_mutex);
    m_failCount = n;
    m_failStatus = status;
    m_failMessage = message;
    m_failRetryAfter = retryAfterSeconds;
}

void FakeTypesense::setImportLineSkew(int delta)
{
    QMutexLocker lock(&m_mutex);
    m_importSkew = delta;
}

QJsonArray FakeTypesense::documents(const QString &collection) const
{
    QMutexLocker lock(&m_mutex);
    QJsonArray out;
    for (const QJsonObject &d : m_collections.value(collection).docs)
        out.append(d);
    return out;
}

FakeTypesense::Reply FakeTypesense::handle(const Request &request)
{
    QMutexLocker lock(&m_mutex);
    Reply reply;
    if (m_failCount > 0) {
        --m_failCount;
        reply = message(m_failStatus, m_failMessage);
        if (m_failRetryAfter >= 0)
            reply.headers.append({"Retry-After", QByteArray::number(m_failRetryAfter)});
    } else {
        reply = route(request);
    }
    return reply;
}

QJsonObject FakeTypesense::collectionJson(const Collection &c) const
{
    QJsonObject out = c.schema;
    out.insert(QStringLiteral("num_documents"), c.docs.size());
    return out;
}

FakeTypesense::Reply FakeTypesense::route(const Request &request)
{
    const QStringList parts = request.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const QByteArray &method = request.method;
    if (method == "GET" && request.path == QLatin1String("/health")) {
        QJsonObject body{{QStringLiteral("ok"), m_healthy}};
        if (!m_healthy && !m_resourceError.isEmpty())
            body.insert(QStringLiteral("resource_error"), m_resourceError);
        return jsonReply(m_healthy ? 200 : 503, body);
    }
    const QString key = request.headers.contains("x-typesense-api-key")
                            ? QString::fromUtf8(request.headers.value("x-typesense-api-key"))
                            : request.params.value(QStringLiteral("x-typesense-api-key"));
    if (key != m_apiKey)
        return message(401, QString::fromLatin1(ForbiddenMessage));

    if (parts.value(0) == QLatin1String("multi_search") && parts.size() == 1 && method == "POST") {
        const QJsonObject body = QJsonDocument::fromJson(request.body).object();
        if (!body.value(QStringLiteral("searches")).isArray())
            return message(400, QStringLiteral("Missing `searches` array."));
        QJsonArray results;
        for (const QJsonValue &s : body.value(QStringLiteral("searches")).toArray()) {
            // URL parameters are common to all searches; a search's own parameters win.
            QMap<QString, QString> params = request.params;
            const QJsonObject so = s.toObject();
            for (auto it = so.begin(); it != so.end(); ++it)
                params.insert(it.key(), it.value().isString() ? it.value().toString()
                                                              : valueText(it.value()));
            const QString collection = params.take(QStringLiteral("collection"));
            int status = 200;
            const QJsonObject result = runSearch(collection, params, &status);
            if (status != 200)
                results.append(
                    QJsonObject{{QStringLiteral("error"), result.value(QStringLiteral("message"))},
                                {QStringLiteral("code"), status}});
            else
                results.append(result);
        }
        return jsonReply(200, {{QStringLiteral("results"), results}});
    }
    if (parts.value(0) != QLatin1String("collections"))
        return message(404, QStringLiteral("Not Found"));

    if (parts.size() == 1 && method == "POST") {
        const QJsonObject schema = QJsonDocument::fromJson(request.body).object();
        const QString name = schema.value(QStringLiteral("name")).toString();
        if (name.isEmpty())
            return message(400, QStringLiteral("Parameter `name` is required."));
        if (!schema.value(QStringLiteral("fields")).isArray())
            return message(400, QStringLiteral("Parameter `fields` is required."));
        if (m_collections.contains(name))
            return message(409,
                           QStringLiteral("A collection with name `%1` already exists.").arg(name));
        Collection c;
        c.schema = schema;
        c.schema.insert(QStringLiteral("created_at"), 1700000000);
        m_collections.insert(name, c);
        return jsonReply(201, collectionJson(c));
    }
    if (parts.size() == 1 && method == "GET") {
        QJsonArray all;
        for (const Collection &c : std::as_const(m_collections))
            all.append(collectionJson(c));
        return {200, QJsonDocument(all).toJson(QJsonDocument::Compact), "application/json", {}};
    }
    const QString name = parts.value(1);
    if (parts.size() == 2) {
        if (!m_collections.contains(name))
            return message(404, QStringLiteral("Not Found"));
        if (method == "GET")
            return jsonReply(200, collectionJson(m_collections.value(name)));
        if (method == "DELETE")
            return jsonReply(200, collectionJson(m_collections.take(name)));
        return message(404, QStringLiteral("Not Found"));
    }
    if (parts.value(2) != QLatin1String("documents"))
        return message(404, QStringLiteral("Not Found"));
    if (!m_collections.contains(name))
        return message(404, QStringLiteral("Collection not found"));
    Collection &c = m_collections[name];

    if (parts.size() == 4 && parts.at(3) == QLatin1String("import") && method == "POST")
        return importDocs(c, request);
    if (parts.size() == 4 && parts.at(3) == QLatin1String("search") && method == "GET") {
        if (request.rawQuery.size() > 4000)
            return message(400, QStringLiteral("Query string exceeds max allowed length of 4000. "
                                               "Use the /multi_search end-point for larger "
                                               "payloads."));
        int status = 200;
        const QJsonObject result = runSearch(name, request.params, &status);
        return jsonReply(status, result);
    }
    if (parts.size() == 3 && method == "DELETE") {
        const QString filter = request.params.value(QStringLiteral("filter_by"));
        const auto clauses = parseFilter(filter);
        if (filter.isEmpty() || !clauses)
            return message(400, QStringLiteral("Could not parse the filter query."));
        const qsizetype before = c.docs.size();
        c.docs.removeIf([&](const QJsonObject &d) {
            return std::all_of(clauses->begin(), clauses->end(),
                               [&](const Clause &cl) { return docMatches(d, cl); });
        });
        return jsonReply(200, {{QStringLiteral("num_deleted"), int(before - c.docs.size())}});
    }
    return message(404, QStringLiteral("Not Found"));
}

FakeTypesense::Reply FakeTypesense::importDocs(Collection &c, const Request &request)
{
    const QString action = request.params.value(QStringLiteral("action"), QStringLiteral("create"));
    if (!QStringList{QStringLiteral("create"), QStringLiteral("upsert"), QStringLiteral("update"),
                     QStringLiteral("emplace")}
             .contains(action))
        return message(400, QStringLiteral("Invalid value for `action`."));
    QList<QByteArray> lines = request.body.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    const QJsonArray fields = c.schema.value(QStringLiteral("fields")).toArray();
    QList<QByteArray> results;
    for (const QByteArray &line : lines) {
        auto fail = [&](const QString &error) {
            results.append(
                QJsonDocument(QJsonObject{{QStringLiteral("success"), false},
                                          {QStringLiteral("error"), error},
                                          {QStringLiteral("document"), QString::fromUtf8(line)}})
                    .toJson(QJsonDocument::Compact));
        };
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            fail(QStringLiteral("Bad JSON."));
            continue;
        }
        QJsonObject d = doc.object();
        if (!d.contains(QStringLiteral("id"))) {
            fail(QStringLiteral("Document is missing the `id` field."));
            continue;
        }
        if (!d.value(QStringLiteral("id")).isString()) {
            fail(QStringLiteral("Document's `id` field should be a string."));
            continue;
        }
        const QString id = d.value(QStringLiteral("id")).toString();
        const auto existing = std::find_if(c.docs.begin(), c.docs.end(), [&](const QJsonObject &o) {
            return o.value(QStringLiteral("id")).toString() == id;
        });
        if (action == QLatin1String("create") && existing != c.docs.end()) {
            fail(QStringLiteral("A document with id %1 already exists.").arg(id));
            continue;
        }
        if (action == QLatin1String("update") && existing == c.docs.end()) {
            fail(QStringLiteral("Could not find a document with id: %1").arg(id));
            continue;
        }
        // update/emplace of an existing document merge into it; the result must still validate.
        if (existing != c.docs.end() &&
            (action == QLatin1String("update") || action == QLatin1String("emplace"))) {
            QJsonObject merged = *existing;
            for (auto it = d.begin(); it != d.end(); ++it)
                merged.insert(it.key(), it.value());
            d = merged;
        }
        QString error;
        for (const QJsonValue &fv : fields) {
            const QJsonObject f = fv.toObject();
            const QString fname = f.value(QStringLiteral("name")).toString();
            const QString type = f.value(QStringLiteral("type")).toString();
            const QJsonValue v = d.value(fname);
            if (v.isUndefined() || v.isNull()) {
                if (!f.value(QStringLiteral("optional")).toBool() && fname != QLatin1String(".*")) {
                    error = QStringLiteral("Field `%1` has been declared in the schema, but is "
                                           "not found in the document.")
                                .arg(fname);
                    break;
                }
                continue;
            }
            error = typeError(fname, type, v);
            if (!error.isEmpty())
                break;
        }
        if (!error.isEmpty()) {
            fail(error);
            continue;
        }
        if (existing != c.docs.end())
            *existing = d;
        else
            c.docs.append(d);
        results.append(QByteArrayLiteral("{\"success\":true}"));
    }
    if (m_importSkew < 0)
        results.resize(std::max<qsizetype>(0, results.size() + m_importSkew));
    for (int i = 0; i < m_importSkew; ++i)
        results.append(QByteArrayLiteral("{\"success\":true}"));
    return {200, results.join('\n'), "text/plain; charset=utf-8", {}};
}

QJsonObject FakeTypesense::runSearch(const QString &collection,
                                     const QMap<QString, QString> &params, int *status)
{
    auto error = [&](int code, const QString &text) {
        *status = code;
        return QJsonObject{{QStringLiteral("message"), text}};
    };
    if (!m_collections.contains(collection))
        return error(404,
                     QStringLiteral("Could not find a collection with name `%1`.").arg(collection));
    const Collection &c = m_collections[collection];
    if (!params.contains(QStringLiteral("q")))
        return error(400, QStringLiteral("Parameter `q` is required."));
    const QString q = params.value(QStringLiteral("q"));
    const bool wildcard = q.trimmed() == QLatin1String("*");
    const QStringList queryBy =
        params.value(QStringLiteral("query_by")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (!wildcard && queryBy.isEmpty())
        return error(400, QStringLiteral("Missing `query_by` parameter."));
    for (const QString &f : queryBy)
        if (schemaField(c.schema, f.trimmed()).isEmpty())
            return error(404, QStringLiteral("Could not find a field named `%1` in the schema.")
                                  .arg(f.trimmed()));
    QList<Clause> clauses;
    if (params.contains(QStringLiteral("filter_by")) &&
        !params.value(QStringLiteral("filter_by")).isEmpty()) {
        const auto parsed = parseFilter(params.value(QStringLiteral("filter_by")));
        if (!parsed)
            return error(400, QStringLiteral("Could not parse the filter query."));
        for (const Clause &cl : *parsed)
            if (schemaField(c.schema, cl.field).isEmpty())
                return error(404, QStringLiteral("Could not find a filter field named `%1` in "
                                                 "the schema.")
                                      .arg(cl.field));
        clauses = *parsed;
    }
    const QStringList facetBy =
        params.value(QStringLiteral("facet_by")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &f : facetBy)
        if (!schemaField(c.schema, f.trimmed()).value(QStringLiteral("facet")).toBool())
            return error(404, QStringLiteral("Could not find a facet field named `%1` in the "
                                             "schema.")
                                  .arg(f.trimmed()));
    const int perPage = params.value(QStringLiteral("per_page"), QStringLiteral("10")).toInt();
    const int page = std::max(1, params.value(QStringLiteral("page"), QStringLiteral("1")).toInt());
    if (perPage > 250)
        return error(422, QStringLiteral("Only upto 250 hits can be fetched per page."));

    // Every query token must occur in some query_by field (case-insensitive substring); the
    // score favours whole-word matches in earlier (higher priority) fields.
    const QStringList qTokens = wildcard ? QStringList() : tokens(q);
    struct Hit
    {
        QJsonObject doc;
        qint64 score;
        int order;
    };
    QList<Hit> hits;
    for (int i = 0; i < c.docs.size(); ++i) {
        const QJsonObject &d = c.docs.at(i);
        if (!std::all_of(clauses.begin(), clauses.end(),
                         [&](const Clause &cl) { return docMatches(d, cl); }))
            continue;
        qint64 score = 0;
        bool all = true;
        for (const QString &t : qTokens) {
            qint64 best = 0;
            for (int f = 0; f < queryBy.size(); ++f) {
                const QJsonValue v = d.value(queryBy.at(f).trimmed());
                QStringList texts;
                if (v.isArray())
                    for (const QJsonValue &e : v.toArray())
                        texts << valueText(e);
                else
                    texts << valueText(v);
                for (const QString &text : texts) {
                    const QStringList words = tokens(text);
                    const qint64 weight = queryBy.size() - f;
                    if (words.contains(t))
                        best = std::max(best, 2 * weight);
                    else if (text.toLower().contains(t))
                        best = std::max(best, weight);
                }
            }
            if (best == 0) {
                all = false;
                break;
            }
            score += best;
        }
        if (all)
            hits.append({d, wildcard ? 100 : score * 1000000, i});
    }
    // sort_by: `f:dir` list; default _text_match:desc then default_sorting_field:desc.
    QStringList sortBy =
        params.value(QStringLiteral("sort_by")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (sortBy.isEmpty()) {
        sortBy << QStringLiteral("_text_match:desc");
        const QString dsf = c.schema.value(QStringLiteral("default_sorting_field")).toString();
        if (!dsf.isEmpty())
            sortBy << dsf + QStringLiteral(":desc");
    }
    std::stable_sort(hits.begin(), hits.end(), [&](const Hit &a, const Hit &b) {
        for (const QString &s : sortBy) {
            const QString f = s.section(QLatin1Char(':'), 0, 0).trimmed();
            const bool desc = s.section(QLatin1Char(':'), 1).trimmed() != QLatin1String("asc");
            QJsonValue va =
                f == QLatin1String("_text_match") ? QJsonValue(double(a.score)) : a.doc.value(f);
            QJsonValue vb =
                f == QLatin1String("_text_match") ? QJsonValue(double(b.score)) : b.doc.value(f);
            int cmp = 0;
            if (va.isString() || vb.isString())
                cmp = va.toString().compare(vb.toString());
            else if (va.toDouble() != vb.toDouble())
                cmp = va.toDouble() < vb.toDouble() ? -1 : 1;
            if (cmp != 0)
                return desc ? cmp > 0 : cmp < 0;
        }
        return a.order < b.order;
    });

    QJsonArray facetCounts;
    const int maxFacetValues =
        params.value(QStringLiteral("max_facet_values"), QStringLiteral("10")).toInt();
    for (const QString &fraw : facetBy) {
        const QString f = fraw.trimmed();
        const QString type = schemaField(c.schema, f).value(QStringLiteral("type")).toString();
        const bool numeric =
            type.startsWith(QLatin1String("int")) || type.startsWith(QLatin1String("float"));
        QMap<QString, int> counts;
        QList<QString> firstSeen;
        double min = 0, max = 0, sum = 0;
        int totalNumbers = 0;
        for (const Hit &h : std::as_const(hits)) {
            const QJsonValue v = h.doc.value(f);
            const QJsonArray values = v.isArray() ? v.toArray() : QJsonArray{v};
            for (const QJsonValue &e : values) {
                if (e.isUndefined() || e.isNull())
                    continue;
                const QString text = valueText(e);
                if (!counts.contains(text))
                    firstSeen << text;
                ++counts[text];
                if (numeric) {
                    const double n = e.toDouble();
                    min = totalNumbers ? std::min(min, n) : n;
                    max = totalNumbers ? std::max(max, n) : n;
                    sum += n;
                    ++totalNumbers;
                }
            }
        }
        std::stable_sort(
            firstSeen.begin(), firstSeen.end(),
            [&](const QString &a, const QString &b) { return counts.value(a) > counts.value(b); });
        QJsonArray countArray;
        for (int i = 0; i < firstSeen.size() && i < maxFacetValues; ++i)
            countArray.append(QJsonObject{{QStringLiteral("value"), firstSeen.at(i)},
                                          {QStringLiteral("count"), counts.value(firstSeen.at(i))},
                                          {QStringLiteral("highlighted"), firstSeen.at(i)}});
        QJsonObject stats{{QStringLiteral("total_values"), int(counts.size())}};
        if (numeric && totalNumbers > 0) {
            stats.insert(QStringLiteral("min"), min);
            stats.insert(QStringLiteral("max"), max);
            stats.insert(QStringLiteral("sum"), sum);
            stats.insert(QStringLiteral("avg"), sum / totalNumbers);
        }
        facetCounts.append(QJsonObject{{QStringLiteral("field_name"), f},
                                       {QStringLiteral("sampled"), false},
                                       {QStringLiteral("counts"), countArray},
                                       {QStringLiteral("stats"), stats}});
    }

    // vector_query=field:([v1,v2,...], k:N): the k nearest by cosine distance (0..2), nearest
    // first.
    QHash<int, double> distance;
    const QString vectorQuery = params.value(QStringLiteral("vector_query"));
    if (!vectorQuery.isEmpty()) {
        static const QRegularExpression re(QStringLiteral(
            R"(^\s*(\w+)\s*:\s*\(\s*\[([^\]]*)\]\s*(?:,\s*k\s*:\s*(\d+))?\s*\)\s*$)"));
        const auto m = re.match(vectorQuery);
        if (!m.hasMatch())
            return error(400, QStringLiteral("Malformed vector query string."));
        const QString field = m.captured(1);
        QVector<double> query;
        for (const QString &v : m.captured(2).split(QLatin1Char(','), Qt::SkipEmptyParts))
            query << v.trimmed().toDouble();
        const int k = m.captured(3).isEmpty() ? 10 : m.captured(3).toInt();
        for (int i = 0; i < hits.size(); ++i) {
            const QJsonArray v = hits.at(i).doc.value(field).toArray();
            if (v.size() != query.size())
                return error(400, QStringLiteral("Query field `%1` must have %2 dimensions.")
                                      .arg(field)
                                      .arg(v.size()));
            double dot = 0, na = 0, nb = 0;
            for (int j = 0; j < v.size(); ++j) {
                dot += v.at(j).toDouble() * query.at(j);
                na += v.at(j).toDouble() * v.at(j).toDouble();
                nb += query.at(j) * query.at(j);
            }
            distance.insert(hits.at(i).order,
                            (na > 0 && nb > 0) ? 1.0 - dot / std::sqrt(na * nb) : 2.0);
        }
        std::stable_sort(hits.begin(), hits.end(), [&](const Hit &a, const Hit &b) {
            return distance.value(a.order) < distance.value(b.order);
        });
        while (hits.size() > k)
            hits.removeLast();
    }

    QJsonArray hitArray;
    for (int i = (page - 1) * perPage; i < hits.size() && i < page * perPage; ++i) {
        QJsonObject hit{{QStringLiteral("document"), hits.at(i).doc},
                        {QStringLiteral("highlights"), QJsonArray{}},
                        {QStringLiteral("text_match"), hits.at(i).score}};
        if (distance.contains(hits.at(i).order))
            hit.insert(QStringLiteral("vector_distance"), distance.value(hits.at(i).order));
        hitArray.append(hit);
    }
    return {{QStringLiteral("facet_counts"), facetCounts},
            {QStringLiteral("found"), int(hits.size())},
            {QStringLiteral("hits"), hitArray},
            {QStringLiteral("out_of"), int(c.docs.size())},
            {QStringLiteral("page"), page},
            {QStringLiteral("request_params"),
             QJsonObject{{QStringLiteral("collection_name"), collection},
                         {QStringLiteral("per_page"), perPage},
                         {QStringLiteral("q"), q}}},
            {QStringLiteral("search_time_ms"), 0}};
}

} // namespace Revenge
