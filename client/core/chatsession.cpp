#include "chatsession.h"
#include "sessioninternal.h"

#include "chatconnection.h"
#include "commanddispatcher.h"
#include "conversation.h"
#include "names.h"
#include "refusal.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcClient, "confab.client", QtInfoMsg)

using namespace ClientSession;
using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

ChatSession::ChatSession(QObject *parent)
    : ChatSession(new ChatConnection, parent)
{
}

ChatSession::ChatSession(FrameTransport *transport, QObject *parent)
    : QObject(parent)
    , m_supervisor(transport)
    , m_requests([this](const QByteArray &frame) { m_supervisor.transport()->send(frame); })
{
    connect(&m_supervisor, &ConnectionSupervisor::stateChanged, this, &ChatSession::stateChanged);
    connect(&m_supervisor, &ConnectionSupervisor::loginFailed, this, &ChatSession::loginFailed);
    connect(&m_supervisor, &ConnectionSupervisor::roundTripChanged, this, &ChatSession::roundTripChanged);
    connect(&m_supervisor, &ConnectionSupervisor::opened, this, &ChatSession::onOpened);
    connect(&m_supervisor, &ConnectionSupervisor::lost, this, &ChatSession::onLost);
    connect(&m_supervisor, &ConnectionSupervisor::pingDue, this,
            [this] { m_supervisor.pingSent(m_requests.send(Ping{})); });
    connect(transport, &FrameTransport::frameReceived, this, &ChatSession::onFrame);
    connect(transport, &FrameTransport::untrustedCertificate, this, &ChatSession::untrustedCertificate);
    connect(&m_moderation, &RoomModeration::modesChanged, this, &ChatSession::modesChanged);
    connect(&m_moderation, &RoomModeration::removedFromRoom, this, &ChatSession::removedFromRoom);
    connect(&m_moderation, &RoomModeration::invitedTo, this, &ChatSession::invitedTo);
    connect(&m_moderation, &RoomModeration::banListReceived, this, &ChatSession::banListReceived);
    connect(&m_accounts, &Accounts::accountChanged, this, &ChatSession::accountChanged);
    connect(&m_presence, &ClientSession::Presence::awayChanged, this, &ChatSession::awayChanged);
}

ChatSession::~ChatSession()
{
    m_supervisor.transport()->close();
}

void ChatSession::setTrustedFingerprints(const QSet<QString> &fingerprints)
{
    m_supervisor.transport()->setTrustedFingerprints(fingerprints);
}

void ChatSession::setReconnectDelays(int firstMs, int maxMs)
{
    m_supervisor.setReconnectDelays(firstMs, maxMs);
}

void ChatSession::setPingInterval(int ms)
{
    m_supervisor.setPingInterval(ms);
}

// ------------------------------------------------------------ connection

void ChatSession::start(const ServerAddress &address, const QString &nick, const QString &password,
                        const QStringList &rooms)
{
    m_nick = nick;
    m_password = password;
    m_initialRooms = rooms;
    m_supervisor.start(address);
}

void ChatSession::quit(const QString &reason)
{
    if (m_supervisor.isWelcomed() && m_windowActive)
        m_readMarkers.markRead(m_active);
    if (m_supervisor.transport()->isOpen())
        send(Quit{reason.isEmpty() ? std::nullopt : std::optional<QString>(reason)});
    m_supervisor.stop();
    m_requests.clear();
    for (Conversation *conversation : m_conversations.items())
        conversation->setJoined(false);
}

void ChatSession::onOpened()
{
    Hello hello;
    hello.nick = m_nick;
    hello.client = u"confab/%1"_s.arg(QStringLiteral(CONFAB_VERSION));
    if (!m_password.isEmpty())
        hello.password = m_password;
    hello.login = m_accounts.login();
    send(hello);
}

void ChatSession::onLost(const QString &why)
{
    m_requests.clear();
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->isJoined())
            addEvent(conversation, LogEntry::Event::Disconnected, {}, why);
        conversation->setJoined(false);
        conversation->sync().disconnected();
        conversation->setLoadingOlder(false);
    }
    emit disconnected(why);
}

// ------------------------------------------------------------ incoming

