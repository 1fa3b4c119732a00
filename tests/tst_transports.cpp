// TCP and WebSocket users in one conversation, and the HTTP port.

#include "chatclient.h"
#include "serverprocess.h"

#include <QDir>
#include <QJsonArray>
#include <QtEndian>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace {

// Sends raw bytes to the HTTP port and returns everything until the server
// closes the connection.
QByteArray httpExchange(quint16 port, const QByteArray &request, int timeoutMs = 15'000)
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(request);
    QByteArray response;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] { response += socket.readAll(); });
    if (socket.state() == QAbstractSocket::ConnectedState)
        closed.wait(timeoutMs);
    response += socket.readAll();
    return response;
}

// Opens a WebSocket by hand, sends `frame` as it is, and returns what came
// back after the handshake until the server closed the connection.
QByteArray webSocketExchange(quint16 port, const QByteArray &frame, int timeoutMs = 15'000)
{
    const QByteArray upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(timeoutMs))
        return "no connection";
    socket.write(upgrade);
    QByteArray received;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] {
        const bool handshakeDone = received.contains("\r\n\r\n");
        received += socket.readAll();
        if (!handshakeDone && received.contains("\r\n\r\n"))
            socket.write(frame);
    });
    if (!closed.wait(timeoutMs))
        return "not closed";
    received += socket.readAll();
    const qsizetype body = received.indexOf("\r\n\r\n");
    if (!received.startsWith("HTTP/1.1 101") || body < 0)
        return "no handshake: " + received;
    return received.mid(body + 4);
}

// A client frame: masked with a fixed key, in one piece.
QByteArray maskedFrame(quint8 firstByte, const QByteArray &payload)
{
    const char key[4] = {'\x01', '\x02', '\x03', '\x04'};
    QByteArray frame;
    frame.append(char(firstByte));
    frame.append(char(0x80 | payload.size()));
    frame.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ key[i & 3]));
    return frame;
}

QByteArray statusLine(const QByteArray &response)
{
    return response.left(response.indexOf("\r\n"));
}

} // namespace

class TestTransports : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void mixedConversation();
    void binaryMessageIsBadJson();
    void oversizeWebSocketMessage();
    void webSocketControlFrames();
    void webSocketCloseFrames_data();
    void webSocketCloseFrames();
    void http_data();
    void http();
    void everyBrowserFileIsServed_data();
    void everyBrowserFileIsServed();
    void headRequest();
    void slowRequestTimesOut();
    void etagRevalidation();

private:
    ServerProcess m_server;
};

void TestTransports::initTestCase()
{
    QVERIFY2(m_server.start({u"--max-frame-bytes"_s, u"4096"_s, u"--hello-timeout"_s, u"3"_s}),
             qPrintable(m_server.error()));
}

void TestTransports::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

void TestTransports::mixedConversation()
{
    ChatClient tcp(ChatClient::Transport::Tcp);
    ChatClient web(ChatClient::Transport::WebSocket);
    QVERIFY(tcp.connectTo(m_server.tcpPort()));
    QVERIFY(web.connectTo(m_server.httpPort()));
    QVERIFY(tcp.login(u"terminal"_s));
    QVERIFY(web.login(u"browser"_s));
    QVERIFY(!tcp.join(u"mixed"_s).isEmpty());
    const QJsonObject joined = web.join(u"mixed"_s);
    QCOMPARE(joined.value("members"_L1).toArray().size(), 2);
    QCOMPARE(tcp.waitFor(u"user_joined"_s).value("nick"_L1).toString(), u"browser"_s);

    web.sendRaw(uR"({"type":"say","room":"mixed","text":"from the web ✓","id":"w"})"_s.toUtf8());
    const QJsonObject echo = web.waitFor(u"message"_s);
    QCOMPARE(echo.value("id"_L1).toString(), u"w"_s);
    const QJsonObject atTcp = tcp.waitFor(u"message"_s);
    QCOMPARE(atTcp.value("text"_L1).toString(), u"from the web ✓"_s);
    QCOMPARE(atTcp.value("from"_L1).toString(), u"browser"_s);
    QCOMPARE(atTcp.value("seq"_L1), echo.value("seq"_L1));

    tcp.sendRaw(R"({"type":"say","room":"mixed","text":"from a terminal"})" "\n");
    QCOMPARE(web.waitFor(u"message"_s).value("text"_L1).toString(), u"from a terminal"_s);

    tcp.sendRaw(R"({"type":"whisper","to":"browser","text":"psst"})" "\n");
    const QJsonObject whisper = web.waitFor(u"private"_s);
    QCOMPARE(whisper.value("from"_L1).toString(), u"terminal"_s);

    web.sendRaw(R"({"type":"quit","reason":"tab closed"})");
    QVERIFY(web.waitForDisconnected());
    const QJsonObject left = tcp.waitFor(u"user_left"_s);
    QCOMPARE(left.value("nick"_L1).toString(), u"browser"_s);
    QCOMPARE(left.value("reason"_L1).toString(), u"tab closed"_s);
}

