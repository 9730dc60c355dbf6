// Each example page loads without console errors and produces the audio it
// claims, in real headless Chromium: the stream player plays the generated
// sample sample-for-sample and shows its underrun count honestly, the EQ screen's drag changes a
// band and the spectrum, the offline render reaches 100 % and downloads a WAV
// of the input's length, the recorder records N seconds from a fake
// microphone or the generator, and the status page panics and recovers.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { engine, openBrowser, test } from './harness.js';
import { DEV_IMPORTS } from '../../scripts/serve.mjs';

const EXAMPLES = ['player', 'stream-player', 'eq-analyser', 'offline-render', 'recorder', 'status', 'tone', 'tonejs'];

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  // The stream player's Worker imports mediabunny: served resolved, as a bundler would.
  b = await openBrowser({ imports: DEV_IMPORTS });
});
afterAll(async () => {
  await b?.close();
});

/**
 * Opens an example in the shared page, starting with a clean error list.
 * @param {string} name
 */
async function open(name) {
  b.errors.length = 0;
  await b.page.goto(`${b.server.url}/examples/${name}/`);
}

/**
 * A badge's text once the page has filled it (the HTML holds '…' until its
 * module runs, which a busy machine delays past goto()).
 * @param {string} id
 * @param {import('./page.js').Page} [page]
 */
async function badge(id, page = b.page) {
  await page.waitForFunction(
    (i) => {
      const text = document.getElementById(i)?.textContent;
      return text !== undefined && text !== null && text !== '…';
    },
    id,
    { timeout: 15000 },
  );
  return page.textContent(`#${id}`);
}

/** @param {string} id */
const enabled = (id) =>
  b.page.waitForFunction(
    (i) => {
      const el = /** @type {HTMLButtonElement | null} */ (document.getElementById(i));
      return el !== null && !el.disabled;
    },
    id,
    { timeout: 15000 },
  );

/**
 * Reads the stream player's underrun display against the node's own count,
 * across one animation frame: the page redraws it in between, so it must lie
 * between the counts read before and after (the count itself depends on how
 * promptly a busy machine schedules the decoder, which the example does not
 * control; npm run bench measures it). The node's counters start again at
 * each play and seek (the stream resets the node).
 * @param {import('playwright-core').Page} page
 */
const underrunDisplay = (page) =>
  page.evaluate(async () => {
    const ex = /** @type {any} */ (window).ringletExample;
    const before = ex.node.stats().underruns;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const shown = Number(document.getElementById('underruns')?.textContent?.replace(/,/g, ''));
    const after = ex.node.stats().underruns;
    return { before, shown, after };
  });

/** @param {{ before: number, shown: number, after: number }} d */
function expectHonest(d) {
  expect(d.shown).toBeGreaterThanOrEqual(d.before);
  expect(d.shown).toBeLessThanOrEqual(d.after);
}

test('the index links every example, each with a description and a thumbnail', async () => {
  b.errors.length = 0;
  await b.page.goto(`${b.server.url}/examples/`);
  await b.page.evaluate(() =>
    document.querySelectorAll('img').forEach((img) => {
      img.loading = 'eager';
    }),
  );
  for (const name of EXAMPLES) {
    const cards = await b.page.evaluate(
      (n) =>
        [...document.querySelectorAll('.card')]
          .filter((c) => c.querySelector(`a[href="${n}/"]`))
          .map((c) => ({ text: c.querySelector('p')?.textContent, src: c.querySelector('img')?.getAttribute('src') })),
      name,
    );
    expect(cards).toHaveLength(1);
    expect(cards[0].text?.length).toBeGreaterThan(40);
    expect(cards[0].src).toBe(`../docs/screenshots/${name}.png`);
  }
  expect(await badge('isolated')).toBe('true');
  // The thumbnails are docs/screenshots/*.png, made by `npm run screenshots`.
  await b.page.waitForFunction(() => [...document.images].every((img) => img.complete), null, { timeout: 5000 });
  expect(await b.page.evaluate(() => [...document.images].map((img) => img.naturalWidth))).toEqual(
    EXAMPLES.map(() => 1200),
  );
  expect(b.errors).toEqual([]);
});

