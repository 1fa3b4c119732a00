// The browser client's state: one identity on the server, its rooms and
// private conversations, and the rules a good client follows — reconnect
// with backoff, catch up on what it missed exactly once, scroll back on
// demand. The view listens to its events; it never touches the DOM itself.

import { Connection } from './connection.js';
import { helpLines, parseCommand } from './commands.js';

const CATCH_UP_PAGE = 200;
const SCROLL_BACK_PAGE = 50;

// How the server compares names: compatibility-normalised, case-folded.
export function nameKey(name) {
  return name.normalize('NFKC').toLowerCase().normalize('NFKC');
}

export class Conversation {
  constructor(type, name) {
    this.type = type; // 'room' | 'private'
    this.name = name;
    this.key = `${type}:${nameKey(name)}`;
    this.topic = '';
    this.members = [];
    this.entries = [];
    this.unread = 0;
    this.mention = false;
    this.joined = type === 'private';
    this.lastSeq = 0;
    this.catchingUp = false;
    this.held = [];
    this.hasOlder = true;
    this.loadingOlder = false;
  }

  firstSeq() {
    return this.entries.find((entry) => entry.seq > 0)?.seq ?? 0;
  }

  hasMember(nick) {
    const key = nameKey(nick);
    return this.members.some((member) => nameKey(member) === key);
  }

  setMembers(nicks) {
    this.members = [...nicks].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
  }

  addMember(nick) {
    if (!this.hasMember(nick)) this.setMembers([...this.members, nick]);
  }

  removeMember(nick) {
    const key = nameKey(nick);
    this.members = this.members.filter((member) => nameKey(member) !== key);
  }
}

export class ChatSession extends EventTarget {
  constructor(url, { firstDelayMs = 1000, maxDelayMs = 30000, pingIntervalMs = 15000 } = {}) {
    super();
    this.connection = new Connection(url);
    this.nick = '';
    this.password = '';
    this.state = 'disconnected'; // connecting | online | reconnecting | disconnected
    this.conversations = [];
    this.active = null;
    this.visible = true;
    this.roundTripMs = -1;
    this.firstDelayMs = firstDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.pingIntervalMs = pingIntervalMs;
    this.everWelcomed = false;
    this.welcomed = false;
    this.attempt = 0;
    this.pending = new Map();
    this.closingReason = '';
    this.initialRooms = [];
    this.connection.addEventListener('open', () => this.#onOpen());
    this.connection.addEventListener('close', (event) => this.#onClose(event.detail));
    this.connection.addEventListener('message', (event) => this.#onMessage(event.detail));
  }

  // ------------------------------------------------------------ lifecycle

  start(nick, password = '', rooms = ['lobby']) {
    this.nick = nick;
    this.password = password;
    this.initialRooms = rooms;
    this.everWelcomed = false;
    this.attempt = 0;
    this.#connect();
  }

  quit(reason = '') {
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    if (this.connection.isOpen) this.connection.sendWithoutId('quit', reason ? { reason } : {});
    this.connection.close();
    this.welcomed = false;
    for (const conversation of this.conversations) if (conversation.type === 'room') conversation.joined = false;
    this.#setState('disconnected');
    this.#emit('changed');
  }

  #connect() {
    this.welcomed = false;
    this.closingReason = '';
    this.#setState(this.everWelcomed ? 'reconnecting' : 'connecting');
    this.connection.open();
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.#emit('state', { state });
  }

  #emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #send(type, fields, purpose = 'plain', conversation = null) {
    const id = this.connection.send(type, fields);
    this.pending.set(id, { purpose, conversation });
    return id;
  }

  #onOpen() {
    const hello = { nick: this.nick, client: 'confab-web' };
    if (this.password) hello.password = this.password;
    this.#send('hello', hello);
  }

