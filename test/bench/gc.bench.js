// Proves that the worklet's steady-state process() allocates nothing.
//
//   node --expose-gc test/bench/gc.bench.js
//
// worklet/processor.js (the source, not dist/) runs in Node inside a minimal
// AudioWorkletGlobalScope shim. Each node is built the way lib/node/node.js builds
// one: heapBytes and the page count come from lib/node/wasm.js (a probe instance
// on its own small shared memory), the node's memory is a fixed-size shared
// WebAssembly.Memory, and the ring offset arrives in the processor's 'ready'
// message. After a warm-up, each loop runs 100,000 quanta while a
// PerformanceObserver counts 'gc' entries that start inside the loop; heap
// use is read before and after. A loop counts as allocation-free when it
// caused no GC event and the heap grew by less than 16 bytes per quantum (the
// smallest V8 heap object), so not even one object per quantum survived.
//
// Controls: an empty loop gives the heap-reading noise floor; an allocating
// loop must produce GC events (else the observer is broken); a loop making
// one ReadResult-sized object per quantum shows that small allocations are
// caught too. Counting GC events alone is not enough for those: with V8's
// default young generation (semi-spaces grow to 16 MiB), 100,000 objects of
// 40 bytes may fit without a single scavenge. scripts/bench.mjs therefore
// runs this file with --max-semi-space-size=1 as well, which makes every
// ~1 MiB of allocation cost a scavenge.
//
// This is a measurement: it prints a table and, on its last line, a JSON
// summary that scripts/bench.mjs collects. Exit code 1 only when a check of
// the harness itself fails (wrong data, a panic, a blind observer).
//
// Environment knobs (defaults in brackets):
//   RL_GC_QUANTA [100000]  quanta per measured loop
//   RL_GC_WARMUP [20000]   warm-up quanta per loop
//   RL_BENCH_WASM [build/wasm/ringlet.wasm] the core to load, e.g. a candidate
//     build to compare against the committed one
//   RL_GC_ONLY [all]       comma-separated loop keys to run (the controls
//     always run), e.g. source-resampling for test/unit/gc.test.js
import { readFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';
import { LAYOUT, MODES } from '../../lib/shared/layout.js';
import { RingReader, RingWriter } from '../../lib/shared/ring-ends.js';
import { PROCESSOR_NAME } from '../../lib/shared/version.js';
import { compileRinglet } from '../../lib/node/wasm.js';

const FRAMES = 128;
const CHANNELS = 2;
const CAPACITY_FRAMES = 8192;
const QUANTA = intEnv('RL_GC_QUANTA', 100000);
const ONLY = (process.env.RL_GC_ONLY ?? '')
  .split(',')
  .map((k) => k.trim())
  .filter(Boolean);
/** @param {string} key */
const runs = (key) => ONLY.length === 0 || ONLY.includes(key);
const WARMUP = intEnv('RL_GC_WARMUP', 20000);
/** Heap growth per quantum at or above this means at least one object per quantum survived. */
const MIN_OBJECT_BYTES = 16;

/** @param {string} name @param {number} fallback */
function intEnv(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer; got ${v}`);
  return n;
}

if (typeof globalThis.gc !== 'function') {
  console.error('gc.bench.js needs global.gc: run it as `node --expose-gc test/bench/gc.bench.js`');
  process.exit(2);
}
const collect = /** @type {() => void} */ (globalThis.gc);

// ---------------------------------------------------------------------------
// AudioWorkletGlobalScope shim
// ---------------------------------------------------------------------------

/** @type {import('node:worker_threads').MessagePort | null} */
let nextPort = null;
class AudioWorkletProcessorShim {
  constructor() {
    if (nextPort === null) throw new TypeError('AudioWorkletProcessor: construct processors through makeNode()');
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
  sampleRate: 48000,
  currentFrame: 0,
  currentTime: 0,
});

await import('../../worklet/processor.js');
const Processor = registry.get(PROCESSOR_NAME);
if (typeof Processor !== 'function') throw new Error(`worklet/processor.js did not register ${PROCESSOR_NAME}`);

const SAMPLE_RATE = 48000;
/** The gain AudioParam as the engine hands it over: one value while constant. */
const PARAMETERS = { gain: new Float32Array([1]) };

const WASM_PATH = process.env.RL_BENCH_WASM || new URL('../../build/wasm/ringlet.wasm', import.meta.url);
const module = new WebAssembly.Module(readFileSync(WASM_PATH));
const wasm = await compileRinglet(module);
/** The same binary with a private memory, as the 'message' transport loads it. */
const localWasm = await compileRinglet(new Uint8Array(readFileSync(WASM_PATH)), { shared: false });

/**
 * A processor in its own memory, built like RingletNode.create builds one.
 * @param {'source' | 'effect' | 'capture'} mode
 * @param {{ inputRate?: number, varispeed?: boolean, transport?: 'shared' | 'message' }} [options] a source
 *   node's ring rate (0: the context's) and varispeed; the transport ('message': the worklet makes its own memory)
 */
async function makeNode(mode, { inputRate = 0, varispeed = false, transport = 'shared' } = {}) {
  const heapBytes = wasm.nodeHeapBytes(mode, CHANNELS, CAPACITY_FRAMES, SAMPLE_RATE, inputRate, varispeed);
  if (heapBytes === 0) throw new Error(`the core refused ${mode}/${CHANNELS}/${CAPACITY_FRAMES}`);
  const pages = wasm.pagesFor(heapBytes);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const { port1, port2 } = new MessageChannel();
  /** @type {unknown[]} */
  const messages = [];
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode}: no 'ready' message within 5 s`)), 5000);
    port2.on('message', (m) => {
      messages.push(m);
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      } else if (m?.type === 'panic') {
        clearTimeout(timer);
        reject(new Error(`${mode}: processor panicked: ${m.code}: ${m.message}`));
      }
    });
  });
  nextPort = port1;
  const proc = new Processor({
    processorOptions: {
      module: transport === 'shared' ? module : localWasm.module,
      memory: transport === 'shared' ? memory : undefined,
      pages,
      transport,
      mode: MODES[mode],
      channels: CHANNELS,
      capacityFrames: CAPACITY_FRAMES,
      heapBytes,
      sampleRate: SAMPLE_RATE,
      inputRate,
      varispeed,
    },
  });
  const msg = /** @type {{ ring: number, stats: number }} */ (await ready);
  return {
    mode,
    proc,
    memory,
    pages,
    heapBytes,
    messages,
    ring: msg.ring,
    stats: new Uint32Array(memory.buffer, msg.stats, LAYOUT.STATS_BYTES >> 2),
    close() {
      port1.close();
      port2.close();
    },
  };
}

