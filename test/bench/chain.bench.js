// Cost of one 128-frame stereo quantum through an effect node's processing
// chain, natively and in wasm under Node, side by side; plus the main-thread
// cost of the analyser's FFT.
//
//   node test/bench/chain.bench.js
//
// The chain (csrc/node.c): input -> non-finite scrub -> gain -> 8-band EQ ->
// limiter -> meters -> analyser time buffer -> output. The analyser's FFT is
// NOT on the audio thread: lib/node/analyser.js runs it on the main thread when
// the UI calls getFloatFrequencyData, so the chain's cost includes only the
// time-buffer copy, and the FFT is measured on its own below.
//
// Signal and settings come from test/bench/chain-common.js (chain.native.c
// repeats them): a music-like 10 s stereo loop at -12 dBFS RMS with a hit
// every 2.5 s, gain 0.9, and either flat bands (the default, which the core
// skips), all 8 bands active (peaking, 60 * 2^k Hz, Q 1.4, +-3 .. +-9 dB), or
// EQ and limiter bypassed.
//
// Native: test/bench/chain.native.c, built here with CMake (clang, Release,
// i.e. -O3) into build/bench, target chain_native. wasm: build/wasm/ringlet.wasm
// on a shared memory sized as lib/node/node.js sizes it, rlw_init, settings
// through the parameter queue (lib/shared/params.js), then per quantum what a host
// must do: copy the input into rlw_input(c), set the gain value, call
// rlw_process(128, 1). The same loop natively uses memcpy. A second wasm
// figure runs worklet/processor.js's process() in a Node
// AudioWorkletGlobalScope shim: what the worklet does per quantum (JS copies
// in and out around the core).
//
// Rounds alternate: the native binary runs its trials (variants interleaved),
// then Node runs its trials (variants interleaved), and so on; the wasm/native
// ratio is the median of per-round ratios. Each trial covers the 10 s loop
// once (3750 quanta). Nothing passes or fails on time: this prints a table
// and, on its last line, a JSON summary that scripts/bench.mjs collects. The
// exit code is non-zero only if something could not run or a check failed.
//
// Environment knobs (defaults in brackets):
//   RL_CHAIN_ROUNDS [7]       native/Node rounds
//   RL_CHAIN_TRIALS [5]       trials per variant per round
//   RL_CHAIN_QUANTA [3750]    quanta per trial
//   RL_CHAIN_FFT_CALLS [300]  getFloatFrequencyData calls per FFT trial (21 trials)
//   RL_BENCH_WASM [build/wasm/ringlet.wasm] the core to load
//   RL_CHAIN_NATIVE [build it]  a chain_native binary to use instead of building one
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Analyser } from '../../lib/node/analyser.js';
import { ParamQueue } from '../../lib/shared/params.js';
import { PROCESSOR_NAME } from '../../lib/shared/version.js';
import { compileRinglet } from '../../lib/node/wasm.js';
import {
  CAPACITY_FRAMES,
  CEILING,
  CHANNELS,
  FRAMES,
  GAIN,
  QUANTA_PER_LOOP,
  QUANTUM_BUDGET_NS,
  SAMPLE_RATE,
  chainChecks,
  makeSignal,
  pairedRatio,
  quantumViews,
  sendSettings,
  summarize,
} from './chain-common.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = intEnv('RL_CHAIN_ROUNDS', 7);
const TRIALS = intEnv('RL_CHAIN_TRIALS', 5);
const QUANTA = intEnv('RL_CHAIN_QUANTA', QUANTA_PER_LOOP);
const FFT_CALLS = intEnv('RL_CHAIN_FFT_CALLS', 300);
const FFT_TRIALS = 21;
const FFT_SIZE = 2048;

const TARGETS = {
  wasmNs: { op: '<=', value: 10000 },
  wasmOverNative: { op: '<=', value: 1.5 },
};

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
/** Things worth knowing that do not make the figures wrong. @type {string[]} */
const notes = [];
/** How chain_native was built. */
let nativeBuild = 'cmake';

// ---------------------------------------------------------------------------
// Native
// ---------------------------------------------------------------------------

