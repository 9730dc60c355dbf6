// Resampling quality, measured the same way for every converter: ringlet's
// core (resampler.bench.js, in wasm), `sox ... rate -v` (resampler.bench.js)
// and Chromium's decodeAudioData and AudioBufferSourceNode
// (resampler.browser.js, in the page). Pure JavaScript, no Node or DOM
// imports, so the page imports it as is.
//
// The measures follow what soxr and libsamplerate publish for their best
// modes, all at 0.5 amplitude in float:
//   - SNR of a tone after a least-squares fit of a sine at its frequency
//     (amplitude, phase and DC free, so delay and gain do not count), over
//     0.2 .. 0.8 s of output: 1 kHz and 15 kHz at 44.1 -> 48 kHz and back
//     (the figure; sox -v: 138 and 139 dB).
//   - Passband: the gain of 30 stepped tones from 20 Hz to 0.45 of the lower
//     rate (19,845 Hz at 44.1 -> 48 kHz), from the same fit; ripple = max -
//     min in dB.
//   - Stopband: 96 -> 44.1 kHz, 27 tones from 22.05 kHz (the output's
//     Nyquist frequency) to 47.9 kHz, each of which can only come out as an
//     alias: the output's RMS against the input's, worst case.
//   - Aliasing of a sweep: 96 -> 44.1 kHz, a linear sweep from 22.05 kHz to
//     47.9 kHz over 2 s, the output's RMS against the input's.

export const AMPLITUDE = 0.5;

/** A sine of `seconds` at `rate`, as float32. */
export function tone(frequency, rate, seconds, amplitude = AMPLITUDE) {
  const n = Math.round(seconds * rate);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / rate + 0.3);
  return x;
}

/** A linear sweep from f0 to f1 over `seconds` at `rate`, as float32. */
export function sweep(f0, f1, rate, seconds, amplitude = AMPLITUDE) {
  const n = Math.round(seconds * rate);
  const k = (f1 - f0) / seconds;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    x[i] = amplitude * Math.sin(2 * Math.PI * (f0 * t + 0.5 * k * t * t));
  }
  return x;
}

/**
 * Least-squares fit of a cos(w j) + b sin(w j) + c over [j0, j1), with w in
 * radians per frame. Returns the tone's amplitude and the SNR in dB (the
 * tone against everything that is not it).
 * @param {Float32Array} y @param {number} j0 @param {number} j1 @param {number} w
 */
export function sineFit(y, j0, j1, w) {
  const s = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  for (let j = j0; j < j1; j++) {
    const v = [Math.cos(w * j), Math.sin(w * j), 1];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) s[a][b] += v[a] * v[b];
      s[a][3] += v[a] * y[j];
    }
  }
  for (let k = 0; k < 3; k++) {
    for (let a = 0; a < 3; a++) {
      if (a === k) continue;
      const f = s[a][k] / s[k][k];
      for (let b = 0; b < 4; b++) s[a][b] -= f * s[k][b];
    }
  }
  const [ca, cb, cc] = [0, 1, 2].map((a) => s[a][3] / s[a][a]);
  let res = 0;
  for (let j = j0; j < j1; j++) {
    const e = y[j] - (ca * Math.cos(w * j) + cb * Math.sin(w * j) + cc);
    res += e * e;
  }
  const amp = Math.hypot(ca, cb);
  return { amp, snr: 10 * Math.log10((0.5 * amp * amp) / (res / (j1 - j0))) };
}

/** RMS of y over [j0, j1). */
export function rms(y, j0, j1) {
  let s = 0;
  for (let j = j0; j < j1; j++) s += y[j] * y[j];
  return Math.sqrt(s / (j1 - j0));
}

/**
 * @callback Converter
 * @param {Float32Array} x mono input at inRate
 * @param {number} inRate
 * @param {number} outRate
 * @returns {Promise<Float32Array>} the output at outRate
 */

/**
 * Every measure for one converter.
 * @param {Converter} convert
 * @param {{ rippleTones?: number, stopbandTones?: number }} [o]
 */
