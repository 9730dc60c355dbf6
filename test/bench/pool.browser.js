// ringlet's WorkerPool against workerpool (the npm package; its version is
// printed) in one headless Chromium run, same page, trials interleaved:
// - init: a fresh 1-worker pool, from construction to its first empty task's result;
// - round trip: one empty task at a time, after a warm-up;
// - throughput: 10,000 empty tasks, 500 in flight, 2 workers;
// - render: 1 s stereo render tasks at 48 kHz (transferred both ways), 2
//   workers. workerpool's worker (test/bench/workerpool-worker.js) calls
//   ringlet's own built-in 'render' on the same wasm, so only the pool
//   mechanics differ; the outputs are checked equal;
// - memory: the page's JS heap (CDP, after forced GC) before and after
//   10,000 empty tasks.
// Each phase starts after a forced GC. Not a test: figures only; it fails
// only if a pool fails or the renders differ.
// Run: node test/bench/pool.browser.js (after npm run build). Prints a table
// and, last, a JSON summary line.
/* global makePool, renderPayload -- the page's helpers, set up in main() */
import { readFileSync } from 'node:fs';
import { openBrowser } from '../browser/harness.js';

const WORKERPOOL_VERSION = JSON.parse(
  readFileSync(new URL('../../node_modules/workerpool/package.json', import.meta.url), 'utf8'),
).version;
const TRIALS = Number(process.env.POOL_BENCH_TRIALS ?? 5);
const KINDS = /** @type {const} */ (['ringlet', 'workerpool']);

const b = await openBrowser();
const cdp = await b.cdp();

