// Moderation in the desktop client, offscreen, against a real server: an
// owner removes and bans a member through the member menu and the room
// settings, and the member sees why, in words.

#include "chatsession.h"
#include "conversation.h"
#include "mainwindow.h"
#include "messageview.h"
#include "moderationdialog.h"
#include "roommembers.h"
#include "roomsettingsdialog.h"
#include "serverprocess.h"

#include <QAction>
#include <QCheckBox>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;

namespace {

QString shown(MainWindow &window, Conversation *conversation)
{
    MessageView *view = window.viewFor(conversation);
    return view ? view->toPlainText() : QString();
}

QStringList actionNames(QMenu *menu)
{
    QStringList names;
    for (QAction *action : menu->actions()) {
        if (!action->isSeparator())
            names << action->objectName();
    }
    delete menu;
    return names;
}

QAction *findAction(QMenu *menu, const QString &name)
{
    for (QAction *action : menu->actions()) {
        if (action->objectName() == name)
            return action;
    }
    return nullptr;
}

// One user: a session and its window.
struct User
{
    ChatSession session;
    MainWindow window{&session};

    bool enter(quint16 port, const QString &nick, const QString &room)
    {
        window.show();
        session.start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(port)), nick, {}, {room});
        return QTest::qWaitFor([&] { return session.room(room) && session.room(room)->isJoined(); }, 10'000);
    }
};

// Runs the dialog `trigger` opens, once it is open.
template <typename Dialog, typename Fill>
bool answer(QWidget *parent, Fill fill)
{
    Dialog *dialog = nullptr;
    if (!QTest::qWaitFor([&] { return (dialog = parent->findChild<Dialog *>()) != nullptr; }, 5'000))
        return false;
    fill(dialog);
    dialog->accept();
    return true;
}

} // namespace

class TestModerationWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void ownerSeesModerationMenu();
    void kickedMemberSeesWhy();
    void bannedMemberSeesWhy();
    void roomSettingsLiftBanAndCloseRoom();

private:
    ServerProcess m_server;
    std::unique_ptr<User> m_owner;
    std::unique_ptr<User> m_member;
};

void TestModerationWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(m_server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(m_server.error()));
    m_owner = std::make_unique<User>();
    // The owner registers on the way in, as the connect dialog's
    // "register" does, and claims the room.
    m_owner->session.setRegistration(u"owner-password"_s);
    QVERIFY(m_owner->enter(m_server.tcpPort(), u"olga"_s, u"club"_s));
    QTRY_COMPARE_WITH_TIMEOUT(m_owner->session.account(), u"olga"_s, 10'000);
    Conversation *club = m_owner->session.room(u"club"_s);
    m_owner->session.submit(club, u"/claim"_s);
    QTRY_COMPARE_WITH_TIMEOUT(club->members()->rank(u"olga"_s), RoomMembers::Rank::Owner, 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(shown(m_owner->window, club).contains(u"You now own #club"_s), 10'000);

    m_member = std::make_unique<User>();
    QVERIFY(m_member->enter(m_server.tcpPort(), u"mike"_s, u"club"_s));
    QTRY_VERIFY_WITH_TIMEOUT(club->hasMember(u"mike"_s), 10'000);
}

void TestModerationWindow::cleanupTestCase()
{
    m_member.reset();
    m_owner.reset();
    QCOMPARE(m_server.stop(), 0);
}

void TestModerationWindow::ownerSeesModerationMenu()
{
    // The owner's badge, for everyone.
    Conversation *memberView = m_member->session.room(u"club"_s);
    QCOMPARE(memberView->members()->rank(u"olga"_s), RoomMembers::Rank::Owner);
    const QModelIndex first = memberView->members()->index(0);
    QCOMPARE(first.data().toString(), u"olga"_s); // owners are listed first
    QCOMPARE(first.data(RoomMembers::RoleName).toString(), u"owner"_s);

    QCOMPARE(actionNames(m_owner->window.memberMenu(u"mike"_s)),
             (QStringList{u"private"_s, u"kick"_s, u"ban"_s, u"mute"_s, u"op"_s}));
    // A member is offered nothing they would be refused.
    QCOMPARE(actionNames(m_member->window.memberMenu(u"olga"_s)), QStringList{u"private"_s});
    QCOMPARE(actionNames(m_owner->window.memberMenu(u"olga"_s)), QStringList());
}

void TestModerationWindow::kickedMemberSeesWhy()
{
    Conversation *club = m_owner->session.room(u"club"_s);
    Conversation *mine = m_member->session.room(u"club"_s);
    QMenu *menu = m_owner->window.memberMenu(u"mike"_s);
    findAction(menu, u"kick"_s)->trigger();
    delete menu;
    QVERIFY(answer<ModerationDialog>(&m_owner->window, [](ModerationDialog *dialog) {
        QCOMPARE(dialog->action(), ModerationDialog::Action::Kick);
        dialog->setReason(u"please keep it on topic"_s);
    }));
    const QString why = u"You were removed from #club by olga: please keep it on topic"_s;
    QTRY_VERIFY_WITH_TIMEOUT(shown(m_member->window, mine).contains(why), 10'000);
    QVERIFY(!mine->isJoined());
    QVERIFY(m_member->window.statusBar()->currentMessage().contains(why));
    QTRY_VERIFY_WITH_TIMEOUT(!club->hasMember(u"mike"_s), 10'000);
    QVERIFY(shown(m_owner->window, club).contains(u"mike was removed from #club by olga: please keep it on topic"_s));

    // A kick is not a ban: back in by typing.
    m_member->session.submit(mine, u"/join club"_s);
    QTRY_VERIFY_WITH_TIMEOUT(mine->isJoined(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(club->hasMember(u"mike"_s), 10'000);
}

void TestModerationWindow::bannedMemberSeesWhy()
{
    Conversation *mine = m_member->session.room(u"club"_s);
    QMenu *menu = m_owner->window.memberMenu(u"mike"_s);
    findAction(menu, u"ban"_s)->trigger();
    delete menu;
    QVERIFY(answer<ModerationDialog>(&m_owner->window, [](ModerationDialog *dialog) {
        QCOMPARE(dialog->action(), ModerationDialog::Action::Ban);
        dialog->setReason(u"spam links"_s);
        dialog->setDuration(3600);
        QCOMPARE(dialog->duration(), std::optional<qint64>(3600));
    }));
    QTRY_VERIFY_WITH_TIMEOUT(shown(m_member->window, mine).contains(u"You were removed from #club by olga: spam links"_s),
                             10'000);
    QVERIFY(!mine->isJoined());

    // Coming back is refused, with the reason and the end of the ban.
    m_member->session.submit(mine, u"/join club"_s);
    QTRY_VERIFY_WITH_TIMEOUT(shown(m_member->window, mine).contains(u"You are banned from club until "_s), 10'000);
    QVERIFY(shown(m_member->window, mine).contains(u": spam links."_s));
    QVERIFY(!mine->isJoined());
}

void TestModerationWindow::roomSettingsLiftBanAndCloseRoom()
{
    Conversation *club = m_owner->session.room(u"club"_s);
    m_owner->window.showConversation(club);
    RoomSettingsDialog *settings = m_owner->window.showRoomSettings();
    QVERIFY(settings);
    QTRY_COMPARE_WITH_TIMEOUT(settings->bans()->topLevelItemCount(), 1, 10'000);
    QCOMPARE(settings->bans()->topLevelItem(0)->text(0), u"nick:mike"_s);
    QCOMPARE(settings->bans()->topLevelItem(0)->text(2), u"spam links"_s);

    settings->bans()->setCurrentItem(settings->bans()->topLevelItem(0));
    settings->liftSelectedBan();
    QTRY_COMPARE_WITH_TIMEOUT(settings->bans()->topLevelItemCount(), 0, 10'000);

    // Invitation only: the ban is gone, but the door is closed now.
    settings->inviteOnly()->setChecked(true);
    settings->apply();
    QTRY_VERIFY_WITH_TIMEOUT(club->modes().inviteOnly, 10'000);
    QVERIFY(settings->inviteOnly()->isChecked());
    QTRY_VERIFY_WITH_TIMEOUT(shown(m_owner->window, club).contains(u"olga made the room invitation only"_s), 10'000);

    Conversation *mine = m_member->session.room(u"club"_s);
    m_member->session.submit(mine, u"/join club"_s);
    QTRY_VERIFY_WITH_TIMEOUT(
            shown(m_member->window, mine).contains(u"club is by invitation only. Ask one of its ops to invite you."_s),
            10'000);

    // An invitation opens it for mike.
    m_owner->session.submit(club, u"/invite mike"_s);
    QTRY_VERIFY_WITH_TIMEOUT(shown(m_member->window, mine).contains(u"olga invites you to #club"_s), 10'000);
    m_member->session.submit(mine, u"/join club"_s);
    QTRY_VERIFY_WITH_TIMEOUT(mine->isJoined(), 10'000);
    settings->close();
}

QTEST_MAIN(TestModerationWindow)
#include "tst_moderationwindow.moc"
