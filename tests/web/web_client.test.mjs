// The browser client end to end: Debian's Chromium, a real confab-server and
// TCP users on the other side.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, TcpClient, launchBrowser, messageItems, openChat, saveScreenshot } from './support.mjs';

let server;
let browser;

before(async () => {
  server = new Server();
  await server.start(['--flood-rate', '0', '--motd', 'Hello from the web test server']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanUp();
});

test('two browser users and a TCP user see each other', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('terminal', ['lobby']);
  const ann = await openChat(browser, server, 'ann');
  // The message of the day: a banner, not a line among the messages.
  await ann.locator('#motd', { hasText: 'Hello from the web test server' }).waitFor();
  assert.equal(await ann.locator('#messages li', { hasText: 'Hello from the web test server' }).count(), 0);
  await ann.click('#close-motd');
  assert.equal(await ann.locator('#motd').isVisible(), false);
  const ben = await openChat(browser, server, 'ben');

  await tcp.ofType('user_joined', (m) => m.nick === 'ann');
  await tcp.ofType('user_joined', (m) => m.nick === 'ben');
  await ann.locator('#messages li.event', { hasText: 'ben joined' }).waitFor();
  await ann.locator('#members li', { hasText: 'terminal' }).waitFor();

  await ann.fill('#input', 'hello from ann');
  await ann.press('#input', 'Enter');
  await messageItems(ben, 'hello from ann').waitFor();
  const atTcp = await tcp.ofType('message', (m) => m.text === 'hello from ann');
  assert.equal(atTcp.from, 'ann');

  tcp.send({ type: 'say', room: 'lobby', text: 'hello from a terminal' });
  await messageItems(ann, 'hello from a terminal').waitFor();
  await messageItems(ben, 'hello from a terminal').waitFor();

  tcp.send({ type: 'topic', room: 'lobby', topic: 'Browsers welcome' });
  await ann.locator('#conversation-topic', { hasText: 'Browsers welcome' }).waitFor();

  await ben.close();
  await ann.locator('#messages li.event', { hasText: 'ben left' }).waitFor();
  assert.equal(await messageItems(ann, 'hello from ann').count(), 1);
  assert.deepEqual(ann.problems, []);
  await ann.context().close();
  tcp.close();
});

test('a run of room events collapses into one line that opens', async () => {
  const ann = await openChat(browser, server, 'runwatcher');
  await ann.fill('#input', '/join busy');
  await ann.press('#input', 'Enter');
  await ann.locator('#conversation-title', { hasText: 'busy' }).waitFor();
  const guests = [];
  for (const nick of ['guest1', 'guest2']) {
    const guest = await TcpClient.connect(server.tcpPort);
    await guest.login(nick, ['busy']);
    guests.push(guest);
  }
  // Two events: shown as they are, dimmed.
  await ann.locator('#messages li.event', { hasText: 'guest2 joined' }).waitFor();
  assert.equal(await ann.locator('#messages .run-summary').count(), 0);
  const third = await TcpClient.connect(server.tcpPort);
  await third.login('guest3', ['busy']);
  guests.push(third);
  const summary = ann.locator('#messages li.run-summary', { hasText: '3 room events: guest1 joined, guest2 joined, guest3 joined' });
  await summary.waitFor();
  assert.equal(await ann.locator('#messages li.event:not(.run-summary)', { hasText: 'guest1 joined' }).isVisible(), false);
  await summary.locator('.run-toggle', { hasText: 'show' }).click();
  await ann.locator('#messages li.event:not(.run-summary)', { hasText: 'guest1 joined' }).waitFor({ state: 'visible' });
  // Open, it stays open as the run grows; it closes again.
  guests[0].send({ type: 'quit' });
  await ann.locator('#messages li.event:not(.run-summary)', { hasText: 'guest1 left' }).waitFor({ state: 'visible' });
  await ann.locator('#messages .run-toggle', { hasText: 'hide' }).click();
  await ann.locator('#messages li.run-summary', { hasText: '4 room events' }).waitFor();
  assert.equal(await ann.locator('#messages li.event:not(.run-summary)', { hasText: 'guest1 left' }).isVisible(), false);
  assert.deepEqual(ann.problems, []);
  await ann.context().close();
  for (const guest of guests) guest.close();
});

