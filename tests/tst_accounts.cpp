// Accounts against the real server (protocol section 12): register,
// reserved nicks, login, throttling, change_password, --require-account,
// what the database holds, and --reset-password.

#include "chatclient.h"
#include "serverprocess.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Password = u"correct horse battery"_s;

QJsonObject request(const QString &type, const QJsonObject &fields = {})
{
    QJsonObject message = fields;
    message.insert(u"type"_s, type);
    return message;
}

QJsonObject credentials(const QString &account, const QString &password)
{
    return {{u"account"_s, account}, {u"password"_s, password}};
}

QString outcome(const QJsonObject &message)
{
    return ChatClient::outcome(message);
}

QJsonObject hello(ChatClient &client, const QString &nick, const QJsonObject &login = {})
{
    QJsonObject fields{{u"nick"_s, nick}};
    if (!login.isEmpty())
        fields.insert(u"login"_s, login);
    return client.ask(u"hello"_s, fields, u"welcome"_s);
}

QJsonObject registerAccount(ChatClient &client, const QString &password)
{
    return client.ask(u"register"_s, {{u"password"_s, password}}, u"registered"_s);
}

} // namespace

class TestAccounts : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void registerReservesTheNick();
    void loginIsThrottledPerAccount();
    void loginIsThrottledPerAddress();
    void changePassword();
    void refusals_data();
    void refusals();
    void registrationsPerAddress();
    void requestsWaitForTheHash();
    void requireAccount();
    void accountsSurviveRestartAndNoPasswordIsStored();
    void resetPasswordCommand_data();
    void resetPasswordCommand();
    void addAccountCommand_data();
    void addAccountCommand();

private:
    std::unique_ptr<ServerProcess> m_server;
    quint16 port() const { return m_server->tcpPort(); }
    std::unique_ptr<ChatClient> connected();
    // A connection logged in as `nick` that has registered `nick`.
    std::unique_ptr<ChatClient> registered(const QString &nick, const QString &password = Password);
};

void TestAccounts::init()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
}

void TestAccounts::cleanup()
{
    m_server.reset();
}

std::unique_ptr<ChatClient> TestAccounts::connected()
{
    auto client = std::make_unique<ChatClient>();
    return client->connectTo(port()) ? std::move(client) : nullptr;
}

std::unique_ptr<ChatClient> TestAccounts::registered(const QString &nick, const QString &password)
{
    auto client = connected();
    if (!client || outcome(hello(*client, nick)) != u"welcome"_s
        || outcome(registerAccount(*client, password)) != u"registered"_s) {
        return nullptr;
    }
    return client;
}

void TestAccounts::registerReservesTheNick()
{
    auto alice = connected();
    QVERIFY(alice);
    QCOMPARE(hello(*alice, u"Alice"_s).value("account"_L1), QJsonValue(QJsonValue::Null));
    const QJsonObject done = registerAccount(*alice, Password);
    QCOMPARE(outcome(done), u"registered"_s);
    QCOMPARE(done.value("account"_L1).toString(), u"Alice"_s);
    // Registering again: the nick is an account already.
    QCOMPARE(outcome(registerAccount(*alice, Password)), u"account_exists"_s);
    alice->send(request(u"quit"_s));
    QVERIFY(alice->waitForDisconnected());

    // Nobody else may take the nick, in any spelling, by hello or by nick.
    auto mallory = connected();
    QVERIFY(mallory);
    QCOMPARE(outcome(hello(*mallory, u"alice"_s)), u"nick_reserved"_s);
    QCOMPARE(outcome(hello(*mallory, u"mallory"_s)), u"welcome"_s);
    QCOMPARE(outcome(mallory->ask(u"nick"_s, {{u"nick"_s, u"ALICE"_s}}, u"nick_changed"_s)), u"nick_reserved"_s);

    // A wrong password, or an account that does not exist, is login_failed.
    auto again = connected();
    QVERIFY(again);
    QCOMPARE(outcome(hello(*again, u"Alice"_s, credentials(u"alice"_s, u"wrong password"_s))), u"login_failed"_s);
    QCOMPARE(outcome(hello(*again, u"nobody"_s, credentials(u"nobody"_s, Password))), u"login_failed"_s);
    // The right one: welcome says which account, spelled as registered.
    const QJsonObject welcome = hello(*again, u"alice"_s, credentials(u"ALICE"_s, Password));
    QCOMPARE(outcome(welcome), u"welcome"_s);
    QCOMPARE(welcome.value("account"_L1).toString(), u"Alice"_s);
    // A logged-in user may use other free nicks, and come back to its own.
    QCOMPARE(outcome(again->ask(u"nick"_s, {{u"nick"_s, u"ally"_s}}, u"nick_changed"_s)), u"nick_changed"_s);
    QCOMPARE(outcome(again->ask(u"nick"_s, {{u"nick"_s, u"Alice"_s}}, u"nick_changed"_s)), u"nick_changed"_s);
}

