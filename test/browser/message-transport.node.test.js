// The message transport: the same RingletNode API on pages that are not
// cross-origin isolated, moving audio over the node's port.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { describe, openBrowser, test } from './harness.js';

/**
 * Renders `frames` of a stereo ramp through a source node, feeding it at
 * suspend points so the ring (4096) is smaller than the render. In page.
 * @param {string} transport
 */
async function renderRamp(transport) {
  const { RingletNode } = await import('/dist/ringlet.js');
  const sampleRate = 48000;
  const frames = 48000;
  const checkpoint = 2048;
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate });
  const node = await RingletNode.create(ctx, { channels: 2, capacityFrames: 4096, transport });
  node.connect(ctx.destination);
  // Below the limiter's -1 dBFS ceiling, so the chain passes it exactly.
  const ramp = (i, c) => (c === 0 ? (0.8 * (i % 4800)) / 4800 : -0.8 * ((i % 777) / 777));
  let written = 0;
  const feed = async (upTo) => {
    const n = upTo - written;
    if (n <= 0) return;
    const left = new Float32Array(n);
    const right = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      left[i] = ramp(written + i, 0);
      right[i] = ramp(written + i, 1);
    }
    const r = await node.writer.write([left, right], { timeoutMs: 5000 });
    if (r.status !== 'ready') throw new Error(`write: ${r.status}`);
    written = upTo;
  };
  const statuses = [];
  for (let t = 0; t < frames; t += checkpoint) {
    ctx.suspend(t / sampleRate).then(async () => {
      await feed(Math.min(frames, t + 4096));
      // On 'message' the write reaches the worklet only after a round trip:
      // WebKit's worklet takes port messages only while the render is suspended.
      await node.flush();
      // Wait (bounded) until the worklet's ring holds the next stretch.
      const deadline = performance.now() + 5000;
      while (node.stats().availableRead < Math.min(checkpoint, frames - t) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
      }
      statuses.push(node.stats().availableRead >= Math.min(checkpoint, frames - t));
      await ctx.resume();
    });
  }
  const out = await ctx.startRendering();
  let mismatches = 0;
  for (let i = 0; i < frames; i++) {
    if (out.getChannelData(0)[i] !== Math.fround(ramp(i, 0)) || out.getChannelData(1)[i] !== Math.fround(ramp(i, 1)))
      mismatches++;
  }
  // On the message transport stats() is the last snapshot and asks for a
  // fresh one; give it a bounded moment to catch up with the finished render.
  const settle = performance.now() + 3000;
  while (node.stats().framesProcessed < frames && performance.now() < settle)
    await new Promise((r) => setTimeout(r, 20));
  return {
    transport: node.transport,
    frames,
    played: frames,
    mismatches,
    fed: statuses.every(Boolean),
    stats: node.stats(),
    handle: node.writerHandle,
  };
}

/**
 * The same ramp through a source node in a realtime AudioContext, for
 * engines whose OfflineAudioContext has no suspend() (Firefox): its test
 * stand-in holds the rendering thread, so a port-fed ring could not be fed
 * during a pause. The ring (32768) is smaller than the ramp (96000): it is
 * filled while the context is suspended, then kept topped up while it plays,
 * and closed after the last frame so a drained ring is the stream's end, not
 * an underrun. A capture node behind the source records what it played. In
 * page.
 * @param {string} transport
 */
