// Away and typing notices (protocol sections 16 and 17): who is away and
// why, and when the user's own typing is worth telling the server. The same
// units as the desktop client's AwayBook and TypingSender
// (client/core/session/), and Presence, the session's side of them.

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

// The session's side (the desktop's Presence): the user's own away message,
// said again after a reconnect since the server forgets it with the
// connection; others' (an AwayBook); who is typing where; and the user's
// own typing notices (a TypingSender). `host` is what it may use of the
// session (see ChatSession's #host in session.js).
export class Presence {
  constructor(host) {
    this.host = host;
    this.awayMessage = ''; // the user's own ('' when here)
    this.awayBook = new AwayBook(); // others who are away, and why
    this.typingSender = new TypingSender();
  }

  // Away with a message, or back (an empty one).
  setAway(message) {
    if (!this.host.welcomed()) return;
    this.host.send('away', message.trim() ? { message: message.trim() } : {});
  }

  awayMessageOf(nick) {
    return this.awayBook.of(nick);
  }

  // The user is typing in `conversation` (or stopped: cleared the line).
  // Tells the server at most once every few seconds.
  noteTyping(conversation, typing) {
    if (!conversation || !this.host.welcomed() || (conversation.type === 'room' && !conversation.joined)) return;
    const notice = this.typingSender.notice(conversation, typing);
    // No id: nothing answers a typing notice.
    if (notice) this.host.tell('typing', notice);
  }

  // A message sent there ends "typing" by itself.
  typingEnded(conversation) {
    this.typingSender.sent(conversation);
  }

  // Welcomed again after a drop: still away if the user was.
  welcomedAgain() {
    if (this.awayMessage) this.setAway(this.awayMessage);
  }

  // A room joined, with the away messages of its members.
  joined(away) {
    for (const [nick, why] of Object.entries(away ?? {})) {
      if (nameKey(nick) !== nameKey(this.host.nick())) this.awayBook.set(nick, why);
    }
  }

  // A `presence` event: someone (or the user) went away or came back.
  presence(message) {
    const nick = message.nick;
    const why = message.away ?? '';
    if (nameKey(nick) === nameKey(this.host.nick())) {
      this.awayMessage = why;
    } else {
      const changed = this.awayBook.set(nick, why);
      // In a private chat, say it when it changes (not at every whisper).
      const chat = this.host.privateChat(nick);
      if (chat && changed) this.host.event(chat, 'away-changed', nick, why);
    }
    this.host.emit('away', { nick, why });
  }

  // A `typing` event: someone typing in a room, or to the user.
  typing(message) {
    if (!message.from) return;
    const conversation = message.room ? this.host.room(message.room) : this.host.privateChat(message.from);
    if (conversation) this.host.setTyping(conversation, message.from, message.done !== true);
  }
}
