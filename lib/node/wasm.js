/**
 * Compiling ringlet.wasm once per page and answering sizing questions about
 * it. Main thread or Worker (or Node); never the audio thread.
 */
import { PAGE_BYTES, privateMemoryBinary } from '../shared/core.js';
import { GuardedCore } from './guarded-core.js';
import { RingletError } from '../shared/errors.js';
import { blockedByPolicy, isWasmEvalRefusal, watchViolations } from '../shared/policy.js';
import { MODES } from '../shared/layout.js';

/** @typedef {import('../shared/core.js').CoreExports} CoreExports */
/** @typedef {import('../../types/index.js').NodeMode} NodeMode */

/** One compile per source URL for the whole page; a failure is forgotten so a retry works. */
/** @type {Map<string, Promise<RingletWasm>>} */
const compiled = new Map();
/** The same for bytes (setAssetUrls' wasmBytes), by the object that holds them. */
/** @type {WeakMap<object, Map<string, Promise<RingletWasm>>>} */
const compiledBytes = new WeakMap();

/**
 * A compiled core plus a probe instance that answers pure questions (sizes,
 * layout, version). Every call into the probe goes through its panic
 * boundary; a probe that trapped is replaced by a fresh one on the next call.
 */
export class RingletWasm {
  /**
   * @param {WebAssembly.Module} module
   * @param {GuardedCore} probe an instance on a 2-page memory
   * @param {boolean} shared whether the module imports a shared memory, or a private one (privateMemoryBinary)
   */
  constructor(module, probe, shared) {
    /** @readonly */ this.module = module;
    /** @readonly */ this.shared = shared;
    /** @private */ this.core = probe;
    /** @readonly */ this.heapBase = this.ask('loadRinglet', (x) => x.rlw_heap_base());
  }

  /** The probe's exports: a fresh instance's once the last one trapped. */
  get probe() {
    return this.live('RingletWasm').x;
  }

  /**
   * Bytes of wasm memory a node needs, or 0 for a configuration the core refuses.
   * @param {NodeMode} mode
   * @param {number} channels
   * @param {number} capacityFrames
   * @param {number} sampleRate the context's
   * @param {number} [inputRate] the rate of the ring's frames (source nodes); 0, the default, for sampleRate
   * @param {boolean} [varispeed] whether the node takes playbackRate values (source nodes)
   * @throws {RingletError} 'WASM_TRAP' if the core traps (recorded; the next call uses a fresh probe)
   */
  nodeHeapBytes(mode, channels, capacityFrames, sampleRate, inputRate = 0, varispeed = false) {
    if (inputRate === 0 && !varispeed) {
      return this.ask('RingletNode.create', (x) => x.rlw_heap_size(MODES[mode], channels, capacityFrames, sampleRate));
    }
    return this.ask('RingletNode.create', (x) =>
      x.rlw_heap_size_rate(MODES[mode], channels, capacityFrames, sampleRate, inputRate, varispeed ? 1 : 0),
    );
  }

  /**
   * Pages for a memory holding the instance's own data and stack plus `heapBytes`.
   * @param {number} heapBytes
   */
  pagesFor(heapBytes) {
    return Math.max(2, Math.ceil((this.heapBase + heapBytes) / PAGE_BYTES));
  }

  /** @param {number} which index into rlw_layout's table */
  layout(which) {
    return this.ask('RingletWasm.layout', (x) => x.rlw_layout(which)) >>> 0;
  }

  /**
   * @private
   * @template T
   * @param {string} where
   * @param {(x: CoreExports) => T} fn
   * @returns {T}
   */
  ask(where, fn) {
    return this.live(where).call(where, fn);
  }

  /**
   * The probe, replaced first if it trapped.
   * @private
   * @param {string} where
   */
  live(where) {
    if (this.core.broken) this.core = GuardedCore.create(this.module, probeMemory(this.shared), where);
    return this.core;
  }
}

/**
 * Compiles (once per page per URL and kind) and checks ringlet.wasm. With
 * `shared: false` the binary's memory import is made private first, for the
 * 'message' transport; a WebAssembly.Module is taken as it is, so with
 * `shared: false` it must already import a private memory. From a URL, the
 * fetch (shared by every caller until it settles) is aborted after
 * `timeoutMs`, rejecting with RingletError 'TIMEOUT' naming the URL; the
 * caller bounds its own wait (loadRinglet does).
 * @param {string | URL | BufferSource | WebAssembly.Module} source
 * @param {{ shared?: boolean, timeoutMs?: number }} [options]
 * @returns {Promise<RingletWasm>}
 */
