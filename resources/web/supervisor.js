// Keeps one identity connected to one server: opens the connection, and
// after a drop opens it again with exponential backoff and jitter, pings
// while welcomed to measure the round trip, and tells a failure to log in
// (which no retry can mend) from a connection lost later (which one can).
// It knows when the server welcomed the user, not what frames mean: the
// session tells it. The desktop client's ConnectionSupervisor is its twin.
//
// Events: 'state' {state}, 'open', 'lost' {why}, 'login-failed' {failure,
// message}, 'ping-due', 'round-trip' {ms}.

// Why the first connection did not get the user in; the page words each.
export const LoginFailure = Object.freeze({
  Unreachable: 'unreachable',
  ServerPassword: 'server-password',
  NickInvalid: 'nick-invalid',
  NickTaken: 'nick-taken',
  NickReserved: 'nick-reserved',
  AccountLogin: 'account-login',
  LoginRequired: 'login-required',
  AccountPassword: 'account-password',
  RateLimited: 'rate-limited',
  Banned: 'banned',
  ServerFull: 'server-full',
  Other: 'other',
});

const FAILURE_OF_CODE = {
  auth_failed: LoginFailure.ServerPassword,
  nick_invalid: LoginFailure.NickInvalid,
  nick_taken: LoginFailure.NickTaken,
  nick_reserved: LoginFailure.NickReserved,
  login_failed: LoginFailure.AccountLogin,
  login_required: LoginFailure.LoginRequired,
  password_invalid: LoginFailure.AccountPassword,
  rate_limited: LoginFailure.RateLimited,
  banned: LoginFailure.Banned,
  server_full: LoginFailure.ServerFull,
};

export function loginFailureFor(code) {
  return FAILURE_OF_CODE[code] ?? LoginFailure.Other;
}

// The delay before reconnect attempt number `attempt` (0 first): doubling
// from `firstMs` up to `maxMs`, times a jitter in [0.5, 1.5) so that a
// restarted server is not hit by everyone at once.
export function reconnectDelay(attempt, firstMs, maxMs, random = Math.random()) {
  const base = Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 16));
  return Math.min(maxMs, base * (0.5 + random));
}

export class ConnectionSupervisor extends EventTarget {
  // `connection`: open(), close(), isOpen, and 'open' / 'close' events.
  constructor(connection, { firstDelayMs = 1000, maxDelayMs = 30000, pingIntervalMs = 15000 } = {}) {
    super();
    this.connection = connection;
    this.firstDelayMs = firstDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.pingIntervalMs = pingIntervalMs;
    this.state = 'disconnected'; // connecting | online | reconnecting | disconnected
    this.isWelcomed = false;
    this.everWelcomed = false;
    this.attempt = 0;
    this.closingReason = '';
    this.roundTripMs = -1;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pingId = null;
    this.pingSentAt = 0;
    connection.addEventListener('open', () => this.#emit('open'));
    connection.addEventListener('close', (event) => this.#onClose(event.detail ?? {}));
  }

  // A first visit: failures until the first welcome are final.
  start() {
    this.everWelcomed = false;
    this.attempt = 0;
    this.connectNow();
  }

  // Opens the connection again now (a login starts with a new hello).
  connectNow() {
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.isWelcomed = false;
    this.closingReason = '';
    this.#setState(this.everWelcomed ? 'reconnecting' : 'connecting');
    this.connection.open();
  }

  // The server welcomed the user: online, backoff reset, pinging.
  welcomed() {
    this.isWelcomed = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.#setState('online');
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.isWelcomed && this.#emit('ping-due'), this.pingIntervalMs);
    this.#emit('ping-due');
  }

  // The server refused the hello. Before the first welcome that ends the
  // visit ('login-failed'); after it, `retry` says whether to keep trying
  // (the old session may still hold the nick) or to stop (banned).
  refused(code, message, retry) {
    this.connection.close();
    this.isWelcomed = false;
    clearInterval(this.pingTimer);
    if (this.everWelcomed && retry) return this.#retryLater();
    this.#setState('disconnected');
    if (!this.everWelcomed) this.#emit('login-failed', { failure: loginFailureFor(code), message });
  }

  // Leaves for good: no retry.
  stop() {
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.connection.close();
    this.isWelcomed = false;
    this.#setState('disconnected');
  }

  pingSent(id) {
    this.pingId = id;
    this.pingSentAt = performance.now();
  }

  pongReceived(id) {
    if (id !== this.pingId) return;
    this.roundTripMs = Math.round(performance.now() - this.pingSentAt);
    this.#emit('round-trip', { ms: this.roundTripMs });
  }

  #onClose({ reason }) {
    clearInterval(this.pingTimer);
    this.isWelcomed = false;
    const why = this.closingReason || reason || 'connection lost';
    this.#emit('lost', { why });
    if (!this.everWelcomed) {
      if (this.state !== 'disconnected') {
        this.#setState('disconnected');
        this.#emit('login-failed', { failure: LoginFailure.Unreachable, message: `Cannot reach the server (${why})` });
      }
      return;
    }
    this.#retryLater();
  }

  #retryLater() {
    const delay = reconnectDelay(this.attempt, this.firstDelayMs, this.maxDelayMs);
    this.attempt += 1;
    this.#setState('reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connectNow(), delay);
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.#emit('state', { state });
  }

  #emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
