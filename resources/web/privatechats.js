// Private conversations that last (protocol section 19): a private message
// as an entry, and what a page of history adds above what is shown. The
// same unit as the desktop's PrivateChats (client/core/session/
// privatechats.h); the session (session.js) asks for the pages and shows
// what they bring.

import { nameKey } from './conversation.js';

// A `private` event (or a page's message) as the view shows it, for `me`.
export function privateEntry(message, me) {
  return { kind: 'message', from: message.from, text: message.text, ts: message.ts, seq: message.seq ?? 0,
           own: nameKey(message.from) === nameKey(me), action: message.action === true };
}

// The entries of a page said before the first one shown, oldest first;
// every message of the page counts as shown from now on.
export function olderThanShown(conversation, messages, me) {
  const firstShown = conversation.firstSeq() || Infinity;
  const older = messages.filter((message) => (message.seq ?? 0) > 0 && message.seq < firstShown)
    .map((message) => privateEntry(message, me));
  for (const message of messages) conversation.sync.take(message.seq ?? 0);
  return older;
}
