// What both library pages measure. A page builds its graph with its
// library's nodes and a ringlet effect and source node, and returns numbers;
// test/consumer/run.mjs judges them.
export const SAMPLE_RATE = 48000;
/** The effect's input: a 1500 Hz sine at amplitude 1, through the effect at gain 0.5. */
export const EFFECT_HZ = 1500;
/** The source node's ring: a 3000 Hz sine at amplitude 0.25. */
export const SOURCE_HZ = 3000;
export const SOURCE_AMPLITUDE = 0.25;
/** The offline renders last 2 s (750 quanta); the effect's gain drops to 0 at 1.5 s. */
export const SECONDS = 2;
export const GAIN_OFF_AT = 1.5;

/**
 * The amplitude of the `hz` component of x[from, to): one DFT bin, exact
 * for a sine with a whole number of periods in the window.
 * @param {Float32Array} x
 * @param {number} from
 * @param {number} to
 * @param {number} hz
 * @param {number} sampleRate
 */
export function amplitudeAt(x, from, to, hz, sampleRate) {
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    const phase = (2 * Math.PI * hz * i) / sampleRate;
    re += x[i] * Math.cos(phase);
    im -= x[i] * Math.sin(phase);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

/** A sine for a source node's ring. */
export function sine(frames, hz, amplitude, sampleRate) {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return out;
}

/**
 * What a rendered 2 s buffer holds: the effect's tone while its gain is 0.5
 * (0.5 s .. 1.5 s) and after it went to 0 (1.6 s .. 2 s), and the source's
 * tone throughout.
 * @param {Float32Array} out
 * @param {number} sampleRate
 */
export function measureRender(out, sampleRate) {
  const at = (/** @type {number} */ s) => Math.round(s * sampleRate);
  return {
    frames: out.length,
    effectOn: amplitudeAt(out, at(0.5), at(1.5), EFFECT_HZ, sampleRate),
    effectOff: amplitudeAt(out, at(1.6), at(2), EFFECT_HZ, sampleRate),
    source: amplitudeAt(out, at(0.5), at(1.5), SOURCE_HZ, sampleRate),
    sourceLate: amplitudeAt(out, at(1.6), at(2), SOURCE_HZ, sampleRate),
  };
}

/** Polls `ok` every 20 ms for up to `ms`; true when it held. */
export async function until(ok, ms = 5000) {
  const deadline = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/**
 * Resolves once `ctx`'s clock advances. WebKitGTK can report 'running'
 * after resume() while its clock stands still; a second suspend/resume
 * restarts it. Bounded: three restarts. Says whether it runs, and how many
 * restarts that took.
 * @param {{ currentTime: number, suspend(): Promise<void>, resume(): Promise<void> }} ctx
 */
export async function clockRuns(ctx) {
  let restarts = 0;
  const from = ctx.currentTime;
  while (!(await until(() => ctx.currentTime > from + 0.1, 2000)) && restarts < 3) {
    restarts += 1;
    await Promise.race([ctx.suspend().then(() => ctx.resume()), new Promise((r) => setTimeout(r, 5000))]);
  }
  return { running: ctx.currentTime > from + 0.1, restarts };
}

/**
 * A realtime effect node fed a 1500 Hz sine at amplitude 1, gain 0.5: what
 * its meters and analyser say, then the same after reset() (the core
 * restarts and plays again), then dispose().
 * @param {any} fx a RingletNode in mode 'effect'
 * @param {number} sampleRate the context's
 */
export async function exerciseRealtime(fx, sampleRate) {
  const heard = () => until(() => Math.abs(fx.meters().peak[0] - 0.5) < 0.005 && fx.stats().framesProcessed > 0);
  const spectrumPeak = () => {
    const spectrum = new Float32Array(fx.analyser.frequencyBinCount);
    fx.analyser.getFloatFrequencyData(spectrum);
    return spectrum.indexOf(Math.max(...spectrum));
  };
  const before = await heard();
  const peak = fx.meters().peak[0];
  await until(() => spectrumPeak() === Math.round(EFFECT_HZ / (sampleRate / fx.analyser.fftSize)));
  const peakBin = spectrumPeak();
  const expectedBin = Math.round(EFFECT_HZ / (sampleRate / fx.analyser.fftSize));
  await fx.reset();
  const afterReset = await heard();
  const stateAfterReset = fx.state;
  fx.dispose();
  return {
    before,
    peak,
    peakBin,
    expectedBin,
    afterReset,
    stateAfterReset,
    stateAfterDispose: fx.state,
    transport: fx.transport,
  };
}

/** Runs `fn`, returning the error's name and message (or null when it did not throw). */
export async function rejection(fn) {
  try {
    await fn();
    return null;
  } catch (error) {
    return { name: error?.name, message: String(error?.message) };
  }
}