async function renderRampRealtime(transport) {
  const { RingletNode } = await import('/dist/ringlet.js');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const sampleRate = 48000;
  const frames = 96000;
  const capacityFrames = 32768;
  const ctx = new AudioContext({ sampleRate });
  await Promise.race([ctx.suspend(), sleep(10000)]);
  const suspended = ctx.state === 'suspended';
  const node = await RingletNode.create(ctx, { channels: 2, capacityFrames, transport });
  const tap = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: 131072, transport });
  node.connect(tap).connect(ctx.destination);
  // Below the limiter's -1 dBFS ceiling, so the chain passes it exactly.
  const ramp = (i, c) => (c === 0 ? (0.8 * (i % 4800)) / 4800 : -0.8 * ((i % 777) / 777));
  let written = 0;
  const statuses = [];
  const feed = async (upTo) => {
    const n = upTo - written;
    const left = new Float32Array(n);
    const right = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      left[i] = ramp(written + i, 0);
      right[i] = ramp(written + i, 1);
    }
    // 5 s is far more than a loaded machine needs for the core to free a chunk.
    const r = await node.writer.write([left, right], { timeoutMs: 5000 });
    statuses.push(r.status === 'ready' && r.frames === n);
    written = upTo;
  };
  await feed(capacityFrames);
  await node.flush();
  // Bounded: the whole pre-fill is in the worklet's ring before it plays.
  for (let i = 0; i < 250 && node.stats().availableRead < capacityFrames; i++) {
    await sleep(20);
    await node.flush();
  }
  const prefilled = node.stats().availableRead;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  let got = 0;
  const reading = (async () => {
    const deadline = performance.now() + 30000;
    while (got < frames && performance.now() < deadline) {
      const n = Math.min(4096, frames - got);
      const res = await tap.reader.readWithTimeout([left.subarray(got, got + n), right.subarray(got, got + n)], 50);
      got += res.frames;
    }
  })();
  await Promise.race([ctx.resume(), sleep(10000)]);
  while (written < frames) await feed(Math.min(frames, written + 4096));
  node.writer.close();
  await reading;
  await Promise.race([ctx.suspend(), sleep(10000)]);
  await node.flush();
  const stats = node.stats();
  await ctx.close();
  let mismatches = 0;
  for (let i = 0; i < frames; i++) {
    if (left[i] !== Math.fround(ramp(i, 0)) || right[i] !== Math.fround(ramp(i, 1))) mismatches++;
  }
  return {
    transport: node.transport,
    frames,
    played: got,
    mismatches,
    fed: suspended && prefilled === capacityFrames && statuses.every(Boolean),
    stats,
    handle: node.writerHandle,
  };
}

/**
 * How this engine renders the ramp with a port-fed ring: offline where
 * OfflineAudioContext has suspend(), realtime in Firefox (it has none).
 * @param {import('./engines.js').Engine} engine
 */
const clockOf = (engine) => (engine.family === 'firefox' ? 'realtime' : 'offline');

