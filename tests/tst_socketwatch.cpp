// SocketWatch: a connection's descriptor watched for input and output,
// level-triggered. Run twice by CTest: under the server's epoll dispatcher
// (the dispatcher calls the watcher directly) and, with
// CONFAB_TEST_QT_DISPATCHER set, under Qt's own (QSocketNotifiers).

#include "epolldispatcher.h"
#include "socketwatch.h"

#include <QCoreApplication>
#include <QTest>

#include <functional>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A connected pair of local stream sockets, closed at the end.
struct SocketPair
{
    int ours = -1;
    int theirs = -1;
    SocketPair()
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0) {
            ours = fds[0];
            theirs = fds[1];
        }
    }
    ~SocketPair()
    {
        ::close(ours);
        ::close(theirs);
    }
    bool send(QByteArrayView bytes) const { return ::write(theirs, bytes.data(), size_t(bytes.size())) == bytes.size(); }
};

class Recorder final : public QObject, public DescriptorWatcher
{
public:
    int reads = 0;
    int writes = 0;
    std::function<void()> onRead;

    void descriptorReadable() override
    {
        ++reads;
        if (onRead)
            onRead();
    }
    void descriptorWritable() override { ++writes; }
};

// Runs a few passes of the event loop without waiting: what is ready is
// dispatched, so anything that should not fire has had its chance to.
void runPasses()
{
    for (int pass = 0; pass < 5; ++pass)
        QCoreApplication::processEvents();
}

} // namespace

class TestSocketWatch : public QObject
{
    Q_OBJECT

private slots:
    void rightDispatcher();
    void inputIsLevelTriggered_data();
    void inputIsLevelTriggered();
    void outputOnlyWhenAsked();
    void stoppedDescriptorNumberReused();
    void stopFromInsideTheHandler();
};

void TestSocketWatch::rightDispatcher()
{
    const bool epoll = qEnvironmentVariableIsEmpty("CONFAB_TEST_QT_DISPATCHER");
    QCOMPARE(EpollEventDispatcher::ofThisThread() != nullptr, epoll);
}

void TestSocketWatch::inputIsLevelTriggered_data()
{
    QTest::addColumn<bool>("pausedFirst");
    QTest::newRow("reading from the start") << false;
    QTest::newRow("paused, then resumed") << true;
}

void TestSocketWatch::inputIsLevelTriggered()
{
    QFETCH(bool, pausedFirst);
    SocketPair pair;
    Recorder recorder;
    SocketWatch watch(&recorder);
    watch.start(pair.ours, &recorder);
    if (pausedFirst)
        watch.setReading(false);
    QVERIFY(pair.send("hello"));
    if (pausedFirst) {
        runPasses();
        QCOMPARE(recorder.reads, 0);
        watch.setReading(true);
    }
    // Nobody reads the input, so it is reported pass after pass.
    QTRY_VERIFY(recorder.reads >= 3);
    QCOMPARE(recorder.writes, 0);
    watch.setReading(false);
    runPasses();
    const int readsWhenOff = recorder.reads;
    runPasses();
    QCOMPARE(recorder.reads, readsWhenOff);
}

void TestSocketWatch::outputOnlyWhenAsked()
{
    SocketPair pair;
    Recorder recorder;
    SocketWatch watch(&recorder);
    watch.start(pair.ours, &recorder);
    runPasses();
    QCOMPARE(recorder.writes, 0);
    watch.setWriting(true);
    QTRY_VERIFY(recorder.writes > 0);
    watch.setWriting(false);
    runPasses();
    const int writesWhenOff = recorder.writes;
    runPasses();
    QCOMPARE(recorder.writes, writesWhenOff);
    QCOMPARE(recorder.reads, 0);
}

void TestSocketWatch::stoppedDescriptorNumberReused()
{
    Recorder first;
    Recorder second;
    int firstNumber = -1;
    {
        SocketPair pair;
        firstNumber = pair.ours;
        SocketWatch watch(&first);
        watch.start(pair.ours, &first);
        runPasses();
        watch.stop();
    }
    // The kernel gives the lowest free numbers: the same ones again.
    SocketPair pair;
    QCOMPARE(pair.ours, firstNumber);
    SocketWatch watch(&second);
    watch.start(pair.ours, &second);
    QVERIFY(pair.send("x"));
    QTRY_VERIFY(second.reads > 0);
    QCOMPARE(first.reads, 0);
}

void TestSocketWatch::stopFromInsideTheHandler()
{
    // What a connection does when it reads the end of the stream: stops
    // watching and closes, from inside the call.
    SocketPair pair;
    Recorder recorder;
    SocketWatch watch(&recorder);
    recorder.onRead = [&] { watch.stop(); };
    watch.start(pair.ours, &recorder);
    QVERIFY(pair.send("bye"));
    QTRY_COMPARE(recorder.reads, 1);
    runPasses();
    QCOMPARE(recorder.reads, 1);
}

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("CONFAB_TEST_QT_DISPATCHER"))
        QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestSocketWatch test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_socketwatch.moc"
