#include "search/QuerySet.h"

#include <QHash>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <utility>
#include <vector>

namespace Revenge::Bench {

namespace {

struct Rng
{
    std::mt19937_64 engine;
    // Portable bounded draws (std distributions differ between standard libraries).
    int bounded(int n) { return n <= 0 ? 0 : int((engine() >> 11) % quint64(n)); }
    bool chance(double p) { return double(engine() >> 11) * (1.0 / 9007199254740992.0) < p; }
    QChar letter() { return QChar(char16_t(u'a' + bounded(26))); }
};

const QSet<QString> &stopwords()
{
    static const QSet<QString> set = {"the", "of",  "a",    "an",   "and", "in",  "on",  "to",
                                      "at",  "for", "from", "with", "by",  "de",  "la",  "le",
                                      "el",  "il",  "des",  "du",   "der", "die", "das", "no",
                                      "en",  "i",   "s",    "ii",   "iii", "vol"};
    return set;
}

QStringList tokens(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[^\\p{L}\\p{N}]+"));
    return text.toLower().split(separators, Qt::SkipEmptyParts);
}

// A word is a maximal run of letters: [start, start + length).
struct Run
{
    int start;
    int length;
};

QList<Run> letterRuns(const QString &text)
{
    QList<Run> runs;
    for (int i = 0; i < text.size();) {
        if (!text.at(i).isLetter()) {
            ++i;
            continue;
        }
        int j = i;
        while (j < text.size() && text.at(j).isLetter())
            ++j;
        runs.append({i, j - i});
        i = j;
    }
    return runs;
}

// One keyboard-style edit inside the word at [start, start + length), never on its first letter
// (people rarely mistype that, and engines anchor prefixes on it). Returns the new word length.
int applyEdit(QString &text, int start, int length, Rng &rng)
{
    const int p = start + 1 + rng.bounded(length - 1);
    switch (rng.bounded(4)) {
    case 0: // transposition of two different neighbouring letters
        if (p + 1 < start + length && text.at(p).toLower() != text.at(p + 1).toLower()) {
            std::swap(text[p], text[p + 1]);
            return length;
        }
        [[fallthrough]];
    case 1: { // substitution
        QChar c = rng.letter();
        while (c == text.at(p).toLower())
            c = rng.letter();
        text[p] = c;
        return length;
    }
    case 2: // deletion
        text.remove(p, 1);
        return length - 1;
    default: // insertion
        text.insert(p, rng.letter());
        return length + 1;
    }
}

struct Index
{
    const QList<CatalogueItem> &items;
    QSet<QString> titles;               // lower-cased
    QHash<QString, int> titleCount;     // lower-cased title -> occurrences
    QStringList sortedTitles;           // lower-cased, for prefix counts
    QList<QStringList> titleTokens;     // per item
    QHash<QString, QList<int>> posting; // title token -> items

    explicit Index(const QList<CatalogueItem> &list)
        : items(list)
    {
        titleTokens.reserve(items.size());
        sortedTitles.reserve(items.size());
        for (int i = 0; i < items.size(); ++i) {
            const QString lower = items.at(i).title.toLower();
            titles.insert(lower);
            ++titleCount[lower];
            sortedTitles.append(lower);
            QStringList t = tokens(lower);
            t.removeDuplicates();
            for (const QString &token : t)
                posting[token].append(i);
            titleTokens.append(t);
        }
        std::sort(sortedTitles.begin(), sortedTitles.end());
    }

    int prefixCount(const QString &prefix, int limit) const
    {
        int n = 0;
        for (auto it = std::lower_bound(sortedTitles.begin(), sortedTitles.end(), prefix);
             it != sortedTitles.end() && it->startsWith(prefix) && n <= limit; ++it)
            ++n;
        return n;
    }

    int rarity(const QString &token) const { return int(posting.value(token).size()); }

    // Items whose title has all `words` and that satisfy `accept`.
    template<typename Accept> int matching(const QStringList &words, Accept accept, int limit) const
    {
        if (words.isEmpty())
            return int(items.size());
        QString rarest = words.first();
        for (const QString &w : words) {
            if (rarity(w) < rarity(rarest))
                rarest = w;
        }
        int n = 0;
        for (int i : posting.value(rarest)) {
            const QStringList &t = titleTokens.at(i);
            if (std::all_of(words.begin(), words.end(),
                            [&](const QString &w) { return t.contains(w); }) &&
                accept(items.at(i)) && ++n > limit)
                break;
        }
        return n;
    }

