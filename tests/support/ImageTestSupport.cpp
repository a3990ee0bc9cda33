#include "ImageTestSupport.h"

#include <QBuffer>
#include <QDebug>
#include <QImageWriter>
#include <QPainter>

namespace Revenge::Test {

QByteArray encodeImage(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    if (!writer.write(image))
        qWarning() << "cannot encode" << format << writer.errorString();
    return bytes;
}

QImage testPicture(int width, int height, const QColor &background, const QColor &inner,
                   QImage::Format format)
{
    QImage image(width, height, format);
    image.fill(background);
    QPainter p(&image);
    p.fillRect(width / 4, height / 4, width / 2, height / 2, inner);
    return image;
}

} // namespace Revenge::Test
