// The examples' built-in sample: four bars of a small synth-pop loop (pad,
// bass, arpeggio, drums) rendered from code with an OfflineAudioContext at
// page load, so the repository carries no audio binary. Main thread.

export const SAMPLE_TITLE = 'ringlet loop: Am F C G, 120 bpm';
const BPM = 120;
const BARS = 4;
const BEAT = 60 / BPM;
/** Seconds: exactly four bars, so it loops seamlessly. */
export const SAMPLE_SECONDS = BARS * 4 * BEAT;
/** The rendered sample is normalised to this peak (−3 dBFS). */
export const SAMPLE_PEAK = 0.7;

/** MIDI note numbers per bar: Am, F, C, G. */
const CHORDS = [
  [57, 60, 64], // A3 C4 E4
  [53, 57, 60], // F3 A3 C4
  [55, 60, 64], // G3 C4 E4 (C/G)
  [55, 59, 62], // G3 B3 D4
];
const ROOTS = [45, 41, 36, 43]; // A2 F2 C2 G2

/** @param {number} note */
const hz = (note) => 440 * 2 ** ((note - 69) / 12);

/** @type {Map<number, Promise<AudioBuffer>>} */
const cache = new Map();

/**
 * Renders the loop at `sampleRate` (use the playing context's rate, so no
 * resampling happens). Stereo, SAMPLE_SECONDS long, peak SAMPLE_PEAK.
 * @param {number} sampleRate
 * @returns {Promise<AudioBuffer>}
 */
export function renderSample(sampleRate) {
  let pending = cache.get(sampleRate);
  if (!pending) {
    pending = render(sampleRate);
    cache.set(sampleRate, pending);
    pending.catch(() => cache.delete(sampleRate));
  }
  return pending;
}

/** @param {number} sampleRate */
async function render(sampleRate) {
  const length = Math.round(SAMPLE_SECONDS * sampleRate);
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length, sampleRate });
  const master = new GainNode(ctx, { gain: 0.9 });
  master.connect(ctx.destination);

  // A feedback delay, dotted eighth, for width on the arpeggio.
  const delay = new DelayNode(ctx, { delayTime: BEAT * 0.75, maxDelayTime: 2 });
  const feedback = new GainNode(ctx, { gain: 0.32 });
  const wet = new StereoPannerNode(ctx, { pan: 0.45 });
  const damp = new BiquadFilterNode(ctx, { type: 'lowpass', frequency: 3200 });
  delay.connect(damp).connect(feedback).connect(delay);
  damp.connect(wet).connect(master);

  const noise = ctx.createBuffer(1, Math.round(sampleRate * 0.5), sampleRate);
  let seed = 0x2545f491;
  const nd = noise.getChannelData(0);
  for (let i = 0; i < nd.length; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    nd[i] = ((seed >>> 0) / 4294967296) * 2 - 1;
  }

  for (let bar = 0; bar < BARS; bar++) {
    const t0 = bar * 4 * BEAT;
    pad(ctx, master, CHORDS[bar], t0, 4 * BEAT);
    for (let eighth = 0; eighth < 8; eighth++) {
      const note = ROOTS[bar] + (eighth === 3 || eighth === 6 ? 12 : 0);
      bass(ctx, master, note, t0 + (eighth * BEAT) / 2, BEAT * (eighth % 2 ? 0.35 : 0.45));
    }
    const arpNotes = [
      ...CHORDS[bar].map((n) => n + 12),
      CHORDS[bar][0] + 24,
      ...CHORDS[bar].map((n) => n + 12).reverse(),
    ];
    for (let s = 0; s < 16; s++) {
      if (s % 8 === 7) continue;
      pluck(ctx, master, delay, arpNotes[s % arpNotes.length], t0 + (s * BEAT) / 4, s % 2 ? -0.35 : 0.3);
    }
    for (let beat = 0; beat < 4; beat++) {
      kick(ctx, master, t0 + beat * BEAT);
      if (beat % 2 === 1) snare(ctx, master, noise, t0 + beat * BEAT);
      hat(ctx, master, noise, t0 + beat * BEAT + BEAT / 2, 0.16);
      if (bar === BARS - 1 && beat === 3) hat(ctx, master, noise, t0 + beat * BEAT + BEAT * 0.75, 0.1);
    }
  }
  const out = await ctx.startRendering();
  let peak = 0;
  for (let c = 0; c < out.numberOfChannels; c++) {
    for (const x of out.getChannelData(c)) peak = Math.max(peak, Math.abs(x));
  }
  const scale = peak > 0 ? SAMPLE_PEAK / peak : 1;
  for (let c = 0; c < out.numberOfChannels; c++) {
    const d = out.getChannelData(c);
    for (let i = 0; i < d.length; i++) d[i] = Math.fround(d[i] * scale);
  }
  return out;
}

/**
 * @param {BaseAudioContext} ctx
 * @param {AudioNode} out
 * @param {number[]} notes
 * @param {number} t
 * @param {number} dur
 */
