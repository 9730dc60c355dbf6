// ringlet's DSP references against a browser engine's own nodes, and both
// against the Web Audio API specification's formulas computed here in Node:
//
//   node test/bench/dsp.browser.js                         Chromium
//   RINGLET_ENGINE=firefox node test/bench/dsp.browser.js   or webkit-shared, webkit-message
//
// 1. EQ: for each band type (the bands of test/browser/dsp.test.js), the
//    impulse response (4096 samples at 48 kHz) of a ringlet effect node with
//    that one band and of the engine's BiquadFilterNode with the same
//    settings. Here, their magnitude responses (a DFT of each impulse
//    response) at 121 log-spaced frequencies from 20 Hz to 20 kHz are set
//    beside the spec's: the BiquadFilterNode coefficient formulas of the Web
//    Audio API (Audio EQ Cookbook, Q in dB for lowpass and highpass, S = 1
//    for the shelves) evaluated in double. Frequencies where the spec's
//    response is below -60 dB (a notch's floor) are left out: there a
//    float32 rounding moves the dB figure by whole decibels.
// 2. Analyser: the same signal (two tones and seeded noise) through a
//    ringlet node's analyser and an AnalyserNode, fftSize 2048, with
//    smoothingTimeConstant 0 and 0.8, read at 7 suspend points of an offline
//    render (getFloatFrequencyData and getFloatTimeDomainData). Here, the
//    spec's values from each side's own time-domain data: Blackman window
//    (alpha 0.16), X[k] = (1/N) sum x[n] w[n] e^(-2 pi i k n / N), smoothing
//    X^[k] = tau X^prev[k] + (1 - tau) |X[k]| from a zero start over the
//    successive calls, 20 log10. Bins where the spec is below -100 dB are
//    left out, as in the browser test. Needs SharedArrayBuffer for ringlet's
//    side (it reads the worklet's time buffer mid-render); without it only
//    the engine's AnalyserNode is set against the spec.
//
// Prints a table and, on its last line, a JSON summary for scripts/bench.mjs.
// Figures are deviations in dB, not pass/fail; the exit code is non-zero only
// when a measurement that should run could not.
import { engine, openBrowser } from '../browser/harness.js';

const SAMPLE_RATE = 48000;
const IR_LENGTH = 4096;
const FFT_SIZE = 2048;
const BANDS = [
  { type: 'peaking', frequency: 1000, q: 1.4, gainDb: 9 },
  { type: 'lowshelf', frequency: 200, q: 1, gainDb: -12 },
  { type: 'highshelf', frequency: 6000, q: 1, gainDb: 6 },
  { type: 'lowpass', frequency: 2500, q: 6, gainDb: 0 },
  { type: 'highpass', frequency: 150, q: 3, gainDb: 0 },
  { type: 'bandpass', frequency: 800, q: 2, gainDb: 0 },
  { type: 'notch', frequency: 3000, q: 4, gainDb: 0 },
];
const SUSPEND_POINTS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
const SMOOTHINGS = [0, 0.8];

/** In the page: impulse responses of ringlet's band and the engine's BiquadFilterNode. */
async function eqInPage({ bands, length }) {
  const { RingletNode } = await import('/dist/ringlet.js');
  const render = async (band, useRinglet) => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate: 48000 });
    const impulse = ctx.createBuffer(1, length, 48000);
    impulse.getChannelData(0)[0] = 1;
    const src = new AudioBufferSourceNode(ctx, { buffer: impulse });
    let node;
    if (useRinglet) {
      node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
      node.limiter.bypass = true; // an impulse of 1 is above the ceiling
      node.eq.setBand(0, band);
      await node.flush(); // on 'message' settings land after a round trip
    } else {
      node = new BiquadFilterNode(ctx, { type: band.type, frequency: band.frequency, Q: band.q, gain: band.gainDb });
    }
    src.connect(node).connect(ctx.destination);
    src.start();
    const out = Array.from((await ctx.startRendering()).getChannelData(0));
    if (useRinglet) node.dispose();
    return out;
  };
  const results = [];
  for (const band of bands) results.push({ ringlet: await render(band, true), engine: await render(band, false) });
  return results;
}

