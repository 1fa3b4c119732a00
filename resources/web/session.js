// The browser client's state: one identity on the server, its rooms and
// private conversations, and the rules a good client follows — reconnect
// with backoff, catch up on what it missed exactly once, scroll back on
// demand. The view listens to its events; it never touches the DOM itself.
// Each feature is a class of its own in the module of its name (accounts,
// presence, private chats, read markers, message changes, room moderation),
// built over #host: what a feature may use of the session. The desktop
// client's ChatSession is the same over SessionCore.

import { Connection } from './connection.js';
import { describeDuration } from './commands.js';
import { CommandDispatcher } from './dispatcher.js';
import { sentence } from './refusal.js';
import { RequestTracker } from './requests.js';
import { ConnectionSupervisor } from './supervisor.js';
import { CATCH_UP_PAGE, Conversation, nameKey, SCROLL_BACK_PAGE } from './conversation.js';
import { Accounts } from './accounts.js';
import { Presence } from './presence.js';
import { ReadMarkers } from './readmarkers.js';
import { mayChangeModes, mayGrant, mayModerate, rankIn, RoomModeration } from './roommoderation.js';
import { clockTime } from './clock.js';
import { memberListLine, roomListLines } from './rooms.js';
import { PrivateChats } from './privatechats.js';
import { canDelete, canEdit, entryFor, lastEditableSeq, MessageChanges } from './messagechanges.js';

export { clockTime };
export { RoomsListed, roomListLines } from './rooms.js';

export { describeDuration };
export { Conversation, nameKey, RANKS, TYPING_LASTS_MS } from './conversation.js';

export class ChatSession extends EventTarget {
  constructor(url, { firstDelayMs = 1000, maxDelayMs = 30000, pingIntervalMs = 15000 } = {}) {
    super();
    this.connection = new Connection(url);
    this.supervisor = new ConnectionSupervisor(this.connection, { firstDelayMs, maxDelayMs, pingIntervalMs });
    this.requests = new RequestTracker((frame) => this.connection.write(frame));
    this.typingExpiry = null;
    this.nick = '';
    this.password = '';
    this.conversations = [];
    this.active = null;
    this.visible = true;
    this.initialRooms = [];
    this.joinKeys = new Map();
    const host = this.#host();
    this.accounts = new Accounts(host);
    this.presence = new Presence(host);
    this.readMarkers = new ReadMarkers(host);
    this.privateChats = new PrivateChats(host, this.readMarkers);
    this.changes = new MessageChanges(host);
    this.moderation = new RoomModeration(host);
    const forward = (type) => this.supervisor.addEventListener(type, (event) => this.#emit(type, event.detail));
    for (const type of ['state', 'login-failed', 'round-trip']) forward(type);
    this.supervisor.addEventListener('open', () => this.#onOpen());
    this.supervisor.addEventListener('lost', (event) => this.#onLost(event.detail.why));
    this.supervisor.addEventListener('ping-due', () => this.supervisor.pingSent(this.requests.send('ping')));
    this.connection.addEventListener('message', (event) => this.#onMessage(event.detail));
  }

  // What a feature may use of the session: who the user is and what they
  // look at, the conversations, the lines written into them, requests
  // (`send`, answered; `tell`, without an id) and events for the view.
  #host() {
    return {
      nick: () => this.nick,
      active: () => this.active,
      welcomed: () => this.welcomed,
      everWelcomed: () => this.everWelcomed,
      isSeen: (conversation) => conversation === this.active && this.visible,
      conversations: () => this.conversations,
      room: (name) => this.room(name),
      privateChat: (nick) => this.privateChat(nick),
      addConversation: (conversation, focus) => {
        this.conversations.push(conversation);
        this.#emit('conversation-opened', { conversation, focus });
      },
      close: (conversation) => this.close(conversation),
      focus: (conversation) => this.#emit('focus', { conversation }),
      addEntry: (conversation, entry) => this.#addEntry(conversation, entry),
      event: (...event) => this.#event(...event),
      notice: (conversation, text) => this.notice(conversation, text),
      error: (conversation, text) => this.error(conversation, text),
      setTyping: (conversation, nick, typing) => this.#setTyping(conversation, nick, typing),
      online: (context) => this.#online(context),
      send: (type, fields, purpose = 'plain', conversation = null, origin = null) =>
        this.requests.send(type, fields, { purpose, conversation, origin }),
      tell: (type, fields) => this.connection.sendWithoutId(type, fields),
      sendText: (conversation, text, action) => this.sendText(conversation, text, action),
      emit: (type, detail) => this.#emit(type, detail),
      comeBackAs: (nick, reason) => this.#comeBackAs(nick, reason),
    };
  }

  // The user's account ('' as a guest) and away message ('' when here).
  get account() {
    return this.accounts.account;
  }

  get awayMessage() {
    return this.presence.awayMessage;
  }

  // connecting | online | reconnecting | disconnected
  get state() {
    return this.supervisor.state;
  }

  get welcomed() {
    return this.supervisor.isWelcomed;
  }

  get everWelcomed() {
    return this.supervisor.everWelcomed;
  }

  get roundTripMs() {
    return this.supervisor.roundTripMs;
  }

  // ------------------------------------------------------------ lifecycle

  // `account`: { login: {account, password} } or { register: password }.
  start(nick, password = '', rooms = ['lobby'], account = {}) {
    this.accounts.choose(account);
    this.nick = nick;
    this.password = password;
    this.initialRooms = rooms;
    this.supervisor.start();
  }

  quit(reason = '') {
    if (this.visible) this.markRead(this.active);
    if (this.connection.isOpen) this.connection.sendWithoutId('quit', reason ? { reason } : {});
    this.supervisor.stop();
    this.requests.clear();
    for (const conversation of this.conversations) if (conversation.type === 'room') conversation.joined = false;
    this.#emit('changed');
  }

  #emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #send(type, fields, purpose = 'plain', conversation = null) {
    return this.requests.send(type, fields, { purpose, conversation });
  }

  #onOpen() {
    const hello = { nick: this.nick, client: 'confab-web' };
    if (this.password) hello.password = this.password;
    if (this.accounts.login) hello.login = this.accounts.login;
    this.#send('hello', hello);
  }

  #onLost(why) {
    this.requests.clear();
    for (const conversation of this.conversations) {
      if (conversation.type === 'room' && conversation.joined) this.#event(conversation, 'disconnected', '', why);
      if (conversation.type === 'room') conversation.joined = false;
      conversation.sync.disconnected();
      conversation.loadingOlder = false;
    }
    this.#emit('disconnected', { reason: why });
  }

