// features/identity.cpp in-process (docs/protocol.md section 5): hello as a
// guest or logged in, and reserved nicks (accounts themselves: tst_accounts).

#include "inprocesschat.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

class TestIdentity : public QObject
{
    Q_OBJECT

private slots:
    void hello_data();
    void hello();
    void beforeWelcome();
};

// alice is connected; the account "owner" exists and is offline.
void TestIdentity::hello_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("expected");

    QTest::newRow("a free nick") << QByteArray(R"({"type":"hello","nick":"bob"})") << u"welcome"_s;
    QTest::newRow("a nick in use") << QByteArray(R"({"type":"hello","nick":"alice"})") << u"nick_taken"_s;
    QTest::newRow("in use, in another case") << QByteArray(R"({"type":"hello","nick":"ALICE"})") << u"nick_taken"_s;
    QTest::newRow("not a nick") << QByteArray(R"({"type":"hello","nick":"9lives"})") << u"nick_invalid"_s;
    QTest::newRow("another protocol") << QByteArray(R"({"type":"hello","nick":"bob","protocol":2})")
                                      << u"protocol_unsupported"_s;
    QTest::newRow("an account's nick, not logged in") << QByteArray(R"({"type":"hello","nick":"owner"})")
                                                      << u"nick_reserved"_s;
    QTest::newRow("a wrong password") << QByteArray(R"({"type":"hello","nick":"owner","login":{"account":"owner","password":"wrong password"}})")
                                      << u"login_failed"_s;
    QTest::newRow("no such account, the same answer")
            << QByteArray(R"({"type":"hello","nick":"ghost","login":{"account":"ghost","password":"wrong password"}})")
            << u"login_failed"_s;
    QTest::newRow("logged in under another nick")
            << QByteArray(R"({"type":"hello","nick":"boss","login":{"account":"owner","password":"correct horse battery"}})")
            << u"welcome"_s;
}

void TestIdentity::hello()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, expected);

    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    QVERIFY(chat.account(u"owner"_s, Password));
    auto alice = chat.guest(u"alice"_s);
    QVERIFY(alice);
    auto client = chat.connect();
    const QJsonObject answer = client->ask(QJsonDocument::fromJson(request).object(), 20'000);
    QCOMPARE(outcome(answer), expected);
    // Refused or not, the connection stays open for another hello.
    QVERIFY(client->isConnected());
    if (expected != "welcome"_L1)
        QCOMPARE(outcome(client->ask(guestHello(u"another"_s))), u"welcome"_s);
}

void TestIdentity::beforeWelcome()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto client = chat.connect();
    QCOMPARE(outcome(client->ask({{"type"_L1, "join"_L1}, {"room"_L1, "lobby"_L1}})), u"not_identified"_s);
    QCOMPARE(outcome(client->ask(guestHello(u"alice"_s))), u"welcome"_s);
    QCOMPARE(outcome(client->ask(guestHello(u"alice"_s))), u"already_identified"_s);
}

QTEST_GUILESS_MAIN(TestIdentity)
#include "tst_identity.moc"
