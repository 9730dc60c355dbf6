/**
 * ringlet's DSP tasks for a WorkerPool Worker: 'render' (an effect node over
 * planar audio, its state handed from one segment to the next) and
 * 'analyze' (loudness, peak, RMS, spectrum). Worker thread only.
 */
import { checkPlanarAudio } from '../shared/audio-data.js';
import { PAGE_BYTES, instantiateCore, privateMemoryBinary, resultString } from '../shared/core.js';
import { checkChain } from '../shared/dsp.js';
import { ParamQueue } from '../shared/params.js';
import { MAX_PAGES, MODE_EFFECT, NODE_MAGIC, RENDER_QUANTUM as QUANTUM } from '../shared/constants.generated.js';
import { blockedByPolicy, isWasmEvalRefusal, watchViolations } from '../shared/policy.js';
import { describe } from '../shared/util.js';
import { VERSION } from '../shared/version.js';
import { withTransfer, workerState } from './runtime.js';

/** @typedef {import('../../types/pool.js').TaskContext} TaskContext */

// ---- ringlet's core on this worker's private memory -----------------------
//
// Each worker instantiates ringlet.wasm with its memory import made private
// (privateMemoryBinary, so offline work runs on pages that are not
// cross-origin isolated) once per wasm URL, lazily, on the first DSP task.
// Its memory starts at the module's minimum and grows to the largest job
// seen so far; views are rebuilt after every growth.

/** @typedef {import('../shared/core.js').CoreExports} CoreExports */
/** @typedef {import('../shared/dsp.js').ChainMessage} ChainMessage */

/**
 * The analysis exports of csrc/wasm.c ('analyze').
 * @typedef {object} AnalysisExports
 * @property {(channels: number, sampleRate: number) => number} rlw_loudness_heap_size
 * @property {(address: number, channels: number, sampleRate: number, bytes: number) => number} rlw_loudness_init
 * @property {(address: number, planes: number, channels: number, frames: number) => number} rlw_loudness_process
 * @property {(address: number) => number} rlw_loudness_integrated
 * @property {(address: number) => number} rlw_loudness_sample_peak
 * @property {(address: number) => number} rlw_loudness_mean_square
 * @property {(spectrum: number, time: number, sum: number) => number} rlw_spectrum_add_power
 */

/**
 * @typedef {object} WorkerCore
 * @property {string} url
 * @property {CoreExports & AnalysisExports} x
 * @property {WebAssembly.Memory} memory private; grows, never shrinks
 * @property {number} base rlw_heap_base(): where the node (or the analysis) lives
 * @property {{ code: number, message: string } | null} panic what rl_panic said just before a trap
 */

/**
 * A node's state handed from one segment's task to the next ('render' with
 * stateOut / stateIn): the node's whole heap block, which holds every bit of
 * its state (filters, ramps, limiter envelope, gain) and only absolute
 * addresses inside that block.
 * @typedef {object} RenderState
 * @property {'ringlet:render-state'} type
 * @property {string} version
 * @property {number} heapBase the address the bytes were taken from
 * @property {number} heapBytes
 * @property {number} channels
 * @property {number} sampleRate
 * @property {number} frames frames the node had rendered when the state was taken
 * @property {ArrayBuffer} bytes
 */

/** An effect node does not use its ring: the smallest one. */
const UNUSED_RING_FRAMES = 256;
/** At most this many progress reports per task, and at least this many quanta apart. */
const PROGRESS_REPORTS = 100;
const PROGRESS_MIN_QUANTA = 256;
const ANALYZE_CHUNK = 8192;
const DEFAULT_FFT_SIZE = 2048;
const STATE_MESSAGE = 'ringlet:render-state';
const STATE_FAILED = 'ringlet:render-state-failed';

/** @type {Map<string, Promise<WorkerCore>>} one core per wasm URL */
const cores = new Map();

/** The key of the core compiled from the bytes the pool's hello carried. */
const WASM_FROM_HELLO = 'ringlet:page-bytes';

/**
 * The page's ringlet.wasm: the bytes the pool's hello carried (a page that
 * holds the wasm in memory, as ringlet/inline does: nothing is fetched),
 * else the URL the hello names (the one its main entry resolves: a
 * bundler's emitted asset, or setAssetUrls'), else the file beside
 * dist/ringlet-worker.js. A bundler emits this worker as a plain asset, so
 * only the page knows where the wasm ended up.
 */
