// Every request and every error code of docs/protocol.md, over TCP, against a
// real confab-server.

#include "chatclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString type(const QJsonObject &message)
{
    return message.value("type"_L1).toString();
}

QStringList strings(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &value : array.toArray())
        out << value.toString();
    return out;
}

} // namespace

class TestChatService : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void errors_data();
    void errors();
    void idEchoedOnReplies();
    void conversation();
    void joinIsIdempotent();
    void nickChangeReachesEachPeerOnce();
    void topicIsKeptWithTheRoom();
    void listAndWho();
    void disconnectNotices_data();
    void disconnectNotices();
    void historyPaging_data();
    void historyPaging();
    void tooManyRooms();
    void floodLimit();
    void passwordProtected();
    void pingWhenIdle();
    void pingTimeout();
    void helloTimeout();
    void typingNotices_data();
    void typingNotices();
    void typingIsPassedOnAtMostEveryFewSeconds();
    void awayAndBack();

private:
    std::unique_ptr<ChatClient> connectClient();
    std::unique_ptr<ChatClient> loggedIn(const QString &nick, const QStringList &rooms = {});

    QStringList membersOf(ChatClient &client, const QString &room);

    ServerProcess m_server;
    std::unique_ptr<ChatClient> m_watcher;
    int m_nickCounter = 0;
};

void TestChatService::initTestCase()
{
    QVERIFY2(m_server.start({u"--max-rooms-per-user"_s, u"3"_s}), qPrintable(m_server.error()));
    // Sits in lobby to notice anything that reaches people it should not.
    m_watcher = loggedIn(u"watcher"_s, {u"lobby"_s});
    QVERIFY(m_watcher);
}

QStringList TestChatService::membersOf(ChatClient &client, const QString &room)
{
    client.send({{u"type"_s, u"who"_s}, {u"room"_s, room}});
    return strings(client.waitFor(u"member_list"_s).value("members"_L1));
}

void TestChatService::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

std::unique_ptr<ChatClient> TestChatService::connectClient()
{
    auto client = std::make_unique<ChatClient>();
    if (!client->connectTo(m_server.tcpPort()))
        return nullptr;
    return client;
}

std::unique_ptr<ChatClient> TestChatService::loggedIn(const QString &nick, const QStringList &rooms)
{
    auto client = connectClient();
    if (!client || !client->login(nick))
        return nullptr;
    for (const QString &room : rooms) {
        if (client->join(room).isEmpty())
            return nullptr;
    }
    return client;
}

