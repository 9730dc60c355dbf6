// Shared by the processing-chain benchmarks: test/bench/chain.bench.js (Node)
// and test/bench/chain.browser.js (the page it drives in Chromium imports this
// file from /test/bench/chain-common.js). test/bench/chain.native.c repeats the
// signal recipe and the settings in C; keep the three in step.
//
// What is measured is the audio thread's chain of an effect node: input ->
// non-finite scrub -> gain -> 8-band EQ -> limiter -> meters -> analyser time
// buffer -> output, on a 128-frame stereo quantum at 48 kHz. The analyser's
// FFT is not on the audio thread (lib/node/analyser.js runs it on the main thread
// when the UI asks), so the chain includes only the time-buffer copy.
import { instantiateCore } from '../../lib/shared/core.js';
import { PARAM } from '../../lib/shared/layout.js';
import { ParamQueue } from '../../lib/shared/params.js';
import { compileRinglet } from '../../lib/node/wasm.js';

export const SAMPLE_RATE = 48000;
export const FRAMES = 128;
export const CHANNELS = 2;
export const CAPACITY_FRAMES = 8192;
/** The test signal loops every this many seconds (3750 quanta at 48 kHz). */
export const SIGNAL_SECONDS = 10;
export const QUANTA_PER_LOOP = (SIGNAL_SECONDS * SAMPLE_RATE) / FRAMES;
/** One quantum's real time at 48 kHz: 2.667 ms. */
export const QUANTUM_BUDGET_NS = (FRAMES / SAMPLE_RATE) * 1e9;
/** The gain AudioParam's value: not 1, because a settled gain of exactly 1 is a free shortcut. */
export const GAIN = 0.9;
/** The limiter's default ceiling, -1 dBFS. */
export const CEILING = 10 ** (-1 / 20);

/** rl_biquad_type of a peaking band. */
export const PEAKING = 5;
/** All 8 bands active: peaking at the default centres 60 * 2^k Hz, Q 1.4, +-3 .. +-9 dB. */
export const ACTIVE_BANDS = Object.freeze(
  [6, -4, 3, -6, 5, -3, 9, -7].map((gainDb, k) =>
    Object.freeze({ type: 'peaking', frequency: 60 * 2 ** k, q: 1.4, gainDb }),
  ),
);

/**
 * The variants of the chain, as settings on a fresh node.
 * - flat: the default node with a non-unity gain: bands at 0 dB, which the
 *   core skips (a flat band costs nothing), limiter, meters, time buffer.
 * - active: the same with all 8 bands active (the headline figure).
 * - bypassed: EQ and limiter bypassed, bands flat, gain at its default 1 (a
 *   bit-exact shortcut); what remains is input copy, scrub, meters and the
 *   time buffer: the floor of the chain.
 * @typedef {'flat' | 'active' | 'bypassed'} ChainVariant
 */
export const CHAIN_VARIANTS = /** @type {const} */ (['flat', 'active', 'bypassed']);

/** @param {ChainVariant} variant */
export function gainFor(variant) {
  return variant === 'bypassed' ? 1 : GAIN;
}

/**
 * Queues a variant's settings; the core applies them at the start of its
 * first quantum (before the EQ has run, so bands take their values at once).
 * @param {{ send(kind: number, index: number, arg: number, values?: readonly number[]): void }} params
 * @param {ChainVariant} variant
 */
export function sendSettings(params, variant) {
  if (variant === 'active') {
    ACTIVE_BANDS.forEach((b, k) => params.send(PARAM.EQ_BAND, k, PEAKING, [b.frequency, b.q, b.gainDb]));
  } else if (variant === 'bypassed') {
    params.send(PARAM.EQ_BYPASS, 0, 1);
    params.send(PARAM.LIMITER_BYPASS, 0, 1);
  }
}

/**
 * The music-like test signal, planar stereo, deterministic: 11 partials of a
 * chord from 55 Hz to 5.3 kHz under a slow swell, plus low-passed and white
 * noise, scaled to -12 dBFS RMS; then a drum-like hit (a decaying 90 Hz burst
 * plus a noise click, peaking near 0.9) every 2.5 s from 0.7 s, so the
 * limiter works sometimes. chain.native.c makes the same signal.
 * @param {number} [frames]
 * @param {number} [sampleRate]
 * @returns {[Float32Array, Float32Array]}
 */
