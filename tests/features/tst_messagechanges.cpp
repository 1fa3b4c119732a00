// features/messagechanges.cpp in-process (docs/protocol.md section 18):
// who may edit, delete and react, which error wins, and what the room hears.

#include "inprocesschat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

class TestMessageChanges : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void change_data();
    void change();
    void reactionsToggle();
    void changesAreListedByRev();

private:
    // alice said seq 1 "hello", seq 2 "/me waves" and seq 3 "oops", then
    // deleted seq 3; bob is in the room too; carol is not.
    std::unique_ptr<InProcessChat> m_chat;
    std::unique_ptr<FakeClient> m_alice, m_bob, m_carol;
    FakeClient *client(const QString &nick);
};

void TestMessageChanges::init()
{
    m_chat = std::make_unique<InProcessChat>();
    QVERIFY2(m_chat->isReady(), qPrintable(m_chat->error()));
    m_alice = m_chat->member(u"alice"_s, {u"lobby"_s});
    m_bob = m_chat->member(u"bob"_s, {u"lobby"_s});
    m_carol = m_chat->member(u"carol"_s, {u"other"_s});
    QVERIFY(m_alice && m_bob && m_carol);
    QCOMPARE(outcome(m_alice->ask(object(R"({"type":"say","room":"lobby","text":"hello"})"))), u"message"_s);
    QCOMPARE(outcome(m_alice->ask(object(R"({"type":"say","room":"lobby","text":"waves","action":true})"))),
             u"message"_s);
    QCOMPARE(outcome(m_alice->ask(object(R"({"type":"say","room":"lobby","text":"oops"})"))), u"message"_s);
    QCOMPARE(outcome(m_alice->ask(object(R"({"type":"delete","room":"lobby","seq":3})"))), u"updated"_s);
    m_alice->settle();
    m_bob->settle();
}

void TestMessageChanges::cleanup()
{
    m_alice.reset();
    m_bob.reset();
    m_carol.reset();
    m_chat.reset();
}

FakeClient *TestMessageChanges::client(const QString &nick)
{
    return nick == "alice"_L1 ? m_alice.get() : nick == "bob"_L1 ? m_bob.get() : m_carol.get();
}

void TestMessageChanges::change_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("expected");
    // Fields the updated message must have (absent: must not have it).
    QTest::addColumn<QByteArray>("has");
    QTest::addColumn<QStringList>("lacks");

    QTest::newRow("the author edits") << u"alice"_s << QByteArray(R"({"type":"edit","room":"lobby","seq":1,"text":"hello, fixed"})")
                                      << u"updated"_s << QByteArray(R"({"text":"hello, fixed","seq":1,"rev":2})")
                                      << QStringList{u"deleted"_s};
    QTest::newRow("an edit keeps the action") << u"alice"_s << QByteArray(R"({"type":"edit","room":"lobby","seq":2,"text":"bows"})")
                                              << u"updated"_s << QByteArray(R"({"text":"bows","action":true})")
                                              << QStringList{};
    QTest::newRow("someone else's edit") << u"bob"_s << QByteArray(R"({"type":"edit","room":"lobby","seq":1,"text":"mine"})")
                                         << u"not_permitted"_s << QByteArray() << QStringList{};
    QTest::newRow("not in the room wins over not permitted")
            << u"carol"_s << QByteArray(R"({"type":"edit","room":"lobby","seq":1,"text":"x"})") << u"not_in_room"_s
            << QByteArray() << QStringList{};
    QTest::newRow("no such message wins over not permitted")
            << u"bob"_s << QByteArray(R"({"type":"edit","room":"lobby","seq":99,"text":"x"})") << u"no_such_message"_s
            << QByteArray() << QStringList{};
    QTest::newRow("a deleted message cannot be edited")
            << u"alice"_s << QByteArray(R"({"type":"edit","room":"lobby","seq":3,"text":"x"})") << u"no_such_message"_s
            << QByteArray() << QStringList{};
    QTest::newRow("an edit with a control character")
            << u"alice"_s << QByteArray(R"({"type":"edit","room":"lobby","seq":1,"text":"\u0007"})")
            << u"text_invalid"_s << QByteArray() << QStringList{};
    QTest::newRow("someone else's delete") << u"bob"_s << QByteArray(R"({"type":"delete","room":"lobby","seq":1})")
                                           << u"not_permitted"_s << QByteArray() << QStringList{};
    QTest::newRow("a deleted action is no longer an action")
            << u"alice"_s << QByteArray(R"({"type":"delete","room":"lobby","seq":2})") << u"updated"_s
            << QByteArray(R"({"text":"","deleted":true})") << QStringList{u"action"_s, u"edited"_s, u"reactions"_s};
    QTest::newRow("a reaction by a member") << u"bob"_s << QByteArray(R"({"type":"react","room":"lobby","seq":1,"emoji":"👍"})")
                                            << u"updated"_s
                                            << QByteArray(R"({"reactions":[{"emoji":"👍","nicks":["bob"],"count":1,"mine":true}]})")
                                            << QStringList{};
    QTest::newRow("not an emoji") << u"bob"_s << QByteArray(R"({"type":"react","room":"lobby","seq":1,"emoji":"ab"})")
                                  << u"text_invalid"_s << QByteArray() << QStringList{};
    QTest::newRow("a reaction from outside") << u"carol"_s << QByteArray(R"({"type":"react","room":"lobby","seq":1,"emoji":"👍"})")
                                             << u"not_in_room"_s << QByteArray() << QStringList{};
}

