// A node's lifecycle in real Chromium, on both transports: dispose(), reset()
// and close() leave no timer, listener or pending waiter behind (counted by
// the node itself, and by the page's own timer count); a panic that arrives
// just before reset() cannot take reset's reply; a create() that fails stops
// the processor it built.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

const HOOKS_WASM = '/build/wasm-hooks/ringlet.wasm';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
  expect(await b.page.evaluate(() => crossOriginIsolated)).toBe(true);
});

afterAll(async () => {
  await b?.close();
});

// The message transport keeps its backlog in the worklet, with no retry timer
// here: message-transport.test.js covers it.
test.needs(
  ['sharedArrayBuffer'],
  'the shared transport keeps the parameter backlog, and its retry timer, on this thread',
);
test('dispose() stops the parameter queue retrying: no timer is armed after it (70 setBand calls, context not running)', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const { trackTimers } = await import('/test/browser/fixtures/trackers.js');
    // Not rendering: the core takes nothing from its 64-slot queue, so the rest waits.
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48000 });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 1, transport: 'shared' });
    const timers = trackTimers();
    try {
      for (let i = 0; i < 70; i++) node.eq.setBand(i % 8, { gainDb: (i % 13) - 6, frequency: 100 + 50 * i });
      await timers.sleep(50);
      const retryingBefore = timers.armed > 1;
      node.dispose();
      timers.resetCounts();
      await timers.sleep(300);
      return { retryingBefore, armedAfter: timers.armed, liveAfter: timers.live, stats: node.debugStats() };
    } finally {
      timers.restore();
    }
  });
  // While live, the backlog retries (that is how it reaches the core later).
  expect(r.retryingBefore).toBe(true);
  expect(r.armedAfter).toBe(0);
  expect(r.liveAfter).toBe(0);
  expect(r.stats).toEqual({ timers: 0, listeners: 0, waiters: 0, paramBacklog: 0 });
});

for (const transport of ['shared', 'message']) {
  if (transport === 'shared') test.needs(['sharedArrayBuffer'], 'the shared transport is a SharedArrayBuffer ring');
  test(`${transport}: dispose(), reset() and close() leave zero timers and pending waiters, counted by the node and by the page`, async () => {
    const r = await b.page.evaluate(async (transport) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const { trackTimers } = await import('/test/browser/fixtures/trackers.js');
      const ctx = new AudioContext();
      const timers = trackTimers();
      const out = {};
      try {
        // Some of everything that waits or retries: writes, reads, settings, flushes.
        const exercise = async (node) => {
          for (let i = 0; i < 70; i++) node.eq.setBand(i % 8, { gainDb: (i % 13) - 6 });
          node.limiter.set({ ceilingDb: -3 });
          await node.flush();
          if (node.writer) await node.writer.write(new Float32Array(2048), { timeoutMs: 200 });
          if (node.reader) await node.reader.read(new Float32Array(256), { timeoutMs: 50 });
        };
        const settle = async (node) => {
          // Bounded: the retry timer of a backlog clears, and the backlog empties, once the
          // core took it (running context); a busy machine may take seconds to get there.
          const busy = () => {
            const s = node.debugStats();
            return s.timers > 0 || s.paramBacklog > 0 || timers.live > 0;
          };
          for (let i = 0; i < 1000 && busy(); i++) await timers.sleep(10);
        };

        const source = await RingletNode.create(ctx, { mode: 'source', channels: 2, transport });
        source.connect(ctx.destination);
        await exercise(source);
        await source.reset();
        await settle(source);
        out.afterReset = source.debugStats();
        out.liveAfterReset = timers.live;

        source.writer.close();
        await settle(source);
        out.afterClose = source.debugStats();
        out.liveAfterClose = timers.live;

        const capture = await RingletNode.create(ctx, { mode: 'capture', channels: 1, transport });
        await exercise(capture);
        capture.reader.close();
        await settle(capture);
        out.afterReaderClose = capture.debugStats();

        // dispose() while waits are pending: each ends, and nothing is left.
        const pending = [
          source.flush({ timeoutMs: 5000 }).then(
            () => 'resolved',
            (e) => e.code,
          ),
          source.reset({ timeoutMs: 5000 }).then(
            () => 'resolved',
            (e) => e.code,
          ),
        ];
        if (transport === 'message') {
          // A write that waits for space: more than the ring holds.
          pending.push(source.writer.write(new Float32Array(2 * 20000), { timeoutMs: 5000 }).then((x) => x.status));
        }
        source.dispose();
        capture.dispose();
        // Bounded by the test too, so a wait that dispose() failed to end fails here rather than hangs.
        out.pending = await Promise.race([Promise.all(pending), timers.sleep(3000).then(() => 'hung')]);
        out.afterDispose = source.debugStats();
        out.captureAfterDispose = capture.debugStats();
        await timers.sleep(100);
        out.liveAfterDispose = timers.live;
        return out;
      } finally {
        timers.restore();
        await ctx.close();
      }
    }, transport);
    const zero = { timers: 0, waiters: 0, paramBacklog: 0 };
    // While a node lives, its one port handler is its only listener.
    expect(r.afterReset).toEqual({ ...zero, listeners: 1 });
    expect(r.afterClose).toEqual({ ...zero, listeners: 1 });
    expect(r.afterReaderClose).toEqual({ ...zero, listeners: 1 });
    expect(r.liveAfterReset).toBe(0);
    expect(r.liveAfterClose).toBe(0);
    expect(r.afterDispose).toEqual({ ...zero, listeners: 0 });
    expect(r.captureAfterDispose).toEqual({ ...zero, listeners: 0 });
    expect(r.liveAfterDispose).toBe(0);
    // Waits pending at dispose() end at once, and say why. On 'shared' flush()
    // has nothing to wait for; on 'message' its round trip is cut short.
    expect(r.pending).toEqual(transport === 'shared' ? ['resolved', 'DISPOSED'] : ['DISPOSED', 'DISPOSED', 'closed']);
  });
}