void TestChatService::errors_data()
{
    QTest::addColumn<bool>("identified");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QJsonValue>("id");

    const QJsonValue none;
    QTest::newRow("bad_json") << false << QByteArray("this is not json") << u"bad_json"_s << none;
    QTest::newRow("bad_json array") << true << QByteArray("[1]") << u"bad_json"_s << none;
    QTest::newRow("bad_json invalid utf-8") << true << QByteArray("{\"type\":\"say\",\"room\":\"lobby\",\"text\":\"\xfe\"}")
                                            << u"bad_json"_s << none;
    QTest::newRow("bad_request missing field") << true << QByteArray(R"({"type":"join","id":1})")
                                               << u"bad_request"_s << QJsonValue(1);
    QTest::newRow("bad_request wrong type") << true << QByteArray(R"({"type":"say","room":"lobby","text":7,"id":"x"})")
                                            << u"bad_request"_s << QJsonValue(u"x"_s);
    QTest::newRow("bad_request bad id") << true << QByteArray(R"({"type":"ping","id":[1]})") << u"bad_request"_s
                                        << none;
    QTest::newRow("unknown_type") << true << QByteArray(R"({"type":"dance","id":3})") << u"unknown_type"_s
                                  << QJsonValue(3);
    QTest::newRow("unknown_type server event") << true << QByteArray(R"({"type":"message","id":3})")
                                               << u"unknown_type"_s << QJsonValue(3);
    QTest::newRow("not_identified") << false << QByteArray(R"({"type":"join","room":"lobby","id":4})")
                                    << u"not_identified"_s << QJsonValue(4);
    QTest::newRow("not_identified ping") << false << QByteArray(R"({"type":"ping"})") << u"not_identified"_s << none;
    QTest::newRow("already_identified") << true << QByteArray(R"({"type":"hello","nick":"another","id":5})")
                                        << u"already_identified"_s << QJsonValue(5);
    QTest::newRow("protocol_unsupported") << false << QByteArray(R"({"type":"hello","nick":"p2","protocol":2})")
                                          << u"protocol_unsupported"_s << none;
    QTest::newRow("nick_invalid") << false << QByteArray(R"({"type":"hello","nick":"9lives"})") << u"nick_invalid"_s
                                  << none;
    QTest::newRow("nick_invalid on change") << true << QByteArray(R"({"type":"nick","nick":"a b"})")
                                            << u"nick_invalid"_s << none;
    QTest::newRow("nick_taken") << false << QByteArray(R"({"type":"hello","nick":"WATCHER"})") << u"nick_taken"_s
                                << none;
    QTest::newRow("nick_taken on change") << true << QByteArray(R"({"type":"nick","nick":"Watcher"})")
                                          << u"nick_taken"_s << none;
    QTest::newRow("room_invalid") << true << QByteArray(R"({"type":"join","room":"#general"})") << u"room_invalid"_s
                                  << none;
    QTest::newRow("not_in_room say") << true << QByteArray(R"({"type":"say","room":"elsewhere","text":"hi","id":6})")
                                     << u"not_in_room"_s << QJsonValue(6);
    QTest::newRow("not_in_room topic") << true << QByteArray(R"({"type":"topic","room":"elsewhere","topic":"t"})")
                                       << u"not_in_room"_s << none;
    QTest::newRow("not_in_room leave") << true << QByteArray(R"({"type":"leave","room":"elsewhere"})")
                                       << u"not_in_room"_s << none;
    QTest::newRow("no_such_user") << true << QByteArray(R"({"type":"whisper","to":"carol","text":"hi"})")
                                  << u"no_such_user"_s << none;
    QTest::newRow("no_such_user impossible nick") << true << QByteArray(R"({"type":"whisper","to":"#!","text":"x"})")
                                                  << u"no_such_user"_s << none;
    QTest::newRow("text_invalid blank") << true << QByteArray(R"({"type":"say","room":"lobby","text":"  "})")
                                        << u"text_invalid"_s << none;
    QTest::newRow("text_invalid control") << true << QByteArray(R"({"type":"say","room":"lobby","text":"\u001b[2J"})")
                                          << u"text_invalid"_s << none;
    QTest::newRow("text_invalid too long") << true
                                           << QByteArray(R"({"type":"say","room":"lobby","text":")" + QByteArray(4097, 'x')
                                                         + "\"}")
                                           << u"text_invalid"_s << none;
    QTest::newRow("text_invalid topic") << true
                                        << QByteArray(R"({"type":"topic","room":"lobby","topic":")" + QByteArray(301, 't')
                                                      + "\"}")
                                        << u"text_invalid"_s << none;
}

void TestChatService::errors()
{
    QFETCH(bool, identified);
    QFETCH(QByteArray, frame);
    QFETCH(QString, code);
    QFETCH(QJsonValue, id);

    auto client = identified ? loggedIn(u"user%1"_s.arg(++m_nickCounter), {u"lobby"_s}) : connectClient();
    QVERIFY(client);

    client->sendRaw(frame + '\n');
    const QJsonObject reply = client->next();
    QCOMPARE(type(reply), u"error"_s);
    QCOMPARE(reply.value("code"_L1).toString(), code);
    QVERIFY(!reply.value("message"_L1).toString().isEmpty());
    QCOMPARE(reply.value("id"_L1).isUndefined(), id.isNull());
    if (!id.isNull())
        QCOMPARE(reply.value("id"_L1), id);

    // Every one of these errors leaves the connection open and usable.
    client->sendRaw(R"({"type":"ping","id":"after"})" "\n");
    const QJsonObject after = client->next();
    QCOMPARE(after.value("id"_L1).toString(), u"after"_s);
    QCOMPARE(type(after), identified ? u"pong"_s : u"error"_s);
    // And nobody else heard of it.
    m_watcher->sendRaw(R"({"type":"ping","id":"sync"})" "\n");
    QVERIFY(!m_watcher->waitFor(u"pong"_s).isEmpty());
    m_watcher->sendRaw(R"({"type":"ping","id":"sync"})" "\n");
    for (const QJsonObject &message : m_watcher->takePending()) {
        const QString kind = type(message);
        QVERIFY2(kind == u"user_joined"_s || kind == u"user_left"_s || kind == u"pong"_s, qPrintable(kind));
    }
}

void TestChatService::idEchoedOnReplies()
{
    auto alice = loggedIn(u"idalice"_s);
    QVERIFY(alice);
    const QList<QPair<QByteArray, QString>> requests = {
            {R"({"type":"join","room":"ids","id":"j"})", u"joined"_s},
            {R"({"type":"say","room":"ids","text":"hi","id":"s"})", u"message"_s},
            {R"({"type":"whisper","to":"idalice","text":"me","id":"w"})", u"private"_s},
            {R"({"type":"nick","nick":"IdAlice","id":"n"})", u"nick_changed"_s},
            {R"({"type":"topic","room":"ids","topic":"t","id":"t"})", u"topic_changed"_s},
            {R"({"type":"list","id":"l"})", u"room_list"_s},
            {R"({"type":"who","room":"ids","id":"o"})", u"member_list"_s},
            {R"({"type":"history","room":"ids","id":"h"})", u"history_page"_s},
            {R"({"type":"ping","id":"p"})", u"pong"_s},
            {R"({"type":"leave","room":"ids","id":"e"})", u"left"_s},
    };
    for (const auto &[frame, expected] : requests) {
        alice->sendRaw(frame + '\n');
        const QJsonObject reply = alice->next();
        QCOMPARE(type(reply), expected);
        QCOMPARE(reply.value("id"_L1).toString(), QJsonDocument::fromJson(frame).object().value("id"_L1).toString());
    }
    // Whispering to yourself arrives once.
    QVERIFY(alice->pending().isEmpty());
}

void TestChatService::conversation()
{
    auto alice = loggedIn(u"alice"_s, {u"lobby"_s});
    QVERIFY(alice);
    auto bob = loggedIn(u"bob"_s);
    QVERIFY(bob);

    const QJsonObject joined = bob->join(u"LOBBY"_s);
    QCOMPARE(joined.value("room"_L1).toString(), u"lobby"_s);
    QVERIFY(strings(joined.value("members"_L1)).contains(u"alice"_s));
    QVERIFY(strings(joined.value("members"_L1)).contains(u"bob"_s));
    const QJsonObject userJoined = alice->waitFor(u"user_joined"_s);
    QCOMPARE(userJoined.value("nick"_L1).toString(), u"bob"_s);
    QCOMPARE(userJoined.value("room"_L1).toString(), u"lobby"_s);

    alice->sendRaw(R"({"type":"say","room":"lobby","text":"hi bob <b>&</b>","id":42})" "\n");
    const QJsonObject echo = alice->waitFor(u"message"_s);
    const QJsonObject received = bob->waitFor(u"message"_s);
    QCOMPARE(echo.value("id"_L1).toInt(), 42);
    QVERIFY(received.value("id"_L1).isUndefined());
    for (const QJsonObject &message : {echo, received}) {
        QCOMPARE(message.value("from"_L1).toString(), u"alice"_s);
        QCOMPARE(message.value("text"_L1).toString(), u"hi bob <b>&</b>"_s);
        QCOMPARE(message.value("room"_L1).toString(), u"lobby"_s);
    }
    QCOMPARE(received.value("seq"_L1), echo.value("seq"_L1));
    QCOMPARE(received.value("ts"_L1), echo.value("ts"_L1));
    QVERIFY(qAbs(echo.value("ts"_L1).toDouble() - double(QDateTime::currentMSecsSinceEpoch())) < 60'000);

    bob->sendRaw(R"({"type":"whisper","to":"ALICE","text":"psst","id":"w1"})" "\n");
    const QJsonObject sent = bob->waitFor(u"private"_s);
    const QJsonObject got = alice->waitFor(u"private"_s);
    QCOMPARE(sent.value("id"_L1).toString(), u"w1"_s);
    QVERIFY(got.value("id"_L1).isUndefined());
    QCOMPARE(got.value("from"_L1).toString(), u"bob"_s);
    QCOMPARE(got.value("to"_L1).toString(), u"alice"_s);
    QCOMPARE(got.value("text"_L1).toString(), u"psst"_s);

    bob->sendRaw(R"({"type":"leave","room":"lobby","reason":"lunch"})" "\n");
    QCOMPARE(bob->waitFor(u"left"_s).value("room"_L1).toString(), u"lobby"_s);
    const QJsonObject left = alice->waitFor(u"user_left"_s);
    QCOMPARE(left.value("nick"_L1).toString(), u"bob"_s);
    QCOMPARE(left.value("reason"_L1).toString(), u"lunch"_s);

    // Bob is out: what alice says no longer reaches him.
    alice->sendRaw(R"({"type":"say","room":"lobby","text":"gone?"})" "\n");
    QVERIFY(!alice->waitFor(u"message"_s).isEmpty());
    bob->sendRaw(R"({"type":"ping","id":"sync"})" "\n");
    QCOMPARE(bob->waitFor(u"pong"_s).value("id"_L1).toString(), u"sync"_s);
    for (const QJsonObject &message : bob->pending())
        QVERIFY(type(message) != u"message"_s);
}

void TestChatService::joinIsIdempotent()
{
    auto carol = loggedIn(u"carol"_s, {u"twice"_s});
    QVERIFY(carol);
    auto dave = loggedIn(u"dave"_s, {u"twice"_s});
    QVERIFY(dave);
    QVERIFY(!carol->waitFor(u"user_joined"_s).isEmpty());
    const QJsonObject again = dave->join(u"twice"_s);
    QCOMPARE(strings(again.value("members"_L1)), QStringList({u"carol"_s, u"dave"_s}));
    carol->sendRaw(R"({"type":"ping"})" "\n");
    QCOMPARE(type(carol->next()), u"pong"_s); // no second user_joined before it
}

void TestChatService::nickChangeReachesEachPeerOnce()
{
    auto erin = loggedIn(u"erin"_s, {u"n1"_s, u"n2"_s});
    QVERIFY(erin);
    auto frank = loggedIn(u"frank"_s, {u"n1"_s, u"n2"_s});
    QVERIFY(frank);
    auto stranger = loggedIn(u"stranger"_s, {u"n3"_s});
    QVERIFY(stranger);

    erin->sendRaw(R"({"type":"nick","nick":"Erina","id":1})" "\n");
    const QJsonObject own = erin->waitFor(u"nick_changed"_s);
    QCOMPARE(own.value("old"_L1).toString(), u"erin"_s);
    QCOMPARE(own.value("new"_L1).toString(), u"Erina"_s);
    QCOMPARE(own.value("id"_L1).toInt(), 1);
    QCOMPARE(frank->waitFor(u"nick_changed"_s).value("new"_L1).toString(), u"Erina"_s);

    frank->sendRaw(R"({"type":"ping"})" "\n");
    QVERIFY(!frank->waitFor(u"pong"_s).isEmpty());
    for (const QJsonObject &message : frank->pending())
        QVERIFY(type(message) != u"nick_changed"_s);
    stranger->sendRaw(R"({"type":"ping"})" "\n");
    QCOMPARE(type(stranger->next()), u"pong"_s);

    // The old nick is free again; the new one is taken.
    auto newcomer = loggedIn(u"erin"_s);
    QVERIFY(newcomer);
    newcomer->sendRaw(R"({"type":"nick","nick":"ERINA"})" "\n");
    QCOMPARE(newcomer->next().value("code"_L1).toString(), u"nick_taken"_s);
}

void TestChatService::topicIsKeptWithTheRoom()
{
    auto gina = loggedIn(u"gina"_s, {u"topics"_s});
    QVERIFY(gina);
    auto hank = loggedIn(u"hank"_s, {u"topics"_s});
    QVERIFY(hank);
    gina->sendRaw(R"({"type":"topic","room":"topics","topic":"Release on Friday"})" "\n");
    for (ChatClient *client : {gina.get(), hank.get()}) {
        const QJsonObject changed = client->waitFor(u"topic_changed"_s);
        QCOMPARE(changed.value("topic"_L1).toString(), u"Release on Friday"_s);
        QCOMPARE(changed.value("by"_L1).toString(), u"gina"_s);
    }
    gina.reset();
    hank.reset();
    auto ida = loggedIn(u"ida"_s);
    QVERIFY(ida);
    QTRY_VERIFY_WITH_TIMEOUT(membersOf(*ida, u"topics"_s).isEmpty(), 10000);
    // The room emptied and was created again: the topic came back with it.
    QCOMPARE(ida->join(u"topics"_s).value("topic"_L1).toString(), u"Release on Friday"_s);
}

void TestChatService::listAndWho()
{
    auto jack = loggedIn(u"jack"_s, {u"Listed"_s});
    QVERIFY(jack);
    auto kate = loggedIn(u"kate"_s, {u"listed"_s});
    QVERIFY(kate);

    kate->sendRaw(R"({"type":"list"})" "\n");
    const QJsonObject list = kate->waitFor(u"room_list"_s);
    bool found = false;
    bool lobby = false;
    for (const QJsonValue &room : list.value("rooms"_L1).toArray()) {
        const QJsonObject info = room.toObject();
        if (info.value("name"_L1).toString() == u"Listed"_s) {
            found = true;
            QCOMPARE(info.value("members"_L1).toInt(), 2);
            QVERIFY(info.value("topic"_L1).isString());
        }
        lobby = lobby || info.value("name"_L1).toString() == u"lobby"_s;
    }
    QVERIFY(found);
    QVERIFY(lobby);

    kate->sendRaw(R"({"type":"who","room":"LISTED"})" "\n");
    const QJsonObject inRoom = kate->waitFor(u"member_list"_s);
    QCOMPARE(inRoom.value("room"_L1).toString(), u"Listed"_s);
    QCOMPARE(strings(inRoom.value("members"_L1)), QStringList({u"jack"_s, u"kate"_s}));

    kate->sendRaw(R"({"type":"who"})" "\n");
    const QJsonObject everyone = kate->waitFor(u"member_list"_s);
    QVERIFY(everyone.value("room"_L1).isNull());
    QVERIFY(strings(everyone.value("members"_L1)).contains(u"jack"_s));
    QVERIFY(strings(everyone.value("members"_L1)).contains(u"kate"_s));

    kate->sendRaw(R"({"type":"who","room":"nobody-here"})" "\n");
    QVERIFY(kate->waitFor(u"member_list"_s).value("members"_L1).toArray().isEmpty());
}

void TestChatService::disconnectNotices_data()
{
    QTest::addColumn<QByteArray>("goodbye");
    QTest::addColumn<QString>("reason");

    QTest::newRow("quit with reason") << QByteArray(R"({"type":"quit","reason":"see you"})" "\n") << u"see you"_s;
    QTest::newRow("quit") << QByteArray(R"({"type":"quit"})" "\n") << QString();
    QTest::newRow("dropped connection") << QByteArray() << u"connection lost"_s;
}

void TestChatService::disconnectNotices()
{
    QFETCH(QByteArray, goodbye);
    QFETCH(QString, reason);

    const QString goer = u"goer%1"_s.arg(++m_nickCounter);
    auto stay = loggedIn(u"stayer%1"_s.arg(m_nickCounter), {u"bye1"_s, u"bye2"_s});
    QVERIFY(stay);
    auto go = loggedIn(goer, {u"bye1"_s, u"bye2"_s});
    QVERIFY(go);
    if (goodbye.isEmpty()) {
        go.reset();
    } else {
        go->sendRaw(goodbye);
        QVERIFY(go->waitForDisconnected());
    }
    QStringList rooms;
    for (int i = 0; i < 2; ++i) {
        const QJsonObject left = stay->waitFor(u"user_left"_s);
        QCOMPARE(left.value("nick"_L1).toString(), goer);
        QCOMPARE(left.value("reason"_L1).toString(), reason);
        rooms << left.value("room"_L1).toString();
    }
    rooms.sort();
    QCOMPARE(rooms, QStringList({u"bye1"_s, u"bye2"_s}));
}

void TestChatService::historyPaging_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QList<int>>("seqs");

    QTest::newRow("latest") << QByteArray(R"("limit":3)") << QList<int>{8, 9, 10};
    QTest::newRow("default limit") << QByteArray() << QList<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    QTest::newRow("after") << QByteArray(R"("after":7)") << QList<int>{8, 9, 10};
    QTest::newRow("after with limit") << QByteArray(R"("after":2,"limit":2)") << QList<int>{3, 4};
    QTest::newRow("before") << QByteArray(R"("before":4)") << QList<int>{1, 2, 3};
    QTest::newRow("before with limit") << QByteArray(R"("before":8,"limit":2)") << QList<int>{6, 7};
    QTest::newRow("between") << QByteArray(R"("after":3,"before":7)") << QList<int>{4, 5, 6};
    QTest::newRow("after the end") << QByteArray(R"("after":10)") << QList<int>{};
    QTest::newRow("before the start") << QByteArray(R"("before":1)") << QList<int>{};
}

void TestChatService::historyPaging()
{
    QFETCH(QByteArray, query);
    QFETCH(QList<int>, seqs);

    static int round = 0;
    const QString room = u"paging%1"_s.arg(++round);
    auto writer = loggedIn(u"writer%1"_s.arg(round), {room});
    QVERIFY(writer);
    for (int i = 1; i <= 10; ++i) {
        writer->send({{u"type"_s, u"say"_s}, {u"room"_s, room}, {u"text"_s, u"line %1"_s.arg(i)}});
        QCOMPARE(writer->waitFor(u"message"_s).value("seq"_L1).toInt(), i);
    }
    // Anyone may read a room's history, member or not.
    auto reader = loggedIn(u"reader%1"_s.arg(round));
    QVERIFY(reader);
    QByteArray request = R"({"type":"history","room":")" + room.toUtf8() + '"';
    if (!query.isEmpty())
        request += ',' + query;
    reader->sendRaw(request + "}\n");
    const QJsonObject page = reader->waitFor(u"history_page"_s);
    QCOMPARE(page.value("room"_L1).toString(), room);
    QList<int> got;
    for (const QJsonValue &value : page.value("messages"_L1).toArray()) {
        const QJsonObject message = value.toObject();
        QCOMPARE(type(message), u"message"_s);
        QCOMPARE(message.value("text"_L1).toString(), u"line %1"_s.arg(message.value("seq"_L1).toInt()));
        got << message.value("seq"_L1).toInt();
    }
    QCOMPARE(got, seqs);

    // joined carries the latest messages too.
    const QJsonArray onJoin = reader->join(room).value("history"_L1).toArray();
    QCOMPARE(onJoin.size(), 10);
    QCOMPARE(onJoin.last().toObject().value("seq"_L1).toInt(), 10);
}

