/**
 * The bare protocol of ringlet's single-producer, single-consumer ring: the
 * header's word indices and the frame moves. The layout is the C core's
 * (csrc/include/ringlet.h); the C side or another thread holds the other
 * end. Indices are free-running uint32 frame counters, published with
 * sequentially consistent Atomics so the waiting handshake matches the
 * core's (see rl_ring_wake in csrc/ring.c). Any thread, the audio thread
 * included: the worklet imports these functions and none of the classes
 * (RingWriter and RingReader are in ring-ends.js).
 */
import { LAYOUT } from './layout.js';

/** @typedef {import('../../types/index.js').AudioData} AudioData */

/** Int32 word indices of the ring header's fields, for both ends. */
export const W = LAYOUT.RING_OFFSET_WRITE_INDEX >> 2;
export const R = LAYOUT.RING_OFFSET_READ_INDEX >> 2;
export const CLOSED = LAYOUT.RING_OFFSET_CLOSED >> 2;
export const WRITER_WAITING = LAYOUT.RING_OFFSET_WRITER_WAITING >> 2;
export const READER_WAITING = LAYOUT.RING_OFFSET_READER_WAITING >> 2;

export const RATE_MARKS_ON = LAYOUT.RING_OFFSET_RATE_MARKS_ON >> 2;
export const MARKS_WRITTEN = LAYOUT.RING_OFFSET_MARKS_WRITTEN >> 2;
export const MARKS_TAKEN = LAYOUT.RING_OFFSET_MARKS_TAKEN >> 2;
const MARKS = LAYOUT.RING_OFFSET_MARKS >> 2;
const MARK_WORDS = LAYOUT.RING_RATE_MARK_BYTES >> 2;

/** A float32's bits, for a rate mark (allocated once, at import). */
const rateBits = new Int32Array(1);
const rateFloat = new Float32Array(rateBits.buffer);

/**
 * Queues a rate mark: the frames written from now on run at `rate` Hz (the
 * ring header's rate marks, csrc/include/ringlet.h). The producer's side,
 * like pushFrames; `rate` already checked. Any thread; wait-free, no
 * allocation.
 * @param {{ i32: Int32Array }} ring
 * @param {number} rate
 * @returns {'queued' | 'full' | 'off' | 'closed'} 'off': the ring's consumer takes no rate marks
 */
export function pushRateMark(ring, rate) {
  const i32 = ring.i32;
  if (Atomics.load(i32, RATE_MARKS_ON) === 0) return 'off';
  if (Atomics.load(i32, CLOSED) !== 0) return 'closed';
  const written = Atomics.load(i32, MARKS_WRITTEN) >>> 0;
  if ((written - (Atomics.load(i32, MARKS_TAKEN) >>> 0)) >>> 0 >= LAYOUT.RING_RATE_MARKS) return 'full';
  const slot = MARKS + (written % LAYOUT.RING_RATE_MARKS) * MARK_WORDS;
  rateFloat[0] = rate;
  Atomics.store(i32, slot, Atomics.load(i32, W));
  Atomics.store(i32, slot + 1, rateBits[0]);
  Atomics.store(i32, MARKS_WRITTEN, (written + 1) | 0);
  return 'queued';
}

// ---- frame moves: the ring protocol itself ---------------------------------------
// RingWriter and RingReader check their arguments, then call these. The
// worklet calls them directly on its own ring (ringFrames), so it bundles
// none of the classes.

/**
 * What the frame moves need of a ring. A RingEnd is one.
 * @typedef {object} RingFrames
 * @property {Int32Array} i32 the header, as Int32Array
 * @property {Float32Array} data the frame storage, interleaved
 * @property {number} mask capacityFrames - 1
 * @property {number} capacityFrames
 * @property {number} channels
 */

/**
 * The ring the core initialised at `byteOffset`, trusted as it is: for the
 * worklet's own ring in its private memory. Everything else uses RingWriter
 * or RingReader, which check the header. Allocates views; not in process().
 * @param {SharedArrayBuffer | ArrayBuffer} buffer
 * @param {number} byteOffset
 * @returns {RingFrames}
 */
export function ringFrames(buffer, byteOffset) {
  const u32 = new Uint32Array(buffer, byteOffset, LAYOUT.RING_HEADER_BYTES >> 2);
  const channels = u32[LAYOUT.RING_OFFSET_CHANNELS >> 2];
  const capacity = u32[LAYOUT.RING_OFFSET_CAPACITY >> 2];
  return {
    i32: new Int32Array(buffer, byteOffset, LAYOUT.RING_HEADER_BYTES >> 2),
    data: new Float32Array(buffer, byteOffset + u32[LAYOUT.RING_OFFSET_DATA >> 2], capacity * channels),
    mask: capacity - 1,
    capacityFrames: capacity,
    channels,
  };
}

/**
 * True once either end closed the ring. Any thread; wait-free.
 * @param {{ i32: Int32Array }} ring
 */
export function ringClosed(ring) {
  return Atomics.load(ring.i32, CLOSED) !== 0;
}

/**
 * Marks the ring closed and wakes both ends. Idempotent; any thread.
 * @param {{ i32: Int32Array }} ring
 */
export function closeRing(ring) {
  Atomics.store(ring.i32, CLOSED, 1);
  if (ring.i32.buffer instanceof ArrayBuffer) return;
  Atomics.notify(ring.i32, W);
  Atomics.notify(ring.i32, R);
}

