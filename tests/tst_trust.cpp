// Trust on first use for TLS, as the user meets it: a self-signed
// certificate is shown and accepted once; later connections are silent; a
// changed certificate is refused by default, with both fingerprints shown.

#include "chatconnection.h"
#include "chatsession.h"
#include "clientsettings.h"
#include "connectdialog.h"
#include "launcher.h"
#include "mainwindow.h"
#include "serverprocess.h"
#include "widgettesting.h"

#include <QCryptographicHash>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString fingerprintOf(const QString &certPath)
{
    QFile file(certPath);
    file.open(QIODevice::ReadOnly);
    return QString::fromLatin1(QSslCertificate(file.readAll()).digest(QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestTrust : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void firstUseThenSilentThenChanged();

private:
    QTemporaryDir m_dir;
};

void TestTrust::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
}

void TestTrust::firstUseThenSilentThenChanged()
{
    const QString certA = m_dir.filePath(u"a.pem"_s), keyA = m_dir.filePath(u"a.key"_s);
    const QString certB = m_dir.filePath(u"b.pem"_s), keyB = m_dir.filePath(u"b.key"_s);
    QVERIFY(ServerProcess::makeCertificate(certA, keyA, u"localhost"_s));
    QVERIFY(ServerProcess::makeCertificate(certB, keyB, u"localhost"_s));
    const QString first = ChatConnection::formatFingerprint(fingerprintOf(certA));
    const QString second = ChatConnection::formatFingerprint(fingerprintOf(certB));

    ServerProcess server;
    QVERIFY2(server.start({u"--tls-cert"_s, certA, u"--tls-key"_s, keyA}), qPrintable(server.error()));
    const quint16 port = server.tcpPort();
    const ServerAddress address = *ServerAddress::parse(u"tls://127.0.0.1:%1"_s.arg(port));

    {
        // First use: shown, with its fingerprint, and accepted once.
        ModalAnswer answer(u"trust"_s);
        Launcher launcher;
        launcher.connectTo(address, u"tofu"_s, {}, {});
        QTRY_VERIFY_WITH_TIMEOUT(launcher.window() && launcher.window()->isVisible(), 10'000);
        QVERIFY(answer.seen);
        QCOMPARE(answer.name, u"untrustedCertificate"_s);
        QVERIFY2(answer.details.contains(first), qPrintable(answer.details));
        launcher.session()->quit();
    }
    {
        // Remembered: the next connection asks nothing.
        ModalAnswer answer(u"trust"_s);
        Launcher launcher;
        launcher.connectTo(address, u"tofu"_s, {}, {});
        QTRY_VERIFY_WITH_TIMEOUT(launcher.window() && launcher.window()->isVisible(), 10'000);
        QVERIFY(!answer.seen);
        launcher.session()->quit();
    }

    // The same address now presents another certificate.
    QCOMPARE(server.stop(), 0);
    ServerProcess impostor;
    QVERIFY2(impostor.start({u"--tls-cert"_s, certB, u"--tls-key"_s, keyB, u"--tcp-port"_s, QString::number(port)}),
             qPrintable(impostor.error()));
    QCOMPARE(impostor.tcpPort(), port);
    {
        ModalAnswer answer{QString()}; // the default: do not connect
        Launcher launcher;
        launcher.connectTo(address, u"tofu"_s, {}, {});
        QTRY_VERIFY_WITH_TIMEOUT(answer.seen, 10'000);
        QCOMPARE(answer.name, u"changedCertificate"_s);
        QVERIFY2(answer.details.contains(first) && answer.details.contains(second), qPrintable(answer.details));
        QTRY_VERIFY_WITH_TIMEOUT(launcher.dialog() && launcher.dialog()->isVisible(), 10'000);
        QVERIFY(launcher.dialog()->findChild<QLabel *>(u"problem"_s)->text().contains(u"certificate changed"_s));
        QVERIFY(!launcher.window());
        QCOMPARE(launcher.session()->state(), ChatSession::State::Disconnected);
    }
    {
        // The user insists (the owner said it was replaced): from now on
        // only the new certificate is trusted there.
        ModalAnswer answer(u"trustNew"_s);
        Launcher launcher;
        launcher.connectTo(address, u"tofu"_s, {}, {});
        QTRY_VERIFY_WITH_TIMEOUT(launcher.window() && launcher.window()->isVisible(), 10'000);
        QCOMPARE(answer.name, u"changedCertificate"_s);
        QCOMPARE(ClientSettings().trustedFingerprints(u"127.0.0.1:%1"_s.arg(port)),
                 QSet<QString>{fingerprintOf(certB)});
        launcher.session()->quit();
    }
    QCOMPARE(impostor.stop(), 0);
}

QTEST_MAIN(TestTrust)
#include "tst_trust.moc"
