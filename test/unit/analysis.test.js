// ringlet/worker's streaming analysis (createAnalysis, lib/worker/dsp-tasks.js)
// on the wasm build, in Node: audio handed in pieces of any size measures the
// same as the whole of it at once and as the 'analyze' task (the spectrum,
// peak and loudness bit for bit; the RMS to 1e-12 dB, its sum of squares
// being added up in pieces);
// the spectrum keeps 'analyze''s windows (one zero-padded window below
// fftSize, then one per hop); a known tone reads its level and loudness; bad
// input changes nothing.
//
// Reproduce a failure: RINGLET_SEED=<seed printed in the test name> npm run test:unit -- test/unit/analysis.test.js
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { analyzeTask, createAnalysis } from '../../lib/worker/dsp-tasks.js';
import { workerState } from '../../lib/worker/runtime.js';
import { WASM_PATH, prng, seedFrom } from './helpers.js';

const SEED = seedFrom('RINGLET_SEED', 0x414e4c59); // "ANLY"
const RATE = 48000;

beforeAll(() => {
  // As the pool's hello hands a worker the page's wasm (ringlet/inline's case): nothing is fetched.
  const bytes = readFileSync(WASM_PATH);
  workerState().wasmBytes = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
});

/**
 * `channels` planes of `frames` frames of seeded noise plus a tone.
 * @param {number} channels
 * @param {number} frames
 * @param {number} seed
 */
function audio(channels, frames, seed) {
  const random = prng(seed);
  return Array.from({ length: channels }, (_, c) => {
    const p = new Float32Array(frames);
    for (let i = 0; i < frames; i++)
      p[i] = 0.3 * Math.sin((2 * Math.PI * (440 + 110 * c) * i) / RATE) + 0.1 * (random() - 0.5);
    return p;
  });
}

/**
 * Measures `planes` pushed in pieces of random sizes (0 included).
 * @param {Float32Array[]} planes
 * @param {number} seed
 * @param {number} [fftSize]
 */
async function streamed(planes, seed, fftSize) {
  const random = prng(seed);
  const a = await createAnalysis({ channels: planes.length, sampleRate: RATE, fftSize });
  const frames = planes[0].length;
  for (let at = 0; at < frames;) {
    const n = Math.min(frames - at, Math.floor(random() * random() * 30000));
    a.push(planes.map((p) => p.subarray(at, at + n)));
    at += n;
  }
  expect(a.frames).toBe(frames);
  return a.finish();
}

/** @param {Float32Array[]} planes @param {number} [fftSize] */
async function whole(planes, fftSize) {
  const a = await createAnalysis({ channels: planes.length, sampleRate: RATE, fftSize });
  a.push(planes);
  return a.finish();
}

/**
 * Two analyses of the same audio: equal, the RMS to the rounding of its sum.
 * @param {import('../../types/render.js').AnalyzeResult} got
 * @param {import('../../types/render.js').AnalyzeResult} want
 */
function expectSame(got, want) {
  expect({ ...got, rmsDb: 0 }).toEqual({ ...want, rmsDb: 0 });
  expect(Math.abs(got.rmsDb - want.rmsDb)).toBeLessThan(1e-12);
}

describe('pieces of any size measure what the whole does', () => {
  test.each([
    [1, 1000],
    [2, 2048],
    [2, 100000],
    [6, 48000 * 3 + 17],
  ])(`%i channels, %i frames (seed ${SEED})`, async (channels, frames) => {
    const planes = audio(channels, frames, SEED + frames);
    const reference = await whole(planes);
    for (let k = 0; k < 3; k++) expectSame(await streamed(planes, SEED + 31 * k + channels), reference);
    // The 'analyze' task is the same analysis over its payload.
    const progress = /** @type {number[]} */ ([]);
    const task = /** @type {any} */ (
      await analyzeTask(
        { channels: planes, sampleRate: RATE },
        /** @type {any} */ ({ progress: (/** @type {number} */ f) => progress.push(f) }),
      )
    );
    expectSame(task.value, reference); // withTransfer's wrapper: the spectrum's buffer goes back transferred
    expect(task.transfer).toEqual([task.value.spectrum.buffer]);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
  });
});

