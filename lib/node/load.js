/**
 * Loading ringlet into an audio context: one addModule per context, one wasm
 * compile per page, each wait bounded by loadTimeoutMs. Main thread only (it
 * needs a BaseAudioContext).
 */
import { RingletError } from '../shared/errors.js';
import { blockedByPolicy, watchViolations } from '../shared/policy.js';
import { checkTimeout, describe, withTimeout } from '../shared/util.js';
import { compileRinglet } from './wasm.js';
import { contextError, hasAudioWorklet, unwrapContext } from './wrapped.js';

/** @typedef {import('./wasm.js').RingletWasm} RingletWasm */
/** @typedef {import('../../types/index.js').LoadOptions} LoadOptions */

/** How long a load waits for the worklet module, and for the wasm, unless told: 10 s. */
export const DEFAULT_LOAD_TIMEOUT_MS = 10000;

/**
 * The worklet module's loads per context: the one that succeeded (after
 * which no other is made), and those in flight by URL. A promise is stored
 * before anything is awaited, so concurrent callers share it; a failure
 * removes it so a later call retries. A caller that gives up at its timeout
 * leaves the load in flight: addModule cannot be cancelled, and a retry of
 * the same URL shares it (the browser would too) rather than start another.
 * @type {WeakMap<BaseAudioContext, { loaded: Promise<void> | null, pending: Map<string, Promise<void>> }>}
 */
const workletLoads = new WeakMap();

/**
 * Page-wide assets set by setAssetUrls(): URLs, or the wasm's bytes (the
 * `ringlet/inline` entry's embedded copy, compiled without a fetch, so no
 * connect-src is needed); null means "beside the bundled entry". At most one
 * of wasmUrl and wasmBytes is set.
 * @type {{ wasmUrl: string | null, wasmBytes: BufferSource | null, workletUrl: string | null }}
 */
const assetUrls = { wasmUrl: null, wasmBytes: null, workletUrl: null };

/**
 * Sets where loadRinglet, RingletNode.create and getAudioContext find
 * ringlet.wasm and the worklet module when a call does not say, for the
 * whole page: for hosts that serve the files from their own place (a CDN, a
 * Rollup build without an asset plugin). Per-call options still win. A key
 * that is absent keeps its value; `null` restores the default. `wasmBytes`
 * gives the wasm itself instead of its URL; setting one of wasmUrl and
 * wasmBytes clears the other. Main thread.
 * @param {{ wasmUrl?: string | URL | null, wasmBytes?: BufferSource | null, workletUrl?: string | URL | null }} urls
 */
export function setAssetUrls(urls) {
  if (urls === null || typeof urls !== 'object') {
    throw new TypeError(`setAssetUrls: urls must be an object; got ${describe(urls)}`);
  }
  /** @type {Partial<typeof assetUrls>} */
  const next = {};
  for (const key of /** @type {const} */ (['wasmUrl', 'workletUrl'])) {
    const value = urls[key];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string' && !(value instanceof URL)) {
      throw new TypeError(`setAssetUrls: urls.${key} must be a string, a URL or null; got ${describe(value)}`);
    }
    if (value === '') throw new TypeError(`setAssetUrls: urls.${key} must not be empty`);
    next[key] = value === null ? null : String(value);
  }
  const bytes = urls.wasmBytes;
  if (bytes !== undefined) {
    if (bytes !== null && !(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) {
      throw new TypeError(
        `setAssetUrls: urls.wasmBytes must be an ArrayBuffer, a typed array or null; got ${describe(bytes)}`,
      );
    }
    if (bytes !== null && urls.wasmUrl !== undefined && urls.wasmUrl !== null) {
      throw new TypeError('setAssetUrls: give urls.wasmUrl or urls.wasmBytes, not both');
    }
    next.wasmBytes = bytes;
    if (bytes !== null) next.wasmUrl = null;
  } else if (typeof next.wasmUrl === 'string') {
    next.wasmBytes = null;
  }
  Object.assign(assetUrls, next);
}

