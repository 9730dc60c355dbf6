/**
 * RingletNode: an AudioWorkletNode running ringlet's core. Main thread.
 *
 * The base class is looked up only when a node is created, so importing this
 * module in a Worker or in Node (where AudioWorkletNode does not exist) works.
 */
import { RingletError } from '../shared/errors.js';
import { LAYOUT, MODES } from '../shared/layout.js';
import { DEFAULT_LOAD_TIMEOUT_MS, checkContext, loadRinglet, resolveTransport } from './load.js';
import { MessageLink, MessageReader, MessageWriter, messageTimeSource } from './message-transport.js';
import { Analyser, sharedTimeSource } from './analyser.js';
import { Eq, Generator, Limiter } from '../shared/dsp.js';
import { ParamQueue } from '../shared/params.js';
import { recordPanic, recordRecovery } from './panic.js';
import { RingReader, RingWriter } from '../shared/ring-ends.js';
import { TimerSet, checkInteger, checkTimeout, describe } from '../shared/util.js';
import { PROCESSOR_NAME } from '../shared/version.js';

/** @typedef {import('../../types/index.js').NodeMode} NodeMode */
/** @typedef {import('../../types/index.js').RingletNodeOptions} RingletNodeOptions */
/** @typedef {import('../../types/index.js').NodeStats} NodeStats */
/** @typedef {import('../../types/index.js').PanicReport} PanicReport */
/** @typedef {import('../../types/index.js').Meters} Meters */
/** @typedef {import('../../types/index.js').NodeDebugStats} NodeDebugStats */
/** @typedef {import('./message-transport.js').Reply} Reply */

export const DEFAULT_CAPACITY_FRAMES = 8192;
export const DEFAULT_CHANNELS = 2;
const DEFAULT_READY_TIMEOUT_MS = 5000;

/**
 * @typedef {object} NodeState
 * @property {NodeMode} mode
 * @property {number} channels
 * @property {'shared' | 'message'} transport
 * @property {RingWriter | MessageWriter | null} writer
 * @property {RingReader | MessageReader | null} reader
 * @property {MessageLink | null} link the message transport's port state
 * @property {() => NodeStats} readStats
 * @property {() => Meters} readMeters
 * @property {Eq} eq
 * @property {Limiter} limiter
 * @property {Generator} generator
 * @property {Analyser} analyser
 * @property {() => void} closeRing
 * @property {() => boolean} ringWaiting whether a write() or readWithTimeout() on the node's ring is in progress
 * @property {ParamQueue | null} params the settings queue ('shared'; on 'message' settings travel over the port)
 * @property {TimerSet} timers every timer the node and its parts have armed
 * @property {'running' | 'panicked' | 'disposed'} state
 * @property {PanicReport | null} panic
 * @property {MessagePort} port
 * @property {boolean} listening whether the node's port handler is installed
 * @property {PendingReset | null} reset the reset waiting for the processor's answer
 */

/**
 * A reset() waiting for the processor: its request id, and how it ends.
 * @typedef {object} PendingReset
 * @property {number} id
 * @property {Promise<void>} promise
 * @property {(error?: Error) => void} settle resolves, or rejects with `error`; clears the timer
 */

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
  return {
    mode: /** @type {NodeMode} */ (mode),
    channels,
    capacityFrames,
    readyTimeoutMs,
    loadTimeoutMs,
    transport,
    wasmUrl: o.wasmUrl,
    workletUrl: o.workletUrl,
  };
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
 * An AudioWorkletNode whose processor runs ringlet's C core. Connect it like
 * any AudioNode. Create it with `await RingletNode.create(context, options)`.
 * Its methods run on the main thread; none of them blocks.
 */
