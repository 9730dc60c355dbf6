/**
 * The node's spectrum analyser, with AnalyserNode's API and conventions
 * (Blackman window, smoothing over time, dB and byte scaling), so drawing
 * code written for an AnalyserNode works unchanged.
 *
 * The audio thread only keeps a time buffer of the node's output (mono
 * down-mix). The FFT runs here, in C, in a private instance of the core on a
 * memory of its own, and only when new audio has arrived since the last
 * computation. Main thread.
 */
import { coreImports, checkCore } from './core.js';
import { LAYOUT } from './layout.js';
import { describe } from './util.js';

/** @typedef {import('./core.js').CoreExports} CoreExports */

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
 * A time source over the node's shared capture buffer (RL_CAPTURE_OFFSET_*).
 * @param {ArrayBufferLike} buffer
 * @param {number} offset
 * @returns {TimeSource}
 */
export function sharedTimeSource(buffer, offset) {
  const header = new Uint32Array(buffer, offset, 2);
  const capacity = header[LAYOUT.CAPTURE_OFFSET_CAPACITY >> 2];
  const data = new Float32Array(buffer, offset + LAYOUT.CAPTURE_OFFSET_DATA, capacity);
  const writeIndex = () => Atomics.load(header, LAYOUT.CAPTURE_OFFSET_WRITE_INDEX >> 2) >>> 0;
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
    /** @private @type {{ x: CoreExports, memory: WebAssembly.Memory, spectrum: number, time: number, out: number, bytes: number } | null} */
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
      if (this.engine) this.initSpectrum(this.engine);
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
    const e = this.compute();
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
    const e = this.compute();
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
   * Runs the FFT if new audio arrived since the last one.
   * @private
   */
  compute() {
    const e = this.engine ?? (this.engine = this.start());
    const at = this.source.writeIndex();
    if (at !== this.cachedAt || this.size !== this.cachedSize) {
      const time = new Float32Array(e.memory.buffer, e.time, this.size);
      this.source.latest(time, this.size);
      e.x.rl_spectrum_float(e.spectrum, e.time, this.smoothing, e.out);
      this.cachedAt = at;
      this.cachedSize = this.size;
    }
    return e;
  }

  /** @private */
  start() {
    // A throw-away instance answers where the heap starts and how big a
    // spectrum of the largest size is; the real one gets a memory that fits.
    const probeMemory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: this.shared });
    const probe = checkCore(new WebAssembly.Instance(this.module, coreImports(probeMemory)), probeMemory);
    const spectrum = (probe.rl_heap_base() + 63) & ~63;
    const bytes = (probe.rl_spectrum_heap_size(MAX_FFT) + 63) & ~63;
    const time = spectrum + bytes;
    const out = time + MAX_FFT * 4;
    const pages = Math.ceil((out + (MAX_FFT / 2) * 4) / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: this.shared });
    const x = checkCore(new WebAssembly.Instance(this.module, coreImports(memory)), memory);
    const engine = { x, memory, spectrum, time, out, bytes };
    this.initSpectrum(engine);
    return engine;
  }

  /**
   * @private
   * @param {{ x: CoreExports, spectrum: number, bytes: number }} e
   */
  initSpectrum(e) {
    const r = e.x.rl_spectrum_init(e.spectrum, this.size, e.bytes);
    if (r !== 0) throw new Error(`rl_spectrum_init(${this.size}) failed with rl_result ${r}`);
  }
}

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
