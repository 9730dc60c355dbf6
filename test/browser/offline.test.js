// Offline processing in real Chromium with real Workers: the built-in
// 'render' task against a RingletNode in an OfflineAudioContext, renderOffline
// pipelined across workers against a single pass (sample for sample), its
// progress and cancellation, LUFS of the EBU Tech 3341 cases through
// 'analyze', setting validation, a forced trap inside 'render', and a page
// that is not cross-origin isolated.
/* global testSignal, CHAIN, copy, firstDiff, outcome -- the page's helpers, set up in beforeAll */
import { afterAll, beforeAll, expect, jest } from '@jest/globals';
import { openBrowser, test } from './harness.js';

const HOOKS_WASM = '/build/wasm-hooks/ringlet.wasm';

jest.setTimeout(60000);

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
  await b.page.evaluate(async () => {
    const g = globalThis;
    g.ringlet = await import('/dist/ringlet.js');
    // A deterministic test signal that works the whole chain: a 45 Hz tone
    // (long filter memory through the low shelf and high-pass), a 1 kHz tone
    // under a slow 0.3 Hz swell (drives the limiter in and out, with a long
    // release), and noise.
    g.testSignal = (channels, frames, sampleRate, level = 1.2) => {
      let seed = 12345;
      return Array.from({ length: channels }, (_, c) => {
        const x = new Float32Array(frames);
        for (let i = 0; i < frames; i++) {
          seed = (seed * 1664525 + 1013904223) >>> 0;
          const t = i / sampleRate;
          const swell = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.3 * t + c);
          x[i] =
            level *
            (0.35 * Math.sin(2 * Math.PI * 45 * t + c) +
              0.45 * swell * Math.sin(2 * Math.PI * 1000 * t) +
              0.1 * (seed / 2 ** 32 - 0.5));
        }
        return x;
      });
    };
    g.CHAIN = {
      gain: 0.8,
      eq: {
        bands: [
          { type: 'lowshelf', frequency: 120, gainDb: 9 },
          { type: 'highpass', frequency: 30, q: 6 },
          null,
          { type: 'peaking', frequency: 1000, q: 2, gainDb: 6 },
          null,
          { type: 'notch', frequency: 3000, q: 4 },
        ],
      },
      limiter: { ceilingDb: -3, attackMs: 2, releaseMs: 400 },
    };
    g.copy = (planes) => planes.map((p) => new Float32Array(p));
    g.firstDiff = (a, b) => {
      for (let c = 0; c < a.length; c++) {
        if (a[c].length !== b[c].length) return { c, length: [a[c].length, b[c].length] };
        for (let i = 0; i < a[c].length; i++) {
          if (!Object.is(a[c][i], b[c][i])) return { c, i, a: a[c][i], b: b[c][i] };
        }
      }
      return null;
    };
    g.outcome = (p) =>
      p.then(
        (value) => ({ ok: true, value }),
        (e) => ({
          ok: false,
          name: e?.name,
          code: e?.code,
          message: String(e?.message),
          remoteName: e?.remoteName,
          cause: e?.cause === undefined ? undefined : String(e.cause),
        }),
      );
  });
});

afterAll(async () => {
  await b?.close();
});

