#pragma once

#include "MetadataProvider.h"

#include <QList>
#include <QString>
#include <optional>

namespace Revenge {

// Picks the search hit that is the item we have: normalised title similarity (against the
// title and the original title) plus agreement of the year. Remakes share a title, so the year
// decides between them; sequels share most of a title, so a plain substring test is not enough.
class TitleMatcher
{
public:
    struct Options
    {
        double threshold = 0.75; // best score below this: no match
        // The title alone must be this similar: a year bonus never turns a different title
        // ("Heat" for "Hearts") into a match.
        double titleThreshold = 0.8;
        double exactYearBonus = 0.10;  // both years known and equal
        double nearYearPenalty = 0.05; // off by one (festival vs. theatrical release, time zones)
        double farYearPenalty = 0.35;  // off by more: almost certainly another film
        double missingYearPenalty = 0.05; // we know the year, the candidate does not
    };

    struct Match
    {
        int index = -1; // into the candidate list
        double score = 0;
    };

    // Lower case, accents and punctuation removed, "&" -> "and", a leading (or trailing ", The")
    // article dropped, roman numerals II..XXXIX as numbers, whitespace collapsed.
    static QString normalize(const QString &title);
    // 0..1: Levenshtein ratio of the normalised titles (also compared without spaces, so
    // "Spider-Man" and "Spiderman" are equal).
    static double similarity(const QString &a, const QString &b);
    // Title similarity (best of title and original title) adjusted by the years.
    static double score(const QString &title, std::optional<int> year,
                        const MetadataCandidate &candidate, const Options &options);
    static double score(const QString &title, std::optional<int> year,
                        const MetadataCandidate &candidate)
    {
        return score(title, year, candidate, Options{});
    }

    // The best candidate above the threshold (ties: the more popular one), or nullopt.
    static std::optional<Match> bestMatch(const QString &title, std::optional<int> year,
                                          const QList<MetadataCandidate> &candidates,
                                          const Options &options);
    static std::optional<Match> bestMatch(const QString &title, std::optional<int> year,
                                          const QList<MetadataCandidate> &candidates)
    {
        return bestMatch(title, year, candidates, Options{});
    }
};

} // namespace Revenge
