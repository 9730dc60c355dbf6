// Main-thread safety in real Chromium: one shared AudioContext, one worklet
// load per context, unlocking on a real gesture, and panic boundaries with
// reporting and recovery (using the RL_TEST_HOOKS wasm for forced traps).
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

const HOOKS_WASM = '/build/wasm-hooks/ringlet.wasm';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser({ countListeners: true });
});
afterAll(async () => {
  await b?.close();
});

test('20 concurrent getAudioContext() calls yield one context, and a closed one is replaced', async () => {
  const r = await b.page.evaluate(async () => {
    const { getAudioContext } = await import('/dist/ringlet.js');
    const all = await Promise.all(Array.from({ length: 20 }, () => getAudioContext()));
    const one = all.every((c) => c === all[0]);
    await all[0].close();
    const next = await getAudioContext();
    const again = await getAudioContext();
    const result = { one, replaced: next !== all[0], state: next.state !== 'closed', stable: again === next };
    await next.close();
    return result;
  });
  expect(r).toEqual({ one: true, replaced: true, state: true, stable: true });
});

test('in a Worker getAudioContext rejects with NOT_MAIN_THREAD', async () => {
  const r = await b.page.evaluate(
    () =>
      new Promise((resolve) => {
        const w = new Worker('/test/browser/fixtures/context.worker.js', { type: 'module' });
        w.onmessage = (e) => {
          resolve(e.data);
          w.terminate();
        };
      }),
  );
  expect(r).toMatchObject({ resolved: false, name: 'RingletError', code: 'NOT_MAIN_THREAD', isMain: false });
});

test('10 concurrent loadRinglet calls on one context make one addModule call', async () => {
  const r = await b.page.evaluate(async () => {
    const { loadRinglet } = await import('/dist/ringlet.js');
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48000 });
    const original = ctx.audioWorklet.addModule.bind(ctx.audioWorklet);
    let calls = 0;
    ctx.audioWorklet.addModule = (url, options) => {
      calls++;
      return original(url, options);
    };
    const loaded = await Promise.all(Array.from({ length: 10 }, () => loadRinglet(ctx)));
    await loadRinglet(ctx);
    return { calls, sameWasm: loaded.every((w) => w.module === loaded[0].module) };
  });
  expect(r).toEqual({ calls: 1, sameWasm: true });
});

test('a failing worklet URL rejects naming the URL, and the next call with a good URL succeeds', async () => {
  const r = await b.page.evaluate(async () => {
    const { loadRinglet, RingletNode } = await import('/dist/ringlet.js');
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48000 });
    let first;
    try {
      await loadRinglet(ctx, { workletUrl: '/no/such/worklet.js' });
      first = 'resolved';
    } catch (e) {
      first = { code: e.code, message: e.message };
    }
    await loadRinglet(ctx);
    const node = await RingletNode.create(ctx, { channels: 1 });
    return { first, state: node.state };
  });
  expect(r.first.code).toBe('LOAD_FAILED');
  expect(r.first.message).toContain('/no/such/worklet.js');
  expect(r.state).toBe('running');
  b.errors.length = 0; // the deliberate 404 is logged by the browser
});

test('unlockAudio resumes on a real click and leaves no listeners behind', async () => {
  const countListeners = () => b.listenerCount('document', ['pointerdown', 'keydown', 'touchend']);
  await b.page.evaluate(async () => {
    const { unlockAudio } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    await ctx.suspend();
    globalThis.unlockCtx = ctx;
    globalThis.unlockResult = unlockAudio(ctx, { timeoutMs: 20000 });
  });
  expect(await countListeners()).toBe(3);
  expect(await b.page.evaluate(() => globalThis.unlockCtx.state)).toBe('suspended');
  await b.page.mouse.click(10, 10);
  const result = await b.page.evaluate(() => globalThis.unlockResult);
  expect(result).toBe('running');
  expect(await b.page.evaluate(() => globalThis.unlockCtx.state)).toBe('running');
  expect(await countListeners()).toBe(0);
  // On timeout, too, every listener goes.
  const timedOut = await b.page.evaluate(async () => {
    const { unlockAudio } = await import('/dist/ringlet.js');
    await globalThis.unlockCtx.suspend();
    return unlockAudio(globalThis.unlockCtx, { timeoutMs: 50 });
  });
  expect(timedOut).toBe('timeout');
  expect(await countListeners()).toBe(0);
  await b.page.evaluate(() => globalThis.unlockCtx.close());
});

