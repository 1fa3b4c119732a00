// Edits, deletions and reactions in the browser client (protocol section
// 18), against a real server with a TCP user on the other side, and catching
// up on changes made while the page was away.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpClient, messageItems, openChat, serverAndBrowser } from './support.mjs';

const lab = serverAndBrowser(['--flood-rate', '0']);

async function type(page, text) {
  await page.fill('#input', text);
  await page.press('#input', 'Enter');
}

function bySeq(page, seq) {
  return page.locator(`#messages li.message[data-seq="${seq}"]`);
}

test('edit, react and delete, seen by a TCP user', async () => {
  const tcp = await TcpClient.connect(lab.server.tcpPort);
  await tcp.login('terminal', ['lobby']);
  const ann = await openChat(lab.browser, lab.server, 'ann');

  await type(ann, 'teh plan');
  const said = await tcp.ofType('message', (m) => m.text === 'teh plan');
  const mine = bySeq(ann, said.seq);
  await mine.waitFor();

  // Ctrl+Up edits the last message; Escape gives up, Enter saves.
  await ann.press('#input', 'Control+ArrowUp');
  assert.equal(await ann.locator('#editing').isVisible(), true);
  assert.equal(await ann.inputValue('#input'), 'teh plan');
  await ann.press('#input', 'Escape');
  assert.equal(await ann.locator('#editing').isVisible(), false);
  assert.equal(await ann.inputValue('#input'), '');
  await ann.press('#input', 'Control+ArrowUp');
  await type(ann, 'the plan');
  const edited = await tcp.ofType('updated', (m) => m.message.seq === said.seq);
  assert.equal(edited.message.text, 'the plan');
  assert.equal(edited.by, 'ann');
  await mine.locator('.edited', { hasText: '(edited)' }).waitFor();
  assert.equal(await mine.locator('.text').textContent(), 'the plan');
  assert.equal(await ann.locator('#editing').isVisible(), false);

  // A reaction from the other side, then one from the page: counted, the
  // page's own marked.
  tcp.send({ type: 'react', room: 'lobby', seq: said.seq, emoji: '👍' });
  await mine.locator('.reaction', { hasText: '👍 1' }).waitFor();
  await mine.hover();
  await mine.locator('.message-actions .quick-reaction', { hasText: '👍' }).click();
  await mine.locator('.reaction.mine', { hasText: '👍 2' }).waitFor();
  const reacted = await tcp.ofType('updated', (m) => m.by === 'ann' && m.message.reactions);
  // As the TCP user sees it: it chose 👍 too.
  assert.deepEqual(reacted.message.reactions, [{ emoji: '👍', nicks: ['terminal', 'ann'], count: 2, mine: true }]);
  // Clicking the chip takes it back.
  await mine.locator('.reaction.mine').click();
  await mine.locator('.reaction:not(.mine)', { hasText: '👍 1' }).waitFor();

  // Someone else's message: react, but no edit or delete.
  tcp.send({ type: 'say', room: 'lobby', text: 'theirs' });
  const theirs = bySeq(ann, (await tcp.ofType('message', (m) => m.text === 'theirs')).seq);
  await theirs.waitFor();
  await theirs.hover();
  assert.equal(await theirs.locator('.quick-reaction').count(), 6);
  assert.equal(await theirs.locator('.edit-message, .delete-message').count(), 0);
  assert.equal(await mine.locator('.edit-message').count(), 1);

  // Delete, after saying yes: the line stays, its words go.
  ann.removeAllListeners('dialog');
  const questions = [];
  ann.on('dialog', (dialog) => {
    questions.push(dialog.message());
    dialog.accept();
  });
  await mine.hover();
  await mine.locator('.delete-message').click();
  const deleted = await tcp.ofType('updated', (m) => m.message.seq === said.seq && m.message.deleted);
  assert.equal(deleted.message.text, '');
  await mine.locator('.text', { hasText: 'message deleted' }).waitFor();
  assert.equal(await mine.locator('.reaction, .edited, .message-actions').count(), 0);
  assert.deepEqual(questions, ['Delete this message for everyone?']);
  assert.deepEqual(ann.problems, []);
  await ann.context().close();
  tcp.close();
});

test('changes made while the page was away are caught up', async () => {
  // keeper has an account: his messages stay his to edit after a restart.
  const tcp = await TcpClient.connect(lab.server.tcpPort);
  await tcp.login('keeper', ['lobby']);
  tcp.send({ type: 'register', password: 'correct horse battery' });
  await tcp.ofType('registered');
  const page = await openChat(lab.browser, lab.server, 'returner');
  // More than joined carries: the first ones are only on the page.
  const seqs = [];
  for (let i = 1; i <= 60; i += 1) {
    tcp.send({ type: 'say', room: 'lobby', text: `line ${i}` });
    seqs.push((await tcp.ofType('message', (m) => m.text === `line ${i}`)).seq);
  }
  await messageItems(page, 'line 60').waitFor();
  const shownBefore = await page.locator('#messages li.message').count();
  await type(page, '/away at lunch');
  await tcp.ofType('presence', (m) => m.nick === 'returner' && m.away === 'at lunch');

  assert.equal(await lab.server.stop(), 0);
  await page.locator('#status', { hasText: 'Reconnecting' }).waitFor();
  await lab.server.start(['--flood-rate', '0']);
  const again = await TcpClient.connect(lab.server.tcpPort);
  again.send({ type: 'hello', nick: 'keeper', login: { account: 'keeper', password: 'correct horse battery' } });
  await again.ofType('welcome');
  again.send({ type: 'join', room: 'lobby' });
  await again.ofType('joined');
  again.send({ type: 'edit', room: 'lobby', seq: seqs[0], text: 'line 1, fixed' });
  await again.ofType('updated');
  again.send({ type: 'delete', room: 'lobby', seq: seqs[1] });
  await again.ofType('updated');
  again.send({ type: 'react', room: 'lobby', seq: seqs[59], emoji: '🎉' });
  await again.ofType('updated');

  await page.locator('#status', { hasText: 'Connected' }).waitFor({ timeout: 60000 });
  await bySeq(page, seqs[0]).locator('.text', { hasText: 'line 1, fixed' }).waitFor();
  await bySeq(page, seqs[1]).locator('.text', { hasText: 'message deleted' }).waitFor();
  await bySeq(page, seqs[59]).locator('.reaction', { hasText: '🎉 1' }).waitFor();
  assert.equal(await page.locator('#messages li.message').count(), shownBefore, 'changed in place, nothing added');
  // Still away after the reconnect: the page told the new server again.
  const late = await TcpClient.connect(lab.server.tcpPort);
  await late.login('late');
  late.send({ type: 'join', room: 'lobby' });
  assert.equal((await late.ofType('joined')).away?.returner, 'at lunch');
  late.close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
  again.close();
  tcp.close();
});
