/**
 * ringlet's DSP tasks for a WorkerPool Worker: 'render' (an effect node over
 * planar audio, its state handed from one segment to the next) and
 * 'analyze' (loudness, peak, RMS, spectrum). Worker thread only.
 */
import { checkOutputRate, checkPlanarAudio, convertedFrames } from '../shared/audio-data.js';
import { PAGE_BYTES, instantiateCore, privateMemoryBinary, resultString } from '../shared/core.js';
import { checkChain } from '../shared/dsp.js';
import { ParamQueue } from '../shared/params.js';
import {
  MAX_PAGES,
  MODE_EFFECT,
  NODE_MAGIC,
  RENDER_QUANTUM as QUANTUM,
  RESAMPLER_START,
  RESULT,
} from '../shared/constants.generated.js';
import { blockedByPolicy, isWasmEvalRefusal, watchViolations } from '../shared/policy.js';
import { RingletError } from '../shared/errors.js';
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
 * The standalone resampler's exports of csrc/wasm.c ('render' at another rate).
 * @typedef {object} ResamplerExports
 * @property {(channels: number, inputRate: number, outputRate: number, maxSpeed: number) => number} rlw_resampler_heap_size
 * @property {(address: number, channels: number, inputRate: number, outputRate: number, maxSpeed: number, bytes: number) => number} rlw_resampler_init
 * @property {(address: number, start: number, speed: number) => number} rlw_resampler_reset
 * @property {(address: number, inPlanes: number, inFrames: number, outPlanes: number, outFrames: number, speeds: number, speedCount: number, counts: number) => number} rlw_resampler_process
 * @property {(address: number) => number} rlw_resampler_end_input
 */

/**
 * @typedef {object} WorkerCore
 * @property {string} url
 * @property {CoreExports & AnalysisExports & ResamplerExports} x
 * @property {WebAssembly.Memory} memory private; grows, never shrinks
 * @property {number} base rlw_heap_base(): where the node (or the analysis) lives
 * @property {{ code: number, message: string } | null} panic what rl_panic said just before a trap
 * @property {boolean} [shared] the worker's shared core (loadCore), dropped after a trap
 */

/**
 * A node's state handed from one segment's task to the next ('render' with
 * stateOut / stateIn): the node's whole heap block, which holds every bit of
 * its state (filters, ramps, limiter envelope, gain) and only absolute
 * addresses inside that block; converting to another rate, the resampler's
 * block right after it too (its filter history, the input it holds, its
 * fractional position), so that block is the whole converter.
 * @typedef {object} RenderState
 * @property {'ringlet:render-state'} type
 * @property {string} version
 * @property {number} heapBase the address the bytes were taken from
 * @property {number} heapBytes
 * @property {number} channels
 * @property {number} sampleRate
 * @property {number} frames frames the node had rendered when the state was taken
 * @property {number} outputRate the rate of the output (sampleRate: no resampler)
 * @property {number} outputFrames output frames made when the state was taken
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

/** @type {Map<string, Promise<WebAssembly.Module>>} one compiled module per wasm URL */
const modules = new Map();

/**
 * ringlet.wasm from `url`, compiled once with its memory import made
 * private. A failed load is forgotten, so a later task retries.
 * @param {string} url
 * @returns {Promise<WebAssembly.Module>}
 */
function loadModule(url) {
  let pending = modules.get(url);
  if (pending === undefined) {
    pending = (async () => {
      const binary = await wasmBinary(url);
      try {
        return await WebAssembly.compile(privateMemoryBinary(binary));
      } catch (error) {
        // The worker's own policy (its script's response, or the page's for a blob: worker).
        if (isWasmEvalRefusal(error)) throw blockedByPolicy('the worker', 'script-src', `the wasm at ${url}`, error);
        throw error;
      }
    })();
    const loading = pending;
    modules.set(url, loading);
    loading.catch(() => {
      if (modules.get(url) === loading) modules.delete(url);
    });
  }
  return pending;
}

/**
 * A new instance of the core for `url` on a private, growable memory of its
 * own (version checked by instantiateCore).
 * @param {string} url
 * @returns {Promise<WorkerCore>}
 */
async function newCore(url) {
  const module = await loadModule(url);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES });
  /** @type {{ code: number, message: string } | null} */
  let note = null;
  const x = /** @type {CoreExports & AnalysisExports & ResamplerExports} */ (
    instantiateCore(module, memory, {
      panic: (code, message) => {
        note = { code, message };
      },
    })
  );
  return {
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
}

