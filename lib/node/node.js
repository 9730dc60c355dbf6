/**
 * RingletNode: an AudioWorkletNode running ringlet's core. Main thread.
 *
 * The base class is looked up only when a node is created, so importing this
 * module in a Worker or in Node (where AudioWorkletNode does not exist) works.
 */
import { RingletError } from '../shared/errors.js';
import { LAYOUT, MODES, PARAM } from '../shared/layout.js';
import { RESAMPLER_MAX_RATE, RESAMPLER_MIN_RATE } from '../shared/constants.generated.js';
import { DEFAULT_LOAD_TIMEOUT_MS, checkContext, loadRinglet, resolveTransport } from './load.js';
import { MessageReader, MessageWriter } from './message-transport.js';
import { messageState, sharedState } from './node-state.js';
import { recordPanic, recordRecovery } from './panic.js';
import { checkInteger, checkTimeout, describe } from '../shared/util.js';
import { PROCESSOR_NAME } from '../shared/version.js';
import { nodeTarget } from './wrapped.js';

/** @typedef {import('../../types/index.js').NodeMode} NodeMode */
/** @typedef {import('../../types/index.js').RingletNodeOptions} RingletNodeOptions */
/** @typedef {import('../../types/index.js').NodeStats} NodeStats */
/** @typedef {import('../../types/index.js').PanicReport} PanicReport */
/** @typedef {import('../../types/index.js').Meters} Meters */
/** @typedef {import('../../types/index.js').NodeDebugStats} NodeDebugStats */
/** @typedef {import('./message-transport.js').Reply} Reply */
/** @typedef {import('./node-state.js').NodeState} NodeState */
/** @typedef {import('./node-state.js').Ready} Ready */

const DEFAULT_CAPACITY_FRAMES = 8192;
const DEFAULT_CHANNELS = 2;
const DEFAULT_READY_TIMEOUT_MS = 5000;

/** Request ids of resets, page-wide (a reply names the reset it answers). */
let nextResetId = 1;

/** @type {WeakMap<object, NodeState>} */
const states = new WeakMap();
/** Per node: removes its context's 'statechange' listener (closeRingWithContext). @type {WeakMap<object, () => void>} */
const contextWatches = new WeakMap();

/**
 * Validates create() options. Throws without side effects.
 * @param {unknown} options
 */
export function checkNodeOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`RingletNode.create: options must be an object; got ${describe(options)}`);
  }
  const o = /** @type {RingletNodeOptions} */ (options);
  const mode = o.mode === undefined ? 'source' : o.mode;
  if (typeof mode !== 'string' || !Object.hasOwn(MODES, mode)) {
    throw new TypeError(`RingletNode.create: mode must be 'source', 'effect' or 'capture'; got ${String(mode)}`);
  }
  const channels = checkInteger(
    o.channels === undefined ? DEFAULT_CHANNELS : o.channels,
    'RingletNode.create',
    'channels',
    LAYOUT.RING_MIN_CHANNELS,
    LAYOUT.RING_MAX_CHANNELS,
  );
  const capacityFrames = o.capacityFrames === undefined ? DEFAULT_CAPACITY_FRAMES : o.capacityFrames;
  if (typeof capacityFrames !== 'number') {
    throw new TypeError(`RingletNode.create: capacityFrames must be a number; got ${describe(capacityFrames)}`);
  }
  if (
    !Number.isInteger(capacityFrames) ||
    capacityFrames < LAYOUT.RING_MIN_CAPACITY ||
    capacityFrames > LAYOUT.RING_MAX_CAPACITY ||
    (capacityFrames & (capacityFrames - 1)) !== 0
  ) {
    throw new RangeError(
      `RingletNode.create: capacityFrames must be a power of two from ${LAYOUT.RING_MIN_CAPACITY} to ${LAYOUT.RING_MAX_CAPACITY}; got ${capacityFrames}`,
    );
  }
  if (capacityFrames * channels * 4 > LAYOUT.RING_MAX_DATA_BYTES) {
    throw new RangeError(
      `RingletNode.create: capacityFrames x channels x 4 bytes must be at most ${LAYOUT.RING_MAX_DATA_BYTES} (64 MiB); got ${capacityFrames} x ${channels} x 4 = ${capacityFrames * channels * 4}`,
    );
  }
  const readyTimeoutMs = checkTimeout(
    o.readyTimeoutMs,
    'RingletNode.create',
    DEFAULT_READY_TIMEOUT_MS,
    'readyTimeoutMs',
  );
  const loadTimeoutMs = checkTimeout(o.loadTimeoutMs, 'RingletNode.create', DEFAULT_LOAD_TIMEOUT_MS, 'loadTimeoutMs');
  const transport = resolveTransport(o.transport, 'RingletNode.create');
  const { sampleRate, varispeed } = checkRateOptions(o, mode);
  return {
    mode: /** @type {NodeMode} */ (mode),
    channels,
    capacityFrames,
    readyTimeoutMs,
    loadTimeoutMs,
    transport,
    sampleRate,
    varispeed,
    AudioWorkletNode: o.AudioWorkletNode,
    wasmUrl: o.wasmUrl,
    workletUrl: o.workletUrl,
  };
}

