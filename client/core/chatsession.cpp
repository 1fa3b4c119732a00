#include "chatsession.h"

#include "chatconnection.h"
#include "commanddispatcher.h"
#include "defaults.h"
#include "conversation.h"
#include "names.h"
#include "refusal.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcClient, "confab.client", QtInfoMsg)

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;

namespace {

// Pages asked for when catching up after a reconnect.
constexpr int CatchUpPage = Defaults::HistoryMaxPage;
constexpr int ScrollBackPage = Defaults::HistoryPage;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

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

void ChatSession::setLogin(const QString &account, const QString &accountPassword)
{
    m_loginAccount = account;
    m_loginPassword = accountPassword;
}

void ChatSession::setRegistration(const QString &accountPassword)
{
    m_registration = accountPassword;
}

void ChatSession::quit(const QString &reason)
{
    if (m_supervisor.isWelcomed() && m_windowActive)
        markRead(m_active);
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
    if (!m_loginAccount.isEmpty())
        hello.login = Credentials{m_loginAccount, m_loginPassword};
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

template <typename T>
qint64 ChatSession::send(const T &message, Pending::Purpose purpose, Conversation *conversation, Conversation *origin)
{
    return m_requests.send(message, Pending{purpose, conversation, origin});
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
                    if (Conversation *conversation = room(message.message.room))
                        applyChange(conversation, message.message);
                } else if constexpr (std::is_same_v<T, PrivateMessage>) {
                    onPrivate(message);
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
                    onPrivatePage(message, pending);
                } else if constexpr (std::is_same_v<T, ReadMarker>) {
                    // Read on another device of the account.
                    applyReadMarker(message.room ? room(*message.room) : privateChat(message.with.value_or(QString())),
                                    message.seq);
                } else if constexpr (std::is_same_v<T, Error>) {
                    onError(message, pending);
                } else if constexpr (std::is_same_v<T, Typing>) {
                    onTyping(message);
                } else if constexpr (std::is_same_v<T, AwayChanged>) {
                    onAwayChanged(message);
                } else if constexpr (std::is_same_v<T, Ping>) {
                    m_supervisor.transport()->send(encode(Pong{}));
                } else if constexpr (std::is_same_v<T, Pong>) {
                    m_supervisor.pongReceived(id);
                } else if constexpr (std::is_same_v<T, Closing>) {
                    m_supervisor.setClosingReason(message.reason);
                } else if constexpr (std::is_same_v<T, Registered>) {
                    m_account = message.account;
                    // From now on every reconnect logs in.
                    m_loginAccount = message.account;
                    m_loginPassword = std::exchange(m_registration, QString());
                    emit accountChanged(m_account);
                    Conversation *where = pending.conversation ? pending.conversation.data() : m_active.data();
                    if (where)
                        notice(where, u"%1 is now a registered account, and you are logged in to it. Nobody else "
                                      "can use this nick."_s.arg(message.account));
                } else if constexpr (std::is_same_v<T, PasswordChanged>) {
                    m_loginPassword = std::exchange(m_newPassword, QString());
                    if (pending.conversation)
                        notice(pending.conversation, u"Your password was changed."_s);
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
                    emit banListReceived(message.room, message.bans);
                    if (pending.conversation)
                        m_moderation.showBans(pending.conversation, u"Bans in #%1"_s.arg(message.room), message.bans);
                } else if constexpr (std::is_same_v<T, ServerBanList>) {
                    if (pending.conversation)
                        m_moderation.showBans(pending.conversation, u"Server bans"_s, message.bans);
                } else if constexpr (std::is_same_v<T, AuditPage>) {
                    if (pending.conversation)
                        m_moderation.showAudit(pending.conversation, message.entries);
                }
            },
            envelope.message);
}

