// Builds build/wasm/ringlet.wasm with Debian's emscripten through CMake, then
// checks it: the import list is exactly ours, and it instantiates on a shared
// memory as built and on a private one after privateMemoryBinary (the
// 'message' transport and the offline workers run it that way).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { privateMemoryBinary } from '../lib/shared/core.js';
import { ensureToolchain } from './toolchain.mjs';

ensureToolchain(['emscripten', 'cmake']);
// `--hooks` builds the test variant (forced traps) into build/wasm-hooks;
// the release build never has them.
const hooks = process.argv.includes('--hooks');
const dir = `build/wasm${hooks ? '-hooks' : ''}`;
const file = `${dir}/ringlet.wasm`;
const run = (/** @type {string} */ cmd, /** @type {string[]} */ args) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
run('emcmake', [
  'cmake',
  '-S',
  '.',
  '-B',
  dir,
  '-DCMAKE_BUILD_TYPE=Release',
  `-DRL_TEST_HOOKS=${hooks ? 'ON' : 'OFF'}`,
]);
run('cmake', ['--build', dir]);

const bytes = readFileSync(file);
const allowed = new Set(['env.memory', 'env.rl_host_panic']);
for (const shared of [true, false]) {
  const module = new WebAssembly.Module(shared ? bytes : privateMemoryBinary(bytes));
  const unexpected = WebAssembly.Module.imports(module)
    .map((i) => `${i.module}.${i.name}`)
    .filter((n) => !allowed.has(n));
  if (unexpected.length > 0) {
    console.error(`ringlet.wasm imports unexpected symbols: ${unexpected.join(', ')}`);
    process.exit(1);
  }
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared });
  new WebAssembly.Instance(module, { env: { memory, rl_host_panic: () => {} } });
}
console.log(`built ${file} (${bytes.length} bytes)`);
