// Bundles lib/ and worklet/ into self-contained ESM files in dist/, and puts
// ringlet.wasm beside them, where `new URL('./ringlet.wasm', import.meta.url)`
// finds it in any bundler.
import { readFileSync } from 'node:fs';

const copyWasm = {
  name: 'ringlet-wasm',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'ringlet.wasm', source: readFileSync('build/wasm/ringlet.wasm') });
    this.emitFile({ type: 'asset', fileName: 'ringlet-local.wasm', source: readFileSync('build/wasm-local/ringlet-local.wasm') });
  },
};

// The service worker stays a classic script (module service workers are not
// universal), so it is copied byte for byte, never bundled. Its version
// constant must equal package.json's: it names the cache.
const copyServiceWorker = {
  name: 'ringlet-coi-serviceworker',
  generateBundle() {
    const source = readFileSync('lib/coi-serviceworker.js', 'utf8');
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    const found = /^const RINGLET_COI_VERSION = '([^']*)';$/m.exec(source)?.[1];
    if (found !== version) {
      this.error(`lib/coi-serviceworker.js: RINGLET_COI_VERSION is '${found}' but package.json says '${version}'; update the constant`);
    }
    this.emitFile({ type: 'asset', fileName: 'coi-serviceworker.js', source });
  },
};

export default [
  { input: 'lib/index.js', output: { file: 'dist/ringlet.js', format: 'es' }, plugins: [copyWasm, copyServiceWorker] },
  { input: 'worklet/processor.js', output: { file: 'dist/ringlet-worklet.js', format: 'es' } },
  { input: 'lib/worker.js', output: { file: 'dist/ringlet-worker.js', format: 'es' } },
];
