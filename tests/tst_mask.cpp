#include "mask.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestMask : public QObject
{
    Q_OBJECT

private slots:
    void matches_data();
    void matches();
    void invalid_data();
    void invalid();
    void sameKeySameBan_data();
    void sameKeySameBan();
};

void TestMask::matches_data()
{
    QTest::addColumn<QString>("mask");
    QTest::addColumn<QString>("accountKey"); // empty: not logged in
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("matches");

    const QString v4 = u"192.0.2.7"_s;
    // account:
    QTest::newRow("account, logged in") << u"account:Alice"_s << u"alice"_s << u"x"_s << v4 << true;
    QTest::newRow("account, other") << u"account:alice"_s << u"bob"_s << u"alice"_s << v4 << false;
    QTest::newRow("account, not logged in, same nick") << u"account:alice"_s << QString() << u"alice"_s << v4 << false;
    QTest::newRow("account, full width") << u"account:ａｌｉｃｅ"_s << u"alice"_s << u"x"_s << v4 << true;
    // nick: globs, compared like nicks
    QTest::newRow("nick exact") << u"nick:bob"_s << QString() << u"bob"_s << v4 << true;
    QTest::newRow("nick case folded") << u"nick:BOB"_s << QString() << u"bOb"_s << v4 << true;
    QTest::newRow("nick star suffix") << u"nick:spam*"_s << QString() << u"spambot42"_s << v4 << true;
    QTest::newRow("nick star matches empty") << u"nick:spam*"_s << QString() << u"spam"_s << v4 << true;
    QTest::newRow("nick star prefix") << u"nick:*bot"_s << QString() << u"evilbot"_s << v4 << true;
    QTest::newRow("nick star middle") << u"nick:a*z"_s << QString() << u"abcz"_s << v4 << true;
    QTest::newRow("nick star middle, no end") << u"nick:a*z"_s << QString() << u"abcza"_s << v4 << false;
    QTest::newRow("nick two stars") << u"nick:*x*y*"_s << QString() << u"axbxcyd"_s << v4 << true;
    QTest::newRow("nick question") << u"nick:b?b"_s << QString() << u"bob"_s << v4 << true;
    QTest::newRow("nick question needs one") << u"nick:b?b"_s << QString() << u"bb"_s << v4 << false;
    QTest::newRow("nick question is one code point") << u"nick:?x"_s << QString() << u"\U0001D49Cx"_s << v4 << true;
    QTest::newRow("nick question, cyrillic") << u"nick:б?рис"_s << QString() << u"Борис"_s << v4 << true;
    QTest::newRow("nick star alone") << u"nick:*"_s << QString() << u"anyone"_s << v4 << true;
    QTest::newRow("nick no match") << u"nick:spam*"_s << QString() << u"hamspam"_s << v4 << false;
    QTest::newRow("nick, account does not matter") << u"nick:alice"_s << u"alice"_s << u"ally"_s << v4 << false;
    // address: IPv4 and IPv6 CIDR
    QTest::newRow("v4 single") << u"address:192.0.2.7"_s << QString() << u"x"_s << v4 << true;
    QTest::newRow("v4 single, other") << u"address:192.0.2.8"_s << QString() << u"x"_s << v4 << false;
    QTest::newRow("v4 /24") << u"address:192.0.2.0/24"_s << QString() << u"x"_s << v4 << true;
    QTest::newRow("v4 /24 outside") << u"address:192.0.3.0/24"_s << QString() << u"x"_s << v4 << false;
    QTest::newRow("v4 /32") << u"address:192.0.2.7/32"_s << QString() << u"x"_s << v4 << true;
    QTest::newRow("v4 /31 edge") << u"address:192.0.2.6/31"_s << QString() << u"x"_s << v4 << true;
    QTest::newRow("v4 /0") << u"address:0.0.0.0/0"_s << QString() << u"x"_s << v4 << true;
    QTest::newRow("v4 /0 not v6") << u"address:0.0.0.0/0"_s << QString() << u"x"_s << u"2001:db8::1"_s << false;
    QTest::newRow("v4 mask, mapped peer") << u"address:192.0.2.0/24"_s << QString() << u"x"_s
                                          << u"::ffff:192.0.2.7"_s << true;
    QTest::newRow("mapped mask, v4 peer") << u"address:::ffff:192.0.2.0/120"_s << QString() << u"x"_s << v4
                                          << true;
    QTest::newRow("v6 /32") << u"address:2001:db8::/32"_s << QString() << u"x"_s << u"2001:db8:1:2::3"_s << true;
    QTest::newRow("v6 /32 outside") << u"address:2001:db8::/32"_s << QString() << u"x"_s << u"2001:db9::1"_s
                                    << false;
    QTest::newRow("v6 /128") << u"address:2001:db8::1/128"_s << QString() << u"x"_s << u"2001:db8::1"_s << true;
    QTest::newRow("v6 single") << u"address:2001:DB8::1"_s << QString() << u"x"_s << u"2001:db8::1"_s << true;
    QTest::newRow("v6 /64 edge") << u"address:2001:db8:0:1::/64"_s << QString() << u"x"_s
                                 << u"2001:db8:0:1:ffff:ffff:ffff:ffff"_s << true;
    QTest::newRow("v6 /0") << u"address:::/0"_s << QString() << u"x"_s << u"2001:db8::1"_s << true;
    QTest::newRow("v6 mask, v4 peer") << u"address:2001:db8::/32"_s << QString() << u"x"_s << v4 << false;
    QTest::newRow("loopback") << u"address:127.0.0.0/8"_s << QString() << u"x"_s << u"127.0.0.2"_s << true;
}

