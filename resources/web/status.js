// The live /status page: listens to the server's status feed (a WebSocket
// at /status/feed, one JSON snapshot a second) and shows it. No polling; if
// the feed drops, it comes back on its own.

const ChartSeconds = 60;
const RetryMs = 2000;

const samples = [];
const $ = (id) => document.getElementById(id);

function feedUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/status/feed`;
}

function setState(text, kind) {
  const state = $('feed-state');
  state.textContent = text;
  state.className = `feed-state ${kind}`;
}

function drawChart() {
  const peak = Math.max(1, ...samples);
  const step = 600 / (ChartSeconds - 1);
  const offset = ChartSeconds - samples.length;
  const points = samples.map((value, i) => `${((offset + i) * step).toFixed(1)},${(100 - (value / peak) * 96).toFixed(1)}`);
  $('chart-line').setAttribute('points', points.join(' '));
  $('peak').textContent = String(Math.max(0, ...samples));
}

function showRooms(rooms) {
  const body = $('rooms').tBodies[0];
  body.replaceChildren(...rooms.map(({ name, members }) => {
    const row = document.createElement('tr');
    row.dataset.room = name;
    const nameCell = document.createElement('td');
    nameCell.textContent = `#${name}`;
    const membersCell = document.createElement('td');
    membersCell.textContent = String(members);
    row.append(nameCell, membersCell);
    return row;
  }));
  $('no-rooms').hidden = rooms.length > 0;
}

function showErrors(errors) {
  $('errors').replaceChildren(...errors.slice().reverse().map(({ time, code, message, client }) => {
    const item = document.createElement('li');
    const when = document.createElement('time');
    when.dateTime = time;
    when.textContent = new Date(time).toLocaleTimeString();
    const codeSpan = document.createElement('span');
    codeSpan.className = 'code';
    codeSpan.textContent = code;
    const who = document.createElement('span');
    who.className = 'client';
    who.textContent = `to ${client}`;
    item.append(when, ' ', codeSpan, ' ', who, document.createElement('br'), message);
    return item;
  }));
  $('no-errors').hidden = errors.length > 0;
}

function show(status) {
  for (const cell of document.querySelectorAll('#connections dd')) {
    cell.textContent = String(status.connections[cell.dataset.transport] ?? 0);
  }
  $('users').textContent = String(status.users);
  $('room-count').textContent = String(status.roomCount);
  $('rate').textContent = String(status.messagesPerSecond);
  $('deliveries').textContent = String(status.deliveriesPerSecond);
  $('stored').textContent = String(status.messagesStored);
  samples.push(status.messagesPerSecond);
  if (samples.length > ChartSeconds) samples.shift();
  drawChart();
  showRooms(status.rooms);
  showErrors(status.errors);
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
}

function listen() {
  const socket = new WebSocket(feedUrl());
  socket.addEventListener('open', () => setState('live', 'live'));
  socket.addEventListener('message', (event) => show(JSON.parse(event.data)));
  socket.addEventListener('close', () => {
    setState('feed lost, reconnecting…', 'lost');
    setTimeout(listen, RetryMs);
  });
}

listen();