/**
 * Copies up to `frames` frames of `data`, starting at frame `from`, into
 * free space and publishes them; the producer's side. Returns the count
 * moved. `data` must hold `from + frames` frames. Any thread; wait-free, no
 * allocation.
 * @param {RingFrames} ring
 * @param {AudioData} data
 * @param {number} from
 * @param {number} frames
 * @returns {number}
 */
export function pushFrames(ring, data, from, frames) {
  const i32 = ring.i32;
  const w = Atomics.load(i32, W) >>> 0;
  const space = ring.capacityFrames - ((w - (Atomics.load(i32, R) >>> 0)) >>> 0);
  const n = frames < space ? frames : space;
  if (n <= 0) return 0;
  const ch = ring.channels;
  const slot = w & ring.mask;
  const dst = ring.data;
  if (data instanceof Float32Array) {
    if (from === 0 && n * ch === data.length && slot + n <= ring.capacityFrames) {
      dst.set(data, slot * ch);
    } else {
      copyInterleavedIn(dst, slot, ring.capacityFrames, data, from, n, ch);
    }
  } else if (ch === 1) {
    // One plane is the interleaved form.
    const mono = data[0];
    if (from === 0 && n === mono.length && slot + n <= ring.capacityFrames) dst.set(mono, slot);
    else copyInterleavedIn(dst, slot, ring.capacityFrames, mono, from, n, 1);
  } else {
    copyPlanarIn(dst, slot, ring.capacityFrames, data, from, n, ch);
  }
  Atomics.store(i32, W, (w + n) | 0);
  if (Atomics.load(i32, READER_WAITING) !== 0) Atomics.notify(i32, W);
  return n;
}

/**
 * Copies up to `frames` frames out of the ring into `dst` and frees their
 * space; the consumer's side. Returns the count moved. `dst` must hold
 * `frames` frames. Any thread; wait-free, no allocation.
 * @param {RingFrames} ring
 * @param {AudioData} dst
 * @param {number} frames
 * @returns {number}
 */
export function pullFrames(ring, dst, frames) {
  const i32 = ring.i32;
  const r = Atomics.load(i32, R) >>> 0;
  const fill = ((Atomics.load(i32, W) >>> 0) - r) >>> 0;
  const n = frames < fill ? frames : fill;
  if (n <= 0) return 0;
  const ch = ring.channels;
  const slot = r & ring.mask;
  if (dst instanceof Float32Array) {
    copyInterleavedOut(dst, ring.data, slot, ring.capacityFrames, n, ch);
  } else if (ch === 1) {
    copyInterleavedOut(dst[0], ring.data, slot, ring.capacityFrames, n, 1);
  } else {
    copyPlanarOut(dst, ring.data, slot, ring.capacityFrames, n, ch);
  }
  Atomics.store(i32, R, (r + n) | 0);
  if (Atomics.load(i32, WRITER_WAITING) !== 0) Atomics.notify(i32, R);
  return n;
}

/**
 * @param {Float32Array} dst ring storage
 * @param {number} slot
 * @param {number} capacity
 * @param {Float32Array} src
 * @param {number} from first source frame
 * @param {number} n frames
 * @param {number} ch
 */
function copyInterleavedIn(dst, slot, capacity, src, from, n, ch) {
  const first = Math.min(n, capacity - slot) * ch;
  const base = slot * ch;
  const start = from * ch;
  for (let i = 0; i < first; i++) dst[base + i] = src[start + i];
  const total = n * ch;
  for (let i = first; i < total; i++) dst[i - first] = src[start + i];
}

/**
 * Interleaves planar frames into ring storage in two straight runs (before
 * and after the wrap) with a stride of `ch`, rather than masking every index.
 * @param {Float32Array} dst ring storage
 * @param {number} slot
 * @param {number} capacity
 * @param {readonly Float32Array[]} planes
 * @param {number} from first source frame
 * @param {number} n
 * @param {number} ch
 */
function copyPlanarIn(dst, slot, capacity, planes, from, n, ch) {
  const first = Math.min(n, capacity - slot);
  for (let c = 0; c < ch; c++) {
    const src = planes[c];
    let d = slot * ch + c;
    for (let i = 0; i < first; i++, d += ch) dst[d] = src[from + i];
    d = c;
    for (let i = first; i < n; i++, d += ch) dst[d] = src[from + i];
  }
}

/**
 * @param {Float32Array} dst
 * @param {Float32Array} src ring storage
 * @param {number} slot
 * @param {number} capacity
 * @param {number} n
 * @param {number} ch
 */
function copyInterleavedOut(dst, src, slot, capacity, n, ch) {
  const first = Math.min(n, capacity - slot) * ch;
  const base = slot * ch;
  for (let i = 0; i < first; i++) dst[i] = src[base + i];
  const total = n * ch;
  for (let i = first; i < total; i++) dst[i] = src[i - first];
}

/**
 * @param {readonly Float32Array[]} planes
 * @param {Float32Array} src ring storage
 * @param {number} slot
 * @param {number} capacity
 * @param {number} n
 * @param {number} ch
 */
function copyPlanarOut(planes, src, slot, capacity, n, ch) {
  const first = Math.min(n, capacity - slot);
  for (let c = 0; c < ch; c++) {
    const dst = planes[c];
    let s = slot * ch + c;
    for (let i = 0; i < first; i++, s += ch) dst[i] = src[s];
    s = c;
    for (let i = first; i < n; i++, s += ch) dst[i] = src[s];
  }
}
