// The browser client's frame inspector in Chromium: opened by ?inspect it
// shows the frames from hello on; reads one, filters, pauses, saves JSON
// lines; closed, it records nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TcpClient, saveScreenshot, serverAndBrowser } from './support.mjs';

const lab = serverAndBrowser(['--flood-rate', '0']);

// Waits until every row shown has `text` in its `column` cell.
async function onlyRowsWith(page, column, text, atLeast = 1) {
  await page.waitForFunction(([c, t, n]) => {
    const cells = [...document.querySelectorAll(`#frames tbody td.${c}`)];
    return cells.length >= n && cells.every((td) => td.textContent === t);
  }, [column, text, atLeast]);
}

const rows = (page, type) => page.locator(type ? `#frames tbody tr:has(td.type:text-is("${type}"))` : '#frames tbody tr');

test('the inspector shows every frame both ways, and records only while open', async () => {
  const context = await lab.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.setViewportSize({ width: 1200, height: 800 });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });

  await page.goto(`${lab.server.url}?inspect`);
  assert.equal(await page.locator('#inspector').isVisible(), true);
  await page.fill('#nick', 'ann');
  await page.click('#login-button');
  await page.locator('#chat').waitFor({ state: 'visible' });
  // From the very first frame: hello went out, welcome came back.
  await rows(page, 'welcome').first().waitFor();
  const first = rows(page).first();
  assert.equal(await first.locator('td.type').textContent(), 'hello');
  assert.equal(await first.locator('td.way').textContent(), '→');
  const helloRaw = await first.locator('td.raw').textContent();
  assert.equal(await first.locator('td.size').textContent(), String(Buffer.byteLength(helloRaw)));

  const bob = await TcpClient.connect(lab.server.tcpPort);
  await bob.login('bob', ['lobby']);
  bob.send({ type: 'say', room: 'lobby', text: 'hi from bob' });
  const bobsLine = page.locator('#frames tbody tr', { hasText: 'hi from bob' });
  await bobsLine.waitFor();
  await bobsLine.click();
  const detail = await page.locator('#frame-detail').textContent();
  assert.match(detail, /^Received \d\d:\d\d:\d\d\.\d{3} over ws, \d+ bytes/);
  assert.ok(detail.includes('"text": "hi from bob"'), detail);
  assert.ok(detail.indexOf('"type"') < detail.indexOf('"text"'), 'fields in the order they came');

  await page.fill('#input', 'hello bob');
  await page.press('#input', 'Enter');
  await rows(page, 'say').waitFor();
  await page.selectOption('#inspector-type', 'say');
  await onlyRowsWith(page, 'type', 'say');
  assert.equal(await rows(page).count(), 1);
  await page.selectOption('#inspector-type', '');
  await page.selectOption('#inspector-room', 'lobby');
  await onlyRowsWith(page, 'room', 'lobby', 3); // joined, bob's message, the say and its echo
  await page.selectOption('#inspector-room', '');
  await page.waitForFunction(() => document.querySelector('#frames tbody td.type').textContent === 'hello');

  await bobsLine.click();
  assert.ok(await saveScreenshot(page, 'web-inspector.png') > 10000);

  // Paused: counted, not kept.
  const before = await rows(page).count();
  await page.click('#inspector-pause');
  bob.send({ type: 'say', room: 'lobby', text: 'while paused' });
  await page.locator('#inspector-summary', { hasText: 'paused: 1 frame not kept' }).waitFor();
  assert.equal(await rows(page).count(), before);
  await page.click('#inspector-pause');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#inspector-save')]);
  assert.equal(download.suggestedFilename(), 'frames.jsonl');
  const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.equal(lines.length, before);
  assert.deepEqual(Object.keys(lines[0]).sort(), ['direction', 'frame', 'size', 'time', 'transport']);
  assert.equal(lines[0].direction, 'sent');
  assert.equal(lines[0].frame.type, 'hello');
  assert.equal(lines[0].transport, 'ws');

  // Closed: nothing recorded.
  await page.click('#inspector-close');
  assert.equal(await page.locator('#inspector').isVisible(), false);
  const totalBefore = await page.locator('#inspector-summary').textContent();
  bob.send({ type: 'say', room: 'lobby', text: 'nobody inspects this' });
  await page.locator('#messages li', { hasText: 'nobody inspects this' }).waitFor();
  assert.equal(await page.evaluate(() => window.confab.connection.inspector), null);
  await page.click('#toggle-inspector');
  await page.locator('#inspector').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#frames tbody tr', { hasText: 'nobody inspects this' }).count(), 0);
  assert.equal(await page.locator('#inspector-summary').textContent(), totalBefore);

  bob.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a page without ?inspect starts with the inspector closed and recording nothing', async () => {
  const page = await lab.browser.newPage();
  await page.goto(lab.server.url);
  assert.equal(await page.locator('#inspector').isVisible(), false);
  assert.equal(await page.evaluate(() => window.confab.connection.inspector), null);
  await page.close();
});
