// Accounts and moderation in the browser client: an owner registers, claims
// a room, removes and bans a member through the member menu and the room
// settings; the member sees why, in words.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openChat, serverAndBrowser } from './support.mjs';

const lab = serverAndBrowser(['--flood-rate', '0']);

async function type(page, text) {
  await page.fill('#input', text);
  await page.press('#input', 'Enter');
}

function line(page, kind, text) {
  return page.locator(`#messages li.${kind}`, { hasText: text });
}

async function memberAction(page, nick, action) {
  await page.locator(`#members li[data-nick="${nick}"] .member-actions`).click();
  await page.locator(`#member-menu button[data-action="${action}"]`).click();
}

test('an owner removes and bans a member, who sees why', async () => {
  // The owner registers from the login form.
  const context = await lab.browser.newContext();
  const olga = await context.newPage();
  olga.problems = [];
  olga.on('pageerror', (error) => olga.problems.push(error.message));
  await olga.goto(lab.server.url);
  await olga.fill('#nick', 'olga');
  await olga.selectOption('#account-mode', 'register');
  await olga.fill('#account-password', 'short');
  await olga.click('#login-button');
  await olga.locator('#nick-error', { hasText: '8 to 256 characters' }).waitFor();
  await olga.fill('#account-password', 'olga-password-1');
  await olga.click('#login-button');
  await olga.locator('#status', { hasText: 'account olga' }).waitFor();
  // The password is nowhere in the page's storage.
  const stored = await olga.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(stored.includes('olga'));
  assert.ok(!stored.includes('olga-password-1'));

  await type(olga, '/join club');
  await olga.locator('#conversation-title', { hasText: '#club' }).waitFor();
  await type(olga, '/claim');
  await line(olga, 'notice', 'You now own #club').waitFor();
  await olga.locator('#members li[data-nick="olga"] .badge.owner').waitFor();

  const mike = await openChat(lab.browser, lab.server, 'mike');
  await type(mike, '/join club');
  await mike.locator('#conversation-title', { hasText: '#club' }).waitFor();
  await mike.locator('#members li[data-nick="olga"] .badge.owner').waitFor();
  // A member is offered nothing they would be refused.
  assert.equal(await mike.locator('#members .member-actions').count(), 0);

  // The owner's menu for mike.
  await olga.locator('#members li[data-nick="mike"]').waitFor();
  await olga.locator('#members li[data-nick="mike"] .member-actions').click();
  const actions = await olga.locator('#member-menu button').evaluateAll((buttons) => buttons.map((b) => b.dataset.action));
  assert.deepEqual(actions, ['kick', 'ban', 'mute', 'op']);
  await olga.keyboard.press('Escape');

  // Removed, with the reason.
  await memberAction(olga, 'mike', 'kick');
  await olga.locator('#moderation-dialog').waitFor({ state: 'visible' });
  assert.ok(await olga.locator('#moderation-duration').isHidden());
  await olga.fill('#moderation-reason', 'please keep it on topic');
  await olga.click('#moderation-confirm');
  await line(mike, 'error', 'You were removed from #club by olga: please keep it on topic').waitFor();
  await line(olga, 'notice', 'mike was removed from #club by olga: please keep it on topic').waitFor();

  // A kick is not a ban.
  await type(mike, '/join club');
  await olga.locator('#members li[data-nick="mike"]').waitFor();

  // Banned for an hour: removed, and refused on the way back in.
  await memberAction(olga, 'mike', 'ban');
  await olga.fill('#moderation-reason', 'spam links');
  await olga.selectOption('#moderation-duration', '3600');
  await olga.click('#moderation-confirm');
  await line(mike, 'error', 'You were removed from #club by olga: spam links').waitFor();
  await type(mike, '/join club');
  await line(mike, 'error', 'You are banned from club until').waitFor();
  assert.match(await line(mike, 'error', 'You are banned').textContent(), /: spam links\./);

  // The room settings: the ban is listed and lifted; the room closed.
  await olga.click('#room-settings-button');
  await olga.locator('#ban-list li[data-mask="nick:mike"]', { hasText: 'spam links' }).waitFor();
  await olga.locator('#ban-list li[data-mask="nick:mike"] button').click();
  await olga.locator('#ban-list li.none').waitFor();
  await olga.check('#mode-invite-only');
  await olga.click('#mode-apply');
  await line(olga, 'notice', 'olga made the room invitation only').waitFor();
  await olga.click('#room-settings button[value="close"]');

  await type(mike, '/join club');
  await line(mike, 'error', 'club is by invitation only. Ask one of its ops to invite you.').waitFor();
  await type(olga, '/invite mike');
  await line(mike, 'notice', 'olga invites you to #club').waitFor();
  await type(mike, '/join club');
  await olga.locator('#members li[data-nick="mike"]').waitFor();

  assert.deepEqual(olga.problems, []);
  assert.deepEqual(mike.problems, []);
  await context.close();
  await mike.context().close();
});
