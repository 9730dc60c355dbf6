/**
 * ringlet's offline worker pool, its buffer pool, and the API a custom worker
 * module uses.
 *
 * Thread rules, stated once: WorkerPool runs on any thread that has the
 * Worker constructor (the main thread or a Worker), never on the audio
 * thread. BufferPool runs on any thread but allocates, so not on the audio
 * thread either. defineTasks and withTransfer belong to the worker side: they
 * are exported by dist/ringlet-worker.js, not by the package entry.
 */
import type { RingletErrorCode } from './index.js';

// ---- errors -------------------------------------------------------------------

/**
 * Every failure of a pool task or of the pool itself. `code` is stable and
 * meant for programs:
 * - 'TASK_FAILED': the task function threw or rejected; `message` and `stack`
 *   are the worker's, `remoteName` is the thrown error's name. The worker lives on.
 * - 'UNKNOWN_TASK': the worker module defines no task by that name.
 * - 'WASM_TRAP': the task trapped in WebAssembly; also recorded with
 *   getPanicStats() (source 'worker'). The worker is terminated, never reused.
 * - 'WORKER_CRASHED': the worker fired 'error' or 'messageerror', or exited,
 *   while running the task; `message` carries the worker's error message. The
 *   worker is terminated.
 * - 'BOOTSTRAP_FAILED': workers kept failing to start (script missing or
 *   failing to evaluate, maxStartFailures times in a row), or failed in a way
 *   another start would repeat (a ringlet-worker.js of another version, a
 *   Worker constructor that throws); `message` names the URL and the last
 *   cause. The pool is 'failed'.
 * - 'CRASH_LOOP': ready workers crashed maxCrashes times in a row with no
 *   task answered in between; `message` names the URL and the last crash.
 *   Every task that was waiting or running rejects with it (the one whose
 *   worker crashed gets 'WORKER_CRASHED'), and the pool is 'failed'.
 * Subclasses carry the codes 'TIMEOUT', 'ABORTED', 'QUEUE_FULL' and 'TERMINATED'.
 * A refusal by the page's Content-Security-Policy or Trusted Types is no
 * WorkerPoolError but a RingletError 'BLOCKED_BY_POLICY' naming the
 * directive and the URL: of the Worker (the pool is then 'failed' for good:
 * no retry, no start failure or crash counted, and later init() and run()
 * calls reject with it without constructing another Worker), or of what a
 * task needed inside the worker (its wasm; that task rejects, the worker
 * lives on).
 * A terminated worker is replaced at once if tasks are waiting or the pool is
 * below minWorkers, otherwise by the next run(); a 'failed' pool starts no
 * worker until init() or run() is called again.
 */
export declare class WorkerPoolError extends Error {
  /** Any thread. The pool makes these; apps rarely need to. */
  constructor(
    code: RingletErrorCode,
    message: string,
    options?: { cause?: unknown; task?: string; remoteName?: string },
  );
  /** The class's name, also after a structured clone. */
  readonly name: 'WorkerPoolError' | 'TimeoutError' | 'AbortError' | 'QueueFullError' | 'TerminatedError';
  /** Stable, for programs; the message is for people. */
  readonly code: RingletErrorCode;
  /** The task's name, when the error belongs to one task. */
  readonly task: string | undefined;
  /** For 'TASK_FAILED' and 'WASM_TRAP': the name of the error thrown in the worker ('TypeError', 'RuntimeError', ...). */
  readonly remoteName: string | undefined;
}

/** The task ran longer than its timeout (counted from when it started on a worker). Its worker was terminated. */
export declare class TimeoutError extends WorkerPoolError {
  /** Any thread. The pool makes these. */
  constructor(message: string, options?: { cause?: unknown; task?: string });
  /** Always 'TimeoutError'. */
  readonly name: 'TimeoutError';
  /** Always 'TIMEOUT'. */
  readonly code: 'TIMEOUT';
}

/** The task's AbortSignal fired. `cause` is the signal's reason. */
export declare class AbortError extends WorkerPoolError {
  /** Any thread. The pool makes these. */
  constructor(message: string, options?: { cause?: unknown; task?: string });
  /** Always 'AbortError'. */
  readonly name: 'AbortError';
  /** Always 'ABORTED'. */
  readonly code: 'ABORTED';
}

/** run() was refused: maxQueue tasks were already waiting for a worker. */
export declare class QueueFullError extends WorkerPoolError {
  /** Any thread. The pool makes these. */
  constructor(message: string, options?: { cause?: unknown; task?: string });
  /** Always 'QueueFullError'. */
  readonly name: 'QueueFullError';
  /** Always 'QUEUE_FULL'. */
  readonly code: 'QUEUE_FULL';
}