/**
 * A source node's `sampleRate` (the rate of its ring's frames; undefined:
 * the context's) and `varispeed` (undefined: decided once the context's
 * rate is known). Other modes take neither. Throws without side effects.
 * @param {RingletNodeOptions} o
 * @param {string} mode
 * @returns {{ sampleRate: number | undefined, varispeed: boolean | undefined }}
 */
function checkRateOptions(o, mode) {
  const where = 'RingletNode.create';
  const range = `a number of Hz from ${RESAMPLER_MIN_RATE} to ${RESAMPLER_MAX_RATE}`;
  if (o.sampleRate !== undefined) {
    if (typeof o.sampleRate !== 'number') {
      throw new TypeError(`${where}: sampleRate must be ${range}; got ${describe(o.sampleRate)}`);
    }
    if (!(o.sampleRate >= RESAMPLER_MIN_RATE && o.sampleRate <= RESAMPLER_MAX_RATE)) {
      throw new RangeError(`${where}: sampleRate must be ${range}; got ${o.sampleRate}`);
    }
  }
  if (o.varispeed !== undefined && typeof o.varispeed !== 'boolean') {
    throw new TypeError(`${where}: varispeed must be true or false; got ${describe(o.varispeed)}`);
  }
  if (mode !== 'source' && (o.sampleRate !== undefined || o.varispeed !== undefined)) {
    const name = o.sampleRate !== undefined ? 'sampleRate' : 'varispeed';
    throw new TypeError(
      `${where}: ${name} is an option of source nodes only (their ring's frames are resampled); mode is '${mode}'`,
    );
  }
  return { sampleRate: o.sampleRate, varispeed: o.varispeed };
}

/**
 * What a source node's ring rate and varispeed come to in `context`: the
 * ring's rate, whether the node takes playbackRate values, and the core's
 * input_rate (0: the context's). Throws RangeError, before anything is
 * built, when the node must resample and the context's rate is outside the
 * resampler's range.
 * @param {{ sampleRate: number | undefined, varispeed: boolean | undefined }} o
 * @param {number} contextRate
 */
function resolveRates(o, contextRate) {
  const ringRate = o.sampleRate ?? contextRate;
  // A node that resamples anyway gets playbackRate for its plane of values
  // (4 KiB); one at the context's rate only when asked, as the resampler
  // costs it about 275 KiB of heap (stereo).
  const varispeed = o.varispeed ?? ringRate !== contextRate;
  if (
    (ringRate !== contextRate || varispeed) &&
    !(contextRate >= RESAMPLER_MIN_RATE && contextRate <= RESAMPLER_MAX_RATE)
  ) {
    const what = varispeed ? 'varispeed' : `sampleRate ${ringRate}`;
    throw new RangeError(
      `RingletNode.create: ${what} needs the context's sampleRate from ${RESAMPLER_MIN_RATE} to ${RESAMPLER_MAX_RATE} Hz (the resampler's range); the context runs at ${contextRate}`,
    );
  }
  return { ringRate, varispeed, inputRate: ringRate === contextRate ? 0 : ringRate };
}

/**
 * @param {object} node
 * @returns {NodeState}
 */
