#pragma once

#include "MediaMetadata.h"

#include <memory>
#include <optional>

namespace Revenge {

class DatabasePool;

// Reads items for metadata sources and writes what the sources say back into the catalogue.
// Thread-safe (borrows the calling thread's pooled connection); each apply is one transaction.
class MetadataWriter
{
public:
    explicit MetadataWriter(std::shared_ptr<DatabasePool> pool);

    // nullopt with `error` set when the item does not exist or the database fails; `error` is
    // "not found: ..." for a missing item.
    std::optional<ItemSummary> load(const ItemRef &item, QString *error = nullptr);

    // Writes the set fields. A metadata_locked item only gains external ids and fields that are
    // still empty. Genres and credits given by the source replace the item's; external ids are
    // merged; local images (ImageRef::path) become image rows. Remote images are not touched
    // here: callers enqueue images.download for them.
    bool apply(const ItemRef &item, const MediaMetadata &metadata, QString *error = nullptr);

private:
    std::shared_ptr<DatabasePool> m_pool;
};

} // namespace Revenge
