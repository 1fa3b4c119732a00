// SIGHUP: confab-server re-reads its configuration file while everyone
// stays connected; a file with a mistake changes nothing.

#include "chatclient.h"
#include "serverprocess.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSslCertificate>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

// The common name of the certificate a new TLS client is shown.
QString presentedName(quint16 port)
{
    QSslSocket socket;
    socket.setPeerVerifyMode(QSslSocket::VerifyNone);
    socket.connectToHostEncrypted(u"127.0.0.1"_s, port);
    if (!socket.waitForEncrypted(10'000))
        return {};
    const QStringList names = socket.peerCertificate().subjectInfo(QSslCertificate::CommonName);
    return names.isEmpty() ? QString() : names.first();
}

} // namespace

class TestReload : public QObject
{
    Q_OBJECT

private slots:
    void settingsChangeWithoutDisconnecting();
    void mistakesChangeNothing_data();
    void mistakesChangeNothing();
    void certificateIsRenewed();
    void settingsInEffectAreLogged_data();
    void settingsInEffectAreLogged();
    void reloadOfTheSameFileChangesNothing();
    void reloadReadsExactly_data();
    void reloadReadsExactly();

private:
    QTemporaryDir m_dir;
};

void TestReload::settingsChangeWithoutDisconnecting()
{
    const QString ini = m_dir.filePath(u"settings.ini"_s);
    QVERIFY(writeFile(ini, "motd=Before the reload\nmax-rooms-per-user=1\n"));
    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini, u"--flood-rate"_s, u"0"_s}), qPrintable(server.error()));

    ChatClient early;
    QVERIFY(early.connectTo(server.tcpPort()));
    early.send({{u"type"_s, u"hello"_s}, {u"nick"_s, u"early"_s}});
    QCOMPARE(early.waitFor(u"welcome"_s).value(u"motd"_s).toString(), u"Before the reload"_s);
    QVERIFY(!early.join(u"one"_s).isEmpty());
    QCOMPARE(ChatClient::outcome(early.ask(u"join"_s, {{u"room"_s, u"two"_s}}, u"joined"_s)), u"too_many_rooms"_s);

    QVERIFY(writeFile(ini, "motd=After the reload\nmax-rooms-per-user=5\nmax-frame-bytes=4096\n"));
    const qsizetype mark = server.output().size();
    server.reload();
    QVERIFY2(server.waitForOutput(u"configuration reloaded"_s, mark), qPrintable(server.output()));
    // What cannot change while running is named, and kept.
    QVERIFY(server.output().indexOf(u"restart to change them: max-frame-bytes"_s, mark) >= 0);
    // What changed is named, before and after.
    QVERIFY2(server.output().indexOf(u"motd: \"Before the reload\" → \"After the reload\""_s, mark) >= 0,
             qPrintable(server.output()));
    QVERIFY(server.output().indexOf(u"max-rooms-per-user: 1 → 5"_s, mark) >= 0);
    QVERIFY(server.output().indexOf(u"max-frame-bytes: (default) → 4096"_s, mark) >= 0);

    ChatClient late;
    QVERIFY(late.connectTo(server.tcpPort()));
    late.send({{u"type"_s, u"hello"_s}, {u"nick"_s, u"late"_s}});
    QCOMPARE(late.waitFor(u"welcome"_s).value(u"motd"_s).toString(), u"After the reload"_s);

    // The early client is still here, under the new limit.
    QCOMPARE(ChatClient::outcome(early.ask(u"join"_s, {{u"room"_s, u"two"_s}}, u"joined"_s)), u"joined"_s);
    QVERIFY(!late.join(u"two"_s).isEmpty());
    early.send({{u"type"_s, u"say"_s}, {u"room"_s, u"two"_s}, {u"text"_s, u"still here"_s}});
    QCOMPARE(late.waitFor(u"message"_s).value(u"text"_s).toString(), u"still here"_s);
    QVERIFY(early.isConnected());
    QCOMPARE(server.stop(), 0);
}

void TestReload::mistakesChangeNothing_data()
{
    QTest::addColumn<QByteArray>("broken");
    QTest::addColumn<QString>("logged");

    QTest::newRow("bad number") << QByteArray("motd=Broken\nflood-burst=lots\n") << u"flood-burst"_s;
    QTest::newRow("unknown setting") << QByteArray("motd=Broken\nmotto=typo\n") << u"unknown setting 'motto'"_s;
    QTest::newRow("missing certificate") << QByteArray("motd=Broken\ntls-cert=/nonexistent.pem\ntls-key=/nonexistent.key\n")
                                         << u"cannot read the TLS certificate"_s;
    QTest::newRow("file gone") << QByteArray() << u"cannot read the config file"_s;
}

