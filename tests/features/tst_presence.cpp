// features/presence.cpp in-process (docs/protocol.md sections 16 and 17):
// typing notices and away, against fake connections, no sockets.

#include "inprocesschat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

namespace {

QList<QJsonObject> objects(const char *json)
{
    QList<QJsonObject> list;
    for (const QJsonValue &value : QJsonDocument::fromJson(json).array())
        list.append(value.toObject());
    return list;
}

QByteArray show(const QList<QJsonObject> &frames)
{
    QJsonArray array;
    for (const QJsonObject &frame : frames)
        array.append(frame);
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

} // namespace

class TestPresence : public QObject
{
    Q_OBJECT

private slots:
    void typing_data();
    void typing();
    void away_data();
    void away();
    void joinedListsWhoIsAway();
    void whisperToSomeoneAwaySaysSoFirst();
};

// alice and bob share "lobby"; carol is in "other". alice sends the
// requests; each of them then has heard exactly what the row says.
void TestPresence::typing_data()
{
    QTest::addColumn<QByteArray>("requests");
    QTest::addColumn<QByteArray>("alice");
    QTest::addColumn<QByteArray>("bob");

    QTest::newRow("a room notice reaches the others, with from")
            << QByteArray(R"([{"type":"typing","room":"lobby"}])") << QByteArray("[]")
            << QByteArray(R"([{"type":"typing","room":"lobby","from":"alice"}])");
    QTest::newRow("one notice every 3 seconds")
            << QByteArray(R"([{"type":"typing","room":"lobby"},{"type":"typing","room":"lobby"}])")
            << QByteArray("[]") << QByteArray(R"([{"type":"typing","room":"lobby","from":"alice"}])");
    QTest::newRow("done is passed on at once, and the notice after it")
            << QByteArray(R"([{"type":"typing","room":"lobby"},{"type":"typing","room":"lobby","done":true},
                              {"type":"typing","room":"lobby"}])")
            << QByteArray("[]")
            << QByteArray(R"([{"type":"typing","room":"lobby","from":"alice"},
                              {"type":"typing","room":"lobby","from":"alice","done":true},
                              {"type":"typing","room":"lobby","from":"alice"}])");
    QTest::newRow("done without a notice before it is dropped")
            << QByteArray(R"([{"type":"typing","room":"lobby","done":true}])") << QByteArray("[]") << QByteArray("[]");
    QTest::newRow("a message resets the interval")
            << QByteArray(R"([{"type":"typing","room":"lobby"},{"type":"say","room":"lobby","text":"hi"},
                              {"type":"typing","room":"lobby"}])")
            << QByteArray(R"([{"type":"message","room":"lobby","from":"alice","text":"hi"}])")
            << QByteArray(R"([{"type":"typing","room":"lobby","from":"alice"},
                              {"type":"message","room":"lobby","from":"alice","text":"hi"},
                              {"type":"typing","room":"lobby","from":"alice"}])");
    QTest::newRow("a notice passed on is not answered, even with an id")
            << QByteArray(R"([{"type":"typing","room":"lobby","id":5}])") << QByteArray("[]")
            << QByteArray(R"([{"type":"typing","room":"lobby","from":"alice"}])");
    QTest::newRow("a private notice reaches its one recipient")
            << QByteArray(R"([{"type":"typing","to":"bob"}])") << QByteArray("[]")
            << QByteArray(R"([{"type":"typing","to":"bob","from":"alice"}])");
    QTest::newRow("a room the sender is not in")
            << QByteArray(R"([{"type":"typing","room":"other","id":6}])")
            << QByteArray(R"([{"type":"error","code":"not_in_room","id":6}])") << QByteArray("[]");
    QTest::newRow("someone not connected")
            << QByteArray(R"([{"type":"typing","to":"dave","id":7}])")
            << QByteArray(R"([{"type":"error","code":"no_such_user","id":7}])") << QByteArray("[]");
    QTest::newRow("both room and to")
            << QByteArray(R"([{"type":"typing","room":"lobby","to":"bob","id":8}])")
            << QByteArray(R"([{"type":"error","code":"bad_request","id":8}])") << QByteArray("[]");
    QTest::newRow("neither room nor to")
            << QByteArray(R"([{"type":"typing","id":9}])")
            << QByteArray(R"([{"type":"error","code":"bad_request","id":9}])") << QByteArray("[]");
}

// Compares what arrived with what was expected, on the fields the
// expectation names (a message's ts and seq, an error's wording, vary).
static bool matches(const QList<QJsonObject> &got, const QList<QJsonObject> &expected)
{
    if (got.size() != expected.size())
        return false;
    for (qsizetype i = 0; i < got.size(); ++i) {
        for (auto it = expected.at(i).begin(); it != expected.at(i).end(); ++it) {
            if (got.at(i).value(it.key()) != it.value())
                return false;
        }
        if (got.at(i).value("type"_L1) == "typing"_L1 && got.at(i).size() != expected.at(i).size())
            return false; // a notice carries exactly these fields
    }
    return true;
}

void TestPresence::typing()
{
    QFETCH(QByteArray, requests);
    QFETCH(QByteArray, alice);
    QFETCH(QByteArray, bob);

    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto a = chat.member(u"alice"_s, {u"lobby"_s});
    auto b = chat.member(u"bob"_s, {u"lobby"_s});
    auto c = chat.member(u"carol"_s, {u"other"_s});
    QVERIFY(a && b && c);
    a->settle();
    b->settle();
    c->settle();

    for (const QJsonObject &request : objects(requests.constData()))
        a->send(request);
    const QList<QJsonObject> aliceGot = a->settle();
    const QList<QJsonObject> bobGot = b->settle();
    QVERIFY2(matches(aliceGot, objects(alice.constData())), show(aliceGot).constData());
    QVERIFY2(matches(bobGot, objects(bob.constData())), show(bobGot).constData());
    QVERIFY2(c->settle().isEmpty(), "someone outside the conversation heard of it");
}

