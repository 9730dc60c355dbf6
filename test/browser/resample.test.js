// A source node whose ring runs at another rate than its context, and its
// playbackRate, in every engine and on both transports (WebKit's message
// mode is the port transport): the pitch and the time math of the
// conversion, the quality it keeps (a sine fit), varispeed and its
// automation, the resampler's figures in stats(), resetResampler(), and the
// options' bad-input matrix.
//
// Every render here is an OfflineAudioContext with the ring filled before it
// starts (and `await node.flush()`, which the message transport needs), so
// nothing depends on timing. The signals are computed in the page; only
// measurements come back.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
  // Helpers for every test, defined once in the page.
  await b.page.evaluate(async () => {
    const { RESAMPLER_TAPS } = await import('/lib/shared/constants.generated.js');
    const { sineFit, crossingFrequency } = await import('/test/browser/fixtures/signals.js');
    const maxStep = (y, j0, j1) => {
      let m = 0;
      for (let j = Math.max(1, j0); j < j1; j++) m = Math.max(m, Math.abs(y[j] - y[j - 1]));
      return m;
    };
    const maxAbs = (y, j0, j1) => {
      let m = 0;
      for (let j = j0; j < j1; j++) m = Math.max(m, Math.abs(y[j]));
      return m;
    };
    /**
     * Renders a mono source node whose ring holds `frames` frames of a sine
     * at `f` Hz sampled at `ring` Hz, in a context at `rate` Hz, for
     * `length` frames; `automate(playbackRate)` runs before the render.
     */
    const render = async ({
      ring = 44100,
      rate = 48000,
      length = 48000,
      frames = 100000,
      f = 1000,
      amp = 0.5,
      capacityFrames = 131072,
      varispeed,
      close = false,
      automate = () => {},
      suspendAt = -1,
      onSuspend = () => {},
      transport,
    }) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate: rate });
      /** @type {Record<string, unknown>} */
      const options = { channels: 1, capacityFrames, sampleRate: ring };
      if (transport !== undefined) options.transport = transport;
      if (varispeed !== undefined) options.varispeed = varispeed;
      const node = await RingletNode.create(ctx, options);
      const x = new Float32Array(frames);
      for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * f * i) / ring);
      const wrote = node.writer.tryWrite(x);
      if (close) node.writer.close();
      automate(node.playbackRate, ctx);
      await node.flush(); // on 'message', writes and settings land after a round trip
      node.connect(ctx.destination);
      if (suspendAt >= 0) {
        ctx.suspend(suspendAt / rate).then(() => {
          onSuspend(node);
          ctx.resume();
        });
      }
      const y = (await ctx.startRendering()).getChannelData(0);
      await node.flush(); // a fresh snapshot on 'message'
      const stats = node.stats();
      return { y, stats, wrote, node, transport: node.transport, consumed: wrote - stats.availableRead };
    };
    globalThis.rs = { sineFit, crossingFrequency, maxStep, maxAbs, render, TAPS: RESAMPLER_TAPS };
  });
});
afterAll(async () => {
  await b?.close();
});

// The SNR bound: the core measures 140 dB for a 1 kHz tone at 44.1 -> 48 kHz
// (BENCHMARKS.md, the same fit over 0.2 .. 0.8 s), and the worklet runs that
// wasm, bit-identical to the native build (test/unit/resampler-wasm.test.js);
// the chain after it is bit-exact with the EQ flat and the tone under the
// limiter's ceiling. 130 dB leaves 10 dB for the page's float32 signal and
// rounding, and is far above any converter that is not band-limited
// (Chromium's own AudioBufferSourceNode: 62 dB, linear interpolation: ~50).
const SNR_DB = 130;

test.each([['auto'], ['message']])(
  'a 44.1 kHz ring in a 48 kHz context (%s transport): a 1 kHz sine comes out at 1 kHz, with SNR >= 130 dB',
  async (transport) => {
    const r = await b.page.evaluate(async (transport) => {
      const { y, stats, node } = await globalThis.rs.render({ transport });
      const fit = globalThis.rs.sineFit(y, 9600, 38400, (2 * Math.PI * 1000) / 48000);
      return {
        fit,
        frequency: globalThis.rs.crossingFrequency(y, 9600, 38400, 48000),
        underruns: stats.underruns,
        sampleRate: node.sampleRate,
        varispeed: node.varispeed,
        hasRate: node.playbackRate !== null,
        transport: node.transport,
      };
    }, transport);
    if (transport === 'message') expect(r.transport).toBe('message');
    expect(r.sampleRate).toBe(44100);
    expect(r.varispeed).toBe(true); // a node that resamples gets playbackRate by default
    expect(r.hasRate).toBe(true);
    expect(r.underruns).toBe(0);
    expect(Math.abs(r.frequency - 1000)).toBeLessThan(0.01); // unconverted it would be 1088.4 Hz
    expect(r.fit.amp).toBeCloseTo(0.5, 5); // the passband is flat to 2.5e-7 dB
    expect(r.fit.snr).toBeGreaterThanOrEqual(SNR_DB);
  },
);