// The gain is the one setting a node cannot be given identically: chain.gain
// applies exactly from the first sample, while a node's gain AudioParam at a
// constant value (gain.value = g, or setValueAtTime(g, 0), which Chromium
// also hands the worklet as one value per quantum) glides from 1 to g over
// 5 ms, on purpose, so live changes never click. The node therefore keeps
// gain 1 (a bit-exact pass-through) and is fed the input times g, rounded to
// float as the core's gain stage computes it; everything after the gain (EQ,
// limiter) then sees the same samples.
test("'render' equals a RingletNode effect node in an OfflineAudioContext with the same settings, sample for sample", async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode, WorkerPool } = globalThis.ringlet;
    const sampleRate = 48000;
    const frames = sampleRate * 2 + 77; // a short last quantum
    const input = testSignal(2, frames, sampleRate);
    // The node: the same settings through its own API, before rendering.
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate });
    const buffer = ctx.createBuffer(2, frames, sampleRate);
    const g = Math.fround(CHAIN.gain);
    input.forEach((x, c) =>
      buffer.copyToChannel(
        x.map((v) => Math.fround(v * g)),
        c,
      ),
    );
    const source = new AudioBufferSourceNode(ctx, { buffer });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 2 });
    CHAIN.eq.bands.forEach((band, i) => {
      if (band) node.eq.setBand(i, band);
    });
    node.limiter.set(CHAIN.limiter);
    await node.flush(); // on 'message' (no SharedArrayBuffer) writes and settings land after a round trip
    source.connect(node).connect(ctx.destination);
    source.start();
    const rendered = await ctx.startRendering();
    const fromNode = [rendered.getChannelData(0), rendered.getChannelData(1)];

    const pool = new WorkerPool({ maxWorkers: 1 });
    const task = await pool.run('render', { channels: copy(input), sampleRate, chain: CHAIN });
    pool.terminate();
    const peak = Math.max(...fromNode.map((x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    const inputPeak = Math.max(...input.map((x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    let changed = 0;
    for (let i = 0; i < frames; i++) if (fromNode[0][i] !== input[0][i]) changed++;
    return {
      diff: firstDiff(task.channels, fromNode),
      length: task.channels[0].length,
      frames,
      peak,
      inputPeak,
      ceiling: 10 ** (-3 / 20),
      changed,
      restored: task.restored,
      heapBase: task.heapBase,
    };
  });
  expect(r.length).toBe(r.frames);
  expect(r.diff).toBeNull();
  // The chain did work: most samples changed, and the limiter held a signal well over its ceiling.
  expect(r.changed).toBeGreaterThan(r.frames * 0.99);
  expect(r.inputPeak).toBeGreaterThan(1);
  expect(r.peak).toBeLessThanOrEqual(r.ceiling);
  expect(r.peak).toBeGreaterThan(r.ceiling * 0.99);
  expect(r.restored).toBe(false);
  expect(r.heapBase % 64).toBe(0);
});

test('renderOffline across 3 workers in 15 segments is sample-identical to one pass; the state is handed from worker to worker at one heap base', async () => {
  const r = await b.page.evaluate(async () => {
    const { WorkerPool, renderOffline } = globalThis.ringlet;
    const sampleRate = 48000;
    const frames = 15 * 16384 - 1000; // 15 segments, the last one short and not whole quanta
    const input = testSignal(2, frames, sampleRate);
    const original = copy(input);
    // All three workers up first, so the first segments spread at once.
    const pool = new WorkerPool({ minWorkers: 3, maxWorkers: 3 });
    await pool.init();
    // The reference: one task over the whole buffer.
    const single = await pool.run('render', { channels: copy(input), sampleRate, chain: CHAIN });
    const segments = [];
    const progress = [];
    const out = await renderOffline({ channels: input, sampleRate }, CHAIN, {
      pool,
      segmentFrames: 16384,
      pipeline: 3,
      onSegment: (info) => segments.push(info),
      onProgress: (v) => progress.push(v),
    });
    // What happens without the handoff: every segment from a fresh node.
    const fresh = [new Float32Array(frames), new Float32Array(frames)];
    for (let at = 0; at < frames; at += 16384) {
      const part = input.map((x) => x.slice(at, at + 16384));
      const res = await pool.run('render', { channels: part, sampleRate, chain: CHAIN });
      res.channels.forEach((x, c) => fresh[c].set(x, at));
    }
    const stats = pool.stats();
    pool.terminate();
    const workers = segments.map((s) => s.worker);
    return {
      diff: firstDiff(out.channels, single.channels),
      freshDiff: firstDiff(fresh, single.channels),
      inputUntouched: firstDiff(input, original) === null,
      isPlanar: Array.isArray(out.channels) && out.sampleRate === sampleRate,
      count: segments.length,
      order: segments.map((s) => s.index),
      distinctWorkers: new Set(workers).size,
      workers,
      consecutiveDiffer: workers.every((w, k) => k === 0 || w !== workers[k - 1]),
      restored: segments.map((s) => s.restored),
      heapBases: [...new Set([single.heapBase, ...segments.map((s) => s.heapBase)])],
      stateBytes: segments.map((s) => s.stateBytes),
      progress,
      stats,
    };
  });
  expect(r.diff).toBeNull();
  expect(r.inputUntouched).toBe(true);
  expect(r.isPlanar).toBe(true);
  // The test can fail: fresh nodes per segment do not continue the filters and the limiter.
  expect(r.freshDiff).not.toBeNull();
  expect(r.count).toBe(15);
  expect(r.order).toEqual([...Array(15).keys()]);
  expect(r.distinctWorkers).toBe(3);
  expect(r.consecutiveDiffer).toBe(true);
  expect(r.restored).toEqual([false, ...Array(14).fill(true)]);
  expect(r.heapBases).toHaveLength(1);
  expect(r.stateBytes.slice(0, 14).every((n) => n > 100000)).toBe(true);
  expect(r.stateBytes[14]).toBe(0);
  // Progress: rising, in (0, 1), ending with exactly 1.
  expect(r.progress.length).toBeGreaterThan(5);
  expect(r.progress[r.progress.length - 1]).toBe(1);
  for (let i = 1; i < r.progress.length; i++) expect(r.progress[i]).toBeGreaterThan(r.progress[i - 1]);
  expect(r.progress[0]).toBeGreaterThan(0);
  expect(r.stats).toMatchObject({ activeTasks: 0, queuedTasks: 0, listeners: 0 });
});

test('an AudioBuffer in gives an AudioBuffer out, equal to the planar render; renderOffline works with the default pool', async () => {
  const r = await b.page.evaluate(async () => {
    const { renderOffline, getDefaultRenderPool } = globalThis.ringlet;
    const sampleRate = 44100;
    const frames = 44100;
    const input = testSignal(2, frames, sampleRate);
    const buffer = new AudioBuffer({ numberOfChannels: 2, length: frames, sampleRate });
    input.forEach((x, c) => buffer.copyToChannel(x, c));
    const out = await renderOffline(buffer, CHAIN, { segmentFrames: 8192 });
    const planar = await renderOffline({ channels: input, sampleRate }, CHAIN);
    const pool = getDefaultRenderPool();
    const same = pool === getDefaultRenderPool();
    const stats = pool.stats();
    return {
      isAudioBuffer: out instanceof AudioBuffer,
      shape: [out.numberOfChannels, out.length, out.sampleRate],
      diff: firstDiff([out.getChannelData(0), out.getChannelData(1)], planar.channels),
      same,
      stats,
    };
  });
  expect(r.isAudioBuffer).toBe(true);
  expect(r.shape).toEqual([2, 44100, 44100]);
  expect(r.diff).toBeNull();
  expect(r.same).toBe(true);
  expect(r.stats).toMatchObject({ activeTasks: 0, queuedTasks: 0 });
});

test('renderOffline runs in a Worker too (its own pool of nested workers), with the same result as on the page', async () => {
  const r = await b.page.evaluate(async () => {
    const { renderOffline, WorkerPool } = globalThis.ringlet;
    const sampleRate = 48000;
    const input = testSignal(2, 50000, sampleRate);
    const pool = new WorkerPool({ maxWorkers: 2 });
    const onPage = await renderOffline({ channels: copy(input), sampleRate }, CHAIN, { pool, segmentFrames: 8192 });
    pool.terminate();
    const source = `
      const { renderOffline, WorkerPool } = await import('${location.origin}/dist/ringlet.js');
      self.onmessage = async ({ data }) => {
        const pool = new WorkerPool({ maxWorkers: 2 });
        try {
          const progress = [];
          const out = await renderOffline(data.input, data.chain, { pool, segmentFrames: 8192, onProgress: (v) => progress.push(v) });
          self.postMessage({ channels: out.channels, last: progress[progress.length - 1], isAudioBuffer: typeof AudioBuffer });
        } catch (e) {
          self.postMessage({ error: String(e) });
        } finally {
          pool.terminate();
        }
      };
      self.postMessage('ready');`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    // Bounded, and saying how far it got: a hang fails with its stage, not
    // with Jest's timeout.
    const started = performance.now();
    let stage = 'loading the Worker';
    const reply = await new Promise((resolve, reject) => {
      const bound = setTimeout(
        () => resolve({ error: `no reply after ${Math.round(performance.now() - started)} ms, ${stage}` }),
        50000,
      );
      worker.onerror = (e) => {
        clearTimeout(bound);
        reject(new Error(e.message));
      };
      worker.onmessage = ({ data }) => {
        if (data === 'ready') {
          stage = `rendering (the Worker was ready after ${Math.round(performance.now() - started)} ms)`;
          worker.postMessage({ input: { channels: input, sampleRate }, chain: CHAIN });
        } else {
          clearTimeout(bound);
          resolve(data);
        }
      };
    });
    worker.terminate();
    URL.revokeObjectURL(url);
    return {
      error: reply.error,
      diff: reply.channels ? firstDiff(reply.channels, onPage.channels) : 'none',
      last: reply.last,
      audioBuffer: reply.isAudioBuffer,
    };
  });
  expect(r.error).toBeUndefined();
  expect(r.diff).toBeNull();
  expect(r.last).toBe(1);
  expect(r.audioBuffer).toBe('undefined');
}, 120000);

test('cancelling mid-render rejects with AbortError and leaves no task running; the pool keeps working', async () => {
  const r = await b.page.evaluate(async () => {
    const { WorkerPool, renderOffline, AbortError } = globalThis.ringlet;
    const sampleRate = 48000;
    const frames = sampleRate * 60;
    const input = testSignal(2, frames, sampleRate);
    const pool = new WorkerPool({ maxWorkers: 3 });
    const controller = new AbortController();
    const progress = [];
    let segmentsDone = 0;
    const started = performance.now();
    const result = await outcome(
      renderOffline({ channels: input, sampleRate }, CHAIN, {
        pool,
        signal: controller.signal,
        segmentFrames: 16384,
        pipeline: 3,
        onProgress: (v) => progress.push(v),
        onSegment: () => {
          if (++segmentsDone === 3) controller.abort('user cancelled');
        },
      }),
    );
    const elapsedMs = performance.now() - started;
    const stats = pool.stats();
    // The pool is fine afterwards.
    const after = await renderOffline({ channels: testSignal(2, 4096, sampleRate), sampleRate }, CHAIN, { pool });
    const final = pool.stats();
    pool.terminate();
    let isAbortError = false;
    await renderOffline({ channels: input, sampleRate }, CHAIN, {
      pool: new WorkerPool(),
      signal: AbortSignal.abort('already'),
    }).catch((e) => {
      isAbortError = e instanceof AbortError;
    });
    // A segment that fails (here: times out) fails the render and cancels the segments behind it.
    const failing = new WorkerPool({ maxWorkers: 3 });
    const timedOut = await outcome(
      renderOffline({ channels: input, sampleRate }, CHAIN, {
        pool: failing,
        segmentFrames: 16384,
        pipeline: 3,
        timeoutMs: 5,
      }),
    );
    const failingStats = failing.stats();
    failing.terminate();
    return {
      result,
      segmentsDone,
      elapsedMs,
      stats,
      afterLength: after.channels[0].length,
      final,
      progress,
      isAbortError,
      timedOut,
      failingStats,
    };
  });
  expect(r.result).toMatchObject({ ok: false, name: 'AbortError', code: 'ABORTED', cause: 'user cancelled' });
  expect(r.segmentsDone).toBe(3);
  expect(r.stats).toMatchObject({ activeTasks: 0, queuedTasks: 0, listeners: 0 });
  // The render stopped early: of its 176 segments only a handful ran. (Whether a
  // task was still running to be cancelled depends on timing: workers may have
  // finished segments 4-5 before segment 3's result reached the main thread.)
  expect(r.stats.completedTasks).toBeLessThan(20);
  expect(r.stats.completedTasks + r.stats.cancelledTasks).toBeGreaterThanOrEqual(3);
  expect(r.progress[r.progress.length - 1]).toBeLessThan(1);
  expect(r.afterLength).toBe(4096);
  expect(r.final).toMatchObject({ activeTasks: 0, queuedTasks: 0, listeners: 0 });
  expect(r.isAbortError).toBe(true);
  expect(r.timedOut).toMatchObject({ ok: false, name: 'TimeoutError', code: 'TIMEOUT' });
  expect(r.failingStats).toMatchObject({ activeTasks: 0, queuedTasks: 0, listeners: 0 });
  expect(r.failingStats.timedOutTasks).toBeGreaterThanOrEqual(1);
  expect(r.failingStats.timedOutTasks + r.failingStats.cancelledTasks).toBe(3);
});

test("'analyze' reads the EBU Tech 3341 cases within 0.1 LU, gates silence, and reports peak, RMS and the spectrum", async () => {
  const r = await b.page.evaluate(async () => {
    const { WorkerPool } = globalThis.ringlet;
    const pool = new WorkerPool({ maxWorkers: 2 });
    // "-23 dBFS": each channel's peak amplitude is 10^(-23/20) (Tech 3341, tests 1 and 2).
    const sine = (dbfs, seconds, sampleRate, silenceAfter = 0) => {
      const frames = Math.round(seconds * sampleRate);
      const x = new Float32Array(frames + Math.round(silenceAfter * sampleRate));
      const a = 10 ** (dbfs / 20);
      for (let i = 0; i < frames; i++) x[i] = a * Math.sin((2 * Math.PI * 1000 * i) / sampleRate);
      return [x, new Float32Array(x)];
    };
    const run = (channels, sampleRate) => pool.run('analyze', { channels, sampleRate });
    const cases = {
      test1: await run(sine(-23, 20, 48000), 48000),
      test2: await run(sine(-33, 20, 48000), 48000),
      test1at44k: await run(sine(-23, 20, 44100), 44100),
      withSilence: await run(sine(-23, 20, 48000, 40), 48000),
      silence: await run([new Float32Array(48000), new Float32Array(48000)], 48000),
    };
    pool.terminate();
    const t1 = cases.test1;
    let peakBin = 0;
    for (let k = 1; k < t1.spectrum.length; k++) if (t1.spectrum[k] > t1.spectrum[peakBin]) peakBin = k;
    return {
      lufs: Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, v.lufs])),
      peakDb: t1.peakDb,
      rmsDb: t1.rmsDb,
      fftSize: t1.fftSize,
      bins: t1.spectrum.length,
      isFloat32: t1.spectrum instanceof Float32Array,
      peakBin,
      peakBinDb: t1.spectrum[peakBin],
      farBinDb: t1.spectrum[700],
      silence: [cases.silence.peakDb, cases.silence.rmsDb],
    };
  });
  console.log(`analyze LUFS: ${JSON.stringify(r.lufs)}`);
  expect(Math.abs(r.lufs.test1 - -23)).toBeLessThanOrEqual(0.1);
  expect(Math.abs(r.lufs.test2 - -33)).toBeLessThanOrEqual(0.1);
  expect(Math.abs(r.lufs.test1at44k - -23)).toBeLessThanOrEqual(0.1);
  expect(Math.abs(r.lufs.withSilence - r.lufs.test1)).toBeLessThan(0.05); // the gate drops the silence
  expect(r.lufs.silence).toBe(-Infinity);
  expect(r.peakDb).toBeCloseTo(-23, 4); // 1 kHz at 48 kHz puts samples on the peaks
  expect(r.rmsDb).toBeCloseTo(-23 - 10 * Math.log10(2), 3);
  expect(r.fftSize).toBe(2048);
  expect(r.bins).toBe(1024);
  expect(r.isFloat32).toBe(true);
  expect(r.peakBin).toBeGreaterThanOrEqual(42); // 1 kHz at 23.4 Hz per bin
  expect(r.peakBin).toBeLessThanOrEqual(43);
  expect(r.peakBinDb - r.farBinDb).toBeGreaterThan(60);
  expect(r.silence).toEqual([-Infinity, -Infinity]);
});

