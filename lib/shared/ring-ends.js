/**
 * RingWriter and RingReader: the checked JavaScript ends of ringlet's ring,
 * for the main thread and Workers (never the audio thread: the worklet
 * calls ring.js's frame moves on its own ring). They check their arguments
 * and the header, then call the frame moves in ring.js.
 */
import { LAYOUT } from './layout.js';
import { RingletError } from './errors.js';
import { framesOf } from './audio-data.js';
import { INTERLEAVE_MAX_FRAMES, interleaver } from './interleave.js';
import { NO_RATE_MARKS, checkRate, describe, sleep, timeoutOption } from './util.js';
import {
  CLOSED,
  R,
  READER_WAITING,
  W,
  WRITER_WAITING,
  closeRing,
  pullFrames,
  pushFrames,
  pushRateMark,
  ringClosed,
} from './ring.js';
import { RESAMPLER_MAX_RATE, RESAMPLER_MIN_RATE } from './constants.generated.js';

const UNDERRUNS = LAYOUT.RING_OFFSET_UNDERRUNS >> 2;
const OVERRUNS = LAYOUT.RING_OFFSET_OVERRUNS >> 2;

/** Longest single sleep of the timer fallback, where Atomics.waitAsync is missing. */
const MAX_BACKOFF_MS = 8;

const NOT_READY = Object.freeze({ status: 'not-ready', frames: 0 });
const CLOSED_RESULT = Object.freeze({ status: 'closed', frames: 0 });
/** @returns {ReadResult} */
const timedOutRead = () => ({ status: 'timeout', frames: 0 });

/**
 * Results are immutable, so 'ready' results for the common sizes are shared
 * frozen objects, made once: a reader draining fixed-size chunks allocates
 * nothing per call.
 */
const READY_CACHE_LIMIT = 8192;
/** @type {ReadResult[]} */
const readyResults = [];

/** @param {number} frames */
function readyResult(frames) {
  if (frames > READY_CACHE_LIMIT) return Object.freeze({ status: 'ready', frames });
  return (readyResults[frames] ??= Object.freeze({ status: 'ready', frames }));
}

/** @typedef {import('../../types/index.js').RingHandle} RingHandle */
/** @typedef {import('../../types/index.js').AudioData} AudioData */
/** @typedef {import('../../types/index.js').ReadResult} ReadResult */
/** @typedef {import('../../types/index.js').WriteResult} WriteResult */

/**
 * @param {unknown} buffer
 * @returns {buffer is SharedArrayBuffer | ArrayBuffer}
 */
function isBuffer(buffer) {
  return (
    (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer) || buffer instanceof ArrayBuffer
  );
}

/** State and checks shared by both ends. Not exported: use RingWriter or RingReader. */
class RingEnd {
  /**
   * @param {SharedArrayBuffer | ArrayBuffer} buffer memory holding a ring the core initialised
   * @param {number} byteOffset where the ring header starts (a multiple of 64)
   * @param {string} who class name for messages
   */
  constructor(buffer, byteOffset, who) {
    if (!isBuffer(buffer)) {
      throw new TypeError(`${who}: buffer must be a SharedArrayBuffer (or ArrayBuffer); got ${describe(buffer)}`);
    }
    if (
      !Number.isInteger(byteOffset) ||
      byteOffset < 0 ||
      byteOffset % 64 !== 0 ||
      byteOffset + LAYOUT.RING_HEADER_BYTES > buffer.byteLength
    ) {
      throw new RangeError(
        `${who}: byteOffset must be a multiple of 64 from 0 to ${buffer.byteLength - LAYOUT.RING_HEADER_BYTES}; got ${String(byteOffset)}`,
      );
    }
    const i32 = new Int32Array(buffer, byteOffset, LAYOUT.RING_HEADER_BYTES >> 2);
    const u32 = new Uint32Array(buffer, byteOffset, LAYOUT.RING_HEADER_BYTES >> 2);
    const magic = Atomics.load(u32, LAYOUT.RING_OFFSET_MAGIC >> 2);
    const channels = u32[LAYOUT.RING_OFFSET_CHANNELS >> 2];
    const capacity = u32[LAYOUT.RING_OFFSET_CAPACITY >> 2];
    const dataOffset = u32[LAYOUT.RING_OFFSET_DATA >> 2];
    if (magic !== LAYOUT.RING_MAGIC || u32[LAYOUT.RING_OFFSET_LAYOUT_VERSION >> 2] !== LAYOUT.RING_LAYOUT_VERSION) {
      throw new RingletError(
        'INVALID_RING',
        `${who}: no initialised ring (layout ${LAYOUT.RING_LAYOUT_VERSION}) at byteOffset ${byteOffset}`,
      );
    }
    if (
      channels < LAYOUT.RING_MIN_CHANNELS ||
      channels > LAYOUT.RING_MAX_CHANNELS ||
      capacity < LAYOUT.RING_MIN_CAPACITY ||
      capacity > LAYOUT.RING_MAX_CAPACITY ||
      (capacity & (capacity - 1)) !== 0 ||
      dataOffset !== LAYOUT.RING_HEADER_BYTES ||
      byteOffset + dataOffset + capacity * channels * 4 > buffer.byteLength
    ) {
      throw new RingletError('INVALID_RING', `${who}: the ring header at byteOffset ${byteOffset} is corrupt`);
    }
    /** @readonly */ this.buffer = buffer;
    /** @readonly */ this.byteOffset = byteOffset;
    /** @readonly */ this.channels = channels;
    /** @readonly */ this.capacityFrames = capacity;
    /** @readonly */ this.i32 = i32;
    /** @readonly */ this.mask = capacity - 1;
    /** @readonly */ this.data = new Float32Array(buffer, byteOffset + dataOffset, capacity * channels);
    /** @readonly */ this.who = who;
    /** */ this.pending = false;
    /** @type {boolean | undefined} */ this.canBlock = undefined;
    /** @readonly @type {RingHandle} */
    this.handle = Object.freeze({ buffer, byteOffset });
  }

