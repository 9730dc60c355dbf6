// One ringlet.wasm for both memories (privateMemoryBinary), and page-wide
// asset URLs (setAssetUrls), which the ringlet/inline entry is built on.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { instantiateCore, privateMemoryBinary } from '../../lib/core.js';
import { RingletError } from '../../lib/errors.js';
import { defaultWasmUrl, defaultWorkletUrl, loadRinglet, setAssetUrls } from '../../lib/load.js';
import { compileRinglet } from '../../lib/wasm.js';
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
    expect(x.rl_node_heap_size(0, 2, 4096, 48000)).toBeGreaterThan(0);
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

describe('setAssetUrls', () => {
  afterEach(() => setAssetUrls({ wasmUrl: null, workletUrl: null }));

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
  test('moves ring frames with the bare functions, without the RingWriter and RingReader classes', () => {
    const code = readFileSync(new URL('../../dist/ringlet-worklet.js', import.meta.url), 'utf8');
    expect(code).toContain('registerProcessor');
    // Class names are kept by the build, so a bundled class would show here.
    expect(code).not.toMatch(/class (RingWriter|RingReader|RingEnd)\b/);
  });
});