/** In the page: analyser readings of ringlet's node and the engine's AnalyserNode at suspend points. */
async function analyserInPage({ points, smoothing, fftSize, withRinglet }) {
  const { RingletNode } = await import('/dist/ringlet.js');
  const sampleRate = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: sampleRate, sampleRate });
  const { analyserSignal } = await import('/test/browser/fixtures/signals.js');
  const buffer = analyserSignal(ctx, sampleRate);
  const src = new AudioBufferSourceNode(ctx, { buffer });
  const reference = new AnalyserNode(ctx, { fftSize, smoothingTimeConstant: smoothing });
  let node = null;
  if (withRinglet) {
    node = await RingletNode.create(ctx, { mode: 'effect', channels: 1 });
    node.analyser.fftSize = fftSize;
    node.analyser.smoothingTimeConstant = smoothing;
    src.connect(node).connect(ctx.destination);
  }
  src.connect(reference).connect(ctx.destination);
  src.start();
  const reads = [];
  for (const time of points) {
    ctx.suspend(time).then(() => {
      const read = {};
      const get = (analyser) => {
        const freq = new Float32Array(fftSize / 2);
        const time = new Float32Array(fftSize);
        analyser.getFloatTimeDomainData(time);
        analyser.getFloatFrequencyData(freq);
        return { freq: Array.from(freq), time: Array.from(time) };
      };
      read.engine = get(reference);
      if (node) read.ringlet = get(node.analyser);
      reads.push(read);
      ctx.resume();
    });
  }
  await ctx.startRendering();
  node?.dispose();
  return reads;
}

/** The spec's BiquadFilterNode coefficients, normalised by a0. */
function specCoefficients({ type, frequency, q, gainDb }, sampleRate) {
  const A = 10 ** (gainDb / 40);
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  const cos = Math.cos(w0);
  const sin = Math.sin(w0);
  const aQ = sin / (2 * q);
  const aQdB = sin / (2 * 10 ** (q / 20));
  const aS = (sin / 2) * Math.sqrt(2); // S = 1
  const sA = 2 * aS * Math.sqrt(A);
  let c;
  switch (type) {
    case 'lowpass':
      c = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + aQdB, -2 * cos, 1 - aQdB];
      break;
    case 'highpass':
      c = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + aQdB, -2 * cos, 1 - aQdB];
      break;
    case 'bandpass':
      c = [aQ, 0, -aQ, 1 + aQ, -2 * cos, 1 - aQ];
      break;
    case 'notch':
      c = [1, -2 * cos, 1, 1 + aQ, -2 * cos, 1 - aQ];
      break;
    case 'peaking':
      c = [1 + aQ * A, -2 * cos, 1 - aQ * A, 1 + aQ / A, -2 * cos, 1 - aQ / A];
      break;
    case 'lowshelf':
      c = [
        A * (A + 1 - (A - 1) * cos + sA),
        2 * A * (A - 1 - (A + 1) * cos),
        A * (A + 1 - (A - 1) * cos - sA),
        A + 1 + (A - 1) * cos + sA,
        -2 * (A - 1 + (A + 1) * cos),
        A + 1 + (A - 1) * cos - sA,
      ];
      break;
    case 'highshelf':
      c = [
        A * (A + 1 + (A - 1) * cos + sA),
        -2 * A * (A - 1 + (A + 1) * cos),
        A * (A + 1 + (A - 1) * cos - sA),
        A + 1 - (A - 1) * cos + sA,
        2 * (A - 1 - (A + 1) * cos),
        A + 1 - (A - 1) * cos - sA,
      ];
      break;
    default:
      throw new RangeError(`band type ${type}`);
  }
  const [b0, b1, b2, a0, a1, a2] = c;
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** |H(e^jw)| in dB of biquad coefficients at `hz`. */
function biquadDb(c, hz, sampleRate) {
  const w = (2 * Math.PI * hz) / sampleRate;
  // H = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2), z = e^jw
  const re = (x0, x1, x2) => x0 + x1 * Math.cos(w) + x2 * Math.cos(2 * w);
  const im = (x1, x2) => -(x1 * Math.sin(w) + x2 * Math.sin(2 * w));
  const nr = re(c.b0, c.b1, c.b2);
  const ni = im(c.b1, c.b2);
  const dr = re(1, c.a1, c.a2);
  const di = im(c.a1, c.a2);
  return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
}

/** |DFT| in dB of an impulse response at `hz`. */
function responseDb(ir, hz, sampleRate) {
  const w = (2 * Math.PI * hz) / sampleRate;
  let re = 0;
  let im = 0;
  for (let n = 0; n < ir.length; n++) {
    re += ir[n] * Math.cos(w * n);
    im -= ir[n] * Math.sin(w * n);
  }
  return 10 * Math.log10(re * re + im * im);
}

/**
 * The spec's getFloatFrequencyData over successive blocks of time-domain
 * data (each the last fftSize samples at one call), smoothing from zero.
 * @param {number[][]} blocks
 * @param {number} smoothing
 */
