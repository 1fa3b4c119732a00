// ChatSession against a scripted server in the same process (the
// FrameTransport seam): the connection's life and the room's catch-up and
// scroll-back, frame by frame, without sockets or timers of seconds.
// tst_chatsession keeps the end-to-end cases against the real server.

#include "chatsession.h"
#include "defaults.h"
#include "scriptedserver.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using Failure = ChatSession::LoginFailure;
namespace Defaults = Confab::Protocol::Defaults;

namespace {

QJsonObject message(const QString &room, qint64 seq)
{
    return QJsonObject{{"type"_L1, "message"_L1}, {"room"_L1, room},     {"from"_L1, "bob"_L1},
                       {"text"_L1, u"m%1"_s.arg(seq)}, {"ts"_L1, 1000 + seq}, {"seq"_L1, seq}};
}

QJsonArray messages(const QString &room, qint64 from, qint64 to)
{
    QJsonArray out;
    for (qint64 seq = from; seq <= to; ++seq)
        out.append(message(room, seq));
    return out;
}

QJsonObject joined(const QString &room, const QJsonArray &history)
{
    return QJsonObject{{"type"_L1, "joined"_L1}, {"room"_L1, room},           {"topic"_L1, ""_L1},
                       {"members"_L1, QJsonArray{"me"_L1, "bob"_L1}}, {"history"_L1, history}};
}

QJsonObject welcomeFrame()
{
    return QJsonObject{{"type"_L1, "welcome"_L1}, {"nick"_L1, "me"_L1}, {"server"_L1, "scripted"_L1},
                       {"protocol"_L1, 1},        {"motd"_L1, ""_L1}};
}

QJsonObject page(const QString &room, const QJsonArray &history)
{
    return QJsonObject{{"type"_L1, "history_page"_L1}, {"room"_L1, room}, {"messages"_L1, history}};
}

QJsonObject error(const QString &code)
{
    return QJsonObject{{"type"_L1, "error"_L1}, {"code"_L1, code}, {"message"_L1, u"refused: %1"_s.arg(code)}};
}

// The seqs of the messages a conversation shows, in order.
QList<qint64> shown(Conversation *conversation)
{
    QList<qint64> out;
    for (const LogEntry &entry : conversation->log()->entries()) {
        if (entry.kind == LogEntry::Kind::Message)
            out.append(entry.seq);
    }
    return out;
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 seq = from; seq <= to; ++seq)
        out.append(seq);
    return out;
}

} // namespace

class TestSessionScript : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void helloAndWelcome();
    void loginFailures_data();
    void loginFailures();
    void unreachable();
    void reconnectsAndRejoins();
    void reconnectKeepsTryingWhileTheNickIsHeld();
    void hopelessAfterAWelcomeStops();
    void catchUpFillsAGapAndHoldsLiveMessages();
    void catchUpPagesUntilAShortPage();
    void catchUpGoesOnAfterAPageCutShort();
    void catchUpRefusedShowsWhatWaited();
    void duplicatesAfterAReconnectAreDropped();
    void scrollBack_data();
    void scrollBack();
    void scrollBackInterruptedByADrop();
    void roundTrip();
    void requestIdsAreUnique();
    void theListFollowsItsConversations();
    void typingIsRateLimitedAndExpires();
    void awayIsSaidAgainAfterAReconnect();
    void changesApplyToTheMessageShown();
    void privateConversationsCatchUp();
    void readMarkersGoAndCome();
    void commandsBecomeRequests_data();
    void commandsBecomeRequests();

private:
    // Connects and is welcomed as "me"; joins `room` with `history` if given.
    Conversation *welcome(const QString &room = {}, const QJsonArray &history = {});
    // Drops the connection and lets the client back in (welcome, rejoin).
    void reconnect();

    ScriptedServer *m_server = nullptr;
    ChatSession *m_session = nullptr;
};

void TestSessionScript::init()
{
    m_server = new ScriptedServer;
    m_session = new ChatSession(m_server);
    m_session->setReconnectDelays(1, 4);
    m_session->setPingInterval(3'600'000);
}