void TestMask::matches()
{
    QFETCH(QString, mask);
    QFETCH(QString, accountKey);
    QFETCH(QString, nick);
    QFETCH(QString, address);
    QFETCH(bool, matches);

    QString error;
    const auto parsed = Mask::parse(mask, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->matches({accountKey, nick, QHostAddress(address)}), matches);
}

void TestMask::invalid_data()
{
    QTest::addColumn<QString>("mask");
    QTest::newRow("empty") << QString();
    QTest::newRow("no kind") << u"bob"_s;
    QTest::newRow("unknown kind") << u"host:bob"_s;
    QTest::newRow("empty account") << u"account:"_s;
    QTest::newRow("account with star") << u"account:bo*"_s;
    QTest::newRow("empty glob") << u"nick:"_s;
    QTest::newRow("glob with space") << u"nick:a b"_s;
    QTest::newRow("glob with at") << u"nick:a@b"_s;
    QTest::newRow("not an address") << u"address:example.org"_s;
    QTest::newRow("v4 prefix 33") << u"address:192.0.2.0/33"_s;
    QTest::newRow("v6 prefix 129") << u"address:2001:db8::/129"_s;
    QTest::newRow("prefix not a number") << u"address:192.0.2.0/x"_s;
    QTest::newRow("half an address") << u"address:192.0.2"_s;
}

void TestMask::invalid()
{
    QFETCH(QString, mask);
    QString error;
    QVERIFY(!Mask::parse(mask, &error));
    QVERIFY(!error.isEmpty());
}

void TestMask::sameKeySameBan_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::newRow("kind case") << u"NICK:bob*"_s << u"nick:bob*"_s << true;
    QTest::newRow("nick case") << u"nick:Bob*"_s << u"nick:bOB*"_s << true;
    QTest::newRow("account full width") << u"account:ａｌｉｃｅ"_s << u"account:alice"_s << true;
    QTest::newRow("v4 single is /32") << u"address:192.0.2.7"_s << u"address:192.0.2.7/32"_s << true;
    QTest::newRow("v6 spelling") << u"address:2001:DB8:0::/32"_s << u"address:2001:db8::/32"_s << true;
    QTest::newRow("different globs") << u"nick:bob*"_s << u"nick:bob?"_s << false;
    QTest::newRow("different kinds") << u"nick:bob"_s << u"account:bob"_s << false;
}

void TestMask::sameKeySameBan()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QString error;
    const auto first = Mask::parse(a, &error);
    const auto second = Mask::parse(b, &error);
    QVERIFY(first && second);
    QCOMPARE(first->key() == second->key(), same);
}

QTEST_APPLESS_MAIN(TestMask)
#include "tst_mask.moc"
