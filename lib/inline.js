/**
 * ringlet/inline: the package entry with its assets inside, for CDNs and
 * pages without a bundler. dist/ringlet-inline.js embeds the worklet module
 * and ringlet.wasm and imports everything else from dist/ringlet.js beside
 * it, so those two files are all a page needs to play: at import it hands
 * the main entry the embedded wasm's bytes (setAssetUrls' wasmBytes:
 * compiled where it is used, never fetched, so connect-src need not allow
 * anything) and a Blob URL of the embedded worklet (workletUrl). Explicit
 * URLs still win. Same API as the main entry. With a bundler, prefer the
 * main entry: it bundles the files as assets instead.
 *
 * Importing inflates the embedded wasm once (DecompressionStream, so the
 * entry needs Chrome 80, Firefox 113, Safari 16.4 or Node 18); it works in a
 * Worker and in Node.
 * The worklet's Blob URL lives as long as the page; AudioWorklet.addModule
 * takes only a URL, so a page whose script-src does not allow blob: loads
 * the worklet from its file instead (setAssetUrls({ workletUrl })). The
 * WorkerPool's worker and the service worker are not embedded: a Worker can
 * import a module from its URL, and a service worker must be a file on the
 * site's origin.
 */
import { setAssetUrls } from './index.js';

// The build (rollup.config.js, ringlet-inline) replaces these placeholders
// with the worklet bundle's source and the base64 of gzipped ringlet.wasm.
const WORKLET_SOURCE = '__RINGLET_EMBED_WORKLET__';
const WASM_GZIP_BASE64 = '__RINGLET_EMBED_WASM_GZIP__';

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

if (WASM_GZIP_BASE64.startsWith('__RINGLET_EMBED_')) {
  throw new Error(
    'ringlet/inline: the assets are embedded by the build; import dist/ringlet-inline.js, not lib/inline.js',
  );
}
// Top-level await: the module finishes evaluating once the wasm is inflated,
// so an importer never sees the defaults unset.
const wasm = await new Response(
  new Blob([fromBase64(WASM_GZIP_BASE64)]).stream().pipeThrough(new DecompressionStream('gzip')),
).arrayBuffer();
setAssetUrls({
  wasmBytes: wasm,
  workletUrl: URL.createObjectURL(new Blob([WORKLET_SOURCE], { type: 'text/javascript' })),
});

export * from './index.js';