export function compileRinglet(source, { shared = true, timeoutMs } = {}) {
  /** @param {WebAssembly.Module} module */
  const probe = (module) => probeModule(module, shared);
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    const key = `${shared ? 'shared' : 'local'} ${url}`;
    let pending = compiled.get(key);
    if (!pending) {
      const started = fetchModule(url, shared, timeoutMs).then(probe);
      pending = started;
      compiled.set(key, started);
      started.catch(() => {
        if (compiled.get(key) === started) compiled.delete(key);
      });
    }
    return pending;
  }
  if (source instanceof WebAssembly.Module) return probe(source);
  const kind = shared ? 'shared' : 'local';
  let byKind = compiledBytes.get(source);
  const cached = byKind?.get(kind);
  if (cached) return cached;
  let started;
  try {
    started = compileBytes(shared ? source : privateMemoryBinary(source), 'the embedded wasm').then(probe);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!byKind) compiledBytes.set(source, (byKind = new Map()));
  const map = byKind;
  map.set(kind, started);
  started.catch(() => {
    if (map.get(kind) === started) map.delete(kind);
  });
  return started;
}

/**
 * WebAssembly.compile, with a refusal by the page's Content-Security-Policy
 * (script-src without 'wasm-unsafe-eval') as RingletError 'BLOCKED_BY_POLICY'.
 * @param {BufferSource} bytes
 * @param {string} what the wasm's URL, or what it is, for messages
 */
async function compileBytes(bytes, what) {
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    if (isWasmEvalRefusal(error)) throw blockedByPolicy('loadRinglet: compiling the wasm', 'script-src', what, error);
    throw new RingletError('LOAD_FAILED', `ringlet: ${what} does not compile: ${String(error)}`, { cause: error });
  }
}

/**
 * @param {string} url
 * @param {boolean} shared
 * @param {number | undefined} timeoutMs the network part's bound: the fetch is aborted after it
 */
async function fetchModule(url, shared, timeoutMs) {
  const abort = new AbortController();
  const timer = timeoutMs === undefined ? null : setTimeout(() => abort.abort(), timeoutMs);
  /** @param {unknown} error */
  const failure = (error) =>
    abort.signal.aborted
      ? new RingletError(
          'TIMEOUT',
          `loadRinglet: the wasm at ${url} did not arrive within loadTimeoutMs (${timeoutMs} ms)`,
          { cause: error },
        )
      : new RingletError('LOAD_FAILED', `ringlet: could not fetch the wasm from ${url}: ${String(error)}`, {
          cause: error,
        });
  let bytes;
  const violations = watchViolations();
  try {
    const response = await fetch(url, { signal: abort.signal });
    if (!response.ok) {
      throw new RingletError('LOAD_FAILED', `ringlet: could not fetch the wasm from ${url}: HTTP ${response.status}`);
    }
    bytes = await response.arrayBuffer();
  } catch (error) {
    if (error instanceof RingletError) throw error;
    if (!abort.signal.aborted) {
      const directive = await violations.waitFor(absolute(url));
      if (directive !== null) throw blockedByPolicy('loadRinglet: fetching the wasm', directive, url, error);
    }
    throw failure(error);
  } finally {
    violations.close();
    if (timer !== null) clearTimeout(timer);
  }
  return compileBytes(shared ? bytes : privateMemoryBinary(bytes), `the wasm at ${url}`);
}

/** @param {string} url @returns {string} `url` made absolute against the page, when it can be */
function absolute(url) {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    return url;
  }
}

/**
 * A 2-page memory for a probe instance.
 * @param {boolean} shared
 */
function probeMemory(shared) {
  try {
    return new WebAssembly.Memory({ initial: 2, maximum: 2, shared });
  } catch (error) {
    throw new RingletError(
      'NOT_ISOLATED',
      'ringlet: shared WebAssembly memory is unavailable; serve the page cross-origin isolated (COOP same-origin, COEP require-corp)',
      { cause: error },
    );
  }
}

/**
 * @param {WebAssembly.Module} module
 * @param {boolean} shared
 */
async function probeModule(module, shared) {
  const core = await GuardedCore.createAsync(module, probeMemory(shared), 'loadRinglet');
  return new RingletWasm(module, core, shared);
}
