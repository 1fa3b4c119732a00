// Cluster mode end to end: three confab-server processes on one PostgreSQL
// and one Redis, all started by the test on free loopback ports. Whatever
// happens (a burst, a killed server, a restarted Redis, a database that goes
// away), every member sees every message of its rooms once, in seq order,
// with no gap.

#include "backingservices.h"
#include "chatclient.h"
#include "chatsession.h"
#include "conversation.h"
#include "messagelog.h"
#include "serverprocess.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int LeaseSeconds = 2;

// The seqs of the room's messages a client received, in arrival order.
QList<qint64> seqsIn(const QList<QJsonObject> &received, const QString &room)
{
    QList<qint64> seqs;
    for (const QJsonObject &message : received) {
        if (message.value("type"_L1).toString() == "message"_L1 && message.value("room"_L1).toString() == room)
            seqs.append(message.value("seq"_L1).toInteger());
    }
    return seqs;
}

QList<qint64> oneTo(qint64 last, qint64 first = 1)
{
    QList<qint64> seqs;
    for (qint64 seq = first; seq <= last; ++seq)
        seqs.append(seq);
    return seqs;
}

QJsonObject say(const QString &room, const QString &text)
{
    return {{"type"_L1, "say"_L1}, {"room"_L1, room}, {"text"_L1, text}};
}

// The nicks of a member_list, sorted.
QStringList members(const QJsonObject &answer)
{
    QStringList nicks;
    for (const QJsonValue &nick : answer.value("members"_L1).toArray())
        nicks.append(nick.toString());
    nicks.sort();
    return nicks;
}

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void messagesAndEventsReachEveryServer();
    void burstArrivesOnceInOrder();
    void nickRaceHasOneWinner_data();
    void nickRaceHasOneWinner();
    void killedServerClientsResumeElsewhere();
    void redisRestartLosesNothing();
    void slowDatabaseHoldsOnlyTheAsker();
    void lostMessageIsFilledWhileServing();
    void reactionsAtOnceAllCount();
    void claimRaceHasOneWinner();
    void databaseDownRefusesThenRecovers();
    void moderationActsAcrossServers();
    void listTypingAndMarkersAcrossServers();
    void desktopClientMovesToAnotherServer();

private:
    ServerProcess *startServer(const QStringList &options = {});
    // Connects, logs in (waiting out a lease another server still holds)
    // and joins the room.
    std::unique_ptr<ChatClient> enter(ServerProcess *server, const QString &nick, const QString &room);
    // The room's last seq, as the database has it (asked through a server).
    qint64 lastSeq(ServerProcess *server, const QString &room);

    PostgresProcess m_postgres;
    RedisProcess m_redis;
    std::vector<std::unique_ptr<ServerProcess>> m_servers;
};

void TestCluster::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.error()));
}

void TestCluster::cleanup()
{
    m_servers.clear();
}

ServerProcess *TestCluster::startServer(const QStringList &options)
{
    auto server = std::make_unique<ServerProcess>();
    server->setDatabasePath(m_postgres.url());
    const QStringList arguments{u"--redis"_s,      m_redis.address(), u"--nick-lease"_s, QString::number(LeaseSeconds),
                                u"--flood-rate"_s, u"0"_s};
    if (!server->start(arguments + options)) {
        qWarning().noquote() << server->error();
        return nullptr;
    }
    m_servers.push_back(std::move(server));
    return m_servers.back().get();
}

