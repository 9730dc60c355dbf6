// The resampler as compiled to wasm (simd128, the build the worklet runs)
// against the native build of the same sources (SSE), bit for bit: the
// standalone exports (rl_resampler_*) over constant and per-frame speeds, all
// three starts, random call sizes and the end of the input, and a resampling
// source node through the new node exports (rlw_init_rate,
// rlw_process_rate, rlw_playback_rate_values). Both builds do the
// same IEEE operations in the same order (no FMA on either target, no libm
// in the core), so they must agree exactly.
//
// The native side is test/unit/fixtures/resampler-native.c, compiled here
// with clang from the core's sources (the list in CMakeLists.txt).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PAGE_BYTES, instantiateCore } from '../../lib/shared/core.js';
import { RL, buildNative, prng, seedFrom, wasmModule } from './helpers.js';

const SEED = seedFrom('RL_SEED', 0x5eed2024);
const START = { silent: 0, aligned: 1, direct: 2 };

let dir = '';
let native = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringlet-resampler-'));
  native = path.join(dir, 'resampler-native');
  buildNative('resampler-native.c', native);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * @typedef {object} Scenario
 * @property {'resampler' | 'node'} kind
 * @property {number} channels
 * @property {number} inRate
 * @property {number} outRate
 * @property {number} [start] a START value (resampler)
 * @property {number} [varispeed] 1 for a node with playback rates
 * @property {boolean} perFrame one speed per frame (else one per call)
 * @property {boolean} [end] end the input when used up (resampler)
 * @property {Float32Array[]} input
 * @property {Float32Array} speeds one per output frame
 * @property {number[]} calls frames per call (resampler) or ring frames written per quantum (node)
 */

/** Planar test signal: tones, a chirp and noise, different per channel. */
function signal(channels, frames, rate, seed) {
  const next = prng(seed);
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      const t = i / rate;
      x[i] =
        0.3 * Math.sin(2 * Math.PI * (440 + 100 * c) * t) +
        0.2 * Math.sin(2 * Math.PI * (3000 * t + 4000 * t * t)) +
        0.05 * (next() - 0.5);
    }
    return x;
  });
}

/** Runs the native build on a scenario: [frames made, planar output]. */
function runNative(s) {
  const file = (name) => path.join(dir, name);
  const input = new Float32Array(s.channels * s.input[0].length);
  s.input.forEach((x, c) => input.set(x, c * x.length));
  writeFileSync(file('in.f32'), Buffer.from(input.buffer));
  writeFileSync(file('speeds.f32'), Buffer.from(s.speeds.buffer, s.speeds.byteOffset, s.speeds.byteLength));
  writeFileSync(file('calls.u32'), Buffer.from(new Uint32Array(s.calls).buffer));
  const args = [
    s.kind,
    file('in.f32'),
    file('speeds.f32'),
    file('calls.u32'),
    file('out.f32'),
    String(s.channels),
    String(s.inRate),
    String(s.outRate),
    String(s.kind === 'node' ? (s.varispeed ?? 0) : (s.start ?? 0)),
    s.perFrame ? '1' : '0',
    s.end ? '1' : '0',
  ];
  const r = spawnSync(native, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`resampler-native exited ${r.status}: ${r.stderr}`);
  const bytes = readFileSync(file('out.f32'));
  const made = bytes.readUInt32LE(0);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 4, bytes.byteOffset + bytes.length));
  return { made, out: Array.from({ length: s.channels }, (_, c) => data.slice(c * made, (c + 1) * made)) };
}

/** A fresh instance on a memory of `bytes` beyond the heap base. */
function core(bytes) {
  const probe = instantiateCore(wasmModule(), new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }));
  const base = probe.rlw_heap_base();
  const pages = Math.ceil((base + bytes) / PAGE_BYTES) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const x = instantiateCore(wasmModule(), memory);
  return { x, memory, base };
}

