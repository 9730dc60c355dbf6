// The resampler's cost per 128-frame stereo quantum, natively and in wasm
// under Node, beside a source node's chain; and its quality beside `sox -v`,
// measured the same way (test/bench/resampler-quality.js).
//
//   node test/bench/resampler.bench.js
//
// Cost: test/bench/resampler.native.c (built here with CMake, clang, Release,
// into build/bench, target resampler_native) and the same loops in wasm
// (build/wasm/ringlet.wasm): the standalone resampler (rlw_resampler_process
// on a looped stereo signal) at 44.1 -> 48 kHz, 48 -> 44.1 kHz, speeds 0.7
// and 1.5 at 48 kHz and 96 -> 48 kHz; and a source node with the default
// chain working (gain 0.9, 8 active peaking bands, limiter, meters, analyser
// time buffer) whose ring runs at 44.1 kHz, against the same node with a
// 48 kHz ring (copied straight through). Their difference is the resampler's
// cost inside the node; the copied node is the chain's. Rounds alternate the
// native binary and Node; variants interleave within each; figures are
// medians, ratios medians of per-round ratios.
//
// Quality: ringlet's core in wasm from an aligned start (no delay), and
// `sox -D in.wav -e floating-point -b 32 out.wav rate -v <rate>` on float
// WAV files, through the same measures. Chromium's converters are measured
// by test/bench/resampler.browser.js.
//
// Prints a table and, on its last line, a JSON summary for scripts/bench.mjs.
// Never fails on time: the exit code is non-zero only if something could not
// run.
//
// Environment knobs (defaults in brackets):
//   RL_RESAMPLER_ROUNDS [3]     native/Node rounds
//   RL_RESAMPLER_TRIALS [5]     trials per variant per round
//   RL_RESAMPLER_QUANTA [3750]  quanta per trial
//   RL_BENCH_WASM [build/wasm/ringlet.wasm]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PAGE_BYTES, instantiateCore } from '../../lib/shared/core.js';
import { PARAM } from '../../lib/shared/layout.js';
import { ParamQueue } from '../../lib/shared/params.js';
import { ACTIVE_BANDS, PEAKING, QUANTUM_BUDGET_NS, median, pairedRatio, summarize } from './chain-common.js';
import { decodeWav, encodeWav, measureAll } from './resampler-quality.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = intEnv('RL_RESAMPLER_ROUNDS', 3);
const TRIALS = intEnv('RL_RESAMPLER_TRIALS', 5);
const QUANTA = intEnv('RL_RESAMPLER_QUANTA', 3750);
const FRAMES = 128;
const CHANNELS = 2;
const SIGNAL = 96000;

/** resampler.native.c's VARIANTS, in the same order. */
const VARIANTS = [
  { key: 'up', label: '44.1 kHz → 48 kHz (interpolating)', kind: 'resampler', inRate: 44100, outRate: 48000, speed: 1 },
  { key: 'down', label: '48 kHz → 44.1 kHz (decimating)', kind: 'resampler', inRate: 48000, outRate: 44100, speed: 1 },
  {
    key: 'slow',
    label: '48 kHz at speed 0.7 (interpolating)',
    kind: 'resampler',
    inRate: 48000,
    outRate: 48000,
    speed: 0.7,
  },
  {
    key: 'fast',
    label: '48 kHz at speed 1.5 (decimating)',
    kind: 'resampler',
    inRate: 48000,
    outRate: 48000,
    speed: 1.5,
  },
  {
    key: 'half',
    label: '96 kHz → 48 kHz (decimating by 2)',
    kind: 'resampler',
    inRate: 96000,
    outRate: 48000,
    speed: 1,
  },
  {
    key: 'nodeUp',
    label: 'source node, 44.1 kHz ring → 48 kHz, 8 active bands',
    kind: 'node',
    inRate: 44100,
    outRate: 48000,
    speed: 1,
  },
  {
    key: 'nodeDirect',
    label: 'source node, 48 kHz ring (copied), 8 active bands',
    kind: 'node',
    inRate: 48000,
    outRate: 48000,
    speed: 1,
  },
];

