// Numbers the requests the client sends and remembers, by number, what each
// was for, until the answer with that id comes back (or the connection goes
// and no answer will). The desktop client's RequestTracker does the same.

export class RequestTracker {
  #nextId = 1;
  #pending = new Map();

  // `sink(frame)` writes one frame (an object) to the connection.
  constructor(sink) {
    this.sink = sink;
  }

  // Sends a request with a new id and returns the id; `context` is what
  // take() gives back for its answer.
  send(type, fields = {}, context = {}) {
    const id = this.#nextId++;
    this.#pending.set(id, context);
    this.sink({ type, ...fields, id });
    return id;
  }

  // What the request with this id was for ({} if nothing); forgets it.
  take(id) {
    if (id === undefined || !this.#pending.has(id)) return {};
    const context = this.#pending.get(id);
    this.#pending.delete(id);
    return context;
  }

  get pendingCount() {
    return this.#pending.size;
  }

  // The connection went: no answer will come.
  clear() {
    this.#pending.clear();
  }
}
