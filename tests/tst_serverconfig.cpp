// confab-server's command line and config file, as an operator uses them.

#include "chatclient.h"
#include "serverconfig.h"
#include "serverprocess.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runServer(const QStringList &arguments)
{
    QProcess process;
    process.start(ServerProcess::binary(), arguments);
    Run run;
    if (!process.waitForFinished(20'000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

class TestServerConfig : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void helpAndVersion();
    void badArguments_data();
    void badArguments();
    void portInUse();
    void configFile();
    void configFileMeansWhatItSays();
    void checkConfig_data();
    void checkConfig();
    void sampleConfigIsValid();
    void cleanShutdown();
};

void TestServerConfig::parse_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("ok");

    QTest::newRow("nothing") << QStringList{} << true;
    QTest::newRow("ports") << QStringList{u"--tcp-port"_s, u"0"_s, u"--http-port"_s, u"8080"_s} << true;
    QTest::newRow("port too big") << QStringList{u"--tcp-port"_s, u"70000"_s} << false;
    QTest::newRow("port not a number") << QStringList{u"--tcp-port"_s, u"seven"_s} << false;
    QTest::newRow("fractional seconds") << QStringList{u"--ping-interval"_s, u"0.5"_s} << true;
    QTest::newRow("negative seconds") << QStringList{u"--hello-timeout"_s, u"-1"_s} << false;
    QTest::newRow("flood off") << QStringList{u"--flood-rate"_s, u"0"_s, u"--flood-burst"_s, u"0"_s} << true;
    QTest::newRow("bind") << QStringList{u"--bind"_s, u"127.0.0.1"_s} << true;
    QTest::newRow("bad bind") << QStringList{u"--bind"_s, u"not-an-ip"_s} << false;
    QTest::newRow("cert without key") << QStringList{u"--tls-cert"_s, u"/tmp/c.pem"_s} << false;
    QTest::newRow("unknown option") << QStringList{u"--colour"_s} << false;
    QTest::newRow("positional") << QStringList{u"extra"_s} << false;
    QTest::newRow("postgresql") << QStringList{u"--db"_s, u"postgresql://confab@db.example:5432/confab"_s} << true;
    QTest::newRow("postgresql without a database")
            << QStringList{u"--db"_s, u"postgresql://confab@db.example:5432/"_s} << false;
    QTest::newRow("cluster") << QStringList{u"--db"_s, u"postgres://confab@db:5432/confab"_s, u"--redis"_s,
                                            u"redis.example:6379"_s, u"--nick-lease"_s, u"30"_s}
                             << true;
    QTest::newRow("cluster over a socket")
            << QStringList{u"--db"_s, u"postgresql://confab@/confab?host=/run/postgresql"_s, u"--redis"_s,
                           u"unix:/run/redis/redis.sock"_s}
            << true;
    QTest::newRow("redis without postgresql") << QStringList{u"--redis"_s, u"127.0.0.1:6379"_s} << false;
    QTest::newRow("redis without a port")
            << QStringList{u"--db"_s, u"postgresql://a@b/c"_s, u"--redis"_s, u"127.0.0.1"_s} << false;
    QTest::newRow("lease too short")
            << QStringList{u"--db"_s, u"postgresql://a@b/c"_s, u"--redis"_s, u"h:1"_s, u"--nick-lease"_s, u"1"_s}
            << false;
}

void TestServerConfig::parse()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, ok);
    const auto result = ServerConfig::parse(QStringList{u"confab-server"_s} + arguments);
    QCOMPARE(result.outcome == ServerConfig::Outcome::Run, ok);
    if (!ok)
        QVERIFY(!result.message.isEmpty());
}

void TestServerConfig::helpAndVersion()
{
    const Run help = runServer({u"--help"_s});
    QCOMPARE(help.exitCode, 0);
    for (const char *option : {"--tcp-port", "--http-port", "--bind", "--db", "--config", "--password", "--motd",
                               "--tls-cert", "--tls-key", "--flood-burst", "--flood-rate", "--send-queue-bytes",
                               "--hello-timeout", "--ping-interval", "--ping-timeout", "--max-connections",
                               "--max-connections-per-address", "--max-rooms-per-user", "--max-frame-bytes"})
        QVERIFY2(help.out.contains(option), option);

    const Run version = runServer({u"--version"_s});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("confab-server "));
}