void ChatSession::onWelcome(const Welcome &welcome)
{
    const bool reconnect = m_supervisor.everWelcomed();
    m_guestFallback = false;
    if (welcome.nick != m_nick) {
        m_nick = welcome.nick;
        emit nickChanged(m_nick);
    }
    const QString account = welcome.account.value_or(QString());
    if (account != m_account) {
        m_account = account;
        emit accountChanged(m_account);
    }
    m_supervisor.welcomed();
    if (!m_registration.isEmpty() && m_account.isEmpty())
        send(Register{m_registration}, Pending::Purpose::Register, nullptr);
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
    if (!m_awayMessage.isEmpty())
        setAway(m_awayMessage);
    for (Conversation *conversation : m_conversations.items()) {
        // Private conversations catch up from the last seq shown (section 19).
        if (conversation->type() == Conversation::Type::Private && conversation->lastSeq() > 0) {
            send(GetPrivateHistory{conversation->name(), std::nullopt, conversation->lastSeq(), CatchUpPage},
                 Pending::Purpose::CatchUp, conversation);
        }
        if (conversation->type() == Conversation::Type::Room && conversation->wantsRejoin()) {
            addEvent(conversation, LogEntry::Event::Reconnected);
            send(Join{conversation->name(),
                      conversation->key().isEmpty() ? std::nullopt : std::optional<QString>(conversation->key())},
                 Pending::Purpose::Plain, conversation);
        }
    }
}

void ChatSession::onJoined(const Joined &joined)
{
    Conversation *conversation = ensureRoom(joined.room);
    conversation->setName(joined.room);
    conversation->setTopic(joined.topic);
    conversation->setMembers(joined.members, joined.roles.value_or(StringMap()));
    const StringMap away = joined.away.value_or(StringMap());
    for (auto it = away.cbegin(); it != away.cend(); ++it) {
        conversation->members()->setAway(it.key(), it.value());
        if (nameKey(it.key()) != nameKey(m_nick))
            m_awayOf.insert(nameKey(it.key()), it.value());
    }
    conversation->setModes(joined.modes.value_or(RoomModes()));
    if (m_joinKeys.contains(nameKey(joined.room)))
        conversation->setKey(m_joinKeys.take(nameKey(joined.room)));
    const bool wasJoined = conversation->isJoined();
    conversation->setJoined(true);
    conversation->setWantsRejoin(true);
    emit modesChanged(conversation);
    if (wasJoined)
        return;

    const bool first = conversation->lastSeq() == 0;
    if (first)
        conversation->setReadSeq(joined.read.value_or(0)); // unread only past where the user had read
    follow(conversation, conversation->sync().joined(joined.history, joined.rev));
    if (first) {
        conversation->setHasOlderHistory(!joined.history.isEmpty() && joined.history.first().seq > 1);
        if (!joined.topic.isEmpty())
            addEvent(conversation, LogEntry::Event::Topic, {}, joined.topic);
    }
}

void ChatSession::follow(Conversation *room, const RoomSync::Steps &steps)
{
    for (const ChatMessage &message : steps.refresh)
        room->log()->update(messageEntry(message));
    for (const ChatMessage &message : steps.show)
        showMessage(room, message);
    if (steps.changesAfter)
        requestChanges(room, *steps.changesAfter);
    if (steps.historyAfter)
        requestHistory(room, Pending::Purpose::CatchUp, *steps.historyAfter);
}

void ChatSession::requestChanges(Conversation *room, qint64 changedAfter)
{
    GetHistory request;
    request.room = room->name();
    request.changedAfter = changedAfter;
    request.limit = CatchUpPage;
    send(request, Pending::Purpose::Changes, room);
}

void ChatSession::applyChange(Conversation *room, const ChatMessage &message)
{
    room->sync().changeHeard(message.rev.value_or(0));
    // A message not shown yet comes as it is now with catch-up or scroll-back.
    room->log()->update(messageEntry(message));
}

LogEntry ChatSession::messageEntry(const ChatMessage &message) const
{
    LogEntry entry;
    entry.kind = LogEntry::Kind::Message;
    entry.from = message.from;
    entry.text = message.text;
    entry.ts = message.ts;
    entry.seq = message.seq;
    entry.own = nameKey(message.from) == nameKey(m_nick);
    entry.action = message.action.value_or(false);
    entry.edited = message.edited.has_value();
    entry.deleted = message.deleted.value_or(false);
    entry.reactions = message.reactions.value_or(QList<Reaction>());
    return entry;
}

void ChatSession::requestHistory(Conversation *room, Pending::Purpose purpose, qint64 fromSeq)
{
    // Catching up pages forwards from the last message seen; scroll-back
    // pages backwards from the oldest one shown.
    GetHistory request;
    request.room = room->name();
    if (purpose == Pending::Purpose::CatchUp) {
        request.after = fromSeq;
        request.limit = CatchUpPage;
    } else {
        request.before = fromSeq;
        request.limit = ScrollBackPage;
    }
    send(request, purpose, room);
}

