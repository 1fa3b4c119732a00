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
    if (m_socket->bytesAvailable() > 0)
        readFrames();
}

void TcpConnection::readFrames()
{
    while (m_socket->bytesAvailable() > 0 && !isClosing()) {
        m_framer.append(m_socket->read(64 * 1024));
        QByteArray frame;
        LineFramer::Status status = LineFramer::Status::NeedMore;
        while (!isClosing() && (status = m_framer.next(&frame)) == LineFramer::Status::Frame)
            handler()->frameReceived(this, frame);
        if (status == LineFramer::Status::TooLarge && !isClosing()) {
            handler()->frameRejected(this, ErrorCode::FrameTooLarge,
                                     QStringLiteral("a line is longer than %1 bytes").arg(m_framer.maxFrameBytes()));
            return;
        }
    }
}

void TcpConnection::writeLine(const QByteArray &line)
{
    m_socket->write(line);
}

qint64 TcpConnection::queuedBytes() const
{
    return m_socket->bytesToWrite();
}

void TcpConnection::closeTransport()
{
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
