// Pure parts of the browser client's view, with Node's test runner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continues, dayLabel, eventRuns, eventText, jumpMatches, nickColor, nickHue, runSummary, typingLine } from '../../resources/web/view.js';
import { Conversation, TYPING_LASTS_MS } from '../../resources/web/session.js';

// The same rows as the desktop client's tst_nickcolors: one colour per nick
// in both clients.
const hues = [['alice', 239], ['Bob', 284], ['BOB', 284], ['Zoë', 135], ['田中', 6]];

for (const [nick, hue] of hues) {
  test(`${nick} has hue ${hue}`, () => assert.equal(nickHue(nick), hue));
}

test('a nick colour is an hsl() the page can use', () => {
  assert.equal(nickColor('alice'), 'hsl(239 65% 36%)');
});

// The same rows as the desktop client's tst_mainwindow typingLine().
const typingRows = [
  [[], ''],
  [['ada'], 'ada is typing…'],
  [['ada', 'bo'], 'ada and bo are typing…'],
  [['ada', 'bo', 'cy'], 'ada, bo and cy are typing…'],
  [['ada', 'bo', 'cy', 'di', 'ed'], 'ada, bo and 3 others are typing…'],
];
for (const [nicks, line] of typingRows) {
  test(`typing line for ${nicks.length}`, () => assert.equal(typingLine(nicks), line));
}

test('a typing notice lasts a few seconds unless renewed; done ends it', () => {
  const room = new Conversation('room', 'lobby');
  assert.equal(room.setTyping('Ada', true, 1000), true);
  assert.equal(room.setTyping('ada', true, 2000), false); // renewed, same person
  assert.equal(room.setTyping('bo', true, 2500), true);
  assert.deepEqual(room.typers, ['ada', 'bo']);
  assert.equal(room.expireTyping(2000 + TYPING_LASTS_MS - 1), false);
  assert.equal(room.expireTyping(2000 + TYPING_LASTS_MS), true);
  assert.deepEqual(room.typers, ['bo']);
  assert.equal(room.setTyping('bo', false), true);
  assert.deepEqual(room.typers, []);
  assert.equal(room.setTyping('bo', false), false);
});

// The same rows as the desktop client's tst_mainwindow groupsAndDays().
test('day labels', () => {
  const today = new Date(2026, 10, 30, 12);
  assert.equal(dayLabel(new Date(2026, 10, 30, 1), today), 'Today');
  assert.equal(dayLabel(new Date(2026, 10, 29, 23), today), 'Yesterday');
  assert.match(dayLabel(new Date(2026, 10, 27), today), /2026/);
});

test('the same person in the same minute continues; others, actions and a new minute do not', () => {
  const first = { kind: 'message', from: 'alice', ts: 1796000000000 };
  assert.equal(continues(first, { ...first, ts: first.ts + 20000 }), true);
  assert.equal(continues(first, { ...first, from: 'ALICE' }), true);
  assert.equal(continues(first, { ...first, from: 'bob' }), false);
  assert.equal(continues(first, { ...first, ts: (Math.floor(first.ts / 60000) + 1) * 60000 }), false);
  assert.equal(continues(first, { ...first, action: true }), false);
  assert.equal(continues({ ...first, kind: 'notice' }, first), false);
  assert.equal(continues(undefined, first), false);
});

// As the desktop's QuickSwitcher::matches.
test('jump matches: mentions, then unread, then names that start with the text', () => {
  const c = (name, unread = 0, mention = false) => ({ type: 'room', name, unread, mention });
  const all = [c('nav-quiet'), c('navy', 2), c('a-nav'), c('nav-pings', 1, true), c('other', 5)];
  assert.deepEqual(jumpMatches(all, 'nav').map((x) => x.name), ['nav-pings', 'navy', 'nav-quiet', 'a-nav']);
  assert.deepEqual(jumpMatches(all, '#NAVY').map((x) => x.name), ['navy']);
  assert.deepEqual(jumpMatches(all, 'zzz'), []);
});

