#include "chatsession.h"

#include "commandparser.h"
#include "conversation.h"
#include "names.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>
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
    : QObject(parent)
{
    connect(&m_connection, &ChatConnection::opened, this, &ChatSession::onOpened);
    connect(&m_connection, &ChatConnection::closed, this, &ChatSession::onClosed);
    connect(&m_connection, &ChatConnection::frameReceived, this, &ChatSession::onFrame);
    connect(&m_connection, &ChatConnection::untrustedCertificate, this,
            [this](const QString &fingerprint, const QString &subject, const QString &problem) {
                // Retrying cannot help; only the user can decide.
                m_reconnectTimer.stop();
                m_pingTimer.stop();
                m_welcomed = false;
                for (Conversation *conversation : m_conversations.items())
                    conversation->setJoined(false);
                setState(State::Disconnected);
                emit disconnected(u"the server's certificate is not trusted"_s);
                emit untrustedCertificate(fingerprint, subject, problem);
            });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ChatSession::connectNow);
    m_pingTimer.setInterval(15'000);
    connect(&m_pingTimer, &QTimer::timeout, this, &ChatSession::sendPing);
}

ChatSession::~ChatSession()
{
    m_connection.close();
}

void ChatSession::setTrustedFingerprints(const QSet<QString> &fingerprints)
{
    m_connection.setTrustedFingerprints(fingerprints);
}

void ChatSession::setReconnectDelays(int firstMs, int maxMs)
{
    m_firstDelayMs = firstMs;
    m_maxDelayMs = maxMs;
}

void ChatSession::setPingInterval(int ms)
{
    m_pingTimer.setInterval(ms);
}

// ------------------------------------------------------------ connection

void ChatSession::start(const ServerAddress &address, const QString &nick, const QString &password,
                        const QStringList &rooms)
{
    m_address = address;
    m_nick = nick;
    m_password = password;
    m_initialRooms = rooms;
    m_everWelcomed = false;
    m_reconnectAttempt = 0;
    connectNow();
}

void ChatSession::quit(const QString &reason)
{
    m_reconnectTimer.stop();
    m_pingTimer.stop();
    if (m_connection.isOpen())
        send(Quit{reason.isEmpty() ? std::nullopt : std::optional<QString>(reason)});
    m_connection.close();
    m_welcomed = false;
    for (Conversation *conversation : m_conversations.items())
        conversation->setJoined(false);
    setState(State::Disconnected);
}

void ChatSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void ChatSession::connectNow()
{
    m_welcomed = false;
    m_closingReason.clear();
    setState(m_everWelcomed ? State::Reconnecting : State::Connecting);
    qCInfo(lcClient).noquote() << "connecting to" << m_address.toString();
    m_connection.open(m_address);
}

void ChatSession::onOpened()
{
    Hello hello;
    hello.nick = m_nick;
    hello.client = u"confab/%1"_s.arg(QStringLiteral(CONFAB_VERSION));
    if (!m_password.isEmpty())
        hello.password = m_password;
    send(hello);
}

void ChatSession::onClosed(const QString &reason)
{
    m_pingTimer.stop();
    m_pending.clear();
    const QString why = m_closingReason.isEmpty() ? reason : m_closingReason;
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->isJoined())
            notice(conversation, u"Disconnected: %1"_s.arg(why));
        conversation->setJoined(false);
        conversation->setCatchingUp(false);
        conversation->heldBack().clear();
        conversation->setLoadingOlder(false);
    }
    emit disconnected(why);
    if (!m_everWelcomed) {
        setState(State::Disconnected);
        if (m_state == State::Disconnected && !m_welcomed)
            emit loginFailed(u"unreachable"_s, u"Cannot connect to %1: %2"_s.arg(m_address.toString(), why));
        return;
    }
    scheduleReconnect(why);
}

void ChatSession::scheduleReconnect(const QString &reason)
{
    m_welcomed = false;
    const int exponent = qMin(m_reconnectAttempt, 16);
    const double base = qMin<double>(m_maxDelayMs, double(m_firstDelayMs) * double(1 << exponent));
    const double jitter = 0.5 + QRandomGenerator::global()->generateDouble();
    const int delay = int(qMin<double>(m_maxDelayMs, base * jitter));
    ++m_reconnectAttempt;
    qCInfo(lcClient).noquote() << "connection lost (" << reason << "), retrying in" << delay << "ms";
    setState(State::Reconnecting);
    m_reconnectTimer.start(delay);
}

