// WorkerPool when its workers misbehave after they started, in real Chromium
// with real module Workers: a crash loop ends in the 'failed' state and
// starts nothing more until the user calls init() or run() again; a pool
// that could not replace a worker refills once init() or run() is called
// again; a task that waits for an earlier task (renderOffline's segments)
// starts its clock when that task ends, not while it waits; and terminate()
// leaves nothing behind, counted by the pool itself.
//
// Assertions count events (workers constructed, crashes, outcomes), not
// time. Where a test needs a task to take long, the task sleeps for a fixed
// time, and the timeouts leave wide margins on either side of it.
/* global workerConstructions, outcome, within, sleep, until -- the page's helpers, set up in beforeAll */
import { afterAll, beforeAll, expect, jest } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openBrowser, test } from './harness.js';

const TASKS = '/test/browser/fixtures/pool-tasks.js';
const CRASH_AFTER_READY = '/test/browser/fixtures/pool-crash-after-ready.js';
const CHAIN_TASKS = '/test/browser/fixtures/pool-chain.js';
const SLOW_RENDER = '/test/browser/fixtures/pool-slow-render.js';
const OTHER_VERSION = '/test/browser/fixtures/pool-other-version.js';
// Written and removed by the tests, to make a URL that loads, then 404s, then loads again.
const LATE_DIR = fileURLToPath(new URL('../../build/test-pool-faults/', import.meta.url));
const LATE_NAME = `late-${process.pid}-${Date.now()}.js`;
const LATE_PATH = `${LATE_DIR}${LATE_NAME}`;
const LATE_URL = `/build/test-pool-faults/${LATE_NAME}`;

// A pool bug tends to hang a promise or loop: fail in seconds, not at Jest's default.
jest.setTimeout(45000);

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
  await b.page.evaluate(async () => {
    const g = globalThis;
    // Count every Worker construction, independently of the pool's own stats.
    const OriginalWorker = Worker;
    g.workerConstructions = 0;
    g.Worker = class extends OriginalWorker {
      constructor(...args) {
        g.workerConstructions += 1;
        super(...args);
      }
    };
    g.outcome = (p) =>
      p.then(
        (value) => ({ ok: true, value }),
        (e) => ({
          ok: false,
          name: e?.name,
          code: e?.code,
          message: String(e?.message),
          isPoolError: e instanceof g.ringlet.WorkerPoolError,
        }),
      );
    g.sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // Rejects, naming what hung, if `p` is still pending after `ms`.
    g.within = (p, ms, what) =>
      Promise.race([
        p,
        g.sleep(ms).then(() => {
          throw new Error(`${what}: still pending after ${ms} ms`);
        }),
      ]);
    // Polls until `check()` is true; returns whether it became true within `ms`.
    g.until = async (check, ms) => {
      const t = performance.now();
      while (!check()) {
        if (performance.now() - t > ms) return false;
        await g.sleep(5);
      }
      return true;
    };
    g.ringlet = await import('/dist/ringlet.js');
  });
});

afterAll(async () => {
  rmSync(LATE_PATH, { force: true });
  await b?.close();
});

// ---- crash loops (issue 13, item 10) -----------------------------------------------------