/** Where ringlet.wasm is: setAssetUrls()'s, else beside dist/ringlet.js. */
export function defaultWasmUrl() {
  return assetUrls.wasmUrl ?? new URL('./ringlet.wasm', import.meta.url).href;
}

/** The wasm's bytes when setAssetUrls() gave them (wasmBytes), else null. */
export function defaultWasmBytes() {
  return assetUrls.wasmBytes;
}

/**
 * True where shared memory exists: a cross-origin isolated page (or a
 * runtime without the isolation concept, such as Node).
 */
function canShareMemory() {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false;
}

/**
 * The transport a node will use.
 * @param {unknown} transport 'auto' (default), 'shared' or 'message'
 * @param {string} where
 * @returns {'shared' | 'message'}
 */
export function resolveTransport(transport, where) {
  if (transport === undefined || transport === 'auto') return canShareMemory() ? 'shared' : 'message';
  if (transport === 'message') return 'message';
  if (transport === 'shared') {
    if (!canShareMemory()) {
      throw new RingletError(
        'NOT_ISOLATED',
        `${where}: transport 'shared' needs SharedArrayBuffer; serve the page cross-origin isolated (COOP same-origin, COEP require-corp), or use transport 'auto'`,
      );
    }
    return 'shared';
  }
  throw new TypeError(`${where}: transport must be 'auto', 'shared' or 'message'; got ${String(transport)}`);
}

export function defaultWorkletUrl() {
  return assetUrls.workletUrl ?? new URL('./ringlet-worklet.js', import.meta.url).href;
}

/**
 * Accepts a native or standardized-audio-context context, or a Tone.js
 * context (checked by its rawContext); throws a TypeError naming what was
 * passed otherwise, and CONTEXT_CLOSED for a closed one.
 * @param {unknown} context
 * @param {string} where
 * @returns {asserts context is BaseAudioContext}
 */
export function checkContext(context, where) {
  const ctx = unwrapContext(context);
  if (!hasAudioWorklet(ctx)) throw contextError(where, context);
  if (ctx.state === 'closed') {
    throw new RingletError('CONTEXT_CLOSED', `${where}: context is closed`);
  }
}

/**
 * Makes ringlet usable in `context`: loads the worklet module (once per
 * context, even when called concurrently; a Tone.js context's into its
 * rawContext, with that context's own audioWorklet.addModule) and compiles
 * the wasm for the transport (once per page): ringlet.wasm as it is for 'shared', and with its
 * memory import made private for 'message'. The two run in parallel, and
 * the call waits at most loadTimeoutMs (default 10000) for both, then
 * rejects with RingletError 'TIMEOUT' naming what was late; a later call
 * retries. Main thread.
 * @param {BaseAudioContext} context
 * @param {LoadOptions} [options]
 * @returns {Promise<RingletWasm>}
 */
