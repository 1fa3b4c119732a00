#pragma once

#include "connection.h"
#include "socketconnection.h"
#include "websocketframer.h"

class QWebSocket;

// WebSocket once the handshake is done (ws:// by Qt's WebSocket server,
// wss:// by HttpServer): one JSON object per text message, framed here, on
// the bare descriptor or the TLS socket. A broadcast costs each recipient a
// 2–4 byte header and a copy of the event's encoded bytes — no conversion to
// and from QString, no per-socket Qt buffers. Pongs and close frames are
// output like any other and count against the send-queue limit.
class WebSocketConnection final : public SocketConnection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketConnection)

public:
    // Takes ownership of the descriptor, on which the handshake is complete.
    WebSocketConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes,
                        QObject *parent = nullptr, const std::optional<PeerAddress> &client = std::nullopt);
    // Takes ownership of the TLS socket, on which the handshake is complete.
    WebSocketConnection(ConnectionHandler *handler, QSslSocket *socket, qsizetype maxFrameBytes,
                        QObject *parent = nullptr);
    ~WebSocketConnection() override;

protected:
    void received(QByteArrayView bytes) override;
    void writeFrame(const QByteArray &frame) override;
    void closeTransport() override;

private:
    void sendClose(quint16 code, QByteArrayView reason = {});

    WebSocketFramer m_framer;
    quint16 m_closeCode = WebSocketFramer::CloseNormal; // for a close of ours
    bool m_closeSent = false;
};

// WebSocket through QWebSocket: for a handshake whose socket Qt could not
// hand over cleanly.
class QtWebSocketConnection final : public Connection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QtWebSocketConnection)

public:
    // Takes ownership of the socket. Qt is told to refuse messages above
    // twice the frame limit on its own (close code 1009), so that no client
    // can make the server buffer more; between the limit and that, the client
    // gets a proper frame_too_large.
    QtWebSocketConnection(ConnectionHandler *handler, QWebSocket *socket, qsizetype maxFrameBytes, bool encrypted,
                          QObject *parent = nullptr);
    ~QtWebSocketConnection() override;

    void start();

protected:
    void writeFrame(const QByteArray &frame) override;
    qint64 queuedBytes() const override;
    void closeTransport() override;
    void abortTransport() override;

private:
    void textReceived(const QString &text);

    QWebSocket *m_socket;
    qsizetype m_maxFrameBytes;
};
