// `node scripts/sizes.mjs`: what ringlet weighs, against its targets. Measures
// the npm tarball, each wasm (raw and gzip), each JS file in dist/ (raw,
// minified with terser, minified + gzip), and what an app that imports only
// RingletNode bundles (Rollup + terser, tree-shaken). Run `npm run build`
// first. Prints a table, then one line `sizes: {json}` for scripts.
// 1 KB here is 1024 bytes. Exits 0 whether or not a target is met.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { rollup } from '@rollup/wasm-node';
import { minify } from 'terser';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KB = 1024;
const TARGETS = {
  tarball: 176 * KB, // 100 KB until the resampler (its wasm travels twice), 128 KB until ringlet/stream, 160 KB until the SIMD EQ, rate marks and two waveforms (wasm 53.7 -> 61.6 KB)
  wasm: 64 * KB, // ringlet.wasm
  js: 25 * KB, // dist/ringlet.js + dist/ringlet-worklet.js, minified
};

const dist = (f) => join(ROOT, 'dist', f);
for (const f of ['ringlet.js', 'ringlet-worklet.js', 'ringlet.wasm']) {
  if (!existsSync(dist(f))) {
    console.error(`sizes: dist/${f} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}

const gz = (/** @type {Buffer | string} */ b) => gzipSync(b, { level: 9 }).length;
const kb = (/** @type {number} */ n) => `${(n / KB).toFixed(1)} KB`;
const mark = (/** @type {number} */ n, /** @type {number} */ limit) => (n < limit ? 'ok' : 'OVER');

/** @param {string} code */
async function minified(code) {
  return (await minify(code, { module: true, keep_classnames: true })).code ?? '';
}

// The tarball, packed where nobody looks.
const out = mkdtempSync(join(tmpdir(), 'ringlet-sizes-'));
const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', out, '--loglevel=error'], {
  cwd: ROOT,
  encoding: 'utf8',
});
if (packed.status !== 0) {
  console.error(packed.stdout, packed.stderr);
  process.exit(1);
}
const pack = JSON.parse(packed.stdout)[0];
rmSync(out, { recursive: true, force: true });

/** @type {Record<string, { raw: number, gzip: number }>} */
const wasm = {};
for (const f of ['ringlet.wasm']) {
  const bytes = readFileSync(dist(f));
  wasm[f] = { raw: bytes.length, gzip: gz(bytes) };
}

/** @type {Record<string, { raw: number, minified: number, gzip: number }>} */
const js = {};
for (const f of [
  'ringlet.js',
  'ringlet-worklet.js',
  'ringlet-worker.js',
  'ringlet-inline.js',
  'coi-serviceworker.js',
]) {
  if (!existsSync(dist(f))) continue;
  const code = readFileSync(dist(f), 'utf8');
  const min = f === 'coi-serviceworker.js' ? ((await minify(code)).code ?? '') : await minified(code);
  js[f] = { raw: Buffer.byteLength(code), minified: Buffer.byteLength(min), gzip: gz(min) };
}

// What an app pays for `import { RingletNode } from 'ringlet'` after tree-shaking.
const bundle = await rollup({
  input: 'app',
  onwarn: () => {},
  plugins: [
    {
      name: 'app',
      resolveId: (id) => (id === 'app' ? id : id === 'ringlet' ? dist('ringlet.js') : null),
      load: (id) =>
        id === 'app' ? "import { RingletNode } from 'ringlet';\nglobalThis.RingletNode = RingletNode;\n" : null,
    },
  ],
});
const app = await minified((await bundle.generate({ format: 'es' })).output[0].code);
await bundle.close();

const mainPlusWorklet = {
  minified: js['ringlet.js'].minified + js['ringlet-worklet.js'].minified,
  gzip: js['ringlet.js'].gzip + js['ringlet-worklet.js'].gzip,
};
const summary = {
  tarball: { size: pack.size, unpacked: pack.unpackedSize, files: pack.entryCount },
  wasm,
  js,
  app: { import: 'RingletNode', minified: Buffer.byteLength(app), gzip: gz(app) },
  mainPlusWorklet,
  targets: {
    tarball: { limit: TARGETS.tarball, met: pack.size < TARGETS.tarball },
    wasm: { limit: TARGETS.wasm, met: wasm['ringlet.wasm'].raw < TARGETS.wasm },
    js: { limit: TARGETS.js, met: mainPlusWorklet.minified < TARGETS.js, metGzip: mainPlusWorklet.gzip < TARGETS.js },
  },
};

const rows = [
  [
    'tarball (npm pack)',
    kb(pack.size),
    `unpacked ${kb(pack.unpackedSize)}, ${pack.entryCount} files`,
    `< ${kb(TARGETS.tarball)}: ${mark(pack.size, TARGETS.tarball)}`,
  ],
  ...Object.entries(wasm).map(([f, s]) => [
    f,
    kb(s.raw),
    `gzip ${kb(s.gzip)}`,
    f === 'ringlet.wasm' ? `< ${kb(TARGETS.wasm)}: ${mark(s.raw, TARGETS.wasm)}` : '',
  ]),
  ...Object.entries(js).map(([f, s]) => [f, kb(s.raw), `minified ${kb(s.minified)}, + gzip ${kb(s.gzip)}`, '']),
  [
    'ringlet.js + worklet',
    '',
    `minified ${kb(mainPlusWorklet.minified)}, + gzip ${kb(mainPlusWorklet.gzip)}`,
    `< ${kb(TARGETS.js)}: minified ${mark(mainPlusWorklet.minified, TARGETS.js)}, + gzip ${mark(mainPlusWorklet.gzip, TARGETS.js)}`,
  ],
  [
    'app: import { RingletNode }',
    '',
    `minified ${kb(summary.app.minified)}, + gzip ${kb(summary.app.gzip)}`,
    'tree-shaken, without the worklet',
  ],
];
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows)
  console.log(`${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`);
console.log(`sizes: ${JSON.stringify(summary)}`);
