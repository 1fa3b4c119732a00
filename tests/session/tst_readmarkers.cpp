// client/core/session/readmarkers.cpp against a scripted server: `read`
// sent when the user looks away, `read_marker` applied to the counts, and
// what counts as a mention.

#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionReadMarkers : public SessionTest
{
    Q_OBJECT

private slots:
    void readMarkersGoAndCome();
    void mentions_data();
    void mentions();
};

void TestSessionReadMarkers::readMarkersGoAndCome()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 3));
    Conversation *den = nullptr;
    m_session->join(u"den"_s);
    m_server->say(joined(u"den"_s, messages(u"den"_s, 1, 1)), m_server->take(u"join"_s));
    den = m_session->room(u"den"_s);
    m_session->setActiveConversation(lobby);
    m_server->say(message(u"den"_s, 2));
    QVERIFY(den->unread() > 0);
    // Looking away from the lobby says how far it was read.
    m_session->setActiveConversation(den);
    const QJsonObject read = m_server->take(u"read"_s);
    QCOMPARE(read.value("room"_L1).toString(), u"lobby"_s);
    QCOMPARE(read.value("seq"_L1).toInteger(), 3);
    QVERIFY(!read.contains("id"_L1));
    // Read on another device: the count goes here too.
    m_session->setActiveConversation(lobby);
    m_server->say(message(u"den"_s, 3));
    QVERIFY(den->unread() > 0);
    m_server->say({{"type"_L1, "read_marker"_L1}, {"room"_L1, "den"_L1}, {"seq"_L1, 3}});
    QCOMPARE(den->unread(), 0);
    QVERIFY(!den->hasMention());
}

void TestSessionReadMarkers::mentions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("mention");

    QTest::newRow("the nick") << u"hi me"_s << true;
    QTest::newRow("in another case") << u"ME: look"_s << true;
    QTest::newRow("inside a word") << u"some meat"_s << false;
    QTest::newRow("after a dot") << u"a.me"_s << false;
    QTest::newRow("not at all") << u"hello"_s << false;
}

void TestSessionReadMarkers::mentions()
{
    QFETCH(QString, text);
    QFETCH(bool, mention);

    Conversation *lobby = welcome(u"lobby"_s);
    m_session->join(u"den"_s);
    m_server->say(joined(u"den"_s, {}), m_server->take(u"join"_s));
    Conversation *den = m_session->room(u"den"_s);
    QVERIFY(lobby && den);
    m_session->setActiveConversation(den);
    QJsonObject said = message(u"lobby"_s, 1);
    said.insert("text"_L1, text);
    m_server->say(said);
    QCOMPARE(lobby->unread(), 1);
    QCOMPARE(lobby->hasMention(), mention);
}

QTEST_GUILESS_MAIN(TestSessionReadMarkers)
#include "tst_readmarkers.moc"