test('workers that crash after ready end in a crash loop: state failed, every waiting task rejected, no new worker until run() is called again', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const before = workerConstructions;
    const pool = new WorkerPool({ workerUrl: url, minWorkers: 1, maxWorkers: 2, maxCrashes: 3 });
    // Tasks that would take 5 s each: every worker crashes 10 ms after ready, long before.
    const tasks = Array.from({ length: 8 }, () => outcome(pool.run('sleep', 5000, { timeoutMs: 20000 })));
    const results = await within(Promise.all(tasks), 15000, 'tasks on a pool whose workers crash');
    const constructed = workerConstructions - before;
    const failed = pool.stats();
    // Nothing happens by itself any more: no worker is started while nobody asks.
    await sleep(500);
    const quiet = { constructed: workerConstructions - before, stats: pool.stats() };
    // The user acts: run() starts workers again, and the loop ends again the same way.
    const again = await within(outcome(pool.run('sleep', 5000, { timeoutMs: 20000 })), 15000, 'run() after the loop');
    // Its task went with the first crash; the pool keeps minWorkers until the loop is seen again.
    const failedAgain = await until(() => pool.state === 'failed', 15000);
    const afterAgain = { failedAgain, constructed: workerConstructions - before, stats: pool.stats() };
    pool.terminate();
    return {
      codes: results.map((x) => x.code),
      messages: results.map((x) => x.message),
      isPoolError: results.every((x) => x.isPoolError),
      constructed,
      failed,
      quiet,
      again,
      afterAgain,
    };
  }, CRASH_AFTER_READY);
  // The tasks that were running when their worker crashed carry its crash; the
  // others, once three crashes came with no task completed, the loop.
  const crashed = r.codes.filter((c) => c === 'WORKER_CRASHED').length;
  const looped = r.codes.filter((c) => c === 'CRASH_LOOP').length;
  expect(crashed + looped).toBe(8);
  expect(crashed).toBeGreaterThanOrEqual(1);
  expect(crashed).toBeLessThanOrEqual(3);
  expect(looped).toBeGreaterThanOrEqual(5);
  expect(r.isPoolError).toBe(true);
  const loopMessage = r.messages[r.codes.indexOf('CRASH_LOOP')];
  expect(loopMessage).toContain('pool-crash-after-ready fixture: crashing after ready');
  expect(loopMessage).toMatch(/3 times in a row/);
  expect(loopMessage).toMatch(/until init\(\) or run\(\) is called again/);
  expect(r.failed).toMatchObject({
    state: 'failed',
    failure: { code: 'CRASH_LOOP' },
    workerCrashes: 3,
    workers: 0,
    activeTasks: 0,
    queuedTasks: 0,
    listeners: 0,
    workerListeners: 0,
    timers: 0,
  });
  // 3 crashed; at most maxWorkers - 1 more were starting or idle when the pool gave up.
  expect(r.constructed).toBeGreaterThanOrEqual(3);
  expect(r.constructed).toBeLessThanOrEqual(4);
  expect(r.failed.workersCreated).toBe(r.constructed);
  expect(r.quiet.constructed).toBe(r.constructed);
  expect(r.quiet.stats).toMatchObject({ state: 'failed', workers: 0, workersCreated: r.constructed });
  expect(r.again).toMatchObject({ ok: false });
  expect(['WORKER_CRASHED', 'CRASH_LOOP']).toContain(r.again.code);
  expect(r.afterAgain.failedAgain).toBe(true);
  expect(r.afterAgain.stats).toMatchObject({ state: 'failed', workers: 0, workerCrashes: 6, timers: 0 });
  expect(r.afterAgain.constructed - r.constructed).toBeGreaterThanOrEqual(3);
  expect(r.afterAgain.constructed - r.constructed).toBeLessThanOrEqual(4);
  b.errors.length = 0;
});

test('an idle pool (minWorkers 1) whose worker crashes after ready stops respawning after maxCrashes; init() again starts it again', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    // No task at all: the pool itself keeps one worker alive, and each one crashes.
    const pool = new WorkerPool({ workerUrl: url, minWorkers: 1, maxWorkers: 1, maxCrashes: 4 });
    const before = workerConstructions;
    const init = await within(outcome(pool.init()), 15000, 'init() with minWorkers 1');
    const failedInTime = await until(() => pool.state === 'failed', 15000);
    const constructed = workerConstructions - before;
    await sleep(500);
    const quiet = workerConstructions - before;
    const stats = pool.stats();
    const initAgain = pool.init();
    const restarted = pool.stats().state;
    const second = await within(outcome(initAgain), 15000, 'init() again');
    const failedAgain = await until(() => pool.state === 'failed', 15000);
    const total = workerConstructions - before;
    pool.terminate();
    return { init, failedInTime, constructed, quiet, stats, restarted, second, failedAgain, total };
  }, CRASH_AFTER_READY);
  expect(r.init).toMatchObject({ ok: true });
  expect(r.failedInTime).toBe(true);
  expect(r.constructed).toBe(4); // one per crash, then none
  expect(r.quiet).toBe(4);
  expect(r.stats).toMatchObject({
    state: 'failed',
    failure: { code: 'CRASH_LOOP' },
    workerCrashes: 4,
    crashStreak: 4,
    workers: 0,
    timers: 0,
    workerListeners: 0,
  });
  expect(r.stats.failure.message).toMatch(/4 times in a row/);
  expect(r.restarted).toBe('initializing');
  expect(r.second).toMatchObject({ ok: true });
  expect(r.failedAgain).toBe(true);
  expect(r.total).toBe(8);
  b.errors.length = 0;
});

