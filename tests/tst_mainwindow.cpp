// The desktop client's window, offscreen, against a real server: what a
// user types and clicks, and what they see.

#include "chatclient.h"
#include "chatsession.h"
#include "conversation.h"
#include "inputline.h"
#include "desktopattention.h"
#include "mainwindow.h"
#include "messageview.h"
#include "nickcolors.h"
#include "quickswitcher.h"
#include "conversationdelegate.h"
#include "conversationlist.h"
#include "serverprocess.h"
#include "widgettesting.h"

#include <QApplication>
#include <QDir>
#include <QAction>
#include <QSettings>
#include <QMenu>
#include <QMenuBar>
#include <QFileInfo>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextCursor>
#include <QTextBlock>
#include <QTextDocument>

using namespace Qt::StringLiterals;

namespace {

void type(MainWindow &window, const QString &text)
{
    QTest::keyClicks(window.input(), text);
    QTest::keyClick(window.input(), Qt::Key_Return);
}

QString shown(MainWindow &window)
{
    MessageView *view = window.viewFor(window.currentConversation());
    return view ? view->toPlainText() : QString();
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void joinByTyping();
    void memberDoubleClickOpensPrivateChat();
    void serverErrorIsVisible();
    void textIsNeverHtml();
    void directionOverridesStayInTheirMessage();
    void scrollingUpLoadsHistory();
    void screenshot();
    void newMessagesLineWhenComingBack();
    void typingLine_data();
    void typingLine();
    void whoIsTyping();
    void awayWhenIdle();
    void editReactDelete();
    void groupsAndDays();
    void keyboardNavigation();
    void sidebarSections();
    void menusAndDisconnect(); // last: it disconnects

private:
    ServerProcess m_server;
    std::unique_ptr<ChatSession> m_session;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(m_server.start({u"--flood-rate"_s, u"0"_s, u"--motd"_s, u"Welcome to the team chat"_s}),
             qPrintable(m_server.error()));
    m_session = std::make_unique<ChatSession>();
    m_window = std::make_unique<MainWindow>(m_session.get());
    m_window->resize(980, 600);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_session->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_server.tcpPort())), u"alice"_s, {},
                     {u"lobby"_s});
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation() && m_window->currentConversation()->isJoined(), 10'000);
    // The server's message of the day greets the user, in a banner above
    // the conversation rather than between its messages.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->motdBanner()->isVisible(), 10'000);
    QCOMPARE(m_window->motdLabel()->text(), u"Welcome to the team chat"_s);
    QVERIFY(!shown(*m_window).contains(u"Welcome to the team chat"_s));
}

void TestMainWindow::cleanupTestCase()
{
    m_window.reset();
    m_session.reset();
    QCOMPARE(m_server.stop(), 0);
}

void TestMainWindow::joinByTyping()
{
    type(*m_window, u"/join design"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"design"_s, 10'000);
    QVERIFY(m_window->topicLabel()->text().contains(u"#design"_s));
    QCOMPARE(m_window->conversationList()->model()->rowCount(), 2);

    type(*m_window, u"first draft is up"_s);
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"first draft is up"_s), 10'000);
    QVERIFY(shown(*m_window).contains(u"alice"_s));
}

