#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <optional>

namespace Revenge {

// One elementary stream of a media file, as libavformat reports it.
struct StreamInfo
{
    int index = -1;
    QString type; // video, audio, subtitle, attachment, data, unknown
    QString codec;
    QString profile;
    // Video.
    int width = 0;
    int height = 0;
    double frameRate = 0;
    QString pixelFormat;
    QString hdr; // "", "HDR10", "HLG", "Dolby Vision"
    // Audio.
    int channels = 0;
    int sampleRate = 0;
    QString channelLayout;
    // All types.
    QString language; // the stream's "language" tag, as stored (usually ISO 639-2)
    QString title;
    bool isDefault = false;
    bool isForced = false;

    QJsonObject toJson() const;
};

struct ProbeResult
{
    QString container;
    qint64 durationMs = 0; // 0 when unknown
    qint64 bitRate = 0;    // bits per second, 0 when unknown
    QList<StreamInfo> streams;
    // Container (or audio stream) tags, keys lower case: title, artist, album, album_artist,
    // track ("3/12"), disc, date, genre...
    QMap<QString, QString> tags;

    QJsonObject toJson() const;
};

// Reads a local file's container and stream properties with libavformat. Bounded: probing reads
// a limited amount of data and gives up after a deadline, so a hostile or hanging file (or a
// stalled network mount) cannot block a worker forever. Thread-safe; keeps no global state.
class MediaProbe
{
public:
    static constexpr int DefaultTimeoutMs = 10000;

    static std::optional<ProbeResult> probe(const QString &path, QString *error,
                                            int timeoutMs = DefaultTimeoutMs);
};

} // namespace Revenge
