// The desktop client's message view alone (offscreen, no server): how room
// events are worded, dimmed and collapsed into one line that opens.

#include "conversation.h"
#include "messageview.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTest>

using namespace Qt::StringLiterals;
using Event = LogEntry::Event;

namespace {

qint64 g_clock = 0;

LogEntry roomEvent(Event kind, const QString &who = {}, const QString &detail = {}, bool own = false,
                   const QString &target = {})
{
    LogEntry entry;
    entry.target = target;
    entry.kind = LogEntry::Kind::Event;
    entry.event = kind;
    entry.from = who;
    entry.text = detail;
    entry.own = own;
    entry.ts = ++g_clock;
    return entry;
}

LogEntry message(const QString &from, const QString &text)
{
    LogEntry entry;
    entry.from = from;
    entry.text = text;
    entry.ts = ++g_clock;
    entry.seq = g_clock;
    return entry;
}

// The view's lines, without the time stamps.
QStringList lines(const MessageView &view)
{
    QStringList out;
    for (QString line : view.toPlainText().split(u'\n')) {
        line.remove(QRegularExpression(u"^\\d\\d:\\d\\d "_s));
        // Bidi isolates around user text are invisible; drop them here.
        line.remove(QChar(0x2068)).remove(QChar(0x2069));
        out << line;
    }
    return out;
}

} // namespace

class TestMessageView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void eventText_data();
    void eventText();
    void eventsAreDimmed();
    void aShortRunIsShownInFull();
    void aLongRunCollapses();
    void aRunGrowingLiveStaysOneLine();
    void aRunRightAfterTheDayLabel();
    void aRunOpensAndCloses();
    void aMessageSplitsRuns();
    void moderationIsNeverFolded();
    void reactionChips_data();
    void reactionChips();

private:
    std::unique_ptr<Conversation> m_room;
};

void TestMessageView::init()
{
    // Today, so that each view starts with the same day label.
    g_clock = QDateTime::currentMSecsSinceEpoch() - 60'000;
    m_room = std::make_unique<Conversation>(Conversation::Type::Room, u"lobby"_s);
}

void TestMessageView::eventText_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("who");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<bool>("own");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("words");

    QTest::newRow("joined") << int(Event::Joined) << u"ann"_s << QString() << false << QString() << u"ann joined"_s;
    QTest::newRow("left") << int(Event::Left) << u"ann"_s << QString() << false << QString() << u"ann left"_s;
    QTest::newRow("left, why") << int(Event::Left) << u"ann"_s << u"bye"_s << false << QString() << u"ann left (bye)"_s;
    QTest::newRow("nick") << int(Event::NickChanged) << u"ann"_s << u"anna"_s << false << QString() << u"ann is now known as anna"_s;
    QTest::newRow("own nick") << int(Event::NickChanged) << u"me"_s << u"me2"_s << true << QString() << u"You are now known as me2"_s;
    QTest::newRow("topic set") << int(Event::TopicChanged) << u"ann"_s << u"Friday"_s << false << QString() << u"ann set the topic: Friday"_s;
    QTest::newRow("topic cleared") << int(Event::TopicChanged) << u"ann"_s << QString() << false << QString() << u"ann cleared the topic"_s;
    QTest::newRow("topic") << int(Event::Topic) << QString() << u"Friday"_s << false << QString() << u"Topic: Friday"_s;
    QTest::newRow("disconnected") << int(Event::Disconnected) << QString() << u"timeout"_s << false << QString() << u"Disconnected: timeout"_s;
    QTest::newRow("reconnected") << int(Event::Reconnected) << QString() << QString() << false << QString() << u"Reconnected"_s;

    QTest::newRow("away") << int(Event::AwayChanged) << u"ann"_s << u"lunch"_s << false << QString()
                          << u"ann is away: lunch"_s;
    QTest::newRow("back") << int(Event::AwayChanged) << u"ann"_s << QString() << false << QString() << u"ann is back"_s;
    QTest::newRow("waiting") << int(Event::Waiting) << u"zed"_s << QString() << false << QString()
                             << u"zed is offline: they will get it when they log in"_s;
    // Moderation, in the room "club".
    QTest::newRow("claimed") << int(Event::RoomClaimed) << u"olga"_s << QString() << false << QString()
                             << u"olga now owns #club"_s;
    QTest::newRow("claimed by me") << int(Event::RoomClaimed) << u"me"_s << QString() << true << QString()
                                   << u"You now own #club"_s;
    QTest::newRow("made op") << int(Event::RoleChanged) << u"olga"_s << u"op"_s << false << u"mike"_s
                             << u"olga made mike an op"_s;
    QTest::newRow("made me a member") << int(Event::RoleChanged) << u"olga"_s << u"member"_s << true << u"me"_s
                                      << u"olga made you a member"_s;
    QTest::newRow("kicked") << int(Event::Kicked) << u"olga"_s << u"off topic"_s << false << u"mike"_s
                            << u"mike was removed from #club by olga: off topic"_s;
    QTest::newRow("muted") << int(Event::Muted) << u"olga"_s << QString() << false << u"mike"_s << u"olga muted mike"_s;
    QTest::newRow("unmuted me") << int(Event::Unmuted) << u"olga"_s << QString() << true << u"me"_s
                                << u"olga let you speak again"_s;
    QTest::newRow("modes") << int(Event::ModesChanged) << u"olga"_s << u"+i -t"_s << false << QString()
                           << u"olga made the room invitation only, unlocked the topic"_s;
}

