// ringlet/stream's decoder session (lib/stream-worker/pump.js) against a
// frame-by-frame model of what a loop region plays: a fake mediabunny hands
// out decoded samples of random sizes whose values are their frame numbers,
// and the 'message' transport's posts are what the node would be given.
//
// Reproduce a failure: RINGLET_FC_SEED=<seed printed in the test name or by
// fast-check> npm run test:unit -- test/unit/stream-pump.test.js
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { regionFrames } from '../../lib/shared/loop-region.js';
import { Pump } from '../../lib/stream-worker/pump.js';
import { seedFrom } from './helpers.js';

const BASE_SEED = seedFrom('RINGLET_FC_SEED', 0x50554d50); // "PUMP"
const NUM_RUNS = Number(process.env.RINGLET_FC_RUNS ?? 200);
const RATE = 1000;

/**
 * A decoded sample of frames [first, first + count), each frame's value its number.
 * @param {number} first
 * @param {number} count
 */
function fakeSample(first, count) {
  return {
    timestamp: first / RATE,
    numberOfFrames: count,
    numberOfChannels: 1,
    /**
     * @param {Float32Array} dest
     * @param {{ frameOffset: number, frameCount: number }} o
     */
    copyTo(dest, o) {
      for (let i = 0; i < o.frameCount; i++) dest[i] = first + o.frameOffset + i;
    },
    close() {},
  };
}

/**
 * A track of `frames` frames decoded in samples of the given sizes (cycled).
 * @param {number} frames
 * @param {number[]} sizes
 */
function fakeTrack(frames, sizes) {
  const starts = [];
  for (let at = 0, i = 0; at < frames; i++) {
    starts.push(at);
    at += sizes[i % sizes.length];
  }
  const mb = {
    AudioSampleSink: class {
      /** @param {number} seconds */
      samples(seconds) {
        const from = Math.round(seconds * RATE);
        return (async function* () {
          for (let k = 0; k < starts.length; k++) {
            const first = starts[k];
            const end = k + 1 < starts.length ? starts[k + 1] : frames;
            if (end <= from) continue;
            yield fakeSample(first, end - first);
          }
        })();
      }
    },
  };
  const track = {
    info: { sampleRate: RATE, duration: frames / RATE, codec: 'pcm-f32', format: 'WAVE' },
    audio: {},
    stated: frames / RATE,
    trim: null,
    preroll: 0,
  };
  return { mb, track };
}

