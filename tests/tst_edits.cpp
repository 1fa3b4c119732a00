// Edits, deletions and reactions against the real server (docs/protocol.md
// section 18): who may change which message, what everyone in the room
// hears, what history and joined show afterwards, and catching up on changes
// by revision, across a restart.

#include "chatclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Password = u"correct horse battery"_s;
const QString ThumbsUp = u"\U0001F44D"_s;

QString outcome(const QJsonObject &message)
{
    return ChatClient::outcome(message);
}

QJsonObject fields(const QString &room, qint64 seq, const QJsonObject &more = {})
{
    QJsonObject object = more;
    object.insert(u"room"_s, room);
    object.insert(u"seq"_s, seq);
    return object;
}

// {"👍": ["bob"]} from the reactions array of a message.
QMap<QString, QStringList> reactionsOf(const QJsonObject &message)
{
    QMap<QString, QStringList> out;
    for (const QJsonValue &value : message.value("reactions"_L1).toArray()) {
        QStringList nicks;
        for (const QJsonValue &nick : value.toObject().value("nicks"_L1).toArray())
            nicks << nick.toString();
        out.insert(value.toObject().value("emoji"_L1).toString(), nicks);
    }
    return out;
}

} // namespace

class TestEdits : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void editReachesTheRoomAndHistory();
    void onlyTheAuthorEdits_data();
    void onlyTheAuthorEdits();
    void deleteKeepsTheSeq();
    void opsDeleteOthersMessages();
    void reactionsToggle();
    void reactionKindsAreBounded();
    void changesCatchUpByRevisionAcrossARestart();
    void deletedActionIsNoLongerAnAction();

private:
    // Connected and in `room`; with an account of its own (registered on
    // first use, logged in after) unless withAccount is false.
    std::unique_ptr<ChatClient> member(const QString &nick, const QString &room, bool withAccount = true);
    // Says `text` in `room` and returns its seq.
    static qint64 say(ChatClient &client, const QString &room, const QString &text);

    std::unique_ptr<ServerProcess> m_server;
    QSet<QString> m_registered;
};

void TestEdits::init()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
    m_registered.clear();
}

void TestEdits::cleanup()
{
    m_server.reset();
}

std::unique_ptr<ChatClient> TestEdits::member(const QString &nick, const QString &room, bool withAccount)
{
    auto client = std::make_unique<ChatClient>();
    if (!client->connectTo(m_server->tcpPort()))
        return nullptr;
    const bool registering = !m_registered.contains(nick);
    if (withAccount ? !client->loginToAccount(nick, nick, Password, registering) : !client->login(nick))
        return nullptr;
    if (withAccount)
        m_registered.insert(nick);
    if (client->join(room).isEmpty())
        return nullptr;
    return client;
}

qint64 TestEdits::say(ChatClient &client, const QString &room, const QString &text)
{
    const QJsonObject echo = client.ask(u"say"_s, {{u"room"_s, room}, {u"text"_s, text}}, u"message"_s);
    return echo.value("seq"_L1).toInteger();
}

