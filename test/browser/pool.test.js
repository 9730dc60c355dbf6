// WorkerPool in real Chromium with real module Workers: one-time init and
// retry after failure, leak-free listeners over 10,000 tasks, timeouts that
// start at run start, cancellation, crashes, wasm traps, bounded bootstrap
// failures, backpressure, terminate(), and no timers while idle.
//
// The page wraps Worker (to count constructions) and the timer functions (to
// count live timers independently of the pool's own stats).
/* global workerConstructions, liveTimers, intervalFires, outcome, sleep, idleTimers, within -- the page's helpers, set up in beforeAll */
import { afterAll, beforeAll, expect, jest } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openBrowser, test } from './harness.js';
import { serve } from '../../scripts/serve.mjs';

const TASKS = '/test/browser/fixtures/pool-tasks.js';
const BOOT_FAIL = '/test/browser/fixtures/pool-boot-fail.js';
const SILENT = '/test/browser/fixtures/pool-silent.js';
// Written and removed by the tests, to make a URL that 404s and later loads.
const LATE_DIR = fileURLToPath(new URL('../../build/test-pool/', import.meta.url));
const LATE_NAME = `late-${process.pid}-${Date.now()}.js`;
const LATE_PATH = `${LATE_DIR}${LATE_NAME}`;
const LATE_URL = `/build/test-pool/${LATE_NAME}`;

// A pool bug tends to hang a promise: fail in seconds, not at Jest's default.
jest.setTimeout(30000);

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser({ countListeners: true });
  await b.page.evaluate(() => {
    const g = globalThis;
    // Count every Worker construction.
    const OriginalWorker = Worker;
    g.workerConstructions = 0;
    g.Worker = class extends OriginalWorker {
      constructor(...args) {
        g.workerConstructions += 1;
        super(...args);
      }
    };
    // Count live timers; optionally lose timeouts of one delay (to test the sweep).
    const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = globalThis;
    g.liveTimers = new Set();
    g.intervalFires = 0;
    g.swallowDelay = -1;
    g.setTimeout = (fn, ms, ...args) => {
      if (ms === g.swallowDelay) return st(() => {}, 2 ** 31 - 1); // never fires in this test run
      const id = st(() => {
        g.liveTimers.delete(id);
        fn(...args);
      }, ms);
      g.liveTimers.add(id);
      return id;
    };
    g.clearTimeout = (id) => {
      g.liveTimers.delete(id);
      ct(id);
    };
    g.setInterval = (fn, ms, ...args) => {
      const id = si(() => {
        g.intervalFires += 1;
        fn(...args);
      }, ms);
      g.liveTimers.add(id);
      return id;
    };
    g.clearInterval = (id) => {
      g.liveTimers.delete(id);
      ci(id);
    };
    // How a promise ended, as plain data.
    g.outcome = (p) =>
      p.then(
        (value) => ({ ok: true, value }),
        (e) => ({
          ok: false,
          name: e?.name,
          code: e?.code,
          message: String(e?.message),
          stack: String(e?.stack),
          remoteName: e?.remoteName,
          task: e?.task,
          cause: e?.cause === undefined ? undefined : String(e.cause),
          isPoolError: e instanceof g.ringlet.WorkerPoolError,
          isError: e instanceof Error,
        }),
      );
    g.sleep = (ms) => new Promise((r) => st(r, ms));
    // The sweep stops on its first tick that finds the pool idle (so a pool
    // that goes busy again within one interval does not restart its timers):
    // an idle pool has no timer after one sweep tick. Counted in ticks, which
    // the pool controls, not milliseconds, which a loaded machine stretches:
    // waits until the pool's timers reach 0 or the sweep has ticked twice
    // (the first tick should have stopped it), and returns the count then.
    // The 20 s guard only keeps a broken pool from hanging the test.
    g.idleTimers = async (pool) => {
      const fires = g.intervalFires;
      const guard = performance.now() + 20000;
      while (pool.stats().timers > 0 && g.intervalFires - fires < 2 && performance.now() < guard) await g.sleep(5);
      return pool.stats().timers;
    };
    // Rejects, naming what hung, if `p` is still pending after `ms`.
    g.within = (p, ms, what) =>
      Promise.race([
        p,
        g.sleep(ms).then(() => {
          throw new Error(`${what}: still pending after ${ms} ms`);
        }),
      ]);
  });
  await b.page.evaluate(async () => {
    globalThis.ringlet = await import('/dist/ringlet.js');
  });
});

afterAll(async () => {
  rmSync(LATE_PATH, { force: true });
  await b?.close();
});

/** Listeners on the page object at `expression`: Chromium's DevTools list, the in-page counter elsewhere. */
const listenersOn = (/** @type {string} */ expression) => b.listenerCount(expression);

/** The heap after a full GC; null outside Chromium (see harness.js heapUsed). */
const heapUsed = () => b.heapUsed();

