// What the user typed: plain text, or a /command (the same commands as the
// desktop client; see docs/client.md).

const COMMANDS = {
  join: { usage: '/join ROOM', help: 'join a room (or create it)' },
  leave: { usage: '/leave [#ROOM] [REASON]', help: 'leave this room, or ROOM' },
  part: { usage: '/part', help: 'the same as /leave', alias: 'leave' },
  msg: { usage: '/msg NICK TEXT', help: 'send a private message' },
  nick: { usage: '/nick NAME', help: 'change your nick' },
  topic: { usage: '/topic [TEXT]', help: "show this room's topic, or set it" },
  list: { usage: '/list', help: 'list the rooms on the server' },
  who: { usage: '/who [ROOM]', help: 'who is in this room, or ROOM' },
  quit: { usage: '/quit [REASON]', help: 'disconnect from the server' },
  help: { usage: '/help', help: 'show this list' },
};

function splitFirst(text) {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()];
}

export function parseCommand(input) {
  if (!input.startsWith('/') || input.startsWith('//')) {
    return { kind: 'say', text: input.startsWith('//') ? input.slice(1) : input };
  }
  const [rawName, args] = splitFirst(input.slice(1));
  const name = rawName.toLowerCase();
  const spec = COMMANDS[name];
  if (!spec) return { kind: 'invalid', error: `unknown command /${name} (type /help for the list)` };
  const kind = spec.alias ?? name;
  const invalid = () => ({ kind: 'invalid', error: `usage: ${spec.usage}` });
  const [first, rest] = splitFirst(args);
  switch (kind) {
    case 'join':
    case 'nick':
      if (!first || rest) return invalid();
      return { kind, target: kind === 'join' ? first.replace(/^#/, '') : first };
    case 'msg':
      if (!first || !rest) return invalid();
      return { kind, target: first, text: rest };
    case 'leave':
      return args.startsWith('#') ? { kind, target: first.slice(1), text: rest } : { kind, text: args };
    case 'who':
      if (rest) return invalid();
      return { kind, target: first.replace(/^#/, '') };
    case 'topic':
    case 'quit':
      return { kind, text: args };
    default:
      if (args) return invalid();
      return { kind };
  }
}

export function helpLines() {
  return [...Object.values(COMMANDS).map((c) => `${c.usage} — ${c.help}`), '//text sends a message that starts with /'];
}
