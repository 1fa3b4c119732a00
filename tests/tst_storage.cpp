// History and seq in SQLite: across restarts, across kill -9, and when the
// database cannot be used.

#include "chatclient.h"
#include "serverprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString type(const QJsonObject &message)
{
    return message.value("type"_L1).toString();
}

// Says each text in `room` and returns the seqs the echoes carried.
QList<int> say(ChatClient &client, const QString &room, const QStringList &texts)
{
    QList<int> seqs;
    for (const QString &text : texts) {
        client.send({{u"type"_s, u"say"_s}, {u"room"_s, room}, {u"text"_s, text}});
        seqs << client.waitFor(u"message"_s).value("seq"_L1).toInt();
    }
    return seqs;
}

QStringList texts(const QJsonArray &messages)
{
    QStringList out;
    for (const QJsonValue &value : messages)
        out << value.toObject().value("text"_L1).toString();
    return out;
}

} // namespace

class TestStorage : public QObject
{
    Q_OBJECT

private slots:
    void historySurvivesRestart();
    void echoedMessagesSurviveKill();
    void seqNeverReused();
    void memoryDatabaseKeepsNothing();
    void unusableDatabase_data();
    void unusableDatabase();
};

void TestStorage::historySurvivesRestart()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    {
        ChatClient alice;
        QVERIFY(alice.enter(server.tcpPort(), u"alice"_s, {u"Keep"_s}));
        QCOMPARE(say(alice, u"keep"_s, {u"one"_s, u"two"_s, u"three"_s}), QList<int>({1, 2, 3}));
        alice.send({{u"type"_s, u"topic"_s}, {u"room"_s, u"keep"_s}, {u"topic"_s, u"kept topic"_s}});
        QVERIFY(!alice.waitFor(u"topic_changed"_s).isEmpty());
    }
    QCOMPARE(server.stop(), 0);

    QVERIFY2(server.start(), qPrintable(server.error()));
    ChatClient bob;
    QVERIFY(bob.enter(server.tcpPort(), u"bob"_s));
    const QJsonObject joined = bob.join(u"KEEP"_s);
    QCOMPARE(joined.value("room"_L1).toString(), u"Keep"_s); // as first created
    QCOMPARE(joined.value("topic"_L1).toString(), u"kept topic"_s);
    QCOMPARE(texts(joined.value("history"_L1).toArray()), QStringList({u"one"_s, u"two"_s, u"three"_s}));
    QCOMPARE(say(bob, u"keep"_s, {u"four"_s}), QList<int>({4}));
    QCOMPARE(server.stop(), 0);
}

void TestStorage::echoedMessagesSurviveKill()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(server.error()));
    ChatClient alice;
    QVERIFY(alice.enter(server.tcpPort(), u"alice"_s, {u"lobby"_s}));
    QStringList sent;
    for (int i = 0; i < 50; ++i)
        sent << u"message %1"_s.arg(i);
    // Pipelined, so that the kill lands while the server is busy; every
    // message whose echo arrived must be there after the restart.
    QByteArray burst;
    for (const QString &text : sent)
        burst += R"({"type":"say","room":"lobby","text":")" + text.toUtf8() + "\"}\n";
    alice.sendRaw(burst);
    QStringList echoed;
    for (int i = 0; i < 20; ++i)
        echoed << alice.waitFor(u"message"_s).value("text"_L1).toString();
    server.kill();
    for (const QJsonObject &message : alice.takePending()) {
        if (type(message) == u"message"_s)
            echoed << message.value("text"_L1).toString();
    }

    QVERIFY2(server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(server.error()));
    ChatClient reader;
    QVERIFY(reader.enter(server.tcpPort(), u"reader"_s));
    reader.send({{u"type"_s, u"history"_s}, {u"room"_s, u"lobby"_s}, {u"limit"_s, 200}});
    const QStringList stored = texts(reader.waitFor(u"history_page"_s).value("messages"_L1).toArray());
    QVERIFY(stored.size() >= echoed.size());
    for (const QString &text : echoed)
        QVERIFY2(stored.contains(text), qPrintable(text));
    // seq carries on after the last stored message.
    QVERIFY(!reader.join(u"lobby"_s).isEmpty());
    QCOMPARE(say(reader, u"lobby"_s, {u"after the crash"_s}), QList<int>({int(stored.size()) + 1}));
    QCOMPARE(server.stop(), 0);
}

void TestStorage::seqNeverReused()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    for (int round = 0; round < 2; ++round) {
        ChatClient client;
        QVERIFY(client.enter(server.tcpPort(), u"visitor%1"_s.arg(round), {u"transient"_s}));
        QCOMPARE(say(client, u"transient"_s, {u"a"_s, u"b"_s}), QList<int>({round * 2 + 1, round * 2 + 2}));
        client.send({{u"type"_s, u"leave"_s}, {u"room"_s, u"transient"_s}});
        QVERIFY(!client.waitFor(u"left"_s).isEmpty());
        // The room is now empty and gone; its numbering is not.
    }
    QCOMPARE(server.stop(), 0);
}

void TestStorage::memoryDatabaseKeepsNothing()
{
    ServerProcess server;
    server.setDatabasePath(u":memory:"_s);
    for (int round = 0; round < 2; ++round) {
        QVERIFY2(server.start(), qPrintable(server.error()));
        ChatClient client;
        QVERIFY(client.enter(server.tcpPort(), u"forgetful"_s));
        QVERIFY(client.join(u"lobby"_s).value("history"_L1).toArray().isEmpty());
        QCOMPARE(say(client, u"lobby"_s, {u"gone soon"_s}), QList<int>({1}));
        QCOMPARE(server.stop(), 0);
    }
    QVERIFY(!QFile::exists(u":memory:"_s));
}

void TestStorage::unusableDatabase_data()
{
    QTest::addColumn<QString>("setup");
    QTest::newRow("directory") << u"directory"_s;
    QTest::newRow("not sqlite") << u"garbage"_s;
    QTest::newRow("parent is a file") << u"under-file"_s;
}

void TestStorage::unusableDatabase()
{
    QFETCH(QString, setup);
    QTemporaryDir dir;
    QString path = dir.filePath(u"db"_s);
    if (setup == u"directory"_s) {
        QVERIFY(QDir().mkpath(path));
    } else if (setup == u"garbage"_s) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
    } else {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        path += u"/history.db"_s;
    }
    QProcess process;
    process.start(ServerProcess::binary(), {u"--tcp-port"_s, u"0"_s, u"--http-port"_s, u"0"_s, u"--db"_s, path});
    QVERIFY(process.waitForFinished(20'000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    const QByteArray error = process.readAllStandardError().trimmed();
    QVERIFY2(error.startsWith("confab-server: "), error.constData());
    QCOMPARE(error.count('\n'), 0);
}

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
