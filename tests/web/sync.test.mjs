// sync.js alone, with Node's test runner: the same cases as the desktop
// client's tst_roomsync.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomSync } from '../../resources/web/sync.js';

const message = (seq, rev) => ({ type: 'message', room: 'lobby', from: 'ann', text: `m${seq}`, ts: 1000 + seq, seq, ...(rev ? { rev } : {}) });
const messages = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
const seqs = (list) => list.map((m) => m.seq);

test('the first join shows its history', () => {
  const sync = new RoomSync();
  const steps = sync.joined(messages(1, 3), 2);
  assert.deepEqual(seqs(steps.show), [1, 2, 3]);
  assert.deepEqual(steps.refresh, []);
  assert.equal(steps.historyAfter, null);
  assert.equal(steps.changesAfter, null);
  assert.equal(sync.lastSeq, 3);
  assert.equal(sync.lastRev, 2);
});

// Shown 1..3 before the drop; joined brings `from`..5.
for (const [name, from, shown, refreshed] of [['overlapping', 2, [4, 5], [2, 3]], ['right after', 4, [4, 5], []],
  ['nothing new', 1, [4, 5], [1, 2, 3]]]) {
  test(`a rejoin covered by joined: ${name}`, () => {
    const sync = new RoomSync();
    sync.joined(messages(1, 3));
    sync.disconnected();
    const steps = sync.joined(messages(from, 5));
    assert.deepEqual(seqs(steps.show), shown);
    assert.deepEqual(seqs(steps.refresh), refreshed);
    assert.equal(steps.historyAfter, null);
    assert.equal(sync.lastSeq, 5);
  });
}

test('a rejoin with a gap catches up and holds live messages', () => {
  const sync = new RoomSync();
  sync.joined(messages(1, 3));
  sync.disconnected();
  let steps = sync.joined(messages(10, 12));
  assert.deepEqual(steps.show, []);
  assert.equal(steps.historyAfter, 3);
  assert.equal(sync.catchingUp, true);
  assert.deepEqual(sync.live(message(13)).show, []);
  assert.deepEqual(sync.live(message(14)).show, []);
  steps = sync.caughtUp(messages(4, 8), 5);
  assert.deepEqual(seqs(steps.show), [4, 5, 6, 7, 8]);
  assert.equal(steps.historyAfter, 8);
  steps = sync.caughtUp(messages(9, 13), 200);
  assert.deepEqual(seqs(steps.show), [9, 10, 11, 12, 13, 14]);
  assert.equal(steps.historyAfter, null);
  assert.equal(sync.catchingUp, false);
  assert.deepEqual(seqs(sync.live(message(15)).show), [15]);
});

test('changes missed are asked for in order', () => {
  const sync = new RoomSync();
  sync.joined(messages(1, 3), 2);
  sync.changeHeard(3);
  sync.disconnected();
  let steps = sync.joined(messages(1, 3), 7);
  assert.equal(steps.changesAfter, 3);
  assert.equal(sync.lastRev, 3);
  steps = sync.changes([message(1, 5), message(2, 6)], 2);
  assert.deepEqual(seqs(steps.refresh), [1, 2]);
  assert.equal(steps.changesAfter, 6);
  steps = sync.changes([message(3, 7)], 2);
  assert.equal(steps.changesAfter, null);
  assert.equal(sync.lastRev, 7);
  sync.disconnected();
  assert.equal(sync.joined(messages(1, 3), 7).changesAfter, null);
});

test('duplicates are dropped', () => {
  const sync = new RoomSync();
  sync.joined(messages(1, 3));
  assert.deepEqual(sync.live(message(3)).show, []);
  assert.deepEqual(sync.live(message(2)).show, []);
  assert.equal(sync.take(3), false);
  assert.equal(sync.take(0), true);
  assert.equal(sync.take(4), true);
  assert.equal(sync.lastSeq, 4);
});

test('a drop forgets what was held back', () => {
  const sync = new RoomSync();
  sync.joined(messages(1, 3));
  sync.disconnected();
  sync.joined(messages(10, 12));
  sync.live(message(13));
  sync.disconnected();
  assert.equal(sync.catchingUp, false);
  sync.joined(messages(10, 13));
  assert.deepEqual(seqs(sync.caughtUp(messages(4, 13), 200).show), seqs(messages(4, 13)));
});
