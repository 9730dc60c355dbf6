// The stream Worker's WebAssembly decoders (lib/stream-worker/wasm-decoders.js,
// dist/ringlet-stream-worker-wasm.js) through mediabunny, in Node, which has no
// WebCodecs (so nothing but them can decode): both register, a FLAC made by ffmpeg decodes to the exact
// samples of its WAV (16 and 24 bit), an MP3 to what ffmpeg decodes within a
// lossy decoder's rounding, and seeking lands on the right frame. The Worker
// holds messages that arrive while its decoders register, and handles them
// after, in order. Through the stream Worker, an MP3 with a LAME tag plays
// gapless: the encoder's input length, aligned with ffmpeg's gapless decode,
// from a seek as from the start, and two files back to back with no gap.
//
// Reproduce a failure: RINGLET_SEED=<seed printed in the test name> npm run test:unit -- test/unit/wasm-decoders.test.js
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mb from 'mediabunny';
import { registerWasmDecoders } from '../../lib/wasm-decoders.js';
import { installStreamWorker } from '../../lib/stream-worker/worker.js';
import { prng, seedFrom } from './helpers.js';

const SEED = seedFrom('RINGLET_SEED', 0x77617364); // "wasd"
const RATE = 44100;
const FRAMES = Math.round(1.5 * RATE);
/** @type {string} */
let dir;
/** @type {string[]} */
let registered = [];

/** @param {string[]} args */
function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

/**
 * A stereo WAV of `bits`-bit integers (seeded noise under two tones), and the
 * exact float value of each sample (integer / 2^(bits - 1)).
 * @param {16 | 24} bits
 */