void TestServerConfig::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown option") << QStringList{u"--frobnicate"_s};
    QTest::newRow("bad number") << QStringList{u"--max-connections"_s, u"lots"_s};
    QTest::newRow("missing config") << QStringList{u"--config"_s, u"/nonexistent/confab.ini"_s};
    QTest::newRow("bad metrics subnet") << QStringList{u"--metrics-allow"_s, u"10.0.0.0/8,everyone"_s};
}

void TestServerConfig::badArguments()
{
    QFETCH(QStringList, arguments);
    const Run run = runServer(arguments);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.startsWith("confab-server: "), run.err.constData());
    QCOMPARE(run.err.trimmed().count('\n'), 0);
}

void TestServerConfig::portInUse()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    const Run run = runServer({u"--bind"_s, u"127.0.0.1"_s, u"--tcp-port"_s, QString::number(occupier.serverPort()),
                               u"--http-port"_s, u"0"_s, u"--db"_s, u":memory:"_s});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("cannot listen"), run.err.constData());
    QCOMPARE(run.err.trimmed().count('\n'), 0);
}

void TestServerConfig::configFile()
{
    QTemporaryDir dir;
    const QString ini = dir.filePath(u"confab-server.ini"_s);
    {
        QFile file(ini);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[General]\nmotd=Hello from the config file\nflood-burst=3\n");
    }
    ServerProcess server;
    QVERIFY2(server.start({u"--config"_s, ini}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.connectTo(server.tcpPort()));
    client.sendRaw(R"({"type":"hello","nick":"reader"})" "\n");
    QCOMPARE(client.next().value("motd"_L1).toString(), u"Hello from the config file"_s);
    QCOMPARE(server.stop(), 0);

    // The command line wins over the file.
    QVERIFY2(server.start({u"--config"_s, ini, u"--motd"_s, u"from the command line"_s}), qPrintable(server.error()));
    ChatClient second;
    QVERIFY(second.connectTo(server.tcpPort()));
    second.sendRaw(R"({"type":"hello","nick":"reader"})" "\n");
    QCOMPARE(second.next().value("motd"_L1).toString(), u"from the command line"_s);
    QCOMPARE(server.stop(), 0);

    {
        QFile file(ini);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[General]\nmotd=x\nflod-burst=3\n");
    }
    const Run run = runServer({u"--config"_s, ini});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("flod-burst"), run.err.constData());
}

void TestServerConfig::configFileMeansWhatItSays()
{
    // What QSettings' INI reading dropped without a word.
    QTemporaryDir dir;
    const QString ini = dir.filePath(u"confab-server.ini"_s);
    {
        QFile file(ini);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[General]\noperators=alice,bob\nmetrics-allow=127.0.0.1/32,127.0.0.9/32\n"
                   "motd=Be kind; no spam, please\n");
    }
    auto result = ServerConfig::parse({u"confab-server"_s, u"--config"_s, ini});
    QVERIFY2(result.outcome == ServerConfig::Outcome::Run, qPrintable(result.message));
    QCOMPARE(result.config.operators, (QStringList{u"alice"_s, u"bob"_s}));
    QCOMPARE(result.config.metricsAllow.size(), 2);
    QCOMPARE(result.config.motd, u"Be kind; no spam, please"_s);

    // A line that is not a setting, or a bad value, is refused with its number.
    {
        QFile file(ini);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("motd=hi\n\nflood-burst=lots\n");
    }
    result = ServerConfig::parse({u"confab-server"_s, u"--config"_s, ini});
    QVERIFY(result.outcome == ServerConfig::Outcome::ExitError);
    QVERIFY2(result.message.contains(u"line 3: flood-burst"_s), qPrintable(result.message));
}