function defaultWasmUrl() {
  const state = workerState();
  if (state.wasmBytes !== null) return WASM_FROM_HELLO;
  return state.wasmUrl ?? new URL('./ringlet.wasm', import.meta.url).href;
}

/**
 * The wasm binary for `url`: the hello's bytes for WASM_FROM_HELLO, else fetched.
 * @param {string} url
 * @returns {Promise<ArrayBuffer>}
 */
async function wasmBinary(url) {
  const bytes = workerState().wasmBytes;
  if (url === WASM_FROM_HELLO && bytes !== null) return bytes;
  const response = await fetchUnderPolicy(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  return response.arrayBuffer();
}

/**
 * @param {unknown} url
 * @param {string} where
 */
function resolveWasmUrl(url, where) {
  if (url === undefined) return defaultWasmUrl();
  if (typeof url !== 'string') throw new TypeError(`${where}: wasmUrl must be a string; got ${describe(url)}`);
  return new URL(url, globalThis.location?.href).href;
}

/**
 * fetch(url), with a refusal by the worker's Content-Security-Policy
 * (connect-src, reported as a securitypolicyviolation event in the worker)
 * as RingletError 'BLOCKED_BY_POLICY'.
 * @param {string} url
 * @returns {Promise<Response>}
 */
async function fetchUnderPolicy(url) {
  const violations = watchViolations();
  try {
    return await fetch(url);
  } catch (error) {
    const directive = await violations.waitFor(url);
    if (directive !== null) throw blockedByPolicy('the worker: fetching the wasm', directive, url, error);
    throw error;
  } finally {
    violations.close();
  }
}

/**
 * The core for `url`, compiled and instantiated on first use on a private,
 * growable memory (the binary's memory import made private; version checked
 * by instantiateCore). A failed load is forgotten, so a later task retries.
 * @param {string} url
 * @returns {Promise<WorkerCore>}
 */
function loadCore(url) {
  let pending = cores.get(url);
  if (pending === undefined) {
    pending = (async () => {
      const binary = await wasmBinary(url);
      let module;
      try {
        module = await WebAssembly.compile(privateMemoryBinary(binary));
      } catch (error) {
        // The worker's own policy (its script's response, or the page's for a blob: worker).
        if (isWasmEvalRefusal(error)) throw blockedByPolicy('the worker', 'script-src', `the wasm at ${url}`, error);
        throw error;
      }
      const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES });
      /** @type {{ code: number, message: string } | null} */
      let note = null;
      const x = /** @type {CoreExports & AnalysisExports} */ (
        instantiateCore(module, memory, {
          panic: (code, message) => {
            note = { code, message };
          },
        })
      );
      /** @type {WorkerCore} */
      const core = {
        url,
        x,
        memory,
        base: x.rlw_heap_base(),
        get panic() {
          return note;
        },
        set panic(value) {
          note = value;
        },
      };
      return core;
    })();
    const loading = pending;
    cores.set(url, loading);
    loading.catch(() => {
      if (cores.get(url) === loading) cores.delete(url);
    });
  }
  return pending;
}

/**
 * Grows the core's memory so `bytes` fit from its heap base.
 * @param {WorkerCore} core
 * @param {number} bytes
 * @param {string} where
 */
function reserve(core, bytes, where) {
  const pages = Math.ceil((core.base + bytes) / PAGE_BYTES);
  if (pages > MAX_PAGES) {
    throw new RangeError(
      `${where}: the job needs ${core.base + bytes} bytes of wasm memory, more than the core's ${MAX_PAGES * PAGE_BYTES}`,
    );
  }
  const have = core.memory.buffer.byteLength / PAGE_BYTES;
  if (pages > have) core.memory.grow(pages - have);
}

/**
 * A wasm trap leaves the instance mid-call (its stack pointer and whatever
 * it was writing), so the core is dropped; the pool retires the worker too.
 * When rl_panic explained the trap, its message replaces 'unreachable', as
 * in the worklet.
 * @param {WorkerCore | null} core
 * @param {unknown} error
 */