export function loadRinglet(context, options = {}) {
  try {
    checkContext(context, 'loadRinglet');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`loadRinglet: options must be an object; got ${describe(options)}`);
    }
    return load(context, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * @param {BaseAudioContext} context
 * @param {LoadOptions} options
 * @returns {Promise<RingletWasm>}
 */
function load(context, options) {
  const transport = resolveTransport(options.transport, 'loadRinglet');
  const timeoutMs = checkTimeout(options.loadTimeoutMs, 'loadRinglet', DEFAULT_LOAD_TIMEOUT_MS, 'loadTimeoutMs');
  const bytes = options.wasmUrl === undefined ? defaultWasmBytes() : null;
  const wasmUrl = bytes === null ? String(options.wasmUrl ?? defaultWasmUrl()) : 'the embedded wasm';
  const workletUrl = String(options.workletUrl ?? defaultWorkletUrl());
  // One bound for the call, whose message names everything that had not
  // loaded in time; the wasm fetch also ends itself (aborted) after timeoutMs.
  /** @type {Record<'worklet' | 'wasm', 'loading' | 'done' | 'stalled' | 'failed'>} */
  const progress = { worklet: 'loading', wasm: 'loading' };
  /**
   * @template T
   * @param {'worklet' | 'wasm'} key
   * @param {Promise<T>} promise
   * @returns {Promise<T>}
   */
  const track = (key, promise) =>
    promise.then(
      (value) => {
        progress[key] = 'done';
        return value;
      },
      (/** @type {unknown} */ error) => {
        progress[key] = error instanceof RingletError && error.code === 'TIMEOUT' ? 'stalled' : 'failed';
        throw error;
      },
    );
  const late = () => {
    const names = [];
    if (progress.worklet === 'loading' || progress.worklet === 'stalled')
      names.push(`the worklet module at ${workletUrl}`);
    if (progress.wasm === 'loading' || progress.wasm === 'stalled')
      names.push(bytes === null ? `the wasm at ${wasmUrl}` : wasmUrl);
    return `loadRinglet: ${names.join(' and ')} did not load within loadTimeoutMs (${timeoutMs} ms)`;
  };
  const worklet = track('worklet', loadWorklet(/** @type {BaseAudioContext} */ (unwrapContext(context)), workletUrl));
  const wasm = track('wasm', compileRinglet(bytes ?? wasmUrl, { shared: transport === 'shared', timeoutMs }));
  const both = Promise.all([worklet, wasm]).then(
    ([, loaded]) => loaded,
    (/** @type {unknown} */ error) => {
      if (error instanceof RingletError && error.code === 'TIMEOUT') {
        throw new RingletError('TIMEOUT', late(), { cause: error });
      }
      throw error;
    },
  );
  return withTimeout(both, timeoutMs, late);
}

/**
 * 'script-src' when addModule of a blob: URL failed to load (not to
 * evaluate): a Blob's fetch fails only when the page's script-src refuses
 * blob: (or the URL was revoked), and Chromium reports no violation event
 * for a worklet's module. Else null.
 * @param {string} url
 * @param {unknown} error
 * @returns {string | null}
 */
export function blobRefusal(url, error) {
  const name = /** @type {{ name?: unknown }} */ (error)?.name;
  return url.startsWith('blob:') && (name === 'AbortError' || name === 'NetworkError') ? 'script-src' : null;
}

/**
 * The context's worklet module load: the one that succeeded, else the one in
 * flight for `url`, else a new one.
 * @param {BaseAudioContext} context
 * @param {string} url
 * @returns {Promise<void>}
 */
function loadWorklet(context, url) {
  let loads = workletLoads.get(context);
  if (!loads) {
    loads = { loaded: null, pending: new Map() };
    workletLoads.set(context, loads);
  }
  const entry = loads;
  if (entry.loaded) return entry.loaded;
  const inFlight = entry.pending.get(url);
  if (inFlight) return inFlight;
  // The worklet's module is fetched under the page's script-src. addModule
  // is no Trusted Types sink in any engine, so the URL goes as a string.
  const violations = watchViolations();
  const pending = context.audioWorklet.addModule(url).then(
    () => {
      violations.close();
      entry.pending.delete(url);
      entry.loaded ??= pending;
    },
    async (/** @type {unknown} */ error) => {
      if (entry.pending.get(url) === pending) entry.pending.delete(url);
      const directive = (await violations.waitFor(url)) ?? blobRefusal(url, error);
      violations.close();
      if (directive !== null) {
        const alternative = url.startsWith('blob:')
          ? 'load the worklet from its file (setAssetUrls({ workletUrl }), dist/ringlet-worklet.js)'
          : '';
        throw blockedByPolicy('loadRinglet: the worklet module', directive, url, error, alternative);
      }
      throw new RingletError(
        'LOAD_FAILED',
        `loadRinglet: could not load the worklet module from ${url}: ${String(error)}`,
        {
          cause: error,
        },
      );
    },
  );
  entry.pending.set(url, pending);
  return pending;
}
