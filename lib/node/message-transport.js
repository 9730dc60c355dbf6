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
 * from a bounded pool.
 *
 * Batching: a postMessage costs microseconds, far more than copying a
 * quantum, so writes are gathered into one chunk buffer and posted when it is
 * full, when anything else is posted (so the port's order is the order of the
 * calls), or at the end of the current task (a microtask), whichever comes
 * first. A write is therefore on its way before the page's code yields, as
 * it was when every write posted its own message, and one message carries up
 * to chunkFrames frames (a 128 KiB chunk: 16384 stereo frames). Main thread.
 */
import { RingletError } from '../shared/errors.js';
import { framesOf } from '../shared/audio-data.js';
import { NO_RATE_MARKS, checkRate, timeoutOption } from '../shared/util.js';
import { LAYOUT } from '../shared/layout.js';
import { RESAMPLER_MAX_RATE, RESAMPLER_MIN_RATE } from '../shared/constants.generated.js';

/** @typedef {import('../shared/util.js').TimerSet} TimerSet */

/** @typedef {import('../../types/index.js').AudioData} AudioData */
/** @typedef {import('../../types/index.js').ReadResult} ReadResult */
/** @typedef {import('../../types/index.js').WriteResult} WriteResult */

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
 * @property {number} [latencyFrames] the resampler's latency, context frames (RL_STATS_OFFSET_LATENCY_FRAMES)
 * @property {number} [lookaheadFrames] ring frames the resampler holds (RL_STATS_OFFSET_LOOKAHEAD_FRAMES)
 * @property {number} [heardFrames] ring frames heard, as of the last quantum (RL_STATS_OFFSET_HEARD_FRAMES)
 * @property {number} [paramBacklog] settings waiting in the worklet for space in the core's queue
 * @property {number} [marksTaken] rate marks the core has taken from the ring (RL_RING_OFFSET_MARKS_TAKEN)
 * @property {{ peak: number[], rms: number[], clips: number[] }} [meters]
 */

/**
 * A reply from the worklet. Every reply carries the ring generation (`epoch`)
 * it was made in, and the `id` of the request it answers when that request
 * had one.
 * @typedef {object} Reply
 * @property {string} [type]
 * @property {number} [epoch]
 * @property {number} [id]
 * @property {Snapshot} [snapshot]
 * @property {Float32Array} [data]
 * @property {number} [frames]
 * @property {{ writeIndex: number, data: Float32Array }} [time]
 */

/** Bytes of one transferred chunk buffer: the most one 'write' message carries. */
const CHUNK_BYTES = 128 * 1024;
/** Bytes of chunk buffers kept for reuse. */
const POOL_BYTES = 1024 * 1024;

/**
 * Frames per chunk for `channels` channels: CHUNK_BYTES worth (a power of
 * two), at least one quantum, and no more than the ring holds.
 * @param {number} channels
 * @param {number} capacityFrames
 */
export function chunkFramesFor(channels, capacityFrames) {
  const fit = 2 ** Math.floor(Math.log2(CHUNK_BYTES / (4 * channels)));
  return Math.max(128, Math.min(fit, capacityFrames));
}
/**
 * The poll interval: while the worklet has nothing new, write() and
 * read() ask it at most this often, and wait at most this long
 * between looks.
 */
const POLL_MS = 5;
/** How soon to ask again while settings wait in the worklet for space in the core's queue. */
const PARAM_RETRY_MS = 10;

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
 * snapshot of the current ring, a bounded pool of chunk buffers, and every
 * wait on the worklet.
 *
 * Ring generations: reset() starts a new ring. The main thread moves to the
 * new generation when reset() is called and says so in the 'reset' message;
 * the worklet stamps every reply with its generation. Ports are FIFO, so
 * everything posted after 'reset' lands in the new ring, and a reply from
 * the old one (still in flight when reset() was called) is recognised and
 * its snapshot and data are ignored.
 *
 * Waits: each pending wait holds one timer and one entry, both removed
 * whatever way it ends (reply, timeout or close()). Main thread.
 */
