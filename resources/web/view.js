// Turns the session's state into DOM. User text only ever goes in through
// textContent; links are built as elements with an http(s) href, never from
// HTML strings.

import { clockTime, nameKey } from './session.js';

const URL_PATTERN = /(https?:\/\/|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

// FNV-1a over the code points of the folded nick: the desktop client's
// nickcolors.cpp computes the same, so a nick has one colour everywhere.
export function nickHue(nick) {
  let hash = 2166136261;
  for (const ch of nameKey(nick)) {
    hash ^= ch.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash % 360;
}

export function nickColor(nick) {
  const dark = globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches;
  return `hsl(${nickHue(nick)} 65% ${dark ? 68 : 36}%)`;
}

// "alice is typing…", the same words as the desktop client ("" for nobody).
export function typingLine(nicks) {
  switch (nicks.length) {
    case 0: return '';
    case 1: return `${nicks[0]} is typing…`;
    case 2: return `${nicks[0]} and ${nicks[1]} are typing…`;
    case 3: return `${nicks[0]}, ${nicks[1]} and ${nicks[2]} are typing…`;
    default: return `${nicks[0]}, ${nicks[1]} and ${nicks.length - 2} others are typing…`;
  }
}

// Appends `text` to `parent` as text nodes, with links as <a> elements.
export function appendLinkified(parent, text) {
  let position = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parent.append(document.createTextNode(text.slice(position, match.index)));
    const shown = match[0];
    const href = /^www\./i.test(shown) ? `http://${shown}` : shown;
    let url;
    try {
      url = new URL(href);
    } catch {
      url = null;
    }
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      const link = document.createElement('a');
      link.href = url.href;
      link.textContent = shown;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      parent.append(link);
    } else {
      parent.append(document.createTextNode(shown));
    }
    position = match.index + shown.length;
  }
  parent.append(document.createTextNode(text.slice(position)));
}

