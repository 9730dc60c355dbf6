// The player's Generator and Recorder tabs (examples/player/studio.js),
// mounted on a fixture page that plays the player's part (fixtures/studio/:
// a context started by a click, a speakers bus with a probe on it, a
// WorkerPool). Driven through the DOM as a person would, in every engine;
// every assertion is on audio: the exported WAV's samples, the meters'
// readouts against the generator's known level, and the probe's meters on
// the speakers bus.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { engine, openBrowser, test } from './harness.js';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;
/** The context's rate (the fixture asks for 48 kHz). */
let rate = 0;

/**
 * Opens the fixture on a browser's page, starts it with a click and waits
 * (bounded) until the studio is mounted and its recorder attached.
 * @param {Awaited<ReturnType<typeof openBrowser>>} b
 */
async function mount(b) {
  await b.page.goto(`${b.server.url}/test/browser/fixtures/studio/page.html`);
  // The page's module installs the click handler; a click before it would be lost.
  await b.page.waitForFunction(() => /** @type {any} */ (window).studioStage !== undefined, null, { timeout: 15000 });
  await b.page.click('#start'); // a user gesture, for engines that need one to start audio
  const mounted = await b.page
    .waitForFunction(
      () => {
        const w = /** @type {any} */ (window);
        return w.studioError !== undefined || w.studioHost?.studio.inspect().attached === true;
      },
      null,
      { timeout: 30000 },
    )
    .then(
      () => true,
      () => false,
    );
  const status = await b.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    return {
      error: w.studioError ?? null,
      stage: w.studioStage,
      context: w.studioContext?.state,
      note: document.getElementById('studio-rec-note')?.textContent,
    };
  });
  if (!mounted || status.error) throw new Error(`the studio did not mount: ${JSON.stringify(status)}`);
}

beforeAll(async () => {
  b = await openBrowser();
  await mount(b);
  rate = await b.page.evaluate(() => /** @type {any} */ (window).studioHost.ctx.sampleRate);
});
afterAll(async () => {
  await b?.close();
});

/**
 * Types a value into a number input and commits it, as a person would.
 * @param {string} selector
 * @param {number} value
 */
async function setNumber(selector, value) {
  await b.page.fill(selector, String(value));
  await b.page.dispatchEvent(selector, 'change');
}

/** @param {string} type */
async function setWaveform(type) {
  await b.page.selectOption('#studio-gen-type', type);
}

/**
 * Waits (bounded) until the recorder has processed `seconds` more audio: past
 * a fade or a switch's ramp, however slowly a busy machine runs.
 * @param {number} seconds
 */
async function settle(seconds) {
  const from = await b.page.evaluate(() => /** @type {any} */ (window).studioHost.studio.inspect().captureFrames);
  await b.page.waitForFunction(
    (target) => /** @type {any} */ (window).studioHost.studio.inspect().captureFrames >= target,
    from + Math.round(seconds * rate),
    { timeout: 15000 + seconds * 1000 },
  );
}

/** Plays the generator, if it is not playing, and lets its fade-in pass. */
async function play() {
  if ((await b.page.getAttribute('#studio-gen-play', 'aria-pressed')) !== 'true')
    await b.page.click('#studio-gen-play');
  await settle(0.1);
}

/**
 * Records a take of `seconds` and returns its WAV's facts and samples
 * (channel 0, and whether channel 1 equals it).
 * @param {number} seconds
 */
