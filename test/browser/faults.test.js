// Bad input and faults in real Chromium: every public call refuses bad input
// with an error naming the parameter and changes nothing, and the node keeps
// playing correctly; panics under load, closed contexts, frozen pages and
// killed producers each recover or fail cleanly.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, openBrowser, test } from './harness.js';
import { serve } from '../../scripts/serve.mjs';

const HOOKS_WASM = '/build/wasm-hooks/ringlet.wasm';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
});
afterAll(async () => {
  await b?.close();
});

test.needs(['sharedArrayBuffer'], 'its matrix covers writerHandle, RingWriter on the ring and writeSync');
test('bad-input matrix: each call throws the right error naming its parameter, and the node keeps playing exactly', async () => {
  const r = await b.page.evaluate(async () => {
    const ringlet = await import('/dist/ringlet.js');
    const {
      RingletNode,
      RingWriter,
      RingReader,
      loadRinglet,
      unlockAudio,
      getAudioContext,
      onPanic,
      WorkerPool,
      BufferPool,
    } = ringlet;
    const sampleRate = 48000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 128 * 40, sampleRate });
    const node = await RingletNode.create(ctx, { channels: 2, capacityFrames: 8192 });
    const closed = new AudioContext();
    await closed.close();
    const detached = new Float32Array(256);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    const bigPlanar = [new Float32Array(4), new Float32Array(5)];
    /** [label, call, expected error name, expected word in the message] */
    const cases = [
      ['create: channels NaN', () => RingletNode.create(ctx, { channels: NaN }), 'RangeError', 'channels'],
      ['create: channels -1', () => RingletNode.create(ctx, { channels: -1 }), 'RangeError', 'channels'],
      ['create: channels "2"', () => RingletNode.create(ctx, { channels: '2' }), 'TypeError', 'channels'],
      [
        'create: capacity Infinity',
        () => RingletNode.create(ctx, { capacityFrames: Infinity }),
        'RangeError',
        'capacityFrames',
      ],
      [
        'create: capacity huge',
        () => RingletNode.create(ctx, { capacityFrames: 2 ** 31 }),
        'RangeError',
        'capacityFrames',
      ],
      ['create: mode null', () => RingletNode.create(ctx, { mode: null }), 'TypeError', 'mode'],
      [
        'create: transport bogus',
        () => RingletNode.create(ctx, { transport: 'carrier-pigeon' }),
        'TypeError',
        'transport',
      ],
      [
        'create: readyTimeoutMs -5',
        () => RingletNode.create(ctx, { readyTimeoutMs: -5 }),
        'RangeError',
        'readyTimeoutMs',
      ],
      ['create: options 7', () => RingletNode.create(ctx, 7), 'TypeError', 'options'],
      ['create: closed context', () => RingletNode.create(closed, {}), 'RingletError', 'closed'],
      ['create: not a context', () => RingletNode.create({}, {}), 'TypeError', 'context'],
      ['loadRinglet: closed context', () => loadRinglet(closed), 'RingletError', 'closed'],
      ['tryWrite: number', () => node.writer.tryWrite(42), 'TypeError', 'data'],
      ['tryWrite: Float64Array', () => node.writer.tryWrite(new Float64Array(4)), 'TypeError', 'data'],
      ['tryWrite: odd length', () => node.writer.tryWrite(new Float32Array(3)), 'RangeError', 'data'],
      ['tryWrite: planar unequal', () => node.writer.tryWrite(bigPlanar), 'RangeError', 'data'],
      [
        'tryWrite: planar 3 channels',
        () => node.writer.tryWrite([new Float32Array(2), new Float32Array(2), new Float32Array(2)]),
        'RangeError',
        'data',
      ],
      [
        'write: timeoutMs NaN',
        () => node.writer.write(new Float32Array(2), { timeoutMs: NaN }),
        'RangeError',
        'timeoutMs',
      ],
      [
        'write: timeoutMs Infinity',
        () => node.writer.write(new Float32Array(2), { timeoutMs: Infinity }),
        'RangeError',
        'timeoutMs',
      ],
      ['write: options 5', () => node.writer.write(new Float32Array(2), 5), 'TypeError', 'options'],
      [
        'writeSync on the main thread',
        () => node.writer.writeSync(new Float32Array(2), { timeoutMs: 10 }),
        'RingletError',
        'blocks',
      ],
      ['RingWriter: not a buffer', () => new RingWriter({}, 0), 'TypeError', 'buffer'],
      ['RingWriter: misaligned', () => new RingWriter(node.writerHandle.buffer, 3), 'RangeError', 'byteOffset'],
      ['RingWriter: no ring there', () => new RingWriter(node.writerHandle.buffer, 0), 'RingletError', 'ring'],
      ['RingReader.fromHandle: null', () => RingReader.fromHandle(null), 'TypeError', 'handle'],
      ['eq.setBand: index 8', () => node.eq.setBand(8, { gainDb: 1 }), 'RangeError', 'index'],
      ['eq.setBand: gainDb Infinity', () => node.eq.setBand(0, { gainDb: Infinity }), 'RangeError', 'gainDb'],
      ['eq.setBand: frequency -1', () => node.eq.setBand(0, { frequency: -1 }), 'RangeError', 'frequency'],
      [
        'eq.setBand: frequency Nyquist',
        () => node.eq.setBand(0, { frequency: sampleRate / 2 }),
        'RangeError',
        'frequency',
      ],
      ['eq.setBand: q NaN', () => node.eq.setBand(0, { q: NaN }), 'RangeError', 'q'],
      ['eq.setBand: band null', () => node.eq.setBand(0, null), 'TypeError', 'settings'],
      [
        'eq.bypass: "yes"',
        () => {
          node.eq.bypass = 'yes';
        },
        'TypeError',
        'bypass',
      ],
      ['limiter.set: ceilingDb 1', () => node.limiter.set({ ceilingDb: 1 }), 'RangeError', 'ceilingDb'],
      ['generator.set: amplitude -0.1', () => node.generator.set({ amplitude: -0.1 }), 'RangeError', 'amplitude'],
      ['generator.set: type "noise"', () => node.generator.set({ type: 'noise' }), 'TypeError', 'type'],
      [
        'analyser.fftSize 1000',
        () => {
          node.analyser.fftSize = 1000;
        },
        'RangeError',
        'fftSize',
      ],
      [
        'analyser.fftSize 65536',
        () => {
          node.analyser.fftSize = 65536;
        },
        'RangeError',
        'fftSize',
      ],
      [
        'analyser.smoothing 2',
        () => {
          node.analyser.smoothingTimeConstant = 2;
        },
        'RangeError',
        'smoothingTimeConstant',
      ],
      ['analyser.getFloatFrequencyData: Array', () => node.analyser.getFloatFrequencyData([]), 'TypeError', 'array'],
      ['reset: timeoutMs -1', () => node.reset({ timeoutMs: -1 }), 'RangeError', 'timeoutMs'],
      ['unlockAudio: not a context', () => unlockAudio({}), 'TypeError', 'context'],
      ['unlockAudio: timeoutMs NaN', () => unlockAudio(closed, { timeoutMs: NaN }), 'RangeError', 'timeoutMs'],
      ['getAudioContext: options 3', () => getAudioContext(3), 'TypeError', 'options'],
      ['onPanic: not a function', () => onPanic(5), 'TypeError', 'listener'],
      ['WorkerPool: maxWorkers 0', () => new WorkerPool({ maxWorkers: 0 }), 'RangeError', 'maxWorkers'],
      ['WorkerPool: taskTimeoutMs NaN', () => new WorkerPool({ taskTimeoutMs: NaN }), 'RangeError', 'taskTimeoutMs'],
      ['BufferPool: length -1', () => new BufferPool({ length: -1 }), 'RangeError', 'length'],
    ];
    // Everything a rejected call could touch, as plain data.
    const a = node.analyser;
    const snapshot = () =>
      JSON.parse(
        JSON.stringify({
          ring: { read: node.writer.availableRead, write: node.writer.availableWrite, closed: node.writer.closed },
          bands: Array.from({ length: node.eq.bandCount }, (_, i) => node.eq.getBand(i)),
          eqBypass: node.eq.bypass,
          limiter: node.limiter.get(),
          limiterBypass: node.limiter.bypass,
          analyser: [a.fftSize, a.smoothingTimeConstant, a.minDecibels, a.maxDecibels, a.frequencyBinCount],
          generator: node.generator.get(),
          generatorStarted: node.generator.started,
          gain: node.gain.value,
          state: node.state,
        }),
      );
    const before = snapshot();
    const outcomes = [];
    for (const [label, call, name, word] of cases) {
      let got;
      try {
        const value = call();
        if (value && typeof value.then === 'function') await value;
        got = { name: 'none', message: 'returned normally' };
      } catch (e) {
        got = { name: e?.name, message: String(e?.message) };
      }
      outcomes.push({
        label,
        ok: got.name === name && got.message.includes(word),
        got,
        want: `${name} naming ${word}`,
      });
    }
    // A detached buffer holds nothing: writing it moves nothing and throws nothing.
    const detachedWrite = node.writer.tryWrite(detached);
    const after = snapshot();
    // And the node still plays exactly what it is given.
    const frames = 128 * 40;
    const data = new Float32Array(frames * 2);
    for (let i = 0; i < frames; i++) {
      data[2 * i] = 0.5 * Math.sin(i / 7);
      data[2 * i + 1] = -0.25;
    }
    node.writer.tryWrite(data);
    node.connect(ctx.destination);
    const out = await ctx.startRendering();
    let mismatches = 0;
    for (let i = 0; i < frames; i++) {
      if (out.getChannelData(0)[i] !== data[2 * i] || out.getChannelData(1)[i] !== data[2 * i + 1]) mismatches++;
    }
    return {
      failed: outcomes.filter((o) => !o.ok),
      count: outcomes.length,
      before,
      after,
      detachedWrite,
      mismatches,
      state: node.state,
    };
  });
  expect(r.failed).toEqual([]);
  expect(r.count).toBeGreaterThan(40);
  expect(r.after).toEqual(r.before);
  expect(r.detachedWrite).toBe(0);
  expect(r.mismatches).toBe(0);
  expect(r.state).toBe('running');
});

