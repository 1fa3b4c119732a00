// features/moderation.cpp in-process (docs/protocol.md section 13): who may
// do what to whom, and what the room hears.

#include "inprocesschat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

class TestModeration : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void request_data();
    void request();
    void mutedCannotSay();
    void bannedCannotJoin();
    void anInvitationIsUsedOnce();

private:
    // In "den": owner (an account, claimed it), op (an account, made op),
    // dave (a guest member). carol is online, not in the room.
    std::unique_ptr<InProcessChat> m_chat;
    std::unique_ptr<FakeClient> m_owner, m_op, m_dave, m_carol;
    FakeClient *client(const QString &who);
};

void TestModeration::init()
{
    m_chat = std::make_unique<InProcessChat>();
    QVERIFY2(m_chat->isReady(), qPrintable(m_chat->error()));
    m_owner = m_chat->account(u"owner"_s, Password);
    m_op = m_chat->account(u"op"_s, Password);
    m_dave = m_chat->member(u"dave"_s, {u"den"_s});
    m_carol = m_chat->guest(u"carol"_s);
    QVERIFY(m_owner && m_op && m_dave && m_carol);
    QCOMPARE(outcome(m_owner->ask(object(R"({"type":"join","room":"den"})"))), u"joined"_s);
    QCOMPARE(outcome(m_op->ask(object(R"({"type":"join","room":"den"})"))), u"joined"_s);
    QCOMPARE(outcome(m_owner->ask(object(R"({"type":"claim","room":"den"})"))), u"role_changed"_s);
    QCOMPARE(outcome(m_owner->ask(object(R"({"type":"grant","room":"den","nick":"op","role":"op"})"))),
             u"role_changed"_s);
    m_owner->settle();
    m_op->settle();
    m_dave->settle();
}

void TestModeration::cleanup()
{
    m_owner.reset();
    m_op.reset();
    m_dave.reset();
    m_carol.reset();
    m_chat.reset();
}

FakeClient *TestModeration::client(const QString &who)
{
    return who == "owner"_L1 ? m_owner.get() : who == "op"_L1 ? m_op.get() : who == "dave"_L1 ? m_dave.get() : m_carol.get();
}

void TestModeration::request_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("daveHears"); // the same event as the answer

    QTest::newRow("an op kicks a member") << u"op"_s << QByteArray(R"({"type":"kick","room":"den","nick":"dave","reason":"spam"})")
                                          << u"kicked"_s << true;
    QTest::newRow("a member kicks") << u"dave"_s << QByteArray(R"({"type":"kick","room":"den","nick":"op"})")
                                    << u"not_permitted"_s << false;
    QTest::newRow("an op kicks the owner") << u"op"_s << QByteArray(R"({"type":"kick","room":"den","nick":"owner"})")
                                           << u"not_permitted"_s << false;
    QTest::newRow("a kick from outside the room") << u"carol"_s << QByteArray(R"({"type":"kick","room":"den","nick":"dave"})")
                                                  << u"not_in_room"_s << false;
    QTest::newRow("a kick of someone not there") << u"op"_s << QByteArray(R"({"type":"kick","room":"den","nick":"carol"})")
                                                 << u"no_such_user"_s << false;
    QTest::newRow("an op mutes a member") << u"op"_s << QByteArray(R"({"type":"mute","room":"den","nick":"dave","duration":600})")
                                          << u"muted"_s << true;
    QTest::newRow("a member grants") << u"dave"_s << QByteArray(R"({"type":"grant","room":"den","nick":"op","role":"member"})")
                                     << u"not_permitted"_s << false;
    QTest::newRow("a role for a guest") << u"owner"_s << QByteArray(R"({"type":"grant","room":"den","nick":"dave","role":"op"})")
                                        << u"not_logged_in"_s << false;
    QTest::newRow("no such role") << u"owner"_s << QByteArray(R"({"type":"grant","room":"den","nick":"op","role":"king"})")
                                  << u"bad_request"_s << false;
    QTest::newRow("a claim of an owned room") << u"op"_s << QByteArray(R"({"type":"claim","room":"den"})")
                                              << u"already_owned"_s << false;
    QTest::newRow("a malformed mask") << u"op"_s << QByteArray(R"({"type":"ban","room":"den","mask":"dave"})")
                                      << u"bad_request"_s << false;
    QTest::newRow("a member reads the bans") << u"dave"_s << QByteArray(R"({"type":"ban_list","room":"den"})")
                                             << u"not_permitted"_s << false;
    QTest::newRow("a topic lock") << u"op"_s << QByteArray(R"({"type":"mode","room":"den","topic_locked":true})")
                                  << u"mode_changed"_s << true;
}