/** Runs the wasm build on a scenario, the way the native driver does. */
function runWasm(s) {
  const total = s.speeds.length;
  const nin = s.input[0].length;
  const align = (n) => Math.ceil(n / 64) * 64;
  if (s.kind === 'resampler') {
    const probe = core(0).x;
    const size = probe.rlw_resampler_heap_size(s.channels, s.inRate, s.outRate, 4);
    expect(size).toBeGreaterThan(0);
    const planes = s.channels * (nin + total + 1024) * 4;
    const { x, memory, base } = core(align(size) + planes + total * 4 + 4096);
    const rs = align(base);
    const inAt = rs + align(size);
    const outAt = inAt + s.channels * nin * 4;
    const speedAt = outAt + s.channels * (total + 1024) * 4;
    const tables = align(speedAt + total * 4);
    const counts = tables + 2 * s.channels * 4;
    const f32 = new Float32Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    expect(x.rlw_resampler_init(rs, s.channels, s.inRate, s.outRate, 4, size)).toBe(RL.OK);
    expect(x.rlw_resampler_reset(rs, s.start ?? 0, 0)).toBe(RL.OK);
    s.input.forEach((v, c) => f32.set(v, (inAt >> 2) + c * nin));
    f32.set(s.speeds, speedAt >> 2);
    let used = 0;
    let made = 0;
    for (const call of s.calls) {
      if (made >= total) break;
      const frames = Math.min(call, total - made);
      for (let c = 0; c < s.channels; c++) {
        u32[(tables >> 2) + c] = inAt + (c * nin + used) * 4;
        u32[(tables >> 2) + s.channels + c] = outAt + (c * (total + 1024) + made) * 4;
      }
      const r = x.rlw_resampler_process(
        rs,
        tables,
        nin - used,
        tables + s.channels * 4,
        frames,
        speedAt + made * 4,
        s.perFrame ? frames : 1,
        counts,
      );
      used += u32[counts >> 2];
      made += u32[(counts >> 2) + 1];
      if (r === RL.CLOSED) break;
      expect(r).toBe(RL.OK);
      if (s.end && used === nin) x.rlw_resampler_end_input(rs);
    }
    return {
      made,
      out: s.input.map((_, c) =>
        f32.slice((outAt >> 2) + c * (total + 1024), (outAt >> 2) + c * (total + 1024) + made),
      ),
    };
  }
  // A source node at the heap base, fed through its ring.
  const probe = core(0).x;
  const size = probe.rlw_heap_size_rate(0, s.channels, 8192, s.outRate, s.inRate, s.varispeed ?? 0);
  expect(size).toBeGreaterThan(0);
  const { x, memory, base } = core(align(size) + s.channels * nin * 4 + 4096);
  expect(x.rlw_init_rate(0, s.channels, 8192, s.outRate, s.inRate, s.varispeed ?? 0, size)).toBe(RL.OK);
  const inAt = align(x.rlw_heap_base() + size);
  const table = inAt + s.channels * nin * 4;
  const f32 = new Float32Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  s.input.forEach((v, c) => f32.set(v, (inAt >> 2) + c * nin));
  const ring = x.rlw_ring();
  const rates = s.varispeed ? new Float32Array(memory.buffer, x.rlw_playback_rate_values(), 128) : null;
  if (!s.varispeed) expect(x.rlw_playback_rate_values()).toBe(0);
  const out = Array.from({ length: s.channels }, () => new Float32Array(total));
  let fed = 0;
  let made = 0;
  for (const call of s.calls) {
    if (made + 128 > total) break;
    for (let c = 0; c < s.channels; c++) u32[(table >> 2) + c] = inAt + (c * nin + fed) * 4;
    const n = x.rlw_ring_write_planar(ring, table, Math.min(call, nin - fed));
    expect(n).toBeGreaterThanOrEqual(0);
    fed += n;
    if (rates) rates.set(s.speeds.subarray(made, made + (s.perFrame ? 128 : 1)));
    expect(x.rlw_process_rate(128, 0, s.varispeed ? (s.perFrame ? 128 : 1) : 0)).toBe(RL.OK);
    for (let c = 0; c < s.channels; c++) out[c].set(new Float32Array(memory.buffer, x.rlw_output(c), 128), made);
    made += 128;
  }
  expect(base).toBe(x.rlw_heap_base());
  return { made, out };
}

/** First index where the two differ bit for bit, or -1. */
function firstDifference(a, b) {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < Math.min(ua.length, ub.length); i++) if (ua[i] !== ub[i]) return i;
  return ua.length === ub.length ? -1 : Math.min(ua.length, ub.length);
}

/** Per-frame speeds: a glide across 1 and back, with jumps. */
function glide(frames, rate) {
  const v = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / rate;
    v[i] = 1.4 + 1.1 * Math.sin(2 * Math.PI * 0.9 * t) + (Math.floor(t * 7) % 3 === 1 ? 0.9 : 0);
  }
  return v;
}

function randomCalls(next, count, min, max) {
  return Array.from({ length: count }, () => min + Math.floor(next() * (max - min + 1)));
}

