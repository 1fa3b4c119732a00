// Private conversations that last (protocol section 19): a private message
// as an entry, and what a page of history adds above what is shown. The
// same unit as the desktop's PrivateChats (client/core/session/
// privatechats.h); the session (session.js) asks for the pages and shows
// what they bring.

import { CATCH_UP_PAGE, Conversation, nameKey, SCROLL_BACK_PAGE } from './conversation.js';

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

// The session's side (the desktop's PrivateChats): opening a conversation
// (with what was said before), whispers, catching up after a reconnect, and
// pages above what is shown. `host`: see ChatSession's #host in session.js;
// a page's read marker goes to `readMarkers`.
export class PrivateChats {
  constructor(host, readMarkers) {
    this.host = host;
    this.readMarkers = readMarkers;
  }

  // The conversation with `nick`, opened if new (and what was said before
  // asked for); `focus`: the view should show it.
  open(nick, focus = false) {
    let conversation = this.host.privateChat(nick);
    if (!conversation) {
      conversation = new Conversation('private', nick);
      this.host.addConversation(conversation, focus);
      // What was said before shows above (section 19).
      if (this.host.welcomed()) this.#request(conversation, { limit: SCROLL_BACK_PAGE }, 'older');
    } else if (focus) {
      this.host.focus(conversation);
    }
    return conversation;
  }

  // /msg typed in `origin`: opens the private conversation (if it is not
  // open yet, it closes again when nobody by that nick is online, and
  // `origin` says why).
  whisperFrom(origin, nick, text) {
    if (this.host.privateChat(nick) || !this.host.welcomed()) {
      this.host.sendText(this.open(nick, true), text);
      return;
    }
    const chat = this.open(nick, true);
    this.host.send('whisper', { to: chat.name, text }, 'first-whisper', chat, origin);
  }

  // Back after a drop: what was said while away, from the last seq shown.
  catchUp(conversation) {
    if (conversation.type === 'private' && conversation.lastSeq > 0) {
      this.#request(conversation, { after: conversation.lastSeq, limit: CATCH_UP_PAGE }, 'catch-up');
    }
  }

  // A `private` event.
  received(message) {
    const own = nameKey(message.from) === nameKey(this.host.nick());
    const conversation = this.open(own ? message.to : message.from);
    // Shown already: caught up, or in the history shown when it opened.
    if (!conversation.sync.take(message.seq ?? 0)) return;
    this.host.setTyping(conversation, message.from, false);
    this.host.addEntry(conversation, privateEntry(message, this.host.nick()));
    if (message.waiting) this.host.event(conversation, 'waiting', message.to);
    if (!own) this.host.emit('attention', { conversation, from: message.from, text: message.text });
  }

  // A `private_page`: a catch-up after a reconnect, or what was said
  // before, shown above.
  page(page, pending) {
    const conversation = pending.conversation;
    if (!conversation) return;
    if (pending.purpose === 'catch-up') {
      for (const message of page.messages) this.received(message);
      if (page.messages.length >= CATCH_UP_PAGE || page.more === true) {
        this.#request(conversation, { after: conversation.lastSeq, limit: CATCH_UP_PAGE }, 'catch-up');
      }
      return;
    }
    const older = olderThanShown(conversation, page.messages, this.host.nick());
    if (older.length) this.host.emit('prepended', { conversation, count: conversation.prepend(older) });
    if (page.read !== undefined) this.readMarkers.apply(conversation, page.read);
  }

  // An error answering a request that was for `where`: where to say it (a
  // first /msg to nobody closes its conversation: where /msg was typed).
  refused(error, pending, where) {
    if (pending.purpose !== 'first-whisper' || error.code !== 'no_such_user' || !where || where.entries.length !== 0) {
      return where;
    }
    this.host.close(where);
    const origin = pending.origin ?? null;
    if (origin) this.host.focus(origin);
    return origin;
  }

  #request(conversation, fields, purpose) {
    this.host.send('private_history', { with: conversation.name, ...fields }, purpose, conversation);
  }
}