void TestSessionScript::cleanup()
{
    delete m_session;
    m_session = nullptr;
    m_server = nullptr;
}

Conversation *TestSessionScript::welcome(const QString &room, const QJsonArray &history)
{
    m_session->start(*ServerAddress::parse(u"tcp://chat.test:6667"_s), u"me"_s, {},
                     room.isEmpty() ? QStringList() : QStringList{room});
    m_server->accept();
    const QJsonObject hello = m_server->take(u"hello"_s);
    m_server->say(welcomeFrame(), hello);
    if (room.isEmpty())
        return nullptr;
    m_server->say(joined(room, history), m_server->take(u"join"_s));
    return m_session->room(room);
}

void TestSessionScript::reconnect()
{
    m_server->drop();
    QTRY_VERIFY(m_server->isConnecting());
    m_server->accept();
    m_server->say(welcomeFrame(), m_server->take(u"hello"_s));
}

void TestSessionScript::helloAndWelcome()
{
    QSignalSpy states(m_session, &ChatSession::stateChanged);
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 3));
    QVERIFY(lobby);
    QCOMPARE(states.first().first().value<ChatSession::State>(), ChatSession::State::Connecting);
    QCOMPARE(m_session->state(), ChatSession::State::Online);
    QCOMPARE(shown(lobby), range(1, 3));
    QVERIFY(lobby->isJoined());
    QCOMPARE(m_server->attempts(), 1);
}

void TestSessionScript::loginFailures_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<Failure>("failure");

    QTest::newRow("nick taken") << u"nick_taken"_s << Failure::NickTaken;
    QTest::newRow("nick invalid") << u"nick_invalid"_s << Failure::NickInvalid;
    QTest::newRow("server password") << u"auth_failed"_s << Failure::ServerPassword;
    QTest::newRow("nick reserved") << u"nick_reserved"_s << Failure::NickReserved;
    QTest::newRow("account login") << u"login_failed"_s << Failure::AccountLogin;
    QTest::newRow("login required") << u"login_required"_s << Failure::LoginRequired;
    QTest::newRow("banned") << u"banned"_s << Failure::Banned;
    QTest::newRow("full") << u"server_full"_s << Failure::ServerFull;
    QTest::newRow("rate limited") << u"rate_limited"_s << Failure::RateLimited;
    QTest::newRow("something else") << u"bad_request"_s << Failure::Other;
}

void TestSessionScript::loginFailures()
{
    QFETCH(QString, code);
    QFETCH(Failure, failure);

    QSignalSpy failed(m_session, &ChatSession::loginFailed);
    m_session->start(*ServerAddress::parse(u"chat.test"_s), u"me"_s);
    m_server->accept();
    m_server->say(error(code), m_server->take(u"hello"_s));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).value<Failure>(), failure);
    QCOMPARE(failed.first().at(1).toString(), u"refused: %1"_s.arg(code));
    QCOMPARE(m_session->state(), ChatSession::State::Disconnected);
    // Before a first welcome nothing is retried: the user must change something.
    QTest::qWait(20);
    QCOMPARE(m_server->attempts(), 1);
    QVERIFY(!m_server->isOpen());
}

void TestSessionScript::unreachable()
{
    QSignalSpy failed(m_session, &ChatSession::loginFailed);
    m_session->start(*ServerAddress::parse(u"chat.test"_s), u"me"_s);
    m_server->refuse(u"Connection refused"_s);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).value<Failure>(), Failure::Unreachable);
    QVERIFY(failed.first().at(1).toString().contains(u"Connection refused"_s));
    QCOMPARE(m_session->state(), ChatSession::State::Disconnected);
}