void ChatSession::onMessage(const ChatMessage &message)
{
    Conversation *conversation = room(message.room);
    if (!conversation)
        return;
    follow(conversation, conversation->sync().live(message));
}

void ChatSession::showMessage(Conversation *room, const ChatMessage &message)
{
    LogEntry entry = messageEntry(message);
    entry.mention = !entry.own && !entry.deleted && mentionsMe(message.text);
    room->setTyping(message.from, false);
    addEntry(room, entry);
    if (entry.mention)
        emit attentionNeeded(room, message.from, message.text);
}

void ChatSession::onPrivate(const PrivateMessage &message)
{
    const bool own = nameKey(message.from) == nameKey(m_nick);
    const QString peer = own ? message.to : message.from;
    Conversation *conversation = openPrivateChat(peer);
    if (!conversation->sync().take(message.seq.value_or(0)))
        return; // shown already (caught up, or in the history shown when it opened)
    conversation->setTyping(message.from, false);
    addEntry(conversation, privateEntry(message));
    if (message.waiting.value_or(false))
        addEvent(conversation, LogEntry::Event::Waiting, message.to);
    if (!own)
        emit attentionNeeded(conversation, message.from, message.text);
}

LogEntry ChatSession::privateEntry(const PrivateMessage &message) const
{
    LogEntry entry;
    entry.from = message.from;
    entry.text = message.text;
    entry.ts = message.ts;
    entry.seq = message.seq.value_or(0);
    entry.own = nameKey(message.from) == nameKey(m_nick);
    entry.action = message.action.value_or(false);
    return entry;
}

void ChatSession::onPrivatePage(const PrivatePage &page, const Pending &pending)
{
    Conversation *conversation = pending.conversation;
    if (!conversation)
        return;
    if (pending.purpose == Pending::Purpose::CatchUp) {
        for (const PrivateMessage &message : page.messages)
            onPrivate(message);
        if (page.messages.size() >= CatchUpPage || page.more.value_or(false))
            send(GetPrivateHistory{conversation->name(), std::nullopt, conversation->lastSeq(), CatchUpPage},
                 Pending::Purpose::CatchUp, conversation);
        return;
    }
    // The history above what is shown: only what is older than all of it.
    const qint64 firstSeq = conversation->log()->firstSeq();
    const qint64 firstShown = firstSeq > 0 ? firstSeq : std::numeric_limits<qint64>::max();
    QList<LogEntry> older;
    for (const PrivateMessage &message : page.messages) {
        if (message.seq.value_or(0) > 0 && message.seq.value_or(0) < firstShown)
            older.append(privateEntry(message));
        conversation->sync().take(message.seq.value_or(0));
    }
    conversation->rowsPrepended(int(older.size()));
    conversation->log()->prepend(older);
    if (page.read)
        applyReadMarker(conversation, *page.read);
}

void ChatSession::onHistoryPage(const HistoryPage &page, const Pending &pending)
{
    Conversation *conversation = pending.conversation;
    if (!conversation)
        return;
    // A page the server cut short to its size in bytes says `more`: it
    // counts as a full one.
    const int pageSize = page.more.value_or(false) ? int(page.messages.size()) : CatchUpPage;
    if (pending.purpose == Pending::Purpose::CatchUp) {
        follow(conversation, conversation->sync().caughtUp(page.messages, pageSize));
    } else if (pending.purpose == Pending::Purpose::Changes) {
        follow(conversation, conversation->sync().changes(page.messages, pageSize));
    } else if (pending.purpose == Pending::Purpose::Older) {
        conversation->setLoadingOlder(false);
        QList<LogEntry> older;
        for (const ChatMessage &message : page.messages)
            older.append(messageEntry(message));
        conversation->rowsPrepended(int(older.size()));
        conversation->log()->prepend(older);
        conversation->setHasOlderHistory((page.messages.size() >= ScrollBackPage || page.more.value_or(false))
                                         && !page.messages.isEmpty() && page.messages.first().seq > 1);
    }
}