void ChatSession::onFrame(const QByteArray &frame)
{
    auto decoded = decode(frame, Sender::Server);
    if (auto *problem = std::get_if<DecodeError>(&decoded)) {
        qCWarning(lcClient).noquote() << "the server sent something unreadable:" << problem->reason;
        return;
    }
    const Envelope &envelope = std::get<Envelope>(decoded);
    const Pending pending = m_requests.take(envelope.id);
    const qint64 id = envelope.id.isDouble() ? qint64(envelope.id.toDouble()) : 0;

    std::visit(
            [&](const auto &message) {
                using T = std::decay_t<decltype(message)>;
                if constexpr (std::is_same_v<T, Welcome>) {
                    onWelcome(message);
                } else if constexpr (std::is_same_v<T, Joined>) {
                    onJoined(message);
                } else if constexpr (std::is_same_v<T, Left>) {
                    // Left by the user's own choice: the room goes from the
                    // list (kicked or banned rooms stay, with the reason).
                    if (Conversation *conversation = room(message.room)) {
                        conversation->setJoined(false);
                        conversation->setWantsRejoin(false);
                        closeConversation(conversation);
                    }
                } else if constexpr (std::is_same_v<T, ChatMessage>) {
                    onMessage(message);
                } else if constexpr (std::is_same_v<T, MessageUpdated>) {
                    m_messageChanges.onUpdated(message);
                } else if constexpr (std::is_same_v<T, PrivateMessage>) {
                    m_privateChats.onPrivate(message);
                } else if constexpr (std::is_same_v<T, UserJoined>) {
                    if (Conversation *conversation = room(message.room)) {
                        conversation->addMember(message.nick);
                        addEvent(conversation, LogEntry::Event::Joined, message.nick);
                    }
                } else if constexpr (std::is_same_v<T, UserLeft>) {
                    if (Conversation *conversation = room(message.room)) {
                        conversation->removeMember(message.nick);
                        conversation->setTyping(message.nick, false);
                        addEvent(conversation, LogEntry::Event::Left, message.nick, message.reason);
                    }
                } else if constexpr (std::is_same_v<T, NickChanged>) {
                    onNickChanged(message);
                } else if constexpr (std::is_same_v<T, TopicChanged>) {
                    if (Conversation *conversation = room(message.room)) {
                        conversation->setTopic(message.topic);
                        addEvent(conversation, LogEntry::Event::TopicChanged, message.by, message.topic);
                    }
                } else if constexpr (std::is_same_v<T, RoomList>) {
                    if (pending.purpose == Pending::Purpose::ShowRooms && pending.conversation) {
                        for (const QString &line : roomListLines(message.rooms))
                            notice(pending.conversation, line);
                    }
                    emit roomListReceived(message.rooms);
                } else if constexpr (std::is_same_v<T, MemberList>) {
                    if (pending.purpose == Pending::Purpose::Who && pending.conversation) {
                        QStringList members = message.members;
                        members.sort(Qt::CaseInsensitive);
                        notice(pending.conversation, message.room
                                                             ? u"In %1: %2"_s.arg(*message.room, members.join(u", "_s))
                                                             : u"Online: %1"_s.arg(members.join(u", "_s)));
                    }
                } else if constexpr (std::is_same_v<T, HistoryPage>) {
                    onHistoryPage(message, pending);
                } else if constexpr (std::is_same_v<T, PrivatePage>) {
                    m_privateChats.onPrivatePage(message, pending);
                } else if constexpr (std::is_same_v<T, ReadMarker>) {
                    m_readMarkers.onReadMarker(message);
                } else if constexpr (std::is_same_v<T, Error>) {
                    onError(message, pending);
                } else if constexpr (std::is_same_v<T, Typing>) {
                    m_presence.onTyping(message);
                } else if constexpr (std::is_same_v<T, AwayChanged>) {
                    m_presence.onAwayChanged(message);
                } else if constexpr (std::is_same_v<T, Ping>) {
                    m_supervisor.transport()->send(encode(Pong{}));
                } else if constexpr (std::is_same_v<T, Pong>) {
                    m_supervisor.pongReceived(id);
                } else if constexpr (std::is_same_v<T, Closing>) {
                    m_supervisor.setClosingReason(message.reason);
                } else if constexpr (std::is_same_v<T, Registered>) {
                    m_accounts.onRegistered(message, pending);
                } else if constexpr (std::is_same_v<T, PasswordChanged>) {
                    m_accounts.onPasswordChanged(pending);
                } else if constexpr (std::is_same_v<T, RoleChanged>) {
                    m_moderation.onRoleChanged(message);
                } else if constexpr (std::is_same_v<T, Kicked>) {
                    m_moderation.onKicked(message);
                } else if constexpr (std::is_same_v<T, Muted>) {
                    m_moderation.onMuted(message);
                } else if constexpr (std::is_same_v<T, Unmuted>) {
                    m_moderation.onUnmuted(message);
                } else if constexpr (std::is_same_v<T, ModeChanged>) {
                    m_moderation.onModeChanged(message);
                } else if constexpr (std::is_same_v<T, Invited>) {
                    m_moderation.onInvited(message);
                } else if constexpr (std::is_same_v<T, BanList>) {
                    m_moderation.onBanList(message, pending);
                } else if constexpr (std::is_same_v<T, ServerBanList>) {
                    m_moderation.onServerBanList(message, pending);
                } else if constexpr (std::is_same_v<T, AuditPage>) {
                    m_moderation.onAuditPage(message, pending);
                }
            },
            envelope.message);
}