test('50 concurrent init() calls share one promise and construct the workers once, resolving only after they posted ready', async () => {
  const r = await b.page.evaluate(async () => {
    const { WorkerPool } = globalThis.ringlet;
    const before = workerConstructions;
    const pool = new WorkerPool({ minWorkers: 2, maxWorkers: 3 });
    const calls = Array.from({ length: 50 }, () => pool.init());
    const during = pool.stats();
    const same = calls.every((p) => p === calls[0]);
    const atResolve = [];
    calls.forEach((p) => p.then(() => atResolve.push(pool.stats().idleWorkers)));
    await within(Promise.all(calls), 10000, 'the 50 init() calls');
    const again = pool.init();
    await within(again, 10000, 'a later init()');
    const result = {
      same,
      sameLater: again === calls[0],
      constructed: workerConstructions - before,
      during: { state: during.state, starting: during.startingWorkers, idle: during.idleWorkers },
      atResolve: [...new Set(atResolve)],
      after: pool.stats(),
      echo: await pool.run('echo', 'hi'),
    };
    pool.terminate();
    return result;
  });
  expect(r.same).toBe(true);
  expect(r.sameLater).toBe(true);
  expect(r.constructed).toBe(2);
  expect(r.during).toEqual({ state: 'initializing', starting: 2, idle: 0 });
  expect(r.atResolve).toEqual([2]); // every waiter saw both workers ready
  expect(r.after).toMatchObject({ state: 'ready', workers: 2, idleWorkers: 2, startingWorkers: 0, workersCreated: 2 });
  expect(r.echo).toBe('hi');
});

test('a missing worker script rejects every init() waiter naming the URL and the 404; the same pool retries once it exists, and later start failures do not loop', async () => {
  rmSync(LATE_PATH, { force: true });
  const first = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const before = workerConstructions;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, taskTimeoutMs: 5000 });
    globalThis.latePool = pool;
    const waiters = await within(Promise.all(Array.from({ length: 10 }, () => outcome(pool.init()))), 10000, 'init()');
    const task = await within(outcome(pool.run('echo', 1)), 10000, 'run() after a failed init()'); // a lazy init: it fails the same way
    return {
      waiters: [...new Set(waiters.map((w) => JSON.stringify([w.ok, w.code, w.message])))].map((s) => JSON.parse(s)),
      task: [task.code, task.message.includes('404')],
      constructed: workerConstructions - before,
      stats: pool.stats(),
    };
  }, LATE_URL);
  expect(first.waiters).toHaveLength(1); // all ten got the same error
  const [ok, code, message] = first.waiters[0];
  expect(ok).toBe(false);
  expect(code).toBe('BOOTSTRAP_FAILED');
  expect(message).toContain(LATE_URL);
  expect(message).toMatch(/HTTP 404/);
  expect(message).toMatch(/3 times in a row/);
  expect(first.task).toEqual(['BOOTSTRAP_FAILED', true]);
  expect(first.constructed).toBe(6); // 3 for init(), 3 for the run() after it: bounded
  expect(first.stats).toMatchObject({
    state: 'failed',
    workers: 0,
    timers: 0,
    listeners: 0,
    workerListeners: 0,
  });

  // Make the URL real; the same instance now starts.
  mkdirSync(LATE_DIR, { recursive: true });
  writeFileSync(
    LATE_PATH,
    `import '${TASKS}';\nimport { defineTasks } from '/dist/ringlet-worker.js';\ndefineTasks({ late: () => 'late ok' });\n`,
  );
  const second = await b.page.evaluate(async () => {
    const pool = globalThis.latePool;
    await within(pool.init(), 10000, 'init() retried on the same pool');
    return { late: await within(pool.run('late'), 10000, 'run()'), state: pool.state };
  });
  expect(second).toEqual({ late: 'late ok', state: 'ready' });

  // Remove it again and kill the running worker: replacements 404, three
  // times, then the queued task fails and the pool stops starting workers.
  rmSync(LATE_PATH);
  const third = await b.page.evaluate(async () => {
    const pool = globalThis.latePool;
    const before = workerConstructions;
    const hang = outcome(pool.run('hang', null, { timeoutMs: 300 }));
    const queued = outcome(pool.run('echo', 2));
    const results = await within(Promise.all([hang, queued]), 10000, 'tasks after the script went missing');
    const constructed = workerConstructions - before;
    await sleep(500);
    const result = {
      results: results.map((x) => [x.name, x.code]),
      queuedMessage: results[1].message,
      constructed,
      later: workerConstructions - before,
      stats: pool.stats(),
    };
    pool.terminate();
    return result;
  });
  expect(third.results).toEqual([
    ['TimeoutError', 'TIMEOUT'],
    ['WorkerPoolError', 'BOOTSTRAP_FAILED'],
  ]);
  expect(third.queuedMessage).toMatch(/HTTP 404/);
  expect(third.constructed).toBe(3);
  expect(third.later).toBe(3);
  expect(third.stats).toMatchObject({ state: 'failed', workers: 0, timers: 0 });
  b.errors.length = 0; // the deliberate 404s are logged by the browser
});

