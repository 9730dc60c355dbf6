/**
 * The AudioWorkletProcessor that runs ringlet's C core. Audio thread.
 *
 * It never fetches or compiles: the main thread passes the compiled module
 * and the node's shared memory through processorOptions, and the constructor
 * instantiates synchronously. process() allocates nothing in steady state:
 * the planar views onto wasm memory are built once (and again only if the
 * quantum size changes), and nothing is posted per quantum. The one message
 * process() ever posts answers a capture node's held read (see HOLD_FRAMES):
 * at most one per read request, from a preallocated reply. Any exception,
 * a wasm trap included, latches the node into a silent failed state and is
 * reported once over the port.
 *
 * The port protocol: a request with an `id` gets exactly one reply carrying
 * that id ('ready' or 'panic' answer a 'reset'); a panic from process() has
 * none. Every reply carries the ring generation (`epoch`) it was made in,
 * which each 'reset' sets, so the main thread can tell replies about the old
 * ring from replies about the new one.
 */
import { instantiateCore, resultString } from '../lib/shared/core.js';
import {
  MODE_CAPTURE,
  MODE_SOURCE,
  RESAMPLER_MAX_SPEED,
  RESAMPLER_MIN_SPEED,
} from '../lib/shared/constants.generated.js';
import { LAYOUT } from '../lib/shared/layout.js';
import { ParamQueue } from '../lib/shared/params.js';
import {
  MARKS_TAKEN,
  closeRing,
  pullFrames,
  pushFrames,
  pushRateMark,
  ringClosed,
  ringFrames,
} from '../lib/shared/ring.js';
import { PROCESSOR_NAME } from '../lib/shared/version.js';

/** @typedef {import('../lib/shared/core.js').CoreExports} CoreExports */

/**
 * @typedef {object} ProcessorOptions
 * @property {WebAssembly.Module} module
 * @property {'shared' | 'message'} transport
 * @property {WebAssembly.Memory} [memory] the node's shared memory ('shared')
 * @property {number} [pages] size of the private memory to make here ('message')
 * @property {number} mode
 * @property {number} channels
 * @property {number} capacityFrames
 * @property {number} heapBytes
 * @property {number} sampleRate the context's, which the main thread sized the node for
 * @property {number} [inputRate] a source node's ring rate, when it differs from sampleRate (0 or absent: the same)
 * @property {boolean} [varispeed] whether the node takes the playbackRate AudioParam's values
 */

/**
 * Message transport, capture: a 'read' that finds the ring empty is held,
 * and process() answers it once this many frames wait (two quanta), or the
 * ring closed. The reader's wait is then paced by the audio rather than by
 * page timers, which a hidden tab slows to one a second or less; and a
 * reader that reads as fast as it can gets one answer per two quanta at most.
 */
const HOLD_FRAMES = 256;

/**
 * True when every value equals the first. Audio thread: one bounded pass, no allocation.
 * @param {Float32Array} values
 */
function isConstant(values) {
  const first = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false;
  return true;
}

/** @param {Float32Array[]} out */
function silence(out) {
  for (let c = 0; c < out.length; c++) out[c].fill(0);
}

class RingletProcessor extends AudioWorkletProcessor {
  /**
   * The node's AudioParams: `gain` (a-rate), applied by the core's gain
   * stage, and `playbackRate` (a-rate, AudioBufferSourceNode's range and
   * meaning), which only a node created with varispeed hands to the core;
   * every other node leaves it alone.
   */
  static get parameterDescriptors() {
    return [
      { name: 'gain', defaultValue: 1, minValue: -1e6, maxValue: 1e6, automationRate: 'a-rate' },
      {
        name: 'playbackRate',
        defaultValue: 1,
        minValue: RESAMPLER_MIN_SPEED,
        maxValue: RESAMPLER_MAX_SPEED,
        automationRate: 'a-rate',
      },
    ];
  }

