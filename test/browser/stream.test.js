// ringlet/stream: files decoded in the stream's Worker (mediabunny) straight
// into a source node's ring, in every engine, on both transports. Fixtures
// are made at test time by ffmpeg (fixtures/media.js); a realtime context
// at the file's rate plays them into a capture node that records every
// frame (fixtures/stream-page.js). Lossless files carry a frame code, so
// each captured frame says which file frame it is.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { describe, engine, openBrowser, test } from './harness.js';
import { makeAll } from './fixtures/media.js';

/** What the test server does for an app's bundler: the stream worker's `mediabunny` import. */
const IMPORTS = { mediabunny: '/node_modules/mediabunny/dist/bundles/mediabunny.mjs' };
const PAGE = '/test/browser/fixtures/stream-page.js';

/** @type {Awaited<ReturnType<typeof makeAll>>} */
let media;
beforeAll(async () => {
  media = await makeAll();
}, 120000);

/**
 * Codecs this engine's WebCodecs AudioDecoder lacks (WebKitGTK: FLAC and
 * Vorbis), asked in a Worker as the stream's decoder would be.
 * @param {Awaited<ReturnType<typeof openBrowser>>} b
 * @returns {Promise<Record<string, boolean>>}
 */
async function decoders(b) {
  return b.page.evaluate(async () => {
    const source = `(async () => {
      const ask = async (codec, sampleRate) => { try { return (await AudioDecoder.isConfigSupported({ codec, sampleRate, numberOfChannels: 2 })).supported; } catch { return false; } };
      postMessage({ flac: await ask('flac', 44100), mp3: await ask('mp3', 44100), aac: await ask('mp4a.40.2', 44100),
        vorbis: await ask('vorbis', 44100), opus: await ask('opus', 48000), ac3: await ask('ac-3', 48000) });
    })();`;
    const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    const r = await new Promise((res) => (w.onmessage = (e) => res(e.data)));
    w.terminate();
    return r;
  });
}

