// The browser client's refusal.js, held to the same rows as the desktop
// client's tst_refusal: whole sentences, each said once, the same words.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sentence, withAdvice } from '../../resources/web/refusal.js';

const rows = [
  ['a nick must not start with a digit', 'Nicknames are short.', 'A nick must not start with a digit. Nicknames are short.'],
  ['Enter a nickname.', 'Nicknames are short.', 'Enter a nickname. Nicknames are short.'],
  ['this server needs a password', 'This server needs a password.', 'This server needs a password.'],
  ['bob is not online', '', 'bob is not online.'],
  ['wrong password', '', 'Wrong password.'],
];

for (const [message, advice, shown] of rows) {
  test(`withAdvice: ${message}`, () => assert.equal(withAdvice(message, advice), shown));
}

test('sentence adds the advice for the code', () => {
  assert.equal(sentence('invite_only', 'club is by invitation only'),
    'club is by invitation only. Ask one of its ops to invite you.');
  assert.equal(sentence('server_full', ''), 'Server full.');
});