  /** @param {{ processorOptions: ProcessorOptions }} options */
  constructor(options) {
    super();
    /** @type {CoreExports | null} */ this.core = null;
    this.failed = false;
    /** False once disposed, or once the core failed to start: process() returns it. */
    this.alive = true;
    /** The ring generation, set by each 'reset'. */
    this.epoch = 0;
    /** process() calls, for the 'status' reply. */
    this.calls = 0;
    this.quantum = 128;
    /** @type {Float32Array[]} */ this.inViews = [];
    /** @type {Float32Array[]} */ this.outViews = [];
    /** The core's buffer for the gain AudioParam's values. @type {Float32Array} */
    this.gainView = new Float32Array(0);
    /** The core's buffer for the playbackRate AudioParam's values; null without varispeed. @type {Float32Array | null} */
    this.rateView = null;
    /** What rl_panic said just before the core trapped, if it did. */
    /** @type {{ code: number, message: string } | null} */ this.panicNote = null;
    this.options = options.processorOptions;
    // On the message transport nothing can be shared, so the worklet owns a
    // private memory of the size the main thread computed.
    this.memory =
      this.options.transport === 'message'
        ? new WebAssembly.Memory({ initial: this.options.pages ?? 2, maximum: this.options.pages ?? 2 })
        : /** @type {WebAssembly.Memory} */ (this.options.memory);
    /**
     * Message transport only: the ring in this thread's private memory. A
     * source node's port messages write it, a capture node's read it.
     * @type {import('../lib/shared/ring.js').RingFrames | null}
     */
    this.portRing = null;
    /** @type {Int32Array | null} */ this.ringHeader = null;
    /** @type {Uint32Array | null} */ this.statsView = null;
    /** The same block as floats: the resampler's latency and lookahead. @type {Float32Array | null} */
    this.statFloats = null;
    /** @type {BigUint64Array | null} */ this.framesView = null;
    /** Message transport: settings arrive as messages and go into the core's queue here. @type {ParamQueue | null} */
    this.portParams = null;
    /** @type {Float32Array | null} */ this.meterFloats = null;
    /** @type {Uint32Array | null} */ this.meterInts = null;
    /** @type {Uint32Array | null} */ this.timebufHeader = null;
    /** @type {Float32Array | null} */ this.timebufData = null;
    this.mode = this.options.mode;
    this.channels = this.options.channels;
    /** Message transport, capture: the held read's buffer, or null when none is held. @type {Float32Array | null} */
    this.heldData = null;
    this.heldId = 0;
    this.heldEpoch = 0;
    /** The held read's answer, reused: process() posts it without allocating. */
    this.heldReply = {
      type: 'data',
      id: 0,
      epoch: 0,
      data: /** @type {Float32Array} */ (new Float32Array(0)),
      frames: 0,
      snapshot: this.newSnapshot(),
    };
    /** @type {Transferable[]} */ this.heldTransfer = [new ArrayBuffer(0)];
    this.host = {
      /** @param {number} code @param {string} message */
      panic: (code, message) => {
        this.panicNote = { code, message };
      },
    };
    this.port.onmessage = (event) => {
      try {
        this.onMessage(event.data);
      } catch (error) {
        this.fail(error, 'message');
      }
    };
    this.start('init');
  }

