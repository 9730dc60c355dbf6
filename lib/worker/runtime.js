/**
 * The generic task runtime of a WorkerPool Worker: the task registry
 * (defineTasks, withTransfer) and the listeners that answer the pool's
 * hello and run tasks. Worker thread only; it knows nothing of ringlet's
 * core.
 *
 * Protocol (every type is prefixed, so a custom module may post its own
 * messages on the same scope):
 *   pool -> worker  { type: 'ringlet:hello', lock, wasmUrl, wasmBytes } once, right after construction
 *                   (wasmUrl: the page's ringlet.wasm, the default for the DSP tasks; wasmBytes:
 *                   the wasm itself when the page has it in memory, as ringlet/inline does)
 *   worker -> pool  { type: 'ringlet:ready', version, tasks, lock } or { type: 'ringlet:boot-error', error }
 *                   (lock: whether the worker holds the Web Lock named in the hello)
 *   pool -> worker  { type: 'ringlet:run', id, name, payload }
 *   worker -> pool  { type: 'ringlet:progress', id, value } ... then
 *                   { type: 'ringlet:result', id, value } or { type: 'ringlet:error', id, error }
 */
import { VERSION } from '../shared/version.js';

/** @typedef {import('../../types/pool.js').TaskContext} TaskContext */
/** @typedef {import('../../types/pool.js').TaskFunction<never, unknown>} AnyTask */

/**
 * What ringlet posts for an error: structured clone drops an Error's own
 * properties (code) and the RuntimeError class, so this is sent instead.
 * @typedef {object} ErrorRecord
 * @property {string} name
 * @property {string} message
 * @property {string} stack
 * @property {string | undefined} code
 * @property {boolean} trap true for a WebAssembly.RuntimeError (a wasm trap)
 */

/**
 * The parts of DedicatedWorkerGlobalScope used here (tsconfig has no WebWorker lib).
 * @typedef {object} WorkerScope
 * @property {(message: unknown, transfer?: Transferable[]) => void} postMessage
 * @property {(type: string, listener: (event: Event) => void) => void} addEventListener
 */

/** A task result together with what to transfer back; see withTransfer. */
class TransferResult {
  /**
   * @param {unknown} value
   * @param {Transferable[]} transfer
   */
  constructor(value, transfer) {
    this.value = value;
    this.transfer = transfer;
  }
}

/**
 * Per-global state, kept on globalThis so two copies of this module (loaded
 * from two URLs) share one registry and one set of listeners.
 * @typedef {object} WorkerState
 * @property {Map<string, AnyTask>} tasks
 * @property {boolean} installed
 * @property {boolean} ready
 * @property {ErrorRecord | null} bootError the first uncaught error before the hello
 * @property {string | null} wasmUrl the page's ringlet.wasm, from the hello
 * @property {ArrayBuffer | null} wasmBytes the page's wasm itself, from the hello (ringlet/inline)
 */
const STATE_KEY = Symbol.for('ringlet.worker.state');

/** @returns {WorkerState} */
export function workerState() {
  const g = /** @type {Record<symbol, WorkerState | undefined>} */ (/** @type {unknown} */ (globalThis));
  let state = g[STATE_KEY];
  if (state === undefined) {
    state = { tasks: new Map(), installed: false, ready: false, bootError: null, wasmUrl: null, wasmBytes: null };
    g[STATE_KEY] = state;
  }
  return state;
}

/**
 * Registers tasks by name, for the pool's run(name, ...). Call it while the
 * module evaluates. A name may be defined once; defining it again throws.
 * Worker thread (elsewhere it only fills the registry).
 * @param {Readonly<Record<string, AnyTask>>} tasks
 */
export function defineTasks(tasks) {
  if (tasks === null || typeof tasks !== 'object') {
    throw new TypeError(
      `defineTasks: tasks must be an object of functions; got ${tasks === null ? 'null' : typeof tasks}`,
    );
  }
  const state = workerState();
  const entries = Object.entries(tasks);
  for (const [name, fn] of entries) {
    if (name === '') throw new TypeError('defineTasks: a task name must not be empty');
    if (typeof fn !== 'function')
      throw new TypeError(`defineTasks: task '${name}' must be a function; got ${fn === null ? 'null' : typeof fn}`);
    if (state.tasks.has(name)) throw new TypeError(`defineTasks: task '${name}' is already defined`);
  }
  for (const [name, fn] of entries) state.tasks.set(name, fn);
}

/**
 * Wraps a task's result so that the listed objects (ArrayBuffers, ports...)
 * are transferred to the main thread instead of copied. They are detached in
 * the worker afterwards. Worker thread.
 * @template T
 * @param {T} value
 * @param {Transferable[]} transfer
 * @returns {T}
 */
export function withTransfer(value, transfer) {
  if (!Array.isArray(transfer)) {
    throw new TypeError(
      `withTransfer: transfer must be an array of transferable objects; got ${transfer === null ? 'null' : typeof transfer}`,
    );
  }
  return /** @type {T} */ (/** @type {unknown} */ (new TransferResult(value, transfer)));
}

/**
 * @param {unknown} error
 * @returns {ErrorRecord}
 */
