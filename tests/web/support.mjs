// Test helpers: a real confab-server process, a raw TCP client, and Debian's
// Chromium driven by playwright-core.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const serverBinary = process.env.CONFAB_SERVER ?? join(process.cwd(), '../../build/server/confab-server');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

export class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'confab-web-'));
    this.db = join(this.dir, 'history.db');
    this.output = '';
  }

  // Resolves once the server logs that it listens.
  async start(extra = []) {
    const portFile = join(this.dir, 'ports.json');
    this.process = spawn(serverBinary, ['--bind', '127.0.0.1', '--tcp-port', String(this.tcpPort ?? 0),
      '--http-port', String(this.httpPort ?? 0), '--db', this.db, '--port-file', portFile,
      '--discovery-port', '0', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(this.process, 'exit').then(() => { throw new Error(`server exited: ${this.output}`); });
    const listening = new Promise((resolve) => {
      const onData = (chunk) => {
        this.output += chunk;
        if (this.output.includes('listening:')) resolve();
      };
      this.process.stderr.on('data', onData);
      this.process.stdout.on('data', onData);
    });
    await Promise.race([listening, exited]);
    const ports = JSON.parse(readFileSync(portFile, 'utf8'));
    this.tcpPort = ports.tcp;
    this.httpPort = ports.http;
    this.url = `http://127.0.0.1:${this.httpPort}/`;
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null) return this.process?.exitCode;
    const exited = once(this.process, 'exit');
    this.process.kill('SIGTERM');
    const [code] = await exited;
    return code;
  }

  cleanUp() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// JSON lines over TCP, as a script or nc would use the server.
export class TcpClient {
  static async connect(port) {
    const client = new TcpClient();
    client.socket = connect(port, '127.0.0.1');
    await once(client.socket, 'connect');
    client.socket.setEncoding('utf8');
    client.buffer = '';
    client.inbox = [];
    client.waiters = [];
    client.socket.on('data', (data) => {
      client.buffer += data;
      let newline;
      while ((newline = client.buffer.indexOf('\n')) >= 0) {
        const line = client.buffer.slice(0, newline);
        client.buffer = client.buffer.slice(newline + 1);
        client.inbox.push(JSON.parse(line));
      }
      client.#wake();
    });
    return client;
  }

  send(message) {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  #wake() {
    for (const waiter of [...this.waiters]) waiter();
  }

  // The next message matching `predicate` (skipping others), or a timeout.
  next(predicate, timeoutMs = 15000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.inbox.findIndex(predicate);
        if (index < 0) return false;
        const [message] = this.inbox.splice(index, 1);
        this.waiters = this.waiters.filter((w) => w !== check);
        clearTimeout(timer);
        resolve(message);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no matching message within ${timeoutMs} ms; have ${JSON.stringify(this.inbox)}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(check);
    });
  }

  ofType(type, extra = () => true) {
    return this.next((m) => m.type === type && extra(m));
  }

  async login(nick, rooms = []) {
    this.send({ type: 'hello', nick });
    await this.ofType('welcome');
    for (const room of rooms) {
      this.send({ type: 'join', room });
      await this.ofType('joined', (m) => m.room === room);
    }
  }

  close() {
    this.socket.destroy();
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

// A page logged in as `nick`; fails the test on any dialog or page error.
export async function openChat(browser, server, nick, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.problems = [];
  page.on('dialog', (dialog) => {
    page.problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss();
  });
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  await page.goto(server.url);
  await page.fill('#nick', nick);
  await page.click('#login-button');
  await page.locator('#chat').waitFor({ state: 'visible' });
  await page.locator('#conversations li', { hasText: '#lobby' }).waitFor();
  return page;
}

export function messageItems(page, text) {
  return page.locator('#messages li.message', { hasText: text });
}

// Saves a screenshot of `page` as `name`: into the docs only when
// scripts/screenshots.sh sets CONFAB_SCREENSHOT_DIR (tests never write into
// the checkout), else into a temporary directory removed at once. Returns
// the size in bytes.
export async function saveScreenshot(page, name) {
  const target = process.env.CONFAB_SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'confab-screenshot-'));
  mkdirSync(target, { recursive: true });
  await page.screenshot({ path: join(target, name) });
  const { size } = statSync(join(target, name));
  if (!process.env.CONFAB_SCREENSHOT_DIR) rmSync(target, { recursive: true });
  return size;
}

// For a test file: a real server (started with `args`) and Chromium, up
// before the file's tests and gone after them. Use `lab.server` and
// `lab.browser` inside the tests.
export function serverAndBrowser(args = []) {
  const lab = { server: null, browser: null };
  before(async () => {
    lab.server = new Server();
    await lab.server.start(args);
    lab.browser = await launchBrowser();
  });
  after(async () => {
    await lab.browser?.close();
    await lab.server?.stop();
    lab.server?.cleanUp();
  });
  return lab;
}
