// The player (examples/player/), driven as a person would, in every engine:
// it opens generated files (one pure tone per second, fixtures/player-media.js,
// made by ffmpeg at the context's rate) from the URL field, a drop and the
// file input; plays, seeks by click, drag and slider, loops A-B, changes
// speed, turns EQ knobs, switches spectrum modes, exports through the chain
// and cancels an export, keeps its playlist across a reload, and answers
// the keyboard. Each step is checked by what is heard (the tone the node's
// analyser finds in its output, and its level) or by the samples of the
// exported WAV, not only by the DOM. axe-core finds no serious or critical
// accessibility problem on any tab, in a dark and a light theme.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { engine, openBrowser, test } from './harness.js';
import { DEV_IMPORTS } from '../../scripts/serve.mjs';
import { STEPS, STEP_AMPLITUDE, makeSteps } from './fixtures/player-media.js';
import { MEDIA_DIR } from './fixtures/media.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const PLAYER = '/examples/player/';
/** Codecs this engine cannot decode (see stream.test.js; FLAC and MP3 decode in WebAssembly, ringlet/stream-worker-wasm): the player must say so. */
const MISSING = engine.family === 'webkit' ? ['m4a', 'ogg'] : [];

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;
let rate = 0;
/** @type {Record<string, { url: string, name: string, rate: number, seconds: number }>} */
const files = {};

/**
 * In-page helpers, installed after every load: what the analyser hears.
 * `tone()` is the loudest bin's frequency and level; `levelAt(f)` the
 * loudest level within ±2 bins of f.
 */
const installHelpers = () =>
  b.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const ex = w.ringletExample;
    const keep = new Float32Array(32);
    /**
     * A fresh spectrum, unsmoothed. The analyser runs its FFT once per new
     * block of audio, as AnalyserNode does, so reads in one task see one
     * smoothing step over whatever the last FFT (the page's own drawing, or an
     * earlier step of the file) left. With smoothing off, the first FFT on new
     * audio is the spectrum of that audio alone: read until one has run (the
     * data changes), then give the page its smoothing back. On the 'message'
     * transport the node's analyser holds the worklet's last snapshot: ask for
     * a new one each time and let it arrive first.
     */
    const spectrum = async () => {
      const a = ex.node.analyser;
      const d = new Float32Array(a.frequencyBinCount);
      const seen = new Float32Array(a.frequencyBinCount);
      const smoothing = a.smoothingTimeConstant;
      a.smoothingTimeConstant = 0;
      try {
        a.getFloatFrequencyData(seen);
        for (let i = 0; i < 100; i++) {
          if (ex.node.transport === 'message') a.getFloatTimeDomainData(keep);
          await new Promise((r) => setTimeout(r, ex.node.transport === 'message' ? 40 : 10));
          a.getFloatFrequencyData(d);
          if (d.some((x, k) => x !== seen[k])) return { d, binHz: ex.ctx.sampleRate / a.fftSize };
        }
        throw new Error('the analyser ran no FFT on new audio in 100 tries');
      } finally {
        a.smoothingTimeConstant = smoothing;
      }
    };
    w.__player = {
      async tone() {
        // The position once the spectrum is in: the FFT ran on the audio that
        // was just heard, and waiting for it may take a while on a busy page.
        const { d, binHz } = await spectrum();
        const position = ex.stream.position;
        let k = 1;
        for (let i = 2; i < d.length; i++) if (d[i] > d[k]) k = i;
        return { hz: k * binHz, db: d[k], position, state: ex.stream.state };
      },
      async levelAt(/** @type {number} */ f) {
        const { d, binHz } = await spectrum();
        const k = Math.round(f / binHz);
        let best = -Infinity;
        for (let i = Math.max(1, k - 2); i <= k + 2; i++) best = Math.max(best, d[i]);
        return best;
      },
    };
  });

async function load() {
  b.errors.length = 0;
  await b.page.goto(`${b.server.url}${PLAYER}`);
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample?.idle !== undefined, null, {
    timeout: 20000,
  });
  await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.idle());
  await installHelpers();
}

/** @returns {Promise<any>} */
const ex = (/** @type {string} */ expression) =>
  b.page.evaluate((e) => (0, eval)(`window.ringletExample.${e}`), expression);

/** The stream's loop region and loop flag: [loopStart, loopEnd, loop]. */
const region = () =>
  b.page.evaluate(() => {
    const st = /** @type {any} */ (window).ringletExample.stream;
    return [st.loopStart, st.loopEnd, st.loop];
  });

/**
 * Waits (bounded) until the tone heard is `hz` (within 3 %), and returns
 * that reading, or the last one, so that a failure says what was heard
 * instead. The reading returned is the one that matched: reading again
 * after the match could land in the next step on a slow machine (a step
 * is 1 s, and a seek may land half a step before its end).
 * @param {number} hz
 * @param {number} [timeout]
 */
