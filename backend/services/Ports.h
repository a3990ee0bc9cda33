#pragma once

#include <QtGlobal>

namespace Revenge::Ports {

// Whether nothing listens on 127.0.0.1:port right now.
bool isFree(quint16 port);
// A port the kernel considers free on loopback (it may be taken before it is used: callers that
// start a server on it retry on "address in use").
quint16 pickFree();

} // namespace Revenge::Ports
