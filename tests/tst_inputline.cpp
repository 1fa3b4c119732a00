#include "inputline.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestInputLine : public QObject
{
    Q_OBJECT

private slots:
    void enterSubmits();
    void shiftEnterAddsLine();
    void history();
    void tabCompletion_data();
    void tabCompletion();
};

void TestInputLine::enterSubmits()
{
    InputLine input;
    QSignalSpy submitted(&input, &InputLine::submitted);
    QTest::keyClicks(&input, u"hello"_s);
    QTest::keyClick(&input, Qt::Key_Return);
    QCOMPARE(submitted.count(), 1);
    QCOMPARE(submitted.first().first().toString(), u"hello"_s);
    QVERIFY(input.toPlainText().isEmpty());
    // Nothing to send, nothing sent.
    QTest::keyClick(&input, Qt::Key_Return);
    QTest::keyClicks(&input, u"   "_s);
    QTest::keyClick(&input, Qt::Key_Enter);
    QCOMPARE(submitted.count(), 1);
}

void TestInputLine::shiftEnterAddsLine()
{
    InputLine input;
    QSignalSpy submitted(&input, &InputLine::submitted);
    QTest::keyClicks(&input, u"one"_s);
    QTest::keyClick(&input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(&input, u"two"_s);
    QCOMPARE(submitted.count(), 0);
    QTest::keyClick(&input, Qt::Key_Return);
    QCOMPARE(submitted.first().first().toString(), u"one\ntwo"_s);
}

void TestInputLine::history()
{
    InputLine input;
    for (const QString &line : {u"first"_s, u"second"_s}) {
        QTest::keyClicks(&input, line);
        QTest::keyClick(&input, Qt::Key_Return);
    }
    QTest::keyClicks(&input, u"draft"_s);
    QTest::keyClick(&input, Qt::Key_Up);
    QCOMPARE(input.toPlainText(), u"second"_s);
    QTest::keyClick(&input, Qt::Key_Up);
    QCOMPARE(input.toPlainText(), u"first"_s);
    QTest::keyClick(&input, Qt::Key_Up);
    QCOMPARE(input.toPlainText(), u"first"_s);
    QTest::keyClick(&input, Qt::Key_Down);
    QTest::keyClick(&input, Qt::Key_Down);
    QCOMPARE(input.toPlainText(), u"draft"_s);
}

void TestInputLine::tabCompletion_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<int>("tabs");
    QTest::addColumn<QString>("expected");

    QTest::newRow("start of line") << u"bo"_s << 1 << u"Bob: "_s;
    QTest::newRow("case-insensitive") << u"BO"_s << 1 << u"Bob: "_s;
    QTest::newRow("cycles") << u"bo"_s << 2 << u"boris: "_s;
    QTest::newRow("cycles around") << u"bo"_s << 3 << u"Bob: "_s;
    QTest::newRow("mid-line") << u"thanks al"_s << 1 << u"thanks alice "_s;
    QTest::newRow("no match") << u"zed"_s << 1 << u"zed"_s;
}

void TestInputLine::tabCompletion()
{
    QFETCH(QString, typed);
    QFETCH(int, tabs);
    QFETCH(QString, expected);

    InputLine input;
    input.setCompletionSource([] { return QStringList{u"alice"_s, u"Bob"_s, u"boris"_s}; });
    QTest::keyClicks(&input, typed);
    for (int i = 0; i < tabs; ++i)
        QTest::keyClick(&input, Qt::Key_Tab);
    QCOMPARE(input.toPlainText(), expected);
}

QTEST_MAIN(TestInputLine)
#include "tst_inputline.moc"
