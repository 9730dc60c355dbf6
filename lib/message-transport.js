/**
 * The fallback transport, for pages that are not cross-origin isolated and so
 * have no SharedArrayBuffer. The ring lives in the worklet's private wasm
 * memory; these endpoints move audio over the node's MessagePort instead, with
 * the same methods and results as RingWriter and RingReader.
 *
 * Flow control: the worklet answers every message (never from process(), so
 * nothing is posted per quantum) with a snapshot of its ring indices and
 * counters. The writer only sends what the last snapshot proves will fit, so
 * the ring never overflows; chunk buffers are transferred both ways and reused
 * from a bounded pool. Main thread.
 */
import { RingletError } from './errors.js';
import { framesOf } from './audio-data.js';
import { checkTimeout, describe, sleep } from './util.js';

/** @typedef {import('../types/index.js').AudioData} AudioData */
/** @typedef {import('../types/index.js').ReadResult} ReadResult */
/** @typedef {import('../types/index.js').WriteResult} WriteResult */

/**
 * What the worklet reports with every reply.
 * @typedef {object} Snapshot
 * @property {number} writeIndex free-running frames written into the ring
 * @property {number} readIndex free-running frames read from it
 * @property {boolean} closed
 * @property {number} underruns
 * @property {number} overruns
 * @property {number} framesProcessed
 * @property {number} quanta
 * @property {number} silentFrames
 * @property {{ peak: number[], rms: number[], clips: number[] }} [meters]
 */

/** Frames per transferred chunk buffer. */
export const CHUNK_FRAMES = 4096;
/** Chunk buffers kept for reuse. */
const POOL_LIMIT = 32;
/** How long write() and readWithTimeout() wait between polls when nothing changed. */
const POLL_MS = 5;

/** @type {Snapshot} */
const EMPTY = Object.freeze({
  writeIndex: 0,
  readIndex: 0,
  closed: false,
  underruns: 0,
  overruns: 0,
  framesProcessed: 0,
  quanta: 0,
  silentFrames: 0,
});

/**
 * The main thread's side of a message-transport node: the port, the latest
 * snapshot, and a bounded pool of chunk buffers.
 */
export class MessageLink {
  /**
   * @param {MessagePort} port the node's port
   * @param {number} channels
   * @param {number} capacityFrames
   */
  constructor(port, channels, capacityFrames) {
    /** @readonly */ this.port = port;
    /** @readonly */ this.channels = channels;
    /** @readonly */ this.capacityFrames = capacityFrames;
    /** @type {Snapshot} */ this.snapshot = EMPTY;
    /** @type {Float32Array[]} */ this.pool = [];
    /** Resolvers waiting for the next snapshot. @type {Array<() => void>} */
    this.waiters = [];
    this.lastPoll = -Infinity;
    this.pollPending = false;
    /** The analyser's last time-domain snapshot. @type {{ writeIndex: number, data: Float32Array }} */
    this.time = { writeIndex: 0, data: new Float32Array(0) };
    this.lastTimeRequest = -Infinity;
    this.timePending = false;
    /** Pending flush() round trips by id. @type {Map<number, () => void>} */
    this.flushes = new Map();
    this.nextFlushId = 1;
  }