void TestEdits::editReachesTheRoomAndHistory()
{
    auto alice = member(u"alice"_s, u"den"_s);
    auto bob = member(u"bob"_s, u"den"_s, false);
    QVERIFY(alice && bob);
    const qint64 seq = say(*alice, u"den"_s, u"helo"_s);
    QCOMPARE(seq, 1);
    QVERIFY(!bob->waitFor(u"message"_s).isEmpty());

    const QJsonObject answer =
            alice->ask(u"edit"_s, fields(u"den"_s, seq, {{u"text"_s, u"hello"_s}, {u"id"_s, 7}}), u"updated"_s);
    QCOMPARE(outcome(answer), u"updated"_s);
    QCOMPARE(answer.value("id"_L1).toInt(), 7);
    const QJsonObject heard = bob->waitFor(u"updated"_s);
    QVERIFY(heard.value("id"_L1).isUndefined());
    for (const QJsonObject &event : {answer, heard}) {
        QCOMPARE(event.value("by"_L1).toString(), u"alice"_s);
        const QJsonObject message = event.value("message"_L1).toObject();
        QCOMPARE(message.value("seq"_L1).toInteger(), seq);
        QCOMPARE(message.value("text"_L1).toString(), u"hello"_s);
        QCOMPARE(message.value("from"_L1).toString(), u"alice"_s);
        QVERIFY(message.value("edited"_L1).toInteger() >= message.value("ts"_L1).toInteger());
        QCOMPARE(message.value("rev"_L1).toInteger(), 1);
    }

    // History and a newcomer's joined show the message as it is now.
    const QJsonArray page = bob->ask(u"history"_s, {{u"room"_s, u"den"_s}}, u"history_page"_s)
                                    .value("messages"_L1)
                                    .toArray();
    QCOMPARE(page.size(), 1);
    QCOMPARE(page.first().toObject().value("text"_L1).toString(), u"hello"_s);
    QVERIFY(page.first().toObject().contains("edited"_L1));
    auto carol = member(u"carol"_s, u"lobby"_s, false);
    QVERIFY(carol);
    const QJsonObject joined = carol->join(u"den"_s);
    QCOMPARE(joined.value("rev"_L1).toInteger(), 1);
    QCOMPARE(joined.value("history"_L1).toArray().first().toObject().value("text"_L1).toString(), u"hello"_s);

    // A message that is not there, and a room one is not in.
    QCOMPARE(outcome(alice->ask(u"edit"_s, fields(u"den"_s, 99, {{u"text"_s, u"x"_s}}), u"updated"_s)),
             u"no_such_message"_s);
    QCOMPARE(outcome(alice->ask(u"edit"_s, fields(u"elsewhere"_s, 1, {{u"text"_s, u"x"_s}}), u"updated"_s)),
             u"not_in_room"_s);
}

void TestEdits::onlyTheAuthorEdits_data()
{
    QTest::addColumn<bool>("withAccount");
    QTest::addColumn<bool>("sameConnection");
    QTest::addColumn<QString>("expected");

    // An account's messages are its own on any connection; a guest's only
    // for as long as it keeps the nick, so the next guest called the same
    // cannot touch them.
    QTest::newRow("account, same connection") << true << true << u"updated"_s;
    QTest::newRow("account, logged in again") << true << false << u"updated"_s;
    QTest::newRow("guest, same connection") << false << true << u"updated"_s;
    QTest::newRow("guest, same nick again") << false << false << u"not_permitted"_s;
}

void TestEdits::onlyTheAuthorEdits()
{
    QFETCH(bool, withAccount);
    QFETCH(bool, sameConnection);
    QFETCH(QString, expected);

    auto author = member(u"dana"_s, u"den"_s, withAccount);
    auto other = member(u"erik"_s, u"den"_s, false);
    QVERIFY(author && other);
    const qint64 seq = say(*author, u"den"_s, u"first draft"_s);
    QVERIFY(seq > 0);
    QCOMPARE(outcome(other->ask(u"edit"_s, fields(u"den"_s, seq, {{u"text"_s, u"mine now"_s}}), u"updated"_s)),
             u"not_permitted"_s);
    QCOMPARE(outcome(other->ask(u"delete"_s, fields(u"den"_s, seq), u"updated"_s)), u"not_permitted"_s);

    if (!sameConnection) {
        author.reset();
        QVERIFY(!other->waitFor(u"user_left"_s).isEmpty());
        author = member(u"dana"_s, u"den"_s, withAccount);
        QVERIFY(author);
    }
    QCOMPARE(outcome(author->ask(u"edit"_s, fields(u"den"_s, seq, {{u"text"_s, u"second draft"_s}}), u"updated"_s)),
             expected);
}