/** The pool was terminated before or while the task ran, or before init() or run() was called. */
export declare class TerminatedError extends WorkerPoolError {
  /** Any thread. The pool makes these. */
  constructor(message: string, options?: { cause?: unknown; task?: string });
  /** Always 'TerminatedError'. */
  readonly name: 'TerminatedError';
  /** Always 'TERMINATED'. */
  readonly code: 'TERMINATED';
}

// ---- WorkerPool ---------------------------------------------------------------

/** Bad options throw TypeError (wrong type) or RangeError (out of range), naming the option and its range. */
export interface WorkerPoolOptions {
  /** Workers kept alive once initialised, 0 .. 64, at most maxWorkers; default 0. */
  minWorkers?: number;
  /** Most workers at once, 1 .. 64; default navigator.hardwareConcurrency - 1, clamped to 1 .. 16. */
  maxWorkers?: number;
  /** Default per-task timeout in ms, 1 .. 2147483647, counted from when the task starts on a worker; default 60000. */
  taskTimeoutMs?: number;
  /** Most tasks waiting for a worker (including while the pool initialises), 0 .. 2^24; default 1000. */
  maxQueue?: number;
  /** How often the stale-task sweep runs while tasks are queued or running (it stops on its first tick that finds the pool idle), 1 .. 2147483647 ms; default 5000. */
  sweepIntervalMs?: number;
  /** When set (0 .. 2147483647 ms), idle workers above minWorkers are terminated after this long. Default: never. */
  idleTimeoutMs?: number;
  /** How long a new worker may take to post 'ready', 1 .. 2147483647 ms; default 10000. */
  startTimeoutMs?: number;
  /** Consecutive start failures after which the pool stops starting workers, 1 .. 100; default 3. */
  maxStartFailures?: number;
  /**
   * Crashes of ready workers in a row, with no task answered by any worker in
   * between, after which the pool fails with 'CRASH_LOOP' instead of
   * replacing them, 1 .. 100; default 3. A worker's 'ready' does not end the
   * streak; a task's result or error does. A crash is an 'error' or
   * 'messageerror' event, or an exit, of a worker that had posted 'ready';
   * timeouts, cancellations and wasm traps are not crashes.
   */
  maxCrashes?: number;
  /**
   * The module each worker runs, started as `new Worker(url, { type: 'module' })`.
   * Default: dist/ringlet-worker.js beside the bundled entry (built-in tasks only).
   * A custom module imports defineTasks from that file's URL and registers its tasks.
   * A module on another origin (ringlet served from a CDN) starts through a
   * same-origin blob: module that imports it, since a Worker's script must
   * be same-origin; that origin must send CORS headers, as public CDNs do.
   * The blob URL is revoked by terminate().
   */
  workerUrl?: string | URL;
}

/** Per-task options for WorkerPool.run(). */
export interface RunOptions {
  /**
   * Cancels the task: a queued one is removed at once, a running one by
   * terminating its worker (which is replaced). Rejects with AbortError.
   * An already-aborted signal makes run() return a rejected promise and queue nothing.
   */
  signal?: AbortSignal;
  /**
   * Objects in the payload to transfer rather than copy. They are detached
   * when run() returns, whether the task starts at once or waits in the queue.
   */
  transfer?: Transferable[];
  /**
   * This task's timeout, 0 .. 2147483647 ms from when it starts on a worker
   * (with waitsFor: from when it is on a worker and that task has ended);
   * default the pool's taskTimeoutMs.
   */
  timeoutMs?: number;
  /**
   * A promise that run() on this pool returned, for a task this one waits for
   * (for example for a MessagePort message from it, as renderOffline's
   * segments wait for the previous segment's state). This task goes to a
   * worker as usual, but its timeout clock starts only once that task has
   * ended, however it ended; until then it counts in waitingTasks. The wait
   * is bounded, because that task's own clock is. A promise of a task that
   * has already ended, or of a refused run(), waits for nothing. Any other
   * value is refused with a TypeError.
   */
  waitsFor?: Promise<unknown>;
  /** Called with each value the task passes to context.progress(), on the thread that called run(). */
  onProgress?: (value: unknown) => void;
}

/**
 * - 'uninitialized': until init() or the first run().
 * - 'initializing': init() is starting max(minWorkers, 1) workers.
 * - 'ready': at least that many workers posted 'ready'.
 * - 'failed': workers kept failing to start ('BOOTSTRAP_FAILED') or kept
 *   crashing ('CRASH_LOOP'); see WorkerPoolStats.failure. No worker runs, and
 *   none is started until init() or run() is called again, which starts over.
 *   After 'BLOCKED_BY_POLICY' (the page's policy refused the Worker) it stays
 *   'failed': init() and run() reject with that error.
 * - 'terminated': after terminate(), for good.
 */
export type WorkerPoolState = 'uninitialized' | 'initializing' | 'ready' | 'failed' | 'terminated';

