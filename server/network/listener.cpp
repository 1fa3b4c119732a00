#include "listener.h"

#include "clientaddress.h"
#include "connectionlimiter.h"
#include "logging.h"
#include "metrics.h"
#include "proxygate.h"
#include "socketconnection.h"

#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <unistd.h>

namespace {

// After the process runs out of descriptors, how long to wait before trying
// to accept again.
constexpr int ResourceRetryMs = 250;
constexpr int ListenBacklog = 4096;

// Hands accepted descriptors straight to the listener: no pending list (and
// so no pending limit), no QTcpSocket unless the listener makes one.
class DescriptorServer final : public QTcpServer
{
public:
    explicit DescriptorServer(Listener *listener)
        : QTcpServer(listener)
        , m_listener(listener)
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        m_listener->accepted(descriptor);
        m_listener->pauseIfAtCeiling();
    }

private:
    Listener *m_listener;
};

} // namespace

Listener::Listener(const QString &name, ConnectionLimiter *limiter, const std::optional<QSslConfiguration> &tls,
                   int handshakeTimeoutMs, bool rawDescriptors, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_limiter(limiter)
    , m_server(new DescriptorServer(this))
    , m_tls(tls.has_value())
    , m_sslConfiguration(tls)
    , m_handshakeTimeoutMs(handshakeTimeoutMs)
    , m_rawDescriptors(rawDescriptors && !tls)
{
    m_clock.start();
    // Without this, a server out of file descriptors is woken again and
    // again by the same pending connection and spins at full CPU.
    connect(m_server, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError error) {
        qCWarning(lcNet).noquote() << m_name << "cannot accept:" << m_server->errorString();
        if (error == QAbstractSocket::SocketResourceError && !m_paused) {
            m_paused = true;
            m_server->pauseAccepting();
            QTimer::singleShot(ResourceRetryMs, this, [this] {
                m_paused = false;
                m_server->resumeAccepting();
            });
        }
    });
    connect(m_limiter, &ConnectionLimiter::socketsAvailable, this, &Listener::resumeIfPossible);
}

Listener::~Listener() = default;

bool Listener::listen(const QHostAddress &address, quint16 port, QString *error)
{
    // Qt's default backlog of 50 drops connections when many arrive at once
    // (a restarted server, a class logging in together); the kernel caps it.
    m_server->setListenBacklogSize(ListenBacklog);
    if (m_server->listen(address, port))
        return true;
    *error = QStringLiteral("cannot listen for %1 on %2 port %3: %4")
                     .arg(m_name, address.toString())
                     .arg(port)
                     .arg(m_server->errorString());
    return false;
}

quint16 Listener::port() const
{
    return m_server->serverPort();
}

void Listener::setHandlers(SocketHandler admitted, SocketHandler turnedAway)
{
    m_admitted = std::move(admitted);
    m_turnedAway = std::move(turnedAway);
}

void Listener::accepted(qintptr descriptor)
{
    if (m_trustedProxies.isEmpty()) {
        admit(descriptor, std::nullopt);
        return;
    }
    const PeerAddress peer = SocketConnection::peerOf(int(descriptor));
    if (peer.address.isNull()) {
        // Reset before it could be looked at: what a load balancer's
        // health check does (HAProxy's `check` connects, may send its
        // header, and resets). Nobody to refuse and nothing to log.
        qCDebug(lcNet).noquote() << m_name << "connection gone before it could be read (a health check?)";
        ++serverMetrics().healthChecks;
        ::close(int(descriptor));
        return;
    }
    const bool trusted = ClientAddress::inAny(peer.address, m_trustedProxies);
    auto *gate = new ProxyGate(
            descriptor, peer, trusted, m_handshakeTimeoutMs,
            [this](QObject *gate, qintptr passed, const std::optional<PeerAddress> &client) {
                // The gate's count ends as the connection's begins: one
                // socket is never counted twice against its address.
                m_limiter->release(gate);
                admit(passed, client);
            },
            [this](const PeerAddress &from, const QString &why) {
                serverMetrics().refused(ServerMetrics::Refusal::ProxyHeader);
                qint64 unlogged = 0;
                if (m_proxyLog.take(m_clock.elapsed(), &unlogged)) {
                    QString line = QStringLiteral("%1 connection from %2 refused: %3")
                                           .arg(m_name, ConnectionLimiter::addressKey(from.address), why);
                    if (unlogged > 0)
                        line += QStringLiteral(" (and %1 more not logged)").arg(unlogged);
                    qCInfo(lcNet).noquote() << line;
                }
            },
            this);
    // Counted while it waits, so that sockets that never send a header
    // still count against the limits on open sockets; a proxy's socket is
    // counted against an address once its header names the client.
    if (trusted)
        m_limiter->countOpen(gate);
    else
        m_limiter->admit(gate, peer.address);
}