export async function measureAll(convert, o = {}) {
  const rippleTones = o.rippleTones ?? 30;
  const stopbandTones = o.stopbandTones ?? 27;
  const snr = async (inRate, outRate, f) => {
    const y = await convert(tone(f, inRate, 1.2), inRate, outRate);
    return sineFit(y, Math.round(0.2 * outRate), Math.round(0.8 * outRate), (2 * Math.PI * f) / outRate).snr;
  };
  const result = {
    snr: {
      up1k: await snr(44100, 48000, 1000),
      up15k: await snr(44100, 48000, 15000),
      down1k: await snr(48000, 44100, 1000),
      down15k: await snr(48000, 44100, 15000),
    },
    passband: { edgeHz: 0.45 * 44100, minDb: Infinity, maxDb: -Infinity, edgeDb: 0, rippleDb: 0 },
    stopband: { fromHz: 22050, toHz: 47900, /** @type {number | null} */ worstDb: -Infinity, worstHz: 0 },
    /** @type {number | null} */
    sweepAliasDb: 0,
  };
  for (let t = 0; t < rippleTones; t++) {
    const f = 20 * (result.passband.edgeHz / 20) ** (t / (rippleTones - 1));
    const y = await convert(tone(f, 44100, 0.6), 44100, 48000);
    const { amp } = sineFit(y, Math.round(0.1 * 48000), Math.round(0.5 * 48000), (2 * Math.PI * f) / 48000);
    const g = 20 * Math.log10(amp / AMPLITUDE);
    result.passband.minDb = Math.min(result.passband.minDb, g);
    result.passband.maxDb = Math.max(result.passband.maxDb, g);
    if (t === rippleTones - 1) result.passband.edgeDb = g;
  }
  result.passband.rippleDb = result.passband.maxDb - result.passband.minDb;
  const inRms = AMPLITUDE / Math.SQRT2;
  for (let t = 0; t < stopbandTones; t++) {
    const f = result.stopband.fromHz + ((result.stopband.toHz - result.stopband.fromHz) * t) / (stopbandTones - 1);
    const y = await convert(tone(f, 96000, 0.3), 96000, 44100);
    // An output of exact zeros (sox works in 32-bit integers inside) is -Infinity.
    const level = 20 * Math.log10(rms(y, Math.round(0.05 * 44100), Math.round(0.25 * 44100)) / inRms);
    if (level > result.stopband.worstDb) {
      result.stopband.worstDb = level;
      result.stopband.worstHz = f;
    }
  }
  {
    const y = await convert(sweep(22050, 47900, 96000, 2), 96000, 44100);
    result.sweepAliasDb = 20 * Math.log10(rms(y, Math.round(0.1 * 44100), Math.round(1.9 * 44100)) / inRms);
  }
  // JSON has no -Infinity: null, "exactly 0".
  if (result.stopband.worstDb === -Infinity) result.stopband.worstDb = null;
  if (result.sweepAliasDb === -Infinity) result.sweepAliasDb = null;
  return result;
}

/** A mono float32 WAV file. */
export function encodeWav(x, rate) {
  const buffer = new ArrayBuffer(46 + x.length * 4);
  const v = new DataView(buffer);
  const text = (at, s) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, 38 + x.length * 4, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 18, true);
  v.setUint16(20, 3, true); // IEEE float
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 4, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 32, true);
  v.setUint16(36, 0, true); // no extension
  text(38, 'data');
  v.setUint32(42, x.length * 4, true);
  const data = new Float32Array(x.length);
  data.set(x);
  new Uint8Array(buffer, 46).set(new Uint8Array(data.buffer));
  return buffer;
}

/** The first channel of a float32 WAV file (plain or extensible format). */
export function decodeWav(buffer) {
  const v = new DataView(buffer);
  let at = 12;
  let channels = 1;
  let bits = 0;
  while (at + 8 <= v.byteLength) {
    const id = String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
    const size = v.getUint32(at + 4, true);
    if (id === 'fmt ') {
      channels = v.getUint16(at + 10, true);
      bits = v.getUint16(at + 22, true);
    } else if (id === 'data') {
      if (bits !== 32) throw new Error(`decodeWav: ${bits}-bit data, expected float32`);
      const frames = Math.floor(size / 4 / channels);
      const y = new Float32Array(frames);
      for (let i = 0; i < frames; i++) y[i] = v.getFloat32(at + 8 + i * 4 * channels, true);
      return y;
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('decodeWav: no data chunk');
}
