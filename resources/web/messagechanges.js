// Messages as entries, and their changes (protocol section 18): who may edit
// or delete which, and a message replaced by the one an `updated` event or a
// page of changes carries. Who may change which message follows the same
// rules as the desktop's MessageChanges (client/core/session/
// messagechanges.h); the session (session.js) sends the requests and
// announces the changes.

import { nameKey, RANKS } from './conversation.js';
import { mentions } from './readmarkers.js';
import { rankIn } from './roommoderation.js';

// A `message` (or a history entry) as the view shows it, for user `me`.
export function entryFor(message, me) {
  const own = nameKey(message.from) === nameKey(me);
  const deleted = message.deleted === true;
  return { kind: 'message', from: message.from, text: message.text, ts: message.ts, seq: message.seq, own,
           mention: !own && !deleted && mentions(me, message.text), action: message.action === true,
           edited: message.edited !== undefined, deleted, reactions: message.reactions ?? [] };
}

// Whether `me` may edit this entry of this room (the server has the last word).
export function canEdit(room, entry, me) {
  return room?.type === 'room' && room.joined && entry?.kind === 'message' && entry.seq > 0 && !entry.deleted
    && nameKey(entry.from) === nameKey(me);
}

// The author, or an op and above.
export function canDelete(room, entry, me) {
  return canEdit(room, entry, me) || (Boolean(room?.joined) && entry?.kind === 'message' && entry.seq > 0
    && !entry.deleted && rankIn(room, me) >= RANKS.op);
}

// The seq of the user's latest message that can still be edited; 0 if none.
export function lastEditableSeq(room, me) {
  const entry = [...(room?.entries ?? [])].reverse().find((candidate) => canEdit(room, candidate, me));
  return entry?.seq ?? 0;
}

// Replaces the shown message with this seq by `message` as it is now;
// returns its index, or -1 if it is not shown. Whether it mentions the user
// was decided when it came, and stays so unless it is deleted.
export function replaceShown(room, message, me) {
  const index = room.indexOfSeq(message.seq);
  if (index < 0) return -1;
  const entry = entryFor(message, me);
  entry.mention = room.entries[index].mention && !entry.deleted;
  room.entries[index] = entry;
  return index;
}

// The session's side (the desktop's MessageChanges): the requests, and a
// message shown as it is now. `host`: see ChatSession's #host in session.js.
export class MessageChanges {
  constructor(host) {
    this.host = host;
  }

  edit(room, seq, text) {
    if (!room || !this.host.welcomed()) return;
    if (!text.trim()) return;
    this.host.send('edit', { room: room.name, seq, text }, 'plain', room);
  }

  remove(room, seq) {
    if (room && this.host.welcomed()) this.host.send('delete', { room: room.name, seq }, 'plain', room);
  }

  // Toggles the user's reaction.
  react(room, seq, emoji) {
    if (room && this.host.welcomed()) this.host.send('react', { room: room.name, seq, emoji }, 'plain', room);
  }

  // An `updated` event: heard in revision order, so the room's revision
  // moves on.
  updated(event) {
    const room = this.host.room(event.message.room);
    if (!room) return;
    room.sync.changeHeard(event.message.rev ?? 0);
    this.showAsItIsNow(room, event.message);
  }

  // A message not shown yet comes as it is now with catch-up or scroll-back.
  showAsItIsNow(room, message) {
    const index = replaceShown(room, message, this.host.nick());
    if (index >= 0) this.host.emit('updated', { conversation: room, index });
  }
}