async function hear(hz, timeout = 10000) {
  return b.page.evaluate(
    async ({ f, ms }) => {
      const p = /** @type {any} */ (window).__player;
      const guard = performance.now() + ms;
      let r = await p.tone();
      while (Math.abs(r.hz / f - 1) >= 0.03 && performance.now() < guard) {
        await new Promise((res) => setTimeout(res, 20));
        r = await p.tone();
      }
      return r;
    },
    { f: hz, ms: timeout },
  );
}

/** The step heard at `position` seconds of a steps file played at `speed`. */
const stepAt = (/** @type {number} */ position, speed = 1) => STEPS[Math.floor(position) % STEPS.length] * speed;

/**
 * Adds a URL in the playlist's field, as a person types and presses Add.
 * @param {string} url
 */
async function addUrl(url) {
  await b.page.fill('#url', url);
  await b.page.click('#open-url');
  await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.idle());
}

async function clearList() {
  await b.page.click('#clear-list');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.playlist.tracks.length === 0);
}

/** Waits until the stream plays and its position passed `seconds`. */
const playingPast = (/** @type {number} */ seconds, timeout = 15000, page = b.page) =>
  page.waitForFunction(
    (s) => {
      const st = /** @type {any} */ (window).ringletExample.stream;
      return st.state === 'playing' && st.position > s;
    },
    seconds,
    { timeout },
  );

/** @param {number} v the slider's log2 value */
async function setSpeed(v) {
  await b.page.fill('#speed', String(v));
}

/**
 * /media/NAME answers HTTP range requests (206), as a file server or CDN
 * does: what a URL the player opens needs (the static test server sends whole files).
 * @type {import('../../scripts/serve.mjs').RouteHandler}
 */
