// The EQ as compiled to wasm (simd128: steady bands run two channels per
// f64x2, frame by frame with the bands inside) against the native build of
// the same sources (the scalar path: band after band), bit for bit, through
// an effect node: long seeded noise, impulses and sweeps through 8 active
// bands of every type, bands that glide, change type (crossfade), go flat
// (bypassed) and come back, the EQ's own bypass, quanta of 1 to 128 frames,
// non-finite input and +40 dB overflow, in 1, 2, 3 and 6 channels. Both
// builds do the same IEEE operations in the same order (no FMA on either
// target, no libm in the core), so they must agree exactly; the tolerance
// the change must keep (1e-6) is implied.
//
// The native side is test/unit/fixtures/eq-native.c, compiled here with
// clang from the core's sources (the list in CMakeLists.txt).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PAGE_BYTES, instantiateCore } from '../../lib/shared/core.js';
import { ParamQueue } from '../../lib/shared/params.js';
import { RL, buildNative, prng, seedFrom, wasmModule } from './helpers.js';

const SEED = seedFrom('RL_SEED', 0x5eed0e9);
const EFFECT = 1;
const CAPACITY = 1024;
const PARAM = { EQ_BAND: 1, EQ_BYPASS: 2, LIMITER_BYPASS: 4, GAIN_BYPASS: 7 };
const TYPE = { lowpass: 0, highpass: 1, bandpass: 2, lowshelf: 3, highshelf: 4, peaking: 5, notch: 6, allpass: 7 };

let dir = '';
let native = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringlet-eq-'));
  native = path.join(dir, 'eq-native');
  buildNative('eq-native.c', native);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * @typedef {[kind: number, index: number, arg: number, ...values: number[]]} Message
 * @typedef {{ frames: number, messages: Message[] }} Quantum
 * @typedef {{ channels: number, rate: number, quanta: Quantum[], input: Float32Array[] }} Scenario
 */

/** The script as eq-native reads it. */
function scriptWords(s) {
  const words = [s.channels, s.rate, s.quanta.length];
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (const q of s.quanta) {
    words.push(q.frames, q.messages.length);
    for (const [kind, index, arg, ...values] of q.messages) {
      words.push(kind, index, arg, 0);
      for (let i = 0; i < 4; i++) {
        f[0] = values[i] ?? 0;
        words.push(u[0]);
      }
    }
  }
  return new Uint32Array(words);
}

function runNative(s) {
  const file = (name) => path.join(dir, name);
  const total = s.input[0].length;
  const input = new Float32Array(s.channels * total);
  s.input.forEach((x, c) => input.set(x, c * total));
  const script = scriptWords(s);
  writeFileSync(file('script.u32'), Buffer.from(script.buffer));
  writeFileSync(file('in.f32'), Buffer.from(input.buffer));
  const r = spawnSync(native, [file('script.u32'), file('in.f32'), file('out.f32')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`eq-native exited ${r.status}: ${r.stderr}`);
  const bytes = readFileSync(file('out.f32'));
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return Array.from({ length: s.channels }, (_, c) => data.slice(c * total, (c + 1) * total));
}

function runWasm(s) {
  const probe = instantiateCore(wasmModule(), new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }));
  const size = probe.rlw_heap_size(EFFECT, s.channels, CAPACITY, s.rate);
  expect(size).toBeGreaterThan(0);
  const pages = Math.ceil((probe.rlw_heap_base() + size) / PAGE_BYTES) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const x = instantiateCore(wasmModule(), memory);
  expect(x.rlw_init(EFFECT, s.channels, CAPACITY, s.rate, size)).toBe(RL.OK);
  const params = new ParamQueue(memory.buffer, x.rlw_params());
  const total = s.input[0].length;
  const out = Array.from({ length: s.channels }, () => new Float32Array(total));
  let pos = 0;
  for (const q of s.quanta) {
    for (const [kind, index, arg, ...values] of q.messages) params.send(kind, index, arg, values);
    expect(params.backlog).toBe(0);
    for (let c = 0; c < s.channels; c++) {
      new Float32Array(memory.buffer, x.rlw_input(c), q.frames).set(s.input[c].subarray(pos, pos + q.frames));
    }
    expect(x.rlw_process(q.frames, 0)).toBe(RL.OK);
    for (let c = 0; c < s.channels; c++) out[c].set(new Float32Array(memory.buffer, x.rlw_output(c), q.frames), pos);
    pos += q.frames;
  }
  return out;
}