/**
 * The worker's shared core for `url` (the one 'render' runs on), made on
 * first use. A failed load is forgotten, so a later task retries.
 * @param {string} url
 * @returns {Promise<WorkerCore>}
 */
function loadCore(url) {
  let pending = cores.get(url);
  if (pending === undefined) {
    const loading = newCore(url).then((core) => {
      core.shared = true;
      return core;
    });
    pending = loading;
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
  if (core.shared && cores.get(core.url) !== undefined) cores.delete(core.url);
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
 * @param {number} outputRate
 */
function checkState(state, core, heapBytes, channels, sampleRate, outputRate) {
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
    state.outputRate !== outputRate ||
    state.heapBytes !== heapBytes ||
    !(state.bytes instanceof ArrayBuffer) ||
    state.bytes.byteLength !== heapBytes
  ) {
    throw new Error(
      `render: the state is for ${state.channels} channels at ${state.sampleRate} Hz to ${state.outputRate} Hz (${state.heapBytes} bytes); this segment has ${channels} at ${sampleRate} Hz to ${outputRate} Hz (${heapBytes} bytes)`,
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
 * Where a render keeps what it hands on (the node and, converting, the
 * resampler right after it: one block from the heap base, at addresses
 * every instance of one module shares) and its scratch beyond that block.
 * @param {WorkerCore} core
 * @param {number} channels
 * @param {number} sampleRate
 * @param {number} outputRate
 */
function renderLayout(core, channels, sampleRate, outputRate) {
  const { x } = core;
  const nodeBytes = x.rlw_heap_size(MODE_EFFECT, channels, UNUSED_RING_FRAMES, sampleRate);
  if (nodeBytes === 0) throw new RangeError(`render: the core refused ${channels} channels at ${sampleRate} Hz`);
  if (outputRate === sampleRate) return { heapBytes: nodeBytes, resampler: null };
  // Speed 1 only: the smallest input buffer.
  const rsBytes = x.rlw_resampler_heap_size(channels, sampleRate, outputRate, 1);
  if (rsBytes === 0) {
    throw new RangeError(`render: the resampler refused ${channels} channels from ${sampleRate} to ${outputRate} Hz`);
  }
  const at = core.base + align64(nodeBytes);
  const heapBytes = at + rsBytes - core.base;
  const inTable = core.base + align64(heapBytes);
  const outTable = inTable + 4 * channels;
  const counts = outTable + 4 * channels;
  const outPlanes = align64(counts + 8);
  const scratchEnd = outPlanes + 4 * QUANTUM * channels;
  return { heapBytes, resampler: { at, bytes: rsBytes, inTable, outTable, counts, outPlanes, scratchEnd } };
}

/** @param {number} n */
function align64(n) {
  return Math.ceil(n / 64) * 64;
}

/**
 * Runs the node over `planes`, quantum by quantum: in place at the input's
 * rate, or, when `outputRate` differs, through a standalone resampler after
 * the chain into new planes at `outputRate`. The resampler starts aligned
 * (output frame j hears input position j * sampleRate / outputRate, so frame
 * 0 is input frame 0, with no filter delay) and takes every frame the chain
 * makes, so nothing waits outside the state that goes to the next segment.
 * At the end of the input (`end`: no next segment) it plays the filter's
 * tail until the output holds convertedFrames() of the whole input.
 * @param {WorkerCore} core
 * @param {Float32Array[]} planes
 * @param {number} sampleRate
 * @param {number} outputRate
 * @param {{ gain: number, messages: ChainMessage[] } | null} chain for a fresh node
 * @param {RenderState | null} state to continue from instead
 * @param {boolean} end whether the input ends with this segment
 * @param {number | undefined} trapAfter
 * @param {TaskContext} context
 * @returns {{ heapBytes: number, output: Float32Array[], outputStart: number }}
 */
function renderOn(core, planes, sampleRate, outputRate, chain, state, end, trapAfter, context) {
  const { x } = core;
  const channels = planes.length;
  const total = planes[0].length;
  const layout = renderLayout(core, channels, sampleRate, outputRate);
  const { heapBytes } = layout;
  const rs = layout.resampler;
  reserve(core, rs === null ? heapBytes : rs.scratchEnd - core.base, 'render');
  if (state !== null) {
    checkState(state, core, heapBytes, channels, sampleRate, outputRate);
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
    if (rs !== null) {
      let r = x.rlw_resampler_init(rs.at, channels, sampleRate, outputRate, 1, rs.bytes);
      if (r === 0) r = x.rlw_resampler_reset(rs.at, RESAMPLER_START.ALIGNED, 0);
      if (r !== 0) throw new Error(`render: rlw_resampler_init failed: ${resultString(x, core.memory, r)}`);
    }
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
    // otherwise what a fresh node makes of it. The resampler never sees it.
    const gainValues = new Float32Array(buffer, x.rlw_gain_values(), QUANTUM);
    gainValues.fill(/** @type {{ gain: number }} */ (chain).gain);
    for (let c = 0; c < channels; c++) ins[c].fill(0);
    const result = x.rlw_process(QUANTUM, QUANTUM);
    if (result !== 0) throw new Error(`render: rlw_process failed: ${resultString(x, core.memory, result)}`);
  }
  const before = state?.frames ?? 0;
  const outputStart = state?.outputFrames ?? 0;
  const converter =
    rs === null ? null : resamplerPump(core, rs, outs, before + total, sampleRate, outputRate, outputStart, end);
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
    if (converter === null) {
      for (let c = 0; c < channels; c++) planes[c].set(n === QUANTUM ? outs[c] : outs[c].subarray(0, n), at);
    } else converter.feed(n);
    if ((q + 1) % every === 0 && q + 1 < quanta) context.progress((at + n) / total);
  }
  return { heapBytes, output: converter === null ? planes : converter.finish(), outputStart };
}

/**
 * The resampler after the chain: feed(n) converts the n frames the chain
 * just left in its output buffers (all of them: the resampler holds what it
 * cannot use yet); finish() plays the tail when the input ends here and
 * returns this segment's output planes. A segment makes at most the output
 * frames whose positions lie within the input so far, so the planes are
 * sized for that and never grow. Each resampler call either takes input or
 * fills its output, so the loops are bounded by the frames involved.
 * @param {WorkerCore} core
 * @param {NonNullable<ReturnType<typeof renderLayout>['resampler']>} rs
 * @param {Float32Array[]} chainOut the node's output buffers
 * @param {number} inputFrames input frames rendered once this segment is done
 * @param {number} sampleRate
 * @param {number} outputRate
 * @param {number} outputStart output frames made before this segment
 * @param {boolean} end
 */
function resamplerPump(core, rs, chainOut, inputFrames, sampleRate, outputRate, outputStart, end) {
  const { x } = core;
  const channels = chainOut.length;
  const target = convertedFrames(inputFrames, sampleRate, outputRate);
  // Not at the end: output frame j needs input up to j * step plus the
  // filter's half length, so fewer than `target` are ever ready.
  const limit = Math.max(0, (end ? target : target + 1) - outputStart);
  const output = Array.from({ length: channels }, () => new Float32Array(limit));
  const buffer = core.memory.buffer;
  const inTable = new Uint32Array(buffer, rs.inTable, channels);
  const outTable = new Uint32Array(buffer, rs.outTable, channels);
  const counts = new Uint32Array(buffer, rs.counts, 2);
  /** @type {Float32Array[]} */ const made = [];
  for (let c = 0; c < channels; c++) {
    outTable[c] = rs.outPlanes + 4 * QUANTUM * c;
    made.push(new Float32Array(buffer, outTable[c], QUANTUM));
  }
  let filled = 0;
  let closed = false;
  /** Converts `frames` of the chain's output (0: the tail); stops when the input runs out or the output is full. */
  const pump = (/** @type {number} */ frames) => {
    let used = 0;
    for (;;) {
      const room = Math.min(QUANTUM, limit - filled);
      if (room === 0 || closed) {
        // Only the end's full output may leave input behind: what follows it is past the last output frame.
        if (used < frames && !end) throw new Error('render: the resampler ran out of output room mid-segment');
        return;
      }
      for (let c = 0; c < channels; c++) inTable[c] = x.rlw_output(c) + 4 * used;
      const r = x.rlw_resampler_process(rs.at, rs.inTable, frames - used, rs.outTable, room, 0, 0, rs.counts);
      if (r !== 0 && r !== RESULT.CLOSED) {
        throw new Error(`render: rlw_resampler_process failed: ${resultString(x, core.memory, r)}`);
      }
      const took = counts[0];
      const got = counts[1];
      for (let c = 0; c < channels; c++) output[c].set(got === QUANTUM ? made[c] : made[c].subarray(0, got), filled);
      used += took;
      filled += got;
      closed = r === RESULT.CLOSED;
      if (used >= frames && got < room) return; // it needs more input
      if (took === 0 && got === 0) throw new Error('render: the resampler took no input and made no output');
    }
  };
  return {
    feed: pump,
    finish() {
      if (end) {
        const r = x.rlw_resampler_end_input(rs.at);
        if (r !== 0) throw new Error(`render: rlw_resampler_end_input failed: ${resultString(x, core.memory, r)}`);
        pump(0);
        if (filled !== limit) {
          throw new Error(
            `render: the resampler's tail ended after ${outputStart + filled} of ${target} output frames`,
          );
        }
      }
      return output.map((p) => (filled === limit ? p : p.subarray(0, filled)));
    },
  };
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
      'outputRate',
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
    const outputRate = checkOutputRate(p.outputRate, sampleRate, where, 'outputRate');
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
    const input = /** @type {Float32Array[]} */ (p.channels);
    // At the input's rate the output replaces the input in place; converted, the input is only read.
    const planes = outputRate === sampleRate ? ownedPlanes(input) : input;
    core = await loadCore(url);
    const state = stateIn === null ? null : await receiveState(stateIn, where);
    const { heapBytes, output, outputStart } = renderOn(
      core,
      planes,
      sampleRate,
      outputRate,
      chain,
      state,
      // Without a next segment to hand the state to, the input ends here.
      stateOut === null,
      /** @type {number | undefined} */ (trapAfter),
      context,
    );
    const frames = (state?.frames ?? 0) + planes[0].length;
    const outputFrames = outputStart + output[0].length;
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
        outputRate,
        outputFrames,
        bytes,
      };
      stateOut.postMessage(next, [bytes]);
    }
    context.progress(1);
    const name = /** @type {{ name?: unknown }} */ (globalThis).name;
    return withTransfer(
      {
        channels: output,
        sampleRate: outputRate,
        worker: typeof name === 'string' ? name : '',
        heapBase: core.base,
        restored: state !== null,
        stateBytes,
        frames,
        outputStart,
        outputFrames,
      },
      transferList(output),
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

/** Keeps the constructor of Analysis to createAnalysis. */
const ANALYSIS_TOKEN = Symbol('ringlet.analysis');

/**
 * @param {unknown} fftSize
 * @param {string} where
 * @returns {number}
 */
function checkFftSize(fftSize, where) {
  if (fftSize === undefined) return DEFAULT_FFT_SIZE;
  if (
    typeof fftSize !== 'number' ||
    !Number.isInteger(fftSize) ||
    fftSize < 32 ||
    fftSize > 32768 ||
    (fftSize & (fftSize - 1)) !== 0
  ) {
    throw new RangeError(`${where}: fftSize must be a power of two from 32 to 32768; got ${String(fftSize)}`);
  }
  return fftSize;
}

/**
 * Integrated loudness, sample peak, RMS and the averaged spectrum of audio
 * handed in pieces, in the order it plays: what 'analyze' measures, for a
 * track of any length, holding only fftSize frames per channel. Runs on an
 * instance of the core of its own (a private memory), so that it may live
 * across the awaits of a task that decodes as it goes. Worker thread (or
 * any thread that may compile wasm); not for the audio thread.
 */
export class Analysis {
  /**
   * @param {symbol} token
   * @param {WorkerCore} core
   * @param {number} channels
   * @param {number} sampleRate
   * @param {number} fftSize
   */
  constructor(token, core, channels, sampleRate, fftSize) {
    if (token !== ANALYSIS_TOKEN) throw new TypeError('Analysis: use createAnalysis()');
    const where = 'createAnalysis';
    const { x } = core;
    const loudBytes = x.rlw_loudness_heap_size(channels, sampleRate);
    const spectrumBytes = x.rlw_spectrum_heap_size(fftSize);
    if (loudBytes === 0 || spectrumBytes === 0)
      throw new RangeError(`${where}: the core refused ${channels} channels at ${sampleRate} Hz`);
    const loud = core.base;
    const spectrum = align64(loud + loudBytes);
    const planes = align64(spectrum + spectrumBytes);
    const scratch = align64(planes + 4 * channels);
    const time = align64(scratch + 4 * ANALYZE_CHUNK * channels);
    const sum = align64(time + 4 * fftSize);
    reserve(core, sum + 8 * (fftSize / 2) - core.base, where);
    let result = x.rlw_loudness_init(loud, channels, sampleRate, loudBytes);
    if (result === 0) result = x.rlw_spectrum_init(spectrum, fftSize, spectrumBytes);
    if (result !== 0) throw new Error(`${where}: init failed: ${resultString(x, core.memory, result)}`);
    /** @private */ this.core = core;
    /** @private */ this.at = { loud, spectrum, planes, scratch, time, sum };
    /** The channels each push() hands in. */
    this.channels = channels;
    /** Hz. */
    this.sampleRate = sampleRate;
    /** The spectrum's FFT size. */
    this.fftSize = fftSize;
    /** Frames pushed so far. */
    this.frames = 0;
    /** @private the latest frames of each channel, up to fftSize: the next spectrum window */
    this.window = Array.from({ length: channels }, () => new Float32Array(fftSize));
    /** @private frames in `window` */ this.filled = 0;
    /** @private spectrum windows summed, per channel */ this.windows = 0;
    /** @private */ this.state = /** @type {'open' | 'finished' | 'disposed'} */ ('open');
    const buffer = core.memory.buffer;
    new Uint32Array(buffer, planes, channels).set(
      Array.from({ length: channels }, (_, c) => scratch + 4 * ANALYZE_CHUNK * c),
    );
    new Float64Array(buffer, sum, fftSize / 2).fill(0);
  }

  /**
   * Measures the next frames: one Float32Array per channel, equal in length
   * (any length, 0 included). Nothing is kept but the last fftSize frames.
   * Bad input throws TypeError or RangeError and measures nothing.
   * @param {Float32Array[]} planes
   */
  push(planes) {
    const where = 'Analysis.push';
    this.check(where);
    const frames = checkPlanarAudio(planes, this.sampleRate, where);
    if (planes.length !== this.channels) {
      throw new RangeError(`${where}: planes must hold ${this.channels} channels, as created; got ${planes.length}`);
    }
    const { x, memory } = this.core;
    const { loud, spectrum, planes: addresses, scratch, time, sum } = this.at;
    const hop = this.fftSize / 2;
    try {
      for (let from = 0; from < frames; from += ANALYZE_CHUNK) {
        const n = Math.min(ANALYZE_CHUNK, frames - from);
        const buffer = memory.buffer;
        for (let c = 0; c < this.channels; c++) {
          new Float32Array(buffer, scratch + 4 * ANALYZE_CHUNK * c, n).set(planes[c].subarray(from, from + n));
        }
        const result = x.rlw_loudness_process(loud, addresses, this.channels, n);
        if (result !== 0) throw new Error(`${where}: rlw_loudness_process failed: ${resultString(x, memory, result)}`);
        // The spectrum: a window every hop frames, each channel's summed in turn.
        for (let i = 0; i < n;) {
          const take = Math.min(n - i, this.fftSize - this.filled);
          for (let c = 0; c < this.channels; c++)
            this.window[c].set(planes[c].subarray(from + i, from + i + take), this.filled);
          this.filled += take;
          i += take;
          if (this.filled === this.fftSize) {
            const timeView = new Float32Array(memory.buffer, time, this.fftSize);
            for (let c = 0; c < this.channels; c++) {
              timeView.set(this.window[c]);
              const r = x.rlw_spectrum_add_power(spectrum, time, sum);
              if (r !== 0) throw new Error(`${where}: spectrum failed: ${resultString(x, memory, r)}`);
              this.window[c].copyWithin(0, hop);
            }
            this.windows += 1;
            this.filled = hop;
          }
        }
        this.frames += n;
      }
    } catch (error) {
      this.state = 'disposed';
      throw explainTrap(this.core, error);
    }
  }

  /**
   * The measurements of everything pushed, as 'analyze' reports them
   * (AnalyzeResult); a track shorter than fftSize gives one zero-padded
   * window. Ends the analysis: push() and finish() then throw 'CLOSED'.
   * @returns {import('../../types/render.js').AnalyzeResult}
   */
  finish() {
    const where = 'Analysis.finish';
    this.check(where);
    const { x, memory } = this.core;
    const { loud, spectrum, time, sum } = this.at;
    const half = this.fftSize / 2;
    try {
      if (this.windows === 0 && this.frames > 0) {
        const timeView = new Float32Array(memory.buffer, time, this.fftSize);
        for (let c = 0; c < this.channels; c++) {
          timeView.set(this.window[c].subarray(0, this.filled));
          timeView.fill(0, this.filled);
          const r = x.rlw_spectrum_add_power(spectrum, time, sum);
          if (r !== 0) throw new Error(`${where}: spectrum failed: ${resultString(x, memory, r)}`);
        }
        this.windows = 1;
      }
      const sums = new Float64Array(memory.buffer, sum, half);
      const count = this.windows * this.channels;
      const averaged = new Float32Array(half);
      for (let k = 0; k < half; k++) averaged[k] = count === 0 ? -Infinity : 10 * Math.log10(sums[k] / count);
      const out = {
        peakDb: 20 * Math.log10(x.rlw_loudness_sample_peak(loud)),
        rmsDb: 10 * Math.log10(x.rlw_loudness_mean_square(loud)),
        lufs: x.rlw_loudness_integrated(loud),
        spectrum: averaged,
        fftSize: this.fftSize,
        sampleRate: this.sampleRate,
        frames: this.frames,
      };
      this.state = 'finished';
      return out;
    } catch (error) {
      this.state = 'disposed';
      throw explainTrap(this.core, error);
    }
  }

  /** Lets the analysis go (its core instance and memory with it). Idempotent. */
  dispose() {
    this.state = 'disposed';
  }

  /**
   * @private
   * @param {string} where
   */
  check(where) {
    if (this.state !== 'open') {
      throw new RingletError(
        'CLOSED',
        `${where}(): the analysis is ${this.state === 'finished' ? 'finished' : 'disposed'}; create another`,
      );
    }
  }
}

/**
 * A streaming analysis: `{ channels, sampleRate, fftSize?, wasmUrl? }`,
 * checked as the 'analyze' task checks its payload (channels 1 .. 32,
 * sampleRate 8000 .. 768000, fftSize a power of two 32 .. 32768, default
 * 2048). Rejects with TypeError or RangeError naming the option.
 * @param {{ channels: number, sampleRate: number, fftSize?: number, wasmUrl?: string }} options
 * @returns {Promise<Analysis>}
 */
export async function createAnalysis(options) {
  const where = 'createAnalysis';
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}(options): options must be an object; got ${describe(options)}`);
  }
  const { channels, sampleRate } = options;
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > 32) {
    const kind = typeof channels === 'number' ? RangeError : TypeError;
    throw new kind(
      `${where}: options.channels must be an integer from 1 to 32; got ${typeof channels === 'number' ? channels : describe(channels)}`,
    );
  }
  if (typeof sampleRate !== 'number') {
    throw new TypeError(`${where}: options.sampleRate must be a number; got ${describe(sampleRate)}`);
  }
  if (!Number.isFinite(sampleRate) || sampleRate < 8000 || sampleRate > 768000) {
    throw new RangeError(`${where}: options.sampleRate must be a finite number in [8000, 768000]; got ${sampleRate}`);
  }
  const fftSize = checkFftSize(options.fftSize, where);
  const url = resolveWasmUrl(options.wasmUrl, where);
  const core = await newCore(url);
  return new Analysis(ANALYSIS_TOKEN, core, channels, sampleRate, fftSize);
}

/**
 * 'analyze': integrated loudness, sample peak, RMS and the averaged spectrum,
 * by one Analysis over the whole payload.
 * @param {unknown} payload
 * @param {TaskContext} context
 */
export async function analyzeTask(payload, context) {
  const where = 'analyze';
  const p = checkPayload(payload, where, ['channels', 'sampleRate', 'fftSize', 'wasmUrl']);
  const frames = checkPlanarAudio(p.channels, p.sampleRate, `${where}: payload`, 8000);
  const channels = /** @type {Float32Array[]} */ (p.channels);
  const fftSize = checkFftSize(p.fftSize, where);
  const analysis = await createAnalysis({
    channels: channels.length,
    sampleRate: /** @type {number} */ (p.sampleRate),
    fftSize,
    wasmUrl: /** @type {string | undefined} */ (p.wasmUrl),
  });
  try {
    const step = Math.max(Math.ceil(frames / PROGRESS_REPORTS), ANALYZE_CHUNK * 16);
    for (let at = 0; at < frames; at += step) {
      analysis.push(channels.map((c) => c.subarray(at, Math.min(frames, at + step))));
      if (at + step < frames) context.progress((at + step) / frames);
    }
    const out = analysis.finish();
    context.progress(1);
    return withTransfer(out, [out.spectrum.buffer]);
  } finally {
    analysis.dispose();
  }
}