void TestChatService::tooManyRooms()
{
    auto lena = loggedIn(u"lena"_s, {u"r1"_s, u"r2"_s, u"r3"_s});
    QVERIFY(lena);
    lena->sendRaw(R"({"type":"join","room":"r4","id":9})" "\n");
    const QJsonObject error = lena->next();
    QCOMPARE(error.value("code"_L1).toString(), u"too_many_rooms"_s);
    QCOMPARE(error.value("id"_L1).toInt(), 9);
    // Re-joining a room already joined is still fine.
    QVERIFY(!lena->join(u"r2"_s).isEmpty());
}

void TestChatService::floodLimit()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--flood-burst"_s, u"5"_s, u"--flood-rate"_s, u"1"_s}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.enter(server.tcpPort(), u"chatty"_s, {u"lobby"_s}));

    QByteArray burst;
    for (int i = 0; i < 8; ++i)
        burst += R"({"type":"say","room":"lobby","text":"spam","id":)" + QByteArray::number(i) + "}\n";
    client.sendRaw(burst);
    int delivered = 0;
    int limited = 0;
    for (int i = 0; i < 8; ++i) {
        const QJsonObject reply = client.next();
        if (type(reply) == u"message"_s)
            ++delivered;
        else if (reply.value("code"_L1).toString() == u"rate_limited"_s)
            ++limited;
        QCOMPARE(reply.value("id"_L1).toInt(), i);
    }
    QCOMPARE(delivered, 5);
    QCOMPARE(limited, 3);
    // Other requests are not limited, and the connection stays.
    client.sendRaw(R"({"type":"who"})" "\n");
    QCOMPARE(type(client.next()), u"member_list"_s);
    QCOMPARE(server.stop(), 0);
}

