// The message transport's promises on the paths a page without
// SharedArrayBuffer walks: a write racing reset(), a closed reader draining,
// waits on a worklet that does not answer, and flush() saying what happened.
// Real Chromium, on a page that is not cross-origin isolated.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser({ isolate: false });
  expect(await b.page.evaluate(() => typeof SharedArrayBuffer)).toBe('undefined');
});

afterAll(async () => {
  await b?.close();
});

test('a write racing reset() is kept in the new ring, and the writer still writes after it has played', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sampleRate = 48000;
    const length = 9600;
    const at = 38 * 128; // where the second write starts playing: a suspend lands on a quantum boundary
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate });
    const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 4096 });
    node.connect(ctx.destination);
    // Below the limiter's ceiling, so the chain passes the ramps exactly.
    const raced = Float32Array.from({ length: 1024 }, (_, i) => (0.5 * i) / 1024);
    const later = Float32Array.from({ length: 2048 }, (_, i) => (-0.5 * i) / 2048);
    await node.flush();
    const resetting = node.reset();
    // Posted after 'reset', before 'ready': the race the writer must survive.
    const racedFrames = node.writer.tryWrite(raced);
    await resetting;
    await node.flush();
    /** @type {{ availableWrite: number, availableRead: number, write: unknown } | null} */
    let second = null;
    ctx.suspend(at / sampleRate).then(async () => {
      try {
        await node.flush();
        const before = { availableWrite: node.writer.availableWrite, availableRead: node.writer.availableRead };
        const write = await node.writer.write(later, { timeoutMs: 2000 });
        second = { ...before, write };
        await node.flush();
      } finally {
        await ctx.resume();
      }
    });
    const out = (await ctx.startRendering()).getChannelData(0);
    let racedMismatches = 0;
    for (let i = 0; i < raced.length; i++) if (out[i] !== raced[i]) racedMismatches++;
    let laterMismatches = 0;
    for (let i = 0; i < later.length; i++) if (out[at + i] !== later[i]) laterMismatches++;
    return { racedFrames, racedMismatches, second, laterMismatches, capacity: node.writer.capacityFrames };
  });
  expect(r.racedFrames).toBe(1024);
  // The raced frames went into the new ring and played first.
  expect(r.racedMismatches).toBe(0);
  // Once they played, the writer's view of the ring is an empty ring, not a wrapped count.
  expect(r.second).toEqual({
    availableWrite: r.capacity,
    availableRead: 0,
    write: { status: 'ready', frames: 2048 },
  });
  expect(r.laterMismatches).toBe(0);
});

test('a closed reader drains what is left, then reports closed (as on the shared transport)', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const frames = 4096;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: 48000 });
    const buffer = ctx.createBuffer(1, frames, 48000);
    for (let i = 0; i < frames; i++) buffer.getChannelData(0)[i] = (0.5 * i) / frames;
    const src = new AudioBufferSourceNode(ctx, { buffer });
    const node = await RingletNode.create(ctx, { mode: 'capture', channels: 1, capacityFrames: 8192 });
    src.connect(node).connect(ctx.destination);
    src.start();
    await ctx.startRendering();
    node.reader.close();
    const got = new Float32Array(frames + 1024);
    let total = 0;
    const statuses = [];
    // Bounded: 64 reads of up to 1024 frames are far more than 4096 frames need.
    for (let i = 0; i < 64; i++) {
      const res = await node.reader.readWithTimeout(got.subarray(total, total + 1024), 1000);
      statuses.push(res.status);
      total += res.frames;
      if (res.status === 'closed') break;
    }
    let mismatches = 0;
    for (let i = 0; i < frames; i++) if (got[i] !== Math.fround((0.5 * i) / frames)) mismatches++;
    return { total, last: statuses.at(-1), timeouts: statuses.filter((s) => s === 'timeout').length, mismatches };
  });
  expect(r).toEqual({ total: 4096, last: 'closed', timeouts: 0, mismatches: 0 });
});