test('a module that throws while evaluating fails init() with its own message, and starting stops after 3 attempts', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const before = workerConstructions;
    const pool = new WorkerPool({ workerUrl: url, minWorkers: 2, maxWorkers: 2 });
    const [init, task] = await within(
      Promise.all([outcome(pool.init()), outcome(pool.run('echo', 1))]),
      10000,
      'init() and run()',
    );
    const constructed = workerConstructions - before;
    await sleep(400);
    const result = {
      init,
      task: [task.code, task.message === init.message],
      constructed,
      later: workerConstructions - before,
      stats: pool.stats(),
    };
    pool.terminate();
    return result;
  }, BOOT_FAIL);
  expect(r.init.ok).toBe(false);
  expect(r.init.code).toBe('BOOTSTRAP_FAILED');
  expect(r.init.message).toContain('pool-boot-fail fixture: refusing to start');
  expect(r.init.message).toContain(BOOT_FAIL);
  expect(r.task).toEqual(['BOOTSTRAP_FAILED', true]);
  // minWorkers 2 starts two at once; the third failure stops it (a fourth may already be starting).
  expect(r.constructed).toBeGreaterThanOrEqual(3);
  expect(r.constructed).toBeLessThanOrEqual(4);
  expect(r.later).toBe(r.constructed);
  expect(r.stats).toMatchObject({ workers: 0, timers: 0, listeners: 0, workerListeners: 0 });
});

test('a worker that never posts ready fails after startTimeoutMs', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const before = workerConstructions;
    const pool = new WorkerPool({ workerUrl: url, startTimeoutMs: 300, maxStartFailures: 2 });
    const init = await within(outcome(pool.init()), 10000, 'init()');
    const result = {
      init: [init.code, init.message],
      constructed: workerConstructions - before,
      stats: pool.stats(),
    };
    pool.terminate();
    return result;
  }, SILENT);
  expect(r.init[0]).toBe('BOOTSTRAP_FAILED');
  expect(r.init[1]).toMatch(/did not post 'ready' within 300 ms/);
  expect(r.constructed).toBe(2);
  expect(r.stats).toMatchObject({ workers: 0, timers: 0 });
});

test('10,000 tiny tasks leave no task, listener or timer behind, and grow the heap by under 64 KiB', async () => {
  await b.page.evaluate(async () => {
    const { WorkerPool } = globalThis.ringlet;
    globalThis.bigPool = new WorkerPool({ sweepIntervalMs: 250 });
    globalThis.sharedController = new AbortController();
    globalThis.batch = async (total, concurrency) => {
      const pool = globalThis.bigPool;
      const signal = globalThis.sharedController.signal;
      let wrong = 0;
      let maxListeners = 0;
      for (let start = 0; start < total; start += concurrency) {
        const n = Math.min(concurrency, total - start);
        const tasks = [];
        for (let i = 0; i < n; i++) tasks.push(pool.run('echo', start + i, { signal }));
        maxListeners = Math.max(maxListeners, pool.stats().listeners);
        const results = await Promise.all(tasks);
        for (let i = 0; i < n; i++) if (results[i] !== start + i) wrong++;
      }
      return { wrong, maxListeners };
    };
    await globalThis.batch(2000, 500); // warm-up: JIT, worker start, pools of V8 internals
  });
  const start = await heapUsed();
  const t0 = Date.now();
  const run = await b.page.evaluate(() => globalThis.batch(10000, 500));
  const elapsedMs = Date.now() - t0;
  const end = await heapUsed();
  const signalListeners = await listenersOn('globalThis.sharedController.signal');
  const stats = await b.page.evaluate(() => globalThis.bigPool.stats());
  const timersWhenIdle = await b.page.evaluate(() => idleTimers(globalThis.bigPool));
  // Round trip of one 'echo' at a time.
  const rtt = await b.page.evaluate(async () => {
    const pool = globalThis.bigPool;
    for (let i = 0; i < 200; i++) await pool.run('echo', i);
    const n = 1000;
    const t = performance.now();
    for (let i = 0; i < n; i++) await pool.run('echo', i);
    return ((performance.now() - t) / n) * 1000;
  });
  await b.page.evaluate(() => {
    globalThis.bigPool.terminate();
    delete globalThis.bigPool;
  });
  console.log(
    `pool: 10,000 echo tasks in ${elapsedMs} ms (${Math.round(10000 / (elapsedMs / 1000))}/s, 500 in flight); ` +
      `heap growth ${start !== null && end !== null ? `${((end - start) / 1024).toFixed(1)} KiB` : 'not measurable'}; sequential echo round trip ${rtt.toFixed(1)} µs`,
  );
  expect(run.wrong).toBe(0);
  expect(run.maxListeners).toBeGreaterThan(0); // the signal listeners are counted while tasks wait
  expect(signalListeners).toBe(0);
  expect(stats).toMatchObject({ activeTasks: 0, queuedTasks: 0, listeners: 0, completedTasks: 12000, failedTasks: 0 });
  expect(timersWhenIdle).toBe(0); // after one sweep tick
  expect(stats.workerListeners).toBe(3 * stats.workers); // error, messageerror, message
  // Measured after two forced full GCs, so it is what the pool retains, not
  // what load or GC timing leave behind: 4 KiB here, idle and with both
  // cores busy alike. One Set entry retained per task (14 B) is 140 KiB.
  // Chromium only: no driver of Firefox or WebKit can force a GC and read the heap.
  if (start !== null && end !== null) expect(end - start).toBeLessThan(64 * 1024);
});