const NATIVE_DIR = `${ROOT}build/bench`;
const NATIVE_CONFIGURE = [
  '-S',
  ROOT,
  '-B',
  NATIVE_DIR,
  '-DCMAKE_C_COMPILER=clang',
  '-DCMAKE_BUILD_TYPE=Release',
  '-DBUILD_TESTING=ON',
];

/** @param {{ stdout?: string, stderr?: string }} r */
const tail = (r) => `${r.stderr ?? ''}\n${r.stdout ?? ''}`.trim().split('\n').filter(Boolean).slice(-4).join(' | ');

/**
 * Builds chain_native with the project's CMake (incrementally, so it always
 * matches csrc/). If the CMake build fails (e.g. someone's half-added target
 * elsewhere in CMakeLists.txt), compiles the same sources with the same
 * Release flags directly with clang, and says so. Returns the path, or null.
 */
function buildNative() {
  if (process.env.RL_CHAIN_NATIVE) {
    nativeBuild = `given: ${process.env.RL_CHAIN_NATIVE}`;
    return process.env.RL_CHAIN_NATIVE;
  }
  const run = (args) => spawnSync('cmake', args, { cwd: ROOT, encoding: 'utf8' });
  let r = existsSync(`${NATIVE_DIR}/CMakeCache.txt`) ? { status: 0 } : run(NATIVE_CONFIGURE);
  if (r.status === 0) r = run(['--build', NATIVE_DIR, '--target', 'chain_native', '-j2']);
  if (r.status === 0) return `${NATIVE_DIR}/chain_native`;
  const why = tail(r);
  // The fallback: RL_CORE_SOURCES from CMakeLists.txt, -O3 -DNDEBUG as CMake's Release.
  const cmake = readFileSync(`${ROOT}CMakeLists.txt`, 'utf8');
  const sources = /set\(RL_CORE_SOURCES([^)]*)\)/.exec(cmake)?.[1].trim().split(/\s+/) ?? [];
  const version = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version;
  const out = `${NATIVE_DIR}/chain_native_direct`;
  mkdirSync(NATIVE_DIR, { recursive: true });
  const args = [
    '-std=c11',
    '-O3',
    '-DNDEBUG',
    `-DRL_VERSION="${version}"`,
    '-Icsrc/include',
    ...sources,
    'test/bench/chain.native.c',
    '-lm',
    '-o',
    out,
  ];
  const d = spawnSync('clang', args, { cwd: ROOT, encoding: 'utf8' });
  if (d.status !== 0) {
    problems.push(`building chain_native failed with CMake (${why}) and directly with clang (${tail(d)})`);
    return null;
  }
  nativeBuild = `clang ${args.slice(0, 4).join(' ')} (the CMake build failed: ${why})`;
  notes.push(
    `the CMake build of chain_native failed, so it was compiled directly: clang ${args.join(' ')}; CMake said: ${why}`,
  );
  return out;
}

/** @param {string} bin @param {number} trials */
function runNative(bin, trials) {
  const r = spawnSync(bin, [String(trials), String(QUANTA), String(QUANTA)], { encoding: 'utf8' });
  const lines = (r.stdout ?? '').trim().split('\n');
  let summary = null;
  try {
    summary = JSON.parse(lines[lines.length - 1]);
  } catch {
    // reported below
  }
  if (r.status !== 0 || !summary) {
    problems.push(`chain_native exited ${r.status}: ${(r.stderr || lines.slice(-3).join(' | ')).trim()}`);
  }
  return { summary, text: lines.slice(0, -1).join('\n') };
}

// ---------------------------------------------------------------------------
// wasm in Node
// ---------------------------------------------------------------------------

const WASM_PATH = process.env.RL_BENCH_WASM || `${ROOT}build/wasm/ringlet.wasm`;
const module = new WebAssembly.Module(readFileSync(WASM_PATH));
const signal = makeSignal();
const views = quantumViews(signal);

/**
 * A core-loop variant with its own copy of chain-common.js (a distinct module
 * URL), so each variant's loop has its own type feedback, as in an app that
 * runs one node kind.
 * @param {'flat' | 'active' | 'bypassed' | 'copy'} key
 */
async function coreVariant(key) {
  const common = await import(`./chain-common.js?variant=${key}`);
  const node = await common.makeCoreNode(module, key === 'copy' ? 'flat' : key);
  const run = key === 'copy' ? common.copyLoop(node, views) : common.coreLoop(node, views, common.gainFor(key));
  return { key, run, node };
}