// Room events: the desktop's tst_messageview has the same rows.
for (const [event, from, text, own, words] of [
  ['joined', 'ann', '', false, 'ann joined'],
  ['left', 'ann', '', false, 'ann left'],
  ['left', 'ann', 'bye', false, 'ann left (bye)'],
  ['nick-changed', 'ann', 'anna', false, 'ann is now known as anna'],
  ['nick-changed', 'me', 'me2', true, 'You are now known as me2'],
  ['topic-changed', 'ann', 'Friday', false, 'ann set the topic: Friday'],
  ['topic-changed', 'ann', '', false, 'ann cleared the topic'],
  ['topic', '', 'Friday', false, 'Topic: Friday'],
  ['disconnected', '', 'timeout', false, 'Disconnected: timeout'],
  ['reconnected', '', '', false, 'Reconnected'],
  ['away-changed', 'ann', 'lunch', false, 'ann is away: lunch'],
  ['away-changed', 'ann', '', false, 'ann is back'],
  ['waiting', 'zed', '', false, 'zed is offline: they will get it when they log in'],
]) {
  test(`event words: ${words}`, () => {
    assert.equal(eventText({ kind: 'event', event, from, text, own }), words);
  });
}

// Moderation, in the room "club" (the same rows as tst_messageview).
for (const [event, from, text, own, target, words] of [
  ['room-claimed', 'olga', '', false, '', 'olga now owns #club'],
  ['room-claimed', 'me', '', true, '', 'You now own #club'],
  ['role-changed', 'olga', 'op', false, 'mike', 'olga made mike an op'],
  ['role-changed', 'olga', 'member', true, 'me', 'olga made you a member'],
  ['kicked', 'olga', 'off topic', false, 'mike', 'mike was removed from #club by olga: off topic'],
  ['muted', 'olga', '', false, 'mike', 'olga muted mike'],
  ['unmuted', 'olga', '', true, 'me', 'olga let you speak again'],
  ['modes-changed', 'olga', '+i -t', false, '', 'olga made the room invitation only, unlocked the topic'],
]) {
  test(`moderation words: ${words}`, () => {
    assert.equal(eventText({ kind: 'event', event, from, text, own, target, room: 'club' }), words);
  });
}

test('moderation is never folded into a run', () => {
  const day = Date.UTC(2026, 11, 1, 12);
  const ev = (event, nick) => ({ kind: 'event', event, from: nick, ts: day });
  assert.deepEqual(eventRuns([ev('joined', 'a'), ev('joined', 'b'), ev('kicked', 'olga'), ev('joined', 'c'), ev('joined', 'd')]), []);
  assert.deepEqual(eventRuns([ev('kicked', 'olga'), ev('joined', 'a'), ev('joined', 'b'), ev('left', 'c')]), [[1, 3]]);
});

test('runs of three or more room events on one day collapse', () => {
  const day = Date.UTC(2026, 11, 1, 12);
  const ev = (nick, ts = day) => ({ kind: 'event', event: 'joined', from: nick, ts });
  const msg = { kind: 'message', from: 'ann', text: 'hi', ts: day };
  assert.deepEqual(eventRuns([ev('a'), ev('b')]), []);
  assert.deepEqual(eventRuns([ev('a'), ev('b'), ev('c')]), [[0, 2]]);
  assert.deepEqual(eventRuns([msg, ev('a'), ev('b'), ev('c'), ev('d'), msg, ev('e')]), [[1, 4]]);
  assert.deepEqual(eventRuns([ev('a'), ev('b'), msg, ev('c'), ev('d'), ev('e')]), [[3, 5]]);
  // A new day starts a new run.
  assert.deepEqual(eventRuns([ev('a'), ev('b'), ev('c', day + 86400000), ev('d', day + 86400000)]), []);
  assert.equal(runSummary([ev('a'), ev('b'), ev('c'), ev('d')]), '4 room events: a joined, b joined, c joined, …');
  assert.equal(runSummary([ev('a'), ev('b'), ev('c')]), '3 room events: a joined, b joined, c joined');
});