test.needs(['sharedArrayBuffer'], 'the page takes the message transport without it, which the last test covers');
test('tone: a Worker-fed source node plays, the gauge moves, and the console stays clean', async () => {
  await open('tone');
  expect(await badge('isolated')).toBe('true');
  await b.page.click('#play');
  await b.page.waitForFunction(
    () => Number(document.getElementById('frames')?.textContent?.replace(/,/g, '')) > 44100,
    null,
    { timeout: 15000 },
  );
  // The gauge shows the ring's fill; one reading can catch the ring empty
  // when a loaded machine starves the producer, so wait (bounded) for a
  // reading above zero: a gauge that never moves still fails.
  const moved = await b.page
    .waitForFunction(() => Number(document.getElementById('fill')?.getAttribute('aria-valuenow')) > 0, null, {
      timeout: 15000,
    })
    .then(
      () => true,
      () => false,
    );
  expect(await b.page.textContent('#state')).toBe('playing');
  expect(await b.page.textContent('#transport')).toBe('shared');
  expect(moved).toBe(true);
  await b.page.click('#stop');
  expect(await b.page.textContent('#state')).toBe('stopped');
  expect(b.errors).toEqual([]);
});

test('tonejs: a Tone.js patch plays through a ringlet effect node: Tone.connect works, the meters move, Stop disposes', async () => {
  await open('tonejs');
  await b.page.click('#play');
  await b.page.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', null, {
    timeout: 15000,
  });
  await b.page.waitForFunction(
    () => {
      const node = /** @type {any} */ (window).ringletExample.node;
      return node !== null && node.meters().peak[0] > 0.01;
    },
    null,
    { timeout: 15000 },
  );
  const facts = await b.page.evaluate(() => {
    const node = /** @type {any} */ (window).ringletExample.node;
    return { transport: node.transport, native: node instanceof AudioWorkletNode, state: node.state };
  });
  expect(facts).toEqual({
    transport: engine.sharedArrayBuffer ? 'shared' : 'message',
    native: false,
    state: 'running',
  });
  await b.page.click('#stop');
  expect(await b.page.textContent('#state')).toBe('stopped');
  expect(await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.node)).toBe(null);
  expect(b.errors).toEqual([]);
});

