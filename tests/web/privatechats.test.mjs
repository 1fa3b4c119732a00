// privatechats.js alone, with Node's test runner: private messages as
// entries, and a page of history above what is shown (the desktop's
// tests/session/tst_privatechats).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../resources/web/conversation.js';
import { olderThanShown, privateEntry, PrivateChats } from '../../resources/web/privatechats.js';
import { ReadMarkers } from '../../resources/web/readmarkers.js';
import { recordingHost } from './host.mjs';

const whispered = (seq, from, to) => ({ type: 'private', from, to, text: `p${seq}`, ts: 2000 + seq, seq });

test('an entry knows whether the user sent it', () => {
  assert.equal(privateEntry(whispered(1, 'Me', 'bob'), 'me').own, true);
  assert.equal(privateEntry(whispered(2, 'bob', 'me'), 'me').own, false);
  assert.equal(privateEntry({ from: 'bob', to: 'me', text: 'old server' }, 'me').seq, 0, 'no seq: 0');
});

test('a page adds what came before the first shown, once', () => {
  const chat = new Conversation('private', 'bob');
  chat.sync.take(3);
  chat.entries = [privateEntry(whispered(3, 'bob', 'me'), 'me')];
  const older = olderThanShown(chat, [whispered(1, 'bob', 'me'), whispered(2, 'me', 'bob'), whispered(3, 'bob', 'me')], 'me');
  assert.deepEqual(older.map((entry) => entry.seq), [1, 2]);
  assert.equal(chat.prepend(older), 2);
  assert.deepEqual(chat.entries.map((entry) => entry.seq), [1, 2, 3]);
  assert.equal(chat.sync.take(2), false, 'counted as shown');
});

function chats(options) {
  const recorded = recordingHost(options);
  return { ...recorded, chats: new PrivateChats(recorded.host, new ReadMarkers(recorded.host)) };
}

test('PrivateChats: a new conversation asks for what was said before; an open one only comes to the front', () => {
  const { chats: privateChats, sent, emitted } = chats();
  const chat = privateChats.open('bob');
  assert.deepEqual(sent.map((r) => [r.type, r.fields, r.purpose]), [['private_history', { with: 'bob', limit: 50 }, 'older']]);
  assert.equal(privateChats.open('BOB', true), chat);
  assert.equal(sent.length, 1);
  assert.deepEqual(emitted.map((e) => e.type), ['conversation-opened', 'focus']);
});

test('PrivateChats: a whisper is shown once, and only another\'s asks for attention', () => {
  const { chats: privateChats, emitted } = chats();
  privateChats.received(whispered(1, 'bob', 'me'));
  privateChats.received(whispered(1, 'bob', 'me'));
  privateChats.received(whispered(2, 'me', 'bob'));
  const chat = privateChats.open('bob');
  assert.deepEqual(chat.entries.map((entry) => [entry.seq, entry.own]), [[1, false], [2, true]]);
  assert.equal(emitted.filter((e) => e.type === 'attention').length, 1);
});

test('PrivateChats: a first /msg to nobody closes its conversation and is answered where it was typed', () => {
  const lobby = new Conversation('room', 'lobby');
  const { chats: privateChats, sent, closed } = chats({ conversations: [lobby] });
  privateChats.whisperFrom(lobby, 'ghost', 'anyone?');
  const first = sent.find((r) => r.purpose === 'first-whisper');
  assert.deepEqual(first.fields, { to: 'ghost', text: 'anyone?' });
  const pending = { purpose: first.purpose, conversation: first.conversation, origin: first.origin };
  assert.equal(privateChats.refused({ code: 'no_such_user' }, pending, first.conversation), lobby);
  assert.deepEqual(closed, [first.conversation]);
  assert.equal(privateChats.refused({ code: 'rate_limited' }, { purpose: 'plain' }, lobby), lobby, 'other errors stay');
});

test('PrivateChats: catching up asks from the last seq shown, page after full page', () => {
  const { chats: privateChats, sent } = chats();
  const chat = privateChats.open('bob');
  privateChats.catchUp(chat);
  assert.equal(sent.length, 1, 'nothing shown yet: nothing to catch up from');
  privateChats.received(whispered(7, 'bob', 'me'));
  privateChats.catchUp(chat);
  assert.deepEqual([sent[1].fields, sent[1].purpose], [{ with: 'bob', after: 7, limit: 200 }, 'catch-up']);
  privateChats.page({ messages: [whispered(8, 'bob', 'me')], more: true }, { purpose: 'catch-up', conversation: chat });
  assert.deepEqual(sent[2].fields, { with: 'bob', after: 8, limit: 200 }, 'a page cut short asks for more');
});