test('while tasks hold listeners DevTools sees them on the signal, and they are all gone after every kind of outcome', async () => {
  const during = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, taskTimeoutMs: 300, sweepIntervalMs: 250 });
    globalThis.mixPool = pool;
    globalThis.mixController = new AbortController();
    const signal = globalThis.mixController.signal;
    const cancel = new AbortController();
    globalThis.mixResults = Promise.all([
      outcome(pool.run('sleep', 50, { signal })), // success
      outcome(pool.run('throws', 'x', { signal })), // task error
      outcome(pool.run('hang', null, { signal })), // timeout
      outcome(pool.run('crashLater', 'y', { signal })), // worker crash
      outcome(pool.run('trap', null, { signal })), // wasm trap
      outcome(pool.run('nope', null, { signal })), // unknown task
      outcome(pool.run('echo', 1, { signal: AbortSignal.any([signal, cancel.signal]) })), // cancelled
    ]);
    cancel.abort();
    return pool.stats().listeners;
  }, TASKS);
  expect(during).toBeGreaterThan(0);
  // Some tasks have surely not finished yet (the hang takes 300 ms to time out).
  expect(await listenersOn('globalThis.mixController.signal')).toBeGreaterThanOrEqual(3);
  const r = await b.page.evaluate(async () => {
    const results = await globalThis.mixResults;
    const stats = globalThis.mixPool.stats();
    const timersWhenIdle = await idleTimers(globalThis.mixPool);
    globalThis.mixPool.terminate();
    return { codes: results.map((x) => x.code ?? 'ok'), stats, timersWhenIdle };
  });
  expect(r.codes).toEqual(['ok', 'TASK_FAILED', 'TIMEOUT', 'WORKER_CRASHED', 'WASM_TRAP', 'UNKNOWN_TASK', 'ABORTED']);
  expect(r.stats).toMatchObject({ listeners: 0, activeTasks: 0, queuedTasks: 0 });
  expect(r.timersWhenIdle).toBe(0); // after one sweep tick
  expect(await listenersOn('globalThis.mixController.signal')).toBe(0);
});

test('a hung task times out with TimeoutError, its worker is replaced, and the pool keeps working', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, TimeoutError, WorkerPoolError } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, taskTimeoutMs: 300, sweepIntervalMs: 250 });
    const firstWorker = await pool.run('whoami');
    const before = workerConstructions;
    let error;
    const hang = pool.run('hang').catch((e) => {
      error = e;
    });
    const next = pool.run('whoami');
    await hang;
    const result = {
      name: error.name,
      code: error.code,
      message: error.message,
      classes: [error instanceof TimeoutError, error instanceof WorkerPoolError, error instanceof Error],
      firstWorker,
      nextWorker: await next,
      constructed: workerConstructions - before,
      stats: pool.stats(),
    };
    result.timersWhenIdle = await idleTimers(pool);
    pool.terminate();
    return result;
  }, TASKS);
  expect(r.name).toBe('TimeoutError');
  expect(r.code).toBe('TIMEOUT');
  expect(r.message).toMatch(/'hang' timed out after 300 ms/);
  expect(r.classes).toEqual([true, true, true]);
  expect(r.nextWorker).not.toBe(r.firstWorker);
  expect(r.constructed).toBe(1);
  expect(r.stats).toMatchObject({ timedOutTasks: 1, completedTasks: 2, workers: 1, listeners: 0 });
  expect(r.timersWhenIdle).toBe(0); // after one sweep tick
});

test('the timeout clock starts when a task starts, not while it waits in the queue', async () => {
  // One worker, timeout 2000 ms, ten 300 ms tasks queued at once: the last
  // waits ~2700 ms, so a clock that started in the queue would time out the
  // last three. Each task's own run (300 ms) is far inside its timeout, with
  // 1.7 s to spare for a loaded machine.
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, taskTimeoutMs: 2000 });
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: 10 }, () => outcome(pool.run('sleep', 300))));
    const elapsed = performance.now() - t0;
    pool.terminate();
    return { results: results.map((x) => (x.ok ? x.value : x.code)), elapsed };
  }, TASKS);
  expect(r.results).toEqual(Array(10).fill(300));
  expect(r.elapsed).toBeGreaterThan(2700); // they really queued behind each other
});

test('a task that throws rejects with its message and stack, and its worker stays', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1 });
    const worker = await pool.run('whoami');
    const before = workerConstructions;
    const thrown = await outcome(pool.run('throws', 'fixture threw'));
    const rejected = await outcome(pool.run('rejects', 'fixture rejected'));
    const unclonable = await outcome(pool.run('unclonable'));
    const unknown = await outcome(pool.run('transcode'));
    const badPayload = await outcome(pool.run('echo', () => 1));
    const after = await pool.run('whoami');
    const result = {
      worker,
      after,
      constructed: workerConstructions - before,
      thrown,
      rejected,
      unclonable,
      unknown,
      badPayload,
    };
    pool.terminate();
    return result;
  }, TASKS);
  expect(r.thrown).toMatchObject({
    ok: false,
    name: 'WorkerPoolError',
    code: 'TASK_FAILED',
    message: 'fixture threw',
    remoteName: 'TypeError',
    task: 'throws',
    isPoolError: true,
  });
  expect(r.thrown.stack).toMatch(/pool-tasks\.js/);
  expect(r.rejected).toMatchObject({ code: 'TASK_FAILED', message: 'fixture rejected', remoteName: 'RangeError' });
  expect(r.unclonable).toMatchObject({ code: 'TASK_FAILED', remoteName: 'DataCloneError' });
  expect(r.unknown).toMatchObject({ code: 'UNKNOWN_TASK' });
  expect(r.unknown.message).toMatch(/unknown task 'transcode'.*analyze.*echo.*render.*sum/);
  expect(r.badPayload).toMatchObject({ ok: false, name: 'DataCloneError' });
  expect(r.after).toBe(r.worker);
  expect(r.constructed).toBe(0);
});

