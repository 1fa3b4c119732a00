// The frame inspector's model: what it keeps, in what order, within what
// bound, how it filters and exports; and, against a real server, that the
// connection records into it only while it is attached.

#include "chatclient.h"
#include "chatsession.h"
#include "conversation.h"
#include "framelog.h"
#include "serverprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using Direction = FrameLog::Direction;

class TestFrameLog : public QObject
{
    Q_OBJECT

private slots:
    void keepsOrderDirectionAndSize();
    void boundedToItsCapacity_data();
    void boundedToItsCapacity();
    void filters_data();
    void filters();
    void exportFormat_data();
    void exportFormat();
    void prettyKeepsTheOrder_data();
    void prettyKeepsTheOrder();
    void pausedFramesAreCountedNotKept();
    void recordsOnlyWhileAttached_data();
    void recordsOnlyWhileAttached();
};

void TestFrameLog::keepsOrderDirectionAndSize()
{
    FrameLog log;
    QSignalSpy inserted(&log, &QAbstractItemModel::rowsInserted);
    log.record(Direction::Sent, u"tcp"_s, R"({"type":"hello","nick":"ann"})"
                                          "\n");
    log.record(Direction::Received, u"tcp"_s, R"({"type":"welcome","nick":"ann"})"
                                              "\n");
    log.record(Direction::Received, u"ws"_s, R"({"type":"message","room":"lobby","text":"hi"})");
    QCOMPARE(log.rowCount(), 0); // batched...
    QVERIFY(inserted.wait(5000)); // ...and shown together
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(log.rowCount(), 3);
    QCOMPARE(log.frame(0).direction, Direction::Sent);
    QCOMPARE(log.frame(0).type, u"hello"_s);
    QCOMPARE(log.frame(0).raw.size(), 30);
    QCOMPARE(log.index(0, FrameLog::SizeColumn).data().toString(), u"30"_s);
    QCOMPARE(log.index(0, FrameLog::DirectionColumn).data().toString(), u"→"_s);
    QCOMPARE(log.frame(1).direction, Direction::Received);
    QCOMPARE(log.index(1, FrameLog::DirectionColumn).data().toString(), u"←"_s);
    QCOMPARE(log.frame(2).transport, u"ws"_s);
    QCOMPARE(log.frame(2).room, u"lobby"_s);
    QVERIFY(log.frame(0).time <= log.frame(1).time && log.frame(1).time <= log.frame(2).time);
    QCOMPARE(log.types(), (QStringList{u"hello"_s, u"message"_s, u"welcome"_s}));
    QCOMPARE(log.rooms(), QStringList{u"lobby"_s});
    QCOMPARE(log.totalRecorded(), 3);
    log.clear();
    QCOMPARE(log.rowCount(), 0);
    QCOMPARE(log.totalRecorded(), 0);
}

void TestFrameLog::boundedToItsCapacity_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("batches");
    QTest::addColumn<int>("perBatch");

    QTest::newRow("one burst bigger than the log") << 5 << 1 << 12;
    QTest::newRow("many small batches") << 5 << 6 << 2;
    QTest::newRow("a busy room") << 2000 << 10 << 1000;
}

void TestFrameLog::boundedToItsCapacity()
{
    QFETCH(int, capacity);
    QFETCH(int, batches);
    QFETCH(int, perBatch);

    FrameLog log(capacity);
    int n = 0;
    for (int batch = 0; batch < batches; ++batch) {
        for (int i = 0; i < perBatch; ++i, ++n)
            log.record(Direction::Received, u"tcp"_s, R"({"type":"message","seq":)" + QByteArray::number(n) + "}\n");
        log.flush();
    }
    const int kept = qMin(capacity, n);
    QCOMPARE(log.rowCount(), kept);
    QCOMPARE(log.totalRecorded(), n);
    // The newest are kept, oldest first.
    for (int row = 0; row < kept; ++row) {
        const QJsonObject frame = QJsonDocument::fromJson(log.frame(row).raw).object();
        QCOMPARE(frame.value(u"seq"_s).toInt(), n - kept + row);
    }
}

