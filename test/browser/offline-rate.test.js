// renderOffline at another output rate (options.sampleRate), in every
// engine: the chain at the input's rate, then ringlet's band-limited
// resampler in the same workers. The pitch and quality of 44.1 <-> 48 kHz
// (a sine fit), the output's defined length (ceil(N * out / in)), its
// alignment (input frame k is heard at output frame k * out / in, frame 0 at
// frame 0, and the last frames' tail is not cut), a pipelined render of many
// segments sample-identical to a single task, an AudioBuffer out at the new
// rate, the default (no conversion) unchanged, and the bad-input matrix.
//
// The signals are computed in the page; only measurements come back.
/* global rr -- the page's helpers, set up in beforeAll */
import { afterAll, beforeAll, expect, jest } from '@jest/globals';
import { openBrowser, test } from './harness.js';

jest.setTimeout(120000);

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
  await b.page.evaluate(async () => {
    const ringlet = await import('/dist/ringlet.js');
    const { sineFit, crossingFrequency } = await import('/test/browser/fixtures/signals.js');
    const sine = (frames, rate, f, amp = 0.5) => {
      const x = new Float32Array(frames);
      for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * f * i) / rate);
      return x;
    };
    // The chain offline.test.js works: shelves, a resonant high-pass, a
    // peak, a notch and the limiter driven in and out.
    const CHAIN = {
      gain: 0.8,
      eq: {
        bands: [
          { type: 'lowshelf', frequency: 120, gainDb: 9 },
          { type: 'highpass', frequency: 30, q: 6 },
          null,
          { type: 'peaking', frequency: 1000, q: 2, gainDb: 6 },
        ],
      },
      limiter: { ceilingDb: -3, attackMs: 2, releaseMs: 400 },
    };
    // A seeded signal for the chain: a 45 Hz tone, a swelling 1 kHz tone, noise.
    const chainSignal = (channels, frames, rate, seed) => {
      let s = seed;
      return Array.from({ length: channels }, (_, c) => {
        const x = new Float32Array(frames);
        for (let i = 0; i < frames; i++) {
          s = (s * 1664525 + 1013904223) >>> 0;
          const t = i / rate;
          const swell = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.7 * t + c);
          x[i] =
            1.2 *
            (0.35 * Math.sin(2 * Math.PI * 45 * t + c) +
              0.45 * swell * Math.sin(2 * Math.PI * 1000 * t) +
              0.1 * (s / 2 ** 32 - 0.5));
        }
        return x;
      });
    };
    const firstDiff = (a, c) => {
      if (a.length !== c.length) return { channels: [a.length, c.length] };
      for (let ch = 0; ch < a.length; ch++) {
        if (a[ch].length !== c[ch].length) return { ch, length: [a[ch].length, c[ch].length] };
        for (let i = 0; i < a[ch].length; i++) {
          if (!Object.is(a[ch][i], c[ch][i])) return { ch, i, a: a[ch][i], b: c[ch][i] };
        }
      }
      return null;
    };
    /** The peak of |y| and where it lies, refined by a parabola through its neighbours. */
    const peakAt = (y) => {
      let k = 0;
      for (let j = 1; j < y.length; j++) if (Math.abs(y[j]) > Math.abs(y[k])) k = j;
      const a = k > 0 ? y[k - 1] : 0;
      const c = k + 1 < y.length ? y[k + 1] : 0;
      const d = a - 2 * y[k] + c;
      return { index: k, at: d === 0 ? k : k + (0.5 * (a - c)) / d, value: y[k] };
    };
    globalThis.rr = { ringlet, sineFit, crossingFrequency, sine, CHAIN, chainSignal, firstDiff, peakAt };
  });
});

afterAll(async () => {
  await b?.close();
});

// The SNR bound. The C core's conversion of a 1 kHz tone at 44.1 -> 48 kHz
// measures about 140 dB (BENCHMARKS.md, test/c/test_resampler.c), and the
// workers run that wasm, bit-identical to the native build
// (test/unit/resampler-wasm.test.js). The chain before it is a bit-exact
// pass-through here (EQ flat, gain 1, a 0.5 tone under the limiter's -1 dBFS
// ceiling), so only the resampler and the float32 input and output (about
// -150 dB of a 0.5 tone) add error. 130 dB leaves 10 dB for those and for a
// 15 kHz tone, and is far above anything not band-limited (Chromium's
// AudioBufferSourceNode: 62 dB; linear interpolation: about 50 dB).
const SNR_DB = 130;

