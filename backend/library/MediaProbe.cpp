#include "library/MediaProbe.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <chrono>
#include <memory>
#include <mutex>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>
}

namespace Revenge {

namespace {

using Clock = std::chrono::steady_clock;

// Enough for the headers of every common container; find_stream_info stops early once it
// knows all streams, so typical files cost far less.
constexpr const char *ProbeSize = "5000000";       // bytes
constexpr const char *AnalyzeDuration = "5000000"; // microseconds

struct Deadline
{
    Clock::time_point until;
};

// libavformat polls this during blocking I/O and demuxing; non-zero aborts with AVERROR_EXIT.
int interruptCallback(void *opaque)
{
    return Clock::now() >= static_cast<const Deadline *>(opaque)->until ? 1 : 0;
}

QString avError(int code)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buf, sizeof buf);
    return QString::fromUtf8(buf);
}

QString dictValue(const AVDictionary *dict, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(dict, key, nullptr, 0);
    return e ? QString::fromUtf8(e->value) : QString();
}

void quietLogging()
{
    // av_log_set_level is process-wide; set it once, race-free. Probing is noisy on bad files.
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

// iformat names are lists such as "mov,mp4,m4a,3gp,3g2,mj2"; prefer the one matching the
// file's extension so an .mp4 reports "mp4", not "mov".
QString containerName(const AVInputFormat *fmt, const QString &path)
{
    const QStringList names = QString::fromUtf8(fmt->name).split(QLatin1Char(','));
    const QString ext = QFileInfo(path).suffix().toLower();
    if (!ext.isEmpty() && names.contains(ext))
        return ext;
    return names.value(0);
}

QString hdrType(const AVStream *st)
{
    if (av_stream_get_side_data(st, AV_PKT_DATA_DOVI_CONF, nullptr))
        return QStringLiteral("Dolby Vision");
    switch (st->codecpar->color_trc) {
    case AVCOL_TRC_SMPTE2084:
        return QStringLiteral("HDR10");
    case AVCOL_TRC_ARIB_STD_B67:
        return QStringLiteral("HLG");
    default:
        return {};
    }
}

StreamInfo streamInfo(const AVStream *st)
{
    const AVCodecParameters *par = st->codecpar;
    StreamInfo s;
    s.index = st->index;
    const char *type = av_get_media_type_string(par->codec_type);
    s.type = type ? QString::fromUtf8(type) : QStringLiteral("unknown");
    s.codec = QString::fromUtf8(avcodec_get_name(par->codec_id));
    if (const char *profile = avcodec_profile_name(par->codec_id, par->profile))
        s.profile = QString::fromUtf8(profile);
    s.language = dictValue(st->metadata, "language");
    s.title = dictValue(st->metadata, "title");
    s.isDefault = st->disposition & AV_DISPOSITION_DEFAULT;
    s.isForced = st->disposition & AV_DISPOSITION_FORCED;

    if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
        s.width = par->width;
        s.height = par->height;
        AVRational rate = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
        if (rate.num > 0 && rate.den > 0)
            s.frameRate = av_q2d(rate);
        if (const char *pix = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format)))
            s.pixelFormat = QString::fromUtf8(pix);
        s.hdr = hdrType(st);
    } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
        s.channels = par->ch_layout.nb_channels;
        s.sampleRate = par->sample_rate;
        // Plain WAV and others leave the order unspecified; like ffprobe, report the usual
        // layout for that channel count ("stereo" rather than "2 channels").
        AVChannelLayout guess;
        const AVChannelLayout *chl = &par->ch_layout;
        if (chl->order == AV_CHANNEL_ORDER_UNSPEC && chl->nb_channels > 0) {
            av_channel_layout_default(&guess, chl->nb_channels);
            chl = &guess;
        }
        char layout[128] = {};
        if (chl->nb_channels > 0 && av_channel_layout_describe(chl, layout, sizeof layout) > 0)
            s.channelLayout = QString::fromUtf8(layout);
    }
    return s;
}

qint64 durationMs(const AVFormatContext *ctx)
{
    if (ctx->duration != AV_NOPTS_VALUE && ctx->duration > 0)
        return ctx->duration / (AV_TIME_BASE / 1000);
    // Some demuxers only know per-stream durations.
    qint64 best = 0;
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const AVStream *st = ctx->streams[i];
        if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
            best = qMax(best, av_rescale_q(st->duration, st->time_base, AVRational{1, 1000}));
    }
    return best;
}

struct InputCloser
{
    void operator()(AVFormatContext *ctx) const { avformat_close_input(&ctx); }
};

struct DictFreer
{
    void operator()(AVDictionary *d) const { av_dict_free(&d); }
};

} // namespace

