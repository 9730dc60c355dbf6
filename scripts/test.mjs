// `npm test`: everything that proves ringlet works, in order: toolchain,
// build, type check, lint (ESLint and Prettier), API doc coverage, C format check, native tests (plain, ASan+UBSan, TSan),
// a 30 s fuzz smoke run (scripts/fuzz.mjs; longer runs: --seconds N), the Jest suites (Node unit
// tests and real-Chromium tests), then the consumer tests (test/consumer).
// Ends with one line `N passed, N failed, N skipped` counting every test and
// check; skipped counts Jest's skipped and todo tests and ctest's skipped
// ones. Any step that exits non-zero fails the run, whatever its summary says.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { ensureToolchain } from './toolchain.mjs';

ensureToolchain();

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

const began = Date.now();

/** Prints how long the step that began at `t0` took, and the run so far, so a run's time budget can be read from its log. */
function took(t0) {
  console.log(`-- ${((Date.now() - t0) / 1000).toFixed(0)} s (run ${((Date.now() - began) / 1000).toFixed(0)} s)`);
}

function step(name, cmd, args, env) {
  console.log(`\n== ${name}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  took(t0);
  return r.status === 0;
}

/**
 * Adds a child's summary counts. A child that exited non-zero fails the run
 * even when its summary shows no failure (it crashed, or counted wrong).
 * @param {string} name
 * @param {{ status: number | null }} child
 * @param {RegExpExecArray | null} m `N passed, N failed[, N skipped]`
 */
function tally(name, child, m) {
  if (!m) {
    check(`${name} (no summary line)`, false);
    return;
  }
  passed += Number(m[1]);
  failed += Number(m[2]);
  skipped += Number(m[3] ?? 0);
  if (Number(m[2]) > 0) failures.push(name);
  else if (child.status !== 0) check(`${name} (exited ${child.status} with 0 failed)`, false);
}

function check(name, ok) {
  if (ok) passed += 1;
  else {
    failed += 1;
    failures.push(name);
  }
}

check('build', step('build', 'npm', ['run', '--silent', 'build']));
check('typecheck', step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json']));
check('eslint', step('eslint', 'npm', ['run', '--silent', 'lint']));
// Every public symbol documented (typedoc.json's validation), as an error.
check('api docs', step('api docs (TypeDoc)', 'npx', ['typedoc', '--treatWarningsAsErrors', '--logLevel', 'Warn']));
check(
  'clang-format',
  step('clang-format', 'sh', [
    '-c',
    'clang-format --dry-run --Werror csrc/*.c csrc/*.h csrc/include/*.h test/c/*.c test/c/*.h test/fuzz/*.c test/fuzz/*.h',
  ]),
);

console.log('\n== native tests');
const tc = Date.now();
const c = spawnSync('node', ['scripts/test-c.mjs'], { encoding: 'utf8' });
process.stdout.write(c.stdout);
process.stderr.write(c.stderr);
took(tc);
tally('native tests', c, /ctest: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(c.stdout));

// Fails (with the apt-get command) rather than skips when clang's libFuzzer
// runtime is missing.
check('fuzz smoke', step('fuzz smoke (30 s)', 'node', ['scripts/fuzz.mjs', '--seconds', '30']));

const report = 'build/jest-report.json';
rmSync(report, { force: true });
const jestOk = step('jest (unit + browser)', 'node', [
  '--experimental-vm-modules',
  'node_modules/jest/bin/jest.js',
  '--json',
  `--outputFile=${report}`,
]);
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed += j.numPassedTests;
  failed += j.numFailedTests;
  // A stray .skip or .todo shrinks the run: it is counted and shown.
  skipped += j.numPendingTests + j.numTodoTests;
  // A suite that fails to load has no failed tests but is a failure all the same.
  const broken =
    j.numFailedTestSuites - j.testResults.filter((t) => t.assertionResults.some((a) => a.status === 'failed')).length;
  if (broken > 0) {
    failed += broken;
  }
  if (j.numFailedTests > 0 || broken > 0) failures.push('jest');
  else if (!jestOk) check('jest (exited non-zero with 0 failed)', false);
  if (j.numTotalTests === 0) check('jest ran no test', false);
} catch {
  check('jest report', false);
}

// The package as people install it: pack, fresh Vite, webpack and Rollup
// apps, a no-bundler page and a CDN page in every selected engine,
// TypeScript against the published types.
console.log('\n== consumer tests');
const tk = Date.now();
const k = spawnSync('node', ['test/consumer/run.mjs'], { encoding: 'utf8' });
process.stdout.write(k.stdout);
process.stderr.write(k.stderr);
took(tk);
tally('consumer tests', k, /consumer: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(k.stdout));

console.log('');
if (failures.length) console.log(`failed: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
