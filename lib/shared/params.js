/**
 * The producing end of a node's parameter queue (csrc/params.c): settings go
 * from the main thread into shared memory, and the core applies them at the
 * start of its next quantum. No postMessage is involved.
 *
 * Main thread. If the queue is full (the context is suspended, or a UI sends
 * more than 64 changes within one quantum) the latest value per setting is
 * kept here and flushed as space appears, so nothing a caller set is lost and
 * older values of the same setting are coalesced away. Given a TimerSet, the
 * queue retries on its own every 10 ms while a backlog waits, on one timer
 * that close() cancels; without one (the audio thread, which has no timers)
 * its owner calls flush() again.
 */
import { PARAM_FIELD_ARG, PARAM_FIELD_INDEX, PARAM_FIELD_KIND, PARAM_FIELD_VALUES } from './constants.generated.js';
import { LAYOUT } from './layout.js';

const W = LAYOUT.PARAMS_OFFSET_WRITE_INDEX >> 2;
const R = LAYOUT.PARAMS_OFFSET_READ_INDEX >> 2;
const REJECTED = LAYOUT.PARAMS_OFFSET_REJECTED >> 2;
const RETRY_MS = 10;

/** @typedef {{ kind: number, index: number, arg: number, values: readonly number[] }} ParamMessage */

export class ParamQueue {
  /**
   * @param {SharedArrayBuffer | ArrayBuffer} buffer
   * @param {number} byteOffset start of the queue (from the processor's ready message)
   * @param {import('./util.js').TimerSet} [timers] where the retry timer is armed; none, no retry
   */
  constructor(buffer, byteOffset, timers) {
    /** @private @readonly */ this.i32 = new Int32Array(buffer, byteOffset, LAYOUT.PARAMS_BYTES >> 2);
    /** @private @readonly */ this.u32 = new Uint32Array(buffer, byteOffset, LAYOUT.PARAMS_BYTES >> 2);
    /** @private @readonly */ this.f32 = new Float32Array(buffer, byteOffset, LAYOUT.PARAMS_BYTES >> 2);
    /** Latest unsent message per setting, in first-set order. @private @type {Map<string, ParamMessage>} */
    this.pending = new Map();
    /** @private @readonly */ this.timers = timers ?? null;
    /** @private @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    /** @private */ this.closed = false;
  }

  /** Messages the core refused (values it found invalid). */
  get rejected() {
    return Atomics.load(this.u32, REJECTED);
  }

  /** Messages waiting here for space in the queue. */
  get backlog() {
    return this.pending.size;
  }

  /**
   * Queues a setting. Keyed by kind and index: a newer value of the same
   * setting replaces an unsent older one.
   * @param {number} kind
   * @param {number} index
   * @param {number} arg
   * @param {readonly number[]} [values]
   */
  send(kind, index, arg, values = []) {
    if (this.closed) return;
    const key = `${kind}:${index}`;
    // Re-inserting moves the setting behind any older different settings.
    this.pending.delete(key);
    this.pending.set(key, { kind, index, arg, values });
    this.flush();
  }

  /** Stops retrying and drops the backlog; later sends are ignored. Idempotent. */
  close() {
    this.closed = true;
    this.pending.clear();
    this.timers?.cancel(this.timer);
    this.timer = null;
  }

  /**
   * Moves waiting settings into the queue as space allows. Called by send();
   * with a TimerSet a retry is scheduled while a backlog is left, otherwise
   * the owner calls flush() again (the worklet does on its next message).
   */
  flush() {
    if (this.closed) return;
    for (const [key, message] of this.pending) {
      if (!this.push(message)) break;
      this.pending.delete(key);
    }
    if (this.pending.size > 0 && this.timer === null && this.timers !== null) {
      this.timer = this.timers.after(RETRY_MS, () => {
        this.timer = null;
        this.flush();
      });
    }
  }

  /**
   * @private
   * @param {ParamMessage} m
   */
  push(m) {
    const w = Atomics.load(this.i32, W) >>> 0;
    const r = Atomics.load(this.i32, R) >>> 0;
    if ((w - r) >>> 0 >= LAYOUT.PARAMS_CAPACITY) return false;
    const base =
      (LAYOUT.PARAMS_OFFSET_MESSAGES + (w & (LAYOUT.PARAMS_CAPACITY - 1)) * LAYOUT.PARAMS_MESSAGE_BYTES) >> 2;
    this.u32[base + (PARAM_FIELD_KIND >> 2)] = m.kind;
    this.u32[base + (PARAM_FIELD_INDEX >> 2)] = m.index;
    this.u32[base + (PARAM_FIELD_ARG >> 2)] = m.arg;
    // The word between the arg and the values is padding.
    this.u32[base + (PARAM_FIELD_ARG >> 2) + 1] = 0;
    for (let i = 0; i < 4; i++) this.f32[base + (PARAM_FIELD_VALUES >> 2) + i] = m.values[i] ?? 0;
    // Release: the message bytes are visible before the index that publishes them.
    Atomics.store(this.i32, W, (w + 1) | 0);
    return true;
  }
}
