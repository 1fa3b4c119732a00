#include "httpserver.h"

#include "clientaddress.h"
#include "connectionlimiter.h"
#include "httprequest.h"
#include "listener.h"
#include "logging.h"
#include "metrics.h"
#include "statusfeed.h"
#include "websocketconnection.h"
#include "websocketframer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <QWebSocketServer>

#include <fcntl.h>

namespace {

constexpr qsizetype MaxRequestHeadBytes = 8 * 1024;
constexpr int CloseGraceMs = 5'000;

struct StaticFile
{
    const char *path;
    const char *resource;
    const char *contentType;
};

// Every file the server will ever serve. Paths are looked up here and never
// reach the file system.
constexpr StaticFile staticFiles[] = {
        {"/", ":/web/index.html", "text/html; charset=utf-8"},
        {"/index.html", ":/web/index.html", "text/html; charset=utf-8"},
        {"/style.css", ":/web/style.css", "text/css; charset=utf-8"},
        {"/app.js", ":/web/app.js", "text/javascript; charset=utf-8"},
        {"/connection.js", ":/web/connection.js", "text/javascript; charset=utf-8"},
        {"/session.js", ":/web/session.js", "text/javascript; charset=utf-8"},
        {"/conversation.js", ":/web/conversation.js", "text/javascript; charset=utf-8"},
        {"/accounts.js", ":/web/accounts.js", "text/javascript; charset=utf-8"},
        {"/presence.js", ":/web/presence.js", "text/javascript; charset=utf-8"},
        {"/readmarkers.js", ":/web/readmarkers.js", "text/javascript; charset=utf-8"},
        {"/roommoderation.js", ":/web/roommoderation.js", "text/javascript; charset=utf-8"},
        {"/clock.js", ":/web/clock.js", "text/javascript; charset=utf-8"},
        {"/messagechanges.js", ":/web/messagechanges.js", "text/javascript; charset=utf-8"},
        {"/rooms.js", ":/web/rooms.js", "text/javascript; charset=utf-8"},
        {"/privatechats.js", ":/web/privatechats.js", "text/javascript; charset=utf-8"},
        {"/sync.js", ":/web/sync.js", "text/javascript; charset=utf-8"},
        {"/requests.js", ":/web/requests.js", "text/javascript; charset=utf-8"},
        {"/dispatcher.js", ":/web/dispatcher.js", "text/javascript; charset=utf-8"},
        {"/supervisor.js", ":/web/supervisor.js", "text/javascript; charset=utf-8"},
        {"/commands.js", ":/web/commands.js", "text/javascript; charset=utf-8"},
        {"/refusal.js", ":/web/refusal.js", "text/javascript; charset=utf-8"},
        {"/moderation.js", ":/web/moderation.js", "text/javascript; charset=utf-8"},
        {"/view.js", ":/web/view.js", "text/javascript; charset=utf-8"},
        {"/framelog.js", ":/web/framelog.js", "text/javascript; charset=utf-8"},
        {"/inspector.js", ":/web/inspector.js", "text/javascript; charset=utf-8"},
        {"/favicon.svg", ":/web/favicon.svg", "image/svg+xml"},
        {"/status", ":/web/status.html", "text/html; charset=utf-8"},
        {"/status.js", ":/web/status.js", "text/javascript; charset=utf-8"},
        {"/status.css", ":/web/status.css", "text/css; charset=utf-8"},
};

bool etagMatches(const QByteArray &ifNoneMatch, const QByteArray &etag)
{
    for (const QByteArray &tag : ifNoneMatch.split(',')) {
        const QByteArray trimmed = tag.trimmed();
        if (trimmed == "*" || trimmed == etag || trimmed == "W/" + etag)
            return true;
    }
    return false;
}

// A Host header fit to repeat in a header: a name or address and a port.
bool isSafeHost(QByteArrayView host)
{
    if (host.isEmpty() || host.size() > 255)
        return false;
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
        if (!ok)
            return false;
    }
    return true;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 426: return "Upgrade Required";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

HttpServer::Response textResponse(int status, const QByteArray &text)
{
    return {status, "text/plain; charset=utf-8", text + '\n', {}};
}

QByteArray serialise(const HttpServer::Response &response, bool withBody)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += "Connection: close\r\n";
    out += "X-Content-Type-Options: nosniff\r\n";
    out += "Cache-Control: no-cache\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    out += "\r\n";
    if (withBody)
        out += response.body;
    return out;
}

