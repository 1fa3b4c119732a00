// Private conversations that last, in the browser client (protocol section
// 19): history shown when one opens, caught up after a server restart, and a
// message to an offline account that waits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpClient, serverAndBrowser } from './support.mjs';

const lab = serverAndBrowser(['--flood-rate', '0']);
const PASSWORD = 'correct horse battery';

async function account(nick, registering) {
  const client = await TcpClient.connect(lab.server.tcpPort);
  client.send(registering ? { type: 'hello', nick } : { type: 'hello', nick, login: { account: nick, password: PASSWORD } });
  await client.ofType('welcome');
  if (registering) {
    client.send({ type: 'register', password: PASSWORD });
    await client.ofType('registered');
  }
  return client;
}

function shownTexts(page) {
  return page.$$eval('#messages li.message .text', (items) => items.map((item) => item.textContent));
}

test('a private conversation is read back, caught up and waits for the offline', async () => {
  let quin = await account('quin', true);
  const zed = await account('zed', true);
  zed.send({ type: 'quit' });
  zed.close();

  // pia registers from the login form, so the conversation is hers for good.
  const context = await lab.browser.newContext();
  const pia = await context.newPage();
  pia.problems = [];
  pia.on('pageerror', (error) => pia.problems.push(error.message));
  await pia.goto(lab.server.url);
  await pia.fill('#nick', 'pia');
  await pia.selectOption('#account-mode', 'register');
  await pia.fill('#account-password', PASSWORD);
  await pia.click('#login-button');
  await pia.locator('#status', { hasText: 'account pia' }).waitFor();

  for (const text of ['q1', 'q2']) {
    quin.send({ type: 'whisper', to: 'pia', text });
    await quin.ofType('private', (m) => m.text === text);
  }
  const chat = pia.locator('#conversations li', { hasText: 'quin' });
  await chat.click();
  await pia.locator('#messages li.message', { hasText: 'q2' }).waitFor();
  assert.deepEqual(await shownTexts(pia), ['q1', 'q2']);

  // The server restarts; quin says more while pia is away.
  assert.equal(await lab.server.stop(), 0);
  await pia.locator('#status', { hasText: 'Reconnecting' }).waitFor();
  await lab.server.start(['--flood-rate', '0']);
  quin.close();
  quin = await account('quin', false);
  for (const text of ['q3', 'q4']) {
    quin.send({ type: 'whisper', to: 'pia', text });
    await quin.ofType('private', (m) => m.text === text);
  }
  await pia.locator('#status', { hasText: 'Connected' }).waitFor({ timeout: 60000 });
  await pia.locator('#messages li.message', { hasText: 'q4' }).waitFor();
  assert.deepEqual(await shownTexts(pia), ['q1', 'q2', 'q3', 'q4']);
  const seqs = await pia.$$eval('#messages li.message', (items) => items.map((item) => Number(item.dataset.seq)));
  assert.deepEqual(seqs, [1, 2, 3, 4]);

  // Closed and opened again: read back from the server.
  await pia.fill('#input', '/leave');
  await pia.press('#input', 'Enter');
  await chat.waitFor({ state: 'detached' });
  await pia.fill('#input', '/msg quin back again');
  await pia.press('#input', 'Enter');
  await pia.locator('#messages li.message', { hasText: 'back again' }).waitFor();
  await pia.locator('#messages li.message', { hasText: 'q1' }).waitFor();
  assert.deepEqual(await shownTexts(pia), ['q1', 'q2', 'q3', 'q4', 'back again']);

  // To an account that is offline: it waits, and the page says so.
  await pia.fill('#input', '/msg zed see you tomorrow');
  await pia.press('#input', 'Enter');
  await pia.locator('#messages li.notice', { hasText: 'zed is offline: they will get it when they log in' }).waitFor();
  const later = await account('zed', false);
  const waited = await later.ofType('private');
  assert.equal(waited.text, 'see you tomorrow');
  assert.equal(waited.from, 'pia');
  assert.deepEqual(pia.problems, []);
  await context.close();
  later.close();
  quin.close();
});