void ChatSession::onError(const Error &problem, const Pending &pending)
{
    if (!m_supervisor.isWelcomed()) {
        m_requests.clear();
        const bool hopeless = problem.code == ErrorCode::Banned || problem.code == ErrorCode::LoginFailed
                              || problem.code == ErrorCode::LoginRequired || problem.code == ErrorCode::RateLimited;
        if (m_supervisor.everWelcomed() && hopeless && m_guestFallback) {
            // A /login that did not work: back as the guest the user was.
            m_guestFallback = false;
            m_loginAccount.clear();
            m_loginPassword.clear();
            if (m_active)
                error(m_active, Refusal::sentence(problem.code, problem.message));
            m_supervisor.transport()->close();
            m_supervisor.connectNow();
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
    if (pending.purpose == Pending::Purpose::Register)
        m_registration.clear();
    if (problem.code == ErrorCode::LoginFailed || problem.code == ErrorCode::PasswordInvalid)
        m_newPassword.clear();
    Conversation *conversation = pending.conversation ? pending.conversation.data() : m_active.data();
    if (pending.purpose == Pending::Purpose::CatchUp && conversation)
        follow(conversation, conversation->sync().caughtUp({}, CatchUpPage)); // give up: show what waited
    if (pending.purpose == Pending::Purpose::Older && conversation)
        conversation->setLoadingOlder(false);
    if (pending.purpose == Pending::Purpose::FirstWhisper && problem.code == ErrorCode::NoSuchUser && conversation
        && conversation->log()->rowCount() == 0) {
        // Not a conversation with anyone: close it, and say why where /msg was typed.
        Conversation *origin = pending.origin ? pending.origin.data() : nullptr;
        closeConversation(conversation);
        conversation = origin;
        if (origin)
            emit focusRequested(origin);
    }
    if (conversation)
        error(conversation, Refusal::sentence(problem.code, problem.message));
    else
        qCWarning(lcClient).noquote() << "server error:" << problem.message;
}

void ChatSession::onNickChanged(const NickChanged &change)
{
    const bool mine = nameKey(change.oldNick) == nameKey(m_nick);
    if (mine) {
        m_nick = change.newNick;
        emit nickChanged(m_nick);
    }
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->type() == Conversation::Type::Room) {
            if (conversation->hasMember(change.oldNick) || mine) {
                conversation->renameMember(change.oldNick, change.newNick);
                addEvent(conversation, LogEntry::Event::NickChanged, change.oldNick, change.newNick, mine);
            }
        } else if (nameKey(conversation->name()) == nameKey(change.oldNick)) {
            conversation->setName(change.newNick);
            addEvent(conversation, LogEntry::Event::NickChanged, change.oldNick, change.newNick, mine);
        }
    }
}

// ------------------------------------------------------------ conversations

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
        conversation->setPeerAway(m_awayOf.value(nameKey(name)));
    m_conversations.add(conversation);
    emit conversationOpened(conversation);
    return conversation;
}

Conversation *ChatSession::ensureRoom(const QString &name)
{
    return open(Conversation::Type::Room, name);
}