test.each([
  [44100, 48000, 1000],
  [48000, 44100, 1000],
  [44100, 48000, 15000],
  [48000, 44100, 15000],
])(
  'a %i Hz input rendered at %i Hz: a %i Hz sine keeps its frequency and amplitude, SNR >= 130 dB',
  async (inRate, outRate, f) => {
    const r = await b.page.evaluate(
      async ({ inRate, outRate, f }) => {
        const { renderOffline, WorkerPool } = rr.ringlet;
        const pool = new WorkerPool({ maxWorkers: 2 });
        const out = await renderOffline({ channels: [rr.sine(inRate, inRate, f)], sampleRate: inRate }, undefined, {
          pool,
          sampleRate: outRate,
          segmentFrames: 16384,
        });
        pool.terminate();
        const y = out.channels[0];
        // 0.2 .. 0.8 s: away from the ends, where the input starts and stops.
        const j0 = Math.round(0.2 * outRate);
        const j1 = Math.round(0.8 * outRate);
        return {
          rate: out.sampleRate,
          length: y.length,
          fit: rr.sineFit(y, j0, j1, (2 * Math.PI * f) / outRate),
          frequency: rr.crossingFrequency(y, j0, j1, outRate),
        };
      },
      { inRate, outRate, f },
    );
    expect(r.rate).toBe(outRate);
    expect(r.length).toBe(outRate); // one second in, one second out
    // Unconverted (the same samples read at outRate) it would be f * outRate / inRate: 1088 or 918.75 Hz.
    // Zero crossings interpolated linearly read a 15 kHz tone (3 samples a period) less exactly.
    expect(Math.abs(r.frequency - f)).toBeLessThan(Math.max(0.01, f * 1e-5));
    expect(r.fit.amp).toBeCloseTo(0.5, 5); // the passband is flat to 2.5e-7 dB
    expect(r.fit.snr).toBeGreaterThanOrEqual(SNR_DB);
  },
);

test('the output has ceil(N * out / in) frames for any N, whatever the segmenting, and an AudioBuffer comes out as one at the new rate', async () => {
  const r = await b.page.evaluate(async () => {
    const { renderOffline, WorkerPool } = rr.ringlet;
    const pool = new WorkerPool({ maxWorkers: 2 });
    const cases = [];
    for (const [inRate, outRate] of [
      [44100, 48000],
      [48000, 44100],
      [8000, 384000],
      [384000, 8000],
      [48000, 96000],
    ]) {
      for (const frames of [1, 127, 128, 1000, 4097, 44101]) {
        const input = { channels: [rr.sine(frames, inRate, 440), rr.sine(frames, inRate, 660)], sampleRate: inRate };
        const out = await renderOffline(input, undefined, { pool, sampleRate: outRate, segmentFrames: 1024 });
        cases.push({ inRate, outRate, frames, length: out.channels.map((x) => x.length), rate: out.sampleRate });
      }
    }
    const inRate = 44100;
    const buffer = new AudioBuffer({ numberOfChannels: 2, length: 10000, sampleRate: inRate });
    buffer.copyToChannel(rr.sine(10000, inRate, 440), 0);
    buffer.copyToChannel(rr.sine(10000, inRate, 660), 1);
    const fromBuffer = await renderOffline(buffer, rr.CHAIN, { pool, sampleRate: 48000, segmentFrames: 2048 });
    const planar = await renderOffline(
      { channels: [buffer.getChannelData(0), buffer.getChannelData(1)], sampleRate: inRate },
      rr.CHAIN,
      { pool, sampleRate: 48000 },
    );
    pool.terminate();
    return {
      cases,
      isAudioBuffer: fromBuffer instanceof AudioBuffer,
      shape: [fromBuffer.numberOfChannels, fromBuffer.length, fromBuffer.sampleRate],
      diff: rr.firstDiff([fromBuffer.getChannelData(0), fromBuffer.getChannelData(1)], planar.channels),
    };
  });
  for (const c of r.cases) {
    const expected = Math.ceil((c.frames * c.outRate) / c.inRate);
    expect({ ...c, length: c.length }).toEqual({ ...c, length: [expected, expected] });
    expect(c.rate).toBe(c.outRate);
  }
  expect(r.cases.find((c) => c.frames === 44101 && c.inRate === 44100)?.length[0]).toBe(48002); // 48001.09
  expect(r.isAudioBuffer).toBe(true);
  expect(r.shape).toEqual([2, Math.ceil((10000 * 48000) / 44100), 48000]);
  expect(r.diff).toBeNull();
});