function timeOf(ts) {
  const date = new Date(ts);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

// "Today", "Yesterday", or the date, above the first message of a day (the
// desktop client's words).
export function dayLabel(day, today) {
  const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  if (sameDay(day, today)) return 'Today';
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (sameDay(day, yesterday)) return 'Yesterday';
  return day.toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

// Whether `entry` goes under `previous` without its nick: the same person,
// the same minute, neither an action (as on the desktop).
export function continues(previous, entry) {
  return previous?.kind === 'message' && entry.kind === 'message' && !previous.action && !entry.action
    && nameKey(previous.from) === nameKey(entry.from) && Math.floor(previous.ts / 60000) === Math.floor(entry.ts / 60000);
}

// The reactions offered first, as on the desktop; any single emoji works.
const MODE_WORDS = {
  '+i': 'made the room invitation only',
  '-i': 'opened the room to everyone',
  '+k': 'set a key for joining',
  '-k': 'removed the key',
  '+t': 'locked the topic (only ops may change it)',
  '-t': 'unlocked the topic',
};

// Joins, leaves, nick and topic changes, reconnects: the room events that
// fold into a run. Moderation events stay in sight, as notices.
const AMBIENT = new Set(['joined', 'left', 'nick-changed', 'topic-changed', 'topic', 'disconnected', 'reconnected',
  'away-changed', 'summary']);
export function isAmbient(entry) {
  return entry.kind === 'event' && AMBIENT.has(entry.event);
}

// A room event in words, the same as the desktop client's.
export function eventText(entry) {
  switch (entry.event) {
    case 'joined': return `${entry.from} joined`;
    case 'left': return entry.text ? `${entry.from} left (${entry.text})` : `${entry.from} left`;
    case 'nick-changed': return entry.own ? `You are now known as ${entry.text}` : `${entry.from} is now known as ${entry.text}`;
    case 'topic-changed': return entry.text ? `${entry.from} set the topic: ${entry.text}` : `${entry.from} cleared the topic`;
    case 'topic': return `Topic: ${entry.text}`;
    case 'disconnected': return `Disconnected: ${entry.text}`;
    case 'reconnected': return 'Reconnected';
    case 'away-changed': return entry.text ? `${entry.from} is away: ${entry.text}` : `${entry.from} is back`;
    case 'waiting': return `${entry.from} is offline: they will get it when they log in`;
    case 'room-claimed': return entry.own ? `You now own #${entry.room}` : `${entry.from} now owns #${entry.room}`;
    case 'role-changed': {
      const whom = entry.own ? 'you' : entry.target;
      const role = { owner: 'the owner', op: 'an op' }[entry.text] ?? 'a member';
      return `${entry.from} made ${whom} ${role}`;
    }
    case 'kicked': return `${entry.target} was removed from #${entry.room} by ${entry.from}${entry.text ? `: ${entry.text}` : ''}`;
    case 'muted': return entry.when ? `${entry.from} muted ${entry.target} until ${clockTime(entry.when)}` : `${entry.from} muted ${entry.target}`;
    case 'unmuted': return entry.own ? `${entry.from} let you speak again` : `${entry.from} let ${entry.target} speak again`;
    case 'modes-changed': {
      const what = entry.text.split(' ').filter((change) => MODE_WORDS[change]).map((change) => MODE_WORDS[change]);
      return `${entry.from} ${what.length ? what.join(', ') : 'left the modes as they were'}`;
    }
    default: return entry.text ?? '';
  }
}

// Runs of this many room events or more collapse into one line.
export const COLLAPSED_RUN = 3;

const dayKey = (ts) => new Date(ts).toDateString();

// The runs of room events that collapse: [first, last] index pairs of
// COLLAPSED_RUN or more consecutive events on one day.
export function eventRuns(entries) {
  const runs = [];
  let first = -1;
  entries.forEach((entry, index) => {
    const previous = entries[index - 1];
    const continuesRun = isAmbient(entry) && previous && isAmbient(previous) && dayKey(previous.ts) === dayKey(entry.ts);
    if (isAmbient(entry) && !continuesRun) first = index;
    const last = isAmbient(entry)
      && (index + 1 >= entries.length || !isAmbient(entries[index + 1]) || dayKey(entries[index + 1].ts) !== dayKey(entry.ts));
    if (last && index - first + 1 >= COLLAPSED_RUN) runs.push([first, index]);
  });
  return runs;
}

// The line a collapsed run shows: how many, and the first few in words.
export function runSummary(run) {
  const named = run.slice(0, 3).map(eventText).join(', ');
  return `${run.length} room events: ${named}${run.length > 3 ? ', …' : ''}`;
}

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

function button(className, text, label, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = className;
  element.textContent = text;
  element.title = label;
  element.setAttribute('aria-label', label);
  element.addEventListener('click', (event) => {
    event.stopPropagation();
    onClick();
  });
  return element;
}

// `hooks` (optional) makes a room message something to act on: { ownNick,
// react(seq, emoji), edit(seq), remove(seq), canEdit(entry), canDelete(entry) }.
export function renderEntry(entry, hooks = null, continued = false) {
  const item = document.createElement('li');
  // Moderation events read as notices; the other room events are dimmed.
  item.className = entry.kind === 'message' ? 'message' : entry.kind === 'event' && !isAmbient(entry) ? 'notice' : entry.kind;
  if (entry.own) item.classList.add('own');
  if (entry.mention) item.classList.add('mention');
  if (entry.action) item.classList.add('action');
  const time = document.createElement('time');
  time.className = 'time';
  time.dateTime = new Date(entry.ts).toISOString();
  time.textContent = timeOf(entry.ts);
  item.append(time);
  if (continued) item.classList.add('continued');
  if (entry.kind === 'message' && !continued) {
    if (!entry.action) {
      // The first letter on the nick's colour, as on the desktop.
      const avatar = document.createElement('span');
      avatar.className = 'avatar';
      avatar.textContent = entry.from.charAt(0).toUpperCase();
      avatar.style.background = `hsl(${nickHue(entry.from)} 65% 36%)`;
      avatar.setAttribute('aria-hidden', 'true');
      item.append(avatar);
    }
    if (entry.action) item.append('* ');
    const from = document.createElement('span');
    from.className = 'from';
    from.textContent = entry.from;
    from.style.color = nickColor(entry.from);
    item.append(from);
  }
  // <bdi>: the text is isolated for bidi, like the desktop client does.
  const text = document.createElement('bdi');
  text.className = 'text';
  if (entry.deleted) {
    item.classList.add('deleted');
    text.textContent = 'message deleted';
  } else {
    const shown = entry.kind === 'event' ? `${isAmbient(entry) ? '→' : '—'} ${eventText(entry)}`
      : { notice: `— ${entry.text}`, error: `⚠ ${entry.text}` }[entry.kind];
    appendLinkified(text, shown ?? entry.text);
  }
  item.append(text);
  if (entry.edited && !entry.deleted) {
    const edited = document.createElement('span');
    edited.className = 'edited';
    edited.textContent = ' (edited)';
    item.append(edited);
  }
  if (entry.seq) item.dataset.seq = String(entry.seq);
  if (entry.reactions?.length) item.append(renderReactions(entry, hooks));
  if (hooks && entry.kind === 'message' && entry.seq > 0 && !entry.deleted) item.append(renderMessageActions(entry, hooks));
  return item;
}

// One chip per emoji with its count; the user's own stand out, and a click
// toggles it.
function renderReactions(entry, hooks) {
  const row = document.createElement('div');
  row.className = 'reactions';
  for (const reaction of entry.reactions) {
    // The server sends the first few nicks, the count and `mine`; an older
    // server sent every nick and neither.
    const mine = Boolean(hooks)
      && (reaction.mine ?? reaction.nicks.some((nick) => nameKey(nick) === nameKey(hooks.ownNick)));
    const count = reaction.count ?? reaction.nicks.length;
    const others = count - reaction.nicks.length;
    const who = reaction.nicks.join(', ') + (others > 0 ? ` and ${others} more` : '');
    const chip = button(`reaction${mine ? ' mine' : ''}`, `${reaction.emoji} ${count}`,
      who, () => hooks?.react(entry.seq, reaction.emoji));
    chip.disabled = !hooks;
    row.append(chip);
  }
  return row;
}

// Shown on hover or keyboard focus: quick reactions, and edit and delete
// where the user may.
function renderMessageActions(entry, hooks) {
  const bar = document.createElement('span');
  bar.className = 'message-actions';
  for (const emoji of QUICK_REACTIONS) bar.append(button('quick-reaction', emoji, `React ${emoji}`, () => hooks.react(entry.seq, emoji)));
  if (hooks.canEdit(entry)) bar.append(button('edit-message', 'Edit', 'Edit', () => hooks.edit(entry.seq)));
  if (hooks.canDelete(entry)) bar.append(button('delete-message', 'Delete', 'Delete', () => hooks.remove(entry.seq)));
  return bar;
}

// Ctrl+K: the conversations whose name holds `text`, best first — mentions,
// then unread, then the rest; names that start with it before names that
// only contain it (as the desktop's quick switcher).
export function jumpMatches(conversations, text) {
  const wanted = text.trim().replace(/#/g, '').toLowerCase();
  const rank = (c) => [c.mention ? 0 : 1, c.unread > 0 ? 0 : 1, c.name.toLowerCase().startsWith(wanted) ? 0 : 1];
  const before = (a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i += 1) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  };
  return conversations.filter((c) => c.name.toLowerCase().includes(wanted)).sort(before);
}

// The sidebar's order: rooms, then private conversations, each in the order
// they were opened (as on the desktop).
export function sidebarOrder(conversations) {
  return [...conversations.filter((c) => c.type === 'room'), ...conversations.filter((c) => c.type !== 'room')];
}

export function renderConversations(list, session, onSelect) {
  list.replaceChildren();
  let section = '';
  for (const conversation of sidebarOrder(session.conversations)) {
    if (conversation.type !== section) {
      section = conversation.type;
      const heading = document.createElement('li');
      heading.className = 'section';
      heading.setAttribute('role', 'presentation');
      heading.textContent = section === 'room' ? 'Rooms' : 'Direct messages';
      list.append(heading);
    }
    const item = document.createElement('li');
    item.dataset.key = conversation.key;
    if (conversation === session.active) item.classList.add('active');
    if (conversation.mention) item.classList.add('mention');
    if (conversation.type !== 'room' && session.awayMessageOf(conversation.name)) {
      const dot = document.createElement('span');
      dot.className = 'presence away';
      dot.title = `${conversation.name} is away: ${session.awayMessageOf(conversation.name)}`;
      item.append(dot);
    }
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = conversation.type === 'room' ? `#${conversation.name}` : conversation.name;
    item.append(name);
    if (conversation.unread > 0) {
      const badge = document.createElement('span');
      badge.className = 'unread';
      badge.textContent = String(conversation.unread);
      item.append(badge);
    }
    item.addEventListener('click', () => onSelect(conversation));
    list.append(item);
  }
}

// Members with a badge for their role (and for a mute); `onActions` is
// given only for members the user may act on, and gets a ⋯ button.
export function renderMembers(list, conversation, onWhisper, onActions = null, mayAct = () => false, awayOf = () => '') {
  list.replaceChildren();
  for (const nick of conversation?.type === 'room' ? conversation.members : []) {
    const item = document.createElement('li');
    item.dataset.nick = nick;
    const name = document.createElement('span');
    name.className = 'member-name';
    name.textContent = nick;
    name.style.color = nickColor(nick);
    name.title = `Talk privately with ${nick}`;
    name.addEventListener('click', () => onWhisper(nick));
    item.append(name);
    const role = conversation.role(nick);
    const away = awayOf(nick);
    if (away) {
      item.classList.add('away');
      name.title = `${nick} is away: ${away}`;
    }
    const badge = role !== 'member' ? role : conversation.muted.has(nameKey(nick)) ? 'muted' : away ? 'away' : '';
    if (badge) {
      const pill = document.createElement('span');
      pill.className = `badge ${badge}`;
      pill.textContent = badge;
      item.append(pill);
    }
    if (onActions && mayAct(nick)) {
      const more = document.createElement('button');
      more.className = 'member-actions';
      more.textContent = '⋯';
      more.setAttribute('aria-label', `Actions for ${nick}`);
      more.addEventListener('click', (event) => {
        event.stopPropagation();
        onActions(nick, more);
      });
      item.append(more);
    }
    list.append(item);
  }
}

export function renderRoomList(list, rooms, onJoin) {
  list.replaceChildren();
  for (const room of [...rooms].sort((a, b) => a.name.localeCompare(b.name))) {
    const item = document.createElement('li');
    const name = document.createElement('div');
    name.textContent = `#${room.name}`;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = `${room.members} ${room.members === 1 ? 'person' : 'people'}${room.topic ? ` — ${room.topic}` : ''}`;
    item.append(name, meta);
    item.addEventListener('click', () => onJoin(room.name));
    list.append(item);
  }
}
