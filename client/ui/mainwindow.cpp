#include "mainwindow.h"

#include "bidi.h"
#include "clientsettings.h"
#include "names.h"
#include "conversation.h"
#include "inputline.h"
#include "inspectordock.h"
#include "memberdelegate.h"
#include "messageview.h"
#include "moderationdialog.h"
#include "roomsettingsdialog.h"
#include "desktopattention.h"
#include "hostingstatus.h"
#include "roombrowser.h"
#include "quickswitcher.h"
#include "conversationdelegate.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QFrame>
#include <QHBoxLayout>
#include <QMenu>
#include <QTimer>
#include <QToolButton>
#include <QMessageBox>
#include <QMenuBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

using Confab::Protocol::nameKey;
using namespace Qt::StringLiterals;

MainWindow::MainWindow(ChatSession *session, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_conversationList(new QListView(this))
    , m_stack(new QStackedWidget(this))
    , m_memberList(new QListView(this))
    , m_topic(new QLabel(this))
    , m_input(new InputLine(this))
    , m_state(new QLabel(this))
    , m_roundTrip(new QLabel(this))
{
    setWindowTitle(u"Confab"_s);
    setWindowIcon(QIcon(u":/icons/confab.svg"_s));

    m_conversationList->setModel(session->conversations());
    m_conversationList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_conversationList->setObjectName(u"conversations"_s);
    m_conversationList->setItemDelegate(new ConversationDelegate(m_conversationList));
    m_memberList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_memberList->setObjectName(u"members"_s);
    m_memberList->setToolTip(tr("Double-click someone to talk privately; right-click for more"));
    m_memberList->setItemDelegate(new MemberDelegate(m_memberList));
    m_memberList->setContextMenuPolicy(Qt::CustomContextMenu);
    m_topic->setTextFormat(Qt::PlainText);
    m_topic->setWordWrap(true);
    m_topic->setObjectName(u"topic"_s);
    m_topic->setContentsMargins(6, 4, 6, 4);

    // The message of the day: a banner until the user closes it.
    auto *motdFrame = new QFrame(this);
    motdFrame->setFrameShape(QFrame::StyledPanel);
    m_motd = motdFrame;
    m_motd->setObjectName(u"motd"_s);
    m_motd->setVisible(false);
    auto *motdLayout = new QHBoxLayout(m_motd);
    motdLayout->setContentsMargins(8, 4, 4, 4);
    m_motdText = new QLabel(m_motd);
    m_motdText->setTextFormat(Qt::PlainText);
    m_motdText->setWordWrap(true);
    m_motdText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *closeMotd = new QToolButton(m_motd);
    closeMotd->setObjectName(u"closeMotd"_s);
    closeMotd->setAutoRaise(true);
    closeMotd->setText(u"×"_s);
    closeMotd->setToolTip(tr("Hide the message of the day"));
    motdLayout->addWidget(m_motdText, 1);
    motdLayout->addWidget(closeMotd, 0, Qt::AlignTop);
    connect(closeMotd, &QToolButton::clicked, m_motd, &QWidget::hide);
    connect(session, &ChatSession::messageOfTheDay, this, [this](const QString &motd) {
        m_motdText->setText(motd);
        m_motd->setVisible(!motd.trimmed().isEmpty());
    });

    auto *centre = new QWidget(this);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->addWidget(m_motd);
    centreLayout->addWidget(m_topic);
    centreLayout->addWidget(m_stack, 1);
    // "alice is typing…": a line of its own, so the input never jumps.
    m_typing = new QLabel(this);
    m_typing->setObjectName(u"typing"_s);
    m_typing->setTextFormat(Qt::PlainText);
    m_typing->setContentsMargins(6, 0, 6, 0);
    m_typing->setMinimumHeight(m_typing->fontMetrics().height());
    QFont typingFont = m_typing->font();
    typingFont.setItalic(true);
    m_typing->setFont(typingFont);
    m_typing->setForegroundRole(QPalette::PlaceholderText);
    centreLayout->addWidget(m_typing);
    m_editing = new QLabel(tr("Editing your message. Enter saves, Esc cancels."), this);
    m_editing->setObjectName(u"editing"_s);
    m_editing->setContentsMargins(6, 2, 6, 2);
    m_editing->setAutoFillBackground(true);
    m_editing->setBackgroundRole(QPalette::AlternateBase);
    m_editing->hide();
    centreLayout->addWidget(m_editing);
    centreLayout->addWidget(m_input);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_conversationList);
    splitter->addWidget(centre);
    splitter->addWidget(m_memberList);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({170, 560, 150});
    setCentralWidget(splitter);

    statusBar()->addWidget(m_state, 1);
    statusBar()->addPermanentWidget(m_roundTrip);
    createActions();
    setIdleAwayAfter(ClientSettings().autoAwayMinutes() * 60'000);

    m_attention = new DesktopAttention(this);

    for (Conversation *conversation : session->conversations()->items())
        addConversation(conversation);
    connect(session, &ChatSession::conversationOpened, this, &MainWindow::addConversation);
    connect(session, &ChatSession::conversationClosed, this, &MainWindow::removeConversation);
    connect(session, &ChatSession::focusRequested, this, &MainWindow::showConversation);
    connect(session, &ChatSession::stateChanged, this, &MainWindow::updateStatus);
    connect(session, &ChatSession::roundTripChanged, this, &MainWindow::updateStatus);
    connect(session, &ChatSession::nickChanged, this, [this](const QString &nick) {
        for (MessageView *view : std::as_const(m_views))
            view->setOwnNick(nick);
        updateStatus();
    });
    connect(session, &ChatSession::disconnected, this, [this](const QString &reason) {
        m_lastDisconnect = reason;
        updateStatus();
    });
    connect(session, &ChatSession::attentionNeeded, m_attention, &DesktopAttention::notify);
    connect(session, &ChatSession::roomListReceived, this, [this](const auto &rooms) { roomBrowser()->setRooms(rooms); });
    connect(session->conversations(), &ConversationList::dataChanged, this, &MainWindow::updateHeader);

    connect(m_conversationList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { showConversation(m_session->conversations()->at(current.row())); });
    connect(m_memberList, &QListView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString nick = index.data().toString();
        if (!nick.isEmpty() && nick != m_session->nick())
            showConversation(m_session->openPrivateChat(nick));
    });
    connect(m_memberList, &QWidget::customContextMenuRequested, this, [this](const QPoint &position) {
        const QString nick = m_memberList->indexAt(position).data().toString();
        if (!nick.isEmpty())
            memberMenu(nick)->popup(m_memberList->viewport()->mapToGlobal(position));
    });
    connect(session, &ChatSession::removedFromRoom, this, [this](Conversation *, const QString &why) {
        statusBar()->showMessage(why, 60'000);
        updateHeader();
    });
    connect(session, &ChatSession::accountChanged, this, &MainWindow::updateStatus);
    connect(session, &ChatSession::awayChanged, this, [this] {
        updateStatus();
        updateHeader();
    });
    connect(session, &ChatSession::modesChanged, this, &MainWindow::updateHeader);
    connect(m_input, &QPlainTextEdit::textChanged, this, [this] {
        const QString text = m_input->toPlainText();
        // Commands are not messages: typing one tells nobody anything.
        if (!text.startsWith(u'/') || text.startsWith(u"//"_s))
            m_session->noteTyping(currentConversation(), !text.trimmed().isEmpty());
    });
    connect(m_input, &InputLine::editLastRequested, this, [this] {
        Conversation *conversation = currentConversation();
        if (const qint64 seq = m_session->lastEditableSeq(conversation))
            startEditing(conversation, seq);
    });
    connect(m_input, &InputLine::escapePressed, this, [this] {
        if (m_editingSeq) {
            stopEditing();
            m_input->clear();
        }
    });
    connect(m_input, &InputLine::submitted, this, [this](const QString &text) {
        if (m_editingSeq) {
            if (m_editingRoom)
                m_session->editMessage(m_editingRoom, m_editingSeq, text);
            stopEditing();
            return;
        }
        Conversation *conversation = currentConversation();
        if (!conversation) {
            // Nowhere to write yet: commands still work.
            if (!text.startsWith(u'/'))
                return;
        }
        m_session->submit(conversation, text);
    });
    m_input->setCompletionSource([this] {
        Conversation *conversation = currentConversation();
        QStringList nicks = conversation ? conversation->members()->nicks() : QStringList();
        if (conversation && conversation->type() == Conversation::Type::Private)
            nicks << conversation->name();
        return nicks;
    });

    const ClientSettings settings;
    if (!restoreGeometry(settings.windowGeometry()))
        resize(960, 620);
    restoreState(settings.windowState());
    updateStatus();
    updateHeader();
    m_input->setFocus();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu *chat = menuBar()->addMenu(tr("&Chat"));
    QAction *join = chat->addAction(tr("&Join Room…"), this, &MainWindow::askJoin);
    join->setShortcut(Qt::CTRL | Qt::Key_J);
    chat->addAction(tr("&Room Browser…"), this, [this] {
        m_session->requestRoomList(currentConversation());
        roomBrowser()->show();
        roomBrowser()->raise();
    });
    QAction *leave = chat->addAction(tr("&Leave / Close"), this, [this] {
        if (Conversation *conversation = currentConversation()) {
            if (conversation->type() == Conversation::Type::Room && conversation->isJoined())
                m_session->leave(conversation);
            else
                m_session->closeConversation(conversation);
        }
    });
    leave->setShortcut(QKeySequence::Close);
    chat->addSeparator();
    m_disconnectAction = chat->addAction(tr("&Disconnect"), this, [this] { m_session->quit(); });
    m_disconnectAction->setObjectName(u"disconnect"_s);
    QAction *elsewhere = chat->addAction(tr("Connect to Another &Server…"), this,
                                         &MainWindow::connectElsewhereRequested);
    elsewhere->setObjectName(u"connectElsewhere"_s);
    elsewhere->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_N);
    chat->addSeparator();
    QAction *quit = chat->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *room = menuBar()->addMenu(tr("&Room"));
    m_roomSettingsAction = room->addAction(tr("Room &Settings…"), this, &MainWindow::showRoomSettings);
    room->addAction(tr("&Ban List"), this, [this] {
        if (Conversation *conversation = currentConversation())
            m_session->requestBanList(conversation, true);
    });
    room->addAction(tr("&Moderation Log"), this, [this] {
        if (Conversation *conversation = currentConversation())
            m_session->requestAudit(conversation->name(), conversation);
    });
    room->addAction(tr("&Claim Ownership"), this, [this] {
        if (Conversation *conversation = currentConversation())
            m_session->claim(conversation);
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *previous = view->addAction(tr("&Previous Conversation"), this, [this] { step(-1); });
    previous->setShortcut(Qt::CTRL | Qt::Key_PageUp);
    QAction *next = view->addAction(tr("&Next Conversation"), this, [this] { step(+1); });
    next->setShortcut(Qt::CTRL | Qt::Key_PageDown);
    // Alt+Up/Down as in most chat apps, too; with Shift, only those with unread.
    previous->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_PageUp), QKeySequence(Qt::ALT | Qt::Key_Up)});
    next->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_PageDown), QKeySequence(Qt::ALT | Qt::Key_Down)});
    QAction *previousUnread = view->addAction(tr("Previous &Unread Conversation"), this, [this] { stepUnread(-1); });
    previousUnread->setShortcut(Qt::ALT | Qt::SHIFT | Qt::Key_Up);
    QAction *nextUnread = view->addAction(tr("Next Unrea&d Conversation"), this, [this] { stepUnread(+1); });
    nextUnread->setShortcut(Qt::ALT | Qt::SHIFT | Qt::Key_Down);
    QAction *jump = view->addAction(tr("&Jump to Conversation…"), this, [this] { quickSwitcher()->open(); });
    jump->setShortcut(Qt::CTRL | Qt::Key_K);
    QAction *markAllRead = view->addAction(tr("&Mark All as Read"), this, [this] { m_session->markAllRead(); });
    markAllRead->setShortcut(Qt::SHIFT | Qt::Key_Escape);
    view->addSeparator();
    m_inspectorAction = view->addAction(tr("&Frame Inspector"));
    m_inspectorAction->setCheckable(true);
    m_inspectorAction->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_I);
    m_inspectorAction->setStatusTip(tr("Every frame between this window and the server, as it goes over the wire"));
    connect(m_inspectorAction, &QAction::toggled, this, [this](bool open) { inspector()->setVisible(open); });

    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    QAction *notifications = settings->addAction(tr("Desktop &Notifications for Mentions and Private Messages"));
    notifications->setObjectName(u"notifications"_s);
    notifications->setCheckable(true);
    notifications->setChecked(ClientSettings().notificationsEnabled());
    connect(notifications, &QAction::toggled, this, [](bool on) { ClientSettings().setNotificationsEnabled(on); });
    // How long without a key or the mouse before "idle": a choice, kept.
    QMenu *autoAway = settings->addMenu(tr("Mark Me &Away When Idle"));
    autoAway->setObjectName(u"autoAway"_s);
    auto *autoAwayChoices = new QActionGroup(autoAway);
    const int autoAwayMinutes = ClientSettings().autoAwayMinutes();
    for (const int minutes : {0, 5, 10, 15, 30, 60}) {
        QAction *choice = autoAway->addAction(minutes == 0 ? tr("&Never") : tr("After %n Minutes", nullptr, minutes));
        choice->setCheckable(true);
        choice->setData(minutes);
        choice->setChecked(minutes == autoAwayMinutes);
        autoAwayChoices->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, minutes] {
            ClientSettings().setAutoAwayMinutes(minutes);
            setIdleAwayAfter(minutes * 60'000);
        });
    }
    QAction *look = settings->addAction(tr("&Look for Servers When the Connect Window Opens"));
    look->setCheckable(true);
    look->setChecked(ClientSettings().lookForServersOnOpen());
    connect(look, &QAction::toggled, this, [](bool on) { ClientSettings().setLookForServersOnOpen(on); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Commands"), this, [this] {
        if (Conversation *conversation = currentConversation())
            m_session->submit(conversation, u"/help"_s);
    });
    help->addSeparator();
    help->addAction(tr("&About Confab"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

int MainWindow::idleAwayAfterMs() const
{
    return m_idle ? m_idle->interval() : 0;
}

void MainWindow::setIdleAwayAfter(int ms)
{
    if (!m_idle) {
        m_idle = new QTimer(this);
        m_idle->setSingleShot(true);
        connect(m_idle, &QTimer::timeout, this, [this] {
            if (m_session->state() == ChatSession::State::Online && m_session->awayMessage().isEmpty()) {
                m_session->setAway(tr("idle"));
                m_idleAway = true;
            }
        });
        qApp->installEventFilter(this);
    }
    m_idle->stop();
    if (ms > 0)
        m_idle->start(ms);
    m_idle->setInterval(ms);
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
        if (m_idleAway) {
            m_idleAway = false;
            if (m_session->awayMessage() == tr("idle"))
                m_session->setAway(QString());
        }
        if (m_idle && m_idle->interval() > 0)
            m_idle->start();
        break;
    default:
        break;
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::showAbout()
{
    QMessageBox box(QMessageBox::Information, tr("About Confab"),
                    tr("Confab %1").arg(QApplication::applicationVersion()), QMessageBox::Ok, this);
    box.setObjectName(u"about"_s);
    box.setIconPixmap(windowIcon().pixmap(64, 64));
    box.setInformativeText(
            tr("A multi-room chat: this desktop client, a browser client and a server, all speaking one JSON "
               "protocol.\n\nConnected to %1 as %2.")
                    .arg(m_session->server().toString(), m_session->nick()));
    box.exec();
}

InspectorDock *MainWindow::inspector()
{
    if (!m_inspector) {
        m_inspector = new InspectorDock(m_session, this);
        m_inspector->hide();
        addDockWidget(Qt::BottomDockWidgetArea, m_inspector);
        connect(m_inspector->toggleViewAction(), &QAction::toggled, m_inspectorAction, &QAction::setChecked);
    }
    return m_inspector;
}

RoomBrowser *MainWindow::roomBrowser()
{
    if (!m_roomBrowser) {
        m_roomBrowser = new RoomBrowser(this);
        connect(m_roomBrowser, &RoomBrowser::joinRequested, this,
                [this](const QString &room) { m_session->join(room, currentConversation()); });
        connect(m_roomBrowser, &RoomBrowser::refreshRequested, this,
                [this] { m_session->requestRoomList(currentConversation()); });
    }
    return m_roomBrowser;
}

QMenu *MainWindow::memberMenu(const QString &nick)
{
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    Conversation *room = currentConversation();
    if (nameKey(nick) != nameKey(m_session->nick())) {
        menu->addAction(tr("Talk &Privately"), this, [this, nick] { showConversation(m_session->openPrivateChat(nick)); })
                ->setObjectName(u"private"_s);
    }
    if (!room || room->type() != Conversation::Type::Room)
        return menu;
    const QPointer<Conversation> target(room);
    if (m_session->mayModerate(room, nick)) {
        menu->addSeparator();
        menu->addAction(tr("&Remove from Room…"), this, [this, target, nick] {
                moderate(int(ModerationDialog::Action::Kick), target, nick);
            })->setObjectName(u"kick"_s);
        menu->addAction(tr("&Ban…"), this, [this, target, nick] {
                moderate(int(ModerationDialog::Action::Ban), target, nick);
            })->setObjectName(u"ban"_s);
        if (room->members()->isMuted(nick)) {
            menu->addAction(tr("&Unmute"), this, [this, target, nick] {
                    if (target)
                        m_session->unmute(target, nick);
                })->setObjectName(u"unmute"_s);
        } else {
            menu->addAction(tr("&Mute…"), this, [this, target, nick] {
                    moderate(int(ModerationDialog::Action::Mute), target, nick);
                })->setObjectName(u"mute"_s);
        }
    }
    if (m_session->mayGrant(room, nick)) {
        const bool isOp = room->members()->rank(nick) == RoomMembers::Rank::Op;
        menu->addAction(isOp ? tr("Take Op &Away") : tr("Make &Op"), this, [this, target, nick, isOp] {
                if (target)
                    m_session->grant(target, nick, isOp ? RoomMembers::Rank::Member : RoomMembers::Rank::Op);
            })->setObjectName(isOp ? u"deop"_s : u"op"_s);
    }
    return menu;
}

void MainWindow::moderate(int action, Conversation *room, const QString &nick)
{
    if (!room)
        return;
    auto *dialog = new ModerationDialog(ModerationDialog::Action(action), nick, room->name(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QPointer<Conversation> target(room);
    connect(dialog, &QDialog::accepted, this, [this, dialog, target] {
        if (!target)
            return;
        switch (dialog->action()) {
        case ModerationDialog::Action::Kick:
            m_session->kick(target, dialog->nick(), dialog->reason());
            break;
        case ModerationDialog::Action::Ban:
            m_session->ban(target, dialog->nick(), dialog->duration(), dialog->reason());
            break;
        case ModerationDialog::Action::Mute:
            m_session->mute(target, dialog->nick(), dialog->duration(), dialog->reason());
            break;
        }
    });
    dialog->open();
}

RoomSettingsDialog *MainWindow::showRoomSettings()
{
    Conversation *room = currentConversation();
    if (!room || room->type() != Conversation::Type::Room)
        return nullptr;
    for (auto *open : findChildren<RoomSettingsDialog *>()) {
        if (open->room() == room) {
            open->show();
            open->raise();
            return open;
        }
    }
    auto *dialog = new RoomSettingsDialog(m_session, room, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

QLabel *MainWindow::hostingLabel() const
{
    return m_hosting ? m_hosting->label() : nullptr;
}

void MainWindow::setHostedServer(ServerThread *server)
{
    delete m_hosting;
    m_hosting = new HostingStatus(server, statusBar(), this);
}

void MainWindow::askJoin()
{
    bool ok = false;
    const QString room = QInputDialog::getText(this, tr("Join a room"), tr("Room name:"), QLineEdit::Normal, {}, &ok);
    if (ok && !room.trimmed().isEmpty())
        m_session->submit(currentConversation(), u"/join "_s + room.trimmed());
}

const QStringList &MainWindow::quickReactions()
{
    // The six most chat apps offer first.
    static const QStringList reactions{u"\U0001F44D"_s, u"\u2764\uFE0F"_s, u"\U0001F602"_s,
                                       u"\U0001F389"_s, u"\U0001F62E"_s, u"\U0001F622"_s};
    return reactions;
}

void MainWindow::addMessageActions(Conversation *conversation, int row, QMenu *menu)
{
    const LogEntry entry = conversation->log()->entry(row);
    if (entry.kind != LogEntry::Kind::Message || entry.seq <= 0 || entry.deleted || !conversation->isJoined())
        return;
    const qint64 seq = entry.seq;
    QAction *first = menu->actions().value(0);
    QMenu *react = new QMenu(tr("React"), menu);
    for (const QString &emoji : quickReactions()) {
        QAction *action = react->addAction(emoji, this, [this, conversation, seq, emoji] {
            m_session->react(conversation, seq, emoji);
        });
        // Checked: the user's own, which choosing again takes back.
        action->setCheckable(true);
        for (const Confab::Protocol::Reaction &reaction : entry.reactions) {
            if (reaction.emoji != emoji)
                continue;
            for (const QString &nick : reaction.nicks)
                action->setChecked(action->isChecked() || nameKey(nick) == nameKey(m_session->nick()));
        }
    }
    menu->insertMenu(first, react);
    if (m_session->canEdit(conversation, entry)) {
        auto *edit = new QAction(tr("Edit"), menu);
        connect(edit, &QAction::triggered, this, [this, conversation, seq] { startEditing(conversation, seq); });
        menu->insertAction(first, edit);
    }
    if (m_session->canDelete(conversation, entry)) {
        auto *remove = new QAction(tr("Delete"), menu);
        connect(remove, &QAction::triggered, this, [this, conversation, seq, own = entry.own] {
            const QString question = own ? tr("Delete this message for everyone?")
                                         : tr("Delete this message of someone else's for everyone? "
                                              "The room's audit log will say you did.");
            if (QMessageBox::question(this, tr("Delete message"), question) == QMessageBox::Yes)
                m_session->deleteMessage(conversation, seq);
        });
        menu->insertAction(first, remove);
    }
    menu->insertSeparator(first);
}

void MainWindow::startEditing(Conversation *room, qint64 seq)
{
    const int row = room ? room->log()->rowOfSeq(seq) : -1;
    if (row < 0)
        return;
    showConversation(room);
    m_editingRoom = room;
    m_editingSeq = seq;
    m_editing->show();
    m_input->setPlainText(room->log()->entry(row).text);
    m_input->moveCursor(QTextCursor::End);
    m_input->setFocus();
}

void MainWindow::stopEditing()
{
    m_editingRoom = nullptr;
    m_editingSeq = 0;
    m_editing->hide();
}

Conversation *MainWindow::currentConversation() const
{
    auto *view = qobject_cast<MessageView *>(m_stack->currentWidget());
    return view ? view->conversation() : nullptr;
}

void MainWindow::addConversation(Conversation *conversation)
{
    auto *view = new MessageView(conversation, m_session->nick(), m_stack);
    view->setObjectName(u"view:"_s + conversation->name());
    m_views.insert(conversation, view);
    m_stack->addWidget(view);
    connect(view, &MessageView::nearTop, this, [this, conversation] { m_session->loadOlder(conversation); });
    connect(view, &MessageView::entryMenuRequested, this,
            [this, conversation](int row, QMenu *menu) { addMessageActions(conversation, row, menu); });
    // A room the user just joined comes to the front; a private message
    // waits in the sidebar with its unread mark, unless there is nothing else.
    if (conversation->type() == Conversation::Type::Room || !currentConversation())
        showConversation(conversation);
}

void MainWindow::removeConversation(Conversation *conversation)
{
    if (MessageView *view = m_views.take(conversation)) {
        m_stack->removeWidget(view);
        view->deleteLater();
    }
    if (Conversation *next = currentConversation())
        showConversation(next);
    else
        updateHeader();
}

void MainWindow::showConversation(Conversation *conversation)
{
    MessageView *view = m_views.value(conversation);
    if (!view)
        return;
    m_stack->setCurrentWidget(view);
    if (m_editingSeq && m_editingRoom != conversation) {
        stopEditing();
        m_input->clear();
    }
    if (m_shownConversation != conversation) {
        if (m_shownConversation)
            disconnect(m_shownConversation, &Conversation::typingChanged, this, &MainWindow::updateTyping);
        m_shownConversation = conversation;
        connect(conversation, &Conversation::typingChanged, this, &MainWindow::updateTyping);
    }
    updateTyping();
    m_session->setActiveConversation(conversation);
    m_memberList->setModel(conversation->members());
    const int row = m_session->conversations()->indexOf(conversation);
    const QModelIndex index = m_session->conversations()->index(row);
    if (m_conversationList->currentIndex() != index)
        m_conversationList->setCurrentIndex(index);
    updateHeader();
}

QString MainWindow::typingLine(const QStringList &nicks)
{
    switch (nicks.size()) {
    case 0:
        return {};
    case 1:
        return tr("%1 is typing…").arg(nicks.at(0));
    case 2:
        return tr("%1 and %2 are typing…").arg(nicks.at(0), nicks.at(1));
    case 3:
        return tr("%1, %2 and %3 are typing…").arg(nicks.at(0), nicks.at(1), nicks.at(2));
    default:
        return tr("%1, %2 and %3 others are typing…").arg(nicks.at(0), nicks.at(1)).arg(nicks.size() - 2);
    }
}

void MainWindow::updateTyping()
{
    m_typing->setText(m_shownConversation ? typingLine(m_shownConversation->typing()) : QString());
}

void MainWindow::stepUnread(int offset)
{
    const QList<Conversation *> all = m_session->conversations()->items();
    const int count = int(all.size());
    const int from = int(all.indexOf(currentConversation()));
    for (int i = 1; i < count; ++i) {
        Conversation *candidate = all.at(((from + offset * i) % count + count) % count);
        if (candidate->unread() > 0 || candidate->hasMention()) {
            showConversation(candidate);
            return;
        }
    }
}

QuickSwitcher *MainWindow::quickSwitcher()
{
    // A new one each time: it lists the conversations there are now.
    auto *switcher = new QuickSwitcher(m_session->conversations()->items(), this);
    switcher->setAttribute(Qt::WA_DeleteOnClose);
    connect(switcher, &QuickSwitcher::chosen, this, [this](Conversation *conversation) {
        showConversation(conversation);
        activateWindow();
        m_input->setFocus();
    });
    return switcher;
}

void MainWindow::step(int offset)
{
    const int count = m_session->conversations()->rowCount();
    if (count == 0)
        return;
    const int row = m_session->conversations()->indexOf(currentConversation());
    showConversation(m_session->conversations()->at((row + offset + count) % count));
}

void MainWindow::updateHeader()
{
    Conversation *conversation = currentConversation();
    if (!conversation) {
        m_roomSettingsAction->setEnabled(false);
        m_topic->setText(tr("Not in any room. Press Ctrl+J to join one."));
        setWindowTitle(u"Confab"_s);
        return;
    }
    if (conversation->type() == Conversation::Type::Room) {
        m_topic->setText(conversation->topic().isEmpty() ? tr("#%1 — no topic").arg(conversation->name())
                                                         : u"#%1 — %2"_s.arg(conversation->name(), Bidi::isolate(conversation->topic())));
    } else {
        const QString away = m_session->awayMessageOf(conversation->name());
        m_topic->setText(away.isEmpty() ? tr("Private conversation with %1").arg(conversation->name())
                                        : tr("Private conversation with %1 — away: %2").arg(conversation->name(), away));
    }
    m_memberList->setVisible(conversation->type() == Conversation::Type::Room);
    m_roomSettingsAction->setEnabled(conversation->type() == Conversation::Type::Room);
    const int unread = m_session->totalUnread();
    setWindowTitle(unread > 0 ? u"(%1) %2 — Confab"_s.arg(unread).arg(conversation->name())
                              : u"%1 — Confab"_s.arg(conversation->name()));
    m_attention->setUnread(unread);
}

void MainWindow::updateStatus()
{
    m_disconnectAction->setEnabled(m_session->state() != ChatSession::State::Disconnected);
    const QString server = m_session->server().toString();
    switch (m_session->state()) {
    case ChatSession::State::Online:
        m_state->setText(m_session->account().isEmpty()
                                 ? tr("Connected to %1 as %2").arg(server, m_session->nick())
                                 : tr("Connected to %1 as %2 (account %3)")
                                           .arg(server, m_session->nick(), m_session->account()));
        if (!m_session->awayMessage().isEmpty())
            m_state->setText(m_state->text() + tr(" — away: %1").arg(m_session->awayMessage()));
        break;
    case ChatSession::State::Connecting:
        m_state->setText(tr("Connecting to %1…").arg(server));
        break;
    case ChatSession::State::Reconnecting:
        m_state->setText(tr("Connection lost (%1); reconnecting…").arg(m_lastDisconnect));
        break;
    case ChatSession::State::Disconnected:
        m_state->setText(m_lastDisconnect.isEmpty() ? tr("Disconnected") : tr("Disconnected: %1").arg(m_lastDisconnect));
        break;
    }
    const int rtt = m_session->roundTripMs();
    m_roundTrip->setText(m_session->state() == ChatSession::State::Online && rtt >= 0 ? tr("ping %1 ms").arg(rtt)
                                                                                      : QString());
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ActivationChange) {
        m_session->setWindowActive(isActiveWindow());
        if (isActiveWindow())
            m_session->setActiveConversation(currentConversation());
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_hosting && !m_hosting->stopBeforeClosing()) {
        event->ignore();
        return;
    }
    ClientSettings settings;
    settings.setWindow(saveGeometry(), saveState());
    QStringList rooms;
    for (Conversation *conversation : m_session->conversations()->items()) {
        if (conversation->type() == Conversation::Type::Room && conversation->isJoined())
            rooms << conversation->name();
    }
    if (m_session->state() == ChatSession::State::Online)
        settings.setLastRooms(m_session->address().toString(), rooms);
    m_session->quit();
    event->accept();
}