QJsonObject StreamInfo::toJson() const
{
    auto str = [](const QString &s) { return s.isEmpty() ? QJsonValue() : QJsonValue(s); };
    QJsonObject o{{QStringLiteral("index"), index},
                  {QStringLiteral("type"), type},
                  {QStringLiteral("codec"), codec},
                  {QStringLiteral("profile"), str(profile)},
                  {QStringLiteral("language"), str(language)},
                  {QStringLiteral("title"), str(title)},
                  {QStringLiteral("default"), isDefault},
                  {QStringLiteral("forced"), isForced}};
    if (type == QLatin1String("video")) {
        o.insert(QStringLiteral("width"), width);
        o.insert(QStringLiteral("height"), height);
        o.insert(QStringLiteral("frame_rate"),
                 frameRate > 0 ? QJsonValue(frameRate) : QJsonValue());
        o.insert(QStringLiteral("pixel_format"), str(pixelFormat));
        o.insert(QStringLiteral("hdr"), str(hdr));
    } else if (type == QLatin1String("audio")) {
        o.insert(QStringLiteral("channels"), channels);
        o.insert(QStringLiteral("sample_rate"), sampleRate);
        o.insert(QStringLiteral("channel_layout"), str(channelLayout));
    }
    return o;
}

QJsonObject ProbeResult::toJson() const
{
    QJsonArray list;
    for (const StreamInfo &s : streams)
        list.append(s.toJson());
    QJsonObject tagsJson;
    for (auto it = tags.cbegin(); it != tags.cend(); ++it)
        tagsJson.insert(it.key(), it.value());
    return QJsonObject{
        {QStringLiteral("container"), container},
        {QStringLiteral("duration_ms"), durationMs > 0 ? QJsonValue(durationMs) : QJsonValue()},
        {QStringLiteral("bit_rate"), bitRate > 0 ? QJsonValue(bitRate) : QJsonValue()},
        {QStringLiteral("streams"), list},
        {QStringLiteral("tags"), tagsJson}};
}

std::optional<ProbeResult> MediaProbe::probe(const QString &path, QString *error, int timeoutMs)
{
    quietLogging();
    auto fail = [&](const QString &why) -> std::optional<ProbeResult> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return std::nullopt;
    };

    // Checked here so the common case gets a plain message rather than libav's ENOENT text.
    const QFileInfo info(path);
    if (!info.exists())
        return fail(QStringLiteral("no such file"));
    if (!info.isFile())
        return fail(QStringLiteral("not a regular file"));
    if (info.size() == 0)
        return fail(QStringLiteral("empty file"));

    Deadline deadline{Clock::now() + std::chrono::milliseconds(timeoutMs)};
    AVFormatContext *raw = avformat_alloc_context();
    if (!raw)
        return fail(QStringLiteral("out of memory"));
    raw->interrupt_callback.callback = interruptCallback;
    raw->interrupt_callback.opaque = &deadline;

    AVDictionary *opts = nullptr;
    av_dict_set(&opts, "probesize", ProbeSize, 0);
    av_dict_set(&opts, "analyzeduration", AnalyzeDuration, 0);
    // A playlist-type file (HLS, concat, ...) must not make us open URLs or other files'
    // protocols: only plain local files.
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    std::unique_ptr<AVDictionary, DictFreer> optsGuard;

    // "file:" so a colon in the name is never read as a protocol prefix.
    const QByteArray url = "file:" + QFile::encodeName(info.absoluteFilePath());
    int rc = avformat_open_input(&raw, url.constData(), nullptr, &opts);
    optsGuard.reset(opts);
    if (rc < 0) // avformat_open_input frees the context on failure
        return fail(rc == AVERROR_EXIT ? QStringLiteral("timed out") : avError(rc));
    std::unique_ptr<AVFormatContext, InputCloser> ctx(raw);

    rc = avformat_find_stream_info(ctx.get(), nullptr);
    if (rc < 0)
        return fail(rc == AVERROR_EXIT ? QStringLiteral("timed out") : avError(rc));

    ProbeResult result;
    result.container = containerName(ctx->iformat, path);
    result.durationMs = durationMs(ctx.get());
    result.bitRate = ctx->bit_rate > 0 ? ctx->bit_rate : 0;
    // Container tags (ID3, Vorbis comments, MP4 atoms), keys lower-cased; values bounded so a
    // hostile file cannot bloat the row.
    const AVDictionaryEntry *tag = nullptr;
    while ((tag = av_dict_get(ctx->metadata, "", tag, AV_DICT_IGNORE_SUFFIX))) {
        const QString key = QString::fromUtf8(tag->key).toLower();
        if (key.size() <= 64 && result.tags.size() < 64)
            result.tags.insert(key, QString::fromUtf8(tag->value).left(1024).trimmed());
    }
    // Ogg/FLAC keep Vorbis comments on the audio stream rather than the container.
    for (unsigned i = 0; i < ctx->nb_streams && result.tags.isEmpty(); ++i) {
        tag = nullptr;
        while ((tag = av_dict_get(ctx->streams[i]->metadata, "", tag, AV_DICT_IGNORE_SUFFIX))) {
            const QString key = QString::fromUtf8(tag->key).toLower();
            if (key != QLatin1String("language") && key.size() <= 64 && result.tags.size() < 64)
                result.tags.insert(key, QString::fromUtf8(tag->value).left(1024).trimmed());
        }
    }
    bool anyKnown = false;
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        StreamInfo s = streamInfo(ctx->streams[i]);
        anyKnown = anyKnown || ctx->streams[i]->codecpar->codec_id != AV_CODEC_ID_NONE;
        result.streams.append(std::move(s));
    }
    // Garbage sometimes passes a weak format probe; without one decodable stream it is not media.
    if (!anyKnown)
        return fail(QStringLiteral("no recognisable media streams"));
    return result;
}

} // namespace Revenge