  /** Frames waiting to be read. Any thread; wait-free. */
  get availableRead() {
    return (Atomics.load(this.i32, W) - Atomics.load(this.i32, R)) >>> 0;
  }

  /** Frames of free space. Any thread; wait-free. */
  get availableWrite() {
    return this.capacityFrames - this.availableRead;
  }

  /** True once either end closed the ring. */
  get closed() {
    return ringClosed(this);
  }

  /** Reads by the core that found fewer frames than a quantum. */
  get underruns() {
    return Atomics.load(this.i32, UNDERRUNS) >>> 0;
  }

  /** Writes by the core that found less space than a quantum. */
  get overruns() {
    return Atomics.load(this.i32, OVERRUNS) >>> 0;
  }

  /** Marks the ring closed and wakes the other end. Idempotent; any thread. */
  close() {
    closeRing(this);
  }

  /**
   * Frames in `data`, after checking its shape. Throws without side effects.
   * @param {unknown} data
   * @param {string} name
   * @returns {number}
   */
  framesOf(data, name) {
    return framesOf(data, this.channels, this.who, name);
  }

  /**
   * Sleeps until `i32[slot]` differs from `seen`, the ring closes, or `ms`
   * pass. Main thread and Workers; never blocks a thread.
   * @param {number} slot
   * @param {number} seen
   * @param {number} flag
   * @param {number} ms
   * @param {number} attempt
   */
  async sleepOn(slot, seen, flag, ms, attempt) {
    const i32 = this.i32;
    const shared = !(i32.buffer instanceof ArrayBuffer);
    if (shared && typeof Atomics.waitAsync === 'function') {
      Atomics.store(i32, flag, 1);
      try {
        if (Atomics.load(i32, slot) !== seen || this.closed) return;
        const waited = Atomics.waitAsync(i32, slot, seen, ms);
        if (waited.async) await waited.value;
      } finally {
        Atomics.store(i32, flag, 0);
      }
      return;
    }
    await sleep(Math.min(ms, MAX_BACKOFF_MS, 1 << Math.min(attempt, 3)));
  }

  /**
   * Blocks until `i32[slot]` differs from `seen`, the ring closes, or `ms`
   * pass. Workers only (Atomics.wait).
   * @param {number} slot
   * @param {number} seen
   * @param {number} flag
   * @param {number} ms
   */
  blockOn(slot, seen, flag, ms) {
    const i32 = this.i32;
    Atomics.store(i32, flag, 1);
    try {
      if (Atomics.load(i32, slot) !== seen || this.closed) return;
      Atomics.wait(i32, slot, seen, ms);
    } finally {
      Atomics.store(i32, flag, 0);
    }
  }