test.needs(['sharedArrayBuffer'], "it reads the nodes' counters from the shared ring while they play");
test('a panic in one node under load silences only that node; the others keep playing, and reset recovers it', async () => {
  const r = await b.page.evaluate(async (wasmUrl) => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    const nodes = [];
    for (let i = 0; i < 12; i++) {
      const n = await RingletNode.create(ctx, { mode: 'source', channels: 2, wasmUrl });
      n.generator.set({ type: i % 2 ? 'pink-noise' : 'sawtooth', frequency: 220 + i * 10, amplitude: 0.02 });
      n.generator.start();
      for (let k = 0; k < 8; k++) n.eq.setBand(k, { gainDb: k % 2 ? 4 : -4 });
      n.connect(ctx.destination);
      nodes.push(n);
    }
    await Promise.race([ctx.resume(), new Promise((res) => setTimeout(res, 2000))]);
    await new Promise((res) => setTimeout(res, 300));
    const victim = nodes[5];
    const panicked = new Promise((res) => victim.addEventListener('panic', (e) => res(e.detail), { once: true }));
    victim.port.postMessage({ type: 'test:trap' });
    const report = await Promise.race([panicked, new Promise((res) => setTimeout(() => res(null), 5000))]);
    const frozen = victim.stats().framesProcessed;
    const others = nodes.filter((n) => n !== victim).map((n) => n.stats().framesProcessed);
    // Waits for progress rather than for a time: a loaded machine only makes
    // this longer. The 10 s guard only keeps a stalled graph from hanging the test.
    const until = async (done) => {
      const guard = performance.now() + 10000;
      while (!done() && performance.now() < guard) await new Promise((res) => setTimeout(res, 20));
    };
    // Every other node plays on: each advances by at least 8 quanta.
    await until(() =>
      nodes.filter((n) => n !== victim).every((n, i) => n.stats().framesProcessed - others[i] >= 8 * 128),
    );
    const victimAfter = victim.stats().framesProcessed;
    const othersAfter = nodes.filter((n) => n !== victim).map((n) => n.stats().framesProcessed);
    const states = nodes.map((n) => n.state);
    await victim.reset();
    victim.generator.start();
    const recoveredNow = () =>
      victim.stats().framesProcessed > 0 && victim.state === 'running' && victim.meters().peak[0] > 0;
    await until(recoveredNow);
    const recovered = recoveredNow();
    await ctx.close();
    return {
      report,
      victimAdvanced: victimAfter - frozen,
      othersAdvanced: othersAfter.map((v, i) => v - others[i]),
      states,
      recovered,
    };
  }, HOOKS_WASM);
  expect(r.report?.code).toBe('CORE_PANIC');
  // The panicked node outputs silence and its core no longer runs.
  expect(r.victimAdvanced).toBe(0);
  expect(Math.min(...r.othersAdvanced)).toBeGreaterThanOrEqual(8 * 128);
  expect(r.states.filter((s) => s === 'panicked')).toHaveLength(1);
  expect(r.recovered).toBe(true);
});

