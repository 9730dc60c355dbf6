/**
 * The node's processing chain as seen from the main thread: EQ, limiter and
 * generator settings go through the parameter queue (lib/shared/params.js) and take
 * effect at the start of the core's next quantum. Every setter validates
 * first: a rejected setting throws TypeError or RangeError naming the
 * parameter and changes nothing. Getters return what was last set here.
 * Main thread; the validators (checkEqBand, checkLimiterSettings, checkChain)
 * also serve offline renders, on any thread.
 */
import {
  EQ_DEFAULT_BANDS,
  EQ_MAX_GAIN_DB,
  EQ_MAX_Q,
  EQ_MAX_Q_DB,
  EQ_MIN_GAIN_DB,
  LIMITER_DEFAULT_ATTACK_MS,
  LIMITER_DEFAULT_CEILING_DB,
  LIMITER_DEFAULT_RELEASE_MS,
  LIMITER_MAX_ATTACK_MS,
  LIMITER_MAX_CEILING_DB,
  LIMITER_MAX_RELEASE_MS,
  LIMITER_MIN_ATTACK_MS,
  LIMITER_MIN_CEILING_DB,
  LIMITER_MIN_RELEASE_MS,
  PARAM_EQ_BAND,
  PARAM_EQ_BYPASS,
  PARAM_GENERATOR,
  PARAM_GENERATOR_RUN,
  PARAM_LIMITER,
  PARAM_LIMITER_BYPASS,
  WAVEFORMS,
} from './constants.generated.js';
import { describe } from './util.js';

/**
 * Where settings go: the node's shared parameter queue, or on the message
 * transport a sender that posts them to the worklet.
 * @typedef {{ send(kind: number, index: number, arg: number, values?: readonly number[]): void }} ParamQueue
 */
/** @typedef {import('../../types/index.js').EqBand} EqBand */
/** @typedef {import('../../types/index.js').BiquadType} BiquadType */
/** @typedef {import('../../types/index.js').LimiterSettings} LimiterSettings */
/** @typedef {import('../../types/index.js').GeneratorSettings} GeneratorSettings */
/** @typedef {import('../../types/index.js').GeneratorType} GeneratorType */

/** rl_biquad_type order, which is Web Audio's BiquadFilterType order. */
const BIQUAD_TYPES = /** @type {const} */ ([
  'lowpass',
  'highpass',
  'bandpass',
  'lowshelf',
  'highshelf',
  'peaking',
  'notch',
  'allpass',
]);

/** The waveforms in rl_waveform order, generated from the header. */
const GENERATOR_TYPES = /** @type {readonly GeneratorType[]} */ (WAVEFORMS);

const EQ_BANDS = EQ_DEFAULT_BANDS;
const EQ_GAIN_DB = { min: EQ_MIN_GAIN_DB, max: EQ_MAX_GAIN_DB };
const LIMITER_RANGES = {
  ceilingDb: { min: LIMITER_MIN_CEILING_DB, max: LIMITER_MAX_CEILING_DB, default: LIMITER_DEFAULT_CEILING_DB },
  attackMs: { min: LIMITER_MIN_ATTACK_MS, max: LIMITER_MAX_ATTACK_MS, default: LIMITER_DEFAULT_ATTACK_MS },
  releaseMs: { min: LIMITER_MIN_RELEASE_MS, max: LIMITER_MAX_RELEASE_MS, default: LIMITER_DEFAULT_RELEASE_MS },
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

/**
 * Band `index`'s setting on a fresh node: peaking at 60·2^k Hz, Q √2, 0 dB.
 * @param {number} index
 * @returns {EqBand}
 */
function defaultEqBand(index) {
  return Object.freeze({ type: 'peaking', frequency: 60 * 2 ** index, q: Math.SQRT2, gainDb: 0 });
}

/**
 * Validates an EQ band; omitted fields come from `current`. The one set of
 * rules for node.eq.setBand and an offline render's chain. Throws TypeError
 * or RangeError naming the field, prefixed with `where`.
 * @param {unknown} band
 * @param {EqBand} current
 * @param {number} sampleRate
 * @param {string} where
 * @returns {EqBand}
 */
function checkEqBand(band, current, sampleRate, where) {
  const b = checkObject(band, where);
  const type = orCurrent(b.type, current.type);
  if (typeof type !== 'string' || !BIQUAD_TYPES.includes(/** @type {BiquadType} */ (type))) {
    throw new TypeError(`${where}: type must be one of ${BIQUAD_TYPES.join(', ')}; got ${String(type)}`);
  }
  const nyquist = sampleRate / 2;
  const frequency = checkNumber(orCurrent(b.frequency, current.frequency), where, 'frequency', 0, nyquist, {
    exclusiveMin: true,
    exclusiveMax: true,
  });
  // Q follows BiquadFilterNode's meaning per type: for lowpass and highpass
  // it is a resonance in dB (at most 40), for the others a plain Q (at most 1000).
  const maxQ = type === 'lowpass' || type === 'highpass' ? EQ_MAX_Q_DB : EQ_MAX_Q;
  const q = checkNumber(orCurrent(b.q, current.q), where, 'q', 0, maxQ, { exclusiveMin: true });
  const gainDb = checkNumber(orCurrent(b.gainDb, current.gainDb), where, 'gainDb', EQ_GAIN_DB.min, EQ_GAIN_DB.max);
  return Object.freeze({ type: /** @type {BiquadType} */ (type), frequency, q, gainDb });
}

/**
 * Validates limiter settings; omitted fields come from `current`. Shared by
 * node.limiter.set and an offline render's chain.
 * @param {unknown} settings
 * @param {LimiterSettings} current
 * @param {string} where
 * @returns {LimiterSettings}
 */
function checkLimiterSettings(settings, current, where) {
  const s = checkObject(settings, where);
  /** @param {keyof typeof LIMITER_RANGES} key */
  const field = (key) =>
    checkNumber(orCurrent(s[key], current[key]), where, key, LIMITER_RANGES[key].min, LIMITER_RANGES[key].max);
  return Object.freeze({ ceilingDb: field('ceilingDb'), attackMs: field('attackMs'), releaseMs: field('releaseMs') });
}

/** The limiter's settings on a fresh node. @type {LimiterSettings} */
const DEFAULT_LIMITER = Object.freeze({
  ceilingDb: LIMITER_RANGES.ceilingDb.default,
  attackMs: LIMITER_RANGES.attackMs.default,
  releaseMs: LIMITER_RANGES.releaseMs.default,
});

/** The range of an offline render's `gain`: the gain AudioParam's. */
const GAIN_RANGE = { min: -1e6, max: 1e6 };

/**
 * @param {unknown} value
 * @param {string} where
 * @param {string} name
 */
function checkBoolean(value, where, name) {
  if (typeof value !== 'boolean') throw new TypeError(`${where}: ${name} must be a boolean; got ${describe(value)}`);
  return value;
}

/**
 * @param {Record<string, unknown>} object
 * @param {readonly string[]} known
 * @param {string} where
 */
function checkKeys(object, known, where) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new TypeError(`${where}: unknown setting '${key}'; the settings are ${known.join(', ')}`);
    }
  }
}