// 44.1 and 48 kHz are 147 : 160, so input frame 147 m (160 m) lands exactly
// on output frame 160 m (147 m), and an impulse there comes out at the
// same height wherever m is, if nothing shifts it, delays it or cuts it.
test.each([
  [44100, 48000, 147, 160],
  [48000, 44100, 160, 147],
])(
  'alignment, %i -> %i Hz: an impulse at input frame k peaks at output frame k * out / in: frame 0 at frame 0, the last input frame at its place at the end, at one height',
  async (inRate, outRate, den, num) => {
    const r = await b.page.evaluate(
      async ({ inRate, outRate, den }) => {
        const { renderOffline, WorkerPool } = rr.ringlet;
        const pool = new WorkerPool({ maxWorkers: 2 });
        const frames = den * 130 + 1;
        const results = [];
        // Whole multiples of den (exact output positions), a fractional one, and the last frame.
        for (const k of [0, den, den * 7, den * 84, 1000, frames - 1]) {
          const x = new Float32Array(frames);
          x[k] = 0.5;
          // Small segments, so impulses sit near and across segment boundaries.
          const out = await renderOffline({ channels: [x], sampleRate: inRate }, undefined, {
            pool,
            sampleRate: outRate,
            segmentFrames: 1024,
          });
          const y = out.channels[0];
          results.push({ k, length: y.length, peak: rr.peakAt(y) });
        }
        pool.terminate();
        return { frames, results };
      },
      { inRate, outRate, den },
    );
    const { frames, results } = r;
    expect(results[0].length).toBe(Math.ceil((frames * num) / den));
    const height = results[2].peak.value;
    for (const c of results) {
      const where = (c.k * num) / den;
      if (Number.isInteger(where)) {
        expect({ k: c.k, index: c.peak.index }).toEqual({ k: c.k, index: where });
        // Decimating, the resampler starts in its interpolating form and
        // splices into the decimating one over its first 64 output frames
        // (ringlet.h, "Resampler"), so an impulse at frame 0 differs by
        // 0.24% there (the interpolating form keeps what lies above the
        // output's Nyquist frequency); everywhere else the height is one.
        if (c.k === 0 && num < den) expect(Math.abs(c.peak.value / height - 1)).toBeLessThan(0.01);
        else expect(c.peak.value).toBeCloseTo(height, 6);
      } else {
        // Between output frames: the peak's parabola puts it there within a sample.
        expect(Math.abs(c.peak.at - where)).toBeLessThan(1);
      }
    }
    // Frame 0 is input frame 0, and the last input frame (at output frame 130 num) is in the output.
    expect(results[0].peak.index).toBe(0);
    expect(results[results.length - 1].peak.index).toBe(130 * num);
    expect(height).toBeGreaterThan(0.4); // the impulse is there, not filtered away
  },
);