test('48 kHz ring into a 44.1 kHz context (decimating): the sine keeps its frequency and SNR >= 130 dB', async () => {
  const r = await b.page.evaluate(async () => {
    const { y } = await globalThis.rs.render({ ring: 48000, rate: 44100, length: 44100, f: 1000 });
    return {
      fit: globalThis.rs.sineFit(y, 8820, 35280, (2 * Math.PI * 1000) / 44100),
      frequency: globalThis.rs.crossingFrequency(y, 8820, 35280, 44100),
    };
  });
  expect(Math.abs(r.frequency - 1000)).toBeLessThan(0.01);
  expect(r.fit.snr).toBeGreaterThanOrEqual(SNR_DB);
});

test('time math: 44,100 frames at 44.1 kHz, then close(), play as 48,000 frames at 48 kHz (by their energy) and drain the ring', async () => {
  const r = await b.page.evaluate(async () => {
    const frames = 44100;
    const { y, stats, consumed } = await globalThis.rs.render({ frames, close: true, length: 128 * 563 });
    let energy = 0;
    for (let j = 0; j < y.length; j++) energy += y[j] * y[j];
    // Where the last input frame is heard: latency + frames * 48000 / 44100.
    const latency = globalThis.rs.TAPS / 2 / (44100 / 48000);
    const end = Math.round(latency + (frames * 48000) / 44100);
    return {
      equivalentFrames: energy / (0.5 * 0.5 * 0.5),
      consumed,
      closed: stats.closed,
      availableRead: stats.availableRead,
      silentFrames: stats.silentFrames,
      framesProcessed: stats.framesProcessed,
      inside: globalThis.rs.maxAbs(y, end - 400, end - 200),
      after: globalThis.rs.maxAbs(y, end + 300, y.length),
    };
  });
  // A tone's energy per second is the same at both rates: N input frames
  // carry N * 48000 / 44100 output frames' worth (48000 here); the band-limited
  // edges of a truncated sine move that by well under a frame.
  expect(Math.abs(r.equivalentFrames - 48000)).toBeLessThan(2);
  expect(r.consumed).toBe(44100);
  expect(r.availableRead).toBe(0);
  expect(r.closed).toBe(true);
  expect(r.framesProcessed).toBe(128 * 563);
  expect(r.inside).toBeGreaterThan(0.49); // still playing just before the end...
  expect(r.after).toBeLessThan(1e-6); // ...and silent once the filter's tail has played
});

test('stats(): latencyFrames and lookaheadFrames are the core figures: 96 / step, and the ring read count minus the frame heard', async () => {
  const r = await b.page.evaluate(async () => {
    const TAPS_HALF = globalThis.rs.TAPS / 2;
    const resampled = await globalThis.rs.render({ frames: 100000, length: 48000 });
    const plain = await globalThis.rs.render({ ring: 48000, frames: 100000, length: 48000 });
    const still = await globalThis.rs.render({ ring: 48000, varispeed: true, frames: 100000, length: 48000 });
    return {
      resampled: resampled.stats,
      consumed: resampled.consumed,
      plain: plain.stats,
      plainConsumed: plain.consumed,
      still: still.stats,
      stillVarispeed: still.node.varispeed,
      plainVarispeed: plain.node.varispeed,
      plainRate: plain.node.playbackRate,
      expectedLatency: Math.fround(TAPS_HALF / (44100 / 48000)),
    };
  });
  // Interpolating (step = 44100 / 48000 < 1): H / step output frames, H = 192 taps / 2.
  expect(r.resampled.latencyFrames).toBe(r.expectedLatency);
  expect(r.resampled.latencyFrames).toBeCloseTo(104.4898, 3);
  // The frame heard next is the ring's read count minus the lookahead. From
  // a silent start it is -96 + 48000 * 44100 / 48000 after 48000 frames.
  expect(r.consumed - r.resampled.lookaheadFrames).toBeCloseTo(44100 - 96, 2);
  expect(r.resampled.lookaheadFrames).toBeGreaterThanOrEqual(96);
  // heardFrames is that difference rounded down, stored by the node itself
  // (from the lookahead in double precision: within a frame of this float32's).
  const heard = r.consumed - r.resampled.lookaheadFrames;
  expect(Number.isInteger(r.resampled.heardFrames)).toBe(true);
  expect(r.resampled.heardFrames).toBeGreaterThan(heard - 1.001);
  expect(r.resampled.heardFrames).toBeLessThanOrEqual(heard + 1e-6);
  // Nothing is resampled without a resampler, nor by a varispeed node still at rate 1.
  for (const s of [r.plain, r.still]) {
    expect(s.latencyFrames).toBe(0);
    expect(s.lookaheadFrames).toBe(0);
  }
  // Copied straight through, every frame read is heard.
  expect(r.plain.heardFrames).toBe(r.plainConsumed);
  expect(r.plainConsumed).toBe(48000);
  expect(r.plainVarispeed).toBe(false);
  expect(r.plainRate).toBeNull();
  expect(r.stillVarispeed).toBe(true);
});