test.needs(['sharedArrayBuffer'], 'the page takes the message transport without it, which the last test covers');
test("stream-player: ringlet/stream plays the generated sample (a float WAV) through the ring sample for sample and shows the node's underrun count; pause, seek and the end of the track (which adds no underrun) behave", async () => {
  await open('stream-player');
  await enabled('play');
  expect(await badge('isolated')).toBe('true');
  expect(await b.page.textContent('#transport')).toBe('shared');
  expect(await b.page.textContent('#writer')).toBe('Worker · writeSync');
  expect(await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.stream.info.codec)).toBe('pcm-f32');
  await b.page.click('#play');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.position() > 44100, null, {
    timeout: 10000,
  });
  const r = await b.page.evaluate(async () => {
    const ex = /** @type {any} */ (window).ringletExample;
    const { renderSample } = await import('/examples/shared/sample.js');
    const sample = await renderSample(ex.ctx.sampleRate);
    // The analyser holds the node's latest output as a mono down-mix. With the
    // EQ flat, gain 1 and the signal under the limiter, the chain is bit-exact:
    // that window must occur in the sample, at the position being played.
    const n = 2048;
    ex.node.analyser.fftSize = n;
    const out = new Float32Array(n);
    ex.node.analyser.getFloatTimeDomainData(out);
    const position = ex.position();
    const L = sample.getChannelData(0);
    const R = sample.getChannelData(1);
    let found = -1;
    let worst = Infinity;
    for (let at = 0; at + n <= sample.length && found < 0; at++) {
      let err = 0;
      for (let i = 0; i < n && err < 1e-5; i++) err = Math.max(err, Math.abs(out[i] - (L[at + i] + R[at + i]) / 2));
      worst = Math.min(worst, err);
      if (err < 1e-5) found = at;
    }
    let energy = 0;
    for (const x of out) energy += x * x;
    // The quietest window of the loop: any window the analyser holds while
    // the stream plays has at least this energy; silence has none.
    const mono = L.map((x, i) => (x + R[i]) / 2);
    let run = 0;
    for (let i = 0; i < n; i++) run += mono[i] * mono[i];
    let quietest = run;
    for (let i = n; i < mono.length; i++) {
      run += mono[i] * mono[i] - mono[i - n] * mono[i - n];
      quietest = Math.min(quietest, run);
    }
    const peaks = [];
    for (let i = 0; i < 30; i++) {
      peaks.push(Math.max(...ex.node.meters().peak));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    return {
      found,
      worst,
      energy,
      quietest,
      position,
      stats: ex.node.stats(),
      maxPeak: Math.max(...peaks),
      samplePeak: ex.samplePeak,
      state: ex.state,
    };
  });
  // Not silence: a silent window would match any quiet stretch of the loop.
  expect(r.quietest).toBeGreaterThan(0.01);
  expect(r.energy).toBeGreaterThan(r.quietest * 0.9);
  expect(r.found).toBeGreaterThanOrEqual(0);
  // Found where the player says it is, give or take the analyser's window and a few quanta.
  expect(Math.abs(r.found - r.position)).toBeLessThan(4096);
  expect(r.maxPeak).toBeGreaterThan(0.2);
  expect(r.maxPeak).toBeLessThanOrEqual(r.samplePeak + 1e-6);
  expect(r.state).toBe('playing');
  expectHonest(await underrunDisplay(b.page));

  // Pause empties the ring and holds the position; play continues from it.
  await b.page.click('#pause');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.state === 'paused');
  const paused = await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.position());
  await b.page.waitForTimeout(300);
  expect(await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.position())).toBe(paused);
  await b.page.click('#play');
  // Seek near the end with looping off: the track ends, closing the ring,
  // without an underrun. The 0.6 s tail fits the ring (0.74 s), so once the
  // decoder has written it nothing can starve it, and the closed ring then
  // drains into silence that is not an underrun.
  await b.page.uncheck('#loop');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.state === 'playing');
  const beforeEnd = await underrunDisplay(b.page);
  expectHonest(beforeEnd);
  await b.page.evaluate(() => {
    const seek = /** @type {HTMLInputElement} */ (document.getElementById('seek'));
    seek.value = String(Number(seek.max) - 0.6);
    seek.dispatchEvent(new Event('change'));
  });
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.state === 'ended', null, {
    timeout: 5000,
  });
  const end = await underrunDisplay(b.page);
  expectHonest(end);
  // The seek reset the node's counters; the WAV tail decodes in milliseconds,
  // and the closed ring drains into silence that counts no underrun.
  expect(end.shown).toBe(0);
  expect(await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.node.stats().closed)).toBe(true);
  // Play again: the stream resets the node, which reopens the ring.
  await b.page.click('#play');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.state === 'playing');
  expect(await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.node.stats().closed)).toBe(false);
  expect(b.errors).toEqual([]);
});

test.needs(['sharedArrayBuffer'], 'the page takes the message transport without it, which the last test covers');
test('eq-analyser: dragging a band handle on the canvas changes node.eq and lifts the live spectrum there', async () => {
  await open('eq-analyser');
  await enabled('start');
  expect(await b.page.textContent('#transport')).toBe('shared');
  await b.page.click('#start'); // pink noise
  // Waits for the noise to show (bounded; a loaded machine only makes it longer), then lets the smoothing settle.
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.spectrumAt(960) > -100, null, {
    timeout: 15000,
  });
  await b.page.waitForTimeout(900);
  const before = await b.page.evaluate(() => {
    const ex = /** @type {any} */ (window).ringletExample;
    return { band: ex.node.eq.getBand(4), level: ex.spectrumAt(960), handle: ex.handlePosition(4) };
  });
  expect(before.band).toEqual({ type: 'peaking', frequency: 960, q: Math.SQRT2, gainDb: 0 });
  expect(before.level).toBeGreaterThan(-100); // the noise is there
  // Drag band 5 straight up by 90 px (about +16 dB on this canvas).
  await b.page.mouse.move(before.handle.x, before.handle.y);
  await b.page.mouse.down();
  await b.page.mouse.move(before.handle.x, before.handle.y - 90, { steps: 10 });
  await b.page.mouse.up();
  const band = await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.node.eq.getBand(4));
  expect(band.type).toBe('peaking');
  expect(band.gainDb).toBeGreaterThan(10);
  expect(Math.abs(band.frequency - 960)).toBeLessThan(30);
  expect(Number(await b.page.inputValue('#band-4'))).toBeCloseTo(band.gainDb, 0);
  // Waits (bounded) for the boost to reach the live spectrum, rather than for a fixed time.
  await b.page
    .waitForFunction(
      ([level, gainDb]) => /** @type {any} */ (window).ringletExample.spectrumAt(960) - level > gainDb - 6,
      [before.level, band.gainDb],
      { timeout: 15000 },
    )
    .catch(() => {}); // the assertion below says by how much it fell short
  const after = await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.spectrumAt(960));
  // The boost shows in the analyser, within a few dB of what was set.
  expect(after - before.level).toBeGreaterThan(band.gainDb - 6);
  expect(b.errors).toEqual([]);
});

