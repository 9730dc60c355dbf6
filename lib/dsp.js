/**
 * The node's processing chain as seen from the main thread: EQ, limiter and
 * generator settings go through the parameter queue (lib/params.js) and take
 * effect at the start of the core's next quantum. Every setter validates
 * first: a rejected setting throws TypeError or RangeError naming the
 * parameter and changes nothing. Getters return what was last set here.
 * Main thread.
 */
import { PARAM } from './layout.js';
import { describe } from './util.js';

/**
 * Where settings go: the node's shared parameter queue, or on the message
 * transport a sender that posts them to the worklet.
 * @typedef {{ send(kind: number, index: number, arg: number, values?: readonly number[]): void }} ParamQueue
 */
/** @typedef {import('../types/index.js').EqBand} EqBand */
/** @typedef {import('../types/index.js').BiquadType} BiquadType */
/** @typedef {import('../types/index.js').LimiterSettings} LimiterSettings */
/** @typedef {import('../types/index.js').GeneratorSettings} GeneratorSettings */
/** @typedef {import('../types/index.js').GeneratorType} GeneratorType */

/** rl_biquad_type order, which is Web Audio's BiquadFilterType order. */
export const BIQUAD_TYPES = /** @type {const} */ (['lowpass', 'highpass', 'bandpass', 'lowshelf', 'highshelf', 'peaking', 'notch', 'allpass']);

/** rl_generator_type order. */
export const GENERATOR_TYPES = /** @type {const} */ (['sine', 'square', 'sawtooth', 'triangle', 'white-noise', 'pink-noise', 'sweep']);

export const EQ_BANDS = 8;
export const EQ_GAIN_DB = { min: -40, max: 40 };
export const LIMITER_RANGES = {
  ceilingDb: { min: -60, max: 0, default: -1 },
  attackMs: { min: 0, max: 100, default: 1 },
  releaseMs: { min: 1, max: 5000, default: 100 },
};

/**
 * @param {unknown} value
 * @param {string} where
 * @param {string} name
 * @param {number} min
 * @param {number} max
 * @param {{ exclusiveMin?: boolean, exclusiveMax?: boolean }} [bounds]
 */
function checkNumber(value, where, name, min, max, bounds = {}) {
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${name} must be a number; got ${describe(value)}`);
  }
  const low = bounds.exclusiveMin ? value > min : value >= min;
  const high = bounds.exclusiveMax ? value < max : value <= max;
  if (!Number.isFinite(value) || !low || !high) {
    const range = `${bounds.exclusiveMin ? '(' : '['}${min}, ${max}${bounds.exclusiveMax ? ')' : ']'}`;
    throw new RangeError(`${where}: ${name} must be a finite number in ${range}; got ${value}`);
  }
  return value;
}

/**
 * The new value of a field, or the current one when the field is omitted.
 * An explicit null is not "omitted": it reaches validation and is refused.
 * @param {unknown} value
 * @param {unknown} current
 */
function orCurrent(value, current) {
  return value === undefined ? current : value;
}

/**
 * @param {unknown} value
 * @param {string} where
 */
function checkObject(value, where) {
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${where}: settings must be an object; got ${describe(value)}`);
  }
  return /** @type {Record<string, unknown>} */ (value);
}

/** The 8-band parametric EQ. Bands default to peaking at 60·2^k Hz, Q √2, 0 dB. */
export class Eq {
  /**
   * @param {ParamQueue} params
   * @param {number} sampleRate
   */
  constructor(params, sampleRate) {
    /** @private @readonly */ this.params = params;
    /** @private @readonly */ this.sampleRate = sampleRate;
    /** @private @type {EqBand[]} */
    this.bands = Array.from({ length: EQ_BANDS }, (_, k) => Object.freeze({ type: 'peaking', frequency: 60 * 2 ** k, q: Math.SQRT2, gainDb: 0 }));
    /** @private */ this.bypassed = false;
  }

  /** Number of bands. */
  get bandCount() {
    return this.bands.length;
  }

  /**
   * Sets band `index`. Omitted fields keep their current values. Takes effect
   * at the next quantum, smoothly (no zipper noise).
   * @param {number} index 0 .. bandCount - 1
   * @param {Partial<EqBand>} band
   */
  setBand(index, band) {
    const where = 'eq.setBand';
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.bands.length) {
      throw new RangeError(`${where}: index must be an integer from 0 to ${this.bands.length - 1}; got ${String(index)}`);
    }
    const b = checkObject(band, where);
    const current = this.bands[index];
    const type = orCurrent(b.type, current.type);
    if (typeof type !== 'string' || !BIQUAD_TYPES.includes(/** @type {BiquadType} */ (type))) {
      throw new TypeError(`${where}: type must be one of ${BIQUAD_TYPES.join(', ')}; got ${String(type)}`);
    }
    const nyquist = this.sampleRate / 2;
    const frequency = checkNumber(orCurrent(b.frequency, current.frequency), where, 'frequency', 0, nyquist, { exclusiveMin: true, exclusiveMax: true });
    // Q follows BiquadFilterNode's meaning per type: for lowpass and highpass
    // it is a resonance in dB (at most 40), for the others a plain Q (at most 1000).
    const maxQ = type === 'lowpass' || type === 'highpass' ? 40 : 1000;
    const q = checkNumber(orCurrent(b.q, current.q), where, 'q', 0, maxQ, { exclusiveMin: true });
    const gainDb = checkNumber(orCurrent(b.gainDb, current.gainDb), where, 'gainDb', EQ_GAIN_DB.min, EQ_GAIN_DB.max);
    const next = Object.freeze({ type: /** @type {BiquadType} */ (type), frequency, q, gainDb });
    this.bands[index] = next;
    this.params.send(PARAM.EQ_BAND, index, BIQUAD_TYPES.indexOf(next.type), [frequency, q, gainDb]);
  }

  /**
   * The band as last set.
   * @param {number} index
   * @returns {EqBand}
   */
  getBand(index) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.bands.length) {
      throw new RangeError(`eq.getBand: index must be an integer from 0 to ${this.bands.length - 1}; got ${String(index)}`);
    }
    return this.bands[index];
  }

  /** True to pass audio around the EQ. */
  get bypass() {
    return this.bypassed;
  }

  set bypass(value) {
    if (typeof value !== 'boolean') throw new TypeError(`eq.bypass must be a boolean; got ${describe(value)}`);
    this.bypassed = value;
    this.params.send(PARAM.EQ_BYPASS, 0, value ? 1 : 0);
  }
}

