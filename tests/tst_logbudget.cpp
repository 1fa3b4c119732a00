#include "logbudget.h"

#include <QTest>

class TestLogBudget : public QObject
{
    Q_OBJECT

private slots:
    void lines_data();
    void lines();
};

void TestLogBudget::lines_data()
{
    QTest::addColumn<QList<qint64>>("attempts"); // times, in ms
    QTest::addColumn<int>("written");
    QTest::addColumn<qint64>("reportedSuppressed"); // in the last line written
    QTest::addColumn<qint64>("stillSuppressed");

    QTest::newRow("a few") << QList<qint64>{1, 2, 3} << 3 << qint64(0) << qint64(0);
    QTest::newRow("a burst") << QList<qint64>(20, 5) << LogBudget::Burst << qint64(0) << qint64(20 - LogBudget::Burst);
    QList<qint64> burstThenLater(20, 5);
    burstThenLater << 1005;
    QTest::newRow("burst, then a second later") << burstThenLater << LogBudget::Burst + 1
                                                << qint64(20 - LogBudget::Burst) << qint64(0);
    QList<qint64> steady;
    for (qint64 t = 1; t <= 10'000; t += 10)
        steady << t;
    // 1000 attempts over 10 s: the burst, then one a second.
    QTest::newRow("steady garbage") << steady << LogBudget::Burst + 9 << qint64(99) << qint64(99);
}

void TestLogBudget::lines()
{
    QFETCH(QList<qint64>, attempts);
    QFETCH(int, written);
    QFETCH(qint64, reportedSuppressed);
    QFETCH(qint64, stillSuppressed);

    LogBudget budget;
    int lines = 0;
    qint64 lastReported = -1;
    for (const qint64 t : attempts) {
        qint64 suppressed = 0;
        if (budget.take(t, &suppressed)) {
            ++lines;
            lastReported = suppressed;
        }
    }
    QCOMPARE(lines, written);
    QCOMPARE(lastReported, reportedSuppressed);
    QCOMPARE(budget.suppressed(), stillSuppressed);
}

QTEST_APPLESS_MAIN(TestLogBudget)
#include "tst_logbudget.moc"
