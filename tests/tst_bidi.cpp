#include "bidi.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestBidi : public QObject
{
    Q_OBJECT

private slots:
    void isolate_data();
    void isolate();
};

void TestBidi::isolate_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("shown");

    QTest::newRow("plain") << u"hello"_s << u"hello"_s;
    QTest::newRow("arabic without controls") << u"مرحبا world"_s << u"مرحبا world"_s;
    QTest::newRow("marks only") << u"a\u200Fb"_s << u"a\u200Fb"_s; // RLM overrides nothing
    QTest::newRow("override") << u"abc \u202Etxt.exe"_s << u"\u2068abc \u202Etxt.exe\u2069"_s;
    QTest::newRow("embedding") << u"\u202Bx"_s << u"\u2068\u202Bx\u2069"_s;
    QTest::newRow("balanced isolate kept") << u"a\u2067b\u2069c"_s << u"\u2068a\u2067b\u2069c\u2069"_s;
    QTest::newRow("stray pdi dropped") << u"a\u2069\u202Eb"_s << u"\u2068a\u202Eb\u2069"_s;
    QTest::newRow("open isolate closed") << u"\u2066a"_s << u"\u2068\u2066a\u2069\u2069"_s;
    QTest::newRow("pdi alone") << u"\u2069"_s << u"\u2068\u2069"_s;
}

void TestBidi::isolate()
{
    QFETCH(QString, text);
    QFETCH(QString, shown);
    QCOMPARE(Bidi::isolate(text), shown);
}

QTEST_APPLESS_MAIN(TestBidi)
#include "tst_bidi.moc"