export function makeSignal(frames = SIGNAL_SECONDS * SAMPLE_RATE, sampleRate = SAMPLE_RATE) {
  const TONES = [
    [55, 1],
    [110, 0.7],
    [164.81, 0.5],
    [220, 0.5],
    [329.63, 0.35],
    [440, 0.35],
    [659.26, 0.25],
    [880, 0.2],
    [1318.51, 0.12],
    [2637.02, 0.08],
    [5274.04, 0.05],
  ];
  const out = /** @type {[Float32Array, Float32Array]} */ ([new Float32Array(frames), new Float32Array(frames)]);
  let sumSquares = 0;
  const raw = [new Float64Array(frames), new Float64Array(frames)];
  for (let c = 0; c < 2; c++) {
    let seed = (0x9e3779b9 ^ ((c + 1) * 0x85ebca6b)) >>> 0;
    let lp = 0;
    const x = raw[c];
    for (let n = 0; n < frames; n++) {
      const t = n / sampleRate;
      let s = 0;
      for (let k = 0; k < TONES.length; k++) {
        s += TONES[k][1] * Math.sin(2 * Math.PI * TONES[k][0] * t + 0.7 * k + 1.3 * c);
      }
      s *= 0.75 + 0.25 * Math.sin(2 * Math.PI * 0.5 * t + c);
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      const white = (seed / 4294967296) * 2 - 1;
      lp += 0.05 * (white - lp);
      s += 0.8 * lp + 0.05 * white;
      x[n] = s;
      sumSquares += s * s;
    }
  }
  const scale = 0.25 / Math.sqrt(sumSquares / (2 * frames));
  for (let c = 0; c < 2; c++) {
    let seed = (0x2545f491 ^ ((c + 7) * 0x27d4eb2d)) >>> 0;
    for (let n = 0; n < frames; n++) {
      const t = n / sampleRate;
      const since = (t - 0.7) % 2.5;
      let hit = 0;
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      if (t >= 0.7 && since < 0.06) {
        const white = (seed / 4294967296) * 2 - 1;
        hit =
          0.75 * Math.exp(-since / 0.015) * Math.sin(2 * Math.PI * 90 * since) +
          0.15 * Math.exp(-since / 0.003) * white;
      }
      out[c][n] = raw[c][n] * scale + hit;
    }
  }
  return out;
}

/**
 * Planar views of one loop of the signal, one pair per quantum, made up front
 * so the timed loops allocate nothing.
 * @param {[Float32Array, Float32Array]} signal
 */
export function quantumViews(signal) {
  const n = Math.floor(signal[0].length / FRAMES);
  const left = [];
  const right = [];
  for (let q = 0; q < n; q++) {
    left.push(signal[0].subarray(q * FRAMES, (q + 1) * FRAMES));
    right.push(signal[1].subarray(q * FRAMES, (q + 1) * FRAMES));
  }
  return { left, right, inputs: left.map((l, q) => [[l, right[q]]]) };
}

/**
 * An effect node on its own shared memory, sized and initialised the way
 * lib/node/node.js and the worklet do it (rlw_heap_base + rlw_heap_size, then
 * rlw_init), with the variant's settings queued.
 * @param {WebAssembly.Module} module
 * @param {ChainVariant} variant
 */
export async function makeCoreNode(module, variant) {
  const wasm = await compileRinglet(module);
  const heapBytes = wasm.nodeHeapBytes('effect', CHANNELS, CAPACITY_FRAMES, SAMPLE_RATE);
  if (heapBytes === 0) throw new Error('the core refused an effect node of 2 channels');
  const pages = wasm.pagesFor(heapBytes);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const x = instantiateCore(module, memory);
  const rc = x.rlw_init(1, CHANNELS, CAPACITY_FRAMES, SAMPLE_RATE, heapBytes);
  if (rc !== 0) throw new Error(`rlw_init failed: ${rc}`);
  const buffer = memory.buffer;
  const params = new ParamQueue(buffer, x.rlw_params());
  sendSettings(params, variant);
  return {
    x,
    memory,
    heapBytes,
    params,
    inL: new Float32Array(buffer, x.rlw_input(0), FRAMES),
    inR: new Float32Array(buffer, x.rlw_input(1), FRAMES),
    outL: new Float32Array(buffer, x.rlw_output(0), FRAMES),
    outR: new Float32Array(buffer, x.rlw_output(1), FRAMES),
    gainView: new Float32Array(buffer, x.rlw_gain_values(), FRAMES),
    timebufIndex: new Uint32Array(buffer, x.rlw_timebuf(), 1),
  };
}

