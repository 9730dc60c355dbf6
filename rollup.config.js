// Bundles lib/ and worklet/ into self-contained ESM files in dist/, and puts
// ringlet.wasm beside them, where `new URL('./ringlet.wasm', import.meta.url)`
// finds it in any bundler.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { minify } from 'terser';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const copyWasm = {
  name: 'ringlet-wasm',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'ringlet.wasm', source: readFileSync('build/wasm/ringlet.wasm') });
  },
};

// The service worker stays a classic script (module service workers are not
// universal), so it is minified on its own, never bundled. Its version
// constant must equal package.json's: it names the cache.
const copyServiceWorker = {
  name: 'ringlet-coi-serviceworker',
  async generateBundle() {
    const source = readFileSync('lib/entries/coi-serviceworker.js', 'utf8');
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    const found = /^const RINGLET_COI_VERSION = '([^']*)';$/m.exec(source)?.[1];
    if (found !== version) {
      this.error(
        `lib/entries/coi-serviceworker.js: RINGLET_COI_VERSION is '${found}' but package.json says '${version}'; update the constant`,
      );
    }
    const result = await minify(source, {
      module: false,
      format: {
        quote_style: 1,
        preamble: `/*! ringlet ${version} | MIT License | source: lib/entries/coi-serviceworker.js */`,
      },
    });
    this.emitFile({ type: 'asset', fileName: 'coi-serviceworker.js', source: result.code ?? '' });
  },
};

// Every bundle ships minified: files the browser loads by URL (the worklet,
// the pool's worker) reach it as they are, since a consumer's bundler copies
// them without minifying, and the package stays small for CDNs and no-bundler
// pages. The readable source is lib/ and worklet/; the API and its rules are
// documented in types/. Class names are kept for error messages and panic
// stacks, and top-level exports stay separate, so bundlers still tree-shake.
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

// ringlet/inline embeds the worklet bundle (built before it, below) and
// ringlet.wasm (gzipped; lib/inline.js inflates it with DecompressionStream),
// replacing the placeholders in lib/inline.js, and imports the rest from
// dist/ringlet.js rather than carrying a second copy.
const embedAssets = {
  name: 'ringlet-embed',
  transform(code, id) {
    if (!id.endsWith('/lib/inline.js')) return null;
    const values = {
      WORKLET: readFileSync('dist/ringlet-worklet.js', 'utf8'),
      WASM_GZIP: gzipSync(readFileSync('build/wasm/ringlet.wasm'), { level: 9 }).toString('base64'),
    };
    let out = code;
    for (const [key, value] of Object.entries(values)) {
      const placeholder = new RegExp(`= '__RINGLET_EMBED_${key}__';`);
      if (!placeholder.test(out)) this.error(`lib/inline.js: placeholder '__RINGLET_EMBED_${key}__' not found`);
      out = out.replace(placeholder, () => `= ${JSON.stringify(value)};`);
    }
    return { code: out, map: null };
  },
};
const mainEntry = fileURLToPath(new URL('./lib/index.js', import.meta.url));

export default [
  {
    input: 'lib/index.js',
    output: { file: 'dist/ringlet.js', format: 'es' },
    plugins: [copyWasm, copyServiceWorker, minified],
  },
  { input: 'worklet/processor.js', output: { file: 'dist/ringlet-worklet.js', format: 'es' }, plugins: [minified] },
  { input: 'lib/entries/worker.js', output: { file: 'dist/ringlet-worker.js', format: 'es' }, plugins: [minified] },
  {
    input: 'lib/inline.js',
    external: [mainEntry],
    output: { file: 'dist/ringlet-inline.js', format: 'es', paths: { [mainEntry]: './ringlet.js' } },
    plugins: [embedAssets, minified],
  },
  // ringlet/tone imports Tone.js (a peer dependency) and dist/ringlet.js, so
  // it shares the one RingletNode (and setAssetUrls) with the main entry.
  {
    input: 'lib/tone.js',
    external: [mainEntry, 'tone'],
    output: { file: 'dist/ringlet-tone.js', format: 'es', paths: { [mainEntry]: './ringlet.js' } },
    plugins: [minified],
  },
  // ringlet/stream shares RingletNode and RingletError with dist/ringlet.js;
  // its Worker imports mediabunny (a peer dependency), left for the app's
  // bundler to resolve, and is the only file that does.
  {
    input: 'lib/stream.js',
    external: [mainEntry],
    output: { file: 'dist/ringlet-stream.js', format: 'es', paths: { [mainEntry]: './ringlet.js' } },
    plugins: [minified],
  },
  {
    input: 'lib/entries/stream-worker.js',
    external: ['mediabunny'],
    output: { file: 'dist/ringlet-stream-worker.js', format: 'es' },
    plugins: [minified],
  },
  // The same Worker with WebAssembly FLAC and MP3 decoders, which it imports
  // (optional peer dependencies too) for engines whose WebCodecs lacks them.
  {
    input: 'lib/entries/stream-worker-wasm.js',
    external: ['mediabunny', '@wasm-audio-decoders/flac', 'mpg123-decoder'],
    output: { file: 'dist/ringlet-stream-worker-wasm.js', format: 'es' },
    plugins: [minified],
  },
  // The same decoders for an app's own mediabunny Worker (ringlet/wasm-decoders).
  {
    input: 'lib/wasm-decoders.js',
    external: ['@wasm-audio-decoders/flac', 'mpg123-decoder'],
    output: { file: 'dist/ringlet-wasm-decoders.js', format: 'es' },
    plugins: [minified],
  },
];
