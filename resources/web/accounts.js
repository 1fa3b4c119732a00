// Accounts (protocol section 12) as the browser session lives them: the
// login every hello carries, registering the nick, logging in from a guest
// session (by coming back through hello, and back as the guest if the
// server refuses), and changing the password. The twin of the desktop's
// Accounts (client/core/session/accounts.h). `host` is what it may use of
// the session (see ChatSession's #host in session.js).

import { sentence } from './refusal.js';

export class Accounts {
  constructor(host) {
    this.host = host;
    this.account = ''; // logged in to, per welcome or registered
    this.login = null; // { account, password } sent with every hello
    this.registration = ''; // register with this once welcomed
    this.newPassword = ''; // while change_password is on its way
    this.guestFallback = false; // a /login from a guest session is under way
  }

  // `choice`: { login: {account, password} } or { register: password }.
  choose(choice) {
    this.login = choice.login ?? null;
    this.registration = choice.register ?? '';
  }

  registerAccount(password, context) {
    if (!this.host.online(context)) return;
    if (this.account) return context && this.host.error(context, `You are logged in to ${this.account} already.`);
    if (password.length < 8 || password.length > 256) {
      return context && this.host.error(context, sentence('password_invalid', 'that password is too short'));
    }
    this.registration = password;
    this.host.send('register', { password }, 'register', context);
  }

  // Logging in is part of hello: start again, keeping the rooms; a guest
  // comes back with the account's own nick.
  logIn(account, password) {
    this.guestFallback = this.host.welcomed() && !this.account;
    this.login = { account, password };
    if (!this.host.everWelcomed()) return;
    this.host.comeBackAs(this.account ? this.host.nick() : account, 'logging in');
  }

  changePassword(oldPassword, newPassword, context) {
    if (!this.host.online(context)) return;
    this.newPassword = newPassword;
    this.host.send('change_password', { old: oldPassword, new: newPassword }, 'plain', context);
  }

  // Welcomed as `account` ('' as a guest).
  welcomed(account) {
    this.guestFallback = false;
    if (account !== this.account) {
      this.account = account;
      this.host.emit('account', { account: this.account });
    }
  }

  // After welcomed(): a registration asked for before, now.
  registerIfAsked() {
    if (this.registration && !this.account) this.host.send('register', { password: this.registration }, 'register', null);
  }

  // The server refused a hello with the login a guest session tried
  // (/login): forgets it; whether that was the case (then the session goes
  // back as the guest it was).
  backToGuest() {
    if (!this.guestFallback) return false;
    this.guestFallback = false;
    this.login = null;
    return true;
  }

  registered(message, pending) {
    this.account = message.account;
    this.login = { account: message.account, password: this.registration };
    this.registration = '';
    this.host.emit('account', { account: this.account });
    const where = pending.conversation ?? this.host.active();
    if (where) {
      this.host.notice(where,
        `${message.account} is now a registered account, and you are logged in to it. Nobody else can use this nick.`);
    }
  }

  passwordChanged(pending) {
    if (this.login) this.login = { ...this.login, password: this.newPassword };
    this.newPassword = '';
    if (pending.conversation) this.host.notice(pending.conversation, 'Your password was changed.');
  }

  // An error answering a request once welcomed.
  refused(pending) {
    if (pending.purpose === 'register') this.registration = '';
  }
}
