#pragma once

#include "errorcode.h"
#include "frametransport.h"
#include "serveraddress.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

// Keeps one identity connected to one server (or to one of a cluster's,
// moving on to the next when one fails): opens the transport, and after a
// drop opens it again with exponential backoff and jitter, pings
// while welcomed to measure the round trip, and tells a failure to log in
// (which no retry can mend) from a connection lost later (which one can).
// Knows when the server welcomed the user, not what the frames mean: the
// session tells it (welcomed(), refused()).
class ConnectionSupervisor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionSupervisor)

public:
    enum class State { Disconnected, Connecting, Online, Reconnecting };
    Q_ENUM(State)

    // Why the first connection did not get the user in. The UI says each
    // in its own words and puts the cursor in the field to fix.
    enum class LoginFailure {
        Unreachable,     // no connection (address, port, TLS, server down)
        ServerPassword,  // the server's own password is wrong or missing
        NickInvalid,
        NickTaken,
        NickReserved,    // an account's nick, and no login for it
        AccountLogin,    // the account or its password is wrong
        LoginRequired,   // only accounts may enter
        AccountPassword, // a password the account rules refuse
        RateLimited,
        Banned,
        ServerFull,
        UntrustedCertificate, // the user did not trust the server's certificate
        Other,
    };
    Q_ENUM(LoginFailure)
    static LoginFailure loginFailureFor(Confab::Protocol::ErrorCode code);

    // Takes ownership of `transport`.
    explicit ConnectionSupervisor(FrameTransport *transport, QObject *parent = nullptr);

    FrameTransport *transport() const { return m_transport; }
    State state() const { return m_state; }
    // As given to start(): perhaps a cluster of several servers.
    ServerAddress address() const { return m_address; }
    // The server connected to, or being tried.
    ServerAddress server() const { return m_servers.value(m_current); }
    // The server has welcomed the user on this connection / ever, this visit.
    bool isWelcomed() const { return m_welcomed; }
    bool everWelcomed() const { return m_everWelcomed; }
    int roundTripMs() const { return m_roundTripMs; }

    // Reconnect delays: the first, and the cap; each attempt doubles, with
    // ±50% jitter so that a restarted server is not hit by everyone at once.
    void setReconnectDelays(int firstMs, int maxMs);
    void setPingInterval(int ms) { m_pingTimer.setInterval(ms); }

    // A first visit: failures until the first welcome are final, except
    // that a cluster's servers are tried in turn until one answers. After a
    // drop, the next attempt goes to the next server of the cluster; the
    // backoff grows once every server has been tried.
    void start(const ServerAddress &address);
    // Opens the connection again now (a login starts with a new hello).
    void connectNow();
    // The server welcomed the user: online, backoff reset, pinging.
    void welcomed();
    // The server refused the hello. Before the first welcome that ends the
    // visit (loginFailed); after it, `retry` says whether to keep trying
    // (a reconnect may find the old session still holding the nick) or to
    // stop (banned; the password changed elsewhere).
    void refused(Confab::Protocol::ErrorCode code, const QString &message, bool retry);
    // The server said why it is closing: the reason shown when it does.
    void setClosingReason(const QString &reason) { m_closingReason = reason; }
    // Leaves for good: no retry.
    void stop();

    // The session sends pings (with ids of its own) and reports pongs.
    void pingSent(qint64 id);
    void pongReceived(qint64 id);

signals:
    void stateChanged(ConnectionSupervisor::State state);
    // The transport is open: time for hello.
    void opened();
    // The connection went (before any retry is scheduled); `why` is for people.
    void lost(const QString &why);
    void loginFailed(ConnectionSupervisor::LoginFailure failure, const QString &message);
    void pingDue();
    void roundTripChanged(int ms);

private:
    void setState(State state);
    void onClosed(const QString &reason);
    void retryLater(const QString &reason);

    FrameTransport *m_transport;
    ServerAddress m_address;
    QList<ServerAddress> m_servers; // m_address.servers()
    qsizetype m_current = 0;
    State m_state = State::Disconnected;
    bool m_welcomed = false;
    bool m_everWelcomed = false;
    QString m_closingReason;

    QTimer m_reconnectTimer;
    int m_attempt = 0;
    int m_firstDelayMs = 1000;
    int m_maxDelayMs = 30'000;

    QTimer m_pingTimer;
    QElapsedTimer m_pingClock;
    qint64 m_pingId = -1;
    int m_roundTripMs = -1;
};
