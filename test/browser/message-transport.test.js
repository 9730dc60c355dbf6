// The message transport's promises on the paths a page without
// SharedArrayBuffer walks: a write racing reset(), a closed reader draining,
// waits on a worklet that does not answer, and flush() saying what happened.
// In every engine, on a page that is not cross-origin isolated. Every node
// here asks for transport 'message': WebKitGTK run with SharedArrayBuffer
// exposes it even on such a page (engines.js), where 'auto' still picks the
// message transport, but the file does not lean on that choice.
//
// Firefox's OfflineAudioContext has no suspend(), and its test stand-in
// (offline-suspend.js) blocks the rendering thread, so the worklet could not
// answer the port during a pause. The tests that act in the middle of a
// render therefore use a realtime AudioContext that runs only between
// suspend() and resume(), with a capture node recording what was played.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser({ isolate: false });
  const sab = b.engine.sharedArrayBufferEverywhere ? 'function' : 'undefined'; // see engines.js
  expect(await b.page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([false, sab]);
});

afterAll(async () => {
  await b?.close();
});

test('a write racing reset() is kept in the new ring, and the writer still writes after it has played', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    // The context renders only between resume() and suspend(), so what the
    // source plays is known frame by frame; the capture node behind it
    // records exactly that.
    const ctx = new AudioContext({ sampleRate: 48000 });
    await Promise.race([ctx.suspend(), sleep(10000)]);
    const suspended0 = ctx.state;
    const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 4096, transport: 'message' });
    const tap = await RingletNode.create(ctx, {
      mode: 'capture',
      channels: 1,
      capacityFrames: 131072,
      transport: 'message',
    });
    node.connect(tap).connect(ctx.destination);
    // Below the limiter's ceiling, so the chain passes the ramps exactly.
    const raced = Float32Array.from({ length: 1024 }, (_, i) => (0.5 * (i + 1)) / 1024);
    const later = Float32Array.from({ length: 2048 }, (_, i) => (-0.5 * (i + 1)) / 2048);
    await node.flush();
    const resetting = node.reset();
    // Posted after 'reset', before 'ready': the race the writer must survive.
    const racedFrames = node.writer.tryWrite(raced);
    await resetting;
    await node.flush();
    // Everything the source plays, read as it comes (bounded by the buffer:
    // 30 s at 48 kHz, far more than a loaded machine lets it run).
    const played = new Float32Array(30 * 48000);
    let got = 0;
    let reading = true;
    const reader = (async () => {
      while (reading && got < played.length) {
        const res = await tap.reader.read(played.subarray(got, Math.min(played.length, got + 4096)), { timeoutMs: 20 });
        got += res.frames;
        if (res.status === 'closed') break;
      }
    })();
    await Promise.race([ctx.resume(), sleep(10000)]);
    // The tap records what the source plays in the same quantum: once it
    // has the raced frames, they have played. Bounded: 20 s.
    for (let i = 0; i < 4000 && got < raced.length; i++) await sleep(5);
    await Promise.race([ctx.suspend(), sleep(10000)]);
    const suspended1 = ctx.state;
    await node.flush();
    const before = { availableWrite: node.writer.availableWrite, availableRead: node.writer.availableRead };
    const write = await node.writer.write(later, { timeoutMs: 2000 });
    const second = { ...before, write };
    await node.flush();
    await Promise.race([ctx.resume(), sleep(10000)]);
    // The second write starts where the first negative sample is; bounded: 20 s.
    const laterStart = () => played.subarray(0, got).findIndex((x) => x < 0);
    for (let i = 0; i < 1000 && !(laterStart() >= 0 && got >= laterStart() + later.length); i++) await sleep(20);
    reading = false;
    await reader;
    await ctx.close();
    const at = laterStart();
    let racedMismatches = 0;
    for (let i = 0; i < raced.length; i++) if (played[i] !== Math.fround(raced[i])) racedMismatches++;
    // Between the two: silence (the source ran dry while nothing was written).
    let gapNonZero = 0;
    for (let i = raced.length; i < at; i++) if (played[i] !== 0) gapNonZero++;
    let laterMismatches = 0;
    for (let i = 0; i < later.length; i++) if (played[at + i] !== Math.fround(later[i])) laterMismatches++;
    return {
      states: [suspended0, suspended1],
      transport: node.transport,
      racedFrames,
      racedMismatches,
      second,
      at,
      gapNonZero,
      laterMismatches,
      capacity: node.writer.capacityFrames,
    };
  });
  expect(r.states).toEqual(['suspended', 'suspended']);
  expect(r.transport).toBe('message');
  expect(r.racedFrames).toBe(1024);
  // The raced frames went into the new ring and played first.
  expect(r.racedMismatches).toBe(0);
  // Once they played, the writer's view of the ring is an empty ring, not a wrapped count.
  expect(r.second).toEqual({
    availableWrite: r.capacity,
    availableRead: 0,
    write: { status: 'ready', frames: 2048 },
  });
  expect(r.at).toBeGreaterThanOrEqual(1024);
  expect(r.gapNonZero).toBe(0);
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
    const node = await RingletNode.create(ctx, {
      mode: 'capture',
      channels: 1,
      capacityFrames: 8192,
      transport: 'message',
    });
    src.connect(node).connect(ctx.destination);
    src.start();
    await ctx.startRendering();
    node.reader.close();
    const got = new Float32Array(frames + 1024);
    let total = 0;
    const statuses = [];
    // Bounded: 64 reads of up to 1024 frames are far more than 4096 frames need.
    for (let i = 0; i < 64; i++) {
      const res = await node.reader.read(got.subarray(total, total + 1024), { timeoutMs: 1000 });
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

test('reads and writes on a worklet that does not answer (rendering thread held) arm one timer at a time and leave nothing behind', async () => {
  const r = await b.page.evaluate(async () => {
    const { captureAndSource } = await import('/test/browser/fixtures/message-nodes.js');
    const { trackTimers } = await import('/test/browser/fixtures/trackers.js');
    const { holdRenderingThread } = await import('/test/browser/fixtures/hold.js');
    const ctx = new AudioContext();
    const { capture, source } = await captureAndSource(ctx);
    // Far longer than the waits below (checked: heldThroughout): the processors cannot answer any of them.
    // Suspended first: the held thread then starves no audio output, and a
    // suspended context's processors otherwise answer the port at once.
    await Promise.race([ctx.suspend(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    const hold = await holdRenderingThread(ctx, 4000);
    const timers = trackTimers();
    try {
      const reads = [];
      for (let i = 0; i < 3; i++) reads.push(await capture.reader.read(new Float32Array(512), { timeoutMs: 100 }));
      const readMaxLive = timers.maxLive;
      const readLeft = timers.live;
      timers.resetCounts();
      // More than the ring holds: the write must wait for space that never comes.
      const write = await source.writer.write(new Float32Array(8192), { timeoutMs: 100 });
      const writeMaxLive = timers.maxLive;
      const writeLeft = timers.live;
      return {
        heldThroughout: hold.held,
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
      await hold.released;
      await ctx.close();
    }
  });
  // The waits really ran against a worklet that did not answer.
  expect(r.heldThroughout).toBe(true);
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
    const { captureAndSource, drainCaptured } = await import('/test/browser/fixtures/message-nodes.js');
    const ctx = new AudioContext();
    const { capture, source } = await captureAndSource(ctx);
    // Suspended, nothing more is captured; what was, is read first.
    await Promise.race([ctx.suspend(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    await drainCaptured(capture);
    // Timeouts far beyond the test's bounds: only the close can end these waits.
    const reading = capture.reader.read(new Float32Array(512), { timeoutMs: 600000 });
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

test('a reader on a suspended context asks the worklet once: the read waits there, and the wait ends in timeout', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    const node = await RingletNode.create(ctx, {
      mode: 'capture',
      channels: 1,
      capacityFrames: 4096,
      transport: 'message',
    });
    await ctx.suspend();
    // What was captured before the suspend comes first.
    const { drainCaptured } = await import('/test/browser/fixtures/message-nodes.js');
    await drainCaptured(node);
    let posted = 0;
    let reads = 0;
    const post = node.port.postMessage;
    node.port.postMessage = function (...args) {
      posted += 1;
      if (args[0]?.type === 'read') reads += 1;
      return post.apply(this, args);
    };
    const res = await node.reader.read(new Float32Array(512), { timeoutMs: 300 });
    node.port.postMessage = post;
    const stats = node.debugStats();
    await ctx.close();
    return { status: res.status, posted, reads, stats };
  });
  expect(r.status).toBe('timeout');
  // The worklet holds a read that finds its ring empty until frames come,
  // so the reader neither ping-pongs nor polls: in 300 ms it asks once at
  // most (none when the drain's last read is still the one held).
  expect(r.reads).toBeLessThanOrEqual(1);
  expect(r.posted).toBeLessThanOrEqual(61);
  expect(r.stats).toMatchObject({ timers: 0, waiters: 0 });
});

test('on a running context, a capture read is never answered empty: it waits in the worklet for two quanta of frames', async () => {
  const r = await b.page.evaluate(async () => {
    const { constantCapture } = await import('/test/browser/fixtures/message-nodes.js');
    const ctx = new AudioContext();
    const node = await constantCapture(ctx, 0.25);
    /** @type {number[]} */
    const replies = [];
    let reads = 0;
    const onMessage = (/** @type {MessageEvent} */ e) => {
      if (e.data?.type === 'data') replies.push(e.data.frames);
    };
    node.port.addEventListener('message', onMessage);
    const post = node.port.postMessage;
    node.port.postMessage = function (...args) {
      if (args[0]?.type === 'read') reads += 1;
      return post.apply(this, args);
    };
    // The reader asks again as soon as it has taken a chunk. Bounded: 400
    // reads of up to 1024 frames, each waiting at most 5 s (a render thread
    // on a loaded machine can stall for a second).
    const dst = new Float32Array(1024);
    let frames = 0;
    let wrong = 0;
    const statuses = new Set();
    /** What the page saw when a read did not come back ready, for the log. */
    const stalls = [];
    for (let i = 0; i < 400 && frames < 24000; i++) {
      const t0 = performance.now();
      const res = await node.reader.read(dst, { timeoutMs: 5000 });
      if (res.status !== 'ready') {
        stalls.push({ i, frames, res, ms: performance.now() - t0, time: ctx.currentTime, stats: node.stats() });
      }
      statuses.add(res.status);
      for (let k = 0; k < res.frames; k++) if (dst[k] !== 0.25 && frames + k >= 2048) wrong++;
      frames += res.frames;
    }
    node.port.postMessage = post;
    node.port.removeEventListener('message', onMessage);
    const state = ctx.state;
    await ctx.close();
    return { frames, wrong, statuses: [...statuses], reads, replies, state, stalls };
  });
  expect(r.state).toBe('running');
  if (r.stalls.length > 0) console.log(`${b.engine.id}: ${JSON.stringify(r.stalls)}`);
  expect(r.statuses).toEqual(['ready']);
  expect(r.frames).toBeGreaterThanOrEqual(24000);
  expect(r.wrong).toBe(0);
  // Every answer carried frames: at least one quantum (a read that arrives
  // while frames wait is answered at once with them), usually two.
  expect(r.replies.filter((n) => n === 0)).toEqual([]);
  expect(Math.min(...r.replies)).toBeGreaterThanOrEqual(128);
  // So the reader asked at most once per quantum, with a request or two in flight at the end.
  expect(r.reads).toBeLessThanOrEqual(Math.ceil(r.frames / 128) + 2);
});

test('flush() rejects with RingletError TIMEOUT when the worklet does not answer, and leaves no timer', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const { trackTimers } = await import('/test/browser/fixtures/trackers.js');
    const { holdRenderingThread } = await import('/test/browser/fixtures/hold.js');
    const ctx = new AudioContext();
    const node = await RingletNode.create(ctx, { channels: 1, transport: 'message' });
    const flushed = await node.flush({ timeoutMs: 1000 }).then(
      () => 'resolved',
      (e) => e.code,
    );
    // Suspended first: the held thread then starves no audio output, and a
    // suspended context's processors otherwise answer the port at once.
    await Promise.race([ctx.suspend(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    const hold = await holdRenderingThread(ctx, 3000);
    const timers = trackTimers();
    try {
      const outcome = await node.flush({ timeoutMs: 200 }).then(
        (v) => ({ resolved: v }),
        (e) => ({ name: e.name, code: e.code, message: e.message }),
      );
      return { heldThroughout: hold.held, flushed, outcome, live: timers.live, stats: node.debugStats() };
    } finally {
      timers.restore();
      await hold.released;
      await ctx.close();
    }
  });
  expect(r.flushed).toBe('resolved');
  // The flush really ran against a worklet that did not answer.
  expect(r.heldThroughout).toBe(true);
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
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 1, transport: 'message' });
    // A native analyser reads the output, so nothing here talks to the node.
    const probe = new AnalyserNode(ctx, { fftSize: 256 });
    dc.connect(node).connect(probe).connect(ctx.destination);
    dc.start();
    // Rendering first, then suspended: WebKitGTK's output sometimes never
    // restarts when a context is suspended within its first quanta (its
    // state says 'running' and currentTime stands still).
    await Promise.race([ctx.resume(), sleep(10000)]);
    for (let i = 0; i < 500 && ctx.currentTime < 0.2; i++) await sleep(20);
    await ctx.suspend();
    await node.flush();
    // The core's queue holds 64; it takes nothing while suspended. 69
    // settings that leave DC alone fill it, and the last one, a -20 dB low
    // shelf (DC x 0.1), waits in the worklet.
    for (let i = 0; i < 69; i++) node.eq.setBand(1 + (i % 7), { frequency: 200 + 10 * i, gainDb: 0 });
    node.eq.setBand(0, { type: 'lowshelf', frequency: 1000, gainDb: -20 });
    await sleep(100);
    await Promise.race([ctx.resume(), sleep(10000)]);
    // WebKitGTK can report 'running' after resume() while its clock stands
    // still; a second suspend/resume (a call to the context, not to the
    // node) restarts it. Bounded: three tries.
    let restarts = 0;
    const resumedAt = ctx.currentTime;
    const advanced = async () => {
      for (let i = 0; i < 100; i++) {
        if (ctx.currentTime > resumedAt + 0.1) return true;
        await sleep(20);
      }
      return false;
    };
    while (!(await advanced()) && restarts < 3) {
      restarts += 1;
      await Promise.race([ctx.suspend().then(() => ctx.resume()), sleep(5000)]);
    }
    const rendering = ctx.currentTime > resumedAt + 0.1;
    const out = new Float32Array(256);
    let level = NaN;
    // Bounded: 20 s for one setting to apply, far more than a quantum needs
    // even on a loaded machine.
    for (let i = 0; i < 1000; i++) {
      await sleep(20);
      probe.getFloatTimeDomainData(out);
      level = out[255];
      if (Math.abs(level - 0.025) < 1e-3) break;
    }
    const stats = node.debugStats();
    const state = ctx.state;
    node.dispose();
    await ctx.close();
    return { state, rendering, restarts, level, stats };
  });
  expect(r.state).toBe('running');
  // The engine renders again (what follows is about ringlet, not the engine).
  expect({ rendering: r.rendering, restarts: r.restarts }).toEqual({ rendering: true, restarts: expect.any(Number) });
  expect(r.level).toBeCloseTo(0.025, 3);
  expect(r.stats).toMatchObject({ paramBacklog: 0, timers: 0 });
});

test('after reset(), a capture reader hands out nothing captured before it, even a chunk already on its way', async () => {
  const r = await b.page.evaluate(async () => {
    const { constantCapture } = await import('/test/browser/fixtures/message-nodes.js');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const ctx = new AudioContext();
    const node = await constantCapture(ctx, 0.5);
    // Bounded: 10 s to capture 1024 frames, far more than they take.
    for (let i = 0; i < 500 && node.reader.availableRead < 1024; i++) {
      await node.flush();
      await sleep(20);
    }
    // Suspended, the context captures nothing more, and its processor still
    // answers: reset() runs on a live context.
    await Promise.race([ctx.suspend(), sleep(2000)]);
    const state = ctx.state;
    await node.flush();
    const captured = node.reader.availableRead;
    const dst = new Float32Array(8192);
    // Asks the worklet for the captured frames; the reply is in flight when reset() is called.
    const before = node.reader.tryRead(dst);
    await node.reset();
    await node.flush();
    const after = await node.reader.read(dst, { timeoutMs: 200 });
    const availableRead = node.reader.availableRead;
    await ctx.close();
    return { state, captured, before: before.status, after, availableRead };
  });
  expect(r.state).toBe('suspended');
  // There was something captured before reset(), and the read for it was on its way.
  expect(r.captured).toBeGreaterThanOrEqual(1024);
  expect(r.before).toBe('not-ready');
  // The ring restarted empty and the context no longer renders: nothing to read.
  expect(r.after).toEqual({ status: 'timeout', frames: 0 });
  expect(r.availableRead).toBe(0);
});

test('writes made in one task travel in one message per 128 KiB chunk (16384 stereo frames), in call order with other messages, and play sample-exact', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const total = 40000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: total, sampleRate: 48000 });
    const node = await RingletNode.create(ctx, { channels: 2, capacityFrames: 65536, transport: 'message' });
    node.connect(ctx.destination);
    await node.flush();
    /** @type {Array<{ type: string, frames?: number }>} */
    const posted = [];
    const post = node.port.postMessage;
    node.port.postMessage = function (message, ...rest) {
      posted.push({ type: message?.type, frames: message?.frames });
      return post.call(this, message, ...rest);
    };
    // Below the limiter's ceiling, so the chain passes the ramp exactly.
    const value = (i, c) => (c === 0 ? (0.5 * ((i % 1000) + 1)) / 1000 : (-0.5 * ((i % 333) + 1)) / 333);
    let written = 0;
    let accepted = 0;
    let beforeSetting = 0;
    // Seeded sizes from 1 to 300 frames, interleaved and planar in turn.
    let seed = 7;
    for (let k = 0; written < total; k++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = Math.min(total - written, 1 + (seed % 300));
      if (k % 2 === 0) {
        const x = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) {
          x[2 * i] = value(written + i, 0);
          x[2 * i + 1] = value(written + i, 1);
        }
        accepted += node.writer.tryWrite(x);
      } else {
        const planes = [new Float32Array(n), new Float32Array(n)];
        for (let i = 0; i < n; i++) {
          planes[0][i] = value(written + i, 0);
          planes[1][i] = value(written + i, 1);
        }
        accepted += node.writer.tryWrite(planes);
      }
      written += n;
      if (beforeSetting === 0 && written >= 20000) {
        beforeSetting = written;
        // A setting that leaves the audio alone, posted between two writes.
        node.eq.setBand(3, { frequency: 1234, gainDb: 0 });
      }
    }
    const sync = posted.map((m) => m.type);
    // Nothing else is called: the last writes go out when this task's code ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const afterTask = posted.map((m) => m.type);
    node.port.postMessage = post;
    await node.flush();
    const out = await ctx.startRendering();
    let mismatches = 0;
    for (let i = 0; i < total; i++) {
      if (
        out.getChannelData(0)[i] !== Math.fround(value(i, 0)) ||
        out.getChannelData(1)[i] !== Math.fround(value(i, 1))
      )
        mismatches++;
    }
    return { total, accepted, beforeSetting, sync, afterTask, posted, mismatches };
  });
  expect(r.accepted).toBe(r.total);
  const chunks = (/** @type {number} */ frames) => Math.ceil(frames / 16384);
  const writes = (/** @type {string[]} */ types) => types.filter((t) => t === 'write').length;
  // The setting's message comes after every write made before it, and before any made after it.
  const param = r.afterTask.indexOf('param');
  expect(r.afterTask.slice(0, param)).toEqual(Array(chunks(r.beforeSetting)).fill('write'));
  // While the task ran, only full chunks after the setting went out; the rest when it ended.
  const after = r.total - r.beforeSetting;
  expect(writes(r.sync.slice(param + 1))).toBe(Math.floor(after / 16384));
  expect(writes(r.afterTask.slice(param + 1))).toBe(chunks(after));
  expect(r.posted.filter((m) => m.type === 'write').reduce((sum, m) => sum + (m.frames ?? 0), 0)).toBe(r.total);
  expect(r.mismatches).toBe(0);
});