Conversation *ChatSession::openPrivateChat(const QString &nick)
{
    const bool isNew = !find(Conversation::Type::Private, nick);
    Conversation *conversation = open(Conversation::Type::Private, nick);
    // What was said before shows above (section 19).
    if (isNew && m_supervisor.isWelcomed())
        send(GetPrivateHistory{nick, std::nullopt, std::nullopt, ScrollBackPage}, Pending::Purpose::Older,
             conversation);
    return conversation;
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
    m_typingSentAt.remove(conversation);
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
        markRead(m_active);
    m_active = conversation;
    if (conversation && m_windowActive) {
        conversation->seen();
        markRead(conversation);
    }
    if (conversation && (conversation->unread() > 0 || conversation->hasMention())) {
        conversation->setUnread(0);
        conversation->setMention(false);
    }
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

void ChatSession::setWindowActive(bool active)
{
    if (!active && m_windowActive)
        markRead(m_active); // read until the user looked away
    m_windowActive = active;
    if (active && m_active)
        setActiveConversation(m_active);
}

void ChatSession::markAllRead()
{
    for (Conversation *conversation : m_conversations.items()) {
        markRead(conversation);
        if (conversation->unread() > 0 || conversation->hasMention()) {
            conversation->setUnread(0);
            conversation->setMention(false);
        }
    }
}

int ChatSession::totalUnread() const
{
    int total = 0;
    for (const Conversation *conversation : m_conversations.items())
        total += conversation->unread();
    return total;
}

void ChatSession::markRead(Conversation *conversation)
{
    if (!conversation || !m_supervisor.isWelcomed() || conversation->lastSeq() <= conversation->readSeq())
        return;
    if (conversation->type() == Conversation::Type::Room && !conversation->isJoined())
        return;
    const qint64 seq = conversation->lastSeq();
    conversation->setReadSeq(seq);
    const bool room = conversation->type() == Conversation::Type::Room;
    // No id: the answer changes nothing here.
    m_supervisor.transport()->send(encode(MarkRead{room ? std::optional<QString>(conversation->name()) : std::nullopt,
                                      room ? std::nullopt : std::optional<QString>(conversation->name()), seq}));
}

void ChatSession::applyReadMarker(Conversation *conversation, qint64 seq)
{
    if (!conversation)
        return;
    conversation->setReadSeq(seq);
    // Unread is what came after the marker and is someone else's.
    int unread = 0;
    bool mention = false;
    for (const LogEntry &entry : conversation->log()->entries()) {
        if (entry.kind == LogEntry::Kind::Message && !entry.own && entry.seq > conversation->readSeq()) {
            ++unread;
            mention = mention || entry.mention || conversation->type() == Conversation::Type::Private;
        }
    }
    if (conversation == m_active && m_windowActive) {
        unread = 0;
        mention = false;
    }
    if (unread != conversation->unread() || mention != conversation->hasMention()) {
        conversation->setUnread(unread);
        conversation->setMention(mention);
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

bool ChatSession::mentionsMe(const QString &text) const
{
    if (m_nick.isEmpty())
        return false;
    // The nick as a word of its own, in any case.
    const QRegularExpression word(u"(^|[^\\w.-])"_s + QRegularExpression::escape(m_nick) + u"($|[^\\w-])"_s,
                                  QRegularExpression::CaseInsensitiveOption
                                          | QRegularExpression::UseUnicodePropertiesOption);
    return word.match(text).hasMatch();
}

// ------------------------------------------------------------ actions

void ChatSession::join(const QString &name, Conversation *context, const QString &key)
{
    Conversation *existing = room(name);
    if (!context)
        context = existing ? existing : m_active.data();
    if (existing)
        emit focusRequested(existing);
    if (!m_supervisor.isWelcomed()) {
        if (context)
            error(context, u"Not connected"_s);
        return;
    }
    if (!existing || !existing->isJoined()) {
        if (!key.isEmpty())
            m_joinKeys.insert(nameKey(name), key);
        send(Join{name, key.isEmpty() ? std::nullopt : std::optional<QString>(key)}, Pending::Purpose::Plain, context);
    }
}

void ChatSession::leave(Conversation *conversation, const QString &reason)
{
    if (!conversation)
        return;
    if (conversation->type() == Conversation::Type::Private) {
        closeConversation(conversation);
        return;
    }
    send(Leave{conversation->name(), reason.isEmpty() ? std::nullopt : std::optional<QString>(reason)},
         Pending::Purpose::Plain, conversation);
}

void ChatSession::setAway(const QString &message)
{
    if (m_supervisor.isWelcomed())
        send(SetAway{message.trimmed().isEmpty() ? std::nullopt : std::optional<QString>(message.trimmed())});
}

void ChatSession::onAwayChanged(const AwayChanged &change)
{
    const QString why = change.away.value_or(QString());
    if (nameKey(change.nick) == nameKey(m_nick)) {
        m_awayMessage = why;
    } else {
        const QString before = m_awayOf.value(nameKey(change.nick));
        if (why.isEmpty())
            m_awayOf.remove(nameKey(change.nick));
        else
            m_awayOf.insert(nameKey(change.nick), why);
        // In a private chat, say it when it changes (not at every whisper).
        Conversation *chat = privateChat(change.nick);
        if (chat && before != why)
            addEvent(chat, LogEntry::Event::AwayChanged, change.nick, why);
        if (chat)
            chat->setPeerAway(why);
    }
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->type() == Conversation::Type::Room && conversation->hasMember(change.nick))
            conversation->members()->setAway(change.nick, why);
    }
    emit awayChanged(change.nick, why);
}

void ChatSession::onTyping(const Typing &typing)
{
    if (!typing.from)
        return;
    Conversation *conversation = typing.room ? room(*typing.room) : privateChat(*typing.from);
    if (conversation)
        conversation->setTyping(*typing.from, !typing.done.value_or(false));
}

void ChatSession::noteTyping(Conversation *conversation, bool typing)
{
    constexpr qint64 RenewMs = 3000; // the server passes on one notice per 3 s
    if (!conversation || !m_supervisor.isWelcomed() || (conversation->type() == Conversation::Type::Room && !conversation->isJoined()))
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto last = m_typingSentAt.constFind(conversation);
    if (typing && last != m_typingSentAt.constEnd() && now - *last < RenewMs)
        return;
    if (!typing && last == m_typingSentAt.constEnd())
        return;
    Typing notice{std::nullopt, std::nullopt, std::nullopt, typing ? std::nullopt : std::optional<bool>(true)};
    if (conversation->type() == Conversation::Type::Room)
        notice.room = conversation->name();
    else
        notice.to = conversation->name();
    // No id: nothing answers a typing notice.
    m_supervisor.transport()->send(encode(notice));
    if (typing)
        m_typingSentAt.insert(conversation, now);
    else
        m_typingSentAt.remove(conversation);
}

void ChatSession::sendText(Conversation *conversation, const QString &text, bool action)
{
    m_typingSentAt.remove(conversation); // the message itself ends "typing"
    if (!conversation)
        return;
    if (!m_supervisor.isWelcomed()) {
        error(conversation, u"Not connected: the message was not sent"_s);
        return;
    }
    if (auto violation = checkText(text)) {
        error(conversation, violation->reason);
        return;
    }
    if (conversation->type() == Conversation::Type::Room)
        send(Say{conversation->name(), text, action ? std::optional<bool>(true) : std::nullopt},
             Pending::Purpose::Plain, conversation);
    else
        send(Whisper{conversation->name(), text, action ? std::optional<bool>(true) : std::nullopt},
             Pending::Purpose::Plain, conversation);
}

bool ChatSession::canEdit(Conversation *room, const LogEntry &entry) const
{
    return room && room->type() == Conversation::Type::Room && room->isJoined() && entry.seq > 0 && !entry.deleted
           && entry.kind == LogEntry::Kind::Message && nameKey(entry.from) == nameKey(m_nick);
}

bool ChatSession::canDelete(Conversation *room, const LogEntry &entry) const
{
    return canEdit(room, entry)
           || (room && room->isJoined() && entry.seq > 0 && !entry.deleted && entry.kind == LogEntry::Kind::Message
               && myRank(room) >= RoomMembers::Rank::Op);
}

qint64 ChatSession::lastEditableSeq(Conversation *room) const
{
    if (!room)
        return 0;
    const QList<LogEntry> &entries = room->log()->entries();
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        if (canEdit(room, *it))
            return it->seq;
    }
    return 0;
}