function stateOf(node) {
  const s = states.get(node);
  if (!s) throw new TypeError('RingletNode: this is not a node made by RingletNode.create()');
  return s;
}

/** Makes RingletNode a real AudioWorkletNode subclass, on first use (main thread). */
function adoptBase() {
  const Base = globalThis.AudioWorkletNode;
  if (typeof Base !== 'function') {
    throw new RingletError(
      'NOT_MAIN_THREAD',
      'RingletNode.create: AudioWorkletNode is not available on this thread; create nodes on the main thread',
    );
  }
  if (Object.getPrototypeOf(RingletNode.prototype) !== Base.prototype) {
    Object.setPrototypeOf(RingletNode.prototype, Base.prototype);
    Object.setPrototypeOf(RingletNode, Base);
  }
  return Base;
}

/**
 * Per library AudioWorkletNode prototype: one that has it as [[Prototype]]
 * and RingletNode's own members (a node in a library's context is that
 * library's AudioWorkletNode, with RingletNode's surface on top).
 * @type {WeakMap<object, object>}
 */
const wrappedPrototypes = new WeakMap();

/** @param {object} base */
function wrappedPrototype(base) {
  let proto = wrappedPrototypes.get(base);
  if (!proto) {
    const members = Object.getOwnPropertyDescriptors(RingletNode.prototype);
    // standardized-audio-context takes any node with a playbackRate member
    // for an AudioBufferSourceNode (its graph then looks that param up); a
    // wrapped node has the member only when it takes playbackRate (below).
    delete (/** @type {Record<string, PropertyDescriptor>} */ (members).playbackRate);
    proto = /** @type {object} */ (Object.create(base, members));
    wrappedPrototypes.set(base, proto);
  }
  return proto;
}

/**
 * An AudioWorkletNode whose processor runs ringlet's C core. Connect it like
 * any AudioNode. Create it with `await RingletNode.create(context, options)`.
 * Its methods run on the main thread; none of them blocks.
 */
export class RingletNode extends EventTarget {
  /**
   * True for every node RingletNode.create() made, in any context: a native
   * context's node inherits from RingletNode.prototype; a library's (a
   * standardized-audio-context or Tone.js context) is that library's
   * AudioWorkletNode with RingletNode's members, and passes too.
   * @param {unknown} value
   */
  static [Symbol.hasInstance](value) {
    return (
      (typeof value === 'object' && value !== null && states.has(value)) ||
      Function.prototype[Symbol.hasInstance].call(this, value)
    );
  }

  /** Use RingletNode.create(). */
  constructor() {
    super();
    throw new TypeError('RingletNode: use `await RingletNode.create(context, options)`');
  }