async function recordTake(seconds) {
  const before = await b.page.evaluate(() => document.querySelectorAll('#studio-takes a[download]').length);
  await setNumber('#studio-length', seconds);
  await b.page.waitForFunction(
    () => !(/** @type {HTMLButtonElement} */ (document.getElementById('studio-record')).disabled),
    null,
    { timeout: 15000 },
  );
  await b.page.click('#studio-record');
  const n = before + 1;
  await b.page.waitForSelector(`#studio-take-${n}-download`, { timeout: (seconds + 15) * 1000 });
  return b.page.evaluate(async (id) => {
    const { wavSamples } = await import('/examples/shared/wav.js');
    const a = /** @type {HTMLAnchorElement} */ (document.getElementById(id));
    const w = wavSamples(await (await fetch(a.href)).arrayBuffer());
    const left = new Float32Array(w.frames);
    let same = true;
    let sum = 0;
    for (let i = 0; i < w.frames; i++) {
      left[i] = w.samples[i * w.channels];
      same &&= w.samples[i * w.channels + 1] === left[i];
      sum += left[i] * left[i];
    }
    return {
      format: w.format,
      bits: w.bitsPerSample,
      channels: w.channels,
      sampleRate: w.sampleRate,
      frames: w.frames,
      same,
      rms: Math.sqrt(sum / Math.max(1, w.frames)),
      left: Array.from(left),
      download: a.download,
    };
  }, `studio-take-${n}-download`);
}

/** The meters' text readouts, in dB (−∞ as -Infinity), and the clip indicators. */
const meterText = () =>
  b.page.evaluate(() => {
    const db = (/** @type {string} */ id) => {
      const t = (document.getElementById(id)?.textContent ?? '').replace('−', '-');
      return t.startsWith('-∞') ? -Infinity : parseFloat(t);
    };
    return [0, 1].map((c) => ({
      peak: db(`studio-peak-${c}`),
      rms: db(`studio-rms-${c}`),
      clip: document.getElementById(`studio-clip-${c}`)?.textContent ?? '',
    }));
  });

/**
 * Resets the bus probe (its meters start from zero), lets `seconds` of audio
 * through, and returns its peak per channel: exactly 0 when nothing reached
 * the speakers in that time.
 * @param {number} seconds
 */
const busPeak = (seconds) =>
  b.page.evaluate(async (s) => {
    const { probe, ctx } = /** @type {any} */ (window).studioHost;
    await probe.reset();
    const want = Math.round(s * ctx.sampleRate);
    const deadline = performance.now() + 20000 + s * 1000;
    while (probe.stats().framesProcessed < want && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    if (probe.transport === 'message') await probe.flush(); // a fresh snapshot of the meters
    await new Promise((r) => setTimeout(r, 100));
    return { peak: probe.meters().peak, frames: probe.stats().framesProcessed, want };
  }, seconds);

/**
 * Frequency from rising zero crossings (interpolated), between the first and the last.
 * @param {number[]} x
 */
function zeroCrossingHz(x) {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const at = i - 1 + x[i - 1] / (x[i - 1] - x[i]);
      if (first < 0) first = at;
      last = at;
      count++;
    }
  }
  return count > 1 ? ((count - 1) * rate) / (last - first) : 0;
}

test('every control of both tabs is reachable by keyboard and has an accessible name; the meters have text', async () => {
  const r = await b.page.evaluate(() => {
    const controls = [
      ...document.querySelectorAll(
        '#generator-panel :is(button, input, select, a[href]), #recorder-panel :is(button, input, select, a[href])',
      ),
    ].filter((el) => el.getClientRects().length > 0);
    const nameOf = (/** @type {Element} */ el) => {
      const label = el.getAttribute('aria-label');
      if (label) return label;
      const labels = /** @type {HTMLInputElement} */ (el).labels;
      if (labels && labels.length) return [...labels].map((l) => l.textContent?.trim()).join(' ');
      return el.textContent?.trim() ?? '';
    };
    return {
      count: controls.length,
      nameless: controls.filter((el) => !nameOf(el)).map((el) => el.outerHTML),
      untabbable: controls.filter((el) => /** @type {HTMLElement} */ (el).tabIndex < 0).map((el) => el.outerHTML),
      meterText: document.getElementById('studio-meter-text')?.textContent ?? '',
      canvases: [...document.querySelectorAll('#generator-panel canvas, #recorder-panel canvas')].map(
        (c) => c.getAttribute('aria-hidden') === 'true' || Boolean(c.getAttribute('aria-label')),
      ),
    };
  });
  expect(r.count).toBeGreaterThan(15);
  expect(r.nameless).toEqual([]);
  expect(r.untabbable).toEqual([]);
  expect(r.meterText).toMatch(/Left.*peak.*RMS.*Right.*peak.*RMS/s);
  expect(r.canvases.every(Boolean)).toBe(true);
  expect(b.errors).toEqual([]);
});

