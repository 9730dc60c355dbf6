// Four pages in one build: one install and one build serve every check.
// stream-wasm.html's stream Worker is a module of the app's own.
export default {
  build: {
    rollupOptions: {
      input: { tonejs: 'tonejs.html', sac: 'sac.html', stream: 'stream.html', streamWasm: 'stream-wasm.html' },
    },
  },
};
