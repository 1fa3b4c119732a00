// Finding servers on the LAN, as the connect dialog does, but only ever on
// loopback: real servers answer, a fake one answers nonsense.

#include "serverfinder.h"
#include "serverprocess.h"

#include <QNetworkDatagram>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Answers every datagram with what it is given: nonsense, for the finder
// to ignore.
struct FakeServer
{
    QUdpSocket socket;
    QList<QByteArray> answers;
    FakeServer()
    {
        socket.bind(QHostAddress::LocalHost, 0);
        QObject::connect(&socket, &QUdpSocket::readyRead, [this] {
            while (socket.hasPendingDatagrams()) {
                const QNetworkDatagram asked = socket.receiveDatagram();
                for (const QByteArray &answer : std::as_const(answers))
                    socket.writeDatagram(answer, asked.senderAddress(), quint16(asked.senderPort()));
            }
        });
    }
};

bool lookAndWait(ServerFinder &finder)
{
    QSignalSpy done(&finder, &ServerFinder::lookingChanged);
    finder.look();
    return QTest::qWaitFor([&] { return !finder.isLooking(); }, 10'000);
}

} // namespace

class TestServerFinder : public QObject
{
    Q_OBJECT

private slots:
    void parseTarget_data();
    void parseTarget();
    void targetsFromTheEnvironment();
    void findsServersAndIgnoresNonsense();
    void dropsServersThatStopAnswering();
};

void TestServerFinder::parseTarget_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("address"); // "" invalid
    QTest::addColumn<int>("port");

    QTest::newRow("address") << u"127.0.0.1"_s << u"127.0.0.1"_s << 7702;
    QTest::newRow("address and port") << u"127.0.0.1:17702"_s << u"127.0.0.1"_s << 17702;
    QTest::newRow("broadcast") << u" 192.168.1.255 "_s << u"192.168.1.255"_s << 7702;
    QTest::newRow("IPv6") << u"::1"_s << u"::1"_s << 7702;
    QTest::newRow("a name") << u"example.org"_s << QString() << 0;
    QTest::newRow("bad port") << u"127.0.0.1:99999"_s << QString() << 0;
}

void TestServerFinder::parseTarget()
{
    QFETCH(QString, text);
    QFETCH(QString, address);
    QFETCH(int, port);
    const auto target = ServerFinder::parseTarget(text);
    QCOMPARE(target.has_value(), !address.isEmpty());
    if (!target)
        return;
    QCOMPARE(target->address.toString(), address);
    QCOMPARE(int(target->port), port);
}

void TestServerFinder::targetsFromTheEnvironment()
{
    // CTest sets CONFAB_DISCOVERY_TARGETS=127.0.0.1 for every test: no test
    // ever asks a real network.
    const QList<ServerFinder::Target> targets = ServerFinder::defaultTargets();
    QVERIFY(!targets.isEmpty());
    for (const ServerFinder::Target &target : targets)
        QVERIFY2(target.address.isLoopback(), qPrintable(target.address.toString()));
}

void TestServerFinder::findsServersAndIgnoresNonsense()
{
    const quint16 port = ServerProcess::freeUdpPort();
    ServerProcess server;
    QVERIFY2(server.start({u"--discovery-port"_s, QString::number(port), u"--name"_s, u"Lab"_s}),
             qPrintable(server.error()));
    FakeServer fake;
    fake.answers = {QByteArray("not json"), QByteArray(R"({"type":"server","name":"No port","tcp":0,"http":1})"),
                    QByteArray(R"({"type":"hello"})"), QByteArray(600, '{')};

    ServerFinder finder;
    finder.setTargets({{QHostAddress(QHostAddress::LocalHost), port},
                       {QHostAddress(QHostAddress::LocalHost), fake.socket.localPort()}});
    QVERIFY(lookAndWait(finder));
    QCOMPARE(finder.rowCount(), 1);
    const ServerFinder::Server *found = finder.serverAt(0);
    QCOMPARE(found->name, u"Lab"_s);
    QCOMPARE(found->tcpPort, server.tcpPort());
    QCOMPARE(found->connectAddress(), u"127.0.0.1:%1"_s.arg(server.tcpPort()));
    QCOMPARE(finder.index(0, ServerFinder::Name).data().toString(), u"Lab"_s);
    QVERIFY(finder.index(0, ServerFinder::People).data().toString().contains(u"0 online"_s));
    QCOMPARE(server.stop(), 0);
}

void TestServerFinder::dropsServersThatStopAnswering()
{
    const quint16 firstPort = ServerProcess::freeUdpPort();
    const quint16 secondPort = ServerProcess::freeUdpPort();
    ServerProcess first;
    ServerProcess second;
    QVERIFY2(first.start({u"--discovery-port"_s, QString::number(firstPort), u"--name"_s, u"Stays"_s}),
             qPrintable(first.error()));
    QVERIFY2(second.start({u"--discovery-port"_s, QString::number(secondPort), u"--name"_s, u"Goes"_s}),
             qPrintable(second.error()));
    ServerFinder finder;
    finder.setTargets({{QHostAddress(QHostAddress::LocalHost), firstPort},
                       {QHostAddress(QHostAddress::LocalHost), secondPort}});
    QVERIFY(lookAndWait(finder));
    QCOMPARE(finder.rowCount(), 2);

    QCOMPARE(second.stop(), 0);
    // The answer window (1.5 s) is longer than a server's one answer a
    // second: the next look is answered by whoever is still there.
    QVERIFY(lookAndWait(finder));
    QCOMPARE(finder.rowCount(), 1);
    QCOMPARE(finder.serverAt(0)->name, u"Stays"_s);
    QCOMPARE(first.stop(), 0);
}

QTEST_GUILESS_MAIN(TestServerFinder)
#include "tst_serverfinder.moc"