function specAnalyser(blocks, smoothing) {
  const N = blocks[0].length;
  const bins = N / 2;
  const window = new Float64Array(N);
  const alpha = 0.16;
  for (let n = 0; n < N; n++)
    window[n] = (1 - alpha) / 2 - 0.5 * Math.cos((2 * Math.PI * n) / N) + (alpha / 2) * Math.cos((4 * Math.PI * n) / N);
  const cos = new Float64Array(N);
  const sin = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    cos[n] = Math.cos((2 * Math.PI * n) / N);
    sin[n] = Math.sin((2 * Math.PI * n) / N);
  }
  let previous = new Float64Array(bins);
  const out = [];
  for (const block of blocks) {
    const x = block.map((v, n) => v * window[n]);
    const smoothed = new Float64Array(bins);
    const db = new Float64Array(bins);
    for (let k = 0; k < bins; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0, j = 0; n < N; n++, j = (j + k) % N) {
        re += x[n] * cos[j];
        im -= x[n] * sin[j];
      }
      const magnitude = Math.hypot(re, im) / N;
      smoothed[k] = smoothing * previous[k] + (1 - smoothing) * magnitude;
      db[k] = 20 * Math.log10(smoothed[k]);
    }
    previous = smoothed;
    out.push(db);
  }
  return out;
}

/**
 * Largest |a - b| over the bins where the spec reads above `floor` dB.
 * @param {ArrayLike<number>[]} a
 * @param {ArrayLike<number>[]} b
 * @param {ArrayLike<number>[]} spec
 * @param {number} floor
 */
function maxDeviation(a, b, spec, floor) {
  let max = 0;
  let compared = 0;
  for (let i = 0; i < spec.length; i++) {
    for (let k = 0; k < spec[i].length; k++) {
      if (!(spec[i][k] > floor)) continue;
      compared++;
      const d = Math.abs(a[i][k] - b[i][k]);
      max = Number.isFinite(d) ? Math.max(max, d) : Infinity;
    }
  }
  return { maxDb: max, compared };
}

const fmt = (x, d = 4) => (x === null ? '–' : x < 1e-3 && x > 0 ? x.toExponential(1) : x.toFixed(d));

