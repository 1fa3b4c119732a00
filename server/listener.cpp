#include "listener.h"

#include "connectionlimiter.h"
#include "logging.h"

#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace {

// After the process runs out of descriptors, how long to wait before trying
// to accept again.
constexpr int ResourceRetryMs = 250;
constexpr int ListenBacklog = 4096;

// Hands accepted descriptors straight to the listener, with no QTcpSocket.
class DescriptorServer final : public QTcpServer
{
public:
    DescriptorServer(Listener *listener, std::function<void(qintptr)> *handler)
        : QTcpServer(listener)
        , m_listener(listener)
        , m_handler(handler)
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        (*m_handler)(descriptor);
        m_listener->pauseIfAtCeiling();
    }

private:
    Listener *m_listener;
    std::function<void(qintptr)> *m_handler;
};

} // namespace

Listener::Listener(const QString &name, ConnectionLimiter *limiter, const std::optional<QSslConfiguration> &tls,
                   int handshakeTimeoutMs, bool rawDescriptors, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_limiter(limiter)
    , m_tls(tls.has_value())
{
    if (tls) {
        auto *server = new QSslServer(this);
        server->setSslConfiguration(*tls);
        server->setHandshakeTimeout(handshakeTimeoutMs);
        connect(server, &QSslServer::errorOccurred, this, [this](QSslSocket *socket, QAbstractSocket::SocketError) {
            qCInfo(lcNet).noquote() << m_name << "TLS handshake with" << socket->peerAddress().toString()
                                    << "failed:" << socket->errorString();
        });
        m_server = server;
    } else if (rawDescriptors) {
        m_server = new DescriptorServer(this, &m_descriptorHandler);
    } else {
        m_server = new QTcpServer(this);
    }
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &Listener::acceptPending);
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

void Listener::acceptPending()
{
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            break;
        socket->setParent(nullptr);
        if (m_limiter->admit(socket, socket->peerAddress()))
            m_admitted(socket);
        else
            m_turnedAway(socket);
        pauseIfAtCeiling();
        if (m_paused)
            break;
    }
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
        acceptPending();
    }
}
