#include "websocketconnection.h"

#include <QWebSocket>

using Confab::Protocol::ErrorCode;

// ------------------------------------------------------------ WebSocketConnection

WebSocketConnection::WebSocketConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes,
                                         QObject *parent, const std::optional<PeerAddress> &client)
    : SocketConnection(handler, Transport::WebSocket, descriptor, parent, client)
    , m_framer(maxFrameBytes)
{
}

WebSocketConnection::WebSocketConnection(ConnectionHandler *handler, QSslSocket *socket, qsizetype maxFrameBytes,
                                         QObject *parent)
    : SocketConnection(handler, Transport::WebSocket, socket, parent)
    , m_framer(maxFrameBytes)
{
}

WebSocketConnection::~WebSocketConnection() = default;

void WebSocketConnection::received(QByteArrayView bytes)
{
    m_framer.append(bytes);
    QByteArray payload;
    while (!isClosing()) {
        switch (m_framer.next(&payload)) {
        case WebSocketFramer::Status::NeedMore:
            return;
        case WebSocketFramer::Status::Text:
            handler()->frameReceived(this, payload);
            break;
        case WebSocketFramer::Status::Binary:
            handler()->frameRejected(this, ErrorCode::BadJson, QStringLiteral("binary messages are not JSON text"));
            break;
        case WebSocketFramer::Status::Ping: {
            // A client that pings and never reads would otherwise grow the
            // server without bound: pongs count like every other output.
            QByteArray pong;
            WebSocketFramer::appendFrame(pong, WebSocketFramer::Opcode::Pong, payload);
            if (!admitOutput(pong.size()))
                return;
            queue(pong);
            outputChanged(false);
            break;
        }
        case WebSocketFramer::Status::Close:
            // The client's closing handshake: answer with its code; the
            // connection ends when it closes its side. Without a reason of
            // our own, the others hear "connection lost", as for any client
            // that goes without saying quit.
            sendClose(m_framer.closeCode());
            close(QString());
            return;
        case WebSocketFramer::Status::TooLarge:
            m_closeCode = WebSocketFramer::CloseTooBig;
            handler()->frameRejected(this, ErrorCode::FrameTooLarge,
                                     QStringLiteral("a message is longer than %1 bytes").arg(m_framer.maxMessageBytes()));
            return;
        case WebSocketFramer::Status::Failed:
            sendClose(m_framer.closeCode(), m_framer.closeReason().toUtf8());
            close(QStringLiteral("WebSocket protocol error: %1").arg(m_framer.closeReason()));
            return;
        }
    }
}

void WebSocketConnection::writeFrame(const QByteArray &frame)
{
    // The encoded event is the message, as it is: the same bytes for every
    // recipient. So is its header, which depends only on the length: made
    // once for a message sent to many, and shared like the message.
    struct Header
    {
        qsizetype length = -1;
        QByteArray bytes;
    };
    thread_local Header last;
    if (last.length != frame.size()) {
        uchar header[WebSocketFramer::MaxHeaderBytes];
        const qsizetype headerBytes = WebSocketFramer::writeHeader(header, WebSocketFramer::Opcode::Text, frame.size());
        last.bytes = QByteArray(reinterpret_cast<const char *>(header), headerBytes);
        last.length = frame.size();
    }
    queueShared(last.bytes);
    queueShared(frame);
}

void WebSocketConnection::sendClose(quint16 code, QByteArrayView reason)
{
    if (m_closeSent)
        return;
    m_closeSent = true;
    QByteArray frame;
    WebSocketFramer::appendClose(frame, code, reason);
    queue(frame);
}

void WebSocketConnection::closeTransport()
{
    sendClose(m_closeCode);
    SocketConnection::closeTransport();
}

// ------------------------------------------------------------ QtWebSocketConnection

QtWebSocketConnection::QtWebSocketConnection(ConnectionHandler *handler, QWebSocket *socket, qsizetype maxFrameBytes,
                                         bool encrypted, QObject *parent)
    : Connection(handler, Transport::WebSocket, socket->peerAddress(), socket->peerPort(), encrypted, parent)
    , m_socket(socket)
    , m_maxFrameBytes(maxFrameBytes)
{
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingFrameSize(quint64(maxFrameBytes) * 2);
    m_socket->setMaxAllowedIncomingMessageSize(quint64(maxFrameBytes) * 2);
}

QtWebSocketConnection::~QtWebSocketConnection() = default;

void QtWebSocketConnection::start()
{
    connect(m_socket, &QWebSocket::textMessageReceived, this, &QtWebSocketConnection::textReceived);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        if (!isClosing())
            handler()->frameRejected(this, ErrorCode::BadJson, QStringLiteral("binary messages are not JSON text"));
    });
    connect(m_socket, &QWebSocket::disconnected, this, &QtWebSocketConnection::transportClosed);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        transportClosed();
}

void QtWebSocketConnection::textReceived(const QString &text)
{
    if (isClosing())
        return;
    const QByteArray frame = text.toUtf8();
    if (frame.size() > m_maxFrameBytes) {
        handler()->frameRejected(this, ErrorCode::FrameTooLarge,
                                 QStringLiteral("a message is longer than %1 bytes").arg(m_maxFrameBytes));
        return;
    }
    handler()->frameReceived(this, frame);
}

void QtWebSocketConnection::writeFrame(const QByteArray &frame)
{
    // QWebSocket takes text as QString. A broadcast hands every recipient the
    // same bytes, so the converted text is kept for the next recipient
    // rather than converted again (the server is one thread).
    static QByteArray lastFrame;
    static QString lastText;
    if (frame.constData() != lastFrame.constData() || frame.size() != lastFrame.size()) {
        lastFrame = frame;
        lastText = QString::fromUtf8(frame);
    }
    m_socket->sendTextMessage(lastText);
}

qint64 QtWebSocketConnection::queuedBytes() const
{
    return m_socket->bytesToWrite();
}

void QtWebSocketConnection::closeTransport()
{
    m_socket->close(QWebSocketProtocol::CloseCodeNormal);
}

void QtWebSocketConnection::abortTransport()
{
    m_socket->abort();
    transportClosed();
}
