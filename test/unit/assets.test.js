// loadRinglet's argument checks, one ringlet.wasm for both memories
// (privateMemoryBinary), page-wide asset URLs (setAssetUrls), which the
// ringlet/inline entry is built on, and the built worklet
// (dist/ringlet-worklet.js) moving frames in a scope of its own.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { instantiateCore, privateMemoryBinary } from '../../lib/shared/core.js';
import { RingletError } from '../../lib/shared/errors.js';
import { MODES } from '../../lib/shared/layout.js';
import { defaultWasmBytes, defaultWasmUrl, defaultWorkletUrl, loadRinglet, setAssetUrls } from '../../lib/node/load.js';
import { PROCESSOR_NAME } from '../../lib/shared/version.js';
import { compileRinglet } from '../../lib/node/wasm.js';
import { WASM_PATH } from './helpers.js';

const wasmBytes = () => new Uint8Array(readFileSync(WASM_PATH));

/** Bytes of a module with the given sections (id, payload bytes). */
function moduleOf(sections) {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const [id, payload] of sections) out.push(id, ...leb(payload.length), ...payload);
  return new Uint8Array(out);
}
function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
const name = (s) => [...leb(s.length), ...Buffer.from(s)];

// Imports, in this order: a function, a table, a global, then a shared
// memory (min 1, max 1): every import kind the parser must step over.
const TYPES = [0x01, 0x60, 0x00, 0x00]; // one type: [] -> []
const IMPORTS = [
  0x04,
  ...name('env'),
  ...name('f'),
  0x00,
  0x00,
  ...name('env'),
  ...name('t'),
  0x01,
  0x70,
  0x01,
  0x01,
  0x02, // funcref, min 1 max 2
  ...name('env'),
  ...name('g'),
  0x03,
  0x7f,
  0x00, // const i32
  ...name('env'),
  ...name('memory'),
  0x02,
  0x03,
  0x01,
  0x01, // shared, min 1 max 1
];

function imports(memory) {
  return {
    env: {
      f() {},
      t: new WebAssembly.Table({ element: 'anyfunc', initial: 1, maximum: 2 }),
      g: new WebAssembly.Global({ value: 'i32', mutable: false }, 0),
      memory,
    },
  };
}
const sharedMemory = () => new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const privateMemory = () => new WebAssembly.Memory({ initial: 1, maximum: 1 });

describe('privateMemoryBinary', () => {
  test('ringlet.wasm runs on a private memory after it, and only after it', () => {
    const bytes = wasmBytes();
    const before = bytes.slice();
    const shared = new WebAssembly.Module(bytes);
    const local = new WebAssembly.Module(privateMemoryBinary(bytes));
    expect(bytes).toEqual(before); // the input is not touched
    const own = new WebAssembly.Memory({ initial: 4, maximum: 4 });
    const x = instantiateCore(local, own);
    expect(x.rlw_heap_size(0, 2, 4096, 48000)).toBeGreaterThan(0);
    expect(() => instantiateCore(shared, new WebAssembly.Memory({ initial: 4, maximum: 4 }))).toThrow(
      WebAssembly.LinkError,
    );
    expect(() => instantiateCore(local, new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true }))).toThrow(
      WebAssembly.LinkError,
    );
  });

  test('exactly one byte changes, and a second pass changes nothing', () => {
    const bytes = wasmBytes();
    const once = privateMemoryBinary(bytes);
    const diff = [...once].filter((b, i) => b !== bytes[i]);
    expect(diff.length).toBe(1);
    expect(privateMemoryBinary(once)).toEqual(once);
    // An ArrayBuffer and a view into a larger buffer work too.
    expect(privateMemoryBinary(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))).toEqual(
      once,
    );
    const padded = new Uint8Array(bytes.length + 16);
    padded.set(bytes, 8);
    expect(privateMemoryBinary(padded.subarray(8, 8 + bytes.length))).toEqual(once);
  });

  test('steps over function, table and global imports to the memory', () => {
    const bytes = moduleOf([
      [1, TYPES],
      [2, IMPORTS],
    ]);
    new WebAssembly.Instance(new WebAssembly.Module(bytes), imports(sharedMemory()));
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), imports(privateMemory()))).toThrow(
      WebAssembly.LinkError,
    );
    const local = new WebAssembly.Module(privateMemoryBinary(bytes));
    new WebAssembly.Instance(local, imports(privateMemory()));
  });

  test.each([
    ['not wasm', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])],
    ['too short', new Uint8Array([0, 0x61, 0x73])],
    ['no sections', moduleOf([])],
    [
      'imports without a memory',
      moduleOf([
        [1, TYPES],
        [2, [0x01, ...name('env'), ...name('f'), 0x00, 0x00]],
      ]),
    ],
    ['a memory defined, not imported', moduleOf([[5, [0x01, 0x00, 0x01]]])],
  ])('refuses %s with LOAD_FAILED', (_, bytes) => {
    let error;
    try {
      privateMemoryBinary(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RingletError);
    expect(error.code).toBe('LOAD_FAILED');
  });

  test('compileRinglet({ shared: false }) probes the binary on a private memory', async () => {
    const wasm = await compileRinglet(wasmBytes(), { shared: false });
    expect(wasm.shared).toBe(false);
    const [memory] = WebAssembly.Module.imports(wasm.module).filter((i) => i.kind === 'memory');
    expect(memory.name).toBe('memory');
    expect(
      () =>
        new WebAssembly.Instance(wasm.module, {
          env: { memory: new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }), rl_host_panic() {} },
        }),
    ).toThrow(WebAssembly.LinkError);
  });
});

