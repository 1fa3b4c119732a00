// One WebSocket to the server's /ws, carrying protocol messages as JSON.
// Knows nothing of what they mean (requests.js numbers the requests).

export class Connection extends EventTarget {
  #socket = null;
  // The frame inspector's FrameLog while the inspector is open; null (the
  // default) records nothing.
  inspector = null;

  constructor(url) {
    super();
    this.url = url;
  }

  open() {
    this.close();
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    socket.addEventListener('open', () => this.dispatchEvent(new Event('open')));
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.dispatchEvent(new CustomEvent('close', { detail: { code: event.code, reason: event.reason } }));
    });
    socket.addEventListener('message', (event) => {
      this.inspector?.record('received', String(event.data));
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // not ours to fix; ignore what cannot be read
      }
      if (message && typeof message.type === 'string') {
        this.dispatchEvent(new CustomEvent('message', { detail: message }));
      }
    });
  }

  get isOpen() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  sendWithoutId(type, fields = {}) {
    this.write({ type, ...fields });
  }

  // One frame (an object), if the connection is open.
  write(message) {
    if (!this.isOpen) return;
    const text = JSON.stringify(message);
    this.inspector?.record('sent', text);
    this.#socket.send(text);
  }

  close() {
    const socket = this.#socket;
    this.#socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
  }
}

// The page's own server, over wss when the page came over https.
export function defaultUrl(location) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
