// Private conversations that last, against the real server (docs/protocol.md
// section 19): numbered and stored per pair, paged with private_history
// across a restart, kept for an account that is offline, and never shown to
// the next guest who takes a nick.

#include "chatclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Password = u"correct horse battery"_s;

QString outcome(const QJsonObject &message)
{
    return ChatClient::outcome(message);
}

QJsonObject whisper(const QString &to, const QString &text)
{
    return {{u"to"_s, to}, {u"text"_s, text}};
}

QStringList texts(const QJsonObject &page)
{
    QStringList out;
    for (const QJsonValue &message : page.value("messages"_L1).toArray())
        out << message.toObject().value("text"_L1).toString();
    return out;
}

} // namespace

class TestPrivateMessages : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void numberedPerConversation();
    void historyLastsForAccounts();
    void waitsForAnAccountThatIsOffline();
    void guestsDoNotInheritANick();

private:
    // Connected; logged in to an account of its own (registered on first
    // use) unless withAccount is false.
    std::unique_ptr<ChatClient> user(const QString &nick, bool withAccount = true);
    QJsonObject history(ChatClient &client, const QString &with, const QJsonObject &more = {});

    std::unique_ptr<ServerProcess> m_server;
    QSet<QString> m_registered;
};

void TestPrivateMessages::init()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
    m_registered.clear();
}

void TestPrivateMessages::cleanup()
{
    m_server.reset();
}

std::unique_ptr<ChatClient> TestPrivateMessages::user(const QString &nick, bool withAccount)
{
    auto client = std::make_unique<ChatClient>();
    if (!client->connectTo(m_server->tcpPort()))
        return nullptr;
    const bool registering = !m_registered.contains(nick);
    if (withAccount ? !client->loginToAccount(nick, nick, Password, registering) : !client->login(nick))
        return nullptr;
    if (withAccount)
        m_registered.insert(nick);
    return client;
}

QJsonObject TestPrivateMessages::history(ChatClient &client, const QString &with, const QJsonObject &more)
{
    QJsonObject fields = more;
    fields.insert(u"with"_s, with);
    return client.ask(u"private_history"_s, fields, u"private_page"_s);
}

void TestPrivateMessages::numberedPerConversation()
{
    auto alice = user(u"alice"_s, false);
    auto bob = user(u"bob"_s, false);
    auto carol = user(u"carol"_s, false);
    QVERIFY(alice && bob && carol);

    // Both sides see the same number; each pair counts from 1.
    const QList<QPair<ChatClient *, ChatClient *>> turns{{alice.get(), bob.get()}, {bob.get(), alice.get()},
                                                         {alice.get(), bob.get()}};
    qint64 expected = 0;
    for (const auto &[from, to] : turns) {
        const QString toNick = to == bob.get() ? u"bob"_s : u"alice"_s;
        const QJsonObject echo = from->ask(u"whisper"_s, whisper(toNick, u"turn %1"_s.arg(++expected)), u"private"_s);
        QCOMPARE(echo.value("seq"_L1).toInteger(), expected);
        QVERIFY(!echo.contains("waiting"_L1));
        QCOMPARE(to->waitFor(u"private"_s).value("seq"_L1).toInteger(), expected);
    }
    QCOMPARE(carol->ask(u"whisper"_s, whisper(u"alice"_s, u"hi"_s), u"private"_s).value("seq"_L1).toInteger(), 1);
    QCOMPARE(texts(history(*alice, u"bob"_s)), QStringList({u"turn 1"_s, u"turn 2"_s, u"turn 3"_s}));
    QCOMPARE(texts(history(*bob, u"ALICE"_s, {{u"after"_s, 1}})), QStringList({u"turn 2"_s, u"turn 3"_s}));
    QCOMPARE(texts(history(*carol, u"bob"_s)), QStringList());
}