void ChatSession::editMessage(Conversation *room, qint64 seq, const QString &text)
{
    if (!room || !m_supervisor.isWelcomed())
        return;
    if (auto violation = checkText(text)) {
        error(room, violation->reason);
        return;
    }
    send(EditMessage{room->name(), seq, text}, Pending::Purpose::Plain, room);
}

void ChatSession::deleteMessage(Conversation *room, qint64 seq)
{
    if (room && m_supervisor.isWelcomed())
        send(DeleteMessage{room->name(), seq}, Pending::Purpose::Plain, room);
}

void ChatSession::react(Conversation *room, qint64 seq, const QString &emoji)
{
    if (!room || !m_supervisor.isWelcomed())
        return;
    if (auto violation = checkReaction(emoji)) {
        error(room, violation->reason);
        return;
    }
    send(React{room->name(), seq, emoji}, Pending::Purpose::Plain, room);
}

void ChatSession::whisper(const QString &nick, const QString &text)
{
    sendText(openPrivateChat(nick), text);
}

void ChatSession::changeNick(const QString &nick, Conversation *context)
{
    send(ChangeNick{nick}, Pending::Purpose::Plain, context ? context : m_active.data());
}

void ChatSession::setTopic(Conversation *room, const QString &topic)
{
    if (room)
        send(SetTopic{room->name(), topic}, Pending::Purpose::Plain, room);
}

