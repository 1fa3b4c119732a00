// The limits that keep one client from hurting the others (docs/protocol.md,
// "Limits"): frame size, bad bytes, slow readers, connection counts.

#include "chatclient.h"
#include "serverprocess.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString type(const QJsonObject &message)
{
    return message.value("type"_L1).toString();
}

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT

private slots:
    void oversizeLine();
    void oversizeLineWithoutNewline();
    void invalidUtf8KeepsConnection();
    void slowReaderIsDropped_data();
    void slowReaderIsDropped();
    void connectionsPerAddress();
    void connectionsInTotal();
    void openFileLimit();
};

void TestLimits::oversizeLine()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--max-frame-bytes"_s, u"1024"_s}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.enter(server.tcpPort(), u"big"_s));
    // Exactly at the limit is fine (here: a frame the decoder rejects, but
    // not for its size).
    QByteArray atLimit = R"({"type":"ping","pad":")";
    atLimit += QByteArray(1024 - atLimit.size() - 2, 'x') + "\"}";
    QCOMPARE(atLimit.size(), 1024);
    client.sendRaw(atLimit + "\r\n");
    QCOMPARE(type(client.next()), u"pong"_s);

    client.sendRaw(QByteArray(1025, 'x') + "\n");
    const QJsonObject error = client.next();
    QCOMPARE(error.value("code"_L1).toString(), u"frame_too_large"_s);
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(server.stop(), 0);
}

void TestLimits::oversizeLineWithoutNewline()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--max-frame-bytes"_s, u"1024"_s}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.connectTo(server.tcpPort()));
    // A line that never ends is refused once it passes the limit, not
    // buffered until memory runs out.
    client.sendRaw(QByteArray(64 * 1024, '{'));
    QCOMPARE(client.next().value("code"_L1).toString(), u"frame_too_large"_s);
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(server.stop(), 0);
}

void TestLimits::invalidUtf8KeepsConnection()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.enter(server.tcpPort(), u"bytes"_s, {u"lobby"_s}));
    for (const QByteArray &bad : {QByteArray("\xff\xfe\xfd"), QByteArray("{\"type\":\"say\",\"room\":\"lobby\",\"text\":\"\xed\xa0\x80\"}"),
                                  QByteArray("{\"type\":\"say\",\"room\":\"lobby\",\"text\":\"\xc3\"}"), QByteArray("\x00\x01", 2)}) {
        client.sendRaw(bad + '\n');
        QCOMPARE(client.next().value("code"_L1).toString(), u"bad_json"_s);
    }
    client.sendRaw(R"({"type":"say","room":"lobby","text":"still here"})" "\n");
    QCOMPARE(client.waitFor(u"message"_s).value("text"_L1).toString(), u"still here"_s);
    QCOMPARE(server.stop(), 0);
}

void TestLimits::slowReaderIsDropped_data()
{
    QTest::addColumn<ChatClient::Transport>("sleeperTransport");
    QTest::newRow("tcp") << ChatClient::Transport::Tcp;
    QTest::newRow("websocket") << ChatClient::Transport::WebSocket;
}

void TestLimits::slowReaderIsDropped()
{
    QFETCH(ChatClient::Transport, sleeperTransport);
    ServerProcess server;
    QVERIFY2(server.start({u"--flood-rate"_s, u"0"_s}),
             qPrintable(server.error()));
    ChatClient sleeper(sleeperTransport);
    const bool web = sleeperTransport == ChatClient::Transport::WebSocket;
    QVERIFY(sleeper.enter(web ? server.httpPort() : server.tcpPort(), u"sleeper"_s, {u"lobby"_s}));
    sleeper.stopReading();

    ChatClient talker;
    QVERIFY(talker.enter(server.tcpPort(), u"talker"_s, {u"lobby"_s}));
    ChatClient listener;
    QVERIFY(listener.enter(server.tcpPort(), u"listener"_s, {u"lobby"_s}));
    QVERIFY(!talker.waitFor(u"user_joined"_s).isEmpty());
    const qint64 rssBefore = server.residentKiB();
    QVERIFY(rssBefore > 0);

    // About 40 MiB of chat that the sleeper never reads, in batches that the
    // talker and the listener read in full, so that only the sleeper lags.
    const QString text(4000, u'z');
    const int batches = 500;
    const int batchSize = 20;
    int received = 0;
    bool sawLeave = false;
    for (int batch = 0; batch < batches; ++batch) {
        for (int i = 0; i < batchSize; ++i)
            talker.send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, text}});
        for (int i = 0; i < batchSize; ++i)
            QVERIFY2(!talker.waitFor(u"message"_s).isEmpty(), qPrintable(server.output().right(400)));
        for (int i = 0; i < batchSize;) {
            const QJsonObject message = listener.next();
            QVERIFY2(!message.isEmpty(), qPrintable(server.output().right(400)));
            if (type(message) == u"message"_s) {
                ++received;
                ++i;
            } else if (type(message) == u"user_left"_s) {
                QCOMPARE(message.value("nick"_L1).toString(), u"sleeper"_s);
                QCOMPARE(message.value("reason"_L1).toString(), u"send queue exceeded"_s);
                sawLeave = true;
            }
        }
    }
    QVERIFY(sawLeave);
    QCOMPARE(received, batches * batchSize);
    const qint64 rssAfter = server.residentKiB();
    // The sleeper's unread backlog is capped at 4 MiB; allow generous room
    // for allocator slack, far below the 40 MiB it was sent.
