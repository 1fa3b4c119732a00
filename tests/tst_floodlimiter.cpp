#include "floodlimiter.h"

#include <QTest>

using Requests = QList<QPair<qint64, bool>>;

class TestFloodLimiter : public QObject
{
    Q_OBJECT

private slots:
    void bucket_data();
    void bucket();
};

void TestFloodLimiter::bucket_data()
{
    QTest::addColumn<int>("burst");
    QTest::addColumn<double>("rate");
    // Each request as (time in ms, whether it is allowed).
    QTest::addColumn<Requests>("requests");

    using L = Requests;
    QTest::newRow("burst then refused") << 3 << 1.0 << L{{0, true}, {0, true}, {0, true}, {0, false}};
    QTest::newRow("refills at the rate") << 2 << 5.0 << L{{0, true}, {0, true}, {0, false}, {199, false}, {200, true}};
    QTest::newRow("refill capped at burst") << 2 << 100.0
                                            << L{{0, true}, {10'000, true}, {10'000, true}, {10'000, false}};
    QTest::newRow("rate zero is off") << 1 << 0.0 << L{{0, true}, {0, true}, {0, true}};
    QTest::newRow("burst zero is off") << 0 << 5.0 << L{{0, true}, {0, true}};
}

void TestFloodLimiter::bucket()
{
    QFETCH(int, burst);
    QFETCH(double, rate);
    QFETCH(Requests, requests);

    FloodLimiter limiter(burst, rate, 0);
    for (const auto &[time, allowed] : requests)
        QCOMPARE(limiter.tryTake(time), allowed);
}

QTEST_APPLESS_MAIN(TestFloodLimiter)
#include "tst_floodlimiter.moc"
