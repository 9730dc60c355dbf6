// Jest globalTeardown of each engine's project: the last WebKit project to
// finish stops the display and audio daemons (global-setup.js). Jest runs it
// whether the tests passed or not.
import { engineById } from './engines.js';
import { shared } from './global-setup.js';

/**
 * @param {unknown} _globalConfig
 * @param {{ globals?: Record<string, unknown> }} projectConfig
 */
export default async function globalTeardown(_globalConfig, projectConfig) {
  const engine = engineById(String(projectConfig.globals?.RINGLET_ENGINE));
  if (engine.family !== 'webkit') return;
  const s = shared();
  s.users -= 1;
  if (s.users > 0 || !s.daemons) return;
  const { daemons } = s;
  s.daemons = null;
  delete process.env.RINGLET_DISPLAY;
  delete process.env.RINGLET_PULSE_SERVER;
  await daemons.stop();
}