test('bad settings and inputs are refused with TypeError or RangeError naming them, by renderOffline and by the task', async () => {
  const r = await b.page.evaluate(async () => {
    const { WorkerPool, renderOffline, RingletNode } = globalThis.ringlet;
    const pool = new WorkerPool({ maxWorkers: 1 });
    const input = { channels: [new Float32Array(256), new Float32Array(256)], sampleRate: 48000 };
    const offline = async (chain, inp = input, options = { pool }) => {
      try {
        await renderOffline(inp, chain, options);
        return 'resolved';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const results = {
      frequency: await offline({ eq: { bands: [null, null, { frequency: 30000 }] } }),
      type: await offline({ eq: { bands: [{ type: 'bogus' }] } }),
      q: await offline({ eq: { bands: [{ type: 'lowpass', q: 50 }] } }),
      tooManyBands: await offline({ eq: { bands: Array(9).fill(null) } }),
      bypass: await offline({ eq: { bypass: 'yes' } }),
      ceiling: await offline({ limiter: { ceilingDb: 3 } }),
      release: await offline({ limiter: { releaseMs: 0 } }),
      nullAttack: await offline({ limiter: { attackMs: null } }),
      gain: await offline({ gain: '2' }),
      gainRange: await offline({ gain: Infinity }),
      unknown: await offline({ limitter: {} }),
      chainNull: await offline(null),
      input: await offline({}, { channels: [new Float32Array(4), new Float32Array(5)], sampleRate: 48000 }),
      rate: await offline({}, { channels: [new Float32Array(4)], sampleRate: 100 }),
      segment: await offline({}, input, { pool, segmentFrames: 1000 }),
      pipeline: await offline({}, input, { pool, pipeline: 0 }),
      poolOption: await offline({}, input, { pool: {} }),
    };
    // The node says the same, with its own prefix.
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 128, sampleRate: 48000 });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 2 });
    let nodeMessage = '';
    try {
      node.eq.setBand(2, { frequency: 30000 });
    } catch (e) {
      nodeMessage = `${e.name}: ${e.message}`;
    }
    // The task validates too (run() directly), rejecting with the remote error's name.
    const task = await outcome(pool.run('render', { ...input, chain: { limiter: { ceilingDb: 3 } } }));
    const taskPayload = await outcome(pool.run('render', { ...input, chains: {} }));
    const analyzeRate = await outcome(pool.run('analyze', { channels: [new Float32Array(4)], sampleRate: 4000 }));
    const stats = pool.stats();
    pool.terminate();
    return { results, nodeMessage, task, taskPayload, analyzeRate, created: stats.workersCreated };
  });
  const x = r.results;
  expect(x.frequency).toBe(
    'RangeError: renderOffline: chain.eq.bands[2]: frequency must be a finite number in (0, 24000); got 30000',
  );
  expect(r.nodeMessage).toBe('RangeError: eq.setBand: frequency must be a finite number in (0, 24000); got 30000');
  expect(x.type).toMatch(/^TypeError: renderOffline: chain\.eq\.bands\[0\]: type must be one of lowpass, /);
  expect(x.q).toMatch(/^RangeError: renderOffline: chain\.eq\.bands\[0\]: q must be a finite number in \(0, 40\]/);
  expect(x.tooManyBands).toMatch(/^RangeError: renderOffline: chain\.eq: bands must have at most 8 entries/);
  expect(x.bypass).toMatch(/^TypeError: renderOffline: chain\.eq: bypass must be a boolean/);
  expect(x.ceiling).toBe(
    'RangeError: renderOffline: chain.limiter: ceilingDb must be a finite number in [-60, 0]; got 3',
  );
  expect(x.release).toMatch(/^RangeError: renderOffline: chain\.limiter: releaseMs must be/);
  expect(x.nullAttack).toMatch(/^TypeError: renderOffline: chain\.limiter: attackMs must be a number; got null/);
  expect(x.gain).toMatch(/^TypeError: renderOffline: chain: gain must be a number; got string/);
  expect(x.gainRange).toMatch(/^RangeError: renderOffline: chain: gain must be a finite number/);
  expect(x.unknown).toMatch(/^TypeError: renderOffline: chain: unknown setting 'limitter'/);
  expect(x.chainNull).toMatch(/^TypeError: renderOffline: chain: settings must be an object; got null/);
  expect(x.input).toMatch(/^RangeError: renderOffline: input\.channels\[1\] has 5 frames but channels\[0\] has 4/);
  expect(x.rate).toMatch(
    /^RangeError: renderOffline: input\.sampleRate must be a finite number in \[3000, 768000\]; got 100/,
  );
  expect(x.segment).toMatch(/^RangeError: renderOffline: options\.segmentFrames must be a multiple of 128/);
  expect(x.pipeline).toMatch(/^RangeError: renderOffline: options\.pipeline must be an integer from 1 to 64/);
  expect(x.poolOption).toMatch(/^TypeError: renderOffline: options\.pool must be a WorkerPool/);
  expect(r.task).toMatchObject({ ok: false, code: 'TASK_FAILED', remoteName: 'RangeError' });
  expect(r.task.message).toBe('render: chain.limiter: ceilingDb must be a finite number in [-60, 0]; got 3');
  expect(r.taskPayload).toMatchObject({ ok: false, code: 'TASK_FAILED', remoteName: 'TypeError' });
  expect(r.taskPayload.message).toMatch(/unknown payload field 'chains'/);
  expect(r.analyzeRate).toMatchObject({ ok: false, code: 'TASK_FAILED', remoteName: 'RangeError' });
  expect(r.analyzeRate.message).toMatch(/sampleRate must be a finite number in \[8000, 768000\]/);
  // renderOffline refused all of those before starting any worker; only the three run() calls did.
  expect(r.created).toBe(1);
});

