// What the browser's frame inspector keeps: every frame between the page and
// the server, as it went over the WebSocket, with when, which way and its
// size in bytes. Bounded: only the last `capacity` frames are kept. The same
// idea, and the same export format, as the desktop client's FrameLog.

export const DefaultCapacity = 1000;

const encoder = new TextEncoder();

export class FrameLog {
  constructor(capacity = DefaultCapacity, transport = 'ws') {
    this.capacity = Math.max(1, capacity);
    this.transport = transport;
    this.frames = [];
    this.total = 0;
    this.missed = 0;
    this.paused = false;
    this.types = new Set();
    this.rooms = new Set();
    this.next = 1; // numbers frames, oldest first
    this.onChange = null; // called after each record, clear and pause
  }

  // `raw`: the frame's text exactly as sent or received.
  record(direction, raw, time = new Date()) {
    this.total += 1;
    if (this.paused) {
      this.missed += 1;
      this.onChange?.();
      return null;
    }
    let type = '';
    let room = '';
    try {
      const parsed = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') {
        if (typeof parsed.type === 'string') type = parsed.type;
        if (typeof parsed.room === 'string') room = parsed.room;
      }
    } catch {
      // not JSON: kept as it came
    }
    const frame = {
      n: this.next++, time, direction, transport: this.transport, raw, size: encoder.encode(raw).length, type, room,
    };
    this.frames.push(frame);
    if (this.frames.length > this.capacity) this.frames.splice(0, this.frames.length - this.capacity);
    if (type) this.types.add(type);
    if (room) this.rooms.add(room);
    this.onChange?.();
    return frame;
  }

  setPaused(paused) {
    this.paused = paused;
    if (!paused) this.missed = 0;
    this.onChange?.();
  }

  clear() {
    this.frames = [];
    this.total = 0;
    this.missed = 0;
    this.onChange?.();
  }

  // The oldest frame still kept (frames before it were let go).
  get oldest() {
    return this.frames[0]?.n ?? this.next;
  }

  // The frames a type and a room ('' for any) let through.
  filtered(type = '', room = '') {
    const roomKey = room.toLowerCase();
    return this.frames.filter((frame) => (!type || frame.type === type)
      && (!room || frame.room.toLowerCase() === roomKey));
  }

  // {"time","direction","transport","size","frame"}: the frame as JSON, or
  // as a string if it was not JSON.
  static toJsonLine(frame) {
    let body;
    try {
      body = JSON.parse(frame.raw);
    } catch {
      body = frame.raw;
    }
    return JSON.stringify({
      time: frame.time.toISOString(),
      direction: frame.direction,
      transport: frame.transport,
      size: frame.size,
      frame: body,
    });
  }

  static toJsonLines(frames) {
    return frames.map((frame) => `${FrameLog.toJsonLine(frame)}\n`).join('');
  }

  // Indented for reading; JSON.parse keeps the order the fields were sent in.
  static pretty(frame) {
    try {
      return JSON.stringify(JSON.parse(frame.raw), null, 4);
    } catch {
      return frame.raw;
    }
  }
}