// An AudioWorkletGlobalScope shim, as in gc.bench.js, so worklet/processor.js
// itself runs.
/** @type {import('node:worker_threads').MessagePort | null} */
let nextPort = null;
class AudioWorkletProcessorShim {
  constructor() {
    if (nextPort === null) throw new TypeError('AudioWorkletProcessor: construct processors through workletVariant()');
    /** @readonly */ this.port = nextPort;
    nextPort = null;
  }
}
/** @type {Map<string, any>} */
const registry = new Map();
Object.assign(globalThis, {
  AudioWorkletProcessor: AudioWorkletProcessorShim,
  registerProcessor(name, processorClass) {
    if (registry.has(name)) throw new Error(`NotSupportedError: ${name} is already registered`);
    registry.set(name, processorClass);
  },
  sampleRate: SAMPLE_RATE,
  currentFrame: 0,
  currentTime: 0,
});
await import('../../worklet/processor.js');
const Processor = registry.get(PROCESSOR_NAME);
if (typeof Processor !== 'function') throw new Error(`worklet/processor.js did not register ${PROCESSOR_NAME}`);

/** worklet/processor.js's process() with all 8 bands active, gain 0.9. */
async function workletVariant() {
  const wasm = await compileRinglet(module);
  const heapBytes = wasm.nodeHeapBytes('effect', CHANNELS, CAPACITY_FRAMES, SAMPLE_RATE);
  const pages = wasm.pagesFor(heapBytes);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const { port1, port2 } = new MessageChannel();
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worklet: no ready message within 5 s')), 5000);
    port2.on('message', (m) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      }
      if (m?.type === 'panic') {
        clearTimeout(timer);
        reject(new Error(`worklet panicked: ${m.message}`));
      }
    });
  });
  nextPort = port1;
  const proc = new Processor({
    processorOptions: {
      module,
      memory,
      transport: 'shared',
      mode: 1,
      channels: CHANNELS,
      capacityFrames: CAPACITY_FRAMES,
      heapBytes,
      sampleRate: SAMPLE_RATE,
    },
  });
  const msg = /** @type {{ params: number }} */ (await ready);
  sendSettings(new ParamQueue(memory.buffer, msg.params), 'active');
  const outputs = [[new Float32Array(FRAMES), new Float32Array(FRAMES)]];
  const parameters = { gain: new Float32Array([GAIN]) };
  const inputs = views.inputs;
  const loop = inputs.length;
  let q = 0;
  const run = (/** @type {number} */ n) => {
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (!proc.process(inputs[q], outputs, parameters)) bad++;
      if (++q === loop) q = 0;
    }
    return bad;
  };
  return {
    key: 'worklet',
    run,
    outputs,
    check: () =>
      !proc.failed && outputs[0].every((plane) => plane.every((v) => Number.isFinite(v) && Math.abs(v) <= CEILING)),
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

/** What a trivial pass-through processor does: copy each input plane to the output. */
function passthroughVariant() {
  const outputs = [[new Float32Array(FRAMES), new Float32Array(FRAMES)]];
  const inputs = views.inputs;
  const loop = inputs.length;
  let q = 0;
  const run = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) {
      const input = inputs[q][0];
      const out = outputs[0];
      for (let c = 0; c < out.length; c++) out[c].set(input[c]);
      if (++q === loop) q = 0;
    }
    return 0;
  };
  return { key: 'passthrough', run };
}

/**
 * Wall time per quantum (the figure) and, for reference, the process's CPU
 * time per quantum, which leaves out the time other processes held the core
 * (a shared machine); 1 us resolution, so a trial of 3750 quanta resolves
 * about 0.3 ns per quantum.
 * @param {{ key: string, run: (n: number) => number }} v @param {number} n
 * @returns {[number, number]}
 */
function timed(v, n) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = v.run(n);
  const t1 = performance.now();
  const c = process.cpuUsage(c0);
  if (r !== 0) throw new Error(`${v.key}: a quantum failed (result ${r})`);
  return [((t1 - t0) * 1e6) / n, ((c.user + c.system) * 1e3) / n];
}