template <typename T>
void ChatSession::send(const T &message, Pending::Purpose purpose, Conversation *conversation)
{
    const qint64 id = m_nextId++;
    m_pending.insert(id, Pending{purpose, conversation});
    m_connection.send(encode(message, QJsonValue(id)));
}

void ChatSession::sendPing()
{
    if (!m_welcomed)
        return;
    m_pingClock.start();
    m_pingId = m_nextId;
    send(Ping{});
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
    Pending pending;
    if (envelope.id.isDouble())
        pending = m_pending.take(qint64(envelope.id.toDouble()));
    const qint64 id = envelope.id.isDouble() ? qint64(envelope.id.toDouble()) : 0;

    std::visit(
            [&](const auto &message) {
                using T = std::decay_t<decltype(message)>;
                if constexpr (std::is_same_v<T, Welcome>) {
                    onWelcome(message);
                } else if constexpr (std::is_same_v<T, Joined>) {
                    onJoined(message);
                } else if constexpr (std::is_same_v<T, Left>) {
                    if (Conversation *conversation = room(message.room)) {
                        conversation->setJoined(false);
                        notice(conversation, u"You left %1"_s.arg(message.room));
                        m_conversations.changed(conversation);
                    }
                } else if constexpr (std::is_same_v<T, ChatMessage>) {
                    onMessage(message);
                } else if constexpr (std::is_same_v<T, PrivateMessage>) {
                    onPrivate(message);
                } else if constexpr (std::is_same_v<T, UserJoined>) {
                    if (Conversation *conversation = room(message.room)) {
                        conversation->addMember(message.nick);
                        notice(conversation, u"%1 joined"_s.arg(message.nick));
                    }
                } else if constexpr (std::is_same_v<T, UserLeft>) {
                    if (Conversation *conversation = room(message.room)) {
                        conversation->removeMember(message.nick);
                        notice(conversation, message.reason.isEmpty()
                                                     ? u"%1 left"_s.arg(message.nick)
                                                     : u"%1 left (%2)"_s.arg(message.nick, message.reason));
                    }
                } else if constexpr (std::is_same_v<T, NickChanged>) {
                    onNickChanged(message);
                } else if constexpr (std::is_same_v<T, TopicChanged>) {
                    if (Conversation *conversation = room(message.room)) {
                        conversation->setTopic(message.topic);
                        notice(conversation, message.topic.isEmpty()
                                                     ? u"%1 cleared the topic"_s.arg(message.by)
                                                     : u"%1 set the topic: %2"_s.arg(message.by, message.topic));
                        m_conversations.changed(conversation);
                    }
                } else if constexpr (std::is_same_v<T, RoomList>) {
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
                } else if constexpr (std::is_same_v<T, Error>) {
                    onError(message, pending);
                } else if constexpr (std::is_same_v<T, Ping>) {
                    m_connection.send(encode(Pong{}));
                } else if constexpr (std::is_same_v<T, Pong>) {
                    if (id == m_pingId && m_pingClock.isValid()) {
                        m_roundTripMs = int(m_pingClock.elapsed());
                        emit roundTripChanged(m_roundTripMs);
                    }
                } else if constexpr (std::is_same_v<T, Closing>) {
                    m_closingReason = message.reason;
                }
            },
            envelope.message);
}

void ChatSession::onWelcome(const Welcome &welcome)
{
    const bool reconnect = m_everWelcomed;
    m_welcomed = true;
    m_everWelcomed = true;
    m_reconnectAttempt = 0;
    if (welcome.nick != m_nick) {
        m_nick = welcome.nick;
        emit nickChanged(m_nick);
    }
    setState(State::Online);
    m_pingTimer.start();
    sendPing();
    if (!reconnect) {
        // Shown in the first room that opens.
        m_motd = welcome.motd;
        for (const QString &name : std::as_const(m_initialRooms))
            join(name);
        return;
    }
    // Back after a drop: the same rooms, and whatever was missed in them.
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->type() == Conversation::Type::Room) {
            notice(conversation, u"Reconnected"_s);
            send(Join{conversation->name(), std::nullopt}, Pending::Purpose::Plain, conversation);
        }
    }
}