  /**
   * Loads ringlet into the context if needed (within loadTimeoutMs), builds
   * the node's shared memory, and resolves once the processor has initialised
   * the core on it (within readyTimeoutMs). If anything fails after the node
   * was built, its processor is told to stop before create() rejects.
   *
   * The context is a native AudioContext or OfflineAudioContext, a
   * standardized-audio-context one (pass its AudioWorkletNode class as
   * options.AudioWorkletNode), or a Tone.js Context or OfflineContext. In a
   * library's context the node is that library's AudioWorkletNode, loaded
   * with its audioWorklet.addModule, so it connects to the library's nodes
   * both ways; instanceof RingletNode holds for it, instanceof the page's
   * native AudioWorkletNode does not.
   * @param {import('../../types/index.js').RingletContext} given the context
   * @param {RingletNodeOptions} [options]
   * @returns {Promise<RingletNode>}
   */
  static async create(given, options = {}) {
    checkContext(given, 'RingletNode.create');
    const o = checkNodeOptions(options);
    const Base = adoptBase();
    const target = nodeTarget(given, o.AudioWorkletNode, 'RingletNode.create');
    const context = target.context;
    const rates = resolveRates(o, context.sampleRate);
    const wasm = await loadRinglet(context, {
      transport: o.transport,
      wasmUrl: o.wasmUrl,
      workletUrl: o.workletUrl,
      loadTimeoutMs: o.loadTimeoutMs,
    });
    const heapBytes = wasm.nodeHeapBytes(
      o.mode,
      o.channels,
      o.capacityFrames,
      context.sampleRate,
      rates.inputRate,
      rates.varispeed,
    );
    if (heapBytes === 0) {
      throw new RangeError(
        `RingletNode.create: the core refused mode ${o.mode}, channels ${o.channels}, capacityFrames ${o.capacityFrames}, sampleRate ${rates.ringRate} in a ${context.sampleRate} Hz context${rates.varispeed ? ' with varispeed' : ''}`,
      );
    }
    const pages = wasm.pagesFor(heapBytes);
    const shared = o.transport === 'shared';
    const memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : null;
    /** @type {AudioWorkletNodeOptions} */
    const nodeOptions = {
      numberOfInputs: o.mode === 'source' ? 0 : 1,
      numberOfOutputs: 1,
      outputChannelCount: [o.channels],
      channelCount: o.channels,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: {
        module: wasm.module,
        transport: o.transport,
        memory: memory ?? undefined,
        pages,
        mode: MODES[o.mode],
        channels: o.channels,
        capacityFrames: o.capacityFrames,
        heapBytes,
        sampleRate: context.sampleRate,
        inputRate: rates.inputRate,
        varispeed: rates.varispeed,
      },
    };
    /** @type {RingletNode} */
    let node;
    if (target.construct) {
      // The library's own node (it keeps its bookkeeping on the instance),
      // given RingletNode's members.
      const made = target.construct(PROCESSOR_NAME, nodeOptions);
      Object.setPrototypeOf(made, wrappedPrototype(Object.getPrototypeOf(made)));
      if (rates.varispeed) {
        const rate = /** @type {AudioWorkletNode} */ (made).parameters.get('playbackRate');
        Object.defineProperty(made, 'playbackRate', { get: () => rate, enumerable: false, configurable: true });
      }
      node = /** @type {RingletNode} */ (/** @type {unknown} */ (made));
    } else {
      node = /** @type {RingletNode} */ (
        /** @type {unknown} */ (Reflect.construct(Base, [context, PROCESSOR_NAME, nodeOptions], RingletNode))
      );
    }
    const port = /** @type {AudioWorkletNode} */ (/** @type {unknown} */ (node)).port;
    /** @type {NodeState} */
    let state;
    try {
      const ready = await waitForReady(port, o.readyTimeoutMs);
      const shape = {
        ...o,
        ringRate: rates.ringRate,
        varispeed: rates.varispeed,
        resampler: rates.inputRate !== 0 || rates.varispeed,
      };
      state = memory
        ? sharedState(shape, memory, port, ready, wasm.module, context.sampleRate)
        : messageState(shape, port, wasm.module, context.sampleRate);
    } catch (error) {
      // No one will ever reach this node: stop its processor (process()
      // returns false from then on, so the engine may collect it).
      port.onmessage = null;
      port.postMessage({ type: 'dispose' });
      /** @type {AudioWorkletNode} */ (/** @type {unknown} */ (node)).disconnect();
      throw error;
    }
    states.set(node, state);
    port.onmessage = (event) => onProcessorMessage(node, state, event.data);
    state.link?.poll();
    contextWatches.set(node, closeRingWithContext(context, state));
    return node;
  }

  /** 'source', 'effect' or 'capture'. */
  get mode() {
    return stateOf(this).mode;
  }

  /** Channels of the ring and of the node's output. */
  get channels() {
    return stateOf(this).channels;
  }

  /**
   * The rate of the frames in the ring, in Hz: a source node's `sampleRate`
   * option (the core converts them to the context's rate), else the
   * context's.
   */
  get sampleRate() {
    return stateOf(this).ringRate;
  }

  /** True when the node takes playbackRate (a source node created with varispeed, or resampling). */
  get varispeed() {
    return stateOf(this).varispeed;
  }

  /** 'running' until the core fails ('panicked') or the node is disposed ('disposed'). */
  get state() {
    return stateOf(this).state;
  }

  /** How audio reaches the worklet: 'shared' (SharedArrayBuffer ring) or 'message' (the node's port). */
  get transport() {
    return stateOf(this).transport;
  }

