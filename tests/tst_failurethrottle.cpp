#include "failurethrottle.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestFailureThrottle : public QObject
{
    Q_OBJECT

private slots:
    void retryAfter_data();
    void retryAfter();
    void keysAreSeparate();
    void refusalsDoNotExtend();
    void forgetsExpiredKeys();
    void attemptsUnderWay_data();
    void attemptsUnderWay();
};

void TestFailureThrottle::retryAfter_data()
{
    // A throttle of 3 failures per 1000 ms.
    QTest::addColumn<QList<qint64>>("failures"); // when they happened
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("retryAfter");

    QTest::newRow("none") << QList<qint64>{} << qint64(0) << qint64(0);
    QTest::newRow("two of three") << QList<qint64>{0, 10} << qint64(20) << qint64(0);
    QTest::newRow("three at once") << QList<qint64>{0, 0, 0} << qint64(0) << qint64(1000);
    QTest::newRow("three, later") << QList<qint64>{0, 100, 200} << qint64(500) << qint64(500);
    QTest::newRow("window edge") << QList<qint64>{0, 100, 200} << qint64(1000) << qint64(0);
    QTest::newRow("oldest left") << QList<qint64>{0, 900, 950} << qint64(1001) << qint64(0);
    QTest::newRow("five: the newest three count") << QList<qint64>{0, 1, 2, 600, 700} << qint64(800)
                                                 << qint64(202);
    QTest::newRow("five within") << QList<qint64>{500, 600, 650, 700, 750} << qint64(800) << qint64(850);
}

void TestFailureThrottle::retryAfter()
{
    QFETCH(QList<qint64>, failures);
    QFETCH(qint64, now);
    QFETCH(qint64, retryAfter);

    FailureThrottle throttle(3, 1000);
    for (const qint64 at : failures)
        throttle.record(u"10.0.0.1"_s, at);
    QCOMPARE(throttle.retryAfterMs(u"10.0.0.1"_s, now), retryAfter);
    QCOMPARE(throttle.isBlocked(u"10.0.0.1"_s, now), retryAfter > 0);
}

void TestFailureThrottle::keysAreSeparate()
{
    FailureThrottle throttle(2, 60'000);
    throttle.record(u"a"_s, 0);
    throttle.record(u"a"_s, 1);
    QVERIFY(throttle.isBlocked(u"a"_s, 2));
    QVERIFY(!throttle.isBlocked(u"b"_s, 2));
}

void TestFailureThrottle::refusalsDoNotExtend()
{
    // Asking while blocked is not a failure: the block ends on time.
    FailureThrottle throttle(2, 1000);
    throttle.record(u"a"_s, 0);
    throttle.record(u"a"_s, 0);
    for (qint64 t = 0; t < 1000; t += 100)
        QVERIFY(throttle.isBlocked(u"a"_s, t));
    QVERIFY(!throttle.isBlocked(u"a"_s, 1000));
}

void TestFailureThrottle::forgetsExpiredKeys()
{
    FailureThrottle throttle(5, 1000);
    for (int i = 0; i < 100; ++i)
        throttle.record(QString::number(i), i);
    QCOMPARE(throttle.trackedKeys(), 100);
    throttle.forgetExpired(1050);
    QCOMPARE(throttle.trackedKeys(), 49); // failures at 51..99 are still in the window
    throttle.forgetExpired(5000);
    QCOMPARE(throttle.trackedKeys(), 0);
}

void TestFailureThrottle::attemptsUnderWay_data()
{
    // A throttle of 3 per 1000 ms; attempts begun at 0, 1, 2, ...
    QTest::addColumn<int>("begun");
    QTest::addColumn<int>("finishedFailed");
    QTest::addColumn<int>("finishedRight");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<bool>("crowded");
    QTest::addColumn<qint64>("retryAfter");

    QTest::newRow("two under way") << 2 << 0 << 0 << qint64(10) << false << qint64(0);
    QTest::newRow("three under way: crowded, not blocked") << 3 << 0 << 0 << qint64(10) << true << qint64(0);
    QTest::newRow("three right: free again") << 3 << 0 << 3 << qint64(10) << false << qint64(0);
    QTest::newRow("three wrong: blocked") << 3 << 3 << 0 << qint64(10) << true << qint64(1000);
    QTest::newRow("one wrong, two under way") << 3 << 1 << 0 << qint64(10) << true << qint64(0);
    QTest::newRow("never finished: stops counting")
            << 3 << 0 << 0 << FailureThrottle::InFlightMs + 10 << false << qint64(0);
}

void TestFailureThrottle::attemptsUnderWay()
{
    QFETCH(int, begun);
    QFETCH(int, finishedFailed);
    QFETCH(int, finishedRight);
    QFETCH(qint64, now);
    QFETCH(bool, crowded);
    QFETCH(qint64, retryAfter);

    FailureThrottle throttle(3, 1000);
    const QString key = u"10.0.0.1"_s;
    for (int i = 0; i < begun; ++i)
        throttle.begin(key, i);
    for (int i = 0; i < finishedFailed; ++i)
        throttle.finish(key, i, true, 10);
    for (int i = finishedFailed; i < finishedFailed + finishedRight; ++i)
        throttle.finish(key, i, false, 10);
    QCOMPARE(throttle.isCrowded(key, now), crowded);
    QCOMPARE(throttle.retryAfterMs(key, now), retryAfter);
    throttle.forgetExpired(now + FailureThrottle::InFlightMs + 1000);
    QCOMPARE(throttle.trackedKeys(), 0);
}

QTEST_APPLESS_MAIN(TestFailureThrottle)
#include "tst_failurethrottle.moc"
