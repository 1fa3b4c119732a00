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

// ------------------------------------------------------------ LineReader

LineReader::LineReader(qsizetype maxFrameBytes)
    : m_framer(maxFrameBytes)
{
}

void LineReader::feed(Connection *connection, ConnectionHandler *handler, QByteArrayView bytes)
{
    if (connection->isClosing())
        return;
    m_framer.append(bytes);
    QByteArray frame;
    LineFramer::Status status = LineFramer::Status::NeedMore;
    while (!connection->isClosing() && (status = m_framer.next(&frame)) == LineFramer::Status::Frame)
        handler->frameReceived(connection, frame);
    if (status == LineFramer::Status::TooLarge && !connection->isClosing()) {
        handler->frameRejected(connection, ErrorCode::FrameTooLarge,
                               QStringLiteral("a line is longer than %1 bytes").arg(m_framer.maxFrameBytes()));
    }
}

// ------------------------------------------------------------ PlainTcpConnection

PlainTcpConnection::PlainTcpConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes,
                                       QObject *parent)
    : SocketConnection(handler, Transport::Tcp, descriptor, false, parent)
    , m_reader(maxFrameBytes)
{
}

PlainTcpConnection::~PlainTcpConnection() = default;

void PlainTcpConnection::received(QByteArrayView bytes)
{
    m_reader.feed(this, handler(), bytes);
}

void PlainTcpConnection::writeLine(const QByteArray &line)
{
    queue(line);
}

// ------------------------------------------------------------ TlsConnection

TlsConnection::TlsConnection(ConnectionHandler *handler, QTcpSocket *socket, qsizetype maxFrameBytes, QObject *parent)
    : Connection(handler, Transport::Tcp, socket->peerAddress(), socket->peerPort(), socketIsEncrypted(socket), parent)
    , m_socket(socket)
    , m_reader(maxFrameBytes)
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
        m_reader.feed(this, handler(), QByteArrayView(s_readBuffer, got));
    }
    Connection::flushAll();
}

void TlsConnection::writeLine(const QByteArray &line)
{
    m_outgoing.append(line);
    markDirty();
}

qint64 TlsConnection::queuedBytes() const
{
    return m_outgoing.size() + m_socket->bytesToWrite();
}

void TlsConnection::flushOutput()
{
    if (m_outgoing.isEmpty())
        return;
    m_socket->write(m_outgoing);
    m_outgoing = QByteArray();
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