test.each([
  [44100, 48000],
  [48000, 44100],
])(
  '%i -> %i Hz pipelined over 3 workers in 40 segments is sample-identical to one task over the whole buffer, and equals the chain at the input rate then converted',
  async (inRate, outRate) => {
    const r = await b.page.evaluate(
      async ({ inRate, outRate }) => {
        const { renderOffline, WorkerPool } = rr.ringlet;
        const frames = 40 * 1024 - 300; // the last segment short, not whole quanta
        const input = rr.chainSignal(2, frames, inRate, 9876);
        const pool = new WorkerPool({ minWorkers: 3, maxWorkers: 3 });
        await pool.init();
        const single = await pool.run('render', {
          channels: input.map((x) => new Float32Array(x)),
          sampleRate: inRate,
          outputRate: outRate,
          chain: rr.CHAIN,
        });
        const segments = [];
        const out = await renderOffline({ channels: input, sampleRate: inRate }, rr.CHAIN, {
          pool,
          sampleRate: outRate,
          segmentFrames: 1024,
          pipeline: 3,
          onSegment: (s) => segments.push(s),
        });
        // The same chain at the input rate, then only converted: EQ flat, gain
        // 1 and the limiter bypassed are a bit-exact pass-through.
        const atInput = await renderOffline({ channels: input, sampleRate: inRate }, rr.CHAIN, { pool });
        const converted = await renderOffline(atInput, { limiter: { bypass: true } }, { pool, sampleRate: outRate });
        // Each segment from a fresh resampler (and node) instead: what the handoff prevents.
        const fresh = input.map(() => new Float32Array(out.channels[0].length));
        let made = 0;
        for (let at = 0; at < frames; at += 1024) {
          const part = await pool.run('render', {
            channels: input.map((x) => x.slice(at, at + 1024)),
            sampleRate: inRate,
            outputRate: outRate,
            chain: rr.CHAIN,
          });
          const n = Math.min(part.channels[0].length, fresh[0].length - made);
          part.channels.forEach((x, c) => fresh[c].set(x.subarray(0, n), made));
          made += n;
        }
        pool.terminate();
        let starts = 0;
        let expectedStart = 0;
        for (const s of segments) {
          if (s.outputStartFrame === expectedStart) starts++;
          expectedStart += s.outputFrames;
        }
        return {
          diff: rr.firstDiff(out.channels, single.channels),
          convertedDiff: rr.firstDiff(out.channels, converted.channels),
          freshDiff: rr.firstDiff(out.channels, fresh),
          length: out.channels[0].length,
          singleShape: [single.sampleRate, single.outputStart, single.outputFrames, single.frames],
          frames,
          count: segments.length,
          restored: segments.filter((s) => s.restored).length,
          workers: new Set(segments.map((s) => s.worker)).size,
          contiguous: starts === segments.length && expectedStart === out.channels[0].length,
          outputFrames: segments.map((s) => s.outputFrames),
          stateBytes: segments.map((s) => s.stateBytes),
        };
      },
      { inRate, outRate },
    );
    const expected = Math.ceil((r.frames * outRate) / inRate);
    expect(r.length).toBe(expected);
    expect(r.singleShape).toEqual([outRate, 0, expected, r.frames]);
    expect(r.diff).toBeNull();
    expect(r.convertedDiff).toBeNull();
    // The test can fail: without the resampler's state handed on, the output differs.
    expect(r.freshDiff).not.toBeNull();
    expect(r.count).toBe(40);
    expect(r.restored).toBe(39);
    expect(r.workers).toBe(3);
    expect(r.contiguous).toBe(true);
    // Each middle segment makes about its share of output frames.
    const share = (1024 * outRate) / inRate;
    for (const n of r.outputFrames.slice(1, -1)) expect(Math.abs(n - share)).toBeLessThanOrEqual(1);
    // The state handed on holds the node and the resampler (about 230 KiB more than the node alone).
    expect(r.stateBytes.slice(0, 39).every((n) => n > 300000)).toBe(true);
    expect(r.stateBytes[39]).toBe(0);
  },
);

test('without sampleRate (or with the input rate) nothing is converted: the output is the single task, bit for bit, segment by segment in place', async () => {
  const r = await b.page.evaluate(async () => {
    const { renderOffline, WorkerPool } = rr.ringlet;
    const inRate = 44100;
    const frames = 20 * 1024 - 50;
    const input = rr.chainSignal(2, frames, inRate, 4242);
    const pool = new WorkerPool({ maxWorkers: 2 });
    const single = await pool.run('render', {
      channels: input.map((x) => new Float32Array(x)),
      sampleRate: inRate,
      chain: rr.CHAIN,
    });
    const withRate = await pool.run('render', {
      channels: input.map((x) => new Float32Array(x)),
      sampleRate: inRate,
      outputRate: inRate,
      chain: rr.CHAIN,
    });
    const segments = [];
    const plain = await renderOffline({ channels: input, sampleRate: inRate }, rr.CHAIN, {
      pool,
      segmentFrames: 1024,
      onSegment: (s) => segments.push(s),
    });
    const same = await renderOffline({ channels: input, sampleRate: inRate }, rr.CHAIN, {
      pool,
      segmentFrames: 1024,
      sampleRate: inRate,
    });
    // An input rate outside the resampler's range is fine when nothing is converted.
    const low = await renderOffline({ channels: [rr.sine(1000, 3000, 100)], sampleRate: 3000 }, undefined, {
      pool,
      sampleRate: 3000,
    });
    pool.terminate();
    return {
      diff: rr.firstDiff(plain.channels, single.channels),
      sameDiff: rr.firstDiff(same.channels, single.channels),
      taskDiff: rr.firstDiff(withRate.channels, single.channels),
      rates: [plain.sampleRate, same.sampleRate, single.sampleRate, low.sampleRate],
      lowLength: low.channels[0].length,
      placed: segments.every((s) => s.outputStartFrame === s.startFrame && s.outputFrames === s.frames),
      outputs: [single.outputStart, single.outputFrames],
    };
  });
  expect(r.diff).toBeNull();
  expect(r.sameDiff).toBeNull();
  expect(r.taskDiff).toBeNull();
  expect(r.rates).toEqual([44100, 44100, 44100, 3000]);
  expect(r.lowLength).toBe(1000);
  expect(r.placed).toBe(true);
  expect(r.outputs).toEqual([0, 20 * 1024 - 50]);
});

