#pragma once

#include "clientaddress.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class Connection;
class ConnectionHandler;
class ConnectionLimiter;
class Listener;
class QSslSocket;
class QTcpSocket;
class StatusFeed;
struct HttpRequest;
class QWebSocket;
class QWebSocketServer;

// The HTTP port: serves the browser client's files and hands `GET /ws` to
// Qt's WebSocket server, whose connections go to the chat service like any
// other. One request per connection; a request must arrive whole, within a
// size limit and a time limit, or the socket is closed.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    struct Response
    {
        int status = 200;
        QByteArray contentType;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
    };

    // A request (or WebSocket handshake) must be complete within
    // requestTimeoutMs of connecting.
    HttpServer(Listener *listener, ConnectionHandler *chat, qsizetype maxFrameBytes, int requestTimeoutMs,
               QObject *parent = nullptr);
    ~HttpServer() override;

    // The answer to a socket turned away by the connection limits.
    static void refuse(QTcpSocket *socket);

    // GET /healthz answers what this returns: 200 while the server works,
    // 503 while it cannot do its job (storage failing), with a JSON body.
    using HealthCheck = std::function<Response()>;
    void setHealthCheck(HealthCheck check) { m_healthCheck = std::move(check); }

    // GET /metrics answers what this returns (Prometheus text), to clients
    // whose address is in one of `allowed`; others get 403.
    using MetricsSource = std::function<QByteArray()>;
    using Subnet = ClientAddress::Subnet;
    void setMetrics(MetricsSource source, QList<Subnet> allowed)
    {
        m_metrics = std::move(source);
        m_metricsAllowed = std::move(allowed);
    }

    // GET /status (the live page, its files and its WebSocket feed at
    // /status/feed), to clients whose address is in one of `allowed`.
    void setStatusFeed(StatusFeed *feed, QList<Subnet> allowed)
    {
        m_statusFeed = feed;
        m_statusAllowed = std::move(allowed);
    }

private:
    void admit(QTcpSocket *socket);
    void readRequest(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const Response &response, bool withBody = true);
    void upgrade(QTcpSocket *socket);
    void upgradeTls(QSslSocket *socket, const HttpRequest &request, qsizetype headBytes);
    // Why a WebSocket upgrade request cannot be taken, if it cannot.
    static std::optional<Response> upgradeRefusal(const HttpRequest &request);
    // Whether a request's Origin, if it sent one, is this server.
    bool isSameOrigin(const HttpRequest &request) const;
    // Answers 101 and hands back the bytes that came after the request.
    void answerUpgrade(QTcpSocket *socket, const HttpRequest &request, qsizetype headBytes, QByteArray *alreadyRead);
    void adoptWebSocket();
    Connection *takeOver(QWebSocket *webSocket);

    struct Asset
    {
        QByteArray body;
        QByteArray contentType;
        QByteArray etag;
    };

    ConnectionHandler *m_chat;
    ConnectionLimiter *m_limiter;
    QHash<QByteArray, Asset> m_assets; // by path
    qsizetype m_maxFrameBytes;
    int m_requestTimeoutMs;
    QWebSocketServer *m_webSockets;
    // Sockets handed to m_webSockets, until their handshake is done.
    QList<QPointer<QTcpSocket>> m_upgrading;
    bool m_tls;
    HealthCheck m_healthCheck;
    MetricsSource m_metrics;
    QList<Subnet> m_metricsAllowed;
    StatusFeed *m_statusFeed = nullptr;
    QList<Subnet> m_statusAllowed;
};