function explainTrap(core, error) {
  if (core === null || !(error instanceof WebAssembly.RuntimeError)) return error;
  if (cores.get(core.url) !== undefined) cores.delete(core.url);
  const note = core.panic;
  core.panic = null;
  if (note === null) return error;
  const e = new WebAssembly.RuntimeError(`rl_panic(${note.code}): ${note.message} [${error.message}]`);
  const frames = String(error.stack ?? '')
    .split('\n')
    .slice(1)
    .join('\n');
  e.stack = `${e.name}: ${e.message}\n${frames}`;
  return e;
}

/**
 * @param {unknown} payload
 * @param {string} where
 * @param {readonly string[]} known
 * @returns {Record<string, unknown>}
 */
function checkPayload(payload, where, known) {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new TypeError(`${where}: payload must be an object; got ${describe(payload)}`);
  }
  const p = /** @type {Record<string, unknown>} */ (payload);
  for (const key of Object.keys(p)) {
    if (!known.includes(key))
      throw new TypeError(`${where}: unknown payload field '${key}'; the fields are ${known.join(', ')}`);
  }
  return p;
}

/**
 * @param {unknown} port
 * @param {string} where
 * @param {string} name
 * @returns {MessagePort | null}
 */
function optionalPort(port, where, name) {
  if (port === undefined) return null;
  if (!(port instanceof MessagePort))
    throw new TypeError(`${where}: ${name} must be a MessagePort; got ${describe(port)}`);
  return port;
}

/**
 * The previous segment's state, or its failure.
 * @param {MessagePort} port
 * @param {string} where
 * @returns {Promise<RenderState>}
 */
function receiveState(port, where) {
  return new Promise((resolve, reject) => {
    port.onmessage = (event) => {
      port.onmessage = null;
      const m = /** @type {{ type?: unknown, message?: unknown } | null} */ (event.data);
      if (m !== null && typeof m === 'object' && m.type === STATE_MESSAGE)
        resolve(/** @type {RenderState} */ (/** @type {unknown} */ (m)));
      else if (m !== null && typeof m === 'object' && m.type === STATE_FAILED)
        reject(new Error(`${where}: the previous segment failed: ${String(m.message)}`));
      else reject(new TypeError(`${where}: stateIn delivered something other than a render state`));
    };
  });
}

/**
 * Refuses a state this core cannot continue from. The bytes hold absolute
 * addresses (pointers from the node into its own block), so they are only
 * valid at the address they were taken from: every instance of one module
 * puts its node at rlw_heap_base() (64-byte aligned), and this checks it.
 * @param {RenderState} state
 * @param {WorkerCore} core
 * @param {number} heapBytes
 * @param {number} channels
 * @param {number} sampleRate
 */
function checkState(state, core, heapBytes, channels, sampleRate) {
  if (state.version !== VERSION) {
    throw new Error(`render: the state comes from ringlet ${String(state.version)}; this worker runs ${VERSION}`);
  }
  if (state.heapBase !== core.base) {
    throw new Error(
      `render: the state's node sat at heap base ${state.heapBase} but this core's node sits at ${core.base}; every segment must run the same ringlet.wasm`,
    );
  }
  if (
    state.channels !== channels ||
    state.sampleRate !== sampleRate ||
    state.heapBytes !== heapBytes ||
    !(state.bytes instanceof ArrayBuffer) ||
    state.bytes.byteLength !== heapBytes
  ) {
    throw new Error(
      `render: the state is for ${state.channels} channels at ${state.sampleRate} Hz (${state.heapBytes} bytes); this segment has ${channels} at ${sampleRate} Hz (${heapBytes} bytes)`,
    );
  }
  if (new Uint32Array(state.bytes, 0, 1)[0] !== NODE_MAGIC) {
    throw new Error('render: the state does not hold an initialised node');
  }
}

/**
 * Planar arrays this task may overwrite and transfer back: the payload's own
 * (structured-cloned or transferred to this worker), except where two
 * channels share a buffer or a buffer is shared memory, which are copied.
 * @param {Float32Array[]} channels
 */
function ownedPlanes(channels) {
  /** @type {Set<ArrayBufferLike>} */
  const seen = new Set();
  return channels.map((data) => {
    const buffer = data.buffer;
    const own = buffer instanceof ArrayBuffer && !seen.has(buffer);
    seen.add(buffer);
    return own ? data : new Float32Array(data);
  });
}

/** @param {Float32Array[]} planes */
function transferList(planes) {
  return [...new Set(planes.map((p) => /** @type {ArrayBuffer} */ (p.buffer)))];
}

