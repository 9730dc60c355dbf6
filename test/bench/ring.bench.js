// Throughput of one 128-frame stereo render quantum through ringlet's ring,
// ringbuf.js 0.4 and two raw TypedArray copies, measured side by side.
//
//   node test/bench/ring.bench.js
//
// Producer and consumer alternate on one thread, once per quantum, so this
// measures the cost of the code paths, not cross-core traffic. Variants run
// interleaved (A,B,C,...,A,B,C,...) after a warm-up; each figure is the median
// over trials. Nothing here passes or fails on time: it prints a table and,
// on its last line, a JSON summary that scripts/bench.mjs collects.
//
// Environment knobs (defaults in brackets):
//   RL_BENCH_TRIALS [31]      interleaved trials
//   RL_BENCH_QUANTA [100000]  quanta per variant per trial
//   RL_BENCH_WARMUP [100000]  warm-up quanta per variant
//   RL_BENCH_WASM [build/wasm/ringlet.wasm] the core to load, e.g. a candidate
//     build to compare against the committed one
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { instantiateCore, PAGE_BYTES } from '../../lib/shared/core.js';
import { AudioReader, AudioWriter, RingBuffer, deinterleave } from 'ringbuf.js';

const FRAMES = 128;
const CHANNELS = 2;
const SAMPLES = FRAMES * CHANNELS;
const CAPACITY_FRAMES = 8192;
const SAMPLE_RATE = 48000;
const QUANTUM_BUDGET_NS = (FRAMES / SAMPLE_RATE) * 1e9;

const TRIALS = intEnv('RL_BENCH_TRIALS', 31);
const QUANTA = intEnv('RL_BENCH_QUANTA', 100000);
const WARMUP = intEnv('RL_BENCH_WARMUP', 100000);

const TARGETS = {
  ringbufOverRinglet: { op: '>=', value: 2 },
  ringletOverRaw: { op: '<=', value: 1.5 },
  ringletPlanarInputOverRaw: { op: '<=', value: 1.2 },
};

