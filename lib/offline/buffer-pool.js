/**
 * BufferPool: a bounded free list of same-length Float32Arrays, so code that
 * ping-pongs audio blocks with a Worker (transfer out, get transferred back)
 * stops allocating. Any thread; not for the audio thread (acquire() allocates
 * when the pool is empty).
 */
import { checkInteger, describe } from '../shared/util.js';

/** @typedef {import('../../types/pool.js').BufferPoolOptions} BufferPoolOptions */
/** @typedef {import('../../types/pool.js').BufferPoolStats} BufferPoolStats */

/** The longest buffer: 2^28 floats, 1 GiB. */
const MAX_BUFFER_LENGTH = 2 ** 28;
/** The largest bound on pooled buffers. */
const MAX_POOLED_BUFFERS = 4096;
export const DEFAULT_MAX_BUFFERS = 32;

export class BufferPool {
  /** @type {number} */
  #length;
  /** @type {number} */
  #maxBuffers;
  /** @type {Float32Array[]} */
  #free = [];
  /** @type {Set<Float32Array>} the same arrays as #free, for O(1) double-release checks */
  #pooled = new Set();
  #created = 0;
  #reused = 0;
  #dropped = 0;

  /** @param {BufferPoolOptions} options */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`BufferPool: options must be an object with a length; got ${describe(options)}`);
    }
    if (options.length === undefined) {
      throw new TypeError('BufferPool: length is required (the number of floats in every buffer)');
    }
    this.#length = checkInteger(options.length, 'BufferPool', 'length', 1, MAX_BUFFER_LENGTH);
    this.#maxBuffers =
      options.maxBuffers === undefined
        ? DEFAULT_MAX_BUFFERS
        : checkInteger(options.maxBuffers, 'BufferPool', 'maxBuffers', 0, MAX_POOLED_BUFFERS);
  }

  /** The length, in floats, of every buffer this pool hands out or keeps. */
  get length() {
    return this.#length;
  }

  /** The most buffers the pool keeps. */
  get maxBuffers() {
    return this.#maxBuffers;
  }

  /**
   * A buffer of `length` floats: a pooled one (its old contents intact) or a
   * new zeroed one.
   * @returns {Float32Array}
   */
  acquire() {
    const buffer = this.#free.pop();
    if (buffer !== undefined) {
      this.#pooled.delete(buffer);
      this.#reused += 1;
      return buffer;
    }
    this.#created += 1;
    return new Float32Array(this.#length);
  }

  /**
   * Gives a buffer back. It is kept only if it is a whole, attached,
   * non-shared Float32Array of `length` floats, not already in the pool, and
   * the pool has room; otherwise it is left to the garbage collector and
   * counted as dropped (a repeated release of a pooled buffer changes
   * nothing). Returns whether the buffer is now pooled.
   * @param {Float32Array} buffer
   * @returns {boolean}
   */
  release(buffer) {
    if (!(buffer instanceof Float32Array)) {
      throw new TypeError(`BufferPool.release: buffer must be a Float32Array; got ${describe(buffer)}`);
    }
    if (this.#pooled.has(buffer)) return false;
    const backing = buffer.buffer;
    const keep =
      backing.byteLength !== 0 && // 0: detached (transferred)
      !(typeof SharedArrayBuffer === 'function' && backing instanceof SharedArrayBuffer) &&
      buffer.length === this.#length &&
      buffer.byteOffset === 0 &&
      backing.byteLength === this.#length * Float32Array.BYTES_PER_ELEMENT &&
      this.#free.length < this.#maxBuffers;
    if (!keep) {
      this.#dropped += 1;
      return false;
    }
    this.#free.push(buffer);
    this.#pooled.add(buffer);
    return true;
  }

  /** Drops every pooled buffer (they count as dropped). */
  clear() {
    this.#dropped += this.#free.length;
    this.#free.length = 0;
    this.#pooled.clear();
  }

  /** @returns {BufferPoolStats} */
  stats() {
    return { pooled: this.#free.length, created: this.#created, reused: this.#reused, dropped: this.#dropped };
  }
}
