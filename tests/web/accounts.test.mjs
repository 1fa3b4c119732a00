// accounts.js alone, with Node's test runner: registering, logging in from
// a guest session and back, changing the password (the desktop's
// tests/session/tst_accounts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Accounts } from '../../resources/web/accounts.js';
import { Conversation } from '../../resources/web/conversation.js';
import { recordingHost } from './host.mjs';

const lobby = new Conversation('room', 'lobby');

const registrations = [
  ['a short password is refused before it travels', '', 'short', 0, /too short/],
  ['a good one is sent, answered as a registration', '', 'long enough', 1, null],
  ['logged in already: nothing is sent', 'alice', 'long enough', 0, /logged in to alice already/],
];
for (const [name, account, password, sends, line] of registrations) {
  test(`register: ${name}`, () => {
    const { host, sent, lines } = recordingHost({ active: lobby });
    const accounts = new Accounts(host);
    accounts.account = account;
    accounts.registerAccount(password, lobby);
    assert.equal(sent.length, sends);
    if (sends) assert.deepEqual([sent[0].type, sent[0].purpose, sent[0].fields], ['register', 'register', { password }]);
    if (line) assert.match(lines.join('\n'), line);
  });
}

test('a registration makes every later hello log in, and the password change follows', () => {
  const { host, sent, emitted, lines } = recordingHost({ active: lobby });
  const accounts = new Accounts(host);
  accounts.registerAccount('long enough', lobby);
  accounts.registered({ account: 'me' }, { conversation: lobby });
  assert.equal(accounts.account, 'me');
  assert.deepEqual(accounts.login, { account: 'me', password: 'long enough' });
  assert.deepEqual(emitted, [{ type: 'account', account: 'me' }]);
  assert.match(lines[0], /me is now a registered account/);
  accounts.changePassword('long enough', 'even longer', lobby);
  assert.deepEqual(sent[1].fields, { old: 'long enough', new: 'even longer' });
  accounts.passwordChanged({ conversation: lobby });
  assert.deepEqual(accounts.login, { account: 'me', password: 'even longer' });
});

test('a guest logging in comes back as the account, and back as the guest if refused', () => {
  const { host, cameBack } = recordingHost({ nick: 'guest1' });
  const accounts = new Accounts(host);
  accounts.logIn('alice', 'secret pass');
  assert.deepEqual(cameBack, [{ nick: 'alice', reason: 'logging in' }]);
  assert.deepEqual(accounts.login, { account: 'alice', password: 'secret pass' });
  assert.equal(accounts.backToGuest(), true, 'the server refused: the guest it was');
  assert.equal(accounts.login, null);
  assert.equal(accounts.backToGuest(), false, 'once');
});

test('a logged-in user logging in to another account keeps the nick, with no way back as a guest', () => {
  const { host, cameBack } = recordingHost({ nick: 'alice' });
  const accounts = new Accounts(host);
  accounts.welcomed('alice');
  accounts.logIn('bob', 'secret pass');
  assert.deepEqual(cameBack, [{ nick: 'alice', reason: 'logging in' }]);
  assert.equal(accounts.backToGuest(), false);
});

test('welcomed: the account announced only when it changes; a registration asked for before is sent', () => {
  const { host, sent, emitted } = recordingHost();
  const accounts = new Accounts(host);
  accounts.choose({ register: 'long enough' });
  accounts.welcomed('');
  assert.deepEqual(emitted, []);
  accounts.registerIfAsked();
  assert.deepEqual([sent[0].type, sent[0].purpose], ['register', 'register']);
  accounts.welcomed('me');
  accounts.welcomed('me');
  assert.deepEqual(emitted, [{ type: 'account', account: 'me' }]);
  accounts.registerIfAsked();
  assert.equal(sent.length, 1, 'logged in: nothing more to register');
});
