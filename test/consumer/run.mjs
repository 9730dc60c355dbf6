// Consumer tests: ringlet as people install it. Packs the package, installs
// the tarball into a fresh Vite app (test/consumer/vite-app) and a webpack 5
// app (test/consumer/webpack-app) and builds them with no configuration, and
// into a Rollup app (test/consumer/rollup-app) with Rollup's usual plugins,
// and into a Vite app with Tone.js and standardized-audio-context
// (test/consumer/libs-app: one page in a Tone.js patch, one in a bare
// standardized-audio-context graph);
// runs the built apps, the no-bundler `ringlet/inline` page
// (test/consumer/inline) and a page that loads ringlet from another origin,
// as from a public CDN (test/consumer/cdn), in every browser engine the
// browser tests drive (Chromium, Firefox, WebKit with and without
// SharedArrayBuffer; RINGLET_BROWSERS picks them, as for Jest), each on a
// cross-origin isolated page and on one that is not; and compiles TypeScript
// against the published types (test/types). Work happens in build/consumer/,
// where each app's node_modules is kept between runs, so only the first run
// reaches the registry (for Vite, webpack and Rollup).
//
// Ends with `consumer: N passed, N failed`; exits non-zero when one failed. A
// check whose install or build failed is run all the same and fails, naming
// that step, so the total never shrinks.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemons } from '../browser/daemons.js';
import { selectedEngines } from '../browser/engines.js';
import { launchEngine } from '../browser/harness.js';
import { serve } from '../../scripts/serve.mjs';
import * as streamSignal from './libs-app/stream-signal.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = join(ROOT, 'test/consumer');
const WORK = join(ROOT, 'build/consumer');
const APP = join(WORK, 'vite-app');
const WEBPACK = join(WORK, 'webpack-app');
const ROLLUP = join(WORK, 'rollup-app');
const LIBS = join(WORK, 'libs-app');
const INLINE = join(WORK, 'inline');
const CDN = join(WORK, 'cdn'); // cdn/dist: the package's dist as a CDN serves it; cdn/page: the page
const TYPES = join(APP, 'types-check');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** The files the tarball may hold, and the ones it must. */
const ALLOWED = /^(dist\/[^/]+|types\/[^/]+\.d\.ts|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/;
const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'dist/ringlet.js',
  'dist/ringlet-inline.js',
  'dist/ringlet-worklet.js',
  'dist/ringlet-worker.js',
  'dist/ringlet-tone.js',
  'dist/ringlet-stream.js',
  'dist/ringlet-stream-worker.js',
  'dist/ringlet-stream-worker-wasm.js',
  'dist/ringlet-wasm-decoders.js',
  'dist/ringlet.wasm',
  'dist/coi-serviceworker.js',
  'types/index.d.ts',
  'types/isolation.d.ts',
  'types/pool.d.ts',
  'types/tone.d.ts',
  'types/stream.d.ts',
  'types/wasm-decoders.d.ts',
  'types/worker.d.ts',
];

let passed = 0;
let failed = 0;
/** @type {string[]} */
const failures = [];

/**
 * Runs one named check; a throw fails it. Later checks still run.
 * @param {string} name
 * @param {() => unknown} fn
 */
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`  ok   ${name} (${Date.now() - t0} ms)`);
    return true;
  } catch (error) {
    failed += 1;
    failures.push(name);
    console.log(
      `  FAIL ${name} (${Date.now() - t0} ms)\n       ${String(error?.stack ?? error)
        .split('\n')
        .join('\n       ')}`,
    );
    return false;
  }
}

/**
 * @param {unknown} ok
 * @param {string} message
 * @returns {asserts ok}
 */
function assert(ok, message) {
  if (!ok) throw new Error(message);
}

/**
 * For a check that depends on an earlier one (an install, a build): when that
 * failed, this check fails too, naming why, instead of vanishing from the count.
 * @param {unknown} ok
 * @param {string} what the earlier check
 * @returns {asserts ok}
 */
function needs(ok, what) {
  assert(ok, `not run: ${what} failed`);
}

