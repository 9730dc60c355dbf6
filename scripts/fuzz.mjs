// Builds the libFuzzer targets in test/fuzz (clang, ASan+UBSan) and runs each
// on its committed corpus and saved regressions, plus a scratch corpus under
// the build directory (fresh for each smoke run, kept and growing between long
// runs). Prints one line per target (runs, runs per second, crash or not) and
// exits non-zero on any crash, printing the crashing input's path and how to
// keep it as a regression. A target also fails when its committed corpus
// folder (test/fuzz/corpus/<target>) is missing or empty, or when it executed
// fewer than --min-runs inputs (default MIN_RUNS): a run that only replayed
// its seeds, or stalled, proves nothing.
//
//   node scripts/fuzz.mjs --seconds 30      smoke (npm test): 30 s split across the targets,
//                                           from the committed corpus only
//   npm run fuzz                            long: 10 minutes per target; the
//                                           scratch corpus keeps growing
//   npm run fuzz -- --per-target 3600 --target fuzz_ring
//   node scripts/fuzz.mjs --core-dir /tmp/csrc-patched --build-dir build/fuzz-patched
//                                           fuzz a patched copy of csrc/
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGETS = ['fuzz_ring', 'fuzz_params', 'fuzz_node'];
const DEFAULT_PER_TARGET = 600;
// Far below what the slowest target (fuzz_node: 1,885 runs in a 20 s share
// here, idle; about 940 in its 10 s share of npm test's 30 s smoke) executes
// even on a loaded two-core machine, and far above a run that only replays
// its few seed files.
const MIN_RUNS = 200;

