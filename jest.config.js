// Jest runs ringlet's JavaScript tests as native ES modules
// (node --experimental-vm-modules). Unit tests run in Node; browser tests run
// once per browser engine, as one Jest project per engine (test names start
// with the engine: `[firefox] …`). RINGLET_BROWSERS picks the engines
// (chromium, firefox, webkit; default all): see test/browser/engines.js.
import { selectedEngines } from './test/browser/engines.js';

const common = { testEnvironment: 'node', transform: {} };

export default {
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.js'] },
    ...selectedEngines().map((engine) => ({
      ...common,
      displayName: engine.id,
      testMatch: ['<rootDir>/test/browser/**/*.test.js'],
      // The WorkerPool never touches SharedArrayBuffer or the transport, and
      // webkit-shared runs its suites in the same engine: webkit-message
      // would repeat them (about 60 s of the run).
      testPathIgnorePatterns: engine.id === 'webkit-message' ? ['/test/browser/pool(-faults)?\\.test\\.js$'] : [],
      globals: { RINGLET_ENGINE: engine.id },
      // One browser per engine per worker, shared by its test files (shared-browsers.js).
      testEnvironment: '<rootDir>/test/browser/environment.js',
      globalSetup: '<rootDir>/test/browser/global-setup.js',
      globalTeardown: '<rootDir>/test/browser/global-teardown.js',
    })),
  ],
};
