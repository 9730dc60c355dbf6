// Jest test environment of the browser projects (jest.config.js): Node's own,
// plus the worker's shared browsers (shared-browsers.js) as the global
// __ringletSharedBrowsers. Jest loads this module once per worker, outside
// the test files' contexts, so the browsers outlive each file.
import { TestEnvironment } from 'jest-environment-node';
import { sharedBrowsers } from './shared-browsers.js';

export default class BrowserEnvironment extends TestEnvironment {
  /** @param {ConstructorParameters<typeof TestEnvironment>} args */
  constructor(...args) {
    super(...args);
    this.global.__ringletSharedBrowsers = sharedBrowsers;
  }
}