test("a forced trap inside 'render' (the RL_TEST_HOOKS wasm) rejects with WASM_TRAP and is recorded as a worker panic with rl_panic's message; the release wasm ignores the option", async () => {
  const r = await b.page.evaluate(async (wasmUrl) => {
    const { WorkerPool, getPanicStats, renderOffline } = globalThis.ringlet;
    const sampleRate = 48000;
    const pool = new WorkerPool({ maxWorkers: 2 });
    const input = testSignal(2, 128 * 20, sampleRate);
    const before = getPanicStats().bySource.worker;
    const trap = await outcome(
      pool.run('render', { channels: copy(input), sampleRate, chain: CHAIN, wasmUrl, testTrapAfterQuanta: 3 }),
    );
    const stats = getPanicStats();
    const last = stats.history[stats.history.length - 1];
    // The same payload on the release wasm: the option does nothing.
    const release = await pool.run('render', {
      channels: copy(input),
      sampleRate,
      chain: CHAIN,
      testTrapAfterQuanta: 3,
    });
    const plain = await pool.run('render', { channels: copy(input), sampleRate, chain: CHAIN });
    // The hooks wasm without the option renders normally too, and identically.
    const hooks = await pool.run('render', { channels: copy(input), sampleRate, chain: CHAIN, wasmUrl });
    // The hooks build pipelines like the release one (same core, its own heap base).
    const piped = await renderOffline({ channels: copy(input), sampleRate }, CHAIN, {
      pool,
      wasmUrl,
      segmentFrames: 128 * 4,
      pipeline: 2,
    });
    const final = pool.stats();
    pool.terminate();
    return {
      trap,
      delta: stats.bySource.worker - before,
      last: { source: last.source, code: last.code, message: last.message },
      releaseSame: firstDiff(release.channels, plain.channels) === null,
      hooksSame: firstDiff(hooks.channels, plain.channels) === null,
      pipedSame: firstDiff(piped.channels, plain.channels) === null,
      final,
    };
  }, HOOKS_WASM);
  expect(r.trap).toMatchObject({ ok: false, code: 'WASM_TRAP', remoteName: 'RuntimeError' });
  expect(r.trap.message).toMatch(
    // The bracket holds the engine's own trap text: V8 'unreachable', SpiderMonkey
    // 'unreachable executed', JSC 'Unreachable code should not be executed (…)'.
    /^rl_panic\(1\): forced trap inside rl_node_process \(RL_TEST_HOOKS build\) \[[^\]]*unreachable[^\]]*\]$/i,
  );
  expect(r.delta).toBe(1);
  expect(r.last).toEqual({ source: 'worker', code: 'WASM_TRAP', message: r.trap.message });
  expect(r.releaseSame).toBe(true);
  expect(r.hooksSame).toBe(true);
  expect(r.pipedSame).toBe(true);
  expect(r.final).toMatchObject({ activeTasks: 0, queuedTasks: 0 });
});

