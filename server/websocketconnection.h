#pragma once

#include "connection.h"

class QWebSocket;

// One JSON object per WebSocket text message.
class WebSocketConnection final : public Connection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketConnection)

public:
    // Takes ownership of the socket. Qt is told to refuse messages above
    // twice the frame limit on its own (close code 1009), so that no client
    // can make the server buffer more; between the limit and that, the client
    // gets a proper frame_too_large.
    WebSocketConnection(ConnectionHandler *handler, QWebSocket *socket, qsizetype maxFrameBytes, bool encrypted,
                        QObject *parent = nullptr);
    ~WebSocketConnection() override;

    void start();

protected:
    void writeLine(const QByteArray &line) override;
    qint64 queuedBytes() const override;
    void closeTransport() override;
    void abortTransport() override;

private:
    void textReceived(const QString &text);

    QWebSocket *m_socket;
    qsizetype m_maxFrameBytes;
};
