// LAN discovery (protocol section 14) against real servers, on loopback
// only: the answer, its size, one answer a second per source address,
// silence for anything else, and port 0 turning it off.

#include "discoveryresponder.h"
#include "serverprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkDatagram>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

using namespace Qt::StringLiterals;

namespace {

const QByteArray Discover = R"({"type":"discover","protocol":1})";

// A socket on `source`, that sends and collects answers.
struct Asker
{
    QUdpSocket socket;
    explicit Asker(const QString &source = u"127.0.0.1"_s) { socket.bind(QHostAddress(source), 0); }
    void ask(quint16 port, const QByteArray &datagram = Discover)
    {
        socket.writeDatagram(datagram, QHostAddress::LocalHost, port);
    }
    // The next answer, or an empty object if none comes within `ms`.
    QJsonObject answer(int ms = 5'000)
    {
        if (!socket.hasPendingDatagrams()) {
            QSignalSpy ready(&socket, &QUdpSocket::readyRead);
            if (!ready.wait(ms) && !socket.hasPendingDatagrams())
                return {};
        }
        const QNetworkDatagram datagram = socket.receiveDatagram();
        lastSize = datagram.data().size();
        return QJsonDocument::fromJson(datagram.data()).object();
    }
    qsizetype lastSize = 0;
};

} // namespace

class TestDiscovery : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void answersDiscover();
    void oneAnswerASecondPerAddress();
    void ignoresEverythingElse_data();
    void ignoresEverythingElse();
    void longNamesStillFit();
    void portZeroTurnsItOff();
    void twoServersBothFound();

private:
    ServerProcess m_server;
    quint16 m_port = 0;
};

void TestDiscovery::initTestCase()
{
    m_port = ServerProcess::freeUdpPort();
    QVERIFY2(m_server.start({u"--discovery-port"_s, QString::number(m_port), u"--name"_s, u"Design team"_s,
                             u"--password"_s, u"sesame"_s}),
             qPrintable(m_server.error()));
}

void TestDiscovery::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

void TestDiscovery::answersDiscover()
{
    Asker asker;
    asker.ask(m_port);
    const QJsonObject answer = asker.answer();
    QCOMPARE(answer.value(u"type"_s).toString(), u"server"_s);
    QCOMPARE(answer.value(u"name"_s).toString(), u"Design team"_s);
    QCOMPARE(answer.value(u"tcp"_s).toInt(), int(m_server.tcpPort()));
    QCOMPARE(answer.value(u"http"_s).toInt(), int(m_server.httpPort()));
    QCOMPARE(answer.value(u"tls"_s).toBool(true), false);
    QCOMPARE(answer.value(u"password"_s).toBool(false), true);
    QCOMPARE(answer.value(u"users"_s).toInt(-1), 0);
    QVERIFY(answer.value(u"rooms"_s).toInt() >= 1); // the lobby
    QVERIFY(answer.value(u"version"_s).toString().startsWith(u"confab-server/"_s));
    QVERIFY(!answer.contains(u"fingerprint"_s));
    QVERIFY(asker.lastSize <= 512);
}

void TestDiscovery::oneAnswerASecondPerAddress()
{
    Asker first(u"127.0.0.2"_s);
    first.ask(m_port);
    QVERIFY(!first.answer().isEmpty());
    // Again at once, from the same address (another port too): no answer.
    first.ask(m_port);
    Asker samePlace(u"127.0.0.2"_s);
    samePlace.ask(m_port);
    QVERIFY(first.answer(700).isEmpty());
    QVERIFY(samePlace.answer(300).isEmpty());
    // Another address is answered.
    Asker other(u"127.0.0.3"_s);
    other.ask(m_port);
    QVERIFY(!other.answer().isEmpty());
}

void TestDiscovery::ignoresEverythingElse_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::newRow("garbage") << QByteArray("\x00\xff garbage", 10);
    QTest::newRow("another type") << QByteArray(R"({"type":"hello","nick":"x"})");
    QTest::newRow("another protocol") << QByteArray(R"({"type":"discover","protocol":2})");
    QTest::newRow("protocol as a string") << QByteArray(R"({"type":"discover","protocol":"2"})");
    QTest::newRow("protocol \"1\"") << QByteArray(R"({"type":"discover","protocol":"1"})");
    QTest::newRow("protocol 1.5") << QByteArray(R"({"type":"discover","protocol":1.5})");
    QTest::newRow("protocol null") << QByteArray(R"({"type":"discover","protocol":null})");
    QTest::newRow("an answer") << QByteArray(R"({"type":"server","name":"x"})");
    QTest::newRow("too big") << QByteArray(R"({"type":"discover","protocol":1,"pad":")") + QByteArray(600, 'x')
                                         + QByteArray("\"}");
}

void TestDiscovery::ignoresEverythingElse()
{
    QFETCH(QByteArray, datagram);
    // A fresh address per row, so that the rate limit is not what is seen.
    static int next = 10;
    Asker asker(u"127.0.0.%1"_s.arg(next++));
    asker.ask(m_port, datagram);
    QVERIFY(asker.answer(500).isEmpty());
    // ...and it did not count against the address either.
    asker.ask(m_port);
    QVERIFY(!asker.answer().isEmpty());
}

void TestDiscovery::longNamesStillFit()
{
    DiscoveryResponder::Announcement announcement;
    announcement.name = QString(300, u'é');
    announcement.tcpPort = 7700;
    announcement.httpPort = 7701;
    announcement.tls = true;
    announcement.fingerprint = QString(64, u'a');
    announcement.version = u"confab-server/0.1.0"_s;
    const QByteArray answer = DiscoveryResponder::answer(announcement, 123456, 7890);
    QVERIFY2(answer.size() <= 512, answer.constData());
    const QJsonObject object = QJsonDocument::fromJson(answer).object();
    QCOMPARE(object.value(u"fingerprint"_s).toString(), QString(64, u'a'));
    QVERIFY(object.value(u"name"_s).toString().startsWith(u"éé"_s));
}

void TestDiscovery::portZeroTurnsItOff()
{
    const quint16 port = ServerProcess::freeUdpPort();
    ServerProcess server;
    QVERIFY2(server.start({u"--discovery-port"_s, u"0"_s}), qPrintable(server.error()));
    Asker asker;
    asker.ask(port);
    QVERIFY(asker.answer(500).isEmpty());
    QCOMPARE(server.stop(), 0);
}

void TestDiscovery::twoServersBothFound()
{
    const quint16 otherPort = ServerProcess::freeUdpPort();
    ServerProcess other;
    QVERIFY2(other.start({u"--discovery-port"_s, QString::number(otherPort), u"--name"_s, u"Second"_s}),
             qPrintable(other.error()));
    Asker asker(u"127.0.0.40"_s);
    asker.ask(m_port);
    asker.ask(otherPort);
    QSet<QString> names;
    for (int i = 0; i < 2; ++i)
        names.insert(asker.answer().value(u"name"_s).toString());
    QCOMPARE(names, (QSet<QString>{u"Design team"_s, u"Second"_s}));
    QCOMPARE(other.stop(), 0);
}

QTEST_GUILESS_MAIN(TestDiscovery)
#include "tst_discovery.moc"