void TestAccounts::loginIsThrottledPerAccount()
{
    QVERIFY(registered(u"bob"_s));
    auto guesser = connected();
    QVERIFY(guesser);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(outcome(hello(*guesser, u"g"_s, credentials(u"bob"_s, u"guess %1"_s.arg(i)))), u"login_failed"_s);
    // Now even the right password waits: the answer must not tell.
    const QJsonObject limited = hello(*guesser, u"g"_s, credentials(u"bob"_s, Password));
    QCOMPARE(outcome(limited), u"rate_limited"_s);
    QVERIFY(limited.value("message"_L1).toString().contains(u"try again in"_s));
    // The connection stays open for another hello.
    QCOMPARE(outcome(hello(*guesser, u"guest"_s)), u"welcome"_s);
}

void TestAccounts::loginIsThrottledPerAddress()
{
    for (int i = 0; i < 3; ++i)
        QVERIFY(registered(u"user%1"_s.arg(i)));
    auto guesser = connected();
    QVERIFY(guesser);
    // Five wrong guesses spread over three accounts: no account reaches its
    // limit, the address does.
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(outcome(hello(*guesser, u"g"_s, credentials(u"user%1"_s.arg(i % 3), u"wrong password"_s))),
                 u"login_failed"_s);
    }
    QCOMPARE(outcome(hello(*guesser, u"g"_s, credentials(u"user0"_s, Password))), u"rate_limited"_s);
}

void TestAccounts::changePassword()
{
    auto carol = registered(u"carol"_s);
    QVERIFY(carol);
    const QString newPassword = u"a new and better one"_s;
    const QString changed_ = u"password_changed"_s;
    QCOMPARE(outcome(carol->ask(u"change_password"_s, {{u"old"_s, u"not the old one"_s}, {u"new"_s, newPassword}},
                                changed_)),
             u"login_failed"_s);
    QCOMPARE(outcome(carol->ask(u"change_password"_s, {{u"old"_s, Password}, {u"new"_s, u"short"_s}}, changed_)),
             u"password_invalid"_s);
    const QJsonObject changed =
            carol->ask(u"change_password"_s, {{u"old"_s, Password}, {u"new"_s, newPassword}, {u"id"_s, 5}}, changed_);
    QCOMPARE(outcome(changed), u"password_changed"_s);
    QCOMPARE(changed.value("id"_L1).toInt(), 5);
    carol->send(request(u"quit"_s));
    QVERIFY(carol->waitForDisconnected());

    auto later = connected();
    QVERIFY(later);
    QCOMPARE(outcome(hello(*later, u"carol"_s, credentials(u"carol"_s, Password))), u"login_failed"_s);
    QCOMPARE(outcome(hello(*later, u"carol"_s, credentials(u"carol"_s, newPassword))), u"welcome"_s);
}