/** @typedef {{ kind: number, index: number, arg: number, values: number[] }} ChainMessage */

/**
 * The settings of an offline render (the ones a node takes), checked with
 * the node's rules and turned into the parameter-queue messages the node's
 * setters would send, in the order they would send them. Throws TypeError or
 * RangeError naming the setting, e.g. "renderOffline: chain.eq.bands[2]:
 * frequency must be ...". An omitted setting keeps the node's default; an
 * explicit null is refused, except as a band, where it keeps that band's
 * default. Any thread.
 * @param {unknown} chain undefined for a node's defaults
 * @param {number} sampleRate
 * @param {string} where e.g. 'renderOffline'
 * @returns {{ gain: number, messages: ChainMessage[] }}
 */
export function checkChain(chain, sampleRate, where) {
  /** @type {ChainMessage[]} */
  const messages = [];
  if (chain === undefined) return { gain: 1, messages };
  const c = checkObject(chain, `${where}: chain`);
  checkKeys(c, ['gain', 'eq', 'limiter'], `${where}: chain`);
  const gain =
    c.gain === undefined ? 1 : checkNumber(c.gain, `${where}: chain`, 'gain', GAIN_RANGE.min, GAIN_RANGE.max);
  if (c.eq !== undefined) {
    const at = `${where}: chain.eq`;
    const eq = checkObject(c.eq, at);
    checkKeys(eq, ['bands', 'bypass'], at);
    if (eq.bands !== undefined) {
      const bands = eq.bands;
      if (!Array.isArray(bands)) {
        throw new TypeError(
          `${at}: bands must be an array of up to ${EQ_BANDS} bands (null keeps a band's default); got ${describe(bands)}`,
        );
      }
      if (bands.length > EQ_BANDS)
        throw new RangeError(`${at}: bands must have at most ${EQ_BANDS} entries; got ${bands.length}`);
      for (let i = 0; i < bands.length; i++) {
        if (bands[i] === null || bands[i] === undefined) continue;
        const b = checkEqBand(bands[i], defaultEqBand(i), sampleRate, `${at}.bands[${i}]`);
        messages.push({
          kind: PARAM_EQ_BAND,
          index: i,
          arg: BIQUAD_TYPES.indexOf(b.type),
          values: [b.frequency, b.q, b.gainDb],
        });
      }
    }
    if (eq.bypass !== undefined) {
      messages.push({
        kind: PARAM_EQ_BYPASS,
        index: 0,
        arg: checkBoolean(eq.bypass, at, 'bypass') ? 1 : 0,
        values: [],
      });
    }
  }
  if (c.limiter !== undefined) {
    const at = `${where}: chain.limiter`;
    const l = checkObject(c.limiter, at);
    checkKeys(l, ['ceilingDb', 'attackMs', 'releaseMs', 'bypass'], at);
    if (l.ceilingDb !== undefined || l.attackMs !== undefined || l.releaseMs !== undefined) {
      const s = checkLimiterSettings(l, DEFAULT_LIMITER, at);
      messages.push({ kind: PARAM_LIMITER, index: 0, arg: 0, values: [s.ceilingDb, s.attackMs, s.releaseMs] });
    }
    if (l.bypass !== undefined) {
      messages.push({
        kind: PARAM_LIMITER_BYPASS,
        index: 0,
        arg: checkBoolean(l.bypass, at, 'bypass') ? 1 : 0,
        values: [],
      });
    }
  }
  return { gain, messages };
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
    this.bands = Array.from({ length: EQ_BANDS }, (_, k) => defaultEqBand(k));
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
      throw new RangeError(
        `${where}: index must be an integer from 0 to ${this.bands.length - 1}; got ${String(index)}`,
      );
    }
    const next = checkEqBand(band, this.bands[index], this.sampleRate, where);
    this.bands[index] = next;
    this.params.send(PARAM_EQ_BAND, index, BIQUAD_TYPES.indexOf(next.type), [next.frequency, next.q, next.gainDb]);
  }

  /**
   * The band as last set.
   * @param {number} index
   * @returns {EqBand}
   */
  getBand(index) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.bands.length) {
      throw new RangeError(
        `eq.getBand: index must be an integer from 0 to ${this.bands.length - 1}; got ${String(index)}`,
      );
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
    this.params.send(PARAM_EQ_BYPASS, 0, value ? 1 : 0);
  }
  /** Sends every band and the bypass again, to a core that was reinitialised (node.reset). */
  resend() {
    this.bands.forEach((b, k) =>
      this.params.send(PARAM_EQ_BAND, k, BIQUAD_TYPES.indexOf(b.type), [b.frequency, b.q, b.gainDb]),
    );
    this.params.send(PARAM_EQ_BYPASS, 0, this.bypassed ? 1 : 0);
  }
}

