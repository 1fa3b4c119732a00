// Editing, deleting and reacting to messages (protocol section 18).
// Part of ChatSession (chatsession.h).

#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

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
