// RoomSync alone: what a room shows and asks for across joins, reconnects,
// live messages and catch-up pages. tests/web/sync.test.mjs runs the same
// cases against the browser client's sync.js.

#include "roomsync.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Confab::Protocol::ChatMessage;

namespace {

ChatMessage message(qint64 seq, std::optional<qint64> rev = std::nullopt)
{
    return ChatMessage{u"lobby"_s, u"ann"_s, u"m%1"_s.arg(seq), 1000 + seq, seq, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt, rev};
}

QList<ChatMessage> messages(qint64 from, qint64 to)
{
    QList<ChatMessage> out;
    for (qint64 seq = from; seq <= to; ++seq)
        out.append(message(seq));
    return out;
}

QList<qint64> seqs(const QList<ChatMessage> &list)
{
    QList<qint64> out;
    for (const ChatMessage &m : list)
        out.append(m.seq);
    return out;
}

} // namespace

class TestRoomSync : public QObject
{
    Q_OBJECT

private slots:
    void firstJoinShowsItsHistory();
    void rejoinCoveredByJoined_data();
    void rejoinCoveredByJoined();
    void rejoinWithAGapCatchesUpAndHoldsLiveMessages();
    void changesMissedAreAskedForInOrder();
    void duplicatesAreDropped();
    void aDropForgetsWhatWasHeldBack();
};

void TestRoomSync::firstJoinShowsItsHistory()
{
    RoomSync sync;
    const RoomSync::Steps steps = sync.joined(messages(1, 3), 2);
    QCOMPARE(seqs(steps.show), QList<qint64>({1, 2, 3}));
    QVERIFY(steps.refresh.isEmpty() && !steps.historyAfter && !steps.changesAfter);
    QCOMPARE(sync.lastSeq(), 3);
    QCOMPARE(sync.lastRev(), 2);
}

void TestRoomSync::rejoinCoveredByJoined_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<QList<qint64>>("shown");
    QTest::addColumn<QList<qint64>>("refreshed");

    // Shown 1..3 before the drop; joined brings `from`..5.
    QTest::newRow("overlapping") << qint64(2) << QList<qint64>{4, 5} << QList<qint64>{2, 3};
    QTest::newRow("right after") << qint64(4) << QList<qint64>{4, 5} << QList<qint64>{};
    QTest::newRow("nothing new") << qint64(1) << QList<qint64>{4, 5} << QList<qint64>{1, 2, 3};
}

void TestRoomSync::rejoinCoveredByJoined()
{
    QFETCH(qint64, from);
    QFETCH(QList<qint64>, shown);
    QFETCH(QList<qint64>, refreshed);
    RoomSync sync;
    sync.joined(messages(1, 3), std::nullopt);
    sync.disconnected();
    const RoomSync::Steps steps = sync.joined(messages(from, 5), std::nullopt);
    QCOMPARE(seqs(steps.show), shown);
    QCOMPARE(seqs(steps.refresh), refreshed);
    QVERIFY(!steps.historyAfter && !steps.changesAfter);
    QCOMPARE(sync.lastSeq(), 5);
}

void TestRoomSync::rejoinWithAGapCatchesUpAndHoldsLiveMessages()
{
    RoomSync sync;
    sync.joined(messages(1, 3), std::nullopt);
    sync.disconnected();
    RoomSync::Steps steps = sync.joined(messages(10, 12), std::nullopt);
    QVERIFY(steps.show.isEmpty());
    QCOMPARE(steps.historyAfter, 3);
    QVERIFY(sync.isCatchingUp());
    // Live messages wait for the gap.
    QVERIFY(sync.live(message(13)).show.isEmpty());
    QVERIFY(sync.live(message(14)).show.isEmpty());
    // A full page asks for the next; a short one ends it and lets them out.
    steps = sync.caughtUp(messages(4, 8), 5);
    QCOMPARE(seqs(steps.show), QList<qint64>({4, 5, 6, 7, 8}));
    QCOMPARE(steps.historyAfter, 8);
    steps = sync.caughtUp(messages(9, 13), 200);
    QCOMPARE(seqs(steps.show), QList<qint64>({9, 10, 11, 12, 13, 14})); // 13 once
    QVERIFY(!steps.historyAfter);
    QVERIFY(!sync.isCatchingUp());
    QCOMPARE(seqs(sync.live(message(15)).show), QList<qint64>{15});
}

void TestRoomSync::changesMissedAreAskedForInOrder()
{
    RoomSync sync;
    sync.joined(messages(1, 3), 2);
    sync.changeHeard(3); // an `updated` event
    QCOMPARE(sync.lastRev(), 3);
    sync.disconnected();
    RoomSync::Steps steps = sync.joined(messages(1, 3), 7);
    QCOMPARE(steps.changesAfter, 3);
    QCOMPARE(sync.lastRev(), 3); // not 7 until heard of
    steps = sync.changes({message(1, 5), message(2, 6)}, 2);
    QCOMPARE(seqs(steps.refresh), QList<qint64>({1, 2}));
    QCOMPARE(steps.changesAfter, 6); // a full page: there may be more
    steps = sync.changes({message(3, 7)}, 2);
    QVERIFY(!steps.changesAfter);
    QCOMPARE(sync.lastRev(), 7);
    // Nothing missed: nothing asked.
    sync.disconnected();
    QVERIFY(!sync.joined(messages(1, 3), 7).changesAfter);
}

void TestRoomSync::duplicatesAreDropped()
{
    RoomSync sync;
    sync.joined(messages(1, 3), std::nullopt);
    QVERIFY(sync.live(message(3)).show.isEmpty());
    QVERIFY(sync.live(message(2)).show.isEmpty());
    QVERIFY(!sync.take(3));
    QVERIFY(sync.take(0)); // unnumbered: always new
    QVERIFY(sync.take(4));
    QCOMPARE(sync.lastSeq(), 4);
}

void TestRoomSync::aDropForgetsWhatWasHeldBack()
{
    RoomSync sync;
    sync.joined(messages(1, 3), std::nullopt);
    sync.disconnected();
    sync.joined(messages(10, 12), std::nullopt);
    sync.live(message(13));
    sync.disconnected();
    QVERIFY(!sync.isCatchingUp());
    // After the next reconnect the catch-up brings 13 again, shown once.
    sync.joined(messages(10, 13), std::nullopt);
    const RoomSync::Steps steps = sync.caughtUp(messages(4, 13), 200);
    QCOMPARE(seqs(steps.show), seqs(messages(4, 13)));
}

QTEST_APPLESS_MAIN(TestRoomSync)
#include "tst_roomsync.moc"