  /**
   * Calls `attempt` until it returns a result. Between calls it sleeps until
   * the other end moves `slot`, the ring closes, or the time left runs out;
   * at the deadline it returns `timedOut()`. Main thread and Workers; never
   * blocks the thread. One wait per end at a time (BUSY otherwise).
   * @template T
   * @param {string} method for messages
   * @param {number} ms timeout, already checked
   * @param {number} slot the index the other end advances
   * @param {number} flag this end's waiting flag
   * @param {() => T | undefined} attempt
   * @param {() => T} timedOut
   * @returns {Promise<T>}
   */
  async poll(method, ms, slot, flag, attempt, timedOut) {
    this.enter(method);
    this.pending = true;
    try {
      const deadline = performance.now() + ms;
      for (let tries = 0; ; tries++) {
        const seen = Atomics.load(this.i32, slot);
        const result = attempt();
        if (result !== undefined) return result;
        const left = deadline - performance.now();
        if (left <= 0) return timedOut();
        await this.sleepOn(slot, seen, flag, left, tries);
      }
    } finally {
      this.pending = false;
    }
  }

  /**
   * poll(), blocking the calling Worker in Atomics.wait between attempts.
   * Throws WAIT_NOT_ALLOWED, before any attempt, on threads that cannot block.
   * @template T
   * @param {string} method
   * @param {number} ms
   * @param {number} slot
   * @param {number} flag
   * @param {() => T | undefined} attempt
   * @param {() => T} timedOut
   * @returns {T}
   */
  pollSync(method, ms, slot, flag, attempt, timedOut) {
    this.enter(method);
    this.assertCanBlock(method);
    const deadline = performance.now() + ms;
    for (;;) {
      const seen = Atomics.load(this.i32, slot);
      const result = attempt();
      if (result !== undefined) return result;
      const left = deadline - performance.now();
      if (left <= 0) return timedOut();
      this.blockOn(slot, seen, flag, left);
    }
  }

  /**
   * Throws unless this thread may block in Atomics.wait. Checked once, before
   * anything moves, so a refused call changes nothing.
   * @param {string} method
   */
  assertCanBlock(method) {
    if (this.canBlock === undefined) {
      if (this.i32.buffer instanceof ArrayBuffer) {
        this.canBlock = false;
      } else {
        try {
          // Never sleeps: the expected value differs from the current one.
          Atomics.wait(this.i32, CLOSED, Atomics.load(this.i32, CLOSED) ^ 1, 0);
          this.canBlock = true;
        } catch {
          this.canBlock = false;
        }
      }
    }
    if (!this.canBlock) {
      throw new RingletError(
        'WAIT_NOT_ALLOWED',
        `${this.who}.${method}() blocks, which this thread does not allow (main thread or audio thread); use the async method instead`,
      );
    }
  }

  /**
   * @param {string} method
   */
  enter(method) {
    if (this.pending) {
      throw new RingletError(
        'BUSY',
        `${this.who}.${method}(): another wait on this ${this.who} is still pending; one end has one user at a time`,
      );
    }
  }
}

/**
 * Stereo planes as one interleaved run, made by the wasm interleaver
 * (interleave.js), which pushFrames then copies with one set(): about a
 * third of the cost of interleaving in the copy loop. Other data, and
 * threads without wasm SIMD, get `data` back unchanged.
 * @param {RingEnd} end
 * @param {AudioData} data already checked
 * @param {number} frames
 * @returns {AudioData}
 */
function stereoInterleaved(end, data, frames) {
  if (end.channels !== 2 || data instanceof Float32Array || frames > INTERLEAVE_MAX_FRAMES || frames === 0) return data;
  const il = interleaver();
  return il === null ? data : il.run(data[0], data[1]);
}

/**
 * @param {unknown} handle
 * @param {string} who
 * @returns {asserts handle is RingHandle}
 */
function checkHandle(handle, who) {
  if (handle === null || typeof handle !== 'object') {
    throw new TypeError(
      `${who}.fromHandle: handle must be a ring handle { buffer, byteOffset }; got ${describe(handle)}`,
    );
  }
}

/**
 * What both ends show: the ring's shape, fill, counters and handle, and
 * close(). Any thread; wait-free. Not exported: use RingWriter or RingReader.
 */
class RingSide {
  /**
   * @param {SharedArrayBuffer | ArrayBuffer} buffer
   * @param {number} byteOffset
   * @param {string} who class name for messages
   */
  constructor(buffer, byteOffset, who) {
    /** @protected @readonly */
    this.end = new RingEnd(buffer, byteOffset, who);
  }