async function mediaRoute(req, res, url) {
  const m = /^\/media\/([\w.-]+)$/.exec(url.pathname);
  if (!m) return false;
  const body = await readFile(join(MEDIA_DIR, m[1]));
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
  const start = range ? Number(range[1]) : 0;
  const end = range?.[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
  res.writeHead(range ? 206 : 200, {
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Content-Length': String(end - start + 1),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${body.length}` } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
  return true;
}

/** Loops the 880 Hz step (A at 2.1 s, B half a second later) with the A and B buttons. */
const loop880 = () =>
  b.page.evaluate(async () => {
    const e = /** @type {any} */ (window).ringletExample;
    document.getElementById('clear-ab')?.click();
    const seek = /** @type {HTMLInputElement} */ (document.getElementById('seek'));
    seek.value = '2.1';
    seek.dispatchEvent(new Event('change', { bubbles: true }));
    await e.idle();
    for (let i = 0; i < 1000 && !(e.stream.position >= 2.1 && e.stream.position < 2.4); i++)
      await new Promise((r) => setTimeout(r, 4));
    document.getElementById('mark-a')?.click();
    for (let i = 0; i < 1000 && e.stream.position < e.ab.a + 0.5; i++) await new Promise((r) => setTimeout(r, 4));
    document.getElementById('mark-b')?.click();
    return { a: e.ab.a, b: e.ab.b };
  });

beforeAll(async () => {
  b = await openBrowser({ imports: DEV_IMPORTS, handle: mediaRoute });
  await load();
  rate = await ex('ctx.sampleRate');
  files.wav = await makeSteps('wav', rate);
  for (const f of ['flac', 'mp3', 'm4a', 'ogg']) files[f] = await makeSteps(/** @type {'flac'} */ (f), rate);
  // Opus is always 48 kHz: at another context rate it tests the rate check.
  files.opus = await makeSteps('opus', 48000);
  files.other = await makeSteps('wav', rate === 48000 ? 44100 : 48000, { tag: '-other' });
  files.first = await makeSteps('wav', rate, { seconds: 2, first: 0, tag: '-a' });
  files.second = await makeSteps('wav', rate, { seconds: 2, first: 2, tag: '-b' });
}, 180000);
afterAll(async () => {
  await b?.close();
});

test('a WAV from the URL field plays: its tags show, the pool makes its overview and loudness, and the tone heard is the one at the position', async () => {
  await clearList();
  // Loop on before the track starts, so it plays on through the tests that
  // follow, however slow the machine (an ended track is not restarted by a seek).
  if ((await b.page.getAttribute('#loop', 'aria-pressed')) !== 'true') await b.page.click('#loop');
  await addUrl(files.wav.url);
  await playingPast(0.3);
  // A tone is heard, and it is the step the position says (away from the step edges).
  const r = await b.page.evaluate(async () => {
    const p = /** @type {any} */ (window).__player;
    const readings = [];
    for (let i = 0; i < 60; i++) {
      const t = await p.tone();
      const frac = t.position % 1;
      // A window with no tone in it (-60 dB and below: on a loaded machine the
      // 'message' transport can run dry for longer than the analyser's 186 ms
      // window) is read again; the tone's level is asserted below.
      if (frac > 0.3 && frac < 0.8 && t.db > -60) readings.push(t);
      if (readings.length >= 3) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    return readings;
  });
  expect(r.length).toBeGreaterThan(0);
  for (const t of r) expect(t.hz / stepAt(t.position)).toBeCloseTo(1, 1);
  expect(r[0].db).toBeGreaterThan(-40);
  expect(await b.page.textContent('#title')).toBe('Steps');
  expect(await b.page.textContent('#artist')).toBe('ringlet · Fixtures · 2026');
  expect(await b.page.textContent('#transport')).toBe(engine.sharedArrayBuffer ? 'shared' : 'message');
  // The overview and the loudness come from the pool's workers.
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.settings.loudness !== null, null, {
    timeout: 30000,
  });
  const o = await b.page.evaluate(() => {
    const e = /** @type {any} */ (window).ringletExample;
    let peak = 0;
    for (const x of e.now.overview.peaks) peak = Math.max(peak, Math.abs(x));
    return { frames: e.now.overview.frames, peak, state: e.now.overviewState, loudness: e.settings.loudness };
  });
  expect(o.state).toBe('ready');
  expect(o.frames).toBe(STEPS.length * rate);
  expect(o.peak).toBeCloseTo(STEP_AMPLITUDE, 2);
  expect(o.loudness.peakDb).toBeCloseTo(20 * Math.log10(STEP_AMPLITUDE), 1);
  expect(o.loudness.lufs).toBeGreaterThan(-16);
  expect(o.loudness.lufs).toBeLessThan(-8);
  expect(b.errors).toEqual([]);
});

test('seeking by a click on the overview, a drag across it and the position slider plays the tone at the new place', async () => {
  expect(await ex('stream.loop')).toBe(true);
  const box = await b.page.evaluate(() => {
    const r = /** @type {HTMLElement} */ (document.getElementById('overview')).getBoundingClientRect();
    return { x: r.left, y: r.top + r.height / 2, w: r.width };
  });
  // A click at 3.5 s of 6: the fourth step.
  await b.page.mouse.click(box.x + (box.w * 3.5) / 6, box.y);
  let t = await hear(STEPS[3]);
  expect(t.hz / STEPS[3]).toBeCloseTo(1, 1);
  // What the stream knew when the position was read (it once read 0 on a loaded WebKit).
  if (!(t.position > 3.4))
    console.warn('seek to 3.5 s:', JSON.stringify({ t, stats: await ex('stream.debugStats()') }));
  expect(t.position).toBeGreaterThan(3.4);
  // A drag from 1 s to 4.6 s seeks once, where it is let go.
  await b.page.mouse.move(box.x + box.w / 6, box.y);
  await b.page.mouse.down();
  await b.page.mouse.move(box.x + (box.w * 4.6) / 6, box.y, { steps: 6 });
  await b.page.mouse.up();
  t = await hear(STEPS[4]);
  expect(t.hz / STEPS[4]).toBeCloseTo(1, 1);
  // The slider (as a keyboard user moves it).
  await b.page.evaluate(() => {
    const seek = /** @type {HTMLInputElement} */ (document.getElementById('seek'));
    seek.value = '1.2';
    seek.dispatchEvent(new Event('change', { bubbles: true }));
  });
  t = await hear(STEPS[1]);
  expect(t.hz / STEPS[1]).toBeCloseTo(1, 1);
  expect(b.errors).toEqual([]);
});

test('A-B repeat keeps the position between A and B and the tone of that stretch; speed 2× and 0.5× move its pitch an octave', async () => {
  // The marks are set while paused, where the position stands still, so a
  // slow machine cannot carry B past the step (A at 1.1 s, B at 1.6 s, both
  // in the 660 Hz step); then it plays.
  await b.page.evaluate(async () => {
    const e = /** @type {any} */ (window).ringletExample;
    await e.stream.pause();
    await e.stream.seek(1.1);
    document.getElementById('mark-a')?.click();
    await e.stream.seek(1.6);
    document.getElementById('mark-b')?.click();
    await e.stream.seek(1.1);
    await e.stream.play();
  });
  const marks = await ex('ab');
  expect(marks.a).toBeGreaterThan(1.05);
  expect(marks.b).toBeGreaterThan(marks.a + 0.4);
  expect(marks.b).toBeLessThan(1.98);
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.ab.jumps >= 2, null, {
    timeout: 15000,
  });
  const span = await b.page.evaluate(async () => {
    const e = /** @type {any} */ (window).ringletExample;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 40; i++) {
      lo = Math.min(lo, e.stream.position);
      hi = Math.max(hi, e.stream.position);
      await new Promise((r) => setTimeout(r, 30));
    }
    return { lo, hi };
  });
  // The stream loops the region itself, from A's frame to B's: the position
  // never leaves it, however late the page's timers and animation frames run.
  expect(span.lo).toBeGreaterThanOrEqual(marks.a);
  expect(span.hi).toBeLessThan(marks.b);
  expect(await region()).toEqual([marks.a, marks.b, true]);
  let t = await hear(STEPS[1]);
  expect(t.hz / STEPS[1]).toBeCloseTo(1, 1);

  await setSpeed(1); // 2×
  expect(await ex('node.playbackRate.value')).toBe(2);
  expect(await b.page.textContent('#speed-out')).toBe('2.00×');
  t = await hear(STEPS[1] * 2);
  expect(t.hz / (STEPS[1] * 2)).toBeCloseTo(1, 1);
  await setSpeed(-1); // 0.5×
  t = await hear(STEPS[1] / 2);
  expect(t.hz / (STEPS[1] / 2)).toBeCloseTo(1, 1);
  await setSpeed(0);
  t = await hear(STEPS[1]);
  expect(t.hz / STEPS[1]).toBeCloseTo(1, 1);
  // Clear: no region, and the track loops whole again (the Loop button is on).
  await b.page.click('#clear-ab');
  expect(await region()).toEqual([0, 0, true]);
  expect(b.errors).toEqual([]);
});

test('EQ: two Page Up presses on the 960 Hz knob raise the tone heard at 880 Hz by its response there; a drag on the curve moves a band', async () => {
  await b.page.click('#tabbtn-eq');
  await b.page.evaluate(() => document.getElementById('clear-ab')?.click());
  // The level of the 880 Hz step, read in its steady middle (2.35 .. 2.9 s) after a seek to 2.05 s.
  const level880 = () =>
    b.page.evaluate(async () => {
      const e = /** @type {any} */ (window).ringletExample;
      const seek = /** @type {HTMLInputElement} */ (document.getElementById('seek'));
      seek.value = '2.05';
      seek.dispatchEvent(new Event('change', { bubbles: true }));
      await e.idle();
      for (let i = 0; i < 1000 && !(e.stream.position > 2.35 && e.stream.position < 2.9); i++)
        await new Promise((r) => setTimeout(r, 4));
      return { level: await /** @type {any} */ (window).__player.levelAt(880), position: e.stream.position };
    });
  const before = (await level880()).level;
  await b.page.evaluate(() => {
    const knob = /** @type {HTMLElement} */ (document.getElementById('knob-4'));
    knob.focus();
    for (let i = 0; i < 2; i++)
      knob.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageUp', bubbles: true, cancelable: true }));
  });
  expect(await b.page.getAttribute('#knob-4', 'aria-valuenow')).toBe('12');
  expect(await b.page.getAttribute('#knob-4', 'role')).toBe('slider');
  const band = await ex('node.eq.getBand(4)');
  expect(band).toMatchObject({ type: 'peaking', frequency: 960, gainDb: 12 });
  // The boost a peaking band at 960 Hz (Q √2, +12 dB) gives 880 Hz.
  const expected = await b.page.evaluate(() => {
    const ctx = new OfflineAudioContext(1, 128, 44100);
    const f = new BiquadFilterNode(ctx, { type: 'peaking', frequency: 960, Q: Math.SQRT2, gain: 12 });
    const mag = new Float32Array(1);
    f.getFrequencyResponse(new Float32Array([880]), mag, new Float32Array(1));
    return 20 * Math.log10(mag[0]);
  });
  const reading = await level880();
  expect(reading.position).toBeGreaterThan(2.35);
  expect(reading.position).toBeLessThan(2.9);
  const after = reading.level;
  expect(after - before).toBeGreaterThan(expected - 1.5);
  expect(after - before).toBeLessThan(expected + 1.5);
  // Drag band 6's handle up on the curve.
  const h = await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.eq.curve.handlePosition(6));
  await b.page.mouse.move(h.x, h.y);
  await b.page.mouse.down();
  await b.page.mouse.move(h.x, h.y - 40, { steps: 6 });
  await b.page.mouse.up();
  const moved = await ex('node.eq.getBand(6)');
  expect(moved.gainDb).toBeGreaterThan(5);
  expect(await b.page.getAttribute('#knob-6', 'aria-valuenow')).toBe(String(moved.gainDb));
  await b.page.selectOption('#preset', 'flat');
  expect((await ex('node.eq.getBand(6)')).gainDb).toBe(0);
  expect(b.errors).toEqual([]);
});