for (const isolate of [true, false]) {
  // On WebKit without SharedArrayBuffer every page uses the message
  // transport, so its project runs the isolated half only.
  const transport = isolate && engine.sharedArrayBuffer ? 'shared' : 'message';
  if (!isolate && !engine.sharedArrayBuffer) continue;

  describe(`on the ${transport} transport${isolate ? '' : ' (a page that is not isolated)'}`, () => {
    /** @type {Awaited<ReturnType<typeof openBrowser>>} */
    let b;
    /** @type {Record<string, boolean>} */
    let can;
    beforeAll(async () => {
      b = await openBrowser({ isolate, imports: IMPORTS });
      can = await decoders(b);
    });
    afterAll(async () => {
      await b?.close();
    });

    /**
     * Runs a scenario of fixtures/stream-page.js in the page.
     * @param {string} name
     * @param {object} arg
     * @returns {Promise<any>}
     */
    const run = (name, arg) =>
      b.page.evaluate(async ({ page, name: n, arg: a }) => (await import(page))[n](a), { page: PAGE, name, arg });

    test.each([
      ['s16', 'pcm-s16', 'WAVE'],
      ['s24', 'pcm-s24', 'WAVE'],
      ['f32', 'pcm-f32', 'WAVE'],
      ['flac', 'flac', 'FLAC'],
    ])('%s from a Blob plays bit-exact from its first frame to its last, with its info', async (key, codec, format) => {
      const f = media[/** @type {'s16'} */ (key)];
      const r = await run('playWhole', { url: f.url, rate: f.rate });
      if (r.openError && !can.flac && key === 'flac') {
        // This engine's WebCodecs has no FLAC decoder: the typed error names the codec.
        expect(r.openError).toMatchObject({ name: 'RingletError', code: 'DECODER_MISSING' });
        expect(r.openError.message).toMatch(/flac/);
        return;
      }
      expect(r.openError).toBeUndefined();
      expect(r.transport).toBe(transport);
      expect(r.info).toMatchObject({ sampleRate: f.rate, channels: 2, codec, format, seekable: true, cover: null });
      expect(r.info.duration).toBeCloseTo(f.frames / f.rate, 6);
      expect(r.end).toBe(true);
      expect(r.state).toBe('ended');
      expect(r.streamError).toBeNull();
      // Every frame, once, in order: one run from frame 0 to the last.
      expect(r.runs).toEqual([[0, f.frames]]);
      expect(r.position).toBeCloseTo(f.frames / f.rate, 6);
    });

    test('a mono file plays on every channel of a stereo node, bit-exact', async () => {
      const f = media.mono;
      const r = await run('playWhole', { url: f.url, rate: f.rate, mono: true });
      expect(r.info).toMatchObject({ channels: 1, codec: 'pcm-s16' });
      expect(r.runs).toEqual([[0, f.frames]]);
      expect(r.monoEqual).toBe(true);
    });

    test('seek while stopped: play starts at the sought frame exactly', async () => {
      const f = media.s16;
      const r = await run('transportAction', { url: f.url, rate: f.rate, action: 'seek-stopped', to: 1.25 });
      const target = Math.round(1.25 * f.rate);
      expect(r.seen).toEqual({ parked: target, state: 'stopped' });
      expect(r.runs).toEqual([[target, f.frames - target]]);
      expect(r.state).toBe('ended');
    });

    test('seek while playing: what was heard, then the sought frame exactly, to the end', async () => {
      const f = media.s16;
      const r = await run('transportAction', { url: f.url, rate: f.rate, action: 'seek', at: 0.3, to: 1.5 });
      const target = Math.round(1.5 * f.rate);
      expect(r.runs).toHaveLength(2);
      expect(r.runs[0][0]).toBe(0);
      expect(r.runs[0][1]).toBeGreaterThan(0.3 * f.rate * 0.9);
      expect(r.runs[1]).toEqual([target, f.frames - target]);
    });

    test('pause stops the sound at once and play goes on from the paused frame; stop goes back to the start', async () => {
      const f = media.s16;
      const p = await run('transportAction', { url: f.url, rate: f.rate, action: 'pause', at: 0.5 });
      expect(p.seen.state).toBe('paused');
      // Nothing audible while paused.
      expect(p.seen.capturedAfterWait).toBe(p.seen.capturedWhilePaused);
      expect(p.runs).toHaveLength(2);
      const [[, heard], [resumedAt, rest]] = p.runs;
      // It resumes at the paused position: nothing skipped, at most what
      // played between reading the position and the ring emptying repeated.
      expect(resumedAt).toBe(p.seen.parked);
      expect(resumedAt).toBeLessThanOrEqual(heard);
      expect(heard - resumedAt).toBeLessThan(0.25 * f.rate);
      expect(resumedAt + rest).toBe(f.frames);
      const s = await run('transportAction', { url: f.url, rate: f.rate, action: 'stop', at: 0.3 });
      expect(s.seen).toEqual({ state: 'stopped', parked: 0 });
      expect(s.runs).toHaveLength(2);
      expect(s.runs[1]).toEqual([0, f.frames]);
    });

    test('gapless: a queued file follows the last frame of the first with no gap or overlap, on every sample', async () => {
      const first = media.s16;
      const next = can.flac ? media.nextFlac : media.nextWav;
      const r = await run('gapless', { url: first.url, next: next.url, rate: first.rate });
      // The frame code runs on across the seam: one run over both files.
      expect(r.runs).toEqual([[0, first.frames + next.frames]]);
      expect(r.changes).toEqual([r.next.codec]);
      expect(r.info.codec).toBe(r.next.codec);
      expect(r.position).toBe(next.frames);
    });

    test('loop: the file plays again and again with no gap, each pass whole, until loop is turned off', async () => {
      const f = media.nextWav;
      const r = await run('gapless', { url: f.url, rate: f.rate, passes: 3 });
      expect(r.end).toBe(true);
      expect(r.runs.length).toBeGreaterThanOrEqual(3);
      for (const run of r.runs) expect(run).toEqual([f.first, f.frames]);
      expect(r.changes).toHaveLength(r.runs.length - 1);
      // Passed track starts are dropped: the stream keeps at most a few.
      expect(r.segments).toBeLessThanOrEqual(2);
    });
  });
}
