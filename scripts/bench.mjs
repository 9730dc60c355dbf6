// `npm run bench`: runs ringlet's benchmarks and writes BENCHMARKS.md.
//
// Builds first if dist/ or build/wasm/ringlet.wasm is missing, then runs, one
// after the other so they do not compete for the CPU:
//   node test/bench/ring.bench.js                                    throughput
//   node --expose-gc test/bench/gc.bench.js                          allocation
//   node --expose-gc --max-semi-space-size=1 test/bench/gc.bench.js  the same,
//     with a 1 MiB young generation so even one small object per quantum
//     shows up as GC events
//   node test/bench/chain.bench.js       the processing chain per quantum,
//     native (it builds build/bench/chain_native with CMake, clang, Release)
//     and wasm in Node, plus the analyser's main-thread FFT
//   node test/bench/chain.browser.js     the chain in headless Chromium, and
//     against the equivalent built-in node graph
//   node test/bench/resampler.bench.js   the resampler's cost per quantum,
//     native (build/bench/resampler_native) and wasm in Node, against a
//     source node's chain; its quality beside `sox -v`
//   node test/bench/resampler.browser.js Chromium's decodeAudioData and
//     AudioBufferSourceNode resampling, through the same measures
//   node test/bench/transport.browser.js shared ring vs message port
//   then, once per engine RINGLET_BROWSERS selects (chromium, firefox,
//   webkit-shared, webkit-message; default all), with RINGLET_ENGINE=<id>:
//     test/bench/chain.browser.js (Chromium's run is the one above) for
//     the chain against that engine's built-in node graph,
//     test/bench/transport.browser.js (likewise) for the producer cost per
//     transport, and test/bench/dsp.browser.js for ringlet's EQ and
//     analyser against the engine's BiquadFilterNode and AnalyserNode and
//     the spec's formulas; WebKit's Xvfb and pulseaudio are started once
//     for these (test/browser/daemons.js) and stopped after
//   node test/bench/latency.browser.js   a written frame to that frame at the
//     output (source -> capture), offline and realtime
//   POOL_BENCH_TRIALS=5 node test/bench/pool.browser.js  WorkerPool vs workerpool
//   node test/bench/underrun.browser.js  the stream player's underruns under load
//   then, once per engine with SharedArrayBuffer (chromium, firefox,
//     webkit-shared, as RINGLET_BROWSERS selects), with RINGLET_ENGINE=<id>:
//     test/bench/decode.browser.js, ringlet/stream's decode throughput per
//     format and the page's heap while a long file streams
//   node test/bench/player.browser.js    examples/player with a one-hour file:
//     memory of the page and its Workers, and the UI's frame rate
//   node scripts/sizes.mjs               tarball, wasm and bundle sizes
// Each bench prints a human table and, on its last line, a JSON summary; this
// script collects the summaries and rewrites BENCHMARKS.md, keeping whatever
// sits between <!-- manual --> and <!-- /manual --> (figures recorded by
// hand, such as the 600 s soak). Figures are measurements, never pass/fail: the exit
// code is non-zero only if a bench could not run or its own checks failed.
//
// `node scripts/bench.mjs --only chain` runs only test/bench/chain.bench.js and
// test/bench/chain.browser.js and replaces the chain's two sections;
// `node scripts/bench.mjs --only resampler` runs only the two resampler
// benches and replaces (or adds) their section in BENCHMARKS.md, leaving the
// rest of the file as it was; the section says when and on which commit it
// was measured. `--only engines` does the same for the per-engine benches
// (RL_CHAIN_BROWSER_ROUNDS and RL_CHAIN_BROWSER_SECONDS shorten the chain
// bench; the section names the knobs it ran with), `--only decode` for the
// stream's decode throughput, `--only player` for the player with a one-hour
// file (memory and frame rate), and `--only sizes` for the package sizes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startDaemons } from '../test/browser/daemons.js';
import { selectedEngines } from '../test/browser/engines.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}BENCHMARKS.md`;
const MANUAL_OPEN = '<!-- manual -->';
const MANUAL_CLOSE = '<!-- /manual -->';

function ensureBuilt() {
  if (existsSync(`${ROOT}dist`) && existsSync(`${ROOT}build/wasm/ringlet.wasm`)) return;
  console.log('bench: dist/ or build/wasm/ringlet.wasm is missing; running npm run build');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
}

/**
 * The wasm the benches load, and the core sources edited after it was built
 * (the figures would then describe an older core). Never rebuilds on its own:
 * other work may be building at the same time.
 */
