// Bundles lib/ and worklet/ into self-contained ESM files in dist/, and puts
// ringlet.wasm beside them, where `new URL('./ringlet.wasm', import.meta.url)`
// finds it in any bundler.
import { readFileSync } from 'node:fs';
import { minify } from 'terser';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

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

// Files the browser loads by URL (the worklet, the pool's worker, the inline
// entry) reach it as they are: a consumer's bundler copies them without
// minifying. So they ship minified; dist/ringlet.js, which bundlers process,
// stays readable. Class names are kept for error messages and panic stacks.
const minified = {
  name: 'ringlet-minify',
  async renderChunk(code) {
    const result = await minify(code, {
      module: true,
      keep_classnames: true,
      format: { quote_style: 1, preamble: `/*! ringlet ${version} | MIT License */` },
    });
    return { code: result.code, map: null };
  },
};

// ringlet/inline embeds the worklet bundle (built before it, above) and both
// wasm cores, replacing the placeholders in lib/inline.js. Its load.js never
// falls back to the files beside it, so those `new URL(...)` references are
// removed, or a bundler would emit the files a second time.
const embedAssets = {
  name: 'ringlet-embed',
  transform(code, id) {
    if (id.endsWith('/lib/inline.js')) {
      const values = {
        WORKLET: readFileSync('dist/ringlet-worklet.js', 'utf8'),
        WASM: readFileSync('build/wasm/ringlet.wasm').toString('base64'),
        LOCAL_WASM: readFileSync('build/wasm-local/ringlet-local.wasm').toString('base64'),
      };
      let out = code;
      for (const [key, value] of Object.entries(values)) {
        const placeholder = new RegExp(`= '__RINGLET_EMBED_${key}__';`);
        if (!placeholder.test(out)) this.error(`lib/inline.js: placeholder '__RINGLET_EMBED_${key}__' not found`);
        out = out.replace(placeholder, () => `= ${JSON.stringify(value)};`);
      }
      return { code: out, map: null };
    }
    if (id.endsWith('/lib/load.js')) {
      const assetUrl = /new URL\('\.\/(ringlet\.wasm|ringlet-local\.wasm|ringlet-worklet\.js)', import\.meta\.url\)\.href/g;
      const found = code.match(assetUrl) ?? [];
      if (found.length !== 3) this.error(`lib/load.js: expected 3 asset URLs to replace for ringlet-inline, found ${found.length}`);
      return { code: code.replace(assetUrl, "''"), map: null };
    }
    return null;
  },
};

export default [
  { input: 'lib/index.js', output: { file: 'dist/ringlet.js', format: 'es' }, plugins: [copyWasm, copyServiceWorker] },
  { input: 'worklet/processor.js', output: { file: 'dist/ringlet-worklet.js', format: 'es' }, plugins: [minified] },
  { input: 'lib/worker.js', output: { file: 'dist/ringlet-worker.js', format: 'es' }, plugins: [minified] },
  { input: 'lib/inline.js', output: { file: 'dist/ringlet-inline.js', format: 'es' }, plugins: [embedAssets, minified] },
];