test('reads and writes on a worklet that does not answer (closed context) arm one timer at a time and leave nothing behind', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const { trackTimers } = await import('/test/browser/fixtures/trackers.js');
    const ctx = new AudioContext();
    const capture = await RingletNode.create(ctx, { mode: 'capture', channels: 1, capacityFrames: 4096 });
    const source = await RingletNode.create(ctx, { mode: 'source', channels: 1, capacityFrames: 4096 });
    await ctx.close();
    const timers = trackTimers();
    try {
      const reads = [];
      for (let i = 0; i < 3; i++) reads.push(await capture.reader.readWithTimeout(new Float32Array(512), 300));
      const readMaxLive = timers.maxLive;
      const readLeft = timers.live;
      timers.resetCounts();
      // More than the ring holds: the write must wait for space that never comes.
      const write = await source.writer.write(new Float32Array(8192), { timeoutMs: 300 });
      const writeMaxLive = timers.maxLive;
      const writeLeft = timers.live;
      return {
        reads: reads.map((x) => x.status),
        readMaxLive,
        readLeft,
        write: write.status,
        writeMaxLive,
        writeLeft,
        capture: capture.debugStats(),
        source: source.debugStats(),
      };
    } finally {
      timers.restore();
    }
  });
  expect(r.reads).toEqual(['timeout', 'timeout', 'timeout']);
  expect(r.write).toBe('timeout');
  // One poll timer at a time (the wait's own), never one per poll for the whole timeout.
  expect(r.readMaxLive).toBeLessThanOrEqual(1);
  expect(r.writeMaxLive).toBeLessThanOrEqual(1);
  expect(r.readLeft).toBe(0);
  expect(r.writeLeft).toBe(0);
  expect(r.capture).toMatchObject({ timers: 0, waiters: 0 });
  expect(r.source).toMatchObject({ timers: 0, waiters: 0 });
});

test('on a closed context, waiting reads and writes end with closed long before their timeout, and leave nothing behind', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    const capture = await RingletNode.create(ctx, {
      mode: 'capture',
      channels: 1,
      capacityFrames: 4096,
      transport: 'message',
    });
    const source = await RingletNode.create(ctx, {
      mode: 'source',
      channels: 1,
      capacityFrames: 4096,
      transport: 'message',
    });
    // Suspended, nothing more is captured; what was, is read first (bounded).
    await Promise.race([ctx.suspend(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    for (let i = 0; i < 100; i++) {
      if ((await capture.reader.readWithTimeout(new Float32Array(4096), 50)).status === 'timeout') break;
    }
    // Timeouts far beyond the test's bounds: only the close can end these waits.
    const reading = capture.reader.readWithTimeout(new Float32Array(512), 600000);
    const writing = source.writer.write(new Float32Array(8192), { timeoutMs: 600000 });
    await ctx.close();
    const hung = new Promise((resolve) => setTimeout(() => resolve({ status: 'hung' }), 20000));
    const [read, write] = await Promise.all([Promise.race([reading, hung]), Promise.race([writing, hung])]);
    return { read: read.status, write: write.status, capture: capture.debugStats(), source: source.debugStats() };
  });
  expect(r.read).toBe('closed');
  expect(r.write).toBe('closed');
  expect(r.capture).toMatchObject({ timers: 0, waiters: 0 });
  expect(r.source).toMatchObject({ timers: 0, waiters: 0 });
});

test('a reader on a suspended context asks the worklet at most once per poll interval', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    const node = await RingletNode.create(ctx, { mode: 'capture', channels: 1, capacityFrames: 4096 });
    await ctx.suspend();
    // What was captured before the suspend comes first (bounded).
    for (let i = 0; i < 100; i++) {
      if ((await node.reader.readWithTimeout(new Float32Array(4096), 50)).status === 'timeout') break;
    }
    let posted = 0;
    const post = node.port.postMessage;
    node.port.postMessage = function (...args) {
      posted += 1;
      return post.apply(this, args);
    };
    const res = await node.reader.readWithTimeout(new Float32Array(512), 300);
    node.port.postMessage = post;
    const stats = node.debugStats();
    await ctx.close();
    return { status: res.status, posted, stats };
  });
  expect(r.status).toBe('timeout');
  // A suspended worklet answers at once with nothing; the reader must not
  // ping-pong. 300 ms at one request per 5 ms poll interval is at most 61
  // requests (a busy machine makes fewer, never more).
  expect(r.posted).toBeLessThanOrEqual(61);
  expect(r.stats).toMatchObject({ timers: 0, waiters: 0 });
});

