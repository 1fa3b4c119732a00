#pragma once

#include "connection.h"
#include "lineframer.h"

class QTcpSocket;

// JSON lines over a TCP (or TLS) socket.
class TcpConnection final : public Connection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpConnection)

public:
    // Takes ownership of the connected socket.
    TcpConnection(ConnectionHandler *handler, QTcpSocket *socket, qsizetype maxFrameBytes, QObject *parent = nullptr);
    ~TcpConnection() override;

    // Starts reading; call once the handler knows about the connection.
    void start();

protected:
    void writeLine(const QByteArray &line) override;
    qint64 queuedBytes() const override;
    void closeTransport() override;
    void abortTransport() override;
    void flushOutput() override;

private:
    void readFrames();

    QTcpSocket *m_socket;
    Confab::Protocol::LineFramer m_framer;
    // Lines sent since the last flush: written with one system call.
    QByteArray m_outgoing;
};