test('private messages between a browser and a TCP user', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('dora', ['lobby']);
  const page = await openChat(browser, server, 'carl');

  // Clicking a member opens a private conversation with them.
  await page.locator('#members li', { hasText: 'dora' }).click();
  await page.locator('#conversation-title', { hasText: 'dora' }).waitFor();
  await page.fill('#input', 'psst, dora');
  await page.press('#input', 'Enter');
  const whisper = await tcp.ofType('private', (m) => m.text === 'psst, dora');
  assert.equal(whisper.from, 'carl');
  await messageItems(page, 'psst, dora').waitFor();

  // And the answer arrives there too.
  tcp.send({ type: 'whisper', to: 'carl', text: 'hi carl' });
  await messageItems(page, 'hi carl').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
  tcp.close();
});

test('user text is shown as text and runs nothing', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('mallory', ['lobby']);
  const page = await openChat(browser, server, 'victim');
  await page.evaluate(() => { window.pwned = false; });
  const attack = '<img src=x onerror="window.pwned=true;alert(1)"> <script>alert(2)</script> see https://example.org/?a=1&b=<2>';
  tcp.send({ type: 'say', room: 'lobby', text: attack });
  const item = messageItems(page, '<img src=x');
  await item.waitFor();
  assert.ok((await item.textContent()).includes(attack));
  assert.equal(await page.locator('#messages img, #messages script').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), false);
  const link = item.locator('a');
  assert.equal(await link.getAttribute('href'), 'https://example.org/?a=1&b=');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');

  // A message typed in the page is just as inert.
  await page.fill('#input', '<b onmouseover=alert(3)>bold?</b>');
  await page.press('#input', 'Enter');
  await messageItems(page, '<b onmouseover').waitFor();
  assert.equal(await page.locator('#messages b').count(), 0);

  // A direction override stays inside its own message: the text is isolated.
  tcp.send({ type: 'say', room: 'lobby', text: 'invoice \u202Etxt.exe' });
  const sneaky = messageItems(page, 'invoice');
  await sneaky.waitFor();
  const text = sneaky.locator('.text');
  assert.equal(await text.evaluate((node) => node.tagName), 'BDI');
  assert.equal(await text.evaluate((node) => getComputedStyle(node).unicodeBidi), 'isolate');
  assert.deepEqual(page.problems, []);
  await page.context().close();
  tcp.close();
});

test('nickname errors are shown beside the field', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('occupied');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.fill('#nick', 'Occupied');
  await page.click('#login-button');
  await page.locator('#nick-error', { hasText: 'already using' }).waitFor();
  await page.fill('#nick', '9lives');
  await page.click('#login-button');
  await page.locator('#nick-error', { hasText: 'digit' }).waitFor();
  // Whole sentences, each said once, the same words as the desktop client.
  assert.equal(await page.locator('#nick-error').textContent(),
    "A nick must not start with a digit. Nicknames are 1–32 letters, digits, '_', '-' or '.', and start with a letter or '_'.");
  await page.fill('#nick', '');
  await page.click('#login-button');
  await page.locator('#nick-error', { hasText: 'Enter a nickname' }).waitFor();
  assert.ok(!(await page.locator('#nick-error').textContent()).includes('..'));
  assert.ok(await page.locator('#login').isVisible());
  await context.close();
  tcp.close();
});

test('commands, room list and joining by name', async () => {
  const page = await openChat(browser, server, 'commander');
  await page.fill('#input', '/join planning');
  await page.press('#input', 'Enter');
  await page.locator('#conversation-title', { hasText: '#planning' }).waitFor();
  await page.fill('#input', '/topic Ship it');
  await page.press('#input', 'Enter');
  await page.locator('#conversation-topic', { hasText: 'Ship it' }).waitFor();
  await page.fill('#input', '/frobnicate');
  await page.press('#input', 'Enter');
  await page.locator('#messages li.error', { hasText: 'unknown command /frobnicate' }).waitFor();
  // /me is said as an action, and shown as one.
  await page.fill('#input', '/me waves');
  await page.press('#input', 'Enter');
  const action = page.locator('#messages li.message.action', { hasText: 'waves' });
  await action.waitFor();
  assert.equal(await action.locator('.from').textContent(), 'commander');
  assert.equal(await action.evaluate((item) => getComputedStyle(item).fontStyle), 'italic');
  // /list answers in the conversation, where it was typed.
  await page.fill('#input', '/list');
  await page.press('#input', 'Enter');
  await page.locator('#messages li', { hasText: 'Rooms on this server' }).waitFor();
  await page.locator('#messages li', { hasText: '#planning · 1 person · Ship it' }).waitFor();
  // A message to someone who is not online opens nothing; the room says why.
  await page.fill('#input', '/msg nobody-here hello?');
  await page.press('#input', 'Enter');
  await page.locator('#messages li.error', { hasText: 'nobody-here is not online' }).waitFor();
  assert.equal(await page.locator('#conversations li', { hasText: 'nobody-here' }).count(), 0);
  assert.equal(await page.locator('#conversation-title').textContent(), '#planning');
  await page.click('#room-list-button');
  await page.locator('#room-list li', { hasText: 'Ship it' }).waitFor();
  await page.fill('#join-name', 'design');
  await page.press('#join-name', 'Enter');
  await page.locator('#conversation-title', { hasText: '#design' }).waitFor();
  assert.equal(await page.locator('#conversations li:not(.section)').count(), 3);
  // /leave takes the room off the list, members and all.
  await page.fill('#input', '/leave');
  await page.press('#input', 'Enter');
  await page.locator('#conversations li', { hasText: '#design' }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('#conversations li:not(.section)').count(), 2);
  assert.notEqual(await page.locator('#conversation-title').textContent(), '#design');
  assert.equal(await page.locator('#members li', { hasText: 'commander' }).count(), 1);
  await page.context().close();
});