#ifndef CONFAB_SANITIZED
    QVERIFY2(rssAfter - rssBefore < 32 * 1024, qPrintable(u"RSS grew from %1 to %2 KiB"_s.arg(rssBefore).arg(rssAfter)));
#else
    qInfo("RSS grew from %lld to %lld KiB (not checked under sanitizers)", rssBefore, rssAfter);
#endif
    QCOMPARE(server.stop(), 0);
}

void TestLimits::connectionsPerAddress()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--max-connections-per-address"_s, u"3"_s}), qPrintable(server.error()));
    std::vector<std::unique_ptr<ChatClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<ChatClient>(i == 2 ? ChatClient::Transport::WebSocket
                                                              : ChatClient::Transport::Tcp));
        QVERIFY(clients.back()->connectTo(i == 2 ? server.httpPort() : server.tcpPort()));
        QVERIFY(clients.back()->login(u"user%1"_s.arg(i)));
    }
    ChatClient extra;
    QVERIFY(extra.connectTo(server.tcpPort()));
    QCOMPARE(extra.next().value("code"_L1).toString(), u"server_full"_s);
    QVERIFY(extra.waitForDisconnected());

    // A slot freed is a slot to use, over either transport.
    clients.front().reset();
    bool admitted = false;
    const QDeadlineTimer deadline(20'000);
    while (!admitted && !deadline.hasExpired()) {
        // Until the server has seen the old socket close, it answers 503.
        ChatClient again(ChatClient::Transport::WebSocket);
        admitted = again.connectTo(server.httpPort()) && again.login(u"again"_s);
    }
    QVERIFY(admitted);
    QCOMPARE(server.stop(), 0);
}

void TestLimits::connectionsInTotal()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--max-connections"_s, u"2"_s, u"--max-connections-per-address"_s, u"0"_s}),
             qPrintable(server.error()));
    ChatClient one;
    ChatClient two;
    QVERIFY(one.connectTo(server.tcpPort()) && one.login(u"one"_s));
    QVERIFY(two.connectTo(server.tcpPort()) && two.login(u"two"_s));
    ChatClient three;
    QVERIFY(three.connectTo(server.tcpPort()));
    QCOMPARE(three.next().value("code"_L1).toString(), u"server_full"_s);
    QVERIFY(three.waitForDisconnected());
    // The HTTP port answers 503 rather than a page.
    QTcpSocket http;
    http.connectToHost(u"127.0.0.1"_s, server.httpPort());
    QVERIFY(http.waitForConnected(10'000));
    http.write("GET / HTTP/1.1\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(http.bytesAvailable() > 0 || http.state() != QAbstractSocket::ConnectedState, 10'000);
    QVERIFY(http.readAll().startsWith("HTTP/1.1 503"));
    QVERIFY(one.isConnected());
    QVERIFY(two.isConnected());
    QCOMPARE(server.stop(), 0);
}

void TestLimits::openFileLimit()
{
    // With only 128 descriptors, the server keeps its connection cap well
    // below that, says so, turns the rest away, and stays responsive.
    ServerProcess server;
    server.setLauncher({u"prlimit"_s, u"--nofile=128:128"_s, u"--"_s});
    QVERIFY2(server.start({u"--max-connections-per-address"_s, u"0"_s}), qPrintable(server.error()));
    QVERIFY2(server.output().contains(u"the open-file limit allows 64 connections"_s), qPrintable(server.output()));

    std::vector<std::unique_ptr<ChatClient>> admitted;
    for (int i = 0; i < 64; ++i) {
        admitted.push_back(std::make_unique<ChatClient>());
        QVERIFY(admitted.back()->enter(server.tcpPort(), u"fd%1"_s.arg(i)));
    }
    for (int i = 0; i < 10; ++i) {
        ChatClient extra;
        QVERIFY(extra.connectTo(server.tcpPort()));
        QCOMPARE(extra.next().value("code"_L1).toString(), u"server_full"_s);
        QVERIFY(extra.waitForDisconnected());
    }
    admitted.front()->sendRaw(R"({"type":"ping","id":"alive"})" "\n");
    QCOMPARE(admitted.front()->waitFor(u"pong"_s).value("id"_L1).toString(), u"alive"_s);
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
