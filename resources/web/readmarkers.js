// Read markers and unread counts (protocol section 20), and what counts as a
// mention. The same unit as the desktop client's ReadMarkers
// (client/core/session/readmarkers.h); the session (session.js) sends the
// requests and announces the changes.

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
