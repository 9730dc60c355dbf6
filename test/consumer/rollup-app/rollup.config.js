// A Rollup web app's usual config: resolve packages from node_modules, and
// emit the files that `new URL('./file', import.meta.url)` points at (Rollup
// itself leaves those URLs alone). Nothing here is specific to ringlet.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';

export default {
  input: 'src/index.js',
  output: { dir: 'dist', format: 'es' },
  plugins: [nodeResolve({ browser: true }), importMetaAssets()],
};
