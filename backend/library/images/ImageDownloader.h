#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>
#include <chrono>
#include <functional>

namespace Revenge {

// Fetches one image over HTTP(S), synchronously, for a job worker thread. The body is never held
// beyond the size limit: a Content-Length over it is refused before reading, and a body without
// one is aborted as soon as the received bytes pass it. Answers that say they are not images
// (text/html and the like) are refused on their headers.
class ImageDownloader
{
public:
    struct Options
    {
        qint64 maxBytes = 20 * 1024 * 1024;
        // No byte received for this long: the server stalled.
        std::chrono::milliseconds idleTimeout{std::chrono::seconds(30)};
        // The whole download, redirects included.
        std::chrono::milliseconds totalTimeout{std::chrono::minutes(2)};
        int maxRedirects = 5;
        QByteArray userAgent = QByteArrayLiteral("Revenge/" REVENGE_VERSION);
    };

    enum class Error
    {
        None,
        BadUrl,    // not http(s), unparsable, a redirect to another scheme or from https to http
        NotFound,  // 404 / 410: the image is gone, retrying will not help
        Rejected,  // another 4xx, too many redirects: permanent
        TooLarge,  // over maxBytes (declared or received)
        NotImage,  // Content-Type says it is not an image
        Transient, // 5xx, 408, 429, network error, timeout: worth retrying
        Cancelled  // the caller's cancel check said so
    };

    struct Result
    {
        Error error = Error::None;
        QString message; // names the URL and what was wrong
        int status = 0;  // the last HTTP status seen, 0 when none
        QByteArray body;
        QString contentType; // without parameters, lower case
        QUrl finalUrl;       // after redirects
        bool ok() const { return error == Error::None; }
    };

    explicit ImageDownloader(Options options);
    ImageDownloader();

    // Runs a local event loop on the calling thread (which needs none of its own). `cancelled`
    // is polled every 100 ms.
    Result get(const QUrl &url, const std::function<bool()> &cancelled = {}) const;

    const Options &options() const { return m_options; }
    static QString errorName(Error error);

private:
    Options m_options;
};

} // namespace Revenge