std::unique_ptr<ChatClient> TestCluster::enter(ServerProcess *server, const QString &nick, const QString &room)
{
    auto client = std::make_unique<ChatClient>();
    if (!client->connectTo(server->tcpPort()))
        return nullptr;
    QDeadlineTimer deadline(20'000);
    QJsonObject answer;
    do {
        answer = client->ask(u"hello"_s, {{"nick"_L1, nick}}, u"welcome"_s);
    } while (ChatClient::outcome(answer) == "nick_taken"_L1 && !deadline.hasExpired());
    if (ChatClient::outcome(answer) != "welcome"_L1) {
        qWarning() << nick << "was not welcomed:" << answer;
        return nullptr;
    }
    const QJsonObject joined = client->ask(u"join"_s, {{"room"_L1, room}}, u"joined"_s);
    if (ChatClient::outcome(joined) != "joined"_L1) {
        qWarning() << nick << "did not join:" << joined;
        return nullptr;
    }
    return client;
}

qint64 TestCluster::lastSeq(ServerProcess *server, const QString &room)
{
    ChatClient probe;
    if (!probe.connectTo(server->tcpPort()) || !probe.login(u"probe%1"_s.arg(QRandomGenerator::global()->bounded(100000))))
        return -1;
    const QJsonObject page = probe.ask(u"history"_s, {{"room"_L1, room}, {"limit"_L1, 1}}, u"history_page"_s);
    const QJsonArray messages = page.value("messages"_L1).toArray();
    return messages.isEmpty() ? 0 : messages.last().toObject().value("seq"_L1).toInteger();
}

void TestCluster::messagesAndEventsReachEveryServer()
{
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    ServerProcess *three = startServer();
    QVERIFY(one && two && three);
    auto ann = enter(one, u"ann"_s, u"hall"_s);
    QVERIFY(ann);
    auto bob = enter(two, u"bob"_s, u"hall"_s);
    QVERIFY(bob);
    // A join on server 2 reaches the member on server 1.
    const QJsonObject joined = ann->waitFor(u"user_joined"_s);
    QCOMPARE(joined.value("nick"_L1).toString(), u"bob"_s);
    auto cy = enter(three, u"cy"_s, u"hall"_s);
    QVERIFY(cy);
    // Member lists cover every server: the room's, and everyone's.
    QCOMPARE(members(ann->ask(u"who"_s, {{"room"_L1, "hall"_L1}}, u"member_list"_s)),
             QStringList({u"ann"_s, u"bob"_s, u"cy"_s}));
    QCOMPARE(members(bob->ask(u"who"_s, {}, u"member_list"_s)), QStringList({u"ann"_s, u"bob"_s, u"cy"_s}));
    ChatClient guest;
    QVERIFY(guest.connectTo(one->tcpPort()));
    QVERIFY(guest.login(u"guest"_s));
    QCOMPARE(ChatClient::outcome(cy->ask(u"away"_s, {{"message"_L1, "lunch"_L1}}, u"presence"_s)), u"presence"_s);
    const QJsonObject joinedHall = guest.ask(u"join"_s, {{"room"_L1, "hall"_L1}}, u"joined"_s);
    QCOMPARE(members(joinedHall), QStringList({u"ann"_s, u"bob"_s, u"cy"_s, u"guest"_s}));
    QCOMPARE(joinedHall.value("away"_L1).toObject().value("cy"_L1).toString(), u"lunch"_s);
    QCOMPARE(ChatClient::outcome(guest.ask(u"leave"_s, {{"room"_L1, "hall"_L1}}, u"left"_s)), u"left"_s);
    // A private message to someone on another server, stored once, seq and all.
    const QJsonObject sent = guest.ask(u"whisper"_s, {{"to"_L1, "CY"_L1}, {"text"_L1, "psst"_L1}}, u"private"_s);
    QCOMPARE(ChatClient::outcome(sent), u"private"_s);
    QCOMPARE(sent.value("to"_L1).toString(), u"cy"_s);
    const QJsonObject whispered = cy->waitFor(u"private"_s);
    QCOMPARE(whispered.value("from"_L1).toString(), u"guest"_s);
    QCOMPARE(whispered.value("text"_L1).toString(), u"psst"_s);
    QCOMPARE(whispered.value("seq"_L1).toInteger(), sent.value("seq"_L1).toInteger());
    QCOMPARE(ChatClient::outcome(guest.ask(u"whisper"_s, {{"to"_L1, "nobody"_L1}, {"text"_L1, "hello?"_L1}},
                                           u"private"_s)),
             u"no_such_user"_s);
    ann->takePending();

    const QJsonObject echo = ann->ask(u"say"_s, QJsonObject{{"room"_L1, "hall"_L1}, {"text"_L1, "hello all"_L1}},
                                      u"message"_s);
    QCOMPARE(ChatClient::outcome(echo), u"message"_s);
    const qint64 seq = echo.value("seq"_L1).toInteger();
    QVERIFY(seq > 0);
    for (ChatClient *other : {bob.get(), cy.get()}) {
        const QJsonObject heard = other->waitFor(u"message"_s);
        QCOMPARE(heard.value("text"_L1).toString(), u"hello all"_s);
        QCOMPARE(heard.value("seq"_L1).toInteger(), seq);
        QCOMPARE(heard.value("from"_L1).toString(), u"ann"_s);
    }
    // Stored once: the history of any server has it once.
    const QJsonObject page = cy->ask(u"history"_s, {{"room"_L1, "hall"_L1}}, u"history_page"_s);
    QCOMPARE(page.value("messages"_L1).toArray().size(), 1);

    // A topic set on server 3 and a nick change on server 2 reach server 1.
    QCOMPARE(ChatClient::outcome(cy->ask(u"topic"_s, {{"room"_L1, "hall"_L1}, {"topic"_L1, "cluster talk"_L1}},
                                         u"topic_changed"_s)),
             u"topic_changed"_s);
    QCOMPARE(ann->waitFor(u"topic_changed"_s).value("topic"_L1).toString(), u"cluster talk"_s);
    QCOMPARE(ChatClient::outcome(bob->ask(u"nick"_s, {{"nick"_L1, "bobby"_L1}}, u"nick_changed"_s)),
             u"nick_changed"_s);
    QCOMPARE(ann->waitFor(u"nick_changed"_s).value("new"_L1).toString(), u"bobby"_s);
    // The old nick is free everywhere, the new one taken everywhere.
    ChatClient late;
    QVERIFY(late.connectTo(three->tcpPort()));
    QCOMPARE(ChatClient::outcome(late.ask(u"hello"_s, {{"nick"_L1, "bobby"_L1}}, u"welcome"_s)), u"nick_taken"_s);
    QCOMPARE(ChatClient::outcome(late.ask(u"hello"_s, {{"nick"_L1, "bob"_L1}}, u"welcome"_s)), u"welcome"_s);
    // A leave on server 3 reaches server 1.
    QCOMPARE(ChatClient::outcome(cy->ask(u"leave"_s, {{"room"_L1, "hall"_L1}}, u"left"_s)), u"left"_s);
    QCOMPARE(ann->waitFor(u"user_left"_s).value("nick"_L1).toString(), u"cy"_s);
}

void TestCluster::moderationActsAcrossServers()
{
    const QStringList operators{u"--operators"_s, u"ada"_s};
    const QString password = u"long enough secret"_s;
    // An operator's account is made from the shell, in the shared database.
    ServerProcess shell;
    shell.setDatabasePath(m_postgres.url());
    QVERIFY2(shell.addAccount(u"ada"_s, password), qPrintable(shell.error()));
    ServerProcess *one = startServer(operators);
    ServerProcess *two = startServer(operators);
    QVERIFY(one && two);
    // ada owns den, from server 1; dee (an account), bob and cy are on 2.
    ChatClient ada;
    QVERIFY(ada.connectTo(one->tcpPort()));
    QVERIFY(ada.loginToAccount(u"ada"_s, u"ada"_s, password, false));
    QCOMPARE(ChatClient::outcome(ada.join(u"den"_s)), u"joined"_s);
    QCOMPARE(ChatClient::outcome(ada.ask(u"claim"_s, {{"room"_L1, "den"_L1}}, u"role_changed"_s)), u"role_changed"_s);
    ChatClient dee;
    QVERIFY(dee.connectTo(two->tcpPort()));
    QVERIFY(dee.loginToAccount(u"dee"_s, u"dee"_s, password, true));
    QCOMPARE(ChatClient::outcome(dee.join(u"den"_s)), u"joined"_s);
    auto bob = enter(two, u"bob"_s, u"den"_s);
    auto cy = enter(two, u"cy"_s, u"den"_s);
    QVERIFY(bob && cy);
    auto joinDen = [](ChatClient &client) {
        return ChatClient::outcome(client.ask(u"join"_s, {{"room"_L1, "den"_L1}}, u"joined"_s));
    };
    auto nickOf = [](const QJsonObject &event) { return event.value("nick"_L1).toString(); };

    // A role given on server 1 counts on server 2: dee, now an op there,
    // may kick.
    QCOMPARE(ChatClient::outcome(dee.ask(u"kick"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "cy"_L1}}, u"kicked"_s)),
             u"not_permitted"_s);
    const QJsonObject granted = ada.ask(u"grant"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "dee"_L1}, {"role"_L1, "op"_L1}},
                                        u"role_changed"_s);
    QCOMPARE(ChatClient::outcome(granted), u"role_changed"_s);
    QCOMPARE(bob->waitFor(u"role_changed"_s).value("role"_L1).toString(), u"op"_s);
    // dee's account, registered on server 2, logs in on server 1 (the
    // account is read on the commit thread there) and is an op there too.
    ChatClient phone;
    QVERIFY(phone.connectTo(one->tcpPort()));
    QVERIFY(phone.loginToAccount(u"deephone"_s, u"dee"_s, password, false));
    QCOMPARE(phone.join(u"den"_s).value("roles"_L1).toObject().value("deephone"_L1).toString(), u"op"_s);
    ChatClient wrong;
    QVERIFY(wrong.connectTo(one->tcpPort()));
    QVERIFY(!wrong.loginToAccount(u"deefake"_s, u"dee"_s, u"not the password"_s, false));
    QCOMPARE(ChatClient::outcome(dee.ask(u"mute"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "cy"_L1}}, u"muted"_s)),
             u"muted"_s);
    QCOMPARE(nickOf(ada.waitFor(u"muted"_s)), u"cy"_s);
    QCOMPARE(nickOf(bob->waitFor(u"muted"_s)), u"cy"_s);

    // A mute set on server 1 silences bob on server 2, until it is lifted.
    QCOMPARE(ChatClient::outcome(ada.ask(u"mute"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "bob"_L1}}, u"muted"_s)),
             u"muted"_s);
    QCOMPARE(nickOf(bob->waitFor(u"muted"_s)), u"bob"_s);
    QCOMPARE(ChatClient::outcome(bob->ask(u"say"_s, say(u"den"_s, u"hm"_s), u"message"_s)), u"muted"_s);
    QCOMPARE(ChatClient::outcome(ada.ask(u"unmute"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "bob"_L1}}, u"unmuted"_s)),
             u"unmuted"_s);
    QCOMPARE(nickOf(bob->waitFor(u"unmuted"_s)), u"bob"_s);
    QCOMPARE(ChatClient::outcome(bob->ask(u"say"_s, say(u"den"_s, u"thanks"_s), u"message"_s)), u"message"_s);

    // A kick from server 1 takes cy, on server 2, out of the room.
    ada.takePending();
    const QJsonObject kicked =
            ada.ask(u"kick"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "cy"_L1}, {"reason"_L1, "enough"_L1}}, u"kicked"_s);
    QCOMPARE(ChatClient::outcome(kicked), u"kicked"_s);
    QCOMPARE(nickOf(cy->waitFor(u"kicked"_s)), u"cy"_s);
    QCOMPARE(nickOf(bob->waitFor(u"kicked"_s)), u"cy"_s);
    QCOMPARE(ChatClient::outcome(cy->ask(u"say"_s, say(u"den"_s, u"still here?"_s), u"message"_s)),
             u"not_in_room"_s);
    QCOMPARE(ChatClient::outcome(ada.ask(u"kick"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "cy"_L1}}, u"kicked"_s)),
             u"no_such_user"_s);

    // Invitation only, set on server 1, holds on server 2; an invitation
    // from server 1 lets cy in there.
    QCOMPARE(ChatClient::outcome(ada.ask(u"mode"_s, {{"room"_L1, "den"_L1}, {"invite_only"_L1, true}},
                                         u"mode_changed"_s)),
             u"mode_changed"_s);
    QVERIFY(bob->waitFor(u"mode_changed"_s).value("invite_only"_L1).toBool());
    QCOMPARE(joinDen(*cy), u"invite_only"_s);
    QCOMPARE(ChatClient::outcome(ada.ask(u"invite"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "cy"_L1}}, u"invited"_s)),
             u"invited"_s);
    QCOMPARE(cy->waitFor(u"invited"_s).value("by"_L1).toString(), u"ada"_s);
    QCOMPARE(joinDen(*cy), u"joined"_s);

    // A ban set on server 1 takes bob out on server 2 and keeps him out.
    ada.takePending();
    QCOMPARE(ChatClient::outcome(ada.ask(u"ban"_s, {{"room"_L1, "den"_L1}, {"mask"_L1, "nick:bob"_L1}}, u"ban_list"_s)),
             u"ban_list"_s);
    QCOMPARE(nickOf(bob->waitFor(u"kicked"_s)), u"bob"_s);
    QCOMPARE(nickOf(ada.waitFor(u"kicked"_s)), u"bob"_s);
    QCOMPARE(joinDen(*bob), u"banned"_s);
    QCOMPARE(ChatClient::outcome(ada.ask(u"unban"_s, {{"room"_L1, "den"_L1}, {"mask"_L1, "nick:bob"_L1}},
                                         u"ban_list"_s)),
             u"ban_list"_s);
    // Unbanned everywhere (still invitation only, so invited first).
    QCOMPARE(ChatClient::outcome(ada.ask(u"invite"_s, {{"room"_L1, "den"_L1}, {"nick"_L1, "bob"_L1}}, u"invited"_s)),
             u"invited"_s);
    QCOMPARE(bob->waitFor(u"invited"_s).value("room"_L1).toString(), u"den"_s);
    QCOMPARE(joinDen(*bob), u"joined"_s);

    // A server ban set on server 1 disconnects cy from server 2.
    QCOMPARE(ChatClient::outcome(ada.ask(u"server_ban"_s, {{"mask"_L1, "nick:cy"_L1}, {"reason"_L1, "spam"_L1}},
                                         u"server_ban_list"_s)),
             u"server_ban_list"_s);
    QVERIFY(cy->waitForDisconnected());
    ChatClient again;
    QVERIFY(again.connectTo(two->tcpPort()));
    QCOMPARE(ChatClient::outcome(again.ask(u"hello"_s, {{"nick"_L1, "cy"_L1}}, u"welcome"_s)), u"banned"_s);

    // An account's read marker and a private message that waited for it,
    // stored through one server, are there when it logs in on the other.
    {
        ChatClient eva;
        QVERIFY(eva.connectTo(two->tcpPort()));
        QVERIFY(eva.loginToAccount(u"eva"_s, u"eva"_s, password, true));
        QCOMPARE(ChatClient::outcome(eva.join(u"nook"_s)), u"joined"_s);
        const QJsonObject said = eva.ask(u"say"_s, say(u"nook"_s, u"mine"_s), u"message"_s);
        QCOMPARE(ChatClient::outcome(said), u"message"_s);
        QCOMPARE(ChatClient::outcome(eva.ask(u"read"_s, {{"room"_L1, "nook"_L1}, {"seq"_L1, said.value("seq"_L1)}},
                                             u"read_marker"_s)),
                 u"read_marker"_s);
        QVERIFY(eva.quit());
    }
    const auto online = [](ChatClient &client) {
        return members(client.ask(u"who"_s, {}, u"member_list"_s));
    };
    QTRY_VERIFY_WITH_TIMEOUT(!online(ada).contains(u"eva"_s), 10'000); // her server let go of her
    const QJsonObject waiting = ada.ask(u"whisper"_s, {{"to"_L1, "eva"_L1}, {"text"_L1, "later"_L1}}, u"private"_s);
    QVERIFY(waiting.value("waiting"_L1).toBool());
    auto evaAgain = std::make_unique<ChatClient>();
    QVERIFY(evaAgain->connectTo(one->tcpPort()));
    QVERIFY(evaAgain->loginToAccount(u"eva"_s, u"eva"_s, password, false));
    QCOMPARE(evaAgain->waitFor(u"private"_s).value("text"_L1).toString(), u"later"_s);
    QCOMPARE(evaAgain->join(u"nook"_s).value("read"_L1).toInteger(), 1);

    // A private message that reaches her server just after she left (Redis
    // still said she was there, as it does for a moment after a quit)
    // waits for her next login too.
    const QString lease = m_redis.command({u"GET"_s, u"confab:nick:eva"_s});
    QVERIFY2(!lease.isEmpty(), qPrintable(m_redis.error()));
    QVERIFY(evaAgain->quit());
    evaAgain.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!online(*bob).contains(u"eva"_s), 10'000);
    QCOMPARE(m_redis.command({u"SET"_s, u"confab:nick:eva"_s, lease}), u"OK"_s);
    QCOMPARE(m_redis.command({u"HSET"_s, u"confab:user:eva"_s, u"nick"_s, u"eva"_s, u"account"_s, u"eva"_s}),
             u"2"_s);
    const QJsonObject late = bob->ask(u"whisper"_s, {{"to"_L1, "eva"_L1}, {"text"_L1, "just missed"_L1}},
                                      u"private"_s);
    QCOMPARE(ChatClient::outcome(late), u"private"_s);
    QVERIFY(!late.value("waiting"_L1).toBool()); // as far as bob's server knew, she was there
    m_redis.command({u"DEL"_s, u"confab:nick:eva"_s, u"confab:user:eva"_s});
    ChatClient evaLater;
    QVERIFY(evaLater.connectTo(two->tcpPort()));
    QVERIFY(evaLater.loginToAccount(u"eva"_s, u"eva"_s, password, false));
    QCOMPARE(evaLater.waitFor(u"private"_s).value("text"_L1).toString(), u"just missed"_s);
}

