// ringlet/stream: files decoded in the stream's Worker (mediabunny) straight
// into a source node's ring, in every engine, on both transports. Fixtures
// are made at test time by ffmpeg (fixtures/media.js); a realtime context
// at the file's rate plays them into a capture node that records every
// frame (fixtures/stream-page.js). Lossless files carry a frame code, so
// each captured frame says which file frame it is.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { describe, engine, openBrowser, test } from './harness.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MEDIA_DIR, RAMP_SCALE, RAMP_TONE, makeAll, makeLong } from './fixtures/media.js';
import { DEV_IMPORTS } from '../../scripts/serve.mjs';

/** What the test server does for an app's bundler: the stream workers' `mediabunny` and decoder imports. */
const IMPORTS = DEV_IMPORTS;
const PAGE = '/test/browser/fixtures/stream-page.js';

/**
 * Test routes for URL sources: /media/ranged/NAME answers HTTP range
 * requests (206), /media/whole/NAME ignores them (200, the whole file),
 * /media/missing/NAME is a 404. `ranges` counts the range requests answered.
 * @param {{ ranges: number }} counts
 * @returns {import('../../scripts/serve.mjs').RouteHandler}
 */
function mediaRoutes(counts) {
  return async (req, res, url) => {
    const m = /^\/media\/(ranged|whole|missing)\/([\w.-]+)$/.exec(url.pathname);
    if (!m) return false;
    const [, how, name] = m;
    if (how === 'missing') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return true;
    }
    const body = await readFile(join(MEDIA_DIR, name));
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (how === 'ranged' && range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      counts.ranges++;
      res.writeHead(206, {
        'Content-Type': 'application/octet-stream',
        'Accept-Ranges': 'bytes',
        'Content-Range': `bytes ${start}-${end}/${body.length}`,
        'Content-Length': String(end - start + 1),
      });
      res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
      return true;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** @type {Awaited<ReturnType<typeof makeAll>>} */
let media;
/**
 * ffmpeg's own gapless decode of the MP3 fixtures, raw interleaved float32:
 * what the stream must give (priming and padding trimmed).
 * @type {Record<'mp3' | 'mp3Head' | 'mp3Tail', string>}
 */
const reference = { mp3: '', mp3Head: '', mp3Tail: '' };
let mp3Reference = '';
beforeAll(async () => {
  media = await makeAll();
  for (const key of /** @type {const} */ (['mp3', 'mp3Head', 'mp3Tail'])) {
    const f = media[key];
    const r = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      join(MEDIA_DIR, f.name),
      '-f',
      'f32le',
      '-c:a',
      'pcm_f32le',
      join(MEDIA_DIR, `${f.name}.f32`),
    ]);
    if (r.status !== 0) throw new Error(`ffmpeg could not decode ${f.name}: ${r.stderr}`);
    reference[key] = `${f.url}.f32`;
  }
  mp3Reference = reference.mp3;
}, 120000);

/** The stream's Worker with WebAssembly FLAC and MP3 decoders (ringlet/stream-worker-wasm). */
const WASM_WORKER = '/dist/ringlet-stream-worker-wasm.js';

/**
 * The codecs whose WebCodecs decoder this engine lacks, as found here:
 * WebKitGTK 2.50's AudioDecoder refuses FLAC and Vorbis, and claims MP3 and
 * AAC but fails on their first frame. open() must reject these with
 * DECODER_MISSING naming the codec; every other codec must play. An engine
 * that gains a decoder fails its test until this list is updated.
 */
const MISSING = /** @type {Record<string, string[]>} */ ({
  chromium: [],
  firefox: [],
  webkit: ['flac', 'vorbis', 'mp3', 'aac'],
})[engine.family];

