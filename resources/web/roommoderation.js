// Moderation in a room as the browser client sees it (protocol section 13):
// what the user may do there, how a mode change and the lists the server
// sends are worded. The twin of the desktop's RoomModeration
// (client/core/session/roommoderation.cpp); the session (session.js) applies the events and sends the requests, and
// moderation.js draws the menus.

import { clockTime } from './clock.js';
import { nameKey, RANKS } from './conversation.js';

// A nick becomes a nick mask; a mask (anything with a colon) stays one.
export function maskFor(nickOrMask) {
  return nickOrMask.includes(':') ? nickOrMask : `nick:${nickOrMask}`;
}

// The user's rank in a room (0 in a private chat).
export function rankIn(room, me) {
  return room?.type === 'room' ? room.rank(me) : 0;
}

// Kick, ban and mute: an op or above, on someone of lower rank, never oneself.
export function mayModerate(room, me, nick) {
  if (!room?.joined || nameKey(nick) === nameKey(me)) return false;
  const mine = rankIn(room, me);
  return mine >= RANKS.op && mine > room.rank(nick);
}

// Roles: the owner, on anyone but an owner.
export function mayGrant(room, me, nick) {
  if (!room?.joined || nameKey(nick) === nameKey(me)) return false;
  return rankIn(room, me) === RANKS.owner && room.rank(nick) < RANKS.owner;
}

export function mayChangeModes(room, me) {
  return Boolean(room?.joined) && rankIn(room, me) >= RANKS.op;
}

// A `mode_changed` against the modes before it: the new modes, and what
// changed as "+i -t" (a new key counts as a change, "+k").
export function modesChanged(before, change) {
  const modes = { invite_only: change.invite_only, has_key: change.has_key, topic_locked: change.topic_locked };
  const what = [];
  if (before.invite_only !== change.invite_only) what.push(change.invite_only ? '+i' : '-i');
  if (before.has_key !== change.has_key || change.has_key) what.push(change.has_key ? '+k' : '-k');
  if (before.topic_locked !== change.topic_locked) what.push(change.topic_locked ? '+t' : '-t');
  return { modes, what: what.join(' ') };
}

// The lines of a ban list.
export function banLines(title, bans) {
  if (!bans.length) return [`${title}: none`];
  return [`${title}:`, ...bans.map((ban) => {
    const reason = ban.reason ? ` (${ban.reason})` : '';
    const until = ban.until ? `, until ${clockTime(ban.until)}` : ', for ever';
    return `  ${ban.mask} — by ${ban.by}${reason}${until}`;
  })];
}

// The lines of an audit page.
export function auditLines(entries) {
  if (!entries.length) return ['No moderation recorded'];
  return entries.map((entry) => {
    let line = `${clockTime(entry.ts)} ${entry.by} ${entry.action}`;
    if (entry.target) line += ` ${entry.target}`;
    if (entry.room) line += ` in #${entry.room}`;
    if (entry.reason) line += ` (${entry.reason})`;
    return line;
  });
}

// Moderation as the session lives it: the events applied to the rooms it
// shows, and the user's requests. `host` is what it may use of the session:
// room(name), nick(), active(), welcomed(), online(context), send(type,
// fields, purpose, conversation), event(conversation, event, from, text,
// own, target, when), emit(type, detail), notice(conversation, text) and
// error(conversation, text).
export class RoomModeration {
  constructor(host) {
    this.host = host;
  }

  // ------------------------------------------------------------ events

  roleChanged(change) {
    const room = this.host.room(change.room);
    if (!room) return;
    room.setRole(change.nick, change.role);
    const mine = nameKey(change.nick) === nameKey(this.host.nick());
    if (change.role === 'owner' && nameKey(change.by) === nameKey(change.nick)) {
      this.host.event(room, 'room-claimed', change.nick, '', mine);
    } else {
      this.host.event(room, 'role-changed', change.by, change.role, mine, change.nick);
    }
    this.host.emit('changed');
  }

  kicked(kicked) {
    const room = this.host.room(kicked.room);
    if (!room) return;
    if (nameKey(kicked.nick) !== nameKey(this.host.nick())) {
      room.removeMember(kicked.nick);
      this.host.event(room, 'kicked', kicked.by, kicked.reason ?? '', false, kicked.nick);
      this.host.emit('changed');
      return;
    }
    const because = kicked.reason ? `: ${kicked.reason}` : '';
    const why = `You were removed from #${kicked.room} by ${kicked.by}${because}`;
    room.joined = false;
    room.wantsRejoin = false;
    this.host.error(room, why);
    this.host.emit('removed', { conversation: room, why });
    this.host.emit('changed');
  }

