// Jest globalTeardown of the browser projects: closes the shared browsers of a
// run in Jest's own process and stops the display and audio daemons
// global-setup.js started. Jest runs it whether the tests passed or not.
import { shared } from './global-setup.js';
import { sharedBrowsers } from './shared-browsers.js';

export default async function globalTeardown() {
  // A run in Jest's own process (--runInBand, one test file) shared its browsers here.
  await sharedBrowsers.closeAll();
  const s = shared();
  const { daemons } = s;
  if (!daemons) return;
  s.daemons = null;
  delete process.env.RINGLET_DISPLAY;
  delete process.env.RINGLET_PULSE_SERVER;
  await daemons.stop();
}
