#include "Ports.h"

#include <QFile>
#include <QRandomGenerator>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Revenge::Ports {

namespace {
// Binds a loopback socket to `port` (0: any) and returns the bound port, 0 on failure.
quint16 bindLoopback(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    // Servers bind with SO_REUSEADDR, so a port whose old connections sit in TIME_WAIT is free
    // to them: judge it the same way, or a restarted service would needlessly move.
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    quint16 bound = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
        socklen_t len = sizeof addr;
        if (::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
            bound = ntohs(addr.sin_port);
    }
    ::close(fd);
    return bound;
}
} // namespace

bool isFree(quint16 port)
{
    return port != 0 && bindLoopback(port) == port;
}

quint16 pickFree()
{
    // Ports from the ephemeral range are also handed to outgoing connections, which can take the
    // port between our check and the server's bind. Pick below that range when we can.
    int low = 32768;
    QFile range(QStringLiteral("/proc/sys/net/ipv4/ip_local_port_range"));
    if (range.open(QIODevice::ReadOnly))
        low = range.readAll().simplified().split(' ').value(0).toInt();
    if (low > 12000) {
        for (int i = 0; i < 64; ++i) {
            const auto port = quint16(QRandomGenerator::global()->bounded(10000, low - 1000));
            if (isFree(port))
                return port;
        }
    }
    return bindLoopback(0);
}

} // namespace Revenge::Ports
