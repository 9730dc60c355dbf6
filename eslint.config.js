// ESLint flat config for ringlet's JavaScript. Each folder runs on a
// different thread, and its globals say which: the AudioWorklet scope has no
// window, document, timers or fetch.
import js from '@eslint/js';
import globals from 'globals';

const audioWorklet = {
  AudioWorkletProcessor: 'readonly',
  registerProcessor: 'readonly',
  currentTime: 'readonly',
  currentFrame: 'readonly',
  sampleRate: 'readonly',
};

export default [
  {
    ignores: ['dist/', 'build/', 'node_modules/', 'docs/', 'test/consumer/**/dist/', 'test/consumer/**/node_modules/'],
  },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['lib/**/*.js', 'examples/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['lib/entries/coi-serviceworker.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
  {
    files: ['worklet/**/*.js'],
    languageOptions: { globals: { ...audioWorklet, WebAssembly: 'readonly', Atomics: 'readonly' } },
  },
  {
    files: ['scripts/**/*.mjs', 'scripts/**/*.js', '*.config.js', 'test/**/*.js', 'test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.worker } },
  },
  {
    // A focused or skipped test shrinks the run without failing it: neither
    // may be committed. (npm test still counts skipped and todo tests.)
    files: ['test/**/*.js', 'test/**/*.mjs'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['describe', 'test', 'it'].flatMap((object) =>
          ['only', 'skip'].map((property) => ({
            object,
            property,
            message: `${object}.${property} would shrink the run: remove it before committing`,
          })),
        ),
      ],
      'no-restricted-imports': [
        'error',
        {
          name: '@jest/globals',
          importNames: ['fit', 'fdescribe', 'xit', 'xtest', 'xdescribe'],
          message: 'focused and skipped test aliases would shrink the run',
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['fit', 'fdescribe', 'xit', 'xtest', 'xdescribe'].map((name) => ({
          name,
          message: 'focused and skipped test aliases would shrink the run',
        })),
      ],
    },
  },
];
