// Room roles and moderation against the real server (protocol
// section 13): claim, grant, kick, roles in joined, the audit log, server
// operators, and roles surviving a restart.

#include "chatclient.h"
#include "serverprocess.h"

#include <QDeadlineTimer>
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

} // namespace

class TestModeration : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void claimGrantKick();
    void rolesSurviveRestart();
    void bans();
    void mutes();
    void modesAndInvitations();
    void auditLog();
    void serverOperators();
    void serverBans();

private:
    // Connected, with an account of its own (registered on first use,
    // logged in after), in `room`.
    std::unique_ptr<ChatClient> member(const QString &nick, const QString &room, bool withAccount = true);
    std::unique_ptr<ServerProcess> m_server;
    QSet<QString> m_registered;
};

void TestModeration::init()
{
    m_server = std::make_unique<ServerProcess>();
    // An operator's account is made on the server's machine, never over
    // the wire.
    QVERIFY2(m_server->addAccount(u"root"_s, Password), qPrintable(m_server->error()));
    QVERIFY2(m_server->start({u"--operators"_s, u"root"_s}), qPrintable(m_server->error()));
    m_registered = {u"root"_s};
}

void TestModeration::cleanup()
{
    m_server.reset();
}

std::unique_ptr<ChatClient> TestModeration::member(const QString &nick, const QString &room, bool withAccount)
{
    auto client = std::make_unique<ChatClient>();
    if (!client->connectTo(m_server->tcpPort()))
        return nullptr;
    QJsonObject hello{{u"nick"_s, nick}};
    const bool loggingIn = withAccount && m_registered.contains(nick);
    if (loggingIn)
        hello.insert(u"login"_s, QJsonObject{{u"account"_s, nick}, {u"password"_s, Password}});
    if (outcome(client->ask(u"hello"_s, hello, u"welcome"_s)) != u"welcome"_s)
        return nullptr;
    if (withAccount && !loggingIn) {
        if (outcome(client->ask(u"register"_s, {{u"password"_s, Password}}, u"registered"_s)) != u"registered"_s)
            return nullptr;
        m_registered.insert(nick);
    }
    if (client->join(room).isEmpty())
        return nullptr;
    return client;
}

