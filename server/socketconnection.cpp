#include "socketconnection.h"

#include <QSocketNotifier>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A buffer that grew for a burst is released afterwards; a small one is kept
// for the next pass, so that a busy room costs no allocation per message.
constexpr qsizetype KeptOutputCapacity = 4096;

} // namespace

SocketConnection::Peer SocketConnection::peerOf(int fd)
{
    Peer peer;
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return peer;
    peer.address = QHostAddress(reinterpret_cast<const sockaddr *>(&address));
    if (address.ss_family == AF_INET)
        peer.port = ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
    else if (address.ss_family == AF_INET6)
        peer.port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
    return peer;
}

SocketConnection::SocketConnection(ConnectionHandler *handler, Transport transport, qintptr descriptor,
                                   bool encrypted, QObject *parent)
    : SocketConnection(handler, transport, descriptor, encrypted, parent, peerOf(int(descriptor)))
{
}

SocketConnection::SocketConnection(ConnectionHandler *handler, Transport transport, qintptr descriptor,
                                   bool encrypted, QObject *parent, const Peer &peer)
    : Connection(handler, transport, peer.address, peer.port, encrypted, parent)
    , m_fd(int(descriptor))
{
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    // Chat is many small writes that someone is waiting for: no Nagle delay.
    const int on = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

SocketConnection::~SocketConnection()
{
    closeDescriptor();
}

void SocketConnection::start(QByteArrayView alreadyRead)
{
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &SocketConnection::readable);
    if (!alreadyRead.isEmpty())
        received(alreadyRead);
    readable();
}

void SocketConnection::refuse(const QByteArray &bytes)
{
    [[maybe_unused]] const ssize_t sent = ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL);
    ::shutdown(m_fd, SHUT_RDWR);
    closeDescriptor();
    deleteLater();
}

void SocketConnection::closeDescriptor()
{
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void SocketConnection::readable()
{
    while (m_fd >= 0) {
        const ssize_t got = ::recv(m_fd, s_readBuffer, sizeof s_readBuffer, 0);
        if (got > 0) {
            // After close() only the end of the stream matters.
            if (!isClosing())
                received(QByteArrayView(s_readBuffer, got));
            // Less than a full buffer: the socket is drained for now, and the
            // level-triggered notifier says when there is more. Saves the
            // recv() that would only answer EAGAIN.
            if (size_t(got) < sizeof s_readBuffer)
                break;
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got < 0 && errno == EINTR)
            continue;
        // End of stream or a reset: the connection is over.
        closeDescriptor();
        transportClosed();
        return;
    }
    // Replies, and whatever else this input produced, go out now.
    Connection::flushAll();
}

void SocketConnection::queue(QByteArrayView bytes)
{
    m_outgoing.append(bytes);
    markDirty();
}

void SocketConnection::finishOutput()
{
    m_shutdownAfterFlush = true;
    markDirty();
}

void SocketConnection::flushOutput()
{
    while (m_fd >= 0 && !m_outgoing.isEmpty()) {
        const ssize_t sent = ::send(m_fd, m_outgoing.constData(), size_t(m_outgoing.size()), MSG_NOSIGNAL);
        if (sent > 0) {
            m_outgoing.remove(0, sent);
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The client is not reading fast enough; carry on when it does.
            if (!m_writeNotifier) {
                m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
                connect(m_writeNotifier, &QSocketNotifier::activated, this, &SocketConnection::flushOutput);
            }
            m_writeNotifier->setEnabled(true);
            return;
        }
        // Broken pipe or reset: reading will see the end.
        m_outgoing = QByteArray();
        return;
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    if (m_outgoing.capacity() > KeptOutputCapacity)
        m_outgoing = QByteArray();
    if (m_shutdownAfterFlush && m_fd >= 0) {
        m_shutdownAfterFlush = false;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void SocketConnection::closeTransport()
{
    // Send what is queued, then say we are done; the client's own close ends
    // the connection (or the grace timer does).
    finishOutput();
    flushOutput();
}

void SocketConnection::abortTransport()
{
    if (m_fd >= 0) {
        // A reset rather than a graceful close: nothing more will be read.
        const linger hard{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    closeDescriptor();
    transportClosed();
}
