/** Checking the shape of audio handed to a ring end. Internal; any thread. */
import { RESAMPLER_MAX_RATE, RESAMPLER_MIN_RATE } from './constants.generated.js';
import { describe } from './util.js';

/**
 * Frames in `data`: an interleaved Float32Array holding whole frames, or one
 * Float32Array per channel, all equal in length. Throws TypeError or
 * RangeError naming `name`, with no side effects; allocates nothing.
 * @param {unknown} data
 * @param {number} channels
 * @param {string} who
 * @param {string} name
 */
export function framesOf(data, channels, who, name) {
  if (data instanceof Float32Array) {
    if (data.length % channels !== 0) {
      throw new RangeError(
        `${who}: ${name} (interleaved) must hold whole ${channels}-channel frames; its length ${data.length} is not a multiple of ${channels}`,
      );
    }
    return data.length / channels;
  }
  if (Array.isArray(data)) {
    for (let c = 0; c < data.length; c++) {
      if (!(data[c] instanceof Float32Array)) {
        throw new TypeError(
          `${who}: ${name}[${c}] must be a Float32Array (planar data is one per channel); got ${describe(data[c])}`,
        );
      }
    }
    if (data.length !== channels) {
      throw new RangeError(`${who}: ${name} (planar) must have exactly ${channels} channels; got ${data.length}`);
    }
    for (let c = 1; c < channels; c++) {
      if (data[c].length !== data[0].length) {
        throw new RangeError(
          `${who}: ${name}[${c}] has ${data[c].length} frames but ${name}[0] has ${data[0].length}; planar channels must be equal in length`,
        );
      }
    }
    return data[0].length;
  }
  throw new TypeError(
    `${who}: ${name} must be a Float32Array (interleaved) or an array of ${channels} Float32Arrays (planar); got ${describe(data)}`,
  );
}

/**
 * Checks planar audio for offline work: 1 .. 32 Float32Arrays of one length
 * and a sample rate in [minRate, 768000]. Throws TypeError or RangeError
 * naming the field, prefixed with `who`; returns the frame count.
 * @param {unknown} channels
 * @param {unknown} sampleRate
 * @param {string} who e.g. "renderOffline: input"
 * @param {number} [minRate] 3000 (a node's lowest), or 8000 for loudness
 */
export function checkPlanarAudio(channels, sampleRate, who, minRate = 3000) {
  if (!Array.isArray(channels)) {
    throw new TypeError(
      `${who}.channels must be an array of Float32Arrays, one per channel; got ${describe(channels)}`,
    );
  }
  if (channels.length < 1 || channels.length > 32) {
    throw new RangeError(`${who}.channels must hold 1 to 32 channels; got ${channels.length}`);
  }
  for (let c = 0; c < channels.length; c++) {
    if (!(channels[c] instanceof Float32Array)) {
      throw new TypeError(`${who}.channels[${c}] must be a Float32Array; got ${describe(channels[c])}`);
    }
    if (channels[c].length !== channels[0].length) {
      throw new RangeError(
        `${who}.channels[${c}] has ${channels[c].length} frames but channels[0] has ${channels[0].length}; channels must be equal in length`,
      );
    }
  }
  if (typeof sampleRate !== 'number') {
    throw new TypeError(`${who}.sampleRate must be a number; got ${describe(sampleRate)}`);
  }
  if (!Number.isFinite(sampleRate) || sampleRate < minRate || sampleRate > 768000) {
    throw new RangeError(`${who}.sampleRate must be a finite number in [${minRate}, 768000]; got ${sampleRate}`);
  }
  return /** @type {Float32Array} */ (channels[0]).length;
}

/**
 * An output rate for offline conversion (renderOffline's options.sampleRate,
 * the 'render' task's outputRate): undefined is `inputRate` (no
 * conversion); otherwise a number equal to `inputRate`, or, to convert, one
 * in RESAMPLER_MIN_RATE .. RESAMPLER_MAX_RATE with `inputRate` in that range
 * too. Throws TypeError or RangeError naming `name` and the range, prefixed
 * with `who`.
 * @param {unknown} value
 * @param {number} inputRate an already checked rate
 * @param {string} who e.g. "renderOffline"
 * @param {string} name e.g. "options.sampleRate"
 * @returns {number}
 */
export function checkOutputRate(value, inputRate, who, name) {
  if (value === undefined) return inputRate;
  const range = `a number of Hz from ${RESAMPLER_MIN_RATE} to ${RESAMPLER_MAX_RATE} (the resampler's range), or the input's own rate`;
  if (typeof value !== 'number') throw new TypeError(`${who}: ${name} must be ${range}; got ${describe(value)}`);
  if (value === inputRate) return value;
  if (!(value >= RESAMPLER_MIN_RATE && value <= RESAMPLER_MAX_RATE)) {
    throw new RangeError(`${who}: ${name} must be ${range}; got ${value}`);
  }
  if (!(inputRate >= RESAMPLER_MIN_RATE && inputRate <= RESAMPLER_MAX_RATE)) {
    throw new RangeError(
      `${who}: ${name} ${value} needs the input's sampleRate from ${RESAMPLER_MIN_RATE} to ${RESAMPLER_MAX_RATE} Hz (the resampler's range); the input runs at ${inputRate}`,
    );
  }
  return value;
}

/**
 * The length of `frames` input frames converted from `inputRate` to
 * `outputRate`: ceil(frames * outputRate / inputRate), the output frames
 * whose instants (j / outputRate) fall within the input's duration
 * (frames / inputRate). Equal rates give `frames`.
 * @param {number} frames
 * @param {number} inputRate
 * @param {number} outputRate
 */
export function convertedFrames(frames, inputRate, outputRate) {
  return inputRate === outputRate ? frames : Math.ceil((frames * outputRate) / inputRate);
}
