// The browser inspector's FrameLog on its own, with Node's test runner: no
// browser needed for what is pure logic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameLog } from '../../resources/web/framelog.js';

test('frames are kept in order with direction, type, room and size in bytes', () => {
  const log = new FrameLog(10, 'wss');
  log.record('sent', '{"type":"say","room":"café","text":"héllo"}');
  log.record('received', '{"type":"message","room":"café","text":"héllo","seq":1}');
  log.record('received', 'not json');
  assert.deepEqual(log.frames.map((f) => [f.direction, f.type, f.room]),
    [['sent', 'say', 'café'], ['received', 'message', 'café'], ['received', '', '']]);
  assert.equal(log.frames[0].size, 45); // UTF-8 bytes (43 characters)
  assert.equal(log.frames[0].transport, 'wss');
  assert.deepEqual([...log.types].sort(), ['message', 'say']);
});

for (const [capacity, count] of [[5, 12], [3, 3], [1000, 5000]]) {
  test(`bounded: ${count} frames into a log of ${capacity}`, () => {
    const log = new FrameLog(capacity);
    for (let i = 0; i < count; i += 1) log.record('received', JSON.stringify({ type: 'message', seq: i }));
    assert.equal(log.frames.length, Math.min(capacity, count));
    assert.equal(log.total, count);
    assert.equal(JSON.parse(log.frames.at(-1).raw).seq, count - 1);
    assert.equal(log.oldest, log.frames[0].n);
  });
}

test('filters by type and room, room in any case', () => {
  const log = new FrameLog();
  log.record('sent', '{"type":"say","room":"physics","text":"a"}');
  log.record('received', '{"type":"message","room":"Physics","text":"a"}');
  log.record('received', '{"type":"message","room":"lobby","text":"b"}');
  log.record('received', '{"type":"pong"}');
  assert.equal(log.filtered().length, 4);
  assert.equal(log.filtered('message').length, 2);
  assert.equal(log.filtered('', 'physics').length, 2);
  assert.equal(log.filtered('message', 'LOBBY').length, 1);
  assert.equal(log.filtered('whisper').length, 0);
});

test('paused frames are counted, not kept', () => {
  const log = new FrameLog();
  let changes = 0;
  log.onChange = () => { changes += 1; };
  log.record('sent', '{}');
  log.setPaused(true);
  log.record('received', '{}');
  log.record('received', '{}');
  assert.equal(log.frames.length, 1);
  assert.equal(log.missed, 2);
  log.setPaused(false);
  assert.equal(log.missed, 0);
  assert.ok(changes >= 4);
});

test('exported as JSON lines, the same format as the desktop client', () => {
  const log = new FrameLog(10, 'ws');
  const time = new Date(Date.UTC(2026, 10, 30, 9, 15, 2, 250));
  log.record('sent', '{"type":"say","room":"lobby","text":"hi"}', time);
  log.record('received', 'garbage', time);
  const lines = FrameLog.toJsonLines(log.frames).split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.deepEqual(JSON.parse(lines[0]), {
    time: '2026-11-30T09:15:02.250Z', direction: 'sent', transport: 'ws', size: 41,
    frame: { type: 'say', room: 'lobby', text: 'hi' },
  });
  assert.equal(JSON.parse(lines[1]).frame, 'garbage');
  assert.equal(FrameLog.pretty(log.frames[0]), '{\n    "type": "say",\n    "room": "lobby",\n    "text": "hi"\n}');
});