test('bad sampleRate options are refused with TypeError or RangeError naming them and the range, before any worker starts; the task checks outputRate too', async () => {
  const r = await b.page.evaluate(async () => {
    const { renderOffline, WorkerPool } = rr.ringlet;
    const pool = new WorkerPool({ maxWorkers: 1 });
    const input = { channels: [new Float32Array(256)], sampleRate: 48000 };
    const offline = async (sampleRate, inp = input) => {
      try {
        await renderOffline(inp, undefined, { pool, sampleRate });
        return 'resolved';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const results = {
      string: await offline('44100'),
      nullRate: await offline(null),
      object: await offline({}),
      nan: await offline(NaN),
      infinite: await offline(Infinity),
      low: await offline(7999),
      high: await offline(384001),
      negative: await offline(-44100),
      lowInput: await offline(48000, { channels: [new Float32Array(256)], sampleRate: 4000 }),
      highInput: await offline(48000, { channels: [new Float32Array(256)], sampleRate: 768000 }),
    };
    const before = pool.stats().workersCreated;
    const task = await pool.run('render', { ...input, outputRate: '44100' }).then(
      () => ({ ok: true }),
      (e) => ({ ok: false, code: e.code, remoteName: e.remoteName, message: e.message }),
    );
    const taskRange = await pool.run('render', { ...input, outputRate: 1e6 }).then(
      () => ({ ok: true }),
      (e) => ({ ok: false, code: e.code, remoteName: e.remoteName, message: e.message }),
    );
    pool.terminate();
    return { results, before, task, taskRange };
  });
  const range = "a number of Hz from 8000 to 384000 \\(the resampler's range\\), or the input's own rate";
  const x = r.results;
  expect(x.string).toMatch(new RegExp(`^TypeError: renderOffline: options\\.sampleRate must be ${range}; got string`));
  expect(x.nullRate).toMatch(/^TypeError: renderOffline: options\.sampleRate must be .*; got null/);
  expect(x.object).toMatch(/^TypeError: renderOffline: options\.sampleRate must be /);
  expect(x.nan).toMatch(new RegExp(`^RangeError: renderOffline: options\\.sampleRate must be ${range}; got NaN$`));
  expect(x.infinite).toMatch(/^RangeError: renderOffline: options\.sampleRate .*; got Infinity$/);
  expect(x.low).toMatch(/^RangeError: renderOffline: options\.sampleRate .*; got 7999$/);
  expect(x.high).toMatch(/^RangeError: renderOffline: options\.sampleRate .*; got 384001$/);
  expect(x.negative).toMatch(/^RangeError: renderOffline: options\.sampleRate .*; got -44100$/);
  expect(x.lowInput).toBe(
    "RangeError: renderOffline: options.sampleRate 48000 needs the input's sampleRate from 8000 to 384000 Hz (the resampler's range); the input runs at 4000",
  );
  expect(x.highInput).toMatch(/^RangeError: .*; the input runs at 768000$/);
  // None of those started a worker.
  expect(r.before).toBe(0);
  expect(r.task).toMatchObject({ ok: false, code: 'TASK_FAILED', remoteName: 'TypeError' });
  expect(r.task.message).toMatch(/^render: outputRate must be a number of Hz from 8000 to 384000/);
  expect(r.taskRange).toMatchObject({ ok: false, code: 'TASK_FAILED', remoteName: 'RangeError' });
  expect(r.taskRange.message).toMatch(/^render: outputRate must be .*; got 1000000$/);
});
