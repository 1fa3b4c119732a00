// SqlStore on a real database file: what the chat service relies on, and
// the write-ahead log kept in bounds by the checkpoint thread.

#include "sqlstore.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Confab::Protocol::ChatMessage;
using Confab::Protocol::Reaction;

namespace {

ChatMessage message(const QString &room, const QString &text, qint64 seq)
{
    return ChatMessage{room, u"ann"_s, text, 1000 + seq, seq, std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt};
}

} // namespace

class TestSqlStore : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void logStaysBoundedUnderSteadyCommits();
    void changesAreStoredWithTheMessage();
};

void TestSqlStore::roundTrip_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("file") << u"history.db"_s;
    QTest::newRow("memory") << u":memory:"_s;
}

void TestSqlStore::roundTrip()
{
    QFETCH(QString, path);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = path == ":memory:"_L1 ? path : dir.filePath(path);
    QString error;
    {
        auto store = SqlStore::open(database, &error);
        QVERIFY2(store, qPrintable(error));
        QVERIFY(!store->loadRoom(u"lobby"_s));
        for (int seq = 1; seq <= 3; ++seq)
            store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"Lobby"_s, u"m%1"_s.arg(seq), seq), QString());
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
        const QList<ChatMessage> page = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, qint64(1), 50, std::nullopt});
        QCOMPARE(page.size(), 2);
        QCOMPARE(page.at(0).text, u"m2"_s);
        QCOMPARE(page.at(1).seq, 3);
    }
    if (database == ":memory:"_L1)
        return;
    // Reopened: everything committed is there, and the log was folded in.
    QVERIFY(!QFileInfo::exists(database + "-wal"_L1) || QFileInfo(database + "-wal"_L1).size() == 0);
    auto again = SqlStore::open(database, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->loadRoom(u"lobby"_s)->lastSeq, 3);
}

void TestSqlStore::changesAreStoredWithTheMessage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = dir.filePath(u"history.db"_s);
    QString error;
    {
        auto store = SqlStore::open(database, &error);
        QVERIFY2(store, qPrintable(error));
        for (int seq = 1; seq <= 4; ++seq)
            store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"Lobby"_s, u"m%1"_s.arg(seq), seq),
                                 seq == 2 ? u"ann"_s : QString());
        QVERIFY2(store->commit(&error), qPrintable(error));
        QCOMPARE(store->loadRoom(u"lobby"_s)->lastRev, 0);

        const auto two = store->message(u"lobby"_s, u"Lobby"_s, 2);
        QVERIFY(two);
        QCOMPARE(two->accountKey, u"ann"_s);
        QCOMPARE(store->message(u"lobby"_s, u"Lobby"_s, 1)->accountKey, QString());
        QVERIFY(!store->message(u"lobby"_s, u"Lobby"_s, 9));
        QVERIFY(!two->message.rev && !two->message.edited && !two->message.reactions);

        ChatMessage edited = two->message;
        edited.text = u"m2, fixed"_s;
        edited.edited = 5000;
        edited.rev = 1;
        edited.reactions = QList<Reaction>{{u"\U0001F44D"_s, {u"bob"_s, u"cy"_s}, std::nullopt, std::nullopt}};
        store->updateMessage(u"lobby"_s, edited);
        ChatMessage deleted = message(u"Lobby"_s, QString(), 3);
        deleted.deleted = true;
        deleted.rev = 2;
        store->updateMessage(u"lobby"_s, deleted);
        QVERIFY(store->hasPending());
        QVERIFY2(store->commit(&error), qPrintable(error));
    }
    auto store = SqlStore::open(database, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(store->loadRoom(u"lobby"_s)->lastRev, 2);
    const QList<ChatMessage> page = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, std::nullopt, 50, std::nullopt});
    QCOMPARE(page.size(), 4);
    QCOMPARE(page.at(1).text, u"m2, fixed"_s);
    QCOMPARE(page.at(1).edited, 5000);
    QCOMPARE(page.at(1).reactions->first().nicks, QStringList({u"bob"_s, u"cy"_s}));
    QCOMPARE(page.at(2).deleted, true);
    QCOMPARE(page.at(2).text, QString());
    // Untouched messages read back exactly as they were said.
    QCOMPARE(page.at(0), message(u"Lobby"_s, u"m1"_s, 1));

    // What changed after revision 1: only the deletion; after 0: both, in order.
    QList<ChatMessage> changed = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, std::nullopt, 50, qint64(1)});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().seq, 3);
    changed = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, std::nullopt, 50, qint64(0)});
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(0).rev, 1);
    QCOMPARE(changed.at(1).rev, 2);
}

void TestSqlStore::logStaysBoundedUnderSteadyCommits()
{
    // Many small commits, each to another room's pages, as in a busy server:
    // without checkpoints that let the log start again, it would pass
    // 100 MiB here (about one 4 KiB page per commit).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = dir.filePath(u"history.db"_s);
    QString error;
    auto store = SqlStore::open(database, &error);
    QVERIFY2(store, qPrintable(error));

    constexpr int Rooms = 100;
    constexpr int Commits = 30'000;
    qint64 largestLog = 0;
    for (int i = 0; i < Commits; ++i) {
        const QString room = u"room%1"_s.arg(i % Rooms);
        const qint64 seq = i / Rooms + 1;
        store->appendMessage(room, room, message(room, QString(64, u'x'), seq), QString());
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

QTEST_GUILESS_MAIN(TestSqlStore)
#include "tst_sqlstore.moc"