/** The integers [from, to). @param {number} from @param {number} to */
function range(from, to) {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/**
 * What a session plays, frame by frame: from `from`, looping the region
 * [start, end) while `loopOn(outputSoFar)`; a pass ends at the region's end
 * when it started before it, else at the track's end.
 * @param {{ frames: number, from: number, start: number, end: number, offAfter: number }} o
 */
function model(o) {
  const out = [];
  const region = o.start < o.end && o.start < o.frames ? { start: o.start, end: Math.min(o.end, o.frames) } : null;
  let pos = o.from;
  let passFrom = o.from;
  for (;;) {
    const loop = out.length < o.offAfter;
    const limit = loop && region && passFrom < region.end ? region.end : o.frames;
    if (pos >= limit) {
      // The pass is over: another one while looping, else the end.
      if (!(out.length < o.offAfter)) return out;
      pos = region ? region.start : 0;
      passFrom = pos;
      continue;
    }
    out.push(pos++);
  }
}

/**
 * A session over a fake track: one mono channel, 'message' posts with no
 * credit limit, playlist [1], looping on. Its first write is not held back
 * (firstWriteFrames 1) unless `o` has firstWriteFrames (undefined: the default): these
 * tests act at exact counts of frames written.
 * @param {{ mb: object, track: object }} fake
 * @param {{ session: number, frame: number, region: { start: number, end: number }, post: (m: object) => void, loop?: boolean, firstWriteFrames?: number }} o
 */
function pumpOver({ mb, track }, o) {
  return new Pump({
    firstWriteFrames: 'firstWriteFrames' in o ? o.firstWriteFrames : 1,
    session: o.session,
    mb: /** @type {any} */ (mb),
    track: () => /** @type {any} */ (track),
    playlist: [1],
    frame: o.frame,
    loop: o.loop ?? true,
    region: o.region,
    channels: 1,
    ring: null,
    control: null,
    credit: Infinity,
    rates: false,
    post: o.post,
  });
}

describe('stream decoder session: loop regions', () => {
  test(`plays what the model plays, for any region, start frame, sample sizes and loop-off point (fast-check seed ${BASE_SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 450 }),
        fc.integer({ min: 0, max: 450 }),
        fc.integer({ min: 0, max: 399 }),
        fc.integer({ min: 0, max: 1500 }),
        async (frames, sizes, a, b, fromRaw, offAfter) => {
          const from = fromRaw % frames;
          const { mb, track } = fakeTrack(frames, sizes);
          /** @type {number[]} */
          const out = [];
          let off = false;
          /** Frames written when the page turned looping off (after the chunk that reached offAfter). */
          let offAt = 0;
          const pump = pumpOver(
            { mb, track },
            {
              session: 1,
              frame: from,
              region: { start: a / RATE, end: b / RATE },
              post: (m) => {
                const msg = /** @type {any} */ (m);
                if (msg.type !== 'chunk') return;
                for (const x of msg.planes[0]) out.push(x);
                // The page turns looping off, as it would, once this much was written.
                if (!off && out.length >= offAfter) {
                  off = true;
                  offAt = out.length;
                  pump.update([1], false, { start: a / RATE, end: b / RATE });
                }
              },
            },
          );
          if (offAfter === 0) {
            off = true;
            pump.update([1], false, { start: a / RATE, end: b / RATE });
          }
          const how = await pump.run();
          expect(how).toBe('end');
          // Looping stops where the page turned it off: after the chunk it was told in.
          expect(out).toEqual(model({ frames, from, start: a, end: b, offAfter: offAt }));
        },
      ),
      { seed: BASE_SEED, numRuns: NUM_RUNS },
    );
  });

  test("a region whose end the decoder has passed is answered with 'late' and not applied in flight; one ahead of it applies", async () => {
    const { mb, track } = fakeTrack(1000, [50]);
    /** @type {string[]} */
    const told = [];
    let written = 0;
    /** @type {number[]} */
    const out = [];
    /** @type {Pump} */
    const pump = pumpOver(
      { mb, track },
      {
        session: 7,
        frame: 0,
        region: { start: 0, end: 0 },
        post: (m) => {
          const msg = /** @type {any} */ (m);
          if (msg.type === 'late') told.push(`late ${msg.session} at ${written}`);
          if (msg.type !== 'chunk') return;
          for (const x of msg.planes[0]) out.push(x);
          written += msg.frames;
          if (written === 300) pump.update([1], true, { start: 0.1, end: 0.5 }); // ahead: applies in flight
          if (written === 700) pump.update([1], true, { start: 0.1, end: 0.2 }); // behind the decoder
          if (written === 1300) pump.update([1], false, { start: 0.1, end: 0.2 });
        },
      },
    );
    await pump.run();
    expect(told).toEqual(['late 7 at 700']);
    // The first region applied: frames 0-499, then 100-499 again (written reaches 700 at frame 299 of that pass).
    expect(out.slice(0, 700)).toEqual([...range(0, 500), ...range(100, 300)]);
    // The late one did not: the pass runs on to the first region's end (no pass at 100 starts from 200),
    // then passes of the first region until looping is turned off at 1300 written.
    expect(out.slice(700, 900)).toEqual(range(300, 500));
    expect(out.slice(900, 1300)).toEqual(range(100, 500));
  });

  test.each([
    // [what, start frame, frames written when it is set, region before, region set, 'late' expected]
    ['a later pass than the first, before the region ends', 0, 1200, [0, 0], [0.1, 0.5], true],
    ['a pass begun past the region', 800, 50, [0, 0], [0.1, 0.5], true],
    ['the first pass, before the region ends', 0, 200, [0, 0], [0.1, 0.5], false],
    ['a later pass, with the region it already had', 0, 1200, [0.1, 0.5], [0.1, 0.5], false],
  ])(
    "a region set on %s: 'late' only when the decoder cannot honour it in flight",
    async (_what, frame, at, before, [start, end], expected) => {
      const { mb, track } = fakeTrack(1000, [50]);
      let late = 0;
      let written = 0;
      /** @type {Pump} */
      const pump = pumpOver(
        { mb, track },
        {
          session: 3,
          frame: frame,
          region: { start: before[0], end: before[1] },
          post: (m) => {
            const msg = /** @type {any} */ (m);
            if (msg.type === 'late') late++;
            if (msg.type !== 'chunk') return;
            written += msg.frames;
            if (written === at) pump.update([1], true, { start, end });
            if (written === 3000) pump.update([1], false, { start, end });
          },
        },
      );
      await pump.run();
      expect(late).toBe(expected ? 1 : 0);
    },
  );
});

describe("stream decoder session: a session's first write", () => {
  test.each([
    ['an MP3-like track (47 frames, then 1152-frame packets)', 5000, [47, 1152], 1199],
    ['a track of small samples', 3000, [50], 1050],
    ['a track shorter than the first write', 300, [47], 300],
  ])(
    '%s: the first write holds at least 1024 frames or the whole track, and every frame plays once, in order',
    async (_what, frames, sizes, firstChunk) => {
      const { mb, track } = fakeTrack(frames, sizes);
      /** @type {number[]} */
      const chunks = [];
      /** @type {number[]} */
      const out = [];
      const pump = pumpOver(
        { mb, track },
        {
          session: 1,
          frame: 0,
          region: { start: 0, end: 0 },
          loop: false,
          firstWriteFrames: undefined,
          post: (m) => {
            const msg = /** @type {any} */ (m);
            if (msg.type !== 'chunk') return;
            chunks.push(msg.frames);
            for (const x of msg.planes[0]) out.push(x);
          },
        },
      );
      expect(await pump.run()).toBe('end');
      expect(chunks[0]).toBe(firstChunk);
      // After the first, the decoder's own sizes.
      expect(chunks.slice(1).every((n) => sizes.includes(n) || n < Math.max(...sizes))).toBe(true);
      expect(out).toEqual(range(0, frames));
    },
  );
});

describe('regionFrames: the region both the page and the Worker cut passes at', () => {
  test.each([
    ['a region inside the track', { start: 0.25, end: 0.5 }, 1000, { start: 250, end: 500 }],
    [
      'its end clamped to the track, as AudioBufferSourceNode clamps loopEnd',
      { start: 0.25, end: 9 },
      1000,
      { start: 250, end: 1000 },
    ],
    ['a track of unknown length: no clamp', { start: 0.25, end: 9 }, Infinity, { start: 250, end: 9000 }],
    ['start = end: no region', { start: 0.5, end: 0.5 }, 1000, null],
    ['start after end: no region', { start: 0.6, end: 0.5 }, 1000, null],
    ['start below 0: no region', { start: -0.1, end: 0.5 }, 1000, null],
    ['start at or past the track end: no region', { start: 1, end: 2 }, 1000, null],
    ['rounded to the nearest frame', { start: 0.0004, end: 0.0016 }, 1000, { start: 0, end: 2 }],
  ])('%s', (_, region, frames, expected) => {
    expect(regionFrames(region, RATE, frames)).toEqual(expected);
  });
});