/** Why a pool is 'failed': the code and message of the error its tasks rejected with. */
export interface WorkerPoolFailure {
  /**
   * 'BOOTSTRAP_FAILED' (workers kept failing to start), 'CRASH_LOOP' (ready
   * workers kept crashing), or 'BLOCKED_BY_POLICY' (the page's
   * Content-Security-Policy or Trusted Types refused the worker: a
   * RingletError; the pool stays failed and constructs no other worker).
   */
  code: 'BOOTSTRAP_FAILED' | 'CRASH_LOOP' | 'BLOCKED_BY_POLICY';
  /** For people: the worker URL and the last cause. */
  message: string;
}

/**
 * A snapshot of the pool. Every task run() accepted ends in exactly one of
 * completedTasks, failedTasks, timedOutTasks, cancelledTasks, so
 * totalTasks = activeTasks + queuedTasks + those four.
 */
export interface WorkerPoolStats {
  /** The pool's state now. */
  state: WorkerPoolState;
  /** Why the pool is 'failed' (the error its tasks and init() rejected with); null in any other state. */
  failure: WorkerPoolFailure | null;
  /** Live workers: starting, idle or busy. */
  workers: number;
  /** Ready workers with no task. */
  idleWorkers: number;
  /** Workers running a task. */
  busyWorkers: number;
  /** Workers that have not posted 'ready' yet. */
  startingWorkers: number;
  /** Tasks running on a worker (waitingTasks included). */
  activeTasks: number;
  /** Tasks on a worker whose clock has not started: the task they wait for (RunOptions.waitsFor) has not ended. */
  waitingTasks: number;
  /** Tasks waiting for a worker. */
  queuedTasks: number;
  /** Tasks run() accepted. */
  totalTasks: number;
  /** Tasks that resolved. */
  completedTasks: number;
  /** Includes tasks rejected by terminate() or by a failed start. */
  failedTasks: number;
  /** Tasks rejected with TimeoutError. */
  timedOutTasks: number;
  /** Tasks rejected with AbortError. */
  cancelledTasks: number;
  /** run() calls refused without queuing: bad arguments, aborted signal, full queue, terminated pool. */
  refusedTasks: number;
  /** Timed-out tasks found by the sweep because their own timer had not fired. */
  sweptTasks: number;
  /** Workers ever constructed (including ones that failed to start). */
  workersCreated: number;
  /** Ready workers that failed (error, messageerror or exit). */
  workerCrashes: number;
  /** Workers that failed to start since the last one that started (kept when the pool fails, until it starts over). */
  startFailures: number;
  /** Crashes of ready workers since a worker last answered a task (kept when the pool fails, until it starts over). */
  crashStreak: number;
  /** Live event listeners added for tasks (their signal's 'abort', their worker's 'message'). 0 when no task is queued or running. */
  listeners: number;
  /** Live event listeners on live workers: 2 per ready worker ('error', 'messageerror'), 3 while starting. 0 after terminate(). */
  workerListeners: number;
  /** Live timers: the shared task-timeout timer, start timeouts, idle timeouts, the sweep. 0 within one sweepIntervalMs of the pool going idle (at once after terminate()), when idleTimeoutMs is unset. */
  timers: number;
  /**
   * Promises the pool is waiting on: a Web Locks request per ready worker
   * (granted when the worker exits, which is how an exit is noticed) and
   * diagnostic fetches of a worker script that failed to load. Each ends
   * when the browser settles it; 0 shortly after terminate() (a round trip
   * to the browser, no timer).
   */
  pendingWaits: number;
}

/**
 * A bounded pool of module Workers for offline tasks. Main thread or a
 * Worker; never the audio thread. Nothing here blocks.
 *
 * Every listener a task adds is removed on every outcome; an idle pool keeps
 * no timer (the sweep runs only while tasks are queued or running, and stops
 * on its first tick that finds the pool idle).
 */