void TestTransports::binaryMessageIsBadJson()
{
    ChatClient web(ChatClient::Transport::WebSocket);
    QVERIFY(web.connectTo(m_server.httpPort()));
    web.sendBinary(R"({"type":"hello","nick":"binary"})");
    QCOMPARE(web.next().value("code"_L1).toString(), u"bad_json"_s);
    QVERIFY(web.login(u"binary"_s));
}

void TestTransports::oversizeWebSocketMessage()
{
    ChatClient web(ChatClient::Transport::WebSocket);
    QVERIFY(web.enter(m_server.httpPort(), u"big"_s));
    web.sendRaw(R"({"type":"say","room":"lobby","text":")" + QByteArray(5000, 'x') + "\"}");
    QCOMPARE(web.next().value("code"_L1).toString(), u"frame_too_large"_s);
    QVERIFY(web.waitForDisconnected());

    // Far past the limit: refused from the frame header, before the
    // megabyte is read, and closed with "message too big".
    QWebSocket huge;
    QSignalSpy connected(&huge, &QWebSocket::connected);
    QSignalSpy received(&huge, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&huge, &QWebSocket::disconnected);
    huge.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_server.httpPort())));
    QVERIFY(connected.wait(10'000));
    huge.sendTextMessage(QString(1 << 20, u'x'));
    QVERIFY(disconnected.wait(10'000));
    QVERIFY(!received.isEmpty());
    QVERIFY(received.first().first().toString().contains(u"frame_too_large"_s));
    QCOMPARE(huge.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
}

void TestTransports::webSocketControlFrames()
{
    ChatClient tcp;
    QVERIFY(tcp.enter(m_server.tcpPort(), u"watcher"_s, {u"lobby"_s}));

    QWebSocket web;
    QSignalSpy connected(&web, &QWebSocket::connected);
    QSignalSpy received(&web, &QWebSocket::textMessageReceived);
    QSignalSpy pong(&web, &QWebSocket::pong);
    QSignalSpy disconnected(&web, &QWebSocket::disconnected);
    web.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_server.httpPort())));
    QVERIFY(connected.wait(10'000));
    web.sendTextMessage(uR"({"type":"hello","nick":"pinger"})"_s);
    web.sendTextMessage(uR"({"type":"join","room":"lobby"})"_s);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 10'000);

    // A WebSocket ping is answered with its own data.
    web.ping("are you there");
    QVERIFY(pong.wait(10'000));
    QCOMPARE(pong.first().at(1).toByteArray(), QByteArray("are you there"));

    // A closing handshake from the browser: the server answers with the same
    // code, and the others hear the user has gone.
    web.close(QWebSocketProtocol::CloseCodeGoingAway, u"tab closed"_s);
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10'000);
    QCOMPARE(web.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    const QJsonObject left = tcp.waitFor(u"user_left"_s);
    QCOMPARE(left.value("nick"_L1).toString(), u"pinger"_s);
    QCOMPARE(left.value("reason"_L1).toString(), u"connection lost"_s);
}

void TestTransports::webSocketCloseFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("closeCode");

    const int protocolError = QWebSocketProtocol::CloseCodeProtocolError;
    const int invalidData = QWebSocketProtocol::CloseCodeWrongDatatype;
    QTest::newRow("unmasked") << QByteArray("\x81\x02hi", 4) << protocolError;
    QTest::newRow("reserved bit") << maskedFrame(0xC1, "hi") << protocolError;
    QTest::newRow("unknown opcode") << maskedFrame(0x83, "hi") << protocolError;
    QTest::newRow("continuation of nothing") << maskedFrame(0x80, "hi") << protocolError;
    QTest::newRow("text not UTF-8") << maskedFrame(0x81, "\xc0\xaf") << invalidData;
    // Not an error: the client's closing handshake is answered with its code.
    QTest::newRow("client closes") << maskedFrame(0x88, "\x03\xe9" "bye") << int(QWebSocketProtocol::CloseCodeGoingAway);
}

void TestTransports::webSocketCloseFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, closeCode);

    // A close frame with the code, then the server closes the connection.
    const QByteArray received = webSocketExchange(m_server.httpPort(), frame);
    QVERIFY2(received.size() >= 4, received.constData());
    QCOMPARE(quint8(received.at(0)), quint8(0x88));
    QCOMPARE(int(qFromBigEndian<quint16>(received.constData() + 2)), closeCode);

    // Nobody else is affected.
    ChatClient web(ChatClient::Transport::WebSocket);
    QVERIFY(web.enter(m_server.httpPort(), u"after"_s));
}

void TestTransports::http_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("status");
    QTest::addColumn<QByteArray>("contains");

    QTest::newRow("page") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("HTTP/1.1 200 OK")
                          << QByteArray("Confab");
    QTest::newRow("page headers") << QByteArray("GET /index.html HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 200 OK")
                                  << QByteArray("X-Content-Type-Options: nosniff");
    QTest::newRow("content type") << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("HTTP/1.1 200 OK")
                                  << QByteArray("Content-Type: text/html; charset=utf-8");
    QTest::newRow("script") << QByteArray("GET /app.js HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 200 OK")
                            << QByteArray("Content-Type: text/javascript; charset=utf-8");
    QTest::newRow("style") << QByteArray("GET /style.css HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 200 OK")
                           << QByteArray("Content-Type: text/css; charset=utf-8");
    QTest::newRow("icon") << QByteArray("GET /favicon.svg HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 200 OK")
                          << QByteArray("Content-Type: image/svg+xml");
    QTest::newRow("csp") << QByteArray("GET / HTTP/1.1\r\nHost: chat.lan:7701\r\n\r\n") << QByteArray("HTTP/1.1 200 OK")
                         << QByteArray("Content-Security-Policy: default-src 'self'; connect-src 'self' ws://chat.lan:7701;");
    QTest::newRow("hostile host") << QByteArray("GET / HTTP/1.1\r\nHost: x; script-src *\r\n\r\n")
                                  << QByteArray("HTTP/1.1 200 OK") << QByteArray("connect-src 'self';");
    QTest::newRow("unknown path") << QByteArray("GET /etc/passwd HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 404 Not Found")
                                  << QByteArray();
    QTest::newRow("dot dot") << QByteArray("GET /../../etc/passwd HTTP/1.1\r\n\r\n")
                             << QByteArray("HTTP/1.1 404 Not Found") << QByteArray();
    QTest::newRow("post") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                          << QByteArray("HTTP/1.1 405 Method Not Allowed") << QByteArray("Allow: GET, HEAD");
    QTest::newRow("delete ws") << QByteArray("DELETE /ws HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 405 Method Not Allowed")
                               << QByteArray();
    QTest::newRow("ws without upgrade") << QByteArray("GET /ws HTTP/1.1\r\n\r\n")
                                        << QByteArray("HTTP/1.1 426 Upgrade Required") << QByteArray();
    QTest::newRow("malformed") << QByteArray("HELLO\r\n\r\n") << QByteArray("HTTP/1.1 400 Bad Request") << QByteArray();
    QTest::newRow("not http") << QByteArray("{\"type\":\"hello\"}\n\r\n\r\n") << QByteArray("HTTP/1.1 400 Bad Request")
                              << QByteArray();
    QTest::newRow("oversized") << QByteArray("GET / HTTP/1.1\r\nX-Big: " + QByteArray(20000, 'a') + "\r\n\r\n")
                               << QByteArray("HTTP/1.1 400 Bad Request") << QByteArray();
}

void TestTransports::http()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, status);
    QFETCH(QByteArray, contains);

    const QByteArray response = httpExchange(m_server.httpPort(), request);
    QCOMPARE(statusLine(response), status);
    QVERIFY2(response.contains(contains), response.left(300).constData());
    QVERIFY(response.contains("Content-Length: "));
}