test('scrolling to the top loads older messages', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('archivist', ['archive']);
  for (let i = 1; i <= 80; i += 1) {
    tcp.send({ type: 'say', room: 'archive', text: `entry ${i}` });
    await tcp.ofType('message', (m) => m.text === `entry ${i}`);
  }
  const page = await openChat(browser, server, 'reader', { viewport: { width: 1000, height: 500 } });
  await page.fill('#input', '/join archive');
  await page.press('#input', 'Enter');
  await messageItems(page, 'entry 80').waitFor();
  assert.equal(await page.locator('#messages li.message').count(), 50);
  await page.$eval('#messages', (list) => { list.scrollTop = 0; });
  await page.waitForFunction(() => document.querySelectorAll('#messages li.message').length === 80);
  const seqs = await page.$$eval('#messages li.message', (items) => items.map((item) => Number(item.dataset.seq)));
  assert.deepEqual(seqs, Array.from({ length: 80 }, (_, i) => i + 1));
  assert.deepEqual(page.problems, []);
  await page.context().close();
  tcp.close();
});

test('a phone-sized screen shows one pane at a time', async () => {
  const page = await openChat(browser, server, 'phone', { viewport: { width: 390, height: 844 } });
  const sidebar = page.locator('#sidebar');
  const box = await sidebar.boundingBox();
  assert.ok(box.x + box.width <= 1, 'the conversation list starts off-screen');
  await page.click('#toggle-sidebar');
  await page.waitForFunction(() => document.getElementById('sidebar').getBoundingClientRect().left >= 0);
  await page.locator('#conversations li', { hasText: '#lobby' }).click();
  await page.waitForFunction(() => document.getElementById('sidebar').getBoundingClientRect().right <= 1);
  assert.ok(await page.locator('#input').isVisible());
  // Icons shipped with the page, not emoji that need a font.
  for (const button of ['#toggle-members', '#toggle-sidebar']) {
    assert.equal(await page.locator(`${button} svg`).count(), 1);
    assert.equal((await page.locator(button).textContent()).trim(), '');
  }
  await page.context().close();
});

test('who is typing, both ways', async () => {
  const page = await openChat(browser, server, 'typist');
  const teller = await TcpClient.connect(server.tcpPort);
  await teller.login('storyteller', ['lobby']);
  await page.locator('#members li', { hasText: 'storyteller' }).waitFor();

  teller.send({ type: 'typing', room: 'lobby' });
  await page.locator('#typing', { hasText: 'storyteller is typing…' }).waitFor();
  teller.send({ type: 'say', room: 'lobby', text: 'once upon a time' });
  await messageItems(page, 'once upon a time').waitFor();
  assert.equal(await page.locator('#typing').textContent(), '');

  // What the page types tells the others; a command tells nobody.
  await page.fill('#input', '/who');
  await page.fill('#input', '');
  await page.locator('#input').pressSequentially('hel');
  const typing = await teller.ofType('typing');
  assert.deepEqual(typing, { type: 'typing', room: 'lobby', from: 'typist' });
  await page.fill('#input', '');
  assert.equal((await teller.ofType('typing')).done, true);
  teller.send({ type: 'ping', id: 5 });
  await teller.ofType('pong');
  assert.deepEqual(teller.inbox.filter((m) => m.type === 'typing'), []);
  teller.close();
  await page.context().close();
});

