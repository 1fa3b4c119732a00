// One conversation as the browser client keeps it: a room or a private
// chat, its entries, members and roles, unread count, who is typing, and how
// far it was read. Plain data with the rules that belong to it; the session
// (session.js) fills it from the server.

import { RoomSync } from './sync.js';

export const RANKS = { member: 0, op: 1, owner: 2 };

// How the server compares names: compatibility-normalised, case-folded.
export function nameKey(name) {
  return name.normalize('NFKC').toLowerCase().normalize('NFKC');
}

export const TYPING_LASTS_MS = 6000;

// Pages of history a conversation asks for: catching up after a reconnect
// (the server's largest), and scrolling back.
export const CATCH_UP_PAGE = 200;
export const SCROLL_BACK_PAGE = 50;

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
    // The "new messages" line: the entry where the unseen messages began
    // when the user last came back (-1: none), and the first entry not seen
    // yet, noted as messages arrive.
    this.newMessagesAt = -1;
    this.firstUnseen = -1;
    this.typing = new Map(); // nick key -> { nick, until }
    this.joined = type === 'private';
    // What has been shown, and how to fill what was missed (rooms, and the
    // seq of private conversations).
    this.sync = new RoomSync();
    this.readSeq = 0; // how far the user has read, as the server keeps it (section 20)
    this.hasOlder = true;
    this.loadingOlder = false;
    this.roles = new Map(); // nick key -> 'owner' | 'op'
    this.muted = new Set(); // nick keys, as seen since joining
    this.modes = { invite_only: false, has_key: false, topic_locked: false };
    this.joinKey = '';
    this.wantsRejoin = false;
  }

  role(nick) {
    return this.roles.get(nameKey(nick)) ?? 'member';
  }

  rank(nick) {
    return RANKS[this.role(nick)] ?? 0;
  }

  setRole(nick, role) {
    if (role === 'owner' || role === 'op') this.roles.set(nameKey(nick), role);
    else this.roles.delete(nameKey(nick));
    this.setMembers(this.members);
  }

  get lastSeq() {
    return this.sync.lastSeq;
  }

  get lastRev() {
    return this.sync.lastRev;
  }

  firstSeq() {
    return this.entries.find((entry) => entry.seq > 0)?.seq ?? 0;
  }

  // The index of the message with this seq, or -1 (changes are mostly to
  // recent messages: look from the end).
  indexOfSeq(seq) {
    if (!(seq > 0)) return -1;
    for (let index = this.entries.length - 1; index >= 0; --index) {
      if (this.entries[index].seq === seq) return index;
    }
    return -1;
  }

  // Older entries above the ones shown (scroll-back, a history shown when
  // a conversation opens); the marks into the list move with them.
  prepend(entries) {
    this.entries = [...entries, ...this.entries];
    if (this.firstUnseen >= 0) this.firstUnseen += entries.length;
    if (this.newMessagesAt >= 0) this.newMessagesAt += entries.length;
    return entries.length;
  }

  hasMember(nick) {
    const key = nameKey(nick);
    return this.members.some((member) => nameKey(member) === key);
  }

  // Owners first, then ops, then everyone else, each alphabetically.
  setMembers(nicks) {
    this.members = [...nicks].sort((a, b) => this.rank(b) - this.rank(a) || a.localeCompare(b, undefined, { sensitivity: 'base' }));
  }

  addMember(nick) {
    if (!this.hasMember(nick)) this.setMembers([...this.members, nick]);
  }

  removeMember(nick) {
    const key = nameKey(nick);
    this.members = this.members.filter((member) => nameKey(member) !== key);
    this.roles.delete(key);
    this.muted.delete(key);
  }

  // Who is typing here, in the order they started. A notice lasts a few
  // seconds unless renewed; "done", or their message, ends it. Returns
  // whether the list changed.
  setTyping(nick, typing, now = Date.now()) {
    const key = nameKey(nick);
    const known = this.typing.has(key);
    if (typing) this.typing.set(key, { nick, until: now + TYPING_LASTS_MS });
    else this.typing.delete(key);
    return known !== typing;
  }

  // Drops notices that were not renewed; returns whether any went.
  expireTyping(now = Date.now()) {
    let changed = false;
    for (const [key, { until }] of this.typing) {
      if (until <= now) {
        this.typing.delete(key);
        changed = true;
      }
    }
    return changed;
  }

  get typers() {
    return [...this.typing.values()].map(({ nick }) => nick);
  }
}
