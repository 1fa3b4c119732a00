// client/core/session/awaybook.h: others' away messages, by nick as the
// server compares them.

#include "awaybook.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestAwayBook : public QObject
{
    Q_OBJECT

private slots:
    void set_data();
    void set();
};

void TestAwayBook::set_data()
{
    QTest::addColumn<QString>("first");    // why, noted for "Ann"
    QTest::addColumn<QString>("asNick");   // the nick the second change names
    QTest::addColumn<QString>("second");   // why, noted next
    QTest::addColumn<bool>("changed");
    QTest::addColumn<QString>("now");      // what "ann" is said to be away for

    QTest::newRow("away") << QString() << u"Ann"_s << u"lunch"_s << true << u"lunch"_s;
    QTest::newRow("back") << u"lunch"_s << u"Ann"_s << QString() << true << QString();
    QTest::newRow("the same again") << u"lunch"_s << u"Ann"_s << u"lunch"_s << false << u"lunch"_s;
    QTest::newRow("another reason") << u"lunch"_s << u"Ann"_s << u"call"_s << true << u"call"_s;
    QTest::newRow("the nick in another case") << u"lunch"_s << u"ANN"_s << QString() << true << QString();
    QTest::newRow("someone else") << u"lunch"_s << u"Bob"_s << u"gone"_s << true << u"lunch"_s;
    QTest::newRow("back when never away") << QString() << u"Ann"_s << QString() << false << QString();
}

void TestAwayBook::set()
{
    QFETCH(QString, first);
    QFETCH(QString, asNick);
    QFETCH(QString, second);
    QFETCH(bool, changed);
    QFETCH(QString, now);

    AwayBook book;
    QCOMPARE(book.set(u"Ann"_s, first), !first.isEmpty());
    QCOMPARE(book.set(asNick, second), changed);
    QCOMPARE(book.of(u"ann"_s), now);
    book.clear();
    QCOMPARE(book.of(u"Ann"_s), QString());
}

QTEST_GUILESS_MAIN(TestAwayBook)
#include "tst_awaybook.moc"