test('the clip lamp lights when the output reaches full scale (limiter off, +40 dB), and stays dark with the limiter on', async () => {
  await loop880();
  await b.page.click('#tabbtn-settings');
  await b.page.uncheck('#limiter-on');
  expect(await ex('node.limiter.bypass')).toBe(true);
  await b.page.click('#tabbtn-eq');
  await b.page.evaluate(() => {
    const knob = /** @type {HTMLElement} */ (document.getElementById('knob-4'));
    knob.focus();
    knob.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true, cancelable: true }));
  });
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.eq.clipped, null, { timeout: 10000 });
  expect(await b.page.getAttribute('#clip', 'aria-label')).toMatch(/^Clipping/);
  await b.page.click('#tabbtn-settings');
  await b.page.check('#limiter-on');
  await b.page.click('#tabbtn-eq');
  // The meters hold a peak and let it fall 20 dB/s: wait (bounded) for the limited level.
  await b.page
    .waitForFunction(() => Math.max(.../** @type {any} */ (window).ringletExample.node.meters().peak) < 0.9, null, {
      timeout: 8000,
    })
    .catch(() => {});
  await b.page.click('#clip-reset');
  // With the limiter on again the output stays under −1 dBFS: the lamp stays dark.
  const m = await b.page.evaluate(async () => {
    const e = /** @type {any} */ (window).ringletExample;
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      peak = Math.max(peak, ...e.node.meters().peak);
      await new Promise((r) => setTimeout(r, 25));
    }
    return { peak, clipped: e.eq.clipped };
  });
  expect(m.peak).toBeGreaterThan(0.5);
  expect(m.peak).toBeLessThanOrEqual(10 ** (-1 / 20) + 1e-3);
  expect(m.clipped).toBe(false);
  await b.page.selectOption('#preset', 'flat');
  expect(b.errors).toEqual([]);
});

