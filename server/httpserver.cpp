#include "httpserver.h"

#include "httprequest.h"
#include "listener.h"
#include "logging.h"
#include "websocketconnection.h"

#include <QFile>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

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
};

const StaticFile *findStaticFile(QByteArrayView path)
{
    for (const StaticFile &file : staticFiles) {
        if (path == file.path)
            return &file;
    }
    return nullptr;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
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
    , m_maxFrameBytes(maxFrameBytes)
    , m_requestTimeoutMs(requestTimeoutMs)
    , m_webSockets(new QWebSocketServer(QStringLiteral("confab-server"), QWebSocketServer::NonSecureMode, this))
    , m_tls(listener->isTls())
{
    m_webSockets->setHandshakeTimeout(std::chrono::milliseconds(requestTimeoutMs));
    m_webSockets->setMaxPendingConnections(1000);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &HttpServer::adoptWebSocket);
    listener->setHandlers([this](QTcpSocket *socket) { admit(socket); }, &HttpServer::refuse);
}

HttpServer::~HttpServer() = default;

void HttpServer::refuse(QTcpSocket *socket)
{
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
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
        qCInfo(lcHttp).noquote() << socket->peerAddress().toString() << "request timed out";
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

    qCDebug(lcHttp).noquote() << socket->peerAddress().toString() << request.method << request.path;
    const bool get = request.method == "GET";
    const bool head_ = request.method == "HEAD";
    if (request.path == "/ws") {
        if (!get) {
            respond(socket, {405, "text/plain; charset=utf-8", "use GET to open a WebSocket\n", {{"Allow", "GET"}}});
        } else if (!request.headerHasToken("upgrade", "websocket")
                   || !request.headerHasToken("connection", "upgrade")) {
            respond(socket, {426, "text/plain; charset=utf-8", "this is the WebSocket endpoint\n",
                             {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}});
        } else {
            upgrade(socket);
        }
        return;
    }
    const StaticFile *file = findStaticFile(request.path);
    if (!file) {
        respond(socket, textResponse(404, "not found"));
        return;
    }
    if (!get && !head_) {
        respond(socket, {405, "text/plain; charset=utf-8", "method not allowed\n", {{"Allow", "GET, HEAD"}}});
        return;
    }
    QFile resource(QString::fromLatin1(file->resource));
    if (!resource.open(QIODevice::ReadOnly)) {
        respond(socket, textResponse(500, "missing resource"));
        return;
    }
    respond(socket,
            {200, file->contentType, resource.readAll(),
             {{"Content-Security-Policy", "default-src 'self'; connect-src 'self'; frame-ancestors 'none'"}}},
            !head_);
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

void HttpServer::upgrade(QTcpSocket *socket)
{
    socket->disconnect(this);
    delete socket->findChild<QTimer *>(QStringLiteral("requestTimeout"));
    m_webSockets->handleConnection(socket);
}

void HttpServer::adoptWebSocket()
{
    while (QWebSocket *socket = m_webSockets->nextPendingConnection()) {
        auto *connection = new WebSocketConnection(m_chat, socket, m_maxFrameBytes, m_tls, this);
        m_chat->connectionOpened(connection);
        connection->start();
    }
}
