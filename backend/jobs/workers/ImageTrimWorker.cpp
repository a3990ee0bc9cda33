#include "ImageTrimWorker.h"

#include "library/images/ImageStore.h"

namespace Revenge {

ImageTrimWorker::ImageTrimWorker(std::shared_ptr<ImageStore> store, qint64 maxBytes)
    : m_store(std::move(store))
    , m_maxBytes(maxBytes)
{}

JobResult ImageTrimWorker::work(JobContext &context)
{
    QString error;
    const auto report = m_store->trim(m_maxBytes, &error);
    if (!report)
        return JobResult::error(QStringLiteral("image cache trimming failed: %1").arg(error));
    context.reportProgress(QStringLiteral("done"), 1, 1,
                           QStringLiteral("%1 unreferenced, %2 least recently used, %3 stray "
                                          "files removed; %4 bytes freed, %5 bytes kept")
                               .arg(report->unreferencedRemoved)
                               .arg(report->evicted)
                               .arg(report->orphanFilesRemoved)
                               .arg(report->bytesFreed)
                               .arg(report->bytesAfter));
    return JobResult::complete();
}

} // namespace Revenge