void TestAccounts::refusals_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addColumn<QString>("code");

    QTest::newRow("register, 7 characters") << request(u"register"_s, {{u"password"_s, u"1234567"_s}})
                                            << u"password_invalid"_s;
    QTest::newRow("register, 257 characters")
            << request(u"register"_s, {{u"password"_s, QString(257, u'p')}}) << u"password_invalid"_s;
    QTest::newRow("register without password") << request(u"register"_s) << u"bad_request"_s;
    QTest::newRow("change_password, not logged in")
            << request(u"change_password"_s, {{u"old"_s, Password}, {u"new"_s, u"another password"_s}})
            << u"not_logged_in"_s;
}

void TestAccounts::refusals()
{
    QFETCH(QJsonObject, message);
    QFETCH(QString, code);
    auto client = connected();
    QVERIFY(client);
    QCOMPARE(outcome(hello(*client, u"dave"_s)), u"welcome"_s);
    client->send(message);
    QCOMPARE(outcome(client->waitFor(u"error"_s)), code);
}

void TestAccounts::registrationsPerAddress()
{
    for (int i = 0; i < 3; ++i)
        QVERIFY(registered(u"sock%1"_s.arg(i)));
    auto fourth = connected();
    QVERIFY(fourth);
    QCOMPARE(outcome(hello(*fourth, u"sock3"_s)), u"welcome"_s);
    QCOMPARE(outcome(registerAccount(*fourth, Password)), u"rate_limited"_s);
}

void TestAccounts::requestsWaitForTheHash()
{
    QVERIFY(registered(u"erin"_s));
    auto erin = connected();
    QVERIFY(erin);
    // Sent at once; answered in order, although the login takes a hash.
    QJsonObject login = request(u"hello"_s, {{u"nick"_s, u"erin"_s}, {u"login"_s, credentials(u"erin"_s, Password)}});
    erin->sendRaw(QJsonDocument(login).toJson(QJsonDocument::Compact) + '\n'
                  + R"({"type":"join","room":"lobby"})" "\n" R"({"type":"ping","id":"last"})" "\n");
    QCOMPARE(erin->next().value("type"_L1).toString(), u"welcome"_s);
    QCOMPARE(erin->next().value("type"_L1).toString(), u"joined"_s);
    QCOMPARE(erin->next().value("id"_L1).toString(), u"last"_s);
}

void TestAccounts::requireAccount()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->start({u"--require-account"_s}), qPrintable(m_server->error()));
    auto guest = connected();
    QVERIFY(guest);
    QCOMPARE(outcome(hello(*guest, u"guest"_s)), u"login_required"_s);
    QCOMPARE(outcome(hello(*guest, u"guest"_s, credentials(u"guest"_s, Password))), u"login_failed"_s);
}

void TestAccounts::accountsSurviveRestartAndNoPasswordIsStored()
{
    const QString secret = u"unmistakable-secret-7319"_s;
    auto frank = registered(u"frank"_s, secret);
    QVERIFY(frank);
    frank.reset();
    QCOMPARE(m_server->stop(), 0);
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
    auto back = connected();
    QVERIFY(back);
    QCOMPARE(outcome(hello(*back, u"frank"_s, credentials(u"frank"_s, secret))), u"welcome"_s);

    // Neither the database nor its log, nor the server's output, ever
    // holds the password.
    QCOMPARE(m_server->stop(), 0);
    for (const QString &suffix : {QString(), u"-wal"_s}) {
        QFile file(m_server->databasePath() + suffix);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray bytes = file.readAll();
        QVERIFY(!bytes.contains(secret.toUtf8()));
    }
    QVERIFY(!m_server->output().contains(secret));
}

