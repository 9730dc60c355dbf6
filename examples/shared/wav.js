// A small WAV (RIFF, 16-bit PCM or 32-bit float) encoder and header parser. No DOM: usable
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
  const frames = Math.min(...channels.map((c) => c.length));
  const writer = new WavWriter(channels.length, sampleRate, frames, 'float32');
  writer.append(channels, 0, frames);
  return writer.finish();
}

/** @typedef {'pcm16' | 'float32'} WavFormat */

/**
 * Writes a 44-byte RIFF/WAVE header: format 1 (PCM) for 16-bit, 3 (IEEE
 * float) for 32-bit.
 * @param {DataView} v
 * @param {WavFormat} format
 * @param {number} channels
 * @param {number} sampleRate
 * @param {number} dataBytes
 */
function writeHeader(v, format, channels, sampleRate, dataBytes) {
  const bytes = format === 'float32' ? 4 : 2;
  const ascii = (/** @type {number} */ at, /** @type {string} */ s) => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, format === 'float32' ? 3 : 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * bytes, true);
  v.setUint16(32, channels * bytes, true);
  v.setUint16(34, bytes * 8, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
}

/**
 * Builds a WAV incrementally, for a recorder that does not know its length
 * up front: append() planar or interleaved chunks, then finish(). Holds the
 * samples in the file's own format ('pcm16', the default, or 'float32',
 * which keeps them exactly) in growing blocks.
 */
export class WavWriter {
  /**
   * @param {number} channels
   * @param {number} sampleRate
   * @param {number} [expectedFrames] a capacity hint
   * @param {WavFormat} [format]
   */
  constructor(channels, sampleRate, expectedFrames = sampleRate * 10, format = 'pcm16') {
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.format = format;
    this.frames = 0;
    /** @type {Int16Array | Float32Array} */
    this.data = this.allocate(Math.max(1, expectedFrames) * channels);
  }

  /**
   * @private
   * @param {number} length
   */
  allocate(length) {
    return this.format === 'float32' ? new Float32Array(length) : new Int16Array(length);
  }

  /** @param {number} frames */
  reserve(frames) {
    const needed = (this.frames + frames) * this.channels;
    if (needed <= this.data.length) return;
    const bigger = this.allocate(Math.max(needed, this.data.length * 2));
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
    const convert = this.format === 'float32' ? (/** @type {number} */ x) => x : toInt16;
    for (let c = 0; c < ch; c++) {
      const src = planar[Math.min(c, planar.length - 1)];
      for (let i = 0; i < count; i++) this.data[base + i * ch + c] = convert(src[offset + i]);
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
    if (this.format === 'float32') this.data.set(interleaved.subarray(0, n), base);
    else for (let i = 0; i < n; i++) this.data[base + i] = toInt16(interleaved[i]);
    this.frames += count;
  }

  /**
   * A waveform overview: the lowest and highest sample of all channels in
   * each of `buckets` equal spans of the take, as [min0, max0, min1, max1,
   * ...], in -1 .. 1 (float samples beyond full scale kept as they are).
   * @param {number} buckets
   */
  overview(buckets) {
    const out = new Float32Array(buckets * 2);
    const ch = this.channels;
    const scale = this.format === 'float32' ? 1 : 1 / 32768;
    for (let b = 0; b < buckets && this.frames > 0; b++) {
      const from = Math.floor((b * this.frames) / buckets) * ch;
      const to = Math.max(from + ch, Math.floor(((b + 1) * this.frames) / buckets) * ch);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = from; i < to; i++) {
        const x = this.data[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      out[2 * b] = lo * scale;
      out[2 * b + 1] = hi * scale;
    }
    return out;
  }

  /** @returns {ArrayBuffer} the complete file */
  finish() {
    const ch = this.channels;
    const n = this.frames * ch;
    const bytes = this.format === 'float32' ? 4 : 2;
    const buffer = new ArrayBuffer(44 + n * bytes);
    writeHeader(new DataView(buffer), this.format, ch, this.sampleRate, n * bytes);
    if (this.format === 'float32') new Float32Array(buffer, 44, n).set(this.data.subarray(0, n));
    else new Int16Array(buffer, 44, n).set(this.data.subarray(0, n));
    return buffer;
  }
}

/** @param {number} x */
function toInt16(x) {
  const c = x > 1 ? 1 : x < -1 ? -1 : x || 0;
  return Math.round(c < 0 ? c * 32768 : c * 32767);
}

/**
 * Reads a WAV's format ('pcm', 'float' or the format code) and where its
 * samples are. Handles extra chunks before 'data'. Throws a TypeError for
 * anything else.
 * @param {ArrayBuffer} buffer
 * @returns {{ format: string, channels: number, sampleRate: number, bitsPerSample: number, frames: number, dataOffset: number, dataBytes: number }}
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
        format: fmt.format === 3 ? 'float' : fmt.format === 1 ? 'pcm' : `format ${fmt.format}`,
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
 * The samples of a 16-bit PCM or 32-bit float WAV as interleaved floats.
 * @param {ArrayBuffer} buffer
 */
export function wavSamples(buffer) {
  const info = parseWav(buffer);
  const n = info.frames * info.channels;
  if (info.format === 'float' && info.bitsPerSample === 32) {
    return { ...info, samples: new Float32Array(buffer.slice(info.dataOffset, info.dataOffset + n * 4)) };
  }
  if (info.format !== 'pcm' || info.bitsPerSample !== 16)
    throw new TypeError(`wavSamples: only 16-bit PCM and 32-bit float; got ${info.bitsPerSample}-bit ${info.format}`);
  const ints = new Int16Array(buffer.slice(info.dataOffset, info.dataOffset + n * 2));
  const out = new Float32Array(ints.length);
  for (let i = 0; i < ints.length; i++) out[i] = ints[i] / 32768;
  return { ...info, samples: out };
}