  /**
   * Resolves when the worklet answers this particular poll, which it does
   * only after handling every message posted before it (ports are FIFO), or
   * after `ms`.
   * @param {number} ms
   * @returns {Promise<void>}
   */
  flush(ms) {
    const id = this.nextFlushId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.flushes.delete(id);
        resolve();
      }, ms);
      this.flushes.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      this.port.postMessage({ type: 'poll', id });
    });
  }

  /**
   * Asks for the latest `size` time-domain samples, at most once per
   * `minIntervalMs` and one request at a time.
   * @param {number} size
   * @param {number} minIntervalMs
   */
  requestTime(size, minIntervalMs) {
    const now = performance.now();
    if (this.timePending || now - this.lastTimeRequest < minIntervalMs) return;
    this.lastTimeRequest = now;
    this.timePending = true;
    this.port.postMessage({ type: 'time', size });
  }

  /**
   * Sends a setting to the worklet, which queues it for the core.
   * @param {number} kind
   * @param {number} index
   * @param {number} arg
   * @param {readonly number[]} [values]
   */
  send(kind, index, arg, values = []) {
    this.port.postMessage({ type: 'param', kind, index, arg, values: [...values] });
  }

  /**
   * Takes a reply from the worklet.
   * @param {{ snapshot?: Snapshot, data?: Float32Array }} message
   */
  receive(message) {
    if (message.snapshot) this.snapshot = message.snapshot;
    const id = /** @type {{ id?: number }} */ (message).id;
    if (id !== undefined) {
      const settle = this.flushes.get(id);
      this.flushes.delete(id);
      settle?.();
    }
    const time = /** @type {{ time?: { writeIndex: number, data: Float32Array } }} */ (message).time;
    if (time) {
      this.time = time;
      this.timePending = false;
    }
    this.pollPending = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Forgets the old ring's state after the worklet reinitialised it (node.reset). */
  restart() {
    this.snapshot = EMPTY;
    this.time = { writeIndex: 0, data: new Float32Array(0) };
  }

  /** Wakes every waiter and drops the pool; the node is being disposed. */
  close() {
    this.pool.length = 0;
    this.receive({});
  }

  /**
   * A buffer for `frames` frames: a pooled full-size chunk for large writes,
   * an exactly sized one for small writes (so a 128-frame write does not
   * move a 4096-frame buffer back and forth).
   * @param {number} [frames]
   */
  acquire(frames = CHUNK_FRAMES) {
    if (frames < CHUNK_FRAMES / 4) return new Float32Array(frames * this.channels);
    return this.pool.pop() ?? new Float32Array(CHUNK_FRAMES * this.channels);
  }

  /**
   * Returns a chunk buffer the worklet sent back. A detached or foreign buffer is dropped.
   * @param {Float32Array | undefined} buffer
   */
  release(buffer) {
    if (
      buffer instanceof Float32Array &&
      buffer.length === CHUNK_FRAMES * this.channels &&
      this.pool.length < POOL_LIMIT
    ) {
      this.pool.push(buffer);
    }
  }

  /**
   * Asks for a fresh snapshot, at most once per `minIntervalMs`.
   * @param {number} [minIntervalMs]
   */
  poll(minIntervalMs = 0) {
    const now = performance.now();
    if (this.pollPending || now - this.lastPoll < minIntervalMs) return;
    this.lastPoll = now;
    this.pollPending = true;
    this.port.postMessage({ type: 'poll' });
  }

  /**
   * Resolves at the next reply from the worklet, or after `ms`.
   * @param {number} ms
   */
  nextReply(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve(undefined);
      }
      this.waiters.push(done);
    });
  }
}

/**
 * What both port-fed ends show: the ring's shape, its counters as of the last
 * snapshot, no handle, and close(). Main thread. Not exported: a node on the
 * message transport hands out a MessageWriter or a MessageReader.
 */
class MessageSide {
  /** @param {MessageLink} link */
  constructor(link) {
    /** @protected @readonly */ this.link = link;
    /** @protected */ this.closedHere = false;
    /** @protected */ this.pending = false;
  }

  get channels() {
    return this.link.channels;
  }
  get capacityFrames() {
    return this.link.capacityFrames;
  }
  get closed() {
    return this.closedHere || this.link.snapshot.closed;
  }
  get underruns() {
    return this.link.snapshot.underruns;
  }
  get overruns() {
    return this.link.snapshot.overruns;
  }
  /** No handle: a port-fed ring has one user, on the main thread. */
  get handle() {
    return null;
  }

  close() {
    if (this.closedHere) return;
    this.closedHere = true;
    this.link.port.postMessage({ type: 'close' });
  }
}

/**
 * The producing end of a source node on the message transport. Same contract
 * as RingWriter, except writeSync (nothing can block on a port) and handle.
 */
export class MessageWriter extends MessageSide {
  /** @param {MessageLink} link */
  constructor(link) {
    super(link);
    /** Frames posted so far (free-running uint32). @private */ this.sent = 0;
  }

