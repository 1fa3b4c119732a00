#include "websocketconnection.h"

#include <QWebSocket>

using Confab::Protocol::ErrorCode;

WebSocketConnection::WebSocketConnection(ConnectionHandler *handler, QWebSocket *socket, qsizetype maxFrameBytes,
                                         bool encrypted, QObject *parent)
    : Connection(handler, Transport::WebSocket, socket->peerAddress(), socket->peerPort(), encrypted, parent)
    , m_socket(socket)
    , m_maxFrameBytes(maxFrameBytes)
{
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingFrameSize(quint64(maxFrameBytes) * 2);
    m_socket->setMaxAllowedIncomingMessageSize(quint64(maxFrameBytes) * 2);
}

WebSocketConnection::~WebSocketConnection() = default;

void WebSocketConnection::start()
{
    connect(m_socket, &QWebSocket::textMessageReceived, this, &WebSocketConnection::textReceived);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        if (!isClosing())
            handler()->frameRejected(this, ErrorCode::BadJson, QStringLiteral("binary messages are not JSON text"));
    });
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketConnection::transportClosed);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        transportClosed();
}

void WebSocketConnection::textReceived(const QString &text)
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

void WebSocketConnection::writeLine(const QByteArray &line)
{
    // QWebSocket takes text as QString. A broadcast hands every recipient the
    // same bytes, so the converted text is kept for the next recipient
    // rather than converted again (the server is one thread).
    static QByteArray lastLine;
    static QString lastText;
    if (line.constData() != lastLine.constData() || line.size() != lastLine.size()) {
        lastLine = line;
        lastText = QString::fromUtf8(line.constData(), line.size() - 1);
    }
    m_socket->sendTextMessage(lastText);
}

qint64 WebSocketConnection::queuedBytes() const
{
    return m_socket->bytesToWrite();
}

void WebSocketConnection::closeTransport()
{
    m_socket->close(QWebSocketProtocol::CloseCodeNormal);
}

void WebSocketConnection::abortTransport()
{
    m_socket->abort();
    transportClosed();
}
