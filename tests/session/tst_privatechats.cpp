// client/core/session/privatechats.cpp: the unit (PrivateChats) on its own,
// then the session against a scripted server: a private conversation opens
// with its history and catches up after a reconnect.

#include "privatechats.h"
#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace ClientSession;
using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestSessionPrivateChats : public SessionTest
{
    Q_OBJECT

private slots:
    void privateEntry_data();
    void privateEntry();
    void olderThanShown_data();
    void olderThanShown();
    void privateConversationsCatchUp();
};

namespace {

Confab::Protocol::PrivateMessage said(const QString &from, const QString &to, qint64 seq, bool action = false)
{
    return {from, to, u"text %1"_s.arg(seq), 1000 + seq, action ? std::optional<bool>(true) : std::nullopt,
            seq > 0 ? std::optional<qint64>(seq) : std::nullopt, std::nullopt};
}

} // namespace

void TestSessionPrivateChats::privateEntry_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<bool>("action");
    QTest::addColumn<bool>("own");

    QTest::newRow("from the peer") << u"bob"_s << false << false;
    QTest::newRow("the user's own, in another case") << u"ME"_s << false << true;
    QTest::newRow("an action") << u"bob"_s << true << false;
}

void TestSessionPrivateChats::privateEntry()
{
    QFETCH(QString, from);
    QFETCH(bool, action);
    QFETCH(bool, own);

    const LogEntry entry = PrivateChats::privateEntry(said(from, u"x"_s, 7, action), u"me"_s);
    QCOMPARE(entry.kind, LogEntry::Kind::Message);
    QCOMPARE(entry.from, from);
    QCOMPARE(entry.text, u"text 7"_s);
    QCOMPARE(entry.seq, 7);
    QCOMPARE(entry.ts, 1007);
    QCOMPARE(entry.own, own);
    QCOMPARE(entry.action, action);
}

void TestSessionPrivateChats::olderThanShown_data()
{
    QTest::addColumn<QList<qint64>>("shown");
    QTest::addColumn<QList<qint64>>("page");
    QTest::addColumn<QList<qint64>>("older");

    QTest::newRow("nothing shown: all of it") << QList<qint64>{} << QList<qint64>{1, 2, 3} << QList<qint64>{1, 2, 3};
    QTest::newRow("only what is older") << QList<qint64>{4, 5} << QList<qint64>{2, 3, 4, 5} << QList<qint64>{2, 3};
    QTest::newRow("all shown already") << QList<qint64>{1, 2} << QList<qint64>{1, 2} << QList<qint64>{};
    QTest::newRow("unnumbered ones are left out") << QList<qint64>{} << QList<qint64>{0, 1} << QList<qint64>{1};
}

void TestSessionPrivateChats::olderThanShown()
{
    QFETCH(QList<qint64>, shown);
    QFETCH(QList<qint64>, page);
    QFETCH(QList<qint64>, older);

    Conversation chat(Conversation::Type::Private, u"bob"_s);
    for (qint64 seq : shown) {
        chat.log()->append(PrivateChats::privateEntry(said(u"bob"_s, u"me"_s, seq), u"me"_s));
        chat.sync().take(seq);
    }
    QList<Confab::Protocol::PrivateMessage> messages;
    for (qint64 seq : page)
        messages.append(said(u"bob"_s, u"me"_s, seq));
    QList<qint64> got;
    for (const LogEntry &entry : PrivateChats::olderThanShown(&chat, messages, u"me"_s))
        got.append(entry.seq);
    QCOMPARE(got, older);
    // Every message of the page counts as shown: none of them is news.
    for (qint64 seq : page) {
        if (seq > 0)
            QVERIFY(!chat.sync().take(seq));
    }
}

void TestSessionPrivateChats::privateConversationsCatchUp()
{
    welcome();
    m_server->say(privateMessage(u"bob"_s, u"me"_s, 1));
    Conversation *chat = m_session->privateChat(u"bob"_s);
    QVERIFY(chat);
    // Opening it asks for what was said before; nothing was.
    const QJsonObject before = m_server->take(u"private_history"_s);
    QCOMPARE(before.value("with"_L1).toString(), u"bob"_s);
    m_server->say({{"type"_L1, "private_page"_L1}, {"with"_L1, "bob"_L1}, {"messages"_L1, QJsonArray()}}, before);
    m_server->say(privateMessage(u"bob"_s, u"me"_s, 2));
    QCOMPARE(shown(chat), range(1, 2));

    QVERIFY(reconnect());
    const QJsonObject catchUp = m_server->take(u"private_history"_s);
    QCOMPARE(catchUp.value("after"_L1).toInteger(), 2);
    QJsonArray missed{privateMessage(u"bob"_s, u"me"_s, 2), privateMessage(u"me"_s, u"bob"_s, 3),
                      privateMessage(u"bob"_s, u"me"_s, 4)};
    m_server->say({{"type"_L1, "private_page"_L1}, {"with"_L1, "bob"_L1}, {"messages"_L1, missed}}, catchUp);
    QCOMPARE(shown(chat), range(1, 4)); // 2 once
    QVERIFY(chat->log()->entry(chat->log()->rowOfSeq(3)).own);
}

QTEST_GUILESS_MAIN(TestSessionPrivateChats)
#include "tst_privatechats.moc"
