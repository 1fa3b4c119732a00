#include "tcpconnection.h"

#include <QSslSocket>
#include <QTcpSocket>

using Confab::Protocol::ErrorCode;
using Confab::Protocol::LineFramer;

namespace {

bool socketIsEncrypted(const QTcpSocket *socket)
{
    const auto *ssl = qobject_cast<const QSslSocket *>(socket);
    return ssl && ssl->isEncrypted();
}

} // namespace

TcpConnection::TcpConnection(ConnectionHandler *handler, QTcpSocket *socket, qsizetype maxFrameBytes, QObject *parent)
    : Connection(handler, Transport::Tcp, socket->peerAddress(), socket->peerPort(), socketIsEncrypted(socket), parent)
    , m_socket(socket)
    , m_framer(maxFrameBytes)
{
    m_socket->setParent(this);
    // Chat is many small writes that someone is waiting for: no Nagle delay.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

TcpConnection::~TcpConnection() = default;

void TcpConnection::start()
{
    connect(m_socket, &QTcpSocket::readyRead, this, &TcpConnection::readFrames);
    connect(m_socket, &QTcpSocket::disconnected, this, &TcpConnection::transportClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            transportClosed();
    });
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        transportClosed();
        return;
    }
    readFrames();
}

void TcpConnection::readFrames()
{
    // One buffer for every connection (the server is one thread): an idle
    // connection holds no read buffer of its own.
    static char buffer[64 * 1024];
    while (!isClosing()) {
        const qint64 got = m_socket->read(buffer, sizeof buffer);
        if (got <= 0)
            break;
        m_framer.append(QByteArrayView(buffer, got));
        QByteArray frame;
        LineFramer::Status status = LineFramer::Status::NeedMore;
        while (!isClosing() && (status = m_framer.next(&frame)) == LineFramer::Status::Frame)
            handler()->frameReceived(this, frame);
        if (status == LineFramer::Status::TooLarge && !isClosing()) {
            handler()->frameRejected(this, ErrorCode::FrameTooLarge,
                                     QStringLiteral("a line is longer than %1 bytes").arg(m_framer.maxFrameBytes()));
            break;
        }
    }
    // Replies, and whatever else this input produced, go out now.
    Connection::flushAll();
}

void TcpConnection::writeLine(const QByteArray &line)
{
    m_outgoing.append(line);
    markDirty();
}

void TcpConnection::flushOutput()
{
    if (m_outgoing.isEmpty())
        return;
    m_socket->write(m_outgoing);
    // A small buffer is kept for the next pass (no allocation per message in
    // a busy room); a large one is released, so idle connections stay cheap.
    if (m_outgoing.capacity() > 4096)
        m_outgoing = QByteArray();
    else
        m_outgoing.resize(0);
}

qint64 TcpConnection::queuedBytes() const
{
    return m_outgoing.size() + m_socket->bytesToWrite();
}

void TcpConnection::closeTransport()
{
    flushOutput();
    // Unread input would make the kernel reset the connection and lose what
    // is still queued for the client; drop it first.
    m_socket->readAll();
    m_socket->disconnectFromHost();
}

void TcpConnection::abortTransport()
{
    m_socket->abort();
    transportClosed();
}
