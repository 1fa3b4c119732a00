// client/core/session/messagechanges.cpp against a scripted server: an
// `updated` event replaces the message shown, and the requests to change one.

#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionMessageChanges : public SessionTest
{
    Q_OBJECT

private slots:
    void changesApplyToTheMessageShown();
    void onlyTheAuthorEdits();
};

void TestSessionMessageChanges::changesApplyToTheMessageShown()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 3));
    QJsonObject changed = message(u"lobby"_s, 2);
    changed.insert("text"_L1, "fixed"_L1);
    changed.insert("edited"_L1, 1500); // when
    changed.insert("rev"_L1, 1);
    changed.insert("reactions"_L1, QJsonArray{QJsonObject{{"emoji"_L1, u"👍"_s}, {"nicks"_L1, QJsonArray{"me"_L1}}}});
    m_server->say({{"type"_L1, "updated"_L1}, {"by"_L1, "bob"_L1}, {"message"_L1, QJsonValue(changed)}});
    const LogEntry &entry = lobby->log()->entry(lobby->log()->rowOfSeq(2));
    QCOMPARE(entry.text, u"fixed"_s);
    QVERIFY(entry.edited);
    QCOMPARE(entry.reactions.size(), 1);
    QCOMPARE(lobby->lastRev(), 1);
    QCOMPARE(shown(lobby), range(1, 3)); // changed in place, not added

    changed.insert("deleted"_L1, true);
    changed.insert("text"_L1, ""_L1);
    changed.insert("rev"_L1, 2);
    m_server->say({{"type"_L1, "updated"_L1}, {"by"_L1, "bob"_L1}, {"message"_L1, QJsonValue(changed)}});
    QVERIFY(lobby->log()->entry(lobby->log()->rowOfSeq(2)).deleted);

    // The edit requests carry the seq; a reaction toggles by emoji.
    m_session->editMessage(lobby, 3, u"again"_s);
    const QJsonObject edit = m_server->take(u"edit"_s);
    QCOMPARE(edit.value("seq"_L1).toInteger(), 3);
    QCOMPARE(edit.value("text"_L1).toString(), u"again"_s);
    m_session->react(lobby, 3, u"🎉"_s);
    QCOMPARE(m_server->take(u"react"_s).value("emoji"_L1).toString(), u"🎉"_s);
}

void TestSessionMessageChanges::onlyTheAuthorEdits()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 1));
    m_session->sendText(lobby, u"mine"_s);
    const QJsonObject say = m_server->take(u"say"_s);
    QJsonObject echo = message(u"lobby"_s, 2);
    echo.insert("from"_L1, "me"_L1);
    m_server->say(echo, say);
    const LogEntry &bobs = lobby->log()->entry(lobby->log()->rowOfSeq(1));
    const LogEntry &mine = lobby->log()->entry(lobby->log()->rowOfSeq(2));
    QVERIFY(!m_session->canEdit(lobby, bobs));
    QVERIFY(!m_session->canDelete(lobby, bobs)); // not an op here
    QVERIFY(m_session->canEdit(lobby, mine));
    QVERIFY(m_session->canDelete(lobby, mine));
    m_session->deleteMessage(lobby, 2);
    const QJsonObject request = m_server->take(u"delete"_s);
    QCOMPARE(request.value("room"_L1).toString(), u"lobby"_s);
    QCOMPARE(request.value("seq"_L1).toInteger(), 2);
}

QTEST_GUILESS_MAIN(TestSessionMessageChanges)
#include "tst_messagechanges.moc"
