// The desktop client's core against a real confab-server: no window, the
// same calls the window makes.

#include "chatclient.h"
#include "chatsession.h"
#include "conversation.h"
#include "serverprocess.h"

#include <QHash>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

ServerAddress tcpAddress(quint16 port)
{
    return *ServerAddress::parse(u"127.0.0.1:%1"_s.arg(port));
}

QStringList texts(Conversation *conversation, LogEntry::Kind kind = LogEntry::Kind::Message)
{
    QStringList out;
    for (const LogEntry &entry : conversation->log()->entries()) {
        if (entry.kind == kind)
            out << entry.text;
    }
    return out;
}

// The room events a conversation shows (LogEntry::Event), as
// "Joined dan", "Left dan bye": the UI words them, the core only types them.
QStringList events(Conversation *conversation)
{
    static const QHash<LogEntry::Event, QString> names{
            {LogEntry::Event::Joined, u"Joined"_s},           {LogEntry::Event::Left, u"Left"_s},
            {LogEntry::Event::NickChanged, u"NickChanged"_s}, {LogEntry::Event::TopicChanged, u"TopicChanged"_s},
            {LogEntry::Event::Topic, u"Topic"_s},             {LogEntry::Event::Disconnected, u"Disconnected"_s},
            {LogEntry::Event::Reconnected, u"Reconnected"_s},
            {LogEntry::Event::AwayChanged, u"AwayChanged"_s},
            {LogEntry::Event::Waiting, u"Waiting"_s}};
    QStringList out;
    for (const LogEntry &entry : conversation->log()->entries()) {
        if (entry.kind == LogEntry::Kind::Event)
            out << QStringList{names.value(entry.event), entry.from, entry.text}.join(u' ').trimmed();
    }
    return out;
}

QList<qint64> seqs(Conversation *conversation)
{
    QList<qint64> out;
    for (const LogEntry &entry : conversation->log()->entries()) {
        if (entry.kind == LogEntry::Kind::Message)
            out << entry.seq;
    }
    return out;
}

bool online(ChatSession &session, int timeoutMs = 15'000)
{
    if (session.state() == ChatSession::State::Online)
        return true;
    QSignalSpy spy(&session, &ChatSession::stateChanged);
    QDeadlineTimer deadline(timeoutMs);
    while (session.state() != ChatSession::State::Online && !deadline.hasExpired())
        spy.wait(int(qMax<qint64>(1, deadline.remainingTime())));
    return session.state() == ChatSession::State::Online;
}

// A raw client that says hello with the test server's password.
bool logIn(ChatClient &client, quint16 port, const QString &nick)
{
    if (!client.connectTo(port))
        return false;
    client.send({{u"type"_s, u"hello"_s}, {u"nick"_s, nick}, {u"password"_s, u"letmein"_s}});
    return !client.waitFor(u"welcome"_s).isEmpty();
}

// Starts `session` as `nick` and waits until it is in `room`.
Conversation *enterRoom(ChatSession &session, quint16 port, const QString &nick, const QString &room)
{
    session.start(tcpAddress(port), nick, u"letmein"_s, {room});
    if (!online(session))
        return nullptr;
    if (!QTest::qWaitFor([&] { return session.room(room) && session.room(room)->isJoined(); }, 10'000))
        return nullptr;
    return session.room(room);
}

} // namespace

class TestChatSession : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void loginAndJoin();
    void loginFailures_data();
    void loginFailures();
    void unreachableServer();
    void chatWithSomeoneElse();
    void privateMessages();
    void nickChange();
    void roomListLines_data();
    void roomListLines();
    void listShowsRoomsWhereTyped();
    void messageToNobodyOpensNothing();
    void actionsAreStoredAndShown();
    void awayAndBack();
    void errorsShownInline();
    void unreadAndMentions();
    void scrollBack();
    void reconnectCatchesUp();
    void editsDeletionsAndReactions();
    void reconnectCatchesUpOnChanges();
    void privateConversationsLast();
    void unreadSurvivesARestartOfTheClient();
    void webSocketTransport();

private:
    ServerProcess m_server;
};

void TestChatSession::initTestCase()
{
    QVERIFY2(m_server.start({u"--password"_s, u"letmein"_s, u"--flood-rate"_s, u"0"_s}), qPrintable(m_server.error()));
}

void TestChatSession::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

void TestChatSession::loginAndJoin()
{
    ChatSession session;
    QSignalSpy opened(&session, &ChatSession::conversationOpened);
    session.start(tcpAddress(m_server.tcpPort()), u"ann"_s, u"letmein"_s, {u"lobby"_s, u"#x"_s.mid(1)});
    QVERIFY(online(session));
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 2, 10'000);
    Conversation *lobby = session.room(u"LOBBY"_s);
    QVERIFY(lobby);
    QVERIFY(lobby->isJoined());
    QVERIFY(lobby->members()->nicks().contains(u"ann"_s));
    QVERIFY(session.room(u"x"_s));
    QTRY_VERIFY_WITH_TIMEOUT(session.roundTripMs() >= 0, 10'000);
}

void TestChatSession::loginFailures_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("password");
    QTest::addColumn<ChatSession::LoginFailure>("failure");

    QTest::newRow("wrong password") << u"bea"_s << u"nope"_s << ChatSession::LoginFailure::ServerPassword;
    QTest::newRow("nick taken") << u"HOLDER"_s << u"letmein"_s << ChatSession::LoginFailure::NickTaken;
    QTest::newRow("nick invalid") << u"9lives"_s << u"letmein"_s << ChatSession::LoginFailure::NickInvalid;
}

void TestChatSession::loginFailures()
{
    QFETCH(QString, nick);
    QFETCH(QString, password);
    QFETCH(ChatSession::LoginFailure, failure);

    // A new holder per row: the previous row's may not be gone from the server yet.
    static int round = 0;
    const QString holderNick = u"holder%1"_s.arg(++round);
    if (nick == u"HOLDER"_s)
        nick = holderNick.toUpper();
    ChatSession holder;
    holder.start(tcpAddress(m_server.tcpPort()), holderNick, u"letmein"_s);
    QVERIFY(online(holder));

    ChatSession session;
    QSignalSpy failed(&session, &ChatSession::loginFailed);
    session.start(tcpAddress(m_server.tcpPort()), nick, password);
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.first().at(0).value<ChatSession::LoginFailure>(), failure);
    QVERIFY(!failed.first().at(1).toString().isEmpty());
    QCOMPARE(session.state(), ChatSession::State::Disconnected);
}

