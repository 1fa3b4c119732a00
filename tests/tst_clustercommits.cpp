// Commits from several servers at once, on one PostgreSQL: each server's
// commit takes the row of every room it numbers a message in, and two
// servers that took the same rooms' rows in different orders deadlocked
// (PostgreSQL aborts one of them: its messages were refused with
// storage_failed). Three servers, each with clients in the same many rooms,
// all saying things at once: every message is stored and delivered, nothing
// refused.

#include "backingservices.h"
#include "chatclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TestClusterCommits : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void manyRoomsAtOnceNeverRefused_data();
    void manyRoomsAtOnceNeverRefused();

private:
    PostgresProcess m_postgres;
    RedisProcess m_redis;
};

void TestClusterCommits::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.error()));
}

void TestClusterCommits::manyRoomsAtOnceNeverRefused_data()
{
    QTest::addColumn<int>("rooms");
    QTest::addColumn<int>("rounds");
    // Each round, every client says one thing in every room, in its own
    // order: one commit of each server then holds many rooms.
    QTest::newRow("12 rooms") << 12 << 15;
    QTest::newRow("40 rooms") << 40 << 5;
}

void TestClusterCommits::manyRoomsAtOnceNeverRefused()
{
    QFETCH(int, rooms);
    QFETCH(int, rounds);
    constexpr int Servers = 3;
    constexpr int ClientsPerServer = 3;
    const QString tag = QString::number(rooms);

    std::vector<std::unique_ptr<ServerProcess>> servers;
    std::vector<std::unique_ptr<ChatClient>> clients;
    for (int s = 0; s < Servers; ++s) {
        auto server = std::make_unique<ServerProcess>();
        server->setDatabasePath(m_postgres.url());
        QVERIFY2(server->start({u"--redis"_s, m_redis.address(), u"--flood-rate"_s, u"0"_s}),
                 qPrintable(server->error()));
        for (int c = 0; c < ClientsPerServer; ++c) {
            auto client = std::make_unique<ChatClient>();
            QVERIFY(client->connectTo(server->tcpPort()));
            QVERIFY(client->login(u"c%1s%2r%3"_s.arg(c).arg(s).arg(tag)));
            for (int r = 0; r < rooms; ++r) {
                const QJsonObject joined = client->ask(u"join"_s, {{"room"_L1, u"r%1of%2"_s.arg(r).arg(tag)}},
                                                       u"joined"_s);
                QCOMPARE(ChatClient::outcome(joined), u"joined"_s);
            }
            clients.push_back(std::move(client));
        }
        servers.push_back(std::move(server));
    }
    for (auto &client : clients)
        client->takePending(); // the joins of the others

    for (int round = 0; round < rounds; ++round) {
        for (size_t i = 0; i < clients.size(); ++i) {
            for (int r = 0; r < rooms; ++r) {
                // Each client walks the rooms from another starting point.
                const int room = int((size_t(r) + i * 5) % size_t(rooms));
                clients[i]->send({{"type"_L1, "say"_L1},
                                  {"room"_L1, u"r%1of%2"_s.arg(room).arg(tag)},
                                  {"text"_L1, u"%1/%2"_s.arg(round).arg(i)},
                                  {"id"_L1, round * rooms + r + 1}});
            }
        }
    }

    // Every client hears every message of every room once, in seq order
    // (its own as answers), and no request is refused.
    const qsizetype perRoom = qsizetype(clients.size()) * rounds;
    const qsizetype expected = perRoom * rooms;
    std::vector<QHash<QString, QList<qint64>>> heard(clients.size());
    std::vector<qsizetype> count(clients.size());
    QStringList refusals;
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (size_t i = 0; i < clients.size(); ++i) {
                    for (const QJsonObject &frame : clients[i]->takePending()) {
                        const QString type = frame.value("type"_L1).toString();
                        if (type == "message"_L1) {
                            heard[i][frame.value("room"_L1).toString()].append(frame.value("seq"_L1).toInteger());
                            ++count[i];
                        } else if (type == "error"_L1) {
                            refusals.append(frame.value("code"_L1).toString());
                        }
                    }
                }
                return !refusals.isEmpty()
                       || std::all_of(count.begin(), count.end(), [&](qsizetype n) { return n >= expected; });
            }(),
            120'000);
    QVERIFY2(refusals.isEmpty(), qPrintable(u"%1 refused, first: %2"_s.arg(refusals.size()).arg(refusals.value(0))));
    QList<qint64> oneToLast;
    for (qint64 seq = 1; seq <= perRoom; ++seq)
        oneToLast.append(seq);
    for (size_t i = 0; i < clients.size(); ++i) {
        QCOMPARE(heard[i].size(), rooms);
        for (auto it = heard[i].cbegin(); it != heard[i].cend(); ++it)
            QCOMPARE(it.value(), oneToLast);
    }
}

QTEST_GUILESS_MAIN(TestClusterCommits)
#include "tst_clustercommits.moc"