test.needs(
  ['chromium', 'firefox'],
  "it watches the core stop through the shared ring's quantum counter while it holds this thread; WebKitGTK renders no quantum while the page's main thread is busy, so there the trap cannot fire inside the hold",
);
test('a panic that arrives just before reset() does not take its reply: reset() resolves and the node runs', async () => {
  const r = await b.page.evaluate(async (wasmUrl) => {
    const { RingletNode, getPanicStats } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 4096, wasmUrl, transport: 'shared' });
    node.connect(ctx.destination);
    node.writer.tryWrite(new Float32Array(256).fill(0.1)); // primed: it plays
    const events = [];
    node.addEventListener('panic', () => events.push('panic'));
    const before = getPanicStats();
    // Wait until the core runs.
    const start = performance.now();
    while (node.stats().quanta < 10 && performance.now() - start < 10000) await new Promise((r) => setTimeout(r, 10));
    node.port.postMessage({ type: 'test:trap' });
    // Hold the main thread until the core has trapped: the worklet's panic
    // message is then queued here, not yet handled, when reset() is called.
    // The trapped core stops counting quanta; the shared counter shows it.
    let last = node.stats().quanta;
    let still = performance.now();
    const cap = performance.now() + 10000;
    while (performance.now() < cap) {
      const q = node.stats().quanta;
      if (q !== last) {
        last = q;
        still = performance.now();
      } else if (performance.now() - still > 300) break;
    }
    const trapped = node.stats().quanta === last;
    events.push('reset called');
    const outcome = await node.reset({ timeoutMs: 5000 }).then(
      () => 'resolved',
      (e) => `${e.code}: ${e.message}`,
    );
    events.push(`reset ${outcome}`);
    const stateAfter = node.state;
    const q0 = node.stats().quanta;
    const deadline = performance.now() + 5000;
    while (node.stats().quanta <= q0 + 10 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const after = getPanicStats();
    const result = {
      trapped,
      events,
      stateAfter,
      runs: node.stats().quanta > q0 + 10,
      lastPanic: node.lastPanic,
      panics: after.bySource.worklet - before.bySource.worklet,
      recovered: after.recovered - before.recovered,
    };
    node.dispose();
    await ctx.close();
    return result;
  }, HOOKS_WASM);
  expect(r.trapped).toBe(true);
  // The stale panic is reported, once, then the reset's own reply brings the node back.
  expect(r.events).toEqual(['reset called', 'panic', 'reset resolved']);
  expect(r.stateAfter).toBe('running');
  expect(r.lastPanic).toBeNull();
  expect(r.runs).toBe(true);
  expect(r.panics).toBe(1);
  expect(r.recovered).toBe(1);
});