function makeWav(bits) {
  const random = prng(SEED + bits);
  const bytes = bits / 8;
  const scale = 2 ** (bits - 1);
  const data = Buffer.alloc(FRAMES * 2 * bytes);
  const want = [new Float32Array(FRAMES), new Float32Array(FRAMES)];
  for (let i = 0; i < FRAMES; i++) {
    for (let c = 0; c < 2; c++) {
      const x = 0.4 * Math.sin((2 * Math.PI * (440 + 220 * c) * i) / RATE) + 0.2 * (random() - 0.5);
      const n = Math.max(-scale, Math.min(scale - 1, Math.round(x * scale)));
      data.writeIntLE(n, (2 * i + c) * bytes, bytes);
      want[c][i] = n / scale;
    }
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2 * bytes, 28);
  header.writeUInt16LE(2 * bytes, 32);
  header.writeUInt16LE(bits, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  const file = path.join(dir, `s${bits}.wav`);
  writeFileSync(file, Buffer.concat([header, data]));
  return { file, want };
}

/**
 * The pieces of one channel, end to end.
 * @param {Float32Array[]} list
 */
function joinParts(list) {
  const out = new Float32Array(list.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of list) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Every sample mediabunny decodes from `file` from `start` seconds on, per
 * channel, and the first sample's timestamp.
 * @param {string} file
 * @param {number} [start]
 */
async function decode(file, start = 0) {
  const input = new mb.Input({ source: new mb.BufferSource(readFileSync(file)), formats: mb.ALL_FORMATS });
  try {
    const track = await input.getPrimaryAudioTrack();
    if (!track) throw new Error(`${file}: no audio track`);
    expect(await track.canDecode()).toBe(true);
    /** @type {Float32Array[][]} */
    const parts = [[], []];
    let first = NaN;
    for await (const sample of new mb.AudioSampleSink(track).samples(start)) {
      if (Number.isNaN(first)) first = sample.timestamp;
      for (let c = 0; c < 2; c++) {
        const p = new Float32Array(sample.numberOfFrames);
        sample.copyTo(p, { planeIndex: c, format: 'f32-planar' });
        parts[c].push(p);
      }
      sample.close();
    }
    return { channels: parts.map(joinParts), first, rate: track.sampleRate };
  } finally {
    input.dispose();
  }
}

/**
 * Samples that differ, and the first of them (-1: none).
 * @param {Float32Array} got
 * @param {Float32Array} want
 */
function mismatches(got, want) {
  let count = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      count++;
      if (first < 0) first = i;
    }
  }
  return { count, first };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringlet-wasm-decoders-'));
  // The public entry (ringlet/wasm-decoders), as an app's own Worker calls it.
  registered = await registerWasmDecoders(mb);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('both decoders register, once per mediabunny module: a second call gives the same promise', () => {
  expect(registered).toEqual(['flac', 'mp3']);
  expect(registerWasmDecoders(mb)).toBe(registerWasmDecoders(mb));
});

test.each([
  ['undefined', undefined],
  ['an empty object', {}],
  ['a module without CustomAudioDecoder', { registerDecoder: () => {} }],
])('%s is no mediabunny module: TypeError naming the parameter', (_, value) => {
  expect(() => registerWasmDecoders(/** @type {any} */ (value))).toThrow(TypeError);
  expect(() => registerWasmDecoders(/** @type {any} */ (value))).toThrow(/registerWasmDecoders: mediabunny must be/);
});

describe.each([16, 24])('FLAC, %i-bit', (bits) => {
  test(`decodes to its WAV's exact samples, every one (seed ${SEED})`, async () => {
    const { file, want } = makeWav(/** @type {16 | 24} */ (bits));
    const flac = path.join(dir, `s${bits}.flac`);
    ffmpeg(['-i', file, '-sample_fmt', bits === 16 ? 's16' : 's32', flac]);
    const got = await decode(flac);
    expect(got.rate).toBe(RATE);
    for (let c = 0; c < 2; c++) {
      expect(got.channels[c].length).toBe(FRAMES);
      expect(mismatches(got.channels[c], want[c])).toEqual({ count: 0, first: -1 });
    }
  });

  test('a seek starts at the frame asked for', async () => {
    const { file, want } = makeWav(/** @type {16 | 24} */ (bits));
    const flac = path.join(dir, `seek${bits}.flac`);
    ffmpeg(['-i', file, '-sample_fmt', bits === 16 ? 's16' : 's32', flac]);
    const got = await decode(flac, 0.75);
    // mediabunny hands out whole frames: the one holding 0.75 s comes first.
    const from = Math.round(got.first * RATE);
    expect(from).toBeLessThanOrEqual(Math.round(0.75 * RATE));
    expect(got.channels[0].length).toBe(FRAMES - from);
    expect(mismatches(got.channels[0], want[0].subarray(from))).toEqual({ count: 0, first: -1 });
  });
});

test('MP3 decodes to what ffmpeg decodes, within the rounding of two float decoders (SNR > 100 dB; 122 dB measured), its whole length', async () => {
  const { file } = makeWav(16);
  const mp3 = path.join(dir, 's.mp3');
  ffmpeg(['-i', file, '-b:a', '192k', mp3]);
  const raw = path.join(dir, 's.f32');
  ffmpeg(['-i', mp3, '-f', 'f32le', '-acodec', 'pcm_f32le', raw]);
  const bytes = readFileSync(raw);
  const reference = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const got = await decode(mp3);
  const left = got.channels[0];
  // ffmpeg drops the encoder's delay; mpg123 here hands out every frame: find the offset.
  let best = { lag: 0, err: Infinity };
  for (let lag = 0; lag <= 3000; lag++) {
    let err = 0;
    for (let i = 0; i < 4096; i += 4) err += (left[i + lag + 20000] - reference[2 * (i + 20000)]) ** 2;
    if (err < best.err) best = { lag, err };
  }
  let signal = 0;
  let noise = 0;
  const n = Math.min(left.length - best.lag, reference.length / 2) - 2000;
  for (let i = 2000; i < n; i++) {
    const r = reference[2 * i];
    signal += r * r;
    noise += (left[i + best.lag] - r) ** 2;
  }
  const snr = 10 * Math.log10(signal / noise);
  console.log(`mp3: offset ${best.lag} frames, SNR ${snr.toFixed(1)} dB over ${n - 2000} frames`);
  expect(snr).toBeGreaterThan(100);
  // Every MPEG frame comes out: the file's 1152-frame frames cover the track.
  expect(left.length).toBeGreaterThanOrEqual(FRAMES);
  expect(left.length).toBeLessThan(FRAMES + 3 * 1152);
});

test('the Worker holds the messages that arrive while its decoders register, then handles them in order', async () => {
  /** @type {Array<(event: MessageEvent) => void>} */
  const listeners = [];
  /** @type {unknown[]} */
  const posted = [];
  const scope = {
    postMessage: (/** @type {unknown} */ m) => posted.push(m),
    addEventListener: (/** @type {string} */ _type, /** @type {(event: MessageEvent) => void} */ l) =>
      listeners.push(l),
  };
  /** @type {(value?: unknown) => void} */
  let release = () => {};
  const ready = new Promise((resolve) => (release = resolve));
  installStreamWorker(/** @type {any} */ (scope), /** @type {any} */ (mb), { ready });
  const send = (/** @type {object} */ m) => listeners.forEach((l) => l(/** @type {MessageEvent} */ ({ data: m })));
  send({ type: 'stats', id: 1 });
  send({ type: 'stats', id: 2 });
  await new Promise((r) => setTimeout(r, 20));
  expect(posted).toEqual([]);
  release();
  await new Promise((r) => setTimeout(r, 0));
  send({ type: 'stats', id: 3 });
  expect(posted.map((m) => /** @type {{ id: number }} */ (m).id)).toEqual([1, 2, 3]);
});

/**
 * Plays `blob` through the stream Worker's 'message' path (a fake scope: every
 * chunk acknowledged at once) from `frame`, and returns what it opened and
 * every frame it sent, per channel.
 * @param {Blob} blob
 * @param {number} [frame]
 */
async function playThroughWorker(blob, frame = 0) {
  return playlistThroughWorker([blob], frame);
}

/**
 * Plays `blobs` one after another (a playlist: gapless advance) through the
 * stream Worker's 'message' path, as playThroughWorker does.
 * @param {Blob[]} blobs
 * @param {number} [frame] where the first one starts
 */
async function playlistThroughWorker(blobs, frame = 0) {
  /** @type {Array<(event: MessageEvent) => void>} */
  const listeners = [];
  /** @type {any[]} */
  const posted = [];
  /** @type {(m: any) => void} */
  let onPost = () => {};
  const scope = {
    postMessage: (/** @type {any} */ m) => {
      posted.push(m);
      onPost(m);
    },
    addEventListener: (/** @type {string} */ _type, /** @type {(event: MessageEvent) => void} */ l) =>
      listeners.push(l),
  };
  installStreamWorker(/** @type {any} */ (scope), /** @type {any} */ (mb));
  const send = (/** @type {object} */ m) => listeners.forEach((l) => l(/** @type {MessageEvent} */ ({ data: m })));
  const reply = (/** @type {(m: any) => boolean} */ match) =>
    new Promise((resolve) => {
      const found = posted.find(match);
      if (found) resolve(found);
      else onPost = (m) => match(m) && resolve(m);
    });
  /** @type {any[]} */
  const infos = [];
  for (let k = 0; k < blobs.length; k++) {
    send({ type: 'open', id: k + 1, source: { kind: 'blob', blob: blobs[k] } });
    const opened = /** @type {any} */ (await reply((m) => m.id === k + 1));
    if (opened.type !== 'opened') throw new Error(`open failed: ${JSON.stringify(opened.error)}`);
    infos.push(opened.info);
  }
  /** @type {Float32Array[][]} */
  const parts = [[], []];
  const ended = new Promise((resolve) => {
    onPost = (m) => {
      if (m.type === 'chunk') {
        for (let c = 0; c < 2; c++) parts[c].push(m.planes[c]);
        send({ type: 'ack', session: 1, frames: m.frames });
      } else if (m.type === 'end' || m.type === 'error') resolve(m);
    };
  });
  send({
    type: 'start',
    session: 1,
    playlist: blobs.map((_, k) => k + 1),
    frame,
    loop: false,
    region: null,
    channels: 2,
    ring: null,
    control: null,
    credit: 1 << 16,
    rates: false,
  });
  const end = /** @type {any} */ (await ended);
  const channels = parts.map(joinParts);
  for (let k = 0; k < blobs.length; k++) send({ type: 'close', id: k + 1 });
  const segments = posted.filter((m) => m.type === 'segment').map((m) => [m.at, m.track, m.frame]);
  return { info: infos[0], infos, segments, end, channels };
}

describe('MP3 with a LAME tag: gapless', () => {
  test("the stream plays the encoder's input length, every frame where ffmpeg's gapless decode has it (the priming and padding trimmed)", async () => {
    const { file } = makeWav(16);
    const mp3 = path.join(dir, 'gapless.mp3');
    ffmpeg(['-i', file, '-b:a', '192k', mp3]);
    const raw = path.join(dir, 'gapless.f32');
    ffmpeg(['-i', mp3, '-f', 'f32le', '-acodec', 'pcm_f32le', raw]);
    const bytes = readFileSync(raw);
    const reference = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(reference.length / 2).toBe(FRAMES); // ffmpeg's own gapless decode: the WAV's length
    const r = await playThroughWorker(new Blob([readFileSync(mp3)]));
    expect(r.end.type).toBe('end');
    expect(r.info.duration).toBeCloseTo(FRAMES / RATE, 9);
    for (let c = 0; c < 2; c++) {
      expect(r.channels[c].length).toBe(FRAMES);
      let worst = 0;
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < FRAMES; i++) {
        const d = r.channels[c][i] - reference[2 * i + c];
        worst = Math.max(worst, Math.abs(d));
        signal += reference[2 * i + c] ** 2;
        noise += d * d;
      }
      console.log(
        `gapless mp3, channel ${c}: worst ${worst.toExponential(2)}, SNR ${(10 * Math.log10(signal / noise)).toFixed(1)} dB`,
      );
      // Aligned at offset 0: a frame early or late is off by far more.
      expect(worst).toBeLessThan(1e-5);
    }
  });

  test("behind an ID3v2 tag, and from a seek: the frame asked for is the gapless decode's frame", async () => {
    const { file } = makeWav(16);
    const mp3 = path.join(dir, 'tagged.mp3');
    // A 40 KiB ID3v2 comment puts the first MPEG frame far past the first read.
    ffmpeg([
      '-i',
      file,
      '-b:a',
      '192k',
      '-metadata',
      `comment=${'x'.repeat(40000)}`,
      '-metadata',
      'title=Gapless',
      mp3,
    ]);
    const head = readFileSync(mp3);
    expect(head.subarray(0, 3).toString('latin1')).toBe('ID3');
    const raw = path.join(dir, 'tagged.f32');
    ffmpeg(['-i', mp3, '-f', 'f32le', '-acodec', 'pcm_f32le', raw]);
    const bytes = readFileSync(raw);
    const reference = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const from = Math.round(0.75 * RATE);
    const r = await playThroughWorker(new Blob([head]), from);
    expect(r.end.type).toBe('end');
    expect(r.info.duration).toBeCloseTo(FRAMES / RATE, 9);
    expect(r.channels[0].length).toBe(FRAMES - from);
    // The decoder starts a few MPEG frames before the seek's frame (a cold
    // start is off for about 1.5 frames: the bit reservoir and the overlap),
    // so the first frame is the gapless decode's at the same index.
    let worst = 0;
    for (let i = 0; i < FRAMES - from; i++)
      worst = Math.max(worst, Math.abs(r.channels[0][i] - reference[2 * (from + i)]));
    expect(worst).toBeLessThan(1e-5);
  });

  test('an MP3 with no Xing/Info frame plays every decoded frame, as before (nothing states a trim)', async () => {
    const { file } = makeWav(16);
    const mp3 = path.join(dir, 'plain.mp3');
    ffmpeg(['-i', file, '-b:a', '192k', '-write_xing', '0', mp3]);
    const r = await playThroughWorker(new Blob([readFileSync(mp3)]));
    expect(r.end.type).toBe('end');
    // Priming included: more than the input, whole MPEG frames.
    expect(r.channels[0].length).toBeGreaterThan(FRAMES + 1000);
    expect(r.channels[0].length % 1152).toBe(0);
  });

  test("two MP3s cut from one signal play back to back with no gap and no overlap: the join is ffmpeg's two gapless decodes end to end", async () => {
    const { file } = makeWav(16);
    const half = Math.round(0.7 * RATE);
    const parts = [
      ['a', ['-t', String(half / RATE)]],
      ['b', ['-ss', String(half / RATE)]],
    ].map(([name, cut]) => {
      const mp3 = path.join(dir, `join-${name}.mp3`);
      ffmpeg(['-i', file, ...cut, '-b:a', '192k', mp3]);
      const raw = path.join(dir, `join-${name}.f32`);
      ffmpeg(['-i', mp3, '-f', 'f32le', '-acodec', 'pcm_f32le', raw]);
      const bytes = readFileSync(raw);
      return { mp3, reference: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
    });
    // ffmpeg's gapless decodes of the two halves, one after the other: the WAV's length.
    const joined = new Float32Array(parts[0].reference.length + parts[1].reference.length);
    joined.set(parts[0].reference);
    joined.set(parts[1].reference, parts[0].reference.length);
    expect(joined.length / 2).toBe(FRAMES);
    const r = await playlistThroughWorker(parts.map((p) => new Blob([readFileSync(p.mp3)])));
    expect(r.end.type).toBe('end');
    // The second file starts right after the first one's last frame.
    expect(r.segments).toEqual([
      [0, 1, 0],
      [half, 2, 0],
    ]);
    expect(r.channels[0].length).toBe(FRAMES);
    let worst = 0;
    for (let c = 0; c < 2; c++)
      for (let i = half - 2048; i < half + 2048; i++)
        worst = Math.max(worst, Math.abs(r.channels[c][i] - joined[2 * i + c]));
    expect(worst).toBeLessThan(1e-5);
  });
});
