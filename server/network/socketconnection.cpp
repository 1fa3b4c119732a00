#include "socketconnection.h"

#include "metrics.h"

#include <QSslSocket>
#include <QTimer>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// At most this many pieces per gathered write (the kernel's IOV_MAX is 1024).
constexpr int MaxPiecesPerWrite = 512;

// Decrypted input a TLS socket may hold before it stops reading from the
// kernel: with input on hold, TCP's own flow control then stops the client.
constexpr qint64 TlsReadBufferBytes = 64 * 1024;

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
                                   QObject *parent, const std::optional<PeerAddress> &client)
    : SocketConnection(handler, transport, descriptor, parent, client ? *client : peerOf(int(descriptor)), true)
{
}

SocketConnection::SocketConnection(ConnectionHandler *handler, Transport transport, qintptr descriptor,
                                   QObject *parent, const Peer &peer, bool)
    : Connection(handler, transport, peer.address, peer.port, false, parent)
    , m_fd(int(descriptor))
{
    // One system call rather than three: every descriptor here comes from
    // QTcpServer's accept4(SOCK_CLOEXEC), and a socket has no other status
    // flags to keep. (A login is a handful of system calls; these were a
    // third of them.)
    ::fcntl(m_fd, F_SETFL, O_NONBLOCK);
    // Chat is many small writes that someone is waiting for: no Nagle delay.
    const int on = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

SocketConnection::SocketConnection(ConnectionHandler *handler, Transport transport, QSslSocket *socket,
                                   QObject *parent)
    : Connection(handler, transport, ClientAddress::of(socket).address, ClientAddress::of(socket).port, true, parent)
    , m_tls(socket)
{
    m_tls->setParent(this);
    m_tls->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_tls->setReadBufferSize(TlsReadBufferBytes);
}

SocketConnection::~SocketConnection()
{
    closeDescriptor();
}

void SocketConnection::start(QByteArrayView alreadyRead)
{
    if (m_tls) {
        connect(m_tls, &QSslSocket::readyRead, this, &SocketConnection::readable);
        connect(m_tls, &QSslSocket::encryptedBytesWritten, this, [this] {
            outputChanged(true);
            if (m_shutdownAfterFlush)
                flushTls();
        });
        connect(m_tls, &QSslSocket::disconnected, this, &SocketConnection::transportClosed);
        connect(m_tls, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
            if (m_tls->state() == QAbstractSocket::UnconnectedState)
                transportClosed();
        });
        if (!alreadyRead.isEmpty())
            received(alreadyRead);
        if (m_tls->state() != QAbstractSocket::ConnectedState) {
            transportClosed();
            return;
        }
        readable();
        return;
    }
    m_watch.start(m_fd, this);
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
    m_watch.stop();
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void SocketConnection::resumeInput()
{
    if (!m_inputPaused)
        return;
    m_inputPaused = false;
    if (m_fd >= 0) {
        // Level-triggered: it fires at once if input is waiting.
        m_watch.setReading(true);
    } else if (m_tls && !m_readScheduled) {
        // The TLS socket says readyRead only for new input; what it holds
        // already is read from the event loop.
        m_readScheduled = true;
        QTimer::singleShot(0, this, [this] {
            m_readScheduled = false;
            readable();
        });
    }
}

void SocketConnection::readable()
{
    if (m_inputPaused)
        return;
    if (!isClosing() && !mayRead()) {
        m_inputPaused = true;
        m_watch.setReading(false);
        return;
    }
    if (m_tls) {
        readTls();
        return;
    }
    // One buffer per pass: the level-triggered notifier comes back for the
    // rest, after everyone's output of this pass has been written.
    for (;;) {
        if (m_fd < 0)
            return;
        const ssize_t got = ::recv(m_fd, s_readBuffer, sizeof s_readBuffer, 0);
        if (got > 0) {
            serverMetrics().bytesIn += quint64(got);
            // After close() only the end of the stream matters.
            if (!isClosing())
                received(QByteArrayView(s_readBuffer, got));
            break;
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

void SocketConnection::readTls()
{
    const qint64 got = m_tls->read(s_readBuffer, sizeof s_readBuffer);
    if (got > 0)
        serverMetrics().bytesIn += quint64(got);
    if (got > 0 && !isClosing())
        received(QByteArrayView(s_readBuffer, got));
    if (m_tls->bytesAvailable() > 0 && !m_readScheduled) {
        m_readScheduled = true;
        QTimer::singleShot(0, this, [this] {
            m_readScheduled = false;
            readable();
        });
    }
    Connection::flushAll();
}

void SocketConnection::queue(QByteArrayView bytes)
{
    m_outgoing.append(bytes);
    markDirty();
}

void SocketConnection::queueShared(const QByteArray &bytes)
{
    m_outgoing.appendShared(bytes);
    markDirty();
}

void SocketConnection::finishOutput()
{
    m_shutdownAfterFlush = true;
    markDirty();
}

qint64 SocketConnection::queuedBytes() const
{
    if (m_tls)
        return m_outgoing.size() + m_tls->bytesToWrite() + m_tls->encryptedBytesToWrite();
    return m_outgoing.size();
}

void SocketConnection::flushTls()
{
    if (!m_outgoing.isEmpty()) {
        serverMetrics().bytesOut += quint64(m_outgoing.size());
        m_tls->write(m_outgoing.takeAll());
    }
    if (m_shutdownAfterFlush && m_tls->bytesToWrite() + m_tls->encryptedBytesToWrite() == 0) {
        m_shutdownAfterFlush = false;
        // As for plain TCP: only the write side ends, once everything is
        // out, and input is read (and dropped) until the client closes. A
        // full close with unread input would make the kernel reset the
        // connection and lose what the client has not read yet.
        ::shutdown(int(m_tls->socketDescriptor()), SHUT_WR);
    }
}

void SocketConnection::flushOutput()
{
    if (m_tls) {
        flushTls();
        return;
    }
    bool progressed = false;
    while (m_fd >= 0 && !m_outgoing.isEmpty()) {
        iovec pieces[MaxPiecesPerWrite];
        msghdr message{};
        message.msg_iov = pieces;
        message.msg_iovlen = size_t(m_outgoing.gather(pieces, MaxPiecesPerWrite));
        const ssize_t sent = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
        if (sent > 0) {
            serverMetrics().bytesOut += quint64(sent);
            m_outgoing.consume(sent);
            progressed = true;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The client is not reading fast enough; carry on when it does.
            m_watch.setWriting(true);
            outputChanged(progressed);
            return;
        }
        // Broken pipe or reset: reading will see the end.
        m_outgoing.clear();
        outputChanged(progressed);
        return;
    }
    m_watch.setWriting(false);
    outputChanged(progressed);
    if (m_shutdownAfterFlush && m_fd >= 0) {
        m_shutdownAfterFlush = false;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void SocketConnection::closeTransport()
{
    // Send what is queued, then say we are done; the client's own close ends
    // the connection (or the grace timer does), so reading goes on.
    finishOutput();
    flushOutput();
    resumeInput();
}

void SocketConnection::abortTransport()
{
    if (m_tls) {
        m_tls->abort();
        transportClosed();
        return;
    }
    if (m_fd >= 0) {
        // A reset rather than a graceful close: nothing more will be read.
        const linger hard{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    closeDescriptor();
    transportClosed();
}
