#pragma once

#include "clientaddress.h"
#include "connection.h"
#include "outputqueue.h"
#include "socketwatch.h"

class QSslSocket;

// The byte stream under the JSON-lines and WebSocket framings, plain or TLS.
//
// Plain: straight on the socket descriptor, without QTcpSocket: no
// per-socket read and write blocks (Qt keeps 16 and 32 KiB once used). Reads
// go into the shared buffer; output waits as shared pieces (OutputQueue) and
// is written with one sendmsg() per connection per flush, and only when
// there is output. The descriptor is watched through SocketWatch.
//
// TLS: through a QSslSocket whose handshake is done. Output is gathered the
// same way and handed to the socket in one write; what is unsent counts the
// encrypted bytes the socket still holds, so a TLS client that does not read
// is dropped like any other.
//
// Either way, input is read at most one buffer per event-loop pass, and not
// at all while Backpressure holds it: a burst cannot outrun the clients that
// are reading it.
class SocketConnection : public Connection, private DescriptorWatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketConnection)

public:
    ~SocketConnection() override;

    // Starts reading. `alreadyRead` is input that arrived before this
    // connection took the socket over.
    void start(QByteArrayView alreadyRead = {});
    // For a plain connection over the limits: writes `bytes` if the socket
    // takes them at once, closes, and deletes itself. The handler never
    // hears of it.
    void refuse(const QByteArray &bytes);

    void resumeInput() override;

    // The other end of a connected descriptor.
    static PeerAddress peerOf(int fd);

protected:
    // Takes ownership of the connected descriptor. `client`: the address
    // behind a trusted proxy, instead of the peer's.
    SocketConnection(ConnectionHandler *handler, Transport transport, qintptr descriptor, QObject *parent,
                     const std::optional<PeerAddress> &client = std::nullopt);
    // Takes ownership of the socket, encrypted already.
    SocketConnection(ConnectionHandler *handler, Transport transport, QSslSocket *socket, QObject *parent);

    // Input for the transport's framing. Not called once the connection is
    // closing.
    virtual void received(QByteArrayView bytes) = 0;
    // Output, in order, written at the next flush: copied, or shared with
    // whoever else holds the same bytes (a message sent to many).
    void queue(QByteArrayView bytes);
    void queueShared(const QByteArray &bytes);
    // After what is queued now, no more: the write side is shut down once it
    // is out, while reading carries on until the client closes.
    void finishOutput();

    qint64 queuedBytes() const override;
    void flushOutput() override;
    void closeTransport() override;
    void abortTransport() override;

private:
    using Peer = PeerAddress;
    SocketConnection(ConnectionHandler *handler, Transport transport, qintptr descriptor, QObject *parent,
                     const Peer &peer, bool);

    void descriptorReadable() override { readable(); }
    void descriptorWritable() override { flushOutput(); }
    void readable();
    void readTls();
    void flushTls();
    void closeDescriptor();

    int m_fd = -1;
    QSslSocket *m_tls = nullptr;
    SocketWatch m_watch{this};
    OutputQueue m_outgoing;
    bool m_shutdownAfterFlush = false;
    bool m_inputPaused = false;
    bool m_readScheduled = false;
};
