/** Checking the shape of audio handed to a ring end. Internal; any thread. */
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
      throw new RangeError(`${who}: ${name} (interleaved) must hold whole ${channels}-channel frames; its length ${data.length} is not a multiple of ${channels}`);
    }
    return data.length / channels;
  }
  if (Array.isArray(data)) {
    for (let c = 0; c < data.length; c++) {
      if (!(data[c] instanceof Float32Array)) {
        throw new TypeError(`${who}: ${name}[${c}] must be a Float32Array (planar data is one per channel); got ${describe(data[c])}`);
      }
    }
    if (data.length !== channels) {
      throw new RangeError(`${who}: ${name} (planar) must have exactly ${channels} channels; got ${data.length}`);
    }
    for (let c = 1; c < channels; c++) {
      if (data[c].length !== data[0].length) {
        throw new RangeError(`${who}: ${name}[${c}] has ${data[c].length} frames but ${name}[0] has ${data[0].length}; planar channels must be equal in length`);
      }
    }
    return data[0].length;
  }
  throw new TypeError(`${who}: ${name} must be a Float32Array (interleaved) or an array of ${channels} Float32Arrays (planar); got ${describe(data)}`);
}