void TestCluster::listTypingAndMarkersAcrossServers()
{
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    QVERIFY(one && two);
    auto ann = enter(one, u"al"_s, u"hall"_s);
    auto bob = enter(two, u"bo"_s, u"hall"_s);
    auto cy = enter(two, u"cyd"_s, u"far"_s);
    QVERIFY(ann && bob && cy);
    QCOMPARE(ChatClient::outcome(cy->ask(u"topic"_s, {{"room"_L1, "far"_L1}, {"topic"_L1, "far away"_L1}},
                                         u"topic_changed"_s)),
             u"topic_changed"_s);

    // list counts every server's members, and names rooms open elsewhere.
    const QJsonObject list = ann->ask(u"list"_s, {}, u"room_list"_s);
    QCOMPARE(ChatClient::outcome(list), u"room_list"_s);
    QHash<QString, QJsonObject> rooms;
    for (const QJsonValue &room : list.value("rooms"_L1).toArray())
        rooms.insert(room.toObject().value("name"_L1).toString(), room.toObject());
    QCOMPARE(rooms.value(u"hall"_s).value("members"_L1).toInt(), 2);
    QCOMPARE(rooms.value(u"far"_s).value("members"_L1).toInt(), 1);
    QCOMPARE(rooms.value(u"far"_s).value("topic"_L1).toString(), u"far away"_s);

    // Typing to someone on another server reaches them; to nobody, an error.
    bob->takePending();
    ann->send({{"type"_L1, "typing"_L1}, {"to"_L1, "BO"_L1}});
    const QJsonObject typing = bob->waitFor(u"typing"_s);
    QCOMPARE(typing.value("from"_L1).toString(), u"al"_s);
    QCOMPARE(typing.value("to"_L1).toString(), u"bo"_s);
    QCOMPARE(ChatClient::outcome(ann->ask(u"typing"_s, {{"to"_L1, "nobody"_L1}}, u"typing"_s)), u"no_such_user"_s);

    // A private conversation with someone on another server: its history
    // and read marker are the same from either side.
    const QJsonObject sent = ann->ask(u"whisper"_s, {{"to"_L1, "cyd"_L1}, {"text"_L1, "hi"_L1}}, u"private"_s);
    QCOMPARE(ChatClient::outcome(sent), u"private"_s);
    QCOMPARE(cy->waitFor(u"private"_s).value("text"_L1).toString(), u"hi"_s);
    const qint64 seq = sent.value("seq"_L1).toInteger();
    const QJsonObject marker = cy->ask(u"read"_s, {{"with"_L1, "al"_L1}, {"seq"_L1, seq}}, u"read_marker"_s);
    QCOMPARE(ChatClient::outcome(marker), u"read_marker"_s);
    const QJsonObject page = cy->ask(u"private_history"_s, {{"with"_L1, "al"_L1}}, u"private_page"_s);
    QCOMPARE(page.value("messages"_L1).toArray().size(), 1);
    QCOMPARE(page.value("read"_L1).toInteger(), seq);
    const QJsonObject annPage = ann->ask(u"private_history"_s, {{"with"_L1, "cyd"_L1}}, u"private_page"_s);
    QCOMPARE(annPage.value("messages"_L1).toArray().size(), 1);
}

