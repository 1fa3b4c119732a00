#include "connection.h"

#include "backpressure.h"

#include "logging.h"

#include <QCoreApplication>

#include <algorithm>
#include <QPointer>
#include <QThread>
#include <QTimer>

namespace {

quint64 nextConnectionId()
{
    static quint64 counter = 0;
    return ++counter;
}

// A client that does not read what is left to send on close gets this long.
constexpr int CloseGraceMs = 5000;

// Connections with output waiting for flushAll(). A server is one thread;
// per thread, so that a server embedded in the desktop client (on a thread
// of its own) keeps to itself.
QList<Connection *> &dirtyConnections()
{
    thread_local QList<Connection *> list;
    return list;
}

QTimer *flushTimer()
{
    // Lives in the thread that uses it, until that thread's end.
    thread_local QPointer<QTimer> timer;
    if (!timer) {
        timer = new QTimer;
        QObject::connect(QThread::currentThread(), &QThread::finished, timer, &QObject::deleteLater);
        timer->setSingleShot(true);
        timer->setInterval(0);
        QObject::connect(timer, &QTimer::timeout, [] { Connection::flushAll(); });
    }
    return timer;
}

} // namespace

char Connection::s_readBuffer[64 * 1024];

Connection::Connection(ConnectionHandler *handler, Transport transport, const QHostAddress &peer, quint16 peerPort,
                       bool encrypted, QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_id(nextConnectionId())
    , m_transport(transport)
    , m_peerAddress(peer)
    , m_peerPort(peerPort)
    , m_encrypted(encrypted)
{
}

Connection::~Connection()
{
    Backpressure::forget(this);
    if (m_dirty)
        dirtyConnections().removeOne(this);
}

void Connection::markDirty()
{
    if (m_dirty)
        return;
    m_dirty = true;
    dirtyConnections().append(this);
    QTimer *timer = flushTimer();
    if (!timer->isActive())
        timer->start();
}

void Connection::flushAll()
{
    QList<Connection *> dirty = std::exchange(dirtyConnections(), {});
    for (Connection *connection : dirty) {
        connection->m_dirty = false;
        connection->flushOutput();
    }
}

QString Connection::describe() const
{
    // Made when asked rather than kept: only log lines ask, and an idle
    // connection should not carry its own.
    const QHostAddress peer = peerAddress();
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    const QString address = isV4 ? QHostAddress(v4).toString() : QStringLiteral("[%1]").arg(peer.toString());
    QString transport = m_transport == Transport::Tcp ? QStringLiteral("tcp") : QStringLiteral("ws");
    if (m_encrypted)
        transport += QLatin1String("+tls");
    return QStringLiteral("#%1 %2:%3 %4").arg(m_id).arg(address).arg(m_peerPort).arg(transport);
}

void Connection::send(const QByteArray &frame, bool answer)
{
    if (m_closing)
        return;
    if (answer)
        m_answerBytes += frame.size();
    // The common case costs one look at the queue: far from the limit, and
    // not congested.
    const qint64 after = queuedBytes() + frame.size();
    if (m_sendQueueLimit > 0 && after > m_sendQueueLimit && !admitOutput(frame.size()))
        return;
    writeFrame(frame);
    if (m_congested || (m_sendQueueLimit > 0 && after > m_sendQueueLimit / 2))
        outputChanged(false);
}

bool Connection::admitOutput(qsizetype bytes)
{
    if (m_sendQueueLimit <= 0 || queuedBytes() + bytes <= m_sendQueueLimit)
        return true;
    // Judged on what the client has not taken yet, after giving it the
    // chance to take what it can.
    flushOutput();
    if (queuedBytes() + bytes <= m_sendQueueLimit)
        return true;
    abort(QStringLiteral("send queue exceeded"));
    return false;
}

void Connection::outputChanged(bool progressed)
{
    if (m_sendQueueLimit <= 0)
        return;
    if (progressed)
        Backpressure::progressed(this);
    const qint64 queued = queuedBytes();
    m_answerBytes = std::min(m_answerBytes, queued);
    if (!m_congested && queued > m_sendQueueLimit / 2) {
        m_congested = true;
        // Everyone's input waits for a client that the room's traffic has
        // outrun, so that it is not dropped; a client whose own requests
        // (history pages, say) filled its queue waits alone (mayRead()):
        // asking for more than it reads never slows the others.
        m_holdsEveryone = m_answerBytes * 2 < queued;
        if (m_holdsEveryone)
            Backpressure::congested(this);
    } else if (m_congested && queued <= m_sendQueueLimit / 4) {
        m_congested = false;
        m_holdsEveryone = false;
        Backpressure::relieved(this); // and its own input resumes
    }
}

bool Connection::mayRead()
{
    if (m_inputHeld)
        return false; // releaseInput() resumes it
    if (!m_congested && !Backpressure::holdsInput())
        return true;
    Backpressure::waitForInput(this);
    return false;
}

void Connection::close(const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_closeReason = reason;
    // Deferred, so that a close requested in the middle of a broadcast does
    // not remove anyone from the room being iterated.
    QTimer::singleShot(0, this, [this] { closeTransport(); });
    QTimer::singleShot(CloseGraceMs, this, [this] { abortTransport(); });
}

void Connection::abort(const QString &reason)
{
    if (m_closing && !m_closeReason.isEmpty() && reason == m_closeReason)
        return;
    m_closing = true;
    m_closeReason = reason;
    QTimer::singleShot(0, this, [this] { abortTransport(); });
}

void Connection::transportClosed()
{
    if (m_reported)
        return;
    m_reported = true;
    m_closing = true;
    m_handler->connectionClosed(this, m_closeReason.isEmpty() ? QStringLiteral("connection lost") : m_closeReason);
    deleteLater();
}
