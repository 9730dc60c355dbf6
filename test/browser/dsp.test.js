// The player chain in real Chromium, against the browser's own nodes:
// EQ bands vs BiquadFilterNode, the analyser vs AnalyserNode, gain automation
// vs GainNode, plus the limiter's ceiling, numeric safety, meters and generator.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
});
afterAll(async () => {
  await b?.close();
});

const BANDS = [
  { type: 'peaking', frequency: 1000, q: 1.4, gainDb: 9 },
  { type: 'lowshelf', frequency: 200, q: 1, gainDb: -12 },
  { type: 'highshelf', frequency: 6000, q: 1, gainDb: 6 },
  { type: 'lowpass', frequency: 2500, q: 6, gainDb: 0 },
  { type: 'highpass', frequency: 150, q: 3, gainDb: 0 },
  { type: 'bandpass', frequency: 800, q: 2, gainDb: 0 },
  { type: 'notch', frequency: 3000, q: 4, gainDb: 0 },
];

for (const band of BANDS) {
  test(`EQ ${band.type} band: impulse response matches BiquadFilterNode within 1e-4 over 4096 samples at 48 kHz`, async () => {
    const r = await b.page.evaluate(async (band) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const length = 4096;
      const render = async (useRinglet) => {
        const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate: 48000 });
        const impulse = ctx.createBuffer(1, length, 48000);
        impulse.getChannelData(0)[0] = 1;
        const src = new AudioBufferSourceNode(ctx, { buffer: impulse });
        let node;
        if (useRinglet) {
          node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
          node.limiter.bypass = true; // an impulse of 1 is above the ceiling
          node.eq.setBand(0, band);
          await node.flush(); // on 'message' (no SharedArrayBuffer) writes and settings land after a round trip
        } else {
          node = new BiquadFilterNode(ctx, {
            type: band.type,
            frequency: band.frequency,
            Q: band.q,
            gain: band.gainDb,
          });
        }
        src.connect(node).connect(ctx.destination);
        src.start();
        return (await ctx.startRendering()).getChannelData(0);
      };
      const ours = await render(true);
      const theirs = await render(false);
      let maxDiff = 0;
      let energy = 0;
      for (let i = 0; i < length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
        energy += theirs[i] * theirs[i];
      }
      return { maxDiff, energy };
    }, band);
    expect(r.energy).toBeGreaterThan(1e-3); // the reference did something
    expect(r.maxDiff).toBeLessThan(1e-4);
  });
}

test.needs(
  ['sharedArrayBuffer'],
  "it reads the worklet's analyser or meters, or resets, mid-render; message-transport.node.test.js covers them over the port",
);
test('the analyser with smoothing 0 matches AnalyserNode within 0.1 dB on every bin above -100 dB', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sampleRate = 48000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: sampleRate, sampleRate });
    const { analyserSignal } = await import('/test/browser/fixtures/signals.js');
    const buffer = analyserSignal(ctx, sampleRate);
    const src = new AudioBufferSourceNode(ctx, { buffer });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
    const reference = new AnalyserNode(ctx, { fftSize: 2048, smoothingTimeConstant: 0 });
    node.analyser.fftSize = 2048;
    node.analyser.smoothingTimeConstant = 0;
    src.connect(node).connect(ctx.destination);
    src.connect(reference).connect(ctx.destination);
    src.start();
    const ours = new Float32Array(1024);
    const theirs = new Float32Array(1024);
    const bytes = new Uint8Array(1024);
    ctx.suspend(0.5).then(() => {
      node.analyser.getFloatFrequencyData(ours);
      node.analyser.getByteFrequencyData(bytes);
      reference.getFloatFrequencyData(theirs);
      ctx.resume();
    });
    await ctx.startRendering();
    let compared = 0;
    let maxDiff = 0;
    for (let k = 0; k < 1024; k++) {
      if (theirs[k] > -100) {
        compared++;
        maxDiff = Math.max(maxDiff, Math.abs(ours[k] - theirs[k]));
      }
    }
    const peakBin = ours.indexOf(Math.max(...ours));
    return { compared, maxDiff, peakBin, byteAtPeak: bytes[peakBin], bins: node.analyser.frequencyBinCount };
  });
  expect(r.compared).toBeGreaterThan(100);
  expect(r.maxDiff).toBeLessThan(0.1);
  expect(r.peakBin).toBeGreaterThanOrEqual(42); // 1 kHz at 23.4 Hz per bin
  expect(r.peakBin).toBeLessThanOrEqual(43);
  expect(r.byteAtPeak).toBeGreaterThan(200);
  expect(r.bins).toBe(1024);
});