  get channels() {
    return this.end.channels;
  }
  get capacityFrames() {
    return this.end.capacityFrames;
  }
  get availableRead() {
    return this.end.availableRead;
  }
  get availableWrite() {
    return this.end.availableWrite;
  }
  get closed() {
    return this.end.closed;
  }
  get underruns() {
    return this.end.underruns;
  }
  get overruns() {
    return this.end.overruns;
  }
  /** A structured-cloneable handle: post it to a Worker and call fromHandle there. */
  get handle() {
    return this.end.handle;
  }
  close() {
    this.end.close();
  }
}

/**
 * The producing end of a ring: the thread that feeds a source node, or any
 * thread feeding a ring the core reads. One RingWriter per ring at a time.
 *
 * Thread rules: tryWrite is wait-free and allocation-free and may run on any
 * thread, including realtime ones. write() suits the main thread and Workers;
 * writeSync() blocks and is for Workers only.
 */
export class RingWriter extends RingSide {
  /**
   * @param {SharedArrayBuffer | ArrayBuffer} buffer
   * @param {number} byteOffset
   */
  constructor(buffer, byteOffset) {
    super(buffer, byteOffset, 'RingWriter');
  }

  /**
   * Rebuilds a writer from a handle posted to another thread.
   * @param {RingHandle} handle
   */
  static fromHandle(handle) {
    checkHandle(handle, 'RingWriter');
    return new RingWriter(handle.buffer, handle.byteOffset);
  }

  /**
   * Writes as many frames of `data` as fit, without waiting.
   * Any thread. Realtime-safe: no allocation, no locks, no waits.
   * @param {AudioData} data interleaved Float32Array or one Float32Array per channel
   * @returns {number} frames written (0 when full)
   */
  tryWrite(data) {
    const end = this.end;
    const frames = end.framesOf(data, 'data');
    if (end.closed) {
      throw new RingletError('CLOSED', 'RingWriter.tryWrite(): the ring is closed');
    }
    return pushFrames(end, stereoInterleaved(end, data, frames), 0, frames);
  }

  /**
   * Writes all of `data`, waiting for space up to `timeoutMs` in all.
   * Main thread or Worker; never blocks the thread.
   * @param {AudioData} data
   * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 1000
   * @returns {Promise<WriteResult>} `frames` says how much went in whatever the status
   */
  async write(data, options) {
    const end = this.end;
    const frames = end.framesOf(data, 'data');
    const timeoutMs = timeoutOption(options, 'RingWriter.write', 1000);
    const progress = { done: 0 };
    return end.poll(
      'write',
      timeoutMs,
      R,
      WRITER_WAITING,
      () => this.push(data, frames, progress),
      () => ({
        status: 'timeout',
        frames: progress.done,
      }),
    );
  }

  /**
   * Like write(), but blocks the calling Worker in Atomics.wait. Throws
   * RingletError WAIT_NOT_ALLOWED, writing nothing, on threads that cannot block.
   * @param {AudioData} data
   * @param {{ timeoutMs: number }} options timeoutMs is required: a blocking wait has no default
   * @returns {WriteResult}
   */
  writeSync(data, options) {
    const end = this.end;
    const frames = end.framesOf(data, 'data');
    const ms = timeoutOption(options, 'RingWriter.writeSync');
    const progress = { done: 0 };
    return end.pollSync(
      'writeSync',
      ms,
      R,
      WRITER_WAITING,
      () => this.push(data, frames, progress),
      () => ({
        status: 'timeout',
        frames: progress.done,
      }),
    );
  }

  /**
   * Says that the frames written from now on run at `sampleRate` Hz: the
   * node's resampler changes its conversion exactly at the next frame
   * written (a rate mark in the ring, ahead of that frame), so tracks at
   * different rates follow each other with no gap. Only the ring's producer
   * calls it, on the thread that writes, between writes. Returns false,
   * changing nothing, while RING_RATE_MARKS (4) marks are still ahead of
   * what the node has read: try again once it has played up to them. Any
   * thread; wait-free, no allocation.
   * @param {number} sampleRate Hz, RESAMPLER_MIN_RATE .. RESAMPLER_MAX_RATE (8000 .. 384000)
   * @returns {boolean} true when the mark is queued
   * @throws {TypeError | RangeError} for a bad rate, and TypeError when the ring's node does not resample (made without varispeed at the context's rate)
   * @throws {RingletError} 'CLOSED' once the ring is closed
   */
  setSampleRate(sampleRate) {
    const rate = checkRate(sampleRate, 'RingWriter.setSampleRate', RESAMPLER_MIN_RATE, RESAMPLER_MAX_RATE);
    const r = pushRateMark(this.end, rate);
    if (r === 'off') throw new TypeError(`RingWriter.setSampleRate: ${NO_RATE_MARKS}`);
    if (r === 'closed') throw new RingletError('CLOSED', 'RingWriter.setSampleRate(): the ring is closed');
    return r === 'queued';
  }