void closeGracefully(QTcpSocket *socket)
{
    socket->disconnectFromHost();
    QTimer::singleShot(CloseGraceMs, socket, [socket] { socket->abort(); });
}

} // namespace

HttpServer::HttpServer(Listener *listener, ConnectionHandler *chat, qsizetype maxFrameBytes, int requestTimeoutMs,
                       QObject *parent)
    : QObject(parent)
    , m_chat(chat)
    , m_limiter(listener->limiter())
    , m_maxFrameBytes(maxFrameBytes)
    , m_requestTimeoutMs(requestTimeoutMs)
    , m_webSockets(new QWebSocketServer(QStringLiteral("confab-server"), QWebSocketServer::NonSecureMode, this))
    , m_tls(listener->isTls())
{
    m_webSockets->setHandshakeTimeout(std::chrono::milliseconds(requestTimeoutMs));
    m_webSockets->setMaxPendingConnections(1000);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &HttpServer::adoptWebSocket);
    // Read once: every response is then a lookup, and the ETag a hash of
    // the exact bytes served.
    for (const StaticFile &file : staticFiles) {
        QFile resource(QString::fromLatin1(file.resource));
        if (!resource.open(QIODevice::ReadOnly)) {
            qCCritical(lcHttp) << "missing built-in file" << file.resource;
            continue;
        }
        Asset asset;
        asset.body = resource.readAll();
        asset.contentType = file.contentType;
        asset.etag = '"' + QCryptographicHash::hash(asset.body, QCryptographicHash::Sha256).toHex().left(32) + '"';
        m_assets.insert(QByteArray(file.path), asset);
    }
    listener->setHandlers([this](QTcpSocket *socket) { admit(socket); }, &HttpServer::refuse);
}

HttpServer::~HttpServer() = default;

void HttpServer::refuse(QTcpSocket *socket)
{
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    serverMetrics().refused(ServerMetrics::Refusal::ServerFull);
    socket->write(serialise(textResponse(503, "server full: too many connections, try again later"), true));
    closeGracefully(socket);
}

void HttpServer::admit(QTcpSocket *socket)
{
    connect(socket, &QAbstractSocket::disconnected, socket, [socket] {
        // Until a WebSocket takes it over, the socket is ours to delete.
        if (!socket->parent())
            socket->deleteLater();
    });
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
    auto *timeout = new QTimer(socket);
    timeout->setObjectName(QStringLiteral("requestTimeout"));
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, this, [this, socket] {
        qCInfo(lcHttp).noquote() << ClientAddress::of(socket).address.toString() << "request timed out";
        respond(socket, textResponse(408, "request timeout"));
    });
    timeout->start(m_requestTimeoutMs);
    if (socket->bytesAvailable() > 0)
        readRequest(socket);
}

