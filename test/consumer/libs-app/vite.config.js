// Two pages in one build: one install and one build serve both checks.
export default {
  build: { rollupOptions: { input: { tonejs: 'tonejs.html', sac: 'sac.html' } } },
};
