// features/serverbans.cpp in-process (docs/protocol.md section 13): who may
// ban from the whole server, who is put out at once, and who is refused
// afterwards.

#include "inprocesschat.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

class TestServerBans : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void request_data();
    void request();
    void aBannedNickIsRefusedUntilUnbanned();

private:
    // root: a server operator; spammer and ann: guests.
    std::unique_ptr<InProcessChat> m_chat;
    std::unique_ptr<FakeClient> m_root, m_spammer, m_ann;
};

void TestServerBans::init()
{
    cleanup(); // what a failed init left
    m_chat = std::make_unique<InProcessChat>();
    QVERIFY2(m_chat->isReady(), qPrintable(m_chat->error()));
    // An operator's nick is reserved until its account exists: registered
    // first, then named an operator (as a SIGHUP would).
    m_root = m_chat->account(u"root"_s, Password);
    ChatService::Settings settings = InProcessChat::defaultSettings();
    settings.operators = {u"root"_s};
    m_chat->service().updateSettings(settings);
    m_spammer = m_chat->guest(u"spammer"_s);
    m_ann = m_chat->guest(u"ann"_s);
    QVERIFY(m_root && m_spammer && m_ann);
}

void TestServerBans::cleanup()
{
    m_root.reset();
    m_spammer.reset();
    m_ann.reset();
    m_chat.reset();
}

void TestServerBans::request_data()
{
    QTest::addColumn<bool>("byOperator");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("spammerHears"); // the closing's reason; empty: stays

    QTest::newRow("a nick ban with a reason")
            << true << QByteArray(R"({"type":"server_ban","mask":"nick:spam*","reason":"spam"})")
            << u"server_ban_list"_s << u"spam"_s;
    QTest::newRow("a nick ban without one")
            << true << QByteArray(R"({"type":"server_ban","mask":"nick:spam*"})") << u"server_ban_list"_s
            << u"banned from this server"_s;
    QTest::newRow("a ban that matches nobody here")
            << true << QByteArray(R"({"type":"server_ban","mask":"nick:eve"})") << u"server_ban_list"_s
            << QString();
    QTest::newRow("an operator's own nick: never put out")
            << true << QByteArray(R"({"type":"server_ban","mask":"nick:root"})") << u"server_ban_list"_s
            << QString();
    QTest::newRow("a guest bans") << false << QByteArray(R"({"type":"server_ban","mask":"nick:spam*"})")
                                  << u"not_permitted"_s << QString();
    QTest::newRow("a guest asks for the list") << false << QByteArray(R"({"type":"server_ban_list"})")
                                               << u"not_permitted"_s << QString();
    QTest::newRow("not a mask") << true << QByteArray(R"({"type":"server_ban","mask":"spam"})")
                                << u"bad_request"_s << QString();
    QTest::newRow("unban of no ban") << true << QByteArray(R"({"type":"server_unban","mask":"nick:eve"})")
                                     << u"server_ban_list"_s << QString();
}

void TestServerBans::request()
{
    QFETCH(bool, byOperator);
    QFETCH(QByteArray, request);
    QFETCH(QString, expected);
    QFETCH(QString, spammerHears);

    FakeClient *asker = byOperator ? m_root.get() : m_ann.get();
    QCOMPARE(outcome(asker->ask(object(request))), expected);
    if (spammerHears.isEmpty()) {
        // Still here: answered as anyone is.
        QCOMPARE(outcome(m_spammer->ask(object(R"({"type":"list"})"))), u"room_list"_s);
    } else {
        QCOMPARE(m_spammer->waitFor(u"closing"_s).value("reason"_L1).toString(), spammerHears);
        QTRY_VERIFY(!m_spammer->isConnected());
    }
    QVERIFY(m_root->isConnected());
    QVERIFY(m_ann->isConnected());
}

void TestServerBans::aBannedNickIsRefusedUntilUnbanned()
{
    const QJsonObject list =
            m_root->ask(object(R"({"type":"server_ban","mask":"nick:spam*","duration":3600,"reason":"spam"})"));
    QCOMPARE(list.value("bans"_L1).toArray().size(), 1);
    QCOMPARE(list.value("bans"_L1).toArray().first().toObject().value("by"_L1).toString(), u"root"_s);

    std::unique_ptr<FakeClient> again = m_chat->connect();
    const QJsonObject refused = again->ask(object(R"({"type":"hello","nick":"spam2","protocol":1})"));
    QCOMPARE(outcome(refused), u"banned"_s);
    QVERIFY2(refused.value("message"_L1).toString().contains("until"_L1), qPrintable(refused.value("message"_L1).toString()));
    QVERIFY(refused.value("message"_L1).toString().endsWith(": spam"_L1));
    QTRY_VERIFY(!again->isConnected());

    QCOMPARE(m_root->ask(object(R"({"type":"server_unban","mask":"nick:spam*"})")).value("bans"_L1).toArray().size(),
             0);
    std::unique_ptr<FakeClient> back = m_chat->guest(u"spam3"_s);
    QVERIFY(back);
}

QTEST_GUILESS_MAIN(TestServerBans)
#include "tst_serverbans.moc"