/**
 * Runs the node over `planes` in place, quantum by quantum.
 * @param {WorkerCore} core
 * @param {Float32Array[]} planes
 * @param {number} sampleRate
 * @param {{ gain: number, messages: ChainMessage[] } | null} chain for a fresh node
 * @param {RenderState | null} state to continue from instead
 * @param {number | undefined} trapAfter
 * @param {TaskContext} context
 */
function renderOn(core, planes, sampleRate, chain, state, trapAfter, context) {
  const { x } = core;
  const channels = planes.length;
  const total = planes[0].length;
  const heapBytes = x.rlw_heap_size(MODE_EFFECT, channels, UNUSED_RING_FRAMES, sampleRate);
  if (heapBytes === 0) throw new RangeError(`render: the core refused ${channels} channels at ${sampleRate} Hz`);
  reserve(core, heapBytes, 'render');
  if (state !== null) {
    checkState(state, core, heapBytes, channels, sampleRate);
    new Uint8Array(core.memory.buffer, core.base, heapBytes).set(new Uint8Array(state.bytes));
  } else {
    const result = x.rlw_init(MODE_EFFECT, channels, UNUSED_RING_FRAMES, sampleRate, heapBytes);
    if (result !== 0) throw new Error(`render: rlw_init failed: ${resultString(x, core.memory, result)}`);
    // The settings go through the node's own parameter queue, exactly as a
    // node's setters send them, and apply at the start of the first quantum.
    const queue = new ParamQueue(core.memory.buffer, x.rlw_params());
    for (const m of /** @type {{ messages: ChainMessage[] }} */ (chain).messages)
      queue.send(m.kind, m.index, m.arg, m.values);
    const backlog = queue.backlog;
    queue.close();
    if (backlog > 0) throw new Error(`render: ${backlog} settings did not fit the parameter queue`);
  }
  const buffer = core.memory.buffer;
  /** @type {Float32Array[]} */ const ins = [];
  /** @type {Float32Array[]} */ const outs = [];
  for (let c = 0; c < channels; c++) {
    ins.push(new Float32Array(buffer, x.rlw_input(c), QUANTUM));
    outs.push(new Float32Array(buffer, x.rlw_output(c), QUANTUM));
  }
  if (state === null) {
    // One quantum of silence with the gain as a-rate values settles the gain
    // stage on it, so it applies exactly from the first sample (as
    // node.gain.setValueAtTime(gain, 0) does on a node) instead of ramping
    // from 1. From silence, the EQ and limiter stay at rest, so the audio is
    // otherwise what a fresh node makes of it.
    const gainValues = new Float32Array(buffer, x.rlw_gain_values(), QUANTUM);
    gainValues.fill(/** @type {{ gain: number }} */ (chain).gain);
    for (let c = 0; c < channels; c++) ins[c].fill(0);
    const result = x.rlw_process(QUANTUM, QUANTUM);
    if (result !== 0) throw new Error(`render: rlw_process failed: ${resultString(x, core.memory, result)}`);
  }
  const armTrap = trapAfter !== undefined && typeof x.rlw_test_arm_trap === 'function' ? x.rlw_test_arm_trap : null;
  const quanta = Math.ceil(total / QUANTUM);
  const every = Math.max(PROGRESS_MIN_QUANTA, Math.ceil(quanta / PROGRESS_REPORTS));
  for (let q = 0; q < quanta; q++) {
    const at = q * QUANTUM;
    const n = Math.min(QUANTUM, total - at);
    for (let c = 0; c < channels; c++) ins[c].set(planes[c].subarray(at, at + n));
    if (armTrap !== null && q === trapAfter) armTrap();
    // No gain values: the node holds the gain it settled on (or restored).
    const result = x.rlw_process(n, 0);
    if (result !== 0) throw new Error(`render: rlw_process failed: ${resultString(x, core.memory, result)}`);
    for (let c = 0; c < channels; c++) planes[c].set(n === QUANTUM ? outs[c] : outs[c].subarray(0, n), at);
    if ((q + 1) % every === 0 && q + 1 < quanta) context.progress((at + n) / total);
  }
  return heapBytes;
}

/**
 * 'render': runs an effect node with the chain's settings over the audio.
 * @param {unknown} payload
 * @param {TaskContext} context
 */