void TestEdits::deleteKeepsTheSeq()
{
    auto alice = member(u"alice"_s, u"den"_s, false);
    auto bob = member(u"bob"_s, u"den"_s, false);
    QVERIFY(alice && bob);
    const qint64 first = say(*alice, u"den"_s, u"oops, wrong room"_s);
    const qint64 second = say(*alice, u"den"_s, u"this one stays"_s);
    QCOMPARE(outcome(bob->ask(u"react"_s, fields(u"den"_s, first, {{u"emoji"_s, ThumbsUp}}), u"updated"_s)),
             u"updated"_s);

    const QJsonObject deleted = alice->ask(u"delete"_s, fields(u"den"_s, first), u"updated"_s);
    QCOMPARE(outcome(deleted), u"updated"_s);
    const QJsonObject message = deleted.value("message"_L1).toObject();
    QCOMPARE(message.value("deleted"_L1).toBool(), true);
    QCOMPARE(message.value("text"_L1).toString(), QString());
    QVERIFY(!message.contains("reactions"_L1));
    QCOMPARE(message.value("seq"_L1).toInteger(), first);

    // Gone for good: no edit, reaction or second deletion.
    QCOMPARE(outcome(alice->ask(u"edit"_s, fields(u"den"_s, first, {{u"text"_s, u"back"_s}}), u"updated"_s)),
             u"no_such_message"_s);
    QCOMPARE(outcome(bob->ask(u"react"_s, fields(u"den"_s, first, {{u"emoji"_s, ThumbsUp}}), u"updated"_s)),
             u"no_such_message"_s);
    QCOMPARE(outcome(alice->ask(u"delete"_s, fields(u"den"_s, first), u"updated"_s)), u"no_such_message"_s);

    // History keeps the place: seq has no hole, the next message follows.
    const QJsonArray page = bob->ask(u"history"_s, {{u"room"_s, u"den"_s}}, u"history_page"_s)
                                    .value("messages"_L1)
                                    .toArray();
    QCOMPARE(page.size(), 2);
    QCOMPARE(page.at(0).toObject().value("deleted"_L1).toBool(), true);
    QCOMPARE(page.at(1).toObject().value("seq"_L1).toInteger(), second);
    QCOMPARE(say(*alice, u"den"_s, u"next"_s), second + 1);
}

void TestEdits::opsDeleteOthersMessages()
{
    auto owner = member(u"olga"_s, u"den"_s);
    auto member1 = member(u"max"_s, u"den"_s);
    QVERIFY(owner && member1);
    QCOMPARE(outcome(owner->ask(u"claim"_s, {{u"room"_s, u"den"_s}}, u"role_changed"_s)), u"role_changed"_s);
    const qint64 spam = say(*member1, u"den"_s, u"buy cheap watches"_s);
    const qint64 ownerSaid = say(*owner, u"den"_s, u"welcome"_s);

    // A member cannot delete the owner's message, nor edit it; the owner may
    // delete (not edit) a member's, and the audit log says so.
    QCOMPARE(outcome(member1->ask(u"delete"_s, fields(u"den"_s, ownerSaid), u"updated"_s)), u"not_permitted"_s);
    QCOMPARE(outcome(owner->ask(u"edit"_s, fields(u"den"_s, spam, {{u"text"_s, u"x"_s}}), u"updated"_s)),
             u"not_permitted"_s);
    const QJsonObject deleted = owner->ask(u"delete"_s, fields(u"den"_s, spam), u"updated"_s);
    QCOMPARE(outcome(deleted), u"updated"_s);
    QCOMPARE(deleted.value("by"_L1).toString(), u"olga"_s);
    QCOMPARE(member1->waitFor(u"updated"_s).value("message"_L1).toObject().value("deleted"_L1).toBool(), true);

    const QJsonArray entries = owner->ask(u"audit"_s, {{u"room"_s, u"den"_s}}, u"audit_page"_s)
                                       .value("entries"_L1)
                                       .toArray();
    const auto deletion = std::find_if(entries.begin(), entries.end(), [](const QJsonValue &entry) {
        return entry.toObject().value("action"_L1).toString() == "delete"_L1;
    });
    QVERIFY(deletion != entries.end());
    QCOMPARE(deletion->toObject().value("target"_L1).toString(), u"max"_s);
    QCOMPARE(deletion->toObject().value("by"_L1).toString(), u"olga"_s);

    // Removing one's own message is no moderation, even under another nick
    // of the same account.
    QCOMPARE(outcome(owner->ask(u"nick"_s, {{u"nick"_s, u"olga_away"_s}}, u"nick_changed"_s)), u"nick_changed"_s);
    QCOMPARE(outcome(owner->ask(u"delete"_s, fields(u"den"_s, ownerSaid), u"updated"_s)), u"updated"_s);
    const QJsonArray after = owner->ask(u"audit"_s, {{u"room"_s, u"den"_s}}, u"audit_page"_s)
                                     .value("entries"_L1)
                                     .toArray();
    QCOMPARE(std::count_if(after.begin(), after.end(),
                           [](const QJsonValue &entry) {
                               return entry.toObject().value("action"_L1).toString() == "delete"_L1;
                           }),
             1);
}

