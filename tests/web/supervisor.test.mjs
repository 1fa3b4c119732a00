// supervisor.js and requests.js alone, with Node's test runner, against a
// scripted connection: the same cases as the desktop's tst_sessionscript
// for the connection's life.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionSupervisor, LoginFailure, loginFailureFor, reconnectDelay } from '../../resources/web/supervisor.js';
import { RequestTracker } from '../../resources/web/requests.js';

// Opens only when the test says so.
class ScriptedConnection extends EventTarget {
  attempts = 0;
  isOpen = false;
  connecting = false;
  open() {
    this.attempts += 1;
    this.connecting = true;
    this.dispatchEvent(new Event('attempt'));
  }
  close() {
    this.isOpen = false;
    this.connecting = false;
  }
  accept() {
    this.connecting = false;
    this.isOpen = true;
    this.dispatchEvent(new Event('open'));
  }
  drop(reason = 'gone') {
    this.isOpen = false;
    this.connecting = false;
    this.dispatchEvent(new CustomEvent('close', { detail: { reason } }));
  }
}

const nextEvent = (target, type) => new Promise((resolve) => target.addEventListener(type, (e) => resolve(e.detail), { once: true }));

function supervised() {
  const connection = new ScriptedConnection();
  const supervisor = new ConnectionSupervisor(connection, { firstDelayMs: 1, maxDelayMs: 4, pingIntervalMs: 3600000 });
  const failures = [];
  supervisor.addEventListener('login-failed', (e) => failures.push(e.detail));
  return { connection, supervisor, failures };
}

for (const [code, failure] of [['nick_taken', LoginFailure.NickTaken], ['auth_failed', LoginFailure.ServerPassword],
  ['nick_reserved', LoginFailure.NickReserved], ['login_failed', LoginFailure.AccountLogin],
  ['login_required', LoginFailure.LoginRequired], ['banned', LoginFailure.Banned], ['server_full', LoginFailure.ServerFull],
  ['bad_request', LoginFailure.Other]]) {
  test(`a refused first hello ends the visit: ${code}`, () => {
    const { connection, supervisor, failures } = supervised();
    supervisor.start();
    connection.accept();
    supervisor.refused(code, 'no', true);
    assert.deepEqual(failures, [{ failure, message: 'no' }]);
    assert.equal(supervisor.state, 'disconnected');
    assert.equal(connection.attempts, 1);
    assert.equal(loginFailureFor(code), failure);
  });
}

test('an unreachable server is a login failure, not retried', () => {
  const { connection, supervisor, failures } = supervised();
  supervisor.start();
  connection.drop('refused');
  assert.equal(failures.length, 1);
  assert.equal(failures[0].failure, LoginFailure.Unreachable);
  assert.match(failures[0].message, /refused/);
  assert.equal(supervisor.state, 'disconnected');
});

test('after a welcome, a drop is retried until welcomed again', async () => {
  const { connection, supervisor, failures } = supervised();
  const lost = [];
  supervisor.addEventListener('lost', (e) => lost.push(e.detail.why));
  supervisor.start();
  connection.accept();
  supervisor.welcomed();
  assert.equal(supervisor.state, 'online');
  connection.drop('server restarting');
  assert.deepEqual(lost, ['server restarting']);
  assert.equal(supervisor.state, 'reconnecting');
  await nextEvent(connection, 'attempt');
  connection.drop('still down');
  await nextEvent(connection, 'attempt');
  assert.equal(connection.attempts, 3);
  connection.accept();
  // The old session may still hold the nick: keep trying.
  supervisor.refused('nick_taken', 'taken', true);
  assert.equal(supervisor.state, 'reconnecting');
  await nextEvent(connection, 'attempt');
  connection.accept();
  supervisor.welcomed();
  assert.equal(supervisor.state, 'online');
  assert.equal(supervisor.attempt, 0);
  assert.deepEqual(failures, []);
  supervisor.stop();
});

test('the server\'s closing reason is what the drop says', () => {
  const { connection, supervisor } = supervised();
  const lost = [];
  supervisor.addEventListener('lost', (e) => lost.push(e.detail.why));
  supervisor.start();
  connection.accept();
  supervisor.welcomed();
  supervisor.closingReason = 'server shutting down';
  connection.drop('1001');
  assert.deepEqual(lost, ['server shutting down']);
  supervisor.stop();
});

test('hopeless after a welcome: stops without a login failure', () => {
  const { connection, supervisor, failures } = supervised();
  supervisor.start();
  connection.accept();
  supervisor.welcomed();
  supervisor.refused('banned', 'banned', false);
  assert.equal(supervisor.state, 'disconnected');
  assert.deepEqual(failures, []);
});

test('the round trip is measured only from the answer to the ping', () => {
  const { connection, supervisor } = supervised();
  const pings = [];
  supervisor.addEventListener('ping-due', () => pings.push(1));
  supervisor.start();
  connection.accept();
  supervisor.welcomed();
  assert.equal(pings.length, 1);
  supervisor.pingSent(7);
  supervisor.pongReceived(8);
  assert.equal(supervisor.roundTripMs, -1);
  supervisor.pongReceived(7);
  assert.ok(supervisor.roundTripMs >= 0);
  supervisor.stop();
});

test('reconnect delays double up to the cap, with jitter', () => {
  assert.equal(reconnectDelay(0, 1000, 30000, 0.5), 1000);
  assert.equal(reconnectDelay(3, 1000, 30000, 0.5), 8000);
  assert.equal(reconnectDelay(10, 1000, 30000, 0.5), 30000);
  assert.equal(reconnectDelay(0, 1000, 30000, 0), 500);
  assert.equal(reconnectDelay(0, 1000, 30000, 0.999), 1499);
});

test('requests get unique ids and are matched to their answers once', () => {
  const frames = [];
  const requests = new RequestTracker((frame) => frames.push(frame));
  const a = requests.send('join', { room: 'lobby' }, { purpose: 'plain' });
  const b = requests.send('history', { room: 'lobby', before: 5 }, { purpose: 'older' });
  assert.notEqual(a, b);
  assert.deepEqual(frames[1], { type: 'history', room: 'lobby', before: 5, id: b });
  assert.equal(requests.pendingCount, 2);
  assert.deepEqual(requests.take(b), { purpose: 'older' });
  assert.deepEqual(requests.take(b), {});
  assert.deepEqual(requests.take(undefined), {});
  requests.clear();
  assert.deepEqual(requests.take(a), {});
  assert.ok(requests.send('ping') > b); // ids are never reused
});