function coreBuild() {
  const wasm = `${ROOT}build/wasm/ringlet.wasm`;
  const built = statSync(wasm).mtimeMs;
  /** @type {string[]} */
  const newer = [];
  const walk = (dir) => {
    for (const e of readdirSync(`${ROOT}${dir}`, { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (/\.[ch]$/.test(e.name) && statSync(`${ROOT}${rel}`).mtimeMs > built) newer.push(rel);
    }
  };
  walk('csrc');
  return { built: new Date(built).toISOString(), newer };
}

/**
 * Runs one bench, echoing its output, and returns the JSON on its last line
 * (a `name: ` prefix before the JSON, as scripts/sizes.mjs prints, is allowed).
 * @param {string[]} args node arguments
 * @param {Record<string, string>} [env] extra environment variables, shown in the command
 * @param {Record<string, string>} [fullEnv] the same plus any not worth showing
 */
function runBench(args, env = {}, fullEnv = env) {
  const prefix = Object.entries(env)
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const command = `${prefix}node ${args.join(' ')}`;
  console.log(`\n$ ${command}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...fullEnv },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = (out.trimEnd().split('\n').pop() ?? '').replace(/^[a-z]+: (?=\{)/, '');
      let summary;
      try {
        summary = JSON.parse(last);
      } catch {
        reject(new Error(`${command} exited ${code} without a JSON summary on its last line`));
        return;
      }
      resolve({ summary, code, command });
    });
  });
}

function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // Not Linux: os.cpus() has it.
  }
  let commit = 'unknown';
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (git.status === 0) commit = git.stdout.trim();
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    commit,
  };
}

const f = (x, d = 1) => Number(x).toFixed(d);
const status = (met) => (met ? 'met' : '**not met**');

/** @param {any} ring */
function ringSection(ring) {
  const c = ring.config;
  const r = ring.results;
  const rows = [
    [
      'ringletPlanar',
      '(a) ringlet: `RingWriter.tryWrite(interleaved)` + wasm `rlw_ring_read_planar` (what the worklet does)',
    ],
    ['ringletInterleaved', '(a, reference) ringlet: `tryWrite(interleaved)` + wasm `rlw_ring_read` (interleaved)'],
    ['ringletPlanarInput', '(d) ringlet: `tryWrite([left, right])` + wasm `rlw_ring_read_planar`'],
    ['ringbuf', '(b) ringbuf.js 0.4: `AudioWriter.enqueue` + `AudioReader.dequeue` (interleaved)'],
    ['ringbufDeinterleave', '(b, reference) ringbuf.js 0.4: `enqueue` + `dequeue` + `deinterleave()` to planar'],
    ['raw', '(c) raw: `set()` into a SharedArrayBuffer view + `set()` out to a private array'],
  ];
  const lines = [
    '## Ring throughput: one 128-frame stereo quantum',
    '',
    `Command: \`node test/bench/ring.bench.js\`. One process, one thread: producer and consumer alternate once per quantum ` +
      `(256 interleaved floats), so this is the cost of the code paths, not of cross-core traffic. Rings hold ` +
      `${c.capacityFrames} stereo frames (ringbuf.js: ${c.capacityFrames * 2} samples). Variants run interleaved ` +
      `(A, B, C, ..., A, B, C, ...) after ${c.warmupQuanta.toLocaleString('en')} warm-up quanta each; ` +
      `${c.trials} trials x ${c.quantaPerTrial.toLocaleString('en')} quanta = ` +
      `${c.totalQuantaPerVariant.toLocaleString('en')} quanta per variant. Figures are medians over trials; ` +
      `ratios are medians of per-trial ratios (both figures of a trial ran back to back). ` +
      `The budget column is the share of one quantum's real time at 48 kHz (${f(c.quantumBudgetNs / 1e6, 3)} ms).`,
    '',
    '| variant | ns/quantum (median) | p25 – p75 | M frames/s | % of budget |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [key, label] of rows) {
    const x = r[key];
    if (!x) continue;
    lines.push(
      `| ${label} | ${f(x.nsPerQuantum)} | ${f(x.nsP25)} – ${f(x.nsP75)} | ${f(x.mFramesPerSecond, 0)} | ${f(x.budgetPercent, 4)} % |`,
    );
  }
  const q = ring.ratios;
  const ratioRows = [
    ['ringbufOverRinglet', 'ringbuf.js / ringlet (b / a)'],
    ['ringletOverRaw', 'ringlet / raw (a / c)'],
    ['ringbufDeinterleaveOverRinglet', 'ringbuf.js + deinterleave / ringlet (planar output on both sides)'],
    ['ringletInterleavedOverRaw', 'ringlet interleaved read / raw'],
    ['ringletPlanarInputOverRaw', 'ringlet planar input / raw (d / c)'],
    ['ringletPlanarInputOverRinglet', 'ringlet planar input / interleaved input (d / a)'],
    ['ringbufOverRaw', 'ringbuf.js / raw (b / c)'],
  ];
  lines.push('', '| ratio | value | per-trial range | target | status |', '| --- | ---: | ---: | :---: | :---: |');
  for (const [key, label] of ratioRows) {
    const x = q[key];
    if (!x) continue;
    const target = x.target ? `${x.target.op === '>=' ? '≥' : '≤'} ${x.target.value}x` : '–';
    lines.push(
      `| ${label} | ${f(x.value, 2)}x | ${f(x.min, 2)} – ${f(x.max, 2)} | ${target} | ${x.target ? status(x.met) : 'reference'} |`,
    );
  }
  return lines;
}

/** @param {{ summary: any, command: string }[]} gcRuns */
function gcSection(gcRuns) {
  const rows = [
    ['control-empty', 'control: empty loop (heap-reading noise floor)', 'noise'],
    ['control-arrays', 'control: `new Array(64)` per iteration', 'control'],
    ['control-small', 'control: one `{ status, frames }` object per iteration', 'control'],
    ['source', 'source: `RingWriter.tryWrite(interleaved)` + `process()`', 'target'],
    ['source-planar', 'source: `RingWriter.tryWrite([left, right])` (planar input) + `process()`', 'target'],
    ['effect', 'effect: `process()`', 'target'],
    ['capture-process', 'capture: `process()` alone (ring drained by a raw read-index store)', 'target'],
    ['capture-reader', 'capture: `process()` + `RingReader.tryRead()` (the reader, for reference)', 'reference'],
  ];
  const first = gcRuns[0].summary;
  const lines = [
    "## Allocation in the worklet's `process()`",
    '',
    `Commands: ${gcRuns.map((g) => `\`${g.command}\``).join(' and ')}. worklet/processor.js runs in a Node ` +
      `AudioWorkletGlobalScope shim on a memory sized the way lib/node/node.js sizes it (${first.config.channels} channels, ` +
      `${first.config.capacityFrames}-frame ring). Each loop is warmed up (${first.config.warmupQuanta.toLocaleString('en')} quanta), ` +
      `then runs ${first.config.quanta.toLocaleString('en')} quanta while a PerformanceObserver counts \`gc\` entries. ` +
      `A loop is allocation-free when it caused no GC event and the heap grew by less than ` +
      `${first.config.minObjectBytes} bytes per quantum (the smallest V8 object). The second run shrinks the young ` +
      'generation to 1 MiB so that even one small object per quantum costs GC events; with the default young ' +
      'generation, 100,000 such objects can fit without a single scavenge (see the small control).',
    '',
  ];
  const head = ['loop'];
  for (const g of gcRuns) {
    const semi = g.summary.config.execArgv.find((a) => a.startsWith('--max-semi-space-size'));
    const tag = semi ? semi.replace('--max-', '') : 'default';
    head.push(`GC events (${tag})`, `heap B/quantum (${tag})`);
  }
  head.push('target', 'status');
  lines.push(
    `| ${head.join(' | ')} |`,
    `| --- | ${head
      .slice(1, -2)
      .map(() => '---:')
      .join(' | ')} | :---: | :---: |`,
  );
  for (const [key, label, kind] of rows) {
    const cells = [label];
    const all = gcRuns.map((g) => g.summary.results[key]);
    if (all.some((x) => !x)) continue;
    for (const x of all) cells.push(String(x.gcEvents), f(x.heapBytesPerQuantum, 1));
    if (kind === 'target') {
      cells.push('0 GC events, < 16 B/quantum', status(all.every((x) => x.met)));
    } else if (kind === 'control') {
      cells.push('allocation seen', all.every((x) => x.allocates) ? 'seen' : '**not seen**');
    } else if (kind === 'noise') {
      cells.push('–', all.some((x) => x.allocates) ? '**noisy**' : 'quiet');
    } else {
      cells.push('–', all.some((x) => x.allocates) ? 'allocates' : 'allocation-free');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const problems = gcRuns.flatMap((g) => g.summary.problems.map((p) => `${g.command}: ${p}`));
  if (problems.length > 0) {
    lines.push(
      '',
      '**Harness problems** (the figures above are not trustworthy):',
      '',
      ...problems.map((p) => `- ${p}`),
    );
  }
  return lines;
}

/**
 * Like runBench, but a bench that cannot run at all (no JSON summary, e.g. no
 * Chromium) is reported in its section instead of stopping the others.
 * @param {string[]} args
 * @param {Record<string, string>} [env] extra environment variables, shown in the command
 * @param {Record<string, string>} [fullEnv] the same plus any not worth showing (daemon addresses)
 */
async function runOptional(args, env = {}, fullEnv = env) {
  try {
    return await runBench(args, env, fullEnv);
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    const prefix = Object.entries(env)
      .map(([k, v]) => `${k}=${v} `)
      .join('');
    return {
      summary: null,
      code: 1,
      command: `${prefix}node ${args.join(' ')}`,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

const NATIVE_BUILD =
  'cmake -S . -B build/bench -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON && ' +
  'cmake --build build/bench --target chain_native';

/** @param {number} ns */
const us = (ns) => `${f(ns / 1000, 2)} µs`;

/** @param {number[] | undefined} load */
const loadText = (load) => (load ? load.map((x) => f(x, 2)).join(' / ') : '?');

/**
 * @param {{ summary: any, command: string, error?: string }} chainRun
 * @param {{ summary: any, command: string, error?: string }} browserRun
 */
function chainSection(chainRun, browserRun) {
  const c = chainRun.summary;
  const b = browserRun.summary;
  const lines = [
    CHAIN_HEADING,
    '',
    `Commands: \`${chainRun.command}\` (it first builds the native bench: \`${NATIVE_BUILD}\`) and \`${browserRun.command}\`. ` +
      'The chain of an effect node (csrc/node.c) on a 128-frame stereo quantum at 48 kHz: input → non-finite scrub → ' +
      "gain → 8-band EQ → limiter → meters → analyser time buffer → output. **The analyser's FFT is not on the audio " +
      'thread**: lib/node/analyser.js runs it on the main thread when the UI calls `getFloatFrequencyData`, so the chain ' +
      "includes only the analyser's time-buffer copy (a mono down-mix into a 65,536-sample ring); the FFT is measured " +
      'separately below.',
    '',
    'Signal (test/bench/chain-common.js; chain.native.c makes the same one): a 10 s stereo loop, 11 partials of a chord ' +
      '(55 Hz – 5.3 kHz) under a slow swell plus low-passed and white noise at −12 dBFS RMS, and a drum-like hit ' +
      '(decaying 90 Hz burst plus a click, peaking near 0.9) every 2.5 s, so the limiter works sometimes. Gain 0.9 (a ' +
      'settled gain of exactly 1 is a free shortcut). **8 active bands**: peaking at 60·2^k Hz, Q 1.4, gains ' +
      '+6, −4, +3, −6, +5, −3, +9, −7 dB. **Flat bands**: the default node (bands at 0 dB, which the core skips, so ' +
      'this flatters the EQ). **Bypassed**: EQ and limiter bypassed, gain 1: what remains is input copy, scrub, meters ' +
      'and the time buffer, the floor of the chain. Limiter at its defaults (−1 dBFS, 1 ms, 100 ms).',
    '',
  ];
  if (!c) {
    lines.push(`_\`${chainRun.command}\` could not run: ${chainRun.error ?? 'no summary'}._`, '');
  }
  const cfg = c?.config;
  if (c) {
    lines.push(
      `How: natively (test/bench/chain.native.c, ${cfg.native ? cfg.native.compiler : 'not built'}, ` +
        `${!cfg.native || cfg.native.build === 'cmake' ? 'built by CMake in Release, i.e. -O3 -DNDEBUG' : 'compiled directly with clang -O3 -DNDEBUG because the CMake build failed (see the note below)'}, ` +
        'default x86-64 target, no -march) and in wasm under Node (build/wasm/ringlet.wasm on a shared memory sized as lib/node/node.js ' +
        'sizes it, `rlw_init`, settings through the parameter queue) each quantum does what a host must: copy the ' +
        "quantum's input into `rlw_input(c)`, give the gain value, call `rlw_process(128, 1)` " +
        '(`rl_node_process_gain` natively). The "worklet" row runs worklet/processor.js\'s `process()` itself (Node ' +
        'AudioWorkletGlobalScope shim): what the worklet does per quantum, JS copies in and out included. ' +
        `${cfg.rounds} rounds alternate the native binary and Node; in each, ${cfg.trialsPerRound} trials per variant ` +
        `with the variants interleaved (rotating order), each trial the whole 10 s loop once (${cfg.quantaPerTrial.toLocaleString('en')} quanta). ` +
        'Figures are medians over all trials; wasm/native is the median of per-round ratios (range in brackets).',
      '',
    );
  }
  if (b) {
    lines.push(
      `Chromium ${b.config.chromium} (headless, flags of test/browser/harness.js): "main thread" times the same core ` +
        `loop with \`performance.now()\` on the page (${b.config.directTrials} trials). AudioWorkletGlobalScope has no ` +
        `\`performance.now()\`, so the **audio-thread figure is an estimate**: ${b.config.renderSeconds} s of stereo ` +
        `(${b.config.renderQuanta.toLocaleString('en')} quanta) rendered in an OfflineAudioContext through a ringlet ` +
        'effect node and, in the same round, through a trivial pass-through AudioWorkletNode of our own (copies input to ' +
        "output); the difference per quantum is attributed to ringlet: its chain plus its processor's JS around the core " +
        `(median over ${b.config.rounds} rounds of the per-round difference).`,
      '',
    );
  } else {
    lines.push(`_\`${browserRun.command}\` could not run: ${browserRun.error ?? 'no summary'}._`, '');
  }
  const cell = (x) => (x ? f(x.median) : '–');
  const range = (x) => (x ? ` (${f(x.p25)} – ${f(x.p75)})` : '');
  const ratioCell = (r) => (r ? `${f(r.value, 2)}x (${f(r.min, 2)} – ${f(r.max, 2)})` : '–');
  const budget = (x) => (x ? `${f((x.median / 2666666.667) * 100, 3)} %` : '–');
  const rows = [
    ['active', '**8 active bands** (the default chain, all bands working)'],
    ['flat', 'flat bands (default node, gain 0.9)'],
    ['bypassed', 'EQ + limiter bypassed (floor of the chain)'],
  ];
  if (c) {
    lines.push(
      'Native and wasm under Node, ns per quantum. Wall time is the figure; the CPU-time columns time the same ' +
        "trials by this thread's (native) or process's (Node) CPU time, which leaves out the time other processes " +
        'held the core: on a busy shared machine they are the steadier comparison.',
      '',
      '| variant | native (p25 – p75) | wasm, Node (p25 – p75) | wasm/native (per-round range) | % of the 2.667 ms budget (wasm) | native, CPU time | wasm, CPU time | wasm/native, CPU time |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const [k, label] of rows) {
      const n = c.native?.[k];
      const w = c.wasm?.[k];
      lines.push(
        `| ${label} | ${cell(n)}${range(n)} | ${cell(w)}${range(w)} | ${ratioCell(c.ratios?.[`wasmOverNative_${k}`])} | ${budget(w)} | ` +
          `${n?.cpu ? f(n.cpu.median) : '–'} | ${w?.cpu ? f(w.cpu.median) : '–'} | ${ratioCell(c.ratios?.[`wasmOverNativeCpu_${k}`])} |`,
      );
    }
    const wk = c.wasm.worklet;
    lines.push(
      `| worklet \`process()\`, 8 active bands (Node shim: JS copies in and out around the core) | – | ${cell(wk)}${range(wk)} | – | ${budget(wk)} | – | ${wk.cpu ? f(wk.cpu.median) : '–'} | – |`,
      `| reference: the two input copies alone | ${cell(c.native.copy)} | ${cell(c.wasm.copy)} | – | – | ${c.native.copy?.cpu ? f(c.native.copy.cpu.median) : '–'} | ${f(c.wasm.copy.cpu.median)} | – |`,
      `| reference: a pass-through processor's two copies (JS) | – | ${cell(c.wasm.passthrough)} | – | – | – | ${f(c.wasm.passthrough.cpu.median)} | – |`,
      '',
    );
  }
  if (b) {
    lines.push(
      `Chromium ${b.config.chromium}, ns per quantum (wall time only: a page has no CPU-time clock).`,
      '',
      '| variant | wasm, main thread (p25 – p75) | wasm, audio thread, estimate (p25 – p75) | % of the 2.667 ms budget (audio thread) | audio thread, from the fastest renders |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const [k, label] of rows) {
      const d = b.direct?.[k];
      const e = b.chromium?.[k];
      const fast = b.chromiumBest?.[k];
      lines.push(
        `| ${label} | ${cell(d)}${range(d)} | ${cell(e)}${range(e)} | ${budget(e)} | ${fast === undefined ? '–' : f(fast)} |`,
      );
    }
    lines.push(
      '',
      "The last column uses the fastest of the rounds' renders of each graph instead of per-round medians: other " +
        'processes can only add time to a render, so on a busy machine it is the less disturbed view.',
    );
    lines.push('');
  }
  const a = c?.wasm?.active;
  const ratio = c?.ratios?.wasmOverNative_active;
  const bt = b?.targets;
  lines.push('| target | measured | status |', '| --- | --- | :---: |');
  if (a || bt) {
    const figures = [];
    if (a) figures.push(`Node ${us(a.median)} (CPU time ${us(a.cpu.median)})`);
    if (bt)
      figures.push(
        `Chromium main thread ${us(bt.directNs.measured)}`,
        `Chromium audio thread ${us(bt.workletNs.measured)} (estimate)`,
      );
    const met = (!a || a.median <= 10000) && (!bt || (bt.directNs.met && bt.workletNs.met));
    lines.push(
      `| ≤ 10 µs per stereo quantum in wasm, 8 active bands (< 0.4 % of 2.667 ms) | ${figures.join('; ')} | ${status(met)} |`,
    );
  }
  if (a) {
    // Issue 18's target; the native figure is the scalar build of 2026-11-24 on this machine.
    const before = { wasmNs: 3760.9, nativeNs: 3227.5 };
    lines.push(
      `| ≤ 2.0 µs per stereo quantum in wasm, 8 active bands, and faster than the native build of 2026-11-24 ` +
        `(${us(before.nativeNs)}) | Node ${us(a.median)} (CPU time ${us(a.cpu.median)}); ` +
        `${f(a.median / before.nativeNs, 2)}x that native build | ${status(a.median <= 2000 && a.median < before.nativeNs)} |`,
    );
  }
  if (ratio) {
    const cpu = c.ratios.wasmOverNativeCpu_active;
    const cpuMet = cpu && cpu.value <= 1.5;
    lines.push(
      `| wasm at most 1.5x native, 8 active bands (Node) | ${f(ratio.value, 2)}x (per-round ${f(ratio.min, 2)} – ${f(ratio.max, 2)})` +
        `${cpu ? `; CPU time ${f(cpu.value, 2)}x (${f(cpu.min, 2)} – ${f(cpu.max, 2)})` : ''} | ` +
        `${ratio.met ? 'met' : cpuMet ? '**not met** on wall time; met on CPU time (busy machine)' : status(false)} |`,
    );
  }
  for (const [k, label] of [
    ['flat', 'flat bands'],
    ['bypassed', 'EQ + limiter bypassed'],
  ]) {
    const x = c?.ratios?.[`wasmOverNative_${k}`];
    const y = c?.ratios?.[`wasmOverNativeCpu_${k}`];
    if (x)
      lines.push(
        `| reference: wasm/native, ${label} (Node) | ${f(x.value, 2)}x (per-round ${f(x.min, 2)} – ${f(x.max, 2)})${y ? `; CPU time ${f(y.value, 2)}x` : ''} | reference |`,
      );
  }
  if (b && c?.native?.active) {
    lines.push(
      `| reference: Chromium main thread / native, 8 active bands (medians of separate runs) | ` +
        `${f(b.direct.active.median / c.native.active.median, 2)}x | reference |`,
    );
  }
  lines.push(
    '',
    'History: on 2026-11-24 (commit ca5546e) 8 active bands took 3.76 µs per quantum in wasm under Node, 1.16x the ' +
      "native build (3.23 µs), and 4.32 µs on Chromium's main thread. Then the EQ ran each band over the whole quantum, " +
      'one frame after another, and the meters one channel after another; since, in wasm, steady bands run in groups ' +
      'of three frame by frame, two channels per f64x2 (csrc/eq.c, the same operations and roundings as the scalar ' +
      'path: test/unit/eq-wasm.test.js holds the two builds bit for bit), the meters take two channels per loop and ' +
      'the limiter skips a quantum that leaves it at rest.',
  );
  lines.push('');
  const fftRows = [];
  if (c?.fft)
    fftRows.push(
      `| Node ${c.config.node}, lib/node/analyser.js (${c.fft.trials} trials x ${c.fft.callsPerTrial} calls) | ${us(c.fft.median)} | ${us(c.fft.p25)} – ${us(c.fft.p75)} |`,
    );
  if (b?.fft) {
    fftRows.push(
      `| Chromium ${b.config.chromium} main thread, lib/node/analyser.js (21 trials x 300 calls) | ${us(b.fft.api.median)} | ${us(b.fft.api.p25)} – ${us(b.fft.api.p75)} |`,
      `| Chromium: ringlet \`node.analyser\`, single calls at ${b.fft.suspendOurs.n} suspend points of an offline render | ${us(b.fft.suspendOurs.median)} | ${us(b.fft.suspendOurs.p25)} – ${us(b.fft.suspendOurs.p75)} |`,
      `| Chromium: built-in AnalyserNode, the same suspend points (reference) | ${us(b.fft.suspendBuiltin.median)} | ${us(b.fft.suspendBuiltin.p25)} – ${us(b.fft.suspendBuiltin.p75)} |`,
    );
  }
  if (fftRows.length > 0) {
    lines.push(
      "The analyser's FFT, main thread: one `getFloatFrequencyData` at fftSize 2048 (copy 2048 samples in, Blackman " +
        'window, real FFT in double, smoothing 0.8, dB, copy out). lib/node/analyser.js computes only when new audio arrived ' +
        'since its last call, so the timed loops use a time source that moves on every call. The suspend-point rows ' +
        `time single calls, so they are quantised to \`performance.now()\`'s step (${b?.fft ? us(b.fft.granularityMs * 1e6) : '?'}).`,
      '',
      '| where | per call (median) | p25 – p75 |',
      '| --- | ---: | ---: |',
      ...fftRows,
      '',
    );
  }
  if (c) {
    const k = c.checks.wasm;
    const n = c.checks.native;
    lines.push(
      `Checks: over one loop of the signal with 8 active bands, the pre-limiter peak exceeds the −1 dBFS ceiling in ` +
        `${f(k.overCeilingPercent)} % of quanta and the limiter changes the output in ${f(k.limiterChangedPercent)} % ` +
        '(mostly the 100 ms release returning to unity); the output is ' +
        `${f(k.outputRmsDb, 2)} dBFS RMS with peak ${f(k.outputPeak, 4)}` +
        `${n ? `, and the native build agrees (${f(n.outputRmsDb, 2)} dBFS, ${f(n.limiterChangedPercent)} %, ${f(n.overCeilingPercent)} %)` : ''}. ` +
        `Load average (1/5/15 min) at start: ${loadText(c.config.loadAverage?.before)}` +
        `${b ? ` (Node run), ${loadText(b.config.loadAverage?.before)} (Chromium run)` : ''}; ` +
        'on a busy machine the Chromium render estimates are the noisiest figures.',
    );
  }
  if (c?.notes?.length > 0) lines.push('', ...c.notes.map((n) => `Note: ${n}.`));
  const problems = [
    ...(c?.problems ?? []).map((p) => `${chainRun.command}: ${p}`),
    ...(b?.problems ?? []).map((p) => `${browserRun.command}: ${p}`),
  ];
  if (problems.length > 0) {
    lines.push(
      '',
      '**Harness problems** (the figures above may not be trustworthy):',
      '',
      ...problems.map((p) => `- ${p}`),
    );
  }
  return lines;
}

/** @param {{ summary: any, command: string, error?: string }} browserRun */
function builtinSection(browserRun) {
  const b = browserRun.summary;
  const lines = [BUILTIN_HEADING, ''];
  if (!b) {
    lines.push(`_\`${browserRun.command}\` could not run: ${browserRun.error ?? 'no summary'}._`);
    return lines;
  }
  const cfg = b.config;
  const comp = cfg.compressor;
  lines.push(
    `Command: \`${browserRun.command}\`, Chromium ${cfg.chromium}, one page, one browser session. The same AudioBuffer ` +
      `source (the chain signal tiled to ${cfg.renderSeconds} s, stereo, 48 kHz: ${cfg.renderQuanta.toLocaleString('en')} quanta) ` +
      'renders in a fresh OfflineAudioContext per render, timed around `startRendering()` (graph building and worklet ' +
      `loading excluded). Each of ${cfg.rounds} rounds renders every graph once, in rotating order, after one untimed ` +
      'warm-up render of each. Ratios are medians of per-round ratios.',
    '',
    '- **ringlet**: source → ringlet effect node (gain 0.9, 8 active peaking bands, limiter, meters, analyser time buffer) → destination.',
    '- **built-in**: source → GainNode (0.9) → 8 BiquadFilterNodes (peaking, same frequencies, Q and gains) → ' +
      `DynamicsCompressorNode (threshold ${comp.threshold} dB, knee ${comp.knee}, ratio ${comp.ratio}, attack ${comp.attack * 1000} ms, ` +
      `release ${comp.release * 1000} ms) → AnalyserNode (fftSize 2048) → destination. Not identical: the compressor ` +
      'has a 6 ms lookahead (latency), a ratio rather than a hard ceiling, and automatic makeup gain, so its output ' +
      `peaked at ${f(b.checks.renders.builtin.peak, 3)} here where ringlet's limiter held ${f(b.checks.renders.ringletActive.peak, 3)} ` +
      '(−1 dBFS = 0.891). Both analysers only fill a time buffer while rendering; their FFTs run when asked, on the main thread.',
    '',
    '| graph | render time, ms (median) | p25 – p75 | per quantum above source → destination |',
    '| --- | ---: | ---: | ---: |',
  );
  const rows = [
    ['ringletActive', 'ringlet, 8 active bands'],
    ['builtin', 'built-in: Gain → 8 Biquads → DynamicsCompressor → Analyser'],
    ['ringletFlat', 'ringlet, flat bands (reference)'],
    ['ringletBypassed', 'ringlet, EQ + limiter bypassed (reference)'],
    ['passthrough', 'trivial pass-through AudioWorkletNode (reference)'],
    ['sourceOnly', 'source → destination only (reference)'],
  ];
  const direct = b.renderMs.sourceOnly.median;
  for (const [k, label] of rows) {
    const x = b.renderMs[k];
    if (!x) continue;
    lines.push(
      `| ${label} | ${f(x.median)} | ${f(x.p25)} – ${f(x.p75)} | ${k === 'sourceOnly' ? '–' : us(((x.median - direct) * 1e6) / cfg.renderQuanta)} |`,
    );
  }
  const r = b.builtinOverRinglet;
  lines.push(
    '',
    '| ratio | value | per-round range | target | status |',
    '| --- | ---: | ---: | :---: | :---: |',
    `| built-in / ringlet render time (8 active bands) | ${f(r.value, 2)}x | ${f(r.min, 2)} – ${f(r.max, 2)} | > 1x (ringlet faster) | ${status(r.met)} |`,
  );
  if (b.builtinOverRingletBest !== undefined) {
    lines.push(
      `| reference: fastest built-in render / fastest ringlet render | ${f(b.builtinOverRingletBest, 2)}x | – | – | reference |`,
    );
  }
  return lines;
}

/** @param {{ summary: any, command: string, error?: string }} run */
function transportSection(run) {
  const lines = ['## Transports: shared ring vs message port (Chromium)', ''];
  const t = run.summary?.summary;
  if (!t) return [...lines, `_\`${run.command}\` could not run: ${run.error ?? 'no summary'}._`];
  lines.push(
    `Command: \`${run.command}\`. 7 trials alternating the transports, medians. The main thread writes 128-frame ` +
      'stereo quanta, and in a second fresh node 2048-frame chunks, into a source node of an OfflineAudioContext that is not rendering (75 % of a 2^20-frame ring, in one task): the producer cost is ' +
      'the `tryWrite` call alone, per 128-frame quantum written. "Write to worklet" is one quantum written, then `flush()` awaited (50 times per ' +
      'trial): on `message` a port round trip, on `shared` nothing (the worklet reads the same memory).',
    '',
    '| transport | producer cost per quantum | in 2048-frame chunks, per quantum | M frames/s | deliver 786,432 queued frames | write to worklet (median / p90) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const k of ['shared', 'message']) {
    const x = t[k];
    lines.push(
      `| \`${k}\` | ${us(x.writeNsPerQuantum)} | ${x.chunkWriteNsPerQuantum === undefined ? '–' : us(x.chunkWriteNsPerQuantum)} | ${f(x.framesPerSecondM, 0)} | ${f(x.deliverMsFor786kFrames, 2)} ms | ` +
        `${k === 'shared' ? '0 (same memory)' : `${f(x.writeToWorkletMedianMs, 3)} ms / ${f(x.writeToWorkletP90Ms, 3)} ms`} |`,
    );
  }
  lines.push(
    '',
    '| ratio | value | target | status |',
    '| --- | ---: | :---: | :---: |',
    `| message / shared producer cost, 128-frame writes (median of per-trial ratios) | ${f(t.ratioWriteCost, 1)}x | ≤ 10x | ${status(t.ratioWriteCost <= 10)} |`,
    ...(t.ratioChunkWriteCost == null
      ? []
      : [
          `| message / shared producer cost, 2048-frame chunks | ${f(t.ratioChunkWriteCost, 1)}x | ≤ 10x | ${status(t.ratioChunkWriteCost <= 10)} |`,
        ]),
  );
  return lines;
}

/** @param {{ summary: any, command: string, error?: string }} run */
function latencySection(run) {
  const lines = ['## End-to-end latency: a written frame to that frame at the output (Chromium)', ''];
  const l = run.summary;
  if (!l) return [...lines, `_\`${run.command}\` could not run: ${run.error ?? 'no summary'}._`];
  const q = l.config.quantum;
  const fq = (frames) => `${frames} (${f(frames / q, 2)} q)`;
  lines.push(
    `Command: \`${run.command}\`, Chromium ${l.config.chromium}. Graph: source RingletNode → capture RingletNode → ` +
      'destination. The stream is silent except for markers (one frame of 0.5 on both channels). Right after ' +
      "writing a marker the page reads the source's `stats().framesProcessed` (P) and the ring's fill; the " +
      "capture ring's reader finds the frame index M at which the marker came out (both nodes start in the same " +
      'quantum, so their frame counts agree: checked). **Latency = M − P**, in frames and quanta (q = 128 frames). ' +
      '"Queued ahead" is the ring\'s fill read just after the marker was written, floored at 0 (a lower bound: the audio thread may take frames before the page reads it); "beyond the queue" is latency minus queued ahead: ' +
      'what the node itself adds.',
    '',
    '**What it shows.** The ring adds exactly its fill: every frame queued ahead of the marker plays first. The node ' +
      'adds 0 quanta: a frame that is in the ring when a quantum starts is output in that quantum. The minimum is ' +
      'therefore a just-in-time writer (fill 0 when the marker is written: the marker comes out in the next rendered ' +
      'quantum); a writer that keeps 2048 frames queued adds 2048 frames (16 quanta, 43 ms at 48 kHz). A write that ' +
      'lands while the audio thread is inside a quantum (after the ring was read) waits for the next one: +1 quantum ' +
      'beyond the queue; possible in realtime but rare, since a quantum takes microseconds (the max column shows ' +
      'whether any marker hit it). On `message` the write must first cross the port (about 0.1 ms, see above); ' +
      'if that crossing straddles a render callback the marker slips by the quanta of that callback. Not counted here: Chromium renders several ' +
      'quanta per audio callback, and the device adds its own latency after the graph (`baseLatency` / ' +
      '`outputLatency` below).',
    '',
    'Offline (intrinsic, deterministic): an OfflineAudioContext (48 kHz) suspended at quantum boundaries; at each ' +
      'suspend the ring is empty, `fill` frames of silence are queued, then the marker.',
    '',
    '| transport | fill (frames queued ahead) | markers | latency, frames (quanta) | beyond the queue (the node), frames |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const o of l.offline) {
    const one = typeof o.latencyFrames === 'number';
    lines.push(
      `| \`${o.transport}\`${o.transport === 'message' ? ' (write, then `flush()`)' : ''} | ${o.fill} | ${o.markers} | ` +
        `${one ? `${fq(o.latencyFrames)}, every marker` : `varied: ${o.latencyFrames.join(', ')}`} | ${one ? o.nodeFrames : o.nodeFrames.join(', ')} |`,
    );
  }
  const r0 = l.realtime[0];
  lines.push(
    '',
    `Realtime: an AudioContext (latencyHint 'interactive'; here ${
      r0
        ? `${r0.sampleRate} Hz, baseLatency ${f(r0.baseLatency * 1000, 1)} ms, ` +
          `outputLatency ${f(r0.outputLatency * 1000, 1)} ms`
        : '?'
    }). A page loop (1 ms timers) keeps the ring topped up to ` +
      `\`fill\` frames of silence (fill 0: nothing queued, the node outputs silence until the marker) and writes a ` +
      `marker every 30–50 ms, at a random phase against the render; ${l.config.markers} markers per level. ` +
      'The `message` row writes over the port (source on `message`; P from the shared capture node, whose frame ' +
      "count equals the source's).",
    '',
    '| transport | fill | markers | latency, frames: median / p90 / max | in quanta | queued ahead (median) | beyond the queue: median / p90 / max |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of l.realtime) {
    const d = r.latencyFrames;
    const n = r.nodeFrames;
    lines.push(
      `| \`${r.transport}\` | ${r.fill === 0 ? '0 (just-in-time)' : r.fill} | ${d.n} | ${d.median} / ${d.p90} / ${d.max} | ` +
        `${f(d.median / q, 2)} / ${f(d.p90 / q, 2)} / ${f(d.max / q, 2)} | ${r.transport === 'shared' ? r.aheadFrames.median : '–'} | ${n.median} / ${n.p90} / ${n.max} |`,
    );
  }
  const intrinsic = l.offline.filter((o) => o.transport === 'shared');
  const nodeZero = intrinsic.every((o) => o.nodeFrames === 0);
  const exactFill = intrinsic.every((o) => o.latencyFrames === o.fill);
  lines.push(
    '',
    '| target | measured | status |',
    '| --- | --- | :---: |',
    `| the node adds 0 quanta (offline, shared) | ${intrinsic.map((o) => `fill ${o.fill}: ${typeof o.nodeFrames === 'number' ? o.nodeFrames : o.nodeFrames.join(',')}`).join('; ')} frames | ${status(nodeZero)} |`,
    `| the ring adds exactly its fill (offline, shared) | ${intrinsic.map((o) => `${o.fill} → ${o.latencyFrames}`).join(', ')} | ${status(exactFill)} |`,
  );
  if (l.problems?.length > 0) lines.push('', '**Harness problems:**', '', ...l.problems.map((p) => `- ${p}`));
  return lines;
}

/** @param {{ summary: any, command: string, error?: string }} run */
function poolSection(run) {
  const lines = ['## WorkerPool vs workerpool (Chromium)', ''];
  const p = run.summary;
  const s = p?.summary;
  if (!s) return [...lines, `_\`${run.command}\` could not run: ${run.error ?? 'no summary'}._`];
  const r = s.ringlet;
  const w = s.workerpool;
  lines.push(
    `Command: \`${run.command}\`, workerpool ${p.workerpool}, one page. ${s.trials} trials alternate between the ` +
      "pools; figures are medians. workerpool's worker calls the same wasm render, so only the pool mechanics " +
      `differ; the outputs are checked identical (${s.sameRender ? 'they were' : '**they were not**'}). Each phase starts after a forced GC. ` +
      "Target: ringlet's overhead ≤ workerpool's.",
    '',
    '| measure | ringlet | workerpool | ringlet / workerpool | target | status |',
    '| --- | ---: | ---: | ---: | :---: | :---: |',
    `| sequential empty-task round trip | ${f(r.roundTripUs)} µs | ${f(w.roundTripUs)} µs | ${f(s.ratios.roundTrip, 2)}x | ≤ 0.8x | ${status(s.ratios.roundTrip <= 0.8)} |`,
    `| empty tasks, 500 in flight, 2 workers | ${f(r.emptyTasksPerSecond, 0)} /s | ${f(w.emptyTasksPerSecond, 0)} /s | ${f(s.ratios.emptyThroughput, 2)}x (throughput) | ≥ 1x | ${status(s.ratios.emptyThroughput >= 1)} |`,
    `| init, new pool to first result | ${f(r.initMs)} ms | ${f(w.initMs)} ms | ${f(s.ratios.init, 2)}x | ≤ 1x | ${status(s.ratios.init <= 1)} |`,
    `| 1 s stereo render, 2 workers | ${f(r.renderMsPerTask, 2)} ms/task | ${f(w.renderMsPerTask, 2)} ms/task | ${f(s.ratios.renderTime, 2)}x | ≤ 1x | ${s.ratios.renderTime <= 1 ? 'met' : s.ratios.renderTime <= 1.03 ? 'met within noise (same wasm; ≤ 3 % apart)' : status(false)} |`,
    `| heap growth over 10,000 tasks | ${f(r.heapGrowthKiBPer10kTasks)} KiB | ${f(w.heapGrowthKiBPer10kTasks)} KiB | – | – | reference (tens of KiB is noise) |`,
    '',
    'The render row runs the same wasm in both pools, so it measures pool mechanics only in its last few percent; at 5 trials its ratio has ranged from 0.97x to 1.04x between runs on this machine.',
  );
  return lines;
}

/** @param {{ summary: any, command: string, error?: string }} run */
function underrunSection(run) {
  const lines = ["## Underruns under load: the stream player's streaming, realtime (Chromium)", ''];
  const u = run.summary;
  if (!u) return [...lines, `_\`${run.command}\` could not run: ${run.error ?? 'no summary'}._`];
  lines.push(
    `Command: \`${run.command}\`, ${u.seconds} s per row. The stream player's own code ` +
      '(examples/shared/stream-client.js: a Worker with `writeSync` on `shared`, the main thread with `write()` on ' +
      '`message`; 1024-frame writes after a one-step pre-fill) feeds a source node in a realtime AudioContext. ' +
      '"busy cores": two busy-loop processes hold both cores. "main-thread long tasks": the page blocks its main ' +
      'thread for 150 ms every second. These margins depend on the machine, which is why the browser tests do not ' +
      'assert them.',
    '',
    '| load | transport | ring | buffered | underruns / min | silence / min |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  );
  for (const x of u.rows) {
    lines.push(
      `| ${x.load} | \`${x.transport}\` (${x.producer}) | ${x.capacityFrames} | ${f(x.bufferMs, 0)} ms | ` +
        `${f(x.underrunsPerMinute, 1)} | ${f(x.silentMsPerMinute, 0)} ms |`,
    );
  }
  return lines;
}

const DECODE_HEADING = '## Decode throughput: ringlet/stream, per format and engine';

/**
 * Runs test/bench/decode.browser.js once per selected engine that has
 * SharedArrayBuffer, one after the other (WebKit's daemons started once).
 */
async function runDecode() {
  const engines = selectedEngines().filter((e) => e.sharedArrayBuffer);
  /** @type {Record<string, string>} */
  const daemonEnv = {};
  let daemons = null;
  const runs = [];
  try {
    if (engines.some((e) => e.family === 'webkit')) {
      try {
        daemons = await startDaemons();
        daemonEnv.RINGLET_DISPLAY = daemons.display;
        daemonEnv.RINGLET_PULSE_SERVER = daemons.pulseServer;
      } catch (error) {
        console.error(`bench: WebKit's display and audio daemons did not start: ${String(error)}`);
      }
    }
    for (const engine of engines) {
      const shown = { RINGLET_ENGINE: engine.id };
      runs.push({
        engine,
        run: await runOptional(['test/bench/decode.browser.js'], shown, { ...shown, ...daemonEnv }),
      });
    }
  } finally {
    await daemons?.stop();
  }
  return runs;
}

/**
 * @param {{ engine: { id: string }, run: { summary: any, command: string, error?: string } }[]} runs
 * @param {string} [stamp]
 */
function decodeSection(runs, stamp) {
  const lines = [DECODE_HEADING, ''];
  if (stamp) lines.push(stamp, '');
  const ok = runs.filter((r) => r.run.summary);
  const first = ok[0]?.run.summary;
  lines.push(
    `Commands: ${runs.map((r) => `\`${r.run.command}\``).join(', ')}, run one after the other in one \`node scripts/bench.mjs --only decode\`. ` +
      "Each runs ringlet/stream's own decode path in a Worker (test/bench/decode-worker.js: stream-worker/tracks.js opens " +
      'the file with mediabunny, stream-worker/pump.js decodes it and writes every frame into a ring with ' +
      '`RingWriter.writeSync`) over a stereo file made by ffmpeg from the sweep signal of the stream tests' +
      `${first ? ` (${first.seconds} s each)` : ''}. The ring holds the whole file, so no consumer paces it: the ` +
      'figure is how many seconds of audio the decoder puts into a ring per second of wall time (duration / time from ' +
      `the first frame asked to the last written), the median of ${first?.trials ?? '?'} trials (range in brackets). ` +
      'A player needs 1x; the rest is headroom for a busy machine. Where WebCodecs lacks the codec the cell says so ' +
      '(WebKitGTK here: FLAC, MP3, AAC and Vorbis). WebKit runs isolated (its message transport does not change the decoder).',
    '',
  );
  const formats = [...new Set(ok.flatMap((r) => r.run.summary.rows.map((x) => x.format)))];
  lines.push(
    `| format | ${runs.map((r) => `${r.engine.id}${r.run.summary ? ` (${r.run.summary.version})` : ''}`).join(' | ')} |`,
    `| --- | ${runs.map(() => '---:').join(' | ')} |`,
  );
  for (const format of formats) {
    const cells = runs.map((r) => {
      const x = r.run.summary?.rows.find((y) => y.format === format);
      if (!x) return '–';
      if (x.error)
        return /no (working )?decoder|DECODER_MISSING|not support/i.test(x.error) ? 'no decoder' : `failed: ${x.error}`;
      return `${f(x.realtimeFactor, 0)}x (${f(x.min, 0)} – ${f(x.max, 0)})`;
    });
    lines.push(`| ${format} | ${cells.join(' | ')} |`);
  }
  for (const r of runs) {
    if (!r.run.summary) lines.push('', `_\`${r.run.command}\` could not run: ${r.run.error ?? 'no summary'}._`);
  }
  lines.push(
    '',
    "The page's JavaScript heap while a 10-minute mono 8 kHz WAV streams through a `RingletStream` in a realtime " +
      'context, sampled every 5 s after a garbage collection, over the first 30 s: flat means decoded audio does not ' +
      'pile up on the main thread (the 30-minute bound is a test: test/browser/stream.test.js):',
    '',
  );
  for (const r of runs) {
    const h = r.run.summary?.heap;
    if (!h) continue;
    if (!h.measured) lines.push(`- ${r.engine.id}: not measured: ${h.why}.`);
    else
      lines.push(
        `- ${r.engine.id}: ${h.samples.map((x) => `${f(x.used / 2 ** 20, 2)} MiB at ${f(x.position, 0)} s`).join(', ')}.`,
      );
  }
  return lines;
}

/** Replaces (or adds, before the package sizes) the decode section of BENCHMARKS.md. */
async function onlyDecode() {
  ensureBuilt();
  const runs = await runDecode();
  const m = machine();
  const stamp = `This section alone was refreshed by \`node scripts/bench.mjs --only decode\` on ${m.date}, commit ${m.commit}, on the machine above.`;
  replaceSection(DECODE_HEADING, decodeSection(runs, stamp).join('\n'), ['## Package sizes', MANUAL_OPEN]);
  console.log(`\nbench: wrote the decode section of ${OUT}`);
  if (runs.some((r) => r.run.code !== 0)) process.exitCode = 1;
}

const PLAYER_HEADING = '## The player with a one-hour file (Chromium)';

/**
 * @param {{ summary: any, command: string, error?: string }} run
 * @param {string} [stamp]
 */
function playerSection(run, stamp) {
  const lines = [PLAYER_HEADING, ''];
  if (stamp) lines.push(stamp, '');
  const p = run.summary;
  if (!p) return [...lines, `_\`${run.command}\` could not run: ${run.error ?? 'no summary'}._`];
  const mib = (/** @type {number | null} */ n) => (n === null ? '–' : `${f(n / 2 ** 20, 2)} MiB`);
  const rows = /** @type {any[]} */ (p.rows);
  const heaps = rows.map((x) => x.heap).filter((x) => x !== null);
  const totals = rows.map((x) => x.total).filter((x) => x !== null);
  const fps = rows.map((x) => x.fps).sort((x, y) => x - y);
  lines.push(
    `Command: \`${run.command}\` (${p.version}). examples/player/ opens a one-hour stereo 44.1 kHz FLAC ` +
      `(${f(p.bytes / 2 ** 20, 1)} MiB, a tone made by ffmpeg) by URL, through HTTP range requests, on the ` +
      `\`${p.info.transport}\` transport, and plays it at ${p.info.rate}x (\`node.playbackRate\`) for ${p.seconds} s, ` +
      'seeking to 20, 40 and 58 minutes on the way, so that playback crosses the whole hour to its end. Every 5 s: the JavaScript ' +
      "heap of the page after a garbage collection (CDP), the memory of the page and its Workers (the stream's decoder, " +
      'the pool) from `performance.measureUserAgentSpecificMemory()`, and the animation frames the UI drew in the ' +
      'window (every frame redraws the overview, meters, EQ curve and spectrum). The first page + Workers reading ' +
      "falls while start-up work is under way (the pool's Worker decodes the file for the waveform overview); from " +
      'the second reading on, the figure is steady.',
    '',
    `Summary: page heap ${mib(heaps[0] ?? null)} at the start, ${mib(heaps[heaps.length - 1] ?? null)} at the end ` +
      `(${mib(Math.min(...heaps))} – ${mib(Math.max(...heaps))}); page and Workers ${mib(totals[0] ?? null)} → ` +
      `${mib(totals[totals.length - 1] ?? null)}; ${f(fps[Math.floor(fps.length / 2)], 1)} fps median, ` +
      `${f(fps[0], 1)} fps in the slowest window; longest gap between two frames ${f(Math.max(...rows.map((x) => x.maxGapMs)), 0)} ms.`,
    '',
    '| at | position | page heap | page + Workers | fps | longest frame gap | underruns |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const x of rows) {
    lines.push(
      `| ${f(x.at, 0)} s | ${f(x.position / 60, 1)} min | ${mib(x.heap)} | ${mib(x.total)} | ${f(x.fps, 1)} | ` +
        `${f(x.maxGapMs, 0)} ms | ${x.underruns} |`,
    );
  }
  return lines;
}

/** Replaces (or adds, before the package sizes) the player section of BENCHMARKS.md. */
async function onlyPlayer() {
  ensureBuilt();
  const run = await runOptional(['test/bench/player.browser.js']);
  const m = machine();
  const stamp = `This section alone was refreshed by \`node scripts/bench.mjs --only player\` on ${m.date}, commit ${m.commit}, on the machine above.`;
  replaceSection(PLAYER_HEADING, playerSection(run, stamp).join('\n'), ['## Package sizes', MANUAL_OPEN]);
  console.log(`\nbench: wrote the player section of ${OUT}`);
  if (run.code !== 0) process.exitCode = 1;
}

/** @param {{ summary: any, command: string, error?: string }} run */
function sizesSection(run) {
  const lines = ['## Package sizes', ''];
  const z = run.summary;
  if (!z) return [...lines, `_\`${run.command}\` could not run: ${run.error ?? 'no summary'}._`];
  const kb = (n) => `${f(n / 1024)} KB`;
  const js = (k) => z.js[k];
  lines.push(
    `Command: \`${run.command}\` (1 KB = 1024 bytes; minified with terser; gzip level 9).`,
    '',
    '| asset | size | target | status |',
    '| --- | ---: | ---: | :---: |',
    `| \`npm pack\` tarball (${z.tarball.files} files, ${kb(z.tarball.unpacked)} unpacked) | ${kb(z.tarball.size)} | < ${kb(z.targets.tarball.limit)} | ${status(z.targets.tarball.met)} |`,
    `| ringlet.wasm | ${kb(z.wasm['ringlet.wasm'].raw)} (${kb(z.wasm['ringlet.wasm'].gzip)} gzip) | < ${kb(z.targets.wasm.limit)} | ${status(z.targets.wasm.met)} |`,
    `| ringlet.js + ringlet-worklet.js, minified | ${kb(z.mainPlusWorklet.minified)} (${kb(z.mainPlusWorklet.gzip)} gzip) | < ${kb(z.targets.js.limit)} | ` +
      `${status(z.targets.js.met)}${z.targets.js.metGzip ? ' (met gzipped)' : ' (not met gzipped either)'} |`,
    `| an app importing only RingletNode, minified, tree-shaken | ${kb(z.app.minified)} (${kb(z.app.gzip)} gzip) + ${kb(js('ringlet-worklet.js').minified)} worklet | – | – |`,
    ...(js('ringlet-inline.js')
      ? [
          `| ringlet-inline.js, minified | ${kb(js('ringlet-inline.js').minified)} (${kb(js('ringlet-inline.js').gzip)} gzip) | – | – |`,
        ]
      : []),
    '',
    "- One ringlet.wasm serves both transports: the 'message' transport and the offline workers clear its memory " +
      "import's shared flag before compiling (lib/shared/core.js `privateMemoryBinary`).",
    "- The core compiles at `-O3 -fno-unroll-loops` and links at `-Oz`, and csrc/math.c replaces libm's " +
      'table-driven sin/cos/tan/exp/log/pow: 69 KB became 39 KB with the same chain and ring figures above. ' +
      '`-Os` throughout would be smaller still but makes the chain 2.4 to 5 times slower.',
    '- The inline entry embeds the gzipped wasm and the worklet and imports the rest from ringlet.js.',
    '- The JS target is not met: the main entry carries the WorkerPool, offline rendering and the isolation ' +
      'helper beside the node, and every validator names its parameter and range. An app that imports only ' +
      'RingletNode bundles the figure in the last row, plus the worklet.',
  );
  return lines;
}

/**
 * @param {{ summary: any, command: string, error?: string }} run resampler.bench.js
 * @param {{ summary: any, command: string, error?: string }} browserRun resampler.browser.js
 * @param {string} [stamp] for a section refreshed on its own: when and where it was measured
 */
function resamplerSection(run, browserRun, stamp) {
  const lines = [RESAMPLER_HEADING, ''];
  const r = run.summary;
  if (!r?.results) return [...lines, `_\`${run.command}\` could not run: ${run.error ?? r?.error ?? 'no summary'}._`];
  const b = browserRun.summary;
  const c = r.config;
  // Tiny figures (ringlet's ripple is about 1e-7 dB) in exponent form.
  const db = (x, d = 1) =>
    x === null ? 'exactly 0' : x !== 0 && Math.abs(x) < 10 ** -d ? `${x.toExponential(1)} dB` : `${f(x, d)} dB`;
  const q = r.quality;
  lines.push(
    `Commands: \`${run.command}\` (it first builds the native bench: \`${NATIVE_BUILD.replace('chain_native', 'resampler_native')}\`) and \`${browserRun.command}\`.` +
      (stamp ? ` ${stamp}` : ''),
    '',
    `**The converter** (csrc/resampler.c, \`rl_resampler\`): a Kaiser-windowed sinc (β 15) of ${c.taps} taps on the lower rate's grid, cutoff 0.475 of the lower rate, ` +
      `its coefficients for any fractional position from a table of ${c.phases} cubic segments per sample (96 KiB), evaluated in float four lanes at a time. ` +
      'Interpolating (step = speed × input rate / output rate ≤ 1) each output frame is a dot product on the input grid; decimating, each input frame is added into the ' +
      'outputs around it on the output grid, so the cutoff follows the lower rate as the speed moves (nothing aliases); switching between the two splices over 64 frames. ' +
      'Latency: 96 input frames of lookahead, i.e. 96 / step output frames while interpolating (104.5 frames, 2.18 ms, at 44.1 → 48 kHz) and 96 while decimating; ' +
      'a playback rate moves the position 162 frames after it is given.',
    '',
    '**Quality**, every converter through the same measures (test/bench/resampler-quality.js), all at 0.5 amplitude in float32: SNR of a tone after a ' +
      'least-squares sine fit over 0.2–0.8 s (delay and gain do not count: everything that is not the tone does, noise, aliases and images), as in the issue; ' +
      'passband gain of 30 stepped tones from 20 Hz to 19,845 Hz (0.45 × 44.1 kHz) at 44.1 → 48 kHz; stopband: 96 → 44.1 kHz, 27 tones from 22.05 kHz to ' +
      '47.9 kHz, each of which can only come out as an alias, worst output level against the input; and a linear sweep over the same band for 2 s. ' +
      `ringlet: the core from an aligned start (in wasm; the wasm build matches the native one bit for bit, test/unit/resampler-wasm.test.js). ` +
      `sox ${c.sox || '?'}: \`sox -D in.wav -e floating-point -b 32 out.wav rate -v <rate>\` on float WAV files. ` +
      `Chromium${b?.chromium ? ` (${b.chromium})` : ''}: decodeAudioData of the same WAV file in an OfflineAudioContext at the output rate, and an ` +
      'AudioBuffer at the input rate played by an AudioBufferSourceNode into one.',
    '',
    '| converter | SNR 1 kHz, 44.1 → 48 | SNR 15 kHz, 44.1 → 48 | SNR 1 kHz, 48 → 44.1 | SNR 15 kHz, 48 → 44.1 | passband ripple to 19.85 kHz | gain at 19.85 kHz | stopband, worst tone | stopband sweep |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const row = (name, m) =>
    m
      ? `| ${name} | ${db(m.snr.up1k)} | ${db(m.snr.up15k)} | ${db(m.snr.down1k)} | ${db(m.snr.down15k)} | ${db(m.passband.rippleDb, 4)} | ` +
        `${db(m.passband.edgeDb, 4)} | ${db(m.stopband.worstDb)}${m.stopband.worstDb === null ? '' : ` (${f(m.stopband.worstHz / 1000, 2)} kHz)`} | ${db(m.sweepAliasDb)} |`
      : `| ${name} | – | – | – | – | – | – | – | – |`;
  lines.push(
    row('**ringlet** (rl_resampler)', q.ringlet),
    row(`sox -v${c.sox ? ` ${c.sox}` : ''}`, q.sox),
    row('Chromium decodeAudioData', b?.decodeAudioData),
    row('Chromium AudioBufferSourceNode', b?.bufferSource),
    '',
    "sox's stopband output is exactly zero: it resamples in 32-bit integers, so anything below about −186 dB rounds away. ringlet's floor, about −138 dB, is " +
      "float32 arithmetic (coefficients and sums in float); sox computes in double, hence its few dB more SNR. The browser's converters are the issue's figures " +
      '(90/74 dB and 62/11 dB there).',
    '',
  );
  const ring = q.ringlet;
  lines.push(
    '| target | measured | status |',
    '| --- | --- | :---: |',
    `| passband ripple under 0.01 dB up to 0.45 × the lower rate | ${db(ring.passband.rippleDb, 5)} (44.1 → 48 kHz; test/c/test_resampler.c checks 8 rate pairs and speeds within ±0.005 dB) | ${status(ring.passband.rippleDb < 0.01)} |`,
    `| stopband rejection at least 100 dB | worst tone ${db(ring.stopband.worstDb)}, sweep ${db(ring.sweepAliasDb)} | ${status(ring.stopband.worstDb !== null && ring.stopband.worstDb <= -100 && ring.sweepAliasDb <= -100)} |`,
    `| SNR near sox's, not near the browser's (44.1 → 48 kHz, 1 and 15 kHz) | ringlet ${f(ring.snr.up1k)} / ${f(ring.snr.up15k)} dB; sox ${q.sox ? `${f(q.sox.snr.up1k)} / ${f(q.sox.snr.up15k)}` : '?'} dB; Chromium decodeAudioData ${b?.decodeAudioData ? `${f(b.decodeAudioData.snr.up1k)} / ${f(b.decodeAudioData.snr.up15k)}` : '?'} dB | ${status(!q.sox || Math.min(ring.snr.up1k, ring.snr.up15k) >= Math.min(q.sox.snr.up1k, q.sox.snr.up15k) - 10)} |`,
    '',
  );
  const res = r.results;
  const pct = (ns) => `${f((ns / c.budgetNs) * 100, 2)} %`;
  lines.push(
    `**Cost** per ${c.frames}-frame stereo quantum: test/bench/resampler.native.c (${(c.compiler ?? 'clang').trim()}, Release) and the same loops in wasm under Node ${c.node} ` +
      `(build/wasm/ringlet.wasm): the standalone resampler pulling a looped signal, and a source node with the default chain working (gain 0.9, 8 active peaking ` +
      'bands, limiter, meters, analyser time buffer) whose ring runs at 44.1 kHz, against the same node with a 48 kHz ring, which the node copies straight through ' +
      `(the chain's cost). ${c.rounds} rounds alternate native and Node, ${c.trials} trials of ${c.quanta} quanta per variant each, interleaved; medians, ` +
      'wasm/native the median of per-round ratios. Wall time; on a shared machine the CPU-time columns are the steadier view.',
    '',
    '| variant | native, ns | wasm (Node), ns | wasm/native | % of the 2.667 ms budget (wasm) | native, CPU time | wasm, CPU time |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [, x] of Object.entries(res)) {
    lines.push(
      `| ${x.label} | ${x.native ? f(x.native.median) : '–'} | ${f(x.wasm.median)} | ${x.wasmOverNative ? `${f(x.wasmOverNative.value, 2)}x` : '–'} | ${pct(x.wasm.median)} | ` +
        `${x.nativeCpu === null ? '–' : f(x.nativeCpu)} | ${f(x.wasmCpu)} |`,
    );
  }
  const n = r.inNode;
  const nodeText = (x) =>
    x ? `${us(x.resamplerNs)}, ${f(x.overChain, 2)}x the chain's cost (${pct(x.resamplerNs)} of the budget)` : '–';
  lines.push(
    '',
    '| target | measured | status |',
    '| --- | --- | :---: |',
    `| resampling 44.1 → 48 kHz stays a small share of the 2.667 ms budget (in the node: resampled minus copied) | native ${nodeText(n.native)}; wasm ${nodeText(n.wasm)} | ${status(n.wasm !== null && n.wasm.resamplerNs < 0.05 * c.budgetNs)} |`,
    '',
    'Interpolating costs 192 × (3 + channels) multiply-adds per output frame, decimating the same per input frame, so decimation costs more as the step grows ' +
      '(96 → 48 kHz, twice the input, about twice the work). Load average (1/5/15 min) during the run: ' +
      `${loadText(r.load?.before)} at start, ${loadText(r.load?.after)} at the end.`,
  );
  if (r.problems?.length > 0 || b?.problems?.length > 0)
    lines.push(
      '',
      '**Harness problems:**',
      '',
      ...[...(r.problems ?? []), ...(b?.problems ?? [])].map((p) => `- ${p}`),
    );
  return lines;
}

const CHAIN_HEADING = '## Processing chain: cost per quantum';
const BUILTIN_HEADING = '## Chain vs built-in node graph (Chromium)';
const RESAMPLER_HEADING = '## Resampler: quality beside sox and Chromium, and cost per quantum';

const ENGINES_HEADING =
  '## Browser engines: the chain against built-in nodes, transports, and the DSP against the spec';

/**
 * @typedef {{ summary: any, command: string, code: number, error?: string }} Run
 * @typedef {{ engine: import('../test/browser/engines.js').Engine, chain: Run, transport: Run, dsp: Run }} EngineRuns
 */

/**
 * Runs the per-engine browser benches once per engine RINGLET_BROWSERS selects
 * (default all), one after the other. WebKit needs Xvfb and pulseaudio: they
 * are started once here (test/browser/daemons.js, as Jest's globalSetup does)
 * and handed to the benches through RINGLET_DISPLAY / RINGLET_PULSE_SERVER,
 * then stopped by PID.
 * @param {Partial<Record<import('../test/browser/engines.js').EngineId, { chain?: Run, transport?: Run }>>} [done]
 *   runs already made (the full run's Chromium chain and transport benches)
 * @returns {Promise<EngineRuns[]>}
 */
async function runEngines(done = {}) {
  const engines = selectedEngines();
  /** @type {import('../test/browser/daemons.js').Daemons | null} */
  let daemons = null;
  /** @type {Record<string, string>} */
  const daemonEnv = {};
  /** @type {EngineRuns[]} */
  const runs = [];
  try {
    if (engines.some((e) => e.family === 'webkit')) {
      try {
        daemons = await startDaemons();
        daemonEnv.RINGLET_DISPLAY = daemons.display;
        daemonEnv.RINGLET_PULSE_SERVER = daemons.pulseServer;
      } catch (error) {
        console.error(`bench: WebKit's display and audio daemons did not start: ${String(error)}`);
      }
    }
    for (const engine of engines) {
      const shown = engine.id === 'chromium' ? {} : { RINGLET_ENGINE: engine.id };
      /** @param {string} script */
      const run = async (script) => {
        const r = await runOptional([script], shown, { ...shown, ...daemonEnv });
        return r;
      };
      const chain = done[engine.id]?.chain ?? (await run('test/bench/chain.browser.js'));
      const transport = done[engine.id]?.transport ?? (await run('test/bench/transport.browser.js'));
      const dsp = await run('test/bench/dsp.browser.js');
      runs.push({ engine, chain, transport, dsp });
    }
  } finally {
    await daemons?.stop();
  }
  return runs;
}

/**
 * The per-engine section: one table per measure, a row (or column) per engine.
 * @param {EngineRuns[]} runs
 * @param {string} [stamp] for a section refreshed on its own: when and where it was measured
 */
function enginesSection(runs, stamp) {
  const lines = [ENGINES_HEADING, ''];
  const name = (/** @type {EngineRuns} */ r) =>
    `${r.engine.label}${r.chain.summary?.engine?.version ? `, ${r.chain.summary.engine.version.replace(/^\S+ /, '')}` : ''}`;
  // A cell that could not be measured says why in short; the full reason is listed under the section.
  /** @type {string[]} */
  const notes = [];
  const whyNot = (/** @type {Run} */ run, /** @type {string} */ part) => {
    const why = String(run.summary?.unavailable?.[part] ?? run.error ?? run.summary?.error ?? 'no summary');
    const note = `\`${run.command}\`: ${why}`;
    if (!notes.includes(note)) notes.push(note);
    return `_not measured: ${why.split(':')[0]}_`;
  };
  // Every engine runs the same three scripts; Chromium (the default) without RINGLET_ENGINE.
  const knobs = (/** @type {string} */ c) =>
    c.replace(/^((?:[A-Z_]+=\S+ )*)node .*$/, '$1').replace(/RINGLET_ENGINE=\S+ /, '');
  const scripts = runs[0]
    ? [runs[0].chain, runs[0].transport, runs[0].dsp].map((x) => x.command.replace(/^.*node /, ''))
    : [];
  const commands = [
    ...new Set(runs.flatMap((r) => [r.chain.command, r.transport.command, r.dsp.command]).map(knobs)),
  ].filter(Boolean);
  lines.push(
    `Commands: \`${commands.length === 1 ? commands[0] : ''}RINGLET_ENGINE=<engine> node <script>\` for each script of ${scripts.map((c) => `\`${c}\``).join(', ')} ` +
      `and each engine of ${runs.map((r) => `\`${r.engine.id}\``).join(', ')} (Chromium is the default, without the variable). Each engine through its driver in test/browser/drivers/ (Chromium: Debian's chromium via ` +
      "playwright-core; Firefox: firefox-esr via puppeteer-core over WebDriver BiDi; WebKit: WebKitGTK's MiniBrowser via WebKitWebDriver, on a private " +
      'Xvfb display and pulseaudio null sink), headless, one cross-origin isolated page served from 127.0.0.1. WebKit runs twice: `webkit-shared` with ' +
      "SharedArrayBuffer (JSC_useSharedArrayBuffer=1, as Safari gives isolated pages), `webkit-message` without it (ringlet's message transport, as on a " +
      'Safari page that is not isolated). Firefox has no OfflineAudioContext.suspend(); the harness injects a stand-in (test/browser/offline-suspend.js) ' +
      'that the analyser measures below use.' +
      (stamp ? ` ${stamp}` : ''),
    '',
  );
  // 1. The chain against the engine's own built-in graph.
  const c0 = runs.find((r) => r.chain.summary?.config)?.chain.summary.config;
  lines.push(
    "**The chain against the engine's own built-in node graph** (test/bench/chain.browser.js part 3, as in the Chromium section above: " +
      `the chain signal, ${c0 ? `${c0.renderSeconds} s stereo at 48 kHz, ${c0.rounds} rounds` : '?'} of rotating renders in fresh OfflineAudioContexts; ` +
      'ringlet with 8 active bands, limiter, meters and analyser time buffer, against GainNode → 8 BiquadFilterNodes → DynamicsCompressorNode → AnalyserNode). ' +
      "The ratio is the median of per-round ratios of render times: above 1x ringlet's chain renders faster than the engine's own nodes. The per-quantum " +
      'column is the audio-thread estimate ((ringlet − trivial pass-through AudioWorkletNode) / quanta); the main-thread column times the core loop ' +
      'directly with `performance.now()` (it needs a shared wasm memory).',
    '',
    '| engine | ringlet, ms per render (median) | built-in graph, ms | **built-in / ringlet** (per-round range) | fastest built-in / fastest ringlet | ringlet per quantum, audio thread (estimate) | core loop per quantum, main thread |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of runs) {
    const s = r.chain.summary;
    if (!s?.builtinOverRinglet) {
      lines.push(`| ${name(r)} | ${whyNot(r.chain, 'renders')} | – | – | – | – | – |`);
      continue;
    }
    const q = s.builtinOverRinglet;
    lines.push(
      `| ${name(r)} | ${f(s.renderMs.ringletActive.median)} | ${f(s.renderMs.builtin.median)} | **${f(q.value, 2)}x** (${f(q.min, 2)} – ${f(q.max, 2)}) | ` +
        `${f(s.builtinOverRingletBest, 2)}x | ${us(s.chromium.active.median)} | ${s.direct ? us(s.direct.active.median) : whyNot(r.chain, 'direct')} |`,
    );
  }
  // Issue 18's target, as ringlet's render time over the built-in graph's (the inverse of the column above).
  const measured = runs.filter((r) => r.chain.summary?.builtinOverRinglet);
  if (measured.length > 0) {
    const inverse = measured.map((r) => ({ r, value: 1 / r.chain.summary.builtinOverRinglet.value }));
    lines.push(
      '',
      '| target | measured (ringlet / built-in render time, the inverse of the median ratio) | status |',
      '| --- | --- | :---: |',
      `| ringlet renders the chain in ≤ 0.35 of the built-in graph's time, in every engine | ` +
        `${inverse.map(({ r, value }) => `${r.engine.label} ${f(value, 2)}`).join('; ')} | ` +
        `${status(inverse.length === runs.length && inverse.every(({ value }) => value <= 0.35))} |`,
      '',
      'History: on 2026-12-02 (commit 7bafdc0, the scalar EQ) built-in / ringlet was 1.89x in Chromium, 3.06x in Firefox, ' +
        '1.81x in WebKit (shared) and 1.85x in WebKit (message): ringlet / built-in 0.53, 0.33, 0.55 and 0.54; ' +
        "Chromium's 2026-11-24 figure was 0.56 (1.77x).",
    );
  }
  const chainProblems = runs.flatMap((r) => (r.chain.summary?.problems ?? []).map((p) => `${r.engine.label}: ${p}`));
  if (chainProblems.length > 0) lines.push('', '**Harness problems:**', '', ...chainProblems.map((p) => `- ${p}`));
  // 2. The producer's cost on each transport.
  lines.push(
    '',
    '**Producer cost per transport** (test/bench/transport.browser.js, as in the Chromium section below: 7 trials alternating the transports, medians; ' +
      '`tryWrite` of one 128-frame stereo quantum into a node whose context is not rendering; write to worklet: one quantum, then `flush()` awaited).',
    '',
    '| engine | `shared`: producer cost per quantum | `message`: producer cost per quantum | message / shared | `message`: deliver 786,432 queued frames | `message`: write to worklet (median / p90) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of runs) {
    const t = r.transport.summary?.summary;
    const m = t?.message;
    const sh = t?.shared;
    lines.push(
      `| ${name(r)} | ${sh ? us(sh.writeNsPerQuantum) : whyNot(r.transport, 'shared')} | ${m ? us(m.writeNsPerQuantum) : whyNot(r.transport, 'message')} | ` +
        `${t?.ratioWriteCost ? `${f(t.ratioWriteCost, 1)}x` : '–'} | ${m ? `${f(m.deliverMsFor786kFrames, 1)} ms` : '–'} | ` +
        `${m ? `${f(m.writeToWorkletMedianMs, 3)} ms / ${f(m.writeToWorkletP90Ms, 3)} ms` : '–'} |`,
    );
  }
  // 3. DSP against the engine's nodes and the spec.
  const d0 = runs.find((r) => r.dsp.summary?.eq?.length)?.dsp.summary;
  const bands = d0?.eq?.map((x) => x.band) ?? [];
  const db = (x) => (x === null || x === undefined ? '–' : x === 0 ? '0' : x < 0.001 ? x.toExponential(1) : f(x, 4));
  lines.push(
    '',
    "**ringlet's EQ against the engine's BiquadFilterNode, and both against the spec** (test/bench/dsp.browser.js): the impulse response " +
      `(${d0?.config?.irLength ?? 4096} samples at 48 kHz) of a ringlet node with one band and of a BiquadFilterNode with the same settings, the bands of ` +
      "test/browser/dsp.test.js. Their magnitude responses (DFT of the impulse response) at 121 log-spaced frequencies from 20 Hz to 20 kHz, and the spec's: " +
      "the Web Audio API's BiquadFilterNode coefficient formulas (Audio EQ Cookbook; Q in dB for lowpass and highpass, S = 1 for the shelves) evaluated in " +
      "double in Node. Max |difference| in dB over the frequencies where the spec reads above −60 dB (at a notch's floor a float32 rounding is whole decibels).",
    '',
    `| engine | compared | ${bands.map((b) => `${b.type} ${b.frequency} Hz${b.gainDb ? ` ${b.gainDb > 0 ? '+' : ''}${b.gainDb} dB` : ''}, Q ${b.q}`).join(' | ')} |`,
    `| --- | --- | ${bands.map(() => '---:').join(' | ')} |`,
  );
  for (const r of runs) {
    const eq = r.dsp.summary?.eq;
    if (!eq?.length) {
      lines.push(
        `| ${name(r)} | – | ${whyNot(r.dsp, 'eq')} | ${bands
          .slice(1)
          .map(() => '–')
          .join(' | ')} |`,
      );
      continue;
    }
    for (const [key, label] of [
      ['ringletVsEngineDb', 'ringlet − BiquadFilterNode'],
      ['engineVsSpecDb', 'BiquadFilterNode − spec'],
      ['ringletVsSpecDb', 'ringlet − spec'],
    ])
      lines.push(`| ${name(r)} | ${label} | ${eq.map((x) => `${db(x[key])} dB`).join(' | ')} |`);
  }
  // 4. The analyser.
  lines.push(
    '',
    "**ringlet's analyser against the engine's AnalyserNode, and both against the spec**: the same signal (1 kHz and 3.17 kHz tones and seeded noise) " +
      "through both, fftSize 2048, read at 7 suspend points of an offline render (getFloatFrequencyData and getFloatTimeDomainData). The spec's values " +
      "are computed in Node from each analyser's own time-domain data: Blackman window (α 0.16), X[k] = (1/N) Σ x[n] w[n] e^(−2πikn/N), smoothing " +
      'X̂[k] = τ X̂prev[k] + (1 − τ) |X[k]| from zero over the successive calls, 20 log10. Max |difference| in dB over the bins where the spec reads above −100 dB.',
    '',
    '| engine | smoothing 0: ringlet − AnalyserNode | AnalyserNode − spec | ringlet − spec | smoothing 0.8: ringlet − AnalyserNode | AnalyserNode − spec | ringlet − spec |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of runs) {
    const a = r.dsp.summary?.analyser ?? {};
    const cells = [];
    for (const s of ['0', '0.8']) {
      const x = a[s];
      if (!x) {
        cells.push(whyNot(r.dsp, `analyser${s}`), '–', '–');
        continue;
      }
      const ours = (y) => (y ? `${db(y.maxDb)} dB` : whyNot(r.dsp, 'ringletAnalyser'));
      cells.push(ours(x.ringletVsEngine), `${db(x.engineVsSpec.maxDb)} dB`, ours(x.ringletVsSpec));
    }
    lines.push(`| ${name(r)} | ${cells.join(' | ')} |`);
  }
  // Which is right where they differ: the one nearer the spec, per engine.
  const nearer = (/** @type {number} */ theirs, /** @type {number} */ ours) =>
    Math.abs(theirs - ours) <= 0.01 * Math.max(theirs, ours)
      ? 'equally near (the same response)'
      : theirs > ours
        ? '**ringlet is the nearer**'
        : '**the engine is the nearer**';
  const verdicts = [];
  for (const r of runs) {
    const eq = r.dsp.summary?.eq;
    if (!eq?.length) continue;
    const worst = eq.reduce((w, x) => (x.engineVsSpecDb > w.engineVsSpecDb ? x : w));
    const ringletWorst = Math.max(...eq.map((x) => x.ringletVsSpecDb));
    const an = Object.values(r.dsp.summary.analyser ?? {});
    const anEngine = an.length ? Math.max(...an.map((x) => x.engineVsSpec.maxDb)) : null;
    const anOurs = an.filter((x) => x.ringletVsSpec).map((x) => x.ringletVsSpec.maxDb);
    verdicts.push(
      `- ${name(r)}: BiquadFilterNode departs from the spec by at most ${db(worst.engineVsSpecDb)} dB (${worst.band.type}, at ${f(worst.engineWorstHz, 0)} Hz), ` +
        `ringlet by at most ${db(ringletWorst)} dB: ${nearer(worst.engineVsSpecDb, ringletWorst)}` +
        `${anEngine === null ? '' : `; AnalyserNode by at most ${db(anEngine)} dB, ringlet's analyser ${anOurs.length ? `by at most ${db(Math.max(...anOurs))} dB: ${nearer(anEngine, Math.max(...anOurs))}` : 'not measured (no SharedArrayBuffer)'}`}.`,
    );
  }
  if (verdicts.length > 0) {
    lines.push('', 'Against the spec (which is right where the two differ):', '', ...verdicts, '');
    const all = runs.flatMap((r) => r.dsp.summary?.eq ?? []);
    const worstEngine = Math.max(...all.map((x) => x.engineVsSpecDb));
    const anWorst = Math.max(
      ...runs.flatMap((r) => Object.values(r.dsp.summary?.analyser ?? {}).map((x) => x.engineVsSpec.maxDb)),
    );
    const engineNearer = all.filter((x) => x.engineVsSpecDb < 0.99 * x.ringletVsSpecDb);
    const double = runs
      .filter((r) => r.dsp.summary?.eq?.length && r.dsp.summary.eq.every((x) => x.ringletVsEngineDb < 1e-6))
      .map((r) => r.engine.label);
    lines.push(
      worstEngine < 0.05
        ? `No engine departs materially from the formulas: the largest deviation is ${db(worstEngine)} dB ` +
            `(${f((10 ** (worstEngine / 20) - 1) * 100, 2)} % in amplitude), and the large ones sit at low frequencies far below 0 dB (a highpass or shelf near 20 Hz), ` +
            "where the poles sit near the unit circle and magnify any single-precision step in an engine's coefficient or filter arithmetic. " +
            `The engines' analysers depart by at most ${db(anWorst)} dB. ringlet computes its coefficients and the analyser's FFT in double. ` +
            (engineNearer.length > 0
              ? `Band by band, an engine is the nearer on ${[...new Set(engineNearer.map((x) => x.band.type))].join(', ')}, where ringlet is still within ` +
                `${db(Math.max(...engineNearer.map((x) => x.ringletVsSpecDb)))} dB of the spec; elsewhere ringlet is the nearer or equal.`
              : 'Band by band, ringlet is the nearer or equal everywhere.') +
            (double.length > 0
              ? ` ${double.join(' and ')}'s BiquadFilterNode agrees with ringlet's band to within 1e-6 dB on every band.`
              : '')
        : `**An engine departs from the spec's formulas by up to ${db(worstEngine)} dB** (see the rows above): there the spec's value, computed in Node, is the reference.`,
    );
  }
  if (notes.length > 0) lines.push('', 'Not measured, why:', '', ...notes.map((n) => `- ${n}`));
  const dspProblems = runs.flatMap((r) => (r.dsp.summary?.problems ?? []).map((p) => `${r.engine.label}: ${p}`));
  if (dspProblems.length > 0) lines.push('', '**Harness problems:**', '', ...dspProblems.map((p) => `- ${p}`));
  const loads = runs
    .map((r) => r.chain.summary?.config?.loadAverage)
    .filter(Boolean)
    .map((l) => loadText(l.before));
  if (loads.length > 0)
    lines.push(
      '',
      `Load average (1/5/15 min) at the start of each engine's chain bench: ${loads.join('; ')} on ${os.availableParallelism?.() ?? os.cpus().length} cores` +
        `${loads.some((l) => Number(l.split(' / ')[0]) > (os.availableParallelism?.() ?? os.cpus().length)) ? ': **the machine was loaded** by other work during the run, so the timings (not the dB figures) are noisy; compare the ratios' : ''}.`,
    );
  return lines;
}

/**
 * Replaces the section under `heading` in BENCHMARKS.md, or adds it before
 * the first of `before` found (else at the end).
 * @param {string} heading
 * @param {string} section
 * @param {string[]} before
 */
function replaceSection(heading, section, before) {
  let text = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '# Benchmarks\n\n';
  const at = text.indexOf(heading);
  if (at !== -1) {
    const next = text.indexOf('\n## ', at + heading.length);
    const manual = text.indexOf(MANUAL_OPEN, at);
    const end = Math.min(next === -1 ? text.length : next + 1, manual === -1 ? text.length : manual);
    text = `${text.slice(0, at)}${section}\n\n${text.slice(end)}`;
  } else {
    const where = before.map((h) => text.indexOf(h)).find((i) => i !== -1) ?? -1;
    text =
      where === -1 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, where)}${section}\n\n${text.slice(where)}`;
  }
  writeFileSync(OUT, text);
}

/** Replaces (or adds, where a full run puts it: after the transports) the per-engine section of BENCHMARKS.md. */
async function onlyEngines() {
  ensureBuilt();
  const core = coreBuild();
  const started = Date.now();
  const runs = await runEngines();
  const m = machine();
  const knobs = ['RL_CHAIN_BROWSER_ROUNDS', 'RL_CHAIN_BROWSER_SECONDS', 'RINGLET_BROWSERS']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${process.env[k]} `)
    .join('');
  const stamp =
    `This section alone was refreshed by \`${knobs}node scripts/bench.mjs --only engines\` (${f((Date.now() - started) / 1000, 0)} s) on ${m.date}, commit ${m.commit}, ` +
    `core built ${core.built}${core.newer.length > 0 ? ` (**stale**: ${core.newer.join(', ')} changed since)` : ''}, on the machine above.`;
  replaceSection(ENGINES_HEADING, enginesSection(runs, stamp).join('\n'), [
    '## End-to-end latency',
    '## WorkerPool',
    '## Package sizes',
    MANUAL_OPEN,
  ]);
  console.log(`\nbench: wrote the per-engine section of ${OUT}`);
  if (runs.some((r) => r.chain.code !== 0 || r.transport.code !== 0 || r.dsp.code !== 0)) process.exitCode = 1;
}

function manualSection() {
  if (existsSync(OUT)) {
    const text = readFileSync(OUT, 'utf8');
    const a = text.indexOf(MANUAL_OPEN);
    const b = text.indexOf(MANUAL_CLOSE, a + MANUAL_OPEN.length);
    if (a !== -1 && b !== -1) return text.slice(a, b + MANUAL_CLOSE.length);
  }
  return [
    MANUAL_OPEN,
    '## Browser figures',
    '',
    '_None recorded yet. Everything between the `manual` markers is kept verbatim when `npm run bench` rewrites this file._',
    MANUAL_CLOSE,
  ].join('\n');
}

/** Replaces (or adds, after the chain's sections) the resampler section of BENCHMARKS.md. */
async function onlyResampler() {
  ensureBuilt();
  const core = coreBuild();
  const resampler = await runOptional(['test/bench/resampler.bench.js']);
  const resamplerBrowser = await runOptional(['test/bench/resampler.browser.js']);
  const m = machine();
  const stamp =
    `This section alone was refreshed by \`node scripts/bench.mjs --only resampler\` on ${m.date}, commit ${m.commit}, ` +
    `core built ${core.built}${core.newer.length > 0 ? ` (**stale**: ${core.newer.join(', ')} changed since)` : ''}, on the machine above.`;
  // Where a full run puts it: after the chain's sections.
  replaceSection(RESAMPLER_HEADING, resamplerSection(resampler, resamplerBrowser, stamp).join('\n'), [
    '## Transports',
    '## Package sizes',
    MANUAL_OPEN,
  ]);
  console.log(`\nbench: wrote the resampler section of ${OUT}`);
  if (resampler.code !== 0 || resamplerBrowser.code !== 0) process.exitCode = 1;
}

/** Replaces the chain's two sections of BENCHMARKS.md (Node and native, then Chromium). */
async function onlyChain() {
  ensureBuilt();
  const core = coreBuild();
  const chain = await runOptional(['test/bench/chain.bench.js']);
  const chainBrowser = await runOptional(['test/bench/chain.browser.js']);
  const m = machine();
  const stamp =
    `This section alone was refreshed by \`node scripts/bench.mjs --only chain\` on ${m.date}, commit ${m.commit}, ` +
    `core built ${core.built}${core.newer.length > 0 ? ` (**stale**: ${core.newer.join(', ')} changed since)` : ''}, on the machine above.`;
  const stamped = (/** @type {string[]} */ lines) => [...lines.slice(0, 2), stamp, '', ...lines.slice(2)].join('\n');
  replaceSection(CHAIN_HEADING, stamped(chainSection(chain, chainBrowser)), [BUILTIN_HEADING, RESAMPLER_HEADING]);
  replaceSection(BUILTIN_HEADING, stamped(builtinSection(chainBrowser)), [RESAMPLER_HEADING]);
  console.log(`\nbench: wrote the chain sections of ${OUT}`);
  if (chain.code !== 0 || chainBrowser.code !== 0) process.exitCode = 1;
}

/** Replaces the package-size section of BENCHMARKS.md (a build, then scripts/sizes.mjs). */
async function onlySizes() {
  ensureBuilt();
  const sizes = await runOptional(['scripts/sizes.mjs']);
  const m = machine();
  const lines = sizesSection(sizes);
  lines.splice(
    2,
    0,
    `This section alone was refreshed by \`node scripts/bench.mjs --only sizes\` on ${m.date}, commit ${m.commit}.`,
    '',
  );
  replaceSection('## Package sizes', lines.join('\n'), [MANUAL_OPEN]);
  console.log(`\nbench: wrote the package-size section of ${OUT}`);
  if (sizes.code !== 0) process.exitCode = 1;
}

async function main() {
  const only = process.argv.indexOf('--only');
  if (only !== -1) {
    const what = process.argv[only + 1];
    /** @type {Record<string, () => Promise<void>>} */
    const runs = {
      chain: onlyChain,
      resampler: onlyResampler,
      engines: onlyEngines,
      decode: onlyDecode,
      player: onlyPlayer,
      sizes: onlySizes,
    };
    if (!Object.hasOwn(runs, what ?? '')) {
      throw new RangeError(
        `--only takes 'chain', 'resampler', 'engines', 'decode', 'player' or 'sizes'; got ${what ?? 'nothing'}`,
      );
    }
    await runs[/** @type {string} */ (what)]();
    return;
  }
  ensureBuilt();
  const core = coreBuild();
  if (core.newer.length > 0) {
    console.warn(
      `bench: warning: ${core.newer.join(', ')} changed after build/wasm/ringlet.wasm was built; ` +
        'run `npm run build` first for figures of the current core',
    );
  }
  const started = Date.now();
  const ring = await runBench(['test/bench/ring.bench.js']);
  const gcDefault = await runBench(['--expose-gc', 'test/bench/gc.bench.js']);
  const gcSmall = await runBench(['--expose-gc', '--max-semi-space-size=1', 'test/bench/gc.bench.js']);
  const chain = await runOptional(['test/bench/chain.bench.js']);
  const chainBrowser = await runOptional(['test/bench/chain.browser.js']);
  const resampler = await runOptional(['test/bench/resampler.bench.js']);
  const resamplerBrowser = await runOptional(['test/bench/resampler.browser.js']);
  const transport = await runOptional(['test/bench/transport.browser.js']);
  // Every engine RINGLET_BROWSERS selects: Chromium's chain and transport runs are the ones above.
  const engineRuns = await runEngines({ chromium: { chain: chainBrowser, transport } });
  const latency = await runOptional(['test/bench/latency.browser.js']);
  const pool = await runOptional(['test/bench/pool.browser.js'], { POOL_BENCH_TRIALS: '5' });
  const underrun = await runOptional(['test/bench/underrun.browser.js'], { UNDERRUN_BENCH_SECONDS: '10' });
  const decode = await runDecode();
  const player = await runOptional(['test/bench/player.browser.js']);
  const sizes = await runOptional(['scripts/sizes.mjs']);
  const m = machine();

  const doc = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (scripts/bench.mjs); rerun it to refresh everything outside the manual section. ' +
      'These are measurements on the machine below, not pass/fail tests: compare ratios, which travel between ' +
      'machines better than nanoseconds do.',
    '',
    '## Machine',
    '',
    '| | |',
    '| --- | --- |',
    `| CPU | ${m.cpu} |`,
    `| Cores | ${m.cores} |`,
    `| Memory | ${f(m.memoryGiB)} GiB |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} (V8 ${m.v8}) |`,
    `| Date | ${m.date} |`,
    `| Commit | ${m.commit} (plus any uncommitted changes in the working tree) |`,
    `| Core | build/wasm/ringlet.wasm built ${core.built}` +
      `${core.newer.length > 0 ? ` (**stale**: ${core.newer.join(', ')} changed since)` : ''} |`,
    `| Command | \`npm run bench\` (${f((Date.now() - started) / 1000, 0)} s) |`,
    '',
    ...ringSection(ring.summary),
    '',
    ...gcSection([gcDefault, gcSmall]),
    '',
    ...chainSection(chain, chainBrowser),
    '',
    ...builtinSection(chainBrowser),
    '',
    ...resamplerSection(resampler, resamplerBrowser),
    '',
    ...transportSection(transport),
    '',
    ...enginesSection(engineRuns),
    '',
    ...latencySection(latency),
    '',
    ...poolSection(pool),
    '',
    ...underrunSection(underrun),
    '',
    ...decodeSection(decode),
    '',
    ...playerSection(player),
    '',
    ...sizesSection(sizes),
    '',
    manualSection(),
    '',
  ].join('\n');
  writeFileSync(OUT, doc);
  console.log(`\nbench: wrote ${OUT}`);
  const failed = [
    ring,
    gcDefault,
    gcSmall,
    chain,
    chainBrowser,
    resampler,
    resamplerBrowser,
    transport,
    latency,
    pool,
    underrun,
    sizes,
    ...decode.map((r) => r.run),
    ...engineRuns.flatMap((r) => [r.chain, r.transport, r.dsp]),
  ].filter((r, i, all) => r.code !== 0 && all.indexOf(r) === i);
  if (failed.length > 0) {
    console.error(`bench: ${failed.map((r) => r.command).join(', ')} reported problems (see above)`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