void ChatSession::onWelcome(const Welcome &welcome)
{
    const bool reconnect = m_supervisor.everWelcomed();
    if (welcome.nick != m_nick) {
        m_nick = welcome.nick;
        emit nickChanged(m_nick);
    }
    m_accounts.welcomed(welcome.account.value_or(QString()));
    m_supervisor.welcomed();
    m_accounts.registerIfAsked();
    if (!reconnect) {
        // A banner above the conversations, once per visit: never a line in
        // a room's log, where older history would later slide in around it.
        m_motd = welcome.motd;
        emit messageOfTheDay(m_motd);
        for (const QString &name : std::as_const(m_initialRooms))
            join(name);
        return;
    }
    // Back after a drop: still away if the user was (the server forgets it
    // with the connection), then the same rooms and whatever was missed.
    m_presence.welcomedAgain();
    for (Conversation *conversation : m_conversations.items()) {
        // Private conversations catch up from the last seq shown (section 19).
        m_privateChats.catchUp(conversation);
        if (conversation->type() == Conversation::Type::Room && conversation->wantsRejoin()) {
            addEvent(conversation, LogEntry::Event::Reconnected);
            send(Join{conversation->name(),
                      conversation->key().isEmpty() ? std::nullopt : std::optional<QString>(conversation->key())},
                 Pending::Purpose::Plain, conversation);
        }
    }
}

void ChatSession::onError(const Error &problem, const Pending &pending)
{
    if (!m_supervisor.isWelcomed()) {
        m_requests.clear();
        const bool hopeless = problem.code == ErrorCode::Banned || problem.code == ErrorCode::LoginFailed
                              || problem.code == ErrorCode::LoginRequired || problem.code == ErrorCode::RateLimited;
        if (m_supervisor.everWelcomed() && hopeless && m_accounts.backToGuest()) {
            // A /login that did not work: back as the guest the user was.
            if (m_active)
                error(m_active, Refusal::sentence(problem.code, problem.message));
            reconnectNow();
        } else if (m_supervisor.everWelcomed() && hopeless) {
            // Banned, or the account's password changed elsewhere: trying
            // again changes nothing.
            const QString why = Refusal::sentence(problem.code, problem.message);
            for (Conversation *conversation : m_conversations.items()) {
                if (conversation->type() == Conversation::Type::Room)
                    error(conversation, why);
            }
            m_supervisor.refused(problem.code, problem.message, false);
            emit disconnected(why);
        } else {
            // After a reconnect the old session may still hold the nick
            // until the server notices it is gone, so keep trying; before
            // the first welcome, the user has to change something.
            m_supervisor.refused(problem.code, problem.message, true);
        }
        return;
    }
    m_accounts.onError(problem, pending);
    Conversation *conversation = pending.conversation ? pending.conversation.data() : m_active.data();
    if (pending.purpose == Pending::Purpose::CatchUp && conversation)
        follow(conversation, conversation->sync().caughtUp({}, CatchUpPage)); // give up: show what waited
    if (pending.purpose == Pending::Purpose::Older && conversation)
        conversation->setLoadingOlder(false);
    conversation = m_privateChats.refused(problem, pending, conversation);
    if (conversation)
        error(conversation, Refusal::sentence(problem.code, problem.message));
    else
        qCWarning(lcClient).noquote() << "server error:" << problem.message;
}

Conversation *ChatSession::find(Conversation::Type type, const QString &name) const
{
    const QString key = nameKey(name);
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->type() == type && nameKey(conversation->name()) == key)
            return conversation;
    }
    return nullptr;
}

Conversation *ChatSession::room(const QString &name) const
{
    return find(Conversation::Type::Room, name);
}

Conversation *ChatSession::privateChat(const QString &nick) const
{
    return find(Conversation::Type::Private, nick);
}

Conversation *ChatSession::open(Conversation::Type type, const QString &name)
{
    if (Conversation *existing = find(type, name))
        return existing;
    auto *conversation = new Conversation(type, name, this);
    // A private conversation is always "joined": there is nothing to join.
    conversation->setJoined(type == Conversation::Type::Private);
    if (type == Conversation::Type::Private)
        conversation->setPeerAway(m_presence.awayMessageOf(name));
    m_conversations.add(conversation);
    emit conversationOpened(conversation);
    return conversation;
}

