// Jest runs ringlet's JavaScript tests as native ES modules
// (node --experimental-vm-modules). Unit tests run in Node; browser tests
// drive Debian's Chromium through playwright-core.
export default {
  testEnvironment: 'node',
  transform: {},
  testMatch: ['<rootDir>/test/unit/**/*.test.js', '<rootDir>/test/browser/**/*.test.js'],
  testTimeout: 120000,
  maxWorkers: 2,
};