describe("the spectrum's windows are 'analyze''s", () => {
  const FFT = 256;
  test('below fftSize: one window, zero-padded', async () => {
    const [x] = audio(1, 100, SEED);
    const padded = new Float32Array(FFT);
    padded.set(x);
    expect((await whole([x], FFT)).spectrum).toEqual((await whole([padded], FFT)).spectrum);
  });
  test('from fftSize on: one more window each hop, and none for a partial hop', async () => {
    const [x] = audio(1, 4 * FFT, SEED);
    const first = (await whole([x.subarray(0, FFT)], FFT)).spectrum;
    expect((await whole([x.subarray(0, FFT + FFT / 2 - 1)], FFT)).spectrum).toEqual(first);
    const two = (await whole([x.subarray(0, FFT + FFT / 2)], FFT)).spectrum;
    expect(two).not.toEqual(first);
    expect((await whole([x.subarray(0, 2 * FFT - 1)], FFT)).spectrum).toEqual(two);
  });
});

test('a 1 kHz tone at -23 dBFS in both channels reads -23 LUFS (EBU Tech 3341 case 1), its peak and RMS, and its bin', async () => {
  const amplitude = 10 ** (-23 / 20);
  const frames = 20 * RATE;
  const tone = new Float32Array(frames);
  for (let i = 0; i < frames; i++) tone[i] = amplitude * Math.sin((2 * Math.PI * 1000 * i) / RATE);
  const r = await streamed([tone, tone], SEED);
  expect(Math.abs(r.lufs - -23)).toBeLessThan(0.1);
  expect(Math.abs(r.peakDb - -23)).toBeLessThan(0.01);
  expect(Math.abs(r.rmsDb - (-23 - 10 * Math.log10(2)))).toBeLessThan(0.01);
  let k = 0;
  for (let i = 1; i < r.spectrum.length; i++) if (r.spectrum[i] > r.spectrum[k]) k = i;
  expect(Math.abs(k - (1000 * r.fftSize) / RATE)).toBeLessThanOrEqual(1);
  expect(r).toMatchObject({ frames, sampleRate: RATE, fftSize: 2048 });
});

describe('bad input', () => {
  test.each([
    [{ channels: 0, sampleRate: RATE }, RangeError, /options\.channels must be an integer from 1 to 32; got 0/],
    [{ channels: '2', sampleRate: RATE }, TypeError, /options\.channels/],
    [
      { channels: 2, sampleRate: 4000 },
      RangeError,
      /options\.sampleRate must be a finite number in \[8000, 768000\]; got 4000/,
    ],
    [
      { channels: 2, sampleRate: RATE, fftSize: 1000 },
      RangeError,
      /fftSize must be a power of two from 32 to 32768; got 1000/,
    ],
    [null, TypeError, /options must be an object/],
  ])('createAnalysis(%j) rejects', async (options, kind, message) => {
    const error = await createAnalysis(/** @type {any} */ (options)).catch((e) => e);
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toMatch(message);
  });

  test('a rejected push measures nothing; finish() ends the analysis', async () => {
    const planes = audio(2, 5000, SEED);
    const reference = await whole(planes);
    const a = await createAnalysis({ channels: 2, sampleRate: RATE });
    a.push(planes.map((p) => p.subarray(0, 3000)));
    expect(() => a.push([planes[0]])).toThrow(/planes must hold 2 channels, as created; got 1/);
    expect(() => a.push([planes[0].subarray(0, 10), planes[1].subarray(0, 11)])).toThrow(RangeError);
    expect(() => a.push(/** @type {any} */ ([new Float64Array(4), new Float64Array(4)]))).toThrow(TypeError);
    expect(a.frames).toBe(3000);
    a.push(planes.map((p) => p.subarray(3000)));
    expectSame(a.finish(), reference);
    expect(() => a.push(planes)).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(() => a.finish()).toThrow(/the analysis is finished/);
  });
});
