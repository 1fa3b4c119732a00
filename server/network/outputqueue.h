#pragma once

#include <QByteArray>
#include <QList>

#include <sys/uio.h>

// What waits to be written to one client's socket, in order, as a list of
// pieces rather than one buffer: a message sent to a thousand clients is
// the same encoded bytes for each, so each queue holds a reference to them
// (no copy per recipient, no buffer growing per recipient) and the socket
// gets them with one gathered write. Bytes a transport makes for one
// client alone (a WebSocket header, a pong) are copied into a piece of
// their own. An empty queue holds no memory.
class OutputQueue final
{
public:
    // Shares `bytes`: the caller's QByteArray is not copied.
    void appendShared(const QByteArray &bytes);
    // Copies `bytes`.
    void append(QByteArrayView bytes);

    qint64 size() const { return m_bytes; }
    bool isEmpty() const { return m_bytes == 0; }

    // Points up to `max` entries of `vectors` at what is unsent, oldest
    // first; returns how many it filled.
    int gather(iovec *vectors, int max) const;
    // The first `bytes` were written.
    void consume(qint64 bytes);
    // Everything, as one buffer (for a socket that copies anyway), and
    // the queue emptied.
    QByteArray takeAll();
    void clear();

private:
    QList<QByteArray> m_pieces;
    qsizetype m_sentOfFirst = 0; // bytes of the first piece already written
    qint64 m_bytes = 0;          // unsent, in all
    bool m_lastIsOwn = false;    // the last piece was copied in: more may join it
};