void Listener::admit(qintptr descriptor, const std::optional<PeerAddress> &client)
{
    if (m_rawDescriptors) {
        SocketConnection *connection = m_makeConnection(descriptor, client);
        // Counted for as long as the connection lives.
        ConnectionLimiter::Count count = m_limiter->count(connection->peerAddress());
        const bool admitted = count.admitted();
        connection->holdCount(std::move(count));
        if (admitted)
            m_connectionAdmitted(connection);
        else
            m_connectionTurnedAway(connection);
        return;
    }
    QTcpSocket *socket = m_tls ? new QSslSocket : new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete socket;
        return;
    }
    if (client)
        ClientAddress::set(socket, *client);
    // Counted from now, handshake or not: the per-address limit covers
    // sockets that have not said a word yet.
    const bool admitted = m_limiter->admit(socket, ClientAddress::of(socket).address);
    if (m_tls) {
        startHandshake(static_cast<QSslSocket *>(socket), admitted);
        return;
    }
    if (admitted)
        m_admitted(socket);
    else
        m_turnedAway(socket);
}

void Listener::setSslConfiguration(const QSslConfiguration &configuration)
{
    if (m_tls)
        m_sslConfiguration = configuration;
}

void Listener::startHandshake(QSslSocket *socket, bool admitted)
{
    socket->setSslConfiguration(*m_sslConfiguration);
    auto *timeout = new QTimer(socket);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, this, [this, socket, timeout] {
        handshakeFailed(socket, timeout,
                        QStringLiteral("no handshake within %1 s").arg(m_handshakeTimeoutMs / 1000.0));
    });
    connect(socket, &QSslSocket::encrypted, this, [this, socket, timeout, admitted] {
        delete timeout;
        socket->disconnect(this);
        if (admitted)
            m_admitted(socket);
        else
            m_turnedAway(socket);
    });
    connect(socket, &QSslSocket::errorOccurred, this, [this, socket, timeout](QAbstractSocket::SocketError error) {
        handshakeFailed(socket, timeout,
                        error == QAbstractSocket::RemoteHostClosedError ? QStringLiteral("closed by the client")
                                                                        : socket->errorString());
    });
    timeout->start(m_handshakeTimeoutMs);
    socket->startServerEncryption();
}

void Listener::handshakeFailed(QSslSocket *socket, QTimer *timeout, const QString &why)
{
    delete timeout;
    serverMetrics().refused(ServerMetrics::Refusal::TlsHandshake);
    // Anyone can send garbage to a TLS port: one line a second at most.
    qint64 unlogged = 0;
    if (m_handshakeLog.take(m_clock.elapsed(), &unlogged)) {
        QString line = QStringLiteral("%1 TLS handshake with %2 failed: %3")
                               .arg(m_name, ConnectionLimiter::addressKey(ClientAddress::of(socket).address), why);
        if (unlogged > 0)
            line += QStringLiteral(" (and %1 more not logged)").arg(unlogged);
        qCInfo(lcNet).noquote() << line;
    }
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void Listener::pauseIfAtCeiling()
{
    if (m_limiter->atSocketCeiling() && !m_paused) {
        qCWarning(lcNet).noquote() << m_name << "stops accepting: as many sockets open as the server allows";
        m_paused = true;
        m_server->pauseAccepting();
    }
}

void Listener::resumeIfPossible()
{
    if (m_paused && !m_limiter->atSocketCeiling()) {
        m_paused = false;
        m_server->resumeAccepting();
    }
}
