#pragma once

#include "connection.h"
#include "lineframer.h"

class QSocketNotifier;
class QTcpSocket;

// JSON lines: the framing both TCP transports share. Incoming bytes are cut
// into frames for the handler; outgoing lines are gathered and written with
// one system call per connection per flush (see Connection::flushAll).
class LineConnection : public Connection
{
    Q_OBJECT

protected:
    LineConnection(ConnectionHandler *handler, const QHostAddress &peer, quint16 peerPort, bool encrypted,
                   qsizetype maxFrameBytes, QObject *parent);

    // Feeds received bytes through the framer to the handler.
    void consume(QByteArrayView bytes);
    void writeLine(const QByteArray &line) override;
    qint64 queuedBytes() const override { return m_outgoing.size() + transportQueuedBytes(); }
    virtual qint64 transportQueuedBytes() const { return 0; }

    // One buffer for every connection (the server is one thread): an idle
    // connection holds no read buffer of its own.
    static char s_readBuffer[64 * 1024];

    QByteArray m_outgoing;

private:
    Confab::Protocol::LineFramer m_framer;
};

// Plain TCP straight on the socket descriptor, without QTcpSocket: no
// per-socket read and write blocks (Qt keeps 16 and 32 KiB once used), reads
// into the shared buffer, writes with send() only when there is output.
class PlainTcpConnection final : public LineConnection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlainTcpConnection)

public:
    // Takes ownership of the connected, accepted descriptor.
    PlainTcpConnection(ConnectionHandler *handler, qintptr descriptor, qsizetype maxFrameBytes,
                       QObject *parent = nullptr);
    ~PlainTcpConnection() override;

    void start();
    // For a connection over the limits: writes `line` if the socket takes
    // it at once, closes, and deletes itself. The handler never hears of it.
    void refuse(const QByteArray &line);

protected:
    void flushOutput() override;
    void closeTransport() override;
    void abortTransport() override;

private:
    void readable();
    void writable();
    void closeDescriptor();

    int m_fd;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    bool m_shutdownAfterFlush = false;
};

// TCP with TLS, through QSslSocket (as QSslServer hands it over).
class TlsConnection final : public LineConnection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsConnection)

public:
    TlsConnection(ConnectionHandler *handler, QTcpSocket *socket, qsizetype maxFrameBytes, QObject *parent = nullptr);
    ~TlsConnection() override;

    void start();

protected:
    void flushOutput() override;
    qint64 transportQueuedBytes() const override;
    void closeTransport() override;
    void abortTransport() override;

private:
    void readAvailable();

    QTcpSocket *m_socket;
};