test("offline-render: renderOffline reaches 100 %, LUFS before and after are shown, the WAV has the input's length, and Cancel stops a long render", async () => {
  await open('offline-render');
  expect(await b.page.isHidden('#unavailable')).toBe(true); // renderOffline is in this build
  await enabled('render');
  await b.page.waitForFunction(() => /LUFS/.test(document.getElementById('lufs-before')?.textContent ?? ''), null, {
    timeout: 15000,
  });
  await b.page.click('#render');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.state === 'done', null, {
    timeout: 30000,
  });
  const r = await b.page.evaluate(async () => {
    const { parseWav, wavSamples } = await import('/examples/shared/wav.js');
    const ex = /** @type {any} */ (window).ringletExample;
    const a = /** @type {HTMLAnchorElement} */ (document.getElementById('download'));
    const wav = await (await fetch(a.href)).arrayBuffer();
    const info = parseWav(wav);
    const { samples } = wavSamples(wav);
    let peak = 0;
    for (const x of samples) peak = Math.max(peak, Math.abs(x));
    const text = (/** @type {string} */ id) => document.getElementById(id)?.textContent ?? '';
    return {
      info,
      peak,
      inputFrames: ex.input.length,
      hidden: a.hidden,
      download: a.download,
      progress: document.getElementById('progress')?.getAttribute('aria-valuenow'),
      label: text('progress'),
      lufsBefore: text('lufs-before'),
      lufsAfter: text('lufs-after'),
      loud: ex.loudness,
    };
  });
  expect(r.progress).toBe('100');
  expect(r.label).toContain('100 %');
  expect(r.lufsBefore).toMatch(/^−?\d+\.\d LUFS$/);
  expect(r.lufsAfter).toMatch(/^−?\d+\.\d LUFS$/);
  // +9 dB of gain into a −1 dBFS limiter: louder, and the peaks held.
  expect(r.loud.after.lufs).toBeGreaterThan(r.loud.before.lufs + 4);
  expect(r.loud.after.peakDb).toBeLessThanOrEqual(-1 + 0.01);
  expect(r.hidden).toBe(false);
  expect(r.download).toMatch(/\.wav$/);
  expect(r.info).toMatchObject({ channels: 2, sampleRate: 48000, bitsPerSample: 16, frames: r.inputFrames });
  expect(r.peak).toBeGreaterThan(0.5);
  expect(r.peak).toBeLessThanOrEqual(10 ** (-1 / 20) + 1 / 32768);

  await b.page.selectOption('#length', '30'); // 4 minutes
  await enabled('render');
  await b.page.click('#render');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.progress > 0, null, { timeout: 10000 });
  await b.page.click('#cancel');
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample.state === 'cancelled', null, {
    timeout: 10000,
  });
  expect(await b.page.evaluate(() => /** @type {any} */ (window).ringletExample.progress)).toBeLessThan(1);
  expect(await b.page.isHidden('#download')).toBe(true);
  expect(b.errors).toEqual([]);
});