function usage(message) {
  if (message) console.error(`fuzz: ${message}`);
  console.error(
    'usage: node scripts/fuzz.mjs [--seconds TOTAL | --per-target SECONDS] [--target NAME]... [--min-runs N] [--build-dir DIR] [--core-dir DIR]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { total: null, perTarget: null, targets: [], minRuns: MIN_RUNS, buildDir: 'build/fuzz', coreDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    const seconds = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) usage(`${a} needs a positive number of seconds`);
      return n;
    };
    if (a === '--seconds') opts.total = seconds();
    else if (a === '--per-target') opts.perTarget = seconds();
    else if (a === '--target') opts.targets.push(...value().split(','));
    else if (a === '--min-runs') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) usage('--min-runs needs a whole number');
      opts.minRuns = n;
    } else if (a === '--build-dir') opts.buildDir = resolve(value());
    else if (a === '--core-dir') opts.coreDir = resolve(value());
    else usage(`unknown argument ${a}`);
  }
  if (opts.total !== null && opts.perTarget !== null) usage('give --seconds or --per-target, not both');
  for (const t of opts.targets) if (!TARGETS.includes(t)) usage(`unknown target ${t} (have ${TARGETS.join(', ')})`);
  if (opts.targets.length === 0) opts.targets = TARGETS;
  return opts;
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Stops with the exact install command unless clang can link a libFuzzer binary. */
function checkToolchain() {
  if (!has('clang') || !has('cmake')) {
    const pkgs = ['clang', 'cmake', 'libclang-rt-dev'].filter((p) => p === 'libclang-rt-dev' || !has(p));
    console.error(
      `fuzz: needs clang, cmake and clang's libFuzzer runtime. Install with:\n\n  sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}\n`,
    );
    process.exit(1);
  }
  const version = spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const major = /clang version (\d+)/.exec(version)?.[1];
  const dir = mkdtempSync(join(tmpdir(), 'ringlet-fuzz-probe-'));
  try {
    const src = join(dir, 'probe.c');
    writeFileSync(
      src,
      '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) { (void)d; (void)n; return 0; }\n',
    );
    const r = spawnSync('clang', ['-fsanitize=fuzzer,address,undefined', src, '-o', join(dir, 'probe')], {
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      const pkg = major ? `libclang-rt-${major}-dev` : 'libclang-rt-dev';
      console.error(
        `fuzz: clang ${major ?? '?'} cannot link a libFuzzer binary (its fuzzer runtime is missing):\n${r.stderr.trim()}\n\nInstall it with:\n\n  sudo apt-get update && sudo apt-get install -y ${pkg}\n`,
      );
      process.exit(1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function build(opts, targets) {
  const configure = [
    '-S',
    '.',
    '-B',
    opts.buildDir,
    '-DCMAKE_C_COMPILER=clang',
    '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
    '-DRL_FUZZ=ON',
    '-DBUILD_TESTING=OFF',
  ];
  if (opts.coreDir) configure.push(`-DRL_FUZZ_CORE_DIR=${opts.coreDir}`);
  for (const [what, args] of [
    ['configure', configure],
    ['build', ['--build', opts.buildDir, '-j2', '--target', ...targets]],
  ]) {
    const r = spawnSync('cmake', args, { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`fuzz: ${what} failed\n${r.stdout}\n${r.stderr}`);
      process.exit(1);
    }
  }
}

/** The first line that says what went wrong: our checks, then sanitizers, then libFuzzer. */
function reason(log) {
  const patterns = [
    /^\S+\.[ch]:\d+: .*$/m, // FUZZ_FAIL in a target or its helpers
    /^ringlet: rl_panic.*$/m,
    /^.*runtime error: .*$/m, // UBSan
    /^==\d+==\s?ERROR: .*$/m, // ASan and libFuzzer (deadly signal, timeout, out-of-memory)
    /^SUMMARY: .*$/m,
  ];
  for (const p of patterns) {
    const m = p.exec(log);
    if (m) return m[0].replace(/^==\d+==\s?/, '').trim();
  }
  return 'no reason printed (see the log)';
}

function stat(log, name) {
  const m = new RegExp(`stat::${name}:\\s+(\\d+)`).exec(log);
  if (m) return Number(m[1]);
  return null;
}

function runTarget(opts, target, seconds) {
  const bin = join(opts.buildDir, target);
  const seeds = join('test/fuzz/corpus', target);
  if (!existsSync(seeds) || readdirSync(seeds).length === 0) {
    console.log(`${target}: FAILED: its committed corpus ${seeds} is missing or empty`);
    return false;
  }
  // A smoke run starts from the committed corpus alone, so it replays the same
  // seeds every time and its length does not grow with an old scratch corpus.
  const scratch = join(opts.buildDir, opts.total !== null ? 'smoke-corpus' : 'corpus', target);
  if (opts.total !== null) rmSync(scratch, { recursive: true, force: true });
  const crashes = join(opts.buildDir, 'crashes', target);
  const logs = join(opts.buildDir, 'logs');
  for (const d of [scratch, crashes, logs]) mkdirSync(d, { recursive: true });
  // libFuzzer writes new inputs into the first directory only. Regressions are
  // optional: a target has them once a crash was kept.
  const dirs = [scratch, seeds, join('test/fuzz/regressions', target)].filter((d) => existsSync(d));
  const logPath = join(logs, `${target}.log`);
  const fd = openSync(logPath, 'w');
  const started = Date.now();
  const r = spawnSync(
    bin,
    [
      // libFuzzer counts from its start and takes about a second to finish.
      `-max_total_time=${Math.max(1, Math.floor(seconds) - 1)}`,
      '-print_final_stats=1',
      '-timeout=10',
      '-rss_limit_mb=2048',
      `-artifact_prefix=${crashes}/`,
      ...dirs,
    ],
    { stdio: ['ignore', fd, fd], timeout: Math.ceil((seconds + 60) * 1000), killSignal: 'SIGKILL' },
  );
  closeSync(fd);
  const elapsed = (Date.now() - started) / 1000;
  const log = readFileSync(logPath, 'utf8');
  // Status lines read `#<runs> NEW ...`; the last one is the count if no stats were printed.
  const runs = stat(log, 'number_of_executed_units') ?? Number([...log.matchAll(/^#(\d+)\s/gm)].at(-1)?.[1] ?? 0);
  const perSec = stat(log, 'average_exec_per_sec') ?? Math.round(runs / Math.max(elapsed, 1));
  const artifact = /Test unit written to (\S+)/.exec(log)?.[1] ?? null;
  const crashed = artifact !== null || r.status !== 0 || r.error !== undefined;
  if (!crashed && runs < opts.minRuns) {
    console.log(
      `${target}: FAILED: only ${runs} runs in ${elapsed.toFixed(0)} s (at least ${opts.minRuns} required)\n  log:       ${logPath}`,
    );
    return false;
  }
  if (!crashed) {
    console.log(`${target}: ${runs} runs in ${elapsed.toFixed(0)} s (${perSec}/s), no crash`);
    return true;
  }
  const why = r.error ? `${r.error.message} (killed after ${elapsed.toFixed(0)} s)` : reason(log);
  console.log(`${target}: CRASH after ${runs} runs (${elapsed.toFixed(1)} s): ${why}`);
  if (artifact) {
    console.log(`  input:     ${artifact}`);
    console.log(`  reproduce: ${bin} ${artifact}`);
    console.log(
      `  keep it:   cp ${artifact} test/fuzz/regressions/${target}/open-<what-breaks>  (drop open- once fixed)`,
    );
  }
  console.log(`  log:       ${logPath}`);
  return false;
}

const opts = parseArgs(process.argv.slice(2));
process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const started = Date.now();
checkToolchain();
build(opts, opts.targets);
console.log(`fuzz: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
const perTarget = opts.perTarget ?? (opts.total !== null ? opts.total / opts.targets.length : DEFAULT_PER_TARGET);
let failed = 0;
for (const t of opts.targets) {
  if (!runTarget(opts, t, perTarget)) failed += 1;
}
console.log(
  `fuzz: ${opts.targets.length} targets, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
);
process.exit(failed > 0 ? 1 : 0);