test('a worker of another ringlet version fails the start at once: another start would fail the same way', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, VERSION } = globalThis.ringlet;
    const before = workerConstructions;
    const pool = new WorkerPool({ workerUrl: url, maxWorkers: 1, maxStartFailures: 5 });
    const [init, task] = await within(
      Promise.all([outcome(pool.init()), outcome(pool.run('echo', 1))]),
      10000,
      'init() on a worker of another version',
    );
    const result = { init, task, constructed: workerConstructions - before, stats: pool.stats(), VERSION };
    // The user acts: one more attempt, not five.
    result.again = await within(outcome(pool.run('echo', 2)), 10000, 'run() again');
    result.total = workerConstructions - before;
    pool.terminate();
    return result;
  }, OTHER_VERSION);
  expect(r.init).toMatchObject({ ok: false, code: 'BOOTSTRAP_FAILED' });
  expect(r.init.message).toContain(`version 9.9.9, this page's ringlet is ${r.VERSION}`);
  expect(r.init.message).toMatch(/another start would fail the same way/);
  expect(r.task).toMatchObject({ ok: false, code: 'BOOTSTRAP_FAILED' });
  expect(r.constructed).toBe(1);
  expect(r.stats).toMatchObject({ state: 'failed', failure: { code: 'BOOTSTRAP_FAILED' }, workers: 0, timers: 0 });
  expect(r.again).toMatchObject({ ok: false, code: 'BOOTSTRAP_FAILED' });
  expect(r.total).toBe(2);
});

// ---- a pool that could not replace a worker (item 11) --------------------------------------

test('a pool left short of workers by start failures refills once init() or run() is called again', async () => {
  mkdirSync(LATE_DIR, { recursive: true });
  writeFileSync(LATE_PATH, `import '${TASKS}';\n`);
  await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, minWorkers: 2, maxWorkers: 2, maxStartFailures: 2 });
    globalThis.shortPool = pool;
    await within(pool.init(), 10000, 'init()');
  }, LATE_URL);

  // Breaks the pool: the script goes missing and one worker exits; its
  // replacements 404 twice, so the pool gives up replacing it and serves on one.
  const breakIt = async () => {
    rmSync(LATE_PATH);
    const broken = await b.page.evaluate(async () => {
      const pool = globalThis.shortPool;
      const exit = await within(outcome(pool.run('exit', null, { timeoutMs: 10000 })), 10000, 'exit');
      const settled = await until(() => {
        const s = pool.stats();
        return s.startFailures === 2 && s.startingWorkers === 0;
      }, 10000);
      // No run() here: any run() on a pool left short tries again to start workers.
      return { exit: exit.code, settled, stats: pool.stats() };
    });
    writeFileSync(LATE_PATH, `import '${TASKS}';\n`);
    return broken;
  };

  const first = await breakIt();
  expect(first).toMatchObject({ exit: 'WORKER_CRASHED', settled: true });
  expect(first.stats).toMatchObject({ state: 'ready', workers: 1, startFailures: 2 });

  // The script is back. init() again refills the pool to minWorkers.
  const viaInit = await b.page.evaluate(async () => {
    const pool = globalThis.shortPool;
    const created = pool.stats().workersCreated;
    await within(pool.init(), 10000, 'init() again');
    const refilled = await until(() => pool.stats().idleWorkers === 2, 10000);
    return { refilled, stats: pool.stats(), started: pool.stats().workersCreated - created };
  });
  expect(viaInit).toMatchObject({ refilled: true, started: 1 });
  expect(viaInit.stats).toMatchObject({ state: 'ready', workers: 2, startFailures: 0 });

  const second = await breakIt();
  expect(second.stats).toMatchObject({ state: 'ready', workers: 1, startFailures: 2 });

  // Again, now through run(): two tasks at once get two workers.
  const viaRun = await b.page.evaluate(async () => {
    const pool = globalThis.shortPool;
    const created = pool.stats().workersCreated;
    await within(Promise.all([pool.run('sleep', 200), pool.run('whoami')]), 10000, 'run() on a pool left short');
    const refilled = await until(() => pool.stats().idleWorkers === 2, 10000);
    const result = { refilled, stats: pool.stats(), started: pool.stats().workersCreated - created };
    pool.terminate();
    return result;
  });
  expect(viaRun).toMatchObject({ refilled: true, started: 1 });
  expect(viaRun.stats).toMatchObject({ state: 'ready', workers: 2, startFailures: 0 });
  b.errors.length = 0; // the deliberate 404s are logged by the browser
});

