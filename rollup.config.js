// Bundles lib/ and worklet/ into self-contained ESM files in dist/, and puts
// ringlet.wasm beside them, where `new URL('./ringlet.wasm', import.meta.url)`
// finds it in any bundler.
import { readFileSync } from 'node:fs';

const copyWasm = {
  name: 'ringlet-wasm',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'ringlet.wasm', source: readFileSync('build/wasm/ringlet.wasm') });
    this.emitFile({ type: 'asset', fileName: 'ringlet-local.wasm', source: readFileSync('build/wasm-local/ringlet-local.wasm') });
  },
};

export default [
  { input: 'lib/index.js', output: { file: 'dist/ringlet.js', format: 'es' }, plugins: [copyWasm] },
  { input: 'worklet/processor.js', output: { file: 'dist/ringlet-worklet.js', format: 'es' } },
];