/**
 * Records `seconds` on the recorder page and returns the WAV's facts.
 * @param {import('./page.js').Page} page
 * @param {number} seconds
 */
async function record(page, seconds) {
  await page.fill('#limit', String(seconds));
  await page.dispatchEvent('#limit', 'change');
  await page.click('#record');
  await page.waitForSelector('a.download', { timeout: (seconds + 8) * 1000 });
  return page.evaluate(async () => {
    const { wavSamples } = await import('/examples/shared/wav.js');
    const a = /** @type {HTMLAnchorElement} */ (document.querySelector('a.download'));
    const w = wavSamples(await (await fetch(a.href)).arrayBuffer());
    let sum = 0;
    for (const x of w.samples) sum += x * x;
    const ex = /** @type {any} */ (window).ringletExample;
    return {
      frames: w.frames,
      channels: w.channels,
      sampleRate: w.sampleRate,
      rms: Math.sqrt(sum / w.samples.length),
      expectedRate: ex.ctx.sampleRate,
      source: ex.source,
      overruns: ex.overruns,
      note: document.getElementById('mic-note')?.textContent,
      reader: document.getElementById('reader')?.textContent,
    };
  });
}

test.needs(['sharedArrayBuffer'], 'the page takes the message transport without it, which the last test covers');
test('recorder: without a microphone it falls back to the generator, and 2 s yield a non-silent WAV of exactly 2 s', async () => {
  await open('recorder');
  await enabled('record');
  await b.page.click('#use-mic'); // headless Chromium without a fake device has no microphone
  await b.page.waitForFunction(() => /unavailable/.test(document.getElementById('mic-note')?.textContent ?? ''));
  const r = await record(b.page, 2);
  expect(r.source).toBe('generator');
  expect(r.reader).toBe('Worker · readSync');
  expect(r).toMatchObject({ channels: 1, sampleRate: r.expectedRate, frames: 2 * r.expectedRate });
  // The page counts overruns from the node's own stats. Whether the Worker
  // kept up is a realtime margin of this machine (a benchmark's business);
  // the count is there, and the WAV is exactly as long either way.
  expect(Number.isInteger(r.overruns) && r.overruns >= 0).toBe(true);
  expect(r.rms).toBeGreaterThan(0.05);
  // getUserMedia's refusal is handled, not logged as an error.
  expect(b.errors).toEqual([]);
});

test.needs(['sharedArrayBuffer'], 'the page takes the message transport without it, which the last test covers');
test("recorder: with the engine's fake microphone, 1.5 s of the microphone yield a non-silent WAV of exactly 1.5 s", async () => {
  const mic = await openBrowser({ fakeMedia: true });
  try {
    const { page, errors } = mic;
    await page.goto(`${mic.server.url}/examples/recorder/`);
    await page.waitForFunction(
      () => !(/** @type {HTMLButtonElement} */ (document.getElementById('record')).disabled),
      null,
      { timeout: 15000 },
    );
    await page.click('#use-mic');
    await page.waitForFunction(() => /** @type {any} */ (window).ringletExample.source === 'microphone');
    const r = await record(page, 1.5);
    expect(r.source).toBe('microphone');
    expect(r).toMatchObject({ channels: 1, sampleRate: r.expectedRate, frames: 1.5 * r.expectedRate });
    expect(Number.isInteger(r.overruns) && r.overruns >= 0).toBe(true);
    expect(r.rms).toBeGreaterThan(0.01); // the fake device beeps
    expect(errors).toEqual([]);
  } finally {
    await mic.close();
  }
});