void TestModeration::claimGrantKick()
{
    auto alice = member(u"alice"_s, u"den"_s);
    auto bob = member(u"bob"_s, u"den"_s);
    auto dave = member(u"dave"_s, u"den"_s, false);
    QVERIFY(alice && bob && dave);

    // Claim: the first logged-in member to ask owns the room; everyone hears.
    const QJsonObject claimed = alice->ask(u"claim"_s, {{u"room"_s, u"den"_s}, {u"id"_s, 1}}, u"role_changed"_s);
    QCOMPARE(outcome(claimed), u"role_changed"_s);
    QCOMPARE(claimed.value("role"_L1).toString(), u"owner"_s);
    QCOMPARE(claimed.value("id"_L1).toInt(), 1);
    QCOMPARE(bob->waitFor(u"role_changed"_s).value("nick"_L1).toString(), u"alice"_s);
    QCOMPARE(outcome(bob->ask(u"claim"_s, {{u"room"_s, u"den"_s}}, u"role_changed"_s)), u"already_owned"_s);
    QCOMPARE(outcome(dave->ask(u"claim"_s, {{u"room"_s, u"den"_s}}, u"role_changed"_s)), u"not_logged_in"_s);

    // Grant: only the owner; roles only for logged-in users.
    QCOMPARE(outcome(bob->ask(u"grant"_s, {{u"room"_s, u"den"_s}, {u"nick"_s, u"bob"_s}, {u"role"_s, u"op"_s}},
                              u"role_changed"_s)),
             u"not_permitted"_s);
    QCOMPARE(outcome(alice->ask(u"grant"_s, {{u"room"_s, u"den"_s}, {u"nick"_s, u"dave"_s}, {u"role"_s, u"op"_s}},
                                u"role_changed"_s)),
             u"not_logged_in"_s);
    const QJsonObject granted = alice->ask(
            u"grant"_s, {{u"room"_s, u"den"_s}, {u"nick"_s, u"bob"_s}, {u"role"_s, u"op"_s}}, u"role_changed"_s);
    QCOMPARE(outcome(granted), u"role_changed"_s);
    QCOMPARE(granted.value("role"_L1).toString(), u"op"_s);
    QCOMPARE(dave->waitFor(u"role_changed"_s).value("by"_L1).toString(), u"alice"_s);

    // A newcomer sees who is who.
    auto erin = member(u"erin"_s, u"lobby"_s, false);
    QVERIFY(erin);
    const QJsonObject roles = erin->join(u"den"_s).value("roles"_L1).toObject();
    QCOMPARE(roles.value("alice"_L1).toString(), u"owner"_s);
    QCOMPARE(roles.value("bob"_L1).toString(), u"op"_s);
    QVERIFY(!roles.contains("dave"_L1));

    // Kick: an op removes a member, who is told why; nobody acts upwards.
    QCOMPARE(outcome(dave->ask(u"kick"_s, {{u"room"_s, u"den"_s}, {u"nick"_s, u"erin"_s}}, u"kicked"_s)),
             u"not_permitted"_s);
    QCOMPARE(outcome(bob->ask(u"kick"_s, {{u"room"_s, u"den"_s}, {u"nick"_s, u"alice"_s}}, u"kicked"_s)),
             u"not_permitted"_s);
    QCOMPARE(outcome(bob->ask(u"kick"_s, {{u"room"_s, u"den"_s}, {u"nick"_s, u"nobody"_s}}, u"kicked"_s)),
             u"no_such_user"_s);
    const QJsonObject kicked = bob->ask(
            u"kick"_s, {{u"room"_s, u"den"_s}, {u"nick"_s, u"dave"_s}, {u"reason"_s, u"spam"_s}}, u"kicked"_s);
    QCOMPARE(outcome(kicked), u"kicked"_s);
    const QJsonObject toldDave = dave->waitFor(u"kicked"_s);
    QCOMPARE(toldDave.value("by"_L1).toString(), u"bob"_s);
    QCOMPARE(toldDave.value("reason"_L1).toString(), u"spam"_s);
    const QJsonObject toldErin = erin->waitFor(u"kicked"_s);
    QCOMPARE(toldErin.value("nick"_L1).toString(), u"dave"_s);
    // Dave is out: saying something there is not_in_room; the others do not
    // hear a separate user_left.
    QCOMPARE(outcome(dave->ask(u"say"_s, {{u"room"_s, u"den"_s}, {u"text"_s, u"hi"_s}}, u"message"_s)),
             u"not_in_room"_s);
    const QJsonArray members = erin->ask(u"who"_s, {{u"room"_s, u"den"_s}}, u"member_list"_s)
                                       .value("members"_L1)
                                       .toArray();
    QVERIFY(!members.contains(u"dave"_s));
    for (const QJsonObject &pending : erin->takePending())
        QVERIFY(pending.value("type"_L1).toString() != u"user_left"_s);
}

void TestModeration::rolesSurviveRestart()
{
    auto alice = member(u"alice"_s, u"keep"_s);
    auto bob = member(u"bob"_s, u"keep"_s);
    QVERIFY(alice && bob);
    QCOMPARE(outcome(alice->ask(u"claim"_s, {{u"room"_s, u"keep"_s}}, u"role_changed"_s)), u"role_changed"_s);
    QCOMPARE(outcome(alice->ask(u"grant"_s, {{u"room"_s, u"keep"_s}, {u"nick"_s, u"bob"_s}, {u"role"_s, u"op"_s}},
                                u"role_changed"_s)),
             u"role_changed"_s);
    QCOMPARE(outcome(alice->ask(u"ban"_s, {{u"room"_s, u"keep"_s}, {u"mask"_s, u"nick:troll*"_s}}, u"ban_list"_s)),
             u"ban_list"_s);
    alice.reset();
    bob.reset();
    QCOMPARE(m_server->stop(), 0);
    QVERIFY2(m_server->start({u"--operators"_s, u"root"_s}), qPrintable(m_server->error()));

    auto back = member(u"bob"_s, u"lobby"_s);
    QVERIFY(back);
    QCOMPARE(back->join(u"keep"_s).value("roles"_L1).toObject().value("bob"_L1).toString(), u"op"_s);
    auto alice2 = member(u"alice"_s, u"keep"_s);
    QVERIFY(alice2);
    const QJsonObject roles = alice2->join(u"keep"_s).value("roles"_L1).toObject();
    QCOMPARE(roles.value("alice"_L1).toString(), u"owner"_s);
    const QJsonArray bans =
            alice2->ask(u"ban_list"_s, {{u"room"_s, u"keep"_s}}, u"ban_list"_s).value("bans"_L1).toArray();
    QCOMPARE(bans.size(), 1);
    QCOMPARE(bans.first().toObject().value("mask"_L1).toString(), u"nick:troll*"_s);
}

