// features/accounts.cpp in-process (docs/protocol.md sections 5 and 12):
// register, logging in, change_password and the server password.

#include "inprocesschat.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

class TestAccounts : public QObject
{
    Q_OBJECT

private slots:
    void registerAndLogIn();
    void changePassword();
    void anOperatorsNameIsNotRegisteredOverTheWire();
    void serverPassword_data();
    void serverPassword();
    void wrongServerPasswordsAreCountedPerAddress();
};

void TestAccounts::registerAndLogIn()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.guest(u"alice"_s);
    QVERIFY(alice);
    QCOMPARE(outcome(alice->ask({{"type"_L1, "register"_L1}, {"password"_L1, "1234"_L1}})), u"password_invalid"_s);
    QCOMPARE(outcome(alice->ask({{"type"_L1, "register"_L1}, {"password"_L1, Password}}, 20'000)), u"registered"_s);
    QCOMPARE(outcome(alice->ask({{"type"_L1, "register"_L1}, {"password"_L1, Password}}, 20'000)),
             u"account_exists"_s);
    alice->drop();

    auto again = chat.connect();
    const QJsonObject welcome = again->ask(login(u"alice"_s, u"alice"_s, Password), 20'000);
    QCOMPARE(outcome(welcome), u"welcome"_s);
    QCOMPARE(welcome.value("account"_L1).toString(), u"alice"_s);
    // The account's nick is reserved for it.
    auto other = chat.connect();
    again->drop();
    QCOMPARE(outcome(other->ask(guestHello(u"Alice"_s))), u"nick_reserved"_s);
}

void TestAccounts::changePassword()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto guest = chat.guest(u"bob"_s);
    QVERIFY(guest);
    QCOMPARE(outcome(guest->ask({{"type"_L1, "change_password"_L1}, {"old"_L1, Password}, {"new"_L1, "another one"_L1}})),
             u"not_logged_in"_s);
    auto alice = chat.account(u"alice"_s, Password);
    QVERIFY(alice);
    QCOMPARE(outcome(alice->ask({{"type"_L1, "change_password"_L1}, {"old"_L1, "not it at all"_L1}, {"new"_L1, "another one"_L1}},
                                20'000)),
             u"login_failed"_s);
    const QJsonObject changed = alice->ask(
            {{"type"_L1, "change_password"_L1}, {"old"_L1, Password}, {"new"_L1, "another one"_L1}}, 20'000);
    QCOMPARE(outcome(changed), u"password_changed"_s);
    alice->drop();
    auto again = chat.connect();
    QCOMPARE(outcome(again->ask(login(u"alice"_s, u"alice"_s, Password), 20'000)), u"login_failed"_s);
    QCOMPARE(outcome(again->ask(login(u"alice"_s, u"alice"_s, u"another one"_s), 20'000)), u"welcome"_s);
}

void TestAccounts::anOperatorsNameIsNotRegisteredOverTheWire()
{
    ChatService::Settings settings = InProcessChat::defaultSettings();
    settings.operators = {u"root"_s};
    InProcessChat chat(settings);
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    // Reserved until the shell makes it; a guest cannot take the nick either.
    auto client = chat.connect();
    QCOMPARE(outcome(client->ask(guestHello(u"root"_s))), u"nick_reserved"_s);
    auto rooty = chat.guest(u"rooty"_s);
    QVERIFY(rooty);
    QCOMPARE(outcome(rooty->ask({{"type"_L1, "nick"_L1}, {"nick"_L1, "Root"_L1}})), u"nick_reserved"_s);
}

void TestAccounts::serverPassword_data()
{
    QTest::addColumn<QJsonValue>("password"); // undefined: none given
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("message");

    QTest::newRow("the right one") << QJsonValue(u"sesame"_s) << u"welcome"_s << QString();
    QTest::newRow("a wrong one") << QJsonValue(u"open"_s) << u"auth_failed"_s << u"wrong password"_s;
    QTest::newRow("none") << QJsonValue(QJsonValue::Undefined) << u"auth_failed"_s
                          << u"this server needs a password"_s;
}

void TestAccounts::serverPassword()
{
    QFETCH(QJsonValue, password);
    QFETCH(QString, expected);
    QFETCH(QString, message);

    ChatService::Settings settings = InProcessChat::defaultSettings();
    settings.password = u"sesame"_s;
    InProcessChat chat(settings);
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto client = chat.connect();
    QJsonObject request = guestHello(u"alice"_s);
    if (!password.isUndefined())
        request.insert("password"_L1, password);
    const QJsonObject answer = client->ask(request);
    QCOMPARE(outcome(answer), expected);
    if (!message.isEmpty())
        QCOMPARE(answer.value("message"_L1).toString(), message);
    QVERIFY(client->isConnected());
}

void TestAccounts::wrongServerPasswordsAreCountedPerAddress()
{
    ChatService::Settings settings = InProcessChat::defaultSettings();
    settings.password = u"sesame"_s;
    InProcessChat chat(settings);
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    // A new connection buys no new tries.
    for (int i = 0; i < 5; ++i) {
        auto guesser = chat.connect();
        QJsonObject request = guestHello(u"eve"_s);
        request.insert("password"_L1, u"guess %1"_s.arg(i));
        QCOMPARE(outcome(guesser->ask(request)), u"auth_failed"_s);
    }
    auto guesser = chat.connect();
    QJsonObject request = guestHello(u"eve"_s);
    request.insert("password"_L1, u"sesame"_s);
    QCOMPARE(outcome(guesser->ask(request)), u"rate_limited"_s);
    QTRY_VERIFY(!guesser->isConnected());
    // Another address is not held back.
    auto other = chat.connect(QHostAddress(u"127.0.0.2"_s));
    QCOMPARE(outcome(other->ask(request)), u"welcome"_s);
}

QTEST_GUILESS_MAIN(TestAccounts)
#include "tst_accounts.moc"
