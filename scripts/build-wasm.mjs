// Builds build/wasm/ringlet.wasm with Debian's emscripten through CMake.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ensureToolchain } from './toolchain.mjs';

ensureToolchain(['emscripten', 'cmake']);
// `--hooks` builds the test variant (forced traps) into build/wasm-hooks;
// the release build in build/wasm never has them.
const hooks = process.argv.includes('--hooks');
const dir = hooks ? 'build/wasm-hooks' : 'build/wasm';
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
run('emcmake', ['cmake', '-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release', `-DRL_TEST_HOOKS=${hooks ? 'ON' : 'OFF'}`]);
run('cmake', ['--build', dir]);

// Undefined symbols are allowed at link time (for env.rl_host_panic), so a
// typo would surface only at instantiation; catch it here instead.
const module = new WebAssembly.Module(readFileSync(`${dir}/ringlet.wasm`));
const allowed = new Set(['env.memory', 'env.rl_host_panic']);
const unexpected = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).filter((n) => !allowed.has(n));
if (unexpected.length > 0) {
  console.error(`ringlet.wasm imports unexpected symbols: ${unexpected.join(', ')}`);
  process.exit(1);
}
console.log(`built ${dir}/ringlet.wasm`);