describe('resampler: wasm against native, bit for bit', () => {
  const next = prng(SEED);
  /** @type {[string, Scenario][]} */
  const cases = [
    [
      '44.1 kHz -> 48 kHz stereo, a silent start, one constant speed per call',
      {
        kind: 'resampler',
        channels: 2,
        inRate: 44100,
        outRate: 48000,
        start: START.silent,
        perFrame: false,
        input: signal(2, 30000, 44100, SEED),
        speeds: new Float32Array(28000).fill(1),
        calls: Array(300).fill(128),
      },
    ],
    [
      '48 kHz -> 44.1 kHz stereo, aligned, a speed per frame across 1, random calls',
      {
        kind: 'resampler',
        channels: 2,
        inRate: 48000,
        outRate: 44100,
        start: START.aligned,
        perFrame: true,
        input: signal(2, 70000, 48000, SEED + 1),
        speeds: glide(30000, 44100),
        calls: randomCalls(next, 400, 2, 1024),
      },
    ],
    [
      '48 kHz -> 48 kHz mono, a direct start, speeds per frame jumping, to the end',
      {
        kind: 'resampler',
        channels: 1,
        inRate: 48000,
        outRate: 48000,
        start: START.direct,
        perFrame: true,
        end: true,
        input: signal(1, 20000, 48000, SEED + 2),
        speeds: glide(40000, 48000),
        calls: randomCalls(next, 600, 2, 512),
      },
    ],
    [
      '96 kHz -> 44.1 kHz, 3 channels, constant 1.7, to the end',
      {
        kind: 'resampler',
        channels: 3,
        inRate: 96000,
        outRate: 44100,
        start: START.silent,
        perFrame: false,
        end: true,
        input: signal(3, 40000, 96000, SEED + 3),
        speeds: new Float32Array(20000).fill(1.7),
        calls: Array(200).fill(1000),
      },
    ],
    [
      'a source node, ring at 44.1 kHz, context at 48 kHz',
      {
        kind: 'node',
        channels: 2,
        inRate: 44100,
        outRate: 48000,
        varispeed: 0,
        perFrame: false,
        input: signal(2, 30000, 44100, SEED + 4),
        speeds: new Float32Array(128 * 200),
        calls: randomCalls(next, 200, 0, 300),
      },
    ],
    [
      'a source node with varispeed, equal rates: copied, then resampled per frame',
      {
        kind: 'node',
        channels: 2,
        inRate: 48000,
        outRate: 48000,
        varispeed: 1,
        perFrame: true,
        input: signal(2, 60000, 48000, SEED + 5),
        speeds: (() => {
          const v = glide(128 * 200, 48000);
          v.fill(1, 0, 128 * 20); // copied straight through first
          return v;
        })(),
        calls: randomCalls(next, 200, 100, 400),
      },
    ],
  ];

  test.each(cases)(`%s (seed ${SEED})`, (_name, s) => {
    const a = runNative(s);
    const b = runWasm(s);
    expect(b.made).toBe(a.made);
    expect(a.made).toBeGreaterThan(1000);
    for (let c = 0; c < s.channels; c++) {
      const at = firstDifference(a.out[c], b.out[c]);
      if (at !== -1) {
        throw new Error(
          `channel ${c} differs from frame ${at}: native ${a.out[c][at]}, wasm ${b.out[c][at]} (seed ${SEED})`,
        );
      }
      // Not a silent output that would agree trivially.
      expect(Math.max(...a.out[c].subarray(a.made >> 1).map(Math.abs))).toBeGreaterThan(0.1);
    }
  });
});

describe('resampler: wasm exports refuse bad arguments', () => {
  test('heap size 0 and rl_result codes for bad configurations and calls', () => {
    const { x, base } = core(1 << 20);
    expect(x.rlw_resampler_heap_size(0, 44100, 48000, 4)).toBe(0);
    expect(x.rlw_resampler_heap_size(2, 7000, 48000, 4)).toBe(0);
    expect(x.rlw_resampler_heap_size(2, 44100, 48000, 5)).toBe(0);
    expect(x.rlw_heap_size_rate(1, 2, 1024, 48000, 44100, 0)).toBe(0); // an effect node cannot resample
    const rs = Math.ceil(base / 64) * 64;
    const size = x.rlw_resampler_heap_size(1, 44100, 48000, 4);
    expect(x.rlw_resampler_init(rs, 1, 44100, 48000, 4, size - 1)).toBe(RL.OUT_OF_MEMORY);
    expect(x.rlw_resampler_init(rs + 8, 1, 44100, 48000, 4, size)).toBe(RL.INVALID_ARGS);
    expect(x.rlw_resampler_init(rs, 1, 44100, 48000, 4, size)).toBe(RL.OK);
    expect(x.rlw_resampler_reset(rs, START.direct, 0)).toBe(RL.INVALID_ARGS); // unequal rates
    expect(x.rlw_resampler_reset(rs, START.silent, 9)).toBe(RL.INVALID_ARGS);
    expect(x.rlw_resampler_latency(rs)).toBeCloseTo(96 / 0.91875, 9);
    expect(x.rlw_resampler_lookahead(rs)).toBe(96);
    expect(x.rlw_resampler_position(rs)).toBe(-96);
    expect(x.rlw_resampler_end_input(rs)).toBe(RL.OK);
  });
});
