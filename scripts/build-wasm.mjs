// Builds build/wasm/ringlet.wasm with Debian's emscripten through CMake.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ensureToolchain } from './toolchain.mjs';

ensureToolchain(['emscripten', 'cmake']);
// `--hooks` builds the test variant (forced traps) into build/wasm-hooks;
// the release builds never have them. `--local` builds ringlet-local.wasm,
// which imports a private (non-shared) memory.
const hooks = process.argv.includes('--hooks');
const local = process.argv.includes('--local');
const dir = `build/wasm${local ? '-local' : ''}${hooks ? '-hooks' : ''}`;
const file = `${dir}/${local ? 'ringlet-local' : 'ringlet'}.wasm`;
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
run('emcmake', ['cmake', '-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release',
  `-DRL_TEST_HOOKS=${hooks ? 'ON' : 'OFF'}`, `-DRL_SHARED_MEMORY=${local ? 'OFF' : 'ON'}`]);
run('cmake', ['--build', dir]);

// Undefined symbols are allowed at link time (for env.rl_host_panic), so a
// typo would surface only at instantiation; catch it here instead.
const module = new WebAssembly.Module(readFileSync(file));
const allowed = new Set(['env.memory', 'env.rl_host_panic']);
const unexpected = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).filter((n) => !allowed.has(n));
if (unexpected.length > 0) {
  console.error(`ringlet.wasm imports unexpected symbols: ${unexpected.join(', ')}`);
  process.exit(1);
}
// Prove the memory import is the kind this variant promises.
const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: !local });
new WebAssembly.Instance(module, { env: { memory, rl_host_panic: () => {} } });
console.log(`built ${file}`);
