// The browser client: wires the session to the page.

import { defaultUrl } from './connection.js';
import { ChatSession, nameKey } from './session.js';
import { carriesSecret } from './commands.js';
import { setUpInspector } from './inspector.js';
import { setUpModeration } from './moderation.js';
import { LoginFailure } from './supervisor.js';
import { advice, withAdvice } from './refusal.js';
import { continues, dayLabel, eventRuns, isAmbient, runSummary, jumpMatches, renderConversations, sidebarOrder, renderEntry, renderMembers, renderRoomList, typingLine } from './view.js';

const $ = (id) => document.getElementById(id);
const session = new ChatSession(defaultUrl(window.location));
window.confab = session; // for the curious, in the developer console
const moderation = setUpModeration(session);
setUpInspector(session.connection, window.location.protocol === 'https:' ? 'wss' : 'ws');

// What to do about each way of not getting in (the desktop's connect
// dialog says the same).
const ADVICE = {
  [LoginFailure.NickTaken]: 'Someone is already using that nickname. Choose another one.',
  [LoginFailure.NickInvalid]: "Nicknames are 1–32 letters, digits, '_', '-' or '.', and start with a letter or '_'.",
  [LoginFailure.ServerPassword]: "Ask the server's operator for its password and type it in.",
  [LoginFailure.Unreachable]: 'The chat server cannot be reached. Check that it is running, then try again.',
  [LoginFailure.NickReserved]: 'That nickname belongs to an account. If it is yours, choose "Log in to my account" and type its password; otherwise choose another nickname.',
  [LoginFailure.AccountLogin]: 'The account (named after the nickname) or its password is wrong.',
  [LoginFailure.LoginRequired]: advice('login_required'),
  [LoginFailure.AccountPassword]: 'An account password has 8 to 256 characters.',
  [LoginFailure.RateLimited]: 'Too many attempts: wait a few minutes before trying again.',
  [LoginFailure.Banned]: "The server's operators have banned you.",
  [LoginFailure.ServerFull]: 'The server has as many users as it takes: try again later.',
};

function renderAccountFields() {
  const mode = $('account-mode').value;
  for (const element of document.querySelectorAll('.account-row')) element.hidden = mode === 'guest';
  $('account-password').autocomplete = mode === 'register' ? 'new-password' : 'current-password';
  $('account-password').placeholder = mode === 'register' ? '8 characters or more' : '';
}
$('account-mode').addEventListener('change', renderAccountFields);
$('account-mode').value = localStorage.getItem('confab.account') ? 'login' : 'guest';
renderAccountFields();

// ------------------------------------------------------------ login

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const nick = $('nick').value.trim();
  if (!nick) {
    showLoginError(LoginFailure.NickInvalid, 'Enter a nickname.');
    return;
  }
  const mode = $('account-mode').value;
  const accountPassword = $('account-password').value;
  if (mode !== 'guest' && (!accountPassword || (mode === 'register' && accountPassword.length < 8))) {
    showLoginError(LoginFailure.AccountPassword, accountPassword ? 'That password is too short' : "Type the account's password");
    return;
  }
  $('nick-error').textContent = '';
  $('login-button').disabled = true;
  $('login-button').textContent = 'Joining…';
  localStorage.setItem('confab.nick', nick);
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission();
  const account = mode === 'login' ? { login: { account: nick, password: accountPassword } }
    : mode === 'register' ? { register: accountPassword } : {};
  session.start(nick, $('password').value, JSON.parse(localStorage.getItem('confab.rooms') ?? '["lobby"]'), account);
});
$('nick').value = localStorage.getItem('confab.account') ?? localStorage.getItem('confab.nick') ?? '';
// The account's name is remembered; its password never is (the browser's
// own password manager may offer to keep it).
session.addEventListener('account', (event) => {
  if (event.detail.account) localStorage.setItem('confab.account', event.detail.account);
  $('account-password').value = '';
  renderStatus();
});

function showLoginError(failure, message) {
  $('login-button').disabled = false;
  $('login-button').textContent = 'Join the chat';
  $('nick-error').textContent = withAdvice(message, ADVICE[failure]);
  if (failure === LoginFailure.LoginRequired) {
    $('account-mode').value = 'login';
    renderAccountFields();
  }
  if ([LoginFailure.AccountLogin, LoginFailure.LoginRequired, LoginFailure.AccountPassword].includes(failure)) {
    $('account-password').focus();
  } else if (failure === LoginFailure.ServerPassword) {
    for (const element of document.querySelectorAll('.password-row')) element.hidden = false;
    $('password').focus();
  } else {
    $('nick').focus();
    $('nick').select();
  }
}