  /** The producing end of a source node's ring (main thread); null in other modes. */
  get writer() {
    return stateOf(this).writer;
  }

  /**
   * A handle for a Worker to build its own RingWriter; null unless mode is
   * 'source' and the transport is 'shared' (a port-fed ring has one producer,
   * on the main thread).
   */
  get writerHandle() {
    return stateOf(this).writer?.handle ?? null;
  }

  /** The consuming end of a capture node's ring (main thread); null in other modes. */
  get reader() {
    return stateOf(this).reader;
  }

  /** A handle for a Worker to build its own RingReader; null unless mode is 'capture' and the transport 'shared'. */
  get readerHandle() {
    return stateOf(this).reader?.handle ?? null;
  }

  /** The chain's gain: an a-rate AudioParam, default 1. */
  get gain() {
    const self = /** @type {AudioWorkletNode} */ (/** @type {unknown} */ (this));
    return /** @type {AudioParam} */ (self.parameters.get('gain'));
  }

  /**
   * The playback rate, an a-rate AudioParam from 0.25 to 4 (default 1) with
   * AudioBufferSourceNode.playbackRate's meaning; null unless the node has
   * varispeed.
   * @returns {AudioParam | null}
   */
  get playbackRate() {
    if (!stateOf(this).varispeed) return null;
    const self = /** @type {AudioWorkletNode} */ (/** @type {unknown} */ (this));
    return /** @type {AudioParam} */ (self.parameters.get('playbackRate'));
  }

  /**
   * A source node's resampler forgets the frames it has taken from the ring
   * and not yet played, and starts again from the ring's next frame (after
   * a seek, or between two streams): no filter tail of the old audio rings
   * into the new. Applied at the start of the next quantum, like a setting
   * (on 'message', once it has crossed the port). The ring, the counters and
   * the playback rate are kept; reset() restarts everything. Ignored once
   * disposed. Main thread; no wait.
   * @throws {TypeError} when the node has no resampler (sampleRate equal to the context's and no varispeed)
   */
  resetResampler() {
    const s = stateOf(this);
    if (!s.resampler) {
      throw new TypeError(
        "RingletNode.resetResampler: this node has no resampler; create a source node with a sampleRate other than the context's, or with varispeed: true",
      );
    }
    if (s.state === 'disposed') return;
    (s.params ?? s.link)?.send(PARAM.RESAMPLER_RESET, 0, 0);
  }

  /** The 8-band parametric EQ. */
  get eq() {
    return stateOf(this).eq;
  }

  /** The safety limiter. */
  get limiter() {
    return stateOf(this).limiter;
  }

  /** The test-signal generator. */
  get generator() {
    return stateOf(this).generator;
  }

  /** The spectrum analyser, with AnalyserNode's API. */
  get analyser() {
    return stateOf(this).analyser;
  }

  /**
   * Per-channel peak, RMS (linear) and clip counts, read from shared memory
   * without a message (on 'message', the last snapshot). Main thread.
   * @returns {Meters}
   */
  meters() {
    return stateOf(this).readMeters();
  }

  /** The report of the failure that silenced the node, or null. */
  get lastPanic() {
    return stateOf(this).panic;
  }

  /**
   * The node's counters. On the 'shared' transport they are read from shared
   * memory, with no message round trip. On 'message' they are the last
   * snapshot the worklet posted, refreshed at most once per animation frame.
   * Main thread.
   * @returns {NodeStats}
   */
  stats() {
    return stateOf(this).readStats();
  }

  /**
   * Counts of what the node holds on the main thread: timers armed, waits
   * pending, port handlers installed, settings waiting for queue space. After
   * dispose() every count is 0; after reset() or a ring's close() has settled,
   * only the node's one port handler is left. Main thread; cheap, no message.
   * @returns {NodeDebugStats}
   */
  debugStats() {
    const s = stateOf(this);
    const link = s.link;
    return {
      timers: s.timers.size,
      waiters: (link ? link.waiters.size + link.requests.size : s.ringWaiting() ? 1 : 0) + (s.reset ? 1 : 0),
      listeners: s.listening ? 1 : 0,
      paramBacklog: s.params ? s.params.backlog : (link?.snapshot.paramBacklog ?? 0),
    };
  }