void TestSessionScript::reconnectsAndRejoins()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 2));
    QSignalSpy failed(m_session, &ChatSession::loginFailed);
    QSignalSpy disconnected(m_session, &ChatSession::disconnected);

    m_server->drop(u"gone"_s);
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.first().first().toString(), u"gone"_s);
    QCOMPARE(m_session->state(), ChatSession::State::Reconnecting);
    QVERIFY(!lobby->isJoined());
    // A refused attempt is retried too, with the same backoff.
    QTRY_VERIFY(m_server->isConnecting());
    m_server->refuse();
    QTRY_VERIFY(m_server->isConnecting());
    QCOMPARE(m_server->attempts(), 3);
    m_server->accept();
    const QJsonObject hello = m_server->take(u"hello"_s);
    QCOMPARE(hello.value("nick"_L1).toString(), u"me"_s);
    m_server->say(welcomeFrame(), hello);
    QCOMPARE(m_session->state(), ChatSession::State::Online);
    const QJsonObject join = m_server->take(u"join"_s);
    QCOMPARE(join.value("room"_L1).toString(), u"lobby"_s);
    m_server->say(joined(u"lobby"_s, messages(u"lobby"_s, 1, 2)), join);
    QVERIFY(lobby->isJoined());
    QCOMPARE(shown(lobby), range(1, 2));
    QVERIFY(failed.isEmpty());
}

void TestSessionScript::reconnectKeepsTryingWhileTheNickIsHeld()
{
    welcome(u"lobby"_s);
    QSignalSpy failed(m_session, &ChatSession::loginFailed);
    m_server->drop();
    QTRY_VERIFY(m_server->isConnecting());
    m_server->accept();
    // The server has not noticed the old connection is gone yet.
    m_server->say(error(u"nick_taken"_s), m_server->take(u"hello"_s));
    QCOMPARE(m_session->state(), ChatSession::State::Reconnecting);
    QTRY_VERIFY(m_server->isConnecting());
    QCOMPARE(m_server->attempts(), 3);
    QVERIFY(failed.isEmpty());
}

void TestSessionScript::hopelessAfterAWelcomeStops()
{
    Conversation *lobby = welcome(u"lobby"_s);
    QSignalSpy disconnected(m_session, &ChatSession::disconnected);
    m_server->drop();
    QTRY_VERIFY(m_server->isConnecting());
    m_server->accept();
    m_server->say(error(u"banned"_s), m_server->take(u"hello"_s));
    QCOMPARE(m_session->state(), ChatSession::State::Disconnected);
    QCOMPARE(lobby->log()->entries().last().kind, LogEntry::Kind::Error);
    QVERIFY(lobby->log()->entries().last().text.contains(u"refused: banned"_s));
    QTest::qWait(20);
    QCOMPARE(m_server->attempts(), 2);
}

void TestSessionScript::catchUpFillsAGapAndHoldsLiveMessages()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 3));
    reconnect();
    // The room moved on while the client was away: joined's history starts
    // at 8, so 4..7 are asked for, and a live 11 waits until they are shown.
    m_server->say(joined(u"lobby"_s, messages(u"lobby"_s, 8, 10)), m_server->take(u"join"_s));
    const QJsonObject catchUp = m_server->take(u"history"_s);
    QCOMPARE(catchUp.value("after"_L1).toInteger(), 3);
    QCOMPARE(catchUp.value("limit"_L1).toInt(), Defaults::HistoryMaxPage);
    m_server->say(message(u"lobby"_s, 11));
    QCOMPARE(shown(lobby), range(1, 3));
    m_server->say(page(u"lobby"_s, messages(u"lobby"_s, 4, 10)), catchUp);
    QCOMPARE(shown(lobby), range(1, 11));
    QCOMPARE(m_server->count(u"history"_s), 0);
}

void TestSessionScript::catchUpPagesUntilAShortPage()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 1));
    reconnect();
    const qint64 full = Defaults::HistoryMaxPage;
    m_server->say(joined(u"lobby"_s, messages(u"lobby"_s, full + 100, full + 120)), m_server->take(u"join"_s));
    QJsonObject request = m_server->take(u"history"_s);
    QCOMPARE(request.value("after"_L1).toInteger(), 1);
    m_server->say(page(u"lobby"_s, messages(u"lobby"_s, 2, full + 1)), request);
    request = m_server->take(u"history"_s);
    QCOMPARE(request.value("after"_L1).toInteger(), full + 1);
    m_server->say(page(u"lobby"_s, messages(u"lobby"_s, full + 2, full + 120)), request);
    QCOMPARE(shown(lobby), range(1, full + 120));
    QCOMPARE(m_server->count(u"history"_s), 0);
}

