/**
 * RingletNode: an AudioWorkletNode running ringlet's core. Main thread.
 *
 * The base class is looked up only when a node is created, so importing this
 * module in a Worker or in Node (where AudioWorkletNode does not exist) works.
 */
import { RingletError } from './errors.js';
import { LAYOUT, MODES } from './layout.js';
import { checkContext, loadRinglet, resolveTransport } from './load.js';
import { MessageLink, MessageReader, MessageWriter, messageTimeSource } from './message-transport.js';
import { Analyser, sharedTimeSource } from './analyser.js';
import { Eq, Generator, Limiter } from './dsp.js';
import { ParamQueue } from './params.js';
import { recordPanic, recordRecovery } from './panic.js';
import { RingReader, RingWriter } from './ring.js';
import { checkInteger, checkTimeout, describe } from './util.js';
import { PROCESSOR_NAME } from './version.js';

/** @typedef {import('../types/index.js').NodeMode} NodeMode */
/** @typedef {import('../types/index.js').RingletNodeOptions} RingletNodeOptions */
/** @typedef {import('../types/index.js').NodeStats} NodeStats */
/** @typedef {import('../types/index.js').PanicReport} PanicReport */
/** @typedef {import('../types/index.js').Meters} Meters */

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
 * @property {'running' | 'panicked' | 'disposed'} state
 * @property {PanicReport | null} panic
 * @property {MessagePort} port
 * @property {{ ready: () => void, failed: (report: PanicReport) => void } | null} waiter a pending reset
 * @property {Promise<void> | null} resetting
 */

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
  const transport = resolveTransport(o.transport, 'RingletNode.create');
  return {
    mode: /** @type {NodeMode} */ (mode),
    channels,
    capacityFrames,
    readyTimeoutMs,
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
   * Loads ringlet into the context if needed, builds the node's shared memory,
   * and resolves once the processor has initialised the core on it.
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
    const ready = await waitForReady(port, o.readyTimeoutMs);
    const state = memory
      ? sharedState(o, memory, port, ready, wasm.module, context.sampleRate)
      : messageState(o, port, wasm.module, context.sampleRate);
    states.set(node, state);
    port.onmessage = (event) => onProcessorMessage(node, state, event.data);
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
   * Resolves once every setting and write made so far has reached the
   * processor. On 'shared' that is already true (the core applies them at
   * its next quantum); on 'message' it takes one round trip over the port,
   * which matters before an OfflineAudioContext starts rendering. Main thread.
   * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 5000
   * @returns {Promise<void>}
   */
  async flush(options = {}) {
    const s = stateOf(this);
    const timeoutMs = checkTimeout(options?.timeoutMs, 'RingletNode.flush', DEFAULT_READY_TIMEOUT_MS);
    const link = s.link;
    if (!link || s.state === 'disposed') return;
    await link.flush(timeoutMs);
  }

  /**
   * Restarts the core after a panic (or at any time): the processor makes a
   * fresh wasm instance on the node's memory and reinitialises it, so the ring
   * starts empty and the counters at zero; writer and reader stay valid.
   * Resolves once audio runs again. Concurrent calls share one reset.
   * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 5000
   * @returns {Promise<void>}
   */
  reset(options = {}) {
    const s = stateOf(this);
    if (s.state === 'disposed') {
      return Promise.reject(new RingletError('DISPOSED', 'RingletNode.reset: the node has been disposed'));
    }
    if (s.resetting) return s.resetting;
    let timeoutMs;
    try {
      timeoutMs = checkTimeout(options?.timeoutMs, 'RingletNode.reset', DEFAULT_READY_TIMEOUT_MS);
    } catch (error) {
      return Promise.reject(error);
    }
    const wasPanicked = s.state === 'panicked';
    const pending = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        s.waiter = null;
        reject(
          new RingletError(
            'TIMEOUT',
            `RingletNode.reset: the processor did not restart within timeoutMs (${timeoutMs} ms)`,
          ),
        );
      }, timeoutMs);
      s.waiter = {
        ready: () => {
          clearTimeout(timer);
          // The core starts afresh: ring empty, counters zero, chain at its
          // defaults. The port-side endpoints forget what they knew of the old
          // ring, and the chain gets the settings this node was given.
          s.link?.restart();
          if (s.writer instanceof MessageWriter) s.writer.restart();
          if (s.reader instanceof MessageReader) s.reader.restart();
          s.eq.resend();
          s.limiter.resend();
          s.generator.resend();
          s.state = 'running';
          s.panic = null;
          if (wasPanicked) recordRecovery();
          resolve(undefined);
        },
        failed: (report) => {
          clearTimeout(timer);
          reject(
            new RingletError('INIT_FAILED', `RingletNode.reset: the processor failed to restart: ${report.message}`),
          );
        },
      };
    });
    s.resetting = pending;
    const clear = () => {
      if (s.resetting === pending) s.resetting = null;
    };
    pending.then(clear, clear);
    s.port.postMessage({ type: 'reset' });
    return pending;
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
    s.link?.close();
    const self = /** @type {AudioWorkletNode} */ (/** @type {unknown} */ (this));
    self.port.postMessage({ type: 'dispose' });
    self.disconnect();
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
  const params = new ParamQueue(buffer, ready.params);
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
    state: 'running',
    panic: null,
    port,
    waiter: null,
    resetting: null,
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
  const link = new MessageLink(port, o.channels, o.capacityFrames);
  const writer = o.mode === 'source' ? new MessageWriter(link) : null;
  const reader = o.mode === 'capture' ? new MessageReader(link) : null;
  link.poll();
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
      else port.postMessage({ type: 'close' });
    },
    state: 'running',
    panic: null,
    port,
    waiter: null,
    resetting: null,
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
 * The node's one port listener for its whole life: 'ready' answers a reset,
 * 'panic' latches the state, records the panic and fires the event once.
 * @param {RingletNode} node
 * @param {NodeState} state
 * @param {{ type?: string } & Partial<PanicReport>} message
 */
function onProcessorMessage(node, state, message) {
  const link = state.link;
  if (link) {
    const m = /** @type {{ type?: string, data?: Float32Array, frames?: number }} */ (message);
    if (m?.type === 'ack' || m?.type === 'snapshot' || m?.type === 'data' || m?.type === 'time') {
      if (m.type === 'data' && m.data && state.reader instanceof MessageReader)
        state.reader.accept(m.data, m.frames ?? 0);
      else if (m.type === 'ack') link.release(m.data);
      link.receive(/** @type {{ snapshot?: import('./message-transport.js').Snapshot }} */ (message));
      return;
    }
  }
  const waiter = state.waiter;
  if (message?.type === 'ready') {
    state.waiter = null;
    waiter?.ready();
    link?.poll();
    return;
  }
  if (message?.type !== 'panic') return;
  const record = recordPanic('worklet', message);
  /** @type {PanicReport} */
  const report = {
    code: record.code,
    message: record.message,
    stack: record.stack,
    time: record.time,
    frame: record.frame,
  };
  state.waiter = null;
  waiter?.failed(report);
  if (state.state === 'disposed') return;
  state.state = 'panicked';
  state.panic = report;
  node.dispatchEvent(new CustomEvent('panic', { detail: report }));
}
