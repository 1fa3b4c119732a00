// OutputQueue: what waits for a client's socket, as shared and copied
// pieces, written in any number of partial writes.

#include "outputqueue.h"

#include <QTest>

namespace {

// What gather() points at, as one string.
QByteArray gathered(const OutputQueue &queue, int max = 64)
{
    iovec vectors[64];
    const int filled = queue.gather(vectors, max);
    QByteArray bytes;
    for (int i = 0; i < filled; ++i)
        bytes.append(static_cast<const char *>(vectors[i].iov_base), qsizetype(vectors[i].iov_len));
    return bytes;
}

} // namespace

class TestOutputQueue : public QObject
{
    Q_OBJECT

private slots:
    void partialWrites_data();
    void partialWrites();
    void sharedBytesAreNotCopied();
    void copiedBytesJoinOnePiece();
    void gatherStopsAtMax();
    void takeAll();
};

void TestOutputQueue::partialWrites_data()
{
    QTest::addColumn<QList<int>>("writes"); // bytes each write takes
    QTest::newRow("all at once") << QList<int>{25};
    QTest::newRow("piece by piece") << QList<int>{5, 1, 5, 1, 13};
    QTest::newRow("inside a piece") << QList<int>{2, 2, 21};
    QTest::newRow("across pieces") << QList<int>{7, 9, 9};
    QTest::newRow("byte by byte") << QList<int>(25, 1);
}

void TestOutputQueue::partialWrites()
{
    QFETCH(QList<int>, writes);
    const QByteArray first = "hello", second = "world", third = "a longer message";
    OutputQueue queue;
    queue.appendShared(first);
    queue.append("\n");
    queue.appendShared(second);
    queue.append("\n");
    queue.appendShared(third.left(13));
    QByteArray expected = "hello\nworld\na longer mess";
    QCOMPARE(queue.size(), expected.size());
    for (const int taken : writes) {
        QCOMPARE(gathered(queue), expected);
        queue.consume(taken);
        expected.remove(0, taken);
        QCOMPARE(queue.size(), expected.size());
    }
    QVERIFY(queue.isEmpty());
    QCOMPARE(gathered(queue), QByteArray());
}

void TestOutputQueue::sharedBytesAreNotCopied()
{
    const QByteArray message = "the same bytes for a thousand clients";
    OutputQueue queue;
    queue.appendShared(message);
    iovec vector{};
    QCOMPARE(queue.gather(&vector, 1), 1);
    QCOMPARE(static_cast<const char *>(vector.iov_base), message.constData());
}

void TestOutputQueue::copiedBytesJoinOnePiece()
{
    OutputQueue queue;
    queue.append("ab");
    queue.append("cd");
    iovec vectors[4];
    QCOMPARE(queue.gather(vectors, 4), 1);
    QCOMPARE(gathered(queue), QByteArray("abcd"));
}

void TestOutputQueue::gatherStopsAtMax()
{
    OutputQueue queue;
    const QByteArray piece = "xy";
    for (int i = 0; i < 10; ++i)
        queue.appendShared(piece);
    QCOMPARE(gathered(queue, 3), QByteArray("xyxyxy"));
    queue.consume(7);
    QCOMPARE(gathered(queue), QByteArray("yxyxyxyxyxyxy"));
}

void TestOutputQueue::takeAll()
{
    OutputQueue queue;
    queue.appendShared("first ");
    queue.append("second");
    queue.consume(2);
    QCOMPARE(queue.takeAll(), QByteArray("rst second"));
    QVERIFY(queue.isEmpty());
    QCOMPARE(queue.takeAll(), QByteArray());
}

QTEST_APPLESS_MAIN(TestOutputQueue)
#include "tst_outputqueue.moc"
