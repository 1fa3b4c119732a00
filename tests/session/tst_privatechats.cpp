// client/core/session/privatechats.cpp against a scripted server: a private
// conversation opens with its history and catches up after a reconnect.

#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionPrivateChats : public SessionTest
{
    Q_OBJECT

private slots:
    void privateConversationsCatchUp();
};

void TestSessionPrivateChats::privateConversationsCatchUp()
{
    welcome();
    m_server->say(privateMessage(u"bob"_s, u"me"_s, 1));
    Conversation *chat = m_session->privateChat(u"bob"_s);
    QVERIFY(chat);
    // Opening it asks for what was said before; nothing was.
    const QJsonObject before = m_server->take(u"private_history"_s);
    QCOMPARE(before.value("with"_L1).toString(), u"bob"_s);
    m_server->say({{"type"_L1, "private_page"_L1}, {"with"_L1, "bob"_L1}, {"messages"_L1, QJsonArray()}}, before);
    m_server->say(privateMessage(u"bob"_s, u"me"_s, 2));
    QCOMPARE(shown(chat), range(1, 2));

    QVERIFY(reconnect());
    const QJsonObject catchUp = m_server->take(u"private_history"_s);
    QCOMPARE(catchUp.value("after"_L1).toInteger(), 2);
    QJsonArray missed{privateMessage(u"bob"_s, u"me"_s, 2), privateMessage(u"me"_s, u"bob"_s, 3),
                      privateMessage(u"bob"_s, u"me"_s, 4)};
    m_server->say({{"type"_L1, "private_page"_L1}, {"with"_L1, "bob"_L1}, {"messages"_L1, missed}}, catchUp);
    QCOMPARE(shown(chat), range(1, 4)); // 2 once
    QVERIFY(chat->log()->entry(chat->log()->rowOfSeq(3)).own);
}

QTEST_GUILESS_MAIN(TestSessionPrivateChats)
#include "tst_privatechats.moc"
