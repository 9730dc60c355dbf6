// Builds and runs the native ctest suite three ways: plain, AddressSanitizer
// with UndefinedBehaviorSanitizer, and ThreadSanitizer. Prints one line per
// configuration with its counts (a test ctest skipped or disabled is counted
// as skipped, not passed); exits non-zero if any test failed or ctest itself
// exited non-zero.
import { spawnSync } from 'node:child_process';
import { ensureToolchain } from './toolchain.mjs';

ensureToolchain(['cmake', 'clang']);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const cc = has('clang') ? 'clang' : 'gcc';
const only = process.argv[2];
const CONFIGS = [
  { name: 'native', dir: 'build/native', args: [] },
  { name: 'asan+ubsan', dir: 'build/asan', args: ['-DRL_SANITIZE=address,undefined'] },
  { name: 'tsan', dir: 'build/tsan', args: ['-DRL_SANITIZE=thread'] },
].filter((c) => !only || c.name === only);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const config of CONFIGS) {
  const run = (cmd, args, env) => spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  const steps = [
    [
      'cmake',
      ['-S', '.', '-B', config.dir, `-DCMAKE_C_COMPILER=${cc}`, '-DCMAKE_BUILD_TYPE=RelWithDebInfo', ...config.args],
    ],
    ['cmake', ['--build', config.dir, '-j2']],
  ];
  let broken = '';
  for (const [cmd, args] of steps) {
    const r = run(cmd, args);
    if (r.status !== 0) {
      broken = `${r.stdout}\n${r.stderr}`;
      break;
    }
  }
  if (broken) {
    console.log(`c ${config.name}: build failed\n${broken}`);
    failed += 1;
    continue;
  }
  const r = run('ctest', ['--test-dir', config.dir, '--output-on-failure'], {
    RL_STRESS_FRAMES: process.env.RL_STRESS_FRAMES ?? '',
  });
  const m = /(\d+)% tests passed, (\d+) tests failed out of (\d+)/.exec(r.stdout);
  if (!m) {
    console.log(`c ${config.name}: ctest printed no summary\n${r.stdout}\n${r.stderr}`);
    failed += 1;
    continue;
  }
  // ctest's total includes skipped tests (as not failed) but not disabled ones;
  // neither passed.
  const notRun = (/** @type {string} */ kind) =>
    [...r.stdout.matchAll(new RegExp(`^\\s*\\d+ - \\S+ \\(${kind}\\)\\s*$`, 'gm'))].length;
  const s = notRun('Skipped') + notRun('Disabled');
  // A non-zero exit with no failed test (a crash of ctest, a test it could not
  // start) fails the configuration all the same.
  const f = Math.max(Number(m[2]), r.status === 0 ? 0 : 1);
  const p = Number(m[3]) - Number(m[2]) - notRun('Skipped');
  passed += p;
  failed += f;
  skipped += s;
  if (f > 0 || r.status !== 0) console.log(`${r.stdout}${r.status !== 0 ? `\nctest exited ${r.status}` : ''}`);
  console.log(`c ${config.name}: ${p} passed, ${f} failed, ${s} skipped`);
}
console.log(`ctest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
