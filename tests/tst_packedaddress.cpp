// PackedAddress: a connection's peer address kept without an allocation,
// given back as it was (but for an IPv6 scope).

#include "packedaddress.h"

#include <QTest>

class TestPackedAddress : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
};

void TestPackedAddress::roundTrip_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("expected");
    QTest::newRow("IPv4") << "192.0.2.17" << "192.0.2.17";
    QTest::newRow("IPv4 loopback") << "127.0.0.1" << "127.0.0.1";
    QTest::newRow("IPv6") << "2001:db8::1:2" << "2001:db8::1:2";
    QTest::newRow("IPv6 loopback") << "::1" << "::1";
    QTest::newRow("IPv4 on a dual-stack socket") << "::ffff:192.0.2.17" << "::ffff:192.0.2.17";
    QTest::newRow("scope not kept") << "fe80::1%lo" << "fe80::1";
    QTest::newRow("none") << "" << "";
}

void TestPackedAddress::roundTrip()
{
    QFETCH(QString, address);
    QFETCH(QString, expected);
    const QHostAddress original(address);
    const QHostAddress unpacked = PackedAddress(original).unpacked();
    QCOMPARE(unpacked.toString(), expected);
    QCOMPARE(unpacked.protocol(), original.protocol());
    QCOMPARE(unpacked.isNull(), original.isNull());
    QVERIFY(unpacked.isEqual(original, QHostAddress::StrictConversion) || address.contains(u'%'));
}

QTEST_APPLESS_MAIN(TestPackedAddress)
#include "tst_packedaddress.moc"
