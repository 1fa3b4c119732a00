// ChatSession against a scripted server in the same process (the
// FrameTransport seam): the connection's life and the room's catch-up and
// scroll-back, frame by frame, without sockets or timers of seconds.
// tst_chatsession keeps the end-to-end cases against the real server.

#include "chatsession.h"
#include "defaults.h"
#include "scriptedserver.h"
#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using Failure = ChatSession::LoginFailure;
namespace Defaults = Confab::Protocol::Defaults;

using namespace SessionScript;

class TestSessionScript : public SessionTest
{
    Q_OBJECT

private slots:
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

};

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
    QVERIFY(reconnect());
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
    QVERIFY(reconnect());
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
    QVERIFY(reconnect());
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
    QVERIFY(reconnect());
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
    QVERIFY(reconnect());
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
    QVERIFY(reconnect());
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

QTEST_GUILESS_MAIN(TestSessionScript)
#include "tst_sessionscript.moc"
