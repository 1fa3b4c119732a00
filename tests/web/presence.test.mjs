// presence.js alone, with Node's test runner: who is away, and when the
// user's typing is worth a notice (the desktop's tests/session/tst_presence).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../resources/web/conversation.js';
import { AwayBook, Presence, TypingSender, TYPING_RENEW_MS } from '../../resources/web/presence.js';
import { recordingHost } from './host.mjs';

test('away is kept by nick as the server compares them, and back forgets it', () => {
  const book = new AwayBook();
  assert.equal(book.of('bob'), '');
  assert.equal(book.set('bob', 'brb'), true);
  assert.equal(book.of('BOB'), 'brb');
  assert.equal(book.set('Bob', 'brb'), false, 'the same again is no change');
  assert.equal(book.set('bob', ''), true);
  assert.equal(book.of('bob'), '');
});

test('a typing notice at most once per interval, done once after one', () => {
  const typing = new TypingSender();
  const lobby = new Conversation('room', 'lobby');
  const chat = new Conversation('private', 'bob');
  assert.equal(typing.notice(lobby, false, 0), null, 'done before any notice says nothing');
  assert.deepEqual(typing.notice(lobby, true, 1000), { room: 'lobby' });
  assert.equal(typing.notice(lobby, true, 1000 + TYPING_RENEW_MS - 1), null);
  assert.deepEqual(typing.notice(chat, true, 1001), { to: 'bob' }, 'each conversation on its own');
  assert.deepEqual(typing.notice(lobby, true, 1000 + TYPING_RENEW_MS), { room: 'lobby' });
  assert.deepEqual(typing.notice(lobby, false, 5000), { room: 'lobby', done: true });
  assert.equal(typing.notice(lobby, false, 5001), null, 'said already');
  typing.sent(chat);
  assert.equal(typing.notice(chat, false, 5002), null, 'a message ended it');
  assert.deepEqual(typing.notice(chat, true, 5003), { to: 'bob' }, 'and the next notice goes at once');
});

test('Presence: away is sent trimmed, said again after a reconnect, and back is an empty away', () => {
  const { host, sent } = recordingHost();
  const presence = new Presence(host);
  presence.setAway('  lunch  ');
  assert.deepEqual(sent.map((r) => [r.type, r.fields]), [['away', { message: 'lunch' }]]);
  presence.welcomedAgain();
  assert.equal(sent.length, 1, 'the server has not said the user is away yet');
  presence.presence({ nick: 'ME', away: 'lunch' });
  assert.equal(presence.awayMessage, 'lunch', 'the user\'s own, by nick as the server compares them');
  presence.welcomedAgain();
  assert.deepEqual(sent[1].fields, { message: 'lunch' });
  presence.setAway('   ');
  assert.deepEqual(sent[2].fields, {}, 'blank: back');
});

test('Presence: another user\'s away is said in the private chat only when it changes', () => {
  const chat = new Conversation('private', 'bob');
  const { host, events, emitted } = recordingHost({ conversations: [chat] });
  const presence = new Presence(host);
  presence.presence({ nick: 'bob', away: 'brb' });
  presence.presence({ nick: 'Bob', away: 'brb' });
  presence.presence({ nick: 'bob' });
  assert.deepEqual(events.map((e) => [e.event, e.text]), [['away-changed', 'brb'], ['away-changed', '']]);
  assert.equal(emitted.filter((e) => e.type === 'away').length, 3, 'the view hears every one');
  presence.joined({ carol: 'out', me: 'mine' });
  assert.equal(presence.awayMessageOf('CAROL'), 'out');
  assert.equal(presence.awayMessageOf('me'), '', 'the user\'s own is not another\'s');
});

test('Presence: typing is told without an id, never in a room not joined, and shown where it belongs', () => {
  const lobby = new Conversation('room', 'lobby');
  const chat = new Conversation('private', 'bob');
  const { host, told, typing } = recordingHost({ conversations: [lobby, chat] });
  const presence = new Presence(host);
  presence.noteTyping(lobby, true);
  assert.deepEqual(told, [], 'not joined');
  lobby.joined = true;
  presence.noteTyping(lobby, true);
  presence.noteTyping(lobby, true);
  assert.deepEqual(told, [{ type: 'typing', room: 'lobby' }], 'once per interval');
  presence.typingEnded(lobby);
  presence.noteTyping(lobby, false);
  assert.equal(told.length, 1, 'a message sent ended it: no done');
  presence.typing({ from: 'bob', done: true });
  presence.typing({ room: 'lobby', from: 'carol' });
  presence.typing({ room: 'elsewhere', from: 'dave' });
  assert.deepEqual(typing.map((t) => [t.conversation.name, t.nick, t.typing]), [['bob', 'bob', false], ['lobby', 'carol', true]]);
});