/** The safety limiter: no lookahead, output never above the ceiling. */
export class Limiter {
  /** @param {ParamQueue} params */
  constructor(params) {
    /** @private @readonly */ this.params = params;
    /** @private @type {LimiterSettings} */
    this.settings = DEFAULT_LIMITER;
    /** @private */ this.bypassed = false;
  }

  /**
   * Omitted fields keep their current values.
   * @param {Partial<LimiterSettings>} settings
   */
  set(settings) {
    const next = checkLimiterSettings(settings, this.settings, 'limiter.set');
    this.settings = next;
    this.params.send(PARAM_LIMITER, 0, 0, [next.ceilingDb, next.attackMs, next.releaseMs]);
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
    this.params.send(PARAM_LIMITER_BYPASS, 0, value ? 1 : 0);
  }
  /** Sends the settings and the bypass again, to a core that was reinitialised (node.reset). */
  resend() {
    const t = this.settings;
    this.params.send(PARAM_LIMITER, 0, 0, [t.ceilingDb, t.attackMs, t.releaseMs]);
    this.params.send(PARAM_LIMITER_BYPASS, 0, this.bypassed ? 1 : 0);
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
    this.settings = Object.freeze({
      type: 'sine',
      frequency: 440,
      amplitude: 0.5,
      endFrequency: 20000,
      durationSeconds: 10,
    });
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
    const frequency = checkNumber(orCurrent(s.frequency, this.settings.frequency), where, 'frequency', 0, nyquist, {
      exclusiveMin: true,
      exclusiveMax: true,
    });
    const amplitude = checkNumber(orCurrent(s.amplitude, this.settings.amplitude), where, 'amplitude', 0, 1);
    const endFrequency = checkNumber(
      orCurrent(s.endFrequency, this.settings.endFrequency),
      where,
      'endFrequency',
      0,
      nyquist,
      { exclusiveMin: true, exclusiveMax: true },
    );
    const durationSeconds = checkNumber(
      orCurrent(s.durationSeconds, this.settings.durationSeconds),
      where,
      'durationSeconds',
      0.01,
      3600,
    );
    this.settings = Object.freeze({
      type: /** @type {GeneratorType} */ (type),
      frequency,
      amplitude,
      endFrequency,
      durationSeconds,
    });
    this.params.send(PARAM_GENERATOR, 0, GENERATOR_TYPES.indexOf(this.settings.type), [
      frequency,
      amplitude,
      endFrequency,
      durationSeconds,
    ]);
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
    this.params.send(PARAM_GENERATOR_RUN, 0, 1);
  }

  stop() {
    this.running = false;
    this.params.send(PARAM_GENERATOR_RUN, 0, 0);
  }
  /** Sends the settings and the running state again, to a core that was reinitialised (node.reset). */
  resend() {
    const t = this.settings;
    this.params.send(PARAM_GENERATOR, 0, GENERATOR_TYPES.indexOf(t.type), [
      t.frequency,
      t.amplitude,
      t.endFrequency,
      t.durationSeconds,
    ]);
    if (this.running) this.params.send(PARAM_GENERATOR_RUN, 0, 1);
  }
}
