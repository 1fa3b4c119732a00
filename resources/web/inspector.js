// The browser client's frame inspector: a panel under the chat listing every
// frame between this page and the server, newest at the bottom, with the
// selected one pretty-printed beside it. Filters by type and room; pause,
// clear, copy, save as JSON lines. Opened with the { } button or `?inspect`
// in the page's address; it records only while open.

import { FrameLog } from './framelog.js';

const RenderDelayMs = 50;
const $ = (id) => document.getElementById(id);

function timeOf(date) {
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export function setUpInspector(connection, transport) {
  const log = new FrameLog(undefined, transport);
  const rows = $('frames').tBodies[0];
  let selected = null;
  let renderTimer = null;
  let shownUpTo = 0; // the newest frame number rendered
  let rebuild = true;

  const filters = () => [$('inspector-type').value, $('inspector-room').value];

  function fillSelect(select, values, anyLabel, prefix = '') {
    const current = select.value;
    const options = [...values].sort().map((value) => new Option(`${prefix}${value}`, value));
    select.replaceChildren(new Option(anyLabel, ''), ...options);
    select.value = [...values].includes(current) ? current : '';
  }

  function rowFor(frame) {
    const row = document.createElement('tr');
    row.dataset.n = String(frame.n);
    row.className = frame.direction;
    row.append(cell(timeOf(frame.time), 'time'),
      cell(frame.direction === 'sent' ? '→' : '←', 'way'),
      cell(String(frame.size), 'size'),
      cell(frame.type, 'type'),
      cell(frame.room, 'room'),
      cell(frame.raw.length > 300 ? `${frame.raw.slice(0, 300)}…` : frame.raw, 'raw'));
    row.frame = frame;
    return row;
  }

  function render() {
    renderTimer = null;
    const [type, room] = filters();
    const body = $('inspector-body');
    const atBottom = body.scrollTop + body.clientHeight >= body.scrollHeight - 4;
    if (rebuild) {
      rows.replaceChildren(...log.filtered(type, room).map(rowFor));
      rebuild = false;
    } else {
      const fresh = log.filtered(type, room).filter((frame) => frame.n > shownUpTo);
      rows.append(...fresh.map(rowFor));
      // Frames the log let go of leave the table too.
      while (rows.firstElementChild && rows.firstElementChild.frame.n < log.oldest) rows.firstElementChild.remove();
    }
    shownUpTo = log.next - 1;
    if (atBottom) body.scrollTop = body.scrollHeight;
    fillSelect($('inspector-type'), log.types, 'All types');
    fillSelect($('inspector-room'), log.rooms, 'All rooms', '#');
    const plural = (n) => (n === 1 ? '1 frame' : `${n} frames`);
    let summary = `${plural(log.total)} since cleared; the last ${log.capacity} are kept`;
    if (log.paused) summary += ` · paused: ${plural(log.missed)} not kept`;
    $('inspector-summary').textContent = summary;
  }

  function scheduleRender() {
    if (renderTimer === null) renderTimer = setTimeout(render, RenderDelayMs);
  }
  log.onChange = scheduleRender;

  function select(row) {
    selected?.classList.remove('selected');
    selected = row;
    row.classList.add('selected');
    const { frame } = row;
    $('frame-detail').textContent = `${frame.direction === 'sent' ? 'Sent' : 'Received'} ${timeOf(frame.time)} `
      + `over ${frame.transport}, ${frame.size} bytes\n\n${FrameLog.pretty(frame)}`;
  }

  function shownFrames() {
    return [...rows.children].map((row) => row.frame);
  }

  async function copy() {
    const text = (selected ? [selected.frame] : shownFrames()).map((frame) => frame.raw).join('\n');
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard API (a page over plain http on the LAN): copy the old way.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    $('inspector-copy').textContent = 'Copied';
    setTimeout(() => { $('inspector-copy').textContent = 'Copy'; }, 1500);
  }

  function save() {
    const blob = new Blob([FrameLog.toJsonLines(shownFrames())], { type: 'application/x-ndjson' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'frames.jsonl';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  function setOpen(open) {
    $('inspector').hidden = !open;
    document.body.classList.toggle('inspecting', open);
    $('toggle-inspector').setAttribute('aria-pressed', String(open));
    connection.inspector = open ? log : null;
    if (open) scheduleRender();
  }

  rows.addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row) select(row);
  });
  $('inspector-pause').addEventListener('click', () => {
    log.setPaused(!log.paused);
    $('inspector-pause').setAttribute('aria-pressed', String(log.paused));
    $('inspector-pause').textContent = log.paused ? 'Resume' : 'Pause';
  });
  $('inspector-clear').addEventListener('click', () => {
    log.clear();
    selected = null;
    $('frame-detail').textContent = 'Select a frame to read it here.';
    rebuild = true;
  });
  $('inspector-copy').addEventListener('click', copy);
  $('inspector-save').addEventListener('click', save);
  for (const id of ['inspector-type', 'inspector-room']) {
    $(id).addEventListener('change', () => {
      rebuild = true;
      scheduleRender();
    });
  }
  $('toggle-inspector').addEventListener('click', () => setOpen($('inspector').hidden));
  $('inspector-close').addEventListener('click', () => setOpen(false));

  if (new URLSearchParams(window.location.search).has('inspect')) setOpen(true);
  return { log, setOpen };
}