export class RingletNode extends EventTarget {
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
   * @param {BaseAudioContext} context
   * @param {RingletNodeOptions} [options]
   * @returns {Promise<RingletNode>}
   */
  static async create(context, options = {}) {
    checkContext(context, 'RingletNode.create');
    const o = checkNodeOptions(options);
    const Base = adoptBase();
    const wasm = await loadRinglet(context, {
      transport: o.transport,
      wasmUrl: o.wasmUrl,
      workletUrl: o.workletUrl,
      loadTimeoutMs: o.loadTimeoutMs,
    });
    const heapBytes = wasm.nodeHeapBytes(o.mode, o.channels, o.capacityFrames, context.sampleRate);
    if (heapBytes === 0) {
      throw new RangeError(
        `RingletNode.create: the core refused mode ${o.mode}, channels ${o.channels}, capacityFrames ${o.capacityFrames}`,
      );
    }
    const pages = wasm.pagesFor(heapBytes);
    const shared = o.transport === 'shared';
    const memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : null;
    const node = /** @type {RingletNode} */ (
      /** @type {unknown} */ (
        Reflect.construct(
          Base,
          [
            context,
            PROCESSOR_NAME,
            {
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
              },
            },
          ],
          RingletNode,
        )
      )
    );
    const port = /** @type {AudioWorkletNode} */ (/** @type {unknown} */ (node)).port;
    /** @type {NodeState} */
    let state;
    try {
      const ready = await waitForReady(port, o.readyTimeoutMs);
      state = memory
        ? sharedState(o, memory, port, ready, wasm.module, context.sampleRate)
        : messageState(o, port, wasm.module, context.sampleRate);
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
 * Node state on the 'shared' transport: the endpoints, counters, meters,
 * settings queue and analyser's time buffer are views onto the node's shared
 * memory.
 * @param {{ mode: NodeMode, channels: number }} o
 * @param {WebAssembly.Memory} memory
 * @param {MessagePort} port
 * @param {Ready} ready
 * @param {WebAssembly.Module} module
 * @param {number} sampleRate
 * @returns {NodeState}
 */
function sharedState(o, memory, port, ready, module, sampleRate) {
  const buffer = /** @type {SharedArrayBuffer} */ (/** @type {unknown} */ (memory.buffer));
  const writer = o.mode === 'source' ? new RingWriter(buffer, ready.ring) : null;
  const reader = o.mode === 'capture' ? new RingReader(buffer, ready.ring) : null;
  const ring = writer ?? reader ?? new RingReader(buffer, ready.ring);
  const frames = new BigUint64Array(buffer, ready.stats + LAYOUT.STATS_OFFSET_FRAMES_PROCESSED, 1);
  const stats = new Uint32Array(buffer, ready.stats, LAYOUT.STATS_BYTES >> 2);
  const timers = new TimerSet();
  const params = new ParamQueue(buffer, ready.params, timers);
  const meterFloats = new Float32Array(buffer, ready.meters, (o.channels * LAYOUT.METER_CHANNEL_BYTES) >> 2);
  const meterInts = new Uint32Array(buffer, ready.meters, (o.channels * LAYOUT.METER_CHANNEL_BYTES) >> 2);
  const stride = LAYOUT.METER_CHANNEL_BYTES >> 2;
  return {
    mode: o.mode,
    channels: o.channels,
    transport: 'shared',
    eq: new Eq(params, sampleRate),
    limiter: new Limiter(params),
    generator: new Generator(params, sampleRate),
    analyser: new Analyser(module, true, sharedTimeSource(buffer, ready.capture)),
    readMeters: () => {
      /** @type {Meters} */
      const m = { peak: [], rms: [], clips: [] };
      for (let c = 0; c < o.channels; c++) {
        // Aligned 4-byte reads do not tear; the core stores each value whole.
        m.peak.push(meterFloats[c * stride + (LAYOUT.METER_OFFSET_PEAK >> 2)]);
        m.rms.push(meterFloats[c * stride + (LAYOUT.METER_OFFSET_RMS >> 2)]);
        m.clips.push(Atomics.load(meterInts, c * stride + (LAYOUT.METER_OFFSET_CLIPS >> 2)) >>> 0);
      }
      return m;
    },
    writer,
    reader,
    link: null,
    readStats: () => ({
      framesProcessed: Number(Atomics.load(frames, 0)),
      quanta: Atomics.load(stats, LAYOUT.STATS_OFFSET_QUANTA >> 2),
      silentFrames: Atomics.load(stats, LAYOUT.STATS_OFFSET_SILENT_FRAMES >> 2),
      underruns: ring.underruns,
      overruns: ring.overruns,
      availableRead: ring.availableRead,
      availableWrite: ring.availableWrite,
      capacityFrames: ring.capacityFrames,
      channels: o.channels,
      closed: ring.closed,
    }),
    closeRing: () => ring.close(),
    // RingEnd keeps the flag for its BUSY check; the node only reads it.
    ringWaiting: () => /** @type {{ end: { pending: boolean } }} */ (/** @type {unknown} */ (ring)).end.pending,
    params,
    timers,
    state: 'running',
    panic: null,
    port,
    listening: true,
    reset: null,
  };
}

/** Snapshots are refreshed at most this often (about once per animation frame). */
const SNAPSHOT_INTERVAL_MS = 16;

/**
 * Node state on the 'message' transport: endpoints and settings that travel
 * over the port, and counters and meters from the worklet's last snapshot.
 * @param {{ mode: NodeMode, channels: number, capacityFrames: number }} o
 * @param {MessagePort} port
 * @param {WebAssembly.Module} module
 * @param {number} sampleRate
 * @returns {NodeState}
 */
function messageState(o, port, module, sampleRate) {
  const timers = new TimerSet();
  const link = new MessageLink(port, o.channels, o.capacityFrames, timers);
  const writer = o.mode === 'source' ? new MessageWriter(link) : null;
  const reader = o.mode === 'capture' ? new MessageReader(link) : null;
  return {
    mode: o.mode,
    channels: o.channels,
    transport: 'message',
    writer,
    reader,
    link,
    eq: new Eq(link, sampleRate),
    limiter: new Limiter(link),
    generator: new Generator(link, sampleRate),
    analyser: new Analyser(module, false, messageTimeSource(link)),
    readMeters: () => {
      link.poll(SNAPSHOT_INTERVAL_MS);
      const m = link.snapshot.meters;
      const zeros = () => Array.from({ length: o.channels }, () => 0);
      return m
        ? { peak: [...m.peak], rms: [...m.rms], clips: [...m.clips] }
        : { peak: zeros(), rms: zeros(), clips: zeros() };
    },
    readStats: () => {
      link.poll(SNAPSHOT_INTERVAL_MS);
      const snap = link.snapshot;
      const fill = (snap.writeIndex - snap.readIndex) >>> 0;
      return {
        framesProcessed: snap.framesProcessed,
        quanta: snap.quanta,
        silentFrames: snap.silentFrames,
        underruns: snap.underruns,
        overruns: snap.overruns,
        availableRead: fill,
        availableWrite: o.capacityFrames - fill,
        capacityFrames: o.capacityFrames,
        channels: o.channels,
        closed: snap.closed,
      };
    },
    closeRing: () => {
      if (writer) writer.close();
      else if (reader) reader.close();
      else link.post({ type: 'close' });
    },
    ringWaiting: () => (writer ?? reader)?.waiting ?? false,
    params: null,
    timers,
    state: 'running',
    panic: null,
    port,
    listening: true,
    reset: null,
  };
}

/**
 * A closed AudioContext never runs the node's processor again, so nothing
 * would ever move the ring: close it then, so that waits on it end with
 * 'closed' at once rather than at their timeout, and what is in it can still
 * be read. Only contexts with close() are watched: an OfflineAudioContext's
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
    state.closeRing();
  };
  context.addEventListener('statechange', onStateChange, { signal: controller.signal });
  onStateChange(); // it may have closed while the node was being created
  return () => controller.abort();
}

/**
 * Offsets the processor reports once the core is initialised.
 * @typedef {{ ring: number, stats: number, params: number, meters: number, capture: number }} Ready
 */

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
        resolve({ ring: m.ring, stats: m.stats, params: m.params, meters: m.meters, capture: m.capture });
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