const PITCHES = [
  // [ring rate, playbackRate]
  [44100, 2],
  [48000, 2],
  [44100, 0.5],
  [48000, 0.75],
];
test.each(PITCHES)(
  'playbackRate: a %i Hz ring at playbackRate %f plays a 1 kHz sine at 1 kHz times the rate, and drains the ring that much faster',
  async (ring, rate) => {
    const r = await b.page.evaluate(
      async ({ ring, rate }) => {
        const { y, consumed, stats } = await globalThis.rs.render({
          ring,
          varispeed: true,
          frames: 120000,
          automate: (p) => {
            p.value = rate;
          },
        });
        return {
          fit: globalThis.rs.sineFit(y, 9600, 38400, (2 * Math.PI * 1000 * rate) / 48000),
          frequency: globalThis.rs.crossingFrequency(y, 9600, 38400, 48000),
          consumed,
          underruns: stats.underruns,
        };
      },
      { ring, rate },
    );
    expect(r.underruns).toBe(0);
    expect(Math.abs(r.frequency - 1000 * rate)).toBeLessThan(0.02 * rate);
    // Varispeed moves the filter with the step (decimating above 1): still a clean tone.
    expect(r.fit.snr).toBeGreaterThanOrEqual(110);
    // One second at `rate`: ring * rate frames, less the 5 ms ramp from 1 and
    // the 162-frame delay before a rate moves the position.
    expect(r.consumed / (ring * rate)).toBeGreaterThan(0.98);
    expect(r.consumed / (ring * rate)).toBeLessThan(1.01);
  },
);

test('playbackRate automation (ramps and a jump, a-rate and k-rate) is followed with no discontinuity: every sample-to-sample step within a sine at the top speed', async () => {
  const r = await b.page.evaluate(async () => {
    const out = [];
    for (const [ring, kRate] of [
      [44100, false],
      [48000, false],
      [44100, true],
    ]) {
      let automationRate = 'a-rate';
      const { y, consumed, stats } = await globalThis.rs.render({
        ring,
        varispeed: true,
        frames: 120000,
        automate: (p) => {
          if (kRate) {
            try {
              p.automationRate = 'k-rate';
            } catch {
              // an engine that does not let it change keeps a-rate
            }
          }
          automationRate = p.automationRate;
          p.setValueAtTime(1, 0);
          p.linearRampToValueAtTime(3, 0.4);
          p.setValueAtTime(0.5, 0.6); // a jump
          p.linearRampToValueAtTime(1, 0.9);
        },
      });
      out.push({
        ring,
        automationRate,
        step: globalThis.rs.maxStep(y, 1, y.length),
        // Well after the 0.4 s ramp's end (and the 162-frame delay): 3 kHz.
        fast: globalThis.rs.crossingFrequency(y, 0.45 * 48000, 0.58 * 48000, 48000),
        // Just after the jump to 0.5, on the ramp back to 1 (0.62 .. 0.64 s).
        slow: globalThis.rs.crossingFrequency(y, 0.62 * 48000, 0.64 * 48000, 48000),
        consumed,
        underruns: stats.underruns,
      });
    }
    return out;
  });
  // The steepest a 0.5 sine at 3 kHz steps at 48 kHz; a click would step up to 1.
  const bound = 2 * 0.5 * Math.sin((Math.PI * 3000) / 48000);
  for (const x of r) {
    expect(x.underruns).toBe(0);
    expect(x.step).toBeLessThan(bound * 1.01);
    expect(Math.abs(x.fast - 3000)).toBeLessThan(3);
    // The rate at the window's middle, 0.63 s, less the 162-frame delay before a rate moves the position.
    const slow = 1000 * (0.5 + (0.5 * (0.63 - 0.6 - 162 / 48000)) / 0.3);
    expect(Math.abs(x.slow - slow) / slow).toBeLessThan(0.01);
    // Input played: the integral of the rate over the second, 1.725 s of ring frames.
    expect(x.consumed / (1.725 * x.ring)).toBeGreaterThan(0.98);
    expect(x.consumed / (1.725 * x.ring)).toBeLessThan(1.02);
  }
});

