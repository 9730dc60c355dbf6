/**
 * WorkerPool: offline tasks on a bounded set of module Workers. Main thread or
 * a Worker (anything with Worker); never the audio thread.
 *
 * Lifetimes, so nothing leaks:
 * - a task given a signal owns one ListenerScope: the signal's 'abort'
 *   listener. Every way a task ends goes through #settle, which closes the
 *   scope (removeEventListener). A task adds no listener to its worker: the
 *   worker's one 'message' listener hands each message to the task the worker
 *   runs (by id), so a round trip adds and removes no listener.
 * - each worker owns two scopes: 'boot' (its 'message' listener until it is
 *   ready) and 'life' ('error', 'messageerror', and 'message' for its tasks),
 *   plus a Web Locks request that is granted when the worker exits. #retire
 *   closes all of them.
 * - every timer goes through #setTimer / #clearTimer and is counted.
 * - task timeouts share one deadline timer, armed for the earliest deadline of
 *   the running tasks and re-armed lazily: a task whose deadline is later than
 *   the armed one adds no timer work; when it fires, it times out the tasks
 *   that are due and re-arms for the next. Each task is judged by its own
 *   deadline, so no task is timed out by an earlier task's clock.
 * - the sweep interval starts when tasks are queued or running, and stops on
 *   its first tick that finds none (or at once on terminate() / a failed
 *   start), together with the deadline timer: an idle pool keeps no timer
 *   within one sweepIntervalMs, and a busy-idle-busy sequence inside one
 *   interval does not restart anything.
 * - every promise the pool waits on (a worker's exit watch, a diagnostic
 *   fetch) is counted in pendingWaits until it settles.
 *
 * When to give up, so nothing respawns forever:
 * - maxStartFailures workers in a row that fail before 'ready' (a start
 *   failure that retrying cannot cure, such as a version mismatch, counts
 *   as all of them): the pool stops starting workers.
 * - maxCrashes crashes of ready workers in a row, with no task answered by
 *   any worker in between: a crash loop. A 'ready' does not end the streak,
 *   only a task's result or error does, so a module that crashes soon after
 *   it starts is caught however fast it starts.
 * Either way, once no worker is left to serve (at once for a crash loop),
 * the pool goes to 'failed': every waiting task and init() reject with the
 * cause, and nothing starts until init() or run() is called again. A start
 * failure while other workers still serve leaves the pool short of workers
 * ("broken") until the next init() or run(), which tries again.
 * - a Worker the page's Content-Security-Policy or Trusted Types refuse
 *   (RingletError 'BLOCKED_BY_POLICY'): the first refusal fails the pool for
 *   good, since the page's policy does not change; it is not counted as a
 *   start failure or a crash, and later init() and run() calls reject with
 *   it without constructing another Worker.
 *
 * A task may wait for an earlier one (run()'s waitsFor, as renderOffline's
 * segments wait for the state of the one before): it goes to a worker as
 * usual, but its clock starts only when that task has ended. The wait stays
 * bounded: the earlier task has a clock of its own, started when its own
 * wait ended, and so on back to a task that waits for none.
 */
import { recordPanic } from '../node/panic.js';
import { RingletError } from '../shared/errors.js';
import {
  allowScriptUrl,
  blockedByPolicy,
  isTrustedTypesRefusal,
  trustedScriptUrl,
  watchViolations,
} from '../shared/policy.js';
import { MAX_TIMEOUT_MS, checkInteger, checkTimeout, describe } from '../shared/util.js';
import { VERSION } from '../shared/version.js';
import { ListenerScope } from './listener-scope.js';
import { AbortError, QueueFullError, TerminatedError, TimeoutError, WorkerPoolError } from './pool-errors.js';
import { pageWasmBytes, pageWasmUrl, resolveWorkerUrl } from './worker-url.js';

/** @typedef {import('../../types/pool.js').WorkerPoolOptions} WorkerPoolOptions */
/** @typedef {import('../../types/pool.js').WorkerPoolStats} WorkerPoolStats */
/** @typedef {import('../../types/pool.js').WorkerPoolState} WorkerPoolState */
/** @typedef {import('../../types/pool.js').WorkerPoolFailure} WorkerPoolFailure */
/** @typedef {import('../../types/pool.js').RunOptions} RunOptions */
/** @typedef {ReturnType<typeof setTimeout>} TimerId */

const MAX_WORKERS = 64;
const MAX_QUEUE = 2 ** 24;
const DEFAULT_TASK_TIMEOUT_MS = 60000;
const DEFAULT_MAX_QUEUE = 1000;
const DEFAULT_SWEEP_INTERVAL_MS = 5000;
const DEFAULT_START_TIMEOUT_MS = 10000;
const DEFAULT_MAX_START_FAILURES = 3;
const DEFAULT_MAX_CRASHES = 3;

/**
 * @typedef {object} Task
 * @property {number} id
 * @property {string} name
 * @property {unknown} payload dropped once posted
 * @property {Transferable[]} transfer
 * @property {number} timeoutMs
 * @property {((value: unknown) => void) | undefined} onProgress
 * @property {(value: unknown) => void} resolve
 * @property {(error: unknown) => void} reject
 * @property {ListenerScope | null} scope its signal's listener; null without a signal
 * @property {'queued' | 'running' | 'done'} state
 * @property {Slot | null} slot
 * @property {number} deadline performance.now() after which the task has timed out (running only; Infinity while it waits for `waitsFor`)
 * @property {Task | null} waitsFor the earlier task whose end starts this one's clock, until it ends
 * @property {Task[] | null} dependents tasks whose clock starts when this one ends
 */

/**
 * @typedef {object} Slot one Worker
 * @property {number} id
 * @property {Worker} worker
 * @property {'starting' | 'idle' | 'busy' | 'dead'} state
 * @property {ListenerScope} boot
 * @property {ListenerScope} life
 * @property {AbortController | null} exitWatch the Web Locks request granted when the worker exits
 * @property {string} lock
 * @property {Task | null} task
 * @property {number} bootDeadline
 * @property {TimerId | undefined} bootTimer
 * @property {TimerId | undefined} idleTimer
 * @property {boolean} failing a boot failure is being diagnosed
 * @property {AbortController | null} diagnosis the diagnostic fetch, if one is in flight
 * @property {ReturnType<typeof watchViolations> | null} violations the page's policy violations while it starts
 */