void TestReload::mistakesChangeNothing()
{
    QFETCH(QByteArray, broken);
    QFETCH(QString, logged);

    const QString ini = m_dir.filePath(u"mistake.ini"_s);
    QVERIFY(writeFile(ini, "motd=Good settings\n"));
    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini}), qPrintable(server.error()));
    if (broken.isEmpty())
        QVERIFY(QFile::remove(ini));
    else
        QVERIFY(writeFile(ini, broken));
    const qsizetype mark = server.output().size();
    server.reload();
    QVERIFY2(server.waitForOutput(u"configuration not reloaded"_s, mark), qPrintable(server.output()));
    QVERIFY2(server.output().indexOf(logged, mark) >= 0, qPrintable(server.output()));

    ChatClient client;
    QVERIFY(client.connectTo(server.tcpPort()));
    client.send({{u"type"_s, u"hello"_s}, {u"nick"_s, u"checker"_s}});
    QCOMPARE(client.waitFor(u"welcome"_s).value(u"motd"_s).toString(), u"Good settings"_s);
    QCOMPARE(server.stop(), 0);
}

void TestReload::certificateIsRenewed()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt was built without TLS support");
    const QString cert = m_dir.filePath(u"cert.pem"_s);
    const QString key = m_dir.filePath(u"key.pem"_s);
    const QString renewedCert = m_dir.filePath(u"renewed-cert.pem"_s);
    const QString renewedKey = m_dir.filePath(u"renewed-key.pem"_s);
    QVERIFY(ServerProcess::makeCertificate(cert, key, u"first.example"_s));
    QVERIFY(ServerProcess::makeCertificate(renewedCert, renewedKey, u"renewed.example"_s));
    const QString ini = m_dir.filePath(u"tls.ini"_s);
    QVERIFY(writeFile(ini, "tls-cert=" + cert.toUtf8() + "\ntls-key=" + key.toUtf8() + "\n"));

    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini}), qPrintable(server.error()));
    QCOMPARE(presentedName(server.tcpPort()), u"first.example"_s);
    ChatClient connected(ChatClient::Transport::Tls);
    QVERIFY(connected.connectTo(server.tcpPort()));
    QVERIFY(connected.login(u"stays"_s));

    // Renewal replaces the files in place, as certbot's hooks do.
    QFile::remove(cert);
    QFile::remove(key);
    QVERIFY(QFile::copy(renewedCert, cert) && QFile::copy(renewedKey, key));
    const qsizetype mark = server.output().size();
    server.reload();
    QVERIFY2(server.waitForOutput(u"configuration reloaded"_s, mark), qPrintable(server.output()));
    QVERIFY(server.output().indexOf(u"TLS certificate"_s, mark) >= 0);
    QCOMPARE(presentedName(server.tcpPort()), u"renewed.example"_s);
    QCOMPARE(presentedName(server.httpPort()), u"renewed.example"_s);
    // Whoever was connected stays connected.
    QCOMPARE(ChatClient::outcome(connected.ask(u"ping"_s, {}, u"pong"_s)), u"pong"_s);
    QCOMPARE(server.stop(), 0);
}

void TestReload::settingsInEffectAreLogged_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QStringList>("shown");
    QTest::addColumn<QStringList>("hidden");

    QTest::newRow("defaults") << QByteArray("") << QStringList{u"tls=off"_s, u"proxy-protocol=none"_s,
                                                               u"operators=none"_s, u"password=(none)"_s,
                                                               u"metrics-allow=127.0.0.0/8,::1/128"_s}
                              << QStringList{};
    QTest::newRow("operators and proxies")
            << QByteArray("operators=alice,bob\nproxy-protocol=10.0.0.2, 10.0.0.3\nrequire-account=true\n")
            << QStringList{u"operators=alice,bob"_s, u"proxy-protocol=10.0.0.2/32,10.0.0.3/32"_s,
                           u"require-account=true"_s}
            << QStringList{};
    QTest::newRow("password masked") << QByteArray("password=s3cret-words\nmotd=Hi, all; welcome\n")
                                     << QStringList{u"password=(hidden)"_s, u"motd=\"Hi, all; welcome\""_s}
                                     << QStringList{u"s3cret-words"_s};
    QTest::newRow("discovery off") << QByteArray("discovery-port=0\nbind=127.0.0.1\n")
                                   << QStringList{u"discovery=off"_s, u"bind=127.0.0.1"_s} << QStringList{};
}