void TestPrivateMessages::historyLastsForAccounts()
{
    auto alice = user(u"alice"_s);
    auto bob = user(u"bob"_s);
    QVERIFY(alice && bob);
    for (int i = 1; i <= 3; ++i) {
        QCOMPARE(outcome(alice->ask(u"whisper"_s, whisper(u"bob"_s, u"m%1"_s.arg(i)), u"private"_s)), u"private"_s);
        QVERIFY(!bob->waitFor(u"private"_s).isEmpty());
    }
    alice.reset();
    bob.reset();
    QCOMPARE(m_server->stop(), 0); // and bob stays away after the restart
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));

    // Logged in again, on another connection: the conversation is there,
    // paged like a room's, and carries on numbering.
    auto back = user(u"alice"_s);
    QVERIFY(back);
    const QJsonObject page = history(*back, u"bob"_s);
    QCOMPARE(texts(page), QStringList({u"m1"_s, u"m2"_s, u"m3"_s}));
    QCOMPARE(page.value("with"_L1).toString(), u"bob"_s);
    const QJsonObject first = page.value("messages"_L1).toArray().first().toObject();
    QCOMPARE(first.value("from"_L1).toString(), u"alice"_s);
    QCOMPARE(first.value("to"_L1).toString(), u"bob"_s);
    QCOMPARE(texts(history(*back, u"bob"_s, {{u"before"_s, 3}, {u"limit"_s, 1}})), QStringList{u"m2"_s});
    const QJsonObject next = back->ask(u"whisper"_s, whisper(u"bob"_s, u"m4"_s), u"private"_s);
    QCOMPARE(next.value("seq"_L1).toInteger(), 4);
    QCOMPARE(next.value("waiting"_L1).toBool(), true); // bob is offline
}

void TestPrivateMessages::waitsForAnAccountThatIsOffline()
{
    {
        auto registering = user(u"bob"_s); // registers, then quits
        QVERIFY(registering && registering->quit());
    }
    auto alice = user(u"alice"_s, false);
    QVERIFY(alice);

    const QJsonObject echo = alice->ask(u"whisper"_s, whisper(u"bob"_s, u"call me"_s), u"private"_s);
    QCOMPARE(outcome(echo), u"private"_s);
    QCOMPARE(echo.value("waiting"_L1).toBool(), true);
    QCOMPARE(echo.value("seq"_L1).toInteger(), 1);
    // A guest who is not here is nobody to wait for.
    QCOMPARE(outcome(alice->ask(u"whisper"_s, whisper(u"nobody"_s, u"hello?"_s), u"private"_s)), u"no_such_user"_s);

    // bob logs in: it arrives right after welcome, once.
    auto bob = std::make_unique<ChatClient>();
    QVERIFY(bob->connectTo(m_server->tcpPort()));
    QVERIFY(bob->loginToAccount(u"bob"_s, u"bob"_s, Password, false));
    const QJsonObject waited = bob->next();
    QCOMPARE(ChatClient::outcome(waited), u"private"_s);
    QCOMPARE(waited.value("text"_L1).toString(), u"call me"_s);
    QCOMPARE(waited.value("from"_L1).toString(), u"alice"_s);
    QCOMPARE(waited.value("seq"_L1).toInteger(), 1);
    QVERIFY(!waited.contains("waiting"_L1));
    QVERIFY(bob->quit());
    auto again = user(u"bob"_s);
    QVERIFY(again);
    QVERIFY(again->ask(u"ping"_s, {}, u"pong"_s).value("type"_L1) == "pong"_L1);
    for (const QJsonObject &message : again->pending())
        QVERIFY(message.value("type"_L1) != "private"_L1);
}

void TestPrivateMessages::guestsDoNotInheritANick()
{
    auto alice = user(u"alice"_s);
    auto dave = user(u"dave"_s, false);
    QVERIFY(alice && dave);
    QCOMPARE(outcome(dave->ask(u"whisper"_s, whisper(u"alice"_s, u"secret plan"_s), u"private"_s)), u"private"_s);
    QVERIFY(!alice->waitFor(u"private"_s).isEmpty());
    QCOMPARE(texts(history(*dave, u"alice"_s)), QStringList{u"secret plan"_s});
    QVERIFY(dave->quit());

    // Another guest called dave reads nothing of it; alice still does.
    auto otherDave = user(u"dave"_s, false);
    QVERIFY(otherDave);
    QCOMPARE(texts(history(*otherDave, u"alice"_s)), QStringList());
    QCOMPARE(texts(history(*alice, u"dave"_s)), QStringList{u"secret plan"_s});
}

QTEST_GUILESS_MAIN(TestPrivateMessages)
#include "tst_privatemessages.moc"
