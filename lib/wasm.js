/**
 * Compiling ringlet.wasm once per page and answering sizing questions about
 * it. Main thread or Worker (or Node); never the audio thread.
 */
import { PAGE_BYTES, checkCore, coreImports, privateMemoryBinary } from './core.js';
import { recordPanic } from './panic.js';
import { RingletError } from './errors.js';
import { MODES } from './layout.js';

/** @typedef {import('./core.js').CoreExports} CoreExports */
/** @typedef {import('../types/index.js').NodeMode} NodeMode */

/** One compile per source URL for the whole page; a failure is forgotten so a retry works. */
/** @type {Map<string, Promise<RingletWasm>>} */
const compiled = new Map();

/** A compiled core plus a probe instance that answers pure questions (sizes, layout, version). */
export class RingletWasm {
  /**
   * @param {WebAssembly.Module} module
   * @param {CoreExports} probe exports of an instance on a 2-page memory
   * @param {boolean} shared whether the module imports a shared memory, or a private one (privateMemoryBinary)
   */
  constructor(module, probe, shared) {
    /** @readonly */ this.module = module;
    /** @readonly */ this.shared = shared;
    /** @readonly @private */ this.probe = probe;
    /** @readonly */ this.heapBase = probe.rl_heap_base();
  }

  /**
   * Bytes of wasm memory a node needs, or 0 for a configuration the core refuses.
   * @param {NodeMode} mode
   * @param {number} channels
   * @param {number} capacityFrames
   * @param {number} sampleRate
   */
  nodeHeapBytes(mode, channels, capacityFrames, sampleRate) {
    return this.probe.rl_node_heap_size(MODES[mode], channels, capacityFrames, sampleRate);
  }

  /**
   * Pages for a memory holding the instance's own data and stack plus `heapBytes`.
   * @param {number} heapBytes
   */
  pagesFor(heapBytes) {
    return Math.max(2, Math.ceil((this.heapBase + heapBytes) / PAGE_BYTES));
  }

  /** @param {number} which index into rl_layout's table */
  layout(which) {
    return this.probe.rl_layout(which) >>> 0;
  }
}

/**
 * Compiles (once per page per URL and kind) and checks ringlet.wasm. With
 * `shared: false` the binary's memory import is made private first, for the
 * 'message' transport; a WebAssembly.Module is taken as it is, so with
 * `shared: false` it must already import a private memory.
 * @param {string | URL | BufferSource | WebAssembly.Module} source
 * @param {{ shared?: boolean }} [options]
 * @returns {Promise<RingletWasm>}
 */
export function compileRinglet(source, { shared = true } = {}) {
  /** @param {WebAssembly.Module} module */
  const probe = (module) => probeModule(module, shared);
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    const key = `${shared ? 'shared' : 'local'} ${url}`;
    let pending = compiled.get(key);
    if (!pending) {
      pending = fetchModule(url, shared).then(probe);
      compiled.set(key, pending);
      pending.catch(() => {
        if (compiled.get(key) === pending) compiled.delete(key);
      });
    }
    return pending;
  }
  if (source instanceof WebAssembly.Module) return probe(source);
  try {
    return WebAssembly.compile(shared ? source : privateMemoryBinary(source)).then(probe);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * @param {string} url
 * @param {boolean} shared
 */
async function fetchModule(url, shared) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new RingletError('LOAD_FAILED', `ringlet: could not fetch the wasm from ${url}: ${String(error)}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new RingletError('LOAD_FAILED', `ringlet: could not fetch the wasm from ${url}: HTTP ${response.status}`);
  }
  try {
    const bytes = await response.arrayBuffer();
    return await WebAssembly.compile(shared ? bytes : privateMemoryBinary(bytes));
  } catch (error) {
    throw new RingletError('LOAD_FAILED', `ringlet: the wasm at ${url} does not compile: ${String(error)}`, {
      cause: error,
    });
  }
}

/**
 * @param {WebAssembly.Module} module
 * @param {boolean} shared
 */
async function probeModule(module, shared) {
  let memory;
  try {
    memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared });
  } catch (error) {
    throw new RingletError(
      'NOT_ISOLATED',
      'ringlet: shared WebAssembly memory is unavailable; serve the page cross-origin isolated (COOP same-origin, COEP require-corp)',
      { cause: error },
    );
  }
  // The probe answers pure questions on the main thread; if the core ever
  // panics here it is recorded as a main-thread panic.
  const instance = await WebAssembly.instantiate(
    module,
    coreImports(memory, {
      panic: (code, message) => {
        recordPanic('main', { code: `CORE_${code}`, message });
      },
    }),
  );
  return new RingletWasm(module, checkCore(instance, memory), shared);
}