  muted(message) {
    const room = this.host.room(message.room);
    if (!room) return;
    room.muted.add(nameKey(message.nick));
    const until = message.until ? ` until ${clockTime(message.until)}` : '';
    if (nameKey(message.nick) === nameKey(this.host.nick())) {
      this.host.error(room, `${message.by} muted you in #${message.room}${until || ' until an op unmutes you'}: you cannot speak here`);
    } else {
      this.host.event(room, 'muted', message.by, '', false, message.nick, message.until ?? 0);
    }
    this.host.emit('changed');
  }

  unmuted(message) {
    const room = this.host.room(message.room);
    if (!room) return;
    room.muted.delete(nameKey(message.nick));
    this.host.event(room, 'unmuted', message.by, '', nameKey(message.nick) === nameKey(this.host.nick()), message.nick);
    this.host.emit('changed');
  }

  modeChanged(change) {
    const room = this.host.room(change.room);
    if (!room) return;
    const { modes, what } = modesChanged(room.modes, change);
    room.modes = modes;
    this.host.event(room, 'modes-changed', change.by, what);
    this.host.emit('modes', { conversation: room });
    this.host.emit('changed');
  }

  invited(invited) {
    const me = this.host.nick();
    const active = this.host.active();
    if (nameKey(invited.nick) === nameKey(me) && nameKey(invited.by) !== nameKey(me)) {
      if (active) this.host.notice(active, `${invited.by} invites you to #${invited.room} — type /join ${invited.room} to go there`);
      this.host.emit('invited', { room: invited.room, by: invited.by });
      return;
    }
    const where = this.host.room(invited.room) ?? active;
    if (where) this.host.notice(where, `You invited ${invited.nick} to #${invited.room}`);
  }

  // A list asked for: shown where it was asked (if it was), and announced.
  banList(message, shownIn) {
    this.host.emit('ban-list', { room: message.room, bans: message.bans });
    if (shownIn) this.#show(shownIn, banLines(`Bans in #${message.room}`, message.bans));
  }

  serverBanList(message, shownIn) {
    if (shownIn) this.#show(shownIn, banLines('Server bans', message.bans));
  }

  auditPage(message, shownIn) {
    if (shownIn) this.#show(shownIn, auditLines(message.entries));
  }

  #show(conversation, lines) {
    for (const line of lines) this.host.notice(conversation, line);
  }

  // ------------------------------------------------------------ requests

  #act(room, type, fields) {
    if (room && this.host.online(room)) this.host.send(type, { room: room.name, ...fields }, 'plain', room);
  }

  #inContext(context, type, fields) {
    if (this.host.online(context)) this.host.send(type, fields, 'plain', context);
  }

  claim(room) { this.#act(room, 'claim', {}); }

  grant(room, nick, role) { this.#act(room, 'grant', { nick, role }); }

  kick(room, nick, reason = '') {
    this.#act(room, 'kick', reason.trim() ? { nick, reason: reason.trim() } : { nick });
  }

  ban(room, nickOrMask, duration = null, reason = '') {
    this.#act(room, 'ban', withOptional({ mask: maskFor(nickOrMask) }, duration, reason.trim()));
  }

  unban(room, nickOrMask) { this.#act(room, 'unban', { mask: maskFor(nickOrMask) }); }

  // Without `show`, only the 'ban-list' event tells (the settings dialog).
  requestBanList(room, show = false) {
    if (room && this.host.welcomed()) this.host.send('ban_list', { room: room.name }, 'plain', show ? room : null);
  }

  mute(room, nick, duration = null, reason = '') {
    this.#act(room, 'mute', withOptional({ nick }, duration, reason.trim()));
  }

  unmute(room, nick) { this.#act(room, 'unmute', { nick }); }

  setModes(room, changes) { this.#act(room, 'mode', changes); }

  invite(roomName, nick, context) { this.#inContext(context, 'invite', { room: roomName, nick }); }

  requestAudit(roomName, context) { this.#inContext(context, 'audit', roomName ? { room: roomName } : {}); }

  serverBan(nickOrMask, duration, reason, context) {
    this.#inContext(context, 'server_ban', withOptional({ mask: maskFor(nickOrMask) }, duration, reason));
  }

  serverUnban(nickOrMask, context) { this.#inContext(context, 'server_unban', { mask: maskFor(nickOrMask) }); }

  requestServerBanList(context) { this.#inContext(context, 'server_ban_list', {}); }
}

// A ban's or a mute's fields with its duration and reason, when given.
function withOptional(fields, duration, reason) {
  if (duration) fields.duration = duration;
  if (reason) fields.reason = reason;
  return fields;
}
