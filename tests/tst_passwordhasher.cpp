#include "passwordhasher.h"

#include <QElapsedTimer>
#include <QTest>

using namespace Qt::StringLiterals;

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void saltedEachTime();
    void malformedHashMatchesNothing_data();
    void malformedHashMatchesNothing();
    void decoyMatchesNothing();
};

void TestPasswordHasher::roundTrip_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("attempt");
    QTest::addColumn<bool>("matches");

    QTest::newRow("same") << u"correct horse"_s << u"correct horse"_s << true;
    QTest::newRow("wrong") << u"correct horse"_s << u"battery staple"_s << false;
    QTest::newRow("case matters") << u"correct horse"_s << u"Correct horse"_s << false;
    QTest::newRow("one char more") << u"correct horse"_s << u"correct horse!"_s << false;
    QTest::newRow("prefix") << u"correct horse"_s << u"correct"_s << false;
    QTest::newRow("unicode") << u"pässwörd ✓ 東京"_s << u"pässwörd ✓ 東京"_s << true;
    QTest::newRow("unicode differs") << u"pässwörd ✓ 東京"_s << u"passwörd ✓ 東京"_s << false;
    QTest::newRow("256 chars") << QString(256, u'x') << QString(256, u'x') << true;
    QTest::newRow("empty attempt") << u"correct horse"_s << QString() << false;
}

void TestPasswordHasher::roundTrip()
{
    QFETCH(QString, password);
    QFETCH(QString, attempt);
    QFETCH(bool, matches);

    QElapsedTimer timer;
    timer.start();
    const QByteArray hash = PasswordHasher::hash(password);
    // For docs/server.md: how long one hash takes here (not asserted).
    qInfo("one yescrypt hash: %lld ms", qint64(timer.elapsed()));
    QVERIFY(hash.startsWith("$y$"));
    QVERIFY(!hash.contains(password.toUtf8()));
    QCOMPARE(PasswordHasher::verify(attempt, hash), matches);
}

void TestPasswordHasher::saltedEachTime()
{
    const QByteArray a = PasswordHasher::hash(u"same password"_s);
    const QByteArray b = PasswordHasher::hash(u"same password"_s);
    QVERIFY(!a.isEmpty());
    QVERIFY(a != b);
    QVERIFY(PasswordHasher::verify(u"same password"_s, a));
    QVERIFY(PasswordHasher::verify(u"same password"_s, b));
}

void TestPasswordHasher::malformedHashMatchesNothing_data()
{
    QTest::addColumn<QByteArray>("stored");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("plain text") << QByteArray("correct horse");
    QTest::newRow("other scheme") << QByteArray("$1$abcdefgh$0123456789abcdefghijkl");
    QTest::newRow("truncated yescrypt") << QByteArray("$y$j9T$");
    QTest::newRow("star") << QByteArray("*0");
}

void TestPasswordHasher::malformedHashMatchesNothing()
{
    QFETCH(QByteArray, stored);
    QVERIFY(!PasswordHasher::verify(u"correct horse"_s, stored));
    QVERIFY(!PasswordHasher::verify(QString::fromLatin1(stored), stored));
}

void TestPasswordHasher::decoyMatchesNothing()
{
    QVERIFY(PasswordHasher::decoy().startsWith("$y$"));
    QVERIFY(!PasswordHasher::verify(u"correct horse"_s, PasswordHasher::decoy()));
    QVERIFY(!PasswordHasher::verify(QString(), PasswordHasher::decoy()));
}

QTEST_APPLESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