void TestAccounts::resetPasswordCommand_data()
{
    QTest::addColumn<QString>("account");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");

    QTest::newRow("resets") << u"GRACE"_s << QByteArray("the new password\n") << 0 << u"is changed"_s;
    QTest::newRow("no such account") << u"nobody"_s << QByteArray("the new password\n") << 1 << u"no account"_s;
    QTest::newRow("too short") << u"grace"_s << QByteArray("short\n") << 1 << u"8 to 256"_s;
}

void TestAccounts::resetPasswordCommand()
{
    QFETCH(QString, account);
    QFETCH(QByteArray, input);
    QFETCH(int, exitCode);
    QFETCH(QString, says);

    QVERIFY(registered(u"grace"_s));
    QCOMPARE(m_server->stop(), 0);

    QProcess reset;
    reset.start(ServerProcess::binary(),
                {u"--db"_s, m_server->databasePath(), u"--reset-password"_s, account});
    QVERIFY(reset.waitForStarted());
    reset.write(input);
    reset.closeWriteChannel();
    QVERIFY(reset.waitForFinished(30'000));
    QCOMPARE(reset.exitCode(), exitCode);
    const QString said = QString::fromUtf8(reset.readAllStandardOutput() + reset.readAllStandardError());
    QVERIFY2(said.contains(says), qPrintable(said));
    QCOMPARE(said.count(u'\n'), 1); // one line

    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
    auto grace = connected();
    QVERIFY(grace);
    const QString works = exitCode == 0 ? u"the new password"_s : Password;
    QCOMPARE(outcome(hello(*grace, u"grace"_s, credentials(u"grace"_s, works))), u"welcome"_s);
}

void TestAccounts::addAccountCommand_data()
{
    QTest::addColumn<QStringList>("command"); // after --db PATH
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");

    QTest::newRow("makes it") << QStringList{u"account"_s, u"add"_s, u"Heidi"_s} << QByteArray("a fine password\n")
                              << 0 << u"the account Heidi is made"_s;
    QTest::newRow("taken") << QStringList{u"account"_s, u"add"_s, u"GRACE"_s} << QByteArray("a fine password\n")
                           << 1 << u"grace is an account already"_s;
    QTest::newRow("not a nick") << QStringList{u"account"_s, u"add"_s, u"two words"_s}
                                << QByteArray("a fine password\n") << 1 << u"cannot be an account"_s;
    QTest::newRow("too short") << QStringList{u"account"_s, u"add"_s, u"heidi"_s} << QByteArray("short\n") << 1
                               << u"8 to 256"_s;
    QTest::newRow("no name") << QStringList{u"account"_s, u"add"_s} << QByteArray() << 1 << u"usage"_s;
    QTest::newRow("another verb") << QStringList{u"account"_s, u"remove"_s, u"grace"_s} << QByteArray() << 1
                                  << u"usage"_s;
}

void TestAccounts::addAccountCommand()
{
    QFETCH(QStringList, command);
    QFETCH(QByteArray, input);
    QFETCH(int, exitCode);
    QFETCH(QString, says);

    // While the server runs, as an administrator would.
    QVERIFY(registered(u"grace"_s));
    QProcess add;
    add.start(ServerProcess::binary(), QStringList{u"--db"_s, m_server->databasePath()} + command);
    QVERIFY(add.waitForStarted());
    add.write(input);
    add.closeWriteChannel();
    QVERIFY(add.waitForFinished(30'000));
    QCOMPARE(add.exitCode(), exitCode);
    const QString said = QString::fromUtf8(add.readAllStandardOutput() + add.readAllStandardError());
    QVERIFY2(said.contains(says), qPrintable(said));
    QCOMPARE(said.count(u'\n'), 1); // one line

    // The running server lets the new account in.
    if (exitCode == 0) {
        auto heidi = connected();
        QVERIFY(heidi);
        QCOMPARE(outcome(hello(*heidi, u"heidi"_s, credentials(u"heidi"_s, u"a fine password"_s))), u"welcome"_s);
    }
}

QTEST_MAIN(TestAccounts)
#include "tst_accounts.moc"
