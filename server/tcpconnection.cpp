#include "tcpconnection.h"

#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

using Confab::Protocol::ErrorCode;
using Confab::Protocol::LineFramer;

namespace {

QHostAddress peerOf(int fd, quint16 *port)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    *port = 0;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return {};
    QHostAddress peer(reinterpret_cast<const sockaddr *>(&address));
    if (address.ss_family == AF_INET)
        *port = ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
    else if (address.ss_family == AF_INET6)
        *port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
    return peer;
}

struct Peer
{
    QHostAddress address;
    quint16 port = 0;
};

Peer peer(int fd)
{
    Peer p;
    p.address = peerOf(fd, &p.port);
    return p;
}

bool socketIsEncrypted(const QTcpSocket *socket)
{
    const auto *ssl = qobject_cast<const QSslSocket *>(socket);
    return ssl && ssl->isEncrypted();
}

} // namespace

// ------------------------------------------------------------ LineConnection

char LineConnection::s_readBuffer[64 * 1024];

LineConnection::LineConnection(ConnectionHandler *handler, const QHostAddress &peer, quint16 peerPort, bool encrypted,
                               qsizetype maxFrameBytes, QObject *parent)
    : Connection(handler, Transport::Tcp, peer, peerPort, encrypted, parent)
    , m_framer(maxFrameBytes)
{
}

void LineConnection::consume(QByteArrayView bytes)
{
    if (isClosing())
        return;
    m_framer.append(bytes);
    QByteArray frame;
    LineFramer::Status status = LineFramer::Status::NeedMore;
    while (!isClosing() && (status = m_framer.next(&frame)) == LineFramer::Status::Frame)
        handler()->frameReceived(this, frame);
    if (status == LineFramer::Status::TooLarge && !isClosing()) {
        handler()->frameRejected(this, ErrorCode::FrameTooLarge,
                                 QStringLiteral("a line is longer than %1 bytes").arg(m_framer.maxFrameBytes()));
    }
}

void LineConnection::writeLine(const QByteArray &line)
{
    m_outgoing.append(line);
    markDirty();
}

// ------------------------------------------------------------ PlainTcpConnection

PlainTcpConnection::PlainTcpConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes,
                                       QObject *parent)
    : LineConnection(handler, peer(int(descriptor)).address, peer(int(descriptor)).port, false, maxFrameBytes, parent)
    , m_fd(int(descriptor))
{
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    // Chat is many small writes that someone is waiting for: no Nagle delay.
    const int on = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

PlainTcpConnection::~PlainTcpConnection()
{
    closeDescriptor();
}

void PlainTcpConnection::start()
{
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &PlainTcpConnection::readable);
    readable();
}

void PlainTcpConnection::refuse(const QByteArray &line)
{
    [[maybe_unused]] const ssize_t sent = ::send(m_fd, line.constData(), size_t(line.size()), MSG_NOSIGNAL);
    ::shutdown(m_fd, SHUT_RDWR);
    closeDescriptor();
    deleteLater();
}

void PlainTcpConnection::closeDescriptor()
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

void PlainTcpConnection::readable()
{
    while (m_fd >= 0) {
        const ssize_t got = ::recv(m_fd, s_readBuffer, sizeof s_readBuffer, 0);
        if (got > 0) {
            // After close() only the end of the stream matters.
            if (!isClosing())
                consume(QByteArrayView(s_readBuffer, got));
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

void PlainTcpConnection::flushOutput()
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
                connect(m_writeNotifier, &QSocketNotifier::activated, this, &PlainTcpConnection::writable);
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
    // A small buffer is kept for the next pass (no allocation per message in
    // a busy room); a large one is released, so idle connections stay cheap.
    if (m_outgoing.capacity() > 4096)
        m_outgoing = QByteArray();
    if (m_shutdownAfterFlush && m_fd >= 0) {
        m_shutdownAfterFlush = false;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void PlainTcpConnection::writable()
{
    flushOutput();
}

void PlainTcpConnection::closeTransport()
{
    // Send what is queued, then say we are done; the client's own close ends
    // the connection (or the grace timer does).
    m_shutdownAfterFlush = true;
    flushOutput();
}

void PlainTcpConnection::abortTransport()
{
    if (m_fd >= 0) {
        // A reset rather than a graceful close: nothing more will be read.
        const linger hard{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    closeDescriptor();
    transportClosed();
}

// ------------------------------------------------------------ TlsConnection

TlsConnection::TlsConnection(ConnectionHandler *handler, QTcpSocket *socket, qsizetype maxFrameBytes, QObject *parent)
    : LineConnection(handler, socket->peerAddress(), socket->peerPort(), socketIsEncrypted(socket), maxFrameBytes,
                     parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

TlsConnection::~TlsConnection() = default;

void TlsConnection::start()
{
    connect(m_socket, &QTcpSocket::readyRead, this, &TlsConnection::readAvailable);
    connect(m_socket, &QTcpSocket::disconnected, this, &TlsConnection::transportClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            transportClosed();
    });
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        transportClosed();
        return;
    }
    readAvailable();
}

void TlsConnection::readAvailable()
{
    while (!isClosing()) {
        const qint64 got = m_socket->read(s_readBuffer, sizeof s_readBuffer);
        if (got <= 0)
            break;
        consume(QByteArrayView(s_readBuffer, got));
    }
    Connection::flushAll();
}

void TlsConnection::flushOutput()
{
    if (m_outgoing.isEmpty())
        return;
    m_socket->write(m_outgoing);
    m_outgoing = QByteArray();
}

qint64 TlsConnection::transportQueuedBytes() const
{
    return m_socket->bytesToWrite();
}

void TlsConnection::closeTransport()
{
    flushOutput();
    // Unread input would make the kernel reset the connection and lose what
    // is still queued for the client; drop it first.
    m_socket->readAll();
    m_socket->disconnectFromHost();
}

void TlsConnection::abortTransport()
{
    m_socket->abort();
    transportClosed();
}
