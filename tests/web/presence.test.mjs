// presence.js alone, with Node's test runner: who is away, and when the
// user's typing is worth a notice (the desktop's tests/session/tst_presence).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../resources/web/conversation.js';
import { AwayBook, TypingSender, TYPING_RENEW_MS } from '../../resources/web/presence.js';

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
