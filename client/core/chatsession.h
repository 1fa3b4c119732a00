#pragma once

#include "accounts.h"
#include "codec.h"
#include "connectionsupervisor.h"
#include "conversationlist.h"
#include "requesttracker.h"
#include "messagechanges.h"
#include "presence.h"
#include "privatechats.h"
#include "readmarkers.h"
#include "roommoderation.h"
#include "serveraddress.h"
#include "sessioncore.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include "conversation.h"

// The desktop client's core, with no widgets: one identity on one server,
// its rooms and private conversations as models, and the protocol rules a
// good client follows (reconnecting with backoff, catching up on what it
// missed without duplicates or gaps, loading older history on demand,
// measuring the round trip). A test drives it exactly as the window does,
// over a real connection or, through the FrameTransport seam, a scripted
// server. Each feature is a class of its own over SessionCore (namespace
// ClientSession, in session/): this class holds the connection, the
// conversations and the rooms, reads the frames, and passes the rest on.
class ChatSession final : public QObject, private ClientSession::SessionCore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatSession)

public:
    using State = ConnectionSupervisor::State;
    using LoginFailure = ConnectionSupervisor::LoginFailure;

    // Over a real connection (ChatConnection).
    explicit ChatSession(QObject *parent = nullptr);
    // Over `transport` (the session takes ownership).
    explicit ChatSession(FrameTransport *transport, QObject *parent = nullptr);
    ~ChatSession() override;

    // Connects and identifies; `rooms` are joined once welcomed. Failures
    // before the first welcome end in loginFailed() and no retry.
    void start(const ServerAddress &address, const QString &nick, const QString &password = {},
               const QStringList &rooms = {});
    // An account to log in to with every hello (reconnects too); set before
    // start(). An empty account: no login.
    void setLogin(const QString &account, const QString &accountPassword)
    {
        m_accounts.setLogin(account, accountPassword);
    }
    // Registers the nick as an account with this password as soon as the
    // server welcomes the user (the connect dialog's "register").
    void setRegistration(const QString &accountPassword) { m_accounts.setRegistration(accountPassword); }
    // The account the session is logged in to ("" when none).
    QString account() const { return m_accounts.account(); }
    // Leaves the server for good (no reconnect).
    void quit(const QString &reason = {});

    State state() const { return m_supervisor.state(); }
    QString nick() const override { return m_nick; }
    ServerAddress address() const { return m_supervisor.address(); }
    // Of a cluster's servers, the one connected to (or being tried).
    ServerAddress server() const { return m_supervisor.server(); }
    int roundTripMs() const { return m_supervisor.roundTripMs(); }
    // The frame inspector's log, while the inspector is open (else null).
    void setFrameLog(FrameLog *log) { m_supervisor.transport()->setInspector(log); }
    ConversationList *conversations() { return &m_conversations; }
    Conversation *room(const QString &name) const override;
    Conversation *privateChat(const QString &nick) const override;
    // Opens (without sending anything) a private conversation with `nick`.
    Conversation *openPrivateChat(const QString &nick) { return m_privateChats.open(nick); }
    void closeConversation(Conversation *conversation) override;
    // Leaves the server and forgets every conversation (before connecting
    // somewhere else).
    void quitAndForget();

    // The conversation the user is looking at, and whether the window has
    // focus: other conversations collect unread counts, and mentions and
    // private messages notify while the window is inactive.
    void setActiveConversation(Conversation *conversation);
    Conversation *activeConversation() const override { return m_active; }
    // Coming back to the window marks the conversation in view as seen
    // (and puts its "new messages" line where the unseen ones begin).
    void setWindowActive(bool active);
    // Every conversation read as it stands (and the server told so).
    void markAllRead() { m_readMarkers.markAllRead(); }
    int totalUnread() const;

    // What the user can ask for.
    // `context` is where errors about the request are shown (default: the
    // active conversation).
    void join(const QString &room, Conversation *context = nullptr, const QString &key = {});
    void leave(Conversation *conversation, const QString &reason = {});
    // Away with a message, or back (an empty one); `awayMessage()` is the
    // user's own ("" when here).
    void setAway(const QString &message) { m_presence.setAway(message); }
    QString awayMessage() const { return m_presence.awayMessage(); }
    // What another user said when going away ("" when here, or not known).
    QString awayMessageOf(const QString &nick) const { return m_presence.awayMessageOf(nick); }

    // The user is typing in `conversation` (or stopped: cleared the line).
    // Tells the server at most once every few seconds.
    void noteTyping(Conversation *conversation, bool typing) { m_presence.noteTyping(conversation, typing); }
    // `action`: /me, shown as "* alice waves".
    void sendText(Conversation *conversation, const QString &text, bool action = false) override;
    void whisper(const QString &nick, const QString &text) { m_privateChats.whisper(nick, text); }
    // /msg typed in `origin`: opens the private conversation (if it is not
    // open yet, it closes again when nobody by that nick is online, and
    // `origin` says why).
    void whisperFrom(Conversation *origin, const QString &nick, const QString &text)
    {
        m_privateChats.whisperFrom(origin, nick, text);
    }
    // Room messages by seq (section 18): an edit of your own, a deletion of
    // your own (or anyone's, as an op), a reaction toggled. Refusals are
    // said in the conversation.
    void editMessage(Conversation *room, qint64 seq, const QString &text) { m_messageChanges.edit(room, seq, text); }
    void deleteMessage(Conversation *room, qint64 seq) { m_messageChanges.remove(room, seq); }
    void react(Conversation *room, qint64 seq, const QString &emoji) { m_messageChanges.react(room, seq, emoji); }
    // Whether the user may edit, or delete, this log entry of this room.
    bool canEdit(Conversation *room, const LogEntry &entry) const
    {
        return ClientSession::MessageChanges::canEdit(room, entry, m_nick);
    }
    bool canDelete(Conversation *room, const LogEntry &entry) const
    {
        return ClientSession::MessageChanges::canDelete(room, entry, m_nick,
                                                        room ? myRank(room) : RoomMembers::Rank::Member);
    }
    // The seq of the user's latest message in a room that can still be
    // edited (Up in an empty input line); 0 if none.
    qint64 lastEditableSeq(Conversation *room) const
    {
        return ClientSession::MessageChanges::lastEditableSeq(room, m_nick);
    }
    void changeNick(const QString &nick, Conversation *context = nullptr);
    void setTopic(Conversation *room, const QString &topic);
    void requestRoomList(Conversation *context = nullptr);
    // What /list shows in the conversation, one line a room, largest first.
    static QStringList roomListLines(QList<Confab::Protocol::RoomInfo> rooms);
    void requestMembers(const QString &room, Conversation *context = nullptr);
    // Scroll-back: asks for the page before the oldest message shown.
    void loadOlder(Conversation *room);
    // /list: the rooms, as lines in `context`.
    void showRoomList(Conversation *context);
    // Runs what the user typed in `conversation`: text or a /command (see
    // CommandDispatcher).
    void submit(Conversation *conversation, const QString &input);
    // A line of the client's own in a conversation, stamped now: a notice
    // (an answer, a hint) or an error.
    void notice(Conversation *conversation, const QString &text) override;
    void error(Conversation *conversation, const QString &text) override;
    // Something that happened in a room (see LogEntry::Event), stamped now.
    void addEvent(Conversation *conversation, LogEntry::Event event, const QString &who = {},
                  const QString &detail = {}, bool own = false, const QString &target = {},
                  qint64 when = 0) override;

    // Accounts (protocol section 12; Accounts).
    void registerAccount(const QString &accountPassword, Conversation *context = nullptr)
    {
        m_accounts.registerAccount(accountPassword, context);
    }
    // Reconnects, logged in to `account`, keeping the open rooms.
    void logIn(const QString &account, const QString &accountPassword) { m_accounts.logIn(account, accountPassword); }
    void changePassword(const QString &oldPassword, const QString &newPassword, Conversation *context = nullptr)
    {
        m_accounts.changePassword(oldPassword, newPassword, context);
    }

    // Moderation (section 13; RoomModeration). `room` is where the answer
    // is shown.
    void claim(Conversation *room) { m_moderation.claim(room); }
    void grant(Conversation *room, const QString &nick, RoomMembers::Rank rank)
    {
        m_moderation.grant(room, nick, rank);
    }
    void kick(Conversation *room, const QString &nick, const QString &reason = {})
    {
        m_moderation.kick(room, nick, reason);
    }
    // A bare nick becomes the mask nick:NICK.
    void ban(Conversation *room, const QString &nickOrMask, std::optional<qint64> duration = {},
             const QString &reason = {})
    {
        m_moderation.ban(room, nickOrMask, duration, reason);
    }
    void unban(Conversation *room, const QString &nickOrMask) { m_moderation.unban(room, nickOrMask); }
    void requestBanList(Conversation *room, bool show = false) { m_moderation.requestBanList(room, show); }
    void mute(Conversation *room, const QString &nick, std::optional<qint64> duration = {}, const QString &reason = {})
    {
        m_moderation.mute(room, nick, duration, reason);
    }
    void unmute(Conversation *room, const QString &nick) { m_moderation.unmute(room, nick); }
    void invite(const QString &room, const QString &nick, Conversation *context = nullptr)
    {
        m_moderation.invite(room, nick, context);
    }
    void setModes(Conversation *room, std::optional<bool> inviteOnly, std::optional<QString> key,
                  std::optional<bool> topicLocked)
    {
        m_moderation.setModes(room, inviteOnly, key, topicLocked);
    }
    // `room` empty: the whole server's log (server operators).
    void requestAudit(const QString &room, Conversation *context = nullptr)
    {
        m_moderation.requestAudit(room, context);
    }
    void serverBan(const QString &nickOrMask, std::optional<qint64> duration, const QString &reason,
                   Conversation *context = nullptr)
    {
        m_moderation.serverBan(nickOrMask, duration, reason, context);
    }
    void serverUnban(const QString &nickOrMask, Conversation *context = nullptr)
    {
        m_moderation.serverUnban(nickOrMask, context);
    }
    void requestServerBanList(Conversation *context = nullptr) { m_moderation.requestServerBanList(context); }
    static QString maskFor(const QString &nickOrMask) { return ClientSession::RoomModeration::maskFor(nickOrMask); }

    // What the user may do in a room, as far as the client knows (the
    // server decides; menus only offer what it would allow).
    RoomMembers::Rank myRank(const Conversation *room) const { return m_moderation.myRank(room); }
    // Kick, ban, mute.
    bool mayModerate(const Conversation *room, const QString &nick) const
    {
        return m_moderation.mayModerate(room, nick);
    }
    bool mayGrant(const Conversation *room, const QString &nick) const { return m_moderation.mayGrant(room, nick); }
    bool mayChangeModes(const Conversation *room) const { return m_moderation.mayChangeModes(room); }

    void setTrustedFingerprints(const QSet<QString> &fingerprints);
    // See ConnectionSupervisor.
    void setReconnectDelays(int firstMs, int maxMs);
    void setPingInterval(int ms);