void TestModeration::request()
{
    QFETCH(QString, who);
    QFETCH(QByteArray, request);
    QFETCH(QString, expected);
    QFETCH(bool, daveHears);

    QJsonObject answer = client(who)->ask(object(request));
    QCOMPARE(outcome(answer), expected);
    if (who == "dave"_L1)
        return;
    const QList<QJsonObject> heard = m_dave->settle();
    QCOMPARE(heard.size(), daveHears ? 1 : 0);
    if (daveHears) {
        answer.remove("id"_L1);
        QCOMPARE(heard.first(), answer);
    }
}

void TestModeration::mutedCannotSay()
{
    QCOMPARE(outcome(m_op->ask(object(R"({"type":"mute","room":"den","nick":"dave"})"))), u"muted"_s);
    QCOMPARE(outcome(m_dave->ask(object(R"({"type":"say","room":"den","text":"hello?"})"))), u"muted"_s);
    // Their typing in the room is dropped, silently.
    m_dave->send(object(R"({"type":"typing","room":"den"})"));
    QVERIFY(m_dave->settle().isEmpty());
    QVERIFY(m_op->settle().isEmpty());
    QCOMPARE(outcome(m_op->ask(object(R"({"type":"unmute","room":"den","nick":"dave"})"))), u"unmuted"_s);
    QCOMPARE(outcome(m_dave->ask(object(R"({"type":"say","room":"den","text":"hello"})"))), u"message"_s);
}

void TestModeration::bannedCannotJoin()
{
    const QJsonObject bans = m_op->ask(object(R"({"type":"ban","room":"den","mask":"nick:DAV*","reason":"spam"})"));
    QCOMPARE(outcome(bans), u"ban_list"_s);
    QCOMPARE(bans.value("bans"_L1).toArray().size(), 1);
    // Matching members are put out at once.
    const QJsonObject kicked = m_dave->waitFor(u"kicked"_s);
    QCOMPARE(kicked.value("nick"_L1).toString(), u"dave"_s);
    QCOMPARE(kicked.value("reason"_L1).toString(), u"spam"_s);
    QCOMPARE(outcome(m_dave->ask(object(R"({"type":"join","room":"den"})"))), u"banned"_s);
    QCOMPARE(outcome(m_dave->ask(object(R"({"type":"history","room":"den"})"))), u"banned"_s);
    // Unbanned (however the mask is spelled), they may join again.
    QCOMPARE(outcome(m_op->ask(object(R"({"type":"unban","room":"den","mask":"nick:dav*"})"))), u"ban_list"_s);
    QCOMPARE(outcome(m_dave->ask(object(R"({"type":"join","room":"den"})"))), u"joined"_s);
}

void TestModeration::anInvitationIsUsedOnce()
{
    QCOMPARE(outcome(m_op->ask(object(R"({"type":"mode","room":"den","invite_only":true})"))), u"mode_changed"_s);
    QCOMPARE(outcome(m_carol->ask(object(R"({"type":"join","room":"den"})"))), u"invite_only"_s);
    QCOMPARE(outcome(m_op->ask(object(R"({"type":"invite","room":"den","nick":"carol"})"))), u"invited"_s);
    QCOMPARE(outcome(m_carol->ask(object(R"({"type":"join","room":"den"})"))), u"joined"_s);
    QCOMPARE(outcome(m_carol->ask(object(R"({"type":"leave","room":"den"})"))), u"left"_s);
    // Used up by joining: to come back, another invitation.
    QCOMPARE(outcome(m_carol->ask(object(R"({"type":"join","room":"den"})"))), u"invite_only"_s);
}

QTEST_GUILESS_MAIN(TestModeration)
#include "tst_moderation.moc"