void ChatSession::onJoined(const Joined &joined)
{
    Conversation *conversation = ensureRoom(joined.room);
    conversation->setName(joined.room);
    conversation->setTopic(joined.topic);
    conversation->setMembers(joined.members);
    const bool wasJoined = conversation->isJoined();
    conversation->setJoined(true);
    m_conversations.changed(conversation);
    if (wasJoined)
        return;

    if (!m_motd.isEmpty())
        notice(conversation, std::exchange(m_motd, QString()));
    const qint64 last = conversation->lastSeq();
    if (last == 0) {
        // First time here: the history that came with joined is all we show.
        for (const ChatMessage &message : joined.history)
            appendMessage(conversation, message);
        conversation->setHasOlderHistory(!joined.history.isEmpty() && joined.history.first().seq > 1);
        if (!joined.topic.isEmpty())
            notice(conversation, u"Topic: %1"_s.arg(joined.topic));
        return;
    }
    // Rejoining: fill the gap since the last message seen, exactly once.
    const bool covered = joined.history.isEmpty() || joined.history.first().seq <= last + 1;
    if (covered) {
        for (const ChatMessage &message : joined.history)
            appendMessage(conversation, message);
        return;
    }
    conversation->setCatchingUp(true);
    requestHistory(conversation, Pending::Purpose::CatchUp, last);
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
    if (conversation->isCatchingUp()) {
        conversation->heldBack().append(message);
        return;
    }
    appendMessage(conversation, message);
}

void ChatSession::appendMessage(Conversation *room, const ChatMessage &message)
{
    // Anything at or below the last seq shown is already there.
    if (message.seq <= room->lastSeq())
        return;
    room->setLastSeq(message.seq);
    LogEntry entry;
    entry.kind = LogEntry::Kind::Message;
    entry.from = message.from;
    entry.text = message.text;
    entry.ts = message.ts;
    entry.seq = message.seq;
    entry.own = nameKey(message.from) == nameKey(m_nick);
    entry.mention = !entry.own && mentionsMe(message.text);
    addEntry(room, entry);
    if (entry.mention)
        emit attentionNeeded(room, message.from, message.text);
}

void ChatSession::onPrivate(const PrivateMessage &message)
{
    const bool own = nameKey(message.from) == nameKey(m_nick);
    const QString peer = own ? message.to : message.from;
    Conversation *conversation = openPrivateChat(peer);
    LogEntry entry;
    entry.from = message.from;
    entry.text = message.text;
    entry.ts = message.ts;
    entry.own = own;
    addEntry(conversation, entry);
    if (!own)
        emit attentionNeeded(conversation, message.from, message.text);
}

void ChatSession::onHistoryPage(const HistoryPage &page, const Pending &pending)
{
    Conversation *conversation = pending.conversation;
    if (!conversation)
        return;
    if (pending.purpose == Pending::Purpose::CatchUp) {
        for (const ChatMessage &message : page.messages)
            appendMessage(conversation, message);
        if (page.messages.size() >= CatchUpPage)
            requestHistory(conversation, Pending::Purpose::CatchUp, conversation->lastSeq());
        else
            finishCatchUp(conversation);
    } else if (pending.purpose == Pending::Purpose::Older) {
        conversation->setLoadingOlder(false);
        QList<LogEntry> older;
        for (const ChatMessage &message : page.messages) {
            LogEntry entry;
            entry.from = message.from;
            entry.text = message.text;
            entry.ts = message.ts;
            entry.seq = message.seq;
            entry.own = nameKey(message.from) == nameKey(m_nick);
            older.append(entry);
        }
        conversation->log()->prepend(older);
        conversation->setHasOlderHistory(page.messages.size() >= ScrollBackPage
                                         && page.messages.first().seq > 1);
    }
}

void ChatSession::finishCatchUp(Conversation *room)
{
    room->setCatchingUp(false);
    const QList<ChatMessage> held = std::exchange(room->heldBack(), {});
    for (const ChatMessage &message : held)
        appendMessage(room, message);
}

void ChatSession::onError(const Error &problem, const Pending &pending)
{
    if (!m_welcomed) {
        // A refused hello: after a reconnect the old session may still hold
        // the nick until the server notices it is gone, so keep trying.
        m_connection.close();
        if (m_everWelcomed) {
            scheduleReconnect(problem.message);
        } else {
            setState(State::Disconnected);
            emit loginFailed(QString(errorCodeName(problem.code)), problem.message);
        }
        return;
    }
    Conversation *conversation = pending.conversation ? pending.conversation.data() : m_active.data();
    if (pending.purpose == Pending::Purpose::CatchUp && conversation)
        finishCatchUp(conversation);
    if (pending.purpose == Pending::Purpose::Older && conversation)
        conversation->setLoadingOlder(false);
    if (conversation)
        error(conversation, problem.message);
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
    const QString text = mine ? u"You are now known as %1"_s.arg(change.newNick)
                              : u"%1 is now known as %2"_s.arg(change.oldNick, change.newNick);
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->type() == Conversation::Type::Room) {
            if (conversation->hasMember(change.oldNick) || mine) {
                conversation->renameMember(change.oldNick, change.newNick);
                notice(conversation, text);
            }
        } else if (nameKey(conversation->name()) == nameKey(change.oldNick)) {
            conversation->setName(change.newNick);
            notice(conversation, text);
            m_conversations.changed(conversation);
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
    return open(Conversation::Type::Private, nick);
}