  /**
   * Resolves once every setting and write made so far has reached the
   * processor. On 'shared' that is already true (the core applies them at
   * its next quantum); on 'message' it takes one round trip over the port,
   * which matters before an OfflineAudioContext starts rendering. Rejects
   * with RingletError 'TIMEOUT' when the processor does not answer within
   * timeoutMs (a closed context), and 'DISPOSED' once the node is disposed
   * (also when dispose() comes while it waits). Main thread.
   * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 5000
   * @returns {Promise<void>}
   */
  async flush(options = {}) {
    const s = stateOf(this);
    const timeoutMs = checkTimeout(options?.timeoutMs, 'RingletNode.flush', DEFAULT_READY_TIMEOUT_MS);
    if (s.state === 'disposed') throw new RingletError('DISPOSED', 'RingletNode.flush: the node has been disposed');
    if (!s.link) return;
    await s.link.request({ type: 'poll' }, timeoutMs, 'RingletNode.flush');
  }

  /**
   * Restarts the core after a panic (or at any time): the processor makes a
   * fresh wasm instance on the node's memory and reinitialises it, so the ring
   * starts empty and the counters at zero; writer and reader stay valid.
   * Resolves once audio runs again. Concurrent calls share one reset. Rejects
   * with CONTEXT_CLOSED, changing nothing, once the node's context is closed.
   * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 5000
   * @returns {Promise<void>}
   */
  reset(options = {}) {
    const s = stateOf(this);
    if (s.state === 'disposed') {
      return Promise.reject(new RingletError('DISPOSED', 'RingletNode.reset: the node has been disposed'));
    }
    if (s.reset) return s.reset.promise;
    // A closed context never runs audio again. Chromium's processor stops
    // answering once its context closes, but Firefox's and WebKit's still
    // restart the core and reply, which would resolve a reset that brings
    // nothing back.
    if (/** @type {AudioWorkletNode} */ (/** @type {unknown} */ (this)).context.state === 'closed') {
      return Promise.reject(new RingletError('CONTEXT_CLOSED', 'RingletNode.reset: the context is closed'));
    }
    let timeoutMs;
    try {
      timeoutMs = checkTimeout(options?.timeoutMs, 'RingletNode.reset', DEFAULT_READY_TIMEOUT_MS);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = nextResetId++;
    /** @type {(error?: Error) => void} */
    let settle = () => {};
    /** @type {Promise<void>} */
    const promise = new Promise((resolve, reject) => {
      const timer = s.timers.after(timeoutMs, () =>
        settle(
          new RingletError(
            'TIMEOUT',
            `RingletNode.reset: the processor did not restart within timeoutMs (${timeoutMs} ms)`,
          ),
        ),
      );
      settle = (error) => {
        s.timers.cancel(timer);
        if (s.reset?.id === id) s.reset = null;
        if (error) reject(error);
        else resolve();
      };
    });
    s.reset = { id, promise, settle };
    // On 'message' the new ring generation starts now: what is written from
    // here on is posted after 'reset' and lands in the new ring.
    const epoch = s.link?.restart();
    if (s.writer instanceof MessageWriter) s.writer.restart();
    if (s.reader instanceof MessageReader) s.reader.restart();
    s.port.postMessage({ type: 'reset', id, epoch });
    return promise;
  }

  /**
   * Closes the ring, stops the processor (it returns false from then on, so
   * the engine may collect it) and disconnects the node. Idempotent.
   */
  dispose() {
    const s = stateOf(this);
    if (s.state === 'disposed') return;
    s.state = 'disposed';
    contextWatches.get(this)?.();
    s.closeRing();
    s.params?.close();
    // Every wait ends now: round trips and a pending reset reject with DISPOSED.
    s.link?.close();
    s.reset?.settle(
      new RingletError('DISPOSED', 'RingletNode.reset: the node was disposed before the processor restarted'),
    );
    s.timers.cancelAll();
    s.port.postMessage({ type: 'dispose' });
    s.port.onmessage = null;
    s.listening = false;
    /** @type {AudioWorkletNode} */ (/** @type {unknown} */ (this)).disconnect();
  }
}

/**
 * A closed AudioContext never runs the node's processor again, so nothing
 * would ever move the ring: close it then, so that waits on it end with
 * 'closed' at once rather than at their timeout, and what is in it can still
 * be read (on 'message', what has already reached the main thread: the
 * processor of a closed context may never answer again). Only contexts with close() are watched: an OfflineAudioContext's
 * state becomes 'closed' when its rendering ends, and its ring stays open.
 * Main thread.
 * @param {BaseAudioContext} context
 * @param {NodeState} state
 * @returns {() => void} removes the listener
 */
function closeRingWithContext(context, state) {
  const realtime = /** @type {Partial<AudioContext>} */ (context);
  if (typeof realtime.close !== 'function') return () => {};
  const controller = new AbortController();
  const onStateChange = () => {
    if (context.state !== 'closed') return;
    controller.abort();
    state.link?.endWithContext();
    state.closeRing();
  };
  context.addEventListener('statechange', onStateChange, { signal: controller.signal });
  onStateChange(); // it may have closed while the node was being created
  return () => controller.abort();
}

/**
 * @param {MessagePort} port
 * @param {number} timeoutMs
 * @returns {Promise<Ready>}
 */
function waitForReady(port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      port.onmessage = null;
      reject(
        new RingletError(
          'TIMEOUT',
          `RingletNode.create: the processor did not start within readyTimeoutMs (${timeoutMs} ms)`,
        ),
      );
    }, timeoutMs);
    port.onmessage = (event) => {
      const m = event.data;
      clearTimeout(timer);
      port.onmessage = null;
      if (m?.type === 'ready') {
        resolve({ ring: m.ring, stats: m.stats, params: m.params, meters: m.meters, timebuf: m.timebuf });
      } else {
        reject(
          new RingletError(
            'INIT_FAILED',
            `RingletNode.create: the processor failed to start: ${m?.message ?? 'unknown error'}`,
          ),
        );
      }
    };
  });
}