void TestServerConfig::checkConfig_data()
{
    QTest::addColumn<QStringList>("arguments"); // {DIR} is a temporary folder with cert.pem and key.pem
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    QTest::addColumn<int>("lines");

    QTest::newRow("fine") << QStringList{u"--db"_s, u"{DIR}/new/history.db"_s, u"--operators"_s, u"root,admin"_s}
                          << 0 << u"configuration OK: TCP port 7700; HTTP port 7701; no TLS; database {DIR}/new/history.db; "
                                  "operators root, admin; LAN discovery on UDP 7702"_s
                          << 1;
    QTest::newRow("with TLS") << QStringList{u"--db"_s, u"{DIR}/h.db"_s, u"--tls-cert"_s, u"{DIR}/cert.pem"_s,
                                             u"--tls-key"_s, u"{DIR}/key.pem"_s}
                              << 0 << u"TLS on both"_s << 1;
    QTest::newRow("a key that is not one")
            << QStringList{u"--db"_s, u"{DIR}/h.db"_s, u"--tls-cert"_s, u"{DIR}/cert.pem"_s, u"--tls-key"_s,
                           u"{DIR}/cert.pem"_s}
            << 1 << u"holds no PEM private key"_s << 1;
    QTest::newRow("two problems") << QStringList{u"--db"_s, u"{DIR}/key.pem/h.db"_s, u"--tls-cert"_s,
                                                 u"{DIR}/missing.pem"_s, u"--tls-key"_s, u"{DIR}/key.pem"_s}
                                  << 1 << u"cannot read the TLS certificate"_s << 2;
    QTest::newRow("a bad setting") << QStringList{u"--flood-burst"_s, u"lots"_s} << 1 << u"flood-burst"_s << 1;
}

void TestServerConfig::checkConfig()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    QFETCH(int, lines);

    QTemporaryDir dir;
    QVERIFY(ServerProcess::makeCertificate(dir.filePath(u"cert.pem"_s), dir.filePath(u"key.pem"_s), u"localhost"_s));
    for (QString &argument : arguments)
        argument.replace(u"{DIR}"_s, dir.path());
    const Run run = runServer(arguments + QStringList{u"--check-config"_s});
    QCOMPARE(run.exitCode, exitCode);
    const QString said = QString::fromUtf8(run.out + run.err);
    QVERIFY2(said.contains(QString(says).replace(u"{DIR}"_s, dir.path())), qPrintable(said));
    QCOMPARE(said.count(u'\n'), lines);
    // A check makes nothing.
    QVERIFY(!QFileInfo::exists(dir.filePath(u"new"_s)));
}

void TestServerConfig::sampleConfigIsValid()
{
    const QString sample = QStringLiteral(CONFAB_SOURCE_DIR "/resources/confab-server.ini");
    const auto result = ServerConfig::parse({u"confab-server"_s, u"--config"_s, sample});
    QVERIFY2(result.outcome == ServerConfig::Outcome::Run, qPrintable(result.message));
    QCOMPARE(result.config.tcpPort, quint16(7700));
    QCOMPARE(result.config.limits.floodBurst, 10);
    QCOMPARE(result.config.limits.helloTimeoutMs, 30'000);
    QVERIFY(result.config.motd.startsWith(u"Welcome!"_s));
    // The hosted profile: this machine only, no discovery, /status for
    // this machine's own users.
    QCOMPARE(result.config.bind, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(result.config.discoveryPort, quint16(0));
    QCOMPARE(result.config.statusAllow.size(), 2);
    QCOMPARE(result.config.statusAllow.first().second, 32);
}

void TestServerConfig::cleanShutdown()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    ChatClient tcp;
    ChatClient web(ChatClient::Transport::WebSocket);
    QVERIFY(tcp.connectTo(server.tcpPort()) && tcp.login(u"stayer"_s));
    QVERIFY(web.connectTo(server.httpPort()) && web.login(u"webstayer"_s));
    QCOMPARE(server.stop(), 0);
    for (ChatClient *client : {&tcp, &web}) {
        QCOMPARE(client->waitFor(u"closing"_s).value("reason"_L1).toString(), u"server shutting down"_s);
        QVERIFY(client->waitForDisconnected());
    }
    QVERIFY(server.output().contains(u"shutting down"_s));
}

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_serverconfig.moc"
