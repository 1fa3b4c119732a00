#pragma once

#include "clientaddress.h"
#include "logbudget.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <functional>
#include <optional>

class ConnectionLimiter;
class SocketConnection;
class QSslSocket;
class QTcpServer;
class QTcpSocket;
class QTimer;

// Accepts client sockets on one port, plain or TLS, and sorts them into
// admitted and turned away by the connection limits: the one place where a
// socket is counted and admitted, whatever the transport. Used for both the
// chat port and the HTTP port.
//
// Every socket is accepted at once and counted (per address too) from that
// moment: a TLS handshake runs alongside everything else, with a timeout of
// its own, and no number of stalled handshakes keeps others from being
// accepted.
class Listener final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Listener)

public:
    using SocketHandler = std::function<void(QTcpSocket *)>;

    // With a TLS configuration, sockets arrive with the handshake done; a
    // handshake not done within handshakeTimeoutMs is abandoned. Without,
    // they arrive as they connect.
    // `rawDescriptors` (plain TCP only): accepted sockets become connections
    // straight from their descriptors, for transports that do their own I/O
    // (see TcpConnection); set the handlers with setConnectionHandlers().
    Listener(const QString &name, ConnectionLimiter *limiter, const std::optional<QSslConfiguration> &tls,
             int handshakeTimeoutMs, bool rawDescriptors, QObject *parent = nullptr);
    ~Listener() override;

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const;
    bool isTls() const { return m_tls; }
    ConnectionLimiter *limiter() const { return m_limiter; }

    // Both take ownership of the socket. A turned-away socket should be told
    // why and closed.
    void setHandlers(SocketHandler admitted, SocketHandler turnedAway);
    // With raw descriptors: `make` wraps each descriptor (`client`: set when
    // a trusted proxy named the client) in a connection that has not started;
    // the listener counts it, then hands it to `admitted` or to `turnedAway`
    // (which should refuse it), as for sockets.
    using ConnectionMaker = std::function<SocketConnection *(qintptr, const std::optional<PeerAddress> &client)>;
    using ConnectionCallback = std::function<void(SocketConnection *)>;
    void setConnectionHandlers(ConnectionMaker make, ConnectionCallback admitted, ConnectionCallback turnedAway)
    {
        m_makeConnection = std::move(make);
        m_connectionAdmitted = std::move(admitted);
        m_connectionTurnedAway = std::move(turnedAway);
    }
    // Connections from these subnets must begin with a PROXY header, whose
    // address then stands for the client's; from anywhere else, a header is
    // refused. Empty: no PROXY protocol.
    using Subnet = ClientAddress::Subnet;
    void setTrustedProxies(QList<Subnet> proxies) { m_trustedProxies = std::move(proxies); }
    // Called after each accepted socket: stops accepting at the ceiling.
    void pauseIfAtCeiling();

    // From the server: one accepted descriptor.
    void accepted(qintptr descriptor);

    // A renewed certificate and key, for handshakes from now on (only on a
    // listener that was started with TLS).
    void setSslConfiguration(const QSslConfiguration &configuration);
    void setHandshakeTimeout(int ms) { m_handshakeTimeoutMs = ms; }

private:
    // After any PROXY header: the descriptor, under the client's address.
    void admit(qintptr descriptor, const std::optional<PeerAddress> &client);
    void startHandshake(QSslSocket *socket, bool admitted);
    void handshakeFailed(QSslSocket *socket, QTimer *timeout, const QString &why);
    void resumeIfPossible();

    QString m_name;
    ConnectionLimiter *m_limiter;
    QTcpServer *m_server;
    bool m_tls;
    // Only when TLS is on: even a default QSslConfiguration loads the TLS
    // library (several MiB).
    std::optional<QSslConfiguration> m_sslConfiguration;
    int m_handshakeTimeoutMs;
    bool m_rawDescriptors;
    bool m_paused = false;
    LogBudget m_handshakeLog;
    QElapsedTimer m_clock;
    SocketHandler m_admitted;
    SocketHandler m_turnedAway;
    ConnectionMaker m_makeConnection;
    ConnectionCallback m_connectionAdmitted;
    ConnectionCallback m_connectionTurnedAway;
    QList<Subnet> m_trustedProxies;
    LogBudget m_proxyLog;
};
