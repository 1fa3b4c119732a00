#include "proxyheader.h"

#include <QTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(ProxyHeader::Status)

namespace {

QByteArray v2(quint8 versionCommand, quint8 family, const QByteArray &addresses)
{
    QByteArray header("\r\n\r\n\0\r\nQUIT\n", 12);
    header += char(versionCommand);
    header += char(family);
    header += char(addresses.size() >> 8);
    header += char(addresses.size() & 0xff);
    return header + addresses;
}

} // namespace

class TestProxyHeader : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void looksLikeHeader_data();
    void looksLikeHeader();
};

void TestProxyHeader::parse_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ProxyHeader::Status>("status");
    QTest::addColumn<int>("length");
    QTest::addColumn<QString>("source"); // "" none
    QTest::addColumn<int>("port");

    using S = ProxyHeader::Status;
    const QByteArray v4Line = "PROXY TCP4 203.0.113.7 192.0.2.1 51000 7700\r\n";
    QTest::newRow("v1 IPv4, client bytes after") << v4Line + "{\"type\":\"hello\"}" << S::Complete
                                                 << int(v4Line.size()) << u"203.0.113.7"_s << 51000;
    const QByteArray v6Line = "PROXY TCP6 2001:db8::7 2001:db8::1 4242 7701\r\n";
    QTest::newRow("v1 IPv6") << v6Line << S::Complete << int(v6Line.size()) << u"2001:db8::7"_s << 4242;
    QTest::newRow("v1 unknown") << QByteArray("PROXY UNKNOWN\r\n") << S::Complete << 15 << QString() << 0;
    QTest::newRow("v1 half a line") << QByteArray("PROXY TCP4 203.0.113.7 19") << S::Incomplete << 0 << QString() << 0;
    QTest::newRow("v1 first bytes") << QByteArray("PRO") << S::Incomplete << 0 << QString() << 0;
    QTest::newRow("v1 too long") << "PROXY TCP4 " + QByteArray(120, '1') << S::Invalid << 0 << QString() << 0;
    QTest::newRow("v1 family mismatch") << QByteArray("PROXY TCP4 2001:db8::7 192.0.2.1 1 2\r\n") << S::Invalid << 0
                                        << QString() << 0;
    QTest::newRow("v1 bad port") << QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 65536 7700\r\n") << S::Invalid << 0
                                 << QString() << 0;
    QTest::newRow("v1 leading zero") << QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 080 7700\r\n") << S::Invalid
                                     << 0 << QString() << 0;
    QTest::newRow("v1 missing field") << QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 80\r\n") << S::Invalid << 0
                                      << QString() << 0;

    const QByteArray v4Addresses = QByteArray::fromHex("cb007107" "c0000201" "c738" "1e14");
    QTest::newRow("v2 IPv4") << v2(0x21, 0x11, v4Addresses) + "rest" << S::Complete << 28 << u"203.0.113.7"_s
                             << 51000;
    QTest::newRow("v2 IPv4 with a TLV") << v2(0x21, 0x11, v4Addresses + QByteArray::fromHex("0400020000"))
                                        << S::Complete << 33 << u"203.0.113.7"_s << 51000;
    const QByteArray v6Addresses = QByteArray::fromHex("20010db8000000000000000000000007"
                                                       "20010db8000000000000000000000001"
                                                       "1092" "1e15");
    QTest::newRow("v2 IPv6") << v2(0x21, 0x21, v6Addresses) << S::Complete << 52 << u"2001:db8::7"_s << 4242;
    QTest::newRow("v2 local") << v2(0x20, 0x00, {}) << S::Complete << 16 << QString() << 0;
    QTest::newRow("v2 signature only") << v2(0x21, 0x11, v4Addresses).left(12) << S::Incomplete << 0 << QString()
                                       << 0;
    QTest::newRow("v2 addresses cut") << v2(0x21, 0x11, v4Addresses).left(20) << S::Incomplete << 0 << QString() << 0;
    QTest::newRow("v2 version 3") << v2(0x31, 0x11, v4Addresses) << S::Invalid << 0 << QString() << 0;
    QTest::newRow("v2 unknown command") << v2(0x25, 0x11, v4Addresses) << S::Invalid << 0 << QString() << 0;
    QTest::newRow("v2 UDP") << v2(0x21, 0x12, v4Addresses) << S::Invalid << 0 << QString() << 0;
    QTest::newRow("v2 short IPv6") << v2(0x21, 0x21, v4Addresses) << S::Invalid << 0 << QString() << 0;
    QTest::newRow("v2 huge") << v2(0x21, 0x11, QByteArray(4000, 'x')) << S::Invalid << 0 << QString() << 0;
    QTest::newRow("plain hello") << QByteArray("{\"type\":\"hello\"}\n") << S::Invalid << 0 << QString() << 0;
}

void TestProxyHeader::parse()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ProxyHeader::Status, status);
    QFETCH(int, length);
    QFETCH(QString, source);
    QFETCH(int, port);

    const ProxyHeader header = ProxyHeader::parse(bytes);
    QCOMPARE(header.status, status);
    if (status == ProxyHeader::Status::Invalid)
        QVERIFY(!header.error.isEmpty());
    if (status != ProxyHeader::Status::Complete)
        return;
    QCOMPARE(header.length, qsizetype(length));
    QCOMPARE(header.source ? header.source->toString() : QString(), source);
    QCOMPARE(int(header.sourcePort), port);
}

void TestProxyHeader::looksLikeHeader_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("header");

    QTest::newRow("v1") << QByteArray("PROXY TCP4 ") << true;
    QTest::newRow("v1, first byte") << QByteArray("P") << true;
    QTest::newRow("v2, first bytes") << QByteArray("\r\n\r\n\0", 5) << true;
    QTest::newRow("json") << QByteArray("{\"type\"") << false;
    QTest::newRow("http") << QByteArray("GET / HTTP/1.1") << false;
    QTest::newRow("tls") << QByteArray("\x16\x03\x01") << false;
    QTest::newRow("PUT") << QByteArray("PUT /") << false;
    QTest::newRow("nothing") << QByteArray() << false;
}

void TestProxyHeader::looksLikeHeader()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, header);
    QCOMPARE(ProxyHeader::looksLikeHeader(bytes), header);
}

QTEST_APPLESS_MAIN(TestProxyHeader)
#include "tst_proxyheader.moc"