QStringList ChatSession::roomListLines(QList<Confab::Protocol::RoomInfo> rooms)
{
    constexpr qsizetype Listed = 20;
    if (rooms.isEmpty())
        return {u"No rooms on this server yet."_s};
    std::sort(rooms.begin(), rooms.end(), [](const auto &a, const auto &b) {
        return a.members != b.members ? a.members > b.members : a.name.localeAwareCompare(b.name) < 0;
    });
    QStringList lines{u"Rooms on this server (%1):"_s.arg(rooms.size())};
    for (const auto &room : rooms.mid(0, Listed)) {
        const QString people = room.members == 1 ? u"1 person"_s : u"%1 people"_s.arg(room.members);
        lines << (room.topic.isEmpty() ? u"#%1 · %2"_s.arg(room.name, people)
                                       : u"#%1 · %2 · %3"_s.arg(room.name, people, room.topic));
    }
    if (rooms.size() > Listed)
        lines << u"… and %1 more: Chat → Room Browser shows them all."_s.arg(rooms.size() - Listed);
    return lines;
}

void ChatSession::requestRoomList(Conversation *context)
{
    send(ListRooms{}, Pending::Purpose::Plain, context ? context : m_active.data());
}

void ChatSession::requestMembers(const QString &room, Conversation *context)
{
    send(Who{room.isEmpty() ? std::nullopt : std::optional<QString>(room)}, Pending::Purpose::Who,
         context ? context : m_active.data());
}

void ChatSession::loadOlder(Conversation *room)
{
    if (!room || !m_supervisor.isWelcomed() || room->type() != Conversation::Type::Room || room->isLoadingOlder()
        || !room->hasOlderHistory())
        return;
    const qint64 first = room->log()->firstSeq();
    if (first <= 1) {
        room->setHasOlderHistory(false);
        return;
    }
    room->setLoadingOlder(true);
    requestHistory(room, Pending::Purpose::Older, first);
}

void ChatSession::submit(Conversation *conversation, const QString &input)
{
    CommandDispatcher(*this).run(conversation, input);
}

void ChatSession::whisperFrom(Conversation *origin, const QString &nick, const QString &text)
{
    if (privateChat(nick) || !m_supervisor.isWelcomed()) {
        whisper(nick, text);
        return;
    }
    Conversation *chat = openPrivateChat(nick);
    emit focusRequested(chat);
    send(Whisper{chat->name(), text, std::nullopt}, Pending::Purpose::FirstWhisper, chat, origin);
}

void ChatSession::showRoomList(Conversation *context)
{
    send(ListRooms{}, Pending::Purpose::ShowRooms, context);
}

// ------------------------------------------------------------ accounts

bool ChatSession::online(Conversation *context)
{
    if (m_supervisor.isWelcomed())
        return true;
    if (context)
        error(context, u"Not connected"_s);
    return false;
}

void ChatSession::registerAccount(const QString &accountPassword, Conversation *context)
{
    if (!context)
        context = m_active;
    if (!online(context))
        return;
    if (!m_account.isEmpty()) {
        if (context)
            error(context, u"You are logged in to %1 already."_s.arg(m_account));
        return;
    }
    // Checked here too, so that a short password is refused before it
    // travels anywhere.
    if (accountPassword.size() < 8 || accountPassword.size() > 256) {
        if (context)
            error(context, Refusal::sentence(ErrorCode::PasswordInvalid, u"that password is too short"_s));
        return;
    }
    m_registration = accountPassword;
    send(Register{accountPassword}, Pending::Purpose::Register, context);
}

void ChatSession::logIn(const QString &account, const QString &accountPassword)
{
    m_guestFallback = m_supervisor.isWelcomed() && m_account.isEmpty();
    m_loginAccount = account;
    m_loginPassword = accountPassword;
    if (!m_supervisor.everWelcomed())
        return;
    // Logging in is part of hello: start again, keeping the rooms.
    if (m_supervisor.transport()->isOpen())
        send(Quit{u"logging in"_s});
    m_supervisor.transport()->close();
    m_requests.clear();
    for (Conversation *conversation : m_conversations.items())
        conversation->setJoined(false);
    if (nameKey(m_nick) != nameKey(account) && m_account.isEmpty()) {
        // The account's own nick is the natural one to come back with.
        m_nick = account;
        emit nickChanged(m_nick);
    }
    m_supervisor.connectNow();
}