for (const transport of ['shared', 'message']) {
  if (transport === 'shared') test.needs(['sharedArrayBuffer'], 'the shared transport is a SharedArrayBuffer ring');
  test(`closing the context while a writer waits ends the wait with closed, long before its timeout; later calls fail cleanly (${transport} transport)`, async () => {
    const r = await b.page.evaluate(async (transport) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const ctx = new AudioContext();
      const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 256, transport });
      node.connect(ctx.destination);
      node.writer.tryWrite(new Float32Array(256));
      // A timeout far beyond the test's bounds, and 30 s of frames, which the
      // running node cannot take in before the close (4096 frames were once
      // all taken in the 100 ms below, on a busy machine): only the close
      // can end this wait.
      const pending = node.writer.write(new Float32Array(ctx.sampleRate * 30), { timeoutMs: 600000 });
      let settled = false;
      pending.then(() => {
        settled = true;
      });
      await new Promise((res) => setTimeout(res, 100));
      const settledBeforeClose = settled;
      await ctx.close();
      const result = await Promise.race([
        pending,
        new Promise((res) => setTimeout(() => res({ status: 'hung' }), 20000)),
      ]);
      let write;
      try {
        node.writer.tryWrite(new Float32Array(4));
        write = 'accepted';
      } catch (e) {
        write = e.code;
      }
      let create;
      try {
        await RingletNode.create(ctx);
        create = 'resolved';
      } catch (e) {
        create = e.code;
      }
      let reset;
      try {
        await node.reset({ timeoutMs: 300 });
        reset = 'resolved';
      } catch (e) {
        reset = e.code;
      }
      node.dispose();
      return {
        settledBeforeClose,
        status: result.status,
        closed: node.writer.closed,
        write,
        create,
        reset,
        state: node.state,
      };
    }, transport);
    expect(r.settledBeforeClose).toBe(false); // the wait really was waiting
    // The close ends the wait, not a timer: the write's own timeout is 600 s,
    // and the page gives up at 20 s with 'hung'.
    expect(r.status).toBe('closed');
    expect(r.closed).toBe(true);
    expect(r.write).toBe('CLOSED');
    expect(r.create).toBe('CONTEXT_CLOSED');
    expect(r.reset).toBe('CONTEXT_CLOSED');
    expect(r.state).toBe('disposed');
  });
}

