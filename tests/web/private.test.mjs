// Private conversations that last, in the browser client (protocol section
// 19): history shown when one opens, caught up after a server restart, and a
// message to an offline account that waits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpClient, serverAndBrowser } from './support.mjs';

const lab = serverAndBrowser(['--flood-rate', '0']);
const PASSWORD = 'correct horse battery';

// A TCP user with an account: registered now, or logged in (as `nick`, which
// need not be the account's name).
async function account(name, registering, nick = name) {
  const client = await TcpClient.connect(lab.server.tcpPort);
  client.send(registering ? { type: 'hello', nick } : { type: 'hello', nick, login: { account: name, password: PASSWORD } });
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
  // Rooms first, then direct messages, each under its heading.
  assert.deepEqual(await pia.$$eval('#conversations li', (items) => items.map((item) => item.className === 'section' ? item.textContent : item.dataset.key)),
    ['Rooms', 'room:lobby', 'Direct messages', 'private:quin']);
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

test('what is read on one device is read on the others', async () => {
  const talker = await TcpClient.connect(lab.server.tcpPort);
  await talker.login('talker', ['news']);
  const context = await lab.browser.newContext();
  const una = await context.newPage();
  una.problems = [];
  una.on('pageerror', (error) => una.problems.push(error.message));
  await una.goto(lab.server.url);
  await una.fill('#nick', 'una');
  await una.selectOption('#account-mode', 'register');
  await una.fill('#account-password', PASSWORD);
  await una.click('#login-button');
  await una.locator('#status', { hasText: 'account una' }).waitFor();
  await una.fill('#input', '/join news');
  await una.press('#input', 'Enter');
  await una.locator('#conversation-title', { hasText: '#news' }).waitFor();
  // Her phone: the same account, another session.
  const phone = await account('una', false, 'una_phone');
  await una.locator('#conversations li', { hasText: '#lobby' }).click();

  let last = 0;
  for (const text of ['n1', 'n2']) {
    talker.send({ type: 'say', room: 'news', text });
    last = (await talker.ofType('message', (m) => m.text === text)).seq;
  }
  const news = una.locator('#conversations li', { hasText: '#news' });
  await news.locator('.unread', { hasText: '2' }).waitFor();

  // Read on the phone: the page's count goes.
  phone.send({ type: 'join', room: 'news' });
  await phone.ofType('joined');
  phone.send({ type: 'read', room: 'news', seq: last });
  await news.locator('.unread').waitFor({ state: 'detached' });

  // Read on the page (looking at the room, then away): the phone hears it.
  talker.send({ type: 'say', room: 'news', text: 'n3' });
  const third = await talker.ofType('message', (m) => m.text === 'n3');
  await news.locator('.unread', { hasText: '1' }).waitFor();
  await news.click();
  await una.locator('#conversations li', { hasText: '#lobby' }).click();
  const marker = await phone.ofType('read_marker', (m) => m.seq === third.seq);
  assert.equal(marker.room, 'news');
  assert.deepEqual(una.problems, []);
  await context.close();
  phone.close();
  talker.close();
});