/** @param {string} name @param {number} fallback */
function intEnv(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer; got ${v}`);
  return n;
}

/** @type {string[]} */
const problems = [];
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const tail = (r) => `${r.stderr ?? ''}\n${r.stdout ?? ''}`.trim().split('\n').slice(-4).join(' | ');

// ---------------------------------------------------------------------------
// Native
// ---------------------------------------------------------------------------

const NATIVE_DIR = `${ROOT}build/bench`;

function buildNative() {
  const run = (args) => spawnSync('cmake', args, { cwd: ROOT, encoding: 'utf8' });
  let r = run([
    '-S',
    ROOT,
    '-B',
    NATIVE_DIR,
    '-DCMAKE_C_COMPILER=clang',
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_TESTING=ON',
  ]);
  if (r.status === 0) r = run(['--build', NATIVE_DIR, '--target', 'resampler_native', '-j2']);
  if (r.status !== 0) {
    problems.push(`building resampler_native failed: ${tail(r)}`);
    return null;
  }
  return `${NATIVE_DIR}/resampler_native`;
}

function runNative(bin) {
  const r = spawnSync(bin, [String(TRIALS), String(QUANTA)], { encoding: 'utf8' });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const summary = JSON.parse(last);
    if (r.status !== 0 || !summary.ok) problems.push(`resampler_native exited ${r.status}`);
    return summary;
  } catch {
    problems.push(`resampler_native printed no summary (exit ${r.status}): ${tail(r)}`);
    return null;
  }
}

// ---------------------------------------------------------------------------
// wasm in Node
// ---------------------------------------------------------------------------

const WASM_PATH = process.env.RL_BENCH_WASM || `${ROOT}build/wasm/ringlet.wasm`;
const module = new WebAssembly.Module(readFileSync(WASM_PATH));

/** An instance on a fresh shared memory of `bytes` beyond the heap base. */
function core(bytes) {
  const probe = instantiateCore(module, new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }));
  const base = probe.rlw_heap_base();
  const pages = Math.ceil((base + bytes) / PAGE_BYTES) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return { x: instantiateCore(module, memory), memory, base, probe };
}

const align = (n) => Math.ceil(n / 64) * 64;

/** The looped stereo signal of resampler.native.c. */
function benchSignal() {
  return Array.from({ length: CHANNELS }, (_, c) => {
    let seed = Math.imul(0x9e3779b9, c + 1) >>> 0;
    const x = new Float32Array(SIGNAL);
    for (let i = 0; i < SIGNAL; i++) {
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      x[i] =
        0.3 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / 44100) +
        0.1 * Math.sin((2 * Math.PI * 5000 * i) / 44100) +
        0.05 * (seed / 4294967296 - 0.5);
    }
    return x;
  });
}

/** One variant's loop in wasm: returns run(n) -> 0 if every call succeeded. */
function wasmVariant(v, signal) {
  if (v.kind === 'resampler') {
    const size = core(0).probe.rlw_resampler_heap_size(CHANNELS, v.inRate, v.outRate, 4);
    const { x, memory, base } = core(align(size) + CHANNELS * (SIGNAL + FRAMES) * 4 + 4096);
    const rs = align(base);
    const inAt = rs + align(size);
    const outAt = inAt + CHANNELS * SIGNAL * 4;
    const table = align(outAt + CHANNELS * FRAMES * 4);
    const counts = table + 4 * CHANNELS * 2;
    const f32 = new Float32Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    signal.forEach((s, c) => f32.set(s, (inAt >> 2) + c * SIGNAL));
    for (let c = 0; c < CHANNELS; c++) u32[(table >> 2) + CHANNELS + c] = outAt + c * FRAMES * 4;
    if (x.rlw_resampler_init(rs, CHANNELS, v.inRate, v.outRate, 4, size) !== 0) throw new Error('rlw_resampler_init');
    if (x.rlw_resampler_reset(rs, 0, v.speed) !== 0) throw new Error('rlw_resampler_reset');
    let at = 0;
    return (n) => {
      let failed = 0;
      for (let q = 0; q < n; q++) {
        // The input from `at`, wrapping early (the discontinuity costs nothing).
        if (SIGNAL - at < 8192) at = 0;
        for (let c = 0; c < CHANNELS; c++) u32[(table >> 2) + c] = inAt + (c * SIGNAL + at) * 4;
        failed |= x.rlw_resampler_process(rs, table, SIGNAL - at, table + CHANNELS * 4, FRAMES, 0, 0, counts);
        at += u32[counts >> 2];
        failed |= u32[(counts >> 2) + 1] !== FRAMES ? 1 : 0;
      }
      return failed;
    };
  }
  const size = core(0).probe.rlw_heap_size_rate(0, CHANNELS, 8192, v.outRate, v.inRate, 0);
  const { x, memory } = core(align(size) + CHANNELS * SIGNAL * 4 + 4096);
  if (x.rlw_init_rate(0, CHANNELS, 8192, v.outRate, v.inRate, 0, size) !== 0) throw new Error('rlw_init_rate');
  const inAt = align(x.rlw_heap_base() + size);
  const table = inAt + CHANNELS * SIGNAL * 4;
  const f32 = new Float32Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  signal.forEach((s, c) => f32.set(s, (inAt >> 2) + c * SIGNAL));
  const params = new ParamQueue(memory.buffer, x.rlw_params());
  ACTIVE_BANDS.forEach((b, k) => params.send(PARAM.EQ_BAND, k, PEAKING, [b.frequency, b.q, b.gainDb]));
  const ring = x.rlw_ring();
  const gain = new Float32Array(memory.buffer, x.rlw_gain_values(), 1);
  const want = Math.ceil((FRAMES * v.inRate) / v.outRate) + 1;
  let at = 0;
  return (n) => {
    let failed = 0;
    for (let q = 0; q < n; q++) {
      if (want > SIGNAL - at) at = 0;
      if (x.rlw_ring_available_read(ring) < 8192 - want) {
        for (let c = 0; c < CHANNELS; c++) u32[(table >> 2) + c] = inAt + (c * SIGNAL + at) * 4;
        at += x.rlw_ring_write_planar(ring, table, want);
      }
      gain[0] = 0.9;
      failed |= x.rlw_process(FRAMES, 1);
    }
    return failed;
  };
}

function runWasm(loops) {
  const samples = Object.fromEntries(VARIANTS.map((v) => [v.key, []]));
  const cpu = Object.fromEntries(VARIANTS.map((v) => [v.key, []]));
  for (let t = 0; t < TRIALS; t++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const v = VARIANTS[(t + k) % VARIANTS.length];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (loops[v.key](QUANTA) !== 0) problems.push(`wasm ${v.key}: the core refused a call`);
      const wall = ((performance.now() - t0) * 1e6) / QUANTA;
      const used = process.cpuUsage(c0);
      samples[v.key].push(wall);
      cpu[v.key].push(((used.user + used.system) * 1e3) / QUANTA);
    }
  }
  return { samples, cpuSamples: cpu };
}

// ---------------------------------------------------------------------------
// Quality
// ---------------------------------------------------------------------------

/** ringlet's core in wasm, aligned start, the input ended at its end. */
async function ringletConvert(input, inRate, outRate) {
  const size = core(0).probe.rlw_resampler_heap_size(1, inRate, outRate, 4);
  const outFrames = Math.ceil((input.length * outRate) / inRate) + 1024;
  const { x, memory, base } = core(align(size) + (input.length + outFrames) * 4 + 4096);
  const rs = align(base);
  const inAt = rs + align(size);
  const outAt = inAt + input.length * 4;
  const table = align(outAt + outFrames * 4);
  const counts = table + 8;
  const f32 = new Float32Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  f32.set(input, inAt >> 2);
  if (x.rlw_resampler_init(rs, 1, inRate, outRate, 4, size) !== 0) throw new Error('rlw_resampler_init');
  if (x.rlw_resampler_reset(rs, 1, 1) !== 0) throw new Error('rlw_resampler_reset');
  let used = 0;
  let made = 0;
  const want = Math.round((input.length * outRate) / inRate);
  while (made < want) {
    u32[table >> 2] = inAt + used * 4;
    u32[(table >> 2) + 1] = outAt + made * 4;
    const r = x.rlw_resampler_process(
      rs,
      table,
      input.length - used,
      table + 4,
      Math.min(1024, want - made),
      0,
      0,
      counts,
    );
    used += u32[counts >> 2];
    made += u32[(counts >> 2) + 1];
    if (used === input.length) x.rlw_resampler_end_input(rs);
    if (r !== 0) break;
  }
  return f32.slice(outAt >> 2, (outAt >> 2) + made);
}

let soxDir = '';
let soxVersion = '';

async function soxConvert(input, inRate, outRate) {
  const a = path.join(soxDir, 'in.wav');
  const b = path.join(soxDir, 'out.wav');
  writeFileSync(a, Buffer.from(encodeWav(input, inRate)));
  const r = spawnSync('sox', ['-D', a, '-e', 'floating-point', '-b', '32', b, 'rate', '-v', String(outRate)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`sox failed: ${tail(r)}`);
  const bytes = readFileSync(b);
  return decodeWav(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

async function quality() {
  const out = { ringlet: null, sox: null };
  out.ringlet = await measureAll(ringletConvert);
  const v = spawnSync('sox', ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) {
    problems.push('sox is not installed: no sox figures');
    return out;
  }
  soxVersion = (v.stdout.trim().split(/\s+/).pop() ?? '').replace(/^v/, '');
  soxDir = mkdtempSync(path.join(os.tmpdir(), 'ringlet-sox-'));
  try {
    out.sox = await measureAll(soxConvert);
  } finally {
    rmSync(soxDir, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const loadBefore = os.loadavg();
  const bin = buildNative();
  const signal = benchSignal();
  const loops = Object.fromEntries(VARIANTS.map((v) => [v.key, wasmVariant(v, signal)]));
  for (const v of VARIANTS) loops[v.key](QUANTA >> 1); // warm up
  const native = [];
  const wasm = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (bin) {
      const n = runNative(bin);
      if (n) native.push(n);
    }
    wasm.push(runWasm(loops));
  }
  const all = (runs, key, field = 'samples') => runs.flatMap((r) => r[field][key]);
  const results = {};
  for (const v of VARIANTS) {
    const w = summarize(all(wasm, v.key));
    const n = native.length > 0 ? summarize(all(native, v.key)) : null;
    const perRound = native.length === wasm.length && native.length > 0;
    results[v.key] = {
      label: v.label,
      native: n,
      wasm: w,
      nativeCpu: n ? median(all(native, v.key, 'cpuSamples')) : null,
      wasmCpu: median(all(wasm, v.key, 'cpuSamples')),
      wasmOverNative: perRound
        ? pairedRatio(
            wasm.map((r) => median(r.samples[v.key])),
            native.map((r) => median(r.samples[v.key])),
          )
        : null,
      budgetPercent: (w.median / QUANTUM_BUDGET_NS) * 100,
    };
  }
  // The resampler inside the node: resampled minus copied, and against the chain.
  const inNode = (runs) =>
    runs.length === 0
      ? null
      : {
          resamplerNs: median(runs.map((r) => median(r.samples.nodeUp) - median(r.samples.nodeDirect))),
          overChain: median(
            runs.map((r) => (median(r.samples.nodeUp) - median(r.samples.nodeDirect)) / median(r.samples.nodeDirect)),
          ),
          standaloneOverChain: median(runs.map((r) => median(r.samples.up) / median(r.samples.nodeDirect))),
        };
  const q = await quality();

  console.log(`resampler: ${ROUNDS} rounds x ${TRIALS} trials x ${QUANTA} quanta per variant, 128-frame stereo quanta`);
  console.log(
    `${'variant'.padEnd(56)} ${'native ns'.padStart(10)} ${'wasm ns'.padStart(10)} ${'wasm/nat'.padStart(9)}`,
  );
  for (const v of VARIANTS) {
    const r = results[v.key];
    console.log(
      `${v.label.padEnd(56)} ${fmt(r.native?.median ?? NaN).padStart(10)} ${fmt(r.wasm.median).padStart(10)} ${fmt(r.wasmOverNative?.value ?? NaN, 2).padStart(9)}`,
    );
  }
  const nn = inNode(native);
  const wn = inNode(wasm);
  console.log(
    `resampling in the node: native ${fmt(nn?.resamplerNs ?? NaN)} ns (${fmt(nn?.overChain ?? NaN, 2)}x the chain), ` +
      `wasm ${fmt(wn?.resamplerNs ?? NaN)} ns (${fmt(wn?.overChain ?? NaN, 2)}x the chain)`,
  );
  for (const [name, m] of Object.entries(q)) {
    if (!m) continue;
    console.log(
      `${name}: SNR 44.1->48 ${fmt(m.snr.up1k)} / ${fmt(m.snr.up15k)} dB, 48->44.1 ${fmt(m.snr.down1k)} / ${fmt(m.snr.down15k)} dB; ` +
        `ripple ${fmt(m.passband.rippleDb, 5)} dB (edge ${fmt(m.passband.edgeDb, 5)} dB); stopband worst ${fmt(m.stopband.worstDb)} dB at ${fmt(m.stopband.worstHz, 0)} Hz; sweep alias ${fmt(m.sweepAliasDb)} dB`,
    );
  }
  if (problems.length > 0) console.log(`PROBLEMS:\n- ${problems.join('\n- ')}`);
  console.log(
    JSON.stringify({
      bench: 'resampler',
      config: {
        rounds: ROUNDS,
        trials: TRIALS,
        quanta: QUANTA,
        frames: FRAMES,
        channels: CHANNELS,
        budgetNs: QUANTUM_BUDGET_NS,
        compiler: native[0]?.compiler ?? null,
        node: process.version,
        sox: soxVersion,
        taps: 192,
        phases: 32,
      },
      results,
      inNode: { native: nn, wasm: wn },
      quality: q,
      load: { before: loadBefore, after: os.loadavg() },
      seconds: (performance.now() - started) / 1000,
      problems,
    }),
  );
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : String(error));
  console.log(JSON.stringify({ bench: 'resampler', error: String(error), problems }));
  process.exitCode = 1;
});
