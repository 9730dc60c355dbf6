/** Small helpers shared across lib/. Internal. */
import { RingletError } from './errors.js';

/** The longest timeout ringlet accepts: setTimeout's own limit. */
export const MAX_TIMEOUT_MS = 2147483647;

/**
 * Validates a timeout in milliseconds. Every wait in ringlet is bounded, so
 * Infinity is refused.
 * @param {unknown} value
 * @param {string} where
 * @param {number} [fallback] used when value is undefined; without it the value is required
 * @param {string} [name] the parameter's name in messages
 * @returns {number}
 */
export function checkTimeout(value, where, fallback, name = 'timeoutMs') {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${name} must be a number of milliseconds; got ${describe(value)}`);
  }
  if (!Number.isFinite(value) || value < 0 || value > MAX_TIMEOUT_MS) {
    throw new RangeError(`${where}: ${name} must be a finite number from 0 to ${MAX_TIMEOUT_MS}; got ${value}`);
  }
  return value;
}

/**
 * Reads `{ timeoutMs }` from the options of a ring wait (write, writeSync,
 * read, readSync): TypeError for options that are not an object, then
 * checkTimeout's rules.
 * @param {unknown} options
 * @param {string} where
 * @param {number} [fallback] used when timeoutMs is absent; without it timeoutMs is required
 * @returns {number}
 */
export function timeoutOption(options, where, fallback) {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${where}: options must be an object like { timeoutMs }; got ${describe(options)}`);
  }
  return checkTimeout(/** @type {{ timeoutMs?: unknown } | undefined} */ (options)?.timeoutMs, where, fallback);
}

/**
 * Validates an integer in [min, max]: TypeError for a non-number, RangeError
 * otherwise, both saying "`where`: `name` must be an integer from min to max".
 * @param {unknown} value
 * @param {string} where
 * @param {string} name
 * @param {number} min
 * @param {number} max
 * @returns {number}
 */
export function checkInteger(value, where, name, min, max) {
  const rule = `${where}: ${name} must be an integer from ${min} to ${max}; got`;
  if (typeof value !== 'number') throw new TypeError(`${rule} ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${rule} ${value}`);
  return value;
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A short description of a value's type for error messages.
 * @param {unknown} value
 */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  if (typeof value === 'object') return value.constructor?.name || 'object'; // minified classes have no name
  return typeof value;
}

/**
 * The timers one object (a node and its parts) has armed: each removes itself
 * when it fires or is cancelled, so `size` is exact, and cancelAll() leaves
 * none behind. Main thread or Worker (anywhere setTimeout exists).
 */
export class TimerSet {
  constructor() {
    /** @private @type {Set<ReturnType<typeof setTimeout>>} */
    this.ids = new Set();
  }

  /** Timers armed and not yet fired or cancelled. */
  get size() {
    return this.ids.size;
  }

  /**
   * @param {number} ms
   * @param {() => void} fn
   * @returns {ReturnType<typeof setTimeout>}
   */
  after(ms, fn) {
    const id = setTimeout(() => {
      this.ids.delete(id);
      fn();
    }, ms);
    this.ids.add(id);
    return id;
  }

  /** @param {ReturnType<typeof setTimeout> | null | undefined} id */
  cancel(id) {
    if (id !== null && id !== undefined && this.ids.delete(id)) clearTimeout(id);
  }

  cancelAll() {
    for (const id of this.ids) clearTimeout(id);
    this.ids.clear();
  }
}

/**
 * `promise`, or a rejection with RingletError 'TIMEOUT' and `message` after
 * `ms`, whichever comes first. The timer goes either way; `promise` itself
 * runs on (a load shared with other callers is not cut short by one of them).
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {() => string} message
 * @returns {Promise<T>}
 */
export function withTimeout(promise, ms, message) {
  return within(promise, ms, () => {
    throw new RingletError('TIMEOUT', message());
  });
}

/**
 * Settles as `promise` does, or after `ms` with what `late()` returns (or
 * throws), whichever comes first; the timer is cleared either way and a
 * later settlement is ignored.
 * @template T, L
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {() => L} late
 * @returns {Promise<T | L>}
 */
export function within(promise, ms, late) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (/** @type {unknown} */ error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Why a ring refuses rate marks: its node does not resample. */
export const NO_RATE_MARKS =
  "the ring's node does not resample, so its frames play at the context's rate: create the source node with varispeed: true (or a sampleRate) to change the rate of what is written";

/**
 * A rate for RingWriter.setSampleRate: a number of Hz the resampler takes.
 * Throws TypeError or RangeError.
 * @param {unknown} rate
 * @param {string} where
 * @param {number} min
 * @param {number} max
 * @returns {number}
 */
export function checkRate(rate, where, min, max) {
  if (typeof rate !== 'number') {
    throw new TypeError(`${where}: sampleRate must be a number of Hz from ${min} to ${max}; got ${describe(rate)}`);
  }
  if (!(rate >= min && rate <= max)) {
    throw new RangeError(`${where}: sampleRate must be a number of Hz from ${min} to ${max}; got ${rate}`);
  }
  return rate;
}
