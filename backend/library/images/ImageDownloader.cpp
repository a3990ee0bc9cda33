#include "ImageDownloader.h"

#include "core/Logging.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <memory>

namespace Revenge {

namespace {

bool isHttp(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

// Content types that may hold an image: image/*, and the generic binary types that
// misconfigured CDNs and object stores send (the store decodes the bytes in any case).
bool mayBeImage(const QString &contentType)
{
    return contentType.isEmpty() || contentType.startsWith(QLatin1String("image/")) ||
           contentType == QLatin1String("application/octet-stream") ||
           contentType == QLatin1String("binary/octet-stream");
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MB");
}

struct Hop
{
    ImageDownloader::Error error = ImageDownloader::Error::None;
    QString message;
    int status = 0;
    QUrl redirect;
    QByteArray body;
    QString contentType;
};

Hop fetchOnce(QNetworkAccessManager &nam, const QUrl &url, const ImageDownloader::Options &options,
              qint64 remainingMs, const std::function<bool()> &cancelled)
{
    using Error = ImageDownloader::Error;
    QNetworkRequest request(url);
    // Redirects are followed by get(), which checks each target's scheme and counts them.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(int(options.idleTimeout.count()));
    request.setHeader(QNetworkRequest::UserAgentHeader, options.userAgent);
    request.setRawHeader("Accept", "image/*");

    std::unique_ptr<QNetworkReply> reply(nam.get(request));
    // Back-pressure: Qt stops reading the socket when this much is waiting for us.
    reply->setReadBufferSize(256 * 1024);

    // An error status Qt has already reported ends the reply by itself.
    auto abortUnlessDone = [r = reply.get()] {
        if (!r->isFinished() && r->error() == QNetworkReply::NoError)
            r->abort();
    };
    Hop hop;
    bool decided = false; // we aborted on purpose, hop.error says why
    auto decide = [&](Error error, const QString &message) {
        if (decided)
            return;
        decided = true;
        hop.error = error;
        hop.message = message;
        hop.body.clear();
        // Aborted from the event loop, not from inside Qt's own signal: Qt may still be
        // reporting this response's error status, and aborting in between makes it report twice.
        QTimer::singleShot(0, reply.get(), abortUnlessDone);
    };

    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(reply.get(), &QNetworkReply::metaDataChanged, &loop, [&] {
        hop.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        hop.contentType = reply->header(QNetworkRequest::ContentTypeHeader)
                              .toString()
                              .section(QLatin1Char(';'), 0, 0)
                              .trimmed()
                              .toLower();
        const int s = hop.status;
        if (s >= 300 && s < 400) {
            const QByteArray location = reply->rawHeader("Location");
            if (location.isEmpty())
                decide(Error::Rejected, QStringLiteral("HTTP %1 without a Location").arg(s));
            else {
                hop.redirect = url.resolved(QUrl::fromEncoded(location));
                decided = true; // the body of a redirect is not needed
                QTimer::singleShot(0, reply.get(), abortUnlessDone);
            }
        } else if (s == 404 || s == 410) {
            decide(Error::NotFound, QStringLiteral("HTTP %1 (not found)").arg(s));
        } else if (s == 408 || s == 429 || s >= 500) {
            decide(Error::Transient, QStringLiteral("HTTP %1").arg(s));
        } else if (s >= 400) {
            decide(Error::Rejected, QStringLiteral("HTTP %1").arg(s));
        } else if (!mayBeImage(hop.contentType)) {
            decide(Error::NotImage,
                   QStringLiteral("not an image (Content-Type %1)").arg(hop.contentType));
        } else {
            bool known = false;
            const qint64 length =
                reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&known);
            if (known && length > options.maxBytes)
                decide(Error::TooLarge, QStringLiteral("Content-Length %1 is over the %2 limit")
                                            .arg(megabytes(length), megabytes(options.maxBytes)));
        }
    });
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
        if (decided)
            return;
        hop.body += reply->readAll();
        if (hop.body.size() > options.maxBytes)
            decide(Error::TooLarge, QStringLiteral("body is over the %1 limit (download stopped)")
                                        .arg(megabytes(options.maxBytes)));
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        decide(Error::Transient,
               QStringLiteral("timed out after %1 s").arg(options.totalTimeout.count() / 1000.0));
    });
    deadline.start(int(qMax<qint64>(remainingMs, 1)));
    QTimer poll;
    if (cancelled) {
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (cancelled())
                decide(Error::Cancelled, QStringLiteral("cancelled"));
        });
        poll.start(100);
    }
    if (!reply->isFinished())
        loop.exec();

    if (decided)
        return hop;
    if (reply->error() != QNetworkReply::NoError) {
        // Not aborted by us: a network failure, or Qt's transfer timeout (no byte for a while).
        const bool stalled = reply->error() == QNetworkReply::OperationCanceledError ||
                             reply->error() == QNetworkReply::TimeoutError;
        hop.error = Error::Transient;
        hop.message = stalled ? QStringLiteral("no data for %1 s (stalled)")
                                    .arg(options.idleTimeout.count() / 1000.0)
                              : reply->errorString();
        hop.body.clear();
        return hop;
    }
    hop.body += reply->readAll();
    if (hop.body.size() > options.maxBytes) {
        hop.error = Error::TooLarge;
        hop.message = QStringLiteral("body is over the %1 limit").arg(megabytes(options.maxBytes));
        hop.body.clear();
    } else if (hop.status < 200 || hop.status >= 300) {
        hop.error = Error::Rejected;
        hop.message = QStringLiteral("unexpected HTTP status %1").arg(hop.status);
        hop.body.clear();
    }
    return hop;
}

} // namespace