void TestChatService::passwordProtected()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--password"_s, u"open sesame"_s}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.connectTo(server.tcpPort()));
    client.sendRaw(R"({"type":"hello","nick":"guest","id":1})" "\n");
    QCOMPARE(client.next().value("code"_L1).toString(), u"auth_failed"_s);
    client.sendRaw(R"({"type":"hello","nick":"guest","password":"wrong"})" "\n");
    QCOMPARE(client.next().value("code"_L1).toString(), u"auth_failed"_s);
    client.sendRaw(R"({"type":"hello","nick":"guest","password":"open sesame"})" "\n");
    QCOMPARE(type(client.next()), u"welcome"_s);
    QCOMPARE(server.stop(), 0);
}

void TestChatService::pingWhenIdle()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--ping-interval"_s, u"0.3"_s, u"--ping-timeout"_s, u"30"_s}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.enter(server.tcpPort(), u"idler"_s));
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(type(client.next()), u"ping"_s);
        client.sendRaw(R"({"type":"pong"})" "\n");
    }
    QVERIFY(client.isConnected());
    QCOMPARE(server.stop(), 0);
}

void TestChatService::pingTimeout()
{
    ServerProcess server;
    // Generous enough for the lively client to answer even on a loaded machine.
    QVERIFY2(server.start({u"--ping-interval"_s, u"0.4"_s, u"--ping-timeout"_s, u"1.5"_s}), qPrintable(server.error()));
    ChatClient silent;
    QVERIFY(silent.enter(server.tcpPort(), u"silent"_s, {u"lobby"_s}));
    ChatClient lively;
    QVERIFY(lively.enter(server.tcpPort(), u"lively"_s, {u"lobby"_s}));

    // lively answers its pings, so it is still here to see silent go.
    QJsonObject left;
    while (left.isEmpty()) {
        const QJsonObject message = lively.next();
        QVERIFY(!message.isEmpty());
        if (type(message) == u"ping"_s)
            lively.sendRaw(R"({"type":"pong"})" "\n");
        else if (type(message) == u"user_left"_s)
            left = message;
    }
    QCOMPARE(left.value("nick"_L1).toString(), u"silent"_s);
    QCOMPARE(left.value("reason"_L1).toString(), u"ping timeout"_s);
    QVERIFY(lively.isConnected());
    QCOMPARE(type(silent.waitFor(u"ping"_s)), u"ping"_s);
    QCOMPARE(silent.waitFor(u"closing"_s).value("reason"_L1).toString(), u"ping timeout"_s);
    QVERIFY(silent.waitForDisconnected());
    QCOMPARE(server.stop(), 0);
}