test('gain: a-rate automation matches a GainNode exactly, and a UI change of gain.value is smoothed without a click', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sampleRate = 48000;
    const length = 9600;
    const render = async (useRinglet, automate) => {
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate });
      const src = new ConstantSourceNode(ctx, { offset: 0.5 });
      const node = useRinglet ? await RingletNode.create(ctx, { mode: 'effect', channels: 1 }) : new GainNode(ctx);
      automate(node.gain);
      src.connect(node).connect(ctx.destination);
      src.start();
      return (await ctx.startRendering()).getChannelData(0);
    };
    const ramp = (g) => {
      g.setValueAtTime(1, 0);
      g.linearRampToValueAtTime(0.1, 0.1);
      g.linearRampToValueAtTime(1.5, 0.2);
    };
    const a = await render(true, ramp);
    const bb = await render(false, ramp);
    let rampDiff = 0;
    for (let i = 0; i < length; i++) rampDiff = Math.max(rampDiff, Math.abs(a[i] - bb[i]));
    // A UI setting gain.value (no automation scheduled) is smoothed by the core.
    // 1 s: where the engine hands a parameter change to its rendering thread
    // a while after the pause (Firefox, through the suspend stand-in), a
    // loaded machine once rendered the last 0.15 s of a 0.2 s render before
    // the change arrived.
    const uiLength = sampleRate;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: uiLength, sampleRate });
    const src = new ConstantSourceNode(ctx, { offset: 0.5 });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
    src.connect(node).connect(ctx.destination);
    src.start();
    ctx.suspend(0.05).then(() => {
      node.gain.value = 0.25;
      ctx.resume();
    });
    const s = (await ctx.startRendering()).getChannelData(0);
    let maxJump = 0;
    for (let i = 1; i < uiLength; i++) maxJump = Math.max(maxJump, Math.abs(s[i] - s[i - 1]));
    return { rampDiff, maxJump, before: s[2000], after: s[uiLength - 1] };
  });
  expect(r.rampDiff).toBeLessThan(1e-6);
  expect(r.before).toBe(0.5);
  expect(r.after).toBeCloseTo(0.125, 6);
  // A 0.375 step spread over 5 ms (240 samples) moves under 0.01 per sample.
  expect(r.maxJump).toBeLessThan(0.01);
});

test('limiter: a signal 12 dB over the ceiling never exceeds it, and settings are validated', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sampleRate = 48000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: sampleRate / 2, sampleRate });
    const osc = new OscillatorNode(ctx, { frequency: 440 });
    const loud = new GainNode(ctx, { gain: 10 ** (11 / 20) }); // a 0 dBFS sine made +11 dB: 12 dB over -1 dBFS
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 2 });
    node.limiter.set({ ceilingDb: -1, attackMs: 1, releaseMs: 50 });
    const errors = [];
    for (const bad of [{ ceilingDb: 3 }, { attackMs: -1 }, { releaseMs: NaN }, { ceilingDb: '0' }]) {
      try {
        node.limiter.set(bad);
        errors.push('accepted');
      } catch (e) {
        errors.push(`${e.name}: ${e.message}`);
      }
    }
    osc.connect(loud).connect(node).connect(ctx.destination);
    osc.start();
    const out = await ctx.startRendering();
    let peak = 0;
    for (let c = 0; c < 2; c++) for (const x of out.getChannelData(c)) peak = Math.max(peak, Math.abs(x));
    return { peak, ceiling: 10 ** (-1 / 20), errors, settings: node.limiter.get(), meters: node.meters() };
  });
  expect(r.peak).toBeLessThanOrEqual(r.ceiling);
  expect(r.peak).toBeGreaterThan(r.ceiling * 0.9);
  expect(r.errors[0]).toMatch(/^RangeError: .*ceilingDb/);
  expect(r.errors[1]).toMatch(/^RangeError: .*attackMs/);
  expect(r.errors[2]).toMatch(/^RangeError: .*releaseMs/);
  expect(r.errors[3]).toMatch(/^TypeError: .*ceilingDb/);
  expect(r.settings).toEqual({ ceilingDb: -1, attackMs: 1, releaseMs: 50 });
  expect(r.meters.clips).toEqual([0, 0]);
});

