// Moderation in the browser: the member menu, the dialog that asks for a
// reason (and how long), and a room's settings. Like the desktop client, it
// offers only what the server would allow, and shows what the server says
// rather than what was asked.

import { nameKey } from './session.js';

const $ = (id) => document.getElementById(id);

export function setUpModeration(session) {
  const menu = $('member-menu');
  let pendingAction = null;

  function closeMenu() {
    menu.hidden = true;
    menu.replaceChildren();
  }

  function item(label, name, run) {
    const button = document.createElement('button');
    button.type = 'button';
    button.role = 'menuitem';
    button.dataset.action = name;
    button.textContent = label;
    button.addEventListener('click', () => {
      closeMenu();
      run();
    });
    menu.append(button);
  }

  function askReason(action, room, nick) {
    const titles = { kick: `Remove ${nick} from #${room.name}`, ban: `Ban ${nick} from #${room.name}`, mute: `Mute ${nick} in #${room.name}` };
    $('moderation-title').textContent = titles[action];
    $('moderation-confirm').textContent = { kick: 'Remove', ban: 'Ban', mute: 'Mute' }[action];
    $('moderation-explain').hidden = action !== 'ban';
    for (const element of document.querySelectorAll('.duration-row')) element.hidden = action === 'kick';
    $('moderation-reason').value = '';
    $('moderation-duration').value = '';
    pendingAction = { action, room, nick };
    $('moderation-dialog').showModal();
    $('moderation-reason').focus();
  }

  $('moderation-dialog').addEventListener('close', () => {
    const request = pendingAction;
    pendingAction = null;
    if (!request || $('moderation-dialog').returnValue !== 'confirm') return;
    const reason = $('moderation-reason').value;
    const duration = Number($('moderation-duration').value) || null;
    if (request.action === 'kick') session.kick(request.room, request.nick, reason);
    else if (request.action === 'ban') session.ban(request.room, request.nick, duration, reason);
    else session.mute(request.room, request.nick, duration, reason);
  });

  // The ⋯ menu of a member.
  function showMenu(nick, anchor) {
    const room = session.active;
    closeMenu();
    if (session.mayModerate(room, nick)) {
      item('Remove from room…', 'kick', () => askReason('kick', room, nick));
      item('Ban…', 'ban', () => askReason('ban', room, nick));
      if (room.muted.has(nameKey(nick))) item('Unmute', 'unmute', () => session.unmute(room, nick));
      else item('Mute…', 'mute', () => askReason('mute', room, nick));
    }
    if (session.mayGrant(room, nick)) {
      if (room.role(nick) === 'op') item('Take op away', 'deop', () => session.grant(room, nick, 'member'));
      else item('Make op', 'op', () => session.grant(room, nick, 'op'));
    }
    const box = anchor.getBoundingClientRect();
    menu.style.top = `${box.bottom + window.scrollY}px`;
    menu.style.left = `${Math.max(8, Math.min(box.right, window.innerWidth) - 200)}px`;
    menu.hidden = false;
    menu.querySelector('button')?.focus();
  }

  document.addEventListener('click', (event) => {
    if (!menu.hidden && !menu.contains(event.target)) closeMenu();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeMenu();
  });

  // ---------------------------------------------------------- room settings

  let settingsRoom = null;

  function showModes() {
    if (!settingsRoom) return;
    const { modes } = settingsRoom;
    $('mode-invite-only').checked = modes.invite_only;
    $('mode-topic-locked').checked = modes.topic_locked;
    $('mode-needs-key').checked = modes.has_key;
    $('mode-key').value = '';
    $('mode-key').disabled = !modes.has_key;
    $('mode-key').placeholder = modes.has_key ? 'unchanged (type to replace)' : 'type a new key';
    $('room-settings-error').textContent = '';
    const mayChange = session.mayChangeModes(settingsRoom);
    for (const id of ['mode-invite-only', 'mode-topic-locked', 'mode-needs-key', 'mode-apply', 'new-ban', 'add-ban']) {
      $(id).disabled = !mayChange;
    }
  }

  function openSettings() {
    const room = session.active;
    if (room?.type !== 'room') return;
    settingsRoom = room;
    $('room-settings-title').textContent = `Settings of #${room.name}`;
    $('ban-list').replaceChildren();
    showModes();
    session.requestBanList(room);
    $('room-settings').showModal();
  }

  $('mode-needs-key').addEventListener('change', () => {
    $('mode-key').disabled = !$('mode-needs-key').checked;
  });
  $('mode-apply').addEventListener('click', () => {
    const room = settingsRoom;
    if (!room) return;
    const changes = {};
    if ($('mode-invite-only').checked !== room.modes.invite_only) changes.invite_only = $('mode-invite-only').checked;
    if ($('mode-topic-locked').checked !== room.modes.topic_locked) changes.topic_locked = $('mode-topic-locked').checked;
    if ($('mode-needs-key').checked) {
      if ($('mode-key').value) changes.key = $('mode-key').value;
      else if (!room.modes.has_key) {
        $('room-settings-error').textContent = 'Type the key that people will need to join.';
        $('mode-key').focus();
        return;
      }
    } else if (room.modes.has_key) {
      changes.key = '';
    }
    if (Object.keys(changes).length) session.setModes(room, changes);
  });
  const addBan = () => {
    const mask = $('new-ban').value.trim();
    if (!mask || !settingsRoom) return;
    session.ban(settingsRoom, mask);
    $('new-ban').value = '';
  };
  $('add-ban').addEventListener('click', addBan);
  $('new-ban').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      addBan();
    }
  });
  $('room-settings').addEventListener('close', () => {
    settingsRoom = null;
  });
  $('room-settings-button').addEventListener('click', openSettings);

  session.addEventListener('modes', (event) => {
    if (event.detail.conversation === settingsRoom) showModes();
  });
  session.addEventListener('ban-list', (event) => {
    if (!settingsRoom || nameKey(event.detail.room) !== nameKey(settingsRoom.name)) return;
    const list = $('ban-list');
    list.replaceChildren();
    if (!event.detail.bans.length) {
      const none = document.createElement('li');
      none.className = 'none';
      none.textContent = 'Nobody is banned.';
      list.append(none);
    }
    for (const ban of event.detail.bans) {
      const entry = document.createElement('li');
      entry.dataset.mask = ban.mask;
      const text = document.createElement('span');
      const until = ban.until ? `until ${new Date(ban.until).toLocaleString()}` : 'until lifted';
      text.textContent = `${ban.mask} — by ${ban.by}${ban.reason ? ` (${ban.reason})` : ''}, ${until}`;
      const lift = document.createElement('button');
      lift.type = 'button';
      lift.className = 'secondary';
      lift.textContent = 'Lift';
      lift.disabled = !session.mayChangeModes(settingsRoom);
      lift.addEventListener('click', () => session.unban(settingsRoom, ban.mask));
      entry.append(text, lift);
      list.append(entry);
    }
  });

  return {
    showMenu,
    mayAct: (nick) => session.mayModerate(session.active, nick) || session.mayGrant(session.active, nick),
  };
}
