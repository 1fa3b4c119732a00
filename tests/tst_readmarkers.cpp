// Read markers against the real server (docs/protocol.md section 20): an
// account's markers outlive the connection and reach its other sessions; a
// guest's last as long as the connection; bad markers are refused.

#include "chatclient.h"
#include "serverprocess.h"

#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Password = u"correct horse battery"_s;

QString outcome(const QJsonObject &message)
{
    return ChatClient::outcome(message);
}

} // namespace

class TestReadMarkers : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void accountMarkersLastAndFollowTheAccount();
    void guestMarkersLastTheConnection();
    void badMarkers_data();
    void badMarkers();

private:
    // Logged in to account `account` (registered on first use) as `nick`.
    std::unique_ptr<ChatClient> loggedIn(const QString &account, const QString &nick);
    std::unique_ptr<ChatClient> guest(const QString &nick);
    QJsonObject read(ChatClient &client, const QJsonObject &fields);

    ServerProcess m_server;
    QStringList m_registered;
};

void TestReadMarkers::initTestCase()
{
    QVERIFY2(m_server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(m_server.error()));
}

void TestReadMarkers::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

std::unique_ptr<ChatClient> TestReadMarkers::loggedIn(const QString &account, const QString &nick)
{
    auto client = std::make_unique<ChatClient>();
    const bool registering = !m_registered.contains(account);
    if (!client->connectTo(m_server.tcpPort()) || !client->loginToAccount(nick, account, Password, registering))
        return nullptr;
    m_registered << account;
    return client;
}

std::unique_ptr<ChatClient> TestReadMarkers::guest(const QString &nick)
{
    auto client = std::make_unique<ChatClient>();
    if (!client->connectTo(m_server.tcpPort()) || !client->login(nick))
        return nullptr;
    return client;
}

QJsonObject TestReadMarkers::read(ChatClient &client, const QJsonObject &fields)
{
    return client.ask(u"read"_s, fields, u"read_marker"_s);
}

void TestReadMarkers::accountMarkersLastAndFollowTheAccount()
{
    auto bob = guest(u"bob"_s);
    auto phone = loggedIn(u"alice"_s, u"alice"_s);
    QVERIFY(bob && phone);
    auto desk = loggedIn(u"alice"_s, u"alice_desk"_s); // the same account on another device
    QVERIFY(desk);
    for (ChatClient *client : {bob.get(), phone.get(), desk.get()})
        QVERIFY(!client->join(u"den"_s).isEmpty());
    QVERIFY(!phone->join(u"den"_s).contains(u"read"_s));
    for (int i = 1; i <= 5; ++i)
        QVERIFY(!bob->ask(u"say"_s, {{u"room"_s, u"den"_s}, {u"text"_s, u"m%1"_s.arg(i)}}, u"message"_s).isEmpty());

    // Read on the phone: the answer, and the desk hears it too.
    const QJsonObject answer = read(*phone, {{u"room"_s, u"den"_s}, {u"seq"_s, 3}});
    QCOMPARE(outcome(answer), u"read_marker"_s);
    QCOMPARE(answer.value("seq"_L1).toInteger(), 3);
    const QJsonObject followed = desk->waitFor(u"read_marker"_s);
    QCOMPARE(followed.value("room"_L1).toString(), u"den"_s);
    QCOMPARE(followed.value("seq"_L1).toInteger(), 3);
    // Never backwards: an older seq answers where the marker is.
    QCOMPARE(read(*phone, {{u"room"_s, u"den"_s}, {u"seq"_s, 2}}).value("seq"_L1).toInteger(), 3);

    // A private conversation's marker comes with its history.
    for (int i = 1; i <= 2; ++i)
        QVERIFY(!bob->ask(u"whisper"_s, {{u"to"_s, u"alice"_s}, {u"text"_s, u"p%1"_s.arg(i)}}, u"private"_s).isEmpty());
    QCOMPARE(read(*phone, {{u"with"_s, u"bob"_s}, {u"seq"_s, 2}}).value("seq"_L1).toInteger(), 2);

    // Logged in again later, on a new connection: the markers are there.
    QVERIFY(phone->quit() && desk->quit());
    auto later = loggedIn(u"alice"_s, u"alice"_s);
    QVERIFY(later);
    QCOMPARE(later->join(u"den"_s).value("read"_L1).toInteger(), 3);
    const QJsonObject page = later->ask(u"private_history"_s, {{u"with"_s, u"bob"_s}}, u"private_page"_s);
    QCOMPARE(page.value("read"_L1).toInteger(), 2);
}

void TestReadMarkers::guestMarkersLastTheConnection()
{
    auto talker = guest(u"talker"_s);
    auto reader = guest(u"reader"_s);
    QVERIFY(talker && reader);
    QVERIFY(!talker->join(u"porch"_s).isEmpty());
    QVERIFY(!reader->join(u"porch"_s).isEmpty());
    for (int i = 1; i <= 3; ++i)
        QVERIFY(!talker->ask(u"say"_s, {{u"room"_s, u"porch"_s}, {u"text"_s, u"t%1"_s.arg(i)}}, u"message"_s).isEmpty());
    QCOMPARE(read(*reader, {{u"room"_s, u"porch"_s}, {u"seq"_s, 2}}).value("seq"_L1).toInteger(), 2);
    QCOMPARE(outcome(reader->ask(u"leave"_s, {{u"room"_s, u"porch"_s}}, u"left"_s)), u"left"_s);
    QCOMPARE(reader->join(u"porch"_s).value("read"_L1).toInteger(), 2);

    QVERIFY(reader->quit());
    auto again = guest(u"reader"_s);
    QVERIFY(again);
    QVERIFY(!again->join(u"porch"_s).contains(u"read"_s));
}

void TestReadMarkers::badMarkers_data()
{
    QTest::addColumn<QJsonObject>("fields");
    QTest::addColumn<QString>("expected");

    QTest::newRow("room and with") << QJsonObject{{u"room"_s, u"den"_s}, {u"with"_s, u"bob"_s}, {u"seq"_s, 1}}
                                   << u"bad_request"_s;
    QTest::newRow("neither") << QJsonObject{{u"seq"_s, 1}} << u"bad_request"_s;
    QTest::newRow("a room one is not in") << QJsonObject{{u"room"_s, u"elsewhere"_s}, {u"seq"_s, 1}}
                                          << u"not_in_room"_s;
    QTest::newRow("past the last message") << QJsonObject{{u"room"_s, u"den"_s}, {u"seq"_s, 9999}}
                                           << u"bad_request"_s;
    QTest::newRow("a conversation never had") << QJsonObject{{u"with"_s, u"nobody"_s}, {u"seq"_s, 1}}
                                              << u"bad_request"_s;
}

void TestReadMarkers::badMarkers()
{
    QFETCH(QJsonObject, fields);
    QFETCH(QString, expected);
    static int serial = 0;
    auto client = guest(u"picky%1"_s.arg(++serial));
    QVERIFY(client);
    QVERIFY(!client->join(u"den"_s).isEmpty());
    QCOMPARE(outcome(read(*client, fields)), expected);
}

QTEST_GUILESS_MAIN(TestReadMarkers)
#include "tst_readmarkers.moc"
