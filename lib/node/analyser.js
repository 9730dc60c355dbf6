/**
 * The node's spectrum analyser, with AnalyserNode's API and conventions
 * (Blackman window, smoothing over time, dB and byte scaling), so drawing
 * code written for an AnalyserNode works unchanged.
 *
 * The audio thread only keeps a time buffer of the node's output (mono
 * down-mix). The FFT runs here, in C, in a private instance of the core on a
 * memory of its own, and only when new audio has arrived since the last
 * computation. Every call into that instance is behind the panic boundary of
 * GuardedCore: a trap is recorded, thrown as RingletError 'WASM_TRAP', and
 * the next call runs on a fresh instance. Main thread.
 */
import { GuardedCore } from './guarded-core.js';
import { LAYOUT } from '../shared/layout.js';
import { describe } from '../shared/util.js';

/** @typedef {import('../shared/core.js').CoreExports} CoreExports */

const MAX_FFT = LAYOUT.SPECTRUM_MAX_FFT_SIZE;
const MIN_FFT = LAYOUT.SPECTRUM_MIN_FFT_SIZE;

/**
 * Where the latest samples come from: the node's shared time buffer, or the
 * message transport's last snapshot.
 * @typedef {object} TimeSource
 * @property {() => number} writeIndex samples written so far (uint32, wraps)
 * @property {(out: Float32Array, count: number) => void} latest copies the latest `count` samples, oldest first
 */

/**
 * A time source over the node's shared time buffer (RL_TIMEBUF_OFFSET_*).
 * @param {ArrayBufferLike} buffer
 * @param {number} offset
 * @returns {TimeSource}
 */
export function sharedTimeSource(buffer, offset) {
  const header = new Uint32Array(buffer, offset, 2);
  const capacity = header[LAYOUT.TIMEBUF_OFFSET_CAPACITY >> 2];
  const data = new Float32Array(buffer, offset + LAYOUT.TIMEBUF_OFFSET_DATA, capacity);
  const writeIndex = () => Atomics.load(header, LAYOUT.TIMEBUF_OFFSET_WRITE_INDEX >> 2) >>> 0;
  return {
    writeIndex,
    latest(out, count) {
      const end = writeIndex() & (capacity - 1);
      const start = (end - count) & (capacity - 1);
      if (start < end) {
        out.set(data.subarray(start, end));
      } else {
        out.set(data.subarray(start));
        out.set(data.subarray(0, end), capacity - start);
      }
    },
  };
}

export class Analyser {
  /**
   * @param {WebAssembly.Module} module the node's core (ringlet.wasm, on a shared or a private memory)
   * @param {boolean} shared whether that module imports a shared memory
   * @param {TimeSource} source
   */
  constructor(module, shared, source) {
    /** @private @readonly */ this.module = module;
    /** @private @readonly */ this.shared = shared;
    /** @private @readonly */ this.source = source;
    /** @private */ this.size = 2048;
    /** @private */ this.smoothing = 0.8;
    /** @private */ this.minDb = -100;
    /** @private */ this.maxDb = -30;
    /** The FFT's instance and its layout; `size` is the fftSize its spectrum was set up for. @private @type {Engine | null} */
    this.engine = null;
    /** Write index and settings of the cached spectrum. @private */
    this.cachedAt = -1;
    /** @private */ this.cachedSize = 0;
    /** @private */ this.timeScratch = new Float32Array(0);
  }