void TestEdits::reactionsToggle()
{
    auto alice = member(u"alice"_s, u"den"_s, false);
    auto bob = member(u"bob"_s, u"den"_s, false);
    auto carol = member(u"carol"_s, u"den"_s, false);
    auto watcher = member(u"watcher"_s, u"den"_s, false);
    QVERIFY(alice && bob && carol && watcher);
    const qint64 seq = say(*alice, u"den"_s, u"lunch?"_s);
    const QString heart = u"\u2764\uFE0F"_s;

    struct Step
    {
        ChatClient *who;
        QString emoji;
        QMap<QString, QStringList> after;
    };
    const QList<Step> steps = {
            {bob.get(), ThumbsUp, {{ThumbsUp, {u"bob"_s}}}},
            {carol.get(), ThumbsUp, {{ThumbsUp, {u"bob"_s, u"carol"_s}}}},
            {alice.get(), heart, {{ThumbsUp, {u"bob"_s, u"carol"_s}}, {heart, {u"alice"_s}}}},
            {bob.get(), ThumbsUp, {{ThumbsUp, {u"carol"_s}}, {heart, {u"alice"_s}}}}, // toggled off
            {carol.get(), ThumbsUp, {{heart, {u"alice"_s}}}},
            {alice.get(), heart, {}},
    };
    for (const Step &step : steps) {
        const QJsonObject answer = step.who->ask(u"react"_s, fields(u"den"_s, seq, {{u"emoji"_s, step.emoji}}),
                                                 u"updated"_s);
        QCOMPARE(outcome(answer), u"updated"_s);
        QCOMPARE(reactionsOf(answer.value("message"_L1).toObject()), step.after);
    }
    // Everyone heard every change, in order; the last leaves no reactions field.
    QJsonObject last;
    for (int i = 0; i < steps.size(); ++i) {
        last = watcher->waitFor(u"updated"_s);
        QCOMPARE(reactionsOf(last.value("message"_L1).toObject()), steps.at(i).after);
    }
    QVERIFY(!last.value("message"_L1).toObject().contains("reactions"_L1));
    QCOMPARE(last.value("message"_L1).toObject().value("rev"_L1).toInteger(), steps.size());

    QCOMPARE(outcome(bob->ask(u"react"_s, fields(u"den"_s, seq, {{u"emoji"_s, u"ok"_s}}), u"updated"_s)),
             u"text_invalid"_s);
}

void TestEdits::reactionKindsAreBounded()
{
    // Reactions count against the flood limit; twenty at once need it off.
    QCOMPARE(m_server->stop(), 0);
    QVERIFY2(m_server->start({u"--flood-burst"_s, u"0"_s}), qPrintable(m_server->error()));
    auto alice = member(u"alice"_s, u"den"_s, false);
    QVERIFY(alice);
    const qint64 seq = say(*alice, u"den"_s, u"pick one"_s);
    // Twenty different animal faces, U+1F400 on.
    for (char32_t i = 0; i < 20; ++i) {
        const QString emoji = QString::fromUcs4(std::array<char32_t, 1>{U'\U0001F400' + i}.data(), 1);
        QCOMPARE(outcome(alice->ask(u"react"_s, fields(u"den"_s, seq, {{u"emoji"_s, emoji}}), u"updated"_s)),
                 u"updated"_s);
    }
    QCOMPARE(outcome(alice->ask(u"react"_s, fields(u"den"_s, seq, {{u"emoji"_s, ThumbsUp}}), u"updated"_s)),
             u"bad_request"_s);
}

