// client/core/session/messagechanges.cpp: who may change which message
// (MessageChanges) on its own, then the session against a scripted server:
// an `updated` event replaces the message shown, and the requests to change
// one.

#include "messagechanges.h"
#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace ClientSession;
using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionMessageChanges : public SessionTest
{
    Q_OBJECT

private slots:
    void whoMayChange_data();
    void whoMayChange();
    void lastEditableSeq();
    void changesApplyToTheMessageShown();
    void onlyTheAuthorEdits();
};

void TestSessionMessageChanges::whoMayChange_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<qint64>("seq");
    QTest::addColumn<bool>("deleted");
    QTest::addColumn<bool>("joined");
    QTest::addColumn<int>("rank"); // RoomMembers::Rank
    QTest::addColumn<bool>("mayEdit");
    QTest::addColumn<bool>("mayDelete");

    const int member = int(RoomMembers::Rank::Member);
    const int op = int(RoomMembers::Rank::Op);
    QTest::newRow("one's own") << u"Me"_s << qint64(3) << false << true << member << true << true;
    QTest::newRow("someone else's") << u"bob"_s << qint64(3) << false << true << member << false << false;
    QTest::newRow("someone else's, as an op") << u"bob"_s << qint64(3) << false << true << op << false << true;
    QTest::newRow("deleted already") << u"me"_s << qint64(3) << true << true << op << false << false;
    QTest::newRow("not stored (no seq)") << u"me"_s << qint64(0) << false << true << op << false << false;
    QTest::newRow("after leaving the room") << u"me"_s << qint64(3) << false << false << op << false << false;
}

void TestSessionMessageChanges::whoMayChange()
{
    QFETCH(QString, from);
    QFETCH(qint64, seq);
    QFETCH(bool, deleted);
    QFETCH(bool, joined);
    QFETCH(int, rank);
    QFETCH(bool, mayEdit);
    QFETCH(bool, mayDelete);

    Conversation room(Conversation::Type::Room, u"den"_s);
    room.setJoined(joined);
    LogEntry entry;
    entry.kind = LogEntry::Kind::Message;
    entry.from = from;
    entry.seq = seq;
    entry.deleted = deleted;
    QCOMPARE(MessageChanges::canEdit(&room, entry, u"me"_s), mayEdit);
    QCOMPARE(MessageChanges::canDelete(&room, entry, u"me"_s, RoomMembers::Rank(rank)), mayDelete);
    // Never in a private conversation: its messages do not change.
    Conversation chat(Conversation::Type::Private, u"bob"_s);
    QVERIFY(!MessageChanges::canEdit(&chat, entry, u"me"_s));
}

void TestSessionMessageChanges::lastEditableSeq()
{
    Conversation room(Conversation::Type::Room, u"den"_s);
    room.setJoined(true);
    QCOMPARE(MessageChanges::lastEditableSeq(&room, u"me"_s), 0);
    const QList<std::pair<QString, bool>> said{{u"me"_s, false}, {u"me"_s, false}, {u"me"_s, true}, {u"bob"_s, false}};
    qint64 seq = 0;
    for (const auto &[from, deleted] : said) {
        LogEntry entry;
        entry.kind = LogEntry::Kind::Message;
        entry.from = from;
        entry.seq = ++seq;
        entry.deleted = deleted;
        room.log()->append(entry);
    }
    // The newest of one's own not deleted: 2 (3 was deleted, 4 is bob's).
    QCOMPARE(MessageChanges::lastEditableSeq(&room, u"me"_s), 2);
    QCOMPARE(MessageChanges::lastEditableSeq(nullptr, u"me"_s), 0);
}

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