void TestSessionScript::catchUpGoesOnAfterAPageCutShort()
{
    // A page the server cut to its size in bytes is short but says `more`:
    // the client asks on from its end, as after a full page.
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 1));
    reconnect();
    m_server->say(joined(u"lobby"_s, messages(u"lobby"_s, 60, 70)), m_server->take(u"join"_s));
    QJsonObject request = m_server->take(u"history"_s);
    QJsonObject cut = page(u"lobby"_s, messages(u"lobby"_s, 2, 31));
    cut.insert("more"_L1, true);
    m_server->say(cut, request);
    request = m_server->take(u"history"_s);
    QCOMPARE(request.value("after"_L1).toInteger(), 31);
    m_server->say(page(u"lobby"_s, messages(u"lobby"_s, 32, 70)), request);
    QCOMPARE(shown(lobby), range(1, 70));
    QCOMPARE(m_server->count(u"history"_s), 0);
}

void TestSessionScript::catchUpRefusedShowsWhatWaited()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 3));
    reconnect();
    m_server->say(joined(u"lobby"_s, messages(u"lobby"_s, 8, 10)), m_server->take(u"join"_s));
    const QJsonObject catchUp = m_server->take(u"history"_s);
    m_server->say(message(u"lobby"_s, 11));
    m_server->say(error(u"storage_failed"_s), catchUp);
    // The gap cannot be filled now; what arrived live is not held forever.
    QCOMPARE(shown(lobby), QList<qint64>({1, 2, 3, 11}));
    QCOMPARE(lobby->log()->entries().last().kind, LogEntry::Kind::Error);
}

void TestSessionScript::duplicatesAfterAReconnectAreDropped()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 5));
    reconnect();
    // joined overlaps what is shown; a live message repeats one of it.
    m_server->say(joined(u"lobby"_s, messages(u"lobby"_s, 3, 7)), m_server->take(u"join"_s));
    m_server->say(message(u"lobby"_s, 7));
    m_server->say(message(u"lobby"_s, 8));
    QCOMPARE(shown(lobby), range(1, 8));
    QCOMPARE(m_server->count(u"history"_s), 0);
}

void TestSessionScript::scrollBack_data()
{
    QTest::addColumn<qint64>("first");    // the oldest seq joined shows
    QTest::addColumn<qint64>("pageFrom"); // the page the server answers with
    QTest::addColumn<bool>("moreAfter");  // whether there is still older history

    const qint64 page = Defaults::HistoryPage;
    QTest::newRow("reaches the start") << qint64(31) << qint64(1) << false;
    QTest::newRow("a full page, more before") << page + 11 << qint64(11) << true;
    QTest::newRow("a full page that ends at 1") << page + 1 << qint64(1) << false;
}

void TestSessionScript::scrollBack()
{
    QFETCH(qint64, first);
    QFETCH(qint64, pageFrom);
    QFETCH(bool, moreAfter);

    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, first, first + 9));
    QVERIFY(lobby->hasOlderHistory());
    m_session->loadOlder(lobby);
    m_session->loadOlder(lobby); // asked once, however often the user scrolls
    QCOMPARE(m_server->count(u"history"_s), 1);
    const QJsonObject request = m_server->take(u"history"_s);
    QCOMPARE(request.value("before"_L1).toInteger(), first);
    QVERIFY(!request.contains("after"_L1));
    QVERIFY(lobby->isLoadingOlder());
    m_server->say(page(u"lobby"_s, messages(u"lobby"_s, pageFrom, first - 1)), request);
    QVERIFY(!lobby->isLoadingOlder());
    QCOMPARE(shown(lobby), range(pageFrom, first + 9));
    QCOMPARE(lobby->hasOlderHistory(), moreAfter);
}

