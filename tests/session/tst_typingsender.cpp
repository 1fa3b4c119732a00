// client/core/session/typingsender.h: when the user's own typing is worth
// a notice.

#include "typingsender.h"

#include "conversation.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestTypingSender : public QObject
{
    Q_OBJECT

private slots:
    void notice_data();
    void notice();
    void sentEndsTyping();
};

void TestTypingSender::notice_data()
{
    // Two calls for one conversation, `gapMs` apart: what the second sends.
    QTest::addColumn<bool>("firstTyping");
    QTest::addColumn<bool>("secondTyping");
    QTest::addColumn<qint64>("gapMs");
    QTest::addColumn<bool>("sends");
    QTest::addColumn<bool>("done");

    QTest::newRow("typing again soon") << true << true << qint64(1000) << false << false;
    QTest::newRow("typing again after the renewal") << true << true << TypingSender::RenewMs << true << false;
    QTest::newRow("cleared after a notice") << true << false << qint64(10) << true << true;
    QTest::newRow("cleared twice") << false << false << qint64(10) << false << false;
}

void TestTypingSender::notice()
{
    QFETCH(bool, firstTyping);
    QFETCH(bool, secondTyping);
    QFETCH(qint64, gapMs);
    QFETCH(bool, sends);
    QFETCH(bool, done);

    Conversation room(Conversation::Type::Room, u"den"_s);
    TypingSender sender;
    const auto first = sender.notice(&room, firstTyping, 50'000);
    QCOMPARE(first.has_value(), firstTyping); // nothing to stop before a notice
    const auto second = sender.notice(&room, secondTyping, 50'000 + gapMs);
    QCOMPARE(second.has_value(), sends);
    if (!sends)
        return;
    QCOMPARE(second->room, std::optional<QString>(u"den"_s));
    QVERIFY(!second->to);
    QCOMPARE(second->done.value_or(false), done);
}

void TestTypingSender::sentEndsTyping()
{
    Conversation chat(Conversation::Type::Private, u"ann"_s);
    TypingSender sender;
    const auto typing = sender.notice(&chat, true, 1000);
    QVERIFY(typing);
    QCOMPARE(typing->to, std::optional<QString>(u"ann"_s));
    QVERIFY(!typing->done);
    // The message itself ends "typing": no "done" after it, and the next
    // keystroke is news at once.
    sender.sent(&chat);
    QVERIFY(!sender.notice(&chat, false, 1100));
    QVERIFY(sender.notice(&chat, true, 1200));
}

QTEST_GUILESS_MAIN(TestTypingSender)
#include "tst_typingsender.moc"
