#pragma once

#include "jobs/JobWorker.h"

#include <memory>

namespace Revenge {

class SearchIndexer;

// `search.index` {collection, ids}: re-reads the items and updates the search engine(s); enqueued
// by triggers whenever items, their people, genres or tags change.
class SearchIndexWorker : public JobWorker
{
public:
    explicit SearchIndexWorker(std::shared_ptr<SearchIndexer> indexer);
    QString kind() const override { return QStringLiteral("search.index"); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<SearchIndexer> m_indexer;
};

// `search.reindex` {}: rebuilds every collection, reporting progress; cancellable.
class SearchReindexWorker : public JobWorker
{
public:
    explicit SearchReindexWorker(std::shared_ptr<SearchIndexer> indexer);
    QString kind() const override { return QStringLiteral("search.reindex"); }
    std::chrono::milliseconds timeout() const override { return std::chrono::hours(2); }
    JobResult work(JobContext &context) override;

private:
    std::shared_ptr<SearchIndexer> m_indexer;
};

} // namespace Revenge
