/**
 * Where a WorkerPool's workers and their ringlet.wasm are: the default
 * worker module beside the bundle, a user's workerUrl made absolute, and
 * the page's wasm URL sent in the hello. Main thread or a Worker; never the
 * audio thread.
 */
import { defaultWasmBytes, defaultWasmUrl } from '../node/load.js';
import { allowScriptUrl } from '../shared/policy.js';
import { describe } from '../shared/util.js';

/** Where the bundled package keeps the worker module: beside dist/ringlet.js. */
function defaultWorkerUrl() {
  return new URL('./ringlet-worker.js', import.meta.url).href;
}

/**
 * The page's ringlet.wasm as an absolute URL, for the workers' DSP tasks
 * (sent in the hello): what the main entry resolves, so a bundler's emitted
 * asset or setAssetUrls' location. Undefined when it cannot be resolved; the
 * worker then looks beside its own module.
 * @returns {string | undefined}
 */
export function pageWasmUrl() {
  // Bytes given to setAssetUrls (ringlet/inline) go to the workers in the
  // hello instead (pageWasmBytes), so they fetch no wasm either.
  if (defaultWasmBytes() !== null) return undefined;
  try {
    return new URL(defaultWasmUrl(), globalThis.location?.href).href;
  } catch {
    return undefined;
  }
}

/**
 * The wasm bytes the page was given (setAssetUrls' wasmBytes, as ringlet/inline
 * does), for the pool's hello: the workers compile them instead of fetching
 * a file. Null when the page loads the wasm from a URL.
 * @returns {ArrayBuffer | null}
 */
export function pageWasmBytes() {
  const bytes = defaultWasmBytes();
  if (bytes === null) return null;
  return ArrayBuffer.isView(bytes)
    ? /** @type {ArrayBuffer} */ (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    : /** @type {ArrayBuffer} */ (bytes);
}

/**
 * The absolute URL of a pool's worker module (the user's workerUrl, or the
 * bundled one), which ringlet's Trusted Types policy then accepts.
 * @param {unknown} url
 * @returns {string}
 */
export function resolveWorkerUrl(url) {
  const resolved = resolve(url);
  allowScriptUrl(resolved);
  return resolved;
}

/** @param {unknown} url @returns {string} */
function resolve(url) {
  if (url === undefined) return defaultWorkerUrl();
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw new TypeError(`WorkerPool: workerUrl must be a string or URL; got ${describe(url)}`);
  }
  try {
    return new URL(String(url), globalThis.location?.href).href;
  } catch (error) {
    throw new TypeError(`WorkerPool: workerUrl is not a valid URL: ${String(url)}`, { cause: error });
  }
}