export class MessageLink {
  /**
   * @param {MessagePort} port the node's port
   * @param {number} channels
   * @param {number} capacityFrames
   * @param {TimerSet} timers the node's timers
   */
  constructor(port, channels, capacityFrames, timers) {
    /** @readonly */ this.port = port;
    /** @readonly */ this.channels = channels;
    /** @readonly */ this.capacityFrames = capacityFrames;
    /** Frames per chunk buffer. @readonly */ this.chunkFrames = chunkFramesFor(channels, capacityFrames);
    /** Chunk buffers kept for reuse, at most. @readonly */
    this.poolLimit = Math.max(2, Math.floor(POOL_BYTES / (4 * channels * this.chunkFrames)));
    /** @readonly */ this.timers = timers;
    /** The ring generation this side is in. */
    this.epoch = 0;
    /** @type {Snapshot} */ this.snapshot = EMPTY;
    /** Frames posted in this generation that the worklet has not acknowledged yet. */
    this.inFlight = 0;
    /** @type {Float32Array[]} */ this.pool = [];
    /** Writes gathered for the next 'write' message: a pooled chunk and the frames in it. @type {Float32Array | null} */
    this.batch = null;
    this.batchFrames = 0;
    /** Whether a microtask will post the batch. */
    this.batchQueued = false;
    /** The microtask that posts the batch, made once. */
    this.postBatchLater = () => {
      this.batchQueued = false;
      this.postBatch();
    };
    /** Wakers of the waits for the next reply. @type {Set<() => void>} */
    this.waiters = new Set();
    /** Round trips waiting for the reply with their id. @type {Map<number, { settle: (reply: Reply) => void, fail: (error: Error) => void }>} */
    this.requests = new Map();
    this.nextId = 1;
    /** The outstanding poll's id, or 0. */
    this.pollId = 0;
    this.lastPoll = -Infinity;
    /** Settings posted so far, and how many of them the outstanding poll was posted after. */
    this.paramsSent = 0;
    this.paramsPolled = 0;
    /** The analyser's last time-domain snapshot. @type {{ writeIndex: number, data: Float32Array }} */
    this.time = { writeIndex: 0, data: new Float32Array(0) };
    this.lastTimeRequest = -Infinity;
    /** The outstanding time request's id, or 0. */
    this.timeId = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */ this.paramRetry = null;
    /** True once the node is disposed: nothing is posted, every wait ends. */
    this.closed = false;
    /**
     * True once the node's AudioContext has closed: its processor never runs
     * again, and some engines (Chromium) stop it answering the port, so no
     * wait may count on a reply.
     */
    this.contextClosed = false;
  }

  /** A fresh request id. */
  id() {
    const id = this.nextId;
    this.nextId = id >= 0x3fffffff ? 1 : id + 1;
    return id;
  }

  /**
   * Posts to the worklet unless the node is disposed.
   * @param {object} message
   * @param {Transferable[]} [transfer]
   * @returns {boolean} whether it was posted
   */
  post(message, transfer) {
    if (this.closed) return false;
    // Writes made before this message go before it, as the calls were made.
    this.postBatch();
    if (transfer) this.port.postMessage(message, transfer);
    else this.port.postMessage(message);
    return true;
  }