test('a forced trap silences the next quantum, fires one panic event (no processorerror), and reset() restores audio', async () => {
  const r = await b.page.evaluate(async (wasmUrl) => {
    const { RingletNode, getPanicStats, onPanic } = await import('/dist/ringlet.js');
    const { ask } = await import('/test/browser/fixtures/trackers.js');
    const { resetMidRender } = await import('/test/browser/fixtures/offline-reset.js');
    const sampleRate = 48000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128 * 40, sampleRate });
    const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 4096, wasmUrl });
    node.writer.tryWrite(new Float32Array(128 * 10).fill(0.5));
    await node.flush(); // on 'message' (no SharedArrayBuffer) writes and settings land after a round trip
    node.connect(ctx.destination);
    const panics = [];
    let processorErrors = 0;
    node.onprocessorerror = () => {
      processorErrors++;
    };
    node.addEventListener('panic', (e) => panics.push(e.detail));
    const heard = [];
    const unsubscribe = onPanic((record) => heard.push(record.source));
    const before = getPanicStats();
    const panicked = new Promise((resolve) => node.addEventListener('panic', resolve, { once: true }));
    // Arm the trap while rendering is suspended at quantum 5. The processor
    // takes port messages between quanta (Chromium and WebKit during the
    // pause, Firefox once rendering goes on), so the 'status' right behind
    // the arming message says how many quanta ran before it: the trap fires
    // in the next one.
    /** @type {Promise<{ calls: number } | null>} */
    let armed = Promise.resolve(null);
    ctx.suspend((128 * 5) / sampleRate).then(() => {
      node.port.postMessage({ type: 'test:trap' });
      armed = ask(node.port, { type: 'status' }, 5000);
      // Resume once the processor has answered (Chromium and WebKit answer
      // during the pause, however loaded the machine), or after 3 s where
      // the engine answers only once rendering goes on (Firefox).
      void Promise.race([armed, new Promise((r) => setTimeout(r, 3000))]).then(() => ctx.resume());
    });
    // From quantum 15, after the panic: reset, and feed again once it has resolved.
    let stateBeforeReset = '';
    const reset = resetMidRender(ctx, node, 15, {
      before: async () => {
        await Promise.race([panicked, new Promise((r) => setTimeout(r, 5000))]);
        stateBeforeReset = node.state;
      },
      then: async () => {
        node.writer.tryWrite(new Float32Array(128 * 10).fill(0.25));
        await node.flush();
      },
    });
    const out = (await ctx.startRendering()).getChannelData(0);
    unsubscribe();
    const after = getPanicStats();
    const status = await armed;
    const { quantum: fed, reset: resetOutcome } = await reset;
    const q = (k) => Array.from(out.subarray(128 * k, 128 * (k + 1)));
    const uniform = (k, v) => q(k).every((x) => x === v);
    const all = (from, to, v) => {
      for (let k = from; k < to; k++) if (!uniform(k, v)) return false;
      return true;
    };
    const trapQuantum = panics.length > 0 ? panics[0].frame / 128 : -1;
    return {
      armedAt: status?.calls ?? null,
      trapQuantum,
      beforeTrap: trapQuantum > 0 && all(0, trapQuantum, 0.5),
      trapQuantumSilent: uniform(trapQuantum, 0),
      staysSilent: fed !== null && all(trapQuantum, fed, 0),
      afterReset: fed !== null && all(fed, fed + 10, 0.25),
      resetOutcome,
      fed,
      panics: panics.map((p) => ({
        code: p.code,
        hasMessage: p.message.includes('forced trap'),
        hasStack: p.stack.length > 0,
      })),
      processorErrors,
      stateBeforeReset,
      stateAfter: node.state,
      heard,
      totalDelta: after.total - before.total,
      recoveredDelta: after.recovered - before.recovered,
      lastSource: after.history[after.history.length - 1]?.source,
    };
  }, HOOKS_WASM);
  // The trap fires in the first quantum after the processor took the arming
  // message, at quantum 5 or later (Firefox hands the worklet its messages
  // between blocks of quanta), and before the 10 quanta of 0.5 run out.
  expect(r.armedAt).toBeGreaterThanOrEqual(5);
  expect(r.armedAt).toBeLessThan(10);
  expect(r.trapQuantum).toBe(r.armedAt);
  expect(r.beforeTrap).toBe(true);
  expect(r.trapQuantumSilent).toBe(true);
  expect(r.resetOutcome).toBe('resolved');
  expect(r.fed).toBeGreaterThanOrEqual(15);
  expect(r.staysSilent).toBe(true);
  expect(r.afterReset).toBe(true);
  expect(r.panics).toEqual([{ code: 'CORE_PANIC', hasMessage: true, hasStack: true }]);
  expect(r.processorErrors).toBe(0);
  expect(r.stateBeforeReset).toBe('panicked');
  expect(r.stateAfter).toBe('running');
  expect(r.heard).toEqual(['worklet']);
  expect(r.totalDelta).toBe(1);
  expect(r.recoveredDelta).toBe(1);
  expect(r.lastSource).toBe('worklet');
});