    // Distinct significant title words of item i (original case), rarest first.
    QStringList distinctive(int i) const
    {
        QStringList out;
        QSet<QString> seen;
        static const QRegularExpression separators(QStringLiteral("[^\\p{L}\\p{N}]+"));
        for (const QString &word : items.at(i).title.split(separators, Qt::SkipEmptyParts)) {
            const QString lower = word.toLower();
            if (lower.size() < 3 || stopwords().contains(lower) || seen.contains(lower))
                continue;
            seen.insert(lower);
            out.append(word);
        }
        std::stable_sort(out.begin(), out.end(), [&](const QString &a, const QString &b) {
            return rarity(a.toLower()) < rarity(b.toLower());
        });
        return out;
    }
};

QStringList lowered(const QStringList &list)
{
    QStringList out;
    for (const QString &s : list)
        out.append(s.toLower());
    return out;
}

QString lastName(const QString &name)
{
    return name.section(QLatin1Char(' '), -1);
}

std::optional<LabelledQuery> makeTypo(const Index &index, const CatalogueItem &item, int typos,
                                      Rng &rng)
{
    const QString &title = item.title;
    const QList<Run> runs = letterRuns(title);
    QList<Run> long7, long4;
    for (const Run &r : runs) {
        if (r.length >= 7)
            long7.append(r);
        if (r.length >= 4)
            long4.append(r);
    }
    for (int attempt = 0; attempt < 12; ++attempt) {
        QString text = title;
        if (typos == 1) {
            if (long4.isEmpty())
                return std::nullopt;
            const Run r = long4.at(rng.bounded(int(long4.size())));
            applyEdit(text, r.start, r.length, rng);
        } else if (!long7.isEmpty() && (long4.size() < 2 || rng.chance(0.5))) {
            const Run r = long7.at(rng.bounded(int(long7.size())));
            const int length = applyEdit(text, r.start, r.length, rng);
            applyEdit(text, r.start, length, rng);
        } else if (long4.size() >= 2) {
            int a = rng.bounded(int(long4.size()));
            int b = rng.bounded(int(long4.size()) - 1);
            if (b >= a)
                ++b;
            // The later word first, so the earlier word's offsets stay valid.
            const Run first = long4.at(std::min(a, b));
            const Run second = long4.at(std::max(a, b));
            applyEdit(text, second.start, second.length, rng);
            applyEdit(text, first.start, first.length, rng);
        } else {
            return std::nullopt;
        }
        const QString lower = text.toLower();
        if (QuerySet::editDistance(lower, title.toLower()) != typos || index.titles.contains(lower))
            continue;
        return LabelledQuery{text, typos == 1 ? "typo1" : "typo2", item.id, {}};
    }
    return std::nullopt;
}

std::optional<LabelledQuery> makePrefix(const Index &index, const CatalogueItem &item)
{
    const QString &title = item.title;
    const int threshold = int(std::ceil(title.size() * 0.6));
    for (const Run &r : letterRuns(title)) {
        for (int cut = r.start + 3; cut < r.start + r.length; ++cut) {
            if (cut < threshold)
                continue;
            const QString prefix = title.left(cut);
            // At most one other title starts the same way, so the item stays identifiable.
            if (index.prefixCount(prefix.toLower(), 2) <= 2)
                return LabelledQuery{prefix, "prefix", item.id, {}};
        }
    }
    return std::nullopt;
}

std::optional<LabelledQuery> makeMultiword(const Index &index, int i, Rng &rng)
{
    const CatalogueItem &item = index.items.at(i);
    const QStringList words = index.distinctive(i);
    auto inTitleOrder = [&](QStringList chosen) {
        const QString lower = item.title.toLower();
        std::sort(chosen.begin(), chosen.end(), [&](const QString &a, const QString &b) {
            return lower.indexOf(a.toLower()) < lower.indexOf(b.toLower());
        });
        return chosen;
    };
    for (int n = 2; n <= 3 && n <= words.size(); ++n) {
        QStringList chosen = inTitleOrder(words.mid(0, n));
        if (index.matching(
                lowered(chosen), [](const CatalogueItem &) { return true; }, 3) > 3)
            continue;
        // A different order than the title's: what users type from memory.
        std::reverse(chosen.begin(), chosen.end());
        if (n == 3 && rng.chance(0.5))
            std::swap(chosen[0], chosen[1]);
        const QString text = chosen.join(QLatin1Char(' '));
        if (text.toLower() != item.title.toLower())
            return LabelledQuery{text, "multiword", item.id, {}};
    }
    // Otherwise a title word and the last name of one of its cast.
    if (words.isEmpty() || item.cast.isEmpty())
        return std::nullopt;
    const QString name =
        lastName(item.cast.at(rng.bounded(int(std::min<qsizetype>(3, item.cast.size())))));
    const QStringList chosen = words.mid(0, std::min<qsizetype>(2, words.size()));
    const int n = index.matching(
        lowered(chosen),
        [&](const CatalogueItem &other) {
            return std::any_of(other.cast.begin(), other.cast.end(),
                               [&](const QString &c) { return lastName(c) == name; });
        },
        3);
    if (n > 3)
        return std::nullopt;
    return LabelledQuery{rng.chance(0.5) ? name + ' ' + chosen.join(' ')
                                         : chosen.join(' ') + ' ' + name,
                         "multiword",
                         item.id,
                         {}};
}

std::optional<LabelledQuery> makeFiltered(const Index &index, int i, Rng &rng)
{
    const CatalogueItem &item = index.items.at(i);
    const QStringList words = index.distinctive(i);
    // Facet types in a random order, so the set exercises all of them rather than only the
    // most selective (director); less selective facets may take a second title word.
    QList<QList<QJsonObject>> types;
    QList<QJsonObject> genres, directors;
    for (const QString &g : item.genres)
        genres.append({{"genres", g}});
    for (const QString &d : item.directors)
        directors.append({{"director", d}});
    types = {genres, directors, {{{"year", item.year}}}};
    if (!item.library.isEmpty())
        types.append({{{"library", item.library}}});
    if (!item.contentRating.isEmpty())
        types.append({{{"content_rating", item.contentRating}}});
    for (int t = int(types.size()) - 1; t > 0; --t)
        std::swap(types[t], types[rng.bounded(t + 1)]);
    for (const QList<QJsonObject> &facets : types) {
        for (int n = 1; n <= 2 && n <= words.size(); ++n) {
            const QStringList chosen = words.mid(0, n);
            const QString text = chosen.join(QLatin1Char(' '));
            if (text.toLower() == item.title.toLower())
                break; // not a partial title
            QList<QJsonObject> usable;
            for (const QJsonObject &f : facets) {
                const int matches = index.matching(
                    lowered(chosen),
                    [&](const CatalogueItem &other) { return QuerySet::satisfies(other, f); }, 3);
                if (matches <= 3)
                    usable.append(f);
            }
            if (!usable.isEmpty())
                return LabelledQuery{text, "filtered", item.id,
                                     usable.at(rng.bounded(int(usable.size())))};
        }
    }
    return std::nullopt;
}

} // namespace

const QStringList &QuerySet::kinds()
{
    static const QStringList list = {"exact", "typo1", "typo2", "prefix", "multiword", "filtered"};
    return list;
}

QList<LabelledQuery> QuerySet::build(const QList<CatalogueItem> &items, int perKind, quint64 seed)
{
    Rng rng{std::mt19937_64(seed)};
    const Index index(items);

    // Targets: ordinary items with a unique title, in a seeded random order; each kind takes
    // the next ones, so a target is used by at most one query.
    QList<int> targets;
    for (int i = 0; i < items.size(); ++i) {
        if (!items.at(i).adult && index.titleCount.value(items.at(i).title.toLower()) == 1)
            targets.append(i);
    }
    for (int i = int(targets.size()) - 1; i > 0; --i)
        std::swap(targets[i], targets[rng.bounded(i + 1)]);

    QList<LabelledQuery> out;
    int cursor = 0;
    for (const QString &kind : kinds()) {
        int made = 0;
        while (made < perKind && cursor < targets.size()) {
            const int i = targets.at(cursor++);
            const CatalogueItem &item = items.at(i);
            std::optional<LabelledQuery> q;
            if (kind == QLatin1String("exact"))
                q = LabelledQuery{item.title, kind, item.id, {}};
            else if (kind == QLatin1String("typo1"))
                q = makeTypo(index, item, 1, rng);
            else if (kind == QLatin1String("typo2"))
                q = makeTypo(index, item, 2, rng);
            else if (kind == QLatin1String("prefix"))
                q = makePrefix(index, item);
            else if (kind == QLatin1String("multiword"))
                q = makeMultiword(index, i, rng);
            else
                q = makeFiltered(index, i, rng);
            if (q) {
                out.append(*q);
                ++made;
            }
        }
    }
    return out;
}

bool QuerySet::satisfies(const CatalogueItem &item, const QJsonObject &filters)
{
    for (auto it = filters.begin(); it != filters.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        bool ok = false;
        if (key == QLatin1String("genres"))
            ok = item.genres.contains(v.toString());
        else if (key == QLatin1String("director"))
            ok = item.directors.contains(v.toString());
        else if (key == QLatin1String("year"))
            ok = v.isDouble() && item.year == v.toInt();
        else if (key == QLatin1String("library"))
            ok = item.library == v.toString();
        else if (key == QLatin1String("content_rating"))
            ok = item.contentRating == v.toString();
        if (!ok)
            return false;
    }
    return true;
}

int QuerySet::editDistance(const QString &a, const QString &b)
{
    const int n = int(a.size()), m = int(b.size());
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
    for (int i = 0; i <= n; ++i)
        d[i][0] = i;
    for (int j = 0; j <= m; ++j)
        d[0][j] = j;
    for (int i = 1; i <= n; ++i) {
        for (int j = 1; j <= m; ++j) {
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

QString QuerySet::describe(const LabelledQuery &query)
{
    QString s = QStringLiteral("[%1] \"%2\" -> %3").arg(query.kind, query.text, query.expectedId);
    if (!query.filters.isEmpty())
        s += QStringLiteral(" filter %1")
                 .arg(QString::fromUtf8(
                     QJsonDocument(query.filters).toJson(QJsonDocument::Compact)));
    return s;
}

QString QuerySet::describe(const LabelledQuery &query, const CatalogueItem &expected)
{
    return describe(query) +
           QStringLiteral(" (%1 \"%2\", %3)").arg(expected.kind, expected.title).arg(expected.year);
}

} // namespace Revenge::Bench