  /**
   * Instantiates a fresh core on the node's memory, initialises the node
   * (ring indices, counters, buffers) and tells the main thread: 'ready', or
   * 'panic', with the id of the request that asked. Used at construction and
   * by reset; runs on the audio thread but not in process(). A core that fails
   * to start at construction stops the processor: nothing can restart it,
   * since create() has rejected.
   * @param {string} where
   * @param {number} [id] the reset request's
   */
  start(where, id) {
    try {
      const o = this.options;
      const memory = this.memory;
      const core = instantiateCore(o.module, memory, this.host);
      const result = core.rlw_init_rate(
        o.mode,
        o.channels,
        o.capacityFrames,
        o.sampleRate,
        o.inputRate ?? 0,
        o.varispeed ? 1 : 0,
        o.heapBytes,
      );
      if (result !== 0) {
        throw new Error(`rlw_init_rate failed: ${resultString(core, memory, result)}`);
      }
      this.core = core;
      if (o.transport === 'message') {
        const buffer = memory.buffer;
        const ring = core.rlw_ring();
        const stats = core.rlw_stats();
        // An effect node has no ring (address 0): its snapshots read a header of zeros.
        this.portRing = ring !== 0 ? ringFrames(buffer, ring) : null;
        this.ringHeader =
          ring !== 0
            ? new Int32Array(buffer, ring, LAYOUT.RING_HEADER_BYTES >> 2)
            : new Int32Array(LAYOUT.RING_HEADER_BYTES >> 2);
        this.statsView = new Uint32Array(buffer, stats, LAYOUT.STATS_BYTES >> 2);
        this.statFloats = new Float32Array(buffer, stats, LAYOUT.STATS_BYTES >> 2);
        this.framesView = new BigUint64Array(buffer, stats + LAYOUT.STATS_OFFSET_FRAMES_PROCESSED, 1);
        this.portParams = new ParamQueue(buffer, core.rlw_params());
        const meters = core.rlw_meters();
        this.meterFloats = new Float32Array(buffer, meters, (o.channels * LAYOUT.METER_CHANNEL_BYTES) >> 2);
        this.meterInts = new Uint32Array(buffer, meters, (o.channels * LAYOUT.METER_CHANNEL_BYTES) >> 2);
        const timebuf = core.rlw_timebuf();
        this.timebufHeader = new Uint32Array(buffer, timebuf, 2);
        this.timebufData = new Float32Array(
          buffer,
          timebuf + LAYOUT.TIMEBUF_OFFSET_DATA,
          this.timebufHeader[LAYOUT.TIMEBUF_OFFSET_CAPACITY >> 2],
        );
      }
      this.panicNote = null;
      this.buildViews(this.quantum);
      this.failed = false;
      this.port.postMessage({
        type: 'ready',
        id,
        epoch: this.epoch,
        ring: core.rlw_ring(),
        stats: core.rlw_stats(),
        params: core.rlw_params(),
        meters: core.rlw_meters(),
        timebuf: core.rlw_timebuf(),
      });
    } catch (error) {
      this.core = null;
      this.failed = false;
      if (where === 'init') this.alive = false;
      this.fail(error, where, id);
    }
  }

  /** @param {number} frames */
  buildViews(frames) {
    const core = /** @type {CoreExports} */ (this.core);
    const buffer = this.memory.buffer;
    this.inViews = [];
    this.outViews = [];
    for (let c = 0; c < this.channels; c++) {
      this.inViews.push(new Float32Array(buffer, core.rlw_input(c), frames));
      this.outViews.push(new Float32Array(buffer, core.rlw_output(c), frames));
    }
    this.gainView = new Float32Array(buffer, core.rlw_gain_values(), frames);
    const rates = core.rlw_playback_rate_values();
    this.rateView = rates === 0 ? null : new Float32Array(buffer, rates, frames);
    this.quantum = frames;
  }

  /**
   * The ring's state for a message-transport reply, in a new object.
   */
  snapshot() {
    return this.fillSnapshot(this.newSnapshot());
  }

  /** A snapshot's shape, zeroed, with a meter slot per channel. */
  newSnapshot() {
    const zeros = () => new Array(this.channels).fill(0);
    return {
      writeIndex: 0,
      readIndex: 0,
      closed: false,
      underruns: 0,
      overruns: 0,
      framesProcessed: 0,
      quanta: 0,
      silentFrames: 0,
      latencyFrames: 0,
      lookaheadFrames: 0,
      heardFrames: 0,
      paramBacklog: 0,
      marksTaken: 0,
      meters: { peak: zeros(), rms: zeros(), clips: zeros() },
    };
  }