/** @param {string} name @param {number} fallback */
function intEnv(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer; got ${v}`);
  return n;
}

const WASM_PATH = process.env.RL_BENCH_WASM || new URL('../../build/wasm/ringlet.wasm', import.meta.url);
const wasmBytes = readFileSync(WASM_PATH);
const module = new WebAssembly.Module(wasmBytes);

/** One interleaved quantum of test signal, and the same signal planar. */
const quantum = new Float32Array(SAMPLES);
const left = new Float32Array(FRAMES);
const right = new Float32Array(FRAMES);
for (let i = 0; i < FRAMES; i++) {
  left[i] = Math.sin(i * 0.1);
  right[i] = Math.cos(i * 0.07) * 0.5;
  quantum[2 * i] = left[i];
  quantum[2 * i + 1] = right[i];
}
const planarQuantum = [left, right];

/**
 * A ring in its own shared memory with one core instance, plus scratch space
 * after the ring: the planes pointer array, two planar outputs and an
 * interleaved output. Each ringlet variant gets its own copy of
 * lib/shared/ring-ends.js (a distinct module URL), so one variant's type
 * feedback (interleaved vs planar tryWrite) does not leak into another's
 * optimised RingWriter, as in an app that uses one form. The frame moves it
 * calls (lib/shared/ring.js) are one copy for all variants; their
 * interleaved and planar copies are separate functions.
 * @param {string} tag
 */
async function ringletSetup(tag) {
  const { RingWriter } = await import(`../../lib/shared/ring-ends.js?bench=${tag}`);
  // Size the memory the way lib/node/wasm.js does: a probe instance on a small
  // private memory answers the sizing questions.
  const probe = instantiateCore(module, new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }));
  const base = probe.rlw_heap_base();
  const ringBytes = probe.rlw_ring_heap_size(CHANNELS, CAPACITY_FRAMES);
  if (ringBytes === 0) throw new Error('rlw_ring_heap_size refused the configuration');
  const planesPtr = (base + ringBytes + 15) & ~15;
  const planeL = planesPtr + 16;
  const planeR = planeL + FRAMES * 4;
  const interleavedOut = planeR + FRAMES * 4;
  const end = interleavedOut + SAMPLES * 4;
  const pages = Math.max(2, Math.ceil(end / PAGE_BYTES));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const x = instantiateCore(module, memory);
  if (x.rlw_heap_base() !== base) throw new Error('heap base differs between instances');
  const rc = x.rlw_ring_init(base, CHANNELS, CAPACITY_FRAMES, ringBytes);
  if (rc !== 0) throw new Error(`rlw_ring_init failed: ${rc}`);
  const u32 = new Uint32Array(memory.buffer);
  u32[planesPtr >> 2] = planeL;
  u32[(planesPtr >> 2) + 1] = planeR;
  const writer = new RingWriter(memory.buffer, base);
  return {
    x,
    writer,
    ring: base,
    planesPtr,
    interleavedOut,
    outL: new Float32Array(memory.buffer, planeL, FRAMES),
    outR: new Float32Array(memory.buffer, planeR, FRAMES),
    outI: new Float32Array(memory.buffer, interleavedOut, SAMPLES),
  };
}

/** @param {Float32Array} a @param {Float32Array} b */
function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Each variant: `run(n)` moves n quanta and returns a count that must equal
 * n * perQuantum (every write and read moved a whole quantum); `check()`
 * proves the data arrived intact, after the timed runs.
 * @typedef {{ key: string, label: string, perQuantum: number, run: (n: number) => number, check: () => boolean }} Variant
 */

/** @returns {Promise<Variant[]>} */
async function makeVariants() {
  /** @type {Variant[]} */
  const variants = [];

  // (a) ringlet: JS tryWrite(interleaved), wasm rlw_ring_read_planar (what the worklet does).
  {
    const s = await ringletSetup('a');
    const { writer, ring, planesPtr } = s;
    const readPlanar = s.x.rlw_ring_read_planar;
    variants.push({
      key: 'ringletPlanar',
      label: 'ringlet: tryWrite(interleaved) + wasm rlw_ring_read_planar',
      perQuantum: 2 * FRAMES,
      run(n) {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          moved += writer.tryWrite(quantum);
          moved += readPlanar(ring, planesPtr, FRAMES);
        }
        return moved;
      },
      check: () => same(s.outL, left) && same(s.outR, right),
    });
  }

  // (a') ringlet, wasm reading interleaved (rlw_ring_read), for reference.
  {
    const s = await ringletSetup('a2');
    const { writer, ring, interleavedOut } = s;
    const read = s.x.rlw_ring_read;
    variants.push({
      key: 'ringletInterleaved',
      label: 'ringlet: tryWrite(interleaved) + wasm rlw_ring_read (interleaved)',
      perQuantum: 2 * FRAMES,
      run(n) {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          moved += writer.tryWrite(quantum);
          moved += read(ring, interleavedOut, FRAMES);
        }
        return moved;
      },
      check: () => same(s.outI, quantum),
    });
  }

  // (d) ringlet with planar input.
  {
    const s = await ringletSetup('d');
    const { writer, ring, planesPtr } = s;
    const readPlanar = s.x.rlw_ring_read_planar;
    variants.push({
      key: 'ringletPlanarInput',
      label: 'ringlet: tryWrite([left, right]) + wasm rlw_ring_read_planar',
      perQuantum: 2 * FRAMES,
      run(n) {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          moved += writer.tryWrite(planarQuantum);
          moved += readPlanar(ring, planesPtr, FRAMES);
        }
        return moved;
      },
      check: () => same(s.outL, left) && same(s.outR, right),
    });
  }

  // (b) ringbuf.js 0.4: AudioWriter.enqueue + AudioReader.dequeue, interleaved.
  // Capacity is in samples: 8192 stereo frames = 16384 samples.
  {
    const rb = new RingBuffer(RingBuffer.getStorageForCapacity(CAPACITY_FRAMES * CHANNELS, Float32Array), Float32Array);
    const aw = new AudioWriter(rb);
    const ar = new AudioReader(rb);
    const out = new Float32Array(SAMPLES);
    variants.push({
      key: 'ringbuf',
      label: 'ringbuf.js 0.4: enqueue + dequeue (interleaved)',
      perQuantum: 2 * SAMPLES,
      run(n) {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          moved += aw.enqueue(quantum);
          moved += ar.dequeue(out);
        }
        return moved;
      },
      check: () => same(out, quantum),
    });
  }

  // (b') ringbuf.js + its deinterleave(): what a worklet needs to fill planar outputs.
  {
    const rb = new RingBuffer(RingBuffer.getStorageForCapacity(CAPACITY_FRAMES * CHANNELS, Float32Array), Float32Array);
    const aw = new AudioWriter(rb);
    const ar = new AudioReader(rb);
    const out = new Float32Array(SAMPLES);
    const planes = [new Float32Array(FRAMES), new Float32Array(FRAMES)];
    variants.push({
      key: 'ringbufDeinterleave',
      label: 'ringbuf.js 0.4: enqueue + dequeue + deinterleave() to planar',
      perQuantum: 2 * SAMPLES,
      run(n) {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          moved += aw.enqueue(quantum);
          moved += ar.dequeue(out);
          deinterleave(out, planes);
        }
        return moved;
      },
      check: () => same(planes[0], left) && same(planes[1], right),
    });
  }

  // (c) raw: copy into shared memory, copy out into a private array. The
  // shared views walk an 8192-frame region like a ring's storage does.
  {
    const sab = new SharedArrayBuffer(CAPACITY_FRAMES * CHANNELS * 4);
    const slots = CAPACITY_FRAMES / FRAMES;
    const views = Array.from({ length: slots }, (_, k) => new Float32Array(sab, k * SAMPLES * 4, SAMPLES));
    const mask = slots - 1;
    const out = new Float32Array(SAMPLES);
    variants.push({
      key: 'raw',
      label: 'raw: 2 x TypedArray.set (into SAB, out to private)',
      perQuantum: 2 * SAMPLES,
      run(n) {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          const v = views[i & mask];
          v.set(quantum);
          out.set(v);
          moved += v.length + out.length;
        }
        return moved;
      },
      check: () => same(out, quantum),
    });
  }
  return variants;
}

/** @param {number[]} xs */
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (xs) => quantile(xs, 0.5);

/** @param {Variant} v @param {number} n */
function timed(v, n) {
  const t0 = performance.now();
  const moved = v.run(n);
  const t1 = performance.now();
  if (moved !== n * v.perQuantum) {
    throw new Error(`${v.key}: moved ${moved}, expected ${n * v.perQuantum}: a write or read came up short`);
  }
  return ((t1 - t0) * 1e6) / n;
}

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1].trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

const fmt = (x, d = 1) => x.toFixed(d);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

async function main() {
  const variants = await makeVariants();
  const started = performance.now();

  // Warm-up: several rounds so every variant reaches its optimised tier.
  for (let round = 0; round < 4; round++) {
    for (const v of variants) timed(v, Math.ceil(WARMUP / 4));
  }

  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(variants.map((v) => [v.key, []]));
  for (let t = 0; t < TRIALS; t++) {
    // Rotate the starting variant so none always runs first (or after the same neighbour).
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(t + k) % variants.length];
      samples[v.key].push(timed(v, QUANTA));
    }
  }
  for (const v of variants) {
    if (!v.check()) throw new Error(`${v.key}: data arrived corrupted`);
  }
  const seconds = (performance.now() - started) / 1000;

  const results = {};
  for (const v of variants) {
    const xs = samples[v.key];
    const med = median(xs);
    results[v.key] = {
      label: v.label,
      nsPerQuantum: med,
      nsMin: Math.min(...xs),
      nsP25: quantile(xs, 0.25),
      nsP75: quantile(xs, 0.75),
      mFramesPerSecond: (FRAMES / med) * 1e3,
      budgetPercent: (med / QUANTUM_BUDGET_NS) * 100,
    };
  }

  // Ratios are medians of per-trial ratios: the two figures of one trial ran
  // back to back, so pairing them cancels most of the machine's drift.
  /** @param {string} num @param {string} den */
  const ratio = (num, den) => {
    const rs = samples[num].map((x, i) => x / samples[den][i]);
    return { value: median(rs), min: Math.min(...rs), max: Math.max(...rs), of: `${num} / ${den}` };
  };
  const met = (r, target) => (target.op === '>=' ? r.value >= target.value : r.value <= target.value);
  const ratios = {
    ringbufOverRinglet: { ...ratio('ringbuf', 'ringletPlanar'), target: TARGETS.ringbufOverRinglet },
    ringletOverRaw: { ...ratio('ringletPlanar', 'raw'), target: TARGETS.ringletOverRaw },
    ringbufDeinterleaveOverRinglet: ratio('ringbufDeinterleave', 'ringletPlanar'),
    ringletInterleavedOverRaw: ratio('ringletInterleaved', 'raw'),
    ringletPlanarInputOverRaw: { ...ratio('ringletPlanarInput', 'raw'), target: TARGETS.ringletPlanarInputOverRaw },
    ringletPlanarInputOverRinglet: ratio('ringletPlanarInput', 'ringletPlanar'),
    ringbufOverRaw: ratio('ringbuf', 'raw'),
  };
  for (const r of Object.values(ratios)) if (r.target) r.met = met(r, r.target);

  console.log(
    `ringlet ring benchmark: ${FRAMES}-frame stereo quantum, ${CAPACITY_FRAMES}-frame rings, ` +
      `single thread, ${TRIALS} trials x ${QUANTA} quanta per variant (${WARMUP} warm-up), ${fmt(seconds)} s`,
  );
  console.log(
    `${cpuModel()}, node ${process.version}. Budget per quantum at ${SAMPLE_RATE} Hz: ${fmt(QUANTUM_BUDGET_NS / 1e3, 0)} us.\n`,
  );
  console.log(
    `${pad('variant', 66)} ${lpad('ns/q med', 9)} ${lpad('p25..p75', 14)} ${lpad('min', 7)} ${lpad('Mfr/s', 8)} ${lpad('budget', 8)}`,
  );
  for (const v of variants) {
    const r = results[v.key];
    console.log(
      `${pad(v.label, 66)} ${lpad(fmt(r.nsPerQuantum), 9)} ${lpad(`${fmt(r.nsP25)}..${fmt(r.nsP75)}`, 14)} ` +
        `${lpad(fmt(r.nsMin), 7)} ${lpad(fmt(r.mFramesPerSecond, 0), 8)} ${lpad(`${fmt(r.budgetPercent, 3)}%`, 8)}`,
    );
  }
  console.log('');
  console.log(`${pad('ratio (median of per-trial ratios)', 70)} ${lpad('value', 7)} ${lpad('range', 14)}  target`);
  for (const [key, r] of Object.entries(ratios)) {
    const target = r.target ? `${r.target.op} ${r.target.value}  ${r.met ? 'met' : 'NOT met'}` : '(reference)';
    console.log(
      `${pad(`${key} (${r.of})`, 70)} ${lpad(fmt(r.value, 2), 7)} ${lpad(`${fmt(r.min, 2)}..${fmt(r.max, 2)}`, 14)}  ${target}`,
    );
  }

  const summary = {
    bench: 'ring',
    config: {
      frames: FRAMES,
      channels: CHANNELS,
      capacityFrames: CAPACITY_FRAMES,
      trials: TRIALS,
      quantaPerTrial: QUANTA,
      warmupQuanta: WARMUP,
      totalQuantaPerVariant: TRIALS * QUANTA,
      quantumBudgetNs: QUANTUM_BUDGET_NS,
      seconds,
    },
    results,
    ratios,
  };
  console.log(JSON.stringify(summary));
}

await main();
