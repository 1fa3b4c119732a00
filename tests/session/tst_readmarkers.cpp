// client/core/session/readmarkers.cpp: the unit (ReadMarkers) on its own,
// then the session against a scripted server: `read` sent when the user
// looks away, `read_marker` applied to the counts, and what counts as a
// mention.

#include "readmarkers.h"
#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace ClientSession;
using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionReadMarkers : public SessionTest
{
    Q_OBJECT

private slots:
    void readRequest_data();
    void readRequest();
    void markerApplied_data();
    void markerApplied();
    void unitMentions_data();
    void unitMentions();
    void readMarkersGoAndCome();
    void mentions_data();
    void mentions();
};

void TestSessionReadMarkers::readRequest_data()
{
    QTest::addColumn<bool>("room");
    QTest::addColumn<bool>("joined");
    QTest::addColumn<qint64>("lastSeq");
    QTest::addColumn<qint64>("readSeq");
    QTest::addColumn<bool>("sent");

    QTest::newRow("a room read further") << true << true << qint64(5) << qint64(2) << true;
    QTest::newRow("a room read to the end") << true << true << qint64(5) << qint64(5) << false;
    QTest::newRow("a room left") << true << false << qint64(5) << qint64(2) << false;
    QTest::newRow("a private chat read further") << false << true << qint64(3) << qint64(0) << true;
    QTest::newRow("nothing said yet") << false << true << qint64(0) << qint64(0) << false;
}

void TestSessionReadMarkers::readRequest()
{
    QFETCH(bool, room);
    QFETCH(bool, joined);
    QFETCH(qint64, lastSeq);
    QFETCH(qint64, readSeq);
    QFETCH(bool, sent);

    Conversation conversation(room ? Conversation::Type::Room : Conversation::Type::Private, u"Den"_s);
    conversation.setJoined(joined);
    if (lastSeq > 0)
        conversation.sync().take(lastSeq);
    conversation.setReadSeq(readSeq);
    QCOMPARE(conversation.lastSeq(), lastSeq);
    const auto request = ReadMarkers::readRequest(&conversation);
    QCOMPARE(request.has_value(), sent);
    QVERIFY(!ReadMarkers::readRequest(nullptr));
    if (!sent)
        return;
    QCOMPARE(request->seq, lastSeq);
    QCOMPARE(request->room, room ? std::optional<QString>(u"Den"_s) : std::nullopt);
    QCOMPARE(request->with, room ? std::nullopt : std::optional<QString>(u"Den"_s));
    // Noted as sent: asking again says nothing new.
    QCOMPARE(conversation.readSeq(), lastSeq);
    QVERIFY(!ReadMarkers::readRequest(&conversation));
}

void TestSessionReadMarkers::markerApplied_data()
{
    QTest::addColumn<bool>("room");
    QTest::addColumn<qint64>("marker");
    QTest::addColumn<bool>("seen");
    QTest::addColumn<int>("unread");
    QTest::addColumn<bool>("mention");

    // Messages 1..4; 2 is the user's own, 4 names them.
    QTest::newRow("nothing read") << true << qint64(0) << false << 3 << true;
    QTest::newRow("read to 3") << true << qint64(3) << false << 1 << true;
    QTest::newRow("read to the end") << true << qint64(4) << false << 0 << false;
    QTest::newRow("looking at it") << true << qint64(0) << true << 0 << false;
    QTest::newRow("private: every message counts as a mention") << false << qint64(2) << false << 2 << true;
}

void TestSessionReadMarkers::markerApplied()
{
    QFETCH(bool, room);
    QFETCH(qint64, marker);
    QFETCH(bool, seen);
    QFETCH(int, unread);
    QFETCH(bool, mention);

    Conversation conversation(room ? Conversation::Type::Room : Conversation::Type::Private, u"den"_s);
    for (qint64 seq = 1; seq <= 4; ++seq) {
        LogEntry entry;
        entry.kind = LogEntry::Kind::Message;
        entry.seq = seq;
        entry.own = seq == 2;
        entry.mention = room && seq == 4;
        conversation.log()->append(entry);
    }
    ReadMarkers::markerApplied(&conversation, marker, seen);
    QCOMPARE(conversation.readSeq(), marker);
    QCOMPARE(conversation.unread(), unread);
    QCOMPARE(conversation.hasMention(), mention);
}

void TestSessionReadMarkers::unitMentions_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("mention");

    QTest::newRow("a word of its own") << u"ann"_s << u"ann, look"_s << true;
    QTest::newRow("in another case") << u"Ann"_s << u"hi ANN"_s << true;
    QTest::newRow("inside a word") << u"ann"_s << u"annual"_s << false;
    QTest::newRow("with a hyphen") << u"ann"_s << u"ann-marie"_s << false;
    QTest::newRow("a nick with regex signs") << u"a.b+"_s << u"hey a.b+!"_s << true;
    QTest::newRow("no nick yet") << QString() << u"anything"_s << false;
}

void TestSessionReadMarkers::unitMentions()
{
    QFETCH(QString, nick);
    QFETCH(QString, text);
    QFETCH(bool, mention);

    QCOMPARE(ReadMarkers::mentions(nick, text), mention);
}

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