/** First index where the two differ bit for bit, or -1. */
function firstDifference(a, b) {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < Math.min(ua.length, ub.length); i++) if (ua[i] !== ub[i]) return i;
  return ua.length === ub.length ? -1 : Math.min(ua.length, ub.length);
}

const band = (index, type, frequency, q, gainDb = 0) =>
  /** @type {Message} */ ([PARAM.EQ_BAND, index, type, frequency, q, gainDb]);

/** The chain bench's 8 active peaking bands. */
const ACTIVE = [6, -4, 3, -6, 5, -3, 9, -7].map((g, k) => band(k, TYPE.peaking, 60 * 2 ** k, 1.4, g));

/** One band of each type, then a second peaking one. */
const EVERY_TYPE = [
  band(0, TYPE.highpass, 40, 3),
  band(1, TYPE.lowshelf, 200, 1, -12),
  band(2, TYPE.peaking, 1000, 1.4, 9),
  band(3, TYPE.notch, 3000, 4),
  band(4, TYPE.bandpass, 800, 0.3),
  band(5, TYPE.highshelf, 6000, 1, 6),
  band(6, TYPE.allpass, 2500, 0.7),
  band(7, TYPE.lowpass, 12000, 6),
];

/** Gain and limiter out of the way, so the output is the EQ's. */
const EQ_ONLY = [
  /** @type {Message} */ ([PARAM.GAIN_BYPASS, 0, 1]),
  /** @type {Message} */ ([PARAM.LIMITER_BYPASS, 0, 1]),
];

/** Full quanta; the first carries `messages`. */
function quanta(count, messages = [], frames = 128) {
  return Array.from({ length: count }, (_, i) => ({ frames, messages: i === 0 ? messages : [] }));
}

const framesOf = (qs) => qs.reduce((n, q) => n + q.frames, 0);

function noise(next, frames, amplitude) {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amplitude * (2 * next() - 1);
  return x;
}

/** Impulses of random height at random gaps, on silence. */
function impulses(next, frames) {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i += 200 + Math.floor(next() * 6000)) x[i] = 2 * next() - 1;
  return x;
}

/** An exponential sweep from 20 Hz to 20 kHz, again and again. */
function sweep(frames, rate, seconds) {
  const x = new Float32Array(frames);
  const k = Math.log(1000);
  for (let i = 0; i < frames; i++) {
    const t = (i / rate) % seconds;
    x[i] = 0.7 * Math.sin(((2 * Math.PI * 20 * seconds) / k) * (Math.exp((k * t) / seconds) - 1));
  }
  return x;
}

/** Random settings: glides, type changes, flat bands, EQ bypass, any quantum size. */
function changing(next, count, channels) {
  const types = Object.values(TYPE);
  /** @type {Quantum[]} */
  const qs = [];
  for (let i = 0; i < count; i++) {
    /** @type {Message[]} */
    const messages = i === 0 ? [...EQ_ONLY, ...ACTIVE] : [];
    if (i > 0 && next() < 0.15) {
      const n = 1 + Math.floor(next() * 4);
      for (let k = 0; k < n; k++) {
        const index = Math.floor(next() * 8);
        const r = next();
        if (r < 0.25)
          messages.push(band(index, TYPE.peaking, 60 * 2 ** index, 1.4, 0)); // flat: bypassed once settled
        else if (r < 0.6)
          messages.push(band(index, TYPE.peaking, 30 + next() * 15000, 0.2 + next() * 8, -20 + next() * 40));
        else {
          const type = types[Math.floor(next() * types.length)];
          const q = type === TYPE.lowpass || type === TYPE.highpass ? -10 + next() * 30 : 0.1 + next() * 10;
          messages.push(band(index, type, 30 + next() * 15000, q, -20 + next() * 40));
        }
      }
    }
    if (i > 0 && next() < 0.02) messages.push([PARAM.EQ_BYPASS, 0, next() < 0.5 ? 1 : 0]);
    const frames = next() < 0.3 ? 1 + Math.floor(next() * 128) : 128;
    qs.push({ frames, messages });
  }
  const total = framesOf(qs);
  return { channels, rate: 48000, quanta: qs, input: Array.from({ length: channels }, () => noise(next, total, 0.5)) };
}

