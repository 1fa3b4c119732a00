// features/privatechat.cpp in-process (docs/protocol.md section 19): one
// numbering per conversation, whispers that wait for an offline account,
// reading back, and a guest's conversation lasting as long as its nick.

#include "inprocesschat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

namespace {

QJsonObject whisper(const QString &to, const QString &text)
{
    return {{"type"_L1, "whisper"_L1}, {"to"_L1, to}, {"text"_L1, text}};
}

QList<int> seqs(const QJsonObject &page)
{
    QList<int> list;
    for (const QJsonValue &message : page.value("messages"_L1).toArray())
        list.append(message.toObject().value("seq"_L1).toInt());
    return list;
}

} // namespace

class TestPrivateChat : public QObject
{
    Q_OBJECT

private slots:
    void whisperOutcomes_data();
    void whisperOutcomes();
    void numberedPerConversation();
    void waitsForAnOfflineAccount();
    void aNewGuestReadsNothingOfTheLast();
};

void TestPrivateChat::whisperOutcomes_data()
{
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("bobHears");

    QTest::newRow("to someone connected") << u"bob"_s << u"lunch?"_s << u"private"_s << true;
    QTest::newRow("nick in another case") << u"BOB"_s << u"lunch?"_s << u"private"_s << true;
    QTest::newRow("to nobody") << u"nobody"_s << u"lunch?"_s << u"no_such_user"_s << false;
    QTest::newRow("could never be a nick") << u"b b"_s << u"lunch?"_s << u"no_such_user"_s << false;
    QTest::newRow("empty text") << u"bob"_s << QString() << u"text_invalid"_s << false;
    QTest::newRow("text too long") << u"bob"_s << QString(4097, u'x') << u"text_invalid"_s << false;
}

void TestPrivateChat::whisperOutcomes()
{
    QFETCH(QString, to);
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QFETCH(bool, bobHears);

    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.guest(u"alice"_s);
    auto bob = chat.guest(u"bob"_s);
    QVERIFY(alice && bob);
    const QJsonObject answer = alice->ask(whisper(to, text));
    QCOMPARE(outcome(answer), expected);
    const QList<QJsonObject> heard = bob->settle();
    QCOMPARE(heard.size(), bobHears ? 1 : 0);
    if (bobHears) {
        QJsonObject echo = answer;
        echo.remove("id"_L1);
        // The recipient gets the same event as the echo, without the id.
        QCOMPARE(heard.first(), echo);
        QCOMPARE(echo.value("from"_L1).toString(), u"alice"_s);
        QCOMPARE(echo.value("to"_L1).toString(), u"bob"_s);
        QCOMPARE(echo.value("seq"_L1).toInt(), 1);
    }
}

void TestPrivateChat::numberedPerConversation()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.guest(u"alice"_s);
    auto bob = chat.guest(u"bob"_s);
    auto carol = chat.guest(u"carol"_s);
    QVERIFY(alice && bob && carol);
    QCOMPARE(alice->ask(whisper(u"bob"_s, u"1"_s)).value("seq"_L1).toInt(), 1);
    QCOMPARE(bob->ask(whisper(u"alice"_s, u"2"_s)).value("seq"_L1).toInt(), 2);
    // Another conversation counts on its own.
    QCOMPARE(alice->ask(whisper(u"carol"_s, u"1"_s)).value("seq"_L1).toInt(), 1);
    QCOMPARE(alice->ask(whisper(u"bob"_s, u"3"_s)).value("seq"_L1).toInt(), 3);

    const QJsonObject page = bob->ask({{"type"_L1, "private_history"_L1}, {"with"_L1, "alice"_L1}, {"after"_L1, 1}});
    QCOMPARE(outcome(page), u"private_page"_s);
    QCOMPARE(seqs(page), (QList<int>{2, 3}));
    const QJsonObject empty = carol->ask({{"type"_L1, "private_history"_L1}, {"with"_L1, "bob"_L1}});
    QCOMPARE(outcome(empty), u"private_page"_s);
    QCOMPARE(empty.value("messages"_L1).toArray().size(), 0);
}

void TestPrivateChat::waitsForAnOfflineAccount()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto bob = chat.account(u"bob"_s, Password);
    auto alice = chat.guest(u"alice"_s);
    QVERIFY(alice && bob);
    bob->drop();

    const QJsonObject echo = alice->ask(whisper(u"bob"_s, u"call me"_s));
    QCOMPARE(outcome(echo), u"private"_s);
    QCOMPARE(echo.value("waiting"_L1).toBool(), true);
    // Typing to an offline account has nothing to wait for.
    QCOMPARE(outcome(alice->ask({{"type"_L1, "typing"_L1}, {"to"_L1, "bob"_L1}})), u"no_such_user"_s);

    auto again = chat.connect();
    QCOMPARE(outcome(again->ask(login(u"bob"_s, u"bob"_s), 20'000)), u"welcome"_s);
    // What waited arrives right after the welcome, once.
    const QList<QJsonObject> arrived = again->settle();
    QCOMPARE(arrived.size(), 1);
    QCOMPARE(arrived.first().value("text"_L1).toString(), u"call me"_s);
    QVERIFY(!arrived.first().contains("waiting"_L1));
    again->drop();
    auto third = chat.connect();
    QCOMPARE(outcome(third->ask(login(u"bob"_s, u"bob"_s), 20'000)), u"welcome"_s);
    QVERIFY(third->settle().isEmpty());
}

void TestPrivateChat::aNewGuestReadsNothingOfTheLast()
{
    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.guest(u"alice"_s);
    auto bob = chat.guest(u"bob"_s);
    QVERIFY(alice && bob);
    QCOMPARE(alice->ask(whisper(u"bob"_s, u"secret"_s)).value("seq"_L1).toInt(), 1);
    bob->drop();

    auto newBob = chat.guest(u"bob"_s);
    QVERIFY(newBob);
    const QJsonObject page = newBob->ask({{"type"_L1, "private_history"_L1}, {"with"_L1, "alice"_L1}});
    QCOMPARE(seqs(page), QList<int>{});
    // The numbering is the conversation's: it goes on.
    QCOMPARE(alice->ask(whisper(u"bob"_s, u"hello again"_s)).value("seq"_L1).toInt(), 2);
}

QTEST_GUILESS_MAIN(TestPrivateChat)
#include "tst_privatechat.moc"
