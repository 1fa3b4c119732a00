// Rooms: joining, history and catching up (pages, changes), messages, topics,
// member lists and the room list (protocol sections 6 to 8 and 18).
// Part of ChatSession (chatsession.h): the rooms are the session's core,
// which every feature reads.

#include "chatsession.h"
#include "messagechanges.h"
#include "readmarkers.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"

using namespace ClientSession;
using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

void ChatSession::onJoined(const Joined &joined)
{
    Conversation *conversation = ensureRoom(joined.room);
    conversation->setName(joined.room);
    conversation->setTopic(joined.topic);
    conversation->setMembers(joined.members, joined.roles.value_or(StringMap()));
    m_presence.onJoined(conversation, joined.away.value_or(StringMap()));
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
        room->log()->update(MessageChanges::entryFor(message, m_nick));
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
    LogEntry entry = MessageChanges::entryFor(message, m_nick);
    entry.mention = !entry.own && !entry.deleted && ReadMarkers::mentions(m_nick, message.text);
    room->setTyping(message.from, false);
    addEntry(room, entry);
    if (entry.mention)
        emit attentionNeeded(room, message.from, message.text);
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
            older.append(MessageChanges::entryFor(message, m_nick));
        conversation->rowsPrepended(int(older.size()));
        conversation->log()->prepend(older);
        conversation->setHasOlderHistory((page.messages.size() >= ScrollBackPage || page.more.value_or(false))
                                         && !page.messages.isEmpty() && page.messages.first().seq > 1);
    }
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

void ChatSession::sendText(Conversation *conversation, const QString &text, bool action)
{
    m_presence.typingEnded(conversation); // the message itself ends "typing"
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

void ChatSession::showRoomList(Conversation *context)
{
    send(ListRooms{}, Pending::Purpose::ShowRooms, context);
}

// ------------------------------------------------------------ accounts