describe('EQ: wasm (SIMD) against native (scalar), bit for bit', () => {
  const next = prng(SEED);
  /** @type {[string, () => Scenario][]} */
  const cases = [
    [
      '8 active peaking bands, stereo, white noise at full scale, 2000 quanta',
      () => {
        const qs = quanta(2000, [...EQ_ONLY, ...ACTIVE]);
        const n = framesOf(qs);
        return { channels: 2, rate: 48000, quanta: qs, input: [noise(next, n, 1), noise(next, n, 1)] };
      },
    ],
    [
      'every band type, stereo, impulses on one channel and a sweep on the other',
      () => {
        const qs = quanta(1500, [...EQ_ONLY, ...EVERY_TYPE]);
        const n = framesOf(qs);
        return { channels: 2, rate: 48000, quanta: qs, input: [impulses(next, n), sweep(n, 48000, 1.5)] };
      },
    ],
    [
      '8 active bands with the limiter and gain in the chain, 44.1 kHz, 3 channels (a pair and a lone channel)',
      () => {
        const qs = quanta(1200, ACTIVE);
        const n = framesOf(qs);
        return {
          channels: 3,
          rate: 44100,
          quanta: qs,
          input: [noise(next, n, 0.9), sweep(n, 44100, 0.7), impulses(next, n)],
        };
      },
    ],
    ['settings changing at random, quanta of 1 to 128 frames, stereo', () => changing(next, 3000, 2)],
    ['settings changing at random, mono', () => changing(next, 1500, 1)],
    ['settings changing at random, 6 channels', () => changing(next, 800, 6)],
    [
      '+40 dB bands that overflow float, and non-finite input, stereo',
      () => {
        const qs = quanta(600, [
          ...EQ_ONLY,
          ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => band(k, TYPE.peaking, 100 * 2 ** k, 0.5, 40)),
        ]);
        const n = framesOf(qs);
        const input = [noise(next, n, 1), noise(next, n, 0.01)];
        // Huge but finite samples: 8 bands at +40 dB take them past float's range.
        for (let i = 0; i < 20; i++) input[0][Math.floor(next() * n)] = (next() < 0.5 ? -3 : 3) * 1e37;
        for (let i = 0; i < 20; i++) input[1][Math.floor(next() * n)] = [NaN, Infinity, -Infinity][i % 3];
        return { channels: 2, rate: 48000, quanta: qs, input };
      },
    ],
  ];

  test.each(cases)(`%s (seed ${SEED})`, (_name, make) => {
    const s = make();
    const a = runNative(s);
    const b = runWasm(s);
    for (let c = 0; c < s.channels; c++) {
      const at = firstDifference(a[c], b[c]);
      if (at !== -1) {
        throw new Error(`channel ${c} differs from frame ${at}: native ${a[c][at]}, wasm ${b[c][at]} (seed ${SEED})`);
      }
      // The EQ did something: not silence, not the input passed through.
      expect(a[c].some((v) => Math.abs(v) > 0.05)).toBe(true);
      expect(a[c].some((v, i) => Math.abs(v - s.input[c][i]) > 0.01)).toBe(true);
    }
  });
});