void TestMessageView::eventText()
{
    QFETCH(int, kind);
    QFETCH(QString, who);
    QFETCH(QString, detail);
    QFETCH(bool, own);
    QFETCH(QString, target);
    QFETCH(QString, words);
    QCOMPARE(MessageView::eventText(roomEvent(Event(kind), who, detail, own, target), u"club"_s), words);
}

void TestMessageView::eventsAreDimmed()
{
    const QString eventHtml = MessageView::entryHtml(roomEvent(Event::Joined, u"ann"_s), false);
    const QString messageHtml = MessageView::entryHtml(message(u"ann"_s, u"hi"_s), false);
    QVERIFY(eventHtml.contains(u"font-size:small"_s));
    QVERIFY(eventHtml.contains(u"#8c8c8c"_s));
    QVERIFY(!messageHtml.contains(u"#8c8c8c"_s));
}

void TestMessageView::aShortRunIsShownInFull()
{
    m_room->log()->append(roomEvent(Event::Joined, u"ann"_s));
    m_room->log()->append(roomEvent(Event::Left, u"bob"_s));
    MessageView view(m_room.get(), u"me"_s);
    QCOMPARE(lines(view).mid(1), QStringList({u"→ ann joined"_s, u"→ bob left"_s}));
}

void TestMessageView::aLongRunCollapses()
{
    m_room->log()->append(message(u"ann"_s, u"before"_s));
    for (const QString &nick : {u"bob"_s, u"cy"_s, u"di"_s, u"ed"_s})
        m_room->log()->append(roomEvent(Event::Joined, nick));
    m_room->log()->append(message(u"ann"_s, u"after"_s));
    MessageView view(m_room.get(), u"me"_s);
    const QStringList shown = lines(view);

    QCOMPARE(shown.size(), 4); // day, before, the run, after
    QVERIFY(shown.at(1).endsWith(u"before"_s));
    QCOMPARE(shown.at(2), u"→ 4 room events: bob joined, cy joined, di joined, … show"_s);
    QVERIFY(shown.at(3).endsWith(u"after"_s));
}

void TestMessageView::aRunGrowingLiveStaysOneLine()
{
    m_room->log()->append(message(u"ann"_s, u"hello"_s));
    MessageView view(m_room.get(), u"me"_s);
    for (int i = 1; i <= 5; ++i) {
        m_room->log()->append(roomEvent(Event::Joined, u"guest%1"_s.arg(i)));
        const QStringList shown = lines(view);
        if (i < MessageView::CollapsedRun) {
            QCOMPARE(shown.size(), 2 + i);
        } else {
            QCOMPARE(shown.size(), 3);
            QVERIFY2(shown.last().startsWith(u"→ %1 room events: guest1 joined"_s.arg(i)), qPrintable(shown.last()));
        }
    }
    m_room->log()->append(message(u"ann"_s, u"welcome all"_s));
    QCOMPARE(lines(view).size(), 4);
    QCOMPARE(view.document()->firstBlock().blockFormat().alignment(), Qt::AlignHCenter); // "Today"
    QVERIFY(lines(view).last().endsWith(u"welcome all"_s));
}

void TestMessageView::aRunRightAfterTheDayLabel()
{
    MessageView view(m_room.get(), u"me"_s);
    for (int i = 1; i <= 4; ++i)
        m_room->log()->append(roomEvent(Event::Joined, u"guest%1"_s.arg(i)));
    QCOMPARE(lines(view).size(), 2);
    QCOMPARE(lines(view).first(), u"Today"_s);
    QCOMPARE(view.document()->firstBlock().blockFormat().alignment(), Qt::AlignHCenter);
    QCOMPARE(view.document()->lastBlock().blockFormat().alignment(), Qt::AlignLeft);
}

