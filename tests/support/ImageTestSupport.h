#pragma once

#include <QByteArray>
#include <QColor>
#include <QImage>

namespace Revenge::Test {

// The image encoded as `format` ("png", "jpeg"); empty, with a warning, when it cannot be.
QByteArray encodeImage(const QImage &image, const char *format);

// A width x height picture: `background` with an `inner` rectangle over its middle half, so
// that scaled copies still differ from a flat fill.
QImage testPicture(int width, int height, const QColor &background, const QColor &inner = Qt::white,
                   QImage::Format format = QImage::Format_RGB32);

} // namespace Revenge::Test
