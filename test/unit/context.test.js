// The main-thread check tests capabilities, not `typeof window`.
import { afterEach, expect, test } from '@jest/globals';
import { getAudioContext, isMainThread, unlockAudio } from '../../lib/node/context.js';

const g = /** @type {Record<string, unknown>} */ (globalThis);
const saved = ['window', 'document', 'AudioContext', 'WorkerGlobalScope'];
const original = Object.fromEntries(saved.map((k) => [k, Object.getOwnPropertyDescriptor(g, k)]));
afterEach(() => {
  for (const k of saved) {
    if (original[k]) Object.defineProperty(g, k, original[k]);
    else delete g[k];
  }
});

test('plain Node is not a main thread, and getAudioContext/unlockAudio reject with NOT_MAIN_THREAD', async () => {
  expect(isMainThread()).toBe(false);
  await expect(getAudioContext()).rejects.toMatchObject({ name: 'RingletError', code: 'NOT_MAIN_THREAD' });
  await expect(unlockAudio(/** @type {any} */ ({ resume() {} }))).rejects.toMatchObject({ code: 'NOT_MAIN_THREAD' });
});

test('a jsdom-like global (window and document, no AudioContext) is refused', async () => {
  g.window = globalThis;
  g.document = { createElement() {} };
  expect(isMainThread()).toBe(false);
  await expect(getAudioContext()).rejects.toMatchObject({ code: 'NOT_MAIN_THREAD' });
});

test('a Deno-like global (window, no document) is refused even with an AudioContext polyfill', () => {
  g.window = globalThis;
  g.AudioContext = class {};
  expect(isMainThread()).toBe(false);
});

test('a worker scope is refused even if it defines document and AudioContext', () => {
  let inWorker = false;
  g.WorkerGlobalScope = class {
    static [Symbol.hasInstance]() {
      return inWorker;
    }
  };
  g.document = { createElement() {} };
  g.AudioContext = class {};
  expect(isMainThread()).toBe(true);
  inWorker = true;
  expect(isMainThread()).toBe(false);
});

test('a window with document and AudioContext is a main thread', () => {
  g.document = { createElement() {} };
  g.AudioContext = class {};
  expect(isMainThread()).toBe(true);
});