test('a 1 s take of a 1 kHz sine at −12 dBFS, sent to the recorder only, is a 32-bit float WAV of exactly 1 s at that frequency and level', async () => {
  await setWaveform('sine');
  await setNumber('#studio-gen-frequency', 1000);
  await setNumber('#studio-gen-level', -12);
  await b.page.check('#studio-route-recorder');
  await play();
  const t = await recordTake(1);
  expect(t).toMatchObject({ format: 'float', bits: 32, channels: 2, sampleRate: rate, frames: rate, same: true });
  expect(t.download).toMatch(/\.wav$/);
  const peak = Math.max(...t.left.map(Math.abs));
  expect(Math.abs(20 * Math.log10(peak) - -12)).toBeLessThan(0.05);
  expect(Math.abs(20 * Math.log10(t.rms) - (-12 - 3.0103))).toBeLessThan(0.05);
  expect(Math.abs(zeroCrossingHz(t.left) - 1000)).toBeLessThan(1);
  expect(b.errors).toEqual([]);
});

test('the meters read the generator level (peak −12 dBFS, RMS −15 dBFS) on both channels, within 0.5 dB either way', async () => {
  // The RMS meter averages over 300 ms: wait (bounded) until it has settled on a steady level.
  await b.page
    .waitForFunction(
      () => {
        const t = (document.getElementById('studio-rms-1')?.textContent ?? '').replace('−', '-');
        return Math.abs(parseFloat(t) - -15.05) < 0.3;
      },
      null,
      { timeout: 10000 },
    )
    .catch(() => {}); // the assertions below say by how much
  const m = await meterText();
  for (const c of m) {
    expect(Math.abs(c.peak - -12)).toBeLessThan(0.5);
    expect(Math.abs(c.rms - (-12 - 3.0103))).toBeLessThan(0.5);
    expect(c.clip).toBe('no clip');
  }
});

test('clip detection: the indicator stays off at −0.5 dBFS and fires at +1 dBFS (amplitude above 1), which the float WAV keeps', async () => {
  try {
    await clipCheck();
  } finally {
    await setNumber('#studio-gen-level', -12); // the next tests start from the level they expect
  }
});

async function clipCheck() {
  await setNumber('#studio-gen-level', -0.5);
  await settle(0.1);
  await b.page.click('#studio-clear-clips');
  await settle(1);
  // The readout redraws on animation frames, which a loaded machine delays: wait (bounded) for it to show the new level.
  await b.page
    .waitForFunction(
      () =>
        [0, 1].every((c) => {
          const t = (document.getElementById(`studio-peak-${c}`)?.textContent ?? '').replace('−', '-');
          return Math.abs(parseFloat(t) - -0.5) < 0.5;
        }),
      null,
      { timeout: 10000 },
    )
    .catch(() => {}); // the assertions below say what it showed
  const below = await meterText();
  expect(below.map((c) => c.clip)).toEqual(['no clip', 'no clip']);
  expect(Math.abs(below[0].peak - -0.5)).toBeLessThan(0.5);
  await setNumber('#studio-gen-level', 1);
  await b.page
    .waitForFunction(
      () => [0, 1].every((c) => /^CLIP/.test(document.getElementById(`studio-clip-${c}`)?.textContent ?? '')),
      null,
      { timeout: 10000 },
    )
    .catch(() => {});
  const above = await meterText();
  expect(above.map((c) => c.clip.startsWith('CLIP'))).toEqual([true, true]);
  const t = await recordTake(0.25);
  const peak = Math.max(...t.left.map(Math.abs));
  expect(Math.abs(20 * Math.log10(peak) - 1)).toBeLessThan(0.05);
}