test('on a page that is not cross-origin isolated, renderOffline and analyze still run (ringlet.wasm on a private memory)', async () => {
  const plain = await openBrowser({ isolate: false });
  try {
    const r = await plain.page.evaluate(async () => {
      const { renderOffline, WorkerPool } = await import('/dist/ringlet.js');
      const pool = new WorkerPool({ maxWorkers: 2 });
      const x = new Float32Array(48000);
      for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000);
      const out = await renderOffline(
        { channels: [x], sampleRate: 48000 },
        { gain: 0.5, limiter: { bypass: true } },
        { pool, segmentFrames: 4096 },
      );
      const analysis = await pool.run('analyze', { channels: out.channels, sampleRate: 48000 });
      pool.terminate();
      return {
        isolated: globalThis.crossOriginIsolated,
        sab: typeof SharedArrayBuffer,
        peakDb: analysis.peakDb,
        sample: [out.channels[0][100], x[100] * 0.5],
      };
    });
    expect(r.isolated).toBe(false);
    expect(r.peakDb).toBeCloseTo(20 * Math.log10(0.25), 3);
    expect(r.sample[0]).toBe(r.sample[1]); // gain exact from the first sample, EQ flat: x * 0.5 in float
    expect(plain.errors).toEqual([]);
  } finally {
    await plain.close();
  }
});
