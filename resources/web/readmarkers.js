// Read markers and unread counts (protocol section 20), and what counts as a
// mention: the rules as functions, and the session's side as a class. The
// same unit as the desktop client's ReadMarkers
// (client/core/session/readmarkers.h).

// The `read` request that says the user has read `conversation` as far as
// it goes, noted as sent; null when there is nothing new to say.
export function readRequest(conversation) {
  if (!conversation || conversation.lastSeq <= conversation.readSeq) return null;
  if (conversation.type === 'room' && !conversation.joined) return null;
  conversation.readSeq = conversation.lastSeq;
  const where = conversation.type === 'room' ? { room: conversation.name } : { with: conversation.name };
  return { ...where, seq: conversation.lastSeq };
}

// A marker from the server (another device, or with history): markers only
// move forwards, and unread is what came after it and is someone else's
// (none while the user is looking: `seen`).
export function markerApplied(conversation, seq, seen) {
  conversation.readSeq = Math.max(conversation.readSeq, seq);
  const after = conversation.entries.filter((entry) => entry.kind === 'message' && !entry.own && entry.seq > conversation.readSeq);
  conversation.unread = seen ? 0 : after.length;
  conversation.mention = !seen && after.some((entry) => entry.mention || conversation.type === 'private');
}

// Whether `text` names `nick` as a word of its own, in any case.
export function mentions(nick, text) {
  if (!nick) return false;
  const escaped = nick.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_.-])${escaped}($|[^\\p{L}\\p{N}_-])`, 'iu').test(text);
}

// The session's side: telling the server how far the user has read, and
// taking its markers. `host`: see ChatSession's #host in session.js.
export class ReadMarkers {
  constructor(host) {
    this.host = host;
  }

  // Tells the server how far the user has read (if there is anything new).
  markRead(conversation) {
    if (!this.host.welcomed()) return;
    const read = readRequest(conversation);
    // No id: the answer changes nothing here.
    if (read) this.host.tell('read', read);
  }

  // Every conversation read as it stands (Shift+Esc), and the server told.
  markAllRead() {
    for (const conversation of this.host.conversations()) {
      this.markRead(conversation);
      conversation.unread = 0;
      conversation.mention = false;
    }
    this.host.emit('changed');
  }

  // A marker from the server (another device, or with history).
  apply(conversation, seq) {
    if (!conversation) return;
    markerApplied(conversation, seq, this.host.isSeen(conversation));
    this.host.emit('changed');
  }

  // A `read_marker` event: read on another device of the account.
  readMarker(message) {
    const conversation = message.room !== undefined
      ? this.host.room(message.room) : this.host.privateChat(message.with ?? '');
    this.apply(conversation, message.seq);
  }
}