test("routing 'recorder' records while the speakers bus stays silent; 'speakers' and direct monitoring reach the bus", async () => {
  await b.page.check('#studio-route-recorder');
  await b.page.check('#studio-monitor-off');
  await play();
  const silent = await busPeak(1);
  expect(silent.frames).toBeGreaterThanOrEqual(silent.want);
  expect(silent.peak).toEqual([0, 0]);
  const t = await recordTake(0.5);
  expect(t.frames).toBe(rate / 2);
  expect(t.rms).toBeGreaterThan(0.1); // the recorder heard it all the same
  // Direct monitoring sends the recorder's input to the speakers.
  await b.page.check('#studio-monitor-direct');
  const monitored = await busPeak(0.5);
  for (const p of monitored.peak) expect(Math.abs(20 * Math.log10(p) - -12)).toBeLessThan(0.5);
  // Routed monitoring sends what the recorder records.
  await b.page.check('#studio-monitor-routed');
  const routed = await busPeak(0.5);
  for (const p of routed.peak) expect(Math.abs(20 * Math.log10(p) - -12)).toBeLessThan(0.5);
  await b.page.check('#studio-monitor-off');
  // The generator to the speakers: the bus hears it at its level.
  await b.page.check('#studio-route-speakers');
  const heard = await busPeak(0.5);
  for (const p of heard.peak) expect(Math.abs(20 * Math.log10(p) - -12)).toBeLessThan(0.5);
  await b.page.check('#studio-route-recorder');
  // The switch ramps the bus send down over 10 ms of audio: measure once it is at 0.
  await settle(0.05);
  expect((await busPeak(0.5)).peak).toEqual([0, 0]);
});

test('an impulse-train take has one sample of the amplitude every rate / f frames and nothing between', async () => {
  await setWaveform('impulse');
  await setNumber('#studio-gen-frequency', 100);
  await setNumber('#studio-gen-level', -6);
  await b.page.check('#studio-route-recorder');
  await play();
  await settle(0.2); // past the waveform switch's fade
  const t = await recordTake(0.5);
  expect(t.frames).toBe(rate / 2);
  const at = [];
  for (let i = 0; i < t.left.length; i++) if (t.left[i] !== 0) at.push(i);
  const gaps = new Set(at.slice(1).map((x, k) => x - at[k]));
  const period = rate / 100;
  expect([...gaps]).toEqual(Number.isInteger(period) ? [period] : expect.arrayContaining([Math.floor(period)]));
  expect(Math.abs(at.length - t.frames / period)).toBeLessThanOrEqual(1);
  const levels = new Set(at.map((i) => t.left[i]));
  expect(levels.size).toBe(1);
  expect(Math.abs([...levels][0] - 10 ** (-6 / 20))).toBeLessThan(1e-6);
});

test('a multi-tone take peaks at the level and carries the octaves at equal amplitude', async () => {
  // The frequency first: the switch to the multitone then starts it in phase
  // (a frequency change keeps the phase running, so the sample grid could miss
  // the instant all octaves peak together).
  await setNumber('#studio-gen-frequency', 1000);
  await setNumber('#studio-gen-level', -6);
  await setWaveform('multitone');
  await play();
  await settle(0.2);
  const t = await recordTake(0.5);
  const amplitude = 10 ** (-6 / 20);
  const tones = [1000, 2000, 4000, 8000, 16000].filter((f) => f < rate / 2);
  const peak = Math.max(...t.left.map(Math.abs));
  expect(Math.abs(peak - amplitude)).toBeLessThan(1e-4);
  expect(peak).toBeLessThanOrEqual(amplitude + 1e-6);
  // A whole number of 1 kHz periods, so every octave falls on a bin.
  const n = Math.floor(t.frames / (rate / 1000)) * (rate / 1000);
  const magnitude = (/** @type {number} */ f) => {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      re += t.left[i] * Math.cos((2 * Math.PI * f * i) / rate);
      im += t.left[i] * Math.sin((2 * Math.PI * f * i) / rate);
    }
    return (2 * Math.hypot(re, im)) / n;
  };
  for (const f of tones) expect(Math.abs(magnitude(f) - amplitude / tones.length)).toBeLessThan(1e-3);
  expect(magnitude(3000)).toBeLessThan(1e-3);
});

