// SqliteStore on a real database file: what the chat service relies on, and
// the write-ahead log kept in bounds by the checkpoint thread.

#include "sqlitestore.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Confab::Protocol::ChatMessage;

class TestSqliteStore : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void logStaysBoundedUnderSteadyCommits();
};

void TestSqliteStore::roundTrip_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("file") << u"history.db"_s;
    QTest::newRow("memory") << u":memory:"_s;
}

void TestSqliteStore::roundTrip()
{
    QFETCH(QString, path);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = path == ":memory:"_L1 ? path : dir.filePath(path);
    QString error;
    {
        auto store = SqliteStore::open(database, &error);
        QVERIFY2(store, qPrintable(error));
        QVERIFY(!store->loadRoom(u"lobby"_s));
        for (int seq = 1; seq <= 3; ++seq)
            store->appendMessage(u"lobby"_s, u"Lobby"_s, ChatMessage{u"Lobby"_s, u"ann"_s, u"m%1"_s.arg(seq), 1000, seq, std::nullopt});
        store->saveTopic(u"lobby"_s, u"Lobby"_s, u"welcome"_s);
        QVERIFY(store->hasPending());
        QVERIFY2(store->commit(&error), qPrintable(error));
        store->maintain();
        QVERIFY(!store->hasPending());

        const auto room = store->loadRoom(u"lobby"_s);
        QVERIFY(room);
        QCOMPARE(room->name, u"Lobby"_s);
        QCOMPARE(room->topic, u"welcome"_s);
        QCOMPARE(room->lastSeq, 3);
        const QList<ChatMessage> page = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, qint64(1), 50});
        QCOMPARE(page.size(), 2);
        QCOMPARE(page.at(0).text, u"m2"_s);
        QCOMPARE(page.at(1).seq, 3);
    }
    if (database == ":memory:"_L1)
        return;
    // Reopened: everything committed is there, and the log was folded in.
    QVERIFY(!QFileInfo::exists(database + "-wal"_L1) || QFileInfo(database + "-wal"_L1).size() == 0);
    auto again = SqliteStore::open(database, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->loadRoom(u"lobby"_s)->lastSeq, 3);
}

void TestSqliteStore::logStaysBoundedUnderSteadyCommits()
{
    // Many small commits, each to another room's pages, as in a busy server:
    // without checkpoints that let the log start again, it would pass
    // 100 MiB here (about one 4 KiB page per commit).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = dir.filePath(u"history.db"_s);
    QString error;
    auto store = SqliteStore::open(database, &error);
    QVERIFY2(store, qPrintable(error));

    constexpr int Rooms = 100;
    constexpr int Commits = 30'000;
    qint64 largestLog = 0;
    for (int i = 0; i < Commits; ++i) {
        const QString room = u"room%1"_s.arg(i % Rooms);
        const qint64 seq = i / Rooms + 1;
        store->appendMessage(room, room, ChatMessage{room, u"ann"_s, QString(64, u'x'), 1000, seq, std::nullopt});
        QVERIFY2(store->commit(&error), qPrintable(error));
        store->maintain();
        if (i % 500 == 0)
            largestLog = qMax(largestLog, QFileInfo(database + "-wal"_L1).size());
    }
    qInfo("largest write-ahead log: %lld KiB", largestLog / 1024);
    QVERIFY2(largestLog < 64 * 1024 * 1024, qPrintable(u"the log grew to %1 KiB"_s.arg(largestLog / 1024)));
    // And nothing was lost on the way.
    for (int r = 0; r < Rooms; ++r) {
        const QString room = u"room%1"_s.arg(r);
        QCOMPARE(store->loadRoom(room)->lastSeq, Commits / Rooms);
    }
}

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlitestore.moc"