Conversation *ChatSession::ensureRoom(const QString &name)
{
    return open(Conversation::Type::Room, name);
}

void ChatSession::quitAndForget()
{
    quit();
    const QList<Conversation *> all = m_conversations.items();
    for (Conversation *conversation : all)
        closeConversation(conversation);
}

void ChatSession::closeConversation(Conversation *conversation)
{
    if (!conversation)
        return;
    if (conversation->type() == Conversation::Type::Room && conversation->isJoined())
        send(Leave{conversation->name(), std::nullopt});
    m_presence.typingEnded(conversation); // forgotten
    m_conversations.remove(conversation);
    emit conversationClosed(conversation);
    if (m_active == conversation)
        m_active = nullptr;
    conversation->deleteLater();
}

void ChatSession::setActiveConversation(Conversation *conversation)
{
    // What was shown of the one left was read; so is what the new one shows.
    if (m_active != conversation && m_windowActive)
        m_readMarkers.markRead(m_active);
    m_active = conversation;
    if (conversation && m_windowActive) {
        conversation->seen();
        m_readMarkers.markRead(conversation);
    }
    if (conversation && (conversation->unread() > 0 || conversation->hasMention())) {
        conversation->setUnread(0);
        conversation->setMention(false);
    }
}

void ChatSession::setWindowActive(bool active)
{
    if (!active && m_windowActive)
        m_readMarkers.markRead(m_active); // read until the user looked away
    m_windowActive = active;
    if (active && m_active)
        setActiveConversation(m_active);
}

int ChatSession::totalUnread() const
{
    int total = 0;
    for (const Conversation *conversation : m_conversations.items())
        total += conversation->unread();
    return total;
}

void ChatSession::addEntry(Conversation *conversation, const LogEntry &entry)
{
    conversation->log()->append(entry);
    const bool seen = conversation == m_active && m_windowActive;
    // Read on this or another device before (section 20): not new.
    const bool readBefore = entry.seq > 0 && entry.seq <= conversation->readSeq();
    if (!seen && !readBefore && entry.kind == LogEntry::Kind::Message && !entry.own) {
        conversation->noteUnseen(conversation->log()->rowCount() - 1);
        conversation->setUnread(conversation->unread() + 1);
        if (entry.mention || conversation->type() == Conversation::Type::Private)
            conversation->setMention(true);
    }
}

void ChatSession::addEvent(Conversation *conversation, LogEntry::Event event, const QString &who,
                           const QString &detail, bool own, const QString &target, qint64 when)
{
    LogEntry entry;
    entry.kind = LogEntry::Kind::Event;
    entry.event = event;
    entry.from = who;
    entry.target = target;
    entry.text = detail;
    entry.own = own;
    entry.when = when;
    entry.ts = now();
    addEntry(conversation, entry);
}

void ChatSession::addLine(Conversation *conversation, LogEntry::Kind kind, const QString &text)
{
    LogEntry entry;
    entry.kind = kind;
    entry.text = text;
    entry.ts = now();
    addEntry(conversation, entry);
}

void ChatSession::notice(Conversation *conversation, const QString &text)
{
    addLine(conversation, LogEntry::Kind::Notice, text);
}

void ChatSession::error(Conversation *conversation, const QString &text)
{
    addLine(conversation, LogEntry::Kind::Error, text);
}

void ChatSession::submit(Conversation *conversation, const QString &input)
{
    CommandDispatcher(*this).run(conversation, input);
}

bool ChatSession::isSeen(const Conversation *conversation) const
{
    return conversation && conversation == m_active && m_windowActive;
}

qint64 ChatSession::sendRequest(const Message &message, const Pending &pending)
{
    return m_requests.send(message, pending);
}

void ChatSession::sendNotice(const Message &message)
{
    m_supervisor.transport()->send(encode(message));
}

void ChatSession::comeBackAs(const QString &nick, const QString &reason)
{
    if (m_supervisor.transport()->isOpen())
        send(Quit{reason});
    m_supervisor.transport()->close();
    m_requests.clear();
    for (Conversation *conversation : m_conversations.items())
        conversation->setJoined(false);
    if (nick != m_nick) {
        m_nick = nick;
        emit nickChanged(m_nick);
    }
    m_supervisor.connectNow();
}

void ChatSession::reconnectNow()
{
    m_supervisor.transport()->close();
    m_supervisor.connectNow();
}

bool ChatSession::online(Conversation *context)
{
    if (m_supervisor.isWelcomed())
        return true;
    if (context)
        error(context, u"Not connected"_s);
    return false;
}