void HttpServer::readRequest(QTcpSocket *socket)
{
    // Peek rather than read: a WebSocket upgrade leaves the request in the
    // socket for Qt's WebSocket server to read again.
    const QByteArray head = socket->peek(MaxRequestHeadBytes + 1);
    HttpRequest request;
    qsizetype headBytes = 0;
    switch (HttpRequest::parse(head, MaxRequestHeadBytes, &request, &headBytes)) {
    case HttpRequest::ParseResult::Incomplete:
        return;
    case HttpRequest::ParseResult::TooLarge:
        respond(socket, textResponse(400, "request too large"));
        return;
    case HttpRequest::ParseResult::Malformed:
        respond(socket, textResponse(400, "malformed request"));
        return;
    case HttpRequest::ParseResult::Complete:
        break;
    }

    qCDebug(lcHttp).noquote() << ClientAddress::of(socket).address.toString() << request.method << request.path;
    const bool get = request.method == "GET";
    const bool head_ = request.method == "HEAD";
    if (request.path == "/ws") {
        if (const std::optional<Response> refusal = upgradeRefusal(request))
            respond(socket, *refusal);
        else if (m_tls)
            upgradeTls(static_cast<QSslSocket *>(socket), request, headBytes);
        else
            upgrade(socket);
        return;
    }
    if (request.path == "/status" || request.path.startsWith("/status.") || request.path.startsWith("/status/")) {
        if (!m_statusFeed) {
            respond(socket, textResponse(404, "not found"));
            return;
        }
        if (!ClientAddress::inAny(ClientAddress::of(socket).address, m_statusAllowed)) {
            respond(socket, textResponse(403, "the status page is not served to this address (see --status-allow)"));
            return;
        }
        if (request.path == "/status/feed") {
            if (const std::optional<Response> refusal = upgradeRefusal(request)) {
                respond(socket, *refusal);
                return;
            }
            // Watchers are let in by their address, so any web page opened
            // on an allowed machine could read the feed: a browser's
            // upgrade must come from the status page itself (tools that
            // send no Origin are let in by address alone).
            if (!isSameOrigin(request)) {
                respond(socket, textResponse(403, "the status feed is for the status page of this server only"));
                return;
            }
            QByteArray alreadyRead;
            answerUpgrade(socket, request, headBytes, &alreadyRead);
            if (!m_statusFeed->subscribe(socket, alreadyRead)) {
                QByteArray close;
                WebSocketFramer::appendClose(close, 1013, "too many watchers; try again later");
                socket->write(close);
                closeGracefully(socket);
            }
            return;
        }
    }
    if (request.path == "/metrics" && m_metrics) {
        if (!get && !head_) {
            respond(socket, {405, "text/plain; charset=utf-8", "method not allowed\n", {{"Allow", "GET, HEAD"}}});
            return;
        }
        if (!ClientAddress::inAny(ClientAddress::of(socket).address, m_metricsAllowed)) {
            respond(socket, textResponse(403, "metrics are not served to this address (see --metrics-allow)"));
            return;
        }
        respond(socket, {200, "text/plain; version=0.0.4; charset=utf-8", m_metrics(), {}}, !head_);
        return;
    }
    if (request.path == "/healthz" && m_healthCheck) {
        if (!get && !head_) {
            respond(socket, {405, "text/plain; charset=utf-8", "method not allowed\n", {{"Allow", "GET, HEAD"}}});
            return;
        }
        respond(socket, m_healthCheck(), !head_);
        return;
    }
    const auto asset = m_assets.constFind(request.path);
    if (asset == m_assets.constEnd()) {
        respond(socket, textResponse(404, "not found"));
        return;
    }
    if (!get && !head_) {
        respond(socket, {405, "text/plain; charset=utf-8", "method not allowed\n", {{"Allow", "GET, HEAD"}}});
        return;
    }
    Response response{200, asset->contentType, asset->body, {{"ETag", asset->etag}}};
    if (asset->contentType.startsWith("text/html")) {
        // The page may talk only to this server: its files, and its own
        // WebSocket endpoint (named too, for browsers where 'self' does not
        // cover ws: and wss:).
        QByteArray connect = "'self'";
        const QByteArray host = request.header("host");
        if (isSafeHost(host))
            connect += (m_tls ? " wss://" : " ws://") + host;
        response.headers.append({QByteArray("Content-Security-Policy"),
                                 "default-src 'self'; connect-src " + connect
                                         + "; img-src 'self'; style-src 'self'; script-src 'self'; "
                                           "object-src 'none'; base-uri 'none'; form-action 'none'; "
                                           "frame-ancestors 'none'"});
        response.headers.append(qMakePair(QByteArray("Referrer-Policy"), QByteArray("no-referrer")));
    }
    if (etagMatches(request.header("if-none-match"), asset->etag)) {
        response.status = 304;
        respond(socket, response, false);
        return;
    }
    respond(socket, response, !head_);
}

void HttpServer::respond(QTcpSocket *socket, const Response &response, bool withBody)
{
    socket->disconnect(this);
    if (auto *timeout = socket->findChild<QTimer *>(QStringLiteral("requestTimeout")))
        timeout->stop();
    socket->readAll();
    socket->write(serialise(response, withBody));
    closeGracefully(socket);
}

bool HttpServer::isSameOrigin(const HttpRequest &request) const
{
    const bool sent = std::any_of(request.headers.cbegin(), request.headers.cend(),
                                  [](const auto &header) { return header.first == "origin"; });
    if (!sent)
        return true;
    const QByteArray origin = request.header("origin");
    const QByteArray host = request.header("host");
    return isSafeHost(host) && origin == (m_tls ? "https://" : "http://") + host;
}

void HttpServer::upgrade(QTcpSocket *socket)
{
    socket->disconnect(this);
    delete socket->findChild<QTimer *>(QStringLiteral("requestTimeout"));
    m_upgrading.removeAll(nullptr);
    m_upgrading.append(socket);
    m_webSockets->handleConnection(socket);
}

