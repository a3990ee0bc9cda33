#include "library/MediaProbe.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

using namespace Revenge;

// No ffmpeg binary is available, so the test media are written by hand in formats simple
// enough to produce byte by byte: WAV (PCM) and Y4M (raw YUV frames).
class TestMediaProbe : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &data)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    static void appendLe32(QByteArray &b, quint32 v)
    {
        char buf[4];
        qToLittleEndian(v, buf);
        b.append(buf, 4);
    }
    static void appendLe16(QByteArray &b, quint16 v)
    {
        char buf[2];
        qToLittleEndian(v, buf);
        b.append(buf, 2);
    }

    // 16-bit stereo 44.1 kHz PCM; the header always claims `headerSeconds`, the data may be short.
    static QByteArray wav(double headerSeconds, double dataSeconds)
    {
        const quint32 rate = 44100, channels = 2, bytesPerFrame = channels * 2;
        const quint32 dataSize = quint32(rate * headerSeconds) * bytesPerFrame;
        QByteArray b("RIFF");
        appendLe32(b, 36 + dataSize);
        b.append("WAVEfmt ");
        appendLe32(b, 16);
        appendLe16(b, 1); // PCM
        appendLe16(b, channels);
        appendLe32(b, rate);
        appendLe32(b, rate * bytesPerFrame);
        appendLe16(b, bytesPerFrame);
        appendLe16(b, 16);
        b.append("data");
        appendLe32(b, dataSize);
        b.append(QByteArray(qsizetype(rate * dataSeconds) * bytesPerFrame, '\0'));
        return b;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void wavFile()
    {
        QString error;
        const auto r = MediaProbe::probe(write("silence.wav", wav(1.0, 1.0)), &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->container, QStringLiteral("wav"));
        QVERIFY2(qAbs(r->durationMs - 1000) <= 50, qPrintable(QString::number(r->durationMs)));
        QCOMPARE(r->streams.size(), 1);
        const StreamInfo &a = r->streams.first();
        QCOMPARE(a.type, QStringLiteral("audio"));
        QCOMPARE(a.codec, QStringLiteral("pcm_s16le"));
        QCOMPARE(a.channels, 2);
        QCOMPARE(a.sampleRate, 44100);
        QCOMPARE(a.channelLayout, QStringLiteral("stereo"));
        const QJsonObject json = r->toJson();
        QCOMPARE(json.value("container").toString(), QStringLiteral("wav"));
        QCOMPARE(json.value("streams").toArray().first().toObject().value("sample_rate").toInt(),
                 44100);
    }

    void y4mFile()
    {
        const int w = 64, h = 48, frames = 25;
        QByteArray b("YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C420jpeg\n");
        const QByteArray frame(w * h * 3 / 2, char(0x80));
        for (int i = 0; i < frames; ++i)
            b.append("FRAME\n").append(frame);
        QString error;
        const auto r = MediaProbe::probe(write("clip.y4m", b), &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->streams.size(), 1);
        const StreamInfo &v = r->streams.first();
        QCOMPARE(v.type, QStringLiteral("video"));
        QCOMPARE(v.codec, QStringLiteral("rawvideo"));
        QCOMPARE(v.width, 64);
        QCOMPARE(v.height, 48);
        QVERIFY2(qAbs(v.frameRate - 25.0) < 0.01, qPrintable(QString::number(v.frameRate)));
        QVERIFY(v.hdr.isEmpty());
        QVERIFY2(qAbs(r->durationMs - 1000) <= 50, qPrintable(QString::number(r->durationMs)));
    }

    void randomBytes()
    {
        QByteArray b(256 * 1024, Qt::Uninitialized);
        QRandomGenerator rng(12345); // fixed seed: a reproducible failure if it ever parses
        for (char &c : b)
            c = char(rng.generate() & 0xff);
        QString error;
        const auto r = MediaProbe::probe(write("noise.bin", b), &error);
        QVERIFY2(!r, qPrintable(r ? QJsonDocument(r->toJson()).toJson() : QByteArray()));
        QVERIFY(!error.isEmpty());
    }

    void missingFile()
    {
        const QString path = m_dir.filePath("does-not-exist.mkv");
        QString error;
        QVERIFY(!MediaProbe::probe(path, &error));
        QVERIFY2(error.contains(path), qPrintable(error));
    }

    void emptyFile()
    {
        QString error;
        QVERIFY(!MediaProbe::probe(write("empty.mkv", {}), &error));
        QVERIFY(!error.isEmpty());
    }

    void truncatedWav()
    {
        QString error;
        const auto r = MediaProbe::probe(write("truncated.wav", wav(1.0, 0.5)), &error);
        if (r) {
            qInfo() << "truncated WAV probed, duration" << r->durationMs << "ms";
            QVERIFY2(r->durationMs < 900, qPrintable(QString::number(r->durationMs)));
        } else {
            qInfo() << "truncated WAV rejected:" << error;
            QVERIFY(!error.isEmpty());
        }
    }

    void nullErrorPointer() { QVERIFY(!MediaProbe::probe(m_dir.filePath("nope"), nullptr)); }
};

QTEST_GUILESS_MAIN(TestMediaProbe)
#include "tst_mediaprobe.moc"