function errorRecord(error) {
  if (error instanceof Error) {
    const code = /** @type {{ code?: unknown }} */ (error).code;
    return {
      name: error.name,
      message: error.message,
      stack: String(error.stack ?? ''),
      code: typeof code === 'string' ? code : undefined,
      trap: error instanceof WebAssembly.RuntimeError,
    };
  }
  return { name: 'Error', message: String(error), stack: '', code: undefined, trap: false };
}

/** @param {unknown} scope */
export function isDedicatedWorker(scope) {
  const g = /** @type {{ DedicatedWorkerGlobalScope?: unknown }} */ (scope);
  return (
    typeof g.DedicatedWorkerGlobalScope === 'function' &&
    scope instanceof /** @type {new () => object} */ (g.DedicatedWorkerGlobalScope)
  );
}

/**
 * @param {WorkerScope} scope
 * @param {WorkerState} state
 * @param {number} id
 * @param {string} name
 * @param {unknown} payload
 */
function runTask(scope, state, id, name, payload) {
  const fn = state.tasks.get(name);
  if (fn === undefined) {
    const known = [...state.tasks.keys()].sort().join(', ');
    scope.postMessage({
      type: 'ringlet:error',
      id,
      error: {
        name: 'Error',
        message: `unknown task '${name}'; this worker defines: ${known}`,
        stack: '',
        code: 'UNKNOWN_TASK',
        trap: false,
      },
    });
    return;
  }
  /** @type {TaskContext} */
  const context = {
    id,
    name,
    progress(value, transfer) {
      scope.postMessage({ type: 'ringlet:progress', id, value }, transfer ?? []);
    },
  };
  /** @param {unknown} out */
  const succeed = (out) => {
    try {
      if (out instanceof TransferResult)
        scope.postMessage({ type: 'ringlet:result', id, value: out.value }, out.transfer);
      else scope.postMessage({ type: 'ringlet:result', id, value: out });
    } catch (error) {
      // Typically a DataCloneError: the result cannot be posted.
      fail(error);
    }
  };
  /** @param {unknown} error */
  const fail = (error) => {
    scope.postMessage({ type: 'ringlet:error', id, error: errorRecord(error) });
  };
  let out;
  try {
    out = /** @type {(payload: unknown, context: TaskContext) => unknown} */ (fn)(payload, context);
  } catch (error) {
    fail(error);
    return;
  }
  if (out !== null && typeof out === 'object' && typeof (/** @type {{ then?: unknown }} */ (out).then) === 'function') {
    /** @type {PromiseLike<unknown>} */ (out).then(succeed, fail);
  } else {
    succeed(out);
  }
}

/**
 * @param {WorkerScope} scope
 * @param {WorkerState} state
 * @param {unknown} lock a Web Locks name to hold for the worker's life, so the pool sees it exit
 */
function hello(scope, state, lock) {
  if (state.bootError !== null) {
    scope.postMessage({ type: 'ringlet:boot-error', error: state.bootError });
    return;
  }
  state.ready = true;
  /** @param {boolean} holdsLock */
  const ready = (holdsLock) => {
    scope.postMessage({
      type: 'ringlet:ready',
      version: VERSION,
      tasks: [...state.tasks.keys()].sort(),
      lock: holdsLock,
    });
  };
  const locks = /** @type {{ locks?: LockManager }} */ (globalThis.navigator ?? {}).locks;
  if (typeof lock !== 'string' || locks === undefined) {
    ready(false);
    return;
  }
  // Held until the worker dies; the pool queues for it and is granted it then.
  // Where Web Locks are refused (opaque origins), the worker still starts,
  // and the pool learns of an exit only through the task's timeout.
  let granted = false;
  locks
    .request(lock, () => {
      granted = true;
      ready(true);
      return new Promise(() => {});
    })
    .catch(() => {
      if (!granted) ready(false);
    });
}

/** @param {WorkerScope} scope @param {WorkerState} state */
export function install(scope, state) {
  state.installed = true;
  scope.addEventListener('error', (event) => {
    // A module that throws while evaluating still gets the hello; answer it with the error.
    if (!state.ready && state.bootError === null) {
      const e = /** @type {ErrorEvent} */ (event);
      const record = errorRecord(e.error ?? e.message);
      state.bootError = { ...record, message: e.message || record.message };
    }
  });
  scope.addEventListener('message', (event) => {
    const m =
      /** @type {{ type?: unknown, id?: unknown, name?: unknown, payload?: unknown, lock?: unknown, wasmUrl?: unknown, wasmBytes?: unknown } | null} */ (
        /** @type {MessageEvent} */ (event).data
      );
    if (m === null || typeof m !== 'object') return;
    if (m.type === 'ringlet:run' && typeof m.id === 'number' && typeof m.name === 'string') {
      runTask(scope, state, m.id, m.name, m.payload);
    } else if (m.type === 'ringlet:hello') {
      if (typeof m.wasmUrl === 'string' && m.wasmUrl !== '') state.wasmUrl = m.wasmUrl;
      if (m.wasmBytes instanceof ArrayBuffer) state.wasmBytes = m.wasmBytes;
      hello(scope, state, m.lock);
    }
  });
}
