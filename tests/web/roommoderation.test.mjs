// roommoderation.js alone, with Node's test runner: what the user may do in
// a room by the roles, and how modes and lists are worded (the desktop's
// tests/session/tst_moderation).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../resources/web/conversation.js';
import { auditLines, banLines, maskFor, mayChangeModes, mayGrant, mayModerate, modesChanged, rankIn }
  from '../../resources/web/roommoderation.js';
import { recordingHost } from './host.mjs';

function den(roles) {
  const room = new Conversation('room', 'den');
  room.joined = true;
  room.setMembers(['boss', 'bob', 'me']);
  for (const [nick, role] of Object.entries(roles)) room.setRole(nick, role);
  return room;
}

test('masks: a nick becomes nick:, a mask stays', () => {
  assert.equal(maskFor('dave'), 'nick:dave');
  assert.equal(maskFor('spam*'), 'nick:spam*');
  assert.equal(maskFor('address:192.0.2.7'), 'address:192.0.2.7');
});

test('an op moderates members, not the owner nor itself; only the owner grants', () => {
  const room = den({ boss: 'owner', me: 'op' });
  assert.equal(rankIn(room, 'me'), 1);
  assert.equal(mayModerate(room, 'me', 'bob'), true);
  assert.equal(mayModerate(room, 'me', 'boss'), false);
  assert.equal(mayModerate(room, 'me', 'ME'), false);
  assert.equal(mayGrant(room, 'me', 'bob'), false);
  assert.equal(mayGrant(room, 'boss', 'me'), true);
  assert.equal(mayChangeModes(room, 'me'), true);
  assert.equal(mayChangeModes(room, 'bob'), false);
  room.joined = false;
  assert.equal(mayModerate(room, 'me', 'bob'), false, 'nothing in a room one has left');
});

test('mode changes are worded as +i -t, a new key always as +k', () => {
  const none = { invite_only: false, has_key: false, topic_locked: false };
  assert.equal(modesChanged(none, { invite_only: true, has_key: false, topic_locked: false }).what, '+i');
  const keyed = modesChanged({ ...none, has_key: true }, { invite_only: false, has_key: true, topic_locked: false });
  assert.equal(keyed.what, '+k');
  const off = modesChanged({ invite_only: true, has_key: true, topic_locked: true },
    { invite_only: false, has_key: false, topic_locked: false });
  assert.equal(off.what, '-i -k -t');
  assert.deepEqual(off.modes, none);
});

test('ban lists and audit pages as lines', () => {
  assert.deepEqual(banLines('Bans in #den', []), ['Bans in #den: none']);
  const lines = banLines('Bans in #den', [{ mask: 'nick:spam*', by: 'bob', reason: 'spam' }]);
  assert.deepEqual(lines, ['Bans in #den:', '  nick:spam* — by bob (spam), for ever']);
  assert.deepEqual(auditLines([]), ['No moderation recorded']);
  const [line] = auditLines([{ ts: Date.now(), by: 'bob', action: 'kick', target: 'dave', room: 'den', reason: 'spam' }]);
  assert.match(line, /^\d\d:\d\d bob kick dave in #den \(spam\)$/);
});

// The shared recording host (host.mjs), the requests flattened.
function moderationHost(room) {
  const recorded = recordingHost({ conversations: [room], active: room });
  const sent = [];
  recorded.host.send = (type, fields) => sent.push({ type, ...fields });
  return { host: recorded.host, sent, lines: recorded.lines };
}

test('requests as sent: masks, durations and reasons only when given', async () => {
  const { RoomModeration } = await import('../../resources/web/roommoderation.js');
  const room = den({ me: 'op' });
  const { host, sent } = moderationHost(room);
  const moderation = new RoomModeration(host);
  moderation.kick(room, 'bob', '  ');
  moderation.ban(room, 'spam*', 3600, ' spam ');
  moderation.mute(room, 'bob');
  moderation.serverBan('address:192.0.2.7', null, '', room);
  assert.deepEqual(sent, [
    { type: 'kick', room: 'den', nick: 'bob' },
    { type: 'ban', room: 'den', mask: 'nick:spam*', duration: 3600, reason: 'spam' },
    { type: 'mute', room: 'den', nick: 'bob' },
    { type: 'server_ban', mask: 'address:192.0.2.7' },
  ]);
});

test('events change the room: a kick of someone else, and of the user', async () => {
  const { RoomModeration } = await import('../../resources/web/roommoderation.js');
  const room = den({ me: 'op' });
  const { host, lines } = moderationHost(room);
  const moderation = new RoomModeration(host);
  moderation.kicked({ room: 'den', nick: 'bob', by: 'me' });
  assert.equal(room.hasMember('bob'), false);
  moderation.kicked({ room: 'den', nick: 'me', by: 'boss', reason: 'enough' });
  assert.equal(room.joined, false);
  assert.deepEqual(lines, ['error: You were removed from #den by boss: enough']);
  moderation.banList({ room: 'den', bans: [] }, room);
  assert.equal(lines.at(-1), 'Bans in #den: none');
});