void TestMessageChanges::change()
{
    QFETCH(QString, who);
    QFETCH(QByteArray, request);
    QFETCH(QString, expected);
    QFETCH(QByteArray, has);
    QFETCH(QStringList, lacks);

    const QJsonObject answer = client(who)->ask(QJsonDocument::fromJson(request).object());
    QCOMPARE(outcome(answer), expected);
    if (expected != "updated"_L1) {
        // Nobody else hears of a refused change.
        QVERIFY(m_alice->settle().isEmpty() || who == "alice"_L1);
        QVERIFY(m_bob->settle().isEmpty() || who == "bob"_L1);
        return;
    }
    QCOMPARE(answer.value("by"_L1).toString(), who);
    const QJsonObject message = answer.value("message"_L1).toObject();
    const QJsonObject wanted = QJsonDocument::fromJson(has).object();
    for (auto it = wanted.begin(); it != wanted.end(); ++it)
        QCOMPARE(message.value(it.key()), it.value());
    for (const QString &field : lacks)
        QVERIFY2(!message.contains(field), qPrintable(field));
    // The others in the room hear it once, without the id.
    FakeClient *other = who == "alice"_L1 ? m_bob.get() : m_alice.get();
    const QList<QJsonObject> heard = other->settle();
    QCOMPARE(heard.size(), 1);
    QCOMPARE(heard.first().value("type"_L1).toString(), u"updated"_s);
    QVERIFY(!heard.first().contains("id"_L1));
    QCOMPARE(heard.first().value("message"_L1).toObject().value("text"_L1), message.value("text"_L1));
    QVERIFY(m_carol->settle().isEmpty());
}

void TestMessageChanges::reactionsToggle()
{
    const auto react = [](FakeClient *who, const char *emoji) {
        return who->ask({{"type"_L1, "react"_L1}, {"room"_L1, "lobby"_L1}, {"seq"_L1, 1}, {"emoji"_L1, QString::fromUtf8(emoji)}})
                .value("message"_L1)
                .toObject();
    };
    react(m_bob.get(), "👍");
    react(m_alice.get(), "🎉");
    // alice sees bob's reaction as not hers.
    QJsonObject seen = react(m_alice.get(), "👍");
    QCOMPARE(seen.value("reactions"_L1).toArray().at(0).toObject(),
             QJsonDocument::fromJson(R"({"emoji":"👍","nicks":["bob","alice"],"count":2,"mine":true})").object());
    // Taken back, one by one: the kind goes when nobody has it.
    react(m_alice.get(), "👍");
    seen = react(m_bob.get(), "👍");
    QCOMPARE(seen.value("reactions"_L1).toArray().size(), 1);
    QCOMPARE(seen.value("reactions"_L1).toArray().at(0).toObject().value("emoji"_L1).toString(), u"🎉"_s);
    // Chosen again, it goes after the kinds still there.
    seen = react(m_bob.get(), "👍");
    QCOMPARE(seen.value("reactions"_L1).toArray().at(1).toObject().value("emoji"_L1).toString(), u"👍"_s);
    // The last ones taken back: no reactions field at all, not [].
    react(m_bob.get(), "👍");
    seen = react(m_alice.get(), "🎉");
    QVERIFY2(!seen.contains("reactions"_L1), QJsonDocument(seen).toJson().constData());
}

void TestMessageChanges::changesAreListedByRev()
{
    QCOMPARE(outcome(m_alice->ask(object(R"({"type":"edit","room":"lobby","seq":1,"text":"one"})"))), u"updated"_s);
    QCOMPARE(outcome(m_alice->ask(object(R"({"type":"edit","room":"lobby","seq":2,"text":"two"})"))), u"updated"_s);
    QCOMPARE(outcome(m_alice->ask(object(R"({"type":"edit","room":"lobby","seq":1,"text":"one again"})"))),
             u"updated"_s);
    // Revisions: 1 was the deletion in init(), then 2, 3, 4.
    const QJsonObject page = m_bob->ask(object(R"({"type":"history","room":"lobby","changed_after":1,"limit":50})"));
    QCOMPARE(outcome(page), u"history_page"_s);
    const QJsonArray messages = page.value("messages"_L1).toArray();
    // Each changed message once, at its last change, in rev order.
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value("seq"_L1).toInt(), 2);
    QCOMPARE(messages.at(0).toObject().value("rev"_L1).toInt(), 3);
    QCOMPARE(messages.at(1).toObject().value("seq"_L1).toInt(), 1);
    QCOMPARE(messages.at(1).toObject().value("text"_L1).toString(), u"one again"_s);
}

QTEST_GUILESS_MAIN(TestMessageChanges)
#include "tst_messagechanges.moc"