test('a panic the page handles just after calling reset() does not take its reply, on either transport (the page holds the panic back, so no timing is involved)', async () => {
  const r = await b.page.evaluate(async (wasmUrl) => {
    const { RingletNode, getPanicStats } = await import('/dist/ringlet.js');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const ctx = new AudioContext();
    const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 4096, wasmUrl });
    node.connect(ctx.destination);
    node.writer.tryWrite(new Float32Array(256).fill(0.1));
    const events = [];
    node.addEventListener('panic', () => events.push('panic'));
    const before = getPanicStats();
    // The node's own handler; the page keeps the worklet's panic from it
    // until reset() has been called, which is the race a busy page meets.
    const handler = node.port.onmessage;
    /** @type {MessageEvent[]} */
    const held = [];
    let holding = true;
    node.port.onmessage = (event) => {
      if (holding && event.data?.type === 'panic') held.push(event);
      else handler.call(node.port, event);
    };
    await Promise.race([ctx.resume(), sleep(5000)]);
    node.port.postMessage({ type: 'test:trap' });
    // Bounded: 10 s for the trap to fire and its panic to arrive.
    for (let i = 0; i < 500 && held.length === 0; i++) await sleep(20);
    const heldPanics = held.length;
    events.push('reset called');
    const resetting = node.reset({ timeoutMs: 5000 }).then(
      () => 'resolved',
      (e) => `${e.code}: ${e.message}`,
    );
    // Now the stale panic reaches the node, before the reset's own reply.
    holding = false;
    for (const event of held) handler.call(node.port, event);
    const outcome = await resetting;
    events.push(`reset ${outcome}`);
    const stateAfter = node.state;
    const lastPanic = node.lastPanic;
    const after = getPanicStats();
    const result = {
      transport: node.transport,
      heldPanics,
      events,
      stateAfter,
      lastPanic,
      panics: after.bySource.worklet - before.bySource.worklet,
      recovered: after.recovered - before.recovered,
    };
    node.dispose();
    await ctx.close();
    return result;
  }, HOOKS_WASM);
  expect(r.transport).toBe(b.engine.sharedArrayBuffer ? 'shared' : 'message');
  expect(r.heldPanics).toBe(1);
  // The stale panic is reported, once, then the reset's own reply brings the node back.
  expect(r.events).toEqual(['reset called', 'panic', 'reset resolved']);
  expect(r.stateAfter).toBe('running');
  expect(r.lastPanic).toBeNull();
  // (That the reset core plays again is the safety tests' business; a
  // WebKitGTK realtime clock can stand still for seconds after a reset.)
  expect(r.panics).toBe(1);
  expect(r.recovered).toBe(1);
});

test('a create() that fails after building the node stops its processor (timeout, and a failed init)', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const { captureNodes, ask } = await import('/test/browser/fixtures/trackers.js');
    const ctx = new AudioContext();
    // A healthy node on the same context proves the context renders meanwhile.
    const control = await RingletNode.create(ctx, { channels: 1, transport: 'message' });
    control.connect(ctx.destination);
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    /** Frames the captured processor's core ran, twice, 300 ms apart; null when it does not answer. */
    const progress = async (port) => {
      const a = await ask(port, { type: 'poll' }, 5000);
      await sleep(300);
      const b2 = await ask(port, { type: 'poll' }, 5000);
      return a && b2 ? b2.snapshot.framesProcessed - a.snapshot.framesProcessed : null;
    };
    const out = {};

    // 1. readyTimeoutMs 0: create() gives up before the processor says ready.
    let capture = captureNodes();
    out.timeout = await RingletNode.create(ctx, { channels: 1, transport: 'message', readyTimeoutMs: 0 }).then(
      () => 'resolved',
      (e) => e.code,
    );
    capture.restore();
    const timedOut = capture.nodes[0];
    // The processor starts after create() gave up; on a loaded machine its
    // first reply can take seconds, so wait for it before measuring.
    out.timeoutStatus = await ask(timedOut.port, { type: 'status' }, 15000);
    out.timeoutProgress = await progress(timedOut.port);

    // 2. The core refuses to start (a heap too small for the node).
    capture = captureNodes((options) => ({
      ...options,
      processorOptions: { ...options.processorOptions, heapBytes: 64 },
    }));
    out.init = await RingletNode.create(ctx, { channels: 1, transport: 'message' }).then(
      () => 'resolved',
      (e) => e.code,
    );
    capture.restore();
    out.initStatus = await ask(capture.nodes[0].port, { type: 'status' }, 15000);

    const c0 = await ask(control.port, { type: 'poll' }, 5000);
    await sleep(300);
    const c1 = await ask(control.port, { type: 'poll' }, 5000);
    out.controlProgress = c1.snapshot.framesProcessed - c0.snapshot.framesProcessed;
    control.dispose();
    await ctx.close();
    return out;
  });
  expect(r.controlProgress).toBeGreaterThan(0);
  expect(r.timeout).toBe('TIMEOUT');
  // The orphaned processor no longer runs the core...
  expect(r.timeoutProgress).toBe(0);
  // ...and returns false from process(), so the engine may collect it.
  expect(r.timeoutStatus).toMatchObject({ alive: false });
  expect(r.init).toBe('INIT_FAILED');
  expect(r.initStatus).toMatchObject({ alive: false });
});
