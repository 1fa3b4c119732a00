// messagechanges.js alone, with Node's test runner: entries, who may edit
// or delete, and a message replaced as it is now (the desktop's
// tests/session/tst_messagechanges).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../resources/web/conversation.js';
import { canDelete, canEdit, entryFor, lastEditableSeq, MessageChanges, replaceShown } from '../../resources/web/messagechanges.js';
import { recordingHost } from './host.mjs';

const said = (seq, from, text = `m${seq}`) => ({ type: 'message', room: 'lobby', from, text, ts: 1000 + seq, seq });

function lobby(...messages) {
  const room = new Conversation('room', 'lobby');
  room.joined = true;
  room.entries = messages.map((message) => entryFor(message, 'me'));
  return room;
}

test('an entry knows whether it is the user\'s own and whether it mentions them', () => {
  assert.equal(entryFor(said(1, 'Me'), 'me').own, true);
  assert.equal(entryFor(said(2, 'bob', 'hi me'), 'me').mention, true);
  assert.equal(entryFor({ ...said(3, 'bob', ''), deleted: true }, 'me').mention, false);
});

test('the author edits; the author or an op deletes', () => {
  const room = lobby(said(1, 'bob'), said(2, 'me'), said(3, 'me'));
  assert.equal(canEdit(room, room.entries[0], 'me'), false);
  assert.equal(canDelete(room, room.entries[0], 'me'), false);
  assert.equal(canEdit(room, room.entries[1], 'me'), true);
  room.setRole('me', 'op');
  assert.equal(canDelete(room, room.entries[0], 'me'), true, 'an op deletes anyone\'s');
  assert.equal(lastEditableSeq(room, 'me'), 3);
  room.entries[2].deleted = true;
  assert.equal(lastEditableSeq(room, 'me'), 2, 'a deleted message is not editable');
});

test('a change replaces the message shown, keeping whether it mentioned the user', () => {
  const room = lobby(said(1, 'bob', 'hi me'), said(2, 'bob'));
  assert.equal(replaceShown(room, { ...said(1, 'bob', 'hello all'), edited: 5 }, 'me'), 0);
  assert.equal(room.entries[0].text, 'hello all');
  assert.equal(room.entries[0].edited, true);
  assert.equal(room.entries[0].mention, true, 'decided when it came');
  replaceShown(room, { ...said(1, 'bob', ''), deleted: true }, 'me');
  assert.equal(room.entries[0].mention, false, 'but not once deleted');
  assert.equal(replaceShown(room, said(9, 'bob'), 'me'), -1, 'not shown: nothing to replace');
});

test('MessageChanges: the requests, and an `updated` event shown as it is now', () => {
  const room = lobby(said(1, 'me'), said(2, 'bob'));
  const { host, sent, emitted } = recordingHost({ conversations: [room] });
  const changes = new MessageChanges(host);
  changes.edit(room, 1, '   ');
  assert.deepEqual(sent, [], 'a blank edit is not sent');
  changes.edit(room, 1, 'better');
  changes.remove(room, 2);
  changes.react(room, 2, '👍');
  assert.deepEqual(sent.map((r) => [r.type, r.fields]), [['edit', { room: 'lobby', seq: 1, text: 'better' }],
    ['delete', { room: 'lobby', seq: 2 }], ['react', { room: 'lobby', seq: 2, emoji: '👍' }]]);
  changes.updated({ message: { ...said(1, 'me', 'better'), edited: 9, rev: 4 } });
  assert.equal(room.entries[0].text, 'better');
  assert.equal(room.sync.lastRev ?? room.lastRev, 4, 'the revision heard');
  assert.deepEqual(emitted, [{ type: 'updated', conversation: room, index: 0 }]);
  changes.updated({ message: { ...said(1, 'me'), room: 'elsewhere' } });
  assert.equal(emitted.length, 1, 'a room not here: nothing');
});
