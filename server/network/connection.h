#pragma once

#include "connectionlimiter.h"
#include "errorcode.h"
#include "packedaddress.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

class Connection;

// What a transport tells the chat logic. The chat service implements it and
// never learns which transport a connection came on.
class ConnectionHandler
{
public:
    virtual ~ConnectionHandler() = default;

    virtual void connectionOpened(Connection *connection) = 0;
    // One complete frame, not yet decoded.
    virtual void frameReceived(Connection *connection, const QByteArray &frame) = 0;
    // The transport refused a frame before decoding: frame_too_large (the
    // connection then closes) or bad_json for a binary WebSocket message.
    virtual void frameRejected(Connection *connection, Confab::Protocol::ErrorCode code, const QString &reason) = 0;
    // The connection is gone; the handler must forget it now.
    virtual void connectionClosed(Connection *connection, const QString &reason) = 0;
};

// One client connection, whatever the transport. The chat logic hands over
// frames (one encoded JSON message each, no line end); each transport frames
// them its own way (a line on TCP, a text message on a WebSocket).
//
// Nothing here calls back into the handler from inside send() or close(), so
// the chat service may send to many connections in a loop without any of them
// disappearing under it: failures are reported from the event loop.
class Connection : public QObject
{
    Q_OBJECT

public:
    enum class Transport : quint8 { Tcp, WebSocket };

    Connection(ConnectionHandler *handler, Transport transport, const QHostAddress &peer, quint16 peerPort,
               bool encrypted, QObject *parent = nullptr);
    ~Connection() override;

    // One encoded message. Dropped once the connection is closing.
    // `answer`: it answers this client's own request (a history page, a
    // member list), rather than telling it what others did.
    void send(const QByteArray &frame, bool answer = false);
    // Sends what is queued, then closes. The handler hears connectionClosed
    // with the reason once the transport is down.
    void close(const QString &reason);
    // For a client that will not read: closes at once.
    void abort(const QString &reason);

    quint64 id() const { return m_id; }
    Transport transport() const { return m_transport; }
    QHostAddress peerAddress() const { return m_peerAddress.unpacked(); }
    bool isEncrypted() const { return m_encrypted; }
    bool isClosing() const { return m_closing; }
    // "#12 [::1]:40312 tcp", for log lines.
    QString describe() const;

    // Its place in the connection counts, given back when it is destroyed.
    void holdCount(ConnectionLimiter::Count count) { m_count = std::move(count); }

    void setSendQueueLimit(qint64 bytes) { m_sendQueueLimit = bytes; }
    // What is queued for the client and not yet sent (for metrics).
    qint64 unsentBytes() const { return queuedBytes(); }

    // Reading stops while Backpressure holds input, or while this
    // connection's own output is congested; resumeInput() starts it again.
    virtual void resumeInput() {}
    // The handler's own hold: no more input from this connection until
    // releaseInput() (what was read already is still delivered).
    void holdInput() { m_inputHeld = true; }
    void releaseInput()
    {
        m_inputHeld = false;
        resumeInput();
    }

    // Transports that gather output write it here, one system call per
    // connection for everything queued since the last flush. Called at the
    // end of each batch of work, and by a zero timer for anything else.
    static void flushAll();

protected:
    virtual void writeFrame(const QByteArray &frame) = 0;
    virtual qint64 queuedBytes() const = 0;
    virtual void closeTransport() = 0;
    virtual void abortTransport() = 0;

    ConnectionHandler *handler() const { return m_handler; }
    // One buffer to read into for every connection (the server is one
    // thread): an idle connection holds no read buffer of its own.
    static char s_readBuffer[64 * 1024];
    // For transports that gather output: schedules flushOutput().
    void markDirty();
    virtual void flushOutput() {}
    // For subclasses: the transport is down; tell the handler once.
    void transportClosed();
    // For subclasses, before reading: whether input may be read now. If not,
    // the transport stops reading until resumeInput().
    bool mayRead();
    // For subclasses' own output (a WebSocket pong): whether `bytes` more
    // fit under the send-queue limit. If not, the connection is aborted.
    bool admitOutput(qsizetype bytes);
    // For subclasses, after output left for the client (or was queued):
    // compares what is unsent with the limit.
    void outputChanged(bool progressed);

private:
    ConnectionHandler *m_handler;
    const quint64 m_id;
    const Transport m_transport;
    const PackedAddress m_peerAddress;
    const quint16 m_peerPort;
    const bool m_encrypted;
    // (The flags together, next to the address: a connection is kept
    // small, as thousands may be idle.)
    bool m_closing = false;
    bool m_reported = false;
    bool m_dirty = false;
    bool m_congested = false;
    bool m_holdsEveryone = false;
    bool m_inputHeld = false;
    qint64 m_sendQueueLimit = 0;
    // Of what is queued, about how much answers the client's own requests
    // (an upper bound: the queue drains oldest first). A queue filled by
    // its own asking holds up the client's own input, not everyone's.
    qint64 m_answerBytes = 0;
    QString m_closeReason;
    // Given back in ~Connection, after the transport's destructor closed the
    // socket: the descriptor is free by the time the count says so.
    ConnectionLimiter::Count m_count;
};
