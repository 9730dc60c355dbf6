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

    test.each([
      ['s16', 'pcm-s16', 'WAVE'],
      ['s24', 'pcm-s24', 'WAVE'],
      ['f32', 'pcm-f32', 'WAVE'],
      ['flac', 'flac', 'FLAC'],
    ])('%s from a Blob plays bit-exact from its first frame to its last, with its info', async (key, codec, format) => {
      const f = media[/** @type {'s16'} */ (key)];
      if (key === 'flac' && !can.flac) {
        const r = await b.page.evaluate(async ({ page, url, rate }) => {
          const h = await import(page);
          const rig = await h.rig({ rate });
          let error = null;
          try {
            await rig.stream.open(await h.blobOf(url));
          } catch (e) {
            error = h.errorOf(e);
          }
          await rig.close();
          return { error };
        }, { page: PAGE, url: f.url, rate: f.rate });
        // This engine's WebCodecs has no FLAC decoder: the typed error names the codec.
        expect(r.error).toMatchObject({ name: 'RingletError', code: 'DECODER_MISSING' });
        expect(r.error?.message).toMatch(/flac/);
        return;
      }
      const r = await b.page.evaluate(
        async ({ page, url, rate }) => {
          const h = await import(page);
          const rig = await h.rig({ rate });
          const info = await rig.stream.open(await h.blobOf(url));
          const ended = h.once(rig.stream, 'ended');
          await rig.stream.play();
          const end = await ended;
          await h.until(() => rig.tap.stats().availableRead === 0, 2000);
          await h.sleep(100);
          const position = rig.stream.position;
          const state = rig.stream.state;
          const { planes } = h.audible(rig);
          const runs = h.codeRuns(planes);
          const transport = rig.stream.node.transport;
          await rig.close();
          return { info: { ...info, cover: info.cover === null ? null : 'blob' }, end, runs, position, state, transport };
        },
        { page: PAGE, url: f.url, rate: f.rate },
      );
      expect(r.transport).toBe(transport);
      expect(r.info).toMatchObject({ sampleRate: f.rate, channels: 2, codec, format, seekable: true, cover: null });
      expect(r.info.duration).toBeCloseTo(f.frames / f.rate, 6);
      expect(r.end).toBe(true);
      expect(r.state).toBe('ended');
      // Every frame, once, in order: one run from frame 0 to the last.
      expect(r.runs).toEqual([[0, f.frames]]);
      expect(r.position).toBeCloseTo(f.frames / f.rate, 6);
    });
  });
}