/** Runs a command; throws with its output when it fails. */
function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`.trim());
  }
  return r.stdout;
}

// ---- the tarball ----------------------------------------------------------------

/** @type {{ tarball: string, files: string[], size: number } | null} */
let pack = null;

await check('npm pack holds dist, types, README, LICENSE and CHANGELOG only', () => {
  mkdirSync(WORK, { recursive: true });
  for (const f of readdirSync(WORK)) if (f.endsWith('.tgz')) rmSync(join(WORK, f));
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', WORK, ...NPM_QUIET], ROOT));
  const files = out[0].files.map((/** @type {{ path: string }} */ f) => f.path);
  const stray = files.filter((/** @type {string} */ f) => !ALLOWED.test(f));
  assert(stray.length === 0, `unexpected files in the tarball: ${stray.join(', ')}`);
  const missing = REQUIRED.filter((f) => !files.includes(f));
  assert(missing.length === 0, `missing from the tarball: ${missing.join(', ')}`);
  // A content-named copy, so npm reinstalls it whenever the package changed.
  const bytes = readFileSync(join(WORK, out[0].filename));
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const tarball = join(WORK, `ringlet-${hash}.tgz`);
  writeFileSync(tarball, bytes);
  pack = { tarball, files, size: bytes.length };
});

// Sizes are deterministic, so the targets are checked here, not only
// reported by `npm run sizes`: the packed tarball under 176 KB, ringlet.wasm
// under 64 KB (1 KB = 1024 bytes). The tarball's limit was 100 KB until the
// resampler (its 15 KB of wasm travel twice, raw and inside ringlet-inline.js),
// then 128 KB until ringlet/stream (its entry, Worker and types), then 160 KB
// until the SIMD EQ, rate marks and two waveforms (wasm 53.7 -> 61.6 KB).
await check('the tarball is under 176 KB and ringlet.wasm under 64 KB', () => {
  assert(pack, 'no tarball');
  assert(pack.size < 176 * 1024, `the tarball is ${(pack.size / 1024).toFixed(1)} KB`);
  const wasm = statSync(join(ROOT, 'dist/ringlet.wasm')).size;
  assert(wasm < 64 * 1024, `ringlet.wasm is ${(wasm / 1024).toFixed(1)} KB`);
});

await check(
  'package.json: ESM, side-effect free but for the Worker and worklet entries, an exports map with import and types, files and engines',
  () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert(pkg.type === 'module', `type is ${pkg.type}`);
    // Only the modules that act when imported: an app's Worker that imports
    // one for its effect (`import 'ringlet/stream-worker-wasm'`) was bundled
    // empty while the package said it had none.
    const effects = [
      './dist/coi-serviceworker.js',
      './dist/ringlet-stream-worker-wasm.js',
      './dist/ringlet-stream-worker.js',
      './dist/ringlet-worker.js',
      './dist/ringlet-worklet.js',
    ];
    assert(
      JSON.stringify([...(pkg.sideEffects ?? [])].sort()) === JSON.stringify(effects),
      `sideEffects is ${JSON.stringify(pkg.sideEffects)}`,
    );
    for (const entry of ['.', './inline', './worker', './tone', './stream']) {
      const e = pkg.exports?.[entry];
      assert(e?.import && e?.types, `exports['${entry}'] needs import and types: ${JSON.stringify(e)}`);
    }
    for (const entry of ['./ringlet.wasm', './coi-serviceworker.js'])
      assert(pkg.exports?.[entry], `no exports['${entry}']`);
    const files = JSON.stringify(pkg.files);
    assert(JSON.stringify(['dist', 'types', 'README.md', 'LICENSE', 'CHANGELOG.md']) === files, `files is ${files}`);
    assert(typeof pkg.engines?.node === 'string', 'no engines.node');
    // Tone.js is needed by ringlet/tone only: an optional peer, never a dependency.
    assert(!pkg.dependencies, `dependencies: ${JSON.stringify(pkg.dependencies)}`);
    assert(
      pkg.peerDependencies?.tone && pkg.peerDependenciesMeta?.tone?.optional === true,
      'tone is not an optional peer',
    );
    // mediabunny likewise, for ringlet/stream's Worker only.
    assert(
      pkg.peerDependencies?.mediabunny && pkg.peerDependenciesMeta?.mediabunny?.optional === true,
      'mediabunny is not an optional peer',
    );
  },
);

await check('every exports target is in the tarball', () => {
  assert(pack, 'no tarball');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  /** @type {string[]} */
  const targets = [];
  const walk = (/** @type {unknown} */ v) => {
    if (typeof v === 'string') targets.push(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  const missing = targets.filter((t) => !pack?.files.includes(t));
  assert(missing.length === 0, `exports point at files not packed: ${missing.join(', ')}`);
});

// ---- the apps ---------------------------------------------------------------------

/**
 * Copies an app's committed files (test/consumer/<name>) into build/consumer,
 * with tone.js beside its entry, points its ringlet dependency at this run's
 * tarball and runs npm install, which reuses the node_modules kept there.
 * @param {string} name
 * @param {string} dir
 * @param {string[]} files
 * @param {string} toneDir
 */
function installApp(name, dir, files, toneDir) {
  assert(pack, 'no tarball');
  mkdirSync(join(dir, toneDir), { recursive: true });
  for (const f of files) cpSync(join(HERE, name, f), join(dir, f));
  cpSync(join(HERE, 'tone.js'), join(dir, toneDir, 'tone.js'));
  const manifest = JSON.parse(readFileSync(join(HERE, name, 'package.json'), 'utf8'));
  manifest.dependencies.ringlet = `file:../${pack.tarball.split('/').pop()}`;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['install', '--prefer-offline', '--include=dev', ...NPM_QUIET], dir);
  const got = JSON.parse(readFileSync(join(dir, 'node_modules/ringlet/package.json'), 'utf8'));
  assert(
    got.version === JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    'wrong ringlet installed',
  );
  const fresh = readFileSync(join(dir, 'node_modules/ringlet/dist/ringlet.js'));
  assert(fresh.equals(readFileSync(join(ROOT, 'dist/ringlet.js'))), 'node_modules/ringlet is stale');
}

const installed = await check('the Vite app installs the tarball (npm install)', () => {
  installApp('vite-app', APP, ['index.html', 'main.js'], '.');
});
const webpackInstalled = await check('the webpack 5 app installs the tarball (npm install)', () => {
  installApp('webpack-app', WEBPACK, ['index.html', 'src/index.js'], 'src');
});
const rollupInstalled = await check('the Rollup app installs the tarball (npm install)', () => {
  installApp('rollup-app', ROLLUP, ['index.html', 'rollup.config.js', 'src/index.js'], 'src');
});
const libsInstalled = await check(
  'the Tone.js and standardized-audio-context Vite app installs the tarball (npm install)',
  () => {
    installApp(
      'libs-app',
      LIBS,
      [
        'tonejs.html',
        'sac.html',
        'stream.html',
        'stream-wasm.html',
        'tonejs.js',
        'sac.js',
        'stream.js',
        'stream-wasm.js',
        'stream-check.js',
        'stream-signal.js',
        'stream.worker.js',
        'checks.js',
        'vite.config.js',
      ],
      '.',
    );
  },
);
// Old tarballs are no longer referenced.
for (const f of readdirSync(WORK)) if (f.endsWith('.tgz') && join(WORK, f) !== pack?.tarball) rmSync(join(WORK, f));

/** What the entries export at run time, for the type check below. */
/** @type {{ main: string[], worker: string[] } | null} */
let runtimeExports = null;

await check('every package subpath resolves in Node from the installed package', () => {
  needs(installed, 'the Vite app install');
  const script = `
    const subpaths = ['ringlet', 'ringlet/inline', 'ringlet/worker', 'ringlet/tone', 'ringlet/worklet', 'ringlet/ringlet.wasm',
      'ringlet/coi-serviceworker.js', 'ringlet/package.json', 'ringlet/stream', 'ringlet/stream-worker', 'ringlet/stream-worker-wasm',
      'ringlet/wasm-decoders'];
    const resolved = Object.fromEntries(subpaths.map((s) => [s, import.meta.resolve(s)]));
    const main = Object.keys(await import('ringlet')).sort();
    const inline = Object.keys(await import('ringlet/inline')).sort();
    // Outside a Worker the module registers its tasks and listens to nothing.
    const worker = Object.keys(await import('ringlet/worker')).sort();
    // ringlet/stream starts its Worker only in create(); importing it does nothing else.
    const stream = Object.keys(await import('ringlet/stream')).sort();
    console.log(JSON.stringify({ resolved, main, inline, worker, stream }));`;
  const out = JSON.parse(run('node', ['--input-type=module', '-e', script], APP));
  for (const [subpath, url] of Object.entries(out.resolved)) {
    const file = fileURLToPath(/** @type {string} */ (url));
    assert(file.startsWith(join(APP, 'node_modules/ringlet/')) && existsSync(file), `${subpath} -> ${file}`);
  }
  assert(out.main.includes('RingletNode') && out.main.includes('RingWriter'), `main exports: ${out.main}`);
  assert(
    JSON.stringify(out.main) === JSON.stringify(out.inline),
    `ringlet/inline exports differ:\n${out.main}\n${out.inline}`,
  );
  // types/worker.d.ts declares exactly these (test/types/surface.ts pins that side).
  assert(
    JSON.stringify(out.worker) === '["Analysis","createAnalysis","defineTasks","withTransfer"]',
    `ringlet/worker exports ${out.worker}; update types/worker.d.ts`,
  );
  assert(
    JSON.stringify(out.stream) === '["RingletStream"]',
    `ringlet/stream exports ${out.stream}; update types/stream.d.ts`,
  );
  runtimeExports = { main: out.main, worker: out.worker };
});

/** @type {string[]} */
let assets = [];
const built = await check('vite build (no config) emits the worklet and the wasm as assets', () => {
  needs(installed, 'the Vite app install');
  rmSync(join(APP, 'dist'), { recursive: true, force: true });
  run(join(APP, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], APP);
  assets = readdirSync(join(APP, 'dist/assets'));
  const find = (/** @type {RegExp} */ re) => assets.find((f) => re.test(f));
  const worklet = find(/^ringlet-worklet-[\w-]+\.js$/);
  assert(worklet, `no worklet asset in ${assets.join(', ')}`);
  assert(
    assets.filter((f) => f.endsWith('.wasm')).length === 1 && find(/^ringlet-[\w-]+\.wasm$/),
    `expected one wasm asset in ${assets.join(', ')}`,
  );
  // Emitted byte for byte: Vite must not transform or inline the worklet.
  const shipped = readFileSync(join(APP, 'node_modules/ringlet/dist/ringlet-worklet.js'));
  assert(
    readFileSync(join(APP, 'dist/assets', worklet)).equals(shipped),
    'the worklet asset differs from the package file',
  );
  const chunks = assets.filter((f) => /^index-[\w-]+\.js$/.test(f));
  assert(chunks.length === 1, `expected one entry chunk, got ${chunks.join(', ')}`);
  const code = readFileSync(join(APP, 'dist/assets', chunks[0]), 'utf8');
  assert(code.includes(worklet), 'the entry chunk does not reference the worklet asset');
  assert(!code.includes('registerProcessor'), 'the worklet was bundled into the page chunk');
  assert(!code.includes('data:application/wasm'), 'a wasm was inlined as a data URL');
});

const webpackBuilt = await check('webpack (no config) emits the worklet and the wasm as assets', () => {
  needs(webpackInstalled, 'the webpack app install');
  rmSync(join(WEBPACK, 'dist'), { recursive: true, force: true });
  run(join(WEBPACK, 'node_modules/.bin/webpack'), ['--mode', 'production', '--no-stats'], WEBPACK);
  cpSync(join(WEBPACK, 'index.html'), join(WEBPACK, 'dist/index.html'));
  const files = readdirSync(join(WEBPACK, 'dist'));
  assert(files.filter((f) => f.endsWith('.wasm')).length === 1, `expected 1 wasm asset in ${files.join(', ')}`);
  // Asset names are content hashes; the worklet is the .js asset that registers a processor.
  const scripts = files.filter((f) => f.endsWith('.js') && f !== 'main.js');
  const worklets = scripts.filter((f) => readFileSync(join(WEBPACK, 'dist', f), 'utf8').includes('registerProcessor'));
  assert(worklets.length === 1, `expected one worklet asset among ${scripts.join(', ')}`);
  const code = readFileSync(join(WEBPACK, 'dist/main.js'), 'utf8');
  assert(code.includes(worklets[0]), 'main.js does not reference the worklet asset');
  assert(!code.includes('registerProcessor'), 'the worklet was bundled into main.js');
});

const rollupBuilt = await check(
  'Rollup (node-resolve + import-meta-assets) emits the worklet and the wasm as assets',
  () => {
    needs(rollupInstalled, 'the Rollup app install');
    rmSync(join(ROLLUP, 'dist'), { recursive: true, force: true });
    run(join(ROLLUP, 'node_modules/.bin/rollup'), ['-c', '--silent'], ROLLUP);
    cpSync(join(ROLLUP, 'index.html'), join(ROLLUP, 'dist/index.html'));
    const files = readdirSync(join(ROLLUP, 'dist'), { recursive: true }).map(String);
    assert(files.filter((f) => f.endsWith('.wasm')).length === 1, `expected 1 wasm asset in ${files.join(', ')}`);
    const worklets = files.filter(
      (f) =>
        f.endsWith('.js') &&
        f !== 'index.js' &&
        readFileSync(join(ROLLUP, 'dist', f), 'utf8').includes('registerProcessor'),
    );
    assert(worklets.length === 1, `expected one worklet asset among ${files.join(', ')}`);
    const code = readFileSync(join(ROLLUP, 'dist/index.js'), 'utf8');
    assert(!code.includes('registerProcessor'), 'the worklet was bundled into index.js');
  },
);

const libsBuilt = await check('vite build of the Tone.js and standardized-audio-context pages', () => {
  needs(libsInstalled, 'the Tone.js and standardized-audio-context app install');
  rmSync(join(LIBS, 'dist'), { recursive: true, force: true });
  // stream-wasm.html plays a FLAC of the pages' signal: made here, served from public/.
  mkdirSync(join(LIBS, 'public'), { recursive: true });
  writeFileSync(join(LIBS, 'public/signal.wav'), Buffer.from(streamSignal.wavBytes()));
  run('ffmpeg', ['-v', 'error', '-y', '-i', 'public/signal.wav', '-c:a', 'flac', 'public/signal.flac'], LIBS);
  rmSync(join(LIBS, 'public/signal.wav'));
  run(join(LIBS, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], LIBS);
  const files = readdirSync(join(LIBS, 'dist'), { recursive: true }).map(String);
  for (const page of ['tonejs.html', 'sac.html', 'stream.html', 'stream-wasm.html', 'signal.flac'])
    assert(files.includes(page), `no ${page} in ${files.join(', ')}`);
  // Vite bundled ringlet/stream's Worker with mediabunny: no bare import is left for the browser.
  const streamWorker = files.filter((f) => /ringlet-stream-worker.*\.js$/.test(f));
  assert(streamWorker.length === 1, `expected 1 stream worker asset in ${files.join(', ')}`);
  const workerCode = readFileSync(join(LIBS, 'dist', streamWorker[0]), 'utf8');
  assert(!/from\s*['"]mediabunny['"]/.test(workerCode), 'the stream worker still imports mediabunny by name');
  assert(/AudioSampleSink/.test(workerCode), 'the stream worker carries no mediabunny');
  // The app's own stream Worker (stream.worker.js): ringlet's, mediabunny and both decoders, bundled.
  const appWorker = files.filter((f) => /stream\.worker.*\.js$/.test(f));
  assert(appWorker.length === 1, `expected 1 app stream worker asset in ${files.join(', ')}`);
  const appWorkerCode = readFileSync(join(LIBS, 'dist', appWorker[0]), 'utf8');
  for (const bare of ['mediabunny', 'ringlet/stream-worker-wasm', '@wasm-audio-decoders/flac', 'mpg123-decoder'])
    assert(
      !appWorkerCode.includes(`"${bare}"`) && !appWorkerCode.includes(`'${bare}'`),
      `the app worker still imports ${bare} by name`,
    );
  assert(/AudioSampleSink/.test(appWorkerCode), 'the app stream worker carries no mediabunny');
  assert(files.filter((f) => f.endsWith('.wasm')).length === 1, `expected 1 wasm asset in ${files.join(', ')}`);
  // The main entry imports neither library (they are found by shape), nor mediabunny.
  const main = readFileSync(join(LIBS, 'node_modules/ringlet/dist/ringlet.js'), 'utf8');
  const imported = [...main.matchAll(/(?:^|[;}\s])(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)].map(
    (m) => m[1],
  );
  const dynamic = [...main.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  const libraries = [...imported, ...dynamic].filter((i) =>
    /^(tone|standardized-audio-context|mediabunny)(\/|$)/.test(i),
  );
  assert(libraries.length === 0, `dist/ringlet.js imports ${libraries.join(', ')}`);
  // The sac page does not carry Tone.js.
  const sacPage = readFileSync(join(LIBS, 'dist/sac.html'), 'utf8');
  const sacScripts = [...sacPage.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  assert(sacScripts.length > 0, `sac.html loads no script: ${sacPage}`);
  const sacCode = sacScripts.map((f) => readFileSync(join(LIBS, 'dist', f), 'utf8')).join('\n');
  assert(!/ToneAudioNode/.test(sacCode), `sac.html's scripts (${sacScripts.join(', ')}) include Tone.js`);
});