test('a worker-level crash (an uncaught error in a timer, or self.close()) rejects the task with the real message and replaces the worker', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, sweepIntervalMs: 250 });
    const first = await pool.run('whoami');
    // Generous timeouts: if a crash went unnoticed, the code would be TIMEOUT.
    const crash = await outcome(pool.run('crashLater', 'async boom in the worker', { timeoutMs: 10000 }));
    const second = await pool.run('whoami');
    const exit = await outcome(pool.run('exit', null, { timeoutMs: 10000 }));
    const third = await pool.run('whoami');
    const result = {
      crash,
      exit,
      workers: [first, second, third],
      stats: pool.stats(),
      timersWhenIdle: await idleTimers(pool),
    };
    pool.terminate();
    return result;
  }, TASKS);
  expect(r.crash).toMatchObject({ ok: false, code: 'WORKER_CRASHED' });
  expect(r.crash.message).toContain('async boom in the worker');
  expect(r.exit).toMatchObject({ ok: false, code: 'WORKER_CRASHED' });
  expect(r.exit.message).toMatch(/exited/);
  expect(new Set(r.workers).size).toBe(3);
  expect(r.stats).toMatchObject({ workerCrashes: 2, timedOutTasks: 0, listeners: 0 });
  expect(r.timersWhenIdle).toBe(0); // after one sweep tick
});

test('a wasm trap in a task is recorded as a worker panic and rejects with WASM_TRAP', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, getPanicStats, onPanic } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1 });
    const before = getPanicStats();
    const heard = [];
    const off = onPanic((record) => heard.push([record.source, record.code]));
    const trap = await outcome(pool.run('trap'));
    off();
    const after = getPanicStats();
    const last = after.history[after.history.length - 1];
    const next = await pool.run('echo', 'still works');
    pool.terminate();
    return {
      trap,
      heard,
      delta: after.bySource.worker - before.bySource.worker,
      last: { code: last.code, message: last.message, stack: last.stack },
      next,
    };
  }, TASKS);
  // The engine's own trap text: V8 'unreachable', SpiderMonkey 'unreachable executed', JSC 'Unreachable code …'.
  expect(r.trap).toMatchObject({ ok: false, code: 'WASM_TRAP', remoteName: 'RuntimeError' });
  expect(r.trap.message).toMatch(/unreachable/i);
  expect(r.heard).toEqual([['worker', 'WASM_TRAP']]);
  expect(r.delta).toBe(1);
  expect(r.last.code).toBe('WASM_TRAP');
  expect(r.last.message).toBe(r.trap.message);
  expect(r.last.stack).toMatch(/pool-tasks\.js/);
  expect(r.next).toBe('still works');
});

test('cancelling: a queued task leaves the queue at once, a running one loses its worker, an already-aborted signal queues nothing', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, AbortError } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, taskTimeoutMs: 20000, sweepIntervalMs: 250 });
    const first = await pool.run('whoami');
    const running = new AbortController();
    const queued = new AbortController();
    const hang = outcome(pool.run('hang', null, { signal: running.signal }));
    const waiting = outcome(pool.run('echo', 1, { signal: queued.signal }));
    const beforeCancel = pool.stats();
    queued.abort('changed my mind');
    const afterQueuedCancel = pool.stats(); // synchronously after abort()
    const waitingResult = await waiting;
    running.abort();
    const hangResult = await hang;
    const second = await pool.run('whoami');

    // Already aborted: rejected before run() returns, nothing queued or counted as accepted.
    const statsBefore = pool.stats();
    const p = pool.run('echo', 2, { signal: AbortSignal.abort('too late') });
    const statsAfter = pool.stats();
    const order = await Promise.race([
      p.then(
        () => 'resolved',
        () => 'rejected',
      ),
      Promise.resolve().then(() => 'pending'),
    ]);
    let error;
    await p.catch((e) => {
      error = e;
    });
    const result = {
      beforeCancel: beforeCancel.queuedTasks,
      afterQueuedCancel: afterQueuedCancel.queuedTasks,
      waitingResult,
      hangResult,
      workers: [first, second],
      already: {
        order,
        isAbort: error instanceof AbortError,
        code: error.code,
        cause: error.cause,
        queued: statsAfter.queuedTasks,
        total: statsAfter.totalTasks - statsBefore.totalTasks,
        refused: statsAfter.refusedTasks - statsBefore.refusedTasks,
      },
      stats: pool.stats(),
    };
    result.timersWhenIdle = await idleTimers(pool);
    pool.terminate();
    return result;
  }, TASKS);
  expect(r.beforeCancel).toBe(1);
  expect(r.afterQueuedCancel).toBe(0);
  expect(r.waitingResult).toMatchObject({ ok: false, name: 'AbortError', code: 'ABORTED', cause: 'changed my mind' });
  expect(r.waitingResult.message).toMatch(/cancelled while queued/);
  expect(r.hangResult).toMatchObject({ ok: false, name: 'AbortError', code: 'ABORTED' });
  expect(r.hangResult.message).toMatch(/cancelled while running/);
  expect(r.workers[1]).not.toBe(r.workers[0]); // the running task's worker was terminated and replaced
  expect(r.already).toEqual({
    order: 'rejected',
    isAbort: true,
    code: 'ABORTED',
    cause: 'too late',
    queued: 0,
    total: 0,
    refused: 1,
  });
  expect(r.stats).toMatchObject({ cancelledTasks: 2, listeners: 0, activeTasks: 0, queuedTasks: 0 });
  expect(r.timersWhenIdle).toBe(0); // after one sweep tick
});

