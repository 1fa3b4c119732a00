// "Host on This Computer" as a user meets it: one click in the connect
// dialog runs a server in the program and joins it; a colleague connects;
// closing asks before it stops the server for everyone.

#include "chatclient.h"
#include "chatsession.h"
#include "connectdialog.h"
#include "launcher.h"
#include "mainwindow.h"
#include "serverconfig.h"
#include "serverprocess.h"
#include "serverthread.h"
#include "widgettesting.h"

#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestHosting : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void hostJoinAndAskBeforeStopping();

private:
    QTemporaryDir m_dir;
};

void TestHosting::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
}

void TestHosting::hostJoinAndAskBeforeStopping()
{
    ServerConfig config;
    config.tcpPort = 0; // tests use free ports; users get 7700, or free ones if taken
    config.httpPort = 0;
    config.bind = QHostAddress::LocalHost;
    config.discoveryPort = ServerProcess::freeUdpPort();
    config.databasePath = m_dir.filePath(u"hosted.db"_s);
    config.displayName = u"Alice's laptop"_s;

    Launcher launcher;
    launcher.setHostingConfig(config);
    launcher.showDialog();
    ConnectDialog *dialog = launcher.dialog();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    dialog->findChild<QLineEdit *>(u"nick"_s)->setText(u"alice"_s);
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"host"_s), Qt::LeftButton);

    // One click: hosting, joined, and shown as such.
    QTRY_VERIFY_WITH_TIMEOUT(launcher.window() && launcher.window()->isVisible(), 20'000);
    QTRY_VERIFY_WITH_TIMEOUT(launcher.session()->room(u"lobby"_s) && launcher.session()->room(u"lobby"_s)->isJoined(),
                             10'000);
    ServerThread *server = launcher.hostedServer();
    QVERIFY(server && server->isRunning());
    QLabel *hosting = launcher.window()->hostingLabel();
    QVERIFY(hosting);
    QTRY_VERIFY_WITH_TIMEOUT(hosting->text().contains(u"Hosting here"_s), 10'000);

    // A colleague joins, and sees alice there.
    ChatClient colleague;
    QVERIFY(colleague.connectTo(server->tcpPort()));
    QVERIFY(colleague.login(u"bob"_s));
    const QJsonObject lobby = colleague.join(u"lobby"_s);
    QVERIFY(lobby.value(u"members"_s).toVariant().toStringList().contains(u"alice"_s));
    QTRY_VERIFY_WITH_TIMEOUT(hosting->text().contains(u"2 connected"_s), 10'000);

    // Closing asks first; keeping it running keeps the window.
    {
        ModalAnswer answer(u"keepRunning"_s);
        launcher.window()->close();
        QCOMPARE(answer.name, u"stopHosting"_s);
        QVERIFY(launcher.window()->isVisible());
        QVERIFY(server->isRunning());
    }
    {
        ModalAnswer answer(u"stopAndQuit"_s);
        QSignalSpy stopped(server, &ServerThread::stopped);
        launcher.window()->close();
        QCOMPARE(answer.name, u"stopHosting"_s);
        QVERIFY(!launcher.window()->isVisible());
        QVERIFY(stopped.wait(20'000));
        QCOMPARE(colleague.waitFor(u"closing"_s).value(u"reason"_s).toString(), u"server shutting down"_s);
        QVERIFY(!server->isRunning());
    }
}

QTEST_MAIN(TestHosting)
#include "tst_hosting.moc"
