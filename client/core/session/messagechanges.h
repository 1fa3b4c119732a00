#pragma once

#include "messagelog.h"
#include "messages.h"
#include "roommembers.h"
#include "sessioncore.h"

class Conversation;

namespace ClientSession {

// Who may change which message (protocol section 18), as far as the client
// knows (the server has the last word), and a message as the log shows it:
// the same rules as the browser's messagechanges.js, as static functions.
// And the session's side: the requests, and an `updated` event applied.
class MessageChanges final
{
public:
    explicit MessageChanges(SessionCore &session)
        : m_session(session)
    {
    }

    // Refusals are said in the room.
    void edit(Conversation *room, qint64 seq, const QString &text);
    void remove(Conversation *room, qint64 seq);
    // Adds the reaction, or takes it back if the user had made it.
    void react(Conversation *room, qint64 seq, const QString &emoji);
    // A message changed (an `updated` event): shown as it is now.
    void onUpdated(const Confab::Protocol::MessageUpdated &updated);

    // A `message` (or a page's) as the log shows it, for `me`.
    static LogEntry entryFor(const Confab::Protocol::ChatMessage &message, const QString &me);
    // Whether `me` may edit this entry of this room: their own message, while
    // in the room.
    static bool canEdit(const Conversation *room, const LogEntry &entry, const QString &me);
    // The author, or an op and above (`mine`: the user's rank there).
    static bool canDelete(const Conversation *room, const LogEntry &entry, const QString &me, RoomMembers::Rank mine);
    // The seq of the user's latest message in the room that can still be
    // edited (Up in an empty input line); 0 if none.
    static qint64 lastEditableSeq(const Conversation *room, const QString &me);

private:
    SessionCore &m_session;
};

} // namespace ClientSession