void TestCluster::desktopClientMovesToAnotherServer()
{
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    QVERIFY(one && two);
    auto talker = enter(two, u"talker"_s, u"lounge"_s);
    QVERIFY(talker);
    auto say = [&](int n) {
        const QJsonObject echo = talker->ask(u"say"_s, ::say(u"lounge"_s, u"m%1"_s.arg(n)), u"message"_s);
        return ChatClient::outcome(echo) == "message"_L1;
    };
    auto seqs = [](ChatSession &session) {
        QList<qint64> out;
        if (Conversation *lounge = session.room(u"lounge"_s)) {
            for (const LogEntry &entry : lounge->log()->entries()) {
                if (entry.kind == LogEntry::Kind::Message)
                    out.append(entry.seq);
            }
        }
        return out;
    };

    // The desktop client's address lists the cluster; the first server
    // there answers nothing, so it goes on to the next.
    const QString list = u"127.0.0.1:%1, 127.0.0.1:%2, 127.0.0.1:%3"_s.arg(freeTcpPort())
                                 .arg(one->tcpPort())
                                 .arg(two->tcpPort());
    const auto address = ServerAddress::parse(list);
    QVERIFY(address);
    ChatSession session;
    session.setReconnectDelays(100, 1000);
    session.start(*address, u"eve"_s, {}, {u"lounge"_s});
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), ChatSession::State::Online, 20'000);
    QCOMPARE(session.server().port, one->tcpPort());
    for (int n = 1; n <= 5; ++n)
        QVERIFY(say(n));
    QTRY_COMPARE_WITH_TIMEOUT(seqs(session), oneTo(5), 10'000);

    // Server 1 dies: the client moves to server 2 (once its nick's lease
    // there has run out) and misses nothing said meanwhile.
    one->kill();
    for (int n = 6; n <= 10; ++n)
        QVERIFY(say(n));
    QTRY_VERIFY_WITH_TIMEOUT(session.state() == ChatSession::State::Online
                                     && session.server().port == two->tcpPort(),
                             30'000);
    QVERIFY(say(11));
    QTRY_COMPARE_WITH_TIMEOUT(seqs(session), oneTo(11), 10'000);
    QCOMPARE(session.nick(), u"eve"_s);
}

void TestCluster::burstArrivesOnceInOrder()
{
    constexpr int Servers = 3;
    constexpr int ClientsPerServer = 20;
    constexpr int MessagesEach = 50;
    const QString room = u"burst"_s;
    std::vector<std::unique_ptr<ChatClient>> clients;
    for (int s = 0; s < Servers; ++s) {
        ServerProcess *server = startServer();
        QVERIFY(server);
        for (int c = 0; c < ClientsPerServer; ++c) {
            clients.push_back(enter(server, u"b%1x%2"_s.arg(s).arg(c), room));
            QVERIFY(clients.back());
        }
    }
    for (auto &client : clients)
        client->takePending(); // joins so far
    for (int m = 0; m < MessagesEach; ++m) {
        for (auto &client : clients)
            client->send(say(room, u"m%1"_s.arg(m)));
    }
    const qint64 total = qint64(clients.size()) * MessagesEach;
    std::vector<QList<qint64>> seen(clients.size());
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (size_t i = 0; i < clients.size(); ++i)
                    seen[i] += seqsIn(clients[i]->takePending(), room);
                return std::all_of(seen.begin(), seen.end(), [&](const auto &s) { return s.size() >= total; });
            }(),
            60'000);
    const QList<qint64> expected = oneTo(seen.front().last(), seen.front().last() - total + 1);
    for (size_t i = 0; i < clients.size(); ++i)
        QCOMPARE(seen[i], expected);
}

void TestCluster::nickRaceHasOneWinner_data()
{
    QTest::addColumn<QString>("nick");
    for (int i = 0; i < 5; ++i)
        QTest::addRow("race %d", i) << u"racer%1"_s.arg(i);
}

void TestCluster::nickRaceHasOneWinner()
{
    QFETCH(QString, nick);
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    QVERIFY(one && two);
    ChatClient left, right;
    QVERIFY(left.connectTo(one->tcpPort()));
    QVERIFY(right.connectTo(two->tcpPort()));
    left.send({{"type"_L1, "hello"_L1}, {"nick"_L1, nick}});
    right.send({{"type"_L1, "hello"_L1}, {"nick"_L1, nick}});
    const QString a = ChatClient::outcome(left.next());
    const QString b = ChatClient::outcome(right.next());
    QStringList outcomes{a, b};
    outcomes.sort();
    QCOMPARE(outcomes, QStringList({u"nick_taken"_s, u"welcome"_s}));
}

void TestCluster::killedServerClientsResumeElsewhere()
{
    const QString room = u"resume"_s;
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    ServerProcess *three = startServer();
    QVERIFY(one && two && three);
    auto talker = enter(one, u"talker"_s, room);
    QVERIFY(talker);
    std::vector<std::unique_ptr<ChatClient>> moved;
    for (int i = 0; i < 3; ++i) {
        moved.push_back(enter(two, u"mover%1"_s.arg(i), room));
        QVERIFY(moved.back());
    }
    for (int m = 0; m < 100; ++m)
        talker->send(say(room, u"before %1"_s.arg(m)));
    std::vector<QList<qint64>> seen(moved.size());
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (size_t i = 0; i < moved.size(); ++i)
                    seen[i] += seqsIn(moved[i]->takePending(), room);
                return std::all_of(seen.begin(), seen.end(), [](const auto &s) { return s.size() >= 20; });
            }(),
            20'000);
    two->kill(); // mid-burst
    for (int m = 0; m < 100; ++m)
        talker->send(say(room, u"after %1"_s.arg(m)));

    // Each client resumes on server 3 under its nick (free once the lease
    // runs out) and catches up from the last seq it saw.
    for (size_t i = 0; i < moved.size(); ++i) {
        seen[i] += seqsIn(moved[i]->takePending(), room);
        moved[i] = enter(three, u"mover%1"_s.arg(i), room);
        QVERIFY(moved[i]);
        // Page by page, as the clients do.
        for (;;) {
            const qint64 after = seen[i].isEmpty() ? 0 : seen[i].last();
            const QJsonArray page = moved[i]->ask(u"history"_s, {{"room"_L1, room}, {"after"_L1, after}},
                                                  u"history_page"_s)
                                            .value("messages"_L1)
                                            .toArray();
            if (page.isEmpty())
                break;
            for (const QJsonValue &message : page)
                seen[i].append(message.toObject().value("seq"_L1).toInteger());
        }
    }
    const qint64 first = seen.front().first();
    QTRY_COMPARE_WITH_TIMEOUT(lastSeq(one, room), first + 199, 20'000);
    for (size_t i = 0; i < moved.size(); ++i) {
        // Live messages after the catch-up page: only those past it.
        QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    for (qint64 seq : seqsIn(moved[i]->takePending(), room)) {
                        if (seq > seen[i].last())
                            seen[i].append(seq);
                    }
                    return seen[i].last() >= first + 199;
                }(),
                20'000);
        QCOMPARE(seen[i], oneTo(first + 199, first));
    }
}