  /** Frames posted and not yet consumed, as of the last snapshot. */
  get availableRead() {
    return (this.sent - this.link.snapshot.readIndex) >>> 0;
  }
  get availableWrite() {
    return this.capacityFrames - this.availableRead;
  }

  /** The worklet reinitialised the ring (node.reset): start counting from zero, open. */
  restart() {
    this.sent = 0;
    this.closedHere = false;
  }

  /**
   * Posts as many frames as the last snapshot proves will fit. Never waits.
   * @param {AudioData} data
   * @returns {number}
   */
  tryWrite(data) {
    const frames = framesOf(data, this.channels, 'MessageWriter', 'data');
    if (this.closed) throw new RingletError('CLOSED', 'RingWriter.tryWrite(): the ring is closed');
    return this.move(data, 0, frames);
  }

  /**
   * @param {AudioData} data
   * @param {{ timeoutMs?: number }} [options]
   * @returns {Promise<WriteResult>}
   */
  async write(data, options) {
    const frames = framesOf(data, this.channels, 'MessageWriter', 'data');
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`RingWriter.write: options must be an object like { timeoutMs }; got ${describe(options)}`);
    }
    const timeoutMs = checkTimeout(options?.timeoutMs, 'RingWriter.write', 1000);
    if (this.pending)
      throw new RingletError('BUSY', 'RingWriter.write(): another wait on this writer is still pending');
    this.pending = true;
    try {
      const deadline = performance.now() + timeoutMs;
      let done = 0;
      for (;;) {
        if (this.closed) return { status: 'closed', frames: done };
        done += this.move(data, done, frames - done);
        if (done === frames) return { status: 'ready', frames: done };
        const left = deadline - performance.now();
        if (left <= 0) return { status: 'timeout', frames: done };
        this.link.poll();
        await this.link.nextReply(Math.min(left, POLL_MS));
      }
    } finally {
      this.pending = false;
    }
  }

  /** @returns {WriteResult} */
  writeSync() {
    throw new RingletError(
      'WAIT_NOT_ALLOWED',
      'RingWriter.writeSync(): the message transport cannot block; use write()',
    );
  }

  /**
   * @private
   * @param {AudioData} data
   * @param {number} from
   * @param {number} frames
   */
  move(data, from, frames) {
    const ch = this.channels;
    let moved = 0;
    while (moved < frames) {
      const n = Math.min(frames - moved, this.availableWrite, CHUNK_FRAMES);
      if (n <= 0) break;
      const chunk = this.link.acquire(n);
      const start = from + moved;
      if (data instanceof Float32Array) {
        if (start === 0 && n * ch === data.length) chunk.set(data);
        else for (let i = 0; i < n * ch; i++) chunk[i] = data[start * ch + i];
      } else {
        for (let c = 0; c < ch; c++) {
          const src = data[c];
          for (let i = 0, d = c; i < n; i++, d += ch) chunk[d] = src[start + i];
        }
      }
      this.link.port.postMessage({ type: 'write', data: chunk, frames: n }, [chunk.buffer]);
      this.sent = (this.sent + n) >>> 0;
      moved += n;
    }
    return moved;
  }
}

/**
 * The consuming end of a capture node on the message transport. Same
 * contract as RingReader, except readSync and handle.
 */
export class MessageReader extends MessageSide {
  /** @param {MessageLink} link */
  constructor(link) {
    super(link);
    /** Received frames not yet handed out: chunks and a read position in the first. @private @type {Array<{ data: Float32Array, frames: number }>} */
    this.chunks = [];
    /** @private */ this.offset = 0;
    /** @private */ this.requested = false;
  }

  /** Frames received here plus frames in the worklet's ring, as of the last snapshot. */
  get availableRead() {
    let here = -this.offset;
    for (const c of this.chunks) here += c.frames;
    const s = this.link.snapshot;
    return here + ((s.writeIndex - s.readIndex) >>> 0);
  }
  get availableWrite() {
    return Math.max(0, this.capacityFrames - this.availableRead);
  }

