// privatechats.js alone, with Node's test runner: private messages as
// entries, and a page of history above what is shown (the desktop's
// tests/session/tst_privatechats).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../resources/web/conversation.js';
import { olderThanShown, privateEntry } from '../../resources/web/privatechats.js';

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