// ---------------------------------------------------------------------------
// The analyser's FFT on the main thread
// ---------------------------------------------------------------------------

/**
 * lib/node/analyser.js's Analyser over a time source whose write index moves on
 * every call (as if a quantum had arrived), so every getFloatFrequencyData
 * runs the FFT: copy fftSize samples in, Blackman window, real FFT, smoothing,
 * dB, copy out.
 */
function fftBench() {
  const mono = new Float32Array(signal[0].length);
  for (let i = 0; i < mono.length; i++) mono[i] = 0.5 * (signal[0][i] + signal[1][i]);
  let w = 0;
  let at = 0;
  const source = {
    writeIndex: () => w,
    latest(/** @type {Float32Array} */ out, /** @type {number} */ count) {
      if (at + count > mono.length) at = 0;
      out.set(mono.subarray(at, at + count));
    },
  };
  const analyser = new Analyser(module, true, source);
  analyser.fftSize = FFT_SIZE;
  const out = new Float32Array(FFT_SIZE / 2);
  const call = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) {
      w = (w + FRAMES) >>> 0;
      at += FRAMES;
      analyser.getFloatFrequencyData(out);
    }
  };
  for (let k = 0; k < 5; k++) call(100);
  /** @type {number[]} */
  const samples = [];
  for (let t = 0; t < FFT_TRIALS; t++) {
    const t0 = performance.now();
    call(FFT_CALLS);
    samples.push(((performance.now() - t0) * 1e6) / FFT_CALLS);
  }
  const peakBin = out.indexOf(Math.max(...out));
  if (!out.every((v) => Number.isFinite(v) || v === -Infinity) || peakBin < 1)
    problems.push('FFT: the spectrum looks wrong');
  return {
    fftSize: FFT_SIZE,
    smoothing: analyser.smoothingTimeConstant,
    callsPerTrial: FFT_CALLS,
    trials: FFT_TRIALS,
    samples,
    ...summarize(samples),
  };
}

// ---------------------------------------------------------------------------

const fmt = (x, d = 1) => x.toFixed(d);

