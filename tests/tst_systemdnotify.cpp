// Type=notify: confab-server tells systemd (here, a socket the test made and
// named in NOTIFY_SOCKET) when its ports are open, when it reloads and when
// it stops.

#include "serverprocess.h"

#include <QFile>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class TestSystemdNotify : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void readyReloadingStopping();
    void refusedReloadIsReported();

private:
    // The next datagram, or empty after the timeout.
    QByteArray next(int timeoutMs = 20'000);

    QTemporaryDir m_dir;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
};

void TestSystemdNotify::initTestCase()
{
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    QVERIFY(m_fd >= 0);
    const QByteArray path = m_dir.filePath(u"notify"_s).toLocal8Bit();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    QVERIFY(size_t(path.size()) < sizeof address.sun_path);
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    QCOMPARE(::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
    m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    qputenv("NOTIFY_SOCKET", path);
}

void TestSystemdNotify::cleanupTestCase()
{
    qunsetenv("NOTIFY_SOCKET");
    m_notifier.reset();
    ::close(m_fd);
}

QByteArray TestSystemdNotify::next(int timeoutMs)
{
    char buffer[4096];
    ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
    if (got < 0) {
        QSignalSpy readable(m_notifier.get(), &QSocketNotifier::activated);
        if (!readable.wait(timeoutMs))
            return {};
        got = ::recv(m_fd, buffer, sizeof buffer, 0);
    }
    return got > 0 ? QByteArray(buffer, got) : QByteArray();
}

void TestSystemdNotify::readyReloadingStopping()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    const QByteArray ready = next();
    QVERIFY2(ready.startsWith("READY=1\n"), ready.constData());
    QVERIFY2(ready.contains("STATUS=listening: JSON lines on TCP port " + QByteArray::number(server.tcpPort())),
             ready.constData());

    server.reload();
    QCOMPARE(next(), QByteArray("RELOADING=1"));
    QVERIFY(next().startsWith("READY=1"));

    QCOMPARE(server.stop(), 0);
    QCOMPARE(next(), QByteArray("STOPPING=1"));
}

// `systemctl status` shows a reload that was refused.
void TestSystemdNotify::refusedReloadIsReported()
{
    const QString ini = m_dir.filePath(u"refused.ini"_s);
    QFile file(ini);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("motd=fine\n");
    file.close();
    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini}), qPrintable(server.error()));
    QVERIFY(next().startsWith("READY=1\n"));

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("motd=fine\nflood-burst=lots\n");
    file.close();
    server.reload();
    QCOMPARE(next(), QByteArray("RELOADING=1"));
    const QByteArray after = next();
    QVERIFY2(after.startsWith("READY=1\nSTATUS=serving; configuration not reloaded ("), after.constData());
    QVERIFY2(after.contains("flood-burst"), after.constData());
    QCOMPARE(server.stop(), 0);
    QCOMPARE(next(), QByteArray("STOPPING=1"));
}

QTEST_GUILESS_MAIN(TestSystemdNotify)
#include "tst_systemdnotify.moc"