/** The safety limiter: no lookahead, output never above the ceiling. */
export class Limiter {
  /** @param {ParamQueue} params */
  constructor(params) {
    /** @private @readonly */ this.params = params;
    /** @private @type {LimiterSettings} */
    this.settings = Object.freeze({
      ceilingDb: LIMITER_RANGES.ceilingDb.default,
      attackMs: LIMITER_RANGES.attackMs.default,
      releaseMs: LIMITER_RANGES.releaseMs.default,
    });
    /** @private */ this.bypassed = false;
  }

  /**
   * Omitted fields keep their current values.
   * @param {Partial<LimiterSettings>} settings
   */
  set(settings) {
    const where = 'limiter.set';
    const s = checkObject(settings, where);
    const r = LIMITER_RANGES;
    const ceilingDb = checkNumber(orCurrent(s.ceilingDb, this.settings.ceilingDb), where, 'ceilingDb', r.ceilingDb.min, r.ceilingDb.max);
    const attackMs = checkNumber(orCurrent(s.attackMs, this.settings.attackMs), where, 'attackMs', r.attackMs.min, r.attackMs.max);
    const releaseMs = checkNumber(orCurrent(s.releaseMs, this.settings.releaseMs), where, 'releaseMs', r.releaseMs.min, r.releaseMs.max);
    this.settings = Object.freeze({ ceilingDb, attackMs, releaseMs });
    this.params.send(PARAM.LIMITER, 0, 0, [ceilingDb, attackMs, releaseMs]);
  }

  /** @returns {LimiterSettings} */
  get() {
    return this.settings;
  }

  get bypass() {
    return this.bypassed;
  }

  set bypass(value) {
    if (typeof value !== 'boolean') throw new TypeError(`limiter.bypass must be a boolean; got ${describe(value)}`);
    this.bypassed = value;
    this.params.send(PARAM.LIMITER_BYPASS, 0, value ? 1 : 0);
  }
}

/**
 * The signal generator. While running it is the node's input: it replaces
 * the ring (source nodes) or the inputs (effect and capture nodes).
 */
export class Generator {
  /**
   * @param {ParamQueue} params
   * @param {number} sampleRate
   */
  constructor(params, sampleRate) {
    /** @private @readonly */ this.params = params;
    /** @private @readonly */ this.sampleRate = sampleRate;
    /** @private @type {GeneratorSettings} */
    this.settings = Object.freeze({ type: 'sine', frequency: 440, amplitude: 0.5, endFrequency: 20000, durationSeconds: 10 });
    /** @private */ this.running = false;
  }

  /**
   * Omitted fields keep their current values.
   * @param {Partial<GeneratorSettings>} settings
   */
  set(settings) {
    const where = 'generator.set';
    const s = checkObject(settings, where);
    const type = orCurrent(s.type, this.settings.type);
    if (typeof type !== 'string' || !GENERATOR_TYPES.includes(/** @type {GeneratorType} */ (type))) {
      throw new TypeError(`${where}: type must be one of ${GENERATOR_TYPES.join(', ')}; got ${String(type)}`);
    }
    const nyquist = this.sampleRate / 2;
    const frequency = checkNumber(orCurrent(s.frequency, this.settings.frequency), where, 'frequency', 0, nyquist, { exclusiveMin: true, exclusiveMax: true });
    const amplitude = checkNumber(orCurrent(s.amplitude, this.settings.amplitude), where, 'amplitude', 0, 1);
    const endFrequency = checkNumber(orCurrent(s.endFrequency, this.settings.endFrequency), where, 'endFrequency', 0, nyquist, { exclusiveMin: true, exclusiveMax: true });
    const durationSeconds = checkNumber(orCurrent(s.durationSeconds, this.settings.durationSeconds), where, 'durationSeconds', 0.01, 3600);
    this.settings = Object.freeze({ type: /** @type {GeneratorType} */ (type), frequency, amplitude, endFrequency, durationSeconds });
    this.params.send(PARAM.GENERATOR, 0, GENERATOR_TYPES.indexOf(this.settings.type), [frequency, amplitude, endFrequency, durationSeconds]);
  }

  /** @returns {GeneratorSettings} */
  get() {
    return this.settings;
  }

  /** True while the generator feeds the node. */
  get started() {
    return this.running;
  }

  start() {
    this.running = true;
    this.params.send(PARAM.GENERATOR_RUN, 0, 1);
  }

  stop() {
    this.running = false;
    this.params.send(PARAM.GENERATOR_RUN, 0, 0);
  }
}
