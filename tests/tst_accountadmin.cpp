// `confab-server account add|reset-password|rename|delete|list` against a
// running server, on SQLite and on PostgreSQL: the server takes each change
// within seconds (whoever is logged in to a renamed or deleted account is
// put out, a freed name can be taken, roles follow a rename), and each
// change is in the audit log.

#include "backingservices.h"
#include "chatclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

class TestAccountAdmin : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void whileTheServerRuns_data();
    void whileTheServerRuns();
    void mistakesAreRefused_data();
    void mistakesAreRefused();

private:
    PostgresProcess m_postgres;
    int m_databases = 0;
};

void TestAccountAdmin::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
}

void TestAccountAdmin::whileTheServerRuns_data()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("SQLite") << false;
    QTest::newRow("PostgreSQL") << true;
}

void TestAccountAdmin::whileTheServerRuns()
{
    QFETCH(bool, postgres);
    ServerProcess server;
    if (postgres) {
        // Each run on a database of its own.
        const QString name = u"admin%1"_s.arg(++m_databases);
        QVERIFY2(m_postgres.createDatabase(name), qPrintable(m_postgres.error()));
        server.setDatabasePath(m_postgres.urlOf(name));
    }
    QString said;
    QCOMPARE(server.account({u"add"_s, u"root"_s}, u"operator-pw\n"_s, &said), 0);
    QVERIFY2(server.start({u"--operators"_s, u"root"_s}), qPrintable(server.error()));

    // Made while the server runs: the nick is reserved within seconds.
    QCOMPARE(server.account({u"add"_s, u"Alice"_s}, u"first-pw\n"_s, &said), 0);
    QCOMPARE(said.trimmed(), u"the account Alice is made"_s);
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                ChatClient guest;
                return guest.connectTo(server.tcpPort())
                       && ChatClient::outcome(guest.ask(u"hello"_s, {{u"nick"_s, u"alice"_s}}, u"welcome"_s))
                                  == u"nick_reserved"_s;
            }(),
            10'000);

    ChatClient watcher; // keeps the room open, so its roles are in memory
    QVERIFY(watcher.enter(server.tcpPort(), u"watcher"_s, {u"den"_s}));
    ChatClient alice;
    QVERIFY(alice.connectTo(server.tcpPort()));
    QVERIFY(alice.loginToAccount(u"Alice"_s, u"Alice"_s, u"first-pw"_s, false));
    QVERIFY(!alice.join(u"den"_s).isEmpty());
    QCOMPARE(ChatClient::outcome(alice.ask(u"claim"_s, {{u"room"_s, u"den"_s}}, u"role_changed"_s)), u"role_changed"_s);

    QCOMPARE(server.account({u"list"_s}, {}, &said), 0);
    QVERIFY2(said.contains(u"Alice\tsince "_s) && said.contains(u"owns 1 room(s)"_s), qPrintable(said));
    QVERIFY2(said.contains(u"root\tsince "_s) && said.contains(u"2 account(s)"_s), qPrintable(said));

    // Renamed: the session is put out, the new name logs in with the same
    // password and still owns the room; the old name is free.
    QCOMPARE(server.account({u"rename"_s, u"alice"_s, u"Alicia"_s}, {}, &said), 0);
    QCOMPARE(said.trimmed(), u"the account Alice is now Alicia"_s);
    const QJsonObject closing = alice.waitFor(u"closing"_s, 15'000);
    QVERIFY2(closing.value(u"reason"_s).toString().contains(u"renamed or deleted"_s), qPrintable(said));
    QVERIFY(alice.waitForDisconnected());
    ChatClient alicia;
    QVERIFY(alicia.connectTo(server.tcpPort()));
    QVERIFY(alicia.loginToAccount(u"Alicia"_s, u"Alicia"_s, u"first-pw"_s, false));
    QCOMPARE(alicia.join(u"den"_s).value(u"roles"_s).toObject().value(u"Alicia"_s).toString(), u"owner"_s);
    ChatClient squatter;
    QVERIFY(squatter.connectTo(server.tcpPort()));
    QVERIFY(squatter.login(u"alice"_s));
    QVERIFY(squatter.quit());

    // A new password: the old one no longer works.
    QCOMPARE(server.account({u"reset-password"_s, u"alicia"_s}, u"second-pw\n"_s, &said), 0);
    ChatClient oldPassword;
    QVERIFY(oldPassword.connectTo(server.tcpPort()));
    QVERIFY(!oldPassword.loginToAccount(u"Alicia2"_s, u"Alicia"_s, u"first-pw"_s, false));

    // Deleted: put out, cannot log in, the name is free, and a new account
    // of the same name inherits nothing.
    QCOMPARE(server.account({u"delete"_s, u"Alicia"_s}, {}, &said), 0);
    QCOMPARE(said.trimmed(), u"the account Alicia is deleted"_s);
    QVERIFY(alicia.waitFor(u"closing"_s, 15'000).value(u"reason"_s).toString().contains(u"deleted"_s));
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                ChatClient guest;
                return guest.connectTo(server.tcpPort()) && guest.login(u"alicia"_s) && guest.quit();
            }(),
            10'000);
    QCOMPARE(server.account({u"add"_s, u"alicia"_s}, u"third-pw\n"_s, &said), 0);
    ChatClient newcomer;
    QVERIFY(newcomer.connectTo(server.tcpPort()));
    const QJsonObject welcome = newcomer.ask(
            u"hello"_s,
            {{u"nick"_s, u"alicia"_s}, {u"login"_s, QJsonObject{{u"account"_s, u"alicia"_s}, {u"password"_s, u"third-pw"_s}}}},
            u"welcome"_s);
    QVERIFY2(ChatClient::outcome(welcome) == u"welcome"_s, QJsonDocument(welcome).toJson().constData());
    QVERIFY(!newcomer.join(u"den"_s).value(u"roles"_s).toObject().contains(u"alicia"_s));

    // Every change is in the server's audit log, by who ran the command.
    ChatClient root;
    QVERIFY(root.connectTo(server.tcpPort()));
    QVERIFY(root.loginToAccount(u"root"_s, u"root"_s, u"operator-pw"_s, false));
    const QJsonArray entries =
            root.ask(u"audit"_s, {{u"limit"_s, 20}}, u"audit_page"_s).value(u"entries"_s).toArray();
    QStringList actions;
    for (const QJsonValue &entry : entries) {
        if (entry[u"by"_s].toString().startsWith(u"shell:"_s))
            actions << entry[u"action"_s].toString() + u' ' + entry[u"target"_s].toString();
    }
    QCOMPARE(actions, (QStringList{u"account_add root"_s, u"account_add Alice"_s, u"account_rename Alicia"_s,
                                   u"account_password Alicia"_s, u"account_delete Alicia"_s,
                                   u"account_add alicia"_s}));
    QCOMPARE(server.stop(), 0);
}

void TestAccountAdmin::mistakesAreRefused_data()
{
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("said");

    QTest::newRow("no such account") << QStringList{u"delete"_s, u"nobody"_s} << QString()
                                     << u"there is no account nobody"_s;
    QTest::newRow("rename onto another") << QStringList{u"rename"_s, u"bob"_s, u"carol"_s} << QString()
                                         << u"carol is an account already"_s;
    QTest::newRow("add twice") << QStringList{u"add"_s, u"BOB"_s} << u"whatever-pw\n"_s << u"bob is an account already"_s;
    QTest::newRow("bad name") << QStringList{u"add"_s, u"no spaces"_s} << u"whatever-pw\n"_s << u"cannot be an account"_s;
    QTest::newRow("short password") << QStringList{u"reset-password"_s, u"bob"_s} << u"x\n"_s << u"password"_s;
    QTest::newRow("unknown verb") << QStringList{u"promote"_s, u"bob"_s} << QString() << u"usage:"_s;
    QTest::newRow("missing word") << QStringList{u"rename"_s, u"bob"_s} << QString() << u"usage:"_s;
}

void TestAccountAdmin::mistakesAreRefused()
{
    QFETCH(QStringList, words);
    QFETCH(QString, input);
    QFETCH(QString, said);

    ServerProcess server;
    QCOMPARE(server.account({u"add"_s, u"bob"_s}, u"bob-password\n"_s), 0);
    QCOMPARE(server.account({u"add"_s, u"carol"_s}, u"carol-password\n"_s), 0);
    QString output;
    QCOMPARE(server.account(words, input, &output), 1);
    QVERIFY2(output.startsWith(u"confab-server: "_s) && output.contains(said), qPrintable(output));
    // Nothing changed.
    QCOMPARE(server.account({u"list"_s}, {}, &output), 0);
    QVERIFY2(output.contains(u"bob\t"_s) && output.contains(u"carol\t"_s) && output.contains(u"2 account(s)"_s),
             qPrintable(output));
}

QTEST_GUILESS_MAIN(TestAccountAdmin)
#include "tst_accountadmin.moc"