describe('on a page that is not cross-origin isolated', () => {
  /** @type {Awaited<ReturnType<typeof openBrowser>>} */
  let b;
  beforeAll(async () => {
    b = await openBrowser({ isolate: false });
  });
  afterAll(async () => {
    await b?.close();
  });

  test('auto picks the message transport, and a source renders a ramp sample-exact', async () => {
    const sab = b.engine.sharedArrayBufferEverywhere ? 'function' : 'undefined'; // see engines.js
    expect(await b.page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([false, sab]);
    const clock = clockOf(b.engine);
    const r = await b.page.evaluate(clock === 'offline' ? renderRamp : renderRampRealtime, 'auto');
    expect(r.transport).toBe('message');
    expect(r.played).toBe(r.frames);
    expect(r.mismatches).toBe(0);
    expect(r.fed).toBe(true);
    expect(r.handle).toBeNull();
    // Realtime, the context plays on until it is suspended after the ramp.
    if (clock === 'offline') expect(r.stats.framesProcessed).toBe(r.frames);
    else expect(r.stats.framesProcessed).toBeGreaterThanOrEqual(r.frames);
    expect(r.stats.underruns).toBe(0);
  });

  test("transport 'shared' is refused with NOT_ISOLATED; writeSync is refused with WAIT_NOT_ALLOWED", async () => {
    const r = await b.page.evaluate(async () => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48000 });
      let shared;
      try {
        await RingletNode.create(ctx, { transport: 'shared' });
        shared = 'resolved';
      } catch (e) {
        shared = e.code;
      }
      const node = await RingletNode.create(ctx, { channels: 1 });
      let sync;
      try {
        node.writer.writeSync(new Float32Array(4), 10);
        sync = 'returned';
      } catch (e) {
        sync = e.code;
      }
      return { shared, sync };
    });
    expect(r).toEqual({ shared: 'NOT_ISOLATED', sync: 'WAIT_NOT_ALLOWED' });
  });

  test('a capture node hands its input to a reader over the port', async () => {
    const r = await b.page.evaluate(async () => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const frames = 4096;
      const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: 48000 });
      const buffer = ctx.createBuffer(2, frames, 48000);
      for (let i = 0; i < frames; i++) {
        buffer.getChannelData(0)[i] = (0.8 * i) / frames;
        buffer.getChannelData(1)[i] = (-0.8 * i) / frames;
      }
      const src = new AudioBufferSourceNode(ctx, { buffer });
      const node = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: 8192 });
      src.connect(node).connect(ctx.destination);
      src.start();
      await ctx.startRendering();
      const left = new Float32Array(frames);
      const right = new Float32Array(frames);
      let got = 0;
      const deadline = performance.now() + 5000;
      while (got < frames && performance.now() < deadline) {
        const l = left.subarray(got);
        const rr = right.subarray(got);
        const res = await node.reader.readWithTimeout([l, rr], 1000);
        if (res.status === 'ready') got += res.frames;
      }
      let mismatches = 0;
      for (let i = 0; i < frames; i++)
        if (left[i] !== Math.fround((0.8 * i) / frames) || right[i] !== Math.fround((-0.8 * i) / frames)) mismatches++;
      return { transport: node.transport, got, mismatches };
    });
    expect(r).toEqual({ transport: 'message', got: 4096, mismatches: 0 });
  });

  test('meters, the analyser and settings work over the port (last snapshot, refreshed per frame)', async () => {
    const r = await b.page.evaluate(async (clock) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const sampleRate = 48000;
      // Firefox's OfflineAudioContext has no suspend(): there the same tone
      // plays in a realtime context, and the checks run while it plays.
      const ctx =
        clock === 'offline'
          ? new OfflineAudioContext({ numberOfChannels: 1, length: 3 * sampleRate, sampleRate })
          : new AudioContext({ sampleRate });
      const node = await RingletNode.create(ctx, { mode: 'source', channels: 1 });
      node.generator.set({ type: 'sine', frequency: 1500, amplitude: 0.5 });
      node.generator.start();
      // Over a port, settings land asynchronously: make sure they have before rendering.
      await node.flush();
      node.connect(ctx.destination);
      const settle = async (check) => {
        const deadline = performance.now() + 3000;
        while (!check() && performance.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      };
      let meters;
      let peakBin = -1;
      let time = 0;
      const inspect = async (atFrames) => {
        // Snapshots arrive over the port; ask until the state at `atFrames` has landed.
        await settle(() => node.meters().peak[0] > 0.49 && node.stats().framesProcessed >= atFrames - 128);
        meters = node.meters();
        const spectrum = new Float32Array(node.analyser.frequencyBinCount);
        const samples = new Float32Array(node.analyser.fftSize);
        await settle(() => {
          node.analyser.getFloatTimeDomainData(samples);
          return samples.some((x) => Math.abs(x) > 0.4);
        });
        node.analyser.getFloatFrequencyData(spectrum);
        peakBin = spectrum.indexOf(Math.max(...spectrum));
        time = Math.max(...samples.map(Math.abs));
      };
      if (clock === 'offline') {
        ctx.suspend(2.5).then(async () => {
          await inspect(2.5 * sampleRate);
          await ctx.resume();
        });
        await ctx.startRendering();
      } else {
        await Promise.race([ctx.resume(), new Promise((res) => setTimeout(res, 2000))]);
        // As offline: 2.5 s of tone, so the RMS meter (300 ms time constant)
        // has settled. Bounded: 15 s for them to play.
        for (let i = 0; i < 750 && node.stats().framesProcessed < 2.5 * sampleRate; i++)
          await new Promise((res) => setTimeout(res, 20));
        await inspect(2.5 * sampleRate);
        await ctx.close();
      }
      return { transport: node.transport, meters, peakBin, time };
    }, clockOf(b.engine));
    expect(r.transport).toBe('message');
    expect(r.meters.peak[0]).toBeCloseTo(0.5, 3);
    expect(Math.abs(20 * Math.log10(r.meters.rms[0] / (0.5 / Math.SQRT2)))).toBeLessThan(0.1);
    expect(r.peakBin).toBe(64); // 1500 Hz / (48000 / 2048)
    expect(r.time).toBeCloseTo(0.5, 2);
  });

  test('after reset() the port writer works again and the chain keeps its settings', async () => {
    const r = await b.page.evaluate(async () => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 4096, sampleRate: 48000 });
      const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 1024 });
      node.eq.setBand(4, { gainDb: -20 });
      node.limiter.bypass = true;
      node.writer.tryWrite(new Float32Array(1024).fill(0.1));
      node.writer.close();
      await node.flush();
      await node.reset();
      const afterReset = {
        availableRead: node.writer.availableRead,
        availableWrite: node.writer.availableWrite,
        closed: node.writer.closed,
      };
      const res = await node.writer
        .write(new Float32Array(2048).fill(0.25), { timeoutMs: 2000 })
        .catch((e) => e.message);
      return { afterReset, res, band: node.eq.getBand(4).gainDb, bypass: node.limiter.bypass };
    });
    expect(r.afterReset).toEqual({ availableRead: 0, availableWrite: 1024, closed: false });
    // 1024 fit at once; the rest waits for a consumer that is not rendering, so a timeout with 1024 written.
    expect(r.res).toEqual({ status: 'timeout', frames: 1024 });
    expect(r.band).toBe(-20);
    expect(r.bypass).toBe(true);
  });

  test('the analyser keeps updating when read every 16 ms over the port', async () => {
    // The tone changes pitch several times while the page reads the spectrum
    // every 16 ms; an analyser that froze after its first snapshots would stay
    // on the old pitch. Each window waits (bounded) for the new peak, so a slow
    // machine only makes a window longer.
    const r = await b.page.evaluate(async () => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const ctx = new AudioContext();
      const node = await RingletNode.create(ctx, { mode: 'source', channels: 1 });
      node.generator.set({ type: 'sine', frequency: 3000, amplitude: 0.5 });
      node.generator.start();
      node.connect(ctx.destination);
      await Promise.race([ctx.resume(), new Promise((res) => setTimeout(res, 2000))]);
      const binHz = ctx.sampleRate / node.analyser.fftSize;
      const spectrum = new Float32Array(node.analyser.frequencyBinCount);
      const windows = [];
      for (const frequency of [3000, 1200, 6000, 2000, 4500]) {
        node.generator.set({ frequency });
        const expected = Math.round(frequency / binHz);
        let reads = 0;
        let peakBin = -1;
        let finite = true;
        const deadline = performance.now() + 5000;
        while (performance.now() < deadline) {
          await new Promise((res) => setTimeout(res, 16));
          node.analyser.getFloatFrequencyData(spectrum);
          reads++;
          const peak = Math.max(...spectrum);
          finite = Number.isFinite(peak);
          peakBin = spectrum.indexOf(peak);
          if (Math.abs(peakBin - expected) <= 1) break;
        }
        windows.push({ frequency, expected, peakBin, finite, reads });
      }
      await ctx.close();
      return { transport: node.transport, windows };
    });
    expect(r.transport).toBe('message');
    const missed = r.windows.filter((w) => !(Math.abs(w.peakBin - w.expected) <= 1 && w.finite));
    expect(missed).toEqual([]);
    // The later windows needed several reads each: the pitch really moved
    // under a reader polling every 16 ms, and the reader saw it move.
    expect(r.windows.slice(1).every((w) => w.reads > 1)).toBe(true);
  });

  test('in a realtime AudioContext a message-fed source plays for over a second with no underrun after pre-fill', async () => {
    const r = await b.page.evaluate(async () => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const ctx = new AudioContext();
      // Pre-fill while suspended: over a port the fill takes a round trip.
      await ctx.suspend();
      const node = await RingletNode.create(ctx, { channels: 2, capacityFrames: 131072 });
      // 2 s of pre-fill, more than the 1.5 s judged below: the verdict then
      // does not depend on how promptly a busy machine runs this page's
      // top-up writes, only on the core never running short while its ring
      // holds audio.
      const prefillFrames = Math.ceil(ctx.sampleRate * 2);
      const prefilled = node.writer.tryWrite(new Float32Array(prefillFrames * 2).fill(0.05));
      await node.flush();
      const t0 = performance.now();
      while (node.stats().availableRead < prefillFrames && performance.now() - t0 < 10000)
        await new Promise((res) => setTimeout(res, 5));
      const buffered = node.stats().availableRead;
      node.connect(ctx.destination);
      await Promise.race([ctx.resume(), new Promise((res) => setTimeout(res, 2000))]);
      const chunk = new Float32Array(1024 * 2).fill(0.05);
      const start = node.stats().framesProcessed;
      const deadline = performance.now() + 20000;
      const statuses = new Set();
      while (node.stats().framesProcessed - start < ctx.sampleRate * 1.5 && performance.now() < deadline) {
        // 5 s is far more than a loaded machine needs for the core to free a
        // chunk, so 'timeout' here would be a stalled transport.
        statuses.add((await node.writer.write(chunk, { timeoutMs: 5000 })).status);
      }
      await node.flush();
      const end = node.stats();
      await ctx.close();
      return {
        prefilled,
        prefillFrames,
        buffered,
        played: end.framesProcessed - start,
        sampleRate: ctx.sampleRate,
        underruns: end.underruns,
        silentFrames: end.silentFrames,
        statuses: [...statuses],
      };
    });
    expect(r.prefilled).toBe(r.prefillFrames);
    expect(r.buffered).toBe(r.prefillFrames);
    expect(r.played).toBeGreaterThanOrEqual(r.sampleRate);
    expect(r.statuses).toEqual(['ready']);
    expect(r.underruns).toBe(0);
    expect(r.silentFrames).toBe(0);
    expect(b.errors).toEqual([]);
  });
});

describe('on an isolated page', () => {
  /** @type {Awaited<ReturnType<typeof openBrowser>>} */
  let b;
  beforeAll(async () => {
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
  });

  test.needs(['sharedArrayBuffer'], 'it compares the shared ring with the message transport');
  test('a forced message transport renders the same ramp sample-exact as the shared transport', async () => {
    const clock = clockOf(b.engine);
    const render = clock === 'offline' ? renderRamp : renderRampRealtime;
    const shared = await b.page.evaluate(render, 'shared');
    const message = await b.page.evaluate(render, 'message');
    expect(shared.transport).toBe('shared');
    expect(message.transport).toBe('message');
    expect([shared.played, message.played]).toEqual([shared.frames, message.frames]);
    expect(shared.mismatches).toBe(0);
    expect(message.mismatches).toBe(0);
    expect([shared.fed, message.fed]).toEqual([true, true]);
    expect([shared.stats.underruns, message.stats.underruns]).toEqual([0, 0]);
    // Realtime, each context plays on until it is suspended after the ramp.
    if (clock === 'offline') expect(message.stats.framesProcessed).toBe(shared.stats.framesProcessed);
    expect(b.errors).toEqual([]);
  });
});
