// features/rooms.cpp in-process (docs/protocol.md section 6): joining,
// leaving, saying, topics, who and list, as the members see them.

#include "inprocesschat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

namespace {

QStringList types(const QList<QJsonObject> &frames)
{
    QStringList list;
    for (const QJsonObject &frame : frames)
        list.append(frame.value("type"_L1).toString());
    return list;
}

} // namespace

class TestRooms : public QObject
{
    Q_OBJECT

private slots:
    void request_data();
    void request();
    void joinTellsTheOthersOnce();
    void sayIsNumberedAndEchoed();
    void whoAndList();
};

// alice and bob are in "lobby"; alice sends the request. The row says the
// answer, and the events bob hears.
void TestRooms::request_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QStringList>("bobHears");

    QTest::newRow("join again answers and tells nobody")
            << QByteArray(R"({"type":"join","room":"lobby"})") << u"joined"_s << QStringList{};
    QTest::newRow("join, another case of the name")
            << QByteArray(R"({"type":"join","room":"LOBBY"})") << u"joined"_s << QStringList{};
    QTest::newRow("join a bad name") << QByteArray(R"({"type":"join","room":"no spaces"})") << u"room_invalid"_s
                                     << QStringList{};
    QTest::newRow("leave") << QByteArray(R"({"type":"leave","room":"lobby","reason":"lunch"})") << u"left"_s
                           << QStringList{u"user_left"_s};
    QTest::newRow("leave a room one is not in") << QByteArray(R"({"type":"leave","room":"elsewhere"})")
                                                << u"not_in_room"_s << QStringList{};
    QTest::newRow("say") << QByteArray(R"({"type":"say","room":"lobby","text":"hi bob"})") << u"message"_s
                         << QStringList{u"message"_s};
    QTest::newRow("say where one is not") << QByteArray(R"({"type":"say","room":"elsewhere","text":"hi"})")
                                          << u"not_in_room"_s << QStringList{};
    QTest::newRow("say nothing visible") << QByteArray("{\"type\":\"say\",\"room\":\"lobby\",\"text\":\" \\u200b \"}")
                                         << u"text_invalid"_s << QStringList{};
    QTest::newRow("say an escape sequence") << QByteArray(R"({"type":"say","room":"lobby","text":"\u001b[2J"})")
                                            << u"text_invalid"_s << QStringList{};
    QTest::newRow("topic") << QByteArray(R"({"type":"topic","room":"lobby","topic":"Release on Friday"})")
                           << u"topic_changed"_s << QStringList{u"topic_changed"_s};
    QTest::newRow("a topic of two lines") << QByteArray(R"({"type":"topic","room":"lobby","topic":"a\nb"})")
                                          << u"text_invalid"_s << QStringList{};
    QTest::newRow("topic where one is not") << QByteArray(R"({"type":"topic","room":"elsewhere","topic":"x"})")
                                            << u"not_in_room"_s << QStringList{};
}

void TestRooms::request()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, expected);
    QFETCH(QStringList, bobHears);

    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.member(u"alice"_s, {u"lobby"_s});
    auto bob = chat.member(u"bob"_s, {u"lobby"_s});
    QVERIFY(alice && bob);
    QCOMPARE(outcome(alice->ask(object(request))), expected);
    QCOMPARE(types(bob->settle()), bobHears);
}

void TestRooms::joinTellsTheOthersOnce()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.member(u"alice"_s, {u"lobby"_s});
    QVERIFY(alice);
    QCOMPARE(outcome(alice->ask(object(R"({"type":"say","room":"lobby","text":"morning"})"))), u"message"_s);
    auto bob = chat.guest(u"bob"_s);
    QVERIFY(bob);
    const QJsonObject joined = bob->ask(object(R"({"type":"join","room":"lobby"})"));
    QCOMPARE(outcome(joined), u"joined"_s);
    QCOMPARE(joined.value("members"_L1).toArray(), (QJsonArray{u"alice"_s, u"bob"_s}));
    // History entries have exactly the shape of a message event.
    const QJsonObject said = joined.value("history"_L1).toArray().at(0).toObject();
    QCOMPARE(said.value("type"_L1).toString(), u"message"_s);
    QCOMPARE(said.value("text"_L1).toString(), u"morning"_s);
    QCOMPARE(alice->settle(), (QList<QJsonObject>{object(R"({"type":"user_joined","room":"lobby","nick":"bob"})")}));
}

void TestRooms::sayIsNumberedAndEchoed()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.member(u"alice"_s, {u"lobby"_s});
    auto bob = chat.member(u"bob"_s, {u"lobby"_s});
    QVERIFY(alice && bob);
    for (int seq = 1; seq <= 3; ++seq) {
        const QJsonObject echo = alice->ask(object(R"({"type":"say","room":"lobby","text":"n"})"));
        QCOMPARE(echo.value("seq"_L1).toInt(), seq);
    }
    const QList<QJsonObject> heard = bob->settle();
    QCOMPARE(heard.size(), 3);
    for (const QJsonObject &message : heard)
        QVERIFY2(!message.contains("id"_L1), "only the sender's copy carries its id");
    // Stored before anyone heard it: history has all three.
    const QJsonObject page = bob->ask(object(R"({"type":"history","room":"lobby","limit":10})"));
    QCOMPARE(page.value("messages"_L1).toArray().size(), 3);
}

void TestRooms::whoAndList()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.member(u"alice"_s, {u"lobby"_s, u"dev"_s});
    auto bob = chat.member(u"bob"_s, {u"lobby"_s});
    auto carol = chat.guest(u"carol"_s);
    QVERIFY(alice && bob && carol);
    QCOMPARE(carol->ask(object(R"({"type":"who","room":"lobby"})")).value("members"_L1).toArray(),
             (QJsonArray{u"alice"_s, u"bob"_s}));
    QCOMPARE(carol->ask(object(R"({"type":"who","room":"nowhere"})")).value("members"_L1).toArray(), QJsonArray());
    const QJsonObject everyone = carol->ask(object(R"({"type":"who"})"));
    QVERIFY(everyone.value("room"_L1).isNull());
    QCOMPARE(everyone.value("members"_L1).toArray(), (QJsonArray{u"alice"_s, u"bob"_s, u"carol"_s}));
    const QJsonArray rooms = carol->ask(object(R"({"type":"list"})")).value("rooms"_L1).toArray();
    QCOMPARE(rooms.size(), 2);
    QCOMPARE(rooms.at(0).toObject().value("name"_L1).toString(), u"dev"_s);
    QCOMPARE(rooms.at(0).toObject().value("members"_L1).toInt(), 1);
    QCOMPARE(rooms.at(1).toObject().value("name"_L1).toString(), u"lobby"_s);
    QCOMPARE(rooms.at(1).toObject().value("members"_L1).toInt(), 2);
}

QTEST_GUILESS_MAIN(TestRooms)
#include "tst_rooms.moc"