void TestChatService::helloTimeout()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--hello-timeout"_s, u"0.3"_s}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.connectTo(server.tcpPort()));
    // Talking without identifying does not count.
    client.sendRaw(R"({"type":"ping"})" "\n");
    QCOMPARE(client.next().value("code"_L1).toString(), u"not_identified"_s);
    QCOMPARE(client.waitFor(u"closing"_s).value("reason"_L1).toString(), u"hello timeout"_s);
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(server.stop(), 0);
}

void TestChatService::typingNotices_data()
{
    QTest::addColumn<QJsonObject>("sent");
    QTest::addColumn<QJsonObject>("heard"); // by the other member; empty: an error instead
    QTest::addColumn<QString>("error");

    QTest::newRow("in a room") << QJsonObject{{u"room"_s, u"typeroom"_s}}
                               << QJsonObject{{u"type"_s, u"typing"_s}, {u"room"_s, u"typeroom"_s}, {u"from"_s, u"typer"_s}}
                               << QString();
    QTest::newRow("privately") << QJsonObject{{u"to"_s, u"reader"_s}}
                               << QJsonObject{{u"type"_s, u"typing"_s}, {u"to"_s, u"reader"_s}, {u"from"_s, u"typer"_s}}
                               << QString();
    QTest::newRow("neither room nor to") << QJsonObject{} << QJsonObject{} << u"bad_request"_s;
    QTest::newRow("both room and to") << QJsonObject{{u"room"_s, u"typeroom"_s}, {u"to"_s, u"reader"_s}}
                                      << QJsonObject{} << u"bad_request"_s;
    QTest::newRow("a room one is not in") << QJsonObject{{u"room"_s, u"elsewhere"_s}} << QJsonObject{}
                                          << u"not_in_room"_s;
    QTest::newRow("to someone not online") << QJsonObject{{u"to"_s, u"nobody"_s}} << QJsonObject{}
                                           << u"no_such_user"_s;
}