void TestPresence::away_data()
{
    QTest::addColumn<QJsonValue>("message");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QJsonValue>("heard"); // the away text others hear; null: back

    QTest::newRow("away") << QJsonValue(u"at lunch"_s) << u"presence"_s << QJsonValue(u"at lunch"_s);
    QTest::newRow("trimmed") << QJsonValue(u"  at lunch  "_s) << u"presence"_s << QJsonValue(u"at lunch"_s);
    QTest::newRow("no message means back") << QJsonValue() << u"presence"_s << QJsonValue();
    QTest::newRow("blank means back") << QJsonValue(u"   "_s) << u"presence"_s << QJsonValue();
    QTest::newRow("300 characters") << QJsonValue(QString(300, u'x')) << u"presence"_s
                                    << QJsonValue(QString(300, u'x'));
    QTest::newRow("301 characters") << QJsonValue(QString(301, u'x')) << u"text_invalid"_s << QJsonValue();
    QTest::newRow("two lines") << QJsonValue(u"a\nb"_s) << u"text_invalid"_s << QJsonValue();
}

void TestPresence::away()
{
    QFETCH(QJsonValue, message);
    QFETCH(QString, outcome);
    QFETCH(QJsonValue, heard);

    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto a = chat.member(u"alice"_s, {u"lobby"_s, u"second"_s});
    auto b = chat.member(u"bob"_s, {u"lobby"_s, u"second"_s});
    QVERIFY(a && b);
    b->settle();

    QJsonObject request{{"type"_L1, "away"_L1}};
    if (!message.isNull())
        request.insert("message"_L1, message);
    const QJsonObject answer = a->ask(request);
    const QString got = answer.value("type"_L1) == "error"_L1 ? answer.value("code"_L1).toString()
                                                               : answer.value("type"_L1).toString();
    QCOMPARE(got, outcome);
    const QList<QJsonObject> bobGot = b->settle();
    if (outcome != "presence"_L1) {
        QVERIFY(bobGot.isEmpty());
        return;
    }
    QCOMPARE(answer.value("nick"_L1).toString(), u"alice"_s);
    QCOMPARE(answer.value("away"_L1).isUndefined() ? QJsonValue() : answer.value("away"_L1), heard);
    // Heard once, though two rooms are shared, and without the id.
    QCOMPARE(bobGot.size(), 1);
    QJsonObject expected = answer;
    expected.remove("id"_L1);
    QCOMPARE(bobGot.first(), expected);
}

void TestPresence::joinedListsWhoIsAway()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto a = chat.guest(u"alice"_s);
    auto b = chat.member(u"bob"_s, {u"lobby"_s});
    QVERIFY(a && b);
    QCOMPARE(a->ask({{"type"_L1, "away"_L1}, {"message"_L1, "out"_L1}}).value("type"_L1).toString(), u"presence"_s);
    QCOMPARE(b->ask({{"type"_L1, "away"_L1}, {"message"_L1, "brb"_L1}}).value("type"_L1).toString(), u"presence"_s);
    const QJsonObject joined = a->ask({{"type"_L1, "join"_L1}, {"room"_L1, "lobby"_L1}});
    QCOMPARE(joined.value("type"_L1).toString(), u"joined"_s);
    // The joiner's own away is listed too.
    QCOMPARE(joined.value("away"_L1).toObject(), (QJsonObject{{"alice"_L1, "out"_L1}, {"bob"_L1, "brb"_L1}}));

    QCOMPARE(a->ask({{"type"_L1, "away"_L1}}).value("type"_L1).toString(), u"presence"_s);
    QCOMPARE(b->ask({{"type"_L1, "away"_L1}}).value("type"_L1).toString(), u"presence"_s);
    auto c = chat.guest(u"carol"_s);
    QVERIFY(c);
    const QJsonObject nobodyAway = c->ask({{"type"_L1, "join"_L1}, {"room"_L1, "lobby"_L1}});
    QCOMPARE(nobodyAway.value("type"_L1).toString(), u"joined"_s);
    QVERIFY2(!nobodyAway.contains("away"_L1), "away is absent when nobody is");
}

void TestPresence::whisperToSomeoneAwaySaysSoFirst()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto a = chat.guest(u"alice"_s);
    auto b = chat.guest(u"bob"_s);
    QVERIFY(a && b);
    QCOMPARE(b->ask({{"type"_L1, "away"_L1}, {"message"_L1, "brb"_L1}}).value("type"_L1).toString(), u"presence"_s);
    a->settle();
    a->send({{"type"_L1, "whisper"_L1}, {"to"_L1, "bob"_L1}, {"text"_L1, "yo"_L1}, {"id"_L1, 41}});
    const QList<QJsonObject> got = a->settle();
    QCOMPARE(got.size(), 2);
    // The presence comes first and without the id: the echo carries it.
    QCOMPARE(got.at(0), (QJsonObject{{"type"_L1, "presence"_L1}, {"nick"_L1, "bob"_L1}, {"away"_L1, "brb"_L1}}));
    QCOMPARE(got.at(1).value("type"_L1).toString(), u"private"_s);
    QCOMPARE(got.at(1).value("id"_L1).toInt(), 41);
}

QTEST_GUILESS_MAIN(TestPresence)
#include "tst_presence.moc"