test('status: with the test-hooks wasm, Force panic latches the node panicked and counts it; Reset brings it back running and audible', async () => {
  await open('status');
  await b.page.waitForFunction(() => document.getElementById('node-state')?.textContent === 'running', null, {
    timeout: 15000,
  });
  expect(await b.page.isDisabled('#force-panic')).toBe(true); // the release wasm cannot trap on purpose
  await b.page.check('#use-hooks');
  await enabled('force-panic');
  expect(await b.page.textContent('#wasm')).toBe('test-hooks wasm');
  const before = Number(await b.page.textContent('#panic-total'));
  await b.page.click('#force-panic');
  await b.page.waitForFunction(() => document.getElementById('node-state')?.textContent === 'panicked', null, {
    timeout: 5000,
  });
  await b.page.waitForFunction((n) => Number(document.getElementById('panic-total')?.textContent) === n + 1, before);
  expect(await b.page.textContent('#history')).toContain('CORE_PANIC');
  await b.page.click('#reset');
  await b.page.waitForFunction(() => document.getElementById('node-state')?.textContent === 'running', null, {
    timeout: 5000,
  });
  // Waits (bounded) for the generator to be heard again, rather than for a fixed 500 ms.
  await b.page
    .waitForFunction(() => /** @type {any} */ (window).ringletExample.node.meters().rms[0] > 0.01, null, {
      timeout: 15000,
    })
    .catch(() => {}); // the assertions below say what is missing
  const r = await b.page.evaluate(() => {
    const ex = /** @type {any} */ (window).ringletExample;
    return {
      rms: ex.node.meters().rms[0],
      recovered: document.getElementById('panic-recovered')?.textContent,
      state: ex.node.state,
    };
  });
  expect(r.state).toBe('running');
  expect(Number(r.recovered)).toBeGreaterThanOrEqual(1);
  expect(r.rms).toBeGreaterThan(0.01); // the generator was applied again after reset
  await b.page.click('#run-tasks');
  await b.page.waitForFunction(() => /24 of 24/.test(document.getElementById('message')?.textContent ?? ''), null, {
    timeout: 15000,
  });
  // The table redraws on the next animation frame, which may come after the message.
  await b.page.waitForFunction(
    () => document.querySelector('#pool-stats td[data-key="completedTasks"]')?.textContent === '24',
    null,
    { timeout: 5000 },
  );
  expect(b.errors).toEqual([]);
});

test('without cross-origin isolation the pages say so, fall back to the message transport, and still stream, analyse and record', async () => {
  const plain = await openBrowser({ isolate: false, imports: DEV_IMPORTS });
  try {
    const { page, errors } = plain;
    await page.goto(`${plain.server.url}/examples/stream-player/`);
    await page.waitForFunction(
      () => !(/** @type {HTMLButtonElement} */ (document.getElementById('play')).disabled),
      null,
      { timeout: 15000 },
    );
    expect(await badge('isolated', page)).toBe('false');
    expect(await page.textContent('#transport')).toBe('message');
    expect(await page.textContent('#writer')).toBe('Worker → page · writer.write()');
    await page.click('#play');
    await page.waitForFunction(() => /** @type {any} */ (window).ringletExample.position() > 44100, null, {
      timeout: 10000,
    });
    const m = await page.evaluate(() => /** @type {any} */ (window).ringletExample.node.meters());
    expect(Math.max(...m.rms)).toBeGreaterThan(0.01);
    expectHonest(await underrunDisplay(page));

    // The analyser works over the port too (see freshSpectrum in eq-analyser/main.js).
    await page.goto(`${plain.server.url}/examples/eq-analyser/`);
    await page.waitForFunction(
      () => !(/** @type {HTMLButtonElement} */ (document.getElementById('start')).disabled),
      null,
      { timeout: 15000 },
    );
    await page.click('#start');
    // Over the port the spectrum arrives in snapshots: wait (bounded) for one with the noise in it.
    await page
      .waitForFunction(() => /** @type {any} */ (window).ringletExample.spectrumAt(1000) > -100, null, {
        timeout: 5000,
      })
      .catch(() => {});
    expect(await page.evaluate(() => /** @type {any} */ (window).ringletExample.spectrumAt(1000))).toBeGreaterThan(
      -100,
    );

    await page.goto(`${plain.server.url}/examples/recorder/`);
    await page.waitForFunction(
      () => !(/** @type {HTMLButtonElement} */ (document.getElementById('record')).disabled),
      null,
      { timeout: 15000 },
    );
    const r = await record(page, 1);
    expect(r.reader).toBe('main thread · read()');
    expect(r.frames).toBe(r.expectedRate);
    expect(r.rms).toBeGreaterThan(0.05);
    expect(errors).toEqual([]);
  } finally {
    await plain.close();
  }
});
