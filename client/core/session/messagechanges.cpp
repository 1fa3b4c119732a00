// Editing, deleting and reacting to messages (protocol section 18): who may
// (messagechanges.h), then the session's side.

#include "messagechanges.h"

#include "conversation.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using Purpose = ClientSession::SessionCore::Pending::Purpose;

namespace ClientSession {

LogEntry MessageChanges::entryFor(const ChatMessage &message, const QString &me)
{
    LogEntry entry;
    entry.kind = LogEntry::Kind::Message;
    entry.from = message.from;
    entry.text = message.text;
    entry.ts = message.ts;
    entry.seq = message.seq;
    entry.own = nameKey(message.from) == nameKey(me);
    entry.action = message.action.value_or(false);
    entry.edited = message.edited.has_value();
    entry.deleted = message.deleted.value_or(false);
    entry.reactions = message.reactions.value_or(QList<Reaction>());
    return entry;
}

bool MessageChanges::canEdit(const Conversation *room, const LogEntry &entry, const QString &me)
{
    return room && room->type() == Conversation::Type::Room && room->isJoined() && entry.seq > 0 && !entry.deleted
           && entry.kind == LogEntry::Kind::Message && nameKey(entry.from) == nameKey(me);
}

bool MessageChanges::canDelete(const Conversation *room, const LogEntry &entry, const QString &me,
                               RoomMembers::Rank mine)
{
    return canEdit(room, entry, me)
           || (room && room->isJoined() && entry.seq > 0 && !entry.deleted && entry.kind == LogEntry::Kind::Message
               && mine >= RoomMembers::Rank::Op);
}

qint64 MessageChanges::lastEditableSeq(const Conversation *room, const QString &me)
{
    if (!room)
        return 0;
    const QList<LogEntry> &entries = room->log()->entries();
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        if (canEdit(room, *it, me))
            return it->seq;
    }
    return 0;
}

// ------------------------------------------------------------ the session's side

void MessageChanges::edit(Conversation *room, qint64 seq, const QString &text)
{
    if (!room || !m_session.isWelcomed())
        return;
    if (auto violation = checkText(text)) {
        m_session.error(room, violation->reason);
        return;
    }
    m_session.send(EditMessage{room->name(), seq, text}, Purpose::Plain, room);
}

void MessageChanges::remove(Conversation *room, qint64 seq)
{
    if (room && m_session.isWelcomed())
        m_session.send(DeleteMessage{room->name(), seq}, Purpose::Plain, room);
}

void MessageChanges::react(Conversation *room, qint64 seq, const QString &emoji)
{
    if (!room || !m_session.isWelcomed())
        return;
    if (auto violation = checkReaction(emoji)) {
        m_session.error(room, violation->reason);
        return;
    }
    m_session.send(React{room->name(), seq, emoji}, Purpose::Plain, room);
}

void MessageChanges::onUpdated(const MessageUpdated &updated)
{
    Conversation *room = m_session.room(updated.message.room);
    if (!room)
        return;
    room->sync().changeHeard(updated.message.rev.value_or(0));
    // A message not shown yet comes as it is now with catch-up or scroll-back.
    room->log()->update(entryFor(updated.message, m_session.nick()));
}

} // namespace ClientSession