void TestSessionScript::scrollBackInterruptedByADrop()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 21, 30));
    m_session->loadOlder(lobby);
    QVERIFY(lobby->isLoadingOlder());
    reconnect();
    // The question died with the connection: the user may ask again.
    QVERIFY(!lobby->isLoadingOlder());
    m_server->say(joined(u"lobby"_s, messages(u"lobby"_s, 21, 30)), m_server->take(u"join"_s));
    m_session->loadOlder(lobby);
    const QJsonObject request = m_server->take(u"history"_s);
    QCOMPARE(request.value("before"_L1).toInteger(), 21);
    m_server->say(page(u"lobby"_s, messages(u"lobby"_s, 1, 20)), request);
    QCOMPARE(shown(lobby), range(1, 30));
}

void TestSessionScript::roundTrip()
{
    QSignalSpy measured(m_session, &ChatSession::roundTripChanged);
    welcome();
    const QJsonObject ping = m_server->take(u"ping"_s);
    QVERIFY(!ping.isEmpty());
    m_server->say({{"type"_L1, "pong"_L1}, {"id"_L1, 999}}); // not an answer to it
    QVERIFY(measured.isEmpty());
    m_server->say({{"type"_L1, "pong"_L1}}, ping);
    QCOMPARE(measured.size(), 1);
    QVERIFY(m_session->roundTripMs() >= 0);
    // The server's pings are answered.
    m_server->say({{"type"_L1, "ping"_L1}});
    QCOMPARE(m_server->count(u"pong"_s), 1);
}

void TestSessionScript::requestIdsAreUnique()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 41, 50));
    m_session->loadOlder(lobby);
    m_session->requestRoomList();
    m_session->requestMembers(u"lobby"_s);
    QVERIFY(m_server->sent().size() >= 4); // ping, history, list, who
    QSet<qint64> ids;
    for (const QJsonObject &frame : m_server->sent()) {
        QVERIFY2(frame.value("id"_L1).isDouble(), qPrintable(frame.value("type"_L1).toString()));
        ids.insert(frame.value("id"_L1).toInteger());
    }
    QCOMPARE(ids.size(), m_server->sent().size());
}

void TestSessionScript::theListFollowsItsConversations()
{
    Conversation *lobby = welcome(u"lobby"_s, messages(u"lobby"_s, 1, 2));
    m_session->setActiveConversation(nullptr);
    const int before = lobby->unread();
    QSignalSpy rows(m_session->conversations(), &QAbstractItemModel::dataChanged);
    // Nobody pokes the list: the conversation tells it.
    m_server->say(message(u"lobby"_s, 3));
    QCOMPARE(lobby->unread(), before + 1);
    QVERIFY(!rows.isEmpty());
    const int row = m_session->conversations()->indexOf(lobby);
    QCOMPARE(rows.last().at(0).toModelIndex().row(), row);
    QCOMPARE(m_session->conversations()->index(row).data(ConversationList::UnreadRole).toInt(), before + 1);
    rows.clear();
    m_server->say({{"type"_L1, "topic_changed"_L1}, {"room"_L1, "lobby"_L1}, {"topic"_L1, "Friday"_L1}, {"by"_L1, "bob"_L1}});
    QCOMPARE(rows.size(), 1);
    QCOMPARE(m_session->conversations()->index(row).data(Qt::ToolTipRole).toString(), u"Friday"_s);
}

QJsonObject privateMessage(const QString &from, const QString &to, qint64 seq)
{
    return QJsonObject{{"type"_L1, "private"_L1}, {"from"_L1, from}, {"to"_L1, to}, {"text"_L1, u"p%1"_s.arg(seq)},
                       {"ts"_L1, 2000 + seq},     {"seq"_L1, seq}};
}

void TestSessionScript::typingIsRateLimitedAndExpires()
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

