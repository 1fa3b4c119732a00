#pragma once

#include "connection.h"
#include "lineframer.h"
#include "socketconnection.h"


// JSON lines: the framing both TCP transports share. Cuts received bytes
// into frames and hands them to the connection's handler.
class LineReader final
{
public:
    explicit LineReader(qsizetype maxFrameBytes);

    void feed(Connection *connection, ConnectionHandler *handler, QByteArrayView bytes);

private:
    Confab::Protocol::LineFramer m_framer;
};

// JSON lines over TCP, plain or TLS (see SocketConnection).
class TcpConnection final : public SocketConnection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpConnection)

public:
    // Takes ownership of the connected, accepted descriptor.
    TcpConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes, QObject *parent = nullptr,
                  const std::optional<PeerAddress> &client = std::nullopt);
    // Takes ownership of the socket, whose TLS handshake is done.
    TcpConnection(ConnectionHandler *handler, QSslSocket *socket, qsizetype maxFrameBytes, QObject *parent = nullptr);
    ~TcpConnection() override;

protected:
    void received(QByteArrayView bytes) override;
    void writeFrame(const QByteArray &frame) override;

private:
    LineReader m_reader;
};
