#include "serveraddress.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestServerAddress : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
};

void TestServerAddress::parse_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("host") << u"chat.example.org"_s << true << u"chat.example.org:7700"_s;
    QTest::newRow("host and port") << u"localhost:7800"_s << true << u"localhost:7800"_s;
    QTest::newRow("spaces trimmed") << u"  localhost:7800 "_s << true << u"localhost:7800"_s;
    QTest::newRow("ipv4") << u"192.168.1.20:7700"_s << true << u"192.168.1.20:7700"_s;
    QTest::newRow("ipv6 with port") << u"[::1]:7700"_s << true << u"[::1]:7700"_s;
    QTest::newRow("bare ipv6") << u"::1"_s << true << u"[::1]:7700"_s;
    QTest::newRow("tls") << u"tls://chat.example.org"_s << true << u"tls://chat.example.org:7700"_s;
    QTest::newRow("tcp scheme") << u"tcp://h:1"_s << true << u"h:1"_s;
    QTest::newRow("ws") << u"ws://localhost:7701/ws"_s << true << u"ws://localhost:7701/ws"_s;
    QTest::newRow("ws default path") << u"ws://localhost:7701"_s << true << u"ws://localhost:7701/ws"_s;
    QTest::newRow("wss default port") << u"wss://chat.example.org/ws"_s << true << u"wss://chat.example.org:443/ws"_s;
    QTest::newRow("empty") << QString() << false << QString();
    QTest::newRow("port zero") << u"localhost:0"_s << false << QString();
    QTest::newRow("port too big") << u"localhost:70000"_s << false << QString();
    QTest::newRow("port not a number") << u"localhost:abc"_s << false << QString();
    QTest::newRow("http scheme") << u"http://localhost"_s << false << QString();
    QTest::newRow("unclosed bracket") << u"[::1:7700"_s << false << QString();
    QTest::newRow("space in host") << u"my host:7700"_s << false << QString();
    QTest::newRow("cluster") << u"a:7700,b:7800 , c"_s << true << u"a:7700, b:7800, c:7700"_s;
    QTest::newRow("cluster, trailing comma") << u"a:7700, b,"_s << true << u"a:7700, b:7700"_s;
    QTest::newRow("cluster with tls") << u"tls://a, b:7800"_s << true << u"tls://a:7700, b:7800"_s;
    QTest::newRow("cluster, tls spelled twice") << u"tls://a, tls://b"_s << true << u"tls://a:7700, b:7700"_s;
    QTest::newRow("cluster over ws") << u"ws://a:7701/chat, b"_s << true << u"ws://a:7701/chat, b:7701/chat"_s;
    QTest::newRow("cluster, mixed schemes") << u"a:7700, tls://b:7700"_s << false << QString();
    QTest::newRow("cluster, bad second") << u"a:7700, b:0"_s << false << QString();
    QTest::newRow("cluster, ipv6") << u"[::1]:7700, [::1]:7800"_s << true << u"[::1]:7700, [::1]:7800"_s;
}

void TestServerAddress::parse()
{
    QFETCH(QString, input);
    QFETCH(bool, valid);
    QFETCH(QString, canonical);

    QString error;
    const auto address = ServerAddress::parse(input, &error);
    QCOMPARE(address.has_value(), valid);
    if (!valid) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QCOMPARE(address->toString(), canonical);
    // The canonical form reads back as the same address.
    QCOMPARE(ServerAddress::parse(canonical), address);
    // A cluster: each server on its own, in order, first first.
    const QList<ServerAddress> servers = address->servers();
    QCOMPARE(servers.size(), canonical.count(u',') + 1);
    QCOMPARE(servers.first().hostAndPort(), address->hostAndPort());
    for (const ServerAddress &server : servers) {
        QVERIFY(server.alternates.isEmpty());
        QCOMPARE(server.tls, address->tls);
        QCOMPARE(server.path, address->path);
    }
}

QTEST_APPLESS_MAIN(TestServerAddress)
#include "tst_serveraddress.moc"
