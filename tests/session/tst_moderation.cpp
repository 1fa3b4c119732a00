// RoomModeration (client/core/session/) against a scripted server: the
// requests as sent, and what the user may do by the roles `joined` and
// `role_changed` said.

#include "sessionscript.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionModeration : public SessionTest
{
    Q_OBJECT

private slots:
    void init();

    void maskFor_data();
    void maskFor();
    void requests_data();
    void requests();
    void mayFollowsTheRoles();

private:
    Conversation *m_den = nullptr;
};

// "me" is op in "den", with "boss" its owner and "bob" a member.
void TestSessionModeration::init()
{
    SessionTest::init();
    welcome();
    m_session->join(u"den"_s);
    QJsonObject joined = SessionScript::joined(u"den"_s, {});
    joined.insert("members"_L1, QJsonArray{"boss"_L1, "bob"_L1, "me"_L1});
    joined.insert("roles"_L1, QJsonObject{{"boss"_L1, "owner"_L1}, {"me"_L1, "op"_L1}});
    m_server->say(joined, m_server->take(u"join"_s));
    m_den = m_session->room(u"den"_s);
    QVERIFY(m_den);
    m_server->take(u"ping"_s);
}

void TestSessionModeration::maskFor_data()
{
    QTest::addColumn<QString>("given");
    QTest::addColumn<QString>("mask");

    QTest::newRow("a nick") << u"dave"_s << u"nick:dave"_s;
    QTest::newRow("a glob") << u"spam*"_s << u"nick:spam*"_s;
    QTest::newRow("a mask already") << u"address:192.0.2.7"_s << u"address:192.0.2.7"_s;
    QTest::newRow("an account mask") << u"account:dave"_s << u"account:dave"_s;
}

void TestSessionModeration::maskFor()
{
    QFETCH(QString, given);
    QFETCH(QString, mask);
    QCOMPARE(ChatSession::maskFor(given), mask);
}

void TestSessionModeration::requests_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QByteArray>("expected"); // every field but the id

    QTest::newRow("kick") << 0 << QByteArray(R"({"type":"kick","room":"den","nick":"bob","reason":"spam"})");
    QTest::newRow("kick without a reason") << 1 << QByteArray(R"({"type":"kick","room":"den","nick":"bob"})");
    QTest::newRow("ban for an hour")
            << 2 << QByteArray(R"({"type":"ban","room":"den","mask":"nick:spam*","duration":3600,"reason":"spam"})");
    QTest::newRow("ban for ever") << 3 << QByteArray(R"({"type":"ban","room":"den","mask":"address:192.0.2.7"})");
    QTest::newRow("mute") << 4 << QByteArray(R"({"type":"mute","room":"den","nick":"bob","duration":600})");
    QTest::newRow("unmute") << 5 << QByteArray(R"({"type":"unmute","room":"den","nick":"bob"})");
    QTest::newRow("grant") << 6 << QByteArray(R"({"type":"grant","room":"den","nick":"bob","role":"op"})");
}

void TestSessionModeration::requests()
{
    QFETCH(int, which);
    QFETCH(QByteArray, expected);

    switch (which) {
    case 0: m_session->kick(m_den, u"bob"_s, u"spam"_s); break;
    case 1: m_session->kick(m_den, u"bob"_s); break;
    case 2: m_session->ban(m_den, u"spam*"_s, 3600, u"spam"_s); break;
    case 3: m_session->ban(m_den, u"address:192.0.2.7"_s); break;
    case 4: m_session->mute(m_den, u"bob"_s, 600); break;
    case 5: m_session->unmute(m_den, u"bob"_s); break;
    case 6: m_session->grant(m_den, u"bob"_s, RoomMembers::Rank::Op); break;
    }
    QCOMPARE(m_server->sent().size(), 1);
    QJsonObject sent = m_server->sent().first();
    QVERIFY(sent.value("id"_L1).isDouble());
    sent.remove("id"_L1);
    QCOMPARE(sent, QJsonDocument::fromJson(expected).object());
}

void TestSessionModeration::mayFollowsTheRoles()
{
    QCOMPARE(m_session->myRank(m_den), RoomMembers::Rank::Op);
    QVERIFY(m_session->mayModerate(m_den, u"bob"_s));
    QVERIFY(!m_session->mayModerate(m_den, u"boss"_s)); // ranks above
    QVERIFY(!m_session->mayGrant(m_den, u"bob"_s));     // only the owner grants
    QVERIFY(m_session->mayChangeModes(m_den));
    // Made member again: none of it any more.
    m_server->say({{"type"_L1, "role_changed"_L1}, {"room"_L1, "den"_L1}, {"nick"_L1, "me"_L1},
                   {"role"_L1, "member"_L1}, {"by"_L1, "boss"_L1}});
    QCOMPARE(m_session->myRank(m_den), RoomMembers::Rank::Member);
    QVERIFY(!m_session->mayModerate(m_den, u"bob"_s));
    QVERIFY(!m_session->mayChangeModes(m_den));
}

QTEST_GUILESS_MAIN(TestSessionModeration)
#include "tst_moderation.moc"
