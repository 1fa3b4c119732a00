// TLS on both ports, with a self-signed certificate made for the test.

#include "chatclient.h"
#include "chatsession.h"
#include "serverprocess.h"

#include <QProcess>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void tlsAndWssTalk();
    void plainClientGetsNothing();
    void httpsPage();
    void missingKeyIsAnError();
    void clientTrustsFingerprint_data();
    void clientTrustsFingerprint();

private:
    QTemporaryDir m_dir;
    QString m_cert;
    QString m_key;
    ServerProcess m_server;
};

void TestTls::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt was built without TLS support");
    m_cert = m_dir.filePath(u"cert.pem"_s);
    m_key = m_dir.filePath(u"key.pem"_s);
    QProcess openssl;
    openssl.start(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                                 u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-keyout"_s, m_key, u"-out"_s,
                                 m_cert, u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=localhost"_s});
    QVERIFY2(openssl.waitForFinished(30'000), "openssl did not finish");
    QVERIFY2(openssl.exitCode() == 0, openssl.readAllStandardError().constData());
    QVERIFY2(m_server.start({u"--tls-cert"_s, m_cert, u"--tls-key"_s, m_key}), qPrintable(m_server.error()));
}

void TestTls::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

void TestTls::tlsAndWssTalk()
{
    ChatClient tls(ChatClient::Transport::Tls);
    ChatClient wss(ChatClient::Transport::SecureWebSocket);
    QVERIFY(tls.connectTo(m_server.tcpPort()));
    QVERIFY(wss.connectTo(m_server.httpPort()));
    QVERIFY(tls.login(u"secure"_s));
    QVERIFY(wss.login(u"websecure"_s));
    QVERIFY(!tls.join(u"vault"_s).isEmpty());
    QVERIFY(!wss.join(u"vault"_s).isEmpty());
    tls.sendRaw(R"({"type":"say","room":"vault","text":"encrypted hello"})" "\n");
    QCOMPARE(wss.waitFor(u"message"_s).value("text"_L1).toString(), u"encrypted hello"_s);
    wss.sendRaw(R"({"type":"say","room":"vault","text":"and back"})");
    QCOMPARE(tls.waitFor(u"message"_s).value("text"_L1).toString(), u"encrypted hello"_s);
    QCOMPARE(tls.waitFor(u"message"_s).value("text"_L1).toString(), u"and back"_s);
}

void TestTls::plainClientGetsNothing()
{
    ChatClient plain(ChatClient::Transport::Tcp);
    QVERIFY(plain.connectTo(m_server.tcpPort()));
    plain.sendRaw(R"({"type":"hello","nick":"plain"})" "\n");
    // No welcome in clear text: the server waits for a TLS handshake and
    // drops the connection when it does not come.
    QVERIFY(plain.next(2000).isEmpty());
    QVERIFY(plain.waitForDisconnected(30'000));
}

void TestTls::httpsPage()
{
    QSslSocket socket;
    socket.setPeerVerifyMode(QSslSocket::VerifyNone);
    socket.connectToHostEncrypted(u"127.0.0.1"_s, m_server.httpPort());
    QVERIFY(socket.waitForEncrypted(10'000));
    socket.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QByteArray response;
    QTRY_VERIFY_WITH_TIMEOUT((response += socket.readAll()).contains("</html>"), 10'000);
    QVERIFY(response.startsWith("HTTP/1.1 200 OK"));
}

void TestTls::missingKeyIsAnError()
{
    QProcess process;
    process.start(ServerProcess::binary(), {u"--tcp-port"_s, u"0"_s, u"--http-port"_s, u"0"_s, u"--db"_s,
                                            u":memory:"_s, u"--tls-cert"_s, m_cert, u"--tls-key"_s, m_cert});
    QVERIFY(process.waitForFinished(20'000));
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(process.readAllStandardError().contains("no PEM private key"));
}

void TestTls::clientTrustsFingerprint_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<bool>("webSocket");
    QTest::newRow("tls") << u"tls"_s << false;
    QTest::newRow("wss") << u"wss"_s << true;
}

void TestTls::clientTrustsFingerprint()
{
    QFETCH(QString, scheme);
    QFETCH(bool, webSocket);
    const quint16 port = webSocket ? m_server.httpPort() : m_server.tcpPort();
    const ServerAddress address = *ServerAddress::parse(u"%1://127.0.0.1:%2"_s.arg(scheme).arg(port));

    // A self-signed certificate is not trusted on first sight: the client
    // stops and reports the fingerprint to ask the user about.
    ChatSession session;
    QSignalSpy untrusted(&session, &ChatSession::untrustedCertificate);
    session.start(address, u"careful%1"_s.arg(scheme));
    QVERIFY(untrusted.wait(10'000));
    const QString fingerprint = untrusted.first().at(0).toString();
    QCOMPARE(fingerprint.size(), 64);
    QCOMPARE(session.state(), ChatSession::State::Disconnected);

    // Once the user trusts that fingerprint, the same certificate is accepted.
    session.setTrustedFingerprints({fingerprint});
    session.start(address, u"careful%1"_s.arg(scheme));
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), ChatSession::State::Online, 10'000);

    // A different fingerprint does not open the door.
    ChatSession other;
    QSignalSpy otherUntrusted(&other, &ChatSession::untrustedCertificate);
    other.setTrustedFingerprints({QString(64, u'0')});
    other.start(address, u"other%1"_s.arg(scheme));
    QVERIFY(otherUntrusted.wait(10'000));
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
