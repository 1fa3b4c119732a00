// What the user typed: plain text, or a /command (the same commands as the
// desktop client; see docs/client.md).

const COMMANDS = {
  join: { usage: '/join ROOM [KEY]', help: 'join a room (or create it); KEY for a room that has one' },
  leave: { usage: '/leave [#ROOM] [REASON]', help: 'leave this room, or ROOM' },
  part: { usage: '/part', help: 'the same as /leave', alias: 'leave' },
  msg: { usage: '/msg NICK TEXT', help: 'send a private message' },
  me: { usage: '/me TEXT', help: 'say it as an action: /me waves shows as "* alice waves"' },
  nick: { usage: '/nick NAME', help: 'change your nick' },
  away: { usage: '/away [MESSAGE]', help: 'say you are away, and why; without a message: back' },
  back: { usage: '/back', help: 'say you are back' },
  topic: { usage: '/topic [TEXT]', help: "show this room's topic, or set it" },
  list: { usage: '/list', help: 'list the rooms on the server' },
  who: { usage: '/who [ROOM]', help: 'who is in this room, or ROOM' },
  register: { usage: '/register PASSWORD', help: 'make your nick an account, so that only you can use it (8 characters or more)' },
  login: { usage: '/login ACCOUNT PASSWORD', help: 'reconnect, logged in to ACCOUNT' },
  password: { usage: '/password OLD NEW', help: "change your account's password" },
  claim: { usage: '/claim', help: 'become the owner of this room, if it has none (needs an account)' },
  op: { usage: '/op NICK', help: 'owners: make NICK an op of this room' },
  deop: { usage: '/deop NICK', help: 'owners: make NICK a plain member again' },
  kick: { usage: '/kick NICK [REASON]', help: 'ops: put NICK out of this room' },
  ban: { usage: '/ban NICK|MASK [DURATION] [REASON]',
         help: 'ops: ban from this room; MASK is account:NAME, nick:GLOB or address:CIDR; DURATION such as 30m, 2h, 7d' },
  unban: { usage: '/unban NICK|MASK', help: 'ops: lift a ban' },
  bans: { usage: '/bans', help: "ops: list this room's bans" },
  mute: { usage: '/mute NICK [DURATION] [REASON]', help: 'ops: stop NICK speaking in this room' },
  unmute: { usage: '/unmute NICK', help: 'ops: let NICK speak again' },
  invite: { usage: '/invite NICK [ROOM]', help: 'invite NICK to this room, or ROOM' },
  mode: { usage: '/mode [+i|-i] [+t|-t] [+k KEY|-k]',
          help: "show this room's modes, or change them (ops): i invitation only, t topic locked, k key" },
  audit: { usage: '/audit [ROOM|*]', help: 'ops: recent moderation in this room (or ROOM); * the whole server (server operators)' },
  sban: { usage: '/sban NICK|MASK [DURATION] [REASON]', help: 'server operators: ban from the whole server' },
  sunban: { usage: '/sunban MASK', help: 'server operators: lift a server ban' },
  sbans: { usage: '/sbans', help: 'server operators: list the server bans' },
  quit: { usage: '/quit [REASON]', help: 'disconnect from the server' },
  help: { usage: '/help', help: 'show this list' },
};

const UNITS = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

function splitFirst(text) {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()];
}

// "90s", "10m", "2h", "1d", "1w" and sums such as "1h30m"; null otherwise.
export function parseDuration(text) {
  const lower = text.toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(lower)) return null;
  let seconds = 0;
  for (const [, count, unit] of lower.matchAll(/(\d+)([smhdw])/g)) seconds += Number(count.slice(0, 9)) * UNITS[unit];
  return seconds;
}

export function describeDuration(seconds) {
  for (const [size, one, many] of [[7 * 86400, 'week', 'weeks'], [86400, 'day', 'days'], [3600, 'hour', 'hours'], [60, 'minute', 'minutes']]) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${count === 1 ? one : many}`;
    }
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

// Whether a typed line carries a password, and so stays out of the history.
export function carriesSecret(input) {
  return /^\/(register|login|password)(\s|$)/i.test(input);
}

// "+i -t +k key" or "+ik key": the changes, or null when not understood.
function parseModes(args) {
  const changes = {};
  const words = args.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i];
    if (word.length < 2 || !'+-'.includes(word[0])) return null;
    const on = word[0] === '+';
    for (const letter of word.slice(1)) {
      if (letter === 'i') changes.invite_only = on;
      else if (letter === 't') changes.topic_locked = on;
      else if (letter === 'k') {
        if (!on) changes.key = '';
        else if (i + 1 < words.length) changes.key = words[++i];
        else return null;
      } else return null;
    }
  }
  return changes;
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
  const [second, afterSecond] = splitFirst(rest);
  switch (kind) {
    case 'join':
      if (!first || second.length !== rest.length) return invalid();
      return { kind, target: first.replace(/^#/, ''), extra: rest };
    case 'nick':
    case 'op':
    case 'deop':
    case 'unmute':
    case 'unban':
    case 'sunban':
      if (!first || rest) return invalid();
      return { kind, target: first };
    case 'msg':
    case 'login':
      if (!first || !rest) return invalid();
      return { kind, target: first, text: rest };
    case 'kick':
      if (!first) return invalid();
      return { kind, target: first, text: rest };
    case 'ban':
    case 'mute':
    case 'sban': {
      if (!first) return invalid();
      const duration = parseDuration(second);
      if (duration === 0) return invalid();
      return duration === null ? { kind, target: first, text: rest } : { kind, target: first, duration, text: afterSecond };
    }
    case 'invite':
      if (!first || second.length !== rest.length) return invalid();
      return { kind, target: first, extra: rest.replace(/^#/, '') };
    case 'register':
    case 'me':
      if (!args) return invalid();
      return { kind, text: args };
    case 'password':
      if (!first || !rest) return invalid();
      return { kind, text: first, extra: rest };
    case 'mode': {
      const modes = parseModes(args);
      return modes ? { kind, modes } : invalid();
    }
    case 'audit':
    case 'who':
      if (rest) return invalid();
      return { kind, target: first.replace(/^#/, '') };
    case 'leave':
      return args.startsWith('#') ? { kind, target: first.slice(1), text: rest } : { kind, text: args };
    case 'topic':
    case 'quit':
    case 'away':
      return { kind, text: args };
    default:
      if (args) return invalid();
      return { kind };
  }
}

export function helpLines() {
  return [...Object.values(COMMANDS).map((c) => `${c.usage} — ${c.help}`), '//text sends a message that starts with /'];
}