test('NaN and Inf in the input give finite output, and the chain recovers within one quantum', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const length = 128 * 20;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate: 48000 });
    const buffer = ctx.createBuffer(1, length, 48000);
    const d = buffer.getChannelData(0);
    for (let i = 0; i < length; i++) d[i] = 0.25 * Math.sin(i / 10);
    d[128 * 5 + 3] = NaN;
    d[128 * 5 + 9] = Infinity;
    d[128 * 6 + 1] = -Infinity;
    const src = new AudioBufferSourceNode(ctx, { buffer });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
    node.eq.setBand(3, { type: 'peaking', frequency: 480, q: 2, gainDb: 6 });
    await node.flush(); // on 'message' (no SharedArrayBuffer) settings land after a round trip
    src.connect(node).connect(ctx.destination);
    src.start();
    const out = (await ctx.startRendering()).getChannelData(0);
    // The same chain on a clean copy of the input, for the recovery check.
    const ctx2 = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate: 48000 });
    const clean = ctx2.createBuffer(1, length, 48000);
    for (let i = 0; i < length; i++) clean.getChannelData(0)[i] = 0.25 * Math.sin(i / 10);
    const src2 = new AudioBufferSourceNode(ctx2, { buffer: clean });
    const node2 = await RingletNode.create(ctx2, { mode: 'effect', channels: 1 });
    node2.eq.setBand(3, { type: 'peaking', frequency: 480, q: 2, gainDb: 6 });
    await node2.flush();
    src2.connect(node2).connect(ctx2.destination);
    src2.start();
    const ref = (await ctx2.startRendering()).getChannelData(0);
    // Worst |out - ref| from quantum `from` to the end.
    const diffFrom = (from) => {
      let m = 0;
      for (let i = 128 * from; i < length; i++) m = Math.max(m, Math.abs(out[i] - ref[i]));
      return m;
    };
    return {
      finite: out.every(Number.isFinite),
      bounded: out.every((x) => Math.abs(x) < 1),
      beforeEqual: out.subarray(0, 128 * 5).every((x, i) => x === ref[i]),
      // A bad sample enters the chain as 0; the EQ's response to that one
      // missing sample decays like any transient. One quantum after the last
      // bad one (quantum 6) the output is back on the clean render's track.
      afterOneQuantum: diffFrom(7),
      afterFour: diffFrom(10),
      refPeak: Math.max(...ref.map(Math.abs)),
    };
  });
  expect(r).toMatchObject({ finite: true, bounded: true, beforeEqual: true });
  expect(r.refPeak).toBeGreaterThan(0.25); // the clean render is a real signal, not silence
  expect(r.afterOneQuantum).toBeLessThan(0.01); // -30 dB below the signal; measured 1.4e-3
  expect(r.afterFour).toBeLessThan(1e-4); // measured 4.9e-6
});