  // ------------------------------------------------------------ incoming

  #onMessage(message) {
    const pending = { purpose: 'plain', ...this.requests.take(message.id) };
    switch (message.type) {
      case 'welcome': return this.#onWelcome(message);
      case 'joined': return this.#onJoined(message);
      case 'left': {
        // Left by the user's own choice: the room goes from the list
        // (kicked or banned rooms stay, with the reason).
        const room = this.room(message.room);
        if (room) {
          room.joined = false;
          room.wantsRejoin = false;
          this.close(room);
        }
        return;
      }
      case 'message': {
        const room = this.room(message.room);
        if (room) this.#follow(room, room.sync.live(message));
        return;
      }
      case 'private': return this.privateChats.received(message);
      case 'user_joined': {
        const room = this.room(message.room);
        if (room) {
          room.addMember(message.nick);
          this.#event(room, 'joined', message.nick);
        }
        return;
      }
      case 'user_left': {
        const room = this.room(message.room);
        if (room) {
          room.removeMember(message.nick);
          this.#setTyping(room, message.nick, false);
          this.#event(room, 'left', message.nick, message.reason ?? '');
        }
        return;
      }
      case 'nick_changed': return this.#onNickChanged(message);
      case 'topic_changed': {
        const room = this.room(message.room);
        if (room) {
          room.topic = message.topic;
          this.#event(room, 'topic-changed', message.by, message.topic ?? '');
        }
        return;
      }
      case 'room_list':
        if (pending.purpose === 'show-rooms' && pending.conversation) {
          for (const line of roomListLines(message.rooms)) this.notice(pending.conversation, line);
        }
        return this.#emit('room-list', { rooms: message.rooms });
      case 'member_list':
        if (pending.purpose === 'who' && pending.conversation) {
          this.notice(pending.conversation, memberListLine(message));
        }
        return;
      case 'history_page': return this.#onHistoryPage(message, pending);
      case 'private_page': return this.privateChats.page(message, pending);
      case 'read_marker': return this.readMarkers.readMarker(message);
      case 'updated': return this.changes.updated(message);
      case 'error': return this.#onError(message, pending);
      case 'ping': return this.connection.sendWithoutId('pong');
      case 'presence': return this.presence.presence(message);
      case 'typing': return this.presence.typing(message);
      case 'pong':
        this.supervisor.pongReceived(message.id);
        return;
      case 'closing':
        this.supervisor.closingReason = message.reason;
        return;
      case 'registered': return this.accounts.registered(message, pending);
      case 'password_changed': return this.accounts.passwordChanged(pending);
      case 'role_changed': return this.moderation.roleChanged(message);
      case 'kicked': return this.moderation.kicked(message);
      case 'muted': return this.moderation.muted(message);
      case 'unmuted': return this.moderation.unmuted(message);
      case 'mode_changed': return this.moderation.modeChanged(message);
      case 'invited': return this.moderation.invited(message);
      case 'ban_list': return this.moderation.banList(message, pending.conversation);
      case 'server_ban_list': return this.moderation.serverBanList(message, pending.conversation);
      case 'audit_page': return this.moderation.auditPage(message, pending.conversation);
      default:
        return; // a newer server's message: ignore it
    }
  }

  #onWelcome(welcome) {
    const reconnect = this.everWelcomed;
    this.nick = welcome.nick;
    this.accounts.welcomed(welcome.account ?? '');
    // A banner above the conversation, once per visit: never a line in a
    // room's log, where older history would later slide in around it.
    if (!reconnect) this.#emit('motd', { motd: welcome.motd ?? '' });
    this.supervisor.welcomed();
    this.accounts.registerIfAsked();
    if (!reconnect) {
      for (const room of this.initialRooms) this.join(room);
      return;
    }
    // Still away if the user was (the server forgets it with the connection).
    this.presence.welcomedAgain();
    // Private conversations catch up from the last seq shown (section 19).
    for (const conversation of this.conversations) this.privateChats.catchUp(conversation);
    for (const conversation of this.conversations) {
      if (conversation.type !== 'room' || !conversation.wantsRejoin) continue;
      this.#event(conversation, 'reconnected');
      const fields = { room: conversation.name };
      if (conversation.joinKey) fields.key = conversation.joinKey;
      this.#send('join', fields, 'plain', conversation);
    }
  }

  #onJoined(joined) {
    let room = this.room(joined.room);
    const isNew = !room;
    if (isNew) {
      room = new Conversation('room', joined.room);
      this.conversations.push(room);
    }
    room.name = joined.room;
    room.topic = joined.topic;
    room.roles = new Map(Object.entries(joined.roles ?? {}).map(([nick, role]) => [nameKey(nick), role]));
    room.muted = new Set();
    room.modes = { invite_only: false, has_key: false, topic_locked: false, ...(joined.modes ?? {}) };
    room.setMembers(joined.members);
    this.presence.joined(joined.away);
    if (this.joinKeys.has(nameKey(joined.room))) {
      room.joinKey = this.joinKeys.get(nameKey(joined.room));
      this.joinKeys.delete(nameKey(joined.room));
    }
    const wasJoined = room.joined;
    room.joined = true;
    room.wantsRejoin = true;
    if (isNew) this.#emit('conversation-opened', { conversation: room, focus: true });
    this.#emit('changed', { conversation: room });
    if (wasJoined) return;
    const first = room.lastSeq === 0;
    if (first) room.readSeq = Math.max(room.readSeq, joined.read ?? 0); // unread only past it
    this.#follow(room, room.sync.joined(joined.history, joined.rev ?? 0));
    if (first) {
      room.hasOlder = joined.history.length > 0 && joined.history[0].seq > 1;
      if (joined.topic) this.#event(room, 'topic', '', joined.topic);
    }
  }

  // Does what a room's sync asks: show, refresh, request.
  #follow(room, steps) {
    for (const message of steps.refresh) this.changes.showAsItIsNow(room, message);
    for (const message of steps.show) this.#showMessage(room, message);
    if (steps.changesAfter !== null) this.#requestChanges(room, steps.changesAfter);
    if (steps.historyAfter !== null) {
      this.#send('history', { room: room.name, after: steps.historyAfter, limit: CATCH_UP_PAGE }, 'catch-up', room);
    }
  }

  #onHistoryPage(page, pending) {
    const room = pending.conversation;
    if (!room) return;
    // A page the server cut short to its size in bytes says `more`: it
    // counts as a full one.
    const pageSize = page.more === true ? page.messages.length : CATCH_UP_PAGE;
    if (pending.purpose === 'catch-up') {
      this.#follow(room, room.sync.caughtUp(page.messages, pageSize));
    } else if (pending.purpose === 'changes') {
      this.#follow(room, room.sync.changes(page.messages, pageSize));
    } else if (pending.purpose === 'older') {
      room.loadingOlder = false;
      const count = room.prepend(page.messages.map((message) => entryFor(message, this.nick)));
      room.hasOlder = (page.messages.length >= SCROLL_BACK_PAGE || page.more === true)
        && page.messages.length > 0 && page.messages[0].seq > 1;
      this.#emit('prepended', { conversation: room, count });
    }
  }

  #onError(error, pending) {
    if (!this.welcomed) {
      this.requests.clear();
      const hopeless = ['banned', 'login_failed', 'login_required', 'rate_limited'].includes(error.code);
      if (this.everWelcomed && hopeless && this.accounts.backToGuest()) {
        // A /login that did not work: back as the guest the user was.
        if (this.active) this.error(this.active, sentence(error.code, error.message));
        this.connection.close();
        this.supervisor.connectNow();
      } else if (this.everWelcomed && hopeless) {
        // Banned, or the password changed elsewhere: trying again changes nothing.
        const why = sentence(error.code, error.message);
        for (const conversation of this.conversations) if (conversation.type === 'room') this.error(conversation, why);
        this.supervisor.refused(error.code, error.message, false);
        this.#emit('disconnected', { reason: why });
      } else {
        // After a reconnect the old session may still hold the nick until
        // the server notices it is gone, so keep trying; before the first
        // welcome, the user has to change something.
        this.supervisor.refused(error.code, error.message, true);
      }
      return;
    }
    const conversation = pending.conversation ?? this.active;
    // Giving up on a catch-up: show what waited.
    if (pending.purpose === 'catch-up' && conversation) this.#follow(conversation, conversation.sync.caughtUp([], CATCH_UP_PAGE));
    if (pending.purpose === 'older' && conversation) conversation.loadingOlder = false;
    this.accounts.refused(pending);
    const shownIn = this.privateChats.refused(error, pending, conversation);
    if (shownIn) this.error(shownIn, sentence(error.code, error.message));
  }

  #onNickChanged(change) {
    const mine = nameKey(change.old) === nameKey(this.nick);
    if (mine) this.nick = change.new;
    for (const conversation of this.conversations) {
      if (conversation.type === 'room') {
        if (mine || conversation.hasMember(change.old)) {
          conversation.removeMember(change.old);
          conversation.addMember(change.new);
          this.#event(conversation, 'nick-changed', change.old, change.new, mine);
        }
      } else if (nameKey(conversation.name) === nameKey(change.old)) {
        conversation.name = change.new;
        conversation.key = `private:${nameKey(change.new)}`;
        this.#event(conversation, 'nick-changed', change.old, change.new, mine);
      }
    }
    this.#emit('changed');
  }

  // ------------------------------------------------------------ entries

  #requestChanges(room, changedAfter) {
    this.#send('history', { room: room.name, changed_after: changedAfter, limit: CATCH_UP_PAGE }, 'changes', room);
  }

  // Whether the user may edit, or delete, this entry of this room
  // (section 18; messagechanges.js).
  canEdit(room, entry) {
    return canEdit(room, entry, this.nick);
  }

  canDelete(room, entry) {
    return canDelete(room, entry, this.nick);
  }

  lastEditableSeq(room) {
    return lastEditableSeq(room, this.nick);
  }

  // Section 18 (messagechanges.js): the requests.
  editMessage(room, seq, text) { this.changes.edit(room, seq, text); }
  deleteMessage(room, seq) { this.changes.remove(room, seq); }
  // Toggles the user's reaction.
  react(room, seq, emoji) { this.changes.react(room, seq, emoji); }

  // A room message new here, added to the entries.
  #showMessage(room, message) {
    const entry = entryFor(message, this.nick);
    this.#setTyping(room, message.from, false);
    this.#addEntry(room, entry);
    if (entry.mention) this.#emit('attention', { conversation: room, from: message.from, text: message.text });
  }

  // Away and typing (presence.js).
  awayMessageOf(nick) { return this.presence.awayMessageOf(nick); }
  // Away with a message, or back (an empty one).
  setAway(message) { this.presence.setAway(message); }
  // The user is typing in `conversation` (or stopped: cleared the line).
  noteTyping(conversation, typing) { this.presence.noteTyping(conversation, typing); }

  #setTyping(conversation, nick, typing) {
    if (conversation.setTyping(nick, typing)) this.#emit('typing', { conversation });
    if (conversation.typing.size > 0 && !this.typingExpiry) {
      this.typingExpiry = setInterval(() => {
        let anyone = false;
        for (const c of this.conversations) {
          if (c.expireTyping()) this.#emit('typing', { conversation: c });
          anyone ||= c.typing.size > 0;
        }
        if (!anyone) {
          clearInterval(this.typingExpiry);
          this.typingExpiry = null;
        }
      }, 500);
    }
  }

  // Read markers (readmarkers.js): every conversation read as it stands
  // (Shift+Esc); how far the user has read, told to the server.
  markAllRead() { this.readMarkers.markAllRead(); }
  markRead(conversation) { this.readMarkers.markRead(conversation); }

  #addEntry(conversation, entry) {
    conversation.entries.push(entry);
    const seen = conversation === this.active && this.visible;
    // Read on this or another device before: not new.
    const readBefore = entry.seq > 0 && entry.seq <= conversation.readSeq;
    if (!seen && !readBefore && entry.kind === 'message' && !entry.own) {
      if (conversation.firstUnseen < 0) conversation.firstUnseen = conversation.entries.length - 1;
      conversation.unread += 1;
      if (entry.mention || conversation.type === 'private') conversation.mention = true;
    }
    this.#emit('entry', { conversation, entry });
  }

  // Something that happened in a room, not said by anyone: typed here,
  // worded by the view (view.js eventText), dimmed and collapsed there.
  #event(conversation, event, from = '', text = '', own = false, target = '', when = 0) {
    this.#addEntry(conversation, { kind: 'event', event, from, target, text, own, when, room: conversation.name, ts: Date.now() });
  }

  // A line of the client's own in a conversation, stamped now: a notice
  // (an answer, a hint) or an error.
  notice(conversation, text) {
    this.#addEntry(conversation, { kind: 'notice', text, ts: Date.now() });
  }

  error(conversation, text) {
    this.#addEntry(conversation, { kind: 'error', text, ts: Date.now() });
  }

  // ------------------------------------------------------------ conversations

  room(name) {
    const key = `room:${nameKey(name)}`;
    return this.conversations.find((c) => c.key === key) ?? null;
  }

  privateChat(nick) {
    const key = `private:${nameKey(nick)}`;
    return this.conversations.find((c) => c.key === key) ?? null;
  }

  // The private conversation with `nick` (privatechats.js), opened if new.
  openPrivate(nick, focus = false) {
    return this.privateChats.open(nick, focus);
  }

  close(conversation) {
    if (conversation.type === 'room' && conversation.joined) this.#send('leave', { room: conversation.name });
    this.conversations = this.conversations.filter((c) => c !== conversation);
    if (this.active === conversation) this.active = null;
    this.#emit('conversation-closed', { conversation });
  }

  setActive(conversation) {
    // What was shown of the one left was read; so is what the new one shows.
    if (this.visible && this.active !== conversation) this.markRead(this.active);
    this.active = conversation;
    if (this.visible) this.markRead(conversation);
    if (conversation) {
      conversation.unread = 0;
      conversation.mention = false;
      if (this.visible && conversation.firstUnseen >= 0) {
        conversation.newMessagesAt = conversation.firstUnseen;
        conversation.firstUnseen = -1;
        this.#emit('new-messages-line', { conversation });
      }
    }
    this.#emit('changed');
  }

  setVisible(visible) {
    if (!visible && this.visible) this.markRead(this.active); // read until the user looked away
    this.visible = visible;
    if (visible && this.active) this.setActive(this.active);
  }

  // ------------------------------------------------------------ actions

  join(name, context = null, key = '') {
    const existing = this.room(name);
    if (existing) this.#emit('focus', { conversation: existing });
    if (!this.welcomed) return;
    if (existing && existing.joined) return;
    const fields = { room: name };
    if (key) {
      fields.key = key;
      this.joinKeys.set(nameKey(name), key);
    }
    this.#send('join', fields, 'plain', context ?? existing ?? this.active);
  }

  // ------------------------------------------------------------ accounts and moderation

  #online(context) {
    if (this.welcomed) return true;
    if (context) this.error(context, 'Not connected');
    return false;
  }

  // Accounts (accounts.js).
  registerAccount(password, context = this.active) { this.accounts.registerAccount(password, context); }
  // Logging in is part of hello: start again, keeping the rooms.
  logIn(account, password) { this.accounts.logIn(account, password); }
  changePassword(oldPassword, newPassword, context = this.active) {
    this.accounts.changePassword(oldPassword, newPassword, context);
  }

  #comeBackAs(nick, reason) {
    if (this.connection.isOpen) this.connection.sendWithoutId('quit', { reason });
    this.connection.close();
    this.requests.clear();
    for (const conversation of this.conversations) if (conversation.type === 'room') conversation.joined = false;
    this.nick = nick;
    this.supervisor.connectNow();
  }

  // What the user may do in a room, as far as the client knows: menus offer
  // only what the server would allow (roommoderation.js).
  myRank(room) {
    return rankIn(room, this.nick);
  }

  mayModerate(room, nick) {
    return mayModerate(room, this.nick, nick);
  }

  mayGrant(room, nick) {
    return mayGrant(room, this.nick, nick);
  }

  mayChangeModes(room) {
    return mayChangeModes(room, this.nick);
  }

  // Moderation (roommoderation.js): the requests.
  claim(room) { this.moderation.claim(room); }
  grant(room, nick, role) { this.moderation.grant(room, nick, role); }
  kick(room, nick, reason = '') { this.moderation.kick(room, nick, reason); }
  ban(room, nickOrMask, duration = null, reason = '') { this.moderation.ban(room, nickOrMask, duration, reason); }
  unban(room, nickOrMask) { this.moderation.unban(room, nickOrMask); }
  requestBanList(room, show = false) { this.moderation.requestBanList(room, show); }
  mute(room, nick, duration = null, reason = '') { this.moderation.mute(room, nick, duration, reason); }
  unmute(room, nick) { this.moderation.unmute(room, nick); }
  setModes(room, changes) { this.moderation.setModes(room, changes); }
  invite(roomName, nick, context = this.active) { this.moderation.invite(roomName, nick, context); }
  requestAudit(roomName, context = this.active) { this.moderation.requestAudit(roomName, context); }
  serverBan(nickOrMask, duration, reason, context = this.active) { this.moderation.serverBan(nickOrMask, duration, reason, context); }
  serverUnban(nickOrMask, context = this.active) { this.moderation.serverUnban(nickOrMask, context); }
  requestServerBanList(context = this.active) { this.moderation.requestServerBanList(context); }

  leave(conversation, reason = '') {
    if (conversation.type === 'private') return this.close(conversation);
    this.#send('leave', reason ? { room: conversation.name, reason } : { room: conversation.name }, 'plain', conversation);
  }

  // `action`: /me, shown as "* alice waves".
  sendText(conversation, text, action = false) {
    if (!conversation) return;
    this.presence.typingEnded(conversation); // the message itself ends "typing"
    if (!this.welcomed) return this.error(conversation, 'Not connected: the message was not sent');
    const fields = action ? { text, action: true } : { text };
    if (conversation.type === 'room') this.#send('say', { room: conversation.name, ...fields }, 'plain', conversation);
    else this.#send('whisper', { to: conversation.name, ...fields }, 'plain', conversation);
  }

  requestRoomList() {
    this.#send('list', {}, 'plain', this.active);
  }

  loadOlder(room) {
    if (!room || room.type !== 'room' || !this.welcomed || room.loadingOlder || !room.hasOlder) return;
    const first = room.firstSeq();
    if (first <= 1) {
      room.hasOlder = false;
      return;
    }
    room.loadingOlder = true;
    this.#send('history', { room: room.name, before: first, limit: SCROLL_BACK_PAGE }, 'older', room);
  }

  // Runs what the user typed in `conversation`.
  // Runs what the user typed in `conversation`: text or a /command (see
  // dispatcher.js).
  submit(conversation, input) {
    new CommandDispatcher(this).run(conversation, input);
  }

  // /msg typed in `origin`: opens the private conversation (if it is not
  // open yet, it closes again when nobody by that nick is online, and
  // `origin` says why).
  whisperFrom(origin, nick, text) {
    this.privateChats.whisperFrom(origin, nick, text);
  }

  changeNick(nick, context = this.active) {
    this.#send('nick', { nick }, 'plain', context);
  }

  setTopic(room, topic) {
    this.#send('topic', { room: room.name, topic }, 'plain', room);
  }

  // /list: the rooms, as lines in `context`.
  showRoomList(context) {
    this.#send('list', {}, 'show-rooms', context);
  }

  // /who: the members of `roomName`, as a line in `context`.
  showMembers(roomName, context) {
    this.#send('who', { room: roomName }, 'who', context);
  }

}
