// `npm run bench`: runs ringlet's benchmarks and writes BENCHMARKS.md.
//
// Builds first if dist/ or build/wasm/ringlet.wasm is missing, then runs, one
// after the other so they do not compete for the CPU:
//   node test/bench/ring.bench.js                                    throughput
//   node --expose-gc test/bench/gc.bench.js                          allocation
//   node --expose-gc --max-semi-space-size=1 test/bench/gc.bench.js  the same,
//     with a 1 MiB young generation so even one small object per quantum
//     shows up as GC events
// Each bench prints a human table and, on its last line, a JSON summary; this
// script collects the summaries and rewrites BENCHMARKS.md, keeping whatever
// sits between <!-- manual --> and <!-- /manual --> (browser figures that
// are recorded by hand). Figures are measurements, never pass/fail: the exit
// code is non-zero only if a bench could not run or its own checks failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

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
 * Runs one bench, echoing its output, and returns the JSON on its last line.
 * @param {string[]} args node arguments
 */
function runBench(args) {
  console.log(`\n$ node ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trimEnd().split('\n').pop() ?? '';
      let summary;
      try {
        summary = JSON.parse(last);
      } catch {
        reject(new Error(`node ${args.join(' ')} exited ${code} without a JSON summary on its last line`));
        return;
      }
      resolve({ summary, code, command: `node ${args.join(' ')}` });
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
    ['ringletPlanar', '(a) ringlet: `RingWriter.tryWrite(interleaved)` + wasm `rl_ring_read_planar` (what the worklet does)'],
    ['ringletInterleaved', '(a, reference) ringlet: `tryWrite(interleaved)` + wasm `rl_ring_read` (interleaved)'],
    ['ringletPlanarInput', '(d) ringlet: `tryWrite([left, right])` + wasm `rl_ring_read_planar`'],
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
    lines.push(`| ${label} | ${f(x.nsPerQuantum)} | ${f(x.nsP25)} – ${f(x.nsP75)} | ${f(x.mFramesPerSecond, 0)} | ${f(x.budgetPercent, 4)} % |`);
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
    lines.push(`| ${label} | ${f(x.value, 2)}x | ${f(x.min, 2)} – ${f(x.max, 2)} | ${target} | ${x.target ? status(x.met) : 'reference'} |`);
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
    ['effect', 'effect: `process()`', 'target'],
    ['capture-process', 'capture: `process()` alone (ring drained by a raw read-index store)', 'target'],
    ['capture-reader', 'capture: `process()` + `RingReader.tryRead()` (the reader, for reference)', 'reference'],
  ];
  const first = gcRuns[0].summary;
  const lines = [
    '## Allocation in the worklet\'s `process()`',
    '',
    `Commands: ${gcRuns.map((g) => `\`${g.command}\``).join(' and ')}. worklet/processor.js runs in a Node ` +
      `AudioWorkletGlobalScope shim on a memory sized the way lib/node.js sizes it (${first.config.channels} channels, ` +
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
  lines.push(`| ${head.join(' | ')} |`, `| --- | ${head.slice(1, -2).map(() => '---:').join(' | ')} | :---: | :---: |`);
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
    lines.push('', '**Harness problems** (the figures above are not trustworthy):', '', ...problems.map((p) => `- ${p}`));
  }
  return lines;
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

async function main() {
  ensureBuilt();
  const core = coreBuild();
  if (core.newer.length > 0) {
    console.warn(`bench: warning: ${core.newer.join(', ')} changed after build/wasm/ringlet.wasm was built; ` +
      'run `npm run build` first for figures of the current core');
  }
  const started = Date.now();
  const ring = await runBench(['test/bench/ring.bench.js']);
  const gcDefault = await runBench(['--expose-gc', 'test/bench/gc.bench.js']);
  const gcSmall = await runBench(['--expose-gc', '--max-semi-space-size=1', 'test/bench/gc.bench.js']);
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
    manualSection(),
    '',
  ].join('\n');
  writeFileSync(OUT, doc);
  console.log(`\nbench: wrote ${OUT}`);
  const failed = [ring, gcDefault, gcSmall].filter((r) => r.code !== 0);
  if (failed.length > 0) {
    console.error(`bench: ${failed.map((r) => r.command).join(', ')} reported problems (see above)`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