test('the spectrum draws all four modes from the analyser, with the tone as the highest band and peak hold above it', async () => {
  const marks = await loop880();
  expect(marks.b).toBeLessThan(2.98);
  await b.page.click('#tabbtn-spectrum');
  /** @type {string[]} */
  const images = [];
  for (const mode of ['bars', 'line', 'filled', 'circular']) {
    await b.page.click(`[data-mode="${mode}"]`);
    const drawn = (await ex('spectrum.snapshot()')).drawn;
    await b.page.waitForFunction(
      (n) => /** @type {any} */ (window).ringletExample.spectrum.snapshot().drawn > n + 5,
      drawn,
      { timeout: 10000 },
    );
    const s = await b.page.evaluate(() => {
      const snap = /** @type {any} */ (window).ringletExample.spectrum.snapshot();
      const c = /** @type {HTMLCanvasElement} */ (document.getElementById('spectrum'));
      return { ...snap, image: c.toDataURL().length + ':' + c.toDataURL().slice(-64) };
    });
    expect(s.mode).toBe(mode);
    expect(await b.page.getAttribute(`[data-mode="${mode}"]`, 'aria-checked')).toBe('true');
    const top = s.levels.indexOf(Math.max(...s.levels));
    // The 72 bands span 30 Hz .. 16 kHz logarithmically: the tone's band.
    const band = Math.floor((72 * Math.log(STEPS[2] / 30)) / Math.log(16000 / 30));
    expect(Math.abs(top - band)).toBeLessThanOrEqual(1);
    expect(s.levels[top]).toBeGreaterThan(0.4);
    for (let i = 0; i < s.levels.length; i++) expect(s.peaks[i]).toBeGreaterThanOrEqual(s.levels[i]);
    images.push(s.image);
  }
  expect(new Set(images).size).toBe(4);
  expect(b.errors).toEqual([]);
});