function pad(ctx, out, notes, t, dur) {
  const filter = new BiquadFilterNode(ctx, { type: 'lowpass', Q: 0.8, frequency: 700 });
  filter.frequency.setValueAtTime(700, t);
  filter.frequency.linearRampToValueAtTime(2200, t + dur * 0.6);
  filter.frequency.linearRampToValueAtTime(900, t + dur);
  const env = new GainNode(ctx, { gain: 0 });
  env.gain.setValueAtTime(0, t);
  env.gain.linearRampToValueAtTime(0.05, t + 0.25);
  env.gain.setValueAtTime(0.05, t + dur - 0.12);
  env.gain.linearRampToValueAtTime(0, t + dur);
  filter.connect(env).connect(out);
  notes.forEach((note, i) => {
    for (const detune of [-9, 9]) {
      const osc = new OscillatorNode(ctx, { type: 'sawtooth', frequency: hz(note), detune });
      const pan = new StereoPannerNode(ctx, { pan: (detune < 0 ? -0.5 : 0.5) * (i % 2 ? -1 : 1) });
      osc.connect(pan).connect(filter);
      osc.start(t);
      osc.stop(t + dur);
    }
  });
}

/**
 * @param {BaseAudioContext} ctx
 * @param {AudioNode} out
 * @param {number} note
 * @param {number} t
 * @param {number} dur
 */
function bass(ctx, out, note, t, dur) {
  const osc = new OscillatorNode(ctx, { type: 'sawtooth', frequency: hz(note) });
  const sub = new OscillatorNode(ctx, { type: 'sine', frequency: hz(note) });
  const filter = new BiquadFilterNode(ctx, { type: 'lowpass', Q: 4 });
  filter.frequency.setValueAtTime(1400, t);
  filter.frequency.exponentialRampToValueAtTime(220, t + dur);
  const env = new GainNode(ctx, { gain: 0 });
  env.gain.setValueAtTime(0, t);
  env.gain.linearRampToValueAtTime(0.22, t + 0.006);
  env.gain.exponentialRampToValueAtTime(0.001, t + dur);
  const subGain = new GainNode(ctx, { gain: 0.9 });
  osc.connect(filter).connect(env).connect(out);
  sub.connect(subGain).connect(env);
  for (const o of [osc, sub]) {
    o.start(t);
    o.stop(t + dur + 0.02);
  }
}

/**
 * @param {BaseAudioContext} ctx
 * @param {AudioNode} out
 * @param {AudioNode} send
 * @param {number} note
 * @param {number} t
 * @param {number} pan
 */
function pluck(ctx, out, send, note, t, pan) {
  const osc = new OscillatorNode(ctx, { type: 'square', frequency: hz(note) });
  const filter = new BiquadFilterNode(ctx, { type: 'lowpass', Q: 2 });
  filter.frequency.setValueAtTime(5000, t);
  filter.frequency.exponentialRampToValueAtTime(900, t + 0.18);
  const env = new GainNode(ctx, { gain: 0 });
  env.gain.setValueAtTime(0, t);
  env.gain.linearRampToValueAtTime(0.07, t + 0.004);
  env.gain.exponentialRampToValueAtTime(0.0005, t + 0.22);
  const panner = new StereoPannerNode(ctx, { pan });
  osc.connect(filter).connect(env).connect(panner).connect(out);
  env.connect(send);
  osc.start(t);
  osc.stop(t + 0.25);
}

/**
 * @param {BaseAudioContext} ctx
 * @param {AudioNode} out
 * @param {number} t
 */
function kick(ctx, out, t) {
  const osc = new OscillatorNode(ctx, { type: 'sine' });
  osc.frequency.setValueAtTime(160, t);
  osc.frequency.exponentialRampToValueAtTime(42, t + 0.14);
  const env = new GainNode(ctx, { gain: 0 });
  env.gain.setValueAtTime(0, t);
  env.gain.linearRampToValueAtTime(0.95, t + 0.003);
  env.gain.exponentialRampToValueAtTime(0.001, t + 0.34);
  osc.connect(env).connect(out);
  osc.start(t);
  osc.stop(t + 0.36);
}

/**
 * @param {BaseAudioContext} ctx
 * @param {AudioNode} out
 * @param {AudioBuffer} noise
 * @param {number} t
 */
function snare(ctx, out, noise, t) {
  const src = new AudioBufferSourceNode(ctx, { buffer: noise });
  const band = new BiquadFilterNode(ctx, { type: 'bandpass', frequency: 1900, Q: 0.7 });
  const env = new GainNode(ctx, { gain: 0 });
  env.gain.setValueAtTime(0, t);
  env.gain.linearRampToValueAtTime(0.45, t + 0.002);
  env.gain.exponentialRampToValueAtTime(0.001, t + 0.2);
  src.connect(band).connect(env).connect(out);
  const body = new OscillatorNode(ctx, { type: 'triangle', frequency: 185 });
  const bodyEnv = new GainNode(ctx, { gain: 0 });
  bodyEnv.gain.setValueAtTime(0.3, t);
  bodyEnv.gain.exponentialRampToValueAtTime(0.001, t + 0.1);
  body.connect(bodyEnv).connect(out);
  src.start(t, 0.1, 0.22);
  body.start(t);
  body.stop(t + 0.12);
}

/**
 * @param {BaseAudioContext} ctx
 * @param {AudioNode} out
 * @param {AudioBuffer} noise
 * @param {number} t
 * @param {number} level
 */
function hat(ctx, out, noise, t, level) {
  const src = new AudioBufferSourceNode(ctx, { buffer: noise });
  const high = new BiquadFilterNode(ctx, { type: 'highpass', frequency: 7500 });
  const env = new GainNode(ctx, { gain: 0 });
  env.gain.setValueAtTime(0, t);
  env.gain.linearRampToValueAtTime(level, t + 0.001);
  env.gain.exponentialRampToValueAtTime(0.001, t + 0.05);
  const panner = new StereoPannerNode(ctx, { pan: 0.25 });
  src.connect(high).connect(env).connect(panner).connect(out);
  src.start(t, (t * 7.3) % 0.3, 0.06);
}
