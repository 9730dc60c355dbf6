// A small WAV (RIFF, 16-bit PCM) encoder and header parser. No DOM: usable
// on the main thread and in Workers.

/**
 * Encodes planar Float32 channels as 16-bit PCM WAV. Samples are clamped to
 * [-1, 1] and rounded; `frames` defaults to the shortest channel.
 * @param {readonly Float32Array[]} channels
 * @param {number} sampleRate
 * @param {number} [frames]
 * @returns {ArrayBuffer}
 */
export function encodeWav(channels, sampleRate, frames = Math.min(...channels.map((c) => c.length))) {
  const writer = new WavWriter(channels.length, sampleRate, frames);
  writer.append(channels, 0, frames);
  return writer.finish();
}

/**
 * Encodes planar Float32 channels as a 32-bit float WAV (WAVE_FORMAT_IEEE_FLOAT),
 * so that the samples come back exactly as they went in.
 * @param {readonly Float32Array[]} channels
 * @param {number} sampleRate
 * @returns {ArrayBuffer}
 */
export function encodeWavFloat(channels, sampleRate) {
  const ch = channels.length;
  const frames = Math.min(...channels.map((c) => c.length));
  const dataBytes = frames * ch * 4;
  const buffer = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buffer);
  const ascii = (/** @type {number} */ at, /** @type {string} */ s) => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 3, true); // IEEE float
  v.setUint16(22, ch, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * ch * 4, true);
  v.setUint16(32, ch * 4, true);
  v.setUint16(34, 32, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  const out = new Float32Array(buffer, 44, frames * ch);
  for (let c = 0; c < ch; c++) for (let i = 0; i < frames; i++) out[i * ch + c] = channels[c][i];
  return buffer;
}

/**
 * Builds a WAV incrementally, for a recorder that does not know its length
 * up front: append() planar or interleaved chunks, then finish(). Holds the
 * 16-bit data in growing blocks, never the floats.
 */
export class WavWriter {
  /**
   * @param {number} channels
   * @param {number} sampleRate
   * @param {number} [expectedFrames] a capacity hint
   */
  constructor(channels, sampleRate, expectedFrames = sampleRate * 10) {
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.frames = 0;
    /** @type {Int16Array} */
    this.data = new Int16Array(Math.max(1, expectedFrames) * channels);
  }

  /** @param {number} frames */
  reserve(frames) {
    const needed = (this.frames + frames) * this.channels;
    if (needed <= this.data.length) return;
    const bigger = new Int16Array(Math.max(needed, this.data.length * 2));
    bigger.set(this.data.subarray(0, this.frames * this.channels));
    this.data = bigger;
  }

  /**
   * Appends `count` frames starting at `offset` of planar channels.
   * @param {readonly Float32Array[]} planar
   * @param {number} offset
   * @param {number} count
   */
  append(planar, offset, count) {
    this.reserve(count);
    const ch = this.channels;
    const base = this.frames * ch;
    for (let c = 0; c < ch; c++) {
      const src = planar[Math.min(c, planar.length - 1)];
      for (let i = 0; i < count; i++) this.data[base + i * ch + c] = toInt16(src[offset + i]);
    }
    this.frames += count;
  }

  /**
   * Appends `count` interleaved frames (this.channels per frame).
   * @param {Float32Array} interleaved
   * @param {number} count
   */
  appendInterleaved(interleaved, count) {
    this.reserve(count);
    const n = count * this.channels;
    const base = this.frames * this.channels;
    for (let i = 0; i < n; i++) this.data[base + i] = toInt16(interleaved[i]);
    this.frames += count;
  }

  /** @returns {ArrayBuffer} the complete file */
  finish() {
    const ch = this.channels;
    const dataBytes = this.frames * ch * 2;
    const buffer = new ArrayBuffer(44 + dataBytes);
    const v = new DataView(buffer);
    const ascii = (/** @type {number} */ at, /** @type {string} */ s) => {
      for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
    };
    ascii(0, 'RIFF');
    v.setUint32(4, 36 + dataBytes, true);
    ascii(8, 'WAVE');
    ascii(12, 'fmt ');
    v.setUint32(16, 16, true);
    v.setUint16(20, 1, true); // PCM
    v.setUint16(22, ch, true);
    v.setUint32(24, this.sampleRate, true);
    v.setUint32(28, this.sampleRate * ch * 2, true);
    v.setUint16(32, ch * 2, true);
    v.setUint16(34, 16, true);
    ascii(36, 'data');
    v.setUint32(40, dataBytes, true);
    new Int16Array(buffer, 44, this.frames * ch).set(this.data.subarray(0, this.frames * ch));
    return buffer;
  }
}

/** @param {number} x */
function toInt16(x) {
  const c = x > 1 ? 1 : x < -1 ? -1 : x || 0;
  return Math.round(c < 0 ? c * 32768 : c * 32767);
}

/**
 * Reads a PCM WAV's format and where its samples are. Handles extra chunks
 * before 'data'. Throws a TypeError for anything else.
 * @param {ArrayBuffer} buffer
 * @returns {{ channels: number, sampleRate: number, bitsPerSample: number, frames: number, dataOffset: number, dataBytes: number }}
 */
export function parseWav(buffer) {
  const v = new DataView(buffer);
  const tag = (/** @type {number} */ at) =>
    String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
  if (buffer.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE')
    throw new TypeError('parseWav: not a RIFF/WAVE file');
  let at = 12;
  let fmt = null;
  while (at + 8 <= buffer.byteLength) {
    const id = tag(at);
    const size = v.getUint32(at + 4, true);
    if (id === 'fmt ') {
      fmt = {
        format: v.getUint16(at + 8, true),
        channels: v.getUint16(at + 10, true),
        sampleRate: v.getUint32(at + 12, true),
        bitsPerSample: v.getUint16(at + 22, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new TypeError('parseWav: data chunk before fmt chunk');
      const dataBytes = Math.min(size, buffer.byteLength - at - 8);
      return {
        channels: fmt.channels,
        sampleRate: fmt.sampleRate,
        bitsPerSample: fmt.bitsPerSample,
        frames: Math.floor(dataBytes / (fmt.channels * (fmt.bitsPerSample / 8))),
        dataOffset: at + 8,
        dataBytes,
      };
    }
    at += 8 + size + (size & 1);
  }
  throw new TypeError('parseWav: no data chunk');
}

/**
 * The samples of a 16-bit PCM WAV as interleaved floats.
 * @param {ArrayBuffer} buffer
 */
export function wavSamples(buffer) {
  const info = parseWav(buffer);
  if (info.bitsPerSample !== 16) throw new TypeError(`wavSamples: only 16-bit PCM; got ${info.bitsPerSample}-bit`);
  const ints = new Int16Array(buffer.slice(info.dataOffset, info.dataOffset + info.frames * info.channels * 2));
  const out = new Float32Array(ints.length);
  for (let i = 0; i < ints.length; i++) out[i] = ints[i] / 32768;
  return { ...info, samples: out };
}
