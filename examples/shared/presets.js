// EQ presets shared by the eq-analyser and offline-render examples. Each
// preset lists up to 8 partial bands over the defaults (peaking at 60·2^k Hz,
// Q √2, 0 dB); bands it omits are flat.

/** @typedef {import('../../types/index.js').EqBand} EqBand */

/** @type {Record<string, { label: string, bands: Partial<EqBand>[] }>} */
export const PRESETS = {
  flat: { label: 'Flat', bands: [] },
  loudness: {
    label: 'Loudness (V)',
    bands: [
      { type: 'lowshelf', frequency: 90, q: 0.8, gainDb: 7 },
      {},
      { gainDb: 1 },
      { gainDb: -2 },
      { gainDb: -3 },
      { gainDb: -1 },
      { gainDb: 2 },
      { type: 'highshelf', frequency: 7500, q: 0.8, gainDb: 6 },
    ],
  },
  bass: {
    label: 'Bass boost',
    bands: [{ type: 'lowshelf', frequency: 110, q: 0.9, gainDb: 9 }, { gainDb: 2 }, { gainDb: -1.5 }],
  },
  presence: {
    label: 'Vocal presence',
    bands: [
      { type: 'highpass', frequency: 80, q: 0.7, gainDb: 0 },
      {},
      { gainDb: -2.5 },
      {},
      {},
      { frequency: 2400, q: 1.2, gainDb: 4 },
      { frequency: 4200, q: 1.5, gainDb: 3 },
      { type: 'highshelf', frequency: 9000, q: 0.7, gainDb: -2 },
    ],
  },
  telephone: {
    label: 'Telephone',
    bands: [
      { type: 'highpass', frequency: 320, q: 1, gainDb: 0 },
      {},
      {},
      {},
      { frequency: 1500, q: 1, gainDb: 5 },
      {},
      {},
      { type: 'lowpass', frequency: 3400, q: 1, gainDb: 0 },
    ],
  },
};

/**
 * Band i's default: peaking at 60·2^i Hz, Q √2, 0 dB.
 * @param {number} i
 * @returns {EqBand}
 */
export function defaultBand(i) {
  return { type: 'peaking', frequency: 60 * 2 ** i, q: Math.SQRT2, gainDb: 0 };
}

/**
 * All 8 bands of a preset, complete.
 * @param {string} name
 * @returns {EqBand[]}
 */
export function presetBands(name) {
  const bands = PRESETS[name]?.bands ?? [];
  return Array.from({ length: 8 }, (_, i) => ({ ...defaultBand(i), ...(bands[i] ?? {}) }));
}

/**
 * Fills a <select> with the presets.
 * @param {HTMLSelectElement} select
 * @param {string} [selected]
 */
export function fillPresetSelect(select, selected = 'flat') {
  select.replaceChildren(
    ...Object.entries(PRESETS).map(([value, p]) => new Option(p.label, value, false, value === selected)),
  );
}

/**
 * The EQ's total response in dB at `freqs`, from BiquadFilterNode.getFrequencyResponse
 * on throwaway nodes (ringlet's bands use BiquadFilterNode's coefficients). Main thread.
 * @param {readonly EqBand[]} bands
 * @param {number} sampleRate
 * @param {Float32Array} freqs
 */
export function responseDb(bands, sampleRate, freqs) {
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate });
  const total = new Float32Array(freqs.length);
  const mag = new Float32Array(freqs.length);
  const phase = new Float32Array(freqs.length);
  for (const b of bands) {
    const f = new BiquadFilterNode(ctx, { type: b.type, frequency: b.frequency, Q: b.q, gain: b.gainDb });
    f.getFrequencyResponse(freqs, mag, phase);
    for (let k = 0; k < freqs.length; k++) total[k] += 20 * Math.log10(Math.max(mag[k], 1e-6));
  }
  return total;
}