  /** A power of two from 32 to 32768; default 2048. */
  get fftSize() {
    return this.size;
  }
  set fftSize(value) {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < MIN_FFT ||
      value > MAX_FFT ||
      (value & (value - 1)) !== 0
    ) {
      throw new RangeError(
        `analyser.fftSize must be a power of two from ${MIN_FFT} to ${MAX_FFT}; got ${String(value)}`,
      );
    }
    if (value !== this.size) {
      this.size = value;
      this.cachedAt = -1;
    }
  }

  /** fftSize / 2. */
  get frequencyBinCount() {
    return this.size / 2;
  }

  /** 0 .. 1; default 0.8. */
  get smoothingTimeConstant() {
    return this.smoothing;
  }
  set smoothingTimeConstant(value) {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new RangeError(`analyser.smoothingTimeConstant must be a number from 0 to 1; got ${String(value)}`);
    }
    this.smoothing = value;
  }

  /** Default -100; must stay below maxDecibels. */
  get minDecibels() {
    return this.minDb;
  }
  set minDecibels(value) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value >= this.maxDb) {
      throw new RangeError(
        `analyser.minDecibels must be a finite number below maxDecibels (${this.maxDb}); got ${String(value)}`,
      );
    }
    this.minDb = value;
  }

  /** Default -30; must stay above minDecibels. */
  get maxDecibels() {
    return this.maxDb;
  }
  set maxDecibels(value) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= this.minDb) {
      throw new RangeError(
        `analyser.maxDecibels must be a finite number above minDecibels (${this.minDb}); got ${String(value)}`,
      );
    }
    this.maxDb = value;
  }

  /**
   * The spectrum in dB, as AnalyserNode.getFloatFrequencyData. Copies
   * min(array.length, frequencyBinCount) values.
   * @param {Float32Array} array
   */
  getFloatFrequencyData(array) {
    checkArray(array, Float32Array, 'getFloatFrequencyData');
    const e = this.compute('analyser.getFloatFrequencyData');
    const n = Math.min(array.length, this.size / 2);
    array.set(new Float32Array(e.memory.buffer, e.out, n));
  }

  /**
   * The spectrum scaled to 0 .. 255 between minDecibels and maxDecibels, as
   * AnalyserNode.getByteFrequencyData.
   * @param {Uint8Array} array
   */
  getByteFrequencyData(array) {
    checkArray(array, Uint8Array, 'getByteFrequencyData');
    const e = this.compute('analyser.getByteFrequencyData');
    const n = Math.min(array.length, this.size / 2);
    const db = new Float32Array(e.memory.buffer, e.out, n);
    const scale = 255 / (this.maxDb - this.minDb);
    for (let k = 0; k < n; k++) {
      const v = Math.floor(scale * (db[k] - this.minDb));
      array[k] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }

  /**
   * The latest fftSize samples of the node's output (mono down-mix), as
   * AnalyserNode.getFloatTimeDomainData.
   * @param {Float32Array} array
   */
  getFloatTimeDomainData(array) {
    checkArray(array, Float32Array, 'getFloatTimeDomainData');
    if (array.length >= this.size) {
      this.source.latest(array, this.size);
      return;
    }
    // AnalyserNode copies the oldest `length` samples of the window.
    if (this.timeScratch.length !== this.size) this.timeScratch = new Float32Array(this.size);
    this.source.latest(this.timeScratch, this.size);
    array.set(this.timeScratch.subarray(0, array.length));
  }

  /**
   * Runs the FFT if new audio arrived since the last one, on a fresh
   * instance if the last one trapped.
   * @private
   * @param {string} where the public call, for messages
   */
  compute(where) {
    let e = this.engine;
    if (e === null || e.core.broken) {
      e = this.engine = this.start(where);
      this.cachedAt = -1;
    }
    const engine = e;
    if (engine.size !== this.size) {
      const r = engine.core.call(where, (x) => x.rlw_spectrum_init(engine.spectrum, this.size, engine.bytes));
      if (r !== 0) throw new Error(`rlw_spectrum_init(${this.size}) failed with rl_result ${r}`);
      engine.size = this.size;
      this.cachedAt = -1;
    }
    const at = this.source.writeIndex();
    if (at !== this.cachedAt || this.size !== this.cachedSize) {
      const time = new Float32Array(engine.memory.buffer, engine.time, this.size);
      this.source.latest(time, this.size);
      engine.core.call(where, (x) => x.rlw_spectrum_float(engine.spectrum, engine.time, this.smoothing, engine.out));
      this.cachedAt = at;
      this.cachedSize = this.size;
    }
    return engine;
  }

  /**
   * A fresh instance on a memory that fits the largest spectrum.
   * @private
   * @param {string} where
   * @returns {Engine}
   */
  start(where) {
    // A throw-away instance answers where the heap starts and how big a
    // spectrum of the largest size is; the real one gets a memory that fits.
    const probeMemory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: this.shared });
    const probe = GuardedCore.create(this.module, probeMemory, where);
    const { spectrum, bytes } = probe.call(where, (x) => ({
      spectrum: x.rlw_heap_base(), // 64-byte aligned
      bytes: (x.rlw_spectrum_heap_size(MAX_FFT) + 63) & ~63,
    }));
    const time = spectrum + bytes;
    const out = time + MAX_FFT * 4;
    const pages = Math.ceil((out + (MAX_FFT / 2) * 4) / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: this.shared });
    const core = GuardedCore.create(this.module, memory, where);
    return { core, x: core.x, memory, spectrum, time, out, bytes, size: 0 };
  }
}

/**
 * The analyser's instance of the core and where its buffers are.
 * @typedef {object} Engine
 * @property {GuardedCore} core
 * @property {CoreExports} x the instance's exports (core.x)
 * @property {WebAssembly.Memory} memory
 * @property {number} spectrum
 * @property {number} time
 * @property {number} out
 * @property {number} bytes
 * @property {number} size the fftSize the spectrum is set up for (0: not yet)
 */

/**
 * @param {unknown} array
 * @param {Float32ArrayConstructor | Uint8ArrayConstructor} type
 * @param {string} method
 */
function checkArray(array, type, method) {
  if (!(array instanceof type)) {
    throw new TypeError(`analyser.${method}: array must be a ${type.name}; got ${describe(array)}`);
  }
}