test.needs(['sharedArrayBuffer'], 'it calls resetResampler() in a paused render (the port is not served in a pause)');
test('resetResampler(): the resampler forgets what it holds and restarts from silence, once, where it is called; the ring plays on', async () => {
  const r = await b.page.evaluate(async () => {
    const at = 128 * 187; // a quantum boundary near 0.5 s
    const run = async (reset) => {
      const { y, stats } = await globalThis.rs.render({
        frames: 100000,
        suspendAt: at,
        onSuspend: (node) => {
          if (reset) node.resetResampler();
        },
      });
      return {
        gap: globalThis.rs.maxAbs(y, at + 1, at + 40),
        before: globalThis.rs.maxAbs(y, at - 200, at),
        after: globalThis.rs.sineFit(y, at + 400, at + 20000, (2 * Math.PI * 1000) / 48000),
        step: globalThis.rs.maxStep(y, at - 200, at + 400),
        stats,
      };
    };
    return { reset: await run(true), kept: await run(false) };
  });
  // Without: the tone goes on. With: a silent start (the first frame pulled
  // is heard latencyFrames later), so the 40 frames after the call are
  // nearly silent, and a clean tone follows.
  expect(r.kept.gap).toBeGreaterThan(0.45);
  expect(r.reset.before).toBeGreaterThan(0.45);
  expect(r.reset.gap).toBeLessThan(0.05);
  expect(r.reset.after.snr).toBeGreaterThanOrEqual(SNR_DB);
  expect(r.reset.stats.underruns).toBe(0);
});

