#include "tcpconnection.h"

using Confab::Protocol::ErrorCode;
using Confab::Protocol::LineFramer;

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

// ------------------------------------------------------------ TcpConnection

TcpConnection::TcpConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes,
                             QObject *parent, const std::optional<PeerAddress> &client)
    : SocketConnection(handler, Transport::Tcp, descriptor, parent, client)
    , m_reader(maxFrameBytes)
{
}

TcpConnection::TcpConnection(ConnectionHandler *handler, QSslSocket *socket, qsizetype maxFrameBytes,
                             QObject *parent)
    : SocketConnection(handler, Transport::Tcp, socket, parent)
    , m_reader(maxFrameBytes)
{
}

TcpConnection::~TcpConnection() = default;

void TcpConnection::received(QByteArrayView bytes)
{
    m_reader.feed(this, handler(), bytes);
}

void TcpConnection::writeFrame(const QByteArray &frame)
{
    // On TCP a frame is a line: the message's own bytes (shared with its
    // other recipients) and one line end for all.
    static const QByteArray lineEnd = QByteArrayLiteral("\n");
    queueShared(frame);
    queueShared(lineEnd);
}
