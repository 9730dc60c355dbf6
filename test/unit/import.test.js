// The package entry must load anywhere: importing lib/index.js or the bundle
// dist/ringlet.js in Node (and in a worker_threads Worker) touches no
// Window-only global. RingletNode.create validates its arguments before it
// needs AudioWorkletNode, and then refuses with NOT_MAIN_THREAD.
//
// Nothing here imports lib/ statically, not even through ./helpers.js (which
// imports lib/shared/core.js and lib/shared/layout.js): every lib module is evaluated for
// the first time inside the first test, with the traps on Window-only globals
// in place, so each module's top-level code is checked. ./helpers.js is
// loaded only after that.
import { describe, expect, jest, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const helpers = () => import('./helpers.js');
const API = ['RingReader', 'RingWriter', 'RingletError', 'RingletNode', 'VERSION', 'loadRinglet'];
const WINDOW_ONLY = [
  'window',
  'document',
  'AudioWorkletNode',
  'AudioContext',
  'BaseAudioContext',
  'OfflineAudioContext',
  'AudioWorkletProcessor',
  'registerProcessor',
  'sampleRate',
  'currentTime',
  'currentFrame',
];

/** Installs getters that record any read of a Window-only global; returns [touched, uninstall]. */
function trapWindowGlobals() {
  const touched = [];
  const installed = [];
  for (const name of WINDOW_ONLY) {
    if (name in globalThis) continue;
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        return undefined;
      },
    });
    installed.push(name);
  }
  return [touched, () => installed.forEach((name) => delete globalThis[name])];
}

function expectApi(mod) {
  for (const name of API) expect(mod).toHaveProperty(name);
  expect(typeof mod.RingWriter).toBe('function');
  expect(typeof mod.RingReader).toBe('function');
  expect(typeof mod.RingletNode).toBe('function');
  expect(typeof mod.RingletNode.create).toBe('function');
  expect(typeof mod.loadRinglet).toBe('function');
  expect(new mod.RingletError('BUSY', 'x')).toBeInstanceOf(Error);
  expect(mod.VERSION).toBe(pkg.version);
}

const modules = {};

