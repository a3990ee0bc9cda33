#pragma once

#include "SearchBackend.h"

#include <atomic>
#include <functional>
#include <memory>

namespace Revenge {

class DatabasePool;

// Turns library items (media.* and c.* tables, with their people and genres) into search
// documents and hands them to the engine. index() is the incremental path (one job per batch of
// changed ids; ids that no longer exist are removed); reindexAll() rebuilds everything.
class SearchIndexer
{
public:
    SearchIndexer(std::shared_ptr<DatabasePool> pool, SearchBackend *backend);

    std::optional<IndexReport> index(SearchCollection collection, const QStringList &ids,
                                     QString *error = nullptr);

    using Progress = std::function<void(const QString &phase, qint64 done, qint64 total)>;
    std::optional<IndexReport> reindexAll(const Progress &progress,
                                          const std::atomic<bool> *cancel = nullptr,
                                          QString *error = nullptr);

    // Documents of `collection`: the given ids, or (ids empty) up to `limit` after `afterId`.
    std::optional<QList<SearchDocument>> load(SearchCollection collection, const QStringList &ids,
                                              const QString &afterId, int limit,
                                              QString *error = nullptr);

private:
    std::shared_ptr<DatabasePool> m_pool;
    SearchBackend *m_backend;
};

} // namespace Revenge