signals:
    void stateChanged(ConnectionSupervisor::State state);
    // Before the first welcome: this visit is over; the user must change
    // something (`message` is the server's words, or the network's).
    void loginFailed(ConnectionSupervisor::LoginFailure failure, const QString &message);
    void nickChanged(const QString &nick);
    void roundTripChanged(int ms);
    // The server's message of the day, at the first welcome (not after
    // reconnects); empty when it has none.
    void messageOfTheDay(const QString &motd);
    void conversationOpened(Conversation *conversation);
    void conversationClosed(Conversation *conversation);
    // The user asked for a conversation that is already open (/join of a
    // room they are in): the window should show it.
    void focusRequested(Conversation *conversation);
    void roomListReceived(const QList<Confab::Protocol::RoomInfo> &rooms);
    void accountChanged(const QString &account);
    // The user, or someone the user can see, went away or came back.
    void awayChanged(const QString &nick, const QString &message);
    void banListReceived(const QString &room, const QList<Confab::Protocol::BanEntry> &bans);
    void modesChanged(Conversation *room);
    // The user was kicked (or banned) out of a room; `why` is the sentence shown.
    void removedFromRoom(Conversation *room, const QString &why);
    void invitedTo(const QString &room, const QString &by);
    // Someone said the user's nick, or wrote to them privately.
    void attentionNeeded(Conversation *conversation, const QString &from, const QString &text);
    void untrustedCertificate(const QString &fingerprint, const QString &subject, const QString &problem);
    // Why the connection went, for the status bar.
    void disconnected(const QString &reason);