test('without a microphone the recorder falls back to the generator and says so', async () => {
  await b.page.check('#studio-source-microphone');
  await b.page.waitForFunction(
    () => /unavailable/.test(document.getElementById('studio-source-note')?.textContent ?? ''),
    null,
    { timeout: 30000 },
  );
  const r = await b.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    return {
      source: w.studioHost.studio.inspect().source,
      checked: /** @type {HTMLInputElement} */ (document.getElementById('studio-source-generator')).checked,
      said: w.studioHost.said.some((/** @type {string} */ s) => /Microphone unavailable/.test(s)),
    };
  });
  expect(r).toEqual({ source: 'generator', checked: true, said: true });
  expect(b.errors).toEqual([]);
});

test('dispose() leaves nothing running: both nodes disposed with nothing held, no Worker, no frame loop, empty panels, a silent bus', async () => {
  await b.page.check('#studio-route-both');
  await setWaveform('sweep');
  await play();
  const before = await b.page.evaluate(() => /** @type {any} */ (window).studioHost.studio.inspect());
  expect(before).toMatchObject({ generatorNode: 'running', captureNode: 'running', animating: true, sweepTimer: true });
  // The ring is drained by a Worker where it is shared, on the main thread otherwise.
  expect(before.transport).toBe(engine.sharedArrayBuffer ? 'shared' : 'message');
  expect(before.worker).toBe(before.transport === 'shared');
  const r = await b.page.evaluate(async () => {
    const host = /** @type {any} */ (window).studioHost;
    host.studio.dispose();
    host.studio.dispose(); // idempotent
    await new Promise((resolve) => setTimeout(resolve, 300));
    return {
      state: host.studio.inspect(),
      panels: [
        document.getElementById('generator-panel')?.childElementCount,
        document.getElementById('recorder-panel')?.childElementCount,
      ],
      context: host.ctx.state,
    };
  });
  expect(r.state).toMatchObject({
    disposed: true,
    generatorNode: 'disposed',
    captureNode: 'disposed',
    worker: false,
    animating: false,
    sweepTimer: false,
  });
  const zero = { timers: 0, waiters: 0, listeners: 0, paramBacklog: 0 };
  expect(r.state.debug).toEqual({ generator: zero, capture: zero });
  expect(r.panels).toEqual([0, 0]);
  expect(r.context).toBe('running'); // the host's context is the host's
  expect((await busPeak(0.5)).peak).toEqual([0, 0]);
  expect(b.errors).toEqual([]);
});

test("with the engine's fake microphone, a take of the microphone is non-silent and exactly as long, and dispose() releases the device", async () => {
  const mic = await openBrowser({ fakeMedia: true });
  try {
    await mount(mic);
    await mic.page.check('#studio-source-microphone');
    await mic.page.waitForFunction(
      () => /** @type {any} */ (window).studioHost.studio.inspect().source === 'microphone',
      null,
      {
        timeout: 30000,
      },
    );
    const micRate = await mic.page.evaluate(() => /** @type {any} */ (window).studioHost.ctx.sampleRate);
    await mic.page.fill('#studio-length', '0.5');
    await mic.page.click('#studio-record');
    await mic.page.waitForSelector('#studio-take-1-download', { timeout: 20000 });
    const r = await mic.page.evaluate(async () => {
      const { wavSamples } = await import('/examples/shared/wav.js');
      const a = /** @type {HTMLAnchorElement} */ (document.getElementById('studio-take-1-download'));
      const w = wavSamples(await (await fetch(a.href)).arrayBuffer());
      let sum = 0;
      for (const x of w.samples) sum += x * x;
      const host = /** @type {any} */ (window).studioHost;
      const live = host.studio.inspect().microphone;
      host.studio.dispose();
      return {
        frames: w.frames,
        rms: Math.sqrt(sum / w.samples.length),
        live,
        after: host.studio.inspect().microphone,
      };
    });
    expect(r.frames).toBe(micRate / 2);
    expect(r.rms).toBeGreaterThan(0.001); // the fake device makes a sound
    expect(r.live).toEqual(['live']);
    expect(r.after).toEqual(['ended']);
    expect(mic.errors).toEqual([]);
  } finally {
    await mic.close();
  }
});