session.addEventListener('login-failed', (event) => {
  if (!$('chat').hidden) return;
  showLoginError(event.detail.failure, event.detail.message);
});

// ------------------------------------------------------------ state

session.addEventListener('state', (event) => {
  const { state } = event.detail;
  if (state === 'online') {
    $('login').hidden = true;
    $('chat').hidden = false;
    $('input').focus();
  }
  if (state === 'disconnected' && session.everWelcomed && !session.connection.isOpen) {
    // After /quit: back to the start.
    $('chat').hidden = true;
    $('login').hidden = false;
    $('login-button').disabled = false;
    $('login-button').textContent = 'Join the chat';
  }
  renderStatus();
});
session.addEventListener('round-trip', renderStatus);
session.addEventListener('away', () => {
  renderStatus();
  renderHeader();
  showMembers();
  renderSidebar(); // the dot beside someone away
});

function renderStatus() {
  const status = $('status');
  const as = session.account ? `${session.nick} (account ${session.account})` : session.nick;
  const labels = { online: `Connected as ${as}`, connecting: 'Connecting…', reconnecting: 'Reconnecting…', disconnected: 'Disconnected' };
  status.textContent = labels[session.state] + (session.state === 'online' && session.roundTripMs >= 0 ? ` · ${session.roundTripMs} ms` : '')
    + (session.state === 'online' && session.awayMessage ? ` · away: ${session.awayMessage}` : '');
  status.classList.toggle('offline', session.state !== 'online');
}

// ------------------------------------------------------------ conversations

function select(conversation) {
  if (editing && editing.room !== conversation) {
    stopEditing();
    $('input').value = '';
  }
  session.setActive(conversation);
  $('chat').classList.remove('show-sidebar', 'show-members');
  renderActive();
  $('input').focus();
}

session.addEventListener('conversation-opened', (event) => {
  const { conversation, focus } = event.detail;
  if (focus || !session.active) select(conversation);
  else renderSidebar();
  saveRooms();
});
session.addEventListener('focus', (event) => select(event.detail.conversation));
session.addEventListener('motd', (event) => {
  $('motd-text').textContent = event.detail.motd;
  $('motd').hidden = !event.detail.motd.trim();
});
$('close-motd').addEventListener('click', () => { $('motd').hidden = true; });
session.addEventListener('conversation-closed', () => {
  select(session.active ?? session.conversations[0] ?? null);
  saveRooms();
});
session.addEventListener('changed', () => {
  renderSidebar();
  renderHeader();
  showMembers();
});
session.addEventListener('removed', (event) => {
  $('status').textContent = event.detail.why;
});

function showMembers() {
  renderMembers($('members'), session.active, whisperTo, moderation.showMenu, moderation.mayAct,
    (nick) => session.awayMessageOf(nick));
}

session.addEventListener('entry', (event) => {
  const { conversation, entry } = event.detail;
  if (conversation === session.active) {
    const list = $('messages');
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    const entries = conversation.entries;
    const previous = entries.length > 1 ? entries[entries.length - 2] : null;
    if (isAmbient(entry) && previous && isAmbient(previous)) {
      // A run of room events grows: drawn again, collapsed once long enough.
      const fromBottom = list.scrollHeight - list.scrollTop;
      renderMessages();
      list.scrollTop = atBottom ? list.scrollHeight : list.scrollHeight - fromBottom;
      showMembers();
      renderHeader();
      renderSidebar();
      return;
    }
    if (!previous || dayOf(previous) !== dayOf(entry)) list.append(dayItem(entry));
    list.append(renderEntry(entry, entryHooks(conversation), !!previous && dayOf(previous) === dayOf(entry) && continues(previous, entry)));
    if (atBottom || entry.own) list.scrollTop = list.scrollHeight;
    if (entry.kind === 'event') showMembers();
    renderHeader();
  }
  renderSidebar();
});