/**
 * @typedef {object} Deferred
 * @property {Promise<void>} promise
 * @property {() => void} resolve
 * @property {(error: unknown) => void} reject
 */

const noop = () => {};

/** @returns {Deferred} */
function deferred() {
  /** @type {() => void} */
  let resolve = noop;
  /** @type {(error: unknown) => void} */
  let reject = noop;
  const promise = new Promise((res, rej) => {
    resolve = () => res(undefined);
    reject = rej;
  });
  // A lazy init() from run() may have no other observer; its tasks carry the error.
  promise.catch(noop);
  return { promise, resolve, reject };
}

/**
 * @param {WorkerPoolOptions} options
 * @param {string} name
 * @param {number} min
 * @param {number} max
 * @param {number | undefined} fallback
 * @returns {number | undefined}
 */
function intOption(options, name, min, max, fallback) {
  const value = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (options))[name];
  return value === undefined ? fallback : checkInteger(value, 'WorkerPool', name, min, max);
}

/** hardwareConcurrency - 1, clamped to 1 .. 16. */
function defaultMaxWorkers() {
  const cores = globalThis.navigator?.hardwareConcurrency;
  const n = typeof cores === 'number' && Number.isFinite(cores) ? cores - 1 : 1;
  return Math.min(16, Math.max(1, Math.floor(n)));
}

