// rooms.js alone, with Node's test runner: /list and /who as lines (the
// same words as the desktop client).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memberListLine, roomListLines, RoomsListed } from '../../resources/web/rooms.js';

test('the room list: busiest first, then by name, at most a screenful', () => {
  assert.deepEqual(roomListLines([]), ['No rooms on this server yet.']);
  const lines = roomListLines([{ name: 'dev', members: 1, topic: 'code' }, { name: 'lobby', members: 3, topic: '' }]);
  assert.deepEqual(lines, ['Rooms on this server (2):', '#lobby · 3 people', '#dev · 1 person · code']);
  const many = Array.from({ length: RoomsListed + 5 }, (_, i) => ({ name: `r${i}`, members: 1, topic: '' }));
  const cut = roomListLines(many);
  assert.equal(cut.length, RoomsListed + 2);
  assert.match(cut.at(-1), /and 5 more/);
});

test('who: a room\'s members, or everyone, sorted', () => {
  assert.equal(memberListLine({ room: 'lobby', members: ['bob', 'alice'] }), 'In lobby: alice, bob');
  assert.equal(memberListLine({ room: null, members: ['carol', 'alice'] }), 'Online: alice, carol');
});