test.needs(
  ['sharedArrayBuffer'],
  "it reads the worklet's analyser or meters, or resets, mid-render; message-transport.node.test.js covers them over the port",
);
test('meters report peak and RMS of a known sine, and the generator plays a tone in a source node', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sampleRate = 48000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 3 * sampleRate, sampleRate });
    const node = await RingletNode.create(ctx, { mode: 'source', channels: 1 });
    node.generator.set({ type: 'sine', frequency: 1000, amplitude: 0.5 });
    node.generator.start();
    const bad = [];
    for (const s of [{ frequency: 0 }, { frequency: 24000 }, { amplitude: 2 }, { type: 'saw' }]) {
      try {
        node.generator.set(s);
        bad.push('accepted');
      } catch (e) {
        bad.push(e.name);
      }
    }
    node.connect(ctx.destination);
    let meters;
    // RMS is a 300 ms exponential average: after 2.5 s it is within 0.01 dB.
    ctx.suspend(2.5).then(() => {
      meters = node.meters();
      ctx.resume();
    });
    const out = (await ctx.startRendering()).getChannelData(0);
    let crossings = 0;
    for (let i = sampleRate / 2 + 1; i < sampleRate; i++) if (out[i - 1] < 0 && out[i] >= 0) crossings++;
    let peak = 0;
    for (let i = sampleRate / 2; i < sampleRate; i++) peak = Math.max(peak, Math.abs(out[i]));
    return { meters, crossings, peak, bad, settings: node.generator.get(), started: node.generator.started };
  });
  expect(r.crossings).toBeGreaterThanOrEqual(499);
  expect(r.crossings).toBeLessThanOrEqual(501);
  expect(r.peak).toBeCloseTo(0.5, 3);
  // Both ways: a meter that reads low (down to 0, -Infinity dB) fails too.
  expect(Math.abs(20 * Math.log10(r.meters.peak[0] / 0.5))).toBeLessThan(0.1);
  expect(Math.abs(20 * Math.log10(r.meters.rms[0] / (0.5 / Math.SQRT2)))).toBeLessThan(0.1);
  expect(r.meters.clips).toEqual([0]);
  expect(r.bad).toEqual(['RangeError', 'RangeError', 'RangeError', 'TypeError']);
  expect(r.settings.frequency).toBe(1000);
  expect(r.started).toBe(true);
});

test("the generator's impulse train lands one sample of the amplitude every rate / f frames, and its multitone is equal octaves peaking at the amplitude", async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const sampleRate = 48000;
    const render = async (settings) => {
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: sampleRate / 2, sampleRate });
      const node = await RingletNode.create(ctx, { mode: 'source', channels: 1 });
      node.limiter.bypass = true;
      node.generator.set(settings);
      node.generator.start();
      node.connect(ctx.destination);
      await node.flush(); // on 'message' settings land after a round trip
      return (await ctx.startRendering()).getChannelData(0);
    };
    const impulses = await render({ type: 'impulse', frequency: 1000, amplitude: 0.5 });
    const at = [];
    for (let i = 0; i < impulses.length; i++) if (impulses[i] !== 0) at.push(i);
    const gaps = new Set(at.slice(1).map((x, k) => x - at[k]));
    // Past the 5 ms start fade, every impulse is exactly the amplitude.
    const levels = new Set(at.filter((i) => i >= at[0] + 240).map((i) => impulses[i]));
    const multi = await render({ type: 'multitone', frequency: 1000, amplitude: 0.8 });
    const from = 4800; // past the fade
    const tone = (f) => {
      let re = 0;
      let im = 0;
      for (let i = from; i < multi.length; i++) {
        re += multi[i] * Math.cos((2 * Math.PI * f * i) / sampleRate);
        im += multi[i] * Math.sin((2 * Math.PI * f * i) / sampleRate);
      }
      return (2 * Math.hypot(re, im)) / (multi.length - from);
    };
    let peak = 0;
    for (let i = from; i < multi.length; i++) peak = Math.max(peak, Math.abs(multi[i]));
    return {
      count: at.length,
      gaps: [...gaps],
      levels: [...levels],
      tones: [1000, 2000, 4000, 8000, 16000].map(tone),
      between: [3000, 6000, 12000, 20000].map(tone),
      peak,
    };
  });
  // 0.5 s at 1 kHz: 500 periods, less the few frames before the generator started.
  expect(r.count).toBeGreaterThanOrEqual(497);
  expect(r.count).toBeLessThanOrEqual(500);
  expect(r.gaps).toEqual([48]);
  expect(r.levels).toEqual([0.5]);
  // At 1 kHz and 48 kHz the octaves below Nyquist are 1, 2, 4, 8 and 16 kHz: 0.8 / 5 each.
  for (const a of r.tones) expect(a).toBeCloseTo(0.16, 3);
  for (const a of r.between) expect(a).toBeLessThan(1e-4);
  expect(r.peak).toBeCloseTo(0.8, 5);
  expect(r.peak).toBeLessThanOrEqual(0.8 + 1e-6);
});