void TestCluster::slowDatabaseHoldsOnlyTheAsker()
{
    ServerProcess *one = startServer();
    QVERIFY(one);
    auto ann = enter(one, u"sloth"_s, u"quick"_s);
    auto bob = enter(one, u"hare"_s, u"quick"_s);
    QVERIFY(ann && bob);
    // A room with a topic and a message, stored, and closed here again.
    QCOMPARE(ChatClient::outcome(ann->join(u"slow"_s)), u"joined"_s);
    QCOMPARE(ChatClient::outcome(ann->ask(u"topic"_s, {{"room"_L1, "slow"_L1}, {"topic"_L1, "patience"_L1}},
                                          u"topic_changed"_s)),
             u"topic_changed"_s);
    QCOMPARE(ChatClient::outcome(ann->ask(u"say"_s, say(u"slow"_s, u"kept"_s), u"message"_s)), u"message"_s);
    QCOMPARE(ChatClient::outcome(ann->ask(u"leave"_s, {{"room"_L1, "slow"_L1}}, u"left"_s)), u"left"_s);

    // Opening it again reads its modes, which another connection holds.
    {
        QSqlDatabase blocker = m_postgres.connection(u"blocker"_s);
        QVERIFY(blocker.open());
        QSqlQuery lock(blocker);
        QVERIFY(lock.exec(u"BEGIN"_s));
        QVERIFY(lock.exec(u"LOCK TABLE room_modes IN ACCESS EXCLUSIVE MODE"_s));
        ann->takePending();
        ann->send({{"type"_L1, "join"_L1}, {"room"_L1, "slow"_L1}, {"id"_L1, 77}});
        // The server answers the others meanwhile (before the lock goes).
        QCOMPARE(members(bob->ask(u"who"_s, {{"room"_L1, "quick"_L1}}, u"member_list"_s, 10'000)),
                 QStringList({u"hare"_s, u"sloth"_s}));
        QVERIFY(ann->pending().isEmpty());
        QVERIFY(lock.exec(u"COMMIT"_s));
    }
    QSqlDatabase::removeDatabase(u"blocker"_s);
    const QJsonObject joined = ann->waitFor(u"joined"_s);
    QCOMPARE(joined.value("id"_L1).toInt(), 77);
    QCOMPARE(joined.value("topic"_L1).toString(), u"patience"_s);
    const QJsonArray history = joined.value("history"_L1).toArray();
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().toObject().value("text"_L1).toString(), u"kept"_s);
}

void TestCluster::lostMessageIsFilledWhileServing()
{
    // Its debug log says when a catch-up starts.
    qputenv("QT_LOGGING_RULES", "confab.server.cluster.debug=true");
    ServerProcess *one = startServer();
    qunsetenv("QT_LOGGING_RULES");
    QVERIFY(one);
    auto ann = enter(one, u"gap1"_s, u"gapped"_s);
    auto bob = enter(one, u"gap2"_s, u"gapped"_s);
    QVERIFY(ann && bob);
    const QJsonObject first = ann->ask(u"say"_s, say(u"gapped"_s, u"first"_s), u"message"_s);
    QCOMPARE(ChatClient::outcome(first), u"message"_s);
    const qint64 seq = first.value("seq"_L1).toInteger();
    QCOMPARE(bob->waitFor(u"message"_s).value("seq"_L1).toInteger(), seq);

    // A message stored by a server that died before telling anyone, whose
    // table another connection holds while this server catches up.
    {
        QSqlDatabase blocker = m_postgres.connection(u"blocker"_s);
        QVERIFY(blocker.open());
        QSqlQuery lock(blocker);
        QVERIFY(lock.exec(u"BEGIN"_s));
        QVERIFY(lock.exec(u"LOCK TABLE messages IN ACCESS EXCLUSIVE MODE"_s));
        QVERIFY(lock.prepare(u"INSERT INTO messages (room_key, seq, sender, text, ts) VALUES ('gapped', ?, 'ghost', "
                             "'unannounced', ?)"_s));
        lock.addBindValue(seq + 1);
        lock.addBindValue(QDateTime::currentMSecsSinceEpoch());
        QVERIFY(lock.exec());
        {
            QSqlDatabase other = m_postgres.connection(u"other"_s);
            QVERIFY(other.open());
            QSqlQuery raise(other);
            QVERIFY(raise.exec(u"UPDATE rooms SET last_seq = last_seq + 1 WHERE key = 'gapped'"_s));
        }
        QSqlDatabase::removeDatabase(u"other"_s);
        const qsizetype before = one->output().size();
        QVERIFY(one->waitForOutput(u"catching up"_s, before, 10'000));
        // Filling waits for the table; the server answers meanwhile.
        QCOMPARE(members(bob->ask(u"who"_s, {{"room"_L1, "gapped"_L1}}, u"member_list"_s, 10'000)),
                 QStringList({u"gap1"_s, u"gap2"_s}));
        QVERIFY(lock.exec(u"COMMIT"_s));
    }
    QSqlDatabase::removeDatabase(u"blocker"_s);
    for (ChatClient *client : {ann.get(), bob.get()}) {
        const QJsonObject filled = client->waitFor(u"message"_s);
        QCOMPARE(filled.value("seq"_L1).toInteger(), seq + 1);
        QCOMPARE(filled.value("text"_L1).toString(), u"unannounced"_s);
    }
    // And on from there.
    QCOMPARE(ann->ask(u"say"_s, say(u"gapped"_s, u"next"_s), u"message"_s).value("seq"_L1).toInteger(), seq + 2);
    QCOMPARE(bob->waitFor(u"message"_s).value("seq"_L1).toInteger(), seq + 2);
}

void TestCluster::reactionsAtOnceAllCount()
{
    // Each reaction reads the message and stores it: made at the same
    // moment, on one server and on two, none may overwrite another.
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    QVERIFY(one && two);
    std::vector<std::unique_ptr<ChatClient>> clients;
    for (int c = 0; c < 4; ++c) {
        clients.push_back(enter(c < 2 ? one : two, u"fan%1"_s.arg(c), u"stage"_s));
        QVERIFY(clients.back());
    }
    const QJsonObject said = clients.front()->ask(u"say"_s, say(u"stage"_s, u"applause"_s), u"message"_s);
    const qint64 seq = said.value("seq"_L1).toInteger();
    QVERIFY(seq > 0);
    const QStringList emoji{u"👍"_s, u"🎉"_s, u"👏"_s, u"❤️"_s};
    for (auto &client : clients)
        client->takePending();
    for (int c = 0; c < 4; ++c) {
        clients[size_t(c)]->send({{"type"_L1, "react"_L1}, {"room"_L1, "stage"_L1}, {"seq"_L1, seq},
                                  {"emoji"_L1, emoji.at(c)}, {"id"_L1, c + 1}});
    }
    // Everyone hears four updates; the newest (by rev) has all four.
    ChatClient &watcher = *clients.back();
    QJsonObject last;
    for (int update = 0; update < 4; ++update) {
        const QJsonObject heard = watcher.waitFor(u"updated"_s);
        QVERIFY(!heard.isEmpty());
        const auto rev = [](const QJsonObject &event) {
            return event.value("message"_L1).toObject().value("rev"_L1).toInteger();
        };
        if (last.isEmpty() || rev(heard) > rev(last))
            last = heard;
    }
    QStringList kinds;
    for (const QJsonValue &reaction : last.value("message"_L1).toObject().value("reactions"_L1).toArray())
        kinds.append(reaction.toObject().value("emoji"_L1).toString());
    kinds.sort();
    QStringList expected = emoji;
    expected.sort();
    QCOMPARE(kinds, expected);
}

void TestCluster::claimRaceHasOneWinner()
{
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    QVERIFY(one && two);
    const QString password = u"crowns and thrones"_s;
    ChatClient kay, lou;
    QVERIFY(kay.connectTo(one->tcpPort()));
    QVERIFY(lou.connectTo(two->tcpPort()));
    QVERIFY(kay.loginToAccount(u"kay"_s, u"kay"_s, password, true));
    QVERIFY(lou.loginToAccount(u"lou"_s, u"lou"_s, password, true));
    QCOMPARE(ChatClient::outcome(kay.join(u"crown"_s)), u"joined"_s);
    QCOMPARE(ChatClient::outcome(lou.join(u"crown"_s)), u"joined"_s);
    // Both at the same moment, each server seeing no owner yet.
    kay.send({{"type"_L1, "claim"_L1}, {"room"_L1, "crown"_L1}, {"id"_L1, 1}});
    lou.send({{"type"_L1, "claim"_L1}, {"room"_L1, "crown"_L1}, {"id"_L1, 2}});
    const auto answer = [](ChatClient &client, int id) {
        for (QJsonObject message = client.next(); !message.isEmpty(); message = client.next()) {
            if (message.value("id"_L1).toInt() == id)
                return ChatClient::outcome(message);
        }
        return QString();
    };
    QStringList outcomes{answer(kay, 1), answer(lou, 2)};
    outcomes.sort();
    QCOMPARE(outcomes, QStringList({u"already_owned"_s, u"role_changed"_s}));
}

void TestCluster::redisRestartLosesNothing()
{
    const QString room = u"restart"_s;
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    QVERIFY(one && two);
    auto talker = enter(one, u"speaker"_s, room);
    auto listener = enter(two, u"listener"_s, room);
    QVERIFY(talker && listener);
    listener->takePending();
    for (int m = 0; m < 100; ++m)
        talker->send(say(room, u"a%1"_s.arg(m)));
    QList<qint64> seen;
    QTRY_VERIFY_WITH_TIMEOUT((seen += seqsIn(listener->takePending(), room)).size() >= 10, 20'000);
    m_redis.kill();
    for (int m = 0; m < 100; ++m)
        talker->send(say(room, u"b%1"_s.arg(m)));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.error()));
    for (int m = 0; m < 100; ++m)
        talker->send(say(room, u"c%1"_s.arg(m)));
    QTRY_VERIFY_WITH_TIMEOUT((seen += seqsIn(listener->takePending(), room)).size() >= 300, 30'000);
    QCOMPARE(seen, oneTo(seen.first() + 299, seen.first()));
    QVERIFY(one->waitForOutput(u"connected to Redis again"_s));
}

void TestCluster::databaseDownRefusesThenRecovers()
{
    const QString room = u"outage"_s;
    ServerProcess *one = startServer();
    ServerProcess *two = startServer();
    QVERIFY(one && two);
    auto talker = enter(one, u"writer"_s, room);
    auto listener = enter(two, u"reader"_s, room);
    QVERIFY(talker && listener);
    QCOMPARE(ChatClient::outcome(talker->ask(u"say"_s, say(room, u"first"_s), u"message"_s)), u"message"_s);
    QCOMPARE(listener->waitFor(u"message"_s).value("text"_L1).toString(), u"first"_s);

    QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.error()));
    const QJsonObject refused = talker->ask(u"say"_s, say(room, u"lost?"_s), u"message"_s);
    QCOMPARE(ChatClient::outcome(refused), u"storage_failed"_s);

    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
    const QJsonObject stored = talker->ask(u"say"_s, say(room, u"second"_s), u"message"_s);
    QCOMPARE(ChatClient::outcome(stored), u"message"_s);
    // What was refused was sent to nobody; what was stored reaches the
    // other server, with the next seq.
    const QJsonObject heard = listener->waitFor(u"message"_s);
    QCOMPARE(heard.value("text"_L1).toString(), u"second"_s);
    QCOMPARE(heard.value("seq"_L1).toInteger(), stored.value("seq"_L1).toInteger());
    QCOMPARE(stored.value("seq"_L1).toInteger(), 2);
}

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