export async function renderTask(payload, context) {
  const where = 'render';
  /** @type {WorkerCore | null} */
  let core = null;
  /** @type {MessagePort | null} */
  let stateIn = null;
  /** @type {MessagePort | null} */
  let stateOut = null;
  try {
    const p = checkPayload(payload, where, [
      'channels',
      'sampleRate',
      'chain',
      'stateIn',
      'stateOut',
      'wasmUrl',
      'testTrapAfterQuanta',
    ]);
    stateIn = optionalPort(p.stateIn, where, 'stateIn');
    stateOut = optionalPort(p.stateOut, where, 'stateOut');
    checkPlanarAudio(p.channels, p.sampleRate, `${where}: payload`);
    const sampleRate = /** @type {number} */ (p.sampleRate);
    if (stateIn !== null && p.chain !== undefined) {
      throw new TypeError(
        `${where}: give either chain (a fresh node) or stateIn (continue from the previous segment, whose state carries the chain), not both`,
      );
    }
    const chain = stateIn === null ? checkChain(p.chain, sampleRate, where) : null;
    const trapAfter = p.testTrapAfterQuanta;
    if (trapAfter !== undefined && (typeof trapAfter !== 'number' || !Number.isInteger(trapAfter) || trapAfter < 0)) {
      throw new TypeError(`${where}: testTrapAfterQuanta must be a non-negative integer; got ${String(trapAfter)}`);
    }
    const url = resolveWasmUrl(p.wasmUrl, where);
    const planes = ownedPlanes(/** @type {Float32Array[]} */ (p.channels));
    core = await loadCore(url);
    const state = stateIn === null ? null : await receiveState(stateIn, where);
    const heapBytes = renderOn(
      core,
      planes,
      sampleRate,
      chain,
      state,
      /** @type {number | undefined} */ (trapAfter),
      context,
    );
    const frames = (state?.frames ?? 0) + planes[0].length;
    let stateBytes = 0;
    if (stateOut !== null) {
      const bytes = core.memory.buffer.slice(core.base, core.base + heapBytes);
      stateBytes = bytes.byteLength;
      /** @type {RenderState} */
      const next = {
        type: STATE_MESSAGE,
        version: VERSION,
        heapBase: core.base,
        heapBytes,
        channels: planes.length,
        sampleRate,
        frames,
        bytes,
      };
      stateOut.postMessage(next, [bytes]);
    }
    context.progress(1);
    const name = /** @type {{ name?: unknown }} */ (globalThis).name;
    return withTransfer(
      {
        channels: planes,
        sampleRate,
        worker: typeof name === 'string' ? name : '',
        heapBase: core.base,
        restored: state !== null,
        stateBytes,
        frames,
      },
      transferList(planes),
    );
  } catch (error) {
    // The next segment is waiting on this one: tell it, so it fails at once.
    stateOut?.postMessage({ type: STATE_FAILED, message: error instanceof Error ? error.message : String(error) });
    throw explainTrap(core, error);
  } finally {
    // Closing stateIn disentangles the pair, so the previous segment's worker
    // need not close its end. This one leaves stateOut open for the same
    // reason: in Firefox (ESR 153) a message posted just before close() is
    // lost when the other end is transferred afterwards, and the next
    // segment's port is still on the main thread, queued in its task, when
    // this segment ends. The engines disagree on ports in transfer:
    // https://github.com/whatwg/html/issues/5078
    stateIn?.close();
  }
}

/**
 * 'analyze': integrated loudness, sample peak, RMS and the averaged spectrum.
 * @param {unknown} payload
 * @param {TaskContext} context
 */