test('EQ settings are validated, a rejected setting changes nothing, and getBand reflects what was set', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 44100 });
    const node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
    const before = node.eq.getBand(2);
    const attempt = (i, band) => {
      try {
        node.eq.setBand(i, band);
        return 'accepted';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const errors = [
      attempt(8, { gainDb: 1 }),
      attempt(2, { frequency: 22050 }),
      attempt(2, { frequency: 0 }),
      attempt(2, { q: 0 }),
      attempt(2, { gainDb: 41 }),
      attempt(2, { type: 'comb' }),
      attempt(2, { frequency: NaN }),
    ];
    const unchanged = JSON.stringify(node.eq.getBand(2)) === JSON.stringify(before);
    node.eq.setBand(2, { gainDb: -6 });
    return { errors, unchanged, before, after: node.eq.getBand(2), count: node.eq.bandCount };
  });
  expect(r.errors[0]).toMatch(/^RangeError: .*index.*0 to 7/);
  expect(r.errors[1]).toMatch(/^RangeError: .*frequency/);
  expect(r.errors[2]).toMatch(/^RangeError: .*frequency/);
  expect(r.errors[3]).toMatch(/^RangeError: .*q/);
  expect(r.errors[4]).toMatch(/^RangeError: .*gainDb/);
  expect(r.errors[5]).toMatch(/^TypeError: .*type/);
  expect(r.errors[6]).toMatch(/^RangeError: .*frequency/);
  expect(r.unchanged).toBe(true);
  expect(r.before).toEqual({ type: 'peaking', frequency: 240, q: Math.SQRT2, gainDb: 0 });
  expect(r.after).toEqual({ type: 'peaking', frequency: 240, q: Math.SQRT2, gainDb: -6 });
  expect(r.count).toBe(8);
  expect(b.errors).toEqual([]);
});

test.needs(
  ['sharedArrayBuffer'],
  "it reads the worklet's analyser or meters, or resets, mid-render; message-transport.node.test.js covers them over the port",
);
test('reset() keeps the chain: the core gets every setting again, audibly', async () => {
  const r = await b.page.evaluate(async () => {
    const { RingletNode } = await import('/dist/ringlet.js');
    const { resetMidRender } = await import('/test/browser/fixtures/offline-reset.js');
    const sampleRate = 48000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: sampleRate, sampleRate });
    const node = await RingletNode.create(ctx, { mode: 'source', channels: 1 });
    node.generator.set({ type: 'sine', frequency: 960, amplitude: 0.5 });
    node.generator.start();
    node.eq.setBand(4, { gainDb: -20 }); // band 4 sits at 960 Hz
    node.connect(ctx.destination);
    // Reset at 0.25 s (quantum 94); the render waits until the reset has
    // resolved, so the settings it sends again reach the core at once.
    const reset = resetMidRender(ctx, node, 94);
    const out = (await ctx.startRendering()).getChannelData(0);
    const { quantum, reset: outcome } = await reset;
    const peak = (from, to) => {
      let p = 0;
      for (let i = from; i < to; i++) p = Math.max(p, Math.abs(out[i]));
      return p;
    };
    return {
      outcome,
      resumedAt: quantum === null ? null : (quantum * 128) / sampleRate,
      before: peak(0.15 * sampleRate, 0.25 * sampleRate),
      after: peak(0.6 * sampleRate, sampleRate),
    };
  });
  expect(r.outcome).toBe('resolved');
  expect(r.resumedAt).toBeLessThan(0.3); // the 'after' window starts 0.3 s after the reset, at least
  // -20 dB on a 0.5 sine is 0.05, before and after the reset alike.
  expect(r.before).toBeCloseTo(0.05, 2);
  expect(r.after).toBeCloseTo(0.05, 2);
});
