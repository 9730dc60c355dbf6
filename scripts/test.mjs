// `npm test`: everything that proves ringlet works, in order: toolchain,
// build, type check, lint (ESLint and Prettier), API doc coverage, C format check, native tests (plain, ASan+UBSan, TSan),
// a 60 s fuzz smoke run (scripts/fuzz.mjs), the Jest suites (Node unit
// tests and real-Chromium tests), then the consumer tests (test/consumer).
// Ends with one line `N passed, N failed` counting every test and check.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { ensureToolchain } from './toolchain.mjs';

ensureToolchain();

let passed = 0;
let failed = 0;
const failures = [];

function step(name, cmd, args, env) {
  console.log(`\n== ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
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
const c = spawnSync('node', ['scripts/test-c.mjs'], { encoding: 'utf8' });
process.stdout.write(c.stdout);
process.stderr.write(c.stderr);
const cm = /ctest: (\d+) passed, (\d+) failed/.exec(c.stdout);
if (cm) {
  passed += Number(cm[1]);
  failed += Number(cm[2]);
  if (Number(cm[2]) > 0 || c.status !== 0) failures.push('native tests');
} else {
  check('native tests', false);
}

// Fails (with the apt-get command) rather than skips when clang's libFuzzer
// runtime is missing.
check('fuzz smoke', step('fuzz smoke (60 s)', 'node', ['scripts/fuzz.mjs', '--seconds', '60']));

const report = 'build/jest-report.json';
rmSync(report, { force: true });
step('jest (unit + browser)', 'node', [
  '--experimental-vm-modules',
  'node_modules/jest/bin/jest.js',
  '--json',
  `--outputFile=${report}`,
]);
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed += j.numPassedTests;
  failed += j.numFailedTests;
  // A suite that fails to load has no failed tests but is a failure all the same.
  const broken =
    j.numFailedTestSuites - j.testResults.filter((t) => t.assertionResults.some((a) => a.status === 'failed')).length;
  if (broken > 0) {
    failed += broken;
  }
  if (j.numFailedTests > 0 || broken > 0) failures.push('jest');
  if (j.numTotalTests === 0) check('jest ran no test', false);
} catch {
  check('jest report', false);
}

// The package as people install it: pack, a fresh Vite app and a no-bundler
// page in Chromium, TypeScript against the published types.
console.log('\n== consumer tests');
const k = spawnSync('node', ['test/consumer/run.mjs'], { encoding: 'utf8' });
process.stdout.write(k.stdout);
process.stderr.write(k.stderr);
const km = /consumer: (\d+) passed, (\d+) failed/.exec(k.stdout);
if (km) {
  passed += Number(km[1]);
  failed += Number(km[2]);
  if (Number(km[2]) > 0 || k.status !== 0) failures.push('consumer tests');
} else {
  check('consumer tests', false);
}

console.log('');
if (failures.length) console.log(`failed: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