function randomId() {
  const c = globalThis.crypto;
  return typeof c?.randomUUID === 'function' ? c.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The Worker constructor's refusal by the page's policy, as RingletError
 * 'BLOCKED_BY_POLICY', or null for any other error: Trusted Types' TypeError
 * ("requires 'TrustedScriptURL' assignment"), or a SecurityError that names
 * the Content Security Policy (worker-src).
 * @param {unknown} error
 * @param {string} url
 * @returns {RingletError | null}
 */
function refusal(error, url) {
  if (isTrustedTypesRefusal(error)) {
    return blockedByPolicy('WorkerPool: constructing a worker', 'require-trusted-types-for', url, error);
  }
  const e = /** @type {{ name?: unknown, message?: unknown }} */ (error);
  if (e?.name === 'SecurityError' && /Content[ -]Security[ -]Policy/i.test(String(e.message))) {
    return blockedByPolicy('WorkerPool: constructing a worker', 'worker-src', url, error);
  }
  return null;
}

/** @param {Event} event */
function errorEventText(event) {
  const e = /** @type {Partial<ErrorEvent>} */ (event);
  if (typeof e.message !== 'string' || e.message === '') return '';
  return e.filename ? `${e.message} (${e.filename}:${e.lineno ?? 0})` : e.message;
}

export class WorkerPool {
  /** @type {string} */ #url;
  /** A same-origin module that imports #url, when #url is on another origin. @type {string | null} */ #blobUrl = null;
  /** @type {number} */ #minWorkers;
  /** @type {number} */ #maxWorkers;
  /** @type {number} */ #taskTimeoutMs;
  /** @type {number} */ #maxQueue;
  /** @type {number} */ #sweepIntervalMs;
  /** @type {number | undefined} */ #idleTimeoutMs;
  /** @type {number} */ #startTimeoutMs;
  /** @type {number} */ #maxStartFailures;
  /** @type {number} */ #maxCrashes;
  #lockPrefix = `ringlet-pool:${randomId()}`;

  /** @type {WorkerPoolState} */ #state = 'uninitialized';
  /** @type {Deferred | null} */ #init = null;
  /** @type {Set<Slot>} live workers, starting or ready */ #slots = new Set();
  /** @type {Slot[]} ready workers with nothing to do; the last one idled most recently */ #idle = [];
  /** @type {Set<Task>} FIFO: insertion order */ #queue = new Set();
  /** @type {Set<Task>} */ #running = new Set();
  /** @type {Set<TimerId>} */ #timers = new Set();
  /** @type {TimerId | undefined} */ #sweepTimer;
  /** @type {TimerId | undefined} the shared task-timeout timer */ #deadlineTimer;
  /** when #deadlineTimer is due (performance.now() time) */ #deadlineAt = 0;
  /** consecutive workers that failed before posting ready */ #startFailures = 0;
  /** crashes of ready workers since a worker last answered a task */ #crashStreak = 0;
  /** @type {WorkerPoolError | null} set when starting workers keeps failing while others still serve */ #broken = null;
  /** @type {WorkerPoolError | RingletError | null} why the pool is 'failed' */ #failure = null;
  /** @type {RingletError | null} the page's policy refused a Worker: the pool stays failed */ #blocked = null;
  /** @type {WeakMap<object, Task | null>} run()'s promises, for waitsFor: the task, or null for a refused run() */ #promises =
    new WeakMap();
  #pendingWaits = { n: 0 };
  #pumping = false;
  #pumpAgain = false;
  #nextTaskId = 1;
  #taskListeners = { n: 0 };
  #workerListeners = { n: 0 };
  #counts = {
    totalTasks: 0,
    completedTasks: 0,
    failedTasks: 0,
    timedOutTasks: 0,
    cancelledTasks: 0,
    refusedTasks: 0,
    sweptTasks: 0,
    workersCreated: 0,
    workerCrashes: 0,
  };

  /** @param {WorkerPoolOptions} [options] */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`WorkerPool: options must be an object; got ${describe(options)}`);
    }
    this.#maxWorkers = /** @type {number} */ (intOption(options, 'maxWorkers', 1, MAX_WORKERS, defaultMaxWorkers()));
    this.#minWorkers = /** @type {number} */ (intOption(options, 'minWorkers', 0, MAX_WORKERS, 0));
    if (this.#minWorkers > this.#maxWorkers) {
      throw new RangeError(
        `WorkerPool: minWorkers (${this.#minWorkers}) must not exceed maxWorkers (${this.#maxWorkers})`,
      );
    }
    this.#taskTimeoutMs = /** @type {number} */ (
      intOption(options, 'taskTimeoutMs', 1, MAX_TIMEOUT_MS, DEFAULT_TASK_TIMEOUT_MS)
    );
    this.#maxQueue = /** @type {number} */ (intOption(options, 'maxQueue', 0, MAX_QUEUE, DEFAULT_MAX_QUEUE));
    this.#sweepIntervalMs = /** @type {number} */ (
      intOption(options, 'sweepIntervalMs', 1, MAX_TIMEOUT_MS, DEFAULT_SWEEP_INTERVAL_MS)
    );
    this.#idleTimeoutMs = intOption(options, 'idleTimeoutMs', 0, MAX_TIMEOUT_MS, undefined);
    this.#startTimeoutMs = /** @type {number} */ (
      intOption(options, 'startTimeoutMs', 1, MAX_TIMEOUT_MS, DEFAULT_START_TIMEOUT_MS)
    );
    this.#maxStartFailures = /** @type {number} */ (
      intOption(options, 'maxStartFailures', 1, 100, DEFAULT_MAX_START_FAILURES)
    );
    this.#maxCrashes = /** @type {number} */ (intOption(options, 'maxCrashes', 1, 100, DEFAULT_MAX_CRASHES));
    this.#url = resolveWorkerUrl(options.workerUrl);
    if (typeof globalThis.Worker !== 'function') {
      throw new TypeError('WorkerPool: this thread has no Worker constructor');
    }
  }

  /** The absolute URL of the module every worker runs. */
  get workerUrl() {
    return this.#url;
  }

  /** 'uninitialized' | 'initializing' | 'ready' | 'failed' | 'terminated'. */
  get state() {
    return this.#state;
  }

  /**
   * Starts the pool once: max(minWorkers, 1) workers, resolved when all of
   * them have posted 'ready'. Concurrent and repeated callers share one
   * promise. If workers keep failing (maxStartFailures start failures or
   * maxCrashes crashes in a row), it rejects with 'BOOTSTRAP_FAILED' or
   * 'CRASH_LOOP', the pool goes to 'failed' and the promise is forgotten, so
   * a later call starts again. On a pool left short of workers by start
   * failures, a later call also tries again to start them.
   * @returns {Promise<void>}
   */
  init() {
    if (this.#state === 'terminated') {
      return Promise.reject(new TerminatedError('WorkerPool.init: the pool was terminated'));
    }
    if (this.#blocked !== null) return Promise.reject(this.#blocked);
    if (this.#init !== null) {
      this.#retryBroken();
      return this.#init.promise;
    }
    // Stored before anything is awaited: every concurrent caller gets this promise.
    const pending = deferred();
    this.#init = pending;
    this.#state = 'initializing';
    this.#startFailures = 0;
    this.#crashStreak = 0;
    this.#broken = null;
    this.#failure = null;
    this.#pump();
    return pending.promise;
  }

  /** The user called init() or run() again: a pool left short by start failures tries again. */
  #retryBroken() {
    if (this.#broken === null) return;
    this.#broken = null;
    this.#startFailures = 0;
    this.#pump();
  }

  /**
   * Runs task `name` on a worker with a structured clone of `payload`.
   * Never throws: every refusal is a rejected promise, returned before
   * anything is queued.
   * @param {string} name
   * @param {unknown} [payload]
   * @param {RunOptions} [options]
   * @returns {Promise<unknown>}
   */
  run(name, payload, options = {}) {
    /** @type {AbortSignal | undefined} */
    let signal;
    /** @type {Transferable[]} */
    let transfer;
    /** @type {number} */
    let timeoutMs;
    /** @type {((value: unknown) => void) | undefined} */
    let onProgress;
    /** @type {Task | null} */
    let upstream = null;
    try {
      if (this.#state === 'terminated')
        throw new TerminatedError('WorkerPool.run: the pool was terminated', { task: String(name) });
      if (typeof name !== 'string' || name === '') {
        throw new TypeError(`WorkerPool.run: name must be a non-empty string; got ${describe(name)}`);
      }
      if (this.#blocked !== null) throw this.#blocked;
      if (options === null || typeof options !== 'object') {
        throw new TypeError(`WorkerPool.run: options must be an object; got ${describe(options)}`);
      }
      signal = options.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        throw new TypeError(`WorkerPool.run: signal must be an AbortSignal; got ${describe(signal)}`);
      }
      const t = options.transfer ?? [];
      if (!Array.isArray(t)) throw new TypeError(`WorkerPool.run: transfer must be an array; got ${describe(t)}`);
      transfer = t;
      timeoutMs = checkTimeout(options.timeoutMs, 'WorkerPool.run', this.#taskTimeoutMs);
      onProgress = options.onProgress;
      if (onProgress !== undefined && typeof onProgress !== 'function') {
        throw new TypeError(`WorkerPool.run: onProgress must be a function; got ${describe(onProgress)}`);
      }
      const waitsFor = /** @type {unknown} */ (options.waitsFor);
      if (waitsFor !== undefined) {
        const earlier = waitsFor !== null && typeof waitsFor === 'object' ? this.#promises.get(waitsFor) : undefined;
        if (earlier === undefined) {
          throw new TypeError(
            `WorkerPool.run: waitsFor must be a promise that run() on this pool returned; got ${describe(waitsFor)}`,
          );
        }
        if (earlier !== null && earlier.state !== 'done') upstream = earlier;
      }
      if (signal?.aborted) {
        throw new AbortError(`WorkerPool.run: task '${name}' was not started: its signal was already aborted`, {
          cause: signal.reason,
          task: name,
        });
      }
      const dispatchable = this.#queue.size === 0 && this.#idle.length > 0;
      if (!dispatchable && this.#queue.size >= this.#maxQueue) {
        throw new QueueFullError(
          `WorkerPool.run: the queue is full (maxQueue ${this.#maxQueue} tasks waiting); task '${name}' was refused`,
          { task: name },
        );
      }
    } catch (error) {
      this.#counts.refusedTasks += 1;
      const refused = Promise.reject(error);
      this.#promises.set(refused, null);
      return refused;
    }

    /** @type {Task} */
    const task = {
      id: this.#nextTaskId++,
      name,
      payload,
      transfer,
      timeoutMs,
      onProgress,
      resolve: noop,
      reject: noop,
      scope: null,
      state: 'queued',
      slot: null,
      deadline: 0,
      waitsFor: upstream,
      dependents: null,
    };
    /** @type {Promise<unknown>} */
    const promise = new Promise((resolve, reject) => {
      task.resolve = resolve;
      task.reject = reject;
    });
    this.#promises.set(promise, task);
    if (upstream !== null) (upstream.dependents ??= []).push(task);
    if (signal !== undefined) {
      const s = signal;
      task.scope = new ListenerScope(this.#taskListeners);
      task.scope.on(s, 'abort', () => this.#cancel(task, s.reason));
    }
    this.#counts.totalTasks += 1;
    this.#queue.add(task);
    if (this.#state === 'uninitialized' || this.#state === 'failed') this.init();
    else if (this.#broken !== null) this.#retryBroken();
    else this.#pump();
    if (task.state === 'queued' && transfer.length > 0) {
      // It waits: detach the transferred objects now, as if posted, so the
      // caller cannot see them change hands later.
      try {
        const moved = structuredClone({ payload, transfer }, { transfer });
        task.payload = moved.payload;
        task.transfer = moved.transfer;
      } catch (error) {
        this.#settle(task, 'failed', undefined, error);
      }
    }
    return promise;
  }

  /**
   * Rejects every queued and running task with TerminatedError, terminates
   * every worker, clears every timer and removes every listener. Idempotent.
   */
  terminate() {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    const error = (/** @type {Task} */ task) =>
      new TerminatedError(`WorkerPool: terminated while task '${task.name}' was ${task.state}`, { task: task.name });
    for (const task of [...this.#queue, ...this.#running]) this.#settle(task, 'failed', undefined, error(task));
    for (const slot of [...this.#slots]) this.#retire(slot);
    if (this.#init !== null) {
      this.#init.reject(new TerminatedError('WorkerPool.init: terminated before the pool was ready'));
      this.#init = null;
    }
    this.#stopSweep();
    for (const id of this.#timers) clearTimeout(id);
    this.#timers.clear();
    if (this.#blobUrl !== null) URL.revokeObjectURL(this.#blobUrl);
    this.#blobUrl = null;
  }

  /** @returns {WorkerPoolStats} */
  stats() {
    let idle = 0;
    let busy = 0;
    let starting = 0;
    for (const slot of this.#slots) {
      if (slot.state === 'idle') idle += 1;
      else if (slot.state === 'busy') busy += 1;
      else if (slot.state === 'starting') starting += 1;
    }
    let waiting = 0;
    for (const task of this.#running) if (task.waitsFor !== null) waiting += 1;
    const failure = this.#failure;
    return {
      state: this.#state,
      failure:
        failure === null
          ? null
          : { code: /** @type {WorkerPoolFailure['code']} */ (failure.code), message: failure.message },
      workers: this.#slots.size,
      idleWorkers: idle,
      busyWorkers: busy,
      startingWorkers: starting,
      activeTasks: this.#running.size,
      waitingTasks: waiting,
      queuedTasks: this.#queue.size,
      ...this.#counts,
      startFailures: this.#startFailures,
      crashStreak: this.#crashStreak,
      listeners: this.#taskListeners.n,
      workerListeners: this.#workerListeners.n,
      timers: this.#timers.size,
      pendingWaits: this.#pendingWaits.n,
    };
  }

  // ---- scheduling ----------------------------------------------------------

  /** Dispatches queued tasks to idle workers and starts workers as needed. Re-entrant calls are folded into one loop. */
  #pump() {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        this.#pumpOnce();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
    this.#updateSweep();
  }

  #pumpOnce() {
    if (this.#state !== 'initializing' && this.#state !== 'ready') return;
    for (const task of this.#queue) {
      const slot = this.#idle.pop();
      if (slot === undefined) break;
      this.#dispatch(slot, task);
    }
    if (this.#broken !== null) {
      if (this.#slots.size === 0) this.#reset(this.#broken);
      return;
    }
    const floor = this.#state === 'initializing' ? Math.max(this.#minWorkers, 1) : this.#minWorkers;
    let starting = 0;
    for (const slot of this.#slots) if (slot.state === 'starting') starting += 1;
    while (this.#slots.size < this.#maxWorkers && (this.#slots.size < floor || this.#queue.size > starting)) {
      if (!this.#spawn()) break;
      starting += 1;
    }
  }

  /**
   * What to construct Workers with. A Worker's script must come from the
   * page's origin, so a module on another origin (ringlet on a CDN) starts
   * through a same-origin blob: module that imports it. Its import.meta.url
   * stays the CDN's, so it finds its assets there; the CDN must send CORS
   * headers, as public CDNs do. The blob URL lives until terminate().
   * @returns {string}
   */
  #scriptUrl() {
    if (this.#blobUrl !== null) return this.#blobUrl;
    const origin = globalThis.location?.origin;
    const url = new URL(this.#url);
    if (origin === undefined || origin === 'null' || url.origin === origin || url.protocol === 'data:')
      return this.#url;
    // A dynamic import, not a static one: Safari refuses a blob module
    // worker's static import of another origin on a COEP page ("Worker load
    // was blocked by Cross-Origin-Embedder-Policy", seen in WebKitGTK 2.50 too;
    // https://github.com/huggingface/transformers.js/issues/319), while it
    // loads the same module through import(). Messages that arrive before the
    // module has added its listener are held and then dispatched again, as a
    // static import would have queued them. A failed import is reported to the
    // pool, which then asks the server why (as for a failed static import).
    const source = `const held = [];
const hold = (e) => held.push(e);
self.addEventListener('message', hold);
import(${JSON.stringify(this.#url)}).then(
  () => {
    self.removeEventListener('message', hold);
    for (const e of held) self.dispatchEvent(new MessageEvent('message', { data: e.data, ports: [...e.ports] }));
  },
  (e) => self.postMessage({ type: 'ringlet:import-failed', message: String(e) }),
);
`;
    this.#blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    allowScriptUrl(this.#blobUrl);
    return this.#blobUrl;
  }

  /** @returns {boolean} false when the Worker constructor threw */
  #spawn() {
    this.#counts.workersCreated += 1;
    const id = this.#counts.workersCreated;
    /** @type {Worker} */
    let worker;
    const scriptUrl = this.#scriptUrl();
    const violations = watchViolations();
    try {
      // A TrustedScriptURL from ringlet's policy where the page has Trusted Types.
      worker = new Worker(trustedScriptUrl(scriptUrl), { type: 'module', name: `ringlet-pool-${id}` });
    } catch (error) {
      violations.close();
      const blocked = refusal(error, scriptUrl);
      if (blocked !== null) {
        this.#failBlocked(blocked);
        return false;
      }
      // The same URL and options would throw again.
      this.#startFailed(null, `could not construct a Worker: ${String(error)}`, error, true);
      return false;
    }
    /** @type {Slot} */
    const slot = {
      id,
      worker,
      state: 'starting',
      boot: new ListenerScope(this.#workerListeners),
      life: new ListenerScope(this.#workerListeners),
      exitWatch: null,
      lock: `${this.#lockPrefix}:${id}`,
      task: null,
      bootDeadline: performance.now() + this.#startTimeoutMs,
      bootTimer: undefined,
      idleTimer: undefined,
      failing: false,
      diagnosis: null,
      violations,
    };
    this.#slots.add(slot);
    slot.boot.on(worker, 'message', (event) => this.#onBootMessage(slot, /** @type {MessageEvent} */ (event)));
    slot.life.on(worker, 'error', (event) => this.#onWorkerError(slot, event));
    slot.life.on(worker, 'message', (event) => {
      const task = slot.task;
      if (task !== null) this.#onTaskMessage(task, /** @type {MessageEvent} */ (event));
    });
    slot.life.on(worker, 'messageerror', () =>
      this.#onCrash(slot, 'a message from the worker could not be deserialized (messageerror)'),
    );
    slot.bootTimer = this.#setTimer(() => {
      slot.bootTimer = undefined;
      this.#startFailed(
        slot,
        `it did not post 'ready' within ${this.#startTimeoutMs} ms (does the module import defineTasks from ringlet-worker.js?)`,
      );
    }, this.#startTimeoutMs);
    worker.postMessage({ type: 'ringlet:hello', lock: slot.lock, wasmUrl: pageWasmUrl(), wasmBytes: pageWasmBytes() });
    return true;
  }

  /**
   * @param {Slot} slot
   * @param {Task} task
   */
  #dispatch(slot, task) {
    this.#queue.delete(task);
    this.#running.add(task);
    task.state = 'running';
    task.slot = slot;
    slot.state = 'busy';
    slot.task = task;
    this.#clearTimer(slot.idleTimer);
    slot.idleTimer = undefined;
    // The clock starts now, not when the task was queued; or, for a task
    // that waits for an earlier one, when that one ends.
    if (task.waitsFor === null) this.#startClock(task);
    else task.deadline = Infinity;
    const { payload, transfer } = task;
    task.payload = undefined;
    task.transfer = [];
    try {
      slot.worker.postMessage({ type: 'ringlet:run', id: task.id, name: task.name, payload }, transfer);
    } catch (error) {
      // Typically a DataCloneError: the payload cannot be posted. The worker is fine.
      this.#settle(task, 'failed', undefined, error);
      this.#makeIdle(slot);
    }
  }

  /** @param {Slot} slot */
  #makeIdle(slot) {
    if (slot.state === 'dead') return;
    slot.state = 'idle';
    slot.task = null;
    this.#idle.push(slot);
    if (this.#idleTimeoutMs !== undefined && this.#slots.size > this.#minWorkers) {
      this.#clearTimer(slot.idleTimer);
      slot.idleTimer = this.#setTimer(() => {
        slot.idleTimer = undefined;
        if (slot.state === 'idle' && this.#slots.size > this.#minWorkers) this.#retire(slot);
      }, this.#idleTimeoutMs);
    }
    this.#pump();
  }

  /**
   * Starts a running task's clock: its deadline is timeoutMs from now.
   * @param {Task} task
   */
  #startClock(task) {
    const now = performance.now();
    task.deadline = now + task.timeoutMs;
    if (this.#state !== 'ready' && this.#state !== 'initializing') return;
    // The shared timer already fires no later than this deadline (and is not
    // overdue): nothing to do; it re-arms for this task when it fires.
    if (this.#deadlineTimer === undefined || task.deadline < this.#deadlineAt || this.#deadlineAt <= now) {
      this.#armDeadline(task.deadline, task.timeoutMs);
    }
  }

  // ---- task outcomes ---------------------------------------------------------

  /**
   * The one way a task ends: removes its listeners, counts it and
   * settles its promise. Returns false if it had already ended.
   * @param {Task} task
   * @param {'completed' | 'failed' | 'timedOut' | 'cancelled'} outcome
   * @param {unknown} value
   * @param {unknown} [error]
   */
  #settle(task, outcome, value, error) {
    if (task.state === 'done') return false;
    if (task.state === 'queued') this.#queue.delete(task);
    else this.#running.delete(task);
    task.state = 'done';
    task.scope?.close();
    task.payload = undefined;
    task.transfer = [];
    task.onProgress = undefined;
    const upstream = task.waitsFor;
    if (upstream !== null) {
      task.waitsFor = null;
      const i = upstream.dependents?.indexOf(task) ?? -1;
      if (i >= 0) upstream.dependents?.splice(i, 1);
    }
    const dependents = task.dependents;
    task.dependents = null;
    if (dependents !== null) {
      for (const next of dependents) {
        next.waitsFor = null;
        if (next.state === 'running') this.#startClock(next);
      }
    }
    const slot = task.slot;
    task.slot = null;
    if (slot !== null && slot.task === task) slot.task = null;
    if (outcome === 'completed') this.#counts.completedTasks += 1;
    else if (outcome === 'failed') this.#counts.failedTasks += 1;
    else if (outcome === 'timedOut') this.#counts.timedOutTasks += 1;
    else this.#counts.cancelledTasks += 1;
    if (outcome === 'completed') task.resolve(value);
    else task.reject(error);
    this.#updateSweep();
    return true;
  }

  /**
   * @param {Task} task
   * @param {MessageEvent} event
   */
  #onTaskMessage(task, event) {
    const m =
      /** @type {{ type?: unknown, id?: unknown, value?: unknown, error?: import('../worker/runtime.js').ErrorRecord } | null} */ (
        event.data
      );
    if (m === null || typeof m !== 'object' || m.id !== task.id || task.state !== 'running') return;
    const slot = task.slot;
    if (slot === null) return;
    if (m.type === 'ringlet:progress') {
      if (task.onProgress !== undefined) {
        try {
          task.onProgress(m.value);
        } catch (error) {
          globalThis.reportError?.(error);
        }
      }
    } else if (m.type === 'ringlet:result') {
      // A worker answered a task: whatever crashed before, this is no crash loop.
      this.#crashStreak = 0;
      this.#settle(task, 'completed', m.value);
      this.#makeIdle(slot);
    } else if (m.type === 'ringlet:error' && m.error !== undefined) {
      this.#crashStreak = 0;
      const remote = m.error;
      if (remote.trap) {
        recordPanic('worker', { code: 'WASM_TRAP', message: remote.message, stack: remote.stack });
        const error = new WorkerPoolError('WASM_TRAP', remote.message, { task: task.name, remoteName: remote.name });
        if (remote.stack) error.stack = remote.stack;
        this.#settle(task, 'failed', undefined, error);
        // The task's wasm state may be corrupt: never reuse the worker.
        this.#retire(slot);
        this.#pump();
        return;
      }
      if (remote.code === 'BLOCKED_BY_POLICY') {
        // The worker's policy refused what the task needed (its wasm): the
        // worker itself is fine, and the task fails as the page would.
        const blocked = new RingletError('BLOCKED_BY_POLICY', remote.message);
        if (remote.stack) blocked.stack = remote.stack;
        this.#settle(task, 'failed', undefined, blocked);
        this.#makeIdle(slot);
        return;
      }
      const code = remote.code === 'UNKNOWN_TASK' ? 'UNKNOWN_TASK' : 'TASK_FAILED';
      const error = new WorkerPoolError(code, remote.message, { task: task.name, remoteName: remote.name });
      if (remote.stack) error.stack = remote.stack;
      this.#settle(task, 'failed', undefined, error);
      this.#makeIdle(slot);
    }
  }

  /**
   * @param {Task} task
   * @param {boolean} swept found by the sweep rather than by its own timer
   */
  #timeout(task, swept) {
    if (task.state !== 'running') return;
    const slot = task.slot;
    const error = new TimeoutError(
      `WorkerPool: task '${task.name}' timed out after ${task.timeoutMs} ms of running; its worker was terminated and will be replaced`,
      { task: task.name },
    );
    if (swept) this.#counts.sweptTasks += 1;
    this.#settle(task, 'timedOut', undefined, error);
    if (slot !== null) this.#retire(slot);
    this.#pump();
  }

  /**
   * @param {Task} task
   * @param {unknown} reason
   */
  #cancel(task, reason) {
    const slot = task.slot;
    const was = task.state;
    const error = new AbortError(`WorkerPool: task '${task.name}' was cancelled while ${was}`, {
      cause: reason,
      task: task.name,
    });
    if (!this.#settle(task, 'cancelled', undefined, error)) return;
    if (was === 'running' && slot !== null) {
      // A running task cannot be interrupted any other way.
      this.#retire(slot);
      this.#pump();
    }
  }

  // ---- worker lifecycle ------------------------------------------------------

  /**
   * @param {Slot} slot
   * @param {MessageEvent} event
   */
  #onBootMessage(slot, event) {
    const m =
      /** @type {{ type?: unknown, version?: unknown, lock?: unknown, message?: unknown, error?: import('../worker/runtime.js').ErrorRecord } | null} */ (
        event.data
      );
    if (m === null || typeof m !== 'object' || slot.state !== 'starting' || slot.failing) return;
    if (m.type === 'ringlet:import-failed') {
      this.#diagnoseLoadFailure(slot, typeof m.message === 'string' ? m.message : '');
    } else if (m.type === 'ringlet:boot-error') {
      this.#startFailed(slot, m.error?.message || 'the module failed while evaluating');
    } else if (m.type === 'ringlet:ready') {
      if (m.version !== VERSION) {
        // Another worker from the same URL would say the same.
        this.#startFailed(
          slot,
          `its ringlet-worker.js is version ${String(m.version)}, this page's ringlet is ${VERSION}`,
          undefined,
          true,
        );
        return;
      }
      slot.boot.close();
      slot.violations?.close();
      slot.violations = null;
      this.#clearTimer(slot.bootTimer);
      slot.bootTimer = undefined;
      this.#startFailures = 0;
      if (m.lock === true) this.#watchExit(slot);
      if (this.#state === 'initializing') {
        let ready = 0;
        for (const s of this.#slots) if (s.state === 'idle' || s.state === 'busy') ready += 1;
        if (ready + 1 >= Math.max(this.#minWorkers, 1)) {
          this.#state = 'ready';
          this.#init?.resolve();
        }
      }
      this.#makeIdle(slot);
    }
  }

  /**
   * Web Locks: the worker holds a lock named slot.lock for its whole life; a
   * request for it here is granted only when the worker is gone. This is how a
   * worker that calls self.close() (which fires no event) is noticed.
   * @param {Slot} slot
   */
  #watchExit(slot) {
    const locks = globalThis.navigator?.locks;
    if (locks === undefined) return;
    const watch = new AbortController();
    slot.exitWatch = watch;
    const waits = this.#pendingWaits;
    waits.n += 1;
    locks
      .request(slot.lock, { signal: watch.signal }, () => {
        if (slot.exitWatch === watch) this.#onCrash(slot, 'the worker exited (it called self.close() or was killed)');
      })
      .catch(noop)
      .finally(() => {
        waits.n -= 1;
      });
  }

  /**
   * @param {Slot} slot
   * @param {Event} event
   */
  #onWorkerError(slot, event) {
    // The pool reports it (task rejection or panic record); not an uncaught page error.
    event.preventDefault();
    const text = errorEventText(event);
    if (slot.state === 'starting') {
      if (text !== '') this.#startFailed(slot, text);
      else this.#diagnoseLoadFailure(slot);
      return;
    }
    this.#onCrash(slot, text || 'the worker fired an error event without a message');
  }

  /**
   * A ready worker failed: its task (if any) rejects with the worker's
   * message, and it is replaced, unless this is the maxCrashes-th crash in a
   * row with no task answered in between: then the pool fails ('CRASH_LOOP').
   * @param {Slot} slot
   * @param {string} text
   */
  #onCrash(slot, text) {
    if (slot.state === 'dead') return;
    if (slot.state === 'starting') {
      this.#startFailed(slot, text);
      return;
    }
    this.#counts.workerCrashes += 1;
    this.#crashStreak += 1;
    const task = slot.task;
    if (task !== null && task.state === 'running') {
      this.#settle(
        task,
        'failed',
        undefined,
        new WorkerPoolError('WORKER_CRASHED', `WorkerPool: the worker running task '${task.name}' crashed: ${text}`, {
          task: task.name,
        }),
      );
    } else {
      // No task to carry the error: keep it on the page's panic record.
      recordPanic('worker', { code: 'WORKER_CRASHED', message: `an idle pool worker crashed: ${text}` });
    }
    this.#retire(slot);
    if (this.#crashStreak >= this.#maxCrashes) {
      this.#reset(
        new WorkerPoolError(
          'CRASH_LOOP',
          `WorkerPool: workers of ${this.#url} crashed ${this.#crashStreak} times in a row with no task completed in between; not starting more until init() or run() is called again. Last crash: ${text}`,
        ),
      );
      return;
    }
    this.#pump();
  }

  /**
   * A module worker that fails to fetch, parse or link fires a plain Event
   * with no message. Ask the server what it says about the URL, so the error
   * names the real cause (a 404, say).
   * @param {Slot} slot
   * @param {string} [detail] what the worker's import() rejected with, if it said
   */
  #diagnoseLoadFailure(slot, detail = '') {
    if (slot.failing) return;
    slot.failing = true;
    // Silence the worker at once but keep the slot counted, so nothing is
    // respawned before this failure is counted.
    slot.boot.close();
    slot.life.close();
    slot.worker.terminate();
    this.#clearTimer(slot.bootTimer);
    slot.bootTimer = undefined;
    const url = this.#url;
    const abort = new AbortController();
    slot.diagnosis = abort;
    const timer = this.#setTimer(() => abort.abort(), 3000);
    const waits = this.#pendingWaits;
    waits.n += 1;
    let finished = false;
    const done = (/** @type {string} */ text) => {
      if (finished) return;
      finished = true;
      this.#clearTimer(timer);
      // A worker script the page's policy refused (worker-src, or script-src
      // for what it imports) reports a violation, soon if not yet; a
      // connect-src one would be this diagnostic fetch's own.
      const violations = slot.violations;
      const settled = this.#violationFor(slot) !== null || violations === null;
      void (settled ? Promise.resolve() : violations.waitFor(this.#blobUrl ?? url)).then(() => {
        waits.n -= 1;
        const directive = this.#violationFor(slot);
        if (directive !== null && slot.state === 'starting') {
          this.#failBlocked(blockedByPolicy('WorkerPool: starting a worker', directive, url));
          return;
        }
        this.#startFailed(slot, text);
      });
    };
    let request;
    try {
      request = fetch(url, { cache: 'no-store', signal: abort.signal });
    } catch (error) {
      done(`it could not be loaded (${String(error)})`);
      return;
    }
    request.then(
      (response) => {
        void response.body?.cancel().catch(noop);
        done(
          response.ok
            ? `the script was fetched (HTTP ${response.status}) but failed to parse or to load one of its imports; ${detail ? `the import failed with ${detail}` : 'the browser console has details'}`
            : `the script could not be loaded: HTTP ${response.status} ${response.statusText}`.trimEnd(),
        );
      },
      (/** @type {unknown} */ error) => done(`the script could not be loaded (${String(error)})`),
    );
  }

  /**
   * The directive of the page's policy that refused `slot`'s worker script,
   * if a violation for its URL (or its blob: bootstrap) was reported.
   * @param {Slot} slot
   * @returns {string | null}
   */
  #violationFor(slot) {
    const v = slot.violations;
    if (v === null) return null;
    for (const url of [this.#url, this.#blobUrl]) {
      if (url === null) continue;
      const directive = v.directiveFor(url);
      if (directive !== null && directive !== 'connect-src') return directive;
    }
    return null;
  }

  /**
   * The page's policy refused a worker: the pool fails with `error` and
   * stays failed (another Worker would be refused the same way). Not a start
   * failure nor a crash: nothing is counted and nothing respawns.
   * @param {RingletError} error
   */
  #failBlocked(error) {
    if (this.#state !== 'initializing' && this.#state !== 'ready') return;
    this.#blocked = error;
    this.#reset(error);
  }

  /**
   * A worker failed before posting 'ready'. After maxStartFailures in a row,
   * or at once for a failure that another start would repeat (`permanent`),
   * the pool stops starting workers.
   * @param {Slot | null} slot null when the Worker constructor itself threw
   * @param {string} text
   * @param {unknown} [cause]
   * @param {boolean} [permanent]
   */
  #startFailed(slot, text, cause, permanent = false) {
    if (this.#state !== 'initializing' && this.#state !== 'ready') return;
    if (slot !== null) {
      if (slot.state !== 'starting') return;
      this.#retire(slot);
    }
    this.#startFailures += 1;
    const last = new WorkerPoolError(
      'BOOTSTRAP_FAILED',
      `WorkerPool: the worker ${this.#url} failed to start: ${text}`,
      { cause },
    );
    if (permanent || this.#startFailures >= this.#maxStartFailures) {
      const error = new WorkerPoolError(
        'BOOTSTRAP_FAILED',
        permanent
          ? `WorkerPool: the worker ${this.#url} failed to start, and another start would fail the same way; not starting more until init() or run() is called again. The failure: ${text}`
          : `WorkerPool: the worker ${this.#url} failed to start ${this.#startFailures} times in a row; not starting more until init() or run() is called again. Last failure: ${text}`,
        { cause: last },
      );
      let ready = 0;
      for (const s of this.#slots) if (s.state === 'idle' || s.state === 'busy') ready += 1;
      if (this.#state === 'initializing' || ready === 0) this.#reset(error);
      else this.#broken = error;
      return;
    }
    this.#pump();
  }

  /**
   * To 'failed': every queued or running task and the pending init() reject
   * with `error`, and every worker stops. Nothing starts again until init()
   * or run() is called. The streak counters stay as they were, for stats().
   * @param {WorkerPoolError | RingletError} error
   */
  #reset(error) {
    this.#state = 'failed';
    this.#failure = error;
    const init = this.#init;
    this.#init = null;
    this.#broken = null;
    for (const task of [...this.#queue, ...this.#running]) this.#settle(task, 'failed', undefined, error);
    for (const slot of [...this.#slots]) this.#retire(slot);
    init?.reject(error);
    this.#updateSweep();
  }

  /**
   * Stops a worker and forgets it. The caller settles its task first.
   * @param {Slot} slot
   */
  #retire(slot) {
    if (slot.state === 'dead') return;
    slot.state = 'dead';
    slot.boot.close();
    slot.life.close();
    // Abort the exit watch first, so this deliberate exit is not seen as a crash.
    slot.exitWatch?.abort();
    slot.exitWatch = null;
    slot.diagnosis?.abort();
    slot.diagnosis = null;
    slot.violations?.close();
    slot.violations = null;
    slot.worker.terminate();
    this.#clearTimer(slot.bootTimer);
    this.#clearTimer(slot.idleTimer);
    slot.bootTimer = undefined;
    slot.idleTimer = undefined;
    this.#slots.delete(slot);
    const i = this.#idle.indexOf(slot);
    if (i >= 0) this.#idle.splice(i, 1);
    const task = slot.task;
    slot.task = null;
    if (task !== null && task.state === 'running') {
      this.#settle(
        task,
        'failed',
        undefined,
        new WorkerPoolError('WORKER_CRASHED', `WorkerPool: the worker running task '${task.name}' was stopped`, {
          task: task.name,
        }),
      );
    }
  }

  // ---- timers ------------------------------------------------------------------

  /**
   * @param {() => void} fn
   * @param {number} ms
   * @returns {TimerId}
   */
  #setTimer(fn, ms) {
    /** @type {TimerId} */
    const id = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, ms);
    this.#timers.add(id);
    return id;
  }

  /** @param {TimerId | undefined} id */
  #clearTimer(id) {
    if (id === undefined) return;
    clearTimeout(id);
    this.#timers.delete(id);
  }

  /**
   * (Re)arms the shared task-timeout timer for `at`.
   * @param {number} at performance.now() time
   * @param {number} ms the delay from now
   */
  #armDeadline(at, ms) {
    this.#clearTimer(this.#deadlineTimer);
    this.#deadlineAt = at;
    this.#deadlineTimer = this.#setTimer(() => {
      this.#deadlineTimer = undefined;
      this.#onDeadline();
    }, ms);
  }

  /** The shared timer fired: time out every running task that is due, then re-arm for the earliest one left. */
  #onDeadline() {
    const now = performance.now();
    for (const task of [...this.#running]) {
      if (now >= task.deadline) this.#timeout(task, false);
    }
    this.#rearmDeadline();
  }

  /** Arms the shared timer for the earliest running deadline, unless it is already armed no later than that. */
  #rearmDeadline() {
    let next = Infinity;
    for (const task of this.#running) if (task.deadline < next) next = task.deadline;
    if (next === Infinity) return;
    if (this.#deadlineTimer === undefined || next < this.#deadlineAt) {
      this.#armDeadline(next, Math.max(1, Math.ceil(next - performance.now())));
    }
  }

  /**
   * Starts the sweep when tasks are queued or running. It is stopped lazily,
   * by its first tick that finds the pool idle, so a pool that goes idle and
   * busy again within one interval does not restart it; or at once when the
   * pool stops (terminate(), a failed start).
   */
  #updateSweep() {
    if (this.#state === 'terminated' || this.#state === 'uninitialized' || this.#state === 'failed') {
      this.#stopSweep();
    } else if (this.#sweepTimer === undefined && this.#queue.size + this.#running.size > 0) {
      const id = setInterval(() => this.#sweep(), this.#sweepIntervalMs);
      this.#sweepTimer = id;
      this.#timers.add(id);
    }
  }

  /** Stops the sweep and the shared task-timeout timer. */
  #stopSweep() {
    this.#clearTimer(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    if (this.#sweepTimer === undefined) return;
    clearInterval(this.#sweepTimer);
    this.#timers.delete(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  /**
   * The safety net: times out running tasks whose deadline passed although
   * their timer did not fire (a throttled or lost timer), fails workers that
   * overran their start timeout, and drops bookkeeping of dead workers. The
   * first tick that finds no task queued or running stops the sweep.
   */
  #sweep() {
    const now = performance.now();
    for (const task of [...this.#running]) {
      if (now >= task.deadline) this.#timeout(task, true);
    }
    if (this.#deadlineTimer !== undefined && now >= this.#deadlineAt) {
      // The shared timer is overdue (throttled or lost): replace it.
      this.#clearTimer(this.#deadlineTimer);
      this.#deadlineTimer = undefined;
    }
    this.#rearmDeadline();
    for (const slot of [...this.#slots]) {
      if (slot.state === 'dead') {
        this.#slots.delete(slot);
      } else if (slot.state === 'starting' && !slot.failing && now >= slot.bootDeadline) {
        this.#startFailed(slot, `it did not post 'ready' within ${this.#startTimeoutMs} ms`);
      }
    }
    this.#idle = this.#idle.filter((slot) => slot.state === 'idle');
    this.#pump();
    if (this.#queue.size + this.#running.size === 0) this.#stopSweep();
  }
}
