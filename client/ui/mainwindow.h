#pragma once

#include "chatsession.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class Conversation;
class InputLine;
class MessageView;
class QLabel;
class QTimer;
class QListView;
class QMenu;
class RoomSettingsDialog;
class QStackedWidget;
class RoomBrowser;

// The chat window: conversations on the left, the current one in the middle
// with its topic above and the input line below, its members on the right.
// It only presents the ChatSession and forwards what the user does.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(ChatSession *session, QWidget *parent = nullptr);
    ~MainWindow() override;

    Conversation *currentConversation() const;
    void showConversation(Conversation *conversation);
    MessageView *viewFor(Conversation *conversation) const { return m_views.value(conversation); }
    InputLine *input() const { return m_input; }
    QListView *conversationList() const { return m_conversationList; }
    QListView *memberList() const { return m_memberList; }
    QLabel *topicLabel() const { return m_topic; }
    RoomBrowser *roomBrowser();
    // The menu a right click on `nick` in the member list opens: only what
    // the user may do to them.
    QMenu *memberMenu(const QString &nick);
    // Opens (or raises) the settings dialog of the current room.
    RoomSettingsDialog *showRoomSettings();
    // This program hosts the server the window is connected to: show it,
    // and ask before closing stops it for everyone.
    void setHostedServer(class ServerThread *server);
    QLabel *hostingLabel() const;
    QLabel *typingLabel() const { return m_typing; }
    // "alice is typing…", "alice and bob are typing…", … ("" for nobody).
    static QString typingLine(const QStringList &nicks);
    // The message of the day's banner, and its text.
    QWidget *motdBanner() const { return m_motd; }
    QLabel *motdLabel() const { return m_motdText; }
    // The frame inspector dock (created hidden on first use).
    class InspectorDock *inspector();
    QAction *inspectorAction() const { return m_inspectorAction; }
    // Marked away ("idle") after this long without a key or the mouse in
    // the application; 0: never. Coming back undoes it.
    void setIdleAwayAfter(int ms);
    // 0: never.
    int idleAwayAfterMs() const;
    // Editing one of the user's messages in the input line (section 18):
    // Enter saves, Escape cancels.
    void startEditing(Conversation *room, qint64 seq);
    void stopEditing();
    qint64 editingSeq() const { return m_editingSeq; }
    QLabel *editingLabel() const { return m_editing; }
    // The menu a right click on a message opens: react, edit, delete (what
    // the user may), added to `menu`.
    void addMessageActions(Conversation *conversation, int row, QMenu *menu);
    // Ctrl+K: a new switcher over the conversations there are now.
    class QuickSwitcher *quickSwitcher();
    // The window's icon with the unread count on it, for the tray.
    // The reactions the menu offers; any single emoji works on the wire.
    static const QStringList &quickReactions();

signals:
    // Chat → Connect to Another Server: the launcher leaves this server and
    // asks where to go.
    void connectElsewhereRequested();

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void createActions();
    void addConversation(Conversation *conversation);
    void removeConversation(Conversation *conversation);
    void updateHeader();
    void updateStatus();
    void step(int offset);
    void stepUnread(int offset);
    void askJoin();
    void moderate(int action, Conversation *room, const QString &nick);
    void showAbout();
    void updateTyping();

    ChatSession *m_session;
    QListView *m_conversationList;
    QStackedWidget *m_stack;
    QListView *m_memberList;
    QLabel *m_topic;
    QLabel *m_typing = nullptr;
    QLabel *m_editing = nullptr;
    QPointer<Conversation> m_editingRoom;
    qint64 m_editingSeq = 0;
    QPointer<Conversation> m_shownConversation;
    QWidget *m_motd = nullptr;
    QLabel *m_motdText = nullptr;
    InputLine *m_input;
    QLabel *m_state;
    QLabel *m_roundTrip;
    class DesktopAttention *m_attention = nullptr;
    RoomBrowser *m_roomBrowser = nullptr;
    QAction *m_roomSettingsAction = nullptr;
    QAction *m_inspectorAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QTimer *m_idle = nullptr;
    bool m_idleAway = false; // away because idle, not because the user said so
    class InspectorDock *m_inspector = nullptr;
    class HostingStatus *m_hosting = nullptr;
    QHash<Conversation *, MessageView *> m_views;
    QString m_lastDisconnect;
};
