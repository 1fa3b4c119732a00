// client/core/session/presence.cpp against a scripted server: typing
// notices sent and shown, away said and said again after a reconnect.

#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionPresence : public SessionTest
{
    Q_OBJECT

private slots:
    void typingIsRateLimitedAndExpires();
    void awayIsSaidAgainAfterAReconnect();
    void othersAwayIsKnown();
};

void TestSessionPresence::typingIsRateLimitedAndExpires()
{
    Conversation *lobby = welcome(u"lobby"_s);
    m_session->noteTyping(lobby, true);
    m_session->noteTyping(lobby, true); // within a few seconds: not again
    QCOMPARE(m_server->count(u"typing"_s), 1);
    QJsonObject typing = m_server->take(u"typing"_s);
    QCOMPARE(typing.value("room"_L1).toString(), u"lobby"_s);
    QVERIFY(!typing.contains("done"_L1));
    QVERIFY(!typing.contains("id"_L1)); // nothing answers it
    m_session->noteTyping(lobby, false);
    QCOMPARE(m_server->take(u"typing"_s).value("done"_L1).toBool(), true);
    m_session->noteTyping(lobby, false); // said already
    QCOMPARE(m_server->count(u"typing"_s), 0);

    m_server->say({{"type"_L1, "typing"_L1}, {"room"_L1, "lobby"_L1}, {"from"_L1, "bob"_L1}});
    QCOMPARE(lobby->typing(), QStringList{u"bob"_s});
    m_server->say(message(u"lobby"_s, 1)); // bob's message ends it
    QVERIFY(lobby->typing().isEmpty());
}

void TestSessionPresence::awayIsSaidAgainAfterAReconnect()
{
    welcome(u"lobby"_s);
    m_session->setAway(u"lunch"_s);
    QCOMPARE(m_server->take(u"away"_s).value("message"_L1).toString(), u"lunch"_s);
    m_server->say({{"type"_L1, "presence"_L1}, {"nick"_L1, "me"_L1}, {"away"_L1, "lunch"_L1}});
    QCOMPARE(m_session->awayMessage(), u"lunch"_s);
    QVERIFY(reconnect());
    // The server forgot it with the connection: said again, before rejoining.
    const QList<QJsonObject> sent = m_server->sent();
    QCOMPARE(m_server->take(u"away"_s).value("message"_L1).toString(), u"lunch"_s);
    const auto indexOfType = [&](const QString &type) {
        for (qsizetype i = 0; i < sent.size(); ++i) {
            if (sent.at(i).value("type"_L1).toString() == type)
                return i;
        }
        return qsizetype(-1);
    };
    QVERIFY(indexOfType(u"away"_s) < indexOfType(u"join"_s));
}

void TestSessionPresence::othersAwayIsKnown()
{
    welcome(u"lobby"_s);
    QVERIFY(m_session->awayMessageOf(u"bob"_s).isEmpty());
    m_server->say({{"type"_L1, "presence"_L1}, {"nick"_L1, "bob"_L1}, {"away"_L1, "brb"_L1}});
    QCOMPARE(m_session->awayMessageOf(u"BOB"_s), u"brb"_s);
    // presence without away: back.
    m_server->say({{"type"_L1, "presence"_L1}, {"nick"_L1, "bob"_L1}});
    QVERIFY(m_session->awayMessageOf(u"bob"_s).isEmpty());
}

QTEST_GUILESS_MAIN(TestSessionPresence)
#include "tst_presence.moc"