async function heapUsed() {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

try {
  await /** @type {import('playwright-core').Page} */ (b.page.raw).addScriptTag({
    url: '/node_modules/workerpool/dist/workerpool.js',
  });
  await b.page.evaluate(async () => {
    const g = globalThis;
    g.ringlet = await import('/dist/ringlet.js');
    /** One interface over both pools. */
    g.makePool = (kind, workers) => {
      if (kind === 'ringlet') {
        const pool = new g.ringlet.WorkerPool({ minWorkers: workers, maxWorkers: workers, maxQueue: 100000 });
        return {
          run: (name, payload, transfer = []) => pool.run(name, payload, { transfer }),
          close: () => pool.terminate(),
        };
      }
      const pool = g.workerpool.pool('/test/bench/workerpool-worker.js', {
        minWorkers: workers,
        maxWorkers: workers,
        workerType: 'web',
      });
      return {
        run: (name, payload, transfer = []) => pool.exec(name, [payload], { transfer }),
        close: () => pool.terminate(true),
      };
    };
    g.input = (() => {
      const frames = 48000;
      let seed = 1;
      const planes = [new Float32Array(frames), new Float32Array(frames)];
      for (let i = 0; i < frames; i++) {
        seed = (seed * 1664525 + 1013904223) >>> 0;
        const v = 0.6 * Math.sin((2 * Math.PI * 440 * i) / 48000) + 0.3 * (seed / 2 ** 32 - 0.5);
        planes[0][i] = v;
        planes[1][i] = -v;
      }
      return planes;
    })();
    g.CHAIN = {
      gain: 1.5,
      eq: {
        bands: [
          { type: 'lowshelf', frequency: 100, gainDb: 6 },
          { type: 'peaking', frequency: 2000, q: 1, gainDb: -4 },
        ],
      },
      limiter: { ceilingDb: -1, releaseMs: 200 },
    };
    g.renderPayload = () => {
      const channels = g.input.map((p) => new Float32Array(p));
      return { payload: { channels, sampleRate: 48000, chain: g.CHAIN }, transfer: channels.map((c) => c.buffer) };
    };
  });

  const trial = {
    init: (kind) =>
      b.page.evaluate(async (kind) => {
        const t = performance.now();
        const pool = makePool(kind, 1);
        await pool.run('echo', 0);
        const ms = performance.now() - t;
        await pool.close();
        return ms;
      }, kind),
    roundTrip: (kind) =>
      b.page.evaluate(async (kind) => {
        const pool = makePool(kind, 1);
        for (let i = 0; i < 300; i++) await pool.run('echo', i);
        const n = 2000;
        const t = performance.now();
        for (let i = 0; i < n; i++) await pool.run('echo', i);
        const us = ((performance.now() - t) / n) * 1000;
        await pool.close();
        return us;
      }, kind),
    throughput: (kind) =>
      b.page.evaluate(async (kind) => {
        const pool = makePool(kind, 2);
        const batch = async (total) => {
          for (let start = 0; start < total; start += 500) {
            const tasks = [];
            for (let i = 0; i < 500; i++) tasks.push(pool.run('echo', start + i));
            await Promise.all(tasks);
          }
        };
        await batch(1000);
        const t = performance.now();
        await batch(10000);
        const perSecond = 10000 / ((performance.now() - t) / 1000);
        await pool.close();
        return perSecond;
      }, kind),
    render: (kind) =>
      b.page.evaluate(async (kind) => {
        const pool = makePool(kind, 2);
        const one = async () => {
          const { payload, transfer } = renderPayload();
          return pool.run('render', payload, transfer);
        };
        // Warm-up: both workers load and instantiate the wasm.
        const first = await Promise.all([one(), one()]);
        const n = 40;
        const t = performance.now();
        await Promise.all(Array.from({ length: n }, one));
        const ms = performance.now() - t;
        await pool.close();
        return {
          tasksPerSecond: n / (ms / 1000),
          msPerTask: ms / n,
          sample: Array.from(first[0].channels[0].subarray(1000, 1016)),
        };
      }, kind),
  };

  /** @type {Record<string, Record<string, number[]>>} */
  const results = {
    init: { ringlet: [], workerpool: [] },
    roundTrip: { ringlet: [], workerpool: [] },
    throughput: { ringlet: [], workerpool: [] },
    render: { ringlet: [], workerpool: [] },
  };
  /** @type {Record<string, number[]>} */
  const renderSamples = {};
  for (let i = 0; i < TRIALS; i++) {
    // Alternate which pool goes first, so neither always runs on a warmer page.
    const order = i % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of order) {
      // A forced GC before each phase, so no phase pays for the garbage of the one before.
      await heapUsed();
      results.init[kind].push(await trial.init(kind));
      await heapUsed();
      results.roundTrip[kind].push(await trial.roundTrip(kind));
      await heapUsed();
      results.throughput[kind].push(await trial.throughput(kind));
      await heapUsed();
      const r = await trial.render(kind);
      results.render[kind].push(r.msPerTask);
      renderSamples[kind] = r.sample;
    }
  }
  const sameRender = JSON.stringify(renderSamples.ringlet) === JSON.stringify(renderSamples.workerpool);

  // Memory: heap growth across 10,000 empty tasks (500 in flight), after a warm-up.
  /** @type {Record<string, { growthKiB: number, afterTerminateKiB: number }>} */
  const memory = {};
  for (const kind of KINDS) {
    await b.page.evaluate(async (kind) => {
      globalThis.memPool = makePool(kind, 2);
      globalThis.memBatch = async (total) => {
        for (let start = 0; start < total; start += 500) {
          const tasks = [];
          for (let i = 0; i < 500; i++) tasks.push(globalThis.memPool.run('echo', start + i));
          await Promise.all(tasks);
        }
      };
      await globalThis.memBatch(2000);
    }, kind);
    const before = await heapUsed();
    await b.page.evaluate(() => globalThis.memBatch(10000));
    const after = await heapUsed();
    await b.page.evaluate(async () => {
      await globalThis.memPool.close();
      delete globalThis.memPool;
    });
    const terminated = await heapUsed();
    memory[kind] = { growthKiB: (after - before) / 1024, afterTerminateKiB: (terminated - before) / 1024 };
  }

  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const summary = { trials: TRIALS, sameRender };
  for (const kind of KINDS) {
    summary[kind] = {
      initMs: median(results.init[kind]),
      roundTripUs: median(results.roundTrip[kind]),
      emptyTasksPerSecond: median(results.throughput[kind]),
      renderMsPerTask: median(results.render[kind]),
      renderTasksPerSecond: 1000 / median(results.render[kind]),
      heapGrowthKiBPer10kTasks: memory[kind].growthKiB,
    };
  }
  summary.ratios = {
    roundTrip: summary.ringlet.roundTripUs / summary.workerpool.roundTripUs,
    emptyThroughput: summary.ringlet.emptyTasksPerSecond / summary.workerpool.emptyTasksPerSecond,
    renderTime: summary.ringlet.renderMsPerTask / summary.workerpool.renderMsPerTask,
    init: summary.ringlet.initMs / summary.workerpool.initMs,
  };

  console.log(
    `pool bench: ringlet WorkerPool vs workerpool ${WORKERPOOL_VERSION}, headless Chromium, ${TRIALS} interleaved trials, medians`,
  );
  const row = (label, f) => console.log(`${label.padEnd(34)} ${KINDS.map((k) => `${k} ${f(summary[k])}`).join('   ')}`);
  row('init (new pool -> first result)', (s) => `${s.initMs.toFixed(1)} ms`);
  row('round trip, empty task', (s) => `${s.roundTripUs.toFixed(1)} µs`);
  row('throughput, empty, 500 in flight', (s) => `${Math.round(s.emptyTasksPerSecond)}/s`);
  row('1 s stereo render, 2 workers', (s) => `${s.renderMsPerTask.toFixed(2)} ms/task`);
  row('heap growth over 10,000 tasks', (s) => `${s.heapGrowthKiBPer10kTasks.toFixed(1)} KiB`);
  console.log(`renders identical across pools: ${sameRender}`);
  console.log(JSON.stringify({ bench: 'pool', workerpool: WORKERPOOL_VERSION, summary }));
  if (!sameRender) process.exitCode = 1;
} finally {
  await cdp.detach().catch(() => {});
  await b.close();
}