void TestEdits::changesCatchUpByRevisionAcrossARestart()
{
    auto alice = member(u"alice"_s, u"den"_s);
    QVERIFY(alice);
    QList<qint64> seqs;
    for (int i = 1; i <= 5; ++i)
        seqs << say(*alice, u"den"_s, u"m%1"_s.arg(i));
    // A client that has seen revision 1 misses the rest while away.
    QCOMPARE(outcome(alice->ask(u"edit"_s, fields(u"den"_s, seqs[0], {{u"text"_s, u"m1!"_s}}), u"updated"_s)),
             u"updated"_s);
    QCOMPARE(outcome(alice->ask(u"edit"_s, fields(u"den"_s, seqs[3], {{u"text"_s, u"m4!"_s}}), u"updated"_s)),
             u"updated"_s);
    QCOMPARE(outcome(alice->ask(u"delete"_s, fields(u"den"_s, seqs[1]), u"updated"_s)), u"updated"_s);
    QCOMPARE(outcome(alice->ask(u"edit"_s, fields(u"den"_s, seqs[0], {{u"text"_s, u"m1!!"_s}}), u"updated"_s)),
             u"updated"_s);
    alice.reset();
    QCOMPARE(m_server->stop(), 0);
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));

    auto back = member(u"alice"_s, u"den"_s);
    QVERIFY(back);
    const QJsonObject joined = back->join(u"den"_s);
    QCOMPARE(joined.value("rev"_L1).toInteger(), 4);
    const QJsonArray changed =
            back->ask(u"history"_s, {{u"room"_s, u"den"_s}, {u"changed_after"_s, 1}}, u"history_page"_s)
                    .value("messages"_L1)
                    .toArray();
    // Each changed message once, as it is now, in the order of its last change.
    QCOMPARE(changed.size(), 3);
    QCOMPARE(changed.at(0).toObject().value("seq"_L1).toInteger(), seqs[3]);
    QCOMPARE(changed.at(1).toObject().value("seq"_L1).toInteger(), seqs[1]);
    QCOMPARE(changed.at(1).toObject().value("deleted"_L1).toBool(), true);
    QCOMPARE(changed.at(2).toObject().value("text"_L1).toString(), u"m1!!"_s);
    QCOMPARE(changed.at(2).toObject().value("rev"_L1).toInteger(), 4);
    // The next change carries on from there.
    const QJsonObject next =
            back->ask(u"edit"_s, fields(u"den"_s, seqs[4], {{u"text"_s, u"m5!"_s}}), u"updated"_s);
    QCOMPARE(next.value("message"_L1).toObject().value("rev"_L1).toInteger(), 5);
}

// docs/protocol.md: a deleted message has no `action` any more, wherever it
// is read from (the event, history, changed_after, joined after a restart).
void TestEdits::deletedActionIsNoLongerAnAction()
{
    auto alice = member(u"alice"_s, u"den"_s);
    QVERIFY(alice);
    const QJsonObject echo = alice->ask(u"say"_s, {{u"room"_s, u"den"_s}, {u"text"_s, u"waves"_s}, {u"action"_s, true}},
                                        u"message"_s);
    QCOMPARE(echo.value("action"_L1).toBool(), true);
    const qint64 seq = echo.value("seq"_L1).toInteger();
    const QJsonObject deleted = alice->ask(u"delete"_s, fields(u"den"_s, seq), u"updated"_s);
    QVERIFY(!deleted.value("message"_L1).toObject().contains("action"_L1));

    auto withoutAction = [](const QJsonArray &messages) {
        for (const QJsonValue &message : messages) {
            if (message["deleted"_L1].toBool() && message.toObject().contains("action"_L1))
                return false;
        }
        return !messages.isEmpty();
    };
    auto history = [&](ChatClient &client, const QJsonObject &extra) {
        QJsonObject fields{{u"room"_s, u"den"_s}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            fields.insert(it.key(), it.value());
        return client.ask(u"history"_s, fields, u"history_page"_s).value("messages"_L1).toArray();
    };
    QVERIFY(withoutAction(history(*alice, {})));
    QVERIFY(withoutAction(history(*alice, {{u"changed_after"_s, 0}})));

    alice.reset();
    QCOMPARE(m_server->stop(), 0);
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
    auto back = member(u"alice"_s, u"lobby"_s);
    QVERIFY(back);
    QVERIFY(withoutAction(back->join(u"den"_s).value("history"_L1).toArray()));
    QVERIFY(withoutAction(history(*back, {})));
    QVERIFY(withoutAction(history(*back, {{u"changed_after"_s, 0}})));
}

QTEST_GUILESS_MAIN(TestEdits)
#include "tst_edits.moc"
