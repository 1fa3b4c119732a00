// conversation.js alone, with Node's test runner: members ordered by rank,
// roles, and who is typing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, nameKey, TYPING_LASTS_MS } from '../../resources/web/conversation.js';

test('names compare as the server compares them', () => {
  assert.equal(nameKey('Alice'), nameKey('ALICE'));
  assert.notEqual(nameKey('alice'), nameKey('alicia'));
});

test('members: owners, then ops, then everyone, each alphabetically', () => {
  const room = new Conversation('room', 'den');
  room.setMembers(['carol', 'bob', 'Alice', 'dave']);
  room.setRole('dave', 'owner');
  room.setRole('carol', 'op');
  assert.deepEqual(room.members, ['dave', 'carol', 'Alice', 'bob']);
  assert.equal(room.rank('DAVE'), 2);
  room.removeMember('carol');
  assert.equal(room.role('carol'), 'member', 'a member who left keeps no role');
  room.addMember('bob');
  assert.equal(room.members.length, 3, 'added once');
});

test('typing lasts a few seconds unless renewed', () => {
  const room = new Conversation('room', 'den');
  assert.equal(room.setTyping('bob', true, 0), true);
  assert.equal(room.setTyping('bob', true, 1000), false, 'renewed, not new');
  assert.deepEqual(room.typers, ['bob']);
  assert.equal(room.expireTyping(1000 + TYPING_LASTS_MS - 1), false);
  assert.equal(room.expireTyping(1000 + TYPING_LASTS_MS), true);
  assert.deepEqual(room.typers, []);
});
