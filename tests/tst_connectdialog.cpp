// Connecting through the dialog, as a newcomer does: problems are shown in
// the dialog with what to do next; success opens the main window.

#include "chatclient.h"
#include "chatsession.h"
#include "connectdialog.h"
#include "launcher.h"
#include "mainwindow.h"
#include "serverfinder.h"
#include "serverprocess.h"
#include "widgettesting.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTcpServer>
#include <QTreeView>
#include <QUdpSocket>
#include <QTest>

using namespace Qt::StringLiterals;

class TestConnectDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void problems_data();
    void problems();
    void connectsAndOpensWindow();
    void connectsToAnotherServer();
    void registersThenLogsIn();
    void findsAServerAndConnects();
    void screenshotOfTwoServers();

private:
    void fill(ConnectDialog *dialog, const QString &server, const QString &nick, const QString &password);

    ServerProcess m_server;
    std::unique_ptr<ChatClient> m_holder;
};

void TestConnectDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    // Test-mode settings outlive the run: start from none.
    QSettings().clear();
    QVERIFY2(m_server.start({u"--password"_s, u"sesame"_s}), qPrintable(m_server.error()));
    m_holder = std::make_unique<ChatClient>();
    QVERIFY(m_holder->connectTo(m_server.tcpPort()));
    m_holder->send({{u"type"_s, u"hello"_s}, {u"nick"_s, u"taken"_s}, {u"password"_s, u"sesame"_s}});
    QVERIFY(!m_holder->waitFor(u"welcome"_s).isEmpty());
}

void TestConnectDialog::cleanupTestCase()
{
    m_holder.reset();
    QCOMPARE(m_server.stop(), 0);
}

void TestConnectDialog::fill(ConnectDialog *dialog, const QString &server, const QString &nick,
                             const QString &password)
{
    dialog->findChild<QComboBox *>(u"server"_s)->setCurrentText(server);
    dialog->findChild<QLineEdit *>(u"nick"_s)->setText(nick);
    dialog->findChild<QLineEdit *>(u"password"_s)->setText(password);
    QPushButton *connect = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(connect->isEnabled());
    QTest::mouseClick(connect, Qt::LeftButton);
}

void TestConnectDialog::problems_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("advice");

    QTest::newRow("nick taken") << QString() << u"Taken"_s << u"sesame"_s << u"Choose another one"_s;
    QTest::newRow("nick invalid") << QString() << u"-dash"_s << u"sesame"_s << u"start with a letter"_s;
    QTest::newRow("wrong password") << QString() << u"newbie"_s << u"guess"_s << u"operator for its password"_s;
    QTest::newRow("nick starts with a digit") << QString() << u"9lives"_s << u"sesame"_s
                                              << u"A nick must not start with a digit. Nicknames are"_s;
    QTest::newRow("nick starts with a mark") << QString() << u"\u0301abc"_s << u"sesame"_s
                                             << u"combining mark, which belongs on the letter before it"_s;
    QTest::newRow("unreachable") << u"unreachable"_s << u"newbie"_s << u"sesame"_s << u"that the server is running"_s;
    QTest::newRow("bad address") << u"localhost:notaport"_s << u"newbie"_s << u"sesame"_s << u"not a port number"_s;
}