// Older history above, or the "new messages" line: the messages are drawn
// again, and what the user was reading stays where it was.
function redrawKeepingPlace(event) {
  if (event.detail.conversation !== session.active) return;
  const list = $('messages');
  const fromBottom = list.scrollHeight - list.scrollTop;
  renderMessages();
  list.scrollTop = list.scrollHeight - fromBottom;
}
session.addEventListener('new-messages-line', redrawKeepingPlace);
session.addEventListener('prepended', redrawKeepingPlace);
// An edit, a deletion or a reaction: that message is drawn again in place.
session.addEventListener('updated', (event) => {
  const { conversation, index } = event.detail;
  if (conversation !== session.active) return;
  const entry = conversation.entries[index];
  const shown = $('messages').querySelector(`li[data-seq="${entry.seq}"]`);
  if (shown) shown.replaceWith(renderEntry(entry, entryHooks(conversation), shown.classList.contains('continued')));
  if (editing && editing.room === conversation && editing.seq === entry.seq && entry.deleted) stopEditing();
});

// What a room message's buttons do (section 18).
function entryHooks(conversation) {
  if (conversation?.type !== 'room') return null;
  return {
    ownNick: session.nick,
    react: (seq, emoji) => session.react(conversation, seq, emoji),
    edit: (seq) => startEditing(conversation, seq),
    remove: (seq) => {
      const entry = conversation.entries[conversation.indexOfSeq(seq)];
      const question = entry?.own ? 'Delete this message for everyone?'
        : "Delete this message of someone else's for everyone? The room's audit log will say you did.";
      if (confirm(question)) session.deleteMessage(conversation, seq);
    },
    canEdit: (entry) => session.canEdit(conversation, entry),
    canDelete: (entry) => session.canDelete(conversation, entry),
  };
}

// Editing one of the user's messages in the input line: Enter saves, Escape
// gives up (as on the desktop).
let editing = null;

function startEditing(room, seq) {
  const entry = room.entries[room.indexOfSeq(seq)];
  if (!entry) return;
  editing = { room, seq };
  $('editing').hidden = false;
  $('input').value = entry.text;
  autosize();
  $('input').focus();
}

function stopEditing() {
  editing = null;
  $('editing').hidden = true;
}

session.addEventListener('attention', (event) => {
  const { conversation, from, text } = event.detail;
  if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
  const title = conversation.type === 'room' ? `${from} in #${conversation.name}` : `${from} (private)`;
  const notification = new Notification(title, { body: text.slice(0, 200), tag: conversation.key });
  notification.addEventListener('click', () => {
    window.focus();
    select(conversation);
  });
});

document.addEventListener('visibilitychange', () => {
  session.setVisible(!document.hidden);
  updateTitle();
});

function whisperTo(nick) {
  if (nameKey(nick) === nameKey(session.nick)) return;
  select(session.openPrivate(nick, true));
}

function saveRooms() {
  const rooms = session.conversations.filter((c) => c.type === 'room').map((c) => c.name);
  localStorage.setItem('confab.rooms', JSON.stringify(rooms.length ? rooms : ['lobby']));
}

function renderSidebar() {
  renderConversations($('conversations'), session, select);
  updateTitle();
}

function updateTitle() {
  const unread = session.conversations.reduce((sum, c) => sum + c.unread, 0);
  document.title = unread > 0 ? `(${unread}) Confab` : 'Confab';
}

function renderHeader() {
  const conversation = session.active;
  if (!conversation) {
    $('conversation-title').textContent = 'Confab';
    $('conversation-topic').textContent = 'Join a room to start.';
    $('room-settings-button').hidden = true;
    return;
  }
  $('room-settings-button').hidden = conversation.type !== 'room';
  $('conversation-title').textContent = conversation.type === 'room' ? `#${conversation.name}` : conversation.name;
  const away = conversation.type === 'private' ? session.awayMessageOf(conversation.name) : '';
  $('conversation-topic').textContent = conversation.type === 'room' ? conversation.topic || 'No topic'
    : away ? `Private conversation · away: ${away}` : 'Private conversation';
}

function dayOf(entry) {
  return new Date(entry.ts).toDateString();
}

function dayItem(entry) {
  const item = document.createElement('li');
  item.className = 'day';
  item.textContent = dayLabel(new Date(entry.ts), new Date());
  return item;
}

// Runs of room events the user opened, by their first event's time stamp.
const openRuns = new Set();

