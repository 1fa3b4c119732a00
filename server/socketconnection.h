#pragma once

#include "connection.h"

class QSocketNotifier;

// A connection straight on its socket descriptor, without QTcpSocket: no
// per-socket read and write blocks (Qt keeps 16 and 32 KiB once used). Reads
// go into the shared buffer and on to the transport's framing; output is
// gathered and written with one send() per connection per flush, and only
// when there is output. Plain TCP and plain WebSocket connections are built
// on it; encrypted ones go through Qt's TLS sockets.
class SocketConnection : public Connection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketConnection)

public:
    ~SocketConnection() override;

    // Starts reading. `alreadyRead` is input that arrived before this
    // connection took the socket over.
    void start(QByteArrayView alreadyRead = {});
    // For a connection over the limits: writes `bytes` if the socket takes
    // them at once, closes, and deletes itself. The handler never hears of it.
    void refuse(const QByteArray &bytes);

protected:
    // Takes ownership of the connected descriptor.
    SocketConnection(ConnectionHandler *handler, Transport transport, qintptr descriptor, bool encrypted,
                     QObject *parent);

    // Input for the transport's framing. Not called once the connection is
    // closing.
    virtual void received(QByteArrayView bytes) = 0;
    // Output, in order, written at the next flush.
    void queue(QByteArrayView bytes);
    // After what is queued now, no more: the write side is shut down once it
    // is out, while reading carries on until the client closes.
    void finishOutput();

    qint64 queuedBytes() const override { return m_outgoing.size(); }
    void flushOutput() override;
    void closeTransport() override;
    void abortTransport() override;

private:
    struct Peer
    {
        QHostAddress address;
        quint16 port = 0;
    };
    static Peer peerOf(int fd);
    SocketConnection(ConnectionHandler *handler, Transport transport, qintptr descriptor, bool encrypted,
                     QObject *parent, const Peer &peer);

    void readable();
    void closeDescriptor();

    int m_fd;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_outgoing;
    bool m_shutdownAfterFlush = false;
};