await check("README's Tone.js and ringlet/tone lines are the ones the Tone.js page runs", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /### With Tone\.js\n([\s\S]*?)\n## /.exec(readme)?.[1];
  assert(section, 'README has no "### With Tone.js" section');
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1].split('\n').filter((l) => l.trim()));
  const page = readFileSync(join(HERE, 'libs-app/tonejs.js'), 'utf8');
  const ran = (/** @type {string} */ marker) =>
    (new RegExp(`// ${marker}:begin\\n([\\s\\S]*?)// ${marker}:end`).exec(page)?.[1] ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const tone = blocks.find((b) => b.includes("import * as Tone from 'tone';"));
  const expected = ["import * as Tone from 'tone';", "import { RingletNode } from 'ringlet';", ...ran('readme')];
  assert(
    JSON.stringify(tone) === JSON.stringify(expected),
    `README's block:\n${tone?.join('\n')}\nthe page runs:\n${expected.join('\n')}`,
  );
  assert(expected.length === 6, `the Tone.js block has ${expected.length} lines`);
  const adapter = blocks.find((b) => b.includes("import { RingletToneNode } from 'ringlet/tone';"));
  const expectedAdapter = ["import { RingletToneNode } from 'ringlet/tone';", ...ran('readme-tone')];
  assert(
    JSON.stringify(adapter) === JSON.stringify(expectedAdapter),
    `README's ringlet/tone block:\n${adapter?.join('\n')}\nthe page runs:\n${expectedAdapter.join('\n')}`,
  );
});