// ---- the clock of a task that waits for another (item 12) ----------------------------------

test('a task that waits for an earlier one (waitsFor) starts its clock when that task ends, not while it waits', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, minWorkers: 2, maxWorkers: 2 });
    await pool.init();
    const channel = new MessageChannel();
    // 'handOff' works 3000 ms, then hands over; 'takeOver' then needs a moment.
    // Its 1500 ms timeout fits what it does, not the 3000 ms it waits.
    const first = pool.run(
      'handOff',
      { ms: 3000, port: channel.port1 },
      { transfer: [channel.port1], timeoutMs: 20000 },
    );
    const second = pool.run(
      'takeOver',
      { port: channel.port2 },
      {
        transfer: [channel.port2],
        timeoutMs: 1500,
        waitsFor: first,
      },
    );
    const during = pool.stats();
    const results = await within(Promise.all([outcome(first), outcome(second)]), 15000, 'the two tasks');

    // waitsFor must name a task of this pool: anything else is refused, and nothing is queued.
    const other = new WorkerPool({ workerUrl: url });
    const refusals = [
      await outcome(pool.run('echo', 1, { waitsFor: Promise.resolve() })),
      await outcome(pool.run('echo', 1, { waitsFor: other.run('echo', 1) })),
      await outcome(pool.run('echo', 1, { waitsFor: 5 })),
    ];
    other.terminate();
    // A promise of a task that already ended, or of a refused run(), waits for nothing.
    const ended = pool.run('echo', 'ended');
    await ended;
    const refused = pool.run('');
    refused.catch(() => {});
    const afterEnded = await outcome(pool.run('echo', 'after', { waitsFor: ended }));
    const afterRefused = await outcome(pool.run('echo', 'after refused', { waitsFor: refused.then(() => 0) }));
    const afterRefusedItself = await outcome(pool.run('echo', 'after refused', { waitsFor: refused }));
    const stats = pool.stats();
    pool.terminate();
    return { during, results, refusals, afterEnded, afterRefused, afterRefusedItself, stats };
  }, CHAIN_TASKS);
  expect(r.during).toMatchObject({ activeTasks: 2, waitingTasks: 1 });
  expect(r.results).toEqual([
    { ok: true, value: 3000 },
    { ok: true, value: 'handed over after 3000 ms' },
  ]);
  for (const refusal of r.refusals) {
    expect(refusal).toMatchObject({ ok: false, name: 'TypeError' });
    expect(refusal.message).toMatch(/waitsFor must be a promise that run\(\) on this pool returned/);
  }
  expect(r.afterEnded).toEqual({ ok: true, value: 'after' });
  expect(r.afterRefused).toMatchObject({ ok: false, name: 'TypeError' }); // a derived promise is not run()'s
  expect(r.afterRefusedItself).toEqual({ ok: true, value: 'after refused' });
  expect(r.stats).toMatchObject({ activeTasks: 0, waitingTasks: 0, timedOutTasks: 0, listeners: 0 });
});

