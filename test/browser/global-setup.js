// Jest globalSetup of each engine's project (jest.config.js). Jest runs it
// only when at least one test of that project runs. WebKit's projects share
// one Xvfb display and one pulseaudio server for the whole run; the workers
// Jest starts afterwards inherit where to find them (RINGLET_DISPLAY,
// RINGLET_PULSE_SERVER). global-teardown.js stops them, by PID.
import { startDaemons } from './daemons.js';
import { engineById } from './engines.js';

/** @typedef {{ daemons: import('./daemons.js').Daemons | null, users: number }} Shared */

/** @returns {Shared} */
export function shared() {
  const g = /** @type {{ __ringletDaemons?: Shared }} */ (globalThis);
  g.__ringletDaemons ??= { daemons: null, users: 0 };
  return g.__ringletDaemons;
}

/**
 * @param {unknown} _globalConfig
 * @param {{ globals?: Record<string, unknown> }} projectConfig
 */
export default async function globalSetup(_globalConfig, projectConfig) {
  const engine = engineById(String(projectConfig.globals?.RINGLET_ENGINE));
  if (engine.family !== 'webkit') return;
  const s = shared();
  s.users += 1;
  if (s.daemons) return;
  s.daemons = await startDaemons();
  process.env.RINGLET_DISPLAY = s.daemons.display;
  process.env.RINGLET_PULSE_SERVER = s.daemons.pulseServer;
}
