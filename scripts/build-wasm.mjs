// Builds build/wasm/ringlet.wasm with Debian's emscripten through CMake.
import { execFileSync } from 'node:child_process';
import { ensureToolchain } from './toolchain.mjs';

ensureToolchain(['emscripten', 'cmake']);
const hooks = process.env.RL_TEST_HOOKS === '1' ? 'ON' : 'OFF';
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
run('emcmake', ['cmake', '-S', '.', '-B', 'build/wasm', '-DCMAKE_BUILD_TYPE=Release', `-DRL_TEST_HOOKS=${hooks}`]);
run('cmake', ['--build', 'build/wasm']);
console.log('built build/wasm/ringlet.wasm');