/**
 * A Chromium whose page can really be frozen. Chromium freezes only hidden
 * pages, and the focus emulation Playwright turns on for pages it launches
 * keeps them visible, so Page.setWebLifecycleState did nothing there.
 * Connected over CDP with noDefaults, Playwright leaves the page as it is.
 */
async function openFreezableBrowser() {
  const server = await serve({ root: new URL('../..', import.meta.url).pathname, isolate: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'ringlet-chromium-'));
  const chrome = spawn(
    process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    ['--headless', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, ...CHROMIUM_ARGS, 'about:blank'],
    { stdio: 'ignore' },
  );
  const exited = new Promise((res) => chrome.once('exit', res));
  /** @type {import('playwright-core').Browser | null} */
  let browser = null;
  const close = async () => {
    // Asked to close, Chromium ends its helper processes and finishes writing
    // its profile; a kill is the fallback if it does not within 10 s.
    const cdp = await browser?.newBrowserCDPSession().catch(() => null);
    await cdp?.send('Browser.close').catch(() => {});
    const timer = setTimeout(() => chrome.kill('SIGKILL'), 10000);
    if (!cdp) chrome.kill();
    await exited;
    clearTimeout(timer);
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    // Chromium writes the port it picked to DevToolsActivePort.
    const portFile = join(userDataDir, 'DevToolsActivePort');
    const deadline = Date.now() + 20000;
    while (!(existsSync(portFile) && readFileSync(portFile, 'utf8').includes('\n')) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 50));
    const port = readFileSync(portFile, 'utf8').split('\n')[0];
    browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`, { noDefaults: true });
    const context = browser.contexts()[0];
    const page = context.pages()[0] ?? (await context.newPage());
    /** @type {string[]} */
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/test/browser/blank.html`);
    return { page, errors, close };
  } catch (error) {
    await close();
    throw error;
  }
}