void TestMainWindow::memberDoubleClickOpensPrivateChat()
{
    ChatClient bob;
    QVERIFY(bob.connectTo(m_server.tcpPort()) && bob.login(u"bob"_s));
    QVERIFY(!bob.join(u"design"_s).isEmpty());
    QListView *members = m_window->memberList();
    QModelIndex bobIndex;
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int row = 0; row < members->model()->rowCount(); ++row) {
                    if (members->model()->index(row, 0).data().toString() == u"bob"_s)
                        bobIndex = members->model()->index(row, 0);
                }
                return bobIndex.isValid();
            }(),
            10'000);
    QVERIFY(shown(*m_window).contains(u"bob joined"_s));
    const QPoint centre = members->visualRect(bobIndex).center();
    QTest::mouseClick(members->viewport(), Qt::LeftButton, {}, centre);
    QTest::mouseDClick(members->viewport(), Qt::LeftButton, {}, centre);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->type() == Conversation::Type::Private, 10'000);
    QCOMPARE(m_window->currentConversation()->name(), u"bob"_s);
    QVERIFY(m_window->topicLabel()->text().contains(u"bob"_s));

    type(*m_window, u"got a minute?"_s);
    const QJsonObject whisper = bob.waitFor(u"private"_s);
    QCOMPARE(whisper.value("text"_L1).toString(), u"got a minute?"_s);
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"got a minute?"_s), 10'000);

    // Only the user's own nick is bold; bob's has his colour, at normal weight.
    bob.send({{u"type"_s, u"whisper"_s}, {u"to"_s, u"alice"_s}, {u"text"_s, u"sure"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"sure"_s), 10'000);
    const QString html = m_window->viewFor(m_window->currentConversation())->toHtml();
    QVERIFY2(html.contains(u">alice<"_s) && html.contains(u">bob<"_s), qPrintable(html));
    const QTextDocument *document = m_window->viewFor(m_window->currentConversation())->document();
    const auto weightOf = [document](const QString &nick) {
        const QTextCursor found = document->find(nick);
        return found.isNull() ? -1 : found.charFormat().fontWeight();
    };
    QCOMPARE(weightOf(u"alice"_s), int(QFont::Bold));
    QCOMPARE(weightOf(u"bob"_s), int(QFont::Normal));
}

void TestMainWindow::serverErrorIsVisible()
{
    type(*m_window, u"/join design"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"design"_s, 10'000);
    type(*m_window, u"/nick 9lives"_s); // refused by the server
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"must not start with a digit"_s), 10'000);
    type(*m_window, u"/frobnicate"_s);
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"unknown command /frobnicate"_s), 10'000);
}

void TestMainWindow::textIsNeverHtml()
{
    const QString attack = u"<img src=x onerror=alert(1)> <b>not bold</b> & see https://example.org/a?b=1&c=2"_s;
    type(*m_window, attack);
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(attack), 10'000);
    const QString html = m_window->viewFor(m_window->currentConversation())->toHtml();
    QVERIFY(!html.contains(u"<img"_s));
    QVERIFY(html.contains(u"href=\"https://example.org/a?b=1&amp;c=2\""_s));
}

void TestMainWindow::directionOverridesStayInTheirMessage()
{
    // U+202E would show "txt.exe" backwards and everything after it on the
    // line too; the view fences it in an isolate instead of dropping it.
    const QString sneaky = u"see \u202Etxt.exe"_s;
    m_window->input()->insertPlainText(sneaky); // keyClicks types ASCII only
    QTest::keyClick(m_window->input(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"\u2068see \u202Etxt.exe\u2069"_s), 10'000);
}

void TestMainWindow::scrollingUpLoadsHistory()
{
    ChatClient writer;
    QVERIFY(writer.enter(m_server.tcpPort(), u"historian"_s, {u"archive"_s}));
    for (int i = 1; i <= 80; ++i) {
        writer.send({{u"type"_s, u"say"_s}, {u"room"_s, u"archive"_s}, {u"text"_s, u"entry %1"_s.arg(i)}});
        QVERIFY(!writer.waitFor(u"message"_s).isEmpty());
    }
    type(*m_window, u"/join archive"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"archive"_s
                                     && shown(*m_window).contains(u"entry 80"_s),
                             10'000);
    QVERIFY(!shown(*m_window).contains(u"entry 30\n"_s));
    MessageView *view = m_window->viewFor(m_window->currentConversation());
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->minimum());
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"entry 1\n"_s), 10'000);
    QCOMPARE(m_window->currentConversation()->log()->firstSeq(), 1);
}