describe('importing in Node', () => {
  test('lib/index.js loads without touching Window-only globals and exposes the API', async () => {
    const [touched, uninstall] = trapWindowGlobals();
    try {
      modules.lib = await import('../../lib/index.js');
    } finally {
      uninstall();
    }
    expect(touched).toEqual([]);
    expectApi(modules.lib);
  });

  test('dist/ringlet.js (the bundle) loads without touching Window-only globals and exposes the same API', async () => {
    const [touched, uninstall] = trapWindowGlobals();
    try {
      modules.dist = await import('../../dist/ringlet.js');
    } finally {
      uninstall();
    }
    expect(touched).toEqual([]);
    expectApi(modules.dist);
    const libKeys = Object.keys(modules.lib).sort().join(', ');
    const distKeys = Object.keys(modules.dist).sort().join(', ');
    if (libKeys !== distKeys) {
      throw new Error(
        `dist/ringlet.js exports differ from lib/index.js (is dist/ stale? run \`npm run build\`)\n  lib:  ${libKeys}\n  dist: ${distKeys}`,
      );
    }
  });

  test("the bundle's RingWriter / RingReader work on a ring the core initialised", async () => {
    const { makeCoreRing } = await helpers();
    const { memory, base } = makeCoreRing({ channels: 2, capacity: 256 });
    const writer = new modules.dist.RingWriter(memory.buffer, base);
    const reader = modules.dist.RingReader.fromHandle(writer.handle);
    expect(writer.tryWrite(new Float32Array([1, 2, 3, 4]))).toBe(2);
    const dst = new Float32Array(8);
    expect(reader.tryRead(dst)).toEqual({ status: 'ready', frames: 2 });
    expect([...dst.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
  });

  test('both imports succeed in a worker_threads Worker, with the same export names', async () => {
    const { nextMessage } = await helpers();
    const worker = new Worker(new URL('./fixtures/import.worker.js', import.meta.url));
    try {
      const report = await nextMessage(worker, 'the import report');
      expect(report.errors).toEqual([]);
      expect(report.touched).toEqual([]);
      expect(report.lib).toEqual(Object.keys(modules.lib).sort());
      expect(report.dist).toEqual(Object.keys(modules.lib).sort());
      for (const name of API) expect(report.lib).toContain(name);
    } finally {
      await worker.terminate();
    }
  });
});

describe.each(['lib', 'dist'])('RingletNode.create from %s in Node', (which) => {
  const fakeContext = () => ({ state: 'running', audioWorklet: { addModule: jest.fn(async () => {}) } });
  const m = () => modules[which];

  test('a context-shaped object passes the context check; create() rejects with NOT_MAIN_THREAD before loading anything', async () => {
    for (const options of [
      undefined,
      {},
      { mode: 'capture', channels: 32, capacityFrames: 2 ** 19 },
      { mode: 'effect', channels: 1, capacityFrames: 256, readyTimeoutMs: 0 },
    ]) {
      const context = fakeContext();
      let promise;
      expect(() => {
        promise = m().RingletNode.create(context, options);
      }).not.toThrow();
      const error = await promise.then(
        () => null,
        (e) => e,
      );
      expect(error).toBeInstanceOf(m().RingletError);
      expect(error.code).toBe('NOT_MAIN_THREAD');
      expect(context.audioWorklet.addModule).not.toHaveBeenCalled();
    }
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a plain object', {}],
    ['an object whose audioWorklet has no addModule', { audioWorklet: {} }],
    ['an object whose addModule is not a function', { audioWorklet: { addModule: 'yes' } }],
  ])('a non-context argument (%s) -> TypeError naming context', async (_label, context) => {
    await expect(m().RingletNode.create(context)).rejects.toThrow(TypeError);
    await expect(m().RingletNode.create(context, { channels: 0 })).rejects.toThrow(/context/);
  });

  test('a closed context -> RingletError CONTEXT_CLOSED', async () => {
    await expect(m().RingletNode.create({ ...fakeContext(), state: 'closed' })).rejects.toMatchObject({
      name: 'RingletError',
      code: 'CONTEXT_CLOSED',
    });
  });

  test.each([
    ['channels 0', { channels: 0 }, RangeError, /channels/],
    ['channels 33', { channels: 33 }, RangeError, /channels/],
    ['channels 1.5', { channels: 1.5 }, RangeError, /channels/],
    ['channels NaN', { channels: NaN }, RangeError, /channels/],
    ["channels '2'", { channels: '2' }, TypeError, /channels/],
    ['capacityFrames 1000 (not a power of two)', { capacityFrames: 1000 }, RangeError, /capacityFrames/],
    ['capacityFrames 128', { capacityFrames: 128 }, RangeError, /capacityFrames/],
    ['capacityFrames 2^25', { capacityFrames: 2 ** 25 }, RangeError, /capacityFrames/],
    ['capacityFrames 0', { capacityFrames: 0 }, RangeError, /capacityFrames/],
    ["capacityFrames '256'", { capacityFrames: '256' }, TypeError, /capacityFrames/],
    ['2^24 frames x 32 channels', { capacityFrames: 2 ** 24, channels: 32 }, RangeError, /64 MiB/],
    ['2^20 frames x 32 channels', { capacityFrames: 2 ** 20, channels: 32 }, RangeError, /64 MiB/],
    ["mode 'bogus'", { mode: 'bogus' }, TypeError, /mode/],
    ["mode 'toString' (inherited, not a mode)", { mode: 'toString' }, TypeError, /mode/],
    ['mode 0', { mode: 0 }, TypeError, /mode/],
    ['options null', null, TypeError, /options/],
    ['readyTimeoutMs -1', { readyTimeoutMs: -1 }, RangeError, /timeoutMs/i],
    ["readyTimeoutMs '5'", { readyTimeoutMs: '5' }, TypeError, /timeoutMs/i],
  ])(
    'bad options (%s) reject with the right error before the main-thread check',
    async (_label, options, type, pattern) => {
      const context = fakeContext();
      const error = await m()
        .RingletNode.create(context, options)
        .then(
          () => null,
          (e) => e,
        );
      expect(error).toBeInstanceOf(type);
      expect(error.message).toMatch(pattern);
      expect(context.audioWorklet.addModule).not.toHaveBeenCalled();
    },
  );

  test('a bad readyTimeoutMs is reported under its own name, readyTimeoutMs', async () => {
    // Regression: checkNodeOptions used to report it as "timeoutMs", a name the caller never used.
    await expect(m().RingletNode.create(fakeContext(), { readyTimeoutMs: -1 })).rejects.toThrow(/readyTimeoutMs/);
    await expect(m().RingletNode.create(fakeContext(), { readyTimeoutMs: 'soon' })).rejects.toThrow(/readyTimeoutMs/);
  });

  test('new RingletNode() is refused with a TypeError pointing at create()', () => {
    expect(() => new (m().RingletNode)()).toThrow(TypeError);
    expect(() => new (m().RingletNode)()).toThrow(/create/);
  });
});