export declare class WorkerPool {
  /** @throws TypeError or RangeError for a bad option, naming it and its range. */
  constructor(options?: WorkerPoolOptions);
  /** The absolute URL of the module every worker runs. */
  readonly workerUrl: string;
  /** 'uninitialized', 'initializing', 'ready', 'failed' or 'terminated'. */
  readonly state: WorkerPoolState;
  /**
   * Starts max(minWorkers, 1) workers and resolves once each has posted
   * 'ready'. Runs once: concurrent and later callers share one promise. If
   * workers fail to start maxStartFailures times in a row, or crash
   * maxCrashes times in a row, it rejects every waiter (and every waiting
   * task) with WorkerPoolError 'BOOTSTRAP_FAILED' or 'CRASH_LOOP', naming the
   * URL and the cause; the pool is then 'failed' and the promise forgotten,
   * so a later call starts over. A call on a pool that start failures left
   * short of workers tries again to start them. If the page's
   * Content-Security-Policy or Trusted Types refuse the Worker, it rejects
   * with RingletError 'BLOCKED_BY_POLICY' after that one attempt, and so
   * does every later call, without another attempt.
   * Rejects with TerminatedError after terminate().
   */
  init(): Promise<void>;
  /**
   * Runs task `name` on a worker with a structured clone of `payload`, and
   * resolves with its result. Calls init() when needed, including on a
   * 'failed' pool, which starts over; on a pool that start failures left
   * short of workers it tries again to start them. Never throws: bad
   * arguments, an already-aborted signal, a full queue and a terminated pool
   * all return an already-rejected promise, with nothing queued.
   */
  run<R = unknown>(name: string, payload?: unknown, options?: RunOptions): Promise<R>;
  /**
   * Rejects every queued and running task with TerminatedError, terminates
   * every worker, clears every timer and removes every listener. Later
   * run() and init() calls reject with TerminatedError. Idempotent.
   */
  terminate(): void;
  /** A snapshot of the counters; cheap, never blocks. */
  getStats(): WorkerPoolStats;
}

// ---- BufferPool ---------------------------------------------------------------

/** Options for new BufferPool(). */
export interface BufferPoolOptions {
  /** Floats in every buffer, 1 .. 2^28. Required. */
  length: number;
  /** Most buffers kept, 0 .. 4096; default 32. */
  maxBuffers?: number;
}

/** What BufferPool.stats() returns. */
export interface BufferPoolStats {
  /** Buffers in the pool now. */
  pooled: number;
  /** Buffers acquire() had to allocate. */
  created: number;
  /** acquire() calls served from the pool. */
  reused: number;
  /** Released buffers not kept: detached, wrong size, shared, or the pool was full. */
  dropped: number;
}

/**
 * A bounded free list of Float32Arrays of one length. Any thread except the
 * audio thread: acquire() allocates when the pool is empty.
 *
 * With a WorkerPool, ping-pong buffers instead of allocating: acquire one,
 * fill it, pass it with `transfer: [buf.buffer]` (it is detached, so do not
 * release it), have the task return it with withTransfer(result, [result.buffer]),
 * and release() what comes back once you are done with it.
 */
export declare class BufferPool {
  /** @throws TypeError or RangeError for a missing or bad option, naming it and its range. */
  constructor(options: BufferPoolOptions);
  /** Floats in every buffer. */
  readonly length: number;
  /** Most buffers kept. */
  readonly maxBuffers: number;
  /** A pooled buffer (old contents intact), or a new zeroed one. */
  acquire(): Float32Array;
  /**
   * Gives a buffer back; returns whether it is now pooled. It is kept only if
   * it is attached, unshared, exactly `length` floats over its whole
   * ArrayBuffer, not already pooled, and the pool has room; otherwise it is
   * dropped (a repeated release of a pooled buffer changes nothing).
   * @throws TypeError if buffer is not a Float32Array.
   */
  release(buffer: Float32Array): boolean;
  /** Drops every pooled buffer (counted as dropped). */
  clear(): void;
  /** A snapshot of the counters. */
  stats(): BufferPoolStats;
}

// ---- worker side (dist/ringlet-worker.js) ----------------------------------------------

/** What a task function gets besides its payload. */
export interface TaskContext {
  /** The task's id, unique within its pool. */
  readonly id: number;
  /** The task's name, as passed to run(). */
  readonly name: string;
  /** Sends a value to run()'s onProgress on the caller's thread; `transfer` as for postMessage. */
  progress(value: unknown, transfer?: Transferable[]): void;
}

/**
 * A task: gets a structured clone of run()'s payload and returns (or resolves
 * with) the result, which is structured-cloned back; wrap it with
 * withTransfer() to transfer buffers instead. A throw or rejection rejects
 * run() with 'TASK_FAILED' (a WebAssembly.RuntimeError with 'WASM_TRAP').
 */
export type TaskFunction<P = unknown, R = unknown> = (payload: P, context: TaskContext) => R | PromiseLike<R>;

/**
 * Registers tasks by name for WorkerPool.run(). Worker thread, while the
 * module evaluates (before any top-level await): the worker answers the
 * pool's hello with the tasks defined by then. A name may be defined once;
 * 'echo', 'sum', 'render' and 'analyze' are built in (see render.d.ts for
 * the last two).
 * @throws TypeError for a non-function, an empty name or a name already defined.
 */
export declare function defineTasks(tasks: Readonly<Record<string, TaskFunction<never, unknown>>>): void;

/**
 * Marks a task's result so the listed objects are transferred to the caller
 * instead of copied (they are detached in the worker). Worker thread.
 */
export declare function withTransfer<T>(value: T, transfer: Transferable[]): T;