// A collapsed run: one line saying what happened, with show/hide; the
// events themselves follow it, hidden while the run is closed.
function runItems(run) {
  const key = run[0].ts;
  const open = openRuns.has(key);
  const summary = renderEntry({ kind: 'event', event: 'summary', text: runSummary(run), ts: run[run.length - 1].ts });
  summary.classList.add('run-summary');
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'run-toggle';
  toggle.textContent = open ? 'hide' : 'show';
  toggle.setAttribute('aria-expanded', String(open));
  toggle.addEventListener('click', () => {
    if (open) openRuns.delete(key);
    else openRuns.add(key);
    const list = $('messages');
    const fromBottom = list.scrollHeight - list.scrollTop;
    renderMessages();
    list.scrollTop = list.scrollHeight - fromBottom;
    list.querySelector(`.run-summary[data-run="${key}"] .run-toggle`)?.focus();
  });
  summary.dataset.run = String(key);
  summary.append(' ', toggle);
  const events = run.map((entry) => renderEntry(entry));
  for (const item of events) item.hidden = !open;
  return [summary, ...events];
}

function renderMessages() {
  const list = $('messages');
  const conversation = session.active;
  const hooks = entryHooks(conversation);
  const entries = conversation?.entries ?? [];
  const runs = new Map(eventRuns(entries)); // first → last, for the runs that fold
  const items = [];
  let drawnUntil = -1; // the last row of a folded run drawn already
  entries.forEach((entry, index) => {
    if (index <= drawnUntil) return;
    const previous = entries[index - 1];
    const newDay = !previous || dayOf(previous) !== dayOf(entry);
    if (newDay) items.push(dayItem(entry));
    const newMessages = conversation.newMessagesAt > 0 && index === conversation.newMessagesAt;
    if (newMessages) {
      const line = document.createElement('li');
      line.className = 'new-messages';
      line.textContent = 'new messages';
      items.push(line);
    }
    if (runs.has(index)) {
      drawnUntil = runs.get(index);
      items.push(...runItems(entries.slice(index, drawnUntil + 1)));
      return;
    }
    items.push(renderEntry(entry, hooks, !newDay && !newMessages && continues(previous, entry)));
  });
  list.replaceChildren(...items);
}

function renderActive() {
  renderTyping();
  renderSidebar();
  renderHeader();
  showMembers();
  renderMessages();
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

$('messages').addEventListener('scroll', () => {
  if ($('messages').scrollTop === 0) session.loadOlder(session.active);
});

// ------------------------------------------------------------ typing

const history = [];
let historyIndex = 0;
let completion = null;

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  submitInput();
});

function submitInput() {
  const input = $('input');
  const text = input.value;
  if (!text.trim()) return;
  if (editing) {
    session.editMessage(editing.room, editing.seq, text);
    stopEditing();
    input.value = '';
    autosize();
    return;
  }
  // A password typed in a command is not kept for the up arrow to show.
  if (!carriesSecret(text)) history.push(text);
  historyIndex = history.length;
  input.value = '';
  autosize();
  session.submit(session.active, text);
}

function autosize() {
  const input = $('input');
  input.style.height = 'auto';
  input.style.height = `${input.scrollHeight}px`;
}

$('input').addEventListener('input', autosize);
$('input').addEventListener('input', () => {
  const text = $('input').value;
  // Commands are not messages: typing one tells nobody anything.
  if (!text.startsWith('/') || text.startsWith('//')) session.noteTyping(session.active, text.trim() !== '');
});

function renderTyping() {
  $('typing').textContent = typingLine(session.active?.typers ?? []);
}
session.addEventListener('typing', (event) => {
  if (event.detail.conversation === session.active) renderTyping();
});
// Between conversations as on the desktop: Alt+Up/Down, with Shift only
// those with something unread; Shift+Esc marks everything as read.
function step(offset, unreadOnly) {
  const all = sidebarOrder(session.conversations);
  const from = all.indexOf(session.active);
  for (let i = 1; i <= all.length; i += 1) {
    const candidate = all[(((from + offset * i) % all.length) + all.length) % all.length];
    if (candidate === session.active) return;
    if (!unreadOnly || candidate.unread > 0 || candidate.mention) {
      select(candidate);
      return;
    }
  }
}