// The start-up log says what the server understood, secrets excepted.
void TestReload::settingsInEffectAreLogged()
{
    QFETCH(QByteArray, file);
    QFETCH(QStringList, shown);
    QFETCH(QStringList, hidden);

    const QString ini = m_dir.filePath(u"effect.ini"_s);
    QVERIFY(writeFile(ini, file));
    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini}), qPrintable(server.error()));
    QVERIFY2(server.waitForOutput(u"settings in effect:"_s), qPrintable(server.output()));
    const QString output = server.output();
    const QString line = output.mid(output.indexOf(u"settings in effect:"_s)).section(u'\n', 0, 0);
    for (const QString &text : std::as_const(shown))
        QVERIFY2(line.contains(text), qPrintable(text + u" not in: "_s + line));
    for (const QString &text : std::as_const(hidden))
        QVERIFY2(!output.contains(text), qPrintable(text + u" shown in: "_s + output));
    QCOMPARE(server.stop(), 0);
}

void TestReload::reloadOfTheSameFileChangesNothing()
{
    const QString ini = m_dir.filePath(u"same.ini"_s);
    QVERIFY(writeFile(ini, "motd=Same\npassword=hunter22\n"));
    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini}), qPrintable(server.error()));
    qsizetype mark = server.output().size();
    server.reload();
    QVERIFY2(server.waitForOutput(u"configuration reloaded; nothing changed"_s, mark), qPrintable(server.output()));

    // A new password is said to have changed, and not shown.
    QVERIFY(writeFile(ini, "motd=Same\npassword=hunter23\n"));
    mark = server.output().size();
    server.reload();
    QVERIFY2(server.waitForOutput(u"configuration reloaded; changed: password (changed)"_s, mark),
             qPrintable(server.output()));
    QVERIFY(!server.output().contains(u"hunter2"_s));
    QCOMPARE(server.stop(), 0);
}

void TestReload::reloadReadsExactly_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("motd");
    QTest::addColumn<QString>("logged");

    QTest::newRow("commas and semicolons") << QByteArray("motd=Hi, all; be kind\n") << u"Hi, all; be kind"_s
                                           << u"motd: \"Before\" → \"Hi, all; be kind\""_s;
    QTest::newRow("unicode") << QByteArray("motd=Grüße, 世界 👋\n") << u"Grüße, 世界 👋"_s
                             << u"→ \"Grüße, 世界 👋\""_s;
    QTest::newRow("quoted edge spaces") << QByteArray("motd=\"  spaced  \"\n") << u"  spaced  "_s
                                        << u"→ \"  spaced  \""_s;
    QTest::newRow("a list") << QByteArray("motd=Before\noperators=alice,bob\n") << u"Before"_s
                            << u"operators: (default) → alice,bob"_s;
    QTest::newRow("comments") << QByteArray("; a comment\n# another\nmotd=Before\n") << u"Before"_s
                              << u"configuration reloaded; nothing changed"_s;
}

// A reload reads the file as exactly as the start does (configfile.h).
void TestReload::reloadReadsExactly()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, motd);
    QFETCH(QString, logged);

    const QString ini = m_dir.filePath(u"exact.ini"_s);
    QVERIFY(writeFile(ini, "motd=Before\n"));
    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini}), qPrintable(server.error()));
    QVERIFY(writeFile(ini, file));
    const qsizetype mark = server.output().size();
    server.reload();
    QVERIFY2(server.waitForOutput(u"configuration reloaded"_s, mark), qPrintable(server.output()));
    QVERIFY2(server.output().indexOf(logged, mark) >= 0, qPrintable(server.output().mid(mark)));

    ChatClient client;
    QVERIFY(client.connectTo(server.tcpPort()));
    client.send({{u"type"_s, u"hello"_s}, {u"nick"_s, u"reader"_s}});
    QCOMPARE(client.waitFor(u"welcome"_s).value(u"motd"_s).toString(), motd);
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestReload)
#include "tst_reload.moc"