/**
 * Whether this engine's WebCodecs AudioDecoder takes each codec's plain
 * configuration, asked in a Worker as the stream's decoder would be.
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
  // transport, so its project runs the isolated half only. WebKit with
  // SharedArrayBuffer runs the isolated ('shared') half only too: its
  // 'message' half would repeat the webkit-message project's on the same
  // engine (a page that is not isolated picks 'message' there as well, which
  // message-transport.test.js and the consumer's ringlet/stream page check),
  // at about 90 s of the run.
  const transport = isolate && engine.sharedArrayBuffer ? 'shared' : 'message';
  if (!isolate && (!engine.sharedArrayBuffer || engine.family === 'webkit')) continue;

  describe(`on the ${transport} transport${isolate ? '' : ' (a page that is not isolated)'}`, () => {
    /** @type {Awaited<ReturnType<typeof openBrowser>>} */
    let b;
    /** @type {Record<string, boolean>} */
    let can;
    const counts = { ranges: 0 };
    beforeAll(async () => {
      b = await openBrowser({ isolate, imports: IMPORTS, handle: mediaRoutes(counts) });
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
    const run = async (name, arg) => {
      // A fresh page for each scenario: what one left behind (contexts, Workers) cannot weigh on the next.
      await b.page.goto(`${b.server.url}/test/browser/blank.html`);
      return b.page.evaluate(async ({ page, name: n, arg: a }) => (await import(page))[n](a), {
        page: PAGE,
        name,
        arg,
      });
    };

    /**
     * Registers a test of the Worker's own side (demux, decode, tags,
     * argument checks, typed open errors) in the isolated half only. On a
     * page that is not isolated only the transport that carries the frames
     * differs, and these results do not go through it, so there they would
     * repeat the isolated half's (about 50 s of the run per engine). The
     * tests of what the transport carries (every frame of a whole file,
     * seek, pause, gapless, loops, rates, each source, the end of a damaged
     * file) run in both halves.
     */
    const workerSide = isolate ? test : Object.assign(() => {}, { each: () => () => {} });

    test.each(
      [
        ['s16', 'pcm-s16', 'WAVE'],
        ['s24', 'pcm-s24', 'WAVE'],
        ['f32', 'pcm-f32', 'WAVE'],
        ['flac', 'flac', 'FLAC'],
        // 24-bit and float WAV differ from 16-bit only in the Worker's decode.
      ].filter(([key]) => isolate || key === 's16' || key === 'flac'),
    )('%s from a Blob plays bit-exact from its first frame to its last, with its info', async (key, codec, format) => {
      const f = media[/** @type {'s16'} */ (key)];
      const r = await run('playWhole', { url: f.url, rate: f.rate });
      if (key === 'flac' && MISSING.includes('flac')) {
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
      // The stream kept its node fed. The runs above ignore silence, so a
      // writer that starves plays every frame in order with gaps between (one
      // that waited on the animation frame's snapshot played a 1 s file in
      // 5 s in headless WebKit: four times the file in gaps). The bound is the
      // file's own length in gaps: a WebKit page sharing two busy cores with
      // three other browsers once underran for 0.66 s of a 1 s file.
      expect(r.underruns * 128).toBeLessThan(f.frames);
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
      // It resumes at the paused position: nothing skipped, at most what
      // played between reading the position and the ring emptying repeated
      // (none at all makes one unbroken run).
      const parked = /** @type {number} */ (p.seen.parked);
      expect(parked).toBeGreaterThan(0.5 * f.rate * 0.9);
      if (p.runs.length === 1) expect(p.runs).toEqual([[0, f.frames]]);
      else {
        expect(p.runs).toHaveLength(2);
        const [[, heard], [resumedAt, rest]] = p.runs;
        expect(resumedAt).toBe(parked);
        expect(resumedAt).toBeLessThan(heard);
        // The repeat is what played while pause() reached the worklet: a
        // few quanta on an idle machine, 0.36 s once at a load of 24 on 2
        // cores. The bound is one a loaded machine meets; the pause's latency
        // is a realtime margin, not something this test can hold.
        expect(heard - resumedAt).toBeLessThan(1.5 * f.rate);
        expect(resumedAt + rest).toBe(f.frames);
      }
      // Where it stood when paused, no more than what was heard before.
      expect(parked).toBeLessThanOrEqual(p.runs[0][1]);
      const s = await run('transportAction', { url: f.url, rate: f.rate, action: 'stop', at: 0.3 });
      expect(s.seen).toEqual({ state: 'stopped', parked: 0 });
      expect(s.runs).toHaveLength(2);
      expect(s.runs[1]).toEqual([0, f.frames]);
    });

    test('gapless: a queued file follows the last frame of the first with no gap or overlap, on every sample', async () => {
      const first = media.s16;
      const next = MISSING.includes('flac') ? media.nextWav : media.nextFlac;
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

    test.each([
      ['before play', 'before'],
      ['at 0.1 s', 'ahead'],
      ['at 0.75 s', 'inside'],
      ['at 1.2 s, past loopEnd', 'late'],
    ])(
      'loop region (loopStart 0.5 s, loopEnd 1 s) set %s: it repeats sample-exact with no gap, and plays on to the end once loop is off',
      async (_label, when) => {
        const f = media.s16;
        const start = Math.round(0.5 * f.rate);
        const end = Math.round(1 * f.rate);
        const r = await run('loopRegion', { url: f.url, rate: f.rate, when, passes: 3 });
        expect(r.end).toBe(true);
        expect(r.seen).toMatchObject({ loopStart: 0.5, loopEnd: 1 });
        const runs = /** @type {[number, number][]} */ (r.runs);
        // What played before the region took hold: from frame 0 on, unbroken.
        const first = runs[0];
        expect(first[0]).toBe(0);
        let i = 1;
        if (when === 'before') {
          expect(first).toEqual([0, end]);
          expect(r.seen.sessions).toBe(1);
        } else if (when === 'late' || /** @type {number} */ (r.seen.setAt) >= end) {
          // Set at 1.2 s (heard), past loopEnd (or later than asked, on a
          // loaded page: once at 1.05 s for 0.75 s): the decoder restarted at once
          // (a second session) and the next frame heard is loopStart's,
          // whether the decoder was still in the file or had already
          // finished it (looping was off until then).
          expect(first[1]).toBeGreaterThanOrEqual(/** @type {number} */ (r.seen.setAt));
          expect(r.seen.sessions).toBe(2);
        } else if (first[1] === end && runs[1][0] === start) {
          // In flight; or restarted from the frame heard, and the restart
          // reached the worklet before anything played twice.
          expect([1, 2]).toContain(r.seen.sessions);
        } else {
          // Set at 0.1 s ('ahead') or 0.75 s ('inside') heard. Where the
          // decoder had not yet reached loopEnd the region took hold in
          // flight, and the first pass ran unbroken to loopEnd (the branch
          // above). Where it had (it runs up to the ring, and on
          // 'message' the page's queue, ahead: how far depends on the
          // machine), it restarted from the frame heard: nothing skipped,
          // what played while the restart reached the worklet may repeat,
          // and that run ends at loopEnd.
          const [from, count] = runs[1];
          expect(from).toBeGreaterThanOrEqual(/** @type {number} */ (r.seen.setAt));
          expect(from).toBeLessThanOrEqual(first[1]);
          expect(from + count).toBe(end);
          // A restart is a second session. Once, on WebKit's 'message'
          // transport on a loaded machine, this shape came with one session
          // (not explained yet; issue 16's note): say so, and hold the
          // frames to the same rules.
          if (r.seen.sessions !== 2)
            console.log(
              `${engine.id} ${transport} loop region ${when}: runs ${JSON.stringify(runs.slice(0, 3))} in ${r.seen.sessions} session(s)`,
            );
          expect([1, 2]).toContain(r.seen.sessions);
          i = 2;
        }
        // Then the region, pass after pass, each whole: no gap, no overlap.
        const passes = runs.slice(i, -1);
        expect(passes.length).toBeGreaterThanOrEqual(2);
        for (const pass of passes) expect(pass).toEqual([start, end - start]);
        // Loop off: the pass being decoded ended at loopEnd, or ran on to the file's end.
        expect([
          [start, end - start],
          [start, f.frames - start],
        ]).toContainEqual(runs[runs.length - 1]);
        // The position stayed in the region while it looped.
        const [lo, hi] = /** @type {number[]} */ (r.seen.positions);
        expect(lo).toBeGreaterThanOrEqual(start);
        expect(hi).toBeLessThan(end);
        expect(r.state).toBe('ended');
      },
    );

    test('a URL plays through HTTP range requests, bit-exact; a 404 and a server without ranges are typed errors', async () => {
      const f = MISSING.includes('flac') ? media.s16 : media.flac;
      const before = counts.ranges;
      const r = await run('playWhole', { url: `/media/ranged/${f.name}`, source: 'url', rate: f.rate });
      expect(r.openError).toBeUndefined();
      expect(r.runs).toEqual([[0, f.frames]]);
      expect(counts.ranges).toBeGreaterThan(before);
      const missing = await run('failThenPlay', {
        rate: f.rate,
        bad: { url: `/media/missing/${f.name}`, source: 'url' },
      });
      expect(missing.error).toMatchObject({ name: 'RingletError', code: 'FETCH_FAILED' });
      expect(missing.error.message).toMatch(/404/);
      const whole = await run('failThenPlay', {
        rate: f.rate,
        bad: { url: `/media/whole/${f.name}`, source: 'url' },
        then: media.s16.url,
      });
      expect(whole.error).toMatchObject({ name: 'RingletError', code: 'RANGE_UNSUPPORTED' });
      // The stream plays the next file as if nothing had happened.
      expect(whole.runs).toEqual([[0, media.s16.frames]]);
    });

    test('a ReadableStream plays once from its start, bit-exact; seek, loop and a second play are refused', async () => {
      const f = media.s16;
      const r = await run('readableStream', { url: f.url, rate: f.rate });
      expect(r.info).toMatchObject({ seekable: false, codec: 'pcm-s16', sampleRate: f.rate });
      expect(r.refusals.seek).toMatchObject({ code: 'NOT_SEEKABLE' });
      expect(r.refusals.loop).toMatchObject({ code: 'NOT_SEEKABLE' });
      expect(r.runs).toEqual([[0, f.frames]]);
      expect(r.again).toMatchObject({ code: 'NOT_SEEKABLE' });
    });

    workerSide('a file in no known container is UNSUPPORTED_FORMAT, and the stream plays the next file', async () => {
      const r = await run('failThenPlay', {
        rate: media.s16.rate,
        bad: { text: 'not audio at all '.repeat(100) },
        then: media.s16.url,
      });
      expect(r.error).toMatchObject({ name: 'RingletError', code: 'UNSUPPORTED_FORMAT' });
      expect(r.afterState).toBe('idle');
      expect(r.runs).toEqual([[0, media.s16.frames]]);
    });

    workerSide(
      'a codec the engine cannot decode is DECODER_MISSING naming it; a file at another rate is RATE_MISMATCH only on a node that cannot resample',
      async () => {
        const ac3 = await run('failThenPlay', { rate: media.ac3.rate, bad: { url: media.ac3.url } });
        if (can.ac3) expect(ac3.error).toBeNull();
        else {
          expect(ac3.error).toMatchObject({ name: 'RingletError', code: 'DECODER_MISSING' });
          expect(ac3.error.message).toMatch(/ac3/);
        }
        // A node made at the context's rate without varispeed: refused, and the message says how to make one that plays it.
        const rate = await run('failThenPlay', {
          rate: 44100,
          bad: { url: media.rate48.url },
          then: media.s16.url,
          node: 'plain',
        });
        expect(rate.error).toMatchObject({ name: 'RingletError', code: 'RATE_MISMATCH' });
        expect(rate.error.message).toMatch(/48000 Hz/);
        expect(rate.error.message).toMatch(/varispeed: true/);
        expect(rate.runs).toEqual([[0, media.s16.frames]]);
        // The stream's own node resamples: the same file opens and plays.
        const own = await run('failThenPlay', { rate: 44100, bad: { url: media.rate48.url } });
        expect(own.error).toBeNull();
        expect(own.info).toMatchObject({ sampleRate: 48000 });
      },
    );

    /** A tone-and-ramp fixture as ramps() takes it. @param {{ url: string, rate: number, frames: number }} f */
    const track = (f) => ({ url: f.url, rate: f.rate, frames: f.frames });
    const RAMP = { scale: RAMP_SCALE, tone: RAMP_TONE };
    // The bounds. Where a file starts (an intercept fitted over thousands of
    // output frames): measured within 0.001 frame of the sum of the files
    // before it in Chromium; 0.02 frame is far below a one-frame slip (a
    // lost or doubled frame moves it by 1.09 at 44.1 kHz). Each frame on the
    // line: the filter sums 192 float32 products, whose rounding moves a ramp
    // value of up to 0.13 by ~1e-8, 0.034 frame measured; 0.1 frame. SNR:
    // 140 dB measured natively for a 1 kHz tone (BENCHMARKS.md; 138-141 dB
    // here); 120 dB leaves room for the float32 file and the page, and is far
    // above a converter that is not band-limited (linear interpolation: ~50 dB).
    const FRAME_BOUND = 0.02;
    const LINE_BOUND = 0.1;
    const SNR_BOUND = 120;

    test("a 44.1 kHz file in a 48 kHz context plays on the stream's own node: the right frame at every output frame, the tone clean, the whole duration, the position in the file's frames", async () => {
      const f = media.ramp44;
      const r = await run('ramps', { rate: 48000, tracks: [track(f)], ...RAMP });
      console.log(`${engine.id} ${transport} 44.1 in 48: ${JSON.stringify(r.segments)} audible ${r.audibleFrames}`);
      expect(r.end).toBe(true);
      expect(r.varispeed).toBe(true);
      expect(r.infos[0]).toMatchObject({ sampleRate: 44100, channels: 2 });
      const [s] = r.segments;
      // Channel 1 says which file frame is heard: 44100 / 48000 of a frame per output frame, throughout.
      expect(s.worst).toBeLessThan(LINE_BOUND);
      expect(s.amp).toBeCloseTo(0.5, 4);
      expect(s.snr).toBeGreaterThan(SNR_BOUND);
      // Every frame heard once (frames * 48000 / 44100 output frames), then only the filter's tail.
      expect(r.audibleFrames).toBeGreaterThanOrEqual(Math.floor(r.lastHeard));
      expect(r.audibleFrames).toBeLessThan(r.lastHeard + 300);
      // The position is in the file's frames, rising to its last.
      expect(r.positionEnd).toBe(f.frames);
      expect(r.state).toBe('ended');
      for (let i = 1; i < r.positions.length; i++) expect(r.positions[i]).toBeGreaterThanOrEqual(r.positions[i - 1]);
      expect(Math.max(...r.positions)).toBeLessThanOrEqual(f.frames);
    });

    test("a mixed-rate playlist (44.1, 48, 22.05 kHz) on a player's varispeed node advances gaplessly: each file starts at the exact output frame the one before ends", async () => {
      const list = [media.ramp44, media.ramp48, media.ramp22];
      const r = await run('ramps', { rate: 48000, tracks: list.map(track), node: 'player', ...RAMP });
      console.log(`${engine.id} ${transport} mixed: ${JSON.stringify(r.segments)}`);
      expect(r.end).toBe(true);
      expect(r.changes).toEqual([48000, 22050]);
      expect(r.segments).toHaveLength(3);
      for (const s of r.segments) {
        // Where each file's first frame is heard, measured from its own frames, against the sum of the files before it.
        expect(Math.abs(s.measured - s.predicted)).toBeLessThan(FRAME_BOUND);
        expect(s.worst).toBeLessThan(LINE_BOUND);
        expect(s.amp).toBeCloseTo(0.5, 4);
        expect(s.snr).toBeGreaterThan(SNR_BOUND);
      }
      expect(r.audibleFrames).toBeGreaterThanOrEqual(Math.floor(r.lastHeard));
      expect(r.audibleFrames).toBeLessThan(r.lastHeard + 300);
      expect(r.positionEnd).toBe(media.ramp22.frames);
    });

    test("seek in a resampled file is in the file's seconds; node.playbackRate is the speed", async () => {
      const f = media.ramp44;
      const sought = await run('ramps', { rate: 48000, tracks: [track(f)], seek: 0.5, ...RAMP });
      expect(sought.parked).toBe(22050);
      const [s] = sought.segments;
      expect(s.worst).toBeLessThan(LINE_BOUND);
      // Frame 22050 is heard first: the line through the frames heard puts
      // it where a fresh start puts frame 0, the filter's latency (96 input
      // frames, 104.5 output frames) after the first sound.
      const whole = await run('ramps', { rate: 48000, tracks: [track(f)], ...RAMP });
      expect(Math.abs(s.measured - whole.segments[0].measured)).toBeLessThan(1);
      expect(sought.positionEnd).toBe(f.frames);
      // At 1.5 times the speed, on a player's node: 1.5 * 22050 / 48000 file frames per output frame, a 1.5 kHz tone.
      const fast = await run('ramps', {
        rate: 48000,
        tracks: [track(media.ramp22)],
        speed: 1.5,
        node: 'player',
        ...RAMP,
      });
      expect(fast.segments[0].worst).toBeLessThan(LINE_BOUND);
      expect(fast.segments[0].snr).toBeGreaterThan(SNR_BOUND);
      expect(fast.audibleFrames).toBeLessThan(fast.lastHeard + 300);
      expect(fast.audibleFrames).toBeGreaterThanOrEqual(Math.floor(fast.lastHeard));
    });

    test.each(
      [
        ['a truncated WAV', 's16', { cut: 0.6 }],
        ['a truncated FLAC', 'flac', { cut: 0.6 }],
        ['a corrupt FLAC', 'flac', { corrupt: [0.4, 0.45] }],
        ['a corrupt Ogg Opus', 'opus', { corrupt: [0.4, 0.45] }],
        // Where FLAC does not decode, the DECODER_MISSING test above stands for it.
        // The damaged containers differ from the truncated WAV only in the Worker's demux.
      ].filter(([label, key]) => !MISSING.includes(String(key)) && (isolate || label === 'a truncated WAV')),
    )(
      '%s plays what decodes, from its first frame, then the stream ends with DECODE_FAILED',
      async (_, key, damage) => {
        const f = media[/** @type {'s16'} */ (key)];
        {
          const r = await run('playWhole', { url: f.url, rate: f.rate, ...damage });
          expect(r.openError).toBeUndefined();
          expect(r.end).toBe(true);
          expect(r.state).toBe('ended');
          // What decoded played (from the first frame on, with nothing out of place, for the frame code) ...
          expect(r.audibleFrames).toBeGreaterThan(0.1 * f.frames);
          expect(r.audibleFrames).toBeLessThan(0.7 * f.frames);
          if (f.signal === 'code') expect(r.runs).toEqual([[0, r.audibleFrames]]);
          // ... then the stream ended with a typed error.
          expect(r.streamError).toMatchObject({ name: 'RingletError', code: 'DECODE_FAILED' });
        }
      },
    );

    workerSide(
      'bad arguments throw TypeError, RangeError or RingletError naming the parameter, and change nothing',
      async () => {
        const r = await run('badCalls', { rate: media.s16.rate, url: media.s16.url });
        expect(r.playBeforeOpen).toMatchObject({ code: 'NO_TRACK' });
        expect(r.seekBeforeOpen).toMatchObject({ code: 'NO_TRACK' });
        expect(r.queueBeforeOpen).toMatchObject({ code: 'NO_TRACK' });
        expect(r.openNumber).toMatchObject({ name: 'TypeError' });
        expect(r.openNumber.message).toMatch(/source must be/);
        expect(r.openTimeout).toMatchObject({ name: 'RangeError' });
        expect(r.inspectStream).toMatchObject({ name: 'TypeError' });
        expect(r.seekNegative).toMatchObject({ name: 'RangeError' });
        expect(r.seekNegative.message).toMatch(/seconds must be from 0 to/);
        expect(r.seekPastEnd).toMatchObject({ name: 'RangeError' });
        expect(r.seekNaN).toMatchObject({ name: 'TypeError' });
        expect(r.loopString).toMatchObject({ name: 'TypeError' });
        expect(r.loopStartNegative).toMatchObject({ name: 'RangeError' });
        expect(r.loopStartNegative.message).toMatch(/RingletStream.loopStart must be 0 or more seconds; got -1/);
        expect(r.loopEndNaN).toMatchObject({ name: 'TypeError' });
        expect(r.loopEndNaN.message).toMatch(/RingletStream.loopEnd must be a finite number/);
        expect(r.loopEndString).toMatchObject({ name: 'TypeError' });
        expect(r.createBadNode).toMatchObject({ name: 'TypeError' });
        expect(r.createBadNode.message).toMatch(/options.node/);
        expect(r.createBadRate).toMatchObject({ name: 'RangeError' });
        expect(r).toMatchObject({ stateAfter: 'stopped', positionAfter: 0, loopAfter: false, regionAfter: [0.25, 0] });
      },
    );

    workerSide(
      'inspect(): tags and cover art (title, artist, album, the front cover as a typed Blob) and whether it decodes here',
      async () => {
        const f = media.tagged;
        const r = await run('infoOf', { url: f.url, rate: f.rate });
        expect(r.openError).toBeUndefined();
        expect(r.info).toMatchObject({ codec: 'mp3', format: 'MP3', channels: 2, sampleRate: f.rate });
        // inspect() reads the tags whether or not the engine decodes the file.
        expect(r.info.decodable).toBe(!MISSING.includes('mp3'));
        if (MISSING.includes('mp3')) expect(r.info.problem).toMatchObject({ code: 'DECODER_MISSING' });
        expect(r.info.tags).toMatchObject({ title: 'Sweep', artist: 'ringlet', album: 'Fixtures' });
        expect(r.info.cover).toMatchObject({ type: 'image/png' });
        expect(r.info.cover.size).toBeGreaterThan(50);
        expect(r.png).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      },
    );

    // Each lossy file against the engine's own decodeAudioData of the same
    // bytes, aligned at the lag that encoder-delay trimming leaves between
    // them (mediabunny trims what the container states; decodeAudioData may
    // not). Where both paths run the same decoder they agree exactly (MP3,
    // Vorbis, Opus in Chromium measured 0 difference); the bound on every
    // sample is 1e-4 (-80 dBFS), and 1e-3 for AAC, whose decodeAudioData in
    // Chromium takes another decoding path (measured: 1.05e-4 at most, 92 dB
    // SNR). A real fault (a dropped or doubled packet, a swapped channel, a
    // resampled path) is off by far more: SNR 30-50 dB at a one-sample slip.
    // The formats differ only in the Worker's demux and decode.
    workerSide.each([
      ['mp3', 'mp3', 'MP3'],
      ['aac', 'aac', 'MP4'],
      ['vorbis', 'vorbis', 'Ogg'],
      ['opus', 'opus', 'Ogg'],
      ['webm', 'opus', 'WebM'],
    ])('%s plays as the engine decodes it (decodeAudioData of the same file)', async (key, codec, format) => {
      const f = media[/** @type {'mp3'} */ (key)];
      const r = await run('lossy', { url: f.url, rate: f.rate });
      if (MISSING.includes(codec)) {
        // This engine has no working decoder for the codec: the typed error names it.
        expect(r.openError).toMatchObject({ name: 'RingletError', code: 'DECODER_MISSING' });
        expect(r.openError.message).toMatch(new RegExp(codec));
        return;
      }
      console.log(
        `${engine.id} ${transport} ${key}: lag ${r.lag}, max diff ${r.maxDiff.toExponential(2)}, SNR ${r.snrDb.toFixed(1)} dB, ${r.streamFrames} vs ${r.referenceFrames} frames, underruns ${r.underruns}`,
      );
      expect(r.info).toMatchObject({ codec, format, sampleRate: f.rate, channels: 2 });
      expect(r.end).toBe(true);
      expect(r.compared).toBeGreaterThan(f.frames);
      expect(Math.abs(r.lag)).toBeLessThanOrEqual(3000);
      expect(r.maxDiff).toBeLessThan(key === 'aac' ? 1e-3 : 1e-4);
      expect(r.snrDb).toBeGreaterThan(80);
    });

    if (isolate && !MISSING.includes('mp3')) {
      // The default Worker decodes MP3 with this engine's WebCodecs: the LAME
      // tags' trims apply the same way (a WebCodecs decoder hands out every
      // frame it decodes, as mpg123 does). The bound is the lossy rows' 1e-4.
      test("MP3 through WebCodecs plays as ffmpeg's gapless decode, and a queued half follows the first with no gap or overlap", async () => {
        const [head, tail] = [media.mp3Head, media.mp3Tail];
        const whole = await run('lossy', { url: media.mp3.url, rate: head.rate, referenceUrl: mp3Reference });
        const join = await run('lossy', {
          url: head.url,
          next: tail.url,
          rate: head.rate,
          referenceUrl: [reference.mp3Head, reference.mp3Tail],
        });
        for (const [what, r] of [
          ['whole', whole],
          ['join', join],
        ]) {
          console.log(
            `${engine.id} ${transport} webcodecs mp3 ${what}: lag ${r.lag}, max diff ${r.maxDiff?.toExponential(2)}, ${r.streamFrames} vs ${r.referenceFrames} frames${r.parting ? `, parting ${JSON.stringify(r.parting)}` : ''}`,
          );
          expect(r.openError).toBeUndefined();
          expect(r.end).toBe(true);
          expect(r.lag).toBe(0);
          expect(r.streamFrames).toBe(r.referenceFrames);
          expect(r.maxDiff).toBeLessThan(1e-4);
        }
        expect(whole.info.duration).toBeCloseTo(media.mp3.frames / media.mp3.rate, 9);
        expect(join.info.duration).toBeCloseTo(1.3, 9);
      });
    }

    if (isolate) {
      // ringlet/stream-worker-wasm: libFLAC and libmpg123 compiled to wasm
      // decode FLAC and MP3 in every engine (WebKitGTK's WebCodecs has
      // neither; the plain Worker's DECODER_MISSING tests above show it).
      // FLAC is bit-exact; MP3 matches ffmpeg's own decode of the file:
      // mpg123 and ffmpeg's float decoder differ by 1.23e-6 at most, 122 dB
      // SNR, the same in every engine (and in Node, test/unit/wasm-decoders),
      // so the bounds are 1e-5 on every sample and 110 dB; a dropped or
      // doubled frame is off by far more.
      test('with ringlet/stream-worker-wasm FLAC plays bit-exact from its first frame to its last in every engine', async () => {
        const f = media.flac;
        const r = await run('playWhole', { url: f.url, rate: f.rate, workerUrl: WASM_WORKER });
        expect(r.openError).toBeUndefined();
        expect(r.info).toMatchObject({ sampleRate: f.rate, channels: 2, codec: 'flac', format: 'FLAC' });
        expect(r.streamError).toBeNull();
        expect(r.runs).toEqual([[0, f.frames]]);
        expect(r.position).toBeCloseTo(f.frames / f.rate, 6);
      });

      // The MP3s' LAME tags state their priming and padding: the stream plays
      // what ffmpeg's gapless decode gives, from the same frame (lag 0), the
      // encoder's input length (the duration), and a queued half follows the
      // first with no gap or overlap (a slip at the seam is off by far more
      // than 1e-5 on the samples after it).
      test('with ringlet/stream-worker-wasm MP3 plays as ffmpeg decodes it in every engine, gapless', async () => {
        const f = media.mp3;
        const r = await run('lossy', { url: f.url, rate: f.rate, workerUrl: WASM_WORKER, referenceUrl: mp3Reference });
        expect(r.openError).toBeUndefined();
        console.log(
          `${engine.id} ${transport} wasm worker mp3: lag ${r.lag}, max diff ${r.maxDiff.toExponential(2)}, SNR ${r.snrDb.toFixed(1)} dB, ${r.streamFrames} vs ${r.referenceFrames} frames`,
        );
        expect(r.info).toMatchObject({ codec: 'mp3', format: 'MP3', sampleRate: f.rate, channels: 2 });
        expect(r.info.duration).toBeCloseTo(f.frames / f.rate, 9);
        expect(r.end).toBe(true);
        expect(r.compared).toBeGreaterThan(f.frames);
        expect(r.lag).toBe(0);
        expect(r.streamFrames).toBe(r.referenceFrames);
        expect(r.maxDiff).toBeLessThan(1e-5);
        expect(r.snrDb).toBeGreaterThan(110);
      });

      test('with ringlet/stream-worker-wasm two MP3s cut from one sweep play back to back as their gapless decodes do, end to end', async () => {
        const [head, tail] = [media.mp3Head, media.mp3Tail];
        const r = await run('lossy', {
          url: head.url,
          next: tail.url,
          rate: head.rate,
          workerUrl: WASM_WORKER,
          referenceUrl: [reference.mp3Head, reference.mp3Tail],
        });
        expect(r.openError).toBeUndefined();
        console.log(
          `${engine.id} ${transport} wasm worker mp3 join: lag ${r.lag}, max diff ${r.maxDiff.toExponential(2)}, ${r.streamFrames} vs ${r.referenceFrames} frames`,
        );
        expect(r.info.duration).toBeCloseTo(1.3, 9);
        expect(r.next.duration).toBeCloseTo(head.frames / head.rate - 1.3, 9);
        expect(r.end).toBe(true);
        expect(r.lag).toBe(0);
        expect(r.streamFrames).toBe(r.referenceFrames);
        expect(r.maxDiff).toBeLessThan(1e-5);
      });
    }

    if (engine.family === 'firefox' && transport === 'message') {
      // Firefox's OfflineAudioContext has no suspend(), and its worklet takes
      // no port messages while an offline render runs: a port-fed node cannot
      // be fed there, so this transport's bound is proven in the other engines.
    } else {
      test('memory stays flat over 30 minutes of audio: the queue bound is the ring, the heap does not grow', async () => {
        const rate = 8000;
        const seconds = 1800;
        const long = await makeLong(seconds, rate);
        const capacityFrames = 16384;
        await b.page.goto(`${b.server.url}/test/browser/blank.html`);
        const rendering = b.page.evaluate(async ({ page, arg }) => (await import(page)).longRender(arg), {
          page: PAGE,
          arg: { url: long.url, rate, frames: long.frames, every: 8192, capacityFrames },
        });
        /** @type {(number | null)[]} */
        const heap = [];
        for (const mark of [0.2, 0.5, 0.8]) {
          await b.page
            .waitForFunction((m) => (globalThis.__memory?.progress ?? 0) >= m || globalThis.__memory?.done, mark, {
              timeout: 300000,
              polling: 200,
            })
            .catch(() => {});
          heap.push(await b.heapUsed());
        }
        const r = await rendering;
        expect({ starved: r.state.starved, runs: r.runs.length }).toEqual({ starved: 0, runs: 1 });
        if (transport === 'shared') expect(r.debug).toMatchObject({ endAt: long.frames });
        // On 'message' the node's counters come in snapshots, and a finished
        // offline render answers no more of them: the stream cannot see the
        // last frames played there, so only 'shared' reports the end.
        if (transport === 'shared') expect({ ended: r.ended, debug: r.debug }).toMatchObject({ ended: true });
        // Every frame of the file, once, in order (mono frame code, no underrun).
        expect(r.runs).toEqual([[0, long.frames]]);
        const chunk = r.worker.maxChunk;
        expect(chunk).toBeGreaterThan(0);
        if (transport === 'message') {
          // Decoded and not yet in the ring: never more than the ring's size plus one chunk.
          expect(r.worker.maxUnacked).toBeLessThanOrEqual(capacityFrames + chunk);
          expect(r.debug.maxQueuedFrames).toBeLessThanOrEqual(capacityFrames + chunk);
        } else {
          expect(r.worker.maxUnacked).toBe(0);
          expect(r.debug.maxQueuedFrames).toBe(0);
        }
        expect(r.state.maxSegments).toBeLessThanOrEqual(2);
        if (heap[0] !== null) {
          const growth = /** @type {number} */ (heap[2]) - /** @type {number} */ (heap[0]);
          console.log(
            `${engine.id} ${transport}: heap ${heap.map((h) => ((h ?? 0) / 2 ** 20).toFixed(1)).join(' -> ')} MiB over ${seconds} s (${((long.frames * 4) / 2 ** 20).toFixed(0)} MiB decoded)`,
          );
          // 60 minutes of this file decoded is 55 MiB of floats; the page's heap moves by far less.
          expect(growth).toBeLessThan(4 * 2 ** 20);
        }
      }, 600000);
    }
  });
}
