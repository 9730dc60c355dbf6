/**
 * ringlet/inline: the package entry with its assets inside, for CDNs and
 * pages without a bundler. The worklet module and both wasm cores are
 * embedded in dist/ringlet-inline.js, so `wasmUrl`, `localWasmUrl` and
 * `workletUrl` default to Blob URLs made from them and nothing is fetched
 * from beside the file. Explicit URLs still win. Same API as the main entry.
 *
 * The Blob URLs are made on first use (importing stays cheap, and works in a
 * Worker or in Node) and live as long as the page. The WorkerPool's worker
 * and the service worker are not embedded: a Worker can import a module
 * from its URL, and a service worker must be a file on the site's origin.
 */
import { useEmbeddedAssets } from './load.js';

// The build (rollup.config.js, ringlet-inline) replaces these placeholders
// with the worklet bundle's source and the base64 of each wasm.
const WORKLET_SOURCE = '__RINGLET_EMBED_WORKLET__';
const WASM_BASE64 = '__RINGLET_EMBED_WASM__';
const LOCAL_WASM_BASE64 = '__RINGLET_EMBED_LOCAL_WASM__';

/**
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
 */
function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A getter for a Blob URL of `make()`'s bytes, made once.
 * @param {string} content the embedded text; still a placeholder when lib/ is imported unbundled
 * @param {() => BlobPart} make
 * @param {string} type
 */
function blobUrl(content, make, type) {
  /** @type {string | null} */
  let url = null;
  return () => {
    if (content.startsWith('__RINGLET_EMBED_')) {
      throw new Error('ringlet/inline: the assets are embedded by the build; import dist/ringlet-inline.js, not lib/inline.js');
    }
    url ??= URL.createObjectURL(new Blob([make()], { type }));
    return url;
  };
}

useEmbeddedAssets({
  wasmUrl: blobUrl(WASM_BASE64, () => fromBase64(WASM_BASE64), 'application/wasm'),
  localWasmUrl: blobUrl(LOCAL_WASM_BASE64, () => fromBase64(LOCAL_WASM_BASE64), 'application/wasm'),
  workletUrl: blobUrl(WORKLET_SOURCE, () => WORKLET_SOURCE, 'text/javascript'),
});

export * from './index.js';