void TestChatService::typingNotices()
{
    QFETCH(QJsonObject, sent);
    QFETCH(QJsonObject, heard);
    QFETCH(QString, error);

    auto typer = loggedIn(u"typer"_s, {u"typeroom"_s});
    auto reader = loggedIn(u"reader"_s, {u"typeroom"_s});
    QVERIFY(typer && reader);
    typer->takePending();
    reader->takePending();
    if (error.isEmpty()) {
        QJsonObject request = sent;
        request.insert(u"type"_s, u"typing"_s);
        typer->send(request);
        QCOMPARE(reader->waitFor(u"typing"_s), heard);
        // "done" ends it, once.
        request.insert(u"done"_s, true);
        typer->send(request);
        heard.insert(u"done"_s, true);
        QCOMPARE(reader->waitFor(u"typing"_s), heard);
    } else {
        QCOMPARE(ChatClient::outcome(typer->ask(u"typing"_s, sent, u"typing"_s)), error);
    }
    // Nothing for the one typing, nor for anyone else.
    typer->send({{u"type"_s, u"ping"_s}, {u"id"_s, 99}});
    typer->waitFor(u"pong"_s);
    for (const QJsonObject &message : typer->takePending())
        QVERIFY2(message.value(u"type"_s) != u"typing"_s, "the typer heard itself");
    for (const QJsonObject &message : m_watcher->takePending())
        QVERIFY(message.value(u"type"_s) != u"typing"_s);
}