test('terminate() with work in flight rejects everything with TerminatedError and leaves no listener, timer or worker', async () => {
  const baseline = await b.page.evaluate(() => liveTimers.size);
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, TerminatedError } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 2, idleTimeoutMs: 60000 });
    globalThis.termController = new AbortController();
    const signal = globalThis.termController.signal;
    await pool.init();
    const tasks = [outcome(pool.run('hang', null, { signal })), outcome(pool.run('sleep', 5000, { signal }))];
    for (let i = 0; i < 5; i++) tasks.push(outcome(pool.run('echo', i, { signal })));
    // Let a second worker start and take a task.
    for (let i = 0; i < 200 && pool.stats().activeTasks < 2; i++) await sleep(10);
    const during = pool.stats();
    pool.terminate();
    pool.terminate(); // idempotent
    const results = await Promise.all(tasks);
    const later = [await outcome(pool.run('echo', 1)), await outcome(pool.init())];
    let laterError;
    await pool.run('echo').catch((e) => {
      laterError = e;
    });
    return {
      during,
      results: results.map((x) => [x.name, x.code]),
      later: later.map((x) => x.code),
      laterIsTerminated: laterError instanceof TerminatedError,
      stats: pool.stats(),
      liveTimers: liveTimers.size,
    };
  }, TASKS);
  expect(r.during).toMatchObject({ activeTasks: 2, queuedTasks: 5 });
  expect(r.during.listeners).toBeGreaterThanOrEqual(7);
  expect(r.during.timers).toBeGreaterThanOrEqual(2); // the running tasks' shared timeout timer and the sweep
  expect(r.results).toEqual(Array(7).fill(['TerminatedError', 'TERMINATED']));
  expect(r.later).toEqual(['TERMINATED', 'TERMINATED']);
  expect(r.laterIsTerminated).toBe(true);
  expect(r.stats).toMatchObject({
    state: 'terminated',
    workers: 0,
    listeners: 0,
    workerListeners: 0,
    timers: 0,
    failedTasks: 7,
  });
  expect(r.liveTimers).toBe(baseline);
  expect(await listenersOn('globalThis.termController.signal')).toBe(0);
});

test('a worker module on another origin (a CDN) starts through a same-origin blob module, which terminate() revokes; a 404 there is named', async () => {
  // Another port is another origin. It answers like a public CDN (CORS, CORP cross-origin).
  const cdn = await serve({ root: fileURLToPath(new URL('../..', import.meta.url)), isolate: false, cors: true });
  try {
    const r = await b.page.evaluate(
      async ({ tasks, missing }) => {
        const { WorkerPool } = globalThis.ringlet;
        const blobs = { created: [], revoked: [] };
        const { createObjectURL, revokeObjectURL } = URL;
        URL.createObjectURL = (obj) => {
          const url = createObjectURL(obj);
          blobs.created.push(url);
          return url;
        };
        URL.revokeObjectURL = (url) => {
          blobs.revoked.push(url);
          revokeObjectURL(url);
        };
        try {
          const before = workerConstructions;
          const pool = new WorkerPool({ workerUrl: tasks, maxWorkers: 2 });
          const echoes = await within(
            Promise.all([pool.run('echo', 'a'), pool.run('echo', 'b'), pool.run('echo', 'c')]),
            10000,
            'tasks on a cross-origin worker module',
          );
          const result = {
            echoes,
            workerUrl: pool.workerUrl,
            constructed: workerConstructions - before,
            createdWhileRunning: blobs.created.length,
          };
          pool.terminate();
          result.revoked = blobs.revoked.length === 1 && blobs.revoked[0] === blobs.created[0];
          const broken = new WorkerPool({ workerUrl: missing, maxWorkers: 1 });
          result.missing = await within(
            outcome(broken.run('echo', 1)),
            10000,
            'run() on a missing cross-origin module',
          );
          broken.terminate();
          result.blobsLeft = blobs.created.filter((u) => !blobs.revoked.includes(u)).length;
          return result;
        } finally {
          URL.createObjectURL = createObjectURL;
          URL.revokeObjectURL = revokeObjectURL;
        }
      },
      { tasks: `${cdn.url}${TASKS}`, missing: `${cdn.url}/test/browser/fixtures/no-such-module.js` },
    );
    expect(r.echoes).toEqual(['a', 'b', 'c']);
    expect(r.workerUrl).toBe(`${cdn.url}${TASKS}`); // the pool still names the real module
    expect(r.constructed).toBe(2);
    expect(r.createdWhileRunning).toBe(1); // one blob module for the pool, not one per worker
    expect(r.revoked).toBe(true);
    expect(r.missing).toMatchObject({ ok: false, code: 'BOOTSTRAP_FAILED' });
    expect(r.missing.message).toContain(`${cdn.url}/test/browser/fixtures/no-such-module.js`);
    expect(r.missing.message).toMatch(/HTTP 404/);
    expect(r.blobsLeft).toBe(0);
    expect(cdn.requests).toContain(TASKS);
  } finally {
    await cdn.close();
    b.errors.length = 0; // the deliberate 404 is logged by the browser
  }
});

