#pragma once

#include "connection.h"
#include "lineframer.h"
#include "socketconnection.h"

class QTcpSocket;

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

// Plain TCP, on the bare descriptor (see SocketConnection).
class PlainTcpConnection final : public SocketConnection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlainTcpConnection)

public:
    // Takes ownership of the connected, accepted descriptor.
    PlainTcpConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes,
                       QObject *parent = nullptr);
    ~PlainTcpConnection() override;

protected:
    void received(QByteArrayView bytes) override;
    void writeLine(const QByteArray &line) override;

private:
    LineReader m_reader;
};

// TCP with TLS, through QSslSocket (as QSslServer hands it over). Output is
// gathered during a pass like everywhere else, and given to the socket in
// one write.
class TlsConnection final : public Connection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsConnection)

public:
    TlsConnection(ConnectionHandler *handler, QTcpSocket *socket, qsizetype maxFrameBytes, QObject *parent = nullptr);
    ~TlsConnection() override;

    void start();

protected:
    void writeLine(const QByteArray &line) override;
    qint64 queuedBytes() const override;
    void flushOutput() override;
    void closeTransport() override;
    void abortTransport() override;

private:
    void readAvailable();

    QTcpSocket *m_socket;
    LineReader m_reader;
    QByteArray m_outgoing;
};
