// The browser client's command parser with Node's test runner, held to the
// same rows as the desktop client's tst_commandparser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carriesSecret, describeDuration, parseCommand, parseDuration } from '../../resources/web/commands.js';

const rows = [
  ['hello there', 'say', undefined, 'hello there'],
  ['//not a command', 'say', undefined, '/not a command'],
  ['/join dev', 'join', 'dev', undefined],
  ['/join #dev', 'join', 'dev', undefined],
  ['/JOIN dev', 'join', 'dev', undefined],
  ['/join', 'invalid'],
  ['/join a b c', 'invalid'],
  ['/leave', 'leave', undefined, ''],
  ['/leave #dev bye', 'leave', 'dev', 'bye'],
  ['/part', 'leave', undefined, ''],
  ['/msg bob hi there', 'msg', 'bob', 'hi there'],
  ['/msg bob', 'invalid'],
  ['/me waves at everyone', 'me', undefined, 'waves at everyone'],
  ['/me', 'invalid'],
  ['/nick alicia', 'nick', 'alicia', undefined],
  ['/away out to lunch', 'away', undefined, 'out to lunch'],
  ['/away', 'away', undefined, ''],
  ['/back', 'back'],
  ['/list', 'list'],
  ['/dance', 'invalid'],
  ['line one\nline two', 'say', undefined, 'line one\nline two'],
];

for (const [input, kind, target, text] of rows) {
  test(`parses ${JSON.stringify(input)}`, () => {
    const command = parseCommand(input);
    assert.equal(command.kind, kind);
    if (kind === 'invalid') {
      assert.match(command.error, /^(usage: \/|unknown command \/)/);
      return;
    }
    if (target !== undefined) assert.equal(command.target, target);
    if (text !== undefined) assert.equal(command.text ?? '', text);
  });
}

test('durations, both ways', () => {
  assert.equal(parseDuration('90m'), 5400);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('soon'), null);
  assert.equal(describeDuration(5400), '90 minutes');
  assert.equal(describeDuration(604800), '1 week');
});

test('lines with passwords stay out of the input history', () => {
  assert.ok(carriesSecret('/login ada hunter22'));
  assert.ok(carriesSecret('/register hunter22'));
  assert.ok(!carriesSecret('/logistics'));
  assert.ok(!carriesSecret('I forgot my /password'));
});