void TestChatService::typingIsPassedOnAtMostEveryFewSeconds()
{
    auto typer = loggedIn(u"fasttyper"_s, {u"typeroom2"_s});
    auto reader = loggedIn(u"reader2"_s, {u"typeroom2"_s});
    QVERIFY(typer && reader);
    reader->takePending();
    for (int i = 0; i < 5; ++i)
        typer->send({{u"type"_s, u"typing"_s}, {u"room"_s, u"typeroom2"_s}});
    // Typing never eats into what the user may say.
    const QJsonObject said = typer->ask(u"say"_s, {{u"room"_s, u"typeroom2"_s}, {u"text"_s, u"there"_s}}, u"message"_s);
    QCOMPARE(ChatClient::outcome(said), u"message"_s);
    // The reader hears one notice, then the message: the other 4 went nowhere.
    QCOMPARE(reader->next().value(u"type"_s).toString(), u"typing"_s);
    QCOMPARE(reader->next().value(u"type"_s).toString(), u"message"_s);
    // After the message, typing again is passed on at once.
    typer->send({{u"type"_s, u"typing"_s}, {u"room"_s, u"typeroom2"_s}});
    QCOMPARE(reader->waitFor(u"typing"_s).value(u"from"_s).toString(), u"fasttyper"_s);
}

