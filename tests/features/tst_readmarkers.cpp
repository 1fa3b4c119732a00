// features/readmarkers.cpp in-process (docs/protocol.md section 20): the
// rules of `read`, what the other sessions of an account hear, and what
// `joined` carries back.

#include "inprocesschat.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

class TestReadMarkers : public QObject
{
    Q_OBJECT

private slots:
    void read_data();
    void read();
    void joinedCarriesTheMarker();
};

// alice (an account, logged in twice) and bob share "lobby", where 3
// messages were said, and have 2 private messages. alice's first session
// sends the requests; the row says the last answer and what her second
// session heard.
void TestReadMarkers::read_data()
{
    QTest::addColumn<QByteArrayList>("requests");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<int>("heardElsewhere");

    QTest::newRow("a room marker") << QByteArrayList{R"({"type":"read","room":"lobby","seq":2})"} << u"read_marker"_s
                                   << QByteArray(R"({"type":"read_marker","room":"lobby","seq":2})") << 1;
    QTest::newRow("a private marker") << QByteArrayList{R"({"type":"read","with":"bob","seq":2})"} << u"read_marker"_s
                                      << QByteArray(R"({"type":"read_marker","with":"bob","seq":2})") << 1;
    QTest::newRow("only forwards: an older seq tells no one")
            << QByteArrayList{R"({"type":"read","room":"lobby","seq":3})", R"({"type":"read","room":"lobby","seq":1})"}
            << u"read_marker"_s << QByteArray(R"({"type":"read_marker","room":"lobby","seq":3})") << 1;
    QTest::newRow("the same seq again tells no one")
            << QByteArrayList{R"({"type":"read","room":"lobby","seq":2})", R"({"type":"read","room":"lobby","seq":2})"}
            << u"read_marker"_s << QByteArray(R"({"type":"read_marker","room":"lobby","seq":2})") << 1;
    QTest::newRow("past the last message") << QByteArrayList{R"({"type":"read","room":"lobby","seq":4})"}
                                           << u"bad_request"_s << QByteArray() << 0;
    QTest::newRow("a room one is not in") << QByteArrayList{R"({"type":"read","room":"elsewhere","seq":1})"}
                                          << u"not_in_room"_s << QByteArray() << 0;
    QTest::newRow("both room and with") << QByteArrayList{R"({"type":"read","room":"lobby","with":"bob","seq":1})"}
                                        << u"bad_request"_s << QByteArray() << 0;
    QTest::newRow("neither") << QByteArrayList{R"({"type":"read","seq":1})"} << u"bad_request"_s << QByteArray() << 0;
}

void TestReadMarkers::read()
{
    QFETCH(QByteArrayList, requests);
    QFETCH(QString, expected);
    QFETCH(QByteArray, answer);
    QFETCH(int, heardElsewhere);

    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.account(u"alice"_s, Password);
    auto bob = chat.member(u"bob"_s, {u"lobby"_s});
    QVERIFY(alice && bob);
    QCOMPARE(outcome(alice->ask(object(R"({"type":"join","room":"lobby"})"))), u"joined"_s);
    auto phone = chat.connect();
    QCOMPARE(outcome(phone->ask({{"type"_L1, "hello"_L1}, {"nick"_L1, "alice_phone"_L1},
                                 {"login"_L1, QJsonObject{{"account"_L1, "alice"_L1}, {"password"_L1, Password}}}}, 20'000)),
             u"welcome"_s);
    QCOMPARE(outcome(phone->ask(object(R"({"type":"join","room":"lobby"})"))), u"joined"_s);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(outcome(bob->ask(object(R"({"type":"say","room":"lobby","text":"news"})"))), u"message"_s);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(outcome(bob->ask(object(R"({"type":"whisper","to":"alice","text":"psst"})"))), u"private"_s);
    alice->settle();
    phone->settle();

    for (qsizetype i = 0; i + 1 < requests.size(); ++i)
        QVERIFY(!alice->ask(object(requests.at(i))).isEmpty());
    QJsonObject last = alice->ask(object(requests.last()));
    QCOMPARE(outcome(last), expected);
    if (!answer.isEmpty()) {
        last.remove("id"_L1);
        QCOMPARE(last, object(answer));
    }
    const QList<QJsonObject> heard = phone->settle();
    QCOMPARE(heard.size(), heardElsewhere);
    if (heardElsewhere > 0)
        QCOMPARE(heard.first(), object(answer)); // without an id
    QVERIFY2(bob->settle().isEmpty(), "a marker is the account's own business");
}

void TestReadMarkers::joinedCarriesTheMarker()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.account(u"alice"_s, Password);
    auto bob = chat.member(u"bob"_s, {u"lobby"_s});
    QVERIFY(alice && bob);
    QCOMPARE(outcome(bob->ask(object(R"({"type":"say","room":"lobby","text":"one"})"))), u"message"_s);
    QCOMPARE(outcome(bob->ask(object(R"({"type":"say","room":"lobby","text":"two"})"))), u"message"_s);
    QJsonObject joined = alice->ask(object(R"({"type":"join","room":"lobby"})"));
    QCOMPARE(outcome(joined), u"joined"_s);
    QVERIFY2(!joined.contains("read"_L1), "no marker yet: absent");
    QCOMPARE(outcome(alice->ask(object(R"({"type":"read","room":"lobby","seq":2})"))), u"read_marker"_s);
    alice->drop();

    // A new session of the account reads it back.
    auto again = chat.connect();
    QCOMPARE(outcome(again->ask({{"type"_L1, "hello"_L1}, {"nick"_L1, "alice"_L1},
                                 {"login"_L1, QJsonObject{{"account"_L1, "alice"_L1}, {"password"_L1, Password}}}},
                                20'000)),
             u"welcome"_s);
    joined = again->ask(object(R"({"type":"join","room":"lobby"})"));
    QCOMPARE(joined.value("read"_L1).toInt(), 2);
}

QTEST_GUILESS_MAIN(TestReadMarkers)
#include "tst_readmarkers.moc"
