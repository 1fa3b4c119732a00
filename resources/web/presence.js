// Away and typing notices (protocol sections 16 and 17): who is away and
// why, and when the user's own typing is worth telling the server. The same
// units as the desktop client's AwayBook and TypingSender
// (client/core/session/); the session (session.js) sends what these decide.

import { nameKey } from './conversation.js';

export const TYPING_RENEW_MS = 3000; // the server passes on one notice per 3 s

// Others' away messages, by nick as the server compares nicks.
export class AwayBook {
  #why = new Map(); // nick key -> why

  of(nick) {
    return this.#why.get(nameKey(nick)) ?? '';
  }

  // Notes `why` ('' when back); returns whether it changed.
  set(nick, why) {
    const before = this.of(nick);
    if (why) this.#why.set(nameKey(nick), why);
    else this.#why.delete(nameKey(nick));
    return before !== why;
  }
}

// The user's own typing: a notice when they type, at most one every few
// seconds per conversation, and "done" once after one when the line is
// cleared.
export class TypingSender {
  #sentAt = new Map(); // conversation -> when "typing" was last sent

  // The fields of the `typing` notice to send now, or null for none.
  notice(conversation, typing, now = Date.now()) {
    const last = this.#sentAt.get(conversation);
    if (typing && last !== undefined && now - last < TYPING_RENEW_MS) return null;
    if (!typing && last === undefined) return null;
    const target = conversation.type === 'room' ? { room: conversation.name } : { to: conversation.name };
    if (typing) this.#sentAt.set(conversation, now);
    else this.#sentAt.delete(conversation);
    return typing ? target : { ...target, done: true };
  }

  // A message sent there ends "typing" on the other side by itself.
  sent(conversation) {
    this.#sentAt.delete(conversation);
  }
}
