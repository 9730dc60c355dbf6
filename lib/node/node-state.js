/**
 * A RingletNode's state on each transport, as two factories: sharedState
 * (views onto the node's shared memory) and messageState (a MessageLink on
 * the node's port and the worklet's last snapshot). Main thread; the node
 * keeps one NodeState per node (node.js).
 */
import { LAYOUT } from '../shared/layout.js';
import { MessageLink, MessageReader, MessageWriter, messageTimeSource } from './message-transport.js';
import { Analyser, sharedTimeSource } from './analyser.js';
import { Eq, Generator, Limiter } from '../shared/dsp.js';
import { ParamQueue } from '../shared/params.js';
import { RingReader, RingWriter } from '../shared/ring-ends.js';
import { TimerSet } from '../shared/util.js';

/** @typedef {import('../../types/index.js').NodeMode} NodeMode */
/** @typedef {import('../../types/index.js').NodeStats} NodeStats */
/** @typedef {import('../../types/index.js').PanicReport} PanicReport */
/** @typedef {import('../../types/index.js').Meters} Meters */

/**
 * @typedef {object} NodeState
 * @property {NodeMode} mode
 * @property {number} channels
 * @property {number} ringRate the rate of the ring's frames, Hz
 * @property {boolean} varispeed whether the node takes playbackRate values
 * @property {boolean} resampler whether the core has a resampler between the ring and the chain
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
 * @property {() => boolean} ringWaiting whether a write() or read() on the node's ring is in progress
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

/**
 * Offsets the processor reports once the core is initialised.
 * @typedef {{ ring: number, stats: number, params: number, meters: number, timebuf: number }} Ready
 */

/** What an effect node, which has no ring, reports for one. */
const NO_RING = Object.freeze({
  underruns: 0,
  overruns: 0,
  availableRead: 0,
  availableWrite: 0,
  capacityFrames: 0,
  closed: false,
  close() {},
  end: { pending: false },
});

/**
 * What a node was created as.
 * @typedef {{ mode: NodeMode, channels: number, capacityFrames: number, ringRate: number, varispeed: boolean, resampler: boolean }} NodeShape
 */

/**
 * Node state on the 'shared' transport: the endpoints, counters, meters,
 * settings queue and analyser's time buffer are views onto the node's shared
 * memory.
 * @param {NodeShape} o
 * @param {WebAssembly.Memory} memory
 * @param {MessagePort} port
 * @param {Ready} ready
 * @param {WebAssembly.Module} module
 * @param {number} sampleRate
 * @returns {NodeState}
 */
export function sharedState(o, memory, port, ready, module, sampleRate) {
  const buffer = /** @type {SharedArrayBuffer} */ (/** @type {unknown} */ (memory.buffer));
  const writer = o.mode === 'source' ? new RingWriter(buffer, ready.ring) : null;
  const reader = o.mode === 'capture' ? new RingReader(buffer, ready.ring) : null;
  const ring = writer ?? reader ?? NO_RING;
  const frames = new BigUint64Array(buffer, ready.stats + LAYOUT.STATS_OFFSET_FRAMES_PROCESSED, 1);
  const stats = new Uint32Array(buffer, ready.stats, LAYOUT.STATS_BYTES >> 2);
  const statFloats = new Float32Array(buffer, ready.stats, LAYOUT.STATS_BYTES >> 2);
  const timers = new TimerSet();
  const params = new ParamQueue(buffer, ready.params, timers);
  const meterFloats = new Float32Array(buffer, ready.meters, (o.channels * LAYOUT.METER_CHANNEL_BYTES) >> 2);
  const meterInts = new Uint32Array(buffer, ready.meters, (o.channels * LAYOUT.METER_CHANNEL_BYTES) >> 2);
  const stride = LAYOUT.METER_CHANNEL_BYTES >> 2;
  return {
    mode: o.mode,
    channels: o.channels,
    ringRate: o.ringRate,
    varispeed: o.varispeed,
    resampler: o.resampler,
    transport: 'shared',
    eq: new Eq(params, sampleRate),
    limiter: new Limiter(params),
    generator: new Generator(params, sampleRate),
    analyser: new Analyser(module, true, sharedTimeSource(buffer, ready.timebuf)),
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
      // Aligned 4-byte reads do not tear; the core stores each value whole.
      latencyFrames: statFloats[LAYOUT.STATS_OFFSET_LATENCY_FRAMES >> 2],
      lookaheadFrames: statFloats[LAYOUT.STATS_OFFSET_LOOKAHEAD_FRAMES >> 2],
      heardFrames: Atomics.load(stats, LAYOUT.STATS_OFFSET_HEARD_FRAMES >> 2) >>> 0,
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
 * @param {NodeShape} o
 * @param {MessagePort} port
 * @param {WebAssembly.Module} module
 * @param {number} sampleRate
 * @returns {NodeState}
 */
export function messageState(o, port, module, sampleRate) {
  const timers = new TimerSet();
  const link = new MessageLink(port, o.channels, o.capacityFrames, timers);
  const writer = o.mode === 'source' ? new MessageWriter(link, o.resampler) : null;
  const reader = o.mode === 'capture' ? new MessageReader(link) : null;
  return {
    mode: o.mode,
    channels: o.channels,
    ringRate: o.ringRate,
    varispeed: o.varispeed,
    resampler: o.resampler,
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
      const capacity = o.mode === 'effect' ? 0 : o.capacityFrames; // an effect node has no ring
      return {
        framesProcessed: snap.framesProcessed,
        quanta: snap.quanta,
        silentFrames: snap.silentFrames,
        underruns: snap.underruns,
        overruns: snap.overruns,
        availableRead: fill,
        availableWrite: capacity - fill,
        capacityFrames: capacity,
        channels: o.channels,
        closed: snap.closed,
        latencyFrames: snap.latencyFrames ?? 0,
        lookaheadFrames: snap.lookaheadFrames ?? 0,
        heardFrames: snap.heardFrames ?? 0,
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