async function main() {
  const b = await openBrowser();
  /** @type {Record<string, string>} */
  const unavailable = {};
  /** @type {string[]} */
  const problems = [];
  let version;
  let eq = null;
  /** @type {Record<string, any>} */
  const analyserReads = {};
  try {
    version = await b.version();
    try {
      eq = await b.page.evaluate(eqInPage, { bands: BANDS, length: IR_LENGTH });
    } catch (error) {
      unavailable.eq = String(error instanceof Error ? error.message : error).split('\n')[0];
    }
    if (!engine.sharedArrayBuffer) {
      unavailable.ringletAnalyser =
        "no SharedArrayBuffer in this engine mode: ringlet's analyser reads the worklet's time buffer mid-render through shared memory";
    }
    for (const smoothing of SMOOTHINGS) {
      try {
        analyserReads[smoothing] = await b.page.evaluate(analyserInPage, {
          points: SUSPEND_POINTS,
          smoothing,
          fftSize: FFT_SIZE,
          withRinglet: engine.sharedArrayBuffer,
        });
        if (analyserReads[smoothing].length !== SUSPEND_POINTS.length)
          throw new Error(`${analyserReads[smoothing].length} of ${SUSPEND_POINTS.length} suspend points reached`);
      } catch (error) {
        delete analyserReads[smoothing];
        unavailable[`analyser${smoothing}`] = String(error instanceof Error ? error.message : error).split('\n')[0];
      }
    }
  } finally {
    if (b.errors.length > 0) problems.push(...b.errors.map((e) => `page: ${e}`));
    await b.close();
  }

  // 1. EQ magnitude responses.
  const freqs = Array.from({ length: 121 }, (_, i) => 20 * 1000 ** (i / 120));
  const eqRows = [];
  if (eq) {
    BANDS.forEach((band, i) => {
      const c = specCoefficients(band, SAMPLE_RATE);
      const spec = [freqs.map((hz) => biquadDb(c, hz, SAMPLE_RATE))];
      const ours = [freqs.map((hz) => responseDb(eq[i].ringlet, hz, SAMPLE_RATE))];
      const theirs = [freqs.map((hz) => responseDb(eq[i].engine, hz, SAMPLE_RATE))];
      let irDiff = 0;
      for (let n = 0; n < IR_LENGTH; n++) irDiff = Math.max(irDiff, Math.abs(eq[i].ringlet[n] - eq[i].engine[n]));
      // Where the engine departs from the spec most.
      let worstHz = null;
      let worst = 0;
      freqs.forEach((hz, k) => {
        const dev = Math.abs(theirs[0][k] - spec[0][k]);
        if (spec[0][k] > -60 && dev > worst) {
          worst = dev;
          worstHz = hz;
        }
      });
      // Where each impulse response falls to exactly 0 for good (an engine
      // may stop a filter once its tail is judged silent).
      const silentFrom = (/** @type {number[]} */ ir) => {
        let n = ir.length;
        while (n > 0 && ir[n - 1] === 0) n--;
        return n;
      };
      eqRows.push({
        band,
        ringletSilentFrom: silentFrom(eq[i].ringlet),
        engineSilentFrom: silentFrom(eq[i].engine),
        ringletVsEngineDb: maxDeviation(ours, theirs, spec, -60).maxDb,
        ringletVsSpecDb: maxDeviation(ours, spec, spec, -60).maxDb,
        engineVsSpecDb: maxDeviation(theirs, spec, spec, -60).maxDb,
        engineWorstHz: worstHz,
        impulseMaxDiff: irDiff,
        compared: maxDeviation(ours, theirs, spec, -60).compared,
      });
    });
  }

  // 2. The analyser.
  /** @type {Record<string, any>} */
  const analyser = {};
  for (const smoothing of SMOOTHINGS) {
    const reads = analyserReads[smoothing];
    if (!reads) continue;
    const engineFreq = reads.map((r) => r.engine.freq);
    const engineSpec = specAnalyser(
      reads.map((r) => r.engine.time),
      smoothing,
    );
    const row = {
      engineVsSpec: maxDeviation(engineFreq, engineSpec, engineSpec, -100),
      ringletVsSpec: null,
      ringletVsEngine: null,
    };
    if (reads[0].ringlet) {
      const ringletFreq = reads.map((r) => r.ringlet.freq);
      const ringletSpec = specAnalyser(
        reads.map((r) => r.ringlet.time),
        smoothing,
      );
      row.ringletVsSpec = maxDeviation(ringletFreq, ringletSpec, ringletSpec, -100);
      row.ringletVsEngine = maxDeviation(ringletFreq, engineFreq, engineSpec, -100);
      // Both analysers saw the same samples (else the comparison is of different blocks).
      let timeDiff = 0;
      for (const r of reads)
        for (let n = 0; n < FFT_SIZE; n++)
          timeDiff = Math.max(timeDiff, Math.abs(r.ringlet.time[n] - r.engine.time[n]));
      row.timeDomainMaxDiff = timeDiff;
    }
    analyser[smoothing] = row;
  }

  console.log(
    `DSP references in ${version} (${engine.id}) against the Web Audio API spec's formulas (computed in Node)`,
  );
  if (eq) {
    console.log('\n1. EQ band vs BiquadFilterNode: max |dB| deviation of the magnitude response, 20 Hz - 20 kHz');
    for (const r of eqRows) {
      console.log(
        `   ${r.band.type.padEnd(9)} ringlet-engine ${fmt(r.ringletVsEngineDb)} dB, ringlet-spec ${fmt(r.ringletVsSpecDb)} dB, ` +
          `engine-spec ${fmt(r.engineVsSpecDb)} dB (worst at ${r.engineWorstHz === null ? '–' : r.engineWorstHz.toFixed(0)} Hz), impulse max diff ${fmt(r.impulseMaxDiff, 6)}, ` +
          `impulse response exactly 0 from sample ${r.ringletSilentFrom} (ringlet) / ${r.engineSilentFrom} (engine)`,
      );
    }
  }
  for (const [smoothing, r] of Object.entries(analyser)) {
    const t = (x) => (x ? `${fmt(x.maxDb)} dB (${x.compared} bins)` : '–');
    console.log(
      `2. analyser, smoothing ${smoothing}: ringlet-engine ${t(r.ringletVsEngine)}, ringlet-spec ${t(r.ringletVsSpec)}, engine-spec ${t(r.engineVsSpec)}` +
        `${r.timeDomainMaxDiff === undefined ? '' : `, time-domain max diff ${fmt(r.timeDomainMaxDiff, 6)}`}`,
    );
  }
  for (const [k, why] of Object.entries(unavailable)) console.log(`UNAVAILABLE ${k}: ${why}`);
  for (const p of problems) console.log(`PROBLEM: ${p}`);
  console.log(
    JSON.stringify({
      bench: 'dsp-browser',
      engine: { id: engine.id, label: engine.label, version },
      config: { sampleRate: SAMPLE_RATE, irLength: IR_LENGTH, fftSize: FFT_SIZE, points: SUSPEND_POINTS, freqs: 121 },
      eq: eqRows,
      analyser,
      unavailable,
      problems,
    }),
  );
  const failed = Object.keys(unavailable).filter((k) => k !== 'ringletAnalyser');
  if (problems.length > 0 || failed.length > 0) process.exitCode = 1;
}

await main();