void TestConnectDialog::problems()
{
    QFETCH(QString, server);
    QFETCH(QString, nick);
    QFETCH(QString, password);
    QFETCH(QString, advice);

    if (server.isEmpty()) {
        server = u"127.0.0.1:%1"_s.arg(m_server.tcpPort());
    } else if (server == u"unreachable"_s) {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        server = u"127.0.0.1:%1"_s.arg(closed.serverPort());
    }
    Launcher launcher;
    launcher.showDialog();
    ConnectDialog *dialog = launcher.dialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    fill(dialog, server, nick, password);
    auto *problem = dialog->findChild<QLabel *>(u"problem"_s);
    QTRY_VERIFY_WITH_TIMEOUT(problem->isVisible(), 10'000);
    QVERIFY2(problem->text().contains(advice), qPrintable(problem->text()));
    // Nothing clipped: the whole problem fits its label, the placeholder its field.
    QTRY_VERIFY(problem->height() >= problem->heightForWidth(problem->width()));
    auto *passwordField = dialog->findChild<QLineEdit *>(u"password"_s);
    if (passwordField && !passwordField->placeholderText().isEmpty()) {
        QVERIFY(passwordField->width()
                > passwordField->fontMetrics().horizontalAdvance(passwordField->placeholderText()));
    }
    // Whole sentences, each said once.
    QVERIFY2(!problem->text().contains(u".."_s), qPrintable(problem->text()));
    QVERIFY2(!problem->text().at(0).isLower(), qPrintable(problem->text()));
    // The form is usable again, and no window opened.
    QVERIFY(dialog->findChild<QLineEdit *>(u"nick"_s)->isEnabled());
    QVERIFY(!launcher.window());
}

void TestConnectDialog::connectsAndOpensWindow()
{
    Launcher launcher;
    launcher.showDialog();
    QPointer<ConnectDialog> dialog = launcher.dialog();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    fill(dialog, u"127.0.0.1:%1"_s.arg(m_server.tcpPort()), u"newcomer"_s, u"sesame"_s);
    QTRY_VERIFY_WITH_TIMEOUT(launcher.window() && launcher.window()->isVisible(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->isVisible(), 10'000);
    // Joined the default room.
    QTRY_VERIFY_WITH_TIMEOUT(launcher.session()->room(u"lobby"_s) && launcher.session()->room(u"lobby"_s)->isJoined(),
                             10'000);
}

void TestConnectDialog::connectsToAnotherServer()
{
    ServerProcess other;
    QVERIFY2(other.start(), qPrintable(other.error()));
    Launcher launcher;
    launcher.connectTo(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_server.tcpPort())), u"roamer"_s, u"sesame"_s,
                       {u"lobby"_s, u"firstplace"_s});
    QTRY_VERIFY_WITH_TIMEOUT(launcher.window() && launcher.window()->isVisible(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(launcher.session()->room(u"firstplace"_s)
                                     && launcher.session()->room(u"firstplace"_s)->isJoined(), 10'000);

    // Chat → Connect to Another Server: this one is left, the dialog asks.
    launcher.window()->findChild<QAction *>(u"connectElsewhere"_s)->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(launcher.dialog() && launcher.dialog()->isVisible(), 10'000);
    QVERIFY(!launcher.window()->isVisible());
    QCOMPARE(launcher.session()->conversations()->rowCount(), 0);
    fill(launcher.dialog(), u"127.0.0.1:%1"_s.arg(other.tcpPort()), u"roamer"_s, QString());
    QTRY_VERIFY_WITH_TIMEOUT(launcher.window()->isVisible(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(launcher.session()->room(u"lobby"_s) && launcher.session()->room(u"lobby"_s)->isJoined(),
                             10'000);
    QCOMPARE(launcher.session()->address().port, other.tcpPort());
    QVERIFY(!launcher.session()->room(u"firstplace"_s)); // nothing left over from the first server
    QCOMPARE(other.stop(), 0);
}

void TestConnectDialog::registersThenLogsIn()
{
    const QString server = u"127.0.0.1:%1"_s.arg(m_server.tcpPort());
    const QString secret = u"keeper-password-42"_s;
    {
        Launcher launcher;
        launcher.showDialog();
        ConnectDialog *dialog = launcher.dialog();
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        dialog->setAccountMode(ConnectDialog::AccountMode::Register);
        dialog->setAccountPassword(u"short"_s);
        fill(dialog, server, u"keeper"_s, u"sesame"_s);
        // Refused before anything is sent.
        auto *problem = dialog->findChild<QLabel *>(u"problem"_s);
        QVERIFY(problem->isVisible());
        QVERIFY2(problem->text().contains(u"8 to 256 characters"_s), qPrintable(problem->text()));

        dialog->setAccountPassword(secret);
        fill(dialog, server, u"keeper"_s, u"sesame"_s);
        QTRY_COMPARE_WITH_TIMEOUT(launcher.session()->account(), u"keeper"_s, 10'000);
        QVERIFY(launcher.window()->statusBar()->isVisible());
        launcher.session()->quit();
    }
    // The next time, the dialog offers the account, and checks the password.
    Launcher launcher;
    launcher.showDialog();
    ConnectDialog *dialog = launcher.dialog();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QCOMPARE(dialog->findChild<QLineEdit *>(u"nick"_s)->text(), u"keeper"_s);
    QCOMPARE(dialog->accountMode(), ConnectDialog::AccountMode::LogIn);
    auto *problem = dialog->findChild<QLabel *>(u"problem"_s);

    dialog->setAccountMode(ConnectDialog::AccountMode::Guest);
    fill(dialog, server, u"keeper"_s, u"sesame"_s);
    QTRY_VERIFY_WITH_TIMEOUT(problem->isVisible(), 10'000);
    QVERIFY2(problem->text().contains(u"belongs to an account"_s), qPrintable(problem->text()));

    dialog->setAccountMode(ConnectDialog::AccountMode::LogIn);
    dialog->setAccountPassword(u"not-the-password"_s);
    fill(dialog, server, u"keeper"_s, u"sesame"_s);
    QTRY_VERIFY_WITH_TIMEOUT(problem->text().contains(u"or its password is wrong"_s), 10'000);

    dialog->setAccountPassword(secret);
    fill(dialog, server, u"keeper"_s, u"sesame"_s);
    QTRY_COMPARE_WITH_TIMEOUT(launcher.session()->account(), u"keeper"_s, 10'000);

    // The account is remembered; its password is not, anywhere in the settings.
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
    const QByteArray stored = file.readAll();
    QVERIFY(stored.contains("keeper"));
    QVERIFY(!stored.contains(secret.toUtf8()));
    QVERIFY(!stored.contains("not-the-password"));
}

void TestConnectDialog::findsAServerAndConnects()
{
    const quint16 port = ServerProcess::freeUdpPort();
    ServerProcess lan;
    QVERIFY2(lan.start({u"--discovery-port"_s, QString::number(port), u"--name"_s, u"Team room"_s}),
             qPrintable(lan.error()));

    Launcher launcher;
    launcher.showDialog();
    ConnectDialog *dialog = launcher.dialog();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    // Only loopback, as in every test (CTest sets the same variable).
    dialog->finder()->setTargets({{QHostAddress(QHostAddress::LocalHost), port}});
    QCOMPARE(dialog->finder()->rowCount(), 0); // nothing is sent until asked
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"lookForServers"_s), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->finder()->rowCount(), 1, 10'000);
    QTreeView *found = dialog->foundServers();
    QCOMPARE(found->model()->index(0, 0).data().toString(), u"Team room"_s);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->findChild<QLabel *>(u"lookStatus"_s)->text().contains(u"1 server found"_s), 10'000);

    dialog->setAccountMode(ConnectDialog::AccountMode::Guest);
    dialog->findChild<QLineEdit *>(u"nick"_s)->setText(u"lan_user"_s);
    const QRect row = found->visualRect(found->model()->index(0, 0));
    QTest::mouseClick(found->viewport(), Qt::LeftButton, {}, row.center());
    QCOMPARE(dialog->findChild<QComboBox *>(u"server"_s)->currentText(), u"127.0.0.1:%1"_s.arg(lan.tcpPort()));
    QTest::mouseDClick(found->viewport(), Qt::LeftButton, {}, row.center());
    QTRY_VERIFY_WITH_TIMEOUT(launcher.window() && launcher.window()->isVisible(), 10'000);
    QCOMPARE(launcher.session()->address().port, lan.tcpPort());
    launcher.session()->quit();
    QCOMPARE(lan.stop(), 0);
}

void TestConnectDialog::screenshotOfTwoServers()
{
    const QList<quint16> ports{ServerProcess::freeUdpPort(), ServerProcess::freeUdpPort()};
    ServerProcess design;
    ServerProcess support;
    QVERIFY2(design.start({u"--discovery-port"_s, QString::number(ports[0]), u"--name"_s, u"Design team"_s}),
             qPrintable(design.error()));
    QVERIFY2(support.start({u"--discovery-port"_s, QString::number(ports[1]), u"--name"_s, u"Support desk"_s,
                            u"--password"_s, u"letmein"_s}),
             qPrintable(support.error()));
    Launcher launcher;
    launcher.showDialog();
    ConnectDialog *dialog = launcher.dialog();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    dialog->finder()->setTargets({{QHostAddress(QHostAddress::LocalHost), ports[0]},
                                  {QHostAddress(QHostAddress::LocalHost), ports[1]}});
    dialog->lookForServers();
    QTRY_COMPARE_WITH_TIMEOUT(dialog->finder()->rowCount(), 2, 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->finder()->isLooking(), 10'000);
    dialog->findChild<QLineEdit *>(u"nick"_s)->setText(u"alice"_s);
    dialog->resize(640, dialog->sizeHint().height());

    const QImage image = dialog->grab().toImage();
    QVERIFY(!image.isNull());
    QTemporaryDir scratch;
    QVERIFY(!saveScreenshot(image, u"connect-lan.png"_s, scratch).isEmpty());
    QCOMPARE(design.stop(), 0);
    QCOMPARE(support.stop(), 0);
}

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"