void TestChatService::awayAndBack()
{
    auto ada = loggedIn(u"ada_away"_s, {u"awayroom"_s});
    auto bo = loggedIn(u"bo_here"_s, {u"awayroom"_s});
    QVERIFY(ada && bo);
    bo->takePending();

    const QJsonObject answer = ada->ask(u"away"_s, {{u"message"_s, u"  at lunch "_s}}, u"presence"_s);
    QCOMPARE(answer.value(u"nick"_s).toString(), u"ada_away"_s);
    QCOMPARE(answer.value(u"away"_s).toString(), u"at lunch"_s);
    const QJsonObject heard = bo->waitFor(u"presence"_s);
    QCOMPARE(heard, (QJsonObject{{u"type"_s, u"presence"_s}, {u"nick"_s, u"ada_away"_s}, {u"away"_s, u"at lunch"_s}}));

    // Someone who joins later learns it from joined; a whisper is told it.
    auto cy = loggedIn(u"cy_late"_s);
    QVERIFY(cy);
    const QJsonObject joined = cy->join(u"awayroom"_s);
    QCOMPARE(joined.value(u"away"_s).toObject(), (QJsonObject{{u"ada_away"_s, u"at lunch"_s}}));
    auto dee = loggedIn(u"dee_stranger"_s);
    QVERIFY(dee);
    dee->send({{u"type"_s, u"whisper"_s}, {u"to"_s, u"ada_away"_s}, {u"text"_s, u"there?"_s}});
    QCOMPARE(dee->waitFor(u"presence"_s).value(u"away"_s).toString(), u"at lunch"_s);

    // Back: no away field at all.
    const QJsonObject back = ada->ask(u"away"_s, {}, u"presence"_s);
    QVERIFY(!back.contains(u"away"_s));
    QVERIFY(!bo->waitFor(u"presence"_s).contains(u"away"_s));
    QVERIFY(!cy->waitFor(u"presence"_s).contains(u"away"_s));
    for (const QJsonObject &message : m_watcher->takePending())
        QVERIFY(message.value(u"type"_s) != u"presence"_s); // nobody outside the room hears it
}

QTEST_GUILESS_MAIN(TestChatService)
#include "tst_chatservice.moc"