test('export renders the track on the pool through the EQ and volume: each step of the WAV has the gain the chain gives it; Cancel stops an export', async () => {
  await b.page.click('#tabbtn-eq');
  await b.page.evaluate(() => document.getElementById('clear-ab')?.click());
  await b.page.selectOption('#preset', 'treble');
  await b.page.click('#tabbtn-settings');
  await b.page.waitForFunction(
    () => !(/** @type {HTMLButtonElement} */ (document.getElementById('export')).disabled),
    null,
    { timeout: 30000 },
  );
  await b.page.click('#export');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.settings.exportState === 'done', null, {
    timeout: 60000,
  });
  const r = await b.page.evaluate(async (steps) => {
    const e = /** @type {any} */ (window).ringletExample;
    const a = /** @type {HTMLAnchorElement} */ (document.getElementById('export-link'));
    const buf = await (await fetch(a.href)).arrayBuffer();
    const v = new DataView(buf);
    const ch = v.getUint16(22, true);
    const sr = v.getUint32(24, true);
    const data = new Float32Array(buf, 44, (buf.byteLength - 44) / 4);
    const frames = data.length / ch;
    // The chain's gain at each step: the volume times every band's response.
    const offline = new OfflineAudioContext(1, 128, sr);
    const bands = Array.from({ length: 8 }, (_, i) => e.node.eq.getBand(i));
    const volume = (Number(/** @type {HTMLInputElement} */ (document.getElementById('volume')).value) / 100) ** 2;
    const per = [];
    for (let s = 0; s < steps.length; s++) {
      let db = 20 * Math.log10(volume);
      for (const band of bands) {
        const f = new BiquadFilterNode(offline, {
          type: band.type,
          frequency: band.frequency,
          Q: band.q,
          gain: band.gainDb,
        });
        const mag = new Float32Array(1);
        f.getFrequencyResponse(new Float32Array([steps[s]]), mag, new Float32Array(1));
        db += 20 * Math.log10(mag[0]);
      }
      let sum = 0;
      let n = 0;
      for (let i = Math.round((s + 0.2) * sr); i < Math.round((s + 0.9) * sr); i++) {
        sum += data[i * ch] ** 2;
        n++;
      }
      per.push({ expectedDb: db, rmsDb: 10 * Math.log10(sum / n) });
    }
    let peak = 0;
    for (const x of data) peak = Math.max(peak, Math.abs(x));
    return {
      ch,
      sr,
      frames,
      per,
      peak,
      download: a.download,
      progress: document.getElementById('export-progress')?.getAttribute('aria-valuenow'),
    };
  }, STEPS);
  expect(r).toMatchObject({ ch: 2, sr: rate, frames: STEPS.length * rate, progress: '100' });
  expect(r.download).toBe('Steps (ringlet).wav');
  const inputDb = 20 * Math.log10(STEP_AMPLITUDE / Math.SQRT2);
  for (const s of r.per) expect(s.rmsDb - inputDb).toBeCloseTo(s.expectedDb, 0);
  // The treble preset lifts the high steps more than the low ones, and the limiter holds.
  expect(r.per[5].rmsDb - r.per[0].rmsDb).toBeGreaterThan(4);
  expect(r.peak).toBeLessThanOrEqual(10 ** (-1 / 20) + 1e-4);
  // Cancel, right after Export: the render is aborted and no file is offered.
  await b.page.evaluate(() => {
    document.getElementById('export')?.click();
    document.getElementById('export-cancel')?.click();
  });
  await b.page.waitForFunction(
    () => /** @type {any} */ (window).ringletExample.settings.exportState === 'cancelled',
    null,
    { timeout: 20000 },
  );
  expect(await b.page.isHidden('#export-link')).toBe(true);
  await b.page.selectOption('#preset', 'flat').catch(() => {});
  expect(b.errors).toEqual([]);
});

test('formats: FLAC, MP3 (with its cover), M4A and Ogg Vorbis play the right tone where the engine decodes them, else the player shows DECODER_MISSING; a file at another rate plays or shows RATE_MISMATCH', async () => {
  for (const key of ['flac', 'mp3', 'm4a', 'ogg', 'opus', 'other']) {
    await clearList();
    b.errors.length = 0;
    await addUrl(files[key].url);
    const error = await ex('lastError');
    const fileRate = files[key].rate;
    if (MISSING.includes(key)) {
      expect(error?.code).toBe('DECODER_MISSING');
      expect(await b.page.textContent('#message')).toContain('DECODER_MISSING');
      continue;
    }
    if (fileRate !== rate && error?.code === 'RATE_MISMATCH') {
      // Until source nodes resample a file to the context's rate, the player says why it cannot play it.
      expect(await b.page.textContent('#message')).toContain('RATE_MISMATCH');
      continue;
    }
    expect(error).toBe(null);
    await playingPast(0.4);
    // Waits (bounded) for a reading in the middle of a step that matches it; the last one says what was heard.
    const t = await b.page.evaluate(async (steps) => {
      const p = /** @type {any} */ (window).__player;
      let last = await p.tone();
      for (let i = 0; i < 300; i++) {
        const r = await p.tone();
        const frac = r.position % 1;
        if (frac > 0.3 && frac < 0.8) {
          last = r;
          if (Math.abs(r.hz / steps[Math.floor(r.position) % steps.length] - 1) < 0.03) break;
        }
        await new Promise((res) => setTimeout(res, 20));
      }
      return last;
    }, STEPS);
    expect([key, t.hz / stepAt(t.position)]).toEqual([key, expect.closeTo(1, 1)]);
    if (key === 'mp3') {
      await b.page.waitForFunction(() => {
        const img = /** @type {HTMLImageElement} */ (document.getElementById('cover'));
        return !img.hidden && img.complete && img.naturalWidth === 32;
      });
    }
    expect(b.errors).toEqual([]);
  }
});