ImageDownloader::ImageDownloader(Options options)
    : m_options(std::move(options))
{}

ImageDownloader::ImageDownloader()
    : ImageDownloader(Options{})
{}

QString ImageDownloader::errorName(Error error)
{
    switch (error) {
    case Error::None:
        return QStringLiteral("none");
    case Error::BadUrl:
        return QStringLiteral("bad URL");
    case Error::NotFound:
        return QStringLiteral("not found");
    case Error::Rejected:
        return QStringLiteral("rejected");
    case Error::TooLarge:
        return QStringLiteral("too large");
    case Error::NotImage:
        return QStringLiteral("not an image");
    case Error::Transient:
        return QStringLiteral("transient");
    case Error::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

ImageDownloader::Result ImageDownloader::get(const QUrl &url,
                                             const std::function<bool()> &cancelled) const
{
    Result result;
    const QString shown = url.toDisplayString();
    auto fail = [&](Error error, const QString &message) {
        result.error = error;
        result.message = shown + QStringLiteral(": ") + message;
        result.body.clear();
        return result;
    };
    if (!isHttp(url))
        return fail(Error::BadUrl, QStringLiteral("only http and https URLs are fetched"));

    QNetworkAccessManager nam; // on this thread, with this call's event loop
    nam.setAutoDeleteReplies(false);
    QElapsedTimer elapsed;
    elapsed.start();
    QUrl current = url;
    for (int redirects = 0;; ++redirects) {
        const qint64 remaining = options().totalTimeout.count() - elapsed.elapsed();
        if (remaining <= 0)
            return fail(Error::Transient, QStringLiteral("timed out after %1 s")
                                              .arg(options().totalTimeout.count() / 1000.0));
        Hop hop = fetchOnce(nam, current, m_options, remaining, cancelled);
        result.status = hop.status;
        result.finalUrl = current;
        if (hop.error != Error::None) {
            if (current != url)
                hop.message += QStringLiteral(" (at %1)").arg(current.toDisplayString());
            return fail(hop.error, hop.message);
        }
        if (hop.redirect.isEmpty()) {
            result.body = std::move(hop.body);
            result.contentType = hop.contentType;
            qCDebug(lcImages).noquote() << "fetched" << shown << result.body.size() << "bytes";
            return result;
        }
        if (redirects >= m_options.maxRedirects)
            return fail(Error::Rejected,
                        QStringLiteral("more than %1 redirects").arg(m_options.maxRedirects));
        if (!isHttp(hop.redirect))
            return fail(Error::BadUrl, QStringLiteral("redirected to a non-http URL %1")
                                           .arg(hop.redirect.toDisplayString()));
        if (current.scheme() == QLatin1String("https") &&
            hop.redirect.scheme() == QLatin1String("http"))
            return fail(Error::BadUrl, QStringLiteral("redirected from https to http (%1)")
                                           .arg(hop.redirect.toDisplayString()));
        current = hop.redirect;
    }
}

} // namespace Revenge
