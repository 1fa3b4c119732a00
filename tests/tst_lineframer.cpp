#include "lineframer.h"

#include <QTest>

using namespace Confab::Protocol;

namespace {

struct Drained
{
    QList<QByteArray> frames;
    LineFramer::Status last = LineFramer::Status::NeedMore;
};

Drained drain(LineFramer &framer)
{
    Drained result;
    QByteArray frame;
    while ((result.last = framer.next(&frame)) == LineFramer::Status::Frame)
        result.frames.append(frame);
    return result;
}

} // namespace

class TestLineFramer : public QObject
{
    Q_OBJECT

private slots:
    void chunks_data();
    void chunks();
    void singleBytes();
    void exactLimit();
    void oversizeDetectedBeforeNewline();
    void oversizeAfterGoodFrames();
    void oversizeInsideOneChunk();
};

void TestLineFramer::chunks_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<QList<QByteArray>>("frames");
    QTest::addColumn<qsizetype>("pending");

    using L = QList<QByteArray>;
    QTest::newRow("one line") << L{"{\"type\":\"ping\"}\n"} << L{"{\"type\":\"ping\"}"} << qsizetype(0);
    QTest::newRow("many lines in one chunk") << L{"a\nb\nc\n"} << L{"a", "b", "c"} << qsizetype(0);
    QTest::newRow("crlf") << L{"a\r\nb\r\n"} << L{"a", "b"} << qsizetype(0);
    QTest::newRow("cr split from lf") << L{"a\r", "\nb\n"} << L{"a", "b"} << qsizetype(0);
    QTest::newRow("blank lines skipped") << L{"\n\r\n  \n\t\na\n\n"} << L{"a"} << qsizetype(0);
    QTest::newRow("unfinished tail kept") << L{"a\nbc"} << L{"a"} << qsizetype(2);
    QTest::newRow("tail completed later") << L{"a\nbc", "d\n"} << L{"a", "bcd"} << qsizetype(0);
    QTest::newRow("line across three chunks") << L{"{\"ty", "pe\":\"p", "ing\"}\n"} << L{"{\"type\":\"ping\"}"}
                                              << qsizetype(0);
    QTest::newRow("inner cr kept") << L{"a\rb\n"} << L{"a\rb"} << qsizetype(0);
    QTest::newRow("invalid utf-8 passes through") << L{"\xff\xfe\n"} << L{"\xff\xfe"} << qsizetype(0);
    QTest::newRow("utf-8 split mid-character") << L{"\xc3", "\xa9\n"} << L{"\xc3\xa9"} << qsizetype(0);
    QTest::newRow("nothing") << L{} << L{} << qsizetype(0);
}

void TestLineFramer::chunks()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(QList<QByteArray>, frames);
    QFETCH(qsizetype, pending);

    LineFramer framer(64);
    QList<QByteArray> got;
    for (const QByteArray &chunk : chunks) {
        framer.append(chunk);
        got += drain(framer).frames;
    }
    QCOMPARE(got, frames);
    QCOMPARE(framer.pendingBytes(), pending);
    QVERIFY(!framer.hasFailed());
}

void TestLineFramer::singleBytes()
{
    const QByteArray stream = "{\"type\":\"hello\",\"nick\":\"al\"}\r\n\n{\"type\":\"join\",\"room\":\"lobby\"}\n";
    LineFramer framer(64);
    QList<QByteArray> got;
    for (const char byte : stream) {
        framer.append(QByteArrayView(&byte, 1));
        got += drain(framer).frames;
    }
    const QList<QByteArray> expected{"{\"type\":\"hello\",\"nick\":\"al\"}", "{\"type\":\"join\",\"room\":\"lobby\"}"};
    QCOMPARE(got, expected);
}

void TestLineFramer::exactLimit()
{
    LineFramer framer(16);
    const QByteArray line(16, 'x');
    framer.append(line + "\r");
    QCOMPARE(framer.pendingBytes(), 17);
    framer.append("\n");
    const Drained result = drain(framer);
    QCOMPARE(result.frames, QList<QByteArray>{line});
    QCOMPARE(result.last, LineFramer::Status::NeedMore);
}

void TestLineFramer::oversizeDetectedBeforeNewline()
{
    LineFramer framer(16);
    framer.append(QByteArray(10, 'x'));
    QCOMPARE(drain(framer).last, LineFramer::Status::NeedMore);
    framer.append(QByteArray(10, 'x'));
    QCOMPARE(drain(framer).last, LineFramer::Status::TooLarge);
    QVERIFY(framer.hasFailed());
    // Nothing more is buffered once the stream is known to be bad.
    framer.append(QByteArray(1 << 20, 'x'));
    QCOMPARE(framer.pendingBytes(), 0);
    QCOMPARE(drain(framer).last, LineFramer::Status::TooLarge);
}

void TestLineFramer::oversizeAfterGoodFrames()
{
    LineFramer framer(16);
    framer.append("ok\n" + QByteArray(17, 'x') + "\nnever\n");
    const Drained result = drain(framer);
    QCOMPARE(result.frames, QList<QByteArray>{"ok"});
    QCOMPARE(result.last, LineFramer::Status::TooLarge);
}

void TestLineFramer::oversizeInsideOneChunk()
{
    LineFramer framer(16);
    framer.append(QByteArray(17, 'x') + "\r\n");
    QCOMPARE(drain(framer).last, LineFramer::Status::TooLarge);
    QCOMPARE(framer.pendingBytes(), 0);
}

QTEST_APPLESS_MAIN(TestLineFramer)
#include "tst_lineframer.moc"