// ---------------------------------------------------------------------------
// GC observation
// ---------------------------------------------------------------------------

const GC_KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
/** @type {{ startTime: number, duration: number, kind: string }[]} */
const gcEntries = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = /** @type {any} */ (e).detail?.kind ?? /** @type {any} */ (e).kind;
    gcEntries.push({ startTime: e.startTime, duration: e.duration, kind: GC_KINDS[kind] ?? String(kind) });
  }
});
observer.observe({ entryTypes: ['gc'] });

const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));
/** Lets queued performance entries reach the observer. */
async function settle() {
  await macrotask();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Warms `loop` up, collects, then runs it once for `n` quanta and counts the
 * GC events that started while it ran.
 * @param {string} key
 * @param {string} what
 * @param {(n: number) => number} loop returns a checksum the caller verifies
 * @param {number} n
 */
async function measure(key, what, loop, n) {
  // Several calls, so the loop function itself (not only its OSR entry) gets optimised.
  for (let k = 0; k < 5; k++) loop(Math.ceil(WARMUP / 5));
  collect();
  await settle();
  collect();
  await settle();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const checksum = loop(n);
  const t1 = performance.now();
  const heapAfter = process.memoryUsage().heapUsed;
  await settle();
  const inside = gcEntries.filter((e) => e.startTime >= t0 && e.startTime <= t1);
  /** @type {Record<string, number>} */
  const byKind = {};
  for (const e of inside) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
  const heapDeltaBytes = heapAfter - heapBefore;
  return {
    key,
    what,
    quanta: n,
    checksum,
    gcEvents: inside.length,
    gcByKind: byKind,
    gcPauseMs: inside.reduce((s, e) => s + e.duration, 0),
    heapUsedBefore: heapBefore,
    heapUsedAfter: heapAfter,
    heapDeltaBytes,
    heapBytesPerQuantum: heapDeltaBytes / n,
    nsPerQuantum: ((t1 - t0) * 1e6) / n,
  };
}

// ---------------------------------------------------------------------------
// Signals and buffers, all preallocated
// ---------------------------------------------------------------------------

const interleaved = new Float32Array(FRAMES * CHANNELS);
const planarIn = Array.from({ length: CHANNELS }, () => new Float32Array(FRAMES));
for (let i = 0; i < FRAMES; i++) {
  for (let c = 0; c < CHANNELS; c++) {
    const v = 0.8 * Math.sin((i + 1) * 0.05 * (c + 1)); // below the limiter ceiling: the chain is exact
    planarIn[c][i] = v;
    interleaved[i * CHANNELS + c] = v;
  }
}
const noInputs = /** @type {Float32Array[][]} */ ([]); // a source node has numberOfInputs: 0
const inputs = [planarIn];
const outputs = [Array.from({ length: CHANNELS }, () => new Float32Array(FRAMES))];
const readBack = new Float32Array(FRAMES * CHANNELS);

/** @param {Float32Array[]} got @param {Float32Array[]} want */
function samePlanes(got, want) {
  for (let c = 0; c < want.length; c++) {
    for (let i = 0; i < want[c].length; i++) if (got[c][i] !== want[c][i]) return false;
  }
  return true;
}
/** @param {Float32Array} a @param {Float32Array} b */
function same(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function clearOutputs() {
  for (const o of outputs[0]) o.fill(NaN);
}

/** @param {Awaited<ReturnType<typeof makeNode>>} node @param {string[]} problems */
function checkNode(node, problems) {
  if (node.proc.failed) problems.push(`${node.mode}: processor latched its failed state`);
  if (node.messages.some((m) => /** @type {any} */ (m)?.type === 'panic'))
    problems.push(`${node.mode}: processor posted a panic`);
}

// ---------------------------------------------------------------------------
// Loops
// ---------------------------------------------------------------------------

async function main() {
  const problems = /** @type {string[]} */ ([]);
  const results = [];
  const started = performance.now();

  // Controls first: if these show nothing, the zeros below mean nothing.
  results.push(
    await measure(
      'control-empty',
      'control: empty loop (noise floor of the heap reading)',
      (n) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += i & 7;
        return s;
      },
      QUANTA,
    ),
  );
  /** @type {unknown} */
  let sink = null;
  const bigSink = new Array(1024);
  results.push(
    await measure(
      'control-arrays',
      'control: new Array(64).fill(i) per iteration (kept in a 1024-slot sink)',
      (n) => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const a = new Array(64).fill(i);
          bigSink[i & 1023] = a;
          s += a.length;
        }
        return s;
      },
      QUANTA,
    ),
  );
  results.push(
    await measure(
      'control-small',
      'control: one { status, frames } object per iteration (the size of a ReadResult)',
      (n) => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const r = { status: 'ready', frames: i & 127 };
          sink = r;
          s += r.frames;
        }
        return s;
      },
      QUANTA,
    ),
  );
  void sink;

  // Source: RingWriter.tryWrite feeds the ring from this thread, then process().
  if (runs('source')) {
    const node = await makeNode('source');
    const writer = new RingWriter(node.memory.buffer, node.ring);
    const proc = node.proc;
    const loop = (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        s += writer.tryWrite(interleaved);
        if (proc.process(noInputs, outputs, PARAMETERS)) s += FRAMES;
      }
      return s;
    };
    clearOutputs();
    const r = await measure('source', 'source: RingWriter.tryWrite(interleaved) + process() per quantum', loop, QUANTA);
    if (r.checksum !== 2 * FRAMES * QUANTA)
      problems.push(`source: checksum ${r.checksum}, expected ${2 * FRAMES * QUANTA}`);
    if (!samePlanes(outputs[0], planarIn)) problems.push('source: outputs differ from the frames written');
    const silent = node.stats[LAYOUT.STATS_OFFSET_SILENT_FRAMES >> 2];
    if (silent !== 0 || writer.underruns !== 0)
      problems.push(`source: ${silent} silent frames, ${writer.underruns} underruns`);
    r.underruns = writer.underruns;
    r.silentFrames = silent;
    checkNode(node, problems);
    results.push(r);
    node.close();
  }

  // Source, planar input: tryWrite([left, right]), what decoders and
  // AudioBuffers hand over, then process(). The writer must not allocate
  // for this form either.
  if (runs('source-planar')) {
    const node = await makeNode('source');
    const writer = new RingWriter(node.memory.buffer, node.ring);
    const proc = node.proc;
    const loop = (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        s += writer.tryWrite(planarIn);
        if (proc.process(noInputs, outputs, PARAMETERS)) s += FRAMES;
      }
      return s;
    };
    clearOutputs();
    const r = await measure(
      'source-planar',
      'source: RingWriter.tryWrite([left, right]) + process() per quantum',
      loop,
      QUANTA,
    );
    if (r.checksum !== 2 * FRAMES * QUANTA)
      problems.push(`source-planar: checksum ${r.checksum}, expected ${2 * FRAMES * QUANTA}`);
    if (!samePlanes(outputs[0], planarIn)) problems.push('source-planar: outputs differ from the frames written');
    const silent = node.stats[LAYOUT.STATS_OFFSET_SILENT_FRAMES >> 2];
    if (silent !== 0 || writer.underruns !== 0)
      problems.push(`source-planar: ${silent} silent frames, ${writer.underruns} underruns`);
    r.underruns = writer.underruns;
    r.silentFrames = silent;
    checkNode(node, problems);
    results.push(r);
    node.close();
  }

  // Source resampling: a 44.1 kHz ring into the 48 kHz context, with the
  // playbackRate AudioParam automated a-rate (a new value every frame, as
  // an engine hands a ramp over), computed into one preallocated array.
  if (runs('source-resampling')) {
    const node = await makeNode('source', { inputRate: 44100, varispeed: true });
    const writer = new RingWriter(node.memory.buffer, node.ring);
    const proc = node.proc;
    const rates = new Float32Array(FRAMES);
    const parameters = { gain: PARAMETERS.gain, playbackRate: rates };
    let phase = 0;
    // Full before it starts, so the slow-down's surplus and the speed-up's
    // deficit stay inside the ring.
    while (writer.tryWrite(interleaved) > 0);
    const loop = (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        // 0.8 .. 1.2, a period of 2000 quanta: on average the ring drains
        // 117.6 frames a quantum and is offered 128, so it stays nearly full.
        for (let j = 0; j < FRAMES; j++) rates[j] = 1 + 0.2 * Math.sin((phase + j / FRAMES) * 0.00314159);
        phase += 1;
        writer.tryWrite(interleaved);
        if (proc.process(noInputs, outputs, parameters)) s += FRAMES;
      }
      return s;
    };
    clearOutputs();
    const r = await measure(
      'source-resampling',
      'source, 44.1 kHz ring -> 48 kHz, playbackRate a-rate: tryWrite + process()',
      loop,
      QUANTA,
    );
    if (r.checksum !== FRAMES * QUANTA) problems.push(`source-resampling: checksum ${r.checksum}`);
    let energy = 0;
    for (const o of outputs[0]) for (const v of o) energy += Number.isFinite(v) ? v * v : NaN;
    if (!(energy > 1)) problems.push(`source-resampling: the outputs hold no signal (energy ${energy})`);
    if (writer.underruns !== 0) problems.push(`source-resampling: ${writer.underruns} underruns`);
    const latency = new Float32Array(node.memory.buffer, node.stats.byteOffset, LAYOUT.STATS_BYTES >> 2)[
      LAYOUT.STATS_OFFSET_LATENCY_FRAMES >> 2
    ];
    if (!(latency > 0)) problems.push(`source-resampling: the core reports latency ${latency}: it is not resampling`);
    r.underruns = writer.underruns;
    checkNode(node, problems);
    results.push(r);
    node.close();
  }

  // Effect: inputs -> core -> outputs.
  if (runs('effect')) {
    const node = await makeNode('effect');
    const proc = node.proc;
    const loop = (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) if (proc.process(inputs, outputs, PARAMETERS)) s += FRAMES;
      return s;
    };
    clearOutputs();
    const r = await measure('effect', 'effect: process() per quantum', loop, QUANTA);
    if (r.checksum !== FRAMES * QUANTA) problems.push(`effect: checksum ${r.checksum}`);
    if (!samePlanes(outputs[0], planarIn)) problems.push('effect: outputs differ from inputs');
    checkNode(node, problems);
    results.push(r);
    node.close();
  }

  // Capture, process() alone. A consumer on another thread would drain the
  // ring; here one Atomics.store per quantum advances the read index instead
  // (allocation-free), so the ring never fills and every write is a full one.
  if (runs('capture-process')) {
    const node = await makeNode('capture');
    const proc = node.proc;
    const i32 = new Int32Array(node.memory.buffer, node.ring, LAYOUT.RING_HEADER_BYTES >> 2);
    const W = LAYOUT.RING_OFFSET_WRITE_INDEX >> 2;
    const R = LAYOUT.RING_OFFSET_READ_INDEX >> 2;
    const loop = (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        if (proc.process(inputs, outputs, PARAMETERS)) s += FRAMES;
        Atomics.store(i32, R, Atomics.load(i32, W));
      }
      return s;
    };
    clearOutputs();
    const r = await measure(
      'capture-process',
      'capture: process() per quantum (ring drained by a raw read-index store)',
      loop,
      QUANTA,
    );
    if (r.checksum !== FRAMES * QUANTA) problems.push(`capture-process: checksum ${r.checksum}`);
    if (!samePlanes(outputs[0], planarIn)) problems.push('capture-process: outputs differ from inputs');
    const reader = new RingReader(node.memory.buffer, node.ring);
    if (reader.overruns !== 0) problems.push(`capture-process: ${reader.overruns} overruns`);
    r.overruns = reader.overruns;
    checkNode(node, problems);
    results.push(r);
    node.close();
  }

  // Capture with RingReader.tryRead draining on the same thread: process()
  // plus the reader, whose 'ready' result is a new object per call.
  if (runs('capture-reader')) {
    const node = await makeNode('capture');
    const proc = node.proc;
    const reader = new RingReader(node.memory.buffer, node.ring);
    const loop = (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        if (proc.process(inputs, outputs, PARAMETERS)) s += FRAMES;
        s += reader.tryRead(readBack).frames;
      }
      return s;
    };
    const r = await measure(
      'capture-reader',
      'capture: process() + RingReader.tryRead(interleaved) per quantum',
      loop,
      QUANTA,
    );
    if (r.checksum !== 2 * FRAMES * QUANTA) problems.push(`capture-reader: checksum ${r.checksum}`);
    if (!same(readBack, interleaved)) problems.push('capture-reader: the reader got different frames');
    if (reader.overruns !== 0) problems.push(`capture-reader: ${reader.overruns} overruns`);
    r.overruns = reader.overruns;
    checkNode(node, problems);
    results.push(r);
    node.close();
  }

  // Capture on the message transport, with a reader that asks again as soon
  // as it is answered: each 'read' finds the ring empty and is held, and
  // process() answers it once two quanta wait. The port here counts posts
  // instead of cloning them (a real port detaches the buffer, and the next
  // read brings another from the main thread), so the loop measures the
  // worklet's side: process() answering a held read must not allocate.
  if (runs('capture-message-held')) {
    const node = await makeNode('capture', { transport: 'message' });
    const proc = node.proc;
    const request = { type: 'read', data: new Float32Array(4096 * CHANNELS), id: 0 };
    let waiting = false;
    let held = 0;
    let immediate = 0;
    let frames = 0;
    proc.port = {
      /** @param {{ type: string, frames: number, snapshot: unknown }} m */
      postMessage(m) {
        if (m.type !== 'data') return;
        waiting = false;
        frames += m.frames;
        if (m.snapshot === proc.heldReply.snapshot) held++;
        else immediate++;
      },
    };
    const loop = (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        if (!waiting) {
          waiting = true;
          request.id++;
          proc.onMessage(request);
        }
        if (proc.process(inputs, outputs, PARAMETERS)) s += FRAMES;
      }
      return s;
    };
    const r = await measure(
      'capture-message-held',
      "capture, 'message': process() answering a held read every 2 quanta",
      loop,
      QUANTA,
    );
    if (r.checksum !== FRAMES * QUANTA) problems.push(`capture-message-held: checksum ${r.checksum}`);
    const total = QUANTA + WARMUP;
    if (immediate !== 0) problems.push(`capture-message-held: ${immediate} reads were answered at once, not held`);
    if (Math.abs(held - total / 2) > 2)
      problems.push(`capture-message-held: ${held} held answers in ${total} quanta, expected one per two quanta`);
    if (frames !== held * 2 * FRAMES)
      problems.push(`capture-message-held: ${frames} frames in ${held} answers, expected ${2 * FRAMES} each`);
    if (!same(request.data.subarray(0, FRAMES * CHANNELS), interleaved))
      problems.push('capture-message-held: the reader got different frames');
    r.heldAnswers = held;
    checkNode(node, problems);
    results.push(r);
    node.close();
  }

  observer.disconnect();
  const seconds = (performance.now() - started) / 1000;
  const byKey = Object.fromEntries(results.map((r) => [r.key, r]));
  const observerWorks = byKey['control-arrays'].gcEvents > 0;
  const allocates = (r) => r.gcEvents > 0 || r.heapBytesPerQuantum >= MIN_OBJECT_BYTES;
  const smallDetected = allocates(byKey['control-small']);
  if (!observerWorks)
    problems.push('the allocating control saw no GC event: the observer does not work, so zero counts prove nothing');
  if (!smallDetected)
    problems.push('the ReadResult-sized control went undetected: this run cannot see small allocations');
  if (allocates(byKey['control-empty']))
    problems.push('the empty loop looks like it allocates: heap readings are too noisy to judge');
  const target = { gcEvents: 0, heapBytesPerQuantumBelow: MIN_OBJECT_BYTES };
  /** Loops that must not allocate: the worklet's process() (and the allocation-free writer). */
  for (const k of [
    'source',
    'source-planar',
    'source-resampling',
    'effect',
    'capture-process',
    'capture-message-held',
  ]) {
    const r = byKey[k];
    if (r === undefined) continue;
    r.target = target;
    r.gcTargetMet = r.gcEvents === 0;
    r.met = observerWorks && smallDetected && !allocates(r);
  }
  for (const r of results) r.allocates = allocates(r);

  const fmtBytes = (b) => `${b >= 0 ? '+' : ''}${(b / 1024).toFixed(1)} KiB`;
  const semi = process.execArgv.find((a) => a.startsWith('--max-semi-space-size')) ?? 'default young generation';
  console.log(
    `ringlet GC benchmark: worklet/processor.js in a Node AudioWorkletGlobalScope shim, ` +
      `${CHANNELS} channels, ${CAPACITY_FRAMES}-frame ring, ${QUANTA} quanta per loop after ${WARMUP} warm-up, ` +
      `node ${process.version} (${semi}), ${seconds.toFixed(1)} s\n`,
  );
  console.log(
    `${'loop'.padEnd(84)} ${'GC events'.padStart(9)} ${'heap delta'.padStart(12)} ${'B/q'.padStart(6)} ${'ns/q'.padStart(6)}  verdict`,
  );
  for (const r of results) {
    const kinds = Object.entries(r.gcByKind)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    let verdict;
    if (r.target) verdict = `allocation-free: ${r.met ? 'met' : 'NOT met'}`;
    else if (r.key === 'control-empty') verdict = r.allocates ? 'NOISY' : 'noise floor';
    else if (r.key.startsWith('control')) verdict = r.allocates ? 'allocation seen (as it must be)' : 'NOT SEEN';
    else verdict = r.allocates ? 'allocates (reference)' : 'allocation-free (reference)';
    console.log(
      `${r.what.padEnd(84)} ${String(r.gcEvents).padStart(9)} ${fmtBytes(r.heapDeltaBytes).padStart(12)} ` +
        `${r.heapBytesPerQuantum.toFixed(1).padStart(6)} ${r.nsPerQuantum.toFixed(0).padStart(6)}  ${verdict}${kinds ? `  [${kinds}]` : ''}`,
    );
  }
  console.log(`\nallocation-free = no GC event inside the loop and heap growth under ${MIN_OBJECT_BYTES} B/quantum.`);
  for (const p of problems) console.log(`PROBLEM: ${p}`);

  const summary = {
    bench: 'gc',
    config: {
      channels: CHANNELS,
      capacityFrames: CAPACITY_FRAMES,
      quanta: QUANTA,
      warmupQuanta: WARMUP,
      seconds,
      execArgv: process.execArgv,
      minObjectBytes: MIN_OBJECT_BYTES,
    },
    observerWorks,
    smallAllocationDetected: smallDetected,
    problems,
    results: byKey,
  };
  console.log(JSON.stringify(summary));
  if (problems.length > 0) process.exitCode = 1;
}

await main();