// ---- the no-bundler page ---------------------------------------------------------------------

const inlineReady = await check('ringlet-inline.js from the tarball needs only ringlet.js beside it', () => {
  needs(installed, 'the Vite app install');
  rmSync(INLINE, { recursive: true, force: true });
  mkdirSync(INLINE, { recursive: true });
  cpSync(join(HERE, 'inline/index.html'), join(INLINE, 'index.html'));
  cpSync(join(HERE, 'tone.js'), join(INLINE, 'tone.js'));
  const code = readFileSync(join(APP, 'node_modules/ringlet/dist/ringlet-inline.js'), 'utf8');
  writeFileSync(join(INLINE, 'ringlet-inline.js'), code);
  cpSync(join(APP, 'node_modules/ringlet/dist/ringlet.js'), join(INLINE, 'ringlet.js'));
  assert(!/new URL\(/.test(code), 'ringlet-inline.js references asset files');
  assert(!/__RINGLET_EMBED_(WORKLET|WASM)__/.test(code), 'ringlet-inline.js has unfilled placeholders');
  const imports = [...code.matchAll(/(?:^|[;}\s])(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  assert(
    imports.length > 0 && imports.every((i) => i === './ringlet.js'),
    `ringlet-inline.js imports ${imports.join(', ')}`,
  );
});

const cdnReady = await check("the package's dist/ and a page that loads it from another origin", () => {
  needs(installed, 'the Vite app install');
  rmSync(CDN, { recursive: true, force: true });
  mkdirSync(join(CDN, 'page'), { recursive: true });
  cpSync(join(APP, 'node_modules/ringlet/dist'), join(CDN, 'dist'), { recursive: true });
  cpSync(join(HERE, 'cdn/index.html'), join(CDN, 'page/index.html'));
  cpSync(join(HERE, 'tone.js'), join(CDN, 'page/tone.js'));
});

// ---- in the browsers --------------------------------------------------------------

// Every engine RINGLET_BROWSERS selects (test/browser/engines.js; default
// all: Chromium, Firefox, WebKit with and without SharedArrayBuffer), each
// launched once through the browser tests' harness and shared by all its
// checks. WebKit runs on an Xvfb display and a pulseaudio null sink,
// started here as for Jest (test/browser/daemons.js).
const engines = selectedEngines();

/**
 * What a page gets in an engine: the transport ringlet picks ('shared' where
 * the page has shared memory: cross-origin isolated and SharedArrayBuffer)
 * and the words the check's name uses for it.
 * @param {import('../browser/engines.js').Engine} engine
 * @param {boolean} isolate
 */
function modeOf(engine, isolate) {
  const transport = isolate && engine.sharedArrayBuffer ? 'shared' : 'message';
  let why = isolate ? 'cross-origin isolated' : 'not isolated';
  // WebKitGTK without JSC_useSharedArrayBuffer stands for Safari without it: an isolated page still has no SAB.
  if (isolate && !engine.sharedArrayBuffer) why += ', no SharedArrayBuffer';
  // With it, every page has SharedArrayBuffer; ringlet shares memory only on isolated pages.
  if (!isolate && engine.sharedArrayBufferEverywhere) why += ', though SharedArrayBuffer exists';
  return { transport, label: `the ${transport} transport (${why})` };
}

/** How long one in-browser check may take before the engine counts as hung (a hung check stops its engine). */
const CHECK_MS = 60000;

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
async function within(promise, ms, what) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An engine launched for this stage. `broken` says why its checks cannot
 * run (it failed to launch, or an earlier check hung it).
 * @typedef {{
 *   engine: import('../browser/engines.js').Engine,
 *   session: Awaited<ReturnType<typeof launchEngine>> | null,
 *   broken: string | null,
 * }} Browser
 */

/**
 * Serves `root`, opens it in a new tab of `browser`, plays the tone, and
 * checks what the meters and the analyser report.
 * @param {Browser} browser
 * @param {string} root
 * @param {boolean} isolate
 * @param {{ render?: boolean, path?: string }} [options] render: also render offline on the WorkerPool
 *   (needs ringlet-worker.js served); path: the page's path and query
 */
async function playIn(browser, root, isolate, { render = true, path = '/' } = {}) {
  needs(!browser.broken, browser.broken ?? '');
  const session = /** @type {NonNullable<Browser['session']>} */ (browser.session);
  const { transport } = modeOf(browser.engine, isolate);
  // WebKit's driver has no error hook: the server puts the harness's recorder in the page.
  const server = await serve({ root, isolate, prelude: session.prelude });
  const errors = session.errors;
  errors.length = 0;
  /** @type {import('../browser/page.js').Page | null} */
  let page = null;
  const play = async () => {
    page = await session.newPage();
    await page.goto(`${server.url}${path}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, {
      timeout: 10000,
    });
    const r = await page.evaluate(() => /** @type {any} */ (window).ringlet.playTone());
    const rendered = render ? await page.evaluate(() => /** @type {any} */ (window).ringlet.renderTone()) : null;
    await page.flushErrors();
    return { r, rendered };
  };
  try {
    let played;
    try {
      played = await within(play(), CHECK_MS, `${browser.engine.label}`);
    } catch (error) {
      if (/no answer within/.test(String(error))) {
        browser.broken = `${browser.engine.label} hung on an earlier check`;
        await within(session.close(), 10000, 'closing it').catch(() => {});
        page = null;
      }
      throw error;
    }
    const { r, rendered } = played;
    assert(r.crossOriginIsolated === isolate, `crossOriginIsolated is ${r.crossOriginIsolated}`);
    assert(r.transport === transport, `transport ${r.transport}, expected ${transport}`);
    assert(r.isAudioWorkletNode, 'the node is not an AudioWorkletNode');
    assert(r.written.status === 'ready' && r.written.frames === 122880, `write: ${JSON.stringify(r.written)}`);
    assert(Math.abs(r.peak - 0.5) < 0.01, `meters peak ${r.peak}, expected 0.5`);
    assert(
      Math.abs(20 * Math.log10(r.rms / (0.5 / Math.SQRT2))) < 0.1,
      `meters rms ${r.rms}, expected ${0.5 / Math.SQRT2}`,
    );
    assert(r.clips === 0, `clips ${r.clips}`);
    assert(
      r.peakBin === r.expectedBin && r.expectedBin === 64,
      `analyser peak bin ${r.peakBin}, expected ${r.expectedBin}`,
    );
    assert(Math.abs(r.outPeak - 0.5) < 0.01, `rendered peak ${r.outPeak}`);
    assert(r.stats.underruns === 0, `underruns ${r.stats.underruns}`);
    if (rendered) {
      assert(
        rendered.frames === 24000 && rendered.worst < 1e-6,
        `renderOffline in the built app: ${JSON.stringify(rendered)}`,
      );
    }
    assert(errors.length === 0, `page errors: ${errors.join(' | ')}`);
    return { requests: server.requests, result: r };
  } finally {
    const opened = /** @type {import('../browser/page.js').Page | null} */ (page);
    if (opened) await within(opened.close(), 10000, 'closing the page').catch(() => {});
    await server.close();
  }
}

/**
 * Serves the libs app, opens `page` in a new tab of `browser`, and resolves
 * with what its window.ringlet.run(seed) returns.
 * @param {Browser} browser
 * @param {boolean} isolate
 * @param {string} page
 * @param {number} seed
 */
async function runLibsPage(browser, isolate, page, seed) {
  needs(!browser.broken, browser.broken ?? '');
  const session = /** @type {NonNullable<Browser['session']>} */ (browser.session);
  const server = await serve({ root: join(LIBS, 'dist'), isolate, prelude: session.prelude });
  const errors = session.errors;
  errors.length = 0;
  /** @type {import('../browser/page.js').Page | null} */
  let tab = null;
  try {
    const play = async () => {
      tab = await session.newPage();
      await tab.goto(`${server.url}/${page}`);
      await tab.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, {
        timeout: 10000,
      });
      const r = await tab.evaluate((s) => /** @type {any} */ (window).ringlet.run(s), seed);
      await tab.flushErrors();
      return r;
    };
    let r;
    try {
      r = await within(play(), CHECK_MS, `${browser.engine.label}`);
    } catch (error) {
      if (/no answer within/.test(String(error))) {
        // A page that still answers says where it waits (pages that set ringletStage).
        const opened = /** @type {import('../browser/page.js').Page | null} */ (tab);
        const where = opened
          ? await within(
              opened.evaluate(() => String(/** @type {any} */ (window).ringletStage ?? 'no stage')),
              5000,
              'asking the page',
            ).catch((e) => String(e))
          : 'no page';
        browser.broken = `${browser.engine.label} hung on an earlier check`;
        await within(session.close(), 10000, 'closing it').catch(() => {});
        tab = null;
        throw new Error(`${String(error)}; the page: ${where}`, { cause: error });
      }
      throw error;
    }
    assert(errors.length === 0, `page errors: ${errors.join(' | ')}`);
    return r;
  } finally {
    const opened = /** @type {import('../browser/page.js').Page | null} */ (tab);
    if (opened) await within(opened.close(), 10000, 'closing the page').catch(() => {});
    await server.close();
  }
}

/**
 * What both library pages' offline render must hold: the effect's 1500 Hz
 * at 0.5 until its gain goes to 0 at 1.5 s, the source's 3000 Hz at 0.25.
 * @param {any} o
 * @param {string} transport
 */
function judgeLibraryRender(o, transport) {
  const text = JSON.stringify(o);
  assert(o.transport === transport, `transport ${o.transport}, expected ${transport}`);
  assert(o.isRingletNode === true, `instanceof RingletNode fails: ${text}`);
  assert(o.isNativeNode === false, `the node is the native AudioWorkletNode, not the library's: ${text}`);
  assert(o.frames === 96000, `rendered ${o.frames} frames`);
  assert(o.written?.status === 'ready' && o.written.frames === 96000, `source write: ${JSON.stringify(o.written)}`);
  assert(Math.abs(o.effectOn - 0.5) < 0.005, `the effect's tone at ${o.effectOn}, expected 0.5: ${text}`);
  assert(o.effectOff < 1e-4, `the effect's tone after its gain went to 0 at ${o.effectOff}: ${text}`);
  assert(Math.abs(o.source - 0.25) < 0.0025, `the source node's tone at ${o.source}, expected 0.25: ${text}`);
  assert(Math.abs(o.sourceLate - 0.25) < 0.0025, `the source node's tone after 1.6 s at ${o.sourceLate}: ${text}`);
  assert(o.underruns === 0, `underruns ${o.underruns}`);
}

/**
 * A realtime effect node's meters, analyser, reset() and dispose().
 * @param {any} r
 * @param {string} transport
 */
function judgeRealtime(r, transport) {
  const text = JSON.stringify(r);
  // The engine renders (what follows is about ringlet, not the engine).
  assert(r.clock?.running === true, `the context's clock stands still: ${text}`);
  assert(r.transport === transport, `realtime transport ${r.transport}, expected ${transport}`);
  assert(r.before && Math.abs(r.peak - 0.5) < 0.005, `realtime meters peak ${r.peak}, expected 0.5: ${text}`);
  assert(r.peakBin === r.expectedBin, `realtime analyser peak bin ${r.peakBin}, expected ${r.expectedBin}`);
  assert(r.afterReset && r.stateAfterReset === 'running', `after reset(): ${text}`);
  assert(r.stateAfterDispose === 'disposed', `after dispose(): ${text}`);
}

/** The display and audio daemons WebKit needs, when it is selected and none run yet. */
const daemons =
  engines.some((e) => e.family === 'webkit') && !process.env.RINGLET_DISPLAY ? await startDaemons() : null;
if (daemons) {
  process.env.RINGLET_DISPLAY = daemons.display;
  process.env.RINGLET_PULSE_SERVER = daemons.pulseServer;
}
// The page's origin serves only the page; the 'CDN' (another port, so
// another origin) sends CORS and CORP cross-origin, as public CDNs do.
// renderOffline must start its Workers from there too.
const cdn = cdnReady ? await serve({ root: join(CDN, 'dist'), isolate: false, cors: true }) : null;
const anyBuilt = built || webpackBuilt || rollupBuilt || libsBuilt || inlineReady || cdnReady;

try {
  for (const engine of engines) {
    /** @type {Browser} */
    const browser = { engine, session: null, broken: null };
    if (anyBuilt) {
      try {
        browser.session = await within(launchEngine(engine), 60000, `launching ${engine.label}`);
      } catch (error) {
        browser.broken = `launching ${engine.label} (${String(error).split('\n')[0]})`;
      }
    } else browser.broken = 'every build';
    const tag = `[${engine.id}]`;
    try {
      for (const isolate of [true, false]) {
        const { transport, label } = modeOf(engine, isolate);
        await check(`${tag} the built Vite app plays a tone on ${label} and renders offline`, async () => {
          needs(built, 'the Vite build');
          const { requests } = await playIn(browser, join(APP, 'dist'), isolate);
          const wasm = requests.filter((p) => p.endsWith('.wasm'));
          // One emitted wasm, fetched by the page and by the render workers; the
          // 'message' transport uses the same file and makes its memory import private.
          assert(new Set(wasm).size === 1 && /\/assets\/ringlet-[\w-]+\.wasm$/.test(wasm[0]), `wasm requests: ${wasm}`);
          assert(
            requests.some((p) => /\/assets\/ringlet-worklet-[\w-]+\.js$/.test(p)),
            `no worklet request (${transport}): ${requests}`,
          );
        });
      }

      for (const isolate of [true, false]) {
        await check(
          `${tag} the built webpack app plays a tone on ${modeOf(engine, isolate).label} and renders offline`,
          async () => {
            needs(webpackBuilt, 'the webpack build');
            const { requests } = await playIn(browser, join(WEBPACK, 'dist'), isolate);
            const wasm = requests.filter((p) => p.endsWith('.wasm'));
            assert(new Set(wasm).size === 1, `wasm requests: ${wasm}`);
          },
        );
      }

      for (const isolate of [true, false]) {
        await check(
          `${tag} the built Rollup app plays a tone on ${modeOf(engine, isolate).label} and renders offline`,
          async () => {
            needs(rollupBuilt, 'the Rollup build');
            const { requests } = await playIn(browser, join(ROLLUP, 'dist'), isolate);
            const wasm = requests.filter((p) => p.endsWith('.wasm'));
            assert(new Set(wasm).size === 1, `wasm requests: ${wasm}`);
          },
        );
      }

      for (const isolate of [true, false]) {
        const { transport, label } = modeOf(engine, isolate);
        await check(
          `${tag} in a Tone.js patch on ${label}: Tone.Offline renders a Tone.Oscillator through a ringlet effect and a source node into Tone.Gain, sample-identical to a native OfflineAudioContext; realtime meters, analyser, reset and dispose`,
          async () => {
            needs(libsBuilt, 'the Tone.js and standardized-audio-context build');
            const seed = Number(process.env.RINGLET_SEED ?? Date.now() % 1000000);
            const r = await runLibsPage(browser, isolate, 'tonejs.html', seed);
            judgeLibraryRender(r.offline, transport);
            assert(
              r.offline.isToneNode === true && r.offline.disposed === true,
              `ringlet/tone's node: ${JSON.stringify(r.offline)}`,
            );
            const id = r.identity;
            assert(
              id.frames === 48000 && id.level > 0.1 && id.mismatches === 0,
              `Tone.Offline vs a native OfflineAudioContext (seed ${seed}; RINGLET_SEED=${seed} repeats it): ${JSON.stringify(id)}`,
            );
            judgeRealtime(r.realtime, transport);
            assert(r.realtime.readmePeak > 0.05, `the README's lines played at peak ${r.realtime.readmePeak}`);
            assert(
              r.realtime.readmeTonePeak > 0.05 && r.realtime.readmeToneDisposed,
              `the README's ringlet/tone lines: peak ${r.realtime.readmeTonePeak}, disposed ${r.realtime.readmeToneDisposed}`,
            );
            assert(
              r.refusal?.name === 'TypeError' && /Tone\.js Context/.test(r.refusal.message),
              `a Tone-shaped object without a usable rawContext: ${JSON.stringify(r.refusal)}`,
            );
          },
        );
        await check(
          `${tag} in a standardized-audio-context graph (no Tone.js) on ${label}: its nodes into and out of a ringlet effect and a source node, offline and realtime`,
          async () => {
            needs(libsBuilt, 'the Tone.js and standardized-audio-context build');
            const r = await runLibsPage(browser, isolate, 'sac.html', 0);
            judgeLibraryRender(r.offline, transport);
            assert(
              r.offline.isLibraryNode === true,
              `not the library's AudioWorkletNode: ${JSON.stringify(r.offline)}`,
            );
            judgeRealtime(r.realtime, transport);
            const { noClass, badClass, notAContext } = r.refusals;
            assert(
              noClass?.name === 'TypeError' && /options\.AudioWorkletNode/.test(noClass.message),
              `a sac context without options.AudioWorkletNode: ${JSON.stringify(noClass)}`,
            );
            assert(
              badClass?.name === 'TypeError' && /options\.AudioWorkletNode must be/.test(badClass.message),
              `options.AudioWorkletNode a string: ${JSON.stringify(badClass)}`,
            );
            assert(
              notAContext?.name === 'TypeError' && /got Object/.test(notAContext.message),
              `a plain object: ${JSON.stringify(notAContext)}`,
            );
          },
        );
      }

      // The stream pages: ringlet/stream's own Worker on a WAV, and an app's
      // Worker of ringlet/stream-worker-wasm on a FLAC; both must play the
      // pages' signal sample for sample.
      const streamPages = [
        {
          page: 'stream.html',
          codec: 'pcm-s16',
          what: 'ringlet/stream in the Vite build on %s: its Worker, bundled with mediabunny, plays a WAV sample for sample',
        },
        {
          page: 'stream-wasm.html',
          codec: 'flac',
          what: "ringlet/stream-worker-wasm in the Vite build on %s: the app's own stream Worker, bundled with mediabunny and the WebAssembly decoders, plays a FLAC bit-exact",
        },
      ];
      for (const { page, codec, what } of streamPages) {
        for (const isolate of [true, false]) {
          const { transport, label } = modeOf(engine, isolate);
          await check(`${tag} ${what.replace('%s', label)}`, async () => {
            needs(libsBuilt, 'the Tone.js and standardized-audio-context build');
            const r = await runLibsPage(browser, isolate, page, 0);
            const text = JSON.stringify(r);
            assert(r.transport === transport, `transport ${r.transport}, expected ${transport}`);
            assert(r.codec === codec && r.duration === 1, `info: ${text}`);
            assert(r.ended === true && r.frames === 48000 && r.mismatches === 0, `played: ${text}`);
            assert(r.position === 48000, `position: ${text}`);
            // The stream keeps the node fed: the silent frames are filtered out
            // above, so a writer that starves (one that waited on the animation
            // frame's snapshot took 5 s to play this 1 s file in headless
            // WebKit) would still pass sample for sample. The bound is the
            // file's own length in gaps, as in the stream tests (a loaded
            // WebKit there underran for 0.66 s of a 1 s file).
            assert(r.underruns * 128 < 48000, `underruns: ${text}`);
          });
        }
      }

      for (const isolate of [true, false]) {
        await check(
          `${tag} ringlet-inline.js without a bundler plays a tone on ${modeOf(engine, isolate).label}`,
          async () => {
            needs(inlineReady, 'the inline page setup');
            // renderOffline's worker is not embedded (a Worker loads its module by URL).
            const { requests } = await playIn(browser, INLINE, isolate, { render: false });
            const extra = requests.filter((p) => !['/', '/ringlet-inline.js', '/ringlet.js', '/tone.js'].includes(p));
            assert(
              extra.length === 0,
              `fetched more than the page, ringlet-inline.js and ringlet.js: ${extra.join(', ')}`,
            );
          },
        );
      }

      for (const entry of ['ringlet.js', 'ringlet-inline.js']) {
        for (const isolate of [true, false]) {
          await check(
            `${tag} ${entry} loaded from another origin (a CDN) plays a tone on ${modeOf(engine, isolate).label} and renders offline`,
            async () => {
              needs(cdn, 'the CDN page setup');
              cdn.requests.length = 0;
              const { requests } = await playIn(browser, join(CDN, 'page'), isolate, {
                path: `/?cdn=${encodeURIComponent(cdn.url)}&entry=${entry}`,
              });
              const local = requests.filter((p) => !['/', '/tone.js'].includes(p));
              assert(local.length === 0, `the page's origin was asked for ${local.join(', ')}`);
              const fromCdn = [...new Set(cdn.requests)].sort();
              const expected = (
                entry === 'ringlet.js'
                  ? ['/ringlet.js', '/ringlet.wasm', '/ringlet-worklet.js', '/ringlet-worker.js']
                  : ['/ringlet-inline.js', '/ringlet.js', '/ringlet-worker.js']
              ).sort();
              assert(
                JSON.stringify(fromCdn) === JSON.stringify(expected),
                `the CDN served ${fromCdn.join(', ')}; expected ${expected.join(', ')}`,
              );
            },
          );
        }
      }
    } finally {
      if (browser.session && !browser.broken) await within(browser.session.close(), 30000, 'closing').catch(() => {});
    }
  }
} finally {
  await cdn?.close();
  await daemons?.stop();
}

// ---- TypeScript -------------------------------------------------------------------

for (const moduleResolution of ['bundler', 'nodenext']) {
  await check(
    `TypeScript (strict, moduleResolution ${moduleResolution}) compiles against the published types; type tests hold`,
    () => {
      needs(installed, 'the Vite app install');
      rmSync(TYPES, { recursive: true, force: true });
      cpSync(join(ROOT, 'test/types'), TYPES, {
        recursive: true,
        filter: (src) => statSync(src).isDirectory() || src.endsWith('.ts'),
      });
      // The declared value exports are exactly the ones the bundles have.
      assert(runtimeExports, 'no runtime exports to compare with');
      const union = (/** @type {string[]} */ keys) => keys.map((k) => `'${k}'`).join(' | ');
      writeFileSync(
        join(TYPES, 'runtime-exports.ts'),
        [
          '// Written by test/consumer/run.mjs from what the installed bundles export.',
          "import * as main from 'ringlet';",
          "import * as worker from 'ringlet/worker';",
          "import { expectType, type Equal } from './assert.js';",
          `expectType<Equal<keyof typeof main, ${union(runtimeExports.main)}>>(true);`,
          `expectType<Equal<keyof typeof worker, ${union(runtimeExports.worker)}>>(true);`,
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(TYPES, 'tsconfig.json'),
        JSON.stringify(
          {
            compilerOptions: {
              target: 'ES2022',
              module: moduleResolution === 'bundler' ? 'ESNext' : 'NodeNext',
              moduleResolution,
              lib: ['ES2022', 'DOM', 'DOM.Iterable'],
              strict: true,
              noEmit: true,
              noUnusedLocals: false,
              skipLibCheck: false,
              types: [],
            },
            include: ['*.ts'],
          },
          null,
          2,
        ),
      );
      const r = spawnSync('node', [TSC, '-p', join(TYPES, 'tsconfig.json')], { cwd: TYPES, encoding: 'utf8' });
      assert(r.status === 0, `tsc found errors:\n${(r.stdout + r.stderr).replaceAll(`${TYPES}/`, 'test/types/')}`);
    },
  );
}

console.log(`\nconsumer: ${passed} passed, ${failed} failed`);
if (failures.length) console.log(`failed: ${failures.join(', ')}`);
process.exit(failed > 0 ? 1 : 0);