test('beyond maxQueue waiting tasks, run() rejects with QueueFullError at once', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, QueueFullError } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, maxQueue: 3 });
    await pool.init();
    const accepted = [outcome(pool.run('sleep', 200))]; // runs
    for (let i = 0; i < 3; i++) accepted.push(outcome(pool.run('echo', i))); // wait
    const stats = pool.stats();
    let error;
    await pool.run('echo', 99).catch((e) => {
      error = e;
    });
    const results = await Promise.all(accepted);
    const afterDrain = await pool.run('echo', 'room again');
    pool.terminate();
    return {
      stats: [stats.activeTasks, stats.queuedTasks],
      full: [error.name, error.code, error instanceof QueueFullError, error.message],
      results: results.map((x) => x.value),
      afterDrain,
    };
  }, TASKS);
  expect(r.stats).toEqual([1, 3]);
  expect(r.full.slice(0, 3)).toEqual(['QueueFullError', 'QUEUE_FULL', true]);
  expect(r.full[3]).toMatch(/maxQueue 3/);
  expect(r.results).toEqual([200, 0, 1, 2]);
  expect(r.afterDrain).toBe('room again');
});

test('an idle pool keeps no timer: the sweep ticks only while tasks are active, and idle workers above minWorkers are reaped', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const baseline = liveTimers.size;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 2, sweepIntervalMs: 20 });
    await pool.init();
    const idleAfterInit = [pool.stats().timers, liveTimers.size - baseline];
    const running = pool.run('sleep', 300);
    await sleep(100);
    const busy = [pool.stats().timers, liveTimers.size - baseline];
    await running;
    const ticksAtIdle = intervalFires;
    const idleTimersLeft = await idleTimers(pool);
    const ticksToStop = intervalFires - ticksAtIdle;
    const idle = [idleTimersLeft, liveTimers.size - baseline];
    const firesAtIdle = intervalFires;
    await sleep(300);
    const firesLater = intervalFires;
    pool.terminate();

    // idleTimeoutMs: workers above minWorkers go after being idle that long.
    // 1 s: the two 100 ms tasks end far closer together than that, even on a
    // loaded machine, so both workers are still there when both are idle.
    const reaper = new WorkerPool({ workerUrl: url, minWorkers: 1, maxWorkers: 2, idleTimeoutMs: 1000 });
    await Promise.all([reaper.run('sleep', 100), reaper.run('sleep', 100)]);
    const justIdle = reaper.stats();
    // The reaping is the pool's idle timer; the 20 s guard only keeps a broken pool from hanging the test.
    const guard = performance.now() + 20000;
    while (reaper.stats().workers > 1 && performance.now() < guard) await sleep(20);
    const reaped = reaper.stats();
    const reapedTimers = await idleTimers(reaper);
    const again = await reaper.run('echo', 'ok');
    reaper.terminate();
    return {
      idleAfterInit,
      busy,
      idle,
      ticksToStop,
      ticksWhileIdle: firesLater - firesAtIdle,
      justIdle,
      reaped,
      reapedTimers,
      again,
    };
  }, TASKS);
  expect(r.idleAfterInit).toEqual([0, 0]);
  expect(r.busy[0]).toBe(2); // the task's timeout and the sweep
  expect(r.busy[1]).toBe(2);
  expect(r.idle).toEqual([0, 0]);
  expect(r.ticksToStop).toBeLessThanOrEqual(1); // the first tick that found the pool idle stopped the sweep
  expect(r.ticksWhileIdle).toBe(0);
  expect(r.justIdle).toMatchObject({ workers: 2, idleWorkers: 2 });
  expect(r.justIdle.timers).toBeGreaterThanOrEqual(1);
  expect(r.reaped).toMatchObject({ workers: 1 });
  expect(r.reapedTimers).toBe(0); // idle timers gone at once, the sweep after one tick
  expect(r.again).toBe('ok');
});

