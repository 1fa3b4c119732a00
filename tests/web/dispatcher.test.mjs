// dispatcher.js alone, with Node's test runner: what each line the user
// types asks of the session, against a session that only records calls.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandDispatcher } from '../../resources/web/dispatcher.js';

function recordingSession(rooms = {}) {
  const calls = [];
  const session = new Proxy({}, {
    get(_, name) {
      if (name === 'room') return (roomName) => rooms[roomName] ?? null;
      return (...args) => calls.push([name, ...args]);
    },
  });
  return { session, calls };
}

const lobby = { type: 'room', name: 'lobby', topic: 'Friday', modes: { invite_only: true } };
const chat = { type: 'private', name: 'bob' };

for (const [input, where, expected] of [
  ['hello', lobby, [['sendText', lobby, 'hello']]],
  ['   ', lobby, []],
  ['/me waves', lobby, [['sendText', lobby, 'waves', true]]],
  ['/msg bob hi there', lobby, [['whisperFrom', lobby, 'bob', 'hi there']]],
  ['/topic', lobby, [['notice', lobby, 'Topic: Friday']]],
  ['/topic New one', lobby, [['setTopic', lobby, 'New one']]],
  ['/topic New one', chat, [['error', chat, 'That command works in a room']]],
  ['/who', lobby, [['showMembers', 'lobby', lobby]]],
  ['/who den', chat, [['showMembers', 'den', chat]]],
  ['/list', chat, [['showRoomList', chat]]],
  ['/nick carol', lobby, [['changeNick', 'carol', lobby]]],
  ['/mode', lobby, [['notice', lobby, '#lobby: invitation only (+i)']]],
  ['/kick dan spam', lobby, [['kick', lobby, 'dan', 'spam']]],
  ['/away lunch', lobby, [['setAway', 'lunch']]],
  ['/back', lobby, [['setAway', '']]],
  ['/leave #nowhere', lobby, [['error', lobby, 'You are not in nowhere']]],
  ['/leave bye all', lobby, [['leave', lobby, 'bye all']]],
]) {
  test(`"${input}" in ${where.name}`, () => {
    const { session, calls } = recordingSession({ lobby });
    new CommandDispatcher(session).run(where, input);
    assert.deepEqual(calls, expected);
  });
}

test('an unknown command is answered where it was typed', () => {
  const { session, calls } = recordingSession();
  new CommandDispatcher(session).run(lobby, '/frobnicate');
  assert.equal(calls.length, 1);
  assert.equal(calls[0][0], 'error');
  assert.equal(calls[0][1], lobby);
  assert.match(calls[0][2], /frobnicate/);
});