test('the playlist: dropped files advance gaplessly, reorder with Alt+arrows, and come back after a reload', async () => {
  if ((await b.page.getAttribute('#loop', 'aria-pressed')) === 'true') await b.page.click('#loop');
  expect(await ex('stream.loop')).toBe(false);
  await clearList();
  await b.page.evaluate(
    async (urls) => {
      const data = new DataTransfer();
      for (const [name, url] of urls) {
        const blob = await (await fetch(url)).blob();
        data.items.add(new File([blob], name, { type: 'audio/wav' }));
      }
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    [
      ['one.wav', files.first.url],
      ['two.wav', files.second.url],
    ],
  );
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.playlist.tracks.length === 2);
  await playingPast(0.2);
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.queued !== null, null, {
    timeout: 10000,
  });
  // The second file follows: the playlist moves on, and its first step is heard.
  await b.page
    .waitForFunction(() => /** @type {any} */ (window).ringletExample.playlist.current === 1, null, {
      timeout: 15000,
    })
    .catch(async (error) => {
      // Says what the stream was doing instead (seen once in webkit-message, on a loaded machine).
      const seen = await b.page.evaluate(() => {
        const e = /** @type {any} */ (window).ringletExample;
        const st = e.stream;
        return {
          current: e.playlist.current,
          queued: e.queued,
          state: st.state,
          position: st.position,
          duration: st.info?.duration,
          error: st.error ? String(st.error) : null,
          stats: st.node.stats(),
          debug: st.debugStats(),
        };
      });
      throw new Error(`${error.message}; the stream: ${JSON.stringify(seen)}`, { cause: error });
    });
  const t = await hear(STEPS[2]);
  expect(t.hz / STEPS[2]).toBeCloseTo(1, 1);
  expect(await ex('now.index')).toBe(1);
  await b.page.waitForFunction(
    () => /** @type {HTMLElement | null} */ (document.querySelector('#tracks li.current'))?.dataset.index === '1',
  );
  // Alt+↑ on the second track moves it first.
  await b.page.evaluate(() => {
    const pick = /** @type {HTMLElement} */ (document.querySelectorAll('#tracks .pick')[1]);
    pick.focus();
    pick.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', altKey: true, bubbles: true, cancelable: true }));
  });
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.playlist.tracks[0]?.name === 'two.wav');
  await load();
  const restored = await b.page.evaluate(() => {
    const e = /** @type {any} */ (window).ringletExample;
    return {
      names: e.playlist.tracks.map((/** @type {any} */ t) => t.name),
      storage: e.playlist.storage,
      current: e.playlist.current,
      info: e.stream.info?.duration,
      kept: e.playlist.tracks.map((/** @type {any} */ t) => (t.copy ? 'copy' : t.blob ? 'blob' : t.kind)),
    };
  });
  // WebKit's automation session, as its private browsing, refuses Blobs in
  // IndexedDB: there the files come back from copies of their bytes.
  const kept = engine.family === 'webkit' ? 'copy' : 'blob';
  expect(restored).toEqual({
    names: ['two.wav', 'one.wav'],
    storage: 'indexeddb',
    current: 0,
    info: 2,
    kept: [kept, kept],
  });
  expect(b.errors).toEqual([]);
});

test('keyboard: Space plays and pauses, L loops, ←/→ seek, ↑/↓ change the volume, S stops, F1 shows the shortcuts', async () => {
  const key = (/** @type {string} */ k) =>
    b.page.evaluate((name) => {
      /** @type {HTMLElement} */ (document.activeElement ?? document.body).blur?.();
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }));
      return /** @type {any} */ (window).ringletExample.idle();
    }, k);
  await b.page.click('#tracks .pick'); // a person picks the track: the click also starts audio in WebKit
  await playingPast(0.1);
  await key(' ');
  expect(await ex('stream.state')).toBe('paused');
  await key(' ');
  expect(await ex('stream.state')).toBe('playing');
  const looping = await ex('stream.loop');
  await key('l');
  expect(await ex('stream.loop')).toBe(!looping);
  expect(await b.page.getAttribute('#loop', 'aria-pressed')).toBe(String(!looping));
  await key('L');
  expect(await ex('stream.loop')).toBe(looping);
  const volume = Number(await b.page.inputValue('#volume'));
  await key('ArrowDown');
  expect(Number(await b.page.inputValue('#volume'))).toBe(volume - 5);
  await key('ArrowUp');
  expect(Number(await b.page.inputValue('#volume'))).toBe(volume);
  await key('ArrowRight');
  expect(await ex('stream.position')).toBeGreaterThanOrEqual(0);
  await key('s');
  expect(await ex('stream.state')).toBe('stopped');
  await key('F1');
  expect(
    await b.page.evaluate(() => /** @type {HTMLDialogElement} */ (document.getElementById('shortcuts')).open),
  ).toBe(true);
  await key('F1');
  expect(
    await b.page.evaluate(() => /** @type {HTMLDialogElement} */ (document.getElementById('shortcuts')).open),
  ).toBe(false);
  expect(b.errors).toEqual([]);
});