describe('loadRinglet', () => {
  test('reports bad arguments as a rejected promise, never a synchronous throw', async () => {
    const bad = loadRinglet(/** @type {any} */ ({}));
    expect(bad).toBeInstanceOf(Promise);
    await expect(bad).rejects.toThrow(
      /context must be a native AudioContext or OfflineAudioContext, a standardized-audio-context/,
    );
  });
});

describe('setAssetUrls', () => {
  afterEach(() => setAssetUrls({ wasmUrl: null, wasmBytes: null, workletUrl: null }));

  test('wasmBytes (what ringlet/inline sets) replaces wasmUrl and the other way round; loadRinglet compiles them once per transport, fetching nothing', async () => {
    const bytes = wasmBytes();
    setAssetUrls({ wasmUrl: 'https://cdn.example/r.wasm' });
    setAssetUrls({ wasmBytes: bytes });
    expect(defaultWasmBytes()).toBe(bytes);
    expect(defaultWasmUrl()).toMatch(/\/ringlet\.wasm$/);
    const fetched = [];
    const saved = globalThis.fetch;
    globalThis.fetch = async (url) => {
      fetched.push(String(url));
      throw new TypeError('no network in this test');
    };
    try {
      const context = () => ({ state: 'running', audioWorklet: { addModule: async () => {} } });
      const a = await loadRinglet(/** @type {any} */ (context()), { transport: 'message' });
      const b = await loadRinglet(/** @type {any} */ (context()), { transport: 'message' });
      expect(a).toBe(b);
      expect(a.shared).toBe(false);
      expect(fetched).toEqual([]);
      // A per-call URL still wins over the page's bytes.
      await expect(
        loadRinglet(/** @type {any} */ (context()), { transport: 'message', wasmUrl: 'https://cdn.example/x.wasm' }),
      ).rejects.toMatchObject({ code: 'LOAD_FAILED' });
      expect(fetched).toEqual(['https://cdn.example/x.wasm']);
    } finally {
      globalThis.fetch = saved;
    }
    setAssetUrls({ wasmUrl: '/r2.wasm' });
    expect(defaultWasmBytes()).toBeNull();
    expect(defaultWasmUrl()).toBe('/r2.wasm');
  });

  test.each([
    [{ wasmBytes: 'AGFzbQ==' }, /urls\.wasmBytes must be an ArrayBuffer, a typed array or null; got string/],
    [{ wasmBytes: new Uint8Array(8), wasmUrl: '/x.wasm' }, /give urls\.wasmUrl or urls\.wasmBytes, not both/],
  ])('%p is a TypeError that changes nothing', (urls, message) => {
    setAssetUrls({ wasmUrl: '/before.wasm' });
    expect(() => setAssetUrls(urls)).toThrow(TypeError);
    expect(() => setAssetUrls(urls)).toThrow(message);
    expect(defaultWasmUrl()).toBe('/before.wasm');
    expect(defaultWasmBytes()).toBeNull();
  });

  test('defaults sit beside the entry; set values replace them; null restores them', () => {
    const wasm = defaultWasmUrl();
    const worklet = defaultWorkletUrl();
    expect(wasm).toMatch(/\/ringlet\.wasm$/);
    expect(worklet).toMatch(/\/ringlet-worklet\.js$/);
    setAssetUrls({ wasmUrl: 'https://cdn.example/r.wasm', workletUrl: new URL('https://cdn.example/w.js') });
    expect(defaultWasmUrl()).toBe('https://cdn.example/r.wasm');
    expect(defaultWorkletUrl()).toBe('https://cdn.example/w.js');
    setAssetUrls({ workletUrl: '/w2.js' }); // an absent key keeps its value
    expect(defaultWasmUrl()).toBe('https://cdn.example/r.wasm');
    expect(defaultWorkletUrl()).toBe('/w2.js');
    setAssetUrls({ wasmUrl: null });
    expect(defaultWasmUrl()).toBe(wasm);
    expect(defaultWorkletUrl()).toBe('/w2.js');
  });

  test.each([
    [null, /urls must be an object/],
    ['x', /urls must be an object/],
    [{ wasmUrl: 3 }, /urls\.wasmUrl must be a string, a URL or null; got number/],
    [{ workletUrl: '' }, /urls\.workletUrl must not be empty/],
    [{ wasmUrl: '/ok.wasm', workletUrl: {} }, /urls\.workletUrl must be a string/],
  ])('%p is a TypeError that changes nothing', (urls, message) => {
    setAssetUrls({ wasmUrl: '/before.wasm', workletUrl: '/before.js' });
    expect(() => setAssetUrls(urls)).toThrow(TypeError);
    expect(() => setAssetUrls(urls)).toThrow(message);
    expect(defaultWasmUrl()).toBe('/before.wasm');
    expect(defaultWorkletUrl()).toBe('/before.js');
  });

  test('loadRinglet loads the set worklet URL, and a per-call option still wins', async () => {
    const added = [];
    const context = () => ({
      state: 'running',
      audioWorklet: {
        addModule: async (url) => {
          added.push(url);
          throw new Error('stop here');
        },
      },
    });
    setAssetUrls({ workletUrl: '/site/ringlet-worklet.js', wasmUrl: '/site/ringlet.wasm' });
    await expect(loadRinglet(/** @type {any} */ (context()), { transport: 'message' })).rejects.toThrow(RingletError);
    await expect(
      loadRinglet(/** @type {any} */ (context()), { transport: 'message', workletUrl: '/mine.js' }),
    ).rejects.toThrow(RingletError);
    expect(added).toEqual(['/site/ringlet-worklet.js', '/mine.js']);
  });
});

