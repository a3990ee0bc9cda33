#include "TitleMatcher.h"

#include <QRegularExpression>
#include <QSet>
#include <QStringList>
#include <algorithm>
#include <vector>

namespace Revenge {

namespace {

// Letters that Unicode decomposition leaves alone but people type without the accent.
QString foldSpecialLetters(const QString &s)
{
    QString out;
    out.reserve(s.size());
    for (const QChar c : s) {
        switch (c.unicode()) {
        case 0x00DF: // ß
            out += QLatin1String("ss");
            break;
        case 0x00E6: // æ
            out += QLatin1String("ae");
            break;
        case 0x0153: // œ
            out += QLatin1String("oe");
            break;
        case 0x00F8: // ø
            out += QLatin1Char('o');
            break;
        case 0x0142: // ł
            out += QLatin1Char('l');
            break;
        case 0x0111: // đ
        case 0x00F0: // ð
            out += QLatin1Char('d');
            break;
        case 0x00FE: // þ
            out += QLatin1String("th");
            break;
        default:
            out += c;
        }
    }
    return out;
}

int romanValue(const QString &token)
{
    // II..XXXIX only: "I", "V" and "X" alone are too often words or letters ("Malcolm X",
    // "V for Vendetta"), and larger numerals do not occur in titles.
    static const QRegularExpression roman(QStringLiteral("^(x{0,3})(ix|iv|v?i{0,3})$"));
    if (token.size() < 2 || !roman.match(token).hasMatch())
        return 0;
    int value = 0;
    int previous = 0;
    for (int i = token.size() - 1; i >= 0; --i) {
        const int v = token.at(i) == QLatin1Char('x')   ? 10
                      : token.at(i) == QLatin1Char('v') ? 5
                                                        : 1;
        value += v < previous ? -v : v;
        previous = std::max(previous, v);
    }
    return value;
}

int levenshtein(const QString &a, const QString &b)
{
    const int n = a.size();
    const int m = b.size();
    std::vector<int> row(m + 1);
    for (int j = 0; j <= m; ++j)
        row[j] = j;
    for (int i = 1; i <= n; ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= m; ++j) {
            const int up = row[j];
            row[j] = std::min(
                {row[j] + 1, row[j - 1] + 1, diagonal + (a.at(i - 1) == b.at(j - 1) ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[m];
}

double ratio(const QString &a, const QString &b)
{
    if (a.isEmpty() && b.isEmpty())
        return 1.0;
    const int longest = std::max(a.size(), b.size());
    return 1.0 - double(levenshtein(a, b)) / double(longest);
}

} // namespace

QString TitleMatcher::normalize(const QString &title)
{
    // Titles longer than this are not titles; bounding keeps Levenshtein cheap on hostile input.
    // Round trip through UTF-8 replaces lone surrogates, on which regular expressions fail.
    QString s =
        QString::fromUtf8(title.left(300).toUtf8()).normalized(QString::NormalizationForm_KD);
    QString stripped;
    stripped.reserve(s.size());
    for (const QChar c : s)
        if (c.category() != QChar::Mark_NonSpacing && c.category() != QChar::Mark_Enclosing &&
            c.category() != QChar::Mark_SpacingCombining)
            stripped += c;
    s = foldSpecialLetters(stripped.toCaseFolded());
    s.replace(QLatin1Char('&'), QLatin1String(" and "));
    s.replace(QLatin1Char('+'), QLatin1String(" and "));
    // Apostrophes join ("Schindler's" = "Schindlers"); every other non-alphanumeric separates.
    static const QRegularExpression apostrophes(QStringLiteral("['\\x{2019}\\x{2018}`\\x{00B4}]"));
    s.remove(apostrophes);
    // "Matrix, The" -> "The Matrix" before the comma goes.
    static const QRegularExpression trailingArticle(
        QStringLiteral("^(.+),\\s*(the|a|an|le|la|les|der|die|das|el|los|las|il)$"));
    if (const auto m = trailingArticle.match(s); m.hasMatch())
        s = m.captured(2) + QLatin1Char(' ') + m.captured(1);
    static const QRegularExpression separators(QStringLiteral("[^\\p{L}\\p{N}]+"));
    QStringList words = s.split(separators, Qt::SkipEmptyParts);
    static const QSet<QString> articles{
        QStringLiteral("the"), QStringLiteral("a"),   QStringLiteral("an"), QStringLiteral("le"),
        QStringLiteral("la"),  QStringLiteral("les"), QStringLiteral("l"),  QStringLiteral("der"),
        QStringLiteral("die"), QStringLiteral("das"), QStringLiteral("el"), QStringLiteral("los"),
        QStringLiteral("las"), QStringLiteral("il")};
    if (words.size() > 1 && articles.contains(words.first()))
        words.removeFirst();
    for (QString &w : words)
        if (const int v = romanValue(w))
            w = QString::number(v);
    return words.join(QLatin1Char(' '));
}

double TitleMatcher::similarity(const QString &a, const QString &b)
{
    const QString na = normalize(a);
    const QString nb = normalize(b);
    if (na.isEmpty() || nb.isEmpty())
        return 0.0;
    QString ca = na;
    QString cb = nb;
    ca.remove(QLatin1Char(' '));
    cb.remove(QLatin1Char(' '));
    return std::max(ratio(na, nb), ratio(ca, cb));
}

double TitleMatcher::score(const QString &title, std::optional<int> year,
                           const MetadataCandidate &candidate, const Options &options)
{
    double s = similarity(title, candidate.title);
    if (!candidate.originalTitle.isEmpty())
        s = std::max(s, similarity(title, candidate.originalTitle));
    if (year) {
        if (!candidate.year)
            s -= options.missingYearPenalty;
        else if (*candidate.year == *year)
            s += options.exactYearBonus;
        else if (std::abs(*candidate.year - *year) == 1)
            s -= options.nearYearPenalty;
        else
            s -= options.farYearPenalty;
    }
    return s;
}

std::optional<TitleMatcher::Match>
TitleMatcher::bestMatch(const QString &title, std::optional<int> year,
                        const QList<MetadataCandidate> &candidates, const Options &options)
{
    std::optional<Match> best;
    for (int i = 0; i < candidates.size(); ++i) {
        const MetadataCandidate &c = candidates.at(i);
        double titleScore = similarity(title, c.title);
        if (!c.originalTitle.isEmpty())
            titleScore = std::max(titleScore, similarity(title, c.originalTitle));
        if (titleScore < options.titleThreshold)
            continue;
        const double s = score(title, year, c, options);
        if (s < options.threshold)
            continue;
        // Equal scores (a title shared by several films, no year to tell them apart): the
        // more popular one is the likelier, as on TMDb's own search page.
        constexpr double epsilon = 1e-9;
        if (!best || s > best->score + epsilon ||
            (std::abs(s - best->score) <= epsilon &&
             candidates.at(i).popularity > candidates.at(best->index).popularity))
            best = Match{i, s};
    }
    return best;
}

} // namespace Revenge