test('bad sampleRate and varispeed options reject naming the option and the range, and load or build nothing; resetResampler() refuses a node without a resampler and changes nothing', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 1280, sampleRate: 48000 });
    // Counts the worklet loads: a refused create() must not get that far.
    let loads = 0;
    const addModule = ctx.audioWorklet.addModule.bind(ctx.audioWorklet);
    ctx.audioWorklet.addModule = (...args) => {
      loads++;
      return addModule(...args);
    };
    const cases = [
      ['sampleRate 0', { sampleRate: 0 }, 'RangeError', ['sampleRate', '8000', '384000']],
      ['sampleRate NaN', { sampleRate: NaN }, 'RangeError', ['sampleRate', '8000', '384000']],
      ['sampleRate 7999', { sampleRate: 7999 }, 'RangeError', ['sampleRate', '8000', '384000']],
      ['sampleRate 400000', { sampleRate: 400000 }, 'RangeError', ['sampleRate', '8000', '384000']],
      ['sampleRate -44100', { sampleRate: -44100 }, 'RangeError', ['sampleRate']],
      ['sampleRate Infinity', { sampleRate: Infinity }, 'RangeError', ['sampleRate']],
      ['sampleRate "44100"', { sampleRate: '44100' }, 'TypeError', ['sampleRate', '8000']],
      ['sampleRate on an effect node', { mode: 'effect', sampleRate: 44100 }, 'TypeError', ['sampleRate', 'source']],
      ['sampleRate on a capture node', { mode: 'capture', sampleRate: 48000 }, 'TypeError', ['sampleRate', 'source']],
      ['varispeed "yes"', { varispeed: 'yes' }, 'TypeError', ['varispeed']],
      ['varispeed on an effect node', { mode: 'effect', varispeed: true }, 'TypeError', ['varispeed', 'source']],
    ];
    const results = [];
    for (const [label, options, name, words] of cases) {
      try {
        await RingletNode.create(ctx, { channels: 1, ...options });
        results.push({ label, outcome: 'resolved' });
      } catch (e) {
        results.push({
          label,
          outcome:
            e.name === name && words.every((w) => String(e.message).includes(w)) ? 'ok' : `${e.name}: ${e.message}`,
        });
      }
    }
    const loadsAfterBad = loads;
    // A context outside the resampler's range, where the engine makes one.
    let lowContext = 'unsupported';
    try {
      const low = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 3000 });
      try {
        await RingletNode.create(low, { channels: 1, sampleRate: 8000 });
        lowContext = 'resolved';
      } catch (e) {
        lowContext = e.name === 'RangeError' && /8000/.test(e.message) ? 'ok' : `${e.name}: ${e.message}`;
      }
    } catch {
      // the engine refuses a 3 kHz context itself
    }
    // Nodes without a resampler refuse resetResampler(), and play on bit for bit.
    const plain = await RingletNode.create(ctx, { channels: 1 });
    const effect = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
    const refusals = [];
    for (const node of [plain, effect]) {
      try {
        node.resetResampler();
        refusals.push('accepted');
      } catch (e) {
        refusals.push(e.name === 'TypeError' && /resampler/.test(e.message) ? 'ok' : `${e.name}: ${e.message}`);
      }
    }
    const ramp = Float32Array.from({ length: 1280 }, (_, i) => (i + 1) / 4096);
    plain.writer.tryWrite(ramp);
    await plain.flush();
    plain.connect(ctx.destination);
    const y = (await ctx.startRendering()).getChannelData(0);
    let exact = true;
    for (let i = 0; i < ramp.length; i++) if (y[i] !== ramp[i]) exact = false;
    const rate = plain.parameters.get('playbackRate');
    return {
      results,
      loadsAfterBad,
      loads,
      lowContext,
      refusals,
      exact,
      plainRate: plain.playbackRate,
      sampleRates: [plain.sampleRate, effect.sampleRate],
      descriptor: rate ? [rate.defaultValue, rate.minValue, rate.maxValue] : null,
    };
  });
  for (const x of r.results) expect(x).toEqual({ label: x.label, outcome: 'ok' });
  expect(r.loadsAfterBad).toBe(0);
  expect(r.loads).toBe(1);
  expect(['ok', 'unsupported']).toContain(r.lowContext);
  expect(r.refusals).toEqual(['ok', 'ok']);
  expect(r.exact).toBe(true);
  expect(r.plainRate).toBeNull();
  expect(r.sampleRates).toEqual([48000, 48000]);
  expect(r.descriptor).toEqual([1, 0.25, 4]);
});

for (const transport of ['auto', 'message']) {
  if (transport === 'message') {
    test.needs(
      ['chromium', 'webkit'],
      'Firefox has no OfflineAudioContext.suspend(), and its test stand-in holds the rendering thread, so a port-fed ring cannot be fed in a pause; the prefilled message-transport test above runs there',
    );
  }
  test(`a resampling node fed during the render through a ring smaller than it (${transport} transport): the writer never counts more than the ring holds, and every frame plays in order`, async () => {
    const r = await b.page.evaluate(async (transport) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const rate = 48000;
      const ring = 44100;
      const length = 48000;
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate: rate });
      const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 4096, sampleRate: ring, transport });
      node.connect(ctx.destination);
      const total = 60000;
      const x = Float32Array.from({ length: total }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / ring));
      let written = 0;
      const checks = [];
      const feed = async () => {
        // A fresh snapshot first (on 'message' the writer's view of the ring
        // is the last one the worklet sent), then what the writer says
        // fits, and no more: tryWrite never waits.
        await node.flush();
        const free = node.writer.availableWrite;
        const n = node.writer.tryWrite(x.subarray(written, Math.min(total, written + free)));
        written += n;
        await node.flush();
        const s = node.stats();
        checks.push({
          free,
          n,
          fill: node.writer.availableRead,
          statsFill: s.availableRead,
          sum: node.writer.availableRead + node.writer.availableWrite,
        });
      };
      await feed();
      for (let t = 1024; t < length; t += 1024) ctx.suspend(t / rate).then(() => feed().then(() => ctx.resume()));
      const y = (await ctx.startRendering()).getChannelData(0);
      await node.flush();
      const stats = node.stats();
      return {
        transport: node.transport,
        written,
        checks,
        underruns: stats.underruns,
        consumed: written - stats.availableRead,
        fit: globalThis.rs.sineFit(y, 9600, 38400, (2 * Math.PI * 1000) / rate),
      };
    }, transport);
    if (transport === 'message') expect(r.transport).toBe('message');
    expect(r.checks.length).toBeGreaterThan(40);
    for (const c of r.checks) {
      expect(c.n).toBe(c.free); // the snapshot's promise of space held
      expect(c.sum).toBe(4096);
      expect(c.fill).toBeLessThanOrEqual(4096);
      expect(c.fill).toBe(c.statsFill); // after flush() nothing is in flight
    }
    // Each pause found room for exactly the frames one 1024-frame stretch
    // drained, 1024 * 44100 / 48000 = 940.8, and refilled the ring.
    for (const c of r.checks.slice(1)) {
      expect([940, 941]).toContain(c.n);
      expect(c.fill).toBe(4096);
    }
    expect(r.underruns).toBe(0);
    // No frame dropped, doubled or reordered: the tone stays clean.
    expect(r.fit.snr).toBeGreaterThanOrEqual(SNR_DB);
  });
}