void TestMainWindow::editReactDelete()
{
    type(*m_window, u"/join edits"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"edits"_s
                                     && m_window->currentConversation()->isJoined(), 10'000);
    Conversation *room = m_window->currentConversation();
    ChatClient bob;
    QVERIFY(bob.connectTo(m_server.tcpPort()) && bob.login(u"bob2"_s));
    QVERIFY(!bob.join(u"edits"_s).isEmpty());

    type(*m_window, u"teh plan"_s);
    const qint64 seq = bob.waitFor(u"message"_s).value("seq"_L1).toInteger();
    QTRY_VERIFY_WITH_TIMEOUT(room->log()->rowOfSeq(seq) >= 0, 10'000);

    // Ctrl+Up edits the last message; Escape gives up, Enter saves.
    QTest::keyClick(m_window->input(), Qt::Key_Up, Qt::ControlModifier);
    QVERIFY(m_window->editingLabel()->isVisible());
    QCOMPARE(m_window->input()->toPlainText(), u"teh plan"_s);
    QTest::keyClick(m_window->input(), Qt::Key_Escape);
    QVERIFY(!m_window->editingLabel()->isVisible());
    QVERIFY(m_window->input()->toPlainText().isEmpty());
    QTest::keyClick(m_window->input(), Qt::Key_Up, Qt::ControlModifier);
    m_window->input()->clear();
    type(*m_window, u"the plan"_s);
    const QJsonObject edited = bob.waitFor(u"updated"_s).value("message"_L1).toObject();
    QCOMPARE(edited.value("text"_L1).toString(), u"the plan"_s);
    QCOMPARE(edited.value("seq"_L1).toInteger(), seq);
    QVERIFY(!m_window->editingLabel()->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"the plan (edited)"_s), 10'000);
    QVERIFY(!shown(*m_window).contains(u"teh plan"_s));

    // Reactions show under the message, counted.
    bob.send({{u"type"_s, u"react"_s}, {u"room"_s, u"edits"_s}, {u"seq"_s, seq}, {u"emoji"_s, u"\U0001F44D"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"\U0001F44D 1"_s), 10'000);

    // The menu offers what the user may do: on their own message react,
    // edit and delete; on someone else's only react.
    bob.send({{u"type"_s, u"say"_s}, {u"room"_s, u"edits"_s}, {u"text"_s, u"bob's"_s}});
    const qint64 bobs = bob.waitFor(u"message"_s).value("seq"_L1).toInteger();
    QTRY_VERIFY_WITH_TIMEOUT(room->log()->rowOfSeq(bobs) >= 0, 10'000);
    auto actionTexts = [&](qint64 of) {
        QMenu menu;
        m_window->addMessageActions(room, room->log()->rowOfSeq(of), &menu);
        QStringList texts;
        for (QAction *action : menu.actions())
            texts << (action->menu() ? action->menu()->title() : action->text());
        texts.removeAll(QString());
        return texts;
    };
    QCOMPARE(actionTexts(seq), QStringList({u"React"_s, u"Edit"_s, u"Delete"_s}));
    QCOMPARE(actionTexts(bobs), QStringList({u"React"_s}));
    // Choosing a reaction from the menu toggles the user's own.
    {
        QMenu menu;
        m_window->addMessageActions(room, room->log()->rowOfSeq(seq), &menu);
        QMenu *react = menu.actions().first()->menu();
        QVERIFY(react);
        QCOMPARE(react->actions().size(), MainWindow::quickReactions().size());
        QVERIFY(!react->actions().first()->isChecked());
        react->actions().first()->trigger();
    }
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"\U0001F44D 2"_s), 10'000);

    // Deleted: the line stays, its words go.
    m_session->deleteMessage(room, seq);
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"alice: message deleted"_s), 10'000);
    QVERIFY(!shown(*m_window).contains(u"the plan"_s));
    QCOMPARE(actionTexts(seq), QStringList());
}

void TestMainWindow::groupsAndDays()
{
    // The day's label, and which messages go under the one before.
    const QDate today(2026, 11, 30);
    QCOMPARE(MessageView::dayLabel(today, today), u"Today"_s);
    QCOMPARE(MessageView::dayLabel(today.addDays(-1), today), u"Yesterday"_s);
    QVERIFY(MessageView::dayLabel(today.addDays(-3), today).contains(u"2026"_s));
    LogEntry first;
    first.from = u"alice"_s;
    first.ts = 1796000000000;
    LogEntry second = first;
    second.ts += 20'000;
    QVERIFY(MessageView::continues(first, second));
    second.from = u"ALICE"_s;
    QVERIFY(MessageView::continues(first, second));
    second.from = u"bob"_s;
    QVERIFY(!MessageView::continues(first, second));
    second = first;
    second.ts = (first.ts / 60'000 + 1) * 60'000; // the next minute
    QVERIFY(!MessageView::continues(first, second));
    second = first;
    second.action = true;
    QVERIFY(!MessageView::continues(first, second));
    LogEntry notice = first;
    notice.kind = LogEntry::Kind::Notice;
    QVERIFY(!MessageView::continues(notice, first));
    QVERIFY(!MessageView::entryHtml(first, false, {}, true).contains(u"alice"_s));
    QVERIFY(MessageView::entryHtml(first, false, {}, false).contains(u"alice"_s));
    // The first of a run has the avatar (the initial on the nick's colour).
    const QString avatar = MessageView::avatarHtml(u"alice"_s, false);
    QVERIFY(avatar.contains(u">&nbsp;A&nbsp;<"_s));
    QVERIFY(avatar.contains(nickColor(u"alice"_s, false).name()));
    QVERIFY(MessageView::entryHtml(first, false, {}, false).contains(avatar));
    QVERIFY(!MessageView::entryHtml(first, false, {}, true).contains(avatar));

    // In the window: a day label above, the nick once for a quick run.
    type(*m_window, u"/join grouped"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"grouped"_s
                                     && m_window->currentConversation()->isJoined(), 10'000);
    ChatClient erin;
    QVERIFY(erin.enter(m_server.tcpPort(), u"erin"_s, {u"grouped"_s}));
    for (const QString &text : {u"one"_s, u"two"_s, u"three"_s})
        QVERIFY(!erin.ask(u"say"_s, {{u"room"_s, u"grouped"_s}, {u"text"_s, text}}, u"message"_s).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"three"_s), 10'000);
    const QString text = shown(*m_window);
    QVERIFY(text.startsWith(u"Today"_s));
    // The centred day label leaves the messages under it aligned left.
    QTextDocument *document = m_window->viewFor(m_window->currentConversation())->document();
    QCOMPARE(int(document->lastBlock().blockFormat().alignment() & Qt::AlignHorizontal_Mask), int(Qt::AlignLeft));
    QVERIFY(document->firstBlock().blockFormat().alignment() & Qt::AlignHCenter);
    // Unless the minute turned between two of them, erin is named once.
    QVERIFY(text.count(u"erin: "_s) >= 1 && text.count(u"erin: "_s) <= 2);
}

void TestMainWindow::keyboardNavigation()
{
    // Three conversations, one with something unread.
    type(*m_window, u"/join nav1"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"nav1"_s, 10'000);
    type(*m_window, u"/join nav2"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"nav2"_s
                                     && m_window->currentConversation()->isJoined(), 10'000);
    ChatClient fay;
    QVERIFY(fay.enter(m_server.tcpPort(), u"fay"_s, {u"nav1"_s}));
    QVERIFY(!fay.ask(u"say"_s, {{u"room"_s, u"nav1"_s}, {u"text"_s, u"psst, nav1"_s}}, u"message"_s).isEmpty());
    Conversation *nav1 = m_session->room(u"nav1"_s);
    QTRY_VERIFY_WITH_TIMEOUT(nav1->unread() > 0, 10'000);
    QVERIFY(m_window->windowTitle().startsWith(u"("_s));
    QVERIFY(!DesktopAttention::badgedIcon(m_window->windowIcon(), 3).pixmap(64).toImage().isNull());

    // Alt+Shift+Up goes to the one with unread; Alt+Down to the next.
    QTest::keyClick(m_window->input(), Qt::Key_Up, Qt::AltModifier | Qt::ShiftModifier);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->currentConversation(), nav1, 5'000);
    QTest::keyClick(m_window->input(), Qt::Key_Down, Qt::AltModifier);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->currentConversation()->name(), u"nav2"_s, 5'000);

    // Ctrl+K: type, Enter, there.
    QTest::keyClick(m_window->input(), Qt::Key_K, Qt::ControlModifier);
    QuickSwitcher *switcher = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((switcher = m_window->findChild<QuickSwitcher *>()) != nullptr, 5'000);
    QTest::keyClicks(switcher->filter(), u"nav1"_s);
    QCOMPARE(switcher->list()->count(), 1);
    QTest::keyClick(switcher->filter(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->currentConversation(), nav1, 5'000);

    // Unread first in the switcher, mentions before that.
    m_window->showConversation(m_session->room(u"nav2"_s));
    QVERIFY(!fay.ask(u"say"_s, {{u"room"_s, u"nav1"_s}, {u"text"_s, u"again"_s}}, u"message"_s).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(nav1->unread() > 0, 10'000);
    const QList<Conversation *> ranked = QuickSwitcher::matches(m_session->conversations()->items(), u"nav"_s);
    QCOMPARE(ranked.first(), nav1);

    // Mark all as read: nothing unread anywhere, and the server is told.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->isActiveWindow(), 5'000); // back from the switcher
    QTest::keyClick(m_window->input(), Qt::Key_Escape, Qt::ShiftModifier);
    QCOMPARE(m_session->totalUnread(), 0);
    QVERIFY(!m_window->windowTitle().startsWith(u"("_s));
    QTRY_COMPARE_WITH_TIMEOUT(nav1->readSeq(), nav1->lastSeq(), 5'000);
}

void TestMainWindow::sidebarSections()
{
    // A private conversation, then a room: rooms stay above, each kind
    // under its heading.
    ChatClient gil;
    QVERIFY(gil.enter(m_server.tcpPort(), u"gil"_s, {u"lobby"_s}));
    QVERIFY(!gil.ask(u"whisper"_s, {{u"to"_s, u"alice"_s}, {u"text"_s, u"hi alice"_s}}, u"private"_s).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(m_session->privateChat(u"gil"_s), 10'000);
    type(*m_window, u"/join sections"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"sections"_s, 10'000);

    QAbstractItemModel *model = m_window->conversationList()->model();
    QStringList headings;
    bool privateSeen = false;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        const bool room = index.data(ConversationList::TypeRole).toInt() == int(Conversation::Type::Room);
        QVERIFY2(!(room && privateSeen), "a room below a private conversation");
        privateSeen = privateSeen || !room;
        if (!ConversationDelegate::heading(index).isEmpty())
            headings << ConversationDelegate::heading(index);
    }
    QCOMPARE(headings, QStringList({u"Rooms"_s, u"Direct messages"_s}));

    // The unread count is a badge; someone away gets the dot's role.
    const QModelIndex gilRow = model->index(m_session->conversations()->indexOf(m_session->privateChat(u"gil"_s)), 0);
    QVERIFY(!ConversationDelegate::badge(gilRow).isEmpty());
    gil.send({{u"type"_s, u"away"_s}, {u"message"_s, u"lunch"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(gilRow.data(ConversationList::PeerAwayRole).toString(), u"lunch"_s, 10'000);
    const QStyleOptionViewItem option;
    QVERIFY(m_window->conversationList()->itemDelegate()->sizeHint(option, model->index(0, 0)).height()
            > m_window->conversationList()->itemDelegate()->sizeHint(option, model->index(1, 0)).height());
}

void TestMainWindow::screenshot()
{
    ChatClient carol;
    ChatClient dave;
    QVERIFY(carol.enter(m_server.tcpPort(), u"carol"_s, {u"lobby"_s}));
    QVERIFY(dave.enter(m_server.tcpPort(), u"dave"_s, {u"lobby"_s}));
    type(*m_window, u"/join lobby"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"lobby"_s, 10'000);
    carol.sendRaw(R"({"type":"topic","room":"lobby","topic":"Release 2.0 on Friday — checklist in the wiki"})" "\n");
    carol.sendRaw(R"({"type":"say","room":"lobby","text":"morning all! the build is green again"})" "\n");
    dave.sendRaw(R"({"type":"say","room":"lobby","text":"nice. alice, can you look at the release notes?"})" "\n");
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"release notes"_s), 10'000);
    type(*m_window, u"on it - draft at https://wiki.example.org/release-2.0"_s);
    carol.sendRaw(R"({"type":"say","room":"lobby","text":"thanks!\nI'll review after lunch"})" "\n");
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"after lunch"_s), 10'000);

    const QImage image = m_window->grab().toImage();
    QVERIFY(!image.isNull());
    QTemporaryDir scratch;
    const QString path = saveScreenshot(image, u"desktop.png"_s, scratch);
    QVERIFY(!path.isEmpty());
    QVERIFY(QFileInfo(path).size() > 10'000);

    // The same in a dark palette, as a dark desktop gives it: the messages
    // are drawn again in colours that read on dark.
    const QPalette light = QApplication::palette();
    QPalette dark(QColor(0x2b, 0x2b, 0x2e), QColor(0x1e, 0x1e, 0x20));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::Highlight, QColor(0x2d, 0x5f, 0xb0));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x20));
    dark.setColor(QPalette::Link, QColor(0x7a, 0xa7, 0xff));
    QApplication::setPalette(dark);
    MessageView *view = m_window->viewFor(m_window->currentConversation());
    QTRY_VERIFY(view->toHtml().contains(nickColor(u"carol"_s, true).name()));
    const QString darkPath = saveScreenshot(m_window->grab().toImage(), u"desktop-dark.png"_s, scratch);
    QVERIFY(QFileInfo(darkPath).size() > 10'000);
    QApplication::setPalette(light);
    QTRY_VERIFY(view->toHtml().contains(nickColor(u"carol"_s, false).name()));
}

void TestMainWindow::newMessagesLineWhenComingBack()
{
    type(*m_window, u"/join quietroom"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->currentConversation()->name() == u"quietroom"_s
                                     && m_window->currentConversation()->isJoined(), 10'000);
    Conversation *room = m_window->currentConversation();
    MessageView *view = m_window->viewFor(room);
    // An empty room says so instead of showing a blank pane.
    QVERIFY(view->placeholderText().contains(u"No messages yet"_s));

    ChatClient carl;
    QVERIFY(carl.connectTo(m_server.tcpPort()) && carl.login(u"carl"_s));
    QVERIFY(!carl.join(u"quietroom"_s).isEmpty());
    carl.send({{u"type"_s, u"say"_s}, {u"room"_s, u"quietroom"_s}, {u"text"_s, u"seen while here"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(shown(*m_window).contains(u"seen while here"_s), 10'000);

    // The user looks away; two messages come; the user comes back.
    m_session->setWindowActive(false);
    const QString longLine = u"away one, long enough to wrap at least once in a window of this width: "_s
                             + QString(u"words "_s).repeated(40);
    carl.send({{u"type"_s, u"say"_s}, {u"room"_s, u"quietroom"_s}, {u"text"_s, longLine}});
    carl.send({{u"type"_s, u"say"_s}, {u"room"_s, u"quietroom"_s}, {u"text"_s, u"away two"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(room->unread(), 2, 10'000);
    QVERIFY(!shown(*m_window).contains(u"new messages"_s));
    m_session->setWindowActive(true);
    QCOMPARE(room->unread(), 0);
    const QString text = shown(*m_window);
    const qsizetype line = text.indexOf(u"── new messages ──"_s);
    QVERIFY2(line > text.indexOf(u"seen while here"_s), qPrintable(text));
    QVERIFY2(line < text.indexOf(u"away one"_s), qPrintable(text));

    // Wrapped lines hang under the text, not under the time.
    const QTextCursor found = view->document()->find(u"away one"_s);
    QVERIFY(!found.isNull());
    QVERIFY(found.blockFormat().leftMargin() > 0);
    QCOMPARE(found.blockFormat().textIndent(), -found.blockFormat().leftMargin());
}

void TestMainWindow::typingLine_data()
{
    QTest::addColumn<QStringList>("nicks");
    QTest::addColumn<QString>("line");

    QTest::newRow("nobody") << QStringList{} << QString();
    QTest::newRow("one") << QStringList{u"ada"_s} << u"ada is typing…"_s;
    QTest::newRow("two") << QStringList{u"ada"_s, u"bo"_s} << u"ada and bo are typing…"_s;
    QTest::newRow("three") << QStringList{u"ada"_s, u"bo"_s, u"cy"_s} << u"ada, bo and cy are typing…"_s;
    QTest::newRow("five") << QStringList{u"ada"_s, u"bo"_s, u"cy"_s, u"di"_s, u"ed"_s}
                          << u"ada, bo and 3 others are typing…"_s;
}

void TestMainWindow::typingLine()
{
    QFETCH(QStringList, nicks);
    QFETCH(QString, line);
    QCOMPARE(MainWindow::typingLine(nicks), line);
}

void TestMainWindow::whoIsTyping()
{
    Conversation *room = m_window->currentConversation();
    QVERIFY(room && room->type() == Conversation::Type::Room);
    ChatClient dora;
    QVERIFY(dora.connectTo(m_server.tcpPort()) && dora.login(u"dora"_s));
    QVERIFY(!dora.join(room->name()).isEmpty());

    dora.send({{u"type"_s, u"typing"_s}, {u"room"_s, room->name()}});
    QTRY_COMPARE_WITH_TIMEOUT(m_window->typingLabel()->text(), u"dora is typing…"_s, 10'000);
    dora.send({{u"type"_s, u"say"_s}, {u"room"_s, room->name()}, {u"text"_s, u"done typing"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(m_window->typingLabel()->text(), QString(), 10'000);

    // What alice types tells dora, once, and not for a command.
    QTest::keyClicks(m_window->input(), u"/jo"_s);
    QTest::keyClicks(m_window->input(), u"in"_s);
    m_window->input()->clear();
    QTest::keyClicks(m_window->input(), u"hel"_s);
    const QJsonObject typing = dora.waitFor(u"typing"_s);
    QCOMPARE(typing.value(u"from"_s).toString(), u"alice"_s);
    QCOMPARE(typing.value(u"room"_s).toString(), room->name());
    QVERIFY(!typing.contains(u"done"_s));
    m_window->input()->clear(); // cleared the line: done
    QCOMPARE(dora.waitFor(u"typing"_s).value(u"done"_s), QJsonValue(true));
    // And that was all: nothing about the command.
    dora.send({{u"type"_s, u"ping"_s}, {u"id"_s, 7}});
    QCOMPARE(dora.next().value(u"type"_s).toString(), u"pong"_s);
}

void TestMainWindow::awayWhenIdle()
{
    ChatClient eve;
    QVERIFY(eve.connectTo(m_server.tcpPort()) && eve.login(u"eve"_s));
    QVERIFY(!eve.join(m_window->currentConversation()->name()).isEmpty());
    m_window->setIdleAwayAfter(300);
    QTRY_COMPARE_WITH_TIMEOUT(m_session->awayMessage(), u"idle"_s, 10'000);
    QCOMPARE(eve.waitFor(u"presence"_s).value(u"away"_s).toString(), u"idle"_s);
    // Back at the keyboard: back.
    QTest::keyClick(m_window->input(), Qt::Key_Shift);
    QTRY_COMPARE_WITH_TIMEOUT(m_session->awayMessage(), QString(), 10'000);
    QVERIFY(!eve.waitFor(u"presence"_s).contains(u"away"_s));
    m_window->setIdleAwayAfter(0);
}

void TestMainWindow::menusAndDisconnect()
{
    QStringList menus;
    for (QAction *action : m_window->menuBar()->actions())
        menus << action->text().remove(u'&');
    QCOMPARE(menus, (QStringList{u"Chat"_s, u"Room"_s, u"View"_s, u"Settings"_s, u"Help"_s}));

    // Help → About says what this is and where it is connected.
    ModalAnswer about(QString{});
    const auto findAction = [this](const QString &text) -> QAction * {
        for (QAction *action : m_window->findChildren<QAction *>()) {
            if (action->text().remove(u'&') == text)
                return action;
        }
        return nullptr;
    };
    QVERIFY(findAction(u"About Confab"_s));
    findAction(u"About Confab"_s)->trigger();
    QTRY_VERIFY(about.seen);
    QCOMPARE(about.name, u"about"_s);
    QVERIFY2(about.details.contains(u"as alice"_s), qPrintable(about.details));

    // Settings → notifications: remembered.
    QAction *notifications = m_window->findChild<QAction *>(u"notifications"_s);
    QVERIFY(notifications && notifications->isChecked());
    notifications->trigger();
    QCOMPARE(QSettings().value(u"notifications/enabled"_s).toBool(), false);
    notifications->trigger();

    // Settings → away when idle: a choice of how long, remembered and used.
    auto *autoAway = m_window->findChild<QMenu *>(u"autoAway"_s);
    QVERIFY(autoAway);
    QStringList choices;
    QAction *checked = nullptr;
    QAction *fiveMinutes = nullptr;
    for (QAction *choice : autoAway->actions()) {
        choices << choice->text().remove(u'&');
        if (choice->isChecked())
            checked = choice;
        if (choice->data().toInt() == 5)
            fiveMinutes = choice;
    }
    QCOMPARE(choices, (QStringList{u"Never"_s, u"After 5 Minutes"_s, u"After 10 Minutes"_s, u"After 15 Minutes"_s,
                                   u"After 30 Minutes"_s, u"After 60 Minutes"_s}));
    QVERIFY(checked);
    QCOMPARE(checked->data().toInt(), QSettings().value(u"presence/autoAwayMinutes"_s, 10).toInt());
    fiveMinutes->trigger();
    QVERIFY(fiveMinutes->isChecked() && !checked->isChecked());
    QCOMPARE(QSettings().value(u"presence/autoAwayMinutes"_s).toInt(), 5);
    QCOMPARE(m_window->idleAwayAfterMs(), 5 * 60'000);
    checked->trigger();
    m_window->setIdleAwayAfter(0);

    // Chat → Disconnect: offline, and the action greys out.
    QAction *disconnect = m_window->findChild<QAction *>(u"disconnect"_s);
    QVERIFY(disconnect->isEnabled());
    disconnect->trigger();
    QTRY_COMPARE(m_session->state(), ChatSession::State::Disconnected);
    QTRY_VERIFY(!disconnect->isEnabled());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