  /**
   * One round trip: posts `message` with a fresh id and resolves with the
   * reply that carries it. The worklet handles messages in order, so the
   * reply also proves every message posted before this one has been handled.
   * Rejects with RingletError 'TIMEOUT' after `ms`, or 'DISPOSED' when the
   * node is disposed first.
   * @param {object} message
   * @param {number} ms
   * @param {string} where for messages
   * @returns {Promise<Reply>}
   */
  request(message, ms, where) {
    if (this.closed) return Promise.reject(new RingletError('DISPOSED', `${where}: the node has been disposed`));
    const id = this.id();
    return new Promise((resolve, reject) => {
      const end = () => {
        this.requests.delete(id);
        this.timers.cancel(timer);
      };
      const timer = this.timers.after(ms, () => {
        end();
        reject(new RingletError('TIMEOUT', `${where}: the processor did not answer within timeoutMs (${ms} ms)`));
      });
      this.requests.set(id, {
        settle: (reply) => {
          end();
          resolve(reply);
        },
        fail: (error) => {
          end();
          reject(error);
        },
      });
      this.post({ ...message, id });
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
    if (this.timeId !== 0 || now - this.lastTimeRequest < minIntervalMs) return;
    const id = this.id();
    if (!this.post({ type: 'time', size, id })) return;
    this.lastTimeRequest = now;
    this.timeId = id;
  }

  /**
   * Sends a setting to the worklet, which queues it for the core. A poll
   * follows the last setting of a burst; its snapshot says whether settings
   * wait in the worklet for space, and while they do the link asks again
   * every 10 ms (the worklet has no timers, and moves them on each message).
   * @param {number} kind
   * @param {number} index
   * @param {number} arg
   * @param {readonly number[]} [values]
   */
  send(kind, index, arg, values = []) {
    if (!this.post({ type: 'param', kind, index, arg, values: [...values] })) return;
    this.paramsSent += 1;
    this.poll();
  }

  /**
   * Takes a reply from the worklet.
   * @param {Reply} message
   */
  receive(message) {
    const current = message.epoch === this.epoch;
    if (message.type === 'ack') {
      this.release(message.data);
      if (current) this.inFlight = Math.max(0, this.inFlight - (message.frames ?? 0));
    }
    if (current && message.snapshot) this.snapshot = message.snapshot;
    const id = message.id;
    if (id !== undefined) {
      if (id === this.pollId) {
        this.pollId = 0;
        // Settings went out after that poll: its snapshot does not cover them.
        if (this.paramsPolled !== this.paramsSent) this.poll();
      }
      if (id === this.timeId) {
        this.timeId = 0;
        if (current && message.time) this.time = message.time;
      }
      this.requests.get(id)?.settle(message);
    }
    if (current && (this.snapshot.paramBacklog ?? 0) > 0 && this.paramRetry === null && !this.closed) {
      this.paramRetry = this.timers.after(PARAM_RETRY_MS, () => {
        this.paramRetry = null;
        this.poll();
      });
    }
    this.wake();
  }

  /** @private */
  wake() {
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Moves to a new ring generation: the worklet's ring starts empty, and
   * nothing is known of it yet. Called by reset() just before it posts the
   * 'reset' that carries the new epoch.
   * @returns {number} the new epoch
   */
  restart() {
    // Writes made before reset() belong to the old ring.
    this.postBatch();
    this.epoch = (this.epoch + 1) % 0x40000000;
    this.snapshot = EMPTY;
    this.inFlight = 0;
    this.time = { writeIndex: 0, data: new Float32Array(0) };
    this.wake();
    return this.epoch;
  }

  /**
   * The node's context has closed: waits that need the processor end now,
   * and the capture reader hands out only what has already arrived here.
   */
  endWithContext() {
    this.contextClosed = true;
    this.wake();
  }

  /**
   * The node is disposed: every wait ends now (round trips reject with
   * DISPOSED), every timer is cancelled, the pool is dropped, and nothing
   * more is posted.
   */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.pool.length = 0;
    this.batch = null;
    this.batchFrames = 0;
    this.timers.cancel(this.paramRetry);
    this.paramRetry = null;
    for (const { fail } of [...this.requests.values()]) {
      fail(new RingletError('DISPOSED', 'RingletNode: the node was disposed while waiting for the processor'));
    }
    this.wake();
  }

  /** A chunk buffer: a pooled one, or a new one while every pooled chunk is on its way. */
  acquire() {
    return this.pool.pop() ?? new Float32Array(this.chunkFrames * this.channels);
  }

  /**
   * Room for up to `frames` more frames in the batch, which is copied into
   * from frame `batchFrames` on. Opens a batch (and queues the microtask that
   * posts it) when none is open. Follow with commit().
   * @param {number} frames
   * @returns {number} frames that fit, at most `frames`
   */
  room(frames) {
    if (this.batch === null) {
      this.batch = this.acquire();
      this.batchFrames = 0;
    }
    if (!this.batchQueued) {
      this.batchQueued = true;
      queueMicrotask(this.postBatchLater);
    }
    return Math.min(frames, this.chunkFrames - this.batchFrames);
  }

  /**
   * Counts `frames` frames copied into the batch as written; a full batch
   * is posted at once.
   * @param {number} frames
   */
  commit(frames) {
    this.batchFrames += frames;
    this.inFlight += frames;
    if (this.batchFrames === this.chunkFrames) this.postBatch();
  }

  /** Posts the batch of writes as one 'write' message, if it holds any. */
  postBatch() {
    const chunk = this.batch;
    if (chunk === null || this.batchFrames === 0 || this.closed) return;
    const frames = this.batchFrames;
    this.batchFrames = 0;
    this.batch = null;
    this.port.postMessage({ type: 'write', data: chunk, frames }, [chunk.buffer]);
  }

  /**
   * Returns a chunk buffer the worklet sent back. A detached or foreign buffer is dropped.
   * @param {Float32Array | undefined} buffer
   */
  release(buffer) {
    if (
      !this.closed &&
      buffer instanceof Float32Array &&
      buffer.length === this.chunkFrames * this.channels &&
      this.pool.length < this.poolLimit
    ) {
      this.pool.push(buffer);
    }
  }

  /**
   * Asks for a fresh snapshot: one poll at a time, at most once per `minIntervalMs`.
   * @param {number} [minIntervalMs]
   */
  poll(minIntervalMs = 0) {
    const now = performance.now();
    if (this.pollId !== 0 || now - this.lastPoll < minIntervalMs) return;
    const id = this.id();
    if (!this.post({ type: 'poll', id })) return;
    this.lastPoll = now;
    this.pollId = id;
    this.paramsPolled = this.paramsSent;
  }

  /**
   * Resolves at the next reply from the worklet, after `ms`, or when the node
   * is disposed, whichever comes first. Its timer and its entry go either way.
   * @param {number} ms
   * @returns {Promise<void>}
   */
  nextReply(ms) {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        this.timers.cancel(timer);
        resolve();
      };
      const timer = this.timers.after(ms, wake);
      this.waiters.add(wake);
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
    return this.closedHere || this.link.closed || this.link.snapshot.closed;
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
  /** True while a write() or read() on this end is in progress. */
  get waiting() {
    return this.pending;
  }

  close() {
    if (this.closedHere) return;
    this.closedHere = true;
    this.link.post({ type: 'close' });
  }

  /** The node's ring restarted (reset()): the new ring is open. */
  restart() {
    this.closedHere = false;
  }
}

/**
 * The producing end of a source node on the message transport. Same contract
 * as RingWriter, except writeSync (nothing can block on a port) and handle.
 *
 * Accounting: the ring holds what the last snapshot says plus what was posted
 * in this generation and not yet acknowledged. Each acknowledgement comes with
 * a snapshot taken after its chunk was handled, so a chunk the worklet did not
 * take (the ring closed meanwhile) never counts, and a write racing reset()
 * is counted in the new ring, where it lands.
 */
export class MessageWriter extends MessageSide {
  /**
   * @param {MessageLink} link
   * @param {boolean} takesRates whether the node resamples (and so takes rate marks)
   */
  constructor(link, takesRates) {
    super(link);
    /** @private @readonly */ this.takesRates = takesRates;
    /** Rate marks posted in this ring generation. @private */ this.marksPosted = 0;
  }

  /** The node's ring restarted (reset()): no mark is on its way. */
  restart() {
    super.restart();
    this.marksPosted = 0;
  }

  /**
   * RingWriter.setSampleRate over the port: the mark travels in order with
   * the writes, so it lands at the next frame written. False while the
   * marks posted and not yet taken by the core (as of the last snapshot)
   * fill the ring's mark queue: flush() or write, then try again.
   * @param {number} sampleRate
   * @returns {boolean}
   */
  setSampleRate(sampleRate) {
    const rate = checkRate(sampleRate, 'RingWriter.setSampleRate', RESAMPLER_MIN_RATE, RESAMPLER_MAX_RATE);
    if (!this.takesRates) throw new TypeError(`RingWriter.setSampleRate: ${NO_RATE_MARKS}`);
    if (this.closed) throw new RingletError('CLOSED', 'RingWriter.setSampleRate(): the ring is closed');
    const taken = this.link.snapshot.marksTaken ?? 0;
    if (this.marksPosted - taken >= LAYOUT.RING_RATE_MARKS) return false;
    this.link.post({ type: 'rate', rate });
    this.marksPosted++;
    return true;
  }

  /** Frames in the ring, or on their way to it. */
  get availableRead() {
    const s = this.link.snapshot;
    return Math.min(this.capacityFrames, ((s.writeIndex - s.readIndex) >>> 0) + this.link.inFlight);
  }
  get availableWrite() {
    return this.capacityFrames - this.availableRead;
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
    const timeoutMs = timeoutOption(options, 'RingWriter.write', 1000);
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
        this.link.poll(POLL_MS);
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
    const link = this.link;
    let moved = 0;
    while (moved < frames && !link.closed) {
      const space = Math.min(frames - moved, this.availableWrite);
      if (space <= 0) break;
      const n = link.room(space);
      const chunk = /** @type {Float32Array} */ (link.batch);
      const start = from + moved;
      const at = link.batchFrames * ch;
      if (data instanceof Float32Array) {
        if (start === 0 && n * ch === data.length) chunk.set(data, at);
        else chunk.set(data.subarray(start * ch, (start + n) * ch), at);
      } else if (ch === 1) {
        const src = data[0];
        chunk.set(start === 0 && n === src.length ? src : src.subarray(start, start + n), at);
      } else {
        for (let c = 0; c < ch; c++) {
          const src = data[c];
          for (let i = 0, d = at + c; i < n; i++, d += ch) chunk[d] = src[start + i];
        }
      }
      link.commit(n);
      moved += n;
    }
    return moved;
  }
}

/**
 * The consuming end of a capture node on the message transport. Same
 * contract as RingReader, except readSync and handle. After close() it goes
 * on taking what the worklet's ring still holds, then reports 'closed'. Once
 * the node's context has closed it hands out what has already arrived, then
 * reports 'closed': a closed context's processor may never answer again.
 */
export class MessageReader extends MessageSide {
  /** @param {MessageLink} link */
  constructor(link) {
    super(link);
    /** Received frames not yet handed out: chunks and a read position in the first. @private @type {Array<{ data: Float32Array, frames: number }>} */
    this.chunks = [];
    /** @private */ this.offset = 0;
    /** The outstanding read's id, or 0. @private */ this.readId = 0;
    /** When the last read came back empty: the next one waits a poll interval. @private */
    this.emptyAt = -Infinity;
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

  /** The node's ring restarted (reset()): what arrived from the old one is dropped. */
  restart() {
    super.restart();
    for (const c of this.chunks) this.link.release(c.data);
    this.chunks = [];
    this.offset = 0;
    this.emptyAt = -Infinity;
  }

  /**
   * Takes a 'data' reply.
   * @param {Reply} reply
   */
  accept(reply) {
    if (reply.id === this.readId) this.readId = 0;
    const data = reply.data;
    const frames = reply.frames ?? 0;
    if (!(data instanceof Float32Array)) return;
    // After the context closed the reader may already have said 'closed'.
    if (reply.epoch === this.link.epoch && frames > 0 && !this.link.contextClosed) {
      this.chunks.push({ data, frames });
    } else {
      if (frames === 0) this.emptyAt = performance.now();
      this.link.release(data);
    }
  }

  /**
   * Hands out what has arrived, up to dst's size, and asks for more. Never waits.
   * @param {AudioData} dst
   * @returns {ReadResult}
   */
  tryRead(dst) {
    const frames = framesOf(dst, this.channels, 'MessageReader', 'dst');
    const n = this.move(dst, frames);
    if (this.drained()) return n > 0 ? { status: 'ready', frames: n } : { status: 'closed', frames: 0 };
    this.request();
    return n > 0 ? { status: 'ready', frames: n } : { status: 'not-ready', frames: 0 };
  }

  /**
   * @param {AudioData} dst
   * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 1000
   * @returns {Promise<ReadResult>}
   */
  async read(dst, options) {
    framesOf(dst, this.channels, 'MessageReader', 'dst');
    const ms = timeoutOption(options, 'RingReader.read', 1000);
    if (this.pending) throw new RingletError('BUSY', 'RingReader.read(): another wait on this reader is still pending');
    this.pending = true;
    try {
      const deadline = performance.now() + ms;
      for (;;) {
        const r = this.tryRead(dst);
        if (r.status !== 'not-ready') return r;
        const left = deadline - performance.now();
        if (left <= 0) return { status: 'timeout', frames: 0 };
        await this.link.nextReply(Math.min(left, POLL_MS));
      }
    } finally {
      this.pending = false;
    }
  }

  /** @returns {ReadResult} */
  readSync() {
    throw new RingletError('WAIT_NOT_ALLOWED', 'RingReader.readSync(): the message transport cannot block; use read()');
  }

  /**
   * True when nothing is left to read and nothing more can come: the ring is
   * closed, the worklet's part of it is empty, and no chunk waits here (or the
   * node is disposed, or its context closed, so nothing more arrives).
   * @private
   */
  drained() {
    if (this.chunks.length > 0) return false;
    if (this.link.closed || this.link.contextClosed) return true;
    const s = this.link.snapshot;
    return s.closed && s.writeIndex === s.readIndex && this.readId === 0;
  }

  /**
   * Asks the worklet for a chunk: one request at a time, and after an empty
   * answer not again within a poll interval (a suspended context answers at
   * once with nothing).
   * @private
   */
  request() {
    if (this.readId !== 0 || this.link.closed || this.link.contextClosed) return;
    if (performance.now() - this.emptyAt < POLL_MS) return;
    const id = this.link.id();
    const chunk = this.link.acquire();
    if (this.link.post({ type: 'read', data: chunk, id }, [chunk.buffer])) this.readId = id;
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
