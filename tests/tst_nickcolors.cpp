// Nick colours: stable, case-blind, and the same as the browser client's
// (tests/web/view.test.mjs holds view.js to the same rows).

#include "nickcolors.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestNickColors : public QObject
{
    Q_OBJECT

private slots:
    void sameHueAsTheBrowser_data();
    void sameHueAsTheBrowser();
    void readableOnBothBackgrounds();
};

void TestNickColors::sameHueAsTheBrowser_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<int>("hue");

    QTest::newRow("alice") << u"alice"_s << 239;
    QTest::newRow("Bob") << u"Bob"_s << 284;
    QTest::newRow("BOB, folded") << u"BOB"_s << 284;
    QTest::newRow("Zoë") << u"Zoë"_s << 135;
    QTest::newRow("田中") << u"田中"_s << 6;
}

void TestNickColors::sameHueAsTheBrowser()
{
    QFETCH(QString, nick);
    QFETCH(int, hue);
    QCOMPARE(nickHue(nick), hue);
    QCOMPARE(nickColor(nick, false).hslHue(), hue);
}

void TestNickColors::readableOnBothBackgrounds()
{
    // Dark text on light backgrounds, light text on dark ones.
    QVERIFY(nickColor(u"alice"_s, false).lightnessF() < 0.45);
    QVERIFY(nickColor(u"alice"_s, true).lightnessF() > 0.6);
}

QTEST_APPLESS_MAIN(TestNickColors)
#include "tst_nickcolors.moc"