  /**
   * Writes the ring's state into `s` and returns it. No allocation: the
   * 64-bit frame counter is read as two 32-bit halves, not as a BigInt.
   * @template {ReturnType<RingletProcessor['newSnapshot']>} S
   * @param {S} s
   * @returns {S}
   */
  fillSnapshot(s) {
    const h = /** @type {Int32Array} */ (this.ringHeader);
    const st = /** @type {Uint32Array} */ (this.statsView);
    const sf = /** @type {Float32Array} */ (this.statFloats);
    const framesAt = LAYOUT.STATS_OFFSET_FRAMES_PROCESSED >> 2;
    s.writeIndex = h[LAYOUT.RING_OFFSET_WRITE_INDEX >> 2] >>> 0;
    s.readIndex = h[LAYOUT.RING_OFFSET_READ_INDEX >> 2] >>> 0;
    s.closed = h[LAYOUT.RING_OFFSET_CLOSED >> 2] !== 0;
    s.underruns = h[LAYOUT.RING_OFFSET_UNDERRUNS >> 2] >>> 0;
    s.overruns = h[LAYOUT.RING_OFFSET_OVERRUNS >> 2] >>> 0;
    // Little-endian, as wasm memory always is.
    s.framesProcessed = st[framesAt] + st[framesAt + 1] * 4294967296;
    s.quanta = st[LAYOUT.STATS_OFFSET_QUANTA >> 2];
    s.silentFrames = st[LAYOUT.STATS_OFFSET_SILENT_FRAMES >> 2];
    s.latencyFrames = sf[LAYOUT.STATS_OFFSET_LATENCY_FRAMES >> 2];
    s.lookaheadFrames = sf[LAYOUT.STATS_OFFSET_LOOKAHEAD_FRAMES >> 2];
    s.heardFrames = st[LAYOUT.STATS_OFFSET_HEARD_FRAMES >> 2];
    s.paramBacklog = this.portParams?.backlog ?? 0;
    s.marksTaken = h[MARKS_TAKEN] >>> 0;
    const f = /** @type {Float32Array} */ (this.meterFloats);
    const u = /** @type {Uint32Array} */ (this.meterInts);
    const stride = LAYOUT.METER_CHANNEL_BYTES >> 2;
    const m = s.meters;
    for (let c = 0; c < this.channels; c++) {
      m.peak[c] = f[c * stride + (LAYOUT.METER_OFFSET_PEAK >> 2)];
      m.rms[c] = f[c * stride + (LAYOUT.METER_OFFSET_RMS >> 2)];
      m.clips[c] = u[c * stride + (LAYOUT.METER_OFFSET_CLIPS >> 2)];
    }
    return s;
  }

  /**
   * Answers the held read, if one is held: when `force`, or once the ring
   * holds HOLD_FRAMES (or the buffer's worth, if less), or is closed. Called
   * from process(), and by close, reset and a failure. No allocation: the
   * reply, its snapshot and its transfer list are reused; one post per read.
   * @param {boolean} force
   */
  answerHeld(force) {
    const data = this.heldData;
    const ring = this.portRing;
    if (data === null) return;
    const room = Math.floor(data.length / this.channels);
    if (!force && ring !== null && !ringClosed(ring)) {
      const h = ring.i32;
      const fill =
        ((h[LAYOUT.RING_OFFSET_WRITE_INDEX >> 2] >>> 0) - (h[LAYOUT.RING_OFFSET_READ_INDEX >> 2] >>> 0)) >>> 0;
      if (fill < HOLD_FRAMES && fill < room) return;
    }
    this.heldData = null;
    const reply = this.heldReply;
    reply.id = this.heldId;
    reply.epoch = this.heldEpoch;
    reply.data = data;
    reply.frames = ring !== null ? pullFrames(ring, data, room) : 0;
    this.fillSnapshot(reply.snapshot);
    this.heldTransfer[0] = data.buffer;
    this.port.postMessage(reply, this.heldTransfer);
  }

  /**
   * Message transport: the latest `size` samples of the analyser's time buffer.
   * @param {number} size
   */
  timeSnapshot(size) {
    const header = /** @type {Uint32Array} */ (this.timebufHeader);
    const data = /** @type {Float32Array} */ (this.timebufData);
    const capacity = data.length;
    const n = Math.min(Math.max(size | 0, 0), capacity);
    const end = header[LAYOUT.TIMEBUF_OFFSET_WRITE_INDEX >> 2] >>> 0;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = data[(end - n + i) & (capacity - 1)];
    return { writeIndex: end, data: out };
  }