/**
 * The node's one port listener for its whole life. On 'message', replies of
 * the transport go to the link. 'ready' means the processor restarted its
 * core: the node runs again, gets its settings back, and the reset that asked
 * (matched by id) resolves. 'panic' latches the state, records the panic and
 * fires the event once; only a panic that answers the pending reset's id
 * rejects it, so a stale panic from process() cannot take a reset's reply.
 * @param {RingletNode} node
 * @param {NodeState} state
 * @param {Reply & Partial<PanicReport>} message
 */
function onProcessorMessage(node, state, message) {
  const type = message?.type;
  const link = state.link;
  if (link) {
    if (type === 'ack' || type === 'snapshot' || type === 'time' || type === 'status') {
      link.receive(message);
      return;
    }
    if (type === 'data') {
      if (state.reader instanceof MessageReader) state.reader.accept(message);
      else link.release(message.data);
      link.receive(message);
      return;
    }
  }
  const pending = state.reset;
  const answersReset = pending !== null && message?.id !== undefined && message.id === pending.id;
  if (type === 'ready') {
    restarted(state);
    if (answersReset) pending.settle();
    link?.poll();
    return;
  }
  if (type !== 'panic') return;
  const record = recordPanic('worklet', message);
  /** @type {PanicReport} */
  const report = {
    code: record.code,
    message: record.message,
    stack: record.stack,
    time: record.time,
    frame: record.frame,
  };
  if (answersReset) {
    pending.settle(
      new RingletError('INIT_FAILED', `RingletNode.reset: the processor failed to restart: ${report.message}`),
    );
  }
  if (state.state === 'disposed') return;
  state.state = 'panicked';
  state.panic = report;
  node.dispatchEvent(new CustomEvent('panic', { detail: report }));
}

/**
 * The processor made a fresh core (a reset): ring empty, counters zero, chain
 * at its defaults. The node runs again and sends the settings it was given.
 * @param {NodeState} state
 */
function restarted(state) {
  if (state.state === 'disposed') return;
  const wasPanicked = state.state === 'panicked';
  state.eq.resend();
  state.limiter.resend();
  state.generator.resend();
  state.state = 'running';
  state.panic = null;
  if (wasPanicked) recordRecovery();
}
