// The rule table of requests (server/chat/requestrules.h): every request type has
// exactly one rule, every bucket it names has a size, the buckets are token
// buckets, and docs/server.md ("What each request costs") says what the
// code does.

#include "codec.h"
#include "requestrules.h"

#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace RequestRules;

namespace {

QString whoText(Access who)
{
    switch (who) {
    case Access::Anyone:
        return u"anyone"_s;
    case Access::Identified:
        return u"after welcome"_s;
    case Access::LoggedIn:
        return u"logged in"_s;
    }
    return {};
}

// The rows of the table in docs/server.md, by request type: the cells after
// the first.
QHash<QString, QStringList> documentedRules()
{
    QFile file(QStringLiteral(QT_TESTCASE_SOURCEDIR "/../docs/server.md"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(file.readAll());
    const qsizetype start = text.indexOf(u"## What each request costs"_s);
    const qsizetype end = text.indexOf(u"\n## "_s, start + 1);
    QHash<QString, QStringList> rows;
    static const QRegularExpression row(u"^\\| `(\\w+)` \\|(.*)\\|$"_s, QRegularExpression::MultilineOption);
    auto it = row.globalMatch(text.mid(start, end - start));
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        QStringList cells = match.captured(2).split(u'|');
        for (QString &cell : cells)
            cell = cell.trimmed();
        rows.insert(match.captured(1), cells);
    }
    return rows;
}

} // namespace

class TestRequestRules : public QObject
{
    Q_OBJECT

private slots:
    void everyRequestHasOneRule();
    void documented_data();
    void documented();
    void bucketsHaveSizes_data();
    void bucketsHaveSizes();
    void floodOffTurnsEveryBucketOff();
    void tokenBucket_data();
    void tokenBucket();
};

void TestRequestRules::everyRequestHasOneRule()
{
    QSet<QString> seen;
    for (const NamedRule &named : table()) {
        const QString type = named.type;
        QVERIFY2(!seen.contains(type), qPrintable(type));
        seen.insert(type);
        QVERIFY2(named.rule.keeps && *named.rule.keeps, qPrintable(type));
    }
    // Every type a client may send (and `ping`, `pong`, `typing`, which go
    // both ways): 33 requests and 3 of either side.
    QCOMPARE(seen.size(), 36);
    QVERIFY(seen.contains(u"typing"_s) && seen.contains(u"pong"_s) && seen.contains(u"hello"_s));
}

void TestRequestRules::documented_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QStringList>("expected");
    for (const NamedRule &named : table()) {
        const QString type = named.type;
        QTest::newRow(qPrintable(type)) << type
                                        << QStringList{whoText(named.rule.who), bucketName(named.rule.bucket),
                                                       QString::number(named.rule.hashes),
                                                       QString::fromUtf8(named.rule.keeps)};
    }
}

void TestRequestRules::documented()
{
    QFETCH(QString, type);
    QFETCH(QStringList, expected);
    static const QHash<QString, QStringList> rows = documentedRules();
    QVERIFY2(!rows.isEmpty(), "docs/server.md has no table of request costs");
    QVERIFY2(rows.contains(type), qPrintable(u"docs/server.md does not list "_s + type));
    QCOMPARE(rows.value(type), expected);
}

void TestRequestRules::bucketsHaveSizes_data()
{
    QTest::addColumn<int>("bucket");
    for (int bucket = 0; bucket < BucketCount; ++bucket)
        QTest::newRow(bucketName(Bucket(bucket)).data()) << bucket;
}

void TestRequestRules::bucketsHaveSizes()
{
    QFETCH(int, bucket);
    const ChatLimits limits;
    const BucketSpec spec = bucketSpec(Bucket(bucket), limits);
    if (Bucket(bucket) == Bucket::None) {
        QCOMPARE(spec.burst, 0);
        return;
    }
    QVERIFY(spec.burst > 0);
    QVERIFY(spec.perSecond > 0);
    QVERIFY(!refusal(Bucket(bucket)).isEmpty());
    // A reconnect's join, history page and read marker per room fit.
    if (Bucket(bucket) == Bucket::Membership || Bucket(bucket) == Bucket::Reads || Bucket(bucket) == Bucket::Queries)
        QVERIFY(spec.burst >= limits.maxRoomsPerUser);
}

void TestRequestRules::floodOffTurnsEveryBucketOff()
{
    ChatLimits limits;
    limits.floodBurst = 0;
    for (int bucket = 0; bucket < BucketCount; ++bucket)
        QCOMPARE(bucketSpec(Bucket(bucket), limits).burst, 0);
}

using Requests = QList<QPair<qint64, bool>>;

void TestRequestRules::tokenBucket_data()
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
    QTest::newRow("full at first use, however late") << 2 << 1.0 << L{{50'000, true}, {50'000, true}, {50'000, false}};
    // Times are kept in 32 bits from the session's first request: a session
    // older than 24 days goes on counting (and is not refilled for free).
    constexpr qint64 Day = 24 * 3600 * 1000;
    QTest::newRow("a month-long session") << 2 << 1.0
                                          << L{{0, true},         {30 * Day, true},        {30 * Day, true},
                                               {30 * Day, false}, {30 * Day + 999, false}, {30 * Day + 1000, true}};
    QTest::newRow("far from zero") << 1 << 1.0
                                         << L{{1'796'000'000'000, true}, {1'796'000'000'500, false},
                                              {1'796'000'001'000, true}};
    QTest::newRow("rate zero is off") << 1 << 0.0 << L{{0, true}, {0, true}, {0, true}};
    QTest::newRow("burst zero is off") << 0 << 5.0 << L{{0, true}, {0, true}};
}

void TestRequestRules::tokenBucket()
{
    QFETCH(int, burst);
    QFETCH(double, rate);
    QFETCH(Requests, requests);

    RequestBuckets buckets;
    const BucketSpec spec{burst, rate};
    for (const auto &[time, allowed] : requests)
        QCOMPARE(buckets.tryTake(Bucket::Flood, spec, time), allowed);
    // The other buckets are untouched.
    if (burst > 0 && rate > 0)
        QVERIFY(buckets.tryTake(Bucket::Typing, spec, requests.last().first));
}

QTEST_APPLESS_MAIN(TestRequestRules)
#include "tst_requestrules.moc"
