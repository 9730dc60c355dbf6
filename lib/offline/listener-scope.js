/**
 * Listeners removed together, counted in a shared counter: +1 per add, minus
 * all of them on close(). Plain add/removeEventListener: no AbortController
 * per scope (a task pays for one scope).
 */
export class ListenerScope {
  /** @param {{ n: number }} counter */
  constructor(counter) {
    this.counter = counter;
    this.closed = false;
    /** @type {Array<EventTarget | string | ((event: Event) => void)>} target, type, listener triples */
    this.added = [];
  }

  /**
   * @param {EventTarget} target
   * @param {string} type
   * @param {(event: Event) => void} listener
   */
  on(target, type, listener) {
    if (this.closed) return;
    target.addEventListener(type, listener);
    this.added.push(target, type, listener);
    this.counter.n += 1;
  }

  /** Removes every listener added through this scope. Idempotent. */
  close() {
    if (this.closed) return;
    this.closed = true;
    const a = this.added;
    this.added = [];
    this.counter.n -= a.length / 3;
    for (let i = 0; i < a.length; i += 3) {
      /** @type {EventTarget} */ (a[i]).removeEventListener(
        /** @type {string} */ (a[i + 1]),
        /** @type {(event: Event) => void} */ (a[i + 2]),
      );
    }
  }
}