void TestFrameLog::filters_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("room");
    QTest::addColumn<int>("shown");

    QTest::newRow("everything") << QString() << QString() << 6;
    QTest::newRow("says") << u"say"_s << QString() << 2;
    QTest::newRow("room physics") << QString() << u"physics"_s << 3;
    QTest::newRow("room in other case") << QString() << u"PHYSICS"_s << 3;
    QTest::newRow("messages in lobby") << u"message"_s << u"lobby"_s << 1;
    QTest::newRow("nothing matches") << u"whisper"_s << QString() << 0;
}

void TestFrameLog::filters()
{
    QFETCH(QString, type);
    QFETCH(QString, room);
    QFETCH(int, shown);

    FrameLog log;
    log.record(Direction::Sent, u"tcp"_s, R"({"type":"say","room":"physics","text":"a"})");
    log.record(Direction::Received, u"tcp"_s, R"({"type":"message","room":"physics","text":"a","seq":1})");
    log.record(Direction::Sent, u"tcp"_s, R"({"type":"say","room":"lobby","text":"b"})");
    log.record(Direction::Received, u"tcp"_s, R"({"type":"message","room":"lobby","text":"b","seq":1})");
    log.record(Direction::Received, u"tcp"_s, R"({"type":"user_joined","room":"physics","nick":"bo"})");
    log.record(Direction::Received, u"tcp"_s, R"({"type":"pong"})");
    log.flush();
    FrameFilter filter;
    filter.setSourceModel(&log);
    filter.setType(type);
    filter.setRoom(room);
    QCOMPARE(filter.rowCount(), shown);
}

void TestFrameLog::exportFormat_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QJsonValue>("frame");

    QTest::newRow("a JSON line") << QByteArray(R"({"type":"say","room":"lobby","text":"hi"})"
                                               "\n")
                                 << u"tcp"_s
                                 << QJsonValue(QJsonObject{{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s},
                                                           {u"text"_s, u"hi"_s}});
    QTest::newRow("a WebSocket message") << QByteArray(R"({"type":"ping"})") << u"wss"_s
                                         << QJsonValue(QJsonObject{{u"type"_s, u"ping"_s}});
    QTest::newRow("not JSON") << QByteArray("hello there\n") << u"tcp"_s << QJsonValue(u"hello there"_s);
}

void TestFrameLog::exportFormat()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, transport);
    QFETCH(QJsonValue, frame);

    const FrameLog::Frame recorded{QDateTime(QDate(2026, 11, 30), QTime(9, 15, 2, 250), Qt::UTC), Direction::Sent,
                                   transport, raw, {}, {}};
    const QByteArray line = FrameLog::toJsonLine(recorded);
    QVERIFY(!line.contains('\n'));
    const QJsonObject object = QJsonDocument::fromJson(line).object();
    QCOMPARE(object.value(u"time"_s).toString(), u"2026-11-30T09:15:02.250Z"_s);
    QCOMPARE(object.value(u"direction"_s).toString(), u"sent"_s);
    QCOMPARE(object.value(u"transport"_s).toString(), transport);
    QCOMPARE(object.value(u"size"_s).toInt(), raw.size());
    QCOMPARE(object.value(u"frame"_s), frame);
    QCOMPARE(object.keys().size(), 5);
}

void TestFrameLog::prettyKeepsTheOrder_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("shown");

    QTest::newRow("fields in sent order") << QByteArray(R"({"type":"say","room":"x","id":1})"
                                                        "\n")
                                          << u"{\n    \"type\": \"say\",\n    \"room\": \"x\",\n    \"id\": 1\n}"_s;
    QTest::newRow("nested, empty and tricky strings")
            << QByteArray(R"({"type":"who","members":[{"nick":"a,b"}],"rooms":[],"t":"x\"}{"})")
            << u"{\n    \"type\": \"who\",\n    \"members\": [\n        {\n            \"nick\": \"a,b\"\n        }\n    ],\n"
               "    \"rooms\": [],\n    \"t\": \"x\\\"}{\"\n}"_s;
    QTest::newRow("not JSON, as it came") << QByteArray("hello") << u"hello"_s;
}