void ChatSession::closeConversation(Conversation *conversation)
{
    if (!conversation)
        return;
    if (conversation->type() == Conversation::Type::Room && conversation->isJoined())
        send(Leave{conversation->name(), std::nullopt});
    m_conversations.remove(conversation);
    emit conversationClosed(conversation);
    if (m_active == conversation)
        m_active = nullptr;
    conversation->deleteLater();
}

void ChatSession::setActiveConversation(Conversation *conversation)
{
    m_active = conversation;
    if (conversation && (conversation->unread() > 0 || conversation->hasMention())) {
        conversation->setUnread(0);
        conversation->setMention(false);
        m_conversations.changed(conversation);
    }
}

void ChatSession::addEntry(Conversation *conversation, const LogEntry &entry)
{
    conversation->log()->append(entry);
    const bool seen = conversation == m_active && m_windowActive;
    if (!seen && entry.kind == LogEntry::Kind::Message && !entry.own) {
        conversation->setUnread(conversation->unread() + 1);
        if (entry.mention || conversation->type() == Conversation::Type::Private)
            conversation->setMention(true);
        m_conversations.changed(conversation);
    }
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

void ChatSession::join(const QString &name, Conversation *context)
{
    Conversation *existing = room(name);
    if (!context)
        context = existing ? existing : m_active.data();
    if (existing)
        emit focusRequested(existing);
    if (!m_welcomed) {
        if (context)
            error(context, u"Not connected"_s);
        return;
    }
    if (!existing || !existing->isJoined())
        send(Join{name, std::nullopt}, Pending::Purpose::Plain, context);
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

void ChatSession::sendText(Conversation *conversation, const QString &text)
{
    if (!conversation)
        return;
    if (!m_welcomed) {
        error(conversation, u"Not connected: the message was not sent"_s);
        return;
    }
    if (auto violation = checkText(text)) {
        error(conversation, violation->reason);
        return;
    }
    if (conversation->type() == Conversation::Type::Room)
        send(Say{conversation->name(), text}, Pending::Purpose::Plain, conversation);
    else
        send(Whisper{conversation->name(), text}, Pending::Purpose::Plain, conversation);
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
    if (!room || !m_welcomed || room->type() != Conversation::Type::Room || room->isLoadingOlder()
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
    const Command command = Command::parse(input);
    auto needRoom = [&]() -> Conversation * {
        if (conversation && conversation->type() == Conversation::Type::Room)
            return conversation;
        if (conversation)
            error(conversation, u"That command works in a room"_s);
        return nullptr;
    };
    switch (command.kind) {
    case Command::Kind::Say:
        if (!command.text.trimmed().isEmpty())
            sendText(conversation, command.text);
        break;
    case Command::Kind::Invalid:
        if (conversation)
            error(conversation, command.error);
        break;
    case Command::Kind::Join:
        join(command.target, conversation);
        break;
    case Command::Kind::Leave:
        if (!command.target.isEmpty()) {
            if (Conversation *other = room(command.target))
                leave(other, command.text);
            else if (conversation)
                error(conversation, u"You are not in %1"_s.arg(command.target));
        } else {
            leave(conversation, command.text);
        }
        break;
    case Command::Kind::Msg:
        whisper(command.target, command.text);
        break;
    case Command::Kind::Nick:
        changeNick(command.target, conversation);
        break;
    case Command::Kind::Topic:
        if (Conversation *target = needRoom()) {
            if (command.text.isEmpty())
                notice(target, target->topic().isEmpty() ? u"No topic is set"_s : u"Topic: %1"_s.arg(target->topic()));
            else
                setTopic(target, command.text);
        }
        break;
    case Command::Kind::List:
        requestRoomList(conversation);
        break;
    case Command::Kind::Who:
        if (command.target.isEmpty()) {
            if (Conversation *target = needRoom())
                requestMembers(target->name(), target);
        } else {
            requestMembers(command.target, conversation);
        }
        break;
    case Command::Kind::Quit:
        quit(command.text);
        break;
    case Command::Kind::Help:
        if (conversation) {
            for (const QString &line : Command::help())
                notice(conversation, line);
        }
        break;
    }
}
