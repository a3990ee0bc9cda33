#include "Embedding.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSet>
#include <cmath>

namespace Revenge::Embedding {

namespace {

// Words too common to say anything about an item.
const QSet<QString> &stopWords()
{
    static const QSet<QString> words{
        QStringLiteral("the"),  QStringLiteral("a"),     QStringLiteral("an"),
        QStringLiteral("and"),  QStringLiteral("of"),    QStringLiteral("to"),
        QStringLiteral("in"),   QStringLiteral("is"),    QStringLiteral("his"),
        QStringLiteral("her"),  QStringLiteral("their"), QStringLiteral("with"),
        QStringLiteral("for"),  QStringLiteral("on"),    QStringLiteral("at"),
        QStringLiteral("by"),   QStringLiteral("from"),  QStringLiteral("as"),
        QStringLiteral("who"),  QStringLiteral("when"),  QStringLiteral("that"),
        QStringLiteral("this"), QStringLiteral("into"),  QStringLiteral("after"),
        QStringLiteral("but"),  QStringLiteral("must"),  QStringLiteral("one"),
        QStringLiteral("it")};
    return words;
}

// A feature lands in one bucket with a sign, both from its hash (the "hashing trick"; the
// sign keeps collisions from only ever adding up).
void add(QVector<float> &v, const QString &feature, float weight)
{
    const QByteArray h = QCryptographicHash::hash(feature.toUtf8(), QCryptographicHash::Md5);
    const quint32 bits = quint32(uchar(h[0])) | quint32(uchar(h[1])) << 8 |
                         quint32(uchar(h[2])) << 16 | quint32(uchar(h[3])) << 24;
    const int bucket = int(bits % kDimensions);
    const float sign = (uchar(h[4]) & 1) ? 1.0f : -1.0f;
    v[bucket] += sign * weight;
}

} // namespace

QVector<float> compute(const SearchDocument &d)
{
    QVector<float> v(kDimensions, 0.0f);
    for (const QString &g : d.genres)
        add(v, QStringLiteral("g:") + g.toLower(), 3.0f);
    for (const QString &p : d.directors)
        add(v, QStringLiteral("p:") + p.toLower(), 2.5f);
    for (int i = 0; i < d.cast.size() && i < 8; ++i)
        add(v, QStringLiteral("p:") + d.cast.at(i).toLower(), 1.5f / (1.0f + 0.2f * float(i)));
    if (d.year > 0)
        add(v, QStringLiteral("decade:") + QString::number(d.year / 10), 1.0f);
    if (!d.contentRating.isEmpty())
        add(v, QStringLiteral("rating:") + d.contentRating, 0.5f);
    if (!d.seriesTitle.isEmpty())
        add(v, QStringLiteral("series:") + d.seriesTitle.toLower(), 3.0f);
    static const QRegularExpression nonWord(QStringLiteral("[^\\p{L}\\p{N}]+"));
    const QStringList words =
        (d.title + QLatin1Char(' ') + d.overview).toLower().split(nonWord, Qt::SkipEmptyParts);
    for (const QString &w : words)
        if (w.size() >= 4 && !stopWords().contains(w))
            add(v, QStringLiteral("w:") + w, 0.6f);
    double norm = 0;
    for (float x : v)
        norm += double(x) * x;
    if (norm > 0) {
        const float inv = float(1.0 / std::sqrt(norm));
        for (float &x : v)
            x *= inv;
    }
    return v;
}

double cosine(const QVector<float> &a, const QVector<float> &b)
{
    if (a.size() != b.size() || a.isEmpty())
        return 0;
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.size(); ++i) {
        dot += double(a[i]) * b[i];
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
    }
    return (na > 0 && nb > 0) ? dot / std::sqrt(na * nb) : 0;
}

} // namespace Revenge::Embedding