void TestTransports::everyBrowserFileIsServed_data()
{
    // A module the browser imports but the server does not serve breaks the
    // whole client: every file of resources/web must be reachable.
    QTest::addColumn<QByteArray>("path");
    const QDir web(QStringLiteral(CONFAB_SOURCE_DIR "/resources/web"));
    const QStringList files = web.entryList({u"*.js"_s, u"*.css"_s, u"*.html"_s}, QDir::Files, QDir::Name);
    QVERIFY(files.contains(u"session.js"_s));
    for (const QString &file : files) {
        const QByteArray path = file == "index.html"_L1 ? "/" : file == "status.html"_L1 ? "/status" : "/" + file.toUtf8();
        QTest::newRow(file.toUtf8().constData()) << path;
    }
}

void TestTransports::everyBrowserFileIsServed()
{
    QFETCH(QByteArray, path);
    const QByteArray response = httpExchange(m_server.httpPort(), "GET " + path + " HTTP/1.1\r\n\r\n");
    QCOMPARE(statusLine(response), QByteArray("HTTP/1.1 200 OK"));
}

void TestTransports::headRequest()
{
    const QByteArray get = httpExchange(m_server.httpPort(), "GET / HTTP/1.1\r\n\r\n");
    const QByteArray head = httpExchange(m_server.httpPort(), "HEAD / HTTP/1.1\r\n\r\n");
    QCOMPARE(statusLine(head), QByteArray("HTTP/1.1 200 OK"));
    // Same headers, no body.
    QCOMPARE(head, get.left(get.indexOf("\r\n\r\n") + 4));
}

