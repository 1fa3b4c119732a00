// readmarkers.js alone, with Node's test runner: the `read` request, a
// marker from another device, and mentions (the desktop's
// tests/session/tst_readmarkers).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../resources/web/conversation.js';
import { markerApplied, mentions, ReadMarkers, readRequest } from '../../resources/web/readmarkers.js';
import { recordingHost } from './host.mjs';

function roomWith(seqs, { own = [], mention = [] } = {}) {
  const room = new Conversation('room', 'lobby');
  room.joined = true;
  room.sync.joined(seqs.map((seq) => ({ seq, text: `m${seq}` })), undefined);
  room.entries = seqs.map((seq) => ({ kind: 'message', seq, own: own.includes(seq), mention: mention.includes(seq) }));
  return room;
}

test('read says how far, once, and only for a room one is in', () => {
  const room = roomWith([1, 2, 3]);
  assert.deepEqual(readRequest(room), { room: 'lobby', seq: 3 });
  assert.equal(readRequest(room), null, 'nothing new since');
  const left = roomWith([1]);
  left.joined = false;
  assert.equal(readRequest(left), null);
  const chat = new Conversation('private', 'bob');
  chat.sync.take(4);
  assert.deepEqual(readRequest(chat), { with: 'bob', seq: 4 });
});

test('a marker counts what came after it and is someone else\'s', () => {
  const room = roomWith([1, 2, 3, 4], { own: [4], mention: [3] });
  markerApplied(room, 1, false);
  assert.equal(room.unread, 2);
  assert.equal(room.mention, true);
  markerApplied(room, 3, false);
  assert.equal(room.unread, 0);
  assert.equal(room.mention, false);
  markerApplied(room, 2, false);
  assert.equal(room.readSeq, 3, 'markers only move forwards');
  const looking = roomWith([1, 2]);
  markerApplied(looking, 0, true);
  assert.equal(looking.unread, 0, 'nothing is unread while the user looks');
});

test('a mention is the nick as a word of its own, in any case', () => {
  for (const [text, expected] of [['hi me', true], ['ME: look', true], ['some meat', false], ['a.me', false], ['hello', false]]) {
    assert.equal(mentions('me', text), expected, text);
  }
  assert.equal(mentions('', 'anything'), false);
});

test('ReadMarkers: how far the user read is told once, without an id, and only when welcomed', () => {
  const room = roomWith([1, 2, 3]);
  for (const welcomed of [false, true]) {
    const { host, told } = recordingHost({ conversations: [room], welcomed });
    const markers = new ReadMarkers(host);
    markers.markRead(room);
    markers.markRead(room);
    assert.deepEqual(told, welcomed ? [{ type: 'read', room: 'lobby', seq: 3 }] : [], `welcomed: ${welcomed}`);
  }
});

test('ReadMarkers: a marker from another device goes to its conversation; all read clears every count', () => {
  const room = roomWith([1, 2, 3]);
  const chat = new Conversation('private', 'bob');
  const { host, emitted } = recordingHost({ conversations: [room, chat] });
  const markers = new ReadMarkers(host);
  markers.readMarker({ room: 'LOBBY', seq: 1 });
  assert.equal(room.readSeq, 1);
  assert.equal(room.unread, 2);
  markers.readMarker({ with: 'nobody', seq: 1 });
  markers.markAllRead();
  assert.equal(room.unread, 0);
  assert.equal(emitted.filter((e) => e.type === 'changed').length, 2);
});