test('away and back, both ways', async () => {
  const page = await openChat(browser, server, 'napper');
  const other = await TcpClient.connect(server.tcpPort);
  await other.login('walker', ['lobby']);
  await page.locator('#members li', { hasText: 'walker' }).waitFor();

  await page.fill('#input', '/away coffee');
  await page.press('#input', 'Enter');
  assert.deepEqual(await other.ofType('presence'), { type: 'presence', nick: 'napper', away: 'coffee' });
  await page.locator('#status', { hasText: 'away: coffee' }).waitFor();
  await page.fill('#input', '/back');
  await page.press('#input', 'Enter');
  assert.deepEqual(await other.ofType('presence'), { type: 'presence', nick: 'napper' });
  await page.waitForFunction(() => !document.getElementById('status').textContent.includes('away'));

  other.send({ type: 'away', message: 'walking the dog' });
  const walker = page.locator('#members li.away', { hasText: 'walker' });
  await walker.waitFor();
  assert.equal(await walker.locator('.badge').textContent(), 'away');
  assert.equal(await walker.locator('.member-name').getAttribute('title'), 'walker is away: walking the dog');
  other.send({ type: 'away' });
  await walker.waitFor({ state: 'detached' });
  other.close();
  await page.context().close();
});

test('coming back shows a "new messages" line; empty rooms say so; long lines hang', async () => {
  const page = await openChat(browser, server, 'watcher');
  await page.fill('#input', '/join quietroom');
  await page.press('#input', 'Enter');
  await page.locator('#conversation-title', { hasText: '#quietroom' }).waitFor();
  const empty = await page.$eval('#messages', (list) => [list.children.length, getComputedStyle(list, '::after').content]);
  assert.deepEqual(empty, [0, '"No messages yet. Say hello!"']);

  const teller = await TcpClient.connect(server.tcpPort);
  await teller.login('teller', ['quietroom']);
  teller.send({ type: 'say', room: 'quietroom', text: 'seen while here' });
  await messageItems(page, 'seen while here').waitFor();
  await page.evaluate(() => window.confab.setVisible(false));
  teller.send({ type: 'say', room: 'quietroom', text: `unseen one ${'and more words '.repeat(30)}` });
  teller.send({ type: 'say', room: 'quietroom', text: 'unseen two' });
  await messageItems(page, 'unseen two').waitFor();
  assert.equal(await page.locator('#messages li.new-messages').count(), 0);
  await page.evaluate(() => window.confab.setVisible(true));
  await page.locator('#messages li.new-messages').waitFor();
  const next = await page.$eval('#messages li.new-messages', (line) => line.nextElementSibling.textContent);
  assert.ok(next.includes('unseen one'), next);
  const previous = await page.$eval('#messages li.new-messages', (line) => line.previousElementSibling.textContent);
  assert.ok(previous.includes('seen while here'), previous);

  const [padding, indent] = await page.$eval('#messages li.message:last-child',
    (item) => [parseFloat(getComputedStyle(item).paddingLeft), parseFloat(getComputedStyle(item).textIndent)]);
  assert.ok(padding > 0);
  assert.equal(indent, -padding);
  teller.close();
  await page.context().close();
});

test('after a server restart the page catches up once', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('keeper', ['lobby']);
  const page = await openChat(browser, server, 'returner');
  tcp.send({ type: 'say', room: 'lobby', text: 'before the restart' });
  await messageItems(page, 'before the restart').waitFor();

  assert.equal(await server.stop(), 0);
  await page.locator('#status', { hasText: 'Reconnecting' }).waitFor();
  await server.start(['--flood-rate', '0', '--motd', 'Hello from the web test server']);

  // keeper comes back first and talks while the page is still away.
  const again = await TcpClient.connect(server.tcpPort);
  await again.login('keeper', ['lobby']);
  const missed = [];
  for (let i = 1; i <= 60; i += 1) {
    const text = `missed ${i}`;
    missed.push(text);
    again.send({ type: 'say', room: 'lobby', text });
    await again.ofType('message', (m) => m.text === text);
  }
  await page.locator('#status', { hasText: 'Connected' }).waitFor({ timeout: 60000 });
  again.send({ type: 'say', room: 'lobby', text: 'welcome back' });
  await messageItems(page, 'welcome back').waitFor();
  for (const text of missed) {
    assert.equal(await page.locator('#messages li.message .text').filter({ hasText: new RegExp(`^${text}$`) }).count(), 1, text);
  }
  const seqs = await page.$$eval('#messages li.message', (items) => items.map((item) => Number(item.dataset.seq)));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
  assert.equal(new Set(seqs).size, seqs.length, 'no duplicates');
  assert.deepEqual(page.problems, []);
  await page.context().close();
  again.close();
  tcp.close();
});