test('flush() rejects with RingletError TIMEOUT when the worklet does not answer, and leaves no timer', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const { trackTimers } = await import('/test/browser/fixtures/trackers.js');
    const ctx = new AudioContext();
    const node = await RingletNode.create(ctx, { channels: 1 });
    const flushed = await node.flush({ timeoutMs: 1000 }).then(
      () => 'resolved',
      (e) => e.code,
    );
    await ctx.close();
    const timers = trackTimers();
    try {
      const outcome = await node.flush({ timeoutMs: 200 }).then(
        (v) => ({ resolved: v }),
        (e) => ({ name: e.name, code: e.code, message: e.message }),
      );
      return { flushed, outcome, live: timers.live, stats: node.debugStats() };
    } finally {
      timers.restore();
    }
  });
  expect(r.flushed).toBe('resolved');
  expect(r.outcome).toMatchObject({ name: 'RingletError', code: 'TIMEOUT' });
  expect(r.outcome.message).toMatch(/timeoutMs \(200 ms\)/);
  expect(r.live).toBe(0);
  expect(r.stats).toMatchObject({ timers: 0, waiters: 0 });
});

test('settings queued in the worklet while the context is suspended reach the core once it resumes, with no other call', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const ctx = new AudioContext();
    const dc = new ConstantSourceNode(ctx, { offset: 0.25 });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
    // A native analyser reads the output, so nothing here talks to the node.
    const probe = new AnalyserNode(ctx, { fftSize: 256 });
    dc.connect(node).connect(probe).connect(ctx.destination);
    dc.start();
    await ctx.suspend();
    await node.flush();
    // The core's queue holds 64; it takes nothing while suspended. 69
    // settings that leave DC alone fill it, and the last one, a -20 dB low
    // shelf (DC x 0.1), waits in the worklet.
    for (let i = 0; i < 69; i++) node.eq.setBand(1 + (i % 7), { frequency: 200 + 10 * i, gainDb: 0 });
    node.eq.setBand(0, { type: 'lowshelf', frequency: 1000, gainDb: -20 });
    await sleep(100);
    await Promise.race([ctx.resume(), sleep(2000)]);
    const out = new Float32Array(256);
    let level = NaN;
    // Bounded: 5 s for one setting to apply, far more than a quantum needs.
    for (let i = 0; i < 250; i++) {
      await sleep(20);
      probe.getFloatTimeDomainData(out);
      level = out[255];
      if (Math.abs(level - 0.025) < 1e-3) break;
    }
    const stats = node.debugStats();
    node.dispose();
    await ctx.close();
    return { level, stats };
  });
  expect(r.level).toBeCloseTo(0.025, 3);
  expect(r.stats).toMatchObject({ paramBacklog: 0, timers: 0 });
});

test('after reset(), a capture reader hands out nothing captured before it, even a chunk already on its way', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const frames = 4096;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: 48000 });
    const dc = new ConstantSourceNode(ctx, { offset: 0.5 });
    const node = await RingletNode.create(ctx, { mode: 'capture', channels: 1, capacityFrames: 8192 });
    dc.connect(node).connect(ctx.destination);
    dc.start();
    await ctx.startRendering();
    await node.flush();
    const dst = new Float32Array(frames);
    // Asks the worklet for the captured frames; the reply is in flight when reset() is called.
    const before = node.reader.tryRead(dst);
    await node.reset();
    await node.flush();
    const after = await node.reader.readWithTimeout(dst, 200);
    return { before: before.status, after, availableRead: node.reader.availableRead };
  });
  expect(r.before).toBe('not-ready');
  // The ring restarted empty and the context no longer renders: nothing to read.
  expect(r.after).toEqual({ status: 'timeout', frames: 0 });
  expect(r.availableRead).toBe(0);
});