  #onClose({ reason }) {
    clearInterval(this.pingTimer);
    this.pending.clear();
    const why = this.closingReason || reason || 'connection lost';
    for (const conversation of this.conversations) {
      if (conversation.type === 'room' && conversation.joined) this.#notice(conversation, `Disconnected: ${why}`);
      if (conversation.type === 'room') conversation.joined = false;
      conversation.catchingUp = false;
      conversation.held = [];
      conversation.loadingOlder = false;
    }
    this.#emit('disconnected', { reason: why });
    if (!this.everWelcomed) {
      if (this.state !== 'disconnected') {
        this.#setState('disconnected');
        this.#emit('login-failed', { code: 'unreachable', message: `Cannot reach the server (${why})` });
      }
      return;
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    this.welcomed = false;
    const base = Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.min(this.maxDelayMs, base * (0.5 + Math.random()));
    this.attempt += 1;
    this.#setState('reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #ping() {
    if (!this.welcomed) return;
    this.pingSentAt = performance.now();
    this.pingId = this.#send('ping', {});
  }

  // ------------------------------------------------------------ incoming

  #onMessage(message) {
    const pending = (message.id !== undefined && this.pending.get(message.id)) || { purpose: 'plain' };
    if (message.id !== undefined) this.pending.delete(message.id);
    switch (message.type) {
      case 'welcome': return this.#onWelcome(message);
      case 'joined': return this.#onJoined(message);
      case 'left': {
        const room = this.room(message.room);
        if (room) {
          room.joined = false;
          this.#notice(room, `You left ${message.room}`);
        }
        return;
      }
      case 'message': {
        const room = this.room(message.room);
        if (!room) return;
        if (room.catchingUp) room.held.push(message);
        else this.#appendMessage(room, message);
        return;
      }
      case 'private': return this.#onPrivate(message);
      case 'user_joined': {
        const room = this.room(message.room);
        if (room) {
          room.addMember(message.nick);
          this.#notice(room, `${message.nick} joined`);
        }
        return;
      }
      case 'user_left': {
        const room = this.room(message.room);
        if (room) {
          room.removeMember(message.nick);
          this.#notice(room, message.reason ? `${message.nick} left (${message.reason})` : `${message.nick} left`);
        }
        return;
      }
      case 'nick_changed': return this.#onNickChanged(message);
      case 'topic_changed': {
        const room = this.room(message.room);
        if (room) {
          room.topic = message.topic;
          this.#notice(room, message.topic ? `${message.by} set the topic: ${message.topic}` : `${message.by} cleared the topic`);
        }
        return;
      }
      case 'room_list': return this.#emit('room-list', { rooms: message.rooms });
      case 'member_list':
        if (pending.purpose === 'who' && pending.conversation) {
          const names = [...message.members].sort((a, b) => a.localeCompare(b));
          this.#notice(pending.conversation, message.room ? `In ${message.room}: ${names.join(', ')}` : `Online: ${names.join(', ')}`);
        }
        return;
      case 'history_page': return this.#onHistoryPage(message, pending);
      case 'error': return this.#onError(message, pending);
      case 'ping': return this.connection.sendWithoutId('pong');
      case 'pong':
        if (message.id === this.pingId) {
          this.roundTripMs = Math.round(performance.now() - this.pingSentAt);
          this.#emit('round-trip', { ms: this.roundTripMs });
        }
        return;
      case 'closing':
        this.closingReason = message.reason;
        return;
      default:
        return; // a newer server's message: ignore it
    }
  }

  #onWelcome(welcome) {
    const reconnect = this.everWelcomed;
    this.welcomed = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.nick = welcome.nick;
    this.motd = reconnect ? '' : welcome.motd; // shown in the first room that opens
    this.#setState('online');
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.#ping(), this.pingIntervalMs);
    this.#ping();
    if (!reconnect) {
      for (const room of this.initialRooms) this.join(room);
      return;
    }
    for (const conversation of this.conversations) {
      if (conversation.type !== 'room') continue;
      this.#notice(conversation, 'Reconnected');
      this.#send('join', { room: conversation.name }, 'plain', conversation);
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
    room.setMembers(joined.members);
    const wasJoined = room.joined;
    room.joined = true;
    if (isNew) this.#emit('conversation-opened', { conversation: room, focus: true });
    this.#emit('changed', { conversation: room });
    if (wasJoined) return;
    if (this.motd) {
      this.#notice(room, this.motd);
      this.motd = '';
    }
    const last = room.lastSeq;
    if (last === 0) {
      for (const message of joined.history) this.#appendMessage(room, message);
      room.hasOlder = joined.history.length > 0 && joined.history[0].seq > 1;
      if (joined.topic) this.#notice(room, `Topic: ${joined.topic}`);
      return;
    }
    // Rejoining after a drop: fill the gap since the last message shown.
    if (joined.history.length === 0 || joined.history[0].seq <= last + 1) {
      for (const message of joined.history) this.#appendMessage(room, message);
      return;
    }
    room.catchingUp = true;
    this.#send('history', { room: room.name, after: last, limit: CATCH_UP_PAGE }, 'catch-up', room);
  }

  #onPrivate(message) {
    const own = nameKey(message.from) === nameKey(this.nick);
    const conversation = this.openPrivate(own ? message.to : message.from);
    this.#addEntry(conversation, { kind: 'message', from: message.from, text: message.text, ts: message.ts, seq: 0, own });
    if (!own) this.#emit('attention', { conversation, from: message.from, text: message.text });
  }

  #onHistoryPage(page, pending) {
    const room = pending.conversation;
    if (!room) return;
    if (pending.purpose === 'catch-up') {
      for (const message of page.messages) this.#appendMessage(room, message);
      if (page.messages.length >= CATCH_UP_PAGE) {
        this.#send('history', { room: room.name, after: room.lastSeq, limit: CATCH_UP_PAGE }, 'catch-up', room);
      } else {
        this.#finishCatchUp(room);
      }
    } else if (pending.purpose === 'older') {
      room.loadingOlder = false;
      const older = page.messages.map((message) => this.#entryFor(message));
      room.entries = [...older, ...room.entries];
      room.hasOlder = page.messages.length >= SCROLL_BACK_PAGE && page.messages[0].seq > 1;
      this.#emit('prepended', { conversation: room, count: older.length });
    }
  }

  #finishCatchUp(room) {
    room.catchingUp = false;
    const held = room.held;
    room.held = [];
    for (const message of held) this.#appendMessage(room, message);
  }

  #onError(error, pending) {
    if (!this.welcomed) {
      this.connection.close();
      if (this.everWelcomed) {
        this.#scheduleReconnect();
      } else {
        this.#setState('disconnected');
        this.#emit('login-failed', { code: error.code, message: error.message });
      }
      return;
    }
    const conversation = pending.conversation ?? this.active;
    if (pending.purpose === 'catch-up' && conversation) this.#finishCatchUp(conversation);
    if (pending.purpose === 'older' && conversation) conversation.loadingOlder = false;
    if (conversation) this.#error(conversation, error.message);
  }

  #onNickChanged(change) {
    const mine = nameKey(change.old) === nameKey(this.nick);
    if (mine) this.nick = change.new;
    const text = mine ? `You are now known as ${change.new}` : `${change.old} is now known as ${change.new}`;
    for (const conversation of this.conversations) {
      if (conversation.type === 'room') {
        if (mine || conversation.hasMember(change.old)) {
          conversation.removeMember(change.old);
          conversation.addMember(change.new);
          this.#notice(conversation, text);
        }
      } else if (nameKey(conversation.name) === nameKey(change.old)) {
        conversation.name = change.new;
        conversation.key = `private:${nameKey(change.new)}`;
        this.#notice(conversation, text);
      }
    }
    this.#emit('changed');
  }

  // ------------------------------------------------------------ entries

  #entryFor(message) {
    const own = nameKey(message.from) === nameKey(this.nick);
    return { kind: 'message', from: message.from, text: message.text, ts: message.ts, seq: message.seq, own,
             mention: !own && this.mentionsMe(message.text) };
  }

  #appendMessage(room, message) {
    if (message.seq <= room.lastSeq) return; // shown already
    room.lastSeq = message.seq;
    const entry = this.#entryFor(message);
    this.#addEntry(room, entry);
    if (entry.mention) this.#emit('attention', { conversation: room, from: message.from, text: message.text });
  }

  #addEntry(conversation, entry) {
    conversation.entries.push(entry);
    const seen = conversation === this.active && this.visible;
    if (!seen && entry.kind === 'message' && !entry.own) {
      conversation.unread += 1;
      if (entry.mention || conversation.type === 'private') conversation.mention = true;
    }
    this.#emit('entry', { conversation, entry });
  }

  #notice(conversation, text) {
    this.#addEntry(conversation, { kind: 'notice', text, ts: Date.now() });
  }

  #error(conversation, text) {
    this.#addEntry(conversation, { kind: 'error', text, ts: Date.now() });
  }

  mentionsMe(text) {
    if (!this.nick) return false;
    const escaped = this.nick.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}_.-])${escaped}($|[^\\p{L}\\p{N}_-])`, 'iu').test(text);
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

  openPrivate(nick, focus = false) {
    let conversation = this.privateChat(nick);
    if (!conversation) {
      conversation = new Conversation('private', nick);
      this.conversations.push(conversation);
      this.#emit('conversation-opened', { conversation, focus });
    } else if (focus) {
      this.#emit('focus', { conversation });
    }
    return conversation;
  }

  close(conversation) {
    if (conversation.type === 'room' && conversation.joined) this.#send('leave', { room: conversation.name });
    this.conversations = this.conversations.filter((c) => c !== conversation);
    if (this.active === conversation) this.active = null;
    this.#emit('conversation-closed', { conversation });
  }

  setActive(conversation) {
    this.active = conversation;
    if (conversation) {
      conversation.unread = 0;
      conversation.mention = false;
    }
    this.#emit('changed');
  }

  setVisible(visible) {
    this.visible = visible;
    if (visible && this.active) this.setActive(this.active);
  }

  // ------------------------------------------------------------ actions

  join(name, context = null) {
    const existing = this.room(name);
    if (existing) this.#emit('focus', { conversation: existing });
    if (!this.welcomed) return;
    if (!existing || !existing.joined) this.#send('join', { room: name }, 'plain', context ?? existing ?? this.active);
  }

  leave(conversation, reason = '') {
    if (conversation.type === 'private') return this.close(conversation);
    this.#send('leave', reason ? { room: conversation.name, reason } : { room: conversation.name }, 'plain', conversation);
  }

  sendText(conversation, text) {
    if (!conversation) return;
    if (!this.welcomed) return this.#error(conversation, 'Not connected: the message was not sent');
    if (conversation.type === 'room') this.#send('say', { room: conversation.name, text }, 'plain', conversation);
    else this.#send('whisper', { to: conversation.name, text }, 'plain', conversation);
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
  submit(conversation, input) {
    const command = parseCommand(input);
    const inRoom = () => {
      if (conversation?.type === 'room') return conversation;
      if (conversation) this.#error(conversation, 'That command works in a room');
      return null;
    };
    switch (command.kind) {
      case 'say':
        if (command.text.trim()) this.sendText(conversation, command.text);
        break;
      case 'invalid':
        if (conversation) this.#error(conversation, command.error);
        break;
      case 'join':
        this.join(command.target, conversation);
        break;
      case 'leave': {
        const target = command.target ? this.room(command.target) : conversation;
        if (target) this.leave(target, command.text);
        else if (conversation) this.#error(conversation, `You are not in ${command.target}`);
        break;
      }
      case 'msg':
        this.sendText(this.openPrivate(command.target, true), command.text);
        break;
      case 'nick':
        this.#send('nick', { nick: command.target }, 'plain', conversation);
        break;
      case 'topic': {
        const room = inRoom();
        if (!room) break;
        if (command.text) this.#send('topic', { room: room.name, topic: command.text }, 'plain', room);
        else this.#notice(room, room.topic ? `Topic: ${room.topic}` : 'No topic is set');
        break;
      }
      case 'list':
        this.#send('list', {}, 'plain', conversation);
        break;
      case 'who': {
        if (command.target) {
          this.#send('who', { room: command.target }, 'who', conversation);
        } else {
          const room = inRoom();
          if (room) this.#send('who', { room: room.name }, 'who', room);
        }
        break;
      }
      case 'quit':
        this.quit(command.text);
        break;
      case 'help':
        if (conversation) for (const line of helpLines()) this.#notice(conversation, line);
        break;
    }
  }
}