void ChatSession::changePassword(const QString &oldPassword, const QString &newPassword, Conversation *context)
{
    if (!context)
        context = m_active;
    if (!online(context))
        return;
    m_newPassword = newPassword;
    send(ChangePassword{oldPassword, newPassword}, Pending::Purpose::Plain, context);
}

// ------------------------------------------------------------ moderation

QString ChatSession::maskFor(const QString &nickOrMask)
{
    return nickOrMask.contains(u':') ? nickOrMask : u"nick:"_s + nickOrMask;
}

RoomMembers::Rank ChatSession::myRank(const Conversation *room) const
{
    return m_moderation.myRank(room);
}

bool ChatSession::mayModerate(const Conversation *room, const QString &nick) const
{
    return m_moderation.mayModerate(room, nick);
}

bool ChatSession::mayGrant(const Conversation *room, const QString &nick) const
{
    return m_moderation.mayGrant(room, nick);
}

bool ChatSession::mayChangeModes(const Conversation *room) const
{
    return m_moderation.mayChangeModes(room);
}

void ChatSession::claim(Conversation *room)
{
    if (online(room))
        send(Claim{room->name()}, Pending::Purpose::Plain, room);
}

void ChatSession::grant(Conversation *room, const QString &nick, RoomMembers::Rank rank)
{
    if (online(room))
        send(Grant{room->name(), nick, rank == RoomMembers::Rank::Op ? u"op"_s : u"member"_s}, Pending::Purpose::Plain,
             room);
}

namespace {

std::optional<QString> optionalText(const QString &text)
{
    return text.trimmed().isEmpty() ? std::nullopt : std::optional<QString>(text.trimmed());
}

} // namespace

void ChatSession::kick(Conversation *room, const QString &nick, const QString &reason)
{
    if (online(room))
        send(Kick{room->name(), nick, optionalText(reason)}, Pending::Purpose::Plain, room);
}

void ChatSession::ban(Conversation *room, const QString &nickOrMask, std::optional<qint64> duration,
                      const QString &reason)
{
    if (online(room))
        send(Ban{room->name(), maskFor(nickOrMask), duration, optionalText(reason)}, Pending::Purpose::Plain, room);
}

void ChatSession::unban(Conversation *room, const QString &nickOrMask)
{
    if (online(room))
        send(Unban{room->name(), maskFor(nickOrMask)}, Pending::Purpose::Plain, room);
}

void ChatSession::requestBanList(Conversation *room, bool show)
{
    if (!room || !m_supervisor.isWelcomed())
        return;
    // Without `show`, only banListReceived() tells (the settings dialog).
    send(GetBanList{room->name()}, Pending::Purpose::Plain, show ? room : nullptr);
}

void ChatSession::mute(Conversation *room, const QString &nick, std::optional<qint64> duration, const QString &reason)
{
    if (online(room))
        send(Mute{room->name(), nick, duration, optionalText(reason)}, Pending::Purpose::Plain, room);
}

void ChatSession::unmute(Conversation *room, const QString &nick)
{
    if (online(room))
        send(Unmute{room->name(), nick}, Pending::Purpose::Plain, room);
}

void ChatSession::invite(const QString &roomName, const QString &nick, Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(Invite{roomName, nick}, Pending::Purpose::Plain, context);
}

void ChatSession::setModes(Conversation *room, std::optional<bool> inviteOnly, std::optional<QString> key,
                           std::optional<bool> topicLocked)
{
    if (online(room))
        send(SetMode{room->name(), inviteOnly, key, topicLocked}, Pending::Purpose::Plain, room);
}

void ChatSession::requestAudit(const QString &roomName, Conversation *context)
{
    if (!context)
        context = m_active;
    if (!online(context))
        return;
    GetAudit request;
    if (!roomName.isEmpty())
        request.room = roomName;
    send(request, Pending::Purpose::Plain, context);
}

void ChatSession::serverBan(const QString &nickOrMask, std::optional<qint64> duration, const QString &reason,
                            Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(ServerBan{maskFor(nickOrMask), duration, optionalText(reason)}, Pending::Purpose::Plain, context);
}

void ChatSession::serverUnban(const QString &nickOrMask, Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(ServerUnban{maskFor(nickOrMask)}, Pending::Purpose::Plain, context);
}

void ChatSession::requestServerBanList(Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(GetServerBanList{}, Pending::Purpose::Plain, context);
}
