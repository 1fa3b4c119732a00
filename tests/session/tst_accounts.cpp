// client/core/session/accounts.cpp against a scripted server: registering,
// logging in after a welcome, and what is refused before it is sent.

#include "sessionscript.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionAccounts : public SessionTest
{
    Q_OBJECT

private slots:
    void registering_data();
    void registering();
    void logInAfterAWelcomeStartsAgain();
};

void TestSessionAccounts::registering_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("sent");

    QTest::newRow("a good password") << u"correct horse battery"_s << true;
    QTest::newRow("too short: refused here") << u"1234567"_s << false;
    QTest::newRow("too long: refused here") << QString(257, u'x') << false;
}

void TestSessionAccounts::registering()
{
    QFETCH(QString, password);
    QFETCH(bool, sent);

    Conversation *lobby = welcome(u"lobby"_s);
    m_server->take(u"ping"_s);
    m_session->registerAccount(password, lobby);
    const QJsonObject request = m_server->take(u"register"_s);
    QCOMPARE(!request.isEmpty(), sent);
    if (!sent) {
        QCOMPARE(lobby->log()->entries().last().kind, LogEntry::Kind::Error);
        return;
    }
    QCOMPARE(request.value("password"_L1).toString(), password);
    m_server->say({{"type"_L1, "registered"_L1}, {"account"_L1, "me"_L1}}, request);
    QCOMPARE(m_session->account(), u"me"_s);
    // Once logged in, registering again is refused here.
    m_session->registerAccount(password, lobby);
    QCOMPARE(m_server->count(u"register"_s), 0);
}

void TestSessionAccounts::logInAfterAWelcomeStartsAgain()
{
    welcome(u"lobby"_s);
    m_session->logIn(u"alice"_s, u"correct horse battery"_s);
    // Logging in is part of hello: the session starts again, as the account.
    QTRY_VERIFY(m_server->isConnecting());
    m_server->accept();
    const QJsonObject hello = m_server->take(u"hello"_s);
    QCOMPARE(hello.value("nick"_L1).toString(), u"alice"_s);
    QCOMPARE(hello.value("login"_L1).toObject(),
             (QJsonObject{{"account"_L1, "alice"_L1}, {"password"_L1, "correct horse battery"_L1}}));
    QJsonObject welcome = welcomeFrame();
    welcome.insert("nick"_L1, "alice"_L1);
    welcome.insert("account"_L1, "alice"_L1);
    m_server->say(welcome, hello);
    QCOMPARE(m_session->account(), u"alice"_s);
    // The rooms come back.
    QCOMPARE(m_server->take(u"join"_s).value("room"_L1).toString(), u"lobby"_s);
}

QTEST_GUILESS_MAIN(TestSessionAccounts)
#include "tst_accounts.moc"