  /**
   * Message transport: audio and snapshots over the port. Runs in the port
   * handler, never in process(); every request with an id gets one reply
   * with it, and every write one 'ack'.
   * @param {{ type?: unknown, data?: Float32Array, frames?: number, id?: number }} message
   */
  onTransportMessage(message) {
    if (this.ringHeader === null) return;
    const ch = this.channels;
    const id = message.id;
    const epoch = this.epoch;
    if (message.type === 'write' && message.data) {
      const data = message.data;
      // The main thread sends only what its last snapshot proved will fit.
      const sent = Number.isInteger(message.frames) ? /** @type {number} */ (message.frames) : 0;
      const frames = Math.min(Math.max(sent, 0), Math.floor(data.length / ch));
      const ring = this.portRing;
      // A view of exactly the frames sent lets the copy be one set() unless it wraps at the ring's end.
      const sentData = frames * ch === data.length ? data : data.subarray(0, frames * ch);
      if (ring && this.options.mode === MODE_SOURCE && !ringClosed(ring)) pushFrames(ring, sentData, 0, frames);
      // `frames` says what this chunk counted for on the main thread; the snapshot what the ring holds now.
      this.port.postMessage({ type: 'ack', epoch, data, frames: sent, snapshot: this.snapshot() }, [data.buffer]);
    } else if (message.type === 'rate') {
      // A rate mark, in order with the writes: the frames written after it
      // run at this rate. The main thread never has more marks on their way
      // than the ring's queue holds, and checked the rate.
      const rate = /** @type {{ rate: number }} */ (/** @type {unknown} */ (message)).rate;
      if (this.portRing && this.options.mode === MODE_SOURCE && typeof rate === 'number') {
        pushRateMark(this.portRing, rate);
      }
    } else if (message.type === 'read' && message.data) {
      const data = message.data;
      const ring = this.portRing;
      const capture = ring !== null && this.options.mode === MODE_CAPTURE;
      const frames = capture ? pullFrames(ring, data, Math.floor(data.length / ch)) : 0;
      // Nothing to give yet: held until process() has frames for it (one at
      // a time; the main thread never asks twice). A failed or stopped core
      // makes no frames, so its reads are answered at once.
      if (
        frames === 0 &&
        capture &&
        !ringClosed(ring) &&
        this.heldData === null &&
        this.core !== null &&
        !this.failed
      ) {
        this.heldData = data;
        this.heldId = id ?? 0;
        this.heldEpoch = epoch;
        return;
      }
      this.port.postMessage({ type: 'data', id, epoch, data, frames, snapshot: this.snapshot() }, [data.buffer]);
    } else if (message.type === 'poll') {
      this.portParams?.flush(); // settings still waiting for space in the core's queue
      this.port.postMessage({ type: 'snapshot', id, epoch, snapshot: this.snapshot() });
    } else if (message.type === 'param') {
      const m = /** @type {{ kind: number, index: number, arg: number, values: number[] }} */ (
        /** @type {unknown} */ (message)
      );
      this.portParams?.send(m.kind, m.index, m.arg, m.values);
    } else if (message.type === 'time') {
      const t = this.timeSnapshot(/** @type {{ size: number }} */ (/** @type {unknown} */ (message)).size);
      this.port.postMessage({ type: 'time', id, epoch, time: t, snapshot: this.snapshot() }, [t.data.buffer]);
    } else if (message.type === 'close') {
      if (this.portRing) closeRing(this.portRing);
      this.answerHeld(true);
      this.port.postMessage({ type: 'snapshot', id, epoch, snapshot: this.snapshot() });
    }
  }

  /** @param {{ type?: unknown, data?: Float32Array, frames?: number, id?: number, epoch?: unknown }} message */
  onMessage(message) {
    switch (message?.type) {
      case 'write':
      case 'rate':
      case 'read':
      case 'poll':
      case 'param':
      case 'time':
      case 'close':
        this.onTransportMessage(message);
        break;
      case 'dispose':
        this.heldData = null; // the main thread's end is gone: nobody waits for it
        this.alive = false;
        this.core?.rlw_uninit();
        this.core = null;
        break;
      case 'reset':
        if (!this.alive) break;
        this.answerHeld(true); // in the old ring's epoch: the main thread drops what it carries
        if (Number.isInteger(message.epoch)) this.epoch = /** @type {number} */ (message.epoch);
        this.start('reset', message.id);
        break;
      case 'status':
        // Diagnostics: whether process() still keeps the processor alive.
        this.port.postMessage({
          type: 'status',
          id: message.id,
          epoch: this.epoch,
          alive: this.alive,
          failed: this.failed,
          running: this.core !== null,
          calls: this.calls,
        });
        break;
      case 'test:trap':
        // Present only in wasm built with RL_TEST_HOOKS: arms a trap inside
        // the next rlw_process. A release build ignores the message.
        this.core?.rlw_test_arm_trap?.();
        break;
    }
  }