void TestMessageView::aRunOpensAndCloses()
{
    for (const QString &nick : {u"bob"_s, u"cy"_s, u"di"_s})
        m_room->log()->append(roomEvent(Event::Joined, nick));
    MessageView view(m_room.get(), u"me"_s);
    QCOMPARE(lines(view).size(), 2);
    QVERIFY(!view.toggleRun(-1));

    // A click on "show", as the user does it.
    const QString html = view.toHtml();
    const qsizetype at = html.indexOf(u"confab-events:"_s);
    QVERIFY(at > 0);
    const QUrl link(html.mid(at, html.indexOf(u'"', at) - at));
    emit view.anchorClicked(link);
    QCOMPARE(lines(view).mid(1), QStringList({u"→ bob joined"_s, u"→ cy joined"_s, u"→ di joined hide"_s}));
    // It stays open as the run grows, and closes again.
    m_room->log()->append(roomEvent(Event::Left, u"bob"_s));
    QCOMPARE(lines(view).size(), 5);
    QVERIFY(lines(view).last().endsWith(u"bob left hide"_s));
    QVERIFY(view.toggleRun(2));
    QCOMPARE(lines(view).size(), 2);
}

void TestMessageView::aMessageSplitsRuns()
{
    for (const QString &nick : {u"bob"_s, u"cy"_s, u"di"_s})
        m_room->log()->append(roomEvent(Event::Joined, nick));
    m_room->log()->append(message(u"bob"_s, u"hi"_s));
    m_room->log()->append(roomEvent(Event::Left, u"cy"_s));
    MessageView view(m_room.get(), u"me"_s);
    const QStringList shown = lines(view);
    QCOMPARE(shown.size(), 4);
    QVERIFY(shown.at(1).startsWith(u"→ 3 room events"_s));
    QCOMPARE(shown.at(3), u"→ cy left"_s);
    QVERIFY(!view.toggleRun(4)); // a run of one does not collapse
}

void TestMessageView::moderationIsNeverFolded()
{
    m_room->log()->append(roomEvent(Event::Joined, u"bob"_s));
    m_room->log()->append(roomEvent(Event::Joined, u"cy"_s));
    m_room->log()->append(roomEvent(Event::Kicked, u"olga"_s, QString(), false, u"cy"_s));
    m_room->log()->append(roomEvent(Event::Joined, u"di"_s));
    m_room->log()->append(roomEvent(Event::Joined, u"ed"_s));
    MessageView view(m_room.get(), u"me"_s);
    const QStringList shown = lines(view);
    QCOMPARE(shown.size(), 6);
    QCOMPARE(shown.at(3), u"— cy was removed from #lobby by olga"_s);
    QVERIFY(!view.toHtml().contains(u"confab-events:"_s));
}

void TestMessageView::reactionChips_data()
{
    QTest::addColumn<QStringList>("nicks");
    QTest::addColumn<std::optional<int>>("count");
    QTest::addColumn<std::optional<bool>>("mine");
    QTest::addColumn<QString>("shownCount");
    QTest::addColumn<bool>("markedMine");

    // A server that sends the first few nicks, the count and `mine`.
    QTest::newRow("twelve, mine") << QStringList{u"bob"_s, u"cy"_s, u"dan"_s} << std::optional<int>(12)
                                  << std::optional<bool>(true) << u"12"_s << true;
    QTest::newRow("twelve, not mine") << QStringList{u"bob"_s, u"cy"_s, u"dan"_s} << std::optional<int>(12)
                                      << std::optional<bool>(false) << u"12"_s << false;
    // An older server: every nick, neither count nor mine.
    QTest::newRow("older server, mine") << QStringList{u"bob"_s, u"Me"_s} << std::optional<int>()
                                        << std::optional<bool>() << u"2"_s << true;
    QTest::newRow("older server, not mine") << QStringList{u"bob"_s} << std::optional<int>() << std::optional<bool>()
                                            << u"1"_s << false;
}

void TestMessageView::reactionChips()
{
    QFETCH(QStringList, nicks);
    QFETCH(std::optional<int>, count);
    QFETCH(std::optional<bool>, mine);
    QFETCH(QString, shownCount);
    QFETCH(bool, markedMine);

    LogEntry entry;
    entry.reactions = {Confab::Protocol::Reaction{u"\U0001F44D"_s, nicks, count, mine}};
    const QString html = MessageView::reactionsHtml(entry, u"me"_s, false);
    QVERIFY2(html.contains(u"&nbsp;"_s + shownCount + u"&nbsp;"_s), qPrintable(html));
    QCOMPARE(html.contains(u"#dbeafe"_s), markedMine); // the light theme's colour of one's own
}

QTEST_MAIN(TestMessageView)
#include "tst_messageview.moc"