test('days, runs of messages and moving between conversations by keyboard', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('runner', ['keys1']);
  const page = await openChat(browser, server, 'keyboard');
  for (const room of ['keys1', 'keys2']) {
    await page.fill('#input', `/join ${room}`);
    await page.press('#input', 'Enter');
    await page.locator('#conversation-title', { hasText: `#${room}` }).waitFor();
  }
  await page.fill('#input', 'one');
  await page.press('#input', 'Enter');
  await page.fill('#input', 'two');
  await page.press('#input', 'Enter');
  await messageItems(page, 'two').waitFor();
  assert.equal(await page.locator('#messages li.day').first().textContent(), 'Today');
  // The first of a run has the avatar: the nick's initial.
  assert.equal(await page.locator('#messages li.message').first().locator('.avatar').textContent(), 'K');
  assert.equal(await page.locator('#messages li.message.continued .avatar').count(), 0);
  // Unless the minute turned between them, the second goes without the nick.
  assert.ok(await page.locator('#messages li.message.continued').count() <= 1);
  assert.equal(await page.locator('#messages li.message').count(), 2);

  // Something unread in keys1; Alt+Shift+Up goes there, Alt+Down back.
  tcp.send({ type: 'say', room: 'keys1', text: 'over here' });
  const keys1 = page.locator('#conversations li', { hasText: '#keys1' });
  await keys1.locator('.unread').waitFor();
  await page.press('#input', 'Alt+Shift+ArrowUp');
  await page.locator('#conversation-title', { hasText: '#keys1' }).waitFor();
  await page.press('#input', 'Alt+ArrowDown');
  await page.locator('#conversation-title', { hasText: '#keys2' }).waitFor();
  // Ctrl+K: type part of a name, Enter, there.
  await page.press('#input', 'Control+k');
  await page.locator('#jump').waitFor();
  await page.keyboard.type('keys1');
  assert.equal(await page.locator('#jump-list li').count(), 1);
  await page.keyboard.press('Enter');
  await page.locator('#conversation-title', { hasText: '#keys1' }).waitFor();
  assert.equal(await page.locator('#jump').isVisible(), false);
  await page.locator('#conversations li', { hasText: '#keys2' }).click();
  // Shift+Esc: nothing unread anywhere.
  tcp.send({ type: 'say', room: 'keys1', text: 'and again' });
  await keys1.locator('.unread').waitFor();
  await page.press('#input', 'Shift+Escape');
  assert.equal(await page.locator('#conversations .unread').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
  tcp.close();
});

test('screenshot for the README', async () => {
  const tcp = await TcpClient.connect(server.tcpPort);
  await tcp.login('grace', ['lounge']);
  const page = await openChat(browser, server, 'hopper', { viewport: { width: 1100, height: 640 } });
  await page.fill('#input', '/join lounge');
  await page.press('#input', 'Enter');
  await tcp.ofType('user_joined', (m) => m.nick === 'hopper');
  tcp.send({ type: 'topic', room: 'lounge', topic: 'Welcome! Say hi and join #help for questions' });
  tcp.send({ type: 'say', room: 'lounge', text: 'hi hopper, welcome to the server' });
  await messageItems(page, 'welcome to the server').waitFor();
  await page.fill('#input', 'thanks grace! the web client needs no install at all');
  await page.press('#input', 'Enter');
  tcp.send({ type: 'say', room: 'lounge', text: 'docs are at https://example.org/confab' });
  await messageItems(page, 'docs are at').waitFor();
  // Only the user's own nick is bold.
  const weights = await page.$$eval('#messages li.message .from',
    (nicks) => nicks.map((nick) => [nick.textContent.trim(), getComputedStyle(nick).fontWeight]));
  assert.ok(weights.length >= 3);
  for (const [nick, weight] of weights) assert.equal(weight, nick === 'hopper' ? '700' : '400', nick);
  assert.ok(await saveScreenshot(page, 'web.png') > 10000, 'the screenshot shows something');
  await page.context().close();
  tcp.close();
});
