// Editing, deleting and reacting to messages (protocol section 18): who may
// (messagechanges.h), then ChatSession's part.

#include "messagechanges.h"
#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

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

bool ChatSession::canEdit(Conversation *room, const LogEntry &entry) const
{
    return MessageChanges::canEdit(room, entry, m_nick);
}

bool ChatSession::canDelete(Conversation *room, const LogEntry &entry) const
{
    return MessageChanges::canDelete(room, entry, m_nick, room ? myRank(room) : RoomMembers::Rank::Member);
}

qint64 ChatSession::lastEditableSeq(Conversation *room) const
{
    return MessageChanges::lastEditableSeq(room, m_nick);
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
