// Shared helpers for ringlet's unit tests: compile the standalone core once per
// test file, and build a shared WebAssembly.Memory holding one ring the C side
// initialised, plus 16-byte-aligned scratch space for the core to read into or
// write from. Only one wasm instance ever runs on one memory.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateCore, PAGE_BYTES } from '../../lib/shared/core.js';
import { LAYOUT } from '../../lib/shared/layout.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WASM_PATH = fileURLToPath(new URL('../../build/wasm/ringlet.wasm', import.meta.url));
export const PACKAGE_JSON_PATH = fileURLToPath(new URL('../../package.json', import.meta.url));

/** rl_result codes (csrc/include/ringlet.h). */
export const RL = Object.freeze({
  OK: 0,
  INVALID_ARGS: -1,
  OUT_OF_MEMORY: -2,
  CLOSED: -3,
  INVALID_STATE: -4,
  QUEUE_FULL: -5,
  QUEUE_EMPTY: -6,
});

let cachedModule = null;

/** The compiled build/wasm/ringlet.wasm (run `npm run build` first). */
export function wasmModule() {
  if (!cachedModule) {
    let bytes;
    try {
      bytes = readFileSync(WASM_PATH);
    } catch (error) {
      throw new Error(`cannot read ${WASM_PATH}; run \`npm run build\` first (${error})`, { cause: error });
    }
    cachedModule = new WebAssembly.Module(bytes);
  }
  return cachedModule;
}

const align = (n, a) => Math.ceil(n / a) * a;

/**
 * A shared memory with the core instantiated on it and a ring initialised by
 * rlw_ring_init at rlw_heap_base(). `scratchBytes` of zeroed space follow the
 * ring (16-byte aligned; the first 64-byte line after it is left untouched).
 * @param {{ channels: number, capacity: number, scratchBytes?: number, extraPages?: number }} o
 */
export function makeCoreRing({ channels, capacity, scratchBytes = 0, extraPages = 0 }) {
  const module = wasmModule();
  // A throw-away instance on a small memory only to learn the heap base and sizes.
  const probeMemory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const probe = instantiateCore(module, probeMemory);
  const base = probe.rlw_heap_base();
  const bytes = probe.rlw_ring_heap_size(channels, capacity);
  if (bytes === 0) throw new Error(`the core refused channels ${channels} capacity ${capacity}`);
  const scratch = align(base + bytes + 64, 64);
  const end = scratch + align(scratchBytes, 16);
  const pages = Math.max(2, Math.ceil(end / PAGE_BYTES)) + extraPages;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const x = instantiateCore(module, memory);
  if (x.rlw_heap_base() !== base) throw new Error('heap base differs between instances');
  const rc = x.rlw_ring_init(base, channels, capacity, bytes);
  if (rc !== RL.OK) throw new Error(`rlw_ring_init returned ${rc}`);
  return { memory, x, base, bytes, scratch, scratchBytes: memory.buffer.byteLength - scratch, channels, capacity };
}

/** Sets both free-running indices of the ring at `base` (ring must be empty). */
export function setIndices(buffer, base, value) {
  const i32 = new Int32Array(buffer, base, LAYOUT.RING_HEADER_BYTES >> 2);
  Atomics.store(i32, LAYOUT.RING_OFFSET_WRITE_INDEX >> 2, value | 0);
  Atomics.store(i32, LAYOUT.RING_OFFSET_READ_INDEX >> 2, value | 0);
}

/** [write index, read index] as uint32. */
export function indices(buffer, base) {
  const i32 = new Int32Array(buffer, base, LAYOUT.RING_HEADER_BYTES >> 2);
  return [
    Atomics.load(i32, LAYOUT.RING_OFFSET_WRITE_INDEX >> 2) >>> 0,
    Atomics.load(i32, LAYOUT.RING_OFFSET_READ_INDEX >> 2) >>> 0,
  ];
}

/** A copy of the ring's header and sample storage, to prove a call changed nothing. */
export function snapshot(buffer, base, bytes) {
  return new Uint8Array(buffer, base, bytes).slice();
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi] from a prng. */
export function randInt(next, lo, hi) {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/** Seed from the environment (for reproducing a failure) or the given default. */
export function seedFrom(envName, fallback) {
  const v = process.env[envName];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${envName} must be an integer; got ${v}`);
  return n;
}

/** Resolves with the first message from `worker`, rejects on error / early exit. */
export function nextMessage(worker, what = 'message') {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m) => {
      cleanup();
      resolve(m);
    };
    const onError = (e) => {
      cleanup();
      reject(e);
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`worker exited (code ${code}) while waiting for ${what}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Builds a native driver from the core's sources (as CMakeLists.txt lists
 * them) and `fixture`, with clang, into `out`; throws with clang's output.
 * @param {string} fixture a C file under test/unit/fixtures/
 * @param {string} out the executable's path
 */
export function buildNative(fixture, out) {
  const cmake = readFileSync(path.join(ROOT, 'CMakeLists.txt'), 'utf8');
  const sources = /set\(RL_CORE_SOURCES([^)]*)\)/.exec(cmake)?.[1].trim().split(/\s+/) ?? [];
  const version = JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8')).version;
  const args = ['-std=c11', '-O2', `-DRL_VERSION="${version}"`, '-Icsrc/include', '-Icsrc', ...sources];
  const r = spawnSync('clang', [...args, `test/unit/fixtures/${fixture}`, '-lm', '-o', out], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`building ${fixture} failed: ${r.stderr}`);
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
