#pragma once

#include "SearchBackend.h"

#include <QVector>

namespace Revenge::Embedding {

// The similarity vector of an item, computed from its own metadata - no model download: genres,
// people and distinctive overview/title terms are hashed into kDimensions buckets with weights
// (genres and directors count most), then L2-normalised, so cosine similarity is a dot product.
constexpr int kDimensions = 256;

QVector<float> compute(const SearchDocument &document);
double cosine(const QVector<float> &a, const QVector<float> &b);

} // namespace Revenge::Embedding
