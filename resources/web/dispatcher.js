// Runs what the user typed in a conversation: plain text is said there, a
// /command (commands.js reads it) becomes the session's request, and a
// command that makes no sense where it was typed is answered there. Holds
// no state; the desktop client's CommandDispatcher is its twin.

import { helpLines, parseCommand } from './commands.js';

export class CommandDispatcher {
  constructor(session) {
    this.session = session;
  }

  run(conversation, input) {
    const session = this.session;
    const command = parseCommand(input);
    const inRoom = () => {
      if (conversation?.type === 'room') return conversation;
      if (conversation) session.error(conversation, 'That command works in a room');
      return null;
    };
    switch (command.kind) {
      case 'say':
        if (command.text.trim()) session.sendText(conversation, command.text);
        break;
      case 'me':
        session.sendText(conversation, command.text, true);
        break;
      case 'away':
      case 'back':
        session.setAway(command.kind === 'away' ? command.text : '');
        break;
      case 'invalid':
        if (conversation) session.error(conversation, command.error);
        break;
      case 'join':
        session.join(command.target, conversation, command.extra);
        break;
      case 'register':
        session.registerAccount(command.text, conversation);
        break;
      case 'login':
        session.logIn(command.target, command.text);
        break;
      case 'password':
        session.changePassword(command.text, command.extra, conversation);
        break;
      case 'claim': {
        const room = inRoom();
        if (room) session.claim(room);
        break;
      }
      case 'op':
      case 'deop': {
        const room = inRoom();
        if (room) session.grant(room, command.target, command.kind === 'op' ? 'op' : 'member');
        break;
      }
      case 'kick': {
        const room = inRoom();
        if (room) session.kick(room, command.target, command.text);
        break;
      }
      case 'ban': {
        const room = inRoom();
        if (room) session.ban(room, command.target, command.duration, command.text);
        break;
      }
      case 'unban': {
        const room = inRoom();
        if (room) session.unban(room, command.target);
        break;
      }
      case 'bans': {
        const room = inRoom();
        if (room) session.requestBanList(room, true);
        break;
      }
      case 'mute': {
        const room = inRoom();
        if (room) session.mute(room, command.target, command.duration, command.text);
        break;
      }
      case 'unmute': {
        const room = inRoom();
        if (room) session.unmute(room, command.target);
        break;
      }
      case 'invite': {
        if (command.extra) session.invite(command.extra, command.target, conversation);
        else {
          const room = inRoom();
          if (room) session.invite(room.name, command.target, room);
        }
        break;
      }
      case 'mode': {
        const room = inRoom();
        if (!room) break;
        if (Object.keys(command.modes).length) {
          session.setModes(room, command.modes);
          break;
        }
        const on = [];
        if (room.modes.invite_only) on.push('invitation only (+i)');
        if (room.modes.has_key) on.push('a key is needed to join (+k)');
        if (room.modes.topic_locked) on.push('only ops set the topic (+t)');
        session.notice(room, on.length ? `#${room.name}: ${on.join('; ')}` : `#${room.name} is open to everyone; anyone may set the topic`);
        break;
      }
      case 'audit': {
        if (command.target === '*') session.requestAudit('', conversation);
        else if (command.target) session.requestAudit(command.target, conversation);
        else {
          const room = inRoom();
          if (room) session.requestAudit(room.name, room);
        }
        break;
      }
      case 'sban':
        session.serverBan(command.target, command.duration, command.text, conversation);
        break;
      case 'sunban':
        session.serverUnban(command.target, conversation);
        break;
      case 'sbans':
        session.requestServerBanList(conversation);
        break;
      case 'leave': {
        const target = command.target ? session.room(command.target) : conversation;
        if (target) session.leave(target, command.text);
        else if (conversation) session.error(conversation, `You are not in ${command.target}`);
        break;
      }
      case 'msg':
        session.whisperFrom(conversation, command.target, command.text);
        break;
      case 'nick':
        session.changeNick(command.target, conversation);
        break;
      case 'topic': {
        const room = inRoom();
        if (!room) break;
        if (command.text) session.setTopic(room, command.text);
        else session.notice(room, room.topic ? `Topic: ${room.topic}` : 'No topic is set');
        break;
      }
      case 'list':
        session.showRoomList(conversation);
        break;
      case 'who': {
        if (command.target) {
          session.showMembers(command.target, conversation);
        } else {
          const room = inRoom();
          if (room) session.showMembers(room.name, room);
        }
        break;
      }
      case 'quit':
        session.quit(command.text);
        break;
      case 'help':
        if (conversation) for (const line of helpLines()) session.notice(conversation, line);
        break;
    }
  }
}