// writer.setSampleRate: the ring's rate changes at a frame. A ramp (0.5 *
// (i + 1) / 2^18) through the band-limited resampler stays a ramp, so each
// output frame says which ring frame it hears; the frames after the mark
// run at 44.1 kHz from exactly the output frame where the 48 kHz ones end.
test.each([['auto'], ['message']])(
  'writer.setSampleRate (%s transport): 48 kHz frames, then 44.1 kHz frames marked, play with the seam at the exact output frame; bad rates and a node that cannot resample are refused',
  async (transport) => {
    const r = await b.page.evaluate(async (transport) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const SCALE = 2 ** 18;
      const n1 = 12000;
      const n2 = 22050;
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 48000, sampleRate: 48000 });
      const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 65536, varispeed: true, transport });
      const plain = await RingletNode.create(ctx, { channels: 1, transport });
      const ramp = (n) => Float32Array.from({ length: n }, (_, i) => (0.5 * (i + 1)) / SCALE);
      /** @param {() => unknown} fn */
      const error = (fn) => {
        try {
          fn();
          return null;
        } catch (e) {
          return { name: e.name, code: e.code, message: e.message };
        }
      };
      const bad = {
        string: error(() => node.writer.setSampleRate(/** @type {any} */ ('44100'))),
        low: error(() => node.writer.setSampleRate(7999)),
        high: error(() => node.writer.setSampleRate(384001)),
        nan: error(() => node.writer.setSampleRate(NaN)),
      };
      node.writer.tryWrite(ramp(n1));
      const queued = node.writer.setSampleRate(44100);
      node.writer.tryWrite(ramp(n2));
      await node.flush();
      node.connect(ctx.destination);
      const y = (await ctx.startRendering()).getChannelData(0);
      const heard = (j) => (y[j] * SCALE) / 0.5 - 1;
      // The 48 kHz frames are copied: output j is ring frame j.
      let copied = 0;
      while (copied < n1 && heard(copied) === copied) copied++;
      // After the seam: frame k of the 44.1 kHz part is heard at n1 + k * 48000 / 44100.
      let sum = 0;
      let worst = 0;
      const b0 = n1 + 400;
      const b1 = n1 + Math.floor((n2 * 48000) / 44100) - 400;
      for (let j = b0; j < b1; j++) sum += j - (heard(j) * 48000) / 44100;
      const seam = sum / (b1 - b0);
      for (let j = b0; j < b1; j++) worst = Math.max(worst, Math.abs(heard(j) - ((j - seam) * 44100) / 48000));
      const refused = error(() => plain.writer.setSampleRate(44100));
      node.dispose();
      plain.dispose();
      return { bad, queued, copied, seam, worst, refused, transport: node.transport };
    }, transport);
    if (transport === 'message') expect(r.transport).toBe('message');
    expect(r.queued).toBe(true);
    // Copied bit for bit up to the direct start just before the mark.
    expect(r.copied).toBeGreaterThanOrEqual(12000 - 128 - 163);
    expect(Math.abs(r.seam - 12000)).toBeLessThan(0.02);
    expect(r.worst).toBeLessThan(0.05); // float32 rounding of the filter's sums: ~0.01 frame at these ramp values
    for (const e of [r.bad.string]) expect(e).toMatchObject({ name: 'TypeError' });
    for (const e of [r.bad.low, r.bad.high, r.bad.nan]) expect(e).toMatchObject({ name: 'RangeError' });
    expect(r.bad.low.message).toMatch(/sampleRate must be a number of Hz from 8000 to 384000/);
    expect(r.refused).toMatchObject({ name: 'TypeError' });
    expect(r.refused.message).toMatch(/varispeed: true/);
  },
);