std::optional<HttpServer::Response> HttpServer::upgradeRefusal(const HttpRequest &request)
{
    if (request.method != "GET")
        return Response{405, "text/plain; charset=utf-8", "use GET to open a WebSocket\n", {{"Allow", "GET"}}};
    if (!request.headerHasToken("upgrade", "websocket") || !request.headerHasToken("connection", "upgrade")) {
        return Response{426, "text/plain; charset=utf-8", "this is the WebSocket endpoint\n",
                        {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}};
    }
    if (request.header("sec-websocket-version") != "13") {
        return Response{426, "text/plain; charset=utf-8", "this server speaks WebSocket version 13\n",
                        {{"Sec-WebSocket-Version", "13"}}};
    }
    if (QByteArray::fromBase64(request.header("sec-websocket-key")).size() != 16)
        return textResponse(400, "a WebSocket upgrade needs a Sec-WebSocket-Key of 16 bytes in base64");
    return std::nullopt;
}

void HttpServer::answerUpgrade(QTcpSocket *socket, const HttpRequest &request, qsizetype headBytes,
                               QByteArray *alreadyRead)
{
    // RFC 6455, 4.2.2. The socket is no longer an HTTP request of ours.
    socket->disconnect(this);
    delete socket->findChild<QTimer *>(QStringLiteral("requestTimeout"));
    static constexpr char Guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    const QByteArray accept =
            QCryptographicHash::hash(request.header("sec-websocket-key") + Guid, QCryptographicHash::Sha1).toBase64();
    socket->skip(headBytes);
    *alreadyRead = socket->readAll();
    socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: " + accept + "\r\n\r\n");
}

void HttpServer::upgradeTls(QSslSocket *socket, const HttpRequest &request, qsizetype headBytes)
{
    // Qt's WebSocket server would keep the TLS socket to itself (its pongs
    // and buffers out of reach of the send-queue limit), so the handshake is
    // answered here and the connection framed like ws://.
    QByteArray alreadyRead;
    answerUpgrade(socket, request, headBytes, &alreadyRead);
    auto *connection = new WebSocketConnection(m_chat, socket, m_maxFrameBytes, this);
    m_chat->connectionOpened(connection);
    connection->start(alreadyRead);
}

void HttpServer::adoptWebSocket()
{
    while (QWebSocket *socket = m_webSockets->nextPendingConnection()) {
        Connection *connection = takeOver(socket);
        if (!connection) {
            auto *viaQt = new QtWebSocketConnection(m_chat, socket, m_maxFrameBytes, false, this);
            m_chat->connectionOpened(viaQt);
            viaQt->start();
        }
    }
}

Connection *HttpServer::takeOver(QWebSocket *webSocket)
{
    // Qt's WebSocket server did the handshake on the socket we handed it;
    // from here on the connection runs on its descriptor (see
    // WebSocketConnection). Qt must have sent its whole answer, and nothing
    // must be half-read, or the socket stays with Qt.
    QTcpSocket *tcp = nullptr;
    for (auto it = m_upgrading.begin(); it != m_upgrading.end();) {
        if (!*it) {
            it = m_upgrading.erase(it);
            continue;
        }
        if ((*it)->peerPort() == webSocket->peerPort() && (*it)->peerAddress() == webSocket->peerAddress()) {
            tcp = *it;
            m_upgrading.erase(it);
            break;
        }
        ++it;
    }
    if (!tcp || tcp->state() != QAbstractSocket::ConnectedState) {
        qCDebug(lcHttp) << "WebSocket stays with Qt: no connected socket";
        return nullptr;
    }
    tcp->flush();
    if (tcp->bytesToWrite() > 0) {
        qCDebug(lcHttp) << "WebSocket stays with Qt: handshake answer not sent yet";
        return nullptr;
    }
    const QByteArray alreadyRead = tcp->readAll();
    const int descriptor = ::fcntl(int(tcp->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (descriptor < 0)
        return nullptr;
    // Qt closes its copy of the descriptor and says nothing to the client:
    // an aborted socket sends no close frame, and closing a duplicate does
    // not end the connection.
    auto *connection =
            new WebSocketConnection(m_chat, descriptor, m_maxFrameBytes, this, ClientAddress::proxiedOf(tcp));
    connection->holdCount(m_limiter->takeOver(tcp));
    webSocket->abort();
    webSocket->deleteLater();
    m_chat->connectionOpened(connection);
    connection->start(alreadyRead);
    return connection;
}
