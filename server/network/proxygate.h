#pragma once

#include "clientaddress.h"
#include "proxyheader.h"

#include <QObject>
#include <QTimer>

#include <functional>

class QSocketNotifier;

// The first stage of a connection when the server sits behind a proxy
// (--proxy-protocol): before anything else sees the socket, reads the PROXY
// header of a connection from a trusted proxy, exactly its bytes and no
// more, and passes the descriptor on with the client's address; refuses a
// trusted connection without a valid header, and an untrusted one that
// sends a header (anyone could claim any address). Runs on the event loop;
// gives up after the timeout.
class ProxyGate final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyGate)

public:
    using Pass = std::function<void(QObject *gate, qintptr descriptor, const std::optional<PeerAddress> &client)>;
    using Refuse = std::function<void(const PeerAddress &peer, const QString &why)>;

    ProxyGate(qintptr descriptor, const PeerAddress &peer, bool trusted, int timeoutMs, Pass pass, Refuse refuse,
              QObject *parent = nullptr);
    ~ProxyGate() override;

private:
    void letGo();
    void readable();
    void passOn(const std::optional<PeerAddress> &client);
    void refuse(const QString &why);

    int m_fd;
    PeerAddress m_peer;
    bool m_trusted;
    // A LOCAL header, or one naming the proxy's own address (the proxy's
    // own connection, not a client's): a
    // health check, unless bytes follow it; one that closes is let go
    // quietly.
    bool m_local = false;
    // For a header that names the proxy itself as the client (how HAProxy's
    // checks with a PROXY header look): passed on as that, if bytes follow.
    std::optional<PeerAddress> m_localClient;
    Pass m_pass;
    Refuse m_refuse;
    QSocketNotifier *m_notifier;
    QTimer m_timeout;
    QTimer m_retry;
};