void TestTransports::slowRequestTimesOut()
{
    // Half a request, then nothing: the server gives up rather than waiting
    // forever (here after the three-second hello timeout).
    const QByteArray response = httpExchange(m_server.httpPort(), "GET / HTTP/1.1\r\nHost: x\r\n");
    QCOMPARE(statusLine(response), QByteArray("HTTP/1.1 408 Request Timeout"));
}

void TestTransports::etagRevalidation()
{
    const QByteArray first = httpExchange(m_server.httpPort(), "GET /app.js HTTP/1.1\r\n\r\n");
    const qsizetype at = first.indexOf("ETag: ");
    QVERIFY(at > 0);
    const QByteArray etag = first.mid(at + 6, first.indexOf("\r\n", at) - at - 6);
    QVERIFY(etag.startsWith('"') && etag.endsWith('"'));

    const QByteArray again = httpExchange(m_server.httpPort(), "GET /app.js HTTP/1.1\r\nIf-None-Match: " + etag + "\r\n\r\n");
    QCOMPARE(statusLine(again), QByteArray("HTTP/1.1 304 Not Modified"));
    QVERIFY(again.endsWith("\r\n\r\n")); // no body

    const QByteArray changed = httpExchange(m_server.httpPort(), "GET /app.js HTTP/1.1\r\nIf-None-Match: \"old\"\r\n\r\n");
    QCOMPARE(statusLine(changed), QByteArray("HTTP/1.1 200 OK"));
}

QTEST_GUILESS_MAIN(TestTransports)
#include "tst_transports.moc"