void TestSessionScript::awayIsSaidAgainAfterAReconnect()
{
    welcome(u"lobby"_s);
    m_session->setAway(u"lunch"_s);
    QCOMPARE(m_server->take(u"away"_s).value("message"_L1).toString(), u"lunch"_s);
    m_server->say({{"type"_L1, "presence"_L1}, {"nick"_L1, "me"_L1}, {"away"_L1, "lunch"_L1}});
    QCOMPARE(m_session->awayMessage(), u"lunch"_s);
    reconnect();
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

void TestSessionScript::changesApplyToTheMessageShown()
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

void TestSessionScript::privateConversationsCatchUp()
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

    reconnect();
    const QJsonObject catchUp = m_server->take(u"private_history"_s);
    QCOMPARE(catchUp.value("after"_L1).toInteger(), 2);
    QJsonArray missed{privateMessage(u"bob"_s, u"me"_s, 2), privateMessage(u"me"_s, u"bob"_s, 3),
                      privateMessage(u"bob"_s, u"me"_s, 4)};
    m_server->say({{"type"_L1, "private_page"_L1}, {"with"_L1, "bob"_L1}, {"messages"_L1, missed}}, catchUp);
    QCOMPARE(shown(chat), range(1, 4)); // 2 once
    QVERIFY(chat->log()->entry(chat->log()->rowOfSeq(3)).own);
}

void TestSessionScript::readMarkersGoAndCome()
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

void TestSessionScript::commandsBecomeRequests_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QJsonObject>("request"); // every field of it but the id; empty: nothing sent
    QTest::addColumn<QString>("answer");      // the line shown in the lobby instead, if any

    QTest::newRow("text") << u"hello"_s << QJsonObject{{"type"_L1, "say"_L1}, {"room"_L1, "lobby"_L1}, {"text"_L1, "hello"_L1}}
                          << QString();
    QTest::newRow("/me") << u"/me waves"_s
                         << QJsonObject{{"type"_L1, "say"_L1}, {"room"_L1, "lobby"_L1}, {"text"_L1, "waves"_L1},
                                        {"action"_L1, true}}
                         << QString();
    QTest::newRow("/topic") << u"/topic Friday"_s
                            << QJsonObject{{"type"_L1, "topic"_L1}, {"room"_L1, "lobby"_L1}, {"topic"_L1, "Friday"_L1}}
                            << QString();
    QTest::newRow("/who") << u"/who"_s << QJsonObject{{"type"_L1, "who"_L1}, {"room"_L1, "lobby"_L1}} << QString();
    QTest::newRow("/nick") << u"/nick carol"_s << QJsonObject{{"type"_L1, "nick"_L1}, {"nick"_L1, "carol"_L1}}
                           << QString();
    QTest::newRow("/kick") << u"/kick dan spam"_s
                           << QJsonObject{{"type"_L1, "kick"_L1}, {"room"_L1, "lobby"_L1}, {"nick"_L1, "dan"_L1},
                                          {"reason"_L1, "spam"_L1}}
                           << QString();
    QTest::newRow("/away") << u"/away lunch"_s << QJsonObject{{"type"_L1, "away"_L1}, {"message"_L1, "lunch"_L1}}
                           << QString();
    QTest::newRow("/leave elsewhere") << u"/leave #nowhere"_s << QJsonObject() << u"You are not in nowhere"_s;
    QTest::newRow("unknown") << u"/frobnicate"_s << QJsonObject() << u"frobnicate"_s;
}

void TestSessionScript::commandsBecomeRequests()
{
    QFETCH(QString, input);
    QFETCH(QJsonObject, request);
    QFETCH(QString, answer);

    Conversation *lobby = welcome(u"lobby"_s);
    m_server->take(u"ping"_s);
    QVERIFY(m_server->sent().isEmpty());
    m_session->submit(lobby, input);
    if (request.isEmpty()) {
        QVERIFY(m_server->sent().isEmpty());
    } else {
        QCOMPARE(m_server->sent().size(), 1);
        QJsonObject sent = m_server->sent().first();
        QVERIFY(sent.value("id"_L1).isDouble());
        sent.remove("id"_L1);
        QCOMPARE(sent, request);
    }
    if (!answer.isEmpty())
        QVERIFY(lobby->log()->entries().last().text.contains(answer));
}

QTEST_GUILESS_MAIN(TestSessionScript)
#include "tst_sessionscript.moc"
