// Behind a load balancer (--proxy-protocol): the PROXY header's address is
// the client's, for limits and logs, on the chat port and the HTTP port;
// a trusted connection without a header, and a header from anyone else,
// are refused.

#include "serverprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QByteArray v1(const QString &client)
{
    return u"PROXY TCP4 %1 192.0.2.1 40000 7700\r\n"_s.arg(client).toLatin1();
}

QByteArray v2(const QByteArray &ipv4)
{
    QByteArray header("\r\n\r\n\0\r\nQUIT\n", 12);
    header += char(0x21); // version 2, PROXY
    header += char(0x11); // TCP over IPv4
    header += char(0);
    header += char(12);
    return header + ipv4 + QByteArray::fromHex("c0000201" "9c40" "1e14");
}

// Opens a connection, sends `bytes`, and returns the first line the server
// answers (empty if it closed without a word).
struct Raw
{
    QTcpSocket socket;
    QByteArray buffer;

    bool open(quint16 port, const QByteArray &bytes)
    {
        socket.connectToHost(u"127.0.0.1"_s, port);
        if (!socket.waitForConnected(10'000))
            return false;
        socket.write(bytes);
        return socket.waitForBytesWritten(10'000);
    }
    QByteArray line()
    {
        while (!buffer.contains('\n')) {
            if (!socket.waitForReadyRead(10'000)) {
                buffer += socket.readAll();
                break;
            }
            buffer += socket.readAll();
        }
        const qsizetype end = buffer.indexOf('\n');
        if (end < 0)
            return std::exchange(buffer, {});
        const QByteArray first = buffer.left(end);
        buffer.remove(0, end + 1);
        return first;
    }
    QString type() { return QJsonDocument::fromJson(line()).object().value(u"type"_s).toString(); }
    // Sends a request and skips events until the reply of `type` (or an
    // error) arrives; returns its type, or the error's code.
    QString ask(const QByteArray &request, const QString &replyType)
    {
        socket.write(request + '\n');
        for (;;) {
            const QJsonObject message = QJsonDocument::fromJson(line()).object();
            const QString kind = message.value(u"type"_s).toString();
            if (kind.isEmpty())
                return {};
            if (kind == u"error"_s)
                return message.value(u"code"_s).toString();
            if (kind == replyType)
                return kind;
        }
    }
    QString code() { return QJsonDocument::fromJson(line()).object().value(u"code"_s).toString(); }
    bool closedByServer()
    {
        while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(10'000))
            socket.readAll();
        return socket.state() != QAbstractSocket::ConnectedState;
    }
};

QByteArray hello(const QString &nick)
{
    return u"{\"type\":\"hello\",\"nick\":\"%1\"}\n"_s.arg(nick).toUtf8();
}

int httpStatus(quint16 port, const QByteArray &prefix, const QByteArray &path)
{
    Raw raw;
    if (!raw.open(port, prefix + "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        return -1;
    return raw.line().split(' ').value(1).toInt();
}

} // namespace

class TestProxyProtocol : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void headerNamesTheClient_data();
    void headerNamesTheClient();
    void limitsCountTheClient();
    void addressBanSeesTheClient();
    void trustedWithoutHeaderIsRefused();
    void httpPortToo();
    void webSocketKeepsTheClient();
    void headerFromUntrustedIsRefused();

private:
    ServerProcess m_server;
};

void TestProxyProtocol::initTestCase()
{
    QVERIFY2(m_server.start({u"--proxy-protocol"_s, u"127.0.0.0/8"_s, u"--max-connections-per-address"_s, u"2"_s,
                             u"--metrics-allow"_s, u"198.51.100.0/24"_s}),
             qPrintable(m_server.error()));
}

void TestProxyProtocol::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

void TestProxyProtocol::headerNamesTheClient_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("client");

    QTest::newRow("v1") << v1(u"203.0.113.7"_s) << u"203.0.113.7"_s;
    QTest::newRow("v1 IPv6") << QByteArray("PROXY TCP6 2001:db8::99 2001:db8::1 40000 7700\r\n") << u"2001:db8::99"_s;
    QTest::newRow("v2") << v2(QByteArray::fromHex("cb007108")) << u"203.0.113.8"_s;
}

void TestProxyProtocol::headerNamesTheClient()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, client);
    const qsizetype mark = m_server.output().size();
    Raw raw;
    // The header and the client's first bytes may arrive together.
    QVERIFY(raw.open(m_server.tcpPort(), header + hello(u"via_proxy_%1"_s.arg(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'_')))));
    QCOMPARE(raw.type(), u"welcome"_s);
    QVERIFY2(m_server.waitForOutput(client, mark), qPrintable(m_server.output().mid(mark)));
}

void TestProxyProtocol::limitsCountTheClient()
{
    // Two per address: the third from one client is refused, while another
    // client behind the same proxy gets in.
    Raw first;
    Raw second;
    Raw third;
    Raw other;
    QVERIFY(first.open(m_server.tcpPort(), v1(u"203.0.113.20"_s) + hello(u"l_one"_s)));
    QCOMPARE(first.type(), u"welcome"_s);
    QVERIFY(second.open(m_server.tcpPort(), v1(u"203.0.113.20"_s) + hello(u"l_two"_s)));
    QCOMPARE(second.type(), u"welcome"_s);
    QVERIFY(third.open(m_server.tcpPort(), v1(u"203.0.113.20"_s) + hello(u"l_three"_s)));
    QCOMPARE(third.code(), u"server_full"_s);
    QVERIFY(other.open(m_server.tcpPort(), v1(u"203.0.113.21"_s) + hello(u"l_other"_s)));
    QCOMPARE(other.type(), u"welcome"_s);
}

void TestProxyProtocol::addressBanSeesTheClient()
{
    Raw owner;
    QVERIFY(owner.open(m_server.tcpPort(), v1(u"203.0.113.60"_s) + hello(u"warden"_s)));
    QCOMPARE(owner.type(), u"welcome"_s);
    QCOMPARE(owner.ask(R"({"type":"register","password":"warden-password"})", u"registered"_s), u"registered"_s);
    QCOMPARE(owner.ask(R"({"type":"join","room":"vip"})", u"joined"_s), u"joined"_s);
    QCOMPARE(owner.ask(R"({"type":"claim","room":"vip"})", u"role_changed"_s), u"role_changed"_s);
    QCOMPARE(owner.ask(R"({"type":"ban","room":"vip","mask":"address:203.0.113.50/32","reason":"spam"})",
                       u"ban_list"_s),
             u"ban_list"_s);

    // The address behind the proxy is what the ban matches.
    Raw banned;
    QVERIFY(banned.open(m_server.tcpPort(), v1(u"203.0.113.50"_s) + hello(u"spammer"_s)));
    QCOMPARE(banned.type(), u"welcome"_s);
    QCOMPARE(banned.ask(R"({"type":"join","room":"vip"})", u"joined"_s), u"banned"_s);
    Raw neighbour;
    QVERIFY(neighbour.open(m_server.tcpPort(), v2(QByteArray::fromHex("cb007133")) + hello(u"neighbour"_s)));
    QCOMPARE(neighbour.type(), u"welcome"_s);
    QCOMPARE(neighbour.ask(R"({"type":"join","room":"vip"})", u"joined"_s), u"joined"_s);
}

void TestProxyProtocol::trustedWithoutHeaderIsRefused()
{
    const qsizetype mark = m_server.output().size();
    Raw raw;
    QVERIFY(raw.open(m_server.tcpPort(), hello(u"no_header"_s)));
    QVERIFY(raw.closedByServer());
    QVERIFY(raw.buffer.isEmpty());
    QVERIFY(m_server.waitForOutput(u"refused: no PROXY protocol header"_s, mark));

    Raw garbled;
    QVERIFY(garbled.open(m_server.tcpPort(), "PROXY TCP4 not-an-address 192.0.2.1 1 2\r\n" + hello(u"garbled"_s)));
    QVERIFY(garbled.closedByServer());
}

void TestProxyProtocol::httpPortToo()
{
    // /metrics is allowed for 198.51.100.0/24 only: the header decides.
    QCOMPARE(httpStatus(m_server.httpPort(), v1(u"198.51.100.9"_s), "/metrics"), 200);
    QCOMPARE(httpStatus(m_server.httpPort(), v1(u"203.0.113.9"_s), "/metrics"), 403);
    QCOMPARE(httpStatus(m_server.httpPort(), v2(QByteArray::fromHex("c6336409")), "/metrics"), 200);
    QCOMPARE(httpStatus(m_server.httpPort(), {}, "/healthz"), -0); // no header: closed unanswered
}

void TestProxyProtocol::webSocketKeepsTheClient()
{
    const qsizetype mark = m_server.output().size();
    Raw raw;
    QVERIFY(raw.open(m_server.httpPort(), v1(u"198.51.100.77"_s)
                                                 + "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                                   "Sec-WebSocket-Version: 13\r\n\r\n"));
    QVERIFY(raw.line().startsWith("HTTP/1.1 101"));
    while (raw.line() != "\r") {
    }
    // A masked text frame (mask 0) with hello.
    const QByteArray payload = hello(u"ws_via_proxy"_s).trimmed();
    QByteArray frame;
    frame += char(0x81);
    frame += char(0x80 | payload.size());
    frame += QByteArray(4, '\0');
    frame += payload;
    raw.socket.write(frame);
    QVERIFY(m_server.waitForOutput(u"198.51.100.77"_s, mark));
    QTRY_VERIFY_WITH_TIMEOUT((raw.buffer += raw.socket.readAll()).contains("welcome"), 10'000);
}

void TestProxyProtocol::headerFromUntrustedIsRefused()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--proxy-protocol"_s, u"10.0.0.0/8"_s}), qPrintable(server.error()));
    Raw forged;
    QVERIFY(forged.open(server.tcpPort(), v1(u"203.0.113.99"_s) + hello(u"forged"_s)));
    QVERIFY(forged.closedByServer());
    QVERIFY(forged.buffer.isEmpty());
    Raw forgedHttp;
    QCOMPARE(httpStatus(server.httpPort(), v1(u"203.0.113.99"_s), "/healthz"), 0);
    // Everyone else is served as usual.
    Raw plain;
    QVERIFY(plain.open(server.tcpPort(), hello(u"direct"_s)));
    QCOMPARE(plain.type(), u"welcome"_s);
    QCOMPARE(httpStatus(server.httpPort(), {}, "/healthz"), 200);
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestProxyProtocol)
#include "tst_proxyprotocol.moc"