  /**
   * Latches the failed state and reports once. Never throws.
   * @param {unknown} error
   * @param {string} where
   * @param {number} [id] the request this answers (a reset), if any
   */
  fail(error, where, id) {
    if (this.failed) return;
    this.failed = true;
    try {
      const e = error instanceof Error ? error : new Error(String(error));
      const note = this.panicNote;
      const trap = e instanceof WebAssembly.RuntimeError;
      this.port.postMessage({
        type: 'panic',
        id,
        epoch: this.epoch,
        code: note
          ? 'CORE_PANIC'
          : trap
            ? 'WASM_TRAP'
            : where === 'init' || where === 'reset'
              ? 'INIT_FAILED'
              : 'EXCEPTION',
        message: note ? `rl_panic(${note.code}): ${note.message} [${e.message}]` : e.message,
        stack: e.stack ?? '',
        time: currentTime,
        frame: currentFrame,
        where,
      });
    } catch {
      // Nothing more can be done on the audio thread; the node stays silent.
    }
    try {
      this.answerHeld(true); // a failed core makes no more frames
    } catch {
      // As above.
    }
  }

  /**
   * @param {Float32Array[][]} inputs
   * @param {Float32Array[][]} outputs
   * @param {Record<string, Float32Array>} parameters
   */
  process(inputs, outputs, parameters) {
    const out = outputs[0];
    const core = this.core;
    this.calls++;
    if (this.failed || core === null || out.length === 0) {
      if (out.length > 0) silence(out);
      return this.alive;
    }
    try {
      const frames = out[0].length;
      if (frames !== this.quantum) this.buildViews(frames);
      const channels = this.channels < out.length ? this.channels : out.length;
      if (this.mode !== MODE_SOURCE) {
        const input = inputs[0];
        for (let c = 0; c < this.channels; c++) {
          if (c < input.length) this.inViews[c].set(input[c]);
          else this.inViews[c].fill(0);
        }
      }
      // The gain AudioParam: 1 value when constant over the quantum, else one
      // per frame. The spec lets an engine pass a constant a-rate param as 1
      // value or as 128; Chromium and WebKit pass 1, Firefox (ESR 153) always
      // 128. A constant quantum goes to the core as 1 value in every engine,
      // so a UI's gain.value change is smoothed in Firefox too, not stepped.
      const gain = parameters.gain;
      let gainCount = gain === undefined ? 0 : gain.length;
      if (gainCount > 1 && isConstant(gain)) gainCount = 1;
      if (gainCount === 1) this.gainView[0] = gain[0];
      else if (gainCount > 0) this.gainView.set(gain);
      // The playbackRate AudioParam, the same way, for a node with varispeed:
      // the core ramps a constant over 5 ms and follows an automation's
      // values frame by frame. A node without it gets none (the core would
      // refuse them).
      let rateCount = 0;
      const rateView = this.rateView;
      if (rateView !== null) {
        const rate = parameters.playbackRate;
        rateCount = rate === undefined ? 0 : rate.length;
        if (rateCount > 1 && isConstant(rate)) rateCount = 1;
        if (rateCount === 1) rateView[0] = rate[0];
        else if (rateCount > 0) rateView.set(rate);
      }
      const result = core.rlw_process_rate(frames, gainCount, rateCount);
      if (result !== 0) throw new Error(`rlw_process_rate failed: ${resultString(core, this.memory, result)}`);
      for (let c = 0; c < channels; c++) out[c].set(this.outViews[c]);
      if (this.heldData !== null) this.answerHeld(false);
    } catch (error) {
      this.fail(error, 'process');
      silence(out);
    }
    return this.alive;
  }
}

// A second evaluation of this module (e.g. the same file under another URL)
// must not throw NotSupportedError from a duplicate registration.
const registered = Symbol.for(`${PROCESSOR_NAME}:registered`);
const scope = /** @type {Record<symbol, boolean>} */ (/** @type {unknown} */ (globalThis));
if (!scope[registered]) {
  registerProcessor(PROCESSOR_NAME, RingletProcessor);
  scope[registered] = true;
}