test.needs(['chromium'], 'only Chromium freezes pages (Page Lifecycle), and only CDP freezes one on demand');
test('freezing and resuming the page (Page Lifecycle via CDP) leaves the node playing with its ring intact', async () => {
  // A source ring holds a numbered sequence written before the freeze; a
  // capture node records what the source plays. After the resume, the capture
  // must hold the whole sequence, in order, from its first frame.
  const fb = await openFreezableBrowser();
  try {
    const page = fb.page;
    const cdp = await page.context().newCDPSession(page);
    const frames = 96000; // about 2 s: the freeze (500 ms) happens while it plays
    await page.evaluate(async (frames) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const lifecycle = [];
      document.addEventListener('freeze', () => lifecycle.push('freeze'));
      document.addEventListener('resume', () => lifecycle.push('resume'));
      const ctx = new AudioContext();
      await ctx.suspend();
      const source = await RingletNode.create(ctx, { mode: 'source', channels: 1, capacityFrames: 131072 });
      const capture = await RingletNode.create(ctx, { mode: 'capture', channels: 1, capacityFrames: 262144 });
      // Frame i is (i + 1) / 131072: exact in float32, nonzero, below the limiter's ceiling.
      const sequence = Float32Array.from({ length: frames }, (_, i) => (i + 1) / 131072);
      const wrote = source.writer.tryWrite(sequence);
      source.connect(capture).connect(ctx.destination);
      await Promise.race([ctx.resume(), new Promise((res) => setTimeout(res, 2000))]);
      globalThis.frozen = { ctx, source, capture, lifecycle, wrote };
    }, frames);
    await page.waitForFunction(() => globalThis.frozen.source.stats().framesProcessed > 0, null, { timeout: 10000 });
    const before = await page.evaluate(() => globalThis.frozen.source.stats());
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await new Promise((res) => setTimeout(res, 500));
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await page.bringToFront();
    const r = await page.evaluate(async (frames) => {
      const { ctx, source, capture, lifecycle, wrote } = globalThis.frozen;
      // Read until the sequence has played through (bounded: a busy machine only makes this longer).
      const got = new Float32Array(frames + 8192);
      let n = 0;
      const deadline = performance.now() + 20000;
      while (n < frames && performance.now() < deadline) {
        const res = await capture.reader.read(got.subarray(n, Math.min(got.length, n + 8192)), { timeoutMs: 500 });
        if (res.status === 'ready') n += res.frames;
      }
      const a = source.stats().framesProcessed;
      // Still playing: it advances (bounded wait; a loaded machine only makes it longer).
      const guard = performance.now() + 10000;
      while (source.stats().framesProcessed <= a && performance.now() < guard)
        await new Promise((res) => setTimeout(res, 20));
      const after = source.stats();
      let firstWrong = -1;
      for (let i = 0; i < frames && firstWrong < 0; i++) if (got[i] !== (i + 1) / 131072) firstWrong = i;
      const result = {
        lifecycle: [...lifecycle],
        wrote,
        read: n,
        firstWrong,
        firstWrongValue: firstWrong < 0 ? null : got[firstWrong] * 131072 - 1,
        advancing: after.framesProcessed > a,
        state: [source.state, capture.state],
        ctx: ctx.state,
      };
      await ctx.close();
      return result;
    }, frames);
    await cdp.detach();
    expect(before.framesProcessed).toBeGreaterThan(0);
    expect(r.lifecycle).toEqual(['freeze', 'resume']); // the page really froze, and came back
    expect(r.wrote).toBe(frames);
    expect(r.read).toBeGreaterThanOrEqual(frames);
    expect({ firstWrong: r.firstWrong, was: r.firstWrongValue }).toEqual({ firstWrong: -1, was: null });
    expect(r.advancing).toBe(true);
    expect(r.state).toEqual(['running', 'running']);
    expect(r.ctx).toBe('running');
    expect(fb.errors).toEqual([]);
  } finally {
    await fb.close();
  }
});

