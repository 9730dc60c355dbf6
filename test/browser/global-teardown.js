// Jest globalTeardown of the browser projects: stops the display and audio
// daemons global-setup.js started. Jest runs it whether the tests passed or not.
import { shared } from './global-setup.js';

export default async function globalTeardown() {
  const s = shared();
  const { daemons } = s;
  if (!daemons) return;
  s.daemons = null;
  delete process.env.RINGLET_DISPLAY;
  delete process.env.RINGLET_PULSE_SERVER;
  await daemons.stop();
}