// Ctrl+K: type part of a name, Enter to go there (the page keeps the key
// from the browser while the chat is open).
let jumpIndex = 0;
function renderJump() {
  const matches = jumpMatches(session.conversations, $('jump-filter').value);
  jumpIndex = Math.min(jumpIndex, Math.max(0, matches.length - 1));
  $('jump-list').replaceChildren(...matches.map((conversation, index) => {
    const item = document.createElement('li');
    item.setAttribute('role', 'option');
    item.textContent = conversation.type === 'room' ? `#${conversation.name}` : conversation.name;
    if (conversation.unread > 0) item.textContent += `  (${conversation.unread})`;
    if (index === jumpIndex) item.classList.add('current');
    item.addEventListener('click', () => jumpTo(conversation));
    return item;
  }));
  return matches;
}
function jumpTo(conversation) {
  $('jump').close();
  if (conversation) select(conversation);
}
$('jump-filter').addEventListener('input', () => {
  jumpIndex = 0;
  renderJump();
});
$('jump-filter').addEventListener('keydown', (event) => {
  const matches = jumpMatches(session.conversations, $('jump-filter').value);
  if (event.key === 'Enter') {
    event.preventDefault();
    jumpTo(matches[jumpIndex]);
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    jumpIndex = Math.max(0, Math.min(matches.length - 1, jumpIndex + (event.key === 'ArrowDown' ? 1 : -1)));
    renderJump();
  }
});

document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k' && !$('chat').hidden) {
    event.preventDefault();
    $('jump-filter').value = '';
    jumpIndex = 0;
    renderJump();
    $('jump').showModal();
    $('jump-filter').focus();
    return;
  }
  if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
    event.preventDefault();
    step(event.key === 'ArrowUp' ? -1 : 1, event.shiftKey);
  } else if (event.key === 'Escape' && event.shiftKey) {
    event.preventDefault();
    session.markAllRead();
    renderSidebar();
  }
});

$('input').addEventListener('keydown', (event) => {
  const input = event.target;
  if (event.key !== 'Tab') completion = null;
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submitInput();
  } else if (event.key === 'Escape' && editing && !event.shiftKey) {
    event.preventDefault();
    stopEditing();
    input.value = '';
    autosize();
  } else if (event.key === 'ArrowUp' && event.ctrlKey) {
    event.preventDefault();
    const seq = session.lastEditableSeq(session.active);
    if (seq) startEditing(session.active, seq);
  } else if (event.key === 'ArrowUp' && !event.altKey && !input.value.slice(0, input.selectionStart).includes('\n') && historyIndex > 0) {
    event.preventDefault();
    historyIndex -= 1;
    input.value = history[historyIndex];
  } else if (event.key === 'ArrowDown' && !event.altKey && !input.value.slice(input.selectionEnd).includes('\n') && historyIndex < history.length) {
    event.preventDefault();
    historyIndex += 1;
    input.value = history[historyIndex] ?? '';
  } else if (event.key === 'Tab') {
    event.preventDefault();
    completeNick(input);
  }
});

function completeNick(input) {
  const before = input.value.slice(0, input.selectionStart);
  if (!completion) {
    const start = before.search(/\S*$/);
    const prefix = before.slice(start);
    if (!prefix) return;
    const candidates = (session.active?.members ?? [])
      .filter((nick) => nick.toLowerCase().startsWith(prefix.toLowerCase()))
      .sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
    if (!candidates.length) return;
    completion = { start, candidates, index: -1, end: before.length };
  }
  completion.index = (completion.index + 1) % completion.candidates.length;
  const suffix = completion.start === 0 ? ': ' : ' ';
  const replacement = completion.candidates[completion.index] + suffix;
  input.value = input.value.slice(0, completion.start) + replacement + input.value.slice(completion.end);
  completion.end = completion.start + replacement.length;
  input.selectionStart = input.selectionEnd = completion.end;
}

// ------------------------------------------------------------ side panels

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('join-name').value.trim().replace(/^#/, '');
  if (!name) return;
  $('join-name').value = '';
  session.join(name);
});
$('room-list-button').addEventListener('click', () => {
  $('room-list').hidden = !$('room-list').hidden;
  if (!$('room-list').hidden) session.requestRoomList();
});
session.addEventListener('room-list', (event) => {
  renderRoomList($('room-list'), event.detail.rooms, (name) => {
    $('room-list').hidden = true;
    session.join(name);
  });
});
$('toggle-sidebar').addEventListener('click', () => $('chat').classList.toggle('show-sidebar'));
$('toggle-members').addEventListener('click', () => $('chat').classList.toggle('show-members'));