void TestModeration::bans()
{
    auto alice = member(u"alice"_s, u"pub"_s);
    auto bob = member(u"bob"_s, u"pub"_s);
    auto erin = member(u"erin"_s, u"pub"_s);
    auto dave = member(u"dave"_s, u"pub"_s, false);
    QVERIFY(alice && bob && erin && dave);
    QCOMPARE(outcome(alice->ask(u"claim"_s, {{u"room"_s, u"pub"_s}}, u"role_changed"_s)), u"role_changed"_s);
    QCOMPARE(outcome(alice->ask(u"grant"_s, {{u"room"_s, u"pub"_s}, {u"nick"_s, u"bob"_s}, {u"role"_s, u"op"_s}},
                                u"role_changed"_s)),
             u"role_changed"_s);
    const QString list = u"ban_list"_s;

    // Members may not ban; a mask must be one.
    QCOMPARE(outcome(erin->ask(u"ban"_s, {{u"room"_s, u"pub"_s}, {u"mask"_s, u"nick:dave"_s}}, list)),
             u"not_permitted"_s);
    QCOMPARE(outcome(bob->ask(u"ban"_s, {{u"room"_s, u"pub"_s}, {u"mask"_s, u"dave"_s}}, list)), u"bad_request"_s);

    // A nick glob for ever: the member matching it is out, and stays out.
    const QJsonObject banned = bob->ask(
            u"ban"_s, {{u"room"_s, u"pub"_s}, {u"mask"_s, u"nick:DA*"_s}, {u"reason"_s, u"spam"_s}}, list);
    QCOMPARE(outcome(banned), list);
    const QJsonObject entry = banned.value("bans"_L1).toArray().first().toObject();
    QCOMPARE(entry.value("mask"_L1).toString(), u"nick:DA*"_s);
    QCOMPARE(entry.value("by"_L1).toString(), u"bob"_s);
    QCOMPARE(entry.value("reason"_L1).toString(), u"spam"_s);
    QVERIFY(entry.value("until"_L1).isNull());
    const QJsonObject kicked = dave->waitFor(u"kicked"_s);
    QCOMPARE(kicked.value("reason"_L1).toString(), u"spam"_s);
    const QJsonObject refused = dave->ask(u"join"_s, {{u"room"_s, u"pub"_s}}, u"joined"_s);
    QCOMPARE(outcome(refused), u"banned"_s);
    QVERIFY(refused.value("message"_L1).toString().contains(u"spam"_s));
    QCOMPARE(outcome(dave->ask(u"history"_s, {{u"room"_s, u"pub"_s}}, u"history_page"_s)), u"banned"_s);

    // A ban that matches someone of higher rank than its setter leaves them in.
    QCOMPARE(outcome(bob->ask(u"ban"_s, {{u"room"_s, u"pub"_s}, {u"mask"_s, u"account:alice"_s}}, list)), list);
    QCOMPARE(outcome(alice->ask(u"say"_s, {{u"room"_s, u"pub"_s}, {u"text"_s, u"still here"_s}}, u"message"_s)),
             u"message"_s);

    // An account ban for a second: erin is out, then back once it ends,
    // without a restart.
    const QJsonObject timed = bob->ask(
            u"ban"_s, {{u"room"_s, u"pub"_s}, {u"mask"_s, u"account:erin"_s}, {u"duration"_s, 1}}, list);
    QCOMPARE(outcome(timed), list);
    QJsonObject kickedErin;
    do
        kickedErin = erin->waitFor(u"kicked"_s);
    while (!kickedErin.isEmpty() && kickedErin.value("nick"_L1).toString() != u"erin"_s);
    QCOMPARE(kickedErin.value("nick"_L1).toString(), u"erin"_s);
    const QJsonObject early = erin->ask(u"join"_s, {{u"room"_s, u"pub"_s}}, u"joined"_s);
    QCOMPARE(outcome(early), u"banned"_s);
    QVERIFY(early.value("message"_L1).toString().contains(u"until"_s));
    QTRY_COMPARE_WITH_TIMEOUT(outcome(erin->ask(u"join"_s, {{u"room"_s, u"pub"_s}}, u"joined"_s)), u"joined"_s,
                              10'000);

    // unban: the list shrinks, dave may come back.
    const QJsonObject after =
            bob->ask(u"unban"_s, {{u"room"_s, u"pub"_s}, {u"mask"_s, u"nick:da*"_s}}, list);
    QCOMPARE(outcome(after), list);
    for (const QJsonValue &ban : after.value("bans"_L1).toArray())
        QVERIFY(ban.toObject().value("mask"_L1).toString() != u"nick:DA*"_s);
    QCOMPARE(outcome(dave->ask(u"join"_s, {{u"room"_s, u"pub"_s}}, u"joined"_s)), u"joined"_s);
    QCOMPARE(outcome(erin->ask(u"ban_list"_s, {{u"room"_s, u"pub"_s}}, list)), u"not_permitted"_s);
}

void TestModeration::mutes()
{
    auto alice = member(u"alice"_s, u"quiet"_s);
    auto bob = member(u"bob"_s, u"quiet"_s);
    auto dave = member(u"dave"_s, u"quiet"_s, false);
    QVERIFY(alice && bob && dave);
    QCOMPARE(outcome(alice->ask(u"claim"_s, {{u"room"_s, u"quiet"_s}}, u"role_changed"_s)), u"role_changed"_s);
    QCOMPARE(outcome(dave->ask(u"mute"_s, {{u"room"_s, u"quiet"_s}, {u"nick"_s, u"bob"_s}}, u"muted"_s)),
             u"not_permitted"_s);

    const QJsonObject muted = alice->ask(
            u"mute"_s, {{u"room"_s, u"quiet"_s}, {u"nick"_s, u"dave"_s}, {u"reason"_s, u"caps lock"_s}}, u"muted"_s);
    QCOMPARE(outcome(muted), u"muted"_s);
    QVERIFY(muted.value("until"_L1).isNull());
    QCOMPARE(bob->waitFor(u"muted"_s).value("nick"_L1).toString(), u"dave"_s);
    const QJsonObject refused = dave->ask(u"say"_s, {{u"room"_s, u"quiet"_s}, {u"text"_s, u"HEY"_s}}, u"message"_s);
    QCOMPARE(outcome(refused), u"muted"_s);
    QVERIFY(refused.value("message"_L1).toString().contains(u"caps lock"_s));
    // Leaving and coming back does not lift it.
    dave->ask(u"leave"_s, {{u"room"_s, u"quiet"_s}}, u"left"_s);
    QCOMPARE(outcome(dave->ask(u"join"_s, {{u"room"_s, u"quiet"_s}}, u"joined"_s)), u"joined"_s);
    QCOMPARE(outcome(dave->ask(u"say"_s, {{u"room"_s, u"quiet"_s}, {u"text"_s, u"hey"_s}}, u"message"_s)),
             u"muted"_s);

    QCOMPARE(outcome(alice->ask(u"unmute"_s, {{u"room"_s, u"quiet"_s}, {u"nick"_s, u"dave"_s}}, u"unmuted"_s)),
             u"unmuted"_s);
    QCOMPARE(outcome(dave->ask(u"say"_s, {{u"room"_s, u"quiet"_s}, {u"text"_s, u"thanks"_s}}, u"message"_s)),
             u"message"_s);

    // A mute with a duration ends by itself.
    QCOMPARE(outcome(alice->ask(u"mute"_s, {{u"room"_s, u"quiet"_s}, {u"nick"_s, u"bob"_s}, {u"duration"_s, 1}},
                                u"muted"_s)),
             u"muted"_s);
    QCOMPARE(outcome(bob->ask(u"say"_s, {{u"room"_s, u"quiet"_s}, {u"text"_s, u"a"_s}}, u"message"_s)), u"muted"_s);
    // Each try is a request with an effect, so not QTRY (which asks again
    // after success): ask until it goes through.
    QString said;
    const QDeadlineTimer deadline(10'000);
    while ((said = outcome(bob->ask(u"say"_s, {{u"room"_s, u"quiet"_s}, {u"text"_s, u"b"_s}}, u"message"_s)))
                   != u"message"_s
           && !deadline.hasExpired()) {
        QTest::qWait(100); // the mute's second has to pass
    }
    QCOMPARE(said, u"message"_s);
}

void TestModeration::modesAndInvitations()
{
    auto alice = member(u"alice"_s, u"club"_s);
    auto bob = member(u"bob"_s, u"club"_s);
    auto outsider = member(u"olive"_s, u"lobby"_s, false);
    QVERIFY(alice && bob && outsider);
    QCOMPARE(outcome(alice->ask(u"claim"_s, {{u"room"_s, u"club"_s}}, u"role_changed"_s)), u"role_changed"_s);
    QCOMPARE(outcome(bob->ask(u"mode"_s, {{u"room"_s, u"club"_s}, {u"invite_only"_s, true}}, u"mode_changed"_s)),
             u"not_permitted"_s);

    // Topic lock: members may no longer set the topic.
    const QJsonObject locked =
            alice->ask(u"mode"_s, {{u"room"_s, u"club"_s}, {u"topic_locked"_s, true}}, u"mode_changed"_s);
    QCOMPARE(outcome(locked), u"mode_changed"_s);
    QCOMPARE(locked.value("topic_locked"_L1).toBool(), true);
    QCOMPARE(bob->waitFor(u"mode_changed"_s).value("by"_L1).toString(), u"alice"_s);
    QCOMPARE(outcome(bob->ask(u"topic"_s, {{u"room"_s, u"club"_s}, {u"topic"_s, u"mine"_s}}, u"topic_changed"_s)),
             u"topic_locked"_s);
    QCOMPARE(outcome(alice->ask(u"topic"_s, {{u"room"_s, u"club"_s}, {u"topic"_s, u"ours"_s}}, u"topic_changed"_s)),
             u"topic_changed"_s);

    // A key: needed to join, and the history is for members only.
    const QJsonObject keyed = alice->ask(u"mode"_s, {{u"room"_s, u"club"_s}, {u"key"_s, u"s3same"_s}}, u"mode_changed"_s);
    QCOMPARE(keyed.value("has_key"_L1).toBool(), true);
    QVERIFY(!keyed.contains("key"_L1));
    QCOMPARE(outcome(outsider->ask(u"join"_s, {{u"room"_s, u"club"_s}}, u"joined"_s)), u"bad_key"_s);
    QCOMPARE(outcome(outsider->ask(u"join"_s, {{u"room"_s, u"club"_s}, {u"key"_s, u"wrong"_s}}, u"joined"_s)),
             u"bad_key"_s);
    QCOMPARE(outcome(outsider->ask(u"history"_s, {{u"room"_s, u"club"_s}}, u"history_page"_s)), u"not_in_room"_s);
    const QJsonObject joined = outsider->ask(u"join"_s, {{u"room"_s, u"club"_s}, {u"key"_s, u"s3same"_s}}, u"joined"_s);
    QCOMPARE(outcome(joined), u"joined"_s);
    const QJsonObject modes = joined.value("modes"_L1).toObject();
    QCOMPARE(modes.value("has_key"_L1).toBool(), true);
    QCOMPARE(modes.value("topic_locked"_L1).toBool(), true);
    QCOMPARE(modes.value("invite_only"_L1).toBool(), false);
    outsider->ask(u"leave"_s, {{u"room"_s, u"club"_s}}, u"left"_s);

    // Invite only: an op's invitation lets one in, once.
    alice->ask(u"mode"_s, {{u"room"_s, u"club"_s}, {u"key"_s, u""_s}, {u"invite_only"_s, true}}, u"mode_changed"_s);
    QCOMPARE(outcome(outsider->ask(u"join"_s, {{u"room"_s, u"club"_s}}, u"joined"_s)), u"invite_only"_s);
    QCOMPARE(outcome(bob->ask(u"invite"_s, {{u"room"_s, u"club"_s}, {u"nick"_s, u"olive"_s}}, u"invited"_s)),
             u"not_permitted"_s);
    QCOMPARE(outcome(alice->ask(u"invite"_s, {{u"room"_s, u"club"_s}, {u"nick"_s, u"olive"_s}}, u"invited"_s)),
             u"invited"_s);
    QCOMPARE(outsider->waitFor(u"invited"_s).value("by"_L1).toString(), u"alice"_s);
    QCOMPARE(outcome(outsider->ask(u"join"_s, {{u"room"_s, u"club"_s}}, u"joined"_s)), u"joined"_s);
    outsider->ask(u"leave"_s, {{u"room"_s, u"club"_s}}, u"left"_s);
    QCOMPARE(outcome(outsider->ask(u"join"_s, {{u"room"_s, u"club"_s}}, u"joined"_s)), u"invite_only"_s);

    // Modes survive a restart.
    alice.reset();
    bob.reset();
    outsider.reset();
    QCOMPARE(m_server->stop(), 0);
    QVERIFY2(m_server->start({u"--operators"_s, u"root"_s}), qPrintable(m_server->error()));
    auto late = member(u"late"_s, u"lobby"_s, false);
    QVERIFY(late);
    QCOMPARE(outcome(late->ask(u"join"_s, {{u"room"_s, u"club"_s}}, u"joined"_s)), u"invite_only"_s);
}

void TestModeration::auditLog()
{
    auto alice = member(u"alice"_s, u"log"_s);
    auto bob = member(u"bob"_s, u"log"_s);
    auto carl = member(u"carl"_s, u"log"_s, false);
    QVERIFY(alice && bob && carl);
    QCOMPARE(outcome(alice->ask(u"claim"_s, {{u"room"_s, u"log"_s}}, u"role_changed"_s)), u"role_changed"_s);
    QCOMPARE(outcome(alice->ask(u"grant"_s, {{u"room"_s, u"log"_s}, {u"nick"_s, u"bob"_s}, {u"role"_s, u"op"_s}},
                                u"role_changed"_s)),
             u"role_changed"_s);
    QCOMPARE(outcome(bob->ask(u"kick"_s, {{u"room"_s, u"log"_s}, {u"nick"_s, u"carl"_s}, {u"reason"_s, u"flood"_s}},
                              u"kicked"_s)),
             u"kicked"_s);

    const QJsonArray entries =
            bob->ask(u"audit"_s, {{u"room"_s, u"log"_s}}, u"audit_page"_s).value("entries"_L1).toArray();
    QCOMPARE(entries.size(), 3);
    const QJsonObject kick = entries.at(2).toObject();
    QCOMPARE(kick.value("action"_L1).toString(), u"kick"_s);
    QCOMPARE(kick.value("by"_L1).toString(), u"bob"_s);
    QCOMPARE(kick.value("target"_L1).toString(), u"carl"_s);
    QCOMPARE(kick.value("reason"_L1).toString(), u"flood"_s);
    QCOMPARE(kick.value("room"_L1).toString(), u"log"_s);
    QVERIFY(kick.value("ts"_L1).toDouble() >= entries.at(0).toObject().value("ts"_L1).toDouble());
    QCOMPARE(entries.at(0).toObject().value("action"_L1).toString(), u"claim"_s);
    QCOMPARE(entries.at(1).toObject().value("action"_L1).toString(), u"grant"_s);
    QCOMPARE(entries.at(1).toObject().value("reason"_L1).toString(), u"op"_s);

    // A member may not read it; the server's whole log is for operators.
    QCOMPARE(outcome(carl->ask(u"audit"_s, {{u"room"_s, u"log"_s}}, u"audit_page"_s)), u"not_permitted"_s);
    QCOMPARE(outcome(alice->ask(u"audit"_s, {}, u"audit_page"_s)), u"not_permitted"_s);
}

void TestModeration::serverOperators()
{
    auto owner = member(u"olga"_s, u"realm"_s);
    auto root = member(u"root"_s, u"realm"_s);
    QVERIFY(owner && root);
    QCOMPARE(outcome(owner->ask(u"claim"_s, {{u"room"_s, u"realm"_s}}, u"role_changed"_s)), u"role_changed"_s);
    // A server operator counts as owner everywhere, and above: it may kick
    // the owner; the owner may not kick it.
    auto viewer = member(u"vic"_s, u"lobby"_s, false);
    QVERIFY(viewer);
    QCOMPARE(viewer->join(u"realm"_s).value("roles"_L1).toObject().value("root"_L1).toString(), u"owner"_s);
    QCOMPARE(outcome(owner->ask(u"kick"_s, {{u"room"_s, u"realm"_s}, {u"nick"_s, u"root"_s}}, u"kicked"_s)),
             u"not_permitted"_s);
    QCOMPARE(outcome(root->ask(u"kick"_s, {{u"room"_s, u"realm"_s}, {u"nick"_s, u"olga"_s}}, u"kicked"_s)),
             u"kicked"_s);
    const QJsonArray all = root->ask(u"audit"_s, {}, u"audit_page"_s).value("entries"_L1).toArray();
    // The operator's account, made from the shell, then the claim and the kick.
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(0).toObject().value("action"_L1).toString(), u"account_add"_s);
    QVERIFY(all.at(0).toObject().value("by"_L1).toString().startsWith(u"shell:"_s));
    QCOMPARE(all.at(2).toObject().value("action"_L1).toString(), u"kick"_s);
}

void TestModeration::serverBans()
{
    auto root = member(u"root"_s, u"lobby"_s);
    auto mallory = member(u"mallory"_s, u"lobby"_s, false);
    auto eve = member(u"eve"_s, u"lobby"_s);
    QVERIFY(root && mallory && eve);
    const QString list = u"server_ban_list"_s;
    QCOMPARE(outcome(eve->ask(u"server_ban"_s, {{u"mask"_s, u"nick:root"_s}}, list)), u"not_permitted"_s);
    QCOMPARE(outcome(eve->ask(u"server_ban_list"_s, {}, list)), u"not_permitted"_s);

    // A nick ban: the session it matches is told why and disconnected, and
    // a new one with a matching nick is refused.
    const QJsonObject banned =
            root->ask(u"server_ban"_s, {{u"mask"_s, u"nick:mal*"_s}, {u"reason"_s, u"spam"_s}}, list);
    QCOMPARE(outcome(banned), list);
    QCOMPARE(banned.value("bans"_L1).toArray().first().toObject().value("by"_L1).toString(), u"root"_s);
    QCOMPARE(mallory->waitFor(u"closing"_s).value("reason"_L1).toString(), u"spam"_s);
    QVERIFY(mallory->waitForDisconnected());
    ChatClient again;
    QVERIFY(again.connectTo(m_server->tcpPort()));
    const QJsonObject refused = again.ask(u"hello"_s, {{u"nick"_s, u"Mallory2"_s}}, u"welcome"_s);
    QCOMPARE(outcome(refused), u"banned"_s);
    QVERIFY(refused.value("message"_L1).toString().contains(u"spam"_s));
    QVERIFY(again.waitForDisconnected());

    // An account ban, with a duration.
    QCOMPARE(outcome(root->ask(u"server_ban"_s, {{u"mask"_s, u"account:eve"_s}, {u"duration"_s, 3600}}, list)), list);
    QVERIFY(eve->waitForDisconnected());

    // An address ban refuses connections at once; operators stay.
    QCOMPARE(outcome(root->ask(u"server_ban"_s, {{u"mask"_s, u"address:127.0.0.0/8"_s}}, list)), list);
    ChatClient fromHere;
    QVERIFY(fromHere.connectTo(m_server->tcpPort()));
    QCOMPARE(outcome(fromHere.next()), u"banned"_s);
    QVERIFY(fromHere.waitForDisconnected());
    QVERIFY(root->isConnected());
    const QJsonArray left = root->ask(u"server_unban"_s, {{u"mask"_s, u"address:127.0.0.0/8"_s}}, list)
                                    .value("bans"_L1)
                                    .toArray();
    QCOMPARE(left.size(), 2);

    // Kept across a restart; and in the server's audit log.
    root.reset();
    QCOMPARE(m_server->stop(), 0);
    QVERIFY2(m_server->start({u"--operators"_s, u"root"_s}), qPrintable(m_server->error()));
    ChatClient later;
    QVERIFY(later.connectTo(m_server->tcpPort()));
    QCOMPARE(outcome(later.ask(u"hello"_s, {{u"nick"_s, u"malware"_s}}, u"welcome"_s)), u"banned"_s);
    auto back = member(u"root"_s, u"lobby"_s);
    QVERIFY(back);
    QStringList actions;
    for (const QJsonValue &entry : back->ask(u"audit"_s, {}, u"audit_page"_s).value("entries"_L1).toArray())
        actions << entry.toObject().value("action"_L1).toString();
    QCOMPARE(actions, (QStringList{u"account_add"_s, u"server_ban"_s, u"server_ban"_s, u"server_ban"_s,
                                   u"server_unban"_s}));
}

QTEST_MAIN(TestModeration)
#include "tst_moderation.moc"
