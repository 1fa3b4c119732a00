// Pure parts of the browser client's view, with Node's test runner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nickColor, nickHue } from '../../resources/web/view.js';

// The same rows as the desktop client's tst_nickcolors: one colour per nick
// in both clients.
const hues = [['alice', 239], ['Bob', 284], ['BOB', 284], ['Zoë', 135], ['田中', 6]];

for (const [nick, hue] of hues) {
  test(`${nick} has hue ${hue}`, () => assert.equal(nickHue(nick), hue));
}

test('a nick colour is an hsl() the page can use', () => {
  assert.equal(nickColor('alice'), 'hsl(239 65% 36%)');
});