test('themes and high contrast are remembered across a reload; axe-core finds no serious or critical problem on any tab, dark or light', async () => {
  /** @returns {Promise<{ id: string, impact: string, nodes: string[] }[]>} */
  const axe = () =>
    b.page.evaluate(async () => {
      const w = /** @type {any} */ (window);
      if (!w.axe)
        await new Promise((resolve, reject) => {
          const s = document.createElement('script');
          s.src = '/node_modules/axe-core/axe.min.js';
          s.onload = resolve;
          s.onerror = reject;
          document.head.append(s);
        });
      const r = await w.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((/** @type {any} */ v) => v.impact === 'serious' || v.impact === 'critical')
        .map((/** @type {any} */ v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.slice(0, 3).map((/** @type {any} */ n) => n.target.join(' ')),
        }));
    });
  for (const theme of ['studio-dark', 'latte']) {
    await b.page.click('#tabbtn-settings');
    await b.page.selectOption('#theme', theme);
    for (const tab of ['eq', 'spectrum', 'generator', 'recorder', 'settings']) {
      await b.page.click(`#tabbtn-${tab}`);
      expect([theme, tab, await axe()]).toEqual([theme, tab, []]);
    }
  }
  await b.page.click('#tabbtn-settings');
  await b.page.selectOption('#theme', 'mocha');
  await b.page.check('#contrast');
  await load();
  const root = await b.page.evaluate(() => ({ ...document.documentElement.dataset }));
  expect(root).toMatchObject({ theme: 'mocha', scheme: 'dark', contrast: 'high' });
  expect(await b.page.inputValue('#theme')).toBe('mocha');
  expect(await axe()).toEqual([]);
  await b.page.click('#tabbtn-settings');
  await b.page.uncheck('#contrast');
  await b.page.selectOption('#theme', 'studio-dark');
  expect(b.errors).toEqual([]);
});

test.needs(
  ['sharedArrayBuffer'],
  'without SharedArrayBuffer every page uses the message transport, which the other tests cover',
);
test('without cross-origin isolation it plays on the message transport and says so; its Isolate button isolates the page after one reload, and it plays on the shared ring', async () => {
  const plain = await openBrowser({ isolate: false, imports: DEV_IMPORTS, handle: mediaRoute });
  try {
    const { page, errors } = plain;
    await page.goto(`${plain.server.url}${PLAYER}`);
    await page.waitForFunction(() => /** @type {any} */ (window).ringletExample?.idle !== undefined, null, {
      timeout: 20000,
    });
    expect(await page.textContent('#isolated')).toBe('false');
    expect(await page.textContent('#transport')).toBe('message');
    expect(await page.textContent('#isolation-note')).toMatch(/message transport/);
    await page.fill('#url', files.wav.url);
    await page.click('#open-url');
    await playingPast(0.5, 15000, page);
    const m = await page.evaluate(() => /** @type {any} */ (window).ringletExample.node.meters());
    expect(Math.max(...m.rms)).toBeGreaterThan(0.05);
    expect(errors).toEqual([]);

    // Settings → "Isolate with the service worker": the player's own worker
    // (examples/player/sw.js, whose folder covers the page) adds COOP/COEP,
    // and after one reload the node and the stream Worker share the ring.
    // The server still sends none of those headers.
    await page.click('#tabbtn-settings');
    const navigations = plain.server.responses.filter((r) => r.path === PLAYER).length;
    await page.click('#isolate');
    // The reload is seen at the server before the page is asked anything: a
    // WebDriver script running while its page navigates away never returns
    // in WebKitGTK.
    const deadline = Date.now() + 30000;
    while (plain.server.responses.filter((r) => r.path === PLAYER).length === navigations) {
      if (Date.now() > deadline) throw new Error('the Isolate button did not reload the player within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await page.waitForFunction(() => globalThis.crossOriginIsolated === true, null, { timeout: 30000 });
    await page.waitForFunction(() => /** @type {any} */ (window).ringletExample?.idle !== undefined, null, {
      timeout: 20000,
    });
    await page.evaluate(() => /** @type {any} */ (window).ringletExample.idle());
    const served = plain.server.responses.filter((r) => r.path === PLAYER);
    expect(served.length).toBe(navigations + 1); // exactly one reload
    for (const r of served) expect(r.headers).not.toHaveProperty('cross-origin-embedder-policy');
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toMatch(
      /\/examples\/player\/sw\.js\?/,
    );
    expect(await page.textContent('#isolated')).toBe('true');
    expect(await page.textContent('#transport')).toBe('shared');
    expect(await page.textContent('#isolation-note')).toMatch(/shared memory/);
    expect(await page.isHidden('#isolate')).toBe(true);
    // The playlist came back with the page; Play plays it on the shared ring.
    expect(await page.evaluate(() => /** @type {any} */ (window).ringletExample.playlist.tracks.length)).toBe(1);
    await page.waitForFunction(() => !(/** @type {HTMLButtonElement} */ (document.getElementById('play')).disabled));
    await page.click('#play');
    await playingPast(0.5, 15000, page);
    const shared = await page.evaluate(() => {
      const e = /** @type {any} */ (window).ringletExample;
      return { rms: Math.max(...e.node.meters().rms), transport: e.node.transport };
    });
    expect(shared.transport).toBe('shared');
    expect(shared.rms).toBeGreaterThan(0.05);
    expect(errors).toEqual([]);
  } finally {
    await plain.close();
  }
});
