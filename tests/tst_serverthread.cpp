// "Host on this computer": a whole server on a thread of the desktop
// client's process, found on loopback by discovery, talked to by a client
// and by a Python program, stopped and hosted again with its history.

#include "chatclient.h"
#include "serverfinder.h"
#include "serverprocess.h"
#include "serverthread.h"

#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// A Python program that finds the server by discovery and says something.
const char *PythonClient = R"(
import json, socket, sys
port = int(sys.argv[1])
ask = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ask.settimeout(10)
ask.bind(("127.0.0.5", 0))
ask.sendto(b'{"type":"discover","protocol":1}', ("127.0.0.1", port))
answer = json.loads(ask.recv(512))
assert answer["type"] == "server", answer
chat = socket.create_connection(("127.0.0.1", answer["tcp"]), timeout=10)
reader = chat.makefile("rb")
def send(message):
    chat.sendall(json.dumps(message).encode() + b"\n")
def wait(kind):
    while True:
        message = json.loads(reader.readline())
        if message["type"] == kind or message["type"] == "error":
            return message
send({"type": "hello", "nick": "python"})
assert wait("welcome")["type"] == "welcome"
send({"type": "join", "room": "lan"})
assert wait("joined")["type"] == "joined"
send({"type": "say", "room": "lan", "text": "hello from python"})
assert wait("message")["text"] == "hello from python"
print("found", answer["name"])
)";

} // namespace

class TestServerThread : public QObject
{
    Q_OBJECT

private slots:
    void hostFindChatAndHostAgain();
    void failureIsReported();

private:
    QTemporaryDir m_dir;
};

void TestServerThread::hostFindChatAndHostAgain()
{
    ServerConfig config;
    config.tcpPort = 0;
    config.httpPort = 0;
    config.bind = QHostAddress::LocalHost;
    config.databasePath = m_dir.filePath(u"hosted.db"_s);
    config.discoveryPort = ServerProcess::freeUdpPort();
    config.displayName = u"Alice's computer"_s;
    config.motd = u"Hosted from a desktop"_s;

    ServerThread host;
    QSignalSpy started(&host, &ServerThread::started);
    host.start(config);
    QVERIFY(started.wait(20'000));
    QVERIFY(host.tcpPort() != 0);
    QCOMPARE(host.discoveryPort(), config.discoveryPort);

    // Another client finds it the way the connect dialog does.
    ServerFinder finder;
    finder.setTargets({{QHostAddress(QHostAddress::LocalHost), config.discoveryPort}});
    finder.look();
    QTRY_COMPARE_WITH_TIMEOUT(finder.rowCount(), 1, 10'000);
    QCOMPARE(finder.serverAt(0)->name, u"Alice's computer"_s);
    QCOMPARE(finder.serverAt(0)->tcpPort, host.tcpPort());

    ChatClient colleague;
    QVERIFY(colleague.enter(finder.serverAt(0)->tcpPort, u"colleague"_s, {u"lan"_s}));
    QSignalSpy users(&host, &ServerThread::usersChanged);
    QTRY_COMPARE_WITH_TIMEOUT(host.users(), 1, 10'000);

    // And a program in another language, over TCP.
    QProcess python;
    python.start(u"python3"_s, {u"-c"_s, QString::fromUtf8(PythonClient), QString::number(config.discoveryPort)});
    QVERIFY(python.waitForFinished(30'000));
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    QCOMPARE(python.readAllStandardOutput().trimmed(), QByteArray("found Alice's computer"));
    QCOMPARE(colleague.waitFor(u"message"_s).value(u"text"_s).toString(), u"hello from python"_s);

    // Closing tells everyone, and ends the thread.
    QSignalSpy stopped(&host, &ServerThread::stopped);
    host.stop();
    QVERIFY(stopped.wait(20'000));
    QCOMPARE(colleague.waitFor(u"closing"_s).value(u"reason"_s).toString(), u"server shutting down"_s);
    QVERIFY(!host.isRunning());

    // Hosting again: the history is still there.
    QSignalSpy startedAgain(&host, &ServerThread::started);
    host.start(config);
    QVERIFY(startedAgain.wait(20'000));
    ChatClient later;
    QVERIFY(later.connectTo(host.tcpPort()));
    QVERIFY(later.login(u"later"_s));
    const QJsonObject joined = later.join(u"lan"_s);
    const QJsonArray history = joined.value(u"history"_s).toArray();
    QVERIFY(!history.isEmpty());
    QCOMPARE(history.last().toObject().value(u"text"_s).toString(), u"hello from python"_s);
}

void TestServerThread::failureIsReported()
{
    ServerConfig config;
    config.bind = QHostAddress::LocalHost;
    config.discoveryPort = 0;
    config.databasePath = u"/proc/no-such-place/hosted.db"_s;
    ServerThread host;
    QSignalSpy failed(&host, &ServerThread::failed);
    host.start(config);
    QVERIFY(failed.wait(20'000));
    QVERIFY(!failed.first().first().toString().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!host.isRunning(), 10'000);
}

QTEST_GUILESS_MAIN(TestServerThread)
#include "tst_serverthread.moc"