void TestChatSession::unreachableServer()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close(); // nothing listens there now
    ChatSession session;
    QSignalSpy failed(&session, &ChatSession::loginFailed);
    session.start(tcpAddress(port), u"lost"_s);
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.first().at(0).value<ChatSession::LoginFailure>(), ChatSession::LoginFailure::Unreachable);
    QCOMPARE(session.state(), ChatSession::State::Disconnected);
}

void TestChatSession::chatWithSomeoneElse()
{
    ChatSession session;
    Conversation *talk = enterRoom(session, m_server.tcpPort(), u"cara"_s, u"talk"_s);
    QVERIFY(talk);

    ChatClient dan;
    QVERIFY(logIn(dan, m_server.tcpPort(), u"dan"_s));
    QVERIFY(!dan.join(u"talk"_s).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(talk->members()->nicks().contains(u"dan"_s), 10'000);
    QVERIFY(events(talk).contains(u"Joined dan"_s));

    session.submit(talk, u"hello dan\nsecond line"_s);
    QCOMPARE(dan.waitFor(u"message"_s).value("text"_L1).toString(), u"hello dan\nsecond line"_s);
    QTRY_VERIFY_WITH_TIMEOUT(texts(talk).contains(u"hello dan\nsecond line"_s), 10'000);
    QVERIFY(talk->log()->entries().last().own);

    dan.sendRaw(R"({"type":"say","room":"talk","text":"hi cara <b>bold</b>"})" "\n");
    QTRY_VERIFY_WITH_TIMEOUT(texts(talk).contains(u"hi cara <b>bold</b>"_s), 10'000);

    dan.sendRaw(R"({"type":"topic","room":"talk","topic":"Planning"})" "\n");
    QTRY_COMPARE_WITH_TIMEOUT(talk->topic(), u"Planning"_s, 10'000);
    QVERIFY(events(talk).contains(u"TopicChanged dan Planning"_s));

    dan.sendRaw(R"({"type":"quit","reason":"bye"})" "\n");
    QTRY_VERIFY_WITH_TIMEOUT(!talk->members()->nicks().contains(u"dan"_s), 10'000);
    QVERIFY(events(talk).contains(u"Left dan bye"_s));

    QSignalSpy closed(&session, &ChatSession::conversationClosed);
    session.submit(talk, u"/leave"_s);
    QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 10'000);
    QVERIFY(!session.room(u"talk"_s)); // gone from the list, members and all
}

void TestChatSession::privateMessages()
{
    ChatSession session;
    session.start(tcpAddress(m_server.tcpPort()), u"eve"_s, u"letmein"_s);
    QVERIFY(online(session));
    ChatClient fay;
    QVERIFY(logIn(fay, m_server.tcpPort(), u"fay"_s));

    QSignalSpy attention(&session, &ChatSession::attentionNeeded);
    fay.sendRaw(R"({"type":"whisper","to":"eve","text":"psst"})" "\n");
    QCOMPARE(fay.waitFor(u"private"_s).value("from"_L1).toString(), u"fay"_s); // her own copy
    QTRY_VERIFY_WITH_TIMEOUT(session.privateChat(u"fay"_s), 10'000);
    Conversation *chat = session.privateChat(u"FAY"_s);
    QTRY_COMPARE_WITH_TIMEOUT(texts(chat), QStringList{u"psst"_s}, 10'000);
    QCOMPARE(attention.count(), 1);

    session.submit(chat, u"hello back"_s);
    QCOMPARE(fay.waitFor(u"private"_s).value("text"_L1).toString(), u"hello back"_s);
    QTRY_COMPARE_WITH_TIMEOUT(texts(chat), QStringList({u"psst"_s, u"hello back"_s}), 10'000);

    // /msg opens the conversation from the sending side.
    session.submit(nullptr, u"/msg fay second"_s);
    QCOMPARE(fay.waitFor(u"private"_s).value("text"_L1).toString(), u"second"_s);
}

void TestChatSession::nickChange()
{
    ChatSession session;
    Conversation *room = enterRoom(session, m_server.tcpPort(), u"gil"_s, u"names"_s);
    QVERIFY(room);
    QSignalSpy changed(&session, &ChatSession::nickChanged);
    session.submit(room, u"/nick Gilbert"_s);
    QVERIFY(changed.wait(10'000));
    QCOMPARE(session.nick(), u"Gilbert"_s);
    QVERIFY(room->members()->nicks().contains(u"Gilbert"_s));
    QVERIFY(events(room).filter(u"NickChanged "_s).last().endsWith(u" Gilbert"_s));
    QVERIFY(room->log()->entries().last().own); // the UI says "You are now known as Gilbert"
}

void TestChatSession::errorsShownInline()
{
    ChatSession session;
    Conversation *room = enterRoom(session, m_server.tcpPort(), u"hal"_s, u"errs"_s);
    QVERIFY(room);
    session.submit(room, u"/msg nobody-here hello"_s);
    session.submit(room, u"/dance"_s);
    session.submit(room, u"/join #no good key"_s);
    session.submit(room, u"/nick 9lives"_s);
    // The /msg to nobody is answered here too: no private chat was left open.
    QTRY_COMPARE_WITH_TIMEOUT(texts(room, LogEntry::Kind::Error).size(), 4, 10'000);
    const QStringList errors = texts(room, LogEntry::Kind::Error);
    QVERIFY(errors.join(u'|').contains(u"nobody-here"_s));
    QVERIFY(errors.join(u'|').contains(u"unknown command /dance"_s));
    QVERIFY(errors.join(u'|').contains(u"usage: /join"_s));
    QVERIFY(errors.join(u'|').contains(u"digit"_s));
    QVERIFY(errors.contains(u"nobody-here is not online."_s));
    QVERIFY(!session.privateChat(u"nobody-here"_s));
}

void TestChatSession::unreadAndMentions()
{
    ChatSession session;
    session.start(tcpAddress(m_server.tcpPort()), u"ivy"_s, u"letmein"_s, {u"quiet"_s, u"busy"_s});
    QVERIFY(online(session));
    QTRY_VERIFY_WITH_TIMEOUT(session.room(u"busy"_s) && session.room(u"quiet"_s), 10'000);
    session.setActiveConversation(session.room(u"quiet"_s));
    ChatClient jon;
    QVERIFY(logIn(jon, m_server.tcpPort(), u"jon"_s));
    QVERIFY(!jon.join(u"busy"_s).isEmpty());
    QSignalSpy attention(&session, &ChatSession::attentionNeeded);
    jon.sendRaw(R"({"type":"say","room":"busy","text":"no mention"})" "\n");
    jon.sendRaw(R"({"type":"say","room":"busy","text":"hey IVY, look"})" "\n");
    jon.sendRaw(R"({"type":"say","room":"busy","text":"ivyleague is not you"})" "\n");
    Conversation *busy = session.room(u"busy"_s);
    QTRY_COMPARE_WITH_TIMEOUT(busy->unread(), 3, 10'000);
    QVERIFY(busy->hasMention());
    QCOMPARE(attention.count(), 1);
    QCOMPARE(attention.first().at(2).toString(), u"hey IVY, look"_s);
    session.setActiveConversation(busy);
    QCOMPARE(busy->unread(), 0);
    QVERIFY(!busy->hasMention());
}

void TestChatSession::scrollBack()
{
    ChatClient writer;
    QVERIFY(logIn(writer, m_server.tcpPort(), u"kim"_s));
    QVERIFY(!writer.join(u"archive"_s).isEmpty());
    for (int i = 1; i <= 120; ++i) {
        writer.send({{u"type"_s, u"say"_s}, {u"room"_s, u"archive"_s}, {u"text"_s, u"line %1"_s.arg(i)}});
        QVERIFY(!writer.waitFor(u"message"_s).isEmpty());
    }
    ChatSession session;
    session.start(tcpAddress(m_server.tcpPort()), u"lea"_s, u"letmein"_s, {u"archive"_s});
    QVERIFY(online(session));
    QTRY_VERIFY_WITH_TIMEOUT(session.room(u"archive"_s) && seqs(session.room(u"archive"_s)).size() == 50, 10'000);
    Conversation *room = session.room(u"archive"_s);
    QCOMPARE(seqs(room).first(), 71);
    session.loadOlder(room);
    QTRY_COMPARE_WITH_TIMEOUT(seqs(room).size(), 100, 10'000);
    session.loadOlder(room);
    QTRY_COMPARE_WITH_TIMEOUT(seqs(room).size(), 120, 10'000);
    QVERIFY(!room->hasOlderHistory());
    QList<qint64> expected;
    for (qint64 seq = 1; seq <= 120; ++seq)
        expected << seq;
    QCOMPARE(seqs(room), expected);
}

void TestChatSession::reconnectCatchesUp()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(server.error()));
    const QStringList fixedPorts{u"--flood-rate"_s, u"0"_s, u"--tcp-port"_s, QString::number(server.tcpPort()), u"--http-port"_s,
                                 QString::number(server.httpPort())};

    ChatSession session;
    // Slow enough to come back after the others have said plenty.
    session.setReconnectDelays(1500, 3000);
    session.start(tcpAddress(server.tcpPort()), u"mia"_s, {}, {u"lobby"_s});
    QVERIFY(online(session));
    QTRY_VERIFY_WITH_TIMEOUT(session.room(u"lobby"_s) && session.room(u"lobby"_s)->isJoined(), 10'000);
    Conversation *lobby = session.room(u"lobby"_s);

    auto chatter = std::make_unique<ChatClient>();
    QVERIFY(chatter->enter(server.tcpPort(), u"ned"_s, {u"lobby"_s}));
    for (int i = 1; i <= 5; ++i)
        chatter->send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, u"before %1"_s.arg(i)}});
    QTRY_COMPARE_WITH_TIMEOUT(seqs(lobby).size(), 5, 10'000);

    QSignalSpy states(&session, &ChatSession::stateChanged);
    QCOMPARE(server.stop(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), ChatSession::State::Reconnecting, 10'000);
    QVERIFY2(server.start(fixedPorts), qPrintable(server.error()));

    // Others carry on while mia is away: more than a joined reply holds.
    chatter = std::make_unique<ChatClient>();
    QVERIFY(chatter->enter(server.tcpPort(), u"ned"_s, {u"lobby"_s}));
    for (int i = 1; i <= 70; ++i) {
        chatter->send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, u"while away %1"_s.arg(i)}});
        QVERIFY(!chatter->waitFor(u"message"_s).isEmpty());
    }
    QVERIFY(online(session, 30'000));
    // And keep going while mia catches up.
    for (int i = 1; i <= 10; ++i)
        chatter->send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, u"after %1"_s.arg(i)}});
    QTRY_COMPARE_WITH_TIMEOUT(seqs(lobby).size(), 85, 15'000);

    QList<qint64> expected;
    for (qint64 seq = 1; seq <= 85; ++seq)
        expected << seq;
    QCOMPARE(seqs(lobby), expected);
    const QStringList shown = texts(lobby);
    QCOMPARE(shown.at(5), u"while away 1"_s);
    QCOMPARE(shown.at(74), u"while away 70"_s);
    QCOMPARE(shown.last(), u"after 10"_s);
    QVERIFY(events(lobby).contains(u"Reconnected"_s));
    QVERIFY(!events(lobby).filter(u"Disconnected "_s).isEmpty());
    QCOMPARE(server.stop(), 0);
}

void TestChatSession::webSocketTransport()
{
    ChatSession session;
    session.start(*ServerAddress::parse(u"ws://127.0.0.1:%1"_s.arg(m_server.httpPort())), u"web"_s, u"letmein"_s,
                  {u"lobby"_s});
    QVERIFY(online(session));
    QTRY_VERIFY_WITH_TIMEOUT(session.room(u"lobby"_s), 10'000);
    session.submit(session.room(u"lobby"_s), u"over websocket"_s);
    QTRY_VERIFY_WITH_TIMEOUT(texts(session.room(u"lobby"_s)).contains(u"over websocket"_s), 10'000);
}

void TestChatSession::roomListLines_data()
{
    using Confab::Protocol::RoomInfo;
    QTest::addColumn<QList<RoomInfo>>("rooms");
    QTest::addColumn<QStringList>("lines");

    QTest::newRow("none") << QList<RoomInfo>{} << QStringList{u"No rooms on this server yet."_s};
    QTest::newRow("largest first, topics when set")
            << QList<RoomInfo>{{u"lobby"_s, {}, 1}, {u"physics"_s, u"Waves"_s, 12}}
            << QStringList{u"Rooms on this server (2):"_s, u"#physics · 12 people · Waves"_s, u"#lobby · 1 person"_s};
    QList<RoomInfo> many;
    for (int i = 0; i < 25; ++i)
        many.append({u"r%1"_s.arg(i, 2, 10, QLatin1Char('0')), {}, 2});
    QStringList manyLines{u"Rooms on this server (25):"_s};
    for (int i = 0; i < 20; ++i)
        manyLines << u"#r%1 · 2 people"_s.arg(i, 2, 10, QLatin1Char('0'));
    manyLines << u"… and 5 more: Chat → Room Browser shows them all."_s;
    QTest::newRow("more than twenty") << many << manyLines;
}

void TestChatSession::roomListLines()
{
    QFETCH(QList<Confab::Protocol::RoomInfo>, rooms);
    QFETCH(QStringList, lines);
    QCOMPARE(ChatSession::roomListLines(rooms), lines);
}

void TestChatSession::messageToNobodyOpensNothing()
{
    ChatSession session;
    Conversation *room = enterRoom(session, m_server.tcpPort(), u"writer"_s, u"letters"_s);
    QVERIFY(room);
    QSignalSpy closed(&session, &ChatSession::conversationClosed);
    session.submit(room, u"/msg nobodyhere are you there?"_s);
    QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 10'000);
    QVERIFY(!session.privateChat(u"nobodyhere"_s));
    QTRY_VERIFY_WITH_TIMEOUT(room->log()->rowCount() > 0
                                     && room->log()->entries().last().kind == LogEntry::Kind::Error
                                     && room->log()->entries().last().text.contains(u"nobodyhere"_s), 10'000);

    // To someone who is there, the chat opens and stays.
    ChatClient reader;
    QVERIFY(logIn(reader, m_server.tcpPort(), u"reader"_s));
    session.submit(room, u"/msg reader hello"_s);
    QTRY_VERIFY_WITH_TIMEOUT(session.privateChat(u"reader"_s)
                                     && session.privateChat(u"reader"_s)->log()->rowCount() == 1, 10'000);
    QCOMPARE(closed.count(), 1);
}

// The log entry with this seq, or an empty one.
static LogEntry entryOf(Conversation *conversation, qint64 seq)
{
    const int row = conversation->log()->rowOfSeq(seq);
    return row < 0 ? LogEntry() : conversation->log()->entry(row);
}

void TestChatSession::editsDeletionsAndReactions()
{
    ChatSession session;
    Conversation *room = enterRoom(session, m_server.tcpPort(), u"writer"_s, u"notes"_s);
    QVERIFY(room);
    ChatClient reader;
    QVERIFY(logIn(reader, m_server.tcpPort(), u"reader"_s));
    QVERIFY(!reader.join(u"notes"_s).isEmpty());

    session.submit(room, u"helo"_s);
    const qint64 mine = reader.waitFor(u"message"_s).value(u"seq"_s).toInteger();
    QTRY_COMPARE_WITH_TIMEOUT(session.lastEditableSeq(room), mine, 10'000);

    // Edit: everyone hears it; the log shows the new text, marked edited.
    session.editMessage(room, mine, u"hello"_s);
    const QJsonObject edited = reader.waitFor(u"updated"_s).value(u"message"_s).toObject();
    QCOMPARE(edited.value(u"text"_s).toString(), u"hello"_s);
    QTRY_VERIFY_WITH_TIMEOUT(entryOf(room, mine).edited, 10'000);
    QCOMPARE(entryOf(room, mine).text, u"hello"_s);
    QCOMPARE(room->log()->entries().count(), room->log()->rowCount()); // replaced, not added

    // Reactions from someone else and from the user, toggled.
    reader.send({{u"type"_s, u"react"_s}, {u"room"_s, u"notes"_s}, {u"seq"_s, mine}, {u"emoji"_s, u"\U0001F44D"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(entryOf(room, mine).reactions.size(), 1, 10'000);
    QCOMPARE(entryOf(room, mine).reactions.first().nicks, QStringList{u"reader"_s});
    session.react(room, mine, u"\U0001F44D"_s);
    QTRY_COMPARE_WITH_TIMEOUT(entryOf(room, mine).reactions.first().nicks,
                              QStringList({u"reader"_s, u"writer"_s}), 10'000);
    session.react(room, mine, u"\U0001F44D"_s);
    QTRY_COMPARE_WITH_TIMEOUT(entryOf(room, mine).reactions.first().nicks, QStringList{u"reader"_s}, 10'000);

    // Someone else's message: not the user's to edit or delete (not an op).
    reader.send({{u"type"_s, u"say"_s}, {u"room"_s, u"notes"_s}, {u"text"_s, u"theirs"_s}});
    const qint64 theirs = reader.waitFor(u"message"_s).value(u"seq"_s).toInteger();
    QTRY_VERIFY_WITH_TIMEOUT(room->log()->rowOfSeq(theirs) >= 0, 10'000);
    QVERIFY(!session.canEdit(room, entryOf(room, theirs)));
    QVERIFY(!session.canDelete(room, entryOf(room, theirs)));
    QVERIFY(session.canDelete(room, entryOf(room, mine)));
    QCOMPARE(session.lastEditableSeq(room), mine);
    // ...and the server says so if asked anyway, where it was asked.
    session.editMessage(room, theirs, u"mine now"_s);
    QTRY_VERIFY_WITH_TIMEOUT(texts(room, LogEntry::Kind::Error).join(u' ').contains(u"your own messages"_s), 10'000);
    // Their edit reaches the user's log.
    reader.send({{u"type"_s, u"edit"_s}, {u"room"_s, u"notes"_s}, {u"seq"_s, theirs}, {u"text"_s, u"theirs!"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(entryOf(room, theirs).text, u"theirs!"_s, 10'000);

    // Delete: the place stays, the text goes, nothing left to edit.
    session.deleteMessage(room, mine);
    QTRY_VERIFY_WITH_TIMEOUT(entryOf(room, mine).deleted, 10'000);
    QVERIFY(entryOf(room, mine).text.isEmpty());
    QVERIFY(entryOf(room, mine).reactions.isEmpty());
    QCOMPARE(session.lastEditableSeq(room), 0);
    QVERIFY(room->lastRev() >= 5);
}

void TestChatSession::reconnectCatchesUpOnChanges()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(server.error()));
    const QStringList fixedPorts{u"--flood-rate"_s, u"0"_s, u"--tcp-port"_s, QString::number(server.tcpPort()),
                                 u"--http-port"_s, QString::number(server.httpPort())};
    // ned has an account: his messages stay his to edit after a restart.
    ChatClient chatter;
    QVERIFY(chatter.enter(server.tcpPort(), u"ned"_s, {u"lobby"_s}));
    const QString password = u"correct horse battery"_s;
    QCOMPARE(ChatClient::outcome(chatter.ask(u"register"_s, {{u"password"_s, password}}, u"registered"_s)),
             u"registered"_s);
    // More than joined carries, so that the first ones are only in the log.
    for (int i = 1; i <= 60; ++i) {
        chatter.send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, u"m%1"_s.arg(i)}});
        QVERIFY(!chatter.waitFor(u"message"_s).isEmpty());
    }
    chatter.send({{u"type"_s, u"edit"_s}, {u"room"_s, u"lobby"_s}, {u"seq"_s, 60}, {u"text"_s, u"m60!"_s}});
    QVERIFY(!chatter.waitFor(u"updated"_s).isEmpty());

    ChatSession session;
    session.setReconnectDelays(500, 1000);
    Conversation *lobby = enterRoom(session, server.tcpPort(), u"mia"_s, u"lobby"_s);
    QVERIFY(lobby);
    QCOMPARE(lobby->lastRev(), 1);
    session.loadOlder(lobby); // now 1..60 are shown
    QTRY_VERIFY_WITH_TIMEOUT(lobby->log()->rowOfSeq(1) >= 0, 10'000);
    session.setAway(u"at lunch"_s);
    QTRY_COMPARE_WITH_TIMEOUT(session.awayMessage(), u"at lunch"_s, 10'000);

    QCOMPARE(server.stop(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), ChatSession::State::Reconnecting, 10'000);
    QVERIFY2(server.start(fixedPorts), qPrintable(server.error()));
    // While mia is away: an old message edited, another deleted, a recent
    // one reacted to.
    ChatClient again;
    QVERIFY(again.connectTo(server.tcpPort()) && again.loginToAccount(u"ned"_s, u"ned"_s, password, false));
    QVERIFY(!again.join(u"lobby"_s).isEmpty());
    const QList<QJsonObject> changes = {
            {{u"type"_s, u"edit"_s}, {u"room"_s, u"lobby"_s}, {u"seq"_s, 1}, {u"text"_s, u"m1, fixed"_s}},
            {{u"type"_s, u"delete"_s}, {u"room"_s, u"lobby"_s}, {u"seq"_s, 2}},
            {{u"type"_s, u"react"_s}, {u"room"_s, u"lobby"_s}, {u"seq"_s, 59}, {u"emoji"_s, u"\U0001F389"_s}},
    };
    for (const QJsonObject &change : changes) {
        again.send(change);
        QVERIFY(!again.waitFor(u"updated"_s).isEmpty());
    }
    QVERIFY(online(session, 30'000));
    QTRY_COMPARE_WITH_TIMEOUT(entryOf(lobby, 1).text, u"m1, fixed"_s, 10'000);
    QVERIFY(entryOf(lobby, 2).deleted);
    QCOMPARE(entryOf(lobby, 59).reactions.size(), 1);
    QCOMPARE(entryOf(lobby, 60).text, u"m60!"_s);
    QCOMPARE(lobby->lastRev(), 4);
    QCOMPARE(seqs(lobby).size(), 60); // changed in place, nothing added
    // Still away after the reconnect: the server heard it again.
    ChatClient late;
    QVERIFY(late.enter(server.tcpPort(), u"late"_s));
    QCOMPARE(late.join(u"lobby"_s).value(u"away"_s).toObject().value(u"mia"_s).toString(), u"at lunch"_s);
    QCOMPARE(server.stop(), 0);
}

void TestChatSession::privateConversationsLast()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(server.error()));
    const QStringList fixedPorts{u"--flood-rate"_s, u"0"_s, u"--tcp-port"_s, QString::number(server.tcpPort()),
                                 u"--http-port"_s, QString::number(server.httpPort())};
    const QString password = u"correct horse battery"_s;
    auto account = [&](ChatClient &client, const QString &nick, bool registering) {
        return client.connectTo(server.tcpPort()) && client.loginToAccount(nick, nick, password, registering);
    };
    auto quin = std::make_unique<ChatClient>();
    QVERIFY(account(*quin, u"quin"_s, true));
    {
        ChatClient zed; // an account that will be offline
        QVERIFY(account(zed, u"zed"_s, true));
        zed.send({{u"type"_s, u"quit"_s}});
        QVERIFY(zed.waitForDisconnected());
    }

    ChatSession session;
    session.setReconnectDelays(500, 1000);
    session.setRegistration(password); // pia is an account from now on
    session.start(tcpAddress(server.tcpPort()), u"pia"_s, {}, {});
    QVERIFY(online(session));
    QTRY_COMPARE_WITH_TIMEOUT(session.account(), u"pia"_s, 10'000);

    for (int i = 1; i <= 2; ++i)
        QCOMPARE(ChatClient::outcome(quin->ask(u"whisper"_s, {{u"to"_s, u"pia"_s}, {u"text"_s, u"q%1"_s.arg(i)}},
                                               u"private"_s)),
                 u"private"_s);
    QTRY_VERIFY_WITH_TIMEOUT(session.privateChat(u"quin"_s) && seqs(session.privateChat(u"quin"_s)).size() == 2,
                             10'000);
    Conversation *chat = session.privateChat(u"quin"_s);
    QCOMPARE(seqs(chat), QList<qint64>({1, 2}));

    // Closed and opened again: the conversation is read back from the server.
    session.closeConversation(chat);
    chat = session.openPrivateChat(u"quin"_s);
    QTRY_COMPARE_WITH_TIMEOUT(texts(chat), QStringList({u"q1"_s, u"q2"_s}), 10'000);

    // The server restarts; quin says more while pia is away; pia catches up.
    QCOMPARE(server.stop(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), ChatSession::State::Reconnecting, 10'000);
    QVERIFY2(server.start(fixedPorts), qPrintable(server.error()));
    quin = std::make_unique<ChatClient>();
    QVERIFY(account(*quin, u"quin"_s, false));
    for (int i = 3; i <= 4; ++i)
        QVERIFY(!quin->ask(u"whisper"_s, {{u"to"_s, u"pia"_s}, {u"text"_s, u"q%1"_s.arg(i)}}, u"private"_s).isEmpty());
    QVERIFY(online(session, 30'000));
    QTRY_COMPARE_WITH_TIMEOUT(texts(chat), QStringList({u"q1"_s, u"q2"_s, u"q3"_s, u"q4"_s}), 15'000);
    QCOMPARE(seqs(chat), QList<qint64>({1, 2, 3, 4}));

    // To an account that is offline: it waits, and the conversation says so.
    Conversation *toZed = session.openPrivateChat(u"zed"_s);
    session.submit(toZed, u"see you tomorrow"_s);
    QTRY_VERIFY_WITH_TIMEOUT(events(toZed).contains(u"Waiting zed"_s), 10'000);
    QCOMPARE(texts(toZed), QStringList{u"see you tomorrow"_s});
    QCOMPARE(server.stop(), 0);
}

void TestChatSession::unreadSurvivesARestartOfTheClient()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(server.error()));
    const QString password = u"correct horse battery"_s;
    ChatClient talker;
    QVERIFY(talker.enter(server.tcpPort(), u"talker"_s, {u"news"_s}));
    auto say = [&](const QString &text) {
        return !talker.ask(u"say"_s, {{u"room"_s, u"news"_s}, {u"text"_s, text}}, u"message"_s).isEmpty();
    };
    for (int i = 1; i <= 3; ++i)
        QVERIFY(say(u"n%1"_s.arg(i)));

    {
        // uma reads the room, then closes the client.
        ChatSession first;
        first.setRegistration(password);
        first.start(tcpAddress(server.tcpPort()), u"uma"_s, {}, {u"news"_s, u"other"_s});
        QVERIFY(online(first));
        QTRY_COMPARE_WITH_TIMEOUT(first.account(), u"uma"_s, 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(first.room(u"news"_s) && seqs(first.room(u"news"_s)).size() == 3
                                         && first.room(u"other"_s) && first.room(u"other"_s)->isJoined(),
                                 10'000);
        first.setActiveConversation(first.room(u"news"_s));
        first.setActiveConversation(first.room(u"other"_s));
        // The server has the marker (another session of the account sees it).
        ChatClient check;
        QVERIFY(check.connectTo(server.tcpPort())
                && check.loginToAccount(u"uma_check"_s, u"uma"_s, password, false));
        QCOMPARE(check.join(u"news"_s).value(u"read"_s).toInteger(), 3);
        first.quit();
    }
    QVERIFY(say(u"n4"_s));
    QVERIFY(say(u"n5 for uma"_s));

    // Started again: only what came after the marker is unread.
    ChatSession second;
    second.setLogin(u"uma"_s, password);
    second.start(tcpAddress(server.tcpPort()), u"uma"_s, {}, {u"other"_s, u"news"_s});
    QVERIFY(online(second));
    QTRY_VERIFY_WITH_TIMEOUT(second.room(u"news"_s) && seqs(second.room(u"news"_s)).size() == 5, 10'000);
    second.setActiveConversation(second.room(u"other"_s));
    Conversation *news = second.room(u"news"_s);
    QCOMPARE(news->readSeq(), 3);
    QCOMPARE(news->unread(), 2);
    QVERIFY(news->hasMention());

    // Read on another device of the account: unread here goes too.
    ChatClient phone;
    QVERIFY(phone.connectTo(server.tcpPort()) && phone.loginToAccount(u"uma_phone"_s, u"uma"_s, password, false));
    QVERIFY(!phone.join(u"news"_s).isEmpty());
    QCOMPARE(ChatClient::outcome(phone.ask(u"read"_s, {{u"room"_s, u"news"_s}, {u"seq"_s, 5}}, u"read_marker"_s)),
             u"read_marker"_s);
    QTRY_COMPARE_WITH_TIMEOUT(news->unread(), 0, 10'000);
    QVERIFY(!news->hasMention());
    QCOMPARE(server.stop(), 0);
}

void TestChatSession::actionsAreStoredAndShown()
{
    ChatSession session;
    Conversation *room = enterRoom(session, m_server.tcpPort(), u"actor"_s, u"stage"_s);
    QVERIFY(room);
    ChatClient audience;
    QVERIFY(logIn(audience, m_server.tcpPort(), u"audience"_s));
    QVERIFY(!audience.join(u"stage"_s).isEmpty());

    session.submit(room, u"/me bows"_s);
    const QJsonObject heard = audience.waitFor(u"message"_s);
    QCOMPARE(heard.value(u"text"_s).toString(), u"bows"_s);
    QCOMPARE(heard.value(u"action"_s), QJsonValue(true));
    QTRY_VERIFY_WITH_TIMEOUT(!room->log()->entries().isEmpty() && room->log()->entries().last().text == u"bows"_s,
                             10'000);
    QVERIFY(room->log()->entries().last().action);

    // A plain message carries no action field at all (as protocol v1 had it).
    audience.send({{u"type"_s, u"say"_s}, {u"room"_s, u"stage"_s}, {u"text"_s, u"bravo"_s}});
    const QJsonObject plain = audience.waitFor(u"message"_s);
    QVERIFY(!plain.contains(u"action"_s));
    QTRY_VERIFY_WITH_TIMEOUT(room->log()->entries().last().text == u"bravo"_s, 10'000);
    QVERIFY(!room->log()->entries().last().action);

    // Stored: someone who joins later reads it as an action in the history.
    ChatClient late;
    QVERIFY(logIn(late, m_server.tcpPort(), u"late"_s));
    const QJsonArray history = late.join(u"stage"_s).value(u"history"_s).toArray();
    QCOMPARE(history.size(), 2);
    QCOMPARE(history.at(0).toObject().value(u"action"_s), QJsonValue(true));
    QVERIFY(!history.at(1).toObject().contains(u"action"_s));
}

void TestChatSession::listShowsRoomsWhereTyped()
{
    ChatSession session;
    Conversation *room = enterRoom(session, m_server.tcpPort(), u"lister"_s, u"listing"_s);
    QVERIFY(room);
    session.submit(room, u"/list"_s);
    QTRY_VERIFY_WITH_TIMEOUT(texts(room, LogEntry::Kind::Notice).contains(u"#listing · 1 person"_s), 10'000);
    QVERIFY(texts(room, LogEntry::Kind::Notice).filter(u"Rooms on this server ("_s).size() == 1);
}

void TestChatSession::awayAndBack()
{
    ChatSession session;
    Conversation *room = enterRoom(session, m_server.tcpPort(), u"wanderer"_s, u"porch"_s);
    QVERIFY(room);
    ChatClient friendly;
    QVERIFY(logIn(friendly, m_server.tcpPort(), u"friendly"_s));
    QVERIFY(!friendly.join(u"porch"_s).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(room->members()->contains(u"friendly"_s), 10'000);

    // The user goes away: the others hear it, the session remembers it.
    QSignalSpy away(&session, &ChatSession::awayChanged);
    session.submit(room, u"/away walking the dog"_s);
    QCOMPARE(friendly.waitFor(u"presence"_s).value(u"away"_s).toString(), u"walking the dog"_s);
    QTRY_COMPARE_WITH_TIMEOUT(session.awayMessage(), u"walking the dog"_s, 10'000);
    session.submit(room, u"/back"_s);
    QVERIFY(!friendly.waitFor(u"presence"_s).contains(u"away"_s));
    QTRY_COMPARE_WITH_TIMEOUT(session.awayMessage(), QString(), 10'000);

    // Someone else goes away: the member list and a private chat show it.
    friendly.send({{u"type"_s, u"away"_s}, {u"message"_s, u"brb"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(room->members()->awayMessage(u"friendly"_s), u"brb"_s, 10'000);
    const int row = int(room->members()->nicks().indexOf(u"friendly"_s));
    QCOMPARE(room->members()->index(row).data(RoomMembers::AwayRole).toString(), u"brb"_s);
    Conversation *chat = session.openPrivateChat(u"friendly"_s);
    session.submit(chat, u"are you there?"_s);
    friendly.send({{u"type"_s, u"away"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(events(chat).contains(u"AwayChanged friendly"_s), 10'000);
    QCOMPARE(room->members()->awayMessage(u"friendly"_s), QString());
    QCOMPARE(session.awayMessageOf(u"friendly"_s), QString());
}

QTEST_GUILESS_MAIN(TestChatSession)
#include "tst_chatsession.moc"
