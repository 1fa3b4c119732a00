// How one room keeps what it shows whole across reconnects: the last seq
// shown, the last change heard of, and the live messages held back while a
// gap is filled. It only decides; the session sends the requests it asks for
// and shows the messages it hands out. client/core/roomsync.cpp is the same
// class for the desktop client, tested with the same cases.

export class RoomSync {
  lastSeq = 0;
  lastRev = 0;
  catchingUp = false;
  #heldBack = [];

  // Whether a message with this seq is new here (0: unnumbered, always new);
  // if so, it counts as shown.
  take(seq) {
    if (seq > 0 && seq <= this.lastSeq) return false;
    this.lastSeq = Math.max(this.lastSeq, seq);
    return true;
  }

  #fresh(messages) {
    return messages.filter((message) => this.take(message.seq));
  }

  static #steps() {
    return { show: [], refresh: [], historyAfter: null, changesAfter: null };
  }

  // `joined`: the first time, its history is what there is to show; after a
  // reconnect, what was missed in between is filled, once.
  joined(history, rev = 0) {
    const steps = RoomSync.#steps();
    const last = this.lastSeq;
    if (last === 0) {
      steps.show = this.#fresh(history);
      this.changeHeard(rev ?? 0);
      return steps;
    }
    // Messages already shown may have changed while away: as they are now.
    steps.refresh = history.filter((message) => message.seq <= last);
    // A revision read off `joined` may skip changes not heard of yet: ask for
    // them from the last one heard, in order.
    if ((rev ?? 0) > this.lastRev) steps.changesAfter = this.lastRev;
    if (history.length === 0 || history[0].seq <= last + 1) {
      steps.show = this.#fresh(history);
    } else {
      this.catchingUp = true;
      steps.historyAfter = last;
    }
    return steps;
  }

  // A `message` event: shown now, or held back until the gap is filled.
  live(message) {
    const steps = RoomSync.#steps();
    if (this.catchingUp) this.#heldBack.push(message);
    else steps.show = this.#fresh([message]);
    return steps;
  }

  // A page of `history after`; pageSize: the limit it was asked with.
  caughtUp(page, pageSize) {
    const steps = RoomSync.#steps();
    steps.show = this.#fresh(page);
    if (page.length >= pageSize) {
      steps.historyAfter = this.lastSeq;
      return steps;
    }
    this.catchingUp = false;
    const held = this.#heldBack;
    this.#heldBack = [];
    steps.show.push(...this.#fresh(held));
    return steps;
  }

  // A page of `history changed_after`.
  changes(page, pageSize) {
    const steps = RoomSync.#steps();
    steps.refresh = page;
    for (const message of page) this.changeHeard(message.rev ?? 0);
    if (page.length >= pageSize) steps.changesAfter = this.lastRev;
    return steps;
  }

  // An `updated` event: heard in revision order.
  changeHeard(rev) {
    this.lastRev = Math.max(this.lastRev, rev);
  }

  // The connection dropped: what was held back comes again with the catch-up.
  disconnected() {
    this.catchingUp = false;
    this.#heldBack = [];
  }
}
