// GET /metrics against a real server: the Prometheus text parses, and each
// figure moves when it should.

#include "chatclient.h"
#include "serverprocess.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Scrape
{
    int status = 0;
    QByteArray contentType;
    QHash<QString, double> samples; // "name{labels}" -> value
};

// One GET /metrics, parsed; every line must be a comment or a sample.
Scrape scrape(quint16 port)
{
    Scrape result;
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(10'000))
        return result;
    socket.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    QByteArray response;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(10'000))
        response += socket.readAll();
    response += socket.readAll();
    const qsizetype headEnd = response.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return result;
    const QList<QByteArray> head = response.left(headEnd).split('\n');
    result.status = head.first().split(' ').value(1).toInt();
    for (const QByteArray &line : head) {
        if (line.toLower().startsWith("content-type:"))
            result.contentType = line.mid(13).trimmed();
    }
    if (result.status != 200)
        return result;
    static const QRegularExpression sampleLine(u"^([a-z_]+(?:\\{[^}]*\\})?) (\\S+)$"_s);
    for (const QByteArray &line : response.mid(headEnd + 4).split('\n')) {
        if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE "))
            continue;
        const auto match = sampleLine.match(QString::fromUtf8(line));
        if (!match.hasMatch()) {
            result.status = -1; // not the text format
            return result;
        }
        result.samples.insert(match.captured(1), match.captured(2).toDouble());
    }
    return result;
}

double value(quint16 port, const QString &name)
{
    return scrape(port).samples.value(name, -1);
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void format();
    void connectionsAndMessages();
    void refusedWhenFull();
    void onlyAllowedAddresses_data();
    void onlyAllowedAddresses();

private:
    ServerProcess m_server;
};

void TestMetrics::initTestCase()
{
    QVERIFY2(m_server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(m_server.error()));
}

void TestMetrics::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

void TestMetrics::format()
{
    const Scrape first = scrape(m_server.httpPort());
    QCOMPARE(first.status, 200);
    QCOMPARE(first.contentType, QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    for (const char *name : {"confab_connections{transport=\"tcp\"}", "confab_users", "confab_rooms",
                             "confab_messages_stored_total", "confab_messages_delivered_total",
                             "confab_received_bytes_total", "confab_sent_bytes_total",
                             "confab_connections_refused_total{reason=\"server_full\"}", "confab_send_queue_bytes",
                             "confab_storage_commit_seconds_count", "confab_storage_commit_seconds_bucket{le=\"+Inf\"}",
                             "process_resident_memory_bytes", "process_open_fds"})
        QVERIFY2(first.samples.contains(QLatin1String(name)), name);
    QVERIFY(first.samples.value(u"process_resident_memory_bytes"_s) > 1'000'000);
}

void TestMetrics::connectionsAndMessages()
{
    const quint16 port = m_server.httpPort();
    const double storedBefore = value(port, u"confab_messages_stored_total"_s);
    const double deliveredBefore = value(port, u"confab_messages_delivered_total"_s);
    const double bytesBefore = value(port, u"confab_received_bytes_total"_s);
    const double commitsBefore = value(port, u"confab_storage_commit_seconds_count"_s);
    QCOMPARE(value(port, u"confab_connections{transport=\"tcp\"}"_s), 0.0);

    std::vector<std::unique_ptr<ChatClient>> clients;
    for (const QString &nick : {u"m_one"_s, u"m_two"_s, u"m_three"_s}) {
        clients.push_back(std::make_unique<ChatClient>());
        QVERIFY(clients.back()->enter(m_server.tcpPort(), nick, {u"stats"_s}));
    }
    QCOMPARE(value(port, u"confab_connections{transport=\"tcp\"}"_s), 3.0);
    QCOMPARE(value(port, u"confab_users"_s), 3.0);

    for (int i = 0; i < 5; ++i)
        clients[0]->send({{u"type"_s, u"say"_s}, {u"room"_s, u"stats"_s}, {u"text"_s, u"counted %1"_s.arg(i)}});
    for (const auto &client : clients) {
        for (int i = 0; i < 5; ++i)
            QCOMPARE(client->waitFor(u"message"_s).value(u"text"_s).toString(), u"counted %1"_s.arg(i));
    }
    QCOMPARE(value(port, u"confab_messages_stored_total"_s), storedBefore + 5);
    QCOMPARE(value(port, u"confab_messages_delivered_total"_s), deliveredBefore + 15);
    QVERIFY(value(port, u"confab_received_bytes_total"_s) > bytesBefore + 5 * 40);
    QVERIFY(value(port, u"confab_storage_commit_seconds_count"_s) > commitsBefore);

    const double quitsBefore = qMax(0.0, value(port, u"confab_connections_closed_total{reason=\"quit\"}"_s));
    clients[2]->send({{u"type"_s, u"quit"_s}});
    QVERIFY(clients[2]->waitForDisconnected());
    QTRY_COMPARE_WITH_TIMEOUT(value(port, u"confab_connections_closed_total{reason=\"quit\"}"_s), quitsBefore + 1,
                              10'000);
    QCOMPARE(value(port, u"confab_connections{transport=\"tcp\"}"_s), 2.0);
}

void TestMetrics::refusedWhenFull()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--max-connections"_s, u"2"_s}), qPrintable(server.error()));
    ChatClient first;
    ChatClient second;
    QVERIFY(first.enter(server.tcpPort(), u"first"_s));
    QVERIFY(second.enter(server.tcpPort(), u"second"_s));
    ChatClient third;
    QVERIFY(third.connectTo(server.tcpPort()));
    QCOMPARE(third.next().value(u"code"_s).toString(), u"server_full"_s);

    // The scrape needs a connection too: make room, and count any scrape
    // that was itself turned away.
    second.send({{u"type"_s, u"quit"_s}});
    QVERIFY(second.waitForDisconnected());
    int turnedAway = 0;
    Scrape result;
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                result = scrape(server.httpPort());
                if (result.status == 503)
                    ++turnedAway;
                return result.status == 200;
            }(),
            10'000);
    QCOMPARE(result.samples.value(u"confab_connections_refused_total{reason=\"server_full\"}"_s), 1.0 + turnedAway);
    QCOMPARE(server.stop(), 0);
}

void TestMetrics::onlyAllowedAddresses_data()
{
    QTest::addColumn<QString>("allow");
    QTest::addColumn<int>("status");

    QTest::newRow("another network") << u"10.0.0.0/8"_s << 403;
    QTest::newRow("this address") << u"127.0.0.1"_s << 200;
    QTest::newRow("a list") << u"192.168.0.0/16, 127.0.0.0/8"_s << 200;
    QTest::newRow("IPv6 only") << u"::1/128"_s << 403;
}

void TestMetrics::onlyAllowedAddresses()
{
    QFETCH(QString, allow);
    QFETCH(int, status);
    ServerProcess server;
    QVERIFY2(server.start({u"--metrics-allow"_s, allow}), qPrintable(server.error()));
    QCOMPARE(scrape(server.httpPort()).status, status);
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