test.needs(['sharedArrayBuffer'], 'a Worker producer writes the shared ring');
test('a producer Worker killed mid-stream leaves the source counting underruns, and a new producer resumes it', async () => {
  // Every phase is judged while the ring provably holds audio, or provably
  // does not, so the verdicts do not depend on how promptly a busy machine
  // schedules the producers: each producer's first write fills the empty ring
  // in one step, and the "no underrun" windows consume less than was buffered.
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new AudioContext();
    const capacityFrames = 32768;
    const node = await RingletNode.create(ctx, { channels: 2, capacityFrames });
    node.connect(ctx.destination);
    await Promise.race([ctx.resume(), new Promise((res) => setTimeout(res, 2000))]);
    const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
    /** Polls (bounded) until `ok(stats)`; returns the stats that satisfied it, or null. */
    const until = async (ok, ms = 15000) => {
      const deadline = performance.now() + ms;
      while (performance.now() < deadline) {
        const s = node.stats();
        if (ok(s)) return s;
        await sleep(5);
      }
      return null;
    };
    const start = () => {
      const w = new Worker('/test/browser/fixtures/feeder.worker.js', { type: 'module' });
      w.postMessage({ handle: node.writerHandle, frames: 1 << 24, chunk: 512, prefill: capacityFrames });
      return w;
    };
    const doomed = start();
    // The first write filled the ring. Seen at least half full, it cannot run
    // short while another quarter plays, whatever the producer does meanwhile.
    const filled = await until((s) => s.availableRead >= capacityFrames / 2);
    const filledAt = filled?.framesProcessed ?? 0;
    const playing = filled && (await until((s) => s.framesProcessed - filledAt >= capacityFrames / 4));
    // Killed mid-stream, probably inside writeSync. Chromium lets a busy
    // worker run for up to 2 s after terminate() before it forcibly stops it,
    // so wait (bounded) for the ring to run dry rather than a fixed time.
    doomed.terminate();
    const starved = await until((s) => s.underruns > 0 && s.availableRead === 0);
    const replacement = start();
    const refilled = await until((s) => s.availableRead >= capacityFrames / 2);
    // Two more quanta, so any quantum that ran short before the refill is counted.
    const resumed = refilled && (await until((s) => s.framesProcessed >= refilled.framesProcessed + 256));
    const steady = resumed && (await until((s) => s.framesProcessed - resumed.framesProcessed >= capacityFrames / 4));
    replacement.terminate();
    await ctx.close();
    return { filled, playing, starved, resumed, steady, state: node.state };
  });
  expect(r.filled).not.toBeNull();
  expect(r.playing).not.toBeNull();
  expect(r.starved).not.toBeNull();
  expect(r.resumed).not.toBeNull();
  expect(r.steady).not.toBeNull();
  // While the first producer's audio lasted there were no underruns; killing
  // it starves the source (silence, counted); the replacement stops the counting.
  expect(r.filled.underruns).toBe(0);
  expect(r.playing.underruns).toBe(0);
  expect(r.playing.silentFrames).toBe(r.filled.silentFrames);
  expect(r.starved.underruns).toBeGreaterThan(0);
  expect(r.steady.underruns).toBe(r.resumed.underruns);
  expect(r.steady.silentFrames).toBe(r.resumed.silentFrames);
  expect(r.state).toBe('running');
  expect(b.errors).toEqual([]);
});