test('1,000 forced panics leave a history of exactly 100 and a stable heap', async () => {
  const heap = () => b.heapUsed();
  await b.page.evaluate(async (wasmUrl) => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 256, wasmUrl });
    node.connect(ctx.destination);
    await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 2000))]);
    globalThis.cycle = async (n) => {
      for (let i = 0; i < n; i++) {
        const panicked = new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no panic event in cycle ${i}`)), 5000);
          node.addEventListener(
            'panic',
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        });
        node.port.postMessage({ type: 'test:trap' });
        await panicked;
        await node.reset();
      }
    };
  }, HOOKS_WASM);
  await b.page.evaluate(() => globalThis.cycle(100));
  const start = await heap();
  await b.page.evaluate(() => globalThis.cycle(900));
  const end = await heap();
  const stats = await b.page.evaluate(async () => {
    const { getPanicStats } = await import('/dist/ringlet.js');
    const s = getPanicStats();
    return {
      total: s.total,
      recovered: s.recovered,
      worklet: s.bySource.worklet,
      history: s.history.length,
      codes: [...new Set(s.history.map((h) => h.code))],
    };
  });
  expect(stats.history).toBe(100);
  expect(stats.worklet).toBeGreaterThanOrEqual(1000);
  expect(stats.recovered).toBeGreaterThanOrEqual(1000);
  expect(stats.codes).toEqual(['CORE_PANIC']);
  // 900 more panics may not grow the main thread's heap by more than 1 MB.
  // Chromium only: no driver of Firefox or WebKit can force a GC and read the heap.
  if (start !== null && end !== null) expect(end - start).toBeLessThan(1024 * 1024);
});

test('the release wasm has no test hooks: a test:trap message does nothing', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const { ask } = await import('/test/browser/fixtures/trackers.js');
    const quanta = 32;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128 * quanta, sampleRate: 48000 });
    const node = await RingletNode.create(ctx, { channels: 1 });
    node.writer.tryWrite(new Float32Array(128 * quanta).fill(0.5));
    await node.flush(); // on 'message' (no SharedArrayBuffer) writes and settings land after a round trip
    node.connect(ctx.destination);
    /** @type {Promise<{ calls: number } | null>} */
    let handled = Promise.resolve(null);
    ctx.suspend(128 / 48000).then(() => {
      node.port.postMessage({ type: 'test:trap' });
      // Answered right after the processor took 'test:trap': how many quanta had run.
      handled = ask(node.port, { type: 'status' }, 5000);
      setTimeout(() => ctx.resume(), 50);
    });
    const out = (await ctx.startRendering()).getChannelData(0);
    const status = await handled;
    return { allHalf: out.every((x) => x === 0.5), state: node.state, handledAt: status?.calls ?? null, quanta };
  });
  // The message reached the processor with quanta still to render, where a hooks build would have trapped.
  expect(r.handledAt).toBeGreaterThanOrEqual(1);
  expect(r.handledAt).toBeLessThan(r.quanta - 1);
  expect({ allHalf: r.allHalf, state: r.state }).toEqual({ allHalf: true, state: 'running' });
  expect(b.errors).toEqual([]);
});
