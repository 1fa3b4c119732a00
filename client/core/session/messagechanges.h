#pragma once

#include "messagelog.h"
#include "roommembers.h"

class Conversation;

// Who may change which message (protocol section 18), as far as the client
// knows (the server has the last word). The same rules as the browser's
// messagechanges.js; the session sends the requests.
namespace MessageChanges {

// Whether `me` may edit this entry of this room: their own message, while
// in the room.
bool canEdit(const Conversation *room, const LogEntry &entry, const QString &me);
// The author, or an op and above (`mine`: the user's rank there).
bool canDelete(const Conversation *room, const LogEntry &entry, const QString &me, RoomMembers::Rank mine);
// The seq of the user's latest message in the room that can still be
// edited (Up in an empty input line); 0 if none.
qint64 lastEditableSeq(const Conversation *room, const QString &me);

} // namespace MessageChanges
