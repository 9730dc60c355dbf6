// Three pages in one build: one install and one build serve every check.
export default {
  build: { rollupOptions: { input: { tonejs: 'tonejs.html', sac: 'sac.html', stream: 'stream.html' } } },
};