private:
    void onOpened();
    void onLost(const QString &why);
    void onFrame(const QByteArray &frame);
    // SessionCore.
    bool isWelcomed() const override { return m_supervisor.isWelcomed(); }
    bool everWelcomed() const override { return m_supervisor.everWelcomed(); }
    bool isSeen(const Conversation *conversation) const override;
    QList<Conversation *> conversationList() const override { return m_conversations.items(); }
    Conversation *open(Conversation::Type type, const QString &name) override;
    void bringToFront(Conversation *conversation) override { emit focusRequested(conversation); }
    void addEntry(Conversation *conversation, const LogEntry &entry) override;
    void attention(Conversation *conversation, const QString &from, const QString &text) override
    {
        emit attentionNeeded(conversation, from, text);
    }
    bool online(Conversation *context) override;
    void comeBackAs(const QString &nick, const QString &reason) override;
    void reconnectNow() override;
    qint64 sendRequest(const Confab::Protocol::Message &message, const Pending &pending) override;
    void sendNotice(const Confab::Protocol::Message &message) override;
    void requestHistory(Conversation *room, Pending::Purpose purpose, qint64 fromSeq);
    void requestChanges(Conversation *room, qint64 changedAfter);

    void onWelcome(const Confab::Protocol::Welcome &welcome);
    void onJoined(const Confab::Protocol::Joined &joined);
    void onMessage(const Confab::Protocol::ChatMessage &message);
    void onHistoryPage(const Confab::Protocol::HistoryPage &page, const Pending &pending);
    void onError(const Confab::Protocol::Error &error, const Pending &pending);
    void onNickChanged(const Confab::Protocol::NickChanged &change);

    Conversation *find(Conversation::Type type, const QString &name) const;
    Conversation *ensureRoom(const QString &name);
    // A room message new here, added to the log.
    void showMessage(Conversation *room, const Confab::Protocol::ChatMessage &message);
    // Does what the room's sync asks: show, refresh, request.
    void follow(Conversation *room, const RoomSync::Steps &steps);
    // A line of the client's own (a notice or an error), stamped now.
    void addLine(Conversation *conversation, LogEntry::Kind kind, const QString &text);

    ConnectionSupervisor m_supervisor;
    RequestTracker<Pending> m_requests;
    ClientSession::Accounts m_accounts{*this};
    ClientSession::ReadMarkers m_readMarkers{*this};
    ClientSession::MessageChanges m_messageChanges{*this};
    ClientSession::PrivateChats m_privateChats{*this, m_readMarkers};
    ClientSession::RoomModeration m_moderation{*this};
    ClientSession::Presence m_presence{*this};
    ConversationList m_conversations;
    QString m_nick;
    QString m_password;
    QHash<QString, QString> m_joinKeys; // by room key, until joined
    QStringList m_initialRooms;
    QString m_motd; // until the first room opens
    QPointer<Conversation> m_active;
    bool m_windowActive = true;
};