  /**
   * One attempt of write() and writeSync(): pushes what fits of what is left.
   * @private
   * @param {AudioData} data
   * @param {number} frames
   * @param {{ done: number }} progress frames written so far, updated
   * @returns {WriteResult | undefined} undefined while frames are left
   */
  push(data, frames, progress) {
    const end = this.end;
    if (end.closed) return { status: 'closed', frames: progress.done };
    const from = progress.done;
    progress.done += pushFrames(end, from === 0 ? stereoInterleaved(end, data, frames) : data, from, frames - from);
    return progress.done === frames ? { status: 'ready', frames } : undefined;
  }
}

/**
 * The consuming end of a ring: the thread that drains a capture node, or any
 * thread reading a ring the core writes. One RingReader per ring at a time.
 *
 * Thread rules: tryRead is wait-free and may run on any thread. read()
 * suits the main thread and Workers; readSync() blocks and is for Workers only.
 */
export class RingReader extends RingSide {
  /**
   * @param {SharedArrayBuffer | ArrayBuffer} buffer
   * @param {number} byteOffset
   */
  constructor(buffer, byteOffset) {
    super(buffer, byteOffset, 'RingReader');
  }

  /**
   * Rebuilds a reader from a handle posted to another thread.
   * @param {RingHandle} handle
   */
  static fromHandle(handle) {
    checkHandle(handle, 'RingReader');
    return new RingReader(handle.buffer, handle.byteOffset);
  }

  /**
   * Reads up to as many frames as `dst` holds, without waiting.
   * Any thread; no locks, no waits. Results are frozen and shared, so reads
   * of up to 8192 frames allocate nothing.
   * @param {AudioData} dst interleaved Float32Array or one Float32Array per channel
   * @returns {ReadResult}
   */
  tryRead(dst) {
    const frames = this.end.framesOf(dst, 'dst');
    return this.once(dst, frames);
  }

  /**
   * Waits up to `timeoutMs` (default 1000) for at least one frame, then
   * reads as many as are available and fit. Main thread or Worker; never
   * blocks the thread.
   * @param {AudioData} dst
   * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 1000
   * @returns {Promise<ReadResult>}
   */
  async read(dst, options) {
    const end = this.end;
    const frames = end.framesOf(dst, 'dst');
    const ms = timeoutOption(options, 'RingReader.read', 1000);
    return end.poll('read', ms, W, READER_WAITING, () => this.pull(dst, frames), timedOutRead);
  }

  /**
   * Like read(), but blocks the calling Worker in Atomics.wait.
   * Throws RingletError WAIT_NOT_ALLOWED, reading nothing, on threads that cannot block.
   * @param {AudioData} dst
   * @param {{ timeoutMs: number }} options timeoutMs is required: a blocking wait has no default
   * @returns {ReadResult}
   */
  readSync(dst, options) {
    const end = this.end;
    const frames = end.framesOf(dst, 'dst');
    const ms = timeoutOption(options, 'RingReader.readSync');
    return end.pollSync('readSync', ms, W, READER_WAITING, () => this.pull(dst, frames), timedOutRead);
  }

  /**
   * One attempt of read() and readSync().
   * @private
   * @param {AudioData} dst
   * @param {number} frames
   * @returns {ReadResult | undefined} undefined while nothing is ready
   */
  pull(dst, frames) {
    const result = this.once(dst, frames);
    return result === NOT_READY ? undefined : result;
  }

  /**
   * @private
   * @param {AudioData} dst
   * @param {number} frames
   * @returns {ReadResult}
   */
  once(dst, frames) {
    if (frames === 0) {
      // Nothing to move, but a drained, closed ring still says so.
      return this.end.closed && this.end.availableRead === 0 ? CLOSED_RESULT : readyResult(0);
    }
    let n = pullFrames(this.end, dst, frames);
    if (n === 0 && this.end.closed) {
      // The writer publishes its last frames before closing; look once more.
      n = pullFrames(this.end, dst, frames);
      if (n === 0) return CLOSED_RESULT;
    }
    return n === 0 ? NOT_READY : readyResult(n);
  }
}