async function main() {
  const started = performance.now();
  const nativeBin = buildNative();

  const checks = await chainChecks(module, views);
  if (!checks.finite) problems.push('wasm: non-finite output');
  if (!checks.withinCeiling) problems.push(`wasm: output peak ${checks.outputPeak} above the ceiling ${CEILING}`);

  const core = [
    await coreVariant('flat'),
    await coreVariant('active'),
    await coreVariant('bypassed'),
    await coreVariant('copy'),
  ];
  const worklet = await workletVariant();
  const variants = [...core, worklet, passthroughVariant()];
  for (let round = 0; round < 4; round++) for (const v of variants) timed(v, Math.ceil(QUANTA / 2));
  const loadBefore = os.loadavg();

  const perKey = () => /** @type {Record<string, number[]>} */ (Object.fromEntries(variants.map((v) => [v.key, []])));
  const nodeSamples = perKey();
  const nodeCpu = perKey();
  const nativeKeys = ['flat', 'active', 'bypassed', 'copy'];
  const perNative = () => /** @type {Record<string, number[]>} */ (Object.fromEntries(nativeKeys.map((k) => [k, []])));
  const nativeSamples = perNative();
  const nativeCpu = perNative();
  // Per-round medians, for the paired ratios.
  const roundNode = perNative();
  const roundNodeCpu = perNative();
  const roundNative = perNative();
  const roundNativeCpu = perNative();
  let nativeInfo = null;
  let nativeText = '';
  const med = (/** @type {number[]} */ xs) => summarize(xs).median;

  for (let r = 0; r < ROUNDS; r++) {
    if (nativeBin) {
      const n = runNative(nativeBin, TRIALS);
      if (n.summary) {
        nativeInfo = n.summary;
        nativeText = n.text;
        for (const k of nativeKeys) {
          nativeSamples[k].push(...n.summary.samples[k]);
          nativeCpu[k].push(...n.summary.cpuSamples[k]);
          roundNative[k].push(med(n.summary.samples[k]));
          roundNativeCpu[k].push(med(n.summary.cpuSamples[k]));
        }
      }
    }
    const mine = perKey();
    const mineCpu = perKey();
    for (let t = 0; t < TRIALS; t++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(t + k) % variants.length];
        const [wall, cpu] = timed(v, QUANTA);
        mine[v.key].push(wall);
        mineCpu[v.key].push(cpu);
      }
    }
    for (const v of variants) {
      nodeSamples[v.key].push(...mine[v.key]);
      nodeCpu[v.key].push(...mineCpu[v.key]);
    }
    for (const k of nativeKeys) {
      roundNode[k].push(med(mine[k]));
      roundNodeCpu[k].push(med(mineCpu[k]));
    }
  }
  if (!worklet.check()) problems.push('worklet: the processor failed or its output left the ceiling');
  worklet.close();
  for (const v of core) {
    if (v.key === 'copy') continue;
    const out = [...v.node.outL, ...v.node.outR];
    if (!out.every((x) => Number.isFinite(x))) problems.push(`${v.key}: non-finite output`);
    if (v.key !== 'bypassed' && !out.every((x) => Math.abs(x) <= CEILING))
      problems.push(`${v.key}: output above the ceiling`);
  }

  const fft = fftBench();

  // Native and wasm must be running the same chain on the same signal.
  if (nativeInfo) {
    const c = nativeInfo.checks;
    const close = (a, b, tol) => Math.abs(a - b) <= tol;
    if (
      !close(c.outputRmsDb, checks.outputRmsDb, 0.01) ||
      !close(c.limiterChangedPercent, checks.limiterChangedPercent, 1) ||
      !close(c.overCeilingPercent, checks.overCeilingPercent, 0.5)
    ) {
      problems.push(
        `native and wasm disagree on the chain's output: native ${JSON.stringify(c)}, wasm ${JSON.stringify(checks)}`,
      );
    }
  }

  const results = {};
  for (const [k, xs] of Object.entries(nodeSamples)) {
    const s = summarize(xs);
    results[k] = { ...s, budgetPercent: (s.median / QUANTUM_BUDGET_NS) * 100, cpu: summarize(nodeCpu[k]) };
  }
  const native = {};
  for (const [k, xs] of Object.entries(nativeSamples)) {
    if (xs.length === 0) continue;
    const s = summarize(xs);
    native[k] = { ...s, budgetPercent: (s.median / QUANTUM_BUDGET_NS) * 100, cpu: summarize(nativeCpu[k]) };
  }
  /** @type {Record<string, any>} */
  const ratios = {};
  if (nativeInfo) {
    for (const k of ['flat', 'active', 'bypassed']) {
      ratios[`wasmOverNative_${k}`] = pairedRatio(roundNode[k], roundNative[k]);
      ratios[`wasmOverNativeCpu_${k}`] = pairedRatio(roundNodeCpu[k], roundNativeCpu[k]);
    }
    ratios.wasmOverNative_active.target = TARGETS.wasmOverNative;
    ratios.wasmOverNative_active.met = ratios.wasmOverNative_active.value <= TARGETS.wasmOverNative.value;
  }
  // The worklet's JS around the core.
  const workletOverhead = pairedRatio(nodeSamples.worklet, nodeSamples.active);
  const targets = {
    wasmNs: { ...TARGETS.wasmNs, value: results.active.median, met: results.active.median <= TARGETS.wasmNs.value },
    workletNs: {
      ...TARGETS.wasmNs,
      value: results.worklet.median,
      met: results.worklet.median <= TARGETS.wasmNs.value,
    },
  };
  const seconds = (performance.now() - started) / 1000;

  // ---- human output ----
  console.log(
    `ringlet chain benchmark: ${FRAMES}-frame stereo quantum at ${SAMPLE_RATE / 1000} kHz, ${ROUNDS} rounds x ${TRIALS} trials x ${QUANTA} quanta per variant, ${fmt(seconds)} s`,
  );
  console.log(
    `node ${process.version}; native: ${nativeInfo ? nativeInfo.compiler.trim() : '(not run)'}, CMake Release (-O3)\n`,
  );
  if (nativeText) console.log(`last native round:\n${nativeText}\n`);
  const rows = [
    ['flat', 'flat bands (default node), gain 0.9'],
    ['active', '8 active bands, gain 0.9'],
    ['bypassed', 'EQ + limiter bypassed, gain 1'],
    ['copy', 'input copies only (reference)'],
    ['worklet', 'worklet process(), 8 active bands (wasm only)'],
    ['passthrough', 'pass-through processor copies (JS only)'],
  ];
  console.log(
    `${'variant'.padEnd(48)} ${'native ns'.padStart(10)} ${'wasm ns'.padStart(10)} ${'p25..p75'.padStart(16)} ${'budget'.padStart(8)} ${'wasm/native'.padStart(12)}   CPU time: ${'native'.padStart(8)} ${'wasm'.padStart(8)} ${'ratio'.padStart(6)}`,
  );
  for (const [k, label] of rows) {
    const n = native[k];
    const w = results[k];
    const ratio = ratios[`wasmOverNative_${k}`];
    const cpuRatio = ratios[`wasmOverNativeCpu_${k}`];
    console.log(
      `${label.padEnd(48)} ${(n ? fmt(n.median) : '-').padStart(10)} ${fmt(w.median).padStart(10)} ` +
        `${`${fmt(w.p25)}..${fmt(w.p75)}`.padStart(16)} ${`${fmt(w.budgetPercent, 3)}%`.padStart(8)} ${(ratio ? `${fmt(ratio.value, 2)}x` : '-').padStart(12)}` +
        `             ${(n ? fmt(n.cpu.median) : '-').padStart(8)} ${fmt(w.cpu.median).padStart(8)} ${(cpuRatio ? `${fmt(cpuRatio.value, 2)}x` : '-').padStart(6)}`,
    );
  }
  console.log(
    `\ntarget wasm <= 10 us per quantum (8 active bands): ${fmt(results.active.median / 1000, 2)} us, ${targets.wasmNs.met ? 'met' : 'NOT met'}`,
  );
  if (ratios.wasmOverNative_active) {
    const r = ratios.wasmOverNative_active;
    console.log(
      `target wasm/native <= 1.5x (8 active bands): ${fmt(r.value, 2)}x (per-round ${fmt(r.min, 2)}..${fmt(r.max, 2)}), ${r.met ? 'met' : 'NOT met'}`,
    );
  }
  console.log(`worklet process() / core loop: ${fmt(workletOverhead.value, 3)}x`);
  console.log(
    `analyser FFT (main thread), getFloatFrequencyData at fftSize ${FFT_SIZE}: ${fmt(fft.median / 1000, 2)} us per call (p25..p75 ${fmt(fft.p25 / 1000, 2)}..${fmt(fft.p75 / 1000, 2)})`,
  );
  console.log(
    `checks (wasm): limiter changed ${fmt(checks.limiterChangedPercent)}% of quanta; pre-limiter peak over the ceiling in ${fmt(checks.overCeilingPercent)}%; output ${fmt(checks.outputRmsDb, 2)} dBFS RMS, peak ${fmt(checks.outputPeak, 4)}`,
  );
  for (const p of notes) console.log(`NOTE: ${p}`);
  for (const p of problems) console.log(`PROBLEM: ${p}`);

  const summary = {
    bench: 'chain',
    config: {
      frames: FRAMES,
      channels: CHANNELS,
      sampleRate: SAMPLE_RATE,
      rounds: ROUNDS,
      trialsPerRound: TRIALS,
      quantaPerTrial: QUANTA,
      signalSeconds: (QUANTA_PER_LOOP * FRAMES) / SAMPLE_RATE,
      gain: GAIN,
      quantumBudgetNs: QUANTUM_BUDGET_NS,
      seconds,
      node: process.version,
      wasm: WASM_PATH.replace(ROOT, ''),
      loadAverage: { before: loadBefore, after: os.loadavg() },
      native: nativeInfo
        ? {
            compiler: nativeInfo.compiler.trim(),
            optimized: nativeInfo.optimized,
            buildType: 'Release',
            dir: 'build/bench',
            target: 'chain_native',
            build: nativeBuild,
          }
        : null,
    },
    native,
    wasm: results,
    ratios,
    workletOverCore: workletOverhead,
    targets,
    fft,
    checks: { wasm: checks, native: nativeInfo?.checks ?? null },
    problems,
    notes,
  };
  console.log(JSON.stringify(summary));
  if (problems.length > 0) process.exitCode = 1;
}

await main();
