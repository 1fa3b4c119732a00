// The hashing queue (server/chat/hashqueue.h): one job at a time, lowest priority
// first and in arrival order within a priority, a bounded share per address
// and in all, and nothing run for a job nobody wants any more.

#include "hashqueue.h"

#include <QSemaphore>
#include <QTest>

using namespace Qt::StringLiterals;

class TestHashQueue : public QObject
{
    Q_OBJECT

private slots:
    void order_data();
    void order();
    void aCrowdedNetworkWaits();
    void networks_data();
    void networks();
    void sharesAreBounded();
    void unwantedJobsAreDropped();
};

namespace {

// A job that runs until `gate` is released: keeps the thread busy while
// the test fills the queue.
HashQueue::Job blocker(QSemaphore *gate, bool *done)
{
    HashQueue::Job job;
    job.address = u"blocker"_s;
    job.work = [gate] { gate->acquire(); };
    job.done = [done](bool) { *done = true; };
    return job;
}

} // namespace

void TestHashQueue::order_data()
{
    QTest::addColumn<QList<int>>("priorities"); // in the order submitted
    QTest::addColumn<QList<int>>("ran");        // indexes, in the order run

    QTest::newRow("all alike: arrival order") << QList<int>{0, 0, 0} << QList<int>{0, 1, 2};
    QTest::newRow("lowest first") << QList<int>{3, 1, 2} << QList<int>{1, 2, 0};
    QTest::newRow("known address before a storm") << QList<int>{0, 0, 1, 2, -1} << QList<int>{4, 0, 1, 2, 3};
}

void TestHashQueue::order()
{
    QFETCH(QList<int>, priorities);
    QFETCH(QList<int>, ran);

    HashQueue queue;
    QSemaphore gate;
    bool blockerDone = false;
    QCOMPARE(queue.submit(blocker(&gate, &blockerDone)), HashQueue::Admission::Queued);
    QList<int> order;
    for (int i = 0; i < priorities.size(); ++i) {
        HashQueue::Job job;
        job.address = QString::number(i);
        job.priority = priorities.at(i);
        job.work = [] {};
        job.done = [&order, i](bool didRun) {
            if (didRun)
                order.append(i);
        };
        QCOMPARE(queue.submit(std::move(job)), HashQueue::Admission::Queued);
    }
    QCOMPARE(queue.waiting(), priorities.size());
    gate.release();
    QTRY_COMPARE(order.size(), ran.size());
    QVERIFY(blockerDone);
    QCOMPARE(order, ran);
}

void TestHashQueue::aCrowdedNetworkWaits()
{
    // Three guesses from one network came first; a login from another
    // network, alike in priority, goes before them.
    HashQueue queue;
    QSemaphore gate;
    bool blockerDone = false;
    queue.submit(blocker(&gate, &blockerDone));
    QList<int> order;
    const QStringList networks{u"10.0.4.0/24"_s, u"10.0.4.0/24"_s, u"10.0.4.0/24"_s, u"10.0.6.0/24"_s};
    for (int i = 0; i < networks.size(); ++i) {
        HashQueue::Job job;
        job.address = QString::number(i);
        job.network = networks.at(i);
        job.work = [] {};
        job.done = [&order, i](bool) { order.append(i); };
        queue.submit(std::move(job));
    }
    gate.release();
    QTRY_COMPARE(order.size(), 4);
    QCOMPARE(order, (QList<int>{3, 0, 1, 2}));
}

void TestHashQueue::networks_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("network");
    QTest::newRow("IPv4") << u"192.0.2.77"_s << u"192.0.2.0/24"_s;
    QTest::newRow("IPv4 mapped") << u"::ffff:192.0.2.77"_s << u"192.0.2.0/24"_s;
    QTest::newRow("IPv6") << u"2001:db8:aa:bb::1"_s << u"2001:db8:aa::/48"_s;
    QTest::newRow("loopback") << u"127.0.4.9"_s << u"127.0.4.0/24"_s;
}

void TestHashQueue::networks()
{
    QFETCH(QString, address);
    QFETCH(QString, network);
    QCOMPARE(HashQueue::networkOf(QHostAddress(address)), network);
}

void TestHashQueue::sharesAreBounded()
{
    HashQueue queue;
    QSemaphore gate;
    bool blockerDone = false;
    queue.submit(blocker(&gate, &blockerDone));
    int finished = 0;
    auto job = [&finished](const QString &address) {
        HashQueue::Job next;
        next.address = address;
        next.work = [] {};
        next.done = [&finished](bool) { ++finished; };
        return next;
    };
    for (int i = 0; i < HashQueue::MaxPerAddress; ++i)
        QCOMPARE(queue.submit(job(u"10.0.0.1"_s)), HashQueue::Admission::Queued);
    QCOMPARE(queue.submit(job(u"10.0.0.1"_s)), HashQueue::Admission::AddressBusy);
    int accepted = HashQueue::MaxPerAddress;
    for (int i = 0; accepted < HashQueue::MaxWaiting; ++i, ++accepted)
        QCOMPARE(queue.submit(job(u"10.1.%1.%2"_s.arg(i / 200).arg(i % 200))), HashQueue::Admission::Queued);
    QCOMPARE(queue.submit(job(u"10.2.0.1"_s)), HashQueue::Admission::Full);
    gate.release();
    QTRY_COMPARE(finished, accepted);
    // Its share is free again once its jobs are done.
    QCOMPARE(queue.submit(job(u"10.0.0.1"_s)), HashQueue::Admission::Queued);
    QTRY_COMPARE(finished, accepted + 1);
}

void TestHashQueue::unwantedJobsAreDropped()
{
    HashQueue queue;
    QSemaphore gate;
    bool blockerDone = false;
    queue.submit(blocker(&gate, &blockerDone));
    bool worked = false;
    std::optional<bool> ran;
    bool wanted = true;
    HashQueue::Job job;
    job.address = u"10.0.0.1"_s;
    job.work = [&worked] { worked = true; };
    job.done = [&ran](bool didRun) { ran = didRun; };
    job.wanted = [&wanted] { return wanted; };
    queue.submit(std::move(job));
    wanted = false; // its session went while it waited
    gate.release();
    QTRY_VERIFY(ran.has_value());
    QCOMPARE(*ran, false);
    QVERIFY(!worked);
}

QTEST_GUILESS_MAIN(TestHashQueue)
#include "tst_hashqueue.moc"