void TestFrameLog::prettyKeepsTheOrder()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, shown);
    const FrameLog::Frame frame{QDateTime::currentDateTimeUtc(), Direction::Received, u"tcp"_s, raw, {}, {}};
    QCOMPARE(FrameLog::pretty(frame), shown);
}

void TestFrameLog::pausedFramesAreCountedNotKept()
{
    FrameLog log;
    log.record(Direction::Sent, u"tcp"_s, "{}\n");
    log.setPaused(true);
    log.record(Direction::Received, u"tcp"_s, "{}\n");
    log.record(Direction::Received, u"tcp"_s, "{}\n");
    log.flush();
    QCOMPARE(log.rowCount(), 1);
    QCOMPARE(log.missedWhilePaused(), 2);
    QCOMPARE(log.totalRecorded(), 3);
    log.setPaused(false);
    log.record(Direction::Received, u"tcp"_s, "{}\n");
    log.flush();
    QCOMPARE(log.rowCount(), 2);
    QCOMPARE(log.missedWhilePaused(), 0);
}

void TestFrameLog::recordsOnlyWhileAttached_data()
{
    QTest::addColumn<bool>("webSocket");
    QTest::newRow("tcp") << false;
    QTest::newRow("ws") << true;
}

void TestFrameLog::recordsOnlyWhileAttached()
{
    QFETCH(bool, webSocket);

    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    const QString address = webSocket ? u"ws://127.0.0.1:%1"_s.arg(server.httpPort())
                                      : u"127.0.0.1:%1"_s.arg(server.tcpPort());
    FrameLog log;
    ChatSession session;
    session.setFrameLog(&log);
    session.start(*ServerAddress::parse(address), u"ann"_s, {}, {u"lobby"_s});
    QTRY_VERIFY_WITH_TIMEOUT(session.room(u"lobby"_s) && session.room(u"lobby"_s)->isJoined(), 15'000);
    log.flush();
    QVERIFY(log.rowCount() >= 4);
    const FrameLog::Frame &hello = log.frame(0);
    QCOMPARE(hello.direction, Direction::Sent);
    QCOMPARE(hello.type, u"hello"_s);
    QCOMPARE(hello.transport, webSocket ? u"ws"_s : u"tcp"_s);
    QCOMPARE(hello.raw.endsWith('\n'), !webSocket); // as it went over the wire
    QCOMPARE(log.frame(1).direction, Direction::Received);
    QCOMPARE(log.frame(1).type, u"welcome"_s);

    // Detached (the inspector closed): a whole conversation, and nothing.
    session.setFrameLog(nullptr);
    log.clear();
    ChatClient bob;
    QVERIFY(bob.enter(server.tcpPort(), u"bob"_s, {u"lobby"_s}));
    bob.send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, u"unseen"_s}});
    Conversation *lobby = session.room(u"lobby"_s);
    QTRY_VERIFY_WITH_TIMEOUT(lobby->log()->rowCount() > 0
                                     && lobby->log()->entries().last().text == u"unseen"_s, 10'000);
    log.flush();
    QCOMPARE(log.rowCount(), 0);
    QCOMPARE(log.totalRecorded(), 0);

    // Attached again: the next message is there, received.
    session.setFrameLog(&log);
    bob.send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, u"seen"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(log.rowCount() >= 1, 10'000);
    QCOMPARE(log.frame(0).type, u"message"_s);
    QCOMPARE(log.frame(0).direction, Direction::Received);
    QVERIFY(log.frame(0).raw.contains("seen"));
    session.setFrameLog(nullptr);
    QCOMPARE(server.stop(), 0);
}

QTEST_MAIN(TestFrameLog)
#include "tst_framelog.moc"
