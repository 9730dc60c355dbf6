/**
 * The page's shared AudioContext, and resuming it on a user gesture.
 * Main thread only; both refuse to run anywhere else.
 */
import { RingletError } from '../shared/errors.js';
import { loadRinglet } from './load.js';
import { checkTimeout, describe } from '../shared/util.js';

/** @typedef {import('../../types/index.js').SharedContextOptions} SharedContextOptions */
/** @typedef {import('../../types/index.js').UnlockOptions} UnlockOptions */
/** @typedef {import('../../types/index.js').UnlockResult} UnlockResult */

/**
 * True only on a Window's main thread with Web Audio: tests for the
 * capabilities themselves, not `typeof window` (which jsdom, Deno and some
 * worker polyfills define).
 */
export function isMainThread() {
  const g = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis));
  const WorkerScope = g.WorkerGlobalScope;
  if (typeof WorkerScope === 'function' && globalThis instanceof WorkerScope) return false;
  const doc = g.document;
  return (
    typeof g.AudioContext === 'function' &&
    typeof doc === 'object' &&
    doc !== null &&
    typeof (/** @type {{ createElement?: unknown }} */ (doc).createElement) === 'function'
  );
}

/** @param {string} where */
function assertMainThread(where) {
  if (!isMainThread()) {
    throw new RingletError(
      'NOT_MAIN_THREAD',
      `${where}: needs a Window main thread with Web Audio (AudioContext and document); this thread has neither`,
    );
  }
}

/** @type {Promise<AudioContext> | null} */
let shared = null;
/** @type {AudioContext | null} */
let sharedContext = null;

/**
 * The page's one shared AudioContext, with ringlet loaded into it (each load
 * bounded by loadTimeoutMs). Concurrent callers share one promise, stored
 * before anything is awaited. A failure closes the context and clears the
 * promise so a later call retries; a closed context is replaced. Options
 * apply when a context is made. Main thread.
 * @param {SharedContextOptions} [options]
 * @returns {Promise<AudioContext>}
 */
export function getAudioContext(options = {}) {
  try {
    assertMainThread('getAudioContext');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`getAudioContext: options must be an object; got ${describe(options)}`);
    }
  } catch (error) {
    return Promise.reject(error);
  }
  if (sharedContext !== null && sharedContext.state === 'closed') {
    shared = null;
    sharedContext = null;
  }
  if (shared !== null) return shared;
  const { wasmUrl, workletUrl, loadTimeoutMs, ...contextOptions } = options;
  /** @type {AudioContext} */
  let ctx;
  try {
    ctx = new AudioContext(contextOptions);
  } catch (error) {
    return Promise.reject(error);
  }
  // Stored before the first await: every concurrent caller gets this promise.
  const pending = loadRinglet(ctx, { wasmUrl, workletUrl, loadTimeoutMs }).then(
    () => {
      if (shared === pending) sharedContext = ctx;
      return ctx;
    },
    (/** @type {unknown} */ error) => {
      void ctx.close().catch(() => {});
      throw error;
    },
  );
  shared = pending;
  pending.catch(() => {
    if (shared === pending) shared = null;
  });
  return pending;
}

const GESTURES = /** @type {const} */ (['pointerdown', 'keydown', 'touchend']);

/**
 * Resumes `context` on the first user gesture on `target` (default: document).
 * Handles 'suspended' and Safari's 'interrupted'. Every listener it adds is
 * removed once the context runs, closes, or `timeoutMs` (default 30000) pass,
 * and resume(), which can stay pending forever before a gesture, is never
 * awaited bare. Main thread.
 * @param {BaseAudioContext} context an AudioContext
 * @param {UnlockOptions} [options]
 * @returns {Promise<UnlockResult>}
 */
export function unlockAudio(context, options = {}) {
  try {
    assertMainThread('unlockAudio');
    const ctx = /** @type {{ resume?: unknown } | null} */ (/** @type {unknown} */ (context));
    if (ctx === null || typeof ctx !== 'object' || typeof ctx.resume !== 'function') {
      throw new TypeError(`unlockAudio: context must be an AudioContext; got ${describe(context)}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`unlockAudio: options must be an object; got ${describe(options)}`);
    }
    const target = options.target ?? document;
    if (typeof (/** @type {{ addEventListener?: unknown }} */ (target).addEventListener) !== 'function') {
      throw new TypeError(`unlockAudio: target must be an EventTarget; got ${describe(target)}`);
    }
    const timeoutMs = checkTimeout(options.timeoutMs, 'unlockAudio', 30000);
    return unlock(/** @type {AudioContext} */ (context), target, timeoutMs);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * @param {AudioContext} ctx
 * @param {EventTarget} target
 * @param {number} timeoutMs
 * @returns {Promise<UnlockResult>}
 */
function unlock(ctx, target, timeoutMs) {
  /** @param {string} state */
  const settled = (state) => (state === 'running' ? 'running' : state === 'closed' ? 'closed' : null);
  const now = settled(ctx.state);
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    // One abort removes every listener this call added, whatever the outcome.
    const listeners = new AbortController();
    const { signal } = listeners;
    /** @param {UnlockResult} result */
    const finish = (result) => {
      if (signal.aborted) return;
      listeners.abort();
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => finish(settled(ctx.state) ?? 'timeout'), timeoutMs);
    const onGesture = () => {
      ctx.resume().then(
        () => {
          const s = settled(ctx.state);
          if (s) finish(s);
        },
        () => {
          if (ctx.state === 'closed') finish('closed');
        },
      );
    };
    for (const type of GESTURES) target.addEventListener(type, onGesture, { signal, capture: true });
    ctx.addEventListener(
      'statechange',
      () => {
        const s = settled(ctx.state);
        if (s) finish(s);
      },
      { signal },
    );
  });
}
