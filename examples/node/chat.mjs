// A Confab chat client in Node.js, with the built-in `net` module only.
//
//   node chat.mjs HOST PORT NICK ROOM
//
// Type a line to say it in ROOM; "/msg NICK TEXT" whispers. Ctrl+D quits.
// Every frame is one JSON object on one line (docs/protocol.md). (Over
// WebSocket instead, Node 20 needs --experimental-websocket for its
// built-in WebSocket; plain TCP needs nothing.)
import net from 'node:net';
import readline from 'node:readline';

const [host, port, nick, room] = process.argv.slice(2);
const socket = net.connect(Number(port), host);
const send = (message) => socket.write(`${JSON.stringify(message)}\n`);

send({ type: 'hello', nick });
send({ type: 'join', room });

const show = (message) => {
  switch (message.type) {
    case 'message': console.log(`[${message.room}] ${message.from}: ${message.text}`); break;
    case 'private': console.log(`(private) ${message.from}: ${message.text}`); break;
    case 'user_joined': console.log(`* ${message.nick} joined ${message.room}`); break;
    case 'user_left': console.log(`* ${message.nick} left ${message.room}`); break;
    case 'joined': console.log(`* you are in ${message.room} with ${message.members.join(', ')}`); break;
    case 'welcome': console.log(`* welcome, ${message.nick}: ${message.motd}`); break;
    case 'error': console.log(`! ${message.code}: ${message.message}`); break;
    case 'ping': send({ type: 'pong' }); break;
    default: break;
  }
};

// TCP is a stream: a line may arrive in pieces, or several in one read.
let buffer = '';
socket.setEncoding('utf8');
socket.on('data', (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf('\n')) >= 0) {
    show(JSON.parse(buffer.slice(0, end)));
    buffer = buffer.slice(end + 1);
  }
});
socket.on('close', () => {
  console.log('* the server closed the connection');
  process.exit(0);
});

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  const whisper = line.match(/^\/msg (\S+) (.+)$/);
  if (whisper) send({ type: 'whisper', to: whisper[1], text: whisper[2] });
  else if (line) send({ type: 'say', room, text: line });
});
input.on('close', () => {
  send({ type: 'quit' });
  socket.end();
});