export async function analyzeTask(payload, context) {
  const where = 'analyze';
  /** @type {WorkerCore | null} */
  let core = null;
  try {
    const p = checkPayload(payload, where, ['channels', 'sampleRate', 'fftSize', 'wasmUrl']);
    const frames = checkPlanarAudio(p.channels, p.sampleRate, `${where}: payload`, 8000);
    const channels = /** @type {Float32Array[]} */ (p.channels);
    const sampleRate = /** @type {number} */ (p.sampleRate);
    const fftSize = p.fftSize === undefined ? DEFAULT_FFT_SIZE : p.fftSize;
    if (
      typeof fftSize !== 'number' ||
      !Number.isInteger(fftSize) ||
      fftSize < 32 ||
      fftSize > 32768 ||
      (fftSize & (fftSize - 1)) !== 0
    ) {
      throw new RangeError(`${where}: fftSize must be a power of two from 32 to 32768; got ${String(fftSize)}`);
    }
    const url = resolveWasmUrl(p.wasmUrl, where);
    core = await loadCore(url);
    const { x } = core;
    const count = channels.length;
    const loudBytes = x.rlw_loudness_heap_size(count, sampleRate);
    const spectrumBytes = x.rlw_spectrum_heap_size(fftSize);
    if (loudBytes === 0 || spectrumBytes === 0)
      throw new RangeError(`${where}: the core refused ${count} channels at ${sampleRate} Hz`);
    const align = (/** @type {number} */ n) => (n + 63) & ~63;
    const loud = core.base;
    const spectrum = align(loud + loudBytes);
    const planes = align(spectrum + spectrumBytes);
    const scratch = align(planes + 4 * count);
    const time = align(scratch + 4 * ANALYZE_CHUNK * count);
    const sum = align(time + 4 * fftSize);
    reserve(core, sum + 4 * fftSize - core.base, where);
    const buffer = core.memory.buffer;
    let result = x.rlw_loudness_init(loud, count, sampleRate, loudBytes);
    if (result === 0) result = x.rlw_spectrum_init(spectrum, fftSize, spectrumBytes);
    if (result !== 0) throw new Error(`${where}: init failed: ${resultString(x, core.memory, result)}`);
    const planeAddresses = new Uint32Array(buffer, planes, count);
    /** @type {Float32Array[]} */ const work = [];
    for (let c = 0; c < count; c++) {
      planeAddresses[c] = scratch + 4 * ANALYZE_CHUNK * c;
      work.push(new Float32Array(buffer, planeAddresses[c], ANALYZE_CHUNK));
    }
    const timeView = new Float32Array(buffer, time, fftSize);
    const sums = new Float64Array(buffer, sum, fftSize / 2);
    sums.fill(0);
    const hop = fftSize / 2;
    const spectrumFrames = frames === 0 ? 0 : frames <= fftSize ? 1 : 1 + Math.floor((frames - fftSize) / hop);
    const work2 = frames + spectrumFrames * hop * count;
    const every = Math.max(work2 / PROGRESS_REPORTS, ANALYZE_CHUNK * 16);
    let done = 0;
    let reported = 0;
    const progress = (/** @type {number} */ n) => {
      done += n;
      if (done - reported >= every && done < work2) {
        reported = done;
        context.progress(done / work2);
      }
    };
    for (let at = 0; at < frames; at += ANALYZE_CHUNK) {
      const n = Math.min(ANALYZE_CHUNK, frames - at);
      for (let c = 0; c < count; c++) work[c].set(channels[c].subarray(at, at + n));
      result = x.rlw_loudness_process(loud, planes, count, n);
      if (result !== 0)
        throw new Error(`${where}: rlw_loudness_process failed: ${resultString(x, core.memory, result)}`);
      progress(n);
    }
    for (let c = 0; c < count; c++) {
      for (let f = 0; f < spectrumFrames; f++) {
        const at = f * hop;
        const part = channels[c].subarray(at, Math.min(at + fftSize, frames));
        timeView.set(part);
        if (part.length < fftSize) timeView.fill(0, part.length);
        result = x.rlw_spectrum_add_power(spectrum, time, sum);
        if (result !== 0) throw new Error(`${where}: spectrum failed: ${resultString(x, core.memory, result)}`);
        progress(hop);
      }
    }
    const averaged = new Float32Array(fftSize / 2);
    const frameCount = spectrumFrames * count;
    for (let k = 0; k < averaged.length; k++) {
      averaged[k] = frameCount === 0 ? -Infinity : 10 * Math.log10(sums[k] / frameCount);
    }
    const out = {
      peakDb: 20 * Math.log10(x.rlw_loudness_sample_peak(loud)),
      rmsDb: 10 * Math.log10(x.rlw_loudness_mean_square(loud)),
      lufs: x.rlw_loudness_integrated(loud),
      spectrum: averaged,
      fftSize,
      sampleRate,
      frames,
    };
    context.progress(1);
    return withTransfer(out, [averaged.buffer]);
  } catch (error) {
    throw explainTrap(core, error);
  }
}