/**
 * The core's loop, what a host must do per quantum: copy the quantum's input
 * into the node's input planes, give the gain value, run rlw_process.
 * Returns `run(n)`: n quanta onward from where the last call stopped, and
 * the OR of the result codes (0 when all succeeded).
 * @param {Awaited<ReturnType<typeof makeCoreNode>>} node
 * @param {ReturnType<typeof quantumViews>} views
 * @param {number} gain
 */
export function coreLoop(node, views, gain) {
  const { inL, inR, gainView } = node;
  const process = node.x.rlw_process;
  const { left, right } = views;
  const loop = left.length;
  let q = 0;
  return (/** @type {number} */ n) => {
    let r = 0;
    for (let i = 0; i < n; i++) {
      inL.set(left[q]);
      inR.set(right[q]);
      gainView[0] = gain;
      r |= process(FRAMES, 1);
      if (++q === loop) q = 0;
    }
    return r;
  };
}

/**
 * Reference: the input copies alone (no processing).
 * @param {Awaited<ReturnType<typeof makeCoreNode>>} node
 * @param {ReturnType<typeof quantumViews>} views
 */
export function copyLoop(node, views) {
  const { inL, inR } = node;
  const { left, right } = views;
  const loop = left.length;
  let q = 0;
  return (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) {
      inL.set(left[q]);
      inR.set(right[q]);
      if (++q === loop) q = 0;
    }
    return 0;
  };
}

/**
 * Runs one loop of the signal through two active nodes, one with the limiter
 * and one without, untimed, and reports how often the limiter had work and
 * the output's level: the same check chain.native.c prints, so the two
 * builds can be seen to run the same chain on the same signal.
 * @param {WebAssembly.Module} module
 * @param {ReturnType<typeof quantumViews>} views
 */
export async function chainChecks(module, views) {
  const a = await makeCoreNode(module, 'active');
  const b = await makeCoreNode(module, 'active');
  b.params.send(PARAM.LIMITER_BYPASS, 0, 1);
  const runA = coreLoop(a, views, GAIN);
  const runB = coreLoop(b, views, GAIN);
  // One loop to settle the gain ramp and the filters, then one measured.
  if (runA(QUANTA_PER_LOOP) !== 0 || runB(QUANTA_PER_LOOP) !== 0) throw new Error('rlw_process failed');
  let changed = 0;
  let over = 0;
  let sumSquares = 0;
  let peak = 0;
  let finite = true;
  for (let q = 0; q < QUANTA_PER_LOOP; q++) {
    if (runA(1) !== 0 || runB(1) !== 0) throw new Error('rlw_process failed');
    let differs = false;
    let peakPre = 0;
    for (const [y, z] of [
      [a.outL, b.outL],
      [a.outR, b.outR],
    ]) {
      for (let i = 0; i < FRAMES; i++) {
        if (!Number.isFinite(y[i])) finite = false;
        if (y[i] !== z[i]) differs = true;
        const m = Math.abs(z[i]);
        if (m > peakPre) peakPre = m;
        const o = Math.abs(y[i]);
        if (o > peak) peak = o;
        sumSquares += y[i] * y[i];
      }
    }
    if (differs) changed++;
    if (peakPre > CEILING) over++;
  }
  return {
    quanta: QUANTA_PER_LOOP,
    limiterChangedPercent: (100 * changed) / QUANTA_PER_LOOP,
    overCeilingPercent: (100 * over) / QUANTA_PER_LOOP,
    outputRmsDb: 10 * Math.log10(sumSquares / (QUANTA_PER_LOOP * FRAMES * CHANNELS)),
    outputPeak: peak,
    finite,
    withinCeiling: peak <= CEILING,
  };
}

/** @param {number[]} xs @param {number} q */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** @param {number[]} xs */
export const median = (xs) => quantile(xs, 0.5);

/**
 * Median and spread of per-trial figures.
 * @param {number[]} xs
 */
export function summarize(xs) {
  return {
    median: median(xs),
    p25: quantile(xs, 0.25),
    p75: quantile(xs, 0.75),
    min: Math.min(...xs),
    max: Math.max(...xs),
    n: xs.length,
  };
}

/**
 * Median of per-trial ratios num[i] / den[i], with its range.
 * @param {number[]} num
 * @param {number[]} den
 */
export function pairedRatio(num, den) {
  const rs = num.map((x, i) => x / den[i]);
  return { value: median(rs), min: Math.min(...rs), max: Math.max(...rs), n: rs.length };
}