describe('dist/ringlet-worklet.js', () => {
  const code = () => readFileSync(new URL('../../dist/ringlet-worklet.js', import.meta.url), 'utf8');

  /**
   * Evaluates the built worklet in a scope of its own, as an AudioWorklet
   * would, and constructs its processor for the message transport, where the
   * worklet's own JS moves frames between port messages and the ring.
   * @param {'source' | 'effect' | 'capture'} mode
   */
  async function processorFor(mode, capacityFrames = 256) {
    const channels = 2;
    const wasm = await compileRinglet(
      new Uint8Array(readFileSync(new URL('../../dist/ringlet.wasm', import.meta.url))),
      {
        shared: false,
      },
    );
    const heapBytes = wasm.nodeHeapBytes(mode, channels, capacityFrames, 48000);
    /** @type {Record<string, any>} */
    const registered = {};
    /** @type {any[]} */
    const posted = [];
    class AudioWorkletProcessor {
      constructor() {
        this.port = { onmessage: null, postMessage: (message) => posted.push(message) };
      }
    }
    const scope = vm.createContext({
      AudioWorkletProcessor,
      registerProcessor: (name, cls) => {
        registered[name] = cls;
      },
      currentTime: 0,
      currentFrame: 0,
      sampleRate: 48000,
      WebAssembly,
    });
    vm.runInContext(code(), scope);
    // Messages and process() buffers are the worklet realm's own typed arrays,
    // as after a structured clone into a real AudioWorkletGlobalScope.
    /** @type {Float32ArrayConstructor} */
    const F32 = vm.runInContext('Float32Array', scope);
    /** @param {ArrayLike<number> | number} from */
    const f32 = (from) => (typeof from === 'number' ? new F32(from) : F32.from(from));
    const [Processor] = Object.values(registered);
    const processor = new Processor({
      processorOptions: {
        module: wasm.module,
        transport: 'message',
        pages: wasm.pagesFor(heapBytes),
        mode: MODES[mode],
        channels,
        capacityFrames,
        heapBytes,
        sampleRate: 48000,
      },
    });
    expect(posted.shift()).toMatchObject({ type: 'ready' });
    /** Delivers a port message (its data copied into the worklet's realm) and returns the processor's one reply. */
    const send = (message) => {
      processor.port.onmessage({ data: message.data ? { ...message, data: f32(message.data) } : message });
      expect(posted).toHaveLength(1);
      return posted.shift();
    };
    /** One quantum; returns the output's two channels. */
    const quantum = (input = [new Float32Array(128), new Float32Array(128)]) => {
      const out = [f32(128), f32(128)];
      expect(processor.process([input.map(f32)], [out], { gain: f32([1]) })).toBe(true);
      expect(posted).toEqual([]); // no panic
      return out.map((x) => Float32Array.from(x));
    };
    return { send, quantum, registered, heapBytes };
  }

  // Frame i, channel c: unique, exact in float32 and below the limiter's ceiling.
  const value = (i, c) => (c === 0 ? 1 : -1) * ((i + 1) / 1024);
  const interleaved = (from, frames) =>
    Float32Array.from({ length: frames * 2 }, (_, k) => value(from + (k >> 1), k & 1));

  test('registers one processor, built without the RingWriter and RingReader classes', async () => {
    // Class names are kept by the build, so a bundled class would show here.
    expect(code()).not.toMatch(/class (RingWriter|RingReader|RingEnd)\b/);
    const { registered } = await processorFor('source');
    expect(Object.keys(registered)).toEqual([PROCESSOR_NAME]);
  });

  test('an effect node has no ring: its memory does not grow with capacityFrames, and it still answers polls', async () => {
    const small = await processorFor('effect', 256);
    const large = await processorFor('effect', 1 << 20);
    const source = await processorFor('source', 256);
    expect(large.heapBytes).toBe(small.heapBytes);
    // A source's ring of 256 stereo frames is 2 KiB of samples on its own.
    expect(source.heapBytes - small.heapBytes).toBeGreaterThanOrEqual(256 * 2 * 4);
    const input = [0, 1].map((c) => Float32Array.from({ length: 128 }, (_, i) => value(i, c)));
    const out = large.quantum(input);
    expect(out.map((x) => [...x])).toEqual(input.map((x) => [...x]));
    expect(large.send({ type: 'poll', id: 1 }).snapshot).toMatchObject({
      writeIndex: 0,
      readIndex: 0,
      underruns: 0,
      overruns: 0,
      closed: false,
      framesProcessed: 128,
    });
    // A write or read meant for a ring moves nothing and still gets its one reply.
    expect(large.send({ type: 'write', data: interleaved(0, 16), frames: 16 }).snapshot).toMatchObject({
      writeIndex: 0,
    });
  });

  test('a source moves port writes through its ring to the output, across the ring wrap, in order', async () => {
    const { send, quantum } = await processorFor('source');
    expect(send({ type: 'write', data: interleaved(0, 200), frames: 200 }).snapshot).toMatchObject({
      writeIndex: 200,
      readIndex: 0,
    });
    const played = [quantum()];
    // 72 frames left at slots 128..199: 150 more run past slot 255 and wrap to 0.
    expect(send({ type: 'write', data: interleaved(200, 150), frames: 150 }).snapshot).toMatchObject({
      writeIndex: 350,
      readIndex: 128,
    });
    played.push(quantum(), quantum());
    const got = [0, 1].map((c) => played.flatMap((out) => [...out[c]]));
    const want = [0, 1].map((c) => Array.from({ length: 384 }, (_, i) => (i < 350 ? Math.fround(value(i, c)) : 0)));
    expect(got).toEqual(want);
    expect(send({ type: 'poll', id: 1 }).snapshot).toMatchObject({ readIndex: 350, underruns: 1, closed: false });
  });

  test('a capture moves its input through its ring to port reads, across the ring wrap, in order', async () => {
    const { send, quantum } = await processorFor('capture');
    const planar = (from) => [0, 1].map((c) => Float32Array.from({ length: 128 }, (_, i) => value(from + i, c)));
    quantum(planar(0));
    quantum(planar(128)); // the ring (256 frames) is full
    const first = send({ type: 'read', data: new Float32Array(2 * 200) });
    expect(first.frames).toBe(200);
    quantum(planar(256)); // lands at slots 0..127, after the unread 200..255
    const second = send({ type: 'read', data: new Float32Array(2 * 512) });
    expect(second.frames).toBe(184);
    expect([...first.data, ...second.data.subarray(0, 2 * 184)]).toEqual([...interleaved(0, 384)]);
    expect(second.snapshot).toMatchObject({ writeIndex: 384, readIndex: 384, overruns: 0 });
  });

  test("a 'close' message closes the ring: later writes move nothing", async () => {
    const { send, quantum } = await processorFor('source');
    expect(send({ type: 'close' }).snapshot).toMatchObject({ closed: true, writeIndex: 0 });
    expect(send({ type: 'write', data: interleaved(0, 64), frames: 64 }).snapshot).toMatchObject({
      closed: true,
      writeIndex: 0,
    });
    expect(quantum()[0].every((x) => x === 0)).toBe(true);
  });
});