  /** The worklet reinitialised the ring (node.reset): drop what arrived from the old one. */
  restart() {
    for (const c of this.chunks) this.link.release(c.data);
    this.chunks = [];
    this.offset = 0;
    this.requested = false;
    this.closedHere = false;
  }

  /**
   * Takes a chunk the worklet sent.
   * @param {Float32Array} data
   * @param {number} frames
   */
  accept(data, frames) {
    this.requested = false;
    if (frames > 0) this.chunks.push({ data, frames });
    else this.link.release(data);
  }

  /**
   * Hands out what has arrived, up to dst's size, and asks for more. Never waits.
   * @param {AudioData} dst
   * @returns {ReadResult}
   */
  tryRead(dst) {
    const frames = framesOf(dst, this.channels, 'MessageReader', 'dst');
    const n = this.move(dst, frames);
    this.request();
    if (n > 0) return { status: 'ready', frames: n };
    if (this.link.snapshot.closed && this.link.snapshot.writeIndex === this.link.snapshot.readIndex) {
      return { status: 'closed', frames: 0 };
    }
    return { status: 'not-ready', frames: 0 };
  }

  /**
   * @param {AudioData} dst
   * @param {number} timeoutMs
   * @returns {Promise<ReadResult>}
   */
  async readWithTimeout(dst, timeoutMs) {
    framesOf(dst, this.channels, 'MessageReader', 'dst');
    const ms = checkTimeout(timeoutMs, 'RingReader.readWithTimeout');
    if (this.pending)
      throw new RingletError('BUSY', 'RingReader.readWithTimeout(): another wait on this reader is still pending');
    this.pending = true;
    try {
      const deadline = performance.now() + ms;
      for (;;) {
        const r = this.tryRead(dst);
        if (r.status !== 'not-ready') return r;
        const left = deadline - performance.now();
        if (left <= 0) return { status: 'timeout', frames: 0 };
        await Promise.race([this.link.nextReply(left), sleep(Math.min(left, POLL_MS))]);
      }
    } finally {
      this.pending = false;
    }
  }

  /** @returns {ReadResult} */
  readSync() {
    throw new RingletError(
      'WAIT_NOT_ALLOWED',
      'RingReader.readSync(): the message transport cannot block; use readWithTimeout()',
    );
  }

  /** @private */
  request() {
    if (this.requested || this.closedHere) return;
    this.requested = true;
    const chunk = this.link.acquire();
    this.link.port.postMessage({ type: 'read', data: chunk }, [chunk.buffer]);
  }

  /**
   * @private
   * @param {AudioData} dst
   * @param {number} frames
   */
  move(dst, frames) {
    const ch = this.channels;
    let moved = 0;
    while (moved < frames && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const n = Math.min(frames - moved, chunk.frames - this.offset);
      const src = chunk.data;
      const base = this.offset * ch;
      if (dst instanceof Float32Array) {
        for (let i = 0; i < n * ch; i++) dst[moved * ch + i] = src[base + i];
      } else {
        for (let c = 0; c < ch; c++) {
          const out = dst[c];
          for (let i = 0, s = base + c; i < n; i++, s += ch) out[moved + i] = src[s];
        }
      }
      moved += n;
      this.offset += n;
      if (this.offset === chunk.frames) {
        this.chunks.shift();
        this.offset = 0;
        this.link.release(chunk.data);
      }
    }
    return moved;
  }
}

/**
 * The analyser's time source on the message transport: the last snapshot
 * posted, refreshed at most once per animation frame.
 * @param {MessageLink} link
 * @returns {import('./analyser.js').TimeSource}
 */
export function messageTimeSource(link) {
  let size = 2048;
  return {
    writeIndex() {
      // Asking here too (throttled) keeps fresh snapshots coming even when a
      // request was dropped by the throttle: the analyser only copies samples
      // when this index changes.
      link.requestTime(size, 16);
      return link.time.writeIndex;
    },
    latest(out, count) {
      size = count;
      link.requestTime(count, 16);
      const data = link.time.data;
      const n = Math.min(count, data.length);
      // Older samples than the snapshot holds are silence.
      out.fill(0, 0, count - n);
      out.set(data.subarray(data.length - n), count - n);
    },
  };
}