test('renderOffline with pipeline 3 and a timeoutMs that fits one segment: no segment times out while it waits for the state of the ones before it', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool, renderOffline } = globalThis.ringlet;
    // Each segment of this worker module works at least 1500 ms once its
    // input is complete (see the fixture). With pipeline 3 the third segment
    // is handed out with the first, so it waits 3000 ms or more for the state
    // of the two before it. A 4000 ms timeout fits one segment's work with
    // room to spare, but not its wait plus its work.
    const pool = new WorkerPool({ workerUrl: url, minWorkers: 3, maxWorkers: 3 });
    await pool.init();
    const sampleRate = 48000;
    const channels = [new Float32Array(3 * 4096), new Float32Array(3 * 4096)];
    channels.forEach((x, c) => x.forEach((_, i) => (x[i] = Math.sin(i / (20 + c)))));
    const reference = await pool.run('render', { channels: channels.map((x) => x.slice()), sampleRate });
    const segments = [];
    const out = await within(
      outcome(
        renderOffline({ channels, sampleRate }, undefined, {
          pool,
          segmentFrames: 4096,
          pipeline: 3,
          timeoutMs: 4000,
          onSegment: (s) => segments.push([s.index, s.restored]),
        }),
      ),
      30000,
      'renderOffline',
    );
    const same =
      out.ok && out.value.channels.every((x, c) => x.every((v, i) => Object.is(v, reference.channels[c][i])));
    const stats = pool.stats();
    pool.terminate();
    return { out: out.ok ? 'ok' : [out.name, out.code, out.message], same, segments, stats };
  }, SLOW_RENDER);
  expect(r.out).toBe('ok');
  expect(r.same).toBe(true);
  expect(r.segments).toEqual([
    [0, false],
    [1, true],
    [2, true],
  ]);
  expect(r.stats).toMatchObject({ timedOutTasks: 0, activeTasks: 0, waitingTasks: 0, listeners: 0 });
});

// ---- nothing left behind ------------------------------------------------------------------

test('terminate() leaves zero timers, listeners and pending waits, as the pool counts them', async () => {
  const r = await b.page.evaluate(async (url) => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ workerUrl: url, minWorkers: 2, maxWorkers: 4, idleTimeoutMs: 60000 });
    await pool.init();
    const controller = new AbortController();
    const signal = controller.signal;
    const first = pool.run('sleep', 4000, { signal });
    const tasks = [
      outcome(pool.run('hang', null, { signal })),
      outcome(pool.run('sleep', 5000, { signal })),
      outcome(first),
      outcome(pool.run('sleep', 10, { signal, waitsFor: first })), // on a worker, its clock not started
    ];
    for (let i = 0; i < 3; i++) tasks.push(outcome(pool.run('echo', i, { signal }))); // queued
    await until(() => pool.stats().busyWorkers === 4, 10000);
    const during = pool.stats();
    pool.terminate();
    const atTerminate = pool.stats();
    // The Web Locks requests that watch the workers end when the browser has
    // dropped them: a round trip, not a timer.
    const settled = await until(() => pool.stats().pendingWaits === 0, 5000);
    const results = await within(Promise.all(tasks), 5000, 'tasks after terminate()');
    return { during, atTerminate, settled, after: pool.stats(), codes: results.map((x) => x.code) };
  }, TASKS);
  expect(r.during).toMatchObject({ busyWorkers: 4, waitingTasks: 1, queuedTasks: 3 });
  expect(r.during.pendingWaits).toBeGreaterThanOrEqual(4); // one exit watch per ready worker
  expect(r.during.timers).toBeGreaterThanOrEqual(2);
  expect(r.during.listeners).toBeGreaterThanOrEqual(3);
  expect(r.atTerminate).toMatchObject({ timers: 0, listeners: 0, workerListeners: 0, workers: 0 });
  expect(r.settled).toBe(true);
  expect(r.after).toMatchObject({
    state: 'terminated',
    timers: 0,
    listeners: 0,
    workerListeners: 0,
    pendingWaits: 0,
    activeTasks: 0,
    waitingTasks: 0,
    queuedTasks: 0,
  });
  expect(r.codes).toEqual(Array(7).fill('TERMINATED'));
});
