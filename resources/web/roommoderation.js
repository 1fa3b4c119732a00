// Moderation in a room as the browser client sees it (protocol section 13):
// what the user may do there, how a mode change and the lists the server
// sends are worded. The twin of the desktop's RoomModeration
// (client/core/roommoderation.cpp) and client/core/session/moderation.cpp;
// the session (session.js) applies the events and sends the requests, and
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
