// The live /status page in Chromium: it loads under its CSP without errors,
// follows the server over its WebSocket feed (no polling) as clients connect,
// talk and make mistakes, and is refused to addresses outside --status-allow.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Server, TcpClient, saveScreenshot, serverAndBrowser } from './support.mjs';

const lab = serverAndBrowser(['--flood-rate', '0']);

function statusFrom(port, localAddress) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/status', localAddress }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

test('the status page follows the server live, under its CSP', async () => {
  const page = await lab.browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  const requests = [];
  page.on('request', (req) => requests.push(new URL(req.url()).pathname));
  const sockets = [];
  page.on('websocket', (socket) => sockets.push(new URL(socket.url()).pathname));
  await page.goto(`${lab.server.url}status`);
  await page.evaluate(() => document.addEventListener('securitypolicyviolation', (event) => {
    document.body.dataset.cspViolation = event.violatedDirective;
  }));
  await page.locator('#feed-state', { hasText: 'live' }).waitFor();
  await page.locator('#users', { hasText: '0' }).waitFor();
  assert.equal(await page.locator('#no-rooms').isVisible(), false); // the lobby always exists

  const ann = await TcpClient.connect(lab.server.tcpPort);
  await ann.login('ann', ['physics']);
  const bob = await TcpClient.connect(lab.server.tcpPort);
  await bob.login('bob', ['physics']);
  await page.locator('#users', { hasText: '2' }).waitFor();
  await page.locator('#connections dd[data-transport="tcp"]', { hasText: '2' }).waitFor();
  await page.locator('#rooms tr[data-room="physics"] td:last-child', { hasText: '2' }).waitFor();

  for (let i = 0; i < 12; i += 1) {
    ann.send({ type: 'say', room: 'physics', text: `question ${i}` });
    await ann.ofType('message', (m) => m.text === `question ${i}`);
  }
  await page.locator('#stored', { hasText: '12' }).waitFor();
  // The chart drew the burst: some point above the baseline.
  await page.waitForFunction(() => document.getElementById('chart-line').getAttribute('points')
    .split(' ').some((point) => Number(point.split(',')[1]) < 99));

  bob.send({ type: 'join', room: '-bad-' });
  await bob.ofType('error');
  await page.locator('#errors li', { hasText: 'room_invalid' }).waitFor();
  await page.locator('#errors li', { hasText: 'to bob' }).waitFor();
  await page.setViewportSize({ width: 1000, height: 900 });
  assert.ok(await saveScreenshot(page, 'status.png') > 10000);

  bob.close();
  await page.locator('#users', { hasText: '1' }).waitFor();
  await page.locator('#rooms tr[data-room="physics"] td:last-child', { hasText: '1' }).waitFor();
  ann.close();

  const updates = Number(await page.evaluate(() => document.body.dataset.updates));
  assert.ok(updates >= 2, `updates: ${updates}`);
  // Updates came over the one WebSocket, not by asking again.
  assert.deepEqual(sockets, ['/status/feed']);
  assert.deepEqual([...new Set(requests)].sort(), ['/favicon.svg', '/status', '/status.css', '/status.js']);
  assert.equal(requests.filter((path) => path === '/status').length, 1);
  assert.equal(await page.evaluate(() => document.body.dataset.cspViolation ?? ''), '');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the status page is refused outside --status-allow', async () => {
  const narrow = new Server();
  await narrow.start(['--status-allow', '127.0.0.1']);
  try {
    assert.equal(await statusFrom(narrow.httpPort, '127.0.0.1'), 200);
    assert.equal(await statusFrom(narrow.httpPort, '127.0.0.2'), 403);
  } finally {
    await narrow.stop();
    narrow.cleanUp();
  }
});