test('the sweep times out a running task whose own timer never fired', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, taskTimeoutMs: 777, sweepIntervalMs: 100 });
    await pool.init();
    globalThis.swallowDelay = 777; // the task's timeout timer is lost
    try {
      const hang = outcome(pool.run('hang'));
      const result = await Promise.race([hang, sleep(5000).then(() => ({ code: 'not swept' }))]);
      const next = result.code === 'TIMEOUT' ? await pool.run('echo', 'after sweep') : null;
      return {
        result: [result.name, result.code],
        stats: pool.stats(),
        next,
        timersWhenIdle: await idleTimers(pool),
      };
    } finally {
      globalThis.swallowDelay = -1;
      pool.terminate();
    }
  }, TASKS);
  expect(r.result).toEqual(['TimeoutError', 'TIMEOUT']);
  expect(r.stats).toMatchObject({ sweptTasks: 1, timedOutTasks: 1, listeners: 0 });
  expect(r.timersWhenIdle).toBe(0); // after one sweep tick
  expect(r.next).toBe('after sweep');
});

test('progress reaches onProgress, and BufferPool buffers ping-pong through a task by transfer', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, BufferPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1 });
    const seen = [];
    const progressResult = await pool.run('progress', 5, { onProgress: (v) => seen.push(v) });

    const buffers = new BufferPool({ length: 1024, maxBuffers: 4 });
    let wrong = 0;
    let detachedOnSend = 0;
    for (let round = 0; round < 20; round++) {
      const buf = buffers.acquire();
      buf.fill(round);
      const out = await pool.run('double', buf, { transfer: [buf.buffer] });
      if (buf.buffer.byteLength === 0) detachedOnSend++;
      if (!(out instanceof Float32Array) || out.length !== 1024 || out.some((x) => x !== round * 2)) wrong++;
      buffers.release(out);
    }
    // A task that has to wait still detaches its transfers before run() returns.
    const busy = pool.run('sleep', 100);
    const waiting = buffers.acquire();
    waiting.fill(3);
    const queuedRun = pool.run('double', waiting, { transfer: [waiting.buffer] });
    const detachedWhileQueued = waiting.buffer.byteLength === 0 && pool.stats().queuedTasks === 1;
    await busy;
    const queuedOut = await queuedRun;
    pool.terminate();
    return {
      seen,
      progressResult,
      wrong,
      detachedOnSend,
      stats: buffers.stats(),
      detachedWhileQueued,
      queuedOut: [queuedOut[0], queuedOut.length],
    };
  }, TASKS);
  expect(r.seen).toEqual([1, 2, 3, 4, 5]);
  expect(r.progressResult).toBe(5);
  expect(r.wrong).toBe(0);
  expect(r.detachedOnSend).toBe(20);
  expect(r.stats).toEqual({ pooled: 0, created: 1, reused: 20, dropped: 0 });
  expect(r.detachedWhileQueued).toBe(true);
  expect(r.queuedOut).toEqual([6, 1024]);
});

test('bad options and arguments are refused naming the option and its range; the page stays clean', async () => {
  const r = await b.page.evaluate(async () => {
    const { WorkerPool } = globalThis.ringlet;
    const make = (o) => {
      try {
        new WorkerPool(o);
        return 'made';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const pool = new WorkerPool();
    const run = async (...args) => {
      try {
        await pool.run(...args);
        return 'resolved';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const result = {
      options: [
        make({ maxWorkers: 0 }),
        make({ minWorkers: 3, maxWorkers: 2 }),
        make({ taskTimeoutMs: '5' }),
        make({ maxQueue: -1 }),
        make({ sweepIntervalMs: 1.5 }),
        make({ idleTimeoutMs: Infinity }),
        make({ workerUrl: 5 }),
        make(null),
      ],
      runs: [
        await run(''),
        await run('echo', 1, { timeoutMs: -1 }),
        await run('echo', 1, { signal: 'no' }),
        await run('echo', 1, { transfer: 'no' }),
      ],
      refused: pool.stats().refusedTasks,
      created: pool.stats().workersCreated,
    };
    pool.terminate();
    return result;
  });
  expect(r.options[0]).toMatch(/^RangeError: .*maxWorkers must be an integer from 1 to 64; got 0/);
  expect(r.options[1]).toMatch(/^RangeError: .*minWorkers \(3\) must not exceed maxWorkers \(2\)/);
  expect(r.options[2]).toMatch(/^TypeError: .*taskTimeoutMs must be an integer from 1 to 2147483647; got string/);
  expect(r.options[3]).toMatch(/^RangeError: .*maxQueue must be an integer from 0 to 16777216/);
  expect(r.options[4]).toMatch(/^RangeError: .*sweepIntervalMs/);
  expect(r.options[5]).toMatch(/^RangeError: .*idleTimeoutMs/);
  expect(r.options[6]).toMatch(/^TypeError: .*workerUrl must be a string or URL/);
  expect(r.options[7]).toMatch(/^TypeError: .*options must be an object/);
  expect(r.runs[0]).toMatch(/^TypeError: .*name must be a non-empty string/);
  expect(r.runs[1]).toMatch(/^RangeError: .*timeoutMs/);
  expect(r.runs[2]).toMatch(/^TypeError: .*signal must be an AbortSignal/);
  expect(r.runs[3]).toMatch(/^TypeError: .*transfer must be an array/);
  expect(r.refused).toBe(4);
  expect(r.created).toBe(0); // refusals never start the pool
  expect(b.errors).toEqual([]);
});
